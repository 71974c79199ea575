//! JSON read with an eye on member names written twice in one object. [`from_str`] refuses
//! such input, naming the name, the path of the object and where its second occurrence
//! starts; [`from_str_noting_repeats`] reads it as `serde_json` does (the last value) and
//! lists the paths of the repeated members.
//!
//! `serde_json` keeps the last of two members with one name; other parsers keep the first
//! or refuse. Where scopectl's reading decides something (the JWS JSON serialization
//! `decode` checks, the realm export `import` turns into a registry), two parsers must not
//! see different data, so such input is not read at all. A JWT's header and payload are
//! read anyway, and each repeat is a finding (`token/duplicate-claim`). Names are compared
//! after JSON unescaping (`"a"` and `"\u0061"` are one name). One pass, linear in the
//! input: the same work as `serde_json::from_str::<Value>` plus one lookup per member,
//! within `serde_json`'s nesting limit (128). The position (or the path) is worked out
//! only when there is a duplicate.

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hash, RandomState};

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

    json_value_scalars!();

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

// ---------------------------------------------------------------------------------------
// Reading on: repeats noted, not refused

/// How many repeated members [`from_str_noting_repeats`] lists by path; the others are
/// only counted, so that a hostile text with 100,000 repeats makes a short list.
pub const LISTED: usize = 20;

/// The longest member name a path shows whole, in characters: a longer one is cut and
/// ends in `…`.
const NAME_SHOWN: usize = 64;

/// The members a JSON text has more than once in one object, each named once by its path
/// (however many times and in however many objects of that path it is repeated).
///
/// A path joins the member names from the top with `.` (`realm_access.roles`); an array
/// element is `[i]`, from 0 (`authorization_details[1].type`); a name that is not a plain
/// word (empty, or holding anything but printable ASCII other than `.`, `[`, `]`, `"` and
/// `\`) is written as a JSON string in brackets (`["https://example.com/roles"].admin`,
/// `x["a b"]`), and one longer than 64 characters is cut, ending in `…`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repeats {
    /// The first [`LISTED`] paths, in the order the reader finds them: a repeated member is
    /// found once its value is read, so after any repeat inside that value.
    pub paths: Vec<String>,
    /// How many other paths have a repeated member.
    pub more: usize,
}

impl Repeats {
    /// No member is repeated.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// Parse `text` as one JSON value, as `serde_json::from_str::<Value>` does (of a member
/// written twice in one object, the last value is kept, where the first was), and say
/// which members are written more than once, at any depth.
pub fn from_str_noting_repeats(text: &str) -> Result<(Value, Repeats), serde_json::Error> {
    let mut noting = Noting::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Noted {
        noting: &mut noting,
        at: None,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, noting.repeats))
}

/// What [`Noted`] keeps while it reads.
#[derive(Default)]
struct Noting {
    /// The hash's key, made at the first repeat.
    state: Option<RandomState>,
    /// The hashes of the paths found repeated, to count each path once (two paths with one
    /// 64-bit keyed hash are as good as impossible).
    seen: HashSet<u64>,
    repeats: Repeats,
}

/// A step of a path, borrowed: what is hashed.
#[derive(Clone, Copy, Hash)]
enum StepRef<'a> {
    Member(&'a str),
    Index(usize),
}

/// The path of the value being read, as a chain through the reader's call stack: its last
/// step, and the path it is in (none at the top). Nothing is allocated or copied for it.
struct Link<'a> {
    step: StepRef<'a>,
    up: Option<&'a Link<'a>>,
    /// The hash of the path, computed at a repeat (once: a long path with many repeats
    /// under it is hashed once, so finding repeats stays linear in the input).
    hash: Cell<Option<u64>>,
}

impl<'a> Link<'a> {
    fn new(step: StepRef<'a>, up: Option<&'a Link<'a>>) -> Self {
        Link {
            step,
            up,
            hash: Cell::new(None),
        }
    }
}

/// The hash of the path `at` (0 for the top), computed where not known yet.
fn path_hash(state: &RandomState, at: Option<&Link<'_>>) -> u64 {
    let Some(link) = at else { return 0 };
    if let Some(h) = link.hash.get() {
        return h;
    }
    // The links up to the nearest one whose hash is known (the nesting is at most
    // serde_json's limit, 128), then down again.
    let mut todo = vec![link];
    let mut known = 0;
    let mut next = link.up;
    while let Some(l) = next {
        if let Some(h) = l.hash.get() {
            known = h;
            break;
        }
        todo.push(l);
        next = l.up;
    }
    for l in todo.into_iter().rev() {
        known = state.hash_one((known, l.step));
        l.hash.set(Some(known));
    }
    known
}

impl Noting {
    /// The object at the path `at` has the member `name` again.
    fn repeat(&mut self, at: Option<&Link<'_>>, name: &str) {
        let state = self.state.get_or_insert_with(RandomState::new);
        let hash = state.hash_one((path_hash(state, at), StepRef::Member(name)));
        if !self.seen.insert(hash) {
            return;
        }
        if self.repeats.paths.len() < LISTED {
            let mut steps = vec![StepRef::Member(name)];
            let mut next = at;
            while let Some(l) = next {
                steps.push(l.step);
                next = l.up;
            }
            let mut shown = String::new();
            for step in steps.into_iter().rev() {
                show_step(&mut shown, step);
            }
            self.repeats.paths.push(shown);
        } else {
            self.repeats.more += 1;
        }
    }
}

/// Append `step` to the path `out`, written as [`Repeats`] says.
fn show_step(out: &mut String, step: StepRef<'_>) {
    match step {
        StepRef::Index(i) => {
            let _ = write!(out, "[{i}]");
        }
        StepRef::Member(name) => {
            let plain = !name.is_empty()
                && name.bytes().all(|b| {
                    b.is_ascii_graphic() && !matches!(b, b'.' | b'[' | b']' | b'"' | b'\\')
                });
            let cut = match name.char_indices().nth(NAME_SHOWN) {
                Some((at, _)) => format!("{}…", &name[..at]),
                None => name.to_string(),
            };
            if plain {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&cut);
            } else {
                let _ = write!(out, "[{}]", Value::String(cut));
            }
        }
    }
}

/// A `serde_json::Value` built by hand, so that every object is read by [`Noted`], which
/// notes its repeated members. `at` is the path of the value it reads.
struct Noted<'n, 'a> {
    noting: &'n mut Noting,
    at: Option<&'a Link<'a>>,
}

impl<'de> DeserializeSeed<'de> for Noted<'_, '_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Noted<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    json_value_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let at = Link::new(StepRef::Index(list.len()), self.at);
            let next = seq.next_element_seed(Noted {
                noting: &mut *self.noting,
                at: Some(&at),
            })?;
            match next {
                Some(v) => list.push(v),
                None => return Ok(Value::Array(list)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = {
                let at = Link::new(StepRef::Member(&key), self.at);
                access.next_value_seed(Noted {
                    noting: &mut *self.noting,
                    at: Some(&at),
                })?
            };
            // Found after its value is read, so that the name need not be copied.
            match map.entry(key) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(value);
                }
                serde_json::map::Entry::Occupied(mut e) => {
                    self.noting.repeat(self.at, e.key());
                    e.insert(value);
                }
            }
        }
        Ok(Value::Object(map))
    }
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

    fn noted(text: &str) -> Repeats {
        let (value, repeats) = from_str_noting_repeats(text).unwrap();
        // The value is serde_json's: the last of two values (in the first one's place).
        assert_eq!(
            value,
            serde_json::from_str::<Value>(text).unwrap(),
            "{text}"
        );
        repeats
    }

    #[test]
    fn noting_reads_json_as_serde_json_does_and_notes_nothing_without_repeats() {
        let text =
            r#"{"a":[1,-2,3.5,true,null,"x",{"b":{}}],"c":"\u00e9","d":18446744073709551615}"#;
        assert!(noted(text).is_empty());
        assert!(
            noted(r#"{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":[[{"a":1}],[{"a":1}]]}"#).is_empty()
        );
        assert!(noted("[]").is_empty());
        assert!(noted("1").is_empty());
    }

    #[test]
    fn noting_names_each_repeated_member_by_its_path() {
        let paths = |text: &str| noted(text).paths;
        assert_eq!(paths(r#"{"exp":1,"sub":"a","exp":2,"exp":3}"#), ["exp"]);
        assert_eq!(
            paths(r#"{"realm_access":{"roles":["user"],"roles":["admin"]}}"#),
            ["realm_access.roles"]
        );
        assert_eq!(
            paths(r#"{"resource_access":{"orders-api":{"roles":[],"roles":[]}}}"#),
            ["resource_access.orders-api.roles"]
        );
        assert_eq!(
            paths(r#"{"authorization_details":[{"type":"a"},{"type":"b","type":"c"}]}"#),
            ["authorization_details[1].type"]
        );
        assert_eq!(paths(r#"[[0,{"a":1,"a":2}]]"#), ["[0][1].a"]);
        // Names that are not plain words are quoted; escapes are compared unescaped.
        assert_eq!(
            paths(r#"{"https://example.com/roles":{"a b":1,"a\u0020b":2,"":0,"":1}}"#),
            [
                r#"["https://example.com/roles"]["a b"]"#,
                r#"["https://example.com/roles"][""]"#
            ]
        );
        assert_eq!(
            paths(r#"{"x":{"é":1,"\u00e9":2,"q\"":1,"q\"":2,"\u001b":1,"\u001b":2}}"#),
            [r#"x["é"]"#, r#"x["q\""]"#, r#"x["\u001b"]"#]
        );
        assert_eq!(
            paths(r#"{"urn:zitadel:iam:org:project:roles":{"admin":1,"admin":2}}"#),
            ["urn:zitadel:iam:org:project:roles.admin"]
        );
        // A long name is cut.
        let long = "n".repeat(100);
        let shown = &paths(&format!(r#"{{"{long}":{{"{long}":1,"{long}":2}}}}"#))[0];
        let part = format!("{}…", "n".repeat(64));
        assert_eq!(shown, &format!("{part}.{part}"));
        // A repeated member is found once its value is read: after the repeats inside it.
        // The repeat inside both copies of `api` is one path.
        assert_eq!(
            paths(r#"{"api":{"r":1,"r":2},"api":{"r":1,"r":2,"x":1,"x":1}}"#),
            ["api.r", "api.x", "api"]
        );
    }

    #[test]
    fn noting_lists_twenty_paths_and_counts_the_others() {
        let members: Vec<String> = (0..25)
            .map(|i| format!(r#""o{i}":{{"a":1,"a":2}}"#))
            .collect();
        let r = noted(&format!("{{{}}}", members.join(",")));
        assert_eq!(r.paths.len(), LISTED);
        assert_eq!(r.paths[0], "o0.a");
        assert_eq!(r.paths[19], "o19.a");
        assert_eq!(r.more, 5);
        // One path repeated 10,000 times is one path.
        let text = format!("{{{}\"a\":0}}", r#""a":0,"#.repeat(10_000));
        assert_eq!(
            noted(&text),
            Repeats {
                paths: vec!["a".into()],
                more: 0
            }
        );
        // Many repeats under a long, deep path (each repeat inside a repeated member, so its
        // path is the same as before): linear, each step of the path is hashed once.
        let long = "k".repeat(200_000);
        let text = format!(
            "{{{}\"{long}\":{{{}\"z\":0}}{}}}",
            r#""d":{"#.repeat(100),
            r#""x":{"a":0,"a":0},"#.repeat(20_000),
            "}".repeat(100)
        );
        let r = noted(&text);
        assert_eq!(r.paths.len(), 2, "{:?}", r.paths);
        assert!(r.paths[0].ends_with("….x.a"), "{}", r.paths[0]);
        assert!(r.paths[1].ends_with("….x"), "{}", r.paths[1]);
        assert_eq!(r.more, 0);
    }

    #[test]
    fn noting_fails_as_serde_json_does() {
        for text in [
            r#"{"a":1"#,
            r#"{"a":1} x"#,
            r#"{"a":1,"a":}"#,
            "",
            "{\"a\":1,\"a\":2",
        ] {
            let noting = from_str_noting_repeats(text).unwrap_err();
            let serde = serde_json::from_str::<Value>(text).unwrap_err();
            assert_eq!(noting.to_string(), serde.to_string(), "{text}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(from_str_noting_repeats(&deep).is_err());
    }
}
