//! `scope/*` rules: properties of scope definitions.

use std::collections::HashSet;

use super::{finding, Sink};
use crate::registry::Registry;

pub(super) fn check(reg: &Registry, sink: &mut Sink) {
    let policy = &reg.policy;
    let held: HashSet<&str> = reg
        .clients
        .values()
        .flat_map(|c| c.grants.iter().map(|g| g.scope()))
        .collect();

    for scope in reg.scopes.values() {
        let name = scope.name.as_str();
        let (file, span) = (scope.file, scope.name_span.clone());

        let broad = policy.is_broad(name)
            || name
                .rsplit_once(':')
                .is_some_and(|(_, action)| action == "*" || action.eq_ignore_ascii_case("all"));
        if broad && sink.enabled("scope/broad") {
            sink.push(
                "scope/broad",
                finding("scope/broad", format!("`{name}` is a broad scope"))
                    .at(file, span.clone(), "grants more than one resource action")
                    .help("define narrow `resource:action` scopes and grant only those a client needs"),
            );
        } else if !policy.scope_pattern.is_match(name) && sink.enabled("scope/naming") {
            sink.push(
                "scope/naming",
                finding(
                    "scope/naming",
                    format!("scope `{name}` does not match the naming pattern"),
                )
                .at(file, span.clone(), "name does not match")
                .help(format!(
                    "scope names must match `{}` (policy.scope_pattern), e.g. `orders:read`",
                    policy.scope_pattern.as_str()
                )),
            );
        }

        if !held.contains(name) && sink.enabled("scope/unused") {
            sink.push(
                "scope/unused",
                finding("scope/unused", format!("no client holds `{name}`"))
                    .at(file, span.clone(), "defined here, granted nowhere")
                    .help("remove the scope, or add a grant in clients/ when a client needs it"),
            );
        }

        let def = &scope.def;
        if policy.step_up_sensitivities.contains(&def.sensitivity)
            && !def.step_up()
            && sink.enabled("scope/sensitive-without-step-up")
        {
            let d = finding(
                "scope/sensitive-without-step-up",
                format!(
                    "`{name}` is {} but does not require step-up authentication",
                    *def.sensitivity
                ),
            )
            .at(file, def.sensitivity.span(), "sensitivity set here")
            .also(file, span.clone(), "scope")
            .help("add `step_up = true` so the scope needs fresh authentication (prompt=login / max_age)");
            sink.push("scope/sensitive-without-step-up", d);
        }

        if def.id_token() && sink.enabled("scope/pii-in-id-token") {
            for claim in &def.claims {
                if policy.pii_claims.iter().any(|p| p == claim.as_str()) {
                    sink.push(
                        "scope/pii-in-id-token",
                        finding(
                            "scope/pii-in-id-token",
                            format!(
                                "`{name}` releases the PII claim `{}` into ID tokens",
                                claim.get()
                            ),
                        )
                        .at(file, claim.span(), "personal data")
                        .help(
                            "set `id_token = false` to keep the claim out of ID tokens, or drop it",
                        ),
                    );
                }
            }
        }

        if let Some(repl) = &def.replaced_by {
            if !reg.scopes.contains_key(repl.as_str()) && sink.enabled("scope/unknown-replacement")
            {
                sink.push(
                    "scope/unknown-replacement",
                    finding(
                        "scope/unknown-replacement",
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
