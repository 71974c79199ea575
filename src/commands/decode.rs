//! `scopectl decode`: decode a token, verify it, check it, and render the result for a
//! person (human) or a script (JSON, JSON lines with `--batch`).

use std::fmt::Write as _;
use std::io::{BufRead, Read, Write};
use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{print, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE};
use crate::cli::{DecodeArgs, DecodeFormat};
use scopectl::finding::{Finding, Severity, Summary};
use scopectl::output::json::CompactFinding;
use scopectl::output::{clean, Color};
use scopectl::policy::Policy;
use scopectl::registry::Registry;
use scopectl::rules::Rule;
use scopectl::token::findings::{self, Analysis, ScopeInfo, TimeClaim};
use scopectl::token::verify::{self, FetchOptions, KeySet, Status, Verification};
use scopectl::token::{self, Decoded, InputError};

pub fn run(args: DecodeArgs, color: Color) -> anyhow::Result<u8> {
    if args.list_rules {
        return list_rules(args.format);
    }
    let now = args.now.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let registry = match load_registry(args.registry.as_deref(), color)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let allowed: Vec<jsonwebtoken::Algorithm> = if args.algs.is_empty() {
        verify::DEFAULT_ALGORITHMS.to_vec()
    } else {
        args.algs.clone()
    };
    let policy = registry
        .as_ref()
        .map(|r| r.policy.clone())
        .unwrap_or_default();
    let ctx = Checker {
        now,
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

    if let Some(batch) = &args.batch {
        return run_batch(batch, &args, &ctx, &fetch);
    }

    let input = match args.token.as_deref() {
        Some("-") | None => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("cannot read the token from stdin")?;
            String::from_utf8(buf).map_err(|e| {
                anyhow::anyhow!(
                    "the token on stdin is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            })?
        }
        Some(t) => t.to_string(),
    };
    let decoded = match token::decode(&input) {
        Ok(d) => d,
        Err(e) => {
            match args.format {
                DecodeFormat::Json => print(&pretty(&error_doc(None, &e)))?,
                DecodeFormat::Human => print(&human_error(&e, color))?,
            }
            return Ok(EXIT_UNUSABLE);
        }
    };
    // --discover fetches keys from an issuer: never from one named only by the
    // unverified token itself (any token could vouch for itself), so it needs --iss, or
    // a token `iss` that a [targets.NAME] of the registry names.
    let mut trusted_by = None;
    let issuer = match (&args.iss, args.discover) {
        (Some(i), true) => Some(i.clone()),
        (None, true) => match trusted_issuer(registry.as_ref(), decoded.claim_str("iss")) {
            Some((iss, target)) => {
                trusted_by = Some(target);
                Some(iss)
            }
            None => {
                eprintln!(
                    "error: {}",
                    untrusted_issuer_message(decoded.claim_str("iss"))
                );
                return Ok(EXIT_UNUSABLE);
            }
        },
        (_, false) => None,
    };
    let keys = resolve_keys(&args, issuer.as_deref(), &fetch);
    let mut result = ctx.check(decoded, keys.as_ref().map_err(|e| format!("{e:#}")));
    result.trusted_by = trusted_by;
    match args.format {
        DecodeFormat::Json => print(&pretty(&result.doc(None)))?,
        DecodeFormat::Human => print(&human(&result, &ctx, color))?,
    }
    Ok(result.exit_code())
}

/// The registry: `--registry PATH` (a failure to load is fatal), else the current
/// directory when it looks like one (a failure is a warning).
fn load_registry(
    path: Option<&Path>,
    color: Color,
) -> anyhow::Result<Result<Option<Registry>, u8>> {
    let (root, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => {
            let cwd = std::path::PathBuf::from(".");
            let looks = ["scopectl.toml", "scopes", "clients"]
                .iter()
                .any(|f| cwd.join(f).exists());
            if !looks {
                return Ok(Ok(None));
            }
            (cwd, false)
        }
    };
    let loaded = match Registry::load_dir(&root) {
        Ok(l) => l,
        Err(e) if explicit => {
            return Err(e.context(format!("cannot load the registry at {}", root.display())))
        }
        Err(e) => {
            eprintln!("warning: the current directory looks like a registry but cannot be read ({e:#}); checking without it");
            return Ok(Ok(None));
        }
    };
    if loaded.is_ok() {
        return Ok(Ok(Some(loaded.registry)));
    }
    if explicit {
        let text =
            scopectl::output::human::render(&loaded.registry.files, &loaded.diagnostics, color);
        eprint!("{text}");
        eprintln!(
            "error: the registry at {} does not load; fix it (scopectl lint) or pass another --registry",
            root.display()
        );
        return Ok(Err(EXIT_UNUSABLE));
    }
    eprintln!("warning: the current directory looks like a registry but does not load (see `scopectl lint .`); checking without it");
    Ok(Ok(None))
}

/// The issuers the registry's push targets name: Keycloak `{url}/realms/{realm}`, an
/// RFC 7592 server's `url`. With the name of the target.
fn target_issuers(registry: &Registry) -> Vec<(String, String)> {
    let Some((_, file)) = &registry.policy_file else {
        return Vec::new();
    };
    file.targets
        .iter()
        .filter_map(|(name, t)| {
            let url = t.url.trim_end_matches('/');
            let issuer = match *t.kind {
                scopectl::policy::TargetKind::Keycloak => {
                    format!("{url}/realms/{}", t.realm.as_ref()?.as_str())
                }
                scopectl::policy::TargetKind::Rfc7592 => url.to_string(),
            };
            Some((issuer, name.to_string()))
        })
        .collect()
}

/// The token's `iss` when a registry target names it: `(issuer, target name)`.
fn trusted_issuer(registry: Option<&Registry>, iss: Option<&str>) -> Option<(String, String)> {
    let iss = iss?.trim_end_matches('/');
    target_issuers(registry?)
        .into_iter()
        .find(|(issuer, _)| issuer == iss)
}

fn untrusted_issuer_message(iss: Option<&str>) -> String {
    let named = match iss {
        Some(i) => format!(
            "the token names the issuer {:?}, but the token is not verified yet, so anyone can mint a token naming a server of theirs that serves matching keys",
            clean(i)
        ),
        None => "the token has no `iss`".to_string(),
    };
    format!(
        "--discover needs --iss, the issuer whose keys to trust: {named}; pass --iss URL (or --jwks), or name the issuer in a [targets.NAME] of the registry's scopectl.toml"
    )
}

fn resolve_keys(
    args: &DecodeArgs,
    issuer: Option<&str>,
    fetch: &FetchOptions,
) -> anyhow::Result<Option<KeySet>> {
    if let Some(p) = &args.key {
        return KeySet::from_pem_file(&p.to_string_lossy()).map(Some);
    }
    if let Some(p) = &args.secret_file {
        return KeySet::from_secret_file(&p.to_string_lossy()).map(Some);
    }
    if let Some(v) = &args.secret_env {
        return KeySet::from_secret_env(v).map(Some);
    }
    if let Some(j) = &args.jwks {
        let lower = j.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return verify::fetch_jwks(j, fetch).map(Some);
        }
        return KeySet::from_jwks_file(j).map(Some);
    }
    if args.discover {
        let Some(issuer) = issuer else {
            anyhow::bail!("--discover with --batch needs --iss: the issuer whose keys to fetch")
        };
        return verify::discover(issuer, fetch).map(Some);
    }
    Ok(None)
}

struct Checker<'a> {
    now: i64,
    today: Option<chrono::NaiveDate>,
    policy: &'a Policy,
    registry: Option<&'a Registry>,
    iss: Option<&'a str>,
    aud: &'a [String],
    allowed: &'a [jsonwebtoken::Algorithm],
    /// `--batch`: lean per-line documents.
    batch: bool,
    /// `[rules]` levels from the registry's scopectl.toml.
    overrides: std::collections::HashMap<Rule, scopectl::finding::Level>,
}

/// Everything known about one token.
struct Checked {
    decoded: Decoded,
    verification: Verification,
    analysis: Analysis,
    findings: Vec<Finding>,
    now: i64,
    header_budget: u64,
    /// `--discover` without `--iss`: the registry target that names the token's issuer.
    trusted_by: Option<String>,
}

impl Checker<'_> {
    fn check(&self, decoded: Decoded, keys: Result<&Option<KeySet>, String>) -> Checked {
        let verification = match keys {
            Ok(k) => verify::verify(&decoded, k.as_ref(), self.allowed),
            Err(msg) => Verification {
                status: Status::Unverified,
                alg: decoded.alg().map(str::to_string),
                kid: decoded.kid().map(str::to_string),
                key: None,
                message: format!("signature NOT verified: the key is unusable: {msg}"),
                findings: vec![Finding::error(Rule::TokenKeyUnusable, msg)],
                key_unusable: true,
            },
        };
        let analysis = findings::check(
            &decoded,
            &findings::Context {
                now: self.now,
                today: self.today,
                policy: self.policy,
                registry: self.registry,
                expected_iss: self.iss,
                expected_aud: self.aud,
                describe_times: !self.batch,
            },
        );
        let mut all: Vec<Finding> = verification.findings.clone();
        all.extend(analysis.findings.iter().cloned());
        scopectl::lint::apply_token_overrides(&mut all, &self.overrides);
        // Errors first, then warnings, then notes; stable within a level.
        all.sort_by_key(|d| std::cmp::Reverse(d.severity));
        Checked {
            decoded,
            verification,
            analysis,
            findings: all,
            now: self.now,
            header_budget: self.policy.header_budget,
            trusted_by: None,
        }
    }
}

impl Checked {
    fn has_errors(&self) -> bool {
        self.findings.iter().any(|d| d.severity == Severity::Error)
    }

    fn valid(&self) -> bool {
        self.verification.status == Status::Verified && !self.has_errors()
    }

    fn exit_code(&self) -> u8 {
        if self.verification.key_unusable {
            EXIT_UNUSABLE
        } else if self.has_errors() {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }

    fn batch_doc(&self, line: usize, with_registry: bool) -> BatchDoc<'_> {
        let v = &self.verification;
        BatchDoc {
            line,
            valid: self.valid(),
            signature: BatchSignature {
                status: v.status,
                alg: v.alg.as_deref(),
                kid: v.kid.as_deref(),
                key: v.key.as_deref(),
            },
            header: &self.decoded.header,
            claims: &self.decoded.claims,
            client: self.analysis.client.as_deref(),
            scopes: with_registry.then_some(&self.analysis.scopes[..]),
            token_bytes: self.decoded.token.len(),
            findings: self.findings.iter().map(CompactFinding).collect(),
        }
    }

    fn doc(&self, line: Option<usize>) -> Doc<'_> {
        Doc {
            version: 1,
            tool: "scopectl",
            line,
            valid: self.valid(),
            now: findings::utc(self.now),
            signature: &self.verification,
            header: &self.decoded.header,
            claims: &self.decoded.claims,
            times: &self.analysis.times,
            client: self.analysis.client.as_deref(),
            scopes: &self.analysis.scopes,
            size: Size {
                token_bytes: self.decoded.token.len(),
                header_bytes: self.decoded.header_line_bytes(),
                header_budget: self.header_budget,
            },
            summary: Summary::of(&self.findings),
            findings: self.findings.iter().map(CompactFinding).collect(),
        }
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    valid: bool,
    now: String,
    signature: &'a Verification,
    header: &'a Map<String, Value>,
    claims: &'a Map<String, Value>,
    times: &'a [TimeClaim],
    client: Option<&'a str>,
    scopes: &'a [ScopeInfo],
    size: Size,
    summary: Summary,
    findings: Vec<CompactFinding<'a>>,
}

/// One `--batch` line: the document without what is the same on every line (`now`,
/// `header_budget`, the tool) or derivable (`times`, the signature's message).
#[derive(Serialize)]
struct BatchDoc<'a> {
    line: usize,
    valid: bool,
    signature: BatchSignature<'a>,
    header: &'a Map<String, Value>,
    claims: &'a Map<String, Value>,
    client: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'a [ScopeInfo]>,
    token_bytes: usize,
    findings: Vec<CompactFinding<'a>>,
}

#[derive(Serialize)]
struct BatchSignature<'a> {
    status: Status,
    alg: Option<&'a str>,
    kid: Option<&'a str>,
    key: Option<&'a str>,
}

#[derive(Serialize)]
struct Size {
    token_bytes: usize,
    header_bytes: usize,
    header_budget: u64,
}

#[derive(Serialize)]
struct ErrorDoc {
    version: u32,
    tool: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    valid: bool,
    error: ErrorBody,
}

#[derive(Serialize)]
struct ErrorBody {
    code: Rule,
    part: Option<&'static str>,
    message: String,
    help: Option<String>,
}

fn error_doc(line: Option<usize>, e: &InputError) -> ErrorDoc {
    ErrorDoc {
        version: 1,
        tool: "scopectl",
        line,
        valid: false,
        error: ErrorBody {
            code: e.rule(),
            part: e.part().map(|p| p.as_str()),
            message: e.to_string(),
            help: e.help(),
        },
    }
}

fn pretty<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v)
        .unwrap_or_else(|e| format!("{{\"version\":1,\"error\":\"cannot serialize: {e}\"}}"));
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------
// Human output

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn red(&self, s: &str) -> String {
        self.wrap("1;31", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("1;33", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("1;32", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn severity(&self, sev: Severity) -> String {
        match sev {
            Severity::Error => self.red("error"),
            Severity::Warning => self.yellow("warning"),
            Severity::Note => self.bold("note"),
        }
    }
}

fn human_error(e: &InputError, color: Color) -> String {
    let p = Paint(color == Color::Always);
    let mut s = String::new();
    // A JWE or an opaque token is not broken, only uncheckable: a warning, still exit 2.
    let head = if e.is_recognised() {
        p.yellow("warning")
    } else {
        p.red("error")
    };
    let _ = writeln!(s, "{head}[{}]: {}", e.rule(), clean(&e.to_string()));
    if let Some(h) = e.help() {
        let _ = writeln!(s, "  help: {}", clean(&h));
    }
    s
}

/// Pretty JSON, indented, with what JSON leaves raw (DEL, C1 controls, bidi overrides)
/// escaped for the terminal.
fn indent_json(v: &Map<String, Value>) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.lines().map(|l| format!("  {}\n", clean(l))).collect()
}

fn human(c: &Checked, ctx: &Checker, color: Color) -> String {
    let p = Paint(color == Color::Always);
    let mut s = String::new();
    let v = &c.verification;
    // The message names the token's kid and key sources: escape terminal controls.
    let message = clean(&v.message);
    let line = match v.status {
        Status::Verified => p.green(&format!("✓ {message}")),
        Status::Unverified => p.yellow(&format!(
            "⚠ signature NOT verified — {}",
            message.trim_start_matches("signature NOT verified: ")
        )),
        Status::Invalid => p.red(&format!("✗ {message}")),
        Status::Refused => p.red(&format!("✗ signature NOT verified: {message}")),
    };
    let _ = writeln!(s, "{line}");
    if let Some(target) = &c.trusted_by {
        let _ = writeln!(
            s,
            "  note: the issuer is trusted because the registry's target `{}` names it",
            clean(target)
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", p.bold("Header"));
    s.push_str(&indent_json(&c.decoded.header));
    let _ = writeln!(s, "{}", p.bold("Claims"));
    s.push_str(&indent_json(&c.decoded.claims));

    let _ = writeln!(s, "{} (now {})", p.bold("Times"), findings::utc(c.now));
    if c.analysis.times.is_empty() {
        let _ = writeln!(s, "  (no iat, nbf, exp or auth_time)");
    }
    for t in &c.analysis.times {
        let rel = match t.claim {
            "exp" if t.unix <= c.now => format!("expired {}", t.relative),
            "exp" => format!("expires {}", t.relative),
            "iat" => format!("issued {}", t.relative),
            "nbf" => format!("valid from {}", t.relative),
            _ => format!("authenticated {}", t.relative),
        };
        let _ = writeln!(s, "  {:<10} {}  {}", t.claim, t.utc, rel);
    }
    let times: std::collections::HashMap<&str, i64> =
        c.analysis.times.iter().map(|t| (t.claim, t.unix)).collect();
    if let (Some(exp), Some(iat)) = (times.get("exp"), times.get("iat")) {
        let _ = writeln!(
            s,
            "  {:<10} {} (policy: at most {})",
            "lifetime",
            scopectl::registry::types::format_seconds(exp.saturating_sub(*iat).max(0) as u64),
            ctx.policy.access_token_lifetime
        );
    }

    let who = match (&c.analysis.client, ctx.registry) {
        (Some(cl), Some(r)) if r.clients.contains_key(cl) => format!(" (client {})", clean(cl)),
        (Some(cl), Some(_)) => format!(" (client {}, not in the registry)", clean(cl)),
        (Some(cl), None) => format!(" (client {}; no registry)", clean(cl)),
        (None, _) => String::new(),
    };
    let _ = writeln!(s, "{}{}", p.bold("Scopes"), who);
    if c.analysis.scopes.is_empty() {
        let why = match (c.decoded.claims.get("scope"), c.decoded.claims.get("scp")) {
            (Some(Value::String(_) | Value::Array(_)), _) => "`scope` is empty",
            (Some(_), _) => "`scope` is not a string",
            (None, Some(Value::String(_) | Value::Array(_))) => "`scp` is empty",
            (None, Some(_)) => "`scp` is not an array",
            (None, None) => "no `scope` or `scp` claim",
        };
        let _ = writeln!(s, "  (none: {why})");
    }
    let width = c
        .analysis
        .scopes
        .iter()
        .map(|x| clean(&x.scope).chars().count())
        .max()
        .unwrap_or(0);
    for x in &c.analysis.scopes {
        let mut row = format!("  {:<width$}", clean(&x.scope));
        match x.defined {
            Some(true) => {
                let _ = write!(
                    row,
                    "  {:<8}  {}",
                    x.sensitivity.unwrap_or(""),
                    clean(x.description.as_deref().unwrap_or(""))
                );
                if x.step_up {
                    row.push_str("  [step-up]");
                }
            }
            Some(false) | None if x.standard => row.push_str("  standard OIDC scope"),
            Some(false) => row.push_str(&format!("  {}", p.red("not defined in the registry"))),
            None => {}
        }
        match (x.granted, &x.grant_expires) {
            (Some(true), Some(e)) => {
                let _ = write!(row, "  granted until {}", clean(e));
            }
            (Some(false), Some(e)) => {
                let _ = write!(row, "  {}", p.red(&format!("grant expired {}", clean(e))));
            }
            (Some(false), None) => {
                let _ = write!(row, "  {}", p.red("not granted"));
            }
            _ => {}
        }
        let _ = writeln!(s, "{}", row.trim_end());
    }

    let hb = c.decoded.header_line_bytes();
    let pct = if c.header_budget > 0 {
        hb as f64 * 100.0 / c.header_budget as f64
    } else {
        0.0
    };
    let _ = writeln!(
        s,
        "{}\n  token {} bytes; Authorization header {} of {} bytes ({:.0}% of the header budget)",
        p.bold("Size"),
        c.decoded.token.len(),
        hb,
        c.header_budget,
        pct
    );

    let _ = writeln!(s, "{}", p.bold("Findings"));
    if c.findings.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for f in &c.findings {
        let _ = writeln!(
            s,
            "  {}[{}]: {}",
            p.severity(f.severity),
            f.rule,
            clean(&f.message)
        );
        for n in &f.notes {
            let _ = writeln!(s, "      note: {}", clean(n));
        }
        if let Some(h) = &f.help {
            let _ = writeln!(s, "      help: {}", clean(h));
        }
    }
    let sum = Summary::of(&c.findings);
    let verdict = if c.verification.key_unusable {
        p.red("could not verify: the key is unusable")
    } else if c.valid() {
        p.green("valid")
    } else if c.has_errors() {
        p.red("INVALID")
    } else {
        p.yellow("no errors, but NOT verified")
    };
    let _ = writeln!(
        s,
        "\nResult: {verdict} ({} error{}, {} warning{})",
        sum.errors,
        if sum.errors == 1 { "" } else { "s" },
        sum.warnings,
        if sum.warnings == 1 { "" } else { "s" }
    );
    s
}

// ---------------------------------------------------------------------------------------
// --batch

/// Lines processed per parallel round.
const CHUNK: usize = 16 * 1024;

fn run_batch(
    source: &str,
    args: &DecodeArgs,
    ctx: &Checker,
    fetch: &FetchOptions,
) -> anyhow::Result<u8> {
    let keys = match resolve_keys(args, args.iss.as_deref(), fetch) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {}", clean(&format!("{e:#}")));
            return Ok(EXIT_UNUSABLE);
        }
    };
    let reader: Box<dyn BufRead> = if source == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin().lock()))
    } else {
        let f = std::fs::File::open(source)
            .with_context(|| format!("cannot open the batch file {source}"))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, f))
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut worst = EXIT_OK;
    let mut lines = reader.split(b'\n');
    let mut number = 0usize;
    loop {
        let mut chunk: Vec<(usize, Vec<u8>)> = Vec::with_capacity(CHUNK);
        for line in lines.by_ref() {
            let line = line.with_context(|| format!("cannot read the batch input {source}"))?;
            number += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            chunk.push((number, line));
            if chunk.len() == CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(threads);
        let results: Vec<(Vec<u8>, u8)> = if threads == 1 || chunk.len() < 64 {
            vec![batch_part(&chunk, ctx, &keys)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = chunk
                    .chunks(per)
                    .map(|part| {
                        let keys = &keys;
                        s.spawn(move || batch_part(part, ctx, keys))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            (
                                b"{\"error\":{\"code\":\"internal\",\"message\":\"a worker thread failed\"}}\n"
                                    .to_vec(),
                                EXIT_UNUSABLE,
                            )
                        })
                    })
                    .collect()
            })
        };
        for (text, code) in results {
            out.write_all(&text)?;
            worst = worse(worst, code);
        }
    }
    out.flush()?;
    Ok(worst)
}

/// 2 beats 1 beats 0.
fn worse(a: u8, b: u8) -> u8 {
    a.max(b)
}

fn batch_part(lines: &[(usize, Vec<u8>)], ctx: &Checker, keys: &Option<KeySet>) -> (Vec<u8>, u8) {
    let mut out: Vec<u8> = Vec::with_capacity(lines.len() * 700);
    let mut worst = EXIT_OK;
    for (n, bytes) in lines {
        let text = String::from_utf8_lossy(bytes);
        let (written, code) = match token::decode(&text) {
            // A malformed line is a finding about the log, not a failure of the run.
            Err(e) => (
                serde_json::to_writer(&mut out, &error_doc(Some(*n), &e)),
                EXIT_FINDINGS,
            ),
            Ok(d) => {
                let c = ctx.check(d, Ok(keys));
                let code = c.exit_code();
                (
                    serde_json::to_writer(&mut out, &c.batch_doc(*n, ctx.registry.is_some())),
                    code,
                )
            }
        };
        if let Err(e) = written {
            let _ = write!(
                out,
                "{{\"line\":{n},\"error\":{{\"code\":\"internal\",\"message\":{:?}}}}}",
                e.to_string()
            );
        }
        out.push(b'\n');
        worst = worse(worst, code);
    }
    (out, worst)
}

// ---------------------------------------------------------------------------------------

fn list_rules(format: DecodeFormat) -> anyhow::Result<u8> {
    let rows = scopectl::output::rules::rows(findings::rules(), &Default::default());
    print(&match format {
        DecodeFormat::Json => scopectl::output::rules::json(&rows),
        DecodeFormat::Human => scopectl::output::rules::table(&rows, "finding"),
    })?;
    Ok(EXIT_OK)
}
