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

pub mod apis;
pub mod compare;
pub mod environments;
pub mod gate;
pub mod log;
pub mod provenance;
pub mod render;
pub mod reviews;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::finding::Finding;
use crate::history::CommitInfo;
use crate::registry::{
    ClientDef, ClientFile, FileKind, GrantDef, GrantType, PolicyFile, Registry, ReviewFile,
    ScopeDef, ScopeFile, TeamsFile,
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
    /// APIs by name (empty in a partial model: one commit's files do not say what an
    /// OpenAPI file outside them holds).
    pub apis: BTreeMap<String, apis::ApiModel>,
    /// The teams of `teams/*.toml`, flattened like `scopectl.toml`'s own `[teams.NAME]`
    /// (`teams.NAME.members`): a team is the same change wherever it is declared, and one
    /// moved between the two is no change. `None` when there is no teams file (or, in a
    /// partial model, none among the files).
    pub teams: Option<BTreeMap<String, String>>,
    /// Access-review campaigns by name (`reviews/NAME.toml`).
    pub reviews: BTreeMap<String, reviews::ReviewModel>,
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
            apis: apis::models(r),
            teams: teams_files(r),
            reviews: reviews::models(r),
        }
    }

    /// The model of some registry files (paths relative to the registry root). Files that
    /// do not parse are skipped and counted in the second value.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> (Model, usize) {
        let mut m = Model::default();
        let mut failed = 0;
        for (path, bytes) in files {
            match Model::of_file(path, bytes) {
                Ok(one) => m.absorb(one),
                Err(_) => failed += 1,
            }
        }
        (m, failed)
    }

    /// The model of one registry file; a file that is not a registry file gives an empty
    /// model. The error says where the file first fails to parse.
    pub fn of_file(path: &str, bytes: &[u8]) -> Result<Model, FileError> {
        let mut m = Model::default();
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_col(bytes, e.valid_up_to());
            FileError {
                line,
                column,
                message: "the file is not valid UTF-8".into(),
            }
        })?;
        // As the loader reads it: a CRLF checkout has the values of an LF one.
        let text = crate::registry::normalize_line_breaks(text);
        let text = text.as_ref();
        let fail = |e: toml::de::Error| {
            let (line, column) = line_col(text.as_bytes(), e.span().map(|r| r.start).unwrap_or(0));
            FileError {
                line,
                column,
                message: e.message().trim().to_string(),
            }
        };
        match FileKind::of(path) {
            Some(FileKind::Policy) => {
                let p = toml::from_str::<PolicyFile>(text).map_err(fail)?;
                m.policy = Some(flatten_policy(&p));
            }
            Some(FileKind::Scopes) => {
                let sf = toml::from_str::<ScopeFile>(text).map_err(fail)?;
                for (k, v) in sf.scopes {
                    m.scopes.insert(k.into_inner(), v.into_inner());
                }
            }
            Some(FileKind::Client) => {
                let cf = toml::from_str::<ClientFile>(text).map_err(fail)?;
                let def = cf.client.into_inner();
                m.clients.insert(
                    def.id.get().clone(),
                    ClientModel {
                        def,
                        grants: grant_map(cf.grants.into_iter().map(|g| g.into_inner())),
                    },
                );
            }
            // Teams change who may approve: their members are policy changes, as they
            // are in `scopectl.toml`.
            Some(FileKind::Teams) => {
                let tf = toml::from_str::<TeamsFile>(text).map_err(fail)?;
                let mut out = BTreeMap::new();
                if let Ok(v) = serde_json::to_value(&tf) {
                    flatten("", &v, &mut out);
                }
                m.teams = Some(out);
            }
            // A campaign's record: its decisions are evidence (see [`reviews`]).
            Some(FileKind::Review) => {
                let rf = toml::from_str::<ReviewFile>(text).map_err(fail)?;
                m.reviews.insert(
                    crate::registry::review_name(path),
                    reviews::ReviewModel::of(&rf),
                );
            }
            // APIs need their OpenAPI files, which one file does not give: whole
            // registries compare them ([`Model::from_registry`]).
            Some(FileKind::Apis) | None => {}
        }
        Ok(m)
    }

    /// Add another (partial) model's content; its entries win.
    pub fn absorb(&mut self, other: Model) {
        self.scopes.extend(other.scopes);
        self.clients.extend(other.clients);
        self.reviews.extend(other.reviews);
        if other.policy.is_some() {
            self.policy = other.policy;
        }
        if let Some(teams) = other.teams {
            self.teams.get_or_insert_with(BTreeMap::new).extend(teams);
        }
    }

    /// `scopectl.toml`'s settings and every team's, wherever declared (`teams.NAME.KEY`).
    fn settings(&self) -> BTreeMap<&str, &str> {
        self.policy
            .iter()
            .chain(self.teams.iter())
            .flatten()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// The teams of a loaded registry's `teams/*.toml` files, flattened as [`Model::of_file`]
/// does (`None` when it has none).
fn teams_files(r: &Registry) -> Option<BTreeMap<String, String>> {
    let mut out: Option<BTreeMap<String, String>> = None;
    for (_, f) in r.files.iter() {
        if FileKind::of(&f.name) != Some(FileKind::Teams) {
            continue;
        }
        // The registry loaded, so the file parses; one that did not would add nothing.
        if let Ok(Model { teams: Some(t), .. }) = Model::of_file(&f.name, f.text.as_bytes()) {
            out.get_or_insert_with(BTreeMap::new).extend(t);
        }
    }
    out
}

/// Where and why a registry file does not parse (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
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
    ApiAdded,
    ApiRemoved,
    ApiChanged,
    OperationAdded,
    OperationRemoved,
    OperationChanged,
    ReviewAdded,
    ReviewRemoved,
    ReviewRenamed,
    ReviewChanged,
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
                | Kind::ApiAdded
                | Kind::ApiRemoved
                | Kind::ReviewAdded
                | Kind::ReviewRemoved
                | Kind::ReviewRenamed
                | Kind::OperationAdded
                | Kind::OperationRemoved
        )
    }
}

pub use crate::finding::Subject;

/// What an added or removed subject held: the JSON `old` / `new` objects of version 2.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Snapshot {
    Grant(GrantSnapshot),
    Scope(ScopeSnapshot),
    Client(ClientSnapshot),
    Api(apis::ApiSnapshot),
    Operation(apis::OperationSnapshot),
    Review(reviews::ReviewSnapshot),
}

/// A grant as a reviewer approves it, with its scope's sensitivity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantSnapshot {
    pub scope: String,
    pub justification: Option<String>,
    pub ticket: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    pub expires: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    /// The granted scope's sensitivity; `None` when the scope is not defined (or, in one
    /// commit's partial model, not known).
    pub sensitivity: Option<String>,
}

/// A scope definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeSnapshot {
    pub scope: String,
    pub description: String,
    pub owner: String,
    pub sensitivity: String,
    pub claims: Vec<String>,
    pub id_token: bool,
    pub step_up: bool,
    pub max_grant: Option<String>,
    pub deprecated: bool,
    pub replaced_by: Option<String>,
    pub consent_text: Option<String>,
}

/// A client: who owns it and how many grants it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientSnapshot {
    pub id: String,
    pub owner: Option<String>,
    pub grants: usize,
}

impl GrantSnapshot {
    fn of(g: &GrantDef, sensitivity: Option<String>) -> GrantSnapshot {
        GrantSnapshot {
            scope: g.scope.get().clone(),
            justification: opt(&g.justification),
            ticket: opt(&g.ticket),
            approved_by: opt(&g.approved_by),
            approved_on: opt(&g.approved_on),
            expires: opt(&g.expires),
            kind: g.kind().as_str().to_string(),
            sensitivity,
        }
    }

    /// One line: `expires 2027-04-01, approved by bob@example.com on 2026-10-03, default,
    /// sensitivity medium; justification: …; ticket PAY-9`.
    pub fn summary(&self) -> String {
        let mut parts = vec![match &self.expires {
            Some(e) => format!("expires {e}"),
            None => "no expiry".to_string(),
        }];
        match (&self.approved_by, &self.approved_on) {
            (Some(by), Some(on)) => parts.push(format!("approved by {by} on {on}")),
            (Some(by), None) => parts.push(format!("approved by {by}")),
            (None, Some(on)) => parts.push(format!("approved on {on} (no approver)")),
            (None, None) => parts.push("no approver".to_string()),
        }
        parts.push(self.kind.clone());
        parts.push(format!(
            "sensitivity {}",
            self.sensitivity.as_deref().unwrap_or("unknown")
        ));
        let mut out = parts.join(", ");
        out.push_str(&format!(
            "; justification: {}",
            self.justification.as_deref().unwrap_or("(none)")
        ));
        out.push_str(&format!(
            "; ticket: {}",
            self.ticket.as_deref().unwrap_or("(none)")
        ));
        out
    }
}

impl ScopeSnapshot {
    fn of(name: &str, d: &ScopeDef) -> ScopeSnapshot {
        let mut claims: Vec<String> = d.claim_names().map(str::to_string).collect();
        claims.sort();
        ScopeSnapshot {
            scope: name.to_string(),
            description: d.description.get().clone(),
            owner: d.owner.get().clone(),
            sensitivity: d.sensitivity.get().to_string(),
            claims,
            id_token: d.id_token(),
            step_up: d.step_up(),
            max_grant: opt(&d.max_grant),
            deprecated: d.deprecated(),
            replaced_by: opt(&d.replaced_by),
            consent_text: opt(&d.consent_text),
        }
    }
}

impl Snapshot {
    /// The one-line summary kept in [`Change::old`] / [`Change::new`].
    pub fn summary(&self) -> String {
        match self {
            Snapshot::Grant(g) => g.summary(),
            Snapshot::Scope(s) => {
                format!("{} ({}, owner {})", s.description, s.sensitivity, s.owner)
            }
            Snapshot::Client(c) => match &c.owner {
                Some(o) => format!("{} grant(s), owner {o}", c.grants),
                None => format!("{} grant(s), no owner", c.grants),
            },
            Snapshot::Api(a) => a.summary(),
            Snapshot::Operation(o) => o.summary(),
            Snapshot::Review(r) => r.summary(),
        }
    }
}

impl ClientSnapshot {
    fn of(c: &ClientModel) -> ClientSnapshot {
        ClientSnapshot {
            id: c.def.id.get().clone(),
            owner: opt(&c.def.owner),
            grants: c.grants.len(),
        }
    }
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: Kind,
    pub class: Class,
    pub subject: Subject,
    /// The field that changed (`expires`, `claims`, `policy.max_grant_lifetime`, ...);
    /// `null` when the subject was added, removed or renamed.
    pub field: Option<String>,
    /// Field changes and policy changes: the old and new values. Added / removed subjects:
    /// a one-line summary ([`Change::before`] / [`Change::after`] hold the content).
    /// Renames: the old and new names.
    pub old: Option<String>,
    pub new: Option<String>,
    /// An added or removed subject's content (removed: `before`, added: `after`); written
    /// as the JSON `old` / `new` in version 2.
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
    /// The commits between the two revisions that made this change, oldest first.
    pub commits: Vec<CommitInfo>,
    /// API changes that alter access: the clients of side B affected (breaking: those
    /// that met the requirement before and do not now; access added: those that meet it
    /// now and did not). `None` for other changes, and when it is not known.
    pub affected_clients: Option<Vec<String>>,
}

/// The JSON shape of a change: `old` / `new` are the snapshots of an added or removed
/// subject, the strings otherwise.
impl Serialize for Change {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(untagged)]
        enum Value<'a> {
            Snapshot(&'a Snapshot),
            Text(Option<&'a String>),
        }
        fn pick<'a>(snap: &'a Option<Snapshot>, text: &'a Option<String>) -> Value<'a> {
            match snap {
                Some(v) => Value::Snapshot(v),
                None => Value::Text(text.as_ref()),
            }
        }
        #[derive(Serialize)]
        struct Json<'a> {
            kind: Kind,
            class: Class,
            subject: &'a Subject,
            field: &'a Option<String>,
            old: Value<'a>,
            new: Value<'a>,
            commits: &'a [CommitInfo],
            #[serde(skip_serializing_if = "Option::is_none")]
            affected_clients: &'a Option<Vec<String>>,
        }
        Json {
            kind: self.kind,
            class: self.class,
            subject: &self.subject,
            field: &self.field,
            old: pick(&self.before, &self.old),
            new: pick(&self.after, &self.new),
            commits: &self.commits,
            affected_clients: &self.affected_clients,
        }
        .serialize(s)
    }
}

impl Change {
    pub(crate) fn new(kind: Kind, class: Class, subject: Subject) -> Change {
        Change {
            kind,
            class,
            subject,
            field: None,
            old: None,
            new: None,
            before: None,
            after: None,
            commits: Vec::new(),
            affected_clients: None,
        }
    }

    pub(crate) fn field(mut self, field: &str, old: Option<String>, new: Option<String>) -> Change {
        self.field = Some(field.to_string());
        self.old = old;
        self.new = new;
        self
    }

    /// Record what a removed subject held (`before`) or an added one holds (`after`);
    /// the strings `old` / `new` get its one-line summary.
    pub(crate) fn removed(mut self, snap: Snapshot) -> Change {
        self.old = Some(snap.summary());
        self.before = Some(snap);
        self
    }

    pub(crate) fn added(mut self, snap: Snapshot) -> Change {
        self.new = Some(snap.summary());
        self.after = Some(snap);
        self
    }

    pub fn is_breaking(&self) -> bool {
        self.class == Class::Breaking
    }
}

/// Compare two models. Changes come out sorted by subject, then kind, then field.
pub fn diff(a: &Model, b: &Model) -> Vec<Change> {
    diff_on(a, b, None)
}

/// [`diff`], with the API changes' `affected_clients` counting only the grants of `b` in
/// force on `today` (every grant when `None`).
pub fn diff_on(a: &Model, b: &Model, today: Option<chrono::NaiveDate>) -> Vec<Change> {
    let mut out = Vec::new();
    diff_policy(a, b, &mut out);
    diff_scopes(a, b, &mut out);
    diff_clients(a, b, &mut out);
    apis::diff(a, b, today, &mut out);
    reviews::diff(a, b, &mut out);
    out.sort_by(|x, y| (&x.subject, x.kind, &x.field).cmp(&(&y.subject, y.kind, &y.field)));
    out
}

fn diff_policy(a: &Model, b: &Model, out: &mut Vec<Change>) {
    let (pa, pb) = (a.settings(), b.settings());
    let keys: BTreeSet<&str> = pa.keys().chain(pb.keys()).copied().collect();
    for k in keys {
        let (o, n) = (pa.get(k), pb.get(k));
        if o != n {
            out.push(
                Change::new(Kind::PolicyChanged, Class::Metadata, Subject::Policy).field(
                    k,
                    o.map(|v| v.to_string()),
                    n.map(|v| v.to_string()),
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
    // A removed and an added scope with the same definition: a rename. Added scopes are
    // looked up by their definition's JSON, so pairing stays linear in the number of
    // scopes (a pull request may remove and add thousands).
    let key = |d: &ScopeDef| serde_json::to_string(d).unwrap_or_default();
    let mut arrived: std::collections::HashMap<String, Vec<&String>> =
        std::collections::HashMap::new();
    for n in added.iter().rev() {
        arrived.entry(key(&b.scopes[*n])).or_default().push(n);
    }
    let mut renamed_to: BTreeSet<&String> = BTreeSet::new();
    for r in removed {
        let def = &a.scopes[r];
        let target = arrived
            .get_mut(&key(def))
            .and_then(Vec::pop)
            .filter(|n| &b.scopes[*n] == def);
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
                out.push(
                    Change::new(
                        Kind::ScopeRemoved,
                        Class::Breaking,
                        Subject::Scope { scope: r.clone() },
                    )
                    .removed(Snapshot::Scope(ScopeSnapshot::of(r, def))),
                );
            }
        }
    }
    for n in added {
        if renamed_to.contains(n) {
            continue;
        }
        out.push(
            Change::new(
                Kind::ScopeAdded,
                Class::Metadata,
                Subject::Scope { scope: n.clone() },
            )
            .added(Snapshot::Scope(ScopeSnapshot::of(n, &b.scopes[n]))),
        );
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
    let ca: BTreeSet<&str> = a.claim_names().collect();
    let cb: BTreeSet<&str> = b.claim_names().collect();
    // A claim in both whose source or tokens changed: `claims.NAME`, breaking when a token
    // loses it or its value comes from elsewhere, access-added when it only reaches more
    // tokens.
    // (Only a changed declaration: `id_token` turned on or off is its own change.)
    let (la, lb) = (a.claim_list(), b.claim_list());
    for (old, da) in la.iter().zip(&a.claims) {
        let Some((new, db)) = lb.iter().zip(&b.claims).find(|(n, _)| n.name == old.name) else {
            continue;
        };
        let reshaped = old.json_type != new.json_type || old.is_list() != new.is_list();
        if da == db || (old.source == new.source && old.tokens == new.tokens && !reshaped) {
            continue;
        }
        let lost = old.tokens.iter().any(|t| !new.tokens.contains(t));
        // A value of another type, or a list instead of one value, breaks its readers.
        let class = if lost || old.source != new.source || reshaped {
            Class::Breaking
        } else {
            Class::AccessAdded
        };
        push(
            &format!("claims.{}", old.name),
            class,
            Some(old.describe()),
            Some(new.describe()),
        );
    }
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
    let excluded = |d: &ScopeDef| -> BTreeSet<String> {
        d.exclude_environments
            .iter()
            .map(|e| e.get().clone())
            .collect()
    };
    let (xa, xb) = (excluded(a), excluded(b));
    if xa != xb {
        // Excluded from a new environment: the token contract loses the value there.
        let class = if xb.iter().any(|e| !xa.contains(e)) {
            Class::Breaking
        } else {
            Class::AccessAdded
        };
        let text = |x: &BTreeSet<String>| x.iter().cloned().collect::<Vec<_>>().join(", ");
        push(
            "exclude_environments",
            class,
            Some(text(&xa)),
            Some(text(&xb)),
        );
    }
    if a.in_token_scope() != b.in_token_scope() {
        // The name leaves the token's `scope` claim: the token contract loses a value.
        push(
            "in_token_scope",
            flag(b.in_token_scope(), Class::Metadata, Class::Breaking),
            Some(a.in_token_scope().to_string()),
            Some(b.in_token_scope().to_string()),
        );
    }
    if a.managed() != b.managed() {
        // Who governs the client scope's definition on the server (import, adopt).
        push(
            "managed",
            Class::Metadata,
            Some(a.managed().to_string()),
            Some(b.managed().to_string()),
        );
    }
    if a.adopt() != b.adopt() {
        // `apply` takes over (and rewrites) a server scope scopectl did not create.
        push(
            "adopt",
            Class::Metadata,
            Some(a.adopt().to_string()),
            Some(b.adopt().to_string()),
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

/// The sensitivity of `scope` in the first model that defines it.
fn sensitivity(scope: &str, models: &[&Model]) -> Option<String> {
    models
        .iter()
        .find_map(|m| m.scopes.get(scope))
        .map(|d| d.sensitivity.get().to_string())
}

fn grant_snapshot(g: &GrantDef, models: &[&Model]) -> Snapshot {
    Snapshot::Grant(GrantSnapshot::of(g, sensitivity(g.scope.get(), models)))
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
                out.push(
                    Change::new(
                        Kind::ClientRemoved,
                        class,
                        Subject::Client { client: id.clone() },
                    )
                    .removed(Snapshot::Client(ClientSnapshot::of(old))),
                );
                for (k, g) in &old.grants {
                    out.push(
                        Change::new(Kind::GrantRevoked, Class::Breaking, grant_subject(id, k))
                            .removed(grant_snapshot(g, &[a, b])),
                    );
                }
            }
            Some(new) if new != old => client_fields((a, b), id, old, new, out),
            Some(_) => {}
        }
    }
    for (id, new) in &b.clients {
        if a.clients.contains_key(id) {
            continue;
        }
        out.push(
            Change::new(
                Kind::ClientAdded,
                Class::Metadata,
                Subject::Client { client: id.clone() },
            )
            .added(Snapshot::Client(ClientSnapshot::of(new))),
        );
        for (k, g) in &new.grants {
            out.push(
                Change::new(Kind::GrantAdded, Class::AccessAdded, grant_subject(id, k))
                    .added(grant_snapshot(g, &[b, a])),
            );
        }
    }
}

fn client_fields(
    (ma, mb): (&Model, &Model),
    id: &str,
    a: &ClientModel,
    b: &ClientModel,
    out: &mut Vec<Change>,
) {
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
    if let Some(class) = environments_change(&a.def.environments, &b.def.environments) {
        out.push(Change::new(Kind::ClientChanged, class, subject()).field(
            "environments",
            Some(environments_text(&a.def.environments)),
            Some(environments_text(&b.def.environments)),
        ));
    }
    if let Some(change) =
        builtin_scopes_change(&a.def.builtin_scopes, &b.def.builtin_scopes, subject())
    {
        out.push(change);
    }
    let third = |d: &crate::registry::ClientDef| d.third_party.as_ref().is_some_and(|t| **t);
    if third(&a.def) != third(&b.def) {
        // Run by another organisation or not: whether PII claims may reach its tokens
        // (`client/pii-to-third-party`).
        out.push(
            Change::new(Kind::ClientChanged, Class::Metadata, subject()).field(
                "third_party",
                Some(third(&a.def).to_string()),
                Some(third(&b.def).to_string()),
            ),
        );
    }
    let ids = |d: &crate::registry::ClientDef| -> BTreeMap<String, String> {
        d.ids
            .iter()
            .map(|(e, id)| (e.get().clone(), id.get().clone()))
            .collect()
    };
    let (ia, ib) = (ids(&a.def), ids(&b.def));
    if ia != ib {
        // Another client_id in an environment: the grants go to another server client.
        let text = |m: &BTreeMap<String, String>| {
            m.iter()
                .map(|(e, id)| format!("{e} = {id}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(
            Change::new(Kind::ClientChanged, Class::AccessAdded, subject()).field(
                "ids",
                Some(text(&ia)),
                Some(text(&ib)),
            ),
        );
    }
    for (k, old) in &a.grants {
        match b.grants.get(k) {
            None => {
                out.push(
                    Change::new(Kind::GrantRevoked, Class::Breaking, grant_subject(id, k))
                        .removed(grant_snapshot(old, &[ma, mb])),
                );
            }
            Some(new) if new != old => grant_fields(
                id,
                k,
                (old, new),
                (&a.def.environments, &b.def.environments),
                out,
            ),
            Some(_) => {}
        }
    }
    for (k, new) in &b.grants {
        if !a.grants.contains_key(k) {
            out.push(
                Change::new(Kind::GrantAdded, Class::AccessAdded, grant_subject(id, k))
                    .added(grant_snapshot(new, &[mb, ma])),
            );
        }
    }
}

/// A change of a client's `builtin_scopes` (the Keycloak built-in scopes `apply` keeps
/// linked to it, unlinking the others; absent: built-ins left alone). A built-in listed
/// that was not gives access (`offline_access`: refresh tokens that outlive the session);
/// only fewer listed takes it away; no longer listing any leaves the server as it is.
fn builtin_scopes_change(a: &EnvList, b: &EnvList, subject: Subject) -> Option<Change> {
    let (sa, sb) = (environment_set(a), environment_set(b));
    if sa == sb {
        return None;
    }
    let class = match (&sa, &sb) {
        (_, None) => Class::Metadata,
        (None, Some(y)) if y.is_empty() => Class::AccessRemoved,
        (None, Some(_)) => Class::AccessAdded,
        (Some(x), Some(y)) if y.iter().any(|e| !x.contains(e)) => Class::AccessAdded,
        (Some(_), Some(_)) => Class::AccessRemoved,
    };
    let text = |s: &Option<BTreeSet<&str>>| match s {
        None => "(not managed)".to_string(),
        Some(s) => format!("[{}]", s.iter().copied().collect::<Vec<_>>().join(", ")),
    };
    Some(Change::new(Kind::ClientChanged, class, subject).field(
        "builtin_scopes",
        Some(text(&sa)),
        Some(text(&sb)),
    ))
}

/// The changes of one grant's fields; `clients` are its client's `environments` at both
/// sides (a grant reaches only environments its client is in).
fn grant_fields(
    id: &str,
    k: &(String, usize),
    (a, b): (&GrantDef, &GrantDef),
    clients: (&EnvList, &EnvList),
    out: &mut Vec<Change>,
) {
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
    push(
        Kind::GrantChanged,
        Class::Metadata,
        "reviewed_on",
        opt(&a.reviewed_on),
        opt(&b.reviewed_on),
    );
    push(
        Kind::GrantChanged,
        Class::Metadata,
        "reviewed_by",
        opt(&a.reviewed_by),
        opt(&b.reviewed_by),
    );
    if a.kind() != b.kind() {
        // default -> optional: the scope leaves the client's tokens unless requested.
        // optional -> default: from now on every token of the client carries it.
        let class = if b.kind() == GrantType::Optional {
            Class::Breaking
        } else {
            Class::AccessAdded
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
    if environment_set(&a.environments) != environment_set(&b.environments) {
        // What the grant reaches through its client decides: dropping a grant's list
        // inside a client limited to the same environments gives nothing.
        let (was, now) = (
            reach(clients.0, &a.environments),
            reach(clients.1, &b.environments),
        );
        let class = match (&was, &now) {
            (x, y) if x == y => Class::Metadata,
            (Some(_), None) => Class::AccessAdded,
            (Some(x), Some(y)) if y.iter().any(|e| !x.contains(e)) => Class::AccessAdded,
            _ => Class::AccessRemoved,
        };
        push(
            Kind::GrantChanged,
            class,
            "environments",
            Some(environments_text(&a.environments)),
            Some(environments_text(&b.environments)),
        );
    }
}

type EnvList = Option<Vec<crate::registry::Sp<String>>>;

/// `environments` as a set (`None`: every environment).
fn environment_set(l: &EnvList) -> Option<BTreeSet<&str>> {
    l.as_ref().map(|v| v.iter().map(|e| e.as_str()).collect())
}

/// `["dev", "prod"]`, or `(every environment)`.
fn environments_text(l: &EnvList) -> String {
    match environment_set(l) {
        None => "(every environment)".to_string(),
        Some(s) => format!("[{}]", s.into_iter().collect::<Vec<_>>().join(", ")),
    }
}

/// How a change of `environments` (of a client or a grant) counts: reaching an
/// environment it did not reach before gives access there; only leaving some removes it.
fn environments_change(a: &EnvList, b: &EnvList) -> Option<Class> {
    let (sa, sb) = (environment_set(a), environment_set(b));
    if sa == sb {
        return None;
    }
    let widened = match (&sa, &sb) {
        (Some(_), None) => true,
        (Some(x), Some(y)) => y.iter().any(|e| !x.contains(e)),
        _ => false,
    };
    Some(if widened {
        Class::AccessAdded
    } else {
        Class::AccessRemoved
    })
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
    if key.starts_with("targets.") && key.ends_with(".insecure_http") {
        let on = |v: Option<&str>| v == Some("true");
        return (!on(old) && on(new)).then(|| {
            format!("{key} turned on: credentials may travel in cleartext (plain http://)")
        });
    }
    if key == "exceptions" {
        return exceptions_widened(old, new);
    }
    let setting = key.strip_prefix("policy.")?;
    if let Some(rest) = setting.strip_prefix("environments.") {
        // `[policy.environments.NAME] KEY` loosens like `[policy] KEY` (an override that
        // goes away leaves the environment under `[policy]`, judged here by its default).
        let (env, leaf) = rest.split_once('.')?;
        let what = policy_weakening(&format!("policy.{leaf}"), old, new)?;
        return Some(format!("in environment {env}: {what}"));
    }
    let d = crate::registry::policy::Policy::default();
    if let Some(rest) = setting.strip_prefix("approval.") {
        return approval_weakening(key, rest, old, new);
    }
    if setting.starts_with("review_interval.") || setting == "max_key_age" {
        // No interval: grants of that sensitivity are never due for review.
        return match (old, new) {
            (Some(_), None) if setting == "max_key_age" => {
                Some(format!("{key} removed: no key rotation schedule"))
            }
            (Some(_), None) => Some(format!("{key} removed: no periodic review required")),
            (Some(o), Some(n)) => {
                let (os, ns) = (
                    crate::registry::Lifetime::parse(o).ok()?.seconds,
                    crate::registry::Lifetime::parse(n).ok()?.seconds,
                );
                (ns > os).then(|| format!("{key} raised from {o} to {n}"))
            }
            _ => None,
        };
    }
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
        "require_signed" => {
            let on = |v: Option<&str>| v == Some("true");
            return (on(old) && !on(new)).then(|| format!("{key} turned off"));
        }
        "require_approver" | "approver_must_differ_from_owner" => {
            let on = |v: Option<&str>| v.is_none_or(|v| v == "true");
            return (on(old) && !on(new)).then(|| format!("{key} turned off"));
        }
        "max_exception_lifetime" => (true, d.max_exception_lifetime.seconds),
        "review_deadline" => (true, d.review_deadline.seconds),
        "min_justification" => {
            let n = |v: Option<&str>| match v {
                None => Some(d.min_justification as u64),
                Some(t) => t.parse::<u64>().ok(),
            };
            let (o, nw) = (n(old)?, n(new)?);
            return (nw < o).then(|| format!("{key} lowered from {o} to {nw}"));
        }
        "forbidden_scopes" | "pii_claims" | "step_up_sensitivities" | "placeholder_words" => {
            let defaults: Vec<String> = match setting {
                "forbidden_scopes" => d.forbidden_scopes,
                "pii_claims" => d.pii_claims,
                "placeholder_words" => d.placeholder_words,
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

/// `[[exceptions]]` changed: an entry that is new (or changed: a later expiry, another
/// subject) accepts findings the old list did not.
fn exceptions_widened(old: Option<&str>, new: Option<&str>) -> Option<String> {
    let list = |v: Option<&str>| -> Vec<serde_json::Value> {
        v.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    let (o, n) = (list(old), list(new));
    let added: Vec<String> = n
        .iter()
        .filter(|e| !o.contains(e))
        .map(|e| {
            let field = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("");
            let subject: Vec<String> = ["client", "scope", "commit"]
                .iter()
                .filter(|k| !field(k).is_empty())
                .map(|k| format!("{k} {}", field(k)))
                .collect();
            format!(
                "{} on {} until {} (approved by {})",
                field("rule"),
                subject.join(", "),
                field("expires"),
                field("approved_by")
            )
        })
        .collect();
    (!added.is_empty()).then(|| {
        format!(
            "exception(s) added or widened: {}: the findings they cover no longer fail",
            added.join("; ")
        )
    })
}

/// `policy.approval.S.min_approvers` lowered, or `policy.approval.S.teams` opened to more
/// teams (or to anyone, when removed).
fn approval_weakening(
    key: &str,
    rest: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Option<String> {
    let leaf = rest.rsplit('.').next()?;
    match leaf {
        "min_approvers" => {
            let n = |v: Option<&str>| v.map_or(Some(1), |t| t.parse::<u64>().ok());
            let (o, nw) = (n(old)?, n(new)?);
            (nw < o).then(|| format!("{key} lowered from {o} to {nw}"))
        }
        "teams" => {
            let list = |v: Option<&str>| -> Option<BTreeSet<String>> {
                v.map_or(Some(BTreeSet::new()), |t| serde_json::from_str(t).ok())
            };
            let (o, n) = (list(old)?, list(new)?);
            if o.is_empty() {
                return None; // anyone could approve already
            }
            if n.is_empty() {
                return Some(format!("{key} removed: any declared person may approve"));
            }
            let added: Vec<&str> = n.difference(&o).map(String::as_str).collect();
            (!added.is_empty()).then(|| format!("{} may now approve ({key})", added.join(", ")))
        }
        _ => None,
    }
}

/// `diff/policy-weakened` for each team that an approval rule of side `a` names
/// (`policy.approval.S.teams`, per environment too) and that gained members, in
/// `scopectl.toml` or in `teams/`: the new members may now approve what the rule covers.
/// A team newly named by a rule is [`approval_weakening`]'s finding, not this one.
fn approver_teams_widened(changes: &[Change], a: &Model) -> Vec<Finding> {
    use crate::text::identity_key;
    let rules: Vec<(&str, BTreeSet<String>)> = a
        .policy
        .iter()
        .flatten()
        .filter(|(k, _)| {
            k.starts_with("policy.") && k.contains("approval.") && k.ends_with(".teams")
        })
        .filter_map(|(k, v)| {
            let teams: Vec<String> = serde_json::from_str(v).ok()?;
            Some((k.as_str(), teams.iter().map(|t| identity_key(t)).collect()))
        })
        .collect();
    let members = |v: Option<&str>| -> Vec<String> {
        v.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    changes
        .iter()
        .filter(|c| c.kind == Kind::PolicyChanged)
        .filter_map(|c| {
            let field = c.field.as_deref()?;
            let team = field.strip_prefix("teams.")?.strip_suffix(".members")?;
            let key = identity_key(team);
            let named_by: Vec<&str> = rules
                .iter()
                .filter(|(_, teams)| teams.contains(&key))
                .map(|(k, _)| *k)
                .collect();
            if named_by.is_empty() {
                return None;
            }
            let before: BTreeSet<String> = members(c.old.as_deref())
                .iter()
                .map(|m| identity_key(m))
                .collect();
            let added: Vec<String> = members(c.new.as_deref())
                .into_iter()
                .filter(|m| !before.contains(&identity_key(m)))
                .collect();
            (!added.is_empty()).then(|| {
                finding_for(
                    c,
                    POLICY_WEAKENED,
                    format!(
                        "policy weakened: team {team} gained {}, who may now approve ({})",
                        added.join(", "),
                        named_by.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// The finding ids that say a control got weaker: what `--fail-on weakened` gates on.
pub const WEAKENING_RULES: &[Rule] = &[
    Rule::DiffPolicyWeakened,
    Rule::DiffScopeWeakened,
    Rule::DiffUnapprovedChange,
    Rule::DiffTargetChanged,
    Rule::DiffReviewRewritten,
];

/// Every weakening finding of a diff from `a` to `b`: `scopectl.toml` settings
/// ([`policy_weakenings`]), push targets ([`target_changes`]), scope controls
/// ([`scope_weakenings`]) and grant changes without a new approval
/// ([`unapproved_changes`]).
pub fn weakenings(changes: &[Change], a: &Model, b: &Model) -> Vec<Finding> {
    let mut out = policy_weakenings(changes);
    out.extend(approver_teams_widened(changes, a));
    out.extend(target_changes(changes));
    out.extend(scope_weakenings(changes, a, b));
    out.extend(unapproved_changes(changes, a, b));
    out
}

/// A finding about `c`, credited to the last commit that made it (none for an uncommitted
/// change).
fn finding_for(c: &Change, rule: Rule, message: String) -> Finding {
    let f = Finding::of(rule, message).about(c.subject.clone());
    match c.commits.last() {
        Some(k) => f.in_commit(k.id.clone()),
        None => f,
    }
}

/// Does changing the `scopectl.toml` leaf `key` from `old` to `new` move where a push
/// target sends the registry and its credentials: the server (`url`, an RFC 7592
/// `registration_client_uri`), the CA it trusts (`ca_file`) or where a secret is read
/// from (`*_env`, `*_file`)? A key that is set or changed counts (a new target too);
/// one that is only removed does not.
pub fn target_change(key: &str, old: Option<&str>, new: Option<&str>) -> Option<String> {
    let rest = key.strip_prefix("targets.")?;
    let leaf = rest.rsplit('.').next()?;
    // `environment`: the target now receives another environment's clients and grants.
    let watched = matches!(leaf, "url" | "registration_client_uri" | "environment")
        || leaf.ends_with("_env")
        || leaf.ends_with("_file");
    let new = new?;
    if !watched || old == Some(new) {
        return None;
    }
    Some(match old {
        Some(o) => format!("{key} changed from {o} to {new}"),
        None => format!("{key} set to {new}"),
    })
}

/// `diff/target-changed`: one finding per `policy-changed` change of a target's server,
/// CA or secret source ([`target_change`]).
pub fn target_changes(changes: &[Change]) -> Vec<Finding> {
    changes
        .iter()
        .filter(|c| c.kind == Kind::PolicyChanged)
        .filter_map(|c| {
            let what = target_change(c.field.as_deref()?, c.old.as_deref(), c.new.as_deref())?;
            Some(finding_for(
                c,
                Rule::DiffTargetChanged,
                format!("push target changed: {what}: pushes and their credentials go where it says now"),
            ))
        })
        .collect()
}

/// The policy's PII claims on one side (the default list when it is not written).
fn pii_claims(m: &Model) -> BTreeSet<String> {
    let defaults = || {
        crate::registry::policy::DEFAULT_PII_CLAIMS
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    match m.policy.as_ref().and_then(|p| p.get("policy.pii_claims")) {
        Some(t) => serde_json::from_str::<Vec<String>>(t)
            .map(|l| l.into_iter().collect())
            .unwrap_or_else(|_| defaults()),
        None => defaults(),
    }
}

/// The policy's `max_grant_lifetime` on one side, in seconds.
fn max_grant_lifetime(m: &Model) -> u64 {
    m.policy
        .as_ref()
        .and_then(|p| p.get("policy.max_grant_lifetime"))
        .and_then(|t| crate::registry::Lifetime::parse(t).ok())
        .map(|l| l.seconds)
        .unwrap_or_else(|| {
            crate::registry::policy::Policy::default()
                .max_grant_lifetime
                .seconds
        })
}

/// The claims a scope releases into ID tokens.
fn id_token_claims(s: &ScopeDef) -> BTreeSet<String> {
    s.claim_list()
        .into_iter()
        .filter(|c| c.into_token(crate::registry::claims::TokenKind::Id))
        .map(|c| c.name)
        .collect()
}

/// What a `scope-changed` change of `field` from `sa` (policy of `a`) to `sb` (policy of
/// `b`) weakens, if anything. `pii` is every claim either side's policy counts as PII.
fn scope_weakening(
    field: &str,
    (sa, a): (&ScopeDef, &Model),
    (sb, b): (&ScopeDef, &Model),
    pii: &BTreeSet<String>,
) -> Option<String> {
    let released = |claims: BTreeSet<String>| {
        let l: Vec<String> = claims.into_iter().filter(|c| pii.contains(c)).collect();
        (!l.is_empty())
            .then(|| format!("PII claim(s) {} now released into ID tokens", l.join(", ")))
    };
    match field {
        "sensitivity" => {
            let (o, n) = (*sa.sensitivity.get(), *sb.sensitivity.get());
            (n < o).then(|| format!("sensitivity lowered from {o} to {n}"))
        }
        "step_up" => (sa.step_up() && !sb.step_up())
            .then(|| "step_up removed: fresh authentication is no longer required".to_string()),
        "max_grant" => {
            // What limits a grant: the scope's max_grant within the policy's maximum.
            let effective = |s: &ScopeDef, m: &Model| {
                let policy = max_grant_lifetime(m);
                s.max_grant
                    .as_ref()
                    .map_or(policy, |l| l.get().seconds.min(policy))
            };
            if effective(sb, b) <= effective(sa, a) {
                return None;
            }
            let shown = |s: &ScopeDef| opt(&s.max_grant);
            Some(match (shown(sa), shown(sb)) {
                (Some(o), Some(n)) => format!("max_grant loosened from {o} to {n}"),
                (Some(o), None) => format!(
                    "max_grant removed (was {o}): grants may last the policy's max_grant_lifetime"
                ),
                (None, _) => "max_grant loosened".to_string(),
            })
        }
        // Claims that enter ID tokens: added (`claims`), a claim's `tokens` gaining `id`
        // (`claims.NAME`), `id_token` turned on for claims declared the same way before.
        "claims" => {
            let had: BTreeSet<&str> = sa.claim_names().collect();
            let new = id_token_claims(sb).into_iter();
            released(new.filter(|c| !had.contains(c.as_str())).collect())
        }
        f if f.starts_with("claims.") => {
            let name = &f["claims.".len()..];
            let into = |s: &ScopeDef| id_token_claims(s).contains(name);
            (into(sb) && !into(sa))
                .then(|| released(BTreeSet::from([name.to_string()])))
                .flatten()
        }
        "id_token" => {
            let same: BTreeSet<&str> = sa
                .claims
                .iter()
                .filter(|d| sb.claims.contains(d))
                .map(|d| d.name())
                .collect();
            let (ca, cb) = (id_token_claims(sa), id_token_claims(sb));
            released(
                cb.difference(&ca)
                    .filter(|c| same.contains(c.as_str()))
                    .cloned()
                    .collect(),
            )
        }
        _ => None,
    }
}

/// `diff/scope-weakened`: a scope's sensitivity lowered, `step_up` removed, `max_grant`
/// loosened or removed, or PII claims (the policy's `pii_claims`, either side's) newly
/// released into ID tokens (a PII claim added while `id_token` is on, or `id_token`
/// turned on with PII claims). Scope values are read from the models (`a` before, `b`
/// after).
pub fn scope_weakenings(changes: &[Change], a: &Model, b: &Model) -> Vec<Finding> {
    let pii: BTreeSet<String> = pii_claims(a).union(&pii_claims(b)).cloned().collect();
    changes
        .iter()
        .filter(|c| c.kind == Kind::ScopeChanged)
        .filter_map(|c| {
            let Subject::Scope { scope } = &c.subject else {
                return None;
            };
            let (sa, sb) = (a.scopes.get(scope)?, b.scopes.get(scope)?);
            let what = scope_weakening(c.field.as_deref()?, (sa, a), (sb, b), &pii)?;
            Some(finding_for(
                c,
                Rule::DiffScopeWeakened,
                format!("scope {scope} weakened: {what}"),
            ))
        })
        .collect()
}

/// `diff/unapproved-change`: a grant extended, re-justified or moved from optional to
/// default while its approval (`approved_by` and `approved_on`) stayed as it was: the
/// change rides on an approval given for something else.
pub fn unapproved_changes(changes: &[Change], a: &Model, b: &Model) -> Vec<Finding> {
    let grant = |m: &'_ Model, client: &str, key: &(String, usize)| -> Option<GrantDef> {
        m.clients
            .get(client)
            .and_then(|c| c.grants.get(key))
            .cloned()
    };
    let mut out: Vec<Finding> = changes
        .iter()
        .filter(|c| c.kind == Kind::ClientChanged && c.field.as_deref() == Some("environments"))
        .flat_map(|c| client_environments_unapproved(c, a, b))
        .collect();
    out.extend(changes
        .iter()
        .filter_map(|c| {
            let Subject::Grant {
                client,
                scope,
                occurrence,
            } = &c.subject
            else {
                return None;
            };
            let key = (scope.clone(), *occurrence);
            let (ga, gb) = (grant(a, client, &key)?, grant(b, client, &key)?);
            let what = match (c.kind, c.field.as_deref()) {
                (Kind::GrantExtended, _) => {
                    let expiry = |g: &GrantDef| opt(&g.expires).unwrap_or("no expiry".into());
                    format!("extended from {} to {}", expiry(&ga), expiry(&gb))
                }
                (Kind::GrantRejustified, _) => "re-justified".to_string(),
                (Kind::GrantChanged, Some("type"))
                    if ga.kind() == GrantType::Optional && gb.kind() == GrantType::Default =>
                {
                    "moved from optional to default (every token of the client now carries it)"
                        .to_string()
                }
                (Kind::GrantChanged, Some("environments")) if c.class == Class::AccessAdded => {
                    let envs = |m: &Model| m.clients.get(client).and_then(|c| c.def.environments.clone());
                    let (ea, eb) = (envs(a), envs(b));
                    format!(
                        "now reaches {} (was {})",
                        reach_text(&reach(&eb, &gb.environments)),
                        reach_text(&reach(&ea, &ga.environments))
                    )
                }
                _ => return None,
            };
            let approval = |g: &GrantDef| (opt(&g.approved_by), opt(&g.approved_on));
            if approval(&ga) != approval(&gb) {
                return None;
            }
            let (by, on) = approval(&gb);
            Some(finding_for(
                c,
                Rule::DiffUnapprovedChange,
                format!(
                    "grant {} {what} without a new approval (approved_by {} and approved_on {} unchanged)",
                    c.subject.label(),
                    by.as_deref().unwrap_or("(none)"),
                    on.as_deref().unwrap_or("(none)"),
                ),
            ))
        }));
    out
}

/// The environments a grant reaches through its client: the grant's own list within the
/// client's (`None`: every environment).
fn reach<'m>(client: &'m EnvList, grant: &'m EnvList) -> Option<BTreeSet<&'m str>> {
    match (environment_set(client), environment_set(grant)) {
        (None, g) => g,
        (c, None) => c,
        (Some(c), Some(g)) => Some(c.intersection(&g).copied().collect()),
    }
}

/// `[dev, prod]`, or `(every environment)`, for a reach ([`reach`]).
fn reach_text(s: &Option<BTreeSet<&str>>) -> String {
    match s {
        None => "(every environment)".to_string(),
        Some(s) => format!("[{}]", s.iter().copied().collect::<Vec<_>>().join(", ")),
    }
}

/// `diff/unapproved-change` for a client whose `environments` widened: each of its grants
/// (present at both sides) that now reaches an environment it did not, with its approval
/// unchanged, was given there by the client's change alone.
fn client_environments_unapproved(c: &Change, a: &Model, b: &Model) -> Vec<Finding> {
    let Subject::Client { client } = &c.subject else {
        return Vec::new();
    };
    let (Some(ca), Some(cb)) = (a.clients.get(client), b.clients.get(client)) else {
        return Vec::new();
    };
    let approval = |g: &GrantDef| (opt(&g.approved_by), opt(&g.approved_on));
    cb.grants
        .iter()
        .filter_map(|(key, gb)| {
            let ga = ca.grants.get(key)?;
            let (was, now) = (
                reach(&ca.def.environments, &ga.environments),
                reach(&cb.def.environments, &gb.environments),
            );
            let widened = match (&was, &now) {
                (Some(_), None) => true,
                (Some(x), Some(y)) => y.iter().any(|e| !x.contains(e)),
                _ => false,
            };
            if !widened || approval(ga) != approval(gb) {
                return None;
            }
            let text = reach_text;
            let (by, on) = approval(gb);
            Some(finding_for(
                c,
                Rule::DiffUnapprovedChange,
                format!(
                    "grant {client} → {} now reaches {} (was {}) because client {client}'s environments changed ({} → {}), without a new approval (approved_by {} and approved_on {} unchanged)",
                    key.0,
                    text(&now),
                    text(&was),
                    environments_text(&ca.def.environments),
                    environments_text(&cb.def.environments),
                    by.as_deref().unwrap_or("(none)"),
                    on.as_deref().unwrap_or("(none)"),
                ),
            ))
        })
        .collect()
}

/// Does `c` give or extend access, so that it needs a second pair of eyes (and, under
/// `require_signed`, a verified commit)? Every `access-added` change (a grant added or
/// extended, made default, claims added, step-up removed, …) and a grant re-approved.
/// Changes that only narrow access (revoked, shortened) are not.
pub fn grants_access(c: &Change) -> bool {
    c.class == Class::AccessAdded || c.kind == Kind::GrantReapproved
}

/// Which of the commit's people the approver is: `authored`, `committed` or `authored
/// and committed` (`None`: neither). Names and e-mails are compared as identities
/// ([`crate::text::same_identity`]: NFKC, lower case).
fn approver_role(approver: &str, commit: &CommitInfo) -> Option<&'static str> {
    use crate::text::same_identity;
    let is =
        |name: &str, email: &str| same_identity(approver, name) || same_identity(approver, email);
    match (
        is(&commit.author, &commit.email),
        is(&commit.committer, &commit.committer_email),
    ) {
        (true, true) => Some("authored and committed"),
        (true, false) => Some("authored"),
        (false, true) => Some("committed"),
        (false, false) => None,
    }
}

/// Four-eyes: a grant added, extended or re-approved by a commit whose author or
/// committer is the grant's approver (name or e-mail, compared as identities). Changes
/// that only narrow access (revoked, shortened) need no second pair of eyes and are not
/// flagged.
pub fn self_approvals(changes: &[Change], b: &Model) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    // (subject, commit) already reported: a set, so the check stays linear.
    let mut seen: std::collections::HashSet<(&Subject, &str)> = std::collections::HashSet::new();
    for c in changes {
        if !grants_access(c) {
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
        let Some(approvers) = &g.approved_by else {
            continue;
        };
        for (approver, commit) in approvers
            .iter()
            .flat_map(|a| c.commits.iter().map(move |commit| (a.trim(), commit)))
        {
            let Some(role) = approver_role(approver, commit) else {
                continue;
            };
            if !seen.insert((&c.subject, commit.id.as_str())) {
                continue;
            }
            let people = if commit.same_committer() {
                String::new()
            } else {
                format!(
                    " (author {} <{}>, committer {} <{}>)",
                    commit.author, commit.email, commit.committer, commit.committer_email
                )
            };
            out.push(
                Finding::of(
                    Rule::DiffSelfApprovedCommit,
                    format!(
                        "grant {} is approved by {approver}, who also {role} commit {}{people} that {} it",
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
    out
}

/// `[policy] require_signed`: every change that gives or extends access
/// ([`grants_access`]) made in a commit whose signature is not verified (unsigned, a GPG
/// signature, a key not listed for the committer, a bad signature, …), one finding per
/// change subject and commit. Uncommitted changes (`--worktree`) have no commit and are
/// not judged.
pub fn unverified_commits(changes: &[Change]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen: std::collections::HashSet<(&Subject, &str)> = std::collections::HashSet::new();
    for c in changes.iter().filter(|c| grants_access(c)) {
        for commit in &c.commits {
            if commit.signature.is_verified() || !seen.insert((&c.subject, commit.id.as_str())) {
                continue;
            }
            let what = match c.kind {
                Kind::GrantAdded => "added",
                Kind::GrantExtended => "extended",
                Kind::GrantReapproved => "re-approved",
                _ => "widened",
            };
            let why = match commit.signature.status {
                crate::history::signature::Status::Unsigned => "is unsigned".to_string(),
                _ => format!(
                    "has a signature that is not verified: {}",
                    commit.signature.reason.as_deref().unwrap_or("?")
                ),
            };
            out.push(
                Finding::of(
                    Rule::DiffUnverifiedCommit,
                    format!(
                        "{} {what} in commit {} ({}), which {why} ([policy] require_signed)",
                        c.subject.label(),
                        commit.short,
                        commit.who()
                    ),
                )
                .about(c.subject.clone())
                .in_commit(commit.id.clone()),
            );
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
    fn a_claims_value_type_or_list_setting_changing_is_breaking() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let typed = SCOPES.replace(
            "\"x\", \"y\"",
            "{ name = \"x\", json_type = \"long\" }, \"y\"",
        );
        let c = diff(&a, &model(&[("scopes/a.toml", &typed)]));
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field.as_deref(), Some("claims.x"));
        assert_eq!(c[0].class, Class::Breaking);
        assert!(
            c[0].new.as_deref().unwrap_or("").ends_with(", as long"),
            "{c:?}"
        );
        let list = SCOPES.replace(
            "\"x\", \"y\"",
            "{ name = \"x\", multivalued = true }, \"y\"",
        );
        let c = diff(&a, &model(&[("scopes/a.toml", &list)]));
        assert_eq!(c[0].class, Class::Breaking, "{c:?}");
        // Declaring the default is no change.
        let same = SCOPES.replace(
            "\"x\", \"y\"",
            "{ name = \"x\", multivalued = false }, \"y\"",
        );
        assert!(diff(&a, &model(&[("scopes/a.toml", &same)])).is_empty());
    }

    #[test]
    fn a_claims_tokens_or_source_changing_is_its_own_change() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        // The table form of the short form's meaning is no change.
        let same = SCOPES.replace("\"x\", \"y\"", "{ name = \"x\" }, \"y\"");
        assert!(diff(&a, &model(&[("scopes/a.toml", &same)])).is_empty());
        // x leaves the ID token (and the rest): breaking.
        let narrow = SCOPES.replace(
            "\"x\", \"y\"",
            "{ name = \"x\", tokens = [\"access\"] }, \"y\"",
        );
        let b = model(&[("scopes/a.toml", &narrow)]);
        let c = diff(&a, &b);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field.as_deref(), Some("claims.x"));
        assert_eq!(c[0].class, Class::Breaking);
        assert_eq!(c[0].new.as_deref(), Some("user attribute `x` into access"));
        // Back: only gains tokens.
        assert_eq!(diff(&b, &a)[0].class, Class::AccessAdded);
        // Another source: breaking.
        let value = SCOPES.replace(
            "\"x\", \"y\"",
            "{ name = \"x\", source = \"value\", value = \"v\" }, \"y\"",
        );
        let c = diff(&a, &model(&[("scopes/a.toml", &value)]));
        assert_eq!(c[0].class, Class::Breaking);
    }

    #[test]
    fn leaving_the_token_scope_claim_is_breaking_and_giving_up_the_definition_is_metadata() {
        let a = model(&[("scopes/a.toml", SCOPES)]);
        let b = model(&[(
            "scopes/a.toml",
            &format!("{SCOPES}in_token_scope = false\nmanaged = false\n"),
        )]);
        let c = diff(&a, &b);
        let got: Vec<(Option<&str>, Class)> =
            c.iter().map(|c| (c.field.as_deref(), c.class)).collect();
        assert_eq!(
            got,
            [
                (Some("in_token_scope"), Class::Breaking),
                (Some("managed"), Class::Metadata)
            ]
        );
        let c = diff(&b, &a);
        assert_eq!(c[0].class, Class::Metadata);
    }

    #[test]
    fn built_in_scopes_third_party_and_adopt_are_changes() {
        let client = |extra: &str| {
            model(&[(
                "clients/c.toml",
                &GRANTED.replace("id = \"c\"\n", &format!("id = \"c\"\n{extra}")),
            )])
        };
        let fields = |a: &Model, b: &Model| -> Vec<(Option<String>, Class, Option<String>)> {
            diff(a, b)
                .iter()
                .map(|c| (c.field.clone(), c.class, c.new.clone()))
                .collect()
        };
        let none = client("");
        let roles = client("builtin_scopes = [\"roles\"]\n");
        let offline = client("builtin_scopes = [\"roles\", \"offline_access\"]\n");
        let f = |s: &str| Some(s.to_string());
        assert_eq!(
            fields(&roles, &offline),
            [(
                f("builtin_scopes"),
                Class::AccessAdded,
                f("[offline_access, roles]")
            )]
        );
        assert_eq!(fields(&offline, &roles)[0].1, Class::AccessRemoved);
        assert_eq!(fields(&none, &roles)[0].1, Class::AccessAdded);
        assert_eq!(
            fields(&roles, &none),
            [(f("builtin_scopes"), Class::Metadata, f("(not managed)"))]
        );
        let third = client("third_party = true\n");
        assert_eq!(
            fields(&third, &none),
            [(f("third_party"), Class::Metadata, f("false"))]
        );
        let scope = |extra: &str| model(&[("scopes/a.toml", &format!("{SCOPES}{extra}"))]);
        assert_eq!(
            fields(&scope(""), &scope("adopt = true\n")),
            [(f("adopt"), Class::Metadata, f("true"))]
        );
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
    fn scopes_with_the_same_definition_pair_one_to_one_in_name_order() {
        let def = |name: &str| {
            format!("[scopes.\"{name}\"]\ndescription = \"Same\"\nowner = \"t\"\nsensitivity = \"low\"\n")
        };
        let a = model(&[(
            "scopes/a.toml",
            &(def("a:one") + &def("a:two") + &def("a:three")),
        )]);
        let b = model(&[("scopes/a.toml", &(def("b:one") + &def("b:two")))]);
        let c = diff(&a, &b);
        let got: Vec<(Kind, Option<&str>, Option<&str>)> = c
            .iter()
            .map(|c| (c.kind, c.old.as_deref(), c.new.as_deref()))
            .collect();
        // Removed in name order (one, three, two) take the added ones in name order.
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got.contains(&(Kind::ScopeRenamed, Some("a:one"), Some("b:one"))),
            "{got:?}"
        );
        assert!(
            got.contains(&(Kind::ScopeRenamed, Some("a:three"), Some("b:two"))),
            "{got:?}"
        );
        assert!(
            got.iter().any(|(k, _, _)| *k == Kind::ScopeRemoved),
            "{got:?}"
        );
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
        assert!(w("policy.require_signed", Some("true"), None));
        assert!(!w("policy.require_signed", None, Some("true")));
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

    #[test]
    fn policy_weakening_covers_approval_rules_and_exceptions() {
        let w = policy_weakening;
        let k = "policy.approval.critical.min_approvers";
        assert!(w(k, Some("2"), Some("1")).is_some());
        assert!(w(k, Some("2"), None).is_some());
        assert!(w(k, Some("1"), Some("2")).is_none());
        let t = "policy.approval.high.teams";
        assert!(w(t, Some("[\"security\"]"), Some("[\"security\",\"ops\"]"))
            .is_some_and(|m| m.starts_with("ops may now approve")));
        assert!(w(t, Some("[\"security\"]"), None).is_some());
        assert!(w(t, Some("[\"security\",\"ops\"]"), Some("[\"security\"]")).is_none());
        assert!(w("policy.min_justification", None, Some("3")).is_some());
        assert!(w("policy.min_justification", Some("3"), Some("20")).is_none());
        assert!(w("policy.max_exception_lifetime", None, Some("1y")).is_some());
        assert!(w("policy.placeholder_words", None, Some("[\"x\"]")).is_some());
        let e =
            r#"[{"rule":"grant/expired","client":"c","expires":"2027-01-01","approved_by":"a"}]"#;
        let later = e.replace("2027-01-01", "2027-06-01");
        assert!(w("exceptions", None, Some(e)).is_some());
        assert!(w("exceptions", Some(e), Some(&later)).is_some());
        assert!(w("exceptions", Some(e), None).is_none());
    }

    #[test]
    fn policy_weakening_covers_token_rules_and_insecure_http() {
        let w = |k: &str, o: Option<&str>, n: Option<&str>| policy_weakening(k, o, n);
        // token/no-exp is deny by default; token/pii is warn.
        assert_eq!(
            w("rules.token/no-exp", None, Some("allow")).as_deref(),
            Some("rule token/no-exp lowered from deny to allow")
        );
        assert!(w("rules.token/pii", Some("deny"), Some("warn")).is_some());
        assert!(w("rules.token/pii", None, Some("deny")).is_none());
        assert!(w("targets.prod.insecure_http", None, Some("true")).is_some());
        assert!(w("targets.prod.insecure_http", Some("true"), Some("false")).is_none());
        assert!(w("targets.prod.insecure_http", Some("true"), None).is_none());
    }

    #[test]
    fn target_change_watches_url_ca_and_secret_sources() {
        let t = |k: &str, o: Option<&str>, n: Option<&str>| target_change(k, o, n).is_some();
        assert!(t("targets.prod.url", Some("https://a"), Some("https://b")));
        assert!(t("targets.prod.url", None, Some("https://b")));
        assert!(!t("targets.prod.url", Some("https://a"), None));
        assert!(t("targets.prod.client_secret_env", Some("A"), Some("B")));
        assert!(t("targets.prod.client_secret_file", None, Some("/tmp/s")));
        assert!(t("targets.prod.password_env", Some("A"), Some("B")));
        assert!(t("targets.prod.ca_file", Some("ca.pem"), Some("other.pem")));
        assert!(t(
            "targets.dcr.clients.c.registration_access_token_file",
            Some("a"),
            Some("b")
        ));
        assert!(t(
            "targets.dcr.clients.c.registration_client_uri",
            Some("https://a/c"),
            Some("https://evil/c")
        ));
        assert!(!t("targets.prod.realm", Some("a"), Some("b")));
        assert!(!t("targets.prod.timeout", Some("30s"), Some("60s")));
        assert!(!t("policy.pii_claims", Some("[]"), Some("[\"x\"]")));
    }

    fn rules_of(f: &[Finding]) -> Vec<(Rule, String)> {
        f.iter().map(|f| (f.rule, f.message.clone())).collect()
    }

    const REFUND: &str = r#"
[scopes."payments:refund"]
description = "Refund"
owner = "team-pay"
sensitivity = "critical"
step_up = true
max_grant = "30d"
claims = ["tenant"]
id_token = false
"#;

    #[test]
    fn lowered_sensitivity_removed_step_up_and_max_grant_are_scope_weakenings() {
        let a = model(&[("scopes/a.toml", REFUND)]);
        let b = model(&[(
            "scopes/a.toml",
            &REFUND
                .replace("critical", "low")
                .replace("step_up = true\n", "")
                .replace("max_grant = \"30d\"\n", ""),
        )]);
        let f = scope_weakenings(&diff(&a, &b), &a, &b);
        let got = rules_of(&f);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().all(|(r, _)| *r == Rule::DiffScopeWeakened));
        for what in [
            "sensitivity lowered from critical to low",
            "step_up removed",
            "max_grant removed (was 30d)",
        ] {
            assert!(got.iter().any(|(_, m)| m.contains(what)), "{what}: {got:?}");
        }
        assert_eq!(
            f[0].subject,
            Some(Subject::Scope {
                scope: "payments:refund".into()
            })
        );
        // The other way round tightens: nothing.
        assert!(scope_weakenings(&diff(&b, &a), &b, &a).is_empty());
    }

    #[test]
    fn max_grant_counts_within_the_policy_maximum() {
        let policy = |d: &str| format!("[policy]\nmax_grant_lifetime = \"{d}\"\n");
        let a = model(&[("scopectl.toml", &policy("20d")), ("scopes/a.toml", REFUND)]);
        let b = model(&[
            ("scopectl.toml", &policy("20d")),
            (
                "scopes/a.toml",
                &REFUND.replace("max_grant = \"30d\"\n", ""),
            ),
        ]);
        // 30d under a 20d policy limit is 20d either way.
        assert!(scope_weakenings(&diff(&a, &b), &a, &b).is_empty());
        let b = model(&[("scopes/a.toml", &REFUND.replace("\"30d\"", "\"60d\""))]);
        let a = model(&[("scopes/a.toml", REFUND)]);
        let got = rules_of(&scope_weakenings(&diff(&a, &b), &a, &b));
        assert!(
            got[0].1.contains("max_grant loosened from 30d to 60d"),
            "{got:?}"
        );
    }

    #[test]
    fn pii_newly_in_id_tokens_is_a_scope_weakening() {
        // id_token turned on with a PII claim (email) among the claims.
        let a = model(&[(
            "scopes/a.toml",
            &REFUND.replace("[\"tenant\"]", "[\"tenant\", \"email\"]"),
        )]);
        let b = model(&[(
            "scopes/a.toml",
            &REFUND
                .replace("[\"tenant\"]", "[\"tenant\", \"email\"]")
                .replace("id_token = false\n", ""),
        )]);
        let got = rules_of(&scope_weakenings(&diff(&a, &b), &a, &b));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0]
            .1
            .contains("PII claim(s) email now released into ID tokens"));
        // A PII claim added while id_token is on.
        let a = model(&[("scopes/a.toml", &REFUND.replace("id_token = false\n", ""))]);
        let b = model(&[(
            "scopes/a.toml",
            &REFUND.replace("id_token = false\n", "").replace(
                "[\"tenant\"]",
                "[\"tenant\", \"phone_number\", \"shoe_size\"]",
            ),
        )]);
        let got = rules_of(&scope_weakenings(&diff(&a, &b), &a, &b));
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].1.contains("PII claim(s) phone_number now"),
            "{got:?}"
        );
        // The same claim added while id_token is off: not in ID tokens.
        let a = model(&[("scopes/a.toml", REFUND)]);
        let b = model(&[(
            "scopes/a.toml",
            &REFUND.replace("[\"tenant\"]", "[\"tenant\", \"email\"]"),
        )]);
        assert!(scope_weakenings(&diff(&a, &b), &a, &b).is_empty());
        // A claim the policy counts as PII (on either side) counts.
        let pii = "[policy]\npii_claims = [\"tenant\"]\n";
        let a = model(&[("scopectl.toml", pii), ("scopes/a.toml", REFUND)]);
        let b = model(&[("scopes/a.toml", &REFUND.replace("id_token = false\n", ""))]);
        let got = rules_of(&scope_weakenings(&diff(&a, &b), &a, &b));
        assert!(got.iter().any(|(_, m)| m.contains("tenant")), "{got:?}");
    }

    const GRANTED: &str = "[client]\nid = \"c\"\n\n[[grants]]\nscope = \"a:read\"\njustification = \"J\"\napproved_by = \"carol\"\napproved_on = 2026-01-01\nexpires = 2026-06-01\ntype = \"optional\"\n";

    #[test]
    fn environments_reaching_more_is_access_added_and_on_the_old_approval_a_finding() {
        let dev = GRANTED.replace("type = ", "environments = [\"dev\"]\ntype = ");
        let both = GRANTED.replace("type = ", "environments = [\"dev\", \"prod\"]\ntype = ");
        let (a, b) = (
            model(&[("clients/c.toml", &dev)]),
            model(&[("clients/c.toml", &both)]),
        );
        let c = diff(&a, &b);
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("environments"), Class::AccessAdded)
        );
        let f = unapproved_changes(&c, &a, &b);
        assert!(
            f[0].message.contains("now reaches [dev, prod] (was [dev])"),
            "{}",
            f[0].message
        );
        assert_eq!(diff(&b, &a)[0].class, Class::AccessRemoved);
        // Every environment (no list) is wider than any list.
        let all = model(&[("clients/c.toml", GRANTED)]);
        assert_eq!(diff(&a, &all)[0].class, Class::AccessAdded);
        // A client's environments and ids, a scope's exclusions.
        let client = |extra: &str| {
            model(&[(
                "clients/c.toml",
                &GRANTED.replace("id = \"c\"\n", &format!("id = \"c\"\n{extra}")),
            )])
        };
        let (dev_only, everywhere) = (client("environments = [\"dev\"]\n"), client(""));
        let c = diff(&dev_only, &everywhere);
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("environments"), Class::AccessAdded)
        );
        // The client's grants now reach prod on their old approval: one finding each.
        let f = unapproved_changes(&c, &dev_only, &everywhere);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains(
                "now reaches (every environment) (was [dev]) because client c's environments changed ([dev] → (every environment)), without a new approval"
            ),
            "{}",
            f[0].message
        );
        // A grant limited to dev itself reaches no more; a grant re-approved in the same
        // change is approved for it.
        let limited = |extra: &str| {
            model(&[(
                "clients/c.toml",
                &GRANTED
                    .replace("id = \"c\"\n", &format!("id = \"c\"\n{extra}"))
                    .replace("type = ", "environments = [\"dev\"]\ntype = "),
            )])
        };
        let (la, lb) = (limited("environments = [\"dev\"]\n"), limited(""));
        assert!(unapproved_changes(&diff(&la, &lb), &la, &lb).is_empty());
        // A grant's own list dropped inside a client limited to the same environment
        // reaches nothing new: metadata, no finding.
        let client_dev = |grant: &str| {
            model(&[(
                "clients/c.toml",
                &GRANTED
                    .replace("id = \"c\"\n", "id = \"c\"\nenvironments = [\"dev\"]\n")
                    .replace("type = ", &format!("{grant}type = ")),
            )])
        };
        let (ga, gb) = (client_dev("environments = [\"dev\"]\n"), client_dev(""));
        let c = diff(&ga, &gb);
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("environments"), Class::Metadata)
        );
        assert!(unapproved_changes(&c, &ga, &gb).is_empty());
        let reapproved = model(&[(
            "clients/c.toml",
            &GRANTED.replace("2026-01-01", "2026-02-01"),
        )]);
        assert!(
            unapproved_changes(&diff(&dev_only, &reapproved), &dev_only, &reapproved).is_empty()
        );
        assert!(
            unapproved_changes(&diff(&everywhere, &dev_only), &everywhere, &dev_only).is_empty()
        );
        let c = diff(&client(""), &client("ids = { prod = \"c-prod\" }\n"));
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("ids"), Class::AccessAdded)
        );
        let scope = |extra: &str| model(&[("scopes/a.toml", &format!("{SCOPES}{extra}"))]);
        let c = diff(&scope(""), &scope("exclude_environments = [\"prod\"]\n"));
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("exclude_environments"), Class::Breaking)
        );
    }

    #[test]
    fn environment_policies_and_target_environments_are_watched() {
        let w = policy_weakening(
            "policy.environments.prod.max_grant_lifetime",
            Some("90d"),
            Some("180d"),
        );
        assert!(w.is_some_and(|w| w.starts_with("in environment prod: ")));
        assert!(policy_weakening(
            "policy.environments.prod.max_grant_lifetime",
            Some("180d"),
            Some("90d")
        )
        .is_none());
        assert!(target_change("targets.kc.environment", Some("dev"), Some("prod")).is_some());
    }

    #[test]
    fn optional_to_default_is_access_added() {
        let a = model(&[("clients/c.toml", GRANTED)]);
        let b = model(&[("clients/c.toml", &GRANTED.replace("optional", "default"))]);
        let c = diff(&a, &b);
        assert_eq!(
            (c[0].field.as_deref(), c[0].class),
            (Some("type"), Class::AccessAdded)
        );
        assert_eq!(diff(&b, &a)[0].class, Class::Breaking);
    }

    #[test]
    fn grant_changes_without_a_new_approval_are_findings() {
        let a = model(&[("clients/c.toml", GRANTED)]);
        let b = model(&[(
            "clients/c.toml",
            &GRANTED
                .replace("2026-06-01", "2027-05-01")
                .replace("\"J\"", "\"K\"")
                .replace("optional", "default"),
        )]);
        let f = unapproved_changes(&diff(&a, &b), &a, &b);
        let got = rules_of(&f);
        assert_eq!(got.len(), 3, "{got:?}");
        for what in [
            "extended from 2026-06-01 to 2027-05-01 without a new approval",
            "re-justified without a new approval",
            "moved from optional to default",
        ] {
            assert!(got.iter().any(|(_, m)| m.contains(what)), "{what}: {got:?}");
        }
        assert!(got.iter().all(|(r, _)| *r == Rule::DiffUnapprovedChange));
        assert!(matches!(f[0].subject, Some(Subject::Grant { .. })));
        // A new approval date (or approver) makes the same change approved.
        let b2 = model(&[(
            "clients/c.toml",
            &GRANTED
                .replace("2026-06-01", "2027-05-01")
                .replace("2026-01-01", "2026-05-20"),
        )]);
        assert!(unapproved_changes(&diff(&a, &b2), &a, &b2).is_empty());
        // Narrowing (shortened, made optional) needs no approval.
        let b3 = model(&[(
            "clients/c.toml",
            &GRANTED
                .replace("2026-06-01", "2027-05-01")
                .replace("optional", "default"),
        )]);
        assert_eq!(unapproved_changes(&diff(&a, &b3), &a, &b3).len(), 2);
        assert!(unapproved_changes(&diff(&b3, &a), &b3, &a).is_empty());
    }
}
