//! `scopectl grant | renew | revoke`: build the edit ([`scopectl::edit`]), refuse it when
//! it adds failing lint findings, show it (`--dry-run`) or write it atomically. [`apply`]
//! is shared with `scope`, `client` and `review`.

use super::out::Out;
use crate::cli::{ApprovalArgs, EditArgs, GrantArgs, RenewArgs, RevokeArgs};
use scopectl::edit::{self, Approval, Edit, NewGrant};
use scopectl::finding::Outcome;
use scopectl::registry::{source, Registry};

pub fn approval(a: &ApprovalArgs) -> Approval {
    Approval {
        approved_by: a.approved_by.clone(),
        for_days: a.for_.as_ref().map(|l| l.days()),
        expires: a.expires,
    }
}

/// Load the registry (it must load), make the edit, then check it and write it.
pub fn apply(
    e: &EditArgs,
    out: &Out,
    make: impl FnOnce(&Registry, chrono::NaiveDate) -> anyhow::Result<Edit>,
) -> anyhow::Result<Outcome> {
    let today = e.today.unwrap_or_else(scopectl::today_utc);
    let sources = source::read_dir(&e.registry)?;
    let loaded = super::load::load_sources(sources.clone(), out)?;
    let edit = make(&loaded.registry, today)?;
    if edit.files.is_empty() {
        out.text(&format!("nothing to change: {}\n", edit.summary))?;
        return Ok(Outcome::Clean);
    }
    let (added, edited) = edit::new_failures(loaded.registry, sources, &edit, today);
    if !added.is_empty() {
        let shown = scopectl::output::human::render(&edited.files, &added, out.color());
        out.text(&shown)?;
        out.err(&format!(
            "refused: {} would add the failing findings above; nothing was written\n",
            edit.summary
        ))?;
        return Ok(Outcome::Findings);
    }
    if e.dry_run {
        out.text(&edit::diff(&edit))?;
        return Ok(Outcome::Clean);
    }
    edit::write(&edit)?;
    out.text(&format!(
        "{}: {}\ncommit it with: {}\n",
        edit.paths(),
        edit.summary,
        edit.commit_command(),
    ))?;
    Ok(Outcome::Clean)
}

pub fn grant(a: GrantArgs, out: &Out) -> anyhow::Result<Outcome> {
    let g = NewGrant {
        client: a.client,
        scope: a.scope,
        why: a.why,
        ticket: a.ticket,
        optional: a.optional,
        approval: approval(&a.approval),
    };
    apply(&a.edit, out, |reg, today| {
        edit::grant(reg, &a.edit.registry, today, &g)
    })
}

pub fn renew(a: RenewArgs, out: &Out) -> anyhow::Result<Outcome> {
    let ap = approval(&a.approval);
    apply(&a.edit, out, |reg, today| {
        let why = a.why.as_deref();
        edit::renew(reg, &a.edit.registry, today, &a.client, &a.scope, why, &ap)
    })
}

pub fn revoke(a: RevokeArgs, out: &Out) -> anyhow::Result<Outcome> {
    apply(&a.edit, out, |reg, today| {
        let root = &a.edit.registry;
        edit::revoke(reg, root, today, &a.client, &a.scope, &a.why, a.log)
    })
}
