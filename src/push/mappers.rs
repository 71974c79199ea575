//! Keycloak protocol mappers for the claims a scope releases (`claims`): what scopectl
//! wants on each of its client scopes, what it finds there, and the ops in between.
//!
//! scopectl's own mappers carry the config key [`MAPPER_MARKER`] = `"true"` (config is
//! a free-form string map that Keycloak stores and returns as written) and are named
//! `scopectl:<claim>`; only marked mappers are ever changed or deleted. A mapper without
//! the marker (made by hand, or by Keycloak) is never touched: when it releases a
//! claim the registry declares, scopectl makes no mapper of its own for it and says so
//! (a plan warning when it releases the claim as declared, a `push/unmanaged-mapper`
//! error when it does not); when it releases a claim the registry does not declare, the
//! plan warns.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{DesiredScope, FieldChange, Op, PlanError};
use crate::finding::Finding;
use crate::registry::claims::{Claim, ClaimSource, JsonType, TokenKind};
use crate::rules::Rule;

/// The config key that marks a protocol mapper as scopectl's.
pub const MAPPER_MARKER: &str = "scopectl.managed";
/// The name prefix of scopectl's mappers (`scopectl:region`).
pub const MAPPER_PREFIX: &str = "scopectl:";

/// The longest protocol mapper name Keycloak stores (`PROTOCOL_MAPPER.NAME`).
pub const MAX_MAPPER_NAME_CHARS: usize = 255;

/// Keycloak's config key for each token kind.
pub fn token_key(t: TokenKind) -> &'static str {
    match t {
        TokenKind::Access => "access.token.claim",
        TokenKind::Id => "id.token.claim",
        TokenKind::Userinfo => "userinfo.token.claim",
        TokenKind::Introspection => "introspection.token.claim",
    }
}

/// A protocol mapper as read from a client scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KcMapper {
    pub id: String,
    pub name: String,
    /// The mapper type (`oidc-usermodel-attribute-mapper`, ...).
    pub kind: String,
    pub config: BTreeMap<String, String>,
}

impl KcMapper {
    /// Read one entry of a scope's `protocolMappers`.
    pub fn from_json(m: &serde_json::Value) -> Option<KcMapper> {
        let s = |k: &str| m.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Some(KcMapper {
            id: s("id")?,
            name: s("name").unwrap_or_default(),
            kind: s("protocolMapper").unwrap_or_default(),
            config: m
                .get("config")
                .and_then(|c| c.as_object())
                .map(|c| {
                    c.iter()
                        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    pub fn marked(&self) -> bool {
        self.config.get(MAPPER_MARKER).map(String::as_str) == Some("true")
    }

    /// The claim it releases (`claim.name`), when it names one.
    pub fn claim(&self) -> Option<&str> {
        self.config
            .get("claim.name")
            .map(String::as_str)
            .filter(|c| !c.is_empty())
    }

    /// The tokens it releases into, as Keycloak reads the config: a key that is not
    /// `"true"` is off, except an absent `introspection.token.claim`, which follows the
    /// access token (mappers made before Keycloak 25).
    pub fn tokens(&self) -> Vec<TokenKind> {
        let on = |t: TokenKind| match self.config.get(token_key(t)) {
            Some(v) => v == "true",
            None if t == TokenKind::Introspection => {
                self.config
                    .get(token_key(TokenKind::Access))
                    .map(String::as_str)
                    == Some("true")
            }
            None => false,
        };
        TokenKind::ALL.into_iter().filter(|t| on(*t)).collect()
    }
}

/// The mapper scopectl wants for a claim (none for `source = "as-is"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantMapper {
    pub name: String,
    pub kind: &'static str,
    /// Every config key scopectl sets; an empty value also matches an absent key.
    pub config: BTreeMap<String, String>,
}

pub fn want(c: &Claim) -> Option<WantMapper> {
    let mut config = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        config.insert(k.to_string(), v.to_string());
    };
    let kind = match &c.source {
        ClaimSource::AsIs => return None,
        ClaimSource::Attribute { attribute } => {
            set("user.attribute", attribute);
            set("multivalued", if c.is_list() { "true" } else { "false" });
            "oidc-usermodel-attribute-mapper"
        }
        ClaimSource::Property { property } => {
            set("user.attribute", property);
            "oidc-usermodel-property-mapper"
        }
        ClaimSource::Value { value } => {
            set("claim.value", value);
            "oidc-hardcoded-claim-mapper"
        }
        ClaimSource::ClientRoles { client } => {
            set(
                "usermodel.clientRoleMapping.clientId",
                client.as_deref().unwrap_or(""),
            );
            set("multivalued", if c.is_list() { "true" } else { "false" });
            "oidc-usermodel-client-role-mapper"
        }
        ClaimSource::RealmRoles => {
            set("multivalued", if c.is_list() { "true" } else { "false" });
            "oidc-usermodel-realm-role-mapper"
        }
    };
    set("claim.name", &c.name);
    set("jsonType.label", c.json_type.label());
    for t in TokenKind::ALL {
        set(token_key(t), if c.into_token(t) { "true" } else { "false" });
    }
    set(MAPPER_MARKER, "true");
    Some(WantMapper {
        name: format!("{MAPPER_PREFIX}{}", c.name),
        kind,
        config,
    })
}

impl WantMapper {
    /// The representation scopectl writes (`id` on an update).
    pub fn representation(&self, id: Option<&str>) -> serde_json::Value {
        let mut rep = serde_json::json!({
            "name": self.name,
            "protocol": "openid-connect",
            "protocolMapper": self.kind,
            "config": self.config,
        });
        if let (Some(id), Some(obj)) = (id, rep.as_object_mut()) {
            obj.insert("id".into(), serde_json::Value::String(id.to_string()));
        }
        rep
    }

    /// What differs on `have` (name, type, each config key scopectl sets).
    pub fn changes(&self, have: &KcMapper) -> Vec<FieldChange> {
        let mut out = Vec::new();
        if have.name != self.name {
            out.push(FieldChange {
                field: "name".into(),
                from: Some(have.name.clone()),
                to: self.name.clone(),
            });
        }
        if have.kind != self.kind {
            out.push(FieldChange {
                field: "protocolMapper".into(),
                from: Some(have.kind.clone()),
                to: self.kind.to_string(),
            });
        }
        for (k, v) in &self.config {
            let got = have.config.get(k);
            if got.map(String::as_str).unwrap_or("") != v.as_str() {
                out.push(FieldChange {
                    field: k.clone(),
                    from: got.cloned(),
                    to: v.clone(),
                });
            }
        }
        out
    }

    /// Does a hand-made mapper release the claim as declared: the same type, the same
    /// value source (attribute, property, value, client) and the same tokens, as
    /// Keycloak reads them? Its name, marker and formatting keys are not asked for.
    pub fn matched_by(&self, have: &KcMapper) -> bool {
        const SOURCE_KEYS: [&str; 4] = [
            "user.attribute",
            "claim.value",
            "usermodel.clientRoleMapping.clientId",
            "claim.name",
        ];
        let wanted: Vec<TokenKind> = TokenKind::ALL
            .into_iter()
            .filter(|t| self.config.get(token_key(*t)).map(String::as_str) == Some("true"))
            .collect();
        have.kind == self.kind
            && have.tokens() == wanted
            && SOURCE_KEYS.iter().all(|k| {
                self.config.get(*k).map(String::as_str).unwrap_or("")
                    == have.config.get(*k).map(String::as_str).unwrap_or("")
            })
    }
}

/// A hand-made mapper gives the value the type and list setting the claim declares, where
/// it declares them (`json_type` other than string, `multivalued`): hand-made mappers that
/// matched a registry written before these could be declared still match it.
fn shape_matches(c: &Claim, h: &KcMapper) -> bool {
    let label = h
        .config
        .get("jsonType.label")
        .map_or("String", String::as_str);
    let list = h
        .config
        .get("multivalued")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    (c.json_type.is_string() || JsonType::from_label(label) == Some(c.json_type))
        && c.multivalued.is_none_or(|m| m == list)
}

/// What the registry's claims of one scope need on the server: ops, errors and
/// warnings. `mappers`: the scope's mappers as read (`None`: the scope is created by
/// this plan, so it has none yet).
pub fn plan_scope(
    d: &DesiredScope,
    mappers: Option<&[KcMapper]>,
    ops: &mut Vec<Op>,
    errors: &mut Vec<PlanError>,
    warnings: &mut Vec<String>,
) {
    let scope = &d.name;
    let have = mappers.unwrap_or(&[]);
    for c in &d.claims {
        let marked: Vec<&KcMapper> = have
            .iter()
            .filter(|m| m.marked() && m.claim() == Some(c.name.as_str()))
            .collect();
        let hand: Vec<&KcMapper> = have
            .iter()
            .filter(|m| !m.marked() && m.claim() == Some(c.name.as_str()))
            .collect();
        let want = want(c);
        let too_long = want
            .as_ref()
            .is_some_and(|w| w.name.chars().count() > MAX_MAPPER_NAME_CHARS);
        match (&want, hand.first()) {
            (None, _) => {}
            (Some(w), _) if too_long => errors.push(Finding::of(
                Rule::PushServerLimit,
                format!(
                    "scope `{scope}`: claim `{}` cannot be pushed: its mapper's name `{}…` \
                     would have {} characters, Keycloak stores at most \
                     {MAX_MAPPER_NAME_CHARS}; shorten the claim name",
                    c.name.chars().take(40).collect::<String>(),
                    w.name.chars().take(40).collect::<String>(),
                    w.name.chars().count()
                ),
            )),
            (Some(w), Some(h)) if w.matched_by(h) && shape_matches(c, h) => warnings.push(format!(
                "scope `{scope}`: claim `{}` is released by the hand-made protocol mapper \
                 `{}` (no `{MAPPER_MARKER}`), as the registry declares it; scopectl leaves it \
                 alone and makes no mapper of its own: delete it by hand to have scopectl \
                 manage the claim",
                c.name, h.name
            )),
            (Some(_), Some(h)) => errors.push(Finding::of(
                Rule::PushUnmanagedMapper,
                format!(
                    "scope `{scope}`: claim `{}` is released by the hand-made protocol mapper \
                     `{}` (no `{MAPPER_MARKER}`) differently from the registry ({}; the registry \
                     says {}); scopectl never changes a mapper it did not make and makes \
                     none of its own beside it: delete the hand-made mapper, or change the \
                     declaration to match it",
                    c.name,
                    h.name,
                    describe(h),
                    c.describe(),
                ),
            )),
            (Some(w), None) => match marked.first() {
                None => ops.push(Op::CreateMapper {
                    scope: scope.clone(),
                    claim: c.name.clone(),
                    source: c.source.to_string(),
                    tokens: c.tokens.iter().map(|t| t.as_str().to_string()).collect(),
                    mapper: w.name.clone(),
                }),
                Some(m) => {
                    let changes = w.changes(m);
                    if !changes.is_empty() {
                        ops.push(Op::UpdateMapper {
                            scope: scope.clone(),
                            claim: c.name.clone(),
                            mapper: m.name.clone(),
                            changes,
                        });
                    }
                }
            },
        }
        // Marked mappers beyond the one kept (or any, for an as-is claim or one a
        // hand-made mapper releases) go.
        let keep = usize::from(want.is_some() && hand.is_empty() && !too_long);
        for m in marked.iter().skip(keep) {
            ops.push(Op::DeleteMapper {
                scope: scope.clone(),
                claim: c.name.clone(),
                mapper: m.name.clone(),
            });
        }
    }
    // Marked mappers of claims the scope no longer declares.
    for m in have.iter().filter(|m| m.marked()) {
        let declared = m
            .claim()
            .is_some_and(|n| d.claims.iter().any(|c| c.name == n));
        if !declared {
            ops.push(Op::DeleteMapper {
                scope: scope.clone(),
                claim: m.claim().unwrap_or("").to_string(),
                mapper: m.name.clone(),
            });
        }
    }
    // Hand-made mappers releasing what the registry does not declare.
    for m in have.iter().filter(|m| !m.marked()) {
        let declared = m
            .claim()
            .is_some_and(|n| d.claims.iter().any(|c| c.name == n));
        if !declared {
            let what = match m.claim() {
                Some(c) => format!("claim `{c}`"),
                None => format!("what its type `{}` sets", m.kind),
            };
            warnings.push(format!(
                "scope `{scope}`: the hand-made protocol mapper `{}` releases {what}, which the \
                 registry does not declare; scopectl leaves it alone: declare the claim \
                 (`claims`, `source = \"as-is\"` when another mechanism owns it) or delete \
                 the mapper",
                m.name
            ));
        }
    }
}

/// `user attribute mapper, into access, id`: what a mapper does, for messages.
fn describe(m: &KcMapper) -> String {
    let tokens: Vec<&str> = m.tokens().iter().map(|t| t.as_str()).collect();
    format!(
        "it is a `{}` into {}",
        m.kind,
        if tokens.is_empty() {
            "no token".to_string()
        } else {
            tokens.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::claims::default_tokens;

    fn claim(name: &str, tokens: Vec<TokenKind>) -> Claim {
        Claim {
            name: name.into(),
            source: ClaimSource::Attribute {
                attribute: name.into(),
            },
            tokens,
            json_type: Default::default(),
            multivalued: None,
            span: 0..0,
        }
    }

    fn scope(claims: Vec<Claim>) -> DesiredScope {
        DesiredScope {
            name: "a:read".into(),
            description: "d".into(),
            consent_text: "d".into(),
            adopt: false,
            managed: true,
            in_token_scope: true,
            claims,
        }
    }

    fn mapper(w: &WantMapper, marked: bool) -> KcMapper {
        let mut config = w.config.clone();
        if !marked {
            config.remove(MAPPER_MARKER);
        }
        KcMapper {
            id: "m1".into(),
            name: if marked {
                w.name.clone()
            } else {
                "by hand".into()
            },
            kind: w.kind.into(),
            config,
        }
    }

    fn run(d: &DesiredScope, have: Option<&[KcMapper]>) -> (Vec<Op>, Vec<PlanError>, Vec<String>) {
        let (mut o, mut e, mut w) = (Vec::new(), Vec::new(), Vec::new());
        plan_scope(d, have, &mut o, &mut e, &mut w);
        (o, e, w)
    }

    #[test]
    fn a_new_claim_is_a_create_and_a_matching_mapper_nothing() {
        let d = scope(vec![claim("region", vec![TokenKind::Access])]);
        let (ops, errors, _) = run(&d, None);
        assert!(matches!(&ops[..], [Op::CreateMapper { claim, .. }] if claim == "region"));
        assert!(errors.is_empty());
        let w = want(&d.claims[0]).unwrap();
        assert_eq!(w.config["id.token.claim"], "false");
        assert_eq!(w.config["access.token.claim"], "true");
        let (ops, errors, warnings) = run(&d, Some(&[mapper(&w, true)]));
        assert!(ops.is_empty() && errors.is_empty() && warnings.is_empty());
    }

    #[test]
    fn an_edited_mapper_is_updated_and_an_undeclared_one_deleted() {
        let d = scope(vec![claim("region", vec![TokenKind::Access])]);
        let w = want(&d.claims[0]).unwrap();
        let mut m = mapper(&w, true);
        m.config.insert("id.token.claim".into(), "true".into());
        let (ops, _, _) = run(&d, Some(&[m.clone()]));
        match &ops[..] {
            [Op::UpdateMapper { changes, .. }] => assert_eq!(changes[0].field, "id.token.claim"),
            o => panic!("{o:?}"),
        }
        let (ops, _, _) = run(&scope(vec![]), Some(&[m]));
        assert!(matches!(&ops[..], [Op::DeleteMapper { claim, .. }] if claim == "region"));
    }

    #[test]
    fn a_claim_name_too_long_for_a_mapper_name_is_a_server_limit_error() {
        let d = scope(vec![claim(&"x".repeat(250), vec![TokenKind::Access])]);
        let (ops, errors, _) = run(&d, None);
        assert!(ops.is_empty(), "{ops:?}");
        assert_eq!(errors[0].rule, Rule::PushServerLimit);
    }

    #[test]
    fn hand_made_mappers_are_never_touched_and_always_reported() {
        let d = scope(vec![claim("region", default_tokens(true))]);
        let w = want(&d.claims[0]).unwrap();
        // As declared: a warning, no op.
        let (ops, errors, warnings) = run(&d, Some(&[mapper(&w, false)]));
        assert!(ops.is_empty() && errors.is_empty(), "{ops:?}");
        assert_eq!(warnings.len(), 1);
        // Differently: an error, no op.
        let mut h = mapper(&w, false);
        h.config.insert("access.token.claim".into(), "false".into());
        let (ops, errors, _) = run(&d, Some(&[h.clone()]));
        assert!(ops.is_empty());
        assert_eq!(errors[0].rule, Rule::PushUnmanagedMapper);
        // Undeclared: a warning, no op.
        let (ops, errors, warnings) = run(&scope(vec![]), Some(&[h]));
        assert!(ops.is_empty() && errors.is_empty());
        assert!(warnings[0].contains("does not declare"), "{warnings:?}");
    }

    #[test]
    fn a_declared_type_and_list_setting_reach_the_mapper_and_are_kept() {
        let mut c = claim("seats", vec![TokenKind::Access]);
        c.json_type = JsonType::Long;
        c.multivalued = Some(true);
        let d = scope(vec![c]);
        let w = want(&d.claims[0]).unwrap();
        assert_eq!(w.config["jsonType.label"], "long");
        assert_eq!(w.config["multivalued"], "true");
        // A mapper changed to another type is put back.
        let mut m = mapper(&w, true);
        m.config.insert("jsonType.label".into(), "String".into());
        let (ops, _, _) = run(&d, Some(&[m]));
        match &ops[..] {
            [Op::UpdateMapper { changes, .. }] => {
                assert_eq!(changes[0].field, "jsonType.label");
                assert_eq!(changes[0].to, "long");
            }
            o => panic!("{o:?}"),
        }
        // A hand-made mapper of another type does not release it as declared.
        let mut h = mapper(&w, false);
        h.config.insert("jsonType.label".into(), "String".into());
        let (_, errors, _) = run(&d, Some(&[h]));
        assert_eq!(errors[0].rule, Rule::PushUnmanagedMapper);
        assert!(
            errors[0].message.contains("as long, a list"),
            "{}",
            errors[0].message
        );
        // Undeclared, a hand-made mapper's type is not asked about (registries written
        // before types could be declared keep matching).
        let plain = scope(vec![claim("seats", vec![TokenKind::Access])]);
        let mut h = mapper(&want(&plain.claims[0]).unwrap(), false);
        h.config.insert("jsonType.label".into(), "long".into());
        let (_, errors, warnings) = run(&plain, Some(&[h]));
        assert!(errors.is_empty() && warnings.len() == 1, "{errors:?}");
    }
}
