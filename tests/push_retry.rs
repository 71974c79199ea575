//! Retries, backoff and token refresh of the push HTTP layer, against the real Keycloak
//! that `scripts/test` starts, seen through a fault-injecting HTTP proxy started by each
//! test on 127.0.0.1. The proxy forwards every request to Keycloak unchanged, except the
//! ones a rule matches: those get a canned answer (503, 429 with `Retry-After`, 401) or a
//! dropped connection (what a restarting server or a load balancer failing over looks
//! like). It logs every request it sees, so the tests compare scopectl's own request
//! counts with what really went over the wire.
//!
//! Each test keeps the backoff short with the `retry_base_delay` target key.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::Value;
use support::{client_toml, scopectl, scopes_toml, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_SYNC_SECRET";

/// What the proxy does with a matching request.
#[derive(Clone)]
enum Fault {
    /// Answer with this status, extra headers and body; Keycloak never sees the request.
    Status(u16, Vec<(&'static str, &'static str)>, &'static str),
    /// Read the request, then close the connection without an answer.
    Drop,
    /// Hold the request this long, then forward it.
    Delay(std::time::Duration),
}

/// A rule: requests with `method` whose path contains `path` get `fault`, the first
/// `times` of them (`usize::MAX`: always).
#[derive(Clone)]
struct Rule {
    method: &'static str,
    path: &'static str,
    times: usize,
    fault: Fault,
}

/// One request the proxy saw.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    /// The injected status, 0 for a dropped connection, `None` when forwarded.
    injected: Option<u16>,
    /// Keycloak's status for a forwarded request.
    upstream: Option<u16>,
    at: Instant,
}

struct Proxy {
    url: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
    fn count(&self, method: &str, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.contains(path))
            .count()
    }
    fn injected(&self) -> usize {
        self.seen().iter().filter(|s| s.injected.is_some()).count()
    }
}

/// Start the proxy in front of `upstream` (`http://host:port`). One request per
/// connection: the request goes upstream with `Connection: close`, the answer comes back
/// and both connections close.
fn fault_proxy(upstream: &str, rules: Vec<Rule>) -> Proxy {
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let rules = Arc::new(Mutex::new(
        rules.into_iter().map(|r| (r, 0usize)).collect::<Vec<_>>(),
    ));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            let (upstream, rules, log) = (upstream.clone(), rules.clone(), log2.clone());
            std::thread::spawn(move || {
                let _ = handle(client, &upstream, &rules, &log);
            });
        }
    });
    Proxy { url, log }
}

type Rules = Mutex<Vec<(Rule, usize)>>;

fn handle(
    client: TcpStream,
    upstream: &str,
    rules: &Rules,
    log: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        assert!(
            !lower.starts_with("transfer-encoding:"),
            "the proxy only handles content-length bodies: {line}"
        );
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if !lower.starts_with("connection:") {
            headers.push(line);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;

    let fault = {
        let mut rules = rules.lock().unwrap();
        rules
            .iter_mut()
            .find(|(r, used)| r.method == method && path.contains(r.path) && *used < r.times)
            .map(|(r, used)| {
                *used += 1;
                r.fault.clone()
            })
    };
    let entry = {
        let mut log = log.lock().unwrap();
        log.push(Seen {
            method: method.clone(),
            path: path.clone(),
            injected: match &fault {
                Some(Fault::Status(s, _, _)) => Some(*s),
                Some(Fault::Drop) => Some(0),
                Some(Fault::Delay(_)) | None => None,
            },
            upstream: None,
            at: Instant::now(),
        });
        log.len() - 1
    };
    if let Some(Fault::Delay(d)) = fault {
        std::thread::sleep(d);
    }
    match fault {
        Some(Fault::Drop) => {
            let _ = client.shutdown(std::net::Shutdown::Both);
        }
        Some(Fault::Status(status, extra, text)) => {
            let mut answer = format!(
                "HTTP/1.1 {status} Injected\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                text.len()
            );
            for (k, v) in extra {
                answer.push_str(&format!("{k}: {v}\r\n"));
            }
            answer.push_str("\r\n");
            answer.push_str(text);
            client.write_all(answer.as_bytes())?;
            let _ = client.shutdown(std::net::Shutdown::Both);
        }
        Some(Fault::Delay(_)) | None => {
            let mut server = TcpStream::connect(upstream)?;
            let mut head = format!("{method} {path} HTTP/1.1\r\n");
            for h in headers {
                head.push_str(&h);
                head.push_str("\r\n");
            }
            head.push_str("Connection: close\r\n\r\n");
            server.write_all(head.as_bytes())?;
            server.write_all(&body)?;
            let mut answer = Vec::new();
            server.read_to_end(&mut answer)?;
            // "HTTP/1.1 401 Unauthorized"
            log.lock().unwrap()[entry].upstream = String::from_utf8_lossy(&answer)
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok());
            client.write_all(&answer)?;
            let _ = client.shutdown(std::net::Shutdown::Both);
        }
    }
    Ok(())
}

struct Fixture {
    kc: Kc,
    realm: String,
    reg: Registry,
    secret: String,
}

/// A fresh realm with the scopectl service account, client `app-a` and a registry with
/// three scopes and two grants for it (so a first apply is 3 creates + 2 assigns).
fn fixture(prefix: &str) -> Fixture {
    let kc = Kc::new();
    let realm = kc.create_realm(prefix);
    let secret = kc.setup_scopectl_account(&realm, true);
    kc.create_client(&realm, "app-a", true);
    let reg = Registry::new();
    reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Change orders"),
            ("orders:refund", "Refund orders"),
        ]),
    );
    reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
    Fixture {
        kc,
        realm,
        reg,
        secret,
    }
}

const SERVICE_ACCOUNT: &str =
    "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n";

impl Fixture {
    /// Point the registry's target at `url`, with short test backoff and `extra` keys.
    fn target(&self, url: &str, auth: &str, extra: &str) {
        self.reg.write(
            "scopectl.toml",
            &format!(
                "[targets.kc]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"{}\"\n{auth}\
                 retry_base_delay = \"10ms\"\n{extra}",
                self.realm
            ),
        );
    }

    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = scopectl();
        c.args(args)
            .arg(self.reg.path())
            .env(SECRET_VAR, &self.secret)
            // The target's `retries` decides here (support::scopectl sets 1 for speed).
            .env_remove("SCOPECTL_HTTP_RETRIES")
            .env("SCOPECTL_KEYCLOAK_PAGE_SIZE", "3");
        c
    }

    /// Run, assert the exit code, return (stdout, stderr).
    fn run(&self, args: &[&str], code: i32) -> (String, String) {
        let out = self.cmd(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "scopectl {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        (stdout, stderr)
    }

    fn apply_json(&self, code: i32) -> Value {
        let (stdout, _) = self.run(
            &["apply", "--format", "json", "--today", "2026-11-25"],
            code,
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    /// Nothing left to do: a direct (proxy-free) drift run says the server matches.
    fn converged(&self) {
        self.target(&self.kc.url, SERVICE_ACCOUNT, "");
        self.run(&["drift", "--today", "2026-11-25"], 0);
    }
}

/// scopectl's counts must be exactly what went over the wire.
fn assert_counts_match_the_wire(counts: &Value, proxy: &Proxy, retries: u64) {
    let seen = proxy.seen();
    let token = seen
        .iter()
        .filter(|s| s.path.ends_with("/protocol/openid-connect/token"))
        .count() as u64;
    let reads = seen.iter().filter(|s| s.method == "GET").count() as u64;
    let writes = seen.len() as u64 - reads - token;
    assert_eq!(counts["auth"], token, "{counts} vs {seen:#?}");
    assert_eq!(counts["reads"], reads, "{counts} vs {seen:#?}");
    assert_eq!(counts["writes"], writes, "{counts} vs {seen:#?}");
    assert_eq!(counts["retries"], retries, "{counts} vs {seen:#?}");
}

#[test]
fn transient_503s_and_dropped_connections_are_retried_and_counted() {
    let f = fixture("retry5xx");
    let proxy = fault_proxy(
        &f.kc.url,
        vec![
            // The first create answers 503 twice, then goes through.
            Rule {
                method: "POST",
                path: "/client-scopes",
                times: 2,
                fault: Fault::Status(503, vec![], "{\"error\":\"unavailable\"}"),
            },
            // A read and a write each lose their connection once.
            Rule {
                method: "GET",
                path: "/client-scopes",
                times: 1,
                fault: Fault::Drop,
            },
            Rule {
                method: "PUT",
                path: "/default-client-scopes/",
                times: 1,
                fault: Fault::Drop,
            },
            // The token endpoint fails once too.
            Rule {
                method: "POST",
                path: "/protocol/openid-connect/token",
                times: 1,
                fault: Fault::Status(502, vec![], ""),
            },
        ],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "retries = 3\n");
    let r = f.apply_json(0);
    let report = &r["report"];
    assert_eq!(report["applied"].as_array().unwrap().len(), 5, "{r:#}");
    assert!(report["did_not_take"].as_array().unwrap().is_empty());
    assert_eq!(proxy.injected(), 5);
    // Every attempt is counted; 5 of them were retries; 5 changes took 5 + 3 writes,
    // and the apply lease 2 (taken, given back).
    assert_counts_match_the_wire(&report["counts"], &proxy, 5);
    assert_eq!(report["counts"]["writes"], 10, "{r:#}");
    // The table says so too.
    let (stdout, _) = f.run(&["plan", "--today", "2026-11-25"], 0);
    assert!(stdout.contains("No changes"), "{stdout}");
    f.converged();
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read") && optional.contains("orders:write"));
}

#[test]
fn retry_after_of_a_429_is_honoured_within_the_cap() {
    let f = fixture("retry429");
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "GET",
            path: "/clients?",
            times: 1,
            fault: Fault::Status(429, vec![("Retry-After", "1")], ""),
        }],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "retries = 2\n");
    let (stdout, _) = f.run(&["plan", "--today", "2026-11-25"], 0);
    assert!(stdout.contains("5 change(s)"), "{stdout}");
    assert!(stdout.contains("; 1 retry)"), "{stdout}");
    // The retry waited for the server's Retry-After (1 s), not the 10 ms backoff. (A
    // lower bound set by a sleep, not a performance assertion.)
    let seen = proxy.seen();
    let i = seen.iter().position(|s| s.injected == Some(429)).unwrap();
    let gap = seen[i + 1].at.duration_since(seen[i].at);
    assert!(
        gap.as_millis() >= 950,
        "retried after {gap:?}, before Retry-After: 1"
    );
    assert_eq!(seen[i + 1].path, seen[i].path);

    // A Retry-After beyond `retry_after_max` is not waited for: one attempt, exit 2, and
    // the message names the call, the status and the wait the server asked for.
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "GET",
            path: "/client-scopes",
            times: usize::MAX,
            fault: Fault::Status(429, vec![("Retry-After", "3600")], ""),
        }],
    );
    f.target(
        &proxy.url,
        SERVICE_ACCOUNT,
        "retries = 2\nretry_after_max = \"5s\"\n",
    );
    let (_, stderr) = f.run(&["plan", "--today", "2026-11-25"], 2);
    assert!(stderr.contains("429 on GET http://"), "{stderr}");
    assert!(stderr.contains("/client-scopes"), "{stderr}");
    assert!(stderr.contains("wait 3600 s with Retry-After"), "{stderr}");
    assert!(stderr.contains("`retry_after_max` = 5 s"), "{stderr}");
    assert_eq!(proxy.count("GET", "/client-scopes"), 1);
}

#[test]
fn timed_out_request_is_retried() {
    let f = fixture("timeout");
    // The proxy holds the first read of the client scopes for 2 s; the target's timeout
    // is 1 s, so that attempt times out and the retry goes through.
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "GET",
            path: "/client-scopes",
            times: 1,
            fault: Fault::Delay(std::time::Duration::from_secs(2)),
        }],
    );
    f.target(
        &proxy.url,
        SERVICE_ACCOUNT,
        "retries = 2\ntimeout = \"1s\"\n",
    );
    let (stdout, _) = f.run(&["plan", "--today", "2026-11-25"], 0);
    assert!(stdout.contains("5 change(s)"), "{stdout}");
    assert!(stdout.contains("; 1 retry)"), "{stdout}");
    assert_eq!(proxy.count("GET", "/client-scopes"), 2);
}

#[test]
fn expired_admin_token_401_is_refreshed_once_and_the_call_repeated() {
    let f = fixture("retry401");
    // The master admin user (password grant through admin-cli): its tokens last one
    // minute, so a long apply meets a 401 and must log in again. The proxy plays the
    // expiry on the first assignment.
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "PUT",
            path: "/default-client-scopes/",
            times: 1,
            fault: Fault::Status(
                401,
                vec![("WWW-Authenticate", "Bearer error=\"invalid_token\"")],
                "{\"error\":\"HTTP 401 Unauthorized\"}",
            ),
        }],
    );
    f.target(
        &proxy.url,
        "username_env = \"SCOPECTL_TEST_KC_USER\"\npassword_env = \"SCOPECTL_TEST_KC_PASSWORD\"\n",
        "retries = 3\n",
    );
    let password = support::env("SCOPECTL_TEST_KEYCLOAK_ADMIN_PASSWORD");
    let out = f
        .cmd(&["apply", "--format", "json", "--today", "2026-11-25"])
        .env(
            "SCOPECTL_TEST_KC_USER",
            support::env("SCOPECTL_TEST_KEYCLOAK_ADMIN_USER"),
        )
        .env("SCOPECTL_TEST_KC_PASSWORD", &password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(&password));
    let r: Value = serde_json::from_str(&stdout).unwrap();
    let counts = &r["report"]["counts"];
    // Two logins (the first, and the one after the 401); the 401'd call went out twice.
    assert_eq!(counts["auth"], 2, "{r:#}");
    assert_eq!(proxy.count("PUT", "/default-client-scopes/"), 2);
    assert_counts_match_the_wire(counts, &proxy, 1);
    f.converged();
}

#[test]
fn admin_token_that_really_expired_mid_apply_is_refreshed() {
    // No injected 401 here: the realm's access tokens live 2 s and the proxy holds the
    // first assignment for 3.5 s, so Keycloak itself refuses the expired token.
    let f = fixture("expiry");
    let r = f.kc.call(
        "PUT",
        &format!("/{}", f.realm),
        Some(serde_json::json!({"accessTokenLifespan": 2})),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "PUT",
            path: "/default-client-scopes/",
            times: 1,
            fault: Fault::Delay(std::time::Duration::from_millis(3500)),
        }],
    );
    f.target(
        &proxy.url,
        SERVICE_ACCOUNT,
        "retries = 3
",
    );
    let r = f.apply_json(0);
    assert_eq!(r["report"]["applied"].as_array().unwrap().len(), 5, "{r:#}");
    let seen = proxy.seen();
    let refused: Vec<&Seen> = seen.iter().filter(|s| s.upstream == Some(401)).collect();
    assert!(
        !refused.is_empty(),
        "Keycloak never answered 401: {seen:#?}"
    );
    // Each 401 cost one login and one repeat of the call, nothing else.
    let counts = &r["report"]["counts"];
    assert_eq!(counts["auth"], 1 + refused.len() as u64, "{r:#}");
    assert_counts_match_the_wire(counts, &proxy, refused.len() as u64);
    f.converged();
}

#[test]
fn persistent_503_stops_apply_but_a_500_fails_one_change_and_the_rest_goes_on() {
    let f = fixture("retryfail");
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "PUT",
            path: "/default-client-scopes/",
            times: usize::MAX,
            fault: Fault::Status(503, vec![], "{\"errorMessage\":\"boom\"}"),
        }],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "retries = 2\n");
    let (stdout, stderr) = f.run(&["apply", "--today", "2026-11-25"], 2);
    // Bounded: 1 + retries attempts of the failing call, then apply stops (the server
    // is unavailable: the next calls would meet it too).
    assert_eq!(proxy.count("PUT", "/default-client-scopes/"), 3);
    // The failing call: method, path and status, and how often it was tried.
    let realm_path = format!("/admin/realms/{}/clients/", f.realm);
    for text in [&stdout, &stderr] {
        assert!(text.contains("503 on PUT http://"), "{text}");
        assert!(text.contains(&realm_path), "{text}");
        assert!(text.contains("/default-client-scopes/"), "{text}");
        assert!(text.contains("(after 3 attempts)"), "{text}");
        assert!(text.contains("boom"), "{text}");
    }
    // What was applied (the three creates) and what was not (the optional assign).
    assert!(stdout.contains("Applied:"), "{stdout}");
    assert!(
        stdout.contains("FAILED: assign default app-a orders:read"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 change(s) applied, 1 failed, 1 not applied"),
        "{stdout}"
    );
    assert!(stdout.contains("Not applied"), "{stdout}");
    assert_eq!(
        stdout.trim_end().lines().last().unwrap(),
        "Result: NOT everything is pushed: 3 change(s) applied, but `assign default app-a \
         orders:read` FAILED and 1 change(s) were not applied.",
        "{stdout}"
    );
    assert!(
        stderr.contains("3 change(s) were applied, 2 were not")
            && stderr.contains("once the server is back"),
        "{stderr}"
    );
    assert!(f.kc.scope(&f.realm, "orders:refund").is_some());

    // A 500 is the server's final answer to that one change (a value it cannot store, a
    // bug): not retried, and the changes behind it are still made.
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "PUT",
            path: "/default-client-scopes/",
            times: usize::MAX,
            fault: Fault::Status(500, vec![], "{\"errorMessage\":\"value too long\"}"),
        }],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "retries = 2\n");
    let r = f.apply_json(2);
    assert_eq!(proxy.count("PUT", "/default-client-scopes/"), 1, "{r:#}");
    let failures = r["report"]["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{r:#}");
    assert_eq!(failures[0][0]["scope"], "orders:read", "{r:#}");
    assert!(failures[0][1].as_str().unwrap().contains("value too long"));
    assert_eq!(r["report"]["stopped"], false, "{r:#}");
    assert_eq!(r["report"]["applied"][0]["scope"], "orders:write", "{r:#}");
    assert!(r["error"].as_str().unwrap().contains("FAILED"), "{r:#}");
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(optional.contains("orders:write"), "{optional:?}");
    assert!(!default.contains("orders:read"), "{default:?}");
    let (_, stderr) = f.run(&["apply", "--today", "2026-11-25"], 2);
    assert!(
        stderr.contains("will fail the same way") && !stderr.contains("server is back"),
        "{stderr}"
    );

    // Connections that always drop: bounded too, and the message says it gave up.
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "GET",
            path: "/client-scopes",
            times: usize::MAX,
            fault: Fault::Drop,
        }],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "retries = 2\n");
    let (_, stderr) = f.run(&["drift", "--today", "2026-11-25"], 2);
    assert!(stderr.contains("/client-scopes"), "{stderr}");
    assert!(stderr.contains("cannot connect to http://"), "{stderr}");
    assert!(
        stderr.contains("gave up on GET after 3 attempts"),
        "{stderr}"
    );
    assert_eq!(proxy.count("GET", "/client-scopes"), 3);

    // The server recovers: the next apply completes the rest.
    f.target(&f.kc.url, SERVICE_ACCOUNT, "");
    let r = f.apply_json(0);
    assert_eq!(r["report"]["applied"].as_array().unwrap().len(), 1, "{r:#}");
    f.converged();

    // Make before break: app-a's optional orders:write is replaced by orders:refund. The
    // assign runs first; when it fails, app-a keeps orders:write.
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:refund", "optional", "2027-06-01"),
            ],
        ),
    );
    let proxy = fault_proxy(
        &f.kc.url,
        vec![Rule {
            method: "PUT",
            path: "/optional-client-scopes/",
            times: usize::MAX,
            fault: Fault::Status(500, vec![], "{}"),
        }],
    );
    f.target(&proxy.url, SERVICE_ACCOUNT, "");
    let r = f.apply_json(2);
    assert_eq!(r["report"]["not_applied"][0]["op"], "unassign", "{r:#}");
    assert!(
        r["plan"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("loses the optional scope `orders:write`")
            && r["plan"]["warnings"][0]
                .as_str()
                .unwrap()
                .contains("it gains `orders:refund` in the same run"),
        "{r:#}"
    );
    let (_, optional) = f.kc.links(&f.realm, "app-a");
    assert!(
        optional.contains("orders:write") && !optional.contains("orders:refund"),
        "{optional:?}"
    );
    f.target(&f.kc.url, SERVICE_ACCOUNT, "");
    let r = f.apply_json(0);
    let names: Vec<&str> = r["report"]["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["op"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["assign", "unassign"], "{r:#}");
    f.converged();
}
