//! `A..B` and `REV..worktree` comparisons of a repository's registry: both sides loaded
//! from git (or the work tree), diffed, each change attributed to its commits, and the
//! four-eyes and weakening findings raised: a [`DiffReport`] ready to render.

use std::path::Path;

use anyhow::bail;

use super::render::{DiffReport, Side};
use super::{provenance, self_approvals, unverified_commits, weakenings, Model};
use crate::history::{self, signature, Repo};

/// Split `A..B` (`A..` = A..HEAD). `...` is refused: it means something else in git.
pub fn split_range(spec: &str) -> anyhow::Result<(String, String)> {
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

/// The registry at `rev` compared with the work tree (`rev` defaults to HEAD). Committed
/// changes between `rev` and HEAD get their commits; the rest is uncommitted.
/// `allowed_signers`: a file given with `--allowed-signers` (see [`signature::load`]).
pub fn against_worktree(
    repo: &Repo,
    rev: Option<&str>,
    allowed_signers: Option<&Path>,
) -> anyhow::Result<DiffReport> {
    let rev = rev.unwrap_or("HEAD");
    if rev.contains("..") {
        bail!("with --worktree give one revision (default HEAD), not a range");
    }
    let a = repo.resolve(rev)?;
    let what = format!("side A ({rev}, {})", history::short(a));
    let ra = history::load(repo.sources_at(a)?, &what)?;
    let rb = history::load(repo.worktree_sources()?, "side B (the work tree)")?;
    let head = repo.resolve("HEAD")?;
    let side_a = Side {
        rev: rev.to_string(),
        commit: Some(a.to_string()),
    };
    let side_b = Side {
        rev: "worktree".into(),
        commit: None,
    };
    report(
        repo,
        (&ra, side_a),
        (&rb, side_b),
        (a, head),
        allowed_signers,
    )
}

/// The registry at the two ends of `A..B`. `allowed_signers`: a file given with
/// `--allowed-signers` (see [`signature::load`]).
pub fn range(
    repo: &Repo,
    spec: &str,
    allowed_signers: Option<&Path>,
) -> anyhow::Result<DiffReport> {
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
    let side_a = Side {
        rev: ra_name,
        commit: Some(a.to_string()),
    };
    let side_b = Side {
        rev: rb_name,
        commit: Some(b.to_string()),
    };
    report(
        repo,
        (&reg_a, side_a),
        (&reg_b, side_b),
        (a, b),
        allowed_signers,
    )
}

/// Diff two loaded registries; `walk` is the commit range whose history attributes the
/// changes (read only when something changed).
///
/// Commit signatures are judged against the allowed signers of the **base** side A (its
/// `[policy] allowed_signers` and that file, both read at A), never B's: B is what a pull
/// request proposes, and a pull request must not be able to add its own key and then
/// verify itself. `require_signed` holds when either side sets it (a pull request that
/// turns it off is still judged by it, and is a `diff/policy-weakened` finding too).
fn report(
    repo: &Repo,
    (ra, side_a): (&crate::registry::Registry, Side),
    (rb, side_b): (&crate::registry::Registry, Side),
    walk: (git2::Oid, git2::Oid),
    allowed_signers: Option<&Path>,
) -> anyhow::Result<DiffReport> {
    let (from, to) = walk;
    let base = format!(
        "the base revision {} ({})",
        side_a.rev,
        history::short(from)
    );
    repo.use_signers(signature::load(
        repo,
        from,
        &base,
        &ra.policy,
        allowed_signers,
    )?);
    let (ma, mb) = (Model::from_registry(ra), Model::from_registry(rb));
    let mut changes = super::diff(&ma, &mb);
    let mut notes = Vec::new();
    if !changes.is_empty() {
        let hist = provenance::history(repo, Some(from), to)?;
        provenance::attribute(&mut changes, &hist);
        notes = provenance::notes(&hist);
    }
    let mut findings = self_approvals(&changes, &mb);
    findings.extend(weakenings(&changes, &ma, &mb));
    if ra.policy.require_signed || rb.policy.require_signed {
        findings.extend(unverified_commits(&changes));
    }
    // Exceptions come from side A, the trusted base: a change cannot accept its own
    // findings (adding an exception is itself a `diff/policy-weakened` finding).
    let today = crate::today_utc();
    crate::registry::exceptions::apply(ra, today, &mut findings, &[crate::rules::Family::Diff]);
    Ok(DiffReport::new(side_a, side_b, repo.prefix().to_string(), changes, findings).notes(notes))
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
