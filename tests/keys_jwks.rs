//! `scopectl keys --jwks FILE`: a kid that names several different keys.

use serde_json::{json, Value};

fn b64(bytes: &[u8]) -> String {
    scopectl::token::b64url(bytes)
}

/// An RSA JWK of 2048 bits whose modulus starts with `first` (the keys are only compared,
/// never used).
fn rsa(kid: &str, first: u8) -> Value {
    let mut n = vec![0xC5u8; 256];
    n[0] = first;
    json!({"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64(&n), "e": "AQAB"})
}

fn keys(set: &Value) -> (i32, Vec<String>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, set.to_string()).unwrap();
    let out = assert_cmd::Command::cargo_bin("scopectl")
        .unwrap()
        .current_dir(dir.path())
        .args(["keys", "--format", "json", "--jwks"])
        .arg(&path)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let codes = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (out.status.code().unwrap(), codes, doc)
}

#[test]
fn one_kid_for_two_different_keys_is_a_warning() {
    // Two different keys under one kid (a rotation that kept the kid).
    let (code, codes, doc) =
        keys(&json!({"keys": [rsa("k1", 0xC1), rsa("k1", 0xC2), rsa("k2", 0xC3)]}));
    assert_eq!(codes, ["key/duplicate-kid"], "{doc:#}");
    let f = &doc["findings"][0];
    assert_eq!(f["severity"], "warning", "{doc:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .starts_with("kid \"k1\" names 2 different RSA keys"),
        "{doc:#}"
    );
    assert_eq!(code, 0, "a warning: {doc:#}");
    // The same key listed twice is no finding; padding on a member changes nothing.
    let mut padded = rsa("k1", 0xC1);
    padded["e"] = json!("AQAB==");
    let (_, codes, doc) = keys(&json!({"keys": [rsa("k1", 0xC1), padded]}));
    assert!(codes.is_empty(), "{doc:#}");
    // Keys of different kinds under one kid are key/alg-mix, said once.
    let ec = json!({"kty": "EC", "kid": "k1", "alg": "ES256", "use": "sig", "crv": "P-256",
        "x": b64(&[1; 32]), "y": b64(&[2; 32])});
    let (_, codes, doc) = keys(&json!({"keys": [rsa("k1", 0xC1), ec]}));
    assert_eq!(codes, ["key/alg-mix"], "{doc:#}");
    // A key for encryption is not a signing key: no finding.
    let mut enc = rsa("k1", 0xC2);
    enc["use"] = json!("enc");
    let (_, codes, doc) = keys(&json!({"keys": [rsa("k1", 0xC1), enc]}));
    assert!(codes.is_empty(), "{doc:#}");
}

#[test]
fn a_published_key_that_cannot_be_used_is_malformed() {
    let ec = |x: &[u8], y: &[u8]| {
        json!({"kty": "EC", "kid": "ec", "alg": "ES256", "use": "sig", "crv": "P-256",
            "x": b64(x), "y": b64(y)})
    };
    let one = |key: Value| {
        let (code, codes, doc) = keys(&json!({"keys": [rsa("good", 0xC1), key]}));
        let message = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "key/malformed")
            .map(|f| f["message"].as_str().unwrap().to_string());
        (code, codes, message)
    };
    // A sound EC key: no finding.
    let (code, codes, _) = one(ec(&[1; 32], &[2; 32]));
    assert!(codes.is_empty(), "{codes:?}");
    assert_eq!(code, 0);
    // A coordinate of the wrong length (a P-384 x in a P-256 key).
    let (code, codes, message) = one(ec(&[1; 48], &[2; 32]));
    assert_eq!(codes, ["key/malformed"]);
    assert_eq!(
        message.unwrap(),
        "published key kid=\"ec\" (ES256) cannot be used: `x` is 48 bytes, where P-256 needs 32"
    );
    assert_eq!(code, 1, "an error");
    // A member missing, not base64url, not a string; an unknown curve.
    let mut no_y = ec(&[1; 32], &[2; 32]);
    no_y.as_object_mut().unwrap().remove("y");
    assert!(one(no_y)
        .2
        .unwrap()
        .ends_with("cannot be used: it has no `y`"));
    let mut bad_n = rsa("r", 0xC2);
    bad_n["n"] = json!("not*base64");
    assert!(one(bad_n).2.unwrap().ends_with("`n` is not base64url"));
    let mut number = rsa("r", 0xC2);
    number["e"] = json!(65537);
    assert!(one(number).2.unwrap().ends_with("`e` is not a string"));
    let mut curve = ec(&[1; 32], &[2; 32]);
    curve["crv"] = json!("secp256k1");
    assert!(one(curve)
        .2
        .unwrap()
        .ends_with("its curve \"secp256k1\" is not one JOSE defines for EC keys"));
    let ed = json!({"kty": "OKP", "kid": "ed", "alg": "EdDSA", "use": "sig", "crv": "Ed25519", "x": b64(&[3; 31])});
    assert!(one(ed)
        .2
        .unwrap()
        .ends_with("`x` is 31 bytes, where Ed25519 needs 32"));
    // A key given only as a certificate chain (x5c) is not said to lack `n` and `e`.
    let chain = json!({"kty": "RSA", "kid": "c1", "alg": "RS256", "use": "sig", "x5c": ["MIIB"]});
    assert_eq!(one(chain).2, None);
    // A key for encryption is not judged as a signing key.
    let mut enc = ec(&[1; 48], &[2; 32]);
    enc["use"] = json!("enc");
    assert!(one(enc).1.is_empty());
}
