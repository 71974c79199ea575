//! `plan`, `apply` and `drift` against the real panva oidc-provider (RFC 7591/7592) that
//! `scripts/test` starts. Each test registers its own clients.

mod support;

use serde_json::{json, Value};
use support::{agent, client_toml, env, scopectl, scopes_toml, Registry};

struct Registered {
    client_id: String,
    client_secret: String,
    uri: String,
    rat: String,
}

/// Register a client_credentials client through RFC 7591 with the initial access token.
fn register(scope: &str) -> Registered {
    let url = format!("{}/reg", env("SCOPECTL_TEST_OIDC_URL"));
    let body = json!({
        "client_name": "push test client",
        "grant_types": ["client_credentials"],
        "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "scope": scope,
    });
    let mut r = agent()
        .post(&url)
        .header(
            "authorization",
            format!("Bearer {}", env("SCOPECTL_TEST_OIDC_IAT")),
        )
        .send_json(&body)
        .unwrap();
    let status = r.status().as_u16();
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(status, 201, "{v}");
    Registered {
        client_id: v["client_id"].as_str().unwrap().into(),
        client_secret: v["client_secret"].as_str().unwrap().into(),
        uri: v["registration_client_uri"].as_str().unwrap().into(),
        rat: v["registration_access_token"].as_str().unwrap().into(),
    }
}

fn read_registration(uri: &str, rat: &str) -> (u16, Value) {
    let mut r = agent()
        .get(uri)
        .header("authorization", format!("Bearer {rat}"))
        .call()
        .unwrap();
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn target(reg: &Registry, clients: &[&Registered]) {
    let mut s = format!(
        "[targets.op]\nkind = \"rfc7592\"\nurl = \"{}\"\n",
        env("SCOPECTL_TEST_OIDC_URL")
    );
    for (i, c) in clients.iter().enumerate() {
        let file = format!("rat-{i}.txt");
        reg.write(&file, &format!("{}\n", c.rat));
        s.push_str(&format!(
            "\n[targets.op.clients.\"{}\"]\nregistration_client_uri = \"{}\"\nregistration_access_token_file = \"{file}\"\n",
            c.client_id, c.uri
        ));
    }
    reg.write("scopectl.toml", &s);
}

fn run_json(reg: &Registry, args: &[&str], code: i32) -> Value {
    let out = scopectl().args(args).arg(reg.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code),
        "scopectl {args:?}\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn rfc7592_apply_sets_scope_to_unexpired_grants_and_keeps_other_metadata() {
    let c = register("openid orders:read inventory:read");
    let reg = Registry::new();
    target(&reg, &[&c]);
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Write orders"),
            ("inventory:read", "Read stock"),
        ]),
    );
    reg.write(
        "clients/c.toml",
        &client_toml(
            &c.client_id,
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
                ("inventory:read", "default", "2026-11-01"),
            ],
        ),
    );
    let plan = run_json(
        &reg,
        &["plan", "--format", "json", "--today", "2026-11-25"],
        0,
    );
    assert_eq!(plan["ops"].as_array().unwrap().len(), 1, "{plan:#}");
    assert_eq!(plan["ops"][0]["op"], "set_client_scope");
    assert_eq!(
        plan["ops"][0]["to"],
        json!(["openid", "orders:read", "orders:write"])
    );

    let applied = run_json(
        &reg,
        &["apply", "--format", "json", "--today", "2026-11-25"],
        0,
    );
    assert!(
        applied["report"]["did_not_take"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{applied:#}"
    );

    // The server rotated the registration access token; scopectl saved the new one.
    let rat = std::fs::read_to_string(reg.path().join("rat-0.txt")).unwrap();
    let rat = rat.trim();
    assert_ne!(rat, c.rat, "token file was not updated");
    let (status, meta) = read_registration(&c.uri, rat);
    assert_eq!(status, 200, "{meta}");
    let mut scope: Vec<&str> = meta["scope"].as_str().unwrap().split(' ').collect();
    scope.sort();
    assert_eq!(scope, vec!["openid", "orders:read", "orders:write"]);
    assert_eq!(meta["client_name"], "push test client");
    assert_eq!(meta["grant_types"], json!(["client_credentials"]));
    assert_eq!(meta["client_secret"], c.client_secret.as_str());

    // Second apply writes nothing; drift is clean.
    let again = run_json(
        &reg,
        &["apply", "--format", "json", "--today", "2026-11-25"],
        0,
    );
    assert_eq!(again["report"]["counts"]["writes"], 0, "{again:#}");
    scopectl()
        .args(["drift", "--today", "2026-11-25"])
        .arg(reg.path())
        .assert()
        .code(0);

    // The client can now get a token for the optional grant.
    let token_url = format!("{}/token", env("SCOPECTL_TEST_OIDC_URL"));
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            support::enc(&c.client_id),
            support::enc(&c.client_secret)
        ))
    };
    let mut r = agent()
        .post(&token_url)
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send("grant_type=client_credentials&scope=orders%3Awrite")
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "orders:write");
}

#[test]
fn rfc7592_unsupported_scopes_and_unregistered_clients_are_plan_errors() {
    let c = register("orders:read");
    let reg = Registry::new();
    target(&reg, &[&c]);
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("payroll:read", "Not on this server"),
        ]),
    );
    reg.write(
        "clients/c.toml",
        &client_toml(
            &c.client_id,
            &[
                ("orders:read", "default", "2027-06-01"),
                ("payroll:read", "default", "2027-06-01"),
            ],
        ),
    );
    reg.write(
        "clients/other.toml",
        &client_toml(
            "not-registered",
            &[("orders:read", "default", "2027-06-01")],
        ),
    );
    let plan = run_json(
        &reg,
        &["plan", "--format", "json", "--today", "2026-11-25"],
        1,
    );
    let errors = plan["errors"].to_string();
    assert!(
        errors.contains("push/unsupported-scope") && errors.contains("payroll:read"),
        "{plan:#}"
    );
    assert!(
        errors.contains("push/unregistered-client") && errors.contains("not-registered"),
        "{plan:#}"
    );
    // Nothing unsupported is planned, so apply cannot fail halfway on it.
    assert!(plan["ops"].as_array().unwrap().is_empty(), "{plan:#}");
}

#[test]
fn rfc7592_wrong_registration_token_exits_2() {
    let c = register("orders:read");
    let reg = Registry::new();
    let wrong = Registered {
        rat: "wrong-token-0815".into(),
        ..c
    };
    target(&reg, &[&wrong]);
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    scopectl()
        .args(["plan"])
        .arg(reg.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("registration access token"))
        .stderr(predicates::str::contains("401"));
}

#[test]
fn rfc7592_rotated_token_from_an_environment_variable_is_a_warning() {
    let c = register("orders:read");
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.op]\nkind = \"rfc7592\"\nurl = \"{}\"\n\n[targets.op.clients.\"{}\"]\nregistration_client_uri = \"{}\"\nregistration_access_token_env = \"SCOPECTL_TEST_RAT\"\n",
            env("SCOPECTL_TEST_OIDC_URL"),
            c.client_id,
            c.uri
        ),
    );
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders"), ("orders:write", "Write")]),
    );
    reg.write(
        "clients/c.toml",
        &client_toml(&c.client_id, &[("orders:write", "default", "2027-06-01")]),
    );
    let out = scopectl()
        .args(["apply", "--today", "2026-11-25"])
        .arg(reg.path())
        .env("SCOPECTL_TEST_RAT", &c.rat)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("$SCOPECTL_TEST_RAT now holds a stale one"),
        "{stdout}"
    );
    assert!(!stdout.contains(&c.rat), "the token was printed");
}

#[cfg(unix)]
#[test]
fn rfc7592_rotated_token_is_saved_privately_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let c = register("openid");
    let reg = Registry::new();
    target(&reg, &[&c]);
    // The configured token file is a symlink to a private file elsewhere.
    let real = reg.path().join("secrets/real.rat");
    reg.write("secrets/real.rat", &format!("{}\n", c.rat));
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = reg.path().join("rat-0.txt");
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("secrets/real.rat", &link).unwrap();
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    reg.write(
        "clients/c.toml",
        &client_toml(&c.client_id, &[("orders:read", "default", "2027-06-01")]),
    );
    // (The old code wrote a temp file with the default umask, 0644, and renamed it over.)
    run_json(
        &reg,
        &["apply", "--format", "json", "--today", "2026-11-25"],
        0,
    );
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the symlink was replaced");
    let rat = std::fs::read_to_string(&real).unwrap();
    assert_ne!(rat.trim(), c.rat, "the rotated token was not saved");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "token file mode {mode:o}");
    // No temp file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(reg.path().join("secrets"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    // A plain token file of mode 0600 stays 0600 after rotation.
    let c2 = register("openid");
    let reg2 = Registry::new();
    target(&reg2, &[&c2]);
    let file = reg2.path().join("rat-0.txt");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    reg2.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    reg2.write(
        "clients/c.toml",
        &client_toml(&c2.client_id, &[("orders:read", "default", "2027-06-01")]),
    );
    run_json(
        &reg2,
        &["apply", "--format", "json", "--today", "2026-11-25"],
        0,
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "token file mode {mode:o}");
    assert_ne!(std::fs::read_to_string(&file).unwrap().trim(), c2.rat);
}

/// A proxy in front of oidc-provider that forwards every request, but for a PUT drops
/// the connection instead of passing the answer back (the change is made, the answer is
/// lost). Returns its base URL and a counter of the PUTs it saw.
fn answer_losing_proxy(upstream: &str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let puts = std::sync::Arc::new(AtomicUsize::new(0));
    let puts2 = puts.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            let mut reader = BufReader::new(client.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if lower.starts_with("connection:") {
                    continue;
                }
                if line == "\r\n" {
                    head.push_str("connection: close\r\n\r\n");
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let is_put = head.starts_with("PUT ");
            let mut up = TcpStream::connect(&upstream).unwrap();
            up.write_all(head.as_bytes()).unwrap();
            up.write_all(&body).unwrap();
            let mut answer = Vec::new();
            let _ = up.read_to_end(&mut answer);
            if is_put {
                puts2.fetch_add(1, Ordering::SeqCst);
                let _ = client.shutdown(std::net::Shutdown::Both);
            } else {
                let _ = client.write_all(&answer);
            }
        }
    });
    (url, puts)
}

#[test]
fn rfc7592_put_whose_answer_was_lost_is_not_repeated_with_a_rotated_token() {
    let c = register("openid");
    let reg = Registry::new();
    let oidc = env("SCOPECTL_TEST_OIDC_URL");
    let (proxy, puts) = answer_losing_proxy(&oidc);
    let proxied_uri = c.uri.replace(&oidc, &proxy);
    reg.write("rat.txt", &format!("{}\n", c.rat));
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.op]\nkind = \"rfc7592\"\nurl = \"{oidc}\"\nretry_base_delay = \"10ms\"\n\n\
             [targets.op.clients.\"{}\"]\nregistration_client_uri = \"{proxied_uri}\"\n\
             registration_access_token_file = \"rat.txt\"\n",
            c.client_id
        ),
    );
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    reg.write(
        "clients/c.toml",
        &client_toml(&c.client_id, &[("orders:read", "default", "2027-06-01")]),
    );
    let out = scopectl()
        .args(["apply", "--today", "2026-11-25"])
        .arg(reg.path())
        .env("SCOPECTL_HTTP_RETRIES", "3")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("was lost")
            && stderr
                .contains("may have made the change and rotated the registration access token")
            && stderr.contains("rat.txt"),
        "{stderr}"
    );
    assert!(!stderr.contains(&c.rat), "{stderr}");
    // Exactly one PUT went out: no blind retry.
    assert_eq!(puts.load(std::sync::atomic::Ordering::SeqCst), 1);
    // The server did make the change and rotated the token: the saved one is now stale,
    // which is why a retry with it would only have got 401.
    let (status, _) = read_registration(&c.uri, &c.rat);
    assert_eq!(status, 401);
}

#[test]
fn rfc7592_a_configured_client_without_a_registry_file_is_unlisted_and_revoked_on_request() {
    let kept = register("openid orders:read");
    let gone = register("openid orders:read inventory:read");
    let reg = Registry::new();
    target(&reg, &[&kept, &gone]);
    reg.write(
        "scopes/s.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("inventory:read", "Read stock"),
        ]),
    );
    reg.write(
        "clients/kept.toml",
        &client_toml(&kept.client_id, &[("orders:read", "default", "2027-06-01")]),
    );
    reg.write(
        "clients/gone.toml",
        &client_toml(
            &gone.client_id,
            &[
                ("orders:read", "default", "2027-06-01"),
                ("inventory:read", "optional", "2027-06-01"),
            ],
        ),
    );
    let today = ["--format", "json", "--today", "2026-11-25"];
    let drift = run_json(&reg, &[&["drift"][..], &today].concat(), 0);
    assert!(drift["errors"].as_array().unwrap().is_empty(), "{drift:#}");
    // Offboarded: its file is deleted, its registration stays in the target.
    reg.remove("clients/gone.toml");
    let unlisted = |plan: &Value| -> Vec<String> {
        plan["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["code"] == "push/unlisted-client")
            .map(|e| e["message"].as_str().unwrap().to_string())
            .collect()
    };
    // drift and plan report it (it used to be "No changes"), apply leaves it alone.
    let drift = run_json(&reg, &[&["drift"][..], &today].concat(), 1);
    let m = unlisted(&drift);
    assert_eq!(m.len(), 1, "{drift:#}");
    assert!(
        m[0].contains(&format!("`{}`", gone.client_id))
            && m[0].contains("`inventory:read`")
            && m[0].contains("`orders:read`")
            && !m[0].contains("`openid`"),
        "{drift:#}"
    );
    let plan = run_json(&reg, &[&["plan"][..], &today].concat(), 1);
    assert!(plan["ops"].as_array().unwrap().is_empty(), "{plan:#}");
    assert_eq!(unlisted(&plan).len(), 1, "{plan:#}");
    run_json(&reg, &[&["apply"][..], &today].concat(), 1);
    let rat = |i: usize| {
        std::fs::read_to_string(reg.path().join(format!("rat-{i}.txt")))
            .unwrap()
            .trim()
            .to_string()
    };
    let scope_of = |uri: &str, rat: &str| -> Vec<String> {
        let (status, meta) = read_registration(uri, rat);
        assert_eq!(status, 200, "{meta}");
        let mut v: Vec<String> = meta["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        scope_of(&gone.uri, &rat(1)),
        ["inventory:read", "openid", "orders:read"]
    );

    // --revoke-unlisted: only the registry scopes go, from a saved plan too (which
    // used to be refused for keeping `openid`, a value no grant names).
    let saved = reg.path().join("plan.json");
    let saved = saved.to_str().unwrap();
    let plan = run_json(
        &reg,
        &[&["plan", "--revoke-unlisted", "--out", saved][..], &today].concat(),
        0,
    );
    assert_eq!(
        plan["ops"],
        json!([{
            "op": "set_client_scope",
            "client": gone.client_id,
            "from": ["inventory:read", "openid", "orders:read"],
            "to": ["openid"],
        }]),
        "{plan:#}"
    );
    assert!(unlisted(&plan).is_empty(), "{plan:#}");
    let applied = run_json(&reg, &[&["apply", "--plan", saved][..], &today].concat(), 0);
    assert_eq!(
        applied["report"]["applied"].as_array().unwrap().len(),
        1,
        "{applied:#}"
    );
    assert_eq!(scope_of(&gone.uri, &rat(1)), ["openid"]);
    assert_eq!(scope_of(&kept.uri, &rat(0)), ["openid", "orders:read"]);
    run_json(&reg, &[&["drift"][..], &today].concat(), 0);
}
