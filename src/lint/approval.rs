//! Who approved a grant, and why: `grant/missing-approver`, `grant/approver-unknown`,
//! `grant/self-approval`, `grant/approver-not-allowed`, `grant/too-few-approvers`,
//! `grant/missing-justification` and `grant/weak-justification`.
//!
//! The approval model (README, "Who may approve"): approvers are people; with teams
//! declared, every approver must be a member of one. Nobody in the client's owner team
//! approves the client's grants. `[policy.approval.SENSITIVITY]` may restrict approvers
//! to some teams and ask for several different ones.

use super::{finding, Sink};
use crate::registry::{Client, Grant, Registry, Scope};
use crate::rules::Rule;
use crate::text::{clean, identity_key};

pub(super) fn check(
    reg: &Registry,
    client: &Client,
    g: &Grant,
    scope: Option<&Scope>,
    sink: &mut Sink<'_>,
) {
    justification(reg, client, g, sink);
    let policy = &reg.policy;
    let people = &reg.people;
    let def = &g.def;
    let file = g.file;
    let (cid, scope_name) = (client.id.as_str(), g.scope());
    let approvers: Vec<(&str, std::ops::Range<usize>)> = def
        .approved_by
        .as_ref()
        .map(|a| a.located(a.span()))
        .unwrap_or_default()
        .into_iter()
        .filter(|(a, _)| !a.trim().is_empty())
        .collect();
    if approvers.is_empty() {
        if policy.require_approver {
            sink.push(
                Rule::GrantMissingApprover,
                finding(
                    Rule::GrantMissingApprover,
                    format!("grant of `{scope_name}` to `{cid}` has no approver"),
                )
                .at(
                    file,
                    def.approved_by
                        .as_ref()
                        .map(|a| a.span())
                        .unwrap_or(def.scope.span()),
                    "this grant",
                )
                .help("add `approved_by = \"name@example.com\"` and `approved_on = YYYY-MM-DD`"),
            );
        }
        return;
    }
    let sensitivity = scope.map(|s| *s.def.sensitivity.get());
    let rule = sensitivity.map(|s| (s, policy.approval_for(s)));
    let owner = client.def.owner.as_ref().filter(|o| !o.trim().is_empty());
    // Identity keys of the approvers that count towards `min_approvers`.
    let mut counted: Vec<String> = Vec::new();
    for (a, span) in &approvers {
        let key = identity_key(a);
        if counted.contains(&key) {
            continue;
        }
        if policy.is_placeholder(a) && !people.is_person(a) {
            sink.push(
                Rule::GrantApproverUnknown,
                finding(
                    Rule::GrantApproverUnknown,
                    format!(
                        "grant of `{scope_name}` to `{cid}` is approved by `{}`, which does not name a person",
                        clean(a)
                    ),
                )
                .at(file, span.clone(), "not a person")
                .help("write the approver's e-mail address; declare teams with their members so approvers can be checked"),
            );
            continue;
        }
        if people.declared() && !people.is_person(a) {
            let mut d = finding(
                Rule::GrantApproverUnknown,
                format!(
                    "grant of `{scope_name}` to `{cid}` is approved by `{}`, who is not a member of any declared team",
                    clean(a)
                ),
            )
            .at(file, span.clone(), "unknown approver");
            d = match people.team(a) {
                Some(_) => d.help("approvers are people, not teams: name the person who approved"),
                None => d.help("add them to a team's `members` in scopectl.toml or teams/*.toml, or correct the address"),
            };
            sink.push(Rule::GrantApproverUnknown, d);
            continue;
        }
        if let Some(owner) =
            owner.filter(|o| policy.approver_must_differ_from_owner && people.belongs_to(a, o))
        {
            let why = if crate::text::same_identity(a, owner) {
                "the client's owner".to_string()
            } else {
                format!("a member of the client's owner team `{}`", clean(owner))
            };
            sink.push(
                Rule::GrantSelfApproval,
                finding(
                    Rule::GrantSelfApproval,
                    format!(
                        "grant of `{scope_name}` to `{cid}` is approved by `{}`, {why}",
                        clean(a)
                    ),
                )
                .at(file, span.clone(), "approver")
                .also(file, owner.span(), "client owner")
                .help(
                    "have someone outside the client's owner team approve it (four-eyes principle)",
                ),
            );
            continue;
        }
        if let Some((s, r)) = &rule {
            if !r.teams.is_empty() && !r.teams.iter().any(|t| people.is_member(a, t)) {
                sink.push(
                    Rule::GrantApproverNotAllowed,
                    finding(
                        Rule::GrantApproverNotAllowed,
                        format!(
                            "`{}` may not approve the {s} grant of `{scope_name}` to `{cid}`: approvers of {s} grants are members of {}",
                            clean(a),
                            r.teams.iter().map(|t| format!("`{}`", clean(t))).collect::<Vec<_>>().join(" or ")
                        ),
                    )
                    .at(file, span.clone(), "not allowed")
                    .help(format!("[policy.approval.{s}] in scopectl.toml says who may approve")),
                );
                continue;
            }
        }
        counted.push(key);
    }
    if let Some((s, r)) = &rule {
        if r.min_approvers > 1 && counted.len() < r.min_approvers {
            sink.push(
                Rule::GrantTooFewApprovers,
                finding(
                    Rule::GrantTooFewApprovers,
                    format!(
                        "the {s} grant of `{scope_name}` to `{cid}` needs {} different allowed approvers and has {}",
                        r.min_approvers,
                        counted.len()
                    ),
                )
                .at(
                    file,
                    def.approved_by
                        .as_ref()
                        .map(|a| a.span())
                        .unwrap_or(def.scope.span()),
                    "approvers",
                )
                .help(format!(
                    "write `approved_by = [\"one@example.com\", \"two@example.com\"]`; [policy.approval.{s}] sets min_approvers"
                )),
            );
        }
    }
}

fn justification(reg: &Registry, client: &Client, g: &Grant, sink: &mut Sink<'_>) {
    let def = &g.def;
    let (file, cid, scope_name) = (g.file, client.id.as_str(), g.scope());
    let Some(j) = &def.justification else {
        sink.push(
            Rule::GrantMissingJustification,
            finding(
                Rule::GrantMissingJustification,
                format!("grant of `{scope_name}` to `{cid}` has no justification"),
            )
            .at(file, def.scope.span(), "this grant")
            .help("add `justification = \"...\"`: why the client needs it, with the ticket"),
        );
        return;
    };
    if j.trim().is_empty() {
        sink.push(
            Rule::GrantMissingJustification,
            finding(
                Rule::GrantMissingJustification,
                format!("grant of `{scope_name}` to `{cid}` has an empty justification"),
            )
            .at(file, j.span(), "empty")
            .help("say why the client needs the scope and cite the ticket"),
        );
        return;
    }
    let policy = &reg.policy;
    let length = j.trim().chars().count();
    let problem = if policy.is_placeholder(j) {
        Some("says nothing (only placeholder words)".to_string())
    } else if length < policy.min_justification {
        Some(format!(
            "is {length} character{} long; the policy asks for at least {}",
            if length == 1 { "" } else { "s" },
            policy.min_justification
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        sink.push(
            Rule::GrantWeakJustification,
            finding(
                Rule::GrantWeakJustification,
                format!("the justification of `{scope_name}` for `{cid}` {problem}"),
            )
            .at(file, j.span(), "weak justification")
            .help("say why the client needs the scope and cite the ticket; [policy] min_justification and placeholder_words set the bar"),
        );
    }
}
