//! Property tests: whatever is pasted into `decode`, the library answers with data or an
//! `InputError`, never a panic; and every member name written twice, at any depth, is
//! reported once by its path, while the claims read are serde_json's (the last value).

use proptest::prelude::*;
use scopectl::registry::policy::Policy;
use scopectl::token::{self, b64url, findings, verify};

/// A JWKS with one EC P-256 key, generated once.
fn keys() -> &'static verify::KeySet {
    static K: std::sync::OnceLock<verify::KeySet> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        let sk = p256::SecretKey::random(&mut rand::thread_rng());
        let pem = sk.to_pkcs8_pem(LineEnding::LF).unwrap();
        let ek = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let mut jwk =
            jsonwebtoken::jwk::Jwk::from_encoding_key(&ek, jsonwebtoken::Algorithm::ES256).unwrap();
        jwk.common.key_id = Some("k1".into());
        let set = serde_json::json!({ "keys": [jwk] }).to_string();
        verify::KeySet::from_jwks(set.as_bytes(), verify::KeyOrigin::JwksFile("t".into())).unwrap()
    })
}

fn check_all(input: &str) {
    if let Ok(d) = token::decode(input) {
        let _ = verify::verify(&d, None, verify::DEFAULT_ALGORITHMS);
        let _ = verify::verify(&d, Some(keys()), verify::DEFAULT_ALGORITHMS);
        let policy = Policy::default();
        let ctx = findings::Context {
            today: None,
            now: 1_795_608_000,
            policy: &policy,
            registry: None,
            expected_iss: Some("https://id.example.com"),
            expected_aud: &["api".to_string()],
            describe_times: true,
            environment: None,
        };
        let _ = findings::check(&d, &ctx);
    }
}

/// Arbitrary JSON values, to put in a header or payload.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("exp".to_string()),
                        Just("iat".to_string()),
                        Just("nbf".to_string()),
                        Just("auth_time".to_string()),
                        Just("scope".to_string()),
                        Just("scp".to_string()),
                        Just("aud".to_string()),
                        Just("iss".to_string()),
                        Just("azp".to_string()),
                        Just("alg".to_string()),
                        Just("kid".to_string()),
                        "[a-z]{1,8}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// JWK-shaped objects with arbitrary (often wrong) members.
fn jwk() -> impl Strategy<Value = serde_json::Value> {
    (
        prop_oneof![Just("RSA"), Just("EC"), Just("OKP"), Just("oct"), Just("x")],
        prop::option::of(prop_oneof![
            Just("P-256"),
            Just("P-384"),
            Just("Ed25519"),
            Just("X25519"),
            Just("P-521")
        ]),
        prop::option::of(prop_oneof![
            Just("RS256"),
            Just("ES256"),
            Just("EdDSA"),
            Just("HS256"),
            Just("RSA-OAEP"),
            Just("none")
        ]),
        prop::option::of(prop_oneof![Just("sig"), Just("enc")]),
        prop::collection::vec("[A-Za-z0-9_-]{0,12}", 4),
    )
        .prop_map(|(kty, crv, alg, use_, v)| {
            let mut m = serde_json::Map::new();
            m.insert("kty".into(), kty.into());
            if let Some(c) = crv {
                m.insert("crv".into(), c.into());
            }
            if let Some(a) = alg {
                m.insert("alg".into(), a.into());
            }
            if let Some(u) = use_ {
                m.insert("use".into(), u.into());
            }
            for (k, val) in ["n", "e", "x", "y"].iter().zip(v) {
                m.insert((*k).into(), val.into());
            }
            m.insert("kid".into(), "k1".into());
            serde_json::Value::Object(m)
        })
}

/// JSON written by hand, so that an object may have a member name more than once.
#[derive(Debug, Clone)]
enum Raw {
    Leaf(serde_json::Value),
    Array(Vec<Raw>),
    Object(Vec<(String, Raw)>),
}

impl Raw {
    fn text(&self, out: &mut String) {
        match self {
            Raw::Leaf(v) => out.push_str(&v.to_string()),
            Raw::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.text(out);
                }
                out.push(']');
            }
            Raw::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                    out.push(':');
                    v.text(out);
                }
                out.push('}');
            }
        }
    }

    /// The paths of the members written twice, as docs/decode.md writes them: names
    /// joined by `.`, `[i]` for an array element, `["…"]` for a name that is not plain.
    fn repeated(&self, at: &str, out: &mut std::collections::BTreeSet<String>) {
        match self {
            Raw::Leaf(_) => {}
            Raw::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    v.repeated(&format!("{at}[{i}]"), out);
                }
            }
            Raw::Object(members) => {
                let mut seen = std::collections::HashSet::new();
                for (k, v) in members {
                    let plain = k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    let path = match (plain, at.is_empty()) {
                        (true, true) => k.clone(),
                        (true, false) => format!("{at}.{k}"),
                        (false, _) => format!("{at}[{}]", serde_json::Value::from(k.as_str())),
                    };
                    if !seen.insert(k) {
                        out.insert(path.clone());
                    }
                    v.repeated(&path, out);
                }
            }
        }
    }
}

/// Objects with names from a few, so that repeats are common (`a.b`, `ü` and `x y` need
/// quoting).
fn raw() -> impl Strategy<Value = Raw> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| Raw::Leaf(i.into())),
        "[a-z]{0,3}".prop_map(|s| Raw::Leaf(s.into())),
    ];
    let name = prop_oneof![
        6 => "[a-d]",
        1 => Just("a.b".to_string()),
        1 => Just("ü".to_string()),
        1 => Just("x y".to_string()),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Raw::Array),
            prop::collection::vec((name.clone(), inner), 0..8).prop_map(Raw::Object),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in ".*") {
        check_all(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..400)) {
        check_all(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn dotted_base64ish_strings_never_panic(parts in prop::collection::vec("[A-Za-z0-9_=+/ -]{0,40}", 1..7)) {
        check_all(&parts.join("."));
    }

    #[test]
    fn arbitrary_jwks_documents_never_panic(v in json(), keys in prop::collection::vec(json(), 0..4)) {
        let _ = verify::KeySet::from_jwks(v.to_string().as_bytes(), verify::KeyOrigin::JwksFile("p".into()));
        let doc = serde_json::json!({ "keys": keys }).to_string();
        let _ = verify::KeySet::from_jwks(doc.as_bytes(), verify::KeyOrigin::JwksFile("p".into()));
    }

    #[test]
    fn jwk_shaped_keys_never_panic(keys in prop::collection::vec(jwk(), 1..4), t in "[A-Za-z0-9_-]{0,40}") {
        let doc = serde_json::json!({ "keys": keys }).to_string();
        if let Ok(set) = verify::KeySet::from_jwks(doc.as_bytes(), verify::KeyOrigin::JwksFile("p".into())) {
            for alg in ["RS256", "ES256", "ES384", "EdDSA", "PS256"] {
                let h = format!(r#"{{"alg":"{alg}","kid":"k1"}}"#);
                let tok = format!("{}.e30.{}", b64url(h.as_bytes()), t);
                if let Ok(d) = token::decode(&tok) {
                    let _ = verify::verify(&d, Some(&set), verify::DEFAULT_ALGORITHMS);
                }
            }
        }
        let _ = verify::KeySet::from_jwks(doc.as_bytes(), verify::KeyOrigin::JwksFile("p".into()));
    }

    #[test]
    fn arbitrary_json_headers_and_claims_never_panic(h in json(), p in json(), sig in prop::collection::vec(any::<u8>(), 0..80)) {
        let t = format!("{}.{}.{}", b64url(h.to_string().as_bytes()), b64url(p.to_string().as_bytes()), b64url(&sig));
        check_all(&t);
        check_all(&format!("Authorization: Bearer {t}"));
    }

    #[test]
    fn every_member_written_twice_is_reported_once_by_its_path(
        members in prop::collection::vec(("[a-d]", raw()), 0..10)
    ) {
        let payload = Raw::Object(members);
        let mut text = String::new();
        payload.text(&mut text);
        let t = format!("{}.{}.c2ln", b64url(br#"{"alg":"HS256"}"#), b64url(text.as_bytes()));
        let d = token::decode(&t).unwrap();
        // The claims are what serde_json reads: the last value of a repeated name.
        let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::Value::Object(d.claims.clone()), expected);
        let mut repeated = std::collections::BTreeSet::new();
        payload.repeated("", &mut repeated);
        let listed: std::collections::BTreeSet<String> =
            d.duplicate_claims.paths.iter().cloned().collect();
        prop_assert_eq!(listed.len(), d.duplicate_claims.paths.len(), "listed twice: {:?}", d.duplicate_claims);
        prop_assert_eq!(listed.len(), repeated.len().min(20));
        prop_assert!(listed.is_subset(&repeated), "{:?} not in {:?}", listed, repeated);
        prop_assert_eq!(d.duplicate_claims.more, repeated.len().saturating_sub(20));
        prop_assert!(d.duplicate_header.paths.is_empty());
        check_all(&t);
    }
}
