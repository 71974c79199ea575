//! Tables for a person: fitted to the terminal (`COLUMNS`, else the terminal's width,
//! else 120 when piped into a CI log), long cells wrapped.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};

/// The width tables are fitted to: `COLUMNS` when set, else the terminal's width when
/// `terminal` (stdout is one) and it can be read, else 120 (piped into a CI log).
pub fn table_width(terminal: bool) -> u16 {
    let columns = std::env::var("COLUMNS").ok();
    width_from(columns.as_deref(), || {
        if terminal {
            Table::new().width()
        } else {
            None
        }
    })
}

fn width_from(columns: Option<&str>, terminal: impl FnOnce() -> Option<u16>) -> u16 {
    columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
        .or_else(terminal)
        .unwrap_or(120)
}

/// A table fitted to `width` columns: long cells wrap.
pub fn fitted_table(header: Vec<&str>, width: u16) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(width);
    t.set_header(header);
    t
}
