//! Property tests: whatever bytes a pull request puts into registry files, the loader
//! and the lint rules answer with findings, never a panic, and every finding's span lies
//! inside its file.

use proptest::prelude::*;
use scopectl::registry::source::Source;
use scopectl::registry::Registry;

const SCOPES: &str = "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\nmax_grant = \"90d\"\n";
const CLIENT: &str = "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Shows orders (SHOP-1)\"\napproved_by = \"alice@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-01-01\ntype = \"default\"\n";
const POLICY: &str =
    "[policy]\nexpiry_warning = \"14d\"\n\n[rules]\n\"grant/expiring\" = \"deny\"\n";

fn check(files: Vec<(&str, Vec<u8>)>) {
    let sources = files
        .into_iter()
        .map(|(path, bytes)| Source {
            path: path.to_string(),
            bytes: Ok(bytes),
        })
        .collect();
    let loaded = Registry::load(sources);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let mut findings = loaded.diagnostics.clone();
    if loaded.is_ok() {
        findings.extend(scopectl::lint::check(&loaded.registry, today));
    }
    for f in &findings {
        if let Some(l) = &f.primary {
            let len = loaded.registry.files.text(l.file).len();
            assert!(l.span.start <= l.span.end && l.span.end <= len, "{f:?}");
        }
    }
    // Every renderer copes with whatever was found.
    let files = &loaded.registry.files;
    let _ = scopectl::output::human::render(files, &findings, scopectl::output::Color::Never);
    let _ = scopectl::output::json::render(files, &findings, today);
    let _ = scopectl::output::sarif::render(files, &findings, "reg");
    let _ = scopectl::output::github::render(files, &findings, "reg");
}

/// A valid file with a few bytes replaced, inserted or removed.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((0..base.len(), any::<u8>(), 0u8..3), 1..6).prop_map(move |edits| {
        let mut b = base.as_bytes().to_vec();
        for (at, byte, how) in edits {
            let at = at.min(b.len());
            match how {
                0 if at < b.len() => b[at] = byte,
                1 => b.insert(at, byte),
                _ if at < b.len() => {
                    b.remove(at);
                }
                _ => {}
            }
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_in_any_file_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(vec![("scopes/s.toml", bytes.clone()), ("clients/c.toml", CLIENT.as_bytes().to_vec())]);
        check(vec![("scopes/s.toml", SCOPES.as_bytes().to_vec()), ("clients/c.toml", bytes.clone())]);
        check(vec![("scopectl.toml", bytes), ("scopes/s.toml", SCOPES.as_bytes().to_vec())]);
    }

    #[test]
    fn mutated_scope_files_never_panic(bytes in mutated(SCOPES)) {
        check(vec![("scopes/s.toml", bytes), ("clients/c.toml", CLIENT.as_bytes().to_vec())]);
    }

    #[test]
    fn mutated_client_files_never_panic(bytes in mutated(CLIENT)) {
        check(vec![("scopes/s.toml", SCOPES.as_bytes().to_vec()), ("clients/c.toml", bytes)]);
    }

    #[test]
    fn mutated_policy_files_never_panic(bytes in mutated(POLICY)) {
        check(vec![
            ("scopectl.toml", bytes),
            ("scopes/s.toml", SCOPES.as_bytes().to_vec()),
            ("clients/c.toml", CLIENT.as_bytes().to_vec()),
        ]);
    }
}
