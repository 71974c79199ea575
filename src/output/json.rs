//! `--format json`: one stable document (documented in the README, schema version 1).

use serde::Serialize;

use crate::diag::{Diagnostic, Files, Summary};

#[derive(Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub labels: Vec<JsonLabel>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub today: String,
    pub summary: Summary,
    pub diagnostics: Vec<JsonDiagnostic>,
    #[serde(skip)]
    pub _files: std::marker::PhantomData<&'a ()>,
}

fn label(files: &Files, l: &crate::diag::Label) -> JsonLabel {
    let (line, column) = files.location(l.file, l.span.start);
    let (end_line, end_column) = files.location(l.file, l.span.end);
    JsonLabel {
        file: files.name(l.file).to_string(),
        start: Position { line, column },
        end: Position {
            line: end_line,
            column: end_column,
        },
        message: l.message.clone(),
    }
}

pub fn diagnostic(files: &Files, d: &Diagnostic) -> JsonDiagnostic {
    let (line, column, end_line, end_column) = match &d.primary {
        Some(p) => {
            let (l, c) = files.location(p.file, p.span.start);
            let (el, ec) = files.location(p.file, p.span.end);
            (Some(l), Some(c), Some(el), Some(ec))
        }
        None => (None, None, None, None),
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        labels.push(label(files, p));
    }
    labels.extend(d.secondary.iter().map(|l| label(files, l)));
    JsonDiagnostic {
        code: d.code.clone(),
        severity: d.severity.as_str(),
        message: d.message.clone(),
        file: d.file().map(|f| files.name(f).to_string()),
        line,
        column,
        end_line,
        end_column,
        labels,
        help: d.help.clone(),
        notes: d.notes.clone(),
    }
}

pub fn render(files: &Files, diagnostics: &[Diagnostic], today: chrono::NaiveDate) -> String {
    let report = JsonReport {
        version: 1,
        tool: "scopectl",
        tool_version: env!("CARGO_PKG_VERSION"),
        today: today.format("%Y-%m-%d").to_string(),
        summary: Summary::of(diagnostics),
        diagnostics: diagnostics.iter().map(|d| diagnostic(files, d)).collect(),
        _files: std::marker::PhantomData,
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_else(|e| {
        format!("{{\"version\":1,\"error\":\"cannot serialize report: {e}\"}}")
    });
    s.push('\n');
    s
}
