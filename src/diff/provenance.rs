//! Provenance: which commits made each change. The git side ([`crate::history`]) yields
//! the files each commit touched; here they become semantic changes ([`super::diff`]) and
//! each change of an `A..B` diff is attributed to the commits that made it.
//!
//! A commit whose registry does not load (a file that does not parse) is not an event:
//! the walk keeps the last version of each broken file that parsed, so the broken commit
//! changes nothing in that file and the commit that fixes it (or removes it) is compared
//! with that last loadable version. The changes across the gap are credited to every
//! commit that touched the file in between, and a [`Note`] names each broken commit.
//! The work per commit stays proportional to the files it changed.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use git2::Oid;
use serde::Serialize;

use super::{Change, Kind, Model, Snapshot, Subject};
use crate::history::{CommitInfo, Repo};

/// What one commit did to the registry.
pub struct CommitChanges {
    pub commit: CommitInfo,
    pub changes: Vec<Change>,
    /// Files of this commit that do not load (the commit made no event in them).
    pub notes: Vec<Note>,
}

/// A commit in the walk whose registry does not load: which file, where it first fails,
/// and which later commit made the file load again (or removed it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// `unloadable-commit`: the file does not parse at this commit; `unknown-base`: the
    /// commit changed a file whose previous version does not parse and whose last
    /// loadable version is not in the history read, so its changes to that file are not
    /// known.
    pub kind: &'static str,
    /// Full commit id and its seven-digit short form.
    pub commit: String,
    pub short: String,
    /// Path relative to the registry folder.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub error: String,
    /// Short id of the commit after which the file loads again (fixed or removed); `None`
    /// when that is not in the history read.
    pub fixed_by: Option<String>,
}

impl Note {
    /// One line for the table and Markdown.
    pub fn message(&self) -> String {
        let at = format!("{}:{}:{}", self.file, self.line, self.column);
        match self.kind {
            "unknown-base" => format!(
                "note: commit {} changed {}, whose previous version does not load ({at}: {}) and whose last loadable version is not in the history read: its changes to that file are not attributed",
                self.short, self.file, self.error
            ),
            _ => format!(
                "note: the registry does not load at commit {} ({at}: {}); no event is recorded for it: changes to {} are computed from its last loadable version to {}, and credited to the commits in between",
                self.short,
                self.error,
                self.file,
                match &self.fixed_by {
                    Some(f) => format!("commit {f} (where it loads again)"),
                    None => "the next version that loads (none in the history read)".to_string(),
                }
            ),
        }
    }
}

/// A broken version of a file: the last version that parsed before it (`None`: the file
/// did not exist), the commits that touched the file since, and where their notes are.
struct Broken {
    last_good: Option<Model>,
    commits: Vec<CommitInfo>,
    /// (index into the output, index into its notes) of each note of this gap.
    notes: Vec<(usize, usize)>,
}

/// Scope name -> sensitivity, per `scopes/` tree id.
type Sensitivities = Rc<BTreeMap<String, String>>;

/// The walk's memory: broken file versions (by path and blob id, so branches that share
/// a broken version share its last loadable one) and scope sensitivities per `scopes/`
/// tree.
#[derive(Default)]
struct Walk {
    broken: HashMap<(String, Oid), Broken>,
    sensitivities: HashMap<Oid, Sensitivities>,
}

/// What every commit between `from` and `to` changed, oldest first (commits that did
/// not touch the registry are left out; a commit whose registry does not load is kept,
/// with its notes, even when it changed nothing).
pub fn history(repo: &Repo, from: Option<Oid>, to: Oid) -> anyhow::Result<Vec<CommitChanges>> {
    let mut w = Walk::default();
    let mut out: Vec<CommitChanges> = Vec::new();
    for id in repo.walk(from, to)? {
        if let Some(per_parent) = repo.merge_blobs(id)? {
            if let Some(cc) = merge_changes(repo, &mut w, id, per_parent)? {
                out.push(cc);
            }
            continue;
        }
        let Some(files) = repo.changed_blobs(id)? else {
            continue;
        };
        if files.is_empty() {
            continue;
        }
        let info = repo.commit_info(id)?;
        let index = out.len();
        let mut notes: Vec<Note> = Vec::new();
        let mut gap_notes: Vec<(usize, usize)> = Vec::new();
        let (mut ma, mut mb) = (Model::default(), Model::default());
        // Files fixed (or removed) by this commit after a broken stretch: their models on
        // both sides, and the commits of the stretch.
        let mut fixed: Vec<(Option<Model>, Option<Model>, Vec<CommitInfo>)> = Vec::new();
        for f in files {
            let mut gap: Vec<CommitInfo> = Vec::new();
            let mut gap_at: Vec<(usize, usize)> = Vec::new();
            let old: Option<Model> = match &f.old {
                None => None,
                Some(v) => match w.broken.get(&(f.path.clone(), v.id)) {
                    Some(b) => {
                        gap = b.commits.clone();
                        gap_at = b.notes.clone();
                        b.last_good.clone()
                    }
                    None => match Model::of_file(&f.path, &v.bytes) {
                        Ok(m) => Some(m),
                        Err(e) => {
                            notes.push(note("unknown-base", &info, &f.path, e));
                            continue;
                        }
                    },
                },
            };
            let new: Option<Model> = match &f.new {
                None => None,
                Some(v) => match Model::of_file(&f.path, &v.bytes) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        // Still (or newly) broken: nothing changes in this file here.
                        notes.push(note("unloadable-commit", &info, &f.path, e));
                        let mut commits = gap;
                        commits.push(info.clone());
                        let mut at = gap_at;
                        at.push((index, notes.len() - 1));
                        w.broken.insert(
                            (f.path.clone(), v.id),
                            Broken {
                                last_good: old,
                                commits,
                                notes: at,
                            },
                        );
                        continue;
                    }
                },
            };
            if !gap.is_empty() {
                gap_notes.extend(gap_at);
                let mut commits = gap;
                commits.push(info.clone());
                fixed.push((old.clone(), new.clone(), commits));
            }
            if let Some(m) = old {
                ma.absorb(m);
            }
            if let Some(m) = new {
                mb.absorb(m);
            }
        }
        let mut changes = super::diff(&ma, &mb);
        for c in &mut changes {
            for (o, n, commits) in &fixed {
                let holds = |m: &Option<Model>| m.as_ref().is_some_and(|m| holds(m, &c.subject));
                if holds(o) || holds(n) {
                    // Made somewhere across the broken stretch: every commit of it.
                    for k in commits {
                        if !c.commits.iter().any(|x| x.id == k.id) {
                            c.commits.push(k.clone());
                        }
                    }
                }
            }
        }
        fill_sensitivity(repo, &mut w, id, &mut changes)?;
        for (i, j) in gap_notes {
            let short = info.short.clone();
            if let Some(n) = out.get_mut(i).and_then(|cc| cc.notes.get_mut(j)) {
                n.fixed_by = Some(short);
            }
        }
        if !changes.is_empty() || !notes.is_empty() {
            out.push(CommitChanges {
                commit: info,
                changes,
                notes,
            });
        }
    }
    Ok(out)
}

/// What a merge commit changed itself ([`Repo::merge_blobs`]): the changes it shows
/// against every one of its parents (an edit made while resolving the merge, or content
/// no side had), not those one side brought. A file that does not load at the merge is a
/// note, as for any commit.
fn merge_changes(
    repo: &Repo,
    w: &mut Walk,
    id: Oid,
    per_parent: Vec<Vec<crate::history::ChangedFile>>,
) -> anyhow::Result<Option<CommitChanges>> {
    if per_parent.first().is_none_or(|f| f.is_empty()) {
        return Ok(None);
    }
    let info = repo.commit_info(id)?;
    let mut notes: Vec<Note> = Vec::new();
    let mut sets: Vec<Vec<Change>> = Vec::new();
    for (i, files) in per_parent.into_iter().enumerate() {
        let (mut ma, mut mb) = (Model::default(), Model::default());
        for f in files {
            let parse = |v: &Option<crate::history::BlobVersion>| {
                v.as_ref()
                    .map(|v| Model::of_file(&f.path, &v.bytes))
                    .transpose()
            };
            match (parse(&f.old), parse(&f.new)) {
                (Ok(old), Ok(new)) => {
                    if let Some(m) = old {
                        ma.absorb(m);
                    }
                    if let Some(m) = new {
                        mb.absorb(m);
                    }
                }
                (_, Err(e)) if i == 0 => notes.push(note("unloadable-commit", &info, &f.path, e)),
                // A side whose version does not load: compared with the others only.
                _ => {}
            }
        }
        sets.push(super::diff(&ma, &mb));
    }
    // A change against the first parent is the merge's own when every other parent's
    // diff changes the same subject too: the same field, or the subject's existence on
    // either side. A change only one side made shows against the other parents alone.
    let touched = |set: &[Change], c: &Change| {
        set.iter().any(|o| {
            o.subject == c.subject
                && (c.kind.is_existence() || o.kind.is_existence() || o.field == c.field)
        })
    };
    let (first, others) = match sets.split_first() {
        Some((first, others)) => (first, others),
        None => return Ok(None),
    };
    let mut changes: Vec<Change> = Vec::new();
    for c in first {
        if !others.iter().all(|set| touched(set, c)) {
            continue;
        }
        // A subject one side added and the merge then edited is `grant-added` against the
        // other parent: what the merge did is the edit, as that side's diff shows it.
        let edit: Option<Vec<Change>> = c
            .kind
            .is_existence()
            .then(|| {
                others
                    .iter()
                    .map(|set| {
                        set.iter()
                            .filter(|o| o.subject == c.subject && !o.kind.is_existence())
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                    .find(|edits| !edits.is_empty())
            })
            .flatten();
        match edit {
            Some(edits) => changes.extend(edits),
            None => changes.push(c.clone()),
        }
    }
    fill_sensitivity(repo, w, id, &mut changes)?;
    Ok(
        (!changes.is_empty() || !notes.is_empty()).then_some(CommitChanges {
            commit: info,
            changes,
            notes,
        }),
    )
}

fn note(kind: &'static str, c: &CommitInfo, file: &str, e: super::FileError) -> Note {
    Note {
        kind,
        commit: c.id.clone(),
        short: c.short.clone(),
        file: file.to_string(),
        line: e.line,
        column: e.column,
        error: e.message,
        fixed_by: None,
    }
}

/// Does a one-file model hold the subject?
fn holds(m: &Model, s: &Subject) -> bool {
    match s {
        Subject::Policy => m.policy.is_some() || m.teams.is_some(),
        Subject::Scope { scope } => m.scopes.contains_key(scope),
        Subject::Client { client } | Subject::Grant { client, .. } => {
            m.clients.contains_key(client)
        }
        // One commit's model holds no APIs (see `Model::of_file`).
        Subject::Api { .. } | Subject::Operation { .. } => false,
        Subject::Review { review } => m.reviews.contains_key(review),
    }
}

/// One commit's models hold only the files it changed, so a grant added or revoked there
/// rarely has its scope's definition: read the scopes at the commit (added) or at its
/// parent (revoked), once per distinct `scopes/` tree.
fn fill_sensitivity(
    repo: &Repo,
    w: &mut Walk,
    id: Oid,
    changes: &mut [Change],
) -> anyhow::Result<()> {
    for c in changes.iter_mut() {
        let (snap, at) = match (&mut c.after, &mut c.before) {
            (Some(Snapshot::Grant(g)), _) => (g, Some(id)),
            (None, Some(Snapshot::Grant(g))) => (g, repo.first_parent(id)?),
            _ => continue,
        };
        if snap.sensitivity.is_some() {
            continue;
        }
        let Some(at) = at else { continue };
        let Some(tree) = repo.scopes_tree(at)? else {
            continue;
        };
        let map = match w.sensitivities.get(&tree) {
            Some(m) => m.clone(),
            None => {
                let mut map = BTreeMap::new();
                for src in repo.scope_sources(tree)? {
                    let Ok(bytes) = &src.bytes else { continue };
                    if let Ok(m) = Model::of_file(&src.path, bytes) {
                        for (k, d) in m.scopes {
                            map.insert(k, d.sensitivity.get().to_string());
                        }
                    }
                }
                let map = Rc::new(map);
                w.sensitivities.insert(tree, map.clone());
                map
            }
        };
        snap.sensitivity = map.get(&snap.scope).cloned();
        if let Some(s) = c.after.as_ref().or(c.before.as_ref()) {
            let line = s.summary();
            if c.after.is_some() {
                c.new = Some(line);
            } else {
                c.old = Some(line);
            }
        }
    }
    Ok(())
}

/// Every note of a walk, oldest commit first.
pub fn notes(history: &[CommitChanges]) -> Vec<Note> {
    history.iter().flat_map(|cc| cc.notes.clone()).collect()
}

/// Attach to each change the commits (from `history`) that made it: for a subject that
/// was added, removed or renamed, every commit that touched it; for a field change, the
/// commits that changed that same field or added/removed the subject. A change computed
/// across a commit whose registry does not load carries the commits of that stretch
/// (in its own `commits`), and they are credited too.
pub fn attribute(changes: &mut [Change], history: &[CommitChanges]) {
    let position: HashMap<&str, usize> = history
        .iter()
        .enumerate()
        .map(|(i, cc)| (cc.commit.id.as_str(), i))
        .collect();
    // subject -> [(commit indices, field or None for existence changes)]
    type Touches<'a> = Vec<(Vec<usize>, Option<&'a str>)>;
    let mut touched: BTreeMap<&Subject, Touches> = BTreeMap::new();
    let mut renames: Vec<(Vec<usize>, String, String)> = Vec::new();
    for (i, cc) in history.iter().enumerate() {
        for c in &cc.changes {
            let field = if c.kind.is_existence() {
                None
            } else {
                c.field.as_deref()
            };
            let mut by: Vec<usize> = c
                .commits
                .iter()
                .filter_map(|k| position.get(k.id.as_str()).copied())
                .collect();
            by.push(i);
            touched
                .entry(&c.subject)
                .or_default()
                .push((by.clone(), field));
            if c.kind == Kind::ScopeRenamed {
                if let (Some(o), Some(n)) = (&c.old, &c.new) {
                    renames.push((by, o.clone(), n.clone()));
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
                for (by, f) in list {
                    // A field a commit changed inside the one changed end to end (a
                    // review entry added and then decided: `entries[c/s].decision`
                    // inside `entries[c/s]`) counts too.
                    let inside = |f: &str, whole: &str| {
                        f.strip_prefix(whole)
                            .is_some_and(|rest| rest.starts_with('.'))
                    };
                    let relevant = change.kind.is_existence()
                        || f.is_none()
                        || *f == change.field.as_deref()
                        || f.zip(change.field.as_deref())
                            .is_some_and(|(f, whole)| inside(f, whole));
                    if relevant {
                        hits.extend(by);
                    }
                }
            }
            if let Subject::Scope { scope } = s {
                for (by, o, n) in &renames {
                    if o == scope || n == scope {
                        hits.extend(by);
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
