//! Shell commands printed for a person to paste (`git add … && git commit -m …`): every
//! argument quoted for POSIX `sh`, so a reason, a description or a file path reaches the
//! command exactly as written, and `$(…)`, backquotes or `$VAR` in it are never run or
//! expanded.

use std::borrow::Cow;

use super::Edit;

/// `word` as one argument of a POSIX `sh` command line: as it is when every character is
/// one the shell takes literally (letters, digits and `@%+=:,./_-`), otherwise in single
/// quotes, a `'` in it written `'\''`. Inside single quotes nothing is special, a line
/// break included.
pub fn quote(word: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return Cow::Borrowed(word);
    }
    Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
}

/// Words joined by spaces, each quoted with [`quote`].
pub fn command<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words.into_iter().map(quote).collect::<Vec<_>>().join(" ")
}

impl Edit {
    /// The command that commits the edit's files with its commit message:
    /// `git add -- FILES && git commit -m MESSAGE -- FILES`, quoted for `sh`.
    pub fn commit_command(&self) -> String {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        let files = || files.iter().map(String::as_str);
        let add = command(["git", "add", "--"].into_iter().chain(files()));
        let commit = command(
            ["git", "commit", "-m", self.commit_message.as_str(), "--"]
                .into_iter()
                .chain(files()),
        );
        format!("{add} && {commit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_bare_and_everything_else_is_single_quoted() {
        for bare in [
            "git",
            "-m",
            "--",
            "clients/support.toml",
            "a@b.c",
            "x=1,y:2%+",
        ] {
            assert_eq!(quote(bare), bare);
        }
        for (word, quoted) in [
            ("", "''"),
            ("two words", "'two words'"),
            ("$(touch x) `id` $HOME", "'$(touch x) `id` $HOME'"),
            ("it's", r"'it'\''s'"),
            ("a\nb", "'a\nb'"),
            ("~/x", "'~/x'"),
            ("a\\b\"c", "'a\\b\"c'"),
            ("*?[]{}!#&;|<>()", "'*?[]{}!#&;|<>()'"),
            ("é", "'é'"),
        ] {
            assert_eq!(quote(word), quoted, "{word:?}");
        }
    }
}
