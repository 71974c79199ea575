//! Rendering a checked token for a person (human text, coloured on request) or a script
//! (the JSON document, one JSON line per `--batch` token, the error document of an input
//! that does not decode), and the `--list-rules` table. Returns strings; never prints.
//!
//! The JSON shapes are contracts (version 1): fields are only ever added.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use super::check::{Acceptance, Checked, Checker, Question};
use super::findings::{self, ScopeInfo, TimeClaim};
use super::verify::{Status, Verification};
use super::InputError;
use crate::finding::{Severity, Summary};
use crate::output::json::CompactFinding;
use crate::output::Color;
use crate::registry::types::format_seconds;
use crate::rules::Rule;
use crate::text::clean;

/// The JSON document of one token (`--format json`).
pub fn doc(c: &Checked, line: Option<usize>) -> Doc<'_> {
    Doc {
        version: 1,
        tool: "scopectl",
        line,
        valid: c.valid(),
        now: findings::utc(c.now),
        signature: &c.verification,
        header: &c.decoded.header,
        claims: &c.decoded.claims,
        times: &c.analysis.times,
        client: c.analysis.client.as_deref(),
        registry_client: c.analysis.registry_client_if_other(),
        environment: c.analysis.environment.as_deref(),
        scopes: &c.analysis.scopes,
        size: Size {
            token_bytes: c.decoded.token.len(),
            header_bytes: c.decoded.header_line_bytes(),
            header_budget: c.header_budget,
        },
        summary: Summary::of(&c.findings),
        verdict: verdict(c),
        need: c.need.as_ref(),
        endpoint: c.endpoint.as_ref(),
        jwks: &c.jwks_keys,
        findings: c.findings.iter().map(CompactFinding).collect(),
        notes: &c.notes,
    }
}

/// What a `--batch` run says on stderr before its lines: its notes (`note: …`, said once
/// rather than on every line), then `jwks_warnings` (the JWKS's key findings).
pub fn batch_stderr(ctx: &Checker, jwks_warnings: String) -> String {
    let mut s: String = ctx
        .ignored_levels()
        .iter()
        .map(|n| format!("note: {}\n", clean(n)))
        .collect();
    s.push_str(&jwks_warnings);
    s
}

/// The JSON line of one `--batch` token; `scopes` only `with_registry`.
pub fn batch_doc(c: &Checked, line: usize, with_registry: bool) -> BatchDoc<'_> {
    let v = &c.verification;
    BatchDoc {
        line,
        valid: c.valid(),
        signature: BatchSignature {
            status: v.status,
            alg: v.alg.as_deref(),
            kid: v.kid.as_deref(),
            key: v.key.as_deref(),
        },
        header: &c.decoded.header,
        claims: &c.decoded.claims,
        client: c.analysis.client.as_deref(),
        registry_client: c.analysis.registry_client_if_other(),
        environment: c.analysis.environment.as_deref(),
        scopes: with_registry.then_some(&c.analysis.scopes[..]),
        token_bytes: c.decoded.token.len(),
        verdict: verdict(c),
        need: c.need.as_ref(),
        findings: c.findings.iter().map(CompactFinding).collect(),
    }
}

/// The verdict: each finding counted under the one question it answers, so the counts
/// add up to the summary.
pub fn verdict(c: &Checked) -> Verdict {
    Verdict {
        acceptance: c.acceptance(),
        not_checked: c.not_checked(),
        acceptance_counts: Summary::of(c.findings_of(Question::Acceptance)),
        policy: Summary::of(c.findings_of(Question::Policy)),
        need: (c.need.is_some() || c.endpoint.is_some()).then(|| {
            let findings = Summary::of(c.findings_of(Question::Need));
            NeedVerdict {
                satisfied: findings.errors == 0,
                findings,
            }
        }),
    }
}

/// The pretty JSON document of one token, with a final newline.
pub fn json(c: &Checked) -> String {
    pretty(&doc(c, None))
}

/// The pretty JSON error document of an input that does not decode, with a final newline.
pub fn error_json(e: &InputError) -> String {
    pretty(&error_doc(None, e))
}

#[derive(Serialize)]
pub struct Doc<'a> {
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
    /// The registry client `client` names when that is an environment's client_id
    /// (`[client.ids]`); absent when it is the registry id.
    #[serde(skip_serializing_if = "Option::is_none")]
    registry_client: Option<&'a str>,
    /// The environment the grants were judged in (`--target`'s, or the one whose
    /// `[client.ids]` entry `client` is); absent when not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    scopes: &'a [ScopeInfo],
    size: Size,
    summary: Summary,
    /// Would a resource server accept the token (signature, time, issuer, audience, size),
    /// and, apart from that, what the registry's policy says.
    verdict: Verdict,
    /// The answer to `--need`, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    need: Option<&'a super::need::Need>,
    /// The answer to `--endpoint`, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<&'a super::endpoint::EndpointAnswer>,
    /// The keys of the JWKS the signature was checked against, as `scopectl keys` lists
    /// them (absent without a JWKS).
    #[serde(skip_serializing_if = "<[Value]>::is_empty")]
    jwks: &'a [Value],
    findings: Vec<CompactFinding<'a>>,
    /// About the run rather than the token: the `[rules]` levels decode ignores (absent
    /// when there is none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

/// The questions of the verdict apart: would a resource server accept the token, does it
/// carry what the endpoint needs (only when asked), and what does the registry's policy
/// say. Each finding is counted under one of them: `acceptance_counts`, `need` and
/// `policy` add up to the summary.
#[derive(Serialize)]
pub struct Verdict {
    acceptance: Acceptance,
    /// What `acceptance` did not check (`issuer`, `audience`): without `--iss` / `--aud`
    /// any issuer and audience pass, so a resource server that checks them may refuse.
    not_checked: Vec<&'static str>,
    /// The findings behind `acceptance`: what rejects the token, a key that could not
    /// check it.
    acceptance_counts: Summary,
    policy: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    need: Option<NeedVerdict>,
}

/// `--need`/`--endpoint`: whether the token carries what the endpoint needs (its scopes,
/// and a fresh authentication for a step-up operation), and the counts of those findings.
#[derive(Serialize)]
pub struct NeedVerdict {
    satisfied: bool,
    #[serde(flatten)]
    findings: Summary,
}

/// One `--batch` line: the document without what is the same on every line (`now`,
/// `header_budget`, the tool) or derivable (`times`, the signature's message).
#[derive(Serialize)]
pub struct BatchDoc<'a> {
    line: usize,
    valid: bool,
    signature: BatchSignature<'a>,
    header: &'a Map<String, Value>,
    claims: &'a Map<String, Value>,
    client: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registry_client: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'a [ScopeInfo]>,
    token_bytes: usize,
    /// As in the document: a log scan tells "accepted, policy error" from "rejected".
    verdict: Verdict,
    /// The answer to `--need`, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    need: Option<&'a super::need::Need>,
    findings: Vec<CompactFinding<'a>>,
}

#[derive(Serialize)]
pub struct BatchSignature<'a> {
    status: Status,
    alg: Option<&'a str>,
    kid: Option<&'a str>,
    key: Option<&'a str>,
}

#[derive(Serialize)]
pub struct Size {
    token_bytes: usize,
    header_bytes: usize,
    header_budget: u64,
}

#[derive(Serialize)]
pub struct ErrorDoc {
    version: u32,
    tool: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    valid: bool,
    error: ErrorBody,
}

#[derive(Serialize)]
pub struct ErrorBody {
    code: Rule,
    part: Option<&'static str>,
    message: String,
    help: Option<String>,
}

pub fn error_doc(line: Option<usize>, e: &InputError) -> ErrorDoc {
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

pub fn pretty<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v)
        .unwrap_or_else(|e| format!("{{\"version\":1,\"error\":\"cannot serialize: {e}\"}}"));
    s.push('\n');
    s
}

// ---------------------------------------------------------------------------------------
// Human output

/// Colours segments of human output with termcolor: bold, and red, yellow or green;
/// without colour the text is unchanged.
struct Paint(Color);

impl Paint {
    fn paint(&self, fg: Option<termcolor::Color>, s: &str) -> String {
        use std::io::Write as _;
        use termcolor::{Buffer, ColorSpec, WriteColor as _};
        let mut buffer = match self.0 {
            Color::Always => Buffer::ansi(),
            Color::Never => return s.to_string(),
        };
        let mut spec = ColorSpec::new();
        spec.set_reset(false).set_bold(true).set_fg(fg);
        // Writing to memory cannot fail.
        let _ = buffer.set_color(&spec);
        let _ = buffer.write_all(s.as_bytes());
        let _ = buffer.reset();
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }
    fn red(&self, s: &str) -> String {
        self.paint(Some(termcolor::Color::Red), s)
    }
    fn yellow(&self, s: &str) -> String {
        self.paint(Some(termcolor::Color::Yellow), s)
    }
    fn green(&self, s: &str) -> String {
        self.paint(Some(termcolor::Color::Green), s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint(None, s)
    }
    fn severity(&self, sev: Severity) -> String {
        match sev {
            Severity::Error => self.red("error"),
            Severity::Warning => self.yellow("warning"),
            Severity::Note => self.bold("note"),
        }
    }
}

pub fn human_error(e: &InputError, color: Color) -> String {
    let p = Paint(color);
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

/// What an accepted token was found acceptable in, and what was not checked:
/// `time, issuer, audience and size acceptable`, or `time and size acceptable; issuer and
/// audience not checked (no --iss, no --aud)`.
fn checked_text(not_checked: &[&str]) -> String {
    let all = ["time", "issuer", "audience", "size"];
    let ok: Vec<&str> = all
        .into_iter()
        .filter(|w| !not_checked.contains(w))
        .collect();
    let list = |w: &[&str]| match w {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    if not_checked.is_empty() {
        return format!("{} acceptable", list(&ok));
    }
    let flags: Vec<&str> = not_checked
        .iter()
        .map(|w| {
            if *w == "issuer" {
                "no --iss"
            } else {
                "no --aud"
            }
        })
        .collect();
    format!(
        "{} acceptable; {} not checked ({})",
        list(&ok),
        list(not_checked),
        flags.join(", ")
    )
}

pub fn human(c: &Checked, ctx: &Checker, color: Color) -> String {
    let p = Paint(color);
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
        Status::Introspected if c.findings.iter().any(|f| f.rule == Rule::TokenInactive) => {
            p.red(&format!("✗ {message}"))
        }
        Status::Introspected => p.green(&format!("✓ {message}")),
    };
    let _ = writeln!(s, "{line}");
    if let Some(target) = &c.trusted_by {
        let _ = writeln!(
            s,
            "  note: the issuer is trusted because the registry's target `{}` names it",
            clean(target)
        );
    }
    // The on-call questions first: would a resource server accept it, and apart from
    // that, what does the registry's policy say?
    let policy = Summary::of(c.policy_findings());
    let accepted = match c.acceptance() {
        Acceptance::Accepted => {
            let how = if c.verification.status == Status::Introspected {
                "active by introspection"
            } else {
                "signature verified"
            };
            p.green(&format!("yes ({how}; {})", checked_text(&c.not_checked())))
        }
        Acceptance::Rejected { because } => p.red(&format!(
            "NO: {}",
            because
                .iter()
                .map(|r| r.id())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Acceptance::Unknown { because } => p.yellow(&format!("cannot tell: {because}")),
    };
    let _ = writeln!(s, "Accepted by a resource server: {accepted}");
    if let Some(need) = &c.need {
        let all: Vec<String> = need
            .scopes
            .iter()
            .map(|r| clean(&r.scope).into_owned())
            .collect();
        let answer = if need.satisfied {
            p.green("yes")
        } else {
            let missing: Vec<String> = need
                .missing()
                .map(|r| {
                    let grant = match (r.defined, r.granted) {
                        (Some(false), _) => "not defined in the registry",
                        (_, Some(true)) => "granted in the registry: request it",
                        (_, Some(false)) => "NOT granted in the registry",
                        (_, None) => "grant unknown",
                    };
                    format!("{} ({grant})", clean(&r.scope))
                })
                .collect();
            p.red(&format!("NO (403): lacks {}", missing.join(", ")))
        };
        let _ = writeln!(
            s,
            "Carries what the endpoint needs ({}): {answer}",
            all.join(" ")
        );
    }
    if let Some(e) = &c.endpoint {
        let answer = match e.accepted {
            "yes" => p.green("yes"),
            "no" => {
                let status = if e.because.iter().any(|r| r != "token/need-missing") {
                    "401/403"
                } else {
                    "403"
                };
                p.red(&format!("NO ({status}): {}", e.because.join(", ")))
            }
            _ => p.yellow("cannot tell: the signature was not verified"),
        };
        let alternatives: Vec<String> = e
            .requirements
            .iter()
            .map(|alt| match alt.is_empty() {
                true => "no scope".to_string(),
                false => alt
                    .iter()
                    .map(|s| clean(s).into_owned())
                    .collect::<Vec<_>>()
                    .join(" + "),
            })
            .collect();
        let _ = writeln!(
            s,
            "Accepted at {} (API {}, aud {}, needs {}{}): {answer}",
            clean(&e.operation),
            clean(&e.api),
            clean(&e.audience),
            alternatives.join(" or "),
            if e.step_up { ", step-up" } else { "" }
        );
    }
    let _ = writeln!(
        s,
        "Registry policy: {}",
        match (policy.errors, policy.warnings) {
            (0, 0) => "no findings".to_string(),
            (e, w) => format!(
                "{e} error{}, {w} warning{} (below)",
                if e == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" }
            ),
        }
    );
    for n in &c.notes {
        let _ = writeln!(s, "  note: {}", clean(n));
    }
    let _ = writeln!(s);
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
    for set in &c.jwks_keys {
        let source = set["source"].as_str().unwrap_or("JWKS");
        let _ = writeln!(s, "{} of the {}", p.bold("Keys"), clean(source));
        for k in set["keys"].as_array().into_iter().flatten() {
            let text = |key: &str| k[key].as_str().map(|v| clean(v).into_owned());
            let size = match (k["bits"].as_u64(), text("curve")) {
                (Some(b), _) => format!("{b} bits"),
                (None, Some(c)) => c,
                _ => "-".into(),
            };
            let _ = writeln!(
                s,
                "  kid {:<20} {:<6} {:<4} {:<4} {}",
                text("kid").unwrap_or_else(|| "(none)".into()),
                text("alg").unwrap_or_else(|| "-".into()),
                text("use").unwrap_or_else(|| "-".into()),
                text("kty").unwrap_or_default(),
                size
            );
        }
    }
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
            format_seconds(exp.saturating_sub(*iat).max(0) as u64),
            ctx.policy.access_token_lifetime
        );
    }

    let env = c.analysis.environment.as_deref();
    let in_env = env.map(|e| format!(" in {}", clean(e))).unwrap_or_default();
    let who = match (&c.analysis.client, ctx.registry) {
        (Some(cl), Some(_)) if c.analysis.registry_client_if_other().is_some() => format!(
            " (client {}: registry client {}{in_env})",
            clean(cl),
            clean(c.analysis.registry_client_if_other().unwrap_or_default())
        ),
        (Some(cl), Some(_)) if c.analysis.registry_client.is_some() => {
            format!(" (client {}{in_env})", clean(cl))
        }
        (Some(cl), Some(_)) => format!(" (client {}, not in the registry)", clean(cl)),
        (Some(cl), None) => format!(" (client {}; no registry)", clean(cl)),
        (None, _) => String::new(),
    };
    let _ = writeln!(s, "{}{}", p.bold("Scopes"), who);
    if c.analysis.scopes.is_empty() {
        let why = match (c.decoded.claims.get("scope"), c.decoded.claims.get("scp")) {
            (Some(Value::String(_)), _) => "`scope` is empty",
            (Some(Value::Array(a)), _) if a.is_empty() => "`scope` is an empty array",
            (Some(Value::Array(_)), _) => "`scope` holds no strings",
            (Some(_), _) => "`scope` is not a string",
            (None, Some(Value::Array(a))) if !a.is_empty() => "`scp` holds no strings",
            (None, Some(Value::String(_) | Value::Array(_))) => "`scp` is empty",
            (None, Some(_)) => "`scp` is not an array",
            (None, None) => "no `scope` or `scp` claim",
        };
        let _ = writeln!(s, "  (none: {why})");
    }
    // A scope that holds a TAB (`scope` split on spaces only) is shown on its line.
    let shown = |scope: &str| clean(&findings::escape_separators(scope)).into_owned();
    let width = c
        .analysis
        .scopes
        .iter()
        .map(|x| shown(&x.scope).chars().count())
        .max()
        .unwrap_or(0);
    for x in &c.analysis.scopes {
        let mut row = format!("  {:<width$}", shown(&x.scope));
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

    let _ = writeln!(s, "{}", p.bold("Header"));
    s.push_str(&indent_json(&c.decoded.header));
    let _ = writeln!(s, "{}", p.bold("Claims"));
    s.push_str(&indent_json(&c.decoded.claims));

    let sum = Summary::of(&c.findings);
    let verdict = result(c, &p);
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

/// The result line's verdict: `valid`, `INVALID` (a resource server rejects it), `could
/// not verify`, or what stands between the token and `valid`: the endpoint's need and the
/// registry's policy errors, after whether a resource server accepts it.
fn result(c: &Checked, p: &Paint) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    if c.verification.key_unusable {
        return p.red("could not verify: the key is unusable");
    }
    if c.valid() {
        return p.green("valid");
    }
    if let Acceptance::Rejected { because } = c.acceptance() {
        // A malformed signature is named: it is not the key's fault, nor a forgery.
        return match because.contains(&Rule::TokenSignatureMalformed) {
            true => p.red("INVALID: the signature is malformed"),
            false => p.red("INVALID"),
        };
    }
    let errors = |q: Question| {
        c.findings_of(q)
            .filter(|f| f.severity == Severity::Error)
            .collect::<Vec<_>>()
    };
    let need = errors(Question::Need);
    let mut lacks = Vec::new();
    if need.iter().any(|f| f.rule == Rule::TokenNeedMissing) {
        lacks.push("lacks what the endpoint needs (403)".to_string());
    }
    if need.iter().any(|f| f.rule != Rule::TokenNeedMissing) {
        lacks.push("the endpoint asks for a fresh authentication (step-up)".to_string());
    }
    let policy = errors(Question::Policy).len();
    if policy > 0 {
        lacks.push(plural(policy, "policy error"));
    }
    let trusted = c.verification.status.trusted();
    match (trusted, lacks.is_empty()) {
        (false, true) => p.yellow("no errors, but NOT verified"),
        (true, true) => p.red(&format!(
            "accepted by a resource server, but {}",
            plural(Summary::of(&c.findings).errors, "error")
        )),
        (true, false) => p.red(&format!(
            "accepted by a resource server, but {}",
            lacks.join(", and ")
        )),
        (false, false) => p.red(&format!("NOT verified, and {}", lacks.join(", and "))),
    }
}

/// The token rules (`--list-rules`) at the levels `overrides` (the registry's `[rules]`)
/// set: pretty JSON, or a table `width` columns wide.
pub fn rules(
    json: bool,
    overrides: &std::collections::HashMap<Rule, crate::rules::Level>,
    width: u16,
) -> String {
    let rows = crate::output::rules::rows(findings::rules(), overrides);
    if json {
        crate::output::rules::json(&rows)
    } else {
        crate::output::rules::table(&rows, "finding", width)
    }
}
