//! Findings: the one shape every check's result takes, whatever produced it (the loader,
//! a lint rule, `diff`, the token checker, a push plan), and the store of source files
//! their spans point into.
//!
//! A finding carries a [`Rule`] from the catalog ([`crate::rules`]) and a location made
//! of whatever applies: a file span, a subject (scope, client, grant, policy), a commit,
//! a token part, a server object. A finding is never an `Err`: `anyhow` errors are
//! reserved for the tool itself failing (an unreadable directory, a broken pipe).

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use crate::rules::{Level, Rule};

/// Index of a file in [`Files`].
pub type FileId = usize;

/// How serious a diagnostic is once the policy's overrides have been applied.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "kebab-case")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Level {
    /// The severity of a finding of a rule at this level (`None`: the rule does not run).
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

/// A labelled region of a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Range<usize>,
    pub message: String,
}

/// What a finding is about, when it is about a registry object rather than (or besides)
/// a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Subject {
    Policy,
    Scope {
        scope: String,
    },
    Client {
        client: String,
    },
    Grant {
        client: String,
        scope: String,
        /// 0 for the first grant of this scope in the client, 1 for a second one, ...
        #[serde(default, skip_serializing_if = "is_zero")]
        occurrence: usize,
    },
    /// An API of the registry (`apis/*.toml`).
    Api {
        api: String,
    },
    /// One operation of an API: `POST /payments`.
    Operation {
        api: String,
        operation: String,
    },
    /// An access-review campaign (`reviews/NAME.toml`).
    Review {
        review: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Subject {
    /// `scope telemetry:read`, `client fleet-ops`, `fleet-ops → system:reboot`, `policy`.
    pub fn label(&self) -> String {
        match self {
            Subject::Policy => "policy".into(),
            Subject::Scope { scope } => format!("scope {scope}"),
            Subject::Client { client } => format!("client {client}"),
            Subject::Grant {
                client,
                scope,
                occurrence,
            } => {
                if *occurrence == 0 {
                    format!("{client} → {scope}")
                } else {
                    format!("{client} → {scope} (#{})", occurrence + 1)
                }
            }
            Subject::Api { api } => format!("API {api}"),
            Subject::Operation { api, operation } => format!("{api}: {operation}"),
            Subject::Review { review } => format!("review {review}"),
        }
    }

    /// Does this subject concern `name` (a scope or a client)?
    pub fn mentions(&self, name: &str) -> bool {
        match self {
            Subject::Policy => false,
            Subject::Scope { scope } => scope == name,
            Subject::Client { client } => client == name,
            Subject::Grant { client, scope, .. } => client == name || scope == name,
            Subject::Api { api } | Subject::Operation { api, .. } => api == name,
            Subject::Review { review } => review == name,
        }
    }
}

/// Which part of a compact token (JWS) a finding is in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::Display,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TokenPart {
    Header,
    Payload,
    Signature,
}

impl TokenPart {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule: its stable id (`grant/expired`, `load/syntax`) is the JSON `code`.
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    /// Where the finding is; `None` for findings about the registry as a whole.
    pub primary: Option<Label>,
    /// A file the finding is about when no position inside it is known (unreadable file).
    pub file_only: Option<FileId>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// The registry object the finding is about (diff, report, plan findings).
    pub subject: Option<Subject>,
    /// Full id of the commit the finding is about (diff findings).
    pub commit: Option<String>,
    /// The part of a token the finding is in (decode input errors).
    pub part: Option<TokenPart>,
    /// The server object the finding is about (a client-scope or client id, a URL).
    pub object: Option<String>,
    /// The environment whose policy found it (`[policy.environments.NAME]`), when it is
    /// found only there.
    pub environment: Option<String>,
    /// The accepted risk that covers this finding (`[[exceptions]]`): it is reported but
    /// does not fail the command.
    pub accepted: Option<Box<Accepted>>,
}

/// An `[[exceptions]]` entry that accepts a finding: who accepted the risk, why and until
/// when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub reason: String,
    pub approved_by: String,
    /// The last day the exception holds (`YYYY-MM-DD`).
    pub expires: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Where the exception is written: `scopectl.toml:14`.
    pub exception: String,
}

impl Finding {
    /// Number a finding about a grant as the `n`th grant of its scope in its client (a
    /// view of the registry numbers them apart from the whole: `report --env`, `lint` of
    /// an environment's policy): its subject, and its message where it names the grant by
    /// its label. Any other finding is left as it is.
    pub fn renumber_grant(&mut self, n: usize) {
        let Some(subject @ Subject::Grant { .. }) = &mut self.subject else {
            return;
        };
        let old = subject.label();
        if let Subject::Grant { occurrence, .. } = subject {
            if *occurrence == n {
                return;
            }
            *occurrence = n;
        }
        let new = subject.label();
        self.message = self.message.replace(&old, &new);
    }

    pub fn new(rule: Rule, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity,
            message: message.into(),
            primary: None,
            file_only: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            subject: None,
            commit: None,
            part: None,
            object: None,
            environment: None,
            accepted: None,
        }
    }

    /// Does this finding fail the command: an error not covered by an exception?
    pub fn fails(&self) -> bool {
        self.severity == Severity::Error && self.accepted.is_none()
    }

    /// A finding at its rule's default level (`allow` rules give a note).
    pub fn of(rule: Rule, message: impl Into<String>) -> Self {
        let severity = rule.level().severity().unwrap_or(Severity::Note);
        Self::new(rule, severity, message)
    }

    pub fn error(rule: Rule, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Error, message)
    }

    pub fn warning(rule: Rule, message: impl Into<String>) -> Self {
        Self::new(rule, Severity::Warning, message)
    }

    /// The stable id of the finding's rule.
    pub fn code(&self) -> &'static str {
        self.rule.id()
    }

    pub fn about(mut self, subject: Subject) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Found under the policy of `environment` (its message says so too).
    pub fn in_environment(mut self, environment: impl Into<String>) -> Self {
        let environment = environment.into();
        self.message = format!("in environment `{environment}`: {}", self.message);
        self.environment = Some(environment);
        self
    }

    /// The server object it is about (`key kid="k1" (RS256)`).
    pub fn object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    pub fn in_commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }

    pub fn at(mut self, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn in_file(mut self, file: FileId) -> Self {
        self.file_only = Some(file);
        self
    }

    pub fn also(mut self, file: FileId, span: Range<usize>, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            file,
            span,
            message: label.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The file this diagnostic belongs to, if any.
    pub fn file(&self) -> Option<FileId> {
        self.primary.as_ref().map(|l| l.file).or(self.file_only)
    }
}

/// A source file: its display name (relative to the registry root, `/`-separated) and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
    /// All ASCII: a column is a byte count (a minified JSON file is one long line, and
    /// counting characters from its start for every finding would be quadratic).
    ascii: bool,
}

impl SourceFile {
    pub fn new(name: String, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        SourceFile {
            ascii: text.is_ascii(),
            name,
            text,
            line_starts,
        }
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, byte: usize) -> usize {
        match self.line_starts.binary_search(&byte) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn location(&self, byte: usize) -> (usize, usize) {
        let byte = byte.min(self.text.len());
        let line = self.line_index(byte);
        let start = self.line_starts[line];
        let column = if self.ascii {
            byte - start
        } else {
            self.text
                .get(start..byte)
                .map(|s| s.chars().count())
                .unwrap_or(byte - start)
        };
        (line + 1, column + 1)
    }

    /// Byte range of a 0-based line (with its newline), if the file has that line.
    pub fn line_bytes(&self, line: usize) -> Option<Range<usize>> {
        self.line_range(line)
    }

    fn line_range(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line)?;
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        Some(start..end)
    }
}

/// The store of every source file diagnostics may point into.
#[derive(Debug, Clone, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name.into(), text.into()));
        self.files.len() - 1
    }

    /// Replace the text of file `id` (an edited file), keeping its id.
    pub fn set_text(&mut self, id: FileId, text: impl Into<String>) {
        if let Some(f) = self.files.get_mut(id) {
            *f = SourceFile::new(std::mem::take(&mut f.name), text.into());
        }
    }

    /// The id of the file named `name`, if it is one of these.
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.name == name)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .unwrap_or("<unknown>")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.files.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    /// 1-based (line, column) of a byte offset in a file.
    pub fn location(&self, id: FileId, byte: usize) -> (usize, usize) {
        self.files
            .get(id)
            .map(|f| f.location(byte))
            .unwrap_or((1, 1))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    /// Overwrite `range` of a file's text with `*` (one per byte, so spans stay valid):
    /// for values that must never be shown, such as a secret written into a config file.
    pub fn redact(&mut self, id: FileId, range: Range<usize>) {
        let Some(file) = self.files.get_mut(id) else {
            return;
        };
        let end = range.end.min(file.text.len());
        let start = range.start.min(end);
        if !file.text.is_char_boundary(start) || !file.text.is_char_boundary(end) {
            return;
        }
        let stars = "*".repeat(end - start);
        file.text.replace_range(start..end, &stars);
    }

    /// A copy safe to show on a terminal: control characters and bidi overrides in names
    /// and sources are masked with printable characters of the same byte length, so spans
    /// stay valid.
    pub fn for_display(&self) -> Files {
        Files {
            files: self
                .files
                .iter()
                .map(|f| {
                    SourceFile::new(
                        crate::text::clean(&f.name).into_owned(),
                        crate::text::mask_same_length(&f.text).into_owned(),
                    )
                })
                .collect(),
        }
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Files {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(
        &'a self,
        id: FileId,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        self.files
            .get(id)
            .map(|f| f.line_index(byte_index))
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self
            .files
            .get(id)
            .ok_or(codespan_reporting::files::Error::FileMissing)?;
        file.line_range(line_index)
            .ok_or(codespan_reporting::files::Error::LineTooLarge {
                given: line_index,
                max: file.line_starts.len().saturating_sub(1),
            })
    }
}

/// Counts of diagnostics by severity; findings an exception accepts are counted as
/// `accepted` only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Findings accepted by an `[[exceptions]]` entry (left out when none).
    #[serde(skip_serializing_if = "is_zero")]
    pub accepted: usize,
}

impl Summary {
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut s = Summary::default();
        for d in diagnostics {
            if d.accepted.is_some() {
                s.accepted += 1;
                continue;
            }
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
        }
        s
    }
}

/// How a run ended, worst last: the one place findings become the process exit code
/// (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// No finding at error level (warnings allowed): exit 0.
    Clean,
    /// Findings at error level (lint errors, an invalid token, drift, plan errors): exit 1.
    Findings,
    /// `diff` only: a breaking change or a weakened policy: exit 3.
    Breaking,
    /// The command could not do its job (bad input, unusable key, unreachable server): exit 2.
    Unusable,
}

impl Outcome {
    /// `Findings` when any finding is at error level, else `Clean`.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Outcome {
        if findings.into_iter().any(Finding::fails) {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }

    /// The worse of two outcomes.
    pub fn worse(self, other: Outcome) -> Outcome {
        self.max(other)
    }

    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Findings => 1,
            Outcome::Unusable => 2,
            Outcome::Breaking => 3,
        }
    }
}

/// Sort diagnostics by file, then position, then code, so output is stable.
pub fn sort(diagnostics: &mut [Finding], files: &Files) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Finding| {
            let file = d.file().map(|f| files.name(f).to_string());
            let pos = d.primary.as_ref().map(|l| l.span.start).unwrap_or(0);
            (file, pos, d.rule)
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_is_the_worst_and_maps_to_the_documented_codes() {
        let warn = Finding::of(Rule::GrantExpiring, "w");
        let err = Finding::of(Rule::GrantExpired, "e");
        assert_eq!(Outcome::of([&warn]), Outcome::Clean);
        assert_eq!(Outcome::of([&warn, &err]), Outcome::Findings);
        assert_eq!(
            Outcome::Findings.worse(Outcome::Unusable),
            Outcome::Unusable
        );
        assert_eq!(Outcome::Breaking.worse(Outcome::Clean), Outcome::Breaking);
        let codes: Vec<u8> = [
            Outcome::Clean,
            Outcome::Findings,
            Outcome::Unusable,
            Outcome::Breaking,
        ]
        .iter()
        .map(|o| o.exit_code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }

    #[test]
    fn a_finding_takes_its_rules_default_level() {
        assert_eq!(
            Finding::of(Rule::GrantExpiring, "x").severity,
            Severity::Warning
        );
        assert_eq!(
            Finding::of(Rule::PushMissingClient, "x").severity,
            Severity::Error
        );
        assert_eq!(
            Finding::of(Rule::GrantExpiring, "x").code(),
            "grant/expiring"
        );
    }
}
