//! `scopectl import keycloak`: bring an existing realm under governance.
//!
//! Two sources, one representation ([`realm::Realm`]): a realm export file
//! ([`realm::from_export`]) or a live realm read through the same `[targets.NAME]`
//! session `plan` uses ([`crate::push::keycloak::Keycloak::read_representations`]: one
//! `GET /client-scopes` and one `GET /clients` per page of 500, reads only). One
//! conversion ([`convert`]) turns it into registry files: keyed by names, never UUIDs,
//! sorted, byte-identical for the same realm and `--today`; built-in scopes and clients
//! left out; secrets never read. Imported grants carry `imported = DATE` and no
//! justification, approver or expiry: `lint` counts them as one `client/import-debt`
//! finding per client. Files are written to a temporary folder, checked to load, then
//! moved into place ([`write`]).

pub mod realm;
pub mod update;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::bail;
use chrono::NaiveDate;
use serde::Serialize;

use crate::push::keycloak::{is_builtin, LEASE_CLIENT};
use crate::registry::claims::{default_tokens, Claim, ClaimSource, JsonType};
use crate::registry::policy::ScopePattern;
use crate::registry::Sensitivity;
use realm::{ClientRep, Realm, ScopeRep};

/// Keycloak's own clients in every realm (and `<realm>-realm` in `master`).
pub const BUILTIN_CLIENTS: &[&str] = &[
    "account",
    "account-console",
    "admin-cli",
    "broker",
    "realm-management",
    "security-admin-console",
];

/// Built-in scope names never written to `builtin_scopes` (`openid` is no client scope;
/// Keycloak links `service_account` itself).
const NOT_LISTED_BUILTINS: &[&str] = &["openid", "service_account"];

/// More names that do not fit `scope_pattern` than this get a pattern by character
/// class instead of a list of the names.
const MAX_LISTED_NAMES: usize = 40;

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    pub include_built_ins: bool,
    /// Write `adopt = true` (the next `apply` marks the scopes as scopectl's) instead of
    /// `managed = false`.
    pub adopt: bool,
    /// The owner written on scopes and clients until someone sets the real one.
    pub owner: String,
    pub sensitivity: Sensitivity,
    /// The `imported` date of every grant.
    pub today: NaiveDate,
}

/// The registry files an import writes, and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub realm: String,
    /// Registry-relative path -> contents, sorted.
    #[serde(skip)]
    pub files: BTreeMap<String, String>,
    pub scopes: usize,
    pub clients: usize,
    pub grants: usize,
    /// The names that do not fit the policy's `scope_pattern`.
    pub misfit_names: Vec<String>,
    /// The `scope_pattern` written, when the policy's does not fit every name.
    pub scope_pattern: Option<String>,
    pub left_out: LeftOut,
    pub notes: Vec<String>,
}

/// What was not imported, by kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeftOut {
    pub builtin_scopes: usize,
    pub builtin_clients: usize,
    pub saml_scopes: usize,
    pub saml_clients: usize,
}

fn is_builtin_client(realm: &str, id: &str) -> bool {
    BUILTIN_CLIENTS.contains(&id) || (realm == "master" && id.ends_with("-realm"))
}

fn is_saml(p: &Option<String>) -> bool {
    p.as_deref() == Some("saml")
}

/// Turn a realm into registry files. `pattern` is the `scope_pattern` in force where the
/// registry is written (a wider one is proposed when a name does not fit it).
pub fn convert(realm: &Realm, pattern: &ScopePattern, o: &Options) -> anyhow::Result<Imported> {
    let mut scopes: BTreeMap<&str, &ScopeRep> = BTreeMap::new();
    for s in &realm.scopes {
        if let Some(first) = scopes.insert(&s.name, s) {
            bail!(
                "client scope `{}` is defined twice: `{}` and `{}`",
                s.name,
                first.at,
                s.at
            );
        }
    }
    let mut out = Imported {
        realm: realm.name.clone(),
        files: BTreeMap::new(),
        scopes: 0,
        clients: 0,
        grants: 0,
        misfit_names: Vec::new(),
        scope_pattern: None,
        left_out: LeftOut::default(),
        notes: Vec::new(),
    };
    let custom = |s: &ScopeRep| !is_builtin(&s.name) && !is_saml(&s.protocol);
    for s in scopes.values() {
        if is_builtin(&s.name) {
            out.left_out.builtin_scopes += 1;
        } else if is_saml(&s.protocol) {
            out.left_out.saml_scopes += 1;
        }
    }
    // Clients, sorted by id; their grants and built-ins.
    let mut clients: BTreeMap<&str, &ClientRep> = BTreeMap::new();
    for c in &realm.clients {
        if c.client_id == LEASE_CLIENT {
            continue;
        }
        if let Some(first) = clients.insert(&c.client_id, c) {
            bail!(
                "client `{}` is defined twice: `{}` and `{}`",
                c.client_id,
                first.at,
                c.at
            );
        }
    }
    let mut client_files = Vec::new();
    for (id, c) in &clients {
        // Every linked name must be a client scope of the realm.
        for (name, at) in c.default.iter().chain(&c.optional) {
            if !scopes.contains_key(name.as_str()) {
                bail!(
                    "`{at}`: client `{id}` is linked to client scope `{name}`, which the realm's client scopes do not define"
                );
            }
        }
        let builtin_client = is_builtin_client(&realm.name, id);
        if builtin_client && !o.include_built_ins {
            out.left_out.builtin_clients += 1;
            continue;
        }
        if is_saml(&c.protocol) {
            out.left_out.saml_clients += 1;
            continue;
        }
        let mut grants: BTreeMap<&str, &str> = BTreeMap::new();
        for (kind, list) in [("optional", &c.optional), ("default", &c.default)] {
            for (name, _) in list {
                if scopes.get(name.as_str()).is_some_and(|s| custom(s)) {
                    // Linked both ways: `default` (read last) wins, as push does.
                    grants.insert(name, kind);
                }
            }
        }
        let builtins: BTreeSet<&str> = c
            .default
            .iter()
            .chain(&c.optional)
            .map(|(n, _)| n.as_str())
            .filter(|n| is_builtin(n) && !NOT_LISTED_BUILTINS.contains(n))
            .collect();
        if builtin_client && !grants.is_empty() {
            out.notes.push(format!(
                "built-in client `{id}` holds custom scopes; it is imported (--include-built-ins)"
            ));
        }
        out.grants += grants.len();
        client_files.push((*id, *c, grants, builtins));
    }
    // Custom scopes that a left-out built-in client holds: plan would call them unlisted.
    if !o.include_built_ins {
        for (id, c) in &clients {
            if !is_builtin_client(&realm.name, id) {
                continue;
            }
            let held: Vec<&str> = c
                .default
                .iter()
                .chain(&c.optional)
                .map(|(n, _)| n.as_str())
                .filter(|n| scopes.get(n).is_some_and(|s| custom(s)))
                .collect();
            if !held.is_empty() {
                out.notes.push(format!(
                    "built-in client `{id}` holds {}; it is left out, so `plan` reports it (push/unlisted-client): import again with --include-built-ins to keep it",
                    held.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    // Scope files, one per resource (the part before the first `:` or `/`).
    let mut by_file: BTreeMap<String, Vec<&ScopeRep>> = BTreeMap::new();
    for s in scopes.values().filter(|s| custom(s)) {
        by_file
            .entry(format!("scopes/{}.toml", resource_file(&s.name)))
            .or_default()
            .push(s);
        out.scopes += 1;
        if !pattern.is_match(&s.name) {
            out.misfit_names.push(s.name.clone());
        }
    }
    for (path, list) in by_file {
        let mut text = String::from(HEADER);
        for s in list {
            text.push('\n');
            scope_toml(&mut text, s, o);
        }
        out.files.insert(path, text);
    }
    let mut taken = BTreeSet::new();
    for (id, c, grants, builtins) in client_files {
        let path = unique_file(&mut taken, id);
        out.files
            .insert(path, client_toml(c, &grants, &builtins, o));
        out.clients += 1;
    }
    if !out.misfit_names.is_empty() {
        out.scope_pattern = Some(propose_pattern(pattern.as_str(), &out.misfit_names)?);
    }
    Ok(out)
}

const HEADER: &str = "# Imported by `scopectl import` from Keycloak. `owner` and `sensitivity` are\n# placeholders: set them before the first review.\n";

/// A TOML string (basic or literal, as the toml crate writes it).
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The claims a client scope's protocol mappers release, one per claim name (the first
/// mapper of a name), read the way Keycloak reads the mapper: attribute, property,
/// hard-coded, client-role and realm-role mappers keep their source; any other type
/// (full name, script, audience, ...) is `as-is`.
fn imported_claims(s: &ScopeRep) -> Vec<Claim> {
    let mut out: Vec<Claim> = Vec::new();
    for m in &s.mappers {
        let Some(name) = m.claim.clone() else {
            continue;
        };
        if out.iter().any(|c| c.name == name) {
            continue;
        }
        let config = |k: &str| m.config.get(k).cloned().filter(|v| !v.is_empty());
        let source = match m.kind.as_str() {
            "oidc-usermodel-attribute-mapper" => ClaimSource::Attribute {
                attribute: config("user.attribute").unwrap_or_else(|| name.clone()),
            },
            "oidc-usermodel-property-mapper" => ClaimSource::Property {
                property: config("user.attribute").unwrap_or_else(|| name.clone()),
            },
            "oidc-hardcoded-claim-mapper" => ClaimSource::Value {
                value: config("claim.value").unwrap_or_default(),
            },
            "oidc-usermodel-client-role-mapper" => ClaimSource::ClientRoles {
                client: config("usermodel.clientRoleMapping.clientId"),
            },
            "oidc-usermodel-realm-role-mapper" => ClaimSource::RealmRoles,
            _ => ClaimSource::AsIs,
        };
        let read = crate::push::mappers::KcMapper {
            id: String::new(),
            name: String::new(),
            kind: m.kind.clone(),
            config: m.config.clone(),
        };
        let tokens = read.tokens();
        // A mapper into no token releases nothing.
        if tokens.is_empty() {
            continue;
        }
        // The value's type and whether it is a list, kept when they differ from what
        // scopectl writes by default, so a push does not change them. As-is claims get no
        // mapper from scopectl: nothing to keep.
        let (json_type, multivalued) = if source == ClaimSource::AsIs {
            (JsonType::String, None)
        } else {
            let json_type = config("jsonType.label")
                .and_then(|l| JsonType::from_label(&l))
                .unwrap_or_default();
            let list = config("multivalued").map(|v| v.eq_ignore_ascii_case("true"));
            let roles = matches!(
                source,
                ClaimSource::ClientRoles { .. } | ClaimSource::RealmRoles
            );
            let multivalued = match (&source, list) {
                // Property and hard-coded mappers have no list setting.
                (ClaimSource::Property { .. } | ClaimSource::Value { .. }, _) => None,
                (_, Some(l)) if l != roles => Some(l),
                _ => None,
            };
            (json_type, multivalued)
        };
        out.push(Claim {
            name,
            source,
            tokens,
            json_type,
            multivalued,
            span: 0..0,
        });
    }
    out
}

/// One entry of `claims`: the name when it means what the short form means, else an
/// inline table with what differs.
pub(super) fn claim_toml(c: &Claim, id_token: bool) -> String {
    if c.is_default(id_token) {
        return q(&c.name);
    }
    let mut parts = vec![format!("name = {}", q(&c.name))];
    match &c.source {
        ClaimSource::Attribute { attribute } if *attribute == c.name => {}
        ClaimSource::Attribute { attribute } => parts.push(format!("attribute = {}", q(attribute))),
        ClaimSource::Property { property } => {
            parts.push("source = \"property\"".into());
            parts.push(format!("property = {}", q(property)));
        }
        ClaimSource::Value { value } => {
            parts.push("source = \"value\"".into());
            parts.push(format!("value = {}", q(value)));
        }
        ClaimSource::ClientRoles { client } => {
            parts.push("source = \"client-roles\"".into());
            if let Some(c) = client {
                parts.push(format!("client = {}", q(c)));
            }
        }
        ClaimSource::RealmRoles => parts.push("source = \"realm-roles\"".into()),
        ClaimSource::AsIs => parts.push("source = \"as-is\"".into()),
    }
    if c.tokens != default_tokens(id_token) {
        let t: Vec<String> = c.tokens.iter().map(|t| q(t.as_str())).collect();
        parts.push(format!("tokens = [{}]", t.join(", ")));
    }
    if !c.json_type.is_string() {
        parts.push(format!("json_type = {}", q(c.json_type.as_str())));
    }
    if let Some(l) = c.multivalued {
        parts.push(format!("multivalued = {l}"));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn scope_toml(text: &mut String, s: &ScopeRep, o: &Options) {
    let attr = |k: &str| s.attributes.get(k).map(String::as_str);
    let description = s
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or(&s.name);
    let _ = writeln!(text, "[scopes.{}]", q(&s.name));
    let _ = writeln!(text, "description = {}", q(description));
    let _ = writeln!(text, "owner = {}", q(&o.owner));
    let _ = writeln!(text, "sensitivity = {}", q(o.sensitivity.as_str()));
    let claims = imported_claims(s);
    if !claims.is_empty() {
        // `id_token = false` when no mapper releases into ID tokens (Keycloak reads an
        // absent `id.token.claim` as off).
        let to_id = claims
            .iter()
            .any(|c| c.into_token(crate::registry::claims::TokenKind::Id));
        let list: Vec<String> = claims.iter().map(|c| claim_toml(c, to_id)).collect();
        let _ = writeln!(text, "claims = [{}]", list.join(", "));
        if !to_id {
            text.push_str("id_token = false\n");
        }
    }
    if let Some(consent) =
        attr("consent.screen.text").filter(|c| !c.is_empty() && *c != description)
    {
        let _ = writeln!(text, "consent_text = {}", q(consent));
    }
    if attr("include.in.token.scope").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
        text.push_str("in_token_scope = false\n");
    }
    if attr(crate::push::keycloak::MARKER) == Some("true") {
        // Already scopectl's.
    } else if o.adopt {
        text.push_str("adopt = true\n");
    } else {
        text.push_str("managed = false\n");
    }
}

fn client_toml(
    c: &ClientRep,
    grants: &BTreeMap<&str, &str>,
    builtins: &BTreeSet<&str>,
    o: &Options,
) -> String {
    let mut text = String::from(
        "# Imported by `scopectl import` from Keycloak. Each grant needs a justification, an\n# approver and an expiry (lint: client/import-debt).\n[client]\n",
    );
    let _ = writeln!(text, "id = {}", q(&c.client_id));
    let _ = writeln!(text, "owner = {}", q(&o.owner));
    if let Some(d) = c.description.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(text, "description = {}", q(d));
    }
    if o.include_built_ins {
        let list: Vec<String> = builtins.iter().map(|b| q(b)).collect();
        let _ = writeln!(text, "builtin_scopes = [{}]", list.join(", "));
    }
    for (scope, kind) in grants {
        let _ = write!(
            text,
            "\n[[grants]]\nscope = {}\ntype = \"{kind}\"\nimported = {}\n",
            q(scope),
            o.today.format("%Y-%m-%d")
        );
    }
    text
}

/// A file stem for a name: ASCII letters, digits, `-` and `_` (lower case, so no two
/// files differ only in case), at most 80 characters.
fn stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "unnamed".into()
    } else {
        s
    }
}

fn resource_file(scope: &str) -> String {
    match scope.find([':', '/']) {
        Some(i) if i > 0 => stem(&scope[..i]),
        _ => "other".into(),
    }
}

/// `clients/<stem>.toml`, with `-2`, `-3`, … when two ids give the same stem (ids are
/// taken in sorted order, so the names are stable).
fn unique_file(taken: &mut BTreeSet<String>, id: &str) -> String {
    let base = stem(id);
    let mut name = base.clone();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{base}-{n}");
    }
    format!("clients/{name}.toml")
}

/// A `scope_pattern` that matches what `current` matches and every name of `misfits`:
/// the names themselves when there are few, else the characters they use.
pub fn propose_pattern(current: &str, misfits: &[String]) -> anyhow::Result<String> {
    let listed = || {
        let names: Vec<String> = misfits.iter().map(|n| regex::escape(n)).collect();
        format!("(?:{current})|^(?:{})$", names.join("|"))
    };
    let pattern = if misfits.len() <= MAX_LISTED_NAMES {
        listed()
    } else {
        let mut class = String::new();
        let chars: BTreeSet<char> = misfits.iter().flat_map(|n| n.chars()).collect();
        let (mut lower, mut upper, mut digit) = (false, false, false);
        for c in &chars {
            match c {
                'a'..='z' => lower = true,
                'A'..='Z' => upper = true,
                '0'..='9' => digit = true,
                c => class.push_str(&regex::escape(&c.to_string())),
            }
        }
        let mut ranges = String::new();
        for (on, r) in [(lower, "a-z"), (upper, "A-Z"), (digit, "0-9")] {
            if on {
                ranges.push_str(r);
            }
        }
        // `-` last, so it is no range.
        let class = class.replace("\\-", "");
        let dash = if chars.contains(&'-') { "\\-" } else { "" };
        format!("(?:{current})|^[{ranges}{class}{dash}]+$")
    };
    let re = regex::Regex::new(&pattern)?;
    if misfits.iter().all(|n| re.is_match(n)) {
        return Ok(pattern);
    }
    Ok(listed())
}

/// The JSON document `import --format json` prints (version 1).
pub fn report_json(
    imported: &Imported,
    source: &write::Source,
    written: &write::Written,
) -> anyhow::Result<String> {
    let doc = serde_json::json!({
        "version": 1,
        "source": source,
        "realm": imported.realm,
        "out": written.out,
        "files": written.files,
        "policy_file": written.policy_file,
        "scopes": imported.scopes,
        "clients": imported.clients,
        "grants": imported.grants,
        "scope_pattern": imported.scope_pattern,
        "misfit_names": imported.misfit_names,
        "left_out": imported.left_out,
        "notes": imported.notes,
        "lint": written.lint,
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

/// What an import did, for a person (values from the server are cleaned).
pub fn report_text(
    imported: &Imported,
    source: &write::Source,
    written: &write::Written,
) -> String {
    use crate::text::clean;
    let mut t = String::new();
    let from = match source.kind {
        "target" => format!("target `{}`", clean(&source.name)),
        _ => format!("`{}`", clean(&source.name)),
    };
    let _ = writeln!(
        t,
        "imported realm `{}` from {from} into {}: {} scopes, {} clients, {} grants ({} files)",
        clean(&imported.realm),
        clean(&written.out),
        imported.scopes,
        imported.clients,
        imported.grants,
        written.files.len()
    );
    if let Some(c) = &source.requests {
        let _ = writeln!(
            t,
            "requests: {} reads, {} token, {} writes",
            c.reads, c.auth, c.writes
        );
    }
    let l = &imported.left_out;
    let _ = writeln!(
        t,
        "left out: {} built-in scopes, {} built-in clients, {} SAML scopes, {} SAML clients",
        l.builtin_scopes, l.builtin_clients, l.saml_scopes, l.saml_clients
    );
    if let Some(p) = &imported.scope_pattern {
        let _ = writeln!(
            t,
            "{} scope names do not fit `resource:action`; scopectl.toml ({}) gets scope_pattern = {}",
            imported.misfit_names.len(),
            written.policy_file.unwrap_or("unchanged"),
            clean(p)
        );
    }
    for n in &imported.notes {
        let _ = writeln!(t, "note: {}", clean(n));
    }
    let s = written.lint;
    let _ = writeln!(
        t,
        "lint: {} errors, {} warnings, {} accepted (imported grants without justification, approver or expiry are counted per client: client/import-debt)",
        s.errors, s.warnings, s.accepted
    );
    t.push_str("next: set `owner` and `sensitivity`, justify and approve each grant, then `scopectl plan` (it should show no changes)\n");
    t
}

#[cfg(test)]
mod tests {

    fn mapper(kind: &str, config: &[(&str, &str)]) -> realm::MapperRep {
        realm::MapperRep {
            claim: config
                .iter()
                .find(|(k, _)| *k == "claim.name")
                .map(|(_, v)| v.to_string()),
            id_token: None,
            kind: kind.into(),
            config: config
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn mappers_read_back_into_names_or_tables() {
        let all = [
            ("access.token.claim", "true"),
            ("id.token.claim", "true"),
            ("userinfo.token.claim", "true"),
            ("introspection.token.claim", "true"),
        ];
        fn with<'a>(
            all: &[(&'a str, &'a str)],
            extra: &[(&'a str, &'a str)],
        ) -> Vec<(&'a str, &'a str)> {
            all.iter().chain(extra).copied().collect()
        }
        let scope = ScopeRep {
            mappers: vec![
                mapper(
                    "oidc-usermodel-attribute-mapper",
                    &with(
                        &all,
                        &[("claim.name", "tenant"), ("user.attribute", "tenant")],
                    ),
                ),
                mapper(
                    "oidc-usermodel-attribute-mapper",
                    &[
                        ("claim.name", "region"),
                        ("user.attribute", "sensor_region"),
                        ("access.token.claim", "true"),
                        ("introspection.token.claim", "false"),
                    ],
                ),
                mapper(
                    "oidc-usermodel-realm-role-mapper",
                    &with(&all, &[("claim.name", "roles_list")]),
                ),
                mapper(
                    "oidc-full-name-mapper",
                    &with(&all, &[("claim.name", "full")]),
                ),
                mapper("oidc-audience-mapper", &with(&all, &[])),
                mapper(
                    "oidc-usermodel-attribute-mapper",
                    &with(
                        &all,
                        &[
                            ("claim.name", "seats"),
                            ("user.attribute", "seats"),
                            ("jsonType.label", "long"),
                            ("multivalued", "true"),
                        ],
                    ),
                ),
                mapper(
                    "oidc-usermodel-realm-role-mapper",
                    &with(
                        &all,
                        &[
                            ("claim.name", "main_role"),
                            ("jsonType.label", "String"),
                            ("multivalued", "false"),
                        ],
                    ),
                ),
            ],
            ..ScopeRep::default()
        };
        let claims = imported_claims(&scope);
        let toml: Vec<String> = claims.iter().map(|c| claim_toml(c, true)).collect();
        assert_eq!(
            toml,
            vec![
                "\"tenant\"".to_string(),
                "{ name = \"region\", attribute = \"sensor_region\", tokens = [\"access\"] }"
                    .into(),
                "{ name = \"roles_list\", source = \"realm-roles\" }".into(),
                "{ name = \"full\", source = \"as-is\" }".into(),
                "{ name = \"seats\", json_type = \"long\", multivalued = true }".into(),
                "{ name = \"main_role\", source = \"realm-roles\", multivalued = false }".into(),
            ]
        );
        // What import writes reads back to the same claims, so a push changes nothing.
        for (c, t) in claims.iter().zip(&toml) {
            #[derive(serde::Deserialize)]
            struct S {
                claims: Vec<crate::registry::Sp<crate::registry::claims::ClaimDecl>>,
            }
            let s: S = toml::from_str(&format!("claims = [{t}]")).unwrap();
            let back = crate::registry::claims::resolve(&s.claims[0], true);
            assert_eq!(
                (&back.source, &back.tokens, back.json_type, back.is_list()),
                (&c.source, &c.tokens, c.json_type, c.is_list()),
                "{t}"
            );
        }
    }
    use super::*;

    #[test]
    fn proposed_patterns_fit_every_name_and_keep_the_old_ones() {
        let names: Vec<String> = ["patient/Patient.read", "launch/patient", "read"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = propose_pattern(crate::registry::policy::DEFAULT_SCOPE_PATTERN, &names).unwrap();
        let re = regex::Regex::new(&p).unwrap();
        assert!(names.iter().all(|n| re.is_match(n)));
        assert!(re.is_match("orders:read"));
        assert!(!re.is_match("patient/Patient.write"));
        let many: Vec<String> = (0..100).map(|i| format!("res{i}/x-y.Z")).collect();
        let p = propose_pattern(crate::registry::policy::DEFAULT_SCOPE_PATTERN, &many).unwrap();
        let re = regex::Regex::new(&p).unwrap();
        assert!(many.iter().all(|n| re.is_match(n)), "{p}");
        assert!(!re.is_match("has space"), "{p}");
    }

    #[test]
    fn file_names_are_stable_and_distinct() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_file(&mut taken, "App.A"), "clients/app-a.toml");
        assert_eq!(unique_file(&mut taken, "app/a"), "clients/app-a-2.toml");
        assert_eq!(unique_file(&mut taken, "///"), "clients/unnamed.toml");
        assert_eq!(resource_file("patient/Patient.read"), "patient");
        assert_eq!(resource_file("read"), "other");
    }
}
