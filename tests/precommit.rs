//! What the pre-commit hooks and pull-request checks judge: `lint --staged` reads the git
//! index (not the work tree), time-based findings only for what the commit touches, and
//! `--changed-since REV`. Real repositories built with git2.

mod common;

use std::path::Path;

use common::{codes, scopectl, TestRepo, CLIENT_OK, POLICY, SCOPE_OK, TODAY};

const SCOPES: &str = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."billing:read"]
description = "Read invoices"
owner = "team-payments"
sensitivity = "low"
"#;

/// A client `id` holding `billing:read` until `expires`, with `extra` grant fields.
fn billing_client(id: &str, expires: &str, extra: &str) -> String {
    format!(
        "[client]\nid = \"{id}\"\nowner = \"team-{id}\"\n\n[[grants]]\nscope = \"billing:read\"\njustification = \"Invoices (PAY-1)\"\napproved_by = \"carol@example.com\"\napproved_on = 2026-06-01\nexpires = {expires}\n{extra}"
    )
}

/// A committed registry: `shop` (clean) and `billing` (its grant expired 2026-11-01).
fn repo(sub: &str) -> TestRepo {
    let t = TestRepo::new(sub);
    if !sub.is_empty() {
        std::fs::write(t.root().join("README.md"), "a larger repository\n").unwrap();
    }
    t.write("scopectl.toml", POLICY);
    t.write("scopes/all.toml", SCOPES);
    t.write("clients/shop.toml", CLIENT_OK);
    t.write(
        "clients/billing.toml",
        &billing_client("billing", "2026-11-01", ""),
    );
    t.commit("Alice", "alice@example.com", "Initial registry");
    t
}

/// Stage one registry file (path relative to the registry folder) as it is on disk.
fn stage(t: &TestRepo, rel: &str) {
    let mut index = t.repo.index().unwrap();
    let path = if t.sub.is_empty() {
        rel.to_string()
    } else {
        format!("{}/{rel}", t.sub)
    };
    index.add_path(Path::new(&path)).unwrap();
    index.write().unwrap();
}

/// `scopectl lint --format json --today TODAY ARGS… REGISTRY` run at the repository root:
/// (exit code, codes, stderr).
fn lint(t: &TestRepo, args: &[&str]) -> (i32, Vec<String>, String) {
    let out = scopectl()
        .current_dir(t.root())
        .env_remove("GIT_INDEX_FILE")
        .args(["lint", "--format", "json", "--today", TODAY])
        .args(args)
        .arg(t.registry())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {stderr}"));
    (out.status.code().unwrap_or(-1), codes(&json), stderr)
}

const ADMIN_GRANT: &str = "\n[[grants]]\nscope = \"admin\"\njustification = \"Everything\"\napproved_by = \"alice@example.com\"\napproved_on = 2026-11-01\nexpires = 2027-05-01\n";

#[test]
fn staged_bad_with_good_work_tree_is_caught() {
    for sub in ["", "infra/oauth"] {
        let t = repo(sub);
        t.write("clients/shop.toml", &format!("{CLIENT_OK}{ADMIN_GRANT}"));
        stage(&t, "clients/shop.toml");
        t.write("clients/shop.toml", CLIENT_OK); // good file restored, unstaged
        let (code, found, _) = lint(&t, &["--staged"]);
        assert_eq!(code, 1, "{sub}: {found:?}");
        assert!(
            found.contains(&"grant/undefined-scope".to_string()),
            "{found:?}"
        );
        // The work tree itself is clean (but for the expired grant, untouched).
        let (_, found, _) = lint(&t, &[]);
        assert!(!found.contains(&"grant/undefined-scope".to_string()));
    }
}

#[test]
fn a_staged_hidden_file_is_reported_not_skipped() {
    let t = repo("");
    t.write("clients/.partner.toml", CLIENT_OK);
    stage(&t, "clients/.partner.toml");
    let (_, found, out) = lint(&t, &["--staged"]);
    assert!(
        found.contains(&"load/ignored-file".to_string()),
        "{found:?} {out}"
    );
}

#[test]
fn staged_good_with_bad_work_tree_passes() {
    let t = repo("infra/oauth");
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("Shows orders (SHOP-1)", "Shows orders (SHOP-2)"),
    );
    stage(&t, "clients/shop.toml");
    t.write("clients/shop.toml", &format!("{CLIENT_OK}{ADMIN_GRANT}"));
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!(code, 0, "{found:?}");
    let (code, _, _) = lint(&t, &[]);
    assert_eq!(code, 1);
}

#[test]
fn staged_reports_expiry_only_for_what_the_commit_touches() {
    let t = repo("");
    // A commit that changes only `shop`: billing's expired grant is not its business.
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("Shows orders (SHOP-1)", "Shows orders (SHOP-2)"),
    );
    stage(&t, "clients/shop.toml");
    let (code, found, stderr) = lint(&t, &["--staged"]);
    assert_eq!(code, 0, "{found:?}");
    assert!(found.is_empty(), "{found:?}");
    assert!(stderr.contains("1 finding(s)"), "{stderr}");
    // A full lint still reports it.
    let (code, found, _) = lint(&t, &[]);
    assert_eq!((code, found), (1, vec!["grant/expired".to_string()]));
    // Touching billing's file (even another field) brings its expiry back.
    t.write(
        "clients/billing.toml",
        &billing_client("billing", "2026-11-01", "ticket = \"PAY-2\"\n"),
    );
    stage(&t, "clients/billing.toml");
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!((code, found), (1, vec!["grant/expired".to_string()]));
}

/// A `[rules]` level that has no effect (a token rule whose level is fixed) is said by
/// the hook, from the staged policy file, and again when a later commit does not touch
/// the policy (load problems are never left out).
#[test]
fn staged_says_a_level_set_for_a_rule_that_is_not_configurable_has_no_effect() {
    let t = repo("infra/oauth");
    let policy = format!("{POLICY}\n[rules]\n\"token/expired\" = \"allow\"\n");
    t.write("scopectl.toml", &policy);
    stage(&t, "scopectl.toml");
    t.write("scopectl.toml", POLICY); // the work tree does not have it
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!(code, 1, "billing's expiry: the policy changed {found:?}");
    assert!(
        found.contains(&"load/rule-not-configurable".to_string()),
        "{found:?}"
    );
    let (_, found, _) = lint(&t, &[]);
    assert!(
        !found.contains(&"load/rule-not-configurable".to_string()),
        "{found:?}"
    );
    t.write("scopectl.toml", &policy);
    t.commit("Alice", "alice@example.com", "Tolerate expired tokens");
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("Shows orders (SHOP-1)", "Shows orders (SHOP-2)"),
    );
    stage(&t, "clients/shop.toml");
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!(
        (code, found),
        (0, vec!["load/rule-not-configurable".to_string()])
    );
}

#[test]
fn staged_still_applies_every_other_rule_to_untouched_clients() {
    let t = repo("");
    // A self-approved grant committed earlier (say, with --no-verify).
    t.write(
        "clients/billing.toml",
        &billing_client("billing", "2027-05-01", "").replace("carol@example.com", "team-billing"),
    );
    t.commit("Bob", "bob@example.com", "Self-approve");
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("Shows orders (SHOP-1)", "Shows orders (SHOP-2)"),
    );
    stage(&t, "clients/shop.toml");
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!((code, found), (1, vec!["grant/self-approval".to_string()]));
}

#[test]
fn changed_since_limits_findings_to_subjects_touched_since_rev() {
    let t = repo("infra/oauth");
    let base = t.repo.head().unwrap().target().unwrap().to_string();
    // A new client with a grant missing its justification.
    t.write(
        "clients/crm.toml",
        &billing_client("crm", "2027-05-01", "")
            .replace("justification = \"Invoices (PAY-1)\"\n", ""),
    );
    t.commit("Bob", "bob@example.com", "Add crm");
    let (code, found, stderr) = lint(&t, &["--changed-since", &base]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        vec!["grant/missing-justification".to_string()],
        "{stderr}"
    );
    let (_, found, _) = lint(&t, &["--changed-since", "HEAD"]);
    assert!(found.is_empty(), "{found:?}");
    let (_, found, _) = lint(&t, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    // A policy change re-evaluates everything.
    t.write("scopectl.toml", &POLICY.replace("30d", "14d"));
    let (_, found, _) = lint(&t, &["--changed-since", "HEAD"]);
    assert_eq!(found.len(), 2, "{found:?}");
    // An unknown revision is a usage error.
    let (code, _, _) = {
        let out = scopectl()
            .current_dir(t.root())
            .args(["lint", "--changed-since", "nope"])
            .arg(t.registry())
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), (), ())
    };
    assert_eq!(code, 2);
}

#[test]
fn staged_in_a_repository_without_commits_judges_everything() {
    let t = TestRepo::new("");
    t.write("scopectl.toml", POLICY);
    t.write("scopes/all.toml", SCOPE_OK);
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("2027-05-01", "2026-11-20"),
    );
    stage(&t, "scopectl.toml");
    stage(&t, "scopes/all.toml");
    stage(&t, "clients/shop.toml");
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!((code, found), (1, vec!["grant/expired".to_string()]));
}

/// `scopectl init ARGS…` run in `cwd`: (exit code, stdout).
fn init(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = scopectl()
        .current_dir(cwd)
        .arg("init")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn init_in_a_subfolder_hooks_the_repository_root() {
    let t = TestRepo::new("");
    std::fs::write(t.root().join("README.md"), "a larger repository\n").unwrap();
    t.commit("Alice", "alice@example.com", "Start");
    let (code, stdout) = init(t.root(), &["infra/oauth"]);
    assert_eq!(code, 0, "{stdout}");
    let config = std::fs::read_to_string(t.root().join(".pre-commit-config.yaml")).unwrap();
    assert!(
        config.contains("entry: scopectl lint --staged infra/oauth\n"),
        "{config}"
    );
    assert!(
        config.contains(
            r"files: '^infra/oauth/(scopectl\.toml|scopes/|clients/|teams/|reviews/|apis/)'"
        ),
        "{config}"
    );
    assert!(!t
        .root()
        .join("infra/oauth/.pre-commit-config.yaml")
        .exists());
    assert!(
        stdout.contains("git config core.hooksPath infra/oauth/hooks"),
        "{stdout}"
    );
    assert!(stdout.contains("scopectl lint infra/oauth"), "{stdout}");
    assert!(!stdout.contains("not inside a git repository"), "{stdout}");

    // The plain hook, run as git runs it (from the root, by its path under core.hooksPath),
    // lints what is staged in the subfolder registry.
    let bin = assert_cmd::cargo::cargo_bin("scopectl");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run_hook = || {
        std::process::Command::new("sh")
            .arg("infra/oauth/hooks/pre-commit")
            .current_dir(t.root())
            .env("PATH", &path)
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap()
    };
    let mut index = t.repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let out = run_hook();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let client = t.root().join("infra/oauth/clients/example-app.toml");
    let good = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, format!("{good}{ADMIN_GRANT}")).unwrap();
    index
        .add_path(Path::new("infra/oauth/clients/example-app.toml"))
        .unwrap();
    index.write().unwrap();
    std::fs::write(&client, good).unwrap();
    let out = run_hook();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn init_appends_to_an_existing_pre_commit_config_and_never_replaces_it() {
    let t = TestRepo::new("");
    let original = "repos:\n- repo: https://github.com/psf/black\n  rev: 24.1.0\n  hooks:\n  - id: black\n\ndefault_stages: [pre-commit]\n";
    std::fs::write(t.root().join(".pre-commit-config.yaml"), original).unwrap();
    let (code, stdout) = init(t.root(), &["oauth"]);
    assert_eq!(code, 0, "{stdout}");
    let config = std::fs::read_to_string(t.root().join(".pre-commit-config.yaml")).unwrap();
    assert!(
        config.starts_with("repos:\n- repo: https://github.com/psf/black\n  rev: 24.1.0\n  hooks:\n  - id: black\n- repo: local\n"),
        "{config}"
    );
    assert!(config.contains("    - id: scopectl-lint\n"), "{config}");
    assert!(
        config.contains("      entry: scopectl lint --staged oauth\n"),
        "{config}"
    );
    assert!(
        config.ends_with("\ndefault_stages: [pre-commit]\n"),
        "{config}"
    );
    assert!(stdout.contains("added the scopectl-lint hook"), "{stdout}");
    // Again, with --force: the registry is rewritten, the configuration is not touched.
    let (code, stdout) = init(t.root(), &["--force", "oauth"]);
    assert_eq!(code, 0, "{stdout}");
    let again = std::fs::read_to_string(t.root().join(".pre-commit-config.yaml")).unwrap();
    assert_eq!(again, config);
    assert!(stdout.contains("already has a scopectl hook"), "{stdout}");
    // A configuration it cannot safely add to is left alone, with the block to add.
    let flow = "repos: []\n";
    std::fs::write(t.root().join(".pre-commit-config.yaml"), flow).unwrap();
    let (code, stdout) = init(t.root(), &["--force", "oauth"]);
    assert_eq!(code, 0, "{stdout}");
    let after = std::fs::read_to_string(t.root().join(".pre-commit-config.yaml")).unwrap();
    assert_eq!(after, flow);
    assert!(
        stdout.contains("entry: scopectl lint --staged oauth"),
        "{stdout}"
    );
}

#[test]
fn init_outside_a_repository_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = init(dir.path(), &["reg"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("is not inside a git repository"),
        "{stdout}"
    );
    let config = std::fs::read_to_string(dir.path().join("reg/.pre-commit-config.yaml")).unwrap();
    assert!(
        config.contains("entry: scopectl lint --staged\n"),
        "{config}"
    );
    assert!(
        config.contains(r"files: '^(scopectl\.toml|scopes/|clients/|teams/|reviews/|apis/)'"),
        "{config}"
    );
}

/// `git ARGS…` in `dir` with a fixed identity; PATH puts the scopectl under test first.
fn git(dir: &Path, args: &[&str], pre_commit_home: &Path) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("scopectl");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Alice",
            "-c",
            "user.email=alice@example.com",
        ])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", pre_commit_home)
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .output()
        .unwrap()
}

/// The hook `init` writes, through the real pre-commit framework (installed from PyPI by
/// `scripts/test`) and a real `git commit`: a staged bad grant is refused even with the
/// good file restored in the work tree, in a registry in a subfolder; a good change passes.
#[test]
fn the_real_pre_commit_framework_blocks_a_staged_bad_grant_in_a_subfolder_registry() {
    let pre_commit = common::env_or_panic(
        "SCOPECTL_TEST_PRE_COMMIT",
        "the pre-commit framework that `scripts/test` installs from PyPI",
    );
    let t = TestRepo::new("");
    let home = tempfile::tempdir().unwrap();
    std::fs::write(t.root().join("README.md"), "a larger repository\n").unwrap();
    let (code, stdout) = init(t.root(), &["infra/oauth"]);
    assert_eq!(code, 0, "{stdout}");
    let out = std::process::Command::new(&pre_commit)
        .arg("install")
        .current_dir(t.root())
        .env("PRE_COMMIT_HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "pre-commit install: {out:?}");
    let out = git(t.root(), &["add", "-A"], home.path());
    assert!(out.status.success(), "{out:?}");
    let out = git(t.root(), &["commit", "-q", "-m", "Registry"], home.path());
    let said = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
    };
    assert!(
        out.status.success(),
        "the clean registry commits: {}",
        said(&out)
    );
    assert!(said(&out).contains("scopectl lint"), "{}", said(&out));

    // Stage a grant of `admin`, then restore the good file in the work tree only.
    let client = t.root().join("infra/oauth/clients/example-app.toml");
    let good = std::fs::read_to_string(&client).unwrap();
    std::fs::write(&client, format!("{good}{ADMIN_GRANT}")).unwrap();
    let out = git(
        t.root(),
        &["add", "infra/oauth/clients/example-app.toml"],
        home.path(),
    );
    assert!(out.status.success(), "{out:?}");
    std::fs::write(&client, &good).unwrap();
    let out = git(
        t.root(),
        &["commit", "-q", "-m", "Grant admin"],
        home.path(),
    );
    assert!(
        !out.status.success(),
        "the bad grant was committed: {}",
        said(&out)
    );
    assert!(
        said(&out).contains("grant/undefined-scope"),
        "{}",
        said(&out)
    );
    let head = git(t.root(), &["log", "--format=%s", "-1"], home.path());
    assert_eq!(String::from_utf8_lossy(&head.stdout).trim(), "Registry");

    // Stage the good file again: the commit goes through.
    let out = git(
        t.root(),
        &["add", "infra/oauth/clients/example-app.toml"],
        home.path(),
    );
    assert!(out.status.success(), "{out:?}");
    std::fs::write(t.root().join("README.md"), "a larger repository, changed\n").unwrap();
    let out = git(t.root(), &["commit", "-q", "-a", "-m", "Docs"], home.path());
    assert!(out.status.success(), "{}", said(&out));
}

const SHOP_API: &str = "openapi: 3.0.3
info: {title: shop, version: '1'}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://id.example.com/token
          scopes: {orders:read: Read orders}
paths:
  /orders:
    get:
      security: [{oauth: [orders:read]}]
";

/// `--staged` reads an API's OpenAPI file (here outside the registry folder) from the
/// index too: what the commit records, not what the work tree holds.
#[test]
fn staged_openapi_files_are_read_from_the_index() {
    let t = repo("infra/oauth");
    t.write(
        "apis/shop.toml",
        "[apis.shop]\naudience = \"shop-api\"\nopenapi = [\"../../api/shop.yaml\"]\n",
    );
    let spec = t.root().join("api/shop.yaml");
    std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
    let needs_admin = SHOP_API.replace("oauth: [orders:read]", "oauth: [admin]");
    assert_ne!(needs_admin, SHOP_API);
    std::fs::write(&spec, &needs_admin).unwrap();
    stage(&t, "apis/shop.toml");
    let mut index = t.repo.index().unwrap();
    index.add_path(Path::new("api/shop.yaml")).unwrap();
    index.write().unwrap();
    std::fs::write(&spec, SHOP_API).unwrap(); // fixed on disk, not staged
    let undefined = "api/undefined-scope".to_string();
    let (code, found, _) = lint(&t, &["--staged"]);
    assert_eq!(code, 1, "{found:?}");
    assert!(found.contains(&undefined), "{found:?}");
    let (_, found, _) = lint(&t, &[]);
    assert!(!found.contains(&undefined), "{found:?}");
    // The other way round: staged good, work tree bad.
    let mut index = t.repo.index().unwrap();
    index.add_path(Path::new("api/shop.yaml")).unwrap();
    index.write().unwrap();
    std::fs::write(&spec, &needs_admin).unwrap();
    let (_, found, _) = lint(&t, &["--staged"]);
    assert!(!found.contains(&undefined), "{found:?}");
    // A file the index does not hold is a clear load error, not a silent pass.
    let mut index = t.repo.index().unwrap();
    index.remove_path(Path::new("api/shop.yaml")).unwrap();
    index.write().unwrap();
    let out = scopectl()
        .current_dir(t.root())
        .env_remove("GIT_INDEX_FILE")
        .args(["lint", "--staged", "--today", TODAY])
        .arg(t.registry())
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("is not staged"), "{text}");
}

const CLOSED_REVIEW: &str = "[review]\nstarted_on = 2026-11-01\ndue = 2026-11-30\nclosed_on = 2026-11-20\ndefault = \"revoke\"\n\n[[entries]]\nclient = \"shop\"\nscope = \"orders:read\"\ndecision = \"keep\"\ndecided_by = \"carol@example.com\"\ndecided_on = 2026-11-10\noutcome = \"kept\"\n";

/// A closed access-review campaign is evidence: the hook and the pull-request check say so
/// when a change edits or removes one (`diff` fails on it as `diff/review-rewritten`).
#[test]
fn the_hook_and_the_pull_request_check_tell_a_closed_campaign_edited() {
    let t = repo("");
    t.write("reviews/2026-q4.toml", CLOSED_REVIEW);
    t.commit("Sec", "sec@example.com", "Close access review 2026-q4");
    let rewritten = |found: &[String]| found.iter().any(|c| c == "diff/review-rewritten");
    // Another file staged: nothing to say.
    t.write(
        "clients/shop.toml",
        &CLIENT_OK.replace("Shows orders (SHOP-1)", "Shows orders (SHOP-2)"),
    );
    stage(&t, "clients/shop.toml");
    let (_, found, _) = lint(&t, &["--staged"]);
    assert!(!rewritten(&found), "{found:?}");

    // The campaign's decision backdated and staged.
    t.write(
        "reviews/2026-q4.toml",
        &CLOSED_REVIEW.replace("decided_on = 2026-11-10", "decided_on = 2026-11-01"),
    );
    stage(&t, "reviews/2026-q4.toml");
    let (_, found, _) = lint(&t, &["--staged"]);
    assert!(rewritten(&found), "{found:?}");
    let (code, _, _) = lint(&t, &["--staged", "--deny-warnings"]);
    assert_eq!(code, 1);
    let (_, found, _) = lint(&t, &["--changed-since", "HEAD"]);
    assert!(rewritten(&found), "{found:?}");
    // A full lint has no history to compare with.
    let (_, found, _) = lint(&t, &[]);
    assert!(!rewritten(&found), "{found:?}");

    // Removed from the work tree: the pull-request check says so too.
    t.remove("reviews/2026-q4.toml");
    let out = scopectl()
        .current_dir(t.root())
        .args(["lint", "--today", TODAY, "--changed-since", "HEAD"])
        .arg(t.registry())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("review 2026-q4, closed on 2026-11-20, is removed by the changes since HEAD"),
        "{text}"
    );
}

/// The hooks' `files:` filters decide whether pre-commit runs the hook at all: each must
/// name every folder the registry reads (a commit touching only `apis/` or `reviews/`
/// was not linted).
#[test]
fn hook_file_filters_name_every_registry_folder() {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let shipped_files = shipped
        .lines()
        .find(|l| l.trim_start().starts_with("files:"))
        .expect("a files: line")
        .to_string();
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout) = init(dir.path(), &["reg"]);
    assert_eq!(code, 0, "{stdout}");
    let config = std::fs::read_to_string(dir.path().join("reg/.pre-commit-config.yaml")).unwrap();
    let init_files = config
        .lines()
        .find(|l| l.trim_start().starts_with("files:"))
        .expect("a files: line")
        .to_string();
    for filter in [&shipped_files, &init_files] {
        assert!(filter.contains(r"scopectl\.toml"), "{filter}");
        for folder in scopectl::registry::REGISTRY_DIRS {
            assert!(
                filter.contains(&format!("|{folder}/")),
                "{folder}: {filter}"
            );
        }
    }
}
