//! A guard for loose git objects: the vendored libgit2 (1.9.7) loops forever inflating a
//! loose object whose zlib stream was cut short, so every loose commit, tree and tag is
//! checked when a repository is opened ([`check_all`]) and every loose blob before it
//! is read ([`check`]): the object must inflate completely, to exactly the size its
//! header declares. Packed objects are not concerned (packs are read by offset from
//! their index, with no such loop).

use std::io::Read;
use std::path::{Path, PathBuf};

use git2::Oid;

/// Where the loose object `id` would be, under a repository's `objects` folder.
fn path_of(objects: &Path, id: Oid) -> PathBuf {
    let hex = id.to_string();
    objects.join(&hex[..2]).join(&hex[2..])
}

/// Check the loose object `id` if there is one (`Ok` when it is packed or absent).
pub fn check(objects: &Path, id: Oid) -> Result<(), String> {
    let path = path_of(objects, id);
    match std::fs::File::open(&path) {
        Ok(f) => verify(f, true).map(|_| ()).map_err(|e| message(id, &e)),
        Err(_) => Ok(()),
    }
}

/// Check every loose commit, tree and tag (blobs only have their header read: they are
/// checked one by one when read, see [`check`]).
pub fn check_all(objects: &Path) -> Result<(), String> {
    let Ok(dirs) = std::fs::read_dir(objects) else {
        return Ok(());
    };
    for dir in dirs.flatten() {
        let name = dir.file_name();
        let Some(prefix) = name.to_str().filter(|n| n.len() == 2) else {
            continue;
        };
        if !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            let rest = file.file_name();
            let Some(id) = rest
                .to_str()
                .and_then(|r| Oid::from_str(&format!("{prefix}{r}")).ok())
            else {
                continue;
            };
            let Ok(f) = std::fs::File::open(file.path()) else {
                continue;
            };
            verify(f, false).map_err(|e| message(id, &e))?;
        }
    }
    Ok(())
}

fn message(id: Oid, detail: &str) -> String {
    format!(
        "git object {id} is corrupt: its loose file (objects/{}/{}) {detail}; scopectl does not \
         read it (`git fsck` shows the damage; restore the object from another clone)",
        &id.to_string()[..2],
        &id.to_string()[2..]
    )
}

/// Inflate a loose object: its header (`type size\0`), then, for commits, trees and tags
/// (and for blobs when `blobs`), the whole content, which must be exactly `size` bytes
/// followed by the end of the zlib stream.
fn verify(file: std::fs::File, blobs: bool) -> Result<(), String> {
    let mut z = flate2::read::ZlibDecoder::new(std::io::BufReader::new(file));
    let mut head = Vec::with_capacity(32);
    let mut byte = [0u8; 1];
    loop {
        match z.read(&mut byte) {
            Ok(1) if byte[0] == 0 => break,
            Ok(1) if head.len() < 32 => head.push(byte[0]),
            Ok(1) => return Err("has no valid header".into()),
            Ok(_) => return Err("is truncated (it ends inside its header)".into()),
            Err(e) => return Err(format!("does not inflate ({e})")),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let (kind, size) = head
        .split_once(' ')
        .and_then(|(k, s)| Some((k.to_string(), s.parse::<u64>().ok()?)))
        .ok_or_else(|| "has no valid header".to_string())?;
    if kind == "blob" && !blobs {
        return Ok(());
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut read: u64 = 0;
    loop {
        match z.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                read += n as u64;
                if read > size {
                    return Err(format!(
                        "holds more than the {size} bytes its header declares"
                    ));
                }
            }
            Err(e) => {
                return Err(format!(
                    "is truncated or damaged: {read} of {size} bytes inflate ({e})"
                ))
            }
        }
    }
    if read < size {
        return Err(format!(
            "is truncated: {read} of the {size} bytes its header declares inflate"
        ));
    }
    Ok(())
}
