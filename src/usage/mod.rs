//! Usage evidence: which grants tokens actually carried, and how complete that evidence is.
//!
//! A [`Snapshot`] (the documented JSON file `scopectl usage collect` writes) holds, per
//! client and scope, when a token first and last carried the scope, how many did, with which
//! grant types, and how strong the proof is (the server's own event log, a verified token,
//! an unverified one); and its coverage: each source with its window, the oldest event it
//! saw, the event types the server stored, the realm's event settings, and the scopes that
//! can never show (kept out of the token's `scope` claim). Snapshots [merge](Snapshot::merge),
//! so a scheduled job accumulates them.
//!
//! [`Builder`] turns observations (a Keycloak event, a token's claims) into a snapshot; the
//! sources that read them (the admin events API, files) are in `collect`. [`evaluate`]
//! judges each grant of a registry against a snapshot: used, unused, or not evaluable with
//! the reason, and the `usage/*` findings.

pub mod evaluate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Version of the snapshot file; bumped only if a shape must change.
pub const VERSION: u32 = 1;

/// The largest snapshot file read (`lint --usage`, `report --usage`, `collect --merge`).
pub const MAX_SNAPSHOT_BYTES: u64 = 256 * 1024 * 1024;

/// Keycloak event types that issue a token whose `scope` detail is the token's `scope`
/// claim, and the grant type each stands for. `LOGIN` issues a token only for the password
/// grant (`grant_type=password` in its details); otherwise it is a browser login.
pub const TOKEN_EVENT_TYPES: &[(&str, &str)] = &[
    ("CLIENT_LOGIN", "client_credentials"),
    ("CODE_TO_TOKEN", "authorization_code"),
    ("REFRESH_TOKEN", "refresh_token"),
    ("TOKEN_EXCHANGE", "token_exchange"),
    ("LOGIN", "password"),
    ("OAUTH2_DEVICE_CODE_TO_TOKEN", "device_code"),
    ("AUTHREQID_TO_TOKEN", "ciba"),
];

/// The token event types a realm stores when event storage is on and it names no types
/// (Keycloak's `saveByDefault`): all of [`TOKEN_EVENT_TYPES`] but `REFRESH_TOKEN`.
pub const STORED_BY_DEFAULT: &[&str] = &[
    "CLIENT_LOGIN",
    "CODE_TO_TOKEN",
    "TOKEN_EXCHANGE",
    "LOGIN",
    "OAUTH2_DEVICE_CODE_TO_TOKEN",
    "AUTHREQID_TO_TOKEN",
];

/// Scope names a server issues without a grant in a registry: OpenID Connect's own and
/// Keycloak's built-in client scopes (kept equal to `push::keycloak::BUILTIN_SCOPES` by a
/// test). Tokens carrying them are not drift.
pub const SERVER_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "roles",
    "web-origins",
    "acr",
    "basic",
    "address",
    "phone",
    "offline_access",
    "microprofile-jwt",
    "organization",
    "service_account",
    "role_list",
    "saml_organization",
    "AuthnContextClassRef",
];

/// Is `scope` one a server issues on its own (OpenID Connect, Keycloak built-ins)?
pub fn is_server_scope(scope: &str) -> bool {
    SERVER_SCOPES.contains(&scope)
        || scope.starts_with("oid4vc_")
        || scope.starts_with("delegation:")
}

/// A span of time, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }

    /// The window `usage collect` reads: `--since` (or `length` before its end) to
    /// `--until` (or `now`). A window that ends before it starts, or after `now` (no
    /// evidence of the future exists, and a window that claims it would let a grant look
    /// unused in it), is refused.
    pub fn to_collect(
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
        length: chrono::Duration,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Window> {
        let to = until.unwrap_or(now);
        if to > now {
            bail!(
                "the window ends in the future ({}, now {}): no evidence exists yet for the rest of it; leave --until out to collect up to now",
                to.format("%Y-%m-%d %H:%M:%SZ"),
                now.format("%Y-%m-%d %H:%M:%SZ")
            );
        }
        let from = match since {
            Some(s) => s,
            None => to
                .checked_sub_signed(length)
                .ok_or_else(|| anyhow::anyhow!("the window starts before the year -262143"))?,
        };
        if from > to {
            bail!("the window starts ({from}) after it ends ({to})");
        }
        Ok(Window { from, to })
    }
}

/// How strong the proof of a use is, weakest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Proof {
    /// A token sample whose signature was not verified: it could be forged or replayed.
    UnverifiedToken,
    /// A token sample whose signature was verified (`decode --batch` with a key).
    VerifiedToken,
    /// The server's own record of issuing the token (a Keycloak event).
    Event,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What kind of source a snapshot was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SourceKind {
    /// A Keycloak target's admin events API (`GET /admin/realms/{realm}/events`).
    Keycloak,
    /// A file of Keycloak event JSON (one event per line, or an array).
    EventsFile,
    /// Token samples: a file of tokens, or `decode --batch` output.
    Tokens,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A realm's event settings as read (`GET /admin/realms/{realm}/events/config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSettings {
    /// `eventsEnabled`: user events are stored at all.
    pub events_enabled: bool,
    /// `eventsExpiration`: stored events are deleted after this many seconds (none: kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_seconds: Option<u64>,
    /// `enabledEventTypes` as configured (empty: Keycloak's default set).
    #[serde(default)]
    pub enabled_event_types: Vec<String>,
}

impl EventSettings {
    /// The token event types these settings store.
    pub fn stored_token_types(&self) -> Vec<String> {
        if !self.events_enabled {
            return Vec::new();
        }
        TOKEN_EVENT_TYPES
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| {
                if self.enabled_event_types.is_empty() {
                    STORED_BY_DEFAULT.contains(t)
                } else {
                    self.enabled_event_types.iter().any(|e| e == t)
                }
            })
            .map(String::from)
            .collect()
    }
}

/// One source read into a snapshot, with what it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    /// `target prod (realm shop at https://id.example.com)`, a file name.
    pub name: String,
    pub collected_at: DateTime<Utc>,
    /// The window asked for.
    pub window: Window,
    /// Events (or tokens) read.
    pub read: u64,
    /// Token-issuing events (or tokens) inside the window that were counted.
    pub counted: u64,
    /// Lines or events that could not be read (not JSON, no client, no time), counted in
    /// `read` but never as evidence.
    #[serde(default)]
    pub skipped: u64,
    /// Why they were skipped (files only), with how many: `not-utf8` (bytes that are not
    /// UTF-8), `not-json`, `duplicate-member` (an object with a member name twice: parsers
    /// disagree on which one counts), `not-an-event` (no `type`, `time` or `clientId`),
    /// `not-a-token` (no client or issue time).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped_reasons: BTreeMap<String, u64>,
    /// Pages of the admin events API read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u64>,
    /// The oldest token event this source showed to be stored (one before the window, when
    /// there is one, proves the stored events reach back past the window's start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_event: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_event: Option<DateTime<Utc>>,
    /// Token event types the source holds every one of (`null`: not known, so it cannot
    /// show that something was not used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_types: Option<Vec<String>>,
    /// Where `stored_types` comes from: `realm events config` (read from the server) or
    /// `declared (--stored-types)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_types_from: Option<String>,
    /// The realm's event settings as read (Keycloak targets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_events: Option<EventSettings>,
    /// Token samples whose signature was verified, and not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<u64>,
}

/// Why a line or an event of a usage file is not counted (`usage collect`); its key names
/// it in a source's `skipped_reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    NotUtf8,
    NotJson,
    Duplicate,
    NotAnEvent,
    NotAToken,
}

impl Skip {
    const ALL: [Skip; 5] = [
        Skip::NotUtf8,
        Skip::NotJson,
        Skip::Duplicate,
        Skip::NotAnEvent,
        Skip::NotAToken,
    ];

    /// Its key in a source's `skipped_reasons`.
    pub fn key(self) -> &'static str {
        match self {
            Skip::NotUtf8 => "not-utf8",
            Skip::NotJson => "not-json",
            Skip::Duplicate => "duplicate-member",
            Skip::NotAnEvent => "not-an-event",
            Skip::NotAToken => "not-a-token",
        }
    }

    /// The reason a key names (`None` for one this version does not know).
    pub fn from_key(key: &str) -> Option<Skip> {
        Skip::ALL.into_iter().find(|s| s.key() == key)
    }

    /// A few words for a summary line (`2 not UTF-8`).
    pub fn short(self) -> &'static str {
        match self {
            Skip::NotUtf8 => "not UTF-8",
            Skip::NotJson => "not JSON",
            Skip::Duplicate => "with a member name twice",
            Skip::NotAnEvent => "not an event",
            Skip::NotAToken => "not a token",
        }
    }
}

impl Source {
    /// ` (2 skipped, not counted: 1 not UTF-8, 1 with a member name twice)`, or nothing when
    /// none was.
    pub fn skipped_text(&self) -> String {
        if self.skipped == 0 {
            return String::new();
        }
        let why: Vec<String> = self
            .skipped_reasons
            .iter()
            .map(|(k, n)| match Skip::from_key(k) {
                Some(why) => format!("{n} {}", why.short()),
                None => format!("{n} {k}"),
            })
            .collect();
        if why.is_empty() {
            format!(" ({} skipped, not counted)", self.skipped)
        } else {
            format!(
                " ({} skipped, not counted: {})",
                self.skipped,
                why.join(", ")
            )
        }
    }

    /// A source with nothing read yet.
    pub fn new(kind: SourceKind, name: impl Into<String>, window: Window) -> Source {
        Source {
            kind,
            name: name.into(),
            collected_at: Utc::now(),
            window,
            read: 0,
            counted: 0,
            skipped: 0,
            skipped_reasons: BTreeMap::new(),
            pages: None,
            oldest_event: None,
            newest_event: None,
            stored_types: None,
            stored_types_from: None,
            realm_events: None,
            verified: None,
            unverified: None,
        }
    }

    /// The part of its window this source can show absence in (every token event of
    /// `types` stored): from its oldest stored event (or the window's start, when an older
    /// event is stored) to its end, or to when it was collected if that came first (no
    /// evidence covers what came after); `None` when it cannot show absence at all.
    pub fn covers(&self, types: &[&str]) -> Option<Window> {
        if self.kind == SourceKind::Tokens {
            return None;
        }
        let stored = self.stored_types.as_ref()?;
        if !types.iter().all(|t| stored.iter().any(|s| s == t)) {
            return None;
        }
        let oldest = self.oldest_event?;
        Some(Window {
            from: oldest.max(self.window.from),
            to: self.window.to.min(self.collected_at),
        })
    }
}

/// A set of OAuth grant types (`client_credentials`, `authorization_code`), written as
/// the sorted JSON array a set gives. A snapshot holds one per client and per client ×
/// scope pair, usually of one entry: a `BTreeSet` allocates a node of eleven entries for
/// it (100,000 pairs: about 30 MB, most of a snapshot's reading time spent on fresh
/// pages), so a few are kept as a sorted list, and a set is used only past [`FEW`] (the
/// values come from events, so a hostile events file cannot make inserting quadratic).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub enum GrantTypes {
    /// Sorted, without repeats, at most [`FEW`].
    Few(Vec<String>),
    Many(BTreeSet<String>),
}

/// The most grant types kept as a list.
const FEW: usize = 16;

/// Equal when they hold the same grant types, however they are kept.
impl PartialEq for GrantTypes {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for GrantTypes {}

impl Default for GrantTypes {
    fn default() -> Self {
        GrantTypes::Few(Vec::new())
    }
}

impl From<Vec<String>> for GrantTypes {
    fn from(mut v: Vec<String>) -> Self {
        if v.len() > FEW {
            return GrantTypes::Many(v.into_iter().collect());
        }
        v.sort_unstable();
        v.dedup();
        v.shrink_to_fit();
        GrantTypes::Few(v)
    }
}

impl From<GrantTypes> for Vec<String> {
    fn from(g: GrantTypes) -> Self {
        match g {
            GrantTypes::Few(v) => v,
            GrantTypes::Many(s) => s.into_iter().collect(),
        }
    }
}

impl GrantTypes {
    pub fn new() -> Self {
        GrantTypes::default()
    }

    pub fn is_empty(&self) -> bool {
        match self {
            GrantTypes::Few(v) => v.is_empty(),
            GrantTypes::Many(s) => s.is_empty(),
        }
    }

    /// In sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        let (few, many) = match self {
            GrantTypes::Few(v) => (Some(v.iter()), None),
            GrantTypes::Many(s) => (None, Some(s.iter())),
        };
        few.into_iter().flatten().chain(many.into_iter().flatten())
    }

    pub fn contains(&self, g: &str) -> bool {
        match self {
            GrantTypes::Few(v) => v.binary_search_by(|x| x.as_str().cmp(g)).is_ok(),
            GrantTypes::Many(s) => s.contains(g),
        }
    }

    /// Add `g` (no-op when it is there).
    pub fn insert(&mut self, g: &str) {
        match self {
            GrantTypes::Few(v) => {
                if let Err(at) = v.binary_search_by(|x| x.as_str().cmp(g)) {
                    if v.len() < FEW {
                        v.insert(at, g.to_string());
                    } else {
                        let mut s: BTreeSet<String> = std::mem::take(v).into_iter().collect();
                        s.insert(g.to_string());
                        *self = GrantTypes::Many(s);
                    }
                }
            }
            GrantTypes::Many(s) => {
                if !s.contains(g) {
                    s.insert(g.to_string());
                }
            }
        }
    }

    /// Add every grant type of `other`.
    pub fn extend(&mut self, other: GrantTypes) {
        for g in Vec::from(other) {
            self.insert(&g);
        }
    }
}

/// One scope as one client's tokens carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeUse {
    #[serde(deserialize_with = "time::de")]
    pub first_seen: DateTime<Utc>,
    #[serde(deserialize_with = "time::de")]
    pub last_seen: DateTime<Utc>,
    pub count: u64,
    #[serde(default)]
    pub grant_types: GrantTypes,
    /// The strongest proof among the observations.
    pub proof: Proof,
}

/// One client's tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientUse {
    /// Tokens seen (events or samples).
    pub tokens: u64,
    #[serde(deserialize_with = "time::de")]
    pub first_seen: DateTime<Utc>,
    #[serde(deserialize_with = "time::de")]
    pub last_seen: DateTime<Utc>,
    #[serde(default)]
    pub grant_types: GrantTypes,
    /// The scopes its tokens carried, by name.
    #[serde(default)]
    pub scopes: BTreeMap<String, ScopeUse>,
}

impl ClientUse {
    /// Add `other`'s uses: first and last seen widened, counts summed, the stronger proof
    /// kept.
    pub fn absorb(&mut self, other: ClientUse) {
        // Counts saturate: a hostile snapshot merged into must not overflow them.
        self.tokens = self.tokens.saturating_add(other.tokens);
        self.first_seen = self.first_seen.min(other.first_seen);
        self.last_seen = self.last_seen.max(other.last_seen);
        self.grant_types.extend(other.grant_types);
        for (s, ou) in other.scopes {
            match self.scopes.get_mut(&s) {
                None => {
                    self.scopes.insert(s, ou);
                }
                Some(u) => {
                    u.count = u.count.saturating_add(ou.count);
                    u.first_seen = u.first_seen.min(ou.first_seen);
                    u.last_seen = u.last_seen.max(ou.last_seen);
                    u.grant_types.extend(ou.grant_types);
                    u.proof = u.proof.max(ou.proof);
                }
            }
        }
    }
}

/// The usage snapshot: the JSON file `scopectl usage collect` writes (version 1; fields
/// are only added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// `scopectl`.
    pub tool: String,
    /// The window the snapshot speaks about: from the earliest start to the latest end of
    /// its sources' windows.
    pub window: Window,
    pub sources: Vec<Source>,
    /// Scopes the server keeps out of the token's `scope` claim (Keycloak
    /// `include.in.token.scope = false`): tokens never show them.
    #[serde(default)]
    pub not_in_token_scope: BTreeSet<String>,
    /// By client id.
    #[serde(default)]
    pub clients: BTreeMap<String, ClientUse>,
}

impl Snapshot {
    pub fn new(window: Window) -> Snapshot {
        Snapshot {
            version: VERSION,
            tool: "scopectl".into(),
            window,
            sources: Vec::new(),
            not_in_token_scope: BTreeSet::new(),
            clients: BTreeMap::new(),
        }
    }

    /// Client × scope pairs.
    pub fn pairs(&self) -> usize {
        self.clients.values().map(|c| c.scopes.len()).sum()
    }

    /// Record one token issued to `client` at `at` carrying `scopes` (space-separated, as
    /// in the `scope` claim).
    pub fn observe(
        &mut self,
        client: &str,
        at: DateTime<Utc>,
        scopes: &str,
        grant_type: Option<&str>,
        proof: Proof,
    ) {
        let c = match self.clients.get_mut(client) {
            Some(c) => c,
            None => self.clients.entry(client.to_string()).or_insert(ClientUse {
                tokens: 0,
                first_seen: at,
                last_seen: at,
                grant_types: GrantTypes::new(),
                scopes: BTreeMap::new(),
            }),
        };
        c.tokens = c.tokens.saturating_add(1);
        c.first_seen = c.first_seen.min(at);
        c.last_seen = c.last_seen.max(at);
        if let Some(g) = grant_type {
            c.grant_types.insert(g);
        }
        for s in scopes.split_ascii_whitespace() {
            let u = match c.scopes.get_mut(s) {
                Some(u) => u,
                None => c.scopes.entry(s.to_string()).or_insert(ScopeUse {
                    first_seen: at,
                    last_seen: at,
                    count: 0,
                    grant_types: GrantTypes::new(),
                    proof,
                }),
            };
            u.count = u.count.saturating_add(1);
            u.first_seen = u.first_seen.min(at);
            u.last_seen = u.last_seen.max(at);
            u.proof = u.proof.max(proof);
            if let Some(g) = grant_type {
                u.grant_types.insert(g);
            }
        }
    }

    /// Merge `other` into this snapshot: sources appended, windows widened, uses added up
    /// (first and last seen widened, counts summed, the stronger proof kept). Collecting
    /// the same events twice counts them twice: `collect --merge` reads a Keycloak target
    /// only from after the newest event the file already holds from it.
    pub fn merge(&mut self, other: Snapshot) {
        self.window.from = self.window.from.min(other.window.from);
        self.window.to = self.window.to.max(other.window.to);
        self.sources.extend(other.sources);
        self.not_in_token_scope.extend(other.not_in_token_scope);
        for (id, oc) in other.clients {
            match self.clients.get_mut(&id) {
                None => {
                    self.clients.insert(id, oc);
                }
                Some(c) => c.absorb(oc),
            }
        }
    }

    /// Record one Keycloak event (the `EventRepresentation` of the admin API, or a line of
    /// an export): a token-issuing event inside `source`'s window counts; every
    /// token-issuing event widens what the source shows to be stored. Returns whether it
    /// could be read at all (a client and a time).
    pub fn observe_event(&mut self, source: &mut Source, e: &serde_json::Value) -> bool {
        source.read += 1;
        let (Some(kind), Some(time), Some(client)) = (
            e.get("type").and_then(|v| v.as_str()),
            e.get("time").and_then(|v| v.as_i64()),
            e.get("clientId").and_then(|v| v.as_str()),
        ) else {
            source.skipped += 1;
            return false;
        };
        let Some(at) = DateTime::<Utc>::from_timestamp_millis(time) else {
            source.skipped += 1;
            return false;
        };
        let details = e.get("details");
        let detail = |k: &str| details.and_then(|d| d.get(k)).and_then(|v| v.as_str());
        let Some((_, grant)) = TOKEN_EVENT_TYPES.iter().find(|(t, _)| *t == kind) else {
            return true;
        };
        // A LOGIN issues a token only through the password grant.
        if kind == "LOGIN" && detail("grant_type") != Some("password") {
            return true;
        }
        source.oldest_event = Some(source.oldest_event.map_or(at, |o| o.min(at)));
        source.newest_event = Some(source.newest_event.map_or(at, |o| o.max(at)));
        if at < source.window.from || at > source.window.to {
            return true;
        }
        source.counted += 1;
        let grant = detail("grant_type").unwrap_or(grant);
        // No `scope` detail: a token with an empty `scope` claim (Keycloak leaves it out).
        self.observe(
            client,
            at,
            detail("scope").unwrap_or(""),
            Some(grant),
            Proof::Event,
        );
        true
    }

    /// The most recent end of the windows of the sources named `name` (`collect --merge`
    /// resumes after the newest event read from the same target).
    pub fn newest_from(&self, kind: SourceKind, name: &str) -> Option<DateTime<Utc>> {
        self.sources
            .iter()
            .filter(|s| s.kind == kind && s.name == name)
            .filter_map(|s| s.newest_event)
            .max()
    }

    /// The snapshot as its JSON file: compact (a snapshot of 100,000 pairs reads in half
    /// the time of an indented one; `jq .` shows it indented), with a final newline.
    pub fn to_json(&self) -> anyhow::Result<String> {
        let mut s = serde_json::to_string(self)?;
        s.push('\n');
        Ok(s)
    }

    /// Parse a snapshot file's text (`what` names it in errors). One pass into the types;
    /// only a text that does not fit them is parsed again, to say why.
    pub fn from_json(text: &str, what: &str) -> anyhow::Result<Snapshot> {
        let snap: Snapshot = match serde_json::from_str(text) {
            Ok(s) => s,
            Err(e) => {
                let v: serde_json::Value = serde_json::from_str(text).with_context(|| {
                    format!("{what} is not JSON (a usage snapshot of `scopectl usage collect`)")
                })?;
                match v.get("version").and_then(|v| v.as_u64()) {
                    Some(1) => bail!("{what} is not a valid usage snapshot: {e}"),
                    Some(n) => bail!("{what} is a usage snapshot of version {n}; this scopectl reads version {VERSION}"),
                    None => bail!("{what} is not a usage snapshot (no `version`; write one with `scopectl usage collect`)"),
                }
            }
        };
        if snap.version != VERSION {
            bail!(
                "{what} is a usage snapshot of version {}; this scopectl reads version {VERSION}",
                snap.version
            );
        }
        if snap.window.from > snap.window.to {
            bail!("{what}: the window ends before it starts");
        }
        Ok(snap)
    }

    /// Read a snapshot file (a regular file of at most [`MAX_SNAPSHOT_BYTES`]).
    pub fn read(path: &Path) -> anyhow::Result<Snapshot> {
        let what = format!("`{}`", path.display());
        let text = read_capped(path, MAX_SNAPSHOT_BYTES, "usage snapshot")?;
        Snapshot::from_json(&text, &what)
    }

    /// Write the snapshot to `path` atomically (a temporary file in the same folder, then
    /// a rename), so a scheduled job that dies never leaves half a file.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        check_out(path)?;
        let json = self.to_json()?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot write in `{}`", dir.display()))?;
        std::io::Write::write_all(&mut tmp, json.as_bytes())?;
        tmp.persist(path)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(())
    }
}

/// Reading the snapshot's times fast: the layout scopectl writes
/// (`2026-11-25T10:00:00Z`, `2026-11-25T10:00:00.123Z`) is read by hand, anything else by
/// chrono (a snapshot of 100,000 pairs holds 200,000 times).
mod time {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Deserializer};

    fn digits(b: &[u8]) -> Option<u32> {
        b.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff…]Z`, or `None`.
    pub(super) fn fast(s: &str) -> Option<DateTime<Utc>> {
        let b = s.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b.last() != Some(&b'Z')
        {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(
            digits(&b[0..4])? as i32,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )?;
        let nanos = match &b[19..b.len() - 1] {
            [] => 0,
            [b'.', frac @ ..] if !frac.is_empty() && frac.len() <= 9 => {
                digits(frac)? * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        let t = date.and_hms_nano_opt(
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
            nanos,
        )?;
        Some(t.and_utc())
    }

    pub(super) fn de<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match fast(&s) {
            Some(t) => Ok(t),
            None => DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    serde::de::Error::custom(format!("`{s}` is not an RFC 3339 time: {e}"))
                }),
        }
    }
}

/// Whether `path` may take a snapshot: absent, or a regular file (not a symlink). The
/// snapshot replaces it by a rename, which would replace a device (`/dev/null`), a FIFO
/// or a symlink itself rather than write through it.
pub fn check_out(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => bail!(
            "`{}` is not a regular file (a {}): the snapshot is written to a new file and renamed over it, so give the path of a regular file or of none",
            path.display(),
            if m.file_type().is_symlink() {
                "symlink"
            } else if m.is_dir() {
                "folder"
            } else {
                "device, FIFO or socket"
            }
        ),
        _ => Ok(()),
    }
}

/// Read a regular file of at most `limit` bytes as UTF-8 (`what` names it in errors).
pub fn read_capped(path: &Path, limit: u64, what: &str) -> anyhow::Result<String> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
    if !meta.is_file() {
        bail!("the {what} `{}` is not a regular file", path.display());
    }
    if meta.len() > limit {
        bail!(
            "the {what} `{}` is {} bytes, more than the {} scopectl reads",
            path.display(),
            meta.len(),
            crate::net::size_text(limit)
        );
    }
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the {what} `{}`", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("the {what} `{}` is not UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_types_read_and_write_like_a_set() {
        let g: GrantTypes =
            serde_json::from_str(r#"["refresh_token","client_credentials","refresh_token"]"#)
                .unwrap();
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"["client_credentials","refresh_token"]"#
        );
        assert!(g.contains("refresh_token") && !g.contains("password"));
        let mut h = GrantTypes::new();
        h.insert("password");
        h.insert("client_credentials");
        h.insert("password");
        h.extend(g);
        let set: BTreeSet<&str> = ["client_credentials", "password", "refresh_token"].into();
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            serde_json::to_string(&set).unwrap()
        );
        // Past a few, a set: the same JSON, the same answers.
        let many: Vec<String> = (0..40).rev().map(|i| format!("g{i:02}")).collect();
        let mut m = GrantTypes::new();
        for g in &many {
            m.insert(g);
        }
        assert!(matches!(m, GrantTypes::Many(_)));
        assert!(m.contains("g07") && !m.contains("g40"));
        let sorted: BTreeSet<&String> = many.iter().collect();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            serde_json::to_string(&sorted).unwrap()
        );
        let back: GrantTypes = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        // However they are kept, the same grant types are equal.
        let few: GrantTypes = vec!["a".to_string(), "b".to_string()].into();
        let many = GrantTypes::Many(["b".to_string(), "a".to_string()].into());
        assert_eq!(few, many);
    }
    use serde_json::json;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn window() -> Window {
        Window {
            from: t("2026-09-01T00:00:00Z"),
            to: t("2026-11-30T00:00:00Z"),
        }
    }

    #[test]
    fn events_count_inside_the_window_and_show_what_is_stored() {
        let mut snap = Snapshot::new(window());
        let mut src = Source::new(SourceKind::EventsFile, "events.jsonl", window());
        let ev = |time: &str, kind: &str, scope: Option<&str>| {
            let mut details = json!({"grant_type": "client_credentials"});
            if let Some(s) = scope {
                details["scope"] = json!(s);
            }
            json!({"time": t(time).timestamp_millis(), "type": kind, "clientId": "svc", "details": details})
        };
        assert!(snap.observe_event(
            &mut src,
            &ev("2026-08-01T00:00:00Z", "CLIENT_LOGIN", Some("a:read"))
        ));
        assert!(snap.observe_event(
            &mut src,
            &ev(
                "2026-10-01T00:00:00Z",
                "CLIENT_LOGIN",
                Some("a:read b:write")
            )
        ));
        assert!(snap.observe_event(&mut src, &ev("2026-10-02T00:00:00Z", "CLIENT_LOGIN", None)));
        assert!(snap.observe_event(&mut src, &ev("2026-10-03T00:00:00Z", "LOGOUT", Some("x"))));
        assert!(!snap.observe_event(&mut src, &json!({"type": "CLIENT_LOGIN"})));
        assert_eq!((src.read, src.counted, src.skipped), (5, 2, 1));
        assert_eq!(src.oldest_event, Some(t("2026-08-01T00:00:00Z")));
        let c = &snap.clients["svc"];
        assert_eq!(c.tokens, 2);
        assert_eq!(c.scopes["a:read"].count, 1);
        assert_eq!(c.scopes["b:write"].proof, Proof::Event);
        assert!(!c.scopes.contains_key("x"));
    }

    #[test]
    fn merge_adds_up_and_widens() {
        let mut a = Snapshot::new(window());
        a.observe(
            "svc",
            t("2026-10-01T00:00:00Z"),
            "a:read",
            None,
            Proof::UnverifiedToken,
        );
        let mut b = Snapshot::new(Window {
            from: t("2026-11-01T00:00:00Z"),
            to: t("2026-12-30T00:00:00Z"),
        });
        b.observe(
            "svc",
            t("2026-12-01T00:00:00Z"),
            "a:read",
            Some("client_credentials"),
            Proof::Event,
        );
        b.observe(
            "other",
            t("2026-12-01T00:00:00Z"),
            "c:read",
            None,
            Proof::Event,
        );
        a.merge(b);
        assert_eq!(a.window.to, t("2026-12-30T00:00:00Z"));
        let u = &a.clients["svc"].scopes["a:read"];
        assert_eq!((u.count, u.proof), (2, Proof::Event));
        assert_eq!(u.last_seen, t("2026-12-01T00:00:00Z"));
        assert_eq!(a.pairs(), 2);
        let back = Snapshot::from_json(&a.to_json().unwrap(), "x").unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn default_settings_do_not_store_refresh_tokens() {
        let s = EventSettings {
            events_enabled: true,
            expiration_seconds: None,
            enabled_event_types: vec![],
        };
        let stored = s.stored_token_types();
        assert!(stored.iter().any(|t| t == "CLIENT_LOGIN"));
        assert!(!stored.iter().any(|t| t == "REFRESH_TOKEN"));
        let off = EventSettings {
            events_enabled: false,
            ..s
        };
        assert!(off.stored_token_types().is_empty());
    }

    #[test]
    fn times_read_fast_are_the_times_chrono_reads() {
        for s in [
            "2026-11-25T10:00:00Z",
            "2026-12-02T05:11:08.978Z",
            "2026-12-02T05:11:08.123456789Z",
        ] {
            assert_eq!(time::fast(s), Some(t(s)), "{s}");
        }
        for s in [
            "2026-11-25T10:00:00+01:00",
            "2026-13-25T10:00:00Z",
            "2026-11-25 10:00:00Z",
            "2026-11-25T10:00:00.Z",
        ] {
            assert_eq!(time::fast(s), None, "{s}");
        }
    }

    #[test]
    fn bad_files_say_what_they_are() {
        assert!(Snapshot::from_json("[]", "f")
            .unwrap_err()
            .to_string()
            .contains("not a usage snapshot"));
        assert!(Snapshot::from_json("{\"version\": 2}", "f")
            .unwrap_err()
            .to_string()
            .contains("version 2"));
        assert!(Snapshot::from_json("nope", "f").is_err());
    }
}
