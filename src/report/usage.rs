//! Usage evidence in the report (`report --usage FILE`): the snapshot's window and sources,
//! used / unused / not-evaluable grants by sensitivity, and the
//! [`Evidence::UsageSnapshot`](super::mapping::Evidence) the monitoring controls (NIST CSF
//! DE.CM-03) are judged on.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Found, Gap, GrantRow};
use crate::rules::Rule;
use crate::usage::evaluate::{Evaluation, Status};
use crate::usage::Snapshot;

/// A snapshot and the part of its window to judge.
#[derive(Debug, Clone, Copy)]
pub struct UsageInput<'a> {
    pub snapshot: &'a Snapshot,
    /// Judge only the last part of the snapshot's window (`--usage-window 90d`).
    pub window: Option<chrono::Duration>,
}

/// One source of the snapshot, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub kind: &'static str,
    pub name: String,
    pub collected_at: String,
    pub read: u64,
    pub counted: u64,
    pub oldest_event: Option<String>,
    /// Token event types stored (`null`: not known).
    pub stored_types: Option<Vec<String>>,
    pub stored_types_from: Option<String>,
    /// `events on, kept 30 day(s), types: …` for a Keycloak target.
    pub realm_events: Option<String>,
    /// Token samples: verified and unverified.
    pub verified: Option<u64>,
    pub unverified: Option<u64>,
}

/// Grants of one sensitivity by usage status (the chart).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ByStatus {
    pub used: usize,
    pub unused: usize,
    pub never_requested: usize,
    pub not_evaluable: usize,
}

/// The usage part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct UsageSummary {
    /// The window judged.
    pub from: String,
    pub to: String,
    pub days: i64,
    /// The window's length in seconds (`days` rounds down).
    pub days_seconds: i64,
    pub sources: Vec<SourceRow>,
    /// Rows of the grant table by status; they add up to the report's grants.
    pub used: usize,
    pub unused: usize,
    pub never_requested: usize,
    pub not_evaluable: usize,
    /// By sensitivity (`low` … `critical`, `undefined`), in that order.
    pub by_sensitivity: Vec<(String, ByStatus)>,
    /// Scopes granted that no token carried (complete evidence).
    pub unused_scopes: Vec<String>,
    /// Scopes the server issued without a grant: client, scope, tokens, last seen.
    pub ungranted: Vec<(String, String, u64, String)>,
    /// Why grants are not evaluable, with how many each.
    pub not_evaluable_reasons: Vec<(String, usize)>,
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// The report's usage section from an evaluation of its grants.
pub fn summary(eval: &Evaluation, snap: &Snapshot, grants: &[GrantRow]) -> UsageSummary {
    let mut by: BTreeMap<u8, (String, ByStatus)> = BTreeMap::new();
    for g in grants {
        let Some(u) = &g.usage else { continue };
        let (rank, name) = match g.sensitivity {
            Some(s) => (s as u8, s.as_str().to_string()),
            None => (u8::MAX, "undefined".to_string()),
        };
        let e = &mut by
            .entry(rank)
            .or_insert_with(|| (name, ByStatus::default()))
            .1;
        match u.status {
            Status::Used => e.used += 1,
            Status::Unused => e.unused += 1,
            Status::NeverRequested => e.never_requested += 1,
            Status::NotEvaluable => e.not_evaluable += 1,
        }
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for g in &eval.grants {
        if let Some(r) = &g.reason {
            // The part before "; last used …" is the same for many grants.
            let key = r.split("; last used").next().unwrap_or(r).to_string();
            *reasons.entry(key).or_default() += 1;
        }
    }
    let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    UsageSummary {
        from: time(eval.window.from),
        to: time(eval.window.to),
        days: eval.window.days(),
        days_seconds: (eval.window.to - eval.window.from).num_seconds(),
        sources: snap
            .sources
            .iter()
            .map(|s| SourceRow {
                kind: s.kind.as_str(),
                name: s.name.clone(),
                collected_at: time(s.collected_at),
                read: s.read,
                counted: s.counted,
                oldest_event: s.oldest_event.map(time),
                stored_types: s.stored_types.clone(),
                stored_types_from: s.stored_types_from.clone(),
                realm_events: s.realm_events.as_ref().map(|r| {
                    format!(
                        "events {}, kept {}, types: {}",
                        if r.events_enabled { "on" } else { "OFF" },
                        r.expiration_seconds
                            .map(|e| crate::usage::evaluate::length(e as i64))
                            .unwrap_or_else(|| "until deleted".into()),
                        if r.enabled_event_types.is_empty() {
                            "Keycloak's default set".to_string()
                        } else {
                            r.enabled_event_types.join(", ")
                        }
                    )
                }),
                verified: s.verified,
                unverified: s.unverified,
            })
            .collect(),
        used: eval.count(Status::Used),
        unused: eval.count(Status::Unused),
        never_requested: eval.count(Status::NeverRequested),
        not_evaluable: eval.count(Status::NotEvaluable),
        by_sensitivity: by.into_values().collect(),
        unused_scopes: eval.unused_scopes.clone(),
        ungranted: eval
            .ungranted
            .iter()
            .map(|(c, s, n, t)| (c.clone(), s.clone(), *n, time(*t)))
            .collect(),
        not_evaluable_reasons: reasons,
    }
}

/// The usage evidence: gaps are scopes issued without a grant; partial while some grants
/// are not evaluable; not evaluable without a snapshot, or when no grant is.
pub(super) fn found(eval: Option<&Evaluation>) -> Found {
    use super::mapping::Evidence;
    let Some(eval) = eval else {
        return Found {
            missing: Evidence::UsageSnapshot.needs_input().map(String::from),
            figures: "no usage snapshot given".into(),
            ..Found::default()
        };
    };
    let gaps = eval
        .ungranted
        .iter()
        .map(|(client, scope, n, last)| {
            Gap::new(
                Some(Rule::UsageUngrantedScope),
                Some(format!("{client} → {scope}")),
                format!(
                    "issued in {n} token(s) (the last on {}) without a grant in the registry",
                    last.format("%Y-%m-%d")
                ),
            )
        })
        .collect();
    let total = eval.grants.len();
    let not = eval.count(Status::NotEvaluable);
    let first_reason = eval.grants.iter().find_map(|g| g.reason.clone());
    let mut incomplete = Vec::new();
    let mut missing = None;
    if total > 0 && not == total {
        missing = Some(format!(
            "no grant's usage is evaluable from the usage snapshot: {}",
            first_reason.unwrap_or_default()
        ));
    } else if not > 0 {
        incomplete.push(format!(
            "{not} of {total} grant(s) not evaluable from the usage snapshot (the first: {})",
            first_reason.unwrap_or_default()
        ));
    }
    Found {
        gaps,
        missing,
        incomplete,
        figures: format!(
            "usage {}: {} grant(s) used, {} unused, {} optional never requested, {} not evaluable; {} scope(s) issued without a grant",
            crate::usage::evaluate::span(eval.window),
            eval.count(Status::Used),
            eval.count(Status::Unused),
            eval.count(Status::NeverRequested),
            not,
            eval.ungranted.len()
        ),
    }
}
