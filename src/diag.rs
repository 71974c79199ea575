//! Diagnostics: the one shape every finding takes, whatever produced it (the loader,
//! a lint rule, the token checker), and the store of source files their spans point into.
//!
//! A finding is always a [`Diagnostic`], never an `Err`: `anyhow` errors are reserved for
//! the tool itself failing (an unreadable directory, a broken pipe).

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Index of a file in [`Files`].
pub type FileId = usize;

/// How serious a diagnostic is once the policy's overrides have been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The level a rule is set to in `scopectl.toml` (`[rules]`): the vocabulary of cargo-deny
/// and clippy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule does not run.
    Allow,
    /// Findings are warnings: reported, exit code unaffected.
    Warn,
    /// Findings are errors: exit code 1.
    Deny,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
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

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case id, `family/name` (e.g. `grant/expired`, `load/syntax`).
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// Where the finding is; `None` for findings about the registry as a whole.
    pub primary: Option<Label>,
    /// A file the finding is about when no position inside it is known (unreadable file).
    pub file_only: Option<FileId>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(code: impl Into<String>, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            primary: None,
            file_only: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
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
}

impl SourceFile {
    pub fn new(name: String, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
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
        let column = self
            .text
            .get(start..byte)
            .map(|s| s.chars().count())
            .unwrap_or(byte - start);
        (line + 1, column + 1)
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
                        crate::output::clean(&f.name).into_owned(),
                        crate::output::mask_same_length(&f.text).into_owned(),
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

/// Counts of diagnostics by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut s = Summary::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Note => s.notes += 1,
            }
        }
        s
    }
}

/// Sort diagnostics by file, then position, then code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic], files: &Files) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let file = d.file().map(|f| files.name(f).to_string());
            let pos = d.primary.as_ref().map(|l| l.span.start).unwrap_or(0);
            (file, pos, d.code.clone())
        };
        key(a).cmp(&key(b))
    });
}
