//! One adapter per subcommand: arguments → library call → renderer → the writer
//! ([`out::Out`], the only code that prints) → an [`Outcome`], which `main` turns into
//! the exit code.

mod apis;
mod apply;
mod catalog;
mod codeowners;
mod completions;
mod decode;
mod diff;
mod drift;
mod edit;
mod expiring;
mod import;
mod init;
mod introspect;
mod keys;
mod lint;
mod load;
mod log;
pub mod out;
mod plan;
mod report;
mod review;
mod schema;
mod usage;

use crate::cli::{Cli, ColorChoice, Command, RepoArgs};
use out::Out;
use scopectl::finding::Outcome;
use scopectl::history::{Completeness, Repo};
use scopectl::output::Color;

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let out = Out::new(
        match cli.globals.color {
            ColorChoice::Always => Color::Always,
            ColorChoice::Never => Color::Never,
            ColorChoice::Auto => Color::auto(),
        },
        cli.globals.quiet,
    );
    let out = &out;
    match cli.command {
        Command::Init(args) => init::run(args, out),
        Command::Import(args) => import::run(args, out),
        Command::Lint(args) => lint::run(args, out),
        Command::Codeowners(args) => codeowners::run(args, out),
        Command::Expiring(args) => expiring::run(args, out),
        Command::Keys(args) => keys::run(args, out),
        Command::Grant(args) => edit::grant(args, out),
        Command::Renew(args) => edit::renew(args, out),
        Command::Revoke(args) => edit::revoke(args, out),
        Command::Scope(c) => catalog::scope(c, out),
        Command::Client(c) => catalog::client(c, out),
        Command::Review(c) => review::run(c, out),
        Command::Usage(c) => usage::run(c, out),
        Command::Apis(c) => apis::run(c, out),
        Command::Schema(args) => schema::run(args, out),
        Command::Completions(args) => completions::run(args, out),
        Command::Plan(args) => plan::run(args, out),
        Command::Apply(args) => apply::run(args, out),
        Command::Drift(args) => drift::run(args, out),
        Command::Diff(args) => diff::run(args, out),
        Command::Log(args) => log::run(args, out),
        Command::Report(args) => report::run(args, out),
        Command::Decode(args) => decode::run(*args, out),
    }
}

/// Open the repository `args` name and check that it holds the whole history: when it
/// does not, a warning on stderr (history-based evidence is then "not evaluable"), or an
/// error (exit 2) with `--require-full-history`.
pub fn open_repo(args: &RepoArgs, out: &Out) -> anyhow::Result<(Repo, Completeness)> {
    let repo = Repo::open(&args.registry, args.subdir.as_deref())?;
    let completeness = repo.completeness();
    if let Some(reason) = &completeness.reason {
        if args.require_full_history {
            anyhow::bail!(
                "the history is incomplete ({reason}), and --require-full-history was given"
            );
        }
        out.err(&format!(
            "warning: the history is incomplete ({reason}); evidence that needs it is marked not evaluable\n"
        ))?;
    }
    Ok((repo, completeness))
}

/// The registry's path relative to the root of the git work tree that holds it (what SARIF
/// and GitHub annotations need); PATH itself when it is relative and not in a repository.
pub fn repo_relative(path: &std::path::Path) -> String {
    let from_git = || -> Option<String> {
        let repo = git2::Repository::discover(path).ok()?;
        let workdir = repo.workdir()?.canonicalize().ok()?;
        let abs = path.canonicalize().ok()?;
        let rel = abs.strip_prefix(&workdir).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    };
    if let Some(rel) = from_git() {
        return rel;
    }
    if path.is_relative() {
        let s = path.to_string_lossy().replace('\\', "/");
        return s.trim_start_matches("./").to_string();
    }
    String::new()
}
