//! One module per subcommand. Each returns the process exit code.

mod apply;
mod completions;
mod decode;
mod diff;
mod drift;
mod init;
mod lint;
mod log;
mod plan;
mod report;
mod schema;

use std::io::Write;

use crate::cli::{Cli, ColorChoice, Command};
use scopectl::output::Color;

/// Exit code: success, nothing to report.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at error level (lint errors, invalid token, drift).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the command could not do its job.
pub const EXIT_UNUSABLE: u8 = 2;

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    let color = match cli.color {
        ColorChoice::Always => Color::Always,
        ColorChoice::Never => Color::Never,
        ColorChoice::Auto => Color::auto(),
    };
    match cli.command {
        Command::Init(args) => init::run(args),
        Command::Lint(args) => lint::run(args, color),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Log(args) => log::run(args),
        Command::Report(args) => report::run(args),
        Command::Decode(args) => decode::run(*args, color),
    }
}

/// Write to stdout; errors (a closed pipe) propagate to `main`.
pub fn print(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}
