//! Strict loading: every kind of bad input is an error naming file, line and column, with
//! the offending source line shown; all broken files are reported in one run; exit 2.

mod common;

use common::{codes, with_code, Reg, CLIENT_OK, SCOPE_OK};

/// Load a registry with one broken file and return the single load diagnostic.
fn broken(path: &str, bytes: &[u8], code: &str, line: u64, column: u64) -> serde_json::Value {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    reg.write(path, bytes);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let found = with_code(&json, code);
    assert_eq!(
        found.len(),
        1,
        "expected one {code}, got {:?}",
        codes(&json)
    );
    let d = found[0].clone();
    assert_eq!(d["file"], path);
    assert_eq!(d["line"], line, "{d}");
    assert_eq!(d["column"], column, "{d}");
    assert_eq!(d["severity"], "error");
    d
}

#[test]
fn unknown_key_is_named_with_its_position() {
    let d = broken(
        "clients/x.toml",
        b"[client]\nid = \"x\"\n\n[[grants]]\nscope = \"orders:read\"\nexpiers = 2027-01-01\n",
        "load/unknown-key",
        6,
        1,
    );
    assert!(d["message"].as_str().unwrap_or("").contains("expiers"));
    assert!(
        d["help"]
            .as_str()
            .unwrap_or("")
            .starts_with("did you mean `expires`?"),
        "{d:#}"
    );
}

#[test]
fn unknown_table_in_scope_file_says_where_it_belongs() {
    let d = broken(
        "scopes/x.toml",
        b"[client]\nid = \"x\"\n",
        "load/unknown-key",
        1,
        2,
    );
    assert!(d["help"].as_str().unwrap_or("").contains("clients/"), "{d}");
}

/// Run one folder above a registry (the repository root of this project, whose example
/// registry is `scopes/`): every error says which folder to give instead.
#[test]
fn a_registry_one_folder_down_is_pointed_at() {
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
        ("scopes/inner/scopectl.toml", "[policy]\n"),
        ("scopes/inner/clients/c.toml", CLIENT_OK),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let errors: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("scopes/inner/"))
        })
        .collect();
    assert_eq!(errors.len(), 2, "{json:#}");
    for e in errors {
        assert_eq!(
            e["help"],
            "scopes/inner/ looks like a registry of its own (it holds scopes/inner/scopectl.toml): run scopectl on that folder (`scopectl lint scopes/inner`, or `--registry scopes/inner`)",
            "{e:#}"
        );
    }
}

#[test]
fn wrong_type() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = 42\nowner = \"t\"\nsensitivity = \"low\"\n",
        "load/wrong-type",
        2,
        15,
    );
}

#[test]
fn unknown_enum_value() {
    let d = broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"extreme\"\n",
        "load/invalid-value",
        4,
        15,
    );
    assert!(
        d["message"].as_str().unwrap_or("").contains("critical"),
        "lists the allowed values: {d}"
    );
}

#[test]
fn missing_required_key() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = \"x\"\nowner = \"t\"\n",
        "load/missing-key",
        1,
        1,
    );
}

#[test]
fn duplicate_key() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = \"x\"\ndescription = \"y\"\nowner = \"t\"\nsensitivity = \"low\"\n",
        "load/duplicate-key",
        3,
        1,
    );
}

#[test]
fn duplicate_table() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n[scopes.\"a:b\"]\ndescription = \"y\"\n",
        "load/duplicate-key",
        5,
        9,
    );
}

#[test]
fn invalid_date() {
    broken(
        "clients/x.toml",
        b"[client]\nid = \"x\"\n[[grants]]\nscope = \"orders:read\"\nexpires = 2026-02-30\n",
        "load/invalid-date",
        5,
        11,
    );
}

#[test]
fn quoted_date_is_refused_with_a_hint() {
    let d = broken(
        "clients/x.toml",
        b"[client]\nid = \"x\"\n[[grants]]\nscope = \"orders:read\"\nexpires = \"2027-01-01\"\n",
        "load/invalid-date",
        5,
        11,
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("without quotes"),
        "{d}"
    );
}

#[test]
fn date_with_time_is_refused() {
    broken(
        "clients/x.toml",
        b"[client]\nid = \"x\"\n[[grants]]\nscope = \"orders:read\"\nexpires = 2027-01-01T10:00:00Z\n",
        "load/invalid-date",
        5,
        11,
    );
}

#[test]
fn invalid_duration() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nmax_grant = \"thirty days\"\n",
        "load/invalid-value",
        5,
        13,
    );
}

#[test]
fn toml_syntax_error() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"a:b\"\ndescription = \"x\"\n",
        "load/syntax",
        1,
        14,
    );
}

#[test]
fn scope_defined_in_two_files_names_both() {
    let d = broken(
        "scopes/zz.toml",
        SCOPE_OK.as_bytes(),
        "load/duplicate-scope",
        2,
        9,
    );
    let labels = d["labels"].as_array().expect("labels");
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[1]["file"], "scopes/s.toml");
    assert_eq!(labels[1]["start"]["line"], 2);
}

#[test]
fn client_defined_in_two_files() {
    broken(
        "clients/d.toml",
        CLIENT_OK.as_bytes(),
        "load/duplicate-client",
        3,
        6,
    );
}

#[test]
fn non_utf8_file_points_at_the_bad_byte() {
    broken(
        "clients/x.toml",
        b"[client]\nid = \"x\"\nowner = \"caf\xe9\"\n",
        "load/not-utf8",
        3,
        13,
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_not_skipped() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    std::os::unix::fs::symlink(
        "/nonexistent/scopectl-test",
        reg.path().join("clients/gone.toml"),
    )
    .expect("symlink");
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let d = &with_code(&json, "load/unreadable")[0];
    assert_eq!(d["file"], "clients/gone.toml");
}

#[test]
fn invalid_policy_pattern() {
    broken(
        "scopectl.toml",
        b"[policy]\nscope_pattern = \"([a-z\"\n",
        "load/invalid-value",
        2,
        17,
    );
}

#[test]
fn file_that_is_not_toml_is_reported() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    reg.write("clients/new-client.tml", b"[client]\nid = \"n\"\n");
    reg.write("scopes/README.md", b"docs are fine");
    let (exit, json) = reg.lint_json();
    assert_eq!(codes(&json), vec!["load/ignored-file"]);
    assert_eq!(json["diagnostics"][0]["file"], "clients/new-client.tml");
    assert_eq!(exit, 0, "a warning does not fail the run");
}

#[test]
fn human_output_shows_the_offending_line() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    reg.write(
        "clients/x.toml",
        b"[client]\nid = \"x\"\ncolour = \"red\"\n",
    );
    let (exit, text) = reg.lint_human();
    assert_eq!(exit, 2);
    assert!(text.contains("error[load/unknown-key]"), "{text}");
    assert!(text.contains("clients/x.toml:3:1"), "{text}");
    assert!(text.contains("colour = \"red\""), "{text}");
}

#[test]
fn hundreds_of_files_report_every_broken_one() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK)]);
    for i in 0..300 {
        let text = if i % 50 == 7 {
            format!("[client]\nid = \"c{i}\"\nbogus = 1\n")
        } else {
            CLIENT_OK.replace("\"shop\"", &format!("\"c{i}\""))
        };
        reg.write(&format!("clients/c{i:03}.toml"), text.as_bytes());
    }
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let files: Vec<&str> = with_code(&json, "load/unknown-key")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(
        files,
        vec![
            "clients/c007.toml",
            "clients/c057.toml",
            "clients/c107.toml",
            "clients/c157.toml",
            "clients/c207.toml",
            "clients/c257.toml"
        ]
    );
}

#[test]
fn arbitrary_bytes_never_panic_the_loader() {
    // A cheap deterministic fuzz: mutate a valid client file byte by byte.
    let base = CLIENT_OK.as_bytes();
    let mut seed: u64 = 0x5eed;
    let mut files = Vec::new();
    for _ in 0..200 {
        let mut bytes = base.to_vec();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let pos = (seed as usize) % bytes.len();
            bytes[pos] = (seed >> 32) as u8;
        }
        files.push(scopectl::registry::Source {
            path: format!("clients/f{}.toml", files.len()),
            bytes: Ok(bytes),
        });
    }
    let loaded = scopectl::registry::Registry::load(files);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let _ = scopectl::lint::check(&loaded.registry, today);
    let _ = scopectl::output::human::render(
        &loaded.registry.files,
        &loaded.diagnostics,
        scopectl::output::Color::Never,
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_registry_is_not_read_or_printed() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        outside.path().join("secrets.toml"),
        "TOKEN = \"SECRET-CONTENT-42\"\n",
    )
    .expect("write");
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    std::os::unix::fs::symlink(
        outside.path().join("secrets.toml"),
        reg.path().join("clients/env.toml"),
    )
    .expect("symlink");
    let (exit, text) = reg.lint_human();
    assert_eq!(exit, 2);
    assert!(text.contains("outside the registry"), "{text}");
    assert!(!text.contains("SECRET-CONTENT-42"), "{text}");
}

#[cfg(unix)]
#[test]
fn symlink_inside_the_registry_is_read() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("shared/c.toml", CLIENT_OK)]);
    std::fs::create_dir_all(reg.path().join("clients")).expect("mkdir");
    std::os::unix::fs::symlink(
        reg.path().join("shared/c.toml"),
        reg.path().join("clients/c.toml"),
    )
    .expect("symlink");
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 0, "{json:#}");
}

#[cfg(unix)]
#[test]
fn fifo_is_reported_and_does_not_hang() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    let status = std::process::Command::new("mkfifo")
        .arg(reg.path().join("clients/pipe.toml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let d = &with_code(&json, "load/unreadable")[0];
    assert_eq!(d["file"], "clients/pipe.toml");
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("not a regular file"),
        "{d}"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_folder_loop_is_not_followed() {
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", CLIENT_OK)]);
    std::os::unix::fs::symlink("..", reg.path().join("scopes/loop")).expect("symlink");
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    assert_eq!(codes(&json), vec!["load/unreadable"], "{json:#}");
}

#[test]
fn misnamed_policy_file_and_folders_are_reported() {
    let reg = Reg::new(&[
        ("scopectl.tml", "[policy]\nmax_grant_lifetime = \"30d\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("Clients/c.toml", CLIENT_OK),
    ]);
    let (_, json) = reg.lint_json();
    let ignored: Vec<&str> = with_code(&json, "load/ignored-file")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(ignored, vec!["Clients/", "scopectl.tml"], "{json:#}");
}

/// Hidden files and folders (a name starting with `.`) in the registry's folders used to
/// be skipped without a word: a client in `clients/.hidden.toml` was never linted or
/// pushed while `lint` said ok. They are `load/ignored-file` warnings now, like a
/// `*.TOML`; git's own files and folder keepers stay quiet. At the root, a hidden or
/// misspelt policy file is reported too, other hidden entries (`.github/`) are not.
#[test]
fn hidden_files_and_folders_are_reported_not_skipped() {
    let hidden_client = CLIENT_OK.replace("id = \"shop\"", "id = \"hidden\"");
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
        ("clients/.hidden.toml", &hidden_client),
        ("clients/.x/a.toml", &hidden_client),
        ("clients/.x/b.toml", &hidden_client),
        (
            "teams/.x.toml",
            "[teams.t]\nmembers = [\"a@example.com\"]\n",
        ),
        ("scopes/sub/.old.toml", SCOPE_OK),
        ("apis/.draft.toml", "[apis.x]\naudience = \"x\"\n"),
        (".scopectl.toml", "[policy]\n"),
        ("scopctl.toml", "[policy]\n"),
        // Quiet: git's files, folder keepers, and hidden entries at the root.
        ("clients/.gitkeep", ""),
        ("scopes/.gitignore", "*.bak\n"),
        ("scopes/.DS_Store", "x"),
        ("clients/.git/config", "[core]\n"),
        (".github/workflows/ci.yml", "on: push\n"),
        (".gitignore", "target\n"),
        ("Cargo.toml", "[package]\n"),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 0, "warnings only: {json:#}");
    let ignored: Vec<&str> = with_code(&json, "load/ignored-file")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(
        ignored,
        vec![
            ".scopectl.toml",
            "apis/.draft.toml",
            "clients/.hidden.toml",
            "clients/.x/",
            "scopctl.toml",
            "scopes/sub/.old.toml",
            "teams/.x.toml",
        ],
        "{json:#}"
    );
    assert_eq!(codes(&json).len(), ignored.len(), "{json:#}");
    let d = &with_code(&json, "load/ignored-file")[2];
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("hidden files (a name starting with `.`) are not part of the registry"),
        "{d}"
    );
    // The hidden client is not part of the registry: nothing defines it twice.
    let (_, text) = reg.lint_human();
    assert!(!text.contains("defined twice"), "{text}");
}

#[test]
fn control_characters_in_values_are_refused() {
    let d = broken(
        "clients/x.toml",
        b"[client]\nid = \"evil\\u001b[2J\"\n",
        "load/invalid-value",
        2,
        6,
    );
    assert!(
        d["message"].as_str().unwrap_or("").contains("\\u{1b}"),
        "escaped in the message: {d}"
    );
}

#[test]
fn scope_names_must_be_rfc6749_scope_tokens() {
    broken(
        "scopes/x.toml",
        b"[scopes.\"orders read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n",
        "load/invalid-value",
        1,
        9,
    );
}

#[test]
fn negative_number_is_an_invalid_value() {
    broken(
        "scopectl.toml",
        b"[policy]\nheader_budget = -1\n",
        "load/invalid-value",
        2,
        17,
    );
}

#[test]
fn secret_written_into_the_policy_is_never_shown() {
    let reg = Reg::new(&[
        (
            "scopectl.toml",
            "[targets.prod]\nkind = \"keycloak\"\nurl = \"https://id.example.com\"\nclient_secret = \"Sup3r-Secret-Value\"\n",
        ),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
    ]);
    let (exit, text) = reg.lint_human();
    assert_eq!(exit, 2);
    assert!(text.contains("client_secret"), "{text}");
    assert!(!text.contains("Sup3r-Secret-Value"), "{text}");
    assert!(text.contains("rotate the secret"), "{text}");
    let (_, json) = reg.lint_json();
    assert!(!json.to_string().contains("Sup3r-Secret-Value"));
}

/// An invisible character in an identity (`alice\u{200B}@example.com`) would make a
/// self-approval look like someone else's: identity fields refuse Unicode format
/// characters, naming the character and its position.
#[test]
fn invisible_characters_in_identities_are_refused() {
    for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'] {
        let client = CLIENT_OK
            .replace(
                "owner = \"team-shop\"",
                &format!("owner = \"ali{c}ce@example.com\""),
            )
            .replace("alice@example.com", &format!("alice{c}@example.com"));
        let scope = SCOPE_OK.replace("owner = \"", &format!("owner = \"{c}"));
        let reg = Reg::new(&[("scopes/s.toml", &scope), ("clients/c.toml", &client)]);
        let (exit, json) = reg.lint_json();
        assert_eq!(exit, 2, "{json:#}");
        let found = with_code(&json, "load/invalid-value");
        let hex = format!("U+{:04X}", c as u32);
        let messages: Vec<&str> = found.iter().filter_map(|d| d["message"].as_str()).collect();
        for want in [
            format!("`owner` contains the invisible character {hex} at character 4"),
            format!("`approved_by` contains the invisible character {hex} at character 6"),
            format!("`owner` contains the invisible character {hex} at character 1"),
        ] {
            assert!(
                messages.iter().any(|m| m.contains(&want)),
                "{want}: {messages:#?}"
            );
        }
    }
}

/// `builtin_scopes` values were the one text field without the control-character check:
/// a bidi override or a terminal escape in one reached `plan`'s output.
#[test]
fn control_characters_in_builtin_scopes_are_refused() {
    let client = CLIENT_OK.replace(
        "owner = \"team-shop\"",
        "owner = \"team-shop\"\nbuiltin_scopes = [\"profile\", \"prof\\u202eile\", \"x\\u001b[31my\"]",
    );
    let reg = Reg::new(&[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", &client)]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let found = with_code(&json, "load/invalid-value");
    let messages: Vec<&str> = found.iter().filter_map(|d| d["message"].as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "`prof\\u{202e}ile` contains a control character or a bidirectional override",
            "`x\\u{1b}[31my` contains a control character or a bidirectional override",
        ],
        "{json:#}"
    );
    assert!(found.iter().all(|d| d["line"] == 5), "{json:#}");
}

/// Client ids that look like another client's were distinct clients: `shop` followed by
/// a zero-width space or a soft hyphen, a full-width `ｓhop`, `Shop`. An invisible
/// character in a client id (or a `[client.ids]` value) is refused as in identities, and
/// ids equal after NFKC and lower case are one client defined twice (as a scope defined
/// twice is), naming both files.
#[test]
fn look_alike_client_ids_are_refused() {
    let with_id = |id: &str| CLIENT_OK.replace("id = \"shop\"", &format!("id = \"{id}\""));
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/a.toml", CLIENT_OK),
        ("clients/b.toml", &with_id("shop\\u200b")),
        ("clients/c.toml", &with_id("\\uff53hop")),
        ("clients/d.toml", &with_id("shop\\u00ad")),
        ("clients/e.toml", &with_id("Shop")),
        // Not alike: other letters outside ASCII are fine.
        ("clients/f.toml", &with_id("café-app")),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let dups = with_code(&json, "load/duplicate-client");
    let files: Vec<&str> = dups.iter().filter_map(|d| d["file"].as_str()).collect();
    assert_eq!(
        files,
        vec![
            "clients/b.toml",
            "clients/c.toml",
            "clients/d.toml",
            "clients/e.toml"
        ],
        "{json:#}"
    );
    let messages: Vec<&str> = dups.iter().filter_map(|d| d["message"].as_str()).collect();
    for (m, id) in messages
        .iter()
        .zip(["shop<U+200B>", "ｓhop", "shop<U+00AD>", "Shop"])
    {
        assert_eq!(
            *m,
            format!("client `{id}` looks the same as client `shop`: the ids differ only in case, width or invisible characters"),
        );
    }
    let invisible: Vec<&str> = with_code(&json, "load/invalid-value")
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        invisible,
        vec![
            "`id` contains the invisible character U+200B at character 5 of `shop<U+200B>`",
            "`id` contains the invisible character U+00AD at character 5 of `shop<U+00AD>`",
        ],
        "{json:#}"
    );
    let (_, text) = reg.lint_human();
    assert!(text.contains("first defined here"), "{text}");

    // `[client.ids]`: an invisible character, and an id that looks like another
    // client's in that environment.
    let other = "[client]\nid = \"web\"\nowner = \"team-shop\"\n\n[client.ids]\nprod = \"SHOP\"\nstaging = \"web\\u2060\"\n";
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/a.toml", CLIENT_OK),
        ("clients/w.toml", other),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let messages: Vec<&str> = json["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"clients `web` and `shop` would be `SHOP` and `shop`, which differ only in case, width or invisible characters, in environment `prod`"),
        "{messages:#?}"
    );
    assert!(
        messages.contains(&"`[client.ids] staging` contains the invisible character U+2060 at character 4 of `web<U+2060>`"),
        "{messages:#?}"
    );
}

/// A huge but parseable duration (`500000000000y`) used to panic (exit 101) when `plan`
/// turned it into a timeout; durations over 1000 years are now load errors.
#[test]
fn huge_durations_are_load_errors_not_panics() {
    let reg = Reg::new(&[(
        "scopectl.toml",
        "[targets.k]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:9\"\nrealm = \"r\"\n\
         client_id = \"c\"\nclient_secret_env = \"SCOPECTL_TEST_HUGE\"\n\
         timeout = \"500000000000y\"\nretry_after_max = \"500000000000y\"\n",
    )]);
    let out = common::scopectl()
        .arg("plan")
        .arg(reg.path())
        .env("SCOPECTL_TEST_HUGE", "x")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("longer than the longest duration scopectl takes (1000y)"),
        "{err}"
    );
}

/// A value that is a bare URL (a client id `https://evil.example/login`) became a link in
/// GitHub's rendering of `lint --format markdown`: the `:` of `://` and the `.` of `www.`
/// are escaped now, which renders the same text but is no autolink.
#[test]
fn markdown_output_does_not_autolink_urls_in_values() {
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        (
            "clients/c.toml",
            "[client]\nid = \"https://evil.example/login\"\n",
        ),
        ("clients/d.toml", "[client]\nid = \"www.evil.example\"\n"),
    ]);
    let out = common::scopectl()
        .args(["lint", "--format", "markdown", "--today", common::TODAY])
        .arg(reg.path())
        .output()
        .expect("run");
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("client \\`https\\://evil.example/login\\` has no owner"),
        "{md}"
    );
    assert!(
        md.contains("client \\`www\\.evil.example\\` has no owner"),
        "{md}"
    );
    assert!(!md.contains("https://") && !md.contains("www."), "{md}");
}

/// A scope file whose description is a hand-written multi-line string.
const SCOPES_MULTI_LINE: &str = "[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n\n[scopes.\"billing:read\"]\ndescription = \"\"\"\nRead invoices\nand credit notes\"\"\"\nowner = \"team-billing\"\nsensitivity = \"low\"\n";

/// Every file under `root` as (`/`-separated path relative to it, bytes), sorted.
fn registry_files(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("inside").to_string_lossy();
                out.push((rel.replace('\\', "/"), std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// The bytes with every `\n` as `\r\n`, as `git clone -c core.autocrlf=true` writes them.
fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8(bytes.to_vec())
        .expect("utf-8")
        .replace('\n', "\r\n")
        .into_bytes()
}

fn load(files: &[(String, Vec<u8>)]) -> scopectl::registry::Loaded {
    scopectl::registry::Registry::load(
        files
            .iter()
            .map(|(path, bytes)| scopectl::registry::Source {
                path: path.clone(),
                bytes: Ok(bytes.clone()),
            })
            .collect(),
    )
}

/// QA: a grant written with a multi-line reason (`grant --why $'…\n…'`), a hand-written
/// `"""…"""` or `'''…'''` string, or a multi-line review note, in a file checked out with
/// CRLF line endings, was refused as a control character (`\r`) and the whole registry
/// stopped loading. TOML allows CRLF line breaks in multi-line strings: the registry loads,
/// with the same values, the same findings at the same lines and columns, and the same
/// diff model, as the LF checkout.
#[test]
fn a_crlf_checkout_loads_as_the_lf_one() {
    let client = CLIENT_OK.replace(
        "justification = \"Shows orders (SHOP-1)\"",
        "justification = '''\nShows orders\nin the shop (SHOP-1)'''",
    );
    let lf = Reg::new(&[
        ("scopes/s.toml", SCOPES_MULTI_LINE),
        ("clients/c.toml", &client),
    ]);
    let edit = |args: &[&str]| {
        let out = common::scopectl()
            .args(args)
            .args(["--today", common::TODAY, "--registry"])
            .arg(lf.path())
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    };
    edit(&[
        "grant",
        "shop",
        "billing:read",
        "--why",
        "Needs billing for invoices\nsee SHOP-77",
        "--approved-by",
        "grace@example.com",
    ]);
    edit(&["review", "start", "q4"]);
    edit(&[
        "review",
        "decide",
        "q4",
        "shop",
        "orders:read",
        "keep",
        "--by",
        "pam@example.com",
        "--note",
        "Still needed\nchecked with the shop team",
    ]);
    let lf_files = registry_files(lf.path());
    let crlf_files: Vec<(String, Vec<u8>)> = lf_files
        .iter()
        .map(|(p, b)| (p.clone(), to_crlf(b)))
        .collect();
    let crlf = Reg::new(&[]);
    for (p, b) in &crlf_files {
        crlf.write(p, b);
    }
    // The CRLF files hold `\r\n` inside each kind of multi-line string.
    let text = |files: &[(String, Vec<u8>)], name: &str| {
        let (_, b) = files.iter().find(|(p, _)| p == name).expect(name);
        String::from_utf8(b.clone()).expect("utf-8")
    };
    let c = text(&crlf_files, "clients/c.toml");
    assert!(
        c.contains("\"\"\"\r\nNeeds billing for invoices\r\nsee SHOP-77\"\"\""),
        "{c:?}"
    );
    assert!(
        c.contains("'''\r\nShows orders\r\nin the shop (SHOP-1)'''"),
        "{c:?}"
    );
    let r = text(&crlf_files, "reviews/q4.toml");
    assert!(
        r.contains("Still needed\r\nchecked with the shop team"),
        "{r:?}"
    );
    assert!(text(&crlf_files, "scopes/s.toml").contains("Read invoices\r\nand credit notes"));

    // The same lint result, findings at the same lines and columns.
    let (lf_exit, lf_json) = lf.lint_json();
    let (crlf_exit, crlf_json) = crlf.lint_json();
    assert_ne!(lf_exit, 2, "{lf_json:#}");
    assert_eq!(crlf_exit, lf_exit, "{crlf_json:#}");
    assert_eq!(crlf_json, lf_json);
    let (_, human) = crlf.lint_human();
    assert!(!human.contains("control character"), "{human}");

    // The same values: `\r\n` in a value is read as `\n`.
    let (lf_reg, crlf_reg) = (load(&lf_files), load(&crlf_files));
    assert!(crlf_reg.is_ok(), "{:?}", crlf_reg.diagnostics);
    let shop = &crlf_reg.registry.clients["shop"];
    let why = |scope: &str| {
        shop.grants
            .iter()
            .find(|g| g.scope() == scope)
            .and_then(|g| g.def.justification.as_ref())
            .map(|j| j.get().clone())
    };
    assert_eq!(
        why("billing:read").as_deref(),
        Some("Needs billing for invoices\nsee SHOP-77")
    );
    assert_eq!(
        why("orders:read").as_deref(),
        Some("Shows orders\nin the shop (SHOP-1)")
    );
    let note = crlf_reg.registry.reviews["q4"].def.entries[0]
        .note
        .as_ref()
        .map(|n| n.get().clone());
    assert_eq!(
        note.as_deref(),
        Some("Still needed\nchecked with the shop team")
    );
    use scopectl::diff::Model;
    assert_eq!(
        Model::from_registry(&crlf_reg.registry),
        Model::from_registry(&lf_reg.registry)
    );
    // One file at a time (how `diff` attributes changes to commits): the same models.
    for ((path, lf_bytes), (_, crlf_bytes)) in lf_files.iter().zip(&crlf_files) {
        assert_eq!(
            Model::of_file(path, crlf_bytes),
            Model::of_file(path, lf_bytes),
            "{path}"
        );
    }
}

/// A `\r` that is not part of a line break stays refused in a CRLF file: alone, or as
/// the first of `\r\r\n`.
#[test]
fn a_lone_carriage_return_in_a_crlf_file_is_still_refused() {
    // The position is where the line break was expected: right after the `\r`.
    for (bytes, line, column) in [
        (
            &b"[client]\r\nid = \"x\"\r\ndescription = \"\"\"\r\na\rb\"\"\"\r\n"[..],
            4,
            3,
        ),
        (
            &b"[client]\r\nid = \"x\"\r\ndescription = \"\"\"\r\na\r\r\nb\"\"\"\r\n"[..],
            4,
            3,
        ),
        (&b"[client]\r\nid = \"x\" # a\r\r\n"[..], 2, 14),
    ] {
        let d = broken("clients/x.toml", bytes, "load/syntax", line, column);
        assert!(
            d["message"]
                .as_str()
                .unwrap_or("")
                .contains("carriage return"),
            "{d}"
        );
    }
    // Written as an escape (`"a\r\nb"`), a `\r` is the file's content, the same in every
    // checkout, not a line break of the checkout: a control character in the value.
    let d = broken(
        "clients/x.toml",
        b"[client]\r\nid = \"x\"\r\ndescription = \"a\\r\\nb\"\r\n",
        "load/invalid-value",
        3,
        15,
    );
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("control character"),
        "{d}"
    );
}

/// `scopectl diff` of the same content committed with LF and then with CRLF line endings
/// (a CRLF checkout committed back without `core.autocrlf`): no change, and the CRLF
/// commit is not named among those that made a grant (files are read one commit at a
/// time there).
#[test]
fn a_crlf_commit_of_the_same_registry_is_no_change_in_diff() {
    let t = common::TestRepo::new("");
    t.repo
        .config()
        .expect("config")
        .set_bool("core.autocrlf", false)
        .expect("autocrlf");
    t.write("scopes/s.toml", SCOPES_MULTI_LINE);
    t.write("clients/c.toml", CLIENT_OK);
    let base = t.commit("Base", "base@example.com", "base");
    let client = format!(
        "{CLIENT_OK}\n[[grants]]\nscope = \"billing:read\"\njustification = \"\"\"\nNeeds billing for invoices\nsee SHOP-77\"\"\"\napproved_by = \"grace@example.com\"\napproved_on = 2026-11-02\nexpires = 2027-05-01\n"
    );
    t.write("clients/c.toml", &client);
    t.commit("Alice", "alice@example.com", "grant billing:read");
    t.write("clients/c.toml", &client.replace('\n', "\r\n"));
    t.write("scopes/s.toml", &SCOPES_MULTI_LINE.replace('\n', "\r\n"));
    t.commit("Crlf", "crlf@example.com", "line endings");
    let diff = |range: &str| -> serde_json::Value {
        let out = common::scopectl()
            .current_dir(t.root())
            .args([
                "diff",
                range,
                "--format",
                "json",
                "--today",
                common::TODAY,
                "--registry",
            ])
            .arg(t.registry())
            .output()
            .expect("run");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let v = diff("HEAD~1..HEAD");
    assert_eq!(v["summary"]["changes"], 0, "{v:#}");
    assert_eq!(v["changes"], serde_json::json!([]), "{v:#}");
    let v = diff(&format!("{base}..HEAD"));
    let changes = v["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{v:#}");
    assert_eq!(changes[0]["kind"], "grant-added", "{v:#}");
    let authors: Vec<&str> = changes[0]["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["author"].as_str())
        .collect();
    assert_eq!(authors, ["Alice"], "{v:#}");
}
