//! `scopectl report [--at REV]`: access-review evidence at a revision.

use super::out::Out;
use crate::cli::{ReportArgs, ReportFormat};
use scopectl::finding::Outcome;
use scopectl::history::{self, signature};
use scopectl::report::{self, render, At};

pub fn run(args: ReportArgs, out: &Out) -> anyhow::Result<Outcome> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let (repo, history) = super::open_repo(&args.repo, out)?;
    let id = repo.resolve(&args.at)?;
    let registry =
        history::apis::load_at(&repo, id, &format!("{} ({})", args.at, history::short(id)))?;
    // `--env`: `report::build` reports what is in the environment; the history is read
    // for the whole registry (its findings name grants as the files do).
    if let Some(env) = &args.env {
        registry.check_environment(env)?;
    }
    let info = repo.commit_info(id)?;
    let at = At {
        rev: args.at.clone(),
        commit: info.id,
        date: info.date,
    };
    let findings = if args.no_history {
        None
    } else {
        // Signatures are judged against the allowed signers at the revision itself (or
        // the file given with --allowed-signers).
        let label = format!("revision {} ({})", args.at, history::short(id));
        let file = args.repo.allowed_signers.as_deref();
        repo.use_signers(signature::load(&repo, id, &label, &registry.policy, file)?);
        Some(report::history_findings(&repo, id, &registry)?)
    };
    let frameworks: Vec<_> = args.frameworks.iter().map(|f| f.mapping()).collect();
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let generated_at = report::document::generated_at(epoch.as_deref())?;
    let snapshot = match &args.usage {
        Some(file) => Some(scopectl::usage::Snapshot::read(file)?),
        None => None,
    };
    let usage = snapshot.as_ref().map(|snapshot| report::usage::UsageInput {
        snapshot,
        window: args.usage_window.as_ref().map(super::usage::duration),
    });
    let mut r = report::build(
        &registry,
        args.env.as_deref(),
        at,
        repo.prefix(),
        today,
        generated_at,
        findings,
        &history,
        &frameworks,
        usage,
    );
    if !args.no_history {
        report::reviews::find_closing_commits(&repo, id, &mut r.reviews)?;
    }
    match args.format {
        ReportFormat::Markdown => out.text(&render::markdown(&r))?,
        ReportFormat::Html => out.text(&render::html(&r))?,
        ReportFormat::Csv => out.text(&render::csv(&r)?)?,
        ReportFormat::Json => out.json(&render::json(&r)?)?,
    }
    Ok(Outcome::Clean)
}
