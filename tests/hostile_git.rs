//! Hostile repositories: names, messages and objects a pull request controls.
//!
//! - A file name (or a commit message) with a newline, `%`, `:`, `,` or `::` cannot
//!   inject a GitHub Actions workflow command (a line starting with `::`, after leading
//!   whitespace, as the runner reads it) into any output of `lint`, `diff`, `log` or
//!   `report`, and cannot break the properties of `lint --format github` annotations.

mod common;

use common::{scopectl, TestRepo};

const POLICY: &str = "";
const SCOPES: &str = "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-a\"\nsensitivity = \"low\"\n";

/// A client file with one grant; `approved` false leaves out the approver (a lint error
/// on this file, so `lint` annotates it).
fn client(id: &str, approved: bool) -> String {
    format!(
        "[client]\nid = \"{id}\"\nowner = \"team-b\"\ndescription = \"x\"\n\n[[grants]]\nscope = \"orders:read\"\n\
         justification = \"needed (T-1)\"\n{}approved_on = 2026-09-01\nexpires = 2027-05-01\n",
        if approved {
            "approved_by = \"x@example.com\"\n"
        } else {
            ""
        }
    )
}

/// Names a pull request could give its files.
const HOSTILE_NAMES: &[&str] = &[
    "clients/a\n::error::pwned.toml",
    "clients/b\r\n::add-mask::hidden.toml",
    "clients/c%0A::warning::pct.toml",
    "clients/d:e,f::g.toml",
    "clients/::notice::start.toml",
];

/// Every line a GitHub runner would take as a workflow command.
fn commands(text: &str) -> Vec<String> {
    text.split(['\n', '\r'])
        .filter(|l| l.trim_start().starts_with("::"))
        .map(str::to_string)
        .collect()
}

fn run(t: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let out = scopectl()
        .current_dir(t.root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn git_file_names_and_messages_cannot_inject_workflow_commands() {
    let t = TestRepo::new("reg");
    t.write("scopectl.toml", POLICY);
    t.write("scopes/orders.toml", SCOPES);
    t.write("clients/base.toml", &client("base", true));
    let base = t.commit("Alice", "alice@example.com", "Initial registry");
    for (i, name) in HOSTILE_NAMES.iter().enumerate() {
        t.write(name, &client(&format!("c{i}"), i == 4));
    }
    t.commit(
        "::error::Mallory",
        "m@example.com",
        "Add clients\n::error title=pwned::from a commit message\n\r::add-mask::x\n  ::warning::indented",
    );
    let reg = t.registry();
    let reg = reg.to_str().unwrap();
    let range = format!("{base}..HEAD");
    let base_str = base.to_string();

    // lint --format github: every line is one of scopectl's own annotations, and the
    // file property of each is escaped (no raw `:`, `,` or line break).
    let (code, out, err) = run(&t, &["lint", "--format", "github", reg]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(commands(&err).is_empty(), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(!lines.is_empty(), "{out}");
    for line in &lines {
        let ok = ["::error title=", "::warning title=", "::notice title="]
            .iter()
            .any(|p| line.starts_with(p));
        assert!(ok, "not an annotation of scopectl's: {line:?}\n{out}");
        let (props, _) = line
            .split_once("::")
            .map(|(_, r)| r)
            .unwrap()
            .split_once("::")
            .unwrap();
        if let Some(file) = props.split(',').find_map(|p| p.strip_prefix("file=")) {
            assert!(!file.contains(':'), "{line}");
        }
    }
    assert!(out.contains("%3A%3Aerror%3A%3Apwned.toml"), "{out}");
    assert_eq!(commands(&out).len(), lines.len(), "{out}");
    // The same with the files read from git (`--changed-since`).
    let (code, changed, _) = run(
        &t,
        &[
            "lint",
            "--changed-since",
            &base_str,
            "--format",
            "github",
            reg,
        ],
    );
    assert_eq!(code, 1, "{changed}");
    assert_eq!(changed, out);

    // Every other format and command: no line a runner would take as a command.
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["lint", reg],
        vec!["lint", "--format", "json", reg],
        vec!["lint", "--format", "sarif", reg],
        vec!["lint", "--format", "markdown", reg],
        vec!["lint", "--changed-since", &base_str, reg],
        vec!["log", "--registry", reg, "c0"],
        vec!["log", "--registry", reg, "c1", "--format", "json"],
        vec!["report", "--registry", reg],
        vec!["report", "--registry", reg, "--format", "markdown"],
    ];
    for format in ["human", "markdown", "json"] {
        runs.push(vec!["diff", &range, "--registry", reg, "--format", format]);
    }
    for args in &runs {
        let (code, out, err) = run(&t, args);
        assert!((0..=1).contains(&code), "{args:?}: {code}\n{out}{err}");
        assert!(commands(&out).is_empty(), "{args:?}:\n{out}");
        assert!(commands(&err).is_empty(), "{args:?}:\n{err}");
    }
}

/// Cut a loose object's file to `keep` of its bytes (a truncated zlib stream).
fn truncate_loose(t: &TestRepo, id: git2::Oid, keep: f64) {
    let hex = id.to_string();
    let path = t
        .repo
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let bytes = std::fs::read(&path).unwrap();
    let n = ((bytes.len() as f64) * keep) as usize;
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, &bytes[..n.max(12)]).unwrap();
}

/// A repository of two commits; the second adds a client whose file is large enough that
/// a cut loose object keeps its header but loses most of its content.
fn two_commits() -> (TestRepo, git2::Oid, git2::Oid) {
    let t = TestRepo::new("");
    t.write("scopectl.toml", POLICY);
    t.write("scopes/orders.toml", SCOPES);
    t.write("clients/base.toml", &client("base", true));
    let base = t.commit("Alice", "alice@example.com", "Initial registry");
    let mut big = client("big", true);
    for i in 0..200 {
        big.push_str(&format!("# padding line {i} with some words to compress\n"));
    }
    t.write("clients/big.toml", &big);
    let head = t.commit(
        "Bob",
        "bob@example.com",
        "Add a big client\n\nwith a long message body that makes the commit object longer than its header and a few parent lines, so a cut keeps the header",
    );
    (t, base, head)
}

#[test]
fn a_truncated_loose_object_is_a_clear_error_not_a_hang() {
    type Cut = fn(&TestRepo, git2::Oid) -> git2::Oid;
    let cuts: [(&str, Cut); 3] = [
        ("blob", |t, head| {
            let tree = t.repo.find_commit(head).unwrap().tree().unwrap();
            tree.get_path(std::path::Path::new("clients/big.toml"))
                .unwrap()
                .id()
        }),
        ("tree", |t, head| {
            let tree = t.repo.find_commit(head).unwrap().tree().unwrap();
            tree.get_path(std::path::Path::new("clients")).unwrap().id()
        }),
        ("commit", |_, head| head),
    ];
    for (what, cut) in cuts {
        let (t, base, head) = two_commits();
        let id = cut(&t, head);
        truncate_loose(&t, id, 0.5);
        let range = format!("{base}..{head}");
        let root = t.root().to_str().unwrap().to_string();
        let runs: Vec<Vec<&str>> = vec![
            vec!["diff", &range, "--registry", &root],
            vec!["report", "--registry", &root],
            vec!["log", "--registry", &root, "big"],
        ];
        for args in runs {
            let started = std::time::Instant::now();
            let out = scopectl()
                .current_dir(t.root())
                .args(&args)
                .timeout(std::time::Duration::from_secs(20))
                .output()
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "{what} {args:?} took {:?}",
                started.elapsed()
            );
            assert_eq!(out.status.code(), Some(2), "{what} {args:?}: {text}");
            assert!(text.contains(&id.to_string()), "{what} {args:?}: {text}");
            assert!(text.contains("truncated"), "{what} {args:?}: {text}");
        }
    }
}
