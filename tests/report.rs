//! `scopectl report` against real repositories built with git2.

mod common;

use common::{history, scopectl, History};
use serde_json::Value;

/// The diff history plus a commit with the gaps an auditor must see: an expired grant, a
/// client without owner, a grant approved by its client's owner, a high scope without step-up.
fn with_gaps() -> History {
    let h = history("");
    h.t.write(
        "scopes/extra.toml",
        "[scopes.\"payroll:write\"]\ndescription = \"Change payroll\"\nowner = \"team-hr\"\nsensitivity = \"high\"\n",
    );
    h.t.write(
        "clients/orphan.toml",
        "[client]\nid = \"orphan\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Old export\"\napproved_by = \"erin@example.com\"\nexpires = 2026-11-01\n",
    );
    h.t.write(
        "clients/payroll.toml",
        "[client]\nid = \"payroll\"\nowner = \"dan@example.com\"\n\n[[grants]]\nscope = \"payroll:write\"\njustification = \"Monthly run <HR-1>\"\napproved_by = \"dan@example.com\"\napproved_on = 2026-10-01\nexpires = 2027-06-30\n",
    );
    let c = h.t.commit("Erin", "erin@example.com", "Payroll and orphan");
    h.t.tag("v3", c);
    h
}

fn report(h: &History, at: &str, format: &str) -> String {
    let out = scopectl()
        .current_dir(h.t.root())
        .args([
            "report",
            "--at",
            at,
            "--today",
            "2026-11-25",
            "--format",
            format,
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_lists_every_grant_with_days_left_and_control_status() {
    let h = with_gaps();
    let v: Value = serde_json::from_str(&report(&h, "v3", "json")).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["at"]["commit"],
        h.t.repo.revparse_single("v3").unwrap().id().to_string()
    );
    assert_eq!(v["today"], "2026-11-25");
    assert_eq!(v["expiry_window_days"], 14);
    let s = &v["summary"];
    assert_eq!(s["grants"], 7);
    assert_eq!(s["expired"], 1);
    assert_eq!(s["expiring"], 1);
    assert_eq!(s["sensitive"], 2);
    assert_eq!(s["clients_without_owner"], 1);
    assert_eq!(s["self_approved"], 1);
    // From history: Bob added a grant he approved; Carol re-approved one in her own
    // commit; Erin added the orphan's grant she approved.
    assert_eq!(s["self_approved_commits"], 3);
    assert_eq!(v["history_checked"], true);
    let billing = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["scope"] == "billing:read")
        .unwrap();
    assert_eq!(billing["self_approved_commit"], h.c[2].to_string());
    let reboot = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["scope"] == "system:reboot")
        .unwrap();
    assert_eq!(reboot["days_left"], 6);
    assert_eq!(reboot["status"], "expiring");
    assert_eq!(reboot["approved_by"], "carol@example.com");
    let status: Vec<(String, String)> = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().into(),
                c["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expect = [
        ("5.15", "gaps"),
        ("5.18", "gaps"),
        ("8.2", "gaps"),
        ("5.3", "gaps"),
    ];
    assert_eq!(
        status,
        expect.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
    assert_eq!(v["expiry_by_month"][0], serde_json::json!(["2026-11", 1]));
}

/// The diff history with every grant approved by someone other than who committed it
/// (tagged `clean`).
fn clean() -> History {
    let h = history("");
    // Grace re-approves what Bob and Carol approved in their own commits.
    let fleet = std::fs::read_to_string(h.t.registry().join("clients/fleet-ops.toml")).unwrap();
    h.t.write(
        "clients/fleet-ops.toml",
        &fleet.replace("carol@example.com", "grace@example.com"),
    );
    let sensor =
        std::fs::read_to_string(h.t.registry().join("clients/iot/sensor-node.toml")).unwrap();
    h.t.write(
        "clients/iot/sensor-node.toml",
        &sensor.replace("bob@example.com", "grace@example.com"),
    );
    let c =
        h.t.commit("Frank", "frank@example.com", "Re-approve (SEC-12)");
    h.t.tag("clean", c);
    h
}

/// Commit a review interval of `critical` for critical scopes and the campaign
/// `reviews/2026-q3.toml` (one entry, fleet-ops → system:reboot, closed 2026-11-19), tagged
/// `tag`.
fn with_campaign(h: &History, critical: &str, entry: &str, tag: &str) {
    let policy = std::fs::read_to_string(h.t.registry().join("scopectl.toml")).unwrap();
    let policy = policy
        .split("\n[policy.review_interval]")
        .next()
        .unwrap()
        .to_string();
    h.t.write(
        "scopectl.toml",
        &(policy
            + &format!("\n[policy.review_interval]\ncritical = \"{critical}\"\nhigh = \"365d\"\n")),
    );
    h.t.write(
        "reviews/2026-q3.toml",
        &format!("[review]\nstarted_on = 2026-11-01\ndue = 2026-11-20\nclosed_on = 2026-11-19\ndefault = \"revoke\"\n\n[[entries]]\nclient = \"fleet-ops\"\nscope = \"system:reboot\"\n{entry}"),
    );
    let c =
        h.t.commit("Frank", "frank@example.com", "Q3 access review (SEC-13)");
    h.t.tag(tag, c);
}

/// The ISO 5.18 control of a JSON report.
fn control_5_18(v: &Value) -> Value {
    v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.18")
        .unwrap()
        .clone()
}

#[test]
fn a_clean_registry_meets_every_control() {
    let h = clean();
    let v: Value = serde_json::from_str(&report(&h, "clean", "json")).unwrap();
    // Access rights (5.18) also ask for periodic review: without a closed campaign and a
    // review_interval, that part is not evidenced.
    for c in v["controls"].as_array().unwrap() {
        if c["id"] == "5.18" {
            assert_eq!(c["status"], "partial", "{c:#}");
            let reason = c["reason"].as_str().unwrap();
            assert!(reason.contains("no access-review campaign"), "{reason}");
            assert!(reason.contains("no review_interval"), "{reason}");
        } else {
            assert_eq!(c["status"], "met", "{c:#}");
        }
    }
    // A closed campaign under a policy that sets the interval: every control is met.
    with_campaign(
        &h,
        "180d",
        "decision = \"keep\"\ndecided_by = \"grace@example.com\"\ndecided_on = 2026-11-10\noutcome = \"kept\"\n",
        "reviewed",
    );
    let v: Value = serde_json::from_str(&report(&h, "reviewed", "json")).unwrap();
    for c in v["controls"].as_array().unwrap() {
        assert_eq!(c["status"], "met", "{c:#}");
    }
    assert!(
        control_5_18(&v)["evidence"].as_str().unwrap().contains(
            "1 grant review(s) in closed campaigns, 1 decided by a reviewer, 0 kept by default"
        ),
        "{v:#}"
    );
    assert_eq!(
        v["reviews"][0]["closed_in"]["message"],
        "Q3 access review (SEC-13)"
    );
}

#[test]
fn a_self_approved_grant_in_a_commit_that_broke_its_file_is_still_found() {
    let h = clean();
    let path = h.t.registry().join("clients/fleet-ops.toml");
    let fleet = std::fs::read_to_string(&path).unwrap();
    let granted = fleet
        + "\n[[grants]]\nscope = \"billing:read\"\njustification = \"Invoices on the dashboard (OPS-90)\"\napproved_by = \"mallory@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-01-31\n";
    // Mallory adds a grant she approves herself, in a commit that leaves the file broken;
    // Dave's next commit fixes the syntax.
    h.t.write("clients/fleet-ops.toml", &format!("{granted}broken = \""));
    let bad = h.t.commit("Mallory", "mallory@example.com", "Dashboards");
    h.t.write("clients/fleet-ops.toml", &granted);
    let c = h.t.commit("Dave", "dave@example.com", "Fix the syntax");
    h.t.tag("fixed", c);
    let v: Value = serde_json::from_str(&report(&h, "fixed", "json")).unwrap();
    let grant = v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client"] == "fleet-ops" && g["scope"] == "billing:read")
        .unwrap();
    assert_eq!(grant["self_approved_commit"], bad.to_string(), "{grant:#}");
    let c = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert_eq!(c["status"], "gaps", "{c:#}");
}

#[test]
fn a_grant_of_a_client_without_owner_leaves_segregation_of_duties_partial() {
    let h = clean();
    h.t.write(
        "clients/nobody.toml",
        "[client]\nid = \"nobody\"\n\n[[grants]]\nscope = \"billing:read\"\njustification = \"Invoices (PAY-12)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-01-31\n",
    );
    let c = h.t.commit("Frank", "frank@example.com", "Add nobody");
    h.t.tag("ownerless", c);
    let v: Value = serde_json::from_str(&report(&h, "ownerless", "json")).unwrap();
    let c = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert_eq!(c["status"], "partial", "{c:#}");
    assert!(
        c["reason"].as_str().unwrap().contains(
            "1 approved grant(s) of client(s) without an owner not checked against the client's owner"
        ),
        "{c:#}"
    );
}

#[test]
fn a_campaign_proves_only_what_reviewers_decided_and_what_happened() {
    let h = clean();
    // Closed with nobody deciding: the grant was kept by default, not reviewed.
    with_campaign(&h, "180d", "outcome = \"kept-by-default\"\n", "by-default");
    let v: Value = serde_json::from_str(&report(&h, "by-default", "json")).unwrap();
    let c = control_5_18(&v);
    assert_eq!(c["status"], "partial", "{c:#}");
    let reason = c["reason"].as_str().unwrap();
    assert!(
        reason.contains("1 grant(s) were kept by default at a campaign's close (nobody decided them) and not approved or reviewed since: fleet-ops → system:reboot (2026-q3)"),
        "{reason}"
    );
    assert!(
        c["evidence"]
            .as_str()
            .unwrap()
            .contains("0 decided by a reviewer, 1 kept by default (not reviewed)"),
        "{c:#}"
    );
    // A campaign recording a revocation of a grant that is still there: a gap.
    let h = clean();
    with_campaign(
        &h,
        "180d",
        "decision = \"revoke\"\ndecided_by = \"grace@example.com\"\ndecided_on = 2026-11-10\noutcome = \"revoked\"\n",
        "claimed",
    );
    let v: Value = serde_json::from_str(&report(&h, "claimed", "json")).unwrap();
    let c = control_5_18(&v);
    assert_eq!(c["status"], "gaps", "{c:#}");
    assert!(
        c["gaps"][0]
            .as_str()
            .unwrap()
            .contains("campaign 2026-q3 records the grant as revoked on 2026-11-19, but it is still in clients/"),
        "{c:#}"
    );
    // Decided and kept, but the interval has run out for the grants: lint warns
    // (grant/review-due), so periodic review is not met.
    let h = clean();
    with_campaign(
        &h,
        "1d",
        "decision = \"keep\"\ndecided_by = \"grace@example.com\"\ndecided_on = 2026-11-10\noutcome = \"kept\"\n",
        "due",
    );
    let v: Value = serde_json::from_str(&report(&h, "due", "json")).unwrap();
    let c = control_5_18(&v);
    assert_eq!(c["status"], "partial", "{c:#}");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("past their review interval (grant/review-due, a warning)"),
        "{c:#}"
    );
}

#[test]
fn markdown_has_every_section_and_the_annex_a_table() {
    let h = with_gaps();
    let s = report(&h, "v3", "markdown");
    for heading in [
        "## ISO/IEC 27001:2022 Annex A",
        "## Expired grants",
        "## Grants expiring within 14 days",
        "## Grants of sensitive scopes (high, critical)",
        "## Clients without an owner",
        "## All grants",
    ] {
        assert!(s.contains(heading), "missing {heading}:\n{s}");
    }
    assert!(
        s.contains("| 5.3 | Segregation of duties | **gaps** |"),
        "{s}"
    );
    assert!(s.contains("- orphan"), "{s}");
    assert!(
        s.contains(
            "| orphan | orders:read | low | Old export | erin@example.com | — | 2026-11-01 | -24 |"
        ),
        "{s}"
    );
    assert!(
        s.contains("| 8.2 | `scope/sensitive-without-step-up` | payroll → payroll:write | high scope without step-up |"),
        "{s}"
    );
}

#[test]
fn csv_has_one_row_per_grant() {
    let h = with_gaps();
    let s = report(&h, "v3", "csv");
    let mut r = csv::Reader::from_reader(s.as_bytes());
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "client");
    assert_eq!(&headers[10], "days_left");
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 7);
    let payroll = rows.iter().find(|r| &r[0] == "payroll").unwrap();
    assert_eq!(&payroll[6], "Monthly run <HR-1>");
    assert_eq!(&payroll[12], "true");
    assert_eq!(&headers[13], "self_approved_commit");
}

#[test]
fn html_is_one_self_contained_file_with_a_chart() {
    let h = with_gaps();
    let s = report(&h, "v3", "html");
    assert!(s.starts_with("<!DOCTYPE html>"));
    assert!(s.contains("<svg"));
    assert!(s.contains("<title>2027-04: "), "{s}");
    assert!(s.contains("Monthly run &lt;HR-1&gt;"));
    assert!(!s.contains("<script"));
    assert!(!s.contains(" src="));
    assert!(!s.contains("<link"));
    assert!(!s.contains("href="));
}

#[test]
fn report_at_an_older_revision_reads_that_revision() {
    let h = with_gaps();
    let v: Value = serde_json::from_str(&report(&h, "v1", "json")).unwrap();
    assert!(v["grants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["client"] == "old-client"));
    assert_eq!(v["expiry_window_days"], 30);
}

#[test]
fn report_at_an_unknown_revision_is_an_error() {
    let h = history("");
    scopectl()
        .current_dir(h.t.root())
        .args(["report", "--at", "v9"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown revision `v9`"));
}

#[test]
fn no_history_reads_only_the_snapshot() {
    let h = with_gaps();
    let out = scopectl()
        .current_dir(h.t.root())
        .args([
            "report",
            "--today",
            "2026-11-25",
            "--format",
            "json",
            "--no-history",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["history_checked"], false);
    assert_eq!(v["summary"]["self_approved_commits"], 0);
    let c53 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert!(c53["evidence"]
        .as_str()
        .unwrap()
        .contains("commit authors NOT checked (history not read, --no-history)"));
}

fn report_args(h: &History, args: &[&str]) -> String {
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["report", "--today", "2026-11-25"])
        .args(args)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn without_history_segregation_of_duties_is_partial_not_met() {
    // The clean registry of a_clean_registry_meets_every_control: no gaps in what is checked.
    let h = history("");
    let fleet = std::fs::read_to_string(h.t.registry().join("clients/fleet-ops.toml")).unwrap();
    h.t.write(
        "clients/fleet-ops.toml",
        &fleet.replace("carol@example.com", "grace@example.com"),
    );
    let sensor =
        std::fs::read_to_string(h.t.registry().join("clients/iot/sensor-node.toml")).unwrap();
    h.t.write(
        "clients/iot/sensor-node.toml",
        &sensor.replace("bob@example.com", "grace@example.com"),
    );
    h.t.commit("Frank", "frank@example.com", "Re-approve (SEC-12)");
    let v: Value =
        serde_json::from_str(&report_args(&h, &["--no-history", "--format", "json"])).unwrap();
    assert_eq!(v["history_checked"], false);
    let c53 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert_eq!(c53["status"], "partial", "{c53:#}");
    let evidence = c53["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("commit authors NOT checked"),
        "{evidence}"
    );
    let md = report_args(&h, &["--no-history"]);
    assert!(
        md.contains("| 5.3 | Segregation of duties | **partial** |"),
        "{md}"
    );
    assert!(
        !md.contains("| 5.3 | Segregation of duties | met |"),
        "{md}"
    );
    // With the history read, the same registry meets it.
    let v: Value = serde_json::from_str(&report_args(&h, &["--format", "json"])).unwrap();
    let c53 = v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap();
    assert_eq!(c53["status"], "met", "{c53:#}");
}

/// A grant whose values try a spreadsheet formula, markup and a table pipe (terminal escapes
/// in registry values are refused by the loader; commit metadata is escaped, see tests/diff.rs).
fn hostile() -> History {
    let h = history("");
    h.t.write(
        "clients/evil.toml",
        "[client]\nid = \"evil\"\nowner = \"@team-evil\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\") <script>alert(1)</script> | cell\"\napproved_by = \"+erin@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-04-05\nticket = \"-1+2\"\n\n[[grants]]\nscope = \"telemetry:read\"\njustification = \"Ended\"\napproved_by = \"erin@example.com\"\napproved_on = 2026-09-05\nexpires = 2026-11-01\n",
    );
    h.t.commit("Erin", "erin@example.com", "Evil client");
    h
}

#[test]
fn csv_cells_that_would_run_as_formulas_are_prefixed() {
    let h = hostile();
    let csv = report_args(&h, &["--format", "csv"]);
    let row = csv.lines().find(|l| l.starts_with("evil,")).unwrap();
    assert!(row.contains(",'@team-evil,"), "{row}");
    assert!(row.contains("\"'=HYPERLINK("), "{row}");
    assert!(row.contains(",'+erin@example.com,"), "{row}");
    // The ticket, then the environments the grant reaches (none: no target), then the
    // usage columns (empty without --usage).
    assert!(row.ends_with(",'-1+2,,,,"), "{row}");
    // Numbers scopectl writes itself are left alone: a negative days_left stays a number.
    let expired = csv.lines().find(|l| l.contains(",expired,")).unwrap();
    assert!(expired.contains(",-"), "{expired}");
}

#[test]
fn markdown_report_escapes_markup_pipes_and_terminal_controls() {
    let h = hostile();
    let md = report_args(&h, &[]);
    assert!(!md.contains("<script>"), "{md}");
    assert!(!md.contains('\u{1b}'), "{md:?}");
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| cell"),
        "{md}"
    );
}

/// Run `report` with a fixed `SOURCE_DATE_EPOCH` (2026-10-01T00:00:00Z), so output is
/// reproducible.
fn report_at(h: &History, at: &str, format: &str, extra: &[&str]) -> String {
    let out = scopectl()
        .current_dir(h.t.root())
        .env("SOURCE_DATE_EPOCH", "1790812800")
        .args([
            "report",
            "--at",
            at,
            "--today",
            "2026-11-25",
            "--format",
            format,
        ])
        .args(extra)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn control<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

/// The clean registry of `a_clean_registry_meets_every_control`, then a commit by Frank
/// (who approves nothing) that adds the forbidden broad scope `admin`, granted, and a
/// grant of `system:reboot` four times over its `max_grant` of 60 days: `lint` fails.
fn lint_fails(rules: &str) -> History {
    let h = history("");
    let fleet = std::fs::read_to_string(h.t.registry().join("clients/fleet-ops.toml")).unwrap();
    h.t.write(
        "clients/fleet-ops.toml",
        &fleet.replace("carol@example.com", "grace@example.com"),
    );
    let sensor =
        std::fs::read_to_string(h.t.registry().join("clients/iot/sensor-node.toml")).unwrap();
    h.t.write(
        "clients/iot/sensor-node.toml",
        &sensor.replace("bob@example.com", "grace@example.com"),
    );
    h.t.commit("Frank", "frank@example.com", "Re-approve (SEC-12)");
    let scopes = std::fs::read_to_string(h.t.registry().join("scopes/all.toml")).unwrap();
    h.t.write(
        "scopes/all.toml",
        &(scopes.replace(
            "sensitivity = \"critical\"\nstep_up = true\n",
            "sensitivity = \"critical\"\nstep_up = true\nmax_grant = \"60d\"\n",
        ) + "\n[scopes.admin]\ndescription = \"Everything\"\nowner = \"team-sec\"\nsensitivity = \"critical\"\nstep_up = true\n"),
    );
    h.t.write(
        "clients/ops.toml",
        "[client]\nid = \"ops\"\nowner = \"team-ops\"\n\n[[grants]]\nscope = \"admin\"\njustification = \"Break glass (SEC-20)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-11-20\nexpires = 2026-12-15\n\n[[grants]]\nscope = \"system:reboot\"\njustification = \"Reboots (OPS-90)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-11-20\nexpires = 2027-07-18\n",
    );
    if !rules.is_empty() {
        let policy = std::fs::read_to_string(h.t.registry().join("scopectl.toml")).unwrap();
        h.t.write("scopectl.toml", &format!("{policy}\n[rules]\n{rules}\n"));
    }
    let c =
        h.t.commit("Frank", "frank@example.com", "Ops access (SEC-20)");
    h.t.tag("broad", c);
    h
}

#[test]
fn lint_errors_are_gaps_under_their_controls_in_every_format() {
    let h = lint_fails("");
    // lint fails on that revision.
    scopectl()
        .args(["lint", "--today", "2026-11-25"])
        .arg(h.t.registry())
        .assert()
        .code(1);
    let v: Value = serde_json::from_str(&report_at(&h, "broad", "json", &[])).unwrap();
    let rules = |id: &str| -> Vec<String> {
        control(&v, id)["gap_details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["rule"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(control(&v, "5.15")["status"], "gaps");
    assert!(rules("5.15").contains(&"scope/broad".to_string()), "{v:#}");
    assert_eq!(control(&v, "8.2")["status"], "gaps");
    assert!(rules("8.2").contains(&"scope/broad".to_string()), "{v:#}");
    assert_eq!(control(&v, "5.18")["status"], "gaps");
    let lifetime = control(&v, "5.18")["gap_details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["rule"] == "grant/lifetime")
        .cloned()
        .unwrap();
    assert_eq!(lifetime["file"], "clients/ops.toml:17", "{lifetime:#}");
    assert!(
        lifetime["message"].as_str().unwrap().contains("240 days"),
        "{lifetime:#}"
    );
    // 5.3 is untouched by these rules and still met.
    assert_eq!(control(&v, "5.3")["status"], "met", "{v:#}");
    assert_eq!(v["lint"]["errors"], 2, "{:#}", v["lint"]);
    let by_rule: Vec<(String, u64)> = v["lint"]["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["errors"].as_u64().unwrap() > 0)
        .map(|r| {
            (
                r["rule"].as_str().unwrap().into(),
                r["errors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_rule,
        vec![("grant/lifetime".into(), 1), ("scope/broad".into(), 1)]
    );

    let md = report_at(&h, "broad", "markdown", &[]);
    for row in [
        "| 5.15 | Access control | **gaps** |",
        "| 5.18 | Access rights | **gaps** |",
        "| 8.2 | Privileged access rights | **gaps** |",
        // Lint findings name their subject, then the place.
        "| 5.15 | `scope/broad` | scope admin (scopes/all.toml:",
        "| 8.2 | `scope/broad` | scope admin (scopes/all.toml:",
        // Backticks in messages are escaped like every other markup character.
        "| 5.18 | `grant/lifetime` | ops → system:reboot (clients/ops.toml:17) | grant of \\`system:reboot\\` to \\`ops\\` lasts 240 days",
        "## Lint (2 error(s),",
        "| `scope/broad` | 1 | 0 |",
        "| `grant/lifetime` | 1 | 0 |",
    ] {
        assert!(md.contains(row), "missing {row}:\n{md}");
    }
    assert!(
        !md.contains("| 8.2 | Privileged access rights | met |"),
        "{md}"
    );

    let html = report_at(&h, "broad", "html", &[]);
    for c in ["5.15", "5.18", "8.2"] {
        assert!(
            html.contains(&format!("<tr><td>{c}</td><td>"))
                && !html.contains(&format!(
                    "<tr><td>{c}</td><td>{}</td><td class=\"met\">",
                    match c {
                        "5.15" => "Access control",
                        "5.18" => "Access rights",
                        _ => "Privileged access rights",
                    }
                )),
            "{c} met:\n{html}"
        );
    }
    assert!(
        html.contains("<tr><td>8.2</td><td><code>scope/broad</code></td>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<tr><td>5.18</td><td><code>grant/lifetime</code></td><td>ops → system:reboot (clients/ops.toml:17)</td>"
        ),
        "{html}"
    );
}

#[test]
fn a_mapped_rule_turned_off_leaves_its_controls_partial_not_met() {
    let h = lint_fails(
        "\"scope/broad\" = \"allow\"\n\"scope/naming\" = \"allow\"\n\"grant/lifetime\" = \"warn\"",
    );
    let v: Value = serde_json::from_str(&report_at(&h, "broad", "json", &[])).unwrap();
    for id in ["5.15", "8.2", "5.18"] {
        let c = control(&v, id);
        assert_eq!(c["status"], "partial", "{c:#}");
        assert!(
            c["reason"].as_str().unwrap().contains("in [rules]"),
            "{c:#}"
        );
    }
    assert!(control(&v, "8.2")["reason"]
        .as_str()
        .unwrap()
        .contains("scope/broad set to allow"));
    assert_eq!(v["lint"]["errors"], 0);
    // Lowered to warn, the lifetime finding is counted as a warning, not a gap.
    assert!(
        v["lint"]["by_rule"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule"] == "grant/lifetime" && r["warnings"] == 1),
        "{:#}",
        v["lint"]
    );
    let levels = &v["policy"]["rule_levels"];
    assert_eq!(
        levels,
        &serde_json::json!([
            {"rule": "grant/lifetime", "level": "warn", "default_level": "deny"},
            {"rule": "scope/broad", "level": "allow", "default_level": "deny"},
            {"rule": "scope/naming", "level": "allow", "default_level": "deny"}
        ])
    );
    let md = report_at(&h, "broad", "markdown", &[]);
    assert!(
        md.contains("| 8.2 | Privileged access rights | **partial** |"),
        "{md}"
    );
    assert!(
        md.contains("- 8.2 is **partial**: scope/broad set to allow in [rules]"),
        "{md}"
    );
    assert!(md.contains("| `scope/broad` | allow | deny |"), "{md}");
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap_or_else(|| panic!("no {start}:\n{s}")) + start.len();
    let len = s[from..].find(end).unwrap_or(s.len() - from);
    &s[from..from + len]
}

fn num(s: &str, pattern: &str) -> usize {
    let re = regex::Regex::new(pattern).unwrap();
    let caps = re
        .captures(s)
        .unwrap_or_else(|| panic!("no {pattern} in:\n{s}"));
    caps[1].parse().unwrap()
}

/// Issue case 5: "0 self-approved grant(s)" above a 5.3 table of gaps. Every figure of the
/// summary must be the number of rows it summarises, in every format.
#[test]
fn summary_figures_equal_the_rows_below_them_in_every_format() {
    let h = with_gaps();
    // v2: no grant approved by its client's owner, but grants committed by their approver;
    // v3: both kinds, an expired grant and a client without owner.
    for at in ["v2", "v3"] {
        let v: Value = serde_json::from_str(&report_at(&h, at, "json", &[])).unwrap();
        let s = &v["summary"];
        let c53 = control(&v, "5.3");
        let rows53 = |rule: &str| {
            c53["gap_details"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|g| g["rule"] == rule)
                .count() as u64
        };
        assert!(
            s["self_approved_commits"].as_u64().unwrap() > 0,
            "{at}: {s:#}"
        );
        assert_eq!(s["self_approved"], rows53("grant/self-approval"), "{at}");
        assert_eq!(
            s["self_approved_commits"],
            rows53("diff/self-approved-commit"),
            "{at}"
        );
        let mut total = 0;
        for c in v["controls"].as_array().unwrap() {
            let n = c["gap_details"].as_array().unwrap().len();
            assert_eq!(c["gaps"].as_array().unwrap().len(), n, "{at}: {c:#}");
            assert_eq!(c["status"] == "gaps", n > 0, "{at}: {c:#}");
            total += n;
        }
        assert_eq!(s["gaps"], total as u64, "{at}");
        let grants = v["grants"].as_array().unwrap();
        let count = |f: &dyn Fn(&Value) -> bool| grants.iter().filter(|g| f(g)).count() as u64;
        assert_eq!(s["grants"], grants.len() as u64, "{at}");
        assert_eq!(s["expired"], count(&|g| g["status"] == "expired"), "{at}");
        assert_eq!(s["expiring"], count(&|g| g["status"] == "expiring"), "{at}");
        assert_eq!(s["sensitive"], count(&|g| g["sensitive"] == true), "{at}");
        assert_eq!(
            s["clients_without_owner"],
            v["clients_without_owner"].as_array().unwrap().len() as u64
        );
        let lint = &v["lint"];
        let sum = |k: &str| {
            lint["by_rule"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[k].as_u64().unwrap())
                .sum::<u64>()
        };
        assert_eq!(lint["errors"], sum("errors"), "{at}");
        assert_eq!(lint["warnings"], sum("warnings"), "{at}");

        // Markdown: the summary's figures against the tables under it.
        let md = report_at(&h, at, "markdown", &[]);
        let summary = between(&md, "## Summary\n\n", "\n");
        let rows = |section: &str, prefix: &str| {
            if !md.contains(section) {
                return 0;
            }
            between(&md, section, "\n\n#")
                .lines()
                .filter(|l| l.starts_with(prefix))
                .count()
        };
        let n53 = num(summary, r"5\.3 (\d+)\)");
        assert_eq!(n53, rows("### Gaps for 5.3", "| 5.3 | `"), "{at}:\n{md}");
        assert_eq!(
            n53 as u64,
            c53["gap_details"].as_array().unwrap().len() as u64
        );
        assert_eq!(
            num(
                summary,
                r"(\d+) grant\(s\) approved by their client's owner"
            ),
            rows("### Gaps for 5.3", "| 5.3 | `grant/self-approval` |"),
            "{at}:\n{md}"
        );
        assert_eq!(
            num(summary, r"and (\d+) committed by their own approver"),
            rows("### Gaps for 5.3", "| 5.3 | `diff/self-approved-commit` |"),
            "{at}:\n{md}"
        );
        let gap_rows: usize = ["5.15", "5.18", "8.2", "5.3"]
            .iter()
            .map(|c| rows(&format!("### Gaps for {c} "), &format!("| {c} | ")))
            .sum();
        assert_eq!(
            num(summary, r"(\d+) gap\(s\) against Annex A"),
            gap_rows,
            "{at}"
        );
        let grant_rows = |section: &str| rows(section, "| ").saturating_sub(1); // less the header
        assert_eq!(
            num(summary, r"(\d+) expired"),
            grant_rows("## Expired grants"),
            "{at}:\n{md}"
        );
        assert_eq!(
            num(summary, r"(\d+) expiring"),
            grant_rows("## Grants expiring within"),
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) sensitive"),
            grant_rows("## Grants of sensitive scopes"),
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) grant\(s\):"),
            grant_rows("## All grants"),
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) client\(s\) without owner"),
            rows("## Clients without an owner", "- "),
            "{at}"
        );
        let lint_rows = between(&md, "## Lint (", "\n\n## ");
        let lint_sum = |col: usize| -> usize {
            lint_rows
                .lines()
                .filter(|l| l.starts_with("| `"))
                .map(|l| {
                    l.split('|')
                        .nth(col)
                        .unwrap()
                        .trim()
                        .parse::<usize>()
                        .unwrap()
                })
                .sum()
        };
        assert_eq!(num(lint_rows, r"^(\d+) error"), lint_sum(2), "{at}");
        assert_eq!(num(lint_rows, r"(\d+) warning"), lint_sum(3), "{at}");
        for c in v["controls"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap();
            let n = num(
                &md,
                &format!(r"\| {} \| [^|]+ \| [^|]+ \| (\d+) \|", regex::escape(id)),
            );
            assert_eq!(
                n,
                rows(&format!("### Gaps for {id} "), &format!("| {id} | ")),
                "{at} {id}"
            );
        }

        // HTML: the same figures against its tables.
        let html = report_at(&h, at, "html", &[]);
        let summary = between(&html, "<h2>Summary</h2>\n<p>", "</p>");
        let trs = |section: &str, prefix: &str| {
            if !html.contains(section) {
                return 0;
            }
            // Up to the end of its table, or the next heading when it has none.
            let body = between(&html, section, "\n<h");
            body[..body.find("</table>").unwrap_or(body.len())]
                .lines()
                .filter(|l| l.starts_with(prefix))
                .count()
        };
        assert_eq!(
            num(summary, r"5\.3 (\d+)\)"),
            trs("data-control=\"5.3\"", "<tr><td>5.3</td>"),
            "{at}:\n{html}"
        );
        assert_eq!(
            num(
                summary,
                r"(\d+) grant\(s\) approved by their client&#39;s owner"
            ),
            trs(
                "data-control=\"5.3\"",
                "<tr><td>5.3</td><td><code>grant/self-approval<"
            ),
            "{at}"
        );
        assert_eq!(
            num(summary, r"and (\d+) committed by their own approver"),
            trs(
                "data-control=\"5.3\"",
                "<tr><td>5.3</td><td><code>diff/self-approved-commit<"
            ),
            "{at}"
        );
        let gap_trs: usize = ["5.15", "5.18", "8.2", "5.3"]
            .iter()
            .map(|c| {
                trs(
                    &format!("data-control=\"{c}\""),
                    &format!("<tr><td>{c}</td>"),
                )
            })
            .sum();
        assert_eq!(
            num(summary, r"(\d+) gap\(s\) against Annex A"),
            gap_trs,
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) expired"),
            trs("<h3>Expired grants</h3>", "<tr class="),
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) grant\(s\):"),
            trs("<h2>All grants</h2>", "<tr class="),
            "{at}"
        );
        assert_eq!(
            num(summary, r"(\d+) sensitive"),
            trs("<h2>Grants of sensitive scopes", "<tr class="),
            "{at}"
        );

        // CSV has no summary; its rows are what the JSON summary counts.
        let csv = report_at(&h, at, "csv", &[]);
        let mut r = csv::Reader::from_reader(csv.as_bytes());
        let records: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(s["grants"], records.len() as u64);
        assert_eq!(
            s["expired"],
            records.iter().filter(|r| &r[11] == "expired").count() as u64
        );
        assert_eq!(
            s["self_approved"],
            records.iter().filter(|r| &r[12] == "true").count() as u64
        );
    }
}

/// The policy in force includes what `[policy.environments.NAME]` tables set, keyed
/// `environments.NAME.KEY`, in every format: an auditor sees that production grants live
/// shorter, not only `[policy]`.
#[test]
fn the_policy_in_force_lists_each_environments_settings() {
    let h = history("");
    let policy = std::fs::read_to_string(h.t.registry().join("scopectl.toml")).unwrap();
    h.t.write(
        "scopectl.toml",
        &format!(
            "{policy}\n[policy.environments.prod]\nmax_grant_lifetime = \"90d\"\nmin_justification = 20\n\n[policy.environments.prod.approval.critical]\nmin_approvers = 2\n\n[policy.environments.prod.review_interval]\ncritical = \"30d\"\n"
        ),
    );
    h.t.commit(
        "Frank",
        "frank@example.com",
        "Stricter production policy (SEC-30)",
    );
    let v: Value = serde_json::from_str(&report_at(&h, "HEAD", "json", &[])).unwrap();
    let settings = v["policy"]["settings"].as_array().unwrap();
    let env: Vec<(&str, &str, &str)> = settings
        .iter()
        .filter(|s| s["key"].as_str().unwrap().starts_with("environments."))
        .map(|s| {
            (
                s["key"].as_str().unwrap(),
                s["value"].as_str().unwrap(),
                s["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        env,
        [
            (
                "environments.prod.max_grant_lifetime",
                "90d",
                "scopectl.toml"
            ),
            ("environments.prod.min_justification", "20", "scopectl.toml"),
            (
                "environments.prod.approval",
                "critical: 2 approver(s) from anyone (in addition to [policy] approval)",
                "scopectl.toml"
            ),
            (
                "environments.prod.review_interval",
                "critical: 30d",
                "scopectl.toml"
            ),
        ]
    );
    assert_eq!(settings.len(), 22 + 4);
    let md = report_at(&h, "HEAD", "markdown", &[]);
    assert!(
        md.contains("| environments.prod.max_grant_lifetime | 90d | scopectl.toml |"),
        "{md}"
    );
    let html = report_at(&h, "HEAD", "html", &[]);
    assert!(
        html.contains("<td>environments.prod.max_grant_lifetime</td><td><code>90d</code></td>"),
        "{html}"
    );
}

/// Issue case 7: the report is a document: tool and version, generation time (reproducible
/// with SOURCE_DATE_EPOCH), revision SHA and date, registry, evaluation date, the policy in
/// force, the lint summary, a sign-off block and a print layout.
#[test]
fn the_report_is_a_document_in_every_format() {
    let h = lint_fails("\"grant/expiring\" = \"deny\"");
    let sha = h.t.repo.revparse_single("broad").unwrap().id().to_string();
    let version = env!("CARGO_PKG_VERSION");
    let v: Value = serde_json::from_str(&report_at(&h, "broad", "json", &[])).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"], "scopectl");
    assert_eq!(v["tool_version"], version);
    assert_eq!(v["generated_at"], "2026-10-01T00:00:00Z");
    assert_eq!(v["at"]["commit"], sha);
    assert!(v["at"]["date"].as_str().unwrap().starts_with("2026-10-"));
    assert_eq!(v["registry"], "");
    assert_eq!(v["today"], "2026-11-25");
    let settings = v["policy"]["settings"].as_array().unwrap();
    // Every [policy] setting (this registry has no [policy.environments.NAME] table).
    assert_eq!(settings.len(), 22, "{settings:#?}");
    let setting = |k: &str| settings.iter().find(|s| s["key"] == k).unwrap().clone();
    assert_eq!(setting("max_key_age")["source"], "default");
    assert_eq!(setting("review_deadline")["value"], "30d");
    assert_eq!(
        setting("expiry_warning"),
        serde_json::json!({"key": "expiry_warning", "value": "14d", "source": "scopectl.toml"})
    );
    assert_eq!(setting("require_approver")["source"], "default");
    assert_eq!(
        v["policy"]["rule_levels"],
        serde_json::json!([{"rule": "grant/expiring", "level": "deny", "default_level": "warn"}])
    );
    assert!(
        v["lint"]["errors"].as_u64().unwrap() >= 2,
        "{:#}",
        v["lint"]
    );

    let md = report_at(&h, "broad", "markdown", &[]);
    for line in [
        format!("| tool | scopectl {version} |"),
        "| generated at | 2026-10-01T00:00:00Z |".to_string(),
        "| revision | broad |".to_string(),
        format!("| commit | {sha} |"),
        "| registry | (repository root) |".to_string(),
        "| evaluation date | 2026-11-25 |".to_string(),
        "## Policy in force".to_string(),
        "| expiry_warning | 14d | scopectl.toml |".to_string(),
        "| require_approver | true | default |".to_string(),
        // Backslashes of the pattern survive Markdown rendering.
        // `][` is escaped in Markdown so that no reference link can form.
        // `*` and `_` at a word boundary are escaped too (no emphasis).
        "| scope_pattern | ^[a-z]\\[a-z0-9\\_-]\\*(\\\\.[a-z0-9\\_-]+)\\*:".to_string(),
        "| `grant/expiring` | deny | warn |".to_string(),
        "## Lint (".to_string(),
        "## Sign-off".to_string(),
        "| role | name | date | signature |".to_string(),
        "| Reviewer | | | |".to_string(),
    ] {
        assert!(md.contains(&line), "missing {line}:\n{md}");
    }

    let html = report_at(&h, "broad", "html", &[]);
    for part in [
        format!("<meta name=\"generator\" content=\"scopectl {version}\">"),
        format!("<tr><th>tool</th><td>scopectl {version}</td></tr>"),
        "<tr><th>generated at</th><td>2026-10-01T00:00:00Z</td></tr>".to_string(),
        format!("<tr><th>commit</th><td>{sha}</td></tr>"),
        "<tr><th>evaluation date</th><td>2026-11-25</td></tr>".to_string(),
        "<h2>Policy in force</h2>".to_string(),
        "<tr><td>expiry_warning</td><td><code>14d</code></td><td>scopectl.toml</td></tr>"
            .to_string(),
        "<h2>Sign-off</h2>".to_string(),
        "<tr><td>Reviewer</td><td></td><td></td><td></td></tr>".to_string(),
        "@page{size:A4".to_string(),
        "@media print{".to_string(),
        "section{break-before:page".to_string(),
    ] {
        assert!(html.contains(&part), "missing {part}:\n{html}");
    }
    // Every section of the HTML is a <section>, so each starts a printed page.
    assert_eq!(
        html.matches("<section ").count(),
        html.matches("<h2>").count(),
        "{html}"
    );

    // Reproducible: same inputs and SOURCE_DATE_EPOCH, same bytes.
    for format in ["markdown", "html", "json", "csv"] {
        assert_eq!(
            report_at(&h, "broad", format, &[]),
            report_at(&h, "broad", format, &[]),
            "{format}"
        );
    }
}

#[test]
fn a_source_date_epoch_that_is_not_seconds_is_an_error() {
    let h = history("");
    scopectl()
        .current_dir(h.t.root())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args(["report", "--format", "json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("SOURCE_DATE_EPOCH"));
}

/// Imported grants that are still debt: accepted (one counted finding per client) until
/// their deadline, listed in the burn-down; after it, gaps again.
#[test]
fn import_debt_is_an_accepted_risk_until_its_deadline_and_burns_down() {
    let h = history("");
    h.t.write(
        "clients/legacy-app.toml",
        "[client]\nid = \"legacy-app\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"telemetry:read\"\nimported = 2026-11-01\n\n[[grants]]\nscope = \"orders:read\"\nimported = 2026-11-01\njustification = \"Shows order history (SHOP-3)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-11-20\nexpires = 2027-05-01\n",
    );
    let c =
        h.t.commit("Ivy", "ivy@example.com", "Import the shop realm");
    h.t.tag("imported", c);
    let json = |today: &str| -> Value {
        let out = scopectl()
            .current_dir(h.t.root())
            .args([
                "report", "--at", "imported", "--format", "json", "--today", today,
            ])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    };
    // max_exception_lifetime is 90 days: the deadline is 2027-01-30.
    let v = json("2026-11-25");
    let d = &v["import_debt"];
    assert_eq!(d["imported"], 2, "{d:#}");
    assert_eq!(d["resolved"], 1);
    assert_eq!(d["pending"], 1);
    assert_eq!(d["overdue"], 0);
    assert_eq!(d["by_client"][0]["client"], "legacy-app");
    assert_eq!(d["by_client"][0]["deadline"], "2027-01-30");
    let c518 = control(&v, "5.18");
    let gaps = c518["gap_details"].to_string();
    assert!(!gaps.contains("legacy-app"), "{c518:#}");
    assert!(
        c518["accepted_risks"]
            .to_string()
            .contains("client/import-debt"),
        "{c518:#}"
    );
    let md = {
        let out = scopectl()
            .current_dir(h.t.root())
            .args(["report", "--at", "imported", "--today", "2026-11-25"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    assert!(md.contains("## Import debt\n\n2 imported grant(s): 1 resolved (justified, approved, with an expiry), 1 pending before their deadline, 0 overdue."), "{md}");
    // After the deadline the missing fields are gaps again.
    let v = json("2027-02-01");
    assert_eq!(v["import_debt"]["overdue"], 1);
    let c518 = control(&v, "5.18");
    assert!(
        c518["gap_details"]
            .to_string()
            .contains("legacy-app → telemetry:read"),
        "{c518:#}"
    );
}

/// Each API's scopes with the clients holding them; OpenAPI files are read at the
/// revision, and an API whose files cannot be read there says so, with the reason.
#[test]
fn report_lists_each_apis_scopes_and_who_holds_them() {
    let h = history("");
    h.t.write(
        "apis/telemetry.toml",
        "[apis.telemetry]\naudience = \"telemetry-api\"\nowner = \"team-iot\"\n\n[apis.telemetry.operations]\n\"GET /readings\" = [\"telemetry:read\"]\n\n[apis.fleet]\naudience = \"fleet-api\"\nopenapi = [\"apis/fleet.yaml\"]\n\n[apis.ghost]\naudience = \"ghost-api\"\nopenapi = [\"ghost.yaml\"]\n",
    );
    h.t.write(
        "apis/fleet.yaml",
        "openapi: 3.0.3\ninfo: {title: fleet, version: '1'}\ncomponents:\n  securitySchemes:\n    oauth:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: https://id.example.com/token\n          scopes: {fleet:reboot: Reboot devices}\npaths:\n  /devices/{id}/reboot:\n    post:\n      security: [{oauth: [fleet:reboot]}]\n",
    );
    let c = h.t.commit("Ivy", "ivy@example.com", "Describe the APIs");
    // Written after the commit: a report at the revision must not read it.
    h.t.write(
        "apis/fleet.yaml",
        "openapi: 3.0.3\ninfo: {title: fleet, version: '2'}\npaths: {}\n",
    );
    h.t.tag("apis", c);
    let out = scopectl()
        .current_dir(h.t.root())
        .args([
            "report",
            "--at",
            "apis",
            "--format",
            "json",
            "--today",
            "2026-11-25",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let apis = v["apis"].as_array().unwrap();
    let t = apis.iter().find(|a| a["name"] == "telemetry").unwrap();
    assert_eq!(t["audience"], "telemetry-api");
    assert_eq!(t["scopes"][0]["scope"], "telemetry:read");
    assert_eq!(
        t["scopes"][0]["clients"],
        serde_json::json!(["fleet-ops", "sensor-node"])
    );
    let f = apis.iter().find(|a| a["name"] == "fleet").unwrap();
    assert_eq!(f["openapi_read"], true, "{f:#}");
    assert_eq!(f["operations"], 1, "{f:#}");
    assert_eq!(f["scopes"][0]["scope"], "fleet:reboot", "{f:#}");
    let g = apis.iter().find(|a| a["name"] == "ghost").unwrap();
    assert_eq!(g["openapi_read"], false, "{g:#}");
    assert!(
        g["openapi_unread"]
            .to_string()
            .contains("does not exist at commit"),
        "{g:#}"
    );
    let md = String::from_utf8(
        scopectl()
            .current_dir(h.t.root())
            .args(["report", "--at", "apis", "--today", "2026-11-25"])
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(
        md.contains("| telemetry | telemetry-api | team-iot | 1 | telemetry:read | fleet-ops, sensor-node |"),
        "{md}"
    );
    assert!(md.contains("(OpenAPI files not read: "), "{md}");
}
