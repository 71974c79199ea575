//! `scopectl plan`: read the target server and show the changes `apply` would make.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → outcome.

use anyhow::Context;

use super::out::Out;
use crate::cli::{PlanArgs, PlanFormat, PushTargetArgs};
use scopectl::finding::Outcome;
use scopectl::push::render::{self, View};
use scopectl::push::session::{plan_json, Session};
use scopectl::push::Plan;

/// Load the registry and connect to the target the arguments name.
pub(super) fn open(args: &PushTargetArgs) -> anyhow::Result<Session> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    Session::open(args.root(), args.target.as_deref(), today)
}

/// Print a plan in the format asked for, under the view's heading.
pub(super) fn print_plan(
    out: &Out,
    plan: &Plan,
    format: PlanFormat,
    view: View,
) -> anyhow::Result<()> {
    let view = view.colored(out.color() == scopectl::output::Color::Always);
    match format {
        PlanFormat::Table => out.text(&render::plan_table_as(plan, view)),
        PlanFormat::Markdown => out.text(&render::plan_markdown_as(plan, view)),
        PlanFormat::Json => out.json(&plan_json(plan)?),
    }
}

/// The command could not do its job: with `--format json`, stdout still gets the plan
/// document's shape with an `error` member (`apply` nests it with an empty report);
/// the error itself goes on to stderr and exit 2 as always.
pub(super) fn failed(
    out: &Out,
    args: &PushTargetArgs,
    format: PlanFormat,
    apply: bool,
    e: anyhow::Error,
) -> anyhow::Result<Outcome> {
    if format == PlanFormat::Json {
        let message = format!("{e:#}");
        let plan = render::failed_plan(args.target.as_deref(), args.today, &message);
        let doc = if apply {
            let report = scopectl::push::ApplyReport::default();
            render::apply_json(&plan, &report, Some(&message))?
        } else {
            let mut s = serde_json::to_string_pretty(&plan)?;
            s.push('\n');
            s
        };
        out.json(&doc)?;
    }
    Err(e)
}

pub fn run(args: PlanArgs, out: &Out) -> anyhow::Result<Outcome> {
    let plan = match open(&args.push).and_then(|mut s| s.plan(args.removal.options())) {
        Ok(plan) => plan,
        Err(e) => return failed(out, &args.push, args.format, false, e),
    };
    if let Some(file) = &args.out {
        std::fs::write(file, plan_json(&plan)?)
            .with_context(|| format!("cannot write the plan to `{}`", file.display()))?;
    }
    print_plan(out, &plan, args.format, View::PLAN)?;
    Ok(Outcome::of(&plan.errors))
}
