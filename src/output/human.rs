//! rustc-style diagnostics via codespan-reporting, with output linear in the input:
//! source lines are cut around the span ([`LINE_CONTEXT`] characters, with `…`), and at
//! most [`SHOWN_PER_FILE`] diagnostics are shown per file (the rest are counted in an
//! "… and N more" line and the summary; JSON and SARIF stay complete).

use std::collections::HashMap;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::Error as FilesError;
use codespan_reporting::term;

use super::Color;
use crate::finding::{FileId, Files, Finding, Severity, SourceFile, Summary};
use crate::text::clean;

/// At most this many characters of a source line are shown for a diagnostic.
pub const LINE_CONTEXT: usize = 120;
/// Characters shown before the start of a span on a cut line.
const BEFORE_SPAN: usize = 40;
/// At most this many diagnostics of one file are shown in human output.
pub const SHOWN_PER_FILE: usize = 50;

const ELLIPSIS: &str = "…";

fn to_codespan(
    d: &Finding,
    map: &mut impl FnMut(FileId, Range<usize>) -> (usize, Range<usize>),
) -> cs::Diagnostic<usize> {
    // An accepted finding is shown as a note: it does not fail the run.
    let severity = match (d.severity, &d.accepted) {
        (_, Some(_)) => cs::Severity::Note,
        (Severity::Error, None) => cs::Severity::Error,
        (Severity::Warning, None) => cs::Severity::Warning,
        (Severity::Note, None) => cs::Severity::Note,
    };
    let mut labels = Vec::new();
    if let Some(p) = &d.primary {
        let (file, span) = map(p.file, p.span.clone());
        labels.push(cs::Label::primary(file, span).with_message(clean(&p.message)));
    }
    for s in &d.secondary {
        let (file, span) = map(s.file, s.span.clone());
        labels.push(cs::Label::secondary(file, span).with_message(clean(&s.message)));
    }
    let mut notes: Vec<String> = d.notes.iter().map(|n| clean(n).into_owned()).collect();
    let message = match &d.accepted {
        Some(a) => {
            notes.push(format!(
                "accepted: {} until {} by {} ({}): {}",
                d.severity.as_str(),
                clean(&a.expires),
                clean(&a.approved_by),
                clean(&a.exception),
                clean(&a.reason)
            ));
            format!("accepted risk: {}", clean(&d.message))
        }
        None => {
            if let Some(h) = &d.help {
                notes.push(format!("help: {}", clean(h)));
            }
            clean(&d.message).into_owned()
        }
    };
    cs::Diagnostic::new(severity)
        .with_code(d.code())
        .with_message(message)
        .with_labels(labels)
        .with_notes(notes)
}

/// [`render`], or with `quiet` only the findings that fail the run and no summary when
/// none does (`--quiet`).
pub fn render_for(files: &Files, diagnostics: &[Finding], color: Color, quiet: bool) -> String {
    if !quiet {
        return render(files, diagnostics, color);
    }
    let failing: Vec<Finding> = diagnostics.iter().filter(|d| d.fails()).cloned().collect();
    if failing.is_empty() {
        return String::new();
    }
    render(files, &failing, color)
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
    let mut per_file: HashMap<FileId, usize> = HashMap::new();
    for d in diagnostics {
        if let Some(f) = d.file() {
            *per_file.entry(f).or_default() += 1;
        }
    }
    let mut shown: HashMap<FileId, usize> = HashMap::new();
    for d in diagnostics {
        let file = d.file();
        if let Some(f) = file {
            let n = shown.entry(f).or_default();
            *n += 1;
            if *n > SHOWN_PER_FILE {
                continue;
            }
        }
        let excerpt = Excerpt::of(files, d);
        let cd = to_codespan(d, &mut |f, span| excerpt.map(f, span));
        use std::io::Write;
        if term::emit_to_write_style(&mut buffer, &config, &excerpt, &cd).is_err() {
            // A span outside its file is a bug in a rule; still show the finding.
            let _ = writeln!(
                buffer,
                "{}[{}]: {}",
                d.severity.as_str(),
                d.code(),
                clean(&d.message)
            );
        }
        if let Some(f) = file {
            let total = per_file.get(&f).copied().unwrap_or(0);
            if shown.get(&f) == Some(&SHOWN_PER_FILE) && total > SHOWN_PER_FILE {
                let _ = writeln!(
                    buffer,
                    "note: … and {} more in {} (the first {SHOWN_PER_FILE} of a file are shown; \
                     --format json or sarif lists all)\n",
                    total - SHOWN_PER_FILE,
                    files.name(f)
                );
            }
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    let s = Summary::of(diagnostics);
    out.push_str(&summary_line(s));
    out
}

pub fn summary_line(s: Summary) -> String {
    let accepted = if s.accepted > 0 {
        format!(", {} accepted (exceptions)", s.accepted)
    } else {
        String::new()
    };
    if s.errors == 0 && s.warnings == 0 {
        return format!("ok: no findings{accepted}\n");
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {}, {}{accepted}\n",
        if s.errors > 0 { "failed" } else { "ok" },
        plural(s.errors, "error"),
        plural(s.warnings, "warning")
    )
}

/// The lines of one diagnostic's files that codespan may show, each cut to at most
/// [`LINE_CONTEXT`] characters around the spans on it, so a diagnostic's size does not
/// grow with the length of its source line.
struct Excerpt<'a> {
    files: &'a Files,
    parts: Vec<Part>,
    index: HashMap<FileId, usize>,
}

/// One file's excerpt: original lines `first..first + lines.len()`.
struct Part {
    file: FileId,
    first: usize,
    text: String,
    lines: Vec<Line>,
}

struct Line {
    /// Byte range of the line in the excerpt text (with its newline).
    range: Range<usize>,
    /// Original byte range shown (`window.start..window.end`) and where it starts in the
    /// excerpt.
    window: Range<usize>,
    content_start: usize,
    /// Characters of the original line before the window (for column numbers).
    columns_before: usize,
}

impl<'a> Excerpt<'a> {
    fn of(files: &'a Files, d: &Finding) -> Self {
        let mut spans: Vec<(FileId, Range<usize>)> = Vec::new();
        if let Some(p) = &d.primary {
            spans.push((p.file, p.span.clone()));
        }
        spans.extend(d.secondary.iter().map(|s| (s.file, s.span.clone())));
        let mut excerpt = Excerpt {
            files,
            parts: Vec::new(),
            index: HashMap::new(),
        };
        let mut ids: Vec<FileId> = spans.iter().map(|(f, _)| *f).collect();
        ids.sort_unstable();
        ids.dedup();
        for file in ids {
            let Some(source) = files.get(file) else {
                continue;
            };
            let mine: Vec<Range<usize>> = spans
                .iter()
                .filter(|(f, _)| *f == file)
                .map(|(_, s)| clamp(source, s.clone()))
                .collect();
            excerpt.index.insert(file, excerpt.parts.len());
            excerpt.parts.push(Part::of(file, source, &mine));
        }
        excerpt
    }

    /// A span of an original file as (excerpt file id, excerpt span).
    fn map(&self, file: FileId, span: Range<usize>) -> (usize, Range<usize>) {
        let Some(&i) = self.index.get(&file) else {
            return (usize::MAX, span);
        };
        let (part, source) = (&self.parts[i], self.files.get(file));
        let Some(source) = source else {
            return (usize::MAX, span);
        };
        let span = clamp(source, span);
        (i, part.map(source, span.start)..part.map(source, span.end))
    }

    fn part(&self, id: usize) -> Result<&Part, FilesError> {
        self.parts.get(id).ok_or(FilesError::FileMissing)
    }
}

/// A span inside its file's text, on character boundaries.
fn clamp(source: &SourceFile, span: Range<usize>) -> Range<usize> {
    let text = &source.text;
    let floor = |mut b: usize| {
        b = b.min(text.len());
        while !text.is_char_boundary(b) {
            b -= 1;
        }
        b
    };
    let end = floor(span.end);
    floor(span.start.min(end))..end
}

impl Part {
    fn of(file: FileId, source: &SourceFile, spans: &[Range<usize>]) -> Part {
        let first = spans
            .iter()
            .map(|s| source.line_index(s.start))
            .min()
            .unwrap_or(0);
        let last = spans
            .iter()
            .map(|s| source.line_index(s.end))
            .max()
            .unwrap_or(first);
        let mut part = Part {
            file,
            first,
            text: String::new(),
            lines: Vec::new(),
        };
        for line in first..=last {
            let Some(range) = source.line_bytes(line) else {
                break;
            };
            // Where the interesting part of this line starts: the first span starting on
            // it, else a span ending on it, else the line's start.
            let inside = |b: usize| b >= range.start && b <= range.end;
            let anchor = spans
                .iter()
                .map(|s| s.start)
                .filter(|&b| inside(b))
                .min()
                .or_else(|| spans.iter().map(|s| s.end).filter(|&b| inside(b)).min())
                .unwrap_or(range.start);
            part.push_line(&source.text, range, anchor);
        }
        part
    }

    /// Append the window of `line` (its content without the newline) around `anchor`.
    fn push_line(&mut self, text: &str, line: Range<usize>, anchor: usize) {
        let content = &text[line.clone()];
        let body_len = content.trim_end_matches(['\n', '\r']).len();
        let body = line.start..line.start + body_len;
        let anchor = anchor.clamp(body.start, body.end);
        // Up to BEFORE_SPAN characters before the anchor ...
        let mut start = anchor;
        for (taken, (i, _)) in text[body.start..anchor].char_indices().rev().enumerate() {
            if taken == BEFORE_SPAN {
                break;
            }
            start = body.start + i;
        }
        // ... and LINE_CONTEXT characters in all, from there.
        let mut end = body.end;
        if let Some((i, _)) = text[start..body.end].char_indices().nth(LINE_CONTEXT) {
            end = start + i;
        }
        let line_start = self.text.len();
        if start > body.start {
            self.text.push_str(ELLIPSIS);
        }
        let content_start = self.text.len();
        self.text.push_str(&text[start..end]);
        if end < body.end {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push('\n');
        let columns_before = if start > body.start {
            text[body.start..start].chars().count()
        } else {
            0
        };
        self.lines.push(Line {
            range: line_start..self.text.len(),
            window: start..end,
            content_start,
            columns_before,
        });
    }

    /// Where an original byte offset is in the excerpt (clamped to the shown window).
    fn map(&self, source: &SourceFile, byte: usize) -> usize {
        let line = source.line_index(byte);
        let Some(l) = line.checked_sub(self.first).and_then(|i| self.lines.get(i)) else {
            return self.text.len();
        };
        let b = byte.clamp(l.window.start, l.window.end);
        let mapped = l.content_start + (b - l.window.start);
        // A span past the window ends after the `…`.
        if byte > l.window.end {
            l.range.end.saturating_sub(1)
        } else {
            mapped
        }
    }

    fn line_index(&self, byte: usize) -> usize {
        self.lines
            .partition_point(|l| l.range.start <= byte)
            .saturating_sub(1)
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Excerpt<'_> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(self.files.name(self.part(id)?.file))
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(&self.part(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.part(id)?.line_index(byte_index))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, FilesError> {
        Ok(self.part(id)?.first + line_index + 1)
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let part = self.part(id)?;
        let line = part.lines.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: part.lines.len().saturating_sub(1),
        })?;
        let shown = part
            .text
            .get(line.content_start..byte_index.max(line.content_start))
            .map(|s| s.chars().count())
            .unwrap_or(0);
        Ok(line.columns_before + shown + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let part = self.part(id)?;
        part.lines
            .get(line_index)
            .map(|l| l.range.clone())
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: part.lines.len().saturating_sub(1),
            })
    }
}
