//! Value types shared by the registry files: spanned values, dates, lifetimes and enums.
//!
//! Every value a user writes is wrapped in [`Sp`], which remembers where in the file it
//! was written, so a finding can point at the exact line and column.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, Range};

use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value together with the byte range it was read from. Comparisons, hashing and
/// serialization look at the value only, so two registries read from differently
/// formatted files compare equal when they mean the same thing.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Sp<T>(toml::Spanned<T>);

impl<T> Sp<T> {
    /// A value with no position (defaults, values built in code).
    pub fn unspanned(value: T) -> Self {
        Sp(toml::Spanned::new(0..0, value))
    }

    pub fn span(&self) -> Range<usize> {
        self.0.span()
    }

    pub fn get(&self) -> &T {
        self.0.get_ref()
    }

    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T> Deref for Sp<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.get_ref()
    }
}

impl<T: fmt::Debug> fmt::Debug for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Sp<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}
impl<T: Eq> Eq for Sp<T> {}
impl<T: PartialOrd> PartialOrd for Sp<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.get().partial_cmp(other.get())
    }
}
impl<T: Ord> Ord for Sp<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.get().cmp(other.get())
    }
}
impl<T: std::hash::Hash> std::hash::Hash for Sp<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.get().hash(state)
    }
}

impl<T: Serialize> Serialize for Sp<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A calendar date, written as a bare TOML date: `expires = 2027-05-01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => {
                if dt.time.is_some() || dt.offset.is_some() {
                    return Err(D::Error::custom(format!(
                        "expected a date without a time, like 2027-05-01, found `{dt}`"
                    )));
                }
                let Some(date) = dt.date else {
                    return Err(D::Error::custom(format!(
                        "expected a date like 2027-05-01, found `{dt}`"
                    )));
                };
                NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                    .map(Date)
                    .ok_or_else(|| D::Error::custom(format!("`{dt}` is not a valid date")))
            }
            toml::Value::String(s) => Err(D::Error::custom(format!(
                "dates are TOML dates, written without quotes: {s} instead of \"{s}\""
            ))),
            other => Err(D::Error::custom(format!(
                "expected a date like 2027-05-01, found {} `{other}`",
                other.type_str()
            ))),
        }
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A calendar date, written as a bare TOML date (2027-05-01).",
            "type": "string",
            "format": "date"
        })
    }
}

/// A year as humantime counts it (365.25 days).
const YEAR_SECS: u64 = 31_557_600;

/// The longest duration accepted anywhere (1000 years): longer ones are refused when
/// loading, so no date, instant or timeout computed from one can overflow.
pub const MAX_DURATION_SECS: u64 = 1000 * YEAR_SECS;

/// A length of time written as text: `"30d"`, `"12h"`, `"15m"`, `"1y"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lifetime {
    pub text: String,
    pub seconds: u64,
}

impl Lifetime {
    pub fn parse(text: &str) -> Result<Self, String> {
        let duration = humantime::parse_duration(text.trim()).map_err(|e| {
            format!("`{text}` is not a duration ({e}); write it like \"30d\", \"12h\" or \"15m\"")
        })?;
        if duration.as_secs() > MAX_DURATION_SECS {
            return Err(format!(
                "`{text}` is longer than the longest duration scopectl takes ({}y)",
                MAX_DURATION_SECS / YEAR_SECS
            ));
        }
        Ok(Lifetime {
            text: text.to_string(),
            seconds: duration.as_secs(),
        })
    }

    pub fn from_seconds(seconds: u64) -> Self {
        Lifetime {
            text: format_seconds(seconds),
            seconds,
        }
    }

    /// Whole days, rounded down.
    pub fn days(&self) -> i64 {
        (self.seconds / 86_400) as i64
    }
}

/// "90d", "12h", "15m", "45s": the largest whole unit.
pub fn format_seconds(seconds: u64) -> String {
    if seconds >= 86_400 && seconds.is_multiple_of(86_400) {
        format!("{}d", seconds / 86_400)
    } else if seconds >= 3600 && seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds >= 60 && seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Lifetime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Lifetime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Lifetime::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Lifetime {
    fn schema_name() -> Cow<'static, str> {
        "Lifetime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A duration such as \"30d\", \"12h\", \"15m\" or \"1y\".",
            "type": "string",
            "examples": ["30d", "90d", "15m"]
        })
    }
}

/// How much harm misuse of a scope can do.
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
#[strum(serialize_all = "kebab-case")]
pub enum Sensitivity {
    Low,
    Medium,
    High,
    Critical,
}

impl Sensitivity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the authorization server attaches a granted scope to the client.
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
#[strum(serialize_all = "kebab-case")]
pub enum GrantType {
    /// Always in the client's tokens.
    #[default]
    Default,
    /// In the token only when the client asks for it (`scope=` parameter).
    Optional,
}

impl GrantType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `approved_by`: one approver (`"sam@example.com"`) or several
/// (`["sam@example.com", "li@example.com"]`, when the policy asks for more than one).
#[derive(Debug, Clone, PartialEq)]
pub enum Approvers {
    One(Sp<String>),
    Many(Vec<Sp<String>>),
}

impl Approvers {
    /// Every approver as written, with its position.
    pub fn iter(&self) -> std::slice::Iter<'_, Sp<String>> {
        match self {
            Approvers::One(a) => std::slice::from_ref(a).iter(),
            Approvers::Many(v) => v.iter(),
        }
    }

    /// Every approver with the span to point at: a single approver's own value carries
    /// no position (TOML gives none inside a bare string), so it gets `outer`'s.
    pub fn located(&self, outer: Range<usize>) -> Vec<(&str, Range<usize>)> {
        match self {
            Approvers::One(a) => vec![(a.as_str(), outer)],
            Approvers::Many(v) => v.iter().map(|a| (a.as_str(), a.span())).collect(),
        }
    }

    /// True when no approver is named (an empty list, or only blank strings).
    pub fn is_blank(&self) -> bool {
        self.iter().all(|a| a.trim().is_empty())
    }
}

impl fmt::Display for Approvers {
    /// `sam@example.com`, or `sam@example.com, li@example.com` for several.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(a)?;
        }
        Ok(())
    }
}

impl Serialize for Approvers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Approvers::One(a) => a.serialize(s),
            Approvers::Many(v) => v.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Approvers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Approvers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an approver (\"name@example.com\") or a list of approvers")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Approvers, E> {
                Ok(Approvers::One(Sp::unspanned(v.to_string())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Approvers, A::Error> {
                let mut out = Vec::new();
                while let Some(a) = seq.next_element::<Sp<String>>()? {
                    out.push(a);
                }
                if out.is_empty() {
                    return Err(serde::de::Error::custom(
                        "`approved_by` is an empty list: name at least one approver",
                    ));
                }
                Ok(Approvers::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Approvers {
    fn schema_name() -> Cow<'static, str> {
        "Approvers".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "One approver (an e-mail address or a name), or a list of them when the policy asks for several.",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1}
            ]
        })
    }
}
