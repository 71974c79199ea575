//! `scopectl import keycloak --update`: bring an existing registry up to date with what
//! appeared on the server since it was imported (or written): new scopes, new clients and
//! new assignments are added as governance debt (`imported = DATE`, no justification or
//! approver made up), with `toml_edit`, so every hand-written line and comment stays as
//! it was. Nothing is removed: what the registry has and the server does not is reported
//! (`plan` is the command that pushes the registry).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table};

use super::realm::Realm;
use super::{convert, Options};
use crate::edit::{Edit, FileEdit};
use crate::registry::Registry;

/// What an update added, and what it saw missing on the server.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Update {
    pub realm: String,
    pub scopes: Vec<String>,
    pub clients: Vec<String>,
    /// (client, scope) assignments added to existing clients.
    pub grants: Vec<(String, String)>,
    /// (client, scope) grants in the registry of clients the server has, that the server
    /// does not assign: left alone (`plan` would add them to the server).
    pub not_on_server: Vec<(String, String)>,
    /// (scope, claim) claims a protocol mapper releases on an existing scope, added to its
    /// `claims`.
    pub claims: Vec<(String, String)>,
    /// (scope, claim) claims the registry declares on a scope the server has, that no
    /// mapper releases there: left alone (`plan` would make the mapper).
    pub claims_not_on_server: Vec<(String, String)>,
    /// The `scope_pattern` written, when a new name does not fit the policy's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope_pattern: Option<String>,
}

/// A file being edited: its text before (`None`: new) and the document.
struct Pending {
    before: Option<String>,
    doc: DocumentMut,
}

fn open<'a>(
    root: &Path,
    rel: &str,
    pending: &'a mut BTreeMap<String, Pending>,
) -> anyhow::Result<&'a mut Pending> {
    if !pending.contains_key(rel) {
        let path = root.join(rel);
        let p = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let doc = text
                .parse::<DocumentMut>()
                .with_context(|| format!("{} is not valid TOML", path.display()))?;
            Pending {
                before: Some(text),
                doc,
            }
        } else {
            Pending {
                before: None,
                doc: DocumentMut::new(),
            }
        };
        pending.insert(rel.to_string(), p);
    }
    pending.get_mut(rel).context("file vanished while editing")
}

/// A free file name next to `rel` (`clients/x.toml` → `clients/x-2.toml`, …).
fn free_name(root: &Path, rel: &str, pending: &BTreeMap<String, Pending>) -> String {
    let stem = rel.trim_end_matches(".toml");
    let taken = |r: &str| root.join(r).exists() || pending.contains_key(r);
    if !taken(rel) {
        return rel.to_string();
    }
    (2..)
        .map(|n| format!("{stem}-{n}.toml"))
        .find(|r| !taken(r))
        .unwrap_or_else(|| rel.to_string())
}

/// The claims the imported scope `item` releases that the registry's scope `have` does not
/// declare, appended to its `claims` in `file` (created when it has none); the declared
/// ones no mapper releases are listed. A claim both declare is left as the registry says
/// (`plan` shows a mapper that differs).
fn add_claims(
    root: &Path,
    file: &str,
    name: &str,
    have: &crate::registry::Scope,
    item: &Item,
    pending: &mut BTreeMap<String, Pending>,
    up: &mut Update,
) -> anyhow::Result<()> {
    let entries: Vec<toml_edit::Value> = item
        .get("claims")
        .and_then(Item::as_array)
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default();
    let entry_name = |v: &toml_edit::Value| -> Option<String> {
        match v {
            toml_edit::Value::String(s) => Some(s.value().clone()),
            toml_edit::Value::InlineTable(t) => {
                t.get("name").and_then(|n| n.as_str()).map(str::to_string)
            }
            _ => None,
        }
    };
    let on_server: Vec<String> = entries.iter().filter_map(entry_name).collect();
    for declared in have.def.claim_names() {
        if !on_server.iter().any(|c| c == declared) {
            up.claims_not_on_server
                .push((name.to_string(), declared.to_string()));
        }
    }
    // The entry was written for the server's scope; its short form and default tokens
    // follow the scope's `id_token`, so it is written again for the registry's.
    let server_id_token = item.get("id_token").and_then(Item::as_bool).unwrap_or(true);
    for entry in entries {
        let Some(claim) = entry_name(&entry) else {
            continue;
        };
        if have.def.claim_names().any(|c| c == claim) {
            continue;
        }
        #[derive(serde::Deserialize)]
        struct One {
            claims: Vec<crate::registry::Sp<crate::registry::claims::ClaimDecl>>,
        }
        let one: One = toml::from_str(&format!("claims = [{entry}]"))
            .with_context(|| format!("internal: the imported claim `{claim}` is not TOML"))?;
        let Some(decl) = one.claims.first() else {
            continue;
        };
        let resolved = crate::registry::claims::resolve(decl, server_id_token);
        let text = super::claim_toml(&resolved, have.def.id_token());
        let mut entry: toml_edit::Value = text
            .parse()
            .with_context(|| format!("internal: the claim `{claim}` written is not TOML"))?;
        entry.decor_mut().clear();
        let p = open(root, file, pending)?;
        let Some(table) = p
            .doc
            .get_mut("scopes")
            .and_then(|s| s.get_mut(name))
            .and_then(Item::as_table_like_mut)
        else {
            bail!("scope `{name}` is not a table in {file}");
        };
        let list = table
            .entry("claims")
            .or_insert_with(|| Item::Value(toml_edit::Value::Array(toml_edit::Array::new())));
        let Some(list) = list.as_array_mut() else {
            bail!("`claims` of scope `{name}` in {file} is not an array");
        };
        list.push_formatted(entry);
        up.claims.push((name.to_string(), claim));
    }
    Ok(())
}

/// The edit that adds to the registry at `root` what the realm has and it does not.
pub fn update(
    reg: &Registry,
    root: &Path,
    realm: &Realm,
    options: &Options,
    environment: Option<&str>,
) -> anyhow::Result<(Edit, Update)> {
    let imported = convert(realm, &reg.policy.scope_pattern, options)?;
    let mut pending: BTreeMap<String, Pending> = BTreeMap::new();
    let mut up = Update {
        realm: imported.realm.clone(),
        ..Update::default()
    };
    for (rel, text) in &imported.files {
        let doc: DocumentMut = text
            .parse()
            .with_context(|| format!("internal: the imported {rel} is not TOML"))?;
        if let Some(scopes) = doc.get("scopes").and_then(Item::as_table) {
            for (name, item) in scopes.iter() {
                if let Some(have) = reg.scopes.get(name) {
                    let file = reg.files.name(have.file).to_string();
                    add_claims(root, &file, name, have, item, &mut pending, &mut up)?;
                    continue;
                }
                let Some(table) = item.as_table() else {
                    continue;
                };
                let mut table = table.clone();
                table.decor_mut().clear();
                let p = open(root, rel, &mut pending)?;
                crate::edit::append_after_last(&mut p.doc, &mut table);
                if p.doc.get("scopes").is_none() {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    p.doc["scopes"] = Item::Table(t);
                }
                let Some(target) = p.doc["scopes"].as_table_mut() else {
                    bail!("`scopes` in {rel} is not a table");
                };
                target.insert(name, Item::Table(table));
                up.scopes.push(name.to_string());
            }
        }
        let Some(id) = doc
            .get("client")
            .and_then(|c| c.get("id"))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        let grants: Vec<Table> = doc
            .get("grants")
            .and_then(Item::as_array_of_tables)
            .map(|a| a.iter().cloned().collect())
            .unwrap_or_default();
        // A client the realm knows by its client_id in this environment
        // (`[client.ids]`) is the registry's client, not a new one.
        let Some(client) = reg.client_for_token(id, environment).map(|(c, _)| c) else {
            let rel = free_name(root, rel, &pending);
            pending.insert(
                rel,
                Pending {
                    before: None,
                    doc: doc.clone(),
                },
            );
            up.clients.push(id.to_string());
            continue;
        };
        let held: Vec<&str> = client.grants.iter().map(|g| g.scope()).collect();
        let on_server: Vec<&str> = grants
            .iter()
            .filter_map(|t| t.get("scope").and_then(|v| v.as_str()))
            .collect();
        for g in &client.grants {
            // A grant that does not reach this environment is not expected there.
            let expected = environment.is_none_or(|e| reg.grant_reaches(client, g, e));
            if expected && !on_server.contains(&g.scope()) {
                up.not_on_server
                    .push((id.to_string(), g.scope().to_string()));
            }
        }
        let file = reg.files.name(client.file).to_string();
        for mut t in grants {
            let Some(scope) = t.get("scope").and_then(|v| v.as_str()).map(str::to_string) else {
                continue;
            };
            if held.contains(&scope.as_str()) {
                continue;
            }
            t.decor_mut().clear();
            let p = open(root, &file, &mut pending)?;
            crate::edit::append_after_last(&mut p.doc, &mut t);
            if p.doc.get("grants").is_none() {
                p.doc["grants"] = Item::ArrayOfTables(toml_edit::ArrayOfTables::new());
            }
            let Some(list) = p.doc["grants"].as_array_of_tables_mut() else {
                bail!("`grants` in {file} is not an array of [[grants]] tables");
            };
            list.push(t);
            up.grants.push((id.to_string(), scope));
        }
    }
    if let Some(pattern) = &imported.scope_pattern {
        if !up.scopes.is_empty() {
            let p = open(root, crate::registry::POLICY_FILE, &mut pending)?;
            let policy = p
                .doc
                .entry("policy")
                .or_insert_with(|| Item::Table(Table::new()));
            let Some(policy) = policy.as_table_like_mut() else {
                bail!("`policy` in scopectl.toml is not a table");
            };
            policy.insert("scope_pattern", toml_edit::value(pattern.as_str()));
            up.scope_pattern = Some(pattern.clone());
        }
    }
    let files = pending
        .into_iter()
        .map(|(rel, p)| FileEdit::new(root.join(&rel), rel, p.before, p.doc))
        .filter(|f| f.before.as_deref() != Some(f.after.as_str()))
        .collect();
    let summary = format!(
        "add from realm `{}`: {} scope(s), {} client(s), {} grant(s) to existing clients, {} claim(s) to existing scopes",
        up.realm,
        up.scopes.len(),
        up.clients.len(),
        up.grants.len(),
        up.claims.len()
    );
    Ok((
        Edit {
            files,
            commit_message: format!(
                "Import what appeared in realm {} since: {} scope(s), {} client(s), {} grant(s), {} claim(s)",
                up.realm,
                up.scopes.len(),
                up.clients.len(),
                up.grants.len(),
                up.claims.len()
            ),
            summary,
        },
        up,
    ))
}
