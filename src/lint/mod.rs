//! `scopectl lint`: the rules, their stable ids and default levels, and the check that
//! runs them over a loaded [`Registry`].
//!
//! Rules come in four families, one file each: `scope/*` ([`scope`]), `grant/*`
//! ([`grant`]), `client/*` ([`client`]) and `review/*` ([`review`]); the environment
//! rules of the first three families, and the grants checked again under each
//! environment's policy, are in [`environment`]. Each finding is a [`Finding`] whose
//! severity comes from the rule's level, overridden per rule in `scopectl.toml`.

mod api;
mod approval;
mod client;
mod environment;
pub mod expiring;
mod grant;
pub use grant::import_debt;
mod review;
mod scope;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::finding::{Finding, Severity, Subject};
use crate::registry::Registry;
use crate::rules::{self, Family, Level, Rule};

/// The `[rules]` levels of a registry's policy file, by rule (the loader refuses unknown
/// and non-configurable ids, so none is lost here).
pub fn level_overrides(registry: &Registry) -> HashMap<Rule, Level> {
    registry
        .policy_file
        .as_ref()
        .map(|(_, pf)| {
            pf.rules
                .iter()
                .filter_map(|(id, level)| Some((Rule::from_id(id.as_str())?, **level)))
                .collect()
        })
        .unwrap_or_default()
}

/// Apply `[rules]` levels to token findings (`decode`): `allow` drops a finding, `warn`
/// and `deny` set its severity. Rules the catalog marks not configurable keep their level.
pub fn apply_token_overrides(findings: &mut Vec<Finding>, overrides: &HashMap<Rule, Level>) {
    if overrides.is_empty() {
        return;
    }
    findings.retain_mut(|d| {
        if !d.rule.configurable() {
            return true;
        }
        match overrides.get(&d.rule).map(|l| l.severity()) {
            None => true,
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = severity;
                true
            }
        }
    });
}

/// The lint rules: the `scope/*`, `grant/*`, `client/*`, `review/*` and `usage/*`
/// families of the catalog (`usage/*` run only with a usage snapshot: `lint --usage`).
pub fn rules() -> impl Iterator<Item = Rule> {
    rules::ALL.iter().copied().filter(|r| {
        matches!(
            r.family(),
            Family::Scope
                | Family::Grant
                | Family::Client
                | Family::Review
                | Family::Usage
                | Family::Api
        )
    })
}

/// Collects findings, applying each rule's level.
pub(crate) struct Sink<'a> {
    overrides: HashMap<Rule, Level>,
    /// The scope, client or grant the rules are looking at: attached to what they find
    /// (borrowed: it becomes an owned [`Subject`] only when a finding is recorded).
    subject: Option<About<'a>>,
    pub(crate) out: Vec<Finding>,
}

/// What the rules are looking at, borrowed from the registry.
#[derive(Clone, Copy)]
pub(crate) enum About<'a> {
    Scope(&'a str),
    Client(&'a str),
    Grant {
        client: &'a str,
        scope: &'a str,
        occurrence: usize,
    },
}

impl About<'_> {
    fn subject(self) -> Subject {
        match self {
            About::Scope(scope) => Subject::Scope {
                scope: scope.to_string(),
            },
            About::Client(client) => Subject::Client {
                client: client.to_string(),
            },
            About::Grant {
                client,
                scope,
                occurrence,
            } => Subject::Grant {
                client: client.to_string(),
                scope: scope.to_string(),
                occurrence,
            },
        }
    }
}

impl<'a> Sink<'a> {
    pub(crate) fn new(registry: &Registry) -> Self {
        Sink {
            overrides: level_overrides(registry),
            subject: None,
            out: Vec::new(),
        }
    }

    /// Findings pushed from now on are about `subject` (unless they name their own).
    pub(crate) fn about(&mut self, subject: Option<About<'a>>) {
        self.subject = subject;
    }

    pub(crate) fn enabled(&self, rule: Rule) -> bool {
        rule.effective_level(&self.overrides) != Level::Allow
    }

    /// Record a finding of `rule`; `d` is built with any severity, replaced here by the
    /// rule's effective level.
    pub(crate) fn push(&mut self, rule: Rule, mut d: Finding) {
        let Some(severity) = rule.effective_level(&self.overrides).severity() else {
            return;
        };
        d.rule = rule;
        d.severity = severity;
        if d.subject.is_none() {
            d.subject = self.subject.map(About::subject);
        }
        self.out.push(d);
    }
}

/// Build a finding for `rule` (severity is set by the sink).
pub(crate) fn finding(rule: Rule, message: impl Into<String>) -> Finding {
    Finding::new(rule, Severity::Error, message)
}

/// Run every enabled rule over the registry. `today` decides what is expired.
pub fn check(registry: &Registry, today: NaiveDate) -> Vec<Finding> {
    let mut sink = Sink::new(registry);
    scope::check(registry, &mut sink);
    sink.about(None);
    grant::check(registry, today, &mut sink);
    sink.about(None);
    client::check(registry, today, &mut sink);
    sink.about(None);
    review::check(registry, today, &mut sink);
    sink.about(None);
    environment::check(registry, &mut sink);
    sink.about(None);
    api::check(registry, &mut sink);
    sink.about(None);
    let mut out = sink.out;
    let per_environment = environment::policy_findings(registry, today, &out);
    out.extend(per_environment);
    let about_exceptions = crate::registry::exceptions::apply(
        registry,
        today,
        &mut out,
        &[
            Family::Scope,
            Family::Grant,
            Family::Client,
            Family::Review,
            Family::Api,
        ],
    );
    out.extend(about_exceptions);
    crate::finding::sort(&mut out, &registry.files);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_rules_are_the_configurable_lint_families() {
        assert_eq!(rules().count(), 50);
        assert!(rules().all(Rule::configurable));
    }
}
