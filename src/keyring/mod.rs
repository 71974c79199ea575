//! Signing keys of an authorization server (`scopectl keys`, and `decode --target`): a
//! JWKS (file, URL, or the issuer's through discovery) or a Keycloak realm's keys as its
//! admin API lists them (provider, status, priority, certificate), read into one list of
//! [`SigningKey`]s, and checked for rotation and soundness (`key/*` findings): age against
//! the policy's `max_key_age` (never called compliant when the age is not known), weak
//! RSA keys, `alg` mixes that invite confusion, keys published without `use` or `alg`,
//! no active signing key (or an active one the JWKS leaves out), and a token signed by a
//! key that is no longer published.
//!
//! Returns data and never prints: [`render`] turns a [`KeyReport`] into text or JSON.

pub mod der;
pub mod render;
pub mod source;

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use crate::finding::{Finding, Outcome, Severity};
use crate::registry::policy::Policy;
use crate::rules::{Level, Rule};

/// The JSON document's version (`scopectl keys --format json`).
pub const VERSION: u32 = 1;

/// One key as the server publishes or holds it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SigningKey {
    pub kid: Option<String>,
    /// `RSA`, `EC`, `OKP` or `oct`.
    pub kty: String,
    pub alg: Option<String>,
    /// `sig` or `enc` (none: not said).
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    /// RSA modulus size in bits.
    pub bits: Option<usize>,
    /// EC / OKP curve.
    pub curve: Option<String>,
    /// In the issuer's JWKS (null when the JWKS was not read).
    pub published: Option<bool>,
    /// Keycloak: the key provider (component name, and its kind when it differs).
    pub provider: Option<String>,
    /// Keycloak: ACTIVE (signs), PASSIVE (verifies only), DISABLED.
    pub status: Option<String>,
    /// Keycloak: the provider's priority (the highest ACTIVE key signs).
    pub priority: Option<i64>,
    /// When the key was made (RFC 3339), when it is known.
    pub created: Option<String>,
    /// How `created` is known, or why it is not.
    pub created_basis: String,
    /// Whole days since `created`.
    pub age_days: Option<i64>,
    /// The end of its certificate's validity (RFC 3339), when it has one.
    pub certificate_not_after: Option<String>,
    #[serde(skip)]
    pub created_unix: Option<i64>,
    /// The public key (SubjectPublicKeyInfo DER), when the source gives it.
    #[serde(skip)]
    pub spki: Option<Vec<u8>>,
    /// A JWK's key members (`n`/`e`, `crv`/`x`/`y`, `k`), to tell two keys apart.
    #[serde(skip)]
    pub material: Option<String>,
    /// Why a JWK cannot be a usable key (a member missing, not base64url, or of the wrong
    /// length for its curve), when it cannot.
    #[serde(skip)]
    pub defect: Option<String>,
}

impl SigningKey {
    /// `kid="k1" (RS256)` for messages.
    pub fn label(&self) -> String {
        let kid = match &self.kid {
            Some(k) => format!("kid={:?}", crate::text::clean(k)),
            None => "a key without kid".to_string(),
        };
        match &self.alg {
            Some(a) => format!("{kid} ({})", crate::text::clean(a)),
            None => format!("{kid} ({})", self.kty),
        }
    }

    fn enabled(&self) -> bool {
        self.status.as_deref() != Some("DISABLED")
    }

    fn signs(&self) -> bool {
        self.key_use.as_deref().is_none_or(|u| u == "sig")
    }

    fn asymmetric(&self) -> bool {
        matches!(self.kty.as_str(), "RSA" | "EC" | "OKP")
    }

    /// What size or curve it has, for the table (`2048 bits`, `P-256`).
    pub fn strength(&self) -> String {
        match (&self.bits, &self.curve) {
            (Some(b), _) => format!("{b} bits"),
            (None, Some(c)) => c.clone(),
            _ => "-".to_string(),
        }
    }
}

/// The keys of one source and what was found about them.
#[derive(Debug, Clone, Serialize)]
pub struct KeyReport {
    /// Where the keys were read (`JWKS https://…/certs`, `target kc (realm shop at …)`).
    pub source: String,
    /// The issuer, when known.
    pub issuer: Option<String>,
    /// Keycloak: the algorithm each ACTIVE key signs with (`{"RS256": "kid"}`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub active: BTreeMap<String, String>,
    pub keys: Vec<SigningKey>,
    /// `max_key_age` of the policy, when one is set.
    pub max_key_age: Option<String>,
    /// What could not be read, and what that leaves unknown.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

impl KeyReport {
    pub fn outcome(&self) -> Outcome {
        Outcome::of(&self.findings)
    }

    /// The key of this kid, if the source has one.
    pub fn by_kid(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

fn rfc3339(unix: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// The keys of a JWKS document (every entry, usable or not: the list is what is
/// published). Creation times are unknown: a JWKS does not carry them.
pub fn from_jwks(doc: &Value) -> anyhow::Result<Vec<SigningKey>> {
    let Some(list) = doc.get("keys").and_then(Value::as_array) else {
        anyhow::bail!("not a JWKS: it has no \"keys\" array");
    };
    Ok(list.iter().map(jwk).collect())
}

/// Why the JWK `v` of type `kty` cannot be used, if it cannot: what RFC 7518 §6 asks of
/// its members (present, base64url, the curve's length). Whether an EC point is on its
/// curve is not checked here.
fn jwk_defect(v: &Value, kty: &str) -> Option<String> {
    let member = |m: &str| -> Result<Vec<u8>, String> {
        match v.get(m) {
            None => Err(format!("it has no `{m}`")),
            // Padding is tolerated, as for tokens.
            Some(Value::String(s)) => match crate::token::decode_b64url(s.trim_end_matches('=')) {
                Ok(b) if b.is_empty() => Err(format!("`{m}` is empty")),
                Ok(b) => Ok(b),
                Err(_) => Err(format!("`{m}` is not base64url")),
            },
            Some(_) => Err(format!("`{m}` is not a string")),
        }
    };
    let sized = |m: &str, len: usize, crv: &str| -> Result<(), String> {
        let b = member(m)?;
        if b.len() == len {
            Ok(())
        } else {
            Err(format!(
                "`{m}` is {} bytes, where {crv} needs {len}",
                b.len()
            ))
        }
    };
    let crv = str_of(v, "crv");
    // A key given only as an X.509 chain: its certificate holds the public key (which
    // `decode` takes from it).
    let chain_only = v
        .get("x5c")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty())
        && v.get("n").is_none()
        && v.get("x").is_none();
    let checked = match kty {
        _ if chain_only => Ok(()),
        "RSA" => member("n").and(member("e")).map(|_| ()),
        "EC" => match crv.as_deref() {
            Some(c @ "P-256") => sized("x", 32, c).and(sized("y", 32, c)),
            Some(c @ "P-384") => sized("x", 48, c).and(sized("y", 48, c)),
            Some(c @ "P-521") => sized("x", 66, c).and(sized("y", 66, c)),
            Some(c) => Err(format!(
                "its curve {:?} is not one JOSE defines for EC keys",
                crate::text::clean(c)
            )),
            None => Err("it has no `crv`".to_string()),
        },
        "OKP" => match crv.as_deref() {
            Some(c @ "Ed25519") => sized("x", 32, c),
            Some(c @ "Ed448") => sized("x", 57, c),
            // X25519 / X448 agree keys; they never sign.
            Some("X25519" | "X448") => Ok(()),
            Some(c) => Err(format!(
                "its curve {:?} is not one JOSE defines for OKP keys",
                crate::text::clean(c)
            )),
            None => Err("it has no `crv`".to_string()),
        },
        "oct" => member("k").map(|_| ()),
        _ => Ok(()),
    };
    checked.err()
}

fn jwk(v: &Value) -> SigningKey {
    let b64 = |k: &str| str_of(v, k).and_then(|s| crate::token::decode_b64url(&s).ok());
    let kty = str_of(v, "kty").unwrap_or_else(|| "?".into());
    let bits = match kty.as_str() {
        "RSA" => b64("n").map(|n| der::bit_length(&n)),
        _ => None,
    };
    let created_basis = "a JWKS does not say when a key was made".to_string();
    let members: &[&str] = match kty.as_str() {
        "RSA" => &["n", "e"],
        "EC" => &["crv", "x", "y"],
        "OKP" => &["crv", "x"],
        "oct" => &["k"],
        _ => &[],
    };
    let material = members
        .iter()
        .map(|m| str_of(v, m).map(|s| format!("{m}={}", s.trim_end_matches('='))))
        .collect::<Option<Vec<String>>>()
        .filter(|l| !l.is_empty())
        .map(|l| l.join(";"));
    let mut key = SigningKey {
        material,
        defect: jwk_defect(v, &kty),
        kid: str_of(v, "kid"),
        kty,
        alg: str_of(v, "alg"),
        key_use: str_of(v, "use"),
        bits,
        curve: str_of(v, "crv"),
        published: Some(true),
        created_basis,
        ..SigningKey::default()
    };
    // A certificate chain dates the certificate, not the key: shown, never taken as the
    // key's creation.
    if let Some(cert) = v
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
    {
        if let Some((_, to)) = der::certificate_validity(&cert) {
            key.certificate_not_after = rfc3339(to);
        }
    }
    key
}

/// Key providers Keycloak generates a key (and its certificate) in: for these, the
/// certificate's start is when the key was made.
const GENERATED: &[&str] = &[
    "rsa-generated",
    "rsa-enc-generated",
    "ecdsa-generated",
    "ecdh-generated",
    "eddsa-generated",
    "hmac-generated",
    "aes-generated",
];

/// A Keycloak realm's keys (`GET /admin/realms/{realm}/keys`), with the providers that
/// made them (`components`, when readable) and whether the JWKS publishes them (`jwks`,
/// when it was read).
pub fn from_keycloak(
    keys: &Value,
    components: Result<&Value, &str>,
    jwks: Option<&Value>,
) -> anyhow::Result<(Vec<SigningKey>, BTreeMap<String, String>)> {
    let Some(list) = keys.get("keys").and_then(Value::as_array) else {
        anyhow::bail!("the realm's keys answer has no \"keys\" array");
    };
    let published: Option<Vec<String>> = jwks.map(|j| {
        j.get("keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|k| str_of(k, "kid"))
            .collect()
    });
    let provider_of = |id: &str| -> Option<(String, String)> {
        components
            .ok()?
            .as_array()?
            .iter()
            .find(|c| c.get("id").and_then(Value::as_str) == Some(id))
            .map(|c| {
                (
                    str_of(c, "name").unwrap_or_default(),
                    str_of(c, "providerId").unwrap_or_default(),
                )
            })
    };
    let mut out = Vec::new();
    for v in list {
        let kty = match str_of(v, "type").as_deref() {
            Some("OCT") | Some("oct") => "oct".to_string(),
            Some(t) => t.to_string(),
            None => "?".to_string(),
        };
        let b64 = |k: &str| {
            str_of(v, k).and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        };
        let spki = b64("publicKey");
        let (bits, curve) = match spki.as_deref().and_then(der::spki_kind) {
            Some(der::PublicKeyKind::Rsa { bits }) => (Some(bits), None),
            Some(der::PublicKeyKind::Ec { curve }) => (None, Some(curve.to_string())),
            Some(der::PublicKeyKind::Ed25519) => (None, Some("Ed25519".to_string())),
            _ => (None, None),
        };
        let validity = b64("certificate")
            .as_deref()
            .and_then(der::certificate_validity);
        let provider = str_of(v, "providerId").and_then(|id| provider_of(&id));
        let (created_unix, created_basis) = match (&provider, validity, &components) {
            (Some((_, kind)), Some((from, _)), _) if GENERATED.contains(&kind.as_str()) => (
                Some(from),
                format!("the start of its certificate's validity: Keycloak's `{kind}` provider makes the key and its certificate together"),
            ),
            (Some((_, kind)), Some(_), _) => (
                None,
                format!("Keycloak's admin API keeps no creation time, and the key was imported (provider `{kind}`): its certificate's start says when the certificate was issued, not when the key was made"),
            ),
            (Some(_), None, _) => (
                None,
                "Keycloak's admin API keeps no creation time, and the key has no certificate to date it".to_string(),
            ),
            (None, _, Err(why)) => (
                None,
                format!("Keycloak's admin API keeps no creation time, and the key providers could not be read ({why}), so whether Keycloak generated the key (and its certificate dates it) is unknown"),
            ),
            (None, _, Ok(_)) => (
                None,
                "Keycloak's admin API keeps no creation time, and no key provider of the realm is this key's".to_string(),
            ),
        };
        let kid = str_of(v, "kid");
        let status = str_of(v, "status");
        let is_published = match (&published, &kid) {
            (Some(list), Some(k)) => Some(list.contains(k)),
            (Some(_), None) => Some(false),
            (None, _) => None,
        };
        out.push(SigningKey {
            kid,
            kty,
            alg: str_of(v, "algorithm"),
            key_use: str_of(v, "use").map(|u| u.to_ascii_lowercase()),
            bits,
            curve,
            published: is_published,
            provider: provider.map(|(name, kind)| {
                if name == kind || kind.is_empty() {
                    name
                } else {
                    format!("{name} ({kind})")
                }
            }),
            status,
            priority: v.get("providerPriority").and_then(Value::as_i64),
            created: created_unix.and_then(rfc3339),
            created_basis,
            age_days: None,
            certificate_not_after: validity.and_then(|(_, to)| rfc3339(to)),
            created_unix,
            spki,
            material: None,
            defect: None,
        });
    }
    let active = keys
        .get("active")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(alg, kid)| Some((alg.clone(), kid.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok((out, active))
}

/// Check the keys of `report` at `now` (unix seconds) against `policy`, with the `[rules]`
/// levels of `overrides`: fills in ages and `report.findings`.
pub fn check(report: &mut KeyReport, policy: &Policy, overrides: &HashMap<Rule, Level>, now: i64) {
    let mut f = Vec::new();
    let max_age = policy.max_key_age.as_ref();
    report.max_key_age = max_age.map(ToString::to_string);
    for k in &mut report.keys {
        k.age_days = k.created_unix.map(|c| now.saturating_sub(c) / 86_400);
    }
    let keycloak = report.keys.iter().any(|k| k.status.is_some());
    for k in report.keys.iter().filter(|k| k.enabled() && k.signs()) {
        let label = k.label();
        if let Some(max) = max_age {
            match k.created_unix {
                Some(c) if now.saturating_sub(c) > max.seconds as i64 => f.push(
                    Finding::of(
                        Rule::KeyTooOld,
                        format!(
                            "signing key {label} is {} days old, older than max_key_age {max}",
                            now.saturating_sub(c) / 86_400
                        ),
                    )
                    .help("rotate it: add a new key (Keycloak: a key provider with a higher priority), let tokens signed by the old one expire, then disable and remove the old one")
                    .note(format!("created {} ({})", k.created.as_deref().unwrap_or("?"), k.created_basis))
                    .object(label.clone()),
                ),
                Some(_) => {}
                None => f.push(
                    Finding::of(
                        Rule::KeyAgeNotEvaluable,
                        format!("the age of signing key {label} is not evaluable against max_key_age {max}, because {}", k.created_basis),
                    )
                    .help("keep the key's creation date in your own records, or rotate on the schedule regardless; this is never counted as compliant")
                    .object(label.clone()),
                ),
            }
        }
        if let Some(defect) = &k.defect {
            f.push(
                Finding::of(
                    Rule::KeyMalformed,
                    format!("published key {label} cannot be used: {defect}"),
                )
                .help("publish the key as RFC 7518 §6 describes it (every member base64url, of its curve's length); verifiers fail or skip a token signed with it")
                .object(label.clone()),
            );
        }
        if k.kty == "RSA" && k.bits.is_some_and(|b| b < 2048) {
            f.push(
                Finding::of(
                    Rule::KeyWeak,
                    format!(
                        "signing key {label} is an RSA key of {} bits: RFC 7518 requires 2048 or more",
                        k.bits.unwrap_or(0)
                    ),
                )
                .help("replace it with an RSA key of 2048 bits or more, or an EC / Ed25519 key")
                .object(label.clone()),
            );
        }
        if k.published == Some(true) && (k.key_use.is_none() || k.alg.is_none()) {
            let missing: Vec<&str> = [("use", k.key_use.is_none()), ("alg", k.alg.is_none())]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| *n)
                .collect();
            f.push(
                Finding::of(
                    Rule::KeyMissingUseAlg,
                    format!("published key {label} has no `{}`", missing.join("` and no `")),
                )
                .help("publish every key with `use: sig` and the one `alg` it signs with, so verifiers never guess the algorithm")
                .object(label.clone()),
            );
        }
    }
    for k in report
        .keys
        .iter()
        .filter(|k| k.published == Some(true) && k.kty == "oct")
    {
        f.push(
            Finding::of(
                Rule::KeyAlgMix,
                format!("the JWKS publishes a symmetric (oct) key {}: a published secret is no secret, and anyone can sign HMAC tokens with it", k.label()),
            )
            .help("remove it from the JWKS at once and replace the secret everywhere it is used: anyone who read the JWKS can sign tokens with it")
            .object(k.label()),
        );
    }
    let mut by_kid: BTreeMap<&str, Vec<&SigningKey>> = BTreeMap::new();
    for k in report.keys.iter().filter(|k| k.enabled() && k.signs()) {
        if let Some(kid) = &k.kid {
            by_kid.entry(kid.as_str()).or_default().push(k);
        }
    }
    for (kid, keys) in by_kid {
        let kinds: std::collections::BTreeSet<String> = keys
            .iter()
            .map(|k| format!("{} {}", k.alg.as_deref().unwrap_or("(no alg)"), k.kty))
            .collect();
        if kinds.len() > 1 {
            let kinds: Vec<String> = kinds.into_iter().collect();
            f.push(
                Finding::of(
                    Rule::KeyAlgMix,
                    format!(
                        "kid {:?} names {} keys of different kinds ({}): a verifier that picks the key by kid can be steered to the wrong algorithm",
                        crate::text::clean(kid),
                        keys.len(),
                        kinds.join(", ")
                    ),
                )
                .help("give every key its own kid, and pin each verifier to the algorithms it expects"),
            );
            continue;
        }
        // Keys of one kind: several different ones under one kid (the same key listed
        // twice is harmless). Keys whose material is not known are not compared.
        let distinct: std::collections::BTreeSet<&[u8]> = keys
            .iter()
            .filter_map(|k| {
                k.material
                    .as_deref()
                    .map(str::as_bytes)
                    .or(k.spki.as_deref())
            })
            .collect();
        if distinct.len() > 1 {
            f.push(
                Finding::of(
                    Rule::KeyDuplicateKid,
                    format!(
                        "kid {:?} names {} different {} keys: a verifier that picks the key by kid uses one of them, and tokens signed with the others fail to verify",
                        crate::text::clean(kid),
                        distinct.len(),
                        keys.first().map(|k| k.kty.as_str()).unwrap_or_default()
                    ),
                )
                .help("give every key its own kid (a new key gets a new kid: RFC 7517 §4.5)"),
            );
        }
    }
    let active: Vec<&SigningKey> = report
        .keys
        .iter()
        .filter(|k| k.signs() && k.asymmetric())
        .filter(|k| match &k.status {
            Some(s) => s == "ACTIVE",
            None => k.published == Some(true),
        })
        .collect();
    if active.is_empty() {
        let msg = if keycloak {
            "the realm holds no ACTIVE asymmetric signing key: it cannot sign tokens resource servers can verify".to_string()
        } else {
            "the JWKS publishes no key that verifies signatures (every key is symmetric, for encryption, or of an unknown type)".to_string()
        };
        f.push(Finding::of(Rule::KeyNoActive, msg).help(
            "add a signing key (Keycloak: an rsa-generated or ecdsa-generated key provider)",
        ));
    }
    for k in active.iter().filter(|k| k.published == Some(false)) {
        f.push(
            Finding::of(
                Rule::KeyNoActive,
                format!("the ACTIVE signing key {} is missing from the issuer's JWKS: resource servers cannot verify the tokens it signs", k.label()),
            )
            .help("check the key provider's settings and the JWKS (jwks_uri) the resource servers read")
            .object(k.label()),
        );
    }
    crate::lint::apply_token_overrides(&mut f, overrides);
    f.sort_by_key(|d| std::cmp::Reverse(d.severity));
    report.findings = f;
}

/// `key/unpublished`: the token's `kid` names a key the realm holds but does not publish.
/// `Some` with the finding when it does (the signature checked with that key's public
/// part, when the source gave it), `None` when the kid is published or unknown here.
pub fn unpublished(report: &KeyReport, kid: &str, verified: Option<bool>) -> Option<Finding> {
    let k = report.by_kid(kid)?;
    if k.published != Some(false) {
        return None;
    }
    let how = match verified {
        Some(true) => "the signature verifies with it, so the token is genuine but",
        Some(false) => "the signature does NOT verify with it either, and the key",
        None => "the key",
    };
    Some(
        Finding::error(
            Rule::KeyUnpublished,
            format!(
                "the token was signed by {} of {}, which is {}: {how} is no longer published, so resource servers reject the token",
                k.label(),
                report.source,
                k.status.as_deref().unwrap_or("not published"),
            ),
        )
        .help("get a new token (signed with the realm's ACTIVE key); if tokens of the old key must still be accepted, make it PASSIVE until they expire instead of disabling it")
        .object(k.label()),
    )
}

/// Does the set have an error-level finding?
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// `decode --target NAME`: when the token's `kid` is not in the target's JWKS
/// (`token/unknown-kid`), look it up among the realm's keys (Keycloak admin API). A key
/// the realm holds but does not publish turns the finding into `key/unpublished` (the
/// signature checked with that key's public part); a kid the realm does not hold either
/// gets a note saying so; a key list that cannot be read gets a note saying why.
pub fn explain_unknown_kid(
    checked: &mut crate::token::check::Checked,
    checker: &crate::token::check::Checker,
    registry: &crate::registry::Registry,
    root: &std::path::Path,
    target: &str,
    fetch: &crate::token::verify::FetchOptions,
) {
    let Some(at) = checked
        .findings
        .iter()
        .position(|f| f.rule == Rule::TokenUnknownKid)
    else {
        return;
    };
    let Some(kid) = checked.decoded.kid().map(str::to_string) else {
        return;
    };
    let report = match source::target(registry, root, Some(target), fetch) {
        Ok(r) => r,
        Err(e) => {
            checked.findings[at].notes.push(format!(
                "whether the key was published before is unknown: the keys of target `{target}` could not be read ({e:#})"
            ));
            return;
        }
    };
    let Some(key) = report.by_kid(&kid) else {
        checked.findings[at].notes.push(format!(
            "{} holds no key with this kid either: it was removed, or the token comes from another issuer",
            report.source
        ));
        return;
    };
    let verified = key.spki.as_deref().and_then(|der| {
        let set = crate::token::verify::KeySet::from_spki_der(der, &kid, &report.source).ok()?;
        let v = crate::token::verify::verify(&checked.decoded, Some(&set), checker.allowed);
        match v.status {
            crate::token::verify::Status::Verified => Some(true),
            crate::token::verify::Status::Invalid => Some(false),
            _ => None,
        }
    });
    if let Some(f) = unpublished(&report, &kid, verified) {
        checked.findings[at] = f;
    }
}

/// The policy and `[rules]` levels keys are judged by: the registry's, else the defaults.
pub fn judged_by(registry: Option<&crate::registry::Registry>) -> (Policy, HashMap<Rule, Level>) {
    (
        registry.map(|r| r.policy.clone()).unwrap_or_default(),
        registry
            .map(crate::lint::level_overrides)
            .unwrap_or_default(),
    )
}

/// One JWKS document's keys judged as `scopectl keys` judges them, without the age rules
/// (a JWKS does not say when a key was made); `None` when it holds no usable JWKS.
fn judge_document(
    source: &str,
    doc: &serde_json::Value,
    policy: &Policy,
    overrides: &HashMap<Rule, Level>,
    now: i64,
) -> Option<KeyReport> {
    let keys = from_jwks(doc).ok()?;
    let mut report = KeyReport {
        source: source.to_string(),
        issuer: None,
        active: BTreeMap::new(),
        keys,
        max_key_age: None,
        notes: Vec::new(),
        findings: Vec::new(),
    };
    let no_age = Policy {
        max_key_age: None,
        ..policy.clone()
    };
    check(&mut report, &no_age, overrides, now);
    report
        .findings
        .retain(|f| f.rule != Rule::KeyAgeNotEvaluable && f.rule != Rule::KeyTooOld);
    Some(report)
}

/// `decode --batch` with a JWKS: its keys judged once (as [`judge_jwks`] does for one
/// token), as lines for stderr (`warning[key/weak]: …`); empty when nothing is found.
/// The batch's JSON lines speak of tokens only.
pub fn jwks_warnings(
    keys: Option<&crate::token::verify::KeySet>,
    registry: Option<&crate::registry::Registry>,
    now: i64,
) -> String {
    let (policy, overrides) = judged_by(registry);
    let mut out = String::new();
    for (source, doc) in keys.map(|k| &k.documents[..]).unwrap_or_default() {
        for f in judge_document(source, doc, &policy, &overrides, now)
            .map(|r| r.findings)
            .unwrap_or_default()
        {
            out.push_str(&format!(
                "{}[{}]: {} (about the {source}; `scopectl keys` lists and judges its keys)\n",
                f.severity.as_str(),
                f.rule.id(),
                crate::text::clean(&f.message)
            ));
        }
    }
    out
}

/// `decode` with a JWKS (`--jwks`, `--discover`, a target's issuer): list the keys of the
/// JWKS the signature was checked against (`Checked::jwks_keys`, the decode JSON's `jwks`)
/// and add the `key/*` findings `scopectl keys` gives for them, each noting that it is
/// about the JWKS, not the token. Ages are left out: a JWKS does not say when a key was
/// made (`scopectl keys --target` reads that from Keycloak). The key that signed the
/// token is not reported weak twice (`token/weak-key` already says it).
pub fn judge_jwks(
    checked: &mut crate::token::check::Checked,
    registry: Option<&crate::registry::Registry>,
    now: i64,
) {
    let (policy, overrides) = judged_by(registry);
    let token_kid = checked.decoded.kid().map(str::to_string);
    let weak_said = checked
        .findings
        .iter()
        .any(|f| f.rule == Rule::TokenWeakKey);
    let documents = std::mem::take(&mut checked.jwks);
    for (source, doc) in &documents {
        let Some(mut report) = judge_document(source, doc, &policy, &overrides, now) else {
            continue;
        };
        let signing_label = token_kid
            .as_deref()
            .and_then(|kid| report.by_kid(kid))
            .map(SigningKey::label);
        for f in std::mem::take(&mut report.findings) {
            if f.rule == Rule::KeyWeak && weak_said && f.object == signing_label {
                continue;
            }
            let f = f.note(format!("about the {source}, which the signature was checked against; `scopectl keys` lists and judges its keys"));
            checked.findings.push(f);
        }
        if let Ok(keys) = serde_json::to_value(&report.keys) {
            checked
                .jwks_keys
                .push(serde_json::json!({ "source": source, "keys": keys }));
        }
    }
    checked.jwks = documents;
    // Errors first, as the checker leaves them.
    checked
        .findings
        .sort_by_key(|d| std::cmp::Reverse(d.severity));
}
