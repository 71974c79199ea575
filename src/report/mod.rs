//! Access-review evidence at one revision: every grant with its justification, approver,
//! approval date, expiry and days left; the sections an auditor asks for; and a summary
//! mapping what the registry demonstrates to ISO/IEC 27001:2022 Annex A controls.
//!
//! [`build`] computes a [`Report`] from a loaded registry; [`render`] turns it into
//! Markdown, a self-contained HTML page, CSV or JSON.

pub mod render;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::diff::Subject;
use crate::finding::Finding;
use crate::history::Completeness;
use crate::registry::{Registry, Sensitivity};

/// Version of the JSON document; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 1;

/// Where the report was taken.
#[derive(Debug, Clone, Serialize)]
pub struct At {
    /// The revision as given (`HEAD`, `v2`).
    pub rev: String,
    pub commit: String,
    /// The commit's date (RFC 3339).
    pub date: String,
}

/// Where a grant stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    Active,
    /// Expires within the policy's warning window.
    Expiring,
    Expired,
    NoExpiry,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One grant, flattened for review.
#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    pub client: String,
    pub client_owner: Option<String>,
    pub scope: String,
    /// `null` when the scope is not defined in the registry.
    pub sensitivity: Option<Sensitivity>,
    pub step_up: bool,
    /// high or critical: privileged access (Annex A 8.2).
    pub sensitive: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub justification: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    pub expires: Option<String>,
    pub days_left: Option<i64>,
    pub ticket: Option<String>,
    pub status: Status,
    /// The approver is the client's owner.
    pub self_approved: bool,
    /// Id of a commit that added, extended or re-approved this grant and whose author is
    /// its approver (`null` when none, or when history was not read).
    pub self_approved_commit: Option<String>,
}

/// One Annex A control and what the registry shows for it.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// `5.15`, `5.18`, `8.2`, `5.3`.
    pub id: &'static str,
    pub title: &'static str,
    /// What the registry demonstrates for this control.
    pub demonstrates: &'static str,
    /// `met` (everything the control needs was checked, no gaps found), `gaps`, or
    /// `partial` (no gaps in what was checked, but part of the check was not done: 5.3 with
    /// `--no-history`, whose commit authors were not read).
    pub status: &'static str,
    /// The figures behind the status.
    pub evidence: String,
    /// One line per gap found.
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub scopes: usize,
    pub clients: usize,
    pub grants: usize,
    pub expired: usize,
    pub expiring: usize,
    pub sensitive: usize,
    pub clients_without_owner: usize,
    pub self_approved: usize,
    pub self_approved_commits: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub at: At,
    /// The date expiry is evaluated against.
    pub today: String,
    /// The registry folder inside the repository ("" for the root).
    pub registry: String,
    /// The policy's expiry warning window, in days.
    pub expiry_window_days: i64,
    pub summary: Summary,
    /// Every grant, by client then scope.
    pub grants: Vec<GrantRow>,
    pub clients_without_owner: Vec<String>,
    /// Four-eyes findings from the history up to the revision (`diff/self-approved-commit`);
    /// empty when history was not read (`--no-history`).
    #[serde(serialize_with = "crate::output::json::findings::serialize")]
    pub self_approved_commits: Vec<Finding>,
    /// Whether the history was read for the four-eyes check.
    pub history_checked: bool,
    /// Whether the repository holds the whole history (not a shallow clone); when it does
    /// not, the four-eyes check is not evaluable and `history_reason` says why.
    pub history_complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_reason: Option<String>,
    pub controls: Vec<Control>,
    /// Grants by expiry month (`YYYY-MM`), in month order; grants without expiry are left out.
    pub expiry_by_month: Vec<(String, usize)>,
}

impl Report {
    pub fn expired(&self) -> impl Iterator<Item = &GrantRow> {
        self.grants.iter().filter(|g| g.status == Status::Expired)
    }
    pub fn expiring(&self) -> impl Iterator<Item = &GrantRow> {
        self.grants.iter().filter(|g| g.status == Status::Expiring)
    }
    pub fn sensitive(&self) -> impl Iterator<Item = &GrantRow> {
        self.grants.iter().filter(|g| g.sensitive)
    }
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Build the report for `registry` as of `today`. `commit_findings` are the four-eyes
/// findings from the history (`None` when it was not read).
pub fn build(
    registry: &Registry,
    at: At,
    prefix: &str,
    today: NaiveDate,
    commit_findings: Option<Vec<Finding>>,
    history: &Completeness,
) -> Report {
    let history_checked = commit_findings.is_some();
    let commit_findings = commit_findings.unwrap_or_default();
    let window = registry.policy.expiry_warning.days();
    let mut grants = Vec::new();
    for client in registry.clients.values() {
        let owner = client.def.owner.as_ref().map(|o| o.get().clone());
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for g in &client.grants {
            let n = seen.entry(g.scope()).or_insert(0);
            let subject = Subject::Grant {
                client: client.id.clone(),
                scope: g.scope().to_string(),
                occurrence: *n,
            };
            *n += 1;
            let self_approved_commit = commit_findings
                .iter()
                .find(|f| f.subject.as_ref() == Some(&subject))
                .and_then(|f| f.commit.clone());
            let scope = registry.scopes.get(g.scope());
            let sensitivity = scope.map(|s| *s.def.sensitivity.get());
            let days_left = g.days_left(today);
            let status = match days_left {
                None => Status::NoExpiry,
                Some(d) if d < 0 => Status::Expired,
                Some(d) if d <= window => Status::Expiring,
                Some(_) => Status::Active,
            };
            let approved_by = g.def.approved_by.as_ref().map(|a| a.get().clone());
            let self_approved = match (&approved_by, &owner) {
                (Some(a), Some(o)) => norm(a) == norm(o),
                _ => false,
            };
            grants.push(GrantRow {
                client: client.id.clone(),
                client_owner: owner.clone(),
                scope: g.scope().to_string(),
                sensitivity,
                step_up: scope.is_some_and(|s| s.def.step_up()),
                sensitive: sensitivity.is_some_and(|s| s >= Sensitivity::High),
                kind: g.def.kind().to_string(),
                justification: g.def.justification.as_ref().map(|j| j.get().clone()),
                approved_by,
                approved_on: g.def.approved_on.as_ref().map(|d| d.get().to_string()),
                expires: g.def.expires.as_ref().map(|d| d.get().to_string()),
                days_left,
                ticket: g.def.ticket.as_ref().map(|t| t.get().clone()),
                status,
                self_approved,
                self_approved_commit,
            });
        }
    }
    let clients_without_owner: Vec<String> = registry
        .clients
        .values()
        .filter(|c| c.def.owner.as_ref().is_none_or(|o| o.trim().is_empty()))
        .map(|c| c.id.clone())
        .collect();
    let mut months: BTreeMap<String, usize> = BTreeMap::new();
    for g in &grants {
        if let Some(e) = &g.expires {
            *months.entry(e[..7.min(e.len())].to_string()).or_default() += 1;
        }
    }
    let summary = Summary {
        scopes: registry.scopes.len(),
        clients: registry.clients.len(),
        grants: grants.len(),
        expired: grants
            .iter()
            .filter(|g| g.status == Status::Expired)
            .count(),
        expiring: grants
            .iter()
            .filter(|g| g.status == Status::Expiring)
            .count(),
        sensitive: grants.iter().filter(|g| g.sensitive).count(),
        clients_without_owner: clients_without_owner.len(),
        self_approved: grants.iter().filter(|g| g.self_approved).count(),
        self_approved_commits: commit_findings.len(),
    };
    let controls = controls(
        registry,
        &grants,
        &clients_without_owner,
        &commit_findings,
        history_checked,
        history,
    );
    Report {
        version: JSON_VERSION,
        at,
        today: today.format("%Y-%m-%d").to_string(),
        registry: prefix.to_string(),
        expiry_window_days: window,
        summary,
        grants,
        clients_without_owner,
        self_approved_commits: commit_findings,
        history_checked,
        history_complete: history.complete,
        history_reason: history.reason.clone(),
        controls,
        expiry_by_month: months.into_iter().collect(),
    }
}

fn status(gaps: &[String]) -> &'static str {
    if gaps.is_empty() {
        "met"
    } else {
        "gaps"
    }
}

fn controls(
    registry: &Registry,
    grants: &[GrantRow],
    no_owner: &[String],
    commit_findings: &[Finding],
    history_checked: bool,
    history: &Completeness,
) -> Vec<Control> {
    // 5.15 Access control: rules defined as scopes with owners; grants only of defined scopes;
    // clients owned.
    let mut g515 = Vec::new();
    for s in registry.scopes.values() {
        if s.def.owner.trim().is_empty() {
            g515.push(format!("scope {} has no owner", s.name));
        }
        if s.def.description.trim().is_empty() {
            g515.push(format!("scope {} has no description", s.name));
        }
    }
    for g in grants.iter().filter(|g| g.sensitivity.is_none()) {
        g515.push(format!("{} holds undefined scope {}", g.client, g.scope));
    }
    for c in no_owner {
        g515.push(format!("client {c} has no owner"));
    }
    // 5.18 Access rights: every grant justified, approved, dated, time-limited; none expired.
    let mut g518 = Vec::new();
    for g in grants {
        let mut missing = Vec::new();
        if g.justification
            .as_deref()
            .is_none_or(|j| j.trim().is_empty())
        {
            missing.push("justification");
        }
        if g.approved_by.is_none() {
            missing.push("approver");
        }
        if g.approved_on.is_none() {
            missing.push("approval date");
        }
        if g.expires.is_none() {
            missing.push("expiry");
        }
        if !missing.is_empty() {
            g518.push(format!(
                "{} → {}: no {}",
                g.client,
                g.scope,
                missing.join(", no ")
            ));
        }
        if g.status == Status::Expired {
            g518.push(format!(
                "{} → {}: expired on {} but still granted",
                g.client,
                g.scope,
                g.expires.as_deref().unwrap_or("?")
            ));
        }
    }
    // 8.2 Privileged access rights: high/critical grants listed; their scopes need step-up.
    let privileged: Vec<&GrantRow> = grants.iter().filter(|g| g.sensitive).collect();
    let mut g82 = Vec::new();
    for g in &privileged {
        if !g.step_up {
            g82.push(format!(
                "{} → {}: {} scope without step-up",
                g.client,
                g.scope,
                g.sensitivity.map(|s| s.as_str()).unwrap_or("?")
            ));
        }
    }
    let privileged_clients: std::collections::BTreeSet<&str> =
        privileged.iter().map(|g| g.client.as_str()).collect();
    // 5.3 Segregation of duties: no grant approved by its client's owner.
    let mut g53: Vec<String> = grants
        .iter()
        .filter(|g| g.self_approved)
        .map(|g| {
            format!(
                "{} → {}: approved by the client's owner {}",
                g.client,
                g.scope,
                g.approved_by.as_deref().unwrap_or("")
            )
        })
        .collect();
    g53.extend(commit_findings.iter().map(|f| f.message.clone()));
    let with_approver = grants.iter().filter(|g| g.approved_by.is_some()).count();
    vec![
        Control {
            id: "5.15",
            title: "Access control",
            demonstrates: "Access rules are written down as scopes, each with an accountable owner, a description and a sensitivity; clients hold only defined scopes and have owners.",
            status: status(&g515),
            evidence: format!(
                "{} scope(s) defined, {} client(s)",
                registry.scopes.len(),
                registry.clients.len()
            ),
            gaps: g515,
        },
        Control {
            id: "5.18",
            title: "Access rights",
            demonstrates: "Every grant records why (justification), who approved it and when, and when it ends (expiry); expired grants are removed.",
            status: status(&g518),
            evidence: format!(
                "{} grant(s); {} with approver, {} with expiry",
                grants.len(),
                with_approver,
                grants.iter().filter(|g| g.expires.is_some()).count()
            ),
            gaps: g518,
        },
        Control {
            id: "8.2",
            title: "Privileged access rights",
            demonstrates: "Grants of high and critical scopes are identified and restricted: those scopes require step-up authentication.",
            status: status(&g82),
            evidence: format!(
                "{} privileged grant(s) to {} client(s)",
                privileged.len(),
                privileged_clients.len()
            ),
            gaps: g82,
        },
        Control {
            id: "5.3",
            title: "Segregation of duties",
            demonstrates: "No grant is approved by the owner of the client that receives it, nor by the author of the commit that added, extended or re-approved it (four-eyes principle).",
            // Gaps found are gaps; without them, "met" needs the whole history.
            status: match (g53.is_empty(), history_checked, &history.reason) {
                (false, ..) => "gaps",
                (true, false, _) => "partial",
                (true, true, Some(_)) => "not-evaluable",
                (true, true, None) => "met",
            },
            evidence: match (history_checked, &history.reason) {
                (true, None) => format!("{with_approver} approved grant(s) checked against client owners and commit authors"),
                (true, Some(reason)) => format!(
                    "{with_approver} approved grant(s) checked against client owners; \
                     commit authors NOT evaluable: the history is incomplete ({reason})"
                ),
                (false, _) => format!(
                    "{with_approver} approved grant(s) checked against client owners only; \
                     commit authors NOT checked (history not read, --no-history): \
                     a grant committed by its own approver would not show here"
                ),
            },
            gaps: g53,
        },
    ]
}
