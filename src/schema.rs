//! JSON Schemas of the registry's file kinds, generated from the Rust types.

use crate::registry::{ClientFile, PolicyFile, ReviewFile, ScopeFile, TeamsFile};

/// The file kinds that have a schema, with the file name each is checked in under.
pub const KINDS: &[(&str, &str)] = &[
    ("scope", "scope.schema.json"),
    ("client", "client.schema.json"),
    ("policy", "policy.schema.json"),
    ("teams", "teams.schema.json"),
    ("review", "review.schema.json"),
    ("apis", "apis.schema.json"),
];

/// The pretty-printed JSON Schema for a kind (`scope`, `client`, `policy`).
pub fn schema(kind: &str) -> Option<String> {
    // TOML has no null: an optional key is simply absent.
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(drop_null))
        .into_generator();
    let schema = match kind {
        "scope" => generator.into_root_schema_for::<ScopeFile>(),
        "client" => generator.into_root_schema_for::<ClientFile>(),
        "policy" => generator.into_root_schema_for::<PolicyFile>(),
        "teams" => generator.into_root_schema_for::<TeamsFile>(),
        "review" => generator.into_root_schema_for::<ReviewFile>(),
        "apis" => generator.into_root_schema_for::<crate::registry::apis::ApisFile>(),
        _ => return None,
    };
    let mut s = serde_json::to_string_pretty(&schema).ok()?;
    s.push('\n');
    Some(s)
}

/// Optional fields come out as `"type": ["string", "null"]`; TOML has no null, so keep
/// only the non-null type.
fn drop_null(schema: &mut schemars::Schema) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(serde_json::Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            obj.insert("type".into(), only);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(serde_json::Value::Array(alts)) = obj.get_mut(key) {
            alts.retain(|a| a.get("type").is_none_or(|t| t != "null"));
            if alts.len() == 1 {
                let only = alts.remove(0);
                obj.remove(key);
                if let serde_json::Value::Object(m) = only {
                    for (k, v) in m {
                        obj.entry(k).or_insert(v);
                    }
                }
            }
        }
    }
}
