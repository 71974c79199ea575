//! `scopectl schema KIND | --out DIR`: the JSON Schemas of the registry's file kinds.

use anyhow::Context;

use super::out::Out;
use crate::cli::SchemaArgs;
use scopectl::finding::Outcome;

pub fn run(args: SchemaArgs, out: &Out) -> anyhow::Result<Outcome> {
    if let Some(dir) = args.out {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (kind, file) in scopectl::schema::KINDS {
            let text = scopectl::schema::schema(kind)
                .with_context(|| format!("cannot generate the {kind} schema"))?;
            let path = dir.join(file);
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            out.text(&format!("wrote {}\n", path.display()))?;
        }
        return Ok(Outcome::Clean);
    }
    let Some(kind) = args.kind else {
        anyhow::bail!(
            "name a file kind (scope, client, policy or teams), or pass --out DIR to write all"
        );
    };
    let text = scopectl::schema::schema(&kind)
        .with_context(|| format!("cannot generate the {kind} schema"))?;
    out.json(&text)?;
    Ok(Outcome::Clean)
}
