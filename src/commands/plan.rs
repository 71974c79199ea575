//! `scopectl plan`: read the target server and show the changes `apply` would make.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.

use anyhow::Context;

use super::out::Out;
use crate::cli::{PlanArgs, PlanFormat, PushTargetArgs};
use scopectl::finding::Outcome;
use scopectl::push::session::{plan_json, Session};
use scopectl::push::{render, Plan};

/// Load the registry and connect to the target the arguments name.
pub(super) fn open(args: &PushTargetArgs) -> anyhow::Result<Session> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    Session::open(args.root(), args.target.as_deref(), today)
}

/// Print a plan in the format asked for.
pub(super) fn print_plan(out: &Out, plan: &Plan, format: PlanFormat) -> anyhow::Result<()> {
    match format {
        PlanFormat::Table => out.text(&render::plan_table(plan)),
        PlanFormat::Markdown => out.text(&render::plan_markdown(plan)),
        PlanFormat::Json => out.json(&plan_json(plan)?),
    }
}

pub fn run(args: PlanArgs, out: &Out) -> anyhow::Result<Outcome> {
    let plan = open(&args.push)?.plan(args.prune)?;
    if let Some(file) = &args.out {
        std::fs::write(file, plan_json(&plan)?)
            .with_context(|| format!("cannot write the plan to `{}`", file.display()))?;
    }
    print_plan(out, &plan, args.format)?;
    Ok(Outcome::of(&plan.errors))
}
