//! `scopectl drift`: does the target server still match the registry?
//! Exit 0 when it does, 1 when it differs (or the plan has errors), 2 when it cannot tell.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.

use super::out::Out;
use super::plan;
use crate::cli::DriftArgs;
use scopectl::finding::Outcome;
use scopectl::push::render::View;

pub fn run(args: DriftArgs, out: &Out) -> anyhow::Result<Outcome> {
    let plan = match plan::open(&args.push).and_then(|mut s| s.drift()) {
        Ok(plan) => plan,
        Err(e) => return plan::failed(out, &args.push, args.format, false, e),
    };
    plan::print_plan(out, &plan, args.format, View::DRIFT)?;
    Ok(if plan.ops.is_empty() && plan.errors.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
