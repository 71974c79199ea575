//! The OpenAPI files of a registry read from git: an API's operations at a revision come
//! from the OpenAPI files committed at that revision (never from the work tree), with the
//! same limits as on disk ([`crate::registry::apis::MAX_SPEC_BYTES`], inside the
//! repository, no symbolic links).

use anyhow::bail;
use git2::{ObjectType, Oid};

use super::{short, Repo};
use crate::registry::apis::{self, MAX_SPEC_BYTES};
use crate::registry::openapi::{self, SpecReader};
use crate::registry::Registry;

/// Reads files named relative to the registry folder from one commit's tree.
pub struct TreeReader<'a> {
    repo: &'a Repo,
    commit: Oid,
}

impl<'a> TreeReader<'a> {
    pub fn new(repo: &'a Repo, commit: Oid) -> TreeReader<'a> {
        TreeReader { repo, commit }
    }
}

impl SpecReader for TreeReader<'_> {
    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        let path = self.repo.repo_path(rel)?;
        let tree = self
            .repo
            .repo
            .find_commit(self.commit)
            .and_then(|c| c.tree())
            .map_err(|e| e.message().to_string())?;
        let entry = tree
            .get_path(std::path::Path::new(&path))
            .map_err(|_| format!("does not exist at commit {}", short(self.commit)))?;
        if entry.filemode() == 0o120000 {
            return Err("is a symbolic link in git; not followed".into());
        }
        if entry.kind() != Some(ObjectType::Blob) {
            return Err("is not a file; not read".into());
        }
        self.repo
            .read_blob_max(entry.id(), &path, (MAX_SPEC_BYTES, "OpenAPI files"))
            .map_err(|e| e.to_string())
    }
}

impl Repo {
    /// A path relative to the registry folder as a path relative to the repository root;
    /// an error when it leaves the repository.
    pub fn repo_path(&self, rel: &str) -> Result<String, String> {
        match openapi::join(&self.prefix, rel) {
            Some(p) if p == ".." || p.starts_with("../") => {
                Err("leaves the repository; not read".into())
            }
            Some(p) => Ok(p),
            None => Err("is not a relative path; not read".into()),
        }
    }

    /// Whether commit `id` changed any of `paths` (relative to the repository root)
    /// against its first parent. Merge commits and commits at a shallow clone's cut are
    /// `None`: what they changed is not known from one parent.
    pub fn touched(&self, id: Oid, paths: &[String]) -> anyhow::Result<Option<bool>> {
        let commit = self.repo.find_commit(id)?;
        if commit.parent_count() > 1 || self.is_cut(id) {
            return Ok(None);
        }
        let new = commit.tree()?;
        let old = match commit.parents().next() {
            Some(p) => Some(p.tree()?),
            None => None,
        };
        let at = |t: &git2::Tree, p: &str| {
            t.get_path(std::path::Path::new(p))
                .ok()
                .map(|e| (e.id(), e.filemode()))
        };
        Ok(Some(paths.iter().any(|p| {
            at(&new, p) != old.as_ref().and_then(|o| at(o, p))
        })))
    }
}

/// The registry at commit `id` with its APIs' OpenAPI files read from the same commit.
/// TOML that does not load is an error (as [`super::load`]); OpenAPI files that cannot be
/// read or parsed are not: their APIs stay unresolved, with the reasons in
/// [`crate::registry::apis::Api::unread`], so that a caller can say what it could not
/// compare.
pub fn load_at(repo: &Repo, id: Oid, what: &str) -> anyhow::Result<Registry> {
    let sources = repo
        .sources_at(id)
        .map_err(|e| e.context(what.to_string()))?;
    let mut loaded = Registry::load(sources);
    if !loaded.is_ok() {
        return Err(super::not_loaded(loaded, what));
    }
    apis::resolve(&mut loaded, &TreeReader::new(repo, id));
    Ok(loaded.registry)
}

/// The work tree's registry with its OpenAPI files read from the work tree (as
/// [`load_at`]).
pub fn load_worktree(repo: &Repo, what: &str) -> anyhow::Result<Registry> {
    let Some(workdir) = repo.repo.workdir() else {
        bail!("--worktree needs a repository with a work tree; this one is bare");
    };
    let mut loaded = Registry::load(repo.worktree_sources()?);
    if !loaded.is_ok() {
        return Err(super::not_loaded(loaded, what));
    }
    apis::resolve_dir(&mut loaded, &workdir.join(&repo.prefix));
    Ok(loaded.registry)
}

/// Only the APIs of the registry at commit `id` (its `apis/` files, with their OpenAPI
/// files read from the same commit): what one commit did to an API, without reading the
/// rest of the registry. An API whose files do not load is left out or unresolved.
pub fn apis_at(repo: &Repo, id: Oid) -> anyhow::Result<Registry> {
    let mut sources = Vec::new();
    if let Some(tree) = repo.registry_tree(id)? {
        if let Some(e) = tree.get_name(crate::registry::APIS_DIR) {
            if e.kind() == Some(ObjectType::Tree) {
                repo.walk_tree(e.id(), crate::registry::APIS_DIR, 1, &mut sources)?;
            }
        }
    }
    let mut loaded = Registry::load(sources);
    apis::resolve(&mut loaded, &TreeReader::new(repo, id));
    Ok(loaded.registry)
}
