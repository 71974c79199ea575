//! What makes the report a document an auditor can file: when it was generated (reproducible
//! with `SOURCE_DATE_EPOCH`), the policy in force at the revision (every setting, and the
//! rule levels that differ from the defaults) and the lint result by rule.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::registry::Registry;

/// The time the report was generated, RFC 3339 in UTC to the second. `source_date_epoch`
/// is the value of `SOURCE_DATE_EPOCH` (reproducible builds): seconds since the epoch;
/// when it is set the report does not depend on the clock. A value that is not a number
/// of seconds is an error (never silently today); an empty value counts as unset.
pub fn generated_at(source_date_epoch: Option<&str>) -> anyhow::Result<String> {
    let t = match source_date_epoch.filter(|s| !s.trim().is_empty()) {
        Some(s) => {
            let secs: i64 = s.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "SOURCE_DATE_EPOCH `{s}` is not a number of seconds since 1970-01-01 UTC"
                )
            })?;
            chrono::DateTime::from_timestamp(secs, 0)
                .ok_or_else(|| anyhow::anyhow!("SOURCE_DATE_EPOCH `{s}` is out of range"))?
        }
        None => chrono::Utc::now(),
    };
    Ok(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// One `[policy]` setting as it is in force. A setting of `[policy.environments.NAME]` is
/// keyed `environments.NAME.KEY`.
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub key: String,
    pub value: String,
    /// `scopectl.toml` when the file sets it, `default` otherwise.
    pub source: &'static str,
}

/// A `[rules]` level that differs from the rule's default.
#[derive(Debug, Clone, Serialize)]
pub struct RuleLevel {
    pub rule: &'static str,
    pub level: &'static str,
    pub default_level: &'static str,
}

/// The policy in force at the revision.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInForce {
    /// Every `[policy]` setting, in the order of the README.
    pub settings: Vec<Setting>,
    /// Rule levels set in `[rules]` that differ from the catalog's defaults, by rule id.
    pub rule_levels: Vec<RuleLevel>,
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

/// `high: 90d, critical: 30d`: a per-sensitivity setting (`review_interval`).
fn per_sensitivity<V: std::fmt::Display>(
    m: &std::collections::BTreeMap<crate::registry::Sensitivity, V>,
) -> String {
    m.iter()
        .map(|(s, v)| format!("{}: {v}", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn approval_text<T: AsRef<str>>(
    sensitivity: crate::registry::Sensitivity,
    min_approvers: usize,
    teams: &[T],
) -> String {
    format!(
        "{sensitivity}: {min_approvers} approver(s) from {}",
        if teams.is_empty() {
            "anyone".to_string()
        } else {
            teams
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(" or ")
        }
    )
}

/// The settings `[policy.environments.NAME]` tables write, as written (each is stricter
/// than `[policy]`'s, or the registry would not load), keyed `environments.NAME.KEY`;
/// with `environment`, only that environment's table.
fn environment_settings(
    written: &crate::registry::policy::PolicySettings,
    environment: Option<&str>,
) -> Vec<Setting> {
    let mut out = Vec::new();
    for (name, e) in written
        .environments
        .iter()
        .filter(|(name, _)| environment.is_none_or(|e| name.as_str() == e))
    {
        let mut row = |key: &str, value: String| {
            out.push(Setting {
                key: format!("environments.{}.{key}", name.as_str()),
                value,
                source: "scopectl.toml",
            })
        };
        if let Some(v) = &e.max_grant_lifetime {
            row("max_grant_lifetime", v.to_string());
        }
        if let Some(v) = &e.expiry_warning {
            row("expiry_warning", v.to_string());
        }
        if let Some(v) = e.require_approver {
            row("require_approver", v.to_string());
        }
        if let Some(v) = e.approver_must_differ_from_owner {
            row("approver_must_differ_from_owner", v.to_string());
        }
        if let Some(v) = &e.min_justification {
            row("min_justification", v.to_string());
        }
        if !e.approval.is_empty() {
            let text = e
                .approval
                .iter()
                .map(|(s, a)| {
                    let min = a.min_approvers.as_ref().map_or(1, |m| **m as usize);
                    let teams: Vec<&str> = a.teams.iter().map(|t| t.as_str()).collect();
                    approval_text(*s, min, &teams)
                })
                .collect::<Vec<_>>()
                .join("; ");
            row(
                "approval",
                format!("{text} (in addition to [policy] approval)"),
            );
        }
        if !e.review_interval.is_empty() {
            row("review_interval", per_sensitivity(&e.review_interval));
        }
    }
    out
}

/// The policy in force in `registry`; with `environment` (`report --env`), in that
/// environment: each setting `[policy.environments.NAME]` makes stricter has that value
/// (set by `scopectl.toml`), `approval` stays `[policy]`'s (the environment's rules are
/// checked as well, listed as its own row), and only that environment's table is listed.
pub fn policy_in_force(registry: &Registry, environment: Option<&str>) -> PolicyInForce {
    let base = &registry.policy;
    let p = environment.map_or(base, |e| base.for_environment(e));
    let written = registry
        .policy_file
        .as_ref()
        .map(|(_, f)| f.policy.clone())
        .unwrap_or_default();
    let env = environment
        .and_then(|e| written.environments.iter().find(|(n, _)| n.as_str() == e))
        .map(|(_, t)| t.get().clone())
        .unwrap_or_default();
    let setting = |key: &str, value: String, set: bool| Setting {
        key: key.to_string(),
        value,
        source: if set { "scopectl.toml" } else { "default" },
    };
    let mut settings = vec![
        setting(
            "scope_pattern",
            p.scope_pattern.as_str().to_string(),
            written.scope_pattern.is_some(),
        ),
        setting(
            "forbidden_scopes",
            list(&p.forbidden_scopes),
            written.forbidden_scopes.is_some(),
        ),
        setting(
            "max_grant_lifetime",
            p.max_grant_lifetime.to_string(),
            written.max_grant_lifetime.is_some() || env.max_grant_lifetime.is_some(),
        ),
        setting(
            "expiry_warning",
            p.expiry_warning.to_string(),
            written.expiry_warning.is_some() || env.expiry_warning.is_some(),
        ),
        setting(
            "require_approver",
            p.require_approver.to_string(),
            written.require_approver.is_some() || env.require_approver.is_some(),
        ),
        setting(
            "approver_must_differ_from_owner",
            p.approver_must_differ_from_owner.to_string(),
            written.approver_must_differ_from_owner.is_some()
                || env.approver_must_differ_from_owner.is_some(),
        ),
        setting(
            "header_budget",
            p.header_budget.to_string(),
            written.header_budget.is_some(),
        ),
        setting(
            "token_base_size",
            p.token_base_size.to_string(),
            written.token_base_size.is_some(),
        ),
        setting(
            "access_token_lifetime",
            p.access_token_lifetime.to_string(),
            written.access_token_lifetime.is_some(),
        ),
        setting(
            "clock_skew",
            p.clock_skew.to_string(),
            written.clock_skew.is_some(),
        ),
        setting(
            "step_up_max_age",
            p.step_up_max_age.to_string(),
            written.step_up_max_age.is_some(),
        ),
        setting(
            "pii_claims",
            list(&p.pii_claims),
            written.pii_claims.is_some(),
        ),
        setting(
            "step_up_sensitivities",
            p.step_up_sensitivities
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            written.step_up_sensitivities.is_some(),
        ),
        setting(
            "approval",
            if base.approval.is_empty() {
                "none: any approver (any declared person when teams are declared)".to_string()
            } else {
                base.approval
                    .iter()
                    .map(|(s, a)| approval_text(*s, a.min_approvers, &a.teams))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            !written.approval.is_empty(),
        ),
        setting(
            "min_justification",
            p.min_justification.to_string(),
            written.min_justification.is_some() || env.min_justification.is_some(),
        ),
        setting(
            "placeholder_words",
            list(&p.placeholder_words),
            written.placeholder_words.is_some(),
        ),
        setting(
            "max_exception_lifetime",
            p.max_exception_lifetime.to_string(),
            written.max_exception_lifetime.is_some(),
        ),
        setting(
            "allowed_signers",
            p.allowed_signers.clone().unwrap_or_else(|| "(none)".into()),
            written.allowed_signers.is_some(),
        ),
        setting(
            "require_signed",
            p.require_signed.to_string(),
            written.require_signed.is_some(),
        ),
        setting(
            "review_interval",
            if p.review_interval.is_empty() {
                "(none: no periodic access review required)".to_string()
            } else {
                per_sensitivity(&p.review_interval)
            },
            !written.review_interval.is_empty() || !env.review_interval.is_empty(),
        ),
        setting(
            "review_deadline",
            p.review_deadline.to_string(),
            written.review_deadline.is_some(),
        ),
        setting(
            "max_key_age",
            p.max_key_age
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "(none: signing-key age not judged)".into()),
            written.max_key_age.is_some(),
        ),
    ];
    settings.extend(environment_settings(&written, environment));
    let mut rule_levels: Vec<RuleLevel> = crate::lint::level_overrides(registry)
        .into_iter()
        .filter(|(rule, level)| *level != rule.level())
        .map(|(rule, level)| RuleLevel {
            rule: rule.id(),
            level: level.as_str(),
            default_level: rule.level().as_str(),
        })
        .collect();
    rule_levels.sort_by_key(|r| r.rule);
    PolicyInForce {
        settings,
        rule_levels,
    }
}

/// Lint findings of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    pub rule: &'static str,
    pub errors: usize,
    pub warnings: usize,
    /// Findings an exception accepts (not counted as errors or warnings).
    #[serde(skip_serializing_if = "is_zero")]
    pub accepted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The lint result at the revision, as of the evaluation date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LintSummary {
    /// The sum of `by_rule[].errors`.
    pub errors: usize,
    /// The sum of `by_rule[].warnings`.
    pub warnings: usize,
    /// The sum of `by_rule[].accepted`: findings an `[[exceptions]]` entry accepts.
    pub accepted: usize,
    /// Rules with at least one finding, by rule id.
    pub by_rule: Vec<RuleCount>,
}

pub fn lint_summary(findings: &[Finding]) -> LintSummary {
    let mut by: BTreeMap<&'static str, (usize, usize, usize)> = BTreeMap::new();
    for f in findings {
        let e = by.entry(f.rule.id()).or_default();
        match (f.severity, &f.accepted) {
            (Severity::Note, _) => {}
            (_, Some(_)) => e.2 += 1,
            (Severity::Error, None) => e.0 += 1,
            (Severity::Warning, None) => e.1 += 1,
        }
    }
    let by_rule: Vec<RuleCount> = by
        .into_iter()
        .filter(|(_, (e, w, a))| e + w + a > 0)
        .map(|(rule, (errors, warnings, accepted))| RuleCount {
            rule,
            errors,
            warnings,
            accepted,
        })
        .collect();
    LintSummary {
        accepted: by_rule.iter().map(|r| r.accepted).sum(),
        errors: by_rule.iter().map(|r| r.errors).sum(),
        warnings: by_rule.iter().map(|r| r.warnings).sum(),
        by_rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_fixes_the_time_and_garbage_is_an_error() {
        assert_eq!(
            generated_at(Some("1790812800")).ok().as_deref(),
            Some("2026-10-01T00:00:00Z")
        );
        assert!(generated_at(Some("yesterday")).is_err());
        assert!(generated_at(None).is_ok_and(|t| t.ends_with('Z')));
    }
}
