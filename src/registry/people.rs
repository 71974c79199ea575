//! People and teams: `[teams.NAME]` in `scopectl.toml` or in `teams/*.toml`.
//!
//! A scope's or client's `owner` names a team (or a person); the policy's approval rules
//! name teams; `approved_by` names people. Every name is compared by its
//! [`identity_key`](crate::text::identity_key): Unicode NFKC, lower case.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use crate::finding::{FileId, Finding};
use crate::registry::Sp;
use crate::rules::Rule;

/// One declared team.
#[derive(Debug, Clone)]
pub struct Team {
    /// The name as written.
    pub name: String,
    /// Members as written.
    pub members: Vec<String>,
    /// Code-host handle for CODEOWNERS (`@acme/payments`).
    pub handle: Option<String>,
    pub file: FileId,
    /// Span of the team's name.
    pub span: Range<usize>,
}

/// Every declared team, and which teams each person is in.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// Team key -> team.
    teams: BTreeMap<String, Team>,
    /// Person key -> keys of the teams they are in.
    member_of: HashMap<String, Vec<String>>,
}

impl People {
    /// Add a team; `Err(first)` when a team of the same name is already declared.
    pub fn add(&mut self, team: Team) -> Result<(), &Team> {
        let key = crate::text::identity_key(&team.name);
        if self.teams.contains_key(&key) {
            return Err(&self.teams[&key]);
        }
        for m in &team.members {
            let teams = self
                .member_of
                .entry(crate::text::identity_key(m))
                .or_default();
            if !teams.contains(&key) {
                teams.push(key.clone());
            }
        }
        self.teams.insert(key, team);
        Ok(())
    }

    /// Are any teams declared? Without teams, people cannot be checked against them.
    pub fn declared(&self) -> bool {
        !self.teams.is_empty()
    }

    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.get(&crate::text::identity_key(name))
    }

    /// Is `who` a member of some declared team?
    pub fn is_person(&self, who: &str) -> bool {
        self.member_of.contains_key(&crate::text::identity_key(who))
    }

    /// The names of the teams `who` is in.
    pub fn teams_of(&self, who: &str) -> Vec<&str> {
        self.member_of
            .get(&crate::text::identity_key(who))
            .into_iter()
            .flatten()
            .filter_map(|k| self.teams.get(k).map(|t| t.name.as_str()))
            .collect()
    }

    /// Is `who` in the team named `team`?
    pub fn is_member(&self, who: &str, team: &str) -> bool {
        let team = crate::text::identity_key(team);
        self.member_of
            .get(&crate::text::identity_key(who))
            .is_some_and(|t| t.contains(&team))
    }

    /// Does `who` belong to `owner`: the same identity, or a member of the team `owner`
    /// names?
    pub fn belongs_to(&self, who: &str, owner: &str) -> bool {
        crate::text::same_identity(who, owner) || self.is_member(who, owner)
    }
}

/// Build the directory from `[teams.*]` of `scopectl.toml` and `teams/*.toml` (in that
/// order): a team declared twice, an empty or invisible-character name or member are load
/// errors.
pub(super) fn load(files: Vec<(FileId, super::TeamsFile)>, out: &mut Vec<Finding>) -> People {
    let mut people = People::default();
    for (file, tf) in files {
        for (name, def) in tf.teams {
            super::check_identity(file, "team name", &name, out);
            super::check_text(file, &name, out);
            if name.trim().is_empty() {
                out.push(
                    Finding::error(Rule::LoadInvalidValue, "a team name is empty").at(
                        file,
                        name.span(),
                        "empty",
                    ),
                );
                continue;
            }
            let mut seen: HashMap<String, Range<usize>> = HashMap::new();
            for m in &def.members {
                super::check_identity(file, "members", m, out);
                super::check_text(file, m, out);
                if m.trim().is_empty() {
                    out.push(
                        Finding::error(Rule::LoadInvalidValue, "a team member is empty").at(
                            file,
                            m.span(),
                            "empty",
                        ),
                    );
                } else if let Some(first) = seen.insert(crate::text::identity_key(m), m.span()) {
                    out.push(
                        Finding::error(
                            Rule::LoadInvalidValue,
                            format!(
                                "`{}` is listed twice in team `{}`",
                                crate::text::clean(m),
                                crate::text::clean(&name)
                            ),
                        )
                        .at(file, m.span(), "listed again here")
                        .also(file, first, "first listed here")
                        .help("names are compared without regard to case: keep one entry"),
                    );
                }
            }
            if let Some(h) = &def.handle {
                super::check_text(file, h, out);
                let ok =
                    h.starts_with('@') || (h.contains('@') && !h.chars().any(char::is_whitespace));
                if !ok || h.chars().any(char::is_whitespace) {
                    out.push(
                        Finding::error(
                            Rule::LoadInvalidValue,
                            format!(
                                "`{}` is not a code-host handle",
                                crate::text::clean(h)
                            ),
                        )
                        .at(file, h.span(), "not a handle")
                        .help("write it as CODEOWNERS does: `@org/team`, `@user` or an e-mail address"),
                    );
                }
            }
            let span = name.span();
            let team = Team {
                name: name.into_inner(),
                members: def.members.iter().map(|m| m.get().clone()).collect(),
                handle: def.handle.as_ref().map(|h| h.get().clone()),
                file,
                span: span.clone(),
            };
            if let Err(first) = people.add(team) {
                let (ff, fs) = (first.file, first.span.clone());
                out.push(
                    Finding::error(Rule::LoadInvalidValue, "a team is declared twice")
                        .at(file, span, "declared again here")
                        .also(ff, fs, "first declared here")
                        .help(
                            "team names are compared without regard to case: keep one declaration",
                        ),
                );
            }
        }
    }
    people
}

/// Check what `scopectl.toml` says about people: the teams its approval rules name, and
/// each exception's rule, subject, commit and approver. All problems are reported.
pub(super) fn check_policy(
    file: FileId,
    pf: &super::PolicyFile,
    people: &People,
    out: &mut Vec<Finding>,
) {
    let environment_rules = pf
        .policy
        .environments
        .values()
        .flat_map(|e| e.approval.iter());
    for (sensitivity, rule) in pf.policy.approval.iter().chain(environment_rules) {
        for t in &rule.teams {
            if people.team(t).is_none() {
                let mut d = Finding::error(
                    Rule::LoadInvalidValue,
                    format!(
                        "the approval rule for `{sensitivity}` names the team `{}`, which is not declared",
                        crate::text::clean(t)
                    ),
                )
                .at(file, t.span(), "unknown team");
                let names: Vec<&str> = people.teams().map(|t| t.name.as_str()).collect();
                d = match crate::text::closest(t, names.iter().copied(), 3, &mut crate::text::SuggestBudget::default()) {
                    Some(c) => d.help(format!("did you mean `{c}`?")),
                    None => d.help("declare it as [teams.NAME] with `members` in scopectl.toml or teams/*.toml"),
                };
                out.push(d);
            }
        }
        if let Some(n) = &rule.min_approvers {
            if **n == 0 {
                out.push(
                    Finding::error(
                        Rule::LoadInvalidValue,
                        "`min_approvers` is 0: a grant would need no approver",
                    )
                    .at(file, n.span(), "at least 1"),
                );
            }
        }
    }
    for e in &pf.exceptions {
        check_exception(file, e, out);
    }
}

fn check_exception(file: FileId, e: &Sp<super::ExceptionDef>, out: &mut Vec<Finding>) {
    match Rule::from_id(&e.rule) {
        Some(r) if r.exceptable() => {}
        Some(r) => out.push(
            Finding::error(
                Rule::LoadInvalidValue,
                format!("`{r}` findings cannot be accepted by an exception"),
            )
            .at(file, e.rule.span(), "not exceptable")
            .help("exceptions accept lint findings (scope/*, grant/*, client/*) and diff findings (diff/*); a registry that does not load, a token or a push problem cannot be accepted"),
        ),
        None => {
            let mut d = Finding::error(
                Rule::LoadUnknownRule,
                format!("`{}` is not a scopectl rule", crate::text::clean(&e.rule)),
            )
            .at(file, e.rule.span(), "unknown rule id");
            if let Some(close) = Rule::closest(&e.rule) {
                d = d.help(format!("did you mean `{close}`?"));
            }
            out.push(d);
        }
    }
    if e.client.is_none() && e.scope.is_none() && e.commit.is_none() {
        out.push(
            Finding::error(
                Rule::LoadMissingKey,
                "an exception names no subject: it would accept the rule everywhere",
            )
            .at(file, e.span(), "in this exception")
            .help("add `client`, `scope` (or both, for one grant) or `commit`; to turn a rule off for everyone, set it to \"allow\" in [rules]"),
        );
    }
    if e.expires.is_none() {
        out.push(
            Finding::error(Rule::LoadMissingKey, "an exception has no `expires`: accepted risks are time-boxed")
                .at(file, e.span(), "in this exception")
                .help("add `expires = YYYY-MM-DD`, at most the policy's max_exception_lifetime (default 90 days) away"),
        );
    }
    if let Some(c) = &e.commit {
        if c.len() < 7 || c.len() > 64 || !c.chars().all(|ch| ch.is_ascii_hexdigit()) {
            out.push(
                Finding::error(
                    Rule::LoadInvalidValue,
                    format!("`{}` is not a commit id", crate::text::clean(c)),
                )
                .at(file, c.span(), "not a commit id")
                .help("write the full commit id or at least its first 7 hexadecimal digits"),
            );
        }
    }
    for text in [&e.reason, &e.approved_by]
        .into_iter()
        .chain(e.client.iter())
        .chain(e.scope.iter())
        .chain(e.ticket.iter())
    {
        super::check_text(file, text, out);
    }
    super::check_identity(file, "approved_by", &e.approved_by, out);
    if e.reason.trim().is_empty() {
        out.push(
            Finding::error(Rule::LoadInvalidValue, "an exception's `reason` is empty")
                .at(file, e.reason.span(), "empty")
                .help("say why the risk is accepted and cite the ticket"),
        );
    }
    if e.approved_by.trim().is_empty() {
        out.push(
            Finding::error(
                Rule::LoadInvalidValue,
                "an exception's `approved_by` is empty",
            )
            .at(file, e.approved_by.span(), "empty"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(name: &str, members: &[&str]) -> Team {
        Team {
            name: name.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            handle: None,
            file: FileId::default(),
            span: 0..0,
        }
    }

    #[test]
    fn membership_ignores_case_and_width() {
        let mut p = People::default();
        assert!(p.add(team("Team-Ops", &["Maria@Example.com"])).is_ok());
        assert!(p
            .add(team("security", &["maria@example.com", "sam@x"]))
            .is_ok());
        assert!(p.add(team("team-ops", &[])).is_err());
        assert!(p.is_member("maria@EXAMPLE.com", "team-ops"));
        assert!(p.belongs_to("maria@example.com", "Team-Ops"));
        assert!(p.belongs_to("team-ops", "team-ops"));
        assert!(!p.belongs_to("sam@x", "team-ops"));
        assert_eq!(
            p.teams_of("maria@example.com"),
            vec!["Team-Ops", "security"]
        );
        assert!(!p.is_person("lgtm"));
    }
}
