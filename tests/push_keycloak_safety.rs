//! `apply` left to CI (issue 21), against the real Keycloak that `scripts/test` starts:
//! offboarding of clients without a registry file, prune that says who still uses a
//! scope and refuses misnamed folders, empty registries and mass deletes, server limits
//! and SAML clients as errors of their own item, removals that a lint error elsewhere
//! does not hold back, adoption of a hand-made scope (`adopt = true`), built-in scopes
//! per client (`builtin_scopes`) and registry scopes in the realm's lists, a rename
//! transition (`deprecated` + `replaced_by`), and two applies racing for the lease.
//! Every case checks the server state afterwards.

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

/// A scope file whose `orders:read` carries `extra` (e.g. `adopt = true`).
fn orders_scopes(extra: &str) -> String {
    format!(
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\n\
         sensitivity = \"low\"\n{extra}\n\n{}",
        scopes_toml(&[("orders:write", "Change orders")])
    )
}

#[test]
fn a_hand_made_scope_is_adopted_only_with_adopt_true_and_the_refusal_names_who_it_blocks() {
    let f = fixture("adopt", &["app-a", "app-b", "legacy"]);
    f.kc.create_unmarked_scope(&f.realm, "orders:read");
    f.link_by_hand("legacy", "default", "orders:read");
    f.link_by_hand("app-b", "optional", "orders:read");
    f.reg.write("scopes/orders.toml", &orders_scopes(""));
    f.reg.write(
        "clients/app-a.toml",
        &client_toml(
            "app-a",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "default", "2027-06-01"),
            ],
        ),
    );
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:write", "optional", "2027-06-01")]),
    );
    // Without adopt: a plan error naming the grants it blocks and who uses the scope.
    let plan = f.json("plan", &[], 1);
    let refusal = messages(&plan, "push/unmanaged-scope");
    assert_eq!(refusal.len(), 1, "{plan:#}");
    let m = &refusal[0];
    assert!(m.contains("Grants not pushed: `app-a` (default)"), "{m}");
    assert!(
        m.contains("`app-b` (optional)") && m.contains("`legacy` (default)"),
        "{m}"
    );
    assert!(m.contains("adopt = true"), "{m}");
    // apply pushes the rest and leaves the hand-made scope alone.
    f.json("apply", &[], 1);
    let s = f.kc.scope(&f.realm, "orders:read").unwrap();
    assert!(s["attributes"].get("scopectl.managed").is_none(), "{s:#}");
    assert_eq!(s["description"], "hand made");
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(
        default.contains("orders:write") && !default.contains("orders:read"),
        "{default:?}"
    );
    let (_, optional) = f.kc.links(&f.realm, "app-b");
    assert!(optional.contains("orders:read"), "{optional:?}");

    // adopt = true: an explicit op that marks it, then its links follow the registry.
    f.reg
        .write("scopes/orders.toml", &orders_scopes("adopt = true"));
    let plan = f.json("plan", &[], 1);
    let ops = op_names(&plan["ops"]);
    assert!(
        ops.contains(&"adopt_scope - orders:read".to_string()),
        "{ops:?}"
    );
    let adopt = plan["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == "adopt_scope")
        .unwrap();
    assert!(
        adopt["changes"].to_string().contains("scopectl.managed"),
        "{adopt:#}"
    );
    assert!(
        codes(&plan).iter().all(|c| c != "push/unmanaged-scope"),
        "{plan:#}"
    );
    // legacy has no file: listed, left alone (as for any of scopectl's scopes).
    assert_eq!(codes(&plan), ["push/unlisted-client"], "{plan:#}");
    let r = f.json("apply", &[], 1);
    assert!(r["error"].is_null(), "{r:#}");
    let s = f.kc.scope(&f.realm, "orders:read").unwrap();
    assert_eq!(s["attributes"]["scopectl.managed"], "true", "{s:#}");
    assert!(s["attributes"]["scopectl.digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(s["description"], "Read orders");
    let (default, _) = f.kc.links(&f.realm, "app-a");
    assert!(default.contains("orders:read"), "{default:?}");
    let (_, optional) = f.kc.links(&f.realm, "app-b");
    assert!(!optional.contains("orders:read"), "{optional:?}");
    let (default, _) = f.kc.links(&f.realm, "legacy");
    assert!(default.contains("orders:read"), "{default:?}");
    // Adopted: the next apply writes nothing; without adopt it stays scopectl's.
    f.reg.write("scopes/orders.toml", &orders_scopes(""));
    let r = f.json("apply", &[], 1);
    assert_eq!(r["report"]["counts"]["writes"], 0, "{r:#}");
    assert_eq!(codes(&r["plan"]), ["push/unlisted-client"], "{r:#}");
}

/// Base64url-decoded claims of a JWT.
fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn builtin_scopes_per_client_and_registry_scopes_in_the_realm_lists() {
    let kc = Kc::new();
    let f = fixture("builtin", &["app-b"]);
    let uuid = kc.create_client(&f.realm, "app-a", true);
    let secret = kc.client_secret(&f.realm, &uuid);
    let (before_b, before_b_opt) = f.kc.links(&f.realm, "app-b");
    f.reg.write("scopes/orders.toml", &orders_scopes(""));
    let keep = "builtin_scopes = [\"profile\", \"roles\", \"offline_access\"]\n";
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2027-06-01")]).replacen(
            "owner = \"team-b\"\n",
            &format!("owner = \"team-b\"\n{keep}"),
            1,
        ),
    );
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:write", "optional", "2027-06-01")]),
    );
    let plan = f.json("plan", &[], 0);
    let ops = op_names(&plan["ops"]);
    for lost in ["email", "web-origins", "acr", "basic"] {
        assert!(ops.contains(&format!("unassign app-a {lost}")), "{ops:?}");
    }
    assert!(
        ops.contains(&"unassign app-a address".to_string()),
        "{ops:?}"
    );
    assert!(
        !ops.iter()
            .any(|o| o.contains("app-b") && o.starts_with("unassign")),
        "{ops:?}"
    );
    assert!(
        plan["warnings"]
            .to_string()
            .contains("client `app-a` loses the optional scope `address`"),
        "{plan:#}"
    );
    f.json("apply", &[], 0);
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    let default: Vec<&str> = default
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "service_account")
        .collect();
    assert_eq!(default, ["orders:read", "profile", "roles"], "{default:?}");
    assert_eq!(optional, support::set(&["offline_access"]));
    // Clients without the key keep their built-ins as they were.
    let (b, b_opt) = f.kc.links(&f.realm, "app-b");
    assert_eq!(b, before_b);
    let mut want_b_opt = before_b_opt.clone();
    want_b_opt.insert("orders:write".to_string());
    assert_eq!(b_opt, want_b_opt);
    // The token is exactly what the registry says: profile and orders:read (roles and
    // service_account never appear in `scope`).
    let r = f.kc.token_form(
        &f.realm,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app-a"),
            ("client_secret", &secret),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let scope = claims(r.body["access_token"].as_str().unwrap())["scope"]
        .as_str()
        .unwrap()
        .to_string();
    let mut words: Vec<&str> = scope.split(' ').collect();
    words.sort();
    assert_eq!(words, ["orders:read", "profile"], "{scope}");

    // A name that is not a built-in, and a registry scope in the realm's optional list.
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2027-06-01")]).replacen(
            "owner = \"team-b\"\n",
            "owner = \"team-b\"\nbuiltin_scopes = [\"profile\", \"roles\", \"offline_access\", \"no-such\"]\n",
            1,
        ),
    );
    let id = f.scope_id("orders:write");
    let r = f.kc.call(
        "PUT",
        &format!("/{}/default-optional-client-scopes/{id}", f.realm),
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let drift = f.json("drift", &[], 1);
    assert_eq!(
        codes(&drift),
        ["push/realm-default-scope", "push/unknown-builtin"],
        "{drift:#}"
    );
    assert!(
        messages(&drift, "push/realm-default-scope")[0]
            .contains("`orders:write` is in the realm's optional client scopes"),
        "{drift:#}"
    );
    assert!(
        messages(&drift, "push/unknown-builtin")[0].contains("`no-such`"),
        "{drift:#}"
    );
    assert_eq!(drift["ops"], json!([]), "{drift:#}");
    assert!(f
        .realm_list("optional")
        .contains(&"orders:write".to_string()));
}

#[test]
fn a_deprecated_scope_with_replaced_by_keeps_both_linked_while_its_grant_lasts() {
    let f = fixture("rename", &["app-a", "app-b"]);
    f.reg.write(
        "scopes/orders.toml",
        &format!(
            "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\n\
             sensitivity = \"low\"\ndeprecated = true\nreplaced_by = \"orders:view\"\n\n{}",
            scopes_toml(&[("orders:view", "View orders")])
        ),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "optional", "2027-01-31")]),
    );
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:read", "default", "2027-06-01")]),
    );
    let plan = f.json("plan", &[], 0);
    let ops = op_names(&plan["ops"]);
    for o in [
        "assign app-a orders:read",
        "assign app-a orders:view",
        "assign app-b orders:view",
    ] {
        assert!(ops.contains(&o.to_string()), "{ops:?}");
    }
    assert!(
        plan["notes"]
            .to_string()
            .contains("client `app-a` gets `orders:view` linked as well as `orders:read`"),
        "{plan:#}"
    );
    f.json("apply", &[], 0);
    let orders = |set: std::collections::BTreeSet<String>| -> Vec<String> {
        set.into_iter()
            .filter(|s| s.starts_with("orders:"))
            .collect()
    };
    let (_, optional) = f.kc.links(&f.realm, "app-a");
    assert_eq!(orders(optional), ["orders:read", "orders:view"]);
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(default.contains("orders:read") && default.contains("orders:view"));

    // app-a's grant expires: the transition ends, both go, and the plan warns.
    let out = f.run(&["plan", "--format", "json", "--today", "2027-02-01"], 0);
    let plan: Value = serde_json::from_str(&out.0).unwrap();
    let warnings = plan["warnings"].to_string();
    for s in ["orders:read", "orders:view"] {
        assert!(
            warnings.contains(&format!(
                "client `app-a` loses the optional scope `{s}` (expired)"
            )),
            "{warnings}"
        );
    }
    f.run(&["apply", "--today", "2027-02-01"], 0);
    let (_, optional) = f.kc.links(&f.realm, "app-a");
    assert!(orders(optional).is_empty());
    // app-b moves to the new name: the old one goes, with a warning that it may be
    // asked for by name; the new one stays.
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:view", "default", "2027-06-01")]),
    );
    let out = f.run(&["apply", "--format", "json", "--today", "2027-02-01"], 0);
    let r: Value = serde_json::from_str(&out.0).unwrap();
    assert_eq!(
        op_names(&r["report"]["applied"]),
        ["unassign app-b orders:read"],
        "{r:#}"
    );
    assert!(
        r["plan"]["warnings"]
            .to_string()
            .contains("client `app-b` loses the default scope `orders:read`"),
        "{r:#}"
    );
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(!default.contains("orders:read") && default.contains("orders:view"));
}

/// A proxy in front of Keycloak (one request per connection) that holds every
/// `POST …/clients` (the lease create) until two have arrived, then sends both on at
/// once: two applies race for the lease on the server itself.
fn lease_race_proxy(upstream: &str) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Condvar, Mutex};
    let upstream = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let gate = Arc::new((Mutex::new(0usize), Condvar::new()));
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(client) = conn else { continue };
            let (upstream, gate) = (upstream.clone(), gate.clone());
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut reader = BufReader::new(client.try_clone()?);
                let mut client = client;
                let mut line = String::new();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                let mut head = line.clone();
                let is_lease = line.starts_with("POST ")
                    && line
                        .split_whitespace()
                        .nth(1)
                        .is_some_and(|p| p.ends_with("/clients"));
                let mut length = 0usize;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h)?;
                    let lower = h.to_ascii_lowercase();
                    if h.trim_end().is_empty() {
                        break;
                    }
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if !lower.starts_with("connection:") {
                        head.push_str(&h);
                    }
                }
                head.push_str("Connection: close\r\n\r\n");
                let mut body = vec![0u8; length];
                reader.read_exact(&mut body)?;
                if is_lease {
                    let (count, cv) = &*gate;
                    let mut n = count.lock().unwrap();
                    *n += 1;
                    cv.notify_all();
                    let _ = cv
                        .wait_timeout_while(n, std::time::Duration::from_secs(30), |n| *n < 2)
                        .unwrap();
                }
                let mut server = TcpStream::connect(&upstream)?;
                server.write_all(head.as_bytes())?;
                server.write_all(&body)?;
                let mut answer = Vec::new();
                server.read_to_end(&mut answer)?;
                client.write_all(&answer)?;
                let _ = client.shutdown(std::net::Shutdown::Both);
                Ok(())
            });
        }
    });
    url
}

#[test]
fn two_applies_at_once_one_takes_the_lease_the_other_writes_nothing() {
    let f = fixture("race", &["app-a"]);
    let proxy = lease_race_proxy(&f.kc.url);
    let target = |reg: &Registry| {
        reg.write(
            "scopectl.toml",
            &format!(
                "[targets.kc]\nkind = \"keycloak\"\nurl = \"{proxy}\"\nrealm = \"{}\"\n\
                 client_id = \"scope-sync\"\nclient_secret_env = \"{SECRET_VAR}\"\n",
                f.realm
            ),
        );
    };
    let other = Registry::new();
    target(&f.reg);
    target(&other);
    f.reg.write(
        "scopes/a.toml",
        &scopes_toml(&[("alpha:read", "Read alpha"), ("alpha:write", "Write alpha")]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("alpha:read", "default", "2027-06-01")]),
    );
    other.write("scopes/b.toml", &scopes_toml(&[("beta:read", "Read beta")]));
    other.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("beta:read", "optional", "2027-06-01")]),
    );
    let start = |reg: &Registry| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("scopectl"))
            .args(["apply", "--today", TODAY])
            .arg(reg.path())
            .env(SECRET_VAR, &f.secret)
            .env("SCOPECTL_KEYCLOAK_PAGE_SIZE", "3")
            .env("SCOPECTL_HTTP_RETRIES", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (start(&f.reg), start(&other));
    let pids = (a.id(), b.id());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let text = |o: &std::process::Output| {
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let codes = (a.status.code(), b.status.code());
    let (winner, loser, winner_pid, won_a) = match codes {
        (Some(0), Some(2)) => (&a, &b, pids.0, true),
        (Some(2), Some(0)) => (&b, &a, pids.1, false),
        _ => panic!("exactly one apply must run:\n{}\n{}", text(&a), text(&b)),
    };
    let stderr = String::from_utf8_lossy(&loser.stderr);
    assert!(
        stderr.contains("another `scopectl apply` holds the lease")
            && stderr.contains(&format!("pid {winner_pid}")),
        "{}\nwinner:\n{}",
        text(loser),
        text(winner)
    );
    // The server holds what the winner's registry says, nothing of the loser's, and
    // no lease.
    let (mine, theirs) = if won_a {
        (vec!["alpha:read", "alpha:write"], vec!["beta:read"])
    } else {
        (vec!["beta:read"], vec!["alpha:read", "alpha:write"])
    };
    for s in mine {
        assert!(f.exists(s), "{s}");
    }
    for s in theirs {
        assert!(!f.exists(s), "{s}");
    }
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    if won_a {
        assert!(default.contains("alpha:read") && !optional.contains("beta:read"));
    } else {
        assert!(optional.contains("beta:read") && !default.contains("alpha:read"));
    }
    let r = f.kc.call(
        "GET",
        &format!("/{}/clients?clientId=scopectl-lease", f.realm),
        None,
    );
    assert_eq!(r.body, json!([]), "the lease was given back");
}

#[test]
fn a_client_that_only_has_the_lease_name_is_neither_taken_over_nor_hidden() {
    let f = fixture("leasename", &["app-a"]);
    f.reg.write("scopes/orders.toml", &orders_scopes(""));
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2027-06-01")]),
    );
    f.run(&["apply", "--today", TODAY], 0);
    // Someone's own client happens to have the lease's name.
    f.kc.create_client(&f.realm, "scopectl-lease", true);
    let still_there = || {
        let r = f.kc.call(
            "GET",
            &format!("/{}/clients?clientId=scopectl-lease", f.realm),
            None,
        );
        r.body.as_array().is_some_and(|a| a.len() == 1)
    };
    // Any change: apply refuses to take that client as its lease (it used to delete it).
    f.reg.write(
        "scopes/orders.toml",
        &orders_scopes("").replace("Read orders", "Read all orders"),
    );
    let (_, stderr) = f.run(&["apply", "--today", TODAY], 2);
    assert!(
        stderr.contains("has a client `scopectl-lease` that is not scopectl's apply lease"),
        "{stderr}"
    );
    assert!(still_there(), "the client was deleted");
    // Its links are planned like any client's: a registry scope on it is unlisted access.
    f.link_by_hand("scopectl-lease", "default", "orders:read");
    let plan = f.json("plan", &[], 1);
    let unlisted = messages(&plan, "push/unlisted-client");
    assert!(
        unlisted.iter().any(|m| m.contains("scopectl-lease")),
        "{plan:#}"
    );
    assert!(still_there());
}

#[test]
fn a_managed_false_scope_that_left_the_registry_names_the_clients_still_holding_it() {
    let f = fixture("unmgone", &["app-a", "app-b"]);
    f.kc.create_unmarked_scope(&f.realm, "inventory:read");
    let imported = "[scopes.\"inventory:read\"]\ndescription = \"hand made\"\nowner = \"team-a\"\n\
                    sensitivity = \"low\"\nmanaged = false\n\n";
    let scopes = |extra: &str| format!("{extra}{}", scopes_toml(&[("orders:read", "Read orders")]));
    f.reg.write("scopes/s.toml", &scopes(imported));
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2027-06-01")]),
    );
    f.reg.write(
        "clients/app-b.toml",
        &client_toml(
            "app-b",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("inventory:read", "default", "2027-06-01"),
            ],
        ),
    );
    f.json("apply", &[], 0);
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(default.contains("inventory:read"), "{default:?}");

    // Its definition and its grant leave the registry: scopectl no longer governs it and
    // never unlinks an unmarked scope, but it no longer stays silent about the link.
    f.reg.write("scopes/s.toml", &scopes(""));
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:read", "default", "2027-06-01")]),
    );
    let plan = f.json("plan", &[], 0);
    assert_eq!(plan["ops"], json!([]), "{plan:#}");
    let warnings: Vec<String> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let said = warnings
        .iter()
        .find(|w| w.contains("`inventory:read`"))
        .unwrap_or_else(|| panic!("{plan:#}"));
    assert!(
        said.contains("`app-b` (default)") && !said.contains("app-a"),
        "{said}"
    );
    let (stdout, _) = f.run(&["drift", "--today", TODAY], 0);
    assert!(
        stdout.contains("warning: client scope `inventory:read` is not in the registry"),
        "{stdout}"
    );
    f.json("apply", &[], 0);
    let (default, _) = f.kc.links(&f.realm, "app-b");
    assert!(default.contains("inventory:read"), "{default:?}");
    // The way out the warning names: defined again (managed = false) without grants,
    // apply unlinks it; then it may leave the registry, and the warning is gone.
    f.reg.write("scopes/s.toml", &scopes(imported));
    let r = f.json("apply", &[], 0);
    assert_eq!(
        op_names(&r["report"]["applied"]),
        ["unassign app-b inventory:read"],
        "{r:#}"
    );
    f.reg.write("scopes/s.toml", &scopes(""));
    let plan = f.json("plan", &[], 0);
    assert_eq!(plan["warnings"], json!([]), "{plan:#}");
    let s = f.kc.scope(&f.realm, "inventory:read").unwrap();
    assert!(s["attributes"].get("scopectl.managed").is_none(), "{s:#}");
}

#[test]
fn an_adoption_held_back_by_the_lint_gate_holds_back_the_unlinks_of_its_scope() {
    let f = fixture("adoptgate", &["app-a", "app-b", "legacy"]);
    f.reg.write(
        "scopes/s.toml",
        &scopes_toml(&[("orders:read", "Read orders")]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("orders:read", "default", "2026-12-01")]),
    );
    f.json("apply", &[], 0);
    // A hand-made scope app-a and legacy (no file) hold; the registry adopts it, but a
    // lint error elsewhere (app-b's grant has no approver) holds additions back.
    f.kc.create_unmarked_scope(&f.realm, "reports:read");
    f.link_by_hand("app-a", "optional", "reports:read");
    f.link_by_hand("legacy", "default", "reports:read");
    f.reg.write(
        "scopes/s.toml",
        &format!(
            "[scopes.\"reports:read\"]\ndescription = \"Read reports\"\nowner = \"team-a\"\n\
             sensitivity = \"low\"\nadopt = true\n\n{}",
            scopes_toml(&[("orders:read", "Read orders")])
        ),
    );
    f.reg.write(
        "clients/app-b.toml",
        "[client]\nid = \"app-b\"\nowner = \"team-b\"\n\n[[grants]]\nscope = \"orders:read\"\n\
         justification = \"needed (T-9)\"\napproved_on = 2026-06-01\nexpires = 2027-03-01\n",
    );
    let args = [
        "apply",
        "--revoke-unlisted",
        "--format",
        "json",
        "--today",
        "2026-12-15",
    ];
    let (stdout, _) = f.run(&args, 2);
    let r: Value = serde_json::from_str(&stdout).unwrap();
    // app-a's expired grant still goes; nothing on the scope that is not adopted yet.
    assert_eq!(
        op_names(&r["report"]["applied"]),
        ["unassign app-a orders:read"],
        "{r:#}"
    );
    let held = op_names(&r["report"]["held_back"]);
    for o in [
        "adopt_scope - reports:read",
        "assign app-b orders:read",
        "unassign app-a reports:read",
        "unassign legacy reports:read",
    ] {
        assert!(held.contains(&o.to_string()), "{o}: {r:#}");
    }
    let s = f.kc.scope(&f.realm, "reports:read").unwrap();
    assert!(s["attributes"].get("scopectl.managed").is_none(), "{s:#}");
    let (default, optional) = f.kc.links(&f.realm, "app-a");
    assert!(
        optional.contains("reports:read") && !default.contains("orders:read"),
        "{default:?} {optional:?}"
    );
    let (default, _) = f.kc.links(&f.realm, "legacy");
    assert!(default.contains("reports:read"), "{default:?}");

    // The lint error fixed: adopted, then its links follow the registry.
    f.reg.write(
        "clients/app-b.toml",
        &client_toml("app-b", &[("orders:read", "default", "2027-06-01")]),
    );
    f.run(&args, 0);
    let s = f.kc.scope(&f.realm, "reports:read").unwrap();
    assert_eq!(s["attributes"]["scopectl.managed"], "true", "{s:#}");
    let (_, optional) = f.kc.links(&f.realm, "app-a");
    assert!(!optional.contains("reports:read"), "{optional:?}");
    let (default, _) = f.kc.links(&f.realm, "legacy");
    assert!(!default.contains("reports:read"), "{default:?}");
}

#[test]
fn prune_leaves_a_scope_with_role_scope_mappings_unless_prune_in_use() {
    let f = fixture("pruneroles", &["app-a"]);
    f.reg.write(
        "scopes/s.toml",
        &scopes_toml(&[
            ("keep:read", "Kept"),
            ("old:roles", "Old"),
            ("old:plain", "Old"),
        ]),
    );
    f.reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("keep:read", "default", "2027-06-01")]),
    );
    f.json("apply", &[], 0);
    // By hand: a realm role and a client role mapped to old:roles.
    let r = f.kc.call(
        "POST",
        &format!("/{}/roles", f.realm),
        Some(json!({"name": "auditor"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let role =
        f.kc.call("GET", &format!("/{}/roles/auditor", f.realm), None)
            .body;
    let r = f.kc.call(
        "POST",
        &format!(
            "/{}/client-scopes/{}/scope-mappings/realm",
            f.realm,
            f.scope_id("old:roles")
        ),
        Some(json!([role])),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let app = f.kc.client_uuid(&f.realm, "app-a");
    let r = f.kc.call(
        "POST",
        &format!("/{}/clients/{app}/roles", f.realm),
        Some(json!({"name": "viewer"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let role =
        f.kc.call(
            "GET",
            &format!("/{}/clients/{app}/roles/viewer", f.realm),
            None,
        )
        .body;
    let r = f.kc.call(
        "POST",
        &format!(
            "/{}/client-scopes/{}/scope-mappings/clients/{app}",
            f.realm,
            f.scope_id("old:roles")
        ),
        Some(json!([role])),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    f.reg
        .write("scopes/s.toml", &scopes_toml(&[("keep:read", "Kept")]));

    let plain = f.json("plan", &[], 0);
    let plan = f.json("plan", &["--prune"], 1);
    assert_eq!(
        op_names(&plan["ops"]),
        ["delete_scope - old:plain"],
        "{plan:#}"
    );
    let in_use = messages(&plan, "push/scope-in-use");
    assert_eq!(in_use.len(), 1, "{plan:#}");
    assert!(
        in_use[0].contains("`old:roles`")
            && in_use[0].contains("role scope mapping(s) `app-a/viewer`, `auditor`"),
        "{plan:#}"
    );
    // One read per scope --prune would delete, and none without --prune.
    assert_eq!(
        plan["requests"]["reads"].as_u64().unwrap(),
        plain["requests"]["reads"].as_u64().unwrap() + 2,
        "{plan:#}\n{plain:#}"
    );
    f.json("apply", &["--prune"], 1);
    assert!(!f.exists("old:plain") && f.exists("old:roles"));
    let r = f.json("apply", &["--prune", "--prune-in-use"], 0);
    assert!(
        r["report"]["applied"]
            .to_string()
            .contains("its role scope mapping(s)"),
        "{r:#}"
    );
    assert!(!f.exists("old:roles") && f.exists("keep:read"));
    f.run(&["drift", "--today", TODAY], 0);
}
