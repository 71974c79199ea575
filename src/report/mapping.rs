//! Which control each lint rule is evidence for: the rule → control mapping as data, in
//! one place. A lint finding at error level is a gap under every control its rule maps
//! to; a control is `met` only when none exists. The table is published in
//! docs/diff-report.md (a unit test keeps the two equal).
//!
//! Other frameworks (NIST CSF, SOC 2) get a table of the same shape: `(Rule, &[control])`.

use crate::rules::Rule;

/// ISO/IEC 27001:2022 Annex A: every lint rule and the controls it maps to.
pub const ISO_27001: &[(Rule, &[&str])] = &[
    (Rule::ScopeNaming, &["5.15"]),
    (Rule::ScopeBroad, &["5.15", "8.2"]),
    (Rule::ScopeUnused, &["5.15"]),
    (Rule::ScopeSensitiveWithoutStepUp, &["8.2"]),
    (Rule::ScopePiiInIdToken, &["5.15"]),
    (Rule::ScopeUnknownReplacement, &["5.15"]),
    (Rule::GrantUndefinedScope, &["5.15"]),
    (Rule::GrantDuplicate, &["5.18"]),
    (Rule::GrantMissingJustification, &["5.18"]),
    (Rule::GrantMissingApprover, &["5.18"]),
    (Rule::GrantMissingApprovalDate, &["5.18"]),
    (Rule::GrantSelfApproval, &["5.3"]),
    (Rule::GrantApproverUnknown, &["5.18"]),
    (Rule::GrantApproverNotAllowed, &["5.18"]),
    (Rule::GrantTooFewApprovers, &["5.3", "5.18"]),
    (Rule::GrantWeakJustification, &["5.18"]),
    (Rule::GrantMissingExpiry, &["5.18"]),
    (Rule::GrantExpired, &["5.18"]),
    (Rule::GrantExpiring, &["5.18"]),
    (Rule::GrantLifetime, &["5.18"]),
    (Rule::GrantExpiresBeforeApproval, &["5.18"]),
    (Rule::GrantApprovedInFuture, &["5.18"]),
    (Rule::GrantDeprecatedScope, &["5.15"]),
    (Rule::ClientNoOwner, &["5.15"]),
    (Rule::ClientHeaderBudget, &["5.15"]),
    (Rule::ClientUnknownOwner, &["5.15"]),
    // Imported access not yet justified and approved: access rights (5.18).
    (Rule::ClientImportDebt, &["5.18"]),
];

/// Findings of the history (`diff`, and `report`'s own walk of the history up to its
/// revision) and the controls they are gaps under. Who made a change is segregation of
/// duties (5.3): a grant committed by its own approver; and, under `require_signed`,
/// access given in a commit whose signature does not prove who made it.
pub const HISTORY: &[(Rule, &[&str])] = &[
    (Rule::DiffSelfApprovedCommit, &["5.3"]),
    (Rule::DiffUnverifiedCommit, &["5.3"]),
];

/// The controls a history finding's rule maps to ([`HISTORY`]; none for other rules).
pub fn history_controls_of(rule: Rule) -> &'static [&'static str] {
    HISTORY
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, c)| *c)
        .unwrap_or(&[])
}

/// Rules the report checks itself, for every grant, scope or client and whatever
/// `[rules]` says, under the given control: its own gap rows carry the rule id, so a lint
/// finding of the same rule would list the same gap twice and is not added there.
pub const CHECKED_BY_REPORT: &[(Rule, &str)] = &[
    (Rule::GrantUndefinedScope, "5.15"),
    (Rule::ClientNoOwner, "5.15"),
    (Rule::GrantMissingJustification, "5.18"),
    (Rule::GrantMissingApprover, "5.18"),
    (Rule::GrantMissingApprovalDate, "5.18"),
    (Rule::GrantMissingExpiry, "5.18"),
    (Rule::GrantExpired, "5.18"),
    (Rule::GrantSelfApproval, "5.3"),
];

/// The controls `rule` maps to (none for a rule that is not a lint rule).
pub fn controls_of(rule: Rule) -> &'static [&'static str] {
    ISO_27001
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, c)| *c)
        .unwrap_or(&[])
}

/// The rules that map to `control`.
pub fn rules_of(control: &str) -> impl Iterator<Item = Rule> + '_ {
    ISO_27001
        .iter()
        .filter(move |(_, cs)| cs.contains(&control))
        .map(|(r, _)| *r)
}

/// Whether the report's own check of `control` already lists every finding of `rule`.
pub fn checked_by_report(rule: Rule, control: &str) -> bool {
    CHECKED_BY_REPORT
        .iter()
        .any(|(r, c)| *r == rule && *c == control)
}

/// The mapping as the Markdown table published in docs/diff-report.md.
pub fn markdown_table() -> String {
    let mut out =
        String::from("| rule | default level | ISO/IEC 27001:2022 Annex A |\n|---|---|---|\n");
    for (rule, controls) in ISO_27001.iter().chain(HISTORY) {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            rule.id(),
            rule.level().as_str(),
            controls.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_rule_maps_to_a_control_once() {
        let mapped: Vec<Rule> = ISO_27001.iter().map(|(r, _)| *r).collect();
        let lint: Vec<Rule> = crate::lint::rules().collect();
        assert_eq!(mapped, lint, "one row per lint rule, in catalog order");
        assert!(ISO_27001.iter().all(|(_, c)| !c.is_empty()));
    }

    #[test]
    fn what_the_report_checks_itself_is_mapped_to_that_control() {
        for (rule, control) in CHECKED_BY_REPORT {
            assert!(controls_of(*rule).contains(control), "{rule:?} {control}");
        }
    }

    #[test]
    fn the_published_table_is_the_mapping() {
        let doc = include_str!("../../docs/diff-report.md");
        assert!(
            doc.contains(&markdown_table()),
            "docs/diff-report.md must contain:\n{}",
            markdown_table()
        );
    }
}
