//! `scopectl expiring --within 30d`: the grants that expire within a window (or already
//! have), grouped by owner, so a scheduled job can tell each owner what to renew: the
//! client's owner asks for the renewal, the scope's owner approves it.

use chrono::NaiveDate;
use serde::Serialize;

use crate::registry::{Lifetime, Registry};

/// One grant that expires within the window (or has expired).
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub client: String,
    pub client_owner: Option<String>,
    pub scope: String,
    /// `None` when no scope file defines the scope.
    pub scope_owner: Option<String>,
    pub sensitivity: Option<String>,
    pub expires: String,
    /// 0 on the last valid day, negative once expired.
    pub days_left: i64,
    /// `expired` or `expiring`.
    pub status: &'static str,
    pub approved_by: Option<String>,
    pub ticket: Option<String>,
    /// `clients/shop.toml:12`: where the grant is written.
    pub file: String,
}

/// What one owner has to act on: grants of the clients they own (to renew) and grants of
/// the scopes they own (to approve again).
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub owner: String,
    /// The owner team's code-host handle, when declared (`@acme/shop`).
    pub handle: Option<String>,
    /// Indexes into `grants` of grants to clients this owner owns.
    pub client_owner_of: Vec<usize>,
    /// Indexes into `grants` of grants of scopes this owner owns.
    pub scope_owner_of: Vec<usize>,
}

/// The document (`--format json`, version 1).
#[derive(Debug, Clone, Serialize)]
pub struct Expiring {
    pub version: u32,
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub today: String,
    pub within: String,
    /// The last day in the window: grants expiring on or before it are listed.
    pub until: String,
    /// `grants.len()`.
    pub count: usize,
    /// Soonest first.
    pub grants: Vec<Row>,
    /// By owner name; a grant is under its client's owner and its scope's owner.
    pub owners: Vec<Owner>,
    /// Grants to clients without an owner, or of scopes nobody owns: no one to tell.
    pub unowned: Vec<usize>,
}

/// The grants of `reg` that expire on or before `today + within`, grouped by owner.
pub fn expiring(reg: &Registry, today: NaiveDate, within: &Lifetime) -> Expiring {
    let until = today + chrono::Duration::days(within.days());
    let mut grants: Vec<Row> = Vec::new();
    for c in reg.clients.values() {
        for g in &c.grants {
            let Some(expires) = &g.def.expires else {
                continue;
            };
            if expires.0 > until {
                continue;
            }
            let days_left = (expires.0 - today).num_days();
            let scope = reg.scopes.get(g.scope());
            let (line, _) = reg.files.location(g.file, g.span.start);
            grants.push(Row {
                client: c.id.clone(),
                client_owner: c.def.owner.as_ref().map(|o| o.get().clone()),
                scope: g.scope().to_string(),
                scope_owner: scope.map(|s| s.def.owner.get().clone()),
                sensitivity: scope.map(|s| s.def.sensitivity.to_string()),
                expires: expires.to_string(),
                days_left,
                status: if days_left < 0 { "expired" } else { "expiring" },
                approved_by: g.def.approved_by.as_ref().map(|a| a.to_string()),
                ticket: g.def.ticket.as_ref().map(|t| t.get().clone()),
                file: format!("{}:{line}", reg.files.name(g.file)),
            });
        }
    }
    grants.sort_by(|a, b| {
        (a.days_left, &a.client, &a.scope).cmp(&(b.days_left, &b.client, &b.scope))
    });
    let mut owners: std::collections::BTreeMap<String, Owner> = Default::default();
    let mut unowned = Vec::new();
    let mut owner = |name: &str| -> Option<String> {
        let name = name.trim();
        (!name.is_empty()).then(|| {
            let key = crate::text::identity_key(name);
            owners.entry(key.clone()).or_insert_with(|| Owner {
                owner: name.to_string(),
                handle: reg.people.team(name).and_then(|t| t.handle.clone()),
                client_owner_of: Vec::new(),
                scope_owner_of: Vec::new(),
            });
            key
        })
    };
    let mut by_owner: Vec<(String, usize, bool)> = Vec::new();
    for (i, r) in grants.iter().enumerate() {
        let c = r.client_owner.as_deref().and_then(&mut owner);
        let s = r.scope_owner.as_deref().and_then(&mut owner);
        if c.is_none() || s.is_none() {
            unowned.push(i);
        }
        by_owner.extend(c.map(|k| (k, i, true)));
        by_owner.extend(s.map(|k| (k, i, false)));
    }
    for (k, i, as_client) in by_owner {
        if let Some(o) = owners.get_mut(&k) {
            if as_client {
                o.client_owner_of.push(i);
            } else {
                o.scope_owner_of.push(i);
            }
        }
    }
    Expiring {
        version: 1,
        tool: "scopectl",
        tool_version: env!("CARGO_PKG_VERSION"),
        today: today.format("%Y-%m-%d").to_string(),
        within: within.to_string(),
        until: until.format("%Y-%m-%d").to_string(),
        count: grants.len(),
        grants,
        owners: owners.into_values().collect(),
        unowned,
    }
}

fn when(r: &Row) -> String {
    match r.days_left {
        d if d < 0 => format!("expired {} day(s) ago", -d),
        0 => "last day today".to_string(),
        d => format!("in {d} day(s)"),
    }
}

/// A table per owner, for a person.
pub fn table(e: &Expiring, width: u16) -> String {
    use crate::text::clean;
    let mut out = format!(
        "{} grant(s) expired or expiring by {} (today {}, within {})\n",
        e.count, e.until, e.today, e.within
    );
    let section = |title: String, rows: &[usize], out: &mut String| {
        if rows.is_empty() {
            return;
        }
        let mut t = crate::output::table::fitted_table(
            vec!["client", "scope", "expires", "when", "approved by", "where"],
            width,
        );
        for &i in rows {
            let r = &e.grants[i];
            t.add_row(vec![
                clean(&r.client).into_owned(),
                clean(&r.scope).into_owned(),
                r.expires.clone(),
                when(r),
                clean(r.approved_by.as_deref().unwrap_or("—")).into_owned(),
                clean(&r.file).into_owned(),
            ]);
        }
        out.push_str(&format!("\n{}\n{t}\n", clean(&title)));
    };
    for o in &e.owners {
        let who = match &o.handle {
            Some(h) => format!("{} ({h})", o.owner),
            None => o.owner.clone(),
        };
        section(
            format!("{who}: renew (owner of the client)"),
            &o.client_owner_of,
            &mut out,
        );
        section(
            format!("{who}: approve again (owner of the scope)"),
            &o.scope_owner_of,
            &mut out,
        );
    }
    section(
        "No owner to tell (client or scope without owner)".into(),
        &e.unowned,
        &mut out,
    );
    out
}

/// Markdown: one section per owner, for an issue or a chat message.
pub fn markdown(e: &Expiring) -> String {
    use crate::text::{md_cell, md_line};
    let mut out = format!(
        "## Grants expired or expiring by {} ({})\n\n{} grant(s) as of {}.\n",
        e.until,
        md_line(&e.within),
        e.count,
        e.today
    );
    let section = |title: String, rows: &[usize], out: &mut String| {
        if rows.is_empty() {
            return;
        }
        out.push_str(&format!(
            "\n### {title}\n\n| client | scope | expires | when | approved by | where |\n|---|---|---|---|---|---|\n"
        ));
        for &i in rows {
            let r = &e.grants[i];
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                md_cell(&r.client),
                md_cell(&r.scope),
                r.expires,
                when(r),
                md_cell(r.approved_by.as_deref().unwrap_or("—")),
                md_cell(&r.file)
            ));
        }
    };
    for o in &e.owners {
        let who = match &o.handle {
            Some(h) => format!("{} ({})", md_line(&o.owner), md_line(h)),
            None => md_line(&o.owner),
        };
        section(
            format!("{who}: renew (owner of the client)"),
            &o.client_owner_of,
            &mut out,
        );
        section(
            format!("{who}: approve again (owner of the scope)"),
            &o.scope_owner_of,
            &mut out,
        );
    }
    section(
        "No owner to tell (client or scope without owner)".into(),
        &e.unowned,
        &mut out,
    );
    out
}
