//! Environments: names that no target is (`scope/unknown-environment`,
//! `client/unknown-environment`, `grant/unknown-environment`), grants limited to an
//! environment they cannot reach (`grant/unreachable-environment`), and the grants
//! reaching an environment checked again under its `[policy.environments.NAME]`.

use std::collections::{BTreeSet, HashSet};

use chrono::NaiveDate;

use super::{finding, About, Sink};
use crate::finding::{Finding, Subject};
use crate::registry::{Registry, Sp};
use crate::rules::{Family, Rule};

pub(super) fn check<'a>(reg: &'a Registry, sink: &mut Sink<'a>) {
    let known = reg.environments();
    let help = help(&known);
    let unknown = |list: &'a [Sp<String>]| {
        list.iter()
            .filter(|e| !known.contains(e.as_str()))
            .collect::<Vec<_>>()
    };
    for scope in reg.scopes.values() {
        sink.about(Some(About::Scope(&scope.name)));
        for e in unknown(&scope.def.exclude_environments) {
            sink.push(
                Rule::ScopeUnknownEnvironment,
                finding(
                    Rule::ScopeUnknownEnvironment,
                    format!(
                        "scope `{}` is excluded from environment `{}`, which no target is",
                        scope.name,
                        e.as_str()
                    ),
                )
                .at(scope.file, e.span(), "no target has this environment")
                .help(help.clone()),
            );
        }
    }
    for client in reg.clients.values() {
        sink.about(Some(About::Client(&client.id)));
        let listed = client.def.environments.as_deref().unwrap_or(&[]);
        let ids: Vec<&Sp<String>> = client.def.ids.keys().collect();
        for e in unknown(listed)
            .into_iter()
            .chain(ids.into_iter().filter(|e| !known.contains(e.as_str())))
        {
            sink.push(
                Rule::ClientUnknownEnvironment,
                finding(
                    Rule::ClientUnknownEnvironment,
                    format!(
                        "client `{}` names environment `{}`, which no target is",
                        client.id,
                        e.as_str()
                    ),
                )
                .at(client.file, e.span(), "no target has this environment")
                .help(help.clone()),
            );
        }
        let mut seen = std::collections::HashMap::<&str, usize>::new();
        for g in &client.grants {
            let n = seen.entry(g.scope()).or_default();
            let occurrence = *n;
            *n += 1;
            sink.about(Some(About::Grant {
                client: &client.id,
                scope: g.scope(),
                occurrence,
            }));
            let own = g.def.environments.as_deref().unwrap_or(&[]);
            for e in unknown(own) {
                sink.push(
                    Rule::GrantUnknownEnvironment,
                    finding(
                        Rule::GrantUnknownEnvironment,
                        format!(
                            "grant of `{}` to `{}` names environment `{}`, which no target is",
                            g.scope(),
                            client.id,
                            e.as_str()
                        ),
                    )
                    .at(g.file, e.span(), "no target has this environment")
                    .help(help.clone()),
                );
            }
            // The environments the grant is explicitly limited to: its own, else its
            // client's. Unlimited grants reach wherever their scope exists.
            let limited = if own.is_empty() { listed } else { own };
            for e in limited.iter().filter(|e| known.contains(e.as_str())) {
                let why = if !client.def.in_environment(e) {
                    format!("client `{}` is not in `{}`", client.id, e.as_str())
                } else if reg
                    .scopes
                    .get(g.scope())
                    .is_some_and(|s| s.def.excluded_in(e))
                {
                    format!(
                        "scope `{}` is excluded from `{}` (exclude_environments)",
                        g.scope(),
                        e.as_str()
                    )
                } else {
                    continue;
                };
                sink.push(
                    Rule::GrantUnreachableEnvironment,
                    finding(
                        Rule::GrantUnreachableEnvironment,
                        format!(
                            "grant of `{}` to `{}` is for environment `{}` but never reaches it: {why}",
                            g.scope(),
                            client.id,
                            e.as_str()
                        ),
                    )
                    .at(g.file, e.span(), "never reached")
                    .help("remove the environment from the list, or add the client to it or stop excluding the scope there"),
                );
            }
        }
    }
}

fn help(known: &BTreeSet<String>) -> String {
    if known.is_empty() {
        "the registry has no `[targets.NAME]`: an environment is a target's `environment` (or its name)".to_string()
    } else {
        format!(
            "the targets' environments are {} (`[targets.NAME] environment`, default: the target's name)",
            known
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The grant findings of each environment with a `[policy.environments.NAME]`, for the
/// grants reaching it, that its stricter policy adds to `base` (a finding of the same
/// rule about the same grant already in `base` is not repeated). Each says which
/// environment found it, and names its grant as the whole registry does.
pub(super) fn policy_findings(reg: &Registry, today: NaiveDate, base: &[Finding]) -> Vec<Finding> {
    if reg.policy.environments.is_empty() {
        return Vec::new();
    }
    let seen: HashSet<(Rule, Option<&Subject>)> =
        base.iter().map(|d| (d.rule, d.subject.as_ref())).collect();
    let mut out = Vec::new();
    for environment in reg.policy.environments.keys() {
        let view = reg.in_environment(environment);
        let mut sink = Sink::new(&view);
        super::grant::check(&view, today, &mut sink);
        for mut d in sink.out {
            if d.rule.family() != Family::Grant {
                continue;
            }
            // Only after renumbering is the subject comparable with `base`'s.
            if !in_registry(reg, environment, &mut d)
                || seen.contains(&(d.rule, d.subject.as_ref()))
            {
                continue;
            }
            out.push(d.in_environment(environment.clone()));
        }
    }
    out
}

/// Renumber a finding of the environment's `view` about a grant: its `occurrence` there
/// (its place among the client's grants reaching the environment) becomes its place among
/// all the client's grants of the scope, in the subject and in a message naming the grant
/// by its label ([`Registry::occurrence_from`]; `report --env` maps the other way). False
/// when the registry has no such grant (the view's grants are the registry's, so never).
fn in_registry(reg: &Registry, environment: &str, d: &mut Finding) -> bool {
    let Some(Subject::Grant {
        client,
        scope,
        occurrence,
    }) = &d.subject
    else {
        return true;
    };
    match reg.occurrence_from(client, scope, *occurrence, environment) {
        Some(n) => {
            d.renumber_grant(n);
            true
        }
        None => false,
    }
}
