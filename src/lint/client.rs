//! `client/*` rules: properties of a client as a whole.

use chrono::NaiveDate;

use super::{finding, About, Sink};
use crate::registry::claims::TokenKind;
use crate::registry::{Client, Registry};
use crate::rules::Rule;

/// Estimated size in bytes of an `Authorization: Bearer <JWT>` header for a token that
/// carries `scope_claim`: an RS256 JWS whose payload is `token_base_size` bytes of other
/// claims plus the scope claim, base64url-encoded.
pub fn estimated_header_bytes(scope_claim_len: u64, token_base_size: u64) -> u64 {
    const PREFIX: u64 = "Authorization: Bearer ".len() as u64;
    const JWS_HEADER_B64: u64 = 100; // {"alg":"RS256","typ":"JWT","kid":"…"}
    const RS256_SIGNATURE_B64: u64 = 342;
    let payload = token_base_size + "\"scope\":\"\",".len() as u64 + scope_claim_len;
    PREFIX + JWS_HEADER_B64 + 1 + payload.div_ceil(3) * 4 + 1 + RS256_SIGNATURE_B64
}

/// The space-separated scope claim a client's token can carry at most: every unexpired
/// grant, default and optional (a client may request all its optional scopes at once).
pub fn widest_scope_claim(reg: &Registry, client: &Client, today: NaiveDate) -> String {
    let mut scopes: Vec<&str> = reg
        .active_grants(client, today)
        .map(|g| g.scope())
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes.join(" ")
}

pub(super) fn check<'a>(reg: &'a Registry, today: NaiveDate, sink: &mut Sink<'a>) {
    for client in reg.clients.values() {
        sink.about(Some(About::Client(&client.id)));
        let id_span = client.def.id.span();
        if client
            .def
            .owner
            .as_ref()
            .is_none_or(|o| o.trim().is_empty())
        {
            sink.push(
                Rule::ClientNoOwner,
                finding(
                    Rule::ClientNoOwner,
                    format!("client `{}` has no owner", client.id),
                )
                .at(client.file, id_span.clone(), "no `owner` in [client]")
                .help("add `owner = \"team-...\"`: access reviews need someone accountable"),
            );
        }
        if let Some(owner) = client.def.owner.as_ref().filter(|o| !o.trim().is_empty()) {
            let people = &reg.people;
            if people.declared() && people.team(owner).is_none() && !people.is_person(owner) {
                sink.push(
                    Rule::ClientUnknownOwner,
                    finding(
                        Rule::ClientUnknownOwner,
                        format!(
                            "client `{}` is owned by `{}`, which is neither a declared team nor a member of one",
                            client.id,
                            crate::text::clean(owner)
                        ),
                    )
                    .at(client.file, owner.span(), "unknown owner")
                    .help("declare the team ([teams.NAME] with `members`), or correct the name: self-approval is checked against the owner team's members"),
                );
            }
        }
        if client.def.third_party.as_ref().is_some_and(|t| **t)
            && sink.enabled(Rule::ClientPiiToThirdParty)
        {
            let mut seen = std::collections::BTreeSet::new();
            for g in reg.active_grants(client, today) {
                let Some(scope) = reg.scopes.get(g.scope()) else {
                    continue;
                };
                if !seen.insert(g.scope()) {
                    continue;
                }
                let pii: Vec<String> = scope
                    .def
                    .claim_list()
                    .into_iter()
                    .filter(|c| c.into_token(TokenKind::Access))
                    .filter(|c| reg.policy.pii_claims.contains(&c.name))
                    .map(|c| format!("`{}`", crate::text::clean(&c.name)))
                    .collect();
                if pii.is_empty() {
                    continue;
                }
                sink.push(
                    Rule::ClientPiiToThirdParty,
                    finding(
                        Rule::ClientPiiToThirdParty,
                        format!(
                            "third-party client `{}` is granted `{}`, which releases the PII claim(s) {} into its access tokens",
                            client.id,
                            g.scope(),
                            pii.join(", ")
                        ),
                    )
                    .at(client.file, g.def.scope.span(), "grant")
                    .also(scope.file, scope.name_span.clone(), "scope releasing PII")
                    .help("keep the claims out of the scope's access tokens (the claim's `tokens`), grant a scope without them, or accept the risk with an exception"),
                );
            }
        }
        if sink.enabled(Rule::ClientHeaderBudget) {
            let claim = widest_scope_claim(reg, client, today);
            let size = estimated_header_bytes(claim.len() as u64, reg.policy.token_base_size);
            if size > reg.policy.header_budget {
                sink.push(
                    Rule::ClientHeaderBudget,
                    finding(
                        Rule::ClientHeaderBudget,
                        format!(
                            "tokens of `{}` would need a header of about {size} bytes, over the budget of {} bytes",
                            client.id, reg.policy.header_budget
                        ),
                    )
                    .at(client.file, id_span.clone(), "client")
                    .note(format!(
                        "{} scopes, {} bytes in the `scope` claim",
                        claim.split(' ').filter(|s| !s.is_empty()).count(),
                        claim.len()
                    ))
                    .help("split the client, or replace many narrow grants with fewer scopes; servers answer HTTP 431 past their header limit"),
                );
            }
        }
    }
}
