//! `scopectl decode`'s verdict: what a resource server decides is never changed by the
//! registry's `[rules]` levels, every finding is counted under one question of the verdict,
//! secrets never leak into messages, a signature of the wrong length (or none) is
//! `token/signature-malformed` (rejected, neither forged nor the key's fault), `scope`
//! arrays and scopes joined by a TAB are `token/invalid-claim`, `--batch` lines carry the
//! verdict, the `[rules]` levels decode ignores are said, and a member name written twice at
//! any depth is `token/duplicate-claim`, named by its path. Tokens are signed in the tests
//! with keys generated at run time.

use assert_cmd::Command;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

/// 2026-11-25T12:00:00Z: the clock of every test (`--now`).
const NOW: i64 = 1_795_608_000;
const NOW_ARG: &str = "2026-11-25T12:00:00Z";
const SECRET: &str = "a-long-enough-hmac-secret-for-hs256";

fn example_registry() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/scopes").to_string()
}

/// Claims of a healthy access token at `NOW` for shop-frontend (granted both scopes in
/// the example registry).
fn good_claims() -> Value {
    json!({
        "iss": "https://id.example.com/realms/shop",
        "sub": "user-42",
        "aud": "orders-api",
        "azp": "shop-frontend",
        "scope": "orders:read orders:write",
        "iat": NOW - 60,
        "exp": NOW + 14 * 60,
    })
}

fn hs(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    scopectl::token::b64url(bytes)
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// A registry directory holding only `scopectl.toml` with `toml`.
fn registry_with(dir: &tempfile::TempDir, toml: &str) -> String {
    let reg = dir.path().join("reg");
    std::fs::create_dir_all(reg.join("scopes")).unwrap();
    std::fs::write(reg.join("scopectl.toml"), toml).unwrap();
    reg.to_string_lossy().into_owned()
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

fn run_json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.arg("--format").arg("json").output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), doc)
}

fn run_text(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), text)
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code}: {doc:#}"))
}

/// The verdict's parts count every finding once: they add up to the summary.
fn assert_verdict_adds_up(doc: &Value) {
    let v = &doc["verdict"];
    for level in ["errors", "warnings", "notes"] {
        let part = |p: &Value| p[level].as_u64().unwrap_or(0);
        let sum = part(&v["acceptance_counts"]) + part(&v["policy"]) + part(&v["need"]);
        assert_eq!(
            sum,
            doc["summary"][level].as_u64().unwrap(),
            "{level}: {doc:#}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 1. `[rules]` levels never change acceptance

#[test]
fn rule_levels_never_turn_a_rejected_token_into_an_accepted_one() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = registry_with(
        &dir,
        "[policy]\nheader_budget = 2000\n\n[rules]\n\"token/expired\" = \"allow\"\n\"token/invalid-claim\" = \"allow\"\n\"token/no-exp\" = \"allow\"\n\"token/not-yet-valid\" = \"allow\"\n\"token/oversize\" = \"allow\"\n\"token/iss-mismatch\" = \"allow\"\n\"token/aud-mismatch\" = \"warn\"\n",
    );
    let with = |change: &dyn Fn(&mut Value)| {
        let mut c = good_claims();
        change(&mut c);
        hs(&c)
    };
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "token/expired",
            with(&|c| c["exp"] = json!(NOW - 3600)),
            vec![],
        ),
        (
            "token/invalid-claim",
            with(&|c| c["exp"] = json!("tomorrow")),
            vec![],
        ),
        (
            "token/no-exp",
            with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            vec![],
        ),
        (
            "token/not-yet-valid",
            with(&|c| c["nbf"] = json!(NOW + 3600)),
            vec![],
        ),
        (
            "token/oversize",
            with(&|c| c["padding"] = json!("x".repeat(2000))),
            vec![],
        ),
        (
            "token/iss-mismatch",
            hs(&good_claims()),
            vec!["--iss", "https://other.example.com"],
        ),
        (
            "token/aud-mismatch",
            hs(&good_claims()),
            vec!["--aud", "billing-api"],
        ),
    ];
    for (rule, token, extra) in cases {
        let args = ["--registry", &reg, "--secret-file", &secret];
        let (code, doc) = run_json(decode(&dir).args(args).args(&extra).arg(&token));
        assert_eq!(doc["signature"]["status"], "verified", "{rule}: {doc:#}");
        assert_eq!(doc["valid"], false, "{rule}: {doc:#}");
        assert_eq!(
            doc["verdict"]["acceptance"]["answer"], "rejected",
            "{rule}: {doc:#}"
        );
        assert!(
            doc["verdict"]["acceptance"]["because"]
                .as_array()
                .unwrap()
                .contains(&json!(rule)),
            "{rule}: {doc:#}"
        );
        assert_eq!(finding(&doc, rule)["severity"], "error", "{rule}");
        assert_verdict_adds_up(&doc);
        assert_eq!(code, 1, "{rule}: {doc:#}");
        let (code, text) = run_text(decode(&dir).args(args).args(&extra).arg(&token));
        assert!(
            text.contains(&format!("Accepted by a resource server: NO: {rule}")),
            "{rule}: {text}"
        );
        assert!(text.contains("Result: INVALID"), "{rule}: {text}");
        assert_eq!(code, 1, "{rule}");
    }
    // `--list-rules` says so: those rules are not configurable and keep `deny`.
    let (_, rows) = run_json(decode(&dir).args(["--list-rules", "--registry", &reg]));
    for id in ["token/expired", "token/oversize", "token/invalid-claim"] {
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap();
        assert_eq!(row["level"], "deny", "{row}");
        assert_eq!(row["configurable"], false, "{row}");
    }
}

#[test]
fn a_level_only_makes_a_missing_audience_policy_unless_one_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let mut claims = good_claims();
    // No client and no scopes: nothing else for the empty registry to say.
    for name in ["aud", "azp", "scope"] {
        claims.as_object_mut().unwrap().remove(name);
    }
    let token = hs(&claims);
    // `deny` without --aud: the registry wants an audience; a resource server that
    // expects none still accepts the token.
    let reg = registry_with(&dir, "[rules]\n\"token/aud-missing\" = \"deny\"\n");
    let args = ["--registry", &reg, "--secret-file", &secret];
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(finding(&doc, "token/aud-missing")["severity"], "error");
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "accepted",
        "{doc:#}"
    );
    assert_eq!(doc["verdict"]["policy"]["errors"], 1, "{doc:#}");
    assert_verdict_adds_up(&doc);
    assert_eq!(code, 1);
    // `allow` with --aud: the resource server expects an audience and rejects the token.
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = registry_with(&dir, "[rules]\n\"token/aud-missing\" = \"allow\"\n");
    let args = [
        "--registry",
        &reg,
        "--secret-file",
        &secret,
        "--aud",
        "orders-api",
    ];
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "rejected",
        "{doc:#}"
    );
    assert_eq!(finding(&doc, "token/aud-missing")["severity"], "error");
    assert_eq!(code, 1);
    // And without --aud, `allow` silences the warning: a policy finding.
    let (code, doc) = run_json(
        decode(&dir)
            .args(["--registry", &reg, "--secret-file", &secret])
            .arg(&token),
    );
    assert!(!codes(&doc).contains(&"token/aud-missing".to_string()));
    assert_eq!(code, 0, "{doc:#}");
}

// ---------------------------------------------------------------------------------------
// 2. The result line and the verdict's counts

#[test]
fn a_verified_token_lacking_the_needed_scope_is_accepted_but_lacks_it() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let token = hs(&good_claims());
    let args = ["--secret-file", &secret, "--need", "orders:refund"];
    let (code, text) = run_text(decode(&dir).args(args).arg(&token));
    assert!(text.starts_with("✓ signature verified"), "{text}");
    let result = text.lines().find(|l| l.starts_with("Result: ")).unwrap();
    assert!(
        result.starts_with(
            "Result: accepted by a resource server, but lacks what the endpoint needs (403)"
        ),
        "{result}"
    );
    assert!(!result.contains("NOT verified"), "{result}");
    assert_eq!(code, 1);
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["verdict"]["acceptance"], json!({"answer": "accepted"}));
    assert_eq!(doc["verdict"]["acceptance_counts"]["errors"], 0, "{doc:#}");
    assert_eq!(doc["verdict"]["need"]["errors"], 1, "{doc:#}");
    assert_eq!(doc["verdict"]["need"]["satisfied"], false, "{doc:#}");
    assert_eq!(doc["verdict"]["policy"]["errors"], 0, "{doc:#}");
    assert_verdict_adds_up(&doc);
    assert_eq!(code, 1);
    // With a policy error as well, both are said.
    let mut claims = good_claims();
    claims["scope"] = json!("orders:read telemetry:nuke");
    let token = hs(&claims);
    let reg = example_registry();
    let (_, text) = run_text(
        decode(&dir)
            .args(args)
            .args(["--registry", &reg])
            .arg(&token),
    );
    assert!(
        text.contains("Result: accepted by a resource server, but lacks what the endpoint needs (403), and 1 policy error"),
        "{text}"
    );
    // Unverified: not "no errors".
    let (_, text) = run_text(decode(&dir).args(["--need", "orders:refund"]).arg(&token));
    assert!(
        text.contains("Result: NOT verified, and lacks what the endpoint needs (403)"),
        "{text}"
    );
    // Without --need there is no need part.
    let (_, doc) = run_json(decode(&dir).args(["--secret-file", &secret]).arg(&token));
    assert!(doc["verdict"].get("need").is_none(), "{doc:#}");
}

#[test]
fn verdict_counts_add_up_to_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = example_registry();
    let mut claims = good_claims();
    claims["scope"] = json!("orders:read telemetry:nuke");
    claims["exp"] = json!(NOW - 10);
    claims.as_object_mut().unwrap().remove("iss");
    let expired = hs(&claims);
    let token = hs(&good_claims());
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "--registry",
            &reg,
            "--secret-file",
            &secret,
            "--need",
            "x:y",
            &expired,
        ],
        vec!["--registry", &reg, "--need", "orders:read", &expired],
        vec!["--iss", "https://id.example.com/realms/shop", &expired],
        vec!["--secret-file", &secret, &token],
        vec![&token],
    ];
    for args in runs {
        let (_, doc) = run_json(decode(&dir).args(&args));
        assert_verdict_adds_up(&doc);
    }
}

// ---------------------------------------------------------------------------------------
// 3. Secrets never leak into messages

#[test]
fn a_secret_that_is_not_base64_is_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let token = hs(&good_claims());
    // `@` at offset 12: the decoder's error says "Invalid symbol 64, offset 12."
    let bad = "abcdefghijkl@mnopqrstuvwxyz";
    let path = file(&dir, "s", bad);
    let check = |text: &str, what: &str| {
        assert!(text.contains("not valid base64"), "{what}: {text}");
        assert!(!text.contains('@'), "{what}: {text}");
        assert!(!text.contains("64,"), "{what}: {text}");
        assert!(!text.to_lowercase().contains("offset"), "{what}: {text}");
        assert!(!text.contains("symbol"), "{what}: {text}");
        assert!(!text.contains("abcdefghijkl"), "{what}: {text}");
    };
    let args = ["--secret-file", &path, "--secret-base64"];
    let (code, text) = run_text(decode(&dir).args(args).arg(&token));
    check(&text, "--secret-file");
    assert!(text.contains("secret file"), "{text}");
    assert_eq!(code, 2);
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    check(&doc.to_string(), "--secret-file, JSON");
    assert_eq!(code, 2);
    let (code, text) = run_text(
        decode(&dir)
            .env("SCOPECTL_TEST_SECRET", bad)
            .args(["--secret-env", "SCOPECTL_TEST_SECRET", "--secret-base64"])
            .arg(&token),
    );
    check(&text, "--secret-env");
    assert!(text.contains("environment variable"), "{text}");
    assert_eq!(code, 2);
    // An `oct` JWK's `k`, without --secret-base64.
    let jwk = file(&dir, "k.jwk", &format!(r#"{{"kty":"oct","k":"{bad}"}}"#));
    for format in ["human", "json"] {
        let (code, text) = run_text(
            decode(&dir)
                .args(["--secret-file", &jwk, "--format", format])
                .arg(&token),
        );
        check(&text, "JWK k");
        assert!(text.contains("`k`"), "{text}");
        assert_eq!(code, 2);
    }
    // A `k` that is not a string is said to be one, not missing.
    let jwks = file(&dir, "k.jwks", r#"{"keys":[{"kty":"oct","k":5}]}"#);
    let (code, text) = run_text(decode(&dir).args(["--secret-file", &jwks]).arg(&token));
    assert!(text.contains("`k` is a number, not a string"), "{text}");
    assert!(!text.contains("without `k`"), "{text}");
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------
// 4. A signature of the wrong length (or empty) is malformed: rejected, not the key's
//    fault, and not called forged

/// `token` with its signature replaced by `sig`.
fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", b64(sig))
}

fn signature_of(token: &str) -> Vec<u8> {
    scopectl::token::decode_b64url(token.rsplit_once('.').unwrap().1).unwrap()
}

/// `token` with `args` is `token/signature-malformed`: rejected (exit 1, `INVALID: the
/// signature is malformed`), never "could not be checked" nor "altered or signed with
/// another key". Returns the finding's message.
fn assert_malformed(dir: &tempfile::TempDir, args: &[&str], token: &str, what: &str) -> String {
    let (code, doc) = run_json(decode(dir).args(args).arg(token));
    let found = codes(&doc);
    for not in ["token/key-unusable", "token/signature-invalid"] {
        assert!(!found.contains(&not.to_string()), "{what}: {doc:#}");
    }
    let f = finding(&doc, "token/signature-malformed");
    assert_eq!(f["severity"], "error", "{what}");
    assert_eq!(doc["signature"]["status"], "invalid", "{what}: {doc:#}");
    assert_eq!(doc["valid"], false, "{what}");
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "rejected", "{what}");
    assert_eq!(
        doc["verdict"]["acceptance"]["because"],
        json!(["token/signature-malformed"]),
        "{what}: {doc:#}"
    );
    assert_verdict_adds_up(&doc);
    assert_eq!(code, 1, "{what}: {doc:#}");
    let (code, text) = run_text(decode(dir).args(args).arg(token));
    assert!(
        text.starts_with("✗ signature INVALID: the signature is malformed"),
        "{what}: {text}"
    );
    assert!(
        text.contains("Accepted by a resource server: NO: token/signature-malformed"),
        "{what}: {text}"
    );
    assert!(
        text.contains("Result: INVALID: the signature is malformed ("),
        "{what}: {text}"
    );
    for not in [
        "altered or signed with another key",
        "could NOT be checked",
        "could not verify",
        "unusable",
    ] {
        assert!(!text.contains(not), "{what}: {not}: {text}");
    }
    assert_eq!(code, 1, "{what}");
    f["message"].as_str().unwrap().to_string()
}

/// An ES256 token of a fresh key, its private key, and the public key's PEM file.
fn es256(dir: &tempfile::TempDir, claims: &Value) -> (String, p256::SecretKey, String) {
    use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let ec = p256::SecretKey::random(&mut rand::thread_rng());
    let ec_private = ec.to_pkcs8_pem(LineEnding::LF).unwrap();
    let ec_pub = file(
        dir,
        "ec.pem",
        &ec.public_key().to_public_key_pem(LineEnding::LF).unwrap(),
    );
    let token = encode(
        &Header::new(Algorithm::ES256),
        claims,
        &EncodingKey::from_ec_pem(ec_private.as_bytes()).unwrap(),
    )
    .unwrap();
    (token, ec, ec_pub)
}

#[test]
fn a_signature_of_the_wrong_length_is_malformed_and_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let claims = good_claims();

    // ES256 with a DER-encoded signature (what many signers and KMS APIs return).
    let (es, ec, ec_pub) = es256(&dir, &claims);
    let raw = signature_of(&es);
    assert_eq!(raw.len(), 64);
    let der = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
    let der_len = der.as_bytes().len();
    assert!((68..=72).contains(&der_len));
    let der_token = with_signature(&es, der.as_bytes());
    let args = ["--key", ec_pub.as_str()];
    let message = assert_malformed(&dir, &args, &der_token, "ES256 DER");
    assert!(message.contains(&format!("{der_len} bytes")), "{message}");
    assert!(
        message.contains("ES256 with this key needs 64 bytes"),
        "{message}"
    );
    assert!(message.contains("DER-encoded"), "{message}");
    assert!(message.contains("R||S"), "{message}");
    // 63 bytes: probably truncated; none: stripped.
    let message = assert_malformed(&dir, &args, &with_signature(&es, &raw[..63]), "ES256 63");
    assert!(message.contains("63 bytes"), "{message}");
    assert!(message.contains("probably truncated"), "{message}");
    let message = assert_malformed(&dir, &args, &with_signature(&es, &[]), "ES256 empty");
    assert!(message.contains("empty"), "{message}");
    assert!(message.contains("stripped"), "{message}");
    // The raw signature still verifies: the check is about the length only.
    let (code, doc) = run_json(decode(&dir).args(args).arg(&es));
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    assert_eq!(code, 0);
    // Through a JWKS of two keys without kids: both make 64-byte signatures, said once.
    let jwk = |key: &p256::PublicKey| {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let point = key.to_encoded_point(false);
        json!({"kty": "EC", "crv": "P-256", "use": "sig",
               "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
    };
    let other = p256::SecretKey::random(&mut rand::thread_rng());
    let jwks = file(
        &dir,
        "ec.jwks",
        &json!({"keys": [jwk(&other.public_key()), jwk(&ec.public_key())]}).to_string(),
    );
    let message = assert_malformed(&dir, &["--jwks", &jwks], &der_token, "ES256 JWKS DER");
    assert_eq!(message.matches("DER-encoded").count(), 1, "{message}");

    // RS256 cut to 75 bytes.
    let rsa = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
    let rsa_private = {
        use rsa::pkcs8::EncodePrivateKey;
        rsa.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap()
            .to_string()
    };
    let rsa_pub = {
        use rsa::pkcs8::EncodePublicKey;
        file(
            &dir,
            "rsa.pem",
            &rsa.to_public_key()
                .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
                .unwrap(),
        )
    };
    let rs = encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &EncodingKey::from_rsa_pem(rsa_private.as_bytes()).unwrap(),
    )
    .unwrap();
    let cut = with_signature(&rs, &signature_of(&rs)[..75]);
    let message = assert_malformed(&dir, &["--key", &rsa_pub], &cut, "RS256 cut");
    assert!(message.contains("75 bytes"), "{message}");
    assert!(message.contains("needs 256 bytes"), "{message}");
    assert!(message.contains("probably truncated"), "{message}");
    // A full-length signature of the right size that does not match is still invalid,
    // said to be altered or signed with another key.
    let mut flipped = signature_of(&rs);
    flipped[10] ^= 1;
    let flipped = with_signature(&rs, &flipped);
    let (code, doc) = run_json(decode(&dir).args(["--key", &rsa_pub]).arg(&flipped));
    assert_eq!(codes(&doc), ["token/signature-invalid"], "{doc:#}");
    assert!(finding(&doc, "token/signature-invalid")["message"]
        .as_str()
        .unwrap()
        .contains("altered or signed with another key"));
    assert_eq!(code, 1);

    // A JWKS of keys of two sizes, without kids: the one of the right length says "does
    // not match", so the token is forged (signature-invalid), the other's reason a note.
    let small = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let rsa_jwk = |key: &rsa::RsaPublicKey| {
        use rsa::traits::PublicKeyParts;
        json!({"kty": "RSA", "use": "sig", "alg": "RS256",
               "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
    };
    let jwks = file(
        &dir,
        "rsa.jwks",
        &json!({"keys": [rsa_jwk(&small.to_public_key()), rsa_jwk(&rsa.to_public_key())]})
            .to_string(),
    );
    let (code, doc) = run_json(decode(&dir).args(["--jwks", &jwks]).arg(&flipped));
    let found = codes(&doc);
    assert!(
        found.contains(&"token/signature-invalid".to_string()),
        "{doc:#}"
    );
    assert!(
        !found.contains(&"token/signature-malformed".to_string()),
        "{doc:#}"
    );
    let notes = finding(&doc, "token/signature-invalid")["notes"].to_string();
    assert!(notes.contains("needs 128 bytes"), "{notes}");
    assert_eq!(code, 1);
    // Cut to 75 bytes, it fits neither: malformed, each key's reason said.
    let message = assert_malformed(&dir, &["--jwks", &jwks], &cut, "RS256 JWKS cut");
    assert!(
        message.contains("needs 128 bytes") && message.contains("needs 256 bytes"),
        "{message}"
    );

    // EdDSA truncated.
    let ed = {
        use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
        use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        (
            key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            key.verifying_key()
                .to_public_key_pem(LineEnding::LF)
                .unwrap(),
        )
    };
    let ed_pub = file(&dir, "ed.pem", &ed.1);
    let eddsa = encode(
        &Header::new(Algorithm::EdDSA),
        &claims,
        &EncodingKey::from_ed_pem(ed.0.as_bytes()).unwrap(),
    )
    .unwrap();
    let short = with_signature(&eddsa, &signature_of(&eddsa)[..40]);
    assert_malformed(&dir, &["--key", &ed_pub], &short, "EdDSA truncated");

    // HS256 with the secret in hand: a MAC of another length (or none) can never match.
    let secret = file(&dir, "s", SECRET);
    let args = ["--secret-file", secret.as_str()];
    let hs_token = hs(&claims);
    let mac = signature_of(&hs_token);
    let mut long = mac.clone();
    long.push(0);
    for (sig, said) in [
        (&mac[..20], "20 bytes"),
        (&mac[..31], "31 bytes"),
        (&long[..], "33 bytes"),
        (&[][..], "stripped"),
    ] {
        let message = assert_malformed(&dir, &args, &with_signature(&hs_token, sig), said);
        assert!(message.contains(said), "{message}");
        assert!(message.contains("needs 32 bytes"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------
// 5. `scope` must be a space-separated string; `scp` arrays are fine

#[test]
fn a_scope_array_is_an_invalid_claim_but_its_scopes_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = example_registry();
    let args = ["--secret-file", &secret, "--registry", &reg];
    let with_scope = |scope: Value| {
        let mut c = good_claims();
        c["scope"] = scope;
        hs(&c)
    };
    // An empty array: flagged, like `scope: null`.
    for (scope, said) in [
        (json!([]), "`scope` is an empty array"),
        (Value::Null, "`scope` is null"),
    ] {
        let (code, doc) = run_json(decode(&dir).args(args).arg(with_scope(scope.clone())));
        let f = finding(&doc, "token/invalid-claim");
        assert!(f["message"].as_str().unwrap().contains(said), "{f}");
        assert!(f["message"]
            .as_str()
            .unwrap()
            .contains("space-separated string"));
        assert_eq!(doc["valid"], false, "{scope}");
        assert_eq!(code, 1, "{scope}");
    }
    // An array of scopes: flagged, and the scopes are still read for the analysis.
    let token = with_scope(json!(["orders:read", "orders:write"]));
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    let f = finding(&doc, "token/invalid-claim");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("`scope` is an array of 2 values"),
        "{message}"
    );
    assert!(
        message.contains("still read as the token's scopes"),
        "{message}"
    );
    let scopes: Vec<&str> = doc["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["orders:read", "orders:write"]);
    assert_eq!(doc["scopes"][0]["granted"], true, "{doc:#}");
    assert_eq!(code, 1);
    let (_, text) = run_text(decode(&dir).args(args).arg(&token));
    assert!(text.contains("error[token/invalid-claim]"), "{text}");
    assert!(text.contains("  orders:write"), "{text}");
    // Non-strings in the array are said.
    let (_, doc) = run_json(
        decode(&dir)
            .args(args)
            .arg(with_scope(json!(["orders:read", 5]))),
    );
    let message = finding(&doc, "token/invalid-claim")["message"].to_string();
    assert!(message.contains("holds a number"), "{message}");
    let (_, text) = run_text(decode(&dir).args(args).arg(with_scope(json!([]))));
    assert!(text.contains("(none: `scope` is an empty array)"), "{text}");

    // `scp` (Azure AD, Okta) is an array, and a space-separated string is read too.
    for scp in [
        json!(["orders:read", "orders:write"]),
        json!("orders:read orders:write"),
    ] {
        let mut c = good_claims();
        c.as_object_mut().unwrap().remove("scope");
        c["scp"] = scp.clone();
        let (code, doc) = run_json(decode(&dir).args(args).arg(hs(&c)));
        assert!(
            !codes(&doc).contains(&"token/invalid-claim".to_string()),
            "{scp}: {doc:#}"
        );
        assert_eq!(doc["scopes"].as_array().unwrap().len(), 2, "{scp}");
        assert_eq!(code, 0, "{scp}: {doc:#}");
    }
}

// ---------------------------------------------------------------------------------------
// 6. `--batch` lines carry the verdict (and the need)

#[test]
fn batch_lines_carry_the_verdict_and_the_need() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = example_registry();
    let mut expired = good_claims();
    expired["exp"] = json!(NOW - 10);
    let mut undefined = good_claims();
    undefined["scope"] = json!("orders:read telemetry:nuke");
    let lines = format!(
        "{}\n{}\n{}\n",
        hs(&good_claims()),
        hs(&expired),
        hs(&undefined)
    );
    let batch = file(&dir, "tokens.txt", &lines);
    let out = decode(&dir)
        .args([
            "--batch",
            &batch,
            "--secret-file",
            &secret,
            "--registry",
            &reg,
        ])
        .args(["--need", "orders:read"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let docs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3);
    let answers: Vec<&str> = docs
        .iter()
        .map(|d| d["verdict"]["acceptance"]["answer"].as_str().unwrap())
        .collect();
    assert_eq!(answers, ["accepted", "rejected", "accepted"]);
    assert_eq!(
        docs[1]["verdict"]["acceptance"]["because"],
        json!(["token/expired"])
    );
    assert_eq!(docs[0]["verdict"]["policy"]["errors"], 0);
    assert_eq!(docs[2]["verdict"]["policy"]["errors"], 1, "{:#}", docs[2]);
    for d in &docs {
        assert_eq!(d["need"]["satisfied"], true, "{d:#}");
        assert_eq!(d["verdict"]["need"]["satisfied"], true, "{d:#}");
        // Still lean: no per-run constants.
        assert!(
            d.get("summary").is_none() && d.get("now").is_none(),
            "{d:#}"
        );
    }
    // Without --need: no need.
    let out = decode(&dir)
        .args(["--batch", &batch, "--secret-file", &secret])
        .output()
        .unwrap();
    let first: Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(first.get("need").is_none(), "{first:#}");
    assert!(first["verdict"].get("need").is_none(), "{first:#}");
    assert_eq!(first["verdict"]["acceptance"]["answer"], "accepted");
}

#[test]
fn a_batch_line_with_a_malformed_signature_is_an_error_finding_not_an_unusable_run() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let good = hs(&good_claims());
    let short = with_signature(&good, &signature_of(&good)[..31]);
    let stripped = with_signature(&good, &[]);
    let batch = file(
        &dir,
        "tokens.txt",
        &format!("{good}\n{short}\n{stripped}\n"),
    );
    let run = |batch: &str| {
        let out = decode(&dir)
            .args(["--batch", batch, "--secret-file", &secret])
            .output()
            .unwrap();
        let docs: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (out.status.code().unwrap(), docs)
    };
    let (code, docs) = run(&batch);
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0]["verdict"]["acceptance"]["answer"], "accepted");
    for d in &docs[1..] {
        assert_eq!(d["signature"]["status"], "invalid", "{d:#}");
        assert_eq!(
            d["verdict"]["acceptance"]["because"],
            json!(["token/signature-malformed"]),
            "{d:#}"
        );
    }
    assert_eq!(code, 1, "a line with error findings: {docs:#?}");
    // A line whose token needs another kind of key (RS256 with only a secret) still
    // makes the batch exit 2.
    let mut rs_header = Header::new(Algorithm::RS256);
    rs_header.kid = None;
    let rs = format!(
        "{}.{}.{}",
        b64(&serde_json::to_vec(&rs_header).unwrap()),
        b64(good_claims().to_string().as_bytes()),
        b64(&[7u8; 256])
    );
    let mixed = file(&dir, "mixed.txt", &format!("{short}\n{rs}\n"));
    let (code, docs) = run(&mixed);
    assert!(
        codes(&docs[1]).contains(&"token/key-mismatch".to_string()),
        "{:#}",
        docs[1]
    );
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------
// 7. `scope` is split on spaces only (RFC 6749 §3.3), as a resource server splits it

#[test]
fn scopes_joined_by_a_tab_are_one_scope_and_an_invalid_claim() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = example_registry();
    let args = [
        "--secret-file",
        secret.as_str(),
        "--registry",
        &reg,
        "--need",
        "orders:write",
    ];
    let claims_with = |claim: &str, value: Value| {
        let mut c = good_claims();
        c.as_object_mut().unwrap().remove("scope");
        c[claim] = value;
        hs(&c)
    };
    for (claim, value, one, said) in [
        (
            "scope",
            json!("orders:read\torders:write"),
            r"`orders:read\torders:write`",
            r"a TAB (`\t`, U+0009)",
        ),
        (
            "scope",
            json!("orders:read\norders:write"),
            r"`orders:read\norders:write`",
            r"a line feed (`\n`, U+000A)",
        ),
        (
            "scope",
            json!("orders:read\u{a0}orders:write"),
            r"`orders:read\u{a0}orders:write`",
            "a no-break space (U+00A0)",
        ),
        (
            "scp",
            json!("orders:read\torders:write"),
            r"`orders:read\torders:write`",
            r"a TAB (`\t`, U+0009)",
        ),
        (
            "scp",
            json!(["orders:read orders:write"]),
            "`orders:read orders:write`",
            "whitespace inside one element",
        ),
    ] {
        let what = format!("{claim}: {value}");
        let token = claims_with(claim, value.clone());
        let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
        let message = finding(&doc, "token/invalid-claim")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(said), "{what}: {message}");
        assert!(message.contains(one), "{what}: {message}");
        assert!(message.contains("RFC 6749 §3.3"), "{what}: {message}");
        // One scope, as a resource server splitting on spaces reads it: it does not
        // carry orders:write.
        assert_eq!(
            doc["scopes"].as_array().unwrap().len(),
            1,
            "{what}: {doc:#}"
        );
        assert_eq!(doc["need"]["satisfied"], false, "{what}: {doc:#}");
        assert_eq!(doc["need"]["scopes"][0]["in_token"], false, "{what}");
        assert!(codes(&doc).contains(&"token/need-missing".to_string()));
        assert_eq!(doc["verdict"]["acceptance"]["answer"], "rejected");
        assert_verdict_adds_up(&doc);
        assert_eq!(code, 1, "{what}");
        let (_, text) = run_text(decode(&dir).args(args).arg(&token));
        assert!(
            text.contains("Carries what the endpoint needs (orders:write): NO (403)"),
            "{what}: {text}"
        );
        // Shown escaped in the scopes, on one line (the claims are JSON, as in the token).
        assert!(!text.contains('\t'), "{what}: {text}");
        let row = one.trim_matches('`');
        assert!(
            text.lines().any(|l| l.starts_with(&format!("  {row}  "))),
            "{what}: {text}"
        );
    }
    // Spaces, even several, separate; the scopes are read apart and carry the need.
    for scope in ["orders:read orders:write", " orders:read  orders:write "] {
        let token = claims_with("scope", json!(scope));
        let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
        assert!(
            !codes(&doc).contains(&"token/invalid-claim".to_string()),
            "{scope:?}: {doc:#}"
        );
        assert_eq!(doc["scopes"].as_array().unwrap().len(), 2, "{scope:?}");
        assert_eq!(doc["need"]["satisfied"], true, "{scope:?}");
        assert_eq!(code, 0, "{scope:?}: {doc:#}");
    }
    // Scopes either side of the TAB-joined pair are still read.
    let token = claims_with("scope", json!("openid orders:read\torders:write"));
    let (_, doc) = run_json(decode(&dir).args(args).arg(&token));
    let scopes: Vec<&str> = doc["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["openid", "orders:read\torders:write"]);
}

// ---------------------------------------------------------------------------------------
// 8. `[rules]` levels decode does not apply are said, not silently dropped

#[test]
fn a_level_set_for_a_rule_that_is_not_configurable_is_said_to_be_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let reg = registry_with(
        &dir,
        "[rules]\n\"token/signature-invalid\" = \"warn\"\n\"token/expired\" = \"allow\"\n\"token/key-unusable\" = \"warn\"\n\"token/no-exp\" = \"deny\"\n\"token/undefined-scope\" = \"allow\"\n\"token/unknown-client\" = \"allow\"\n",
    );
    let args = ["--registry", reg.as_str(), "--secret-file", &secret];
    let token = hs(&good_claims());
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    let notes: Vec<&str> = doc["notes"]
        .as_array()
        .unwrap_or_else(|| panic!("no notes: {doc:#}"))
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    // Catalog order; `token/no-exp` is set to the level it has, `token/undefined-scope`
    // and `token/unknown-client` are configurable (and applied): none is ignored.
    assert_eq!(notes.len(), 3, "{notes:#?}");
    assert!(
        notes[0].contains(r#""token/key-unusable" = "warn": ignored"#),
        "{notes:#?}"
    );
    assert!(notes[0].contains("the key given cannot check the token"));
    assert!(notes[1].contains(r#""token/signature-invalid" = "warn": ignored, it stays `deny`"#));
    assert!(notes[1].contains("decides whether a resource server accepts the token"));
    assert!(notes[2].contains(r#""token/expired" = "allow": ignored"#));
    assert!(notes[2].contains("clock_skew"), "{}", notes[2]);
    assert_eq!(code, 0, "notes do not change the outcome: {doc:#}");
    let (_, text) = run_text(decode(&dir).args(args).arg(&token));
    assert!(
        text.contains(
            r#"  note: [rules] in scopectl.toml sets "token/expired" = "allow": ignored"#
        ),
        "{text}"
    );
    // The rule still decides: a forged token stays an error.
    let forged = with_signature(&token, &[0u8; 32]);
    let (code, doc) = run_json(decode(&dir).args(args).arg(&forged));
    assert_eq!(
        finding(&doc, "token/signature-invalid")["severity"],
        "error"
    );
    assert_eq!(code, 1);
    // `--batch`: said once on stderr, never on the lines.
    let batch = file(&dir, "tokens.txt", &format!("{token}\n{token}\n"));
    let out = decode(&dir)
        .args(["--batch", &batch])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr
            .matches(r#"note: [rules] in scopectl.toml sets "token/expired""#)
            .count(),
        1,
        "{stderr}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("ignored"), "{stdout}");
    // A registry without such levels: no notes.
    let (_, doc) = run_json(decode(&dir).args(["--secret-file", &secret]).arg(&token));
    assert!(doc.get("notes").is_none(), "{doc:#}");
}

// ---------------------------------------------------------------------------------------
// Minor: a needed scope the registry does not define

#[test]
fn a_needed_scope_the_registry_does_not_define_is_said_to_be_undefined() {
    let dir = tempfile::tempdir().unwrap();
    let reg = example_registry();
    let token = hs(&good_claims());
    let args = ["--registry", &reg, "--need", "nonexistent:x"];
    let (_, text) = run_text(decode(&dir).args(args).arg(&token));
    assert!(
        text.contains("lacks nonexistent:x (not defined in the registry)"),
        "{text}"
    );
    assert!(!text.contains("NOT granted"), "{text}");
    let (code, doc) = run_json(decode(&dir).args(args).arg(&token));
    assert_eq!(doc["need"]["scopes"][0]["defined"], false, "{doc:#}");
    let help = finding(&doc, "token/need-missing")["help"].to_string();
    assert!(help.contains("not defined in the registry"), "{help}");
    assert_eq!(code, 1);
    // A defined scope the client is not granted is still "NOT granted".
    let (_, text) = run_text(
        decode(&dir)
            .args(["--registry", &reg, "--need", "system:reboot"])
            .arg(&token),
    );
    assert!(text.contains("(NOT granted in the registry)"), "{text}");
}

// ---------------------------------------------------------------------------------------
// "Accepted" says what it did not check

#[test]
fn accepted_says_issuer_and_audience_were_not_checked_without_iss_and_aud() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let token = hs(&good_claims());
    let accepted = |args: &[&str]| {
        let (code, text) = run_text(
            decode(&dir)
                .args(["--secret-file", &secret])
                .args(args)
                .arg(&token),
        );
        assert_eq!(code, 0, "{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with("Accepted by a resource server: "))
            .unwrap_or_else(|| panic!("{text}"))
            .to_string();
        let (_, doc) = run_json(
            decode(&dir)
                .args(["--secret-file", &secret])
                .args(args)
                .arg(&token),
        );
        assert_eq!(
            doc["verdict"]["acceptance"],
            json!({"answer": "accepted"}),
            "{doc:#}"
        );
        (line, doc["verdict"]["not_checked"].clone())
    };
    // Neither: any issuer and any audience would have passed.
    let (line, not_checked) = accepted(&[]);
    assert_eq!(
        line,
        "Accepted by a resource server: yes (signature verified; time and size acceptable; issuer and audience not checked (no --iss, no --aud))"
    );
    assert_eq!(not_checked, json!(["issuer", "audience"]));
    // Only the issuer.
    let iss = ["--iss", "https://id.example.com/realms/shop"];
    let (line, not_checked) = accepted(&iss);
    assert!(
        line.ends_with("(signature verified; time, issuer and size acceptable; audience not checked (no --aud))"),
        "{line}"
    );
    assert_eq!(not_checked, json!(["audience"]));
    // Both: everything a resource server checks was checked.
    let (line, not_checked) = accepted(&[iss[0], iss[1], "--aud", "orders-api"]);
    assert!(
        line.ends_with("(signature verified; time, issuer, audience and size acceptable)"),
        "{line}"
    );
    assert_eq!(not_checked, json!([]));
}

// ---------------------------------------------------------------------------------------
// 9. A member name written twice is `token/duplicate-claim` at any depth, named by its path

/// `header_json.payload_json`, signed with HS256 and `SECRET` as written (serde_json
/// cannot write a member name twice, so the JSON text is built by hand).
fn hs_raw(header_json: &str, payload_json: &str) -> String {
    let input = format!(
        "{}.{}",
        b64(header_json.as_bytes()),
        b64(payload_json.as_bytes())
    );
    let sig = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{sig}")
}

const HS_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The healthy claims with `extra` (members, as JSON text) written after them.
fn claims_with(extra: &str) -> String {
    let s = good_claims().to_string();
    format!("{},{extra}}}", &s[..s.len() - 1])
}

/// The messages of the `token/duplicate-claim` findings.
fn duplicate_messages(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/duplicate-claim")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// Decode a correctly signed token: it must be rejected for `token/duplicate-claim` alone
/// (exit 1), and its duplicate findings' messages are returned.
fn rejected_for_duplicates(dir: &tempfile::TempDir, token: &str) -> (Value, Vec<String>) {
    let secret = file(dir, "s", SECRET);
    let (code, doc) = run_json(decode(dir).args(["--secret-file", &secret, token]));
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    assert_eq!(
        doc["verdict"]["acceptance"],
        json!({"answer": "rejected", "because": ["token/duplicate-claim"]}),
        "{doc:#}"
    );
    assert_eq!(doc["valid"], false);
    assert_eq!(code, 1, "{doc:#}");
    assert_verdict_adds_up(&doc);
    let messages = duplicate_messages(&doc);
    (doc, messages)
}

#[test]
fn a_member_twice_in_a_nested_object_is_a_duplicate_claim_naming_its_path() {
    let dir = tempfile::tempdir().unwrap();
    // Keycloak's realm roles: one parser sees `user`, another `admin`.
    let token = hs_raw(
        HS_HEADER,
        &claims_with(r#""realm_access":{"roles":["user"],"roles":["admin"]}"#),
    );
    let (doc, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("the payload has the member `realm_access.roles` more than once"),
        "{messages:?}"
    );
    // scopectl shows the last value, as at the top level.
    assert_eq!(doc["claims"]["realm_access"], json!({"roles": ["admin"]}));
    let f = finding(&doc, "token/duplicate-claim");
    assert_eq!(f["severity"], "error");
    assert!(
        f["help"].as_str().unwrap().contains("parsers differ"),
        "{f}"
    );

    // `cnf` with two thumbprints: a proof-of-possession check could bind either key.
    let token = hs_raw(
        HS_HEADER,
        &claims_with(
            r#""cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I","jkt":"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"}"#,
        ),
    );
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`cnf.jkt`"), "{messages:?}");

    // The same name in different objects, or in different elements of an array, is not a
    // duplicate: that token is accepted.
    let secret = file(&dir, "s", SECRET);
    let clean = hs_raw(
        HS_HEADER,
        &claims_with(
            r#""realm_access":{"roles":["user"]},"resource_access":{"a":{"roles":["x"]},"b":{"roles":["y"]}},"authorization_details":[{"type":"a"},{"type":"b"}]"#,
        ),
    );
    let (code, doc) = run_json(decode(&dir).args(["--secret-file", &secret, &clean]));
    assert_eq!(
        doc["verdict"]["acceptance"]["answer"], "accepted",
        "{doc:#}"
    );
    assert!(duplicate_messages(&doc).is_empty(), "{doc:#}");
    assert_eq!(code, 0, "{doc:#}");
}

#[test]
fn a_member_twice_deeper_down_or_in_an_array_element_is_named_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    // Doubly nested: Keycloak's client roles.
    let token = hs_raw(
        HS_HEADER,
        &claims_with(r#""resource_access":{"orders-api":{"roles":["reader"],"roles":["admin"]}}"#),
    );
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("`resource_access.orders-api.roles`"),
        "{messages:?}"
    );

    // A whole client written twice, each copy with a repeat of its own: three paths, one
    // finding each (the repeat in both copies is one path).
    let token = hs_raw(
        HS_HEADER,
        &claims_with(
            r#""resource_access":{"api":{"roles":["a"],"roles":["b"]},"api":{"roles":["c"],"roles":["d"],"x":1,"x":2}}"#,
        ),
    );
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    let mut paths: Vec<&str> = messages
        .iter()
        .map(|m| m.split('`').nth(1).unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "resource_access.api",
            "resource_access.api.roles",
            "resource_access.api.x"
        ],
        "{messages:?}"
    );

    // In an element of an array (RFC 9396 authorization details): its index.
    let token = hs_raw(
        HS_HEADER,
        &claims_with(
            r#""authorization_details":[{"type":"a"},{"type":"payment_initiation","actions":["read"],"type":"account_information"}]"#,
        ),
    );
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("`authorization_details[1].type`"),
        "{messages:?}"
    );

    // Nested arrays, and a name that is not a plain word is quoted (an Auth0 namespaced
    // claim holds dots: `a.b.c` would read as three names).
    let token = hs_raw(
        HS_HEADER,
        &claims_with(r#""https://example.com/claims":{"groups":[[{"g":1,"g":2}]]}"#),
    );
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains(r#"`["https://example.com/claims"].groups[0][0].g`"#),
        "{messages:?}"
    );

    // The top level is named as before.
    let token = hs_raw(HS_HEADER, &claims_with(r#""sub":"someone-else""#));
    let (_, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with(
            "the payload has the member `sub` more than once; scopectl shows the last value"
        ),
        "{messages:?}"
    );
}

#[test]
fn a_member_twice_in_a_nested_header_object_is_a_duplicate_claim() {
    let dir = tempfile::tempdir().unwrap();
    // An embedded `jwk` with two `kty`: which key it describes depends on the parser.
    let token = hs_raw(
        r#"{"alg":"HS256","typ":"JWT","jwk":{"kty":"oct","kty":"RSA","n":"AQAB","e":"AQAB"}}"#,
        &good_claims().to_string(),
    );
    let (doc, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("the header has the member `jwk.kty` more than once"),
        "{messages:?}"
    );
    // The embedded key is still said.
    assert!(
        codes(&doc).contains(&"token/embedded-key".to_string()),
        "{doc:#}"
    );
    assert_eq!(doc["header"]["jwk"]["kty"], "RSA");

    // Human output names it too.
    let secret = file(&dir, "s", SECRET);
    let (code, text) = run_text(decode(&dir).args(["--secret-file", &secret, &token]));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(
            "error[token/duplicate-claim]: the header has the member `jwk.kty` more than once"
        ),
        "{text}"
    );
    assert!(
        text.contains("Accepted by a resource server: NO: token/duplicate-claim"),
        "{text}"
    );
}

#[test]
fn many_duplicates_are_listed_up_to_twenty_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    // 25 objects, each with one member twice: 25 paths, 20 listed.
    let extra: Vec<String> = (0..25)
        .map(|i| format!(r#""o{i:02}":{{"r":1,"r":2}}"#))
        .collect();
    let token = hs_raw(HS_HEADER, &claims_with(&extra.join(",")));
    let (doc, messages) = rejected_for_duplicates(&dir, &token);
    assert_eq!(messages.len(), 20, "{messages:?}");
    for (i, m) in messages.iter().enumerate() {
        assert!(m.contains(&format!("`o{i:02}.r`")), "{i}: {m}");
    }
    let listed: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/duplicate-claim")
        .collect();
    // The last one listed says how many more there are; the others have no note.
    assert_eq!(
        listed[19]["notes"],
        json!(["and 5 more member names written more than once in the payload, not listed (only the first 20 are)"]),
        "{:#}",
        listed[19]
    );
    assert!(listed[..19].iter().all(|f| f.get("notes").is_none()));

    // A hostile token: tens of thousands of repeated names (in a file, a token of almost
    // 1 MiB) still make 20 findings, and an output the size of its claims.
    let mut payload = String::from(r#"{"exp":1,"o":{"#);
    let n = 30_000;
    for i in 0..n {
        payload.push_str(&format!(r#""{i:x}":0,"{i:x}":0,"#));
    }
    payload.push_str(r#""z":0},"exp":2}"#);
    let token = hs_raw(HS_HEADER, &payload);
    assert!(token.len() < 1 << 20, "{}", token.len());
    let path = file(&dir, "big.jwt", &token);
    let out = decode(&dir)
        .args(["--secret-file", &secret, &path, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages = duplicate_messages(&doc);
    assert_eq!(messages.len(), 20);
    // `o.0` … first (the top-level `exp` is found when the reader reaches it, at the end).
    assert!(messages[0].contains("`o.0`"), "{messages:?}");
    let notes = &doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token/duplicate-claim")
        .nth(19)
        .unwrap()["notes"];
    assert_eq!(
        notes,
        &json!([format!(
            "and {} more member names written more than once in the payload, not listed (only the first 20 are)",
            n + 1 - 20
        )])
    );
    let findings_bytes = doc["findings"].to_string().len();
    assert!(findings_bytes < 16 * 1024, "{findings_bytes}");
}

#[test]
fn a_batch_line_carries_a_nested_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let secret = file(&dir, "s", SECRET);
    let dup = hs_raw(
        HS_HEADER,
        &claims_with(r#""realm_access":{"roles":["user"],"roles":["admin"]}"#),
    );
    let batch = file(
        &dir,
        "tokens.txt",
        &format!("{}\n{dup}\n", hs(&good_claims())),
    );
    let out = decode(&dir)
        .args(["--batch", &batch, "--secret-file", &secret])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let docs: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["verdict"]["acceptance"]["answer"], "accepted");
    assert_eq!(
        docs[1]["verdict"]["acceptance"],
        json!({"answer": "rejected", "because": ["token/duplicate-claim"]}),
        "{:#}",
        docs[1]
    );
    assert_eq!(docs[1]["line"], 2);
    let messages = duplicate_messages(&docs[1]);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("`realm_access.roles`"), "{messages:?}");
}
