//! The claims a scope releases (`claims` in a scope definition): the two ways to write
//! one, and what each means once resolved.
//!
//! ```toml
//! claims = [
//!   "tenant",                                                  # the short form
//!   { name = "region", attribute = "sensor_region", tokens = ["access"] },
//!   { name = "tier", source = "value", value = "gold" },
//!   { name = "groups", source = "realm-roles", tokens = ["access", "introspection"] },
//!   { name = "org_id", source = "as-is" },                     # set by another mechanism
//! ]
//! ```
//!
//! The short form keeps its meaning from before the table form existed: the user
//! attribute of the same name, into the access token, the ID token (unless the scope's
//! `id_token = false`), userinfo and introspection, as Keycloak's user-attribute mapper
//! does by default.

use std::fmt;
use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::types::Sp;

/// JWT claims with a protocol meaning (RFC 7519 §4.1, RFC 8693 §4, RFC 9068 §2.2,
/// OpenID Connect Core §2, RFC 7800, Keycloak's `typ`): a scope's mapper must not set
/// them (`scope/registered-claim`), and `decode` never counts them outside the contract.
pub const REGISTERED_CLAIMS: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "scope",
    "client_id",
    "azp",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "at_hash",
    "c_hash",
    "s_hash",
    "sid",
    "cnf",
    "act",
    "may_act",
    "typ",
];

/// Where a claim's value comes from.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SourceKind {
    /// A user attribute (`attribute`, default: the claim's name).
    #[default]
    Attribute,
    /// A user property (`property`: `email`, `username`, `firstName`, ...; default: the
    /// claim's name).
    Property,
    /// A fixed value (`value`).
    Value,
    /// The user's roles of a client (`client`, default: every client's).
    ClientRoles,
    /// The user's realm roles.
    RealmRoles,
    /// Set by another mechanism (the server itself, a script, a hand-made mapper): part
    /// of the contract, but scopectl makes no mapper for it.
    AsIs,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The JSON type a mapper gives a claim's value (Keycloak's `jsonType.label`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum JsonType {
    /// A string (Keycloak's default, `String`).
    #[default]
    String,
    /// A 64-bit integer (`long`).
    Long,
    /// A 32-bit integer (`int`).
    Int,
    /// `true` or `false` (`boolean`).
    Boolean,
    /// A JSON value parsed from the text (`JSON`).
    Json,
}

impl JsonType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn is_string(&self) -> bool {
        *self == JsonType::String
    }

    /// Keycloak's `jsonType.label`.
    pub fn label(self) -> &'static str {
        match self {
            JsonType::String => "String",
            JsonType::Long => "long",
            JsonType::Int => "int",
            JsonType::Boolean => "boolean",
            JsonType::Json => "JSON",
        }
    }

    /// From Keycloak's `jsonType.label` (any case); `None` for a label scopectl does not
    /// know.
    pub fn from_label(label: &str) -> Option<JsonType> {
        [
            JsonType::String,
            JsonType::Long,
            JsonType::Int,
            JsonType::Boolean,
            JsonType::Json,
        ]
        .into_iter()
        .find(|t| t.label().eq_ignore_ascii_case(label.trim()))
    }
}

/// A token (or answer) a claim can be released into.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TokenKind {
    /// The access token.
    Access,
    /// The ID token.
    Id,
    /// The userinfo endpoint's answer.
    Userinfo,
    /// The token introspection endpoint's answer.
    Introspection,
}

impl TokenKind {
    pub const ALL: [TokenKind; 4] = [
        TokenKind::Access,
        TokenKind::Id,
        TokenKind::Userinfo,
        TokenKind::Introspection,
    ];
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One entry of `claims`: a claim name, or a table saying where the value comes from
/// and which tokens get it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ClaimDecl {
    /// `"tenant"`: the user attribute `tenant`, into every token (the ID token as the
    /// scope's `id_token` says).
    Name(String),
    /// `{ name = "region", attribute = "sensor_region", tokens = ["access"] }`.
    Table(Box<ClaimTable>),
}

/// The table form of a claim.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimTable {
    /// The claim's name in the token (a `.` nests it, as Keycloak does: `address.city`).
    pub name: Sp<String>,
    /// Where the value comes from: `attribute` (default), `property`, `value`,
    /// `client-roles`, `realm-roles` or `as-is` (another mechanism sets it; no mapper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Sp<SourceKind>>,
    /// With `source = "attribute"` (the default): the user attribute (default: `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<Sp<String>>,
    /// With `source = "property"`: the user property (default: `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<Sp<String>>,
    /// With `source = "value"` (required there): the fixed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Sp<String>>,
    /// With `source = "client-roles"`: the client whose roles (default: every client's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Sp<String>>,
    /// Which tokens get the claim: `access`, `id`, `userinfo`, `introspection`. Default:
    /// all four, without `id` when the scope says `id_token = false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<Sp<TokenKind>>>,
    /// The JSON type of the value (Keycloak's `jsonType.label`): `string` (default),
    /// `long`, `int`, `boolean` or `json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_type: Option<Sp<JsonType>>,
    /// Whether the value is a list (Keycloak's `multivalued`). Default: a single value for
    /// a user attribute, a list for roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multivalued: Option<Sp<bool>>,
}

impl<'de> Deserialize<'de> for ClaimDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ClaimDecl;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a claim name or a table such as { name = \"region\", tokens = [\"access\"] }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ClaimDecl, E> {
                Ok(ClaimDecl::Name(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ClaimDecl, E> {
                Ok(ClaimDecl::Name(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ClaimDecl, A::Error> {
                // The map stays the TOML deserializer's, so the table's values keep
                // their positions.
                ClaimTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|t| ClaimDecl::Table(Box::new(t)))
            }
        }
        d.deserialize_any(V)
    }
}

impl ClaimDecl {
    /// The claim's name in the token.
    pub fn name(&self) -> &str {
        match self {
            ClaimDecl::Name(n) => n,
            ClaimDecl::Table(t) => t.name.as_str(),
        }
    }
}

/// Where a resolved claim's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum ClaimSource {
    Attribute { attribute: String },
    Property { property: String },
    Value { value: String },
    ClientRoles { client: Option<String> },
    RealmRoles,
    AsIs,
}

impl ClaimSource {
    pub fn kind(&self) -> SourceKind {
        match self {
            ClaimSource::Attribute { .. } => SourceKind::Attribute,
            ClaimSource::Property { .. } => SourceKind::Property,
            ClaimSource::Value { .. } => SourceKind::Value,
            ClaimSource::ClientRoles { .. } => SourceKind::ClientRoles,
            ClaimSource::RealmRoles => SourceKind::RealmRoles,
            ClaimSource::AsIs => SourceKind::AsIs,
        }
    }
}

impl fmt::Display for ClaimSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClaimSource::Attribute { attribute } => write!(f, "user attribute `{attribute}`"),
            ClaimSource::Property { property } => write!(f, "user property `{property}`"),
            ClaimSource::Value { value } => write!(f, "the value {value:?}"),
            ClaimSource::ClientRoles { client: Some(c) } => write!(f, "client roles of `{c}`"),
            ClaimSource::ClientRoles { client: None } => f.write_str("client roles"),
            ClaimSource::RealmRoles => f.write_str("realm roles"),
            ClaimSource::AsIs => f.write_str("as is (no mapper)"),
        }
    }
}

/// A claim as the scope releases it, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub name: String,
    #[serde(flatten)]
    pub source: ClaimSource,
    /// The tokens it goes into, in [`TokenKind::ALL`] order, without repeats.
    pub tokens: Vec<TokenKind>,
    /// The JSON type of its value.
    #[serde(skip_serializing_if = "JsonType::is_string")]
    pub json_type: JsonType,
    /// `multivalued` as declared (`None`: the source's default, [`Claim::is_list`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multivalued: Option<bool>,
    /// Where it is written in the scope file.
    #[serde(skip)]
    pub span: Range<usize>,
}

impl Claim {
    pub fn into_token(&self, t: TokenKind) -> bool {
        self.tokens.contains(&t)
    }

    /// `access, id` (the tokens, comma-separated).
    pub fn tokens_text(&self) -> String {
        self.tokens
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Is this the short form's meaning (so a plain name says it all)?
    pub fn is_default(&self, id_token: bool) -> bool {
        self.source
            == ClaimSource::Attribute {
                attribute: self.name.clone(),
            }
            && self.tokens == default_tokens(id_token)
            && self.json_type.is_string()
            && self.multivalued.is_none()
    }

    /// Is the value a list: as declared, else a list for roles and a single value for
    /// anything else.
    pub fn is_list(&self) -> bool {
        self.multivalued.unwrap_or(matches!(
            self.source,
            ClaimSource::ClientRoles { .. } | ClaimSource::RealmRoles
        ))
    }

    /// `user attribute `tier` into access, id`, with `, as long` and `, a list` /
    /// `, a single value` when the type or `multivalued` is declared.
    pub fn describe(&self) -> String {
        let mut s = format!("{} into {}", self.source, self.tokens_text());
        if !self.json_type.is_string() {
            s.push_str(&format!(", as {}", self.json_type.as_str()));
        }
        match self.multivalued {
            Some(true) => s.push_str(", a list"),
            Some(false) => s.push_str(", a single value"),
            None => {}
        }
        s
    }
}

/// The tokens a claim goes into when nothing says otherwise.
pub fn default_tokens(id_token: bool) -> Vec<TokenKind> {
    TokenKind::ALL
        .into_iter()
        .filter(|t| id_token || *t != TokenKind::Id)
        .collect()
}

/// Resolve one entry of `claims` (`id_token`: the scope's flag).
pub fn resolve(decl: &Sp<ClaimDecl>, id_token: bool) -> Claim {
    let name = decl.name().to_string();
    let (json_type, multivalued) = match decl.get() {
        ClaimDecl::Name(_) => (JsonType::String, None),
        ClaimDecl::Table(t) => (
            t.json_type.as_deref().copied().unwrap_or_default(),
            t.multivalued.as_deref().copied(),
        ),
    };
    let (source, tokens) = match decl.get() {
        ClaimDecl::Name(_) => (
            ClaimSource::Attribute {
                attribute: name.clone(),
            },
            default_tokens(id_token),
        ),
        ClaimDecl::Table(t) => {
            let or_name = |v: &Option<Sp<String>>| {
                v.as_ref()
                    .map(|s| s.get().clone())
                    .unwrap_or_else(|| name.clone())
            };
            let source = match t.source.as_deref().copied().unwrap_or_default() {
                SourceKind::Attribute => ClaimSource::Attribute {
                    attribute: or_name(&t.attribute),
                },
                SourceKind::Property => ClaimSource::Property {
                    property: or_name(&t.property),
                },
                SourceKind::Value => ClaimSource::Value {
                    value: t
                        .value
                        .as_ref()
                        .map(|v| v.get().clone())
                        .unwrap_or_default(),
                },
                SourceKind::ClientRoles => ClaimSource::ClientRoles {
                    client: t.client.as_ref().map(|c| c.get().clone()),
                },
                SourceKind::RealmRoles => ClaimSource::RealmRoles,
                SourceKind::AsIs => ClaimSource::AsIs,
            };
            let tokens = match &t.tokens {
                Some(list) => TokenKind::ALL
                    .into_iter()
                    .filter(|k| list.iter().any(|l| **l == *k))
                    .collect(),
                None => default_tokens(id_token),
            };
            (source, tokens)
        }
    };
    Claim {
        name,
        source,
        tokens,
        json_type,
        multivalued,
        span: decl.span(),
    }
}

/// What is wrong with one entry (key and message), checked when the registry loads:
/// an empty name, a key that does not belong to the source, a `value` source without a
/// value, an empty or repeated `tokens` entry.
pub fn problems(decl: &ClaimDecl) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let ClaimDecl::Table(t) = decl else {
        return out;
    };
    if t.name.trim().is_empty() {
        out.push((t.name.span(), "a claim's `name` is empty".to_string()));
    }
    let kind = t.source.as_deref().copied().unwrap_or_default();
    for (key, v, belongs) in [
        ("attribute", &t.attribute, SourceKind::Attribute),
        ("property", &t.property, SourceKind::Property),
        ("value", &t.value, SourceKind::Value),
        ("client", &t.client, SourceKind::ClientRoles),
    ] {
        if let Some(v) = v {
            if kind != belongs {
                out.push((
                    v.span(),
                    format!(
                        "`{key}` belongs to `source = \"{}\"`, and this claim's source is `{}`",
                        belongs.as_str(),
                        kind.as_str()
                    ),
                ));
            } else if v.trim().is_empty() && key != "value" {
                out.push((v.span(), format!("`{key}` is empty")));
            }
        }
    }
    if let Some(m) = &t.multivalued {
        if matches!(
            kind,
            SourceKind::Property | SourceKind::Value | SourceKind::AsIs
        ) {
            out.push((
                m.span(),
                format!(
                    "`multivalued` belongs to `source = \"attribute\"`, `\"client-roles\"` or \
                     `\"realm-roles\"`, and this claim's source is `{}`",
                    kind.as_str()
                ),
            ));
        }
    }
    if let (Some(j), SourceKind::AsIs) = (&t.json_type, kind) {
        out.push((
            j.span(),
            "`json_type` does nothing with `source = \"as-is\"`: scopectl makes no mapper for \
             the claim"
                .to_string(),
        ));
    }
    if kind == SourceKind::Value && t.value.is_none() {
        out.push((
            t.name.span(),
            "`source = \"value\"` needs `value = \"...\"`".to_string(),
        ));
    }
    if let Some(list) = &t.tokens {
        if list.is_empty() {
            out.push((
                t.name.span(),
                "`tokens` is empty: a claim released into no token; remove the claim instead"
                    .to_string(),
            ));
        }
        for (i, k) in list.iter().enumerate() {
            if list[..i].iter().any(|e| **e == **k) {
                out.push((
                    k.span(),
                    format!("`{}` is listed twice in `tokens`", k.as_str()),
                ));
            }
        }
    }
    out
}

/// The top-level member a claim name becomes in the token: Keycloak nests at an
/// unescaped `.` (`address.city` is `city` inside `address`); `\.` is a literal dot.
pub fn top_level(name: &str) -> String {
    path(name).into_iter().next().unwrap_or_default()
}

/// The members a claim name becomes in the token, outermost first: `address.city` is
/// `["address", "city"]`, `a\.b.c` is `["a.b", "c"]` (Keycloak nests at an unescaped `.`).
pub fn path(name: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                if let Some(s) = out.last_mut() {
                    s.push('.');
                }
                chars.next();
            }
            '.' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct S {
        claims: Vec<Sp<ClaimDecl>>,
    }

    #[test]
    fn both_forms_parse_and_resolve_with_the_short_forms_meaning() {
        let s: S = toml::from_str(
            r#"claims = ["tenant", { name = "region", attribute = "sensor_region", tokens = ["access"] }, { name = "tier", source = "value", value = "gold" }]"#,
        )
        .unwrap();
        let c: Vec<Claim> = s.claims.iter().map(|d| resolve(d, false)).collect();
        assert_eq!(
            c[0].source,
            ClaimSource::Attribute {
                attribute: "tenant".into()
            }
        );
        assert_eq!(
            c[0].tokens,
            vec![
                TokenKind::Access,
                TokenKind::Userinfo,
                TokenKind::Introspection
            ]
        );
        assert!(c[0].is_default(false));
        assert_eq!(c[1].tokens, vec![TokenKind::Access]);
        assert_eq!(
            c[1].source,
            ClaimSource::Attribute {
                attribute: "sensor_region".into()
            }
        );
        assert_eq!(
            c[2].source,
            ClaimSource::Value {
                value: "gold".into()
            }
        );
        assert!(c[1].span.start > 0);
    }

    #[test]
    fn a_claim_can_declare_its_value_type_and_list_setting() {
        let s: S = toml::from_str(
            r#"claims = [{ name = "seats", json_type = "long" }, { name = "groups", source = "realm-roles", multivalued = false }, "tenant", { name = "x", source = "as-is", json_type = "int" }, { name = "y", source = "value", value = "1", multivalued = true }]"#,
        )
        .unwrap();
        let c: Vec<Claim> = s.claims.iter().map(|d| resolve(d, true)).collect();
        assert_eq!(c[0].json_type, JsonType::Long);
        assert!(!c[0].is_list() && !c[0].is_default(true));
        assert_eq!(
            c[0].describe(),
            "user attribute `seats` into access, id, userinfo, introspection, as long"
        );
        assert_eq!(c[1].multivalued, Some(false));
        assert!(!c[1].is_list());
        assert!(!c[2].is_list() && c[2].json_type.is_string());
        assert_eq!(JsonType::from_label("JSON"), Some(JsonType::Json));
        assert_eq!(JsonType::from_label("string"), Some(JsonType::String));
        assert_eq!(JsonType::from_label("double"), None);
        // Keys that do nothing for their source are load errors.
        let p3 = problems(s.claims[3].get());
        assert_eq!(p3.len(), 1, "{p3:?}");
        assert!(p3[0].1.contains("`json_type` does nothing"), "{p3:?}");
        let p4 = problems(s.claims[4].get());
        assert!(
            p4.iter().any(|(_, m)| m.contains("`multivalued` belongs")),
            "{p4:?}"
        );
        assert!(toml::from_str::<S>(r#"claims = [{ name = "a", json_type = "double" }]"#).is_err());
    }

    #[test]
    fn unknown_keys_and_sources_are_errors() {
        assert!(toml::from_str::<S>(r#"claims = [{ name = "a", tokenz = ["id"] }]"#).is_err());
        assert!(toml::from_str::<S>(r#"claims = [{ name = "a", source = "ldap" }]"#).is_err());
        assert!(toml::from_str::<S>(r#"claims = [{ name = "a", tokens = ["refresh"] }]"#).is_err());
        assert!(toml::from_str::<S>("claims = [1]").is_err());
    }

    #[test]
    fn problems_name_keys_of_another_source() {
        let s: S = toml::from_str(
            r#"claims = [{ name = "a", source = "property", value = "x", tokens = ["id", "id"] }, { name = "b", source = "value" }]"#,
        )
        .unwrap();
        let p = problems(&s.claims[0]);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].1.contains("`value` belongs"));
        assert!(p[1].1.contains("twice"));
        assert!(problems(&s.claims[1])[0].1.contains("needs `value"));
    }

    #[test]
    fn nested_names_have_their_top_level_member() {
        assert_eq!(top_level("address.city"), "address");
        assert_eq!(top_level("a\\.b.c"), "a.b");
        assert_eq!(top_level("tenant"), "tenant");
        assert_eq!(path("address.city"), ["address", "city"]);
        assert_eq!(path("a\\.b.c"), ["a.b", "c"]);
        assert_eq!(path("tenant"), ["tenant"]);
    }
}
