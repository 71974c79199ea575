//! Renderers of a diff: a table (comfy-table), Markdown and JSON, all from one [`DiffReport`].

use serde::Serialize;

use super::provenance::Note;
use super::{Change, Class};
use crate::finding::Finding;
use crate::history::CommitInfo;

/// Version of the JSON document below; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 2;

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The revision as the user wrote it (`v1`, `HEAD`), or `worktree`.
    pub rev: String,
    /// The commit it resolved to; `null` for the work tree.
    pub commit: Option<String>,
}

/// Everything `scopectl diff` says.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub version: u32,
    pub from: Side,
    pub to: Side,
    /// The registry folder inside the repository ("" for the root).
    pub registry: String,
    pub summary: Summary,
    pub changes: Vec<Change>,
    #[serde(serialize_with = "crate::output::json::findings::serialize")]
    pub findings: Vec<Finding>,
    /// Whether the repository holds the whole history; when it does not, the commits
    /// credited with a change may be wrong or missing (`history_reason` says why).
    pub history_complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_reason: Option<String>,
    /// Commits between the two sides whose registry does not load: no event is made of
    /// them; the changes across them are computed from the last loadable version and
    /// credited to the commits in between.
    pub notes: Vec<Note>,
    /// APIs on both sides whose operations are not compared, because their OpenAPI files
    /// could not be read on one side: a change to what their operations need would not
    /// show. Empty when every API was compared.
    pub apis_not_compared: Vec<ApiNotCompared>,
}

/// An API whose operations `diff` could not compare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiNotCompared {
    pub api: String,
    /// `from` or `to`: the side whose OpenAPI files could not be read.
    pub side: &'static str,
    /// That side's revision as given (`worktree` for the work tree).
    pub rev: String,
    /// Why (one message per problem; empty when no reason was recorded).
    pub reasons: Vec<String>,
}

impl ApiNotCompared {
    /// One line for the table and Markdown.
    pub fn message(&self) -> String {
        let why = if self.reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.reasons.join("; "))
        };
        format!(
            "note: the operations of API {} are not compared: its OpenAPI files could not be read at {}{why}",
            self.api, self.rev
        )
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub changes: usize,
    pub breaking: usize,
    #[serde(rename = "access-added")]
    pub access_added: usize,
    #[serde(rename = "access-removed")]
    pub access_removed: usize,
    pub metadata: usize,
    pub findings: usize,
}

impl DiffReport {
    pub fn new(
        from: Side,
        to: Side,
        registry: String,
        changes: Vec<Change>,
        findings: Vec<Finding>,
    ) -> Self {
        let mut s = Summary {
            changes: changes.len(),
            findings: findings.len(),
            ..Default::default()
        };
        for c in &changes {
            match c.class {
                Class::Breaking => s.breaking += 1,
                Class::AccessAdded => s.access_added += 1,
                Class::AccessRemoved => s.access_removed += 1,
                Class::Metadata => s.metadata += 1,
            }
        }
        DiffReport {
            version: JSON_VERSION,
            from,
            to,
            registry,
            summary: s,
            changes,
            findings,
            history_complete: true,
            history_reason: None,
            notes: Vec::new(),
            apis_not_compared: Vec::new(),
        }
    }

    /// Record the APIs whose operations were not compared.
    pub fn apis_not_compared(mut self, apis: Vec<ApiNotCompared>) -> Self {
        self.apis_not_compared = apis;
        self
    }

    /// Record the notes of the history walk (unloadable commits).
    pub fn notes(mut self, notes: Vec<Note>) -> Self {
        self.notes = notes;
        self
    }

    /// Record how complete the history behind the provenance is.
    pub fn history(mut self, c: &crate::history::Completeness) -> Self {
        self.history_complete = c.complete;
        self.history_reason = c.reason.clone();
        self
    }

    /// The line that says the history is incomplete, if it is.
    pub fn incomplete_line(&self) -> Option<String> {
        self.history_reason.as_ref().map(|r| {
            format!("warning: the history is incomplete ({r}): the commits credited with a change may be missing or wrong, and four-eyes findings are not evaluable")
        })
    }

    pub fn has_breaking(&self) -> bool {
        self.summary.breaking > 0
    }
}

/// Fields whose values are prose: shown as a word-level diff.
fn is_prose(field: Option<&str>) -> bool {
    matches!(
        field,
        Some("description" | "justification" | "consent_text")
    )
}

pub use crate::output::table::{fitted_table, table_width};
use crate::text::word_diff;

/// The "what" text of a change: `field: old → new`, a word diff for prose.
pub fn describe(c: &Change) -> String {
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let what = match (&c.field, &c.old, &c.new) {
        (Some(f), Some(o), Some(n)) if is_prose(Some(f)) => format!("{f}: {}", word_diff(o, n)),
        (Some(f), Some(o), Some(n)) if c.kind == super::Kind::PolicyChanged => {
            match list_diff(o, n) {
                Some(d) => format!("{f}: {d}"),
                None => format!("{f}: {o} → {n}"),
            }
        }
        (Some(f), o, n) => format!("{f}: {} → {}", value(o), value(n)),
        (None, Some(o), Some(n)) => format!("{o} → {n}"),
        (None, Some(o), None) => o.clone(),
        (None, None, Some(n)) => n.clone(),
        (None, None, None) => String::new(),
    };
    match &c.affected_clients {
        None => what,
        Some(list) => {
            let (some, none) = if c.class == Class::Breaking {
                ("clients affected", "no client of the registry is affected")
            } else {
                (
                    "clients that gain access",
                    "no client of the registry gains access",
                )
            };
            if list.is_empty() {
                format!("{what}; {none}")
            } else {
                format!("{what}; {some}: {}", list.join(", "))
            }
        }
    }
}

/// A policy setting that is a list of strings on both sides (team members,
/// `forbidden_scopes`, an approval rule's teams), as what was added and removed
/// (`added eve@example.com; removed bob@example.com`) rather than both whole lists.
fn list_diff(old: &str, new: &str) -> Option<String> {
    let (o, n): (Vec<String>, Vec<String>) = (
        serde_json::from_str(old).ok()?,
        serde_json::from_str(new).ok()?,
    );
    let added: Vec<&str> = n
        .iter()
        .filter(|x| !o.contains(x))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = o
        .iter()
        .filter(|x| !n.contains(x))
        .map(String::as_str)
        .collect();
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", added.join(", ")));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", removed.join(", ")));
    }
    if parts.is_empty() {
        parts.push(format!("reordered ({})", n.join(", ")));
    }
    Some(parts.join("; "))
}

/// `abc1234 Alice <alice@example.com> 2026-11-01 “subject” (verified: alice@example.com)`;
/// the committer is named after the author when it is someone else (`Alice <…>,
/// committed by Bob <…>`), and the signature says `(unsigned)`, `(verified: PRINCIPAL)`
/// or `(signature not verified: REASON)`.
pub fn commit_line(c: &CommitInfo) -> String {
    format!(
        "{} {} {} “{}” ({})",
        c.short,
        c.who(),
        c.date.get(..10).unwrap_or(&c.date),
        c.subject,
        c.signature.label()
    )
}

/// The commits a table names by short id, each once (first mention first), one line each:
/// the table stays narrow and the full commit lines stay greppable.
pub fn commit_legend<'a>(commits: impl Iterator<Item = &'a CommitInfo>) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::new();
    for c in commits {
        if seen.insert(c.id.as_str()) {
            if out.is_empty() {
                out.push_str("commits:\n");
            }
            out.push_str(&format!("  {}\n", term(&commit_line(c))));
        }
    }
    out
}

fn header_line(r: &DiffReport) -> String {
    let side = |s: &Side| match &s.commit {
        Some(c) => format!("{} ({})", s.rev, &c[..7.min(c.len())]),
        None => s.rev.clone(),
    };
    format!(
        "{} → {}: {} change(s): {} breaking, {} access-added, {} access-removed, {} metadata; {} finding(s)",
        side(&r.from),
        side(&r.to),
        r.summary.changes,
        r.summary.breaking,
        r.summary.access_added,
        r.summary.access_removed,
        r.summary.metadata,
        r.summary.findings
    )
}

/// The notes' lines for the terminal.
pub fn note_lines(notes: &[Note]) -> String {
    notes
        .iter()
        .map(|n| format!("{}\n", term(&n.message())))
        .collect()
}

/// The notes as Markdown lines (a quote each).
pub fn note_markdown(notes: &[Note]) -> String {
    let mut out: String = notes
        .iter()
        .map(|n| format!("> {}\n", md_text(&n.message())))
        .collect();
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The default: a table fitted to [`table_width`] (`terminal`: stdout is a terminal).
pub fn table(r: &DiffReport, terminal: bool) -> String {
    table_fitted(r, table_width(terminal))
}

/// A table at most `width` columns wide.
pub fn table_fitted(r: &DiffReport, width: u16) -> String {
    let mut out = String::new();
    if let Some(line) = r.incomplete_line() {
        out.push_str(&term(&line));
        out.push('\n');
    }
    out.push_str(&note_lines(&r.notes));
    for n in &r.apis_not_compared {
        out.push_str(&format!("{}\n", term(&n.message())));
    }
    if r.changes.is_empty() {
        out.push_str(&term(&header_line(r)));
        out.push('\n');
        return out;
    }
    let mut t = fitted_table(vec!["class", "change", "subject", "what", "commits"], width);
    for c in &r.changes {
        let commits: Vec<&str> = c.commits.iter().map(|c| c.short.as_str()).collect();
        t.add_row(vec![
            c.class.as_str().to_string(),
            c.kind.as_str().to_string(),
            term(&c.subject.label()),
            term(&describe(c)),
            term(&commits.join(" ")),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    out.push_str(&commit_legend(r.changes.iter().flat_map(|c| &c.commits)));
    for f in &r.findings {
        match &f.accepted {
            Some(a) => out.push_str(&format!(
                "note[{}]: accepted risk (until {} by {}, {}): {}\n",
                f.rule,
                term(&a.expires),
                term(&a.approved_by),
                term(&a.exception),
                term(&f.message)
            )),
            None => out.push_str(&format!(
                "{}[{}]: {}\n",
                f.severity.as_str(),
                f.rule,
                term(&f.message)
            )),
        }
    }
    out.push_str(&term(&header_line(r)));
    out.push('\n');
    out
}

/// A single-line field for the terminal (table output): control characters and bidi
/// overrides become visible escapes such as `\u{1b}` (terminal injection).
pub fn term(s: &str) -> String {
    crate::text::clean(s).into_owned()
}

use crate::text::{md_cell, md_text};

/// Markdown for an audit record or a PR comment.
pub fn markdown(r: &DiffReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "## Scope registry changes: {} → {}\n\n",
        md_text(&r.from.rev),
        md_text(&r.to.rev)
    ));
    if let Some(line) = r.incomplete_line() {
        out.push_str(&format!("> **{}**\n\n", md_text(&line)));
    }
    out.push_str(&note_markdown(&r.notes));
    for n in &r.apis_not_compared {
        out.push_str(&format!("> {}\n\n", md_text(&n.message())));
    }
    out.push_str(&format!("{}\n\n", md_text(&header_line(r))));
    if !r.changes.is_empty() {
        out.push_str("| class | change | subject | what | commits |\n|---|---|---|---|---|\n");
        for c in &r.changes {
            let commits: Vec<String> = c.commits.iter().map(commit_line).collect();
            let class = if c.is_breaking() {
                "**breaking**".to_string()
            } else {
                c.class.as_str().to_string()
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                class,
                c.kind.as_str(),
                md_cell(&c.subject.label()),
                md_cell(&describe(c)),
                md_cell(&commits.join("\n"))
            ));
        }
        out.push('\n');
    }
    if !r.findings.is_empty() {
        out.push_str("### Findings\n\n");
        for f in &r.findings {
            match &f.accepted {
                Some(a) => out.push_str(&format!(
                    "- `{}` (accepted risk until {} by {}: {}): {}\n",
                    f.rule,
                    md_text(&a.expires),
                    md_text(&a.approved_by),
                    md_text(&a.reason),
                    md_text(&f.message)
                )),
                None => out.push_str(&format!("- `{}`: {}\n", f.rule, md_text(&f.message))),
            }
        }
        out.push('\n');
    }
    out
}

/// The stable JSON document (schema in docs/diff-report.md).
pub fn json(r: &DiffReport) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_removed_and_added_words() {
        assert_eq!(
            word_diff(
                "Uploads sensor batches (IOT-142)",
                "Uploads batches (IOT-150)"
            ),
            "Uploads [-sensor -]batches [-(IOT-142)-]{+(IOT-150)+}"
        );
    }

    #[test]
    fn list_settings_show_what_was_added_and_removed() {
        assert_eq!(
            list_diff(r#"["a","b"]"#, r#"["b","c","d"]"#).as_deref(),
            Some("added c, d; removed a")
        );
        assert_eq!(
            list_diff(r#"["a","b"]"#, r#"["b","a"]"#).as_deref(),
            Some("reordered (b, a)")
        );
        // Not lists of strings: shown whole by the caller.
        assert_eq!(list_diff("90d", "30d"), None);
        assert_eq!(list_diff(r#"[{"rule":"x"}]"#, "[]"), None);
    }
}
