//! JSON read strictly: an object with a member name written twice is refused, naming the
//! name, the path of the object and where its second occurrence starts.
//!
//! `serde_json` keeps the last of two members with one name; other parsers keep the first
//! or refuse. Where scopectl's reading decides something (the JWS JSON serialization
//! `decode` checks, the realm export `import` turns into a registry), two parsers must not
//! see different data, so such input is not read at all. Names are compared after JSON
//! unescaping (`"a"` and `"\u0061"` are one name). One pass, linear in the input: the same
//! work as `serde_json::from_str::<Value>` plus one lookup per member, within
//! `serde_json`'s nesting limit (128). The position is found only when there is a
//! duplicate.

use std::fmt;

use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A member name an object has twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The member name, unescaped.
    pub name: String,
    /// The JSON path of the object that has it twice (`$`, `$.clients[0]`,
    /// `$.attributes["a.b"]`).
    pub at: String,
    /// Where its second occurrence (the opening quote) is: line and column, from 1, the
    /// column counted in characters.
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` has the member `{}` twice (the second at line {}, column {})",
            self.at, self.name, self.line, self.column
        )
    }
}

/// Why [`from_str`] read no value.
#[derive(Debug)]
pub enum Error {
    /// The text is JSON, but an object has a member name twice.
    Duplicate(Duplicate),
    /// The text is not JSON (or nests deeper than `serde_json` reads).
    Json(serde_json::Error),
}

/// Parse `text` as one JSON value, refusing any object (at any depth) with a member name
/// written twice.
pub fn from_str(text: &str) -> Result<Value, Error> {
    let mut found = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = Strict { found: &mut found }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match (parsed, found) {
        (Ok(v), _) => Ok(v),
        (Err(e), Some(mut d)) => {
            d.path.reverse();
            let (line, column) = locate(text, &d.name, e.line(), e.column());
            Err(Error::Duplicate(Duplicate {
                name: d.name,
                at: path(&d.path),
                line,
                column,
            }))
        }
        (Err(e), None) => Err(Error::Json(e)),
    }
}

/// What the reader found: the name, and the path to its object, innermost first (filled
/// in while the error unwinds).
struct Found {
    name: String,
    path: Vec<Step>,
}

enum Step {
    Member(String),
    Index(usize),
}

/// A `serde_json::Value` built by hand, so that every object is read by [`Strict`].
struct Strict<'a> {
    found: &'a mut Option<Found>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
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
        Ok(Value::String(v.to_owned()))
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

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            match seq.next_element_seed(Strict {
                found: &mut *self.found,
            }) {
                Ok(Some(v)) => list.push(v),
                Ok(None) => return Ok(Value::Array(list)),
                Err(e) => {
                    if let Some(f) = self.found.as_mut() {
                        f.path.push(Step::Index(list.len()));
                    }
                    return Err(e);
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                // Before its value is read: the reader is just past this occurrence.
                *self.found = Some(Found {
                    name: key,
                    path: Vec::new(),
                });
                return Err(A::Error::custom("a member name is written twice"));
            }
            match access.next_value_seed(Strict {
                found: &mut *self.found,
            }) {
                Ok(v) => {
                    map.insert(key, v);
                }
                Err(e) => {
                    if let Some(f) = self.found.as_mut() {
                        f.path.push(Step::Member(key));
                    }
                    return Err(e);
                }
            }
        }
        Ok(Value::Object(map))
    }
}

/// `$.a[0]."b.c"` written as `$.a[0]["b.c"]` for a name that is not a plain identifier.
fn path(steps: &[Step]) -> String {
    let mut out = String::from("$");
    for s in steps {
        match s {
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Member(k)
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push('.');
                out.push_str(k);
            }
            Step::Member(k) => out.push_str(&format!("[{}]", Value::String(k.clone()))),
        }
    }
    out
}

/// The line and column (from 1, in characters) of the opening quote of the member name
/// `name` that `serde_json` stopped just after (its error is at `line`, `column`: the last
/// byte it read, possibly whitespace after the closing quote). When the text there is not
/// that name, `serde_json`'s own position is kept.
fn locate(text: &str, name: &str, line: usize, column: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    // The start of line `line` (serde_json counts lines from 1, bytes on a line from 1).
    let mut start = 0;
    if line > 1 {
        match bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
        {
            Some((i, _)) => start = i + 1,
            None => return (line, column),
        }
    }
    let Some(mut close) = (start + column).checked_sub(1) else {
        return (line, column);
    };
    close = close.min(bytes.len().saturating_sub(1));
    while close > 0 && matches!(bytes.get(close), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        close -= 1;
    }
    if bytes.get(close) != Some(&b'"') {
        return (line, column);
    }
    // The opening quote: the nearest `"` before it that no backslash escapes (an odd run
    // of backslashes before a quote escapes it). A name has no raw line break.
    let mut i = close;
    let open = loop {
        let Some(q) = bytes[..i].iter().rposition(|&b| b == b'"') else {
            return (line, column);
        };
        let backslashes = bytes[..q].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            break q;
        }
        i = q;
    };
    match serde_json::from_str::<String>(&text[open..=close]) {
        Ok(n) if n == name => {}
        _ => return (line, column),
    }
    let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
    let line = 1 + text[..line_start].bytes().filter(|&b| b == b'\n').count();
    (line, 1 + text[line_start..open].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> Duplicate {
        match from_str(text) {
            Err(Error::Duplicate(d)) => d,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_json_as_serde_json_does() {
        let text =
            r#"{"a":[1,-2,3.5,true,null,"x",{"b":{}}],"c":"\u00e9","d":18446744073709551615}"#;
        let strict = from_str(text).unwrap();
        assert_eq!(strict, serde_json::from_str::<Value>(text).unwrap());
        // Same member name in different objects is fine.
        assert!(from_str(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#).is_ok());
    }

    #[test]
    fn names_the_duplicate_its_object_and_where_it_starts() {
        let d = dup(r#"{"a":1,"a":2}"#);
        assert_eq!((d.name.as_str(), d.at.as_str()), ("a", "$"));
        assert_eq!((d.line, d.column), (1, 8));
        let d = dup("{\"x\": [0, {\"y.z\": {\"k\": 1,\n   \"k\"  \t:\n 2}}]}");
        assert_eq!(d.name, "k");
        assert_eq!(d.at, r#"$.x[1]["y.z"]"#);
        assert_eq!((d.line, d.column), (2, 4));
        // Escapes: the same name, located at the escaped occurrence.
        let d = dup(r#"{"é":1, "ab\"c":0, "\u00e9":2}"#);
        assert_eq!((d.name.as_str(), d.line, d.column), ("é", 1, 20));
        let d = dup(r#"{"ab\"c":0, "ab\u0022c":1, "ab\"c":2}"#);
        assert_eq!((d.name.as_str(), d.column), ("ab\"c", 13));
        let d = dup(r#"{"a\\":1, "a\u005c":2}"#);
        assert_eq!((d.name.as_str(), d.column), ("a\\", 11));
        // Three times: the second is reported.
        let d = dup(r#"{"a":1,"a":2,"a":3}"#);
        assert_eq!(d.column, 8);
        assert_eq!(
            d.to_string(),
            "`$` has the member `a` twice (the second at line 1, column 8)"
        );
    }

    #[test]
    fn other_errors_are_serde_json_errors() {
        assert!(matches!(from_str(r#"{"a":1"#), Err(Error::Json(e)) if e.is_eof()));
        assert!(matches!(from_str(r#"{"a":1} x"#), Err(Error::Json(_))));
        // A syntax error after a duplicate-free prefix is not a duplicate.
        assert!(matches!(from_str(r#"{"a":1,"b":}"#), Err(Error::Json(_))));
        // serde_json's nesting limit holds.
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(from_str(&deep), Err(Error::Json(_))));
    }
}
