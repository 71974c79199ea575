//! Policy: the `[policy]` and `[targets.*]` tables of `scopectl.toml`, and the resolved
//! [`Policy`] with every default filled in.

use std::collections::BTreeMap;

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::registry::types::{Lifetime, Sensitivity, Sp};

/// Default scope naming pattern: `resource:action`, lower case, with `-`, `_` or `.` inside.
pub const DEFAULT_SCOPE_PATTERN: &str = r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*:[a-z][a-z0-9_.-]*$";

/// Scope strings that grant everything, or read as if they did.
pub const DEFAULT_FORBIDDEN_SCOPES: &[&str] = &[
    "*",
    "admin",
    "all",
    "root",
    "superuser",
    "full_access",
    "full-access",
    "god",
];

/// Claims treated as personal data by default.
pub const DEFAULT_PII_CLAIMS: &[&str] = &[
    "email",
    "phone_number",
    "address",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "birthdate",
    "gender",
    "picture",
    "national_id",
    "ssn",
];

/// `[policy]` as written. Every key is optional; [`Policy`] fills in the defaults.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// Regular expression every scope name must match. Default: `resource:action` in lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_pattern: Option<Sp<String>>,
    /// Scope names that are never allowed (broad scopes). Any scope containing `*` is also refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forbidden_scopes: Option<Vec<Sp<String>>>,
    /// Longest time between a grant's approval and its expiry. Default "365d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_grant_lifetime: Option<Sp<Lifetime>>,
    /// Warn about grants expiring within this window. Default "30d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_warning: Option<Sp<Lifetime>>,
    /// Every grant needs `approved_by`. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_approver: Option<bool>,
    /// A grant's approver must not be the client's owner. Default true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_must_differ_from_owner: Option<bool>,
    /// Bytes an `Authorization` header may take before servers answer 431. Default 8192.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_budget: Option<u64>,
    /// Bytes of a token's JSON besides the `scope` claim, for the header-size estimate. Default 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_base_size: Option<u64>,
    /// Longest acceptable access-token lifetime (`exp - iat`), for `decode`. Default "15m".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_lifetime: Option<Sp<Lifetime>>,
    /// Allowed clock skew for `nbf`/`iat` in the future, for `decode`. Default "60s".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew: Option<Sp<Lifetime>>,
    /// How recent `auth_time` must be for a `step_up` scope, for `decode`. Default "5m".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up_max_age: Option<Sp<Lifetime>>,
    /// Claims that count as personal data. Default: the OpenID Connect profile, email, phone and address claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii_claims: Option<Vec<Sp<String>>>,
    /// Sensitivities that require `step_up = true`. Default ["high", "critical"].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up_sensitivities: Option<Vec<Sp<Sensitivity>>>,
    /// Who may approve grants of each sensitivity: `[policy.approval.critical]`.
    /// Without a rule any approver counts (any declared person, when teams are declared).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<Sensitivity, Sp<ApprovalRule>>,
    /// Fewest characters a justification may have. Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_justification: Option<Sp<u64>>,
    /// Words that say nothing: a justification made only of these (or an approver that is
    /// one) is a finding. Default: x, tbd, todo, n/a, na, none, test, lgtm, ok, asdf, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder_words: Option<Vec<Sp<String>>>,
    /// Longest an exception may last (from `approved_on`, or from today). Default "90d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exception_lifetime: Option<Sp<Lifetime>>,
    /// Git's allowed-signers file (`gpg.ssh.allowedSignersFile` format), relative to the registry folder and inside it: the SSH keys commit signatures are verified against. `diff` reads this setting and the file at the base revision. Default: none (no signature is verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_signers: Option<Sp<String>>,
    /// `diff` reports every grant change (added, extended, re-approved, made default) in a commit whose signature is not verified (`diff/unverified-commit`). Default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_signed: Option<bool>,
    /// How often grants of each sensitivity must be confirmed in an access review:
    /// `[policy.review_interval] critical = "90d"`. A grant whose last approval or review
    /// is older is `grant/review-due`. Default: no periodic review required.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub review_interval: BTreeMap<Sensitivity, Sp<Lifetime>>,
    /// How long reviewers have to decide in a campaign (`scopectl review start` sets the
    /// due date this far from the start). Default "30d".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_deadline: Option<Sp<Lifetime>>,
    /// Stricter settings for the grants that reach one environment:
    /// `[policy.environments.prod] max_grant_lifetime = "90d"`. `[policy]` applies in
    /// every environment; these add to it, never loosen it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environments: BTreeMap<Sp<String>, Sp<EnvironmentPolicy>>,
    /// The oldest a token-signing key may be before it must be rotated (`scopectl keys`:
    /// `key/too-old`; a key whose creation time the server does not tell is
    /// `key/age-not-evaluable`). Default: no rotation schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_key_age: Option<Sp<Lifetime>>,
}

/// `[policy.environments.NAME]`: settings that are stricter for the grants reaching the
/// environment NAME than `[policy]` is. Each key is optional; a value looser than
/// `[policy]`'s is a load error (it could not loosen anything: `[policy]` still applies).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentPolicy {
    /// Longest time between approval and expiry of a grant reaching the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_grant_lifetime: Option<Sp<Lifetime>>,
    /// Warn this long before such a grant expires (longer than `[policy]`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_warning: Option<Sp<Lifetime>>,
    /// Such grants need `approved_by` (only `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_approver: Option<bool>,
    /// Such grants' approvers must not be the client's owner (only `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver_must_differ_from_owner: Option<bool>,
    /// Fewest characters of such a grant's justification (more than `[policy]`'s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_justification: Option<Sp<u64>>,
    /// Who may approve such grants, per sensitivity: checked as well as `[policy.approval]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<Sensitivity, Sp<ApprovalRule>>,
    /// How often such grants must be reviewed, per sensitivity (shorter than `[policy]`'s).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub review_interval: BTreeMap<Sensitivity, Sp<Lifetime>>,
}

/// `[policy.approval.SENSITIVITY]`: who may approve grants of scopes of that sensitivity.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    /// Approvers must be members of one of these teams. Default: any declared person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Sp<String>>,
    /// How many different allowed people must approve (`approved_by` then holds a list).
    /// Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_approvers: Option<Sp<u64>>,
}

/// Placeholder words by default: a justification made only of these says nothing.
pub const DEFAULT_PLACEHOLDER_WORDS: &[&str] = &[
    "x",
    "xx",
    "xxx",
    "tbd",
    "todo",
    "fixme",
    "n/a",
    "na",
    "none",
    "nothing",
    "test",
    "testing",
    "lgtm",
    "ok",
    "okay",
    "yes",
    "y",
    "approved",
    "approve",
    "asdf",
    "foo",
    "bar",
    "placeholder",
    "-",
    ".",
    "...",
    "?",
    "needed",
    "required",
    "because",
    "access",
    "me",
    "self",
];

/// An approval rule with its defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// Empty: any approver (any declared person when teams are declared).
    pub teams: Vec<String>,
    pub min_approvers: usize,
}

/// Which kind of authorization server a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// Keycloak's Admin REST API.
    Keycloak,
    /// Any server with RFC 7591/7592 dynamic client registration management.
    Rfc7592,
}

/// `[targets.NAME]`: where `plan`, `apply` and `drift` push. Secrets are never written
/// here: only the names of the environment variables or files that hold them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub kind: Sp<TargetKind>,
    /// Base URL of the server (Keycloak: without `/admin`; RFC 7592: the issuer).
    pub url: Sp<String>,
    /// Keycloak realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<Sp<String>>,
    /// Service-account client in `realm` (client_credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<Sp<String>>,
    /// Environment variable holding the service account's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<Sp<String>>,
    /// File holding the service account's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<Sp<String>>,
    /// Environment variable holding a master-realm admin user name (password grant via admin-cli).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_env: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_file: Option<Sp<String>>,
    /// Environment variable holding that admin user's password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_env: Option<Sp<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_file: Option<Sp<String>>,
    /// PEM file of a private CA to trust (TLS is always verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<Sp<String>>,
    /// Turn TLS verification off. Never do this outside a lab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_tls: Option<bool>,
    /// Allow plain `http://` to a host that is not loopback (credentials then travel in
    /// cleartext). Never do this outside a lab. Loopback needs no opt-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_http: Option<bool>,
    /// Per-request timeout. Default "30s".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Sp<Lifetime>>,
    /// How many times a request failing with 429, 5xx, a connection error or a timeout
    /// is retried (default 3, so at most 4 attempts; `SCOPECTL_HTTP_RETRIES` overrides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// The first backoff delay between attempts; it doubles on each retry. Default "250ms".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_base_delay: Option<Sp<Lifetime>>,
    /// The longest `Retry-After` (429/503) that is waited for; a server asking for more
    /// gets no retry. Default "30s".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_max: Option<Sp<Lifetime>>,
    /// Unassign scopectl's scopes from clients that have no registry file (offboarding).
    /// Without it, `plan` and `drift` list such clients as `push/unlisted-client` errors
    /// and `apply` leaves them alone (`apply --revoke-unlisted` does it for one run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_unlisted: Option<bool>,
    /// The environment this target is (`"prod"`): only the clients, grants and scopes of
    /// that environment are pushed to it. Default: the target's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Sp<String>>,
    /// `decode --introspect-target`: the resource server's client that introspects tokens
    /// (default: `client_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_client_id: Option<Sp<String>>,
    /// Environment variable holding that client's secret (default: the target's
    /// `client_secret_env` / `client_secret_file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_secret_env: Option<Sp<String>>,
    /// File holding that client's secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_secret_file: Option<Sp<String>>,
    /// RFC 7592: per client id, where its registration lives.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub clients: BTreeMap<String, RegisteredClient>,
}

/// `[targets.NAME.clients."client-id"]` for an RFC 7592 target.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisteredClient {
    /// The client's `registration_client_uri`.
    pub registration_client_uri: String,
    /// Environment variable holding its registration access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_access_token_env: Option<String>,
    /// File holding its registration access token; rotated tokens are written back here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_access_token_file: Option<String>,
}

/// `scope_pattern`, compiled when first used: the default is a constant that compiles, and
/// commands that never check scope names (`decode`) do not pay for compiling it; a
/// pattern written in `scopectl.toml` is compiled when the registry loads, so a bad one is
/// a load error.
#[derive(Debug, Clone)]
pub struct ScopePattern {
    source: String,
    compiled: std::sync::OnceLock<Regex>,
}

impl ScopePattern {
    fn default_pattern() -> ScopePattern {
        ScopePattern {
            source: DEFAULT_SCOPE_PATTERN.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    fn written(source: &str) -> Result<ScopePattern, regex::Error> {
        let compiled = std::sync::OnceLock::new();
        let _ = compiled.set(Regex::new(source)?);
        Ok(ScopePattern {
            source: source.to_string(),
            compiled,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            // Only the default is compiled here (a written pattern was compiled at load),
            // and it is a constant that compiles: a failure here is a bug.
            Regex::new(&self.source).unwrap_or_else(|_| {
                unreachable!("DEFAULT_SCOPE_PATTERN is a valid regular expression")
            })
        })
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.regex().is_match(name)
    }
}

/// The policy with every default filled in.
#[derive(Debug, Clone)]
pub struct Policy {
    pub scope_pattern: ScopePattern,
    pub forbidden_scopes: Vec<String>,
    pub max_grant_lifetime: Lifetime,
    pub expiry_warning: Lifetime,
    pub require_approver: bool,
    pub approver_must_differ_from_owner: bool,
    pub header_budget: u64,
    pub token_base_size: u64,
    pub access_token_lifetime: Lifetime,
    pub clock_skew: Lifetime,
    pub step_up_max_age: Lifetime,
    pub pii_claims: Vec<String>,
    pub step_up_sensitivities: Vec<Sensitivity>,
    /// Approval rule per sensitivity (missing: any approver, one is enough).
    pub approval: BTreeMap<Sensitivity, Approval>,
    pub min_justification: usize,
    /// Lower-case placeholder words.
    pub placeholder_words: Vec<String>,
    pub max_exception_lifetime: Lifetime,
    /// The allowed-signers file, relative to the registry folder (checked to stay inside it).
    pub allowed_signers: Option<String>,
    pub require_signed: bool,
    /// How often grants of a sensitivity must be reviewed (missing: never required).
    pub review_interval: BTreeMap<Sensitivity, Lifetime>,
    pub review_deadline: Lifetime,
    /// The policy for the grants reaching each environment of `[policy.environments]`:
    /// this policy with the environment's stricter settings (their own `environments`
    /// empty). Environments without an entry use this policy.
    pub environments: BTreeMap<String, Policy>,
    /// The oldest a signing key may be (`scopectl keys`); none: no rotation schedule.
    pub max_key_age: Option<Lifetime>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            scope_pattern: ScopePattern::default_pattern(),
            forbidden_scopes: DEFAULT_FORBIDDEN_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_grant_lifetime: Lifetime::from_seconds(365 * 86_400),
            expiry_warning: Lifetime::from_seconds(30 * 86_400),
            require_approver: true,
            approver_must_differ_from_owner: true,
            header_budget: 8192,
            token_base_size: 1000,
            access_token_lifetime: Lifetime::from_seconds(15 * 60),
            clock_skew: Lifetime::from_seconds(60),
            step_up_max_age: Lifetime::from_seconds(5 * 60),
            pii_claims: DEFAULT_PII_CLAIMS.iter().map(|s| s.to_string()).collect(),
            step_up_sensitivities: vec![Sensitivity::High, Sensitivity::Critical],
            approval: BTreeMap::new(),
            min_justification: 10,
            placeholder_words: DEFAULT_PLACEHOLDER_WORDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            max_exception_lifetime: Lifetime::from_seconds(90 * 86_400),
            allowed_signers: None,
            require_signed: false,
            review_interval: BTreeMap::new(),
            review_deadline: Lifetime::from_seconds(30 * 86_400),
            environments: BTreeMap::new(),
            max_key_age: None,
        }
    }
}

impl Policy {
    /// Resolve the written settings. A bad regular expression is returned as
    /// `Err((message, span))` so the loader can point at it.
    pub fn resolve(s: &PolicySettings) -> Result<Policy, (String, std::ops::Range<usize>)> {
        let mut p = Policy::default();
        if let Some(pattern) = &s.scope_pattern {
            p.scope_pattern = ScopePattern::written(pattern.get()).map_err(|e| {
                (
                    format!("`scope_pattern` is not a valid regular expression: {e}"),
                    pattern.span(),
                )
            })?;
        }
        if let Some(v) = &s.forbidden_scopes {
            p.forbidden_scopes = v.iter().map(|s| s.get().clone()).collect();
        }
        if let Some(v) = &s.max_grant_lifetime {
            p.max_grant_lifetime = v.get().clone();
        }
        if let Some(v) = &s.expiry_warning {
            p.expiry_warning = v.get().clone();
        }
        if let Some(v) = s.require_approver {
            p.require_approver = v;
        }
        if let Some(v) = s.approver_must_differ_from_owner {
            p.approver_must_differ_from_owner = v;
        }
        if let Some(v) = s.header_budget {
            p.header_budget = v;
        }
        if let Some(v) = s.token_base_size {
            p.token_base_size = v;
        }
        if let Some(v) = &s.access_token_lifetime {
            p.access_token_lifetime = v.get().clone();
        }
        if let Some(v) = &s.clock_skew {
            p.clock_skew = v.get().clone();
        }
        if let Some(v) = &s.step_up_max_age {
            p.step_up_max_age = v.get().clone();
        }
        if let Some(v) = &s.max_key_age {
            p.max_key_age = Some(v.get().clone());
        }
        if let Some(v) = &s.pii_claims {
            p.pii_claims = v.iter().map(|s| s.get().clone()).collect();
        }
        if let Some(v) = &s.step_up_sensitivities {
            p.step_up_sensitivities = v.iter().map(|s| **s).collect();
        }
        for (sensitivity, rule) in &s.approval {
            p.approval.insert(*sensitivity, approval_of(rule));
        }
        if let Some(v) = &s.min_justification {
            p.min_justification = usize::try_from(**v).unwrap_or(usize::MAX);
        }
        if let Some(v) = &s.placeholder_words {
            p.placeholder_words = v.iter().map(|w| crate::text::identity_key(w)).collect();
        }
        if let Some(v) = &s.max_exception_lifetime {
            p.max_exception_lifetime = v.get().clone();
        }
        if let Some(v) = &s.allowed_signers {
            if allowed_signers_error(v.get()).is_none() {
                p.allowed_signers = Some(v.get().clone());
            }
        }
        if let Some(v) = s.require_signed {
            p.require_signed = v;
        }
        for (sensitivity, interval) in &s.review_interval {
            p.review_interval
                .insert(*sensitivity, interval.get().clone());
        }
        if let Some(v) = &s.review_deadline {
            p.review_deadline = v.get().clone();
        }
        let mut environments = BTreeMap::new();
        for (name, e) in &s.environments {
            environments.insert(name.get().clone(), p.stricter(name, e)?);
        }
        p.environments = environments;
        Ok(p)
    }

    /// This policy with the stricter settings of `[policy.environments.NAME]`; a setting
    /// that is looser than this policy's is an error pointing at it.
    fn stricter(
        &self,
        name: &str,
        e: &Sp<EnvironmentPolicy>,
    ) -> Result<Policy, (String, std::ops::Range<usize>)> {
        let mut p = self.clone();
        let looser = |key: &str, span: std::ops::Range<usize>, base: String| {
            (
                format!(
                    "`[policy.environments.{name}] {key}` is looser than `[policy]`'s ({base}):                      an environment's policy can only be stricter, `[policy]` applies everywhere"
                ),
                span,
            )
        };
        if let Some(v) = &e.max_grant_lifetime {
            if v.seconds > self.max_grant_lifetime.seconds {
                return Err(looser(
                    "max_grant_lifetime",
                    v.span(),
                    self.max_grant_lifetime.to_string(),
                ));
            }
            p.max_grant_lifetime = v.get().clone();
        }
        if let Some(v) = &e.expiry_warning {
            if v.seconds < self.expiry_warning.seconds {
                return Err(looser(
                    "expiry_warning",
                    v.span(),
                    self.expiry_warning.to_string(),
                ));
            }
            p.expiry_warning = v.get().clone();
        }
        if let Some(v) = e.require_approver {
            if !v && self.require_approver {
                return Err(looser("require_approver", e.span(), "true".into()));
            }
            p.require_approver = v;
        }
        if let Some(v) = e.approver_must_differ_from_owner {
            if !v && self.approver_must_differ_from_owner {
                return Err(looser(
                    "approver_must_differ_from_owner",
                    e.span(),
                    "true".into(),
                ));
            }
            p.approver_must_differ_from_owner = v;
        }
        if let Some(v) = &e.min_justification {
            let n = usize::try_from(**v).unwrap_or(usize::MAX);
            if n < self.min_justification {
                return Err(looser(
                    "min_justification",
                    v.span(),
                    self.min_justification.to_string(),
                ));
            }
            p.min_justification = n;
        }
        for (sensitivity, rule) in &e.approval {
            p.approval.insert(*sensitivity, approval_of(rule));
        }
        for (sensitivity, interval) in &e.review_interval {
            if let Some(base) = self.review_interval.get(sensitivity) {
                if interval.seconds > base.seconds {
                    return Err(looser(
                        &format!("review_interval.{sensitivity}"),
                        interval.span(),
                        base.to_string(),
                    ));
                }
            }
            p.review_interval
                .insert(*sensitivity, interval.get().clone());
        }
        p.environments = BTreeMap::new();
        Ok(p)
    }

    /// The policy for grants reaching `environment`: its `[policy.environments]` entry,
    /// or this policy.
    pub fn for_environment(&self, environment: &str) -> &Policy {
        self.environments.get(environment).unwrap_or(self)
    }

    /// The approval rule for a sensitivity (the default: any approver, one is enough).
    pub fn approval_for(&self, s: Sensitivity) -> Approval {
        self.approval.get(&s).cloned().unwrap_or(Approval {
            teams: Vec::new(),
            min_approvers: 1,
        })
    }

    /// Is `text` empty of meaning: no letter or digit, or only placeholder words?
    pub fn is_placeholder(&self, text: &str) -> bool {
        let key = crate::text::identity_key(text);
        if self.placeholder_words.contains(&key) {
            return true;
        }
        let mut words = key
            .split(|c: char| !c.is_alphanumeric() && c != '/')
            .filter(|w| !w.is_empty())
            .peekable();
        if words.peek().is_none() {
            return true;
        }
        words.all(|w| self.placeholder_words.iter().any(|p| p == w))
    }

    /// Is this scope string broad (forbidden or a wildcard)?
    pub fn is_broad(&self, scope: &str) -> bool {
        scope.contains('*')
            || self
                .forbidden_scopes
                .iter()
                .any(|f| f.eq_ignore_ascii_case(scope))
    }
}

/// An approval rule as written, with its defaults filled in.
fn approval_of(rule: &ApprovalRule) -> Approval {
    Approval {
        teams: rule.teams.iter().map(|t| t.get().clone()).collect(),
        min_approvers: rule
            .min_approvers
            .as_ref()
            .map(|n| usize::try_from(**n).unwrap_or(usize::MAX))
            .unwrap_or(1),
    }
}

/// What is wrong with `[policy] allowed_signers = "PATH"`, if anything: the file must be
/// named relative to the registry folder and stay inside it (a pull request must not be
/// able to point it at a file elsewhere on the machine running the check), so an absolute
/// path, a `..` component or a `\` is refused.
pub fn allowed_signers_error(path: &str) -> Option<String> {
    let absolute =
        path.starts_with('/') || path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':');
    if path.trim().is_empty() {
        Some("`allowed_signers` is empty: name a file relative to the registry folder".into())
    } else if absolute {
        Some(format!(
            "`allowed_signers` must be relative to the registry folder, not absolute: `{path}`"
        ))
    } else if path.contains('\\') {
        Some(format!(
            "`allowed_signers` must use `/` between folders: `{path}`"
        ))
    } else if path.split('/').any(|c| c == "..") {
        Some(format!(
            "`allowed_signers` must stay inside the registry folder: `{path}` has a `..`"
        ))
    } else if path.chars().any(|c| c.is_control()) {
        Some("`allowed_signers` contains a control character".into())
    } else {
        None
    }
}
