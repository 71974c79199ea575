//! `scopectl diff A..B | --worktree [REV]`: semantic changes between two revisions, with
//! provenance. An adapter: arguments → [`scopectl::diff::compare`] → renderer → outcome
//! (3 for a breaking change or a weakened policy).

use std::io::IsTerminal;

use super::out::Out;
use crate::cli::{DiffArgs, DiffFormat};
use scopectl::diff::{compare, render};
use scopectl::finding::Outcome;

pub fn run(args: DiffArgs, out: &Out) -> anyhow::Result<Outcome> {
    let (repo, history) = super::open_repo(&args.repo, out)?;
    let report = match (&args.range, args.worktree) {
        (rev, true) => compare::against_worktree(&repo, rev.as_deref())?,
        (Some(spec), false) => compare::range(&repo, spec)?,
        (None, false) => anyhow::bail!("give a range A..B, or --worktree"),
    }
    .history(&history);
    match args.format {
        DiffFormat::Table => out.text(&render::table(&report, std::io::stdout().is_terminal()))?,
        DiffFormat::Markdown => out.text(&render::markdown(&report))?,
        DiffFormat::Json => out.json(&render::json(&report))?,
    }
    // A weakened policy needs the same review as a breaking change (docs/diff-report.md).
    Ok(if report.has_breaking() || report.has_policy_weakened() {
        Outcome::Breaking
    } else {
        Outcome::Clean
    })
}
