//! Property test over git objects a pull request controls: real repositories (git2) whose
//! second commit holds registry files with arbitrary names, folders and bytes, and
//! arbitrary author names and commit messages. `diff`, `log` and `report` must never
//! panic or abort: they exit 0, 1, 2 or 3, and their JSON (when they produced some) parses.
//! Each case spawns the binary, so the case count is kept small.

mod common;

use proptest::prelude::*;

/// A path segment: letters, digits and the characters that break naive renderers
/// (newline, `%`, `:`, `,`, spaces, quotes, brackets, non-ASCII), never `/` or NUL.
fn segment() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 %:,._\\n\"'\\[\\]()#@é€-]{1,12}")
        .unwrap()
        .prop_filter("not . or ..", |s| s != "." && s != "..")
}

/// Registry-looking bytes: valid TOML of the right shape, TOML-ish fragments, or noise.
fn contents() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z:=\"\\[\\]\\n .0-9-]{0,200}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..300),
        (segment(), segment()).prop_map(|(a, b)| format!(
            "[client]\nid = {a:?}\nowner = {b:?}\n\n[[grants]]\nscope = \"orders:read\"\njustification = {b:?}\napproved_by = {a:?}\napproved_on = 2026-01-01\nexpires = 2027-01-01\n"
        )
        .into_bytes()),
        (segment(), segment()).prop_map(|(a, b)| format!(
            "[scopes.{a:?}]\ndescription = {b:?}\nowner = {b:?}\nsensitivity = \"low\"\n"
        )
        .into_bytes()),
    ]
}

fn exit_of(root: &std::path::Path, args: &[&str]) -> (i32, Vec<u8>) {
    let out = common::scopectl()
        .current_dir(root)
        .args(args)
        .output()
        .expect("run");
    (out.status.code().unwrap_or(-1), out.stdout)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_registry_files_and_commit_metadata_never_crash_history_commands(
        files in prop::collection::vec(
            (prop::sample::select(vec!["scopes", "clients", "teams", "Scopes", "other"]),
             prop::collection::vec(segment(), 1..3),
             contents()),
            1..5),
        author in "[a-zA-Z][a-zA-Z :%\u{1b}]{0,19}",
        message in "[a-zA-Z \\n:%<>\u{1b}]{0,40}",
    ) {
        let t = common::TestRepo::new("");
        t.write("scopectl.toml", "");
        t.write("scopes/base.toml", "[scopes.\"orders:read\"]\ndescription = \"Read\"\nowner = \"t\"\nsensitivity = \"low\"\n");
        t.commit("Base", "base@example.com", "Base");
        for (top, parts, bytes) in &files {
            let mut path = t.registry().join(top);
            for p in parts {
                path = path.join(p);
            }
            let path = path.with_extension("toml");
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(&path, bytes);
        }
        t.commit(&author, "author@example.com", &message);
        for args in [
            &["diff", "HEAD~1..HEAD", "--format", "json"][..],
            &["log", "orders:read", "--format", "json"],
            &["report", "--format", "json", "--today", "2026-11-25"],
        ] {
            let (code, stdout) = exit_of(t.root(), args);
            prop_assert!(matches!(code, 0..=3), "{args:?} exited {code}");
            if code != 2 {
                prop_assert!(
                    serde_json::from_slice::<serde_json::Value>(&stdout).is_ok(),
                    "{args:?}: not JSON: {}",
                    String::from_utf8_lossy(&stdout)
                );
            }
        }
    }
}
