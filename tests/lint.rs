//! `scopectl lint`: one fixture per rule that must fire, the example registry that must
//! not, rule overrides, exit codes and every output format.

mod common;

use common::{codes, scopectl, with_code, Reg, CLIENT_OK, SCOPE_OK, TODAY};

/// Lint a registry and assert that `code` fires (at `line` of `file`, if given).
fn fires(files: &[(&str, &str)], code: &str, file: &str, line: u64) -> serde_json::Value {
    let reg = Reg::new(files);
    let (exit, json) = reg.lint_json();
    let found = with_code(&json, code);
    assert!(
        !found.is_empty(),
        "expected {code}, got {:?}\n{json:#}",
        codes(&json)
    );
    assert_eq!(found[0]["file"], file, "{code} file");
    assert_eq!(found[0]["line"], line, "{code} line");
    let is_error = found.iter().any(|d| d["severity"] == "error");
    assert_eq!(exit, if is_error { 1 } else { 0 }, "exit code for {code}");
    json
}

fn client(extra_grant_fields: &str, scope: &str) -> String {
    format!(
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"{scope}\"\n{extra_grant_fields}\n"
    )
}

const FULL: &str = "justification = \"Needed (T-1)\"\napproved_by = \"alice@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-05-01";

#[test]
fn example_registry_lints_clean() {
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", TODAY])
        .arg(common::example_registry())
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(codes(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json["summary"]["errors"], 0);
}

#[test]
fn init_creates_a_registry_that_lints_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    scopectl().arg("init").arg(dir.path()).assert().success();
    for f in [
        "scopectl.toml",
        "scopes/example.toml",
        "clients/example-app.toml",
        ".pre-commit-config.yaml",
        "hooks/pre-commit",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let out = scopectl()
        .args(["lint", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(codes(&json), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    scopectl().arg("init").arg(dir.path()).assert().success();
    let out = scopectl()
        .arg("init")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite"));
    scopectl()
        .args(["init", "--force"])
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn rule_scope_naming() {
    let scopes =
        "[scopes.\"ReadOrders\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n";
    fires(
        &[
            ("scopes/s.toml", scopes),
            ("clients/c.toml", &client(FULL, "ReadOrders")),
        ],
        "scope/naming",
        "scopes/s.toml",
        1,
    );
}

#[test]
fn rule_scope_broad() {
    for name in ["admin", "orders:*", "*", "orders:all"] {
        let scopes = format!(
            "[scopes.\"{name}\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n"
        );
        fires(
            &[
                ("scopes/s.toml", &scopes),
                ("clients/c.toml", &client(FULL, name)),
            ],
            "scope/broad",
            "scopes/s.toml",
            1,
        );
    }
}

#[test]
fn rule_scope_unused() {
    let scopes = format!("{SCOPE_OK}\n[scopes.\"orders:write\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n");
    fires(
        &[("scopes/s.toml", &scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/unused",
        "scopes/s.toml",
        7,
    );
}

#[test]
fn rule_scope_sensitive_without_step_up() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"critical\"\n";
    fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/sensitive-without-step-up",
        "scopes/s.toml",
        4,
    );
}

#[test]
fn rule_scope_pii_in_id_token() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [\"order_region\", \"email\"]\n";
    let json = fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/pii-in-id-token",
        "scopes/s.toml",
        5,
    );
    assert_eq!(
        with_code(&json, "scope/pii-in-id-token").len(),
        1,
        "only email is PII"
    );
    // id_token = false keeps the claim out of ID tokens: no finding.
    let scopes_ok = format!("{scopes}id_token = false\n");
    let reg = Reg::new(&[("scopes/s.toml", &scopes_ok), ("clients/c.toml", CLIENT_OK)]);
    let (_, json) = reg.lint_json();
    assert!(with_code(&json, "scope/pii-in-id-token").is_empty());
}

#[test]
fn rule_scope_pii_in_id_token_follows_a_claims_tokens() {
    // The table form: `tokens` says where the claim goes, whatever `id_token` says.
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nid_token = false\nclaims = [\n  { name = \"email\", source = \"property\", tokens = [\"access\", \"id\"] },\n]\n";
    fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/pii-in-id-token",
        "scopes/s.toml",
        7,
    );
    let ok = scopes.replace("\"access\", \"id\"", "\"access\"");
    let reg = Reg::new(&[("scopes/s.toml", &ok), ("clients/c.toml", CLIENT_OK)]);
    let (exit, json) = reg.lint_json();
    assert_eq!(codes(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(exit, 0);
}

#[test]
fn rule_scope_claim_source_conflict() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [\"region\"]\n\n[scopes.\"orders:write\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [{ name = \"region\", source = \"value\", value = \"eu\" }]\n";
    let client = format!("{CLIENT_OK}\n[[grants]]\nscope = \"orders:write\"\n{FULL}\n");
    let json = fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", &client)],
        "scope/claim-source-conflict",
        "scopes/s.toml",
        11,
    );
    assert_eq!(with_code(&json, "scope/claim-source-conflict").len(), 1);
    // The same source in both scopes, or `as-is` in one: no finding.
    for other in [
        "claims = [{ name = \"region\", tokens = [\"access\"] }]",
        "claims = [{ name = \"region\", source = \"as-is\" }]",
    ] {
        let same = scopes.replace(
            "claims = [{ name = \"region\", source = \"value\", value = \"eu\" }]",
            other,
        );
        let reg = Reg::new(&[("scopes/s.toml", &same), ("clients/c.toml", &client)]);
        let (_, json) = reg.lint_json();
        assert!(
            with_code(&json, "scope/claim-source-conflict").is_empty(),
            "{other}: {json:#}"
        );
    }
}

#[test]
fn rule_scope_registered_claim() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [\"region\", \"aud\", { name = \"client_id.x\", source = \"value\", value = \"v\" }]\n";
    let json = fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/registered-claim",
        "scopes/s.toml",
        5,
    );
    // `aud`, and `client_id.x` (nested under `client_id`), not `region`.
    assert_eq!(
        with_code(&json, "scope/registered-claim").len(),
        2,
        "{json:#}"
    );
    let as_is = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [{ name = \"acr\", source = \"as-is\" }]\n";
    let reg = Reg::new(&[("scopes/s.toml", as_is), ("clients/c.toml", CLIENT_OK)]);
    let (_, json) = reg.lint_json();
    assert!(
        with_code(&json, "scope/registered-claim").is_empty(),
        "{json:#}"
    );
}

#[test]
fn rule_client_pii_to_third_party() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nid_token = false\nclaims = [\"order_region\", \"email\"]\n";
    let third = CLIENT_OK.replace(
        "owner = \"team-shop\"\n",
        "owner = \"team-shop\"\nthird_party = true\n",
    );
    let json = fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", &third)],
        "client/pii-to-third-party",
        "clients/c.toml",
        8,
    );
    assert_eq!(with_code(&json, "client/pii-to-third-party").len(), 1);
    // A first-party client, or the claim kept out of access tokens: no finding.
    let reg = Reg::new(&[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)]);
    assert!(with_code(&reg.lint_json().1, "client/pii-to-third-party").is_empty());
    let not_access = scopes.replace(
        "\"email\"]",
        "{ name = \"email\", tokens = [\"userinfo\"] }]",
    );
    let reg = Reg::new(&[("scopes/s.toml", &not_access), ("clients/c.toml", &third)]);
    assert!(with_code(&reg.lint_json().1, "client/pii-to-third-party").is_empty());
}

#[test]
fn claim_tables_that_contradict_their_source_do_not_load() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nclaims = [\"region\", { name = \"region\", property = \"email\" }, { name = \"tier\", source = \"value\" }]\n";
    let reg = Reg::new(&[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2, "{json:#}");
    let c = codes(&json);
    assert!(c.iter().all(|c| c == "load/invalid-value"), "{json:#}");
    // listed twice; `property` with the attribute source; `value` missing.
    assert_eq!(c.len(), 3, "{json:#}");
}

#[test]
fn rule_scope_unknown_replacement() {
    let scopes = "[scopes.\"orders:read\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\ndeprecated = true\nreplaced_by = \"orders:view\"\n";
    fires(
        &[("scopes/s.toml", scopes), ("clients/c.toml", CLIENT_OK)],
        "scope/unknown-replacement",
        "scopes/s.toml",
        6,
    );
}

#[test]
fn rule_grant_undefined_scope_suggests_a_near_name() {
    let json = fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(FULL, "orders:raed")),
        ],
        "grant/undefined-scope",
        "clients/c.toml",
        6,
    );
    let d = &with_code(&json, "grant/undefined-scope")[0];
    assert_eq!(d["column"], 9);
    assert!(d["help"].as_str().unwrap_or("").contains("orders:read"));
}

#[test]
fn rule_grant_duplicate() {
    let c = format!("{CLIENT_OK}\n[[grants]]\nscope = \"orders:read\"\n{FULL}\n");
    fires(
        &[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", &c)],
        "grant/duplicate",
        "clients/c.toml",
        14,
    );
}

#[test]
fn rule_grant_missing_justification() {
    let fields =
        "approved_by = \"alice@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-05-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/missing-justification",
        "clients/c.toml",
        6,
    );
}

#[test]
fn rule_grant_missing_approver() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_on = 2026-11-01\nexpires = 2027-05-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/missing-approver",
        "clients/c.toml",
        6,
    );
    // The policy can waive approvers.
    let reg = Reg::new(&[
        ("scopectl.toml", "[policy]\nrequire_approver = false\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(fields, "orders:read")),
    ]);
    let (_, json) = reg.lint_json();
    assert!(with_code(&json, "grant/missing-approver").is_empty());
}

#[test]
fn rule_grant_missing_approval_date() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\nexpires = 2027-05-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/missing-approval-date",
        "clients/c.toml",
        9,
    );
}

#[test]
fn rule_grant_self_approval() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"Team-Shop\"\napproved_on = 2026-11-01\nexpires = 2027-05-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/self-approval",
        "clients/c.toml",
        8,
    );
}

#[test]
fn rule_grant_missing_expiry() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/missing-expiry",
        "clients/c.toml",
        6,
    );
}

#[test]
fn rule_grant_expired_uses_today() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-11-24";
    let json = fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/expired",
        "clients/c.toml",
        10,
    );
    let msg = with_code(&json, "grant/expired")[0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("1 day ago"), "{msg}");
    // The expiry date itself is the last valid day.
    let fields = fields.replace("2026-11-24", TODAY);
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(&fields, "orders:read")),
    ]);
    let (_, json) = reg.lint_json();
    assert!(with_code(&json, "grant/expired").is_empty());
    assert_eq!(with_code(&json, "grant/expiring").len(), 1);
}

#[test]
fn rule_grant_expiring() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2026-12-10";
    let json = fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/expiring",
        "clients/c.toml",
        10,
    );
    assert_eq!(json["summary"]["warnings"], 1);
}

#[test]
fn rule_grant_lifetime_policy_and_scope_max() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2028-01-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/lifetime",
        "clients/c.toml",
        10,
    );
    // The scope's own max_grant is tighter than the policy.
    let scope = format!("{SCOPE_OK}max_grant = \"30d\"\n");
    let json = fires(
        &[("scopes/s.toml", &scope), ("clients/c.toml", CLIENT_OK)],
        "grant/lifetime",
        "clients/c.toml",
        11,
    );
    let d = &with_code(&json, "grant/lifetime")[0];
    assert!(
        d["message"].as_str().unwrap_or("").contains("max_grant"),
        "{d}"
    );
    assert!(
        d["help"].as_str().unwrap_or("").contains("2026-12-01"),
        "{d}"
    );
}

#[test]
fn rule_grant_expires_before_approval() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-12-01\nexpires = 2026-11-30";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/expires-before-approval",
        "clients/c.toml",
        10,
    );
}

#[test]
fn rule_grant_approved_in_future() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-12-01\nexpires = 2027-05-01";
    fires(
        &[
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", &client(fields, "orders:read")),
        ],
        "grant/approved-in-future",
        "clients/c.toml",
        9,
    );
}

#[test]
fn rule_grant_deprecated_scope() {
    let scopes = format!("{SCOPE_OK}deprecated = true\n");
    fires(
        &[("scopes/s.toml", &scopes), ("clients/c.toml", CLIENT_OK)],
        "grant/deprecated-scope",
        "clients/c.toml",
        7,
    );
}

#[test]
fn rule_client_no_owner() {
    let c = CLIENT_OK.replace("owner = \"team-shop\"\n", "");
    fires(
        &[("scopes/s.toml", SCOPE_OK), ("clients/c.toml", &c)],
        "client/no-owner",
        "clients/c.toml",
        3,
    );
}

#[test]
fn rule_client_header_budget() {
    let mut scopes = String::new();
    let mut c = String::from("[client]\nid = \"bloated\"\nowner = \"team-shop\"\n");
    for i in 0..40 {
        let name = format!("resource-with-a-long-name-{i:02}:read");
        scopes.push_str(&format!(
            "[scopes.\"{name}\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\n"
        ));
        c.push_str(&format!("\n[[grants]]\nscope = \"{name}\"\n{FULL}\n"));
    }
    let policy = "[policy]\nheader_budget = 2048\n";
    fires(
        &[
            ("scopectl.toml", policy),
            ("scopes/s.toml", &scopes),
            ("clients/c.toml", &c),
        ],
        "client/header-budget",
        "clients/c.toml",
        2,
    );
}

#[test]
fn rule_levels_can_be_overridden() {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-11-01";
    let c = client(fields, "orders:read");
    // deny -> warn: the finding stays, the exit code is 0.
    let reg = Reg::new(&[
        ("scopectl.toml", "[rules]\n\"grant/expired\" = \"warn\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &c),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(with_code(&json, "grant/expired")[0]["severity"], "warning");
    assert_eq!(exit, 0);
    // allow: the rule does not run.
    let reg = Reg::new(&[
        ("scopectl.toml", "[rules]\n\"grant/expired\" = \"allow\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &c),
    ]);
    let (exit, json) = reg.lint_json();
    assert!(with_code(&json, "grant/expired").is_empty());
    assert_eq!(exit, 0);
    // warn -> deny: a warning becomes an error.
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2026-12-01";
    let reg = Reg::new(&[
        ("scopectl.toml", "[rules]\n\"grant/expiring\" = \"deny\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(fields, "orders:read")),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(with_code(&json, "grant/expiring")[0]["severity"], "error");
    assert_eq!(exit, 1);
}

#[test]
fn unknown_rule_in_policy_is_a_load_error_with_a_suggestion() {
    let reg = Reg::new(&[
        ("scopectl.toml", "[rules]\n\"grant/expird\" = \"warn\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let d = &with_code(&json, "load/unknown-rule")[0];
    assert_eq!(d["line"], 2);
    assert!(d["help"].as_str().unwrap_or("").contains("grant/expired"));
}

/// A lint command run on `reg` in `format`: (exit code, stdout).
fn lint_as(reg: &Reg, format: &str) -> (i32, String) {
    let out = scopectl()
        .args([
            "lint", "--color", "never", "--format", format, "--today", TODAY,
        ])
        .arg(reg.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// `[rules]` may name a token or key rule whose level is fixed (decode keeps it: what
/// decides whether a token is genuine or accepted): lint says the setting does nothing,
/// at the key, in every format. A fixed rule set to its own level changes nothing and
/// surprises no one: not warned.
#[test]
fn a_level_set_for_a_rule_that_is_not_configurable_is_a_load_warning_in_every_format() {
    let policy = "[rules]\n\"grant/expiring\" = \"deny\"\n\"token/signature-invalid\" = \"allow\"\n\"token/no-exp\" = \"deny\"\n  \"key/unpublished\" = \"warn\"\n";
    let reg = Reg::new(&[
        ("scopectl.toml", policy),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 0, "a warning: {json:#}");
    assert!(with_code(&json, "load/unknown-rule").is_empty(), "{json:#}");
    let found = with_code(&json, "load/rule-not-configurable");
    assert_eq!(found.len(), 2, "{json:#}");
    let (sig, key) = (found[0], found[1]);
    assert_eq!(sig["severity"], "warning");
    assert_eq!(sig["file"], "scopectl.toml");
    assert_eq!((&sig["line"], &sig["column"]), (&3.into(), &1.into()));
    assert_eq!((&key["line"], &key["column"]), (&5.into(), &3.into()));
    let message = sig["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("\"token/signature-invalid\" = \"allow\"")
            && message.contains("fixed at `deny`")
            && message.contains("no effect"),
        "{message}"
    );
    assert!(
        key["message"]
            .as_str()
            .unwrap_or_default()
            .contains("fixed at `deny`"),
        "{key:#}"
    );

    let (exit, human) = lint_as(&reg, "human");
    assert_eq!(exit, 0, "{human}");
    assert!(
        human.contains("warning[load/rule-not-configurable]: [rules] sets \"token/signature-invalid\" = \"allow\""),
        "{human}"
    );
    assert!(human.contains("scopectl.toml:3:1"), "{human}");
    assert!(human.contains("scopectl.toml:5:3"), "{human}");
    let (_, sarif) = lint_as(&reg, "sarif");
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let run = &sarif["runs"][0];
    let results: Vec<&serde_json::Value> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ruleId"] == "load/rule-not-configurable")
        .collect();
    assert_eq!(results.len(), 2, "{sarif:#}");
    assert_eq!(results[0]["level"], "warning");
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "scopectl.toml");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 1);
    let idx = results[0]["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(
        run["tool"]["driver"]["rules"][idx]["id"],
        "load/rule-not-configurable"
    );
    let (_, github) = lint_as(&reg, "github");
    assert!(
        github.contains(
            "::warning title=load/rule-not-configurable,file=scopectl.toml,line=3,col=1,"
        ),
        "{github}"
    );
    assert!(
        github.contains("title=load/rule-not-configurable,file=scopectl.toml,line=5,col=3,"),
        "{github}"
    );
    let (_, md) = lint_as(&reg, "markdown");
    assert!(
        md.contains("| warning | `load/rule-not-configurable` | scopectl.toml:3:1 |"),
        "{md}"
    );
    assert!(
        md.contains("| warning | `load/rule-not-configurable` | scopectl.toml:5:3 |"),
        "{md}"
    );
    // `--deny-warnings` fails the run on it, as on any warning.
    let out = scopectl()
        .args(["lint", "--deny-warnings", "--today", TODAY])
        .arg(reg.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
}

/// The warning is a rule like the others: `allow` silences it, `deny` makes the policy
/// file a load error (exit 2).
#[test]
fn the_not_configurable_warning_is_itself_configurable() {
    let reg = |level: &str| {
        Reg::new(&[
            (
                "scopectl.toml",
                &format!("[rules]\n\"load/rule-not-configurable\" = \"{level}\"\n\"token/expired\" = \"allow\"\n"),
            ),
            ("scopes/s.toml", SCOPE_OK),
            ("clients/c.toml", CLIENT_OK),
        ])
    };
    let (exit, json) = reg("allow").lint_json();
    assert_eq!(codes(&json), Vec::<String>::new(), "{json:#}");
    assert_eq!(exit, 0);
    let (exit, json) = reg("deny").lint_json();
    let found = with_code(&json, "load/rule-not-configurable");
    assert_eq!(found.len(), 1, "{json:#}");
    assert_eq!(found[0]["severity"], "error");
    assert_eq!(found[0]["line"], 3);
    assert_eq!(exit, 2);
}

/// Ids that are rules but not lint or token rules (load problems, diff findings) cannot
/// be set at all: still a load error, which says what the id is rather than that it is
/// no rule.
#[test]
fn a_load_rule_in_rules_is_an_error_that_names_it_a_rule() {
    let reg = Reg::new(&[
        ("scopectl.toml", "[rules]\n\"load/syntax\" = \"warn\"\n"),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
    ]);
    let (exit, json) = reg.lint_json();
    assert_eq!(exit, 2);
    let d = &with_code(&json, "load/unknown-rule")[0];
    assert_eq!(d["line"], 2);
    let message = d["message"].as_str().unwrap_or_default();
    assert!(!message.contains("is not a scopectl rule"), "{message}");
    assert!(message.contains("fixed at `deny`"), "{message}");
}

#[test]
fn list_rules_shows_every_rule() {
    let out = scopectl()
        .args(["lint", "--list-rules", "--format", "json"])
        .output()
        .expect("run");
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let ids: Vec<&str> = rules
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"grant/expired") && ids.contains(&"client/header-budget"));
    let out = scopectl()
        .args(["lint", "--list-rules"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ids {
        assert!(text.contains(id), "{id} missing from the table");
    }
    // Piped (as here), the table fits 120 columns; long summaries wrap.
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 120, "{widest} columns:\n{text}");
}

fn expired_registry() -> Reg {
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-11-01";
    Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(fields, "orders:read")),
    ])
}

#[test]
fn human_output_is_rustc_style_with_snippet_and_help() {
    let (exit, text) = expired_registry().lint_human();
    assert_eq!(exit, 1);
    assert!(text.contains("error[grant/expired]"), "{text}");
    assert!(text.contains("clients/c.toml:10:11"), "{text}");
    assert!(text.contains("expires = 2026-11-01"), "{text}");
    assert!(text.contains("help: remove the grant"), "{text}");
    assert!(text.contains("failed: 1 error, 0 warnings"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let reg = expired_registry();
    let out = scopectl()
        .args(["lint", "--color", "always", "--today", TODAY])
        .arg(reg.path())
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let out = scopectl()
        .env("NO_COLOR", "1")
        .args(["lint", "--today", TODAY])
        .arg(reg.path())
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let reg = expired_registry();
    let out = scopectl()
        .args([
            "lint",
            "--format",
            "sarif",
            "--today",
            TODAY,
            "--path-prefix",
            "registry",
        ])
        .arg(reg.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "scopectl");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "grant/expired");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "registry/clients/c.toml");
    assert_eq!(loc["region"]["startLine"], 10);
    assert_eq!(loc["region"]["startColumn"], 11);
    let idx = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], "grant/expired");
}

#[test]
fn github_output_is_workflow_annotations() {
    let reg = expired_registry();
    let out = scopectl()
        .args([
            "lint",
            "--format",
            "github",
            "--today",
            TODAY,
            "--path-prefix",
            "reg",
        ])
        .arg(reg.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error title=grant/expired,file=reg/clients/c.toml,line=10,col=11,"),
        "{text}"
    );
    assert!(
        text.contains("%0Ahelp: "),
        "multi-line messages are escaped: {text}"
    );
}

#[test]
fn json_output_has_a_stable_shape() {
    let (exit, json) = expired_registry().lint_json();
    assert_eq!(exit, 1);
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"], "scopectl");
    assert_eq!(json["today"], TODAY);
    let d = &json["diagnostics"][0];
    for key in [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "help",
        "notes",
    ] {
        assert!(d.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn missing_registry_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = scopectl()
        .arg("lint")
        .arg(dir.path().join("nope"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open registry"));
    let out = scopectl()
        .arg("lint")
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a scopectl registry"));
}

#[test]
fn bad_today_is_a_usage_error() {
    let out = scopectl()
        .args(["lint", "--today", "2026-13-01"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn readme_documents_every_rule() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    for r in scopectl::lint::rules() {
        let row = format!(
            "| `{}` | {} | {} |",
            r.id(),
            r.level().as_str(),
            r.summary()
        );
        assert!(
            readme.contains(&row),
            "README rule table is missing or stale: {row}"
        );
    }
}

#[test]
fn annotations_name_files_relative_to_the_git_work_tree() {
    let repo = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(repo.path()).expect("git init");
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-11-01";
    common::write(
        repo.path(),
        "infra/oauth/scopes/s.toml",
        SCOPE_OK.as_bytes(),
    );
    common::write(
        repo.path(),
        "infra/oauth/clients/c.toml",
        client(fields, "orders:read").as_bytes(),
    );
    let out = scopectl()
        .args(["lint", "--format", "github", "--today", TODAY])
        .arg(repo.path().join("infra/oauth"))
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("file=infra/oauth/clients/c.toml,"), "{text}");
}

#[test]
fn registry_flag_is_the_same_as_the_path_argument() {
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", TODAY, "--registry"])
        .arg(common::example_registry())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn list_rules_shows_the_levels_a_registry_sets() {
    let reg = Reg::new(&[
        (
            "scopectl.toml",
            "[rules]\n\"grant/expiring\" = \"deny\"\n\"scope/unused\" = \"allow\"\n",
        ),
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", CLIENT_OK),
    ]);
    let out = scopectl()
        .args(["lint", "--list-rules", "--format", "json"])
        .arg(reg.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = |id: &str| {
        rules
            .as_array()
            .expect("array")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed"))
    };
    assert_eq!(row("grant/expiring")["level"], "deny");
    assert_eq!(row("grant/expiring")["default_level"], "warn");
    assert_eq!(row("scope/unused")["level"], "allow");
    assert_eq!(row("grant/expired")["level"], "deny");
    assert_eq!(row("load/syntax")["configurable"], false);
    let out = scopectl()
        .args(["lint", "--list-rules"])
        .arg(reg.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("grant/expiring"))
        .expect("row");
    assert!(line.contains("deny") && line.contains("warn"), "{line}");
}

#[test]
fn sarif_has_a_rule_entry_for_every_result_load_problems_too() {
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        (
            "clients/c.toml",
            "[client]\nid = \"c\"\nowner = \"team\"\nexpiers = 1\n",
        ),
    ]);
    let out = scopectl()
        .args(["lint", "--format", "sarif"])
        .arg(reg.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["ruleId"] == "load/unknown-key"),
        "{results:?}"
    );
    for r in results {
        let index = r["ruleIndex"]
            .as_u64()
            .expect("every result has a ruleIndex") as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let uri = rules[index]["helpUri"].as_str().expect("helpUri");
        let anchor = uri.rsplit_once('#').expect("anchor").1;
        let docs = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"),
        )
        .expect("docs/rules.md");
        assert!(docs.contains(&format!("<a id=\"{anchor}\"></a>")), "{uri}");
    }
}

/// Thousands of findings on one long line: human output used to re-print the whole line
/// for every finding (gigabytes); now lines are cut around the span and at most 50
/// findings of a file are shown, the rest counted. JSON stays complete.
#[test]
fn many_findings_on_one_long_line_render_in_bounded_size() {
    let grants: Vec<String> = (0..4000)
        .map(|i| format!("{{scope = \"undefined-resource-number-{i}:read\", ticket = \"T-{i}\"}}"))
        .collect();
    let client = format!(
        "grants = [{}]\n[client]\nid = \"c\"\nowner = \"o\"\n",
        grants.join(", ")
    );
    let reg = Reg::new(&[("clients/c.toml", &client)]);
    let (exit, human) = reg.lint_human();
    assert_eq!(exit, 1);
    assert!(
        human.len() <= client.len() / 4,
        "human output of {} bytes for {} bytes of input",
        human.len(),
        client.len()
    );
    assert!(
        human.contains("more in clients/c.toml"),
        "{}",
        &human[human.len() - 500..]
    );
    let (_, json) = reg.lint_json();
    let total = json["diagnostics"].as_array().map(Vec::len).unwrap_or(0);
    assert!(total >= 16_000, "{total}");
    assert!(
        human.contains(&format!("failed: {total} errors")),
        "{}",
        &human[human.len() - 200..]
    );
    // No shown source line is longer than the context (plus the gutter and `…`).
    let longest = human.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 200, "a line of {longest} characters");
}

/// "Did you mean" used to compare every undefined name with every scope in full
/// (40 names of 4,000 characters took 35 s); now long names get no suggestion and the
/// work of a run is bounded.
#[test]
fn did_you_mean_is_bounded_for_long_and_many_names() {
    let long = |i: usize| format!("res:{}{i:05}", "a".repeat(4000));
    let near = |i: usize| format!("res:{}{i:05}", "b".repeat(118));
    let mut scopes = String::new();
    for i in 0..400 {
        scopes.push_str(&format!(
            "[scopes.\"{}\"]\ndescription = \"d\"\nowner = \"o\"\nsensitivity = \"low\"\n",
            long(i)
        ));
    }
    for i in 0..3000 {
        scopes.push_str(&format!(
            "[scopes.\"{}\"]\ndescription = \"d\"\nowner = \"o\"\nsensitivity = \"low\"\n",
            near(i)
        ));
    }
    let mut client = String::from("[client]\nid = \"c\"\nowner = \"o\"\n");
    for i in 0..40 {
        client.push_str(&format!("[[grants]]\nscope = \"{}x\"\n", long(i)));
    }
    for i in 0..2000 {
        client.push_str(&format!("[[grants]]\nscope = \"{}x\"\n", near(i)));
    }
    let sources = vec![
        scopectl::registry::Source {
            path: "scopes/s.toml".into(),
            bytes: Ok(scopes.into_bytes()),
        },
        scopectl::registry::Source {
            path: "clients/c.toml".into(),
            bytes: Ok(client.into_bytes()),
        },
    ];
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let loaded = scopectl::registry::Registry::load(sources);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
        let found = scopectl::lint::check(&loaded.registry, today);
        let _ = tx.send(found.len());
    });
    let n = rx
        .recv_timeout(std::time::Duration::from_secs(120))
        .expect("lint finished within 120 s");
    assert!(n >= 2040, "{n}");
}

#[test]
fn deny_warnings_makes_warnings_fail_the_run() {
    // A grant expiring within the window is a warning: exit 0, or 1 with --deny-warnings.
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2026-12-01";
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(fields, "orders:read")),
    ]);
    let run = |extra: &[&str]| {
        scopectl()
            .args(["lint", "--today", TODAY])
            .args(extra)
            .arg(reg.path())
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(run(&[]), Some(0));
    assert_eq!(run(&["--deny-warnings"]), Some(1));
}

#[test]
fn markdown_output_is_a_table_with_every_value_escaped() {
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        (
            "clients/<img src=x>[link](https:evil).toml",
            &client("justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-01-01\nexpires = 2026-11-01", "orders:read"),
        ),
    ]);
    let out = scopectl()
        .args(["lint", "--format", "markdown", "--today", TODAY])
        .arg(reg.path())
        .output()
        .expect("run");
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{md}");
    assert!(
        md.starts_with("## scopectl lint: failed\n\n1 error(s), 0 warning(s).\n"),
        "{md}"
    );
    assert!(md.contains("| severity | rule | where | message |"), "{md}");
    assert!(md.contains("| error | `grant/expired` |"), "{md}");
    assert!(!md.contains("<img"), "{md}");
    assert!(!md.contains("](https:evil)"), "{md}");
}

#[test]
fn quiet_shows_only_what_fails_the_run() {
    // A grant expiring soon (a warning): nothing at all with --quiet.
    let fields = "justification = \"Reads orders for the shop (T-1)\"\napproved_by = \"a@example.com\"\napproved_on = 2026-11-01\nexpires = 2026-12-01";
    let reg = Reg::new(&[
        ("scopes/s.toml", SCOPE_OK),
        ("clients/c.toml", &client(fields, "orders:read")),
    ]);
    let run = |args: &[&str]| {
        let out = scopectl()
            .args(["lint", "--today", TODAY])
            .args(args)
            .arg(reg.path())
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&["--quiet"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (Some(0), "", ""));
    let (_, stdout, _) = run(&[]);
    assert!(stdout.contains("warning[grant/expiring]"), "{stdout}");
    // An error is shown, the warning is not.
    reg.write(
        "clients/d.toml",
        client(fields, "orders:read")
            .replace("id = \"shop\"", "id = \"other\"")
            .replace("expires = 2026-12-01", "expires = 2026-11-01")
            .as_bytes(),
    );
    let (code, stdout, _) = run(&["-q"]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("error[grant/expired]"), "{stdout}");
    assert!(!stdout.contains("grant/expiring"), "{stdout}");
}
