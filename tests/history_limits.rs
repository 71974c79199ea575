//! History read from untrusted repositories: a blob over the file cap is refused from its
//! header, and a tree nested 20,000 levels deep neither overflows the stack nor is read.

use git2::{Oid, Repository, Signature, Time};
use scopectl::history::{Repo, MAX_TREE_DEPTH};

fn commit(repo: &Repository, tree: Oid, parents: &[Oid], msg: &str) -> Oid {
    let sig = Signature::new("a", "a@example.com", &Time::new(1_790_000_000, 0)).expect("sig");
    let tree = repo.find_tree(tree).expect("tree");
    let parents: Vec<git2::Commit> = parents
        .iter()
        .map(|p| repo.find_commit(*p).expect("parent"))
        .collect();
    let refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &refs)
        .expect("commit")
}

/// A root tree with `scopectl.toml` and `clients/` holding `inner` as `name`.
fn root_with(repo: &Repository, clients: Option<Oid>) -> Oid {
    let policy = repo.blob(b"").expect("blob");
    let mut root = repo.treebuilder(None).expect("builder");
    root.insert("scopectl.toml", policy, 0o100644)
        .expect("insert");
    if let Some(c) = clients {
        root.insert("clients", c, 0o040000).expect("insert");
    }
    root.write().expect("write")
}

#[test]
fn a_deep_tree_is_cut_at_the_depth_limit_without_overflowing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(dir.path()).expect("init");
    let base = commit(&repo, root_with(&repo, None), &[], "base");
    let leaf = repo.blob(b"[client]\nid = \"x\"\n").expect("blob");
    let mut b = repo.treebuilder(None).expect("builder");
    b.insert("x.toml", leaf, 0o100644).expect("insert");
    let mut tree = b.write().expect("write");
    for _ in 0..20_000 {
        let mut b = repo.treebuilder(None).expect("builder");
        b.insert("d", tree, 0o040000).expect("insert");
        tree = b.write().expect("write");
    }
    let head = commit(&repo, root_with(&repo, Some(tree)), &[base], "deep");
    let path = dir.path().to_path_buf();
    // The default stack of a test thread (2 MiB) is what overflowed.
    let handle = std::thread::spawn(move || {
        let r = Repo::open(&path, None).expect("open");
        let sources = r.sources_at(head).expect("sources");
        let changed = r.changed_files(head).map(|_| ()).map_err(|e| e.to_string());
        (sources, changed)
    });
    let (sources, changed) = handle.join().expect("no stack overflow");
    let cut: Vec<_> = sources
        .iter()
        .filter(|s| {
            s.bytes
                .as_ref()
                .is_err_and(|e| e.contains(&format!("deeper than {MAX_TREE_DEPTH} folders")))
        })
        .collect();
    assert_eq!(
        cut.len(),
        1,
        "{:?}",
        sources.iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    let err = changed.expect_err("diff of the deep tree is refused");
    assert!(
        err.contains(&format!("deeper than {MAX_TREE_DEPTH} folders")),
        "{err}"
    );
}

#[test]
fn a_blob_over_the_cap_is_refused_by_size_naming_its_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = Repository::init(dir.path()).expect("init");
    let base = commit(&repo, root_with(&repo, None), &[], "base");
    let big = vec![b'#'; 16 * 1024 * 1024 + 1];
    let blob = repo.blob(&big).expect("blob");
    let mut b = repo.treebuilder(None).expect("builder");
    b.insert("big.toml", blob, 0o100644).expect("insert");
    let clients = b.write().expect("write");
    let head = commit(&repo, root_with(&repo, Some(clients)), &[base], "big");
    let r = Repo::open(dir.path(), None).expect("open");
    let sources = r.sources_at(head).expect("sources");
    let big = sources
        .iter()
        .find(|s| s.path == "clients/big.toml")
        .expect("listed");
    let err = big.bytes.as_ref().expect_err("refused");
    assert!(
        err.contains("clients/big.toml") && err.contains("16 MiB"),
        "{err}"
    );
    let err = r.changed_files(head).expect_err("refused").to_string();
    assert!(
        err.contains("clients/big.toml") && err.contains("16 MiB"),
        "{err}"
    );
}
