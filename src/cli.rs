//! Command-line interface (clap derive). Each subcommand's arguments live here; what it
//! does lives in `commands/`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// `0.1.0 (commit 1a2b3c4d5e6f)`: the package version and the git commit built from.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("SCOPECTL_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "scopectl",
    version = LONG_VERSION,
    about = "Govern OAuth 2.0 scopes as code: lint, diff, decode and push a TOML scope registry",
    long_about = None,
    after_help = "Exit codes: 0 clean, 1 findings (lint errors, invalid token, drift), 2 the command could not do its job, 3 (diff) breaking change or weakened policy."
)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,

    #[command(subcommand)]
    pub command: Command,
}

/// The flags every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct Globals {
    /// When to colour output: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No notes or warnings on stderr; `lint` (human) shows only the findings that fail the
    /// run, and nothing when it passes. Errors are always printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

impl Cli {
    /// `scopectl decode …` without building every other subcommand's parser (clap builds
    /// them all, a fifth of a one-token decode's work). Only a successful parse is taken:
    /// help, version and every usage error go through the full parser (`None`), so they
    /// read exactly the same.
    pub fn parse_decode_fast(args: &[std::ffi::OsString]) -> Option<Cli> {
        use clap::{Args, FromArgMatches};
        let first = args
            .iter()
            .skip(1)
            .find(|a| !a.to_str().is_some_and(|a| a.starts_with('-')))?;
        if first != "decode"
            || args.iter().any(|a| {
                matches!(
                    a.to_str(),
                    Some("-h" | "--help" | "-V" | "--version" | "help")
                )
            })
        {
            return None;
        }
        let cmd = Globals::augment_args(clap::Command::new("scopectl"))
            .subcommand(DecodeArgs::augment_args(clap::Command::new("decode")))
            .subcommand_required(true);
        let m = cmd.try_get_matches_from(args).ok()?;
        let globals = Globals::from_arg_matches(&m).ok()?;
        let (_, sub) = m.subcommand()?;
        let decode = DecodeArgs::from_arg_matches(sub).ok()?;
        Some(Cli {
            globals,
            command: Command::Decode(Box::new(decode)),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lay out a new registry (policy, a scope file, a client file, pre-commit hook).
    Init(InitArgs),
    /// Write a registry from an existing authorization server (Keycloak realm or export).
    #[command(
        after_help = "Exit codes: 0 the registry was written; 2 the source could not be read (bad export, server error), the output folder already holds a registry, or bad arguments."
    )]
    Import(ImportArgs),
    /// Check the registry against the lint rules.
    Lint(LintArgs),
    /// Semantic diff of the registry between two git revisions (A..B), with provenance.
    Diff(DiffArgs),
    /// The history of one scope, client, API or review campaign: every change with who, when, why.
    Log(LogArgs),
    /// Access-review evidence at a revision, mapped to ISO 27001:2022 Annex A, NIST CSF 2.0 or SOC 2 controls.
    Report(ReportArgs),
    /// Decode a token, verify its signature and check it against the registry.
    Decode(Box<DecodeArgs>),
    /// Show the changes that would make a target server match the registry.
    Plan(PlanArgs),
    /// Make a target server match the registry (exactly the planned changes).
    Apply(ApplyArgs),
    /// Check whether a target server still matches the registry (exit 1 when it differs).
    Drift(DriftArgs),
    /// Grant a scope to a client: a new [[grants]] entry, checked against the policy.
    #[command(after_help = EDIT_EXIT_CODES)]
    Grant(GrantArgs),
    /// Renew a client's grant: a new approval and expiry.
    #[command(after_help = EDIT_EXIT_CODES)]
    Renew(RenewArgs),
    /// Revoke a client's grant of a scope, with the reason.
    #[command(after_help = EDIT_EXIT_CODES)]
    Revoke(RevokeArgs),
    /// Define a scope, or deprecate one.
    #[command(subcommand)]
    Scope(ScopeCommand),
    /// Add a client file.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Access-review campaigns: start, decide, close (reviews/NAME.toml).
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Usage evidence: which grants tokens actually carried (`usage collect`).
    #[command(subcommand)]
    Usage(UsageCommand),
    /// List the grants that expire within a window (or have expired), grouped by owner.
    #[command(
        after_help = "Exit codes: 0 listed (also when the list is empty: `count` in the JSON tells); 2 the registry does not load or bad arguments."
    )]
    Expiring(ExpiringArgs),
    /// List an authorization server's signing keys and check their rotation and soundness.
    #[command(
        after_help = "Exit codes: 0 no error finding; 1 error findings (weak key, alg mix, no active signing key; warnings with --deny-warnings); 2 the keys could not be read (unreachable server, bad credentials, missing role, not a JWKS) or bad arguments."
    )]
    Keys(KeysArgs),
    /// Print (or check, or write) the CODEOWNERS block that makes each file's owner team review it.
    #[command(
        after_help = "Exit codes: 0 printed, written, or up to date; 1 the block in FILE is stale or missing (--check), or an owner has no code-host handle (with --strict); 2 the registry does not load or FILE cannot be read or written."
    )]
    Codeowners(CodeownersArgs),
    /// The registry's APIs: export the OpenAPI scopes map of one, or check a spec against it.
    #[command(subcommand)]
    Apis(ApisCommand),
    /// Print the JSON Schema of a registry file kind.
    Schema(SchemaArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub from: ImportFrom,
}

#[derive(Debug, Subcommand)]
pub enum ImportFrom {
    /// A Keycloak realm: live through `[targets.NAME]` (reads only) or a realm export file.
    Keycloak(ImportKeycloakArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportKeycloakArgs {
    /// A realm export (admin console Partial export with clients, or `kc.sh export`).
    #[arg(long, value_name = "FILE", required_unless_present = "target")]
    pub from_export: Option<PathBuf>,
    /// The `[targets.NAME]` of scopectl.toml to read (`view-clients` is enough).
    #[arg(long, value_name = "NAME", conflicts_with = "from_export")]
    pub target: Option<String>,
    /// The realm to import when the export holds several.
    #[arg(long, value_name = "REALM", requires = "from_export")]
    pub realm: Option<String>,
    /// The registry whose scopectl.toml names the target (default: .).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub registry: PathBuf,
    /// Where to write the registry (default: the --registry folder). Refused when it
    /// already holds scope or client files.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also import Keycloak's built-in clients, and record each client's built-in scopes
    /// as `builtin_scopes`.
    #[arg(long)]
    pub include_built_ins: bool,
    /// Write `adopt = true` on the imported scopes, so the next `apply` marks them as
    /// scopectl's (and `apply --prune` may later delete them); without it they are
    /// `managed = false` and their definitions are never changed.
    #[arg(long)]
    pub adopt: bool,
    /// The owner written on every scope and client until the real one is set.
    #[arg(long, value_name = "OWNER", default_value = "unassigned")]
    pub owner: String,
    /// The sensitivity written on every scope (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", default_value = "medium", value_parser = parse_sensitivity)]
    pub sensitivity: scopectl::registry::Sensitivity,
    /// The import date written on each grant (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImportFormat::Human)]
    pub format: ImportFormat,
    /// Add to the existing registry what appeared on the server since (new scopes,
    /// clients and assignments, as debt); hand-written lines and comments are kept.
    #[arg(long, conflicts_with = "out")]
    pub update: bool,
    /// With --update: print the diff that would be written, and write nothing.
    #[arg(long, requires = "update")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// What was written, for a person.
    Human,
    /// A JSON document (version 1).
    Json,
}

fn parse_sensitivity(s: &str) -> Result<scopectl::registry::Sensitivity, String> {
    use scopectl::registry::Sensitivity::*;
    match s {
        "low" => Ok(Low),
        "medium" => Ok(Medium),
        "high" => Ok(High),
        "critical" => Ok(Critical),
        _ => Err(format!("`{s}` is not low, medium, high or critical")),
    }
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to create the registry (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Overwrite registry files and the hook that already exist (an existing
    /// .pre-commit-config.yaml is never replaced: the hook is appended to it).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// rustc-style diagnostics.
    Human,
    /// One JSON document (schema in the README).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// A Markdown table, for a pull-request comment.
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The registry root (the folder with scopectl.toml, scopes/ and clients/).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The registry root, as the other commands take it (same as PATH).
    #[arg(long = "registry", value_name = "PATH", conflicts_with = "path")]
    pub registry: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Path of the registry relative to the root of its git repository, prefixed to file
    /// names in SARIF and GitHub output (default: found from the repository; PATH as given
    /// outside one).
    #[arg(long)]
    pub path_prefix: Option<String>,
    /// List the rules with their ids, default levels and explanations, then exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Lint what is staged in the git index (what `git commit` records), not the work
    /// tree; grant/expired and grant/expiring are reported only for clients and scopes the
    /// index changes against HEAD. What the pre-commit hooks run.
    #[arg(long)]
    pub staged: bool,
    /// Report only findings about scopes, clients and grants changed since this revision
    /// (a pull request's base: `origin/main`); findings without a subject are kept.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// Exit 1 on warnings too, not only on errors (a stricter CI gate).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also judge every grant against this usage snapshot (`scopectl usage collect`):
    /// usage/* findings (unused, not evaluable with the reason, issued without a grant).
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// With --usage: judge only the last part of the snapshot's window (e.g. 90d).
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime, requires = "usage")]
    pub usage_window: Option<scopectl::registry::Lifetime>,
}

const EDIT_EXIT_CODES: &str = "Registry files are edited in place: comments and formatting elsewhere are kept. The change is refused when the registry would fail lint because of it (the findings are shown).\nExit codes: 0 written (or --dry-run shown); 1 refused: the change would add failing lint findings; 2 bad input (unknown client, scope or review, a longer expiry than the policy allows, a registry that does not load).";

/// Where the registry is and what to do with the edit.
#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The registry root (the folder with scopectl.toml, scopes/ and clients/).
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub registry: PathBuf,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC): `approved_on`.
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Print the diff that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Who approved, and until when.
#[derive(Debug, clap::Args)]
pub struct ApprovalArgs {
    /// Who approved (repeat for several approvers).
    #[arg(long = "approved-by", value_name = "WHO", required = true)]
    pub approved_by: Vec<String>,
    /// How long from today (default: the longest the policy and the scope allow).
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_lifetime, conflicts_with = "expires")]
    pub for_: Option<scopectl::registry::Lifetime>,
    /// The last valid day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    /// The client id.
    pub client: String,
    /// The scope.
    pub scope: String,
    /// Why the client needs it (the justification); cite the ticket.
    #[arg(long, visible_alias = "justification")]
    pub why: String,
    /// A change or access-request ticket.
    #[arg(long)]
    pub ticket: Option<String>,
    /// Attach the scope as optional (only when requested), not default.
    #[arg(long)]
    pub optional: bool,
    #[command(flatten)]
    pub approval: ApprovalArgs,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Args)]
pub struct RenewArgs {
    /// The client id.
    pub client: String,
    /// The scope.
    pub scope: String,
    /// A new justification (the old one is kept without it).
    #[arg(long, visible_alias = "justification")]
    pub why: Option<String>,
    #[command(flatten)]
    pub approval: ApprovalArgs,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The client id.
    pub client: String,
    /// The scope.
    pub scope: String,
    /// Why the access is removed (goes into the suggested commit message).
    #[arg(long)]
    pub why: String,
    /// Also record the removed grant and the reason in revoked/<client file>.
    #[arg(long)]
    pub log: bool,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum ScopeCommand {
    /// Define a new scope in scopes/<resource>.toml (or --file).
    #[command(after_help = EDIT_EXIT_CODES)]
    Add(ScopeAddArgs),
    /// Mark a scope deprecated, naming the scope that replaces it.
    #[command(after_help = EDIT_EXIT_CODES)]
    Deprecate(ScopeDeprecateArgs),
}

#[derive(Debug, clap::Args)]
pub struct ScopeAddArgs {
    /// The scope string (`resource:action`).
    pub name: String,
    /// What the scope allows, in one sentence.
    #[arg(long)]
    pub description: String,
    /// The accountable owner (a team).
    #[arg(long)]
    pub owner: String,
    #[arg(long, value_parser = parse_sensitivity)]
    pub sensitivity: scopectl::registry::Sensitivity,
    /// The scope needs fresh authentication.
    #[arg(long)]
    pub step_up: bool,
    /// The longest a grant may last (tighter than the policy).
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime)]
    pub max_grant: Option<scopectl::registry::Lifetime>,
    /// A claim the scope releases (repeatable).
    #[arg(long = "claim", value_name = "CLAIM")]
    pub claims: Vec<String>,
    /// The scope file under scopes/ (default: the resource part of the name).
    #[arg(long, value_name = "FILE")]
    pub file: Option<String>,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Args)]
pub struct ScopeDeprecateArgs {
    pub name: String,
    /// The scope that replaces it (must be defined).
    #[arg(long, value_name = "SCOPE")]
    pub replaced_by: Option<String>,
    /// Why (goes into the suggested commit message).
    #[arg(long)]
    pub why: Option<String>,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum ClientCommand {
    /// Add clients/<ID>.toml with its owner and no grants.
    #[command(after_help = EDIT_EXIT_CODES)]
    Add(ClientAddArgs),
}

#[derive(Debug, clap::Args)]
pub struct ClientAddArgs {
    /// The client's client_id at the authorization server.
    pub id: String,
    /// The accountable owner (a team).
    #[arg(long)]
    pub owner: String,
    #[arg(long)]
    pub description: Option<String>,
    /// The file name under clients/ (default: the id).
    #[arg(long, value_name = "FILE")]
    pub file: Option<String>,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum UsageCommand {
    /// Build a usage snapshot (client × scope → first and last seen, count, grant types, and
    /// what the evidence covers) from a Keycloak target's events, an events file or token samples.
    #[command(
        after_help = "Exit codes: 0 the snapshot was written; 2 the source could not be read (unreachable server, bad credentials, a role missing, an unreadable or empty file), or bad arguments.\nThen: `scopectl lint --usage FILE` (unused grants, with how sure) and `scopectl report --usage FILE`."
    )]
    Collect(UsageCollectArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(false)))]
pub struct UsageCollectArgs {
    /// Read the token events of this Keycloak target (`[targets.NAME]` in the registry's
    /// scopectl.toml; needs only the `view-events` role).
    #[arg(long, value_name = "NAME", group = "source")]
    pub target: Option<String>,
    /// Read a file of Keycloak event JSON (one event per line, or a JSON array).
    #[arg(long, value_name = "FILE", group = "source")]
    pub from_events: Option<PathBuf>,
    /// Read token samples: one token per line, or `scopectl decode --batch` output.
    #[arg(long, value_name = "FILE", group = "source")]
    pub from_tokens: Option<PathBuf>,
    /// With --from-events: the token event types the file holds every one of for the
    /// window (e.g. CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN); without it the file shows use, never absence.
    #[arg(
        long,
        value_name = "TYPES",
        value_delimiter = ',',
        requires = "from_events"
    )]
    pub stored_types: Option<Vec<String>>,
    /// The registry whose scopectl.toml names the target.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub registry: PathBuf,
    /// The snapshot file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Merge into the snapshot already at --out (a scheduled job accumulates; a target is
    /// read from after the newest event the file holds from it).
    #[arg(long)]
    pub merge: bool,
    /// The window: this long up to now (or up to --until).
    #[arg(long, value_parser = parse_lifetime, default_value = "90d", conflicts_with = "since")]
    pub window: scopectl::registry::Lifetime,
    /// The window's start instead (RFC 3339 time, or YYYY-MM-DD for midnight UTC).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// The window's end (default: now).
    #[arg(long, value_parser = parse_time)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = ImportFormat::Human)]
    pub format: ImportFormat,
}

/// Parse an RFC 3339 time, or a `YYYY-MM-DD` date (midnight UTC).
pub fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    parse_date(s)
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            format!("`{s}` is not an RFC 3339 time (2026-11-25T10:00:00Z) or a date (YYYY-MM-DD)")
        })
}

#[derive(Debug, clap::Subcommand)]
pub enum ReviewCommand {
    /// Snapshot the grants a filter picks into reviews/NAME.toml, with reviewers and a due date.
    #[command(after_help = EDIT_EXIT_CODES)]
    Start(ReviewStartArgs),
    /// Record a reviewer's decision on one grant: keep (optionally renewed) or revoke.
    #[command(after_help = EDIT_EXIT_CODES)]
    Decide(ReviewDecideArgs),
    /// Apply the decisions to clients/ (undecided entries take --default) and close the review.
    #[command(after_help = EDIT_EXIT_CODES)]
    Close(ReviewCloseArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReviewStartArgs {
    /// The campaign's name (reviews/NAME.toml), e.g. 2026-q4.
    pub name: String,
    /// Which grants: conditions joined by `,`, e.g. "sensitivity>=high,scope=payments:*".
    #[arg(long = "where", value_name = "FILTER", default_value = "")]
    pub filter: String,
    /// Only grants whose scope or client this team owns.
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// A usage snapshot (`scopectl usage collect`): each entry gets `usage` and
    /// `last_used`, so reviewers see whether the grant is used.
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// With --usage: judge only the last DURATION of the snapshot (e.g. 90d).
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime, requires = "usage")]
    pub usage_window: Option<scopectl::registry::Lifetime>,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReviewDecideArgs {
    pub name: String,
    pub client: String,
    pub scope: String,
    #[arg(value_enum)]
    pub decision: DecisionArg,
    /// Who decides (an e-mail address): a member of the entry's reviewers.
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// With keep: renew for this long from today (capped by the policy).
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_lifetime, conflicts_with = "expires")]
    pub for_: Option<scopectl::registry::Lifetime>,
    /// With keep: renew until this day.
    #[arg(long, value_parser = parse_date)]
    pub expires: Option<NaiveDate>,
    /// The reviewer's note.
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, clap::Args)]
pub struct ReviewCloseArgs {
    pub name: String,
    /// What undecided entries get.
    #[arg(long, value_enum)]
    pub default: DecisionArg,
    #[command(flatten)]
    pub edit: EditArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    Keep,
    Revoke,
}

impl DecisionArg {
    pub fn decision(self) -> scopectl::registry::Decision {
        match self {
            DecisionArg::Keep => scopectl::registry::Decision::Keep,
            DecisionArg::Revoke => scopectl::registry::Decision::Revoke,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportingFormat {
    /// Tables for a terminal.
    #[value(alias = "table")]
    Human,
    /// Markdown, for an issue or a chat message.
    Markdown,
    /// One JSON document.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ExpiringArgs {
    /// The registry root (the folder with scopectl.toml, scopes/ and clients/).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The registry root, as the other commands take it (same as PATH).
    #[arg(long = "registry", value_name = "PATH", conflicts_with = "path")]
    pub registry: Option<PathBuf>,
    /// The window: grants expiring on or before today plus this are listed ("30d", "8w").
    #[arg(long, default_value = "30d", value_parser = parse_lifetime)]
    pub within: scopectl::registry::Lifetime,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportingFormat::Human)]
    pub format: ReportingFormat,
}

fn parse_lifetime(s: &str) -> Result<scopectl::registry::Lifetime, String> {
    scopectl::registry::Lifetime::parse(s)
}

#[derive(Debug, clap::Args)]
pub struct KeysArgs {
    /// The `[targets.NAME]` of the registry's scopectl.toml (Keycloak: the realm's keys
    /// through the admin API, which needs `view-realm`; RFC 7592: its JWKS).
    #[arg(long, value_name = "NAME", group = "keysource")]
    pub target: Option<String>,
    /// A JWKS file or an https:// URL.
    #[arg(long, value_name = "FILE|URL", group = "keysource")]
    pub jwks: Option<String>,
    /// The issuer whose OpenID configuration names the JWKS (`jwks_uri`).
    #[arg(long, value_name = "ISSUER", group = "keysource")]
    pub discover: Option<String>,
    /// The registry (its policy's `max_key_age` and `[rules]`, its targets; default: the
    /// current directory).
    #[arg(long, value_name = "PATH")]
    pub registry: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KeysFormat::Human)]
    pub format: KeysFormat,
    /// Allow plain-HTTP URLs for --jwks and --discover to hosts that are not loopback.
    #[arg(long)]
    pub insecure_http: bool,
    /// Timeout for each HTTP request of --jwks and --discover.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Evaluate ages as of this instant (RFC 3339 or unix seconds) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub now: Option<i64>,
    /// Warnings fail the run too (exit 1).
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct CodeownersArgs {
    /// The registry root (the folder with scopectl.toml, scopes/ and clients/).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The registry root, as the other commands take it (same as PATH).
    #[arg(long = "registry", value_name = "PATH", conflicts_with = "path")]
    pub registry: Option<PathBuf>,
    /// Path of the registry relative to the root of its git repository, prefixed to the
    /// patterns (default: found from the repository).
    #[arg(long)]
    pub path_prefix: Option<String>,
    /// Compare the scopectl block of this CODEOWNERS file with a fresh one: exit 1 and show
    /// the difference when it is stale or missing.
    #[arg(long, value_name = "FILE", conflicts_with = "write")]
    pub check: Option<PathBuf>,
    /// Replace the scopectl block of this CODEOWNERS file (or append one), keeping every
    /// other line.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Exit 1 when an owner has no code-host handle (its files then have no code owner).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum ApisCommand {
    /// Write what an API's description should say, from the registry.
    #[command(
        after_help = "Exit codes: 0 written, or (--check) the spec's scopes maps are up to date; 1 (--check) a map is stale: entries missing, extra or described differently; 2 the registry does not load, no such API, or FILE cannot be read."
    )]
    Export(ApisExportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApisExportKind {
    /// The `flows.*.scopes` map of an OpenAPI OAuth 2.0 security scheme (name → description).
    Openapi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApisFormat {
    Json,
    Yaml,
    /// --check only: one line per difference.
    Human,
}

#[derive(Debug, clap::Args)]
pub struct ApisExportArgs {
    /// What to export.
    #[arg(value_enum)]
    pub kind: ApisExportKind,
    /// The API (`[apis.NAME]`).
    pub name: String,
    /// Compare the scopes map of every OAuth flow of this OpenAPI file with the
    /// registry's instead of writing it.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
    /// Output format (default: json; human with --check).
    #[arg(long, value_enum)]
    pub format: Option<ApisFormat>,
    /// The registry root.
    #[arg(long, value_name = "PATH", default_value = ".")]
    pub registry: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which file kind.
    #[arg(value_parser = scopectl::schema::KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>())]
    pub kind: Option<String>,
    /// Write all schemas into this directory instead of printing one.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: Option<clap_complete::Shell>,
    /// Write completions for every shell into this directory instead of printing one.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Parse a `YYYY-MM-DD` date argument.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("`{s}` is not a date in the form YYYY-MM-DD ({e})"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A table for a terminal (`table` is an alias).
    #[value(name = "human", alias = "table")]
    Table,
    /// JSON: the plan document (the one `plan --out` saves; `apply` prints
    /// `{"plan": …, "report": …}`).
    Json,
    /// Markdown, for a pull-request comment.
    Markdown,
}

/// `apply`'s formats: what happened, for a person or as JSON (a Markdown report of an apply
/// is not offered: `plan --format markdown` is the pull-request comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    /// A table for a terminal (`table` is an alias).
    #[value(alias = "table")]
    Human,
    /// JSON: `{"plan": …, "report": …}`.
    Json,
}

impl ApplyFormat {
    /// The plan format that renders the same way.
    pub fn plan(self) -> PlanFormat {
        match self {
            ApplyFormat::Human => PlanFormat::Table,
            ApplyFormat::Json => PlanFormat::Json,
        }
    }
}

/// Where to push: the registry and the target.
#[derive(Debug, clap::Args)]
pub struct PushTargetArgs {
    /// The registry root (the folder with scopectl.toml, scopes/ and clients/).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The registry root, as the other commands take it (same as PATH).
    #[arg(long = "registry", value_name = "PATH", conflicts_with = "path")]
    pub registry: Option<PathBuf>,
    /// The `[targets.NAME]` to use (default: the only one).
    #[arg(long)]
    pub target: Option<String>,
    /// Evaluate grant expiry as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
}

impl PushTargetArgs {
    /// The registry root: `--registry` or PATH.
    pub fn root(&self) -> &std::path::Path {
        self.registry.as_deref().unwrap_or(&self.path)
    }
}

/// What a plan may remove besides expired and revoked grants.
#[derive(Debug, clap::Args)]
pub struct RemovalArgs {
    /// Delete scopectl's client scopes that left the registry (never built-in or unmarked
    /// ones; never from a registry with no scopes).
    #[arg(long)]
    pub prune: bool,
    /// With --prune: also delete scopes still in use (linked to clients without a
    /// registry file, in the realm's default lists, carrying hand-made mappers).
    #[arg(long, requires = "prune")]
    pub prune_in_use: bool,
    /// With --prune: the most scopes one run deletes; more refuses every delete.
    #[arg(long, value_name = "N", default_value_t = scopectl::push::DEFAULT_MAX_DELETES)]
    pub max_deletes: usize,
    /// Unassign scopectl's scopes from clients that have no registry file (the target's
    /// `revoke_unlisted = true` does it on every run).
    #[arg(long)]
    pub revoke_unlisted: bool,
}

impl RemovalArgs {
    pub fn options(&self) -> scopectl::push::PlanOptions {
        scopectl::push::PlanOptions {
            prune: self.prune,
            revoke_unlisted: self.revoke_unlisted,
            prune_in_use: self.prune_in_use,
            max_deletes: self.max_deletes,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub push: PushTargetArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Also save the plan (JSON, no secrets) for `apply --plan`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub removal: RemovalArgs,
}

#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub push: PushTargetArgs,
    /// Apply this saved plan; refuses if the server or registry changed since it was made.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub removal: RemovalArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Human)]
    pub format: ApplyFormat,
    /// Take over the apply lease another run holds on the server (only when that run was
    /// killed and its lease has not expired yet).
    #[arg(long)]
    pub take_over_lease: bool,
    /// Push additions even though the registry has lint errors (they are still listed;
    /// exit 1). Without it, only removals are made while lint errors remain.
    #[arg(long)]
    pub allow_lint_errors: bool,
}

#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub push: PushTargetArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
}

/// Where the registry is: shared by diff, log and report.
#[derive(Debug, clap::Args)]
pub struct RepoArgs {
    /// The registry folder in a work tree, or a (bare) repository. Default: the current directory.
    #[arg(long, default_value = ".")]
    pub registry: PathBuf,
    /// The registry's folder inside the repository, `/`-separated (default: worked out from
    /// --registry; the repository root in a bare repository).
    #[arg(long)]
    pub subdir: Option<String>,
    /// Exit 2 when the repository does not hold the whole history (a shallow clone,
    /// grafts, replace refs) instead of warning and marking history-based evidence as not
    /// evaluable.
    #[arg(long)]
    pub require_full_history: bool,
    /// Verify SSH commit signatures against this allowed-signers file (git's
    /// gpg.ssh.allowedSignersFile format) instead of the one `[policy] allowed_signers`
    /// names (which diff reads at the base revision, log and report at the revision).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A readable table (`table` is an alias).
    #[value(alias = "table")]
    Human,
    /// Markdown, for an audit record or a PR comment.
    Markdown,
    /// One JSON document (schema in docs/diff-report.md).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Revisions `A..B` (`A..` means A to HEAD). With --worktree: one revision (default HEAD)
    /// compared with the work tree.
    pub range: Option<String>,
    /// Compare a revision (default HEAD) with the uncommitted files of the work tree.
    #[arg(long)]
    pub worktree: bool,
    /// The promotion view instead of a history diff: what environment FROM has that TO
    /// has not (scopes, clients, grants), in the registry's files (`--registry`).
    #[arg(long, value_name = "FROM..TO", conflicts_with_all = ["range", "worktree"])]
    pub env: Option<String>,
    /// Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC): grants (--env,
    /// and the clients an API change affects) and side A's exceptions.
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit 3 when any of these is present (a comma list).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "breaking,weakened,unverified"
    )]
    pub fail_on: Vec<DiffFailOn>,
}

/// A condition `diff --fail-on` can fail on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    /// A breaking change.
    Breaking,
    /// A weakening finding: policy, push target, scope control, grant changed without a new approval.
    Weakened,
    /// A change that gives a client more access (a new grant, an extension, ...).
    AccessAdded,
    /// Any finding at all (four-eyes included).
    Findings,
    /// Access given in a commit whose signature is not verified (only under `[policy] require_signed`).
    Unverified,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// A scope (`telemetry:read`), a client id, an API or an access-review campaign (`2026-q4`).
    pub name: String,
    /// Read history up to this revision (`--rev` is an alias).
    #[arg(long = "at", alias = "rev", value_name = "REV", default_value = "HEAD")]
    pub rev: String,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    /// One self-contained HTML file (no external assets).
    Html,
    /// One row per grant.
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The revision to report on (`--rev` is an alias).
    #[arg(long, alias = "rev", value_name = "REV", default_value = "HEAD")]
    pub at: String,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Evaluate expiry as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Report on one environment (a target's `environment`, or its name): only the
    /// clients and grants reaching it, linted under its `[policy.environments]` policy.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Read only the snapshot at REV: skip the history walk that checks whether a commit's
    /// author approved the grant it added (four-eyes).
    #[arg(long)]
    pub no_history: bool,
    /// The frameworks to map the evidence to, in this order (repeat the option or separate
    /// with commas); mapping tables in docs/frameworks.md.
    #[arg(
        long = "framework",
        value_enum,
        value_name = "FRAMEWORK",
        value_delimiter = ',',
        default_value = "iso27001"
    )]
    pub frameworks: Vec<ReportFramework>,
    /// Usage evidence: a snapshot of `scopectl usage collect` (last use per grant, the
    /// usage chart, NIST CSF DE.CM-03).
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// With --usage: judge only the last part of the snapshot's window (e.g. 90d).
    #[arg(long, value_name = "DURATION", value_parser = parse_lifetime, requires = "usage")]
    pub usage_window: Option<scopectl::registry::Lifetime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFramework {
    /// ISO/IEC 27001:2022 Annex A (5.15, 5.18, 8.2, 5.3).
    #[value(name = "iso27001")]
    Iso27001,
    /// NIST Cybersecurity Framework 2.0 (PR.AA-01, PR.AA-03, PR.AA-05, DE.CM-03).
    #[value(name = "nist-csf-2")]
    NistCsf2,
    /// SOC 2 Trust Services Criteria (CC6.1, CC6.2, CC6.3).
    #[value(name = "soc2")]
    Soc2,
}

impl ReportFramework {
    /// The framework's mapping tables.
    pub fn mapping(self) -> &'static scopectl::report::mapping::Framework {
        use scopectl::report::mapping;
        match self {
            ReportFramework::Iso27001 => &mapping::ISO_27001,
            ReportFramework::NistCsf2 => &mapping::NIST_CSF_2,
            ReportFramework::Soc2 => &mapping::SOC_2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeysFormat {
    /// A table of the keys, then the findings.
    Human,
    /// One JSON document (schema in the README, "Signing keys").
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecodeFormat {
    /// Header, claims, times, scopes and findings for a person.
    Human,
    /// One JSON document (schema in docs/decode.md).
    Json,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 no error findings, 1 error findings or invalid signature, 2 malformed input, JWE or opaque token, unusable key, unreachable key server or bad arguments.\nExit 0 does not mean verified: without a key the token exits 0 with a `token/unverified` warning (`valid` is true only when the signature was verified too). `\"token/unverified\" = \"deny\"` in [rules] of the registry's scopectl.toml makes an unverified token exit 1.\nSecrets are read only from a file (--secret-file) or an environment variable (--secret-env)."
)]
pub struct DecodeArgs {
    /// The token, a file holding it, `-` to read it from stdin (also when stdin is piped
    /// and no token is given), a whole `Authorization: Bearer …` line (as `curl -v`
    /// prints it too), or a JWS in the JSON serialization.
    #[arg(conflicts_with = "batch")]
    pub token: Option<String>,
    /// Decode one token (or header line) per line of FILE (`-` for stdin); print one JSON line each.
    #[arg(long, value_name = "FILE|-")]
    pub batch: Option<String>,
    /// Output format (--batch always writes JSON lines).
    #[arg(long, value_enum, default_value_t = DecodeFormat::Human)]
    pub format: DecodeFormat,
    /// Verify with a PEM public key (RSA, EC P-256/P-384, Ed25519).
    #[arg(long, value_name = "FILE", group = "keysource")]
    pub key: Option<PathBuf>,
    /// Verify HMAC (HS*) with the secret in FILE (one trailing newline is ignored). Can be
    /// given with --key, --jwks or --discover: each token uses the keys of its kind.
    #[arg(long, value_name = "FILE", group = "secretsource")]
    pub secret_file: Option<PathBuf>,
    /// Verify HMAC (HS*) with the secret in environment variable VAR.
    #[arg(long, value_name = "VAR", group = "secretsource")]
    pub secret_env: Option<String>,
    /// The 403 question: does the token carry SCOPE, which the endpoint needs, and is the
    /// client granted it in the registry? Repeatable (all are needed); exit 1 when the
    /// token lacks one.
    #[arg(long, value_name = "SCOPE")]
    pub need: Vec<String>,
    /// The 403 question at an operation of the registry's APIs: would the token be
    /// accepted at "METHOD /path" (the API's audience, the scopes of the operation's
    /// security requirement, step-up)? Concrete paths match templates (`/payments/{id}`);
    /// exit 1 when it would not.
    #[arg(long, value_name = "\"METHOD /path\"", conflicts_with_all = ["need", "batch"])]
    pub endpoint: Option<String>,
    /// The API of --endpoint (default: the one API with a matching operation).
    #[arg(long, value_name = "NAME", requires = "endpoint")]
    pub api: Option<String>,
    /// The secret of --secret-file/--secret-env is base64 or base64url text: decode it
    /// first (what jwt-cli writes as `b64:`). An `oct` JWK or JWKS in the file is always
    /// decoded from its `k`.
    #[arg(long)]
    pub secret_base64: bool,
    /// Verify with a JWKS from a file or an https:// URL.
    #[arg(long, value_name = "FILE|URL", group = "keysource")]
    pub jwks: Option<String>,
    /// Fetch the issuer's OpenID configuration and JWKS. Needs --iss, unless a [targets.NAME] of the registry names the token's `iss`.
    #[arg(long, group = "keysource")]
    pub discover: bool,
    /// Allow plain-HTTP URLs for --jwks and --discover (labs and tests only).
    #[arg(long)]
    pub insecure_http: bool,
    /// Timeout for each HTTP request of --jwks URL and --discover.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Accept only these algorithms (comma-separated; default: RS*, PS*, ES256/384, EdDSA, HS* with a secret).
    #[arg(long = "alg", value_name = "ALG", value_delimiter = ',', value_parser = scopectl::token::verify::parse_algorithm)]
    pub algs: Vec<jsonwebtoken::Algorithm>,
    /// The expected issuer (`iss`).
    #[arg(long, value_name = "URL")]
    pub iss: Option<String>,
    /// An accepted audience (`aud` must contain one of them); repeatable.
    #[arg(long, value_name = "AUD")]
    pub aud: Vec<String>,
    /// Evaluate times as of this instant (RFC 3339 or unix seconds) instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub now: Option<i64>,
    /// The registry root (default: the current directory, if it is a registry).
    #[arg(long, value_name = "PATH")]
    pub registry: Option<PathBuf>,
    /// Evaluate the registry's grant expiry as of this date (YYYY-MM-DD), like lint and
    /// plan do (default: the date of --now, else today, UTC).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// List the token findings with their ids, levels and explanations, then exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Ask the authorization server about the token (RFC 7662 token introspection at
    /// URL, as a resource server: --client-id with --client-secret-env or
    /// --client-secret-file); works for opaque tokens too. Exit 1 when it is not active.
    #[arg(long, value_name = "URL", conflicts_with = "introspect_target")]
    pub introspect: Option<String>,
    /// Introspect at the `introspection_endpoint` of a `[targets.NAME]`'s issuer, as the
    /// target's `introspection_client_id` (else `client_id`).
    #[arg(long, value_name = "NAME")]
    pub introspect_target: Option<String>,
    /// The introspecting client's id (a confidential client of the authorization server).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The environment variable holding the introspecting client's secret (it must match
    /// `^SCOPECTL_[A-Z0-9_]+$`, as for push targets).
    #[arg(long, value_name = "VAR", conflicts_with = "client_secret_file")]
    pub client_secret_env: Option<String>,
    /// A file holding the introspecting client's secret (at most 64 KiB).
    #[arg(long, value_name = "FILE")]
    pub client_secret_file: Option<PathBuf>,
    /// `--batch` with introspection: requests in flight at once (1-16).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub concurrency: u8,
    /// The `[targets.NAME]` the token comes from: verify with its issuer's keys (as
    /// --discover), and for Keycloak tell a key the realm no longer publishes
    /// (`key/unpublished`) from an unknown one.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["key", "jwks"])]
    pub target: Option<String>,
}

/// Parse a duration such as `10s` or `1m`.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration like 10s ({e})"))?;
    if d.is_zero() {
        return Err(format!(
            "`{s}` is zero: every request would time out at once; give a duration like 10s"
        ));
    }
    Ok(d)
}

/// Parse an instant: RFC 3339 (`2026-11-25T12:00:00Z`) or unix seconds.
pub fn parse_instant(s: &str) -> Result<i64, String> {
    if let Ok(n) = s.trim().parse::<i64>() {
        return match chrono::DateTime::from_timestamp(n, 0) {
            Some(_) => Ok(n),
            None => Err(format!(
                "`{s}` unix seconds is out of the range of dates (years -262143 to 262142)"
            )),
        };
    }
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp())
        .map_err(|e| {
            format!("`{s}` is neither RFC 3339 (2026-11-25T12:00:00Z) nor unix seconds ({e})")
        })
}

use scopectl::token::keys::KeySource;
use scopectl::token::verify::SecretEncoding;

impl DecodeArgs {
    /// Where the verification keys come from: at most one public source (clap lets one
    /// through) and at most one secret, used together.
    pub fn key_sources(&self) -> Vec<KeySource<'_>> {
        let public = match (&self.key, &self.jwks) {
            (Some(p), _) => Some(KeySource::Pem(p)),
            (_, Some(j)) => Some(KeySource::Jwks(j)),
            _ if self.discover || self.target.is_some() => Some(KeySource::Discover),
            _ => None,
        };
        let secret = match (&self.secret_file, &self.secret_env) {
            (Some(p), _) => Some(KeySource::SecretFile(p, self.secret_encoding())),
            (_, Some(v)) => Some(KeySource::SecretEnv(v, self.secret_encoding())),
            _ => None,
        };
        public.into_iter().chain(secret).collect()
    }

    fn secret_encoding(&self) -> SecretEncoding {
        if self.secret_base64 {
            SecretEncoding::Base64
        } else {
            SecretEncoding::Raw
        }
    }
}

#[cfg(test)]
mod fast_parse_tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(|a| a.into()).collect()
    }

    /// The decode shortcut parses exactly what the full parser does, and leaves help,
    /// version and errors to it.
    #[test]
    fn the_decode_shortcut_parses_like_the_full_parser() {
        for args in [
            &["scopectl", "decode", "a.b.c"][..],
            &["scopectl", "decode", "-", "--format", "json", "--quiet"],
            &[
                "scopectl",
                "-q",
                "decode",
                "--color",
                "never",
                "--registry",
                "r",
                "--need",
                "x:y",
                "--need",
                "z:w",
                "a.b.c",
            ],
            &[
                "scopectl",
                "decode",
                "--jwks",
                "k.json",
                "--iss",
                "https://i",
                "--aud",
                "api",
                "--batch",
                "f",
            ],
            &["scopectl", "decode", "--list-rules"],
        ] {
            let fast = Cli::parse_decode_fast(&os(args)).expect("fast path taken");
            let full = Cli::try_parse_from(os(args)).expect("parses");
            assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{args:?}");
        }
        for args in [
            &["scopectl", "decode", "--help"][..],
            &["scopectl", "decode", "--no-such-flag", "a.b.c"],
            &["scopectl", "lint"],
            &["scopectl", "--version"],
            &["scopectl", "decode", "--format", "yaml", "a.b.c"],
        ] {
            assert!(Cli::parse_decode_fast(&os(args)).is_none(), "{args:?}");
        }
    }
}
