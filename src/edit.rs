//! `scopectl grant | renew | revoke`: access changes made by editing one client file in
//! place with `toml_edit`, so comments, ordering and formatting of everything else stay
//! byte-identical. An edit is checked before it is written: the registry with the edited
//! file must not have a failing lint finding that it did not have before (the approval
//! rules, lifetimes and justification rules of the policy apply), and the file is written
//! atomically (a temporary file in the same folder, then a rename).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::finding::Finding;
use crate::registry::{Registry, Source};

/// One file changed by an edit.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The file on disk.
    pub path: PathBuf,
    /// Its path relative to the registry folder.
    pub rel: String,
    pub before: String,
    pub after: String,
    /// What the edit does, one line.
    pub summary: String,
    /// A commit message for the change (the reason included).
    pub commit_message: String,
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
    scope: &str,
    today: NaiveDate,
    a: &Approval,
) -> anyhow::Result<NaiveDate> {
    let mut max = reg.policy.max_grant_lifetime.clone();
    if let Some(m) = reg.scopes.get(scope).and_then(|s| s.def.max_grant.as_ref()) {
        if m.seconds < max.seconds {
            max = m.get().clone();
        }
    }
    let longest = today + chrono::Duration::days(max.days());
    let wanted = match (a.expires, a.for_days) {
        (Some(e), _) => e,
        (None, Some(d)) => today + chrono::Duration::days(d),
        (None, None) => longest,
    };
    if wanted > longest {
        bail!(
            "{wanted} is later than the policy allows for `{scope}`: at most {max} from today ({longest})"
        );
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
    let expires = expiry(reg, &g.scope, today, &g.approval)?;
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
    grants.push(t);
    Ok(Edit {
        path,
        rel,
        before,
        after: doc.to_string(),
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
    let expires = expiry(reg, scope, today, a)?;
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
        path,
        rel,
        before,
        after: doc.to_string(),
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

/// Remove a client's grant of a scope.
pub fn revoke(
    reg: &Registry,
    root: &Path,
    client: &str,
    scope: &str,
    why: &str,
) -> anyhow::Result<Edit> {
    let (path, rel) = client_file(reg, root, client)?;
    let (before, mut doc) = parse(&path)?;
    let grants = grants_mut(&mut doc)?;
    let Some(i) = find(grants, scope) else {
        bail!("`{client}` holds no grant of `{scope}`");
    };
    grants.remove(i);
    if grants.is_empty() {
        doc.remove("grants");
    }
    Ok(Edit {
        path,
        rel,
        before,
        after: doc.to_string(),
        summary: format!("revoke `{scope}` from `{client}`"),
        commit_message: format!("Revoke {scope} from {client}: {why}"),
    })
}

/// The failing lint findings the edit adds: the registry with the edited file must not
/// fail where `before` (the registry as loaded, which loads) did not. Empty when the edit
/// may be written. Also returns the edited registry, whose files the findings point into.
pub fn new_failures(
    before: &Registry,
    sources: Vec<Source>,
    edit: &Edit,
    today: NaiveDate,
) -> (Vec<Finding>, Registry) {
    let key = |f: &Finding| (f.rule, f.subject.clone(), f.message.clone());
    let old: std::collections::HashSet<_> = crate::lint::check(before, today)
        .iter()
        .filter(|f| f.fails())
        .map(key)
        .collect();
    let edited: Vec<Source> = sources
        .into_iter()
        .map(|s| {
            if s.path == edit.rel {
                Source {
                    path: s.path,
                    bytes: Ok(edit.after.clone().into_bytes()),
                }
            } else {
                s
            }
        })
        .collect();
    let loaded = Registry::load(edited);
    let mut new: Vec<Finding> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.fails())
        .cloned()
        .collect();
    if loaded.is_ok() {
        new.extend(
            crate::lint::check(&loaded.registry, today)
                .into_iter()
                .filter(Finding::fails),
        );
    }
    (
        new.into_iter().filter(|f| !old.contains(&key(f))).collect(),
        loaded.registry,
    )
}

/// Write the edit atomically: a temporary file next to it, then a rename.
pub fn write(edit: &Edit) -> anyhow::Result<()> {
    let dir = edit.path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    use std::io::Write;
    tmp.write_all(edit.after.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(&edit.path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(&edit.path)
        .with_context(|| format!("cannot replace {}", edit.path.display()))?;
    Ok(())
}

/// The edit as a unified diff of the file.
pub fn diff(edit: &Edit) -> String {
    similar::TextDiff::from_lines(&edit.before, &edit.after)
        .unified_diff()
        .header(&format!("a/{}", edit.rel), &format!("b/{}", edit.rel))
        .to_string()
}
