//! TLS is always verified: a server with a self-signed certificate is refused with a TLS
//! error, accepted with that certificate as `ca_file`, and accepted with `insecure_tls`.
//! The server is a real rustls HTTPS endpoint started by the test (it answers every
//! request with 404, which scopectl reports as a missing realm: proof the TLS handshake
//! succeeded). Needs no external server.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use support::{scopectl, scopes_toml, Registry};

/// Start an HTTPS server on 127.0.0.1 with a fresh self-signed certificate; returns
/// (url, certificate PEM).
fn https_server() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let pem = ck.cert.pem();
    let certs = vec![ck.cert.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for tcp in listener.incoming() {
            let Ok(tcp) = tcp else { break };
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            let mut ok = false;
            while let Ok(n) = tls.read(&mut buf) {
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
                if req.windows(4).any(|w| w == b"\r\n\r\n") {
                    ok = true;
                    break;
                }
            }
            if ok {
                let _ = tls.write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                );
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    });
    (url, pem)
}

fn registry(url: &str, extra: &str) -> Registry {
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.tls]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"r\"\nclient_id = \"c\"\nclient_secret_env = \"SCOPECTL_TEST_TLS_SECRET\"\n{extra}"
        ),
    );
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    reg
}

#[test]
fn self_signed_server_is_refused_without_ca_file_and_accepted_with_it() {
    let (url, pem) = https_server();

    let reg = registry(&url, "");
    scopectl()
        .args(["plan"])
        .arg(reg.path())
        .env("SCOPECTL_TEST_TLS_SECRET", "s")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("TLS failure"))
        .stderr(predicates::str::contains("ca_file"));

    let reg = registry(&url, "ca_file = \"ca.pem\"\n");
    reg.write("ca.pem", &pem);
    scopectl()
        .args(["plan"])
        .arg(reg.path())
        .env("SCOPECTL_TEST_TLS_SECRET", "s")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("realm `r` does not exist"));

    let reg = registry(&url, "insecure_tls = true\n");
    scopectl()
        .args(["plan"])
        .arg(reg.path())
        .env("SCOPECTL_TEST_TLS_SECRET", "s")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("realm `r` does not exist"));
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_unless_insecure_http() {
    let reg = Registry::new();
    reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    let keycloak = |extra: &str| {
        reg.write(
            "scopectl.toml",
            &format!(
                "[targets.corp]\nkind = \"keycloak\"\nurl = \"http://kc.example.invalid\"\n\
                 realm = \"r\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_S\"\n\
                 retry_base_delay = \"10ms\"\n{extra}"
            ),
        );
    };
    let run = |code: i32| {
        let out = scopectl()
            .args(["plan", "--today", "2026-11-25"])
            .arg(reg.path())
            .env("SCOPECTL_TEST_S", "s3cret-value")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    keycloak("");
    let err = run(2);
    assert!(
        err.contains("target `corp`, key `url`")
            && err.contains("plain http")
            && err.contains("insecure_http = true"),
        "{err}"
    );
    // Opted in: scopectl goes on and tries to connect (the host does not resolve).
    keycloak("insecure_http = true\n");
    let err = run(2);
    assert!(!err.contains("plain http"), "{err}");
    assert!(err.contains("kc.example.invalid"), "{err}");

    // RFC 7592: the registration_client_uri is checked too.
    reg.write(
        "scopectl.toml",
        "[targets.op]\nkind = \"rfc7592\"\nurl = \"http://127.0.0.1:9\"\n\n\
         [targets.op.clients.\"abc\"]\nregistration_client_uri = \"http://op.example.invalid/reg/abc\"\n\
         registration_access_token_env = \"SCOPECTL_TEST_S\"\n",
    );
    let err = run(2);
    assert!(
        err.contains("target `op`, key `clients.\"abc\".registration_client_uri`")
            && err.contains("plain http"),
        "{err}"
    );
}

/// `ca_file` comes from scopectl.toml, which a pull request can change: it gets the
/// checks of a secret file (a regular file, not under /proc, /sys or /dev, a relative
/// symlink staying in the registry) with a 1 MiB limit. A FIFO used to hang `plan`, and
/// `/dev/zero` to be read until memory ran out.
#[test]
fn ca_file_must_be_a_small_regular_file() {
    let plan = |reg: &Registry| {
        let out = scopectl()
            .args(["plan"])
            .arg(reg.path())
            .env("SCOPECTL_TEST_TLS_SECRET", "s")
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "a hung run is killed: {out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // Nothing listens on port 9: every case stops before connecting.
    let url = "https://127.0.0.1:9";

    #[cfg(unix)]
    {
        let reg = registry(url, "ca_file = \"ca.pem\"\n");
        let status = std::process::Command::new("mkfifo")
            .arg(reg.path().join("ca.pem"))
            .status()
            .unwrap();
        assert!(status.success());
        let err = plan(&reg);
        assert!(err.contains("cannot read ca_file"), "{err}");
        assert!(err.contains("not a regular file"), "{err}");

        let reg = registry(url, "ca_file = \"/dev/zero\"\n");
        let err = plan(&reg);
        assert!(
            err.contains("kernel or device file, not a CA file"),
            "{err}"
        );

        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("ca.pem"), "x").unwrap();
        let reg = registry(url, "ca_file = \"ca.pem\"\n");
        std::os::unix::fs::symlink(outside.path().join("ca.pem"), reg.path().join("ca.pem"))
            .unwrap();
        let err = plan(&reg);
        assert!(err.contains("outside the registry"), "{err}");
    }

    let reg = registry(url, "ca_file = \"ca.pem\"\n");
    reg.write("ca.pem", &"a".repeat(1024 * 1024 + 1));
    let err = plan(&reg);
    assert!(err.contains("cannot read ca_file"), "{err}");
    assert!(err.contains("over the 1 MiB limit for CA files"), "{err}");
}
