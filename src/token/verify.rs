//! Signature verification: keys from a PEM file, an HMAC secret (from a file or an
//! environment variable, never argv), a JWKS (file or URL) or the issuer's OpenID
//! configuration; key selection by `kid`; the algorithm allowlist; and the refusals that
//! keep an unverifiable token from ever being called valid (`alg: none`, HMAC with public
//! key material).
//!
//! Keys are parsed once into a [`KeySet`] and reused for every token (`--batch`).

use std::str::FromStr;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde::Serialize;
use serde_json::Value;

use super::Decoded;
use crate::finding::Finding;
use crate::rules::Rule;

/// Algorithms accepted by default: every asymmetric one jsonwebtoken verifies, and HMAC
/// (which is only ever tried with a secret).
pub const DEFAULT_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
];

/// Parse an `--alg` value: `RS256`, `ES384`, `EdDSA`, …
pub fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    if s.eq_ignore_ascii_case("none") {
        return Err("`none` is never an acceptable algorithm".into());
    }
    Algorithm::from_str(s).map_err(|_| {
        format!("`{s}` is not a JWS algorithm scopectl verifies (RS256/384/512, PS256/384/512, ES256/384, EdDSA, HS256/384/512)")
    })
}

/// One verification key.
#[derive(Clone)]
pub struct Key {
    pub kid: Option<String>,
    /// The `alg` the key is pinned to (JWKS `alg`), if any.
    pub alg: Option<Algorithm>,
    pub family: AlgorithmFamily,
    /// EC curve, when known (JWKS `crv`).
    pub curve: Option<EllipticCurve>,
    key: DecodingKey,
    /// "RSA public key kid=\"k1\" from the JWKS …", filled in once per key set.
    label: String,
}

impl Key {
    fn new(
        kid: Option<String>,
        alg: Option<Algorithm>,
        family: AlgorithmFamily,
        curve: Option<EllipticCurve>,
        key: DecodingKey,
    ) -> Key {
        Key {
            kid,
            alg,
            family,
            curve,
            key,
            label: String::new(),
        }
    }

    /// Verify with ring when it can (RSA with a modulus of 2048 bits or more: several
    /// times faster than the rsa crate). `None`: not handled or not verified here;
    /// jsonwebtoken gives the definitive answer.
    fn verify_fast(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Option<bool> {
        use jsonwebtoken::DecodingKeyKind;
        use ring::signature as rs;
        let params: &rs::RsaParameters = match alg {
            Algorithm::RS256 => &rs::RSA_PKCS1_2048_8192_SHA256,
            Algorithm::RS384 => &rs::RSA_PKCS1_2048_8192_SHA384,
            Algorithm::RS512 => &rs::RSA_PKCS1_2048_8192_SHA512,
            Algorithm::PS256 => &rs::RSA_PSS_2048_8192_SHA256,
            Algorithm::PS384 => &rs::RSA_PSS_2048_8192_SHA384,
            Algorithm::PS512 => &rs::RSA_PSS_2048_8192_SHA512,
            _ => return None,
        };
        let ok = match self.key.kind() {
            DecodingKeyKind::SecretOrDer(der) => rs::UnparsedPublicKey::new(params, der)
                .verify(message, signature)
                .is_ok(),
            DecodingKeyKind::RsaModulusExponent { n, e } => rs::RsaPublicKeyComponents { n, e }
                .verify(params, message, signature)
                .is_ok(),
        };
        ok.then_some(true)
    }

    /// Why the key is too weak for `alg` (RFC 7518: RSA keys of 2048 bits or more, HMAC
    /// secrets at least as long as the hash output), if it is.
    fn weakness(&self, alg: Algorithm) -> Option<String> {
        use jsonwebtoken::DecodingKeyKind;
        match (self.family, self.key.kind()) {
            (AlgorithmFamily::Rsa, kind) => {
                let n = match kind {
                    DecodingKeyKind::RsaModulusExponent { n, .. } => n.to_vec(),
                    DecodingKeyKind::SecretOrDer(der) => pkcs1_modulus(der)?.to_vec(),
                };
                let bits = bit_length(&n);
                (bits < 2048)
                    .then(|| format!("an RSA key of {bits} bits (RFC 7518 requires 2048 or more)"))
            }
            (AlgorithmFamily::Hmac, DecodingKeyKind::SecretOrDer(secret)) => {
                let need = match alg {
                    Algorithm::HS384 => 48,
                    Algorithm::HS512 => 64,
                    _ => 32,
                };
                (secret.len() < need).then(|| {
                    format!(
                        "an HMAC secret of {} bytes for {alg:?} (RFC 7518 requires at least {need}, the hash's size)",
                        secret.len()
                    )
                })
            }
            _ => None,
        }
    }

    /// The length a signature of `alg` made with this key has (RFC 7518: the RSA
    /// modulus's length, R||S for ECDSA, the hash for HMAC, 64 bytes for Ed25519), when
    /// known.
    fn signature_len(&self, alg: Algorithm) -> Option<usize> {
        use jsonwebtoken::DecodingKeyKind;
        match alg {
            Algorithm::HS256 => Some(32),
            Algorithm::HS384 => Some(48),
            Algorithm::HS512 => Some(64),
            Algorithm::ES256 | Algorithm::EdDSA => Some(64),
            Algorithm::ES384 => Some(96),
            _ if self.family == AlgorithmFamily::Rsa => {
                let n = match self.key.kind() {
                    DecodingKeyKind::RsaModulusExponent { n, .. } => n,
                    DecodingKeyKind::SecretOrDer(der) => pkcs1_modulus(der)?,
                };
                Some(bit_length(n).div_ceil(8)).filter(|len| *len > 0)
            }
            _ => None,
        }
    }

    fn describe(&self) -> String {
        let kind = match self.family {
            AlgorithmFamily::Hmac => "HMAC secret",
            AlgorithmFamily::Rsa => "RSA public key",
            AlgorithmFamily::Ec => match self.curve {
                Some(EllipticCurve::P256) => "EC P-256 public key",
                Some(EllipticCurve::P384) => "EC P-384 public key",
                _ => "EC public key",
            },
            AlgorithmFamily::Ed => "Ed25519 public key",
        };
        match &self.kid {
            Some(kid) => format!("{kind} kid={kid:?}"),
            None => kind.to_string(),
        }
    }

    fn accepts(&self, alg: Algorithm) -> bool {
        if self.alg.is_some_and(|a| a != alg) {
            return false;
        }
        if alg.family() != self.family {
            return false;
        }
        match (self.curve.as_ref(), alg) {
            (Some(EllipticCurve::P256), Algorithm::ES256) => true,
            (Some(EllipticCurve::P384), Algorithm::ES384) => true,
            (Some(_), _) => false,
            (None, _) => true,
        }
    }
}

/// The modulus of a DER `RSAPublicKey` (PKCS#1: SEQUENCE { INTEGER n, INTEGER e }).
fn pkcs1_modulus(der: &[u8]) -> Option<&[u8]> {
    let (h, _) = der_header(der, 0x30)?;
    let rest = der.get(h..)?;
    let (h, len) = der_header(rest, 0x02)?;
    rest.get(h..h + len)
}

/// The header of a DER element with `tag` at the start of `b`: (header length, content
/// length).
fn der_header(b: &[u8], tag: u8) -> Option<(usize, usize)> {
    if *b.first()? != tag {
        return None;
    }
    let first = *b.get(1)?;
    if first < 0x80 {
        return Some((2, first as usize));
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 {
        return None;
    }
    let len = b
        .get(2..2 + n)?
        .iter()
        .fold(0usize, |acc, x| (acc << 8) | *x as usize);
    Some((2 + n, len))
}

/// Bits of a big-endian unsigned integer (leading zero bytes and bits left out).
fn bit_length(n: &[u8]) -> usize {
    let n: Vec<u8> = n.iter().copied().skip_while(|b| *b == 0).collect();
    match n.first() {
        None => 0,
        Some(b) => (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// A key of a JWKS that is not used to verify signatures, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub kid: Option<String>,
    /// "key 2 (kid \"e1\"): an encryption key (use=enc)".
    pub text: String,
}

/// Where keys came from: for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    PemFile(String),
    SecretFile(String),
    SecretEnv(String),
    JwksFile(String),
    JwksUrl(String),
    /// Keys from several sources (`--jwks` with `--secret-file`, for a log of mixed
    /// HMAC and signed tokens).
    Several(Vec<KeyOrigin>),
}

impl std::fmt::Display for KeyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOrigin::Several(list) => {
                let names: Vec<String> = list.iter().map(ToString::to_string).collect();
                write!(f, "{}", names.join(" and the "))
            }
            KeyOrigin::PemFile(p) => write!(f, "key file {p}"),
            KeyOrigin::SecretFile(p) => write!(f, "secret file {p}"),
            KeyOrigin::SecretEnv(v) => write!(f, "environment variable ${v}"),
            KeyOrigin::JwksFile(p) => write!(f, "JWKS file {p}"),
            KeyOrigin::JwksUrl(u) => write!(f, "JWKS {u}"),
        }
    }
}

/// The keys a token may be verified with.
#[derive(Clone)]
pub struct KeySet {
    pub origin: KeyOrigin,
    pub keys: Vec<Key>,
    /// Keys of the JWKS that were skipped, with the reason.
    pub skipped: Vec<Skipped>,
    /// The JWKS documents the keys came from, with where each was read: what
    /// `scopectl keys` would list and judge (empty for a PEM file or a secret).
    pub documents: Vec<(String, Value)>,
}

impl KeySet {
    /// Does the set hold a shared secret (HMAC)?
    pub fn has_secret(&self) -> bool {
        self.keys.iter().any(|k| k.family == AlgorithmFamily::Hmac)
    }

    /// Does the set hold public keys?
    pub fn has_public(&self) -> bool {
        self.keys.iter().any(|k| k.family != AlgorithmFamily::Hmac)
    }

    /// One set of the keys of several (each key keeps its label naming its source).
    pub fn merge(sets: Vec<KeySet>) -> Option<KeySet> {
        let mut sets = sets.into_iter();
        let mut merged = sets.next()?;
        for s in sets {
            merged.origin = match merged.origin {
                KeyOrigin::Several(mut list) => {
                    list.push(s.origin);
                    KeyOrigin::Several(list)
                }
                one => KeyOrigin::Several(vec![one, s.origin]),
            };
            merged.keys.extend(s.keys);
            merged.skipped.extend(s.skipped);
            merged.documents.extend(s.documents);
        }
        Some(merged)
    }

    /// A public key from a PEM file (RSA, EC or Ed25519; SPKI, PKCS#1 or a certificate).
    pub fn from_pem_file(path: &str) -> anyhow::Result<KeySet> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read key file {path}"))?;
        let key = pem_key(&bytes).with_context(|| format!("key file {path}"))?;
        Ok(KeySet {
            origin: KeyOrigin::PemFile(path.to_string()),
            keys: vec![key],
            skipped: Vec::new(),
            documents: Vec::new(),
        }
        .labelled())
    }

    /// A public key given as SubjectPublicKeyInfo DER (a Keycloak realm key's
    /// `publicKey`), with its kid, from `origin` (a label for messages).
    pub fn from_spki_der(der: &[u8], kid: &str, origin: &str) -> anyhow::Result<KeySet> {
        use base64::Engine;
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        );
        let mut key = pem_key(pem.as_bytes())?;
        key.kid = Some(kid.to_string());
        Ok(KeySet {
            origin: KeyOrigin::PemFile(format!("key {kid:?} of {origin}")),
            keys: vec![key],
            skipped: Vec::new(),
            documents: Vec::new(),
        }
        .labelled())
    }

    /// An HMAC secret read from a file (one trailing newline is removed): the secret's
    /// bytes, an `oct` JWK (its `k`), or a JWKS of `oct` keys.
    pub fn from_secret_file(path: &str, encoding: SecretEncoding) -> anyhow::Result<KeySet> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read secret file {path}"))?;
        Self::from_secret(
            strip_newline(&bytes),
            KeyOrigin::SecretFile(path.to_string()),
            encoding,
        )
    }

    /// An HMAC secret from an environment variable.
    pub fn from_secret_env(var: &str, encoding: SecretEncoding) -> anyhow::Result<KeySet> {
        let value = std::env::var_os(var)
            .ok_or_else(|| anyhow!("environment variable {var} (--secret-env) is not set"))?;
        let bytes = value.into_encoded_bytes();
        Self::from_secret(&bytes, KeyOrigin::SecretEnv(var.to_string()), encoding)
    }

    fn from_secret(
        secret: &[u8],
        origin: KeyOrigin,
        encoding: SecretEncoding,
    ) -> anyhow::Result<KeySet> {
        if secret.is_empty() {
            bail!("the {origin} is empty");
        }
        // Never use public key material as an HMAC secret: that is the algorithm
        // confusion attack, not a verification.
        if secret.windows(10).any(|w| w == b"-----BEGIN") {
            bail!("the {origin} holds a PEM key, not an HMAC secret: pass public keys with --key");
        }
        if let Some(keys) = oct_keys(secret, &origin)? {
            return Ok(KeySet {
                origin,
                keys,
                skipped: Vec::new(),
                // A secret, not a published JWKS: nothing to list.
                documents: Vec::new(),
            }
            .labelled());
        }
        if is_der_sequence(secret) {
            bail!("the {origin} holds a DER-encoded key or certificate, not an HMAC secret: pass public keys with --key (PEM) or --jwks");
        }
        let bytes = match encoding {
            SecretEncoding::Raw => secret.to_vec(),
            // The decoder's error names the offending byte and its offset: a piece of the
            // secret. Say only that it is not base64.
            SecretEncoding::Base64 => decode_base64_secret(secret).ok_or_else(|| {
                anyhow!("the {origin} is not valid base64 or base64url text (--secret-base64 was given); the secret itself is not shown")
            })?,
        };
        if bytes.is_empty() {
            bail!("the {origin} decodes to an empty secret");
        }
        Ok(KeySet {
            origin,
            keys: vec![Key::new(
                None,
                None,
                AlgorithmFamily::Hmac,
                None,
                DecodingKey::from_secret(&bytes),
            )],
            skipped: Vec::new(),
            documents: Vec::new(),
        }
        .labelled())
    }

    /// A JWKS read from a file.
    pub fn from_jwks_file(path: &str) -> anyhow::Result<KeySet> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read JWKS file {path}"))?;
        Self::from_jwks(&bytes, KeyOrigin::JwksFile(path.to_string()))
    }

    /// A JWKS document. Keys scopectl cannot use (encryption keys, symmetric `oct` keys,
    /// unknown key types) are skipped and listed in [`KeySet::skipped`].
    pub fn from_jwks(bytes: &[u8], origin: KeyOrigin) -> anyhow::Result<KeySet> {
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|e| anyhow!("the {origin} is not JSON: {e}"))?;
        let Some(list) = doc.get("keys").and_then(Value::as_array) else {
            bail!("the {origin} is not a JWKS: it has no \"keys\" array");
        };
        let mut keys = Vec::new();
        let mut skipped = Vec::new();
        for (i, v) in list.iter().enumerate() {
            let name = v
                .get("kid")
                .and_then(Value::as_str)
                .map(|k| format!("key {i} (kid {k:?})"))
                .unwrap_or_else(|| format!("key {i}"));
            let kid = v.get("kid").and_then(Value::as_str).map(str::to_string);
            let from_jwk = serde_json::from_value::<Jwk>(v.clone())
                .map_err(|e| format!("not a usable JWK ({e})"))
                .and_then(|jwk| jwk_key(&jwk));
            // A key given only (or also) as an X.509 chain: its first certificate.
            let enc = v.get("use").and_then(Value::as_str) == Some("enc");
            let result = match from_jwk {
                Err(reason) if !enc => match x5c_key(v) {
                    Some(Ok(key)) => Ok(key),
                    Some(Err(e)) => Err(format!("{reason}; its x5c certificate: {e}")),
                    None => Err(reason),
                },
                other => other,
            };
            match result {
                Ok(key) => keys.push(key),
                Err(reason) => skipped.push(Skipped {
                    kid,
                    text: format!("{name}: {reason}"),
                }),
            }
        }
        if keys.is_empty() {
            let why = if skipped.is_empty() {
                "it is empty".to_string()
            } else {
                skipped
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            bail!("the {origin} has no usable signature verification key: {why}");
        }
        Ok(KeySet {
            documents: vec![(origin.to_string(), doc.clone())],
            origin,
            keys,
            skipped,
        }
        .labelled())
    }

    fn labelled(mut self) -> Self {
        for k in &mut self.keys {
            k.label = format!("{} from the {}", k.describe(), self.origin);
        }
        self
    }

    /// The kids in the set, for messages.
    pub fn kids(&self) -> Vec<&str> {
        self.keys.iter().filter_map(|k| k.kid.as_deref()).collect()
    }
}

fn strip_newline(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn pem_key(bytes: &[u8]) -> anyhow::Result<Key> {
    let text = String::from_utf8_lossy(bytes);
    let Some(begin) = text.find("-----BEGIN ") else {
        if text.trim_start().starts_with('{') {
            bail!("not a PEM file (it looks like JSON: pass a JWKS with --jwks)");
        }
        bail!("not a PEM file (no -----BEGIN line)");
    };
    let label: String = text[begin + 11..]
        .chars()
        .take_while(|&c| c != '-')
        .collect();
    if label.contains("PRIVATE KEY") {
        bail!(
            "this is a private key ({label}); give the public key instead (e.g. `openssl pkey -in KEY -pubout`)"
        );
    }
    type FromPem = fn(&[u8]) -> jsonwebtoken::errors::Result<DecodingKey>;
    let attempts: [(AlgorithmFamily, FromPem); 3] = [
        (AlgorithmFamily::Rsa, DecodingKey::from_rsa_pem),
        (AlgorithmFamily::Ec, DecodingKey::from_ec_pem),
        (AlgorithmFamily::Ed, DecodingKey::from_ed_pem),
    ];
    for (family, f) in attempts {
        if let Ok(key) = f(bytes) {
            let curve = (family == AlgorithmFamily::Ec)
                .then(|| pem_ec_curve(&text))
                .flatten();
            check_key_material(family, &key).map_err(|e| anyhow!(e))?;
            return Ok(Key::new(None, None, family, curve, key));
        }
    }
    bail!("`{label}` is not an RSA, EC (P-256/P-384) or Ed25519 public key scopectl can read")
}

/// Reject key material the crypto backend would choke on (jsonwebtoken panics on an
/// Ed25519 key shorter than 32 bytes).
fn check_key_material(family: AlgorithmFamily, key: &DecodingKey) -> Result<(), String> {
    if family == AlgorithmFamily::Ed {
        let len = key.try_get_as_bytes().map(<[u8]>::len).unwrap_or(0);
        if len != 32 {
            return Err(format!(
                "an Ed25519 public key is 32 bytes, this one is {len}"
            ));
        }
    }
    Ok(())
}

/// The named curve of an EC public key in PEM, found by its OID in the DER body.
fn pem_ec_curve(text: &str) -> Option<EllipticCurve> {
    use base64::Engine;
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()?;
    // 1.2.840.10045.3.1.7 (P-256) and 1.3.132.0.34 (P-384).
    const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
    if der.windows(P256.len()).any(|w| w == P256) {
        Some(EllipticCurve::P256)
    } else if der.windows(P384.len()).any(|w| w == P384) {
        Some(EllipticCurve::P384)
    } else {
        None
    }
}

/// The public key of a JWK's first `x5c` certificate, with the JWK's `kid` and `alg`;
/// `None` when the JWK has no `x5c`.
fn x5c_key(v: &Value) -> Option<Result<Key, String>> {
    use base64::Engine;
    let first = v.get("x5c")?.as_array()?.first()?.as_str()?;
    let der = match base64::engine::general_purpose::STANDARD.decode(first.trim()) {
        Ok(d) => d,
        Err(e) => return Some(Err(format!("not base64 ({e})"))),
    };
    let body = base64::engine::general_purpose::STANDARD.encode(&der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    Some(
        pem_key(pem.as_bytes())
            .map_err(|e| format!("{e:#}"))
            .and_then(|mut key| {
                key.kid = v.get("kid").and_then(Value::as_str).map(str::to_string);
                if let Some(a) = v.get("alg").and_then(Value::as_str) {
                    key.alg = Some(
                        Algorithm::from_str(a)
                            .map_err(|_| format!("its alg {a:?} is not a signature algorithm"))?,
                    );
                }
                Ok(key)
            }),
    )
}

fn jwk_key(jwk: &Jwk) -> Result<Key, String> {
    if matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)) {
        return Err("an encryption key (use=enc)".into());
    }
    let curve = match &jwk.algorithm {
        AlgorithmParameters::OctetKey(_) => return Err(
            "a symmetric (oct) key: HMAC secrets are only taken from --secret-file or --secret-env"
                .into(),
        ),
        AlgorithmParameters::EllipticCurve(p) => Some(p.curve.clone()),
        AlgorithmParameters::OctetKeyPair(p) if p.curve != EllipticCurve::Ed25519 => {
            return Err(format!("curve {:?} is not supported", p.curve))
        }
        _ => None,
    };
    let alg = match jwk.common.key_algorithm {
        Some(ka) => match Algorithm::from_str(&format!("{ka:?}")) {
            Ok(a) => Some(a),
            Err(_) => return Err(format!("its alg {ka:?} is not a signature algorithm")),
        },
        None => None,
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("not a usable key ({e})"))?;
    let family = key.family();
    check_key_material(family, &key)?;
    Ok(Key::new(jwk.common.key_id.clone(), alg, family, curve, key))
}

/// How an HMAC secret is written (`--secret-base64`): never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretEncoding {
    /// The bytes are the secret.
    #[default]
    Raw,
    /// The text is base64 or base64url (padding optional), as jwt-cli's `b64:` prefix.
    Base64,
}

/// The bytes of a base64 or base64url secret; `None` when it is neither. Deliberately
/// without the decoder's error, which quotes a byte of the secret and its offset.
fn decode_base64_secret(text: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::{alphabet, Engine};
    let text = std::str::from_utf8(text).ok()?.trim();
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    GeneralPurpose::new(&alphabet::STANDARD, config)
        .decode(text)
        .or_else(|_| super::decode_b64url(text))
        .ok()
}

/// A JSON secret file: an `oct` JWK or a JWKS of `oct` keys gives their `k` values
/// (`Some`); public keys are refused (they are never HMAC secrets); any other text is not
/// JSON key material (`None`: the bytes are the secret).
fn oct_keys(secret: &[u8], origin: &KeyOrigin) -> anyhow::Result<Option<Vec<Key>>> {
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(secret) else {
        return Ok(None);
    };
    let list: Vec<Value> = match (doc.get("keys"), doc.get("kty")) {
        (Some(Value::Array(keys)), _) => keys.clone(),
        (None, Some(_)) => vec![Value::Object(doc.clone())],
        _ => return Ok(None),
    };
    let mut keys = Vec::new();
    let mut public = Vec::new();
    for v in &list {
        let kty = v.get("kty").and_then(Value::as_str).unwrap_or("?");
        if kty != "oct" {
            public.push(kty.to_string());
            continue;
        }
        let k = match v.get("k") {
            Some(Value::String(k)) => k,
            None => bail!("the {origin} holds an `oct` JWK without `k`"),
            Some(other) => bail!(
                "the {origin} holds an `oct` JWK whose `k` is {}, not a string (base64url, RFC 7518 §6.4.1)",
                super::json_type(other)
            ),
        };
        // Never the decoder's error: it quotes a byte of the secret and its offset.
        let bytes = super::decode_b64url(k).map_err(|_| {
            anyhow!("the {origin}: the `oct` JWK's `k` is not valid base64url (RFC 7518 §6.4.1: `-` and `_`, no `+` or `/`); the secret itself is not shown")
        })?;
        if bytes.is_empty() {
            bail!("the {origin}: the `oct` JWK's `k` is empty");
        }
        let kid = v.get("kid").and_then(Value::as_str).map(str::to_string);
        keys.push(Key::new(
            kid,
            None,
            AlgorithmFamily::Hmac,
            None,
            DecodingKey::from_secret(&bytes),
        ));
    }
    if keys.is_empty() {
        bail!(
            "the {origin} holds public key material (JWK kty {}), not an HMAC secret: pass public keys with --key or --jwks",
            public.join(", ")
        );
    }
    Ok(Some(keys))
}

/// Does the whole input form one DER SEQUENCE (a key or certificate in binary form)?
fn is_der_sequence(b: &[u8]) -> bool {
    der_header(b, 0x30).is_some_and(|(header, len)| header.checked_add(len) == Some(b.len()))
}

/// Network settings for `--jwks URL` and `--discover`.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Allow `http://` URLs (labs and tests only).
    pub insecure_http: bool,
    pub timeout: Duration,
}

/// The shared HTTP client with decode's settings: no retries (a person is waiting), the
/// `--timeout`, redirects never followed and bodies capped by what is fetched
/// ([`crate::net::Answer`]).
fn http(opts: &FetchOptions) -> anyhow::Result<crate::net::Http> {
    crate::net::Http::new(crate::net::HttpSettings {
        timeout: opts.timeout,
        insecure_http: opts.insecure_http,
        retries: 0,
        ..crate::net::HttpSettings::default()
    })
    .map_err(|e| anyhow!("cannot set up HTTP: {e}"))
}

/// The shared rule for plain HTTP ([`crate::net::check_transport`]): `https://`, or
/// `http://` to a loopback host; any other `http://` only with `--insecure-http`.
fn check_scheme(url: &str, what: &str, opts: &FetchOptions) -> anyhow::Result<()> {
    crate::net::check_transport_hint(url, opts.insecure_http, "pass --insecure-http")
        .map_err(|e| anyhow!("refusing to fetch the {what}: {e}"))
}

/// GET a JSON document (at most [`crate::net::Answer::limit`] of `answer`).
pub fn get_json(
    url: &str,
    what: &str,
    answer: crate::net::Answer,
    opts: &FetchOptions,
) -> anyhow::Result<Vec<u8>> {
    check_scheme(url, what, opts)?;
    let resp = http(opts)?
        .request("GET", url, None, &crate::net::Body::None, answer)
        .map_err(|e| {
            anyhow!(
                "cannot fetch the {what} from {url}: {e} (timeout {}s)",
                opts.timeout.as_secs()
            )
        })?;
    if !resp.ok() {
        bail!(
            "cannot fetch the {what} from {url}: the server answered HTTP {}",
            resp.status
        );
    }
    Ok(resp.body.into_bytes())
}

/// Fetch a JWKS from a URL.
pub fn fetch_jwks(url: &str, opts: &FetchOptions) -> anyhow::Result<KeySet> {
    let body = get_json(url, "JWKS", crate::net::Answer::Jwks, opts)?;
    KeySet::from_jwks(&body, KeyOrigin::JwksUrl(url.to_string()))
}

/// Fetch `{issuer}/.well-known/openid-configuration`, then its `jwks_uri`.
pub fn discover(issuer: &str, opts: &FetchOptions) -> anyhow::Result<KeySet> {
    let (url, doc) = discovery_document(issuer, opts)?;
    let jwks_uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("the OpenID configuration at {url} has no jwks_uri"))?;
    fetch_jwks(jwks_uri, opts)
}

/// `{issuer}/.well-known/openid-configuration` (its URL and the document), refused unless
/// it declares exactly that issuer.
pub fn discovery_document(issuer: &str, opts: &FetchOptions) -> anyhow::Result<(String, Value)> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let body = get_json(
        &url,
        "OpenID configuration",
        crate::net::Answer::Discovery,
        opts,
    )?;
    let doc: Value = serde_json::from_slice(&body)
        .map_err(|e| anyhow!("the OpenID configuration at {url} is not JSON: {e}"))?;
    let Some(declared) = doc.get("issuer").and_then(Value::as_str) else {
        bail!("the OpenID configuration at {url} declares no issuer (RFC 8414 requires one): refusing its keys");
    };
    if declared.trim_end_matches('/') != issuer.trim_end_matches('/') {
        bail!("the OpenID configuration at {url} declares issuer {declared:?}, not {issuer:?}: refusing its keys");
    }
    Ok((url, doc))
}

/// What became of the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    /// A key verified it.
    Verified,
    /// Checked with the right kind of key, and it does not match.
    Invalid,
    /// No key was given: nothing was checked.
    Unverified,
    /// Not attempted because the token or the key must not be trusted (`alg: none`,
    /// algorithm confusion, an algorithm outside the allowlist, unknown kid).
    Refused,
    /// Not checked here: the authorization server answered for it by token introspection
    /// (RFC 7662), over verified TLS or in a signed answer (RFC 9701).
    Introspected,
}

impl Status {
    /// Verified, or vouched for by the issuer's introspection.
    pub fn trusted(self) -> bool {
        matches!(self, Status::Verified | Status::Introspected)
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The outcome of verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub status: Status,
    /// The token's `alg`.
    pub alg: Option<String>,
    /// The token's `kid`.
    pub kid: Option<String>,
    /// Which key verified it (or was tried), and where it came from.
    pub key: Option<String>,
    /// One line for humans.
    pub message: String,
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// The key given cannot verify this token at all (wrong kind): exit 2.
    #[serde(skip)]
    pub key_unusable: bool,
}

/// Verify a decoded token's signature with `keys` (or report that nothing was checked).
pub fn verify(d: &Decoded, keys: Option<&KeySet>, allowed: &[Algorithm]) -> Verification {
    let mut v = Verification {
        status: Status::Refused,
        alg: d.alg().map(str::to_string),
        kid: d.kid().map(str::to_string),
        key: None,
        message: String::new(),
        findings: Vec::new(),
        key_unusable: false,
    };
    let Some(alg_text) = d.alg() else {
        let found = d
            .header
            .get("alg")
            .map(super::json_type)
            .unwrap_or("nothing");
        v.message = "the header has no `alg`: the token cannot be verified".into();
        v.findings.push(
            Finding::error(
                Rule::TokenAlgMissing,
                format!("the header's `alg` must be a string naming the signature algorithm; found {found}"),
            )
            .help("a JWS without an algorithm is not a valid token"),
        );
        return v;
    };
    if alg_text.eq_ignore_ascii_case("none") {
        v.message = "`alg: none`: the token is unsigned and must never be accepted".into();
        v.findings.push(
            Finding::error(
                Rule::TokenAlgNone,
                format!("the token is unsigned (`alg: {alg_text}`): anyone can forge it"),
            )
            .help("a resource server must reject `alg: none`; if one accepted this token, fix its JWT library configuration (pin the expected algorithms)"),
        );
        return v;
    }
    let Ok(alg) = Algorithm::from_str(alg_text) else {
        v.message = format!("unknown algorithm `{alg_text}`");
        v.findings.push(
            Finding::error(
                Rule::TokenAlgNotAllowed,
                format!("`alg: {alg_text}` is not a JWS signature algorithm scopectl knows"),
            )
            .help("expected one of RS256/384/512, PS256/384/512, ES256/384, EdDSA, HS256/384/512"),
        );
        return v;
    };
    if !allowed.contains(&alg) {
        v.message = format!("`{alg_text}` is not in the algorithm allowlist");
        v.findings.push(
            Finding::error(
                Rule::TokenAlgNotAllowed,
                format!("`alg: {alg_text}` is not in the allowlist ({})", alg_list(allowed)),
            )
            .help("a resource server pinned to these algorithms rejects this token; widen --alg only if the issuer really signs with it"),
        );
        return v;
    }
    let Some(keys) = keys else {
        v.status = Status::Unverified;
        v.message = "signature NOT verified: no key given (--key, --secret-file, --secret-env, --jwks or --discover --iss)".into();
        v.findings.push(
            Finding::warning(
                Rule::TokenUnverified,
                "the signature was NOT verified: do not trust these claims",
            )
            .help("verify with --jwks URL, --discover --iss URL, --key FILE, or --secret-file/--secret-env for HMAC"),
        );
        return v;
    };
    let is_hmac = alg.family() == AlgorithmFamily::Hmac;
    if is_hmac && !keys.has_secret() {
        v.message = format!(
            "algorithm confusion: `{alg_text}` (HMAC) with public key material from the {}",
            keys.origin
        );
        v.findings.push(
            Finding::error(
                Rule::TokenAlgConfusion,
                format!("the token claims `{alg_text}` (HMAC) but the key is public ({}): a verifier that used the public key as an HMAC secret would accept forgeries", keys.origin),
            )
            .help("this is the classic algorithm-confusion attack: the issuer signs with an asymmetric key; reject HMAC tokens wherever a public key is configured"),
        );
        return v;
    }
    if !is_hmac && !keys.has_public() {
        v.key_unusable = true;
        v.message = format!("`{alg_text}` needs a public key, but an HMAC secret was given");
        v.findings.push(
            Finding::error(
                Rule::TokenKeyMismatch,
                format!("the token is signed with `{alg_text}`, which an HMAC secret ({}) cannot verify", keys.origin),
            )
            .help("pass the issuer's public key with --key, --jwks or --discover --iss URL"),
        );
        return v;
    }
    let fitting: Vec<&Key> = keys.keys.iter().filter(|k| k.accepts(alg)).collect();
    // A `kid` selects among the keys of the token's kind that carry kids (a JWKS, oct
    // JWKs); keys without kids (a PEM file, a plain secret) are tried as they are.
    let same_kind = |k: &&Key| (k.family == AlgorithmFamily::Hmac) == is_hmac;
    let keyed = keys.keys.iter().filter(same_kind).any(|k| k.kid.is_some())
        || keys.skipped.iter().any(|s| s.kid.is_some());
    let candidates: Vec<&Key> = match d.kid() {
        Some(kid) if keyed => {
            let by_kid: Vec<&Key> = keys
                .keys
                .iter()
                .filter(same_kind)
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect();
            if by_kid.is_empty() {
                if let Some(skip) = keys.skipped.iter().find(|s| s.kid.as_deref() == Some(kid)) {
                    v.key_unusable = true;
                    v.message = format!(
                        "the key with kid {kid:?} in the {} is not used to verify signatures",
                        keys.origin
                    );
                    v.findings.push(
                        Finding::error(
                            Rule::TokenKeyUnusable,
                            format!(
                                "the token's kid {kid:?} names a key of the {} that cannot verify it: {}",
                                keys.origin, skip.text
                            ),
                        )
                        .help("a resource server with this JWKS rejects the token; the issuer should sign with a signature key (use=sig) it publishes"),
                    );
                    return v;
                }
                v.message = format!("no key with kid {kid:?} in the {}", keys.origin);
                let kids = keys.kids();
                v.findings.push(
                    Finding::error(
                        Rule::TokenUnknownKid,
                        format!("the token's kid {kid:?} is not in the {} (kids: {})", keys.origin,
                            if kids.is_empty() { "none".to_string() } else { kids.join(", ") }),
                    )
                    .help("the token was signed by another issuer or with a rotated-out key; a resource server with this JWKS answers 401"),
                );
                return v;
            }
            by_kid.into_iter().filter(|k| k.accepts(alg)).collect()
        }
        _ => fitting,
    };
    if candidates.is_empty() {
        v.key_unusable = true;
        let have: Vec<String> = keys.keys.iter().map(Key::describe).collect();
        v.message = format!("no key in the {} can verify `{alg_text}`", keys.origin);
        v.findings.push(
            Finding::error(
                Rule::TokenKeyMismatch,
                format!(
                    "the token is signed with `{alg_text}` but the {} holds {}",
                    keys.origin,
                    have.join(", ")
                ),
            )
            .help("give the key the issuer signs with"),
        );
        return v;
    }
    // The signature as jsonwebtoken expects it: canonical base64url without padding (a
    // token may carry `=` padding, which the decoder tolerates; ALB tokens do).
    let sig = super::b64url(&d.signature);
    let sig = sig.as_str();
    let input = d.signing_input();
    let mut errors = Vec::new();
    let mut mismatches = 0usize;
    // Why the signature cannot be one a candidate key makes, per key.
    let mut malformed: Vec<(String, String)> = Vec::new();
    for k in &candidates {
        // A signature that cannot be one of this key's (empty, or not the length the key
        // makes) is malformed: never compared, and a resource server rejects it.
        let want = k.signature_len(alg);
        if d.signature.is_empty() || want.is_some_and(|n| n != d.signature.len()) {
            malformed.push((k.describe(), wrong_length(alg_text, &d.signature, want)));
            continue;
        }
        let ok = match k.verify_fast(alg, input, &d.signature) {
            Some(ok) => Ok(ok),
            // Last line of defence: a panic inside the crypto backend on hostile key
            // material must not take the process down.
            None => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                jsonwebtoken::crypto::verify(sig, input, &k.key, alg)
            }))
            .unwrap_or_else(|_| Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into())),
        };
        match ok {
            Ok(true) => {
                v.status = Status::Verified;
                v.message = format!("signature verified: {alg_text} with the {}", k.label);
                v.key = Some(k.label.clone());
                if let Some(weak) = k.weakness(alg) {
                    v.findings.push(
                        Finding::error(
                            Rule::TokenWeakKey,
                            format!("the token verifies, but with {weak}: such keys can be broken or guessed"),
                        )
                        .help("rotate to an RSA key of 2048 bits or more (or an EC/Ed25519 key), or a random HMAC secret at least as long as the hash"),
                    );
                }
                return v;
            }
            Ok(false) => mismatches += 1,
            Err(e) => errors.push(format!("{}: {e}", k.describe())),
        }
    }
    let tried = format!(
        "{} from the {}",
        candidates
            .iter()
            .map(|k| k.describe())
            .collect::<Vec<_>>()
            .join(", "),
        keys.origin
    );
    if mismatches == 0 && errors.is_empty() {
        // Every key makes signatures of another length (or the signature is empty): the
        // signature is malformed. Not forged, not a key problem: a resource server with
        // these keys rejects it, whatever it holds.
        let reason = match &malformed[..] {
            [(_, only), rest @ ..] if rest.iter().all(|(_, r)| r == only) => only.clone(),
            all => all
                .iter()
                .map(|(key, r)| format!("{key}: {r}"))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let help = match alg.family() {
            AlgorithmFamily::Ec => "a resource server answers 401; check that the token was copied whole and that the signer emits JOSE signatures: the raw R||S, not DER (RFC 7518 §3.4)",
            _ => "a resource server answers 401; check that the token was copied whole (a log line or a header limit may cut it) and that its signature part was not removed",
        };
        v.status = Status::Invalid;
        v.message = format!("signature INVALID: the signature is malformed: {reason}");
        v.findings.push(
            Finding::error(
                Rule::TokenSignatureMalformed,
                format!("the {alg_text} signature is malformed ({tried}): {reason}"),
            )
            .help(help),
        );
        v.key = Some(tried);
        return v;
    }
    // Some keys could not be compared with: their reasons go with the others'.
    errors.extend(malformed.into_iter().map(|(key, r)| format!("{key}: {r}")));
    if mismatches == 0 {
        // No key said "does not match", and one failed on its own: that is not a forged
        // token, it is a signature that could not be checked.
        v.status = Status::Unverified;
        v.key_unusable = true;
        v.message = format!(
            "signature could NOT be checked: {alg_text} with the {} failed: {}",
            keys.origin,
            errors.join("; ")
        );
        v.findings.push(
            Finding::error(
                Rule::TokenKeyUnusable,
                format!(
                    "the signature could not be checked with the {} ({}); this says nothing about whether the token is genuine",
                    keys.origin,
                    errors.join("; ")
                ),
            )
            .help("check the key (its type, curve and size) and the token's signature part; a resource server with this key would reject the token"),
        );
        return v;
    }
    v.status = Status::Invalid;
    v.key = Some(tried);
    v.message = format!(
        "signature INVALID: {alg_text} does not verify with the {}",
        v.key.as_deref().unwrap_or_default()
    );
    let mut f = Finding::error(
        Rule::TokenSignatureInvalid,
        format!(
            "the signature does not match ({alg_text}, {}): the token was altered or signed with another key",
            v.key.as_deref().unwrap_or_default()
        ),
    )
    .help("a resource server answers 401; check that the token is complete and comes from the expected issuer");
    for e in errors {
        f = f.note(e);
    }
    v.findings.push(f);
    v
}

/// Why a signature of `got.len()` bytes cannot be an `alg` signature of `want` bytes
/// (`None`: the length is not known, only an empty one is known wrong): it is empty (the
/// signature was stripped), probably truncated, or, for ECDSA, it looks DER-encoded (what
/// many libraries and KMS APIs return) rather than JOSE's raw R||S.
fn wrong_length(alg: &str, got: &[u8], want: Option<usize>) -> String {
    let needs = |want: Option<usize>| match want {
        Some(n) => format!("{alg} with this key needs {n} bytes"),
        None => format!("{alg} needs one"),
    };
    if got.is_empty() {
        return format!("it is empty: the signature was stripped ({})", needs(want));
    }
    let Some(want) = want else {
        return format!(
            "it is {} bytes, which {alg} with this key cannot make",
            got.len()
        );
    };
    let mut why = format!("it is {} bytes, where {}", got.len(), needs(Some(want)));
    let ecdsa = alg.starts_with("ES");
    if ecdsa && der_header(got, 0x30).is_some_and(|(h, len)| h.checked_add(len) == Some(got.len()))
    {
        why.push_str(&format!(
            ": it looks DER-encoded (an ASN.1 SEQUENCE of two INTEGERs), and JOSE wants the raw {want}-byte R||S (RFC 7518 §3.4)"
        ));
    } else if got.len() < want {
        why.push_str(": it was probably truncated");
    }
    why
}

fn alg_list(algs: &[Algorithm]) -> String {
    algs.iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
