//! `scopectl grant | renew | revoke`, `scope add | deprecate`, `client add` and the
//! `review` campaigns: changes made by editing registry files in place with `toml_edit`,
//! so comments, ordering and formatting of everything else stay byte-identical. An edit
//! is checked before it is written: the registry with the edited files must not have a
//! failing lint finding that it did not have before (the approval rules, lifetimes and
//! justification rules of the policy apply), and each file is written atomically (a
//! temporary file in the same folder, then a rename).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::finding::Finding;
use crate::registry::{Registry, Source};

pub mod catalog;
mod eol;
pub mod review;
pub mod shell;

/// One file written by an edit.
#[derive(Debug, Clone)]
pub struct FileEdit {
    /// The file on disk.
    pub path: PathBuf,
    /// Its path relative to the registry folder.
    pub rel: String,
    /// Its content before the edit; `None` for a file the edit creates.
    pub before: Option<String>,
    pub after: String,
}

impl FileEdit {
    /// The file `path` (`rel` in the registry) edited to `doc`: `before` is its content,
    /// `None` when the edit creates it. The lines the edit keeps keep their bytes, line
    /// endings included, and new lines take the file's usual ending (`\r\n` in a CRLF
    /// file).
    pub(crate) fn new(
        path: PathBuf,
        rel: String,
        before: Option<String>,
        doc: DocumentMut,
    ) -> FileEdit {
        let after = eol::render(before.as_deref(), doc);
        FileEdit {
            path,
            rel,
            before,
            after,
        }
    }

    /// A change of an existing file.
    fn changed(path: PathBuf, rel: String, before: String, doc: DocumentMut) -> FileEdit {
        FileEdit::new(path, rel, Some(before), doc)
    }
}

/// A change to the registry: one or more files, checked together and written together.
#[derive(Debug, Clone)]
pub struct Edit {
    pub files: Vec<FileEdit>,
    /// What the edit does, one line.
    pub summary: String,
    /// A commit message for the change (the reason included).
    pub commit_message: String,
}

impl Edit {
    /// The files' paths relative to the registry folder, space-separated.
    pub fn paths(&self) -> String {
        let names: Vec<&str> = self.files.iter().map(|f| f.rel.as_str()).collect();
        names.join(" ")
    }
}

/// What `grant` and `renew` write.
#[derive(Debug, Clone)]
pub struct Approval {
    pub approved_by: Vec<String>,
    /// `--for`: how long from today (capped by the policy).
    pub for_days: Option<i64>,
    /// `--expires`: the last valid day.
    pub expires: Option<NaiveDate>,
}

/// A grant to add.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub client: String,
    pub scope: String,
    pub why: String,
    pub ticket: Option<String>,
    pub optional: bool,
    pub approval: Approval,
}

fn client_file(reg: &Registry, root: &Path, client: &str) -> anyhow::Result<(PathBuf, String)> {
    let Some(c) = reg.clients.get(client) else {
        let ids: Vec<&str> = reg.clients.keys().map(String::as_str).collect();
        let hint = crate::text::closest(client, ids, 3, &mut Default::default())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        bail!(
            "no client `{}` in the registry{hint}",
            crate::text::clean(client)
        );
    };
    let rel = reg.files.name(c.file).to_string();
    Ok((root.join(&rel), rel))
}

fn parse(path: &Path) -> anyhow::Result<(String, DocumentMut)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc = text
        .parse::<DocumentMut>()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    Ok((text, doc))
}

fn date(d: NaiveDate) -> anyhow::Result<toml_edit::Value> {
    let dt: toml_edit::Datetime = d.format("%Y-%m-%d").to_string().parse()?;
    Ok(toml_edit::Value::from(dt))
}

/// The expiry an approval asks for, checked against the longest the policy and the
/// scope's `max_grant` allow (the longest allowed when neither `--for` nor `--expires`).
fn expiry(
    reg: &Registry,
    client: &str,
    scope: &str,
    today: NaiveDate,
    a: &Approval,
) -> anyhow::Result<NaiveDate> {
    let mut max = reg.policy.max_grant_lifetime.clone();
    let mut source = format!("the policy allows for `{scope}`");
    if let Some(m) = reg.scopes.get(scope).and_then(|s| s.def.max_grant.as_ref()) {
        if m.seconds < max.seconds {
            max = m.get().clone();
            source = format!("`{scope}`'s max_grant allows");
        }
    }
    // Every environment the grant reaches may be stricter ([policy.environments.NAME]).
    if let Some(c) = reg.clients.get(client) {
        let grant = c.grants.iter().find(|g| g.scope() == scope);
        for env in reg.environments() {
            let reaches = c.def.in_environment(&env)
                && grant.is_none_or(|g| g.def.in_environment(&env))
                && reg
                    .scopes
                    .get(scope)
                    .is_none_or(|s| !s.def.excluded_in(&env));
            let limit = &reg.policy.for_environment(&env).max_grant_lifetime;
            if reaches && limit.seconds < max.seconds {
                max = limit.clone();
                source = format!("the policy of environment `{env}` allows for `{scope}`");
            }
        }
    }
    let longest = today + chrono::Duration::days(max.days());
    let wanted = match (a.expires, a.for_days) {
        (Some(e), _) => e,
        (None, Some(d)) => today + chrono::Duration::days(d),
        (None, None) => longest,
    };
    if wanted > longest {
        bail!("{wanted} is later than {source}: at most {max} from today ({longest})");
    }
    if wanted < today {
        bail!("{wanted} is in the past");
    }
    Ok(wanted)
}

fn approvers(list: &[String]) -> toml_edit::Value {
    match list {
        [one] => toml_edit::Value::from(one.as_str()),
        many => toml_edit::Value::Array(many.iter().map(String::as_str).collect()),
    }
}

fn grants_mut(doc: &mut DocumentMut) -> anyhow::Result<&mut ArrayOfTables> {
    if doc.get("grants").is_none() {
        doc["grants"] = Item::ArrayOfTables(ArrayOfTables::new());
    }
    doc["grants"]
        .as_array_of_tables_mut()
        .context("`grants` is not an array of [[grants]] tables")
}

/// Set `key` in `t` to `v`, keeping the comment and spacing around the old value
/// (`expires     = 2027-03-01 # renew in spring`).
fn set(t: &mut Table, key: &str, v: toml_edit::Value) {
    let mut v = v;
    if let Some(old) = t.get(key).and_then(Item::as_value) {
        *v.decor_mut() = old.decor().clone();
    }
    t[key] = Item::Value(v);
}

/// A table appended at the end of `doc` goes after the document's trailing comments,
/// which toml_edit keeps apart from the last table. Comments that follow the last line
/// directly (no blank line between) belong to the last table: they are moved in front of
/// the new table so they stay where they were. Comments after a blank line are the file's
/// trailer and stay last.
pub fn append_after_last(doc: &mut DocumentMut, new: &mut Table) {
    let Some(trailing) = doc.trailing().as_str().map(str::to_string) else {
        return;
    };
    if trailing.trim().is_empty() || trailing.starts_with('\n') || trailing.starts_with("\r\n") {
        return;
    }
    doc.set_trailing("");
    new.decor_mut()
        .set_prefix(format!("{}\n\n", trailing.trim_end()));
}

/// Index of the first `[[grants]]` entry of `scope`.
fn find(grants: &ArrayOfTables, scope: &str) -> Option<usize> {
    grants
        .iter()
        .position(|t| t.get("scope").and_then(|v| v.as_str()) == Some(scope))
}

/// Add a grant.
pub fn grant(reg: &Registry, root: &Path, today: NaiveDate, g: &NewGrant) -> anyhow::Result<Edit> {
    if !reg.scopes.contains_key(&g.scope) {
        bail!(
            "no scope `{}` is defined; define it under scopes/ first",
            crate::text::clean(&g.scope)
        );
    }
    let (path, rel) = client_file(reg, root, &g.client)?;
    let (before, mut doc) = parse(&path)?;
    let expires = expiry(reg, &g.client, &g.scope, today, &g.approval)?;
    let grants = grants_mut(&mut doc)?;
    if find(grants, &g.scope).is_some() {
        bail!(
            "`{}` already holds `{}`: use `scopectl renew` to extend it",
            g.client,
            g.scope
        );
    }
    let mut t = Table::new();
    t["scope"] = value(g.scope.as_str());
    t["justification"] = value(g.why.as_str());
    t["approved_by"] = Item::Value(approvers(&g.approval.approved_by));
    t["approved_on"] = Item::Value(date(today)?);
    t["expires"] = Item::Value(date(expires)?);
    if g.optional {
        t["type"] = value("optional");
    }
    if let Some(ticket) = &g.ticket {
        t["ticket"] = value(ticket.as_str());
    }
    append_after_last(&mut doc, &mut t);
    grants_mut(&mut doc)?.push(t);
    Ok(Edit {
        files: vec![FileEdit::changed(path, rel, before, doc)],
        summary: format!(
            "grant `{}` to `{}` until {expires}, approved by {}",
            g.scope,
            g.client,
            g.approval.approved_by.join(", ")
        ),
        commit_message: format!("Grant {} to {}: {}", g.scope, g.client, g.why),
    })
}

/// Renew (re-approve and extend) a client's grant of a scope.
pub fn renew(
    reg: &Registry,
    root: &Path,
    today: NaiveDate,
    client: &str,
    scope: &str,
    why: Option<&str>,
    a: &Approval,
) -> anyhow::Result<Edit> {
    let (path, rel) = client_file(reg, root, client)?;
    let (before, mut doc) = parse(&path)?;
    let expires = expiry(reg, client, scope, today, a)?;
    let grants = grants_mut(&mut doc)?;
    let Some(i) = find(grants, scope) else {
        bail!("`{client}` holds no grant of `{scope}`: use `scopectl grant`");
    };
    let t = grants
        .get_mut(i)
        .context("the grant disappeared while editing")?;
    set(t, "approved_by", approvers(&a.approved_by));
    set(t, "approved_on", date(today)?);
    set(t, "expires", date(expires)?);
    if let Some(w) = why {
        set(t, "justification", toml_edit::Value::from(w));
    }
    Ok(Edit {
        files: vec![FileEdit::changed(path, rel, before, doc)],
        summary: format!(
            "renew `{scope}` for `{client}` until {expires}, approved by {}",
            a.approved_by.join(", ")
        ),
        commit_message: format!(
            "Renew {scope} for {client} until {expires}{}",
            why.map(|w| format!(": {w}")).unwrap_or_default()
        ),
    })
}

/// Folder of the optional revocation log (`revoke --log`): not part of the registry.
pub const REVOKED_DIR: &str = "revoked";

/// Remove a client's grant of a scope. With `log`, the grant as it was and the reason are
/// also appended to `revoked/<client file name>` (`[[revoked]]` entries).
pub fn revoke(
    reg: &Registry,
    root: &Path,
    today: NaiveDate,
    client: &str,
    scope: &str,
    why: &str,
    log: bool,
) -> anyhow::Result<Edit> {
    let (path, rel) = client_file(reg, root, client)?;
    let (before, mut doc) = parse(&path)?;
    let grants = grants_mut(&mut doc)?;
    let Some(i) = find(grants, scope) else {
        bail!("`{client}` holds no grant of `{scope}`");
    };
    let removed = grants.get(i).cloned().unwrap_or_default();
    grants.remove(i);
    if grants.is_empty() {
        doc.remove("grants");
    }
    let mut files = vec![FileEdit::changed(path, rel.clone(), before, doc)];
    if log {
        files.push(log_revocation(root, &rel, today, why, &removed)?);
    }
    Ok(Edit {
        files,
        summary: format!("revoke `{scope}` from `{client}`"),
        commit_message: format!("Revoke {scope} from {client}: {why}"),
    })
}

/// Append the removed grant and why to the revocation log of the client file `rel`.
fn log_revocation(
    root: &Path,
    rel: &str,
    today: NaiveDate,
    why: &str,
    removed: &Table,
) -> anyhow::Result<FileEdit> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let log_rel = format!("{REVOKED_DIR}/{name}");
    let path = root.join(&log_rel);
    let (before, mut doc) = if path.exists() {
        let (text, doc) = parse(&path)?;
        (Some(text), doc)
    } else {
        let mut doc = DocumentMut::new();
        doc.decor_mut().set_prefix(
            "# Grants removed with `scopectl revoke --log`: what was granted, and why it was removed.\n",
        );
        (None, doc)
    };
    if doc.get("revoked").is_none() {
        doc["revoked"] = Item::ArrayOfTables(ArrayOfTables::new());
    }
    let log = doc["revoked"]
        .as_array_of_tables_mut()
        .with_context(|| format!("`revoked` in {log_rel} is not an array of [[revoked]] tables"))?;
    let mut t = Table::new();
    for key in [
        "scope",
        "justification",
        "approved_by",
        "approved_on",
        "expires",
        "ticket",
    ] {
        if let Some(v) = removed.get(key).and_then(Item::as_value) {
            let mut v = v.clone();
            v.decor_mut().clear();
            t[key] = Item::Value(v);
        }
    }
    t["revoked_on"] = Item::Value(date(today)?);
    t["reason"] = value(why);
    log.push(t);
    Ok(FileEdit::new(path, log_rel, before, doc))
}

/// The failing lint findings the edit adds: the registry with the edited files must not
/// fail where `before` (the registry as loaded from `sources`, which loads) did not. Empty
/// when the edit may be written. Also returns the edited registry, whose files the
/// findings point into.
///
/// Only the edited files are parsed again ([`Registry::with_files`]), and the registry
/// before the edit is linted only when the edited one has failing findings: an edit of
/// one client in a registry of 20,000 grants costs one load and one lint, not two each.
pub fn new_failures(
    before: Registry,
    sources: Vec<Source>,
    edit: &Edit,
    today: NaiveDate,
) -> (Vec<Finding>, Registry) {
    let changed: Vec<(String, String)> = edit
        .files
        .iter()
        .map(|f| (f.rel.clone(), f.after.clone()))
        .collect();
    let edited_sources = |sources: &[Source]| {
        let mut edited: Vec<Source> = sources
            .iter()
            .map(|s| match changed.iter().find(|(rel, _)| *rel == s.path) {
                Some((_, text)) => Source {
                    path: s.path.clone(),
                    bytes: Ok(text.clone().into_bytes()),
                },
                None => s.clone(),
            })
            .collect();
        for (rel, text) in &changed {
            if !edited.iter().any(|s| s.path == *rel) {
                edited.push(Source {
                    path: rel.clone(),
                    bytes: Ok(text.clone().into_bytes()),
                });
            }
        }
        edited
    };
    let (mut new, after) = match before.with_files(&changed) {
        Some(after) => (Vec::new(), after),
        None => {
            // The registry before the edit loads, so every failing load problem is new.
            let loaded = Registry::load(edited_sources(&sources));
            let fails: Vec<Finding> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.fails())
                .cloned()
                .collect();
            if !fails.is_empty() {
                return (fails, loaded.registry);
            }
            (fails, loaded.registry)
        }
    };
    new.extend(
        crate::lint::check(&after, today)
            .into_iter()
            .filter(Finding::fails),
    );
    if new.is_empty() {
        return (new, after);
    }
    let key = |f: &Finding| (f.rule, f.subject.clone(), f.message.clone());
    let old: std::collections::HashSet<_> =
        crate::lint::check(&Registry::load(sources).registry, today)
            .iter()
            .filter(|f| f.fails())
            .map(key)
            .collect();
    (
        new.into_iter().filter(|f| !old.contains(&key(f))).collect(),
        after,
    )
}

/// Write the edit: every file to a temporary file next to it first, then each renamed
/// into place, so no file is ever half-written. A file the edit creates must not exist
/// yet (someone else may have written it since the edit was made).
pub fn write(edit: &Edit) -> anyhow::Result<()> {
    let mut staged = Vec::with_capacity(edit.files.len());
    for f in &edit.files {
        let dir = f.path.parent().unwrap_or(Path::new("."));
        if f.before.is_none() {
            if f.path.exists() {
                bail!(
                    "{} appeared while editing; nothing was written",
                    f.path.display()
                );
            }
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        use std::io::Write;
        tmp.write_all(f.after.as_bytes())?;
        tmp.as_file().sync_all()?;
        if let Ok(meta) = std::fs::metadata(&f.path) {
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        staged.push((tmp, f));
    }
    for (tmp, f) in staged {
        tmp.persist(&f.path)
            .with_context(|| format!("cannot replace {}", f.path.display()))?;
    }
    Ok(())
}

/// The edit as a unified diff of its files.
pub fn diff(edit: &Edit) -> String {
    let mut out = String::new();
    for f in &edit.files {
        let old = if f.before.is_some() {
            format!("a/{}", f.rel)
        } else {
            "/dev/null".to_string()
        };
        out.push_str(
            &similar::TextDiff::from_lines(f.before.as_deref().unwrap_or(""), &f.after)
                .unified_diff()
                .header(&old, &format!("b/{}", f.rel))
                .to_string(),
        );
    }
    out
}
