//! Line endings of an edited file. `toml_edit` reads `\r\n` and writes `\n` (outside
//! multi-line strings), so a CRLF file written back as it comes out would change on every
//! line. [`render`] gives every line the edit did not touch its bytes from the file as it
//! was, and every new line the file's usual ending.

use std::time::{Duration, Instant};

use similar::{capture_diff_slices_deadline, Algorithm, DiffOp};
use toml_edit::{DocumentMut, Item, Table, Value};

/// How long matching the old lines with the new may take before the rest is treated as
/// replaced (which then takes the file's usual ending: exact for a file that uses one).
const MATCH_DEADLINE: Duration = Duration::from_secs(2);

/// The byte order mark some Windows editors start a UTF-8 file with. `toml_edit` reads
/// it and does not write it back.
const BOM: char = '\u{FEFF}';

/// The text of `doc`, the edited content of a file that was `before` (`None` for a file
/// the edit creates, written with `\n`). A file that started with a byte order mark
/// still does.
pub(super) fn render(before: Option<&str>, doc: DocumentMut) -> String {
    let Some(rest) = before.and_then(|b| b.strip_prefix(BOM)) else {
        return render_lines(before, doc);
    };
    let text = render_lines(Some(rest), doc);
    let mut out = String::with_capacity(BOM.len_utf8() + text.len());
    out.push(BOM);
    out.push_str(text.strip_prefix(BOM).unwrap_or(&text));
    out
}

/// [`render`] of a file without a byte order mark.
fn render_lines(before: Option<&str>, mut doc: DocumentMut) -> String {
    let Some(before) = before.filter(|b| b.contains("\r\n")) else {
        return doc.to_string();
    };
    let eol = if crlf_dominant(before) { "\r\n" } else { "\n" };
    if eol == "\r\n" {
        // A new multi-line string would take `\r\n` into its value: write it on one line.
        single_line_strings(doc.as_table_mut());
    }
    restore(before, &doc.to_string(), eol)
}

/// Whether at least half of the text's lines end in `\r\n`.
fn crlf_dominant(text: &str) -> bool {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count();
    2 * crlf >= lf
}

/// A text's lines, each as (content, line ending: `\r\n`, `\n` or none for the last).
fn lines(text: &str) -> Vec<(&str, &str)> {
    text.split_inclusive('\n')
        .map(|l| {
            if let Some(c) = l.strip_suffix("\r\n") {
                (c, "\r\n")
            } else if let Some(c) = l.strip_suffix('\n') {
                (c, "\n")
            } else {
                (l, "")
            }
        })
        .collect()
}

/// `after` with the line endings of `before` on the lines they share, and `eol` on the
/// lines it adds.
fn restore(before: &str, after: &str, eol: &str) -> String {
    let old = lines(before);
    let new = lines(after);
    let old_keys: Vec<&str> = old.iter().map(|(c, _)| *c).collect();
    let new_keys: Vec<&str> = new.iter().map(|(c, _)| *c).collect();
    // The ending each kept line had before: `Some` for a line of `after` that is a line
    // of `before`.
    let mut was: Vec<Option<&str>> = vec![None; new.len()];
    let deadline = Instant::now().checked_add(MATCH_DEADLINE);
    for op in capture_diff_slices_deadline(Algorithm::Myers, &old_keys, &new_keys, deadline) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            for k in 0..len {
                was[new_index + k] = Some(old[old_index + k].1);
            }
        }
    }
    let mut out = String::with_capacity(after.len() + new.len());
    for ((content, end), was) in new.iter().zip(was) {
        out.push_str(content);
        out.push_str(match (*end, was) {
            // The last line, without an ending: it stays so.
            ("", _) => "",
            (_, Some(old)) if !old.is_empty() => old,
            _ => eol,
        });
    }
    out
}

/// Give every string value the edit created (it has no text from the file yet) that holds
/// a line break a one-line representation with escapes (`"a\nb"`).
fn single_line_strings(t: &mut Table) {
    for (_, item) in t.iter_mut() {
        match item {
            Item::Value(v) => single_line(v),
            Item::Table(t) => single_line_strings(t),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(single_line_strings),
            Item::None => {}
        }
    }
}

fn single_line(v: &mut Value) {
    match v {
        Value::String(s) if s.as_repr().is_none() && s.value().contains(['\n', '\r']) => {
            if let Ok(mut one) = basic_string(s.value()).parse::<Value>() {
                *one.decor_mut() = s.decor().clone();
                *v = one;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(single_line),
        Value::InlineTable(t) => t.iter_mut().for_each(|(_, v)| single_line(v)),
        _ => {}
    }
}

/// `s` as a TOML basic string (`"…"`), every control character escaped.
fn basic_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(before: &str, f: impl FnOnce(&mut DocumentMut)) -> String {
        let mut doc: DocumentMut = before.parse().unwrap();
        f(&mut doc);
        render(Some(before), doc)
    }

    #[test]
    fn a_crlf_file_keeps_its_lines_and_new_lines_take_crlf() {
        let before =
            "# head\r\n[a]\r\nx   = 1 # one\r\nm = \"\"\"\r\nkept\r\n\"\"\"\r\n\r\n# tail\r\n";
        let after = edit(before, |d| {
            d["a"]["y"] = toml_edit::value("two\nlines");
            d["b"] = toml_edit::table();
            d["b"]["z"] = toml_edit::value(3);
        });
        assert!(
            after.starts_with("# head\r\n[a]\r\nx   = 1 # one\r\nm = \"\"\"\r\nkept\r\n\"\"\"\r\n"),
            "{after:?}"
        );
        assert!(after.contains("y = \"two\\nlines\"\r\n"), "{after:?}");
        assert!(after.contains("[b]\r\nz = 3\r\n"), "{after:?}");
        assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
        let doc: DocumentMut = after.parse().unwrap();
        assert_eq!(doc["a"]["y"].as_str(), Some("two\nlines"));
        assert_eq!(doc["a"]["m"].as_str(), Some("kept\r\n"));
    }

    #[test]
    fn a_mixed_file_keeps_each_line_as_it_was() {
        // Mostly `\n`: new lines take `\n`, the one `\r\n` line keeps it.
        let before = "[a]\nx = 1\r\ny = 2\nw = 0\n";
        let after = edit(before, |d| {
            d["a"]["y"] = toml_edit::value(3);
            d["a"]["z"] = toml_edit::value("a\nb");
        });
        assert_eq!(
            after,
            "[a]\nx = 1\r\ny = 3\nw = 0\nz = \"\"\"\na\nb\"\"\"\n"
        );
        // A last line without a line break stays without one.
        let after = edit("[a]\r\nx = 1", |d| d["a"]["z"] = toml_edit::value(2));
        assert_eq!(after, "[a]\r\nx = 1\r\nz = 2\r\n");
    }

    #[test]
    fn lf_files_and_new_files_are_written_as_toml_edit_writes_them() {
        let before = "[a]\nx = 1\n";
        let after = edit(before, |d| d["a"]["y"] = toml_edit::value("p\nq"));
        assert_eq!(after, "[a]\nx = 1\ny = \"\"\"\np\nq\"\"\"\n");
        let doc: DocumentMut = "[a]\nx = 1\n".parse().unwrap();
        assert_eq!(render(None, doc), "[a]\nx = 1\n");
    }

    #[test]
    fn a_byte_order_mark_is_kept_in_lf_and_crlf_files() {
        for eol in ["\n", "\r\n"] {
            let plain = "# head\n[a]\nx = 1\n".replace('\n', eol);
            let with_bom = format!("\u{FEFF}{plain}");
            let add = |d: &mut DocumentMut| d["a"]["y"] = toml_edit::value(2);
            let after = edit(&with_bom, add);
            // The same edit as without the mark, the mark in front.
            assert_eq!(after, format!("\u{FEFF}{}", edit(&plain, add)), "{eol:?}");
            assert_eq!(
                after,
                format!("\u{FEFF}# head{eol}[a]{eol}x = 1{eol}y = 2{eol}"),
                "{eol:?}"
            );
        }
        // A file the edit creates has none.
        let doc: DocumentMut = "[a]\nx = 1\n".parse().unwrap();
        assert_eq!(render(None, doc), "[a]\nx = 1\n");
    }

    #[test]
    fn basic_strings_escape_every_control_character() {
        let s = "q\"b\\n\nr\rt\te\u{1b}d\u{7f}";
        let text = basic_string(s);
        assert!(!text.chars().any(|c| c.is_control()), "{text}");
        let v: Value = text.parse().unwrap();
        assert_eq!(v.as_str(), Some(s));
    }
}
