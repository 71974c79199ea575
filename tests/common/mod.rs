//! Helpers shared by the integration tests: build a registry in a temporary directory
//! from inline TOML and run the real `scopectl` binary on it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod git;
#[allow(unused_imports)]
pub use git::*;

/// The date every lint test evaluates expiry against.
pub const TODAY: &str = "2026-11-25";

pub struct Reg {
    pub dir: tempfile::TempDir,
}

impl Reg {
    /// A registry from (path, contents) pairs.
    pub fn new(files: &[(&str, &str)]) -> Reg {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            write(dir.path(), path, text.as_bytes());
        }
        Reg { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, bytes: &[u8]) {
        write(self.dir.path(), path, bytes);
    }

    /// `scopectl lint --format json --today TODAY`: (exit code, parsed JSON).
    pub fn lint_json(&self) -> (i32, serde_json::Value) {
        let out = scopectl()
            .args(["lint", "--format", "json", "--today", TODAY])
            .arg(self.path())
            .output()
            .expect("run scopectl");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "lint --format json printed no JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), json)
    }

    /// `scopectl lint --today TODAY` (human format): (exit code, stdout).
    pub fn lint_human(&self) -> (i32, String) {
        let out = scopectl()
            .args(["lint", "--color", "never", "--today", TODAY])
            .arg(self.path())
            .output()
            .expect("run scopectl");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

pub fn write(root: &Path, path: &str, bytes: &[u8]) {
    let p = root.join(path);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, bytes).expect("write");
}

pub fn scopectl() -> Command {
    let mut c = Command::cargo_bin("scopectl").expect("binary");
    c.env_remove("NO_COLOR");
    c
}

/// The repository's example registry.
pub fn example_registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scopes")
}

/// Codes of all diagnostics in a lint JSON report.
pub fn codes(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The diagnostics with a given code.
pub fn with_code<'a>(json: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    json["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["code"] == code).collect())
        .unwrap_or_default()
}

/// A scope file with one well-formed scope.
pub const SCOPE_OK: &str = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"
"#;

/// A client holding `orders:read` with every field right.
pub const CLIENT_OK: &str = r#"
[client]
id = "shop"
owner = "team-shop"

[[grants]]
scope = "orders:read"
justification = "Shows orders (SHOP-1)"
approved_by = "alice@example.com"
approved_on = 2026-11-01
expires = 2027-05-01
"#;

/// The value of `var`, which `scripts/test` sets; a clear failure without it (what is
/// missing: `what`), never a silent skip.
#[allow(dead_code)]
pub fn env_or_panic(var: &str, what: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{var} is not set: this test needs {what}. Run `scripts/test` (or `scripts/test --test <name>`) instead of plain `cargo test`."
        ),
    }
}
