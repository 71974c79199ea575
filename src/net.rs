//! The one HTTP layer of scopectl, shared by `decode` (fetching a JWKS or an OpenID
//! configuration) and every push target: one ureq agent with timeouts, TLS that is
//! always verified (a private CA via `ca_file`; off only with `insecure_tls = true`),
//! one rule for plain HTTP ([`check_transport`]: `https://` always, `http://` to a
//! loopback host, any other `http://` only with an explicit opt-in), redirects never
//! followed (a 3xx answer is [`HttpError::Redirect`]), a cap on answer bodies that fits
//! what each request expects back ([`Answer`]), retries with backoff decided by a pure function ([`decide_retry`]: 429,
//! 5xx, connection errors and timeouts, a bounded number of attempts, a `Retry-After` up
//! to a cap honoured instead of the backoff), secrets scrubbed from any server text shown,
//! and request counting (every attempt counts, reads and writes separately, so `apply`
//! can prove a second run wrote nothing and a report shows what the retries cost).
//!
//! This module depends on nothing else in scopectl.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ureq::tls::{RootCerts, TlsConfig};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// What a request expects back, which sets how long its answer's body may be
/// ([`Answer::limit`]): a server (or whatever answers in its place) cannot make scopectl
/// hold more than that in memory. A longer body is [`HttpError::TooLarge`], naming the
/// answer and its limit. Error answers are capped the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// An OpenID Connect / OAuth discovery document (`.well-known/openid-configuration`):
    /// 1 MiB (real ones are a few KiB).
    Discovery,
    /// A JSON Web Key Set: 2 MiB (hundreds of keys with certificate chains).
    Jwks,
    /// A token endpoint's answer: 256 KiB (an access token must fit in a request header).
    Token,
    /// A client's RFC 7592 registration metadata, read or written: 1 MiB.
    ClientMetadata,
    /// A list from the Keycloak admin API (a page of clients, the realm's client scopes,
    /// its default client scopes): 64 MiB, room for a page of 500 clients of 128 KiB each
    /// or tens of thousands of client scopes.
    AdminList,
    /// The answer to a Keycloak admin write (usually empty): 1 MiB.
    AdminWrite,
    /// A page of Keycloak events (`GET /admin/realms/{realm}/events`, 5,000 events of a
    /// few KiB each by default) or the realm's event settings: 32 MiB.
    EventPage,
    /// A token introspection answer (RFC 7662, or an RFC 9701 JWT): 256 KiB.
    Introspection,
}

impl Answer {
    /// The longest body accepted, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            Answer::Discovery => MIB,
            Answer::Jwks => 2 * MIB,
            Answer::Token => 256 * KIB,
            Answer::ClientMetadata => MIB,
            Answer::AdminList => 64 * MIB,
            Answer::AdminWrite => MIB,
            Answer::EventPage => 32 * MIB,
            Answer::Introspection => 256 * KIB,
        }
    }
    /// What the answer is, for a message.
    pub fn name(self) -> &'static str {
        match self {
            Answer::Discovery => "a discovery document",
            Answer::Jwks => "a JWKS",
            Answer::Token => "a token endpoint answer",
            Answer::ClientMetadata => "RFC 7592 client metadata",
            Answer::AdminList => "a Keycloak admin list",
            Answer::AdminWrite => "the answer to a Keycloak admin write",
            Answer::EventPage => "a page of Keycloak events",
            Answer::Introspection => "a token introspection answer",
        }
    }
}

/// `n` bytes as `256 KiB` or `64 MiB` (whole units).
pub fn size_text(n: u64) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A secret (client secret, password, token). It never prints: `Debug` shows `***` and
/// there is no `Display`, so it cannot end up in output, logs or saved plans by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret's value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Connection settings of a target.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub timeout: Duration,
    /// PEM bytes of extra CA certificates to trust, and where they came from.
    pub ca_pem: Option<(String, Vec<u8>)>,
    pub insecure_tls: bool,
    /// Allow plain `http://` to hosts that are not loopback.
    pub insecure_http: bool,
    /// How many times a failed request (429, 5xx, connection error, timeout) is retried.
    pub retries: u32,
    /// First backoff delay; doubles on each retry.
    pub backoff: Duration,
    /// The longest `Retry-After` (on 429 or 503) that is waited for; a server asking for
    /// longer gets no retry (its answer is returned, with the wait it asked for).
    pub retry_after_max: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            ca_pem: None,
            insecure_tls: false,
            insecure_http: false,
            retries: 3,
            backoff: Duration::from_millis(250),
            retry_after_max: Duration::from_secs(30),
        }
    }
}

/// A response: status, `Location` header and body text.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    /// The `Retry-After` the server sent (seconds or an HTTP date), if any.
    pub retry_after: Option<Duration>,
    /// How many attempts it took (1 without retries).
    pub attempts: u32,
    /// The `Content-Type` the server sent, if any.
    pub content_type: Option<String>,
}

impl Response {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    pub fn json(&self) -> Result<serde_json::Value, HttpError> {
        serde_json::from_str(&self.body).map_err(|e| HttpError::BadBody(e.to_string()))
    }
    /// Would a retry help ([`is_transient`])?
    pub fn retryable(&self) -> bool {
        is_transient(self.status)
    }
    /// For an error message: how the retries went, e.g. " (after 4 attempts)" or
    /// " (the server asked to wait 120 s with Retry-After, longer than the 30 s cap)".
    pub fn retry_note(&self, settings: &HttpSettings) -> String {
        match self.retry_after {
            Some(d) if self.retryable() && d > settings.retry_after_max => format!(
                " (the server asked to wait {} s with Retry-After, longer than \
                 `retry_after_max` = {} s; not retried after {} attempt(s))",
                d.as_secs(),
                settings.retry_after_max.as_secs(),
                self.attempts
            ),
            _ if self.attempts > 1 => format!(" (after {} attempts)", self.attempts),
            _ => String::new(),
        }
    }
}

/// Why a request could not be made (after retries). HTTP error statuses are not errors
/// here: adapters look at the status and explain it.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot connect to {url}: {detail} (is the server running and the URL right?)")]
    Connect {
        url: String,
        detail: String,
        /// The request may have reached the server (the connection broke after it was
        /// open: reset, closed without an answer), as opposed to refused / not resolved.
        maybe_sent: bool,
    },
    #[error("TLS failure talking to {url}: {detail} (a private CA needs `ca_file` in the target)")]
    Tls { url: String, detail: String },
    #[error("request to {url} timed out")]
    Timeout { url: String },
    #[error(
        "{status} redirect from {url} to host `{location_host}` not followed (scopectl never \
         follows redirects; use the final URL)"
    )]
    Redirect {
        url: String,
        status: u16,
        /// The host the `Location` header names (scrubbed), or `(none)`.
        location_host: String,
    },
    #[error("bad request to {url}: {detail}")]
    Other { url: String, detail: String },
    #[error("the server's answer is not valid JSON: {0}")]
    BadBody(String),
    #[error(
        "the answer from {url} is longer than {}, the limit for {} (see Limits in the \
         README): not read further",
        size_text(answer.limit()),
        answer.name()
    )]
    TooLarge { url: String, answer: Answer },
    #[error("{last} (gave up on {method} after {attempts} attempts)")]
    GaveUp {
        method: String,
        attempts: u32,
        last: Box<HttpError>,
    },
}

impl HttpError {
    /// The request may have been processed but its answer never arrived (a timeout, or
    /// a connection broken after it was open).
    pub fn answer_lost(&self) -> bool {
        match self {
            HttpError::Timeout { .. } => true,
            HttpError::Connect { maybe_sent, .. } => *maybe_sent,
            HttpError::GaveUp { last, .. } => last.answer_lost(),
            _ => false,
        }
    }
}

/// Request counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    /// GET requests.
    pub reads: u64,
    /// POST/PUT/DELETE requests to the admin or registration API.
    pub writes: u64,
    /// Token requests.
    pub auth: u64,
    /// How many of the requests above were retries (after a 429, a 5xx, a connection
    /// error or a timeout), and how many were repeated after a 401 with a fresh token.
    #[serde(default)]
    pub retries: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.reads + self.writes + self.auth
    }
}

/// The shared agent.
pub struct Http {
    agent: ureq::Agent,
    settings: HttpSettings,
    reads: AtomicU64,
    writes: AtomicU64,
    auth: AtomicU64,
    retries: AtomicU64,
    /// Every secret value this agent has sent or received (client secrets, passwords,
    /// access tokens, registration access tokens), scrubbed from any server text shown.
    secrets: std::sync::Mutex<Vec<String>>,
}

/// Form fields whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "password",
    "refresh_token",
    "client_assertion",
    "assertion",
];

/// Longest server text shown in a message (characters).
const SHOWN_MAX: usize = 200;

#[derive(Clone, Copy)]
enum Kind {
    Read,
    Write,
    Auth,
}

/// What a request sends.
pub enum Body<'a> {
    None,
    Json(&'a serde_json::Value),
    Form(&'a [(&'a str, &'a str)]),
}

impl Http {
    pub fn new(settings: HttpSettings) -> Result<Http, String> {
        let mut tls = TlsConfig::builder().disable_verification(settings.insecure_tls);
        if let Some((path, pem)) = &settings.ca_pem {
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
                    Ok(_) => {}
                    Err(e) => return Err(format!("`{path}` is not a PEM file: {e}")),
                }
            }
            if certs.is_empty() {
                return Err(format!("`{path}` holds no PEM certificate"));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("scopectl/", env!("CARGO_PKG_VERSION")))
            .tls_config(tls.build())
            .build();
        Ok(Http {
            agent: config.into(),
            settings,
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            auth: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            secrets: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Remember a secret value so it is scrubbed from server text shown to the user.
    pub fn add_secret(&self, secret: &str) {
        // Very short values would scrub ordinary words; no real secret is this short.
        if secret.len() < 4 {
            return;
        }
        // As sent raw, percent-encoded (a URL or a form) and form-encoded with `+`.
        let encoded = pct(secret);
        let plus = encoded.replace("%20", "+");
        if let Ok(mut v) = self.secrets.lock() {
            for form in [secret.to_string(), encoded, plus] {
                if !v.contains(&form) {
                    v.push(form);
                }
            }
            // Longest first, so a secret containing another is replaced whole.
            v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// `text` with every known secret (as sent, and percent-encoded as in a form or a
    /// URL) replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Ok(v) = self.secrets.lock() {
            for secret in v.iter() {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }

    /// A server's answer as shown in a message: its JSON error message (`errorMessage`,
    /// `error_description` or `error`) or else the body, with known secrets scrubbed,
    /// then cut to 200 characters.
    pub fn shown(&self, resp: &Response) -> String {
        let text = serde_json::from_str::<serde_json::Value>(&resp.body)
            .ok()
            .and_then(|v| {
                ["errorMessage", "error_description", "error"]
                    .iter()
                    .find_map(|k| v.get(*k).and_then(|x| x.as_str()).map(str::to_string))
            })
            .unwrap_or_else(|| resp.body.trim().to_string());
        let text = self.scrub(&text);
        if text.chars().count() > SHOWN_MAX {
            format!("{}…", text.chars().take(SHOWN_MAX).collect::<String>())
        } else {
            text
        }
    }

    pub fn counts(&self) -> Counts {
        Counts {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            auth: self.auth.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Count a request that is repeated for a reason the HTTP layer does not see (an
    /// adapter repeating a call with a fresh token after a 401).
    pub fn note_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// A token request (counted as `auth`).
    pub fn token(&self, url: &str, form: &[(&str, &str)]) -> Result<Response, HttpError> {
        let resp = self.send(
            Kind::Auth,
            "POST",
            url,
            None,
            &Body::Form(form),
            Answer::Token,
            true,
        )?;
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&resp.body) {
            for k in ["access_token", "refresh_token", "id_token"] {
                if let Some(t) = v.get(k).and_then(|x| x.as_str()) {
                    self.add_secret(t);
                }
            }
        }
        Ok(resp)
    }

    /// A token introspection request (RFC 7662, counted as `auth`): the token in a form,
    /// the resource server authenticated with HTTP Basic (`client_secret_basic`), JSON
    /// asked for, or a signed JWT answer (RFC 9701) when `jwt`. The token and the secret
    /// are scrubbed from anything shown. It reads: retried like a read.
    pub fn introspect(
        &self,
        url: &str,
        client_id: &str,
        secret: &Secret,
        token: &Secret,
        jwt: bool,
    ) -> Result<Response, HttpError> {
        use base64::Engine;
        self.add_secret(secret.expose());
        self.add_secret(token.expose());
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            pct(client_id),
            pct(secret.expose())
        ));
        let accept = if jwt {
            "application/token-introspection+jwt"
        } else {
            "application/json"
        };
        let form = [("token", token.expose())];
        let headers = [
            ("authorization", format!("Basic {basic}")),
            ("accept", accept.to_string()),
        ];
        self.auth.fetch_add(1, Ordering::Relaxed);
        let mut attempt: u32 = 1;
        loop {
            let result = self.send_with(url, &headers, &form, Answer::Introspection);
            let (outcome, retry_after) = match &result {
                Ok(r) => (Outcome::Status(r.status), r.retry_after),
                Err(e) => (Outcome::of_error(e), None),
            };
            match decide_retry(
                attempt,
                outcome,
                retry_after,
                &self.settings,
                Repeat::Repeatable,
            ) {
                Decision::Retry { after } => {
                    std::thread::sleep(after);
                    attempt += 1;
                    self.auth.fetch_add(1, Ordering::Relaxed);
                    self.retries.fetch_add(1, Ordering::Relaxed);
                }
                Decision::GiveUp { .. } => {
                    return result.map(|mut r| {
                        r.attempts = attempt;
                        r
                    })
                }
            }
        }
    }

    /// One form POST with extra headers (introspection).
    fn send_with(
        &self,
        url: &str,
        headers: &[(&str, String)],
        form: &[(&str, &str)],
        answer: Answer,
    ) -> Result<Response, HttpError> {
        check_transport(url, self.settings.insecure_http).map_err(|detail| HttpError::Other {
            url: url.to_string(),
            detail,
        })?;
        let mut b = ureq::http::Request::builder()
            .method("POST")
            .uri(url)
            .header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            b = b.header(*k, v);
        }
        let req = b
            .body(form_encode(form).into_bytes())
            .map_err(|e| HttpError::Other {
                url: url.to_string(),
                detail: e.to_string(),
            })?;
        self.run(url, req, answer)
    }

    /// An API request expecting `answer` back (its body is capped at
    /// [`Answer::limit`]). GET counts as a read, anything else as a write.
    pub fn request(
        &self,
        method: &str,
        url: &str,
        bearer: Option<&Secret>,
        body: &Body<'_>,
        answer: Answer,
    ) -> Result<Response, HttpError> {
        let kind = if method == "GET" {
            Kind::Read
        } else {
            Kind::Write
        };
        self.send(kind, method, url, bearer, body, answer, true)
    }

    /// A write that must not be repeated once it may have reached the server (it is not
    /// idempotent, e.g. an RFC 7592 PUT that rotates the registration access token): it
    /// is retried only when the server surely did not process it (connection refused,
    /// 429, 5xx). A lost answer (a connection broken after the request went out, a
    /// timeout) is returned as the error ([`HttpError::answer_lost`]).
    pub fn request_unrepeatable(
        &self,
        method: &str,
        url: &str,
        bearer: Option<&Secret>,
        body: &Body<'_>,
        answer: Answer,
    ) -> Result<Response, HttpError> {
        self.send(Kind::Write, method, url, bearer, body, answer, false)
    }

    /// Send with retries: at most `1 + retries` attempts, as [`decide_retry`] says.
    /// Every attempt is counted.
    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        kind: Kind,
        method: &str,
        url: &str,
        bearer: Option<&Secret>,
        body: &Body<'_>,
        answer: Answer,
        repeat_lost: bool,
    ) -> Result<Response, HttpError> {
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            match kind {
                Kind::Read => &self.reads,
                Kind::Write => &self.writes,
                Kind::Auth => &self.auth,
            }
            .fetch_add(1, Ordering::Relaxed);
            if attempt > 1 {
                self.retries.fetch_add(1, Ordering::Relaxed);
            }
            let result = self.send_once(method, url, bearer, body, answer);
            let (outcome, retry_after) = match &result {
                Ok(r) => (Outcome::Status(r.status), r.retry_after),
                Err(e) => (Outcome::of_error(e), None),
            };
            let request = if repeat_lost {
                Repeat::Repeatable
            } else {
                Repeat::Unrepeatable
            };
            match decide_retry(attempt, outcome, retry_after, &self.settings, request) {
                Decision::Retry { after } => std::thread::sleep(after),
                Decision::GiveUp { .. } => {
                    return match result {
                        Ok(mut r) => {
                            r.attempts = attempt;
                            Ok(r)
                        }
                        Err(e) if attempt > 1 => Err(HttpError::GaveUp {
                            method: method.to_string(),
                            attempts: attempt,
                            last: Box::new(e),
                        }),
                        Err(e) => Err(e),
                    };
                }
            }
        }
    }

    fn send_once(
        &self,
        method: &str,
        url: &str,
        bearer: Option<&Secret>,
        body: &Body<'_>,
        answer: Answer,
    ) -> Result<Response, HttpError> {
        // Belt and braces: the targets' URLs are checked when they are read; this covers
        // any URL that came from a server.
        check_transport(url, self.settings.insecure_http).map_err(|detail| HttpError::Other {
            url: url.to_string(),
            detail,
        })?;
        let mut b = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("accept", "application/json");
        if let Some(t) = bearer {
            self.add_secret(t.expose());
            b = b.header("authorization", format!("Bearer {}", t.expose()));
        }
        let bytes: Vec<u8> = match body {
            Body::None => Vec::new(),
            Body::Json(v) => {
                b = b.header("content-type", "application/json");
                serde_json::to_vec(v).map_err(|e| HttpError::Other {
                    url: url.to_string(),
                    detail: e.to_string(),
                })?
            }
            Body::Form(pairs) => {
                for (k, v) in pairs.iter() {
                    if SECRET_FIELDS.contains(k) {
                        self.add_secret(v);
                    }
                }
                b = b.header("content-type", "application/x-www-form-urlencoded");
                form_encode(pairs).into_bytes()
            }
        };
        let req = b.body(bytes).map_err(|e| HttpError::Other {
            url: url.to_string(),
            detail: e.to_string(),
        })?;
        self.run(url, req, answer)
    }

    /// Send a built request; read its answer (redirects refused, the body capped).
    fn run(
        &self,
        url: &str,
        req: ureq::http::Request<Vec<u8>>,
        answer: Answer,
    ) -> Result<Response, HttpError> {
        let mut resp = self.agent.run(req).map_err(|e| classify(url, e))?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if (300..400).contains(&status) && status != 304 {
            // Never followed: credentials or trust could move to another host.
            let location_host = location
                .as_deref()
                .map(|l| match l.parse::<ureq::http::Uri>() {
                    Ok(u) => u.host().unwrap_or("(same host)").to_string(),
                    Err(_) => "(unreadable)".to_string(),
                })
                .unwrap_or_else(|| "(none)".to_string());
            return Err(HttpError::Redirect {
                url: url.to_string(),
                status,
                location_host: self.scrub(&location_host),
            });
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let body = resp
            .body_mut()
            .with_config()
            .limit(answer.limit())
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => HttpError::TooLarge {
                    url: url.to_string(),
                    answer,
                },
                e => classify(url, e),
            })?;
        Ok(Response {
            status,
            location,
            body,
            retry_after,
            attempts: 1,
            content_type,
        })
    }
}

/// What became of one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with this status.
    Status(u16),
    /// No connection (refused, host not found): the server surely did not see the request.
    ConnectionError,
    /// The request may have been processed but its answer never arrived (a timeout, or a
    /// connection broken after it was open).
    AnswerLost,
    /// Anything a retry cannot help (TLS failure, redirect, bad URL, bad body).
    Fatal,
}

impl Outcome {
    /// The class of a failed attempt.
    pub fn of_error(e: &HttpError) -> Outcome {
        match e {
            HttpError::Timeout { .. } => Outcome::AnswerLost,
            HttpError::Connect {
                maybe_sent: true, ..
            } => Outcome::AnswerLost,
            HttpError::Connect { .. } => Outcome::ConnectionError,
            HttpError::GaveUp { last, .. } => Outcome::of_error(last),
            _ => Outcome::Fatal,
        }
    }
}

/// May a request be sent again after its answer was lost?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Idempotent: repeat it whatever happened.
    Repeatable,
    /// Must not be repeated once it may have reached the server (see
    /// [`Http::request_unrepeatable`]).
    Unrepeatable,
}

/// Why no further attempt is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// The answer is final (a success, or an error status a retry cannot fix).
    Final,
    /// The server asked to wait (`Retry-After`) longer than `retry_after_max`.
    RetryAfterTooLong(Duration),
    /// `1 + retries` attempts were made.
    AttemptsExhausted,
    /// The answer was lost and the request must not be repeated.
    Unrepeatable,
}

/// The decision after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Retry { after: Duration },
    GiveUp { reason: GiveUpReason },
}

/// A status a retry can help: 429 (too many requests), 502, 503, 504 (a gateway or an
/// overloaded server). Any other status is the server's final answer: a 4xx names a
/// problem with the request, and a 500 or 501 an error the server meets every time (a
/// value longer than its column, say), so neither is retried.
pub fn is_transient(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// Retry or give up after attempt number `attempt` (1 for the first) ended in `outcome`,
/// with the server's `Retry-After` (already parsed) if it sent one. Pure: no I/O, no clock.
///
/// Transient statuses ([`is_transient`]), connection errors and lost answers (unless `request` is
/// [`Repeat::Unrepeatable`]) are retried, at most `settings.retries` times, after
/// `settings.backoff` doubled on each retry (`backoff × 2^(attempt-1)`), or after the
/// `Retry-After` when the server sent one on a retryable status and it is at most
/// `settings.retry_after_max` (longer: no retry at all).
pub fn decide_retry(
    attempt: u32,
    outcome: Outcome,
    retry_after: Option<Duration>,
    settings: &HttpSettings,
    request: Repeat,
) -> Decision {
    let backoff = settings
        .backoff
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let after = match outcome {
        Outcome::Status(s) if is_transient(s) => match retry_after {
            Some(d) if d > settings.retry_after_max => {
                return Decision::GiveUp {
                    reason: GiveUpReason::RetryAfterTooLong(d),
                }
            }
            Some(d) => d,
            None => backoff,
        },
        Outcome::Status(_) | Outcome::Fatal => {
            return Decision::GiveUp {
                reason: GiveUpReason::Final,
            }
        }
        Outcome::AnswerLost if request == Repeat::Unrepeatable => {
            return Decision::GiveUp {
                reason: GiveUpReason::Unrepeatable,
            }
        }
        Outcome::AnswerLost | Outcome::ConnectionError => backoff,
    };
    if attempt > settings.retries {
        return Decision::GiveUp {
            reason: GiveUpReason::AttemptsExhausted,
        };
    }
    Decision::Retry { after }
}

/// Is this URL safe to send credentials to (or to fetch keys from)? `https://` always;
/// `http://` only to a loopback host (127.0.0.0/8, ::1, localhost) unless
/// `insecure_http` allows any host. The error says why (without the key: callers name
/// it) and suggests setting `insecure_http = true` in the target.
pub fn check_transport(url: &str, insecure_http: bool) -> Result<(), String> {
    check_transport_hint(
        url,
        insecure_http,
        "set `insecure_http = true` in the target",
    )
}

/// [`check_transport`] with another way to opt in named in the error (`opt_in`, e.g.
/// "pass --insecure-http").
pub fn check_transport_hint(url: &str, insecure_http: bool, opt_in: &str) -> Result<(), String> {
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| format!("`{url}` is not a valid URL ({e})"))?;
    match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("https") => Ok(()),
        Some("http") => {
            let host = uri.host().unwrap_or("");
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback || insecure_http {
                Ok(())
            } else {
                Err(format!(
                    "`{url}` is plain http to `{host}`, which is not loopback: credentials would \
                     travel in cleartext; use https, or {opt_in} (never outside a lab)"
                ))
            }
        }
        _ => Err(format!("`{url}` is not an http(s) URL")),
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in the past
/// means "now"; anything unreadable is ignored (the normal backoff applies).
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - now)
        .num_seconds()
        .max(0);
    Some(Duration::from_secs(secs as u64))
}

fn classify(url: &str, e: ureq::Error) -> HttpError {
    let url = url.to_string();
    match e {
        ureq::Error::Timeout(_) => HttpError::Timeout { url },
        // rustls reports handshake and certificate failures as InvalidData I/O errors.
        ureq::Error::Io(io)
            if io.kind() == std::io::ErrorKind::InvalidData && url.starts_with("https:") =>
        {
            HttpError::Tls {
                url,
                detail: io.to_string(),
            }
        }
        ureq::Error::Io(io) => HttpError::Connect {
            url,
            maybe_sent: io.kind() != std::io::ErrorKind::ConnectionRefused,
            detail: io.to_string(),
        },
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => HttpError::Connect {
            url,
            detail: e.to_string(),
            maybe_sent: false,
        },
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => HttpError::Tls {
            url,
            detail: e.to_string(),
        },
        other => HttpError::Other {
            url,
            detail: other.to_string(),
        },
    }
}

/// `application/x-www-form-urlencoded` (spaces as `%20`, which every server reads).
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encode everything but RFC 3986 unreserved characters (also right for path
/// segments).
pub fn pct(s: &str) -> String {
    utf8_percent_encode(s, NOT_UNRESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_are_scrubbed_from_server_text_before_it_is_cut() {
        let http = Http::new(HttpSettings::default()).unwrap();
        http.add_secret("s3cr3t/value+x");
        http.add_secret("eyJtoken");
        let body = format!(
            "{{\"error_description\":\"bad form grant_type=x&client_secret=s3cr3t%2Fvalue%2Bx; \
             Authorization: Bearer eyJtoken; raw s3cr3t/value+x{}\"}}",
            "y".repeat(300)
        );
        let resp = Response {
            status: 401,
            location: None,
            body,
            retry_after: None,
            attempts: 1,
            content_type: None,
        };
        let shown = http.shown(&resp);
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("eyJtoken"),
            "{shown}"
        );
        assert!(shown.contains("client_secret=***") && shown.contains("Bearer ***"));
        assert!(
            shown.ends_with('…') && shown.chars().count() == 201,
            "{shown}"
        );
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        for ok in [
            "https://kc.example.com",
            "http://127.0.0.1:8080",
            "http://127.1.2.3/x",
            "http://[::1]:80/",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            assert!(check_transport(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://kc.example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let e = check_transport(bad, false).unwrap_err();
            assert!(e.contains("insecure_http"), "{e}");
            assert!(check_transport(bad, true).is_ok(), "{bad}");
        }
        assert!(check_transport("ftp://x", true).is_err());
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T08:49:37Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn retry_note_names_attempts_and_a_refused_retry_after() {
        let settings = HttpSettings::default();
        let mut r = Response {
            status: 503,
            location: None,
            body: String::new(),
            retry_after: None,
            attempts: 4,
            content_type: None,
        };
        assert_eq!(r.retry_note(&settings), " (after 4 attempts)");
        r.retry_after = Some(Duration::from_secs(3600));
        r.attempts = 1;
        assert!(r.retry_note(&settings).contains("wait 3600 s"));
        r.status = 404;
        r.retry_after = None;
        assert_eq!(r.retry_note(&settings), "");
    }

    fn settings() -> HttpSettings {
        HttpSettings {
            retries: 3,
            backoff: Duration::from_millis(250),
            retry_after_max: Duration::from_secs(30),
            ..HttpSettings::default()
        }
    }

    fn retry(ms: u64) -> Decision {
        Decision::Retry {
            after: Duration::from_millis(ms),
        }
    }

    fn give_up(reason: GiveUpReason) -> Decision {
        Decision::GiveUp { reason }
    }

    #[test]
    fn retry_decision_for_429_and_503_with_and_without_retry_after() {
        let s = settings();
        let r = Repeat::Repeatable;
        for status in [429, 503] {
            let o = Outcome::Status(status);
            assert_eq!(decide_retry(1, o, None, &s, r), retry(250));
            assert_eq!(
                decide_retry(1, o, Some(Duration::from_secs(2)), &s, r),
                retry(2000)
            );
            // At the cap is waited for; above it is refused outright.
            assert_eq!(
                decide_retry(1, o, Some(Duration::from_secs(30)), &s, r),
                retry(30_000)
            );
            assert_eq!(
                decide_retry(1, o, Some(Duration::from_secs(3600)), &s, r),
                give_up(GiveUpReason::RetryAfterTooLong(Duration::from_secs(3600)))
            );
        }
    }

    #[test]
    fn retry_decision_retries_transient_5xx_but_not_500_4xx_or_success() {
        let s = settings();
        let r = Repeat::Repeatable;
        for status in [502, 503, 504] {
            assert_eq!(
                decide_retry(1, Outcome::Status(status), None, &s, r),
                retry(250)
            );
        }
        for status in [200, 201, 204, 400, 401, 403, 404, 409, 500, 501] {
            assert_eq!(
                decide_retry(1, Outcome::Status(status), None, &s, r),
                give_up(GiveUpReason::Final),
                "{status}"
            );
        }
        assert_eq!(
            decide_retry(1, Outcome::Fatal, None, &s, r),
            give_up(GiveUpReason::Final)
        );
    }

    #[test]
    fn retry_decision_for_connection_errors_and_lost_answers() {
        let s = settings();
        for request in [Repeat::Repeatable, Repeat::Unrepeatable] {
            // Refused: the server never saw it, so even an unrepeatable request is retried.
            assert_eq!(
                decide_retry(1, Outcome::ConnectionError, None, &s, request),
                retry(250)
            );
        }
        assert_eq!(
            decide_retry(1, Outcome::AnswerLost, None, &s, Repeat::Repeatable),
            retry(250)
        );
        assert_eq!(
            decide_retry(1, Outcome::AnswerLost, None, &s, Repeat::Unrepeatable),
            give_up(GiveUpReason::Unrepeatable)
        );
        // An unrepeatable request is still retried on 429 / 5xx (not processed).
        assert_eq!(
            decide_retry(1, Outcome::Status(503), None, &s, Repeat::Unrepeatable),
            retry(250)
        );
    }

    #[test]
    fn retry_decision_backs_off_exponentially_up_to_the_attempt_limit() {
        let s = settings();
        let r = Repeat::Repeatable;
        let o = Outcome::Status(503);
        assert_eq!(decide_retry(1, o, None, &s, r), retry(250));
        assert_eq!(decide_retry(2, o, None, &s, r), retry(500));
        assert_eq!(decide_retry(3, o, None, &s, r), retry(1000));
        // The 4th attempt (1 + retries) is the last.
        assert_eq!(
            decide_retry(4, o, None, &s, r),
            give_up(GiveUpReason::AttemptsExhausted)
        );
        assert_eq!(
            decide_retry(4, Outcome::ConnectionError, None, &s, r),
            give_up(GiveUpReason::AttemptsExhausted)
        );
        let none = HttpSettings {
            retries: 0,
            ..settings()
        };
        assert_eq!(
            decide_retry(1, o, None, &none, r),
            give_up(GiveUpReason::AttemptsExhausted)
        );
        // No overflow on absurd attempt numbers.
        assert!(matches!(
            decide_retry(
                40,
                o,
                None,
                &HttpSettings {
                    retries: u32::MAX,
                    ..settings()
                },
                r
            ),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn secrets_are_registered_raw_and_encoded() {
        let http = Http::new(HttpSettings::default()).unwrap();
        http.add_secret("a b/c");
        assert_eq!(
            http.scrub("raw a b/c, url a%20b%2Fc, form a+b%2Fc"),
            "raw ***, url ***, form ***"
        );
    }

    #[test]
    fn percent_encoding_keeps_unreserved() {
        assert_eq!(pct("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(form_encode(&[("a b", "é&=+")]), "a%20b=%C3%A9%26%3D%2B");
        assert_eq!(pct("orders:read a/b"), "orders%3Aread%20a%2Fb");
    }
}
