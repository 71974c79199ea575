//! `scopectl report` (placeholder replaced below).
use crate::cli::ReportArgs;
pub fn run(_args: ReportArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not yet")
}
