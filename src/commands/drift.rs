//! `scopectl drift`: does the target server still match the registry?
//! Exit 0 when it does, 1 when it differs (or the plan has errors), 2 when it cannot tell.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.

use super::out::Out;
use super::plan;
use crate::cli::DriftArgs;
use scopectl::finding::Outcome;

pub fn run(args: DriftArgs, out: &Out) -> anyhow::Result<Outcome> {
    let plan = plan::open(&args.push)?.drift()?;
    plan::print_plan(out, &plan, args.format)?;
    Ok(if plan.ops.is_empty() && plan.errors.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
