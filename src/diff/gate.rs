//! The gate of `scopectl diff` (`--fail-on`): which conditions of a [`DiffReport`] make
//! it fail (exit 3). A pure decision on the report, so the command only maps the answer
//! to an outcome.

use super::render::DiffReport;
use super::{Class, WEAKENING_RULES};
use crate::rules::Rule;

/// A condition `diff` can fail on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum FailOn {
    /// At least one breaking change.
    Breaking,
    /// At least one weakening finding ([`WEAKENING_RULES`]: a policy setting, a push
    /// target, a scope control, a grant changed without a new approval).
    Weakened,
    /// At least one change that gives a client more access (new access needs approval).
    AccessAdded,
    /// At least one finding of any kind (four-eyes included).
    Findings,
    /// At least one `diff/unverified-commit` finding (only `[policy] require_signed`
    /// makes them): access given in a commit whose signature is not verified.
    Unverified,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What `diff` fails on when `--fail-on` is not given.
/// `unverified` only fires under `[policy] require_signed`, so a registry that does not
/// ask for signatures fails on breaking changes and weakenings alone.
pub const DEFAULT_FAIL_ON: &[FailOn] = &[FailOn::Breaking, FailOn::Weakened, FailOn::Unverified];

/// Is `condition` present in the report?
pub fn present(report: &DiffReport, condition: FailOn) -> bool {
    match condition {
        FailOn::Breaking => report.changes.iter().any(|c| c.class == Class::Breaking),
        FailOn::Weakened => report
            .findings
            .iter()
            .any(|f| f.accepted.is_none() && WEAKENING_RULES.contains(&f.rule)),
        FailOn::AccessAdded => report.changes.iter().any(|c| c.class == Class::AccessAdded),
        // An accepted finding (an exception of the base revision covers it) does not fail.
        FailOn::Findings => report.findings.iter().any(|f| f.accepted.is_none()),
        FailOn::Unverified => report
            .findings
            .iter()
            .any(|f| f.accepted.is_none() && f.rule == Rule::DiffUnverifiedCommit),
    }
}

/// The selected conditions that are present, in the order given, each once: the diff
/// fails (exit 3) when this is not empty.
pub fn failing(report: &DiffReport, fail_on: &[FailOn]) -> Vec<FailOn> {
    let mut out: Vec<FailOn> = Vec::new();
    for &c in fail_on {
        if !out.contains(&c) && present(report, c) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::render::Side;
    use crate::diff::{Change, Kind, Subject};
    use crate::finding::Finding;

    fn report(classes: &[Class], rules: &[Rule]) -> DiffReport {
        let side = || Side {
            rev: "x".into(),
            commit: None,
        };
        let changes = classes
            .iter()
            .map(|c| Change::new(Kind::GrantAdded, *c, Subject::Policy))
            .collect();
        let findings = rules.iter().map(|r| Finding::of(*r, "m")).collect();
        DiffReport::new(side(), side(), String::new(), changes, findings)
    }

    use FailOn::*;

    #[test]
    fn default_fails_on_breaking_and_weakening_only() {
        let r = report(&[Class::Breaking], &[]);
        assert_eq!(failing(&r, DEFAULT_FAIL_ON), vec![Breaking]);
        for rule in WEAKENING_RULES {
            let r = report(&[Class::Metadata], &[*rule]);
            assert_eq!(failing(&r, DEFAULT_FAIL_ON), vec![Weakened], "{rule}");
        }
        let r = report(
            &[Class::AccessAdded, Class::AccessRemoved, Class::Metadata],
            &[Rule::DiffSelfApprovedCommit],
        );
        assert!(failing(&r, DEFAULT_FAIL_ON).is_empty());
        assert!(failing(&report(&[], &[]), DEFAULT_FAIL_ON).is_empty());
        let r = report(&[Class::AccessAdded], &[Rule::DiffUnverifiedCommit]);
        assert_eq!(failing(&r, DEFAULT_FAIL_ON), vec![Unverified]);
        assert!(failing(&r, &[Breaking, Weakened]).is_empty());
    }

    #[test]
    fn access_added_and_findings_are_opt_in() {
        let r = report(&[Class::AccessAdded], &[Rule::DiffSelfApprovedCommit]);
        assert_eq!(failing(&r, &[AccessAdded]), vec![AccessAdded]);
        assert_eq!(failing(&r, &[Findings]), vec![Findings]);
        assert!(failing(&r, &[Breaking, Weakened]).is_empty());
    }

    #[test]
    fn breaking_alone_lets_a_weakening_through() {
        let r = report(&[Class::Metadata], &[Rule::DiffScopeWeakened]);
        assert!(failing(&r, &[Breaking]).is_empty());
        assert_eq!(failing(&r, &[Findings]), vec![Findings]);
    }

    #[test]
    fn each_condition_is_reported_once_in_the_order_given() {
        let r = report(
            &[Class::Breaking, Class::AccessAdded],
            &[Rule::DiffPolicyWeakened],
        );
        assert_eq!(
            failing(&r, &[Findings, Breaking, Findings, AccessAdded, Weakened]),
            vec![Findings, Breaking, AccessAdded, Weakened]
        );
        assert!(failing(&r, &[]).is_empty());
    }
}
