//! The access-review campaigns (`reviews/*.toml`) at the report's revision: population,
//! reviewers, decisions and outcomes, and the commit that closed each one. Evidence for
//! the periodic review of access rights (ISO/IEC 27001:2022 A.5.18).

use chrono::NaiveDate;
use git2::Oid;
use serde::Serialize;

use crate::finding::Severity;
use crate::history::Repo;
use crate::registry::{Decision, Registry};
use crate::rules::Rule;

/// One campaign, as its file says at the revision.
#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub name: String,
    /// The file, relative to the registry folder.
    pub file: String,
    /// `open`, `overdue` (open past its due date) or `closed`.
    pub status: &'static str,
    pub started_on: String,
    pub due: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<String>,
    /// The filter that chose the grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The revision the grants were read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Grants under review (entries of the file).
    pub population: usize,
    /// Entries with a decision (`decided = keep + revoke`).
    pub decided: usize,
    pub keep: usize,
    pub revoke: usize,
    /// What undecided entries took at the close.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<&'static str>,
    /// The people who decided, in order of first decision.
    pub reviewers: Vec<String>,
    /// Counts of the entries' outcomes (closed campaigns; all zero while open).
    pub outcomes: Outcomes,
    /// The commit that last changed the campaign's file (for a closed campaign, the
    /// close); `None` when history was not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_in: Option<CommitRef>,
}

/// Outcomes of a closed campaign's entries; they add up to `population`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Outcomes {
    pub kept: usize,
    pub renewed: usize,
    pub revoked: usize,
    pub kept_by_default: usize,
    pub revoked_by_default: usize,
    /// The grant no longer existed at the close.
    pub gone: usize,
    /// The grant was changed after the snapshot: the close applied nothing to it.
    pub changed: usize,
    /// Entries without a recorded outcome (open campaigns, or hand-edited files).
    pub none: usize,
}

/// A commit, for the evidence.
#[derive(Debug, Clone, Serialize)]
pub struct CommitRef {
    pub commit: String,
    pub author: String,
    pub date: String,
    pub message: String,
}

/// The campaigns of the registry as of `today`, by name.
pub fn campaigns(reg: &Registry, today: NaiveDate) -> Vec<Campaign> {
    reg.reviews
        .values()
        .map(|r| {
            let head = r.def.review.get();
            let mut outcomes = Outcomes::default();
            let mut reviewers: Vec<String> = Vec::new();
            let (mut keep, mut revoke) = (0, 0);
            for e in &r.def.entries {
                match e.decision.as_ref().map(|d| **d) {
                    Some(Decision::Keep) => keep += 1,
                    Some(Decision::Revoke) => revoke += 1,
                    None => {}
                }
                if let Some(by) = &e.decided_by {
                    if !reviewers.iter().any(|x| crate::text::same_identity(x, by)) {
                        reviewers.push(by.get().clone());
                    }
                }
                match e.outcome.as_ref().map(|o| o.as_str()) {
                    Some("kept") => outcomes.kept += 1,
                    Some("renewed") => outcomes.renewed += 1,
                    Some("revoked") => outcomes.revoked += 1,
                    Some("kept-by-default") => outcomes.kept_by_default += 1,
                    Some("revoked-by-default") => outcomes.revoked_by_default += 1,
                    Some("gone") => outcomes.gone += 1,
                    Some("changed") => outcomes.changed += 1,
                    _ => outcomes.none += 1,
                }
            }
            let status = match &head.closed_on {
                Some(_) => "closed",
                None if head.due.0 < today => "overdue",
                None => "open",
            };
            Campaign {
                name: r.name.clone(),
                file: reg.files.name(r.file).to_string(),
                status,
                started_on: head.started_on.to_string(),
                due: head.due.to_string(),
                closed_on: head.closed_on.as_ref().map(|d| d.to_string()),
                filter: head.filter.as_ref().map(|f| f.get().clone()),
                revision: head.revision.as_ref().map(|f| f.get().clone()),
                population: r.def.entries.len(),
                decided: keep + revoke,
                keep,
                revoke,
                default: head.default.as_ref().map(|d| d.as_str()),
                reviewers,
                outcomes,
                closed_in: None,
            }
        })
        .collect()
}

/// Fill in, for each closed campaign, the commit up to `at` that closed it: the last
/// change of its file whose parent did not already hold it closed. A change made after the
/// close (`diff/review-rewritten`) is not the close: the walk goes past it.
pub fn find_closing_commits(
    repo: &Repo,
    at: Oid,
    campaigns: &mut [Campaign],
) -> anyhow::Result<()> {
    for c in campaigns.iter_mut().filter(|c| c.status == "closed") {
        let mut from = at;
        let closing = loop {
            let Some(id) = repo.last_change(from, &c.file)? else {
                break None;
            };
            match repo.first_parent(id)? {
                Some(parent) if closed_at(repo, parent, &c.file) => from = parent,
                _ => break Some(id),
            }
        };
        if let Some(id) = closing {
            let info = repo.commit_info(id)?;
            c.closed_in = Some(CommitRef {
                commit: info.id.clone(),
                author: info.author.clone(),
                date: info.date.clone(),
                message: info.subject.clone(),
            });
        }
    }
    Ok(())
}

/// Does the campaign file `rel` hold a closed campaign at `commit`? (A file that is not
/// there, cannot be read or does not parse, does not.)
fn closed_at(repo: &Repo, commit: Oid, rel: &str) -> bool {
    let limit = (crate::registry::source::MAX_FILE_BYTES, "registry files");
    // A version that cannot be read (over the size limit) ends the walk there.
    let Ok(Some(bytes)) = repo.registry_file(commit, rel, limit) else {
        return false;
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| toml::from_str::<crate::registry::ReviewFile>(t).ok())
        .is_some_and(|r| r.review.closed_on.is_some())
}

/// The periodic-review evidence ([`Evidence::ReviewCampaign`](super::mapping::Evidence)):
/// figures from the campaigns; partial while no campaign was closed, the policy sets no
/// `review_interval`, a grant kept by default at a close (nobody decided it) has not been
/// confirmed since, or lint finds grants or campaigns past their time (`grant/review-due`,
/// `review/overdue` as warnings; as errors they are lint gaps). A closed campaign that
/// records a grant as revoked while the grant is still there (and was not granted again
/// after the close) is a gap: the record claims a removal that did not happen. A grant
/// that changed between the snapshot and the close (outcome `changed`: the close applied
/// no decision to it) keeps the control partial until it is approved or reviewed again.
pub(super) fn found(reg: &Registry, lint: &[crate::finding::Finding]) -> super::Found {
    let total = reg.reviews.len();
    let closed: Vec<&crate::registry::Review> = reg
        .reviews
        .values()
        .filter(|r| r.def.review.closed_on.is_some())
        .collect();
    let mut incomplete = Vec::new();
    if total == 0 {
        incomplete.push(
            "no access-review campaign is recorded under reviews/: periodic review of access rights is not evidenced (`scopectl review start`)".to_string(),
        );
    } else if closed.is_empty() {
        incomplete.push(format!(
            "no access-review campaign has been closed yet ({total} open)"
        ));
    }
    if reg.policy.review_interval.is_empty() {
        incomplete.push(
            "the policy sets no review_interval: how often grants must be reviewed is not defined, so overdue reviews cannot be found".to_string(),
        );
    }
    let (mut entries, mut decided, mut by_default, mut removed) = (0, 0, 0, 0);
    let mut unreviewed: Vec<String> = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    let mut gaps = Vec::new();
    for r in &closed {
        let Some(closed_on) = r.def.review.closed_on.as_ref().map(|d| d.0) else {
            continue;
        };
        for e in &r.def.entries {
            entries += 1;
            if e.decision.is_some() {
                decided += 1;
            }
            let outcome = e.outcome.as_ref().map(|o| o.as_str());
            let grant = current_grant(reg, e.client.as_str(), e.scope.as_str());
            let confirmed_since = grant
                .and_then(|g| g.def.last_confirmed())
                .is_some_and(|d| d >= closed_on);
            match outcome {
                Some("kept-by-default") => {
                    by_default += 1;
                    if grant.is_some() && !confirmed_since {
                        unreviewed.push(format!(
                            "{} → {} ({})",
                            e.client.as_str(),
                            e.scope.as_str(),
                            r.name
                        ));
                    }
                }
                Some("revoked" | "revoked-by-default") => {
                    removed += 1;
                    let regranted = grant
                        .and_then(|g| g.def.approved_on.as_ref().map(|d| d.0))
                        .is_some_and(|d| d >= closed_on);
                    if grant.is_some() && !regranted {
                        gaps.push(super::Gap::new(
                            None,
                            Some(format!("{} → {}", e.client.as_str(), e.scope.as_str())),
                            format!(
                                "campaign {} records the grant as {} on {closed_on}, but it is still in clients/ and was not granted again since",
                                r.name,
                                outcome.unwrap_or("revoked")
                            ),
                        ));
                    }
                }
                Some("changed") if grant.is_some() && !confirmed_since => {
                    let revoke = e.decision.as_ref().is_some_and(|d| d.as_str() == "revoke");
                    changed.push(format!(
                        "{} → {} ({}{})",
                        e.client.as_str(),
                        e.scope.as_str(),
                        r.name,
                        if revoke { ", decided revoke" } else { "" }
                    ));
                }
                _ => {}
            }
        }
    }
    if !changed.is_empty() {
        let shown: Vec<&str> = changed.iter().take(5).map(String::as_str).collect();
        let more = changed.len() - shown.len();
        incomplete.push(format!(
            "{} grant(s) changed between a campaign's snapshot and its close, so the close applied no decision to them, and they were not approved or reviewed since: {}{}",
            changed.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    if !unreviewed.is_empty() {
        let shown: Vec<&str> = unreviewed.iter().take(5).map(String::as_str).collect();
        let more = unreviewed.len() - shown.len();
        incomplete.push(format!(
            "{} grant(s) were kept by default at a campaign's close (nobody decided them) and not approved or reviewed since: {}{}",
            unreviewed.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    for (rule, what) in [
        (Rule::GrantReviewDue, "grant(s) past their review interval"),
        (
            Rule::ReviewOverdue,
            "campaign(s) past their due date and not closed",
        ),
    ] {
        let n = lint
            .iter()
            .filter(|f| f.rule == rule && f.severity != Severity::Error && f.accepted.is_none())
            .count();
        if n > 0 {
            incomplete.push(format!("{n} {what} ({}, a warning)", rule.id()));
        }
    }
    super::Found {
        gaps,
        incomplete,
        figures: format!(
            "{total} access-review campaign(s), {} closed: {entries} grant review(s) in closed campaigns, {decided} decided by a reviewer, {by_default} kept by default (not reviewed), {removed} grant(s) removed",
            closed.len()
        ),
        ..super::Found::default()
    }
}

/// The registry's grant of `scope` to `client`, if it has one.
fn current_grant<'a>(
    reg: &'a Registry,
    client: &str,
    scope: &str,
) -> Option<&'a crate::registry::Grant> {
    reg.clients
        .get(client)?
        .grants
        .iter()
        .find(|g| g.scope() == scope)
}
