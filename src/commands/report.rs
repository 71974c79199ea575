//! `scopectl report [--at REV]`: access-review evidence at a revision.

use super::out::Out;
use crate::cli::{ReportArgs, ReportFormat};
use scopectl::diff::{self, Model, Subject};
use scopectl::finding::{Finding, Outcome};
use scopectl::history::{self, Repo};
use scopectl::report::{self, render, At};

pub fn run(args: ReportArgs, out: &Out) -> anyhow::Result<Outcome> {
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let (repo, history) = super::open_repo(&args.repo, out)?;
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
    let findings = if args.no_history {
        None
    } else {
        Some(four_eyes(&repo, id, &registry)?)
    };
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let generated_at = report::document::generated_at(epoch.as_deref())?;
    let r = report::build(
        &registry,
        at,
        repo.prefix(),
        today,
        generated_at,
        findings,
        &history,
    );
    match args.format {
        ReportFormat::Markdown => out.text(&render::markdown(&r))?,
        ReportFormat::Html => out.text(&render::html(&r))?,
        ReportFormat::Csv => out.text(&render::csv(&r)?)?,
        ReportFormat::Json => out.json(&render::json(&r)?)?,
    }
    Ok(Outcome::Clean)
}

/// Commits up to `id` that added, extended or re-approved a grant that is still approved by
/// the commit's author.
fn four_eyes(
    repo: &Repo,
    id: git2::Oid,
    registry: &scopectl::registry::Registry,
) -> anyhow::Result<Vec<Finding>> {
    let model = Model::from_registry(registry);
    let mut changes = Vec::new();
    for cc in scopectl::diff::provenance::history(repo, None, id)? {
        for mut c in cc.changes {
            if matches!(c.subject, Subject::Grant { .. }) {
                c.commits = vec![cc.commit.clone()];
                changes.push(c);
            }
        }
    }
    Ok(diff::self_approvals(&changes, &model))
}
