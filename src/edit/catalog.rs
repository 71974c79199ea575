//! `scopectl scope add | deprecate` and `scopectl client add`: new scope definitions,
//! retiring a scope, and new client files, written the way a person would.

use std::path::Path;

use anyhow::{bail, Context};
use toml_edit::{value, DocumentMut, Item, Table};

use super::{append_after_last, parse, set, Edit, FileEdit};
use crate::registry::{Lifetime, Registry, Sensitivity, CLIENTS_DIR, SCOPES_DIR};

/// A scope to define.
#[derive(Debug, Clone)]
pub struct NewScope {
    pub name: String,
    pub description: String,
    pub owner: String,
    pub sensitivity: Sensitivity,
    pub step_up: bool,
    pub max_grant: Option<Lifetime>,
    pub claims: Vec<String>,
    /// The scope file (relative to the registry folder, under `scopes/`); default
    /// `scopes/<resource>.toml`, the resource being the name up to its first `:`, `/` or `.`.
    pub file: Option<String>,
}

/// A client to add.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub id: String,
    pub owner: String,
    pub description: Option<String>,
    /// The file name under `clients/` (default `<id>.toml`).
    pub file: Option<String>,
}

/// `scopes/NAME.toml` or `clients/NAME.toml` from `--file`, which may name the folder or not.
fn file_in(dir: &str, file: &str) -> anyhow::Result<String> {
    let stem = file
        .strip_prefix(&format!("{dir}/"))
        .unwrap_or(file)
        .trim_end_matches(".toml");
    if !crate::text::is_file_stem(stem) {
        bail!(
            "`{}` cannot be a file under {dir}/: use letters, digits, `-`, `_` and `.`",
            crate::text::clean(file)
        );
    }
    Ok(format!("{dir}/{stem}.toml"))
}

/// The default scope file for a scope name: its resource part.
fn default_scope_file(name: &str) -> String {
    let resource: String = name
        .split([':', '/', '.'])
        .next()
        .unwrap_or(name)
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    let stem = if resource.is_empty() {
        "scopes".to_string()
    } else {
        resource
    };
    format!("{SCOPES_DIR}/{stem}.toml")
}

/// Define a new scope: a `[scopes."NAME"]` table appended to its scope file (created when
/// it does not exist).
pub fn scope_add(reg: &Registry, root: &Path, s: &NewScope) -> anyhow::Result<Edit> {
    if let Some(old) = reg.scopes.get(&s.name) {
        bail!(
            "scope `{}` is already defined in {}",
            crate::text::clean(&s.name),
            reg.files.name(old.file)
        );
    }
    let rel = match &s.file {
        Some(f) => file_in(SCOPES_DIR, f)?,
        None => default_scope_file(&s.name),
    };
    let path = root.join(&rel);
    let (before, mut doc) = if path.exists() {
        let (text, doc) = parse(&path)?;
        (Some(text), doc)
    } else {
        (None, DocumentMut::new())
    };
    let mut t = Table::new();
    t["description"] = value(s.description.as_str());
    t["owner"] = value(s.owner.as_str());
    t["sensitivity"] = value(s.sensitivity.as_str());
    if !s.claims.is_empty() {
        t["claims"] = value(
            s.claims
                .iter()
                .map(String::as_str)
                .collect::<toml_edit::Array>(),
        );
    }
    if s.step_up {
        t["step_up"] = value(true);
    }
    if let Some(m) = &s.max_grant {
        t["max_grant"] = value(m.text.as_str());
    }
    append_after_last(&mut doc, &mut t);
    if doc.get("scopes").is_none() {
        let mut t = Table::new();
        t.set_implicit(true);
        doc["scopes"] = Item::Table(t);
    }
    let scopes = doc["scopes"]
        .as_table_mut()
        .with_context(|| format!("`scopes` in {rel} is not a table of [scopes.\"…\"] tables"))?;
    scopes.insert(&s.name, Item::Table(t));
    Ok(Edit {
        files: vec![FileEdit::new(path, rel, before, doc)],
        summary: format!(
            "define `{}` ({}, owned by {})",
            s.name, s.sensitivity, s.owner
        ),
        commit_message: format!("Add scope {}: {}", s.name, s.description),
    })
}

/// Mark a scope deprecated, naming the scope that replaces it.
pub fn scope_deprecate(
    reg: &Registry,
    root: &Path,
    name: &str,
    replaced_by: Option<&str>,
    why: Option<&str>,
) -> anyhow::Result<Edit> {
    let Some(scope) = reg.scopes.get(name) else {
        bail!("no scope `{}` is defined", crate::text::clean(name));
    };
    if let Some(new) = replaced_by {
        if !reg.scopes.contains_key(new) {
            bail!(
                "the replacement `{}` is not defined: `scopectl scope add` it first",
                crate::text::clean(new)
            );
        }
        if new == name {
            bail!("a scope cannot replace itself");
        }
    }
    let rel = reg.files.name(scope.file).to_string();
    let path = root.join(&rel);
    let (before, mut doc) = parse(&path)?;
    let item = doc
        .get_mut("scopes")
        .and_then(|s| s.get_mut(name))
        .with_context(|| format!("cannot find `[scopes.\"{name}\"]` in {rel}"))?;
    let mut keys = vec![("deprecated", toml_edit::Value::from(true))];
    if let Some(new) = replaced_by {
        keys.push(("replaced_by", toml_edit::Value::from(new)));
    }
    match item {
        Item::Table(t) => keys.into_iter().for_each(|(k, v)| set(t, k, v)),
        Item::Value(toml_edit::Value::InlineTable(t)) => {
            for (k, v) in keys {
                t.insert(k, v);
            }
        }
        _ => bail!("`scopes.\"{name}\"` in {rel} is not a table"),
    }
    let users = reg
        .clients
        .values()
        .filter(|c| c.grants.iter().any(|g| g.scope() == name))
        .count();
    Ok(Edit {
        files: vec![FileEdit::changed(path, rel, before, doc)],
        summary: format!(
            "deprecate `{name}`{} ({users} {} it)",
            replaced_by
                .map(|r| format!(" in favour of `{r}`"))
                .unwrap_or_default(),
            if users == 1 {
                "client still holds"
            } else {
                "clients still hold"
            }
        ),
        commit_message: format!(
            "Deprecate scope {name}{}{}",
            replaced_by
                .map(|r| format!(" in favour of {r}"))
                .unwrap_or_default(),
            why.map(|w| format!(": {w}")).unwrap_or_default()
        ),
    })
}

/// Add a client file with its `[client]` table and no grants.
pub fn client_add(reg: &Registry, root: &Path, c: &NewClient) -> anyhow::Result<Edit> {
    if let Some(old) = reg.clients.get(&c.id) {
        bail!(
            "client `{}` is already defined in {}",
            crate::text::clean(&c.id),
            reg.files.name(old.file)
        );
    }
    if c.id.trim().is_empty() || c.id.chars().any(|ch| ch.is_whitespace() || ch.is_control()) {
        bail!("a client id has no spaces or control characters");
    }
    let rel = match &c.file {
        Some(f) => file_in(CLIENTS_DIR, f)?,
        None if crate::text::is_file_stem(&c.id) => format!("{CLIENTS_DIR}/{}.toml", c.id),
        None => bail!(
            "`{}` cannot be a file name: give one with --file",
            crate::text::clean(&c.id)
        ),
    };
    let path = root.join(&rel);
    if path.exists() {
        bail!("{rel} already exists");
    }
    let mut doc = DocumentMut::new();
    let mut t = Table::new();
    t["id"] = value(c.id.as_str());
    t["owner"] = value(c.owner.as_str());
    if let Some(d) = &c.description {
        t["description"] = value(d.as_str());
    }
    doc["client"] = Item::Table(t);
    Ok(Edit {
        files: vec![FileEdit::new(path, rel, None, doc)],
        summary: format!("add client `{}` owned by {}", c.id, c.owner),
        commit_message: format!("Add client {} (owner {})", c.id, c.owner),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_files_default_to_the_resource() {
        assert_eq!(default_scope_file("orders:read"), "scopes/orders.toml");
        assert_eq!(
            default_scope_file("patient/Patient.read"),
            "scopes/patient.toml"
        );
        assert_eq!(default_scope_file("read"), "scopes/read.toml");
        assert_eq!(default_scope_file(":x"), "scopes/scopes.toml");
    }

    #[test]
    fn file_names_stay_in_their_folder() {
        assert_eq!(file_in("clients", "a.toml").unwrap(), "clients/a.toml");
        assert_eq!(file_in("clients", "clients/a").unwrap(), "clients/a.toml");
        assert!(file_in("clients", "../x").is_err());
        assert!(file_in("scopes", "a/b").is_err());
        assert!(file_in("scopes", ".hidden").is_err());
    }
}
