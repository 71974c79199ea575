//! `scopectl keys`: read a server's signing keys ([`scopectl::keyring::source`]), check
//! them ([`scopectl::keyring::check`]) against the registry's policy, print them.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::out::Out;
use crate::cli::{KeysArgs, KeysFormat};
use scopectl::finding::{Outcome, Severity};
use scopectl::keyring::{self, render, source};
use scopectl::token::check::{lookup_registry, RegistryLookup};
use scopectl::token::verify::FetchOptions;

pub fn run(args: KeysArgs, out: &Out) -> anyhow::Result<Outcome> {
    let json = args.format == KeysFormat::Json;
    let fetch = FetchOptions {
        insecure_http: args.insecure_http,
        timeout: args.timeout,
    };
    let registry = match lookup_registry(args.registry.as_deref()) {
        Ok(RegistryLookup::Found(r)) => Some(r),
        Ok(RegistryLookup::None) => None,
        Ok(RegistryLookup::Skipped(warning)) => {
            out.err(&format!("warning: {warning}\n"))?;
            None
        }
        Ok(RegistryLookup::Broken { message, .. }) => return fail(out, json, &message),
        Err(e) => return fail(out, json, &format!("{e:#}")),
    };
    let root = args.registry.clone().unwrap_or_else(|| PathBuf::from("."));
    let read = match (&args.jwks, &args.discover, &registry) {
        (Some(j), _, _) => source::jwks(j, &fetch),
        (_, Some(i), _) => source::discover(i, &fetch),
        (_, _, Some(r)) => source::target(r, &root, args.target.as_deref(), &fetch),
        (_, _, None) => Err(anyhow::anyhow!(
            "no keys to read: give --jwks FILE|URL, --discover ISSUER, or --target NAME with a registry (--registry PATH) whose scopectl.toml defines it"
        )),
    };
    let mut report = match read {
        Ok(r) => r,
        Err(e) => return fail(out, json, &format!("{e:#}")),
    };
    let (policy, overrides) = keyring::judged_by(registry.as_ref());
    let now = args.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    keyring::check(&mut report, &policy, &overrides, now);
    if json {
        out.json(&render::json(&report, now))?;
    } else {
        let width = scopectl::output::table::table_width(std::io::stdout().is_terminal());
        out.text(&render::human(&report, width))?;
    }
    let warned = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Warning);
    Ok(match report.outcome() {
        Outcome::Clean if args.deny_warnings && warned => Outcome::Findings,
        o => o,
    })
}

/// The keys could not be read: say why (JSON with an `error` member), exit 2.
fn fail(out: &Out, json: bool, message: &str) -> anyhow::Result<Outcome> {
    if json {
        out.json(&render::error_json(message))?;
    }
    out.err(&format!("error: {message}\n"))?;
    Ok(Outcome::Unusable)
}
