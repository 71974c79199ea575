//! API changes between two registries: what each operation needs, and which clients a
//! change leaves without access (or gives access).
//!
//! An operation's requirement is a set of alternatives, each a set of scopes all needed
//! (OpenAPI's `security`). A requirement is **tightened** when some set of scopes that
//! satisfied it before does not now (a scope added to an alternative, an alternative
//! removed): breaking, and the clients of side B that held what it needed before and lack
//! it now are listed. It is **loosened** when some set of scopes satisfies it now that did
//! not before: access added, with the clients that can call it now. A requirement both
//! tightened and loosened (one scope swapped for another) is breaking.
//!
//! Operations of an API whose OpenAPI files could not be read on either side are not
//! compared; the caller says so ([`super::render::DiffReport::apis_not_compared`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{Change, Class, Kind, Model, Snapshot, Subject};
use crate::registry::Registry;

/// One API as the diff sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiModel {
    pub audience: String,
    pub owner: Option<String>,
    pub description: Option<String>,
    /// False when its OpenAPI files could not be read: its operations are not known.
    pub resolved: bool,
    /// `METHOD /path` → what it needs.
    pub operations: BTreeMap<String, Need>,
    /// The files the API is defined in (its TOML file, its OpenAPI files and the files
    /// they reference), relative to the registry folder: the commits that changed these
    /// are credited with its changes.
    pub files: BTreeSet<String>,
}

/// What one operation needs: alternatives, each a set of scopes all needed, with the
/// alternatives that are supersets of another dropped (they add nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub requirements: BTreeSet<BTreeSet<String>>,
    pub step_up: bool,
}

impl Need {
    fn of(requirements: &[Vec<String>], step_up: bool) -> Need {
        let mut all: BTreeSet<BTreeSet<String>> = requirements
            .iter()
            .map(|alt| alt.iter().cloned().collect())
            .collect();
        if all.is_empty() {
            // No requirement at all: like an empty alternative, nothing is needed.
            all.insert(BTreeSet::new());
        }
        let requirements = all
            .iter()
            .filter(|alt| !all.iter().any(|o| o != *alt && o.is_subset(alt)))
            .cloned()
            .collect();
        Need {
            requirements,
            step_up,
        }
    }

    /// Does a client holding `scopes` satisfy it?
    fn met_by(&self, scopes: &BTreeSet<&str>) -> bool {
        self.requirements
            .iter()
            .any(|alt| alt.iter().all(|s| scopes.contains(s.as_str())))
    }

    /// Some set of scopes satisfies `self` but not `other`: the alternatives of `self`
    /// that are not supersets of one of `other`'s.
    fn admits_more_than(&self, other: &Need) -> bool {
        self.requirements
            .iter()
            .any(|alt| !other.requirements.iter().any(|o| o.is_subset(alt)))
    }

    /// `payments:write and payments:admin, or payments:root`; `no scope` (no OAuth
    /// requirement: no `security`, `security: []`, or only other schemes such as API keys).
    pub fn summary(&self) -> String {
        let alts: Vec<String> = self
            .requirements
            .iter()
            .map(|alt| {
                if alt.is_empty() {
                    "no scope".to_string()
                } else {
                    alt.iter().cloned().collect::<Vec<_>>().join(" and ")
                }
            })
            .collect();
        alts.join(", or ")
    }

    fn list(&self) -> Vec<Vec<String>> {
        self.requirements
            .iter()
            .map(|a| a.iter().cloned().collect())
            .collect()
    }
}

/// An API as added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiSnapshot {
    pub api: String,
    pub audience: String,
    pub owner: Option<String>,
    /// `None` when its OpenAPI files could not be read.
    pub operations: Option<usize>,
}

/// An operation as added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationSnapshot {
    pub api: String,
    pub operation: String,
    /// Alternatives, each a list of scopes all needed.
    pub requirements: Vec<Vec<String>>,
    pub step_up: bool,
}

impl ApiSnapshot {
    pub fn summary(&self) -> String {
        let ops = match self.operations {
            Some(n) => format!("{n} operation(s)"),
            None => "operations not read".into(),
        };
        match &self.owner {
            Some(o) => format!("audience {}, {ops}, owner {o}", self.audience),
            None => format!("audience {}, {ops}, no owner", self.audience),
        }
    }
}

impl OperationSnapshot {
    pub fn summary(&self) -> String {
        let need = Need::of(&self.requirements, self.step_up).summary();
        if self.step_up {
            format!("needs {need}; step-up")
        } else {
            format!("needs {need}")
        }
    }
}

/// The APIs of a loaded registry.
pub fn models(r: &Registry) -> BTreeMap<String, ApiModel> {
    r.apis
        .iter()
        .map(|(name, api)| {
            let mut operations = BTreeMap::new();
            let mut files: BTreeSet<String> = BTreeSet::new();
            files.insert(r.files.name(api.file).to_string());
            for p in &api.def.openapi {
                if let Some(p) = crate::registry::openapi::join("", p) {
                    files.insert(p);
                }
            }
            for op in &api.operations {
                files.insert(r.files.name(op.file).to_string());
                // The first definition of an operation wins, as for lookups.
                operations
                    .entry(op.key())
                    .or_insert_with(|| Need::of(&op.requirements, op.step_up));
            }
            let model = ApiModel {
                audience: api.def.audience.get().clone(),
                owner: api.def.owner.as_ref().map(|o| o.get().clone()),
                description: api.def.description.as_ref().map(|d| d.get().clone()),
                resolved: api.resolved,
                operations,
                files,
            };
            (name.clone(), model)
        })
        .collect()
}

/// The scopes each client of `b` holds: its grants, without those expired on `today`
/// (an expired grant gives no access, so a change cannot take it away or add to it).
fn held(b: &Model, today: Option<NaiveDate>) -> BTreeMap<&str, BTreeSet<&str>> {
    b.clients
        .iter()
        .map(|(id, c)| {
            let scopes = c
                .grants
                .iter()
                .filter(
                    |(_, g)| !matches!((&g.expires, today), (Some(e), Some(t)) if e.get().0 < t),
                )
                .map(|((s, _), _)| s.as_str())
                .collect();
            (id.as_str(), scopes)
        })
        .collect()
}

fn snapshot(name: &str, m: &ApiModel) -> ApiSnapshot {
    ApiSnapshot {
        api: name.to_string(),
        audience: m.audience.clone(),
        owner: m.owner.clone(),
        operations: m.resolved.then_some(m.operations.len()),
    }
}

fn op_snapshot(api: &str, op: &str, n: &Need) -> OperationSnapshot {
    OperationSnapshot {
        api: api.to_string(),
        operation: op.to_string(),
        requirements: n.list(),
        step_up: n.step_up,
    }
}

/// The API changes from `a` to `b`. `affected_clients` counts the grants of `b` still
/// in force on `today` (all of them when `None`).
pub fn diff(a: &Model, b: &Model, today: Option<NaiveDate>, out: &mut Vec<Change>) {
    let holders = held(b, today);
    let names: BTreeSet<&String> = a.apis.keys().chain(b.apis.keys()).collect();
    for name in names {
        let api = || Subject::Api { api: name.clone() };
        match (a.apis.get(name), b.apis.get(name)) {
            (None, Some(n)) => out.push(
                Change::new(Kind::ApiAdded, Class::Metadata, api())
                    .added(Snapshot::Api(snapshot(name, n))),
            ),
            (Some(o), None) => out.push(
                Change::new(Kind::ApiRemoved, Class::Metadata, api())
                    .removed(Snapshot::Api(snapshot(name, o))),
            ),
            (Some(o), Some(n)) => {
                if o.audience != n.audience {
                    // Tokens issued for the old audience are refused: every client
                    // holding a scope the API needs has to ask for the new one.
                    let needed: BTreeSet<&str> = o
                        .operations
                        .values()
                        .chain(n.operations.values())
                        .flat_map(|need| need.requirements.iter().flatten())
                        .map(String::as_str)
                        .collect();
                    let clients = holders
                        .iter()
                        .filter(|(_, s)| !s.is_disjoint(&needed))
                        .map(|(c, _)| c.to_string())
                        .collect();
                    let mut c = Change::new(Kind::ApiChanged, Class::Breaking, api()).field(
                        "audience",
                        Some(o.audience.clone()),
                        Some(n.audience.clone()),
                    );
                    c.affected_clients = (o.resolved && n.resolved).then_some(clients);
                    out.push(c);
                }
                for (field, x, y) in [
                    ("owner", &o.owner, &n.owner),
                    ("description", &o.description, &n.description),
                ] {
                    if x != y {
                        out.push(Change::new(Kind::ApiChanged, Class::Metadata, api()).field(
                            field,
                            x.clone(),
                            y.clone(),
                        ));
                    }
                }
                if o.resolved && n.resolved {
                    operations(name, o, n, &holders, out);
                }
            }
            (None, None) => {}
        }
    }
}

fn operations(
    name: &str,
    a: &ApiModel,
    b: &ApiModel,
    holders: &BTreeMap<&str, BTreeSet<&str>>,
    out: &mut Vec<Change>,
) {
    let subject = |op: &str| Subject::Operation {
        api: name.to_string(),
        operation: op.to_string(),
    };
    let keys: BTreeSet<&String> = a.operations.keys().chain(b.operations.keys()).collect();
    for op in keys {
        match (a.operations.get(op), b.operations.get(op)) {
            (None, Some(n)) => out.push(
                Change::new(Kind::OperationAdded, Class::Metadata, subject(op))
                    .added(Snapshot::Operation(op_snapshot(name, op, n))),
            ),
            (Some(o), None) => out.push(
                Change::new(Kind::OperationRemoved, Class::Metadata, subject(op))
                    .removed(Snapshot::Operation(op_snapshot(name, op, o))),
            ),
            (Some(o), Some(n)) => {
                let clients = |keep: &dyn Fn(&BTreeSet<&str>) -> bool| -> Vec<String> {
                    holders
                        .iter()
                        .filter(|(_, s)| keep(s))
                        .map(|(c, _)| c.to_string())
                        .collect()
                };
                if o.requirements != n.requirements {
                    let tightened = o.admits_more_than(n);
                    let (class, affected) = if tightened {
                        let lost = clients(&|s| o.met_by(s) && !n.met_by(s));
                        (Class::Breaking, lost)
                    } else if n.admits_more_than(o) {
                        let gained = clients(&|s| n.met_by(s) && !o.met_by(s));
                        (Class::AccessAdded, gained)
                    } else {
                        (Class::Metadata, Vec::new())
                    };
                    let mut c = Change::new(Kind::OperationChanged, class, subject(op)).field(
                        "scopes",
                        Some(o.summary()),
                        Some(n.summary()),
                    );
                    c.affected_clients = (class != Class::Metadata).then_some(affected);
                    out.push(c);
                }
                if o.step_up != n.step_up {
                    // Asking for fresh authentication refuses tokens without it; no
                    // longer asking accepts them.
                    let (class, affected) = if n.step_up {
                        (Class::Breaking, clients(&|s| n.met_by(s)))
                    } else {
                        (Class::AccessAdded, clients(&|s| n.met_by(s)))
                    };
                    let mut c = Change::new(Kind::OperationChanged, class, subject(op)).field(
                        "step_up",
                        Some(o.step_up.to_string()),
                        Some(n.step_up.to_string()),
                    );
                    c.affected_clients = Some(affected);
                    out.push(c);
                }
            }
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(alts: &[&[&str]]) -> Need {
        let r: Vec<Vec<String>> = alts
            .iter()
            .map(|a| a.iter().map(|s| s.to_string()).collect())
            .collect();
        Need::of(&r, false)
    }

    #[test]
    fn a_scope_added_to_the_requirement_tightens_it() {
        let (o, n) = (need(&[&["a"]]), need(&[&["a", "b"]]));
        assert!(o.admits_more_than(&n));
        assert!(!n.admits_more_than(&o));
    }

    #[test]
    fn a_new_alternative_loosens_it() {
        let (o, n) = (need(&[&["a"]]), need(&[&["a"], &["c"]]));
        assert!(!o.admits_more_than(&n));
        assert!(n.admits_more_than(&o));
    }

    #[test]
    fn a_swapped_scope_is_both_and_supersets_are_dropped() {
        let (o, n) = (need(&[&["a"]]), need(&[&["b"]]));
        assert!(o.admits_more_than(&n) && n.admits_more_than(&o));
        assert_eq!(need(&[&["a"], &["a", "b"]]), need(&[&["a"]]));
        assert_eq!(need(&[&["a"], &["a", "b"]]).summary(), "a");
        assert_eq!(need(&[&[]]).summary(), "no scope");
        assert_eq!(need(&[]), need(&[&[]]));
    }
}
