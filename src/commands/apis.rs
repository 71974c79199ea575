//! `scopectl apis export openapi NAME [--check FILE]`: the `flows.*.scopes` map an API's
//! OpenAPI files should carry, from the registry ([`scopectl::registry::apis`]), or how a
//! spec's maps differ from it.

use super::out::Out;
use crate::cli::{ApisCommand, ApisFormat};
use scopectl::finding::Outcome;
use scopectl::registry::{apis, Registry};

pub fn run(command: ApisCommand, out: &Out) -> anyhow::Result<Outcome> {
    let ApisCommand::Export(args) = command;
    let loaded = Registry::load_dir(&args.registry)?;
    let registry = &loaded.registry;
    if !loaded.is_ok() {
        let shown =
            scopectl::output::human::render(&registry.files, &loaded.diagnostics, out.color());
        out.err(&shown)?;
        anyhow::bail!("the registry does not load; fix the errors above first");
    }
    let Some(api) = registry.apis.get(&args.name) else {
        let known: Vec<&str> = registry.apis.keys().map(String::as_str).collect();
        anyhow::bail!(
            "no API `{}` in the registry (it has: {})",
            args.name,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    let map = apis::export_scopes(registry, api);
    let Some(file) = &args.check else {
        let yaml = args.format == Some(ApisFormat::Yaml);
        out.text(&apis::render_export(&map, yaml)?)?;
        return Ok(Outcome::Clean);
    };
    let described = match apis::read_spec_file(file) {
        Ok((_, d)) => d,
        Err((files, findings)) => {
            out.err(&scopectl::output::human::render(
                &files,
                &findings,
                out.color(),
            ))?;
            anyhow::bail!("cannot read the OpenAPI file {}", file.display());
        }
    };
    let diffs = apis::stale_entries(&map, &described);
    let json = args.format == Some(ApisFormat::Json);
    let shown = apis::render_check(&api.name, &file.display().to_string(), &diffs, json)?;
    match json {
        true => out.json(&shown)?,
        false => out.text(&shown)?,
    }
    Ok(if diffs.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
