//! `scopectl init`: lay out a new registry that lints clean.

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
# Rule::GrantExpiring = "deny"

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
    let pre_commit_config = r#"# pre-commit (https://pre-commit.com): `pre-commit install` runs scopectl lint on every commit.
repos:
  - repo: local
    hooks:
      - id: scopectl-lint
        name: scopectl lint
        entry: scopectl lint --staged
        language: system
        pass_filenames: false
        files: ^(scopectl\.toml|scopes/|clients/)
"#
    .to_string();
    let hook = r#"#!/bin/sh
# Plain git hook: `git config core.hooksPath <this folder>` runs scopectl lint on the
# registry this hook belongs to (the folder above it) before each commit.
exec scopectl lint --staged "$(dirname "$0")/.."
"#
    .to_string();
    vec![
        ("scopectl.toml", policy),
        ("scopes/example.toml", scopes),
        ("clients/example-app.toml", client),
        (".pre-commit-config.yaml", pre_commit_config),
        ("hooks/pre-commit", hook),
    ]
}

/// Write a new registry into `dir`. Refuses to overwrite an existing file unless `force`.
pub fn write(dir: &Path, today: NaiveDate, force: bool) -> anyhow::Result<Vec<PathBuf>> {
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
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        #[cfg(unix)]
        if rel == "hooks/pre-commit" {
            use std::os::unix::fs::PermissionsExt;
            let mut perm = std::fs::metadata(&path)?.permissions();
            perm.set_mode(0o755);
            std::fs::set_permissions(&path, perm)
                .with_context(|| format!("cannot make {} executable", path.display()))?;
        }
        written.push(path);
    }
    Ok(written)
}
