//! `scopectl apply`: make exactly the planned changes, in a safe order, then read back.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.
//!
//! Exit 0: everything applied and verified. 1: applied, but the plan had errors (e.g. a
//! missing client) or the read-back found changes that did not take. 2: nothing or only
//! part was applied (server unreachable, failure halfway, stale saved plan, lint errors).

use super::out::Out;
use super::plan;
use crate::cli::{ApplyArgs, PlanFormat};
use scopectl::finding::Outcome;
use scopectl::push::render;
use scopectl::push::session::{load_plan, ApplyOutcome};

pub fn run(args: ApplyArgs, out: &Out) -> anyhow::Result<Outcome> {
    let mut s = plan::open(&args.push)?;
    let saved = args.plan.as_deref().map(load_plan).transpose()?;
    let (plan, report) = match s.apply(saved, args.prune, args.allow_lint_errors)? {
        ApplyOutcome::RefusedLint { plan, lint_errors } => {
            // Refused before the first write: show the plan, so the findings are listed.
            plan::print_plan(out, &plan, args.format)?;
            out.err(&render::lint_refusal(lint_errors))?;
            return Ok(Outcome::Unusable);
        }
        ApplyOutcome::Applied { plan, report } => (plan, report),
    };
    match args.format {
        PlanFormat::Json => {
            let mut j = serde_json::to_string_pretty(&serde_json::json!({
                "plan": plan,
                "report": report,
            }))?;
            j.push('\n');
            out.json(&j)?;
        }
        _ => out.text(&render::apply_text(&plan, &report))?,
    }
    // On stderr too, whatever the format: a failure halfway, or errors not pushed.
    out.err(&render::apply_stderr(&plan, &report))?;
    Ok(
        if report.failed.is_some() || report.readback_error.is_some() {
            Outcome::Unusable
        } else if plan.errors.is_empty() && report.did_not_take.is_empty() {
            Outcome::Clean
        } else {
            Outcome::Findings
        },
    )
}
