//! `scopectl apply`: make exactly the planned changes, in a safe order, then read back.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.
//!
//! Exit 0: everything applied and verified. 1: applied, but the plan had errors (e.g. a
//! missing client) or the read-back found changes that did not take. 2: not everything
//! pushable was applied (server unreachable, a failed change, stale saved plan, lint
//! errors holding additions back).

use super::out::Out;
use super::plan;
use crate::cli::{ApplyArgs, PlanFormat};
use scopectl::finding::Outcome;
use scopectl::push::render::{self, View};
use scopectl::push::session::load_plan;

pub fn run(args: ApplyArgs, out: &Out) -> anyhow::Result<Outcome> {
    let result = plan::open(&args.push).and_then(|mut s| {
        let saved = args.plan.as_deref().map(load_plan).transpose()?;
        // Each op on stderr as it is made (flushed), so a killed run leaves a record.
        let mut progress = |op: &scopectl::push::Op, failed: Option<&str>| {
            let _ = out.err(&render::progress_line(op, failed));
        };
        s.apply(
            saved,
            args.removal.options(),
            args.allow_lint_errors,
            args.take_over_lease,
            &mut progress,
        )
    });
    let a = match result {
        Ok(a) => a,
        Err(e) => return plan::failed(out, &args.push, args.format.plan(), true, e),
    };
    let (plan, report) = (&a.plan, &a.report);
    match args.format.plan() {
        PlanFormat::Json => {
            let error = render::apply_error(plan, report, a.lint_refused);
            out.json(&render::apply_json(
                &serde_json::to_value(plan)?,
                report,
                error.as_deref(),
            )?)?
        }
        _ => {
            let view = View::APPLY.colored(out.color() == scopectl::output::Color::Always);
            out.text(&render::apply_text_as(plan, report, view))?
        }
    }
    // On stderr too, whatever the format: failures, held-back changes, errors not pushed.
    if a.lint_refused > 0 {
        out.err(&render::lint_refusal(a.lint_refused, report))?;
    }
    out.err(&render::apply_stderr(plan, report))?;
    Ok(
        if a.lint_refused > 0 || !report.failures.is_empty() || report.readback_error.is_some() {
            Outcome::Unusable
        } else if plan.errors.is_empty() && report.did_not_take.is_empty() {
            Outcome::Clean
        } else {
            Outcome::Findings
        },
    )
}
