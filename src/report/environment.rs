//! `report --env ENV`: the report of one environment counts and lists only what is in it.
//!
//! [`build`](super::build) reads the registry as the environment sees it
//! ([`Registry::in_environment`]: its clients, the grants reaching it, the review entries
//! about them, its policy). That view keeps every scope, so that references to a scope
//! excluded there (`replaced_by`, an API's operations) still resolve; [`Within`] leaves
//! out what the view cannot: the scopes excluded there and the findings about them, the
//! findings of the history (numbered in the whole registry) about grants that do not reach
//! the environment, scopes issued in another environment (usage), and exceptions about
//! what is not there.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::finding::{Finding, Subject};
use crate::registry::{Registry, Sp};
use crate::rules::{Family, Rule};

/// One environment of a registry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Within<'a> {
    /// The whole registry.
    pub(super) registry: &'a Registry,
    pub(super) environment: &'a str,
}

impl Within<'_> {
    /// The registry as the environment sees it ([`Registry::in_environment`]).
    pub(super) fn view(&self) -> Registry {
        self.registry.in_environment(self.environment)
    }

    /// `[policy]` applies in every environment, and what `[policy.environments.NAME]`
    /// sets only adds to it; but the view's policy replaces an `approval.SENSITIVITY` rule
    /// with the environment's. As `lint` does, the grants of `view` are checked under
    /// `[policy]` as well, and the grant findings the environment's policy did not make (by
    /// rule and subject) join `findings`.
    pub(super) fn base_policy_findings(
        &self,
        view: &Registry,
        today: NaiveDate,
        findings: &mut Vec<Finding>,
    ) {
        if !self
            .registry
            .policy
            .environments
            .contains_key(self.environment)
        {
            return; // the view's policy is `[policy]`
        }
        let mut base = view.clone();
        base.policy = self.registry.policy.clone();
        base.policy.environments = Default::default();
        let seen: HashSet<(Rule, Option<Subject>)> = findings
            .iter()
            .map(|f| (f.rule, f.subject.clone()))
            .collect();
        let more: Vec<Finding> = crate::lint::check(&base, today)
            .into_iter()
            .filter(|f| f.rule.family() == Family::Grant)
            .filter(|f| !seen.contains(&(f.rule, f.subject.clone())))
            .collect();
        if !more.is_empty() {
            findings.extend(more);
            crate::finding::sort(findings, &view.files);
        }
    }

    /// Is the scope `name` in the environment (not excluded there)? A scope no file
    /// defines is wherever its grants are.
    pub(super) fn scope(&self, name: &str) -> bool {
        !self
            .registry
            .scopes
            .get(name)
            .is_some_and(|s| s.def.excluded_in(self.environment))
    }

    /// The lint findings of `view` (the environment's view of the registry) that are about
    /// the environment: not those about a scope excluded there, about a scope the server
    /// issued in another environment, or about an exception that covers only what is not
    /// there.
    pub(super) fn retain_lint(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| match (&f.subject, f.rule) {
            (Some(Subject::Scope { scope }), _) => self.scope(scope),
            (Some(Subject::Grant { client, scope, .. }), Rule::UsageUngrantedScope) => {
                self.ungranted(client, scope)
            }
            (_, rule) if rule.family() == Family::Exception => !self.exception_elsewhere(f),
            _ => true,
        });
    }

    /// Is `scope`, issued to the client_id `client` without a grant in the environment's
    /// view, drift in the environment? A usage snapshot is not split by environment: the
    /// use is counted here when the client_id is the client's own in this environment
    /// (`[client.ids]`), or when no environment grants it (a client_id the registry does
    /// not know, or a client in this environment without any grant of the scope). A
    /// client_id of another environment, or a scope the client holds in another
    /// environment, was (or may have been) issued there.
    pub(super) fn ungranted(&self, client: &str, scope: &str) -> bool {
        match self.registry.client_for_token(client, None) {
            None => true,
            Some((c, Some(env))) => {
                env == self.environment
                    && !c.grants.iter().any(|g| {
                        g.scope() == scope && self.registry.grant_reaches(c, g, self.environment)
                    })
            }
            Some((c, None)) => {
                c.def.in_environment(self.environment)
                    && !c.grants.iter().any(|g| g.scope() == scope)
            }
        }
    }

    /// Is the `exception/*` finding `f` about an `[[exceptions]]` entry that covers only
    /// what is not in the environment: a client not in it, a scope excluded there, or a
    /// client's grants of a scope none of which reaches it?
    fn exception_elsewhere(&self, f: &Finding) -> bool {
        let Some((file, pf)) = &self.registry.policy_file else {
            return false;
        };
        let Some(at) = f.primary.as_ref().filter(|l| l.file == *file) else {
            return false;
        };
        let Some(e) = pf.exceptions.iter().find(|e| {
            let span = e.span();
            span.start <= at.span.start && at.span.end <= span.end
        }) else {
            return false;
        };
        let name = |v: &Option<Sp<String>>| v.as_ref().map(|s| s.get().clone());
        let (client, scope) = (name(&e.client), name(&e.scope));
        if scope.as_deref().is_some_and(|s| !self.scope(s)) {
            return true;
        }
        let Some(c) = client.as_deref().and_then(|c| self.registry.clients.get(c)) else {
            return false;
        };
        if !c.def.in_environment(self.environment) {
            return true;
        }
        let Some(scope) = scope else {
            return false;
        };
        let mut held = c.grants.iter().filter(|g| g.scope() == scope).peekable();
        held.peek().is_some() && !held.any(|g| self.registry.grant_reaches(c, g, self.environment))
    }

    /// The findings of the history (made on the whole registry) as the environment's view
    /// `view` sees them: a grant's `occurrence` becomes its place among the client's grants
    /// reaching the environment, and findings about a grant that does not reach it, a scope
    /// excluded there, a client not in it, or a review campaign with no entry about it are
    /// left out. A subject the registry no longer has (a campaign removed after its close)
    /// stays: nothing says it was not about the environment.
    pub(super) fn history(&self, view: &Registry, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| {
                let keep = match &mut f.subject {
                    Some(Subject::Grant {
                        client,
                        scope,
                        occurrence,
                    }) => match self.registry.occurrence_in(
                        client,
                        scope,
                        *occurrence,
                        self.environment,
                    ) {
                        None => false,
                        Some(n) => {
                            f.renumber_grant(n);
                            true
                        }
                    },
                    Some(Subject::Scope { scope }) => self.scope(scope),
                    Some(Subject::Client { client }) => {
                        view.clients.contains_key(client.as_str())
                            || !self.registry.clients.contains_key(client.as_str())
                    }
                    Some(Subject::Review { review }) => {
                        view.reviews.contains_key(review.as_str())
                            || !self.registry.reviews.contains_key(review.as_str())
                    }
                    _ => true,
                };
                keep.then_some(f)
            })
            .collect()
    }
}
