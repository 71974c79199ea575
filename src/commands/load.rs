//! Loading a whole registry for the commands that need all of it.

use super::out::Out;

/// Load the registry at `path` for a command that needs all of it: when it does not
/// load, its diagnostics go to stderr and the command stops (exit 2).
pub fn load_registry(
    path: &std::path::Path,
    out: &Out,
) -> anyhow::Result<scopectl::registry::Loaded> {
    load_sources(scopectl::registry::source::read_dir(path)?, out)
}

/// [`load_registry`] from sources already read.
pub fn load_sources(
    sources: Vec<scopectl::registry::Source>,
    out: &Out,
) -> anyhow::Result<scopectl::registry::Loaded> {
    let loaded = scopectl::registry::Registry::load(sources);
    if !loaded.is_ok() {
        let files = &loaded.registry.files;
        out.err(&scopectl::output::human::render(
            files,
            &loaded.diagnostics,
            out.color(),
        ))?;
        anyhow::bail!("the registry does not load; fix the errors above first");
    }
    Ok(loaded)
}
