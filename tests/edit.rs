//! `scopectl grant | renew | revoke`: format-preserving edits of a client file, refused
//! when the registry would fail lint because of them, written atomically.

mod common;

use common::{scopectl, Reg};

const SCOPES: &str = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."orders:refund"]
description = "Refund an order"
owner = "team-shop"
sensitivity = "high"
step_up = true
max_grant = "30d"
"#;

/// A client file with comments, odd spacing and key order a person would leave.
const CLIENT: &str = "# The support console (SUP-1)\n[client]\nid    = \"support\"   # the client_id\nowner = \"team-support\"\n\n# read access for agents\n[[grants]]\nscope = \"orders:read\"\n  justification = 'Agents look up orders (SUP-2)'\napproved_by = \"sam@example.com\"\napproved_on = 2026-10-01\nexpires     = 2027-03-01 # renew in spring\n\n# trailing comment\n";

fn reg() -> Reg {
    Reg::new(&[("scopes/s.toml", SCOPES), ("clients/support.toml", CLIENT)])
}

fn run(reg: &Reg, args: &[&str]) -> (i32, String) {
    let out = scopectl()
        .args(args)
        .args(["--today", "2026-11-25", "--registry"])
        .arg(reg.path())
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn file(reg: &Reg) -> String {
    std::fs::read_to_string(reg.path().join("clients/support.toml")).unwrap()
}

#[test]
fn grant_appends_an_entry_and_keeps_every_other_byte() {
    let reg = reg();
    let (code, out) = run(
        &reg,
        &[
            "grant",
            "support",
            "orders:refund",
            "--why",
            "Agents refund damaged orders (SUP-9)",
            "--approved-by",
            "ana@example.com",
            "--ticket",
            "SUP-9",
            "--optional",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("grant `orders:refund` to `support` until 2026-12-25"),
        "{out}"
    );
    assert!(out.contains("git commit -m \"Grant orders:refund to support: Agents refund damaged orders (SUP-9)\""), "{out}");
    let after = file(&reg);
    // Everything before is kept byte for byte; the trailing comment stays last.
    let body = CLIENT.trim_end_matches("\n# trailing comment\n");
    assert!(after.starts_with(body), "{after}");
    assert!(after.ends_with("\n# trailing comment\n"), "{after}");
    assert!(after.contains("[[grants]]\nscope = \"orders:refund\"\njustification = \"Agents refund damaged orders (SUP-9)\"\napproved_by = \"ana@example.com\"\napproved_on = 2026-11-25\nexpires = 2026-12-25\ntype = \"optional\"\nticket = \"SUP-9\"\n"), "{after}");
    // The registry still lints clean.
    let (code, out) = (reg.lint_json().0, String::new());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn renew_changes_only_the_approval_lines() {
    let reg = reg();
    let (code, out) = run(
        &reg,
        &[
            "renew",
            "support",
            "orders:read",
            "--approved-by",
            "ana@example.com",
            "--for",
            "90d",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let after = file(&reg);
    let changed: Vec<(&str, &str)> = CLIENT
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        [
            (
                "approved_by = \"sam@example.com\"",
                "approved_by = \"ana@example.com\""
            ),
            ("approved_on = 2026-10-01", "approved_on = 2026-11-25"),
            (
                "expires     = 2027-03-01 # renew in spring",
                "expires     = 2027-02-23 # renew in spring"
            ),
        ],
        "{after}"
    );
}

#[test]
fn revoke_removes_the_entry_and_says_why_in_the_commit_message() {
    let reg = reg();
    let (code, out) = run(
        &reg,
        &[
            "revoke",
            "support",
            "orders:read",
            "--why",
            "Agents moved to the new console (SUP-12)",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Revoke orders:read from support: Agents moved to the new console (SUP-12)"),
        "{out}"
    );
    let after = file(&reg);
    assert!(!after.contains("orders:read"), "{after}");
    assert!(after.starts_with("# The support console (SUP-1)\n[client]\nid    = \"support\"   # the client_id\nowner = \"team-support\"\n"), "{after}");
}

#[test]
fn a_change_that_would_fail_lint_or_policy_is_refused_and_nothing_is_written() {
    let reg = reg();
    // A placeholder justification: a new failing finding.
    let (code, out) = run(
        &reg,
        &[
            "grant",
            "support",
            "orders:refund",
            // The TOML field's name works as well as `--why`.
            "--justification",
            "tbd",
            "--approved-by",
            "ana@example.com",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("grant/weak-justification"), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(file(&reg), CLIENT);
    // Longer than the scope's max_grant.
    let (code, out) = run(
        &reg,
        &[
            "grant",
            "support",
            "orders:refund",
            "--why",
            "Agents refund orders (SUP-9)",
            "--approved-by",
            "ana@example.com",
            "--for",
            "60d",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("later than `orders:refund`'s max_grant allows: at most 30d"),
        "{out}"
    );
    // Unknown client and scope.
    let (code, out) = run(&reg, &["revoke", "suport", "orders:read", "--why", "x"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("did you mean `support`?"), "{out}");
    let (code, out) = run(
        &reg,
        &[
            "grant",
            "support",
            "orders:write",
            "--why",
            "Agents edit orders (SUP-3)",
            "--approved-by",
            "ana@example.com",
        ],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no scope `orders:write` is defined"), "{out}");
    assert_eq!(file(&reg), CLIENT);
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let reg = reg();
    let (code, out) = run(
        &reg,
        &[
            "revoke",
            "support",
            "orders:read",
            "--why",
            "Not needed (SUP-4)",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("--- a/clients/support.toml"), "{out}");
    assert!(out.contains("-scope = \"orders:read\""), "{out}");
    assert_eq!(file(&reg), CLIENT);
}

/// Re-parsing only the edited files gives the same registry, as lint sees it, as loading
/// everything again; a change the shortcut cannot judge (a duplicate client id) is left to
/// the full load.
#[test]
fn reloading_only_the_edited_files_lints_like_a_full_load() {
    use scopectl::registry::{source, Registry, Source};
    let root = common::example_registry();
    let sources = source::read_dir(&root).unwrap();
    let rel = "clients/sensor-node-01.toml";
    let text = std::fs::read_to_string(root.join(rel)).unwrap()
        + "\n[[grants]]\nscope = \"telemetry:raed\"\njustification = \"x\"\napproved_by = \"lgtm\"\napproved_on = 2026-11-01\nexpires = 2030-01-01\n";
    let new_client = ("clients/zz-new.toml".to_string(), "[client]\nid = \"zz-new\"\nowner = \"team-iot\"\n\n[[grants]]\nscope = \"telemetry:read\"\njustification = \"Reads sensor data (IOT-1)\"\napproved_by = \"dave@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-01-01\n".to_string());
    let changed = vec![(rel.to_string(), text.clone()), new_client.clone()];
    let mut edited: Vec<Source> = sources.iter().filter(|s| s.path != rel).cloned().collect();
    for (p, t) in &changed {
        edited.push(Source {
            path: p.clone(),
            bytes: Ok(t.clone().into_bytes()),
        });
    }
    let full = Registry::load(edited);
    assert!(full.is_ok());
    let before = Registry::load(sources.clone()).registry;
    let quick = before
        .with_files(&changed)
        .expect("client files can be reloaded alone");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let seen = |reg: &Registry| {
        let mut v: Vec<String> = scopectl::lint::check(reg, today)
            .iter()
            .map(|f| {
                let at = f
                    .file()
                    .map(|id| reg.files.name(id).to_string())
                    .unwrap_or_default();
                format!("{} {at} {:?} {}", f.rule.id(), f.subject, f.message)
            })
            .collect();
        v.sort();
        v
    };
    let (a, b) = (seen(&full.registry), seen(&quick));
    assert!(
        a.iter().any(|l| l.contains("grant/undefined-scope")),
        "{a:#?}"
    );
    assert_eq!(a, b);
    // The same client id in a second file: only a full load can say where both are.
    let twin = vec![(
        "clients/twin.toml".to_string(),
        "[client]\nid = \"sensor-node-01\"\nowner = \"team-iot\"\n".to_string(),
    )];
    assert!(Registry::load(sources).registry.with_files(&twin).is_none());
}
