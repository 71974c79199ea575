//! The parts of an OpenAPI document scopectl reads, parsed without the rest.
//!
//! A JSON document is parsed straight into a [`Value`] that keeps only what the walk in
//! [`super::openapi`] looks at: the version (`openapi`, `swagger`), `security`, `servers`,
//! the step-up hints, `components.securitySchemes` (whole), and of every path item (under
//! `paths` and `components.pathItems`) its `$ref` and its operations, of which only
//! `security` and the step-up hints. Schemas, examples, responses and descriptions — most
//! of a real document — are skipped while parsing (still checked to be valid JSON) and
//! never allocated. The kept values keep their order and shape, so the walk reads a sparse
//! document exactly as a whole one; a `$ref` that names a part left out makes the walk
//! parse that document whole ([`super::openapi`]).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::openapi::METHODS;

/// Where in the document a value is, and so what of it is kept.
#[derive(Clone, Copy)]
enum Keep {
    All,
    Root,
    Components,
    PathItems,
    PathItem,
    Operation,
}

const STEP_UP: [&str; 2] = ["x-scopectl-step-up", "x-step-up"];

fn child(parent: Keep, key: &str) -> Option<Keep> {
    match parent {
        Keep::All => Some(Keep::All),
        Keep::Root => match key {
            "openapi" | "swagger" | "security" | "servers" => Some(Keep::All),
            "paths" => Some(Keep::PathItems),
            "components" => Some(Keep::Components),
            k if STEP_UP.contains(&k) => Some(Keep::All),
            _ => None,
        },
        Keep::Components => match key {
            "securitySchemes" => Some(Keep::All),
            "pathItems" => Some(Keep::PathItems),
            _ => None,
        },
        Keep::PathItems => Some(Keep::PathItem),
        Keep::PathItem => match key {
            "$ref" => Some(Keep::All),
            m if METHODS.contains(&m) => Some(Keep::Operation),
            _ => None,
        },
        Keep::Operation => match key {
            "security" => Some(Keep::All),
            k if STEP_UP.contains(&k) => Some(Keep::All),
            _ => None,
        },
    }
}

struct Seed(Keep);

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Keep::All => Value::deserialize(d),
            keep => d.deserialize_any(Sparse(keep)),
        }
    }
}

struct Sparse(Keep);

impl<'de> Visitor<'de> for Sparse {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    /// An array where an object belongs is kept whole: the walk says what is wrong with it.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Value>()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match child(self.0, &key) {
                Some(keep) => {
                    let v = map.next_value_seed(Seed(keep))?;
                    out.insert(key, v);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Parse a JSON OpenAPI document, keeping only what scopectl reads (see the module
/// documentation). The whole text is still checked to be JSON; errors are serde_json's,
/// with line and column.
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Seed(Keep::Root).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_the_walk_reads_in_order_and_skips_the_rest() {
        let doc = r##"{"openapi":"3.1.0","info":{"title":"t"},
            "x-step-up":true,
            "components":{"schemas":{"A":{"type":"object"}},
              "securitySchemes":{"oauth":{"type":"oauth2","flows":{"implicit":{"scopes":{"b":"B","a":"A"}}}}},
              "pathItems":{"P":{"get":{"security":[],"responses":{}}}}},
            "paths":{"/z":{"summary":"s","parameters":[],"get":{"operationId":"g","security":[{"oauth":["a"]}],"x-scopectl-step-up":true,"responses":{"200":{"description":"ok"}}}},
                     "/a":{"$ref":"#/components/pathItems/P"},
                     "/bad":[1,2]}}"##;
        let v = parse_json(doc).unwrap();
        assert!(v.get("info").is_none());
        assert_eq!(v["x-step-up"], true);
        assert!(v["components"].get("schemas").is_none());
        let scopes: Vec<&String> = v["components"]["securitySchemes"]["oauth"]["flows"]["implicit"]
            ["scopes"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(scopes, ["b", "a"], "document order");
        assert_eq!(
            v["components"]["pathItems"]["P"],
            serde_json::json!({"get": {"security": []}})
        );
        let paths: Vec<&String> = v["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/z", "/a", "/bad"]);
        assert_eq!(
            v["paths"]["/z"],
            serde_json::json!({"get": {"security": [{"oauth": ["a"]}], "x-scopectl-step-up": true}})
        );
        assert_eq!(v["paths"]["/bad"], serde_json::json!([1, 2]));
    }

    #[test]
    fn invalid_json_anywhere_is_still_an_error_with_its_place() {
        let e = parse_json("{\"openapi\":\"3.1.0\",\"info\":{\"x\": tru}}").unwrap_err();
        assert_eq!((e.line(), e.column() > 20), (1, true));
        assert!(parse_json("{\"openapi\":\"3.1.0\"} trailing").is_err());
    }
}
