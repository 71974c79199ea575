//! `scopectl usage collect`: read one source into a usage snapshot ([`scopectl::collect`]),
//! merge it into the file at `--out` when asked, write it atomically, print a summary.

use super::out::Out;
use crate::cli::{ImportFormat, UsageCollectArgs, UsageCommand};
use scopectl::finding::Outcome;
use scopectl::usage::{Snapshot, SourceKind, Window};

pub fn run(c: UsageCommand, out: &Out) -> anyhow::Result<Outcome> {
    match c {
        UsageCommand::Collect(a) => collect(a, out),
    }
}

/// A `--window`/`--usage-window` value as a chrono duration.
pub fn duration(l: &scopectl::registry::Lifetime) -> chrono::Duration {
    chrono::Duration::seconds(i64::try_from(l.seconds).unwrap_or(i64::MAX / 2_000))
}

fn collect(a: UsageCollectArgs, out: &Out) -> anyhow::Result<Outcome> {
    let now = chrono::Utc::now();
    let window = Window::to_collect(a.since, a.until, duration(&a.window), now)?;
    scopectl::usage::check_out(&a.out)?;
    let existing = if a.merge && a.out.exists() {
        Some(Snapshot::read(&a.out)?)
    } else {
        None
    };
    let (snap, collected) = if let Some(name) = &a.target {
        let resume = |label: &str| {
            existing
                .as_ref()
                .and_then(|s| s.newest_from(SourceKind::Keycloak, label))
        };
        scopectl::collect::from_target(&a.registry, Some(name), window, resume)?
    } else if let Some(file) = &a.from_events {
        scopectl::collect::from_events_file(file, window, a.stored_types.clone())?
    } else if let Some(file) = &a.from_tokens {
        scopectl::collect::from_tokens_file(file, window)?
    } else {
        anyhow::bail!("give one source: --target, --from-events or --from-tokens");
    };
    let mut notes = collected.notes;
    if a.merge && existing.is_none() {
        notes.push(format!("--merge: `{}` does not exist yet, so there was nothing to merge into: a new snapshot is written", a.out.display()));
    }
    for n in &notes {
        out.err(&format!("note: {n}\n"))?;
    }
    let src = snap.sources.last().cloned();
    if let Some(s) = src
        .as_ref()
        .filter(|s| s.kind != SourceKind::Keycloak && s.read == 0)
    {
        anyhow::bail!(
            "`{}` is empty: it holds no event or token (only blank lines, or an empty array)",
            s.name
        );
    }
    let merged_into = existing.is_some();
    let merged = match existing {
        Some(mut e) => {
            e.merge(snap);
            e
        }
        None => snap,
    };
    merged.write(&a.out)?;
    let summary = serde_json::json!({
        "version": 1,
        "out": a.out.display().to_string(),
        "merged": merged_into,
        "merge_requested": a.merge,
        "source": src,
        "requests": collected.requests,
        "snapshot": {
            "window": merged.window,
            "sources": merged.sources.len(),
            "clients": merged.clients.len(),
            "pairs": merged.pairs(),
        },
    });
    match a.format {
        ImportFormat::Json => {
            out.json(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?
        }
        ImportFormat::Human => {
            let s = src.as_ref();
            out.text(&format!(
                "wrote {}{}: {} client(s), {} client × scope pair(s), window {} to {}\n  source: {} {} — {} read{}, {} counted in the window{}{}\n",
                a.out.display(),
                if merged_into { " (merged into the snapshot there)" } else { "" },
                merged.clients.len(),
                merged.pairs(),
                merged.window.from.format("%Y-%m-%d %H:%M:%SZ"),
                merged.window.to.format("%Y-%m-%d %H:%M:%SZ"),
                s.map(|s| s.kind.as_str()).unwrap_or(""),
                s.map(|s| s.name.as_str()).unwrap_or(""),
                s.map_or(0, |s| s.read),
                s.map(scopectl::usage::Source::skipped_text).unwrap_or_default(),
                s.map_or(0, |s| s.counted),
                s.and_then(|s| s.pages).map(|p| format!(", {p} page(s)")).unwrap_or_default(),
                s.and_then(|s| s.stored_types.as_ref())
                    .map(|t| format!("; token event types stored: {}", if t.is_empty() { "none".to_string() } else { t.join(", ") }))
                    .unwrap_or_else(|| "; which event types are stored: not known (use only)".into()),
            ))?
        }
    }
    Ok(Outcome::Clean)
}
