//! `scopectl log NAME`: every change to one scope, client, API or review campaign, with who, when, why.

use std::io::IsTerminal;

use anyhow::bail;

use super::out::Out;
use crate::cli::{DiffFormat, LogArgs};
use scopectl::diff::{log, provenance};
use scopectl::finding::Outcome;
use scopectl::history::{self, signature};

pub fn run(args: LogArgs, out: &Out) -> anyhow::Result<Outcome> {
    let (repo, history) = super::open_repo(&args.repo, out)?;
    let id = repo.resolve(&args.rev)?;
    // Signatures are judged against the allowed signers at --at (or --allowed-signers).
    let label = format!("revision {} ({})", args.rev, history::short(id));
    let file = args.repo.allowed_signers.as_deref();
    repo.use_signers(signature::load_at(&repo, id, &label, file)?);
    let changes = provenance::history(&repo, None, id)?;
    let l = log::build(&args.name, &args.rev, id.to_string(), changes, &history);
    if l.entries.is_empty() {
        if let Some(reason) = &history.reason {
            bail!(
                "no change to `{}` in the history this repository holds up to {}, and that history is incomplete ({reason}): who made it cannot be told",
                args.name,
                args.rev
            );
        }
        bail!(
            "`{}` is not a scope, client, API or review campaign anywhere in the history of {}",
            args.name,
            args.rev
        );
    }
    match args.format {
        DiffFormat::Human => out.text(&log::table(&l, std::io::stdout().is_terminal()))?,
        DiffFormat::Markdown => out.text(&log::markdown(&l))?,
        DiffFormat::Json => out.json(&log::json(&l)?)?,
    }
    Ok(Outcome::Clean)
}
