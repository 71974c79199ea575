//! The three file kinds of a registry, exactly as written in TOML. These types are the
//! contract: the JSON Schemas under `schemas/` are generated from them.
//!
//! Unknown keys are errors (`deny_unknown_fields`): a misspelt `expiers` must not
//! silently leave a grant without an expiry.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::claims::{self, Claim, ClaimDecl};
use super::types::{Approvers, Date, GrantType, Lifetime, Sensitivity, Sp};
use crate::registry::policy::{PolicySettings, Target};

/// A file under `scopes/`: scope definitions, one table per scope.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl scope file (scopes/*.toml)")]
pub struct ScopeFile {
    /// Scopes keyed by their full string (`resource:action`), the value that appears in tokens.
    #[serde(default)]
    pub scopes: BTreeMap<Sp<String>, Sp<ScopeDef>>,
}

/// One scope definition: `[scopes."telemetry:read"]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeDef {
    /// What the scope allows, in one sentence. Also the consent text unless `consent_text` is set.
    pub description: Sp<String>,
    /// The accountable owner (a team or a person): the asset inventory entry.
    pub owner: Sp<String>,
    /// How much harm misuse can do: low, medium, high or critical.
    pub sensitivity: Sp<Sensitivity>,
    /// Claims this scope releases into tokens (via a token mapper). A name (`"tenant"`:
    /// the user attribute of that name, into the access token, the ID token (see
    /// `id_token`), userinfo and introspection) or a table saying where the value comes
    /// from and which tokens get it (`{ name = "region", attribute = "sensor_region",
    /// tokens = ["access"] }`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Sp<ClaimDecl>>,
    /// Whether `claims` are also released into ID tokens (default true, as Keycloak's
    /// mappers do). A claim's own `tokens` wins over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Sp<bool>>,
    /// The scope needs fresh authentication (prompt=login / max_age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<Sp<bool>>,
    /// The longest a grant of this scope may last, tighter than the policy's `max_grant_lifetime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_grant: Option<Sp<Lifetime>>,
    /// The scope is being retired: no new grants should use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Sp<bool>>,
    /// The scope that replaces a deprecated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<Sp<String>>,
    /// Text shown on the consent screen, when it should differ from `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_text: Option<Sp<String>>,
    /// Take over a client scope of this name that exists on the server without
    /// scopectl's marker (made by hand): `apply` marks it as scopectl's and writes this
    /// definition. Without it, such a scope is a plan error (`push/unmanaged-scope`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopt: Option<Sp<bool>>,
    /// `false`: the client scope on the server stays as it was made there (written by
    /// `scopectl import` for a scope it did not adopt). `plan` never creates, changes or
    /// deletes it, and still links and unlinks it as the grants say; a missing one is a
    /// plan error (`push/missing-scope`). `adopt = true` wins over it. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<Sp<bool>>,
    /// Whether the scope's name goes into the access token's `scope` claim (Keycloak's
    /// `include.in.token.scope`). Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_token_scope: Option<Sp<bool>>,
    /// Environments (`[targets.NAME] environment`) where this scope is not part of the
    /// contract: it is not pushed there and no grant of it reaches them. Default: none
    /// (a scope is the same contract in every environment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_environments: Vec<Sp<String>>,
}

impl ScopeDef {
    pub fn step_up(&self) -> bool {
        self.step_up.as_ref().is_some_and(|b| **b)
    }
    pub fn deprecated(&self) -> bool {
        self.deprecated.as_ref().is_some_and(|b| **b)
    }
    pub fn adopt(&self) -> bool {
        self.adopt.as_ref().is_some_and(|b| **b)
    }
    /// Does scopectl manage the scope's definition on the server (not `managed = false`,
    /// or `adopt = true`)?
    pub fn managed(&self) -> bool {
        self.adopt() || self.managed.as_ref().is_none_or(|b| **b)
    }
    pub fn in_token_scope(&self) -> bool {
        self.in_token_scope.as_ref().is_none_or(|b| **b)
    }
    pub fn id_token(&self) -> bool {
        self.id_token.as_ref().is_none_or(|b| **b)
    }
    /// The claims the scope releases, defaults applied, in the order written.
    pub fn claim_list(&self) -> Vec<Claim> {
        let id = self.id_token();
        self.claims.iter().map(|c| claims::resolve(c, id)).collect()
    }
    /// The names of the claims the scope releases.
    pub fn claim_names(&self) -> impl Iterator<Item = &str> {
        self.claims.iter().map(|c| c.name())
    }
    pub fn consent_text(&self) -> &str {
        self.consent_text
            .as_ref()
            .map(|s| s.as_str())
            .unwrap_or(self.description.as_str())
    }
}

/// A file under `clients/`: one OAuth client and its grants.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl client file (clients/*.toml)")]
pub struct ClientFile {
    pub client: Sp<ClientDef>,
    /// The scopes this client holds, each with its justification, approver and expiry.
    #[serde(default)]
    pub grants: Vec<Sp<GrantDef>>,
}

/// `[client]`
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientDef {
    /// The client's `client_id` at the authorization server.
    pub id: Sp<String>,
    /// The accountable owner (a team or a person).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sp<String>>,
    /// The Keycloak built-in client scopes (`profile`, `email`, `roles`, `web-origins`,
    /// `acr`, `basic`, …) this client keeps. When set, `apply` links the ones listed and
    /// unlinks every other built-in from the client; when absent, built-ins are left alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin_scopes: Option<Vec<Sp<String>>>,
    /// The environments this client exists in (`["dev", "staging"]`): it and its grants
    /// are pushed only to targets of these environments. Default: every environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<Sp<String>>>,
    /// The client's `client_id` in an environment where it differs from `id`:
    /// `[client.ids] prod = "shop-web-prod"`. `id` stays the client's name in the
    /// registry (findings, `diff`, `report`, exceptions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<Sp<String>, Sp<String>>,
    /// The client is run by another organisation (a partner's app, a vendor's
    /// integration): PII claims must not reach its access tokens
    /// (`client/pii-to-third-party`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party: Option<Sp<bool>>,
}

/// `[[grants]]`: one scope held by the client.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantDef {
    /// The scope granted (a key of some `[scopes."…"]` table).
    pub scope: Sp<String>,
    /// Why the client needs it; cite the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Sp<String>>,
    /// Who approved the grant (an e-mail address or a name), or a list of approvers when
    /// the policy asks for more than one for the scope's sensitivity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<Sp<Approvers>>,
    /// When it was approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Sp<Date>>,
    /// The last day the grant is valid; from the next day on it is expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Sp<Date>>,
    /// `default` (always in the token) or `optional` (only when requested). Default: default.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Sp<GrantType>>,
    /// A change or access-request ticket, for the audit trail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Sp<String>>,
    /// When the grant was last confirmed in an access review (`scopectl review close`
    /// writes it on kept grants); with `approved_on`, what `[policy.review_interval]`
    /// counts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<Sp<Date>>,
    /// Who confirmed it in that review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<Sp<Approvers>>,
    /// The day `scopectl import` found this grant on the server. While the grant lacks a
    /// justification, an approver or an expiry it is governance debt: `lint` counts it in
    /// one `client/import-debt` finding per client, accepted until `max_exception_lifetime`
    /// after this day, instead of a finding per missing field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Sp<Date>>,
    /// The environments this grant reaches (`["dev"]`), within the client's. Default:
    /// every environment the client is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<Sp<String>>>,
}

impl GrantDef {
    pub fn kind(&self) -> GrantType {
        self.kind.as_ref().map(|k| **k).unwrap_or_default()
    }

    /// The last day someone confirmed the grant: the later of `approved_on` and
    /// `reviewed_on`.
    pub fn last_confirmed(&self) -> Option<chrono::NaiveDate> {
        let approved = self.approved_on.as_ref().map(|d| d.0);
        let reviewed = self.reviewed_on.as_ref().map(|d| d.0);
        approved.max(reviewed)
    }
}

/// `scopectl.toml` at the registry root: policy, rule levels and push targets.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl policy file (scopectl.toml)")]
pub struct PolicyFile {
    #[serde(default)]
    pub policy: PolicySettings,
    /// Per-rule level overrides: `"grant/expiring" = "deny"`.
    #[serde(default)]
    pub rules: BTreeMap<Sp<String>, Sp<crate::finding::Level>>,
    /// Authorization servers to push the registry to.
    #[serde(default)]
    pub targets: BTreeMap<Sp<String>, Sp<Target>>,
    /// Teams and their members (also possible in `teams/*.toml`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub teams: BTreeMap<Sp<String>, Sp<TeamDef>>,
    /// Accepted risks: findings that are reported as `accepted` until the exception expires.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Sp<ExceptionDef>>,
}

/// A file under `teams/`: teams and their members, one table per team.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl teams file (teams/*.toml)")]
pub struct TeamsFile {
    #[serde(default)]
    pub teams: BTreeMap<Sp<String>, Sp<TeamDef>>,
}

/// `[teams.NAME]`: a team, the name a scope's or client's `owner` and the policy's
/// approval rules refer to.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamDef {
    /// The people in the team, by e-mail address (compared case-insensitively).
    #[serde(default)]
    pub members: Vec<Sp<String>>,
    /// The team's handle on the code host, for `scopectl codeowners` (`@acme/payments`).
    #[serde(default, alias = "github", skip_serializing_if = "Option::is_none")]
    pub handle: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sp<String>>,
}

/// `[[exceptions]]`: an accepted risk. Findings of `rule` about the subject (a scope, a
/// client, one client's grant of a scope, or a commit) are reported as `accepted` and do
/// not fail the command until `expires`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionDef {
    /// The rule id whose findings are accepted (`grant/self-approval`).
    pub rule: Sp<String>,
    /// The client the findings are about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Sp<String>>,
    /// The scope the findings are about (with `client`: that client's grant of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Sp<String>>,
    /// The commit the findings are about (diff findings), full or abbreviated (7+ hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Sp<String>>,
    /// Why the risk is accepted; cite the ticket.
    pub reason: Sp<String>,
    /// Who accepted it: must be allowed to approve what the exception covers.
    pub approved_by: Sp<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Sp<Date>>,
    /// The last day the exception holds (required; at most the policy's
    /// `max_exception_lifetime` after `approved_on`, or after today without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Sp<Date>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Sp<String>>,
}

/// A file under `reviews/`: one access-review campaign (`scopectl review start NAME`
/// writes `reviews/NAME.toml`; reviewers record decisions; `scopectl review close`
/// applies them to `clients/` and records the result here).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "scopectl access review (reviews/*.toml)")]
pub struct ReviewFile {
    pub review: Sp<ReviewDef>,
    /// One entry per grant under review.
    #[serde(default)]
    pub entries: Vec<Sp<ReviewEntry>>,
}

/// `[review]`: the campaign.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDef {
    /// The day the campaign started (the snapshot's day).
    pub started_on: Sp<Date>,
    /// The day decisions are due (`started_on` + the policy's `review_deadline`).
    pub due: Sp<Date>,
    /// The revision the grants were read from (a commit id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<Sp<String>>,
    /// The filter that chose the grants (`sensitivity>=high`).
    #[serde(rename = "where", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Sp<String>>,
    /// Only grants whose scope or client this team owns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Sp<String>>,
    /// The day `scopectl review close` applied the decisions; a closed campaign takes
    /// no more decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<Sp<Date>>,
    /// What undecided entries took at the close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Sp<Decision>>,
}

/// `[[entries]]`: one grant under review, as it was when the campaign started, and the
/// reviewer's decision.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewEntry {
    pub client: Sp<String>,
    pub scope: Sp<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sp<Sensitivity>>,
    /// The client's owner when the campaign started (never one of the reviewers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_owner: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<Sp<Approvers>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Sp<Date>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Sp<Date>>,
    /// With `review start --usage FILE`: what the usage snapshot says of the grant
    /// (`used`, `unused` or `not-evaluable`, with how sure), and its last use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Sp<Date>>,
    /// Who may decide: teams (or people) from the scope's owner, never the client's own
    /// team.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<Sp<String>>,
    /// `keep` or `revoke`; absent while undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Sp<Decision>>,
    /// Who decided (an e-mail address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<Sp<Date>>,
    /// With `keep`: renew the grant until this day, with the reviewer as approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_expires: Option<Sp<Date>>,
    /// The reviewer's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Sp<String>>,
    /// What the close did: `kept`, `renewed`, `revoked`, `kept-by-default`,
    /// `revoked-by-default`, `gone` (the grant no longer existed) or `changed` (the grant
    /// was changed after the snapshot: not the one reviewed, so nothing was applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Sp<String>>,
}

/// A reviewer's decision on one grant.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Decision {
    /// The grant is still needed.
    Keep,
    /// The grant is removed when the campaign closes.
    Revoke,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
