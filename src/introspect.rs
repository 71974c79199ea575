//! Token introspection (RFC 7662) for `decode --introspect URL` and
//! `decode --introspect-target NAME`: the endpoint (given, or the target's discovery
//! `introspection_endpoint`), the resource server's client credentials (environment or
//! file only, with the push rules: [`crate::push::read_secret`]), one request per token
//! through [`crate::net`] (TLS verified, plain HTTP only to loopback, the answer capped,
//! the timeout), an RFC 9701 answer (`application/token-introspection+jwt`) verified like
//! any token, and the answer turned into a [`Checked`] so that an opaque token gets the
//! time, scope and registry findings a JWT gets. `--batch` sends one request per line,
//! a bounded number at a time ([`batch`]).

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde_json::{Map, Value};

use crate::finding::{Finding, Outcome};
use crate::net::{Http, HttpSettings, Secret};
use crate::registry::types::Sp;
use crate::registry::Registry;
use crate::rules::Rule;
use crate::token::check::{Checked, Checker};
use crate::token::verify::{self, FetchOptions, KeySet, Status, Verification};
use crate::token::Decoded;

/// The most introspection requests `--batch` has in flight at once.
pub const MAX_CONCURRENCY: usize = 16;

/// Where to introspect, and as whom.
pub struct Introspector {
    /// The introspection endpoint.
    pub url: String,
    /// The issuer, when known (a target's): an RFC 9701 answer must come from it.
    pub issuer: Option<String>,
    /// The resource server's client id.
    pub client_id: String,
    secret: Secret,
    /// Where the secret was read from (`env SCOPECTL_API_SECRET`), for messages.
    pub secret_source: String,
    http: Http,
    /// Keys that verify an RFC 9701 (JWT) answer; asked for only when there are some.
    keys: Option<KeySet>,
}

/// The credentials as the command line gives them.
pub struct CliCredentials<'a> {
    pub client_id: Option<&'a str>,
    pub secret_env: Option<&'a str>,
    pub secret_file: Option<&'a Path>,
}

fn http(fetch: &FetchOptions) -> anyhow::Result<Http> {
    Http::new(HttpSettings {
        timeout: fetch.timeout,
        insecure_http: fetch.insecure_http,
        retries: 0,
        ..HttpSettings::default()
    })
    .map_err(|e| anyhow!("cannot set up HTTP: {e}"))
}

fn source_name(env: Option<&str>, file: Option<&str>) -> String {
    match (env, file) {
        (Some(e), _) => format!("env {e}"),
        (None, Some(f)) => format!("file {f}"),
        _ => "nowhere".to_string(),
    }
}

impl Introspector {
    /// `--introspect URL` with `--client-id` and `--client-secret-env|--client-secret-file`.
    pub fn from_url(
        url: &str,
        creds: &CliCredentials,
        fetch: &FetchOptions,
        keys: Option<KeySet>,
    ) -> anyhow::Result<Introspector> {
        crate::net::check_transport_hint(url, fetch.insecure_http, "pass --insecure-http")
            .map_err(|e| anyhow!("refusing to introspect at {url}: {e}"))?;
        let client_id = creds.client_id.ok_or_else(|| {
            anyhow!("--introspect needs --client-id: the resource server's client that may introspect tokens")
        })?;
        let env = creds.secret_env.map(|v| Sp::unspanned(v.to_string()));
        let file = creds
            .secret_file
            .map(|f| Sp::unspanned(f.to_string_lossy().into_owned()));
        let secret = crate::push::read_secret(
            "--introspect",
            "--client-secret-env",
            "client secret",
            env.as_ref(),
            file.as_ref(),
            Path::new("."),
        )?
        .ok_or_else(|| {
            anyhow!("--introspect needs the client's secret: --client-secret-env VAR or --client-secret-file FILE (never on the command line)")
        })?;
        let source = source_name(creds.secret_env, file.as_ref().map(|f| f.as_str()));
        Ok(Introspector {
            url: url.to_string(),
            issuer: None,
            client_id: client_id.to_string(),
            secret,
            secret_source: source,
            http: http(fetch)?,
            keys,
        })
    }

    /// `--introspect-target NAME`: the target's issuer's discovery document names the
    /// endpoint (and the JWKS an RFC 9701 answer is verified with); the target's
    /// `introspection_client_id` / `introspection_secret_*` (else `client_id` /
    /// `client_secret_*`) authenticate. Command-line credentials win.
    pub fn from_target(
        registry: &Registry,
        root: &Path,
        name: &str,
        creds: &CliCredentials,
        fetch: &FetchOptions,
        keys: Option<KeySet>,
    ) -> anyhow::Result<Introspector> {
        let (name, t) = crate::push::select_target(registry, Some(name))?;
        let issuer = crate::token::keys::target_issuers(registry)
            .into_iter()
            .find(|(_, n)| *n == name)
            .map(|(i, _)| i)
            .ok_or_else(|| {
                anyhow!("target `{name}` names no issuer (a keycloak target needs `realm`)")
            })?;
        let fetch = FetchOptions {
            insecure_http: fetch.insecure_http || t.insecure_http.unwrap_or(false),
            timeout: fetch.timeout,
        };
        let (_, doc) = verify::discovery_document(&issuer, &fetch)?;
        let url = doc
            .get("introspection_endpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                anyhow!("the OpenID configuration of {issuer} (target `{name}`) has no introspection_endpoint")
            })?
            .to_string();
        let keys = match (keys, doc.get("jwks_uri").and_then(Value::as_str)) {
            (Some(k), _) => Some(k),
            (None, Some(jwks)) => verify::fetch_jwks(jwks, &fetch).ok(),
            (None, None) => None,
        };
        if creds.client_id.is_some() {
            let mut i = Self::from_url(&url, creds, &fetch, keys)?;
            i.issuer = Some(issuer);
            return Ok(i);
        }
        let client_id = t
            .introspection_client_id
            .as_ref()
            .or(t.client_id.as_ref())
            .map(|c| c.get().clone())
            .ok_or_else(|| {
                anyhow!("target `{name}`: set `introspection_client_id` (or `client_id`), or pass --client-id")
            })?;
        let (env, file) = match (&t.introspection_secret_env, &t.introspection_secret_file) {
            (None, None) => (t.client_secret_env.as_ref(), t.client_secret_file.as_ref()),
            (e, f) => (e.as_ref(), f.as_ref()),
        };
        let secret = crate::push::read_secret(
            &name,
            "introspection_secret_env",
            "introspection client secret",
            env,
            file,
            root,
        )?
        .ok_or_else(|| {
            anyhow!("target `{name}`: set `introspection_secret_env` or `introspection_secret_file` (or `client_secret_*`)")
        })?;
        let mut settings = crate::push::http_settings(&name, t, root)?;
        settings.timeout = fetch.timeout;
        settings.retries = 0;
        Ok(Introspector {
            url,
            issuer: Some(issuer),
            client_id,
            secret,
            secret_source: source_name(env.map(|e| e.as_str()), file.map(|f| f.as_str())),
            http: Http::new(settings).map_err(|e| anyhow!("target `{name}`: {e}"))?,
            keys,
        })
    }

    /// Ask about one token (as pasted: a header line is reduced to the token). `Err`: the
    /// endpoint could not answer it (unreachable, credentials refused, not an answer).
    pub fn ask(&self, input: &str) -> anyhow::Result<(Map<String, Value>, Verification)> {
        let (token, _) = crate::token::extract(input);
        if token.is_empty() {
            bail!("no token: the input is empty");
        }
        let want_jwt = self.keys.is_some();
        let resp = self
            .http
            .introspect(
                &self.url,
                &self.client_id,
                &self.secret,
                &Secret::new(token),
                want_jwt,
            )
            .map_err(|e| anyhow!("token introspection at {}: {e}", self.url))?;
        if resp.status == 401 || (resp.status == 400 && resp.body.contains("invalid_client")) {
            bail!(
                "the introspection endpoint {} refused the client credentials ({} {}): check the client id `{}` and the secret in {}; the client must be a confidential client allowed to introspect",
                self.url,
                resp.status,
                self.http.shown(&resp),
                self.client_id,
                self.secret_source
            );
        }
        if !resp.ok() {
            bail!(
                "the introspection endpoint {} answered HTTP {}: {}",
                self.url,
                resp.status,
                self.http.shown(&resp)
            );
        }
        let jwt = resp
            .content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().contains("jwt"));
        if jwt {
            return self.jwt_answer(resp.body.trim());
        }
        let doc: Value = serde_json::from_str(&resp.body)
            .map_err(|e| anyhow!("the answer of {} is not JSON: {e}", self.url))?;
        let Value::Object(map) = doc else {
            bail!("the answer of {} is not a JSON object", self.url);
        };
        let v = self.vouched(&map, None);
        Ok((map, v))
    }

    /// RFC 9701: a JWT whose `token_introspection` member is the answer; verified with
    /// the issuer's keys like any token, and it must be from the issuer and for us.
    fn jwt_answer(&self, body: &str) -> anyhow::Result<(Map<String, Value>, Verification)> {
        let d = crate::token::decode(body).map_err(|e| {
            anyhow!(
                "the JWT answer (RFC 9701) of {} is not a JWS: {e}",
                self.url
            )
        })?;
        let v = verify::verify(&d, self.keys.as_ref(), verify::DEFAULT_ALGORITHMS);
        let Some(Value::Object(inner)) = d.claims.get("token_introspection").cloned() else {
            bail!(
                "the JWT answer (RFC 9701) of {} has no `token_introspection` object",
                self.url
            );
        };
        if v.status != Status::Verified {
            let mut v = v;
            v.message = format!(
                "the introspection answer (a signed JWT, RFC 9701) of {} does not verify: {}",
                self.url, v.message
            );
            return Ok((inner, v));
        }
        let mut problems = Vec::new();
        if let (Some(want), Some(got)) = (&self.issuer, d.claim_str("iss")) {
            if want.trim_end_matches('/') != got.trim_end_matches('/') {
                problems.push(format!("its `iss` is {got:?}, not {want:?}"));
            }
        }
        if !d.audiences().contains(&self.client_id) {
            problems.push(format!("its `aud` does not name {:?}", self.client_id));
        }
        if !problems.is_empty() {
            let mut v = v;
            v.status = Status::Invalid;
            v.findings.push(Finding::error(
                Rule::TokenSignatureInvalid,
                format!(
                    "the signed introspection answer verifies but is not for this request: {}",
                    problems.join("; ")
                ),
            ));
            v.message = format!("the introspection answer of {} is not for us", self.url);
            return Ok((inner, v));
        }
        let how = format!("a signed answer (RFC 9701); {}", v.message);
        let out = self.vouched(&inner, Some(how));
        Ok((inner, out))
    }

    /// The verification an answer stands for: active (the server vouches for the token)
    /// or not (`token/inactive`).
    fn vouched(&self, answer: &Map<String, Value>, signed: Option<String>) -> Verification {
        let active = answer.get("active") == Some(&Value::Bool(true));
        let how = signed.unwrap_or_else(|| {
            if self.url.to_ascii_lowercase().starts_with("https://") {
                "over https, the server's certificate verified".to_string()
            } else {
                "over plain http (allowed to loopback or with --insecure-http)".to_string()
            }
        });
        let mut v = Verification {
            status: Status::Introspected,
            alg: None,
            kid: None,
            key: Some(format!("token introspection at {}", self.url)),
            message: String::new(),
            findings: Vec::new(),
            key_unusable: false,
        };
        if active {
            v.message = format!(
                "active according to token introspection at {} (client {}; {how})",
                self.url, self.client_id
            );
        } else {
            v.message = format!(
                "NOT active according to token introspection at {} (client {})",
                self.url, self.client_id
            );
            v.findings.push(
                Finding::error(
                    Rule::TokenInactive,
                    "the authorization server says the token is not active: it is expired, revoked, unknown to the server, or not meant for this resource server (RFC 7662 lets the server not say which)",
                )
                .help("get a new token; if that one is inactive too, check that the token is for this resource server and that the introspecting client is the one the server expects"),
            );
        }
        v
    }

    /// Introspect one token and check the answer like a token's claims.
    pub fn check(&self, checker: &Checker, input: &str) -> anyhow::Result<Checked> {
        let (mut answer, verification) = self.ask(input)?;
        answer.remove("active");
        Ok(checker.finish(Decoded::introspected(input, answer), verification))
    }
}

/// `--batch` with introspection: one request per non-blank line, at most `concurrency`
/// at a time, one JSON line each in input order. A line the endpoint could not answer is
/// an `error` line (`introspect/failed`) and makes the run exit 2.
pub fn batch(
    reader: impl BufRead,
    out: impl Write,
    source: &str,
    checker: &Checker,
    introspector: &Introspector,
    concurrency: usize,
) -> anyhow::Result<Outcome> {
    let workers = concurrency.clamp(1, MAX_CONCURRENCY);
    let mut out = std::io::BufWriter::new(out);
    let mut worst = Outcome::Clean;
    let mut number = 0usize;
    let mut lines = reader.lines();
    loop {
        let mut chunk: Vec<(usize, String)> = Vec::new();
        for line in lines.by_ref() {
            let line = line.with_context(|| format!("cannot read the batch input {source}"))?;
            number += 1;
            if line.trim().is_empty() {
                continue;
            }
            chunk.push((number, line));
            if chunk.len() == workers * 8 {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<std::sync::Mutex<Option<(String, Outcome)>>> =
            chunk.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..workers.min(chunk.len()) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((n, line)) = chunk.get(i) else {
                        break;
                    };
                    let one = match introspector.check(checker, line) {
                        Ok(c) => {
                            let doc =
                                crate::token::render::batch_doc(&c, *n, checker.registry.is_some());
                            (serde_json::to_string(&doc).unwrap_or_default(), c.outcome())
                        }
                        Err(e) => (
                            serde_json::json!({
                                "line": n,
                                "version": 1,
                                "tool": "scopectl",
                                "valid": false,
                                "error": {"code": "introspect/failed", "message": format!("{e:#}")},
                            })
                            .to_string(),
                            Outcome::Unusable,
                        ),
                    };
                    if let Some(slot) = results.get(i) {
                        if let Ok(mut g) = slot.lock() {
                            *g = Some(one);
                        }
                    }
                });
            }
        });
        for slot in results {
            let (line, outcome) = slot.into_inner().ok().flatten().unwrap_or_else(|| {
                (
                    "{\"error\":{\"code\":\"internal\"}}".into(),
                    Outcome::Unusable,
                )
            });
            writeln!(out, "{line}")?;
            worst = worst.max(outcome);
        }
    }
    out.flush()?;
    Ok(worst)
}
