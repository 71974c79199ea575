//! Records the git commit the binary is built from, for `scopectl --version`
//! (`0.1.0 (commit 1a2b3c4d5e6f)`). `SCOPECTL_GIT_COMMIT` overrides it (release builds from
//! a source archive); without git or a repository it is `unknown`.
//!
//! Release builds linked by rustc's own lld (the default on x86_64 Linux since Rust 1.90)
//! also get `scripts/symbol-order.txt`: the functions a short run executes are placed
//! together, so a one-token `decode` starts with fewer pages of code to fault in.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Whether this build links with rustc's bundled lld, which knows
/// `--symbol-ordering-file` (GNU ld would refuse it): an x86_64 Linux GNU target, rustc
/// 1.90 or later, and no linker chosen by the user.
fn links_with_rust_lld() -> bool {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("TARGET") != "x86_64-unknown-linux-gnu" || std::env::var_os("RUSTC_LINKER").is_some() {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if ["linker", "fuse-ld", "link-self-contained"]
        .iter()
        .any(|f| flags.contains(f))
    {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return false;
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let version = String::from_utf8_lossy(&out.stdout);
    let mut parts = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}

fn symbol_order() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/symbol-order.txt");
    println!("cargo:rerun-if-changed={}", file.display());
    // `-Wl,` splits its argument at commas.
    let usable = file.is_file() && !file.to_string_lossy().contains(',');
    if std::env::var("PROFILE").as_deref() != Ok("release") || !usable {
        return;
    }
    if !links_with_rust_lld() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=scopectl=-Wl,--symbol-ordering-file={}",
        file.display()
    );
    // Names a newer compiler or dependency mangles differently are skipped, quietly.
    println!("cargo:rustc-link-arg-bin=scopectl=-Wl,--no-warn-symbol-ordering");
}

fn main() {
    symbol_order();
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
