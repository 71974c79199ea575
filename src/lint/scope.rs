//! `scope/*` rules: properties of scope definitions.

use std::collections::HashSet;

use super::{finding, About, Sink};
use crate::registry::claims::{self, ClaimSource, TokenKind};
use crate::registry::Registry;
use crate::rules::Rule;

pub(super) fn check<'a>(reg: &'a Registry, sink: &mut Sink<'a>) {
    claim_sources(reg, sink);
    let policy = &reg.policy;
    let held: HashSet<&str> = reg
        .clients
        .values()
        .flat_map(|c| c.grants.iter().map(|g| g.scope()))
        .collect();

    for scope in reg.scopes.values() {
        let name = scope.name.as_str();
        sink.about(Some(About::Scope(name)));
        let (file, span) = (scope.file, scope.name_span.clone());

        let broad = policy.is_broad(name)
            || name
                .rsplit_once(':')
                .is_some_and(|(_, action)| action == "*" || action.eq_ignore_ascii_case("all"));
        if broad && sink.enabled(Rule::ScopeBroad) {
            sink.push(
                Rule::ScopeBroad,
                finding(Rule::ScopeBroad, format!("`{name}` is a broad scope"))
                    .at(file, span.clone(), "grants more than one resource action")
                    .help("define narrow `resource:action` scopes and grant only those a client needs"),
            );
        } else if !policy.scope_pattern.is_match(name) && sink.enabled(Rule::ScopeNaming) {
            sink.push(
                Rule::ScopeNaming,
                finding(
                    Rule::ScopeNaming,
                    format!("scope `{name}` does not match the naming pattern"),
                )
                .at(file, span.clone(), "name does not match")
                .help(format!(
                    "scope names must match `{}` (policy.scope_pattern), e.g. `orders:read`",
                    policy.scope_pattern.as_str()
                )),
            );
        }

        if !held.contains(name) && sink.enabled(Rule::ScopeUnused) {
            sink.push(
                Rule::ScopeUnused,
                finding(Rule::ScopeUnused, format!("no client holds `{name}`"))
                    .at(file, span.clone(), "defined here, granted nowhere")
                    .help("remove the scope, or add a grant in clients/ when a client needs it"),
            );
        }

        let def = &scope.def;
        if policy.step_up_sensitivities.contains(&def.sensitivity)
            && !def.step_up()
            && sink.enabled(Rule::ScopeSensitiveWithoutStepUp)
        {
            let d = finding(
                Rule::ScopeSensitiveWithoutStepUp,
                format!(
                    "`{name}` is {} but does not require step-up authentication",
                    *def.sensitivity
                ),
            )
            .at(file, def.sensitivity.span(), "sensitivity set here")
            .also(file, span.clone(), "scope")
            .help("add `step_up = true` so the scope needs fresh authentication (prompt=login / max_age)");
            sink.push(Rule::ScopeSensitiveWithoutStepUp, d);
        }

        if sink.enabled(Rule::ScopePiiInIdToken) {
            for claim in def.claim_list() {
                if claim.into_token(TokenKind::Id) && policy.pii_claims.contains(&claim.name) {
                    sink.push(
                        Rule::ScopePiiInIdToken,
                        finding(
                            Rule::ScopePiiInIdToken,
                            format!(
                                "`{name}` releases the PII claim `{}` into ID tokens",
                                claim.name
                            ),
                        )
                        .at(file, claim.span.clone(), "personal data")
                        .help(
                            "set `id_token = false` (or the claim's `tokens` without \"id\") to keep it out of ID tokens, or drop it",
                        ),
                    );
                }
            }
        }

        if sink.enabled(Rule::ScopeRegisteredClaim) {
            for claim in def.claim_list() {
                let top = claims::top_level(&claim.name);
                if claim.source != ClaimSource::AsIs
                    && claims::REGISTERED_CLAIMS.contains(&top.as_str())
                {
                    sink.push(
                        Rule::ScopeRegisteredClaim,
                        finding(
                            Rule::ScopeRegisteredClaim,
                            format!(
                                "`{name}` releases the claim `{}`, a registered JWT claim the protocol sets",
                                crate::text::clean(&claim.name)
                            ),
                        )
                        .at(file, claim.span.clone(), "registered claim name")
                        .help("rename the claim (`tenant_region`, not `aud`); a mapper that sets it overrides what the server puts there, and resource servers trust it; `source = \"as-is\"` only documents it"),
                    );
                }
            }
        }

        if let Some(repl) = &def.replaced_by {
            if !reg.scopes.contains_key(repl.as_str())
                && sink.enabled(Rule::ScopeUnknownReplacement)
            {
                sink.push(
                    Rule::ScopeUnknownReplacement,
                    finding(
                        Rule::ScopeUnknownReplacement,
                        format!(
                            "`{name}` is replaced by `{}`, which is not defined",
                            repl.get()
                        ),
                    )
                    .at(file, repl.span(), "undefined scope")
                    .help("define the replacement scope or fix the name"),
                );
            }
        }
    }
}

/// `scope/claim-source-conflict`: one claim name released by two scopes from different
/// sources (`as-is` claims say nothing about the source and are left out). One finding
/// per later scope, pointing at the first one.
fn claim_sources<'a>(reg: &'a Registry, sink: &mut Sink<'a>) {
    if !sink.enabled(Rule::ScopeClaimSourceConflict) {
        return;
    }
    let mut first: std::collections::HashMap<
        String,
        (
            &str,
            ClaimSource,
            crate::finding::FileId,
            std::ops::Range<usize>,
        ),
    > = std::collections::HashMap::new();
    for scope in reg.scopes.values() {
        for claim in scope.def.claim_list() {
            if claim.source == ClaimSource::AsIs {
                continue;
            }
            match first.get(&claim.name) {
                None => {
                    first.insert(
                        claim.name.clone(),
                        (
                            scope.name.as_str(),
                            claim.source.clone(),
                            scope.file,
                            claim.span.clone(),
                        ),
                    );
                }
                Some((other, source, file, span)) if *source != claim.source => {
                    sink.about(Some(About::Scope(scope.name.as_str())));
                    sink.push(
                        Rule::ScopeClaimSourceConflict,
                        finding(
                            Rule::ScopeClaimSourceConflict,
                            format!(
                                "`{}` releases the claim `{}` from {}, and `{other}` releases it from {source}",
                                scope.name,
                                crate::text::clean(&claim.name),
                                claim.source
                            ),
                        )
                        .at(scope.file, claim.span.clone(), "one source here")
                        .also(*file, span.clone(), "another source here")
                        .help("a token holding both scopes carries whichever mapper runs last: give the claims different names, or one source"),
                    );
                }
                Some(_) => {}
            }
        }
    }
}
