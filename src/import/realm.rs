//! The one representation both import sources are read into: the client scopes and
//! clients of a Keycloak realm, with the JSON path each came from.
//!
//! A realm export (`clientScopes`, `clients`) and the Admin REST API's answers
//! (`GET /client-scopes`, `GET /clients`) carry the same `ClientScopeRepresentation` and
//! `ClientRepresentation` shapes, so one reader serves both. Unknown members are ignored
//! (every Keycloak version adds some); a member scopectl reads that has the wrong shape is
//! an error naming its JSON path. Secrets (`secret`, credentials) are never read.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail};
use serde_json::{Map, Value};

use crate::token::json;

/// The most client scopes and the most clients one import reads (the same bound `plan`
/// has for clients).
pub const MAX_ITEMS: usize = crate::push::keycloak::MAX_CLIENTS;

/// The largest realm export file read (bytes).
pub const MAX_EXPORT_BYTES: u64 = 512 * 1024 * 1024;

/// A realm as far as import needs it.
#[derive(Debug, Clone, Default)]
pub struct Realm {
    pub name: String,
    pub scopes: Vec<ScopeRep>,
    pub clients: Vec<ClientRep>,
}

/// A client scope.
#[derive(Debug, Clone, Default)]
pub struct ScopeRep {
    /// Where it was read (`$.clientScopes[3]`).
    pub at: String,
    pub name: String,
    pub description: Option<String>,
    pub protocol: Option<String>,
    pub attributes: BTreeMap<String, String>,
    pub mappers: Vec<MapperRep>,
}

/// The part of a protocol mapper that says which claim it releases, and into which tokens.
#[derive(Debug, Clone, Default)]
pub struct MapperRep {
    pub claim: Option<String>,
    pub id_token: Option<bool>,
    /// The mapper type (`protocolMapper`).
    pub kind: String,
    /// Its config, string values only.
    pub config: BTreeMap<String, String>,
}

/// A client and the names of the client scopes linked to it.
#[derive(Debug, Clone, Default)]
pub struct ClientRep {
    pub at: String,
    pub client_id: String,
    pub description: Option<String>,
    pub protocol: Option<String>,
    /// (scope name, where it is listed).
    pub default: Vec<(String, String)>,
    pub optional: Vec<(String, String)>,
}

/// Read a realm export (`kc.sh export`, the admin console's Partial export, or an array
/// of realms; `realm` picks one of several). `label` names the file in errors.
pub fn from_export(text: &str, label: &str, realm: Option<&str>) -> anyhow::Result<Realm> {
    // Strict: with a key written twice, two JSON readers could see two different realms.
    let doc: Value = json::from_str(text).map_err(|e| match e {
        json::Error::Duplicate(d) => anyhow!(
            "`{label}`: `{}` has the key `{}` twice (the second at line {}, column {}): JSON readers disagree on which value counts (some keep the last, others the first), so a realm export with a key written twice is not imported; remove one",
            d.at,
            d.name,
            d.line,
            d.column
        ),
        json::Error::Json(e) if e.is_eof() => anyhow!(
            "`{label}` ends early (line {}, column {}): the export is truncated",
            e.line(),
            e.column()
        ),
        json::Error::Json(e) => anyhow!("`{label}` is not JSON: {e}"),
    })?;
    let (rep, at) = match &doc {
        Value::Object(_) => (&doc, "$".to_string()),
        Value::Array(list) => pick_realm(list, label, realm)?,
        other => bail!(
            "`{label}` is not a Keycloak realm export: `$` is {}, not an object with `realm`, `clientScopes` and `clients`",
            kind(other)
        ),
    };
    let m = object(rep, &at, label)?;
    let name = match m.get("realm") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(other) => bail!(
            "`{label}`: `{at}.realm` is {}, not the realm's name",
            kind(other)
        ),
        None => bail!(
            "`{label}` is not a Keycloak realm export: `{at}` has no `realm` member (an export from the admin console's Partial export or `kc.sh export` has `realm`, `clientScopes` and `clients`)"
        ),
    };
    if let Some(want) = realm {
        if want != name {
            bail!("`{label}` is the export of realm `{name}`, not `{want}`");
        }
    }
    if m.contains_key("clientTemplates") && !m.contains_key("clientScopes") {
        bail!(
            "`{label}`: `{at}` has `clientTemplates`, the shape of Keycloak before 4.6; export the realm from Keycloak 15 or later"
        );
    }
    if !m.contains_key("clientScopes") && !m.contains_key("clients") {
        bail!(
            "`{label}`: `{at}` (realm `{name}`) has neither `clientScopes` nor `clients`: export it with clients (Partial export: \"Include clients\")"
        );
    }
    let empty = Value::Array(Vec::new());
    let scopes = m.get("clientScopes").unwrap_or(&empty);
    let clients = m.get("clients").unwrap_or(&empty);
    from_lists(
        &name,
        scopes,
        &format!("{at}.clientScopes"),
        clients,
        &format!("{at}.clients"),
        label,
    )
}

fn pick_realm<'a>(
    list: &'a [Value],
    label: &str,
    realm: Option<&str>,
) -> anyhow::Result<(&'a Value, String)> {
    let names: Vec<(usize, &str)> = list
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.get("realm")?.as_str()?)))
        .collect();
    let found = match realm {
        Some(want) => names.iter().find(|(_, n)| *n == want).copied(),
        None if names.len() == 1 && list.len() == 1 => names.first().copied(),
        None => None,
    };
    match found {
        Some((i, _)) => Ok((&list[i], format!("$[{i}]"))),
        None if names.is_empty() => bail!(
            "`{label}` is not a Keycloak realm export: `$` is a list without realms (objects with `realm`)"
        ),
        None => {
            let all: Vec<String> = names.iter().map(|(_, n)| format!("`{n}`")).collect();
            bail!(
                "`{label}` holds several realms ({}); choose one with --realm",
                all.join(", ")
            )
        }
    }
}

/// Read the client scopes and clients lists (`scopes_at`/`clients_at` are their JSON
/// paths, `label` the source) into a [`Realm`].
pub fn from_lists(
    name: &str,
    scopes: &Value,
    scopes_at: &str,
    clients: &Value,
    clients_at: &str,
    label: &str,
) -> anyhow::Result<Realm> {
    let mut realm = Realm {
        name: name.to_string(),
        ..Realm::default()
    };
    for (i, s) in array(scopes, scopes_at, label)?.iter().enumerate() {
        realm
            .scopes
            .push(scope(s, &format!("{scopes_at}[{i}]"), label)?);
    }
    for (i, c) in array(clients, clients_at, label)?.iter().enumerate() {
        realm
            .clients
            .push(client(c, &format!("{clients_at}[{i}]"), label)?);
    }
    Ok(realm)
}

fn scope(v: &Value, at: &str, label: &str) -> anyhow::Result<ScopeRep> {
    let m = object(v, at, label)?;
    let name = required_str(m, "name", at, label)?;
    let mut attributes = BTreeMap::new();
    if let Some(a) = non_null(m, "attributes") {
        let here = format!("{at}.attributes");
        for (k, v) in object(a, &here, label)? {
            if let Some(s) = scalar(v, &member(&here, k), label)? {
                attributes.insert(k.clone(), s);
            }
        }
    }
    let mut mappers = Vec::new();
    if let Some(list) = non_null(m, "protocolMappers") {
        let here = format!("{at}.protocolMappers");
        for (i, pm) in array(list, &here, label)?.iter().enumerate() {
            let at = format!("{here}[{i}]");
            let pm = object(pm, &at, label)?;
            let mut rep = MapperRep {
                kind: optional_str(pm, "protocolMapper", &at, label)?.unwrap_or_default(),
                ..MapperRep::default()
            };
            if let Some(config) = non_null(pm, "config") {
                let at = format!("{at}.config");
                let config = object(config, &at, label)?;
                for (k, v) in config {
                    if let Some(s) = scalar(v, &member(&at, k), label)? {
                        rep.config.insert(k.clone(), s);
                    }
                }
                rep.claim = match config.get("claim.name") {
                    Some(v) => scalar(v, &member(&at, "claim.name"), label)?,
                    None => None,
                }
                .filter(|c| !c.is_empty());
                rep.id_token = match config.get("id.token.claim") {
                    Some(v) => scalar(v, &member(&at, "id.token.claim"), label)?
                        .map(|s| s.eq_ignore_ascii_case("true")),
                    None => None,
                };
            }
            mappers.push(rep);
        }
    }
    Ok(ScopeRep {
        at: at.to_string(),
        name,
        description: optional_str(m, "description", at, label)?,
        protocol: optional_str(m, "protocol", at, label)?,
        attributes,
        mappers,
    })
}

fn client(v: &Value, at: &str, label: &str) -> anyhow::Result<ClientRep> {
    let m = object(v, at, label)?;
    let names = |key: &str| -> anyhow::Result<Vec<(String, String)>> {
        let Some(list) = non_null(m, key) else {
            return Ok(Vec::new());
        };
        let here = format!("{at}.{key}");
        array(list, &here, label)?
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let at = format!("{here}[{i}]");
                match n {
                    Value::String(s) => Ok((s.clone(), at)),
                    other => Err(anyhow!(
                        "`{label}`: `{at}` is {}, not a client scope name",
                        kind(other)
                    )),
                }
            })
            .collect()
    };
    Ok(ClientRep {
        at: at.to_string(),
        client_id: required_str(m, "clientId", at, label)?,
        description: optional_str(m, "description", at, label)?,
        protocol: optional_str(m, "protocol", at, label)?,
        default: names("defaultClientScopes")?,
        optional: names("optionalClientScopes")?,
    })
}

/// `$.a."b.c"` for a member whose name is not a plain identifier.
fn member(at: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{at}.{key}")
    } else {
        format!("{at}[{}]", Value::String(key.to_string()))
    }
}

fn kind(v: &Value) -> &'static str {
    crate::text::json_kind(v)
}

fn object<'a>(v: &'a Value, at: &str, label: &str) -> anyhow::Result<&'a Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| anyhow!("`{label}`: `{at}` is {}, not an object", kind(v)))
}

fn array<'a>(v: &'a Value, at: &str, label: &str) -> anyhow::Result<&'a Vec<Value>> {
    let list = v
        .as_array()
        .ok_or_else(|| anyhow!("`{label}`: `{at}` is {}, not a list", kind(v)))?;
    if list.len() > MAX_ITEMS {
        bail!(
            "`{label}`: `{at}` has {} entries, more than the {MAX_ITEMS} scopectl imports",
            list.len()
        );
    }
    Ok(list)
}

fn non_null<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

/// A string, boolean or number as text (attribute and mapper values are strings, but
/// hand-written and older exports write `true`); null as absent.
fn scalar(v: &Value, at: &str, label: &str) -> anyhow::Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        other => bail!("`{label}`: `{at}` is {}, not a string", kind(other)),
    }
}

fn optional_str(
    m: &Map<String, Value>,
    key: &str,
    at: &str,
    label: &str,
) -> anyhow::Result<Option<String>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => bail!(
            "`{label}`: `{}` is {}, not a string",
            member(at, key),
            kind(other)
        ),
    }
}

fn required_str(
    m: &Map<String, Value>,
    key: &str,
    at: &str,
    label: &str,
) -> anyhow::Result<String> {
    match optional_str(m, key, at, label)? {
        Some(s) if !s.is_empty() => Ok(s),
        Some(_) => bail!("`{label}`: `{}` is empty", member(at, key)),
        None => bail!("`{label}`: `{at}` has no `{key}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_json_path() {
        let e = from_export(
            r#"{"realm":"r","clientScopes":[{"name":"a","attributes":{"x":[1]}}]}"#,
            "f.json",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`$.clientScopes[0].attributes.x` is a list"),
            "{e}"
        );
        let e = from_export(
            r#"{"realm":"r","clients":[{"clientId":"c","defaultClientScopes":[3]}]}"#,
            "f.json",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("`$.clients[0].defaultClientScopes[0]` is a number"),
            "{e}"
        );
        let e = from_export(r#"{"realm":"r","clientScopes":[{"name":"a","protocolMappers":[{"config":{"claim.name":{}}}]}]}"#, "f.json", None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                r#"`$.clientScopes[0].protocolMappers[0].config["claim.name"]` is an object"#
            ),
            "{e}"
        );
        let e = from_export(r#"{"realm":"r","clientScopes":[{"na"#, "f.json", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
        let e = from_export(
            "{\"realm\":\"r\",\n \"clients\":[{\"clientId\":\"a\",\"clientId\":\"b\"}]}",
            "f.json",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("`f.json`: `$.clients[0]` has the key `clientId` twice (the second at line 2, column 29)"),
            "{e}"
        );
        let e = from_export(r#"{"clientId":"x"}"#, "f.json", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a Keycloak realm export"), "{e}");
    }

    #[test]
    fn an_array_of_realms_needs_a_choice() {
        let two = r#"[{"realm":"a","clients":[]},{"realm":"b","clients":[]}]"#;
        let e = from_export(two, "f.json", None).unwrap_err().to_string();
        assert!(e.contains("several realms (`a`, `b`)"), "{e}");
        assert_eq!(from_export(two, "f.json", Some("b")).unwrap().name, "b");
    }
}
