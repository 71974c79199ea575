//! `scopectl report [--at REV]`: access-review evidence at a revision.

use super::{print, EXIT_OK};
use crate::cli::{ReportArgs, ReportFormat};
use scopectl::history::{self, Repo};
use scopectl::report::{self, render, At};

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let repo = Repo::open(&args.repo.registry, args.repo.subdir.as_deref())?;
    let id = repo.resolve(&args.at)?;
    let registry = history::load(
        repo.sources_at(id)?,
        &format!("{} ({})", args.at, history::short(id)),
    )?;
    let info = repo.commit_info(id)?;
    let at = At {
        rev: args.at.clone(),
        commit: info.id,
        date: info.date,
    };
    let r = report::build(&registry, at, repo.prefix(), today);
    let text = match args.format {
        ReportFormat::Markdown => render::markdown(&r),
        ReportFormat::Html => render::html(&r),
        ReportFormat::Csv => render::csv(&r)?,
        ReportFormat::Json => render::json(&r)?,
    };
    print(&text)?;
    Ok(EXIT_OK)
}
