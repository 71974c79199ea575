//! What each control of each framework is judged on, as data, in one place: per framework,
//! its controls (id, title, what the registry demonstrates), the evidence kinds each control
//! needs ([`Evidence`]), and which control every lint rule and history rule maps to. A lint
//! finding at error level, and every history finding, is a gap under every control its rule
//! maps to; a control is `met` only when none exists and every evidence kind it needs is
//! there. The tables are published in docs/diff-report.md (ISO) and docs/frameworks.md
//! (all three); unit tests keep the documents equal to them.
//!
//! A new kind of evidence (a review campaign, a usage snapshot) is a new [`Evidence`]
//! variant and a row in each framework's `evidence` table: the controls it serves are
//! `not-evaluable` while its input is missing ([`Evidence::needs_input`]).

use crate::rules::Rule;

/// Evidence the report produces itself from the registry (and its history), whatever the
/// framework; a control is judged on the kinds its framework maps to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Evidence {
    /// Every scope has an accountable owner and a description (no scope: not evaluable).
    ScopeDefinitions,
    /// Every client has an owner and holds only scopes the registry defines.
    ClientInventory,
    /// Every grant records a justification, an approver, an approval date and an expiry,
    /// and none is expired on the evaluation date (no grant: not evaluable).
    GrantRecords,
    /// Grants of high and critical scopes are listed, and those scopes require step-up.
    StepUp,
    /// Four-eyes: no grant approved by its client's owner, nor by the author or committer
    /// of a commit that gave or extended it; under `require_signed`, access given only in
    /// verified commits (the history up to the revision; no approved grant or an incomplete
    /// history: not evaluable; `--no-history`: partial).
    FourEyes,
    /// Periodic access review: campaigns under `reviews/` (`scopectl review start|decide|close`).
    ReviewCampaign,
    /// Which grants are used (tokens issued): a usage snapshot (`report --usage FILE`);
    /// not evaluable without one, and for grants whose evidence is incomplete.
    UsageSnapshot,
}

impl Evidence {
    /// Every kind, in the order a control lists its gaps.
    pub const ALL: [Evidence; 7] = [
        Evidence::ScopeDefinitions,
        Evidence::ClientInventory,
        Evidence::GrantRecords,
        Evidence::StepUp,
        Evidence::FourEyes,
        Evidence::ReviewCampaign,
        Evidence::UsageSnapshot,
    ];

    /// The kind's stable id (`grant-records`).
    pub fn id(self) -> &'static str {
        match self {
            Evidence::ScopeDefinitions => "scope-definitions",
            Evidence::ClientInventory => "client-inventory",
            Evidence::GrantRecords => "grant-records",
            Evidence::StepUp => "step-up",
            Evidence::FourEyes => "four-eyes",
            Evidence::ReviewCampaign => "review-campaign",
            Evidence::UsageSnapshot => "usage-snapshot",
        }
    }

    /// What the report checks for this kind (docs/frameworks.md).
    pub fn checks(self) -> &'static str {
        match self {
            Evidence::ScopeDefinitions => "every scope has an owner and a description; not evaluable when the registry defines no scope",
            Evidence::ClientInventory => "every client has an owner; no client holds a scope that no scope file defines",
            Evidence::GrantRecords => "every grant has a justification, an approver, an approval date and an expiry, and none is expired on the evaluation date; not evaluable when the registry has no grant",
            Evidence::StepUp => "every granted high or critical scope requires step-up authentication",
            Evidence::FourEyes => "no grant approved by its client's owner, nor by the author or committer of a commit that added, extended or re-approved it; with `require_signed`, no access given in a commit whose signature is not verified; not evaluable without an approved grant or with an incomplete history, partial with `--no-history` or while an approved grant's client has no owner",
            Evidence::ReviewCampaign => "access-review campaigns under reviews/ (`scopectl review`): at least one closed, and a `review_interval` in the policy; partial otherwise, and while a grant kept by default at a close (nobody decided it) or changed since the campaign's snapshot (outcome `changed`) is not confirmed since or lint warns `grant/review-due` or `review/overdue` (as errors, those and the other `review/*` findings are lint gaps); a closed campaign recording as revoked a grant still in clients/ is a gap; a closed campaign's record changed or removed after its close is a gap (`diff/review-rewritten`, from the history; partial when the history is not read or incomplete)",
            Evidence::UsageSnapshot => "with `--usage FILE` (a snapshot of `scopectl usage collect`): every grant judged used, unused or not evaluable, and no token carrying a scope the registry does not grant (`usage/ungranted-scope`); not evaluable without a snapshot, partial while some grants are not evaluable",
        }
    }

    /// Why a control that needs this kind is `not-evaluable` when its input was not given
    /// (`None` when the registry alone produces it).
    pub fn needs_input(self) -> Option<&'static str> {
        match self {
            Evidence::UsageSnapshot => Some(
                "no evidence of how access is used: no usage snapshot was given (`scopectl usage collect`, then `report --usage FILE`)",
            ),
            _ => None,
        }
    }
}

/// One control of a framework.
#[derive(Debug)]
pub struct ControlDef {
    /// The framework's id, exactly (`5.15`, `PR.AA-05`, `CC6.1`).
    pub id: &'static str,
    /// A short title (ours, not the framework's text).
    pub title: &'static str,
    /// What the registry demonstrates for it, in our words.
    pub demonstrates: &'static str,
}

/// A framework: its controls and the three mapping tables.
#[derive(Debug)]
pub struct Framework {
    /// The `--framework` value and the JSON `frameworks[].id` (`iso27001`).
    pub key: &'static str,
    /// Its name as a heading (`ISO/IEC 27001:2022 Annex A`).
    pub name: &'static str,
    /// The controls the report evaluates, in report order.
    pub controls: &'static [ControlDef],
    /// Each evidence kind and the controls it serves; a control lists the gaps of its
    /// kinds in this order.
    pub evidence: &'static [(Evidence, &'static [&'static str])],
    /// Every lint rule, in catalog order, and the controls it maps to.
    pub lint: &'static [(Rule, &'static [&'static str])],
    /// The findings of the history (`diff/*`) and the controls they are gaps under.
    pub history: &'static [(Rule, &'static [&'static str])],
    /// The signing-key findings (`key/*`, every one in catalog order) and the controls
    /// they serve. `scopectl keys` judges them against a live server; the report reads
    /// the registry only and never evaluates them.
    pub keys: &'static [(Rule, &'static [&'static str])],
    /// Controls only `scopectl keys` speaks to (not evaluated by the report).
    pub key_controls: &'static [ControlDef],
}

/// The `key/*` rules, each mapped to `control`.
macro_rules! key_rules {
    ($control:literal) => {
        &[
            (Rule::KeyTooOld, &[$control]),
            (Rule::KeyAgeNotEvaluable, &[$control]),
            (Rule::KeyWeak, &[$control]),
            (Rule::KeyAlgMix, &[$control]),
            (Rule::KeyMalformed, &[$control]),
            (Rule::KeyDuplicateKid, &[$control]),
            (Rule::KeyMissingUseAlg, &[$control]),
            (Rule::KeyNoActive, &[$control]),
            (Rule::KeyUnpublished, &[$control]),
        ]
    };
}

impl Framework {
    /// The evidence kinds `control` needs, in table order.
    pub fn evidence_of<'a>(&'a self, control: &'a str) -> impl Iterator<Item = Evidence> + 'a {
        self.evidence
            .iter()
            .filter(move |(_, cs)| cs.contains(&control))
            .map(|(e, _)| *e)
    }

    /// The controls a lint rule maps to (none for a rule that is not a lint rule).
    pub fn controls_of(&self, rule: Rule) -> &'static [&'static str] {
        self.lint
            .iter()
            .find(|(r, _)| *r == rule)
            .map(|(_, c)| *c)
            .unwrap_or(&[])
    }

    /// The lint rules that map to `control`.
    pub fn rules_of<'a>(&'a self, control: &'a str) -> impl Iterator<Item = Rule> + 'a {
        self.lint
            .iter()
            .filter(move |(_, cs)| cs.contains(&control))
            .map(|(r, _)| *r)
    }

    /// Whether the evidence `control` needs already lists every finding of `rule` (then a
    /// lint finding of that rule is not listed a second time there).
    pub fn checked_by_evidence(&self, rule: Rule, control: &str) -> bool {
        self.evidence_of(control)
            .any(|e| CHECKED_BY.iter().any(|(r, k)| *r == rule && *k == e))
    }
}

/// Rules whose findings an evidence kind lists itself, for every grant, scope or client and
/// whatever `[rules]` says (its gap rows carry the rule id), or, for the history rules, the
/// kind whose gaps they are.
pub const CHECKED_BY: &[(Rule, Evidence)] = &[
    (Rule::GrantUndefinedScope, Evidence::ClientInventory),
    (Rule::ClientNoOwner, Evidence::ClientInventory),
    (Rule::UsageUngrantedScope, Evidence::UsageSnapshot),
    (Rule::GrantMissingJustification, Evidence::GrantRecords),
    (Rule::GrantMissingApprover, Evidence::GrantRecords),
    (Rule::GrantMissingApprovalDate, Evidence::GrantRecords),
    (Rule::GrantMissingExpiry, Evidence::GrantRecords),
    (Rule::GrantExpired, Evidence::GrantRecords),
    (Rule::GrantSelfApproval, Evidence::FourEyes),
    (Rule::DiffSelfApprovedCommit, Evidence::FourEyes),
    (Rule::DiffUnverifiedCommit, Evidence::FourEyes),
    (Rule::DiffReviewRewritten, Evidence::ReviewCampaign),
];

/// ISO/IEC 27001:2022 Annex A.
pub const ISO_27001: Framework = Framework {
    key: "iso27001",
    name: "ISO/IEC 27001:2022 Annex A",
    controls: &[
        ControlDef {
            id: "5.15",
            title: "Access control",
            demonstrates: "Access rules are written down as scopes, each with an accountable owner, a description and a sensitivity; clients hold only defined scopes and have owners.",
        },
        ControlDef {
            id: "5.18",
            title: "Access rights",
            demonstrates: "Every grant records why (justification), who approved it and when, and when it ends (expiry); expired grants are removed; access is re-checked in access-review campaigns whose records are kept as closed.",
        },
        ControlDef {
            id: "8.2",
            title: "Privileged access rights",
            demonstrates: "Grants of high and critical scopes are identified and restricted: those scopes require step-up authentication.",
        },
        ControlDef {
            id: "5.3",
            title: "Segregation of duties",
            demonstrates: "No grant is approved by the owner of the client that receives it, nor by the author or committer of the commit that added, extended or re-approved it (four-eyes principle); with `require_signed`, access is given only in commits whose signature is verified, so who made them is proven.",
        },
    ],
    evidence: &[
        (Evidence::ScopeDefinitions, &["5.15"]),
        (Evidence::ClientInventory, &["5.15"]),
        (Evidence::GrantRecords, &["5.18"]),
        (Evidence::ReviewCampaign, &["5.18"]),
        (Evidence::StepUp, &["8.2"]),
        (Evidence::FourEyes, &["5.3"]),
    ],
    lint: &[
        (Rule::ScopeNaming, &["5.15"]),
        (Rule::ScopeBroad, &["5.15", "8.2"]),
        (Rule::ScopeUnused, &["5.15"]),
        (Rule::ScopeSensitiveWithoutStepUp, &["8.2"]),
        (Rule::ScopePiiInIdToken, &["5.15"]),
        (Rule::ScopeClaimSourceConflict, &["5.15"]),
        (Rule::ScopeRegisteredClaim, &["5.15"]),
        (Rule::ScopeUnknownReplacement, &["5.15"]),
        (Rule::ScopeUnknownEnvironment, &["5.15"]),
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
        (Rule::GrantUnknownEnvironment, &["5.18"]),
        (Rule::GrantUnreachableEnvironment, &["5.18"]),
        (Rule::GrantReviewDue, &["5.18"]),
        (Rule::ClientNoOwner, &["5.15"]),
        (Rule::ClientHeaderBudget, &["5.15"]),
        (Rule::ClientUnknownOwner, &["5.15"]),
        (Rule::ClientPiiToThirdParty, &["5.15"]),
        (Rule::ClientUnknownEnvironment, &["5.15"]),
        (Rule::ClientImportDebt, &["5.18"]),
        (Rule::ReviewSelfReview, &["5.3", "5.18"]),
        (Rule::ReviewReviewerNotAllowed, &["5.18"]),
        (Rule::ReviewOverdue, &["5.18"]),
        (Rule::ReviewDecisionDate, &["5.18"]),
        (Rule::UsageUnusedGrant, &["5.18"]),
        (Rule::UsageUnusedScope, &["5.15"]),
        (Rule::UsageOptionalNeverRequested, &["5.18"]),
        (Rule::UsageUngrantedScope, &["5.18"]),
        (Rule::UsageNotEvaluable, &["5.18"]),
        (Rule::ApiUndefinedScope, &["5.15"]),
        (Rule::ApiDeprecatedScope, &["5.15"]),
        (Rule::ApiDescriptionMismatch, &["5.15"]),
        (Rule::ApiDeadScope, &["5.15"]),
        (Rule::ApiMissingStepUp, &["8.2"]),
        (Rule::ApiNoAudience, &["5.18"]),
    ],
    // Who made a change is segregation of duties (5.3): a grant committed by its own
    // approver; and, under `require_signed`, access given in a commit whose signature does
    // not prove who made it.
    history: &[
        (Rule::DiffSelfApprovedCommit, &["5.3"]),
        (Rule::DiffUnverifiedCommit, &["5.3"]),
        (Rule::DiffReviewRewritten, &["5.18"]),
    ],
    keys: key_rules!("8.24"),
    key_controls: &[ControlDef {
        id: "8.24",
        title: "Use of cryptography",
        demonstrates: "Token-signing keys are rotated within `max_key_age` and sound (RSA of 2048 bits or more, one kind of key per kid, published with `use` and `alg`, an active key published): judged by `scopectl keys` against the server, never by `report`.",
    }],
};

/// NIST Cybersecurity Framework (CSF) 2.0: Protect, identity management, authentication
/// and access control (PR.AA), and Detect, continuous monitoring (DE.CM).
pub const NIST_CSF_2: Framework = Framework {
    key: "nist-csf-2",
    name: "NIST CSF 2.0",
    controls: &[
        ControlDef {
            id: "PR.AA-01",
            title: "Identities and credentials managed",
            demonstrates: "Every OAuth client, the identity of a service, is written down with an accountable owner and holds only scopes the registry defines.",
        },
        ControlDef {
            id: "PR.AA-03",
            title: "Authentication",
            demonstrates: "Scopes of high and critical sensitivity require step-up (fresh) authentication before a token carries them.",
        },
        ControlDef {
            id: "PR.AA-05",
            title: "Access permissions, least privilege, separation of duties",
            demonstrates: "Permissions are defined as scopes with owner and description; every grant is justified, approved, dated and time-limited, none is expired, broad scopes are refused, and no grant is approved by its client's owner or by whoever committed it. Periodic review of permissions is part of this outcome and needs review campaign evidence.",
        },
        ControlDef {
            id: "DE.CM-03",
            title: "Personnel activity and technology usage monitored",
            demonstrates: "Which grants are actually used, from the tokens the server issues; needs usage evidence.",
        },
    ],
    evidence: &[
        (Evidence::ScopeDefinitions, &["PR.AA-05"]),
        (Evidence::ClientInventory, &["PR.AA-01"]),
        (Evidence::GrantRecords, &["PR.AA-05"]),
        (Evidence::StepUp, &["PR.AA-03"]),
        (Evidence::FourEyes, &["PR.AA-05"]),
        (Evidence::ReviewCampaign, &["PR.AA-05"]),
        (Evidence::UsageSnapshot, &["DE.CM-03"]),
    ],
    lint: &[
        (Rule::ScopeNaming, &["PR.AA-05"]),
        (Rule::ScopeBroad, &["PR.AA-05"]),
        (Rule::ScopeUnused, &["PR.AA-05"]),
        (Rule::ScopeSensitiveWithoutStepUp, &["PR.AA-03"]),
        (Rule::ScopePiiInIdToken, &["PR.AA-05"]),
        (Rule::ScopeClaimSourceConflict, &["PR.AA-05"]),
        (Rule::ScopeRegisteredClaim, &["PR.AA-05"]),
        (Rule::ScopeUnknownReplacement, &["PR.AA-05"]),
        (Rule::ScopeUnknownEnvironment, &["PR.AA-05"]),
        (Rule::GrantUndefinedScope, &["PR.AA-01"]),
        (Rule::GrantDuplicate, &["PR.AA-05"]),
        (Rule::GrantMissingJustification, &["PR.AA-05"]),
        (Rule::GrantMissingApprover, &["PR.AA-05"]),
        (Rule::GrantMissingApprovalDate, &["PR.AA-05"]),
        (Rule::GrantSelfApproval, &["PR.AA-05"]),
        (Rule::GrantApproverUnknown, &["PR.AA-05"]),
        (Rule::GrantApproverNotAllowed, &["PR.AA-05"]),
        (Rule::GrantTooFewApprovers, &["PR.AA-05"]),
        (Rule::GrantWeakJustification, &["PR.AA-05"]),
        (Rule::GrantMissingExpiry, &["PR.AA-05"]),
        (Rule::GrantExpired, &["PR.AA-05"]),
        (Rule::GrantExpiring, &["PR.AA-05"]),
        (Rule::GrantLifetime, &["PR.AA-05"]),
        (Rule::GrantExpiresBeforeApproval, &["PR.AA-05"]),
        (Rule::GrantApprovedInFuture, &["PR.AA-05"]),
        (Rule::GrantDeprecatedScope, &["PR.AA-05"]),
        (Rule::GrantUnknownEnvironment, &["PR.AA-05"]),
        (Rule::GrantUnreachableEnvironment, &["PR.AA-05"]),
        (Rule::GrantReviewDue, &["PR.AA-05"]),
        (Rule::ClientNoOwner, &["PR.AA-01"]),
        (Rule::ClientHeaderBudget, &["PR.AA-05"]),
        (Rule::ClientUnknownOwner, &["PR.AA-01"]),
        (Rule::ClientPiiToThirdParty, &["PR.AA-05"]),
        (Rule::ClientUnknownEnvironment, &["PR.AA-01"]),
        (Rule::ClientImportDebt, &["PR.AA-05"]),
        (Rule::ReviewSelfReview, &["PR.AA-05"]),
        (Rule::ReviewReviewerNotAllowed, &["PR.AA-05"]),
        (Rule::ReviewOverdue, &["PR.AA-05"]),
        (Rule::ReviewDecisionDate, &["PR.AA-05"]),
        (Rule::UsageUnusedGrant, &["PR.AA-05", "DE.CM-03"]),
        (Rule::UsageUnusedScope, &["PR.AA-05", "DE.CM-03"]),
        (Rule::UsageOptionalNeverRequested, &["PR.AA-05", "DE.CM-03"]),
        (Rule::UsageUngrantedScope, &["PR.AA-05", "DE.CM-03"]),
        (Rule::UsageNotEvaluable, &["DE.CM-03"]),
        (Rule::ApiUndefinedScope, &["PR.AA-05"]),
        (Rule::ApiDeprecatedScope, &["PR.AA-05"]),
        (Rule::ApiDescriptionMismatch, &["PR.AA-05"]),
        (Rule::ApiDeadScope, &["PR.AA-05"]),
        (Rule::ApiMissingStepUp, &["PR.AA-03"]),
        (Rule::ApiNoAudience, &["PR.AA-05"]),
    ],
    history: &[
        (Rule::DiffSelfApprovedCommit, &["PR.AA-05"]),
        (Rule::DiffUnverifiedCommit, &["PR.AA-05"]),
        (Rule::DiffReviewRewritten, &["PR.AA-05"]),
    ],
    keys: key_rules!("PR.DS-02"),
    key_controls: &[ControlDef {
        id: "PR.DS-02",
        title: "Data-in-transit integrity",
        demonstrates: "Tokens travel signed with keys that are rotated within `max_key_age` and sound (RSA of 2048 bits or more, one kind of key per kid, published with `use` and `alg`, an active key published): judged by `scopectl keys` against the server, never by `report`.",
    }],
};

/// SOC 2: the 2017 Trust Services Criteria (points of focus revised in 2022), common
/// criteria for logical access (CC6.1 to CC6.3).
pub const SOC_2: Framework = Framework {
    key: "soc2",
    name: "SOC 2 Trust Services Criteria 2017 (rev. 2022)",
    controls: &[
        ControlDef {
            id: "CC6.1",
            title: "Logical access security",
            demonstrates: "Access to protected resources is expressed as defined scopes with owners and descriptions; clients are inventoried with owners and hold only defined scopes; high and critical scopes require step-up authentication.",
        },
        ControlDef {
            id: "CC6.2",
            title: "Registration, authorization and removal of access",
            demonstrates: "Before access is given it is recorded with why, who approved it and when; it ends on an expiry date, and expired access is removed.",
        },
        ControlDef {
            id: "CC6.3",
            title: "Access by role, least privilege, segregation of duties",
            demonstrates: "No grant is approved by its client's owner or by whoever committed it; broad scopes are refused. Periodic review of access is part of this criterion and needs review campaign evidence.",
        },
    ],
    evidence: &[
        (Evidence::ScopeDefinitions, &["CC6.1"]),
        (Evidence::ClientInventory, &["CC6.1"]),
        (Evidence::GrantRecords, &["CC6.2"]),
        (Evidence::StepUp, &["CC6.1"]),
        (Evidence::FourEyes, &["CC6.3"]),
        (Evidence::ReviewCampaign, &["CC6.3"]),
    ],
    lint: &[
        (Rule::ScopeNaming, &["CC6.1"]),
        (Rule::ScopeBroad, &["CC6.1", "CC6.3"]),
        (Rule::ScopeUnused, &["CC6.1"]),
        (Rule::ScopeSensitiveWithoutStepUp, &["CC6.1"]),
        (Rule::ScopePiiInIdToken, &["CC6.1"]),
        (Rule::ScopeClaimSourceConflict, &["CC6.1"]),
        (Rule::ScopeRegisteredClaim, &["CC6.1"]),
        (Rule::ScopeUnknownReplacement, &["CC6.1"]),
        (Rule::ScopeUnknownEnvironment, &["CC6.1"]),
        (Rule::GrantUndefinedScope, &["CC6.1"]),
        (Rule::GrantDuplicate, &["CC6.2"]),
        (Rule::GrantMissingJustification, &["CC6.2"]),
        (Rule::GrantMissingApprover, &["CC6.2"]),
        (Rule::GrantMissingApprovalDate, &["CC6.2"]),
        (Rule::GrantSelfApproval, &["CC6.3"]),
        (Rule::GrantApproverUnknown, &["CC6.2"]),
        (Rule::GrantApproverNotAllowed, &["CC6.2"]),
        (Rule::GrantTooFewApprovers, &["CC6.2", "CC6.3"]),
        (Rule::GrantWeakJustification, &["CC6.2"]),
        (Rule::GrantMissingExpiry, &["CC6.2"]),
        (Rule::GrantExpired, &["CC6.2"]),
        (Rule::GrantExpiring, &["CC6.2"]),
        (Rule::GrantLifetime, &["CC6.2"]),
        (Rule::GrantExpiresBeforeApproval, &["CC6.2"]),
        (Rule::GrantApprovedInFuture, &["CC6.2"]),
        (Rule::GrantDeprecatedScope, &["CC6.3"]),
        (Rule::GrantUnknownEnvironment, &["CC6.2"]),
        (Rule::GrantUnreachableEnvironment, &["CC6.2"]),
        (Rule::GrantReviewDue, &["CC6.3"]),
        (Rule::ClientNoOwner, &["CC6.1"]),
        (Rule::ClientHeaderBudget, &["CC6.1"]),
        (Rule::ClientUnknownOwner, &["CC6.1"]),
        (Rule::ClientPiiToThirdParty, &["CC6.1"]),
        (Rule::ClientUnknownEnvironment, &["CC6.1"]),
        (Rule::ClientImportDebt, &["CC6.2"]),
        (Rule::ReviewSelfReview, &["CC6.3"]),
        (Rule::ReviewReviewerNotAllowed, &["CC6.3"]),
        (Rule::ReviewOverdue, &["CC6.3"]),
        (Rule::ReviewDecisionDate, &["CC6.3"]),
        (Rule::UsageUnusedGrant, &["CC6.3"]),
        (Rule::UsageUnusedScope, &["CC6.1"]),
        (Rule::UsageOptionalNeverRequested, &["CC6.3"]),
        (Rule::UsageUngrantedScope, &["CC6.2"]),
        (Rule::UsageNotEvaluable, &["CC6.3"]),
        (Rule::ApiUndefinedScope, &["CC6.1"]),
        (Rule::ApiDeprecatedScope, &["CC6.1"]),
        (Rule::ApiDescriptionMismatch, &["CC6.1"]),
        (Rule::ApiDeadScope, &["CC6.1"]),
        (Rule::ApiMissingStepUp, &["CC6.1"]),
        (Rule::ApiNoAudience, &["CC6.3"]),
    ],
    history: &[
        (Rule::DiffSelfApprovedCommit, &["CC6.3"]),
        (Rule::DiffUnverifiedCommit, &["CC6.3"]),
        (Rule::DiffReviewRewritten, &["CC6.3"]),
    ],
    // CC6.1's points of focus include protecting encryption keys; the report judges
    // CC6.1 on the registry only, `scopectl keys` on the server's keys.
    keys: key_rules!("CC6.1"),
    key_controls: &[],
};

/// Every framework, in the order of the documentation.
pub const FRAMEWORKS: [&Framework; 3] = [&ISO_27001, &NIST_CSF_2, &SOC_2];

/// One framework's rule mapping as the Markdown table published in docs/diff-report.md.
pub fn markdown_table(f: &Framework) -> String {
    let mut out = format!("| rule | default level | {} |\n|---|---|---|\n", f.name);
    for (rule, controls) in f.lint.iter().chain(f.history).chain(f.keys) {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            rule.id(),
            rule.level().as_str(),
            controls.join(", ")
        ));
    }
    out
}

fn header(first: &str) -> String {
    let mut out = format!("| {first} |");
    let mut rule = String::from("|---|");
    for f in FRAMEWORKS {
        out.push_str(&format!(" {} |", f.name));
        rule.push_str("---|");
    }
    format!("{out}\n{rule}\n")
}

/// Every rule and the controls it maps to in each framework, one column per framework
/// (docs/frameworks.md).
pub fn markdown_rules_table() -> String {
    let mut out = header("rule (default level)");
    for (rule, _) in ISO_27001
        .lint
        .iter()
        .chain(ISO_27001.history)
        .chain(ISO_27001.keys)
    {
        out.push_str(&format!("| `{}` ({}) |", rule.id(), rule.level().as_str()));
        for f in FRAMEWORKS {
            let controls = f
                .lint
                .iter()
                .chain(f.history)
                .chain(f.keys)
                .find(|(r, _)| r == rule)
                .map(|(_, c)| c.join(", "))
                .unwrap_or_default();
            out.push_str(&format!(" {controls} |"));
        }
        out.push('\n');
    }
    out
}

/// Every evidence kind and the controls it serves in each framework (docs/frameworks.md).
pub fn markdown_evidence_table() -> String {
    let mut out = header("evidence");
    for e in Evidence::ALL {
        out.push_str(&format!("| `{}` |", e.id()));
        for f in FRAMEWORKS {
            let controls = f
                .evidence
                .iter()
                .find(|(k, _)| *k == e)
                .map(|(_, c)| c.join(", "))
                .unwrap_or_else(|| "—".into());
            out.push_str(&format!(" {controls} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_rule_maps_to_a_control_once_in_every_framework() {
        let lint: Vec<Rule> = crate::lint::rules().collect();
        for f in FRAMEWORKS {
            let mapped: Vec<Rule> = f.lint.iter().map(|(r, _)| *r).collect();
            assert_eq!(
                mapped, lint,
                "{}: one row per lint rule, in catalog order",
                f.key
            );
            assert!(f.lint.iter().all(|(_, c)| !c.is_empty()), "{}", f.key);
            let history: Vec<Rule> = f.history.iter().map(|(r, _)| *r).collect();
            assert_eq!(
                history,
                [
                    Rule::DiffSelfApprovedCommit,
                    Rule::DiffUnverifiedCommit,
                    Rule::DiffReviewRewritten
                ],
                "{}",
                f.key
            );
        }
    }

    #[test]
    fn every_control_id_is_mapped_and_every_mapped_id_is_a_control() {
        for f in FRAMEWORKS {
            let ids: Vec<&str> = f.controls.iter().map(|c| c.id).collect();
            let mut seen = std::collections::HashSet::new();
            assert!(
                ids.iter().all(|id| seen.insert(*id)),
                "{}: ids twice",
                f.key
            );
            for (_, cs) in f.lint.iter().chain(f.history) {
                assert!(cs.iter().all(|c| ids.contains(c)), "{}: {cs:?}", f.key);
            }
            for (e, cs) in f.evidence {
                assert!(cs.iter().all(|c| ids.contains(c)), "{}: {e:?}", f.key);
            }
            let keys: Vec<Rule> = f.keys.iter().map(|(r, _)| *r).collect();
            let catalog: Vec<Rule> = Rule::of(crate::rules::Family::Key).collect();
            assert_eq!(
                keys, catalog,
                "{}: every key/* rule, in catalog order",
                f.key
            );
            let key_ids: Vec<&str> = f.key_controls.iter().map(|c| c.id).collect();
            for (_, cs) in f.keys {
                assert!(
                    cs.iter().all(|c| ids.contains(c) || key_ids.contains(c)),
                    "{}: {cs:?}",
                    f.key
                );
            }
            assert!(key_ids.iter().all(|k| !ids.contains(k)), "{}", f.key);
            for id in &ids {
                let served = f.evidence_of(id).count() > 0 || f.rules_of(id).count() > 0;
                assert!(served, "{}: {id} is judged on nothing", f.key);
            }
        }
    }

    #[test]
    fn what_an_evidence_kind_checks_itself_is_mapped_to_the_controls_it_serves() {
        // Its rule maps to every control the kind serves (so the gap rows carry a rule that
        // the published table lists there), and history rules map only to controls whose
        // evidence lists their findings (or those findings would be shown nowhere).
        for f in FRAMEWORKS {
            for (rule, kind) in CHECKED_BY {
                let controls = f
                    .lint
                    .iter()
                    .chain(f.history)
                    .find(|(r, _)| r == rule)
                    .map(|(_, c)| *c)
                    .unwrap_or(&[]);
                for (k, served) in f.evidence {
                    if k == kind {
                        for c in *served {
                            assert!(controls.contains(c), "{}: {rule:?} {c}", f.key);
                        }
                    }
                }
            }
            for (rule, controls) in f.history {
                for c in *controls {
                    assert!(f.checked_by_evidence(*rule, c), "{}: {rule:?} {c}", f.key);
                }
            }
        }
    }

    #[test]
    fn evidence_that_needs_input_is_never_met_without_it() {
        for e in Evidence::ALL {
            let input = matches!(e, Evidence::UsageSnapshot);
            assert_eq!(e.needs_input().is_some(), input, "{e:?}");
        }
        // The periodic-review and monitoring controls need them.
        assert!(NIST_CSF_2
            .evidence_of("PR.AA-05")
            .any(|e| e == Evidence::ReviewCampaign));
        assert!(NIST_CSF_2
            .evidence_of("DE.CM-03")
            .any(|e| e == Evidence::UsageSnapshot));
        assert!(SOC_2
            .evidence_of("CC6.3")
            .any(|e| e == Evidence::ReviewCampaign));
    }

    #[test]
    fn the_published_tables_are_the_mapping() {
        let doc = include_str!("../../docs/diff-report.md");
        let iso = markdown_table(&ISO_27001);
        assert!(
            doc.contains(&iso),
            "docs/diff-report.md must contain:\n{iso}"
        );
        let doc = include_str!("../../docs/frameworks.md");
        for table in [markdown_rules_table(), markdown_evidence_table()] {
            assert!(
                doc.contains(&table),
                "docs/frameworks.md must contain:\n{table}"
            );
        }
        for e in Evidence::ALL {
            let row = format!("| `{}` | {} |", e.id(), e.checks());
            assert!(
                doc.contains(&row),
                "docs/frameworks.md must contain:\n{row}"
            );
        }
        for f in FRAMEWORKS {
            for c in f.controls.iter().chain(f.key_controls) {
                assert!(
                    doc.contains(&format!("| {} |", c.id)),
                    "docs/frameworks.md must describe {} {}",
                    f.key,
                    c.id
                );
            }
        }
    }
}
