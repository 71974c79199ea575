//! The access lifecycle from the command line: `scope add | deprecate`, `client add`,
//! `revoke --log`, `grant/review-due`, and a whole review campaign (start, decide, close)
//! on a real git repository with several authors, then `lint`, `diff` and `report` over
//! it.

mod common;

use common::{scopectl, Reg, TestRepo};

fn run_in(registry: &std::path::Path, args: &[&str], today: &str) -> (i32, String) {
    let out = scopectl()
        .args(args)
        .args(["--today", today, "--registry"])
        .arg(registry)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

const SCOPES: &str = "# Orders (team-shop)\n[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n# no max_grant here\n";

#[test]
fn scope_add_appends_a_table_and_keeps_the_file_byte_for_byte() {
    let reg = Reg::new(&[("scopes/orders.toml", SCOPES)]);
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "add",
            "orders:refund",
            "--description",
            "Refund an order",
            "--owner",
            "team-shop",
            "--sensitivity",
            "high",
            "--step-up",
            "--max-grant",
            "30d",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    let after = std::fs::read_to_string(reg.path().join("scopes/orders.toml")).unwrap();
    assert!(after.starts_with(SCOPES), "{after}");
    assert!(
        after.ends_with("\n[scopes.\"orders:refund\"]\ndescription = \"Refund an order\"\nowner = \"team-shop\"\nsensitivity = \"high\"\nstep_up = true\nmax_grant = \"30d\"\n"),
        "{after}"
    );
    // A scope of a new resource gets its own file; an existing name is refused.
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "add",
            "users:read",
            "--description",
            "Read users",
            "--owner",
            "team-id",
            "--sensitivity",
            "medium",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    assert!(reg.path().join("scopes/users.toml").exists());
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "add",
            "users:read",
            "--description",
            "Again",
            "--owner",
            "x",
            "--sensitivity",
            "low",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("already defined in scopes/users.toml"),
        "{out}"
    );
    // A name the policy's pattern refuses is refused with the finding; nothing written.
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "add",
            "Orders:Write",
            "--description",
            "Write orders",
            "--owner",
            "team-shop",
            "--sensitivity",
            "low",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("scope/naming"), "{out}");
    assert!(
        !std::fs::read_to_string(reg.path().join("scopes/orders.toml"))
            .unwrap()
            .contains("Orders:Write")
    );
}

#[test]
fn scope_deprecate_and_client_add() {
    let two = format!(
        "{SCOPES}\n[scopes.\"orders:view\"]\ndescription = \"View orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n"
    );
    let reg = Reg::new(&[("scopes/orders.toml", &two)]);
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "deprecate",
            "orders:read",
            "--replaced-by",
            "orders:nope",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("`orders:nope` is not defined"), "{out}");
    let (code, out) = run_in(
        reg.path(),
        &[
            "scope",
            "deprecate",
            "orders:read",
            "--replaced-by",
            "orders:view",
            "--why",
            "one read scope (ARCH-7)",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "Deprecate scope orders:read in favour of orders:view: one read scope (ARCH-7)"
        ),
        "{out}"
    );
    let after = std::fs::read_to_string(reg.path().join("scopes/orders.toml")).unwrap();
    assert_eq!(
        after,
        two.replace(
            "sensitivity = \"low\"\n# no max_grant here\n",
            "sensitivity = \"low\"\ndeprecated = true\nreplaced_by = \"orders:view\"\n# no max_grant here\n"
        )
    );

    let (code, out) = run_in(
        reg.path(),
        &[
            "client",
            "add",
            "shop-web",
            "--owner",
            "team-shop",
            "--description",
            "The shop",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(reg.path().join("clients/shop-web.toml")).unwrap(),
        "[client]\nid = \"shop-web\"\nowner = \"team-shop\"\ndescription = \"The shop\"\n"
    );
    let (code, out) = run_in(
        reg.path(),
        &["client", "add", "shop-web", "--owner", "team-shop"],
        "2026-11-25",
    );
    assert_eq!(code, 2, "{out}");
    // A client id that is not a file name needs --file, which stays under clients/.
    let (code, out) = run_in(
        reg.path(),
        &[
            "client",
            "add",
            "https://app.example.com",
            "--owner",
            "team-shop",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("give one with --file"), "{out}");
    let (code, out) = run_in(
        reg.path(),
        &[
            "client",
            "add",
            "https://app.example.com",
            "--owner",
            "team-shop",
            "--file",
            "../../etc/x",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 2, "{out}");
    let (code, out) = run_in(
        reg.path(),
        &[
            "client",
            "add",
            "https://app.example.com",
            "--owner",
            "team-shop",
            "--file",
            "app-example",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    assert!(reg.path().join("clients/app-example.toml").exists());
    assert_eq!(reg.lint_json().0, 0);
}

#[test]
fn revoke_with_log_keeps_the_grant_and_the_reason() {
    let client = "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Shows order history (SHOP-1)\"\napproved_by = \"ava@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-03-01\nticket = \"SHOP-1\"\n";
    let reg = Reg::new(&[
        ("scopes/orders.toml", SCOPES),
        ("clients/shop.toml", client),
    ]);
    let (code, out) = run_in(
        reg.path(),
        &[
            "revoke",
            "shop",
            "orders:read",
            "--why",
            "Replaced by the BFF (SHOP-9)",
            "--log",
        ],
        "2026-11-25",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("revoked/shop.toml"), "{out}");
    let log = std::fs::read_to_string(reg.path().join("revoked/shop.toml")).unwrap();
    assert!(
        log.contains("[[revoked]]\nscope = \"orders:read\"\njustification = \"Shows order history (SHOP-1)\"\napproved_by = \"ava@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-03-01\nticket = \"SHOP-1\"\nrevoked_on = 2026-11-25\nreason = \"Replaced by the BFF (SHOP-9)\"\n"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(reg.path().join("clients/shop.toml")).unwrap(),
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n"
    );
    // The log is not part of the registry: lint neither reads it nor warns about it.
    let (_, json) = reg.lint_json();
    assert!(
        !common::codes(&json).iter().any(|c| c.starts_with("load/")),
        "{json}"
    );
}

const POLICY: &str = r#"[policy]
max_grant_lifetime = "365d"

[policy.approval.critical]
teams = ["approvers", "team-pay"]

[policy.review_interval]
critical = "90d"

[teams.team-pay]
members = ["pam@example.com"]
[teams.team-shop]
members = ["sam@example.com"]
[teams.team-crm]
members = ["cid@example.com"]
[teams.approvers]
members = ["ava@example.com", "abe@example.com"]
"#;

const PAY: &str = "[scopes.\"payments:refund\"]\ndescription = \"Refund a payment\"\nowner = \"team-pay\"\nsensitivity = \"critical\"\nstep_up = true\n\n[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n";

fn client(id: &str, owner: &str, scopes: &[&str]) -> String {
    let mut s = format!("# {id}: hand-written\n[client]\nid = \"{id}\"\nowner = \"{owner}\"\n");
    for scope in scopes {
        s.push_str(&format!(
            "\n[[grants]]\nscope = \"{scope}\"\njustification = \"Needed for {id} work (TICK-1)\"\napproved_by = \"ava@example.com\"\napproved_on = 2026-06-01 # first approval\nexpires = 2027-05-01\n"
        ));
    }
    s
}

fn report_json(
    root: &std::path::Path,
    registry: &std::path::Path,
    today: &str,
) -> serde_json::Value {
    let out = scopectl()
        .args(["report", "--format", "json", "--today", today, "--registry"])
        .arg(registry)
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_review_campaign_from_start_to_evidence() {
    let repo = TestRepo::new("access");
    repo.write("scopectl.toml", POLICY);
    repo.write("scopes/pay.toml", PAY);
    repo.write(
        "clients/shop.toml",
        &client("shop", "team-shop", &["payments:refund", "orders:read"]),
    );
    repo.write(
        "clients/crm.toml",
        &client("crm", "team-crm", &["payments:refund"]),
    );
    repo.write(
        "clients/legacy.toml",
        &client("legacy", "team-shop", &["payments:refund"]),
    );
    let base = repo.commit("Ava Admin", "ava@example.com", "Registry");
    let reg = repo.registry();
    let today = "2026-12-01";

    // Before: every critical grant was approved 183 days ago, over the 90-day interval.
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", today])
        .arg(&reg)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let due = common::with_code(&json, "grant/review-due");
    assert_eq!(due.len(), 3, "{json}");
    assert!(
        due[0]["message"]
            .as_str()
            .unwrap()
            .contains("last approved on 2026-06-01 (183 days ago)"),
        "{json}"
    );

    // Start: one entry per critical grant, reviewers from the scope's owner.
    let (code, out) = run_in(
        &reg,
        &["review", "start", "2026-q4", "--where", "sensitivity>=high"],
        today,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 grants to review by 2026-12-31"), "{out}");
    let file = reg.join("reviews/2026-q4.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(&format!("revision = \"{base}\"")), "{text}");
    assert_eq!(text.matches("[[entries]]").count(), 3, "{text}");
    assert_eq!(
        text.matches("reviewers = [\"team-pay\"]").count(),
        3,
        "{text}"
    );
    assert!(!text.contains("orders:read"), "{text}");
    repo.commit("Sec Lead", "sec@example.com", "Start access review 2026-q4");

    // The client's own team may not decide; nor may someone who is not a reviewer.
    let before = std::fs::read_to_string(&file).unwrap();
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "shop",
            "payments:refund",
            "keep",
            "--by",
            "sam@example.com",
        ],
        today,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("review/self-review"), "{out}");
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "shop",
            "payments:refund",
            "keep",
            "--by",
            "cid@example.com",
        ],
        today,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("review/reviewer-not-allowed"), "{out}");
    // A team is not a person: the reviewer team's name does not decide.
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "shop",
            "payments:refund",
            "keep",
            "--by",
            "team-pay",
        ],
        today,
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("names the team `team-pay`, not a person"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // A decision written by hand before the campaign started is dated wrongly.
    std::fs::write(
        &file,
        before.replacen(
            "reviewers = [\"team-pay\"]\n",
            "reviewers = [\"team-pay\"]\ndecision = \"keep\"\ndecided_by = \"pam@example.com\"\ndecided_on = 2025-01-01\n",
            1,
        ),
    )
    .unwrap();
    let (code, out) = run_in(&reg, &["lint"], today);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("review/decision-date"), "{out}");
    assert!(
        out.contains("is dated 2025-01-01 before the campaign started (2026-12-01)"),
        "{out}"
    );
    std::fs::write(&file, &before).unwrap();

    // The scope's owner decides: keep shop's (renewed for 60 days), revoke crm's.
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "shop",
            "payments:refund",
            "keep",
            "--by",
            "pam@example.com",
            "--for",
            "60d",
            "--note",
            "refunds still run here",
        ],
        today,
    );
    assert_eq!(code, 0, "{out}");
    repo.commit(
        "Pam Pay",
        "pam@example.com",
        "Review 2026-q4: keep payments:refund for shop",
    );
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "crm",
            "payments:refund",
            "revoke",
            "--by",
            "pam@example.com",
        ],
        today,
    );
    assert_eq!(code, 0, "{out}");
    repo.commit(
        "Pam Pay",
        "pam@example.com",
        "Review 2026-q4: revoke payments:refund for crm",
    );

    // Past the due date, lint says the campaign is overdue.
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", "2027-01-05"])
        .arg(&reg)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let overdue = common::with_code(&json, "review/overdue");
    assert_eq!(overdue.len(), 1, "{json}");
    assert!(
        overdue[0]["message"]
            .as_str()
            .unwrap()
            .contains("1 of 3 entries undecided"),
        "{json}"
    );

    // Close: undecided legacy takes the default (revoke).
    let shop_before = std::fs::read_to_string(reg.join("clients/shop.toml")).unwrap();
    let (code, out) = run_in(
        &reg,
        &["review", "close", "2026-q4", "--default", "revoke"],
        "2026-12-10",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "0 kept, 1 renewed, 1 revoked, 0 kept by default, 1 revoked by default, 0 gone"
        ),
        "{out}"
    );
    let close = repo.commit("Sec Lead", "sec@example.com", "Close access review 2026-q4");
    let shop = std::fs::read_to_string(reg.join("clients/shop.toml")).unwrap();
    assert_eq!(
        shop,
        shop_before.replacen(
            "approved_by = \"ava@example.com\"\napproved_on = 2026-06-01 # first approval\nexpires = 2027-05-01\n",
            "approved_by = \"pam@example.com\"\napproved_on = 2026-12-10 # first approval\nexpires = 2027-01-30\nreviewed_on = 2026-12-10\nreviewed_by = \"pam@example.com\"\n",
            1
        )
    );
    assert!(!std::fs::read_to_string(reg.join("clients/crm.toml"))
        .unwrap()
        .contains("[[grants]]"));
    assert!(!std::fs::read_to_string(reg.join("clients/legacy.toml"))
        .unwrap()
        .contains("[[grants]]"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("closed_on = 2026-12-10\ndefault = \"revoke\""),
        "{text}"
    );
    assert!(text.contains("outcome = \"renewed\""), "{text}");
    assert!(text.contains("outcome = \"revoked-by-default\""), "{text}");
    // A closed campaign takes no more decisions.
    let (code, out) = run_in(
        &reg,
        &[
            "review",
            "decide",
            "2026-q4",
            "legacy",
            "payments:refund",
            "keep",
            "--by",
            "pam@example.com",
        ],
        "2026-12-10",
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("was closed on 2026-12-10"), "{out}");

    // After: lint is clean (the kept grant was just reviewed).
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", "2026-12-10"])
        .arg(&reg)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{json}");
    assert!(
        common::with_code(&json, "grant/review-due").is_empty(),
        "{json}"
    );

    // diff: the close commit revoked two grants and renewed one, with its message.
    let out = scopectl()
        .args(["diff", "--format", "json", &format!("{base}..{close}")])
        .arg("--registry")
        .arg(&reg)
        .output()
        .unwrap();
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = diff["changes"].as_array().unwrap();
    let revoked: Vec<_> = changes
        .iter()
        .filter(|c| c["kind"] == "grant-revoked")
        .collect();
    assert_eq!(revoked.len(), 2, "{diff}");
    for c in &revoked {
        assert!(c.to_string().contains("Close access review 2026-q4"), "{c}");
    }
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "grant-shortened" || c["kind"] == "grant-extended"),
        "{diff}"
    );

    // report: the campaign with its population, decisions and outcomes.
    let r = report_json(repo.root(), &reg, "2026-12-10");
    let reviews = r["reviews"].as_array().expect("reviews in the report");
    assert_eq!(reviews.len(), 1, "{r}");
    let c = &reviews[0];
    assert_eq!(c["name"], "2026-q4");
    assert_eq!(c["status"], "closed");
    assert_eq!(c["population"], 3);
    assert_eq!(c["decided"], 2);
    assert_eq!(c["outcomes"]["revoked"], 1);
    assert_eq!(c["outcomes"]["revoked_by_default"], 1);
    assert_eq!(c["outcomes"]["renewed"], 1);
    assert_eq!(c["reviewers"], serde_json::json!(["pam@example.com"]));
    assert_eq!(c["closed_in"]["message"], "Close access review 2026-q4");
}

/// A grant to a client that reaches prod gets prod's shorter lifetime by default, and a
/// longer one is refused naming prod's policy.
#[test]
fn grant_defaults_to_the_strictest_environment_the_grant_reaches() {
    let policy = "[policy]\nmax_grant_lifetime = \"365d\"\n\n[policy.environments.prod]\nmax_grant_lifetime = \"90d\"\n\n[targets.dev]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"dev\"\n\n[targets.prod]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"prod\"\n";
    let reg = Reg::new(&[
        ("scopectl.toml", policy),
        ("scopes/orders.toml", SCOPES),
        (
            "clients/web.toml",
            "[client]\nid = \"web\"\nowner = \"team-shop\"\n",
        ),
        (
            "clients/tool.toml",
            "[client]\nid = \"tool\"\nowner = \"team-shop\"\nenvironments = [\"dev\"]\n",
        ),
    ]);
    let grant = |client: &str, extra: &[&str]| {
        let mut args = vec![
            "grant",
            client,
            "orders:read",
            "--why",
            "Lists orders (SHOP-1)",
            "--approved-by",
            "ana@example.com",
        ];
        args.extend_from_slice(extra);
        run_in(reg.path(), &args, "2026-11-25")
    };
    let (code, out) = grant("web", &["--for", "180d"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("later than the policy of environment `prod` allows"),
        "{out}"
    );
    let (code, out) = grant("web", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("until 2027-02-23"), "{out}");
    // A dev-only client keeps the base policy's year.
    let (code, out) = grant("tool", &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("until 2027-11-25"), "{out}");
}
