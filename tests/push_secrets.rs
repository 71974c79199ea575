//! Secrets never reach output, even when a server echoes them back: a misbehaving HTTP
//! server started by each test on 127.0.0.1 answers with the raw request it received
//! (form body and headers included), as some proxies and debug endpoints do.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use support::{scopectl, Registry};

const SECRET: &str = "Sup3r/Secret+Value=42";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.echoed-access-token.sig";

/// A server that answers the token endpoint with `token_status` (and, on 200, an access
/// token) and any other request with 500; every non-200 body is the raw request.
fn echo_server(token_status: u16) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut raw = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                raw.push_str(&line);
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            // The body first, so the echoed secret is within what an error shows.
            let raw = format!("{} {raw}", String::from_utf8_lossy(&body));
            let (status, answer) = if raw.contains("/protocol/openid-connect/token") {
                if token_status == 200 {
                    (
                        200,
                        format!("{{\"access_token\":\"{TOKEN}\",\"expires_in\":60}}"),
                    )
                } else {
                    (token_status, raw.clone())
                }
            } else {
                (500, raw.clone())
            };
            let _ = conn.write_all(
                format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
                     connection: close\r\n\r\n{answer}",
                    answer.len()
                )
                .as_bytes(),
            );
        }
    });
    url
}

fn registry(url: &str, secret_env: &str) -> Registry {
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"r\"\n\
             client_id = \"scope-sync\"\nclient_secret_env = \"{secret_env}\"\n\
             retry_base_delay = \"10ms\"\n"
        ),
    );
    reg
}

fn run(reg: &Registry) -> String {
    let out = scopectl()
        .args(["plan", "--today", "2026-11-25"])
        .arg(reg.path())
        .env("SCOPECTL_TEST_ECHO_SECRET", SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn secrets_echoed_by_a_server_are_scrubbed_from_errors() {
    // A token endpoint answering 401 with the posted form (client_secret=…).
    let reg = registry(&echo_server(401), "SCOPECTL_TEST_ECHO_SECRET");
    let text = run(&reg);
    assert!(text.contains("client_secret=***"), "{text}");
    assert!(!text.contains("Sup3r"), "{text}");

    // An admin call answering 500 with the Authorization header (Bearer …).
    let reg = registry(&echo_server(200), "SCOPECTL_TEST_ECHO_SECRET");
    let text = run(&reg);
    assert!(text.contains("500"), "{text}");
    assert!(text.contains("Bearer ***"), "{text}");
    assert!(!text.contains("echoed-access-token"), "{text}");
    assert!(!text.contains("Sup3r"), "{text}");
}

#[test]
fn a_secret_pasted_as_the_variable_name_is_not_echoed() {
    let reg = registry("http://127.0.0.1:9", SECRET);
    let text = run(&reg);
    assert!(
        text.contains("the value of client_secret_env is not a valid environment variable name"),
        "{text}"
    );
    assert!(!text.contains("Sup3r"), "{text}");
}
