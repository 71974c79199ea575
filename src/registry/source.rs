//! Reading registry files from a directory on disk.

use std::path::Path;

use anyhow::{bail, Context};

/// One file of a registry: its `/`-separated path relative to the root, and its bytes or
/// the reason they could not be read.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Read `scopectl.toml`, `scopes/**/*.toml` and `clients/**/*.toml` under `root`.
/// Every other file is ignored; an unreadable file becomes a `Source` with an error so it
/// is reported rather than skipped.
pub fn read_dir(root: &Path) -> anyhow::Result<Vec<Source>> {
    let meta = std::fs::metadata(root)
        .with_context(|| format!("cannot open registry {}", root.display()))?;
    if !meta.is_dir() {
        bail!(
            "{} is not a directory: point scopectl at the registry root (the folder with scopectl.toml, scopes/ and clients/)",
            root.display()
        );
    }
    let policy = root.join(super::POLICY_FILE);
    let scopes = root.join(super::SCOPES_DIR);
    let clients = root.join(super::CLIENTS_DIR);
    if !policy.exists() && !scopes.exists() && !clients.exists() {
        bail!(
            "{} is not a scopectl registry: it has no scopectl.toml, scopes/ or clients/ (run `scopectl init` to create one)",
            root.display()
        );
    }
    let mut out = Vec::new();
    if policy.exists() {
        out.push(read_file(&policy, super::POLICY_FILE.to_string()));
    }
    for dir in [super::SCOPES_DIR, super::CLIENTS_DIR] {
        let path = root.join(dir);
        if path.exists() {
            walk(&path, dir, &mut out)?;
        }
    }
    Ok(out)
}

fn read_file(path: &Path, rel: String) -> Source {
    Source {
        path: rel,
        bytes: std::fs::read(path).map_err(|e| e.to_string()),
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<Source>) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(Source {
                path: format!("{rel}/"),
                bytes: Err(format!("cannot list directory: {e}")),
            });
            return Ok(());
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        names.push(entry.file_name());
    }
    names.sort();
    for name in names {
        let Some(name_str) = name.to_str() else {
            out.push(Source {
                path: format!("{rel}/{}", name.to_string_lossy()),
                bytes: Err("file name is not valid UTF-8".into()),
            });
            continue;
        };
        if name_str.starts_with('.') {
            continue;
        }
        let path = dir.join(&name);
        let child = format!("{rel}/{name_str}");
        if path.is_dir() {
            walk(&path, &child, out)?;
        } else if name_str.ends_with(".toml") {
            out.push(read_file(&path, child));
        } else {
            // Not read, but reported by the loader so nothing is skipped silently.
            out.push(Source {
                path: child,
                bytes: Ok(Vec::new()),
            });
        }
    }
    Ok(())
}
