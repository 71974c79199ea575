//! `scopectl decode`: read the token (argv, stdin or a `--batch` file), check it with the
//! library ([`scopectl::token`]), print the rendering, return the exit code.

use std::io::{BufRead, Read};

use anyhow::Context as _;

use super::{print, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE};
use crate::cli::{DecodeArgs, DecodeFormat};
use scopectl::output::{clean, Color};
use scopectl::token::check::{lookup_registry, Checker, Outcome, RegistryLookup};
use scopectl::token::keys::{self, KeySource};
use scopectl::token::verify::{FetchOptions, DEFAULT_ALGORITHMS};
use scopectl::token::{self, batch, render};

pub fn run(args: DecodeArgs, color: Color) -> anyhow::Result<u8> {
    if args.list_rules {
        let json = args.format == DecodeFormat::Json;
        print(&if json {
            render::rules_json()
        } else {
            render::rules_table()
        })?;
        return Ok(EXIT_OK);
    }
    let registry = match lookup_registry(args.registry.as_deref())? {
        RegistryLookup::Found(r) => Some(r),
        RegistryLookup::None => None,
        RegistryLookup::Skipped(warning) => {
            eprintln!("warning: {warning}");
            None
        }
        RegistryLookup::Broken { loaded, message } => {
            let files = &loaded.registry.files;
            eprint!(
                "{}",
                scopectl::output::human::render(files, &loaded.diagnostics, color)
            );
            eprintln!("error: {message}");
            return Ok(EXIT_UNUSABLE);
        }
    };
    let allowed = if args.algs.is_empty() {
        DEFAULT_ALGORITHMS.to_vec()
    } else {
        args.algs.clone()
    };
    let policy = registry
        .as_ref()
        .map(|r| r.policy.clone())
        .unwrap_or_default();
    let ctx = Checker {
        now: args.now.unwrap_or_else(|| chrono::Utc::now().timestamp()),
        today: args.today,
        policy: &policy,
        registry: registry.as_ref(),
        iss: args.iss.as_deref(),
        aud: &args.aud,
        allowed: &allowed,
        batch: args.batch.is_some(),
        overrides: registry
            .as_ref()
            .map(scopectl::lint::level_overrides)
            .unwrap_or_default(),
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
        let keys = match keys::resolve(source, args.iss.as_deref(), &fetch) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("error: {}", clean(&format!("{e:#}")));
                return Ok(EXIT_UNUSABLE);
            }
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
    let token_iss = decoded.claim_str("iss");
    let issuer = match keys::discovery_issuer(
        args.discover,
        args.iss.as_deref(),
        registry.as_ref(),
        token_iss,
    ) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(EXIT_UNUSABLE);
        }
    };
    let keys = keys::resolve(source, issuer.as_ref().map(|i| i.url.as_str()), &fetch);
    let mut result = ctx.check(decoded, keys.as_ref().map_err(|e| format!("{e:#}")));
    result.trusted_by = issuer.and_then(|i| i.trusted_by);
    match args.format {
        DecodeFormat::Json => print(&render::json(&result))?,
        DecodeFormat::Human => print(&render::human(&result, &ctx, color))?,
    }
    Ok(exit_code(result.outcome()))
}

fn exit_code(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Clean => EXIT_OK,
        Outcome::Findings => EXIT_FINDINGS,
        Outcome::Unusable => EXIT_UNUSABLE,
    }
}
