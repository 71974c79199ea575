//! The documentation holds together: every relative Markdown link with an anchor in
//! README.md and docs/*.md points at a heading (GitHub's slug) or an `<a id>` that exists,
//! and help texts point at commands that exist.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// GitHub's heading anchor: lowercase, spaces to `-`, punctuation other than `-` and `_`
/// dropped (Markdown code, emphasis and link syntax included).
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors a Markdown file defines: heading slugs (with GitHub's `-1`, `-2` for
/// repeats) and `<a id="…">` / `<a name="…">`; code blocks left out.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut fenced = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            let h = h.trim_start_matches('#');
            if h.starts_with(' ') {
                let s = slug(h);
                let n = seen.entry(s.clone()).or_insert(0);
                out.insert(if *n == 0 {
                    s.clone()
                } else {
                    format!("{s}-{n}")
                });
                *n += 1;
            }
        }
        for attr in ["<a id=\"", "<a name=\""] {
            let mut rest = line;
            while let Some(i) = rest.find(attr) {
                rest = &rest[i + attr.len()..];
                if let Some(end) = rest.find('"') {
                    out.insert(rest[..end].to_string());
                }
            }
        }
    }
    out
}

/// `(target, anchor)` of every Markdown link `](target#anchor)` outside code blocks that
/// is relative (not a URL); target "" for a link into the same file.
fn anchored_links(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let link = &rest[..end];
            rest = &rest[end..];
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            if let Some((target, anchor)) = link.split_once('#') {
                out.push((target.to_string(), anchor.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_relative_link_anchor_exists() {
    let mut files = vec![root().join("README.md")];
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (target, anchor) in anchored_links(&text) {
            let path = if target.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(&target)
            };
            checked += 1;
            let Ok(target_text) = std::fs::read_to_string(&path) else {
                broken.push(format!(
                    "{}: {target}#{anchor}: no such file",
                    file.display()
                ));
                continue;
            };
            if !anchors(&target_text).contains(&anchor) {
                broken.push(format!(
                    "{}: {target}#{anchor}: no such anchor",
                    file.display()
                ));
            }
        }
    }
    assert!(checked >= 2, "anchored links not found ({checked})");
    assert!(broken.is_empty(), "broken anchors:\n{}", broken.join("\n"));
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("`scopectl lint [PATH]`"), "scopectl-lint-path");
    assert_eq!(slug("In CI (GitHub Actions)"), "in-ci-github-actions");
    assert_eq!(
        slug("Pushing to authorization servers: `scopectl plan | apply | drift`"),
        "pushing-to-authorization-servers-scopectl-plan--apply--drift"
    );
    assert_eq!(slug("grant/expired"), "grantexpired");
}

#[test]
fn unknown_key_help_names_the_schema_kind() {
    for (path, text, kind) in [
        ("scopectl.toml", "[policy]\nexpiry_warnin = \"30d\"\n", "policy"),
        ("scopes/s.toml", "[scopes.\"a:b\"]\ndescription = \"x\"\nowner = \"t\"\nsensitivity = \"low\"\nownr = \"t\"\n", "scope"),
        ("clients/c.toml", "[client]\nid = \"c\"\nowner = \"t\"\nfoo = 1\n", "client"),
    ] {
        let reg = common::Reg::new(&[(path, text)]);
        let (code, json) = reg.lint_json();
        assert_eq!(code, 2, "{json:#}");
        let help = json["diagnostics"][0]["help"].as_str().unwrap_or("").to_string();
        assert!(
            help.contains(&format!("`scopectl schema {kind}`")),
            "{path}: {help}"
        );
        common::scopectl().args(["schema", kind]).assert().success();
    }
}

#[test]
fn diff_and_log_help_point_at_the_diff_reference() {
    for cmd in ["diff", "log"] {
        let out = common::scopectl().args([cmd, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains("docs/diff-report.md"), "{cmd}: {help}");
        assert!(!help.contains("schema in the README"), "{cmd}: {help}");
    }
}

#[test]
fn readme_documents_every_key_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    for r in scopectl::rules::Rule::of(scopectl::rules::Family::Key) {
        let row = format!(
            "| `{}` | {} | {} |",
            r.id(),
            r.level().as_str(),
            r.summary()
        );
        assert!(
            readme.contains(&row),
            "README key rule table is missing or stale: {row}"
        );
    }
}
