//! `scopectl log SCOPE|CLIENT`: every change to one scope or one client, with who, when, why.

use std::io::IsTerminal;

use anyhow::bail;

use super::{print, EXIT_OK};
use crate::cli::{DiffFormat, LogArgs};
use scopectl::diff::{log, provenance};
use scopectl::history::Repo;

pub fn run(args: LogArgs) -> anyhow::Result<u8> {
    let repo = Repo::open(&args.repo.registry, args.repo.subdir.as_deref())?;
    let id = repo.resolve(&args.rev)?;
    let history = provenance::history(&repo, None, id)?;
    let l = log::build(&args.name, &args.rev, id.to_string(), history);
    if l.entries.is_empty() {
        bail!(
            "`{}` is neither a scope nor a client anywhere in the history of {}",
            args.name,
            args.rev
        );
    }
    let text = match args.format {
        DiffFormat::Table => log::table(&l, std::io::stdout().is_terminal()),
        DiffFormat::Markdown => log::markdown(&l),
        DiffFormat::Json => log::json(&l)?,
    };
    print(&text)?;
    Ok(EXIT_OK)
}
