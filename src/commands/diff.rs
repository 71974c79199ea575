//! `scopectl diff A..B | --worktree [REV]`: semantic changes between two revisions, with
//! provenance. An adapter: arguments → [`scopectl::diff::compare`] → renderer → outcome
//! (3 when a `--fail-on` condition is present: by default a breaking change or a
//! weakening finding; the decision is [`scopectl::diff::gate::failing`]).

use std::io::IsTerminal;

use super::out::Out;
use crate::cli::{DiffArgs, DiffFailOn, DiffFormat};
use scopectl::diff::gate::{self, FailOn};
use scopectl::diff::{compare, render};
use scopectl::finding::Outcome;

pub fn run(args: DiffArgs, out: &Out) -> anyhow::Result<Outcome> {
    if let Some(spec) = &args.env {
        return promotion(spec, &args, out);
    }
    let (repo, history) = super::open_repo(&args.repo, out)?;
    let signers = args.repo.allowed_signers.as_deref();
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let report = match (&args.range, args.worktree) {
        (rev, true) => compare::against_worktree(&repo, rev.as_deref(), signers, today)?,
        (Some(spec), false) => {
            let (a, b) = compare::split_range(spec)?;
            let (a, b) = (repo.resolve(&a)?, repo.resolve(&b)?);
            if repo.is_ancestor(b, a) {
                out.err(&format!(
                    "warning: the range runs backwards ({spec}: B is an ancestor of A): the changes are shown from A to B, undoing commits, and no commit is credited with them; swap the sides for what the commits did\n"
                ))?;
            }
            compare::range(&repo, spec, signers, today)?
        }
        (None, false) => anyhow::bail!("give a range A..B, or --worktree"),
    }
    .history(&history);
    match args.format {
        DiffFormat::Human => out.text(&render::table(&report, std::io::stdout().is_terminal()))?,
        DiffFormat::Markdown => out.text(&render::markdown(&report))?,
        DiffFormat::Json => out.json(&render::json(&report))?,
    }
    let fail_on: Vec<FailOn> = args.fail_on.iter().map(|f| fail_on(*f)).collect();
    let failing = gate::failing(&report, &fail_on);
    if failing.is_empty() {
        return Ok(Outcome::Clean);
    }
    let names: Vec<&str> = failing.iter().map(|f| f.as_str()).collect();
    out.err(&format!(
        "diff: failing (exit 3) on {} (--fail-on)\n",
        names.join(", ")
    ))?;
    Ok(Outcome::Breaking)
}

/// `diff --env FROM..TO`: the promotion view of the registry's files (exit 0 whatever
/// it shows; 2 when the registry does not load or an environment is unknown).
fn promotion(spec: &str, args: &DiffArgs, out: &Out) -> anyhow::Result<Outcome> {
    use scopectl::diff::environments as env;
    let loaded = super::load::load_registry(&args.repo.registry, out)?;
    let (from, to) = env::parse_range(&loaded.registry, spec)?;
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let p = env::promotion(&loaded.registry, &from, &to, today);
    match args.format {
        DiffFormat::Human => out.text(&env::human(&p))?,
        DiffFormat::Markdown => out.text(&env::markdown(&p))?,
        DiffFormat::Json => out.json(&env::json(&p)?)?,
    }
    Ok(Outcome::Clean)
}

fn fail_on(f: DiffFailOn) -> FailOn {
    match f {
        DiffFailOn::Breaking => FailOn::Breaking,
        DiffFailOn::Weakened => FailOn::Weakened,
        DiffFailOn::AccessAdded => FailOn::AccessAdded,
        DiffFailOn::Findings => FailOn::Findings,
        DiffFailOn::Unverified => FailOn::Unverified,
    }
}
