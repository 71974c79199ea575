//! Text that came from files, git, servers or tokens, made safe for where it is shown:
//! a terminal ([`clean`], [`mask_same_length`]) or Markdown ([`md_text`], [`md_cell`]),
//! and the one word diff every renderer uses ([`word_diff`]). A leaf module: it depends
//! on nothing else in the crate.

use similar::{ChangeTag, TextDiff};

/// Is `c` a character that can drive a terminal or reorder text: C0/C1 controls (ESC
/// included), DEL, and the Unicode bidirectional overrides and isolates?
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Text from files, tokens, commits or servers, made safe to print on a terminal: every
/// control character (also newline and tab) and bidi override becomes a visible escape
/// such as `\u{1b}`. Use for single-line fields (ids, scopes, messages, table cells).
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !s
        .chars()
        .any(|c| is_unsafe_char(c) || c == '\n' || c == '\t')
    {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) || c == '\n' || c == '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Like [`clean`] but keeps newlines and tabs (multi-line text such as rendered reports).
pub fn clean_multiline(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Replace unsafe characters with printable ones of the same UTF-8 length, so byte
/// offsets (diagnostic spans) stay valid: source snippets shown on a terminal.
pub fn mask_same_length(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe_char(c) && c != '\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe_char(c) && c != '\r' {
            match c.len_utf8() {
                1 => out.push('?'),
                2 => out.push('¿'),
                3 => out.push('\u{FFFD}'),
                _ => out.push_str("????"),
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line of text for Markdown (a table cell, a list item, a heading): terminal controls
/// escaped as in [`clean`], the HTML-significant characters `&`, `<`, `>` as entities (no
/// markup or script from a registry value or a commit reaches a rendered page), and `|`
/// as `\|` (it cannot end a table cell early).
pub fn md_text(s: &str) -> String {
    let cleaned = clean(s);
    let mut out = String::with_capacity(cleaned.len());
    for c in cleaned.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

/// A Markdown table cell: [`md_text`] per line, lines joined with `<br>`.
pub fn md_cell(s: &str) -> String {
    s.split('\n').map(md_text).collect::<Vec<_>>().join("<br>")
}

/// `[-removed-]{+added+}` word diff, the `git diff --word-diff=plain` notation.
pub fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::configure().diff_words(old, new);
    let mut out = String::new();
    let mut pending: Option<ChangeTag> = None;
    for ch in diff.iter_all_changes() {
        let tag = ch.tag();
        if pending != Some(tag) {
            match pending {
                Some(ChangeTag::Delete) => out.push_str("-]"),
                Some(ChangeTag::Insert) => out.push_str("+}"),
                _ => {}
            }
            match tag {
                ChangeTag::Delete => out.push_str("[-"),
                ChangeTag::Insert => out.push_str("{+"),
                ChangeTag::Equal => {}
            }
            pending = Some(tag);
        }
        out.push_str(&ch.to_string_lossy());
    }
    match pending {
        Some(ChangeTag::Delete) => out.push_str("-]"),
        Some(ChangeTag::Insert) => out.push_str("+}"),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_terminal_controls_and_bidi() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("x\ny"), "x\\u{a}y");
        assert_eq!(clean("ab\u{202E}cd"), "ab\\u{202e}cd");
        assert_eq!(clean_multiline("x\ny\u{7}"), "x\ny\\u{7}");
        assert!(matches!(clean("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn mask_keeps_byte_offsets() {
        for s in ["a\u{1b}b", "a\u{85}b", "a\u{202E}b", "ok"] {
            assert_eq!(mask_same_length(s).len(), s.len(), "{s:?}");
            assert!(!mask_same_length(s).chars().any(is_unsafe_char));
        }
    }
}
