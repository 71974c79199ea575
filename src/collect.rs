//! `scopectl usage collect`: build a usage [`Snapshot`] from one source, merged into an
//! existing one when asked.
//!
//! - A Keycloak target (`[targets.NAME]`, the credentials `plan` uses; reading needs only
//!   the `view-events` role): the realm's event settings (`GET /events/config`), the
//!   token events of the window (`GET /events`, paged with `first`/`max`, filtered by type
//!   and `dateFrom`/`dateTo`), one request for the newest event before the window (do the
//!   stored events reach back that far?), and, when the account may list them, the client
//!   scopes kept out of the token's `scope` claim.
//! - A file of Keycloak event JSON (one event per line, or a JSON array: the admin API's
//!   answer); which event types it holds completely is known only when declared
//!   (`--stored-types`).
//! - Token samples: one token per line, or `decode --batch` output (then a token counts as
//!   verified when its signature was). Samples prove use, never absence.

use std::io::BufRead;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Utc};

use crate::net::Http;
use crate::push::keycloak::Keycloak;
use crate::push::PushTarget;
use crate::registry::policy::TargetKind;
use crate::registry::Registry;
use crate::usage::{EventSettings, Proof, Snapshot, Source, SourceKind, Window, TOKEN_EVENT_TYPES};

/// The largest event or token file read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// The longest line of an event or token file.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Events read per page of the admin events API (`SCOPECTL_EVENTS_PAGE_SIZE` overrides it,
/// up to 10,000). Keycloak's cost is mostly per request: 100,000 events took 30–40 s in
/// pages of 1,000 and 6.5 s in pages of 5,000 on the local Keycloak.
pub const EVENTS_PAGE: usize = 5000;
/// The most events one collection reads from a target.
pub const MAX_EVENTS: usize = 5_000_000;

/// What `collect` read, besides the snapshot: request counts and notes for stderr.
#[derive(Debug, Default)]
pub struct Collected {
    pub requests: Option<crate::net::Counts>,
    pub notes: Vec<String>,
}

fn page_size() -> usize {
    std::env::var("SCOPECTL_EVENTS_PAGE_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0 && *n <= 10_000)
        .unwrap_or(EVENTS_PAGE)
}

/// Read a Keycloak target's token events over `window` (from `resume` instead of the
/// window's start when a merged snapshot already holds this target's events up to it).
pub fn from_target(
    root: &Path,
    name: Option<&str>,
    window: Window,
    resume: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> anyhow::Result<(Snapshot, Collected)> {
    let loaded = Registry::load_dir(root)?;
    if loaded.registry.policy_file.is_none() {
        bail!(
            "`{}` has no scopectl.toml, so no `[targets.NAME]` to collect from",
            root.display()
        );
    }
    let (name, target) = crate::push::select_target(&loaded.registry, name)?;
    if *target.kind != TargetKind::Keycloak {
        bail!("target `{name}` is not a keycloak target: usage is collected from Keycloak events");
    }
    let settings = crate::push::http_settings(&name, target, root)?;
    let http = Http::new(settings).map_err(|e| anyhow!("target `{name}`: {e}"))?;
    let mut kc = Keycloak::new(&name, target, root, http)?;
    let label = kc.label();
    let mut notes = Vec::new();
    let from = match resume(&label) {
        Some(newest) if newest >= window.from => {
            notes.push(format!(
                "reading {label} from {} on: the merged snapshot holds its events up to then",
                newest.format("%Y-%m-%d %H:%M:%S%.3fZ")
            ));
            newest + chrono::Duration::milliseconds(1)
        }
        _ => window.from,
    };
    let window = Window {
        from,
        to: window.to,
    };
    let cfg = kc.read_event_settings()?;
    let realm_events = EventSettings {
        events_enabled: cfg
            .get("eventsEnabled")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        expiration_seconds: cfg
            .get("eventsExpiration")
            .and_then(|v| v.as_u64())
            .filter(|s| *s > 0),
        enabled_event_types: cfg
            .get("enabledEventTypes")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
    };
    let stored = realm_events.stored_token_types();
    if !realm_events.events_enabled {
        notes.push(format!(
            "realm events are OFF on {label}: nothing is stored, so no grant can be shown unused (Realm settings → Events → User events settings → Save events)"
        ));
    }
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::Keycloak, label.clone(), window);
    src.stored_types = Some(stored.clone());
    src.stored_types_from = Some("realm events config".into());
    src.realm_events = Some(realm_events);
    let types: Vec<&str> = TOKEN_EVENT_TYPES.iter().map(|(t, _)| *t).collect();
    let pages = kc.read_events(
        &types,
        window.from.timestamp_millis(),
        window.to.timestamp_millis(),
        page_size(),
        MAX_EVENTS,
        &mut |e| {
            snap.observe_event(&mut src, e);
        },
    )?;
    src.pages = Some(pages);
    if let Some(e) = kc.newest_event_before(&types, window.from.timestamp_millis() - 1)? {
        if let Some(at) = e
            .get("time")
            .and_then(|v| v.as_i64())
            .and_then(DateTime::<Utc>::from_timestamp_millis)
        {
            src.oldest_event = Some(src.oldest_event.map_or(at, |o| o.min(at)));
        }
    }
    match kc.scopes_out_of_token_claim()? {
        Some(names) => snap.not_in_token_scope.extend(names),
        None => notes.push(format!(
            "{label}: the account may not list client scopes (view-clients), so scopes kept out of the token's scope claim are known only from the registry's `in_token_scope = false`"
        )),
    }
    snap.sources.push(src);
    Ok((
        snap,
        Collected {
            requests: Some(kc.counts()),
            notes,
        },
    ))
}

/// Each non-blank line of `path` (at most [`MAX_FILE_BYTES`], lines of at most
/// [`MAX_LINE_BYTES`]), with its number.
fn lines(path: &Path, what: &str, each: &mut dyn FnMut(usize, &str)) -> anyhow::Result<()> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
    if !meta.is_file() {
        bail!("the {what} `{}` is not a regular file", path.display());
    }
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "the {what} `{}` is larger than {} (the most scopectl reads): split it and merge the snapshots",
            path.display(),
            crate::net::size_text(MAX_FILE_BYTES)
        );
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
        if read == 0 {
            break;
        }
        n += 1;
        if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
            bail!(
                "line {n} of the {what} `{}` is longer than {} (the longest line scopectl reads)",
                path.display(),
                crate::net::size_text(MAX_LINE_BYTES as u64)
            );
        }
        let text = String::from_utf8_lossy(&buf);
        let line = text.trim();
        if !line.is_empty() {
            each(n, line);
        }
    }
    Ok(())
}

use std::io::Read as _;

/// Read a file of Keycloak events (JSON lines, or one JSON array). `stored_types`, when
/// given, declares that the file holds every event of those types for the window.
pub fn from_events_file(
    path: &Path,
    window: Window,
    stored_types: Option<Vec<String>>,
) -> anyhow::Result<(Snapshot, Collected)> {
    if let Some(types) = &stored_types {
        for t in types {
            if !TOKEN_EVENT_TYPES.iter().any(|(k, _)| k == t) {
                bail!(
                    "--stored-types: `{t}` is not a token event type ({})",
                    TOKEN_EVENT_TYPES
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
    }
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::EventsFile, path.display().to_string(), window);
    src.stored_types_from = stored_types
        .as_ref()
        .map(|_| "declared (--stored-types)".to_string());
    src.stored_types = stored_types;
    let mut first_bad = None;
    lines(
        path,
        "events file",
        &mut |n, line| match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Array(items)) => {
                for e in &items {
                    snap.observe_event(&mut src, e);
                }
            }
            Ok(e) if e.is_object() => {
                if !snap.observe_event(&mut src, &e) && first_bad.is_none() {
                    first_bad = Some(n);
                }
            }
            _ => {
                src.read += 1;
                src.skipped += 1;
                first_bad.get_or_insert(n);
            }
        },
    )?;
    let mut notes = Vec::new();
    if src.read > 0 && src.skipped == src.read {
        bail!(
            "`{}` holds no Keycloak event (line {} is not an event object with `type`, `time` and `clientId`)",
            path.display(),
            first_bad.unwrap_or(1)
        );
    }
    if src.skipped > 0 {
        notes.push(format!(
            "{} line(s) or event(s) of `{}` could not be read (the first on line {}): not counted",
            src.skipped,
            path.display(),
            first_bad.unwrap_or(0)
        ));
    }
    if src.stored_types.is_none() {
        notes.push(format!(
            "`{}`: which event types it holds completely is not declared (--stored-types), so it shows use but never absence",
            path.display()
        ));
    }
    snap.sources.push(src);
    Ok((
        snap,
        Collected {
            requests: None,
            notes,
        },
    ))
}

/// Read token samples: one token per line (a JWT, or an `Authorization: Bearer` line),
/// or one `decode --batch` result per line. A token without a client (`azp`,
/// `client_id`) or an issue time (`iat`) is not counted.
pub fn from_tokens_file(path: &Path, window: Window) -> anyhow::Result<(Snapshot, Collected)> {
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::Tokens, path.display().to_string(), window);
    let (mut verified, mut unverified) = (0u64, 0u64);
    let mut first_bad = None;
    lines(path, "token file", &mut |n, line| {
        src.read += 1;
        let (claims, is_verified) = if line.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) if v.get("claims").is_some_and(|c| c.is_object()) => {
                    let ok = v
                        .get("signature")
                        .and_then(|s| s.get("status"))
                        .and_then(|s| s.as_str())
                        == Some("verified");
                    (v.get("claims").cloned(), ok)
                }
                _ => (None, false),
            }
        } else {
            match crate::token::decode(line) {
                Ok(d) => (Some(serde_json::Value::Object(d.claims)), false),
                Err(_) => (None, false),
            }
        };
        let Some(claims) = claims else {
            src.skipped += 1;
            first_bad.get_or_insert(n);
            return;
        };
        let client = claims
            .get("azp")
            .or_else(|| claims.get("client_id"))
            .and_then(|v| v.as_str());
        let at = claims
            .get("iat")
            .and_then(|v| v.as_i64())
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0));
        let (Some(client), Some(at)) = (client, at) else {
            src.skipped += 1;
            first_bad.get_or_insert(n);
            return;
        };
        src.oldest_event = Some(src.oldest_event.map_or(at, |o| o.min(at)));
        src.newest_event = Some(src.newest_event.map_or(at, |o| o.max(at)));
        if at < window.from || at > window.to {
            return;
        }
        src.counted += 1;
        let proof = if is_verified {
            verified += 1;
            Proof::VerifiedToken
        } else {
            unverified += 1;
            Proof::UnverifiedToken
        };
        let scope = claims.get("scope").and_then(|v| v.as_str()).unwrap_or("");
        snap.observe(client, at, scope, None, proof);
    })?;
    src.verified = Some(verified);
    src.unverified = Some(unverified);
    let mut notes = Vec::new();
    if src.read > 0 && src.skipped == src.read {
        bail!(
            "`{}` holds no token with a client and an issue time (line {} is neither a token nor a `decode --batch` result)",
            path.display(),
            first_bad.unwrap_or(1)
        );
    }
    if src.skipped > 0 {
        notes.push(format!(
            "{} line(s) of `{}` are not tokens with `azp`/`client_id` and `iat` (the first on line {}): not counted",
            src.skipped,
            path.display(),
            first_bad.unwrap_or(0)
        ));
    }
    if unverified > 0 {
        notes.push(format!(
            "{unverified} token(s) of `{}` were NOT verified: their use counts with low confidence (run `scopectl decode --batch FILE --jwks …` and collect its output to verify them)",
            path.display()
        ));
    }
    snap.sources.push(src);
    Ok((
        snap,
        Collected {
            requests: None,
            notes,
        },
    ))
}
