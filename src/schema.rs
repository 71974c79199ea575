//! JSON Schemas of the three file kinds, generated from the Rust types.

use crate::registry::{ClientFile, PolicyFile, ScopeFile};

/// The file kinds that have a schema, with the file name each is checked in under.
pub const KINDS: &[(&str, &str)] = &[
    ("scope", "scope.schema.json"),
    ("client", "client.schema.json"),
    ("policy", "policy.schema.json"),
];

/// The pretty-printed JSON Schema for a kind (`scope`, `client`, `policy`).
pub fn schema(kind: &str) -> Option<String> {
    let schema = match kind {
        "scope" => schemars::schema_for!(ScopeFile),
        "client" => schemars::schema_for!(ClientFile),
        "policy" => schemars::schema_for!(PolicyFile),
        _ => return None,
    };
    let mut s = serde_json::to_string_pretty(&schema).ok()?;
    s.push('\n');
    Some(s)
}
