//! `scopectl decode --introspect URL | --introspect-target NAME`: ask the authorization
//! server about the token ([`scopectl::introspect`]) and show the answer as decode shows a
//! token, with the same findings.

use super::out::Out;
use crate::cli::{DecodeArgs, DecodeFormat};
use scopectl::finding::Outcome;
use scopectl::introspect::{CliCredentials, Introspector};
use scopectl::token::check::{lookup_registry, Checker, RegistryLookup};
use scopectl::token::verify::{FetchOptions, DEFAULT_ALGORITHMS};
use scopectl::token::{self, keys, render};

pub fn run(args: DecodeArgs, out: &Out) -> anyhow::Result<Outcome> {
    let registry = match lookup_registry(args.registry.as_deref())? {
        RegistryLookup::Found(r) => Some(r),
        RegistryLookup::None => None,
        RegistryLookup::Skipped(warning) => {
            out.err(&format!("warning: {warning}\n"))?;
            None
        }
        RegistryLookup::Broken { message, .. } => return unusable(out, &message),
    };
    let fetch = FetchOptions {
        insecure_http: args.insecure_http,
        timeout: args.timeout,
    };
    let creds = CliCredentials {
        client_id: args.client_id.as_deref(),
        secret_env: args.client_secret_env.as_deref(),
        secret_file: args.client_secret_file.as_deref(),
    };
    // Keys given on the command line verify an RFC 9701 (signed JWT) answer.
    let keys = match keys::resolve_all(&args.key_sources(), args.iss.as_deref(), &fetch) {
        Ok(k) => k,
        Err(e) => return unusable(out, &format!("{e:#}")),
    };
    let root = args.registry.clone().unwrap_or_else(|| ".".into());
    let made = match (&args.introspect, &args.introspect_target, &registry) {
        (Some(url), _, _) => Introspector::from_url(url, &creds, &fetch, keys),
        (None, Some(t), Some(r)) => Introspector::from_target(r, &root, t, &creds, &fetch, keys),
        _ => Err(anyhow::anyhow!(
            "--introspect-target needs a registry (--registry PATH) whose scopectl.toml defines the target"
        )),
    };
    let introspector = match made {
        Ok(i) => i,
        Err(e) => return unusable(out, &format!("{e:#}")),
    };
    let now = args.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let ctx = Checker {
        iss: args.iss.as_deref(),
        aud: &args.aud,
        allowed: DEFAULT_ALGORITHMS,
        batch: args.batch.is_some(),
        need: &args.need,
        ..Checker::new(registry.as_ref(), now, args.today)
    };
    if let Some(file) = &args.batch {
        // What `decode --batch` says once on stderr: `[rules]` levels decode does not apply.
        out.err(&render::batch_stderr(&ctx, String::new()))?;
        let reader = token::batch::open(file)?;
        let concurrency = usize::from(args.concurrency);
        let sink = out.json_stream();
        return scopectl::introspect::batch(reader, sink, file, &ctx, &introspector, concurrency);
    }
    let input = token::read_input(args.token.as_deref())?;
    let result = match introspector.check(&ctx, &input) {
        Ok(r) => r,
        Err(e) => return unusable(out, &format!("{e:#}")),
    };
    match args.format == DecodeFormat::Json {
        true => out.json(&render::json(&result))?,
        false => out.text(&render::human(&result, &ctx, out.color()))?,
    }
    Ok(result.outcome())
}

fn unusable(out: &Out, message: &str) -> anyhow::Result<Outcome> {
    out.err(&format!("error: {message}\n"))?;
    Ok(Outcome::Unusable)
}
