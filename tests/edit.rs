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
    assert!(out.contains("git commit -m 'Grant orders:refund to support: Agents refund damaged orders (SUP-9)' -- "), "{out}");
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

/// The suggested `git add … && git commit …` line, pasted into `sh`, gives git exactly
/// the commit message and the file paths: `$(…)`, backquotes, `$VAR`, quotes and line
/// breaks in the reason, and spaces, `$` and `'` in the registry's path, are not run,
/// expanded or split.
#[cfg(unix)]
#[test]
fn the_suggested_commit_command_is_quoted_for_sh() {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("my regs $(touch pwned-path) it's");
    common::write(&root, "scopes/s.toml", SCOPES.as_bytes());
    common::write(&root, "clients/support.toml", CLIENT.as_bytes());
    let bin = base.path().join("bin");
    common::write(
        &bin,
        "git",
        b"#!/bin/sh\nprintf '%s\\0' \"$@\" >> \"$GIT_ARGS\"\nprintf '\\036' >> \"$GIT_ARGS\"\n",
    );
    std::fs::set_permissions(bin.join("git"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let why = "Agents amend orders $(touch pwned) `touch pwned2` $HOME \"it's\" \\ ${x:-y}\nsecond line; exit 7 (SUP-9)";
    let out = scopectl()
        .args(["grant", "support", "orders:refund", "--why", why])
        .args(["--approved-by", "ana@example.com"])
        .args(["--today", "2026-11-25", "--registry"])
        .arg(&root)
        .output()
        .expect("run");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .split_once("commit it with: ")
        .map(|(_, l)| l.strip_suffix('\n').unwrap_or(l))
        .unwrap_or_else(|| panic!("no command: {stdout}"));
    let log = base.path().join("git-args");
    let path = std::env::var("PATH").unwrap_or_default();
    let sh = std::process::Command::new("sh")
        .args(["-c", line])
        .current_dir(base.path())
        .env("PATH", format!("{}:{path}", bin.display()))
        .env("GIT_ARGS", &log)
        .output()
        .expect("sh");
    assert!(sh.status.success(), "{line}\n{sh:?}");
    let calls: Vec<Vec<String>> = std::fs::read_to_string(&log)
        .unwrap()
        .split_terminator('\x1e')
        .map(|call| {
            call.split_terminator('\0')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let file = root.join("clients/support.toml").display().to_string();
    let message = format!("Grant orders:refund to support: {why}");
    assert_eq!(
        calls,
        [
            vec!["add".to_string(), "--".into(), file.clone()],
            vec!["commit".into(), "-m".into(), message, "--".into(), file],
        ],
        "{line}"
    );
    for made in ["pwned", "pwned2", "pwned-path"] {
        assert!(!base.path().join(made).exists(), "{made}: {line}");
    }
}

/// Runs the same edits on a registry with `\n` files and one with the same files in
/// `\r\n`: the CRLF files must come out as the LF ones with `\r\n` (so every original
/// line keeps its bytes and every new line ends in `\r\n`).
#[test]
fn edits_keep_the_line_endings_of_a_crlf_file() {
    let crlf = |t: &str| t.replace('\n', "\r\n");
    let lf_reg = reg();
    let crlf_reg = Reg::new(&[
        ("scopes/s.toml", &crlf(SCOPES)),
        ("clients/support.toml", &crlf(CLIENT)),
    ]);
    let steps: &[&[&str]] = &[
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
        ],
        &[
            "renew",
            "support",
            "orders:read",
            "--approved-by",
            "ana@example.com",
            "--for",
            "90d",
        ],
        &[
            "scope",
            "add",
            "orders:cancel",
            "--description",
            "Cancel an order",
            "--owner",
            "team-shop",
            "--sensitivity",
            "medium",
            "--file",
            "s",
        ],
        &[
            "scope",
            "deprecate",
            "orders:cancel",
            "--replaced-by",
            "orders:refund",
        ],
        &["review", "start", "q4"],
        &[
            "review",
            "decide",
            "q4",
            "support",
            "orders:read",
            "keep",
            "--by",
            "pam@example.com",
            "--for",
            "30d",
        ],
        &["review", "close", "q4", "--default", "keep"],
        &[
            "revoke",
            "support",
            "orders:refund",
            "--why",
            "Refunds moved to the finance console (SUP-12)",
            "--log",
        ],
    ];
    for step in steps {
        for r in [&lf_reg, &crlf_reg] {
            let (code, out) = run(r, step);
            assert_eq!(code, 0, "{step:?}: {out}");
        }
        for f in ["clients/support.toml", "scopes/s.toml"] {
            let lf = std::fs::read_to_string(lf_reg.path().join(f)).unwrap();
            let got = std::fs::read_to_string(crlf_reg.path().join(f)).unwrap();
            assert_eq!(got, crlf(&lf), "{step:?}: {f}");
        }
    }
    // The edits did reach both files, and the client file's first lines are as they were.
    let client = std::fs::read_to_string(crlf_reg.path().join("clients/support.toml")).unwrap();
    assert!(client.starts_with("# The support console (SUP-1)\r\n[client]\r\nid    = \"support\"   # the client_id\r\nowner = \"team-support\"\r\n\r\n# read access for agents\r\n[[grants]]\r\nscope = \"orders:read\"\r\n  justification = 'Agents look up orders (SUP-2)'\r\n"), "{client:?}");
    assert!(client.contains("expires     = 2026-12-25 # renew in spring\r\nreviewed_on = 2026-11-25\r\nreviewed_by = \"pam@example.com\"\r\n"), "{client:?}");
    assert!(!client.contains("orders:refund"), "{client:?}");
    let scopes = std::fs::read_to_string(crlf_reg.path().join("scopes/s.toml")).unwrap();
    assert!(scopes.starts_with(&crlf(SCOPES)), "{scopes:?}");
    assert!(
        scopes.contains("deprecated = true\r\nreplaced_by = \"orders:refund\"\r\n"),
        "{scopes:?}"
    );
}

/// A reason with a line break written into a CRLF file stays one `\r\n` line (a
/// multi-line string would take the `\r` into the value) and reads back as given.
#[test]
fn a_line_break_in_a_new_value_of_a_crlf_file_is_escaped() {
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPES),
        ("clients/support.toml", &CLIENT.replace('\n', "\r\n")),
    ]);
    let why = "Agents refund damaged orders\nand late ones (SUP-9)";
    let (code, out) = run(
        &reg,
        &[
            "grant",
            "support",
            "orders:refund",
            "--why",
            why,
            "--approved-by",
            "ana@example.com",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let after = file(&reg);
    assert!(
        after.split_inclusive('\n').all(|l| l.ends_with("\r\n")),
        "{after:?}"
    );
    assert!(
        after.starts_with(
            &CLIENT
                .replace('\n', "\r\n")
                .replace("\r\n# trailing comment\r\n", "")
        ),
        "{after:?}"
    );
    let doc: toml_edit::DocumentMut = after.parse().unwrap();
    assert_eq!(doc["grants"][1]["justification"].as_str(), Some(why));
}

#[test]
fn deprecate_counts_the_clients_that_still_hold_the_scope() {
    let reg = reg();
    let (code, out) = run(&reg, &["scope", "deprecate", "orders:read"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("deprecate `orders:read` (1 client still holds it)"),
        "{out}"
    );
    let (code, out) = run(&reg, &["scope", "deprecate", "orders:refund"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("deprecate `orders:refund` (0 clients still hold it)"),
        "{out}"
    );
}

/// QA: `grant` on a client file that starts with a UTF-8 byte order mark (as some Windows
/// editors save) dropped the mark. Every edit keeps it, in LF and CRLF files: the file
/// comes out as the same edit of the file without the mark, with the mark in front.
#[test]
fn edits_keep_a_byte_order_mark() {
    const BOM: &str = "\u{FEFF}";
    let steps: &[&[&str]] = &[
        &[
            "grant",
            "support",
            "orders:refund",
            "--why",
            "Agents refund damaged orders (SUP-9)",
            "--approved-by",
            "ana@example.com",
        ],
        &[
            "renew",
            "support",
            "orders:read",
            "--approved-by",
            "ana@example.com",
            "--for",
            "90d",
        ],
        &[
            "scope",
            "add",
            "orders:cancel",
            "--description",
            "Cancel an order",
            "--owner",
            "team-shop",
            "--sensitivity",
            "medium",
            "--file",
            "s",
        ],
        &[
            "revoke",
            "support",
            "orders:refund",
            "--why",
            "Refunds moved to the finance console (SUP-12)",
        ],
    ];
    for eol in ["\n", "\r\n"] {
        let (client, scopes) = (CLIENT.replace('\n', eol), SCOPES.replace('\n', eol));
        let plain = Reg::new(&[
            ("scopes/s.toml", &scopes),
            ("clients/support.toml", &client),
        ]);
        let marked = Reg::new(&[
            ("scopes/s.toml", &format!("{BOM}{scopes}")),
            ("clients/support.toml", &format!("{BOM}{client}")),
        ]);
        for step in steps {
            for r in [&plain, &marked] {
                let (code, out) = run(r, step);
                assert_eq!(code, 0, "{eol:?} {step:?}: {out}");
            }
            for f in ["clients/support.toml", "scopes/s.toml"] {
                let want = std::fs::read_to_string(plain.path().join(f)).unwrap();
                let got = std::fs::read_to_string(marked.path().join(f)).unwrap();
                assert_eq!(got, format!("{BOM}{want}"), "{eol:?} {step:?}: {f}");
            }
        }
        let client = std::fs::read_to_string(marked.path().join("clients/support.toml")).unwrap();
        assert!(
            client.contains("expires     = 2027-02-23 # renew in spring"),
            "{client:?}"
        );
        // The marked registry still loads and lints as the plain one.
        assert_eq!(marked.lint_json(), plain.lint_json(), "{eol:?}");
    }
}

/// A refused edit of a CRLF file with a multi-line string shows its findings where they
/// are: the registry checked with the edited file points into the text it parsed (its
/// line breaks read as `\n`), not into the file's bytes.
#[test]
fn a_refused_edit_of_a_crlf_file_points_at_the_right_line() {
    let client = CLIENT.replace(
        "owner = \"team-support\"\n",
        "owner = \"team-support\"\ndescription = \"\"\"\nThe console\nthe agents use\"\"\"\n",
    );
    let grant: &[&str] = &[
        "grant",
        "support",
        "orders:refund",
        "--why",
        "tbd",
        "--approved-by",
        "ana@example.com",
        "--color",
        "never",
    ];
    let mut outs = Vec::new();
    for eol in ["\n", "\r\n"] {
        let text = client.replace('\n', eol);
        let reg = Reg::new(&[("scopes/s.toml", SCOPES), ("clients/support.toml", &text)]);
        let (code, out) = run(&reg, grant);
        assert_eq!(code, 1, "{eol:?}: {out}");
        assert!(out.contains("clients/support.toml:19:17"), "{eol:?}: {out}");
        assert!(
            out.contains("19 │ justification = \"tbd\""),
            "{eol:?}: {out}"
        );
        assert_eq!(file(&reg), text, "nothing written");
        outs.push(out);
    }
    assert_eq!(outs[0], outs[1]);
}
