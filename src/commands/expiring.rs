//! `scopectl expiring [PATH] --within 30d`: the grants that expire soon (or have), grouped
//! by owner ([`scopectl::lint::expiring`]).

use std::io::IsTerminal;

use super::out::Out;
use crate::cli::{ExpiringArgs, ReportingFormat};
use scopectl::finding::Outcome;
use scopectl::lint::expiring;

pub fn run(mut args: ExpiringArgs, out: &Out) -> anyhow::Result<Outcome> {
    if let Some(r) = args.registry.take() {
        args.path = r;
    }
    let loaded = super::load::load_registry(&args.path, out)?;
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    let e = expiring::expiring(&loaded.registry, today, &args.within);
    // Never listed: said, so that a short list does not read as "nothing to renew".
    let forever = (loaded.registry.clients.values())
        .flat_map(|c| &c.grants)
        .filter(|g| g.def.expires.is_none())
        .count();
    if forever > 0 {
        out.err(&format!("note: {forever} grant(s) without `expires` are not listed: they never expire (`scopectl lint` reports them)\n"))?;
    }
    match args.format {
        ReportingFormat::Human => {
            let width = scopectl::output::table::table_width(std::io::stdout().is_terminal());
            out.text(&expiring::table(&e, width))?
        }
        ReportingFormat::Markdown => out.text(&expiring::markdown(&e))?,
        ReportingFormat::Json => {
            let mut s = serde_json::to_string_pretty(&e)?;
            s.push('\n');
            out.json(&s)?
        }
    }
    Ok(Outcome::Clean)
}
