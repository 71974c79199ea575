//! What is being committed: the registry as the git index holds it (`lint --staged`), and
//! which subjects (scopes, clients, grants, the policy) a commit or a range touches, so a
//! pre-commit hook or a pull-request check judges only what it changes.
//!
//! The index is read like a tree: its entries under the registry folder, their blobs from
//! the object database. Nothing in the work tree is read, so a staged bad file with a good
//! one restored unstaged is still caught. During `git commit -a` or `git commit FILE`, git
//! points hooks at a temporary index with `GIT_INDEX_FILE`; that one is read then.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use git2::{ObjectType, Oid};

use super::Repo;
use crate::finding::{Finding, Subject};
use crate::registry::{
    Loaded, Registry, Source, CLIENTS_DIR, POLICY_FILE, REGISTRY_DIRS, SCOPES_DIR,
};
use crate::rules::Rule;

/// Git's file modes in the index.
const MODE_SYMLINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;

impl Repo {
    /// The index git would commit (what `git commit` would record).
    fn index(&self) -> anyhow::Result<git2::Index> {
        Ok(match std::env::var_os("GIT_INDEX_FILE") {
            Some(file) => {
                let mut path = PathBuf::from(file);
                if path.is_relative() {
                    // git runs hooks at the top of the work tree and gives paths from there.
                    if let Some(workdir) = self.repo.workdir() {
                        path = workdir.join(path);
                    }
                }
                git2::Index::open(&path)
                    .with_context(|| format!("cannot read the index {}", path.display()))?
            }
            None => self
                .repo
                .index()
                .map_err(|e| anyhow!("cannot read the git index ({})", e.message()))?,
        })
    }

    /// The registry files staged in the index (`GIT_INDEX_FILE` when git sets it, as in a
    /// pre-commit hook), as the loader takes them.
    pub fn index_sources(&self) -> anyhow::Result<Vec<Source>> {
        let index = self.index()?;
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut out = Vec::new();
        let mut conflicted = BTreeSet::new();
        for entry in index.iter() {
            let full = String::from_utf8_lossy(&entry.path).into_owned();
            let Some(rel) = full.strip_prefix(&prefix) else {
                continue;
            };
            let top = rel.split('/').next().unwrap_or("");
            let registry_file =
                rel == POLICY_FILE || (rel.contains('/') && REGISTRY_DIRS.contains(&top));
            if !registry_file {
                continue;
            }
            if let Some(hidden) = crate::registry::source::hidden_part(rel, false) {
                // Reported (`load/ignored-file`), never read.
                out.extend(hidden);
                continue;
            }
            let stage = (entry.flags >> 12) & 3;
            if stage != 0 {
                if conflicted.insert(rel.to_string()) {
                    out.push(Source {
                        path: rel.to_string(),
                        bytes: Err("has an unresolved merge conflict in the index; not read".into()),
                    });
                }
                continue;
            }
            if entry.mode == MODE_GITLINK {
                continue;
            }
            let source = if entry.mode == MODE_SYMLINK {
                Source {
                    path: rel.to_string(),
                    bytes: Err("is a symlink; not read".into()),
                }
            } else if rel.ends_with(".toml") {
                Source {
                    path: rel.to_string(),
                    bytes: self.read_blob(entry.id, rel).map_err(|e| e.to_string()),
                }
            } else {
                Source {
                    path: rel.to_string(),
                    bytes: Ok(Vec::new()),
                }
            };
            out.push(source);
        }
        if out.is_empty() {
            anyhow::bail!(
                "the index holds no registry files under `{}` (nothing staged: no scopectl.toml, scopes/ or clients/)",
                if self.prefix.is_empty() { "." } else { &self.prefix }
            );
        }
        Ok(out)
    }

    /// The registry files at HEAD; none when there is no commit yet or no registry at HEAD.
    pub fn head_sources(&self) -> anyhow::Result<Vec<Source>> {
        let head = match self.repo.head().ok().and_then(|h| h.target()) {
            Some(id) => id,
            None => return Ok(Vec::new()),
        };
        self.sources_or_none(head)
    }

    /// The registry files at a commit; none when the registry folder is not there.
    pub fn sources_or_none(&self, commit: Oid) -> anyhow::Result<Vec<Source>> {
        match self.registry_tree(commit)? {
            Some(tree)
                if tree.get_name(POLICY_FILE).is_some()
                    || [SCOPES_DIR, CLIENTS_DIR].iter().any(|d| {
                        tree.get_name(d)
                            .is_some_and(|e| e.kind() == Some(ObjectType::Tree))
                    }) =>
            {
                self.sources_at(commit)
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// The subjects that differ between two registries: scopes whose definition changed, was
/// added or removed; clients whose `[client]` table or grants changed; the policy file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// `scopectl.toml` changed: every finding may have changed, so every subject counts.
    pub policy: bool,
    pub scopes: BTreeSet<String>,
    pub clients: BTreeSet<String>,
}

impl Touched {
    /// What changed from `old` to `new`, by meaning (a reformatted file touches nothing).
    pub fn between(old: &Registry, new: &Registry) -> Touched {
        let policy_of = |r: &Registry| {
            r.policy_file
                .as_ref()
                .and_then(|(_, p)| serde_json::to_value(p).ok())
        };
        let mut scopes = BTreeSet::new();
        for name in old.scopes.keys().chain(new.scopes.keys()) {
            let def = |r: &Registry| r.scopes.get(name).map(|s| s.def.clone());
            if def(old) != def(new) {
                scopes.insert(name.clone());
            }
        }
        let mut clients = BTreeSet::new();
        for id in old.clients.keys().chain(new.clients.keys()) {
            let def = |r: &Registry| {
                r.clients.get(id).map(|c| {
                    let grants: Vec<_> = c.grants.iter().map(|g| g.def.clone()).collect();
                    (c.def.clone(), grants)
                })
            };
            if def(old) != def(new) {
                clients.insert(id.clone());
            }
        }
        Touched {
            policy: policy_of(old) != policy_of(new),
            scopes,
            clients,
        }
    }

    /// Is a finding about this subject one the change is responsible for? Findings with no
    /// subject (load problems) always are; a grant is touched when its client or its scope
    /// is; everything is when the policy changed.
    pub fn covers(&self, subject: Option<&Subject>) -> bool {
        if self.policy {
            return true;
        }
        match subject {
            None => true,
            Some(Subject::Policy) => false,
            Some(Subject::Scope { scope }) => self.scopes.contains(scope),
            Some(Subject::Client { client }) => self.clients.contains(client),
            Some(Subject::Grant { client, scope, .. }) => {
                self.clients.contains(client) || self.scopes.contains(scope)
            }
            // Only `diff` speaks of APIs and operations; kept rather than guessed away.
            Some(Subject::Api { .. } | Subject::Operation { .. } | Subject::Review { .. }) => true,
        }
    }
}

/// The rules whose findings depend on the date rather than on a change: a pre-commit hook
/// reports them only for what the commit touches.
pub const TIME_RULES: &[Rule] = &[Rule::GrantExpired, Rule::GrantExpiring];

/// Keep the findings `touched` covers; with `only`, filter only findings of those rules
/// and keep every other finding. Returns how many were left out.
pub fn retain_touched(
    findings: &mut Vec<Finding>,
    touched: &Touched,
    only: Option<&[Rule]>,
) -> usize {
    let before = findings.len();
    findings.retain(|f| {
        only.is_some_and(|rules| !rules.contains(&f.rule)) || touched.covers(f.subject.as_ref())
    });
    before - findings.len()
}

/// A registry loaded from sources, partial when it does not load (a comparison base only).
fn model(sources: Vec<Source>) -> Registry {
    Registry::load(sources).registry
}

/// `diff/review-rewritten` as a pre-commit hook (`lint --staged`) or a pull-request check
/// (`lint --changed-since REV`) can tell it: a campaign closed in `old` whose record `new`
/// changes or removes (`what` says which change). `diff` follows each commit; this compares
/// the two ends only.
pub fn closed_reviews_changed(old: &Registry, new: &Registry, what: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, was) in &old.reviews {
        let Some(on) = &was.def.review.closed_on else {
            continue;
        };
        let now = new.reviews.get(name);
        if now.is_some_and(|n| n.def == was.def) {
            continue;
        }
        let name = crate::text::clean(name);
        let done = if now.is_some() { "changed" } else { "removed" };
        let mut f = Finding::of(
            Rule::DiffReviewRewritten,
            format!(
                "review {name}, closed on {on}, is {done} by {what}: a closed campaign is access-review evidence, and `scopectl diff` fails on this change"
            ),
        )
        .about(Subject::Review {
            review: name.to_string(),
        })
        .help("leave closed campaigns as they are: start a new campaign (`scopectl review start`) for new decisions");
        if let Some((n, c)) = now.and_then(|n| Some((n, n.def.review.closed_on.as_ref()?))) {
            f = f.at(n.file, c.span(), "closed here");
        }
        out.push(f);
    }
    out
}

/// The registry `lint` checks (loaded once, from the index with `staged`, else the work
/// tree) and which findings a pre-commit or pull-request check keeps.
pub struct Scope {
    pub loaded: Loaded,
    /// Subjects changed in the index against HEAD (`staged`): time-based findings are
    /// kept only for these.
    pub staged: Option<Touched>,
    /// Subjects changed since a revision: every finding is kept only for these.
    pub since: Option<Touched>,
}

/// Reads OpenAPI files (named relative to the registry folder) as staged in the index:
/// the same limits as from a commit (inside the repository, no symbolic links, at most
/// [`crate::registry::apis::MAX_SPEC_BYTES`]).
struct IndexReader<'a> {
    repo: &'a Repo,
    index: git2::Index,
}

impl crate::registry::openapi::SpecReader for IndexReader<'_> {
    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        let path = self.repo.repo_path(rel)?;
        if self.index.get_path(Path::new(&path), 1).is_some() {
            return Err("has an unresolved merge conflict in the index; not read".into());
        }
        let entry = self
            .index
            .get_path(Path::new(&path), 0)
            .ok_or_else(|| "is not staged (not in the git index)".to_string())?;
        if entry.mode == MODE_SYMLINK || entry.mode == MODE_GITLINK {
            return Err("is a symbolic link or a submodule in the index; not read".into());
        }
        let limit = (crate::registry::apis::MAX_SPEC_BYTES, "OpenAPI files");
        self.repo
            .read_blob_max(entry.id, &path, limit)
            .map_err(|e| e.to_string())
    }
}

/// Read and load the registry at `path` from the index (`staged`) or the work tree, and
/// what it changes against HEAD (`staged`) and against `since`.
pub fn scope(path: &Path, staged: bool, since: Option<&str>) -> anyhow::Result<Scope> {
    if !staged && since.is_none() {
        return Ok(Scope {
            loaded: Registry::load_dir(path)?,
            staged: None,
            since: None,
        });
    }
    let repo = Repo::open(path, None)?;
    let sources = if staged {
        repo.index_sources()?
    } else {
        crate::registry::source::read_dir(path)?
    };
    let mut loaded = Registry::load(sources);
    // OpenAPI files as the commit would record them: from the index with `--staged`.
    if staged {
        let reader = IndexReader {
            repo: &repo,
            index: repo.index()?,
        };
        crate::registry::apis::resolve(&mut loaded, &reader);
    } else {
        crate::registry::apis::resolve_dir(&mut loaded, path);
    }
    let current = &loaded.registry;
    let mut rewritten = Vec::new();
    let staged_touched = if staged {
        let head = model(repo.head_sources()?);
        rewritten.extend(closed_reviews_changed(&head, current, "this commit"));
        Some(Touched::between(&head, current))
    } else {
        None
    };
    let since_touched = match since {
        Some(rev) => {
            let id = repo.resolve(rev)?;
            let base = model(repo.sources_or_none(id)?);
            let what = format!("the changes since {}", crate::text::clean(rev));
            for f in closed_reviews_changed(&base, current, &what) {
                if !rewritten.iter().any(|r: &Finding| r.subject == f.subject) {
                    rewritten.push(f);
                }
            }
            Some(Touched::between(&base, current))
        }
        None => None,
    };
    loaded.diagnostics.extend(rewritten);
    Ok(Scope {
        loaded,
        staged: staged_touched,
        since: since_touched,
    })
}

impl Scope {
    /// Drop the findings this check is not about; returns how many were left out.
    pub fn retain(&self, findings: &mut Vec<Finding>) -> usize {
        let mut dropped = 0;
        if let Some(t) = &self.staged {
            dropped += retain_touched(findings, t, Some(TIME_RULES));
        }
        if let Some(t) = &self.since {
            dropped += retain_touched(findings, t, None);
        }
        dropped
    }
}
