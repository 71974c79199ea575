//! `grant/*` rules: each `[[grants]]` entry of each client.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{finding, About, Sink};
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

            super::approval::check(reg, client, g, scope, sink);

            check_dates(reg, client, g, today, warn_days, sink);
            check_review(reg, client, g, today, sink);
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
