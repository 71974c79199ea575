//! `scopectl plan`: read the target server and show the changes `apply` would make.

use anyhow::{bail, Context};

use super::{print, EXIT_FINDINGS, EXIT_OK};
use crate::cli::{PlanArgs, PlanFormat, PushTargetArgs};
use scopectl::finding::Severity;
use scopectl::push::{render, Desired, Plan, PlanError, Server};
use scopectl::registry::Registry;

/// A loaded registry and a connected target.
pub(super) struct Session {
    pub registry: Registry,
    pub server: Server,
    pub desired: Desired,
    pub today: chrono::NaiveDate,
    /// Error-level lint findings (other than `grant/expired`) as `push/lint-errors`.
    pub lint_errors: Vec<PlanError>,
}

/// Error-level lint findings as plan errors, each naming `file:line`. `grant/expired` is
/// left out: an expired grant is pushable (apply removes its link).
pub(super) fn lint_errors(registry: &Registry, today: chrono::NaiveDate) -> Vec<PlanError> {
    scopectl::lint::check(registry, today)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.rule != scopectl::rules::Rule::GrantExpired)
        .map(|d| {
            let place = match (&d.primary, d.file()) {
                (Some(l), _) => {
                    let (line, _) = registry.files.location(l.file, l.span.start);
                    format!("{}:{line}", registry.files.name(l.file))
                }
                (None, Some(f)) => registry.files.name(f).to_string(),
                (None, None) => "registry".to_string(),
            };
            PlanError {
                code: scopectl::push::LINT_ERRORS.into(),
                message: format!("{place}: error[{}]: {}", d.rule, d.message),
            }
        })
        .collect()
}

/// Load the registry (it must load without errors) and connect to the target.
pub(super) fn open(args: &PushTargetArgs) -> anyhow::Result<Session> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let loaded = Registry::load_dir(args.root())?;
    if !loaded.is_ok() {
        let first: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == scopectl::finding::Severity::Error)
            .take(3)
            .map(|d| d.message.clone())
            .collect();
        bail!(
            "the registry at `{}` does not load ({}); run `scopectl lint` for details",
            args.root().display(),
            first.join("; ")
        );
    }
    let registry = loaded.registry;
    let (name, target) = scopectl::push::select_target(&registry, args.target.as_deref())?;
    let server = Server::connect(&name, target, args.root())?;
    let desired = Desired::from_registry(&registry, today);
    let lint_errors = lint_errors(&registry, today);
    Ok(Session {
        registry,
        server,
        desired,
        today,
        lint_errors,
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
    let mut plan = s.server.plan(&s.desired, s.today, args.prune)?;
    plan.errors.extend(s.lint_errors.iter().cloned());
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
