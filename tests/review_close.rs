//! `review decide` and `review close` against a registry that does not stand still: a
//! client holding a scope twice, a grant changed after the snapshot, an entry that names
//! no reviewers, and the files a close writes.

mod common;

use common::{scopectl, Reg};

const POLICY: &str = r#"[policy]
max_grant_lifetime = "365d"

[rules]
"grant/duplicate" = "warn"
"grant/expired" = "warn"

[teams.team-pay]
members = ["pam@example.com"]
[teams.team-shop]
members = ["sam@example.com"]
[teams.team-ops]
members = ["oli@example.com"]
"#;

const SCOPES: &str = "[scopes.\"payments:refund\"]\ndescription = \"Refund a payment\"\nowner = \"team-pay\"\nsensitivity = \"critical\"\n\n[scopes.\"ops:restart\"]\ndescription = \"Restart a service\"\nowner = \"team-ops\"\nsensitivity = \"high\"\n";

const REFUND: &str = "[[grants]]\nscope = \"payments:refund\"\njustification = \"Refunds from the shop (PAY-1)\"\napproved_by = \"pam@example.com\"\napproved_on = 2026-06-01\nexpires = 2027-05-01\n";

const OLD_REFUND: &str = "[[grants]]\nscope = \"payments:refund\"\njustification = \"Old refunds (PAY-0)\"\napproved_by = \"pam@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-05-01\n";

fn shop(grants: &[&str]) -> String {
    let mut s = String::from("[client]\nid = \"shop\"\nowner = \"team-shop\"\n");
    for g in grants {
        s.push('\n');
        s.push_str(g);
    }
    s
}

fn registry(shop_file: &str) -> Reg {
    Reg::new(&[
        ("scopectl.toml", POLICY),
        ("scopes/scopes.toml", SCOPES),
        ("clients/shop.toml", shop_file),
        (
            "clients/ops.toml",
            "[client]\nid = \"ops\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"ops:restart\"\njustification = \"Restarts (OPS-1)\"\napproved_by = \"oli@example.com\"\napproved_on = 2026-06-01\nexpires = 2027-05-01\n",
        ),
    ])
}

fn run(reg: &Reg, args: &[&str], today: &str) -> (i32, String) {
    let out = scopectl()
        .args(args)
        .args(["--today", today, "--registry"])
        .arg(reg.path())
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn read(reg: &Reg, path: &str) -> String {
    std::fs::read_to_string(reg.path().join(path)).expect("read")
}

fn start(reg: &Reg, filter: &str) {
    let (code, out) = run(
        reg,
        &["review", "start", "q4", "--where", filter],
        "2026-12-01",
    );
    assert_eq!(code, 0, "{out}");
}

fn decide(reg: &Reg, args: &[&str]) -> (i32, String) {
    let mut all = vec!["review", "decide", "q4"];
    all.extend_from_slice(args);
    run(reg, &all, "2026-12-02")
}

#[test]
fn a_revocation_removes_the_grant_that_was_reviewed_not_an_expired_one_of_the_same_scope() {
    let reg = registry(&shop(&[OLD_REFUND, REFUND]));
    start(&reg, "scope=payments:refund");
    let review = read(&reg, "reviews/q4.toml");
    assert_eq!(review.matches("[[entries]]").count(), 1, "{review}");
    let (code, out) = decide(
        &reg,
        &[
            "shop",
            "payments:refund",
            "revoke",
            "--by",
            "pam@example.com",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(
        &reg,
        &["review", "close", "q4", "--default", "keep"],
        "2026-12-03",
    );
    assert_eq!(code, 0, "{out}");
    let client = read(&reg, "clients/shop.toml");
    assert!(
        !client.contains("PAY-1"),
        "the reviewed grant is still there:\n{client}"
    );
    assert!(
        client.contains("PAY-0"),
        "the expired grant nobody reviewed was removed instead:\n{client}"
    );
}

#[test]
fn a_grant_changed_after_the_snapshot_takes_neither_the_decision_nor_the_default() {
    let reg = registry(&shop(&[REFUND]));
    start(&reg, "sensitivity>=high");
    let (code, out) = decide(
        &reg,
        &["shop", "payments:refund", "keep", "--by", "pam@example.com"],
    );
    assert_eq!(code, 0, "{out}");
    // After the decision, the grant is widened by hand: it is not the grant pam reviewed.
    let changed = shop(&[&REFUND.replace(
        "Refunds from the shop (PAY-1)",
        "Refunds of any amount (PAY-9)",
    )]);
    reg.write("clients/shop.toml", changed.as_bytes());
    // ops' grant changes too, undecided: the default must not remove the new grant.
    let ops = read(&reg, "clients/ops.toml").replace("2027-05-01", "2027-05-02");
    reg.write("clients/ops.toml", ops.as_bytes());
    let (code, out) = run(
        &reg,
        &["review", "close", "q4", "--default", "revoke"],
        "2026-12-03",
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        read(&reg, "clients/shop.toml"),
        changed,
        "a grant changed after the snapshot was marked reviewed"
    );
    assert_eq!(
        read(&reg, "clients/ops.toml"),
        ops,
        "a grant changed after the snapshot was revoked by default"
    );
    let review = read(&reg, "reviews/q4.toml");
    assert_eq!(
        review.matches("outcome = \"changed\"").count(),
        2,
        "{review}"
    );
    assert!(
        out.contains("0 kept") && out.contains("2 changed since the snapshot"),
        "{out}"
    );
    assert!(
        !out.contains("clients/"),
        "files the close did not change are listed: {out}"
    );
    // The report does not count those grants as reviewed: 5.18 stays partial, naming them.
    let repo = git2::Repository::init(reg.path()).expect("git init");
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let who = git2::Signature::now("Ana", "ana@example.com").unwrap();
    repo.commit(Some("HEAD"), &who, &who, "q4 closed", &tree, &[])
        .unwrap();
    let out = scopectl()
        .current_dir(reg.path())
        .args(["report", "--today", "2026-12-04", "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let c518 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.18")
        .unwrap()
        .clone();
    assert_eq!(c518["status"], "partial", "{c518:#}");
    let text = c518.to_string();
    assert!(
        text.contains("2 grant(s) changed between a campaign's snapshot and its close")
            && text.contains("shop → payments:refund (q4)")
            && text.contains("ops → ops:restart (q4)"),
        "{c518:#}"
    );
}

#[test]
fn a_close_lists_and_writes_only_the_files_it_changes() {
    let reg = registry(&shop(&[REFUND]));
    start(&reg, "sensitivity>=high");
    let (code, out) = decide(
        &reg,
        &["shop", "payments:refund", "keep", "--by", "pam@example.com"],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(
        &reg,
        &["review", "close", "q4", "--default", "keep"],
        "2026-12-03",
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("clients/shop.toml"), "{out}");
    assert!(
        !out.contains("clients/ops.toml"),
        "ops was kept by default and not changed, but is listed: {out}"
    );
    assert!(
        out.contains("1 kept, 0 renewed, 0 revoked, 1 kept by default"),
        "{out}"
    );
}

#[test]
fn decide_refuses_an_entry_it_cannot_tell_apart() {
    let second = REFUND.replace("PAY-1", "PAY-2");
    let reg = registry(&shop(&[REFUND, &second]));
    start(&reg, "scope=payments:refund");
    let before = read(&reg, "reviews/q4.toml");
    assert_eq!(before.matches("[[entries]]").count(), 2, "{before}");
    let (code, out) = decide(
        &reg,
        &[
            "shop",
            "payments:refund",
            "revoke",
            "--by",
            "pam@example.com",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("2 entries"), "{out}");
    assert_eq!(read(&reg, "reviews/q4.toml"), before);
    // Decided by hand, each entry takes its own grant at the close.
    let decided = before.replacen(
        "reviewers = [\"team-pay\"]\n",
        "reviewers = [\"team-pay\"]\ndecision = \"keep\"\ndecided_by = \"pam@example.com\"\ndecided_on = 2026-12-02\n",
        1,
    );
    let decided = {
        let at = decided
            .rfind("reviewers = [\"team-pay\"]\n")
            .expect("second entry");
        let mut s = decided.clone();
        s.insert_str(
            at + "reviewers = [\"team-pay\"]\n".len(),
            "decision = \"revoke\"\ndecided_by = \"pam@example.com\"\ndecided_on = 2026-12-02\n",
        );
        s
    };
    reg.write("reviews/q4.toml", decided.as_bytes());
    let (code, out) = run(
        &reg,
        &["review", "close", "q4", "--default", "keep"],
        "2026-12-03",
    );
    assert_eq!(code, 0, "{out}");
    let client = read(&reg, "clients/shop.toml");
    assert!(
        client.contains("PAY-1") && !client.contains("PAY-2"),
        "{client}"
    );
    assert!(
        client.contains("reviewed_by = \"pam@example.com\""),
        "{client}"
    );
}

#[test]
fn nobody_decides_an_entry_without_reviewers() {
    // ops' grant: the scope's owner is not the client's team, so team-ops reviews it; an
    // entry whose reviewers were left empty (nobody outside the client's team) must get
    // them added before anyone decides.
    let reg = registry(&shop(&[REFUND]));
    start(&reg, "scope=ops:restart");
    let text = read(&reg, "reviews/q4.toml").replace("reviewers = [\"team-ops\"]\n", "");
    reg.write("reviews/q4.toml", text.as_bytes());
    let (code, out) = decide(
        &reg,
        &[
            "ops",
            "ops:restart",
            "keep",
            "--by",
            "stranger@evil.example",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("review/reviewer-not-allowed"), "{out}");
    assert_eq!(read(&reg, "reviews/q4.toml"), text);
}
