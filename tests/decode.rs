//! `scopectl decode` end to end: tokens signed in the tests with real keys generated at run
//! time (RSA, EC P-256/P-384, Ed25519, HMAC), a JWKS and an OpenID configuration served
//! over HTTP on 127.0.0.1 by the test itself, and malformed input of every kind.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use predicates::prelude::*;
use serde_json::{json, Value};

/// 2026-11-25T12:00:00Z: the clock of every test (`--now`).
const NOW: i64 = 1_795_608_000;
const NOW_ARG: &str = "2026-11-25T12:00:00Z";
const ISS: &str = "https://id.example.com/realms/shop";

fn registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scopes")
}

/// A key pair: private PEM to sign, public PEM to verify.
struct Pair {
    private: String,
    public: String,
}

fn rsa_pair() -> &'static Pair {
    static K: OnceLock<Pair> = OnceLock::new();
    K.get_or_init(|| {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        Pair {
            private: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            public: key
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        }
    })
}

fn rsa_pair2() -> &'static Pair {
    static K: OnceLock<Pair> = OnceLock::new();
    K.get_or_init(|| {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        Pair {
            private: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            public: key
                .to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        }
    })
}

fn p256_pair() -> Pair {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = p256::SecretKey::random(&mut rand::thread_rng());
    Pair {
        private: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        public: key.public_key().to_public_key_pem(LineEnding::LF).unwrap(),
    }
}

fn p384_pair() -> Pair {
    use p384::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let key = p384::SecretKey::random(&mut rand::thread_rng());
    Pair {
        private: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        public: key.public_key().to_public_key_pem(LineEnding::LF).unwrap(),
    }
}

fn ed_pair() -> Pair {
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    Pair {
        private: key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        public: key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    }
}

fn encoding_key(alg: Algorithm, private_pem: &str) -> EncodingKey {
    match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(private_pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(private_pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(private_pem.as_bytes()),
    }
    .unwrap()
}

/// Claims of a healthy access token at `NOW` for shop-frontend.
fn good_claims() -> Value {
    json!({
        "iss": ISS,
        "sub": "user-42",
        "aud": "orders-api",
        "azp": "shop-frontend",
        "scope": "orders:read orders:write",
        "iat": NOW - 60,
        "exp": NOW + 14 * 60,
    })
}

fn sign(alg: Algorithm, private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_string);
    encode(&h, claims, &encoding_key(alg, private_pem)).unwrap()
}

fn sign_hs(secret: &[u8], claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    scopectl::token::b64url(bytes)
}

fn unsigned(header: &str, claims: &Value) -> String {
    format!(
        "{}.{}.",
        b64(header.as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// `scopectl decode` in an empty directory (no registry picked up by accident).
fn decode(dir: &tempfile::TempDir) -> Command {
    let mut c = Command::cargo_bin("scopectl").unwrap();
    c.current_dir(dir.path())
        .arg("decode")
        .arg("--now")
        .arg(NOW_ARG);
    c
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn run_json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.arg("--format").arg("json").output().unwrap();
    (out.status.code().unwrap(), json_of(&out.stdout))
}

fn jwks(keys: &[(&str, Algorithm, &str)]) -> String {
    let keys = keys
        .iter()
        .map(|(kid, alg, private)| {
            let mut jwk = Jwk::from_encoding_key(&encoding_key(*alg, private), *alg).unwrap();
            jwk.common.key_id = Some(kid.to_string());
            jwk
        })
        .collect();
    serde_json::to_string(&JwkSet { keys }).unwrap()
}

/// A tiny HTTP server on 127.0.0.1 serving fixed bodies by path. Returns its base URL.
fn serve(routes: Vec<(String, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    serve_listener(listener, routes);
    base
}

// ---------------------------------------------------------------------------------------
// Decoding and output

#[test]
fn unverified_token_says_so_on_the_first_line_and_shows_everything() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"s3cret", &good_claims());
    let out = decode(&dir).arg(&token).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.contains("signature NOT verified"), "{text}");
    assert!(text.contains("\"azp\": \"shop-frontend\""), "{text}");
    assert!(
        text.contains("exp        2026-11-25T12:14:00Z  expires in 14 min"),
        "{text}"
    );
    assert!(
        text.contains("iat        2026-11-25T11:59:00Z  issued 1 min ago"),
        "{text}"
    );
    assert!(text.contains("orders:read"), "{text}");
    assert!(text.contains("of 8192 bytes"), "{text}");
    assert!(text.contains("warning[token/unverified]"), "{text}");
}

#[test]
fn token_is_read_from_stdin_bearer_lines_and_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"s3cret", &good_claims());
    for input in [
        format!("{token}\n"),
        format!("Authorization: Bearer {token}\r\n"),
        format!("  \"{token}\"  "),
        format!("bearer '{token}'"),
    ] {
        let (code, doc) = run_json(decode(&dir).arg("-").write_stdin(input.clone()));
        assert_eq!(code, 0, "{input}");
        assert_eq!(doc["claims"]["sub"], "user-42");
    }
    let (code, doc) = run_json(decode(&dir).arg(format!("Authorization: Bearer {token}")));
    assert_eq!(code, 0);
    assert_eq!(doc["size"]["token_bytes"], token.len());
    assert_eq!(doc["size"]["header_bytes"], token.len() + 22);
}

#[test]
fn scopes_show_registry_description_and_sensitivity() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["azp"] = json!("fleet-ops");
    claims["scope"] = json!("devices:read system:reboot");
    claims["auth_time"] = json!(NOW - 60);
    let token = sign_hs(b"s3cret", &claims);
    let out = decode(&dir)
        .arg("--registry")
        .arg(registry())
        .arg(&token)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Scopes (client fleet-ops)"), "{text}");
    assert!(
        text.contains("system:reboot  critical  Reboot a field device  [step-up]"),
        "{text}"
    );
    assert!(
        text.contains("devices:read   low       List devices and their status"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn list_rules_names_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let out = decode(&dir).arg("--list-rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "token/alg-none",
        "token/alg-confusion",
        "token/step-up-stale",
    ] {
        assert!(text.contains(id), "{text}");
    }
}

// ---------------------------------------------------------------------------------------
// Verification

#[test]
fn each_asymmetric_algorithm_verifies_with_its_pem_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let rsa = rsa_pair();
    let p256 = p256_pair();
    let p384 = p384_pair();
    let ed = ed_pair();
    let cases: Vec<(Algorithm, &Pair)> = vec![
        (Algorithm::RS256, rsa),
        (Algorithm::RS384, rsa),
        (Algorithm::RS512, rsa),
        (Algorithm::PS256, rsa),
        (Algorithm::PS512, rsa),
        (Algorithm::ES256, &p256),
        (Algorithm::ES384, &p384),
        (Algorithm::EdDSA, &ed),
    ];
    for (alg, pair) in cases {
        let key = file(&dir, &format!("{alg:?}.pub.pem"), &pair.public);
        let token = sign(alg, &pair.private, None, &good_claims());
        let (code, doc) = run_json(decode(&dir).arg("--key").arg(&key).arg(&token));
        assert_eq!(doc["signature"]["status"], "verified", "{alg:?}: {doc}");
        assert_eq!(doc["valid"], true, "{alg:?}");
        assert_eq!(code, 0, "{alg:?}");
    }
}

#[test]
fn verified_token_prints_a_verified_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    decode(&dir)
        .arg("--key")
        .arg(&key)
        .arg(&token)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("✓ signature verified: RS256"))
        .stdout(predicate::str::contains("Result: valid"));
}

#[test]
fn tampered_token_is_invalid_but_its_claims_are_still_shown() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = good_claims();
    claims["scope"] = json!("orders:read orders:write orders:refund");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    let (code, doc) = run_json(decode(&dir).arg("--key").arg(&key).arg(&forged));
    assert_eq!(code, 1);
    assert_eq!(doc["signature"]["status"], "invalid");
    assert!(codes(&doc).contains(&"token/signature-invalid".to_string()));
    assert_eq!(
        doc["claims"]["scope"],
        "orders:read orders:write orders:refund"
    );

    // Signed with another key.
    let other = sign(Algorithm::RS256, &rsa_pair2().private, None, &good_claims());
    let (code, _) = run_json(decode(&dir).arg("--key").arg(&key).arg(&other));
    assert_eq!(code, 1);
}

#[test]
fn hmac_verifies_with_a_secret_from_a_file_or_the_environment_only() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"s3cret-value-long-enough-for-hs256", &good_claims());
    let secret = file(&dir, "secret", "s3cret-value-long-enough-for-hs256\n");
    let (code, doc) = run_json(decode(&dir).arg("--secret-file").arg(&secret).arg(&token));
    assert_eq!(
        (code, doc["signature"]["status"].as_str()),
        (0, Some("verified"))
    );
    let (code, doc) = run_json(
        decode(&dir)
            .env("TEST_JWT_SECRET", "s3cret-value-long-enough-for-hs256")
            .arg("--secret-env")
            .arg("TEST_JWT_SECRET")
            .arg(&token),
    );
    assert_eq!(
        (code, doc["signature"]["status"].as_str()),
        (0, Some("verified"))
    );
    let (code, doc) = run_json(
        decode(&dir)
            .env("TEST_JWT_SECRET", "wrong")
            .arg("--secret-env")
            .arg("TEST_JWT_SECRET")
            .arg(&token),
    );
    assert_eq!(
        (code, doc["signature"]["status"].as_str()),
        (1, Some("invalid"))
    );
    // The secret never appears in output.
    let out = decode(&dir)
        .env("TEST_JWT_SECRET", "wrong")
        .arg("--secret-env")
        .arg("TEST_JWT_SECRET")
        .arg(&token)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wrong"));
    // Unset variable: the command cannot do its job.
    decode(&dir)
        .env_remove("NOPE_UNSET")
        .arg("--secret-env")
        .arg("NOPE_UNSET")
        .arg(&token)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "NOPE_UNSET (--secret-env) is not set",
        ));
    // There is no way to pass a secret in argv.
    decode(&dir)
        .arg("--secret")
        .arg("x")
        .arg(&token)
        .assert()
        .code(2);
}

#[test]
fn expired_token_is_reported_with_how_long_ago() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["iat"] = json!(NOW - 3 * 3600 - 600);
    claims["exp"] = json!(NOW - 3 * 3600);
    let token = sign_hs(b"k", &claims);
    let out = decode(&dir).arg(&token).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("expired 3 h ago"), "{text}");
    assert!(text.contains("error[token/expired]"), "{text}");
    // The same token an hour after it was issued, by the clock given with --now, is fine.
    let (code, doc) = run_json(
        Command::cargo_bin("scopectl")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "decode",
                "--now",
                &(NOW - 3 * 3600 - 300).to_string(),
                &token,
            ]),
    );
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn token_without_exp_is_no_exp_not_expired() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove("exp");
    let token = sign_hs(b"k", &claims);
    let secret = file(&dir, "s", "k");
    let (code, doc) = run_json(decode(&dir).arg("--secret-file").arg(&secret).arg(&token));
    assert_eq!(code, 1);
    let c = codes(&doc);
    assert!(c.contains(&"token/no-exp".to_string()), "{c:?}");
    assert!(!c.contains(&"token/expired".to_string()), "{c:?}");
    assert_eq!(doc["signature"]["status"], "verified");
}

#[test]
fn alg_none_is_an_error_and_never_valid() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let token = unsigned(r#"{"alg":"none","typ":"JWT"}"#, &good_claims());
    for extra in [vec![], vec!["--key".to_string(), key.clone()]] {
        let (code, doc) = run_json(decode(&dir).args(&extra).arg(&token));
        assert_eq!(code, 1, "{doc}");
        assert_eq!(doc["valid"], false);
        assert_eq!(doc["signature"]["status"], "refused");
        assert!(codes(&doc).contains(&"token/alg-none".to_string()));
    }
}

#[test]
fn keys_named_by_the_token_are_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    // Signed with another key, which the header points to.
    let mut h = Header::new(Algorithm::RS256);
    h.jku = Some("https://evil.example.com/jwks.json".into());
    let token = encode(
        &h,
        &good_claims(),
        &encoding_key(Algorithm::RS256, &rsa_pair2().private),
    )
    .unwrap();
    let (code, doc) = run_json(decode(&dir).arg("--key").arg(&key).arg(&token));
    assert_eq!(code, 1);
    assert_eq!(doc["signature"]["status"], "invalid");
    assert!(codes(&doc).contains(&"token/embedded-key".to_string()));
}

#[test]
fn hmac_token_with_a_public_key_is_algorithm_confusion() {
    let dir = tempfile::tempdir().unwrap();
    let public = rsa_pair().public.clone();
    let key = file(&dir, "k.pem", &public);
    // The attack: sign HS256 with the public key's PEM bytes as the secret.
    let token = sign_hs(public.as_bytes(), &good_claims());
    let (code, doc) = run_json(decode(&dir).arg("--key").arg(&key).arg(&token));
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["signature"]["status"], "refused");
    assert!(codes(&doc).contains(&"token/alg-confusion".to_string()));
    // A PEM key passed as an HMAC secret is refused outright.
    decode(&dir)
        .arg("--secret-file")
        .arg(&key)
        .arg(&token)
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "holds a PEM key, not an HMAC secret",
        ));
}

#[test]
fn wrong_kind_of_key_is_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let secret = file(&dir, "s", "k");
    let (code, doc) = run_json(decode(&dir).arg("--secret-file").arg(&secret).arg(&token));
    assert_eq!(code, 2);
    assert!(codes(&doc).contains(&"token/key-mismatch".to_string()));
    // A private key is not accepted as --key.
    let private = file(&dir, "priv.pem", &rsa_pair().private);
    decode(&dir)
        .arg("--key")
        .arg(&private)
        .arg(&token)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("private key"));
    // Not a PEM at all.
    let junk = file(&dir, "junk.pem", "hello");
    decode(&dir)
        .arg("--key")
        .arg(&junk)
        .arg(&token)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("not a PEM file"));
}

#[test]
fn ec_key_of_the_wrong_curve_is_a_key_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let p256 = p256_pair();
    let p384 = p384_pair();
    let key = file(&dir, "p256.pem", &p256.public);
    let token = sign(Algorithm::ES384, &p384.private, None, &good_claims());
    let (code, doc) = run_json(decode(&dir).arg("--key").arg(&key).arg(&token));
    assert_eq!(code, 2, "{doc}");
    assert!(codes(&doc).contains(&"token/key-mismatch".to_string()));
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("EC P-256 public key"));
}

#[test]
fn algorithm_allowlist_refuses_other_algorithms() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let token = sign(Algorithm::RS512, &rsa_pair().private, None, &good_claims());
    let (code, doc) = run_json(decode(&dir).args(["--alg", "RS256,ES256", "--key", &key, &token]));
    assert_eq!(code, 1);
    assert!(codes(&doc).contains(&"token/alg-not-allowed".to_string()));
    decode(&dir)
        .args(["--alg", "none", &token])
        .assert()
        .code(2);
}

#[test]
fn jwks_file_selects_the_key_by_kid_and_reports_an_unknown_kid() {
    let dir = tempfile::tempdir().unwrap();
    let set = jwks(&[
        ("old", Algorithm::RS256, &rsa_pair2().private),
        ("new", Algorithm::RS256, &rsa_pair().private),
    ]);
    let path = file(&dir, "jwks.json", &set);
    let token = sign(
        Algorithm::RS256,
        &rsa_pair().private,
        Some("new"),
        &good_claims(),
    );
    let (code, doc) = run_json(decode(&dir).arg("--jwks").arg(&path).arg(&token));
    assert_eq!(code, 0, "{doc}");
    assert!(doc["signature"]["key"]
        .as_str()
        .unwrap()
        .contains("kid=\"new\""));

    let wrong = sign(
        Algorithm::RS256,
        &rsa_pair().private,
        Some("gone"),
        &good_claims(),
    );
    let (code, doc) = run_json(decode(&dir).arg("--jwks").arg(&path).arg(&wrong));
    assert_eq!(code, 1);
    assert!(codes(&doc).contains(&"token/unknown-kid".to_string()));
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("old, new"));

    // Right kid, wrong key: invalid.
    let lying = sign(
        Algorithm::RS256,
        &rsa_pair2().private,
        Some("new"),
        &good_claims(),
    );
    let (code, doc) = run_json(decode(&dir).arg("--jwks").arg(&path).arg(&lying));
    assert_eq!(
        (code, doc["signature"]["status"].as_str()),
        (1, Some("invalid"))
    );
}

#[test]
fn hostile_jwks_keys_are_skipped_not_crashed_on() {
    let dir = tempfile::tempdir().unwrap();
    let set = json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "short"},
        {"kty": "oct", "k": "c2VjcmV0", "kid": "sym"},
        {"kty": "RSA", "n": "", "e": "AQAB", "use": "enc", "kid": "enc"}
    ]});
    let path = file(&dir, "jwks.json", &set.to_string());
    let token = sign(
        Algorithm::EdDSA,
        &ed_pair().private,
        Some("short"),
        &good_claims(),
    );
    let out = decode(&dir)
        .arg("--jwks")
        .arg(&path)
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("no usable signature verification key"),
        "{text}"
    );
    assert!(text.contains("32 bytes"), "{text}");
    assert!(text.contains("symmetric (oct) key"), "{text}");
    assert!(text.contains("use=enc"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn jwks_url_is_fetched_over_http_only_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let set = jwks(&[("k1", Algorithm::RS256, &rsa_pair().private)]);
    let base = serve(vec![("/jwks".into(), set)]);
    let token = sign(
        Algorithm::RS256,
        &rsa_pair().private,
        Some("k1"),
        &good_claims(),
    );
    let url = format!("{base}/jwks");
    let (code, doc) = run_json(decode(&dir).args(["--insecure-http", "--jwks", &url, &token]));
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["signature"]["status"], "verified");
    // Plain http to a loopback host is allowed without the flag (the shared rule of
    // scopectl::net::check_transport) ...
    let (code, doc) = run_json(decode(&dir).args(["--jwks", &url, &token]));
    assert_eq!(code, 0, "{doc}");
    // ... to any other host only with --insecure-http (refused before any request).
    decode(&dir)
        .args(["--jwks", "http://keys.example.invalid/jwks", &token])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "plain http to `keys.example.invalid`",
        ))
        .stdout(predicate::str::contains("--insecure-http"));
}

#[test]
fn redirects_are_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let set = jwks(&[("k1", Algorithm::RS256, &rsa_pair().private)]);
    let target = serve(vec![("/jwks".into(), set)]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let location = format!("{target}/jwks");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    let token = sign(
        Algorithm::RS256,
        &rsa_pair().private,
        Some("k1"),
        &good_claims(),
    );
    decode(&dir)
        .args(["--jwks", &format!("{base}/jwks"), &token])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("302 redirect"))
        .stdout(predicate::str::contains("to host `127.0.0.1`"))
        .stdout(predicate::str::contains("not followed"));
}

#[test]
fn discover_fetches_the_openid_configuration_and_jwks() {
    let dir = tempfile::tempdir().unwrap();
    let (issuer, set_pair) = serve_issuer();
    let mut claims = good_claims();
    claims["iss"] = json!(issuer);
    let token = sign(Algorithm::ES256, &set_pair.private, Some("k1"), &claims);
    let (code, doc) =
        run_json(decode(&dir).args(["--discover", "--insecure-http", "--iss", &issuer, &token]));
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["signature"]["status"], "verified");
    // Without --insecure-http a loopback http issuer is allowed, any other refused.
    let (code, doc) = run_json(decode(&dir).args(["--discover", "--iss", &issuer, &token]));
    assert_eq!(code, 0, "{doc}");
    decode(&dir)
        .args(["--discover", "--iss", "http://idp.example.invalid", &token])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "plain http to `idp.example.invalid`",
        ));
    // A configuration that names another issuer is refused.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let evil = format!("http://{}", listener.local_addr().unwrap());
    serve_listener(
        listener,
        vec![(
            "/.well-known/openid-configuration".into(),
            json!({"issuer": issuer, "jwks_uri": format!("{issuer}/certs")}).to_string(),
        )],
    );
    decode(&dir)
        .args(["--discover", "--insecure-http", "--iss", &evil, &token])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("refusing its keys"));
    // Pinned with --iss (a trailing slash is the same issuer): keys come from --iss.
    let (code, doc) = run_json(decode(&dir).args([
        "--discover",
        "--insecure-http",
        "--iss",
        &format!("{issuer}/"),
        &token,
    ]));
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn discover_never_trusts_the_issuer_named_by_the_unverified_token() {
    let dir = tempfile::tempdir().unwrap();
    // An attacker's server: its own configuration and JWKS, and a token naming it.
    let (evil, evil_pair) = serve_issuer();
    let mut claims = good_claims();
    claims["iss"] = json!(evil);
    let token = sign(Algorithm::ES256, &evil_pair.private, Some("k1"), &claims);
    for format in ["human", "json"] {
        let out = decode(&dir)
            .args(["--discover", "--insecure-http", "--format", format, &token])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!stdout.contains("verified"), "{stdout}");
        assert!(!stdout.contains("\"valid\": true"), "{stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--discover needs --iss"), "{stderr}");
        assert!(stderr.contains(&evil), "{stderr}");
    }
    // A token without `iss` is refused the same way.
    let mut no_iss = good_claims();
    no_iss.as_object_mut().unwrap().remove("iss");
    let token2 = sign(Algorithm::ES256, &evil_pair.private, Some("k1"), &no_iss);
    decode(&dir)
        .args(["--discover", "--insecure-http", &token2])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the token has no `iss`"));
    // --iss pins another issuer: the token's server is never asked, its iss is a mismatch.
    let (good, _good_pair) = serve_issuer();
    let (code, doc) =
        run_json(decode(&dir).args(["--discover", "--insecure-http", "--iss", &good, &token]));
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["valid"], false);
    assert!(
        codes(&doc).contains(&"token/iss-mismatch".to_string()),
        "{doc}"
    );
    // An issuer named by a target of the registry is trusted without --iss.
    let base = evil.trim_end_matches("/realms/shop");
    let reg = tempfile::tempdir().unwrap();
    std::fs::write(
        reg.path().join("scopectl.toml"),
        format!(
            "[targets.idp]\nkind = \"keycloak\"\nurl = \"{base}/\"\nrealm = \"shop\"\nclient_id = \"scopectl\"\nclient_secret_env = \"X\"\n"
        ),
    )
    .unwrap();
    let reg_path = reg.path().to_string_lossy().into_owned();
    let plain = sign(
        Algorithm::ES256,
        &evil_pair.private,
        Some("k1"),
        &json!({"iss": evil, "aud": "orders-api", "iat": NOW - 60, "exp": NOW + 600}),
    );
    let (code, doc) = run_json(decode(&dir).args([
        "--discover",
        "--insecure-http",
        "--registry",
        &reg_path,
        &plain,
    ]));
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["signature"]["status"], "verified");
    decode(&dir)
        .args([
            "--discover",
            "--insecure-http",
            "--registry",
            &reg_path,
            &plain,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "trusted because the registry's target `idp` names it",
        ));
}

/// An issuer on 127.0.0.1 whose configuration names its own JWKS.
fn serve_issuer() -> (String, Pair) {
    let pair = p256_pair();
    let set = jwks(&[("k1", Algorithm::ES256, &pair.private)]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let issuer = format!("{base}/realms/shop");
    let routes = vec![
        (
            "/realms/shop/.well-known/openid-configuration".to_string(),
            json!({"issuer": issuer, "jwks_uri": format!("{issuer}/certs")}).to_string(),
        ),
        ("/realms/shop/certs".to_string(), set),
    ];
    serve_listener(listener, routes);
    (issuer, pair)
}

fn serve_listener(listener: TcpListener, routes: Vec<(String, String)>) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let req = String::from_utf8_lossy(&buf);
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = match routes.iter().find(|(p, _)| *p == path) {
                Some((_, b)) => ("200 OK", b.clone()),
                None => ("404 Not Found", "{}".to_string()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
}

#[test]
fn unreachable_key_server_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut claims = good_claims();
    claims["iss"] = json!(base);
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let out = decode(&dir)
        .args([
            "--discover",
            "--insecure-http",
            "--iss",
            &base,
            "--timeout",
            "3s",
            &token,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("cannot fetch the OpenID configuration"),
        "{text}"
    );
    // Claims are still shown.
    assert!(text.contains("\"sub\": \"user-42\""), "{text}");
    // A 404 names the status.
    let base = serve(vec![]);
    decode(&dir)
        .args(["--insecure-http", "--jwks", &format!("{base}/nope"), &token])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("HTTP 404"));
}

// ---------------------------------------------------------------------------------------
// Findings

#[test]
fn registry_findings_undefined_not_granted_expired_grant_and_stale_step_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["azp"] = json!("fleet-ops");
    claims["scope"] = json!("devices:read system:reboot orders:read telemetry:delete openid");
    claims["auth_time"] = json!(NOW - 3600);
    let token = sign_hs(b"k", &claims);
    let (code, doc) = run_json(decode(&dir).arg("--registry").arg(registry()).arg(&token));
    assert_eq!(code, 1);
    let c = codes(&doc);
    assert!(c.contains(&"token/undefined-scope".to_string()), "{c:?}");
    assert!(c.contains(&"token/scope-not-granted".to_string()), "{c:?}");
    assert!(c.contains(&"token/step-up-stale".to_string()), "{c:?}");
    let scopes = doc["scopes"].as_array().unwrap();
    assert_eq!(scopes[1]["sensitivity"], "critical");
    assert_eq!(scopes[1]["step_up"], true);
    assert_eq!(scopes[1]["granted"], true);
    assert_eq!(scopes[3]["defined"], false);
    // `openid` is not flagged as not granted.
    let not_granted: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/scope-not-granted")
        .collect();
    // One finding per cause: the undefined telemetry:delete is `token/undefined-scope`
    // only, not also "not granted".
    assert_eq!(not_granted.len(), 1, "{not_granted:?}");
    let about_delete: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap_or("")
                .contains("telemetry:delete")
        })
        .collect();
    assert_eq!(about_delete.len(), 1, "{about_delete:?}");

    // fleet-ops' grant of system:reboot ends 2036-12-19.
    let mut claims = claims.clone();
    let later = 2_114_380_800; // 2037-01-01
    claims["iat"] = json!(later - 60);
    claims["exp"] = json!(later + 600);
    claims["auth_time"] = json!(later - 60);
    claims["scope"] = json!("system:reboot");
    let token = sign_hs(b"k", &claims);
    let (code, doc) = run_json(
        Command::cargo_bin("scopectl")
            .unwrap()
            .current_dir(dir.path())
            .args(["decode", "--now", "2037-01-01T00:00:00Z", "--registry"])
            .arg(registry())
            .arg(&token),
    );
    assert_eq!(code, 1);
    assert_eq!(codes(&doc)[0], "token/grant-expired", "{doc}");
}

#[test]
fn openid_scopes_of_the_issuer_are_neither_undefined_nor_ungranted() {
    // Keycloak puts `profile email` into every token of a client with the realm's
    // default scopes; the registry does not define them and must not flag them.
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["scope"] = json!("openid profile email orders:read");
    let token = sign_hs(b"k", &claims);
    let (code, doc) = run_json(decode(&dir).arg("--registry").arg(registry()).arg(&token));
    let c = codes(&doc);
    assert!(!c.contains(&"token/undefined-scope".to_string()), "{doc:#}");
    assert!(
        !c.contains(&"token/scope-not-granted".to_string()),
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["errors"], 0, "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["scopes"][1]["scope"], "profile");
    assert_eq!(doc["scopes"][1]["defined"], false);
    assert_eq!(doc["scopes"][3]["granted"], true);
    // A scope outside the OpenID set is still undefined.
    claims["scope"] = json!("profile orders:bogus");
    let token = sign_hs(b"k", &claims);
    let (code, doc) = run_json(decode(&dir).arg("--registry").arg(registry()).arg(&token));
    assert_eq!(code, 1);
    let undefined: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/undefined-scope")
        .collect();
    assert_eq!(undefined.len(), 1, "{doc:#}");
    assert!(undefined[0]["message"]
        .as_str()
        .unwrap()
        .contains("orders:bogus"));
}

#[test]
fn registry_in_the_current_directory_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scopes")).unwrap();
    std::fs::write(
        dir.path().join("scopes/a.toml"),
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"t\"\nsensitivity = \"low\"\n",
    )
    .unwrap();
    let token = sign_hs(b"k", &good_claims());
    let (_, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!(doc["scopes"][0]["description"], "Read orders");
    assert_eq!(doc["scopes"][1]["defined"], false);
}

#[test]
fn broken_registry_given_with_registry_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scopes")).unwrap();
    std::fs::write(
        dir.path().join("scopes/a.toml"),
        "[scopes.\"x:y\"]\nbogus = 1\n",
    )
    .unwrap();
    let token = sign_hs(b"k", &good_claims());
    decode(&dir)
        .arg("--registry")
        .arg(dir.path())
        .arg(&token)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not load"));
}

#[test]
fn time_findings_show_the_skew() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["nbf"] = json!(NOW + 600);
    claims["iat"] = json!(NOW + 600);
    claims["exp"] = json!(NOW + 900);
    let token = sign_hs(b"k", &claims);
    let (code, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!(code, 1);
    let c = codes(&doc);
    assert!(c.contains(&"token/not-yet-valid".to_string()));
    assert!(c.contains(&"token/iat-future".to_string()));
    let msg = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "token/not-yet-valid")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("in 10 min") && msg.contains("60 s clock-skew"),
        "{msg}"
    );

    // Lifetime beyond policy (15 min by default) is a warning.
    let mut claims = good_claims();
    claims["exp"] = json!(NOW + 3600);
    let (code, doc) = run_json(decode(&dir).arg(sign_hs(b"k", &claims)));
    assert_eq!(code, 0);
    assert!(codes(&doc).contains(&"token/lifetime".to_string()));

    // A time claim that is not a number.
    let mut claims = good_claims();
    claims["exp"] = json!("tomorrow");
    let (code, doc) = run_json(decode(&dir).arg(sign_hs(b"k", &claims)));
    assert_eq!(code, 1);
    assert!(codes(&doc).contains(&"token/invalid-claim".to_string()));
}

#[test]
fn iss_aud_size_and_pii_findings() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"k", &good_claims());
    let (code, doc) = run_json(decode(&dir).args([
        "--iss",
        "https://other.example.com",
        "--aud",
        "billing-api",
        &token,
    ]));
    assert_eq!(code, 1);
    let c = codes(&doc);
    assert!(c.contains(&"token/iss-mismatch".to_string()));
    assert!(c.contains(&"token/aud-mismatch".to_string()));
    let (code, _) = run_json(decode(&dir).args(["--iss", ISS, "--aud", "orders-api", &token]));
    assert_eq!(code, 0);
    // Several accepted audiences: one match is enough.
    let (code, _) =
        run_json(decode(&dir).args(["--aud", "billing-api", "--aud", "orders-api", &token]));
    assert_eq!(code, 0);

    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove("iss");
    claims["email"] = json!("a@example.com");
    claims["padding"] = json!("x".repeat(9000));
    let (code, doc) = run_json(
        decode(&dir)
            .args(["--iss", ISS])
            .arg(sign_hs(b"k", &claims)),
    );
    assert_eq!(code, 1);
    let c = codes(&doc);
    for want in ["token/iss-missing", "token/oversize", "token/pii"] {
        assert!(c.contains(&want.to_string()), "{want}: {c:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Malformed and non-JWS input

#[test]
fn malformed_input_names_the_part_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let h = b64(br#"{"alg":"HS256"}"#);
    let p = b64(br#"{"sub":"a"}"#);
    let cases: Vec<(String, &str, Option<&str>, &str)> = vec![
        (format!("{h}.{p}"), "input/parts", None, "found 2"),
        (format!("{h}.{p}.x.y"), "input/parts", None, "found 4"),
        (
            format!("e+J.{p}.c2ln"),
            "input/base64",
            Some("header"),
            "standard base64",
        ),
        (
            format!("{h}.{p}!.c2ln"),
            "input/base64",
            Some("payload"),
            "invalid character '!'",
        ),
        (
            format!("{h}.{p}.c2l!"),
            "input/base64",
            Some("signature"),
            "base64url",
        ),
        (
            format!("{h}.{}.c2ln", b64(b"{\"sub\":")),
            "input/json",
            Some("payload"),
            "not valid JSON",
        ),
        (
            format!("{}.{p}.c2ln", b64(b"[1,2]")),
            "input/not-object",
            Some("header"),
            "an array",
        ),
        (
            format!("{h}.{}.c2ln", b64(&[0xff, 0xfe])),
            "input/utf8",
            Some("payload"),
            "not UTF-8",
        ),
        (
            format!(".{p}.c2ln"),
            "input/empty-part",
            Some("header"),
            "header is empty",
        ),
        ("   ".to_string(), "input/empty", None, "empty"),
        ("Bearer ".to_string(), "input/empty", None, "empty"),
    ];
    for (input, code, part, text) in cases {
        let (exit, doc) = run_json(decode(&dir).arg(&input));
        assert_eq!(exit, 2, "{input}");
        assert_eq!(doc["error"]["code"], code, "{input}: {doc}");
        assert_eq!(doc["error"]["part"].as_str(), part, "{input}");
        let msg = doc["error"]["message"].as_str().unwrap().to_string()
            + doc["error"]["help"].as_str().unwrap_or("");
        assert!(msg.contains(text), "{input}: {msg}");
        // Human output says the same.
        decode(&dir)
            .arg(&input)
            .assert()
            .code(2)
            .stdout(predicate::str::contains(code));
    }
}

#[test]
fn jwe_and_opaque_tokens_are_recognised_not_broken() {
    let dir = tempfile::tempdir().unwrap();
    let jwe = format!(
        "{}.{}.{}.{}.{}",
        b64(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#),
        "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe",
        "48V1_ALb6US04U3b",
        "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji",
        "XFBoMYUZodetZdvTiFvSkQ"
    );
    let out = decode(&dir).arg(&jwe).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("encrypted token (JWE"), "{text}");
    assert!(text.contains("A256GCM"), "{text}");
    assert!(!text.contains("malformed"), "{text}");

    let out = decode(&dir)
        .arg("Bearer 2YotnFZFEjr1zCsicMWpAA")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("opaque token"), "{text}");
    assert!(text.contains("introspection"), "{text}");
}

#[test]
fn arbitrary_bytes_on_stdin_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    for input in [
        vec![0xff, 0x00, 0x2e, 0x2e],
        b"....".to_vec(),
        b"a.b.c".to_vec(),
        vec![b'.'; 10_000],
        "é.ü.ß".as_bytes().to_vec(),
    ] {
        let out = decode(&dir).arg("-").write_stdin(input).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

// ---------------------------------------------------------------------------------------
// --batch

#[test]
fn batch_writes_one_json_line_per_token() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let good = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let mut expired = good_claims();
    expired["exp"] = json!(NOW - 10);
    let expired = sign(Algorithm::RS256, &rsa_pair().private, None, &expired);
    let input = format!("{good}\n\nAuthorization: Bearer {expired}\nnot-a.jwt\n");
    let path = file(&dir, "tokens.txt", &input);
    let out = decode(&dir)
        .args(["--key", &key, "--batch", &path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["valid"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["signature"]["status"], "verified");
    assert_eq!(codes(&lines[1])[0], "token/expired");
    assert_eq!(lines[2]["line"], 4);
    assert_eq!(lines[2]["error"]["code"], "input/parts");

    // From stdin, all valid: exit 0.
    decode(&dir)
        .args(["--key", &key, "--batch", "-"])
        .write_stdin(format!("{good}\n{good}\n"))
        .assert()
        .success();
}

/// An RFC 7662 endpoint on 127.0.0.1 that answers every request with `answer`. Returns
/// its URL.
fn serve_introspection(answer: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/introspect", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            // The headers, then the form (Content-Length) read whole before answering.
            let (mut buf, mut chunk) = (Vec::new(), [0u8; 1024]);
            let end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break buf.len(),
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + length {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

/// `decode --introspect --batch` says on stderr, once, what `decode --batch` says there:
/// the `[rules]` levels decode does not apply.
#[test]
fn introspect_batch_prints_the_notes_batch_prints() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_in(
        &dir,
        "scopectl.toml",
        "[rules]\n\"token/expired\" = \"allow\"\n",
    );
    let reg = reg.to_string_lossy().into_owned();
    let answer = json!({"active": true, "iat": NOW - 60, "exp": NOW + 600});
    let url = serve_introspection(answer.to_string());
    let tokens = file(
        &dir,
        "tokens.txt",
        "2YotnFZFEjr1zCsicMWpAA\n\nmF_9.B5f-4.1JqM\n",
    );
    let note = r#"note: [rules] in scopectl.toml sets "token/expired" = "allow": ignored, it stays `deny`"#;
    let run = |introspect: bool| {
        let mut cmd = decode(&dir);
        cmd.args(["--registry", &reg, "--batch", &tokens]);
        if introspect {
            cmd.args(["--introspect", &url, "--client-id", "orders-api"])
                .args(["--client-secret-env", "SCOPECTL_TEST_RS_SECRET"])
                .env("SCOPECTL_TEST_RS_SECRET", "s3cret");
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        (out.status.code(), stdout, stderr)
    };
    let (code, stdout, stderr) = run(true);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stderr.matches(note).count(), 1, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[0]["signature"]["status"], "introspected", "{stdout}");
    assert!(!stdout.contains("ignored"), "never on the lines: {stdout}");
    // The same notes as without introspection.
    let (_, _, plain) = run(false);
    assert_eq!(stderr, plain);
}

#[test]
fn client_id_and_scp_array_are_read_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    let obj = claims.as_object_mut().unwrap();
    obj.remove("azp");
    obj.remove("scope");
    obj.insert("client_id".into(), json!("shop-frontend"));
    obj.insert("scp".into(), json!(["orders:read", "customers:read"]));
    let (code, doc) = run_json(
        decode(&dir)
            .arg("--registry")
            .arg(registry())
            .arg(sign_hs(b"k", &claims)),
    );
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["client"], "shop-frontend");
    assert_eq!(doc["scopes"][1]["scope"], "customers:read");
    assert_eq!(doc["scopes"][1]["granted"], true);

    claims["scp"] = json!([1, 2]);
    let (code, doc) = run_json(decode(&dir).arg(sign_hs(b"k", &claims)));
    assert_eq!(code, 1);
    assert!(codes(&doc).contains(&"token/invalid-claim".to_string()));
}

#[test]
fn colour_is_used_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"k", &good_claims());
    let plain = decode(&dir).arg(&token).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let coloured = decode(&dir)
        .args(["--color", "always", &token])
        .output()
        .unwrap();
    // Bold yellow, as termcolor writes it (bold and colour as two sequences).
    assert!(String::from_utf8_lossy(&coloured.stdout)
        .starts_with("\u{1b}[1m\u{1b}[33m⚠ signature NOT verified"));
}

/// A registry folder `reg` in `dir` with a `scopes/` folder and one file, `rel`.
fn registry_in(dir: &tempfile::TempDir, rel: &str, text: &str) -> std::path::PathBuf {
    let reg = dir.path().join("reg");
    std::fs::create_dir_all(reg.join("scopes")).unwrap();
    std::fs::write(reg.join(rel), text).unwrap();
    reg
}

#[test]
fn rule_levels_in_the_registry_apply_to_token_findings_but_not_to_genuineness() {
    let dir = tempfile::tempdir().unwrap();
    // A registry whose policy makes an unverified token an error and tries to silence
    // expiry (which decides acceptance, so keeps its level).
    let reg = registry_in(&dir, "scopectl.toml", "[rules]\n\"token/unverified\" = \"deny\"\n\"token/expired\" = \"allow\"\n\"token/alg-none\" = \"allow\"\n");
    let reg = reg.to_string_lossy().into_owned();
    let mut claims = good_claims();
    claims["exp"] = json!(NOW - 3600);
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let (code, doc) = run_json(decode(&dir).args(["--registry", &reg]).arg(&token));
    let found = codes(&doc);
    // What a resource server decides keeps its level: the token is still expired.
    assert!(found.contains(&"token/expired".to_string()), "{found:?}");
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "rejected");
    let unverified = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "token/unverified")
        .expect("token/unverified");
    assert_eq!(unverified["severity"], "error");
    assert_eq!(code, 1);
    // `alg: none` stays an error whatever [rules] says.
    let none = unsigned(r#"{"alg":"none"}"#, &good_claims());
    let (code, doc) = run_json(decode(&dir).args(["--registry", &reg]).arg(&none));
    assert_eq!(code, 1);
    assert!(codes(&doc).contains(&"token/alg-none".to_string()));
}

#[test]
fn terminal_control_characters_from_the_token_are_escaped_in_human_output() {
    let dir = tempfile::tempdir().unwrap();
    let fake = "\u{1b}[2J\u{1b}[H✓ signature verified\nResult: valid";
    let mut claims = good_claims();
    claims["azp"] = json!(fake);
    claims["scope"] = json!("orders:read \u{1b}[31mevil\u{9b}2J");
    claims["note"] = json!("rtl \u{202e}txt.exe and DEL \u{7f}");
    claims["exp"] = json!(NOW - 3600);
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let token = sign(Algorithm::RS256, &rsa_pair().private, Some(fake), &claims);
    let reg = registry();
    let out = decode(&dir)
        .args(["--key", &key, "--registry", reg.to_str().unwrap(), &token])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for bad in ['\u{1b}', '\u{9b}', '\u{202e}', '\u{7f}'] {
        assert!(!text.contains(bad), "{bad:?} printed raw:\n{text}");
    }
    // Visible escapes instead, in the client, the scopes, the kid and the findings.
    assert!(text.contains("(client \\u{1b}[2J"), "{text}");
    assert!(text.contains("  \\u{1b}[31mevil\\u{9b}2J"), "{text}");
    assert!(
        text.contains("kid=\"\\u{1b}[2J") || text.contains("\\u{1b}[2J\\u{1b}[H"),
        "{text}"
    );
    assert!(text.contains("scope `\\u{1b}[31mevil"), "{text}");
    assert!(text.contains("\\u{202e}txt.exe"), "{text}");
    // The one verdict line is the real one.
    assert_eq!(text.matches("\nResult: ").count(), 1, "{text}");
    assert!(text.contains("Result: INVALID"), "{text}");
    // JSON keeps the values exactly (JSON escaping is enough there).
    let (_, doc) = run_json(decode(&dir).args(["--key", &key, &token]));
    assert_eq!(doc["client"], fake);
    // Input errors too: a JWE whose readable header carries a bidi override.
    let jwe = format!(
        "{}.a.b.c.d",
        b64(
            json!({"alg": "RSA-OAEP", "enc": "A256GCM", "x": "\u{202e}\u{9b}"})
                .to_string()
                .as_bytes()
        )
    );
    let out = decode(&dir).arg(&jwe).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{202e}') && !text.contains('\u{9b}'),
        "{text}"
    );
    assert!(text.contains("\\u{202e}"), "{text}");
}

#[test]
fn standard_oidc_scopes_are_neither_undefined_nor_ungranted() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let standard = "openid profile email address phone offline_access microprofile-jwt roles web-origins acr basic";
    let mut claims = good_claims();
    claims["scope"] = json!(format!("{standard} orders:read"));
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let reg = registry();
    let (code, doc) =
        run_json(decode(&dir).args(["--key", &key, "--registry", reg.to_str().unwrap(), &token]));
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["valid"], true, "{doc}");
    let scopes = doc["scopes"].as_array().unwrap();
    for s in scopes {
        let name = s["scope"].as_str().unwrap();
        assert_eq!(s["standard"], name != "orders:read", "{s}");
        if name != "orders:read" {
            assert_eq!(s["granted"], Value::Null, "{s}");
        }
    }
    let out = decode(&dir)
        .args(["--key", &key, "--registry", reg.to_str().unwrap(), &token])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("  openid            standard OIDC scope\n"),
        "{text}"
    );
    assert!(
        text.contains("  web-origins       standard OIDC scope\n"),
        "{text}"
    );
    assert!(!text.contains("not granted"), "{text}");
    assert!(!text.contains("not defined"), "{text}");
    // A scope that only looks standard is still undefined.
    claims["scope"] = json!("openid-admin");
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let (code, doc) =
        run_json(decode(&dir).args(["--key", &key, "--registry", reg.to_str().unwrap(), &token]));
    assert_eq!(code, 1, "{doc}");
    assert!(codes(&doc).contains(&"token/undefined-scope".to_string()));
}

/// Sign `header_json.payload_json` as written (so it may repeat member names).
fn sign_raw(alg: Algorithm, private_pem: &str, header_json: &str, payload_json: &str) -> String {
    let input = format!(
        "{}.{}",
        b64(header_json.as_bytes()),
        b64(payload_json.as_bytes())
    );
    let sig =
        jsonwebtoken::crypto::sign(input.as_bytes(), &encoding_key(alg, private_pem), alg).unwrap();
    format!("{input}.{sig}")
}

#[test]
fn critical_header_extensions_and_duplicate_members_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let payload = good_claims().to_string();
    // A correctly signed token with a `crit` extension scopectl does not understand.
    let token = sign_raw(
        Algorithm::RS256,
        &rsa_pair().private,
        r#"{"alg":"RS256","crit":["exp-ext"],"exp-ext":1}"#,
        &payload,
    );
    let (code, doc) = run_json(decode(&dir).args(["--key", &key, &token]));
    assert_eq!(doc["signature"]["status"], "verified", "{doc}");
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["valid"], false);
    assert!(
        codes(&doc).contains(&"token/crit-unsupported".to_string()),
        "{doc}"
    );
    // `crit` that is not a list of names is refused too.
    let token = sign_raw(
        Algorithm::RS256,
        &rsa_pair().private,
        r#"{"alg":"RS256","crit":"b64"}"#,
        &payload,
    );
    let (code, doc) = run_json(decode(&dir).args(["--key", &key, &token]));
    assert_eq!(code, 1, "{doc}");
    assert!(
        codes(&doc).contains(&"token/crit-unsupported".to_string()),
        "{doc}"
    );
    // `exp` twice: one parser sees an expired token, another a valid one.
    let payload = format!(
        r#"{{"iss":"{ISS}","aud":"orders-api","iat":{},"exp":{},"sub":"u","exp":{}}}"#,
        NOW - 60,
        NOW - 30,
        NOW + 600
    );
    let token = sign_raw(
        Algorithm::RS256,
        &rsa_pair().private,
        r#"{"alg":"RS256","typ":"JWT","typ":"at+jwt"}"#,
        &payload,
    );
    let (code, doc) = run_json(decode(&dir).args(["--key", &key, &token]));
    assert_eq!(code, 1, "{doc}");
    assert_eq!(doc["valid"], false);
    let dups: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/duplicate-claim")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(dups.len(), 2, "{doc}");
    assert!(
        dups.iter()
            .any(|m| m.contains("header") && m.contains("`typ`")),
        "{dups:?}"
    );
    assert!(
        dups.iter()
            .any(|m| m.contains("payload") && m.contains("`exp`")),
        "{dups:?}"
    );
}

#[test]
fn docs_list_every_token_finding_with_its_level() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/decode.md"))
            .unwrap();
    let rules: Vec<_> = scopectl::token::findings::rules().collect();
    for r in &rules {
        let row = format!("| `{}` | {} |", r.id(), r.level().as_str());
        assert!(docs.contains(&row), "docs/decode.md lacks the row {row}");
    }
    let documented = docs.lines().filter(|l| l.starts_with("| `token/")).count();
    assert_eq!(
        documented,
        rules.len(),
        "docs/decode.md lists rules --list-rules does not"
    );
}

#[test]
fn help_says_exit_0_does_not_mean_verified() {
    let out = Command::cargo_bin("scopectl")
        .unwrap()
        .args(["decode", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("0 valid"), "{text}");
    assert!(text.contains("0 no error findings"), "{text}");
    assert!(text.contains("Exit 0 does not mean verified"), "{text}");
    assert!(text.contains(r#""token/unverified" = "deny""#), "{text}");
    // And it is true: an unverified token exits 0 with valid: false.
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"s3cret", &good_claims());
    let (code, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!((code, &doc["valid"]), (0, &json!(false)), "{doc}");
}

#[test]
fn wording_and_range_checks_are_precise() {
    let dir = tempfile::tempdir().unwrap();
    // Recognised non-JWTs carry a severity word like every other message.
    decode(&dir)
        .arg("2YotnFZFEjr1zCsicMWpAA")
        .assert()
        .code(2)
        .stdout(predicate::str::starts_with(
            "warning[input/opaque]: this is an opaque token",
        ));
    // The HMAC secret's origin is said once.
    let token = sign_hs(b"s3cret", &good_claims());
    let out = decode(&dir)
        .env("HSK", "s3cret")
        .args(["--secret-env", "HSK", &token])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("HMAC secret from the environment variable $HSK"),
        "{text}"
    );
    assert!(!text.contains("secret from the secret"), "{text}");
    // A time claim beyond any date is out of range, not a clamped number.
    let mut claims = good_claims();
    claims["exp"] = json!(1e20);
    claims["nbf"] = json!(i64::MAX);
    let token = sign_hs(b"s3cret", &claims);
    let out = decode(&dir).arg(&token).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("9223372036854775807 "), "{text}");
    assert!(!text.contains("(out of range)"), "{text}");
    let (code, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!(code, 1, "{doc}");
    let ranges = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/invalid-claim")
        .filter(|f| f["message"].as_str().unwrap().contains("out of range"))
        .count();
    assert_eq!(ranges, 2, "{doc}");
    assert!(
        doc["times"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["claim"] == "iat"),
        "{doc}"
    );
    // An empty scp is an empty scp, not a missing claim.
    let mut claims = good_claims();
    claims.as_object_mut().unwrap().remove("scope");
    claims["scp"] = json!([]);
    decode(&dir)
        .arg(sign_hs(b"s3cret", &claims))
        .assert()
        .stdout(predicate::str::contains("(none: `scp` is empty)"));
    // Arguments out of range are refused with a clear error.
    Command::cargo_bin("scopectl")
        .unwrap()
        .current_dir(dir.path())
        .args(["decode", "--now", "99999999999999999", &token])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("out of the range of dates"));
    decode(&dir)
        .args([
            "--timeout",
            "0s",
            "--jwks",
            "https://127.0.0.1:9/certs",
            &token,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is zero"));
}

#[test]
fn today_sets_the_day_grants_are_evaluated_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    claims["azp"] = json!("fleet-ops");
    claims["scope"] = json!("system:reboot");
    claims["auth_time"] = json!(NOW - 60);
    let token = sign_hs(b"s3cret", &claims);
    let reg = registry();
    // fleet-ops' system:reboot grant lasts until 2036-12-19 (its last valid day).
    let (code, doc) = run_json(
        decode(&dir)
            .arg("--registry")
            .arg(&reg)
            .args(["--today", "2036-12-19"])
            .arg(&token),
    );
    assert!(
        !codes(&doc).contains(&"token/grant-expired".to_string()),
        "{doc}"
    );
    assert_eq!(code, 0, "{doc}");
    let (code, doc) = run_json(
        decode(&dir)
            .arg("--registry")
            .arg(&reg)
            .args(["--today", "2036-12-20"])
            .arg(&token),
    );
    assert!(
        codes(&doc).contains(&"token/grant-expired".to_string()),
        "{doc}"
    );
    assert_eq!(code, 1);
}

#[test]
fn json_output_escapes_what_json_leaves_raw_and_keeps_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut claims = good_claims();
    let sneaky = "rtl \u{202e}txt.exe, CSI \u{9b}2J, DEL \u{7f}";
    claims["note"] = json!(sneaky);
    let token = sign_hs(b"k", &claims);
    for extra in [&[][..], &["--batch", "-"][..]] {
        let mut cmd = decode(&dir);
        cmd.args(["--format", "json"]).args(extra);
        let out = if extra.is_empty() {
            cmd.arg(&token).output().unwrap()
        } else {
            cmd.write_stdin(format!("{token}\n")).output().unwrap()
        };
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != ' ')
                && !text.contains('\u{202e}'),
            "{text}"
        );
        let line = text.lines().find(|l| !l.trim().is_empty()).unwrap();
        let doc: Value = if extra.is_empty() {
            json_of(text.as_bytes())
        } else {
            json_of(line.as_bytes())
        };
        assert_eq!(doc["claims"]["note"], sneaky, "{extra:?}");
    }
}

#[test]
fn list_rules_shows_the_registry_levels() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_in(
        &dir,
        "scopectl.toml",
        "[rules]\n\"token/unverified\" = \"deny\"\n\"token/alg-none\" = \"allow\"\n",
    );
    let out = decode(&dir)
        .args(["--list-rules", "--format", "json", "--registry"])
        .arg(&reg)
        .output()
        .unwrap();
    let rows = json_of(&out.stdout);
    let row = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("token/unverified")["level"], "deny");
    assert_eq!(row("token/unverified")["default_level"], "warn");
    // Genuineness rules keep their level whatever [rules] says.
    assert_eq!(row("token/alg-none")["level"], "deny");
}

/// A token with `=` padding on every part, signed over the padded text as AWS ALB signs
/// its `x-amzn-oidc-data` tokens (ES256).
fn padded(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
    let pad = |p: String| format!("{p}{}", "=".repeat((4 - p.len() % 4) % 4));
    let header = pad(b64(format!(r#"{{"alg":"{alg:?}","typ":"JWT"}}"#).as_bytes()));
    let payload = pad(b64(claims.to_string().as_bytes()));
    let input = format!("{header}.{payload}");
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{}", pad(sig))
}

#[test]
fn padded_signatures_verify_with_every_algorithm_family() {
    let dir = tempfile::tempdir().unwrap();
    let claims = good_claims();
    let hs = padded(
        Algorithm::HS256,
        &EncodingKey::from_secret(b"a-long-enough-hmac-secret-for-hs256"),
        &claims,
    );
    let secret = file(&dir, "secret", "a-long-enough-hmac-secret-for-hs256");
    let (code, doc) = run_json(decode(&dir).args(["--secret-file", &secret]).arg(&hs));
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    assert_eq!(code, 0);
    for (alg, pair) in [
        (Algorithm::ES256, p256_pair()),
        (Algorithm::EdDSA, ed_pair()),
        (
            Algorithm::RS256,
            Pair {
                private: rsa_pair().private.clone(),
                public: rsa_pair().public.clone(),
            },
        ),
    ] {
        let token = padded(alg, &encoding_key(alg, &pair.private), &claims);
        assert!(token.contains('='), "{alg:?}: {token}");
        let key = file(&dir, "k.pem", &pair.public);
        let (code, doc) = run_json(decode(&dir).args(["--key", &key]).arg(&token));
        assert_eq!(doc["signature"]["status"], "verified", "{alg:?}: {doc:#}");
        assert_eq!(code, 0, "{alg:?}");
    }
}

#[test]
fn a_key_that_cannot_check_is_not_a_forgery() {
    // An EC JWK whose point is not on the curve: the backend cannot use it, which says
    // nothing about the token. "Could not check" (exit 2), never "signature invalid".
    let dir = tempfile::tempdir().unwrap();
    let jwks = file(
        &dir,
        "bad-point.jwks",
        r#"{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}"#,
    );
    let token = sign(Algorithm::ES256, &p256_pair().private, None, &good_claims());
    let (code, doc) = run_json(decode(&dir).args(["--jwks", &jwks]).arg(&token));
    assert_eq!(doc["signature"]["status"], "unverified", "{doc:#}");
    assert!(
        doc["signature"]["message"]
            .as_str()
            .unwrap()
            .contains("could NOT be checked"),
        "{doc:#}"
    );
    let found = codes(&doc);
    assert!(
        found.contains(&"token/key-unusable".to_string()),
        "{found:?}"
    );
    assert!(
        !found.contains(&"token/signature-invalid".to_string()),
        "{found:?}"
    );
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "unknown");
    assert_eq!(code, 2);
}

/// RFC 7515 appendix A.1: an HS256 JWS and its key as an `oct` JWK.
const RFC7515_A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7515_A1_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

#[test]
fn hmac_keys_as_an_oct_jwk_a_jwks_or_base64_text() {
    let dir = tempfile::tempdir().unwrap();
    let status = |args: &[&str]| {
        let (code, doc) = run_json(decode(&dir).args(args).arg(RFC7515_A1_TOKEN));
        (
            code,
            doc["signature"]["status"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };
    let jwk = file(
        &dir,
        "k.jwk",
        &format!(r#"{{"kty":"oct","k":"{RFC7515_A1_K}"}}"#),
    );
    assert_eq!(status(&["--secret-file", &jwk]).1, "verified");
    let jwks = file(
        &dir,
        "k.jwks",
        &format!(r#"{{"keys":[{{"kty":"oct","kid":"a1","k":"{RFC7515_A1_K}"}}]}}"#),
    );
    assert_eq!(status(&["--secret-file", &jwks]).1, "verified");
    // The same bytes as base64url text: only when asked.
    let text = file(&dir, "k.b64", RFC7515_A1_K);
    assert_eq!(
        status(&["--secret-file", &text, "--secret-base64"]).1,
        "verified"
    );
    assert_eq!(
        status(&["--secret-file", &text]).1,
        "invalid",
        "never guessed"
    );
    // And standard base64 (with padding) too.
    use base64::Engine;
    let raw = scopectl::token::decode_b64url(RFC7515_A1_K).unwrap();
    let std_text = file(
        &dir,
        "k.std",
        &base64::engine::general_purpose::STANDARD.encode(&raw),
    );
    assert_eq!(
        status(&["--secret-file", &std_text, "--secret-base64"]).1,
        "verified"
    );
}

#[test]
fn public_keys_are_never_hmac_secrets_in_any_form() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"whatever", &good_claims());
    let rsa_jwk = file(&dir, "pub.jwk", r#"{"kty":"RSA","n":"sXch","e":"AQAB"}"#);
    let der = {
        use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
        let key = rsa::RsaPublicKey::from_public_key_pem(&rsa_pair().public).unwrap();
        let p = dir.path().join("pub.der");
        std::fs::write(&p, key.to_public_key_der().unwrap().as_bytes()).unwrap();
        p.to_string_lossy().into_owned()
    };
    for (f, what) in [(&rsa_jwk, "public key material"), (&der, "DER")] {
        let out = decode(&dir)
            .args(["--secret-file", f])
            .arg(&token)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{f}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            all.contains(what) && all.contains("not an HMAC secret"),
            "{all}"
        );
    }
}

#[test]
fn keys_that_exist_but_cannot_be_used_say_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    // The token's kid names an encryption key of the JWKS: not "kid not in the JWKS".
    let jwks = file(
        &dir,
        "enc.jwks",
        r#"{"keys":[{"kty":"RSA","kid":"e1","use":"enc","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}"#,
    );
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("e1".into());
    let token = encode(
        &h,
        &good_claims(),
        &encoding_key(Algorithm::RS256, &rsa_pair().private),
    )
    .unwrap();
    let out = decode(&dir)
        .args(["--format", "json", "--jwks", &jwks])
        .arg(&token)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("encryption key") && !text.contains("not in the"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(2));

    // A signature key given only as an X.509 chain (x5c): its certificate's public key.
    let key_pair =
        rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&rsa_pair().private, &rcgen::PKCS_RSA_SHA256)
            .unwrap();
    let cert = rcgen::CertificateParams::new(vec!["issuer.example".to_string()])
        .unwrap()
        .self_signed(&key_pair)
        .unwrap();
    use base64::Engine;
    let x5c = base64::engine::general_purpose::STANDARD.encode(cert.der());
    let jwks = file(
        &dir,
        "x5c.jwks",
        &format!(r#"{{"keys":[{{"kty":"RSA","kid":"c1","use":"sig","x5c":["{x5c}"]}}]}}"#),
    );
    h.kid = Some("c1".into());
    let token = encode(
        &h,
        &good_claims(),
        &encoding_key(Algorithm::RS256, &rsa_pair().private),
    )
    .unwrap();
    let (code, doc) = run_json(decode(&dir).args(["--jwks", &jwks]).arg(&token));
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    assert_eq!(code, 0);
}

#[test]
fn weak_keys_are_findings_even_when_the_signature_verifies() {
    let dir = tempfile::tempdir().unwrap();
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let small = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let private = small.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = small
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let token = sign(Algorithm::RS256, &private, None, &good_claims());
    let key = file(&dir, "small.pem", &public);
    let (code, doc) = run_json(decode(&dir).args(["--key", &key]).arg(&token));
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    let weak = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "token/weak-key")
        .expect("token/weak-key");
    assert!(
        weak["message"].as_str().unwrap().contains("1024 bits"),
        "{weak}"
    );
    assert_eq!(code, 1);
    // An HMAC secret shorter than the hash.
    let token = sign_hs(b"short", &good_claims());
    let secret = file(&dir, "short", "short");
    let (code, doc) = run_json(decode(&dir).args(["--secret-file", &secret]).arg(&token));
    assert!(
        codes(&doc).contains(&"token/weak-key".to_string()),
        "{doc:#}"
    );
    assert_eq!(code, 1);
    // A 2048-bit key: no finding.
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let key = file(&dir, "ok.pem", &rsa_pair().public);
    let (_, doc) = run_json(decode(&dir).args(["--key", &key]).arg(&token));
    assert!(!codes(&doc).contains(&"token/weak-key".to_string()));
}

#[test]
fn the_verdict_separates_what_a_resource_server_decides_from_registry_policy() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "a-long-enough-hmac-secret-for-hs256";
    let secret_file = file(&dir, "s", secret);
    let mut claims = good_claims();
    claims["scope"] = json!("orders:read telemetry:nuke");
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let reg = registry();
    let args = [
        "--secret-file",
        &secret_file,
        "--registry",
        reg.to_str().unwrap(),
    ];
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "accepted",
        "{doc:#}"
    );
    assert_eq!(doc["verdict"]["policy"]["errors"], 1, "{doc:#}");
    assert_eq!(
        codes(&doc),
        ["token/undefined-scope"],
        "one finding for one cause"
    );
    assert_eq!(code, 1, "policy errors still fail the check");
    let out = decode(&dir).args(args).arg(&token).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].starts_with("Accepted by a resource server: yes"),
        "{text}"
    );
    assert!(lines[2].starts_with("Registry policy: 1 error"), "{text}");
    // Findings come before the claims.
    let f = text.find("Findings").unwrap();
    assert!(
        f < text.find("Claims").unwrap() && f < text.find("Header").unwrap(),
        "{text}"
    );
    assert!(
        text.contains("Result: accepted by a resource server, but 1 policy error"),
        "{text}"
    );
    assert!(!text.contains("INVALID"), "{text}");

    // Expired: rejected, whatever the registry says.
    claims["exp"] = json!(NOW - 10);
    claims["iat"] = json!(NOW - 100);
    let token = encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "rejected",
        "{doc:#}"
    );
    assert_eq!(
        doc["verdict"]["acceptance"]["because"],
        json!(["token/expired"])
    );
    assert_eq!(code, 1);
    // Without a key: cannot tell.
    let (_, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "rejected");
    claims["exp"] = json!(NOW + 600);
    let token = sign_hs(b"whatever", &claims);
    let (_, doc) = run_json(decode(&dir).arg(&token));
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "unknown", "{doc:#}");
}

#[test]
fn input_forms_curl_lines_token_files_piped_stdin_and_jws_json() {
    let dir = tempfile::tempdir().unwrap();
    let token = sign_hs(b"whatever", &good_claims());
    let parse_ok = |out: std::process::Output| {
        let doc = json_of(&out.stdout);
        assert_eq!(doc["claims"]["azp"], "shop-frontend", "{doc:#}");
    };
    // A request header line as `curl -v` prints it.
    let curl = format!("> Authorization: Bearer {token}");
    parse_ok(
        decode(&dir)
            .args(["--format", "json", &curl])
            .output()
            .unwrap(),
    );
    // A file holding the token.
    let path = file(&dir, "token.jwt", &format!("{token}\n"));
    parse_ok(
        decode(&dir)
            .args(["--format", "json", &path])
            .output()
            .unwrap(),
    );
    // Piped stdin without `-`.
    parse_ok(
        decode(&dir)
            .args(["--format", "json"])
            .write_stdin(token.clone())
            .output()
            .unwrap(),
    );
    // A file name that does not exist: the message says so.
    let out = decode(&dir).arg("missing.jwt").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no such file"),
        "{out:?}"
    );

    // JWS JSON serialization, flattened and general: checked as the compact form.
    let (protected, payload, signature) = {
        let mut it = token.split('.');
        (it.next().unwrap(), it.next().unwrap(), it.next().unwrap())
    };
    let secret = file(&dir, "s", "whatever");
    for json_form in [
        format!(r#"{{"payload":"{payload}","protected":"{protected}","signature":"{signature}"}}"#),
        format!(
            r#"{{"payload":"{payload}","signatures":[{{"protected":"{protected}","signature":"{signature}"}}]}}"#
        ),
    ] {
        let (_, doc) = run_json(
            decode(&dir)
                .args(["--secret-file", &secret])
                .arg(&json_form),
        );
        assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
        assert_eq!(doc["claims"]["azp"], "shop-frontend");
    }
    // Unprotected headers cannot be checked: said exactly, not "opaque".
    let unprotected = format!(
        r#"{{"payload":"{payload}","header":{{"alg":"HS256"}},"signature":"{signature}"}}"#
    );
    let out = decode(&dir)
        .args(["--format", "json", &unprotected])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = json_of(&out.stdout);
    assert_eq!(doc["error"]["code"], "input/jws-json", "{doc:#}");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unprotected"));
}

#[test]
fn jws_json_with_a_member_written_twice_is_refused_naming_it() {
    // serde_json keeps the last of two members, other parsers the first: a checker and the
    // real server would check different tokens. Refused as malformed input (exit 2), like
    // every JWS JSON serialization that cannot be checked as one compact token.
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", "whatever");
    let good = sign_hs(b"whatever", &good_claims());
    let mut other_claims = good_claims();
    other_claims["scope"] = json!("admin");
    let other = sign_hs(b"whatever", &other_claims);
    let parts = |t: &str| -> Vec<String> { t.split('.').map(str::to_string).collect() };
    let (g, o) = (parts(&good), parts(&other));
    let (prot, pay, sig) = (&g[0], &g[1], &g[2]);
    let (opay, osig) = (&o[1], &o[2]);
    let cases = [
        (
            format!(
                r#"{{"payload":"{opay}","protected":"{prot}","signature":"{sig}","payload":"{pay}"}}"#
            ),
            "payload",
            "`$`",
        ),
        (
            format!(
                r#"{{"payload":"{pay}","protected":"{prot}","signature":"{osig}","signature":"{sig}"}}"#
            ),
            "signature",
            "`$`",
        ),
        (
            format!(
                r#"{{"protected":"{prot}","payload":"{pay}","protected":"{prot}","signature":"{sig}"}}"#
            ),
            "protected",
            "`$`",
        ),
        (
            format!(
                r#"{{"payload":"{pay}","signatures":[{{"protected":"{prot}","signature":"{osig}"}}],"signatures":[{{"protected":"{prot}","signature":"{sig}"}}]}}"#
            ),
            "signatures",
            "`$`",
        ),
        (
            format!(
                r#"{{"payload":"{pay}","signatures":[{{"protected":"{prot}","signature":"{sig}"}},{{"protected":"{prot}","signature":"{osig}","signature":"{sig}"}}]}}"#
            ),
            "signature",
            "`$.signatures[1]`",
        ),
        (
            format!(
                r#"{{"payload":"{pay}","protected":"{prot}","header":{{"kid":"a","kid":"b"}},"signature":"{sig}"}}"#
            ),
            "kid",
            "`$.header`",
        ),
        (
            format!(
                r#"{{"payload":"{pay}","signatures":[{{"protected":"{prot}","header":{{"kid":"a","x":1,"kid":"b"}},"signature":"{sig}"}}]}}"#
            ),
            "kid",
            "`$.signatures[0].header`",
        ),
        // The same name written with an escape is the same member.
        (
            format!(
                r#"{{"payload":"{opay}","protected":"{prot}","signature":"{sig}","pay\u006coad":"{pay}"}}"#
            ),
            "payload",
            "`$`",
        ),
    ];
    for (input, name, at) in cases {
        let out = decode(&dir)
            .args(["--format", "json", "--secret-file", &secret])
            .arg(&input)
            .output()
            .unwrap();
        let doc = json_of(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{input}: {doc:#}");
        assert_eq!(doc["error"]["code"], "input/jws-json", "{input}: {doc:#}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("member `{name}` twice")) && message.contains(at),
            "{input}: {message}"
        );
        // Human output: the same message, same exit code.
        let out = decode(&dir).arg(&input).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{input}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("member `{name}` twice")), "{text}");
    }
}

#[test]
fn need_answers_the_403_question_with_the_registry_grant() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry();
    let reg = reg.to_str().unwrap();
    // shop-frontend's token carries orders:read orders:write.
    let token = sign_hs(b"whatever", &good_claims());
    let (code, doc) = run_json(
        decode(&dir)
            .args(["--registry", reg, "--need", "orders:read"])
            .arg(&token),
    );
    assert_eq!(doc["need"]["satisfied"], true, "{doc:#}");
    assert!(!codes(&doc).contains(&"token/need-missing".to_string()));
    assert_eq!(code, 0, "{doc:#}");
    // A scope the token lacks and the client is not granted: no, and why.
    let (code, doc) = run_json(
        decode(&dir)
            .args([
                "--registry",
                reg,
                "--need",
                "orders:read",
                "--need",
                "system:reboot",
            ])
            .arg(&token),
    );
    assert_eq!(doc["need"]["satisfied"], false);
    let row = &doc["need"]["scopes"][1];
    assert_eq!(
        (row["in_token"].clone(), row["granted"].clone()),
        (json!(false), json!(false))
    );
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "token/need-missing")
        .expect("need-missing");
    assert!(f["message"].as_str().unwrap().contains("system:reboot"));
    assert!(
        f["help"].as_str().unwrap().contains("no unexpired grant"),
        "{f}"
    );
    assert_eq!(code, 1);
    let out = decode(&dir)
        .args(["--registry", reg, "--need", "system:reboot"])
        .arg(&token)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Carries what the endpoint needs (system:reboot): NO (403): lacks system:reboot (NOT granted in the registry)"),
        "{text}"
    );
}

#[test]
fn batch_holds_a_public_key_and_a_secret_for_a_log_of_mixed_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "a-long-enough-hmac-secret-for-hs256";
    let secret_file = file(&dir, "s", secret);
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let rs = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let hs = encode(
        &Header::new(Algorithm::HS256),
        &good_claims(),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap();
    let out = decode(&dir)
        .args(["--batch", "-", "--key", &key, "--secret-file", &secret_file])
        .write_stdin(format!("{rs}\n{hs}\n"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let statuses: Vec<String> = text
        .lines()
        .map(|l| {
            json_of(l.as_bytes())["signature"]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(statuses, ["verified", "verified"], "{text}");
    assert_eq!(out.status.code(), Some(0));
    // A single token too; and an HMAC token with only the public key is still algorithm
    // confusion.
    let (_, doc) = run_json(
        decode(&dir)
            .args(["--key", &key, "--secret-file", &secret_file])
            .arg(&hs),
    );
    assert_eq!(doc["signature"]["status"], "verified");
    let (code, doc) = run_json(decode(&dir).args(["--key", &key]).arg(&hs));
    assert!(codes(&doc).contains(&"token/alg-confusion".to_string()));
    assert_eq!(code, 1);
}

/// A token is checked against its client's file, the policy and the scopes: when the
/// client's file is `clients/<azp>.toml`, the other clients are not read (a broken one
/// does not stop the check); when it is named otherwise, the whole registry is read and
/// a broken file stops the check as before.
#[test]
fn decode_reads_only_its_clients_file_when_it_can_find_it() {
    let dir = tempfile::tempdir().unwrap();
    let reg = tempfile::tempdir().unwrap();
    let w = |p: &str, t: &str| {
        let f = reg.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    };
    w("scopes/orders.toml", "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n");
    let client = |id: &str| {
        format!("[client]\nid = \"{id}\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Shows orders (SHOP-1)\"\napproved_by = \"ana@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-03-01\n")
    };
    w("clients/shop-frontend.toml", &client("shop-frontend"));
    w("clients/misc.toml", &client("back-office"));
    w("clients/broken.toml", "[client\nid = ");
    let claims = |azp: &str| {
        let mut c = good_claims();
        c["azp"] = json!(azp);
        c["scope"] = json!("orders:read orders:nope");
        c
    };
    let token = unsigned(
        "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
        &claims("shop-frontend"),
    );
    let (_, doc) = run_json(decode(&dir).arg("--registry").arg(reg.path()).arg(&token));
    let found = codes(&doc);
    assert!(
        found.contains(&"token/undefined-scope".to_string()),
        "{doc:#}"
    );
    assert!(
        !found.contains(&"token/scope-not-granted".to_string()),
        "{doc:#}"
    );
    // Its file is named otherwise: everything is read, and the broken file stops it.
    let token = unsigned(
        "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
        &claims("back-office"),
    );
    let out = decode(&dir)
        .arg("--registry")
        .arg(reg.path())
        .arg(&token)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not load"),
        "{out:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Claims against the registry's contract (`claims` of the token's scopes)

#[test]
fn claims_no_scope_of_a_verified_token_releases_are_outside_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_in(&dir, "scopes/orders.toml", "[scopes.\"orders:read\"]\ndescription = \"Read\"\nowner = \"t\"\nsensitivity = \"low\"\n\
         claims = [\"tenant\", { name = \"address.city\", tokens = [\"access\"] }]\n\n\
         [scopes.\"orders:refund\"]\ndescription = \"Refund\"\nowner = \"t\"\nsensitivity = \"low\"\n\
         claims = [{ name = \"region\", source = \"value\", value = \"eu\" }]\n");
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let mut claims = good_claims();
    claims["scope"] = json!("openid orders:read");
    claims["tenant"] = json!("acme"); // released by orders:read
    claims["address"] = json!({"city": "Oslo"}); // nested, released by orders:read
    claims["region"] = json!("eu"); // released by orders:refund, not in the token
    claims["team"] = json!("blue"); // released by no scope
    claims["email"] = json!("a@example.com"); // OpenID Connect standard: exempt
    claims["realm_access"] = json!({"roles": []}); // Keycloak's own: exempt
    claims["typ"] = json!("Bearer"); // protocol: exempt
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let (_, doc) = run_json(
        decode(&dir)
            .arg("--registry")
            .arg(&reg)
            .arg("--key")
            .arg(&key)
            .arg(&token),
    );
    let found: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/claim-outside-contract")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(found.len(), 2, "{doc:#}");
    assert!(
        found
            .iter()
            .any(|m| m.contains("`region`") && m.contains("`orders:refund`")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.contains("`team`") && m.contains("no registry scope")),
        "{found:?}"
    );
    // Unverified: the contract speaks only of what the issuer signed.
    let (_, doc) = run_json(decode(&dir).arg("--registry").arg(&reg).arg(&token));
    assert!(
        !codes(&doc).contains(&"token/claim-outside-contract".to_string()),
        "{doc:#}"
    );
}

/// A claim whose declared `json_type` or `multivalued` the verified token does not keep is
/// `token/claim-type`, once per claim; undeclared shapes are not judged.
#[test]
fn a_claim_of_another_type_than_declared_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_in(&dir, "scopes/orders.toml", "[scopes.\"orders:read\"]\ndescription = \"Read\"\nowner = \"t\"\nsensitivity = \"low\"\n\
         claims = [{ name = \"seats\", json_type = \"long\" }, { name = \"tier\", json_type = \"int\" }, \
         { name = \"groups_list\", multivalued = true }, { name = \"flags\", json_type = \"boolean\", multivalued = true }, \"tenant\", \
         { name = \"address.zip\", json_type = \"long\" }, { name = \"org\\\\.id\", json_type = \"long\" }, \
         { name = \"plan\", json_type = \"string\" }]\n");
    let key = file(&dir, "k.pem", &rsa_pair().public);
    let mut claims = good_claims();
    claims["scope"] = json!("openid orders:read");
    claims["seats"] = json!("25"); // a string, declared long
    claims["tier"] = json!(3); // as declared
    claims["groups_list"] = json!("admins"); // one value, declared a list
    claims["flags"] = json!([true, "no"]); // a list holding a string
    claims["tenant"] = json!(7); // undeclared type: not judged
    claims["address"] = json!({"zip": "12345"}); // nested, declared long
    claims["org.id"] = json!("acme"); // a literal dot (`org\.id`), declared long
    claims["plan"] = json!(3); // declared string in so many words: judged
    let token = sign(Algorithm::RS256, &rsa_pair().private, None, &claims);
    let (_, doc) = run_json(
        decode(&dir)
            .arg("--registry")
            .arg(&reg)
            .arg("--key")
            .arg(&key)
            .arg(&token),
    );
    let mut found: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/claim-type")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "claim `address.zip` is a string; `orders:read` declares long",
            "claim `flags` is a list holding a string; `orders:read` declares a list of boolean",
            "claim `groups_list` is a string; `orders:read` declares a list",
            "claim `org\\.id` is a string; `orders:read` declares long",
            "claim `plan` is a number; `orders:read` declares string",
            "claim `seats` is a string; `orders:read` declares long",
        ],
        "{doc:#}"
    );
    // Unverified: not judged.
    let (_, doc) = run_json(decode(&dir).arg("--registry").arg(&reg).arg(&token));
    assert!(
        !codes(&doc).contains(&"token/claim-type".to_string()),
        "{doc:#}"
    );
}

/// Issue 19: with a JWKS, `decode` lists its keys (JSON `jwks`) and judges them as
/// `scopectl keys` does (`key/*`, each noting it is about the JWKS), without changing
/// whether a resource server accepts the token; the key that signed the token is not
/// reported weak twice, and no age is claimed (a JWKS does not say when keys were made).
#[test]
fn a_jwks_is_listed_and_its_keys_judged() {
    let dir = tempfile::tempdir().unwrap();
    use rsa::pkcs8::EncodePrivateKey;
    use rsa::pkcs8::LineEnding;
    use rsa::traits::PublicKeyParts;
    let small = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let small_pem = small.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let mut set: Value =
        serde_json::from_str(&jwks(&[("new", Algorithm::RS256, &rsa_pair().private)])).unwrap();
    let keys = set["keys"].as_array_mut().unwrap();
    keys.push(
        json!({"kty": "RSA", "kid": "weak", "alg": "RS256", "use": "sig",
        "n": b64(&small.n().to_bytes_be()), "e": b64(&small.e().to_bytes_be())}),
    );
    keys.push(
        json!({"kty": "oct", "kid": "shared", "alg": "HS256", "use": "sig", "k": "c2VjcmV0"}),
    );
    let path = file(&dir, "jwks.json", &set.to_string());
    // A registry whose policy sets max_key_age: a JWKS's keys have no known age, and
    // decode says nothing about it (rather than "not evaluable" for every key).
    std::fs::create_dir_all(dir.path().join("reg/scopes")).unwrap();
    std::fs::write(
        dir.path().join("reg/scopectl.toml"),
        "[policy]\nmax_key_age = \"90d\"\n",
    )
    .unwrap();
    let token = sign(
        Algorithm::RS256,
        &rsa_pair().private,
        Some("new"),
        &good_claims(),
    );
    let (code, doc) = run_json(
        decode(&dir)
            .args(["--registry", "reg", "--jwks"])
            .arg(&path)
            .arg(&token),
    );
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "accepted",
        "{doc:#}"
    );
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    let listed: Vec<&str> = doc["jwks"][0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["new", "weak", "shared"], "{doc:#}");
    assert!(doc["jwks"][0]["source"]
        .as_str()
        .unwrap()
        .contains("jwks.json"));
    let found = codes(&doc);
    assert!(found.contains(&"key/weak".to_string()), "{found:?}");
    assert!(found.contains(&"key/alg-mix".to_string()), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|c| c.starts_with("key/age") || c == "key/too-old"),
        "{found:?}"
    );
    let weak = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "key/weak")
        .unwrap();
    assert!(
        weak["message"].as_str().unwrap().contains("kid=\"weak\""),
        "{weak}"
    );
    assert!(weak.to_string().contains("about the JWKS file"), "{weak}");
    assert_eq!(code, 1, "key errors are policy findings: {doc:#}");
    let out = decode(&dir)
        .args(["--color", "never", "--jwks"])
        .arg(&path)
        .arg(&token)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Keys of the JWKS file"), "{text}");
    assert!(text.contains("1024 bits"), "{text}");
    // The weak key signs: token/weak-key says it once, key/weak does not repeat it.
    let token = sign(Algorithm::RS256, &small_pem, Some("weak"), &good_claims());
    let (_, doc) = run_json(decode(&dir).arg("--jwks").arg(&path).arg(&token));
    let found = codes(&doc);
    assert!(found.contains(&"token/weak-key".to_string()), "{found:?}");
    assert!(!found.contains(&"key/weak".to_string()), "{found:?}");
    // `--batch`: the JWKS is judged once, on stderr; the JSON lines stay about tokens.
    let lines = file(&dir, "tokens.txt", &format!("{token}\n{token}\n"));
    let out = decode(&dir)
        .args(["--batch", &lines, "--jwks"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("error[key/weak]").count(), 1, "{stderr}");
    assert!(stderr.contains("kid=\"weak\""), "{stderr}");
    assert!(stderr.contains("about the JWKS file"), "{stderr}");
    assert!(!stderr.contains("key/age"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(!stdout.contains("key/weak"), "{stdout}");
    // No JWKS, no list.
    let key = file(&dir, "ok.pem", &rsa_pair().public);
    let plain = sign(Algorithm::RS256, &rsa_pair().private, None, &good_claims());
    let (_, doc) = run_json(decode(&dir).args(["--key", &key]).arg(&plain));
    assert!(doc.get("jwks").is_none(), "{doc:#}");
}

/// A token from an environment whose client_id differs (`[client.ids] prod = "shop-web-prod"`)
/// is the registry's client in that environment: no `token/unknown-client`, and its grants
/// are judged there (a dev-only grant does not count in prod).
#[test]
fn an_environments_client_id_names_the_registry_client_and_its_grants_there() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry_in(
        &dir,
        "scopectl.toml",
        "[targets.dev]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"dev\"\n\n\
         [targets.prod-eu]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"shop\"\nenvironment = \"prod\"\n",
    );
    std::fs::write(
        reg.join("scopes/orders.toml"),
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"t\"\nsensitivity = \"low\"\n\n\
         [scopes.\"orders:write\"]\ndescription = \"Write orders\"\nowner = \"t\"\nsensitivity = \"low\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(reg.join("clients")).unwrap();
    std::fs::write(
        reg.join("clients/shop-web.toml"),
        "[client]\nid = \"shop-web\"\nowner = \"t\"\n[client.ids]\nprod = \"shop-web-prod\"\n\n\
         [[grants]]\nscope = \"orders:read\"\njustification = \"Lists orders (SHOP-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-05-01\n\n\
         [[grants]]\nscope = \"orders:write\"\njustification = \"Test orders in dev (SHOP-2)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-05-01\nenvironments = [\"dev\"]\n",
    )
    .unwrap();
    let secret = file(&dir, "s", "0123456789abcdef0123456789abcdef");
    // `decode` of a token from client `azp`, with the registry and the secret.
    let decode_from = |azp: &str| {
        let mut claims = good_claims();
        claims["azp"] = json!(azp);
        let mut c = decode(&dir);
        c.arg("--registry")
            .arg(&reg)
            .arg("--secret-file")
            .arg(&secret)
            .arg(sign_hs(b"0123456789abcdef0123456789abcdef", &claims));
        c
    };
    let (_, doc) = run_json(&mut decode_from("shop-web-prod"));
    assert_eq!(doc["client"], "shop-web-prod", "{doc:#}");
    assert_eq!(doc["registry_client"], "shop-web", "{doc:#}");
    assert_eq!(doc["environment"], "prod", "{doc:#}");
    assert!(
        !codes(&doc).contains(&"token/unknown-client".to_string()),
        "{doc:#}"
    );
    let not_granted: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/scope-not-granted")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        not_granted,
        ["client `shop-web-prod` (registry client `shop-web`) holds no grant for scope `orders:write` in environment `prod` (its grant does not reach it)"],
        "{doc:#}"
    );
    assert_eq!(doc["scopes"][0]["granted"], true, "{doc:#}");

    // The registry id itself: not an environment's, so every grant counts.
    let (_, doc) = run_json(&mut decode_from("shop-web"));
    assert!(doc.get("registry_client").is_none(), "{doc:#}");
    assert!(doc.get("environment").is_none(), "{doc:#}");
    assert!(
        !codes(&doc).contains(&"token/scope-not-granted".to_string()),
        "{doc:#}"
    );

    // The human view says which registry client it is.
    let out = decode_from("shop-web-prod").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Scopes (client shop-web-prod: registry client shop-web in prod)"),
        "{text}"
    );
}
