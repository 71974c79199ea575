//! `scopectl report --framework …` (#20): one run maps the same evidence to ISO/IEC 27001,
//! NIST CSF 2.0 and SOC 2, against real repositories built with git2.

mod common;

use common::{history, scopectl, History};
use serde_json::Value;

/// `report --today 2026-11-25` with a fixed `SOURCE_DATE_EPOCH`, and `args`.
fn report(h: &History, args: &[&str]) -> String {
    let out = scopectl()
        .current_dir(h.t.root())
        .env("SOURCE_DATE_EPOCH", "1790812800")
        .args(["report", "--today", "2026-11-25"])
        .args(args)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn json(h: &History, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&report(h, &all)).unwrap()
}

const ALL: &[&str] = &["--framework", "iso27001,nist-csf-2", "--framework", "soc2"];

/// The diff history, then Frank (who approves nothing) has Grace re-approve what Bob and
/// Carol approved in their own commits: no gap anywhere.
fn clean() -> History {
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
    h
}

/// The diff history plus an expired grant of a client without owner, and a high scope
/// without step-up granted with the approval of the client's own owner.
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
    h.t.commit("Erin", "erin@example.com", "Payroll and orphan");
    h
}

fn framework<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no framework {id}:\n{v:#}"))
}

fn control<'a>(v: &'a Value, fw: &str, id: &str) -> &'a Value {
    framework(v, fw)["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {fw} {id}"))
}

fn statuses(v: &Value, fw: &str) -> Vec<(String, String)> {
    framework(v, fw)["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn gap_rules(c: &Value) -> Vec<String> {
    c["gap_details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn one_run_carries_all_three_frameworks_from_the_same_evidence() {
    let h = with_gaps();
    let v = json(&h, ALL);
    assert_eq!(v["version"], 1);
    let ids: Vec<&str> = v["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["iso27001", "nist-csf-2", "soc2"]);
    // `controls` stays the ISO mapping, equal to the ISO entry.
    assert_eq!(v["controls"], framework(&v, "iso27001")["controls"]);
    assert_eq!(
        statuses(&v, "iso27001"),
        pairs(&[
            ("5.15", "gaps"),
            ("5.18", "gaps"),
            ("8.2", "gaps"),
            ("5.3", "gaps")
        ])
    );
    assert_eq!(
        statuses(&v, "nist-csf-2"),
        pairs(&[
            ("PR.AA-01", "gaps"),
            ("PR.AA-03", "gaps"),
            ("PR.AA-05", "gaps"),
            ("DE.CM-03", "not-evaluable")
        ])
    );
    assert_eq!(
        statuses(&v, "soc2"),
        pairs(&[("CC6.1", "gaps"), ("CC6.2", "gaps"), ("CC6.3", "gaps")])
    );
    // The same findings, under each framework's controls.
    assert_eq!(
        gap_rules(control(&v, "nist-csf-2", "PR.AA-01")),
        ["client/no-owner"]
    );
    assert_eq!(
        gap_rules(control(&v, "nist-csf-2", "PR.AA-03")),
        ["scope/sensitive-without-step-up"]
    );
    assert_eq!(
        gap_rules(control(&v, "nist-csf-2", "PR.AA-05")),
        [
            "grant/missing-approval-date",
            "grant/expired",
            "grant/self-approval",
            "diff/self-approved-commit",
            "diff/self-approved-commit",
            "diff/self-approved-commit"
        ]
    );
    assert_eq!(
        gap_rules(control(&v, "soc2", "CC6.2")),
        ["grant/missing-approval-date", "grant/expired"]
    );
    assert_eq!(
        gap_rules(control(&v, "soc2", "CC6.3")),
        [
            "grant/self-approval",
            "diff/self-approved-commit",
            "diff/self-approved-commit",
            "diff/self-approved-commit"
        ]
    );
    let expired = &control(&v, "soc2", "CC6.2")["gaps"][1];
    assert_eq!(
        expired,
        "orphan → orders:read: expired on 2026-11-01 but still granted"
    );
    // Each framework's figures count its own rows.
    assert_eq!(framework(&v, "iso27001")["summary"]["gaps"], 8);
    assert_eq!(
        framework(&v, "iso27001")["summary"]["gaps"],
        v["summary"]["gaps"]
    );
    assert_eq!(framework(&v, "nist-csf-2")["summary"]["gaps"], 8);
    assert_eq!(framework(&v, "nist-csf-2")["summary"]["not_evaluable"], 1);
    assert_eq!(framework(&v, "soc2")["summary"]["gaps"], 8);
    assert_eq!(framework(&v, "soc2")["summary"]["met"], 0);

    // Markdown and HTML show every framework.
    let md = report(&h, ALL);
    for line in [
        "## ISO/IEC 27001:2022 Annex A",
        "## NIST CSF 2.0",
        "## SOC 2 Trust Services Criteria 2017 (rev. 2022)",
        "| PR.AA-05 | Access permissions, least privilege, separation of duties | **gaps** | 6 |",
        "| DE.CM-03 | Personnel activity and technology usage monitored | **not evaluable** | 0 |",
        "- DE.CM-03 is **not evaluable**: no evidence of how access is used",
        "### Gaps for CC6.2 (Registration, authorization and removal of access): 2",
        "| CC6.2 | `grant/expired` | orphan → orders:read | expired on 2026-11-01 but still granted |",
        "8 gap(s) and 0 accepted risk(s) against NIST CSF 2.0 (PR.AA-01 1, PR.AA-03 1, PR.AA-05 6, DE.CM-03 0); 0 of 4 control(s) met, 0 partial, 1 not evaluable.",
    ] {
        assert!(md.contains(line), "missing {line}:\n{md}");
    }
    let html = report(&h, &[ALL, &["--format", "html"]].concat());
    for part in [
        "<section id=\"annex-a\">",
        "<section id=\"nist-csf-2\">",
        "<section id=\"soc2\">",
        "<table class=\"gaps\" data-control=\"CC6.3\">",
        "<td class=\"not-evaluable\">not-evaluable</td>",
    ] {
        assert!(html.contains(part), "missing {part}:\n{html}");
    }
}

#[test]
fn a_clean_registry_meets_what_it_can_show_and_never_what_needs_missing_evidence() {
    let h = clean();
    let v = json(&h, ALL);
    // Without a closed review campaign under a review_interval, the periodic-review part
    // of each framework's access-rights control is not evidenced: partial, never met.
    assert_eq!(
        statuses(&v, "iso27001"),
        pairs(&[
            ("5.15", "met"),
            ("5.18", "partial"),
            ("8.2", "met"),
            ("5.3", "met")
        ])
    );
    assert_eq!(
        statuses(&v, "nist-csf-2"),
        pairs(&[
            ("PR.AA-01", "met"),
            ("PR.AA-03", "met"),
            ("PR.AA-05", "partial"),
            ("DE.CM-03", "not-evaluable")
        ])
    );
    assert_eq!(
        statuses(&v, "soc2"),
        pairs(&[("CC6.1", "met"), ("CC6.2", "met"), ("CC6.3", "partial")])
    );
    // The reason says what is missing.
    for (fw, id) in [
        ("iso27001", "5.18"),
        ("nist-csf-2", "PR.AA-05"),
        ("soc2", "CC6.3"),
    ] {
        let c = control(&v, fw, id);
        let reason = c["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("no access-review campaign is recorded under reviews/"),
            "{c:#}"
        );
        assert_eq!(c["gap_details"].as_array().unwrap().len(), 0);
        assert!(
            c["evidence"]
                .as_str()
                .unwrap()
                .contains("0 access-review campaign(s), 0 closed"),
            "{c:#}"
        );
    }
    let usage = control(&v, "nist-csf-2", "DE.CM-03");
    assert!(
        usage["reason"]
            .as_str()
            .unwrap()
            .starts_with("no evidence of how access is used: no usage snapshot was given"),
        "{usage:#}"
    );
    let met = control(&v, "soc2", "CC6.1");
    assert!(met["reason"].is_null(), "{met:#}");
    assert_eq!(
        met["evidence"],
        "5 scope(s) defined, 3 client(s), 1 privileged grant(s) to 1 client(s)"
    );
    assert_eq!(framework(&v, "soc2")["summary"]["met"], 2);

    // A closed campaign under a review_interval: the review controls are met too; usage
    // (DE.CM-03) stays not evaluable.
    let policy = std::fs::read_to_string(h.t.registry().join("scopectl.toml")).unwrap();
    h.t.write(
        "scopectl.toml",
        &(policy + "\n[policy.review_interval]\ncritical = \"180d\"\n"),
    );
    h.t.write(
        "reviews/2026-q3.toml",
        "[review]\nstarted_on = 2026-11-01\ndue = 2026-11-20\nclosed_on = 2026-11-19\ndefault = \"revoke\"\n\n[[entries]]\nclient = \"fleet-ops\"\nscope = \"system:reboot\"\ndecision = \"keep\"\ndecided_by = \"grace@example.com\"\noutcome = \"kept\"\n",
    );
    h.t.commit("Frank", "frank@example.com", "Q3 access review (SEC-13)");
    let v = json(&h, ALL);
    assert!(
        statuses(&v, "iso27001").iter().all(|(_, s)| s == "met"),
        "{v:#}"
    );
    assert_eq!(control(&v, "nist-csf-2", "PR.AA-05")["status"], "met");
    assert_eq!(control(&v, "soc2", "CC6.3")["status"], "met");
    assert_eq!(
        control(&v, "nist-csf-2", "DE.CM-03")["status"],
        "not-evaluable"
    );

    // Without the history, four-eyes is partial in every framework.
    let v = json(&h, &[ALL, &["--no-history"]].concat());
    assert_eq!(control(&v, "iso27001", "5.3")["status"], "partial");
    assert_eq!(control(&v, "nist-csf-2", "PR.AA-05")["status"], "partial");
    assert_eq!(control(&v, "soc2", "CC6.3")["status"], "partial");
}

#[test]
fn an_accepted_risk_is_listed_under_each_frameworks_control_and_is_never_met() {
    let h = clean();
    // A client without owner, accepted as a risk by an exception.
    let policy = std::fs::read_to_string(h.t.registry().join("scopectl.toml")).unwrap();
    h.t.write(
        "scopectl.toml",
        &format!("{policy}\n[[exceptions]]\nrule = \"client/no-owner\"\nclient = \"batch\"\nreason = \"Owner being hired (SEC-30)\"\napproved_by = \"sam@example.com\"\napproved_on = 2026-11-20\nexpires = 2027-01-31\n"),
    );
    h.t.write(
        "clients/batch.toml",
        "[client]\nid = \"batch\"\n\n[[grants]]\nscope = \"telemetry:read\"\njustification = \"Nightly export (DATA-4)\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-11-20\nexpires = 2027-05-20\n",
    );
    h.t.commit("Frank", "frank@example.com", "Batch export (DATA-4)");
    let v = json(&h, ALL);
    for (fw, id) in [
        ("iso27001", "5.15"),
        ("nist-csf-2", "PR.AA-01"),
        ("soc2", "CC6.1"),
    ] {
        let c = control(&v, fw, id);
        assert_eq!(c["status"], "risk-accepted", "{fw} {c:#}");
        assert!(
            c["reason"].as_str().unwrap().starts_with(
                "1 finding(s) accepted as risks by exceptions (the first expires 2027-01-31)"
            ),
            "{c:#}"
        );
        let risks = c["accepted_risks"].as_array().unwrap();
        assert_eq!(risks.len(), 1, "{c:#}");
        assert_eq!(risks[0]["rule"], "client/no-owner");
        assert_eq!(risks[0]["subject"], "client batch");
        assert_eq!(risks[0]["accepted"]["approved_by"], "sam@example.com");
        assert_eq!(c["gap_details"].as_array().unwrap().len(), 0);
        assert_eq!(framework(&v, fw)["summary"]["accepted_risks"], 1);
    }
    let md = report(&h, ALL);
    assert!(
        md.contains("### Accepted risks for PR.AA-01 (Identities and credentials managed): 1"),
        "{md}"
    );
    assert!(
        md.contains("0 gap(s) and 1 accepted risk(s) against SOC 2 Trust Services Criteria 2017 (rev. 2022)"),
        "{md}"
    );
}

#[test]
fn without_framework_the_report_is_the_iso_report() {
    let h = with_gaps();
    let default_md = report(&h, &[]);
    assert_eq!(default_md, report(&h, &["--framework", "iso27001"]));
    assert!(default_md.contains("## ISO/IEC 27001:2022 Annex A"));
    assert!(!default_md.contains("NIST"), "{default_md}");
    assert!(!default_md.contains("SOC 2"), "{default_md}");
    // The summary says how many controls are met, partial and not evaluable: the rows
    // of the framework's table (a partial control has no gap row of its own).
    let iso = json(&h, &[]);
    let fs = &framework(&iso, "iso27001")["summary"];
    let n = |k: &str| fs[k].as_u64().unwrap();
    assert_eq!(
        n("met") + n("partial") + n("not_evaluable") + controls_with("gaps", &iso),
        n("controls"),
        "{fs:#}"
    );
    let expected = format!(
        "8 gap(s) against Annex A (5.15 1, 5.18 2, 8.2 1, 5.3 4); {} of {} control(s) met, {} partial, {} not evaluable; under 5.3, 1 grant(s) approved by their client's owner and 3 committed by their own approver. 0 finding(s) accepted as risks. Lint as of",
        n("met"),
        n("controls"),
        n("partial"),
        n("not_evaluable")
    );
    assert!(default_md.contains(&expected), "{expected}\n{default_md}");
    let html = report(&h, &["--format", "html"]);
    assert_eq!(
        html,
        report(&h, &["--format", "html", "--framework", "iso27001"])
    );
    assert!(!html.contains("nist-csf-2"));
    let v = json(&h, &[]);
    let ids: Vec<&str> = v["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["iso27001"]);
    assert_eq!(v["controls"], framework(&v, "iso27001")["controls"]);
    assert_eq!(v["version"], 1);
    // Asking only for another framework leaves `controls` the ISO mapping (the contract of
    // version 1), and shows only that framework.
    let v = json(&h, &["--framework", "soc2"]);
    assert_eq!(v["controls"], json(&h, &[])["controls"]);
    let ids: Vec<&str> = v["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["soc2"]);
    let md = report(&h, &["--framework", "soc2"]);
    assert!(!md.contains("## ISO/IEC 27001:2022 Annex A"), "{md}");
    assert!(!md.contains("against Annex A"), "{md}");
    assert!(md.contains("## SOC 2 Trust Services Criteria"), "{md}");
}

#[test]
fn frameworks_keep_the_order_given_once_each_and_an_unknown_one_is_refused() {
    let h = clean();
    let v = json(
        &h,
        &["--framework", "soc2,nist-csf-2", "--framework", "soc2"],
    );
    let ids: Vec<&str> = v["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["soc2", "nist-csf-2"]);
    let out = scopectl()
        .current_dir(h.t.root())
        .args(["report", "--framework", "pci-dss"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("iso27001, nist-csf-2, soc2"), "{err}");
}

/// How many of the ISO controls have `status`.
fn controls_with(status: &str, v: &Value) -> u64 {
    framework(v, "iso27001")["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == status)
        .count() as u64
}
