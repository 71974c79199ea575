//! Environments without a server: what lint says about environments (names no target
//! is, grants that never reach the environment they name, each environment's stricter
//! policy), the load errors of the new keys, and the promotion view `diff --env A..B`.

mod common;

use common::{codes, scopectl, with_code, Reg, TODAY};

const POLICY: &str = r#"
[policy.environments.prod]
max_grant_lifetime = "90d"
expiry_warning = "60d"

[targets.dev]
kind = "keycloak"
url = "http://127.0.0.1:1"
realm = "shop-dev"

[targets.staging]
kind = "keycloak"
url = "http://127.0.0.1:1"
realm = "shop-staging"

[targets.prod-eu]
kind = "keycloak"
url = "http://127.0.0.1:1"
realm = "shop"
environment = "prod"
"#;

const SCOPES: &str = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."debug:dump"]
description = "Dump internal state"
owner = "team-shop"
sensitivity = "low"
exclude_environments = ["prod"]
"#;

fn grant(scope: &str, approved: &str, expires: &str, extra: &str) -> String {
    format!(
        "[[grants]]\nscope = \"{scope}\"\njustification = \"Needed for the shop (SHOP-1)\"\n\
         approved_by = \"alice@example.com\"\napproved_on = {approved}\nexpires = {expires}\n{extra}\n"
    )
}

/// shop: everywhere, `shop-web-prod` in prod; a 180-day grant (fine under `[policy]`,
/// too long for prod) and a dev-only grant of the prod-excluded scope. tester: dev only.
fn registry() -> Reg {
    let shop = format!(
        "[client]\nid = \"shop-web\"\nowner = \"team-shop\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n\n{}{}",
        grant("orders:read", "2026-10-01", "2027-03-30", ""),
        grant(
            "debug:dump",
            "2026-11-01",
            "2027-01-01",
            "environments = [\"dev\"]"
        ),
    );
    let tester = format!(
        "[client]\nid = \"tester\"\nowner = \"team-shop\"\nenvironments = [\"dev\"]\n\n{}",
        grant("orders:read", "2026-11-01", "2027-01-01", "")
    );
    Reg::new(&[
        ("scopectl.toml", POLICY),
        ("scopes/shop.toml", SCOPES),
        ("clients/shop-web.toml", &shop),
        ("clients/tester.toml", &tester),
    ])
}

#[test]
fn each_environment_is_linted_with_its_policy() {
    let reg = registry();
    let (exit, json) = reg.lint_json();
    let lifetime = with_code(&json, "grant/lifetime");
    // Only the prod policy finds it, and says so; dev and staging are not prod.
    assert_eq!(lifetime.len(), 1, "{json:#}");
    assert_eq!(lifetime[0]["environment"], "prod");
    assert!(
        lifetime[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("in environment `prod`: "),
        "{json:#}"
    );
    assert_eq!(lifetime[0]["subject"]["client"], "shop-web");
    assert_eq!(lifetime[0]["file"], "clients/shop-web.toml");
    // The tester's grant expires in 37 days: a warning only under prod's 60-day
    // window, and the tester is not in prod, so nothing.
    let expiring = with_code(&json, "grant/expiring");
    assert!(
        expiring.iter().all(|d| d["subject"]["client"] != "tester"),
        "{json:#}"
    );
    assert_eq!(exit, 1);
    let (_, human) = reg.lint_human();
    assert!(
        human.contains("in environment `prod`: grant of `orders:read`"),
        "{human}"
    );
}

#[test]
fn a_clean_multi_environment_registry_lints_clean() {
    let reg = registry();
    // Within prod's 90 days.
    let shop = format!(
        "[client]\nid = \"shop-web\"\nowner = \"team-shop\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n\n{}",
        grant("orders:read", "2026-11-01", "2027-01-29", "")
    );
    reg.write("clients/shop-web.toml", shop.as_bytes());
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 0, "{json:#}");
    assert!(
        !codes(&json).iter().any(|c| c.contains("environment")),
        "{json:#}"
    );
}

#[test]
fn names_no_target_is_and_grants_that_never_reach_their_environment() {
    let reg = registry();
    reg.write(
        "scopes/more.toml",
        br#"
[scopes."orders:write"]
description = "Change orders"
owner = "team-shop"
sensitivity = "low"
exclude_environments = ["prd"]
"#,
    );
    let partner = format!(
        "[client]\nid = \"partner\"\nowner = \"team-shop\"\nenvironments = [\"staging\", \"qa\"]\n\n[client.ids]\nprod = \"partner-prod\"\n\n{}{}",
        grant("orders:read", "2026-11-01", "2027-01-01", "environments = [\"prod\", \"sandbox\"]"),
        grant("debug:dump", "2026-11-01", "2027-01-01", ""),
    );
    reg.write("clients/partner.toml", partner.as_bytes());
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 1);
    let scope = with_code(&json, "scope/unknown-environment");
    assert_eq!(scope.len(), 1, "{json:#}");
    assert!(scope[0]["message"].as_str().unwrap().contains("`prd`"));
    assert_eq!(scope[0]["line"], 6);
    let client: Vec<String> = with_code(&json, "client/unknown-environment")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(client.len(), 1, "{client:?}");
    assert!(client[0].contains("`qa`"), "{client:?}");
    let g = with_code(&json, "grant/unknown-environment");
    assert_eq!(g.len(), 1, "{json:#}");
    assert!(g[0]["message"].as_str().unwrap().contains("`sandbox`"));
    let unreachable: Vec<String> = with_code(&json, "grant/unreachable-environment")
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    // orders:read for prod, but partner is not in prod; debug:dump for staging is fine.
    assert_eq!(unreachable.len(), 1, "{unreachable:?}");
    assert!(
        unreachable[0].contains("client `partner` is not in `prod`"),
        "{unreachable:?}"
    );
    // A client limited to environments where its scope is excluded.
    let only_prod = format!(
        "[client]\nid = \"ops\"\nowner = \"team-shop\"\nenvironments = [\"prod\"]\n\n{}",
        grant("debug:dump", "2026-11-01", "2027-01-01", "")
    );
    reg.write("clients/ops.toml", only_prod.as_bytes());
    let (_, json) = reg.lint_json();
    let excluded: Vec<&str> = with_code(&json, "grant/unreachable-environment")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .filter(|m| m.contains("`ops`"))
        .collect();
    assert_eq!(excluded.len(), 1, "{json:#}");
    assert!(
        excluded[0].contains("scope `debug:dump` is excluded from `prod`"),
        "{excluded:?}"
    );
}

#[test]
fn new_keys_load_strictly() {
    let reg = registry();
    // Looser than [policy]: refused, pointing at the value.
    reg.write(
        "scopectl.toml",
        POLICY.replace("\"90d\"", "\"400d\"").as_bytes(),
    );
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let bad = with_code(&json, "load/invalid-value");
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .contains("`[policy.environments.prod] max_grant_lifetime` is looser"),
        "{json:#}"
    );
    reg.write("scopectl.toml", POLICY.as_bytes());
    // Two clients that would be one client_id in prod.
    reg.write(
        "clients/other.toml",
        b"[client]\nid = \"other\"\nowner = \"team-shop\"\n\n[client.ids]\nprod = \"shop-web-prod\"\n",
    );
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let dup = with_code(&json, "load/duplicate-client");
    assert!(
        dup[0]["message"]
            .as_str()
            .unwrap()
            .contains("would both be `shop-web-prod` in environment `prod`"),
        "{json:#}"
    );
    // An empty list reaches nowhere; a misspelt key is refused.
    reg.write(
        "clients/other.toml",
        b"[client]\nid = \"other\"\nowner = \"team-shop\"\nenvironments = []\n",
    );
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    assert!(
        !with_code(&json, "load/invalid-value").is_empty(),
        "{json:#}"
    );
    reg.write(
        "clients/other.toml",
        b"[client]\nid = \"other\"\nowner = \"team-shop\"\nenvironment = [\"dev\"]\n",
    );
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    assert!(!with_code(&json, "load/unknown-key").is_empty(), "{json:#}");
    let _ = scopectl;
    let _ = TODAY;
}

fn diff_env(reg: &Reg, spec: &str, format: &str) -> (i32, String) {
    let out = scopectl()
        .args([
            "diff",
            "--env",
            spec,
            "--format",
            format,
            "--today",
            TODAY,
            "--registry",
        ])
        .arg(reg.path())
        .output()
        .expect("run scopectl");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn diff_env_shows_what_dev_has_that_prod_has_not() {
    let reg = registry();
    let (exit, text) = diff_env(&reg, "dev..prod", "json");
    assert_eq!(exit, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("dev"), Some("prod"))
    );
    let from = &v["only_in_from"];
    assert_eq!(from["scopes"], serde_json::json!(["debug:dump"]));
    assert_eq!(from["clients"], serde_json::json!(["tester"]));
    let grants: Vec<(String, String, String)> = from["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["client"].as_str().unwrap().to_string(),
                g["scope"].as_str().unwrap().to_string(),
                g["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        grants,
        [
            (
                "shop-web".into(),
                "debug:dump".into(),
                "scope excluded from prod".into()
            ),
            (
                "tester".into(),
                "orders:read".into(),
                "client not in prod".into()
            ),
        ],
        "{v:#}"
    );
    assert!(v["only_in_to"]["grants"].as_array().unwrap().is_empty());
    assert_eq!(
        v["client_ids"],
        serde_json::json!([{"client": "shop-web", "from": "shop-web", "to": "shop-web-prod"}])
    );
    // The other way round, nothing prod has is missing in dev.
    let (_, text) = diff_env(&reg, "prod..dev", "json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(v["only_in_from"]["grants"].as_array().unwrap().is_empty());
    assert_eq!(v["only_in_to"]["grants"].as_array().unwrap().len(), 2);
    // Human and Markdown say the same.
    let (exit, text) = diff_env(&reg, "dev..prod", "human");
    assert_eq!(exit, 0);
    assert!(text.contains("In dev only (a promotion adds):"), "{text}");
    assert!(
        text.contains("tester (tester) orders:read [default]"),
        "{text}"
    );
    let (_, md) = diff_env(&reg, "dev..prod", "markdown");
    assert!(md.contains("| grant | shop-web | shop-web | debug:dump | default | 2027-01-01 | scope excluded from prod |"), "{md}");
    // Staging and dev differ only by the dev-only grant and client.
    let (_, text) = diff_env(&reg, "dev..staging", "json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["only_in_from"]["scopes"], serde_json::json!([]));
    assert_eq!(v["only_in_from"]["grants"].as_array().unwrap().len(), 2);
    // Unknown environments and a bad range: exit 2, naming what is known.
    let (exit, text) = diff_env(&reg, "dev..prd", "json");
    assert_eq!(exit, 2);
    assert!(
        text.contains(
            "no target is environment `prd` (the targets' environments: dev, prod, staging)"
        ),
        "{text}"
    );
    let (exit, _) = diff_env(&reg, "dev", "json");
    assert_eq!(exit, 2);
}

fn committed() -> common::TestRepo {
    let reg = registry();
    let t = common::TestRepo::new("");
    for path in [
        "scopectl.toml",
        "scopes/shop.toml",
        "clients/shop-web.toml",
        "clients/tester.toml",
    ] {
        let text = std::fs::read_to_string(reg.path().join(path)).expect("read");
        t.write(path, &text);
    }
    t.commit("Ann", "ann@example.com", "registry with environments");
    t
}

fn report(t: &common::TestRepo, extra: &[&str], format: &str) -> (i32, String) {
    let out = scopectl()
        .current_dir(t.root())
        .args([
            "report",
            "--today",
            TODAY,
            "--no-history",
            "--format",
            format,
        ])
        .args(extra)
        .output()
        .expect("run");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn report_says_which_environments_each_grant_reaches_and_reports_one() {
    let t = committed();
    let (exit, text) = report(&t, &[], "json");
    assert_eq!(exit, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        v["environments"],
        serde_json::json!(["dev", "prod", "staging"])
    );
    assert!(v.get("environment").is_none());
    let reach = |v: &serde_json::Value, client: &str, scope: &str| {
        v["grants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["client"] == client && g["scope"] == scope)
            .map(|g| g["environments"].clone())
    };
    assert_eq!(
        reach(&v, "shop-web", "orders:read"),
        Some(serde_json::json!(["dev", "prod", "staging"]))
    );
    assert_eq!(
        reach(&v, "shop-web", "debug:dump"),
        Some(serde_json::json!(["dev"]))
    );
    assert_eq!(
        reach(&v, "tester", "orders:read"),
        Some(serde_json::json!(["dev"]))
    );
    let (_, md) = report(&t, &[], "markdown");
    assert!(md.contains("| days left | environments |"), "{md}");
    let (_, csv) = report(&t, &[], "csv");
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",ticket,environments,usage,last_used,usage_confidence"),
        "{csv}"
    );
    assert!(csv.contains(",dev prod staging"), "{csv}");

    // One environment: only what reaches prod, under prod's policy (its 90 days make
    // the 180-day grant a gap).
    let (exit, text) = report(&t, &["--env", "prod"], "json");
    assert_eq!(exit, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["environment"], "prod");
    let grants: Vec<(&str, &str)> = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["client"].as_str().unwrap(), g["scope"].as_str().unwrap()))
        .collect();
    assert_eq!(grants, [("shop-web", "orders:read")], "{v:#}");
    assert!(text.contains("grant/lifetime"), "{text}");
    let (_, md) = report(&t, &["--env", "prod"], "markdown");
    assert!(
        md.contains("| environment | prod (only the clients and grants reaching it"),
        "{md}"
    );
    let (exit, text) = report(&t, &["--env", "qa"], "json");
    assert_eq!(exit, 2, "{text}");
    assert!(text.contains("no target is environment `qa`"), "{text}");
}

/// `[policy.environments.prod.approval.*]` and `[policy.environments.prod.review_interval]`
/// apply to the grants reaching prod, on top of `[policy]`, and to no other grant: the
/// shop's grant reaches prod (one approver, approved 55 days ago), the tester's same scope
/// is dev-only.
#[test]
fn an_environments_approval_and_review_interval_apply_to_its_grants_only() {
    let reg = registry();
    reg.write(
        "scopectl.toml",
        format!(
            "{POLICY}\n[policy.environments.prod.approval.low]\nmin_approvers = 2\n\n\
             [policy.environments.prod.review_interval]\nlow = \"30d\"\n"
        )
        .as_bytes(),
    );
    let (exit, json) = reg.lint_json();
    for code in ["grant/too-few-approvers", "grant/review-due"] {
        let found = with_code(&json, code);
        assert_eq!(found.len(), 1, "{code}: {json:#}");
        assert_eq!(found[0]["environment"], "prod", "{json:#}");
        assert_eq!(found[0]["subject"]["client"], "shop-web", "{json:#}");
        assert_eq!(found[0]["subject"]["scope"], "orders:read", "{json:#}");
    }
    let review = &with_code(&json, "grant/review-due")[0];
    assert!(
        review["message"]
            .as_str()
            .unwrap()
            .contains("(55 days ago); the policy asks for a review of low grants every 30d"),
        "{json:#}"
    );
    // too-few-approvers is deny: the registry fails.
    assert_eq!(exit, 1);

    // Without the prod tables neither finding exists ([policy] asks for neither).
    reg.write("scopectl.toml", POLICY.as_bytes());
    let (_, json) = reg.lint_json();
    assert!(
        with_code(&json, "grant/too-few-approvers").is_empty(),
        "{json:#}"
    );
    assert!(with_code(&json, "grant/review-due").is_empty(), "{json:#}");
}

/// `shop-web` holds `orders:read` twice: one grant limited to dev, one to prod, in either
/// order. The grant's place among the client's grants of the scope (`occurrence`) is the
/// registry's, not the environment's view's (where each is the only one).
fn two_grants(dev_first: bool) -> (Reg, String) {
    // Expires in 15 days: `grant/expiring` under `[policy]` (30 days).
    let dev = grant(
        "orders:read",
        "2026-11-01",
        "2026-12-10",
        "environments = [\"dev\"]",
    );
    // 101 days long (prod allows 90) and expires in 46 days (prod warns 60 days ahead,
    // `[policy]` 30): both only in prod.
    let prod = grant(
        "orders:read",
        "2026-10-01",
        "2027-01-10",
        "environments = [\"prod\"]",
    );
    let (first, second) = if dev_first { (dev, prod) } else { (prod, dev) };
    let shop = format!("[client]\nid = \"shop-web\"\nowner = \"team-shop\"\n\n{first}\n{second}");
    // dev asks for two approvers of low grants: the dev grant has one.
    let policy = format!("{POLICY}\n[policy.environments.dev.approval.low]\nmin_approvers = 2\n");
    let reg = Reg::new(&[
        ("scopectl.toml", &policy),
        ("scopes/shop.toml", SCOPES),
        ("clients/shop-web.toml", &shop),
    ]);
    (reg, shop)
}

/// The lines (from 1) of the `[[grants]]` entry number `n` (from 0) of a client file.
fn grant_lines(text: &str, n: usize) -> std::ops::Range<u64> {
    let starts: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[grants]]")
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let end = starts
        .get(n + 1)
        .copied()
        .unwrap_or(text.lines().count() as u64 + 1);
    starts[n]..end
}

fn occurrence(d: &serde_json::Value) -> u64 {
    d["subject"]["occurrence"].as_u64().unwrap_or(0)
}

/// A finding only an environment's policy makes names the grant of the whole registry
/// (its occurrence, its line), even where the environment sees another numbering; and a
/// finding about one grant does not hide the same rule's finding about the other.
#[test]
fn an_environments_findings_name_the_registrys_grant() {
    for dev_first in [true, false] {
        let (reg, shop) = two_grants(dev_first);
        let (dev_n, prod_n) = if dev_first { (0, 1) } else { (1, 0) };
        let (exit, json) = reg.lint_json();
        assert_eq!(exit, 1, "{json:#}");
        let check = |d: &serde_json::Value, environment: Option<&str>, n: usize| {
            let env = environment.map(serde_json::Value::from);
            assert_eq!(
                d["environment"],
                env.unwrap_or(serde_json::Value::Null),
                "{d:#}"
            );
            assert_eq!(d["subject"]["client"], "shop-web", "{d:#}");
            assert_eq!(d["subject"]["scope"], "orders:read", "{d:#}");
            assert_eq!(occurrence(d), n as u64, "dev first: {dev_first}: {d:#}");
            assert_eq!(d["file"], "clients/shop-web.toml", "{d:#}");
            let line = d["line"].as_u64().unwrap();
            assert!(
                grant_lines(&shop, n).contains(&line),
                "dev first: {dev_first}: line {line} is not grant #{}: {d:#}\n{shop}",
                n + 1
            );
            let message = d["message"].as_str().unwrap();
            assert!(
                message.contains("`orders:read`") && message.contains("`shop-web`"),
                "{d:#}"
            );
            // A message naming the grant by its label names it as the registry does.
            let right = if n == 0 {
                "shop-web → orders:read".to_string()
            } else {
                format!("shop-web → orders:read (#{})", n + 1)
            };
            assert!(!message.contains("→") || message.contains(&right), "{d:#}");
        };

        // prod's rule, broken by the prod grant only.
        let lifetime = with_code(&json, "grant/lifetime");
        assert_eq!(lifetime.len(), 1, "{json:#}");
        check(lifetime[0], Some("prod"), prod_n);

        // dev's rule, broken by the dev grant only.
        let approvers = with_code(&json, "grant/too-few-approvers");
        assert_eq!(approvers.len(), 1, "{json:#}");
        check(approvers[0], Some("dev"), dev_n);

        // `[policy]` warns of the dev grant, prod's policy of the prod grant: two
        // findings of one rule about two grants, both reported.
        let expiring = with_code(&json, "grant/expiring");
        assert_eq!(expiring.len(), 2, "dev first: {dev_first}: {json:#}");
        let base = expiring.iter().find(|d| d["environment"].is_null());
        let prod = expiring.iter().find(|d| d["environment"] == "prod");
        check(base.expect("the [policy] finding"), None, dev_n);
        check(prod.expect("the prod finding"), Some("prod"), prod_n);

        // The human output points at the prod grant.
        let (_, human) = reg.lint_human();
        let at = human
            .find("in environment `prod`: grant of `orders:read` to `shop-web` lasts")
            .unwrap_or_else(|| panic!("{human}"));
        let location = human[at..]
            .lines()
            .find_map(|l| l.split("clients/shop-web.toml:").nth(1))
            .unwrap_or_else(|| panic!("{human}"));
        let line: u64 = location.split(':').next().unwrap().parse().unwrap();
        assert!(
            grant_lines(&shop, prod_n).contains(&line),
            "dev first: {dev_first}: {human}"
        );
    }
}
