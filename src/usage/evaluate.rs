//! Each grant of a registry judged against a usage [`Snapshot`]: used (when, how often,
//! how sure), unused (with complete evidence only), or not evaluable with the reason; and
//! the `usage/*` findings of `lint --usage` and `report --usage`.
//!
//! Absence is claimed only when it is proven: every token event type that could have shown
//! the grant was stored for the whole window, by a source whose stored types are known,
//! and the scope is in the token's `scope` claim. A client seen only with the client
//! credentials grant needs every token event type but `REFRESH_TOKEN` (so that any other
//! grant it used would have shown: `CLIENT_LOGIN` alone cannot tell it from a client that
//! also logs users in); any other client (or one never seen) needs every token event type,
//! `REFRESH_TOKEN` included (Keycloak does not store it by default), since it may have
//! used the scope only through refreshed tokens.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Proof, Snapshot, SourceKind, Window, TOKEN_EVENT_TYPES};
use crate::finding::Finding;
use crate::lint::{finding, About, Sink};
use crate::registry::{GrantType, Registry};
use crate::rules::{Family, Rule};

/// What the evidence says about one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    /// A token carried it in the window.
    Used,
    /// No token carried it, and the evidence could have shown it.
    Unused,
    /// An optional grant its client never asked for while it obtained other tokens.
    NeverRequested,
    /// Not seen, but the evidence could not have shown it: `reason` says why.
    NotEvaluable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How sure a conclusion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Confidence {
    /// The server's own records (events, with its stored types read from it) or verified tokens.
    High,
    /// Event files whose stored types were declared (`--stored-types`), not read.
    Medium,
    /// Unverified token samples only.
    Low,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One grant and its usage.
#[derive(Debug, Clone, Serialize)]
pub struct GrantUsage {
    pub client: String,
    pub scope: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub occurrence: usize,
    pub status: Status,
    /// The last token that carried it (also when that was before the window).
    pub last_used: Option<DateTime<Utc>>,
    /// Tokens that carried it in the snapshot.
    pub count: u64,
    pub proof: Option<Proof>,
    /// How sure `status` is (`null` when not evaluable).
    pub confidence: Option<Confidence>,
    /// The evidence behind the status, in one line.
    pub evidence: String,
    /// Why the grant is not evaluable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The grants of a registry judged against a snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The window judged (the snapshot's, or its last `--usage-window`).
    pub window: Window,
    /// Every grant, in registry order (clients by id, grants in file order).
    pub grants: Vec<GrantUsage>,
    /// Scopes granted to some client that no token carried, with complete evidence for
    /// every grant.
    pub unused_scopes: Vec<String>,
    /// (client, scope, tokens, last seen) the server issued without a grant in the
    /// registry (OpenID Connect and Keycloak built-in scopes left out).
    pub ungranted: Vec<(String, String, u64, DateTime<Utc>)>,
}

impl Evaluation {
    /// Grants by status.
    pub fn count(&self, status: Status) -> usize {
        self.grants.iter().filter(|g| g.status == status).count()
    }

    /// The usage of one grant.
    pub fn of(&self, client: &str, scope: &str, occurrence: usize) -> Option<&GrantUsage> {
        self.grants
            .iter()
            .find(|g| g.client == client && g.scope == scope && g.occurrence == occurrence)
    }
}

/// Whether the snapshot can show absence of the token event `types` over `w`: `Ok` with how
/// sure, or why not.
fn coverage(snap: &Snapshot, types: &[&str], w: Window) -> Result<(Confidence, String), String> {
    let events: Vec<_> = snap
        .sources
        .iter()
        .filter(|s| s.kind != SourceKind::Tokens)
        .collect();
    if events.is_empty() {
        return Err(
            "the snapshot holds only token samples, which show what was used, not what was not"
                .into(),
        );
    }
    let mut spans: Vec<(Window, &super::Source)> = events
        .iter()
        .filter_map(|s| s.covers(types).map(|w| (w, *s)))
        .collect();
    if spans.is_empty() {
        let known: Vec<_> = events.iter().filter(|s| s.stored_types.is_some()).collect();
        if known.is_empty() {
            return Err(format!(
                "which event types {} holds is not known (give --stored-types when the file holds every event of those types)",
                events.iter().map(|s| format!("`{}`", s.name)).collect::<Vec<_>>().join(", ")
            ));
        }
        let s = known[0];
        let stored = s.stored_types.clone().unwrap_or_default();
        let missing: Vec<&str> = types
            .iter()
            .copied()
            .filter(|t| !stored.iter().any(|x| x == t))
            .collect();
        if missing.is_empty() {
            return Err(format!(
                "{} showed no token event at all, so how far back its stored events reach is not known",
                s.name
            ));
        }
        let why = if missing.contains(&"REFRESH_TOKEN") {
            ": a client that only refreshes its tokens would not show"
        } else {
            ": tokens the client obtained through them would not show"
        };
        return Err(format!(
            "{} events are not stored by {} (it stores {}){why}",
            missing.join(", "),
            s.name,
            if stored.is_empty() {
                "no token events".to_string()
            } else {
                stored.join(", ")
            }
        ));
    }
    spans.sort_by_key(|(w, _)| w.from);
    let mut reached = w.from;
    for (span, _) in &spans {
        if span.from > reached {
            break;
        }
        reached = reached.max(span.to);
    }
    if reached < w.to {
        let start = spans[0].0.from;
        let expiry = spans
            .iter()
            .filter_map(|(_, s)| s.realm_events.as_ref()?.expiration_seconds)
            .min()
            .map(|secs| format!(" (the realm deletes events after {})", length(secs as i64)))
            .unwrap_or_default();
        return Err(if start > w.from {
            format!(
                "the stored events reach back only to {} ({} of the {} window){expiry}: older events are gone or were never stored",
                start.format("%Y-%m-%d %H:%M:%SZ"),
                length((w.to - start).num_seconds()),
                length((w.to - w.from).num_seconds())
            )
        } else {
            format!(
                "no stored events cover {} to {} of the window",
                reached.format("%Y-%m-%d %H:%M:%SZ"),
                w.to.format("%Y-%m-%d %H:%M:%SZ")
            )
        });
    }
    let declared = spans.iter().any(|(_, s)| s.kind != SourceKind::Keycloak);
    let names: Vec<String> = spans
        .iter()
        .map(|(_, s)| {
            format!(
                "{} ({} token event(s), the oldest {})",
                s.name,
                s.counted,
                s.oldest_event
                    .map(|o| o.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            )
        })
        .collect();
    Ok((
        if declared {
            Confidence::Medium
        } else {
            Confidence::High
        },
        format!(
            "{} events {} for the whole window: {}",
            types.join(", "),
            if declared {
                "declared stored"
            } else {
                "stored"
            },
            names.join("; ")
        ),
    ))
}

/// A length of time for a message: `90 days`, `5 hours`, `12 minutes`.
pub fn length(seconds: i64) -> String {
    match seconds {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3_600 => format!("{} hours", s / 3_600),
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{} seconds", s.max(0)),
    }
}

/// The window for a message: dates for long windows, times for short ones.
pub fn span(w: Window) -> String {
    let long = w.to - w.from >= chrono::Duration::days(2);
    let at = |t: DateTime<Utc>| {
        if long {
            t.format("%Y-%m-%d").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M:%SZ").to_string()
        }
    };
    format!(
        "between {} and {} ({})",
        at(w.from),
        at(w.to),
        length((w.to - w.from).num_seconds())
    )
}

fn day(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

/// `2026-11-25 12:00:00Z`, written directly: this is formatted for every used grant, and
/// chrono's `format` parses its pattern on every call.
fn stamp(t: DateTime<Utc>) -> String {
    use chrono::Timelike;
    format!(
        "{} {:02}:{:02}:{:02}Z",
        day(t),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Judge every grant of `registry` against `snap`, over the snapshot's window or its last
/// `last` (`--usage-window`).
pub fn evaluate(
    registry: &Registry,
    snap: &Snapshot,
    last: Option<chrono::Duration>,
) -> Evaluation {
    // The window ends where the event sources end (token samples may run later).
    let to = snap
        .sources
        .iter()
        .filter(|s| s.kind != SourceKind::Tokens)
        .map(|s| s.window.to)
        .max()
        .unwrap_or(snap.window.to);
    let from = match last {
        Some(d) => to - d,
        None => snap.window.from,
    };
    let w = Window { from, to };
    let all: Vec<&str> = TOKEN_EVENT_TYPES.iter().map(|(t, _)| *t).collect();
    // A client seen only with client credentials is judged on every token event type but
    // REFRESH_TOKEN (Keycloak's default set): with only CLIENT_LOGIN stored, every client
    // looks client-credentials-only, its authorization-code or token-exchange tokens unseen.
    let cc = super::STORED_BY_DEFAULT;
    let cover_all = coverage(snap, &all, w);
    let cover_cc = coverage(snap, cc, w);
    let mut grants = Vec::new();
    for client in registry.clients.values() {
        // The server knows the client by its client_id in each environment
        // (`[client.ids]`): its uses under every one of them count.
        let mut ids: Vec<&str> = std::iter::once(client.id.as_str())
            .chain(client.def.ids.values().map(|v| v.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let uses: Vec<&super::ClientUse> =
            ids.iter().filter_map(|id| snap.clients.get(*id)).collect();
        let merged: Option<std::borrow::Cow<super::ClientUse>> = match uses.as_slice() {
            [] => None,
            [one] => Some(std::borrow::Cow::Borrowed(*one)),
            [first, rest @ ..] => {
                let mut all = (*first).clone();
                for other in rest {
                    all.absorb((*other).clone());
                }
                Some(std::borrow::Cow::Owned(all))
            }
        };
        let seen = merged.as_deref();
        let active = seen.filter(|c| c.last_seen >= w.from);
        let only_cc = seen.is_some_and(|c| {
            !c.grant_types.is_empty() && c.grant_types.iter().all(|g| g == "client_credentials")
        });
        let mut occurrences: HashMap<&str, usize> = HashMap::new();
        for g in &client.grants {
            let scope = g.scope();
            let n = occurrences.entry(scope).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let used = seen.and_then(|c| c.scopes.get(scope));
            let mut row = GrantUsage {
                client: client.id.clone(),
                scope: scope.to_string(),
                occurrence,
                status: Status::NotEvaluable,
                last_used: used.map(|u| u.last_seen),
                count: used.map_or(0, |u| u.count),
                proof: used.map(|u| u.proof),
                confidence: None,
                evidence: String::new(),
                reason: None,
            };
            if let Some(u) = used.filter(|u| u.last_seen >= w.from) {
                row.status = Status::Used;
                let (confidence, how) = match u.proof {
                    Proof::Event => (Confidence::High, "the server's token events"),
                    Proof::VerifiedToken => (Confidence::High, "token samples with verified signatures"),
                    Proof::UnverifiedToken => (
                        Confidence::Low,
                        "token samples whose signatures were NOT verified (a forged or replayed sample would count)",
                    ),
                };
                row.confidence = Some(confidence);
                row.evidence = format!(
                    "last used {} ({} token(s) since {}), from {how}",
                    stamp(u.last_seen),
                    u.count,
                    day(u.first_seen)
                );
                grants.push(row);
                continue;
            }
            let before = used
                .map(|u| format!("; last used {}, before the window", day(u.last_seen)))
                .unwrap_or_default();
            let in_claim = registry
                .scopes
                .get(scope)
                .is_none_or(|s| s.def.in_token_scope())
                && !snap.not_in_token_scope.contains(scope);
            let cover = if only_cc { &cover_cc } else { &cover_all };
            match (in_claim, cover) {
                (false, _) => {
                    row.reason = Some(format!(
                        "`{scope}` is kept out of the token's scope claim (in_token_scope = false / include.in.token.scope off), so tokens never show it"
                    ));
                }
                (true, Err(why)) => row.reason = Some(format!("{why}{before}")),
                (true, Ok(_)) if g.def.kind() == GrantType::Default && active.is_some() => {
                    // Every token of the client carries a default scope that is in the
                    // claim: one that never shows is kept out of the claim, not linked,
                    // or dropped for a role the client lacks; not unused.
                    row.reason = Some(format!(
                        "`{scope}` is a default scope of a client that obtained {} token(s), yet none carried it in its scope claim: the server keeps it out of the claim (include.in.token.scope off), does not link it (`scopectl drift`), or drops it for a role the client lacks{before}",
                        active.map_or(0, |c| c.tokens)
                    ));
                }
                (true, Ok((confidence, how))) => {
                    row.confidence = Some(*confidence);
                    let optional_asked = g.def.kind() == GrantType::Optional && active.is_some();
                    row.status = if optional_asked {
                        Status::NeverRequested
                    } else {
                        Status::Unused
                    };
                    row.evidence = match (optional_asked, active) {
                        (true, Some(c)) => format!(
                            "never requested in {} token(s) the client obtained; {how}{before}",
                            c.tokens
                        ),
                        _ => format!("no token carried it; {how}{before}"),
                    };
                }
            }
            if row.status == Status::NotEvaluable {
                row.evidence = format!(
                    "not seen, not evaluable: {}",
                    row.reason.as_deref().unwrap_or("")
                );
            }
            grants.push(row);
        }
    }
    // Scopes: used by anyone in the window, or every grant evaluably unused.
    let mut by_scope: BTreeMap<&str, (bool, bool)> = BTreeMap::new(); // (any used, all unused)
    for g in &grants {
        let e = by_scope.entry(g.scope.as_str()).or_insert((false, true));
        e.0 |= g.status == Status::Used;
        e.1 &= matches!(g.status, Status::Unused | Status::NeverRequested);
    }
    let used_anywhere: HashSet<&str> = snap
        .clients
        .values()
        .flat_map(|c| c.scopes.iter())
        .filter(|(_, u)| u.last_seen >= w.from)
        .map(|(s, _)| s.as_str())
        .collect();
    let unused_scopes = by_scope
        .into_iter()
        .filter(|(s, (used, all_unused))| {
            !used && *all_unused && registry.scopes.contains_key(*s) && !used_anywhere.contains(s)
        })
        .map(|(s, _)| s.to_string())
        .collect();
    let mut ungranted = Vec::new();
    for (client, c) in &snap.clients {
        // Most clients hold a handful of grants: compared in place rather than hashed per
        // pair; a client with many is hashed once, so the time stays linear.
        let grants = registry
            .client_for_token(client, None)
            .map_or(&[][..], |(rc, _)| &rc.grants[..]);
        let many: Option<HashSet<&str>> =
            (grants.len() > 16).then(|| grants.iter().map(|g| g.scope()).collect());
        let granted = |scope: &str| match &many {
            Some(set) => set.contains(scope),
            None => grants.iter().any(|g| g.scope() == scope),
        };
        for (scope, u) in &c.scopes {
            if u.last_seen < w.from || granted(scope) || super::is_server_scope(scope) {
                continue;
            }
            ungranted.push((client.clone(), scope.clone(), u.count, u.last_seen));
        }
    }
    Evaluation {
        window: w,
        grants,
        unused_scopes,
        ungranted,
    }
}

/// The `usage/*` findings of `registry` against `snap` as of `today` (for accepted-risk
/// exceptions): `[rules]` levels applied, exceptions of the usage rules applied (their own
/// findings included), sorted.
pub fn check(
    registry: &Registry,
    snap: &Snapshot,
    last: Option<chrono::Duration>,
    today: chrono::NaiveDate,
) -> (Evaluation, Vec<Finding>) {
    let eval = evaluate(registry, snap, last);
    let mut sink = Sink::new(registry);
    let w = eval.window;
    let span = span(w);
    let mut i = 0;
    for client in registry.clients.values() {
        for g in &client.grants {
            let Some(u) = eval.grants.get(i) else { break };
            i += 1;
            let (rule, message, help) = match u.status {
                Status::Used => continue,
                Status::Unused => (
                    Rule::UsageUnusedGrant,
                    format!("`{}` did not use its grant of `{}` {span}", u.client, u.scope),
                    format!(
                        "revoke it (`scopectl revoke {} {} --why \"unused since …\"`), or accept it with an [[exceptions]] entry",
                        u.client, u.scope
                    ),
                ),
                Status::NeverRequested => (
                    Rule::UsageOptionalNeverRequested,
                    format!(
                        "`{}` never requested its optional scope `{}` {span}, while it obtained other tokens",
                        u.client, u.scope
                    ),
                    "revoke the grant if the client does not need it".to_string(),
                ),
                Status::NotEvaluable => (
                    Rule::UsageNotEvaluable,
                    format!(
                        "whether `{}` uses `{}` is not evaluable: {}",
                        u.client,
                        u.scope,
                        u.reason.as_deref().unwrap_or("")
                    ),
                    "store every token event type for the whole window (Realm settings → Events → User events settings), or judge a shorter --usage-window".to_string(),
                ),
            };
            sink.about(Some(About::Grant {
                client: &client.id,
                scope: g.scope(),
                occurrence: u.occurrence,
            }));
            let mut f = finding(rule, message)
                .at(g.file, g.def.scope.span(), u.status.as_str())
                .help(help);
            if let Some(c) = u.confidence {
                f = f.note(format!("confidence {}: {}", c.as_str(), u.evidence));
            }
            sink.push(rule, f);
        }
    }
    let mut holders_of: HashMap<&str, usize> = HashMap::new();
    if !eval.unused_scopes.is_empty() {
        for g in &eval.grants {
            *holders_of.entry(g.scope.as_str()).or_insert(0) += 1;
        }
    }
    for scope in &eval.unused_scopes {
        let Some(s) = registry.scopes.get(scope) else {
            continue;
        };
        sink.about(Some(About::Scope(scope)));
        let holders = holders_of.get(scope.as_str()).copied().unwrap_or(0);
        sink.push(
            Rule::UsageUnusedScope,
            finding(
                Rule::UsageUnusedScope,
                format!("no client used `{scope}` {span}: {holders} grant(s), none used"),
            )
            .at(s.file, s.name_span.clone(), "unused")
            .help("revoke its grants and deprecate it (`scopectl scope deprecate`)"),
        );
    }
    for (client, scope, count, last) in &eval.ungranted {
        let c = registry.client_for_token(client, None).map(|(c, _)| c);
        sink.about(Some(About::Grant {
            client,
            scope,
            occurrence: 0,
        }));
        let mut f = finding(
            Rule::UsageUngrantedScope,
            format!(
                "the server issued `{scope}` to `{client}` ({count} token(s), the last on {}), but {}",
                last.format("%Y-%m-%d %H:%M:%SZ"),
                if c.is_some() {
                    "the registry does not grant it".to_string()
                } else {
                    format!("`{client}` has no registry file")
                }
            ),
        )
        .help("remove the link on the server (`scopectl apply`), or grant it with an approval");
        if let Some(c) = c {
            f = f.at(c.file, c.span.clone(), "client defined here");
        }
        sink.push(Rule::UsageUngrantedScope, f);
    }
    let mut out = sink.out;
    let about = crate::registry::exceptions::apply(registry, today, &mut out, &[Family::Usage]);
    out.extend(about);
    crate::finding::sort(&mut out, &registry.files);
    (eval, out)
}

#[cfg(test)]
mod format_tests {
    use chrono::TimeZone;

    #[test]
    fn stamp_and_day_match_chronos_format() {
        for t in [
            chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            chrono::Utc
                .with_ymd_and_hms(999, 12, 31, 23, 59, 59)
                .unwrap(),
        ] {
            assert_eq!(super::stamp(t), t.format("%Y-%m-%d %H:%M:%SZ").to_string());
            assert_eq!(super::day(t), t.format("%Y-%m-%d").to_string());
        }
    }
}
