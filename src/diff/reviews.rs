//! Access-review campaigns (`reviews/*.toml`) between two registries, and the one control
//! their history has: a **closed** campaign is evidence (`report` counts it for ISO 5.18,
//! SOC 2 CC6.3 and NIST PR.AA-05), so a change to its record after the close, or its
//! removal, is `diff/review-rewritten`.
//!
//! A campaign is compared field by field: the `[review]` settings by name (`closed_on`,
//! `due`, ...), each entry by its grant (`entries[shop/payments:refund].decided_by`; the
//! second entry of the same grant is `entries[shop/payments:refund#2]`). An entry added
//! or removed is one change (`entries[shop/payments:refund]`) whose value is a summary. A
//! campaign whose file moved with its record unchanged is `review-renamed`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::provenance::CommitChanges;
use super::{Change, Class, Kind, Model, Snapshot, Subject};
use crate::finding::Finding;
use crate::registry::ReviewFile;
use crate::rules::Rule;

/// One campaign as the diff sees it: its settings and entries as `field -> value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ReviewModel {
    /// `[review]`, flattened (`started_on`, `due`, `closed_on`, `default`, `where`, ...).
    pub settings: BTreeMap<String, String>,
    /// Entries by their label (`shop/payments:refund`, `shop/payments:refund#2`), each
    /// flattened.
    pub entries: BTreeMap<String, BTreeMap<String, String>>,
}

impl ReviewModel {
    pub fn of(file: &ReviewFile) -> ReviewModel {
        let mut settings = BTreeMap::new();
        if let Ok(v) = serde_json::to_value(file.review.get()) {
            super::flatten("", &v, &mut settings);
        }
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut entries = BTreeMap::new();
        for e in &file.entries {
            let e = e.get();
            let (client, scope) = (e.client.get().clone(), e.scope.get().clone());
            let n = seen.entry((client.clone(), scope.clone())).or_insert(0);
            *n += 1;
            let label = match *n {
                1 => format!("{client}/{scope}"),
                n => format!("{client}/{scope}#{n}"),
            };
            let mut fields = BTreeMap::new();
            if let Ok(v) = serde_json::to_value(e) {
                super::flatten("", &v, &mut fields);
            }
            entries.insert(label, fields);
        }
        ReviewModel { settings, entries }
    }

    /// The day the campaign was closed, if it was.
    pub fn closed_on(&self) -> Option<&str> {
        self.settings.get("closed_on").map(String::as_str)
    }
}

/// The campaigns of a loaded registry.
pub fn models(r: &crate::registry::Registry) -> BTreeMap<String, ReviewModel> {
    r.reviews
        .iter()
        .map(|(name, rv)| (name.clone(), ReviewModel::of(&rv.def)))
        .collect()
}

/// An added or removed campaign: its dates and how far it got.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewSnapshot {
    pub review: String,
    pub started_on: Option<String>,
    pub due: Option<String>,
    pub closed_on: Option<String>,
    pub entries: usize,
    pub decided: usize,
}

impl ReviewSnapshot {
    fn of(name: &str, m: &ReviewModel) -> ReviewSnapshot {
        let setting = |k: &str| m.settings.get(k).cloned();
        ReviewSnapshot {
            review: name.to_string(),
            started_on: setting("started_on"),
            due: setting("due"),
            closed_on: setting("closed_on"),
            entries: m.entries.len(),
            decided: m
                .entries
                .values()
                .filter(|e| e.contains_key("decision"))
                .count(),
        }
    }

    /// `started 2026-12-01, due 2026-12-31, 3 entries, 2 decided, closed on 2027-01-04`
    /// (`1 entry`).
    pub fn summary(&self) -> String {
        let day = |d: &Option<String>| d.clone().unwrap_or_else(|| "?".into());
        format!(
            "started {}, due {}, {} {}, {} decided, {}",
            day(&self.started_on),
            day(&self.due),
            self.entries,
            if self.entries == 1 {
                "entry"
            } else {
                "entries"
            },
            self.decided,
            match &self.closed_on {
                Some(d) => format!("closed on {d}"),
                None => "open".to_string(),
            }
        )
    }
}

/// One entry in one line: `keep by pam@example.com on 2026-12-01 (outcome renewed)`, or
/// `undecided`.
fn entry_summary(e: &BTreeMap<String, String>) -> String {
    let mut out = match e.get("decision") {
        Some(d) => {
            let mut s = d.clone();
            if let Some(by) = e.get("decided_by") {
                s.push_str(&format!(" by {by}"));
            }
            if let Some(on) = e.get("decided_on") {
                s.push_str(&format!(" on {on}"));
            }
            s
        }
        None => "undecided".to_string(),
    };
    if let Some(o) = e.get("outcome") {
        out.push_str(&format!(" (outcome {o})"));
    }
    out
}

/// The review changes from `a` to `b` (all [`Class::Metadata`]: a campaign changes access
/// only through the client files its close edits, which the diff shows as grant changes).
pub(crate) fn diff(a: &Model, b: &Model, out: &mut Vec<Change>) {
    let subject = |name: &str| Subject::Review {
        review: name.to_string(),
    };
    // A campaign moved to another file name with its record unchanged (archived under
    // `reviews/2026/`): a rename, not a removal.
    // Candidates by content, so pairing them stays linear in the number of campaigns.
    let mut arrived: HashMap<&ReviewModel, Vec<&String>> = HashMap::new();
    for (n, m) in b.reviews.iter().rev() {
        if !a.reviews.contains_key(n) {
            arrived.entry(m).or_default().push(n);
        }
    }
    let mut moved_to: BTreeSet<&String> = BTreeSet::new();
    for (name, old) in &a.reviews {
        let Some(new) = b.reviews.get(name) else {
            match arrived.get_mut(old).and_then(Vec::pop) {
                Some(to) => {
                    moved_to.insert(to);
                    let mut c = Change::new(Kind::ReviewRenamed, Class::Metadata, subject(to));
                    c.old = Some(name.clone());
                    c.new = Some(to.clone());
                    out.push(c);
                }
                None => out.push(
                    Change::new(Kind::ReviewRemoved, Class::Metadata, subject(name))
                        .removed(Snapshot::Review(ReviewSnapshot::of(name, old))),
                ),
            }
            continue;
        };
        if old == new {
            continue;
        }
        let mut push = |field: &str, o: Option<String>, n: Option<String>| {
            if o != n {
                out.push(
                    Change::new(Kind::ReviewChanged, Class::Metadata, subject(name))
                        .field(field, o, n),
                );
            }
        };
        for k in union(&old.settings, &new.settings) {
            push(
                k,
                old.settings.get(k).cloned(),
                new.settings.get(k).cloned(),
            );
        }
        for label in union(&old.entries, &new.entries) {
            match (old.entries.get(label), new.entries.get(label)) {
                (Some(o), Some(n)) => {
                    for k in union(o, n) {
                        push(
                            &format!("entries[{label}].{k}"),
                            o.get(k).cloned(),
                            n.get(k).cloned(),
                        );
                    }
                }
                (o, n) => push(
                    &format!("entries[{label}]"),
                    o.map(entry_summary),
                    n.map(entry_summary),
                ),
            }
        }
    }
    for (name, new) in &b.reviews {
        if !a.reviews.contains_key(name) && !moved_to.contains(name) {
            out.push(
                Change::new(Kind::ReviewAdded, Class::Metadata, subject(name))
                    .added(Snapshot::Review(ReviewSnapshot::of(name, new))),
            );
        }
    }
}

fn union<'a, V>(x: &'a BTreeMap<String, V>, y: &'a BTreeMap<String, V>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// How many changed fields a finding names before it says how many more there are.
const FIELDS_SHOWN: usize = 5;

/// `diff/review-rewritten`: a campaign that was closed, changed or removed afterwards. The
/// history is followed commit by commit from side `a` (so a campaign closed in one commit
/// of the range and edited in a later one is found too), one finding per campaign and
/// commit; `changes` with no commit (the work tree's) are judged against the state the
/// last commit left. A close and an edit made in the same commit are not told apart.
pub fn rewrites(changes: &[Change], a: &Model, history: &[CommitChanges]) -> Vec<Finding> {
    let mut closed: BTreeMap<String, String> = a
        .reviews
        .iter()
        .filter_map(|(n, m)| Some((n.clone(), m.closed_on()?.to_string())))
        .collect();
    let mut out = Vec::new();
    for cc in history {
        out.extend(judge(&cc.changes, &closed, Some(&cc.commit)));
        follow(&cc.changes, &mut closed);
    }
    let uncommitted: Vec<Change> = changes
        .iter()
        .filter(|c| c.commits.is_empty())
        .cloned()
        .collect();
    out.extend(judge(&uncommitted, &closed, None));
    out
}

/// The findings of one step (a commit, or the uncommitted changes) given which campaigns
/// were closed before it.
fn judge(
    changes: &[Change],
    closed: &BTreeMap<String, String>,
    commit: Option<&crate::history::CommitInfo>,
) -> Vec<Finding> {
    let mut by_review: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        if let Subject::Review { review } = &c.subject {
            // A move keeps the record as it was.
            if c.kind != Kind::ReviewRenamed && closed.contains_key(review) {
                by_review.entry(review).or_default().push(c);
            }
        }
    }
    let mut out = Vec::new();
    for (review, cs) in by_review {
        let on = &closed[review];
        let when = match commit {
            Some(k) => {
                // Made across commits whose registry did not load: all of them (the one
                // that broke the file may be the one that edited it).
                let mut shorts: Vec<&str> = Vec::new();
                for c in cs.iter().flat_map(|c| c.commits.iter()) {
                    if c.id != k.id && !shorts.contains(&c.short.as_str()) {
                        shorts.push(&c.short);
                    }
                }
                if shorts.is_empty() {
                    format!(" in commit {}", k.short)
                } else {
                    shorts.push(&k.short);
                    format!(
                        " in commits {} (the registry did not load between them)",
                        shorts.join(", ")
                    )
                }
            }
            None => " in the work tree".to_string(),
        };
        let message = if cs.iter().any(|c| c.kind == Kind::ReviewRemoved) {
            format!(
                "review {review}, closed on {on}, was removed{when}: its record is no longer access-review evidence for `report`"
            )
        } else {
            let fields: Vec<String> = cs
                .iter()
                .filter_map(|c| {
                    let f = c.field.as_deref()?;
                    let v = |x: &Option<String>| match x {
                        None => "(none)".to_string(),
                        Some(t) => shorten(t),
                    };
                    Some(format!("{f} ({} → {})", v(&c.old), v(&c.new)))
                })
                .collect();
            let more = fields.len().saturating_sub(FIELDS_SHOWN);
            let mut list = fields
                .into_iter()
                .take(FIELDS_SHOWN)
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                list.push_str(&format!(" and {more} more"));
            }
            format!("review {review}, closed on {on}, was changed after the close{when}: {list}")
        };
        let f = Finding::of(Rule::DiffReviewRewritten, crate::text::clean(&message)).about(
            Subject::Review {
                review: review.to_string(),
            },
        );
        out.push(match commit {
            Some(k) => f.in_commit(k.id.clone()),
            None => f,
        });
    }
    out
}

/// A value as a finding quotes it: at most [`VALUE_CHARS`] characters (a reviewer's note
/// can be long; the change itself carries it whole).
fn shorten(v: &str) -> String {
    match v.char_indices().nth(VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &v[..at]),
        None => v.to_string(),
    }
}

/// How many characters of a value a finding quotes.
const VALUE_CHARS: usize = 80;

/// Which campaigns are closed after `changes`.
fn follow(changes: &[Change], closed: &mut BTreeMap<String, String>) {
    for c in changes {
        let Subject::Review { review } = &c.subject else {
            continue;
        };
        match c.kind {
            Kind::ReviewRemoved => {
                closed.remove(review);
            }
            Kind::ReviewRenamed => {
                if let Some(on) = c.old.as_ref().and_then(|from| closed.remove(from)) {
                    closed.insert(review.clone(), on);
                }
            }
            Kind::ReviewAdded => {
                if let Some(Snapshot::Review(s)) = &c.after {
                    if let Some(on) = &s.closed_on {
                        closed.insert(review.clone(), on.clone());
                    }
                }
            }
            Kind::ReviewChanged if c.field.as_deref() == Some("closed_on") => match &c.new {
                Some(on) => {
                    closed.insert(review.clone(), on.clone());
                }
                None => {
                    closed.remove(review);
                }
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn long_values_are_shortened_on_a_character_boundary() {
        assert_eq!(shorten("keep"), "keep");
        let long = "é".repeat(100);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), 81);
        assert!(short.ends_with('…'));
    }
}
