//! Accepted risks: `[[exceptions]]` of `scopectl.toml`.
//!
//! An exception names a rule and a subject (a scope, a client, one client's grant of a
//! scope, or a commit), a reason, an approver and an expiry. While it holds, every finding
//! of that rule about that subject is marked [`Accepted`]: still reported, in every format,
//! but it does not fail the command. An exception that has expired, that its approver may
//! not grant, that lasts longer than the policy allows, or that matches nothing is a
//! finding itself (`exception/*`).
//!
//! Who may accept a risk follows the approval rules for grants: a declared person (when
//! teams are declared), outside the owner team of the client (or, for a scope-only
//! exception, the scope) it covers, and allowed by `[policy.approval.S]` for the
//! sensitivity S of the scope it covers; a client-only exception takes the highest
//! sensitivity the client holds, a commit-only one `critical`.

use chrono::NaiveDate;

use crate::finding::{Accepted, Finding, Subject};
use crate::registry::{ExceptionDef, Registry, Sensitivity, Sp};
use crate::rules::{Family, Rule};
use crate::text::clean;

/// Mark the `findings` that a holding exception covers as accepted, and return the
/// findings about the exceptions themselves. Only exceptions of rules in `checked` (the
/// families this command evaluates) are looked at, so `lint` does not call a `diff/*`
/// exception unused.
pub fn apply(
    reg: &Registry,
    today: NaiveDate,
    findings: &mut [Finding],
    checked: &[Family],
) -> Vec<Finding> {
    let Some((file, pf)) = &reg.policy_file else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in &pf.exceptions {
        let Some(rule) = Rule::from_id(&e.rule).filter(|r| r.exceptable()) else {
            continue; // a load error already
        };
        if !checked.contains(&rule.family()) {
            continue;
        }
        let Some(expires) = &e.expires else {
            continue; // a load error already
        };
        let what = describe(e);
        if expires.0 < today {
            out.push(
                Finding::of(
                    Rule::ExceptionExpired,
                    format!(
                        "the exception for `{rule}` on {what} expired on {}: its findings count again",
                        **expires
                    ),
                )
                .at(*file, expires.span(), "expired")
                .help("fix what it covered, or renew it with a new approval (approved_by, approved_on, expires)"),
            );
            continue;
        }
        if let Some(problem) = invalid(reg, today, e) {
            out.push(
                Finding::of(
                    Rule::ExceptionInvalid,
                    format!("the exception for `{rule}` on {what} accepts nothing: {problem}"),
                )
                .at(*file, e.span(), "this exception"),
            );
            continue;
        }
        let line = reg.files.location(*file, e.span().start).0;
        let accepted = Accepted {
            reason: e.reason.get().clone(),
            approved_by: e.approved_by.get().clone(),
            expires: expires.to_string(),
            ticket: e.ticket.as_ref().map(|t| t.get().clone()),
            exception: format!("{}:{line}", reg.files.name(*file)),
        };
        let mut matched = 0;
        for f in findings.iter_mut() {
            if f.accepted.is_none() && f.rule == rule && matches(e, f) {
                f.accepted = Some(Box::new(accepted.clone()));
                matched += 1;
            }
        }
        if matched == 0 {
            out.push(
                Finding::of(
                    Rule::ExceptionUnused,
                    format!("the exception for `{rule}` on {what} matches no finding"),
                )
                .at(*file, e.span(), "matches nothing")
                .help("the risk it accepted is gone (or the subject is misspelt): remove the exception"),
            );
        }
    }
    out
}

/// `client shop, scope orders:read`, `commit abc1234`.
fn describe(e: &ExceptionDef) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &e.client {
        parts.push(format!("client {}", clean(c)));
    }
    if let Some(s) = &e.scope {
        parts.push(format!("scope {}", clean(s)));
    }
    if let Some(c) = &e.commit {
        parts.push(format!("commit {}", clean(c)));
    }
    parts.join(", ")
}

fn matches(e: &ExceptionDef, f: &Finding) -> bool {
    let (client, scope) = match &f.subject {
        Some(Subject::Client { client }) => (Some(client.as_str()), None),
        Some(Subject::Scope { scope }) => (None, Some(scope.as_str())),
        Some(Subject::Grant { client, scope, .. }) => (Some(client.as_str()), Some(scope.as_str())),
        Some(
            Subject::Policy
            | Subject::Api { .. }
            | Subject::Operation { .. }
            | Subject::Review { .. },
        )
        | None => (None, None),
    };
    let same = |want: &Option<Sp<String>>, have: Option<&str>| {
        want.as_ref().is_none_or(|w| have == Some(w.as_str()))
    };
    same(&e.client, client)
        && same(&e.scope, scope)
        && e.commit.as_ref().is_none_or(|c| {
            f.commit
                .as_deref()
                .is_some_and(|id| id.to_ascii_lowercase().starts_with(&c.to_ascii_lowercase()))
        })
}

/// Why an exception cannot accept anything (`None`: it can).
fn invalid(reg: &Registry, today: NaiveDate, e: &ExceptionDef) -> Option<String> {
    let policy = &reg.policy;
    let expires = e.expires.as_ref()?;
    let people = &reg.people;
    let from = e.approved_on.as_ref().map(|d| d.0).unwrap_or(today);
    let days = (expires.0 - from).num_days();
    if days > policy.max_exception_lifetime.days() {
        return Some(format!(
            "it lasts {days} days from {}, longer than the policy's max_exception_lifetime ({})",
            if e.approved_on.is_some() {
                "its approval"
            } else {
                "today"
            },
            policy.max_exception_lifetime
        ));
    }
    let who = e.approved_by.as_str();
    if policy.is_placeholder(who) && !people.is_person(who) {
        return Some(format!("`{}` does not name a person", clean(who)));
    }
    if people.declared() && !people.is_person(who) {
        return Some(format!(
            "its approver `{}` is not a member of any declared team",
            clean(who)
        ));
    }
    let client = e.client.as_ref().and_then(|c| reg.clients.get(c.as_str()));
    let scope = e.scope.as_ref().and_then(|s| reg.scopes.get(s.as_str()));
    let owner = client
        .and_then(|c| c.def.owner.as_ref())
        .or(scope.filter(|_| e.client.is_none()).map(|s| &s.def.owner));
    if let Some(owner) = owner {
        if policy.approver_must_differ_from_owner && people.belongs_to(who, owner) {
            return Some(format!(
                "its approver `{}` belongs to `{}`, whose risk it accepts",
                clean(who),
                clean(owner)
            ));
        }
    }
    let sensitivity = match (scope, client) {
        (Some(s), _) => *s.def.sensitivity.get(),
        (None, Some(c)) => c
            .grants
            .iter()
            .filter_map(|g| reg.scopes.get(g.scope()))
            .map(|s| *s.def.sensitivity.get())
            .max()
            .unwrap_or(Sensitivity::Low),
        (None, None) => Sensitivity::Critical,
    };
    let rule = policy.approval_for(sensitivity);
    if !rule.teams.is_empty() && !rule.teams.iter().any(|t| people.is_member(who, t)) {
        return Some(format!(
            "its approver `{}` may not approve {sensitivity} risks ([policy.approval.{sensitivity}] names {})",
            clean(who),
            rule.teams.iter().map(|t| format!("`{}`", clean(t))).collect::<Vec<_>>().join(", ")
        ));
    }
    None
}
