//! `grant/*` rules: each `[[grants]]` entry of each client.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{finding, About, Sink};
use crate::finding::Accepted;
use crate::registry::{Client, Grant, Registry};
use crate::rules::Rule;
use crate::text::SuggestBudget;

pub(super) fn check<'a>(reg: &'a Registry, today: NaiveDate, sink: &mut Sink<'a>) {
    let policy = &reg.policy;
    let warn_days = policy.expiry_warning.days();
    let mut budget = SuggestBudget::default();
    for client in reg.clients.values() {
        // scope -> its first grant in this client, and how many grants of it came so far.
        let mut seen: HashMap<&str, (&Grant, usize)> = HashMap::new();
        let mut debt = Debt::default();
        for g in &client.grants {
            let def = &g.def;
            let file = g.file;
            let scope_name = g.scope();
            let scope_span = def.scope.span();
            let cid = client.id.as_str();
            let (first, occurrence) = {
                let entry = seen.entry(scope_name).or_insert((g, 0));
                entry.1 += 1;
                (entry.0, entry.1 - 1)
            };
            sink.about(Some(About::Grant {
                client: cid,
                scope: scope_name,
                occurrence,
            }));

            if occurrence > 0 {
                sink.push(
                    Rule::GrantDuplicate,
                    finding(
                        Rule::GrantDuplicate,
                        format!("`{cid}` is granted `{scope_name}` twice"),
                    )
                    .at(file, scope_span.clone(), "granted again here")
                    .also(first.file, first.def.scope.span(), "first granted here")
                    .help("keep one grant per scope; merge the justifications"),
                );
            }

            let scope = reg.scopes.get(scope_name);
            match scope {
                None => {
                    let mut d = finding(
                        Rule::GrantUndefinedScope,
                        format!("`{cid}` is granted `{scope_name}`, which no scope file defines"),
                    )
                    .at(file, scope_span.clone(), "undefined scope");
                    if let Some(close) = closest_scope(reg, scope_name, &mut budget) {
                        d = d.help(format!("did you mean `{close}`?"));
                    } else {
                        d = d.help("define it under scopes/ or remove the grant");
                    }
                    sink.push(Rule::GrantUndefinedScope, d);
                }
                Some(s) if s.def.deprecated() => {
                    let mut d = finding(
                        Rule::GrantDeprecatedScope,
                        format!("`{cid}` is granted the deprecated scope `{scope_name}`"),
                    )
                    .at(file, scope_span.clone(), "deprecated")
                    .also(s.file, s.name_span.clone(), "scope defined here");
                    if let Some(r) = &s.def.replaced_by {
                        d = d.help(format!("grant `{}` instead", r.get()));
                    }
                    sink.push(Rule::GrantDeprecatedScope, d);
                }
                Some(_) => {}
            }

            let start = sink.out.len();
            super::approval::check(reg, client, g, scope, sink);

            check_dates(reg, client, g, today, warn_days, sink);
            check_review(reg, client, g, today, sink);
            if let Some(deadline) = import_debt(reg, g) {
                if today <= deadline {
                    // Counted once for the client below, not once per missing field.
                    let mut i = start;
                    while i < sink.out.len() {
                        if DEBT_RULES.contains(&sink.out[i].rule) {
                            sink.out.remove(i);
                        } else {
                            i += 1;
                        }
                    }
                    debt.pending.push((g, deadline));
                } else {
                    debt.overdue.push((g, deadline));
                }
            }
        }
        debt.report(reg, client, sink);
    }
}

/// What an imported grant that still lacks a justification, an approver or an expiry
/// is reported as (one by one after its deadline; counted per client before).
const DEBT_RULES: &[Rule] = &[
    Rule::GrantMissingJustification,
    Rule::GrantMissingApprover,
    Rule::GrantMissingApprovalDate,
    Rule::GrantMissingExpiry,
];

/// The deadline of an imported grant that is still governance debt (it lacks a
/// justification, an approver or an expiry): `max_exception_lifetime` after the import.
pub fn import_debt(reg: &Registry, g: &Grant) -> Option<NaiveDate> {
    let def = &g.def;
    let imported = def.imported.as_ref()?;
    let blank =
        |s: &Option<crate::registry::Sp<String>>| s.as_ref().is_none_or(|v| v.trim().is_empty());
    let missing = blank(&def.justification)
        || def.approved_by.as_ref().is_none_or(|a| a.is_blank())
        || def.expires.is_none();
    if !missing {
        return None;
    }
    let days = reg.policy.max_exception_lifetime.days();
    imported
        .0
        .checked_add_signed(chrono::Duration::days(days))
        .or(Some(NaiveDate::MAX))
}

/// One client's imported grants that are still debt: (grant, deadline).
#[derive(Default)]
struct Debt<'a> {
    pending: Vec<(&'a Grant, NaiveDate)>,
    overdue: Vec<(&'a Grant, NaiveDate)>,
}

impl<'a> Debt<'a> {
    /// One `client/import-debt` finding for the client: accepted until the earliest
    /// deadline while none has passed, an error once one has.
    fn report(self, reg: &'a Registry, client: &'a Client, sink: &mut Sink<'a>) {
        let count = self.pending.len() + self.overdue.len();
        let Some((first, _)) = self.overdue.first().or(self.pending.first()) else {
            return;
        };
        let cid = client.id.as_str();
        sink.about(Some(About::Client(cid)));
        let span = first
            .def
            .imported
            .as_ref()
            .map(|d| d.span())
            .unwrap_or_else(|| first.def.scope.span());
        let grants = if count == 1 { "grant" } else { "grants" };
        let policy = &reg.policy.max_exception_lifetime;
        let mut d = if let Some((_, passed)) = self.overdue.iter().min_by_key(|(_, d)| *d) {
            finding(
                Rule::ClientImportDebt,
                format!(
                    "{count} imported {grants} of `{cid}` still need a justification, an approver and an expiry; the deadline passed on {passed} ({} overdue)",
                    self.overdue.len()
                ),
            )
            .help("add justification, approved_by, approved_on and expires to each, or revoke the grants nobody justifies")
        } else {
            let due = self
                .pending
                .iter()
                .map(|(_, d)| *d)
                .min()
                .unwrap_or(NaiveDate::MAX);
            finding(
                Rule::ClientImportDebt,
                format!(
                    "{count} imported {grants} of `{cid}` still need a justification, an approver and an expiry (deadline {due})"
                ),
            )
            .help("add justification, approved_by, approved_on and expires to each grant before the deadline, or revoke it")
        };
        d = d.at(first.file, span.clone(), "imported").note(format!(
            "the deadline is the policy's max_exception_lifetime ({policy}) after `imported`; until then the missing fields of these grants are counted here, not reported one by one"
        ));
        let overdue = !self.overdue.is_empty();
        let due = self.pending.iter().map(|(_, d)| *d).min();
        sink.push(Rule::ClientImportDebt, d);
        if let (false, Some(due), Some(f)) = (overdue, due, sink.out.last_mut()) {
            if f.rule == Rule::ClientImportDebt {
                let line = reg.files.location(first.file, span.start).0;
                f.accepted = Some(Box::new(Accepted {
                    reason: format!(
                        "imported by `scopectl import`; the policy gives the owners until {due} (max_exception_lifetime {policy}) to justify and approve them"
                    ),
                    approved_by: "policy (max_exception_lifetime)".to_string(),
                    expires: due.to_string(),
                    ticket: None,
                    exception: format!("{}:{line}", reg.files.name(first.file)),
                }));
            }
        }
    }
}

fn check_dates(
    reg: &Registry,
    client: &Client,
    g: &Grant,
    today: NaiveDate,
    warn_days: i64,
    sink: &mut Sink<'_>,
) {
    let def = &g.def;
    let file = g.file;
    let scope_name = g.scope();
    let cid = client.id.as_str();
    let Some(expires) = &def.expires else {
        sink.push(
            Rule::GrantMissingExpiry,
            finding(
                Rule::GrantMissingExpiry,
                format!("grant of `{scope_name}` to `{cid}` never expires"),
            )
            .at(file, def.scope.span(), "this grant")
            .help("add `expires = YYYY-MM-DD`; access is re-approved when it runs out"),
        );
        return;
    };
    let days_left = (expires.0 - today).num_days();
    if days_left < 0 {
        let ago = -days_left;
        sink.push(
            Rule::GrantExpired,
            finding(
                Rule::GrantExpired,
                format!(
                    "grant of `{scope_name}` to `{cid}` expired on {} ({ago} day{} ago)",
                    **expires,
                    if ago == 1 { "" } else { "s" }
                ),
            )
            .at(file, expires.span(), "expired")
            .help("remove the grant, or renew it with a new approval (approved_by, approved_on, expires)"),
        );
    } else if days_left <= warn_days {
        sink.push(
            Rule::GrantExpiring,
            finding(
                Rule::GrantExpiring,
                format!(
                    "grant of `{scope_name}` to `{cid}` expires on {} (in {days_left} day{})",
                    **expires,
                    if days_left == 1 { "" } else { "s" }
                ),
            )
            .at(file, expires.span(), "expires soon")
            .help(format!(
                "renew it with a new approval before it lapses (warning window: {})",
                reg.policy.expiry_warning
            )),
        );
    }

    let Some(approved_on) = &def.approved_on else {
        sink.push(
            Rule::GrantMissingApprovalDate,
            finding(
                Rule::GrantMissingApprovalDate,
                format!("grant of `{scope_name}` to `{cid}` has no approval date"),
            )
            .at(file, expires.span(), "expiry without an approval date")
            .help("add `approved_on = YYYY-MM-DD`"),
        );
        return;
    };
    if approved_on.0 > today {
        sink.push(
            Rule::GrantApprovedInFuture,
            finding(
                Rule::GrantApprovedInFuture,
                format!(
                    "grant of `{scope_name}` to `{cid}` is approved on {}, after today ({today})",
                    **approved_on
                ),
            )
            .at(file, approved_on.span(), "in the future"),
        );
    }
    let lifetime = (expires.0 - approved_on.0).num_days();
    if lifetime < 0 {
        sink.push(
            Rule::GrantExpiresBeforeApproval,
            finding(
                Rule::GrantExpiresBeforeApproval,
                format!(
                    "grant of `{scope_name}` to `{cid}` expires ({}) before it was approved ({})",
                    **expires, **approved_on
                ),
            )
            .at(file, expires.span(), "expiry")
            .also(file, approved_on.span(), "approval"),
        );
        return;
    }
    let scope_max = reg
        .scopes
        .get(scope_name)
        .and_then(|s| s.def.max_grant.as_ref().map(|m| (s, m)));
    let (limit, source) = match scope_max {
        Some((s, m)) if m.days() < reg.policy.max_grant_lifetime.days() => (
            m.days(),
            format!("`{}` allows at most {} (max_grant)", s.name, m.get()),
        ),
        _ => (
            reg.policy.max_grant_lifetime.days(),
            format!(
                "the policy allows at most {} (max_grant_lifetime)",
                reg.policy.max_grant_lifetime
            ),
        ),
    };
    if lifetime > limit {
        let mut d = finding(
            Rule::GrantLifetime,
            format!("grant of `{scope_name}` to `{cid}` lasts {lifetime} days; {source}"),
        )
        .at(
            file,
            expires.span(),
            format!("{lifetime} days after approval"),
        )
        .also(file, approved_on.span(), "approved here");
        if let Some(latest) = approved_on
            .0
            .checked_add_days(chrono::Days::new(limit as u64))
        {
            d = d.help(format!(
                "set `expires` to {} or earlier",
                latest.format("%Y-%m-%d")
            ));
        }
        sink.push(Rule::GrantLifetime, d);
    }
}

/// `grant/review-due`: the grant's last approval or review is older than the policy's
/// `review_interval` for its scope's sensitivity. Grants without either date are left to
/// `grant/missing-approval-date`.
fn check_review(reg: &Registry, client: &Client, g: &Grant, today: NaiveDate, sink: &mut Sink<'_>) {
    let Some(scope) = reg.scopes.get(g.scope()) else {
        return;
    };
    let sensitivity = *scope.def.sensitivity;
    let Some(interval) = reg.policy.review_interval.get(&sensitivity) else {
        return;
    };
    let Some(last) = g.def.last_confirmed() else {
        return;
    };
    let Some(due) = last.checked_add_days(chrono::Days::new(interval.days().max(0) as u64)) else {
        return;
    };
    if due >= today {
        return;
    }
    let (what, span) = match &g.def.reviewed_on {
        Some(r) if r.0 >= last => ("reviewed", r.span()),
        _ => (
            "approved",
            g.def
                .approved_on
                .as_ref()
                .map(|a| a.span())
                .unwrap_or_else(|| g.def.scope.span()),
        ),
    };
    let days = (today - last).num_days();
    sink.push(
        Rule::GrantReviewDue,
        finding(
            Rule::GrantReviewDue,
            format!(
                "grant of `{}` to `{}` was last {what} on {last} ({days} days ago); the policy asks for a review of {sensitivity} grants every {interval} (due {due})",
                g.scope(),
                client.id
            ),
        )
        .at(g.file, span, format!("last {what}"))
        .help("confirm it in an access review (`scopectl review start`), renew it (`scopectl renew`) or revoke it"),
    );
}

/// A defined scope within 2 edits of `name`, within the run's suggestion budget (see
/// `text::closest` for the bounds).
fn closest_scope<'a>(reg: &'a Registry, name: &str, budget: &mut SuggestBudget) -> Option<&'a str> {
    crate::text::closest(name, reg.scopes.keys().map(String::as_str), 2, budget)
}
