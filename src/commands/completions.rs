use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};

/// File name of the checked-in completion script for a shell.
pub fn file_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "scopectl.bash",
        Shell::Zsh => "_scopectl",
        Shell::Fish => "scopectl.fish",
        Shell::PowerShell => "_scopectl.ps1",
        Shell::Elvish => "scopectl.elv",
        _ => "scopectl.completion",
    }
}

fn generate(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "scopectl", &mut buf);
    buf
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<u8> {
    if let Some(dir) = args.out {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::PowerShell,
            Shell::Elvish,
        ] {
            let path = dir.join(file_name(shell));
            std::fs::write(&path, generate(shell))
                .with_context(|| format!("cannot write {}", path.display()))?;
            super::print(&format!("wrote {}\n", path.display()))?;
        }
        return Ok(super::EXIT_OK);
    }
    let Some(shell) = args.shell else {
        anyhow::bail!(
            "name a shell (bash, zsh, fish, powershell, elvish), or pass --out DIR to write all"
        );
    };
    super::print(&String::from_utf8_lossy(&generate(shell)))?;
    Ok(super::EXIT_OK)
}
