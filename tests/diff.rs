//! `scopectl diff` against real repositories built with git2.

mod common;

use common::{history, scopectl, TestRepo};
use serde_json::Value;

/// `scopectl diff RANGE --format json` on the tests' fixed date (`--today`).
fn diff_json(t: &TestRepo, range: &str, code: i32) -> Value {
    let out = scopectl()
        .current_dir(t.root())
        .args([
            "diff",
            range,
            "--format",
            "json",
            "--today",
            common::TODAY,
            "--registry",
        ])
        .arg(t.registry())
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn find<'a>(v: &'a Value, kind: &str, label_part: &str) -> &'a Value {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind && c["subject"].to_string().contains(label_part))
        .unwrap_or_else(|| panic!("no {kind} change about {label_part} in {v:#}"))
}

fn authors(c: &Value) -> Vec<String> {
    c["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_change_kind_is_found_classified_and_attributed() {
    let h = history("");
    let v = diff_json(&h.t, "v1..v2", 3);
    assert_eq!(v["version"], 2);
    let expect = [
        ("policy-changed", "policy", "metadata", "Dave"),
        ("scope-removed", "legacy:read", "breaking", "Carol"),
        ("scope-changed", "telemetry:read", "breaking", "Carol"),
        ("scope-changed", "system:reboot", "metadata", "Dave"),
        ("scope-renamed", "reports:view", "breaking", "Dave"),
        ("scope-added", "orders:read", "metadata", "Dave"),
        ("client-removed", "old-client", "breaking", "Carol"),
        ("client-added", "new-client", "metadata", "Dave"),
        ("grant-revoked", "legacy:read", "breaking", "Carol"),
        ("grant-added", "billing:read", "access-added", "Bob"),
        ("grant-added", "orders:read", "access-added", "Dave"),
        ("grant-extended", "telemetry:read", "access-added", "Bob"),
        ("grant-rejustified", "telemetry:read", "metadata", "Bob"),
        (
            "grant-shortened",
            "system:reboot",
            "access-removed",
            "Carol",
        ),
        ("grant-reapproved", "system:reboot", "metadata", "Carol"),
        ("grant-changed", "fleet-ops", "breaking", "Carol"),
    ];
    for (kind, about, class, author) in expect {
        let c = find(&v, kind, about);
        assert_eq!(c["class"], class, "{kind} {about}: {c:#}");
        assert_eq!(
            authors(c),
            vec![author.to_string()],
            "{kind} {about}: {c:#}"
        );
    }
    assert_eq!(
        v["changes"].as_array().unwrap().len(),
        expect.len(),
        "{v:#}"
    );
    // Claims: field by field.
    let claims = find(&v, "scope-changed", "telemetry:read");
    assert_eq!(claims["field"], "claims");
    assert_eq!(claims["old"], "device_id, sensor_region");
    assert_eq!(claims["new"], "sensor_region");
    // The move-and-reformat commit made no change and is nobody's provenance.
    let bob = h.c[1].to_string();
    assert!(!v.to_string().contains(&bob));
    assert_eq!(v["summary"]["breaking"], 6);
}

#[test]
fn provenance_shows_sha_date_subject_and_signature() {
    let h = history("");
    let v = diff_json(&h.t, "v1..v2", 3);
    let added = find(&v, "grant-added", "billing:read");
    let commit = &added["commits"][0];
    assert_eq!(commit["id"], h.c[2].to_string());
    assert_eq!(commit["short"], &h.c[2].to_string()[..7]);
    assert_eq!(commit["email"], "bob@example.com");
    assert_eq!(
        commit["subject"],
        "Grant billing:read to sensor-node (PAY-9)"
    );
    assert_eq!(commit["date"], "2026-10-03T00:00:00+00:00");
    assert_eq!(commit["signed"], false);
    let policy = find(&v, "policy-changed", "policy");
    assert_eq!(policy["commits"][0]["signed"], true);
    assert_eq!(policy["field"], "policy.expiry_warning");
}

#[test]
fn a_grant_approved_by_its_commit_author_is_a_four_eyes_finding() {
    let h = history("");
    let v = diff_json(&h.t, "v1..v2", 3);
    // Dave's shorter expiry_warning (30d → 14d) is the third finding: policy-weakened;
    // Bob extending and re-justifying telemetry:read on the old approval are two
    // diff/unapproved-change findings.
    assert_eq!(v["findings"].as_array().unwrap().len(), 5, "{v:#}");
    let findings: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "diff/self-approved-commit")
        .collect();
    // Bob added a grant he approved himself; Carol re-approved a grant in her own commit.
    // Carol narrowing fleet-ops → telemetry:read (default → optional) is not flagged.
    assert_eq!(findings.len(), 2, "{v:#}");
    assert_eq!(findings[0]["commit"], h.c[3].to_string());
    assert_eq!(findings[0]["subject"]["scope"], "system:reboot");
    assert_eq!(findings[1]["commit"], h.c[2].to_string());
    assert_eq!(findings[1]["subject"]["scope"], "billing:read");
}

#[test]
fn a_moved_and_reformatted_file_is_no_change() {
    let h = history("");
    let range = format!("{}..{}", h.c[0], h.c[1]);
    let v = diff_json(&h.t, &range, 0);
    assert_eq!(v["changes"].as_array().unwrap().len(), 0);
}

#[test]
fn no_breaking_change_exits_zero() {
    let h = history("");
    let range = format!("{}..{}", h.c[1], h.c[2]);
    // (By default this range fails: Bob extends a grant without a new approval, see
    // `case_3_silent_weakening_is_found_and_gates_in_every_format`.)
    let v = diff_json_args(&h.t, &range, &["--fail-on", "breaking"], 0);
    assert_eq!(v["summary"]["access-added"], 2);
}

#[test]
fn open_ended_range_runs_to_head() {
    let h = history("");
    let v = diff_json(&h.t, "v1..", 3);
    assert_eq!(v["to"]["rev"], "HEAD");
    assert_eq!(v["to"]["commit"], h.c[4].to_string());
}

#[test]
fn registry_in_a_subfolder_is_read_from_that_subtree() {
    let h = history("infra/oauth");
    let v = diff_json(&h.t, "v1..v2", 3);
    assert_eq!(v["registry"], "infra/oauth");
    find(&v, "grant-added", "billing:read");
}

#[test]
fn bare_clone_works_with_subdir() {
    let h = history("infra/oauth");
    let bare = tempfile::tempdir().unwrap();
    let dest = bare.path().join("clone.git");
    git2::build::RepoBuilder::new()
        .bare(true)
        .clone(h.t.root().to_str().unwrap(), &dest)
        .unwrap();
    let out = scopectl()
        .args([
            "diff",
            "v1..v2",
            "--format",
            "json",
            "--subdir",
            "infra/oauth",
            "--registry",
        ])
        .arg(&dest)
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["summary"]["changes"], 16);
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let h = history("");
    scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v1..nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown revision `nope`"));
}

#[test]
fn registry_broken_at_one_side_names_the_side_and_the_file() {
    let h = history("");
    h.t.write("clients/iot/sensor-node.toml", "[client\nid = 1\n");
    let broken = h.t.commit("Eve", "eve@example.com", "Oops");
    h.t.tag("broken", broken);
    scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v1..broken"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("side B (broken"))
        .stderr(predicates::str::contains("clients/iot/sensor-node.toml"));
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["diff", "broken..v2"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // Named once, not "side A (…): the registry does not load at side A (…)".
    assert_eq!(err.matches("side A (broken").count(), 1, "{err}");
}

#[test]
fn table_shows_word_diff_and_provenance() {
    let h = history("");
    // Wide enough that no cell wraps inside a word-diff marker.
    let out = scopectl()
        .current_dir(h.t.root())
        .env("COLUMNS", "250")
        .args(["diff", "v1..v2"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    assert!(s.contains("{+compressed +}"), "{s}");
    assert!(s.contains("[-(IOT-142)-]{+(IOT-150)+}"), "{s}");
    assert!(
        s.contains(&format!(
            "{} Bob <bob@example.com> 2026-10-03",
            &h.c[2].to_string()[..7]
        )),
        "{s}"
    );
    // Dave's commit carries a (fake) PGP signature: present, never verified.
    assert!(
        s.contains(
            "(signature not verified: GPG signatures are not verified: scopectl does not run gpg)"
        ),
        "{s}"
    );
    assert!(s.contains("(unsigned)"), "{s}");
    assert!(s.contains("warning[diff/self-approved-commit]"), "{s}");
    assert!(s.contains("16 change(s): 6 breaking"), "{s}");
}

#[test]
fn markdown_is_a_table_with_breaking_in_bold() {
    let h = history("");
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v1..v2", "--format", "markdown"])
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    assert!(s.starts_with("## Scope registry changes: v1 → v2"), "{s}");
    assert!(
        s.contains("| class | change | subject | what | commits |"),
        "{s}"
    );
    assert!(
        s.contains("| **breaking** | scope-removed | scope legacy:read |"),
        "{s}"
    );
    assert!(s.contains("### Findings"), "{s}");
}

#[test]
fn worktree_compares_head_with_uncommitted_files() {
    let h = history("");
    h.t.write(
        "clients/extra.toml",
        "[client]\nid = \"extra\"\n\n[[grants]]\nscope = \"orders:read\"\n",
    );
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["diff", "--worktree", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["to"]["rev"], "worktree");
    let c = find(&v, "grant-added", "extra");
    assert_eq!(c["commits"].as_array().unwrap().len(), 0);
}

fn log_json(t: &TestRepo, name: &str) -> Value {
    let out = scopectl()
        .current_dir(t.root())
        .args(["log", name, "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn log_of_a_client_lists_each_commit_that_changed_it() {
    let h = history("");
    let v = log_json(&h.t, "sensor-node");
    let subjects: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"]["subject"].as_str().unwrap())
        .collect();
    // The move commit changed nothing and is not listed.
    assert_eq!(
        subjects,
        [
            "Initial registry (SEC-1)",
            "Grant billing:read to sensor-node (PAY-9)"
        ]
    );
    let kinds: Vec<&str> = v["entries"][1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["grant-added", "grant-extended", "grant-rejustified"]
    );
}

#[test]
fn log_of_a_scope_follows_renames_and_grants() {
    let h = history("");
    let v = log_json(&h.t, "reports:read");
    let last = v["entries"].as_array().unwrap().last().unwrap();
    assert_eq!(last["changes"][0]["kind"], "scope-renamed");
    assert_eq!(last["commit"]["signed"], true);
    let v = log_json(&h.t, "legacy:read");
    let kinds: Vec<&str> = v["entries"][1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["scope-removed", "grant-revoked"]);
}

#[test]
fn log_table_and_markdown_show_who_when_why() {
    let h = history("");
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["log", "fleet-ops"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    assert!(
        s.contains("Carol <carol@example.com> 2026-10-04 “Retire legacy API (SEC-7)”"),
        "{s}"
    );
    assert!(s.contains("grant-shortened"), "{s}");
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["log", "fleet-ops", "--format", "markdown"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    assert!(s.contains("## History of `fleet-ops` up to HEAD"), "{s}");
    assert!(
        s.contains(
            "- **breaking** `grant-changed` fleet-ops → telemetry:read: type: default → optional"
        ),
        "{s}"
    );
}

#[test]
fn log_of_an_unknown_name_is_an_error() {
    let h = history("");
    scopectl()
        .current_dir(h.t.root())
        .args(["log", "nobody"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "`nobody` is not a scope, client, API or review campaign",
        ));
}

#[test]
fn changes_made_on_a_merged_branch_are_attributed_to_the_branch_commit() {
    let h = history("");
    let t = &h.t;
    let v2 = h.c[4];
    let fleet = std::fs::read_to_string(t.registry().join("clients/fleet-ops.toml")).unwrap();
    let scopes = std::fs::read_to_string(t.registry().join("scopes/all.toml")).unwrap();
    let side_fleet = fleet.replace("Dashboards (OPS-78)", "Dashboards and alerts (OPS-79)");
    let main_scopes = scopes.replace("Read invoices", "Read invoices and credit notes");
    // A side branch re-justifies a grant.
    t.write("clients/fleet-ops.toml", &side_fleet);
    let side = t.commit_with_parents(
        "Frank",
        "frank@example.com",
        "Alerts need telemetry (OPS-79)",
        &[v2],
        false,
    );
    // Main changes a description meanwhile.
    t.write("clients/fleet-ops.toml", &fleet);
    t.write("scopes/all.toml", &main_scopes);
    let main = t.commit_with_parents(
        "Grace",
        "grace@example.com",
        "Describe billing:read",
        &[v2],
        true,
    );
    // The merge carries both.
    t.write("clients/fleet-ops.toml", &side_fleet);
    t.commit_with_parents(
        "Grace",
        "grace@example.com",
        "Merge branch 'alerts'",
        &[main, side],
        true,
    );
    // Frank re-justifies without a new approval: diff/unapproved-change, exit 3.
    let v = diff_json(t, "v2..HEAD", 3);
    assert_eq!(v["changes"].as_array().unwrap().len(), 2, "{v:#}");
    let rejustified = find(&v, "grant-rejustified", "fleet-ops");
    assert_eq!(authors(rejustified), ["Frank"]);
    assert_eq!(
        rejustified["commits"][0]["subject"],
        "Alerts need telemetry (OPS-79)"
    );
    let described = find(&v, "scope-changed", "billing:read");
    assert_eq!(authors(described), ["Grace"]);
    assert_eq!(described["commits"][0]["subject"], "Describe billing:read");
}

#[test]
fn what_a_merge_commit_writes_itself_is_credited_to_the_merge() {
    let h = history("");
    let t = &h.t;
    let v2 = h.c[4];
    let fleet = std::fs::read_to_string(t.registry().join("clients/fleet-ops.toml")).unwrap();
    let side_fleet = fleet.replace("Dashboards (OPS-78)", "Dashboards and alerts (OPS-79)");
    t.write("clients/fleet-ops.toml", &side_fleet);
    let side = t.commit_with_parents(
        "Frank",
        "frank@example.com",
        "Alerts need telemetry (OPS-79)",
        &[v2],
        false,
    );
    t.write("clients/fleet-ops.toml", &fleet);
    t.write(
        "clients/extra.toml",
        "[client]\nid = \"extra\"\nowner = \"team-ops\"\n",
    );
    let main = t.commit_with_parents("Grace", "grace@example.com", "Add extra", &[v2], true);
    // Mallory merges, and slips a grant she approves herself into the merge: no side had
    // it, so the merge commit made it.
    t.write("clients/fleet-ops.toml", &side_fleet);
    t.write(
        "clients/extra.toml",
        "[client]\nid = \"extra\"\nowner = \"team-ops\"\n\n[[grants]]\nscope = \"billing:read\"\njustification = \"Exports invoices (OPS-80)\"\napproved_by = \"mallory@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-01-31\n",
    );
    t.commit_with_parents(
        "Mallory",
        "mallory@example.com",
        "Merge branch 'alerts'",
        &[main, side],
        true,
    );
    let v = diff_json(t, "v2..HEAD", 3);
    let added = find(&v, "grant-added", "extra");
    assert_eq!(authors(added), ["Mallory"], "{added:#}");
    assert_eq!(added["commits"][0]["subject"], "Merge branch 'alerts'");
    // What a side brought stays with the side's commit.
    assert_eq!(
        authors(find(&v, "grant-rejustified", "fleet-ops")),
        ["Frank"]
    );
    assert_eq!(authors(find(&v, "client-added", "extra")), ["Grace"]);
    let findings: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(findings.contains(&"diff/self-approved-commit"), "{v:#}");
    // `log` follows the grant into the merge.
    scopectl()
        .current_dir(t.root())
        .args(["log", "extra", "--registry"])
        .arg(t.registry())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("Merge branch"));
}

#[test]
fn a_merge_that_edits_what_its_branch_added_is_credited_with_the_edit() {
    let h = history("");
    let t = &h.t;
    let v2 = h.c[4];
    let grant = "[client]\nid = \"extra\"\nowner = \"team-ops\"\n\n[[grants]]\nscope = \"billing:read\"\njustification = \"Exports invoices (OPS-80)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-01-31\n";
    // Sam's branch adds the grant Grace approved; main changes something else.
    t.write("clients/extra.toml", grant);
    let side = t.commit_with_parents("Sam", "sam@example.com", "Extra exports", &[v2], false);
    t.remove("clients/extra.toml");
    let fleet = std::fs::read_to_string(t.registry().join("clients/fleet-ops.toml")).unwrap();
    t.write(
        "clients/fleet-ops.toml",
        &fleet.replace("Dashboards (OPS-78)", "Dashboards and alerts (OPS-79)"),
    );
    let main = t.commit_with_parents("Sue", "sue@example.com", "Alerts", &[v2], true);
    // Grace merges and, in the merge, extends the grant she approved by ten years.
    t.write(
        "clients/extra.toml",
        &grant.replace("2027-01-31", "2037-01-31"),
    );
    t.commit_with_parents(
        "Grace",
        "grace@example.com",
        "Merge branch 'extra'",
        &[main, side],
        true,
    );
    let v = diff_json(t, "v2..HEAD", 3);
    let added = find(&v, "grant-added", "extra");
    assert_eq!(authors(added), ["Sam", "Grace"], "{added:#}");
    let self_approved: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "diff/self-approved-commit")
        .filter(|f| f["message"].as_str().unwrap().contains("extra"))
        .collect();
    assert_eq!(self_approved.len(), 1, "{v:#}");
    // `log` shows what the merge did: the extension.
    scopectl()
        .current_dir(t.root())
        .args(["log", "extra", "--format", "json", "--registry"])
        .arg(t.registry())
        .assert()
        .code(0)
        .stdout(predicates::str::contains("grant-extended"));
}

#[test]
fn a_folder_that_is_not_a_registry_is_a_clear_error() {
    let h = history("infra/oauth");
    scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v1..v2"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a scopectl registry"));
    scopectl()
        .args(["diff", "v1..v2", "--registry", "/nonexistent/place"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "/nonexistent/place does not exist",
        ));
}

/// v1 = the history's v1; then one commit whose registry values carry markup and whose
/// commit metadata carries terminal escapes (the loader refuses control characters in
/// registry values, see `registry_values_with_control_characters_do_not_load`).
fn hostile() -> common::History {
    let h = history("");
    let sensor =
        std::fs::read_to_string(h.t.registry().join("clients/iot/sensor-node.toml")).unwrap();
    h.t.write(
        "clients/iot/sensor-node.toml",
        &(sensor.replace(
            "Uploads compressed sensor batches (IOT-150)",
            "<script>alert(1)</script> | cell",
        ) + "\n[[grants]]\nscope = \"reports:view\"\njustification = \"<script>alert(1)</script> | cell\"\napproved_by = \"erin@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-04-05\n"),
    );
    let c = h.t.commit(
        "Mallory\u{1b}[31m",
        "mallory@example.com",
        "Innocent\u{1b}]0;pwned\u{7} <b>change</b>",
    );
    h.t.tag("v3", c);
    h
}

fn stdout_of(h: &common::History, args: &[&str], code: i32) -> String {
    let out = scopectl()
        .current_dir(h.t.root())
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn control_characters_from_registry_and_commits_are_escaped_in_diff_and_log() {
    let h = hostile();
    for args in [
        &["diff", "v2..v3"][..],
        &["diff", "v2..v3", "--format", "markdown"],
        &["log", "sensor-node"],
        &["log", "sensor-node", "--format", "markdown"],
    ] {
        // diff exits 3: the grant is re-justified without a new approval.
        let s = stdout_of(&h, args, if args[0] == "diff" { 3 } else { 0 });
        assert!(
            !s.chars().any(|c| c == '\u{1b}' || c == '\u{7}'),
            "{args:?} printed a raw control character: {s:?}"
        );
        // Markdown also escapes the backslash of the visible escape (it renders as
        // `\u{1b}`), so no markup can be smuggled in either.
        assert!(
            s.contains("Mallory\\u{1b}[31m") || s.contains("Mallory\\\\u{1b}[31m"),
            "{args:?}: {s}"
        );
        assert!(
            s.contains("Innocent\\u{1b}]0;pwned\\u{7}")
                || s.contains("Innocent\\\\u{1b}]0;pwned\\\\u{7}"),
            "{args:?}: {s}"
        );
    }
}

#[test]
fn registry_values_with_control_characters_do_not_load() {
    let h = history("");
    let sensor =
        std::fs::read_to_string(h.t.registry().join("clients/iot/sensor-node.toml")).unwrap();
    h.t.write(
        "clients/iot/sensor-node.toml",
        &sensor.replace(
            "Uploads compressed sensor batches (IOT-150)",
            "\\u001b[2J\\u001b[H fake",
        ),
    );
    let c = h.t.commit("Mallory", "mallory@example.com", "Escapes");
    h.t.tag("v3", c);
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v2..v3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("side B"), "{err}");
    assert!(err.contains("control character"), "{err}");
}

#[test]
fn markdown_escapes_html_and_pipes_from_registry_and_commits() {
    let h = hostile();
    for args in [
        &["diff", "v2..v3", "--format", "markdown"][..],
        &["log", "sensor-node", "--format", "markdown"],
    ] {
        let s = stdout_of(&h, args, if args[0] == "diff" { 3 } else { 0 });
        assert!(!s.contains("<script>"), "{args:?}: {s}");
        assert!(!s.contains("<b>"), "{args:?}: {s}");
        // (A word diff may split the text at spaces.)
        assert!(
            s.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{args:?}: {s}"
        );
        assert!(s.contains("\\|"), "{args:?}: {s}");
        assert!(s.contains("&lt;b&gt;change&lt;/b&gt;"), "{args:?}: {s}");
    }
    // Every row of the diff table still has exactly its five cells.
    let s = stdout_of(&h, &["diff", "v2..v3", "--format", "markdown"], 3);
    for row in s.lines().filter(|l| l.starts_with("| ")) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "{row}");
    }
}

fn policy_repo(new_policy: &str) -> common::History {
    let h = history("");
    h.t.write("scopectl.toml", new_policy);
    let c = h.t.commit("Mallory", "mallory@example.com", "Tune policy");
    h.t.tag("v3", c);
    h
}

#[test]
fn weakening_the_policy_is_a_finding_and_needs_approval() {
    // v2's policy: expiry_warning = "14d", max_grant_lifetime = "365d".
    let h = policy_repo(
        "[policy]\nexpiry_warning = \"14d\"\nmax_grant_lifetime = \"730d\"\nrequire_approver = false\n\n[rules]\n\"grant/expired\" = \"allow\"\n",
    );
    let v = diff_json(&h.t, "v2..v3", 3);
    assert_eq!(v["summary"]["breaking"], 0, "{v:#}");
    let weakened: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "diff/policy-weakened")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(weakened.len(), 3, "{v:#}");
    for what in [
        "policy.max_grant_lifetime raised from 365d to 730d",
        "policy.require_approver turned off",
        "rule grant/expired lowered from deny to allow",
    ] {
        assert!(
            weakened.iter().any(|m| m.contains(what)),
            "{what}: {weakened:?}"
        );
    }
    let f = &v["findings"][0];
    assert_eq!(f["subject"]["type"], "policy");
    assert_eq!(f["commit"].as_str().unwrap().len(), 40);
    let s = stdout_of(&h, &["diff", "v2..v3"], 3);
    assert!(
        s.contains(
            "warning[diff/policy-weakened]: policy weakened: policy.require_approver turned off"
        ),
        "{s}"
    );
}

#[test]
fn tightening_the_policy_is_metadata_without_a_finding() {
    let h = policy_repo(
        "[policy]\nexpiry_warning = \"30d\"\nmax_grant_lifetime = \"90d\"\nrequire_approver = true\n\n[rules]\n\"grant/expiring\" = \"deny\"\n",
    );
    let v = diff_json(&h.t, "v2..v3", 0);
    assert!(v["summary"]["changes"].as_u64().unwrap() >= 3, "{v:#}");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{v:#}");
}

#[test]
fn log_of_a_renamed_scope_follows_the_rename_back_into_the_old_name() {
    let h = history("");
    let v = log_json(&h.t, "reports:view");
    let entries = v["entries"].as_array().unwrap();
    let subjects: Vec<&str> = entries
        .iter()
        .map(|e| e["commit"]["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Initial registry (SEC-1)", "Quarterly review (SEC-9)"],
        "{v:#}"
    );
    assert_eq!(entries[0]["changes"][0]["kind"], "scope-added");
    assert_eq!(entries[0]["changes"][0]["subject"]["scope"], "reports:read");
    assert_eq!(entries[1]["changes"][0]["kind"], "scope-renamed");
}

#[test]
fn a_corrupt_blob_is_refused_not_parsed() {
    let h = history("");
    let repo = git2::Repository::open(h.t.root()).unwrap();
    let blob_at = |rev: &str, path: &str| {
        let tree = repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
        tree.get_path(std::path::Path::new(path)).unwrap().id()
    };
    // Overwrite v2's loose object of sensor-node's file with the object of another file:
    // the id stays, the content does not hash to it any more.
    let victim = blob_at("v2", "clients/iot/sensor-node.toml");
    let other = blob_at("v2", "clients/fleet-ops.toml");
    let loose = |id: git2::Oid| {
        let hex = id.to_string();
        repo.path().join("objects").join(&hex[..2]).join(&hex[2..])
    };
    let target = loose(victim);
    std::fs::remove_file(&target).unwrap();
    std::fs::copy(loose(other), &target).unwrap();
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["diff", "v1..v2"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains(&format!("git object {victim} is corrupt")),
        "{err}"
    );
}

fn diff_json_args(t: &TestRepo, range: &str, extra: &[&str], code: i32) -> Value {
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", range, "--format", "json", "--registry"])
        .arg(t.registry())
        .args(extra)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// `scopectl diff RANGE ARGS`: (exit code, stdout, stderr).
fn diff_run(t: &TestRepo, range: &str, args: &[&str]) -> (i32, String, String) {
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", range, "--registry"])
        .arg(t.registry())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (code, subject, message) of every finding.
fn findings_of(v: &Value) -> Vec<(String, Value, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["subject"].clone(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const REFUND_SCOPES: &str = r#"[scopes."payments:refund"]
description = "Refund a payment"
owner = "team-payments"
sensitivity = "critical"
step_up = true
max_grant = "30d"

[scopes."customers:profile"]
description = "Read a customer's profile"
owner = "team-crm"
sensitivity = "medium"
claims = ["customer_id", "email"]
id_token = false
"#;

const REFUNDER: &str = r#"[client]
id = "refunder"
owner = "team-support"

[[grants]]
scope = "payments:refund"
justification = "Support refunds (PAY-1)"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2026-09-20
type = "optional"

[[grants]]
scope = "customers:profile"
justification = "Look up the customer (CRM-4)"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2027-03-01
"#;

/// Issue case 3: one commit lowers payments:refund from critical to low, drops step_up
/// and max_grant, extends the grant by 11 months and makes it default, and turns ID
/// tokens on for a scope with an email claim, all on the old approval.
fn silent_weakening() -> (TestRepo, String) {
    let t = TestRepo::new("");
    t.write("scopectl.toml", common::POLICY);
    t.write("scopes/pay.toml", REFUND_SCOPES);
    t.write("clients/refunder.toml", REFUNDER);
    let c1 = t.commit("Alice", "alice@example.com", "Refunds (PAY-1)");
    t.tag("v1", c1);
    t.write(
        "scopes/pay.toml",
        &REFUND_SCOPES
            .replace("sensitivity = \"critical\"", "sensitivity = \"low\"")
            .replace("step_up = true\nmax_grant = \"30d\"\n", "")
            .replace("id_token = false\n", ""),
    );
    t.write(
        "clients/refunder.toml",
        &REFUNDER
            .replace("expires = 2026-09-20", "expires = 2027-08-20")
            .replace("type = \"optional\"", "type = \"default\""),
    );
    let c2 = t.commit("Mallory", "mallory@example.com", "Tidy up payments");
    t.tag("v2", c2);
    (t, c2.to_string())
}

#[test]
fn case_3_silent_weakening_is_found_and_gates_in_every_format() {
    let (t, commit) = silent_weakening();
    let v = diff_json(&t, "v1..v2", 3);
    // optional -> default on a step-up scope: every token of the client now carries it.
    let made_default = find(&v, "grant-changed", "payments:refund");
    assert_eq!(made_default["class"], "access-added", "{v:#}");
    let refund = serde_json::json!({"type": "scope", "scope": "payments:refund"});
    let profile = serde_json::json!({"type": "scope", "scope": "customers:profile"});
    let grant =
        serde_json::json!({"type": "grant", "client": "refunder", "scope": "payments:refund"});
    let expected = [
        (
            "diff/scope-weakened",
            &profile,
            "PII claim(s) email now released into ID tokens",
        ),
        (
            "diff/scope-weakened",
            &refund,
            "max_grant removed (was 30d)",
        ),
        (
            "diff/scope-weakened",
            &refund,
            "sensitivity lowered from critical to low",
        ),
        ("diff/scope-weakened", &refund, "step_up removed"),
        (
            "diff/unapproved-change",
            &grant,
            "extended from 2026-09-20 to 2027-08-20 without a new approval",
        ),
        (
            "diff/unapproved-change",
            &grant,
            "moved from optional to default",
        ),
    ];
    let got = findings_of(&v);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (code, subject, what) in expected {
        assert!(
            got.iter()
                .any(|(c, s, m)| c == code && s == subject && m.contains(what)),
            "{code} {subject} {what}: {got:#?}"
        );
    }
    for f in v["findings"].as_array().unwrap() {
        assert_eq!(f["severity"], "warning");
        assert_eq!(f["commit"], commit.as_str());
    }
    assert_eq!(v["summary"]["breaking"], 0, "{v:#}");
    for format in ["table", "markdown"] {
        let (code, out, err) = diff_run(&t, "v1..v2", &["--format", format]);
        assert_eq!(code, 3, "{format}: {out}{err}");
        assert!(err.contains("failing (exit 3) on weakened"), "{err}");
        for what in [
            "diff/scope-weakened",
            "scope payments:refund weakened: sensitivity lowered from critical to low",
            "scope payments:refund weakened: step_up removed",
            "scope customers:profile weakened: PII claim(s) email",
            "diff/unapproved-change",
            "grant refunder → payments:refund extended from 2026-09-20 to 2027-08-20",
            "grant refunder → payments:refund moved from optional to default",
        ] {
            assert!(out.contains(what), "{format}: {what}: {out}");
        }
    }
}

const TARGET_POLICY: &str = r#"[policy]
expiry_warning = "14d"

[targets.prod]
kind = "keycloak"
url = "https://id.example.com"
realm = "shop"
client_id = "scopectl"
client_secret_env = "KC_SECRET"
"#;

/// Issue case 8: insecure_http and insecure_tls turned on, a token rule lowered to
/// allow, the target's URL and secret source changed.
fn weakened_settings() -> common::History {
    let h = history("");
    h.t.write("scopectl.toml", TARGET_POLICY);
    let c =
        h.t.commit("Alice", "alice@example.com", "Add the prod target");
    h.t.tag("v3", c);
    h.t.write(
        "scopectl.toml",
        &(TARGET_POLICY
            .replace("https://id.example.com", "https://id.example.net")
            .replace("KC_SECRET", "OTHER_SECRET")
            + "insecure_http = true\ninsecure_tls = true\n\n[rules]\n\"token/no-exp\" = \"allow\"\n"),
    );
    let c =
        h.t.commit("Mallory", "mallory@example.com", "Tune prod target");
    h.t.tag("v4", c);
    h
}

#[test]
fn case_8_weakened_settings_and_changed_targets_are_findings_in_every_format() {
    let h = weakened_settings();
    let v = diff_json(&h.t, "v3..v4", 3);
    let policy = serde_json::json!({"type": "policy"});
    let expected = [
        (
            "diff/policy-weakened",
            "targets.prod.insecure_http turned on",
        ),
        (
            "diff/policy-weakened",
            "targets.prod.insecure_tls turned on",
        ),
        (
            "diff/policy-weakened",
            "rule token/no-exp lowered from deny to allow",
        ),
        (
            "diff/target-changed",
            "targets.prod.url changed from https://id.example.com to https://id.example.net",
        ),
        (
            "diff/target-changed",
            "targets.prod.client_secret_env changed from KC_SECRET to OTHER_SECRET",
        ),
    ];
    let got = findings_of(&v);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (code, what) in expected {
        assert!(
            got.iter()
                .any(|(c, s, m)| c == code && *s == policy && m.contains(what)),
            "{code} {what}: {got:#?}"
        );
    }
    assert_eq!(v["summary"]["breaking"], 0, "{v:#}");
    for format in ["table", "markdown"] {
        let (code, out, _) = diff_run(&h.t, "v3..v4", &["--format", format]);
        assert_eq!(code, 3, "{format}: {out}");
        for (rule, what) in expected {
            assert!(out.contains(rule), "{format}: {rule}: {out}");
            // Markdown breaks autolinks (`https\://`): a registry value is no link.
            let what = if format == "markdown" {
                what.replace("://", "\\://")
            } else {
                what.to_string()
            };
            assert!(out.contains(&what), "{format}: {what}: {out}");
        }
    }
    // Adding the target (v2..v3) sets its URL and secret source: also a target change.
    let v = diff_json(&h.t, "v2..v3", 3);
    let codes: Vec<String> = findings_of(&v).into_iter().map(|f| f.0).collect();
    assert!(codes.iter().all(|c| c == "diff/target-changed"), "{v:#}");
    assert_eq!(codes.len(), 2, "{v:#}");
}

#[test]
fn fail_on_breaking_alone_lets_a_weakening_through() {
    let h = weakened_settings();
    let v = diff_json_args(&h.t, "v3..v4", &["--fail-on", "breaking"], 0);
    assert_eq!(findings_of(&v).len(), 5, "{v:#}");
    diff_json_args(&h.t, "v3..v4", &["--fail-on", "weakened"], 3);
    diff_json_args(&h.t, "v3..v4", &["--fail-on", "findings"], 3);
    let (t, _) = silent_weakening();
    diff_json_args(&t, "v1..v2", &["--fail-on", "breaking"], 0);
}

#[test]
fn fail_on_access_added_makes_a_plain_grant_exit_3() {
    let t = TestRepo::new("");
    t.write("scopectl.toml", common::POLICY);
    t.write("scopes/all.toml", common::SCOPES_V1);
    t.write("clients/sensor-node.toml", common::SENSOR_V1);
    let c1 = t.commit("Alice", "alice@example.com", "Initial");
    t.tag("v1", c1);
    t.write(
        "clients/sensor-node.toml",
        &(common::SENSOR_V1.to_string()
            + "\n[[grants]]\nscope = \"reports:read\"\njustification = \"Monthly report (BI-2)\"\napproved_by = \"carol@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-04-01\n"),
    );
    let c2 = t.commit("Bob", "bob@example.com", "Grant reports:read (BI-2)");
    t.tag("v2", c2);
    let v = diff_json(&t, "v1..v2", 0);
    assert_eq!(v["summary"]["access-added"], 1, "{v:#}");
    assert_eq!(findings_of(&v).len(), 0, "{v:#}");
    diff_json_args(&t, "v1..v2", &["--fail-on", "access-added"], 3);
    diff_json_args(&t, "v1..v2", &["--fail-on", "breaking,access-added"], 3);
    diff_json_args(
        &t,
        "v1..v2",
        &["--fail-on", "breaking,weakened,findings"],
        0,
    );
    let (code, _, err) = diff_run(&t, "v1..v2", &["--fail-on", "access-added"]);
    assert_eq!(code, 3);
    assert!(
        err.contains("failing (exit 3) on access-added (--fail-on)"),
        "{err}"
    );
    let (code, _, err) = diff_run(&t, "v1..v2", &["--fail-on", "nothing"]);
    assert_eq!(code, 2, "{err}");
}

/// The shared history, then Eve's commit that breaks sensor-node's file (a missing quote)
/// while extending billing:read, then Frank's that fixes the quote.
fn broken_then_fixed() -> (common::History, git2::Oid, git2::Oid, usize) {
    let h = history("");
    let path = "clients/iot/sensor-node.toml";
    let good = std::fs::read_to_string(h.t.registry().join(path)).unwrap();
    let extended = good.replace("expires = 2027-04-01", "expires = 2027-06-01");
    let typo = "justification = \"Shows invoices (PAY-9)\"";
    let broken = extended.replace(typo, "justification = \"Shows invoices (PAY-9)");
    let line = broken
        .lines()
        .position(|l| l.contains("Shows invoices"))
        .unwrap()
        + 1;
    h.t.write(path, &broken);
    let x =
        h.t.commit("Eve", "eve@example.com", "Extend billing:read (PAY-12)");
    h.t.write(path, &extended);
    let y = h.t.commit("Frank", "frank@example.com", "Fix a quote");
    (h, x, y, line)
}

fn short(id: git2::Oid) -> String {
    id.to_string()[..7].to_string()
}

fn kinds_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_commit_whose_registry_does_not_load_makes_no_phantom_events() {
    let (h, x, y, line) = broken_then_fixed();
    // log: no client-removed / grant-revoked for Eve, no client-added / grant-added for
    // Frank; the real change (billing:read extended) once, credited to both.
    let v = log_json(&h.t, "sensor-node");
    assert_eq!(v["version"], 2);
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{v:#}");
    let last = &entries[2];
    assert_eq!(last["commit"]["id"], y.to_string());
    assert_eq!(kinds_of(&last["changes"]), ["grant-extended"], "{v:#}");
    assert_eq!(last["changes"][0]["subject"]["scope"], "billing:read");
    assert_eq!(authors(&last["changes"][0]), ["Eve", "Frank"]);
    for e in entries {
        for k in kinds_of(&e["changes"]) {
            assert!(
                !matches!(
                    k.as_str(),
                    "client-removed" | "client-added" | "grant-revoked"
                ) || e["commit"]["subject"] == "Initial registry (SEC-1)",
                "phantom {k} in {e:#}"
            );
        }
    }
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{v:#}");
    let n = &notes[0];
    assert_eq!(n["kind"], "unloadable-commit");
    assert_eq!(n["commit"], x.to_string());
    assert_eq!(n["short"], short(x));
    assert_eq!(n["file"], "clients/iot/sensor-node.toml");
    assert_eq!(n["line"], line);
    assert!(n["column"].as_u64().unwrap() >= 1);
    assert_eq!(n["fixed_by"], short(y));

    // diff across the gap: the one real change, credited to the broken commit and the fix.
    // Exit 3: Eve extends billing:read without a new approval (diff/unapproved-change).
    let v = diff_json(&h.t, "v2..HEAD", 3);
    assert_eq!(kinds_of(&v["changes"]), ["grant-extended"], "{v:#}");
    assert_eq!(authors(&v["changes"][0]), ["Eve", "Frank"]);
    assert_eq!(v["notes"][0]["short"], short(x), "{v:#}");
    // Changes made before the gap stay with their commit (no phantom makes Eve or Frank
    // touch sensor-node's other grant).
    let v = diff_json(&h.t, "v1..HEAD", 3);
    assert_eq!(
        authors(find(&v, "grant-extended", "telemetry:read")),
        ["Bob"]
    );
    // old-client is removed for real (Carol); sensor-node never is.
    assert!(v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !(c["kind"] == "client-removed" && c["subject"]["client"] == "sensor-node")));
    assert_eq!(v["notes"].as_array().unwrap().len(), 1);

    // The note in the table and Markdown of diff and log.
    let at = format!("clients/iot/sensor-node.toml:{line}:");
    let expect = format!("does not load at commit {}", short(x));
    for args in [
        &["diff", "v2..HEAD"][..],
        &["diff", "v2..HEAD", "--format", "markdown"],
        &["log", "sensor-node"],
        &["log", "sensor-node", "--format", "markdown"],
    ] {
        // Wide, so that no table cell wraps inside what is looked for. `diff` exits 3: the
        // extension has no new approval (diff/unapproved-change).
        let out = scopectl()
            .current_dir(h.t.root())
            .env("COLUMNS", "400")
            .args(args)
            .assert()
            .code(if args[0] == "diff" { 3 } else { 0 })
            .get_output()
            .stdout
            .clone();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains(&expect), "{args:?}: {s}");
        assert!(s.contains(&at), "{args:?}: {s}");
        assert!(s.contains(&format!("commit {}", short(y))), "{args:?}: {s}");
        if args[0] == "log" {
            let across = format!("made across commits {}, {}", short(x), short(y));
            assert!(s.contains(&across), "{args:?}: {s}");
        }
    }
}

#[test]
fn grant_rows_show_what_the_reviewer_approves_on() {
    let h = history("");
    let path = "clients/new-client.toml";
    let text = std::fs::read_to_string(h.t.registry().join(path)).unwrap();
    h.t.write(
        path,
        &format!("{text}\n[[grants]]\nscope = \"system:reboot\"\njustification = \"Restarts stuck order workers\"\napproved_by = \"carol@example.com\"\napproved_on = 2026-10-06\nexpires = 2027-01-06\nticket = \"SHOP-7\"\n"),
    );
    h.t.commit("Erin", "erin@example.com", "Reboot for new-client (SHOP-7)");
    let v = diff_json(&h.t, "v2..HEAD", 0);
    let added = find(&v, "grant-added", "system:reboot");
    assert_eq!(
        added["new"],
        serde_json::json!({
            "scope": "system:reboot",
            "justification": "Restarts stuck order workers",
            "ticket": "SHOP-7",
            "approved_by": "carol@example.com",
            "approved_on": "2026-10-06",
            "expires": "2027-01-06",
            "type": "default",
            "sensitivity": "critical"
        })
    );
    assert_eq!(added["old"], Value::Null);
    // Added / removed scopes and clients are objects too; field changes stay strings.
    let v = diff_json(&h.t, "v1..v2", 3);
    let client = find(&v, "client-removed", "old-client");
    assert_eq!(
        client["old"],
        serde_json::json!({"id": "old-client", "owner": "team-legacy", "grants": 1})
    );
    assert_eq!(
        find(&v, "scope-added", "orders:read")["new"]["sensitivity"],
        "low"
    );
    assert_eq!(
        find(&v, "scope-removed", "legacy:read")["old"]["owner"],
        "team-platform"
    );
    assert_eq!(
        find(&v, "grant-revoked", "legacy:read")["old"]["justification"],
        "Legacy sync"
    );
    assert_eq!(
        find(&v, "grant-extended", "telemetry:read")["new"],
        "2027-08-01"
    );
    assert_eq!(
        find(&v, "scope-renamed", "reports:view")["old"],
        "reports:read"
    );

    // Table (wide) and Markdown show justification, ticket, approval and sensitivity.
    let wide = scopectl()
        .current_dir(h.t.root())
        .env("COLUMNS", "300")
        .args(["diff", "v2..HEAD"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let md = stdout_of(&h, &["diff", "v2..HEAD", "--format", "markdown"], 0);
    let log = stdout_of(&h, &["log", "new-client", "--format", "markdown"], 0);
    for s in [String::from_utf8(wide).unwrap(), md, log] {
        for part in [
            "justification: Restarts stuck order workers",
            "ticket: SHOP-7",
            "approved by carol@example.com on 2026-10-06",
            "expires 2027-01-06",
            "sensitivity critical",
        ] {
            assert!(s.contains(part), "{part}: {s}");
        }
    }
}

/// The widest line of a table's box (lines drawn with box characters), in characters.
fn table_width(s: &str) -> usize {
    s.lines()
        .filter(|l| l.starts_with(['│', '┌', '└', '╞', '├']))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn piped_tables_fit_120_columns_or_columns() {
    let h = history("");
    for args in [&["diff", "v1..v2"][..], &["log", "sensor-node"]] {
        let code = if args[0] == "diff" { 3 } else { 0 };
        let run = |columns: Option<&str>| {
            let mut c = scopectl();
            c.current_dir(h.t.root()).args(args);
            match columns {
                Some(w) => c.env("COLUMNS", w),
                None => c.env_remove("COLUMNS"),
            };
            String::from_utf8(c.assert().code(code).get_output().stdout.clone()).unwrap()
        };
        let piped = run(None);
        let w = table_width(&piped);
        assert!(w > 60 && w <= 120, "{args:?}: {w} columns\n{piped}");
        let narrow = run(Some("80"));
        let w = table_width(&narrow);
        assert!(w > 40 && w <= 80, "{args:?}: {w} columns\n{narrow}");
        // Nothing is lost: the grant's justification is all there, wrapped.
        assert!(narrow.contains("justification"), "{narrow}");
    }
}

/// Every number of the summary equals the rows it counts, in JSON, Markdown and the table.
#[test]
fn diff_summary_numbers_equal_the_rows_in_every_format() {
    let h = history("");
    let v = diff_json(&h.t, "v1..v2", 3);
    let changes = v["changes"].as_array().unwrap();
    let count = |class: &str| changes.iter().filter(|c| c["class"] == class).count();
    let s = &v["summary"];
    assert_eq!(s["changes"], changes.len());
    for class in ["breaking", "access-added", "access-removed", "metadata"] {
        assert_eq!(s[class], count(class), "{class}");
    }
    assert_eq!(s["findings"], v["findings"].as_array().unwrap().len());
    let line = format!(
        "{} change(s): {} breaking, {} access-added, {} access-removed, {} metadata; {} finding(s)",
        changes.len(),
        count("breaking"),
        count("access-added"),
        count("access-removed"),
        count("metadata"),
        v["findings"].as_array().unwrap().len()
    );
    for format in ["markdown", "table"] {
        let out = scopectl()
            .current_dir(h.t.root())
            .env("COLUMNS", "400")
            .args(["diff", "v1..v2", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(&line), "{format}: {line}\n{text}");
    }
}

#[test]
fn a_repository_without_commits_says_so() {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    let out = scopectl()
        .current_dir(dir.path())
        .args(["diff", "--worktree"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has no commits yet"), "{err}");
}

#[test]
fn one_flag_vocabulary_with_the_old_spellings_as_aliases() {
    let h = history("");
    for args in [
        vec!["log", "sensor-node", "--at", "HEAD", "--format", "human"],
        vec!["log", "sensor-node", "--rev", "HEAD", "--format", "table"],
        vec!["report", "--rev", "HEAD", "--format", "json"],
        vec!["report", "--at", "HEAD", "--format", "json"],
        vec!["diff", "v1..v2", "--format", "human"],
        vec!["diff", "v1..v2", "--format", "table"],
    ] {
        let out = scopectl()
            .current_dir(h.t.root())
            .args(&args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1 | 3)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

const FLEET_API_V1: &str = "openapi: 3.1.0
info: {title: fleet, version: '1'}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://id.example.com/token
          scopes:
            system:reboot: Reboot a field device
            telemetry:read: Read access to sensor data
            orders:read: Read orders
            reports:view: Read reports
paths:
  /devices/{id}/reboot:
    post:
      security: [{oauth: [system:reboot]}]
  /readings:
    get:
      security: [{oauth: [telemetry:read]}]
";

/// A repository whose registry (in infra/oauth) describes two APIs: `fleet` from an
/// OpenAPI file outside the registry folder (api/fleet.yaml), `billing` from a table.
/// `api1`: both described (Ivy). Then Jack makes the reboot operation need reports:view
/// too, lets orders:read read readings and adds an operation; Kim moves billing to a new
/// audience (`api2`).
fn api_history() -> common::History {
    let h = history("infra/oauth");
    let t = &h.t;
    let root_write = |p: &str, text: &str| {
        let p = t.root().join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    root_write("api/fleet.yaml", FLEET_API_V1);
    t.write(
        "apis/fleet.toml",
        "[apis.fleet]\naudience = \"fleet-api\"\nopenapi = [\"../../api/fleet.yaml\"]\n",
    );
    t.write(
        "apis/billing.toml",
        "[apis.billing]\naudience = \"billing-api\"\n\n[apis.billing.operations]\n\"GET /invoices\" = [\"billing:read\"]\n",
    );
    let c = t.commit("Ivy", "ivy@example.com", "Describe the APIs");
    t.tag("api1", c);
    root_write(
        "api/fleet.yaml",
        &(FLEET_API_V1
            .replace(
                "[{oauth: [system:reboot]}]",
                "[{oauth: [system:reboot, reports:view]}]",
            )
            .replace(
                "[{oauth: [telemetry:read]}]",
                "[{oauth: [telemetry:read]}, {oauth: [orders:read]}]",
            )
            + "  /devices/{id}:\n    delete:\n      security: [{oauth: [system:reboot]}]\n"),
    );
    t.commit(
        "Jack",
        "jack@example.com",
        "Reboots need reports:view (OPS-90)",
    );
    t.write(
        "apis/billing.toml",
        "[apis.billing]\naudience = \"billing-api-v2\"\n\n[apis.billing.operations]\n\"GET /invoices\" = [\"billing:read\"]\n",
    );
    let c = t.commit("Kim", "kim@example.com", "Billing API v2 audience");
    t.tag("api2", c);
    h
}

/// Issue 17: an operation that now needs another scope is breaking for the clients that
/// held what it needed and lack the new scope (listed); a looser one is access added, with
/// the clients that gain it; an audience change is breaking for every holder. OpenAPI
/// files are read at each revision, and the commits that changed them are credited.
#[test]
fn api_changes_name_the_clients_they_affect_and_the_commits_that_made_them() {
    let h = api_history();
    let v = diff_json(&h.t, "api1..api2", 3);
    let reboot = find(&v, "operation-changed", "POST /devices/{id}/reboot");
    assert_eq!(reboot["class"], "breaking", "{reboot:#}");
    assert_eq!(reboot["field"], "scopes");
    assert_eq!(reboot["old"], "system:reboot");
    assert_eq!(reboot["new"], "reports:view and system:reboot");
    assert_eq!(reboot["affected_clients"], serde_json::json!(["fleet-ops"]));
    assert_eq!(authors(reboot), ["Jack"], "{reboot:#}");
    // fleet-ops's grant of system:reboot ends on 2026-12-01: after that, it has no access
    // for the change to take away.
    let later = diff_json_args(&h.t, "api1..api2", &["--today", "2026-12-02"], 3);
    let reboot_later = find(&later, "operation-changed", "POST /devices/{id}/reboot");
    assert_eq!(
        reboot_later["affected_clients"],
        serde_json::json!([]),
        "{reboot_later:#}"
    );
    let readings = find(&v, "operation-changed", "GET /readings");
    assert_eq!(readings["class"], "access-added", "{readings:#}");
    assert_eq!(
        readings["affected_clients"],
        serde_json::json!(["new-client"])
    );
    let added = find(&v, "operation-added", "DELETE /devices/{id}");
    assert_eq!(added["class"], "metadata");
    assert_eq!(
        added["new"]["requirements"],
        serde_json::json!([["system:reboot"]])
    );
    let aud = find(&v, "api-changed", "billing");
    assert_eq!(aud["class"], "breaking");
    assert_eq!(aud["field"], "audience");
    assert_eq!(aud["affected_clients"], serde_json::json!(["sensor-node"]));
    assert_eq!(authors(aud), ["Kim"], "{aud:#}");
    assert_eq!(v["apis_not_compared"], serde_json::json!([]));
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(v["summary"]["changes"], changes.len());

    let reg = h.t.registry().to_string_lossy().into_owned();
    let md = stdout_of(
        &h,
        &[
            "diff",
            "api1..api2",
            "--registry",
            &reg,
            "--format",
            "markdown",
            "--today",
            common::TODAY,
        ],
        3,
    );
    assert!(
        md.contains("| fleet: POST /devices/{id}/reboot | scopes: system:reboot → reports:view and system:reboot; clients affected: fleet-ops |"),
        "{md}"
    );
    // Describing an API that did not exist before is metadata, not a break.
    let v = diff_json(&h.t, "v2..api1", 0);
    find(&v, "api-added", "fleet");
}

/// An OpenAPI file that does not parse at one side is no change and no error: the API's
/// operations are "not compared", with the reason; the work tree is read from disk.
#[test]
fn an_unreadable_openapi_file_is_said_not_compared() {
    let h = api_history();
    let broken = h.t.root().join("api/fleet.yaml");
    std::fs::write(&broken, "openapi: 3.1.0\npaths: [unclosed\n").unwrap();
    let c = h.t.commit("Lee", "lee@example.com", "Break the spec");
    h.t.tag("api3", c);
    let v = diff_json(&h.t, "api2..api3", 0);
    assert_eq!(v["summary"]["changes"], 0, "{v:#}");
    let nc = &v["apis_not_compared"][0];
    assert_eq!(nc["api"], "fleet", "{v:#}");
    assert_eq!(nc["side"], "to");
    assert!(
        nc["reasons"][0].as_str().unwrap().contains("fleet.yaml"),
        "{nc:#}"
    );
    let reg = h.t.registry().to_string_lossy().into_owned();
    let table = stdout_of(&h, &["diff", "api2..api3", "--registry", &reg], 0);
    assert!(
        table.contains("note: the operations of API fleet are not compared"),
        "{table}"
    );
    // The work tree: the file put back to its api1 content on disk, uncommitted, compared
    // with api2. Lee's commit, across which the file could not be read, is credited (as
    // for a registry file that does not load).
    std::fs::write(&broken, FLEET_API_V1).unwrap();
    let out = scopectl()
        .current_dir(h.t.root())
        .args([
            "diff",
            "--worktree",
            "api2",
            "--format",
            "json",
            "--registry",
        ])
        .arg(h.t.registry())
        .assert()
        .code(3)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let back = find(&v, "operation-changed", "POST /devices/{id}/reboot");
    assert_eq!(back["class"], "access-added", "{back:#}");
    assert_eq!(authors(back), ["Lee"], "{back:#}");
    let readings = find(&v, "operation-changed", "GET /readings");
    assert_eq!(readings["class"], "breaking", "{readings:#}");
    assert_eq!(
        readings["affected_clients"],
        serde_json::json!(["new-client"])
    );
}

#[test]
fn a_range_that_runs_backwards_says_so() {
    let h = history("");
    let (_, _, err) = diff_run(&h.t, "v2..v1", &[]);
    assert!(err.contains("the range runs backwards (v2..v1"), "{err}");
    let (_, _, err) = diff_run(&h.t, "v1..v2", &[]);
    assert!(!err.contains("backwards"), "{err}");
}
