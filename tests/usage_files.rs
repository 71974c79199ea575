//! `usage collect` from files, as a careless user and as an attacker: empty files, a window
//! that ends in the future, `--out` that is not a regular file, a hostile snapshot merged
//! into, and a client that looks client-credentials-only because the other token event
//! types were not stored. No server needed.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{client_toml, scopectl, Registry};

const ALL_TYPES: &str = "CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN,TOKEN_EXCHANGE,LOGIN,OAUTH2_DEVICE_CODE_TO_TOKEN,AUTHREQID_TO_TOKEN";

/// 2026-08-15 09:00 UTC and 2026-11-20 09:00 UTC, in epoch milliseconds.
const AUG_15: i64 = 1_786_784_400_000;
const NOV_20: i64 = 1_795_165_200_000;

fn event(time: i64, client: &str, scope: &str) -> String {
    format!(
        "{{\"time\": {time}, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"{client}\", \"details\": {{\"grant_type\": \"client_credentials\", \"scope\": \"{scope}\"}}}}\n"
    )
}

/// `shop` (orders:read default, orders:write optional) and `batch` (reports:read, never
/// seen).
fn registry() -> Registry {
    let reg = Registry::new();
    reg.write(
        "scopes/s.toml",
        "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
         [scopes.\"orders:write\"]\ndescription = \"Write orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n\
         [scopes.\"reports:read\"]\ndescription = \"Read reports\"\nowner = \"team-a\"\nsensitivity = \"low\"\n",
    );
    reg.write(
        "clients/shop.toml",
        &client_toml(
            "shop",
            &[
                ("orders:read", "default", "2027-06-01"),
                ("orders:write", "optional", "2027-06-01"),
            ],
        ),
    );
    reg.write(
        "clients/batch.toml",
        &client_toml("batch", &[("reports:read", "default", "2027-06-01")]),
    );
    reg
}

fn collect(args: &[&str]) -> (i32, String) {
    let out = scopectl()
        .args(["usage", "collect"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// (code, client, scope) of each finding of `lint --usage`.
fn lint_usage(reg: &Path, snap: &Path) -> Vec<(String, String, String)> {
    let out = scopectl()
        .args([
            "lint",
            "--format",
            "json",
            "--today",
            "2026-11-30",
            "--usage",
        ])
        .arg(snap)
        .arg(reg)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["subject"]["client"].as_str().unwrap_or("").to_string(),
                d["subject"]["scope"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(f: &[(String, String, String)], code: &str, client: &str, scope: &str) -> bool {
    f.iter()
        .any(|(c, cl, s)| c == code && cl == client && s == scope)
}

#[test]
fn an_empty_file_is_an_error_not_an_empty_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("usage.json");
    for (flag, text) in [
        ("--from-events", ""),
        ("--from-events", "\n  \n\t\n"),
        ("--from-tokens", ""),
        ("--from-tokens", "\n\n"),
    ] {
        let file = dir.path().join("input");
        std::fs::write(&file, text).unwrap();
        let (code, out) = collect(
            &[
                flag,
                file.to_str().unwrap(),
                "--stored-types",
                ALL_TYPES,
                "--out",
                snap.to_str().unwrap(),
            ]
            .iter()
            .copied()
            .filter(|a| flag == "--from-events" || (*a != "--stored-types" && *a != ALL_TYPES))
            .collect::<Vec<_>>(),
        );
        assert_eq!(code, 2, "{flag} {text:?}: {out}");
        assert!(out.contains("is empty"), "{out}");
        assert!(!snap.exists(), "no snapshot written for an empty file");
    }
}

#[test]
fn a_window_ending_in_the_future_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, event(NOV_20, "shop", "orders:read")).unwrap();
    let snap = dir.path().join("usage.json");
    let until = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let (code, out) = collect(&[
        "--from-events",
        events.to_str().unwrap(),
        "--stored-types",
        ALL_TYPES,
        "--until",
        &until,
        "--out",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("in the future"), "{out}");
    assert!(!snap.exists());
}

/// A snapshot whose window runs past the moment it was collected (hand-edited, or written
/// by a scopectl that took a future `--until`): the part after `collected_at` is covered
/// by no evidence, so nothing is "unused" in it.
#[test]
fn no_grant_is_unused_in_a_window_after_the_collection() {
    let reg = registry();
    let events = reg.path().join("events.jsonl");
    std::fs::write(
        &events,
        event(AUG_15, "shop", "orders:read") + &event(NOV_20, "shop", "orders:read"),
    )
    .unwrap();
    let snap = reg.path().join("usage.json");
    let (code, out) = collect(&[
        "--from-events",
        events.to_str().unwrap(),
        "--stored-types",
        ALL_TYPES,
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-30",
        "--out",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    // Over the window collected, batch's grant is unused.
    assert!(has(
        &lint_usage(reg.path(), &snap),
        "usage/unused-grant",
        "batch",
        "reports:read"
    ));
    // The same evidence stretched to 2099: not evaluable.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    v["sources"][0]["collected_at"] = "2026-11-30T00:00:00Z".into();
    v["window"]["to"] = "2099-01-01T00:00:00Z".into();
    v["sources"][0]["window"]["to"] = "2099-01-01T00:00:00Z".into();
    std::fs::write(&snap, v.to_string()).unwrap();
    let f = lint_usage(reg.path(), &snap);
    assert!(
        !f.iter()
            .any(|(c, ..)| c == "usage/unused-grant" || c == "usage/unused-scope"),
        "{f:?}"
    );
    assert!(
        has(&f, "usage/not-evaluable", "batch", "reports:read"),
        "{f:?}"
    );
}

#[test]
fn the_snapshot_records_when_it_was_collected() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, event(NOV_20, "shop", "orders:read")).unwrap();
    let snap = dir.path().join("usage.json");
    let before = chrono::Utc::now();
    let (code, out) = collect(&[
        "--from-events",
        events.to_str().unwrap(),
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-30",
        "--out",
        snap.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let at: chrono::DateTime<chrono::Utc> = v["sources"][0]["collected_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        at >= before - chrono::Duration::seconds(1),
        "collected_at {at} is not the time of the collection ({before})"
    );
}

/// `--out` is replaced by a rename: a device, a FIFO, a folder or a symlink there must be
/// refused, not replaced (as root, `--out /dev/null` replaced the device with a file).
#[cfg(unix)]
#[test]
fn out_must_be_a_regular_file_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, event(NOV_20, "shop", "orders:read")).unwrap();
    let fifo = dir.path().join("fifo");
    let st = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(st.success());
    let target = dir.path().join("elsewhere.json");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    for (out_path, merge) in [
        (&fifo, false),
        (&link, false),
        (&folder, false),
        (&fifo, true),
    ] {
        let mut args = vec![
            "--from-events",
            events.to_str().unwrap(),
            "--out",
            out_path.to_str().unwrap(),
        ];
        if merge {
            args.push("--merge");
        }
        let (code, out) = collect(&args);
        assert_eq!(code, 2, "{}: {out}", out_path.display());
        assert!(out.contains("not a regular file"), "{out}");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(folder.is_dir());
}

/// Counts near u64::MAX in the file merged into: they saturate, no panic (exit 101).
#[test]
fn merging_into_a_snapshot_with_huge_counts_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, event(NOV_20, "shop", "orders:read")).unwrap();
    let snap = dir.path().join("usage.json");
    let args = [
        "--from-events",
        events.to_str().unwrap(),
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-30",
        "--out",
        snap.to_str().unwrap(),
    ];
    assert_eq!(collect(&args).0, 0);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    v["clients"]["shop"]["tokens"] = u64::MAX.into();
    v["clients"]["shop"]["scopes"]["orders:read"]["count"] = u64::MAX.into();
    std::fs::write(&snap, v.to_string()).unwrap();
    let (code, out) = collect(&[&args[..], &["--merge"]].concat());
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    assert_eq!(v["clients"]["shop"]["tokens"], u64::MAX);
    assert_eq!(
        v["clients"]["shop"]["scopes"]["orders:read"]["count"],
        u64::MAX
    );
}

/// Only CLIENT_LOGIN stored: every client looks client-credentials-only, since its
/// authorization-code or token-exchange tokens would not show. An optional scope it never
/// requested through client credentials may have been requested through those: not
/// evaluable, never "never requested" or "unused".
#[test]
fn client_login_alone_does_not_prove_a_client_uses_only_client_credentials() {
    let reg = registry();
    let events = reg.path().join("events.jsonl");
    std::fs::write(
        &events,
        event(AUG_15, "shop", "orders:read") + &event(NOV_20, "shop", "orders:read"),
    )
    .unwrap();
    let snap = reg.path().join("usage.json");
    let run = |types: &str| {
        let (code, out) = collect(&[
            "--from-events",
            events.to_str().unwrap(),
            "--stored-types",
            types,
            "--since",
            "2026-09-01",
            "--until",
            "2026-11-30",
            "--out",
            snap.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{out}");
        lint_usage(reg.path(), &snap)
    };
    let f = run("CLIENT_LOGIN");
    assert!(
        has(&f, "usage/not-evaluable", "shop", "orders:write"),
        "{f:?}"
    );
    assert!(
        !f.iter().any(|(c, ..)| c == "usage/optional-never-requested"
            || c == "usage/unused-grant"
            || c == "usage/unused-scope"),
        "{f:?}"
    );
    // Keycloak's default set (every token event type but REFRESH_TOKEN) would have shown
    // another grant: the client is client-credentials-only, and the claim holds.
    let f = run("CLIENT_LOGIN,CODE_TO_TOKEN,TOKEN_EXCHANGE,LOGIN,OAUTH2_DEVICE_CODE_TO_TOKEN,AUTHREQID_TO_TOKEN");
    assert!(
        has(&f, "usage/optional-never-requested", "shop", "orders:write"),
        "{f:?}"
    );
}
