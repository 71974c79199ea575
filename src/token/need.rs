//! The 403 question (`decode --need SCOPE`): does the token carry every scope an endpoint
//! needs, and, for a scope it lacks, is the client granted it in the registry (so it only
//! has to ask for it) or not (it needs an approved grant first)? What an endpoint needs
//! is a list of scopes, all required; API definitions can supply the same list.

use chrono::NaiveDate;
use serde::Serialize;

use crate::finding::Finding;
use crate::registry::Client;
use crate::rules::Rule;

/// One needed scope and what the token and the registry say about it.
#[derive(Debug, Clone, Serialize)]
pub struct NeedRow {
    pub scope: String,
    pub in_token: bool,
    /// Whether the registry defines the scope; `None` without a registry.
    pub defined: Option<bool>,
    /// Whether the client holds an unexpired grant of it in the registry; `None` without
    /// a registry or when the token names no client the registry knows.
    pub granted: Option<bool>,
}

/// The answer for all the needed scopes.
#[derive(Debug, Clone, Serialize)]
pub struct Need {
    /// Every needed scope is in the token.
    pub satisfied: bool,
    pub scopes: Vec<NeedRow>,
}

impl Need {
    /// The needed scopes the token lacks.
    pub fn missing(&self) -> impl Iterator<Item = &NeedRow> {
        self.scopes.iter().filter(|r| !r.in_token)
    }
}

/// Answer the need for `needed` scopes given the token's scopes and client; one
/// `token/need-missing` finding per scope the token lacks.
///
/// `defined` says whether the registry defines a scope (`None` without a registry);
/// `client` is the token's client id and `client_def` the registry client it names (see
/// [`crate::registry::Registry::client_for_token`]); `reaches` says whether one of its
/// grants reaches the token's environment (always true when that is not known).
pub fn check(
    needed: &[String],
    token_scopes: &[String],
    defined: &dyn Fn(&str) -> Option<bool>,
    client: Option<&str>,
    client_def: Option<&Client>,
    reaches: &dyn Fn(&crate::registry::Grant) -> bool,
    today: NaiveDate,
) -> (Need, Vec<Finding>) {
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for scope in needed {
        let in_token = token_scopes.iter().any(|s| s == scope);
        let granted = client_def.map(|cl| {
            cl.grants
                .iter()
                .any(|g| g.scope() == scope && !g.is_expired(today) && reaches(g))
        });
        let is_defined = defined(scope);
        if !in_token {
            let who = client.unwrap_or("the client");
            let help = match (is_defined, granted) {
                (Some(false), _) => format!(
                    "`{scope}` is not defined in the registry, so no client can hold a grant of it: check its spelling (in --need or the API's security requirement), or define it in scopes/*.toml"
                ),
                (_, Some(true)) => format!(
                    "`{who}` holds an approved grant of `{scope}`: request it (scope={scope}); if it is a default scope, check the authorization server (`scopectl drift`)"
                ),
                (_, Some(false)) => format!(
                    "`{who}` has no unexpired grant of `{scope}` in the registry: it needs an approved grant first (`scopectl grant`), then `scopectl apply`"
                ),
                (_, None) => "without a registry that knows the client, whether it may have the scope cannot be told".to_string(),
            };
            findings.push(
                Finding::error(
                    Rule::TokenNeedMissing,
                    format!("the token lacks `{scope}`, which the endpoint needs: a resource server answers 403 (insufficient_scope)"),
                )
                .help(help),
            );
        }
        rows.push(NeedRow {
            scope: scope.clone(),
            in_token,
            defined: is_defined,
            granted,
        });
    }
    let need = Need {
        satisfied: rows.iter().all(|r| r.in_token),
        scopes: rows,
    };
    (need, findings)
}
