//! Push: compare the registry with an authorization server and make the server match.
//!
//! The flow is the same for every server kind:
//! 1. [`Desired`] — what the registry says on `today` (expired grants left out);
//! 2. the adapter reads the server's state in as few requests as it can;
//! 3. the adapter compares both and returns a [`Plan`]: ordered [`Op`]s, plan errors
//!    (a client missing on the server, a registry scope the server does not support) and
//!    notes (things deliberately left alone), plus a fingerprint of the state it read;
//! 4. `apply` makes exactly those ops, then reads the state back and reports anything
//!    that did not take.
//!
//! Targets: [`keycloak`] (Admin REST API) and [`rfc7592`] (dynamic registration
//! management), both behind the [`PushTarget`] trait ([`connect`] builds one).
//! [`session`] holds the workflow the `plan`, `apply` and `drift` commands share: load
//! the registry, connect, plan with the lint gate, pin a saved plan, apply.

pub mod keycloak;
pub mod mappers;
pub mod render;
pub mod rfc7592;
pub mod session;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::bail;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::net::{self, Counts, Http, HttpSettings, Secret};
use crate::registry::policy::{Target, TargetKind};
use crate::registry::{GrantType, Registry, Sp};
use crate::rules::Rule;

/// Version of the saved plan format (`plan --out`).
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// The most client scopes one `apply --prune` deletes unless `--max-deletes` allows more.
pub const DEFAULT_MAX_DELETES: usize = 10;

/// What a plan may do besides making the registry's scopes and grants true on the server.
/// Saved plans keep them, so `apply --plan` re-plans with the same ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Delete scopectl's client scopes that left the registry.
    pub prune: bool,
    /// Unassign scopectl's scopes from clients that have no registry file.
    pub revoke_unlisted: bool,
    /// Delete scopes that left the registry even while something still uses them.
    pub prune_in_use: bool,
    /// The most scope deletes one run makes: more refuses every delete.
    pub max_deletes: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            prune: false,
            revoke_unlisted: false,
            prune_in_use: false,
            max_deletes: DEFAULT_MAX_DELETES,
        }
    }
}

/// An error that ends `apply` where it happens: the ops after it would meet it too (the
/// server is unreachable, the credentials or the role are refused, retries ran out on a
/// transient answer). Any other failure of one op is reported and the run goes on.
#[derive(Debug)]
pub struct Stop(pub String);

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Stop {}

/// Is this the error of an op that stops the run ([`Stop`])?
pub fn stops_run(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<Stop>().is_some())
}

/// Plan error code of an error-level lint finding: `apply` refuses to make any change
/// while the plan has one, unless `--allow-lint-errors` is given.
pub const LINT_ERRORS: Rule = Rule::PushLintErrors;

/// A scope as the registry wants it on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredScope {
    pub name: String,
    pub description: String,
    pub consent_text: String,
    /// `adopt = true`: a hand-made client scope of this name is taken over.
    #[serde(skip)]
    pub adopt: bool,
    /// `managed = false` (and not `adopt`): the scope's definition on the server is left
    /// as it is; only its links follow the grants.
    #[serde(skip)]
    pub managed: bool,
    /// `in_token_scope` (Keycloak's `include.in.token.scope`).
    #[serde(skip)]
    pub in_token_scope: bool,
    /// The claims it releases (protocol mappers on Keycloak; not in the digest: each
    /// mapper is compared by itself).
    #[serde(skip)]
    pub claims: Vec<crate::registry::claims::Claim>,
}

impl DesiredScope {
    /// `sha256:<hex>` of the representation scopectl writes, stored in the marker so a
    /// changed definition is seen even when someone edited the server by hand.
    pub fn digest(&self) -> String {
        let mut json = serde_json::json!({
            "name": self.name,
            "description": self.description,
            "consent": self.consent_text,
            "include.in.token.scope": "true",
            "display.on.consent.screen": "true",
        });
        // Only a scope kept out of the token's `scope` claim changes the shape, so every
        // digest written before `in_token_scope` existed stays the same.
        if !self.in_token_scope {
            json["include.in.token.scope"] = "false".into();
        }
        format!("sha256:{}", sha256_hex(json.to_string().as_bytes()))
    }
}

/// What the registry wants on `today`.
#[derive(Debug, Clone, Default)]
pub struct Desired {
    pub scopes: BTreeMap<String, DesiredScope>,
    /// client id -> scope -> how it is attached. Unexpired grants only.
    pub clients: BTreeMap<String, BTreeMap<String, GrantType>>,
    /// client id -> scopes whose grants have all expired (for the reason shown on unassign).
    pub expired: BTreeMap<String, Vec<String>>,
    /// client id -> the built-in scopes it keeps, for clients whose file sets
    /// `builtin_scopes` (the others' built-ins are left alone).
    pub builtin: BTreeMap<String, BTreeSet<String>>,
    /// client id -> scope linked only because the client holds an unexpired grant of a
    /// deprecated scope that names it as `replaced_by` (a rename transition) -> that
    /// deprecated scope.
    pub transition: BTreeMap<String, BTreeMap<String, String>>,
}

impl Desired {
    /// What the registry wants on `today` in every environment (no environment limits
    /// applied).
    pub fn from_registry(registry: &Registry, today: chrono::NaiveDate) -> Desired {
        Self::build(registry, today, None)
    }

    /// What the registry wants on `today` in `environment`: only the scopes not excluded
    /// there, the clients in it (keyed by their `client_id` there, `[client.ids]`) and the
    /// grants reaching it.
    pub fn for_environment(
        registry: &Registry,
        today: chrono::NaiveDate,
        environment: &str,
    ) -> Desired {
        Self::build(registry, today, Some(environment))
    }

    fn build(registry: &Registry, today: chrono::NaiveDate, env: Option<&str>) -> Desired {
        let mut d = Desired::default();
        for (name, s) in &registry.scopes {
            if env.is_some_and(|e| s.def.excluded_in(e)) {
                continue;
            }
            d.scopes.insert(
                name.clone(),
                DesiredScope {
                    name: name.clone(),
                    description: s.def.description.get().clone(),
                    consent_text: s.def.consent_text().to_string(),
                    adopt: s.def.adopt(),
                    managed: s.def.managed(),
                    in_token_scope: s.def.in_token_scope(),
                    claims: s.def.claim_list(),
                },
            );
        }
        for c in registry.clients.values() {
            if env.is_some_and(|e| !c.def.in_environment(e)) {
                continue;
            }
            let reaches =
                |g: &&crate::registry::Grant| env.is_none_or(|e| registry.grant_reaches(c, g, e));
            let id = match env {
                Some(e) => c.def.id_in(e).to_string(),
                None => c.id.clone(),
            };
            let grants = d.clients.entry(id.clone()).or_default();
            for g in registry.active_grants(c, today).filter(reaches) {
                // Two grants of one scope: `default` wins (it is the wider attachment).
                let kind = g.def.kind();
                grants
                    .entry(g.scope().to_string())
                    .and_modify(|k| {
                        if kind == GrantType::Default {
                            *k = GrantType::Default
                        }
                    })
                    .or_insert(kind);
            }
            // A rename transition: a client holding an unexpired grant of a deprecated
            // scope with `replaced_by` gets the replacement linked too (the same way), so
            // it can move to the new name before the old grant ends.
            let explicit: Vec<(String, GrantType)> =
                grants.iter().map(|(s, k)| (s.clone(), *k)).collect();
            for (old, kind) in explicit {
                let Some(new) = replacement(registry, &old, env) else {
                    continue;
                };
                if !grants.contains_key(&new) {
                    grants.insert(new.clone(), kind);
                    d.transition.entry(id.clone()).or_default().insert(new, old);
                }
            }
            for g in c.grants.iter().filter(reaches) {
                if g.is_expired(today) && !grants.contains_key(g.scope()) {
                    let list = d.expired.entry(id.clone()).or_default();
                    list.push(g.scope().to_string());
                    // The transition it gave ends with it.
                    if let Some(new) = replacement(registry, g.scope(), env) {
                        if !grants.contains_key(&new) {
                            list.push(new);
                        }
                    }
                }
            }
            if let Some(b) = &c.def.builtin_scopes {
                d.builtin.insert(
                    id.clone(),
                    b.iter().map(|s| s.as_str().to_string()).collect(),
                );
            }
        }
        d
    }

    /// Why `client` holds `scope` when no grant names it (a rename transition).
    pub fn transition_from(&self, client: &str, scope: &str) -> Option<&str> {
        self.transition
            .get(client)
            .and_then(|m| m.get(scope))
            .map(String::as_str)
    }

    pub fn is_expired(&self, client: &str, scope: &str) -> bool {
        self.expired
            .get(client)
            .is_some_and(|v| v.iter().any(|s| s == scope))
    }
}

/// The scope that replaces `scope` during a rename transition: its `replaced_by`, when
/// `scope` is deprecated and the replacement is a registry scope (not excluded from
/// `env`).
fn replacement(registry: &Registry, scope: &str, env: Option<&str>) -> Option<String> {
    let def = &registry.scopes.get(scope)?.def;
    let new = def.replaced_by.as_ref()?.as_str();
    let there = match env {
        Some(e) => registry.scope_in(new, e),
        None => registry.scopes.contains_key(new),
    };
    (def.deprecated() && new != scope && there).then(|| new.to_string())
}

/// One changed field of a scope: the value on the server (absent: not set) and the value
/// the registry wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub from: Option<String>,
    pub to: String,
}

impl FieldChange {
    /// `field: "old" -> "new"`, or a word diff (`[-removed-]{+added+}`) when either value
    /// is long.
    pub fn describe(&self) -> String {
        let from = self.from.as_deref().unwrap_or("");
        if self.from.is_some() && (from.chars().count() > 40 || self.to.chars().count() > 40) {
            return format!("{}: {}", self.field, crate::text::word_diff(from, &self.to));
        }
        let from = match &self.from {
            Some(f) => format!("{f:?}"),
            None => "(unset)".to_string(),
        };
        format!("{}: {from} -> {:?}", self.field, self.to)
    }
}

/// One change to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Create a client scope (with scopectl's marker): the full representation it gets
    /// (the other attributes are fixed: see docs/push.md).
    CreateScope {
        scope: String,
        description: String,
        consent_text: String,
    },
    /// Update a managed client scope; `fields` names what differs, `changes` holds the
    /// server's and the registry's value of each.
    UpdateScope {
        scope: String,
        fields: Vec<String>,
        changes: Vec<FieldChange>,
    },
    /// Take over a hand-made client scope the registry marks `adopt = true`: it gets
    /// scopectl's marker and the registry's definition; `changes` holds each field's
    /// server and registry value (the marker among them).
    AdoptScope {
        scope: String,
        changes: Vec<FieldChange>,
    },
    /// Delete a managed client scope (only with `--prune`). `used_by` lists what still
    /// used it when the plan was made (only with `--prune-in-use`; Keycloak removes those
    /// links and mappers with the scope).
    DeleteScope {
        scope: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        used_by: Vec<String>,
    },
    /// Attach a scope to a client.
    Assign {
        client: String,
        scope: String,
        kind: GrantType,
    },
    /// Detach a scope from a client; `reason` is `revoked` or `expired`.
    Unassign {
        client: String,
        scope: String,
        kind: GrantType,
        reason: String,
    },
    /// Move an attachment between default and optional (one change).
    Move {
        client: String,
        scope: String,
        from: GrantType,
        to: GrantType,
    },
    /// Keycloak: make scopectl's protocol mapper releasing `claim` (from `source`) into
    /// `tokens` on a client scope (config key `scopectl.managed`, named `mapper`).
    CreateMapper {
        scope: String,
        claim: String,
        source: String,
        tokens: Vec<String>,
        mapper: String,
    },
    /// Keycloak: change scopectl's protocol mapper of `claim` back to the registry's
    /// declaration; `changes` holds each differing field (config key) and both values.
    UpdateMapper {
        scope: String,
        claim: String,
        mapper: String,
        changes: Vec<FieldChange>,
    },
    /// Keycloak: delete scopectl's protocol mapper of a claim the scope no longer
    /// releases (or releases as-is, or through a hand-made mapper).
    DeleteMapper {
        scope: String,
        claim: String,
        mapper: String,
    },
    /// RFC 7592: replace the client's `scope` metadata.
    SetClientScope {
        client: String,
        from: Vec<String>,
        to: Vec<String>,
    },
}

impl Op {
    /// Short name of the change ("create scope", "assign default", ...).
    pub fn action(&self) -> String {
        match self {
            Op::CreateScope { .. } => "create scope".into(),
            Op::UpdateScope { .. } => "update scope".into(),
            Op::AdoptScope { .. } => "adopt scope".into(),
            Op::DeleteScope { .. } => "delete scope".into(),
            Op::Assign { kind, .. } => format!("assign {kind}"),
            Op::Unassign { kind, .. } => format!("unassign {kind}"),
            Op::Move { from, to, .. } => format!("move {from} -> {to}"),
            Op::CreateMapper { .. } => "create mapper".into(),
            Op::UpdateMapper { .. } => "update mapper".into(),
            Op::DeleteMapper { .. } => "delete mapper".into(),
            Op::SetClientScope { .. } => "set client scope".into(),
        }
    }

    pub fn client(&self) -> Option<&str> {
        match self {
            Op::Assign { client, .. }
            | Op::Unassign { client, .. }
            | Op::Move { client, .. }
            | Op::SetClientScope { client, .. } => Some(client),
            _ => None,
        }
    }

    pub fn scope(&self) -> Option<&str> {
        match self {
            Op::CreateScope { scope, .. }
            | Op::UpdateScope { scope, .. }
            | Op::AdoptScope { scope, .. }
            | Op::DeleteScope { scope, .. }
            | Op::Assign { scope, .. }
            | Op::Unassign { scope, .. }
            | Op::Move { scope, .. }
            | Op::CreateMapper { scope, .. }
            | Op::UpdateMapper { scope, .. }
            | Op::DeleteMapper { scope, .. } => Some(scope),
            Op::SetClientScope { .. } => None,
        }
    }

    /// Details for the table ("description", "revoked", "a b -> a c").
    pub fn detail(&self) -> String {
        match self {
            Op::CreateScope {
                description,
                consent_text,
                ..
            } => {
                if consent_text == description {
                    format!("description: {description:?}")
                } else {
                    format!("description: {description:?}; consent text: {consent_text:?}")
                }
            }
            Op::UpdateScope { changes, .. } => changes
                .iter()
                .map(FieldChange::describe)
                .collect::<Vec<_>>()
                .join("; "),
            Op::AdoptScope { changes, .. } => format!(
                "adopt = true: hand-made, becomes scopectl's; {}",
                changes
                    .iter()
                    .map(FieldChange::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Op::DeleteScope { used_by, .. } if used_by.is_empty() => {
                "--prune: no longer in the registry".into()
            }
            Op::DeleteScope { used_by, .. } => format!(
                "--prune --prune-in-use: no longer in the registry; still used by {}",
                used_by.join(", ")
            ),
            Op::Assign { .. } => "granted in the registry".into(),
            Op::Unassign { reason, .. } => reason.clone(),
            Op::Move { .. } => "grant type changed".into(),
            Op::SetClientScope { from, to, .. } => {
                format!("`{}` -> `{}`", from.join(" "), to.join(" "))
            }
            Op::CreateMapper {
                claim,
                source,
                tokens,
                ..
            } => format!("claim `{claim}` from {source} into {}", tokens.join(", ")),
            Op::UpdateMapper { claim, changes, .. } => format!(
                "claim `{claim}`: {}",
                changes
                    .iter()
                    .map(FieldChange::describe)
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Op::DeleteMapper { claim, mapper, .. } => {
                format!("claim `{claim}` no longer released by scopectl's mapper `{mapper}`")
            }
        }
    }

    /// Is this change only a removal of access (an unassign, or an RFC 7592 scope list
    /// that only loses values)? The lint gate lets removals through.
    pub fn is_removal(&self) -> bool {
        match self {
            Op::Unassign { .. } | Op::DeleteMapper { .. } => true,
            Op::SetClientScope { from, to, .. } => to.iter().all(|s| from.contains(s)),
            _ => false,
        }
    }

    /// Order of execution: creates and updates first, then attachments (make before
    /// break: every assign before any unassign), deletes last.
    fn rank(&self) -> u8 {
        match self {
            Op::CreateScope { .. } => 0,
            Op::UpdateScope { .. } | Op::AdoptScope { .. } => 1,
            Op::CreateMapper { .. } | Op::UpdateMapper { .. } => 1,
            Op::DeleteMapper { .. } => 4,
            Op::Assign { .. } => 2,
            Op::Move { .. } => 3,
            Op::Unassign { .. } => 4,
            Op::SetClientScope { .. } => 5,
            Op::DeleteScope { .. } => 6,
        }
    }
}

/// Sort ops into their safe execution order (stable within a kind).
pub fn order_ops(ops: &mut [Op]) {
    ops.sort_by(|a, b| (a.rank(), a.client(), a.scope()).cmp(&(b.rank(), b.client(), b.scope())));
}

/// A problem that keeps part of the registry from being pushed: a finding of the
/// `push/*` family (saved plans store it as [`crate::output::json::FindingJson`]).
pub type PlanError = Finding;

/// A plan: what `apply` will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub target: String,
    pub kind: TargetKind,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The target's environment: what reaches it is what the plan pushes (absent in
    /// plans saved before environments existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub today: chrono::NaiveDate,
    pub prune: bool,
    /// Clients without a registry file lose scopectl's scopes (`revoke_unlisted`).
    #[serde(default)]
    pub revoke_unlisted: bool,
    /// Scopes still in use may be deleted (`--prune-in-use`).
    #[serde(default)]
    pub prune_in_use: bool,
    /// The deletion cap the plan was made with (absent in plans saved before it existed:
    /// the default then applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deletes: Option<usize>,
    /// `sha256:` of the server state the plan was computed from (of `state_parts` when
    /// the target has them).
    pub fingerprint: String,
    /// The parts of the server state the plan depends on (`scope `x``, `client `y``),
    /// each with its digest, so a refused saved plan can say what changed. Absent for
    /// targets that do not split their state.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub state_parts: BTreeMap<String, String>,
    /// `sha256:` of the registry's files (names and texts) the plan was made from, so a
    /// refused saved plan can say whether the registry or the server changed (absent in
    /// plans saved before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_digest: Option<String>,
    pub ops: Vec<Op>,
    #[serde(with = "crate::output::json::findings")]
    pub errors: Vec<PlanError>,
    /// Things deliberately left alone (e.g. a scope that only `--prune` would delete).
    pub notes: Vec<String>,
    /// What a reviewer should know before applying (e.g. a client losing an optional
    /// scope it may request by name).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// HTTP requests it took to make this plan (informational).
    #[serde(default)]
    pub requests: Counts,
    /// Where the pushes go and with which credentials (informational; shown first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<Connection>,
}

/// Where a plan was made: the target and the server it names.
pub struct PlanOrigin<'a> {
    pub target: &'a str,
    pub kind: TargetKind,
    pub url: &'a str,
    pub realm: Option<&'a str>,
}

impl Plan {
    /// A plan of the current format for `origin`, computed on `today` from the server
    /// state whose fingerprint is given. Request counts are filled in by the session.
    pub fn new(
        origin: PlanOrigin<'_>,
        today: chrono::NaiveDate,
        options: &PlanOptions,
        fingerprint: String,
        (ops, errors, notes): (Vec<Op>, Vec<PlanError>, Vec<String>),
    ) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            target: origin.target.to_string(),
            kind: origin.kind,
            url: origin.url.to_string(),
            realm: origin.realm.map(str::to_string),
            environment: None,
            today,
            prune: options.prune,
            revoke_unlisted: options.revoke_unlisted,
            prune_in_use: options.prune_in_use,
            max_deletes: Some(options.max_deletes),
            fingerprint,
            state_parts: BTreeMap::new(),
            registry_digest: None,
            ops,
            errors,
            notes,
            warnings: Vec::new(),
            requests: Counts::default(),
            connection: None,
        }
    }

    /// The options the plan was made with.
    pub fn options(&self) -> PlanOptions {
        PlanOptions {
            prune: self.prune,
            revoke_unlisted: self.revoke_unlisted,
            prune_in_use: self.prune_in_use,
            max_deletes: self.max_deletes.unwrap_or(DEFAULT_MAX_DELETES),
        }
    }

    pub fn writes(&self) -> usize {
        self.ops.len()
    }

    /// How many of the errors are lint findings (which block `apply`).
    pub fn lint_errors(&self) -> usize {
        self.errors.iter().filter(|e| e.rule == LINT_ERRORS).count()
    }
}

/// The outcome of `apply`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub applied: Vec<Op>,
    /// The first op that failed, and why (all of them: `failures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<(Op, String)>,
    /// Every op that failed, and why, in the order they ran.
    pub failures: Vec<(Op, String)>,
    /// The run stopped at the last failure (the server unreachable, the credentials
    /// refused, retries exhausted): the ops after it are in `not_applied`.
    pub stopped: bool,
    /// Ops not made: after a failure that stopped the run, or depending on a failed op
    /// (the assigns of a scope whose create failed; a client's revocations after one of
    /// its assigns failed).
    pub not_applied: Vec<Op>,
    /// Ops the lint gate held back: while the registry has lint errors (and without
    /// `--allow-lint-errors`), only removals are made.
    pub held_back: Vec<Op>,
    /// What the read-back after apply still found different.
    pub did_not_take: Vec<Op>,
    /// The read-back after apply failed (the ops themselves went through).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readback_error: Option<String>,
    /// Things the user must act on (e.g. a rotated token that could not be saved).
    pub warnings: Vec<String>,
    pub counts: Counts,
}

/// A push target: one kind of authorization server. Implementing this trait (one
/// module) and adding one line to [`constructor`] is all a new kind needs; settings,
/// transport checks, secrets, the lint gate, op ordering and saved-plan pinning are
/// shared ([`connect`], [`session`]).
pub trait PushTarget {
    /// Read the server and compute the plan: its ops (any order: [`session`] orders
    /// them), errors, notes and the fingerprint of the state it read.
    fn plan(
        &mut self,
        desired: &Desired,
        today: chrono::NaiveDate,
        options: &PlanOptions,
    ) -> anyhow::Result<Plan>;

    /// Make the plan's ops in the order given (going on after a failure unless it
    /// [stops the run](Stop), see [`run_ops`]), telling `progress` after each, then read
    /// back and report what did not take.
    fn apply(&mut self, plan: &Plan, desired: &Desired, progress: &mut Progress<'_>)
        -> ApplyReport;

    /// Take the target's apply lease, so two applies never write to one server at once
    /// (`take_over`: even when another run holds it). Kinds without one do nothing.
    fn lease(&mut self, take_over: bool) -> anyhow::Result<()> {
        let _ = take_over;
        Ok(())
    }

    /// Give the lease back; a warning when that failed.
    fn release(&mut self) -> Option<String> {
        None
    }

    /// The HTTP requests made so far.
    fn counts(&self) -> Counts;
}

/// How a kind of target is built from its `[targets.NAME]`, the registry root and the
/// shared HTTP client. Secrets are read here.
pub type Constructor = fn(&str, &Target, &Path, Http) -> anyhow::Result<Box<dyn PushTarget>>;

/// The constructor of each kind of target: one line per kind.
pub fn constructor(kind: TargetKind) -> Constructor {
    match kind {
        TargetKind::Keycloak => |n, t, r, h| Ok(Box::new(keycloak::Keycloak::new(n, t, r, h)?)),
        TargetKind::Rfc7592 => |n, t, r, h| Ok(Box::new(rfc7592::Rfc7592::new(n, t, r, h)?)),
    }
}

/// The HTTP settings of `[targets.NAME]`, with its URLs checked against the plain-HTTP
/// rule ([`net::check_transport`]). `root` resolves a relative `ca_file`.
pub fn http_settings(name: &str, target: &Target, root: &Path) -> anyhow::Result<HttpSettings> {
    let mut settings = HttpSettings::default();
    if let Some(t) = &target.timeout {
        settings.timeout = std::time::Duration::from_secs(t.seconds.max(1));
    }
    if let Some(ca) = &target.ca_file {
        let path = root.join(ca.as_str());
        // scopectl.toml may come from a pull request: the same checks as a secret file.
        let absolute = Path::new(ca.as_str()).is_absolute();
        let pem = read_limited_file(&path, absolute, root, CA_FILE_MAX_BYTES, "CA file").map_err(
            |e| {
                anyhow::anyhow!(
                    "target `{name}`: cannot read ca_file `{}`: {e}",
                    path.display()
                )
            },
        )?;
        settings.ca_pem = Some((path.display().to_string(), pem));
    }
    settings.insecure_tls = target.insecure_tls.unwrap_or(false);
    settings.insecure_http = target.insecure_http.unwrap_or(false);
    net::check_transport(target.url.as_str(), settings.insecure_http)
        .map_err(|e| anyhow::anyhow!("target `{name}`, key `url`: {e}"))?;
    for (client, r) in &target.clients {
        net::check_transport(&r.registration_client_uri, settings.insecure_http).map_err(|e| {
            anyhow::anyhow!(
                "target `{name}`, key `clients.\"{client}\".registration_client_uri`: {e}"
            )
        })?;
    }
    if let Some(n) = target.retries {
        settings.retries = n;
    }
    if let Ok(v) = std::env::var("SCOPECTL_HTTP_RETRIES") {
        if let Ok(n) = v.parse() {
            settings.retries = n;
        }
    }
    if let Some(d) = &target.retry_base_delay {
        settings.backoff = precise(d);
    }
    if let Some(d) = &target.retry_after_max {
        settings.retry_after_max = precise(d);
    }
    check_retry_limits(name, &settings)?;
    Ok(settings)
}

/// The most retries per request (`retries`, `SCOPECTL_HTTP_RETRIES`).
pub const MAX_RETRIES: u32 = 10;
/// The longest `retry_base_delay` and `retry_after_max`: a run that waits longer is stuck.
pub const MAX_RETRY_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Retries and waits are bounded, so a misbehaving server cannot stall a CI job for ever.
fn check_retry_limits(name: &str, s: &HttpSettings) -> anyhow::Result<()> {
    if s.retries > MAX_RETRIES {
        anyhow::bail!(
            "target `{name}`: {} retries asked (key `retries` or SCOPECTL_HTTP_RETRIES); the limit is {MAX_RETRIES}",
            s.retries
        );
    }
    for (key, d) in [
        ("retry_base_delay", s.backoff),
        ("retry_after_max", s.retry_after_max),
    ] {
        if d > MAX_RETRY_WAIT {
            anyhow::bail!(
                "target `{name}`, key `{key}`: {}s is over the limit of {}s",
                d.as_secs(),
                MAX_RETRY_WAIT.as_secs()
            );
        }
    }
    Ok(())
}

/// Connect to `[targets.NAME]`. `root` is the registry root: relative `*_file` and
/// `ca_file` paths are resolved against it.
pub fn connect(name: &str, target: &Target, root: &Path) -> anyhow::Result<Box<dyn PushTarget>> {
    let settings = http_settings(name, target, root)?;
    let http = Http::new(settings).map_err(|e| anyhow::anyhow!("target `{name}`: {e}"))?;
    constructor(*target.kind)(name, target, root, http)
}

/// A duration with its sub-second part (`Lifetime` keeps whole seconds; "50ms" is 0 s).
fn precise(l: &crate::registry::Lifetime) -> std::time::Duration {
    humantime::parse_duration(l.text.trim())
        .unwrap_or_else(|_| std::time::Duration::from_secs(l.seconds))
}

/// Pick the target: the named one, or the only one.
pub fn select_target<'a>(
    registry: &'a Registry,
    name: Option<&str>,
) -> anyhow::Result<(String, &'a Target)> {
    let Some((_, file)) = &registry.policy_file else {
        bail!("the registry has no scopectl.toml, so no `[targets.NAME]` to push to");
    };
    let targets = &file.targets;
    match name {
        Some(n) => targets
            .iter()
            .find(|(k, _)| k.as_str() == n)
            .map(|(k, t)| (k.get().clone(), t.get()))
            .ok_or_else(|| {
                let known: Vec<&str> = targets.keys().map(|k| k.as_str()).collect();
                anyhow::anyhow!(
                    "no target `{n}` in scopectl.toml (targets: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            }),
        None => {
            let mut it = targets.iter();
            match (it.next(), it.next()) {
                (Some((k, t)), None) => Ok((k.get().clone(), t.get())),
                (None, _) => bail!("scopectl.toml defines no `[targets.NAME]`"),
                _ => {
                    let known: Vec<&str> = targets.keys().map(|k| k.as_str()).collect();
                    bail!(
                        "scopectl.toml defines several targets ({}); choose one with --target",
                        known.join(", ")
                    )
                }
            }
        }
    }
}

/// Read a secret from the environment variable or file the target names.
pub fn read_secret(
    target: &str,
    env_key: &str,
    what: &str,
    env: Option<&Sp<String>>,
    file: Option<&Sp<String>>,
    root: &Path,
) -> anyhow::Result<Option<Secret>> {
    if let Some(var) = env {
        if !is_env_var_name(var.as_str()) {
            // It may be the secret itself pasted in the wrong place: never echo it.
            bail!(
                "target `{target}`: the value of {env_key} is not a valid environment variable \
                 name (letters, digits and `_`, not starting with a digit); {env_key} names the \
                 variable that holds the {what}, never the {what} itself"
            );
        }
        if !is_secret_env_name(var.as_str()) {
            // Not echoed either: it may still be a secret pasted in the wrong place.
            bail!(
                "target `{target}`: the variable {env_key} names is not allowed: secret \
                 variables must match `{SECRET_ENV_PATTERN}`, so a change to scopectl.toml \
                 cannot send another CI variable (GITHUB_TOKEN, cloud keys) to the target"
            );
        }
        return match std::env::var(var.as_str()) {
            Ok(v) if !v.is_empty() => Ok(Some(Secret::new(v))),
            _ => bail!(
                "target `{target}`: the environment variable `{}` (its {what}) is not set",
                var.as_str()
            ),
        };
    }
    if let Some(f) = file {
        let path = root.join(f.as_str());
        let text =
            read_secret_file(&path, Path::new(f.as_str()).is_absolute(), root).map_err(|e| {
                anyhow::anyhow!(
                    "target `{target}`: cannot read the {what} from `{}`: {e}",
                    path.display()
                )
            })?;
        let v = text.trim();
        if v.is_empty() {
            bail!("target `{target}`: `{}` is empty", path.display());
        }
        return Ok(Some(Secret::new(v)));
    }
    Ok(None)
}

/// The largest secret file read (`client_secret_file`, `password_file`, ...).
pub const SECRET_FILE_MAX_BYTES: u64 = 64 * 1024;

/// What the name of an environment variable holding a secret must match.
pub const SECRET_ENV_PATTERN: &str = "^SCOPECTL_[A-Z0-9_]+$";

/// [`SECRET_ENV_PATTERN`].
pub fn is_secret_env_name(s: &str) -> bool {
    s.strip_prefix("SCOPECTL_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The largest CA file read (`ca_file`): a bundle of a few hundred certificates in PEM.
pub const CA_FILE_MAX_BYTES: u64 = 1024 * 1024;

/// Read a secret file: a regular file (not a FIFO, a device or a kernel pseudo-file such
/// as `/proc/self/environ`) of at most [`SECRET_FILE_MAX_BYTES`]; a relative path must
/// not be a symlink leaving the registry at `root`. Read with a limit, so a file growing
/// meanwhile is not read whole.
fn read_secret_file(path: &Path, absolute: bool, root: &Path) -> Result<String, String> {
    let bytes = read_limited_file(path, absolute, root, SECRET_FILE_MAX_BYTES, "secret file")?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// `1 MiB`, `64 KiB`.
fn size_text(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / 1024 / 1024)
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Names of files and folders holding the credentials of git, ssh and the CI checkout:
/// a `*_file` or `ca_file` inside one is refused.
const CREDENTIAL_STORES: &[&str] = &[".git", ".git-credentials", ".ssh", ".netrc", ".docker"];

/// Read a file that scopectl.toml names (a secret file, a CA file: `what`) with the
/// checks of [`read_secret_file`] and at most `max` bytes: a FIFO cannot hang the run
/// nor `/dev/zero` fill the memory.
fn read_limited_file(
    path: &Path,
    absolute: bool,
    root: &Path,
    max: u64,
    what: &str,
) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let link = std::fs::symlink_metadata(path).map_err(|e| e.to_string())?;
    if link.file_type().is_symlink() && !absolute {
        let resolved = path
            .canonicalize()
            .map_err(|e| format!("a symlink that cannot be resolved ({e}); not read"))?;
        let root = root.canonicalize().map_err(|e| e.to_string())?;
        if !resolved.starts_with(&root) {
            return Err(format!(
                "a symlink to {}, outside the registry; not read",
                resolved.display()
            ));
        }
    }
    let resolved = path.canonicalize().map_err(|e| e.to_string())?;
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|p| resolved.starts_with(p))
    {
        return Err(format!(
            "{} is a kernel or device file, not a {what}; not read",
            resolved.display()
        ));
    }
    // Where CI keeps the credentials it already holds (actions/checkout writes its token
    // into .git/config): never a secret a pushed registry may name.
    if let Some(part) = resolved.components().find_map(|c| {
        let name = c.as_os_str().to_str()?;
        CREDENTIAL_STORES.contains(&name).then_some(name)
    }) {
        return Err(format!(
            "{} is inside {part}, where git and ssh keep their own credentials, not a {what}; not read",
            resolved.display()
        ));
    }
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, a device or a folder); not read".into());
    }
    if meta.len() == 0 {
        return Err("empty (or a pseudo-file that reports no size); not read".into());
    }
    if meta.len() > max {
        return Err(format!(
            "{} bytes, over the {} limit for {what}s; not read",
            meta.len(),
            size_text(max)
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "over the {} limit for {what}s; not read",
            size_text(max)
        ));
    }
    Ok(bytes)
}

/// Where a target's pushes go and how: shown first in a plan, so a reviewer sees a
/// changed URL, realm, credential source or TLS setting before the changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// Where each credential is read from: `env SCOPECTL_X` or `file secrets/kc`.
    pub credentials: Vec<String>,
    /// `verified`, `verified with ca_file …`, `NOT verified (insecure_tls)`, plus
    /// `plain http` when the URL is not https.
    pub tls: String,
    /// What a reviewer must look at: a secret read from a file, a URL that is not
    /// https, TLS verification off.
    pub warnings: Vec<String>,
}

/// The [`Connection`] of `[targets.NAME]`, from the policy alone (nothing is read).
pub fn connection(target: &Target) -> Connection {
    let mut c = Connection {
        url: target.url.get().clone(),
        realm: target.realm.as_ref().map(|r| r.get().clone()),
        ..Connection::default()
    };
    let mut files = Vec::new();
    let mut source = |key: &str, env: Option<&str>, file: Option<&str>| {
        if let Some(e) = env {
            c.credentials.push(format!("{key}: env {e}"));
        } else if let Some(f) = file {
            c.credentials.push(format!("{key}: file {f}"));
            files.push(f.to_string());
        }
    };
    let s = |v: &Option<Sp<String>>| v.as_ref().map(|x| x.as_str().to_string());
    let (ce, cf) = (s(&target.client_secret_env), s(&target.client_secret_file));
    source("client_secret", ce.as_deref(), cf.as_deref());
    let (ue, uf) = (s(&target.username_env), s(&target.username_file));
    source("username", ue.as_deref(), uf.as_deref());
    let (pe, pf) = (s(&target.password_env), s(&target.password_file));
    source("password", pe.as_deref(), pf.as_deref());
    let (ie, inf) = (
        s(&target.introspection_secret_env),
        s(&target.introspection_secret_file),
    );
    source("introspection_secret", ie.as_deref(), inf.as_deref());
    for (client, r) in &target.clients {
        source(
            &format!("registration_access_token of {client}"),
            r.registration_access_token_env.as_deref(),
            r.registration_access_token_file.as_deref(),
        );
    }
    c.tls = if target.insecure_tls.unwrap_or(false) {
        "NOT verified (insecure_tls = true)".to_string()
    } else if let Some(ca) = &target.ca_file {
        format!("verified with ca_file {}", ca.as_str())
    } else {
        "verified (system roots)".to_string()
    };
    let mut urls = vec![target.url.as_str().to_string()];
    urls.extend(
        target
            .clients
            .values()
            .map(|r| r.registration_client_uri.clone()),
    );
    for u in urls {
        if !u.trim_start().to_ascii_lowercase().starts_with("https://") {
            c.warnings.push(format!(
                "`{u}` is not https: credentials and tokens travel in cleartext"
            ));
        }
    }
    if target.insecure_tls.unwrap_or(false) {
        c.warnings
            .push("TLS verification is off: anyone on the path can read the credentials".into());
    }
    for f in files {
        c.warnings.push(format!(
            "a secret is read from the file `{f}`: a change to scopectl.toml can send any \
             readable file to the URL; plan pull requests with the base branch's targets"
        ));
    }
    c
}

/// `^[A-Za-z_][A-Za-z0-9_]*$`: what an environment variable name looks like.
fn is_env_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `sha256:<hex>` of a serializable state, for the plan fingerprint.
pub fn fingerprint<T: Serialize>(state: &T) -> String {
    let bytes = serde_json::to_vec(state).unwrap_or_default();
    format!("sha256:{}", sha256_hex(&bytes))
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Told about each op as `apply` makes it: the op and, when it failed, why. The
/// command streams it (and flushes), so a run that is killed leaves a record.
pub type Progress<'a> = dyn FnMut(&Op, Option<&str>) + 'a;

/// What running a list of ops came to.
#[derive(Debug, Default)]
pub(crate) struct Run {
    pub applied: Vec<Op>,
    pub failures: Vec<(Op, String)>,
    pub not_applied: Vec<Op>,
    pub stopped: bool,
}

impl Run {
    /// The report of this run, before any read-back.
    pub fn report(self, counts: Counts) -> ApplyReport {
        ApplyReport {
            applied: self.applied,
            failed: self.failures.first().cloned(),
            failures: self.failures,
            stopped: self.stopped,
            not_applied: self.not_applied,
            held_back: Vec::new(),
            did_not_take: Vec::new(),
            readback_error: None,
            warnings: Vec::new(),
            counts,
        }
    }
}

/// Does `op` depend on an op that failed? The ops on a scope whose create or adoption
/// failed (an adopted scope is not scopectl's until then: its links stay as they are), and a
/// client's revocations once one of its assigns or moves failed (make before break: a
/// client never loses a scope while the one replacing it could not be linked; expired
/// grants are still removed).
fn depends_on_failure(op: &Op, failures: &[(Op, String)]) -> bool {
    failures.iter().any(|(f, _)| match (f, op) {
        (Op::CreateScope { scope, .. } | Op::AdoptScope { scope, .. }, _) => {
            op.scope() == Some(scope.as_str())
        }
        (
            Op::Assign { client, .. } | Op::Move { client, .. },
            Op::Unassign {
                client: c, reason, ..
            },
        ) => c == client && reason.starts_with("revoked"),
        _ => false,
    })
}

/// Run ops one by one through `exec`. A failure is recorded and the run goes on with
/// the ops that do not depend on it; a failure that [stops the run](Stop) leaves the
/// rest not applied.
pub(crate) fn run_ops<F>(ops: &[Op], progress: &mut Progress<'_>, mut exec: F) -> Run
where
    F: FnMut(&Op) -> anyhow::Result<()>,
{
    let mut run = Run::default();
    for (i, op) in ops.iter().enumerate() {
        if depends_on_failure(op, &run.failures) {
            run.not_applied.push(op.clone());
            continue;
        }
        match exec(op) {
            Ok(()) => {
                progress(op, None);
                run.applied.push(op.clone())
            }
            Err(e) => {
                let why = format!("{e:#}");
                progress(op, Some(&why));
                run.failures.push((op.clone(), why));
                if stops_run(&e) {
                    run.stopped = true;
                    run.not_applied.extend(ops[i + 1..].iter().cloned());
                    break;
                }
            }
        }
    }
    run
}

#[cfg(test)]
mod tests {

    #[test]
    fn retries_and_waits_are_bounded() {
        let ok = HttpSettings::default();
        assert!(check_retry_limits("t", &ok).is_ok());
        let many = HttpSettings {
            retries: MAX_RETRIES + 1,
            ..HttpSettings::default()
        };
        assert!(check_retry_limits("t", &many)
            .unwrap_err()
            .to_string()
            .contains("limit is 10"));
        let slow = HttpSettings {
            backoff: MAX_RETRY_WAIT * 2,
            ..HttpSettings::default()
        };
        assert!(check_retry_limits("t", &slow)
            .unwrap_err()
            .to_string()
            .contains("retry_base_delay"));
    }

    use super::*;

    fn secret(file: &str, root: &Path) -> anyhow::Result<Option<Secret>> {
        let f = Sp::unspanned(file.to_string());
        read_secret(
            "t",
            "client_secret_env",
            "client secret",
            None,
            Some(&f),
            root,
        )
    }

    fn message(r: anyhow::Result<Option<Secret>>) -> String {
        match r {
            Ok(_) => "read".to_string(),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn git_and_ssh_credentials_are_never_a_secret_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).expect("mkdir");
        // actions/checkout keeps its token here.
        std::fs::write(
            root.join(".git/config"),
            "[http]\n\textraheader = AUTHORIZATION: basic Z2hz\n",
        )
        .expect("write");
        let m = message(secret(".git/config", root));
        assert!(m.contains("inside .git"), "{m}");
        assert!(!m.contains("Z2hz"), "{m}");
        std::fs::write(root.join(".git-credentials"), "https://x:y@example.com\n").expect("write");
        let m = message(secret(".git-credentials", root));
        assert!(m.contains("inside .git-credentials"), "{m}");
    }

    #[cfg(unix)]
    #[test]
    fn secret_files_must_be_small_regular_files_inside_the_registry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join("ok"), "s3cret\n").expect("write");
        assert!(secret("ok", root).is_ok_and(|s| s.is_some()));
        // Kernel pseudo-files (size 0, but full of CI variables) are refused, directly
        // or through a symlink.
        let m = message(secret("/proc/self/environ", root));
        assert!(m.contains("kernel or device file"), "{m}");
        std::os::unix::fs::symlink("/proc/self/environ", root.join("env")).expect("symlink");
        let m = message(secret("env", root));
        assert!(m.contains("outside the registry"), "{m}");
        // A FIFO would block the read forever.
        let fifo = root.join("fifo");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("cstring");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let m = message(secret("fifo", root));
        assert!(m.contains("not a regular file"), "{m}");
        // Over the size limit.
        std::fs::write(root.join("big"), vec![b'a'; 64 * 1024 + 1]).expect("write");
        let m = message(secret("big", root));
        assert!(m.contains("64 KiB"), "{m}");
        let m = message(secret("/dev/zero", root));
        assert!(m.contains("kernel or device file"), "{m}");
    }

    #[test]
    fn secret_variables_must_match_the_documented_pattern() {
        for ok in [
            "SCOPECTL_CLIENT_SECRET",
            "SCOPECTL_TEST_SYNC_SECRET",
            "SCOPECTL_1",
        ] {
            assert!(is_secret_env_name(ok), "{ok}");
        }
        for bad in [
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "SCOPECTL_",
            "scopectl_x",
            "SCOPECTL_a",
        ] {
            assert!(!is_secret_env_name(bad), "{bad}");
            let v = Sp::unspanned(bad.to_string());
            let m = message(read_secret(
                "t",
                "client_secret_env",
                "client secret",
                Some(&v),
                None,
                Path::new("."),
            ));
            assert!(m.contains(SECRET_ENV_PATTERN), "{m}");
        }
    }

    #[test]
    fn connection_warns_about_files_plain_http_and_tls_off() {
        let toml = "kind = \"keycloak\"\nurl = \"http://evil.example\"\nrealm = \"r\"\n\
                    client_id = \"c\"\nclient_secret_file = \"/etc/passwd\"\ninsecure_tls = true\n";
        let t: Target = toml::from_str(toml).expect("target");
        let c = connection(&t);
        assert_eq!(c.url, "http://evil.example");
        assert_eq!(c.credentials, ["client_secret: file /etc/passwd"]);
        assert!(c.tls.contains("NOT verified"), "{}", c.tls);
        assert_eq!(c.warnings.len(), 3, "{:?}", c.warnings);
    }

    #[test]
    fn a_failure_skips_what_depends_on_it_and_a_stop_ends_the_run() {
        let assign = |c: &str, s: &str| Op::Assign {
            client: c.into(),
            scope: s.into(),
            kind: GrantType::Optional,
        };
        let unassign = |c: &str, s: &str, reason: &str| Op::Unassign {
            client: c.into(),
            scope: s.into(),
            kind: GrantType::Optional,
            reason: reason.into(),
        };
        let ops = vec![
            assign("a", "new:x"),
            assign("b", "new:x"),
            unassign("a", "old:x", "revoked (not granted in the registry)"),
            unassign("a", "exp:x", "expired"),
        ];
        let mut seen = Vec::new();
        let run = run_ops(&ops, &mut |op, _| seen.push(op.clone()), |op| match op {
            Op::Assign { client, .. } if client == "a" => anyhow::bail!("refused"),
            _ => Ok(()),
        });
        // a's revocation waits for its failed assign; its expired grant goes anyway.
        assert_eq!(run.applied, vec![ops[1].clone(), ops[3].clone()]);
        assert_eq!(run.not_applied, vec![ops[2].clone()]);
        assert_eq!(run.failures.len(), 1);
        assert!(!run.stopped);
        assert_eq!(seen.len(), 3);
        let run = run_ops(&ops, &mut |_, _| {}, |_| {
            Err(anyhow::Error::new(Stop("down".into())))
        });
        assert!(run.stopped);
        assert_eq!((run.failures.len(), run.not_applied.len()), (1, 3));
    }

    #[test]
    fn a_failed_adoption_leaves_the_links_of_its_scope_alone() {
        let ops = vec![
            Op::AdoptScope {
                scope: "r:x".into(),
                changes: Vec::new(),
            },
            Op::Unassign {
                client: "a".into(),
                scope: "r:x".into(),
                kind: GrantType::Optional,
                reason: "revoked (not granted in the registry)".into(),
            },
            Op::Unassign {
                client: "a".into(),
                scope: "o:x".into(),
                kind: GrantType::Optional,
                reason: "expired".into(),
            },
        ];
        let run = run_ops(&ops, &mut |_, _| {}, |op| match op {
            Op::AdoptScope { .. } => anyhow::bail!("refused"),
            _ => Ok(()),
        });
        // Still unmarked: its links are not scopectl's to remove.
        assert_eq!(run.not_applied, vec![ops[1].clone()]);
        assert_eq!(run.applied, vec![ops[2].clone()]);
    }

    #[test]
    fn ops_run_in_safe_order() {
        let mut ops = vec![
            Op::DeleteScope {
                scope: "a:b".into(),
                used_by: Vec::new(),
            },
            Op::Assign {
                client: "c".into(),
                scope: "a:b".into(),
                kind: GrantType::Default,
            },
            Op::CreateScope {
                scope: "a:b".into(),
                description: "d".into(),
                consent_text: "d".into(),
            },
        ];
        order_ops(&mut ops);
        assert!(matches!(ops[0], Op::CreateScope { .. }));
        assert!(matches!(ops[2], Op::DeleteScope { .. }));
    }

    #[test]
    fn field_changes_show_both_values_and_long_ones_as_a_word_diff() {
        let short = FieldChange {
            field: "description".into(),
            from: Some("everything!".into()),
            to: "everything?".into(),
        };
        assert_eq!(
            short.describe(),
            "description: \"everything!\" -> \"everything?\""
        );
        let long = FieldChange {
            field: "description".into(),
            from: Some("Read the orders of the signed-in customer and their lines".into()),
            to: "Read the orders of every customer and their lines".into(),
        };
        let d = long.describe();
        assert!(d.contains("[-the signed-in-]{+every+}"), "{d}");
        assert!(d.starts_with("description: Read the orders of "), "{d}");
    }

    #[test]
    fn digest_changes_with_description() {
        let a = DesiredScope {
            name: "a:b".into(),
            description: "x".into(),
            consent_text: "x".into(),
            adopt: false,
            managed: true,
            in_token_scope: true,
            claims: Vec::new(),
        };
        let mut b = a.clone();
        b.description = "y".into();
        assert_ne!(a.digest(), b.digest());
        // A digest written before `in_token_scope` existed is the same today.
        assert_eq!(
            a.digest(),
            "sha256:".to_string()
                + &sha256_hex(
                    br#"{"name":"a:b","description":"x","consent":"x","include.in.token.scope":"true","display.on.consent.screen":"true"}"#
                )
        );
        let mut c = a.clone();
        c.in_token_scope = false;
        assert_ne!(a.digest(), c.digest());
    }
}
