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

/// Does `s` hold a character [`is_unsafe_char`] refuses? ASCII (the usual case) is
/// checked a byte at a time, and only the characters outside ASCII one by one.
pub fn has_unsafe_char(s: &str) -> bool {
    let mut rest = s;
    loop {
        let bytes = rest.as_bytes();
        let next = bytes
            .iter()
            .position(|&b| b >= 0x80 || b == 0x7f || (b < 0x20 && b != b'\n' && b != b'\t'));
        let Some(i) = next else { return false };
        if bytes[i] < 0x80 {
            return true;
        }
        // A byte >= 0x80 after ASCII starts a character: check it, then go on a byte at a
        // time.
        let Some(c) = rest.get(i..).and_then(|r| r.chars().next()) else {
            return false;
        };
        if is_unsafe_char(c) {
            return true;
        }
        rest = rest.get(i + c.len_utf8()..).unwrap_or("");
    }
}

/// What a JSON value is, in words for a message: `a string`, `a list`, `null`, …
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Is `c` an invisible formatting character (Unicode general category Cf): zero-width
/// space and joiners (U+200B–U+200D), word joiner (U+2060), byte order mark (U+FEFF),
/// soft hyphen, bidi marks, tags? Two identities that differ only by one look the same.
pub fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// The form two identities (people, teams, e-mail addresses, commit authors) are compared
/// in: Unicode NFKC normalisation, then lower case, with surrounding white space removed.
/// `Maria@Example.com`, `maria@example.com` and a full-width `ｍａｒｉａ@example.com` share
/// one key. Invisible characters are refused where identities are loaded (see
/// [`is_format_char`]); they are dropped here too, so a commit header cannot use one to
/// look like somebody else to the eye while differing to the comparison.
pub fn identity_key(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII is its own NFKC form and holds no invisible character: the common case skips
    // normalisation (a lint of 20,000 grants compares identities ~100,000 times).
    if s.is_ascii() {
        return s.trim().to_ascii_lowercase();
    }
    s.trim()
        .nfkc()
        .filter(|c| !is_format_char(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Can `stem` name a registry file as it is (`clients/<stem>.toml`, `reviews/<stem>.toml`):
/// ASCII letters, digits, `-`, `_` and `.`, not starting with `.` (no hidden file, no `..`),
/// at most 100 bytes.
pub fn is_file_stem(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= 100
        && !stem.starts_with('.')
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Are `a` and `b` the same identity ([`identity_key`])? Empty strings are nobody.
pub fn same_identity(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.trim(), b.trim());
        return !a.is_empty() && a.eq_ignore_ascii_case(b);
    }
    let (a, b) = (identity_key(a), identity_key(b));
    !a.is_empty() && a == b
}

/// Text from files, tokens, commits or servers, made safe to print on a terminal: every
/// control character (also newline and tab) and bidi override becomes a visible escape
/// such as `\u{1b}`. Use for single-line fields (ids, scopes, messages, table cells).
pub fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if !has_unsafe_char(s) && !s.contains(['\n', '\t']) {
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
    if !has_unsafe_char(s) {
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

/// Everything about to be printed as text, made safe for a terminal: like
/// [`clean_multiline`] (newlines and tabs kept, every other control character and bidi
/// override escaped), except that with `allow_sgr` the colour sequences scopectl itself
/// emits (`ESC [ digits/semicolons m`, SGR: they can only change colours) pass unchanged.
pub fn terminal(s: &str, allow_sgr: bool) -> std::borrow::Cow<'_, str> {
    if !has_unsafe_char(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' && allow_sgr {
            if let Some(len) = sgr_len(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// Length of an SGR sequence (`ESC [ [0-9;]* m`) at the start of `s`, if there is one.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params <= 32 && body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// JSON about to be printed, made safe for a terminal without changing its value: the
/// characters JSON encoders leave raw (DEL, C1 controls, bidi overrides; they can only
/// occur inside strings) become `\uXXXX` escapes.
pub fn json(s: &str) -> std::borrow::Cow<'_, str> {
    if !has_unsafe_char(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Replace unsafe characters with printable ones of the same UTF-8 length, so byte
/// offsets (diagnostic spans) stay valid: source snippets shown on a terminal.
pub fn mask_same_length(s: &str) -> std::borrow::Cow<'_, str> {
    // A carriage return is kept only as part of a CRLF line ending; a bare one would move
    // the cursor back over what was printed.
    let unsafe_at = |i: usize, c: char| {
        is_unsafe_char(c) && !(c == '\r' && s.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    if !s.char_indices().any(|(i, c)| unsafe_at(i, c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if unsafe_at(i, c) {
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
/// markup or script from a registry value or a commit reaches a rendered page), `|` as
/// `\|` (it cannot end a table cell early), `](` and `][` broken (no link or image), an
/// `@` that would mention someone escaped, and the bare URLs GitHub would turn into links
/// (cmark-gfm's autolink extension: `https://…`, `ftp://…`, `www.…`) broken by escaping
/// the `:` of `://` and the `.` of `www.`, which renders the same text. E-mail addresses
/// are left as they are: they are what approver fields hold, and GitHub makes of one at
/// most a `mailto:` link, which opens no web page.
pub fn md_text(s: &str) -> String {
    let cleaned = clean(s);
    let chars: Vec<char> = cleaned.chars().collect();
    let mut out = String::with_capacity(cleaned.len());
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            // A value must not turn into a link or an image (`[text](url)`, `[a][b]`) or
            // ping people (`@team`) in a rendered page or a PR comment; brackets alone
            // (`[rules]`) and e-mail addresses stay as they are.
            '(' | '[' if i > 0 && chars[i - 1] == ']' => {
                out.push('\\');
                out.push(c);
            }
            '@' if !word(i.checked_sub(1)) => out.push_str("\\@"),
            // Emphasis, strikethrough and code spans (`**x**`, `~~x~~`, `` `x` ``), and a
            // backslash that would undo the escapes here. `_` inside a word
            // (`customers_export`) emphasises nothing and stays readable.
            '\\' | '*' | '`' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(word(i.checked_sub(1)) && word(Some(i + 1))) => out.push_str("\\_"),
            // cmark-gfm links `scheme://` when it meets the `:` and `www.` when it meets the
            // first `w`, both in the Markdown source: an escaped character is never met.
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str("\\:")
            }
            '.' if i >= 3 && chars[i - 3..i] == ['w', 'w', 'w'] => out.push_str("\\."),
            // A heading at the start of a line.
            '#' if i == 0 => out.push_str("\\#"),
            c => out.push(c),
        }
    }
    out
}

/// One line of Markdown from text that may span lines: newlines become spaces, then
/// [`md_text`].
pub fn md_line(s: &str) -> String {
    md_text(&s.replace('\n', " "))
}

/// A Markdown table cell: [`md_text`] per line, lines joined with `<br>`.
pub fn md_cell(s: &str) -> String {
    s.split('\n').map(md_text).collect::<Vec<_>>().join("<br>")
}

/// `[-removed-]{+added+}` word diff, the `git diff --word-diff=plain` notation. A run of
/// changed words (with the spaces between them) is shown as one removal and one
/// addition, `[-old words-]{+new words+}`, not as a bracket pair per word, so a long
/// change stays readable.
pub fn word_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::configure().diff_words(old, new);
    let tokens: Vec<(ChangeTag, String)> = diff
        .iter_all_changes()
        .map(|c| (c.tag(), c.to_string_lossy().into_owned()))
        .collect();
    let mut out = String::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].0 == ChangeTag::Equal {
            out.push_str(&tokens[i].1);
            i += 1;
            continue;
        }
        // The run: changed tokens, and unchanged whitespace between two of them.
        let (mut j, mut end) = (i, i);
        while j < tokens.len() {
            match &tokens[j] {
                (ChangeTag::Equal, t) if t.trim().is_empty() => j += 1,
                (ChangeTag::Equal, _) => break,
                _ => {
                    j += 1;
                    end = j;
                }
            }
        }
        let (mut removed, mut added) = (String::new(), String::new());
        let run = &tokens[i..end];
        let has = |want: ChangeTag| run.iter().any(|(tag, _)| *tag == want);
        let (any_removed, any_added) = (has(ChangeTag::Delete), has(ChangeTag::Insert));
        for (tag, t) in run {
            match tag {
                ChangeTag::Delete => removed.push_str(t),
                ChangeTag::Insert => added.push_str(t),
                ChangeTag::Equal => {
                    removed.push_str(t);
                    added.push_str(t);
                }
            }
        }
        if any_removed {
            out.push_str(&format!("[-{removed}-]"));
        }
        if any_added {
            out.push_str(&format!("{{+{added}+}}"));
        }
        i = end;
    }
    out
}

/// Names longer than this many characters get no "did you mean" suggestion.
pub const SUGGEST_MAX_CHARS: usize = 128;

/// Work allowed for "did you mean" suggestions (edit-distance table cells), shared by
/// every suggestion of one run: once spent, later findings get no suggestion, so the work
/// stays bounded whatever the number and length of names.
#[derive(Debug, Clone)]
pub struct SuggestBudget {
    left: u64,
    used: u64,
}

impl SuggestBudget {
    /// The default budget: 20 million cells, a fraction of a second.
    pub const DEFAULT_CELLS: u64 = 20_000_000;

    pub fn new(cells: u64) -> Self {
        SuggestBudget {
            left: cells,
            used: 0,
        }
    }

    /// Cells computed so far.
    pub fn used(&self) -> u64 {
        self.used
    }
}

impl Default for SuggestBudget {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CELLS)
    }
}

/// The candidate closest to `name` within `max` edits (Levenshtein, on characters), for
/// "did you mean". Only candidates whose length is within `max` of the name's are
/// compared, only inside the diagonal band the bound allows, and neither names longer
/// than [`SUGGEST_MAX_CHARS`] nor work past the budget are considered.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    max: usize,
    budget: &mut SuggestBudget,
) -> Option<&'a str> {
    if name.len() > 4 * SUGGEST_MAX_CHARS {
        return None;
    }
    let a: Vec<char> = name.chars().collect();
    if a.len() > SUGGEST_MAX_CHARS {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Byte length bounds character length: skip long names without decoding them.
        if c.len() > 4 * SUGGEST_MAX_CHARS {
            continue;
        }
        let b: Vec<char> = c.chars().collect();
        if b.len() > SUGGEST_MAX_CHARS || a.len().abs_diff(b.len()) > max {
            continue;
        }
        let bound = best.map_or(max, |(d, _)| d);
        let cost = (a.len() as u64 + 1) * (2 * bound as u64 + 1);
        if cost > budget.left {
            budget.left = 0;
            break;
        }
        budget.left -= cost;
        budget.used += cost;
        if let Some(d) = banded_levenshtein(&a, &b, bound) {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance of `a` and `b` if it is at most `max`, computing only the cells
/// within `max` of the diagonal.
fn banded_levenshtein(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let inf = max + 1;
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(inf)).collect();
    let mut cur = vec![inf; b.len() + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(b.len());
        cur.fill(inf);
        cur[0] = i.min(inf);
        let mut row_min = cur[0];
        for j in lo..=hi {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let v = sub.min(prev[j] + 1).min(cur[j - 1] + 1).min(inf);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_diff_groups_a_run_of_changed_words() {
        let old = "one two three four five six seven eight nine ten eleven";
        let new = "one 2 3 4 5 6 7 8 9 10 eleven";
        assert_eq!(
            super::word_diff(old, new),
            "one [-two three four five six seven eight nine ten-]{+2 3 4 5 6 7 8 9 10+} eleven"
        );
        // Unchanged words still split runs.
        assert_eq!(
            super::word_diff("a b c d", "a x c y"),
            "a [-b-]{+x+} c [-d-]{+y+}"
        );
        assert_eq!(super::word_diff("a c", "a b c"), "a {+b +}c");
    }

    use super::*;

    #[test]
    fn the_byte_shortcut_finds_what_the_character_check_finds() {
        let mut cases: Vec<String> = (0u32..0x300)
            .chain([0x200E, 0x202A, 0x202E, 0x2066, 0x2069, 0x200B, 0xFEFF])
            .filter_map(char::from_u32)
            .flat_map(|c| {
                [
                    format!("{c}"),
                    format!("ab{c}cd"),
                    format!("é{c}"),
                    format!("{c}é"),
                ]
            })
            .collect();
        cases.extend([
            "".into(),
            "plain text\n\tok".into(),
            "naïve \u{202e}".into(),
            "→ a … b \u{1b}".into(),
            "→ a … b \u{85}".into(),
            "→ a … b".into(),
        ]);
        for s in &cases {
            assert_eq!(has_unsafe_char(s), s.chars().any(is_unsafe_char), "{s:?}");
        }
    }

    #[test]
    fn the_ascii_shortcut_is_the_full_normalisation() {
        use unicode_normalization::UnicodeNormalization;
        let all: String = (0u8..128).map(char::from).collect();
        for s in [all.as_str(), " Maria@Example.COM\t", "", "  ", "a\u{7f}b"] {
            let slow: String = s
                .trim()
                .nfkc()
                .filter(|c| !is_format_char(*c))
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(identity_key(s), slow, "{s:?}");
        }
        assert!(same_identity("A@x", " a@X "));
        assert!(!same_identity(" ", " "));
    }

    #[test]
    fn identities_compare_case_and_width_insensitively() {
        assert!(same_identity("Maria@Example.com", " maria@example.com"));
        assert!(same_identity(
            "\u{FF4D}aria@example.com",
            "maria@example.com"
        ));
        assert!(same_identity(
            "maria\u{200B}@example.com",
            "maria@example.com"
        ));
        assert!(!same_identity("", ""));
        assert!(!same_identity("maria@example.com", "mario@example.com"));
    }

    #[test]
    fn closest_agrees_with_levenshtein_on_short_names() {
        let names = [
            "orders:read",
            "orders:write",
            "order:read",
            "users:read",
            "a",
            "",
        ];
        for probe in [
            "orders:raed",
            "order:reed",
            "x",
            "",
            "users:rea",
            "zzzzzzzzzzzz",
        ] {
            for max in 0..4 {
                let want = names
                    .iter()
                    .map(|n| (strsim::levenshtein(probe, n), *n))
                    .filter(|(d, _)| *d <= max)
                    .min_by_key(|(d, _)| *d)
                    .map(|(d, _)| d);
                let got = closest(probe, names, max, &mut SuggestBudget::default())
                    .map(|n| strsim::levenshtein(probe, n));
                assert_eq!(got, want, "{probe} {max}");
            }
        }
    }

    #[test]
    fn closest_work_is_bounded() {
        // Long names are not compared at all.
        let long = "x".repeat(4000);
        let many: Vec<String> = (0..4000).map(|i| format!("{long}{i}")).collect();
        let mut budget = SuggestBudget::default();
        for _ in 0..40 {
            assert_eq!(
                closest(&long, many.iter().map(String::as_str), 2, &mut budget),
                None
            );
        }
        assert_eq!(budget.used(), 0);
        // Names at the limit cost at most the budget, however many there are.
        let at_limit = "y".repeat(SUGGEST_MAX_CHARS);
        let similar: Vec<String> = (0..100_000)
            .map(|i| format!("{}{i:06}", &at_limit[..SUGGEST_MAX_CHARS - 6]))
            .collect();
        let mut budget = SuggestBudget::new(1_000_000);
        let _ = closest(
            &at_limit,
            similar.iter().map(String::as_str),
            2,
            &mut budget,
        );
        assert!(budget.used() <= 1_000_000);
    }

    #[test]
    fn clean_escapes_terminal_controls_and_bidi() {
        assert_eq!(clean("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(clean("x\ny"), "x\\u{a}y");
        assert_eq!(clean("ab\u{202E}cd"), "ab\\u{202e}cd");
        assert_eq!(clean_multiline("x\ny\u{7}"), "x\ny\\u{7}");
        assert!(matches!(clean("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_passes_only_sgr_and_only_when_asked() {
        let coloured = "\u{1b}[1m\u{1b}[31mred\u{1b}[0m\n";
        assert_eq!(terminal(coloured, true), coloured);
        assert_eq!(
            terminal(coloured, false),
            "\\u{1b}[1m\\u{1b}[31mred\\u{1b}[0m\n"
        );
        // Cursor movement, screen clearing, titles: never.
        assert_eq!(terminal("a\u{1b}[2Jb", true), "a\\u{1b}[2Jb");
        assert_eq!(
            terminal("\u{1b}]0;title\u{7}", true),
            "\\u{1b}]0;title\\u{7}"
        );
        assert_eq!(terminal("x\u{9b}31m\u{202e}", true), "x\\u{9b}31m\\u{202e}");
        assert_eq!(terminal("tab\tnl\n", false), "tab\tnl\n");
    }

    #[test]
    fn json_escapes_keep_the_value() {
        let raw = "{\"a\":\"x\u{7f}\u{9b}\u{202e}y\"}";
        let safe = json(raw);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        let a: serde_json::Value = serde_json::from_str(raw).expect("raw");
        let b: serde_json::Value = serde_json::from_str(&safe).expect("safe");
        assert_eq!(a, b);
    }

    #[test]
    fn markdown_markup_in_values_is_escaped() {
        assert_eq!(
            md_text("[x](https://e.vil) ![i](p) [r][1] @team `c` client_secret_env [rules]"),
            "[x]\\(https\\://e.vil) ![i]\\(p) [r]\\[1] \\@team \\`c\\` client_secret_env [rules]"
        );
        assert_eq!(md_text("carol@example.com"), "carol@example.com");
        assert_eq!(
            md_text("# **bold** _em_ ~~gone~~ \\*still* a_b"),
            "\\# \\*\\*bold\\*\\* \\_em\\_ \\~\\~gone\\~\\~ \\\\\\*still\\* a_b"
        );
    }

    /// A bare URL in a value (a client id `https://evil.example/login`) became a link in
    /// GitHub's rendering of a `--format markdown` comment: the `:` of `://` and the `.`
    /// of `www.` are escaped (they render the same), so cmark-gfm's autolink extension
    /// never matches. Text that only looks similar stays as it is.
    #[test]
    fn bare_urls_are_not_autolinked() {
        assert_eq!(
            md_text("https://evil.example/login"),
            "https\\://evil.example/login"
        );
        assert_eq!(
            md_text("see HTTP://a.b, ftp://c.d or http://e.f"),
            "see HTTP\\://a.b, ftp\\://c.d or http\\://e.f"
        );
        assert_eq!(md_text("www.evil.example"), "www\\.evil.example");
        assert_eq!(md_text("(www.a.b)"), "(www\\.a.b)");
        assert_eq!(md_cell("a\nhttps://x.y"), "a<br>https\\://x.y");
        // Nothing to break: a scope, a time, an address, a URN.
        for plain in [
            "orders:read",
            "10:30",
            "alice@example.com",
            "urn:x:y",
            "a.www",
        ] {
            assert_eq!(md_text(plain), plain);
        }
        // After escaping, every `:` before `//` and every `.` after `www` is escaped.
        let out = md_text("x https://a.b www.c.d ftp://e.f");
        assert_eq!(
            out.matches("://").count(),
            out.matches("\\://").count(),
            "{out}"
        );
        assert!(!out.contains("www."), "{out}");
    }

    #[test]
    fn a_bare_carriage_return_is_masked_but_crlf_is_kept() {
        assert_eq!(mask_same_length("a\r\nb"), "a\r\nb");
        assert_eq!(mask_same_length("a\rb\r\n"), "a?b\r\n");
    }

    #[test]
    fn mask_keeps_byte_offsets() {
        for s in ["a\u{1b}b", "a\u{85}b", "a\u{202E}b", "ok"] {
            assert_eq!(mask_same_length(s).len(), s.len(), "{s:?}");
            assert!(!mask_same_length(s).chars().any(is_unsafe_char));
        }
    }
}
