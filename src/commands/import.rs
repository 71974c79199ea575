//! `scopectl import keycloak`: read a realm (a live target or an export file) and write a
//! registry for it. An adapter: arguments → [`scopectl::import`] → report → outcome.

use super::out::Out;
use crate::cli::{ImportArgs, ImportFormat, ImportFrom};
use scopectl::finding::Outcome;
use scopectl::import::{self, write, Options};

pub fn run(args: ImportArgs, out: &Out) -> anyhow::Result<Outcome> {
    let ImportFrom::Keycloak(args) = args.from;
    let (realm, source) = match &args.from_export {
        Some(file) => write::read_export(file, args.realm.as_deref())?,
        None => write::read_target(&args.registry, args.target.as_deref())?,
    };
    let options = Options {
        include_built_ins: args.include_built_ins,
        adopt: args.adopt,
        owner: args.owner.clone(),
        sensitivity: args.sensitivity,
        today: args.today.unwrap_or_else(scopectl::today_utc),
    };
    if args.update {
        return update(&args, &realm, &options, out);
    }
    let dest = args.out.as_deref().unwrap_or(&args.registry);
    let (imported, written) = write::import(&realm, &source, dest, &options)?;
    match args.format {
        ImportFormat::Human => out.text(&import::report_text(&imported, &source, &written))?,
        ImportFormat::Json => out.json(&import::report_json(&imported, &source, &written)?)?,
    }
    Ok(Outcome::Clean)
}

/// `--update`: the additions as one edit of the existing registry, checked like every edit.
fn update(
    args: &crate::cli::ImportKeycloakArgs,
    realm: &import::realm::Realm,
    options: &Options,
    out: &Out,
) -> anyhow::Result<Outcome> {
    let e = crate::cli::EditArgs {
        registry: args.registry.clone(),
        today: Some(options.today),
        dry_run: args.dry_run,
    };
    if args.format == ImportFormat::Json {
        anyhow::bail!("--update prints what it adds as text (like `scopectl grant`); --format json is not supported with it");
    }
    super::edit::apply(&e, out, |reg, _| {
        let env = args
            .target
            .as_deref()
            .and_then(|t| reg.target_environment(t));
        let (edit, up) = import::update::update(reg, &args.registry, realm, options, env)?;
        let list = |v: &[(String, String)]| {
            v.iter()
                .map(|(c, s)| format!("{c} → {s}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut lines = Vec::new();
        for (what, items) in [
            ("scope", up.scopes.join(", ")),
            ("client", up.clients.join(", ")),
            ("grant", list(&up.grants)),
            ("claim", list(&up.claims)),
        ] {
            if !items.is_empty() {
                lines.push(format!("new {what}(s): {items}\n"));
            }
        }
        if !up.not_on_server.is_empty() {
            lines.push(format!("in the registry but not assigned on the server (left alone; `plan` shows them): {}\n", list(&up.not_on_server)));
        }
        if !up.claims_not_on_server.is_empty() {
            lines.push(format!("declared in the registry but released by no mapper on the server (left alone; `plan` shows them): {}\n", list(&up.claims_not_on_server)));
        }
        out.err(&lines.concat())?;
        Ok(edit)
    })
}
