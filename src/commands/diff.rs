//! `scopectl diff A..B`: semantic changes between two revisions, with provenance.

use std::io::IsTerminal;

use anyhow::bail;

use super::{print, EXIT_OK};
use crate::cli::{DiffArgs, DiffFormat};
use scopectl::diff::render::{self, DiffReport, Side};
use scopectl::diff::{self, provenance, Model};
use scopectl::history::{self, Repo};

/// Exit code: a breaking change is present, or the policy was weakened.
pub const EXIT_BREAKING: u8 = 3;

/// Split `A..B` (`A..` = A..HEAD). `...` is refused: it means something else in git.
fn split_range(spec: &str) -> anyhow::Result<(String, String)> {
    if spec.contains("...") {
        bail!("`{spec}`: symmetric ranges (A...B) are not supported; write A..B");
    }
    let Some((a, b)) = spec.split_once("..") else {
        bail!("`{spec}` is not a range: write A..B (or A.. for A to HEAD, or use --worktree)");
    };
    if a.is_empty() {
        bail!("`{spec}`: the range needs a start revision (A..B)");
    }
    let b = if b.is_empty() { "HEAD" } else { b };
    Ok((a.to_string(), b.to_string()))
}

pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let repo = Repo::open(&args.repo.registry, args.repo.subdir.as_deref())?;
    let report = if args.worktree {
        let rev = args.range.clone().unwrap_or_else(|| "HEAD".into());
        if rev.contains("..") {
            bail!("with --worktree give one revision (default HEAD), not a range");
        }
        let a = repo.resolve(&rev)?;
        let ra = history::load(
            repo.sources_at(a)?,
            &format!("side A ({rev}, {})", history::short(a)),
        )?;
        let rb = history::load(repo.worktree_sources()?, "side B (the work tree)")?;
        let (ma, mb) = (Model::from_registry(&ra), Model::from_registry(&rb));
        let mut changes = diff::diff(&ma, &mb);
        // Committed changes between A and HEAD get their commits; the rest is uncommitted.
        let head = repo.resolve("HEAD")?;
        let hist = provenance::history(&repo, Some(a), head)?;
        provenance::attribute(&mut changes, &hist);
        let mut findings = diff::self_approvals(&changes, &mb);
        findings.extend(diff::policy_weakenings(&changes));
        DiffReport::new(
            Side {
                rev,
                commit: Some(a.to_string()),
            },
            Side {
                rev: "worktree".into(),
                commit: None,
            },
            repo.prefix().to_string(),
            changes,
            findings,
        )
    } else {
        let Some(spec) = &args.range else {
            bail!("give a range A..B, or --worktree");
        };
        let (ra_name, rb_name) = split_range(spec)?;
        let a = repo.resolve(&ra_name)?;
        let b = repo.resolve(&rb_name)?;
        let side = |label: &str, name: &str, id| {
            let what = format!("side {label} ({name}, {})", history::short(id));
            let sources = repo.sources_at(id).map_err(|e| e.context(what.clone()))?;
            history::load(sources, &what)
        };
        let reg_a = side("A", &ra_name, a)?;
        let reg_b = side("B", &rb_name, b)?;
        let (ma, mb) = (Model::from_registry(&reg_a), Model::from_registry(&reg_b));
        let mut changes = diff::diff(&ma, &mb);
        if !changes.is_empty() {
            let hist = provenance::history(&repo, Some(a), b)?;
            provenance::attribute(&mut changes, &hist);
        }
        let mut findings = diff::self_approvals(&changes, &mb);
        findings.extend(diff::policy_weakenings(&changes));
        DiffReport::new(
            Side {
                rev: ra_name,
                commit: Some(a.to_string()),
            },
            Side {
                rev: rb_name,
                commit: Some(b.to_string()),
            },
            repo.prefix().to_string(),
            changes,
            findings,
        )
    };
    let text = match args.format {
        DiffFormat::Table => render::table(&report, std::io::stdout().is_terminal()),
        DiffFormat::Markdown => render::markdown(&report),
        DiffFormat::Json => render::json(&report),
    };
    print(&text)?;
    // A weakened policy needs the same review as a breaking change (docs/diff-report.md).
    Ok(if report.has_breaking() || report.has_policy_weakened() {
        EXIT_BREAKING
    } else {
        EXIT_OK
    })
}

#[cfg(test)]
mod tests {
    use super::split_range;

    #[test]
    fn ranges_split_and_default_to_head() {
        assert_eq!(split_range("v1..v2").unwrap(), ("v1".into(), "v2".into()));
        assert_eq!(split_range("v1..").unwrap(), ("v1".into(), "HEAD".into()));
        assert!(split_range("v1").is_err());
        assert!(split_range("..v2").is_err());
        assert!(split_range("a...b").is_err());
    }
}
