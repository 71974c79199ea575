//! Property tests: whatever is pasted into `decode`, the library answers with data or an
//! `InputError`, never a panic.

use proptest::prelude::*;
use scopectl::policy::Policy;
use scopectl::token::{self, b64url, findings, verify};

fn check_all(input: &str) {
    if let Ok(d) = token::decode(input) {
        let _ = verify::verify(&d, None, verify::DEFAULT_ALGORITHMS);
        let policy = Policy::default();
        let ctx = findings::Context {
            now: 1_795_608_000,
            policy: &policy,
            registry: None,
            expected_iss: Some("https://id.example.com"),
            expected_aud: &["api".to_string()],
            describe_times: true,
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
    fn arbitrary_json_headers_and_claims_never_panic(h in json(), p in json(), sig in prop::collection::vec(any::<u8>(), 0..80)) {
        let t = format!("{}.{}.{}", b64url(h.to_string().as_bytes()), b64url(p.to_string().as_bytes()), b64url(&sig));
        check_all(&t);
        check_all(&format!("Authorization: Bearer {t}"));
    }
}
