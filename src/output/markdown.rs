//! `--format markdown`: the findings as a Markdown table, for a pull-request comment or an
//! issue. Every value from a file is escaped ([`crate::text::md_cell`]): a registry in a
//! pull request cannot inject links, images, mentions or HTML into the comment.

use crate::finding::{Files, Finding, Summary};
use crate::text::md_cell;

/// At most this many findings are listed; the rest are counted (a comment has a size limit:
/// GitHub's is 65,536 characters).
pub const MAX_ROWS: usize = 200;

/// `prefix` is the registry's path relative to the repository root.
pub fn render(files: &Files, diagnostics: &[Finding], prefix: &str) -> String {
    let s = Summary::of(diagnostics);
    let mut out = format!(
        "## scopectl lint: {}\n\n",
        if s.errors > 0 { "failed" } else { "passed" }
    );
    out.push_str(&format!(
        "{} error(s), {} warning(s){}.\n",
        s.errors,
        s.warnings,
        if s.accepted > 0 {
            format!(", {} accepted as risks by exceptions", s.accepted)
        } else {
            String::new()
        }
    ));
    if diagnostics.is_empty() {
        return out;
    }
    out.push_str("\n| severity | rule | where | message |\n|---|---|---|---|\n");
    for d in diagnostics.iter().take(MAX_ROWS) {
        let severity = match &d.accepted {
            Some(a) => format!(
                "accepted ({} until {})",
                d.severity.as_str(),
                md_cell(&a.expires)
            ),
            None => d.severity.as_str().to_string(),
        };
        let place = match (&d.primary, d.file()) {
            (Some(p), _) => {
                let (line, col) = files.location(p.file, p.span.start);
                format!("{}:{line}:{col}", path(prefix, files.name(p.file)))
            }
            (None, Some(f)) => path(prefix, files.name(f)),
            (None, None) => d.subject.as_ref().map(|s| s.label()).unwrap_or_default(),
        };
        let mut message = d.message.clone();
        if let Some(a) = &d.accepted {
            message.push_str(&format!(" (accepted by {}: {})", a.approved_by, a.reason));
        } else if let Some(h) = &d.help {
            message.push_str(&format!(" (help: {h})"));
        }
        out.push_str(&format!(
            "| {severity} | `{}` | {} | {} |\n",
            d.code(),
            md_cell(&place),
            md_cell(&message)
        ));
    }
    if diagnostics.len() > MAX_ROWS {
        out.push_str(&format!(
            "\n… and {} more (`scopectl lint --format json` lists all).\n",
            diagnostics.len() - MAX_ROWS
        ));
    }
    out
}

fn path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() || prefix == "." {
        name.to_string()
    } else {
        format!("{}/{name}", prefix.trim_end_matches('/'))
    }
}
