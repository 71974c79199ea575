//! The 403 question at an operation (`decode --endpoint "POST /payments/42" [--api NAME]`):
//! which API and operation of the registry the request is, what the token needs there
//! (the API's audience, the scopes of one alternative of the operation's security
//! requirement, fresh authentication when the operation carries a step-up hint), and
//! whether the token has it. The scopes go through [`super::need`], the same answer as
//! `--need`; the audience becomes the expected `aud` (unless `--aud` is given).

use serde::Serialize;

use crate::registry::apis::{parse_operation, Api};
use crate::registry::openapi::Operation;
use crate::registry::Registry;

/// The operation a request resolves to.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub api: &'a Api,
    pub operation: &'a Operation,
}

/// What `--endpoint` answered, for the renderers.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointAnswer {
    pub api: String,
    pub audience: String,
    /// The operation as the API declares it: `POST /payments/{id}`.
    pub operation: String,
    /// The security requirement: alternatives (any one suffices), each all needed.
    pub requirements: Vec<Vec<String>>,
    /// The index of the alternative checked: the first the token satisfies, else the one
    /// it lacks the fewest scopes of.
    pub checked: usize,
    /// The operation asks for fresh authentication (a step-up hint).
    pub step_up: bool,
    /// `yes`, `no` or `unknown` (the signature was not verified).
    pub accepted: &'static str,
    /// Why not, as rule ids (`token/aud-mismatch`, `token/need-missing`, ...).
    pub because: Vec<String>,
}

impl Target<'_> {
    /// `--aud` if given, else the API's audience.
    pub fn expected_aud(&self, given: &[String]) -> Vec<String> {
        if given.is_empty() {
            vec![self.api.def.audience.get().clone()]
        } else {
            given.to_vec()
        }
    }

    /// The alternative to check for a token carrying `scopes`.
    pub fn choose(&self, scopes: &[String]) -> usize {
        let missing = |alt: &Vec<String>| alt.iter().filter(|s| !scopes.contains(s)).count();
        self.operation
            .requirements
            .iter()
            .enumerate()
            .min_by_key(|(i, alt)| (missing(alt), *i))
            .map(|(i, _)| i)
            .unwrap_or(0)
    }
}

/// Resolve `endpoint` (`METHOD /path`, a concrete path or a template; a full URL's
/// scheme, host and query are dropped) to an operation of `api` or, without it, of the one
/// API that has a matching operation (several: the one whose audience is in `token_aud`).
/// `Ok(None)` when no endpoint was asked; `Err` says why it cannot be answered.
pub fn resolve<'a>(
    registry: Option<&'a Registry>,
    endpoint: Option<&str>,
    api: Option<&str>,
    token_aud: &[String],
) -> Result<Option<Target<'a>>, String> {
    let Some(endpoint) = endpoint else {
        return Ok(None);
    };
    let Some(registry) = registry.filter(|r| !r.apis.is_empty()) else {
        return Err("--endpoint needs a registry with APIs (`[apis.NAME]` in apis/*.toml); pass --registry PATH".into());
    };
    let (method, path) = split_endpoint(endpoint).ok_or_else(|| {
        format!(
            "`{}` is not an endpoint like \"POST /payments/42\"",
            crate::text::clean(endpoint)
        )
    })?;
    let apis: Vec<&Api> = match api {
        Some(name) => vec![registry.apis.get(name).ok_or_else(|| {
            format!(
                "no API `{}` in the registry; it has: {}",
                crate::text::clean(name),
                registry.apis.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?],
        None => registry.apis.values().collect(),
    };
    let mut found: Vec<Target<'a>> = apis
        .iter()
        .filter_map(|a| best_match(a, method, &path).map(|operation| Target { api: a, operation }))
        .collect();
    if found.len() > 1 {
        let by_aud: Vec<Target<'a>> = found
            .iter()
            .copied()
            .filter(|t| token_aud.iter().any(|a| a == t.api.def.audience.get()))
            .collect();
        if by_aud.len() == 1 {
            found = by_aud;
        }
    }
    match found.as_slice() {
        [one] => Ok(Some(*one)),
        [] => {
            let unresolved: Vec<&str> = apis
                .iter()
                .filter(|a| !a.resolved)
                .map(|a| a.name.as_str())
                .collect();
            let mut msg = format!(
                "no operation of {} matches `{method} {}`",
                match api {
                    Some(a) => format!("API `{}`", crate::text::clean(a)),
                    None => "any API of the registry".into(),
                },
                crate::text::clean(&path)
            );
            if !unresolved.is_empty() {
                msg.push_str(&format!(
                    " (the OpenAPI files of {} could not be read)",
                    unresolved.join(", ")
                ));
            }
            let same_method: Vec<String> = apis
                .iter()
                .flat_map(|a| a.operations.iter())
                .filter(|o| o.method == method)
                .take(5)
                .map(|o| o.key())
                .collect();
            if !same_method.is_empty() {
                msg.push_str(&format!("; {method} operations: {}", same_method.join(", ")));
            }
            Err(msg)
        }
        many => Err(format!(
            "`{method} {}` matches an operation of several APIs ({}) and the token's `aud` does not choose one; pass --api NAME",
            crate::text::clean(&path),
            many.iter().map(|t| t.api.name.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// For one decoded token: the target of `--endpoint` (see [`resolve`]; its `aud` chooses
/// among APIs) and the audiences to expect (`--aud`, else the API's).
pub fn for_token<'a>(
    registry: Option<&'a Registry>,
    decoded: Option<&super::Decoded>,
    (endpoint, api): (Option<&str>, Option<&str>),
    given_aud: &[String],
) -> Result<(Option<Target<'a>>, Vec<String>), String> {
    let token_aud = decoded.map(super::Decoded::audiences).unwrap_or_default();
    let target = resolve(registry, endpoint, api, &token_aud)?;
    let aud = target.map_or_else(|| given_aud.to_vec(), |t| t.expected_aud(given_aud));
    Ok((target, aud))
}

/// `POST https://api.example.com/v1/payments/42?x=1` as (`POST`, `/v1/payments/42`).
fn split_endpoint(endpoint: &str) -> Option<(&'static str, String)> {
    let (method, rest) = endpoint.trim().split_once(char::is_whitespace)?;
    let mut path = rest.trim();
    if let Some((_, after)) = path.split_once("://") {
        path = after.find('/').map(|i| &after[i..]).unwrap_or("/");
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    parse_operation(&format!("{method} {path}"))
}

/// The operation of `api` matching `path`: exact template first, then the one with the
/// most literal segments; also with a `servers` base path taken off.
fn best_match<'a>(api: &'a Api, method: &str, path: &str) -> Option<&'a Operation> {
    let mut candidates: Vec<&str> = vec![path];
    for base in &api.base_paths {
        if let Some(rest) = path.strip_prefix(base.as_str()) {
            if rest.starts_with('/') {
                candidates.push(rest);
            }
        }
    }
    candidates.iter().find_map(|p| {
        api.operations
            .iter()
            .filter(|o| o.method == method)
            .filter_map(|o| template_score(&o.path, p).map(|s| (s, o)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, o)| o)
    })
}

/// How well the template matches the concrete path: `None` when it does not; else the
/// number of literal characters matched (concrete paths win over templates).
pub fn template_score(template: &str, path: &str) -> Option<usize> {
    let t: Vec<&str> = template.trim_end_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut score = 0;
    for (ts, ps) in t.iter().zip(&p) {
        score += segment_match(ts, ps)?;
    }
    Some(score)
}

/// One segment: literal text with `{param}` parts, each matching one or more characters.
fn segment_match(template: &str, segment: &str) -> Option<usize> {
    if !template.contains('{') {
        return (template == segment).then_some(template.len() + 1);
    }
    // Literal pieces between the parameters, matched in order.
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        pieces.push(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        rest = &rest[close + 1..];
    }
    let last = rest;
    let first = pieces.first().copied().unwrap_or("");
    let mut s = segment.strip_prefix(first)?;
    let literal = pieces.iter().map(|p| p.len()).sum::<usize>() + last.len();
    for piece in pieces.iter().skip(1) {
        // A parameter (at least one character), then the piece.
        let i = s.get(1..)?.find(piece)? + 1;
        s = &s[i + piece.len()..];
    }
    let s = s.strip_suffix(last)?;
    (!s.is_empty()).then_some(literal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_concrete_paths() {
        assert!(template_score("/payments/{id}", "/payments/42").is_some());
        assert!(template_score("/payments/{id}", "/payments/").is_none());
        assert!(template_score("/payments/{id}", "/payments/42/refund").is_none());
        assert!(template_score("/files/{name}.json", "/files/a.json").is_some());
        assert!(template_score("/files/{name}.json", "/files/a.xml").is_none());
        assert!(template_score("/a/{x}-{y}", "/a/1-2").is_some());
        let exact = template_score("/payments/latest", "/payments/latest");
        let templ = template_score("/payments/{id}", "/payments/latest");
        assert!(exact > templ);
    }

    #[test]
    fn endpoints_drop_host_and_query() {
        assert_eq!(
            split_endpoint("post https://api.example.com/v1/payments?x=1"),
            Some(("POST", "/v1/payments".into()))
        );
        assert_eq!(split_endpoint("FETCH /x"), None);
        assert_eq!(split_endpoint("/x"), None);
    }
}
