//! Commit signatures: git's allowed-signers file (`gpg.ssh.allowedSignersFile`, the format
//! of `ssh-keygen -Y verify`) parsed strictly ([`AllowedSigners::parse`]), and each
//! commit's signature judged against it ([`judge`]): `verified` (by which principal),
//! `not-verified` (why), or `unsigned`.
//!
//! Only SSH signatures (`-----BEGIN SSH SIGNATURE-----`, namespace `git`) are verified,
//! with the `ssh-key` crate; the key must be listed for the **committer's** e-mail. GPG
//! (and X.509) signatures are reported as present but never verified: scopectl does not
//! run gpg, and there is no keyring it could trust.

use serde::Serialize;
use ssh_key::{Algorithm, HashAlg, PublicKey, SshSig};

/// An allowed-signers file larger than this is refused (it is read from git or from disk
/// whole; a real one holds one line per person).
pub const MAX_ALLOWED_SIGNERS_BYTES: u64 = 1024 * 1024;

/// The sshsig namespace git signs commits in.
pub const NAMESPACE: &str = "git";

/// What a commit's signature proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Status {
    /// An SSH signature over the commit by a key the allowed-signers file lists for the
    /// committer's e-mail (for the `git` namespace, at the commit's time).
    Verified,
    /// A signature is present but does not prove who made the commit (`reason` says why).
    NotVerified,
    /// No signature.
    Unsigned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A commit's signature as scopectl judged it: the JSON `signature` object of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signature {
    pub status: Status,
    /// `ssh`, `gpg`, `x509` or `unknown`; absent when unsigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    /// Verified: the principals of the allowed-signers line whose key verified it, as
    /// written there (`bob@example.com`, `*@example.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// SSH signatures: the signing key's fingerprint (`SHA256:…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Not verified: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Signature {
    pub fn unsigned() -> Signature {
        Signature {
            status: Status::Unsigned,
            format: None,
            signer: None,
            key: None,
            reason: None,
        }
    }

    fn not_verified(format: &'static str, key: Option<String>, reason: String) -> Signature {
        Signature {
            status: Status::NotVerified,
            format: Some(format),
            signer: None,
            key,
            reason: Some(reason),
        }
    }

    pub fn is_verified(&self) -> bool {
        self.status == Status::Verified
    }

    /// One phrase for people: `verified: bob@example.com`, `signature not verified: …`,
    /// `unsigned`.
    pub fn label(&self) -> String {
        match self.status {
            Status::Verified => format!("verified: {}", self.signer.as_deref().unwrap_or("?")),
            Status::NotVerified => format!(
                "signature not verified: {}",
                self.reason.as_deref().unwrap_or("?")
            ),
            Status::Unsigned => "unsigned".to_string(),
        }
    }
}

/// A malformed line of an allowed-signers file (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One line of an allowed-signers file.
#[derive(Debug, Clone)]
struct Entry {
    /// The principals field as written.
    principals: String,
    /// Its patterns, compared as identities ([`crate::text::identity_key`]).
    patterns: Vec<String>,
    cert_authority: bool,
    /// `namespaces="…"`: patterns; `None`: every namespace.
    namespaces: Option<Vec<String>>,
    /// Seconds since the epoch (UTC).
    valid_after: Option<i64>,
    valid_before: Option<i64>,
    key: PublicKey,
}

/// A parsed allowed-signers file, and where it came from (shown in reasons).
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    /// Where it was read: `signers/allowed (registry, at base revision v1 1a2b3c4)`.
    pub origin: String,
    entries: Vec<Entry>,
}

/// The options `ssh-keygen -Y verify` knows in an allowed-signers line.
const OPTIONS: &str = "cert-authority, namespaces=\"…\", valid-after=…, valid-before=…";

impl AllowedSigners {
    /// Parse the file `name` (for messages). Every malformed line is reported, with its
    /// line and column.
    pub fn parse(origin: &str, bytes: &[u8]) -> Result<AllowedSigners, Vec<LineError>> {
        if bytes.len() as u64 > MAX_ALLOWED_SIGNERS_BYTES {
            return Err(vec![LineError {
                line: 1,
                column: 1,
                message: format!(
                    "the file is {} bytes, over the {} KiB limit for allowed-signers files",
                    bytes.len(),
                    MAX_ALLOWED_SIGNERS_BYTES / 1024
                ),
            }]);
        }
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
            let line_no = i + 1;
            let Ok(line) = std::str::from_utf8(raw) else {
                errors.push(LineError {
                    line: line_no,
                    column: 1,
                    message: "the line is not valid UTF-8".into(),
                });
                continue;
            };
            let line = line.strip_suffix('\r').unwrap_or(line);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Ok(e) => entries.push(e),
                Err((at, message)) => errors.push(LineError {
                    line: line_no,
                    column: line[..at.min(line.len())].chars().count() + 1,
                    message,
                }),
            }
        }
        if errors.is_empty() {
            Ok(AllowedSigners {
                origin: origin.to_string(),
                entries,
            })
        } else {
            Err(errors)
        }
    }

    /// How many keys (lines) the file lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The errors of [`AllowedSigners::parse`] as one message: `FILE:LINE:COL: message` per
/// line, after a first line saying which file and where it was read.
pub fn errors_message(file: &str, origin: &str, errors: &[LineError]) -> String {
    let mut out = format!(
        "the allowed-signers file {origin} has {} malformed line(s):",
        errors.len()
    );
    for e in errors {
        out.push_str(&format!(
            "\n  {file}:{}:{}: {}",
            e.line, e.column, e.message
        ));
    }
    out
}

/// The allowed signers `diff`, `log` and `report` judge signatures against: the file
/// given with `--allowed-signers` (read from disk) when there is one; otherwise the file
/// `[policy] allowed_signers` names in `policy`, read from git at commit `at` (`at_label`
/// says which revision that is, for messages: `diff` passes its base revision, so a pull
/// request cannot trust its own keys). `None` when neither is set. A malformed line is an
/// error naming FILE:LINE:COL (every such line, in one message).
pub fn load(
    repo: &super::Repo,
    at: git2::Oid,
    at_label: &str,
    policy: &crate::registry::policy::Policy,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<AllowedSigners>> {
    let limit = (MAX_ALLOWED_SIGNERS_BYTES, "allowed-signers files");
    let (name, origin, bytes) = match (file, &policy.allowed_signers) {
        (Some(path), _) => {
            let shown = path.display().to_string();
            let meta = std::fs::metadata(path)
                .map_err(|e| anyhow::anyhow!("--allowed-signers {shown}: cannot read it ({e})"))?;
            if !meta.is_file() {
                anyhow::bail!("--allowed-signers {shown} is not a regular file");
            }
            if meta.len() > MAX_ALLOWED_SIGNERS_BYTES {
                anyhow::bail!(
                    "--allowed-signers {shown} is {} bytes, over the {} KiB limit for allowed-signers files",
                    meta.len(),
                    MAX_ALLOWED_SIGNERS_BYTES / 1024
                );
            }
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("--allowed-signers {shown}: cannot read it ({e})"))?;
            (shown.clone(), format!("{shown} (--allowed-signers)"), bytes)
        }
        (None, Some(rel)) => {
            let origin = format!("{rel} ([policy] allowed_signers, read at {at_label})");
            let bytes = repo
                .registry_file(at, rel, limit)
                .map_err(|e| e.context(format!("allowed-signers file {origin}")))?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "[policy] allowed_signers names `{rel}`, which does not exist in the registry folder at {at_label}"
                    )
                })?;
            (rel.clone(), origin, bytes)
        }
        (None, None) => return Ok(None),
    };
    match AllowedSigners::parse(&origin, &bytes) {
        Ok(s) => Ok(Some(s)),
        Err(errors) => anyhow::bail!("{}", errors_message(&name, &origin, &errors)),
    }
}

/// [`load`] with the policy read at `at` itself: only `scopectl.toml` and the team files
/// are read (through the strict loader), so `log` works whatever the scope and client
/// files look like there.
pub fn load_at(
    repo: &super::Repo,
    at: git2::Oid,
    at_label: &str,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Option<AllowedSigners>> {
    use crate::registry::{policy::Policy, FileKind};
    if file.is_some() {
        return load(repo, at, at_label, &Policy::default(), file);
    }
    // The policy file with the team files it may name (an approval rule's teams are
    // checked against them), not the whole registry: a broken scope or client file at
    // `at` does not stop `log`. No registry folder at `at`: the default policy.
    let sources: Vec<_> = match repo.sources_at(at) {
        Ok(all) => all
            .into_iter()
            .filter(|s| {
                matches!(
                    FileKind::of(&s.path),
                    Some(FileKind::Policy | FileKind::Teams)
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let policy = if sources
        .iter()
        .any(|s| FileKind::of(&s.path) == Some(FileKind::Policy))
    {
        super::load(sources, at_label)?.policy
    } else {
        Policy::default()
    };
    load(repo, at, at_label, &policy, None)
}

/// The next white-space-delimited token of `line` from byte `from`, double quotes
/// keeping white space inside: `(start, end)` byte offsets. `Err` for an unterminated
/// quote.
fn token(line: &str, from: usize) -> Result<Option<(usize, usize)>, (usize, String)> {
    let rest = &line[from..];
    let Some(skip) = rest.find(|c: char| !c.is_whitespace()) else {
        return Ok(None);
    };
    let start = from + skip;
    let mut quoted = false;
    for (i, c) in line[start..].char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c.is_whitespace() && !quoted {
            return Ok(Some((start, start + i)));
        }
    }
    if quoted {
        return Err((start, "a double quote is not closed".into()));
    }
    Ok(Some((start, line.len())))
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn parse_line(line: &str) -> Result<Entry, (usize, String)> {
    let missing_key = |at: usize| {
        (
            at,
            "no key: a line is `PRINCIPALS [OPTIONS] KEYTYPE BASE64-KEY [COMMENT]`".to_string(),
        )
    };
    let Some((p0, p1)) = token(line, 0)? else {
        return Err(missing_key(0));
    };
    let principals = unquote(&line[p0..p1]).to_string();
    let mut patterns = Vec::new();
    for p in principals.split(',') {
        let key = crate::text::identity_key(p);
        if key.is_empty() || key == "!" {
            return Err((p0, format!("empty principal in `{principals}`")));
        }
        patterns.push(key);
    }
    let Some((t0, t1)) = token(line, p1)? else {
        return Err(missing_key(line.len()));
    };
    let mut opts = Options::default();
    let (k0, k1) = if Algorithm::new(&line[t0..t1]).is_ok() {
        (t0, t1)
    } else {
        opts = parse_options(&line[t0..t1], t0)?;
        token(line, t1)?.ok_or_else(|| missing_key(line.len()))?
    };
    let key_type = &line[k0..k1];
    if let Err(e) = Algorithm::new(key_type) {
        return Err((k0, format!("`{key_type}` is not an SSH key type ({e})")));
    }
    let Some((b0, b1)) = token(line, k1)? else {
        return Err((line.len(), format!("no base64 key after `{key_type}`")));
    };
    let key = PublicKey::from_openssh(&format!("{key_type} {}", &line[b0..b1]))
        .map_err(|e| (b0, format!("not a valid `{key_type}` public key ({e})")))?;
    if key.algorithm().as_str() != key_type {
        return Err((
            k0,
            format!(
                "the key type says `{key_type}` but the key is `{}`",
                key.algorithm().as_str()
            ),
        ));
    }
    Ok(Entry {
        principals,
        patterns,
        cert_authority: opts.cert_authority,
        namespaces: opts.namespaces,
        valid_after: opts.valid_after,
        valid_before: opts.valid_before,
        key,
    })
}

/// The options of one line.
#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<Vec<String>>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
}

/// Split options at commas outside double quotes: `(offset in the field, option)`.
fn split_options(field: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in field.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push((start, &field[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((start, &field[start..]));
    out
}

fn parse_options(field: &str, at: usize) -> Result<Options, (usize, String)> {
    let mut e = Options::default();
    let mut seen: Vec<String> = Vec::new();
    for (off, opt) in split_options(field) {
        let pos = at + off;
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(unquote(v))),
            None => (opt.to_ascii_lowercase(), None),
        };
        if seen.contains(&name) {
            return Err((pos, format!("option `{name}` is given twice")));
        }
        seen.push(name.clone());
        match (name.as_str(), value) {
            ("cert-authority", None) => e.cert_authority = true,
            ("namespaces", Some(v)) => {
                let list: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
                if list.iter().any(String::is_empty) {
                    return Err((pos, format!("empty namespace in `{opt}`")));
                }
                e.namespaces = Some(list);
            }
            ("valid-after", Some(v)) => e.valid_after = Some(timestamp(v).map_err(|m| (pos, m))?),
            ("valid-before", Some(v)) => e.valid_before = Some(timestamp(v).map_err(|m| (pos, m))?),
            ("cert-authority", Some(_)) => {
                return Err((pos, "option `cert-authority` takes no value".into()))
            }
            ("namespaces" | "valid-after" | "valid-before", None) => {
                return Err((pos, format!("option `{name}` needs a value (`{name}=…`)")))
            }
            _ => {
                return Err((
                    pos,
                    format!("`{opt}` is neither an option ({OPTIONS}) nor an SSH key type"),
                ))
            }
        }
    }
    Ok(e)
}

/// `YYYYMMDD[Z]` or `YYYYMMDDHHMM[SS][Z]` as seconds since the epoch. ssh-keygen reads a
/// time without `Z` in the verifier's local time zone; scopectl reads it as UTC so that
/// the result does not depend on the machine.
fn timestamp(v: &str) -> Result<i64, String> {
    let digits = v.strip_suffix(['Z', 'z']).unwrap_or(v);
    let bad = || {
        format!("`{v}` is not a timestamp (YYYYMMDD or YYYYMMDDHHMM[SS], optionally ending in Z)")
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let full = match digits.len() {
        8 => format!("{digits}000000"),
        12 => format!("{digits}00"),
        14 => digits.to_string(),
        _ => return Err(bad()),
    };
    chrono::NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| bad())
}

/// OpenSSH's wildcard match: `*` any run of characters, `?` one character.
fn wildcard(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), s.chars().collect());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, si));
            pi += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A pattern list (`a@x,*@y,!eve@y`): no negated pattern may match, and one plain one must.
fn matches_list(patterns: &[String], s: &str) -> bool {
    let mut hit = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) => {
                if wildcard(neg, s) {
                    return false;
                }
            }
            None => hit |= wildcard(p, s),
        }
    }
    hit
}

fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Judge a commit's signature. `signed` is git's `(signature, signed data)` of the commit
/// (`None`: unsigned); `committer` the committer's e-mail and `when` the commit time
/// (seconds), against which a key's `valid-after` / `valid-before` are checked, as git
/// does; `signers` the allowed signers (`None`: none configured).
pub fn judge(
    signed: Option<(&[u8], &[u8])>,
    committer: &str,
    when: i64,
    signers: Option<&AllowedSigners>,
) -> Signature {
    let Some((sig, data)) = signed else {
        return Signature::unsigned();
    };
    let text = String::from_utf8_lossy(sig);
    let text = text.trim_start();
    if text.starts_with("-----BEGIN PGP SIGNATURE-----") {
        return Signature::not_verified(
            "gpg",
            None,
            "GPG signatures are not verified: scopectl does not run gpg".into(),
        );
    }
    if text.starts_with("-----BEGIN SIGNED MESSAGE-----") {
        return Signature::not_verified(
            "x509",
            None,
            "X.509 (gpgsm) signatures are not verified: scopectl does not run gpgsm".into(),
        );
    }
    if !text.starts_with("-----BEGIN SSH SIGNATURE-----") {
        return Signature::not_verified(
            "unknown",
            None,
            "malformed signature: neither SSH nor GPG nor X.509".into(),
        );
    }
    let sshsig = match SshSig::from_pem(text.trim_end().as_bytes()) {
        Ok(s) => s,
        Err(e) => {
            return Signature::not_verified("ssh", None, format!("malformed SSH signature ({e})"))
        }
    };
    let fingerprint = sshsig.public_key().fingerprint(HashAlg::Sha256).to_string();
    let fail = |reason: String| Signature::not_verified("ssh", Some(fingerprint.clone()), reason);
    if sshsig.namespace() != NAMESPACE {
        return fail(format!(
            "the SSH signature is for namespace `{}`, not `{NAMESPACE}`",
            sshsig.namespace()
        ));
    }
    let key = PublicKey::new(sshsig.public_key().clone(), "");
    match key.verify(NAMESPACE, data, &sshsig) {
        Ok(()) => {}
        Err(ssh_key::Error::Crypto) => {
            return fail(
                "bad signature: it does not match the commit's content (altered after signing?)"
                    .into(),
            )
        }
        Err(e) => return fail(format!("the SSH signature cannot be checked ({e})")),
    }
    let Some(signers) = signers else {
        return fail(
            "no allowed-signers file ([policy] allowed_signers, or --allowed-signers): \
             a valid SSH signature by an unlisted key proves nothing"
                .into(),
        );
    };
    let email = crate::text::identity_key(committer);
    let same_key: Vec<&Entry> = signers
        .entries
        .iter()
        .filter(|e| e.key.key_data() == sshsig.public_key())
        .collect();
    let for_committer: Vec<&&Entry> = same_key
        .iter()
        .filter(|e| !e.cert_authority && matches_list(&e.patterns, &email))
        .collect();
    if for_committer.is_empty() {
        let ca = signers
            .entries
            .iter()
            .any(|e| e.cert_authority && matches_list(&e.patterns, &email));
        let others: Vec<&str> = same_key.iter().map(|e| e.principals.as_str()).collect();
        let mut reason = if others.is_empty() {
            format!(
                "key {fingerprint} is not in the allowed signers ({})",
                signers.origin
            )
        } else {
            format!(
                "key {fingerprint} is listed in the allowed signers for {}, not for the committer's e-mail {committer}",
                others.join("; ")
            )
        };
        if ca {
            reason.push_str(
                " (a cert-authority line names the committer: certificate signing is not supported by scopectl)",
            );
        }
        return fail(reason);
    }
    let mut why = Vec::new();
    for e in for_committer {
        if let Some(ns) = &e.namespaces {
            if !matches_list(ns, NAMESPACE) {
                why.push(format!(
                    "the key is listed for {} only for namespaces {}",
                    e.principals,
                    ns.join(",")
                ));
                continue;
            }
        }
        if let Some(after) = e.valid_after.filter(|a| when < *a) {
            why.push(format!(
                "the key is valid for {} only from {}; the commit is dated {}",
                e.principals,
                date(after),
                date(when)
            ));
            continue;
        }
        if let Some(before) = e.valid_before.filter(|b| when > *b) {
            why.push(format!(
                "the key's validity for {} expired on {}; the commit is dated {}",
                e.principals,
                date(before),
                date(when)
            ));
            continue;
        }
        return Signature {
            status: Status::Verified,
            format: Some("ssh"),
            signer: Some(e.principals.clone()),
            key: Some(fingerprint),
            reason: None,
        };
    }
    fail(why.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";

    fn errors(text: &str) -> Vec<(usize, usize, String)> {
        match AllowedSigners::parse("test", text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .into_iter()
                .map(|e| (e.line, e.column, e.message))
                .collect(),
        }
    }

    #[test]
    fn lines_with_and_without_options_parse() {
        let text = format!(
            "# people\n\nbob@example.com {KEY} bob's laptop\n\"a@x,*@y\" namespaces=\"git,file\",valid-after=20260101,valid-before=\"202701010000Z\" {KEY}\n*@example.com cert-authority {KEY}\n"
        );
        let s = AllowedSigners::parse("test", text.as_bytes()).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.entries[1].patterns, ["a@x", "*@y"]);
        assert_eq!(s.entries[1].valid_after, Some(1_767_225_600));
        assert!(s.entries[2].cert_authority);
    }

    #[test]
    fn malformed_lines_are_all_reported_with_line_and_column() {
        let text = format!(
            "bob@example.com\nbob@example.com frobnicate {KEY}\nok@x {KEY}\nx@y valid-after=2026 {KEY}\nx@y ssh-ed25519 AAAA\nx@y \"namespaces=git {KEY}\n"
        );
        let got = errors(&text);
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!((got[0].0, got[0].1), (1, 16));
        assert_eq!((got[1].0, got[1].1), (2, 17));
        assert!(got[1].2.contains("`frobnicate` is neither an option"));
        assert_eq!((got[2].0, got[2].1), (4, 5));
        assert!(got[2].2.contains("not a timestamp"), "{got:?}");
        assert_eq!((got[3].0, got[3].1), (5, 17));
        assert_eq!((got[4].0, got[4].1), (6, 5));
    }

    #[test]
    fn wildcards_and_negations_match_like_openssh() {
        let l = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(matches_list(&l(&["*@example.com"]), "bob@example.com"));
        assert!(!matches_list(
            &l(&["*@example.com", "!eve@*"]),
            "eve@example.com"
        ));
        assert!(matches_list(&l(&["b?b@x"]), "bob@x"));
        assert!(!matches_list(&l(&["bob@x"]), "bob@xy"));
        assert!(wildcard("*a*b*", "xxaxxbxx"));
        assert!(!wildcard("a*b", "ac"));
    }

    #[test]
    fn gpg_and_unsigned_are_never_verified() {
        assert_eq!(judge(None, "a@x", 0, None).status, Status::Unsigned);
        let g = judge(
            Some((
                b"-----BEGIN PGP SIGNATURE-----\n\n=x\n-----END PGP SIGNATURE-----",
                b"d",
            )),
            "a@x",
            0,
            None,
        );
        assert_eq!((g.status, g.format), (Status::NotVerified, Some("gpg")));
        assert!(g.reason.unwrap().contains("scopectl does not run gpg"));
        let m = judge(
            Some((
                b"-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----",
                b"d",
            )),
            "a@x",
            0,
            None,
        );
        assert!(m.reason.unwrap().starts_with("malformed SSH signature"));
    }

    fn signed(k: &ssh_key::PrivateKey, data: &[u8]) -> String {
        k.sign(NAMESPACE, HashAlg::Sha512, data)
            .unwrap()
            .to_pem(ssh_key::LineEnding::LF)
            .unwrap()
    }

    fn signers(text: &str) -> AllowedSigners {
        AllowedSigners::parse("test", text.as_bytes()).unwrap()
    }

    #[test]
    fn namespaces_validity_windows_and_cert_authorities_are_honoured() {
        let k = ssh_key::PrivateKey::random(&mut rand::rngs::OsRng, Algorithm::Ed25519).unwrap();
        let public = k.public_key().to_openssh().unwrap();
        let sig = signed(&k, b"commit");
        let when = 1_790_812_800; // 2026-10-01
        let judge_with = |line: &str| {
            judge(
                Some((sig.as_bytes(), b"commit")),
                "Bob@Example.com",
                when,
                Some(&signers(line)),
            )
        };
        let ok = judge_with(&format!("bob@example.com {public}"));
        assert_eq!(ok.status, Status::Verified, "{ok:?}");
        let ns = judge_with(&format!("bob@example.com namespaces=\"file\" {public}"));
        assert!(ns.reason.unwrap().contains("only for namespaces file"));
        let expired = judge_with(&format!("bob@example.com valid-before=20260901Z {public}"));
        assert!(expired.reason.unwrap().contains("expired on 2026-09-01"));
        let early = judge_with(&format!("bob@example.com valid-after=20261101 {public}"));
        assert!(early.reason.unwrap().contains("only from 2026-11-01"));
        let window = judge_with(&format!(
            "bob@example.com valid-after=20260901,valid-before=20261101 {public}"
        ));
        assert_eq!(window.status, Status::Verified);
        let ca = judge_with(&format!("*@example.com cert-authority {public}"));
        assert!(
            ca.reason.unwrap().contains("cert-authority"),
            "cert-authority"
        );
        let wrong_ns = k.sign("file", HashAlg::Sha512, b"commit").unwrap();
        let pem = wrong_ns.to_pem(ssh_key::LineEnding::LF).unwrap();
        let s = judge(
            Some((pem.as_bytes(), b"commit")),
            "bob@example.com",
            when,
            Some(&signers(&format!("bob@example.com {public}"))),
        );
        assert!(s.reason.unwrap().contains("namespace `file`"));
    }

    #[test]
    fn rsa_signatures_verify() {
        // ssh-key 0.6.7 cannot sign with RSA (its private-key conversion passes p twice),
        // so the sshsig is built from the rsa crate's PKCS#1 v1.5 SHA-512 signature, as
        // `ssh-keygen -Y sign` makes it for an RSA key (rsa-sha2-512).
        use rsa::signature::{SignatureEncoding, Signer};
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
        let key_data = ssh_key::public::KeyData::Rsa(
            ssh_key::public::RsaPublicKey::try_from(private.to_public_key()).unwrap(),
        );
        let public = PublicKey::new(key_data.clone(), "").to_openssh().unwrap();
        let sign = |msg: &[u8]| {
            let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, msg).unwrap();
            let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(private.clone());
            let raw = signer.sign(&data).to_vec();
            let signature = ssh_key::Signature::new(
                Algorithm::Rsa {
                    hash: Some(HashAlg::Sha512),
                },
                raw,
            )
            .unwrap();
            SshSig::new(key_data.clone(), NAMESPACE, HashAlg::Sha512, signature)
                .unwrap()
                .to_pem(ssh_key::LineEnding::LF)
                .unwrap()
        };
        let sig = sign(b"commit");
        let s = judge(
            Some((sig.as_bytes(), b"commit")),
            "bob@example.com",
            0,
            Some(&signers(&format!("bob@example.com {public}"))),
        );
        assert_eq!(s.status, Status::Verified, "{s:?}");
        let bad = judge(
            Some((sig.as_bytes(), b"commit!")),
            "bob@example.com",
            0,
            Some(&signers(&format!("bob@example.com {public}"))),
        );
        assert!(bad.reason.unwrap().starts_with("bad signature"));
    }
}
