//! APIs in the registry (`apis/*.toml`): each API's audience, owner, and what each of its
//! operations needs, from OpenAPI files ([`super::openapi`]) or a table of operations.
//!
//! The TOML is loaded with the rest of the registry ([`super::Registry::load`]); the
//! OpenAPI files it names are read afterwards by [`resolve`] through a [`SpecReader`]
//! ([`DiskReader`] for a registry on disk). Until then an API with OpenAPI files is not
//! [`Api::resolved`], and the checks that need every API's operations (a scope no API
//! needs, a grant no audience accepts) say nothing rather than guess.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::openapi::{self, DescribedScope, Operation, SpecReader};
use super::types::Sp;
use super::{Loaded, Registry};
use crate::finding::{FileId, Finding};
use crate::rules::Rule;

/// Largest OpenAPI file scopectl reads (the same bound as a registry file).
pub const MAX_SPEC_BYTES: u64 = super::source::MAX_FILE_BYTES;

/// A file under `apis/`: APIs, one table per API.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl APIs file (apis/*.toml)")]
pub struct ApisFile {
    #[serde(default)]
    pub apis: BTreeMap<Sp<String>, Sp<ApiDef>>,
}

/// `[apis.NAME]`: an API (a resource server) and what its operations need.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiDef {
    /// The audience (`aud`) of the tokens this API accepts.
    #[serde(alias = "aud")]
    pub audience: Sp<String>,
    /// The accountable owner (a team or a person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sp<String>>,
    /// OpenAPI 3.0 or 3.1 files (YAML or JSON), relative to the registry folder; `../`
    /// may reach the rest of the repository, never outside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub openapi: Vec<Sp<String>>,
    /// Without OpenAPI (or in addition): `"POST /payments" = ["payments:create"]`, the
    /// scopes an operation needs (all of them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operations: BTreeMap<Sp<String>, Vec<Sp<String>>>,
    /// Every operation of this API checks fresh authentication (`auth_time`) before
    /// serving a step-up scope: the step-up hint for all its operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<Sp<bool>>,
}

/// An API of the registry with its operations.
#[derive(Debug, Clone)]
pub struct Api {
    pub name: String,
    pub file: FileId,
    pub name_span: Range<usize>,
    pub def: ApiDef,
    /// Operations from the table and, once [`resolve`]d, from the OpenAPI files.
    pub operations: Vec<Operation>,
    /// The scopes maps of the OpenAPI files' OAuth flows.
    pub described: Vec<DescribedScope>,
    /// `servers[].url` path prefixes (`/v1`).
    pub base_paths: Vec<String>,
    /// False while the OpenAPI files it names have not been read.
    pub resolved: bool,
    /// Why its OpenAPI files could not be read (the messages of the `load/*` findings
    /// [`resolve`] raised for it); empty when they were, or were not tried.
    pub unread: Vec<String>,
}

impl Api {
    /// Every scope some operation needs.
    pub fn needed(&self) -> BTreeSet<&str> {
        self.operations
            .iter()
            .flat_map(|o| o.scopes())
            .map(String::as_str)
            .collect()
    }
}

/// The APIs of the TOML files, with the operations of their tables (OpenAPI files are
/// read by [`resolve`]).
pub(super) fn load(
    files: Vec<(FileId, ApisFile)>,
    out: &mut Vec<Finding>,
) -> BTreeMap<String, Api> {
    let mut apis: BTreeMap<String, Api> = BTreeMap::new();
    for (file, af) in files {
        for (name, def) in af.apis {
            if let Some(first) = apis.get(name.as_str()) {
                out.push(
                    Finding::error(
                        Rule::LoadDuplicateKey,
                        format!("API `{}` is defined twice", crate::text::clean(&name)),
                    )
                    .at(file, name.span(), "defined again here")
                    .also(
                        first.file,
                        first.name_span.clone(),
                        "first defined here",
                    ),
                );
                continue;
            }
            let span = def.span();
            let def = def.into_inner();
            for t in [&name, &def.audience]
                .into_iter()
                .chain(def.owner.iter())
                .chain(def.description.iter())
                .chain(def.openapi.iter())
            {
                super::check_text(file, t, out);
            }
            if def.audience.trim().is_empty() {
                out.push(
                    Finding::error(Rule::LoadInvalidValue, "`audience` is empty").at(
                        file,
                        def.audience.span(),
                        "the `aud` tokens for this API carry",
                    ),
                );
            }
            if def.openapi.is_empty() && def.operations.is_empty() {
                out.push(
                    Finding::error(
                        Rule::LoadMissingKey,
                        format!("API `{}` names no OpenAPI file and no operations", crate::text::clean(&name)),
                    )
                    .at(file, span.clone(), "in this table")
                    .help("add `openapi = [\"path/to/openapi.yaml\"]` or an `[apis.NAME.operations]` table (`\"POST /payments\" = [\"payments:create\"]`)"),
                );
            }
            for p in &def.openapi {
                if let Some(why) = path_problem(p) {
                    out.push(
                        Finding::error(Rule::LoadInvalidValue, format!("OpenAPI path `{}` {why}", crate::text::clean(p)))
                            .at(file, p.span(), "not a relative path inside the repository")
                            .help("name the file relative to the registry folder (`../` may reach the rest of the repository)"),
                    );
                }
            }
            let mut operations = Vec::new();
            let table: std::sync::Arc<str> =
                std::sync::Arc::from(format!("[apis.{}.operations]", name.get()));
            for (key, scopes) in &def.operations {
                let Some((method, path)) = parse_operation(key) else {
                    out.push(
                        Finding::error(Rule::LoadInvalidValue, format!("`{}` is not an operation like \"POST /payments\"", crate::text::clean(key)))
                            .at(file, key.span(), "METHOD /path")
                            .help("an HTTP method, one space, and a path starting with `/` (templates like `/payments/{id}` match concrete paths)"),
                    );
                    continue;
                };
                for s in scopes {
                    super::check_scope_token(file, s, out);
                }
                operations.push(Operation {
                    method,
                    path,
                    requirements: vec![scopes.iter().map(|s| s.get().clone()).collect()],
                    step_up: def.step_up.as_ref().is_some_and(|b| **b),
                    file,
                    span: key.span(),
                    item_pointer: std::sync::Arc::clone(&table),
                });
            }
            apis.insert(
                name.get().clone(),
                Api {
                    name: name.get().clone(),
                    file,
                    name_span: name.span(),
                    resolved: def.openapi.is_empty(),
                    def,
                    operations,
                    described: Vec::new(),
                    base_paths: Vec::new(),
                    unread: Vec::new(),
                },
            );
        }
    }
    apis
}

/// `"POST /payments/{id}"` as (`POST`, `/payments/{id}`).
pub fn parse_operation(key: &str) -> Option<(&'static str, String)> {
    let (method, path) = key.trim().split_once(' ')?;
    let method = openapi::method_upper(method)?;
    let path = path.trim();
    (path.starts_with('/') && !path.contains(' ')).then(|| (method, path.to_string()))
}

/// Why a path written in an API's `openapi` cannot be read, lexically.
fn path_problem(p: &str) -> Option<&'static str> {
    let path = Path::new(p);
    if p.is_empty() {
        return Some("is empty");
    }
    if path.is_absolute() || p.starts_with('/') || p.starts_with('\\') || p.contains(':') {
        return Some("is absolute or a URL; OpenAPI files are named relative to the registry");
    }
    if p.contains('\\') || p.contains('\0') {
        return Some("contains a backslash or NUL");
    }
    None
}

/// Read every unresolved API's OpenAPI files through `reader`, adding the files to the
/// registry's store and problems (`load/*`) to the diagnostics.
pub fn resolve(loaded: &mut Loaded, reader: &dyn SpecReader) {
    let names: Vec<String> = loaded
        .registry
        .apis
        .iter()
        .filter(|(_, a)| !a.resolved)
        .map(|(n, _)| n.clone())
        .collect();
    // Freeing every node of large documents costs about as much as parsing them: done on
    // another thread, which the process does not wait for when it exits.
    let (drop_tx, drop_rx) = std::sync::mpsc::channel::<Vec<openapi::Doc>>();
    let _ = std::thread::Builder::new().spawn(move || {
        for batch in drop_rx {
            drop(batch)
        }
    });
    // The APIs' own files are read here, in order, and parsed on other threads while
    // the APIs before them are walked: a bounded channel keeps at most a few parsed
    // documents waiting, and each is freed once the last API naming it is walked.
    let mut uses: HashMap<String, usize> = HashMap::new();
    let own = |api: &Api| -> Vec<String> {
        let mut v: Vec<String> = api
            .def
            .openapi
            .iter()
            .filter(|p| path_problem(p).is_none())
            .filter_map(|p| openapi::join("", p))
            .collect();
        v.dedup();
        v
    };
    let mut jobs: VecDeque<(String, FileId, String)> = VecDeque::new();
    for name in &names {
        let Some(api) = loaded.registry.apis.get(name) else {
            continue;
        };
        for p in own(api) {
            let n = uses.entry(p.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                continue;
            }
            let Ok(bytes) = reader.read(&p) else { continue };
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            let id = loaded.registry.files.add(p.clone(), text.clone());
            jobs.push_back((p, id, text));
        }
    }
    let queued: HashSet<String> = jobs.iter().map(|(p, _, _)| p.clone()).collect();
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .saturating_sub(1)
        .clamp(1, 8);
    let jobs = std::sync::Mutex::new(jobs);
    let (tx, rx) = std::sync::mpsc::sync_channel(4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let jobs = &jobs;
            // A thread the system refuses: the walks read and parse those files themselves.
            let _ = std::thread::Builder::new().spawn_scoped(s, move || loop {
                let job = match jobs.lock() {
                    Ok(mut q) => q.pop_front(),
                    Err(_) => None,
                };
                let Some((p, id, text)) = job else { break };
                let parsed = openapi::parse_detached(&p, &text, id);
                if tx.send((p, id, parsed)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut ready = openapi::Prefetched::default();
        for name in &names {
            let wanted = loaded.registry.apis.get(name).map(own).unwrap_or_default();
            for p in wanted.iter().filter(|p| queued.contains(*p)) {
                while !ready.contains(p) {
                    match rx.recv() {
                        Ok((q, id, parsed)) => ready.insert(q, id, parsed),
                        // Every parser stopped: the walk reads what is missing itself.
                        Err(_) => break,
                    }
                }
            }
            let mut done = Vec::new();
            resolve_one(loaded, reader, name, &ready, &mut done);
            for p in &wanted {
                if let Some(n) = uses.get_mut(p) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        done.extend(ready.remove(p));
                    }
                }
            }
            if let Err(e) = drop_tx.send(done) {
                drop(e.0);
            }
        }
        // Parsers blocked on a full channel (a file no API waited for) finish here.
        for _ in rx.iter() {}
    });
}

/// Walk one API's OpenAPI files (from `ready` when read ahead), adding its operations.
fn resolve_one(
    loaded: &mut Loaded,
    reader: &dyn SpecReader,
    name: &str,
    ready: &openapi::Prefetched,
    done: &mut Vec<openapi::Doc>,
) {
    let registry = &mut loaded.registry;
    {
        let Some(api) = registry.apis.get(name) else {
            return;
        };
        let paths: Vec<(String, FileId, Range<usize>)> = api
            .def
            .openapi
            .iter()
            .filter(|p| path_problem(p).is_none())
            .map(|p| (p.get().clone(), api.file, p.span()))
            .collect();
        let mut walker = openapi::Walker::new(&mut registry.files, reader).with_prefetched(ready);
        let mut specs = Vec::new();
        for (p, file, span) in paths {
            let Some(rel) = openapi::join("", &p) else {
                continue;
            };
            let before = walker.findings.len();
            let spec = walker.spec(&rel);
            for f in &mut walker.findings[before..] {
                if f.primary.is_none() {
                    *f = f.clone().at(file, span.clone(), "named here");
                }
            }
            specs.push(spec);
        }
        let findings = std::mem::take(&mut walker.findings);
        done.extend(walker.into_values());
        let failed = !findings.is_empty();
        let unread: Vec<String> = findings.iter().map(|f| f.message.clone()).collect();
        loaded.diagnostics.extend(findings);
        let Some(api) = registry.apis.get_mut(name) else {
            return;
        };
        for s in specs {
            api.operations.extend(s.operations);
            api.described.extend(s.described);
            api.base_paths.extend(s.base_paths);
        }
        api.resolved = !failed;
        api.unread = unread;
    }
}

/// Reads OpenAPI files of a registry on disk: regular files inside the repository that
/// holds the registry (the nearest folder above it with `.git`, else the registry folder
/// itself), at most [`MAX_SPEC_BYTES`]; symlinks are resolved and must stay inside.
pub struct DiskReader {
    root: PathBuf,
    boundary: PathBuf,
}

impl DiskReader {
    pub fn new(registry_root: &Path) -> Option<DiskReader> {
        let root = registry_root.canonicalize().ok()?;
        let boundary = root
            .ancestors()
            .find(|a| a.join(".git").exists())
            .unwrap_or(&root)
            .to_path_buf();
        Some(DiskReader { root, boundary })
    }
}

impl SpecReader for DiskReader {
    fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
        let mut path = self.root.clone();
        for c in Path::new(rel).components() {
            match c {
                Component::Normal(n) => path.push(n),
                Component::ParentDir => {
                    path.pop();
                }
                Component::CurDir => {}
                _ => return Err("is not a relative path; not read".into()),
            }
            if !path.starts_with(&self.boundary) {
                return Err(format!(
                    "leaves the repository ({}); not read",
                    self.boundary.display()
                ));
            }
        }
        let real = path
            .canonicalize()
            .map_err(|e| format!("cannot be read ({e})"))?;
        if !real.starts_with(&self.boundary) {
            return Err(format!(
                "resolves to {}, outside the repository; not read",
                real.display()
            ));
        }
        let meta = std::fs::metadata(&real).map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("is not a regular file; not read".into());
        }
        if meta.len() > MAX_SPEC_BYTES {
            return Err(format!(
                "is {} bytes; OpenAPI files are limited to {} MiB",
                meta.len(),
                MAX_SPEC_BYTES / 1024 / 1024
            ));
        }
        use std::io::Read as _;
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        std::fs::File::open(&real)
            .and_then(|f| f.take(MAX_SPEC_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_SPEC_BYTES {
            return Err(format!(
                "is over {} MiB; not read",
                MAX_SPEC_BYTES / 1024 / 1024
            ));
        }
        Ok(bytes)
    }
}

/// Resolve the APIs of a registry read from the folder `root`.
pub fn resolve_dir(loaded: &mut Loaded, root: &Path) {
    if loaded.registry.apis.values().all(|a| a.resolved) {
        return;
    }
    match DiskReader::new(root) {
        Some(reader) => resolve(loaded, &reader),
        None => loaded.diagnostics.push(Finding::error(
            Rule::LoadUnreadable,
            format!("cannot resolve {} to read OpenAPI files", root.display()),
        )),
    }
}

/// The `flows.*.scopes` map an API's OpenAPI files should have: every scope its
/// operations need that the registry defines, with the registry's description.
pub fn export_scopes(registry: &Registry, api: &Api) -> BTreeMap<String, String> {
    api.needed()
        .into_iter()
        .filter_map(|s| {
            let def = registry.scopes.get(s)?;
            Some((s.to_string(), def.def.description.get().clone()))
        })
        .collect()
}

/// One way a spec's scopes map differs from [`export_scopes`].
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// `securitySchemes` name and flow: `oauth/clientCredentials`.
    pub flow: String,
    pub scope: String,
    /// `missing` (in the registry's map, not the spec's), `extra` (in the spec's, not
    /// needed or not defined), `description` (differs).
    pub kind: &'static str,
    pub expected: Option<String>,
    pub found: Option<String>,
}

/// Compare the scopes maps of every OAuth flow of `spec` with `expected`.
pub fn stale_entries(
    expected: &BTreeMap<String, String>,
    spec: &[DescribedScope],
) -> Vec<Difference> {
    let mut flows: BTreeMap<String, BTreeMap<&str, &str>> = BTreeMap::new();
    for d in spec {
        flows
            .entry(format!("{}/{}", d.scheme, d.flow))
            .or_default()
            .insert(&d.scope, &d.description);
    }
    let mut out = Vec::new();
    if flows.is_empty() {
        for (s, desc) in expected {
            out.push(Difference {
                flow: "(no OAuth flow)".into(),
                scope: s.clone(),
                kind: "missing",
                expected: Some(desc.clone()),
                found: None,
            });
        }
    }
    for (flow, map) in &flows {
        for (s, desc) in expected {
            match map.get(s.as_str()) {
                None => out.push(Difference {
                    flow: flow.clone(),
                    scope: s.clone(),
                    kind: "missing",
                    expected: Some(desc.clone()),
                    found: None,
                }),
                Some(found) if found.trim() != desc.trim() => out.push(Difference {
                    flow: flow.clone(),
                    scope: s.clone(),
                    kind: "description",
                    expected: Some(desc.clone()),
                    found: Some(found.to_string()),
                }),
                Some(_) => {}
            }
        }
        for (s, found) in map {
            if !expected.contains_key(*s) {
                out.push(Difference {
                    flow: flow.clone(),
                    scope: s.to_string(),
                    kind: "extra",
                    expected: None,
                    found: Some(found.to_string()),
                });
            }
        }
    }
    out
}

/// Read one OpenAPI file named on the command line (`apis export --check FILE`) and
/// return its scopes maps; `Err` with the findings that say why it could not be read.
pub fn read_spec_file(
    path: &Path,
) -> Result<(crate::finding::Files, Vec<DescribedScope>), (crate::finding::Files, Vec<Finding>)> {
    struct One(PathBuf);
    impl SpecReader for One {
        fn read(&self, rel: &str) -> Result<Vec<u8>, String> {
            let dir = self.0.parent().map(Path::to_path_buf).unwrap_or_default();
            let reader = DiskReader::new(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                &dir
            })
            .ok_or_else(|| "cannot resolve its folder".to_string())?;
            reader.read(rel)
        }
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut files = crate::finding::Files::new();
    let reader = One(path.to_path_buf());
    let mut walker = openapi::Walker::new(&mut files, &reader);
    let spec = walker.spec(&name);
    let findings = std::mem::take(&mut walker.findings);
    if findings.is_empty() {
        Ok((files, spec.described))
    } else {
        Err((files, findings))
    }
}

/// `{"scopes": …}` ready to paste under an OAuth flow: JSON (pretty) or YAML.
pub fn render_export(map: &BTreeMap<String, String>, yaml: bool) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Doc<'a> {
        scopes: &'a BTreeMap<String, String>,
    }
    let doc = Doc { scopes: map };
    Ok(if yaml {
        serde_yaml_ng::to_string(&doc)?
    } else {
        let mut s = serde_json::to_string_pretty(&doc)?;
        s.push('\n');
        s
    })
}

/// The `--check` answer: one line per difference (human), or a JSON document (version 1).
pub fn render_check(
    api: &str,
    file: &str,
    diffs: &[Difference],
    json: bool,
) -> anyhow::Result<String> {
    if json {
        let doc = serde_json::json!({
            "version": 1,
            "api": api,
            "file": file,
            "stale": !diffs.is_empty(),
            "differences": diffs,
        });
        let mut s = serde_json::to_string_pretty(&doc)?;
        s.push('\n');
        return Ok(s);
    }
    if diffs.is_empty() {
        return Ok(format!(
            "{file}: the scopes maps match the registry's for API `{api}`\n"
        ));
    }
    let mut out = format!(
        "{file}: the scopes maps are stale for API `{api}` ({} difference{}):\n",
        diffs.len(),
        if diffs.len() == 1 { "" } else { "s" }
    );
    for d in diffs {
        let line = match d.kind {
            "missing" => format!("  {}: `{}` is missing (registry: \"{}\")", d.flow, d.scope, d.expected.as_deref().unwrap_or("")),
            "extra" => format!("  {}: `{}` is not needed by any operation of the API, or not defined in the registry", d.flow, d.scope),
            _ => format!(
                "  {}: `{}` is described \"{}\"; the registry says \"{}\"",
                d.flow,
                d.scope,
                d.found.as_deref().unwrap_or(""),
                d.expected.as_deref().unwrap_or("")
            ),
        };
        out.push_str(&crate::text::clean(&line));
        out.push('\n');
    }
    out.push_str(&format!(
        "write the registry's map with `scopectl apis export openapi {api}`\n"
    ));
    Ok(out)
}
