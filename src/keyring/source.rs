//! Where `scopectl keys` reads keys from: a JWKS file or URL, the issuer's JWKS through
//! discovery, or a registry target (Keycloak: the realm's keys through the admin API and
//! its JWKS; an RFC 7592 server: its JWKS through discovery). HTTP only through `net`
//! (the plain-HTTP rule, TLS verified, bodies capped, timeouts).

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde_json::Value;

use super::{from_jwks, from_keycloak, KeyReport};
use crate::net::{Answer, Body, Http};
use crate::push::keycloak::Keycloak;
use crate::registry::policy::TargetKind;
use crate::registry::Registry;
use crate::token::verify::{self, FetchOptions};

fn report(source: String, issuer: Option<String>) -> KeyReport {
    KeyReport {
        source,
        issuer,
        active: Default::default(),
        keys: Vec::new(),
        max_key_age: None,
        notes: Vec::new(),
        findings: Vec::new(),
    }
}

/// A JWKS file, or an `https://` (or loopback `http://`) URL.
pub fn jwks(location: &str, fetch: &FetchOptions) -> anyhow::Result<KeyReport> {
    let lower = location.to_ascii_lowercase();
    let (bytes, source) = if lower.starts_with("https://") || lower.starts_with("http://") {
        (
            verify::get_json(location, "JWKS", Answer::Jwks, fetch)?,
            format!("the JWKS {location}"),
        )
    } else {
        let meta = std::fs::metadata(location)
            .with_context(|| format!("cannot read the JWKS file {location}"))?;
        if meta.len() > Answer::Jwks.limit() {
            bail!(
                "the JWKS file {location} is over {}, the limit for a JWKS",
                crate::net::size_text(Answer::Jwks.limit())
            );
        }
        (
            std::fs::read(location)
                .with_context(|| format!("cannot read the JWKS file {location}"))?,
            format!("the JWKS file {location}"),
        )
    };
    let doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| anyhow!("{source} is not JSON: {e}"))?;
    let mut r = report(source.clone(), None);
    r.keys = from_jwks(&doc).map_err(|e| anyhow!("{source}: {e}"))?;
    Ok(r)
}

/// The issuer's OpenID configuration, then its `jwks_uri`.
pub fn discover(issuer: &str, fetch: &FetchOptions) -> anyhow::Result<KeyReport> {
    let (url, doc) = verify::discovery_document(issuer, fetch)?;
    let jwks_uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("the OpenID configuration at {url} has no jwks_uri"))?;
    let mut r = jwks(jwks_uri, fetch)?;
    r.issuer = Some(issuer.to_string());
    Ok(r)
}

/// `[targets.NAME]` of the registry at `root` (or its only target).
pub fn target(
    registry: &Registry,
    root: &Path,
    name: Option<&str>,
    fetch: &FetchOptions,
) -> anyhow::Result<KeyReport> {
    let (name, t) = crate::push::select_target(registry, name)?;
    match *t.kind {
        TargetKind::Rfc7592 => {
            let mut r = discover(t.url.trim_end_matches('/'), fetch)?;
            r.source = format!("target {name} ({})", r.source);
            r.notes.push(format!(
                "target `{name}` is an RFC 7592 server: only its published JWKS is read (no key status, provider or creation time)"
            ));
            Ok(r)
        }
        TargetKind::Keycloak => {
            let settings = crate::push::http_settings(&name, t, root)?;
            let http = Http::new(settings).map_err(|e| anyhow!("target `{name}`: {e}"))?;
            let mut kc = Keycloak::new(&name, t, root, http)?;
            let realm = kc.read_keys()?;
            let certs = format!("{}/protocol/openid-connect/certs", realm.issuer);
            let settings = crate::push::http_settings(&name, t, root)?;
            let http = Http::new(settings).map_err(|e| anyhow!("target `{name}`: {e}"))?;
            let mut r = report(kc.label(), Some(realm.issuer.clone()));
            let jwks = match http.request("GET", &certs, None, &Body::None, Answer::Jwks) {
                Ok(resp) if resp.ok() => match resp.json() {
                    Ok(v) => Some(v),
                    Err(e) => {
                        r.notes.push(format!("the realm's JWKS {certs} is not JSON ({e}): which keys are published is unknown"));
                        None
                    }
                },
                Ok(resp) => {
                    r.notes.push(format!("the realm's JWKS {certs} answered HTTP {}: which keys are published is unknown", resp.status));
                    None
                }
                Err(e) => {
                    r.notes.push(format!("the realm's JWKS could not be read ({e}): which keys are published is unknown"));
                    None
                }
            };
            if let Err(why) = &realm.components {
                r.notes.push(format!("the realm's key providers could not be read ({why}): providers and creation times are unknown"));
            }
            let (keys, active) = from_keycloak(
                &realm.keys,
                realm.components.as_ref().map_err(String::as_str),
                jwks.as_ref(),
            )
            .map_err(|e| anyhow!("target `{name}`: {e}"))?;
            r.keys = keys;
            r.active = active;
            Ok(r)
        }
    }
}
