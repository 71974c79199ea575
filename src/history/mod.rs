//! Git history of a registry, read straight from git objects with git2: snapshots at a
//! revision, commit walks, commit metadata, and the files each commit changed. What those
//! changes mean (and which commit made which change) is [`crate::diff`]'s business.
//!
//! Nothing is checked out and git is never run: trees and blobs are read from the object
//! database, so bare repositories work, and a registry may live in a subfolder of a larger
//! repository (only that subtree is read).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use git2::{ObjectType, Oid, Repository, Sort, Tree};
use serde::Serialize;

use crate::registry::source::MAX_FILE_BYTES;
use crate::registry::{FileKind, Source, CLIENTS_DIR, POLICY_FILE, REGISTRY_DIRS, SCOPES_DIR};

pub mod apis;
mod loose;
pub mod signature;
pub mod staged;

/// Folders of a registry nested deeper than this are not read (a tree of 20,000 levels
/// would otherwise exhaust the stack of the walks below).
pub const MAX_TREE_DEPTH: usize = 64;

/// Who made a commit (its author, and its committer, who may be someone else), when, why,
/// and what its signature proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// Abbreviated id (7 hex digits).
    pub short: String,
    /// The author's name.
    pub author: String,
    /// The author's e-mail.
    pub email: String,
    /// Author date, RFC 3339 with the author's offset.
    pub date: String,
    /// First line of the commit message: the "why".
    pub subject: String,
    /// The commit carries a signature header (`gpgsig`), verified or not: see `signature`.
    pub signed: bool,
    /// The committer's name: who made the commit object (equal to the author unless the
    /// commit was made with `--author`, rebased, cherry-picked or applied from a patch).
    pub committer: String,
    pub committer_email: String,
    /// Committer date, RFC 3339 with the committer's offset.
    pub committer_date: String,
    /// What the signature proves: verified (by whom), not verified (why), unsigned.
    pub signature: signature::Signature,
}

impl CommitInfo {
    /// Are author and committer the same person (name and e-mail, compared as identities)?
    pub fn same_committer(&self) -> bool {
        let same = |a: &str, b: &str| a.trim() == b.trim() || crate::text::same_identity(a, b);
        same(&self.author, &self.committer) && same(&self.email, &self.committer_email)
    }

    /// `Bob <bob@example.com>`, or `Bob <bob@example.com>, committed by Carol
    /// <carol@example.com>` when the committer is someone else.
    pub fn who(&self) -> String {
        let author = format!("{} <{}>", self.author, self.email);
        if self.same_committer() {
            author
        } else {
            format!(
                "{author}, committed by {} <{}>",
                self.committer, self.committer_email
            )
        }
    }
}

/// Whether the repository holds the whole history, so that conclusions drawn from it
/// (who made a change, four-eyes) can be trusted. Serialised as
/// `{"complete": bool, "reason": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Completeness {
    pub complete: bool,
    /// Why not: "shallow clone (fetch with full history: `git fetch --unshallow`, or
    /// `fetch-depth: 0` in actions/checkout)", grafts, replace refs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One version of a file: its blob id and content (checked against the id).
#[derive(Debug, Clone)]
pub struct BlobVersion {
    pub id: Oid,
    pub bytes: Vec<u8>,
}

/// A registry file a commit changed: path relative to the registry, old and new version
/// (`None`: the file did not exist on that side).
#[derive(Debug, Clone)]
pub struct ChangedFile {
    pub path: String,
    pub old: Option<BlobVersion>,
    pub new: Option<BlobVersion>,
}

/// A repository and where the registry sits inside it.
pub struct Repo {
    repo: Repository,
    /// commit -> id of its registry subtree (`None`: no registry folder), filled by walks.
    subtrees: std::cell::RefCell<std::collections::HashMap<Oid, Option<Oid>>>,
    /// The registry folder relative to the repository root, `/`-separated, "" for the root.
    prefix: String,
    /// Commits at the cut of a shallow clone (`.git/shallow`), and grafted commits
    /// (`.git/info/grafts`): their parents are missing or not their own,
    /// so what they contain is not what they changed.
    cut: std::collections::HashSet<Oid>,
    /// The allowed signers commit signatures are judged against (`None`: none configured).
    signers: std::cell::RefCell<Option<std::rc::Rc<signature::AllowedSigners>>>,
}

impl Repo {
    /// Find the repository that holds `registry` (a work-tree folder, or a bare repository).
    /// `subdir` overrides the registry's path inside the repository (needed for bare ones).
    pub fn open(registry: &Path, subdir: Option<&str>) -> anyhow::Result<Repo> {
        if !registry.exists() {
            bail!("{} does not exist", registry.display());
        }
        // libgit2 would re-hash every object it reads; for trees that is most of the
        // provenance walk's time (2x slower, beyond the 3x-of-git target). Like git itself,
        // trees and commits are trusted; every blob whose content is parsed is re-hashed
        // by `read_blob` instead (docs/diff-report.md, "Object integrity").
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(registry).map_err(|e| {
            anyhow!(
                "{} is not inside a git repository ({})",
                registry.display(),
                e.message()
            )
        })?;
        // The vendored libgit2 loops forever on a loose object whose zlib stream was cut
        // short: every loose commit, tree and tag is checked first (blobs when read).
        loose::check_all(&repo.path().join("objects")).map_err(anyhow::Error::msg)?;
        let prefix = match subdir {
            Some(s) => s.trim_matches('/').to_string(),
            None => match repo.workdir() {
                None => String::new(),
                Some(workdir) => relative(workdir, registry)?,
            },
        };
        // The commits whose parents are not what they were: a shallow clone's cut, and
        // each commit `.git/info/grafts` gives other parents (its first word).
        let listed = |file: &str| -> Vec<Oid> {
            std::fs::read_to_string(repo.path().join(file))
                .map(|text| {
                    text.lines()
                        .filter_map(|l| Oid::from_str(l.split_whitespace().next()?).ok())
                        .collect()
                })
                .unwrap_or_default()
        };
        let cut = listed("shallow")
            .into_iter()
            .chain(listed("info/grafts"))
            .collect();
        Ok(Repo {
            repo,
            subtrees: Default::default(),
            prefix,
            cut,
            signers: Default::default(),
        })
    }

    /// Is the commit graph the whole history? Not in a shallow clone (commits beyond the
    /// cut look like root commits that added everything), nor with grafts or replace refs
    /// (the graph is rewritten).
    pub fn completeness(&self) -> Completeness {
        let mut reasons = Vec::new();
        if self.repo.is_shallow() {
            reasons.push(
                "shallow clone: commits before the cut are missing (fetch the full history: \
                 `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
                    .to_string(),
            );
        }
        if self.repo.path().join("info/grafts").exists() {
            reasons.push("grafts rewrite the commit graph (.git/info/grafts)".to_string());
        }
        let replaced = self
            .repo
            .references_glob("refs/replace/*")
            .map(|mut refs| refs.next().is_some())
            .unwrap_or(false);
        if replaced {
            reasons.push("replace refs rewrite commits (refs/replace/)".to_string());
        }
        Completeness {
            complete: reasons.is_empty(),
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
        }
    }

    /// The registry folder inside the repository ("" for the root).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// Resolve a revision (branch, tag, SHA, `main~3`) to a commit.
    pub fn resolve(&self, rev: &str) -> anyhow::Result<Oid> {
        let obj = self.repo.revparse_single(rev).map_err(|e| {
            if self.repo.is_empty().unwrap_or(false) {
                return anyhow!(
                    "unknown revision `{rev}`: {} has no commits yet (commit the registry first)",
                    self.location()
                );
            }
            anyhow!(
                "unknown revision `{rev}`: it is not a branch, tag or commit of {} ({})",
                self.location(),
                e.message()
            )
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| anyhow!("revision `{rev}` does not point to a commit"))?;
        Ok(commit.id())
    }

    fn location(&self) -> String {
        self.repo
            .workdir()
            .unwrap_or_else(|| self.repo.path())
            .display()
            .to_string()
    }

    fn registry_tree(&self, commit: Oid) -> anyhow::Result<Option<Tree<'_>>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        if self.prefix.is_empty() {
            return Ok(Some(tree));
        }
        match tree.get_path(Path::new(&self.prefix)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Ok(Some(self.repo.find_tree(entry.id())?))
            }
            Ok(_) => bail!("`{}` is a file, not a registry folder", self.prefix),
            Err(_) => Ok(None),
        }
    }

    /// The id of a commit's registry subtree, cached (each commit is asked twice in a walk:
    /// as a commit and as a parent).
    fn subtree_id(&self, commit: Oid) -> anyhow::Result<Option<Oid>> {
        if let Some(hit) = self.subtrees.borrow().get(&commit) {
            return Ok(*hit);
        }
        let id = self.registry_tree(commit)?.map(|t| t.id());
        self.subtrees.borrow_mut().insert(commit, id);
        Ok(id)
    }

    /// The registry files at a commit, as the loader takes them.
    pub fn sources_at(&self, commit: Oid) -> anyhow::Result<Vec<Source>> {
        let Some(tree) = self.registry_tree(commit)? else {
            bail!(
                "the registry folder `{}` does not exist at commit {}",
                if self.prefix.is_empty() {
                    "."
                } else {
                    &self.prefix
                },
                short(commit)
            );
        };
        if [POLICY_FILE, SCOPES_DIR, CLIENTS_DIR]
            .iter()
            .all(|n| tree.get_name(n).is_none())
        {
            bail!(
                "`{}` at commit {} is not a scopectl registry: it has no scopectl.toml, scopes/ or clients/ (point --registry, or --subdir in a bare repository, at the registry folder)",
                if self.prefix.is_empty() { "." } else { &self.prefix },
                short(commit)
            );
        }
        let mut out = Vec::new();
        if let Some(e) = tree.get_name(POLICY_FILE) {
            out.push(self.blob_source(POLICY_FILE.to_string(), e.id()));
        }
        for &dir in REGISTRY_DIRS {
            if let Some(e) = tree.get_name(dir) {
                if e.kind() == Some(ObjectType::Tree) {
                    self.walk_tree(e.id(), dir, 1, &mut out)?;
                }
            }
        }
        Ok(out)
    }

    /// A blob's content, checked against its id: a corrupt or tampered object database
    /// must not feed the registry model.
    /// Blobs over [`MAX_FILE_BYTES`] (the same cap as files on disk) are refused from
    /// their header, before their content is read.
    fn read_blob(&self, id: Oid, path: &str) -> anyhow::Result<Vec<u8>> {
        self.read_blob_max(id, path, (MAX_FILE_BYTES, "registry files"))
    }

    /// [`Repo::read_blob`] with another limit: `(bytes, what the limit is for)`.
    fn read_blob_max(
        &self,
        id: Oid,
        path: &str,
        (max, what): (u64, &str),
    ) -> anyhow::Result<Vec<u8>> {
        let (size, _) = self.repo.odb()?.read_header(id)?;
        if size as u64 > max {
            bail!(
                "`{path}` is {size} bytes (git object {id}), over the {} limit for \
                 {what}; not read",
                if max >= 1024 * 1024 {
                    format!("{} MiB", max / 1024 / 1024)
                } else {
                    format!("{} KiB", max / 1024)
                }
            );
        }
        loose::check(&self.repo.path().join("objects"), id).map_err(anyhow::Error::msg)?;
        let blob = self.repo.find_blob(id)?;
        let content = blob.content();
        let actual = Oid::hash_object(ObjectType::Blob, content)?;
        if actual != id {
            bail!("git object {id} is corrupt: its content hashes to {actual}");
        }
        Ok(content.to_vec())
    }

    fn blob_source(&self, path: String, id: Oid) -> Source {
        let bytes = self.read_blob(id, &path).map_err(|e| e.to_string());
        Source { path, bytes }
    }

    fn walk_tree(
        &self,
        id: Oid,
        rel: &str,
        depth: usize,
        out: &mut Vec<Source>,
    ) -> anyhow::Result<()> {
        if depth > MAX_TREE_DEPTH {
            out.push(Source {
                path: rel.to_string(),
                bytes: Err(format!(
                    "is nested deeper than {MAX_TREE_DEPTH} folders; not read"
                )),
            });
            return Ok(());
        }
        let tree = self.repo.find_tree(id)?;
        for e in tree.iter() {
            let Ok(name) = e.name() else {
                out.push(Source {
                    path: format!("{rel}/{}", String::from_utf8_lossy(e.name_bytes())),
                    bytes: Err("file name is not valid UTF-8".into()),
                });
                continue;
            };
            if name.starts_with('.') {
                // Reported (`load/ignored-file`), never read; `.gitkeep` and the like
                // stay quiet.
                let is_dir = e.kind() == Some(ObjectType::Tree);
                out.extend(
                    crate::registry::source::hidden_part(&format!("{rel}/{name}"), is_dir)
                        .flatten(),
                );
                continue;
            }
            let path = format!("{rel}/{name}");
            match e.kind() {
                Some(ObjectType::Tree) => self.walk_tree(e.id(), &path, depth + 1, out)?,
                Some(ObjectType::Blob) if name.ends_with(".toml") => {
                    out.push(self.blob_source(path, e.id()))
                }
                Some(ObjectType::Blob) => out.push(Source {
                    path,
                    bytes: Ok(Vec::new()),
                }),
                _ => {}
            }
        }
        Ok(())
    }

    /// The registry files in the work tree (uncommitted changes included).
    pub fn worktree_sources(&self) -> anyhow::Result<Vec<Source>> {
        let Some(workdir) = self.repo.workdir() else {
            bail!("--worktree needs a repository with a work tree; this one is bare");
        };
        crate::registry::source::read_dir(&workdir.join(&self.prefix))
    }

    /// Judge commit signatures against these allowed signers from now on (`None`: no
    /// allowed-signers file, so no signature is verified).
    pub fn use_signers(&self, signers: Option<signature::AllowedSigners>) {
        *self.signers.borrow_mut() = signers.map(std::rc::Rc::new);
    }

    /// Who (author and committer), when, why of a commit, and what its signature proves
    /// against the allowed signers in use ([`Repo::use_signers`]).
    pub fn commit_info(&self, id: Oid) -> anyhow::Result<CommitInfo> {
        let c = self.repo.find_commit(id)?;
        let (author, committer) = (c.author(), c.committer());
        let date = |when: git2::Time| {
            chrono::FixedOffset::east_opt(when.offset_minutes() * 60)
                .and_then(|off| {
                    chrono::DateTime::from_timestamp(when.seconds(), 0)
                        .map(|t| t.with_timezone(&off).to_rfc3339())
                })
                .unwrap_or_default()
        };
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let committer_email = text(committer.email_bytes());
        let signed = self.repo.extract_signature(&id, None).ok();
        let signers = self.signers.borrow().clone();
        let signature = signature::judge(
            signed.as_ref().map(|(sig, data)| (&sig[..], &data[..])),
            &committer_email,
            committer.when().seconds(),
            signers.as_deref(),
        );
        Ok(CommitInfo {
            id: id.to_string(),
            short: short(id),
            author: text(author.name_bytes()),
            email: text(author.email_bytes()),
            date: date(author.when()),
            subject: String::from_utf8_lossy(c.summary_bytes().unwrap_or(b""))
                .trim()
                .to_string(),
            signed: signed.is_some(),
            committer: text(committer.name_bytes()),
            committer_email,
            committer_date: date(committer.when()),
            signature,
        })
    }

    /// A file of the registry folder at a commit (`rel` relative to the registry, already
    /// checked to stay inside it): `None` when there is no such file. Only a regular blob
    /// is read (a symlink or a folder is an error), and only up to `max` bytes, refused
    /// from the object's header before it is read.
    pub fn registry_file(
        &self,
        commit: Oid,
        rel: &str,
        max: (u64, &str),
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(tree) = self.registry_tree(commit)? else {
            return Ok(None);
        };
        let Ok(entry) = tree.get_path(Path::new(rel)) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            bail!(
                "`{rel}` at commit {} is not a regular file (a folder or a symlink is not read)",
                short(commit)
            );
        }
        Ok(Some(self.read_blob_max(entry.id(), rel, max)?))
    }

    /// The newest commit on `at`'s first-parent line that changed the registry file `rel`
    /// (`None` when no commit there did, or when the change is beyond a shallow cut and so
    /// cannot be told).
    pub fn last_change(&self, at: Oid, rel: &str) -> anyhow::Result<Option<Oid>> {
        let blob_of = |commit: Oid| -> anyhow::Result<Option<Oid>> {
            Ok(self
                .registry_tree(commit)?
                .and_then(|t| t.get_path(Path::new(rel)).ok().map(|e| e.id())))
        };
        let mut id = at;
        let mut here = blob_of(id)?;
        loop {
            if self.is_cut(id) {
                return Ok(None);
            }
            let Some(parent) = self.first_parent(id)? else {
                return Ok(here.map(|_| id));
            };
            let there = blob_of(parent)?;
            if there != here {
                return Ok(Some(id));
            }
            (id, here) = (parent, there);
        }
    }

    /// Commits reachable from `to` but not from `from` (all of `to`'s history when `from` is
    /// `None`), oldest first.
    pub fn walk(&self, from: Option<Oid>, to: Oid) -> anyhow::Result<Vec<Oid>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME | Sort::REVERSE)?;
        walk.push(to)?;
        if let Some(f) = from {
            walk.hide(f)?;
        }
        let mut out = Vec::new();
        for id in walk {
            out.push(id?);
        }
        Ok(out)
    }

    /// Is `id` at the cut of a shallow clone (its parents are not in the repository)?
    pub fn is_cut(&self, id: Oid) -> bool {
        self.cut.contains(&id)
    }

    /// The registry files one commit changed (against its first parent), as the old and
    /// the new versions' `(path, bytes)`. See [`Repo::changed_blobs`].
    #[allow(clippy::type_complexity)]
    pub fn changed_files(
        &self,
        id: Oid,
    ) -> anyhow::Result<Option<(Vec<(String, Vec<u8>)>, Vec<(String, Vec<u8>)>)>> {
        let Some(files) = self.changed_blobs(id)? else {
            return Ok(None);
        };
        let mut old_files = Vec::new();
        let mut new_files = Vec::new();
        for f in files {
            if let Some(o) = f.old {
                old_files.push((f.path.clone(), o.bytes));
            }
            if let Some(n) = f.new {
                new_files.push((f.path, n.bytes));
            }
        }
        Ok(Some((old_files, new_files)))
    }

    /// The registry files one commit changed (against its first parent), each with its old
    /// and new blob (id and content). Merge commits are skipped (`None`), as `git log -p`
    /// does: the commits they merge carry the changes, and what a merge wrote itself is
    /// read with [`Repo::merge_blobs`]. So is a commit at the cut of a
    /// shallow clone: its parent is missing, so what it changed is unknown (it is not
    /// "everything added"). Only the registry subtree is compared, and only blobs whose
    /// ids differ are read.
    pub fn changed_blobs(&self, id: Oid) -> anyhow::Result<Option<Vec<ChangedFile>>> {
        let commit = self.repo.find_commit(id)?;
        if commit.parent_count() > 1 || self.is_cut(id) {
            return Ok(None);
        }
        let new = self.subtree_id(id)?;
        let old = match commit.parent_ids().next() {
            Some(p) => self.subtree_id(p)?,
            None => None,
        };
        let mut out = Vec::new();
        if old == new {
            return Ok(Some(out));
        }
        let mut files = Vec::new();
        self.diff_trees(old, new, "", 0, &mut files)?;
        for (path, o, n) in files {
            let read = |id: Option<Oid>| -> anyhow::Result<Option<BlobVersion>> {
                id.map(|id| {
                    Ok(BlobVersion {
                        id,
                        bytes: self.read_blob(id, &path)?,
                    })
                })
                .transpose()
            };
            out.push(ChangedFile {
                old: read(o)?,
                new: read(n)?,
                path,
            });
        }
        Ok(Some(out))
    }

    /// What a merge commit wrote itself: the registry files whose version at the merge
    /// differs from the version at every parent (as `git log --cc` shows them), each
    /// compared with each parent (one list per parent, in parent order). `None` for a
    /// commit that is not a merge, or a merge at a shallow clone's cut. A file any parent
    /// already held as the merge has it came from that side: its commits carry it.
    #[allow(clippy::type_complexity)]
    pub fn merge_blobs(&self, id: Oid) -> anyhow::Result<Option<Vec<Vec<ChangedFile>>>> {
        let commit = self.repo.find_commit(id)?;
        if commit.parent_count() < 2 || self.is_cut(id) {
            return Ok(None);
        }
        let new = self.subtree_id(id)?;
        let mut per_parent: Vec<Vec<(String, Option<Oid>, Option<Oid>)>> = Vec::new();
        for p in commit.parent_ids() {
            let old = self.subtree_id(p)?;
            let mut files = Vec::new();
            if old != new {
                self.diff_trees(old, new, "", 0, &mut files)?;
            }
            per_parent.push(files);
        }
        // Paths changed against every parent.
        let mut everywhere: std::collections::HashSet<&str> = per_parent
            .first()
            .map(|f| f.iter().map(|(p, _, _)| p.as_str()).collect())
            .unwrap_or_default();
        for files in per_parent.iter().skip(1) {
            let here: std::collections::HashSet<&str> =
                files.iter().map(|(p, _, _)| p.as_str()).collect();
            everywhere.retain(|p| here.contains(p));
        }
        let mut out = Vec::new();
        for files in &per_parent {
            let mut list = Vec::new();
            for (path, o, n) in files
                .iter()
                .filter(|(p, _, _)| everywhere.contains(p.as_str()))
            {
                let read = |id: Option<Oid>| -> anyhow::Result<Option<BlobVersion>> {
                    id.map(|id| {
                        Ok(BlobVersion {
                            id,
                            bytes: self.read_blob(id, path)?,
                        })
                    })
                    .transpose()
                };
                list.push(ChangedFile {
                    old: read(*o)?,
                    new: read(*n)?,
                    path: path.clone(),
                });
            }
            out.push(list);
        }
        Ok(Some(out))
    }

    /// Is `ancestor` an ancestor of `of` (and not the same commit)?
    pub fn is_ancestor(&self, ancestor: Oid, of: Oid) -> bool {
        self.repo.graph_descendant_of(of, ancestor).unwrap_or(false)
    }

    /// A commit's first parent (`None` for a root commit).
    pub fn first_parent(&self, id: Oid) -> anyhow::Result<Option<Oid>> {
        Ok(self.repo.find_commit(id)?.parent_ids().next())
    }

    /// The id of the `scopes/` folder of the registry at a commit (`None`: there is none).
    pub fn scopes_tree(&self, commit: Oid) -> anyhow::Result<Option<Oid>> {
        let Some(tree) = self.registry_tree(commit)? else {
            return Ok(None);
        };
        Ok(tree
            .get_name(SCOPES_DIR)
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| e.id()))
    }

    /// The files of a `scopes/` folder ([`Repo::scopes_tree`]), as the loader takes them.
    pub fn scope_sources(&self, tree: Oid) -> anyhow::Result<Vec<Source>> {
        let mut out = Vec::new();
        self.walk_tree(tree, SCOPES_DIR, 1, &mut out)?;
        Ok(out)
    }

    /// Registry files whose blobs differ between two trees: (path, old blob, new blob).
    /// Both trees are walked side by side in git's entry order, so unchanged entries cost
    /// one id comparison and no allocation.
    #[allow(clippy::type_complexity)]
    fn diff_trees(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
        rel: &str,
        depth: usize,
        out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
    ) -> anyhow::Result<()> {
        if depth > MAX_TREE_DEPTH {
            bail!(
                "`{rel}` is nested deeper than {MAX_TREE_DEPTH} folders; scopectl does not read it"
            );
        }
        let old_tree = old.map(|id| self.repo.find_tree(id)).transpose()?;
        let new_tree = new.map(|id| self.repo.find_tree(id)).transpose()?;
        let mut a = old_tree.iter().flat_map(|t| t.iter()).peekable();
        let mut b = new_tree.iter().flat_map(|t| t.iter()).peekable();
        loop {
            let order = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => git_order(x, y),
            };
            let (o, n) = match order {
                std::cmp::Ordering::Less => (a.next(), None),
                std::cmp::Ordering::Greater => (None, b.next()),
                std::cmp::Ordering::Equal => (a.next(), b.next()),
            };
            if let (Some(x), Some(y)) = (&o, &n) {
                if x.id() == y.id() {
                    continue;
                }
            }
            let Some(any) = o.as_ref().or(n.as_ref()) else {
                break;
            };
            let Ok(name) = any.name() else {
                continue;
            };
            if rel.is_empty() && !REGISTRY_DIRS.contains(&name) && name != POLICY_FILE {
                continue;
            }
            let path = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let of = |e: &Option<git2::TreeEntry>, kind| {
                e.as_ref()
                    .filter(|e| e.kind() == Some(kind))
                    .map(|e| e.id())
            };
            let (ot, nt) = (of(&o, ObjectType::Tree), of(&n, ObjectType::Tree));
            if ot.is_some() || nt.is_some() {
                self.diff_trees(ot, nt, &path, depth + 1, out)?;
            }
            let (ob, nb) = (of(&o, ObjectType::Blob), of(&n, ObjectType::Blob));
            if (ob.is_some() || nb.is_some()) && FileKind::of(&path).is_some() {
                out.push((path, ob, nb));
            }
        }
        Ok(())
    }
}

/// Git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn git_order(a: &git2::TreeEntry, b: &git2::TreeEntry) -> std::cmp::Ordering {
    fn key<'a>(e: &'a git2::TreeEntry) -> impl Iterator<Item = &'a u8> {
        let suffix: &'static [u8] = if e.kind() == Some(ObjectType::Tree) {
            b"/"
        } else {
            b""
        };
        e.name_bytes().iter().chain(suffix)
    }
    key(a).cmp(key(b))
}

/// Seven hex digits.
pub fn short(id: Oid) -> String {
    let s = id.to_string();
    s[..7.min(s.len())].to_string()
}

/// `path` relative to `root`, `/`-separated; both are canonicalised first.
fn relative(root: &Path, path: &Path) -> anyhow::Result<String> {
    let canon = |p: &Path| -> anyhow::Result<PathBuf> {
        p.canonicalize()
            .with_context(|| format!("cannot open {}", p.display()))
    };
    let (root, path) = (canon(root)?, canon(path)?);
    let rel = path.strip_prefix(&root).map_err(|_| {
        anyhow!(
            "{} is not inside the repository's work tree {}",
            path.display(),
            root.display()
        )
    })?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

/// Load a registry from sources read at a revision; when it does not load, the error names
/// `what` (e.g. "side A (v1, 1a2b3c4)") and every broken file with line and column.
pub fn load(sources: Vec<Source>, what: &str) -> anyhow::Result<crate::registry::Registry> {
    let loaded = crate::registry::Registry::load(sources);
    if loaded.is_ok() {
        return Ok(loaded.registry);
    }
    Err(not_loaded(loaded, what))
}

/// The error for a registry that does not load: `what` and every broken file with line
/// and column.
fn not_loaded(loaded: crate::registry::Loaded, what: &str) -> anyhow::Error {
    let errors: Vec<crate::finding::Finding> = loaded
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == crate::finding::Severity::Error)
        .collect();
    let files: Vec<String> = errors
        .iter()
        .filter_map(|d| d.file())
        .map(|f| loaded.registry.files.name(f).to_string())
        .collect();
    let rendered =
        crate::output::human::render(&loaded.registry.files, &errors, crate::output::Color::Never);
    anyhow!(
        "the registry does not load at {what}: broken file(s): {}\n{rendered}",
        if files.is_empty() {
            "(none named)".to_string()
        } else {
            files.join(", ")
        }
    )
}

/// The commit at HEAD of the repository holding the registry folder `registry`, and
/// whether the folder has changes not committed there (`None` outside a repository or
/// before the first commit). What `review start` records as the snapshot's revision.
pub fn head_of(registry: &Path) -> Option<(String, bool)> {
    let repo = Repository::discover(registry).ok()?;
    let head = repo.head().ok()?.peel_to_commit().ok()?.id().to_string();
    let workdir = repo.workdir()?;
    let rel = relative(workdir, registry).ok()?;
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).include_ignored(false);
    if !rel.is_empty() {
        opts.pathspec(&rel);
    }
    let dirty = repo
        .statuses(Some(&mut opts))
        .map(|s| !s.is_empty())
        .unwrap_or(true);
    Some((head, dirty))
}
