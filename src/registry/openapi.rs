//! Reading what scopectl needs from an OpenAPI 3.0 or 3.1 document (YAML or JSON): the
//! OAuth 2.0 and OpenID Connect security schemes with their scopes maps, and each
//! operation's security requirement (or the document's global one).
//!
//! The documents come from pull requests, so they are untrusted: nothing else is
//! interpreted (schemas, examples and their `$ref`s are never followed); a `$ref` where
//! scopectl reads (a path item, a security scheme) is resolved only inside the document or
//! to another file of the repository through [`SpecReader`], never to a URL; reference
//! chains are bounded ([`MAX_REF_DEPTH`]) so a cycle ends with an error; nesting is bounded
//! by the parsers (128 levels), and a YAML document's is measured before it is parsed
//! ([`super::yaml_depth`]: the YAML parser takes time quadratic in it). Every problem is a
//! `load/*` finding naming the file, the JSON pointer and, where the text shows it, the
//! line.

use super::sparse::{Item, Op, Paths};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::finding::{FileId, Files, Finding};
use crate::rules::Rule;

/// The longest chain of `$ref`s followed to reach one path item or security scheme.
pub const MAX_REF_DEPTH: usize = 32;
/// The most files (the OpenAPI files of one API and the files their `$ref`s name) read for
/// one API.
pub const MAX_FILES_PER_API: usize = 64;

/// The HTTP methods of an OpenAPI path item.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// [`METHODS`] in upper case, in the same order.
pub const METHODS_UPPER: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];

/// The upper-case method of a method name in any case (`None`: not an HTTP method of
/// OpenAPI).
pub fn method_upper(m: &str) -> Option<&'static str> {
    METHODS_UPPER
        .iter()
        .find(|u| u.eq_ignore_ascii_case(m))
        .copied()
}

/// Reads a file named by a registry or a `$ref`: `path` is `/`-separated and relative to
/// the registry folder (it may start with `../` to reach the rest of the repository). The
/// reader refuses what leaves the repository, is not a regular file or is too large.
pub trait SpecReader {
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
}

/// One operation and the scopes it needs.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper case: `POST` (one of [`METHODS_UPPER`]).
    pub method: &'static str,
    /// The path template as written: `/payments/{id}`.
    pub path: String,
    /// The security requirement: alternatives (OR), each a set of OAuth scopes all needed
    /// (AND). An empty alternative needs no scope (no security, `{}`, or only non-OAuth
    /// schemes such as an API key).
    pub requirements: Vec<Vec<String>>,
    /// The operation carries a step-up hint (`x-scopectl-step-up` / `x-step-up`, on it or
    /// on the document).
    pub step_up: bool,
    pub file: FileId,
    pub span: Range<usize>,
    /// JSON pointer of the operation's path item (`#/paths/~1payments`), shared by its
    /// operations; or, for an operations table, where the table is (`[apis.NAME.operations]`).
    /// [`Operation::pointer`] is the operation's own.
    pub item_pointer: Arc<str>,
}

impl Operation {
    /// JSON pointer of the operation (`#/paths/~1payments/post`), or where its table is.
    pub fn pointer(&self) -> String {
        if self.item_pointer.starts_with('#') {
            format!("{}/{}", self.item_pointer, self.method.to_ascii_lowercase())
        } else {
            self.item_pointer.to_string()
        }
    }

    /// `POST /payments/{id}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Every scope any alternative needs.
    pub fn scopes(&self) -> impl Iterator<Item = &String> {
        self.requirements.iter().flatten()
    }
}

/// A scope as an OpenAPI `flows.*.scopes` map describes it.
#[derive(Debug, Clone)]
pub struct DescribedScope {
    pub scheme: Arc<str>,
    /// `clientCredentials`, `authorizationCode`, `implicit`, `password`.
    pub flow: Arc<str>,
    pub scope: String,
    pub description: String,
    pub file: FileId,
    pub span: Range<usize>,
    /// JSON pointer of the flow's `scopes` map, shared by its scopes
    /// ([`DescribedScope::pointer`] is the scope's own).
    pub map_pointer: Arc<str>,
}

impl DescribedScope {
    /// JSON pointer of the scope in its map.
    pub fn pointer(&self) -> String {
        format!("{}/{}", self.map_pointer, pointer_token(&self.scope))
    }
}

/// What one document gave.
#[derive(Debug, Default)]
pub struct Spec {
    pub operations: Vec<Operation>,
    pub described: Vec<DescribedScope>,
    /// Path parts of `servers[].url` (`/v1`), tried as prefixes of a concrete path.
    pub base_paths: Vec<String>,
    /// Files read, including the ones `$ref`s named.
    pub files_read: usize,
}

/// Parse a document's text to JSON values: JSON when the name ends in `.json`, else YAML
/// (which also reads JSON). A JSON document keeps only the parts scopectl reads
/// ([`super::sparse`]); [`parse_whole`] keeps everything. `Err`: the finding naming line
/// and column.
pub fn parse_text(files: &Files, id: FileId) -> Result<Doc, Box<Finding>> {
    parse(files, id, true)
}

/// A parsed document: its value and, when parsed sparsely, its path items (not in the
/// value then).
#[derive(Debug, Clone)]
pub struct Doc {
    pub value: Arc<Value>,
    pub paths: Option<Arc<Paths>>,
}

impl Doc {
    fn whole(v: Value) -> Doc {
        Doc {
            value: Arc::new(v),
            paths: None,
        }
    }
}

/// [`parse_text`] keeping every part of a JSON document: for a `$ref` that names a part
/// the sparse parse left out.
pub fn parse_whole(files: &Files, id: FileId) -> Result<Doc, Box<Finding>> {
    parse(files, id, false)
}

/// Whether [`parse_text`] leaves parts of this document out.
fn is_sparse(name: &str) -> bool {
    name.ends_with(".json")
}

fn parse(files: &Files, id: FileId, sparse: bool) -> Result<Doc, Box<Finding>> {
    parse_str(files.name(id), files.text(id), id, sparse)
}

fn parse_str(name: &str, text: &str, id: FileId, sparse: bool) -> Result<Doc, Box<Finding>> {
    let at = |line: usize, col: usize| offset_of(text, line, col);
    if name.ends_with(".json") {
        let parsed = if sparse {
            super::sparse::parse_json(text).map(|s| Doc {
                value: Arc::new(s.root),
                paths: s.paths.map(Arc::new),
            })
        } else {
            serde_json::from_str::<Value>(text).map(Doc::whole)
        };
        return parsed.map_err(|e| {
            let o = at(e.line(), e.column());
            Box::new(
                Finding::error(Rule::LoadSyntax, format!("{name} is not valid JSON: {e}")).at(
                    id,
                    o..(o + 1).min(text.len()).max(o),
                    "here",
                ),
            )
        });
    }
    // The parser takes time quadratic in the nesting before it refuses it: measure first.
    if let Err(deep) = super::yaml_depth::check(text) {
        let o = deep.offset;
        let line = text.get(..o).map_or(0, |t| t.matches('\n').count()) + 1;
        return Err(Box::new(
            Finding::error(
                Rule::LoadSyntax,
                format!(
                    "{name} nests deeper than {} levels (line {line}); not parsed",
                    super::yaml_depth::MAX_DEPTH
                ),
            )
            .at(id, o..(o + 1).min(text.len()).max(o), "one level too many")
            .help("OpenAPI documents nest a few dozen levels at most; YAML and JSON nesting is limited to 128 levels"),
        ));
    }
    let yaml = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(|e| {
        let mut f = Finding::error(Rule::LoadSyntax, format!("{name} is not valid YAML: {e}"));
        match e.location() {
            Some(l) => {
                let o = at(l.line(), l.column());
                f = f.at(id, o..(o + 1).min(text.len()).max(o), "here");
            }
            None => f = f.in_file(id),
        }
        Box::new(f)
    })?;
    Ok(Doc::whole(yaml_to_json(yaml)))
}

/// YAML values as JSON values: mapping keys that are numbers or booleans (`200:`) become
/// their text; other keys (sequences, mappings) are dropped; tags are ignored.
fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".into(),
                    _ => continue,
                };
                out.insert(key, yaml_to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

/// Byte offset of 1-based `line`, `col` (columns counted in characters).
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = text.get(start..).unwrap_or("");
    let within: usize = rest
        .chars()
        .take(col.saturating_sub(1))
        .take_while(|c| *c != '\n')
        .map(char::len_utf8)
        .sum();
    (start + within).min(text.len())
}

/// The span of the last of `needles` found in order in `text` (each after the previous),
/// falling back to the last one found: where an operation or scope most likely is.
pub fn locate(text: &str, needles: &[&str]) -> Range<usize> {
    let mut from = 0;
    let mut found = 0..0;
    for n in needles {
        if n.is_empty() {
            continue;
        }
        match text.get(from..).and_then(|t| t.find(n)) {
            Some(i) => {
                found = from + i..from + i + n.len();
                from = found.end;
            }
            None => break,
        }
    }
    found
}

/// [`locate`] starting at byte `from` (where the previous entry of the same list was
/// found: documents list their entries in order), falling back to the whole text when the
/// needles are not there; keeps locating every entry of a long list linear in its size.
pub fn locate_after(text: &str, from: usize, needles: &[&str]) -> Range<usize> {
    let from = (from..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    let found = locate(text.get(from..).unwrap_or(""), needles);
    if found.end > 0 {
        return from + found.start..from + found.end;
    }
    locate(text, needles)
}

/// Escape one JSON-pointer token (`/` as `~1`, `~` as `~0`).
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The value a JSON pointer fragment (`components/pathItems/p`, without `#/`, tokens
/// percent- and `~`-escaped) names in `root`, with its normalised pointer (`#/…`);
/// `Err`: the pointer up to the first token that names nothing.
fn follow<'v>(root: &'v Value, frag: &str) -> Result<(&'v Value, String), String> {
    let mut cur = root;
    let mut ptr = String::from("#");
    for tok in frag.split('/').filter(|_| !frag.is_empty()) {
        let tok = unescape(&percent_decode(tok));
        ptr.push('/');
        ptr.push_str(&pointer_token(&tok));
        let next = match cur {
            Value::Object(m) => m.get(&tok),
            Value::Array(a) => tok.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        cur = next.ok_or_else(|| ptr.clone())?;
    }
    Ok((cur, ptr))
}

fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// Reads one API's documents: the first through the caller, `$ref`d ones through the
/// reader, each added to the file store once.
pub struct Walker<'a> {
    pub files: &'a mut Files,
    pub reader: &'a dyn SpecReader,
    pub findings: Vec<Finding>,
    /// Documents read, shared (`Arc`) so walking one never copies it.
    docs: BTreeMap<String, (FileId, Doc)>,
    /// Documents read and parsed ahead, by path.
    ready: Option<&'a Prefetched>,
    /// Sparse documents parsed again whole (a `$ref` named a part left out).
    whole: std::collections::HashSet<String>,
}

/// A document parsed, or the finding saying why it does not parse.
type Parsed = Result<Doc, Box<Finding>>;

/// Documents read and parsed ahead of the walks (on other threads). Files that cannot be
/// read are not here (the walk reads them again and reports why).
#[derive(Default)]
pub struct Prefetched {
    docs: std::collections::HashMap<String, (FileId, Parsed)>,
}

impl Prefetched {
    /// The parsed documents, to drop off the caller's thread: freeing a large document's
    /// every node costs about as much as parsing it.
    pub fn into_values(self) -> Vec<Doc> {
        self.docs
            .into_values()
            .filter_map(|(_, r)| r.ok())
            .collect()
    }
}

impl Prefetched {
    /// Add a document parsed ahead.
    pub fn insert(&mut self, path: String, id: FileId, parsed: Parsed) {
        self.docs.insert(path, (id, parsed));
    }

    pub fn contains(&self, path: &str) -> bool {
        self.docs.contains_key(path)
    }

    /// Take a document out (its last user is done with it).
    pub fn remove(&mut self, path: &str) -> Option<Doc> {
        self.docs.remove(path).and_then(|(_, r)| r.ok())
    }
}

/// Parse `text` (the document `name`, stored as `id`) as [`parse_text`] does, without the
/// file store: for parsing on another thread.
pub fn parse_detached(name: &str, text: &str, id: FileId) -> Parsed {
    parse_str(name, text, id, true)
}

impl<'a> Walker<'a> {
    pub fn new(files: &'a mut Files, reader: &'a dyn SpecReader) -> Self {
        Walker {
            files,
            reader,
            findings: Vec::new(),
            docs: BTreeMap::new(),
            ready: None,
            whole: std::collections::HashSet::new(),
        }
    }

    /// Take documents from `ready` before reading them.
    pub fn with_prefetched(mut self, ready: &'a Prefetched) -> Self {
        self.ready = Some(ready);
        self
    }

    /// The documents this walk read, to drop off the caller's thread.
    pub fn into_values(self) -> Vec<Doc> {
        self.docs.into_values().map(|(_, v)| v).collect()
    }

    /// Read and parse `path` (relative to the registry), once.
    fn load(&mut self, path: &str, from: Option<(FileId, &str)>) -> Option<FileId> {
        if let Some((id, _)) = self.docs.get(path) {
            return Some(*id);
        }
        if self.docs.len() >= MAX_FILES_PER_API {
            self.err_from(
                from,
                format!("{path} is not read: an API's OpenAPI files and the files their $refs name are limited to {MAX_FILES_PER_API}"),
            );
            return None;
        }
        if let Some((id, parsed)) = self.ready.and_then(|r| r.docs.get(path)) {
            match parsed {
                Ok(v) => {
                    self.docs.insert(path.to_string(), (*id, v.clone()));
                    return Some(*id);
                }
                Err(f) => {
                    self.findings.push((**f).clone());
                    return None;
                }
            }
        }
        let bytes = match self.reader.read(path) {
            Ok(b) => b,
            Err(e) => {
                let id = self.files.add(path.to_string(), String::new());
                let mut f = Finding::error(Rule::LoadUnreadable, format!("{path}: {e}"));
                f = match from {
                    Some((fid, ptr)) => f.in_file(fid).note(format!("named at {ptr}")),
                    None => f.in_file(id),
                };
                self.findings.push(f);
                return None;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let id = self.files.add(path.to_string(), String::new());
                self.findings.push(
                    Finding::error(Rule::LoadNotUtf8, format!("{path} is not valid UTF-8"))
                        .in_file(id),
                );
                return None;
            }
        };
        let id = self.files.add(path.to_string(), text);
        match parse_text(self.files, id) {
            Ok(v) => {
                self.docs.insert(path.to_string(), (id, v));
                Some(id)
            }
            Err(f) => {
                self.findings.push(*f);
                None
            }
        }
    }

    fn err_from(&mut self, from: Option<(FileId, &str)>, msg: String) {
        let mut f = Finding::error(Rule::LoadInvalidValue, msg);
        if let Some((fid, ptr)) = from {
            let span = locate(
                self.files.text(fid),
                &[ptr.rsplit('/').next().unwrap_or("")],
            );
            f = f.at(fid, span, "here").note(format!("at {ptr}"));
        }
        self.findings.push(f);
    }

    /// Make sure `frag` (a JSON pointer without `#/`) can be followed in document `doc`:
    /// when a sparse parse left out what it names, parse the document whole, once.
    /// `None` after a finding (the whole parse failed, which the sparse one did not).
    fn whole_for(&mut self, doc: &str, frag: &str) -> Option<()> {
        let (id, root) = self
            .docs
            .get(doc)
            .map(|(id, v)| (*id, Arc::clone(&v.value)))?;
        if !is_sparse(self.files.name(id)) || self.whole.contains(doc) {
            return Some(());
        }
        if follow(&root, frag).is_ok() {
            return Some(());
        }
        match parse_whole(self.files, id) {
            Ok(v) => {
                self.whole.insert(doc.to_string());
                self.docs.insert(doc.to_string(), (id, v));
                Some(())
            }
            Err(f) => {
                self.findings.push(*f);
                None
            }
        }
    }

    fn value(&self, path: &str) -> Option<(FileId, &Value)> {
        self.docs.get(path).map(|(id, v)| (*id, v.value.as_ref()))
    }

    /// Follow `$ref`s from `v` (in document `doc`, at `ptr`) to the value they name.
    /// `None` after a finding (a URL, outside the repository, a cycle, a missing target).
    fn deref<'v>(
        &mut self,
        doc: &str,
        ptr: &str,
        v: &'v Value,
    ) -> Option<(String, String, std::borrow::Cow<'v, Value>)> {
        // No reference: the value itself, not a copy of it.
        if v.get("$ref").is_none() {
            return Some((
                doc.to_string(),
                ptr.to_string(),
                std::borrow::Cow::Borrowed(v),
            ));
        }
        let (mut doc, mut ptr, mut v) = (doc.to_string(), ptr.to_string(), v.clone());
        for _ in 0..=MAX_REF_DEPTH {
            let Some(r) = v.get("$ref") else {
                return Some((doc, ptr, std::borrow::Cow::Owned(v)));
            };
            let fid = self.docs.get(&doc).map(|(id, _)| *id)?;
            let Some(r) = r.as_str() else {
                self.err_from(
                    Some((fid, &ptr)),
                    format!("{doc}: `$ref` at {ptr} is not a string"),
                );
                return None;
            };
            let (file, frag) = r.split_once('#').unwrap_or((r, ""));
            if file.contains(':') || file.starts_with("//") {
                self.err_from(
                    Some((fid, &ptr)),
                    format!("{doc}: `$ref: {}` at {ptr} names a URL; scopectl never fetches references (copy the definition into the repository and refer to it by a relative path)", crate::text::clean(r)),
                );
                return None;
            }
            let target_doc = if file.is_empty() {
                doc.clone()
            } else if file.starts_with('/') || file.starts_with('\\') {
                self.err_from(
                    Some((fid, &ptr)),
                    format!("{doc}: `$ref: {}` at {ptr} is an absolute path; only paths relative to the referring file, inside the repository, are followed", crate::text::clean(r)),
                );
                return None;
            } else {
                let dir = doc.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                match join(dir, file) {
                    Some(p) => p,
                    None => {
                        self.err_from(
                            Some((fid, &ptr)),
                            format!(
                                "{doc}: `$ref: {}` at {ptr} leaves the repository",
                                crate::text::clean(r)
                            ),
                        );
                        return None;
                    }
                }
            };
            self.load(&target_doc, Some((fid, &ptr)))?;
            let frag = frag.strip_prefix('/').unwrap_or(frag);
            self.whole_for(&target_doc, frag)?;
            let (_, root) = self.value(&target_doc)?;
            let (cur, target_ptr) = match follow(root, frag) {
                Ok(found) => found,
                Err(target_ptr) => {
                    self.err_from(
                        Some((fid, &ptr)),
                        format!("{doc}: `$ref: {}` at {ptr} names nothing ({target_doc} has no {target_ptr})", crate::text::clean(r)),
                    );
                    return None;
                }
            };
            v = cur.clone();
            doc = target_doc;
            ptr = target_ptr;
        }
        let fid = self.docs.get(&doc).map(|(id, _)| *id);
        self.err_from(
            fid.map(|f| (f, ptr.as_str())),
            format!("{doc}: more than {MAX_REF_DEPTH} `$ref`s in a chain at {ptr} (a cycle?)"),
        );
        None
    }

    /// Read the document at `path` and every operation in it.
    pub fn spec(&mut self, path: &str) -> Spec {
        let mut spec = Spec::default();
        let Some(id) = self.load(path, None) else {
            spec.files_read = self.docs.len();
            return spec;
        };
        let Some(doc) = self.docs.get(path).map(|(_, d)| d.clone()) else {
            return spec;
        };
        let root = Arc::clone(&doc.value);
        let version = root.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.") {
            let what = match root.get("swagger") {
                Some(_) => "a Swagger 2.0 document".to_string(),
                None => "no `openapi: 3.x` member".to_string(),
            };
            self.findings.push(
                Finding::error(
                    Rule::LoadInvalidValue,
                    format!("{path} is not an OpenAPI 3.0 or 3.1 document ({what})"),
                )
                .at(id, locate(self.files.text(id), &["openapi"]), "here")
                .help("convert it to OpenAPI 3 (swagger2openapi), or describe the API with a table of operations"),
            );
            return spec;
        }
        // Security schemes: which are OAuth (their scopes count), and their scopes maps.
        let mut oauth: BTreeMap<String, bool> = BTreeMap::new();
        let no_map = serde_json::Map::new();
        let schemes = root
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .unwrap_or(&no_map);
        for (name, scheme) in schemes {
            let ptr = format!("#/components/securitySchemes/{}", pointer_token(name));
            let Some((sdoc, sptr, scheme)) = self.deref(path, &ptr, scheme) else {
                continue;
            };
            let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("");
            oauth.insert(name.clone(), matches!(kind, "oauth2" | "openIdConnect"));
            let Some(flows) = scheme.get("flows").and_then(Value::as_object) else {
                continue;
            };
            let Some((sid, _)) = self.value(&sdoc) else {
                continue;
            };
            let scheme_name: Arc<str> = Arc::from(name.as_str());
            for (flow, f) in flows {
                let Some(scopes) = f.get("scopes").and_then(Value::as_object) else {
                    continue;
                };
                let flow_name: Arc<str> = Arc::from(flow.as_str());
                let map_pointer: Arc<str> =
                    Arc::from(format!("{sptr}/flows/{}/scopes", pointer_token(flow)));
                let mut cursor: Option<usize> = None;
                for (scope, desc) in scopes {
                    let text = self.files.text(sid);
                    let span = match cursor {
                        None => locate(text, &[name, flow, "scopes", scope]),
                        Some(at) => locate_after(text, at, &[scope]),
                    };
                    cursor = Some(span.end);
                    spec.described.push(DescribedScope {
                        scheme: Arc::clone(&scheme_name),
                        flow: Arc::clone(&flow_name),
                        scope: scope.clone(),
                        description: desc.as_str().unwrap_or("").to_string(),
                        file: sid,
                        span,
                        map_pointer: Arc::clone(&map_pointer),
                    });
                }
            }
        }
        let doc_step_up = step_up_hint(&root);
        let global = root.get("security").cloned();
        for server in root
            .get("servers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(url) = server.get("url").and_then(Value::as_str) {
                let after_host = match url.split_once("://") {
                    Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or(""),
                    None => url,
                };
                let base = after_host.trim_end_matches('/');
                if base.starts_with('/') && !base.contains('{') {
                    spec.base_paths.push(base.to_string());
                }
            }
        }
        let mut cx = Ctx {
            global,
            oauth,
            doc_step_up,
            cursor: None,
        };
        match &doc.paths {
            // A sparse document: its path items, parsed compactly.
            Some(items) => {
                for (p, item) in items.iter() {
                    match item {
                        Item::Ref(v) => self.value_item(&mut cx, &mut spec, path, p, v),
                        Item::Ops(ops) => self.lite_item(&mut cx, &mut spec, id, p, ops),
                    }
                }
            }
            None => {
                let paths = root
                    .get("paths")
                    .and_then(Value::as_object)
                    .unwrap_or(&no_map);
                for (p, item) in paths {
                    self.value_item(&mut cx, &mut spec, path, p, item);
                }
            }
        }
        spec.files_read = self.docs.len();
        spec
    }

    /// The operations of one path item given as a JSON value (following its `$ref`).
    fn value_item(&mut self, cx: &mut Ctx, spec: &mut Spec, path: &str, p: &str, item: &Value) {
        let ptr = format!("#/paths/{}", pointer_token(p));
        let Some((idoc, iptr, item)) = self.deref(path, &ptr, item) else {
            return;
        };
        let Some((iid, _)) = self.value(&idoc) else {
            return;
        };
        let iptr: Arc<str> = Arc::from(iptr);
        let mut path_at: Option<Range<usize>> = None;
        for (i, m) in METHODS.iter().enumerate() {
            let Some(op) = item.get(*m) else { continue };
            let at = OpAt {
                path: p,
                method: i,
                item_ptr: &iptr,
                security: op.get("security"),
                step_up: step_up_hint(op),
                file: iid,
                in_root: idoc == path,
            };
            self.push_op(cx, spec, at, &mut path_at);
        }
    }

    /// The operations of one path item of a sparse document's `paths`.
    fn lite_item(&mut self, cx: &mut Ctx, spec: &mut Spec, file: FileId, p: &str, ops: &[Op]) {
        let iptr: Arc<str> = Arc::from(format!("#/paths/{}", pointer_token(p)));
        let mut ops: Vec<&Op> = ops.iter().collect();
        ops.sort_by_key(|o| o.method);
        let mut path_at: Option<Range<usize>> = None;
        for op in ops {
            let at = OpAt {
                path: p,
                method: op.method,
                item_ptr: &iptr,
                security: op.security.as_ref(),
                step_up: op.step_up,
                file,
                in_root: true,
            };
            self.push_op(cx, spec, at, &mut path_at);
        }
    }

    /// One operation: its requirement and where it is.
    fn push_op(
        &mut self,
        cx: &mut Ctx,
        spec: &mut Spec,
        at: OpAt,
        path_at: &mut Option<Range<usize>>,
    ) {
        let (Some(method), Some(upper)) = (METHODS.get(at.method), METHODS_UPPER.get(at.method))
        else {
            return;
        };
        let item_ptr = at.item_ptr;
        let optr = || format!("{item_ptr}/{method}");
        let requirements = match at.security.or(cx.global.as_ref()) {
            None => vec![Vec::new()],
            Some(s) => match self.requirements(at.file, &optr, s, &cx.oauth) {
                Some(r) => r,
                None => return,
            },
        };
        let text = self.files.text(at.file);
        let span = if at.in_root {
            // The path key, found once per path from where the previous one was.
            let cursor = cx.cursor;
            let end = path_at
                .get_or_insert_with(|| match cursor {
                    None => locate(text, &["paths", at.path]),
                    Some(c) => locate_after(text, c, &[at.path]),
                })
                .end;
            cx.cursor = Some(end);
            locate_after(text, end, &[method])
        } else {
            locate(text, &[method])
        };
        spec.operations.push(Operation {
            method: upper,
            path: at.path.to_string(),
            requirements,
            step_up: cx.doc_step_up || at.step_up,
            file: at.file,
            span,
            item_pointer: Arc::clone(at.item_ptr),
        });
    }

    /// A `security` value: alternatives, each the OAuth scopes of its schemes.
    fn requirements(
        &mut self,
        file: FileId,
        ptr: &dyn Fn() -> String,
        security: &Value,
        oauth: &BTreeMap<String, bool>,
    ) -> Option<Vec<Vec<String>>> {
        let Some(list) = security.as_array() else {
            self.err_from(
                Some((file, &ptr())),
                format!(
                    "{}: `security` at {} is not a list of requirement objects",
                    self.files.name(file),
                    ptr()
                ),
            );
            return None;
        };
        if list.is_empty() {
            // `security: []`: no authentication.
            return Some(vec![Vec::new()]);
        }
        let mut out = Vec::new();
        for (i, req) in list.iter().enumerate() {
            let Some(req) = req.as_object() else {
                self.err_from(
                    Some((file, &ptr())),
                    format!(
                        "{}: `security/{i}` at {} is not an object",
                        self.files.name(file),
                        ptr()
                    ),
                );
                return None;
            };
            let mut scopes = Vec::new();
            for (scheme, list) in req {
                match oauth.get(scheme) {
                    None => {
                        let name = self.files.name(file).to_string();
                        self.err_from(
                            Some((file, &ptr())),
                            format!("{name}: the security requirement at {}/security/{i} names the scheme `{}`, which components.securitySchemes does not define", ptr(), crate::text::clean(scheme)),
                        );
                        return None;
                    }
                    Some(false) => {}
                    Some(true) => {
                        for s in list.as_array().into_iter().flatten() {
                            if let Some(s) = s.as_str() {
                                if !scopes.iter().any(|x| x == s) {
                                    scopes.push(s.to_string());
                                }
                            }
                        }
                    }
                }
            }
            out.push(scopes);
        }
        Some(out)
    }
}

/// `x-scopectl-step-up: true` or `x-step-up: true` (or a non-empty object or string).
fn step_up_hint(v: &Value) -> bool {
    ["x-scopectl-step-up", "x-step-up"]
        .iter()
        .any(|k| v.get(*k).is_some_and(step_up_value))
}

/// Whether a step-up hint's value asks for step-up: `true`, a non-empty object or string.
pub fn step_up_value(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Object(m) => !m.is_empty(),
        Value::String(s) => !s.is_empty(),
        _ => false,
    }
}

/// What the walk of one document's operations carries from one path item to the next.
struct Ctx {
    /// The document's own `security`.
    global: Option<Value>,
    /// Security schemes by name: whether they are OAuth (their scopes count).
    oauth: BTreeMap<String, bool>,
    doc_step_up: bool,
    /// Where the previous path was found in the root document.
    cursor: Option<usize>,
}

/// One operation as the walk found it.
struct OpAt<'x> {
    path: &'x str,
    /// Index into [`METHODS`].
    method: usize,
    /// The JSON pointer of its path item.
    item_ptr: &'x Arc<str>,
    security: Option<&'x Value>,
    step_up: bool,
    file: FileId,
    /// In the document the API names (not a `$ref`d one).
    in_root: bool,
}

/// `dir` joined with a relative `rel`, `.` and `..` resolved lexically; `None` when it
/// climbs above the registry's repository boundary is for the reader to say, but above
/// the start of the path (more `..` than `dir` has, past the leading `../`s it already
/// has) is kept as leading `../`.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in dir.split('/').chain(rel.split('/')) {
        match c {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&"..") | None => parts.push(".."),
                Some(_) => {
                    parts.pop();
                }
            },
            c if c.contains('\\') || c.contains('\0') => return None,
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_resolves_dots() {
        assert_eq!(join("specs", "a.yaml").as_deref(), Some("specs/a.yaml"));
        assert_eq!(join("specs", "../a.yaml").as_deref(), Some("a.yaml"));
        assert_eq!(join("", "../x/a.yaml").as_deref(), Some("../x/a.yaml"));
        assert_eq!(
            join("../x", "../../a.yaml").as_deref(),
            Some("../../a.yaml")
        );
        assert_eq!(join("x", "a\\b"), None);
    }

    #[test]
    fn locate_finds_needles_in_order() {
        let t = "paths:\n  /a:\n    get: {}\n  /b:\n    get: {}\n";
        let s = locate(t, &["paths", "/b", "get"]);
        assert_eq!(&t[s.clone()], "get");
        assert!(s.start > t.find("/b").unwrap_or(0));
    }

    #[test]
    fn offsets_count_lines_and_characters() {
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab", 9, 9), 2);
    }
}
