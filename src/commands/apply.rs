//! `scopectl apply`: make exactly the planned changes, in a safe order, then read back.
//!
//! Exit 0: everything applied and verified. 1: applied, but the plan had errors (e.g. a
//! missing client) or the read-back found changes that did not take. 2: nothing or only
//! part was applied (server unreachable, failure halfway, stale saved plan).

use anyhow::{bail, Context};

use super::{plan, print, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE};
use crate::cli::{ApplyArgs, PlanFormat};
use scopectl::push::{render, Plan};

pub fn run(args: ApplyArgs) -> anyhow::Result<u8> {
    let mut s = plan::open(&args.push)?;
    let saved: Option<Plan> = match &args.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
            let p: Plan = serde_json::from_str(&text)
                .with_context(|| format!("`{}` is not a scopectl plan", path.display()))?;
            Some(p)
        }
        None => None,
    };
    let (today, prune) = match &saved {
        Some(p) => (p.today, p.prune),
        None => (s.today, args.prune),
    };
    if saved.is_some() && today != s.today {
        s.desired = scopectl::push::Desired::from_registry(&s.registry, today);
    }
    let lint_errors = if today != s.today {
        plan::lint_errors(&s.registry, today)
    } else {
        s.lint_errors.clone()
    };
    let mut fresh = s.server.plan(&s.desired, today, prune)?;
    fresh.errors.extend(lint_errors);
    // The registry as it is now decides: a saved plan does not carry lint findings over.
    let lint = fresh.lint_errors();
    let lint_found = fresh.errors.clone();
    let plan = match saved {
        Some(p) => {
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
                // Compare whole ops (values included), so a value edited after review is
                // never pushed under a reviewed plan.
                let describe = |o: &scopectl::push::Op| {
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
            // Errors are the current ones (lint findings may have been fixed or added
            // without changing any op).
            Plan {
                errors: lint_found,
                ..p
            }
        }
        None => fresh,
    };
    if lint > 0 && !args.allow_lint_errors {
        // Refuse before the first write: show the plan, so the findings are listed.
        print(&plan::render_plan(&plan, args.format)?)?;
        eprintln!(
            "error: the registry has {lint} lint error(s) (listed above as {}); apply made no \
             changes. Fix them (`scopectl lint`), or push anyway with --allow-lint-errors",
            scopectl::push::LINT_ERRORS
        );
        return Ok(EXIT_UNUSABLE);
    }
    let report = s.server.apply(&plan, &s.desired);
    match args.format {
        PlanFormat::Json => {
            let mut j = serde_json::to_string_pretty(&serde_json::json!({
                "plan": plan,
                "report": report,
            }))?;
            j.push('\n');
            print(&j)?;
        }
        _ => print(&render::apply_text(&plan, &report))?,
    }
    if let Some((op, why)) = &report.failed {
        eprintln!(
            "error: apply stopped at `{} {} {}`: {why}\n{} change(s) were applied, {} were not; \
             run `scopectl apply` again once the server is back",
            op.action(),
            op.client().unwrap_or(""),
            op.scope().unwrap_or(""),
            report.applied.len(),
            report.not_applied.len() + 1
        );
        return Ok(EXIT_UNUSABLE);
    }
    if report.readback_error.is_some() {
        return Ok(EXIT_UNUSABLE);
    }
    if !plan.errors.is_empty() {
        // On stderr too, whatever the format: the valid changes were made, these were not.
        eprintln!(
            "error: {} change(s) applied, but the plan has {} error(s) that were not pushed:",
            report.applied.len(),
            plan.errors.len()
        );
        for e in &plan.errors {
            eprintln!("  error[{}]: {}", e.code, e.message);
        }
    }
    Ok(
        if plan.errors.is_empty() && report.did_not_take.is_empty() {
            EXIT_OK
        } else {
            EXIT_FINDINGS
        },
    )
}
