//! Answer bodies are capped by what each request expects back (README, Limits): a
//! misbehaving server on 127.0.0.1, started by each test, answers one endpoint with a
//! body that never ends (or one just under its cap). scopectl must stop reading at the
//! endpoint's limit with an error naming the URL, the kind of answer and the limit
//! (exit 2), and never hold more than that.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use support::{scopectl, Registry};

const MIB: u64 = 1024 * 1024;

/// How the server answers a path.
#[derive(Clone)]
enum Reply {
    /// 200 with this JSON body.
    Json(String),
    /// 200 with a JSON array that never ends (until the client hangs up).
    Endless,
}

struct Server {
    url: String,
    /// Bytes of endless bodies written so far.
    streamed: Arc<AtomicU64>,
}

/// Start a server answering the first route whose path fragment the request path
/// contains; anything else gets 404.
fn serve(routes: Vec<(&'static str, Reply)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let streamed = Arc::new(AtomicU64::new(0));
    let counter = streamed.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let (routes, counter) = (routes.clone(), counter.clone());
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                match routes.iter().find(|(p, _)| path.contains(p)).map(|r| &r.1) {
                    Some(Reply::Json(b)) => {
                        let _ = write!(
                            conn,
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                             content-length: {}\r\nconnection: close\r\n\r\n{b}",
                            b.len()
                        );
                    }
                    Some(Reply::Endless) => {
                        let _ = conn.write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                              connection: close\r\n\r\n[",
                        );
                        let chunk = "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",".repeat(2048);
                        while conn.write_all(chunk.as_bytes()).is_ok() {
                            counter.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                        }
                    }
                    None => {
                        let _ = conn.write_all(
                            b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\
                              connection: close\r\n\r\n{}",
                        );
                    }
                }
            });
        }
    });
    Server { url, streamed }
}

impl Server {
    /// The endless bodies stopped near `limit`: scopectl hung up once it was reached
    /// (socket buffers account for the slack).
    fn assert_stopped_near(&self, limit: u64) {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let streamed = self.streamed.load(Ordering::SeqCst);
        assert!(
            streamed < limit + 16 * MIB,
            "{streamed} bytes streamed for a {limit}-byte limit"
        );
    }
}

/// Run scopectl; expect exit 2 and return stdout and stderr together.
fn fails(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    text
}

fn keycloak_registry(url: &str) -> Registry {
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"r\"\n\
             client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_CAP_SECRET\"\n\
             retry_base_delay = \"10ms\"\n"
        ),
    );
    reg
}

fn plan(reg: &Registry) -> String {
    fails(
        scopectl()
            .args(["plan", "--today", "2026-11-25"])
            .arg(reg.path())
            .env("SCOPECTL_TEST_CAP_SECRET", "s3cret-value"),
    )
}

#[test]
fn keycloak_token_answer_is_capped_at_256_kib() {
    let server = serve(vec![("/protocol/openid-connect/token", Reply::Endless)]);
    let text = plan(&keycloak_registry(&server.url));
    assert!(
        text.contains("/realms/r/protocol/openid-connect/token"),
        "{text}"
    );
    assert!(
        text.contains("longer than 256 KiB, the limit for a token endpoint answer"),
        "{text}"
    );
    server.assert_stopped_near(256 * 1024);
}

#[test]
fn keycloak_admin_list_is_capped_at_64_mib_and_a_token_under_its_cap_is_read() {
    // A token answer of 200 KiB (under the cap) is read; the client-scope list never ends.
    let padding = " ".repeat(200 * 1024);
    let token = format!("{{\"access_token\":\"tok-tok-tok\",\"expires_in\":60{padding}}}");
    let server = serve(vec![
        ("/protocol/openid-connect/token", Reply::Json(token)),
        ("/admin/realms/r/client-scopes", Reply::Endless),
    ]);
    let text = plan(&keycloak_registry(&server.url));
    assert!(text.contains("/admin/realms/r/client-scopes"), "{text}");
    assert!(
        text.contains("longer than 64 MiB, the limit for a Keycloak admin list"),
        "{text}"
    );
    assert!(text.contains("see Limits in the README"), "{text}");
    server.assert_stopped_near(64 * MIB);
}

fn rfc7592_registry(issuer: &str, client_uri: &str) -> Registry {
    let reg = Registry::new();
    reg.write("rat.txt", "registration-access-token\n");
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.op]\nkind = \"rfc7592\"\nurl = \"{issuer}\"\nretry_base_delay = \"10ms\"\n\n\
             [targets.op.clients.\"app\"]\nregistration_client_uri = \"{client_uri}\"\n\
             registration_access_token_file = \"rat.txt\"\n"
        ),
    );
    reg
}

#[test]
fn rfc7592_discovery_and_client_metadata_are_capped_at_1_mib() {
    let server = serve(vec![("/.well-known/openid-configuration", Reply::Endless)]);
    let reg = rfc7592_registry(&server.url, &format!("{}/reg/app", server.url));
    let text = plan(&reg);
    assert!(text.contains("/.well-known/openid-configuration"), "{text}");
    assert!(
        text.contains("longer than 1 MiB, the limit for a discovery document"),
        "{text}"
    );
    server.assert_stopped_near(MIB);

    let server = serve(vec![
        (
            "/.well-known/openid-configuration",
            Reply::Json("{\"issuer\":\"x\",\"scopes_supported\":[\"openid\"]}".into()),
        ),
        ("/reg/app", Reply::Endless),
    ]);
    let reg = rfc7592_registry(&server.url, &format!("{}/reg/app", server.url));
    let text = plan(&reg);
    assert!(text.contains("/reg/app"), "{text}");
    assert!(
        text.contains("longer than 1 MiB, the limit for RFC 7592 client metadata"),
        "{text}"
    );
    assert!(!text.contains("registration-access-token"), "{text}");
    server.assert_stopped_near(MIB);
}

/// A token with an RS256 header (never verified: the keys cannot be read).
fn token(iss: &str) -> String {
    use base64::Engine;
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.{}",
        b64(r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#),
        b64(&format!(
            r#"{{"iss":"{iss}","sub":"u","exp":1795608600,"iat":1795607900}}"#
        )),
        b64("not-a-signature")
    )
}

#[test]
fn decode_jwks_is_capped_at_2_mib_and_discovery_at_1_mib() {
    let server = serve(vec![("/certs", Reply::Endless)]);
    let text = fails(scopectl().args([
        "decode",
        "--now",
        "2026-11-25T12:00:00Z",
        "--jwks",
        &format!("{}/certs", server.url),
        &token(&server.url),
    ]));
    assert!(text.contains("/certs"), "{text}");
    assert!(
        text.contains("longer than 2 MiB, the limit for a JWKS"),
        "{text}"
    );
    server.assert_stopped_near(2 * MIB);

    let server = serve(vec![("/.well-known/openid-configuration", Reply::Endless)]);
    let text = fails(scopectl().args([
        "decode",
        "--now",
        "2026-11-25T12:00:00Z",
        "--discover",
        "--iss",
        &server.url,
        &token(&server.url),
    ]));
    assert!(
        text.contains("longer than 1 MiB, the limit for a discovery document"),
        "{text}"
    );
    server.assert_stopped_near(MIB);
}

mod answers_props {
    //! Property test over what an authorization server answers to `plan`: arbitrary JSON
    //! for Keycloak's admin lists and for RFC 7592 discovery and client metadata. `plan`
    //! never panics: it plans (0), reports plan errors (1) or says why it cannot (2).

    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[ -~é]{0,20}".prop_map(serde_json::Value::from),
            Just(serde_json::Value::from("orders:read")),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "id",
                        "name",
                        "clientId",
                        "protocol",
                        "attributes",
                        "description",
                        "protocolMappers",
                        "scope",
                        "scopes_supported",
                        "issuer",
                        "client_id",
                        "defaultClientScopes",
                        "optionalClientScopes",
                        "other",
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

    fn plan_exit(reg: &Registry) -> (i32, String) {
        let out = scopectl()
            .args(["plan", "--today", "2026-11-25", "--format", "json"])
            .arg(reg.path())
            .env("SCOPECTL_TEST_CAP_SECRET", "s3cret-value")
            .env("SCOPECTL_HTTP_RETRIES", "0")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    const SCOPE: &str = "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team\"\nsensitivity = \"low\"\n";
    const CLIENT: &str = "[client]\nid = \"app\"\nowner = \"team\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Shows orders (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-01-01\n";

    proptest! {
        #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_keycloak_admin_answers_never_panic_plan(
            scopes in json(), clients in json(), links in json(),
        ) {
            let server = serve(vec![
                (
                    "/protocol/openid-connect/token",
                    Reply::Json("{\"access_token\":\"t\",\"expires_in\":300,\"token_type\":\"Bearer\"}".into()),
                ),
                ("client-scopes", Reply::Json(links.to_string())),
                ("/client-scopes", Reply::Json(scopes.to_string())),
                ("/clients", Reply::Json(clients.to_string())),
            ]);
            let reg = keycloak_registry(&server.url);
            reg.write("scopes/s.toml", SCOPE);
            reg.write("clients/app.toml", CLIENT);
            let (code, text) = plan_exit(&reg);
            prop_assert!(matches!(code, 0..=2), "exit {code}: {text}");
            prop_assert!(!text.contains("panicked"), "{text}");
        }

        #[test]
        fn arbitrary_rfc7592_answers_never_panic_plan(discovery in json(), meta in json()) {
            let server = serve(vec![
                ("/.well-known/openid-configuration", Reply::Json(discovery.to_string())),
                ("/reg/app", Reply::Json(meta.to_string())),
            ]);
            let reg = rfc7592_registry(&server.url, &format!("{}/reg/app", server.url));
            reg.write("scopes/s.toml", SCOPE);
            reg.write("clients/app.toml", CLIENT);
            let (code, text) = plan_exit(&reg);
            prop_assert!(matches!(code, 0..=2), "exit {code}: {text}");
            prop_assert!(!text.contains("panicked"), "{text}");
        }
    }
}
