//! Property test over what an OpenID provider answers to `decode --discover`: a server on
//! 127.0.0.1 serves an arbitrary discovery document (any JSON, or bytes that are not JSON)
//! and an arbitrary JWKS. Discovery and key parsing must never panic: they give a key set
//! or an error that names what is wrong.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use scopectl::token::verify;

/// The two answers the server gives, swapped per case.
type Answers = Arc<Mutex<(Vec<u8>, Vec<u8>)>>;

fn serve() -> (String, Answers) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let answers: Answers = Arc::new(Mutex::new((Vec::new(), Vec::new())));
    let shared = answers.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().expect("clone"));
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let (discovery, jwks) = shared.lock().expect("lock").clone();
            let body = if first.contains("openid-configuration") {
                discovery
            } else {
                jwks
            };
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(&body);
        }
    });
    (url, answers)
}

fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        "[ -~é]{0,30}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "issuer", "jwks_uri", "keys", "kty", "kid", "n", "e", "crv", "x", "y", "alg",
                    "use", "k", "other",
                ]),
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_discovery_documents_and_jwks_never_panic(
        doc in json(),
        point_at_server in any::<bool>(),
        keys in json(),
        noise in prop::collection::vec(any::<u8>(), 0..200),
        noisy in any::<bool>(),
    ) {
        static SERVER: std::sync::OnceLock<(String, Answers)> = std::sync::OnceLock::new();
        let (url, answers) = SERVER.get_or_init(serve);
        // Half the documents are made to look right (the issuer matches and jwks_uri points
        // at the server), so the JWKS answer is parsed too.
        let mut doc = doc;
        if point_at_server {
            if let serde_json::Value::Object(m) = &mut doc {
                m.insert("issuer".into(), url.clone().into());
                m.insert("jwks_uri".into(), format!("{url}/jwks").into());
            }
        }
        let discovery = serde_json::to_vec(&doc).expect("json");
        let jwks = if noisy { noise } else { serde_json::to_vec(&keys).expect("json") };
        *answers.lock().expect("lock") = (discovery, jwks);
        let opts = verify::FetchOptions { insecure_http: false, timeout: Duration::from_secs(5) };
        match verify::discover(url, &opts) {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
