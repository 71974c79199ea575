//! `scopectl report [--at REV]`: access-review evidence at a revision.

use super::{print, EXIT_OK};
use crate::cli::{ReportArgs, ReportFormat};
use scopectl::diff::{self, Model, Subject};
use scopectl::finding::Finding;
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
    let findings = if args.no_history {
        None
    } else {
        Some(four_eyes(&repo, id, &registry)?)
    };
    let r = report::build(&registry, at, repo.prefix(), today, findings);
    let text = match args.format {
        ReportFormat::Markdown => render::markdown(&r),
        ReportFormat::Html => render::html(&r),
        ReportFormat::Csv => render::csv(&r)?,
        ReportFormat::Json => render::json(&r)?,
    };
    print(&text)?;
    Ok(EXIT_OK)
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
