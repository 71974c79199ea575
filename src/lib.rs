//! scopectl: OAuth 2.0 scopes governed as code.
//!
//! The library holds everything but argument parsing and printing: loading a registry
//! ([`registry`]), checking it ([`lint`]), the diagnostics every check produces
//! ([`diag`]) and the renderers that turn them into text, JSON, SARIF or GitHub
//! annotations ([`output`]). The `scopectl` binary is a thin layer over it.

#![warn(clippy::print_stdout, clippy::print_stderr)]
// No unwrap/expect outside tests: input a user controls must give an error naming it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

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
