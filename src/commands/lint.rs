//! `scopectl lint [PATH]`: load the registry, run the lint rules, render the findings
//! (human, JSON, SARIF, GitHub annotations), return the outcome.

use std::io::IsTerminal;

use super::out::Out;
use crate::cli::{LintArgs, LintFormat};
use scopectl::finding::{Outcome, Severity};
use scopectl::output;

pub fn run(mut args: LintArgs, out: &Out) -> anyhow::Result<Outcome> {
    if let Some(r) = args.registry.take() {
        args.path = r;
    }
    if args.list_rules {
        return list_rules(out, args.format, &args.path);
    }
    let today = args.today.unwrap_or_else(scopectl::today_utc);
    // The snapshot is read while the registry loads.
    let usage = args
        .usage
        .clone()
        .map(|f| std::thread::spawn(move || scopectl::usage::Snapshot::read(&f)));
    let mut scope =
        scopectl::history::staged::scope(&args.path, args.staged, args.changed_since.as_deref())?;
    let ok = scope.loaded.is_ok();
    let mut diagnostics = std::mem::take(&mut scope.loaded.diagnostics);
    let loaded = &scope.loaded;
    if ok {
        diagnostics.extend(scopectl::lint::check(&loaded.registry, today));
        if let Some(reading) = usage {
            let snap = reading
                .join()
                .map_err(|_| anyhow::anyhow!("reading the usage snapshot failed"))??;
            let last = args.usage_window.as_ref().map(super::usage::duration);
            let (e, found) = scopectl::usage::evaluate::check(&loaded.registry, &snap, last, today);
            diagnostics.extend(found);
            std::mem::forget((snap, e)); // exiting soon: freeing 100,000s of pairs is wasted time
        }
    }
    let left_out = scope.retain(&mut diagnostics);
    if left_out > 0 {
        out.err(&format!(
            "note: {left_out} finding(s) about scopes, clients or grants this change does not touch left out (`scopectl lint` reports everything)\n"
        ))?;
    }
    scopectl::finding::sort(&mut diagnostics, &loaded.registry.files);
    let prefix = args
        .path_prefix
        .clone()
        .unwrap_or_else(|| super::repo_relative(&args.path));
    let files = &loaded.registry.files;
    match args.format {
        LintFormat::Human => out.text(&output::human::render_for(
            files,
            &diagnostics,
            out.color(),
            out.quiet(),
        ))?,
        LintFormat::Json => out.json(&output::json::render(files, &diagnostics, today))?,
        LintFormat::Sarif => out.json(&output::sarif::render(files, &diagnostics, &prefix))?,
        LintFormat::Github => out.text(&output::github::render(files, &diagnostics, &prefix))?,
        LintFormat::Markdown => {
            out.text(&output::markdown::render(files, &diagnostics, &prefix))?
        }
    }
    let warned = args.deny_warnings
        && diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.accepted.is_none());
    let outcome = match (ok, warned) {
        (false, _) => Outcome::Unusable,
        (true, true) => Outcome::Findings,
        (true, false) => Outcome::of(&diagnostics),
    };
    std::mem::forget(scope); // exiting next: freeing a large registry is wasted time
    Ok(outcome)
}

/// The lint and load rules, at the levels the registry at PATH sets (when PATH holds one).
fn list_rules(out: &Out, format: LintFormat, path: &std::path::Path) -> anyhow::Result<Outcome> {
    let overrides = match scopectl::registry::Registry::load_dir(path) {
        Ok(loaded) if loaded.is_ok() => scopectl::lint::level_overrides(&loaded.registry),
        Ok(loaded) if path.join(scopectl::registry::POLICY_FILE).exists() => {
            let first = loaded
                .diagnostics
                .iter()
                .find(|d| d.severity == Severity::Error)
                .map(|d| d.message.clone())
                .unwrap_or_default();
            anyhow::bail!(
                "the registry at `{}` does not load ({first}); run `scopectl lint` for details",
                path.display()
            );
        }
        _ => Default::default(),
    };
    let rows = output::rules::rows(
        scopectl::rules::Rule::of(scopectl::rules::Family::Load).chain(scopectl::lint::rules()),
        &overrides,
    );
    match format {
        LintFormat::Json => out.json(&output::rules::json(&rows))?,
        _ => {
            let width = output::table::table_width(std::io::stdout().is_terminal());
            out.text(&output::rules::table(&rows, "rule", width))?
        }
    }
    Ok(Outcome::Clean)
}
