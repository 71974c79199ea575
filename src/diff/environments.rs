//! `scopectl diff --env FROM..TO`: the promotion view. What the registry pushes to one
//! environment and not to another (scopes, clients, grants), and grants attached
//! differently, on `today` (expired grants reach nowhere). Computed from one registry:
//! both sides are the environments' views of it ([`Registry::in_environment`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::registry::{GrantType, Registry};
use crate::text::{clean, md_cell};

/// Version of the JSON document of `diff --env`.
pub const PROMOTION_VERSION: u32 = 1;

/// What one environment has that another does not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    /// Scopes in this environment only (excluded from the other).
    pub scopes: Vec<String>,
    /// Clients in this environment only (registry ids).
    pub clients: Vec<String>,
    /// Grants reaching this environment only.
    pub grants: Vec<GrantRow>,
}

impl Side {
    fn is_empty(&self) -> bool {
        self.scopes.is_empty() && self.clients.is_empty() && self.grants.is_empty()
    }
}

/// One grant of the promotion view.
#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    /// The registry client id.
    pub client: String,
    /// The client's `client_id` in the environment it reaches.
    pub client_id: String,
    pub scope: String,
    #[serde(rename = "type")]
    pub kind: GrantType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Why it does not reach the other environment.
    pub reason: String,
}

/// A grant in both environments, attached differently.
#[derive(Debug, Clone, Serialize)]
pub struct TypeChange {
    pub client: String,
    pub scope: String,
    pub from: GrantType,
    pub to: GrantType,
}

/// A client whose `client_id` differs between the two environments.
#[derive(Debug, Clone, Serialize)]
pub struct IdChange {
    pub client: String,
    pub from: String,
    pub to: String,
}

/// The promotion view from `from` to `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Promotion {
    pub version: u32,
    pub from: String,
    pub to: String,
    pub today: chrono::NaiveDate,
    /// What `from` has that `to` does not: what a promotion would add.
    pub only_in_from: Side,
    /// What `to` has that `from` does not.
    pub only_in_to: Side,
    /// Grants in both, attached differently (default/optional).
    pub type_changes: Vec<TypeChange>,
    /// Clients with another `client_id` in each environment (informational).
    pub client_ids: Vec<IdChange>,
}

impl Promotion {
    /// Nothing differs but client ids.
    pub fn is_empty(&self) -> bool {
        self.only_in_from.is_empty() && self.only_in_to.is_empty() && self.type_changes.is_empty()
    }
}

type Grants = BTreeMap<(String, String), (GrantType, Option<String>, String)>;

/// Every unexpired grant reaching `env`: (client, scope) -> (type, expires, client_id).
fn grants_in(registry: &Registry, env: &str, today: chrono::NaiveDate) -> Grants {
    let mut out = Grants::new();
    for c in registry.clients.values() {
        for g in registry.active_grants(c, today) {
            if registry.grant_reaches(c, g, env) {
                let kind = g.def.kind();
                let e = out.entry((c.id.clone(), g.scope().to_string())).or_insert((
                    kind,
                    g.def.expires.as_ref().map(|d| d.to_string()),
                    c.def.id_in(env).to_string(),
                ));
                if kind == GrantType::Default {
                    e.0 = GrantType::Default;
                }
            }
        }
    }
    out
}

/// Why a grant of `client` of `scope` does not reach `env`.
fn reason(registry: &Registry, client: &str, scope: &str, env: &str) -> String {
    let Some(c) = registry.clients.get(client) else {
        return String::new();
    };
    if !c.def.in_environment(env) {
        return format!("client not in {env}");
    }
    if registry
        .scopes
        .get(scope)
        .is_some_and(|s| s.def.excluded_in(env))
    {
        return format!("scope excluded from {env}");
    }
    format!("grant not for {env}")
}

fn side(registry: &Registry, mine: &Grants, theirs: &Grants, me: &str, other: &str) -> Side {
    let scopes = registry
        .scopes
        .values()
        .filter(|s| !s.def.excluded_in(me) && s.def.excluded_in(other))
        .map(|s| s.name.clone())
        .collect();
    let clients = registry
        .clients
        .values()
        .filter(|c| c.def.in_environment(me) && !c.def.in_environment(other))
        .map(|c| c.id.clone())
        .collect();
    let grants = mine
        .iter()
        .filter(|(k, _)| !theirs.contains_key(*k))
        .map(|((client, scope), (kind, expires, id))| GrantRow {
            client: client.clone(),
            client_id: id.clone(),
            scope: scope.clone(),
            kind: *kind,
            expires: expires.clone(),
            reason: reason(registry, client, scope, other),
        })
        .collect();
    Side {
        scopes,
        clients,
        grants,
    }
}

/// The promotion view of `registry` from environment `from` to `to` on `today`.
pub fn promotion(registry: &Registry, from: &str, to: &str, today: chrono::NaiveDate) -> Promotion {
    let a = grants_in(registry, from, today);
    let b = grants_in(registry, to, today);
    let type_changes = a
        .iter()
        .filter_map(|(k, (ka, _, _))| {
            let (kb, _, _) = b.get(k)?;
            (ka != kb).then(|| TypeChange {
                client: k.0.clone(),
                scope: k.1.clone(),
                from: *ka,
                to: *kb,
            })
        })
        .collect();
    let client_ids = registry
        .clients
        .values()
        .filter(|c| c.def.in_environment(from) && c.def.in_environment(to))
        .filter(|c| c.def.id_in(from) != c.def.id_in(to))
        .map(|c| IdChange {
            client: c.id.clone(),
            from: c.def.id_in(from).to_string(),
            to: c.def.id_in(to).to_string(),
        })
        .collect();
    Promotion {
        version: PROMOTION_VERSION,
        from: from.to_string(),
        to: to.to_string(),
        today,
        only_in_from: side(registry, &a, &b, from, to),
        only_in_to: side(registry, &b, &a, to, from),
        type_changes,
        client_ids,
    }
}

/// `FROM..TO` as two environment names of the registry (its targets' environments).
pub fn parse_range(registry: &Registry, spec: &str) -> anyhow::Result<(String, String)> {
    let Some((from, to)) = spec.split_once("..") else {
        anyhow::bail!(
            "--env takes two environments as FROM..TO (e.g. dev..prod), not `{}`",
            clean(spec)
        );
    };
    for e in [from, to] {
        registry.check_environment(e)?;
    }
    if from == to {
        anyhow::bail!("--env {from}..{to} compares an environment with itself");
    }
    Ok((from.to_string(), to.to_string()))
}

fn grant_line(g: &GrantRow) -> String {
    format!(
        "{} ({}) {} [{}]{} - {}",
        clean(&g.client),
        clean(&g.client_id),
        clean(&g.scope),
        g.kind,
        g.expires
            .as_ref()
            .map(|e| format!(" until {e}"))
            .unwrap_or_default(),
        g.reason
    )
}

/// The human rendering.
pub fn human(p: &Promotion) -> String {
    let mut out = format!(
        "Promotion {} -> {} (as of {})\n",
        clean(&p.from),
        clean(&p.to),
        p.today
    );
    for (title, s) in [
        (
            format!("In {} only (a promotion adds)", clean(&p.from)),
            &p.only_in_from,
        ),
        (format!("In {} only", clean(&p.to)), &p.only_in_to),
    ] {
        if s.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}:\n"));
        for sc in &s.scopes {
            out.push_str(&format!("  scope  {}\n", clean(sc)));
        }
        for c in &s.clients {
            out.push_str(&format!("  client {}\n", clean(c)));
        }
        for g in &s.grants {
            out.push_str(&format!("  grant  {}\n", grant_line(g)));
        }
    }
    if !p.type_changes.is_empty() {
        out.push_str("\nAttached differently:\n");
        for t in &p.type_changes {
            out.push_str(&format!(
                "  {} {}: {} -> {}\n",
                clean(&t.client),
                clean(&t.scope),
                t.from,
                t.to
            ));
        }
    }
    if !p.client_ids.is_empty() {
        out.push_str("\nClient ids per environment:\n");
        for c in &p.client_ids {
            out.push_str(&format!(
                "  {}: {} -> {}\n",
                clean(&c.client),
                clean(&c.from),
                clean(&c.to)
            ));
        }
    }
    if p.is_empty() {
        out.push_str(&format!(
            "\n{} and {} have the same scopes, clients and grants\n",
            clean(&p.from),
            clean(&p.to)
        ));
    }
    out
}

/// The Markdown rendering, for a release's pull request or record.
pub fn markdown(p: &Promotion) -> String {
    let mut out = format!(
        "## Promotion {} → {}\n\nAs of {}.\n",
        md_cell(&p.from),
        md_cell(&p.to),
        p.today
    );
    for (title, s) in [
        (
            format!("In {} only (a promotion adds)", md_cell(&p.from)),
            &p.only_in_from,
        ),
        (format!("In {} only", md_cell(&p.to)), &p.only_in_to),
    ] {
        if s.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n| kind | client | client_id | scope | type | expires | why |\n|---|---|---|---|---|---|---|\n"));
        for sc in &s.scopes {
            out.push_str(&format!("| scope | | | {} | | | |\n", md_cell(sc)));
        }
        for c in &s.clients {
            out.push_str(&format!("| client | {} | | | | | |\n", md_cell(c)));
        }
        for g in &s.grants {
            out.push_str(&format!(
                "| grant | {} | {} | {} | {} | {} | {} |\n",
                md_cell(&g.client),
                md_cell(&g.client_id),
                md_cell(&g.scope),
                g.kind,
                g.expires.as_deref().unwrap_or(""),
                md_cell(&g.reason)
            ));
        }
    }
    if !p.type_changes.is_empty() {
        out.push_str(
            "\n### Attached differently\n\n| client | scope | from | to |\n|---|---|---|---|\n",
        );
        for t in &p.type_changes {
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                md_cell(&t.client),
                md_cell(&t.scope),
                t.from,
                t.to
            ));
        }
    }
    if p.is_empty() {
        out.push_str("\nSame scopes, clients and grants in both.\n");
    }
    out
}

/// The JSON document (version [`PROMOTION_VERSION`]).
pub fn json(p: &Promotion) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(p)?;
    s.push('\n');
    Ok(s)
}
