//! `api/*` rules: what the registry's APIs (`apis/*.toml` and their OpenAPI files) need,
//! checked against the scopes and the grants. Nothing runs without a declared API.
//!
//! The rules about one scope an API needs are reported once per API and scope, at the
//! first operation that needs it, with how many other operations need it too. The rules
//! that need every API's operations (`api/dead-scope`, `api/no-audience`) stay silent when
//! an API's OpenAPI files were not read (a registry loaded from git), rather than guess.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{finding, About, Sink};
use crate::registry::openapi::Operation;
use crate::registry::Registry;
use crate::rules::Rule;

/// The operations of one API that need one scope: the first, how many, and the first and
/// how many without a step-up hint (an operation needing the scope in two alternatives
/// counts once).
struct Needing<'a> {
    first: &'a Operation,
    last: &'a Operation,
    count: usize,
    first_without_hint: Option<&'a Operation>,
    without_hint: usize,
}

impl<'a> Needing<'a> {
    fn new(op: &'a Operation) -> Self {
        Needing {
            first: op,
            last: op,
            count: 1,
            first_without_hint: (!op.step_up).then_some(op),
            without_hint: usize::from(!op.step_up),
        }
    }

    fn add(&mut self, op: &'a Operation) {
        if std::ptr::eq(self.last, op) {
            return;
        }
        self.last = op;
        self.count += 1;
        if !op.step_up {
            self.first_without_hint.get_or_insert(op);
            self.without_hint += 1;
        }
    }
}

pub(super) fn check<'a>(reg: &'a Registry, sink: &mut Sink<'a>) {
    if reg.apis.is_empty() {
        return;
    }
    let policy = &reg.policy;
    for api in reg.apis.values() {
        let mut by_scope: BTreeMap<&str, Needing> = BTreeMap::new();
        for op in &api.operations {
            for s in op.scopes() {
                by_scope
                    .entry(s.as_str())
                    .and_modify(|n| n.add(op))
                    .or_insert_with(|| Needing::new(op));
            }
        }
        for (s, needing) in &by_scope {
            let first = needing.first;
            sink.about(Some(About::Scope(s)));
            let others = |n: usize| match n {
                0 => None,
                1 => Some("1 other operation of the API needs it too".to_string()),
                n => Some(format!("{n} other operations of the API need it too")),
            };
            let where_ = |op: &Operation| {
                format!(
                    "operation `{}` of API `{}`",
                    crate::text::clean(&op.key()),
                    api.name
                )
            };
            let Some(scope) = reg.scopes.get(*s) else {
                if sink.enabled(Rule::ApiUndefinedScope) {
                    let mut d = finding(
                        Rule::ApiUndefinedScope,
                        format!(
                            "{} requires `{}`, which no scope file defines",
                            where_(first),
                            crate::text::clean(s)
                        ),
                    )
                    .at(first.file, first.span.clone(), "requires an undefined scope")
                    .note(format!("at {}", first.pointer()))
                    .help("define the scope under scopes/ (and grant it to the clients that call the operation), or fix the name in the API description");
                    if let Some(n) = others(needing.count - 1) {
                        d = d.note(n);
                    }
                    sink.push(Rule::ApiUndefinedScope, d);
                }
                continue;
            };
            let def = &scope.def;
            if def.deprecated() && sink.enabled(Rule::ApiDeprecatedScope) {
                let mut d = finding(
                    Rule::ApiDeprecatedScope,
                    format!("{} requires the deprecated scope `{s}`", where_(first)),
                )
                .at(
                    first.file,
                    first.span.clone(),
                    "requires a deprecated scope",
                )
                .also(scope.file, scope.name_span.clone(), "deprecated here");
                d = match &def.replaced_by {
                    Some(r) => d.help(format!(
                        "require `{}` instead (its replacement), or both while clients move",
                        r.get()
                    )),
                    None => d.help("require the scope that replaces it, or stop deprecating it"),
                };
                if let Some(n) = others(needing.count - 1) {
                    d = d.note(n);
                }
                sink.push(Rule::ApiDeprecatedScope, d);
            }
            let wants_step_up =
                def.step_up() || policy.step_up_sensitivities.contains(&def.sensitivity);
            if wants_step_up && sink.enabled(Rule::ApiMissingStepUp) {
                if let Some(op) = needing.first_without_hint {
                    let mut d = finding(
                        Rule::ApiMissingStepUp,
                        format!(
                            "{} needs `{s}` ({}{}) but has no step-up hint",
                            where_(op),
                            *def.sensitivity,
                            if def.step_up() { ", step_up" } else { "" }
                        ),
                    )
                    .at(op.file, op.span.clone(), "no step-up hint")
                    .also(scope.file, scope.name_span.clone(), "scope")
                    .help("mark the operation `x-scopectl-step-up: true` in the OpenAPI file (the API checks `auth_time`/`acr` before serving it), or set `step_up = true` on the API in apis/");
                    if let Some(n) = others(needing.without_hint - 1) {
                        d = d.note(n.replace("need it too", "need it without a hint too"));
                    }
                    sink.push(Rule::ApiMissingStepUp, d);
                }
            }
        }
        for d in &api.described {
            let Some(scope) = reg.scopes.get(&d.scope) else {
                continue;
            };
            let registry = scope.def.description.get();
            if d.description.trim() != registry.trim() && sink.enabled(Rule::ApiDescriptionMismatch)
            {
                sink.about(Some(About::Scope(scope.name.as_str())));
                sink.push(
                    Rule::ApiDescriptionMismatch,
                    finding(
                        Rule::ApiDescriptionMismatch,
                        format!(
                            "API `{}` describes `{}` as \"{}\"; the registry says \"{}\"",
                            api.name,
                            scope.name,
                            crate::text::clean(&d.description),
                            crate::text::clean(registry)
                        ),
                    )
                    .at(d.file, d.span.clone(), "description differs")
                    .also(scope.file, scope.def.description.span(), "the registry's")
                    .note(format!("at {}", d.pointer()))
                    .help(format!(
                        "copy the registry's map: `scopectl apis export openapi {}`",
                        api.name
                    )),
                );
            }
        }
    }
    if !reg.apis.values().all(|a| a.resolved) {
        return;
    }
    let needed: HashSet<&str> = reg.apis.values().flat_map(|a| a.needed()).collect();
    if sink.enabled(Rule::ApiDeadScope) {
        for scope in reg.scopes.values() {
            let name = scope.name.as_str();
            if needed.contains(name) {
                continue;
            }
            sink.about(Some(About::Scope(name)));
            sink.push(
                Rule::ApiDeadScope,
                finding(
                    Rule::ApiDeadScope,
                    format!("no declared API needs `{name}`"),
                )
                .at(scope.file, scope.name_span.clone(), "needed by no operation")
                .note(format!(
                    "{} API{} declared: {}",
                    reg.apis.len(),
                    if reg.apis.len() == 1 { "" } else { "s" },
                    reg.apis.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
                .help("remove the scope (and its grants), or declare the API that needs it under apis/"),
            );
        }
    }
    if sink.enabled(Rule::ApiNoAudience) {
        for client in reg.clients.values() {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for g in &client.grants {
                let scope = g.scope();
                let n = seen.entry(scope).or_insert(0);
                let occurrence = *n;
                *n += 1;
                if needed.contains(scope) || !reg.scopes.contains_key(scope) {
                    continue;
                }
                sink.about(Some(About::Grant {
                    client: client.id.as_str(),
                    scope,
                    occurrence,
                }));
                sink.push(
                    Rule::ApiNoAudience,
                    finding(
                        Rule::ApiNoAudience,
                        format!(
                            "client `{}` is granted `{scope}`, which no declared API needs: no audience accepts it",
                            client.id
                        ),
                    )
                    .at(g.file, g.span.clone(), "a grant for no API")
                    .help("revoke the grant (`scopectl revoke`), or declare the API that needs the scope under apis/"),
                );
            }
        }
    }
}
