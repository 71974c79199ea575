//! `scopectl codeowners [PATH] [--check FILE | --write FILE]`: the CODEOWNERS block that
//! maps each scope and client file to its owner team's code-host handle
//! ([`scopectl::codeowners`]).

use anyhow::Context;

use super::out::Out;
use crate::cli::CodeownersArgs;
use scopectl::codeowners;
use scopectl::finding::Outcome;

/// CODEOWNERS files are small; a bigger one is not read (GitHub ignores files over 3 MB).
const MAX_CODEOWNERS_BYTES: u64 = 3 * 1024 * 1024;

pub fn run(mut args: CodeownersArgs, out: &Out) -> anyhow::Result<Outcome> {
    if let Some(r) = args.registry.take() {
        args.path = r;
    }
    let loaded = super::load::load_registry(&args.path, out)?;
    let prefix = args
        .path_prefix
        .clone()
        .unwrap_or_else(|| super::repo_relative(&args.path));
    let block = codeowners::generate(&loaded.registry, &prefix);
    for line in &block.unresolved {
        out.err(&format!("warning: no code owner for {line}\n"))?;
    }
    let unresolved = if args.strict && !block.unresolved.is_empty() {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    if let Some(file) = &args.check {
        let text = read(file)?;
        let committed = codeowners::find(&text).map(|r| &text[r]);
        return Ok(match committed {
            Some(c) if c == block.text => {
                out.text(&format!(
                    "ok: the scopectl block of {} is up to date\n",
                    file.display()
                ))?;
                unresolved
            }
            Some(c) => {
                let diff = similar::TextDiff::from_lines(c, block.text.as_str());
                out.text(&format!(
                    "the scopectl block of {} is stale; `scopectl codeowners --write {}` updates it:\n{}",
                    file.display(),
                    file.display(),
                    diff.unified_diff().header("committed", "expected")
                ))?;
                Outcome::Findings
            }
            None => {
                out.text(&format!(
                    "{} has no scopectl block; `scopectl codeowners --write {}` adds it\n",
                    file.display(),
                    file.display()
                ))?;
                Outcome::Findings
            }
        });
    }
    if let Some(file) = &args.write {
        let text = if file.exists() {
            read(file)?
        } else {
            String::new()
        };
        let new = codeowners::replace(&text, &block.text);
        std::fs::write(file, new).with_context(|| format!("cannot write {}", file.display()))?;
        out.text(&format!("wrote the scopectl block of {}\n", file.display()))?;
        return Ok(unresolved);
    }
    out.text(&block.text)?;
    Ok(unresolved)
}

fn read(file: &std::path::Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_CODEOWNERS_BYTES {
        anyhow::bail!(
            "{} is {size} bytes; CODEOWNERS files over {MAX_CODEOWNERS_BYTES} bytes are not read",
            file.display()
        );
    }
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}
