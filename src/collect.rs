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

use std::io::{BufRead, Read as _};
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

use crate::usage::Skip;

/// What a skipped line or event is, for the note that names the first of each reason.
fn skip_text(why: Skip) -> &'static str {
    match why {
        Skip::NotUtf8 => "not UTF-8",
        Skip::NotJson => "not JSON",
        Skip::Duplicate => "with a member name written twice",
        Skip::NotAnEvent => "not an event object with `type`, `time` and `clientId`",
        Skip::NotAToken => {
            "not a token (or `decode --batch` result) with `azp`/`client_id` and `iat`"
        }
    }
}

/// The lines and events of a file that are skipped: the first of each reason (its line,
/// and what is wrong with it when there is more to say). Their counts are the source's.
#[derive(Default)]
struct Skips {
    first: std::collections::BTreeMap<Skip, (usize, Option<String>)>,
}

impl Skips {
    /// A line or event read and not counted, for a reason found before it was looked at
    /// as an event or a token.
    fn refuse(&mut self, src: &mut Source, why: Skip, line: usize, detail: Option<String>) {
        src.read = src.read.saturating_add(1);
        src.skipped = src.skipped.saturating_add(1);
        self.record(src, why, line, detail);
    }

    /// The reason of a line or event already counted as read and skipped.
    fn record(&mut self, src: &mut Source, why: Skip, line: usize, detail: Option<String>) {
        let n = src.skipped_reasons.entry(why.key().into()).or_default();
        *n = n.saturating_add(1);
        self.first.entry(why).or_insert((line, detail));
    }

    /// `2 not UTF-8 (the first on line 4), 1 with a member name written twice (line 7,
    /// column 40: `$` has the member `clientId` twice)`.
    fn reasons(&self, src: &Source) -> String {
        self.first
            .iter()
            .map(|(why, (line, detail))| {
                let n = src.skipped_reasons.get(why.key()).copied().unwrap_or(0);
                let at = match detail {
                    Some(d) => format!("the first {d}"),
                    None if n == 1 => format!("line {line}"),
                    None => format!("the first on line {line}"),
                };
                format!("{n} {} ({at})", skip_text(*why))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The note saying what was skipped, if anything.
    fn note(&self, src: &Source, path: &Path, what: &str) -> Option<String> {
        (src.skipped > 0).then(|| {
            format!(
                "{} {what} of `{}` skipped, not counted: {}",
                src.skipped,
                path.display(),
                self.reasons(src)
            )
        })
    }
}

/// An events or token file opened for reading: a regular file of at most
/// [`MAX_FILE_BYTES`].
fn open(path: &Path, what: &str) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
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
    Ok(std::io::BufReader::with_capacity(1 << 20, file))
}

/// JSON's whitespace.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Consume the whitespace the reader starts with: the first byte after it (`None` at the
/// end), and the line and column (from 1, in characters) it is at.
fn skip_blank(reader: &mut dyn BufRead) -> std::io::Result<(Option<u8>, usize, usize)> {
    let (mut line, mut column) = (1, 1);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((None, line, column));
        }
        let end = buf.iter().position(|&b| !is_blank(b));
        let blank = &buf[..end.unwrap_or(buf.len())];
        for &b in blank {
            if b == b'\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        let next = end.map(|i| buf[i]);
        let n = blank.len();
        reader.consume(n);
        if next.is_some() {
            return Ok((next, line, column));
        }
    }
}

/// What [`lines`] calls with each line: its number, its column, its bytes.
type EachLine<'a> = dyn FnMut(usize, usize, &[u8]) -> anyhow::Result<()> + 'a;

/// Each non-blank line the reader holds (lines of at most [`MAX_LINE_BYTES`]), from line
/// `line` on, whose first byte is at `column`: its number, the column of its first
/// non-blank character, and its bytes without the whitespace around them. Bytes are
/// passed as they are: whether they are UTF-8 is the caller's to check.
fn lines(
    reader: &mut dyn BufRead,
    path: &Path,
    what: &str,
    (line, column): (usize, usize),
    each: &mut EachLine<'_>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut n = line - 1;
    loop {
        buf.clear();
        let read = (&mut *reader)
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
        let text = buf.trim_ascii();
        if !text.is_empty() {
            let lead = buf.len() - buf.trim_ascii_start().len();
            let first = if n == line { column } else { 1 };
            each(n, first + lead, text)?;
        }
    }
    Ok(())
}

/// A piece of a text of JSON arrays, as [`split_arrays`] cuts it.
enum Piece<'a> {
    /// An element of an array (or an object outside any array): its text, without the
    /// whitespace around it (empty for the missing element of `[1,,2]`), and the line and
    /// column (in characters) it starts at.
    Value {
        line: usize,
        column: usize,
        text: &'a [u8],
    },
    /// Text outside any array or object, up to the end of its line.
    Stray { line: usize },
}

/// Why a text of JSON arrays cannot be cut into its elements (nothing after it can be
/// told apart).
#[derive(Debug)]
enum Broken {
    Io(std::io::Error),
    /// An element longer than [`MAX_LINE_BYTES`], starting on this line.
    TooLong(usize),
    /// The text ends inside the array (or object, or string) opened on this line.
    CutShort(usize),
    /// A `]` or `}` that closes nothing open (line, column).
    Mismatch(usize, usize),
    /// A line that ends inside a string (JSON strings hold no raw line break).
    OpenString(usize),
}

/// Cut a text of JSON arrays (pretty-printed or not, one or several, and objects outside
/// any array) into the texts of their elements, without parsing them: only strings and
/// brackets are followed, so an element that is not valid JSON is still cut out whole, to
/// be refused on its own. One pass, holding one element at a time (at most `max` bytes).
/// `(line, column)` is where the reader starts.
fn split_arrays(
    reader: &mut dyn BufRead,
    (mut line, column): (usize, usize),
    max: usize,
    each: &mut dyn FnMut(Piece<'_>),
) -> Result<(), Broken> {
    // Characters before the current byte on its line.
    let mut col = column - 1;
    // The line the open array starts on.
    let mut array: Option<usize> = None;
    let mut elem: Vec<u8> = Vec::new();
    let mut start = (line, column);
    // The closing brackets the element waits for, innermost last.
    let mut stack: Vec<u8> = Vec::new();
    let (mut in_str, mut escaped, mut stray) = (false, false, false);
    // A comma was read since the last element: `[1,]` has an empty one.
    let mut comma = false;
    let emit = |elem: &mut Vec<u8>, start: (usize, usize), each: &mut dyn FnMut(Piece<'_>)| {
        each(Piece::Value {
            line: start.0,
            column: start.1,
            text: elem.trim_ascii_end(),
        });
        elem.clear();
    };
    loop {
        let buf = reader.fill_buf().map_err(Broken::Io)?;
        if buf.is_empty() {
            break;
        }
        for &b in buf {
            if stray {
                stray = b != b'\n';
            } else if in_str {
                elem.push(b);
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_str = false;
                } else if b == b'\n' {
                    return Err(Broken::OpenString(line));
                }
            } else if !stack.is_empty() {
                match b {
                    b'"' => in_str = true,
                    b'{' => stack.push(b'}'),
                    b'[' => stack.push(b']'),
                    b'}' | b']' if stack.pop() != Some(b) => {
                        return Err(Broken::Mismatch(line, col + 1))
                    }
                    _ => {}
                }
                elem.push(b);
                if stack.is_empty() && array.is_none() {
                    emit(&mut elem, start, each);
                }
            } else if array.is_some() {
                match b {
                    b',' => {
                        emit(&mut elem, start, each);
                        start = (line, col + 2);
                        comma = true;
                    }
                    b']' => {
                        if !elem.is_empty() || comma {
                            emit(&mut elem, start, each);
                        }
                        array = None;
                        comma = false;
                    }
                    b'}' => return Err(Broken::Mismatch(line, col + 1)),
                    b if is_blank(b) => {
                        if !elem.is_empty() {
                            elem.push(b);
                        }
                    }
                    _ => {
                        if elem.is_empty() {
                            start = (line, col + 1);
                        }
                        match b {
                            b'"' => in_str = true,
                            b'{' => stack.push(b'}'),
                            b'[' => stack.push(b']'),
                            _ => {}
                        }
                        elem.push(b);
                    }
                }
            } else {
                match b {
                    b if is_blank(b) => {}
                    b'[' => {
                        array = Some(line);
                        start = (line, col + 2);
                        comma = false;
                    }
                    b'{' => {
                        start = (line, col + 1);
                        stack.push(b'}');
                        elem.push(b);
                    }
                    _ => {
                        each(Piece::Stray { line });
                        stray = true;
                    }
                }
            }
            if elem.len() > max {
                return Err(Broken::TooLong(start.0));
            }
            if b == b'\n' {
                line += 1;
                col = 0;
            } else if b & 0xC0 != 0x80 {
                col += 1;
            }
        }
        let n = buf.len();
        reader.consume(n);
    }
    match array {
        Some(open) => Err(Broken::CutShort(open)),
        None if !stack.is_empty() || in_str => Err(Broken::CutShort(start.0)),
        None => Ok(()),
    }
}

/// Count one event's JSON text (`line`, `column`: where it starts in the file): refused,
/// never mended, when it is not UTF-8, not JSON, or has a member name twice.
fn event_text(
    snap: &mut Snapshot,
    src: &mut Source,
    skips: &mut Skips,
    text: &[u8],
    (line, column): (usize, usize),
) {
    let text = match std::str::from_utf8(text) {
        Ok(t) => t,
        Err(e) => {
            let at = line
                + text[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
            skips.refuse(src, Skip::NotUtf8, at, None);
            return;
        }
    };
    match crate::token::json::from_str(text) {
        Ok(e) => {
            if !snap.observe_event(src, &e) {
                skips.record(src, Skip::NotAnEvent, line, None);
            }
        }
        Err(crate::token::json::Error::Duplicate(d)) => {
            let (l, c) = if d.line == 1 {
                (line, column + d.column - 1)
            } else {
                (line + d.line - 1, d.column)
            };
            let detail = format!(
                "on line {l}, column {c}: `{}` has the member `{}` twice",
                d.at, d.name
            );
            skips.refuse(src, Skip::Duplicate, l, Some(detail));
        }
        Err(crate::token::json::Error::Json(e)) => {
            skips.refuse(src, Skip::NotJson, line + e.line().max(1) - 1, None);
        }
    }
}

/// Read a file of Keycloak events: one event per line (a line may also hold a JSON
/// array), or, when the file starts with `[`, JSON arrays however they are laid out (the
/// admin API's answer, saved as it came or indented by `jq .`). `stored_types`, when
/// given, declares that the file holds every event of those types for the window.
///
/// A line or an event that is not UTF-8, not JSON, has a member name twice or is not an
/// event is skipped and counted as such; an array that cannot be cut into its events (cut
/// short, brackets that do not match) or an event longer than [`MAX_LINE_BYTES`] stops
/// the reading with an error.
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
    let what = "events file";
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::EventsFile, path.display().to_string(), window);
    src.stored_types_from = stored_types
        .as_ref()
        .map(|_| "declared (--stored-types)".to_string());
    src.stored_types = stored_types;
    let mut skips = Skips::default();
    let mut reader = open(path, what)?;
    let cannot = || format!("cannot read the {what} `{}`", path.display());
    let (first, line, column) = skip_blank(&mut reader).with_context(cannot)?;
    let broken = |b: Broken, at: Option<usize>| -> anyhow::Error {
        let file = path.display();
        let on = |l: usize| match at {
            Some(n) if n != l => format!("line {l} (in the array on line {n})"),
            _ => format!("line {l}"),
        };
        match b {
            Broken::Io(e) => anyhow::Error::new(e).context(cannot()),
            Broken::TooLong(l) => anyhow!(
                "the event starting on {} of the {what} `{file}` is longer than {} (the longest event or line scopectl reads)",
                on(l),
                crate::net::size_text(MAX_LINE_BYTES as u64)
            ),
            Broken::CutShort(l) => anyhow!(
                "the {what} `{file}` ends inside the JSON array or event opened on {}: it is cut short (or not JSON), so its events cannot be told apart; nothing was counted",
                on(l)
            ),
            Broken::Mismatch(l, c) => anyhow!(
                "{}, column {c} of the {what} `{file}`: a bracket closes nothing open, so its events cannot be told apart; nothing was counted",
                on(l)
            ),
            Broken::OpenString(l) => anyhow!(
                "{} of the {what} `{file}` ends inside a string, so its events cannot be told apart; nothing was counted",
                on(l)
            ),
        }
    };
    if first == Some(b'[') {
        // The whole file, however it is laid out, one event at a time.
        let mut piece = |p: Piece<'_>| match p {
            Piece::Value { line, column, text } => {
                event_text(&mut snap, &mut src, &mut skips, text, (line, column))
            }
            Piece::Stray { line } => skips.refuse(&mut src, Skip::NotJson, line, None),
        };
        split_arrays(&mut reader, (line, column), MAX_LINE_BYTES, &mut piece)
            .map_err(|b| broken(b, None))?;
    } else {
        lines(
            &mut reader,
            path,
            what,
            (line, column),
            &mut |n, col, text| {
                if text.first() != Some(&b'[') {
                    event_text(&mut snap, &mut src, &mut skips, text, (n, col));
                    return Ok(());
                }
                // A JSON array on one line: each of its events on its own. A line that
                // cannot be cut into them is one line skipped, as it was written.
                let mut pieces = Vec::new();
                let cut = split_arrays(&mut &text[..], (n, col), MAX_LINE_BYTES, &mut |p| {
                    pieces.push(match p {
                        Piece::Value { column, text, .. } => Some((column, text.to_vec())),
                        Piece::Stray { .. } => None,
                    })
                });
                match cut {
                    Ok(()) => {
                        for p in pieces {
                            match p {
                                Some((c, t)) => {
                                    event_text(&mut snap, &mut src, &mut skips, &t, (n, c))
                                }
                                None => skips.refuse(&mut src, Skip::NotJson, n, None),
                            }
                        }
                    }
                    Err(Broken::Io(e)) => return Err(broken(Broken::Io(e), None)),
                    Err(_) => match std::str::from_utf8(text) {
                        Ok(_) => skips.refuse(&mut src, Skip::NotJson, n, None),
                        Err(_) => skips.refuse(&mut src, Skip::NotUtf8, n, None),
                    },
                }
                Ok(())
            },
        )?;
    }
    let mut notes = Vec::new();
    if src.read > 0 && src.skipped == src.read {
        bail!(
            "`{}` holds no Keycloak event: {}",
            path.display(),
            skips.reasons(&src)
        );
    }
    notes.extend(skips.note(&src, path, "line(s) or event(s)"));
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
/// or one `decode --batch` result per line. A line that is not UTF-8, a token or result
/// with a member name twice, and a token without a client (`azp`, `client_id`) or an
/// issue time (`iat`) are not counted.
pub fn from_tokens_file(path: &Path, window: Window) -> anyhow::Result<(Snapshot, Collected)> {
    let what = "token file";
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::Tokens, path.display().to_string(), window);
    let (mut verified, mut unverified) = (0u64, 0u64);
    let mut skips = Skips::default();
    let mut reader = open(path, what)?;
    lines(&mut reader, path, what, (1, 1), &mut |n, col, bytes| {
        let Ok(line) = std::str::from_utf8(bytes) else {
            skips.refuse(&mut src, Skip::NotUtf8, n, None);
            return Ok(());
        };
        let line = line.trim();
        let (claims, is_verified) = if line.starts_with('{') {
            match crate::token::json::from_str(line) {
                Ok(v) if v.get("claims").is_some_and(|c| c.is_object()) => {
                    let ok = v
                        .get("signature")
                        .and_then(|s| s.get("status"))
                        .and_then(|s| s.as_str())
                        == Some("verified");
                    (v.get("claims").cloned(), ok)
                }
                Ok(_) => (None, false),
                Err(crate::token::json::Error::Duplicate(d)) => {
                    let detail = format!(
                        "on line {n}, column {}: `{}` has the member `{}` twice",
                        col + d.column - 1,
                        d.at,
                        d.name
                    );
                    skips.refuse(&mut src, Skip::Duplicate, n, Some(detail));
                    return Ok(());
                }
                Err(crate::token::json::Error::Json(_)) => {
                    skips.refuse(&mut src, Skip::NotJson, n, None);
                    return Ok(());
                }
            }
        } else {
            match crate::token::decode(line) {
                Ok(d) if !d.duplicate_claims.is_empty() => {
                    let detail = format!(
                        "on line {n}: its payload has `{}` twice",
                        d.duplicate_claims.paths.join("`, `")
                    );
                    skips.refuse(&mut src, Skip::Duplicate, n, Some(detail));
                    return Ok(());
                }
                Ok(d) => (Some(serde_json::Value::Object(d.claims)), false),
                Err(_) => (None, false),
            }
        };
        src.read += 1;
        let Some(claims) = claims else {
            src.skipped += 1;
            skips.record(&mut src, Skip::NotAToken, n, None);
            return Ok(());
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
            skips.record(&mut src, Skip::NotAToken, n, None);
            return Ok(());
        };
        src.oldest_event = Some(src.oldest_event.map_or(at, |o| o.min(at)));
        src.newest_event = Some(src.newest_event.map_or(at, |o| o.max(at)));
        if at < window.from || at > window.to {
            return Ok(());
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
        Ok(())
    })?;
    src.verified = Some(verified);
    src.unverified = Some(unverified);
    let mut notes = Vec::new();
    if src.read > 0 && src.skipped == src.read {
        bail!(
            "`{}` holds no token with a client and an issue time: {}",
            path.display(),
            skips.reasons(&src)
        );
    }
    notes.extend(skips.note(&src, path, "line(s)"));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements [`split_arrays`] cuts out of `text`, with where they start.
    fn split(text: &str) -> Result<Vec<(usize, usize, String)>, Broken> {
        let mut out = Vec::new();
        split_arrays(&mut text.as_bytes(), (1, 1), 64, &mut |p| match p {
            Piece::Value { line, column, text } => {
                out.push((line, column, String::from_utf8_lossy(text).into_owned()))
            }
            Piece::Stray { line } => out.push((line, 0, "stray".into())),
        })?;
        Ok(out)
    }

    #[test]
    fn arrays_are_cut_at_their_commas_and_nowhere_else() {
        let v = |l, c, t: &str| (l, c, t.to_string());
        assert_eq!(
            split("[{\"a\": \"],\\\\\"}, \"x\\\"]\" ,\n  [1, {}], 2]\n").unwrap(),
            [
                v(1, 2, "{\"a\": \"],\\\\\"}"),
                v(1, 17, "\"x\\\"]\""),
                v(2, 3, "[1, {}]"),
                v(2, 12, "2")
            ]
        );
        // Columns count characters; several arrays and objects in a row; stray text.
        assert_eq!(
            split("[\"é\", 1][]\n{\"b\": [2]} junk\n[,]").unwrap(),
            [
                v(1, 2, "\"é\""),
                v(1, 7, "1"),
                v(2, 1, "{\"b\": [2]}"),
                (2, 0, "stray".into()),
                v(3, 2, ""),
                v(3, 3, "")
            ]
        );
        assert!(matches!(split("[{\"a\": 1]"), Err(Broken::Mismatch(1, 9))));
        assert!(matches!(split("[1,\n{\"a\":\n"), Err(Broken::CutShort(1))));
        assert!(matches!(split("[\"a\n\"]"), Err(Broken::OpenString(1))));
        assert!(matches!(
            split(&format!("[1,\n\"{}\"]", "x".repeat(64))),
            Err(Broken::TooLong(2))
        ));
    }
}
