//! `scopectl scope add | deprecate` and `scopectl client add` ([`scopectl::edit::catalog`]),
//! checked and written like every edit.

use super::edit::apply;
use super::out::Out;
use crate::cli::{ClientCommand, ScopeCommand, ScopeDeprecateArgs};
use scopectl::edit::catalog;
use scopectl::finding::Outcome;

pub fn scope(c: ScopeCommand, out: &Out) -> anyhow::Result<Outcome> {
    match c {
        ScopeCommand::Add(a) => {
            let s = catalog::NewScope {
                name: a.name,
                description: a.description,
                owner: a.owner,
                sensitivity: a.sensitivity,
                step_up: a.step_up,
                max_grant: a.max_grant,
                claims: a.claims,
                file: a.file,
            };
            apply(&a.edit, out, |reg, _| {
                catalog::scope_add(reg, &a.edit.registry, &s)
            })
        }
        ScopeCommand::Deprecate(ScopeDeprecateArgs {
            name,
            replaced_by,
            why,
            edit,
        }) => apply(&edit, out, |reg, _| {
            let (new, why) = (replaced_by.as_deref(), why.as_deref());
            catalog::scope_deprecate(reg, &edit.registry, &name, new, why)
        }),
    }
}

pub fn client(c: ClientCommand, out: &Out) -> anyhow::Result<Outcome> {
    let ClientCommand::Add(a) = c;
    let c = catalog::NewClient {
        id: a.id,
        owner: a.owner,
        description: a.description,
        file: a.file,
    };
    apply(&a.edit, out, |reg, _| {
        catalog::client_add(reg, &a.edit.registry, &c)
    })
}
