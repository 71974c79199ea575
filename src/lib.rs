//! scopectl: OAuth 2.0 scopes governed as code.
//!
//! The library holds everything but argument parsing and printing: loading a registry
//! ([`registry`]), checking it ([`lint`]), the diagnostics every check produces
//! ([`diag`]) and the renderers that turn them into text, JSON, SARIF or GitHub
//! annotations ([`output`]). The `scopectl` binary is a thin layer over it.

#![warn(clippy::print_stdout, clippy::print_stderr)]
// No unwrap/expect outside tests: input a user controls must give an error naming it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// The scalar methods of a `serde::de::Visitor` whose `Value` is `serde_json::Value`, as
/// `serde_json` builds them: for the hand-made readers of JSON that differ only in how they
/// read arrays and objects (`token::json`, `registry::sparse`). Defined before the modules
/// so that each can expand it.
macro_rules! json_value_scalars {
    () => {
        fn visit_bool<E>(self, v: bool) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::from(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::Null)
        }
        fn visit_none<E>(self) -> Result<serde_json::Value, E> {
            Ok(serde_json::Value::Null)
        }
    };
}

pub mod codeowners;
pub mod collect;
pub mod diff;
pub mod edit;
pub mod finding;
pub mod history;
pub mod import;
pub mod init;
pub mod introspect;
pub mod keyring;
pub mod lint;
pub mod net;
pub mod output;
pub mod push;
pub mod registry;
pub mod report;
pub mod rules;
pub mod schema;
pub mod synth;
pub mod text;
pub mod token;
pub mod usage;

/// Today's date in UTC: the default "today" for expiry checks.
pub fn today_utc() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
