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
    let dest = args.out.as_deref().unwrap_or(&args.registry);
    let (imported, written) = write::import(&realm, &source, dest, &options)?;
    match args.format {
        ImportFormat::Human => out.text(&import::report_text(&imported, &source, &written))?,
        ImportFormat::Json => out.json(&import::report_json(&imported, &source, &written)?)?,
    }
    Ok(Outcome::Clean)
}
