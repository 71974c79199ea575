//! Reading the two sources and writing the imported registry: never a partial registry
//! on disk. The files are written to a temporary folder inside the output folder, loaded
//! and linted there, and only then moved into place; existing registry files are never
//! overwritten.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use serde::Serialize;

use super::realm::{self, Realm};
use super::{convert, Imported, Options};
use crate::finding::Summary;
use crate::net::{Counts, Http};
use crate::push::keycloak::Keycloak;
use crate::push::PushTarget;
use crate::registry::policy::{ScopePattern, TargetKind};
use crate::registry::Registry;

/// Where an import read its realm from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// `export` or `target`.
    pub kind: &'static str,
    /// The export file, or the target's name.
    pub name: String,
    /// HTTP requests a live import made (none for an export).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Counts>,
    /// The `[targets.NAME]` table, copied into a new scopectl.toml.
    #[serde(skip)]
    target: Option<toml::Value>,
}

/// Read a realm export file.
pub fn read_export(path: &Path, realm: Option<&str>) -> anyhow::Result<(Realm, Source)> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{label}`"))?;
    if !meta.is_file() {
        bail!("`{label}` is not a file");
    }
    if meta.len() > realm::MAX_EXPORT_BYTES {
        bail!(
            "`{label}` has {} bytes, more than the {} a realm export may have",
            meta.len(),
            realm::MAX_EXPORT_BYTES
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{label}`"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "`{label}` is not UTF-8 (byte {}): not a realm export",
            e.utf8_error().valid_up_to()
        )
    })?;
    let realm = realm::from_export(&text, &label, realm)?;
    Ok((
        realm,
        Source {
            kind: "export",
            name: label,
            requests: None,
            target: None,
        },
    ))
}

/// Read a live realm through `[targets.NAME]` of the registry at `root` (reads only).
pub fn read_target(root: &Path, name: Option<&str>) -> anyhow::Result<(Realm, Source)> {
    let loaded = Registry::load_dir(root)?;
    if loaded.registry.policy_file.is_none() {
        bail!(
            "`{}` has no scopectl.toml, so no `[targets.NAME]` to import from",
            root.display()
        );
    }
    let (name, target) = crate::push::select_target(&loaded.registry, name)?;
    if *target.kind != TargetKind::Keycloak {
        bail!("target `{name}` is not a keycloak target");
    }
    let settings = crate::push::http_settings(&name, target, root)?;
    let http = Http::new(settings).map_err(|e| anyhow!("target `{name}`: {e}"))?;
    let mut kc = Keycloak::new(&name, target, root, http)?;
    let (realm_name, scopes, clients) = kc.read_representations()?;
    let label = format!("target {name}");
    let realm = realm::from_lists(
        &realm_name,
        &scopes,
        "GET /client-scopes: $",
        &clients,
        "GET /clients: $",
        &label,
    )?;
    let copied = toml::Value::try_from(target).ok();
    Ok((
        realm,
        Source {
            kind: "target",
            name,
            requests: Some(kc.counts()),
            target: copied,
        },
    ))
}

/// The `scope_pattern` in force in `out` (its scopectl.toml, or the default).
pub fn pattern_at(out: &Path) -> anyhow::Result<ScopePattern> {
    let path = out.join("scopectl.toml");
    if !path.exists() {
        return Ok(crate::registry::policy::Policy::default().scope_pattern);
    }
    // With the team files: an approval rule may name a team declared there.
    let mut sources = vec![crate::registry::Source {
        path: "scopectl.toml".into(),
        bytes: Ok(std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?),
    }];
    sources.extend(team_sources(out)?);
    let loaded = Registry::load(sources);
    if !loaded.is_ok() {
        bail!(
            "`{}` does not load; run `scopectl lint` on it first",
            path.display()
        );
    }
    Ok(loaded.registry.policy.scope_pattern)
}

/// The team files `out` already holds (`teams/*.toml`); none without a `teams/` folder.
fn team_sources(out: &Path) -> anyhow::Result<Vec<crate::registry::Source>> {
    use crate::registry::FileKind;
    if !out.join(crate::registry::TEAMS_DIR).is_dir() {
        return Ok(Vec::new());
    }
    Ok(crate::registry::source::read_dir(out)?
        .into_iter()
        .filter(|s| FileKind::of(&s.path) == Some(FileKind::Teams))
        .collect())
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub out: String,
    pub files: Vec<String>,
    /// `created` or `updated` when scopectl.toml was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_file: Option<&'static str>,
    /// `lint` on the imported registry, as of the import day.
    pub lint: Summary,
}

/// Convert and write the registry to `out` (created if missing). Refuses when `out`
/// already holds scope or client files.
pub fn import(
    realm: &Realm,
    source: &Source,
    out: &Path,
    options: &Options,
) -> anyhow::Result<(Imported, Written)> {
    if out.exists() && !out.is_dir() {
        bail!("`{}` is not a folder", out.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let existing = existing_registry_files(out)?;
    if !existing.is_empty() {
        bail!(
            "`{}` already holds a registry ({}{}): import writes a new one and never overwrites registry files; choose an empty folder with --out",
            out.display(),
            existing.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            if existing.len() > 3 { ", …" } else { "" }
        );
    }
    let imported = convert(realm, &pattern_at(out)?, options)?;
    let policy_path = out.join("scopectl.toml");
    let (policy_text, policy_file) = policy_text(&policy_path, &imported, source)?;

    let tmp = tempfile::Builder::new()
        .prefix(".scopectl-import-")
        .tempdir_in(out)
        .with_context(|| format!("cannot create a temporary folder in {}", out.display()))?;
    for (rel, text) in &imported.files {
        let p = tmp.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
    }
    if let Some(text) = &policy_text {
        std::fs::write(tmp.path().join("scopectl.toml"), text)?;
    } else if policy_path.exists() {
        std::fs::copy(&policy_path, tmp.path().join("scopectl.toml"))?;
    }
    // The registry must load before anything is moved into place, with the team files
    // `out` already has (the policy's approval rules may name their teams).
    let mut sources = crate::registry::source::read_dir(tmp.path())?;
    sources.extend(team_sources(out)?);
    let loaded = Registry::load(sources);
    if !loaded.is_ok() {
        let first: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::finding::Severity::Error)
            .take(3)
            .map(|d| d.message.clone())
            .collect();
        bail!(
            "the imported registry would not load ({}); nothing was written",
            first.join("; ")
        );
    }
    let lint = Summary::of(&crate::lint::check(&loaded.registry, options.today));
    move_into_place(tmp.path(), out)?;
    if policy_text.is_some() {
        // Last, in one step: a rename replaces the file atomically.
        std::fs::rename(tmp.path().join("scopectl.toml"), &policy_path)
            .with_context(|| format!("cannot write {}", policy_path.display()))?;
    }
    let written = Written {
        out: out.display().to_string(),
        files: imported.files.keys().cloned().collect(),
        policy_file,
        lint,
    };
    Ok((imported, written))
}

/// scopectl.toml's new text, when it must change: a new file when there is none (with
/// the proposed `scope_pattern` and the target imported from), or the existing one with
/// `scope_pattern` set (a format-preserving edit).
fn policy_text(
    path: &Path,
    imported: &Imported,
    source: &Source,
) -> anyhow::Result<(Option<String>, Option<&'static str>)> {
    if path.exists() {
        let Some(pattern) = &imported.scope_pattern else {
            return Ok((None, None));
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .with_context(|| format!("{} is not TOML", path.display()))?;
        let policy = doc
            .entry("policy")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let Some(policy) = policy.as_table_like_mut() else {
            bail!("`policy` in {} is not a table", path.display());
        };
        policy.insert("scope_pattern", toml_edit::value(pattern.as_str()));
        return Ok((Some(doc.to_string()), Some("updated")));
    }
    let mut text = String::new();
    if let Some(pattern) = &imported.scope_pattern {
        text.push_str(
            "# Written by `scopectl import`: scope_pattern admits the imported names that do not\n# fit `resource:action`. Narrow it as scopes are renamed.\n[policy]\n",
        );
        text.push_str(&format!("scope_pattern = {}\n", super::q(pattern)));
    }
    if let Some(target) = &source.target {
        let mut table = toml::Table::new();
        let mut targets = toml::Table::new();
        targets.insert(source.name.clone(), target.clone());
        table.insert("targets".into(), toml::Value::Table(targets));
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&toml::to_string(&table)?);
    }
    if text.is_empty() {
        return Ok((None, None));
    }
    Ok((Some(text), Some("created")))
}

/// Scope and client files already in `out`.
fn existing_registry_files(out: &Path) -> anyhow::Result<Vec<String>> {
    let mut found = Vec::new();
    for dir in ["scopes", "clients"] {
        let mut stack = vec![out.join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "toml") {
                    let rel = p.strip_prefix(out).unwrap_or(&p);
                    found.push(rel.display().to_string());
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Move `scopes/` and `clients/` from `tmp` into `out`: a folder that is not there is
/// renamed in one step; into one that is (holding no registry files) each file is moved,
/// and everything moved is moved back when a step fails.
fn move_into_place(tmp: &Path, out: &Path) -> anyhow::Result<()> {
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for dir in ["scopes", "clients"] {
            let from = tmp.join(dir);
            if !from.exists() {
                continue;
            }
            let to = out.join(dir);
            if !to.exists() {
                std::fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {} into place", to.display()))?;
                moved.push((from, to));
                continue;
            }
            for entry in std::fs::read_dir(&from)? {
                let entry = entry?;
                let dest = to.join(entry.file_name());
                if dest.exists() {
                    bail!("{} appeared while importing", dest.display());
                }
                std::fs::rename(entry.path(), &dest)
                    .with_context(|| format!("cannot move {} into place", dest.display()))?;
                moved.push((entry.path(), dest));
            }
        }
        Ok(())
    })();
    if result.is_err() {
        for (from, to) in moved.iter().rev() {
            let _ = std::fs::rename(to, from);
        }
    }
    result
}
