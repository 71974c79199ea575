//! `diff` over access-review campaigns (`reviews/*.toml`): a campaign started, decided and
//! closed is shown change by change with its commits, and a closed campaign's record that
//! changes or disappears afterwards is `diff/review-rewritten` (exit 3), in a range, across
//! commits of a range, and in the work tree.

mod common;

use common::{scopectl, TestRepo};

const POLICY: &str = r#"[policy]
max_grant_lifetime = "365d"

[teams.team-pay]
members = ["pam@example.com"]
[teams.team-shop]
members = ["sam@example.com"]
"#;

const SCOPES: &str = "[scopes.\"payments:refund\"]\ndescription = \"Refund a payment\"\nowner = \"team-pay\"\nsensitivity = \"critical\"\n";

const CLIENT: &str = "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"payments:refund\"\njustification = \"Refunds from the shop (PAY-1)\"\napproved_by = \"pam@example.com\"\napproved_on = 2026-06-01\nexpires = 2027-05-01\n";

/// A campaign with one entry for shop's grant; `decision` and `closed` add those lines.
fn campaign(decision: Option<(&str, &str)>, closed: bool) -> String {
    let mut s = String::from(
        "[review]\nstarted_on = 2026-12-01\ndue = 2026-12-31\nrevision = \"abc\"\nwhere = \"sensitivity>=high\"\n",
    );
    if closed {
        s.push_str("closed_on = 2026-12-20\ndefault = \"revoke\"\n");
    }
    s.push_str("\n[[entries]]\nclient = \"shop\"\nscope = \"payments:refund\"\nreviewers = [\"team-pay\"]\n");
    if let Some((decision, by)) = decision {
        s.push_str(&format!(
            "decision = \"{decision}\"\ndecided_by = \"{by}\"\ndecided_on = 2026-12-10\n"
        ));
    }
    if closed {
        s.push_str("outcome = \"kept\"\n");
    }
    s
}

fn registry() -> TestRepo {
    let t = TestRepo::new("");
    t.write("scopectl.toml", POLICY);
    t.write("scopes/pay.toml", SCOPES);
    t.write("clients/shop.toml", CLIENT);
    t.commit("Ava", "ava@example.com", "Registry");
    t
}

/// Write `reviews/2026-q4.toml` and commit it as `author` (`author@example.com`).
fn commit_campaign(t: &TestRepo, text: &str, author: &str, message: &str) -> git2::Oid {
    t.write("reviews/2026-q4.toml", text);
    let email = format!("{}@example.com", author.to_lowercase());
    t.commit(author, &email, message)
}

fn diff(t: &TestRepo, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = scopectl()
        .current_dir(t.root())
        .arg("diff")
        .args(args)
        .args(["--format", "json", "--today", "2026-12-21"])
        .output()
        .expect("run");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), v)
}

fn changes<'a>(v: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == kind)
        .collect()
}

fn rewritten(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "diff/review-rewritten")
        .map(|f| {
            (
                f["message"].as_str().unwrap_or("").to_string(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_campaign_is_shown_as_it_starts_and_is_decided_with_its_commits() {
    let t = registry();
    commit_campaign(
        &t,
        &campaign(None, false),
        "Sec",
        "Start access review 2026-q4",
    );
    let (exit, v) = diff(&t, &["HEAD~1..HEAD"]);
    assert_eq!(exit, Some(0), "{v:#}");
    let added = changes(&v, "review-added");
    assert_eq!(added.len(), 1, "{v:#}");
    assert_eq!(added[0]["subject"]["type"], "review", "{v:#}");
    assert_eq!(added[0]["subject"]["review"], "2026-q4", "{v:#}");
    assert_eq!(added[0]["class"], "metadata", "{v:#}");
    assert_eq!(added[0]["new"]["entries"], 1, "{v:#}");
    assert_eq!(added[0]["new"]["decided"], 0, "{v:#}");
    assert!(added[0]["new"]["closed_on"].is_null(), "{v:#}");

    let decided = commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), false),
        "Pam",
        "Keep payments:refund for shop",
    );
    let (exit, v) = diff(&t, &["HEAD~1..HEAD"]);
    assert_eq!(exit, Some(0), "{v:#}");
    let changed = changes(&v, "review-changed");
    let fields: Vec<&str> = changed.iter().filter_map(|c| c["field"].as_str()).collect();
    assert_eq!(
        fields,
        [
            "entries[shop/payments:refund].decided_by",
            "entries[shop/payments:refund].decided_on",
            "entries[shop/payments:refund].decision",
        ],
        "{v:#}"
    );
    assert_eq!(changed[2]["new"], "keep", "{v:#}");
    assert!(changed[2]["old"].is_null(), "{v:#}");
    assert_eq!(changed[2]["commits"][0]["author"], "Pam", "{v:#}");
    assert!(
        rewritten(&v).is_empty(),
        "an open campaign is decided: {v:#}"
    );

    // From before the campaign: one `review-added`, credited to the start and to the
    // decision (the summary holds the decision).
    let (exit, v) = diff(&t, &["HEAD~2..HEAD"]);
    assert_eq!(exit, Some(0), "{v:#}");
    let added = changes(&v, "review-added");
    assert_eq!(added.len(), 1, "{v:#}");
    assert_eq!(added[0]["new"]["decided"], 1, "{v:#}");
    let commits: Vec<&str> = added[0]["commits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["author"].as_str())
        .collect();
    assert_eq!(commits, ["Sec", "Pam"], "{v:#}");

    // `log` follows the campaign by its name.
    let out = scopectl()
        .current_dir(t.root())
        .args(["log", "2026-q4"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&decided.to_string()[..7]), "{text}");
    assert!(text.contains("review 2026-q4"), "{text}");
}

#[test]
fn a_closed_campaign_changed_afterwards_is_a_weakening() {
    let t = registry();
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true),
        "Sec",
        "Close access review 2026-q4",
    );
    let eve = commit_campaign(
        &t,
        &campaign(Some(("keep", "eve@example.com")), true),
        "Eve",
        "Tidy the review",
    );
    let (exit, v) = diff(&t, &["HEAD~1..HEAD"]);
    assert_eq!(exit, Some(3), "{v:#}");
    assert_eq!(
        rewritten(&v),
        [(
            format!(
                "review 2026-q4, closed on 2026-12-20, was changed after the close in commit {}: entries[shop/payments:refund].decided_by (pam@example.com → eve@example.com)",
                &eve.to_string()[..7]
            ),
            eve.to_string()
        )],
        "{v:#}"
    );
    let found = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "diff/review-rewritten")
        .expect("finding");
    assert_eq!(found["subject"]["review"], "2026-q4", "{v:#}");

    // The human table says so too.
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", "HEAD~1..HEAD", "--today", "2026-12-21"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("diff/review-rewritten"), "{text}");

    // `--fail-on breaking` alone does not gate on it.
    let (exit, _) = diff(&t, &["HEAD~1..HEAD", "--fail-on", "breaking"]);
    assert_eq!(exit, Some(0));
}

#[test]
fn a_campaign_closed_and_then_edited_inside_the_range_is_found_at_the_edit() {
    let t = registry();
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), false),
        "Pam",
        "Decide",
    );
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true),
        "Sec",
        "Close access review 2026-q4",
    );
    let edit = commit_campaign(
        &t,
        &campaign(Some(("revoke", "pam@example.com")), true),
        "Eve",
        "Fix a decision",
    );
    let (exit, v) = diff(&t, &["HEAD~2..HEAD"]);
    assert_eq!(exit, Some(3), "{v:#}");
    let found = rewritten(&v);
    assert_eq!(found.len(), 1, "{v:#}");
    assert_eq!(found[0].1, edit.to_string(), "{v:#}");
    assert!(
        found[0]
            .0
            .contains("entries[shop/payments:refund].decision (keep → revoke)"),
        "{v:#}"
    );
    // Closing itself is no rewrite.
    let (exit, v) = diff(&t, &["HEAD~2..HEAD~1"]);
    assert_eq!(exit, Some(0), "{v:#}");
    assert!(rewritten(&v).is_empty(), "{v:#}");
}

#[test]
fn an_edit_in_a_commit_that_broke_the_file_names_that_commit_too() {
    let t = registry();
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true),
        "Sec",
        "Close access review 2026-q4",
    );
    // Eve flips the decision and leaves the file broken; Dan fixes the syntax.
    let flipped = campaign(Some(("revoke", "pam@example.com")), true);
    let edit = commit_campaign(&t, &format!("{flipped}broken = \""), "Eve", "Tidy");
    let fix = commit_campaign(&t, &flipped, "Dan", "Fix the syntax");
    let (exit, v) = diff(&t, &["HEAD~2..HEAD"]);
    assert_eq!(exit, Some(3), "{v:#}");
    let found = rewritten(&v);
    assert_eq!(found.len(), 1, "{v:#}");
    let short = |id: git2::Oid| id.to_string()[..7].to_string();
    assert!(
        found[0].0.contains(&format!(
            "in commits {}, {} (the registry did not load between them)",
            short(edit),
            short(fix)
        )),
        "{v:#}"
    );
}

#[test]
fn removing_a_closed_campaign_is_a_weakening_and_an_open_one_is_not() {
    let t = registry();
    t.write(
        "reviews/2026-q4.toml",
        &campaign(Some(("keep", "pam@example.com")), true),
    );
    t.write("reviews/2027-q1.toml", &campaign(None, false));
    t.commit("Sec", "sec@example.com", "Two campaigns");

    // Uncommitted: judged in the work tree.
    t.remove("reviews/2026-q4.toml");
    let (exit, v) = diff(&t, &["--worktree"]);
    assert_eq!(exit, Some(3), "{v:#}");
    assert_eq!(
        rewritten(&v),
        [(
            "review 2026-q4, closed on 2026-12-20, was removed in the work tree: its record is no longer access-review evidence for `report`".to_string(),
            String::new()
        )],
        "{v:#}"
    );
    let removed = changes(&v, "review-removed");
    assert_eq!(removed.len(), 1, "{v:#}");
    assert_eq!(removed[0]["old"]["closed_on"], "2026-12-20", "{v:#}");

    t.write(
        "reviews/2026-q4.toml",
        &campaign(Some(("keep", "pam@example.com")), true),
    );
    t.remove("reviews/2027-q1.toml");
    let (exit, v) = diff(&t, &["--worktree"]);
    assert_eq!(exit, Some(0), "an open campaign given up: {v:#}");
    assert_eq!(changes(&v, "review-removed").len(), 1, "{v:#}");
    assert!(rewritten(&v).is_empty(), "{v:#}");
}

fn report(t: &TestRepo, extra: &[&str]) -> serde_json::Value {
    let out = scopectl()
        .current_dir(t.root())
        .args(["report", "--format", "json", "--today", "2026-12-21"])
        .args(extra)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn control<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}: {v:#}"))
}

#[test]
fn report_counts_a_closed_campaign_rewritten_afterwards_as_a_5_18_gap() {
    let t = registry();
    t.write(
        "scopectl.toml",
        &format!("{POLICY}\n# The grant (approved 2026-06-01) is within its interval: no grant/review-due.\n[policy.review_interval]\ncritical = \"365d\"\n"),
    );
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true),
        "Sec",
        "Close access review 2026-q4",
    );
    let clean = report(&t, &[]);
    let before = control(&clean, "5.18");
    assert_eq!(before["status"], "met", "{before:#}");
    assert!(
        before["gap_details"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["rule"] != "diff/review-rewritten"),
        "{before:#}"
    );

    // Backdated: nothing lint would see.
    let eve = commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true)
            .replace("decided_on = 2026-12-10", "decided_on = 2026-12-01"),
        "Eve",
        "Tidy the review",
    );
    let v = report(&t, &[]);
    let after = control(&v, "5.18");
    let gaps: Vec<&serde_json::Value> = after["gap_details"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["rule"] == "diff/review-rewritten")
        .collect();
    assert_eq!(gaps.len(), 1, "{after:#}");
    assert_eq!(gaps[0]["subject"], "review 2026-q4", "{after:#}");
    assert!(
        gaps[0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("in commit {}", &eve.to_string()[..7])),
        "{after:#}"
    );
    assert_ne!(after["status"], "met", "{after:#}");
    // The campaign's close is still the commit that closed it, not the later edit.
    assert_eq!(
        v["reviews"][0]["closed_in"]["message"], "Close access review 2026-q4",
        "{:#}",
        v["reviews"]
    );
    assert_eq!(
        v["summary"]["gaps"],
        clean["summary"]["gaps"].as_u64().unwrap() + 1,
        "the summary counts the new row"
    );

    // Without the history, the check is said not to have been made.
    let v = report(&t, &["--no-history"]);
    let c = control(&v, "5.18");
    assert!(
        c["reason"]
            .as_str()
            .unwrap_or("")
            .contains("closed campaigns not checked for changes after their close"),
        "{c:#}"
    );
}

#[test]
fn a_closed_campaign_moved_unchanged_is_a_rename_and_no_weakening() {
    let t = registry();
    commit_campaign(
        &t,
        &campaign(Some(("keep", "pam@example.com")), true),
        "Sec",
        "Close access review 2026-q4",
    );
    t.rename("reviews/2026-q4.toml", "reviews/2026/q4.toml");
    t.commit("Sec", "sec@example.com", "Archive 2026 campaigns");
    let (exit, v) = diff(&t, &["HEAD~1..HEAD"]);
    assert_eq!(exit, Some(0), "{v:#}");
    let renamed = changes(&v, "review-renamed");
    assert_eq!(renamed.len(), 1, "{v:#}");
    assert_eq!(renamed[0]["old"], "2026-q4", "{v:#}");
    assert_eq!(renamed[0]["new"], "2026/q4", "{v:#}");
    assert_eq!(
        renamed[0]["commits"][0]["subject"], "Archive 2026 campaigns",
        "{v:#}"
    );
    assert!(changes(&v, "review-removed").is_empty(), "{v:#}");
    assert!(rewritten(&v).is_empty(), "{v:#}");

    // Edited after the move: still the closed campaign.
    t.write(
        "reviews/2026/q4.toml",
        &campaign(Some(("revoke", "pam@example.com")), true),
    );
    t.commit("Eve", "eve@example.com", "Fix");
    let (exit, v) = diff(&t, &["HEAD~2..HEAD"]);
    assert_eq!(exit, Some(3), "{v:#}");
    assert_eq!(rewritten(&v).len(), 1, "{v:#}");

    // `log` follows the move back.
    let out = scopectl()
        .current_dir(t.root())
        .args(["log", "2026/q4", "--format", "json"])
        .output()
        .expect("run");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(log["entries"].as_array().map(Vec::len), Some(3), "{log:#}");
}
