//! `scopectl init DIR`: write a new registry that lints clean, with pre-commit hooks.

use super::out::Out;
use crate::cli::InitArgs;
use scopectl::finding::Outcome;

pub fn run(args: InitArgs, out: &Out) -> anyhow::Result<Outcome> {
    let written = scopectl::init::write(&args.dir, scopectl::today_utc(), args.force)?;
    let mut text = String::new();
    for p in &written {
        text.push_str(&format!("created {}\n", p.display()));
    }
    text.push_str(&format!(
        "\nNext: `scopectl lint {}`; `pre-commit install` (or `git config core.hooksPath hooks`) to lint on every commit.\n",
        args.dir.display()
    ));
    out.text(&text)?;
    Ok(Outcome::Clean)
}
