//! Records the git commit the binary is built from, for `scopectl --version`
//! (`0.1.0 (commit 1a2b3c4d5e6f)`). `SCOPECTL_GIT_COMMIT` overrides it (release builds from
//! a source archive); without git or a repository it is `unknown`.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=SCOPECTL_GIT_COMMIT");
    let commit = std::env::var("SCOPECTL_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves (a commit, a checkout), not on every file change.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        // `--git-path` resolves each inside a worktree too (refs live in the common dir).
        if let Some(path) = git(&["rev-parse", "--git-path", &name]) {
            if std::path::Path::new(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    println!(
        "cargo:rustc-env=SCOPECTL_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
}
