//! `scopectl report --env ENV`: the report of one environment counts and lists only what
//! is in it: the scopes not excluded there, the clients in it, the grants reaching it, the
//! review entries of those grants, the findings about them, and the policy of that
//! environment. Every summary figure equals the rows it summarises.

mod common;

use common::{scopectl, TestRepo, TODAY};
use serde_json::Value;

const POLICY: &str = r#"[policy]
expiry_warning = "30d"
max_grant_lifetime = "365d"

[policy.review_interval]
low = "365d"
medium = "365d"
high = "365d"

[policy.environments.prod]
min_justification = 20

[policy.environments.dev]
max_grant_lifetime = "300d"

[targets.dev]
kind = "keycloak"
url = "http://127.0.0.1:1"
realm = "shop-dev"

[targets.prod]
kind = "keycloak"
url = "http://127.0.0.1:1"
realm = "shop"

[[exceptions]]
rule = "grant/self-approval"
client = "shop-web"
scope = "debug:dump"
reason = "The debug tooling lead approves dumps in development (SEC-40)"
approved_by = "sam@example.com"
approved_on = 2026-11-20
expires = 2027-01-31
"#;

/// `orders:v2` and `debug:dump` are excluded from prod; `orders:v1` (in prod) is replaced
/// by `orders:v2`.
const SCOPES: &str = r#"[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."orders:write"]
description = "Write orders"
owner = "team-shop"
sensitivity = "medium"

[scopes."orders:v1"]
description = "The old order API"
owner = "team-shop"
sensitivity = "low"
deprecated = true
replaced_by = "orders:v2"

[scopes."orders:v2"]
description = "The new order API, only in dev so far"
owner = "team-shop"
sensitivity = "low"
exclude_environments = ["prod"]

[scopes."debug:dump"]
description = ""
owner = "team-debug"
sensitivity = "high"
exclude_environments = ["prod"]
"#;

/// shop-web is everywhere (`shop-web-prod` in prod): orders:read everywhere, debug:dump
/// (excluded from prod) approved by its own owner, orders:write only in dev and expired.
const SHOP: &str = r#"[client]
id = "shop-web"
owner = "dan@example.com"

[client.ids]
prod = "shop-web-prod"

[[grants]]
scope = "orders:read"
justification = "Shows the order history (SHOP-1)"
approved_by = "alice@example.com"
approved_on = 2026-11-01
expires = 2027-03-01

[[grants]]
scope = "debug:dump"
justification = "Debug dumps during development (SHOP-2)"
approved_by = "dan@example.com"
approved_on = 2026-11-01
expires = 2027-01-15

[[grants]]
scope = "orders:write"
justification = "Test orders in development (SHOP-3)"
approved_by = "alice@example.com"
approved_on = 2026-06-01
expires = 2026-11-01
environments = ["dev"]
"#;

/// Only in dev, without an owner, its grant expiring.
const TESTER: &str = r#"[client]
id = "tester"
environments = ["dev"]

[[grants]]
scope = "orders:read"
justification = "Load tests in development (QA-7)"
approved_by = "alice@example.com"
approved_on = 2026-11-01
expires = 2026-12-10
"#;

/// A closed campaign with one entry per environment's grants, and an open one about dev
/// only. Dan reviewing his own client's grant is a self-review; the revoked debug grant
/// is still there.
const CAMPAIGN: &str = r#"[review]
started_on = 2026-11-02
due = 2026-11-20
closed_on = 2026-11-19
default = "keep"

[[entries]]
client = "shop-web"
scope = "orders:read"
decision = "keep"
decided_by = "erin@example.com"
decided_on = 2026-11-10
outcome = "kept"

[[entries]]
client = "tester"
scope = "orders:read"
outcome = "kept-by-default"

[[entries]]
client = "shop-web"
scope = "debug:dump"
decision = "revoke"
decided_by = "dan@example.com"
decided_on = 2026-11-10
outcome = "revoked"
"#;

const DEV_CAMPAIGN: &str = r#"[review]
started_on = 2026-11-02
due = 2026-11-20

[[entries]]
client = "tester"
scope = "orders:read"

[[entries]]
client = "shop-web"
scope = "orders:write"
"#;

const API: &str = r#"[apis.shop]
audience = "shop-api"
owner = "team-shop"

[apis.shop.operations]
"GET /orders" = ["orders:read"]
"GET /debug" = ["debug:dump"]
"#;

/// What must never show in a prod report: the excluded scopes, the dev-only client, the
/// dev-only grant (its justification), the dev-only campaign, dev's policy.
const NOT_IN_PROD: [&str; 6] = [
    "debug:dump",
    "orders:v2",
    "tester",
    "SHOP-3",
    "dev-tools",
    "environments.dev.",
];

fn committed() -> TestRepo {
    let t = TestRepo::new("");
    t.write("scopectl.toml", POLICY);
    t.write("scopes/shop.toml", SCOPES);
    t.write("clients/shop-web.toml", SHOP);
    t.write("clients/tester.toml", TESTER);
    t.write("reviews/2026-q4.toml", CAMPAIGN);
    t.write("reviews/dev-tools.toml", DEV_CAMPAIGN);
    t.write("apis/shop.toml", API);
    t.commit("Ann", "ann@example.com", "Registry with dev and prod");
    t
}

fn run(t: &TestRepo, args: &[&str]) -> String {
    let out = scopectl()
        .current_dir(t.root())
        .arg("report")
        .args(["--today", TODAY])
        .args(args)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(t: &TestRepo, args: &[&str]) -> (String, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let text = run(t, &all);
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (text, v)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

fn rules(v: &Value) -> Vec<&str> {
    v["lint"]["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect()
}

/// The figures every report must keep: each summary number is the number of its rows.
fn assert_summary_equals_rows(v: &Value) {
    let s = &v["summary"];
    let grants = v["grants"].as_array().unwrap();
    let count = |f: &dyn Fn(&Value) -> bool| grants.iter().filter(|g| f(g)).count() as u64;
    assert_eq!(s["scopes"], v["scopes"].as_array().unwrap().len() as u64);
    assert_eq!(s["clients"], v["clients"].as_array().unwrap().len() as u64);
    assert_eq!(s["grants"], grants.len() as u64);
    assert_eq!(s["expired"], count(&|g| g["status"] == "expired"));
    assert_eq!(s["expiring"], count(&|g| g["status"] == "expiring"));
    assert_eq!(s["sensitive"], count(&|g| g["sensitive"] == true));
    assert_eq!(
        s["clients_without_owner"],
        v["clients_without_owner"].as_array().unwrap().len() as u64
    );
    let controls = v["controls"].as_array().unwrap();
    let gaps: usize = controls
        .iter()
        .map(|c| c["gap_details"].as_array().unwrap().len())
        .sum();
    let accepted: usize = controls
        .iter()
        .map(|c| c["accepted_risks"].as_array().unwrap().len())
        .sum();
    assert_eq!(s["gaps"], gaps as u64);
    assert_eq!(s["accepted_risks"], accepted as u64);
    for c in controls {
        assert_eq!(
            c["gaps"].as_array().unwrap().len(),
            c["gap_details"].as_array().unwrap().len()
        );
    }
    let by_rule = v["lint"]["by_rule"].as_array().unwrap();
    for k in ["errors", "warnings"] {
        let sum: u64 = by_rule.iter().map(|r| r[k].as_u64().unwrap()).sum();
        assert_eq!(v["lint"][k], sum, "lint {k}");
    }
    // Every client of a grant row is one of the clients counted.
    let clients = strings(&v["clients"]);
    for g in grants {
        assert!(clients.contains(&g["client"].as_str().unwrap()), "{g:#}");
    }
    // The 5.15 evidence counts the scopes counted.
    let c515 = controls.iter().find(|c| c["id"] == "5.15").unwrap();
    assert!(
        c515["evidence"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{} scope(s) defined", s["scopes"])),
        "{c515:#}"
    );
    for c in v["reviews"].as_array().unwrap() {
        let o = &c["outcomes"];
        let outcomes: u64 = [
            "kept",
            "renewed",
            "revoked",
            "kept_by_default",
            "revoked_by_default",
            "gone",
            "none",
        ]
        .iter()
        .map(|k| o[k].as_u64().unwrap())
        .sum();
        assert_eq!(c["population"], outcomes, "{c:#}");
        assert_eq!(
            c["decided"].as_u64().unwrap(),
            c["keep"].as_u64().unwrap() + c["revoke"].as_u64().unwrap()
        );
    }
}

/// The whole registry: everything is there (so the prod report below has something to
/// leave out), and the figures still equal their rows.
#[test]
fn the_whole_registry_report_counts_every_environment() {
    let t = committed();
    let (text, v) = json(&t, &["--no-history"]);
    assert!(v.get("environment").is_none());
    assert_summary_equals_rows(&v);
    assert_eq!(v["summary"]["scopes"], 5, "{text}");
    assert_eq!(strings(&v["clients"]), ["shop-web", "tester"]);
    assert_eq!(v["summary"]["grants"], 4);
    assert_eq!(v["summary"]["expired"], 1);
    assert_eq!(v["summary"]["expiring"], 1);
    assert_eq!(v["summary"]["clients_without_owner"], 1);
    assert_eq!(v["reviews"].as_array().unwrap().len(), 2);
    for what in ["debug:dump", "tester", "SHOP-3", "environments.dev."] {
        assert!(text.contains(what), "{what}: {text}");
    }
}

#[test]
fn an_environment_report_counts_and_lists_only_what_is_in_it() {
    let t = committed();
    let (text, v) = json(&t, &["--no-history", "--env", "prod"]);
    assert_eq!(v["environment"], "prod");
    let leaked: Vec<&str> = NOT_IN_PROD
        .into_iter()
        .filter(|what| text.contains(what))
        .collect();
    assert!(leaked.is_empty(), "not in prod: {leaked:?}\n{text}");
    assert_summary_equals_rows(&v);
    let s = &v["summary"];
    assert_eq!(
        strings(&v["scopes"]),
        ["orders:read", "orders:v1", "orders:write"]
    );
    assert_eq!(s["scopes"], 3);
    assert_eq!(strings(&v["clients"]), ["shop-web"]);
    assert_eq!(s["clients"], 1);
    assert_eq!(s["grants"], 1);
    assert_eq!(s["expired"], 0);
    assert_eq!(s["expiring"], 0);
    assert_eq!(s["sensitive"], 0);
    assert_eq!(s["clients_without_owner"], 0);
    assert_eq!(s["self_approved"], 0);
    // The exception accepts a finding about a dev grant: no risk accepted in prod, and
    // not an unused exception either.
    assert_eq!(s["accepted_risks"], 0);
    let rules = rules(&v);
    for rule in [
        "exception/unused",
        "review/self-review",
        "scope/unknown-replacement",
        "scope/sensitive-without-step-up",
    ] {
        assert!(!rules.contains(&rule), "{rule}: {:#}", v["lint"]);
    }
    // The review campaign holds only prod's entry; the dev-only campaign is not there.
    let reviews = v["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1, "{reviews:#?}");
    let q4 = &reviews[0];
    assert_eq!(q4["name"], "2026-q4");
    assert_eq!(q4["population"], 1);
    assert_eq!(q4["decided"], 1);
    assert_eq!(q4["revoke"], 0);
    assert_eq!(q4["outcomes"]["kept"], 1);
    assert_eq!(q4["reviewers"], serde_json::json!(["erin@example.com"]));
    let c518 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.18")
        .unwrap();
    assert!(
        c518["evidence"].as_str().unwrap().contains(
            "1 access-review campaign(s), 1 closed: 1 grant review(s) in closed campaigns, 1 decided by a reviewer, 0 kept by default (not reviewed), 0 grant(s) removed"
        ),
        "{c518:#}"
    );
    // The API needs only the scopes that exist in prod.
    let api = &v["apis"][0];
    assert_eq!(api["scopes"].as_array().unwrap().len(), 1, "{api:#}");
    assert_eq!(api["scopes"][0]["scope"], "orders:read");
    assert_eq!(api["scopes"][0]["clients"], serde_json::json!(["shop-web"]));
    // Prod's policy, and where each setting of it comes from; no other environment's.
    let settings = v["policy"]["settings"].as_array().unwrap();
    let setting = |key: &str| {
        settings
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("no {key}: {settings:#?}"))
    };
    assert_eq!(setting("min_justification")["value"], "20");
    assert_eq!(setting("min_justification")["source"], "scopectl.toml");
    assert_eq!(
        setting("environments.prod.min_justification")["value"],
        "20"
    );
}

/// `orders:v1` is replaced by `orders:v2`, which prod excludes: neither `lint` nor the
/// prod report calls the replacement unknown.
#[test]
fn a_replacement_excluded_from_the_environment_is_not_an_unknown_scope() {
    let t = committed();
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", TODAY])
        .arg(t.root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("scope/unknown-replacement"), "{text}");
    let (_, report) = json(&t, &["--no-history", "--env", "prod"]);
    assert!(
        !rules(&report).contains(&"scope/unknown-replacement"),
        "{:#}",
        report["lint"]
    );
}

#[test]
fn every_format_says_which_environment_it_covers_and_leaves_the_rest_out() {
    let t = committed();
    let md = run(&t, &["--no-history", "--env", "prod"]);
    let title = md.lines().next().unwrap();
    assert!(title.contains("environment prod"), "{title}");
    assert!(
        md.contains("| environment | prod (only the clients and grants reaching it"),
        "{md}"
    );
    assert!(
        md.contains("## Summary\n\nIn environment prod: 3 scope(s), 1 client(s), 1 grant(s)"),
        "{md}"
    );
    let html = run(&t, &["--no-history", "--env", "prod", "--format", "html"]);
    assert!(html.contains("environment prod</title>"), "{html}");
    let csv = run(&t, &["--no-history", "--env", "prod", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    for (format, text) in [("markdown", &md), ("html", &html), ("csv", &csv)] {
        for what in NOT_IN_PROD {
            assert!(
                !text.contains(what),
                "{format}: `{what}` is not in prod:\n{text}"
            );
        }
    }
}

/// A usage snapshot is not split by environment: what dev clients and dev grants were
/// issued is not drift in prod. A client no environment knows is.
#[test]
fn usage_of_other_environments_is_not_drift_in_this_one() {
    let t = committed();
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let event = |id: u32, client: &str, scope: &str| {
        format!(
            "{{\"id\": \"e{id}\", \"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"{client}\", \"details\": {{\"grant_type\": \"client_credentials\", \"scope\": \"{scope}\"}}}}\n"
        )
    };
    std::fs::write(
        &events,
        event(1, "tester", "orders:read")
            + &event(2, "shop-web", "debug:dump orders:write")
            + &event(3, "shop-web-prod", "orders:read")
            + &event(4, "ghost", "orders:read"),
    )
    .unwrap();
    let snap = dir.path().join("usage.json");
    let out = scopectl()
        .args(["usage", "collect", "--from-events"])
        .arg(&events)
        .args([
            "--stored-types",
            "CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN,TOKEN_EXCHANGE,LOGIN,OAUTH2_DEVICE_CODE_TO_TOKEN,AUTHREQID_TO_TOKEN",
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-30",
            "--out",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let snap = snap.to_str().unwrap();
    let (_, all) = json(&t, &["--no-history", "--usage", snap]);
    let ungranted = |v: &Value| -> Vec<String> {
        v["usage"]["ungranted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| format!("{} {}", u[0].as_str().unwrap(), u[1].as_str().unwrap()))
            .collect()
    };
    assert_eq!(ungranted(&all), ["ghost orders:read"], "{:#}", all["usage"]);
    let (text, v) = json(&t, &["--no-history", "--env", "prod", "--usage", snap]);
    assert_summary_equals_rows(&v);
    assert_eq!(ungranted(&v), ["ghost orders:read"], "{:#}", v["usage"]);
    let ungranted_rule = v["lint"]["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "usage/ungranted-scope")
        .cloned();
    assert_eq!(ungranted_rule.map(|r| r["errors"].clone()), Some(1.into()));
    for what in NOT_IN_PROD {
        assert!(!text.contains(what), "`{what}` is not in prod:\n{text}");
    }
    let u = &v["usage"];
    let by_status: u64 = ["used", "unused", "never_requested", "not_evaluable"]
        .iter()
        .map(|k| u[k].as_u64().unwrap())
        .sum();
    assert_eq!(by_status, v["summary"]["grants"].as_u64().unwrap(), "{u:#}");
}

/// Two grants of one scope to one client, the first for dev, the second for prod: the
/// history names the prod grant by its place in the whole file (the second), the prod
/// report by its place in prod (the first). The four-eyes finding about the prod grant
/// must land on it, and no finding about a scope excluded from prod may show.
#[test]
fn history_findings_land_on_the_environments_own_grants() {
    let t = TestRepo::new("");
    t.write(
        "scopectl.toml",
        &POLICY.replace("[policy]\n", "[policy]\nrequire_signed = true\n"),
    );
    t.write("scopes/shop.toml", SCOPES);
    t.write(
        "clients/shop-web.toml",
        "[client]\nid = \"shop-web\"\nowner = \"team-shop\"\n\n\
         [[grants]]\nscope = \"orders:read\"\njustification = \"Development order history (SHOP-5)\"\napproved_by = \"carol@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-03-01\nenvironments = [\"dev\"]\n\n\
         [[grants]]\nscope = \"debug:dump\"\njustification = \"Debug dumps during development (SHOP-2)\"\napproved_by = \"carol@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-01-15\n",
    );
    t.commit("Ann", "ann@example.com", "Shop in dev");
    let shop = std::fs::read_to_string(t.registry().join("clients/shop-web.toml")).unwrap();
    t.write(
        "clients/shop-web.toml",
        &(shop
            + "\n[[grants]]\nscope = \"orders:read\"\njustification = \"Production order history (SHOP-6)\"\napproved_by = \"bob@example.com\"\napproved_on = 2026-10-02\nexpires = 2027-03-01\nenvironments = [\"prod\"]\n"),
    );
    let bob = t.commit("Bob", "bob@example.com", "Shop in prod");
    let (text, v) = json(&t, &["--env", "prod"]);
    assert_summary_equals_rows(&v);
    let grants = v["grants"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{text}");
    assert_eq!(
        grants[0]["justification"],
        "Production order history (SHOP-6)"
    );
    assert_eq!(grants[0]["self_approved_commit"], bob.to_string(), "{text}");
    assert_eq!(v["summary"]["self_approved_commits"], 1, "{text}");
    let commits = v["self_approved_commits"].as_array().unwrap();
    assert_eq!(commits.len(), 1, "{commits:#?}");
    assert!(
        !commits[0]["message"].as_str().unwrap().contains("(#2)"),
        "{commits:#?}"
    );
    // Under require_signed every unsigned commit that gave access is a finding, but only
    // about what is in prod.
    let unverified = v["unverified_commits"].as_array().unwrap();
    assert!(!unverified.is_empty(), "{text}");
    let c53 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    let rows = c53["gap_details"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["rule"] == "diff/unverified-commit")
        .count() as u64;
    assert_eq!(v["summary"]["unverified_commits"], rows, "{c53:#}");
    assert_eq!(rows, unverified.len() as u64, "{c53:#}");
    for what in ["debug:dump", "orders:v2", "SHOP-5"] {
        assert!(!text.contains(what), "`{what}` is not in prod:\n{text}");
    }
}

/// `[policy]` applies in every environment: an environment's `approval.low` rule is checked
/// as well as `[policy]`'s, never instead of it. The prod report finds what `lint` finds
/// about the prod grant: an approver outside `security`.
#[test]
fn an_environments_approval_rule_adds_to_the_policys_in_its_report() {
    let t = TestRepo::new("");
    t.write(
        "scopectl.toml",
        "[teams.security]\nmembers = [\"sam@example.com\"]\n\n\
         [teams.team-shop]\nmembers = [\"alice@example.com\"]\n\n\
         [teams.team-web]\nmembers = [\"wes@example.com\"]\n\n\
         [policy.approval.low]\nteams = [\"security\"]\n\n\
         [policy.environments.prod.approval.low]\nteams = [\"team-shop\"]\n\n\
         [targets.prod]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"shop\"\n",
    );
    t.write(
        "scopes/shop.toml",
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n",
    );
    t.write(
        "clients/web.toml",
        "[client]\nid = \"web\"\nowner = \"team-web\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Shows the order history (SHOP-1)\"\napproved_by = \"alice@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-03-01\n",
    );
    t.commit("Ann", "ann@example.com", "Registry");
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", TODAY])
        .arg(t.root())
        .output()
        .unwrap();
    let lint: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        common::codes(&lint)
            .iter()
            .any(|c| c == "grant/approver-not-allowed"),
        "{lint:#}"
    );
    let (_, v) = json(&t, &["--no-history", "--env", "prod"]);
    assert_summary_equals_rows(&v);
    assert!(
        rules(&v).contains(&"grant/approver-not-allowed"),
        "{:#}",
        v["lint"]
    );
    let gap = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["gap_details"].as_array().unwrap())
        .find(|g| g["rule"] == "grant/approver-not-allowed");
    assert!(gap.is_some(), "{:#}", v["controls"]);
    let settings = v["policy"]["settings"].as_array().unwrap();
    let value = |key: &str| {
        settings
            .iter()
            .find(|s| s["key"] == key)
            .map(|s| s["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        value("approval").as_deref(),
        Some("low: 1 approver(s) from security")
    );
    assert_eq!(
        value("environments.prod.approval").as_deref(),
        Some("low: 1 approver(s) from team-shop (in addition to [policy] approval)")
    );
}
