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
//!
//! The path items under `paths` (thousands in a large document) are not JSON values but
//! [`Item`]s: an operation is its method, its `security` and whether it carries a step-up
//! hint, so a document's bulk costs a few allocations per operation.

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

/// One operation of a path item under `paths`.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// Index into [`METHODS`].
    pub method: usize,
    /// Its own `security`, as written.
    pub security: Option<Value>,
    /// It carries a step-up hint (`x-scopectl-step-up` / `x-step-up`, see
    /// [`super::openapi::step_up_value`]).
    pub step_up: bool,
}

/// A path item under `paths`.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `{"$ref": …}` (other members are ignored, as the walk does): the JSON object with
    /// only its `$ref`, for the walk to follow.
    Ref(Value),
    /// Its operations, in document order. A path item that is not an object has none.
    Ops(Vec<Op>),
}

/// A document's `paths`, in document order (a repeated path keeps its first place and its
/// last value, as a JSON object would).
pub type Paths = Vec<(String, Item)>;

/// A JSON document parsed sparsely: the kept parts as a value (without `paths`), and its
/// path items (`None` when it has no `paths` member).
#[derive(Debug)]
pub struct Sparse {
    pub root: Value,
    pub paths: Option<Paths>,
}

type Slot = std::cell::RefCell<Option<Paths>>;

struct Seed<'s>(Keep, &'s Slot);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Keep::All => Value::deserialize(d),
            keep => d.deserialize_any(Visit(keep, self.1)),
        }
    }
}

struct Visit<'s>(Keep, &'s Slot);

impl<'de> Visitor<'de> for Visit<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    json_value_scalars!();

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
                Some(Keep::PathItems) if matches!(self.0, Keep::Root) => {
                    let paths = map.next_value_seed(PathsSeed)?;
                    *self.1.borrow_mut() = Some(paths);
                }
                Some(keep) => {
                    let v = map.next_value_seed(Seed(keep, self.1))?;
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

/// Consume the rest of a list (a path item or operation that is not an object).
fn skip<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// The visits of a value that is not an object: nothing kept.
macro_rules! nothing_but_maps {
    ($out:expr) => {
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            skip(seq)?;
            Ok($out)
        }
    };
}

struct PathsSeed;

impl<'de> DeserializeSeed<'de> for PathsSeed {
    type Value = Paths;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Paths, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PathsSeed {
    type Value = Paths;
    nothing_but_maps!(Vec::new());
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Paths, A::Error> {
        let mut out: Paths = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let item = map.next_value_seed(ItemSeed)?;
            match at.get(&key) {
                Some(&i) => {
                    if let Some(slot) = out.get_mut(i) {
                        slot.1 = item;
                    }
                }
                None => {
                    at.insert(key.clone(), out.len());
                    out.push((key, item));
                }
            }
        }
        Ok(out)
    }
}

struct ItemSeed;

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed {
    type Value = Item;
    nothing_but_maps!(Item::Ops(Vec::new()));
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
        let mut reference: Option<Value> = None;
        let mut ops: Vec<Op> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == "$ref" {
                reference = Some(map.next_value::<Value>()?);
            } else if let Some(method) = METHODS.iter().position(|m| *m == key) {
                let mut op = map.next_value_seed(OpSeed)?;
                op.method = method;
                ops.retain(|o| o.method != method);
                ops.push(op);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(match reference {
            Some(r) => {
                let mut m = Map::new();
                m.insert("$ref".into(), r);
                Item::Ref(Value::Object(m))
            }
            None => Item::Ops(ops),
        })
    }
}

struct OpSeed;

impl<'de> DeserializeSeed<'de> for OpSeed {
    type Value = Op;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Op, D::Error> {
        d.deserialize_any(self)
    }
}

const NO_OP: Op = Op {
    method: 0,
    security: None,
    step_up: false,
};

impl<'de> Visitor<'de> for OpSeed {
    type Value = Op;
    nothing_but_maps!(NO_OP);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Op, A::Error> {
        let mut op = NO_OP;
        let mut hints: [Option<Value>; 2] = [None, None];
        while let Some(key) = map.next_key::<String>()? {
            if key == "security" {
                op.security = Some(map.next_value::<Value>()?);
            } else if let Some(i) = STEP_UP.iter().position(|k| *k == key) {
                if let Some(h) = hints.get_mut(i) {
                    *h = Some(map.next_value::<Value>()?);
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        op.step_up = hints.iter().flatten().any(super::openapi::step_up_value);
        Ok(op)
    }
}

/// Parse a JSON OpenAPI document, keeping only what scopectl reads (see the module
/// documentation). The whole text is still checked to be JSON; errors are serde_json's,
/// with line and column.
pub fn parse_json(text: &str) -> Result<Sparse, serde_json::Error> {
    let paths = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let root = Seed(Keep::Root, &paths).deserialize(&mut de)?;
    de.end()?;
    Ok(Sparse {
        root,
        paths: paths.into_inner(),
    })
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
        let s = parse_json(doc).unwrap();
        let v = s.root;
        assert!(v.get("info").is_none());
        assert!(v.get("paths").is_none());
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
        let paths = s.paths.unwrap();
        let names: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["/z", "/a", "/bad"]);
        assert_eq!(
            paths[0].1,
            Item::Ops(vec![Op {
                method: 0,
                security: Some(serde_json::json!([{"oauth": ["a"]}])),
                step_up: true
            }])
        );
        assert_eq!(
            paths[1].1,
            Item::Ref(serde_json::json!({"$ref": "#/components/pathItems/P"}))
        );
        assert_eq!(paths[2].1, Item::Ops(vec![]));
    }

    #[test]
    fn invalid_json_anywhere_is_still_an_error_with_its_place() {
        let e = parse_json("{\"openapi\":\"3.1.0\",\"info\":{\"x\": tru}}").unwrap_err();
        assert_eq!((e.line(), e.column() > 20), (1, true));
        assert!(parse_json("{\"openapi\":\"3.1.0\"} trailing").is_err());
    }
}
