//! The checked-in JSON Schemas (schemas/), shell completions and man pages (completions/) must match
//! what the binary generates. Refresh them with:
//! `SCOPECTL_UPDATE_GENERATED=1 cargo test --test generated`.

mod common;

use std::path::Path;

fn check_dir(args: &[&str], dir: &str) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os("SCOPECTL_UPDATE_GENERATED").is_some();
    let target = repo.join(dir);
    let fresh = tempfile::tempdir().expect("tempdir");
    let out_dir = if update {
        target.clone()
    } else {
        fresh.path().to_path_buf()
    };
    common::scopectl()
        .args(args)
        .arg("--out")
        .arg(&out_dir)
        .assert()
        .success();
    if update {
        return;
    }
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(fresh.path()).expect("read generated") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        let generated = std::fs::read(entry.path()).expect("read");
        let checked_in = std::fs::read(target.join(&name)).unwrap_or_default();
        if generated != checked_in {
            stale.push(format!("{dir}/{}", name.to_string_lossy()));
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; run `SCOPECTL_UPDATE_GENERATED=1 cargo test --test generated` and commit"
    );
}

#[test]
fn schemas_are_fresh() {
    check_dir(&["schema"], "schemas");
}

#[test]
fn completions_are_fresh() {
    check_dir(&["completions"], "completions");
}

#[test]
fn schema_command_prints_each_kind() {
    for (kind, _) in scopectl::schema::KINDS {
        let out = common::scopectl()
            .args(["schema", kind])
            .output()
            .expect("run");
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
        assert_eq!(
            v["additionalProperties"], false,
            "{kind} schema must reject unknown keys"
        );
    }
}

#[test]
fn completions_command_prints_a_script_per_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = common::scopectl()
            .args(["completions", shell])
            .output()
            .expect("run");
        assert!(out.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("scopectl"),
            "{shell}"
        );
    }
}

/// docs/rules.md is generated from the rule catalog: every rule has a heading with the
/// anchor SARIF's `helpUri` points at.
#[test]
fn rule_reference_is_fresh_and_has_every_anchor() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let generated = scopectl::rules::reference_markdown();
    if std::env::var_os("SCOPECTL_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, &generated).expect("write docs/rules.md");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/rules.md is stale; run `SCOPECTL_UPDATE_GENERATED=1 cargo test --test generated` and commit"
    );
    for r in scopectl::rules::ALL {
        let anchor = format!("<a id=\"{}\"></a>", r.anchor());
        assert!(checked_in.contains(&anchor), "no anchor for {r}");
        let uri = r.help_uri();
        let (file, fragment) = uri.rsplit_once('#').expect("fragment");
        assert!(file.ends_with("/docs/rules.md"), "{uri}");
        assert_eq!(fragment, r.anchor());
    }
}

#[test]
fn version_names_the_commit_built_from() {
    let out = common::scopectl().arg("--version").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let version = env!("CARGO_PKG_VERSION");
    let commit = text
        .trim()
        .strip_prefix(&format!("scopectl {version} (commit "))
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected --version: {text}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{text}"
    );
    // In a git checkout, the commit is HEAD (the build script reruns when HEAD moves).
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Some(head) = head.ok().filter(|h| h.status.success()) {
        assert_eq!(
            commit,
            String::from_utf8_lossy(&head.stdout).trim(),
            "{text}"
        );
    }
}

#[test]
fn man_pages_cover_every_command() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for page in [
        "scopectl.1",
        "scopectl-lint.1",
        "scopectl-expiring.1",
        "scopectl-codeowners.1",
    ] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
        assert!(text.contains(".TH scopectl"), "{page} is not a man page");
    }
}
