//! Semantic diff of two registries: `(Model, Model) -> Vec<Change>`.
//!
//! A [`Model`] is the meaning of a registry with every position dropped: scopes by name,
//! clients by id, grants by (scope, occurrence). Two registries that say the same thing in
//! differently formatted or differently arranged files give equal models, so a moved or
//! reformatted file is no change.
//!
//! Models can also be built from a handful of files only ([`Model::from_files`]): the
//! history walk builds one from the files a commit changed to find out what that commit
//! did, and the same diff function answers both questions.
//!
//! Every change carries one class; the table in docs/diff-report.md explains each choice.

pub mod compare;
pub mod log;
pub mod provenance;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::finding::Finding;
use crate::history::CommitInfo;
use crate::registry::{
    ClientDef, ClientFile, FileKind, GrantDef, GrantType, PolicyFile, Registry, ScopeDef, ScopeFile,
};
use crate::rules::Rule;

/// One client's definition and grants.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientModel {
    pub def: ClientDef,
    /// Keyed by (scope, occurrence): the second grant of the same scope has occurrence 1.
    pub grants: BTreeMap<(String, usize), GrantDef>,
}

/// The meaning of a registry (or of some of its files).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub scopes: BTreeMap<String, ScopeDef>,
    pub clients: BTreeMap<String, ClientModel>,
    /// `scopectl.toml` flattened to `table.key` paths; `None` when there is none (or, in a
    /// partial model, when it was not among the files).
    pub policy: Option<BTreeMap<String, String>>,
}

fn grant_map(grants: impl IntoIterator<Item = GrantDef>) -> BTreeMap<(String, usize), GrantDef> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for g in grants {
        let n = seen.entry(g.scope.get().clone()).or_insert(0);
        out.insert((g.scope.get().clone(), *n), g);
        *n += 1;
    }
    out
}

impl Model {
    /// The model of a fully loaded registry.
    pub fn from_registry(r: &Registry) -> Model {
        Model {
            scopes: r
                .scopes
                .iter()
                .map(|(k, s)| (k.clone(), s.def.clone()))
                .collect(),
            clients: r
                .clients
                .iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        ClientModel {
                            def: c.def.clone(),
                            grants: grant_map(c.grants.iter().map(|g| g.def.clone())),
                        },
                    )
                })
                .collect(),
            policy: r.policy_file.as_ref().map(|(_, p)| flatten_policy(p)),
        }
    }

    /// The model of some registry files (paths relative to the registry root). Files that
    /// do not parse are skipped and counted in the second value.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> (Model, usize) {
        let mut m = Model::default();
        let mut failed = 0;
        for (path, bytes) in files {
            let Ok(text) = std::str::from_utf8(bytes) else {
                failed += 1;
                continue;
            };
            match FileKind::of(path) {
                Some(FileKind::Policy) => match toml::from_str::<PolicyFile>(text) {
                    Ok(p) => m.policy = Some(flatten_policy(&p)),
                    Err(_) => failed += 1,
                },
                Some(FileKind::Scopes) => match toml::from_str::<ScopeFile>(text) {
                    Ok(sf) => {
                        for (k, v) in sf.scopes {
                            m.scopes.insert(k.into_inner(), v.into_inner());
                        }
                    }
                    Err(_) => failed += 1,
                },
                Some(FileKind::Client) => match toml::from_str::<ClientFile>(text) {
                    Ok(cf) => {
                        let def = cf.client.into_inner();
                        m.clients.insert(
                            def.id.get().clone(),
                            ClientModel {
                                def,
                                grants: grant_map(cf.grants.into_iter().map(|g| g.into_inner())),
                            },
                        );
                    }
                    Err(_) => failed += 1,
                },
                None => {}
            }
        }
        (m, failed)
    }
}

/// `scopectl.toml` as `path -> value` leaves (`policy.max_grant_lifetime`, `targets.prod.url`).
fn flatten_policy(p: &PolicyFile) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(v) = serde_json::to_value(p) {
        flatten("", &v, &mut out);
    }
    out
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// What a change does to access, most serious first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Class {
    /// Removes a scope or a claim from the token contract, or narrows access a client has.
    Breaking,
    /// Gives a client more access: needs approval.
    AccessAdded,
    /// Takes access away without breaking anything today.
    AccessRemoved,
    /// Documentation, ownership, approval records and policy.
    Metadata,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What kind of change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    PolicyChanged,
    ScopeAdded,
    ScopeRemoved,
    ScopeRenamed,
    ScopeChanged,
    ClientAdded,
    ClientRemoved,
    ClientChanged,
    GrantAdded,
    GrantRevoked,
    GrantExtended,
    GrantShortened,
    GrantRejustified,
    GrantReapproved,
    GrantChanged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The subject appears or disappears (as opposed to one field changing).
    pub fn is_existence(self) -> bool {
        matches!(
            self,
            Kind::ScopeAdded
                | Kind::ScopeRemoved
                | Kind::ScopeRenamed
                | Kind::ClientAdded
                | Kind::ClientRemoved
                | Kind::GrantAdded
                | Kind::GrantRevoked
        )
    }
}

pub use crate::finding::Subject;

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: Kind,
    pub class: Class,
    pub subject: Subject,
    /// The field that changed (`expires`, `claims`, `policy.max_grant_lifetime`, ...);
    /// `null` when the subject was added, removed or renamed.
    pub field: Option<String>,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The commits between the two revisions that made this change, oldest first.
    pub commits: Vec<CommitInfo>,
}

impl Change {
    fn new(kind: Kind, class: Class, subject: Subject) -> Change {
        Change {
            kind,
            class,
            subject,
            field: None,
            old: None,
            new: None,
            commits: Vec::new(),
        }
    }

    fn field(mut self, field: &str, old: Option<String>, new: Option<String>) -> Change {
        self.field = Some(field.to_string());
        self.old = old;
        self.new = new;
        self
    }

    pub fn is_breaking(&self) -> bool {
        self.class == Class::Breaking
    }
}

/// Compare two models. Changes come out sorted by subject, then kind, then field.
pub fn diff(a: &Model, b: &Model) -> Vec<Change> {
    let mut out = Vec::new();
    diff_policy(a, b, &mut out);
    diff_scopes(a, b, &mut out);
    diff_clients(a, b, &mut out);
    out.sort_by(|x, y| (&x.subject, x.kind, &x.field).cmp(&(&y.subject, y.kind, &y.field)));
    out
}

fn diff_policy(a: &Model, b: &Model, out: &mut Vec<Change>) {
    let empty = BTreeMap::new();
    let pa = a.policy.as_ref().unwrap_or(&empty);
    let pb = b.policy.as_ref().unwrap_or(&empty);
    let keys: BTreeSet<&String> = pa.keys().chain(pb.keys()).collect();
    for k in keys {
        let (o, n) = (pa.get(k), pb.get(k));
        if o != n {
            out.push(
                Change::new(Kind::PolicyChanged, Class::Metadata, Subject::Policy).field(
                    k,
                    o.cloned(),
                    n.cloned(),
                ),
            );
        }
    }
}

fn opt<T: ToString>(v: &Option<crate::registry::Sp<T>>) -> Option<String> {
    v.as_ref().map(|x| x.get().to_string())
}

fn diff_scopes(a: &Model, b: &Model, out: &mut Vec<Change>) {
    let mut removed: Vec<&String> = Vec::new();
    let mut added: Vec<&String> = Vec::new();
    for (name, old) in &a.scopes {
        match b.scopes.get(name) {
            None => removed.push(name),
            Some(new) if new != old => scope_fields(name, old, new, out),
            Some(_) => {}
        }
    }
    for name in b.scopes.keys() {
        if !a.scopes.contains_key(name) {
            added.push(name);
        }
    }
    // A removed and an added scope with the same definition: a rename.
    let mut renamed_to: BTreeSet<&String> = BTreeSet::new();
    for r in removed {
        let def = &a.scopes[r];
        let target = added
            .iter()
            .find(|n| !renamed_to.contains(*n) && &b.scopes[**n] == def);
        match target {
            Some(n) => {
                renamed_to.insert(n);
                let mut c = Change::new(
                    Kind::ScopeRenamed,
                    Class::Breaking,
                    Subject::Scope {
                        scope: (*n).clone(),
                    },
                );
                c.old = Some(r.clone());
                c.new = Some((*n).clone());
                out.push(c);
            }
            None => {
                let mut c = Change::new(
                    Kind::ScopeRemoved,
                    Class::Breaking,
                    Subject::Scope { scope: r.clone() },
                );
                c.old = Some(def.description.get().clone());
                out.push(c);
            }
        }
    }
    for n in added {
        if renamed_to.contains(n) {
            continue;
        }
        let mut c = Change::new(
            Kind::ScopeAdded,
            Class::Metadata,
            Subject::Scope { scope: n.clone() },
        );
        let def = &b.scopes[n];
        c.new = Some(format!(
            "{} ({}, owner {})",
            def.description.get(),
            def.sensitivity.get(),
            def.owner.get()
        ));
        out.push(c);
    }
}

fn scope_fields(name: &str, a: &ScopeDef, b: &ScopeDef, out: &mut Vec<Change>) {
    let subject = || Subject::Scope {
        scope: name.to_string(),
    };
    let mut push = |field: &str, class: Class, o: Option<String>, n: Option<String>| {
        if o != n {
            out.push(Change::new(Kind::ScopeChanged, class, subject()).field(field, o, n));
        }
    };
    push(
        "description",
        Class::Metadata,
        Some(a.description.get().clone()),
        Some(b.description.get().clone()),
    );
    push(
        "owner",
        Class::Metadata,
        Some(a.owner.get().clone()),
        Some(b.owner.get().clone()),
    );
    push(
        "sensitivity",
        Class::Metadata,
        Some(a.sensitivity.get().to_string()),
        Some(b.sensitivity.get().to_string()),
    );
    let ca: BTreeSet<&str> = a.claims.iter().map(|c| c.as_str()).collect();
    let cb: BTreeSet<&str> = b.claims.iter().map(|c| c.as_str()).collect();
    if ca != cb {
        let class = if ca.difference(&cb).next().is_some() {
            Class::Breaking
        } else {
            Class::AccessAdded
        };
        let join = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
        push("claims", class, Some(join(&ca)), Some(join(&cb)));
    }
    let flag = |v: bool, on_class: Class, off_class: Class| if v { on_class } else { off_class };
    if a.id_token() != b.id_token() {
        // Claims leave the ID token: breaking; they enter it: more data released.
        push(
            "id_token",
            flag(b.id_token(), Class::AccessAdded, Class::Breaking),
            Some(a.id_token().to_string()),
            Some(b.id_token().to_string()),
        );
    }
    if a.step_up() != b.step_up() {
        // Requiring fresh authentication narrows when a client can use the scope.
        push(
            "step_up",
            flag(b.step_up(), Class::Breaking, Class::AccessAdded),
            Some(a.step_up().to_string()),
            Some(b.step_up().to_string()),
        );
    }
    push(
        "max_grant",
        Class::Metadata,
        opt(&a.max_grant),
        opt(&b.max_grant),
    );
    if a.deprecated() != b.deprecated() {
        push(
            "deprecated",
            Class::Metadata,
            Some(a.deprecated().to_string()),
            Some(b.deprecated().to_string()),
        );
    }
    push(
        "replaced_by",
        Class::Metadata,
        opt(&a.replaced_by),
        opt(&b.replaced_by),
    );
    push(
        "consent_text",
        Class::Metadata,
        opt(&a.consent_text),
        opt(&b.consent_text),
    );
}

fn grant_subject(client: &str, key: &(String, usize)) -> Subject {
    Subject::Grant {
        client: client.to_string(),
        scope: key.0.clone(),
        occurrence: key.1,
    }
}

fn grant_summary(g: &GrantDef) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &g.expires {
        parts.push(format!("expires {}", e.get()));
    } else {
        parts.push("no expiry".to_string());
    }
    if let Some(a) = &g.approved_by {
        parts.push(format!("approved by {}", a.get()));
    }
    parts.push(g.kind().as_str().to_string());
    parts.join(", ")
}

fn diff_clients(a: &Model, b: &Model, out: &mut Vec<Change>) {
    for (id, old) in &a.clients {
        match b.clients.get(id) {
            None => {
                let class = if old.grants.is_empty() {
                    Class::AccessRemoved
                } else {
                    Class::Breaking
                };
                let mut c = Change::new(
                    Kind::ClientRemoved,
                    class,
                    Subject::Client { client: id.clone() },
                );
                c.old = Some(format!("{} grant(s)", old.grants.len()));
                out.push(c);
                for (k, g) in &old.grants {
                    let mut c =
                        Change::new(Kind::GrantRevoked, Class::Breaking, grant_subject(id, k));
                    c.old = Some(grant_summary(g));
                    out.push(c);
                }
            }
            Some(new) if new != old => client_fields(id, old, new, out),
            Some(_) => {}
        }
    }
    for (id, new) in &b.clients {
        if a.clients.contains_key(id) {
            continue;
        }
        let mut c = Change::new(
            Kind::ClientAdded,
            Class::Metadata,
            Subject::Client { client: id.clone() },
        );
        c.new = Some(format!("{} grant(s)", new.grants.len()));
        out.push(c);
        for (k, g) in &new.grants {
            let mut c = Change::new(Kind::GrantAdded, Class::AccessAdded, grant_subject(id, k));
            c.new = Some(grant_summary(g));
            out.push(c);
        }
    }
}

fn client_fields(id: &str, a: &ClientModel, b: &ClientModel, out: &mut Vec<Change>) {
    let subject = || Subject::Client {
        client: id.to_string(),
    };
    for (field, o, n) in [
        ("owner", opt(&a.def.owner), opt(&b.def.owner)),
        (
            "description",
            opt(&a.def.description),
            opt(&b.def.description),
        ),
    ] {
        if o != n {
            out.push(
                Change::new(Kind::ClientChanged, Class::Metadata, subject()).field(field, o, n),
            );
        }
    }
    for (k, old) in &a.grants {
        match b.grants.get(k) {
            None => {
                let mut c = Change::new(Kind::GrantRevoked, Class::Breaking, grant_subject(id, k));
                c.old = Some(grant_summary(old));
                out.push(c);
            }
            Some(new) if new != old => grant_fields(id, k, old, new, out),
            Some(_) => {}
        }
    }
    for (k, new) in &b.grants {
        if !a.grants.contains_key(k) {
            let mut c = Change::new(Kind::GrantAdded, Class::AccessAdded, grant_subject(id, k));
            c.new = Some(grant_summary(new));
            out.push(c);
        }
    }
}

fn grant_fields(id: &str, k: &(String, usize), a: &GrantDef, b: &GrantDef, out: &mut Vec<Change>) {
    let subject = || grant_subject(id, k);
    let (ea, eb) = (
        a.expires.as_ref().map(|d| d.0),
        b.expires.as_ref().map(|d| d.0),
    );
    if ea != eb {
        // No expiry counts as "later than any date".
        let later = match (ea, eb) {
            (Some(x), Some(y)) => y > x,
            (Some(_), None) => true,
            _ => false,
        };
        let (kind, class) = if later {
            (Kind::GrantExtended, Class::AccessAdded)
        } else {
            (Kind::GrantShortened, Class::AccessRemoved)
        };
        out.push(Change::new(kind, class, subject()).field(
            "expires",
            opt(&a.expires),
            opt(&b.expires),
        ));
    }
    let mut push = |kind: Kind, class: Class, field: &str, o: Option<String>, n: Option<String>| {
        if o != n {
            out.push(Change::new(kind, class, subject()).field(field, o, n));
        }
    };
    push(
        Kind::GrantRejustified,
        Class::Metadata,
        "justification",
        opt(&a.justification),
        opt(&b.justification),
    );
    push(
        Kind::GrantReapproved,
        Class::Metadata,
        "approved_by",
        opt(&a.approved_by),
        opt(&b.approved_by),
    );
    push(
        Kind::GrantReapproved,
        Class::Metadata,
        "approved_on",
        opt(&a.approved_on),
        opt(&b.approved_on),
    );
    if a.kind() != b.kind() {
        // default -> optional: the scope leaves the client's tokens unless requested.
        let class = if b.kind() == GrantType::Optional {
            Class::Breaking
        } else {
            Class::Metadata
        };
        push(
            Kind::GrantChanged,
            class,
            "type",
            Some(a.kind().to_string()),
            Some(b.kind().to_string()),
        );
    }
    push(
        Kind::GrantChanged,
        Class::Metadata,
        "ticket",
        opt(&a.ticket),
        opt(&b.ticket),
    );
}

/// Code of the finding for a `scopectl.toml` change that loosens a control.
pub const POLICY_WEAKENED: Rule = Rule::DiffPolicyWeakened;

fn level_rank(level: &str) -> Option<u8> {
    match level {
        "allow" => Some(0),
        "warn" => Some(1),
        "deny" => Some(2),
        _ => None,
    }
}

/// Does changing the `scopectl.toml` leaf `key` from `old` to `new` (`None`: not written,
/// so the default applies) loosen a control? Returns what got weaker. Settings that are
/// not controls (`header_budget`, `scope_pattern`, target URLs...) are never "weaker".
pub fn policy_weakening(key: &str, old: Option<&str>, new: Option<&str>) -> Option<String> {
    if let Some(rule) = key.strip_prefix("rules.") {
        let default = Rule::from_id(rule).map(|r| r.level().as_str());
        let (o, n) = (old.or(default)?, new.or(default)?);
        return (level_rank(n)? < level_rank(o)?)
            .then(|| format!("rule {rule} lowered from {o} to {n}"));
    }
    if key.starts_with("targets.") && key.ends_with(".insecure_tls") {
        let on = |v: Option<&str>| v == Some("true");
        return (!on(old) && on(new))
            .then(|| format!("{key} turned on: TLS certificates are no longer verified"));
    }
    let setting = key.strip_prefix("policy.")?;
    let d = crate::registry::policy::Policy::default();
    let seconds = |v: Option<&str>, default: u64| match v {
        None => Some(default),
        Some(t) => crate::registry::Lifetime::parse(t).ok().map(|l| l.seconds),
    };
    let shown = |v: Option<&str>| v.map(str::to_string).unwrap_or_else(|| "(default)".into());
    let (longer_is_weaker, default) = match setting {
        "max_grant_lifetime" => (true, d.max_grant_lifetime.seconds),
        "access_token_lifetime" => (true, d.access_token_lifetime.seconds),
        "clock_skew" => (true, d.clock_skew.seconds),
        "step_up_max_age" => (true, d.step_up_max_age.seconds),
        // A shorter window warns later before a grant ends.
        "expiry_warning" => (false, d.expiry_warning.seconds),
        "require_approver" | "approver_must_differ_from_owner" => {
            let on = |v: Option<&str>| v.is_none_or(|v| v == "true");
            return (on(old) && !on(new)).then(|| format!("{key} turned off"));
        }
        "forbidden_scopes" | "pii_claims" | "step_up_sensitivities" => {
            let defaults: Vec<String> = match setting {
                "forbidden_scopes" => d.forbidden_scopes,
                "pii_claims" => d.pii_claims,
                _ => d
                    .step_up_sensitivities
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            };
            let list = |v: Option<&str>| -> Option<BTreeSet<String>> {
                match v {
                    None => Some(defaults.iter().cloned().collect()),
                    Some(t) => serde_json::from_str::<Vec<String>>(t)
                        .ok()
                        .map(|l| l.into_iter().collect()),
                }
            };
            let (o, n) = (list(old)?, list(new)?);
            let gone: Vec<&str> = o.difference(&n).map(String::as_str).collect();
            return (!gone.is_empty()).then(|| format!("{} no longer in {key}", gone.join(", ")));
        }
        _ => return None,
    };
    let (o, n) = (seconds(old, default)?, seconds(new, default)?);
    let weaker = if longer_is_weaker { n > o } else { n < o };
    weaker.then(|| {
        format!(
            "{key} {} from {} to {}",
            if longer_is_weaker {
                "raised"
            } else {
                "shortened"
            },
            shown(old),
            shown(new)
        )
    })
}

/// `diff/policy-weakened`: one finding per `policy-changed` change that loosens a control
/// ([`policy_weakening`]).
pub fn policy_weakenings(changes: &[Change]) -> Vec<Finding> {
    changes
        .iter()
        .filter(|c| c.kind == Kind::PolicyChanged)
        .filter_map(|c| {
            let key = c.field.as_deref()?;
            let what = policy_weakening(key, c.old.as_deref(), c.new.as_deref())?;
            let f = Finding::of(POLICY_WEAKENED, format!("policy weakened: {what}"))
                .about(Subject::Policy);
            Some(match c.commits.last() {
                Some(k) => f.in_commit(k.id.clone()),
                None => f,
            })
        })
        .collect()
}

/// Four-eyes: a grant added, extended or re-approved by a commit whose author is the
/// grant's approver. Changes that only narrow access (revoked, shortened) need no second
/// pair of eyes and are not flagged.
pub fn self_approvals(changes: &[Change], b: &Model) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for c in changes {
        let grants_access = c.class == Class::AccessAdded || c.kind == Kind::GrantReapproved;
        if !grants_access {
            continue;
        }
        let Subject::Grant {
            client,
            scope,
            occurrence,
        } = &c.subject
        else {
            continue;
        };
        let Some(g) = b
            .clients
            .get(client)
            .and_then(|cl| cl.grants.get(&(scope.clone(), *occurrence)))
        else {
            continue;
        };
        let Some(approver) = &g.approved_by else {
            continue;
        };
        let approver = approver.get().trim();
        for commit in &c.commits {
            let same = approver.eq_ignore_ascii_case(commit.email.trim())
                || approver.eq_ignore_ascii_case(commit.author.trim());
            if same
                && !out.iter().any(|f| {
                    f.subject.as_ref() == Some(&c.subject)
                        && f.commit.as_deref() == Some(commit.id.as_str())
                })
            {
                out.push(
                    Finding::of(
                        Rule::DiffSelfApprovedCommit,
                        format!(
                        "grant {} is approved by {approver}, who also authored commit {} that {} it",
                        c.subject.label(),
                        commit.short,
                        if c.kind == Kind::GrantAdded { "added" } else { "changed" }
                        ),
                    )
                    .about(c.subject.clone())
                    .in_commit(commit.id.clone()),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(files: &[(&str, &str)]) -> Model {
        let (m, failed) = Model::from_files(files.iter().map(|(p, t)| (*p, t.as_bytes())));
        assert_eq!(failed, 0);
        m
    }

    const SCOPES: &str = r#"
[scopes."a:read"]
description = "Read a"
owner = "team"
sensitivity = "low"
claims = ["x", "y"]
"#;

    #[test]
    fn reformatting_is_no_change() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let b = model(&[(
            "scopes/other.toml",
            "[scopes.\"a:read\"]\nowner=\"team\"\nsensitivity=\"low\"\ndescription=\"Read a\"\nclaims=[\"x\",\"y\"]\n",
        )]);
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn removing_a_claim_is_breaking_and_adding_one_is_access_added() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let b = model(&[("scopes/a.toml", &SCOPES.replace("\"x\", \"y\"", "\"x\""))]);
        let c = diff(&a, &b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].class, Class::Breaking);
        assert_eq!(c[0].field.as_deref(), Some("claims"));
        let c = diff(&b, &a);
        assert_eq!(c[0].class, Class::AccessAdded);
    }

    #[test]
    fn same_definition_under_a_new_name_is_a_rename() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let b = model(&[("scopes/a.toml", &SCOPES.replace("a:read", "a:view"))]);
        let c = diff(&a, &b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, Kind::ScopeRenamed);
        assert_eq!(c[0].old.as_deref(), Some("a:read"));
    }

    #[test]
    fn step_up_on_is_breaking_and_off_is_access_added() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let b = model(&[("scopes/a.toml", &format!("{SCOPES}step_up = true\n"))]);
        let c = diff(&a, &b);
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("step_up"), Class::Breaking)
        );
        assert_eq!(diff(&b, &a)[0].class, Class::AccessAdded);
    }

    const CLIENT: &str =
        "[client]\nid = \"c\"\n\n[[grants]]\nscope = \"a:read\"\nexpires = 2027-01-01\n";

    #[test]
    fn dropping_an_expiry_extends_and_adding_one_shortens() {
        let a = model(&[("clients/c.toml", CLIENT)]);
        let b = model(&[(
            "clients/c.toml",
            &CLIENT.replace("expires = 2027-01-01\n", ""),
        )]);
        assert_eq!(diff(&a, &b)[0].kind, Kind::GrantExtended);
        assert_eq!(diff(&b, &a)[0].kind, Kind::GrantShortened);
    }

    #[test]
    fn policy_weakening_knows_which_direction_is_weaker() {
        let w = |k: &str, o: Option<&str>, n: Option<&str>| policy_weakening(k, o, n).is_some();
        assert!(w("policy.require_approver", Some("true"), Some("false")));
        assert!(w("policy.require_approver", None, Some("false")));
        assert!(!w("policy.require_approver", Some("false"), Some("true")));
        assert!(w("policy.max_grant_lifetime", Some("90d"), Some("365d")));
        assert!(w("policy.max_grant_lifetime", Some("90d"), None));
        assert!(!w("policy.max_grant_lifetime", Some("365d"), Some("90d")));
        assert!(w("policy.expiry_warning", Some("30d"), Some("7d")));
        assert!(!w("policy.expiry_warning", Some("7d"), Some("30d")));
        assert!(w("rules.grant/expired", None, Some("allow")));
        assert!(w("rules.grant/expiring", Some("deny"), Some("warn")));
        assert!(!w("rules.grant/expiring", Some("warn"), Some("deny")));
        assert!(w(
            "policy.forbidden_scopes",
            Some(r#"["*","admin"]"#),
            Some(r#"["*"]"#)
        ));
        assert!(!w(
            "policy.forbidden_scopes",
            Some(r#"["*"]"#),
            Some(r#"["*","admin"]"#)
        ));
        assert!(w("targets.prod.insecure_tls", None, Some("true")));
        assert!(!w("policy.header_budget", Some("8192"), Some("16384")));
        assert!(!w("targets.prod.url", Some("https://a"), Some("http://b")));
    }

    #[test]
    fn a_second_grant_of_the_same_scope_is_its_own_subject() {
        let a = model(&[("clients/c.toml", CLIENT)]);
        let twice = format!("{CLIENT}\n[[grants]]\nscope = \"a:read\"\n");
        let b = model(&[("clients/c.toml", &twice)]);
        let c = diff(&a, &b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, Kind::GrantAdded);
        assert_eq!(
            c[0].subject,
            Subject::Grant {
                client: "c".into(),
                scope: "a:read".into(),
                occurrence: 1
            }
        );
    }
}
