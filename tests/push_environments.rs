//! Environments against the real Keycloak that `scripts/test` starts (#22): one registry,
//! two realms (`dev` and `prod`). A dev-only client and grant never reach prod, a scope
//! excluded from prod is not created there, a client has another client_id in prod,
//! and prod's stricter policy holds back only prod's push. Plan, apply and drift on each
//! target, with the server state checked after each apply.

mod support;

use serde_json::Value;
use support::{scopectl, set, Kc, Registry};

const DEV_SECRET: &str = "SCOPECTL_TEST_ENV_DEV_SECRET";
const PROD_SECRET: &str = "SCOPECTL_TEST_ENV_PROD_SECRET";
const TODAY: &str = "2026-11-25";

struct Fixture {
    kc: Kc,
    dev: String,
    prod: String,
    reg: Registry,
    dev_secret: String,
    prod_secret: String,
}

impl Fixture {
    fn new() -> Fixture {
        let kc = Kc::new();
        let dev = kc.create_realm("env-dev");
        let prod = kc.create_realm("env-prod");
        let dev_secret = kc.setup_scopectl_account(&dev, true);
        let prod_secret = kc.setup_scopectl_account(&prod, true);
        // shop-web is `shop-web` in dev and `shop-web-prod` in prod; tester only in dev.
        kc.create_client(&dev, "shop-web", false);
        kc.create_client(&dev, "tester", false);
        kc.create_client(&prod, "shop-web-prod", false);
        let reg = Registry::new();
        reg.write(
            "scopectl.toml",
            &format!(
                "[policy.environments.prod]\nmax_grant_lifetime = \"90d\"\n\n\
                 [targets.dev]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"{dev}\"\n\
                 client_id = \"scope-sync\"\nclient_secret_env = \"{DEV_SECRET}\"\n\n\
                 [targets.prod-eu]\nkind = \"keycloak\"\nurl = \"{url}\"\nrealm = \"{prod}\"\n\
                 environment = \"prod\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"{PROD_SECRET}\"\n",
                url = kc.url
            ),
        );
        reg.write(
            "scopes/shop.toml",
            "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
             [scopes.\"orders:write\"]\ndescription = \"Change orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
             [scopes.\"debug:dump\"]\ndescription = \"Dump internal state\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\
             exclude_environments = [\"prod\"]\n",
        );
        Fixture {
            kc,
            dev,
            prod,
            reg,
            dev_secret,
            prod_secret,
        }
    }

    fn run(&self, args: &[&str], code: i32) -> Value {
        let out = scopectl()
            .args(args)
            .args(["--format", "json", "--today", TODAY])
            .arg(self.reg.path())
            .env(DEV_SECRET, &self.dev_secret)
            .env(PROD_SECRET, &self.prod_secret)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "scopectl {args:?}\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }
}

fn grant(scope: &str, approved: &str, expires: &str, extra: &str) -> String {
    format!(
        "[[grants]]\nscope = \"{scope}\"\njustification = \"Needed for the shop (SHOP-1)\"\n\
         approved_by = \"x@example.com\"\napproved_on = {approved}\nexpires = {expires}\n{extra}\n"
    )
}

fn ops(plan: &Value) -> Vec<String> {
    plan["ops"]
        .as_array()
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

fn codes(plan: &Value) -> Vec<String> {
    plan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn one_registry_drives_dev_and_prod_and_nothing_for_dev_reaches_prod() {
    let f = Fixture::new();
    f.reg.write(
        "clients/shop-web.toml",
        &format!(
            "[client]\nid = \"shop-web\"\nowner = \"team-b\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n\n{}{}",
            grant("orders:read", "2026-11-01", "2027-01-29", ""),
            grant("debug:dump", "2026-11-01", "2027-01-29", "environments = [\"dev\"]"),
        ),
    );
    f.reg.write(
        "clients/tester.toml",
        &format!(
            "[client]\nid = \"tester\"\nowner = \"team-b\"\nenvironments = [\"dev\"]\n\n{}",
            grant(
                "orders:read",
                "2026-11-01",
                "2027-01-29",
                "type = \"optional\""
            )
        ),
    );

    // dev: everything.
    let plan = f.run(&["plan", "--target", "dev"], 0);
    assert_eq!(plan["environment"], "dev");
    assert_eq!(
        ops(&plan),
        [
            "create_scope - debug:dump",
            "create_scope - orders:read",
            "create_scope - orders:write",
            "assign shop-web debug:dump",
            "assign shop-web orders:read",
            "assign tester orders:read",
        ],
        "{plan:#}"
    );
    // prod: no tester (a dev-only client is no push/missing-client), no debug:dump (the
    // scope is excluded, its grant dev-only), shop-web under its prod client_id.
    let plan = f.run(&["plan", "--target", "prod-eu"], 0);
    assert_eq!(plan["environment"], "prod");
    assert!(codes(&plan).is_empty(), "{plan:#}");
    assert_eq!(
        ops(&plan),
        [
            "create_scope - orders:read",
            "create_scope - orders:write",
            "assign shop-web-prod orders:read",
        ],
        "{plan:#}"
    );

    f.run(&["apply", "--target", "dev"], 0);
    f.run(&["apply", "--target", "prod-eu"], 0);
    let (default, _) = f.kc.links(&f.dev, "shop-web");
    assert!(
        default.is_superset(&set(&["orders:read", "debug:dump"])),
        "{default:?}"
    );
    let (_, optional) = f.kc.links(&f.dev, "tester");
    assert!(optional.contains("orders:read"), "{optional:?}");
    let (default, optional) = f.kc.links(&f.prod, "shop-web-prod");
    assert!(default.contains("orders:read"), "{default:?}");
    assert!(!default.contains("debug:dump") && !optional.contains("debug:dump"));
    assert!(f.kc.scope(&f.prod, "debug:dump").is_none());
    assert!(f.kc.scope(&f.dev, "debug:dump").is_some());
    for target in ["dev", "prod-eu"] {
        let drift = f.run(&["drift", "--target", target], 0);
        assert!(ops(&drift).is_empty(), "{target}: {drift:#}");
    }

    // A new grant of 180 days: fine under [policy], too long for prod. Dev gets it;
    // prod's plan has the lint error (naming the environment) and apply adds nothing.
    f.reg.write(
        "clients/shop-web.toml",
        &format!(
            "[client]\nid = \"shop-web\"\nowner = \"team-b\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n\n{}{}{}",
            grant("orders:read", "2026-11-01", "2027-01-29", ""),
            grant("debug:dump", "2026-11-01", "2027-01-29", "environments = [\"dev\"]"),
            grant("orders:write", "2026-11-01", "2027-04-30", ""),
        ),
    );
    let plan = f.run(&["plan", "--target", "dev"], 0);
    assert_eq!(ops(&plan), ["assign shop-web orders:write"], "{plan:#}");
    let plan = f.run(&["plan", "--target", "prod-eu"], 1);
    assert_eq!(codes(&plan), ["push/lint-errors"], "{plan:#}");
    let message = plan["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("error[grant/lifetime]: in environment `prod`: grant of `orders:write`"),
        "{message}"
    );
    let applied = f.run(&["apply", "--target", "prod-eu"], 2);
    assert_eq!(applied["report"]["held_back"].as_array().unwrap().len(), 1);
    let (default, _) = f.kc.links(&f.prod, "shop-web-prod");
    assert!(!default.contains("orders:write"), "{default:?}");
    f.run(&["drift", "--target", "prod-eu"], 1);
    f.run(&["apply", "--target", "dev"], 0);
    let (default, _) = f.kc.links(&f.dev, "shop-web");
    assert!(default.contains("orders:write"), "{default:?}");
    f.run(&["drift", "--target", "dev"], 0);

    // Limited to dev: prod's error is gone, and prod is still in step. A dev-only grant
    // with a lint error of its own (no approver) holds back dev, never prod.
    f.reg.write(
        "clients/shop-web.toml",
        &format!(
            "[client]\nid = \"shop-web\"\nowner = \"team-b\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n\n{}{}{}",
            grant("orders:read", "2026-11-01", "2027-01-29", ""),
            grant("debug:dump", "2026-11-01", "2027-01-29", "environments = [\"dev\"]"),
            grant("orders:write", "2026-11-01", "2027-04-30", "environments = [\"dev\"]"),
        ),
    );
    f.reg.write(
        "clients/tester.toml",
        "[client]\nid = \"tester\"\nowner = \"team-b\"\nenvironments = [\"dev\"]\n\n\
         [[grants]]\nscope = \"orders:read\"\njustification = \"Runs the end-to-end suite (QA-7)\"\n\
         approved_on = 2026-11-01\nexpires = 2027-01-29\ntype = \"optional\"\n",
    );
    let plan = f.run(&["plan", "--target", "prod-eu"], 0);
    assert!(ops(&plan).is_empty() && codes(&plan).is_empty(), "{plan:#}");
    f.run(&["drift", "--target", "prod-eu"], 0);
    let plan = f.run(&["plan", "--target", "dev"], 1);
    assert_eq!(codes(&plan), ["push/lint-errors"], "{plan:#}");
    assert!(plan["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("grant/missing-approver"));
}
