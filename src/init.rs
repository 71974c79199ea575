//! `scopectl init`: lay out a new registry that lints clean, and hook it into the git
//! repository it is in: a pre-commit entry at the repository root (appended to an existing
//! `.pre-commit-config.yaml`, never replacing it), a plain git hook, and next steps that
//! work in the layout found.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;

/// The files of a new registry, as (relative path, contents). Dates are relative to
/// `today` so the new registry lints clean on the day it is made.
pub fn files(today: NaiveDate) -> Vec<(&'static str, String)> {
    let expires = today
        .checked_add_days(chrono::Days::new(180))
        .unwrap_or(today);
    let policy = r#"# scopectl policy: https://github.com/scopectl/scopectl#policy
# Every key is optional; the values below are the defaults.

[policy]
scope_pattern = '^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*:[a-z][a-z0-9_.-]*$'
forbidden_scopes = ["*", "admin", "all", "root", "superuser", "full_access", "full-access", "god"]
max_grant_lifetime = "365d"   # approval to expiry
expiry_warning = "30d"        # warn this long before a grant expires
require_approver = true
approver_must_differ_from_owner = true
header_budget = 8192          # bytes of Authorization header before servers answer 431
access_token_lifetime = "15m" # for `scopectl decode`

# Per-rule levels: allow | warn | deny. `scopectl lint --list-rules` lists the ids.
[rules]
# "grant/expiring" = "deny"

# Push targets for `scopectl plan/apply/drift`. Secrets come only from environment
# variables or files named here (client_secret_env / client_secret_file), never this file.
# [targets.local]
# kind = "keycloak"
# url = "http://127.0.0.1:8080"
# realm = "shop"
# client_id = "scopectl"
# client_secret_env = "SCOPECTL_CLIENT_SECRET"
"#
    .to_string();
    let scopes = r#"# Scope definitions: the key is the scope string that appears in tokens.

[scopes."example:read"]
description = "Read example records"
owner = "team-example"
sensitivity = "low"           # low | medium | high | critical

[scopes."example:write"]
description = "Create and change example records"
owner = "team-example"
sensitivity = "high"
step_up = true                # needs fresh authentication
max_grant = "90d"             # tighter than the policy's max_grant_lifetime
"#
    .to_string();
    let client = format!(
        r#"# One OAuth client and every scope it holds.

[client]
id = "example-app"
owner = "team-example"
description = "Example application"

[[grants]]
scope = "example:read"
justification = "Shows example records to signed-in users (EX-1)"
approved_by = "security-lead@example.com"
approved_on = {today}
expires = {expires}
type = "default"              # default | optional

[[grants]]
scope = "example:write"
justification = "Lets editors change records (EX-2)"
approved_by = "security-lead@example.com"
approved_on = {today}
expires = {write_expires}
type = "optional"
"#,
        today = today.format("%Y-%m-%d"),
        expires = expires.format("%Y-%m-%d"),
        write_expires = today
            .checked_add_days(chrono::Days::new(90))
            .unwrap_or(today)
            .format("%Y-%m-%d"),
    );
    let hook = r#"#!/bin/sh
# Plain git hook: `git config core.hooksPath <this folder, from the repository root>` runs
# scopectl lint on what is staged for the registry this hook belongs to (the folder above
# it) before each commit.
exec scopectl lint --staged "$(dirname "$0")/.."
"#
    .to_string();
    vec![
        ("scopectl.toml", policy),
        ("scopes/example.toml", scopes),
        ("clients/example-app.toml", client),
        (HOOK, hook),
    ]
}

/// The plain git hook, relative to the registry folder.
pub const HOOK: &str = "hooks/pre-commit";
/// pre-commit's configuration file, at the root of the repository.
pub const PRE_COMMIT_CONFIG: &str = ".pre-commit-config.yaml";

/// Where a registry sits: the root of the git work tree that holds it (if any) and the
/// registry folder relative to that root, `/`-separated ("" for the root itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub root: Option<PathBuf>,
    pub rel: String,
    /// `core.hooksPath` as the repository sets it now, if it does.
    pub hooks_path: Option<String>,
}

impl Layout {
    /// Find the repository that holds `dir` (which must exist).
    pub fn of(dir: &Path) -> Layout {
        let found = || -> Option<Layout> {
            let repo = git2::Repository::discover(dir).ok()?;
            let root = repo.workdir()?.canonicalize().ok()?;
            let abs = dir.canonicalize().ok()?;
            let rel = abs.strip_prefix(&root).ok()?;
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let hooks_path = repo
                .config()
                .ok()
                .and_then(|c| c.get_string("core.hooksPath").ok());
            Some(Layout {
                root: Some(root),
                rel: rel.join("/"),
                hooks_path,
            })
        };
        found().unwrap_or(Layout {
            root: None,
            rel: String::new(),
            hooks_path: None,
        })
    }

    /// `core.hooksPath` for the registry's plain hook, relative to the repository root.
    pub fn hooks_dir(&self) -> String {
        match self.rel.as_str() {
            "" => "hooks".into(),
            rel => format!("{rel}/hooks"),
        }
    }

    /// The `- repo: local` block that runs `scopectl lint --staged` on this registry.
    pub fn pre_commit_block(&self) -> String {
        let (arg, files) = match self.rel.as_str() {
            "" => (
                String::new(),
                r"^(scopectl\.toml|scopes/|clients/|teams/|reviews/|apis/)".to_string(),
            ),
            rel => (
                format!(" {}", shell_word(rel)),
                format!(
                    r"^{}/(scopectl\.toml|scopes/|clients/|teams/|reviews/|apis/)",
                    regex_escape(rel)
                ),
            ),
        };
        format!(
            "  - repo: local\n    hooks:\n      - id: scopectl-lint\n        name: scopectl lint\n        entry: scopectl lint --staged{arg}\n        language: system\n        pass_filenames: false\n        files: '{}'\n",
            files.replace('\'', "''")
        )
    }
}

/// `s` as one shell word (pre-commit splits `entry` like a shell).
fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._/-+@%:=,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `s` matched literally by a (Python) regular expression.
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if r"\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What happened to `.pre-commit-config.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreCommit {
    Created(PathBuf),
    Appended(PathBuf),
    /// Left as it was, and why.
    Skipped(PathBuf, String),
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Init {
    /// Registry files and the plain hook written.
    pub written: Vec<PathBuf>,
    pub pre_commit: PreCommit,
    pub layout: Layout,
}

/// Add the scopectl hook's block to the pre-commit configuration `text`, at the end of its
/// top-level `repos:` list; `Err(why not)` when it already has a scopectl hook or has no
/// block-style `repos:` list to add to.
pub fn append_hook(text: &str, block: &str) -> Result<String, String> {
    if text.contains("scopectl-lint") || text.contains("scopectl lint") {
        return Err("it already has a scopectl hook".into());
    }
    let lines: Vec<&str> = text.lines().collect();
    let is_repos = |l: &str| {
        l.strip_prefix("repos:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    };
    let Some(start) = lines.iter().position(|l| is_repos(l)) else {
        return Err("it has no top-level `repos:` list (block style) to add to".into());
    };
    // The list ends at the next top-level key (or the end of the file).
    let list_end = lines[start + 1..]
        .iter()
        .position(|l| {
            !l.is_empty() && !l.starts_with([' ', '\t', '#', '-']) && !l.starts_with("...")
        })
        .map(|i| start + 1 + i)
        .unwrap_or(lines.len());
    // ... less the blank lines and comments that separate it from that key.
    let mut end = list_end;
    while end > start + 1 && {
        let t = lines[end - 1].trim();
        t.is_empty() || t.starts_with('#')
    } {
        end -= 1;
    }
    // Items keep the file's indentation (`- repo:` at column 0 is valid YAML too).
    let indent = lines[start + 1..end]
        .iter()
        .find_map(|l| {
            let t = l.trim_start();
            t.starts_with("- ").then(|| l.len() - t.len())
        })
        .unwrap_or(2);
    let block: String = block
        .lines()
        .map(|l| {
            let stripped = l.strip_prefix("  ").unwrap_or(l);
            format!("{}{stripped}\n", " ".repeat(indent))
        })
        .collect();
    let mut out = String::new();
    for l in &lines[..end] {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&block);
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    Ok(out)
}

/// Write a new registry into `dir` and hook it into the repository that holds it.
/// Refuses to overwrite an existing registry file unless `force`; never overwrites an
/// existing `.pre-commit-config.yaml` (the hook is appended to it, or it is left alone).
pub fn write(dir: &Path, today: NaiveDate, force: bool) -> anyhow::Result<Init> {
    let files = files(today);
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(p, _)| dir.join(p))
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            bail!(
                "refusing to overwrite existing files: {} (use --force to replace them)",
                existing.join(", ")
            );
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        create_parent(&path)?;
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        #[cfg(unix)]
        if rel == HOOK {
            use std::os::unix::fs::PermissionsExt;
            let mut perm = std::fs::metadata(&path)?.permissions();
            perm.set_mode(0o755);
            std::fs::set_permissions(&path, perm)
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
        written.push(path);
    }
    let layout = Layout::of(dir);
    let config = match &layout.root {
        Some(root) => root.join(PRE_COMMIT_CONFIG),
        None => dir.join(PRE_COMMIT_CONFIG),
    };
    let block = layout.pre_commit_block();
    let pre_commit = match std::fs::read(&config) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = format!("# pre-commit (https://pre-commit.com): `pre-commit install` runs scopectl lint on what each commit stages.\nrepos:\n{block}");
            std::fs::write(&config, text)
                .with_context(|| format!("cannot write {}", config.display()))?;
            PreCommit::Created(config)
        }
        Err(e) => PreCommit::Skipped(config, format!("it cannot be read ({e})")),
        Ok(bytes) => match std::str::from_utf8(&bytes) {
            Err(_) => PreCommit::Skipped(config, "it is not UTF-8".into()),
            Ok(text) => match append_hook(text, &block) {
                Ok(new) => {
                    std::fs::write(&config, new)
                        .with_context(|| format!("cannot write {}", config.display()))?;
                    PreCommit::Appended(config)
                }
                Err(why) => PreCommit::Skipped(config, why),
            },
        },
    };
    Ok(Init {
        written,
        pre_commit,
        layout,
    })
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    Ok(())
}

/// What to do next, for the layout `init` found; `dir` as the user gave it.
pub fn next_steps(init: &Init, dir: &Path) -> String {
    let layout = &init.layout;
    let mut s = String::new();
    match &init.pre_commit {
        PreCommit::Created(p) => s.push_str(&format!("created {}\n", p.display())),
        PreCommit::Appended(p) => s.push_str(&format!(
            "added the scopectl-lint hook to {} (nothing else changed)\n",
            p.display()
        )),
        PreCommit::Skipped(p, why) => s.push_str(&format!(
            "left {} as it was: {why}; to lint on every commit with pre-commit, add under `repos:`:\n{}",
            p.display(),
            layout.pre_commit_block()
        )),
    }
    let Some(root) = &layout.root else {
        s.push_str(&format!(
            "\n{} is not inside a git repository, so the hooks have nothing to check yet. Next:\n  cd {}\n  git init\n  scopectl lint\n  pre-commit install               # with pre-commit, or without it:\n  git config core.hooksPath hooks  # the plain git hook\n",
            dir.display(),
            shell_word(&dir.display().to_string())
        ));
        return s;
    };
    let target = if layout.rel.is_empty() {
        String::new()
    } else {
        format!(" {}", shell_word(&layout.rel))
    };
    s.push_str(&format!(
        "\nNext, from the repository root ({}):\n  scopectl lint{target}\n  pre-commit install                          # with pre-commit, or without it:\n  git config core.hooksPath {}   # the plain git hook\n",
        root.display(),
        shell_word(&layout.hooks_dir()),
    ));
    if let Some(current) = &layout.hooks_path {
        if current.trim_end_matches('/') != layout.hooks_dir() {
            s.push_str(&format!(
                "note: core.hooksPath is set to `{current}` already; rather than changing it, copy {} into that folder\n",
                dir.join(HOOK).display()
            ));
        }
    } else {
        s.push_str("note: core.hooksPath replaces .git/hooks: move any hooks you have there into that folder first\n");
    }
    s
}
