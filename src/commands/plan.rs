//! `scopectl plan`: read the target server and show the changes `apply` would make.

use anyhow::{bail, Context};

use super::{print, EXIT_FINDINGS, EXIT_OK};
use crate::cli::{PlanArgs, PlanFormat, PushTargetArgs};
use scopectl::push::{render, Desired, Plan, Server};
use scopectl::registry::Registry;

/// A loaded registry and a connected target.
pub(super) struct Session {
    pub registry: Registry,
    pub server: Server,
    pub desired: Desired,
    pub today: chrono::NaiveDate,
}

/// Load the registry (it must load without errors) and connect to the target.
pub(super) fn open(args: &PushTargetArgs) -> anyhow::Result<Session> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let loaded = Registry::load_dir(&args.path)?;
    if !loaded.is_ok() {
        let first: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == scopectl::diag::Severity::Error)
            .take(3)
            .map(|d| d.message.clone())
            .collect();
        bail!(
            "the registry at `{}` does not load ({}); run `scopectl lint` for details",
            args.path.display(),
            first.join("; ")
        );
    }
    let registry = loaded.registry;
    let (name, target) = scopectl::push::select_target(&registry, args.target.as_deref())?;
    let server = Server::connect(&name, target, &args.path)?;
    let desired = Desired::from_registry(&registry, today);
    Ok(Session {
        registry,
        server,
        desired,
        today,
    })
}

pub(super) fn render_plan(plan: &Plan, format: PlanFormat) -> anyhow::Result<String> {
    Ok(match format {
        PlanFormat::Table => render::plan_table(plan),
        PlanFormat::Markdown => render::plan_markdown(plan),
        PlanFormat::Json => {
            let mut s = serde_json::to_string_pretty(plan)?;
            s.push('\n');
            s
        }
    })
}

pub fn run(args: PlanArgs) -> anyhow::Result<u8> {
    let mut s = open(&args.push)?;
    let plan = s.server.plan(&s.desired, s.today, args.prune)?;
    if let Some(out) = &args.out {
        let mut json = serde_json::to_string_pretty(&plan)?;
        json.push('\n');
        std::fs::write(out, json)
            .with_context(|| format!("cannot write the plan to `{}`", out.display()))?;
    }
    print(&render_plan(&plan, args.format)?)?;
    Ok(if plan.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
