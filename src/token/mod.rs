//! Tokens: take what a user pasted (a bare token, an `Authorization: Bearer …` line, a
//! quoted string), recognise what kind of token it is, and decode a JWS compact token into
//! its header, claims and signature.
//!
//! This module returns data and never prints: [`verify`] checks the signature with the
//! keys [`keys`] loads, [`findings`] checks the claims against the policy and the
//! registry, [`check`] combines both into one result, [`batch`] checks a log of tokens in
//! parallel, and [`render`] turns results into text or JSON for the `decode` command to
//! print (the split jwt-cli makes between `decode_token()` and `print_decoded_token()`).

pub mod batch;
pub mod check;
pub mod endpoint;
pub mod findings;
pub mod json;
pub mod keys;
pub mod need;
pub mod render;
pub mod verify;

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use serde_json::{Map, Value};

use crate::finding::Finding;
use crate::rules::Rule;

/// base64url without padding, as JWS uses it; trailing `=` padding is tolerated.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Which part of a compact token a problem is in.
pub use crate::finding::TokenPart as Part;

/// Why an input could not be decoded as a JWS. Each has a stable code (`input/*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Nothing left after removing whitespace, quotes and `Bearer`.
    Empty,
    /// Five parts: an encrypted token (JWE). Its protected header, when readable.
    Jwe { header: Option<String> },
    /// No `.` at all: a reference (opaque) token, only its issuer can read it.
    Opaque { length: usize },
    /// Neither 3 (JWS) nor 5 (JWE) parts.
    Parts { found: usize },
    /// A part is empty where it must not be.
    EmptyPart { part: Part },
    /// A part is not base64url.
    Base64 {
        part: Part,
        detail: String,
        help: Option<String>,
    },
    /// A decoded part is not UTF-8 text.
    Utf8 { part: Part, at: usize },
    /// A decoded part is not JSON.
    Json {
        part: Part,
        detail: String,
        excerpt: String,
    },
    /// A decoded part is JSON but not an object.
    NotObject { part: Part, found: &'static str },
    /// A JWS JSON serialization scopectl cannot check as a compact token.
    JwsJson { reason: String },
    /// A JWS JSON serialization with a member name twice in one object (`payload`,
    /// `signature`, a member of `signatures[i]` or of `header`): which one counts depends
    /// on the parser, so it is not checked at all.
    JwsJsonDuplicate(json::Duplicate),
}

impl InputError {
    /// The catalog rule of the problem (`input/*`).
    pub fn rule(&self) -> Rule {
        match self {
            InputError::Empty => Rule::InputEmpty,
            InputError::Jwe { .. } => Rule::InputJwe,
            InputError::Opaque { .. } => Rule::InputOpaque,
            InputError::Parts { .. } => Rule::InputParts,
            InputError::EmptyPart { .. } => Rule::InputEmptyPart,
            InputError::Base64 { .. } => Rule::InputBase64,
            InputError::Utf8 { .. } => Rule::InputUtf8,
            InputError::Json { .. } => Rule::InputJson,
            InputError::NotObject { .. } => Rule::InputNotObject,
            InputError::JwsJson { .. } | InputError::JwsJsonDuplicate(_) => Rule::InputJwsJson,
        }
    }

    /// The part of the token the problem is in, if it is in one.
    pub fn part(&self) -> Option<Part> {
        match self {
            InputError::EmptyPart { part }
            | InputError::Base64 { part, .. }
            | InputError::Utf8 { part, .. }
            | InputError::Json { part, .. }
            | InputError::NotObject { part, .. } => Some(*part),
            _ => None,
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> Option<String> {
        match self {
            InputError::Empty => Some(
                "pass the token as an argument, `-` to read it from stdin, or a whole `Authorization: Bearer …` line".into(),
            ),
            InputError::Jwe { .. } => Some(
                "a JWE is encrypted for its recipient: only a holder of the decryption key can read it; ask the resource server's logs, or decode the token before encryption".into(),
            ),
            InputError::Opaque { .. } => Some(
                "an opaque (reference) token carries no readable claims: ask the authorization server with token introspection (RFC 7662): scopectl decode --introspect URL --client-id ID --client-secret-env VAR, or --introspect-target NAME".into(),
            ),
            InputError::Parts { found: 2 } => Some(
                "a JWS has three base64url parts, header.payload.signature; the token may be truncated; if this is a file name, no such file exists (pass `-` to read the token from stdin)".into(),
            ),
            InputError::Parts { .. } => Some(
                "a JWS has three base64url parts, header.payload.signature; the token may be truncated or two tokens may be joined".into(),
            ),
            InputError::EmptyPart { part: Part::Signature } => None,
            InputError::EmptyPart { .. } => Some("the token may be truncated".into()),
            InputError::Base64 { help, .. } => help.clone(),
            InputError::Utf8 { .. } => Some("the token may be corrupted or not a JWT".into()),
            InputError::Json { .. } | InputError::NotObject { .. } => {
                Some("the token may be truncated, corrupted, or not a JWT".into())
            }
            InputError::JwsJson { .. } => Some(
                "convert it to the compact form `protected.payload.signature` of one signature with a protected header".into(),
            ),
            InputError::JwsJsonDuplicate(_) => Some(
                "RFC 8259 §4: parsers differ on a name written twice in one object (some keep the first value, some the last, some refuse), so a checker and the real server may check different tokens; do not accept it, and find out who wrote it twice".into(),
            ),
        }
    }

    /// The problem as a finding: its rule, the message, the token part and the help.
    pub fn finding(&self) -> Finding {
        let mut f = Finding::error(self.rule(), self.to_string());
        f.part = self.part();
        f.help = self.help();
        f
    }

    /// Exit-code class: a JWE or an opaque token is recognised, not broken, but still
    /// cannot be checked.
    pub fn is_recognised(&self) -> bool {
        matches!(self, InputError::Jwe { .. } | InputError::Opaque { .. })
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Empty => write!(f, "no token: the input is empty"),
            InputError::Jwe { header } => {
                write!(f, "this is an encrypted token (JWE, 5 parts), not a signed one")?;
                if let Some(h) = header {
                    write!(f, "; its protected header is {h}")?;
                }
                Ok(())
            }
            InputError::Opaque { length } => write!(
                f,
                "this is an opaque token ({length} characters, no `.`), not a JWT: it has no claims to decode"
            ),
            InputError::Parts { found } => write!(
                f,
                "malformed token: expected 3 parts separated by `.` (header.payload.signature), found {found}"
            ),
            InputError::EmptyPart { part } => write!(f, "malformed token: the {part} is empty"),
            InputError::Base64 { part, detail, .. } => {
                write!(f, "malformed token: the {part} is not valid base64url: {detail}")
            }
            InputError::Utf8 { part, at } => write!(
                f,
                "malformed token: the {part} decodes to bytes that are not UTF-8 text (invalid byte at offset {at})"
            ),
            InputError::Json {
                part,
                detail,
                excerpt,
            } => write!(
                f,
                "malformed token: the {part} is not valid JSON: {detail} (decoded text: {excerpt})"
            ),
            InputError::NotObject { part, found } => write!(
                f,
                "malformed token: the {part} is JSON but not an object (found {found})"
            ),
            InputError::JwsJson { reason } => {
                write!(f, "this is a JWS in the JSON serialization, and {reason}")
            }
            InputError::JwsJsonDuplicate(d) => write!(
                f,
                "this is a JWS in the JSON serialization, and {d}: parsers disagree on which one counts, so it is refused"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// A decoded JWS compact token.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The compact token, as it would travel in a header.
    pub token: String,
    /// Whether it was given as an `Authorization: Bearer …` line.
    pub from_header_line: bool,
    /// Set when the input was a JWS JSON serialization ("flattened", "general, 2
    /// signatures"): it is checked as the compact form of its (first) signature.
    pub json_serialization: Option<String>,
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// Members the header has more than once in one object, at any depth, by path (the
    /// map keeps the last value).
    pub duplicate_header: json::Repeats,
    /// Members the payload has more than once in one object, at any depth, by path (the
    /// map keeps the last value).
    pub duplicate_claims: json::Repeats,
    pub signature: Vec<u8>,
    /// Length of `header.payload`, the signing input.
    signing_input_len: usize,
}

impl Decoded {
    /// A token known by what its issuer says of it (token introspection): `claims` are
    /// the introspection answer's members, the header is the token's own when it is a
    /// readable JWS (else empty), and there is no signature to check here.
    pub fn introspected(token: &str, claims: Map<String, Value>) -> Decoded {
        let (text, from_header_line) = extract(token);
        let header = decode_compact(text).map(|d| d.header).unwrap_or_default();
        Decoded {
            token: text.to_string(),
            from_header_line,
            json_serialization: None,
            header,
            claims,
            duplicate_header: json::Repeats::default(),
            duplicate_claims: json::Repeats::default(),
            signature: Vec::new(),
            signing_input_len: 0,
        }
    }

    /// The bytes the signature covers: `base64url(header) . base64url(payload)`.
    pub fn signing_input(&self) -> &[u8] {
        &self.token.as_bytes()[..self.signing_input_len]
    }

    /// `alg` from the header, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// `kid` from the header, if it is a string.
    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// A string claim.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// The `aud` claim as a list (a string or an array of strings; anything else: none).
    pub fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Size of the header an API receives: `Authorization: Bearer <token>`.
    pub fn header_line_bytes(&self) -> usize {
        AUTHORIZATION_PREFIX.len() + self.token.len()
    }
}

/// What an HTTP request carries in front of the token.
pub const AUTHORIZATION_PREFIX: &str = "Authorization: Bearer ";

/// Strip what surrounds a pasted token: whitespace, quotes, an `Authorization:` header
/// name and the `Bearer` scheme. Returns the token and whether it was a header line.
pub fn extract(input: &str) -> (&str, bool) {
    let mut s = trim_quotes(input);
    // A request header line as `curl -v` prints it: `> Authorization: Bearer …`.
    if let Some(rest) = s.strip_prefix('>') {
        if strip_prefix_ci(rest.trim_start(), "authorization:").is_some() {
            s = rest.trim_start();
        }
    }
    let mut header_line = false;
    if let Some(rest) = strip_prefix_ci(s, "authorization:") {
        s = trim_quotes(rest);
        header_line = true;
    }
    for scheme in ["bearer", "dpop"] {
        if s.eq_ignore_ascii_case(scheme) {
            return ("", true);
        }
        if let Some(rest) = strip_prefix_ci(s, scheme) {
            if rest.starts_with(|c: char| c.is_whitespace()) {
                s = trim_quotes(rest);
                header_line = true;
                break;
            }
        }
    }
    (s, header_line)
}

fn trim_quotes(mut s: &str) -> &str {
    loop {
        let t = s.trim();
        let t = t
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .or_else(|| t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
            .or_else(|| t.strip_prefix('`').and_then(|x| x.strip_suffix('`')));
        match t {
            Some(inner) => s = inner,
            None => return s.trim(),
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Largest token file `decode` reads (a token is a few KiB; a header budget is 8 KiB).
pub const TOKEN_FILE_MAX: u64 = 1 << 20;

/// What `decode TOKEN` was given, as text: `-` or nothing with a piped stdin reads stdin,
/// an existing file is read, anything else is the token itself. Stdin and files are read
/// up to [`TOKEN_FILE_MAX`] bytes.
pub fn read_input(arg: Option<&str>) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    match arg {
        Some("-") => read_limited(std::io::stdin().lock(), "the token on stdin"),
        None if !std::io::stdin().is_terminal() => {
            read_limited(std::io::stdin().lock(), "the token on stdin")
        }
        None => anyhow::bail!(
            "no token: give it as an argument, a file name, or `-` to read it from stdin"
        ),
        // A token is base64url and dots: a name that exists as a file is a file.
        Some(t) if !t.is_empty() && std::path::Path::new(t).is_file() => {
            let what = format!("the token file {t}");
            let file =
                std::fs::File::open(t).map_err(|e| anyhow::anyhow!("cannot read {what}: {e}"))?;
            read_limited(file, &what)
        }
        Some(t) => Ok(t.to_string()),
    }
}

/// At most [`TOKEN_FILE_MAX`] bytes of UTF-8 text from `r`; `what` names it in errors.
fn read_limited(r: impl std::io::Read, what: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    r.take(TOKEN_FILE_MAX + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > TOKEN_FILE_MAX {
        anyhow::bail!("{what} is over the {TOKEN_FILE_MAX}-byte limit");
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{what} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Decode what a user pasted: see [`extract`], then [`decode_compact`].
pub fn decode(input: &str) -> Result<Decoded, InputError> {
    let (token, header_line) = extract(input);
    if token.starts_with('{') {
        let (compact, what) = json_serialization(token)?;
        let mut d = decode_compact(&compact)?;
        d.json_serialization = Some(what);
        return Ok(d);
    }
    let mut d = decode_compact(token)?;
    d.from_header_line = header_line;
    Ok(d)
}

/// A JWS in the JSON serialization (RFC 7515 section 7.2), flattened or general, as the
/// compact form of its first signature, and a description ("flattened", "general, 2
/// signatures, the first is checked").
fn json_serialization(text: &str) -> Result<(String, String), InputError> {
    let bad = |reason: &str| InputError::JwsJson {
        reason: reason.to_string(),
    };
    // Strict: a member written twice (anywhere) would make the token depend on the parser.
    let doc: Map<String, Value> = match json::from_str(text) {
        Ok(Value::Object(m)) => m,
        Err(json::Error::Duplicate(d)) => return Err(InputError::JwsJsonDuplicate(d)),
        _ => return Err(bad("the input starts with `{` but is not a JSON object")),
    };
    let Some(payload) = doc.get("payload").and_then(Value::as_str) else {
        return Err(bad("a JSON object without a string `payload` is not a JWS"));
    };
    let (sig, what) = match (doc.get("signatures"), doc.get("signature")) {
        (Some(Value::Array(list)), None) => {
            let first = list
                .first()
                .and_then(Value::as_object)
                .ok_or_else(|| bad("`signatures` is empty"))?;
            let what = match list.len() {
                1 => "general JSON serialization, 1 signature".to_string(),
                n => format!("general JSON serialization, {n} signatures; the first is checked"),
            };
            (first.clone(), what)
        }
        (None, Some(Value::String(_))) => (doc.clone(), "flattened JSON serialization".to_string()),
        _ => return Err(bad(
            "a JWS JSON serialization has either `signature` (flattened) or `signatures` (general)",
        )),
    };
    if sig.contains_key("header") {
        return Err(bad("it has an unprotected `header`, which the compact form cannot carry: scopectl checks only protected headers"));
    }
    let Some(protected) = sig.get("protected").and_then(Value::as_str) else {
        return Err(bad("the signature has no `protected` header"));
    };
    let Some(signature) = sig.get("signature").and_then(Value::as_str) else {
        return Err(bad("the signature has no `signature` value"));
    };
    if payload.is_empty() {
        return Err(bad(
            "the payload is detached (empty): there are no claims to read",
        ));
    }
    Ok((format!("{protected}.{payload}.{signature}"), what))
}

/// Decode a JWS compact token (`header.payload.signature`), saying precisely which part
/// is broken and how.
pub fn decode_compact(token: &str) -> Result<Decoded, InputError> {
    if token.is_empty() {
        return Err(InputError::Empty);
    }
    let dots = token.bytes().filter(|&b| b == b'.').count();
    match dots {
        0 => {
            return Err(InputError::Opaque {
                length: token.chars().count(),
            })
        }
        4 => {
            let first = token.split('.').next().unwrap_or_default();
            let header = B64URL
                .decode(first)
                .ok()
                .and_then(|b| serde_json::from_slice::<Map<String, Value>>(&b).ok())
                .map(|m| Value::Object(m).to_string());
            return Err(InputError::Jwe { header });
        }
        2 => {}
        n => return Err(InputError::Parts { found: n + 1 }),
    }
    let mut parts = token.splitn(3, '.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s)) => (h, p, s),
        _ => return Err(InputError::Parts { found: dots + 1 }),
    };
    let (header, duplicate_header) = json_part(Part::Header, h)?;
    let (claims, duplicate_claims) = json_part(Part::Payload, p)?;
    let signature = b64(Part::Signature, s)?;
    Ok(Decoded {
        token: token.to_string(),
        from_header_line: false,
        json_serialization: None,
        header,
        claims,
        duplicate_header,
        duplicate_claims,
        signature,
        signing_input_len: h.len() + 1 + p.len(),
    })
}

fn b64(part: Part, text: &str) -> Result<Vec<u8>, InputError> {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| !c.is_ascii()) {
        return Err(InputError::Base64 {
            part,
            detail: format!("non-ASCII character {c:?} at offset {at}"),
            help: Some("the token was probably mangled when it was copied".into()),
        });
    }
    B64URL.decode(text).map_err(|e| {
        use base64::DecodeError as E;
        let (detail, help) = match e {
            E::InvalidByte(at, b) => {
                let c = b as char;
                let help = match b {
                    b'+' | b'/' => Some(
                        "this looks like standard base64: JWTs use base64url (`-` and `_` instead of `+` and `/`)".into(),
                    ),
                    b' ' | b'\t' | b'\n' | b'\r' => {
                        Some("remove the whitespace inside the token (it may have been wrapped when copied)".into())
                    }
                    b'=' => Some("padding `=` belongs only at the end".into()),
                    _ => None,
                };
                (format!("invalid character {c:?} at offset {at}"), help)
            }
            E::InvalidLength(len) => (
                format!("{len} characters is not a possible base64 length (one too many or too few)"),
                Some("the token is probably truncated".into()),
            ),
            E::InvalidLastSymbol(at, b) => (
                format!("invalid last character {:?} at offset {at}", b as char),
                Some("the token is probably truncated or altered".into()),
            ),
            E::InvalidPadding => ("invalid padding".into(), None),
        };
        InputError::Base64 { part, detail, help }
    })
}

/// A decoded JSON part and the members it repeats (see [`json::from_str_noting_repeats`]).
fn json_part(part: Part, text: &str) -> Result<(Map<String, Value>, json::Repeats), InputError> {
    if text.is_empty() {
        return Err(InputError::EmptyPart { part });
    }
    let bytes = b64(part, text)?;
    let s = std::str::from_utf8(&bytes).map_err(|e| InputError::Utf8 {
        part,
        at: e.valid_up_to(),
    })?;
    match json::from_str_noting_repeats(s) {
        Ok((Value::Object(map), repeats)) => Ok((map, repeats)),
        Ok((other, _)) => Err(InputError::NotObject {
            part,
            found: json_type(&other),
        }),
        Err(e) => Err(InputError::Json {
            part,
            detail: e.to_string(),
            excerpt: excerpt(s),
        }),
    }
}

/// A short, printable rendering of decoded text for error messages.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    format!("{out:?}")
}

/// The JSON type name of a value.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// base64url-encode (no padding), for tests and tools that build tokens.
/// base64url text (padding tolerated) to bytes.
pub fn decode_b64url(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    B64URL.decode(text)
}

pub fn b64url(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(h: &str, p: &str) -> String {
        format!("{}.{}.c2ln", b64url(h.as_bytes()), b64url(p.as_bytes()))
    }

    #[test]
    fn extracts_bearer_header_lines_and_quotes() {
        assert_eq!(extract("  \"abc.def.ghi\"\n"), ("abc.def.ghi", false));
        assert_eq!(
            extract("Authorization: Bearer abc.def.ghi"),
            ("abc.def.ghi", true)
        );
        assert_eq!(extract("authorization:bearer  'x.y.z' "), ("x.y.z", true));
        assert_eq!(extract("Bearer x.y.z"), ("x.y.z", true));
        assert_eq!(extract("Bearerx.y.z"), ("Bearerx.y.z", false));
    }

    #[test]
    fn decodes_a_token() {
        let d = decode(&tok(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#)).unwrap();
        assert_eq!(d.alg(), Some("HS256"));
        assert_eq!(d.claim_str("sub"), Some("a"));
        assert_eq!(d.signature, b"sig");
        assert!(d.signing_input().ends_with(b"In0"));
    }

    #[test]
    fn remembers_repeated_member_names() {
        let d = decode(&tok(
            r#"{"alg":"HS256","alg":"none"}"#,
            r#"{"exp":1,"sub":"a","exp":2,"exp":3}"#,
        ))
        .unwrap();
        assert_eq!(d.duplicate_header.paths, ["alg"]);
        assert_eq!(d.duplicate_claims.paths, ["exp"]);
        assert_eq!(d.claims["exp"], 3);
        assert_eq!(d.alg(), Some("none"));
        // At any depth, by path.
        let d = decode(&tok(
            r#"{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}"#,
            r#"{"realm_access":{"roles":["a"],"roles":["b"]},"ad":[{"t":1,"t":2}]}"#,
        ))
        .unwrap();
        assert_eq!(d.duplicate_header.paths, ["jwk.kty"]);
        assert_eq!(d.duplicate_claims.paths, ["realm_access.roles", "ad[0].t"]);
        assert_eq!(d.claims["realm_access"]["roles"][0], "b");
        let d = decode(&tok(r#"{"alg":"HS256"}"#, r#"{"a":{"b":1},"c":[{"b":1}]}"#)).unwrap();
        assert!(d.duplicate_header.is_empty() && d.duplicate_claims.is_empty());
    }

    #[test]
    fn jws_json_with_a_member_twice_is_refused() {
        let h = b64url(br#"{"alg":"HS256"}"#);
        let ok = format!(r#"{{"payload":"e30","protected":"{h}","signature":"c2ln"}}"#);
        assert!(decode(&ok).is_ok());
        for (text, name, at) in [
            (
                format!(
                    r#"{{"payload":"e30","protected":"{h}","signature":"c2ln","payload":"e30"}}"#
                ),
                "payload",
                "$",
            ),
            (
                format!(
                    r#"{{"payload":"e30","signatures":[{{"protected":"{h}","protected":"{h}","signature":"c2ln"}}]}}"#
                ),
                "protected",
                "$.signatures[0]",
            ),
        ] {
            let e = decode(&text).unwrap_err();
            assert_eq!(e.rule(), Rule::InputJwsJson);
            match e {
                InputError::JwsJsonDuplicate(d) => {
                    assert_eq!((d.name.as_str(), d.at.as_str()), (name, at))
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn names_the_broken_part() {
        let e = decode(&tok(r#"{"alg":"HS256"}"#, "{not json")).unwrap_err();
        assert_eq!(e.rule(), Rule::InputJson);
        assert_eq!(e.part(), Some(Part::Payload));
        let e = decode("eyJ+.e30.c2ln").unwrap_err();
        assert_eq!(e.rule(), Rule::InputBase64);
        assert_eq!(e.part(), Some(Part::Header));
        assert!(e.help().unwrap().contains("standard base64"));
        let e = decode(&tok("[1]", "{}")).unwrap_err();
        assert_eq!(e.rule(), Rule::InputNotObject);
        assert_eq!(decode("a.b").unwrap_err().rule(), Rule::InputParts);
        assert_eq!(decode("a.b.c.d.e").unwrap_err().rule(), Rule::InputJwe);
        assert_eq!(
            decode("2YotnFZFEjr1zCsicMWpAA").unwrap_err().rule(),
            Rule::InputOpaque
        );
        assert_eq!(decode(" \"\" ").unwrap_err().rule(), Rule::InputEmpty);
    }
}
