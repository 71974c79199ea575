//! `scopectl expiring`: grants that expire within a window, grouped by owner.

mod common;

use common::{scopectl, Reg};

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

fn grant(scope: &str, expires: &str) -> String {
    format!("\n[[grants]]\nscope = \"{scope}\"\njustification = \"Needed for support (SUP-1)\"\napproved_by = \"sam@example.com\"\napproved_on = 2026-10-01\nexpires = {expires}\n")
}

fn registry() -> Reg {
    Reg::new(&[
        (
            "scopectl.toml",
            "[teams.team-shop]\nmembers = [\"a@example.com\"]\nhandle = \"@acme/shop\"\n",
        ),
        ("scopes/s.toml", SCOPES),
        (
            "clients/support.toml",
            &format!(
                "[client]\nid = \"support\"\nowner = \"team-support\"\n{}{}",
                grant("orders:read", "2026-11-20"),
                grant("payments:refund", "2026-12-10")
            ),
        ),
        (
            "clients/shop.toml",
            &format!(
                "[client]\nid = \"shop\"\n{}",
                grant("orders:read", "2027-06-01")
            ),
        ),
    ])
}

fn run(reg: &Reg, args: &[&str]) -> (i32, String) {
    let out = scopectl()
        .arg("expiring")
        .arg(reg.path())
        .args(["--today", "2026-11-25"])
        .args(args)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn lists_expired_and_expiring_grants_by_owner() {
    let reg = registry();
    let (code, text) = run(&reg, &["--within", "30d", "--format", "json"]);
    assert_eq!(code, 0, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["count"], 2);
    assert_eq!(v["until"], "2026-12-25");
    let grants = v["grants"].as_array().unwrap();
    assert_eq!(grants[0]["scope"], "orders:read");
    assert_eq!(grants[0]["status"], "expired");
    assert_eq!(grants[0]["days_left"], -5);
    assert_eq!(grants[0]["file"], "clients/support.toml:5");
    assert_eq!(grants[1]["scope"], "payments:refund");
    assert_eq!(grants[1]["status"], "expiring");
    let owners: Vec<(&str, Vec<u64>, Vec<u64>)> = v["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let idx = |k: &str| -> Vec<u64> {
                o[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_u64().unwrap())
                    .collect()
            };
            (
                o["owner"].as_str().unwrap(),
                idx("client_owner_of"),
                idx("scope_owner_of"),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("team-payments", vec![], vec![1]),
            ("team-shop", vec![], vec![0]),
            ("team-support", vec![0, 1], vec![]),
        ]
    );
    assert_eq!(v["owners"][1]["handle"], "@acme/shop");
    // A longer window reaches the shop's grant, whose client has no owner.
    let (_, text) = run(&reg, &["--within", "1y", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["count"], 3);
    assert_eq!(v["unowned"], serde_json::json!([2]));

    let (code, md) = run(&reg, &["--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains("### team-support: renew (owner of the client)"),
        "{md}"
    );
    assert!(
        md.contains("| support | orders:read | 2026-11-20 | expired 5 day(s) ago |"),
        "{md}"
    );
    let (code, table) = run(&reg, &[]);
    assert_eq!(code, 0);
    assert!(
        table.contains("2 grant(s) expired or expiring by 2026-12-25"),
        "{table}"
    );
}

#[test]
fn a_bad_window_or_registry_exits_2() {
    let reg = registry();
    let (code, text) = run(&reg, &["--within", "soon"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("`soon` is not a duration"), "{text}");
    reg.write("clients/bad.toml", b"[client\n");
    let (code, text) = run(&reg, &[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("clients/bad.toml"), "{text}");
}

/// A grant without `expires` never shows in the list: said on stderr, so that "0 grant(s)"
/// does not read as "nothing to renew" when some grants never expire (stdout stays the
/// document).
#[test]
fn grants_without_an_expiry_are_counted_not_silently_left_out() {
    let reg = registry();
    reg.write(
        "clients/forever.toml",
        b"[client]\nid = \"forever\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Needed for support (SUP-1)\"\napproved_by = \"sam@example.com\"\napproved_on = 2026-10-01\n",
    );
    let out = scopectl()
        .arg("expiring")
        .arg(reg.path())
        .args(["--today", "2026-11-25", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(v["count"], 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 grant(s) without `expires` are not listed"),
        "{err}"
    );
    let quiet = scopectl()
        .arg("expiring")
        .arg(reg.path())
        .args(["--today", "2026-11-25", "-q"])
        .output()
        .expect("run");
    assert!(quiet.stderr.is_empty());
}
