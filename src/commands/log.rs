//! `scopectl log SCOPE|CLIENT` (placeholder replaced below).
use crate::cli::LogArgs;
pub fn run(_args: LogArgs) -> anyhow::Result<u8> {
    anyhow::bail!("not yet")
}
