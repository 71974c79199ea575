//! Provenance: which commits made each change. The git side ([`crate::history`]) yields
//! the files each commit touched; here they become semantic changes ([`super::diff`]) and
//! each change of an `A..B` diff is attributed to the commits that made it.

use std::collections::BTreeMap;

use git2::Oid;

use super::{Change, Kind, Model};
use crate::history::{CommitInfo, Repo};

/// What one commit did to the registry.
pub struct CommitChanges {
    pub commit: CommitInfo,
    pub changes: Vec<Change>,
}

/// The semantic changes one commit made to the registry (against its first parent);
/// `None` for a merge commit (the commits it merges carry the changes).
pub fn commit_changes(repo: &Repo, id: Oid) -> anyhow::Result<Option<Vec<Change>>> {
    let Some((old_files, new_files)) = repo.changed_files(id)? else {
        return Ok(None);
    };
    if old_files.is_empty() && new_files.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let (ma, _) = Model::from_files(old_files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let (mb, _) = Model::from_files(new_files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    Ok(Some(super::diff(&ma, &mb)))
}

/// What every commit between `from` and `to` changed, oldest first (commits that did
/// not touch the registry are left out).
pub fn history(repo: &Repo, from: Option<Oid>, to: Oid) -> anyhow::Result<Vec<CommitChanges>> {
    let mut out = Vec::new();
    for id in repo.walk(from, to)? {
        if let Some(changes) = commit_changes(repo, id)? {
            if !changes.is_empty() {
                out.push(CommitChanges {
                    commit: repo.commit_info(id)?,
                    changes,
                });
            }
        }
    }
    Ok(out)
}

/// Attach to each change the commits (from `history`) that made it: for a subject that
/// was added, removed or renamed, every commit that touched it; for a field change, the
/// commits that changed that field or added/removed the subject.
pub fn attribute(changes: &mut [Change], history: &[CommitChanges]) {
    use super::Subject;
    // subject -> [(commit index, field or None for existence changes)]
    let mut touched: BTreeMap<&Subject, Vec<(usize, Option<&str>)>> = BTreeMap::new();
    let mut renames: Vec<(usize, String, String)> = Vec::new();
    for (i, cc) in history.iter().enumerate() {
        for c in &cc.changes {
            let field = if c.kind.is_existence() {
                None
            } else {
                c.field.as_deref()
            };
            touched.entry(&c.subject).or_default().push((i, field));
            if c.kind == Kind::ScopeRenamed {
                if let (Some(o), Some(n)) = (&c.old, &c.new) {
                    renames.push((i, o.clone(), n.clone()));
                }
            }
        }
    }
    for change in changes.iter_mut() {
        let mut hits: Vec<usize> = Vec::new();
        let mut subjects = vec![change.subject.clone()];
        if change.kind == Kind::ScopeRenamed {
            if let Some(o) = &change.old {
                subjects.push(Subject::Scope { scope: o.clone() });
            }
        }
        for s in &subjects {
            if let Some(list) = touched.get(s) {
                for (i, f) in list {
                    let relevant =
                        change.kind.is_existence() || f.is_none() || *f == change.field.as_deref();
                    if relevant {
                        hits.push(*i);
                    }
                }
            }
            if let Subject::Scope { scope } = s {
                for (i, o, n) in &renames {
                    if o == scope || n == scope {
                        hits.push(*i);
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        change.commits = hits
            .into_iter()
            .map(|i| history[i].commit.clone())
            .collect();
    }
}
