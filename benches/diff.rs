//! Benchmark (issue 3): `scopectl diff FIRST..LAST` with provenance on a generated
//! repository of 1,000 commits touching a registry of 20,000 grants, against
//! `git log -p FIRST..LAST -- registry > /dev/null` on the same repository.
//!
//! Run: `cargo bench --bench diff`. Prints both wall times (median of 5 runs) and the ratio.
//! Sizes can be changed with SCOPECTL_BENCH_CLIENTS / _GRANTS_PER_CLIENT / _COMMITS.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use git2::{Oid, Repository, Signature, Time};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const SCOPES: usize = 200;

fn scope_name(i: usize) -> String {
    format!("res{:03}:action{}", i / 4, i % 4)
}

fn scopes_file(part: usize, parts: usize) -> String {
    let mut s = String::new();
    for i in (0..SCOPES).filter(|i| i % parts == part) {
        s.push_str(&format!(
            "[scopes.\"{}\"]\ndescription = \"Scope number {i}\"\nowner = \"team-{}\"\nsensitivity = \"{}\"\n{}\n",
            scope_name(i),
            i % 17,
            ["low", "medium", "high", "critical"][i % 4],
            if i % 4 >= 2 { "step_up = true\n" } else { "" }
        ));
    }
    s
}

/// A client's file. Commit `rev` extends grant `rev % grants` and re-justifies it; with
/// SCOPECTL_BENCH_HEAVY=1 it rewrites every grant of the client instead.
fn client_file(c: usize, grants: usize, rev: usize, heavy: bool) -> String {
    let mut s = format!(
        "[client]\nid = \"client-{c:05}\"\nowner = \"team-{}\"\ndescription = \"Generated client {c}\"\n",
        c % 17
    );
    for g in 0..grants {
        let touched = rev > 0 && (heavy || g == rev % grants);
        let r = if touched { rev } else { 0 };
        let month = 1 + (c + g + r) % 12;
        s.push_str(&format!(
            "\n[[grants]]\nscope = \"{}\"\njustification = \"Needed for job {c}-{g} (TICKET-{})\"\napproved_by = \"approver{}@example.com\"\napproved_on = 2026-0{}-15\nexpires = 2027-{month:02}-01\n",
            scope_name((c * 7 + g * 13) % SCOPES),
            c * 100 + g + r,
            g % 9,
            1 + g % 9
        ));
    }
    s
}

fn blob(repo: &Repository, text: &str) -> Oid {
    repo.blob(text.as_bytes()).unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs benches without it,
    // and a benchmark is not a test: stop before measuring anything.
    if !std::env::args().any(|a| a == "--bench") {
        println!("diff benchmark: skipped (run it with `cargo bench --bench diff`)");
        return;
    }
    let clients = env_or("SCOPECTL_BENCH_CLIENTS", 2_000);
    let per = env_or("SCOPECTL_BENCH_GRANTS_PER_CLIENT", 10);
    let commits = env_or("SCOPECTL_BENCH_COMMITS", 1_000);
    let heavy = std::env::var_os("SCOPECTL_BENCH_HEAVY").is_some();
    let dir = tempfile::tempdir().unwrap();
    // SCOPECTL_BENCH_DIR keeps the generated repository for profiling.
    let path = match std::env::var_os("SCOPECTL_BENCH_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => dir.path().join("bench.git"),
    };
    let _ = std::fs::remove_dir_all(&path);
    let repo = Repository::init_bare(&path).unwrap();

    let t0 = Instant::now();
    // Trees: registry/{scopectl.toml, scopes/*.toml, clients/*.toml}, plus a README at the root.
    let mut client_blobs: Vec<Oid> = (0..clients)
        .map(|c| blob(&repo, &client_file(c, per, 0, heavy)))
        .collect();
    let mut grants_now: Vec<usize> = vec![per; clients];
    let scopes_tree = {
        let mut tb = repo.treebuilder(None).unwrap();
        for p in 0..10 {
            tb.insert(
                format!("part{p}.toml"),
                blob(&repo, &scopes_file(p, 10)),
                0o100644,
            )
            .unwrap();
        }
        tb.write().unwrap()
    };
    let policy = blob(&repo, "[policy]\nexpiry_warning = \"30d\"\n");
    let readme = blob(&repo, "generated benchmark repository\n");
    let build_root = |repo: &Repository, blobs: &[Oid]| -> Oid {
        let mut ct = repo.treebuilder(None).unwrap();
        for (c, b) in blobs.iter().enumerate() {
            ct.insert(format!("client-{c:05}.toml"), *b, 0o100644)
                .unwrap();
        }
        let clients_tree = ct.write().unwrap();
        let mut rt = repo.treebuilder(None).unwrap();
        rt.insert("scopectl.toml", policy, 0o100644).unwrap();
        rt.insert("scopes", scopes_tree, 0o040000).unwrap();
        rt.insert("clients", clients_tree, 0o040000).unwrap();
        let reg = rt.write().unwrap();
        let mut top = repo.treebuilder(None).unwrap();
        top.insert("README.md", readme, 0o100644).unwrap();
        top.insert("registry", reg, 0o040000).unwrap();
        top.write().unwrap()
    };
    let authors = ["alice", "bob", "carol", "dave", "erin"];
    let mut parent: Option<Oid> = None;
    let mut first = None;
    for i in 0..commits {
        if i > 0 {
            let c = (i * 37) % clients;
            // Most commits change a client's expiries and justifications; some add or
            // remove a grant.
            if i % 10 == 0 {
                grants_now[c] += 1;
            } else if i % 15 == 0 && grants_now[c] > 1 {
                grants_now[c] -= 1;
            }
            client_blobs[c] = blob(&repo, &client_file(c, grants_now[c], i, heavy));
        }
        let tree = repo.find_tree(build_root(&repo, &client_blobs)).unwrap();
        let who = authors[i % authors.len()];
        let sig = Signature::new(
            who,
            &format!("{who}@example.com"),
            &Time::new(1_790_812_800 + i as i64 * 3600, 0),
        )
        .unwrap();
        let parents: Vec<git2::Commit> = parent
            .iter()
            .map(|p| repo.find_commit(*p).unwrap())
            .collect();
        let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                &format!("Change {i} (TICKET-{i})"),
                &tree,
                &parent_refs,
            )
            .unwrap();
        first.get_or_insert(id);
        parent = Some(id);
    }
    let (first, last) = (first.unwrap(), parent.unwrap());
    let total: usize = grants_now.iter().sum();
    println!(
        "generated {commits} commits, {clients} clients, {total} grants at LAST{}, in {:.1?}",
        if heavy {
            " (heavy: every commit rewrites a whole client)"
        } else {
            ""
        },
        t0.elapsed()
    );

    let range = format!("{first}..{last}");
    let scopectl = env!("CARGO_BIN_EXE_scopectl");
    let scopectl_cmd = || {
        let mut c = Command::new(scopectl);
        c.args([
            "diff",
            &range,
            "--format",
            "json",
            "--subdir",
            "registry",
            "--registry",
        ])
        .arg(&path)
        .stdout(Stdio::null());
        c
    };
    let git_cmd = || {
        let mut c = Command::new("git");
        c.arg("--git-dir")
            .arg(&path)
            .args(["log", "-p", &range, "--", "registry"])
            .stdout(Stdio::null());
        c
    };
    // Check once that scopectl does its job (exit 3: grants were removed).
    let out = scopectl_cmd().stdout(Stdio::piped()).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = json["changes"].as_array().map(|a| a.len()).unwrap_or(0);
    let attributed = json["changes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| !c["commits"].as_array().unwrap().is_empty())
                .count()
        })
        .unwrap_or(0);
    println!(
        "scopectl diff: exit {:?}, {changes} changes, {attributed} with provenance",
        out.status.code()
    );

    let measure = |label: &str| {
        let ours = median(|| {
            assert!(scopectl_cmd().status().unwrap().code().is_some());
        });
        let theirs = median(|| {
            assert!(git_cmd().status().unwrap().success());
        });
        println!("{label}:");
        println!(
            "  scopectl diff FIRST..LAST (provenance, json): {:>8.1} ms",
            ms(ours)
        );
        println!(
            "  git log -p FIRST..LAST -- registry:           {:>8.1} ms",
            ms(theirs)
        );
        println!(
            "  ratio scopectl / git:                          {:>8.2}x",
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    };
    measure("loose objects (as generated)");
    let gc = Command::new("git")
        .arg("--git-dir")
        .arg(&path)
        .args(["gc", "-q"])
        .status()
        .unwrap();
    assert!(gc.success());
    measure("packed (after git gc)");
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}
