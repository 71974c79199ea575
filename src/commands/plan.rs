//! `scopectl plan`: read the target server and show the changes `apply` would make.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → exit code.

use anyhow::Context;

use super::{print, EXIT_FINDINGS, EXIT_OK};
use crate::cli::{PlanArgs, PlanFormat, PushTargetArgs};
use scopectl::push::session::{plan_json, Session};
use scopectl::push::{render, Plan};

/// Load the registry and connect to the target the arguments name.
pub(super) fn open(args: &PushTargetArgs) -> anyhow::Result<Session> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    Session::open(args.root(), args.target.as_deref(), today)
}

pub(super) fn render_plan(plan: &Plan, format: PlanFormat) -> anyhow::Result<String> {
    Ok(match format {
        PlanFormat::Table => render::plan_table(plan),
        PlanFormat::Markdown => render::plan_markdown(plan),
        PlanFormat::Json => plan_json(plan)?,
    })
}

pub fn run(args: PlanArgs) -> anyhow::Result<u8> {
    let plan = open(&args.push)?.plan(args.prune)?;
    if let Some(out) = &args.out {
        std::fs::write(out, plan_json(&plan)?)
            .with_context(|| format!("cannot write the plan to `{}`", out.display()))?;
    }
    print(&render_plan(&plan, args.format)?)?;
    Ok(if plan.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
