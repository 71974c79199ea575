//! `plan`, `apply` and `drift` against the real Keycloak that `scripts/test` starts.
//! Each test creates its own realm, so they run in parallel. Without `scripts/test`
//! (plain `cargo test`) they fail and say so.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use support::{client_toml, scopectl, scopes_toml, set, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_SYNC_SECRET";

struct Fixture {
    kc: Kc,
    realm: String,
    reg: Registry,
    secret: String,
}

/// A fresh realm with the scopectl service account and the given clients (with service
/// accounts, so tests can get tokens), and a registry whose only target points at it.
fn fixture(prefix: &str, clients: &[&str]) -> Fixture {
    let kc = Kc::new();
    let realm = kc.create_realm(prefix);
    let secret = kc.setup_scopectl_account(&realm, true);
    for c in clients {
        kc.create_client(&realm, c, true);
    }
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &target_toml(
            &kc.url,
            &realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    Fixture {
        kc,
        realm,
        reg,
        secret,
    }
}

fn target_toml(url: &str, realm: &str, auth: &str) -> String {
    format!("[targets.kc]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"{realm}\"\n{auth}")
}

impl Fixture {
    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = scopectl();
        // A tiny page size: every test also proves that all pages of clients are read.
        c.args(args)
            .arg(self.reg.path())
            .env(SECRET_VAR, &self.secret)
            .env("SCOPECTL_KEYCLOAK_PAGE_SIZE", "3");
        c
    }

    /// Run and parse JSON stdout; assert the exit code.
    fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.cmd(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "scopectl {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn apply(&self, extra: &[&str]) -> Value {
        let mut args = vec!["apply", "--format", "json", "--today", "2026-11-25"];
        args.extend_from_slice(extra);
        self.json(&args, 0)
    }

    fn plan(&self, extra: &[&str]) -> Value {
        let mut args = vec!["plan", "--format", "json", "--today", "2026-11-25"];
        args.extend_from_slice(extra);
        self.json(&args, 0)
    }
}

fn ops(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

fn op_names(ops: &[Value]) -> Vec<String> {
    ops.iter()
        .map(|o| {
            format!(
                "{} {} {}",
                o["op"].as_str().unwrap(),
                o["client"].as_str().unwrap_or("-"),
                o["scope"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

fn shop_registry(f: &Fixture) {
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Change orders"),
            ("orders:refund", "Refund orders"),
        ]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
}

#[test]
fn first_apply_on_empty_realm_then_second_apply_makes_no_writes() {
    let f = fixture("first", &["app-a"]);
    shop_registry(&f);

    let plan = f.plan(&[]);
    let names = op_names(&ops(&plan["ops"]));
    assert_eq!(
        names,
        vec![
            "create_scope - orders:read",
            "create_scope - orders:refund",
            "create_scope - orders:write",
            "assign app-a orders:read",
            "assign app-a orders:write",
        ],
        "{plan:#}"
    );

    let first = f.apply(&[]);
    assert_eq!(ops(&first["report"]["applied"]).len(), 5, "{first:#}");
    assert!(ops(&first["report"]["did_not_take"]).is_empty());

    // A scope with no grants is still created; every scope carries the marker.
    let refund =
        f.kc.scope(&f.realm, "orders:refund")
            .expect("orders:refund created");
    assert_eq!(refund["protocol"], "openid-connect");
    assert_eq!(refund["description"], "Refund orders");
    assert_eq!(refund["attributes"]["scopectl.managed"], "true");
    assert_eq!(refund["attributes"]["include.in.token.scope"], "true");
    assert_eq!(refund["attributes"]["consent.screen.text"], "Refund orders");
    assert!(refund["attributes"]["scopectl.digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read"), "{default:?}");
    assert!(optional.contains("orders:write"), "{optional:?}");
    // Built-in links are left alone.
    assert!(default.contains("profile"));

    let second = f.apply(&[]);
    assert!(ops(&second["report"]["applied"]).is_empty(), "{second:#}");
    assert_eq!(second["report"]["counts"]["writes"], 0, "{second:#}");
    f.cmd(&["drift", "--today", "2026-11-25"]).assert().code(0);
}

#[test]
fn changed_description_is_one_update() {
    let f = fixture("desc", &["app-a"]);
    shop_registry(&f);
    f.apply(&[]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders and their lines"),
            ("orders:write", "Change orders"),
            ("orders:refund", "Refund orders"),
        ]),
    );
    f.cmd(&["drift", "--today", "2026-11-25"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("update scope"));
    let plan = f.plan(&[]);
    let o = ops(&plan["ops"]);
    assert_eq!(o.len(), 1, "{plan:#}");
    assert_eq!(o[0]["op"], "update_scope");
    assert!(o[0]["fields"]
        .as_array()
        .unwrap()
        .contains(&json!("description")));
    f.apply(&[]);
    let s = f.kc.scope(&f.realm, "orders:read").unwrap();
    assert_eq!(s["description"], "Read orders and their lines");
    assert_eq!(
        s["attributes"]["consent.screen.text"],
        "Read orders and their lines"
    );
    assert!(ops(&f.plan(&[])["ops"]).is_empty());
}

#[test]
fn revoked_and_expired_grants_are_unassigned() {
    let f = fixture("revoke", &["app-a"]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read"),
            ("orders:write", "Write"),
            ("orders:ship", "Ship"),
        ]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "default", "2027-06-01"),
                ("orders:ship", "optional", "2026-12-01"),
            ],
        ),
    );
    f.apply(&[]);
    // Revoke orders:write; orders:ship expires on 2026-12-01.
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:ship", "optional", "2026-12-01"),
            ],
        ),
    );
    let plan = f.json(&["plan", "--format", "json", "--today", "2026-12-15"], 0);
    let o = ops(&plan["ops"]);
    assert_eq!(o.len(), 2, "{plan:#}");
    let reasons: Vec<(String, String)> = o
        .iter()
        .map(|x| {
            (
                x["scope"].as_str().unwrap().to_string(),
                x["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("orders:ship".into(), "expired".into())),
        "{reasons:?}"
    );
    assert!(reasons
        .iter()
        .any(|(s, r)| s == "orders:write" && r.starts_with("revoked")));
    f.json(&["apply", "--format", "json", "--today", "2026-12-15"], 0);
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read"));
    assert!(!default.contains("orders:write"));
    assert!(!optional.contains("orders:ship"));
    // The scopes themselves stay (they are still in the registry).
    assert!(f.kc.scope(&f.realm, "orders:write").is_some());
}

#[test]
fn moving_a_grant_between_default_and_optional_converges_in_one_apply() {
    let f = fixture("move", &["app-a"]);
    shop_registry(&f);
    f.apply(&[]);
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "optional", "2027-06-01"),
                ("orders:write", "default", "2027-06-01"),
            ],
        ),
    );
    let plan = f.plan(&[]);
    assert_eq!(
        op_names(&ops(&plan["ops"])),
        vec!["move app-a orders:read", "move app-a orders:write"]
    );
    let r = f.apply(&[]);
    assert!(ops(&r["report"]["did_not_take"]).is_empty(), "{r:#}");
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(optional.contains("orders:read") && !default.contains("orders:read"));
    assert!(default.contains("orders:write") && !optional.contains("orders:write"));
    f.cmd(&["drift", "--today", "2026-11-25"]).assert().code(0);
}

#[test]
fn prune_deletes_only_marked_scopes_and_never_builtin_or_hand_made_ones() {
    let f = fixture("prune", &["app-a"]);
    shop_registry(&f);
    f.apply(&[]);
    f.kc.create_unmarked_scope(&f.realm, "legacy:scope");
    // Someone put scopectl's marker on a built-in scope by hand: still never deleted.
    let profile = f.kc.scope(&f.realm, "profile").unwrap();
    let id = profile["id"].as_str().unwrap();
    let mut tampered = profile.clone();
    tampered["attributes"]["scopectl.managed"] = json!("true");
    assert_eq!(
        f.kc.call(
            "PUT",
            &format!("/{}/client-scopes/{id}", f.realm),
            Some(tampered)
        )
        .status,
        204
    );
    // orders:refund leaves the registry.
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Change orders"),
        ]),
    );
    // Without --prune: nothing is deleted, a note says why; drift reports it.
    let plan = f.plan(&[]);
    assert!(ops(&plan["ops"]).is_empty(), "{plan:#}");
    assert!(plan["notes"].to_string().contains("orders:refund"));
    f.apply(&[]);
    assert!(f.kc.scope(&f.realm, "orders:refund").is_some());
    f.cmd(&["drift", "--today", "2026-11-25"]).assert().code(1);

    let plan = f.plan(&["--prune"]);
    assert_eq!(
        op_names(&ops(&plan["ops"])),
        vec!["delete_scope - orders:refund"]
    );
    f.apply(&["--prune"]);
    assert!(f.kc.scope(&f.realm, "orders:refund").is_none());
    for survivor in [
        "legacy:scope",
        "profile",
        "email",
        "roles",
        "web-origins",
        "acr",
        "basic",
        "offline_access",
    ] {
        assert!(
            f.kc.scope(&f.realm, survivor).is_some(),
            "{survivor} was deleted"
        );
    }
    f.cmd(&["drift", "--today", "2026-11-25"]).assert().code(0);
}

#[test]
fn hand_made_scope_with_a_registry_name_is_a_plan_error_not_a_takeover() {
    let f = fixture("handmade", &["app-a"]);
    f.kc.create_unmarked_scope(&f.realm, "orders:read");
    shop_registry(&f);
    let out = f.json(&["plan", "--format", "json", "--today", "2026-11-25"], 1);
    assert!(
        out["errors"].to_string().contains("push/unmanaged-scope"),
        "{out:#}"
    );
    assert!(
        !out["ops"].to_string().contains("\"orders:read\""),
        "{out:#}"
    );
}

#[test]
fn grant_for_a_client_missing_on_the_server_is_a_plan_error() {
    let f = fixture("missing", &["app-a"]);
    shop_registry(&f);
    f.reg.write(
        "clients/ghost.toml",
        &client_toml("ghost", &[("orders:read", "default", "2027-06-01")]),
    );
    let plan = f.json(&["plan", "--format", "json", "--today", "2026-11-25"], 1);
    let errors = plan["errors"].to_string();
    assert!(
        errors.contains("push/missing-client") && errors.contains("ghost"),
        "{plan:#}"
    );
    // The rest of the registry is still planned.
    assert_eq!(ops(&plan["ops"]).len(), 5);
    let out = f.cmd(&["plan", "--today", "2026-11-25"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("client `ghost` does not exist on the server"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().lines().last().unwrap().starts_with(
            "1 plan error (push/missing-client): what they name cannot be pushed; `apply` \
             would make the 5 change(s) above and exit 1."
        ),
        "{stdout}"
    );
    // apply makes the rest and exits 1 to flag the error, which is impossible to miss:
    // printed after the table, summarised on the last line, and repeated on stderr.
    let out = f.cmd(&["apply", "--today", "2026-11-25"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let table_end = stdout.rfind('┘').expect("a table of applied changes");
    let error = stdout
        .find("error[push/missing-client]: client `ghost`")
        .expect("the error");
    assert!(
        error > table_end,
        "the error comes after the table:\n{stdout}"
    );
    assert_eq!(
        stdout.trim_end().lines().last().unwrap(),
        "Result: NOT everything is pushed: 5 change(s) applied, but 1 plan error \
         (push/missing-client) (listed above) were not pushed.",
        "{stdout}"
    );
    assert!(
        stderr.contains("5 change(s) applied, but the plan has 1 error(s) that were not pushed")
            && stderr.contains("error[push/missing-client]: client `ghost`"),
        "{stderr}"
    );
    assert!(f.kc.scope(&f.realm, "orders:read").is_some());
    // JSON says the same; a second apply has nothing left but the error.
    let r = f.json(&["apply", "--format", "json", "--today", "2026-11-25"], 1);
    assert!(ops(&r["report"]["applied"]).is_empty(), "{r:#}");
    assert!(r["plan"]["errors"]
        .to_string()
        .contains("push/missing-client"));
}

#[test]
fn wrong_credentials_and_missing_role_exit_2_with_clear_messages() {
    let f = fixture("creds", &["app-a"]);
    shop_registry(&f);
    let wrong = "not-the-secret-4711";
    f.cmd(&["plan"])
        .env(SECRET_VAR, wrong)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("rejected the credentials"))
        .stderr(predicates::str::contains("$SCOPECTL_TEST_SYNC_SECRET"))
        .stderr(predicates::str::contains(wrong).not());
    f.cmd(&["plan"])
        .env_remove(SECRET_VAR)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "SCOPECTL_TEST_SYNC_SECRET` (its client secret) is not set",
        ));

    // A service account without manage-clients: 403, and the message names the role.
    let uuid = f.kc.create_client(&f.realm, "no-role", true);
    let secret = f.kc.client_secret(&f.realm, &uuid);
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            &f.realm,
            "client_id = \"no-role\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    f.cmd(&["plan"])
        .env(SECRET_VAR, &secret)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("403"))
        .stderr(predicates::str::contains("manage-clients"));

    // A realm that does not exist.
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            "no-such-realm",
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    f.cmd(&["plan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "realm `no-such-realm` does not exist",
        ));

    // TLS to a server that speaks plain HTTP: a TLS failure, named as such.
    let https = f.kc.url.replace("http://", "https://");
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &https,
            &f.realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    f.cmd(&["plan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("TLS failure"));
    // A ca_file that is not PEM.
    f.reg.write("not-a-ca.pem", "hello");
    f.reg.write(
        "scopectl.toml",
        &target_toml(&https, &f.realm, "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\nca_file = \"not-a-ca.pem\"\n"),
    );
    f.cmd(&["plan"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("holds no PEM certificate"));

    // A master-realm admin user without the realm's roles: the 403 names the role of
    // the `REALM-realm` client in master, where such a user gets it.
    let user = support::unique("norole");
    let password = "pw-4711-not-secret";
    let r = f.kc.call(
        "POST",
        "/master/users",
        Some(json!({
            "username": user, "enabled": true, "email": format!("{user}@example.com"),
            "emailVerified": true, "firstName": "No", "lastName": "Role",
            "credentials": [{"type": "password", "value": password, "temporary": false}]
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            &f.realm,
            "username_env = \"SCOPECTL_TEST_KC_USER\"\npassword_env = \"SCOPECTL_TEST_KC_PASSWORD\"\n",
        ),
    );
    f.cmd(&["plan"])
        .env("SCOPECTL_TEST_KC_USER", &user)
        .env("SCOPECTL_TEST_KC_PASSWORD", password)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "403 Forbidden on GET {}/admin/realms/{}/client-scopes",
            f.kc.url, f.realm
        )))
        .stderr(predicates::str::contains(format!(
            "`manage-clients` role of the `{}-realm` client in realm `master`",
            f.realm
        )));

    // Nothing listening.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &format!("http://127.0.0.1:{port}"),
            &f.realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    f.cmd(&["drift"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot connect"));
    // With --format json, stdout still holds the one shape, with an `error` member.
    for cmd in ["plan", "drift", "apply"] {
        let out = f.cmd(&[cmd, "--format", "json"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let v: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{cmd}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        let plan = if cmd == "apply" {
            assert!(
                v["report"]["applied"].as_array().unwrap().is_empty(),
                "{v:#}"
            );
            assert!(
                v["error"].as_str().unwrap().contains("cannot connect"),
                "{v:#}"
            );
            &v["plan"]
        } else {
            &v
        };
        assert_eq!(plan["format_version"], 1, "{v:#}");
        assert_eq!(plan["target"], Value::Null, "{v:#}");
        assert_eq!(plan["ops"], json!([]), "{v:#}");
        assert!(
            plan["error"].as_str().unwrap().contains("cannot connect"),
            "{v:#}"
        );
    }
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn master_admin_user_with_password_grant_can_push() {
    let f = fixture("adminuser", &["app-a"]);
    shop_registry(&f);
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            &f.realm,
            "username_env = \"SCOPECTL_TEST_KC_USER\"\npassword_env = \"SCOPECTL_TEST_KC_PASSWORD\"\n",
        ),
    );
    let user = support::env("SCOPECTL_TEST_KEYCLOAK_ADMIN_USER");
    let password = support::env("SCOPECTL_TEST_KEYCLOAK_ADMIN_PASSWORD");
    let out = f
        .cmd(&["apply", "--format", "json", "--today", "2026-11-25"])
        .env("SCOPECTL_TEST_KC_USER", &user)
        .env("SCOPECTL_TEST_KC_PASSWORD", &password)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(&password));
    assert!(f.kc.scope(&f.realm, "orders:read").is_some());
}

#[test]
fn saved_plan_is_applied_only_while_the_server_is_unchanged() {
    let f = fixture("saved", &["app-a"]);
    shop_registry(&f);
    let plan_file = f.reg.path().join("plan.json");
    let pf = plan_file.to_str().unwrap();
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    let saved = std::fs::read_to_string(&plan_file).unwrap();
    assert!(
        !saved.contains(&f.secret),
        "the saved plan holds the secret"
    );
    // Someone changes the server in between: what the plan depends on (a hand-made
    // scope with a registry name) refuses the saved plan, naming what changed; what it
    // does not depend on (a new client, a scope the registry does not name) is not
    // named.
    f.kc.create_client(&f.realm, "unrelated", false);
    f.kc.create_unmarked_scope(&f.realm, "surprise:scope");
    f.kc.create_unmarked_scope(&f.realm, "orders:refund");
    let out = f.cmd(&["apply", "--plan", pf]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the server changed since the plan was made: scope `orders:refund` is new"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("unrelated") && !stderr.contains("surprise"),
        "{stderr}"
    );
    assert!(f.kc.scope(&f.realm, "orders:read").is_none());
    let id = f.kc.scope(&f.realm, "orders:refund").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r =
        f.kc.call("DELETE", &format!("/{}/client-scopes/{id}", f.realm), None);
    assert_eq!(r.status, 204);
    // The registry changes after the plan was saved: refused too.
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    f.reg.write(
        "scopes/more.toml",
        &scopes_toml(&[("orders:cancel", "Cancel orders")]),
    );
    f.cmd(&["apply", "--plan", pf])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the registry changed since the plan was made",
        ));
    f.reg.remove("scopes/more.toml");
    // A fresh plan applies, also after an unrelated change.
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    f.kc.create_client(&f.realm, "unrelated-2", false);
    f.cmd(&["apply", "--plan", pf]).assert().code(0);
    assert!(f.kc.scope(&f.realm, "orders:read").is_some());
    // Markdown for PR comments.
    f.cmd(&["plan", "--format", "markdown", "--today", "2026-11-25"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("No changes"));
}

/// A TCP proxy in front of Keycloak that "kills the server" after `limit` HTTP requests:
/// it closes every connection and stops listening, so the client sees resets and then
/// connection refused, exactly as when the process dies.
fn dying_proxy(upstream: &str, limit: usize) -> String {
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let dead = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            if dead.load(Ordering::SeqCst) {
                break;
            }
            let Ok(client) = conn else { break };
            let Ok(server) = TcpStream::connect(&upstream) else {
                break;
            };
            let (seen, dead) = (seen.clone(), dead.clone());
            let (mut c_read, mut s_write) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (c2, s2) = (client, server);
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                loop {
                    let n = match c_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    let requests = buf[..n]
                        .windows(11)
                        .filter(|w| w == b" HTTP/1.1\r\n")
                        .count();
                    if requests > 0 && seen.fetch_add(requests, Ordering::SeqCst) + requests > limit
                    {
                        dead.store(true, Ordering::SeqCst);
                        let _ = c_read.shutdown(std::net::Shutdown::Both);
                        let _ = s_write.shutdown(std::net::Shutdown::Both);
                        // Wake the accept loop so it notices and stops listening.
                        let _ = TcpStream::connect(addr);
                        break;
                    }
                    if s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
            std::thread::spawn(move || {
                let (mut s_read, mut c_write) = (s2, c2);
                let mut buf = [0u8; 65536];
                loop {
                    let n = match s_read.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if c_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = c_write.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn server_killed_mid_apply_then_next_apply_converges() {
    let f = fixture("killed", &["app-a", "app-b"]);
    shop_registry(&f);
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:refund", "default", "2027-06-01")]),
    );
    // token + the reads of a plan + the lease + the reads again under it + 4 writes,
    // then the server "dies" during the 5th write.
    let reads = f.plan(&[])["requests"]["reads"].as_u64().unwrap() as usize;
    let proxy = dying_proxy(&f.kc.url, 1 + reads + 1 + reads + 4);
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &proxy,
            &f.realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    let out = f.cmd(&["apply", "--today", "2026-11-25"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("FAILED"), "{stdout}");
    assert!(stdout.contains("Not applied"), "{stdout}");
    assert!(stderr.contains("change(s) were applied"), "{stderr}");
    // Progress was streamed op by op: the log says what the killed run did.
    assert_eq!(stderr.matches("applied: ").count(), 4, "{stderr}");
    // It could not release its lease: it says so.
    assert!(
        stdout.contains("could not release the apply lease"),
        "{stdout}"
    );

    // The server is back (point at it directly). The killed run's lease still holds:
    // a second apply (as a concurrent pipeline would) is refused and writes nothing.
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            &f.realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    let out = f
        .cmd(&["apply", "--format", "json", "--today", "2026-11-25"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another `scopectl apply` holds the lease")
            && stderr.contains("--take-over-lease"),
        "{stderr}"
    );
    let refused: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        refused["error"].as_str().unwrap().contains("lease"),
        "{refused:#}"
    );
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(!default.contains("orders:refund"));
    // Once the lease expired, the next apply takes it over and converges.
    let lease = f.kc.client_uuid(&f.realm, "scopectl-lease");
    let r = f.kc.call(
        "PUT",
        &format!("/{}/clients/{lease}", f.realm),
        Some(json!({"attributes": {"scopectl.lease.expires": "2020-01-01T00:00:00Z"}})),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = f.apply(&[]);
    assert!(!ops(&r["report"]["applied"]).is_empty(), "{r:#}");
    f.cmd(&["drift", "--today", "2026-11-25"]).assert().code(0);
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(default.contains("orders:refund"));
    // The lease is gone with the run that held it.
    let r = f.kc.call(
        "GET",
        &format!("/{}/clients?clientId=scopectl-lease", f.realm),
        None,
    );
    assert_eq!(r.body, json!([]), "{}", r.body);
    // --take-over-lease takes a lease that has not expired (another run's: it names
    // its holder, as every lease scopectl takes does).
    f.kc.call(
        "POST",
        &format!("/{}/clients", f.realm),
        Some(json!({"clientId": "scopectl-lease", "enabled": false,
                    "attributes": {"scopectl.lease.expires": "2999-01-01T00:00:00Z",
                                   "scopectl.lease.holder": "ci-runner pid 4711"}})),
    );
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:refund", "optional", "2027-06-01")]),
    );
    f.cmd(&["apply", "--today", "2026-11-25"]).assert().code(2);
    f.cmd(&["apply", "--today", "2026-11-25", "--take-over-lease"])
        .assert()
        .code(0);
    let (_, optional) = f.kc.links(&f.realm, "app-b");
    assert!(optional.contains("orders:refund"));
}

#[test]
fn token_scope_claim_holds_exactly_the_unexpired_default_scopes() {
    let f = fixture("token", &["app-t"]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read"),
            ("orders:write", "Write"),
            ("orders:ship", "Ship"),
            ("orders:refund", "Refund"),
        ]),
    );
    f.reg.write(
        "clients/app-t.toml",
        &client_toml(
            "app-t",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "default", "2026-12-01"),
                ("orders:ship", "optional", "2027-06-01"),
            ],
        ),
    );
    f.apply(&[]);
    // On 2026-12-15 the orders:write grant has expired: apply removes it.
    f.json(&["apply", "--format", "json", "--today", "2026-12-15"], 0);

    let uuid = f.kc.client_uuid(&f.realm, "app-t");
    let secret = f.kc.client_secret(&f.realm, &uuid);
    let r = f.kc.token_form(
        &f.realm,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app-t"),
            ("client_secret", &secret),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.body["access_token"].as_str().unwrap();
    // Check the real token with the real binary: signature verified against the realm's
    // JWKS, registry findings against the test's registry (the clock is the real one, as
    // the token is fresh).
    let jwks = format!(
        "{}/realms/{}/protocol/openid-connect/certs",
        f.kc.url, f.realm
    );
    let out = scopectl()
        .args([
            "decode",
            "--jwks",
            &jwks,
            "--insecure-http",
            "--format",
            "json",
            // Grants are evaluated on the day the test applied (the token's own times
            // are checked against the real clock: it was issued just now).
            "--today",
            "2026-12-15",
        ])
        .arg("--registry")
        .arg(f.reg.path())
        .arg(token)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "decode\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
    assert_eq!(doc["valid"], true, "{doc:#}");
    assert_eq!(doc["client"], "app-t", "{doc:#}");
    let errors: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "error findings: {errors:#?}");
    assert_eq!(doc["summary"]["errors"], 0, "{doc:#}");
    let scope: std::collections::BTreeSet<String> = doc["claims"]["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    // decode's per-scope view agrees: every registry scope in the token is granted.
    for s in doc["scopes"].as_array().unwrap() {
        if s["defined"] == true {
            assert_eq!(s["granted"], true, "{s}");
        }
    }
    // Keycloak's built-in realm defaults that reach the claim (profile, email) are not
    // the registry's business; every registry scope in the claim must be an unexpired
    // default grant, and every unexpired default grant must be there.
    let registry_scopes = set(&[
        "orders:read",
        "orders:write",
        "orders:ship",
        "orders:refund",
    ]);
    let ours: std::collections::BTreeSet<String> =
        scope.intersection(&registry_scopes).cloned().collect();
    eprintln!("scope claim: {scope:?}");
    assert_eq!(ours, set(&["orders:read"]), "scope claim: {scope:?}");
    for other in scope.difference(&registry_scopes) {
        assert!(
            ["profile", "email"].contains(&other.as_str()),
            "unexpected scope `{other}` in {scope:?}"
        );
    }
}

/// A registry that does not lint clean: `orders:read` granted without an approver, and a
/// forbidden broad `admin` scope granted as well.
fn unapproved_registry(f: &Fixture) {
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[("orders:read", "Read orders"), ("admin", "Everything")]),
    );
    f.reg.write(
        "clients/app-a.toml",
        "[client]\nid = \"app-a\"\nowner = \"team-b\"\n\n\
         [[grants]]\nscope = \"orders:read\"\njustification = \"needed (T-1)\"\n\
         approved_on = 2026-06-01\nexpires = 2027-03-01\ntype = \"default\"\n\n\
         [[grants]]\nscope = \"admin\"\njustification = \"needed (T-2)\"\n\
         approved_by = \"x@example.com\"\napproved_on = 2026-06-01\nexpires = 2027-03-01\n\
         type = \"default\"\n",
    );
}

#[test]
fn registry_with_lint_errors_is_listed_by_plan_and_refused_by_apply_without_writes() {
    let f = fixture("lint", &["app-a"]);
    unapproved_registry(&f);

    // plan lists each finding with file:line and exits 1.
    let plan = f.json(&["plan", "--format", "json", "--today", "2026-11-25"], 1);
    let errors: Vec<String> = ops(&plan["errors"])
        .iter()
        .filter(|e| e["code"] == "push/lint-errors")
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        errors
            .iter()
            .any(|m| m.starts_with("clients/app-a.toml:") && m.contains("grant/missing-approver")),
        "{plan:#}"
    );
    assert!(
        errors
            .iter()
            .any(|m| m.starts_with("scopes/orders.toml:") && m.contains("scope/broad")),
        "{plan:#}"
    );
    let out = f.cmd(&["plan", "--today", "2026-11-25"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error[push/lint-errors]: clients/app-a.toml:")
            && stdout.contains("holds back every other change"),
        "{stdout}"
    );

    // apply refuses with exit 2 and writes nothing (there is nothing to remove).
    let out = f
        .cmd(&["apply", "--format", "json", "--today", "2026-11-25"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lint error") && stderr.contains("--allow-lint-errors"),
        "{stderr}"
    );
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["report"]["counts"]["writes"], 0, "{shown:#}");
    assert_eq!(ops(&shown["report"]["held_back"]).len(), 4, "{shown:#}");
    assert!(
        shown["error"].as_str().unwrap().contains("lint error"),
        "{shown:#}"
    );
    assert!(f.kc.scope(&f.realm, "orders:read").is_none());
    assert!(f.kc.scope(&f.realm, "admin").is_none());
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(!default.contains("orders:read"), "{default:?}");

    // drift reports them too.
    f.cmd(&["drift", "--today", "2026-11-25"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("error[push/lint-errors]"));

    // Explicitly allowed: pushed, still listed, exit 1.
    let r = f.json(
        &[
            "apply",
            "--format",
            "json",
            "--today",
            "2026-11-25",
            "--allow-lint-errors",
        ],
        1,
    );
    assert!(
        r["plan"]["errors"]
            .to_string()
            .contains("grant/missing-approver"),
        "{r:#}"
    );
    assert!(f.kc.scope(&f.realm, "admin").is_some());
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read") && default.contains("admin"));
}

#[test]
fn saved_plan_pins_the_reviewed_values_of_updates_and_creates() {
    let f = fixture("pinned", &["app-a"]);
    shop_registry(&f);
    f.apply(&[]);
    let plan_file = f.reg.path().join("plan.json");
    let pf = plan_file.to_str().unwrap();
    let with_read = |description: &str| {
        f.reg.write(
            "scopes/orders.toml",
            &scopes_toml(&[
                ("orders:read", description),
                ("orders:write", "Change orders"),
                ("orders:refund", "Refund orders"),
            ]),
        );
    };

    // The update that is reviewed carries both values, in JSON, table and markdown.
    with_read("everything!");
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "description: \"Read orders\" -> \"everything!\"",
        ));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    let update = &saved["ops"][0];
    assert_eq!(update["op"], "update_scope", "{saved:#}");
    assert!(
        update["changes"]
            .as_array()
            .unwrap()
            .contains(&json!({"field": "description", "from": "Read orders", "to": "everything!"})),
        "{saved:#}"
    );
    // Markdown escapes HTML-significant characters as entities (as diff and report do).
    f.cmd(&["plan", "--format", "markdown", "--today", "2026-11-25"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "\"Read orders\" -&gt; \"everything!\"",
        ));

    // The registry changes after review: same shape of change, other value: refused.
    with_read("everything?");
    f.cmd(&["apply", "--plan", pf])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the registry changed since the plan was made",
        ))
        .stderr(predicates::str::contains("everything!"))
        .stderr(predicates::str::contains("everything?"));
    let s = f.kc.scope(&f.realm, "orders:read").unwrap();
    assert_eq!(s["description"], "Read orders");

    // Back to the reviewed value: the saved plan applies exactly that.
    with_read("everything!");
    f.cmd(&["apply", "--plan", pf]).assert().code(0);
    let s = f.kc.scope(&f.realm, "orders:read").unwrap();
    assert_eq!(s["description"], "everything!");

    // A create carries the full representation it will write, and is pinned too.
    f.reg.write(
        "scopes/more.toml",
        &scopes_toml(&[("orders:cancel", "Cancel orders")]),
    );
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    assert_eq!(
        saved["ops"][0],
        json!({"op": "create_scope", "scope": "orders:cancel", "description": "Cancel orders",
               "consent_text": "Cancel orders"}),
        "{saved:#}"
    );
    f.reg.write(
        "scopes/more.toml",
        &scopes_toml(&[("orders:cancel", "Cancel everything")]),
    );
    f.cmd(&["apply", "--plan", pf])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the registry changed since the plan was made",
        ));
    assert!(f.kc.scope(&f.realm, "orders:cancel").is_none());
}

#[test]
fn registry_flag_is_the_same_as_path_and_help_describes_json_per_command() {
    let f = fixture("regflag", &["app-a"]);
    shop_registry(&f);
    for cmd in ["plan", "drift", "apply"] {
        let out = scopectl()
            .args([
                cmd,
                "--format",
                "json",
                "--today",
                "2026-11-25",
                "--registry",
            ])
            .arg(f.reg.path())
            .env(SECRET_VAR, &f.secret)
            .current_dir(std::env::temp_dir())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let want = if cmd == "drift" { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(want), "{cmd}: {stdout}");
        assert!(stdout.contains(&f.realm), "{cmd}: {stdout}");
    }
    assert!(f.kc.scope(&f.realm, "orders:read").is_some());
    // PATH and --registry together are refused (exit 2, clap usage error).
    scopectl()
        .args(["plan", "--registry"])
        .arg(f.reg.path())
        .arg(f.reg.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot be used with"));
    // `--out` only exists on `plan`: apply and drift do not claim it.
    for cmd in ["apply", "drift"] {
        let out = scopectl().args([cmd, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(!help.contains("the same document `--out` saves"), "{help}");
        assert!(help.contains("--registry <PATH>"), "{help}");
    }
}

#[test]
fn saved_plan_is_refused_when_the_registry_stopped_linting_clean_without_changing_ops() {
    let f = fixture("lintsaved", &["app-a"]);
    shop_registry(&f);
    let plan_file = f.reg.path().join("plan.json");
    let pf = plan_file.to_str().unwrap();
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    // Same grants, so the same ops, but the approver is gone.
    let text = client_toml(
        "app-a",
        &[
            ("orders:read", "default", "2027-06-01"),
            ("orders:write", "optional", "2027-06-01"),
        ],
    )
    .replace("approved_by = \"x@example.com\"\n", "");
    f.reg.write("clients/app-a.toml", &text);
    f.cmd(&["apply", "--plan", pf])
        .assert()
        .code(2)
        .stdout(predicates::str::contains("grant/missing-approver"))
        .stderr(predicates::str::contains("--allow-lint-errors"));
    assert!(f.kc.scope(&f.realm, "orders:read").is_none());
}

#[test]
fn saved_plan_never_links_a_grant_that_expired_after_it_was_made() {
    let f = fixture("expiry", &["app-a"]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Change orders"),
        ]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                // Valid on the plan's day, expired two days later.
                ("orders:write", "default", "2026-11-26"),
            ],
        ),
    );
    let plan_file = f.reg.path().join("plan.json");
    let pf = plan_file.to_str().unwrap();
    f.cmd(&["plan", "--today", "2026-11-25", "--out", pf])
        .assert()
        .code(0);
    let saved = std::fs::read_to_string(&plan_file).unwrap();
    assert!(saved.contains("orders:write"), "{saved}");
    // Applied two days later: the grant has expired, so the reviewed plan is refused and
    // nothing is written.
    f.cmd(&["apply", "--plan", pf, "--today", "2026-11-27"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("links `orders:write` to `app-a`"))
        .stderr(predicates::str::contains("expired"));
    assert!(
        f.kc.scope(&f.realm, "orders:read").is_none(),
        "nothing applied"
    );
    // The same day it applies.
    f.cmd(&["apply", "--plan", pf, "--today", "2026-11-25"])
        .assert()
        .code(0);
}

#[test]
fn a_saved_plan_refused_for_a_server_change_outside_its_fingerprint_blames_the_server() {
    let f = fixture("savedsrv", &["app-a"]);
    shop_registry(&f);
    f.apply(&[]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[
            ("orders:read", "Read orders"),
            ("orders:write", "Change orders"),
        ]),
    );
    let plan_file = f.reg.path().join("plan.json");
    let pf = plan_file.to_str().unwrap();
    let plan = f.json(
        &[
            "plan",
            "--prune",
            "--format",
            "json",
            "--today",
            "2026-11-25",
            "--out",
            pf,
        ],
        0,
    );
    assert_eq!(
        op_names(&ops(&plan["ops"])),
        ["delete_scope - orders:refund"]
    );
    // Only the server changes: a hand-made mapper on the scope to delete (not in the
    // fingerprint) makes it a scope in use.
    let id = f.kc.scope(&f.realm, "orders:refund").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = f.kc.call(
        "POST",
        &format!("/{}/client-scopes/{id}/protocol-mappers/models", f.realm),
        Some(json!({
            "name": "hand-mapper", "protocol": "openid-connect",
            "protocolMapper": "oidc-hardcoded-claim-mapper",
            "config": {"claim.name": "tier", "claim.value": "gold", "access.token.claim": "true"}
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let out = f.cmd(&["apply", "--plan", pf]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr
            .contains("the registry is unchanged, but the server changed since the plan was made")
            && stderr.contains("hand-made protocol mappers"),
        "{stderr}"
    );
    assert!(!stderr.contains("the registry changed"), "{stderr}");
    assert!(f.kc.scope(&f.realm, "orders:refund").is_some());
}

#[test]
fn a_wrong_admin_password_and_a_failing_token_endpoint_say_what_they_are() {
    let f = fixture("adminpw", &["app-a"]);
    shop_registry(&f);
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &f.kc.url,
            &f.realm,
            "username_env = \"SCOPECTL_TEST_KC_USER\"\npassword_env = \"SCOPECTL_TEST_KC_PASSWORD\"\n",
        ),
    );
    let out = f
        .cmd(&["plan"])
        .env(
            "SCOPECTL_TEST_KC_USER",
            support::env("SCOPECTL_TEST_KEYCLOAK_ADMIN_USER"),
        )
        .env("SCOPECTL_TEST_KC_PASSWORD", "not-the-password-4711")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("rejected the credentials")
            && stderr.contains(
                "check the admin user name and the password in $SCOPECTL_TEST_KC_USER and \
                 $SCOPECTL_TEST_KC_PASSWORD"
            ),
        "{stderr}"
    );
    assert!(!stderr.contains("client id"), "{stderr}");
    assert!(!stderr.contains("not-the-password-4711"), "{stderr}");

    // A token endpoint answering 501 (a gateway in front of Keycloak that does not
    // implement it) is a server failure, not refused credentials.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut c) = conn else { continue };
            let mut buf = [0u8; 8192];
            let _ = c.read(&mut buf);
            let body = "{\"error\":\"not implemented\"}";
            let _ = write!(
                c,
                "HTTP/1.1 501 Not Implemented\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    f.reg.write(
        "scopectl.toml",
        &target_toml(
            &url,
            &f.realm,
            "client_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_TEST_SYNC_SECRET\"\n",
        ),
    );
    let out = f.cmd(&["plan"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("501 on POST") && stderr.contains("(the token request)"),
        "{stderr}"
    );
    assert!(!stderr.contains("rejected the credentials"), "{stderr}");
}
