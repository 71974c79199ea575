//! `scopectl review start | decide | close`: access-review campaigns in
//! `reviews/NAME.toml` ([`scopectl::edit::review`]), checked and written like every edit.

use super::edit::apply;
use super::out::Out;
use crate::cli::{ReviewCommand, ReviewDecideArgs};
use scopectl::edit::review::{self, Decide, Filter, Start};
use scopectl::edit::Approval;
use scopectl::finding::Outcome;
use scopectl::usage::evaluate::evaluate;

pub fn run(c: ReviewCommand, out: &Out) -> anyhow::Result<Outcome> {
    match c {
        ReviewCommand::Start(a) => {
            let filter = Filter::parse(&a.filter)?;
            let head = scopectl::history::head_of(&a.edit.registry);
            if let Some((_, true)) = &head {
                out.err("warning: the registry has changes not committed at HEAD; the review snapshots the work tree\n")?;
            }
            let snapshot = a
                .usage
                .as_deref()
                .map(scopectl::usage::Snapshot::read)
                .transpose()?;
            let window = a.usage_window.as_ref().map(super::usage::duration);
            let mut unreviewed = 0;
            let outcome = apply(&a.edit, out, |reg, today| {
                let s = Start {
                    name: a.name.clone(),
                    filter,
                    owner: a.owner.clone(),
                    revision: head.map(|(id, _)| id),
                    today,
                    usage: snapshot.map(|snap| evaluate(reg, &snap, window)),
                };
                let (edit, without) = review::start(reg, &a.edit.registry, &s)?;
                unreviewed = without;
                Ok(edit)
            })?;
            if unreviewed > 0 {
                out.err(&format!(
                    "warning: {unreviewed} grant(s) have no reviewer outside the client's own team (the scope's owner is the client's owner and no approval team is set for the sensitivity): add `reviewers` to those entries\n"
                ))?;
            }
            Ok(outcome)
        }
        ReviewCommand::Decide(a) => decide(a, out),
        ReviewCommand::Close(a) => apply(&a.edit, out, |reg, today| {
            let root = &a.edit.registry;
            Ok(review::close(reg, root, &a.name, a.default.decision(), today)?.0)
        }),
    }
}

fn decide(a: ReviewDecideArgs, out: &Out) -> anyhow::Result<Outcome> {
    let renew = (a.for_.is_some() || a.expires.is_some()).then(|| Approval {
        approved_by: vec![a.by.clone()],
        for_days: a.for_.as_ref().map(|l| l.days()),
        expires: a.expires,
    });
    apply(&a.edit, out, |reg, today| {
        let d = Decide {
            name: a.name.clone(),
            client: a.client.clone(),
            scope: a.scope.clone(),
            decision: a.decision.decision(),
            by: a.by.clone(),
            renew,
            note: a.note.clone(),
            today,
        };
        review::decide(reg, &a.edit.registry, &d)
    })
}
