//! Who may approve what (README "Who may approve"): teams, approver rules, weak
//! justifications and accepted-risk exceptions, through `scopectl lint`.

mod common;

use common::{codes, scopectl, with_code, Reg, TODAY};

/// The codes found, without `scope/unused` (each test grants one of the two scopes).
fn kinds(json: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = codes(json)
        .into_iter()
        .filter(|c| c != "scope/unused")
        .collect();
    v.sort();
    v
}

const SCOPES: &str = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."payments:refund"]
description = "Refund a payment"
owner = "team-payments"
sensitivity = "critical"
step_up = true
"#;

const TEAMS: &str = r#"
[teams.team-shop]
members = ["Maria@Example.com", "li@example.com"]
handle = "@acme/shop"

[teams.security]
members = ["sam@example.com", "ana@example.com", "li@example.com"]
github = "@acme/security"

[teams.team-payments]
members = ["pay@example.com"]
"#;

fn client(scope: &str, approver: &str, justification: &str) -> String {
    format!(
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"{scope}\"\njustification = \"{justification}\"\napproved_by = {approver}\napproved_on = 2026-11-01\nexpires = 2027-01-31\n"
    )
}

fn lint(policy: &str, client_toml: &str) -> (i32, serde_json::Value) {
    Reg::new(&[
        ("scopectl.toml", policy),
        ("scopes/s.toml", SCOPES),
        ("clients/shop.toml", client_toml),
    ])
    .lint_json()
}

const GOOD: &str = "Shows the customer's orders (SHOP-1)";

#[test]
fn a_member_of_the_owner_team_is_a_self_approver() {
    // Owners are teams, approvers are people: the old string comparison never fired.
    let (exit, json) = lint(TEAMS, &client("orders:read", "\"maria@example.com\"", GOOD));
    let found = with_code(&json, "grant/self-approval");
    assert_eq!(found.len(), 1, "{json:#}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("a member of the client's owner team `team-shop`"),
        "{json:#}"
    );
    assert_eq!(found[0]["line"], 8);
    assert_eq!(exit, 1);
    // Someone outside the team is fine.
    let (exit, json) = lint(TEAMS, &client("orders:read", "\"sam@example.com\"", GOOD));
    assert_eq!(kinds(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(exit, 0);
}

#[test]
fn placeholder_approver_and_justification_are_findings() {
    let (exit, json) = lint("", &client("orders:read", "\"lgtm\"", "x"));
    assert_eq!(exit, 1);
    assert_eq!(
        with_code(&json, "grant/approver-unknown")[0]["message"],
        "grant of `orders:read` to `shop` is approved by `lgtm`, which does not name a person"
    );
    assert!(with_code(&json, "grant/weak-justification")[0]["message"]
        .as_str()
        .unwrap()
        .contains("only placeholder words"));
    // Too short, and placeholders only in several words.
    let (_, json) = lint("", &client("orders:read", "\"sam@example.com\"", "needed"));
    assert_eq!(kinds(&json), ["grant/weak-justification"]);
    let (_, json) = lint(
        "",
        &client("orders:read", "\"sam@example.com\"", "TBD - n/a ..."),
    );
    assert_eq!(kinds(&json), ["grant/weak-justification"]);
    let (_, json) = lint(
        "[policy]\nmin_justification = 60\n",
        &client("orders:read", "\"sam@example.com\"", GOOD),
    );
    assert!(with_code(&json, "grant/weak-justification")[0]["message"]
        .as_str()
        .unwrap()
        .contains("is 36 characters long; the policy asks for at least 60"));
}

#[test]
fn with_teams_declared_an_approver_must_be_a_member() {
    let (exit, json) = lint(
        TEAMS,
        &client("orders:read", "\"stranger@example.com\"", GOOD),
    );
    assert_eq!(kinds(&json), ["grant/approver-unknown"], "{json:#}");
    assert_eq!(exit, 1);
    // Names are compared case-insensitively after Unicode normalisation.
    let (exit, json) = lint(TEAMS, &client("orders:read", "\"SAM@EXAMPLE.COM\"", GOOD));
    assert_eq!(kinds(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(exit, 0);
    // A team is not a person.
    let (_, json) = lint(TEAMS, &client("orders:read", "\"security\"", GOOD));
    assert!(with_code(&json, "grant/approver-unknown")[0]["help"]
        .as_str()
        .unwrap()
        .contains("approvers are people"));
}

const RULES: &str = "[policy.approval.critical]\nteams = [\"security\"]\nmin_approvers = 2\n";

#[test]
fn approver_rules_per_sensitivity() {
    let policy = format!("{TEAMS}\n{RULES}");
    // One approver from outside security: not allowed, and too few.
    let (exit, json) = lint(
        &policy,
        &client("payments:refund", "\"pay@example.com\"", GOOD),
    );
    assert_eq!(exit, 1);
    assert_eq!(
        kinds(&json),
        ["grant/approver-not-allowed", "grant/too-few-approvers"],
        "{json:#}"
    );
    // One security member: too few.
    let (_, json) = lint(
        &policy,
        &client("payments:refund", "\"sam@example.com\"", GOOD),
    );
    assert_eq!(kinds(&json), ["grant/too-few-approvers"], "{json:#}");
    assert!(with_code(&json, "grant/too-few-approvers")[0]["message"]
        .as_str()
        .unwrap()
        .contains("needs 2 different allowed approvers and has 1"));
    // The same person twice counts once.
    let (_, json) = lint(
        &policy,
        &client(
            "payments:refund",
            "[\"sam@example.com\", \"Sam@example.com\"]",
            GOOD,
        ),
    );
    assert_eq!(kinds(&json), ["grant/too-few-approvers"], "{json:#}");
    // A security member who is also in the owner team does not count.
    let (_, json) = lint(
        &policy,
        &client(
            "payments:refund",
            "[\"sam@example.com\", \"li@example.com\"]",
            GOOD,
        ),
    );
    assert_eq!(
        kinds(&json),
        ["grant/self-approval", "grant/too-few-approvers"],
        "{json:#}"
    );
    // Two different security members outside the owner team: clean.
    let (exit, json) = lint(
        &policy,
        &client(
            "payments:refund",
            "[\"sam@example.com\", \"ana@example.com\"]",
            GOOD,
        ),
    );
    assert_eq!(kinds(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(exit, 0);
    // Low-sensitivity grants have no rule: any declared person outside the owner team.
    let (_, json) = lint(&policy, &client("orders:read", "\"pay@example.com\"", GOOD));
    assert_eq!(kinds(&json), Vec::<String>::new(), "{json:#}");
}

#[test]
fn teams_can_live_in_their_own_files() {
    let reg = Reg::new(&[
        ("scopectl.toml", RULES),
        ("teams/all.toml", TEAMS),
        ("scopes/s.toml", SCOPES),
        (
            "clients/shop.toml",
            &client("orders:read", "\"maria@example.com\"", GOOD),
        ),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(kinds(&json), ["grant/self-approval"], "{json:#}");
    assert_eq!(exit, 1);
}

#[test]
fn bad_people_input_is_reported_at_file_line_column_all_in_one_run() {
    let policy = format!(
        "{TEAMS}\n[policy.approval.high]\nteams = [\"securty\"]\n\n[[exceptions]]\nrule = \"grant/self-approval\"\nclient = \"shop\"\nreason = \"Initial import (SEC-1)\"\napproved_by = \"sam@example.com\"\n"
    );
    let reg = Reg::new(&[
        ("scopectl.toml", &policy),
        (
            "teams/more.toml",
            "[teams.Security]\nmembers = [\"x@example.com\"]\n\n[teams.ops]\nmembers = [\"o\u{200B}@example.com\", \"o@example.com\", \"O@example.com\"]\n",
        ),
        ("scopes/s.toml", SCOPES),
        ("clients/shop.toml", &client("orders:read", "\"sam@example.com\"", GOOD)),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let diags = json["diagnostics"].as_array().unwrap();
    let at = |needle: &str| {
        diags
            .iter()
            .find(|d| d["message"].as_str().unwrap_or("").contains(needle))
            .unwrap_or_else(|| panic!("no diagnostic containing {needle:?}: {json:#}"))
    };
    let unknown = at("names the team `securty`, which is not declared");
    assert_eq!(unknown["file"], "scopectl.toml");
    assert_eq!(unknown["line"], 14);
    assert_eq!(unknown["help"], "did you mean `security`?");
    let no_expiry = at("an exception has no `expires`");
    assert_eq!(no_expiry["code"], "load/missing-key");
    assert_eq!(no_expiry["file"], "scopectl.toml");
    let twice = at("a team is declared twice");
    assert_eq!(twice["file"], "teams/more.toml");
    assert_eq!(twice["line"], 1);
    let invisible = at("invisible character U+200B");
    assert_eq!(invisible["file"], "teams/more.toml");
    assert_eq!(invisible["line"], 5);
    assert_eq!(at("is listed twice in team `ops`")["line"], 5);
}

#[test]
fn an_unknown_owner_is_a_warning_when_teams_are_declared() {
    let json = Reg::new(&[
        ("scopectl.toml", TEAMS),
        ("scopes/s.toml", SCOPES),
        (
            "clients/shop.toml",
            &client("orders:read", "\"sam@example.com\"", GOOD)
                .replace("owner = \"team-shop\"", "owner = \"team-shp\""),
        ),
    ])
    .lint_json()
    .1;
    assert_eq!(kinds(&json), ["client/unknown-owner"], "{json:#}");
}

fn exception(extra: &str) -> String {
    format!(
        "{TEAMS}\n[[exceptions]]\nrule = \"grant/self-approval\"\nclient = \"shop\"\nscope = \"orders:read\"\nreason = \"Existing grants brought under management (SEC-12)\"\napproved_by = \"sam@example.com\"\n{extra}\n"
    )
}

#[test]
fn an_exception_accepts_a_finding_in_every_format() {
    let policy = exception("approved_on = 2026-11-20\nexpires = 2027-01-31\nticket = \"SEC-12\"");
    let reg = Reg::new(&[
        ("scopectl.toml", &policy),
        ("scopes/s.toml", SCOPES),
        (
            "clients/shop.toml",
            &client("orders:read", "\"maria@example.com\"", GOOD),
        ),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 0, "{json:#}");
    let f = &with_code(&json, "grant/self-approval")[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["accepted"]["approved_by"], "sam@example.com");
    assert_eq!(f["accepted"]["expires"], "2027-01-31");
    assert_eq!(f["accepted"]["ticket"], "SEC-12");
    assert_eq!(f["accepted"]["exception"], "scopectl.toml:13");
    assert_eq!(json["summary"]["errors"], 0);
    assert_eq!(json["summary"]["accepted"], 1);

    let (exit, human) = reg.lint_human();
    assert_eq!(exit, 0);
    assert!(
        human.contains("note[grant/self-approval]: accepted risk: grant of `orders:read`"),
        "{human}"
    );
    assert!(human.contains("accepted: error until 2027-01-31 by sam@example.com (scopectl.toml:13): Existing grants"), "{human}");
    assert!(
        human.contains("ok: 0 errors, 1 warning, 1 accepted (exceptions)"),
        "{human}"
    );

    for (format, needle) in [
        ("sarif", "\"status\": \"accepted\""),
        ("github", "::notice title=grant/self-approval"),
    ] {
        let out = scopectl()
            .args(["lint", "--format", format, "--today", TODAY])
            .arg(reg.path())
            .output()
            .expect("run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{format}: {text}");
        assert!(text.contains(needle), "{format}: {text}");
    }
}

#[test]
fn expired_unused_and_invalid_exceptions_are_findings() {
    let with = |policy: &str, approver: &str| {
        Reg::new(&[
            ("scopectl.toml", policy),
            ("scopes/s.toml", SCOPES),
            ("clients/shop.toml", &client("orders:read", approver, GOOD)),
        ])
        .lint_json()
    };
    // Expired: the finding counts again.
    let (exit, json) = with(&exception("expires = 2026-11-24"), "\"maria@example.com\"");
    assert_eq!(exit, 1);
    assert_eq!(
        kinds(&json),
        ["exception/expired", "grant/self-approval"],
        "{json:#}"
    );
    assert!(with_code(&json, "grant/self-approval")[0]["accepted"].is_null());
    // Unused: nothing to accept.
    let (exit, json) = with(&exception("expires = 2027-01-31"), "\"sam@example.com\"");
    assert_eq!(exit, 0);
    assert_eq!(kinds(&json), ["exception/unused"], "{json:#}");
    assert_eq!(with_code(&json, "exception/unused")[0]["line"], 13);
    // Approved by a member of the owner team: accepts nothing.
    let own = exception("expires = 2027-01-31").replace(
        "approved_by = \"sam@example.com\"",
        "approved_by = \"li@example.com\"",
    );
    let (exit, json) = with(&own, "\"maria@example.com\"");
    assert_eq!(exit, 1);
    assert_eq!(
        kinds(&json),
        ["exception/invalid", "grant/self-approval"],
        "{json:#}"
    );
    assert!(with_code(&json, "exception/invalid")[0]["message"]
        .as_str()
        .unwrap()
        .contains("belongs to `team-shop`, whose risk it accepts"));
    // Longer than max_exception_lifetime (90 days by default).
    let (exit, json) = with(
        &exception("approved_on = 2026-11-01\nexpires = 2027-06-01"),
        "\"maria@example.com\"",
    );
    assert_eq!(exit, 1);
    assert!(with_code(&json, "exception/invalid")[0]["message"]
        .as_str()
        .unwrap()
        .contains("longer than the policy's max_exception_lifetime (90d)"));
    // An approver the critical rule does not allow cannot accept a critical risk.
    let critical = format!("{}\n{RULES}", exception("expires = 2027-01-31"))
        .replace("scope = \"orders:read\"", "scope = \"payments:refund\"")
        .replace(
            "rule = \"grant/self-approval\"",
            "rule = \"grant/too-few-approvers\"",
        )
        .replace(
            "approved_by = \"sam@example.com\"\n",
            "approved_by = \"pay@example.com\"\n",
        );
    let (_, json) = with(&critical, "\"maria@example.com\"");
    assert!(
        with_code(&json, "exception/invalid")[0]["message"]
            .as_str()
            .unwrap()
            .contains("may not approve critical risks"),
        "{json:#}"
    );
}

#[test]
fn exceptions_cannot_accept_load_problems_or_everything() {
    let policy = "[[exceptions]]\nrule = \"load/syntax\"\nclient = \"shop\"\nreason = \"r\"\napproved_by = \"sam@example.com\"\nexpires = 2027-01-01\n\n[[exceptions]]\nrule = \"grant/expired\"\nreason = \"r\"\napproved_by = \"sam@example.com\"\nexpires = 2027-01-01\ncommit = \"xyz\"\n";
    let (exit, json) = lint(policy, &client("orders:read", "\"sam@example.com\"", GOOD));
    assert_eq!(exit, 2);
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.contains(&"`load/syntax` findings cannot be accepted by an exception"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"`xyz` is not a commit id"),
        "{messages:?}"
    );
}

/// A repository whose base commit accepts, by exception, grants of `orders:read` to
/// `shop` committed by their own approver; the next commit (by Sam, who approves it) adds
/// such a grant.
fn repo_with_exception() -> common::TestRepo {
    let t = common::TestRepo::new("");
    let policy = format!(
        "{TEAMS}\n[[exceptions]]\nrule = \"diff/self-approved-commit\"\nclient = \"shop\"\nscope = \"orders:read\"\nreason = \"Sam bootstraps the shop's grants (SEC-7)\"\napproved_by = \"ana@example.com\"\nexpires = 2099-01-31\n"
    );
    // The exception is far in the future on purpose: `diff` has no --today. Keep the
    // lifetime check quiet for this repository.
    t.write(
        "scopectl.toml",
        &format!("[policy]\nmax_exception_lifetime = \"100y\"\n{policy}"),
    );
    t.write("scopes/s.toml", SCOPES);
    t.write(
        "clients/shop.toml",
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n",
    );
    t.commit("Ana", "ana@example.com", "Registry");
    t.write(
        "clients/shop.toml",
        &client("orders:read", "\"sam@example.com\"", GOOD),
    );
    t.commit("Sam", "sam@example.com", "Grant orders:read to shop");
    t
}

#[test]
fn diff_reports_a_finding_the_base_accepts_as_accepted_and_does_not_fail_on_it() {
    let t = repo_with_exception();
    let out = scopectl()
        .current_dir(t.root())
        .args([
            "diff",
            "HEAD~1..HEAD",
            "--format",
            "json",
            "--fail-on",
            "findings",
        ])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    let f = &v["findings"][0];
    assert_eq!(f["code"], "diff/self-approved-commit", "{v:#}");
    assert_eq!(f["accepted"]["approved_by"], "ana@example.com");
    let table = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(
            "note[diff/self-approved-commit]: accepted risk (until 2099-01-31 by ana@example.com"
        ),
        "{text}"
    );
}

#[test]
fn a_change_cannot_accept_its_own_findings() {
    // The exception arrives in the same change as the self-approved grant: it is not
    // applied (exceptions come from the base), and adding it is a weakening.
    let t = common::TestRepo::new("");
    t.write("scopectl.toml", TEAMS);
    t.write("scopes/s.toml", SCOPES);
    t.write(
        "clients/shop.toml",
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n",
    );
    t.commit("Ana", "ana@example.com", "Registry");
    t.write(
        "scopectl.toml",
        &format!("{TEAMS}\n[[exceptions]]\nrule = \"diff/self-approved-commit\"\nclient = \"shop\"\nreason = \"Trust me (NONE)\"\napproved_by = \"ana@example.com\"\nexpires = 2099-01-31\n"),
    );
    t.write(
        "clients/shop.toml",
        &client("orders:read", "\"sam@example.com\"", GOOD),
    );
    t.commit("Sam", "sam@example.com", "Grant orders:read and accept it");
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD", "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(3), "{v:#}");
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"diff/self-approved-commit"), "{v:#}");
    assert!(codes.contains(&"diff/policy-weakened"), "{v:#}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["accepted"].is_null()));
    let weakened = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "diff/policy-weakened")
        .unwrap();
    assert!(weakened["message"]
        .as_str()
        .unwrap()
        .contains("exception(s) added or widened: diff/self-approved-commit on client shop until 2099-01-31 (approved by ana@example.com)"));
}

#[test]
fn report_lists_accepted_risks_under_their_control() {
    let t = repo_with_exception();
    // A lint exception too: the grant's self-approval by the owner team's Maria.
    let policy = std::fs::read_to_string(t.root().join("scopectl.toml")).unwrap();
    t.write(
        "scopectl.toml",
        &format!("{policy}\n[[exceptions]]\nrule = \"grant/self-approval\"\nclient = \"shop\"\nscope = \"orders:read\"\nreason = \"Import of existing grants (SEC-12)\"\napproved_by = \"sam@example.com\"\napproved_on = 2026-11-20\nexpires = 2027-01-31\n"),
    );
    t.write(
        "clients/shop.toml",
        &client(
            "orders:read",
            "[\"maria@example.com\", \"sam@example.com\"]",
            GOOD,
        ),
    );
    t.commit("Ana", "ana@example.com", "Maria approves");
    let out = scopectl()
        .current_dir(t.root())
        .args(["report", "--today", TODAY, "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let c53 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert_eq!(c53["status"], "risk-accepted", "{c53:#}");
    let risks = c53["accepted_risks"].as_array().unwrap();
    let rules: Vec<&str> = risks.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        ["grant/self-approval", "diff/self-approved-commit"],
        "{c53:#}"
    );
    assert_eq!(risks[0]["accepted"]["expires"], "2027-01-31");
    assert_eq!(c53["gap_details"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["accepted_risks"], 2);
    assert_eq!(v["summary"]["self_approved"], 0);
    let md = scopectl()
        .current_dir(t.root())
        .args(["report", "--today", TODAY, "--format", "markdown"])
        .output()
        .expect("run");
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("### Accepted risks for 5.3 (Segregation of duties): 2"),
        "{md}"
    );
    assert!(
        md.contains("| 5.3 | `grant/self-approval` | shop → orders:read |"),
        "{md}"
    );
}

#[test]
fn codeowners_maps_each_file_to_its_owner_teams_handle() {
    let t = common::TestRepo::new("infra/oauth");
    t.write(
        "scopectl.toml",
        &format!("{TEAMS}\n{RULES}\n[policy]\nallowed_signers = \"allowed_signers\"\n"),
    );
    t.write("allowed_signers", "");
    t.write("scopes/s.toml", SCOPES);
    t.write(
        "apis/orders.toml",
        "[apis.orders]\naudience = \"orders-api\"\nowner = \"team-shop\"\n\n[apis.orders.operations]\n\"GET /orders\" = [\"orders:read\"]\n",
    );
    t.write(
        "clients/shop.toml",
        &client("orders:read", "\"sam@example.com\"", GOOD),
    );
    t.write(
        "clients/pay me.toml",
        "[client]\nid = \"pay\"\nowner = \"team-payments\"\n",
    );
    t.write(
        "clients/ops.toml",
        "[client]\nid = \"ops\"\nowner = \"ops@example.com\"\n",
    );
    let registry = t.registry();
    let out = scopectl()
        .arg("codeowners")
        .arg(&registry)
        .output()
        .expect("run");
    let block = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{block}");
    let expected = "\
# BEGIN scopectl codeowners (generated by `scopectl codeowners`: do not edit by hand)
/infra/oauth/scopectl.toml @acme/security
/infra/oauth/teams/ @acme/security
/infra/oauth/reviews/ @acme/security
/infra/oauth/allowed_signers @acme/security
/infra/oauth/apis/orders.toml @acme/shop
/infra/oauth/clients/ops.toml ops@example.com
# clients/pay me.toml: team `team-payments` has no `handle`
/infra/oauth/clients/shop.toml @acme/shop
# scopes/s.toml: team `team-payments` has no `handle`
/infra/oauth/scopes/s.toml @acme/shop
# END scopectl codeowners
";
    assert_eq!(block, expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: no code owner for clients/pay me.toml: team `team-payments` has no `handle`"
        ),
        "{stderr}"
    );
    // --strict fails on an owner without a handle.
    scopectl()
        .args(["codeowners", "--strict"])
        .arg(&registry)
        .assert()
        .code(1);

    // --write keeps the other rules; --check then passes, and fails once a file changes.
    let codeowners = t.root().join("CODEOWNERS");
    std::fs::write(&codeowners, "* @acme/everyone\n").unwrap();
    scopectl()
        .arg("codeowners")
        .arg(&registry)
        .arg("--check")
        .arg(&codeowners)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("has no scopectl block"));
    scopectl()
        .arg("codeowners")
        .arg(&registry)
        .arg("--write")
        .arg(&codeowners)
        .assert()
        .success();
    let written = std::fs::read_to_string(&codeowners).unwrap();
    assert_eq!(written, format!("* @acme/everyone\n\n{expected}"));
    scopectl()
        .arg("codeowners")
        .arg(&registry)
        .arg("--check")
        .arg(&codeowners)
        .assert()
        .success();
    t.write(
        "clients/pay me.toml",
        "[client]\nid = \"pay\"\nowner = \"team-shop\"\n",
    );
    let out = scopectl()
        .arg("codeowners")
        .arg(&registry)
        .arg("--check")
        .arg(&codeowners)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("+/infra/oauth/clients/pay\\ me.toml @acme/shop"),
        "{text}"
    );
}

#[test]
fn a_change_of_team_members_in_scopectl_toml_is_shown_by_diff() {
    let t = common::TestRepo::new("");
    t.write("scopectl.toml", TEAMS);
    t.write("scopes/s.toml", SCOPES);
    t.commit("Ana", "ana@example.com", "Registry");
    t.write(
        "scopectl.toml",
        &TEAMS.replace(
            "\"sam@example.com\", \"ana@example.com\"",
            "\"sam@example.com\", \"ana@example.com\", \"eve@example.com\"",
        ),
    );
    t.commit("Eve", "eve@example.com", "Add Eve to security");
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD", "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let change = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "teams.security.members")
        .unwrap_or_else(|| panic!("no team change: {v:#}"));
    assert!(
        change["new"].as_str().unwrap().contains("eve@example.com"),
        "{v:#}"
    );
}

/// A registry whose teams live in `teams/all.toml` and whose critical grants only
/// `security` may approve.
fn repo_with_team_files() -> common::TestRepo {
    let t = common::TestRepo::new("");
    t.write("scopectl.toml", RULES);
    t.write("teams/all.toml", TEAMS);
    t.write("scopes/s.toml", SCOPES);
    t.commit("Ana", "ana@example.com", "Registry");
    t
}

fn diff_json(t: &common::TestRepo) -> (Option<i32>, serde_json::Value) {
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD", "--format", "json"])
        .output()
        .expect("run");
    let v = serde_json::from_slice(&out.stdout).expect("json");
    (out.status.code(), v)
}

#[test]
fn a_member_added_to_an_approving_team_in_a_teams_file_is_a_weakening() {
    let t = repo_with_team_files();
    t.write(
        "teams/all.toml",
        &TEAMS.replace(
            "\"sam@example.com\", \"ana@example.com\"",
            "\"sam@example.com\", \"ana@example.com\", \"eve@example.com\"",
        ),
    );
    t.commit("Eve", "eve@example.com", "Add Eve to security");
    let (exit, v) = diff_json(&t);
    let change = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "teams.security.members")
        .unwrap_or_else(|| panic!("no team change: {v:#}"));
    assert_eq!(change["kind"], "policy-changed", "{v:#}");
    assert!(change["new"].as_str().unwrap().contains("eve@example.com"));
    assert!(!change["old"].as_str().unwrap().contains("eve@example.com"));
    assert_eq!(change["commits"][0]["author"], "Eve", "{v:#}");
    let weakened: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "diff/policy-weakened")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        weakened,
        ["policy weakened: team security gained eve@example.com, who may now approve (policy.approval.critical.teams)"],
        "{v:#}"
    );
    assert_eq!(exit, Some(3), "{v:#}");
    let md = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD", "--format", "markdown"])
        .output()
        .expect("run");
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("teams.security.members: added eve@example.com |"),
        "{md}"
    );
}

#[test]
fn a_member_added_to_a_team_no_approval_rule_names_is_shown_but_not_a_weakening() {
    let t = repo_with_team_files();
    t.write(
        "teams/all.toml",
        &TEAMS.replace(
            "[\"pay@example.com\"]",
            "[\"pay@example.com\", \"eve@example.com\"]",
        ),
    );
    t.commit("Eve", "eve@example.com", "Add Eve to payments");
    let (exit, v) = diff_json(&t);
    let fields: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(fields, ["teams.team-payments.members"], "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(exit, Some(0), "{v:#}");
}

#[test]
fn teams_moved_from_scopectl_toml_to_a_teams_file_are_no_change() {
    let t = common::TestRepo::new("");
    t.write("scopectl.toml", &format!("{RULES}\n{TEAMS}"));
    t.write("scopes/s.toml", SCOPES);
    t.commit("Ana", "ana@example.com", "Registry");
    t.write("scopectl.toml", RULES);
    t.write("teams/all.toml", TEAMS);
    t.commit("Ana", "ana@example.com", "Teams in their own file");
    let (exit, v) = diff_json(&t);
    assert_eq!(v["changes"], serde_json::json!([]), "{v:#}");
    assert_eq!(exit, Some(0), "{v:#}");
}

/// `log` reads the policy at its revision for the allowed signers: an approval rule naming
/// a team of `teams/*.toml` must not make it fail (it read `scopectl.toml` alone, so the
/// team looked undeclared; the example registry hit this).
#[test]
fn log_works_when_an_approval_rule_names_a_team_of_a_teams_file() {
    let t = repo_with_team_files();
    let out = scopectl()
        .current_dir(t.root())
        .args(["log", "orders:read", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["entries"].as_array().map(Vec::len), Some(1), "{v:#}");
}
