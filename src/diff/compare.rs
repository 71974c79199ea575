//! `A..B` and `REV..worktree` comparisons of a repository's registry: both sides loaded
//! from git (or the work tree), diffed, each change attributed to its commits, and the
//! four-eyes and weakening findings raised: a [`DiffReport`] ready to render.

use std::path::Path;

use anyhow::bail;
use chrono::NaiveDate;

use super::render::{ApiNotCompared, DiffReport, Side};
use super::{provenance, self_approvals, unverified_commits, weakenings, Model, Subject};
use crate::history::{self, signature, Repo};
use crate::registry::Registry;

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
/// `allowed_signers`: a file given with `--allowed-signers` (see [`signature::load`]);
/// `today`: the date exceptions and grant expiry are judged on (see [`report`]).
pub fn against_worktree(
    repo: &Repo,
    rev: Option<&str>,
    allowed_signers: Option<&Path>,
    today: NaiveDate,
) -> anyhow::Result<DiffReport> {
    let rev = rev.unwrap_or("HEAD");
    if rev.contains("..") {
        bail!("with --worktree give one revision (default HEAD), not a range");
    }
    let a = repo.resolve(rev)?;
    let what = format!("side A ({rev}, {})", history::short(a));
    let ra = history::apis::load_at(repo, a, &what)?;
    let rb = history::apis::load_worktree(repo, "side B (the work tree)")?;
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
        today,
    )
}

/// The registry at the two ends of `A..B`. `allowed_signers`: a file given with
/// `--allowed-signers` (see [`signature::load`]); `today`: see [`report`].
pub fn range(
    repo: &Repo,
    spec: &str,
    allowed_signers: Option<&Path>,
    today: NaiveDate,
) -> anyhow::Result<DiffReport> {
    let (ra_name, rb_name) = split_range(spec)?;
    let a = repo.resolve(&ra_name)?;
    let b = repo.resolve(&rb_name)?;
    // Every error names the side (`side A (v1, 1a2b3c4)`), once.
    let side = |label: &str, name: &str, id| {
        let what = format!("side {label} ({name}, {})", history::short(id));
        history::apis::load_at(repo, id, &what)
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
        today,
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
///
/// `today` (`--today`, default today in UTC) is the date side A's exceptions expire on and
/// the date an API change's `affected_clients` are counted on: a grant expired then gives
/// no access to take away or to widen.
fn report(
    repo: &Repo,
    (ra, side_a): (&Registry, Side),
    (rb, side_b): (&Registry, Side),
    walk: (git2::Oid, git2::Oid),
    allowed_signers: Option<&Path>,
    today: NaiveDate,
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
    // An API change's `affected_clients` count the grants in force on `today`, the date
    // side A's exceptions are judged on below.
    let mut changes = super::diff_on(&ma, &mb, Some(today));
    let mut notes = Vec::new();
    let mut hist = Vec::new();
    if !changes.is_empty() {
        hist = provenance::history(repo, Some(from), to)?;
        provenance::attribute(&mut changes, &hist);
        notes = provenance::notes(&hist);
        attribute_apis(repo, &mut changes, (&ma, &mb), (from, to))?;
    }
    let not_compared = not_compared(ra, &side_a, rb, &side_b);
    let mut findings = self_approvals(&changes, &mb);
    findings.extend(weakenings(&changes, &ma, &mb));
    // Followed commit by commit: a campaign closed and then edited inside the range.
    findings.extend(super::reviews::rewrites(&changes, &ma, &hist));
    if ra.policy.require_signed || rb.policy.require_signed {
        findings.extend(unverified_commits(&changes));
    }
    // Exceptions come from side A, the trusted base: a change cannot accept its own
    // findings (adding an exception is itself a `diff/policy-weakened` finding).
    crate::registry::exceptions::apply(ra, today, &mut findings, &[crate::rules::Family::Diff]);
    Ok(
        DiffReport::new(side_a, side_b, repo.prefix().to_string(), changes, findings)
            .notes(notes)
            .apis_not_compared(not_compared),
    )
}

/// The APIs whose operations are not compared because their OpenAPI files could not be
/// read on a side (an API on one side only is shown as added or removed either way).
fn not_compared(ra: &Registry, side_a: &Side, rb: &Registry, side_b: &Side) -> Vec<ApiNotCompared> {
    let mut out = Vec::new();
    for (name, api) in &ra.apis {
        let Some(other) = rb.apis.get(name) else {
            continue;
        };
        for (side, label, a) in [(side_a, "from", api), (side_b, "to", other)] {
            if !a.resolved {
                out.push(ApiNotCompared {
                    api: name.clone(),
                    side: label,
                    rev: side.rev.clone(),
                    reasons: a.unread.clone(),
                });
            }
        }
    }
    out
}

/// Credit each API change with the commits of the walk that made it. An OpenAPI file may
/// live outside the registry folder, where the registry's history walk does not look, so
/// API changes have their own walk: the commits that changed one of the API's files (its
/// TOML file, its OpenAPI files and what they reference, on either side) are compared
/// with their parent, API by API, and a commit is credited with the changes of the same
/// subject and field it made. A commit whose API cannot be read on one side (a broken
/// OpenAPI file) is credited with every change of that API, as across a registry that
/// does not load.
fn attribute_apis(
    repo: &Repo,
    changes: &mut [super::Change],
    (ma, mb): (&Model, &Model),
    (from, to): (git2::Oid, git2::Oid),
) -> anyhow::Result<()> {
    use std::collections::{BTreeMap, HashMap};
    let mut paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in changes.iter() {
        let (Subject::Api { api } | Subject::Operation { api, .. }) = &c.subject else {
            continue;
        };
        paths.entry(api.clone()).or_insert_with(|| {
            let files = ma.apis.get(api).into_iter().chain(mb.apis.get(api));
            let mut all: Vec<String> = files
                .flat_map(|m| m.files.iter())
                .filter_map(|f| repo.repo_path(f).ok())
                .collect();
            all.sort();
            all.dedup();
            all
        });
    }
    if paths.is_empty() {
        return Ok(());
    }
    let mut models: HashMap<git2::Oid, Model> = HashMap::new();
    let mut model_at = |id: Option<git2::Oid>| -> anyhow::Result<Model> {
        let Some(id) = id else {
            return Ok(Model::default());
        };
        if let Some(m) = models.get(&id) {
            return Ok(m.clone());
        }
        let m = Model {
            apis: super::apis::models(&history::apis::apis_at(repo, id)?),
            ..Model::default()
        };
        models.insert(id, m.clone());
        Ok(m)
    };
    // subject -> (field, or None for an existence change; the commit's position)
    let mut made: BTreeMap<Subject, Vec<(Option<String>, usize)>> = BTreeMap::new();
    let mut unknown: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut infos: Vec<crate::history::CommitInfo> = Vec::new();
    for id in repo.walk(Some(from), to)? {
        let touching: Vec<&String> = paths
            .iter()
            .filter_map(|(api, files)| match repo.touched(id, files) {
                Ok(Some(true)) => Some(Ok(api)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<anyhow::Result<_>>()?;
        if touching.is_empty() {
            continue;
        }
        infos.push(repo.commit_info(id)?);
        let at = infos.len() - 1;
        let after = model_at(Some(id))?;
        let before = model_at(repo.first_parent(id)?)?;
        let mut here = Vec::new();
        super::apis::diff(&before, &after, None, &mut here);
        for api in touching {
            let unread = |m: &Model| m.apis.get(api).is_some_and(|a| !a.resolved);
            if unread(&before) || unread(&after) {
                unknown.entry(api.clone()).or_default().push(at);
            }
            for c in &here {
                let (Subject::Api { api: a } | Subject::Operation { api: a, .. }) = &c.subject
                else {
                    continue;
                };
                if a == api {
                    let field = (!c.kind.is_existence()).then(|| c.field.clone()).flatten();
                    made.entry(c.subject.clone()).or_default().push((field, at));
                }
            }
        }
    }
    for c in changes.iter_mut() {
        let (Subject::Api { api } | Subject::Operation { api, .. }) = &c.subject else {
            continue;
        };
        // As for the rest of the registry: an added or removed subject is credited to
        // every commit that touched it, a field change to those that changed that field
        // (or made the subject appear or disappear).
        let mut at: Vec<usize> = made
            .get(&c.subject)
            .into_iter()
            .flatten()
            .filter(|(f, _)| c.kind.is_existence() || f.is_none() || *f == c.field)
            .map(|(_, i)| *i)
            .chain(unknown.get(api).into_iter().flatten().copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        c.commits = at.into_iter().map(|i| infos[i].clone()).collect();
    }
    Ok(())
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
