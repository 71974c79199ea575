//! The one writer: everything scopectl prints goes through [`Out`], and nothing else in
//! the binary may print (`clippy::print_stdout` / `print_stderr` are denied outside this
//! module). Text can quote files, git, servers and tokens, so every terminal control
//! character that reaches the writer is escaped here, whatever the renderer did; colour
//! (SGR) sequences pass only when colour is on. JSON keeps its value: the characters
//! JSON leaves raw become `\uXXXX` escapes.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use scopectl::output::Color;
use scopectl::text;

/// Where output goes, and whether it may be coloured.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    color: bool,
    /// `--quiet`: no notes or warnings on stderr.
    quiet: bool,
}

impl Out {
    pub fn new(color: Color, quiet: bool) -> Out {
        Out {
            color: color == Color::Always,
            quiet,
        }
    }

    /// `--quiet` was given: renderers for a person show only what fails the run.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Whether renderers should colour their output.
    pub fn color(&self) -> Color {
        if self.color {
            Color::Always
        } else {
            Color::Never
        }
    }

    /// Text for a person on stdout (tables, Markdown, HTML, CSV, diagnostics).
    pub fn text(&self, s: &str) -> anyhow::Result<()> {
        write_all(
            &mut std::io::stdout().lock(),
            &text::terminal(s, self.color),
        )
    }

    /// A JSON document (or JSON lines) on stdout.
    pub fn json(&self, s: &str) -> anyhow::Result<()> {
        write_all(&mut std::io::stdout().lock(), &text::json(s))
    }

    /// Text on stderr: warnings, refusals, what a failure left behind.
    pub fn err(&self, s: &str) -> anyhow::Result<()> {
        if self.quiet {
            return Ok(());
        }
        write_all(
            &mut std::io::stderr().lock(),
            &text::terminal(s, self.color),
        )
    }

    /// A writer for JSON lines written as they are produced (`decode --batch`): each
    /// write is escaped like [`Out::json`].
    pub fn json_stream(&self) -> JsonStream {
        JsonStream
    }
}

fn write_all(w: &mut impl Write, s: &str) -> anyhow::Result<()> {
    w.write_all(s.as_bytes())?;
    w.flush()?;
    Ok(())
}

/// Stdout for streamed JSON; see [`Out::json_stream`].
pub struct JsonStream;

impl Write for JsonStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = std::io::stdout().lock();
        match std::str::from_utf8(buf) {
            Ok(s) => out.write_all(text::json(s).as_bytes())?,
            // JSON from serde is UTF-8; anything else is written as the lossy text.
            Err(_) => out.write_all(text::json(&String::from_utf8_lossy(buf)).as_bytes())?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().lock().flush()
    }
}

/// The last resort in `main`: an error that stopped the command, on stderr.
pub fn error(message: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "error: {}",
        text::terminal(message, false)
    );
}
