//! `scopectl init DIR`: write a new registry that lints clean, hook it into the git
//! repository it is in, and say what to do next in that layout.

use super::out::Out;
use crate::cli::InitArgs;
use scopectl::finding::Outcome;

pub fn run(args: InitArgs, out: &Out) -> anyhow::Result<Outcome> {
    let init = scopectl::init::write(&args.dir, scopectl::today_utc(), args.force)?;
    let mut text = String::new();
    for p in &init.written {
        text.push_str(&format!("created {}\n", p.display()));
    }
    text.push_str(&scopectl::init::next_steps(&init, &args.dir));
    out.text(&text)?;
    Ok(Outcome::Clean)
}
