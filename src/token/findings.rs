//! Token findings: the claims checked against the clock, the expected issuer and audience,
//! the policy and the registry. Each finding is a [`Finding`] with a stable
//! `token/*` id and no source position (`primary: None`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use super::Decoded;
use crate::finding::Finding;
use crate::registry::policy::Policy;
use crate::registry::types::format_seconds;
use crate::registry::Registry;
use crate::rules::{Family, Rule};

/// Every finding `decode` can report on a token: the `token/*` family of the catalog.
pub fn rules() -> impl Iterator<Item = Rule> {
    Rule::of(Family::Token)
}

/// What the findings are checked against.
pub struct Context<'a> {
    /// The clock (unix seconds).
    pub now: i64,
    /// The day grant expiry is evaluated on (`--today`); default: the date of `now` (UTC).
    pub today: Option<NaiveDate>,
    pub policy: &'a Policy,
    pub registry: Option<&'a Registry>,
    pub expected_iss: Option<&'a str>,
    pub expected_aud: &'a [String],
    /// Fill in [`Analysis::times`] (UTC and relative renderings); `--batch` skips it.
    pub describe_times: bool,
    /// The environment the token comes from (`decode --target`: the target's), when known.
    pub environment: Option<&'a str>,
}

impl Analysis {
    /// The registry client when the token knows it by another client id (an
    /// environment's): what `decode`'s JSON shows as `registry_client`.
    pub fn registry_client_if_other(&self) -> Option<&str> {
        self.registry_client
            .as_deref()
            .filter(|r| Some(*r) != self.client.as_deref())
    }
}

/// A time claim.
#[derive(Debug, Clone, Serialize)]
pub struct TimeClaim {
    pub claim: &'static str,
    pub unix: i64,
    /// RFC 3339, UTC.
    pub utc: String,
    /// "in 14 min", "3 h ago".
    pub relative: String,
}

/// A scope in the token and what the registry says about it.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeInfo {
    pub scope: String,
    /// `None` without a registry.
    pub defined: Option<bool>,
    pub description: Option<String>,
    pub sensitivity: Option<&'static str>,
    pub step_up: bool,
    /// A standard OpenID Connect (or Keycloak default) scope such as `openid` or
    /// `profile`: never reported as undefined or not granted.
    pub standard: bool,
    /// `None` without a registry or a known client.
    pub granted: Option<bool>,
    /// Last valid day of the client's grant.
    pub grant_expires: Option<String>,
}

/// Everything learnt from the claims.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub times: Vec<TimeClaim>,
    pub client: Option<String>,
    /// The registry `id` of the client the token's client id names (through
    /// `[client.ids]` too: `shop-web-prod` is `shop-web` in prod); `None` when the
    /// registry does not know it. [`Analysis::registry_client_if_other`] is what JSON shows.
    pub registry_client: Option<String>,
    /// The environment the token's grants were judged in: `decode --target`'s, or the one
    /// whose `[client.ids]` entry the token's client id is.
    pub environment: Option<String>,
    pub scopes: Vec<ScopeInfo>,
    pub findings: Vec<Finding>,
}

/// "in 14 min", "3 h ago", "now".
pub fn relative(delta: i64) -> String {
    let a = delta.unsigned_abs();
    let amount = if a < 60 {
        format!("{a} s")
    } else if a < 3600 {
        format!("{} min", a / 60)
    } else if a < 48 * 3600 {
        let (h, m) = (a / 3600, (a % 3600) / 60);
        if m == 0 || h >= 10 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else {
        format!("{} d", a / 86_400)
    };
    match delta {
        0 => "now".into(),
        d if d > 0 => format!("in {amount}"),
        _ => format!("{amount} ago"),
    }
}

/// RFC 3339 in UTC, or the raw number when out of range.
pub fn utc(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("{unix} (out of range)"))
}

fn dur(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else {
        relative(seconds)
            .trim_start_matches("in ")
            .trim_end_matches(" ago")
            .to_string()
    }
}

/// Read a NumericDate claim. `Err` when present but not a number.
fn numeric(d: &Decoded, name: &str) -> Result<Option<i64>, String> {
    match d.claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e17)
                    .map(|f| f as i64)
            })
            .filter(|t| DateTime::<Utc>::from_timestamp(*t, 0).is_some())
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "`{name}` is {n}, out of range for a time in seconds since 1970 (NumericDate)"
                )
            }),
        Some(Value::String(s)) => Err(format!(
            "`{name}` is the string {s:?}; it must be a number of seconds since 1970 (NumericDate)"
        )),
        Some(other) => Err(format!(
            "`{name}` is {}; it must be a number of seconds since 1970 (NumericDate)",
            super::json_type(other)
        )),
    }
}

/// The token's scopes: `scope` (a space-separated string, RFC 8693 §4.2 and RFC 9068
/// §2.2.3) or, without `scope`, `scp` (an array of strings as Azure AD and Okta write it,
/// or a space-separated string). Also the `token/invalid-claim` findings on the claim, if
/// any: the scopes are still read from an array (its strings), so the analysis shows what
/// the token carries, and a string is split on spaces only (RFC 6749 §3.3), as a resource
/// server splits it, so `orders:read\torders:write` is one scope, said to hold a TAB.
pub fn scopes(d: &Decoded) -> (Vec<String>, Vec<Finding>) {
    const RFC: &str = "it must be a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3)";
    const ARRAY_HELP: &str = "the issuer should write the scopes as one space-separated string; a resource server that follows RFC 9068 rejects the token or sees no scope (some, such as Spring Security, also read an array)";
    const SCP_HELP: &str = "`scp` (Azure AD, Okta) is an array of scope names; resource servers reading it cannot use other values";
    let invalid = |msg: String, help: &str| Finding::error(Rule::TokenInvalidClaim, msg).help(help);
    if let Some(v) = d.claims.get("scope") {
        return match v {
            Value::String(s) => split_scopes(s, "scope"),
            Value::Array(a) if a.is_empty() => (
                Vec::new(),
                vec![invalid(
                    format!("`scope` is an empty array; {RFC}"),
                    ARRAY_HELP,
                )],
            ),
            Value::Array(a) => {
                let (read, odd) = strings(a, "scope");
                let mut msg = format!(
                    "`scope` is an array of {} value{}; {RFC}",
                    a.len(),
                    if a.len() == 1 { "" } else { "s" }
                );
                if !read.is_empty() {
                    msg.push_str(&format!(
                        "; the {} string{} it holds {} still read as the token's scopes",
                        read.len(),
                        if read.len() == 1 { "" } else { "s" },
                        if read.len() == 1 { "is" } else { "are" }
                    ));
                }
                if let Some(odd) = odd {
                    msg.push_str(&format!("; {odd}"));
                }
                let mut found = vec![invalid(msg, ARRAY_HELP)];
                found.extend(elements_with_separators(&read, "scope"));
                (read, found)
            }
            other => (
                Vec::new(),
                vec![invalid(
                    format!("`scope` is {}; {RFC}", super::json_type(other)),
                    ARRAY_HELP,
                )],
            ),
        };
    }
    match d.claims.get("scp") {
        None => (Vec::new(), Vec::new()),
        Some(Value::Array(a)) => {
            let (read, odd) = strings(a, "scp");
            let mut found: Vec<Finding> = odd
                .map(|o| invalid(format!("{o}; it must be an array of strings"), SCP_HELP))
                .into_iter()
                .collect();
            found.extend(elements_with_separators(&read, "scp"));
            (read, found)
        }
        Some(Value::String(s)) => split_scopes(s, "scp"),
        Some(other) => (
            Vec::new(),
            vec![invalid(
                format!(
                    "`scp` is {}; it must be an array of strings",
                    super::json_type(other)
                ),
                SCP_HELP,
            )],
        ),
    }
}

/// What the issuer should do about scopes joined with something else than a space.
const SEPARATOR_HELP: &str = "the issuer (or a protocol mapper) joined the scopes with something else than a space: separate them with single spaces (RFC 6749 §3.3); until then a resource server does not see the scopes apart";

/// Is `c` a character that separates words, or a control character, other than the
/// space: never part of a scope token (RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`), and
/// never a separator either.
fn is_odd_separator(c: char) -> bool {
    c != ' ' && (c.is_whitespace() || c.is_control())
}

/// The scopes of a space-separated `claim` string, split on spaces (%x20) only, as a
/// resource server following RFC 6749 §3.3 splits it; a `token/invalid-claim` when the
/// string holds other whitespace or control characters, naming them and the scopes that
/// are read as one because of them.
fn split_scopes(s: &str, claim: &str) -> (Vec<String>, Vec<Finding>) {
    let read: Vec<String> = s
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let mut odd: Vec<char> = Vec::new();
    for c in s.chars().filter(|c| is_odd_separator(*c)) {
        if !odd.contains(&c) {
            odd.push(c);
        }
    }
    if odd.is_empty() {
        return (read, Vec::new());
    }
    let joined: Vec<String> = read
        .iter()
        .filter(|p| p.chars().any(is_odd_separator))
        .map(|p| format!("`{}`", escape_separators(p)))
        .collect();
    let message = format!(
        "`{claim}` holds {}: RFC 6749 §3.3 separates scopes with spaces (%x20) only, so a resource server splitting on spaces reads {} as {}",
        odd.iter().map(|c| char_name(*c)).collect::<Vec<_>>().join(" and "),
        joined.join(", "),
        if joined.len() == 1 { "one scope" } else { "one scope each" }
    );
    let finding = Finding::error(Rule::TokenInvalidClaim, message).help(SEPARATOR_HELP);
    (read, vec![finding])
}

/// A `token/invalid-claim` for each element of a `claim` array holding whitespace or a
/// control character: one element is one scope, which holds none (RFC 6749 §3.3).
fn elements_with_separators(read: &[String], claim: &str) -> Vec<Finding> {
    read.iter()
        .filter(|s| s.chars().any(|c| c == ' ' || is_odd_separator(c)))
        .map(|s| {
            Finding::error(
                Rule::TokenInvalidClaim,
                format!(
                    "`{claim}` holds `{}`, with whitespace inside one element: each element is one scope, and a scope holds no whitespace or control characters (RFC 6749 §3.3), so a resource server reads it as one scope",
                    escape_separators(s)
                ),
            )
            .help(SEPARATOR_HELP)
        })
        .collect()
}

/// A character a scope string must not hold, named for a message: `a TAB (\t, U+0009)`.
fn char_name(c: char) -> String {
    let name = match c {
        '\t' => "a TAB (`\\t`, ",
        '\n' => "a line feed (`\\n`, ",
        '\r' => "a carriage return (`\\r`, ",
        '\u{a0}' => "a no-break space (",
        '\u{3000}' => "an ideographic space (",
        _ if c.is_control() => "a control character (",
        _ => "a whitespace character (",
    };
    format!("{name}U+{:04X})", c as u32)
}

/// `s` with the characters [`is_odd_separator`] finds escaped (`\t`, `\n`, `\r`,
/// `\u{a0}`), so a scope that holds them is shown as what it is, on one line; the
/// rest is left as it is (terminal output escapes it further with `text::clean`).
pub fn escape_separators(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_odd_separator) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_odd_separator(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The strings of an array claim, and what else it holds (`` `scp` holds a number ``).
fn strings(a: &[Value], name: &str) -> (Vec<String>, Option<String>) {
    let read = a
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let odd = a.iter().find(|v| !v.is_string()).map(|v| {
        format!(
            "`{name}` holds {}, which is not a scope",
            super::json_type(v)
        )
    });
    (read, odd)
}

/// Check the claims.
pub fn check(d: &Decoded, ctx: &Context) -> Analysis {
    let mut a = Analysis::default();
    let skew = ctx.policy.clock_skew.seconds as i64;
    let now = ctx.now;

    let time = |name: &'static str, a: &mut Analysis| -> Option<i64> {
        match numeric(d, name) {
            Ok(Some(t)) if !ctx.describe_times => Some(t),
            Ok(Some(t)) => {
                a.times.push(TimeClaim {
                    claim: name,
                    unix: t,
                    utc: utc(t),
                    relative: relative(t.saturating_sub(now)),
                });
                Some(t)
            }
            Ok(None) => None,
            Err(msg) => {
                a.findings
                    .push(Finding::error(Rule::TokenInvalidClaim, msg).help(
                        "resource servers reject a token whose time claims they cannot read",
                    ));
                None
            }
        }
    };
    let iat = time("iat", &mut a);
    let nbf = time("nbf", &mut a);
    let exp = time("exp", &mut a);
    let auth_time = time("auth_time", &mut a);
    let exp_present = d.claims.contains_key("exp");

    // RFC 7515 §4.1.11: a `crit` extension the verifier does not understand means reject;
    // scopectl implements none.
    if let Some(crit) = d.header.get("crit") {
        let names = match crit {
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .map(|i| i.as_str().map(|s| format!("`{s}`")))
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join(", ")),
            _ => None,
        };
        let msg = match names {
            Some(n) => format!("the header marks extensions as critical (crit: {n}); scopectl understands none of them, so the token must be rejected (RFC 7515 §4.1.11)"),
            None => format!("the header's `crit` is {}, not a non-empty array of names: the token must be rejected (RFC 7515 §4.1.11)", super::json_type(crit)),
        };
        a.findings.push(Finding::error(Rule::TokenCritUnsupported, msg).help(
            "resource servers that do not implement the extension reject the token; those that ignore `crit` may accept what the issuer meant to restrict",
        ));
    }
    // repeated member names, at any depth: parsers disagree on which value wins. One
    // finding per path, the first `json::LISTED`; the last says how many more there are.
    for (part, repeats) in [
        ("header", &d.duplicate_header),
        ("payload", &d.duplicate_claims),
    ] {
        let listed = repeats.paths.len();
        for (i, path) in repeats.paths.iter().enumerate() {
            let mut f = Finding::error(
                Rule::TokenDuplicateClaim,
                format!("the {part} has the member `{path}` more than once; scopectl shows the last value, other parsers take the first or reject the token"),
            )
            .help("RFC 7519 §4 and RFC 7515 §4: a JWT with duplicate member names must be rejected (or its last value used), and RFC 8259 §4 leaves a repeat in a nested object to each parser; parsers differ, so a check and the real server may see different claims");
            if i + 1 == listed && repeats.more > 0 {
                let more = repeats.more;
                f = f.note(format!(
                    "and {more} more member name{} written more than once in the {part}, not listed (only the first {listed} are)",
                    if more == 1 { "" } else { "s" }
                ));
            }
            a.findings.push(f);
        }
    }

    // keys named by the token itself: never used, but a sign of a key-injection attempt
    // when the issuer does not normally send them
    let embedded: Vec<&str> = ["jwk", "jku", "x5u", "x5c"]
        .into_iter()
        .filter(|h| d.header.contains_key(*h))
        .collect();
    if !embedded.is_empty() {
        a.findings.push(
            Finding::warning(
                Rule::TokenEmbeddedKey,
                format!(
                    "the header carries or points to its own key ({}); scopectl never uses it",
                    embedded.join(", ")
                ),
            )
            .help("a verifier that trusts keys named by the token accepts forgeries; verify only with keys configured for the issuer"),
        );
    }

    // exp
    match exp {
        Some(exp) if now >= exp => {
            let ago = now.saturating_sub(exp);
            let mut f = Finding::error(
                Rule::TokenExpired,
                format!(
                    "the token expired {} ({})",
                    relative(ago.saturating_neg()),
                    utc(exp)
                ),
            )
            .help("get a new token; a resource server answers 401 invalid_token");
            if ago <= skew {
                f = f.note(format!(
                    "within the {} clock-skew allowance: a server with that leeway may still accept it",
                    dur(skew)
                ));
            }
            a.findings.push(f);
        }
        None if !exp_present => a.findings.push(
            Finding::error(Rule::TokenNoExp, "the token has no `exp`: it never expires")
                .help("access tokens must expire; configure the issuer to set `exp`"),
        ),
        _ => {}
    }
    // lifetime
    if let (Some(exp), Some(start)) = (exp, iat.or(nbf)) {
        let lifetime = exp.saturating_sub(start);
        let max = ctx.policy.access_token_lifetime.seconds as i64;
        if lifetime > max {
            a.findings.push(
                Finding::warning(
                    Rule::TokenLifetime,
                    format!(
                        "the token lives {} (exp - {}), longer than the policy's access_token_lifetime of {}",
                        dur(lifetime),
                        if iat.is_some() { "iat" } else { "nbf" },
                        format_seconds(max.max(0) as u64)
                    ),
                )
                .help("shorten the access-token lifespan at the authorization server"),
            );
        }
    }
    // nbf / iat in the future
    if let Some(nbf) = nbf {
        let ahead = nbf.saturating_sub(now);
        if ahead > skew {
            a.findings.push(
                Finding::error(
                    Rule::TokenNotYetValid,
                    format!(
                        "the token is not valid yet: nbf is {} ({}), beyond the {} clock-skew allowance",
                        relative(ahead),
                        utc(nbf),
                        dur(skew)
                    ),
                )
                .help(format!("the issuer's clock is {} ahead of this machine's, or the token was minted for later; check NTP on both", dur(ahead))),
            );
        }
    }
    if let Some(iat) = iat {
        let ahead = iat.saturating_sub(now);
        if ahead > skew {
            a.findings.push(
                Finding::error(
                    Rule::TokenIatFuture,
                    format!(
                        "the token was issued in the future: iat is {} ({}), beyond the {} clock-skew allowance",
                        relative(ahead),
                        utc(iat),
                        dur(skew)
                    ),
                )
                .help(format!("clock skew of {} between the issuer and this machine; check NTP", dur(ahead))),
            );
        }
    }

    // iss
    match d.claims.get("iss") {
        None => {
            let f = if ctx.expected_iss.is_some() {
                Finding::error(
                    Rule::TokenIssMissing,
                    "the token has no `iss`, and --iss expects one",
                )
            } else {
                Finding::warning(
                    Rule::TokenIssMissing,
                    "the token has no `iss`: nobody can tell who issued it",
                )
            };
            a.findings.push(f);
        }
        Some(Value::String(iss)) => {
            if let Some(expected) = ctx.expected_iss {
                if iss.trim_end_matches('/') != expected.trim_end_matches('/') {
                    a.findings.push(
                        Finding::error(
                            Rule::TokenIssMismatch,
                            format!("`iss` is {iss:?}, expected {expected:?}"),
                        )
                        .help("the token comes from another issuer (realm, environment); a resource server answers 401"),
                    );
                }
            }
        }
        Some(other) => a.findings.push(Finding::error(
            Rule::TokenInvalidClaim,
            format!("`iss` is {}; it must be a string", super::json_type(other)),
        )),
    }

    // aud
    let auds: Option<Result<Vec<&str>, &'static str>> = d.claims.get("aud").map(|v| match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().ok_or("an array with non-strings"))
            .collect(),
        other => Err(super::json_type(other)),
    });
    match auds {
        None => {
            let f = if ctx.expected_aud.is_empty() {
                Finding::warning(
                    Rule::TokenAudMissing,
                    "the token has no `aud`: any resource server would accept it",
                )
                .help("RFC 9068 access tokens name their audience")
            } else {
                Finding::error(
                    Rule::TokenAudMissing,
                    format!(
                        "the token has no `aud`, and --aud expects {}",
                        ctx.expected_aud.join(", ")
                    ),
                )
            };
            a.findings.push(f);
        }
        Some(Err(t)) => a.findings.push(Finding::error(
            Rule::TokenInvalidClaim,
            format!("`aud` is {t}; it must be a string or an array of strings"),
        )),
        Some(Ok(list)) => {
            let expected = ctx.expected_aud;
            if !expected.is_empty() && !expected.iter().any(|want| list.contains(&want.as_str())) {
                let wanted = expected
                    .iter()
                    .map(|w| format!("{w:?}"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                a.findings.push(
                    Finding::error(
                        Rule::TokenAudMismatch,
                        format!("`aud` is [{}], which does not contain {wanted}", list.join(", ")),
                    )
                    .help("the token was issued for another API; request it with the right audience (resource indicator / client scope)"),
                );
            }
        }
    }

    // size
    let header_bytes = d.header_line_bytes() as u64;
    if header_bytes > ctx.policy.header_budget {
        a.findings.push(
            Finding::error(
                Rule::TokenOversize,
                format!(
                    "the Authorization header is {header_bytes} bytes, over the policy's header_budget of {}",
                    ctx.policy.header_budget
                ),
            )
            .help("servers and proxies answer 431 Request Header Fields Too Large; trim scopes and claims"),
        );
    }

    // PII
    let pii: Vec<&str> = ctx
        .policy
        .pii_claims
        .iter()
        .filter(|c| d.claims.contains_key(c.as_str()))
        .map(String::as_str)
        .collect();
    if !pii.is_empty() {
        a.findings.push(
            Finding::warning(
                Rule::TokenPii,
                format!("the token carries personal data: {}", pii.join(", ")),
            )
            .help("access tokens travel to every API and into logs; keep PII in the ID token or behind userinfo"),
        );
    }

    // client and scopes
    a.client = d
        .claim_str("azp")
        .or_else(|| d.claim_str("client_id"))
        .map(str::to_string);
    let (scope_list, problems) = scopes(d);
    a.findings.extend(problems);
    let today: NaiveDate = ctx.today.unwrap_or_else(|| {
        DateTime::<Utc>::from_timestamp(now, 0)
            .map(|t| t.date_naive())
            .unwrap_or_default()
    });
    let found = ctx
        .registry
        .zip(a.client.as_deref())
        .and_then(|(r, c)| r.client_for_token(c, ctx.environment));
    let client = found.map(|(c, _)| c);
    let environment = ctx.environment.or(found.and_then(|(_, e)| e));
    a.environment = environment.map(str::to_string);
    a.registry_client = client.map(|c| c.id.clone());
    // `shop-web-prod (registry client shop-web)` when the token's id is an environment's.
    let token_client = a.client.clone();
    let who = |c: &crate::registry::Client| match token_client.as_deref() {
        Some(t) if t != c.id => format!("`{t}` (registry client `{}`)", c.id),
        _ => format!("`{}`", c.id),
    };
    if let (Some(_), Some(c), None) = (ctx.registry, a.client.as_deref(), client) {
        let from = if d.claims.contains_key("azp") {
            "azp"
        } else {
            "client_id"
        };
        let message = match ctx.environment {
            Some(env) => format!(
                "client `{c}` (from `{from}`) is not a client of the registry in environment `{}`",
                crate::text::clean(env)
            ),
            None => format!("client `{c}` (from `{from}`) is not in the registry"),
        };
        a.findings.push(
            Finding::warning(Rule::TokenUnknownClient, message)
            .help("add a clients/*.toml file for it (an environment's client_id goes in `[client.ids]`), or check that this registry governs the token's issuer"),
        );
    }
    let step_up_age = ctx.policy.step_up_max_age.seconds as i64;
    for s in scope_list {
        let mut info = ScopeInfo {
            scope: s.clone(),
            defined: None,
            description: None,
            sensitivity: None,
            step_up: false,
            standard: is_standard_scope(&s),
            granted: None,
            grant_expires: None,
        };
        if let Some(reg) = ctx.registry {
            match reg.scopes.get(&s) {
                Some(def) => {
                    info.defined = Some(true);
                    info.description = Some(def.def.description.get().clone());
                    info.sensitivity = Some(def.def.sensitivity.as_str());
                    info.step_up = def.def.step_up();
                    if def.def.deprecated() {
                        let mut f = Finding::warning(
                            Rule::TokenDeprecatedScope,
                            format!("scope `{s}` is deprecated"),
                        );
                        if let Some(rep) = &def.def.replaced_by {
                            f = f.help(format!("request `{}` instead", rep.get()));
                        }
                        a.findings.push(f);
                    }
                }
                None if info.standard => info.defined = Some(false),
                None => {
                    info.defined = Some(false);
                    a.findings.push(
                        Finding::error(
                            Rule::TokenUndefinedScope,
                            format!(
                                "scope `{}` is not defined in the registry",
                                escape_separators(&s)
                            ),
                        )
                        .help("the authorization server issues a scope the registry does not govern: define it, or remove it at the server (`scopectl drift`)"),
                    );
                }
            }
            if let (Some(client), Some(reg)) = (client, ctx.registry) {
                let reaches = |g: &&crate::registry::Grant| {
                    environment.is_none_or(|e| reg.grant_reaches(client, g, e))
                };
                let of_scope = || client.grants.iter().filter(|g| g.scope() == s);
                let grant = of_scope().find(reaches);
                let elsewhere = grant.is_none() && of_scope().next().is_some();
                match grant {
                    // Standard OpenID Connect scopes are not registry grants.
                    None if info.standard => {}
                    // An undefined scope cannot be granted: one finding for one cause
                    // (`token/undefined-scope` above).
                    None if info.defined == Some(false) => info.granted = Some(false),
                    None => {
                        info.granted = Some(false);
                        let message = match environment {
                            Some(env) if elsewhere => format!(
                                "client {} holds no grant for scope `{s}` in environment `{}` (its grant does not reach it)",
                                who(client),
                                crate::text::clean(env)
                            ),
                            _ => format!("client {} holds no grant for scope `{s}`", who(client)),
                        };
                        a.findings.push(
                            Finding::error(Rule::TokenScopeNotGranted, message)
                            .help("the server hands out more than the registry approves: add an approved grant, or remove the scope from the client at the server"),
                        );
                    }
                    Some(g) => {
                        info.grant_expires = g.def.expires.as_ref().map(|e| e.to_string());
                        if g.is_expired(today) {
                            info.granted = Some(false);
                            a.findings.push(
                                Finding::error(
                                    Rule::TokenGrantExpired,
                                    format!(
                                        "client {}'s grant of `{s}` expired on {}",
                                        who(client),
                                        info.grant_expires.as_deref().unwrap_or("?")
                                    ),
                                )
                                .help("renew the grant with a new approval, or remove it at the server (`scopectl apply`)"),
                            );
                        } else {
                            info.granted = Some(true);
                        }
                    }
                }
            }
            if info.step_up {
                match auth_time {
                    None => a.findings.push(
                        Finding::error(
                            Rule::TokenStepUpStale,
                            format!("scope `{s}` requires step-up authentication, but the token has no `auth_time`"),
                        )
                        .help("request the token with max_age (or prompt=login) so the issuer records auth_time"),
                    ),
                    Some(t) if now.saturating_sub(t) > step_up_age => a.findings.push(
                        Finding::error(
                            Rule::TokenStepUpStale,
                            format!(
                                "scope `{s}` requires authentication within {}, but the user authenticated {}",
                                dur(step_up_age),
                                relative(t.saturating_sub(now))
                            ),
                        )
                        .help("re-authenticate (max_age / prompt=login) before using this scope"),
                    ),
                    Some(_) => {}
                }
            }
        }
        a.scopes.push(info);
    }
    a
}

/// Claims `token/claim-outside-contract` never reports, besides
/// [`crate::registry::claims::REGISTERED_CLAIMS`]: the OpenID Connect standard claims
/// (Core §5.1, released by the standard scopes the registry does not govern), and what
/// Keycloak sets by itself or through its built-in scopes (`roles`, `web-origins`,
/// `microprofile-jwt`, `organization`, sessions, service accounts).
pub const CONTRACT_EXEMPT_CLAIMS: &[&str] = &[
    // OpenID Connect Core §5.1 (profile, email, address, phone).
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    // Other protocol members seen in access tokens (RFC 9068, RFC 7662, RFC 8707, JAR).
    "scp",
    "client_id",
    "token_type",
    "username",
    "resource",
    "authorization_details",
    // Keycloak.
    "session_state",
    "realm_access",
    "resource_access",
    "allowed-origins",
    "upn",
    "groups",
    "organization",
    "clientHost",
    "clientAddress",
    "authorization",
    "trusted-certs",
    "policy",
    "kid",
];

/// `token/claim-outside-contract` (a verified token only): each top-level claim that no
/// scope of the token releases, outside the exempt lists. A claim that another registry
/// scope releases is named with it (the token lacks that scope: a mapper on the wrong
/// scope, or a scope missing from `scope`).
pub fn claims_outside_contract(
    d: &Decoded,
    registry: &Registry,
    scopes: &[String],
) -> Vec<Finding> {
    use crate::registry::claims::{top_level, REGISTERED_CLAIMS};
    let released = |scope: &str| -> Vec<String> {
        registry
            .scopes
            .get(scope)
            .map(|s| s.def.claim_names().map(top_level).collect())
            .unwrap_or_default()
    };
    let in_token: std::collections::BTreeSet<String> =
        scopes.iter().flat_map(|s| released(s)).collect();
    let mut out = Vec::new();
    for name in d.claims.keys() {
        let n = name.as_str();
        if in_token.contains(n)
            || REGISTERED_CLAIMS.contains(&n)
            || CONTRACT_EXEMPT_CLAIMS.contains(&n)
        {
            continue;
        }
        let elsewhere: Vec<&str> = registry
            .scopes
            .keys()
            .filter(|s| released(s).iter().any(|c| c == n))
            .map(String::as_str)
            .collect();
        let shown = crate::text::clean(n);
        let f = if elsewhere.is_empty() {
            Finding::warning(
                Rule::TokenClaimOutsideContract,
                format!("claim `{shown}` is released by no registry scope"),
            )
            .help("a protocol mapper on the server releases a claim the registry does not declare: declare it in the releasing scope's `claims` (`source = \"as-is\"` when another mechanism owns it), or remove the mapper (`scopectl drift` shows scopectl's)")
        } else {
            Finding::warning(
                Rule::TokenClaimOutsideContract,
                format!(
                    "claim `{shown}` is released by {}, which the token does not carry",
                    elsewhere
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .help("a mapper releases it through another scope (or a hand-made one): check the server's mappers with `scopectl drift`")
        };
        out.push(f);
    }
    out
}

/// `token/claim-type` (a verified token only): each claim a scope of the token declares
/// with a `json_type` other than `string` or with `multivalued`, whose value in the token
/// has another shape (a string where a number is declared, one value where a list is).
/// Only top-level claims are looked at (a `.` nests a claim), and only what is declared:
/// a claim declared before types could be declared is not judged.
pub fn claims_of_another_shape(
    d: &Decoded,
    registry: &Registry,
    scopes: &[String],
) -> Vec<Finding> {
    use crate::registry::claims::JsonType;
    use serde_json::Value;
    let fits = |t: JsonType, v: &Value| match t {
        JsonType::String => v.is_string(),
        JsonType::Long => v.is_i64() || v.is_u64(),
        JsonType::Int => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        JsonType::Boolean => v.is_boolean(),
        JsonType::Json => true,
    };
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for scope in scopes {
        let Some(s) = registry.scopes.get(scope) else {
            continue;
        };
        let id_token = s.def.id_token();
        for decl in &s.def.claims {
            let c = crate::registry::claims::resolve(decl, id_token);
            // A type written in the file is judged, `string` included; the default is not
            // (registries written before `json_type` existed say nothing by it).
            let typed = matches!(
                decl.get(),
                crate::registry::claims::ClaimDecl::Table(t) if t.json_type.is_some()
            );
            if !typed && c.multivalued.is_none() {
                continue;
            }
            // A nested name (`address.city`) is looked up where Keycloak puts it.
            let path = crate::registry::claims::path(&c.name);
            let mut found: Option<&Value> = path.first().and_then(|k| d.claims.get(k));
            for k in path.iter().skip(1) {
                found = found.and_then(|v| v.get(k.as_str()));
            }
            let Some(v) = found else {
                continue;
            };
            if !seen.insert(c.name.clone()) {
                continue;
            }
            let list = v.is_array();
            let wrong_list = c.multivalued.is_some_and(|m| m != list);
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            let wrong_type = typed && !items.iter().all(|i| fits(c.json_type, i));
            if !wrong_list && !wrong_type {
                continue;
            }
            let declared = match (typed, c.multivalued) {
                (true, Some(true)) => format!("a list of {}", c.json_type.as_str()),
                (true, _) => c.json_type.as_str().to_string(),
                (false, Some(true)) => "a list".to_string(),
                (false, _) => "a single value".to_string(),
            };
            let carried = match v {
                Value::Array(a) => match a.iter().find(|i| typed && !fits(c.json_type, i)) {
                    Some(bad) => format!("a list holding {}", crate::text::json_kind(bad)),
                    None => "a list".to_string(),
                },
                other => crate::text::json_kind(other).to_string(),
            };
            out.push(
                Finding::warning(
                    Rule::TokenClaimType,
                    format!(
                        "claim `{}` is {carried}; `{scope}` declares {declared}",
                        crate::text::clean(&c.name)
                    ),
                )
                .help("the mapper gives the claim another JSON type or list setting than the registry declares: `scopectl drift` shows scopectl's mappers that differ; a hand-made one must be changed by hand"),
            );
        }
    }
    out
}

/// Scopes of OpenID Connect Core (§5.4, §11) and the ones Keycloak puts in every token
/// by default: they ask for claims or a refresh token, not for API access, so a registry
/// need not define or grant them.
pub const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "address",
    "phone",
    "offline_access",
    "microprofile-jwt",
    "roles",
    "web-origins",
    "acr",
    "basic",
];

/// Is `s` one of [`STANDARD_SCOPES`]?
pub fn is_standard_scope(s: &str) -> bool {
    STANDARD_SCOPES.contains(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_strings_split_on_spaces_only() {
        let (read, found) = split_scopes(" a:read  b:write ", "scope");
        assert_eq!(read, ["a:read", "b:write"]);
        assert!(found.is_empty());
        let (read, found) = split_scopes("a:read\tb:write c:x\u{3000}d:y", "scope");
        assert_eq!(read, ["a:read\tb:write", "c:x\u{3000}d:y"]);
        let message = &found[0].message;
        assert!(
            message.contains("a TAB (`\\t`, U+0009) and an ideographic space (U+3000)"),
            "{message}"
        );
        assert!(
            message.contains("reads `a:read\\tb:write`, `c:x\\u{3000}d:y` as one scope each"),
            "{message}"
        );
        assert_eq!(escape_separators("a b"), "a b");
        assert_eq!(escape_separators("a\u{1b}b\r"), "a\\u{1b}b\\r");
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(14 * 60 + 5), "in 14 min");
        assert_eq!(relative(-3 * 3600), "3 h ago");
        assert_eq!(relative(-(3 * 3600 + 120)), "3 h 2 min ago");
        assert_eq!(relative(30), "in 30 s");
        assert_eq!(relative(-5 * 86_400), "5 d ago");
        assert_eq!(relative(0), "now");
    }
}
