//! `scopectl log`: the history of one scope or one client, commit by commit.

use std::collections::BTreeSet;

use serde::Serialize;

use super::provenance::{CommitChanges, Note};
use super::render::{
    commit_legend, describe, fitted_table, note_lines, note_markdown, table_width, term,
};
use super::{Change, Kind};
use crate::history::{CommitInfo, Completeness};
use crate::text::md_text;

/// Version of the JSON document; bumped on any incompatible change.
pub const JSON_VERSION: u32 = 2;

/// One commit and what it did to the subject.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub commit: CommitInfo,
    /// The changes, in the `diff` JSON shape (`commits` is empty here: the commit is above).
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Log {
    pub version: u32,
    /// The scope or client asked about.
    pub name: String,
    /// The revision whose history was read, and the commit it resolved to.
    pub rev: String,
    pub commit: String,
    /// Whether the repository holds the whole history. When it does not (a shallow
    /// clone), entries start at the cut and the commits that made the oldest state are
    /// unknown: `history_reason` says why.
    pub history_complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_reason: Option<String>,
    /// Commits in the history read whose registry does not load: no event is made of
    /// them (see `diff`'s notes).
    pub notes: Vec<Note>,
    /// Oldest first.
    pub entries: Vec<Entry>,
}

/// Does this change concern `name`? A scope: its definition, renames to or from it, and
/// every grant of it. A client: its definition and its grants. A review campaign: its
/// record, and moves to or from its name.
pub fn concerns(c: &Change, name: &str) -> bool {
    c.subject.mentions(name) || (is_rename(c.kind) && c.old.as_deref() == Some(name))
}

/// A change that gives a subject a new name (`old` and `new` are the names).
fn is_rename(kind: Kind) -> bool {
    matches!(kind, Kind::ScopeRenamed | Kind::ReviewRenamed)
}

/// Keep the commits (and their changes) that concern `name`, following renames back: once
/// the walk (newest first) passes the commit that renamed `old` to `name`, older commits
/// that concern `old` are kept too.
pub fn build(
    name: &str,
    rev: &str,
    commit: String,
    history: Vec<CommitChanges>,
    completeness: &Completeness,
) -> Log {
    let mut names: BTreeSet<String> = BTreeSet::from([name.to_string()]);
    let mut entries = Vec::new();
    let notes = super::provenance::notes(&history);
    for cc in history.into_iter().rev() {
        let changes: Vec<Change> = cc
            .changes
            .into_iter()
            .filter(|c| names.iter().any(|n| concerns(c, n)))
            .collect();
        for c in &changes {
            if is_rename(c.kind) && c.new.as_deref().is_some_and(|n| names.contains(n)) {
                if let Some(old) = &c.old {
                    names.insert(old.clone());
                }
            }
        }
        if !changes.is_empty() {
            entries.push(Entry {
                commit: cc.commit,
                changes,
            });
        }
    }
    entries.reverse();
    Log {
        version: JSON_VERSION,
        name: name.to_string(),
        rev: rev.to_string(),
        commit,
        history_complete: completeness.complete,
        history_reason: completeness.reason.clone(),
        notes,
        entries,
    }
}

/// The "what" of a change in its commit's entry; a change computed across commits whose
/// registry does not load names them all.
fn what(c: &Change, entry: &CommitInfo) -> String {
    let others = c.commits.iter().any(|k| k.id != entry.id);
    if !others {
        return describe(c);
    }
    let shorts: Vec<&str> = c.commits.iter().map(|k| k.short.as_str()).collect();
    format!(
        "{} (made across commits {})",
        describe(c),
        shorts.join(", ")
    )
}

/// The line that says the history is incomplete, if it is.
fn incomplete_line(log: &Log) -> Option<String> {
    log.history_reason.as_ref().map(|r| {
        format!("warning: the history is incomplete ({r}): changes before the cut are not shown, and who made the oldest state shown is unknown")
    })
}

/// A table fitted to [`table_width`] (`terminal`: stdout is a terminal).
pub fn table(log: &Log, terminal: bool) -> String {
    table_fitted(log, table_width(terminal))
}

/// A table at most `width` columns wide.
pub fn table_fitted(log: &Log, width: u16) -> String {
    let mut t = fitted_table(vec!["commit", "class", "change", "subject", "what"], width);
    for e in &log.entries {
        for (i, c) in e.changes.iter().enumerate() {
            t.add_row(vec![
                if i == 0 {
                    term(&format!(
                        "{} {}",
                        e.commit.short,
                        e.commit.date.get(..10).unwrap_or(&e.commit.date)
                    ))
                } else {
                    String::new()
                },
                c.class.as_str().to_string(),
                c.kind.as_str().to_string(),
                term(&c.subject.label()),
                term(&what(c, &e.commit)),
            ]);
        }
    }
    let mut out = format!(
        "{t}\n{}{}: {} commit(s) up to {}\n",
        commit_legend(log.entries.iter().map(|e| &e.commit)),
        term(&log.name),
        log.entries.len(),
        term(&log.rev)
    );
    if let Some(line) = incomplete_line(log) {
        out.push_str(&term(&line));
        out.push('\n');
    }
    out.push_str(&note_lines(&log.notes));
    out
}

pub fn markdown(log: &Log) -> String {
    let mut out = format!(
        "## History of `{}` up to {}\n\n",
        // In a code span nothing is markup: only controls and backticks need care.
        term(&log.name).replace('`', "'"),
        md_text(&log.rev)
    );
    if let Some(line) = incomplete_line(log) {
        out.push_str(&format!("> **{}**\n\n", md_text(&line)));
    }
    out.push_str(&note_markdown(&log.notes));
    for e in &log.entries {
        let c = &e.commit;
        out.push_str(&format!(
            "### {} {}\n\n{}, {}, {}\n\n",
            c.short,
            md_text(&c.subject),
            md_text(&c.who()),
            c.date,
            md_text(&c.signature.label())
        ));
        for ch in &e.changes {
            out.push_str(&format!(
                "- {} `{}` {}: {}\n",
                if ch.is_breaking() {
                    "**breaking**"
                } else {
                    ch.class.as_str()
                },
                ch.kind.as_str(),
                md_text(&ch.subject.label()),
                md_text(&what(ch, c).replace('\n', " "))
            ));
        }
        out.push('\n');
    }
    out
}

pub fn json(log: &Log) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(log)?;
    s.push('\n');
    Ok(s)
}
