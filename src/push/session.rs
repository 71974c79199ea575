//! The push workflow shared by `plan`, `apply` and `drift`, for every kind of target:
//! load the registry (it must load cleanly), pick and connect the target, compute the
//! plan (ops in their safe order, request counts, the lint gate's `push/lint-errors`),
//! pin a saved plan to the server state and the registry it was made from, and apply.
//! The commands only parse arguments, call this and render the result.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{bail, Context};

use super::{connect, order_ops, select_target, Desired, Op, Plan, PlanError, PushTarget};
use super::{ApplyReport, PlanOptions, Progress, LINT_ERRORS};
use crate::finding::Finding;
use crate::finding::Severity;
use crate::registry::policy::TargetKind;
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
    /// `revoke_unlisted = true` in the target.
    pub revoke_unlisted: bool,
    /// The target's environment (`environment`, or the target's name): only what
    /// reaches it is pushed, and only lint errors about it hold a push back.
    pub environment: String,
    /// [`registry_digest`] of the registry: kept in plans, so a refused saved plan says
    /// whether the registry changed.
    pub registry_digest: String,
}

/// What `apply` came to: the plan and what was made of it (perhaps only in part: see
/// the report).
pub struct ApplyOutcome {
    pub plan: Plan,
    pub report: ApplyReport,
    /// The registry has this many lint errors and `--allow-lint-errors` was not given:
    /// only removals were made, the rest is in `report.held_back`.
    pub lint_refused: usize,
}

/// Error-level lint findings about `environment` as plan errors, each naming
/// `file:line`. `grant/expired` is left out: an expired grant is pushable (apply removes
/// its link); so are accepted ones. Findings about a client or grant that does not reach
/// the environment, or about another environment's policy, are left out too: a dev-only
/// grant never holds back a prod push.
pub fn lint_errors(
    registry: &Registry,
    today: chrono::NaiveDate,
    environment: &str,
) -> Vec<PlanError> {
    crate::lint::check(registry, today)
        .into_iter()
        // An accepted finding (an `[[exceptions]]` entry, import debt before its
        // deadline) does not fail lint, so it does not hold a push back either.
        .filter(|d| {
            d.severity == Severity::Error && d.rule != Rule::GrantExpired && d.accepted.is_none()
        })
        .filter(|d| concerns(registry, d, environment))
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

/// Does a lint finding concern `environment`? Not when it was found under another
/// environment's policy, nor when its subject is a client that is not there or a grant
/// that does not reach it.
fn concerns(registry: &Registry, d: &Finding, environment: &str) -> bool {
    use crate::finding::Subject;
    if d.environment.as_deref().is_some_and(|e| e != environment) {
        return false;
    }
    match &d.subject {
        Some(Subject::Client { client }) => registry
            .clients
            .get(client)
            .is_none_or(|c| c.def.in_environment(environment)),
        Some(Subject::Grant {
            client,
            scope,
            occurrence,
        }) => match (
            registry.clients.get(client),
            registry.grant_of(client, scope, *occurrence),
        ) {
            (Some(c), Some(g)) => registry.grant_reaches(c, g, environment),
            _ => true,
        },
        _ => true,
    }
}

/// `sha256:` of the registry's files (each file's name and text, in name order): what a
/// plan was made from on the registry's side.
pub fn registry_digest(registry: &Registry) -> String {
    let files = &registry.files;
    let mut all: Vec<(&str, &str)> = (0..files.len())
        .map(|id| (files.name(id), files.text(id)))
        .collect();
    all.sort_unstable();
    super::fingerprint(&all)
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
        refuse_misnamed_layout(&loaded)?;
        let registry = loaded.registry;
        let (name, target) = select_target(&registry, name)?;
        let revoke_unlisted = target.revoke_unlisted.unwrap_or(false);
        let connection = super::connection(target);
        let environment = target.environment_or(&name).to_string();
        let target = connect(&name, target, root)?;
        let desired = Desired::for_environment(&registry, today, &environment);
        let lint_errors = lint_errors(&registry, today, &environment);
        let registry_digest = registry_digest(&registry);
        Ok(Session {
            registry,
            target,
            desired,
            today,
            lint_errors,
            connection,
            revoke_unlisted,
            environment,
            registry_digest,
        })
    }

    /// The plan options of a command: its flags, with the target's `revoke_unlisted`.
    pub fn options(&self, mut flags: PlanOptions) -> PlanOptions {
        flags.revoke_unlisted |= self.revoke_unlisted;
        flags
    }

    /// Read the server and compute the plan as of `today` (ops in their safe order, the
    /// requests it took), without the lint findings.
    fn server_plan(
        &mut self,
        today: chrono::NaiveDate,
        options: &PlanOptions,
    ) -> anyhow::Result<Plan> {
        let mut plan = self.target.plan(&self.desired, today, options)?;
        guard_deletes(&mut plan, &self.desired, options);
        order_ops(&mut plan.ops);
        plan.warnings.extend(lost_scopes(&plan.ops));
        plan.notes
            .extend(transition_notes(&plan.ops, &self.desired));
        plan.requests = self.target.counts();
        plan.connection = Some(self.connection.clone());
        plan.environment = Some(self.environment.clone());
        plan.registry_digest = Some(self.registry_digest.clone());
        Ok(plan)
    }

    /// The plan, with the registry's lint errors among its errors.
    pub fn plan(&mut self, options: PlanOptions) -> anyhow::Result<Plan> {
        let options = self.options(options);
        let mut plan = self.server_plan(self.today, &options)?;
        plan.errors.extend(self.lint_errors.iter().cloned());
        Ok(plan)
    }

    /// Drift: everything that differs, including scopectl's scopes that left the
    /// registry (what `--prune` deletes, however many, whoever still uses them).
    pub fn drift(&mut self) -> anyhow::Result<Plan> {
        let mut plan = self.plan(PlanOptions {
            prune: true,
            revoke_unlisted: false,
            prune_in_use: true,
            max_deletes: usize::MAX,
        })?;
        // No cap: left out of the JSON rather than shown as 2^64 - 1.
        plan.max_deletes = None;
        Ok(plan)
    }

    /// Apply a fresh plan, or `saved` (made by `plan --out`) if it still says exactly
    /// what would be pushed: same target, same server state, same ops. While the
    /// registry as it is now has lint errors, only removals are made (unless
    /// `allow_lint_errors`): the rest is held back. When there is something to write,
    /// the target's lease is taken first (`take_over_lease`: even from another run) and
    /// the plan is made again under it; `progress` hears of every op as it is made.
    pub fn apply(
        &mut self,
        saved: Option<Plan>,
        options: PlanOptions,
        allow_lint_errors: bool,
        take_over_lease: bool,
        progress: &mut Progress<'_>,
    ) -> anyhow::Result<ApplyOutcome> {
        // Expiry is judged on the day the changes are made, not the day a saved plan was
        // made: a grant that expired in between is never linked.
        let options = match &saved {
            Some(p) => p.options(),
            None => self.options(options),
        };
        let saved = saved.map(|mut p| {
            // Plans saved before assigns ran first: the same ops in today's order.
            order_ops(&mut p.ops);
            p
        });
        if let Some(p) = &saved {
            refuse_expired_links(p, &self.desired, self.today)?;
        }
        let first = self.planned(saved.as_ref(), &options)?;
        let lint_refused = if allow_lint_errors {
            0
        } else {
            first.lint_errors()
        };
        if first.ops.is_empty() || (lint_refused > 0 && lint_gate(&first.ops).0.is_empty()) {
            // Nothing to write: no lease, no write.
            return Ok(self.run(first, lint_refused, progress));
        }
        self.target.lease(take_over_lease)?;
        let result = self.planned(saved.as_ref(), &options).map(|plan| {
            let lint_refused = if allow_lint_errors {
                0
            } else {
                plan.lint_errors()
            };
            self.run(plan, lint_refused, progress)
        });
        let released = self.target.release();
        let mut outcome = result?;
        outcome.report.warnings.extend(released);
        outcome.report.counts = self.target.counts();
        Ok(outcome)
    }

    /// The plan `apply` makes: a fresh one with the registry's current lint errors, or
    /// the saved one if it still says what a fresh one says.
    fn planned(&mut self, saved: Option<&Plan>, options: &PlanOptions) -> anyhow::Result<Plan> {
        let mut fresh = self.server_plan(self.today, options)?;
        fresh.errors.extend(self.lint_errors.iter().cloned());
        Ok(match saved {
            Some(p) => {
                check_saved(p, &fresh)?;
                // The registry as it is now decides: errors are the current ones (lint
                // findings may have been fixed or added without changing any op).
                Plan {
                    errors: fresh.errors,
                    ..p.clone()
                }
            }
            None => fresh,
        })
    }

    /// Make a plan's ops (only its removals while `lint_refused`).
    fn run(
        &mut self,
        plan: Plan,
        lint_refused: usize,
        progress: &mut Progress<'_>,
    ) -> ApplyOutcome {
        let (run, held_back): (Vec<Op>, Vec<Op>) = if lint_refused > 0 {
            lint_gate(&plan.ops)
        } else {
            (plan.ops.clone(), Vec::new())
        };
        let mut report = if run.is_empty() {
            super::Run::default().report(self.target.counts())
        } else {
            let to_run = Plan {
                ops: run,
                ..plan.clone()
            };
            self.target.apply(&to_run, &self.desired, progress)
        };
        report.held_back = held_back;
        // Only a change that was made and is still needed did not take (what was held
        // back, failed or blocked by a plan error is reported as such).
        report.did_not_take.retain(|o| report.applied.contains(o));
        order_ops(&mut report.did_not_take);
        ApplyOutcome {
            plan,
            report,
            lint_refused,
        }
    }
}

/// What the lint gate lets through (the removals) and what it holds back (the rest).
/// Removals are never held hostage by a lint error elsewhere, but an adoption is held
/// back like any addition, and until it is made its scope is not scopectl's: nothing on
/// it is made either (an unassign would unlink a scope without the marker).
fn lint_gate(ops: &[Op]) -> (Vec<Op>, Vec<Op>) {
    let adopting: BTreeSet<&str> = ops
        .iter()
        .filter_map(|o| match o {
            Op::AdoptScope { scope, .. } => Some(scope.as_str()),
            _ => None,
        })
        .collect();
    ops.iter()
        .cloned()
        .partition(|o| o.is_removal() && !o.scope().is_some_and(|s| adopting.contains(s)))
}

/// Push commands refuse a registry with a misnamed layout folder (`Scopes/`, `client/`):
/// its files are not read, so every scope and grant in them would count as removed, and
/// `apply --prune` would delete them from the server.
fn refuse_misnamed_layout(loaded: &crate::registry::Loaded) -> anyhow::Result<()> {
    let misnamed: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.rule == Rule::LoadIgnoredFile)
        .filter_map(|d| d.file().map(|f| loaded.registry.files.name(f).to_string()))
        .filter(|name| name.ends_with('/') && !name.trim_end_matches('/').contains('/'))
        .collect();
    if misnamed.is_empty() {
        return Ok(());
    }
    bail!(
        "the registry has a misnamed folder ({}): the layout is exactly `scopes/` and \
         `clients/` (lower case), and the files in it are not read, so everything they \
         define would count as removed from the server; plan, apply and drift refuse to \
         run until it is renamed or removed",
        misnamed.join(", ")
    )
}

/// The guards on deletes, whatever the target planned: a registry with no scopes never
/// deletes (a registry that did not load what it should, not one that wants a bare
/// realm), and one run deletes at most `max_deletes` scopes. Refused deletes are left
/// out of the ops and become a plan error naming how many there were.
fn guard_deletes(plan: &mut Plan, desired: &Desired, options: &PlanOptions) {
    let deletes = plan
        .ops
        .iter()
        .filter(|o| matches!(o, Op::DeleteScope { .. }))
        .count();
    if deletes == 0 {
        return;
    }
    let refusal = if desired.scopes.is_empty() {
        Some(Finding::of(
            Rule::PushPruneEmptyRegistry,
            format!(
                "the registry defines no scopes, so --prune would delete all {deletes} of \
                 scopectl's client scopes on the server; a registry with no scopes never \
                 prunes (check that PATH is the registry and `scopes/` is there)"
            ),
        ))
    } else if deletes > options.max_deletes {
        Some(Finding::of(
            Rule::PushTooManyDeletes,
            format!(
                "--prune would delete {deletes} client scopes, more than the limit of {} \
                 for one run; none is deleted. If that many scopes really left the \
                 registry, allow it with --max-deletes {deletes}",
                options.max_deletes
            ),
        ))
    } else {
        None
    };
    if let Some(f) = refusal {
        plan.ops.retain(|o| !matches!(o, Op::DeleteScope { .. }));
        plan.errors.push(f);
    }
}

/// A note for each link a rename transition adds: the client holds the deprecated
/// scope's grant, so it gets the replacement too until that grant ends.
fn transition_notes(ops: &[Op], desired: &Desired) -> Vec<String> {
    ops.iter()
        .filter_map(|o| match o {
            Op::Assign { client, scope, .. } => {
                let old = desired.transition_from(client, scope)?;
                Some(format!(
                    "client `{client}` gets `{scope}` linked as well as `{old}`: `{old}` is \
                     deprecated and replaced_by `{scope}`, and the client holds its grant \
                     (rename transition: both stay linked until that grant expires or is \
                     removed, or the client is granted `{scope}` itself)"
                ))
            }
            _ => None,
        })
        .collect()
}

/// A warning for each client that loses a scope it may ask for by name (`scope=…`): the
/// whole token request then fails with `invalid_scope`. Optional scopes are asked for by
/// name to be used at all; a default scope may be named too.
fn lost_scopes(ops: &[Op]) -> Vec<String> {
    ops.iter()
        .filter_map(|o| match o {
            Op::Unassign {
                client,
                scope,
                kind,
                reason,
            } if reason != super::keycloak::LINKED_BOTH_WAYS => {
                // A rename: what the client gains in the same run (linked first).
                let gains: Vec<String> = ops
                    .iter()
                    .filter_map(|g| match g {
                        Op::Assign {
                            client: c, scope, ..
                        } if c == client => Some(format!("`{scope}`")),
                        _ => None,
                    })
                    .collect();
                let gains = if gains.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; it gains {} in the same run, before it loses this one",
                        gains.join(", ")
                    )
                };
                Some(format!(
                    "client `{client}` loses the {kind} scope `{scope}` ({reason}): a token \
                     request that names it (scope={scope}) will fail with invalid_scope{gains}"
                ))
            }
            _ => None,
        })
        .collect()
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
            // Only the values it adds: the ones it keeps (`openid`, which no grant
            // names) are not linked by it.
            Op::SetClientScope { client, from, to } => to
                .iter()
                .filter(|s| !from.contains(s))
                .map(|s| (client.as_str(), s.as_str()))
                .collect(),
            _ => Vec::new(),
        };
        for (client, scope) in links {
            let active = desired
                .clients
                .get(client)
                .is_some_and(|grants| grants.contains_key(scope))
                || desired
                    .builtin
                    .get(client)
                    .is_some_and(|keep| keep.contains(scope));
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

/// What differs between the state parts a saved plan was made from and the current
/// ones (`scope `x` changed`, `client `y` is new`, … at most 10), empty when either plan
/// has no parts.
fn changed_parts(p: &Plan, fresh: &Plan) -> Vec<String> {
    if p.state_parts.is_empty() || fresh.state_parts.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, v) in &fresh.state_parts {
        match p.state_parts.get(k) {
            None => out.push(format!("{k} is new")),
            Some(old) if old != v => out.push(format!("{k} changed")),
            _ => {}
        }
    }
    for k in p.state_parts.keys() {
        if !fresh.state_parts.contains_key(k) {
            out.push(format!("{k} is gone"));
        }
    }
    let more = out.len().saturating_sub(10);
    out.truncate(10);
    if more > 0 {
        out.push(format!("and {more} more"));
    }
    out
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
    // Whether the registry changed (unknown for plans saved before they kept its digest).
    let registry_changed = match (&p.registry_digest, &fresh.registry_digest) {
        (Some(then), Some(now)) => Some(then != now),
        _ => None,
    };
    if p.fingerprint != fresh.fingerprint {
        let what = changed_parts(p, fresh);
        let what = if what.is_empty() {
            format!("state {} then, {} now", p.fingerprint, fresh.fingerprint)
        } else {
            what.join("; ")
        };
        if registry_changed == Some(true) {
            bail!(
                "the registry changed since the plan was made, and the server state the plan \
                 depends on differs ({what}); run `scopectl plan` again"
            );
        }
        bail!("the server changed since the plan was made: {what}; run `scopectl plan` again");
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
        // The state the fingerprint covers is the same: the registry changed, or what
        // the fingerprint leaves out did (the server's, or the day).
        let why = match registry_changed {
            Some(true) => "the registry changed since the plan was made".to_string(),
            Some(false) => {
                let outside = match fresh.kind {
                    TargetKind::Keycloak => {
                        " (the realm's default client-scope lists, hand-made protocol \
                         mappers, role scope mappings)"
                    }
                    TargetKind::Rfc7592 => "",
                };
                let day = if p.today != fresh.today {
                    format!(
                        ", or grants expired since (the plan was made for {})",
                        p.today
                    )
                } else {
                    String::new()
                };
                format!(
                    "the registry is unchanged, but the server changed since the plan was \
                     made in what the plan's fingerprint does not cover{outside}{day}"
                )
            }
            None => "the registry or the server changed since the plan was made".to_string(),
        };
        bail!(
            "{why}, so the saved plan no longer says what would be pushed ({}); run \
             `scopectl plan` again",
            diffs.join("; ")
        );
    }
    Ok(())
}
