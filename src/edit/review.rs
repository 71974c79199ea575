//! Access-review campaigns in git: `scopectl review start | decide | close`.
//!
//! `start` snapshots the grants a filter picks into `reviews/NAME.toml` (one entry per
//! grant, with its justification, approver and expiry, and who may review it); reviewers
//! record `keep` or `revoke` (`decide`, or by editing the file); `close` applies the
//! decisions to `clients/` (revocations; renewals with the reviewer as approver;
//! `reviewed_on`/`reviewed_by` on kept grants), gives undecided entries the default, and
//! records each entry's outcome. Every step is a file change, so git history is the
//! evidence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use super::{approvers, date, expiry, grants_mut, parse, set, Approval, Edit, FileEdit};
use crate::registry::{Client, Decision, Grant, Registry, ReviewEntry, Sensitivity, REVIEWS_DIR};

/// `--where`: conditions joined by `,` (all must hold), each `KEY OP VALUE`.
/// Keys: `sensitivity` (`=`, `!=`, `>=`, `>`, `<=`, `<`), `scope`, `client`, `owner`
/// (the scope's or the client's owner) and `type` (`=`, `!=`; a value ending in `*` is a
/// prefix).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    text: String,
    conds: Vec<Cond>,
}

#[derive(Debug, Clone)]
enum Cond {
    Sensitivity(std::cmp::Ordering, bool, Sensitivity),
    Text {
        key: TextKey,
        negate: bool,
        value: String,
    },
}

#[derive(Debug, Clone, Copy)]
enum TextKey {
    Scope,
    Client,
    Owner,
    Type,
}

impl Filter {
    pub fn parse(text: &str) -> anyhow::Result<Filter> {
        let mut conds = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let at = part.find(['=', '!', '<', '>']).with_context(|| {
                format!("`{part}` has no operator: write KEY=VALUE, KEY>=VALUE, …")
            })?;
            let key = part[..at].trim();
            let rest = &part[at..];
            let (op, val) = ["!=", ">=", "<=", "==", "=", ">", "<"]
                .iter()
                .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
                .with_context(|| format!("`{part}`: unknown operator"))?;
            if val.is_empty() {
                bail!("`{part}` has no value");
            }
            use std::cmp::Ordering::*;
            let cond = match key {
                "sensitivity" => {
                    let s: Sensitivity = serde_json::from_value(serde_json::Value::String(val.to_lowercase()))
                        .map_err(|_| anyhow::anyhow!("`{val}` is not a sensitivity (low, medium, high, critical)"))?;
                    let (ord, or_equal) = match op {
                        "=" | "==" => (Equal, true),
                        "!=" => (Equal, false),
                        ">=" => (Greater, true),
                        ">" => (Greater, false),
                        "<=" => (Less, true),
                        _ => (Less, false),
                    };
                    Cond::Sensitivity(ord, or_equal, s)
                }
                "scope" | "client" | "owner" | "type" => {
                    if !matches!(op, "=" | "==" | "!=") {
                        bail!("`{part}`: `{key}` takes = or != only");
                    }
                    let key = match key {
                        "scope" => TextKey::Scope,
                        "client" => TextKey::Client,
                        "owner" => TextKey::Owner,
                        _ => TextKey::Type,
                    };
                    Cond::Text {
                        key,
                        negate: op == "!=",
                        value: val.to_string(),
                    }
                }
                other => bail!(
                    "`{other}` is not a key a review can filter on (sensitivity, scope, client, owner, type)"
                ),
            };
            conds.push(cond);
        }
        Ok(Filter {
            text: text.trim().to_string(),
            conds,
        })
    }

    fn matches(&self, reg: &Registry, client: &Client, g: &Grant) -> bool {
        let scope = reg.scopes.get(g.scope());
        self.conds.iter().all(|c| match c {
            Cond::Sensitivity(ord, or_equal, want) => {
                let Some(s) = scope.map(|s| *s.def.sensitivity) else {
                    return false;
                };
                match (ord, or_equal) {
                    (std::cmp::Ordering::Equal, true) => s == *want,
                    (std::cmp::Ordering::Equal, false) => s != *want,
                    (o, true) => s.cmp(want) == *o || s == *want,
                    (o, false) => s.cmp(want) == *o,
                }
            }
            Cond::Text { key, negate, value } => {
                // Scope strings and client ids are exact; owners are identities.
                let hit = |have: &str, identity: bool| match value.strip_suffix('*') {
                    Some(prefix) => have.starts_with(prefix),
                    None if identity => crate::text::same_identity(have, value),
                    None => have == value,
                };
                let found = match key {
                    TextKey::Scope => hit(g.scope(), false),
                    TextKey::Client => hit(&client.id, false),
                    TextKey::Type => hit(g.def.kind().as_str(), false),
                    TextKey::Owner => {
                        scope.is_some_and(|s| hit(&s.def.owner, true))
                            || client.def.owner.as_ref().is_some_and(|o| hit(o, true))
                    }
                };
                found != *negate
            }
        })
    }
}

/// What `review start` needs besides the registry.
#[derive(Debug, Clone)]
pub struct Start {
    pub name: String,
    pub filter: Filter,
    /// Only grants whose scope or client this team (or person) owns.
    pub owner: Option<String>,
    /// The commit the registry was read from.
    pub revision: Option<String>,
    pub today: NaiveDate,
    /// `--usage FILE`: every grant judged against a usage snapshot, so reviewers see the
    /// last use next to the justification.
    pub usage: Option<crate::usage::evaluate::Evaluation>,
}

/// Who reviews a grant: the scope's owner, unless it is the client's own owner (or its
/// team); then the teams the policy allows to approve the scope's sensitivity, without
/// the client's own team. Empty when nobody outside the client's team is known.
fn reviewers(reg: &Registry, client: &Client, g: &Grant) -> Vec<String> {
    let Some(scope) = reg.scopes.get(g.scope()) else {
        return Vec::new();
    };
    let client_owner = client.def.owner.as_ref().map(|o| o.as_str());
    let own = |who: &str| {
        client_owner.is_some_and(|o| {
            crate::text::same_identity(who, o)
                || reg.people.is_member(o, who)
                || reg.people.belongs_to(o, who)
        })
    };
    if !own(&scope.def.owner) {
        return vec![scope.def.owner.get().clone()];
    }
    reg.policy
        .approval_for(*scope.def.sensitivity)
        .teams
        .into_iter()
        .filter(|t| !own(t))
        .collect()
}

fn check_name(name: &str) -> anyhow::Result<()> {
    if !crate::text::is_file_stem(name) {
        bail!(
            "`{}` cannot name a review: use letters, digits, `-`, `_` and `.` (it becomes reviews/NAME.toml)",
            crate::text::clean(name)
        );
    }
    Ok(())
}

/// `review start`: write `reviews/NAME.toml` with one entry per matching grant that is
/// not expired. Returns the edit and how many grants had no reviewer outside the
/// client's own team.
pub fn start(reg: &Registry, root: &Path, s: &Start) -> anyhow::Result<(Edit, usize)> {
    check_name(&s.name)?;
    let rel = format!("{REVIEWS_DIR}/{}.toml", s.name);
    let path = root.join(&rel);
    if reg.reviews.contains_key(&s.name) || path.exists() {
        bail!("{rel} already exists: choose another name, or close that review");
    }
    let due = s.today + chrono::Duration::days(reg.policy.review_deadline.days());
    let mut doc = DocumentMut::new();
    doc.decor_mut().set_prefix(format!(
        "# Access review `{}`. Reviewers: set `decision = \"keep\"` or `\"revoke\"` and\n# `decided_by` on each entry (or `scopectl review decide {} CLIENT SCOPE keep|revoke --by WHO`);\n# then `scopectl review close {} --default revoke|keep`.\n",
        s.name, s.name, s.name
    ));
    let mut head = Table::new();
    head["started_on"] = Item::Value(date(s.today)?);
    head["due"] = Item::Value(date(due)?);
    if let Some(r) = &s.revision {
        head["revision"] = value(r.as_str());
    }
    if !s.filter.text.is_empty() {
        head["where"] = value(s.filter.text.as_str());
    }
    if let Some(o) = &s.owner {
        head["owner"] = value(o.as_str());
    }
    doc["review"] = Item::Table(head);
    let mut entries = ArrayOfTables::new();
    let mut without_reviewer = 0;
    for client in reg.clients.values() {
        for g in &client.grants {
            if g.is_expired(s.today) || !s.filter.matches(reg, client, g) {
                continue;
            }
            if let Some(o) = &s.owner {
                let scope_owner = reg.scopes.get(g.scope()).map(|sc| sc.def.owner.as_str());
                let owns = |x: Option<&str>| x.is_some_and(|x| crate::text::same_identity(x, o));
                if !owns(scope_owner) && !owns(client.def.owner.as_ref().map(|x| x.as_str())) {
                    continue;
                }
            }
            let mut t = Table::new();
            t["client"] = value(client.id.as_str());
            t["scope"] = value(g.scope());
            if let Some(sc) = reg.scopes.get(g.scope()) {
                t["sensitivity"] = value(sc.def.sensitivity.as_str());
            }
            if let Some(o) = &client.def.owner {
                t["client_owner"] = value(o.as_str());
            }
            if let Some(j) = &g.def.justification {
                t["justification"] = value(j.as_str());
            }
            if let Some(a) = &g.def.approved_by {
                let list: Vec<String> = a.iter().map(|x| x.get().clone()).collect();
                t["approved_by"] = Item::Value(approvers(&list));
            }
            if let Some(d) = &g.def.approved_on {
                t["approved_on"] = Item::Value(date(d.0)?);
            }
            if let Some(d) = &g.def.expires {
                t["expires"] = Item::Value(date(d.0)?);
            }
            if let Some(u) = s.usage.as_ref().and_then(|e| {
                let occurrence = client
                    .grants
                    .iter()
                    .take_while(|x| !std::ptr::eq(*x, g))
                    .filter(|x| x.scope() == g.scope())
                    .count();
                e.of(&client.id, g.scope(), occurrence)
            }) {
                let status = match u.confidence {
                    Some(c) => format!("{} ({} confidence)", u.status.as_str(), c.as_str()),
                    None => u.status.as_str().to_string(),
                };
                t["usage"] = value(status);
                if let Some(last) = u.last_used {
                    t["last_used"] = Item::Value(date(last.date_naive())?);
                }
            }
            let who = reviewers(reg, client, g);
            if who.is_empty() {
                without_reviewer += 1;
            } else {
                t["reviewers"] =
                    value(who.iter().map(String::as_str).collect::<toml_edit::Array>());
            }
            entries.push(t);
        }
    }
    let count = entries.len();
    if count == 0 {
        bail!(
            "no grant matches{}: nothing to review",
            if s.filter.text.is_empty() {
                String::new()
            } else {
                format!(" `{}`", s.filter.text)
            }
        );
    }
    doc["entries"] = Item::ArrayOfTables(entries);
    Ok((
        Edit {
            files: vec![FileEdit::new(path, rel, None, doc)],
            summary: format!(
                "start access review `{}`: {count} grant{} to review by {due}",
                s.name,
                if count == 1 { "" } else { "s" }
            ),
            commit_message: format!(
                "Start access review {}: {count} grant{}{}, due {due}",
                s.name,
                if count == 1 { "" } else { "s" },
                if s.filter.text.is_empty() {
                    String::new()
                } else {
                    format!(" where {}", s.filter.text)
                }
            ),
        },
        without_reviewer,
    ))
}

/// A reviewer's decision.
#[derive(Debug, Clone)]
pub struct Decide {
    pub name: String,
    pub client: String,
    pub scope: String,
    pub decision: Decision,
    pub by: String,
    /// With `keep`: renew until (`--expires`) or for (`--for`), capped by the policy.
    pub renew: Option<Approval>,
    pub note: Option<String>,
    pub today: NaiveDate,
}

fn open_review<'a>(
    reg: &'a Registry,
    root: &Path,
    name: &str,
) -> anyhow::Result<(&'a crate::registry::Review, std::path::PathBuf, String)> {
    check_name(name)?;
    let Some(review) = reg.reviews.get(name) else {
        let names: Vec<&str> = reg.reviews.keys().map(String::as_str).collect();
        bail!(
            "no review `{name}` under {REVIEWS_DIR}/{}",
            if names.is_empty() {
                String::new()
            } else {
                format!(" (there are: {})", names.join(", "))
            }
        );
    };
    if let Some(closed) = &review.def.review.closed_on {
        bail!(
            "review `{name}` was closed on {}: it takes no more decisions",
            **closed
        );
    }
    let rel = reg.files.name(review.file).to_string();
    Ok((review, root.join(&rel), rel))
}

fn entries_mut<'a>(doc: &'a mut DocumentMut, rel: &str) -> anyhow::Result<&'a mut ArrayOfTables> {
    doc.get_mut("entries")
        .and_then(Item::as_array_of_tables_mut)
        .with_context(|| format!("{rel} has no [[entries]]"))
}

/// The entries of `client`'s grant of `scope` (several when the client holds the scope
/// in several grants).
fn entry_indices(entries: &ArrayOfTables, client: &str, scope: &str) -> Vec<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.get("client").and_then(|v| v.as_str()) == Some(client)
                && t.get("scope").and_then(|v| v.as_str()) == Some(scope)
        })
        .map(|(i, _)| i)
        .collect()
}

/// `review decide`: record a decision on one entry.
pub fn decide(reg: &Registry, root: &Path, d: &Decide) -> anyhow::Result<Edit> {
    let (_, path, rel) = open_review(reg, root, &d.name)?;
    let renew_until = match (&d.renew, d.decision) {
        (Some(_), Decision::Revoke) => {
            bail!("--for/--expires renew a kept grant; a revoked one ends")
        }
        (Some(a), Decision::Keep) => Some(expiry(reg, &d.client, &d.scope, d.today, a)?),
        (None, _) => None,
    };
    let (before, mut doc) = parse(&path)?;
    let entries = entries_mut(&mut doc, &rel)?;
    let i = match entry_indices(entries, &d.client, &d.scope)[..] {
        [] => bail!(
            "review `{}` has no entry for `{}`'s grant of `{}`",
            d.name,
            crate::text::clean(&d.client),
            crate::text::clean(&d.scope)
        ),
        [i] => i,
        ref several => bail!(
            "review `{}` has {} entries for `{}`'s grants of `{}` (the client holds the scope more than once; entries {} of {rel}): record each decision by editing that file",
            d.name,
            several.len(),
            crate::text::clean(&d.client),
            crate::text::clean(&d.scope),
            several
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let t = entries
        .get_mut(i)
        .context("the entry disappeared while editing")?;
    set(t, "decision", d.decision.as_str().into());
    set(t, "decided_by", d.by.as_str().into());
    set(t, "decided_on", date(d.today)?);
    match renew_until {
        Some(until) => set(t, "new_expires", date(until)?),
        None => {
            t.remove("new_expires");
        }
    }
    if let Some(n) = &d.note {
        set(t, "note", n.as_str().into());
    }
    Ok(Edit {
        files: vec![FileEdit::changed(path, rel, before, doc)],
        summary: format!(
            "{} `{}` for `{}` in review `{}` (decided by {}){}",
            d.decision.as_str(),
            d.scope,
            d.client,
            d.name,
            d.by,
            renew_until
                .map(|u| format!(", renewed until {u}"))
                .unwrap_or_default()
        ),
        commit_message: format!(
            "Review {}: {} {} for {} ({}){}",
            d.name,
            d.decision.as_str(),
            d.scope,
            d.client,
            d.by,
            d.note
                .as_ref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ),
    })
}

/// How a close left each entry, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub kept: usize,
    pub renewed: usize,
    pub revoked: usize,
    pub kept_by_default: usize,
    pub revoked_by_default: usize,
    pub gone: usize,
    /// The grant was changed after the snapshot (renewed, re-justified, granted again):
    /// not the grant that was reviewed, so neither the decision nor the default applies.
    pub changed: usize,
}

impl Outcomes {
    fn add(&mut self, outcome: &str) {
        match outcome {
            "kept" => self.kept += 1,
            "renewed" => self.renewed += 1,
            "revoked" => self.revoked += 1,
            "kept-by-default" => self.kept_by_default += 1,
            "revoked-by-default" => self.revoked_by_default += 1,
            "changed" => self.changed += 1,
            _ => self.gone += 1,
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{} kept, {} renewed, {} revoked, {} kept by default, {} revoked by default, {} gone before the close{}",
            self.kept,
            self.renewed,
            self.revoked,
            self.kept_by_default,
            self.revoked_by_default,
            self.gone,
            if self.changed > 0 {
                format!(
                    ", {} changed since the snapshot (not applied: review them again)",
                    self.changed
                )
            } else {
                String::new()
            }
        )
    }
}

/// The grant is still as the entry's snapshot recorded it: same justification,
/// approvers, approval day and expiry.
fn as_snapshot(e: &ReviewEntry, g: &Grant) -> bool {
    let names = |a: Option<&crate::registry::Sp<crate::registry::Approvers>>| -> Vec<String> {
        a.map(|a| a.iter().map(|x| x.get().clone()).collect())
            .unwrap_or_default()
    };
    e.justification == g.def.justification
        && names(e.approved_by.as_ref()) == names(g.def.approved_by.as_ref())
        && e.approved_on.as_ref().map(|d| d.0) == g.def.approved_on.as_ref().map(|d| d.0)
        && e.expires.as_ref().map(|d| d.0) == g.def.expires.as_ref().map(|d| d.0)
}

/// `review close`: apply every decision (undecided entries take `default`) to the client
/// files and record the outcome of each entry and the close in the review file.
pub fn close(
    reg: &Registry,
    root: &Path,
    name: &str,
    default: Decision,
    today: NaiveDate,
) -> anyhow::Result<(Edit, Outcomes)> {
    let (review, path, rel) = open_review(reg, root, name)?;
    let bad: Vec<String> = crate::lint::check(reg, today)
        .into_iter()
        .filter(|f| f.fails() && f.rule.family() == crate::rules::Family::Review)
        .filter(|f| f.file() == Some(review.file))
        .map(|f| format!("  {}: {}", f.rule.id(), f.message))
        .collect();
    if !bad.is_empty() {
        bail!(
            "review `{name}` has decisions that do not count; fix them before closing:\n{}",
            bad.join("\n")
        );
    }
    // Client files to change, parsed once each: file -> (path, before, doc).
    let mut clients: BTreeMap<String, (std::path::PathBuf, String, DocumentMut)> = BTreeMap::new();
    // Grants to remove, by client file: their indices, removed last so that the indices
    // of the grants still to edit do not move.
    let mut removals: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // The grants an entry was matched to: each grant answers for one entry only.
    let mut taken: BTreeSet<(&str, usize)> = BTreeSet::new();
    let (before, mut doc) = parse(&path)?;
    let mut outcomes = Outcomes::default();
    {
        let entries = entries_mut(&mut doc, &rel)?;
        for (i, e) in review.def.entries.iter().enumerate() {
            let client = reg.clients.get(e.client.as_str());
            // The grant this entry reviewed: the client's grant of the scope that is still
            // as the snapshot recorded it. A grant of the scope that differs was changed
            // (renewed, re-justified, re-granted) after the snapshot: nobody reviewed it.
            let mut same_scope = client
                .into_iter()
                .flat_map(|c| c.grants.iter().enumerate().map(move |(gi, g)| (c, gi, g)))
                .filter(|(c, gi, g)| {
                    g.scope() == e.scope.as_str() && !taken.contains(&(c.id.as_str(), *gi))
                })
                .peekable();
            let any = same_scope.peek().is_some();
            let held = same_scope
                .find(|(_, _, g)| as_snapshot(e, g))
                .map(|(c, gi, _)| (c, gi));
            if let Some((c, gi)) = held {
                taken.insert((c.id.as_str(), gi));
            }
            let decision = e.decision.as_ref().map(|d| **d);
            let outcome = match (held, decision) {
                (None, _) if any => "changed",
                (None, _) => "gone",
                (Some(_), Some(Decision::Revoke)) => "revoked",
                (Some(_), None) if default == Decision::Revoke => "revoked-by-default",
                (Some(_), None) => "kept-by-default",
                (Some(_), Some(Decision::Keep)) if e.new_expires.is_some() => "renewed",
                (Some(_), Some(Decision::Keep)) => "kept",
            };
            outcomes.add(outcome);
            if let Some((c, gi)) = held.filter(|_| outcome != "kept-by-default") {
                let file = reg.files.name(c.file).to_string();
                if !clients.contains_key(&file) {
                    let p = root.join(&file);
                    let (text, d) = parse(&p)?;
                    clients.insert(file.clone(), (p, text, d));
                }
                let (_, _, cdoc) = clients.get_mut(&file).context("client file vanished")?;
                let grants = grants_mut(cdoc)?;
                if grants
                    .get(gi)
                    .and_then(|t| t.get("scope"))
                    .and_then(|v| v.as_str())
                    != Some(e.scope.as_str())
                {
                    bail!(
                        "{file}: the grant of `{}` vanished while editing",
                        e.scope.as_str()
                    );
                }
                match outcome {
                    "revoked" | "revoked-by-default" => {
                        removals.entry(file).or_default().push(gi);
                    }
                    "kept" | "renewed" => {
                        let by = e
                            .decided_by
                            .as_ref()
                            .map(|b| b.get().clone())
                            .unwrap_or_default();
                        let t = grants
                            .get_mut(gi)
                            .context("the grant vanished while editing")?;
                        if let Some(until) = &e.new_expires {
                            set(t, "approved_by", approvers(std::slice::from_ref(&by)));
                            set(t, "approved_on", date(today)?);
                            set(t, "expires", date(until.0)?);
                        }
                        set(t, "reviewed_on", date(today)?);
                        set(t, "reviewed_by", by.as_str().into());
                    }
                    _ => {}
                }
            }
            let t = entries
                .get_mut(i)
                .context("the entry vanished while editing")?;
            set(t, "outcome", outcome.into());
        }
    }
    for (file, mut indices) in removals {
        let (_, _, cdoc) = clients.get_mut(&file).context("client file vanished")?;
        let grants = grants_mut(cdoc)?;
        indices.sort_unstable_by(|a, b| b.cmp(a));
        for gi in indices {
            grants.remove(gi);
        }
        if grants.is_empty() {
            cdoc.remove("grants");
        }
    }
    let head = doc
        .get_mut("review")
        .and_then(Item::as_table_mut)
        .with_context(|| format!("{rel} has no [review] table"))?;
    set(head, "closed_on", date(today)?);
    set(head, "default", default.as_str().into());
    let mut files = vec![FileEdit::changed(path, rel, before, doc)];
    for (file, (p, text, d)) in clients {
        let edit = FileEdit::changed(p, file, text, d);
        // A file is listed (and written) only when the close changes it.
        if edit.before.as_deref() != Some(edit.after.as_str()) {
            files.push(edit);
        }
    }
    let line = outcomes.line();
    Ok((
        Edit {
            files,
            summary: format!("close access review `{name}`: {line}"),
            commit_message: format!("Close access review {name}: {line}"),
        },
        outcomes,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_say_what_is_wrong() {
        let f = Filter::parse("sensitivity>=high, scope=payments:*,owner!=team-x").unwrap();
        assert_eq!(f.conds.len(), 3);
        assert!(Filter::parse("").unwrap().conds.is_empty());
        for (bad, says) in [
            ("sensitivity", "no operator"),
            ("sensitivity>=huge", "not a sensitivity"),
            ("scope>=a", "takes = or != only"),
            ("color=red", "not a key a review can filter on"),
            ("scope=", "has no value"),
        ] {
            let e = Filter::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }
}
