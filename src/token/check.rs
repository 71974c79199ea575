//! Checking a decoded token as a whole: its signature ([`super::verify`]), its claims
//! ([`super::findings`]) and the registry's `[rules]` levels, combined into one
//! [`Checked`] with its [`Outcome`]; and finding the registry to check against.
//!
//! Returns data and never prints: [`super::render`] turns a [`Checked`] into text or JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use jsonwebtoken::Algorithm;
use serde::Serialize;

use super::findings::{self, Analysis};
use super::keys::{self, KeySource};
use super::verify::{self, FetchOptions, KeySet, Status, Verification};
use super::Decoded;
pub use crate::finding::Outcome;
use crate::finding::{Finding, Level, Severity};
use crate::registry::policy::Policy;
use crate::registry::{Loaded, Registry};
use crate::rules::Rule;

/// What every token of a run is checked against.
pub struct Checker<'a> {
    /// The clock (unix seconds).
    pub now: i64,
    /// The day grant expiry is evaluated on (`--today`).
    pub today: Option<NaiveDate>,
    pub policy: Policy,
    pub registry: Option<&'a Registry>,
    /// The expected issuer (`--iss`).
    pub iss: Option<&'a str>,
    /// The expected audiences (`--aud`).
    pub aud: &'a [String],
    /// The algorithm allowlist.
    pub allowed: &'a [Algorithm],
    /// `--batch`: lean per-line documents.
    pub batch: bool,
    /// `[rules]` levels from the registry's scopectl.toml.
    pub overrides: HashMap<Rule, Level>,
    /// The scopes the endpoint needs (`--need`); empty: the question is not asked.
    pub need: &'a [String],
    /// The operation the token is sent to (`--endpoint`): its scopes replace `need`.
    pub endpoint: Option<super::endpoint::Target<'a>>,
    /// The environment the token comes from (`--target`'s), when known.
    pub environment: Option<&'a str>,
}

/// Everything known about one token.
pub struct Checked {
    pub decoded: Decoded,
    pub verification: Verification,
    pub analysis: Analysis,
    /// Signature and claim findings, `[rules]` levels applied, errors first.
    pub findings: Vec<Finding>,
    pub now: i64,
    pub header_budget: u64,
    /// Whether an issuer (`--iss`) and an audience (`--aud`, an endpoint's) were expected.
    pub expected: Expected,
    /// `--discover` without `--iss`: the registry target that names the token's issuer.
    pub trusted_by: Option<String>,
    /// The answer to `--need`, when it was asked (with `--endpoint`: for the alternative
    /// of the operation's requirement that was checked).
    pub need: Option<super::need::Need>,
    /// The answer to `--endpoint`, when it was asked.
    pub endpoint: Option<super::endpoint::EndpointAnswer>,
    /// The JWKS documents the signature was checked against, with where each was read.
    pub jwks: Vec<(String, serde_json::Value)>,
    /// Their keys as `scopectl keys` lists them (filled by `keyring::judge_jwks`), one
    /// entry per document: `{"source", "keys": [...]}`.
    pub jwks_keys: Vec<serde_json::Value>,
    /// What the reader should know about the run rather than the token: the `[rules]`
    /// levels decode ignores ([`Checker::ignored_levels`]). Empty in `--batch`.
    pub notes: Vec<String>,
}

impl<'a> Checker<'a> {
    /// A checker at `now` against `registry` (its policy and `[rules]` levels, else the
    /// default policy), with no expected issuer or audience, the default algorithm
    /// allowlist, and full (not `--batch`) results.
    pub fn new(registry: Option<&'a Registry>, now: i64, today: Option<NaiveDate>) -> Self {
        Checker {
            now,
            today,
            policy: registry.map(|r| r.policy.clone()).unwrap_or_default(),
            registry,
            iss: None,
            aud: &[],
            allowed: verify::DEFAULT_ALGORITHMS,
            batch: false,
            need: &[],
            endpoint: None,
            environment: None,
            overrides: registry
                .map(crate::lint::level_overrides)
                .unwrap_or_default(),
        }
    }

    /// Check one token with the keys of `source`; `--discover` asks `--iss`, else the
    /// token's issuer when a registry target names it ([`Checked::trusted_by`]). `Err`:
    /// the message saying why `--discover` does not trust the token's issuer.
    pub fn check_with(
        &self,
        decoded: Decoded,
        sources: &[KeySource],
        fetch: &FetchOptions,
    ) -> Result<Checked, String> {
        let discover = sources.iter().any(|s| matches!(s, KeySource::Discover));
        let token_iss = decoded.claim_str("iss");
        let issuer = keys::discovery_issuer(discover, self.iss, self.registry, token_iss)?;
        let keys = keys::resolve_all(sources, issuer.as_ref().map(|i| i.url.as_str()), fetch);
        let mut checked = self.check(decoded, keys.as_ref().map_err(|e| format!("{e:#}")));
        checked.trusted_by = issuer.and_then(|i| i.trusted_by);
        if let Ok(Some(set)) = &keys {
            checked.jwks = set.documents.clone();
        }
        Ok(checked)
    }

    /// Check `decoded` with `keys` (`Err`: the keys could not be loaded, with why).
    pub fn check(&self, decoded: Decoded, keys: Result<&Option<KeySet>, String>) -> Checked {
        let verification = self.verification(&decoded, keys);
        self.finish(decoded, verification)
    }

    /// The signature's verification with `keys`.
    pub fn verification(
        &self,
        decoded: &Decoded,
        keys: Result<&Option<KeySet>, String>,
    ) -> Verification {
        match keys {
            Ok(k) => verify::verify(decoded, k.as_ref(), self.allowed),
            Err(msg) => Verification {
                status: Status::Unverified,
                alg: decoded.alg().map(str::to_string),
                kid: decoded.kid().map(str::to_string),
                key: None,
                message: format!("signature NOT verified: the key is unusable: {msg}"),
                findings: vec![Finding::error(Rule::TokenKeyUnusable, msg)],
                key_unusable: true,
            },
        }
    }

    /// Check the claims of `decoded` and combine them with `verification` (done by
    /// [`Checker::verification`], or an introspection answer's).
    pub fn finish(&self, decoded: Decoded, verification: Verification) -> Checked {
        let mut analysis = findings::check(
            &decoded,
            &findings::Context {
                now: self.now,
                today: self.today,
                policy: &self.policy,
                registry: self.registry,
                expected_iss: self.iss,
                expected_aud: self.aud,
                describe_times: !self.batch,
                environment: self.environment,
            },
        );
        if verification
            .findings
            .iter()
            .any(|f| f.rule == Rule::TokenInactive)
        {
            // Inactive: the server says nothing more, so there are no claims to judge.
            analysis.findings.clear();
        }
        let mut all: Vec<Finding> = verification.findings.clone();
        all.extend(analysis.findings.iter().cloned());
        let scopes: Vec<String> = analysis.scopes.iter().map(|s| s.scope.clone()).collect();
        // The claims contract speaks only of what the issuer really signed.
        if let (Status::Verified, Some(reg)) = (&verification.status, self.registry) {
            all.extend(findings::claims_outside_contract(&decoded, reg, &scopes));
            all.extend(findings::claims_of_another_shape(&decoded, reg, &scopes));
        }
        let chosen = self.endpoint.map(|t| t.choose(&scopes));
        let needed: Option<Vec<String>> = match (self.endpoint, chosen) {
            (Some(t), Some(i)) => {
                Some(t.operation.requirements.get(i).cloned().unwrap_or_default())
            }
            _ => (!self.need.is_empty()).then(|| self.need.to_vec()),
        };
        let need = needed.map(|needed| {
            let today = self
                .today
                .or_else(|| chrono::DateTime::from_timestamp(self.now, 0).map(|t| t.date_naive()))
                .unwrap_or_else(crate::today_utc);
            // The client `findings::check` found (through `[client.ids]` too).
            let found = self
                .registry
                .zip(analysis.registry_client.as_deref())
                .and_then(|(r, id)| r.clients.get(id));
            let env = analysis.environment.as_deref();
            let reaches = |g: &crate::registry::Grant| match (found, self.registry, env) {
                (Some(c), Some(r), Some(e)) => r.grant_reaches(c, g, e),
                _ => true,
            };
            // A standard OpenID Connect scope needs no definition: not said "undefined".
            let defined = |s: &str| {
                self.registry
                    .map(|r| r.scopes.contains_key(s))
                    .filter(|_| !findings::is_standard_scope(s))
            };
            let (need, findings) = super::need::check(
                &needed,
                &scopes,
                &defined,
                analysis.client.as_deref(),
                found,
                &reaches,
                today,
            );
            all.extend(findings);
            need
        });
        if let Some(t) = self.endpoint.filter(|t| t.operation.step_up) {
            all.extend(self.endpoint_step_up(&decoded, &t));
        }
        let expected = Expected {
            iss: self.iss.is_some(),
            aud: !self.aud.is_empty(),
        };
        // `[rules]` levels are the registry's view: they never lower what a resource
        // server decides (an expired token stays rejected whatever the registry says).
        let (mut all, mut rest): (Vec<Finding>, Vec<Finding>) =
            all.into_iter().partition(|f| rejects(f, expected));
        crate::lint::apply_token_overrides(&mut rest, &self.overrides);
        all.append(&mut rest);
        // Errors first, then warnings, then notes; stable within a level (what decides
        // acceptance first among the errors).
        all.sort_by_key(|d| std::cmp::Reverse(d.severity));
        let endpoint = self.endpoint.map(|t| {
            let mut because: Vec<String> = all
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .filter(|f| {
                    rejects(f, expected)
                        || matches!(f.rule, Rule::TokenNeedMissing)
                        || is_operation_step_up(f)
                })
                .map(|f| f.rule.id().to_string())
                .collect();
            because.dedup();
            let accepted = if !because.is_empty() {
                "no"
            } else if verification.status.trusted() {
                "yes"
            } else {
                "unknown"
            };
            super::endpoint::EndpointAnswer {
                api: t.api.name.clone(),
                audience: t.api.def.audience.get().clone(),
                operation: t.operation.key(),
                requirements: t.operation.requirements.clone(),
                checked: chosen.unwrap_or(0),
                step_up: t.operation.step_up,
                accepted,
                because,
            }
        });
        Checked {
            decoded,
            verification,
            analysis,
            findings: all,
            now: self.now,
            header_budget: self.policy.header_budget,
            expected,
            trusted_by: None,
            need,
            endpoint,
            jwks: Vec::new(),
            jwks_keys: Vec::new(),
            notes: match self.batch {
                true => Vec::new(),
                false => self.ignored_levels(),
            },
        }
    }

    /// One note per rule `[rules]` sets to a level decode does not apply: a rule that is
    /// not configurable (what decides whether a resource server accepts the token, what
    /// says the key cannot check it, the endpoint's need) keeps its level, whatever the
    /// registry says. Never silently: the note says which and why.
    pub fn ignored_levels(&self) -> Vec<String> {
        let mut set: Vec<(Rule, Level)> = self
            .overrides
            .iter()
            .map(|(r, l)| (*r, *l))
            .filter(|(r, l)| r.nameable_in_rules() && !r.configurable() && *l != r.level())
            .collect();
        set.sort_by_key(|(r, _)| *r);
        set.into_iter()
            .map(|(rule, level)| {
                let why = if decides_acceptance(rule) {
                    "decides whether a resource server accepts the token"
                } else if matches!(rule, Rule::TokenKeyUnusable | Rule::TokenKeyMismatch) {
                    "says that the key given cannot check the token"
                } else if rule == Rule::TokenNeedMissing {
                    "says whether the token carries what the endpoint needs (403)"
                } else {
                    "is not a matter of policy"
                };
                let instead = match rule {
                    Rule::TokenExpired | Rule::TokenNotYetValid => {
                        "; to tolerate clocks that differ, set `clock_skew` in [policy]"
                    }
                    Rule::TokenOversize => "; to allow larger headers, set `header_budget` in [policy]",
                    _ => "",
                };
                format!(
                    "[rules] in scopectl.toml sets \"{rule}\" = \"{}\": ignored, it stays `{}`: {rule} {why}, so its level is not configurable{instead}",
                    level.as_str(),
                    rule.level().as_str()
                )
            })
            .collect()
    }

    /// An operation with a step-up hint needs an `auth_time` within `step_up_max_age`.
    fn endpoint_step_up(
        &self,
        decoded: &Decoded,
        t: &super::endpoint::Target<'_>,
    ) -> Option<Finding> {
        let op = crate::text::clean(&t.operation.key()).into_owned();
        let max = self.policy.step_up_max_age.seconds as i64;
        let auth_time = decoded.claims.get("auth_time").and_then(|v| v.as_i64());
        let message = match auth_time {
            None => format!("{OPERATION_STEP_UP}{op}` asks for fresh authentication (step-up), but the token has no `auth_time`"),
            Some(at) if self.now.saturating_sub(at) > max => format!(
                "{OPERATION_STEP_UP}{op}` asks for authentication within {} s (step-up), but the user authenticated {} s before",
                max,
                self.now.saturating_sub(at)
            ),
            Some(_) => return None,
        };
        Some(Finding::error(Rule::TokenStepUpStale, message).help(
            "request the token with max_age (or prompt=login) so the user authenticates again",
        ))
    }
}

/// Would a resource server accept the token? Only signature, algorithm, time, issuer,
/// audience and size decide; the registry's view (scopes, grants, PII) does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum Acceptance {
    /// Signature verified, and no finding a resource server would reject it for.
    Accepted,
    /// Rejected: the rules that decide it (`token/expired`, `token/signature-invalid`, …).
    Rejected { because: Vec<Rule> },
    /// Cannot tell: the signature was not (or could not be) verified.
    Unknown { because: String },
}

/// Does a finding of `rule` (at error level) make a resource server reject the token?
/// The others are policy findings: what the registry says about an acceptable token.
/// `token/iss-missing` and `token/aud-missing` decide only when an issuer or audience is
/// expected (see [`rejects`]).
pub fn decides_acceptance(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::TokenAlgNone
            | Rule::TokenAlgMissing
            | Rule::TokenAlgNotAllowed
            | Rule::TokenAlgConfusion
            | Rule::TokenUnknownKid
            | Rule::TokenSignatureInvalid
            | Rule::TokenSignatureMalformed
            | Rule::TokenCritUnsupported
            | Rule::TokenDuplicateClaim
            | Rule::TokenInvalidClaim
            | Rule::TokenNoExp
            | Rule::TokenExpired
            | Rule::TokenNotYetValid
            | Rule::TokenIssMissing
            | Rule::TokenIssMismatch
            | Rule::TokenAudMissing
            | Rule::TokenAudMismatch
            | Rule::TokenOversize
            | Rule::TokenInactive
            | Rule::KeyUnpublished
    )
}

/// What the resource server is told to expect, which makes a missing `iss` or `aud` a
/// reason to reject the token rather than the registry's view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expected {
    /// `--iss` was given.
    pub iss: bool,
    /// `--aud` was given, or an endpoint's API names its audience.
    pub aud: bool,
}

/// Does `f` make a resource server reject the token? An error of a rule that
/// [decides acceptance](decides_acceptance), judged on the facts: a missing `iss`/`aud`
/// only when one is expected, so a level `[rules]` gives `token/aud-missing` (say `deny`
/// without `--aud`) is policy and never a rejection. The checker applies no `[rules]`
/// level to these findings.
pub fn rejects(f: &Finding, expected: Expected) -> bool {
    f.severity == Severity::Error
        && match f.rule {
            Rule::TokenIssMissing => expected.iss,
            Rule::TokenAudMissing => expected.aud,
            r => decides_acceptance(r),
        }
}

/// How the message of an operation's step-up finding (`--endpoint`) starts, which tells
/// it from a step-up scope's.
const OPERATION_STEP_UP: &str = "operation `";

/// Is `f` the step-up an `--endpoint` operation asks for (not a step-up scope's)?
fn is_operation_step_up(f: &Finding) -> bool {
    f.rule == Rule::TokenStepUpStale && f.message.starts_with(OPERATION_STEP_UP)
}

/// The question of the verdict a finding belongs to: every finding belongs to exactly
/// one, so their counts add up to the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Would a resource server accept the token: what rejects it, and why it could not be
    /// checked (`token/key-unusable`, `token/key-mismatch`).
    Acceptance,
    /// Does it carry what the endpoint needs (`--need`, `--endpoint`): `token/need-missing`
    /// and an operation's step-up.
    Need,
    /// Everything else: the registry's view, at the levels `[rules]` sets.
    Policy,
}

impl Checked {
    /// What acceptance did not check, so "accepted" does not claim it: `issuer` without
    /// `--iss` (or a registry target naming the token's issuer: `trusted_by`), `audience`
    /// without `--aud` (or an endpoint's API audience). A resource server that checks
    /// them may still refuse the token.
    pub fn not_checked(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.expected.iss && self.trusted_by.is_none() {
            out.push("issuer");
        }
        if !self.expected.aud {
            out.push("audience");
        }
        out
    }

    /// The resource server's answer (see [`Acceptance`]).
    pub fn acceptance(&self) -> Acceptance {
        let mut because: Vec<Rule> = Vec::new();
        for f in self.findings.iter().filter(|f| rejects(f, self.expected)) {
            if !because.contains(&f.rule) {
                because.push(f.rule);
            }
        }
        if !because.is_empty() {
            return Acceptance::Rejected { because };
        }
        match self.verification.status {
            s if s.trusted() => Acceptance::Accepted,
            _ if self.verification.key_unusable => Acceptance::Unknown {
                because: "the signature could not be checked with the key given".into(),
            },
            _ => Acceptance::Unknown {
                because: "the signature was not verified".into(),
            },
        }
    }

    /// The question of the verdict `f` belongs to.
    pub fn question(&self, f: &Finding) -> Question {
        if rejects(f, self.expected)
            || matches!(f.rule, Rule::TokenKeyUnusable | Rule::TokenKeyMismatch)
        {
            Question::Acceptance
        } else if f.rule == Rule::TokenNeedMissing || is_operation_step_up(f) {
            Question::Need
        } else {
            Question::Policy
        }
    }

    /// The findings of one question of the verdict.
    pub fn findings_of(&self, q: Question) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| self.question(f) == q)
    }

    /// The findings that are the registry's view, not the resource server's, nor about
    /// the key scopectl was given or what the endpoint needs.
    pub fn policy_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings_of(Question::Policy)
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|d| d.severity == Severity::Error)
    }

    /// Verified, and no error finding.
    pub fn valid(&self) -> bool {
        self.verification.status.trusted() && !self.has_errors()
    }

    pub fn outcome(&self) -> Outcome {
        if self.verification.key_unusable {
            Outcome::Unusable
        } else if self.has_errors() {
            Outcome::Findings
        } else {
            Outcome::Clean
        }
    }
}

/// The registry decode checks against, as [`lookup_registry`] found it.
pub enum RegistryLookup {
    /// No `--registry`, and the current directory does not look like a registry.
    None,
    Found(Registry),
    /// The current directory looks like a registry but cannot be used: check without
    /// it, and show this warning.
    Skipped(String),
    /// `--registry PATH` does not load: its diagnostics, and the error to show after them.
    Broken {
        loaded: Loaded,
        message: String,
    },
}

/// The registry: `--registry PATH` (a failure to load is fatal), else the current
/// directory when it looks like one (a failure is a warning).
pub fn lookup_registry(path: Option<&Path>) -> anyhow::Result<RegistryLookup> {
    lookup_registry_for(path, None)
}

/// [`lookup_registry`] for a token of `client` (its `azp` or `client_id`): when the
/// client's file is `clients/<client>.toml`, only it, the policy, the scope and the team
/// files are read, which is all a token check needs; anything else (no such file, another
/// id in it, a load problem) falls back to reading the whole registry, so the answer and
/// every error are the same as with [`lookup_registry`].
pub fn lookup_registry_for(
    path: Option<&Path>,
    client: Option<&str>,
) -> anyhow::Result<RegistryLookup> {
    let (root, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => {
            let cwd = PathBuf::from(".");
            let looks = ["scopectl.toml", "scopes", "clients"]
                .iter()
                .any(|f| cwd.join(f).exists());
            if !looks {
                return Ok(RegistryLookup::None);
            }
            (cwd, false)
        }
    };
    if let Some(client) = client {
        if let Ok(Some(sources)) = crate::registry::source::read_for_client(&root, client) {
            let mut loaded = Registry::load(sources);
            crate::registry::apis::resolve_dir(&mut loaded, &root);
            if loaded.is_ok() && loaded.registry.clients.contains_key(client) {
                return Ok(RegistryLookup::Found(loaded.registry));
            }
        }
    }
    let loaded = match Registry::load_dir(&root) {
        Ok(l) => l,
        Err(e) if explicit => {
            return Err(e.context(format!("cannot load the registry at {}", root.display())))
        }
        Err(e) => {
            return Ok(RegistryLookup::Skipped(format!(
                "the current directory looks like a registry but cannot be read ({e:#}); checking without it"
            )))
        }
    };
    if loaded.is_ok() {
        return Ok(RegistryLookup::Found(loaded.registry));
    }
    if explicit {
        let message = format!(
            "the registry at {} does not load; fix it (scopectl lint) or pass another --registry",
            root.display()
        );
        return Ok(RegistryLookup::Broken { loaded, message });
    }
    Ok(RegistryLookup::Skipped(
        "the current directory looks like a registry but does not load (see `scopectl lint .`); checking without it".to_string(),
    ))
}
