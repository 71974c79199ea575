//! `scopectl lint`: the rules, their stable ids and default levels, and the check that
//! runs them over a loaded [`Registry`].
//!
//! Rules come in three families, one file each: `scope/*` ([`scope`]), `grant/*`
//! ([`grant`]) and `client/*` ([`client`]). Each finding is a [`Diagnostic`] whose
//! severity comes from the rule's level, overridden per rule in `scopectl.toml`.

mod client;
mod grant;
mod scope;

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::diag::{Diagnostic, Level, Severity};
use crate::registry::Registry;

/// A lint rule: a stable id, its default level and a one-line explanation.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub level: Level,
    pub summary: &'static str,
}

const fn rule_def(id: &'static str, level: Level, summary: &'static str) -> Rule {
    Rule { id, level, summary }
}

/// Every rule. Ids are stable: they appear in `scopectl.toml`, CI logs and SARIF.
pub const RULES: &[Rule] = &[
    rule_def(
        "scope/naming",
        Level::Deny,
        "Scope name does not match the policy's naming pattern (resource:action).",
    ),
    rule_def(
        "scope/broad",
        Level::Deny,
        "Scope is a wildcard or a broad name the policy forbids (admin, *, all, ...).",
    ),
    rule_def(
        "scope/unused",
        Level::Warn,
        "Scope is defined but no client holds a grant for it.",
    ),
    rule_def(
        "scope/sensitive-without-step-up",
        Level::Warn,
        "High or critical scope does not require step-up authentication.",
    ),
    rule_def(
        "scope/pii-in-id-token",
        Level::Warn,
        "Scope releases claims the policy counts as PII into ID tokens.",
    ),
    rule_def(
        "scope/unknown-replacement",
        Level::Deny,
        "`replaced_by` names a scope that is not defined.",
    ),
    rule_def(
        "grant/undefined-scope",
        Level::Deny,
        "Grant of a scope that no scope file defines.",
    ),
    rule_def(
        "grant/duplicate",
        Level::Deny,
        "Client holds the same scope in two grants.",
    ),
    rule_def(
        "grant/missing-justification",
        Level::Deny,
        "Grant has no justification.",
    ),
    rule_def(
        "grant/missing-approver",
        Level::Deny,
        "Grant has no approver (policy require_approver).",
    ),
    rule_def(
        "grant/missing-approval-date",
        Level::Warn,
        "Grant has no approved_on date, so its lifetime cannot be checked.",
    ),
    rule_def(
        "grant/self-approval",
        Level::Deny,
        "Grant approved by the client's own owner (four-eyes principle).",
    ),
    rule_def(
        "grant/missing-expiry",
        Level::Deny,
        "Grant has no expiry date: standing access.",
    ),
    rule_def(
        "grant/expired",
        Level::Deny,
        "Grant expired; remove it or renew it with a new approval.",
    ),
    rule_def(
        "grant/expiring",
        Level::Warn,
        "Grant expires within the policy's warning window.",
    ),
    rule_def(
        "grant/lifetime",
        Level::Deny,
        "Grant lasts longer than the policy's max_grant_lifetime or the scope's max_grant.",
    ),
    rule_def(
        "grant/expires-before-approval",
        Level::Deny,
        "Grant expires before it was approved.",
    ),
    rule_def(
        "grant/approved-in-future",
        Level::Warn,
        "Grant's approval date is in the future.",
    ),
    rule_def(
        "grant/deprecated-scope",
        Level::Warn,
        "Grant of a deprecated scope.",
    ),
    rule_def(
        "client/no-owner",
        Level::Warn,
        "Client has no accountable owner.",
    ),
    rule_def(
        "client/header-budget",
        Level::Deny,
        "Client's scopes would overflow the token header budget (HTTP 431).",
    ),
];

/// Look a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Token findings whose level `[rules]` cannot change: they decide whether a token is
/// genuine at all (and exit code 2 for an unusable key).
pub const FIXED_TOKEN_RULES: &[&str] = &[
    "token/alg-none",
    "token/alg-confusion",
    "token/signature-invalid",
    "token/key-mismatch",
    "token/key-unusable",
    "token/crit-unsupported",
    "token/duplicate-claim",
];

/// Is `id` a rule `[rules]` may name: a lint rule or a `decode` (token) rule?
pub fn is_known_rule(id: &str) -> bool {
    rule(id).is_some()
        || crate::token::findings::TOKEN_RULES
            .iter()
            .any(|r| r.id == id)
}

/// The `[rules]` levels of a registry's policy file, by rule id.
pub fn level_overrides(registry: &Registry) -> HashMap<String, Level> {
    registry
        .policy_file
        .as_ref()
        .map(|(_, pf)| {
            pf.rules
                .iter()
                .map(|(id, level)| (id.get().clone(), **level))
                .collect()
        })
        .unwrap_or_default()
}

/// Apply `[rules]` levels to token findings (`decode`): `allow` drops a finding, `warn`
/// and `deny` set its severity. [`FIXED_TOKEN_RULES`] keep their level.
pub fn apply_token_overrides(findings: &mut Vec<Diagnostic>, overrides: &HashMap<String, Level>) {
    if overrides.is_empty() {
        return;
    }
    findings.retain_mut(|d| {
        if FIXED_TOKEN_RULES.contains(&d.code.as_str()) {
            return true;
        }
        match overrides.get(&d.code).map(|l| l.severity()) {
            None => true,
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = severity;
                true
            }
        }
    });
}

/// The rule id closest to a misspelt one, for "did you mean".
pub fn closest_rule(id: &str) -> Option<&'static str> {
    RULES
        .iter()
        .map(|r| r.id)
        .chain(crate::token::findings::TOKEN_RULES.iter().map(|r| r.id))
        .map(|r| (strsim(id, r), r))
        .filter(|(d, _)| *d <= 4)
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id)
}

/// Levenshtein distance, small inputs only.
fn strsim(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Collects findings, applying each rule's level.
pub(crate) struct Sink {
    levels: HashMap<&'static str, Level>,
    pub(crate) out: Vec<Diagnostic>,
}

impl Sink {
    fn new(registry: &Registry) -> Self {
        let mut levels: HashMap<&'static str, Level> =
            RULES.iter().map(|r| (r.id, r.level)).collect();
        for (id, level) in level_overrides(registry) {
            if let Some(r) = rule(&id) {
                levels.insert(r.id, level);
            }
        }
        Sink {
            levels,
            out: Vec::new(),
        }
    }

    pub(crate) fn enabled(&self, id: &str) -> bool {
        self.levels.get(id).is_some_and(|l| *l != Level::Allow)
    }

    /// Record a finding of rule `id`; `d` is built with any severity, replaced here.
    pub(crate) fn push(&mut self, id: &'static str, mut d: Diagnostic) {
        let Some(severity) = self.levels.get(id).and_then(|l| l.severity()) else {
            return;
        };
        d.code = id.to_string();
        d.severity = severity;
        self.out.push(d);
    }
}

/// Build a finding for rule `id` (severity is set by the sink).
pub(crate) fn finding(id: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(id, Severity::Error, message)
}

/// Run every enabled rule over the registry. `today` decides what is expired.
pub fn check(registry: &Registry, today: NaiveDate) -> Vec<Diagnostic> {
    let mut sink = Sink::new(registry);
    scope::check(registry, &mut sink);
    grant::check(registry, today, &mut sink);
    client::check(registry, today, &mut sink);
    let mut out = sink.out;
    crate::diag::sort(&mut out, &registry.files);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '/'),
                "{} is not kebab-case",
                r.id
            );
            assert!(r.summary.ends_with('.'), "{} summary", r.id);
        }
    }

    #[test]
    fn closest_rule_suggests_near_misses() {
        assert_eq!(closest_rule("grant/expird"), Some("grant/expired"));
        assert_eq!(closest_rule("nothing-like-it"), None);
    }
}
