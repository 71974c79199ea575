//! The push workflow shared by `plan`, `apply` and `drift`, for every kind of target:
//! load the registry (it must load cleanly), pick and connect the target, compute the
//! plan (ops in their safe order, request counts, the lint gate's `push/lint-errors`),
//! pin a saved plan to the server state and the registry it was made from, and apply.
//! The commands only parse arguments, call this and render the result.

use std::path::Path;

use anyhow::{bail, Context};

use super::{connect, order_ops, select_target, Desired, Op, Plan, PlanError, PushTarget};
use super::{ApplyReport, LINT_ERRORS};
use crate::finding::Finding;
use crate::finding::Severity;
use crate::registry::Registry;
use crate::rules::Rule;

/// A loaded registry and a connected target.
pub struct Session {
    pub registry: Registry,
    pub target: Box<dyn PushTarget>,
    pub desired: Desired,
    pub today: chrono::NaiveDate,
    /// Error-level lint findings (other than `grant/expired`) as `push/lint-errors`.
    pub lint_errors: Vec<PlanError>,
    /// Where the target's pushes go, shown first in plans.
    pub connection: super::Connection,
}

/// What `apply` came to.
pub enum ApplyOutcome {
    /// The registry has lint errors and `--allow-lint-errors` was not given: nothing was
    /// written. The plan lists the findings.
    RefusedLint { plan: Plan, lint_errors: usize },
    /// The plan was applied (perhaps only in part: see the report).
    Applied {
        plan: Plan,
        report: Box<ApplyReport>,
    },
}

/// Error-level lint findings as plan errors, each naming `file:line`. `grant/expired` is
/// left out: an expired grant is pushable (apply removes its link).
pub fn lint_errors(registry: &Registry, today: chrono::NaiveDate) -> Vec<PlanError> {
    crate::lint::check(registry, today)
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.rule != Rule::GrantExpired)
        .map(|d| {
            let place = match (&d.primary, d.file()) {
                (Some(l), _) => {
                    let (line, _) = registry.files.location(l.file, l.span.start);
                    format!("{}:{line}", registry.files.name(l.file))
                }
                (None, Some(f)) => registry.files.name(f).to_string(),
                (None, None) => "registry".to_string(),
            };
            Finding::of(
                LINT_ERRORS,
                format!("{place}: error[{}]: {}", d.rule, d.message),
            )
        })
        .collect()
}

/// Read a plan saved by `plan --out`.
pub fn load_plan(path: &Path) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not a scopectl plan", path.display()))
}

/// A plan as the JSON document `plan --format json` prints and `plan --out` saves.
pub fn plan_json(plan: &Plan) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(plan)?;
    s.push('\n');
    Ok(s)
}

impl Session {
    /// Load the registry at `root` (it must load without errors) and connect to the
    /// target `name` (or the only one).
    pub fn open(
        root: &Path,
        name: Option<&str>,
        today: chrono::NaiveDate,
    ) -> anyhow::Result<Session> {
        let loaded = Registry::load_dir(root)?;
        if !loaded.is_ok() {
            let first: Vec<String> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .take(3)
                .map(|d| d.message.clone())
                .collect();
            bail!(
                "the registry at `{}` does not load ({}); run `scopectl lint` for details",
                root.display(),
                first.join("; ")
            );
        }
        let registry = loaded.registry;
        let (name, target) = select_target(&registry, name)?;
        let connection = super::connection(target);
        let target = connect(&name, target, root)?;
        let desired = Desired::from_registry(&registry, today);
        let lint_errors = lint_errors(&registry, today);
        Ok(Session {
            registry,
            target,
            desired,
            today,
            lint_errors,
            connection,
        })
    }

    /// Read the server and compute the plan as of `today` (ops in their safe order, the
    /// requests it took), without the lint findings.
    fn server_plan(&mut self, today: chrono::NaiveDate, prune: bool) -> anyhow::Result<Plan> {
        let mut plan = self.target.plan(&self.desired, today, prune)?;
        order_ops(&mut plan.ops);
        plan.requests = self.target.counts();
        plan.connection = Some(self.connection.clone());
        Ok(plan)
    }

    /// The plan, with the registry's lint errors among its errors.
    pub fn plan(&mut self, prune: bool) -> anyhow::Result<Plan> {
        let mut plan = self.server_plan(self.today, prune)?;
        plan.errors.extend(self.lint_errors.iter().cloned());
        Ok(plan)
    }

    /// Drift: the plan including scopectl's scopes that left the registry (what
    /// `--prune` deletes).
    pub fn drift(&mut self) -> anyhow::Result<Plan> {
        self.plan(true)
    }

    /// Apply a fresh plan, or `saved` (made by `plan --out`) if it still says exactly
    /// what would be pushed: same target, same server state, same ops. Lint errors of
    /// the registry as it is now refuse the apply before any write unless
    /// `allow_lint_errors`.
    pub fn apply(
        &mut self,
        saved: Option<Plan>,
        prune: bool,
        allow_lint_errors: bool,
    ) -> anyhow::Result<ApplyOutcome> {
        // Expiry is judged on the day the changes are made, not the day a saved plan was
        // made: a grant that expired in between is never linked.
        let today = self.today;
        let prune = saved.as_ref().map_or(prune, |p| p.prune);
        if let Some(p) = &saved {
            refuse_expired_links(p, &self.desired, today)?;
        }
        let lint_found = self.lint_errors.clone();
        let mut fresh = self.server_plan(today, prune)?;
        fresh.errors.extend(lint_found);
        // The registry as it is now decides: a saved plan does not carry lint findings over.
        let lint = fresh.lint_errors();
        let plan = match saved {
            Some(p) => {
                check_saved(&p, &fresh)?;
                // Errors are the current ones (lint findings may have been fixed or
                // added without changing any op).
                Plan {
                    errors: fresh.errors,
                    ..p
                }
            }
            None => fresh,
        };
        if lint > 0 && !allow_lint_errors {
            return Ok(ApplyOutcome::RefusedLint {
                plan,
                lint_errors: lint,
            });
        }
        let mut report = self.target.apply(&plan, &self.desired);
        order_ops(&mut report.did_not_take);
        Ok(ApplyOutcome::Applied {
            plan,
            report: Box::new(report),
        })
    }
}

/// A saved plan that would link a grant which is no longer active on `today` (it expired
/// after the plan was made) is refused, naming the grant.
fn refuse_expired_links(
    p: &Plan,
    desired: &Desired,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    for op in &p.ops {
        let links: Vec<(&str, &str)> = match op {
            Op::Assign { client, scope, .. } | Op::Move { client, scope, .. } => {
                vec![(client.as_str(), scope.as_str())]
            }
            Op::SetClientScope { client, to, .. } => {
                to.iter().map(|s| (client.as_str(), s.as_str())).collect()
            }
            _ => Vec::new(),
        };
        for (client, scope) in links {
            let active = desired
                .clients
                .get(client)
                .is_some_and(|grants| grants.contains_key(scope));
            if !active {
                bail!(
                    "the saved plan (made for {}) links `{scope}` to `{client}`, but on {today} that grant is {}: nothing was applied; run `scopectl plan` again",
                    p.today,
                    if desired.is_expired(client, scope) { "expired" } else { "no longer in the registry" }
                );
            }
        }
    }
    Ok(())
}

/// A saved plan is applied only if it is for this target, the server is in the state
/// it was made from, and it makes exactly the ops a fresh plan would (values included,
/// so a value edited after review is never pushed under a reviewed plan).
fn check_saved(p: &Plan, fresh: &Plan) -> anyhow::Result<()> {
    if p.target != fresh.target || p.url != fresh.url || p.realm != fresh.realm {
        bail!(
            "the saved plan is for target `{}` ({}), not `{}` ({})",
            p.target,
            p.url,
            fresh.target,
            fresh.url
        );
    }
    if p.fingerprint != fresh.fingerprint {
        bail!(
            "the server changed since the plan was made (state {} then, {} now); \
             run `scopectl plan` again",
            p.fingerprint,
            fresh.fingerprint
        );
    }
    if p.ops != fresh.ops {
        let describe = |o: &Op| {
            format!(
                "{} {} {} ({})",
                o.action(),
                o.client().unwrap_or(""),
                o.scope().unwrap_or(""),
                o.detail()
            )
        };
        let mut diffs = Vec::new();
        for o in p.ops.iter().filter(|o| !fresh.ops.contains(o)).take(3) {
            diffs.push(format!("planned: {}", describe(o)));
        }
        for o in fresh.ops.iter().filter(|o| !p.ops.contains(o)).take(3) {
            diffs.push(format!("now: {}", describe(o)));
        }
        bail!(
            "the registry changed since the plan was made, so the saved plan no longer \
             says what would be pushed ({}); run `scopectl plan` again",
            diffs.join("; ")
        );
    }
    Ok(())
}
