use crate::cli::InitArgs;

pub fn run(args: InitArgs) -> anyhow::Result<u8> {
    let written = scopectl::init::write(&args.dir, scopectl::today_utc(), args.force)?;
    let mut out = String::new();
    for p in &written {
        out.push_str(&format!("created {}\n", p.display()));
    }
    out.push_str(&format!(
        "\nNext: `scopectl lint {}`; `pre-commit install` (or `git config core.hooksPath hooks`) to lint on every commit.\n",
        args.dir.display()
    ));
    super::print(&out)?;
    Ok(super::EXIT_OK)
}
