//! `apply` left to CI (issue 21), against the real Keycloak that `scripts/test` starts:
//! offboarding of clients without a registry file, prune that says who still uses a
//! scope and refuses misnamed folders, empty registries and mass deletes, server limits
//! and SAML clients as errors of their own item, and removals that a lint error
//! elsewhere does not hold back. Every case checks the server state afterwards.

mod support;

use serde_json::{json, Value};
use support::{client_toml, scopectl, scopes_toml, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_SYNC_SECRET";
const TODAY: &str = "2026-11-25";

struct Fixture {
    kc: Kc,
    realm: String,
    reg: Registry,
    secret: String,
}

fn fixture(prefix: &str, clients: &[&str]) -> Fixture {
    let kc = Kc::new();
    let realm = kc.create_realm(prefix);
    let secret = kc.setup_scopectl_account(&realm, true);
    for c in clients {
        kc.create_client(&realm, c, false);
    }
    let reg = Registry::new();
    let f = Fixture {
        kc,
        realm,
        reg,
        secret,
    };
    f.target("");
    f
}

impl Fixture {
    fn target(&self, extra: &str) {
        self.reg.write(
            "scopectl.toml",
            &format!(
                "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{}\"\n\
                 client_id = \"scope-sync\"\nclient_secret_env = \"{SECRET_VAR}\"\n{extra}",
                self.kc.url, self.realm
            ),
        );
    }

    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = scopectl();
        c.args(args)
            .arg(self.reg.path())
            .env(SECRET_VAR, &self.secret)
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

    /// `cmd --format json --today TODAY extra…`, parsed; asserts the exit code.
    fn json(&self, cmd: &str, extra: &[&str], code: i32) -> Value {
        let mut args = vec![cmd, "--format", "json", "--today", TODAY];
        args.extend_from_slice(extra);
        let (stdout, _) = self.run(&args, code);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn scope_id(&self, name: &str) -> String {
        let s = self.kc.scope(&self.realm, name).expect(name);
        s["id"].as_str().unwrap().to_string()
    }

    fn exists(&self, name: &str) -> bool {
        self.kc.scope(&self.realm, name).is_some()
    }

    /// Link a scope to a client by hand, as an administrator would in the console.
    fn link_by_hand(&self, client: &str, kind: &str, scope: &str) {
        let uuid = self.kc.client_uuid(&self.realm, client);
        let r = self.kc.call(
            "PUT",
            &format!(
                "/{}/clients/{uuid}/{kind}-client-scopes/{}",
                self.realm,
                self.scope_id(scope)
            ),
            None,
        );
        assert_eq!(r.status, 204, "{}", r.body);
    }

    /// The realm's default (or optional) client-scope list, by name.
    fn realm_list(&self, kind: &str) -> Vec<String> {
        let r = self.kc.call(
            "GET",
            &format!("/{}/default-{kind}-client-scopes", self.realm),
            None,
        );
        r.body
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    }
}

fn codes(plan: &Value) -> Vec<String> {
    plan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

fn messages(plan: &Value, code: &str) -> Vec<String> {
    plan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code)
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

fn op_names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
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

#[test]
fn clients_without_a_file_are_listed_by_plan_and_drift_and_revoked_on_request() {
    let f = fixture("offboard", &["app-a", "partner", "bystander", "app-b"]);
    f.reg.write(
        "scopes/orders.toml",
        &scopes_toml(&[("orders:read", "Read"), ("orders:write", "Write")]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2027-06-01")]),
    );
    f.reg.write(
        "clients/partner.toml",
        &client_toml(
            "partner",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
    // A client id that differs from the server's only in case.
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("App-B", &[("orders:read", "default", "2027-06-01")]),
    );
    let first = f.json("apply", &[], 1);
    let missing = messages(&first["plan"], "push/missing-client");
    assert!(
        missing[0].contains("`app-b`, which differs only in case"),
        "{first:#}"
    );
    f.reg.remove("clients/app-b.toml");

    // partner is offboarded (its file deleted); an administrator links a managed scope
    // to bystander by hand.
    f.reg.remove("clients/partner.toml");
    f.link_by_hand("bystander", "optional", "orders:write");
    let plan = f.json("plan", &[], 1);
    assert!(plan["ops"].as_array().unwrap().is_empty(), "{plan:#}");
    let unlisted = messages(&plan, "push/unlisted-client");
    assert_eq!(unlisted.len(), 2, "{plan:#}");
    assert!(
        unlisted[0].contains("`bystander`") && unlisted[0].contains("`orders:write` (optional)")
    );
    assert!(unlisted[1].contains("`partner`") && unlisted[1].contains("`orders:read` (default)"));
    let (stdout, _) = f.run(&["drift", "--today", TODAY], 1);
    assert!(stdout.starts_with("Drift for target `kc`"), "{stdout}");
    assert!(stdout.contains("error[push/unlisted-client]"), "{stdout}");
    let drift = f.json("drift", &[], 1);
    assert!(drift.get("max_deletes").is_none(), "{drift:#}");
    assert_eq!(
        messages(&drift, "push/unlisted-client").len(),
        2,
        "{drift:#}"
    );
    // --color is honoured on plan, apply and drift.
    let (coloured, _) = f.run(&["plan", "--color", "always", "--today", TODAY], 1);
    assert!(
        coloured.contains("\u{1b}[1;31merror[push/unlisted-client]\u{1b}[0m"),
        "{coloured}"
    );
    let (plain, _) = f.run(&["drift", "--color", "never", "--today", TODAY], 1);
    assert!(!plain.contains('\u{1b}'), "{plain}");

    // Without the setting, apply leaves them alone (and says so: exit 1).
    f.json("apply", &[], 1);
    let (default, _) = f.kc.links(&f.realm, "partner");
    assert!(default.contains("orders:read"), "{default:?}");

    // --revoke-unlisted: the plan shows the unassigns and warns about the optional
    // scopes they may request by name; apply makes them.
    let plan = f.json("plan", &["--revoke-unlisted"], 0);
    assert_eq!(
        op_names(&plan["ops"]),
        [
            "unassign bystander orders:write",
            "unassign partner orders:read",
            "unassign partner orders:write"
        ],
        "{plan:#}"
    );
    let warnings = plan["warnings"].to_string();
    assert!(
        warnings.contains("client `bystander` loses the optional scope `orders:write`"),
        "{plan:#}"
    );
    f.json("apply", &["--revoke-unlisted"], 0);
    let (default, optional) = f.kc.links(&f.realm, "partner");
    assert!(!default.contains("orders:read") && default.contains("profile"));
    assert!(!optional.contains("orders:write"), "{optional:?}");
    let (_, optional) = f.kc.links(&f.realm, "bystander");
    assert!(!optional.contains("orders:write"), "{optional:?}");
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read"), "{default:?}");
    f.run(&["drift", "--today", TODAY], 0);

    // The target setting does it on every run.
    f.link_by_hand("bystander", "default", "orders:read");
    f.target("revoke_unlisted = true\n");
    let r = f.json("apply", &[], 0);
    assert_eq!(r["plan"]["revoke_unlisted"], true, "{r:#}");
    let (default, _) = f.kc.links(&f.realm, "bystander");
    assert!(!default.contains("orders:read"), "{default:?}");

    // Not when a registry client has the id in another case: that is a typo, not an
    // offboarding.
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("App-B", &[("orders:read", "default", "2027-06-01")]),
    );
    f.link_by_hand("app-b", "default", "orders:read");
    let r = f.json("apply", &[], 1);
    let unlisted = messages(&r["plan"], "push/unlisted-client");
    assert!(
        unlisted[0].contains("not revoked while a registry client differs from it only in case"),
        "{r:#}"
    );
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(default.contains("orders:read"), "{default:?}");
}

#[test]
fn prune_says_who_uses_a_scope_and_refuses_misnamed_folders_empty_registries_and_mass_deletes() {
    let f = fixture("prunesafe", &["app-a", "partner"]);
    f.reg
        .write("scopes/keep.toml", &scopes_toml(&[("keep:read", "Kept")]));
    let old = ["old:linked", "old:mapped", "old:plain", "old:realm"];
    f.reg
        .write("scopes/old.toml", &scopes_toml(&old.map(|n| (n, "Old"))));
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("keep:read", "default", "2027-06-01")]),
    );
    f.reg.write(
        "clients/partner.toml",
        &client_toml("partner", &[("old:linked", "optional", "2027-06-01")]),
    );
    f.json("apply", &[], 0);
    // By hand: a mapper on old:mapped, old:realm among the realm's default scopes.
    let r = f.kc.call(
        "POST",
        &format!(
            "/{}/client-scopes/{}/protocol-mappers/models",
            f.realm,
            f.scope_id("old:mapped")
        ),
        Some(json!({
            "name": "hand-mapper", "protocol": "openid-connect",
            "protocolMapper": "oidc-hardcoded-claim-mapper",
            "config": {"claim.name": "tier", "claim.value": "gold", "access.token.claim": "true"}
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = f.kc.call(
        "PUT",
        &format!(
            "/{}/default-default-client-scopes/{}",
            f.realm,
            f.scope_id("old:realm")
        ),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    // The old scopes leave the registry; partner is offboarded without revoke_unlisted.
    f.reg.remove("scopes/old.toml");
    f.reg.remove("clients/partner.toml");

    // A misnamed folder is an error for push commands, not a warning.
    let root = f.reg.path();
    std::fs::rename(root.join("scopes"), root.join("Scopes")).unwrap();
    let (stdout, stderr) = f.run(&["apply", "--prune", "--format", "json"], 2);
    assert!(stderr.contains("misnamed folder (Scopes/)"), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("Scopes/"), "{v:#}");
    std::fs::rename(root.join("Scopes"), root.join("scope")).unwrap();
    let (_, stderr) = f.run(&["plan", "--prune"], 2);
    assert!(stderr.contains("misnamed folder (scope/)"), "{stderr}");
    std::fs::rename(root.join("scope"), root.join("scopes")).unwrap();
    assert!(old.iter().all(|s| f.exists(s)));

    // A registry with no scopes never prunes (its grants are lint errors too).
    std::fs::rename(root.join("scopes/keep.toml"), root.join("keep.toml.away")).unwrap();
    let r = f.json("apply", &["--prune"], 2);
    assert!(
        codes(&r["plan"]).contains(&"push/prune-empty-registry".to_string()),
        "{r:#}"
    );
    assert_eq!(r["report"]["counts"]["writes"], 0, "{r:#}");
    assert!(f.exists("keep:read") && old.iter().all(|s| f.exists(s)));
    std::fs::rename(root.join("keep.toml.away"), root.join("scopes/keep.toml")).unwrap();

    // The plan tells who still uses each scope and deletes only the unused one.
    let plan = f.json("plan", &["--prune"], 1);
    assert_eq!(
        op_names(&plan["ops"]),
        ["delete_scope - old:plain"],
        "{plan:#}"
    );
    let in_use = messages(&plan, "push/scope-in-use");
    assert_eq!(in_use.len(), 3, "{plan:#}");
    assert!(
        in_use[0].contains("`old:linked`") && in_use[0].contains("client `partner` (optional)")
    );
    assert!(in_use[1].contains("`old:mapped`") && in_use[1].contains("`hand-mapper`"));
    assert!(
        in_use[2].contains("`old:realm`")
            && in_use[2].contains("the realm's default client scopes")
    );

    // The deletion cap: more deletes than allowed refuses every delete.
    let r = f.json(
        "apply",
        &["--prune", "--prune-in-use", "--max-deletes", "3"],
        1,
    );
    let capped = messages(&r["plan"], "push/too-many-deletes");
    assert!(capped[0].contains("would delete 4 client scopes"), "{r:#}");
    assert!(old.iter().all(|s| f.exists(s)));

    f.json("apply", &["--prune"], 1);
    assert!(!f.exists("old:plain"));
    assert!(f.exists("old:linked") && f.exists("old:mapped") && f.exists("old:realm"));

    // --prune-in-use deletes them, and the plan still says who used them.
    let r = f.json("apply", &["--prune", "--prune-in-use"], 1);
    let used_by = r["report"]["applied"].to_string();
    assert!(used_by.contains("client `partner` (optional)"), "{r:#}");
    assert!(old.iter().all(|s| !f.exists(s)));
    assert!(!f.realm_list("default").contains(&"old:realm".to_string()));
    let (_, optional) = f.kc.links(&f.realm, "partner");
    assert!(!optional.contains("old:linked"), "{optional:?}");
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("keep:read"), "{default:?}");
    f.run(&["drift", "--today", TODAY], 0);
}

#[test]
fn server_limits_saml_clients_and_lint_errors_block_only_their_own_items() {
    let f = fixture("limits", &["app-a", "app-b"]);
    let r = f.kc.call(
        "POST",
        &format!("/{}/clients", f.realm),
        Some(json!({"clientId": "saml-app", "protocol": "saml"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let long = "x".repeat(300);
    f.reg.write(
        "scopes/s.toml",
        &scopes_toml(&[
            ("ok:read", "Read"),
            ("ok:write", "Write"),
            ("long:desc", &long),
        ]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("ok:read", "default", "2026-12-01"),
                ("long:desc", "default", "2027-06-01"),
            ],
        ),
    );
    f.reg.write(
        "clients/saml-app.toml",
        &client_toml("saml-app", &[("ok:read", "default", "2027-06-01")]),
    );
    let r = f.json("apply", &[], 1);
    let limit = messages(&r["plan"], "push/server-limit");
    assert!(
        limit[0].contains("`long:desc`") && limit[0].contains("300 characters"),
        "{r:#}"
    );
    let saml = messages(&r["plan"], "push/protocol-mismatch");
    assert!(saml[0].contains("`saml-app` is a `saml` client"), "{r:#}");
    assert!(
        r["report"]["failures"].as_array().unwrap().is_empty(),
        "{r:#}"
    );
    assert!(
        r["report"]["did_not_take"].as_array().unwrap().is_empty(),
        "{r:#}"
    );
    assert!(f.exists("ok:read") && f.exists("ok:write") && !f.exists("long:desc"));
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("ok:read"), "{default:?}");
    let (default, _) = f.kc.links(&f.realm, "saml-app");
    assert!(!default.contains("ok:read"), "{default:?}");
    // It converges: the next apply writes nothing.
    let r = f.json("apply", &[], 1);
    assert_eq!(r["report"]["counts"]["writes"], 0, "{r:#}");

    // A lint error elsewhere (app-b's new grant has no approver) holds back additions
    // only: app-a's expired grant is still removed.
    f.reg.write(
        "clients/app-b.toml",
        "[client]\nid = \"app-b\"\nowner = \"team-b\"\n\n[[grants]]\nscope = \"ok:write\"\n\
         justification = \"needed (T-9)\"\napproved_on = 2026-06-01\nexpires = 2027-03-01\n",
    );
    let (stdout, stderr) = f.run(&["apply", "--format", "json", "--today", "2026-12-15"], 2);
    let r: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        op_names(&r["report"]["applied"]),
        ["unassign app-a ok:read"],
        "{r:#}"
    );
    assert_eq!(
        op_names(&r["report"]["held_back"]),
        ["assign app-b ok:write"],
        "{r:#}"
    );
    assert!(r["error"].as_str().unwrap().contains("lint error"), "{r:#}");
    assert!(stderr.contains("held back 1 other change"), "{stderr}");
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(!default.contains("ok:read"), "{default:?}");
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(!default.contains("ok:write"), "{default:?}");
}
