//! rustc-style diagnostics via codespan-reporting.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;

use super::{clean, Color};
use crate::finding::{Files, Finding, Severity, Summary};

fn to_codespan(d: &Finding) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        labels.push(cs::Label::primary(p.file, p.span.clone()).with_message(clean(&p.message)));
    }
    for s in &d.secondary {
        labels.push(cs::Label::secondary(s.file, s.span.clone()).with_message(clean(&s.message)));
    }
    let mut notes: Vec<String> = d.notes.iter().map(|n| clean(n).into_owned()).collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {}", clean(h)));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code())
        .with_message(clean(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Render diagnostics followed by a one-line summary.
pub fn render(files: &Files, diagnostics: &[Finding], color: Color) -> String {
    let config = term::Config::default();
    // Names, messages and sources come from files the user may not have written: nothing
    // in them may drive the terminal.
    let files = &files.for_display();
    let mut buffer = match color {
        Color::Always => termcolor::Buffer::ansi(),
        Color::Never => termcolor::Buffer::no_color(),
    };
    for d in diagnostics {
        let cd = to_codespan(d);
        if term::emit_to_write_style(&mut buffer, &config, files, &cd).is_err() {
            // A span outside its file is a bug in a rule; still show the finding.
            use std::io::Write;
            let _ = writeln!(
                buffer,
                "{}[{}]: {}",
                d.severity.as_str(),
                d.code(),
                clean(&d.message)
            );
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    let s = Summary::of(diagnostics);
    out.push_str(&summary_line(s));
    out
}

pub fn summary_line(s: Summary) -> String {
    if s.errors == 0 && s.warnings == 0 {
        return "ok: no findings\n".to_string();
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {}, {}\n",
        if s.errors > 0 { "failed" } else { "ok" },
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}
