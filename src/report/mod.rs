//! Access-review evidence at one revision: every grant with its justification, approver,
//! approval date, expiry and days left; the sections an auditor asks for; the lint result;
//! and what the registry demonstrates mapped to the controls of each framework asked for
//! (ISO/IEC 27001:2022 Annex A, NIST CSF 2.0, SOC 2), each gap listed with the rule that
//! found it.
//!
//! [`build`] computes a [`Report`] from a loaded registry: the evidence once, then each
//! framework's controls from it; [`render`] turns it into Markdown, a self-contained HTML
//! page, CSV or JSON. [`mapping`] holds the frameworks and their evidence → control and
//! rule → control tables; [`document`] the metadata that makes the report a document
//! (generation time, policy in force, lint summary).

pub mod apis;
pub mod document;
mod environment;
pub mod mapping;
pub mod render;
pub mod reviews;
pub mod usage;

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::diff::Subject;
use crate::finding::{Accepted, Finding, Severity};
use crate::history::Completeness;
use crate::registry::{Registry, Sensitivity};
use crate::report::mapping::{ControlDef, Evidence, Framework};
use crate::rules::{Level, Rule};

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
    /// Id of a commit that added, extended or re-approved this grant and whose author or
    /// committer is its approver (`null` when none, or when history was not read).
    pub self_approved_commit: Option<String>,
    /// Under `[policy] require_signed`: id of the last commit that gave or extended this
    /// grant's access when its signature is not verified (`null` otherwise).
    pub unverified_commit: Option<String>,
    /// When `scopectl import` found the grant on the server (absent for grants written
    /// by hand).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<String>,
    /// For an imported grant that still lacks a justification, an approver or an expiry:
    /// `pending` until its deadline (`import_deadline`; accepted, counted in one
    /// `client/import-debt` finding per client), `overdue` after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_debt: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_deadline: Option<String>,
    /// The environments (of the registry's targets) the grant reaches: its client is
    /// there, the grant names it (or no environment), its scope is not excluded there.
    pub environments: Vec<String>,
    /// With `--usage FILE`: whether the grant was used, its last use and the evidence
    /// behind it (left out without a usage snapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<crate::usage::evaluate::GrantUsage>,
}

/// Governance debt left by `scopectl import`: the burn-down at the revision.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportDebt {
    /// Grants with an `imported` date.
    pub imported: usize,
    /// Of those, grants that now have a justification, an approver and an expiry.
    pub resolved: usize,
    /// Still debt, before their deadline.
    pub pending: usize,
    /// Still debt, past their deadline (lint errors).
    pub overdue: usize,
    /// Per client with debt left: (client, pending, overdue, earliest deadline).
    pub by_client: Vec<ClientDebt>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientDebt {
    pub client: String,
    pub pending: usize,
    pub overdue: usize,
    pub deadline: String,
}

/// One gap under a control: a row of its gap table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The catalog id of the rule that found it (`grant/expired`, `diff/self-approved-commit`);
    /// `null` for a check of the report's own that no rule makes (a scope without owner).
    pub rule: Option<&'static str>,
    /// What it is about (`orphan → orders:read`, `scope admin`, `client orphan`), when known.
    pub subject: Option<String>,
    /// Where it is (`clients/orphan.toml:7`), when known.
    pub file: Option<String>,
    pub message: String,
    /// The exception that accepts it, when one does (then it is listed under the
    /// control's `accepted_risks`, not its gaps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

impl Gap {
    fn new(rule: Option<Rule>, subject: Option<String>, message: impl Into<String>) -> Gap {
        Gap {
            rule: rule.map(Rule::id),
            subject,
            file: None,
            message: message.into(),
            accepted: None,
        }
    }

    fn of(registry: &Registry, f: &Finding) -> Gap {
        Gap {
            rule: Some(f.rule.id()),
            subject: f.subject.as_ref().map(|s| s.label()),
            file: location(registry, f),
            message: f.message.clone(),
            accepted: f.accepted.as_deref().cloned(),
        }
    }

    /// The gap as one line: `subject: message` (the `gaps` strings of the JSON); the
    /// message alone when it names the subject already.
    pub fn line(&self) -> String {
        match (&self.subject, &self.file) {
            (Some(s), _) if self.message.contains(s.as_str()) => self.message.clone(),
            (Some(s), _) => format!("{s}: {}", self.message),
            (None, Some(f)) => format!("{f}: {}", self.message),
            (None, None) => self.message.clone(),
        }
    }
}

/// One control of a framework and what the registry shows for it.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The framework's control id: `5.15`, `PR.AA-05`, `CC6.1`.
    pub id: &'static str,
    pub title: &'static str,
    /// What the registry demonstrates for this control.
    pub demonstrates: &'static str,
    /// `met` (everything the control needs was checked, no gaps found), `gaps`, `partial`
    /// (no gaps in what was checked, but part of the check was not done: 5.3 with
    /// `--no-history`, or a mapped lint rule lowered by `[rules]`), `risk-accepted`, or
    /// `not-evaluable` (the data the control needs is missing: an incomplete history,
    /// nothing to evaluate, no usage snapshot given).
    pub status: &'static str,
    /// Why the status is `partial` or `not-evaluable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The figures behind the status.
    pub evidence: String,
    /// One line per gap found ([`Gap::line`] of `gap_details`, same order).
    pub gaps: Vec<String>,
    /// The gaps as table rows.
    pub gap_details: Vec<Gap>,
    /// Findings under this control that an `[[exceptions]]` entry accepts: each with its
    /// `accepted` member (reason, approver, expiry, where the exception is written). They
    /// are not gaps, and the control is not `met` while any is listed.
    pub accepted_risks: Vec<Gap>,
}

/// Accepted findings by (rule id, subject label): the report's own checks look here.
type AcceptedBy = HashMap<(&'static str, String), Accepted>;

#[derive(Debug, Clone, Default, Serialize)]
/// The summary's figures; each is the number of rows of a table of the report.
pub struct Summary {
    /// Entries of `scopes`.
    pub scopes: usize,
    /// Entries of `clients`.
    pub clients: usize,
    /// Rows of "All grants".
    pub grants: usize,
    /// Rows of "Expired grants".
    pub expired: usize,
    /// Rows of "Grants expiring within N days".
    pub expiring: usize,
    /// Rows of "Grants of sensitive scopes".
    pub sensitive: usize,
    /// Rows of "Clients without an owner".
    pub clients_without_owner: usize,
    /// Gap rows of 5.3 with rule `grant/self-approval` (approver is the client's owner).
    pub self_approved: usize,
    /// Rows of the "Accepted risks" tables (findings an exception accepts), all controls.
    pub accepted_risks: usize,
    /// Gap rows of 5.3 with rule `diff/self-approved-commit` (committed by the approver).
    pub self_approved_commits: usize,
    /// Gap rows of 5.3 with rule `diff/unverified-commit` (`[policy] require_signed`).
    pub unverified_commits: usize,
    /// Gap rows of every control together.
    pub gaps: usize,
}

/// The figures of one framework's results; each counts rows of its tables.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FrameworkSummary {
    /// Rows of its control table.
    pub controls: usize,
    /// Controls whose status is `met`.
    pub met: usize,
    /// Controls whose status is `not-evaluable`.
    pub not_evaluable: usize,
    /// Controls whose status is `partial` (the rest are `gaps` or `risk-accepted`).
    pub partial: usize,
    /// Gap rows of all its controls.
    pub gaps: usize,
    /// Rows of its "Accepted risks" tables.
    pub accepted_risks: usize,
}

/// One framework's controls, judged on the same evidence as every other framework.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkResult {
    /// `iso27001`, `nist-csf-2`, `soc2` (the `--framework` value).
    pub id: &'static str,
    pub name: &'static str,
    pub summary: FrameworkSummary,
    pub controls: Vec<Control>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    /// `scopectl`.
    pub tool: &'static str,
    pub tool_version: &'static str,
    /// When the report was generated (UTC; `SOURCE_DATE_EPOCH` when set).
    pub generated_at: String,
    pub at: At,
    /// The date expiry is evaluated against.
    pub today: String,
    /// The registry folder inside the repository ("" for the root).
    pub registry: String,
    /// The policy's expiry warning window, in days.
    pub expiry_window_days: i64,
    /// The environments of the registry's targets (`[targets.NAME] environment`, or the
    /// target's name).
    pub environments: Vec<String>,
    /// `report --env NAME`: the report covers only what is in NAME (the scopes not
    /// excluded there, the clients in it, the grants reaching it, the review entries about
    /// them), under its policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The policy in force at the revision.
    pub policy: document::PolicyInForce,
    /// The lint rules run on the revision as of `today`.
    pub lint: document::LintSummary,
    pub summary: Summary,
    /// The scopes the report covers (defined, and with `--env` not excluded there), by
    /// name: `summary.scopes` counts them.
    pub scopes: Vec<String>,
    /// The clients the report covers (with `--env` those in it), by id: `summary.clients`
    /// counts them.
    pub clients: Vec<String>,
    /// Every grant, by client then scope.
    pub grants: Vec<GrantRow>,
    pub clients_without_owner: Vec<String>,
    /// Four-eyes findings from the history up to the revision (`diff/self-approved-commit`);
    /// empty when history was not read (`--no-history`).
    #[serde(serialize_with = "crate::output::json::findings::serialize")]
    pub self_approved_commits: Vec<Finding>,
    /// Under `[policy] require_signed`: for each grant (or scope) at the revision, the
    /// last commit that gave or extended its access, when that commit's signature is not
    /// verified (`diff/unverified-commit`); empty otherwise, or when history was not read.
    #[serde(serialize_with = "crate::output::json::findings::serialize")]
    pub unverified_commits: Vec<Finding>,
    /// Whether `[policy] require_signed` is on at the revision.
    pub require_signed: bool,
    /// Whether the history was read for the four-eyes check.
    pub history_checked: bool,
    /// Whether the repository holds the whole history (not a shallow clone); when it does
    /// not, the four-eyes check is not evaluable and `history_reason` says why.
    pub history_complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_reason: Option<String>,
    /// The ISO/IEC 27001:2022 Annex A controls, whichever frameworks were asked for (the
    /// `summary` figures count their rows).
    pub controls: Vec<Control>,
    /// One entry per framework asked for (`--framework`), in the order asked.
    pub frameworks: Vec<FrameworkResult>,
    /// Grants by expiry month (`YYYY-MM`), in month order; grants without expiry are left out.
    pub expiry_by_month: Vec<(String, usize)>,
    /// Access-review campaigns (`reviews/*.toml`) at the revision, by name.
    pub reviews: Vec<reviews::Campaign>,
    /// The APIs (`apis/*.toml`): each one's scopes and the clients holding them.
    pub apis: Vec<apis::ApiRow>,
    /// Governance debt from `scopectl import` (all zero when nothing was imported).
    pub import_debt: ImportDebt,
    /// With `--usage FILE`: the usage snapshot's window, sources and figures (left out
    /// without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<usage::UsageSummary>,
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

/// Build the report for `registry` as of `today`; with `environment` (`--env`), for what
/// is in that environment only, under its policy ([`environment`]). `commit_findings` are
/// the findings from the history of the whole registry ([`history_findings`]: four-eyes
/// and unverified commits; `None` when it was not read); `generated_at` comes from
/// [`document::generated_at`]. The lint rules run here, as of `today`. `frameworks` are
/// the frameworks to map the evidence to (duplicates are left out); `controls` is always
/// the ISO/IEC 27001 mapping.
#[allow(clippy::too_many_arguments)]
pub fn build(
    registry: &Registry,
    environment: Option<&str>,
    at: At,
    prefix: &str,
    today: NaiveDate,
    generated_at: String,
    commit_findings: Option<Vec<Finding>>,
    history: &Completeness,
    frameworks: &[&'static Framework],
    usage_input: Option<usage::UsageInput<'_>>,
) -> Report {
    let within = environment.map(|environment| environment::Within {
        registry,
        environment,
    });
    let view = within.map(|w| w.view());
    let registry = view.as_ref().unwrap_or(registry);
    let mut lint_findings = crate::lint::check(registry, today);
    if let Some(w) = &within {
        w.base_policy_findings(registry, today, &mut lint_findings);
    }
    let usage_eval = usage_input.map(|u| {
        let (mut eval, findings) =
            crate::usage::evaluate::check(registry, u.snapshot, u.window, today);
        if let Some(w) = &within {
            eval.ungranted
                .retain(|(client, scope, ..)| w.ungranted(client, scope));
        }
        lint_findings.extend(findings);
        crate::finding::sort(&mut lint_findings, &registry.files);
        (eval, u.snapshot)
    });
    let history_checked = commit_findings.is_some();
    let mut commit_findings = commit_findings.unwrap_or_default();
    if let Some(w) = &within {
        commit_findings = w.history(registry, commit_findings);
    }
    if history_checked {
        // Exceptions of diff rules (a self-approved commit accepted as a risk); their own
        // findings (expired, unused) join the lint findings.
        let about = crate::registry::exceptions::apply(
            registry,
            today,
            &mut commit_findings,
            &[crate::rules::Family::Diff],
        );
        lint_findings.extend(about);
    }
    if let Some(w) = &within {
        w.retain_lint(&mut lint_findings);
    }
    // The first history finding of each rule and subject, found once rather than by
    // scanning every finding for each grant.
    let mut first_commit: std::collections::HashMap<(Rule, &Subject), Option<&str>> =
        std::collections::HashMap::new();
    for f in &commit_findings {
        if let Some(subject) = &f.subject {
            first_commit
                .entry((f.rule, subject))
                .or_insert(f.commit.as_deref());
        }
    }
    let window = registry.policy.expiry_warning.days();
    let environments = registry.environments();
    let mut grants = Vec::new();
    let mut usage_index = 0usize;
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
            let commit_of = |rule: Rule| {
                first_commit
                    .get(&(rule, &subject))
                    .and_then(|c| c.map(str::to_string))
            };
            let self_approved_commit = commit_of(Rule::DiffSelfApprovedCommit);
            let unverified_commit = commit_of(Rule::DiffUnverifiedCommit);
            let scope = registry.scopes.get(g.scope());
            let sensitivity = scope.map(|s| *s.def.sensitivity.get());
            let days_left = g.days_left(today);
            let status = match days_left {
                None => Status::NoExpiry,
                Some(d) if d < 0 => Status::Expired,
                Some(d) if d <= window => Status::Expiring,
                Some(_) => Status::Active,
            };
            let approved_by = g.def.approved_by.as_ref().map(|a| a.get().to_string());
            let import_deadline = crate::lint::import_debt(registry, g);
            // The lint rule decides (owner, or a member of the owner team), so the report
            // and `lint` never disagree.
            let self_approved = lint_findings
                .iter()
                .any(|f| f.rule == Rule::GrantSelfApproval && f.subject.as_ref() == Some(&subject));
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
                unverified_commit,
                imported: g.def.imported.as_ref().map(|d| d.get().to_string()),
                import_debt: import_deadline
                    .map(|d| if d >= today { "pending" } else { "overdue" }),
                import_deadline: import_deadline.map(|d| d.format("%Y-%m-%d").to_string()),
                environments: environments
                    .iter()
                    .filter(|e| registry.grant_reaches(client, g, e))
                    .cloned()
                    .collect(),
                // The evaluation lists grants in this same order.
                usage: usage_eval.as_ref().and_then(|(e, _)| {
                    usage_index += 1;
                    e.grants.get(usage_index - 1).cloned()
                }),
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
    let scopes: Vec<&crate::registry::Scope> = registry
        .scopes
        .values()
        .filter(|s| within.is_none_or(|w| w.scope(&s.name)))
        .collect();
    let summary = Summary {
        scopes: scopes.len(),
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
        self_approved: 0,
        self_approved_commits: 0,
        unverified_commits: 0,
        gaps: 0,
        accepted_risks: 0,
    };
    let usage = usage_eval
        .as_ref()
        .map(|(eval, snap)| usage::summary(eval, snap, &grants));
    let (controls, frameworks) = self::frameworks(
        registry,
        &scopes,
        &grants,
        &clients_without_owner,
        &commit_findings,
        &lint_findings,
        history_checked,
        history,
        frameworks,
        usage_eval.as_ref().map(|(e, _)| e),
    );
    // Count what the tables list.
    let rows = |rule: Rule| {
        controls
            .iter()
            .filter(|c| c.id == "5.3")
            .flat_map(|c| &c.gap_details)
            .filter(|g| g.rule == Some(rule.id()))
            .count()
    };
    let summary = Summary {
        self_approved: rows(Rule::GrantSelfApproval),
        self_approved_commits: rows(Rule::DiffSelfApprovedCommit),
        unverified_commits: rows(Rule::DiffUnverifiedCommit),
        gaps: controls.iter().map(|c| c.gap_details.len()).sum(),
        accepted_risks: controls.iter().map(|c| c.accepted_risks.len()).sum(),
        ..summary
    };
    let campaigns = reviews::campaigns(registry, today);
    let debt = import_debt(&grants);
    let mut apis = apis::rows(registry, today);
    if let Some(w) = &within {
        for api in &mut apis {
            api.scopes.retain(|s| w.scope(&s.scope));
        }
    }
    Report {
        version: JSON_VERSION,
        tool: "scopectl",
        tool_version: env!("CARGO_PKG_VERSION"),
        generated_at,
        policy: document::policy_in_force(within.map_or(registry, |w| w.registry), environment),
        lint: document::lint_summary(&lint_findings),
        at,
        today: today.format("%Y-%m-%d").to_string(),
        registry: prefix.to_string(),
        expiry_window_days: window,
        environments: environments.into_iter().collect(),
        environment: environment.map(str::to_string),
        summary,
        scopes: scopes.iter().map(|s| s.name.clone()).collect(),
        clients: registry.clients.keys().cloned().collect(),
        grants,
        clients_without_owner,
        self_approved_commits: commit_findings
            .iter()
            .filter(|f| f.rule == Rule::DiffSelfApprovedCommit)
            .cloned()
            .collect(),
        unverified_commits: commit_findings
            .iter()
            .filter(|f| f.rule == Rule::DiffUnverifiedCommit)
            .cloned()
            .collect(),
        require_signed: registry.policy.require_signed,
        history_checked,
        history_complete: history.complete,
        history_reason: history.reason.clone(),
        controls,
        frameworks,
        expiry_by_month: months.into_iter().collect(),
        reviews: campaigns,
        apis,
        import_debt: debt,
        usage,
    }
}

/// The import burn-down from the grant rows.
fn import_debt(grants: &[GrantRow]) -> ImportDebt {
    let mut d = ImportDebt::default();
    let mut by: BTreeMap<&str, ClientDebt> = BTreeMap::new();
    for g in grants.iter().filter(|g| g.imported.is_some()) {
        d.imported += 1;
        let Some(state) = g.import_debt else {
            d.resolved += 1;
            continue;
        };
        let deadline = g.import_deadline.clone().unwrap_or_default();
        let c = by.entry(g.client.as_str()).or_insert_with(|| ClientDebt {
            client: g.client.clone(),
            pending: 0,
            overdue: 0,
            deadline: deadline.clone(),
        });
        if deadline < c.deadline {
            c.deadline = deadline;
        }
        if state == "pending" {
            d.pending += 1;
            c.pending += 1;
        } else {
            d.overdue += 1;
            c.overdue += 1;
        }
    }
    d.by_client = by.into_values().collect();
    d
}

/// The findings `report` takes from the history up to `id` (the registry at `id` is
/// `registry`; commit signatures are judged against the allowed signers in use, see
/// [`crate::history::Repo::use_signers`]):
/// - four-eyes, `diff/self-approved-commit`: every commit that added, extended or
///   re-approved a grant whose approver (at `id`) is that commit's author or committer;
/// - under `[policy] require_signed` at `id`, `diff/unverified-commit`: for each grant or
///   scope at `id`, the **last** commit that gave or extended its access, when that
///   commit's signature is not verified (a later approval in a verified commit clears an
///   older unverified one);
/// - `diff/review-rewritten`: every commit that changed or removed an access-review
///   campaign after its close.
pub fn history_findings(
    repo: &crate::history::Repo,
    id: git2::Oid,
    registry: &Registry,
) -> anyhow::Result<Vec<Finding>> {
    use crate::diff::{self, Change, Model};
    let model = Model::from_registry(registry);
    let history = diff::provenance::history(repo, None, id)?;
    let rewritten = diff::reviews::rewrites(&[], &Model::default(), &history);
    let mut changes: Vec<Change> = Vec::new();
    for cc in history {
        for mut c in cc.changes {
            // A change made across commits whose registry did not load carries those
            // commits already (the one that broke the file may be the one that made it).
            if !c.commits.iter().any(|k| k.id == cc.commit.id) {
                c.commits.push(cc.commit.clone());
            }
            changes.push(c);
        }
    }
    let grants: Vec<Change> = changes
        .iter()
        .filter(|c| matches!(c.subject, Subject::Grant { .. }))
        .cloned()
        .collect();
    let mut out = diff::self_approvals(&grants, &model);
    if registry.policy.require_signed {
        let present = |s: &Subject| match s {
            Subject::Grant {
                client,
                scope,
                occurrence,
            } => model
                .clients
                .get(client)
                .is_some_and(|c| c.grants.contains_key(&(scope.clone(), *occurrence))),
            Subject::Scope { scope } => model.scopes.contains_key(scope),
            _ => false,
        };
        let mut last: BTreeMap<&Subject, &Change> = BTreeMap::new();
        for c in changes.iter().filter(|c| diff::grants_access(c)) {
            if present(&c.subject) {
                last.insert(&c.subject, c);
            }
        }
        let latest: Vec<Change> = last.into_values().cloned().collect();
        out.extend(diff::unverified_commits(&latest));
    }
    out.extend(rewritten);
    Ok(out)
}

/// The gap rows of `kind` among the history's findings (the rules [`mapping::CHECKED_BY`]
/// gives to it).
fn history_gaps(registry: &Registry, commit_findings: &[Finding], kind: Evidence) -> Vec<Gap> {
    commit_findings
        .iter()
        .filter(|f| {
            mapping::CHECKED_BY
                .iter()
                .any(|(r, e)| *r == f.rule && *e == kind)
        })
        .map(|f| Gap {
            file: None,
            ..Gap::of(registry, f)
        })
        .collect()
}

fn grant_subject(g: &GrantRow) -> Option<String> {
    Some(format!("{} → {}", g.client, g.scope))
}

/// `clients/orphan.toml:7` for a finding with a position, the file name without one.
fn location(registry: &Registry, f: &Finding) -> Option<String> {
    match &f.primary {
        Some(l) => {
            let (line, _) = registry.files.location(l.file, l.span.start);
            Some(format!("{}:{line}", registry.files.name(l.file)))
        }
        None => f.file().map(|id| registry.files.name(id).to_string()),
    }
}

/// The error-level lint findings that are gaps under `control` of `framework` (those the
/// control's evidence already lists are left out, see [`mapping::CHECKED_BY`]).
fn lint_gaps(
    framework: &Framework,
    registry: &Registry,
    lint: &[Finding],
    control: &str,
) -> Vec<Gap> {
    lint.iter()
        .filter(|f| f.severity == Severity::Error)
        .filter(|f| framework.controls_of(f.rule).contains(&control))
        .filter(|f| !framework.checked_by_evidence(f.rule, control))
        .map(|f| Gap::of(registry, f))
        .collect()
}

fn rank(level: Level) -> u8 {
    match level {
        Level::Allow => 0,
        Level::Warn => 1,
        Level::Deny => 2,
    }
}

/// Rules mapped to `control` that `[rules]` sets below their default level (and the
/// control's evidence does not check itself): the control's check is then not complete.
fn lowered(
    framework: &Framework,
    overrides: &std::collections::HashMap<Rule, Level>,
    control: &str,
) -> Vec<String> {
    framework
        .rules_of(control)
        .filter(|rule| !framework.checked_by_evidence(*rule, control))
        .filter_map(|rule| {
            let level = rule.effective_level(overrides);
            (rank(level) < rank(rule.level()))
                .then(|| format!("{} set to {} in [rules]", rule.id(), level.as_str()))
        })
        .collect()
}

/// A control's status: gaps found are gaps; without them, missing data makes it
/// `not-evaluable`, an incomplete check `partial`; only a complete check is `met`.
fn judge(
    gaps: &[Gap],
    accepted: &[Gap],
    missing: Option<String>,
    mut incomplete: Vec<String>,
) -> (&'static str, Option<String>) {
    if !gaps.is_empty() {
        ("gaps", None)
    } else if let Some(reason) = missing {
        ("not-evaluable", Some(reason))
    } else if !accepted.is_empty() {
        let until = accepted
            .iter()
            .filter_map(|g| g.accepted.as_ref().map(|a| a.expires.as_str()))
            .min()
            .unwrap_or("?");
        incomplete.insert(
            0,
            format!(
                "{} finding(s) accepted as risks by exceptions (the first expires {until})",
                accepted.len()
            ),
        );
        ("risk-accepted", Some(incomplete.join("; ")))
    } else if !incomplete.is_empty() {
        ("partial", Some(incomplete.join("; ")))
    } else {
        ("met", None)
    }
}

/// What the report found for one kind of evidence, before any framework: the gaps, why the
/// data is missing (then a control that needs it is not evaluable), what part of the check
/// was not done, and the figures behind it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub(crate) gaps: Vec<Gap>,
    pub(crate) missing: Option<String>,
    pub(crate) incomplete: Vec<String>,
    pub(crate) figures: String,
}

/// Everything the report computes once and every framework reads.
struct Evaluation<'a> {
    registry: &'a Registry,
    lint: &'a [Finding],
    overrides: std::collections::HashMap<Rule, Level>,
    accepted_by: AcceptedBy,
    found: BTreeMap<Evidence, Found>,
}

impl Evaluation<'_> {
    /// One control of `framework`: the gaps of the evidence it needs, then the error-level
    /// lint findings of the rules mapped to it; judged by [`judge`].
    fn control(&self, framework: &Framework, def: &ControlDef) -> Control {
        let kinds: Vec<&Found> = framework
            .evidence_of(def.id)
            .filter_map(|e| self.found.get(&e))
            .collect();
        let mut gaps: Vec<Gap> = kinds.iter().flat_map(|f| f.gaps.clone()).collect();
        gaps.extend(lint_gaps(framework, self.registry, self.lint, def.id));
        let missing: Vec<&str> = kinds.iter().filter_map(|f| f.missing.as_deref()).collect();
        let mut incomplete: Vec<String> = kinds.iter().flat_map(|f| f.incomplete.clone()).collect();
        incomplete.extend(lowered(framework, &self.overrides, def.id));
        let figures: Vec<&str> = kinds.iter().map(|f| f.figures.as_str()).collect();
        // Simple figures read as a list (`6 scope(s) defined, 5 client(s)`); figures that
        // are lists themselves are kept apart with semicolons.
        let sep = if figures.iter().any(|f| f.contains(';')) {
            "; "
        } else {
            ", "
        };
        control(
            def,
            figures.join(sep),
            gaps,
            (!missing.is_empty()).then(|| missing.join("; ")),
            incomplete,
            &self.accepted_by,
        )
    }

    fn framework(&self, framework: &'static Framework) -> FrameworkResult {
        let controls: Vec<Control> = framework
            .controls
            .iter()
            .map(|def| self.control(framework, def))
            .collect();
        let count = |status: &str| controls.iter().filter(|c| c.status == status).count();
        let summary = FrameworkSummary {
            controls: controls.len(),
            met: count("met"),
            not_evaluable: count("not-evaluable"),
            partial: count("partial"),
            gaps: controls.iter().map(|c| c.gap_details.len()).sum(),
            accepted_risks: controls.iter().map(|c| c.accepted_risks.len()).sum(),
        };
        FrameworkResult {
            id: framework.key,
            name: framework.name,
            controls,
            summary,
        }
    }
}

fn control(
    def: &ControlDef,
    evidence: String,
    gaps: Vec<Gap>,
    missing: Option<String>,
    incomplete: Vec<String>,
    accepted_by: &AcceptedBy,
) -> Control {
    let (accepted, gaps): (Vec<Gap>, Vec<Gap>) = gaps
        .into_iter()
        .map(|mut g| {
            if g.accepted.is_none() {
                if let (Some(rule), Some(subject)) = (g.rule, &g.subject) {
                    g.accepted = accepted_by.get(&(rule, subject.clone())).cloned();
                }
            }
            g
        })
        .partition(|g| g.accepted.is_some());
    let (status, reason) = judge(&gaps, &accepted, missing, incomplete);
    Control {
        id: def.id,
        title: def.title,
        demonstrates: def.demonstrates,
        status,
        reason,
        evidence,
        gaps: gaps.iter().map(Gap::line).collect(),
        gap_details: gaps,
        accepted_risks: accepted,
    }
}

/// Every kind of evidence ([`Evidence`]), computed once from the registry, its grants and
/// the history's findings.
#[allow(clippy::too_many_arguments)]
fn evidence(
    registry: &Registry,
    scopes: &[&crate::registry::Scope],
    grants: &[GrantRow],
    no_owner: &[String],
    commit_findings: &[Finding],
    lint: &[Finding],
    history_checked: bool,
    history: &Completeness,
    usage: Option<&crate::usage::evaluate::Evaluation>,
) -> BTreeMap<Evidence, Found> {
    let none_if = |empty: bool, why: &str| empty.then(|| why.to_string());
    let mut found = BTreeMap::new();
    // Access rules are written down: scopes with an owner and a description.
    let mut gaps = Vec::new();
    for s in scopes {
        let subject = Some(format!("scope {}", s.name));
        if s.def.owner.trim().is_empty() {
            gaps.push(Gap::new(None, subject.clone(), "no owner"));
        }
        if s.def.description.trim().is_empty() {
            gaps.push(Gap::new(None, subject, "no description"));
        }
    }
    found.insert(
        Evidence::ScopeDefinitions,
        Found {
            gaps,
            missing: none_if(scopes.is_empty(), "the registry defines no scope"),
            incomplete: Vec::new(),
            figures: format!("{} scope(s) defined", scopes.len()),
        },
    );
    // Clients hold only defined scopes and have owners.
    let mut gaps = Vec::new();
    for g in grants.iter().filter(|g| g.sensitivity.is_none()) {
        gaps.push(Gap::new(
            Some(Rule::GrantUndefinedScope),
            grant_subject(g),
            "grant of a scope no scope file defines",
        ));
    }
    for c in no_owner {
        gaps.push(Gap::new(
            Some(Rule::ClientNoOwner),
            Some(format!("client {c}")),
            "no owner",
        ));
    }
    found.insert(
        Evidence::ClientInventory,
        Found {
            gaps,
            figures: format!("{} client(s)", registry.clients.len()),
            ..Found::default()
        },
    );
    // Every grant justified, approved, dated, time-limited; none expired.
    let mut gaps = Vec::new();
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|j| j.trim().is_empty());
    // An imported grant before its deadline is accepted debt, counted in the client's
    // `client/import-debt` finding (listed under accepted risks), not a gap per field.
    for g in grants.iter().filter(|g| g.import_debt != Some("pending")) {
        let missing = [
            (
                blank(&g.justification),
                Rule::GrantMissingJustification,
                "no justification",
            ),
            (
                blank(&g.approved_by),
                Rule::GrantMissingApprover,
                "no approver",
            ),
            (
                g.approved_on.is_none(),
                Rule::GrantMissingApprovalDate,
                "no approval date",
            ),
            (g.expires.is_none(), Rule::GrantMissingExpiry, "no expiry"),
        ];
        for (_, rule, what) in missing.iter().filter(|(m, ..)| *m) {
            gaps.push(Gap::new(Some(*rule), grant_subject(g), *what));
        }
        if g.status == Status::Expired {
            gaps.push(Gap::new(
                Some(Rule::GrantExpired),
                grant_subject(g),
                format!(
                    "expired on {} but still granted",
                    g.expires.as_deref().unwrap_or("?")
                ),
            ));
        }
    }
    let with_approver = grants.iter().filter(|g| !blank(&g.approved_by)).count();
    found.insert(
        Evidence::GrantRecords,
        Found {
            gaps,
            missing: none_if(grants.is_empty(), "the registry has no grant"),
            incomplete: Vec::new(),
            figures: format!(
                "{} grant(s); {} with approver, {} with expiry",
                grants.len(),
                with_approver,
                grants.iter().filter(|g| g.expires.is_some()).count()
            ),
        },
    );
    // Privileged access: high/critical grants listed; their scopes need step-up.
    let privileged: Vec<&GrantRow> = grants.iter().filter(|g| g.sensitive).collect();
    let gaps = privileged
        .iter()
        .filter(|g| !g.step_up)
        .map(|g| {
            Gap::new(
                Some(Rule::ScopeSensitiveWithoutStepUp),
                grant_subject(g),
                format!(
                    "{} scope without step-up",
                    g.sensitivity.map(|s| s.as_str()).unwrap_or("?")
                ),
            )
        })
        .collect();
    let privileged_clients: std::collections::BTreeSet<&str> =
        privileged.iter().map(|g| g.client.as_str()).collect();
    found.insert(
        Evidence::StepUp,
        Found {
            gaps,
            figures: format!(
                "{} privileged grant(s) to {} client(s)",
                privileged.len(),
                privileged_clients.len()
            ),
            ..Found::default()
        },
    );
    // Segregation of duties: no grant approved by its client's owner, nor committed by its
    // approver; under require_signed, access given only in verified commits.
    let mut gaps: Vec<Gap> = grants
        .iter()
        .filter(|g| g.self_approved)
        .map(|g| {
            Gap::new(
                Some(Rule::GrantSelfApproval),
                grant_subject(g),
                format!(
                    "approved by the client's owner {}",
                    g.approved_by.as_deref().unwrap_or("")
                ),
            )
        })
        .collect();
    gaps.extend(history_gaps(registry, commit_findings, Evidence::FourEyes));
    let mut incomplete = Vec::new();
    if !history_checked {
        incomplete.push("commit authors not checked (history not read, --no-history)".to_string());
    }
    // An approved grant of a client without an owner cannot be checked against the owner.
    let ownerless = grants
        .iter()
        .filter(|g| !blank(&g.approved_by) && blank(&g.client_owner))
        .count();
    if ownerless > 0 {
        incomplete.push(format!(
            "{ownerless} approved grant(s) of client(s) without an owner not checked against the client's owner"
        ));
    }
    let missing = none_if(with_approver == 0, "no approved grant to check").or_else(|| {
        history
            .reason
            .as_ref()
            .filter(|_| history_checked)
            .map(|r| format!("the history is incomplete ({r})"))
    });
    let figures = match (history_checked, &history.reason) {
        (true, None) => format!(
            "{with_approver} approved grant(s) checked against client owners and commit authors and committers{}",
            if registry.policy.require_signed {
                "; commit signatures checked ([policy] require_signed)"
            } else {
                ""
            }
        ),
        (true, Some(reason)) => format!(
            "{with_approver} approved grant(s) checked against client owners; \
             commit authors NOT evaluable: the history is incomplete ({reason})"
        ),
        (false, _) => format!(
            "{with_approver} approved grant(s) checked against client owners only; \
             commit authors NOT checked (history not read, --no-history): \
             a grant committed by its own approver would not show here"
        ),
    };
    found.insert(
        Evidence::FourEyes,
        Found {
            gaps,
            missing,
            incomplete,
            figures,
        },
    );
    // Periodic review: the campaigns under reviews/ (their decisions' findings are lint
    // gaps: review/*, grant/review-due). Without a closed campaign, or without a
    // review_interval in the policy, the review part is not evidenced: partial.
    // A closed campaign edited or removed afterwards is a gap; without the whole history
    // that cannot be ruled out.
    let mut review = reviews::found(registry, lint);
    review.gaps.extend(history_gaps(
        registry,
        commit_findings,
        Evidence::ReviewCampaign,
    ));
    let closed = registry
        .reviews
        .values()
        .any(|r| r.def.review.closed_on.is_some());
    if closed && !history_checked {
        review.incomplete.push(
            "closed campaigns not checked for changes after their close (history not read, --no-history)".to_string(),
        );
    } else if let Some(reason) = history.reason.as_ref().filter(|_| closed) {
        review.incomplete.push(format!(
            "closed campaigns not checked for changes after their close: the history is incomplete ({reason})"
        ));
    }
    found.insert(Evidence::ReviewCampaign, review);
    // Usage: from a snapshot when one is given; without it, not evaluable.
    found.insert(Evidence::UsageSnapshot, usage::found(usage));
    found
}

/// The ISO/IEC 27001 controls (the `controls` of the JSON document) and one result per
/// framework asked for, in that order.
#[allow(clippy::too_many_arguments)]
fn frameworks(
    registry: &Registry,
    scopes: &[&crate::registry::Scope],
    grants: &[GrantRow],
    no_owner: &[String],
    commit_findings: &[Finding],
    lint: &[Finding],
    history_checked: bool,
    history: &Completeness,
    asked: &[&'static Framework],
    usage: Option<&crate::usage::evaluate::Evaluation>,
) -> (Vec<Control>, Vec<FrameworkResult>) {
    let accepted_by: AcceptedBy = lint
        .iter()
        .chain(commit_findings)
        .filter_map(|f| {
            let a = f.accepted.as_deref()?;
            Some(((f.rule.id(), f.subject.as_ref()?.label()), a.clone()))
        })
        .collect();
    let eval = Evaluation {
        registry,
        lint,
        overrides: crate::lint::level_overrides(registry),
        accepted_by,
        found: evidence(
            registry,
            scopes,
            grants,
            no_owner,
            commit_findings,
            lint,
            history_checked,
            history,
            usage,
        ),
    };
    let mut seen = std::collections::HashSet::new();
    let results: Vec<FrameworkResult> = asked
        .iter()
        .filter(|f| seen.insert(f.key))
        .map(|f| eval.framework(f))
        .collect();
    let iso = match results.iter().find(|f| f.id == mapping::ISO_27001.key) {
        Some(f) => f.controls.clone(),
        None => eval.framework(&mapping::ISO_27001).controls,
    };
    (iso, results)
}
