//! The shape of the code, checked (docs/ARCHITECTURE.md): no import cycle between the
//! library's top-level modules, a doc comment on every module, and command modules that
//! stay adapters.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/diff/render.rs` → `diff`), or `None` for
/// the binary's files and the crate roots.
fn top_module(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "main" | "lib" | "cli" | "commands")).then_some(name)
}

/// Modules named as `crate::NAME` (or `scopectl::NAME`), comments left out.
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for prefix in ["crate::", "scopectl::"] {
            let mut rest = code;
            while let Some(i) = rest.find(prefix) {
                let before = rest[..i].chars().next_back();
                rest = &rest[i + prefix.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a, b::c}`: every first segment in the group.
                    let end = group.find('}').unwrap_or(group.len());
                    for part in group[..end].split(',') {
                        let name: String = part
                            .trim()
                            .chars()
                            .take_while(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'
                            })
                            .collect();
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                    continue;
                }
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(top) = top_module(f) else { continue };
        let text = std::fs::read_to_string(f).expect("read");
        let refs = references(&text);
        let entry = graph.entry(top.clone()).or_default();
        entry.extend(refs.into_iter().filter(|r| *r != top));
    }
    let known: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| known.contains(d));
    }
    graph
}

fn reachable(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(m) = stack.pop() {
        for d in graph.get(&m).into_iter().flatten() {
            if seen.insert(d.clone()) {
                stack.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn no_import_cycles_between_top_level_modules() {
    let graph = graph();
    assert!(graph.len() > 5, "module graph not found: {graph:?}");
    let mut cycles = BTreeSet::new();
    for m in graph.keys() {
        let from_m = reachable(&graph, m);
        if from_m.contains(m) {
            let cycle: BTreeSet<String> = from_m
                .iter()
                .filter(|o| reachable(&graph, o).contains(m))
                .cloned()
                .collect();
            cycles.insert(cycle.into_iter().collect::<Vec<_>>().join(" "));
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between top-level modules (see docs/ARCHITECTURE.md): {cycles:?}"
    );
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let refs = references("use crate::{a, b::c};\nlet x = crate::d::e(); // crate::z\nmy_crate::q");
    assert_eq!(
        refs,
        ["a", "b", "d"].iter().map(|s| s.to_string()).collect()
    );
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["a".to_string()].into());
    assert!(reachable(&g, "a").contains("a"));
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` doc comment: {missing:?}"
    );
}

#[test]
fn command_modules_are_adapters() {
    let dir = src().join("commands");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).expect("read").lines().count();
            (lines > 110).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "command modules are adapters of about 100 lines (arguments → library → renderer → outcome); move logic into the library: {long:?}"
    );
}

/// The layers of docs/ARCHITECTURE.md's module table, bottom first: a module uses only
/// modules listed before it.
const LAYERS: &[&str] = &[
    "text",
    "rules",
    "net",
    "finding",
    "registry",
    "output",
    "lint",
    "usage",
    "edit",
    "history",
    "diff",
    "report",
    "token",
    "push",
    "keyring",
    "introspect",
    "collect",
    "import",
    "init",
    "codeowners",
    "schema",
    "synth",
];

#[test]
fn modules_use_only_the_layers_below_them() {
    let graph = graph();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for (m, deps) in &graph {
        let Some(rm) = rank(m) else {
            wrong.push(format!(
                "{m} is not in docs/ARCHITECTURE.md's module table (LAYERS)"
            ));
            continue;
        };
        for d in deps {
            if rank(d).is_none_or(|rd| rd >= rm) {
                wrong.push(format!("{m} uses {d}, which is not below it"));
            }
        }
    }
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md"))
            .expect("docs/ARCHITECTURE.md");
    for m in LAYERS {
        if !doc.contains(&format!("`{m}`")) {
            wrong.push(format!("docs/ARCHITECTURE.md does not describe `{m}`"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
