use anyhow::Context;

use crate::cli::SchemaArgs;

pub fn run(args: SchemaArgs) -> anyhow::Result<u8> {
    if let Some(dir) = args.out {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for (kind, file) in scopectl::schema::KINDS {
            let text = scopectl::schema::schema(kind)
                .with_context(|| format!("cannot generate the {kind} schema"))?;
            let path = dir.join(file);
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::print(&format!("wrote {}\n", path.display()))?;
        }
        return Ok(super::EXIT_OK);
    }
    let Some(kind) = args.kind else {
        anyhow::bail!("name a file kind (scope, client or policy), or pass --out DIR to write all");
    };
    let text = scopectl::schema::schema(&kind)
        .with_context(|| format!("cannot generate the {kind} schema"))?;
    super::print(&text)?;
    Ok(super::EXIT_OK)
}
