//! Usage evidence (#16): `usage collect` from the real Keycloak that `scripts/test` starts
//! (event storage on, tokens obtained with client credentials for chosen scopes, a reader
//! with only `view-events`), from a file of Keycloak events and from token samples (the
//! fixtures under tests/fixtures/usage), then `lint --usage` and `report --usage`: used,
//! unused and not-evaluable outcomes, a scope kept out of the token's scope claim, and a
//! window longer than the stored events. Without `scripts/test` the live tests fail and
//! say so.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{client_toml, scopectl, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_USAGE_SECRET";
const TODAY: &str = "2026-11-30";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/usage")
        .join(name)
}

/// (code, client, scope) of every finding of `lint --format json`.
fn findings(v: &Value) -> BTreeSet<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let s = &d["subject"];
            (
                d["code"].as_str().unwrap().to_string(),
                s["client"].as_str().unwrap_or("").to_string(),
                s["scope"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(f: &BTreeSet<(String, String, String)>, code: &str, client: &str, scope: &str) -> bool {
    f.contains(&(code.to_string(), client.to_string(), scope.to_string()))
}

fn message<'a>(v: &'a Value, code: &str, client: &str, scope: &str) -> &'a str {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["code"] == code && d["subject"]["client"] == client && d["subject"]["scope"] == scope
        })
        .and_then(|d| d["message"].as_str())
        .unwrap_or_else(|| panic!("no {code} on {client} {scope}: {v:#}"))
}

fn lint_usage(reg: &Path, snap: &Path, extra: &[&str]) -> (i32, Value) {
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", TODAY, "--usage"])
        .arg(snap)
        .args(extra)
        .arg(reg)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

fn collect(args: &[&str], reg: Option<&Path>) -> (i32, String, String) {
    let mut c = scopectl();
    c.args(["usage", "collect"]).args(args);
    if let Some(r) = reg {
        c.arg("--registry").arg(r);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `usage collect --from-events EVENTS` with every token event type declared stored, for
/// 2026-09-01 to 2026-11-30, into `snap`: (exit code, stdout, stderr).
fn collect_events(events: &Path, snap: &Path) -> (i32, String, String) {
    collect(
        &[
            "--from-events",
            events.to_str().unwrap(),
            "--stored-types",
            ALL_TYPES,
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-30",
            "--out",
            snap.to_str().unwrap(),
        ],
        None,
    )
}

/// Make `dir` a git repository with one commit of everything in it.
fn commit_all(dir: &Path) {
    let repo = git2::Repository::init(dir).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("Ann", "ann@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "registry", &tree, &[])
        .unwrap();
}

/// `lint --usage` of `reg` with a snapshot collected from `events` (JSON lines, written to
/// the registry folder): the JSON and its (code, client, scope) findings.
fn lint_with_events(reg: &Registry, events: &str) -> (Value, BTreeSet<(String, String, String)>) {
    let file = reg.path().join("events.jsonl");
    std::fs::write(&file, events).unwrap();
    let snap = reg.path().join("usage.json");
    let (code, out, err) = collect_events(&file, &snap);
    assert_eq!(code, 0, "{out}{err}");
    let (_, v) = lint_usage(reg.path(), &snap, &[]);
    let f = findings(&v);
    (v, f)
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The registry the file fixtures speak about: `shop` (orders:read default, orders:write
/// optional), `web` (orders:read), `batch` (reports:read, never seen).
fn file_registry() -> Registry {
    let reg = Registry::new();
    reg.write(
        "scopes/s.toml",
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
         [scopes.\"orders:write\"]\ndescription = \"Write orders\"\nowner = \"team-a\"\nsensitivity = \"medium\"\n\n\
         [scopes.\"reports:read\"]\ndescription = \"Read reports\"\nowner = \"team-a\"\nsensitivity = \"high\"\nstep_up = true\n",
    );
    reg.write(
        "clients/shop.toml",
        &client_toml(
            "shop",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
    reg.write(
        "clients/web.toml",
        &client_toml("web", &[("orders:read", "default", "2027-06-01")]),
    );
    reg.write(
        "clients/batch.toml",
        &client_toml("batch", &[("reports:read", "default", "2027-06-01")]),
    );
    reg
}

const ALL_TYPES: &str = "CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN,TOKEN_EXCHANGE,LOGIN,OAUTH2_DEVICE_CODE_TO_TOKEN,AUTHREQID_TO_TOKEN";

#[test]
fn an_events_file_with_declared_types_shows_used_unused_and_drift() {
    let reg = file_registry();
    let snap = reg.path().join("usage.json");
    let snap_s = snap.to_str().unwrap();
    let events = fixture("events.jsonl");
    let (code, out, err) = collect_events(&events, &snap);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("1 line(s) or event(s)"), "{err}");
    let s = read(&snap);
    assert_eq!(s["version"], 1);
    let src = &s["sources"][0];
    assert_eq!(src["kind"], "events-file");
    assert_eq!(src["stored_types_from"], "declared (--stored-types)");
    // 8 events and a bad line; 3 outside the window or not issuing a token.
    assert_eq!(src["read"], 9);
    assert_eq!(src["counted"], 5);
    assert_eq!(src["oldest_event"], "2026-08-15T09:00:00Z");
    let shop = &s["clients"]["shop"];
    assert_eq!(shop["tokens"], 2);
    assert_eq!(shop["scopes"]["orders:read"]["count"], 2);
    assert_eq!(shop["scopes"]["orders:read"]["proof"], "event");
    assert_eq!(
        s["clients"]["web"]["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert!(
        s["clients"]["shop"]["scopes"].get("admin").is_none(),
        "an error event issued nothing"
    );

    let (code, v) = lint_usage(reg.path(), &snap, &[]);
    assert_eq!(code, 1, "{v:#}");
    let f = findings(&v);
    assert!(
        has(&f, "usage/unused-grant", "batch", "reports:read"),
        "{f:?}"
    );
    assert!(has(&f, "usage/unused-scope", "", "reports:read"), "{f:?}");
    assert!(
        has(&f, "usage/ungranted-scope", "rogue", "payments:refund"),
        "{f:?}"
    );
    for (c, s) in [
        ("shop", "orders:read"),
        ("shop", "orders:write"),
        ("web", "orders:read"),
    ] {
        assert!(
            !f.iter().any(|(_, fc, fs)| fc == c && fs == s),
            "{c} {s} is used: {f:?}"
        );
    }
    // Declared stored types, not read from the server: medium confidence, said so.
    let unused = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "usage/unused-grant")
        .unwrap();
    assert!(
        unused["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("confidence medium"),
        "{unused:#}"
    );

    // Without REFRESH_TOKEN, a client never seen may have used it only by refreshing.
    let (code, _, err) = collect(
        &[
            "--from-events",
            events.to_str().unwrap(),
            "--stored-types",
            "CLIENT_LOGIN,CODE_TO_TOKEN",
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-30",
            "--out",
            snap_s,
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let (_, v) = lint_usage(reg.path(), &snap, &[]);
    let f = findings(&v);
    assert!(
        has(&f, "usage/not-evaluable", "batch", "reports:read"),
        "{f:?}"
    );
    assert!(
        !f.iter()
            .any(|(c, ..)| c == "usage/unused-grant" || c == "usage/unused-scope"),
        "{f:?}"
    );
    assert!(message(&v, "usage/not-evaluable", "batch", "reports:read").contains("REFRESH_TOKEN"));

    // Types not declared: the file shows use, never absence.
    collect(
        &[
            "--from-events",
            events.to_str().unwrap(),
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-30",
            "--out",
            snap_s,
        ],
        None,
    );
    let (_, v) = lint_usage(reg.path(), &snap, &[]);
    assert!(message(&v, "usage/not-evaluable", "batch", "reports:read").contains("not known"));

    // A window longer than the stored events (they reach back to 2026-08-15): not evaluable.
    collect(
        &[
            "--from-events",
            events.to_str().unwrap(),
            "--stored-types",
            ALL_TYPES,
            "--since",
            "2026-06-01",
            "--until",
            "2026-11-30",
            "--out",
            snap_s,
        ],
        None,
    );
    let (_, v) = lint_usage(reg.path(), &snap, &[]);
    let m = message(&v, "usage/not-evaluable", "batch", "reports:read");
    assert!(m.contains("reach back only to 2026-08-15"), "{m}");
    // ... but judged over its last 60 days it is covered.
    let (_, v) = lint_usage(reg.path(), &snap, &["--usage-window", "60d"]);
    assert!(has(
        &findings(&v),
        "usage/unused-grant",
        "batch",
        "reports:read"
    ));
}

#[test]
fn token_samples_prove_use_never_absence_and_say_whether_verified() {
    let reg = file_registry();
    let snap = reg.path().join("tokens.json");
    let snap_s = snap.to_str().unwrap();
    let tokens = fixture("tokens.txt");
    let window = [
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-30",
        "--out",
        snap_s,
    ];
    let (code, _, err) = collect(
        &[&["--from-tokens", tokens.to_str().unwrap()][..], &window].concat(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("NOT verified"), "{err}");
    let s = read(&snap);
    assert_eq!(s["sources"][0]["unverified"], 3);
    assert_eq!(s["sources"][0]["skipped"], 1);
    assert_eq!(
        s["clients"]["shop"]["scopes"]["orders:read"]["proof"],
        "unverified-token"
    );
    assert!(
        s["clients"]["shop"]["scopes"].get("orders:write").is_none(),
        "before the window"
    );
    let (_, v) = lint_usage(reg.path(), &snap, &[]);
    let f = findings(&v);
    assert!(
        has(&f, "usage/ungranted-scope", "web", "orders:write"),
        "{f:?}"
    );
    assert!(
        has(&f, "usage/ungranted-scope", "rogue", "payments:refund"),
        "{f:?}"
    );
    assert!(
        message(&v, "usage/not-evaluable", "batch", "reports:read").contains("only token samples")
    );
    assert!(!f.iter().any(|(c, ..)| c == "usage/unused-grant"), "{f:?}");

    // `decode --batch` with the key: the same tokens, verified.
    let batch = reg.path().join("batch.jsonl");
    let out = scopectl()
        .env(
            "SCOPECTL_FIXTURE_SECRET",
            "usage-fixture-secret-0123456789abcdef",
        )
        .args([
            "decode",
            "--secret-env",
            "SCOPECTL_FIXTURE_SECRET",
            "--batch",
        ])
        .arg(&tokens)
        .output()
        .unwrap();
    std::fs::write(&batch, &out.stdout).unwrap();
    let (code, _, err) = collect(
        &[&["--from-tokens", batch.to_str().unwrap()][..], &window].concat(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let s = read(&snap);
    assert_eq!(s["sources"][0]["verified"], 3, "{s:#}");
    assert_eq!(
        s["clients"]["shop"]["scopes"]["orders:read"]["proof"],
        "verified-token"
    );

    // Merged with the events: sources add up, the stronger proof is kept.
    let events = fixture("events.jsonl");
    let (code, _, err) = collect(
        &[
            &[
                "--from-events",
                events.to_str().unwrap(),
                "--stored-types",
                ALL_TYPES,
                "--merge",
            ][..],
            &window,
        ]
        .concat(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    let s = read(&snap);
    assert_eq!(s["sources"].as_array().unwrap().len(), 2);
    assert_eq!(s["clients"]["shop"]["scopes"]["orders:read"]["count"], 3);
    assert_eq!(
        s["clients"]["shop"]["scopes"]["orders:read"]["proof"],
        "event"
    );

    // Bad input: exit 2 with the reason.
    let bad = reg.path().join("bad.txt");
    std::fs::write(&bad, "nothing here\n").unwrap();
    let (code, _, err) = collect(
        &["--from-tokens", bad.to_str().unwrap(), "--out", snap_s],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("holds no token"), "{err}");
    std::fs::write(&bad, "{\"version\": 9}").unwrap();
    let out = scopectl()
        .args(["lint", "--usage"])
        .arg(&bad)
        .arg(reg.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 9"));
}

#[test]
fn report_usage_fills_the_monitoring_control() {
    let f = file_registry();
    let reg = f.path();
    commit_all(reg);
    let out_dir = tempfile::tempdir().unwrap();
    let snap = out_dir.path().join("usage.json");
    let events = fixture("events.jsonl");
    collect_events(&events, &snap);
    let report = |format: &str| {
        let out = scopectl()
            .args([
                "report",
                "--no-history",
                "--today",
                TODAY,
                "--framework",
                "nist-csf-2",
                "--format",
                format,
                "--registry",
            ])
            .arg(reg)
            .arg("--usage")
            .arg(&snap)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let v: Value = serde_json::from_str(&report("json")).unwrap();
    let de = v["frameworks"][0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "DE.CM-03")
        .unwrap();
    // The server issued payments:refund to a client without a file: a gap.
    assert_eq!(de["status"], "gaps", "{de:#}");
    assert_eq!(de["gap_details"][0]["rule"], "usage/ungranted-scope");
    assert!(
        de["evidence"]
            .as_str()
            .unwrap()
            .contains("3 grant(s) used, 1 unused"),
        "{de:#}"
    );
    let batch = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client"] == "batch")
        .unwrap();
    assert_eq!(batch["usage"]["status"], "unused");
    let shop = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client"] == "shop")
        .unwrap();
    assert_eq!(shop["usage"]["status"], "used");
    assert_eq!(shop["usage"]["last_used"], "2026-11-20T09:00:00Z");
    assert_eq!(v["usage"]["unused_scopes"], json!(["reports:read"]));
    let html = report("html");
    assert!(html.contains("aria-label=\"Grants by sensitivity: used, unused, not evaluable\""));
    let md = report("markdown");
    assert!(md.contains("## Usage"), "{md}");
    assert!(md.contains("| used (high) | 2026-11-20 |"), "{md}");
}

/// A realm that stores every token event type, a reader with only `view-events`, and
/// clients that obtain tokens for chosen scopes.
#[test]
fn keycloak_events_show_used_unused_and_not_evaluable_grants() {
    let kc = Kc::new();
    let realm = kc.create_realm("usage");
    let r = kc.call(
        "PUT",
        &format!("/{realm}/events/config"),
        Some(json!({"eventsEnabled": true, "eventsExpiration": 7_776_000,
                    "enabledEventTypes": ALL_TYPES.split(',').collect::<Vec<_>>()})),
    );
    assert_eq!(r.status, 204, "events config: {}", r.body);
    for (name, in_claim) in [
        ("orders:read", true),
        ("orders:write", true),
        ("reports:read", true),
        ("hidden:x", false),
        ("extra:y", true),
    ] {
        let r = kc.call(
            "POST",
            &format!("/{realm}/client-scopes"),
            Some(json!({"name": name, "protocol": "openid-connect",
                        "attributes": {"include.in.token.scope": in_claim.to_string()}})),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let client = |id: &str, default: &[&str], optional: &[&str]| {
        let r = kc.call(
            "POST",
            &format!("/{realm}/clients"),
            Some(
                json!({"clientId": id, "publicClient": false, "serviceAccountsEnabled": true,
                        "standardFlowEnabled": false, "secret": "s3cret-for-tests",
                        "defaultClientScopes": default, "optionalClientScopes": optional}),
            ),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    };
    client(
        "svc",
        &["orders:read", "hidden:x", "extra:y"],
        &["orders:write"],
    );
    client("idle", &["reports:read"], &[]);
    client("early", &["orders:read"], &[]);
    // The reader: a service account with only view-events.
    let uuid = kc.create_client(&realm, "usage-reader", true);
    let sa = kc.call(
        "GET",
        &format!("/{realm}/clients/{uuid}/service-account-user"),
        None,
    );
    let sa = sa.body["id"].as_str().unwrap().to_string();
    let rm = kc.client_uuid(&realm, "realm-management");
    let role = kc.call(
        "GET",
        &format!("/{realm}/clients/{rm}/roles/view-events"),
        None,
    );
    let r = kc.call(
        "POST",
        &format!("/{realm}/users/{sa}/role-mappings/clients/{rm}"),
        Some(json!([role.body])),
    );
    assert_eq!(r.status, 204);
    let secret = kc.client_secret(&realm, &uuid);
    let token = |id: &str, scope: Option<&str>| {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", "s3cret-for-tests"),
        ];
        if let Some(s) = scope {
            form.push(("scope", s));
        }
        let r = kc.token_form(&realm, &form);
        assert_eq!(r.status, 200, "{}", r.body);
    };
    // One event before the window: the stored events reach back past its start.
    token("early", None);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    std::thread::sleep(std::time::Duration::from_millis(50));
    token("svc", None);
    token("svc", None);
    token("svc", None);

    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"usage-reader\"\nclient_secret_env = \"{SECRET_VAR}\"\n",
            kc.url
        ),
    );
    reg.write(
        "scopes/s.toml",
        &support::scopes_toml(&[
            ("orders:read", "r"),
            ("orders:write", "w"),
            ("reports:read", "r"),
            ("hidden:x", "h"),
        ]),
    );
    reg.write(
        "clients/svc.toml",
        &client_toml(
            "svc",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("hidden:x", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
    reg.write(
        "clients/idle.toml",
        &client_toml("idle", &[("reports:read", "default", "2027-06-01")]),
    );
    reg.write(
        "clients/early.toml",
        &client_toml("early", &[("orders:read", "default", "2027-06-01")]),
    );
    let snap = reg.path().join("usage.json");
    let snap_s = snap.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = scopectl()
            .env(SECRET_VAR, &secret)
            .env("SCOPECTL_EVENTS_PAGE_SIZE", "2")
            .args(["usage", "collect", "--target", "kc", "--registry"])
            .arg(reg.path())
            .args(["--out", snap_s])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{err}");
        err
    };
    let err = run(&["--since", &since]);
    assert!(err.contains("may not list client scopes"), "{err}");
    let s = read(&snap);
    let src = &s["sources"][0];
    assert_eq!(src["kind"], "keycloak");
    assert_eq!(src["counted"], 3, "{s:#}");
    // Pages of 2, each starting at the last event's time: 3 pages for 3 events.
    assert_eq!(src["pages"], 3, "pages of 2 events: {s:#}");
    assert_eq!(src["stored_types_from"], "realm events config");
    assert_eq!(src["realm_events"]["expiration_seconds"], 7_776_000);
    assert!(
        src["oldest_event"].as_str().unwrap() < since.as_str(),
        "{s:#}"
    );
    assert_eq!(s["clients"]["svc"]["scopes"]["orders:read"]["count"], 3);
    assert_eq!(
        s["clients"]["svc"]["grant_types"],
        json!(["client_credentials"])
    );
    // The reader may not list client scopes (said so above): hidden:x is judged without it.
    assert!(
        s["not_in_token_scope"].as_array().unwrap().is_empty(),
        "{s:#}"
    );
    assert!(
        s["clients"]["svc"]["scopes"].get("hidden:x").is_none(),
        "never in the scope claim"
    );

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let lint = |extra: &[&str]| {
        let out = scopectl()
            .args([
                "lint", "--format", "json", "--today", &today, "--usage", snap_s,
            ])
            .args(extra)
            .arg(reg.path())
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let v = lint(&[]);
    let f = findings(&v);
    assert!(
        !f.iter().any(|(_, c, s)| c == "svc" && s == "orders:read"),
        "used: {f:?}"
    );
    assert!(
        has(&f, "usage/optional-never-requested", "svc", "orders:write"),
        "{f:?}"
    );
    assert!(
        has(&f, "usage/unused-grant", "idle", "reports:read"),
        "{f:?}"
    );
    assert!(
        has(&f, "usage/unused-grant", "early", "orders:read"),
        "its token came before the window: {f:?}"
    );
    assert!(has(&f, "usage/not-evaluable", "svc", "hidden:x"), "{f:?}");
    assert!(message(&v, "usage/not-evaluable", "svc", "hidden:x").contains("scope claim"));
    assert!(has(&f, "usage/ungranted-scope", "svc", "extra:y"), "{f:?}");
    let unused = message(&v, "usage/unused-grant", "idle", "reports:read");
    assert!(unused.contains("did not use"), "{unused}");

    // Merge: the next run reads only what came after the newest event already held.
    token("idle", None);
    let err = run(&["--merge", "--since", &since]);
    assert!(err.contains("reading target kc"), "{err}");
    let s = read(&snap);
    assert_eq!(s["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        s["clients"]["svc"]["scopes"]["orders:read"]["count"], 3,
        "not counted twice"
    );
    assert_eq!(s["clients"]["idle"]["scopes"]["reports:read"]["count"], 1);
    let f = findings(&lint(&[]));
    assert!(
        !has(&f, "usage/unused-grant", "idle", "reports:read"),
        "{f:?}"
    );

    // A 90-day window: the realm's events reach back only a few seconds, so nothing that
    // was not seen is called unused.
    std::fs::remove_file(&snap).unwrap();
    run(&["--window", "90d"]);
    let v = lint(&[]);
    let f = findings(&v);
    assert!(
        !f.iter().any(|(c, ..)| c == "usage/unused-grant"
            || c == "usage/unused-scope"
            || c == "usage/optional-never-requested"),
        "{f:?}"
    );
    assert!(
        has(&f, "usage/not-evaluable", "svc", "orders:write"),
        "{f:?}"
    );
    assert!(message(&v, "usage/not-evaluable", "svc", "orders:write").contains("reach back only"));

    // Without view-events: 403 names the role.
    let r = kc.call(
        "DELETE",
        &format!("/{realm}/users/{sa}/role-mappings/clients/{rm}"),
        Some(json!([role.body])),
    );
    assert_eq!(r.status, 204);
    let out = scopectl()
        .env(SECRET_VAR, &secret)
        .args(["usage", "collect", "--target", "kc", "--registry"])
        .arg(reg.path())
        .args(["--out", snap_s])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("view-events"), "{err}");
    assert!(!err.contains(&secret), "{err}");
}

/// `review start --usage`: each entry carries what the snapshot says of its grant, so the
/// reviewer sees the last use next to the justification.
#[test]
fn a_review_campaign_shows_each_grants_usage() {
    let reg = file_registry();
    let snap = reg.path().join("usage.json");
    let events = fixture("events.jsonl");
    let (code, _, err) = collect_events(&events, &snap);
    assert_eq!(code, 0, "{err}");
    let out = scopectl()
        .args(["review", "start", "q4", "--today", "2026-11-30", "--usage"])
        .arg(&snap)
        .arg("--registry")
        .arg(reg.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(reg.path().join("reviews/q4.toml")).unwrap();
    let entry = |client: &str, scope: &str| {
        text.split("[[entries]]")
            .find(|e| e.contains(&format!("client = \"{client}\"\nscope = \"{scope}\"")))
            .unwrap_or_else(|| panic!("no entry {client} {scope}:\n{text}"))
            .to_string()
    };
    let shop = entry("shop", "orders:read");
    assert!(shop.contains("usage = \"used"), "{shop}");
    assert!(shop.contains("last_used = 2026-"), "{shop}");
    let batch = entry("batch", "reports:read");
    assert!(batch.contains("usage = \"unused"), "{batch}");
    assert!(!batch.contains("last_used"), "{batch}");
}

/// A client holding many grants (its grants are looked up by set, not one by one): a
/// scope it holds is not "ungranted", one it does not hold is.
#[test]
fn a_client_with_many_grants_is_judged_like_one_with_few() {
    let reg = Registry::new();
    let mut scopes = String::new();
    let mut grants = Vec::new();
    let names: Vec<String> = (0..20).map(|i| format!("bulk:s{i:02}")).collect();
    for n in &names {
        scopes.push_str(&format!(
            "[scopes.\"{n}\"]\ndescription = \"Bulk {n}\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n"
        ));
        grants.push((n.as_str(), "default", "2027-06-01"));
    }
    reg.write("scopes/s.toml", &scopes);
    reg.write("clients/bulk.toml", &client_toml("bulk", &grants));
    let (v, f) = lint_with_events(
        &reg,
        "{\"id\": \"e1\", \"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"bulk\", \"details\": {\"grant_type\": \"client_credentials\", \"scope\": \"bulk:s03 bulk:s17 extra:z\"}}\n",
    );
    let ungranted: Vec<&(String, String, String)> = f
        .iter()
        .filter(|(code, _, _)| code == "usage/ungranted-scope")
        .collect();
    assert_eq!(
        ungranted,
        [&(
            "usage/ungranted-scope".to_string(),
            "bulk".to_string(),
            "extra:z".to_string()
        )],
        "{v:#}"
    );
    // Used: no finding. A default scope its tokens never carried: not evaluable.
    assert!(
        !f.iter().any(|(_, c, s)| c == "bulk" && s == "bulk:s03"),
        "{f:?}"
    );
    assert!(has(&f, "usage/not-evaluable", "bulk", "bulk:s04"), "{f:?}");
}

/// The server knows a client by its client_id in that environment (`[client.ids] prod =
/// "shop-prod"`): its events count for the registry client, so a used grant is not called
/// unused and the scopes it is granted are not "ungranted".
#[test]
fn events_under_an_environments_client_id_count_for_the_registry_client() {
    let reg = Registry::new();
    reg.write(
        "scopes/s.toml",
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
         [scopes.\"orders:write\"]\ndescription = \"Write orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n",
    );
    reg.write(
        "scopectl.toml",
        "[targets.prod]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"shop\"\n",
    );
    let shop = client_toml(
        "shop",
        &[
            ("orders:read", "default", "2027-06-01"),
            ("orders:write", "default", "2027-06-01"),
        ],
    )
    .replacen(
        "[[grants]]",
        "[client.ids]\nprod = \"shop-prod\"\n\n[[grants]]",
        1,
    );
    assert!(shop.contains("[client.ids]"), "{shop}");
    reg.write("clients/shop.toml", &shop);
    let (v, f) = lint_with_events(
        &reg,
        "{\"id\": \"e1\", \"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"shop-prod\", \"details\": {\"grant_type\": \"client_credentials\", \"scope\": \"orders:read orders:write\"}}\n\
         {\"id\": \"e2\", \"time\": 1795165300000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"shop\", \"details\": {\"grant_type\": \"client_credentials\", \"scope\": \"orders:read\"}}\n",
    );
    let usage: Vec<&(String, String, String)> = f
        .iter()
        .filter(|(c, _, _)| c.starts_with("usage/"))
        .collect();
    assert!(usage.is_empty(), "both grants were used: {v:#}");
}
