//! `scopectl decode`: read the token (argv, stdin or a `--batch` file), check it with the
//! library ([`scopectl::token`]), print the rendering, return the exit code.

use std::io::{BufRead, Read};

use anyhow::Context as _;

use super::{print, EXIT_OK, EXIT_UNUSABLE};
use crate::cli::{DecodeArgs, DecodeFormat};
use scopectl::output::{clean, Color};
use scopectl::token::check::{lookup_registry, Checker, Outcome, RegistryLookup};
use scopectl::token::keys::{self, KeySource};
use scopectl::token::verify::{FetchOptions, DEFAULT_ALGORITHMS};
use scopectl::token::{self, batch, render};

pub fn run(args: DecodeArgs, color: Color) -> anyhow::Result<u8> {
    let registry = match lookup_registry(args.registry.as_deref())? {
        RegistryLookup::Found(r) => Some(r),
        RegistryLookup::None => None,
        RegistryLookup::Skipped(warning) => {
            eprintln!("warning: {warning}");
            None
        }
        RegistryLookup::Broken { loaded, message } => {
            let (files, diagnostics) = (&loaded.registry.files, &loaded.diagnostics);
            eprint!(
                "{}",
                scopectl::output::human::render(files, diagnostics, color)
            );
            return Ok(unusable(&message));
        }
    };
    if args.list_rules {
        let overrides = registry.as_ref().map(scopectl::lint::level_overrides);
        let json = args.format == DecodeFormat::Json;
        print(&render::rules(json, &overrides.unwrap_or_default()))?;
        return Ok(EXIT_OK);
    }
    let iss = args.iss.as_deref();
    let now = args.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let ctx = Checker {
        iss,
        aud: &args.aud,
        allowed: Some(&args.algs[..])
            .filter(|a| !a.is_empty())
            .unwrap_or(DEFAULT_ALGORITHMS),
        batch: args.batch.is_some(),
        ..Checker::new(registry.as_ref(), now, args.today)
    };
    let fetch = FetchOptions {
        insecure_http: args.insecure_http,
        timeout: args.timeout,
    };
    let source = match (&args.key, &args.secret_file, &args.secret_env, &args.jwks) {
        (Some(p), ..) => KeySource::Pem(p),
        (_, Some(p), ..) => KeySource::SecretFile(p),
        (_, _, Some(v), _) => KeySource::SecretEnv(v),
        (.., Some(j)) => KeySource::Jwks(j),
        _ if args.discover => KeySource::Discover,
        _ => KeySource::None,
    };

    if let Some(file) = &args.batch {
        let keys = match keys::resolve(source, iss, &fetch) {
            Ok(k) => k,
            Err(e) => return Ok(unusable(&clean(&format!("{e:#}")))),
        };
        let reader: Box<dyn BufRead> = if file == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin().lock()))
        } else {
            let f = std::fs::File::open(file)
                .with_context(|| format!("cannot open the batch file {file}"))?;
            Box::new(std::io::BufReader::with_capacity(1 << 20, f))
        };
        let stdout = std::io::stdout().lock();
        return Ok(exit_code(batch::run(reader, stdout, file, &ctx, &keys)?));
    }

    let input = match args.token.as_deref() {
        Some("-") | None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("cannot read the token from stdin")?;
            String::from_utf8(buf).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                anyhow::anyhow!(
                    "the token on stdin is not UTF-8 text (invalid byte at offset {at})"
                )
            })?
        }
        Some(t) => t.to_string(),
    };
    let decoded = match token::decode(&input) {
        Ok(d) => d,
        Err(e) => {
            match args.format {
                DecodeFormat::Json => print(&render::error_json(&e))?,
                DecodeFormat::Human => print(&render::human_error(&e, color))?,
            }
            return Ok(EXIT_UNUSABLE);
        }
    };
    let result = match ctx.check_with(decoded, source, &fetch) {
        Ok(r) => r,
        Err(message) => return Ok(unusable(&message)),
    };
    match args.format {
        DecodeFormat::Json => print(&render::json(&result))?,
        DecodeFormat::Human => print(&render::human(&result, &ctx, color))?,
    }
    Ok(exit_code(result.outcome()))
}

fn exit_code(outcome: Outcome) -> u8 {
    outcome.exit_code()
}

/// Print an error that stops the command: exit 2.
fn unusable(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_UNUSABLE
}
