//! `scopectl drift`: does the target server still match the registry?
//! Exit 0 when it does, 1 when it differs (or the plan has errors), 2 when it cannot tell.

use super::{plan, print, EXIT_FINDINGS, EXIT_OK};
use crate::cli::DriftArgs;

pub fn run(args: DriftArgs) -> anyhow::Result<u8> {
    let mut s = plan::open(&args.push)?;
    // Drift includes scopectl's scopes that left the registry (what `--prune` deletes).
    let mut plan = s.server.plan(&s.desired, s.today, true)?;
    plan.errors.extend(s.lint_errors.iter().cloned());
    let text = plan::render_plan(&plan, args.format)?;
    print(&text)?;
    Ok(if plan.ops.is_empty() && plan.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
