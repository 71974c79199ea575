//! How deep a YAML document nests, found in one linear pass before the YAML parser sees
//! it.
//!
//! The YAML parser (libyaml, through `serde_yaml_ng`) refuses more than 128 levels only
//! after it has read the whole document, and its scanner does work proportional to the
//! number of open flow collections (`[`, `{`) for every token: 40,000 `[` took 4 s and
//! 80,000 took 17 s. OpenAPI files come with pull requests, so [`check`] refuses a
//! document that would nest deeper than [`MAX_DEPTH`] first, in time linear in its size.
//!
//! The pass follows libyaml's scanner (`unsafe-libyaml`'s `scanner.rs`) wherever it decides
//! whether a `[` or `{` opens a collection: quoted, plain and block scalars, comments,
//! tags, anchors, directives, document markers, block indentation and simple keys. Up
//! to a point where libyaml fails (and stops reading), it sees every level libyaml sees;
//! it counts the open flow collections and the open block collections (indentation
//! levels), never more than the parser nests, so a document the parser accepts is never
//! refused. Where libyaml would fail, the pass goes on reading, which can only make it
//! refuse a document that does not load anyway.

/// The deepest nesting accepted: `serde_yaml_ng`'s recursion limit, and `serde_json`'s.
pub const MAX_DEPTH: usize = 128;

/// Where a document first nests deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset of the collection that opens the level past the limit.
    pub offset: usize,
}

/// `Err` when `text` (a YAML document; JSON is YAML too) nests deeper than [`MAX_DEPTH`]
/// levels, with where it first does.
pub fn check(text: &str) -> Result<(), TooDeep> {
    let mut s = Scan::new(text.as_bytes());
    s.run()
}

/// The simple key of the block context (flow level 0): a token that may turn out to be a
/// mapping key when a `:` follows on the same line.
#[derive(Clone, Copy)]
struct Key {
    index: usize,
    line: usize,
    column: usize,
}

struct Scan<'a> {
    s: &'a [u8],
    /// Byte offset (libyaml's `mark.index`).
    i: usize,
    /// Characters since the line start (libyaml's `mark.column`).
    column: usize,
    line: usize,
    /// Open flow collections.
    flow: usize,
    /// The block indentation (-1 outside any block collection) and the enclosing ones.
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    /// The possible simple key of flow level 0; keys inside flow collections do not move
    /// the indentation, so they are not kept.
    key: Option<Key>,
}

impl<'a> Scan<'a> {
    fn new(s: &'a [u8]) -> Self {
        // serde_yaml_ng names the encoding, so the reader leaves a byte order mark at the
        // start to the scanner, which skips one at the start of any line (as a character).
        Scan {
            s,
            i: 0,
            column: 0,
            line: 0,
            flow: 0,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: true,
            key: None,
        }
    }

    fn at(&self, j: usize) -> u8 {
        self.s.get(j).copied().unwrap_or(0)
    }

    fn cur(&self) -> u8 {
        self.at(self.i)
    }

    /// The end of the input; libyaml also stops at a NUL (its reader refuses one).
    fn is_z(&self, j: usize) -> bool {
        self.at(j) == 0
    }

    fn is_blank(&self, j: usize) -> bool {
        matches!(self.at(j), b' ' | b'\t')
    }

    /// CR, LF, NEL (U+0085), LS (U+2028), PS (U+2029).
    fn is_break(&self, j: usize) -> bool {
        match self.at(j) {
            b'\r' | b'\n' => true,
            0xC2 => self.at(j + 1) == 0x85,
            0xE2 => self.at(j + 1) == 0x80 && matches!(self.at(j + 2), 0xA8 | 0xA9),
            _ => false,
        }
    }

    fn is_breakz(&self, j: usize) -> bool {
        self.is_break(j) || self.is_z(j)
    }

    fn is_blankz(&self, j: usize) -> bool {
        self.is_blank(j) || self.is_breakz(j)
    }

    /// libyaml's `IS_ALPHA`: ASCII letters, digits, `_` and `-`.
    fn is_alpha(&self, j: usize) -> bool {
        let c = self.at(j);
        c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
    }

    /// Skip one character (not a line break).
    fn skip(&mut self) {
        if self.i >= self.s.len() {
            return;
        }
        let width = match self.s[self.i] {
            b if b < 0x80 => 1,
            b if b >= 0xF0 => 4,
            b if b >= 0xE0 => 3,
            _ => 2,
        };
        self.i = (self.i + width).min(self.s.len());
        self.column += 1;
    }

    /// Skip one line break (CR LF counts as one).
    fn skip_line(&mut self) {
        if self.at(self.i) == b'\r' && self.at(self.i + 1) == b'\n' {
            self.i += 2;
        } else if self.is_break(self.i) {
            self.i += if self.at(self.i) < 0x80 {
                1
            } else if self.at(self.i) == 0xC2 {
                2
            } else {
                3
            };
        } else {
            return;
        }
        self.column = 0;
        self.line += 1;
    }

    fn depth(&self) -> usize {
        self.indents.len() + self.flow
    }

    fn run(&mut self) -> Result<(), TooDeep> {
        loop {
            self.scan_to_next_token();
            self.unroll_indent(self.column as isize);
            if self.is_z(self.i) {
                return Ok(());
            }
            let start = self.i;
            self.fetch_next_token()?;
            if self.i == start {
                // Only where libyaml fails; keep going so nothing after it is missed.
                self.skip();
            }
        }
    }

    fn fetch_next_token(&mut self) -> Result<(), TooDeep> {
        let c = self.cur();
        let next_blankz = self.is_blankz(self.i + 1);
        if self.column == 0 && c == b'%' {
            // A directive takes its line (a `%TAG` prefix may hold `[`).
            self.unroll_indent(-1);
            self.remove_simple_key();
            self.simple_key_allowed = false;
            while !self.is_breakz(self.i) {
                self.skip();
            }
            self.skip_line();
            return Ok(());
        }
        if self.column == 0
            && (self.s[self.i..].starts_with(b"---") || self.s[self.i..].starts_with(b"..."))
            && self.is_blankz(self.i + 3)
        {
            self.unroll_indent(-1);
            self.remove_simple_key();
            self.simple_key_allowed = false;
            self.skip();
            self.skip();
            self.skip();
            return Ok(());
        }
        match c {
            b'[' | b'{' => {
                self.save_simple_key();
                self.flow += 1;
                if self.depth() > MAX_DEPTH {
                    return Err(TooDeep { offset: self.i });
                }
                self.simple_key_allowed = true;
                self.skip();
            }
            b']' | b'}' => {
                self.remove_simple_key();
                self.flow = self.flow.saturating_sub(1);
                self.simple_key_allowed = false;
                self.skip();
            }
            b',' => {
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.skip();
            }
            b'-' if next_blankz => {
                self.roll_indent(self.column as isize)?;
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.skip();
            }
            b'?' if self.flow > 0 || next_blankz => {
                self.roll_indent(self.column as isize)?;
                self.remove_simple_key();
                self.simple_key_allowed = self.flow == 0;
                self.skip();
            }
            b':' if self.flow > 0 || next_blankz => self.fetch_value()?,
            b'*' | b'&' => {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.skip();
                while self.is_alpha(self.i) {
                    self.skip();
                }
            }
            b'!' => {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.scan_tag();
            }
            b'|' | b'>' if self.flow == 0 => {
                self.remove_simple_key();
                self.simple_key_allowed = true;
                self.scan_block_scalar();
            }
            b'\'' | b'"' => {
                self.save_simple_key();
                self.simple_key_allowed = false;
                self.scan_flow_scalar(c == b'\'');
            }
            _ => {
                let indicator = self.is_blankz(self.i) || b"-?:,[]{}#&*!|>'\"%@`".contains(&c);
                let plain = !indicator
                    || (c == b'-' && !self.is_blank(self.i + 1))
                    || (self.flow == 0 && (c == b'?' || c == b':') && !next_blankz);
                if plain {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.scan_plain_scalar();
                }
                // Otherwise libyaml fails here ("cannot start any token").
            }
        }
        Ok(())
    }

    /// Spaces, comments and line breaks between tokens; tabs too where a token cannot
    /// start a simple key.
    fn scan_to_next_token(&mut self) {
        loop {
            if self.column == 0 && self.s[self.i..].starts_with(b"\xEF\xBB\xBF") {
                self.skip();
            }
            while self.cur() == b' '
                || ((self.flow > 0 || !self.simple_key_allowed) && self.cur() == b'\t')
            {
                self.skip();
            }
            if self.cur() == b'#' {
                while !self.is_breakz(self.i) {
                    self.skip();
                }
            }
            if !self.is_break(self.i) {
                return;
            }
            self.skip_line();
            if self.flow == 0 {
                self.simple_key_allowed = true;
            }
        }
    }

    fn save_simple_key(&mut self) {
        if self.simple_key_allowed && self.flow == 0 {
            self.key = Some(Key {
                index: self.i,
                line: self.line,
                column: self.column,
            });
        }
    }

    fn remove_simple_key(&mut self) {
        if self.flow == 0 {
            self.key = None;
        }
    }

    fn roll_indent(&mut self, column: isize) -> Result<(), TooDeep> {
        if self.flow > 0 || self.indent >= column {
            return Ok(());
        }
        self.indents.push(self.indent);
        self.indent = column;
        if self.depth() > MAX_DEPTH {
            return Err(TooDeep { offset: self.i });
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow > 0 {
            return;
        }
        while self.indent > column {
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    /// `:` ending a mapping key: the simple key saved on this line (within 1024 bytes)
    /// starts a block mapping at its column.
    fn fetch_value(&mut self) -> Result<(), TooDeep> {
        if self.flow == 0 {
            let possible = self
                .key
                .filter(|k| k.line == self.line && k.index + 1024 >= self.i);
            match possible {
                Some(k) => {
                    self.roll_indent(k.column as isize)?;
                    self.key = None;
                    self.simple_key_allowed = false;
                }
                None => {
                    self.key = None;
                    self.roll_indent(self.column as isize)?;
                    self.simple_key_allowed = true;
                }
            }
        } else {
            self.simple_key_allowed = false;
        }
        self.skip();
        Ok(())
    }

    /// `!tag`, `!!tag`, `!handle!suffix` or `!<verbatim>`.
    fn scan_tag(&mut self) {
        let uri = |c: u8, verbatim: bool| {
            c.is_ascii_alphanumeric()
                || b"_-;/?:@&=+$.%!~*'()".contains(&c)
                || (verbatim && b",[]".contains(&c))
        };
        if self.at(self.i + 1) == b'<' {
            self.skip();
            self.skip();
            while uri(self.cur(), true) {
                self.skip();
            }
            if self.cur() == b'>' {
                self.skip();
            }
        } else {
            // The handle's characters are URI characters too.
            self.skip();
            while uri(self.cur(), false) {
                self.skip();
            }
        }
    }

    /// A single- or double-quoted scalar, which may span lines.
    fn scan_flow_scalar(&mut self, single: bool) {
        let quote = if single { b'\'' } else { b'"' };
        self.skip();
        loop {
            let marker =
                self.s[self.i..].starts_with(b"---") || self.s[self.i..].starts_with(b"...");
            if (self.column == 0 && marker && self.is_blankz(self.i + 3)) || self.is_z(self.i) {
                // libyaml fails: a document marker or the end inside quotes.
                return;
            }
            while !self.is_blankz(self.i) {
                let c = self.cur();
                if single && c == b'\'' && self.at(self.i + 1) == b'\'' {
                    self.skip();
                    self.skip();
                } else if c == quote {
                    break;
                } else if !single && c == b'\\' && self.is_break(self.i + 1) {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && c == b'\\' {
                    let digits = match self.at(self.i + 1) {
                        b'x' => 2,
                        b'u' => 4,
                        b'U' => 8,
                        _ => 0,
                    };
                    self.skip();
                    self.skip();
                    for _ in 0..digits {
                        if !self.at(self.i).is_ascii_hexdigit() {
                            // libyaml fails on a bad escape.
                            break;
                        }
                        self.skip();
                    }
                } else {
                    self.skip();
                }
            }
            if self.cur() == quote {
                self.skip();
                return;
            }
            while self.is_blank(self.i) || self.is_break(self.i) {
                if self.is_blank(self.i) {
                    self.skip();
                } else {
                    self.skip_line();
                }
            }
        }
    }

    /// A plain scalar: in block context it may hold `[`, `{` and `]` and continue on the
    /// next lines that are indented more than its block.
    fn scan_plain_scalar(&mut self) {
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        loop {
            let marker =
                self.s[self.i..].starts_with(b"---") || self.s[self.i..].starts_with(b"...");
            if self.column == 0 && marker && self.is_blankz(self.i + 3) {
                break;
            }
            if self.cur() == b'#' {
                break;
            }
            while !self.is_blankz(self.i) {
                let c = self.cur();
                if self.flow > 0 && c == b':' && b",?[]{}".contains(&self.at(self.i + 1)) {
                    // libyaml fails ("found unexpected ':'").
                    return;
                }
                if (c == b':' && self.is_blankz(self.i + 1))
                    || (self.flow > 0 && b",[]{}".contains(&c))
                {
                    break;
                }
                self.skip();
            }
            if !(self.is_blank(self.i) || self.is_break(self.i)) {
                break;
            }
            while self.is_blank(self.i) || self.is_break(self.i) {
                if self.is_blank(self.i) {
                    self.skip();
                } else {
                    self.skip_line();
                    leading_blanks = true;
                }
            }
            if self.flow == 0 && (self.column as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar: its header, then every line indented
    /// at least as far as its first non-empty line.
    fn scan_block_scalar(&mut self) {
        self.skip();
        let mut increment: isize = 0;
        let digit = |c: u8| (b'1'..=b'9').contains(&c);
        if matches!(self.cur(), b'+' | b'-') {
            self.skip();
            if digit(self.cur()) {
                increment = (self.cur() - b'0') as isize;
                self.skip();
            }
        } else if digit(self.cur()) {
            increment = (self.cur() - b'0') as isize;
            self.skip();
            if matches!(self.cur(), b'+' | b'-') {
                self.skip();
            }
        }
        while self.is_blank(self.i) {
            self.skip();
        }
        if self.cur() == b'#' {
            while !self.is_breakz(self.i) {
                self.skip();
            }
        }
        if !self.is_breakz(self.i) {
            // libyaml fails ("did not find expected comment or line break"): read on as
            // tokens.
            return;
        }
        self.skip_line();
        let mut indent: isize = 0;
        if increment != 0 {
            indent = if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            };
        }
        if !self.block_scalar_breaks(&mut indent) {
            return;
        }
        while self.column as isize == indent && !self.is_z(self.i) {
            while !self.is_breakz(self.i) {
                self.skip();
            }
            self.skip_line();
            if !self.block_scalar_breaks(&mut indent) {
                return;
            }
        }
    }

    /// Empty lines and indentation before a block scalar's next line; finds the
    /// indentation when the header gives none. `false` where libyaml fails (a tab as
    /// indentation).
    fn block_scalar_breaks(&mut self, indent: &mut isize) -> bool {
        let mut max_indent: isize = 0;
        loop {
            while (*indent == 0 || (self.column as isize) < *indent) && self.cur() == b' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.column as isize);
            if (*indent == 0 || (self.column as isize) < *indent) && self.cur() == b'\t' {
                return false;
            }
            if !self.is_break(self.i) {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_ok(text: &str) -> bool {
        check(text).is_ok()
    }

    /// What `serde_yaml_ng` says: `Some(true)` loaded, `Some(false)` over its recursion
    /// limit, `None` any other error.
    fn parser(text: &str) -> Option<bool> {
        match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
            Ok(_) => Some(true),
            Err(e) if e.to_string().contains("recursion limit exceeded") => Some(false),
            Err(_) => None,
        }
    }

    #[test]
    fn the_limit_is_the_parsers() {
        for (open, close) in [("[", "]"), ("{a: ", "}")] {
            let ok = format!("x: {}1{}\n", open.repeat(127), close.repeat(127));
            assert!(depth_ok(&ok));
            assert_eq!(parser(&ok), Some(true));
            let deep = format!("x: {}1{}\n", open.repeat(128), close.repeat(128));
            assert_eq!(parser(&deep), Some(false));
            assert!(!depth_ok(&deep));
        }
        // Block nesting counts too.
        let mut block = String::new();
        for d in 0..130 {
            block.push_str(&format!("{}k{d}:\n", " ".repeat(d)));
        }
        block.push_str(&format!("{}v\n", " ".repeat(130)));
        assert_eq!(parser(&block), Some(false));
        assert!(!depth_ok(&block));
    }

    #[test]
    fn where_the_limit_is_passed() {
        let text = format!("openapi: 3.0.3\npaths:\n  /a: {}", "[".repeat(200));
        let e = check(&text).unwrap_err();
        // Two block levels (`paths`, `/a`) and 127 flow levels.
        assert_eq!(e.offset, text.find('[').unwrap() + 126);
    }

    #[test]
    fn brackets_that_open_nothing_are_not_counted() {
        let many = "[".repeat(300);
        for text in [
            format!("description: see {many} here\n"),
            format!("description: 'it''s {many}'\n"),
            format!("description: \"a \\\" {many}\"\n"),
            format!("# {many}\nx: 1\n"),
            format!("x: 1 # {many}\n"),
            format!("description: |\n  {many}\n  more\nx: 1\n"),
            format!("description: >-\n\n   {many}\nx: 1\n"),
            format!("description: long\n  text {many}\n  {many}\nx: 1\n"),
            format!("x: !<tag:{many}> 1\n"),
            format!("%TAG !e! tag:{many}\n---\nx: 1\n"),
            format!("x: a{many}\n"),
            format!("- \"multi\n  line {many}\"\n"),
        ] {
            assert_eq!(parser(&text), Some(true), "{text}");
            assert!(depth_ok(&text), "{text}");
        }
    }

    #[test]
    fn brackets_that_open_collections_are_counted() {
        let many = "[".repeat(300);
        for text in [
            format!("x: {many}"),
            format!("x: [a, 'b', \"c\", {many}"),
            format!("x: |\n  text\ny: {many}"),
            format!("x: 'multi\n  line'\ny: {many}"),
            format!("- a\n- {many}"),
            format!("---\n{many}"),
            format!("x: {{a: [b, {many}"),
            format!("\u{feff}{many}"),
            format!("x: long\n  text\ny: {many}"),
            format!("x: a # c\ny: {many}"),
        ] {
            assert_eq!(parser(&text), Some(false), "{text}");
            assert!(!depth_ok(&text), "{text}");
        }
    }

    use proptest::prelude::*;

    /// Pieces of YAML that change how libyaml reads what follows.
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "a", "key", "x[y", "a#b", "a:b", "-x", "?x", ":x", ": ", ":", "- ", "? ", "\n", "\n",
        "\n  ", "\n    ", "\r\n", "\u{85}", "\u{2028}", "\t", " ", "  ", "[", "]", "{", "}",
        ",", "'", "''", "\"", "\\\"", "\\", "\\\n", "\\x4", "# c", " #", "|", "|-", ">", ">2",
        "|+1", "!", "!!str ", "!e!x ", "!<a[b]> ", "&a ", "*b ", "---", "\n---\n", "\n...\n",
        "\n%YAML 1.2\n", "\n%TAG !e! tag:[x]\n", "\u{feff}", "x: ", "k: v", "[a, b]", "{a: b}",
        "'it''s [x'", "\"q [x\"", " \\t", "...", "@", "`", "%", "\r", "-\t", "?\t", ":\t",
        "x:\t", "\t-", "'\n'", "\"\\\n\"", "|\n", "- |\n  [x\n", "&", "*", "!<", "&a[", "!a!b",
        "#", "\n\n", "x]", "x}", "x,", ":[", ":,", "\\u00", "é",
    ];

    fn pieces() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(proptest::sample::select(PIECES), 0..24),
            proptest::option::of((0usize..24, proptest::bool::ANY)),
            proptest::collection::vec(proptest::sample::select(PIECES), 0..6),
        )
            .prop_map(|(before, run, after)| {
                let run = run.map(|(at, brace)| (at, if brace { "{" } else { "[" }.repeat(200)));
                let mut text = String::new();
                for (n, p) in before.iter().enumerate() {
                    if let Some((_, r)) = run.as_ref().filter(|(at, _)| *at == n) {
                        text.push_str(r);
                    }
                    text.push_str(p);
                }
                if let Some((_, r)) = run.as_ref().filter(|(at, _)| *at >= before.len()) {
                    text.push_str(r);
                }
                text.extend(after);
                text
            })
    }

    /// Whole lines, mostly valid YAML, at random indentation.
    #[rustfmt::skip]
    const LINES: &[&str] = &[
        "k: v", "k:", "- a", "- k: v", "-", "k: |", "k: >-", "k: |2", "text [ { ( x", "[ x",
        "k: 'q [ '' x'", "k: \"q \\\" [\"", "k: [a, {b: c}]", "k: {a: [b]}", "# [ c",
        "k: v # [", "? k", ": v", "k: !t v", "k: !<t:[x]> v", "k: &a v", "k: *a", "---", "...",
        "k: multi", "cont [ line", "k: \"multi", "line [ \"", "k: 'multi", "l [ '", "[a, b]: c",
        "{a: b}: c", "k: a[b", "k: x: y", "- - a", "- [a,", "b]", "k: {a,", "b}", "%YAML 1.2",
        "k: \\", "k:\tv", "\tk: v", "k: '", "k: \"", "k: >", "k: \"\\", "",
    ];

    fn lines() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec((0usize..7, proptest::sample::select(LINES)), 0..16),
            proptest::option::of((
                0usize..16,
                0usize..7,
                proptest::sample::select(&["[", "{", "k: [", "- {", "? ["][..]),
            )),
        )
            .prop_map(|(lines, run)| {
                // The run opens with the piece's last character, 200 times.
                let run = run.map(|(at, indent, open): (usize, usize, &str)| {
                    let last = &open[open.len() - 1..];
                    (
                        at,
                        format!("{}{open}{}\n", " ".repeat(indent), last.repeat(200)),
                    )
                });
                let mut text = String::new();
                for (n, (indent, line)) in lines.iter().enumerate() {
                    if let Some((_, r)) = run.as_ref().filter(|(at, _)| *at == n) {
                        text.push_str(r);
                    }
                    text.push_str(&" ".repeat(*indent));
                    text.push_str(line);
                    text.push('\n');
                }
                if let Some((_, r)) = run.as_ref().filter(|(at, _)| *at >= lines.len()) {
                    text.push_str(r);
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10000))]

        /// Against the parser itself: what it loads is never refused, and what it finds
        /// too deep is always refused (the 200 brackets are either read as collections
        /// or hidden in a scalar or comment, never partly; without them, only an alias
        /// of its own anchor is too deep).
        #[test]
        fn agrees_with_the_parser(text in prop_oneof![pieces(), lines()]) {
            match parser(&text) {
                Some(true) => prop_assert!(depth_ok(&text), "refused a document that loads"),
                Some(false) if text.contains(&"[".repeat(200)) || text.contains(&"{".repeat(200)) => {
                    prop_assert!(!depth_ok(&text), "missed the nesting")
                }
                Some(false) => {}
                None => {}
            }
        }
    }
}
