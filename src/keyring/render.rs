//! `scopectl keys` output: a table for a person, one JSON document (version
//! [`super::VERSION`]) for scripts. Text from servers is escaped for the terminal.

use serde::Serialize;

use super::{KeyReport, SigningKey, VERSION};
use crate::finding::Summary;
use crate::output::json::CompactFinding;
use crate::text::clean;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: &'static str,
    now: String,
    #[serde(flatten)]
    report: &'a KeyReport,
    summary: Summary,
    findings: Vec<CompactFinding<'a>>,
}

fn utc(now: i64) -> String {
    chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// The JSON document.
pub fn json(r: &KeyReport, now: i64) -> String {
    let doc = Doc {
        version: VERSION,
        tool: "scopectl",
        now: utc(now),
        report: r,
        summary: Summary::of(&r.findings),
        findings: r.findings.iter().map(CompactFinding).collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON document of a run that could not read the keys (exit 2).
pub fn error_json(message: &str) -> String {
    let doc = serde_json::json!({
        "version": VERSION,
        "tool": "scopectl",
        "error": {"message": message},
    });
    format!("{doc:#}\n")
}

fn opt(v: &Option<String>) -> String {
    v.as_deref()
        .map(|s| clean(s).into_owned())
        .unwrap_or_else(|| "-".into())
}

fn row(k: &SigningKey) -> Vec<String> {
    let published = match k.published {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "?",
    };
    let created = match (&k.created, k.age_days) {
        (Some(c), Some(d)) => format!("{} ({d} d)", c.get(..10).unwrap_or(c)),
        _ => "unknown".to_string(),
    };
    vec![
        opt(&k.kid),
        opt(&k.alg),
        opt(&k.key_use),
        clean(&k.kty).into_owned(),
        k.strength(),
        opt(&k.status),
        k.priority
            .map(|p| p.to_string())
            .unwrap_or_else(|| "-".into()),
        published.to_string(),
        created,
        opt(&k.provider),
    ]
}

/// The table, the notes and the findings.
pub fn human(r: &KeyReport, width: u16) -> String {
    let mut out = format!("Signing keys of {}\n", clean(&r.source));
    if let Some(i) = &r.issuer {
        out.push_str(&format!("Issuer: {}\n", clean(i)));
    }
    if !r.active.is_empty() {
        let active: Vec<String> = r
            .active
            .iter()
            .map(|(alg, kid)| format!("{} → {}", clean(alg), clean(kid)))
            .collect();
        out.push_str(&format!("Signs with: {}\n", active.join(", ")));
    }
    out.push_str(&format!(
        "Rotation: {}\n",
        match &r.max_key_age {
            Some(m) => format!("max_key_age {m}"),
            None => "no max_key_age in the policy (ages are shown, not judged)".into(),
        }
    ));
    let mut t = crate::output::table::fitted_table(
        vec![
            "kid",
            "alg",
            "use",
            "type",
            "size",
            "status",
            "priority",
            "published",
            "created",
            "provider",
        ],
        width,
    );
    for k in &r.keys {
        t.add_row(row(k));
    }
    out.push_str(&format!("{t}\n"));
    for n in &r.notes {
        out.push_str(&format!("note: {}\n", clean(n)));
    }
    for f in &r.findings {
        out.push_str(&format!(
            "{}[{}]: {}\n",
            f.severity.as_str(),
            f.rule,
            clean(&f.message)
        ));
        for n in &f.notes {
            out.push_str(&format!("  = note: {}\n", clean(n)));
        }
        if let Some(h) = &f.help {
            out.push_str(&format!("  = help: {}\n", clean(h)));
        }
    }
    let s = Summary::of(&r.findings);
    out.push_str(&match (s.errors, s.warnings) {
        (0, 0) => format!("{} keys, no findings\n", r.keys.len()),
        (e, w) => format!("{} keys: {e} errors, {w} warnings\n", r.keys.len()),
    });
    out
}
