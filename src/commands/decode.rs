//! `scopectl decode`: read the token (argv, stdin or a `--batch` file), check it with the
//! library ([`scopectl::token`]), print the rendering, return the outcome.

use std::io::IsTerminal;

use super::out::Out;
use crate::cli::{DecodeArgs, DecodeFormat};
use scopectl::finding::Outcome;
use scopectl::token::check::{lookup_registry_for, Checker, RegistryLookup};
use scopectl::token::verify::{FetchOptions, DEFAULT_ALGORITHMS};
use scopectl::token::{self, batch, endpoint, keys, render};

pub fn run(args: DecodeArgs, out: &Out) -> anyhow::Result<Outcome> {
    if args.introspect.is_some() || args.introspect_target.is_some() {
        return super::introspect::run(args, out);
    }
    let json = args.format == DecodeFormat::Json;
    // One token: decoded first, so only its client's file is read (`lookup_registry_for`).
    let single = args.batch.is_none() && !args.list_rules;
    let decoded = match single.then(|| token::read_input(args.token.as_deref())) {
        Some(input) => match token::decode(&input?) {
            Ok(d) => Some(d),
            Err(e) if json => return out.json(&render::error_json(&e)).map(|_| Outcome::Unusable),
            Err(e) => {
                let shown = render::human_error(&e, out.color());
                return out.text(&shown).map(|_| Outcome::Unusable);
            }
        },
        None => None,
    };
    let client = decoded
        .as_ref()
        .and_then(|d| d.claim_str("azp").or_else(|| d.claim_str("client_id")));
    let registry = match lookup_registry_for(args.registry.as_deref(), client)? {
        RegistryLookup::Found(r) => Some(r),
        RegistryLookup::None => None,
        RegistryLookup::Skipped(warning) => {
            out.err(&format!("warning: {warning}\n"))?;
            None
        }
        RegistryLookup::Broken { loaded, message } => {
            let (files, found) = (&loaded.registry.files, &loaded.diagnostics);
            out.err(&scopectl::output::human::render(files, found, out.color()))?;
            return unusable(out, &message);
        }
    };
    if args.list_rules {
        let overrides = registry.as_ref().map(scopectl::lint::level_overrides);
        let width = scopectl::output::table::table_width(std::io::stdout().is_terminal());
        out.text(&render::rules(json, &overrides.unwrap_or_default(), width))?;
        return Ok(Outcome::Clean);
    }
    let now = args.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let (iss, reg) = (args.iss.as_deref(), registry.as_ref());
    let asked = (args.endpoint.as_deref(), args.api.as_deref());
    let (target, aud) = match endpoint::for_token(reg, decoded.as_ref(), asked, &args.aud) {
        Ok(t) => t,
        Err(message) => return unusable(out, &message),
    };
    let environment = reg.zip(args.target.as_deref());
    let ctx = Checker {
        environment: environment.and_then(|(r, t)| r.target_environment(t)),
        iss,
        aud: &aud,
        endpoint: target,
        allowed: Some(&args.algs[..])
            .filter(|a| !a.is_empty())
            .unwrap_or(DEFAULT_ALGORITHMS),
        batch: args.batch.is_some(),
        need: &args.need,
        ..Checker::new(reg, now, args.today)
    };
    let fetch = FetchOptions {
        insecure_http: args.insecure_http,
        timeout: args.timeout,
    };
    let sources = args.key_sources();
    if let Some(file) = &args.batch {
        let keys = match keys::resolve_all(&sources, iss, &fetch) {
            Ok(k) => k,
            Err(e) => return unusable(out, &format!("{e:#}")),
        };
        let warnings = scopectl::keyring::jwks_warnings(keys.as_ref(), reg, now);
        out.err(&render::batch_stderr(&ctx, warnings))?;
        return batch::run(batch::open(file)?, out.json_stream(), file, &ctx, &keys);
    }
    let Some(decoded) = decoded else {
        return unusable(out, "no token to decode");
    };
    let mut result = match ctx.check_with(decoded, &sources, &fetch) {
        Ok(r) => r,
        Err(message) => return unusable(out, &message),
    };
    scopectl::keyring::judge_jwks(&mut result, reg, now);
    if let (Some(t), Some(r)) = (&args.target, reg) {
        let root = args.registry.clone().unwrap_or_else(|| ".".into());
        scopectl::keyring::explain_unknown_kid(&mut result, &ctx, r, &root, t, &fetch);
    }
    match json {
        true => out.json(&render::json(&result))?,
        false => out.text(&render::human(&result, &ctx, out.color()))?,
    }
    Ok(result.outcome())
}

/// Print an error that stops the command.
fn unusable(out: &Out, message: &str) -> anyhow::Result<Outcome> {
    out.err(&format!("error: {message}\n"))?;
    Ok(Outcome::Unusable)
}
