//! `--format github`: GitHub Actions workflow commands (`::error file=…,line=…::message`).

use crate::finding::{Files, Finding, Severity};

/// Escape a workflow-command message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `prefix` is the registry's path relative to the repository root, so annotations land
/// on the right file in a pull request.
pub fn render(files: &Files, diagnostics: &[Finding], prefix: &str) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match (d.severity, &d.accepted) {
            (_, Some(_)) => "notice",
            (Severity::Error, None) => "error",
            (Severity::Warning, None) => "warning",
            (Severity::Note, None) => "notice",
        };
        let mut props = vec![format!("title={}", escape_property(d.code()))];
        if let Some(f) = d.file() {
            let name = if prefix.is_empty() || prefix == "." {
                files.name(f).to_string()
            } else {
                format!("{}/{}", prefix.trim_end_matches('/'), files.name(f))
            };
            props.push(format!(
                "file={}",
                escape_property(&crate::text::clean(&name))
            ));
        }
        if let Some(p) = &d.primary {
            let (l, c) = files.location(p.file, p.span.start);
            let (el, ec) = files.location(p.file, p.span.end);
            props.push(format!("line={l}"));
            props.push(format!("col={c}"));
            props.push(format!("endLine={el}"));
            if el == l {
                props.push(format!("endColumn={ec}"));
            }
        }
        let mut message = crate::text::clean(&d.message).into_owned();
        if let Some(a) = &d.accepted {
            message = format!(
                "accepted risk until {} by {}: {} ({})",
                crate::text::clean(&a.expires),
                crate::text::clean(&a.approved_by),
                message,
                crate::text::clean(&a.reason)
            );
        } else if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&crate::text::clean(h));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_properties_and_data() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("x\ny"), "x%0Ay");
    }
}
