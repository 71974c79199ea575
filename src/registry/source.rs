//! Reading registry files from a directory on disk.
//!
//! Only regular files inside the registry are read. A symlink that leaves the registry
//! (to `/proc/self/environ`, say), a symlinked directory (loops), a FIFO or a device is
//! reported as unreadable instead of being opened: a lint run in CI must neither print
//! files from elsewhere nor hang.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// Largest registry file scopectl reads.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One file of a registry: its `/`-separated path relative to the root, and its bytes or
/// the reason they could not be read.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: String,
    pub bytes: Result<Vec<u8>, String>,
}

/// Read `scopectl.toml`, `scopes/**/*.toml`, `clients/**/*.toml` and `teams/**/*.toml` under `root`.
/// Files that look like registry files but are not read (misnamed or in a misnamed
/// folder) are returned with empty contents so the loader can warn about them; an
/// unreadable file becomes a `Source` with an error so it is reported, never skipped.
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
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    if !exists(&policy) && !exists(&scopes) && !exists(&clients) {
        bail!(
            "{} is not a scopectl registry: it has no scopectl.toml, scopes/ or clients/ (run `scopectl init` to create one)",
            root.display()
        );
    }
    let bounds = Root::new(root);
    let mut out = Vec::new();
    suspicious_root_entries(root, &mut out);
    if exists(&policy) {
        out.push(read_file(&policy, super::POLICY_FILE.to_string(), &bounds));
    }
    for &dir in super::REGISTRY_DIRS {
        let path = root.join(dir);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, dir, &bounds, &mut out)?,
            Ok(_) => out.push(Source {
                path: format!("{dir}/"),
                bytes: Err("is not a directory (a symlinked folder is not followed)".into()),
            }),
            Err(_) => {}
        }
    }
    Ok(out)
}

/// What `decode` needs of a registry to check one client's token: `scopectl.toml`, the
/// scope, team and API files, and `clients/<client>.toml`, without reading the other clients.
/// `None` when there is no such client file (the client may be in a file of another
/// name: the caller then reads everything with [`read_dir`]).
pub fn read_for_client(root: &Path, client: &str) -> anyhow::Result<Option<Vec<Source>>> {
    if !crate::text::is_file_stem(client) {
        return Ok(None);
    }
    let rel = format!("{}/{client}.toml", super::CLIENTS_DIR);
    let file = root.join(&rel);
    if !std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let bounds = Root::new(root);
    let mut out = Vec::new();
    let policy = root.join(super::POLICY_FILE);
    if std::fs::symlink_metadata(&policy).is_ok() {
        out.push(read_file(&policy, super::POLICY_FILE.to_string(), &bounds));
    }
    for dir in [super::SCOPES_DIR, super::TEAMS_DIR, super::APIS_DIR] {
        let path = root.join(dir);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            walk(&path, dir, &bounds, &mut out)?;
        }
    }
    out.push(read_file(&file, rel, &bounds));
    Ok(Some(out))
}

/// Root entries that were probably meant to be registry files: `Scopectl.toml`,
/// `scopectl.tml`, `other.toml`, `Clients/`. Returned with empty contents (not read).
fn suspicious_root_entries(root: &Path, out: &mut Vec<Source>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            e.file_name().to_str().map(|n| (n.to_string(), is_dir))
        })
        .collect();
    names.sort();
    for (name, is_dir) in names {
        let misnamed_dir =
            is_dir && !super::REGISTRY_DIRS.contains(&name.as_str()) && is_layout_near_miss(&name);
        let misnamed_file = !is_dir && name != super::POLICY_FILE && is_policy_near_miss(&name);
        if misnamed_dir {
            out.push(Source {
                path: format!("{name}/"),
                bytes: Ok(Vec::new()),
            });
        } else if misnamed_file {
            out.push(Source {
                path: name,
                bytes: Ok(Vec::new()),
            });
        }
    }
}

/// A root file name that was probably meant to be `scopectl.toml`: in another case
/// (`Scopectl.toml`), with another extension (`scopectl.tml`, `scopectl.toml.bak`, any
/// `*.tml`), hidden (`.scopectl.toml`), or one typo away (`scopctl.toml`,
/// `scope-ctl.toml`).
pub fn is_policy_near_miss(name: &str) -> bool {
    if name.len() > 64 {
        return false;
    }
    let lower = name.to_lowercase();
    let base = lower.trim_start_matches('.');
    if base.starts_with("scopectl.") || lower.ends_with(".tml") {
        return true;
    }
    let Some((stem, ext)) = base.split_once('.') else {
        return false;
    };
    let folded: String = stem.chars().filter(|c| c.is_alphanumeric()).collect();
    (ext.starts_with("tom") || ext.starts_with("tml"))
        && strsim::damerau_levenshtein(&folded, "scopectl") <= 1
}

/// Hidden entries (a name starting with `.`) of a registry folder that hold no registry
/// content: skipped without a warning. Every other hidden file or folder is reported as
/// not read ([`hidden_part`]).
pub const QUIET_HIDDEN: &[&str] = &[
    ".git",
    ".gitkeep",
    ".keep",
    ".gitignore",
    ".gitattributes",
    ".DS_Store",
];

/// For a `/`-separated path inside the registry (`rel`, a folder when `is_dir`): `None`
/// when no part of it is hidden (a name starting with `.`); `Some(None)` when its first
/// hidden part is one of [`QUIET_HIDDEN`]; otherwise `Some(Some(entry))`, the entry the
/// loader warns about as not read: the path up to that part, a folder with a trailing
/// `/` (`clients/.x/` for `clients/.x/a.toml`). Folder walks call it for each hidden
/// entry they skip, listings of paths (git's index) for each path.
pub fn hidden_part(rel: &str, is_dir: bool) -> Option<Option<Source>> {
    let mut end = 0;
    let parts: Vec<&str> = rel.trim_end_matches('/').split('/').collect();
    for (n, part) in parts.iter().enumerate() {
        end += part.len();
        if part.starts_with('.') {
            if QUIET_HIDDEN.contains(part) {
                return Some(None);
            }
            let folder = is_dir || n + 1 < parts.len();
            let path = format!("{}{}", &rel[..end], if folder { "/" } else { "" });
            return Some(Some(Source {
                path,
                bytes: Ok(Vec::new()),
            }));
        }
        end += 1;
    }
    None
}

/// Does `rel` (a path inside the registry) have a hidden part? Such files are not read.
pub fn is_hidden(rel: &str) -> bool {
    rel.starts_with('.') || rel.contains("/.")
}

/// A folder name that was probably meant to be `scopes/`, `clients/` or `teams/`: the same
/// name in another case (`Scopes`), singular (`scope`), with a separator or a stray
/// character (`scopes_`, `client-s`), or one typo away (`scpoes`, `clinets`). Push commands refuse
/// to run with one, since its files would count as removed.
pub fn is_layout_near_miss(name: &str) -> bool {
    if name.len() > 32 {
        return false;
    }
    let folded: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    super::REGISTRY_DIRS.iter().any(|want| {
        folded == *want
            || folded == want.trim_end_matches('s')
            || strsim::damerau_levenshtein(&folded, want) <= 1
    })
}

/// The registry's root folder. Its resolved path (symlinks followed) is what a symlink
/// inside the registry must stay under; it is worked out only when a symlink is met, so a
/// registry without symlinks costs no extra system calls (a one-token `decode` feels them).
struct Root<'a> {
    path: &'a Path,
    canon: std::cell::OnceCell<Result<PathBuf, String>>,
}

impl<'a> Root<'a> {
    fn new(path: &'a Path) -> Self {
        Root {
            path,
            canon: std::cell::OnceCell::new(),
        }
    }

    fn canon(&self) -> Result<&Path, String> {
        self.canon
            .get_or_init(|| {
                self.path.canonicalize().map_err(|e| {
                    format!(
                        "is a symlink, and the registry folder {} cannot be resolved to check \
                         where it points ({e}); not read",
                        self.path.display()
                    )
                })
            })
            .as_deref()
            .map_err(Clone::clone)
    }
}

/// Read one file if it is a regular file inside the registry.
fn read_file(path: &Path, rel: String, root: &Root) -> Source {
    Source {
        bytes: read_checked(path, root),
        path: rel,
    }
}

/// One `lstat` decides: a symlink must resolve inside the registry, and what is read must
/// be a regular file of at most [`MAX_FILE_BYTES`] (the read itself is capped too, in case
/// the file grows in between).
fn read_checked(path: &Path, root: &Root) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let link = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    let meta = if link.file_type().is_symlink() {
        let target: PathBuf = path
            .canonicalize()
            .map_err(|e| format!("is a symlink that cannot be resolved ({e}); not read"))?;
        if !target.starts_with(root.canon()?) {
            return Err(format!(
                "is a symlink to {}, outside the registry; not read",
                target.display()
            ));
        }
        std::fs::metadata(path).map_err(|e| e.to_string())?
    } else {
        link
    };
    if !meta.is_file() {
        return Err("is not a regular file (a FIFO, socket or device); not read".into());
    }
    let too_big = |len: u64| {
        format!(
            "is {len} bytes; registry files are limited to {} MiB",
            MAX_FILE_BYTES / 1024 / 1024
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

fn walk(dir: &Path, rel: &str, bounds: &Root, out: &mut Vec<Source>) -> anyhow::Result<()> {
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
    // The entry's type comes with the listing (no `lstat` per entry on most file systems).
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        names.push((entry.file_name(), entry.file_type()));
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, file_type) in names {
        let Some(name_str) = name.to_str() else {
            out.push(Source {
                path: format!("{rel}/{}", name.to_string_lossy()),
                bytes: Err("file name is not valid UTF-8".into()),
            });
            continue;
        };
        let path = dir.join(&name);
        let child = format!("{rel}/{name_str}");
        if name_str.starts_with('.') {
            // Not read (a hidden folder is not entered), but reported unless it is git's,
            // a folder keeper or the like.
            let is_dir = file_type.as_ref().is_ok_and(|t| t.is_dir());
            out.extend(hidden_part(&child, is_dir).flatten());
            continue;
        }
        let file_type = match file_type {
            Ok(t) => t,
            Err(e) => {
                out.push(Source {
                    path: child,
                    bytes: Err(e.to_string()),
                });
                continue;
            }
        };
        let is_symlink = file_type.is_symlink();
        let points_to_dir = is_symlink && std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if file_type.is_dir() {
            walk(&path, &child, bounds, out)?;
        } else if points_to_dir {
            out.push(Source {
                path: format!("{child}/"),
                bytes: Err(
                    "is a symlinked folder; not followed (it could loop or leave the registry)"
                        .into(),
                ),
            });
        } else if name_str.ends_with(".toml") {
            out.push(read_file(&path, child, bounds));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reported(rel: &str, is_dir: bool) -> Option<Option<String>> {
        hidden_part(rel, is_dir).map(|s| s.map(|s| s.path))
    }

    #[test]
    fn hidden_parts_are_reported_up_to_the_first_one() {
        assert_eq!(reported("clients/a.toml", false), None);
        assert_eq!(reported("scopes/v1.0/a.toml", false), None);
        assert_eq!(
            reported("clients/.hidden.toml", false),
            Some(Some("clients/.hidden.toml".into()))
        );
        assert_eq!(
            reported("clients/.x", true),
            Some(Some("clients/.x/".into()))
        );
        // A path listed by git's index: the hidden folder, once for all its files.
        assert_eq!(
            reported("clients/.x/sub/a.toml", false),
            Some(Some("clients/.x/".into()))
        );
        assert_eq!(
            reported("clients/team/.y.toml", false),
            Some(Some("clients/team/.y.toml".into()))
        );
        for quiet in [
            "clients/.gitkeep",
            "scopes/.git/config",
            "teams/a/.DS_Store",
        ] {
            assert_eq!(reported(quiet, false), Some(None), "{quiet}");
        }
        assert!(is_hidden("clients/.x/a.toml") && !is_hidden("clients/x.y/a.toml"));
    }

    #[test]
    fn near_misses_of_the_policy_file() {
        for miss in [
            "Scopectl.toml",
            "scopectl.tml",
            "scopectl.toml.bak",
            ".scopectl.toml",
            "scopctl.toml",
            "scopectll.toml",
            "scope-ctl.toml",
            "other.tml",
        ] {
            assert!(is_policy_near_miss(miss), "{miss}");
        }
        for fine in [
            "Cargo.toml",
            "pyproject.toml",
            "scopes.toml",
            "scopctl",
            ".gitignore",
        ] {
            assert!(!is_policy_near_miss(fine), "{fine}");
        }
    }
}
