//! Which keys verify a token: the key source the user chose ([`KeySource`]) loaded or
//! fetched into a [`KeySet`], and which issuer `--discover` may fetch keys from (only one
//! named by `--iss` or by a push target of the registry, never one named only by the
//! unverified token).

use std::path::Path;

use super::verify::{self, FetchOptions, KeySet, SecretEncoding};
use crate::registry::policy::TargetKind;
use crate::registry::Registry;
use crate::text::clean;

/// Where the keys come from (at most one source).
#[derive(Debug, Clone, Copy)]
pub enum KeySource<'a> {
    /// No key: nothing is verified.
    None,
    /// `--key FILE`: a PEM public key.
    Pem(&'a Path),
    /// `--secret-file FILE`: an HMAC secret (raw bytes, base64, an `oct` JWK or JWKS).
    SecretFile(&'a Path, SecretEncoding),
    /// `--secret-env VAR`: an HMAC secret from the environment.
    SecretEnv(&'a str, SecretEncoding),
    /// `--jwks FILE|URL`.
    Jwks(&'a str),
    /// `--discover`: the issuer's OpenID configuration, then its `jwks_uri`.
    Discover,
}

/// Load or fetch the keys of every source and use them together (a public source and a
/// secret, for a log of mixed tokens); `None` when there is no key at all.
pub fn resolve_all(
    sources: &[KeySource],
    issuer: Option<&str>,
    fetch: &FetchOptions,
) -> anyhow::Result<Option<KeySet>> {
    let mut sets = Vec::new();
    for s in sources {
        if let Some(set) = resolve(*s, issuer, fetch)? {
            sets.push(set);
        }
    }
    Ok(KeySet::merge(sets))
}

/// Load or fetch the keys of `source`; `issuer` is the one [`KeySource::Discover`] asks.
pub fn resolve(
    source: KeySource,
    issuer: Option<&str>,
    fetch: &FetchOptions,
) -> anyhow::Result<Option<KeySet>> {
    match source {
        KeySource::None => Ok(None),
        KeySource::Pem(p) => KeySet::from_pem_file(&p.to_string_lossy()).map(Some),
        KeySource::SecretFile(p, e) => KeySet::from_secret_file(&p.to_string_lossy(), e).map(Some),
        KeySource::SecretEnv(v, e) => KeySet::from_secret_env(v, e).map(Some),
        KeySource::Jwks(j) => {
            let lower = j.to_ascii_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                return verify::fetch_jwks(j, fetch).map(Some);
            }
            KeySet::from_jwks_file(j).map(Some)
        }
        KeySource::Discover => {
            let Some(issuer) = issuer else {
                anyhow::bail!("--discover with --batch needs --iss: the issuer whose keys to fetch")
            };
            verify::discover(issuer, fetch).map(Some)
        }
    }
}

/// The issuer `--discover` fetches keys from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub url: String,
    /// The registry target that names it, when it was not given as `--iss`.
    pub trusted_by: Option<String>,
}

/// The issuer whose keys `--discover` may fetch: `--iss`, else the token's `iss` when a
/// registry target names it. `Ok(None)` without `--discover`; `Err` with the message to
/// show when the token's issuer is not trusted: any token could vouch for itself.
pub fn discovery_issuer(
    discover: bool,
    iss: Option<&str>,
    registry: Option<&Registry>,
    token_iss: Option<&str>,
) -> Result<Option<Issuer>, String> {
    match (iss, discover) {
        (_, false) => Ok(None),
        (Some(i), true) => Ok(Some(Issuer {
            url: i.to_string(),
            trusted_by: None,
        })),
        (None, true) => match trusted_issuer(registry, token_iss) {
            Some((url, target)) => Ok(Some(Issuer {
                url,
                trusted_by: Some(target),
            })),
            None => Err(untrusted_issuer_message(token_iss)),
        },
    }
}

/// The issuers the registry's push targets name: Keycloak `{url}/realms/{realm}`, an
/// RFC 7592 server's `url`. With the name of the target.
pub fn target_issuers(registry: &Registry) -> Vec<(String, String)> {
    let Some((_, file)) = &registry.policy_file else {
        return Vec::new();
    };
    file.targets
        .iter()
        .filter_map(|(name, t)| {
            let url = t.url.trim_end_matches('/');
            let issuer = match *t.kind {
                TargetKind::Keycloak => format!("{url}/realms/{}", t.realm.as_ref()?.as_str()),
                TargetKind::Rfc7592 => url.to_string(),
            };
            Some((issuer, name.to_string()))
        })
        .collect()
}

/// The token's `iss` when a registry target names it: `(issuer, target name)`.
pub fn trusted_issuer(registry: Option<&Registry>, iss: Option<&str>) -> Option<(String, String)> {
    let iss = iss?.trim_end_matches('/');
    target_issuers(registry?)
        .into_iter()
        .find(|(issuer, _)| issuer == iss)
}

/// Why `--discover` refuses the token's own `iss`, and what to do instead.
pub fn untrusted_issuer_message(iss: Option<&str>) -> String {
    let named = match iss {
        Some(i) => format!(
            "the token names the issuer {:?}, but the token is not verified yet, so anyone can mint a token naming a server of theirs that serves matching keys",
            clean(i)
        ),
        None => "the token has no `iss`".to_string(),
    };
    format!(
        "--discover needs --iss, the issuer whose keys to trust: {named}; pass --iss URL (or --jwks), or name the issuer in a [targets.NAME] of the registry's scopectl.toml"
    )
}
