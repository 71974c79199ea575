//! `--format json`: one stable document (documented in the README, schema version 1),
//! and the one JSON shape of a finding ([`FindingJson`]) that every JSON output uses
//! (lint, diff and report findings, plan errors, decode).

use serde::{Deserialize, Serialize};

use crate::finding::{Accepted, Files, Finding, Severity, Subject, Summary, TokenPart};
use crate::rules::Rule;

#[derive(Serialize, Deserialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize, Deserialize)]
pub struct JsonLabel {
    pub file: String,
    pub start: Position,
    pub end: Position,
    pub message: String,
}

/// A finding as JSON. Every field but `code` and `message` has a default, so shorter
/// records written by earlier versions (saved plans' `{code, message}`) still read.
#[derive(Serialize, Deserialize)]
pub struct FindingJson {
    pub code: Rule,
    #[serde(default = "error")]
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub line: Option<usize>,
    #[serde(default)]
    pub column: Option<usize>,
    #[serde(default)]
    pub end_line: Option<usize>,
    #[serde(default)]
    pub end_column: Option<usize>,
    #[serde(default)]
    pub labels: Vec<JsonLabel>,
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The registry object the finding is about; left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Full id of the commit concerned; left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Token part (`header`, `payload`, `signature`); left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<TokenPart>,
    /// Server object; left out when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The environment whose policy found it (`[policy.environments.NAME]`); left out
    /// when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The exception that accepts this finding (`reason`, `approved_by`, `expires`,
    /// `ticket`, `exception`: where it is written); left out when none. An accepted
    /// finding does not fail the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Accepted>,
}

fn error() -> Severity {
    Severity::Error
}

impl FindingJson {
    /// Back to a finding. File positions are not restored (the files are not at hand):
    /// they stay in the record only.
    pub fn into_finding(self) -> Finding {
        let mut f = Finding::new(self.code, self.severity, self.message);
        f.help = self.help;
        f.notes = self.notes;
        f.subject = self.subject;
        f.commit = self.commit;
        f.part = self.part;
        f.object = self.object;
        f.environment = self.environment;
        f.accepted = self.accepted.map(Box::new);
        f
    }
}

/// `#[serde(with = "crate::output::json::findings")]` for a `Vec<Finding>` that carries no
/// file positions (diff and report findings, plan errors): each finding as a
/// [`CompactFinding`]; read back as a [`FindingJson`].
pub mod findings {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &[Finding], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(CompactFinding))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Finding>, D::Error> {
        let v: Vec<FindingJson> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(FindingJson::into_finding).collect())
    }
}

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub today: String,
    pub summary: Summary,
    pub diagnostics: Vec<FindingJson>,
    #[serde(skip)]
    pub _files: std::marker::PhantomData<&'a ()>,
}

fn label(files: &Files, l: &crate::finding::Label) -> JsonLabel {
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

/// A finding as JSON; `files` resolves its spans to lines and columns.
pub fn finding(files: &Files, d: &Finding) -> FindingJson {
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
    FindingJson {
        code: d.rule,
        severity: d.severity,
        message: d.message.clone(),
        file: d.file().map(|f| files.name(f).to_string()),
        line,
        column,
        end_line,
        end_column,
        labels,
        help: d.help.clone(),
        notes: d.notes.clone(),
        subject: d.subject.clone(),
        commit: d.commit.clone(),
        part: d.part,
        object: d.object.clone(),
        environment: d.environment.clone(),
        accepted: d.accepted.as_deref().cloned(),
    }
}

pub fn render(files: &Files, diagnostics: &[Finding], today: chrono::NaiveDate) -> String {
    let report = JsonReport {
        version: 1,
        tool: "scopectl",
        tool_version: env!("CARGO_PKG_VERSION"),
        today: today.format("%Y-%m-%d").to_string(),
        summary: Summary::of(diagnostics),
        diagnostics: diagnostics.iter().map(|d| finding(files, d)).collect(),
        _files: std::marker::PhantomData,
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_else(|e| {
        format!("{{\"version\":1,\"error\":\"cannot serialize report: {e}\"}}")
    });
    s.push('\n');
    s
}

/// A finding without file positions, as `decode` prints it: the fields of [`FindingJson`]
/// that have a value (`code`, `severity`, `message`, then `help`, `notes`, `subject`,
/// `commit`, `part`, `object` when present). Same names and meanings, nothing empty.
pub struct CompactFinding<'a>(pub &'a Finding);

impl Serialize for CompactFinding<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let f = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", &f.rule)?;
        m.serialize_entry("severity", &f.severity)?;
        m.serialize_entry("message", &f.message)?;
        if let Some(h) = &f.help {
            m.serialize_entry("help", h)?;
        }
        if !f.notes.is_empty() {
            m.serialize_entry("notes", &f.notes)?;
        }
        if let Some(v) = &f.subject {
            m.serialize_entry("subject", v)?;
        }
        if let Some(v) = &f.commit {
            m.serialize_entry("commit", v)?;
        }
        if let Some(v) = &f.part {
            m.serialize_entry("part", v)?;
        }
        if let Some(v) = &f.object {
            m.serialize_entry("object", v)?;
        }
        if let Some(v) = &f.environment {
            m.serialize_entry("environment", v)?;
        }
        if let Some(v) = &f.accepted {
            m.serialize_entry("accepted", v)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_errors_saved_by_earlier_versions_still_read() {
        // Saved plans of format 1 stored `{code, message}` only.
        let old =
            r#"[{"code": "push/missing-client", "message": "client `ghost` does not exist"}]"#;
        let mut de = serde_json::Deserializer::from_str(old);
        let errors = findings::deserialize(&mut de).expect("old plan errors read");
        assert_eq!(errors[0].rule, Rule::PushMissingClient);
        assert_eq!(errors[0].severity, Severity::Error);
        // Written back: the old fields, plus new ones.
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::new(&mut out);
        findings::serialize(&errors, &mut ser).expect("write");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(v[0]["code"], "push/missing-client");
        assert_eq!(v[0]["message"], "client `ghost` does not exist");
        assert_eq!(v[0]["severity"], "error");
        // An id that is not in the catalog is refused, never dropped.
        let bad = r#"[{"code": "push/nope", "message": "x"}]"#;
        let mut de = serde_json::Deserializer::from_str(bad);
        assert!(findings::deserialize(&mut de).is_err());
    }

    #[test]
    fn compact_findings_leave_out_what_is_empty() {
        let f = Finding::of(Rule::DiffPolicyWeakened, "policy weakened")
            .about(Subject::Policy)
            .in_commit("abc");
        let v = serde_json::to_value(CompactFinding(&f)).expect("json");
        assert_eq!(
            v,
            serde_json::json!({"code": "diff/policy-weakened", "severity": "warning",
                "message": "policy weakened", "subject": {"type": "policy"}, "commit": "abc"})
        );
    }
}
