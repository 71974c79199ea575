//! Renderers: the same diagnostics as human text, JSON, SARIF, GitHub annotations or Markdown.

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod rules;
pub mod sarif;
pub mod table;

/// Whether to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Always,
    Never,
}

impl Color {
    /// `auto`: colour only when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn auto() -> Self {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if !no_color && std::io::stdout().is_terminal() {
            Color::Always
        } else {
            Color::Never
        }
    }
}
