//! `scopectl drift`: does the target server still match the registry?
//! Exit 0 when it does, 1 when it differs (or the plan has errors), 2 when it cannot tell.
//! An adapter: arguments → [`scopectl::push::session`] → renderer → exit code.

use super::{plan, print, EXIT_FINDINGS, EXIT_OK};
use crate::cli::DriftArgs;

pub fn run(args: DriftArgs) -> anyhow::Result<u8> {
    let plan = plan::open(&args.push)?.drift()?;
    print(&plan::render_plan(&plan, args.format)?)?;
    Ok(if plan.ops.is_empty() && plan.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
