//! The `scopectl` binary: parse arguments, run the command, print an error once, exit
//! with the documented code.

// Only the writer (`commands::out`) prints; everything else goes through it.
#![deny(clippy::print_stdout, clippy::print_stderr)]
// No unwrap/expect outside tests: input a user controls must give an error naming it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;
mod commands;

use std::process::ExitCode;

// Loading a registry and its OpenAPI files is mostly small allocations, freed from other
// threads too: mimalloc does both in about half of glibc's time (README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = match cli::Cli::parse_decode_fast(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help, version and usage errors go through the writer too (usage errors
            // quote argv).
            let out = commands::out::Out::new(scopectl::output::Color::auto(), false);
            let text = match out.color() {
                scopectl::output::Color::Always => e.render().ansi().to_string(),
                scopectl::output::Color::Never => e.render().to_string(),
            };
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = out.text(&text);
                    ExitCode::SUCCESS
                }
                _ => {
                    let _ = out.err(&text);
                    ExitCode::from(2)
                }
            };
        }
    };
    match commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            // A closed pipe (`scopectl lint | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Errors can quote files, tokens or server answers: nothing in them may drive
            // the terminal.
            commands::out::error(&format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}
