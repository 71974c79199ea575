//! `review/*` rules: the access-review campaigns under `reviews/`.
//!
//! A decision counts only when someone allowed made it: never the client's owner or a
//! member of the client's owner team (self-review), and, when teams are declared, a
//! member of one of the entry's reviewer teams (or a reviewer named in person); an entry
//! that names no reviewers takes no decision until someone adds them.

use chrono::NaiveDate;

use super::{finding, About, Sink};
use crate::registry::{Registry, Review, ReviewEntry, Sp};
use crate::rules::Rule;

pub(super) fn check<'a>(reg: &'a Registry, today: NaiveDate, sink: &mut Sink<'a>) {
    for review in reg.reviews.values() {
        sink.about(None);
        overdue(review, today, sink);
        for e in &review.def.entries {
            sink.about(Some(About::Grant {
                client: e.client.as_str(),
                scope: e.scope.as_str(),
                occurrence: 0,
            }));
            decision(reg, review, e, sink);
            decision_date(review, e, today, sink);
        }
    }
}

fn overdue(review: &Review, today: NaiveDate, sink: &mut Sink<'_>) {
    let r = review.def.review.get();
    if r.closed_on.is_some() || r.due.0 >= today {
        return;
    }
    let open = review
        .def
        .entries
        .iter()
        .filter(|e| e.decision.is_none())
        .count();
    let days = (today - r.due.0).num_days();
    sink.push(
        Rule::ReviewOverdue,
        finding(
            Rule::ReviewOverdue,
            format!(
                "access review `{}` was due on {} ({days} day{} ago) and is not closed; {open} of {} entries undecided",
                review.name,
                *r.due,
                if days == 1 { "" } else { "s" },
                review.def.entries.len()
            ),
        )
        .at(review.file, r.due.span(), "due")
        .help(format!(
            "decide the open entries, then `scopectl review close {} --default revoke|keep`",
            review.name
        )),
    );
}

fn decision(reg: &Registry, review: &Review, e: &Sp<ReviewEntry>, sink: &mut Sink<'_>) {
    let Some(d) = &e.decision else {
        return;
    };
    let Some(by) = &e.decided_by else {
        sink.push(
            Rule::ReviewReviewerNotAllowed,
            finding(
                Rule::ReviewReviewerNotAllowed,
                format!(
                    "the decision `{}` on `{}`'s grant of `{}` names no reviewer",
                    d.as_str(),
                    e.client.as_str(),
                    e.scope.as_str()
                ),
            )
            .at(review.file, d.span(), "decided by nobody")
            .help("add `decided_by = \"name@example.com\"`, or use `scopectl review decide … --by WHO`"),
        );
        return;
    };
    if reg.people.team(by.as_str()).is_some() {
        sink.push(
            Rule::ReviewReviewerNotAllowed,
            finding(
                Rule::ReviewReviewerNotAllowed,
                format!(
                    "the decision on `{}`'s grant of `{}` names the team `{}`, not a person: a review decision is one person's",
                    e.client.as_str(),
                    e.scope.as_str(),
                    by.as_str()
                ),
            )
            .at(review.file, by.span(), "a team")
            .help("name the member who decided (`decided_by = \"name@example.com\"`, or `scopectl review decide … --by WHO`)"),
        );
        return;
    }
    let owner = reg
        .clients
        .get(e.client.as_str())
        .and_then(|c| c.def.owner.as_ref().map(|o| o.as_str()))
        .or(e.client_owner.as_ref().map(|o| o.as_str()));
    if let Some(owner) = owner.filter(|o| reg.people.belongs_to(by, o)) {
        sink.push(
            Rule::ReviewSelfReview,
            finding(
                Rule::ReviewSelfReview,
                format!(
                    "`{}` reviewed `{}`'s own grant of `{}`: they are its owner `{owner}` or in that team",
                    by.as_str(),
                    e.client.as_str(),
                    e.scope.as_str()
                ),
            )
            .at(review.file, by.span(), "self-review")
            .help("a reviewer from the scope's owner (the entry's `reviewers`) must decide"),
        );
        return;
    }
    if !reg.people.declared() {
        return;
    }
    if e.reviewers.is_empty() {
        // `review start` leaves `reviewers` out when nobody outside the client's own team
        // is known: someone adds them before anyone may decide.
        sink.push(
            Rule::ReviewReviewerNotAllowed,
            finding(
                Rule::ReviewReviewerNotAllowed,
                format!(
                    "`{}` decided on `{}`'s grant of `{}`, whose entry names no reviewers: nobody may decide it yet",
                    by.as_str(),
                    e.client.as_str(),
                    e.scope.as_str()
                ),
            )
            .at(review.file, by.span(), "the entry names no reviewers")
            .help("add `reviewers = [\"TEAM\"]` to the entry (a team outside the client's own), then decide"),
        );
        return;
    }
    if !e.reviewers.iter().any(|r| reg.people.belongs_to(by, r)) {
        let list: Vec<&str> = e.reviewers.iter().map(|r| r.as_str()).collect();
        sink.push(
            Rule::ReviewReviewerNotAllowed,
            finding(
                Rule::ReviewReviewerNotAllowed,
                format!(
                    "`{}` decided on `{}`'s grant of `{}` but is not one of its reviewers ({})",
                    by.as_str(),
                    e.client.as_str(),
                    e.scope.as_str(),
                    list.join(", ")
                ),
            )
            .at(review.file, by.span(), "not a reviewer of this entry")
            .help("a member of one of the reviewer teams must decide"),
        );
    }
}

/// `review/decision-date`: a decision dated before its campaign started, after it closed,
/// or after today.
fn decision_date(review: &Review, e: &Sp<ReviewEntry>, today: NaiveDate, sink: &mut Sink<'_>) {
    let Some(on) = &e.decided_on else {
        return;
    };
    let r = review.def.review.get();
    let why = if on.0 < r.started_on.0 {
        format!("before the campaign started ({})", *r.started_on)
    } else if let Some(closed) = r.closed_on.as_ref().filter(|c| on.0 > c.0) {
        format!("after the campaign was closed ({})", **closed)
    } else if on.0 > today {
        format!("in the future (today is {today})")
    } else {
        return;
    };
    sink.push(
        Rule::ReviewDecisionDate,
        finding(
            Rule::ReviewDecisionDate,
            format!(
                "the decision on `{}`'s grant of `{}` is dated {} {why}",
                e.client.as_str(),
                e.scope.as_str(),
                **on
            ),
        )
        .at(review.file, on.span(), "decided_on")
        .help("a decision is made while its campaign is open: record the day it was made (`scopectl review decide` writes it)"),
    );
}
