//! Text renderings of plans and apply reports (table for a terminal, markdown for a PR
//! comment, and the messages `apply` repeats on stderr). JSON is the serde form of
//! [`Plan`] and [`ApplyReport`].
//!
//! Much of what is shown came from a server (scope names and descriptions read back,
//! error messages, warnings): every such string goes through [`clean`]
//! (`crate::text::clean`, terminal control characters escaped) before it is printed.

use crate::text::md_line;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use super::{ApplyReport, Op, Plan, LINT_ERRORS};
use crate::text::clean;

/// How a plan is shown: its heading (`Plan`, or `Drift` for `drift`) and whether errors,
/// warnings and the outcome may be coloured (`--color`; the writer drops colour when it
/// is off anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub title: &'static str,
    pub color: bool,
}

impl View {
    pub const PLAN: View = View {
        title: "Plan",
        color: false,
    };
    pub const DRIFT: View = View {
        title: "Drift",
        color: false,
    };
    pub const APPLY: View = View {
        title: "Apply",
        color: false,
    };

    pub fn colored(self, color: bool) -> View {
        View { color, ..self }
    }

    fn paint(&self, s: &str, sgr: &str) -> String {
        if self.color {
            format!("\u{1b}[{sgr}m{s}\u{1b}[0m")
        } else {
            s.to_string()
        }
    }

    fn error(&self, s: &str) -> String {
        self.paint(s, "1;31")
    }

    fn warning(&self, s: &str) -> String {
        self.paint(s, "1;33")
    }
}

/// `action client scope` of an op, cleaned, for a one-line message.
fn op_line(op: &Op) -> String {
    format!(
        "{} {} {}",
        op.action(),
        clean(op.client().unwrap_or("")),
        clean(op.scope().unwrap_or(""))
    )
}
use crate::net::Counts;

fn where_(plan: &Plan) -> String {
    match &plan.realm {
        Some(r) => format!("{} (realm {})", clean(&plan.url), clean(r)),
        None => clean(&plan.url).into_owned(),
    }
}

fn ops_table(ops: &[Op]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec!["#", "change", "client", "scope", "detail"]);
    for (i, op) in ops.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            clean(&op.action()).into_owned(),
            clean(op.client().unwrap_or("")).into_owned(),
            clean(op.scope().unwrap_or("")).into_owned(),
            clean(&op.detail()).into_owned(),
        ]);
    }
    t
}

/// The connection lines shown first in a plan: warnings, then URL, realm,
/// credentials and TLS.
fn connection_lines(plan: &Plan) -> (Vec<String>, Vec<String>) {
    let Some(c) = &plan.connection else {
        return (Vec::new(), Vec::new());
    };
    let warnings = c.warnings.iter().map(|w| format!("WARNING: {w}")).collect();
    let mut lines = vec![format!("url: {}", c.url)];
    if let Some(r) = &c.realm {
        lines.push(format!("realm: {r}"));
    }
    if let Some(e) = &plan.environment {
        lines.push(format!("environment: {e}"));
    }
    if c.credentials.is_empty() {
        lines.push("credentials: none".to_string());
    }
    for cred in &c.credentials {
        lines.push(format!("credentials: {cred}"));
    }
    lines.push(format!("tls: {}", c.tls));
    (warnings, lines)
}

/// A plan as a table with a summary line, errors and notes.
pub fn plan_table(plan: &Plan) -> String {
    plan_table_as(plan, View::PLAN)
}

/// [`plan_table`] under another heading (`Drift`), perhaps coloured.
pub fn plan_table_as(plan: &Plan, view: View) -> String {
    let mut out = format!(
        "{} for target `{}`: {}\n",
        view.title,
        clean(&plan.target),
        where_(plan)
    );
    let (warnings, lines) = connection_lines(plan);
    for w in &warnings {
        out.push_str(&format!("{}\n", view.warning(&clean(w))));
    }
    for l in &lines {
        out.push_str(&format!("  {}\n", clean(l)));
    }
    if plan.ops.is_empty() {
        out.push_str(&no_changes(plan));
    } else {
        out.push_str(&format!("{}\n", ops_table(&plan.ops)));
        out.push_str(&format!("{} change(s).\n", plan.ops.len()));
    }
    for e in &plan.errors {
        let code = view.error(&format!("error[{}]", e.rule));
        out.push_str(&format!("{code}: {}\n", clean(&e.message)));
    }
    for w in &plan.warnings {
        out.push_str(&format!("{}: {}\n", view.warning("warning"), clean(w)));
    }
    for n in &plan.notes {
        out.push_str(&format!("note: {}\n", clean(n)));
    }
    out.push_str(&requests_line(&plan.requests));
    if plan.lint_errors() > 0 {
        out.push_str(&format!(
            "{}: the registry has lint errors, so `apply` makes only the removals \
             (unassigns) and holds back every other change (exit 2) unless given \
             --allow-lint-errors.\n",
            errors_summary(plan)
        ));
    } else if !plan.errors.is_empty() {
        out.push_str(&format!(
            "{}: what they name cannot be pushed; `apply` would make the {} change(s) \
             above and exit 1.\n",
            errors_summary(plan),
            plan.ops.len()
        ));
    }
    out
}

/// The line shown instead of the table of changes when there are none.
fn no_changes(plan: &Plan) -> String {
    match plan.errors.len() {
        0 => "No changes: the server matches the registry.\n".to_string(),
        n => format!(
            "No changes to make, but the plan has {n} error(s) (listed below): the server \
             does NOT match the registry.\n"
        ),
    }
}

/// "2 plan errors (push/missing-client, push/unmanaged-scope)".
fn errors_summary(plan: &Plan) -> String {
    let mut codes: Vec<&str> = plan.errors.iter().map(|e| e.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    format!(
        "{} plan error{} ({})",
        plan.errors.len(),
        if plan.errors.len() == 1 { "" } else { "s" },
        codes.join(", ")
    )
}

/// "HTTP requests: 9 (3 reads, 5 writes, 1 token; 2 retries)".
fn requests_line(c: &Counts) -> String {
    let retries = match c.retries {
        0 => String::new(),
        1 => "; 1 retry".to_string(),
        n => format!("; {n} retries"),
    };
    format!(
        "HTTP requests: {} ({} reads, {} writes, {} token{retries})\n",
        c.total(),
        c.reads,
        c.writes,
        c.auth
    )
}

/// A plan as markdown, for a pull-request comment.
pub fn plan_markdown(plan: &Plan) -> String {
    plan_markdown_as(plan, View::PLAN)
}

/// [`plan_markdown`] under another heading (`drift`).
pub fn plan_markdown_as(plan: &Plan, view: View) -> String {
    let mut out = format!(
        "### scopectl {}: `{}`\n\n{}\n\n",
        view.title.to_lowercase(),
        md_line(&plan.target),
        md_line(&where_(plan))
    );
    let (warnings, lines) = connection_lines(plan);
    for w in &warnings {
        out.push_str(&format!("> **{}**\n>\n", md_line(w)));
    }
    if !lines.is_empty() {
        for l in &lines {
            out.push_str(&format!("- {}\n", md_line(l)));
        }
        out.push('\n');
    }
    if plan.ops.is_empty() {
        out.push_str(&no_changes(plan));
    } else {
        out.push_str("| # | change | client | scope | detail |\n|---|---|---|---|---|\n");
        for (i, op) in plan.ops.iter().enumerate() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                i + 1,
                md_line(&op.action()),
                md_line(op.client().unwrap_or("")),
                md_line(
                    op.scope()
                        .map(|s| format!("`{s}`"))
                        .as_deref()
                        .unwrap_or("")
                ),
                md_line(&op.detail())
            ));
        }
        out.push_str(&format!("\n**{} change(s).**\n", plan.ops.len()));
    }
    if !plan.errors.is_empty() {
        let consequence = if plan.lint_errors() > 0 {
            "the registry has lint errors, so `apply` makes only the removals and holds \
             back every other change unless given `--allow-lint-errors`"
        } else {
            "what they name cannot be pushed; `apply` would make the other changes and exit 1"
        };
        out.push_str(&format!(
            "\n**{}**: {consequence}.\n\n",
            errors_summary(plan)
        ));
        for e in &plan.errors {
            out.push_str(&format!("- `{}`: {}\n", e.rule, md_line(&e.message)));
        }
    }
    if !plan.warnings.is_empty() {
        out.push_str("\n**Warnings**\n\n");
        for w in &plan.warnings {
            out.push_str(&format!("- {}\n", md_line(w)));
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\n**Notes**\n\n");
        for n in &plan.notes {
            out.push_str(&format!("- {}\n", md_line(n)));
        }
    }
    out
}

/// What `apply` did.
pub fn apply_text(plan: &Plan, r: &ApplyReport) -> String {
    apply_text_as(plan, r, View::APPLY)
}

/// [`apply_text`], perhaps coloured.
pub fn apply_text_as(plan: &Plan, r: &ApplyReport, view: View) -> String {
    let mut out = format!(
        "Apply to target `{}`: {}\n",
        clean(&plan.target),
        where_(plan)
    );
    let nothing = r.applied.is_empty() && r.failures.is_empty() && r.held_back.is_empty();
    if nothing && plan.errors.is_empty() {
        out.push_str("No changes: the server already matches the registry.\n");
    } else if nothing {
        out.push_str(&format!(
            "No changes made, and the plan has {} error(s) (listed below): the server does \
             NOT match the registry.\n",
            plan.errors.len()
        ));
    } else if !r.applied.is_empty() {
        out.push_str(&format!("Applied:\n{}\n", ops_table(&r.applied)));
    }
    for (op, why) in &r.failures {
        out.push_str(&format!(
            "{}: {}: {}\n",
            view.error("FAILED"),
            op_line(op),
            clean(why)
        ));
    }
    if !r.failures.is_empty() {
        out.push_str(&format!(
            "{} change(s) applied, {} failed, {} not applied. {}\n",
            r.applied.len(),
            r.failures.len(),
            r.not_applied.len(),
            if r.stopped {
                "The next `apply` completes them once the server is back."
            } else {
                "Each failure is the server's final answer to that change: running `apply` \
                 again fails the same way until its cause is fixed. The other changes were made."
            }
        ));
        if !r.not_applied.is_empty() {
            let why = if r.stopped {
                "the run stopped at the failure"
            } else {
                "they depend on a failed change"
            };
            out.push_str(&format!(
                "Not applied ({why}):\n{}\n",
                ops_table(&r.not_applied)
            ));
        }
    }
    if !r.held_back.is_empty() {
        out.push_str(&format!(
            "Held back: the registry has {} lint error(s), so only removals were made; these \
             changes wait until they are fixed (or --allow-lint-errors):\n{}\n",
            plan.lint_errors(),
            ops_table(&r.held_back)
        ));
    }
    if !r.did_not_take.is_empty() {
        out.push_str(&format!(
            "Read back after apply: these changes did not take:\n{}\n",
            ops_table(&r.did_not_take)
        ));
    }
    if let Some(e) = &r.readback_error {
        out.push_str(&format!("Could not read back after apply: {}\n", clean(e)));
    }
    for w in plan.warnings.iter().chain(&r.warnings) {
        out.push_str(&format!("{}: {}\n", view.warning("warning"), clean(w)));
    }
    for e in &plan.errors {
        let code = view.error(&format!("error[{}]", e.rule));
        out.push_str(&format!("{code}: {}\n", clean(&e.message)));
    }
    out.push_str(&requests_line(&r.counts));
    let summary = apply_summary(plan, r);
    if summary.starts_with("Result: NOT") {
        out.push_str(&view.error(&summary));
    } else {
        out.push_str(&summary);
    }
    out.push('\n');
    out
}

/// The last line of `apply`'s output: the outcome in one sentence.
pub fn apply_summary(plan: &Plan, r: &ApplyReport) -> String {
    let mut problems = Vec::new();
    match r.failures.as_slice() {
        [] => {}
        [(op, _)] => problems.push(format!("`{}` FAILED", op_line(op))),
        many => problems.push(format!("{} changes FAILED", many.len())),
    }
    if !r.not_applied.is_empty() {
        let last = problems.pop();
        let text = format!("{} change(s) were not applied", r.not_applied.len());
        problems.push(match last {
            Some(l) => format!("{l} and {text}"),
            None => text,
        });
    }
    if !r.held_back.is_empty() {
        problems.push(format!(
            "{} change(s) were held back by lint errors",
            r.held_back.len()
        ));
    }
    if !r.did_not_take.is_empty() {
        problems.push(format!("{} change(s) did not take", r.did_not_take.len()));
    }
    if r.readback_error.is_some() {
        problems.push("the read-back failed".to_string());
    }
    if !plan.errors.is_empty() {
        problems.push(format!(
            "{} (listed above) were not pushed",
            errors_summary(plan)
        ));
    }
    if problems.is_empty() {
        return if r.applied.is_empty() {
            "Result: nothing to do.".to_string()
        } else {
            format!(
                "Result: {} change(s) applied and verified.",
                r.applied.len()
            )
        };
    }
    format!(
        "Result: NOT everything is pushed: {} change(s) applied, but {}.",
        r.applied.len(),
        problems.join("; ")
    )
}

/// One op as `apply` makes it, for the progress it streams on stderr:
/// `applied: assign default app-a orders:read` or `FAILED: …: why`.
pub fn progress_line(op: &Op, failed: Option<&str>) -> String {
    match failed {
        None => format!("applied: {}\n", op_line(op)),
        Some(why) => format!("FAILED: {}: {}\n", op_line(op), clean(why)),
    }
}

/// What `apply` says on stderr when lint errors held changes back (only removals were
/// made).
pub fn lint_refusal(lint_errors: usize, r: &ApplyReport) -> String {
    format!(
        "error: the registry has {lint_errors} lint error(s) (listed above as {LINT_ERRORS}); \
         apply made only the {} removal(s) and held back {} other change(s). Fix them \
         (`scopectl lint`), or push anyway with --allow-lint-errors\n",
        r.applied.len(),
        r.held_back.len()
    )
}

/// What `apply` repeats on stderr, whatever the format: the failures (and whether a
/// new run helps), or else the plan errors that were not pushed (empty when neither).
pub fn apply_stderr(plan: &Plan, r: &ApplyReport) -> String {
    if !r.failures.is_empty() {
        let mut out = String::new();
        for (op, why) in &r.failures {
            out.push_str(&format!(
                "error: `{}` failed: {}\n",
                op_line(op),
                clean(why)
            ));
        }
        let next = if r.stopped {
            "apply stopped there; run `scopectl apply` again once the server is back"
        } else {
            "the server refused these changes: running `scopectl apply` again will fail the \
             same way until their cause is fixed"
        };
        out.push_str(&format!(
            "{} change(s) were applied, {} were not; {next}\n",
            r.applied.len(),
            r.not_applied.len() + r.failures.len()
        ));
        return out;
    }
    if r.readback_error.is_some() || plan.errors.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "error: {} change(s) applied, but the plan has {} error(s) that were not pushed:\n",
        r.applied.len(),
        plan.errors.len()
    );
    for e in &plan.errors {
        out.push_str(&format!("  error[{}]: {}\n", e.rule, clean(&e.message)));
    }
    out
}

/// Why `apply` could not do its job, for the `error` member of its JSON (None when it
/// did: everything pushable was pushed).
pub fn apply_error(plan: &Plan, r: &ApplyReport, lint_refused: usize) -> Option<String> {
    if lint_refused > 0 {
        return Some(format!(
            "the registry has {lint_refused} lint error(s): only removals were made, {} \
             change(s) held back",
            r.held_back.len()
        ));
    }
    if !r.failures.is_empty() {
        return Some(apply_summary(plan, r));
    }
    r.readback_error
        .as_ref()
        .map(|e| format!("the read-back after apply failed: {e}"))
}

/// `apply --format json`: `{"plan": …, "report": …}`, with `error` when apply could not
/// do its job.
pub fn apply_json(
    plan: &serde_json::Value,
    r: &ApplyReport,
    error: Option<&str>,
) -> anyhow::Result<String> {
    let mut doc = serde_json::json!({ "plan": plan, "report": r });
    if let (Some(e), Some(obj)) = (error, doc.as_object_mut()) {
        obj.insert("error".into(), e.into());
    }
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

/// The plan document's shape when no plan could be made (registry not loading, server
/// unreachable, credentials refused, stale saved plan): every member of a plan, empty or
/// null where unknown, and `error`. `plan`, `drift` print it; `apply` nests it.
pub fn failed_plan(
    target: Option<&str>,
    today: Option<chrono::NaiveDate>,
    error: &str,
) -> serde_json::Value {
    serde_json::json!({
        "format_version": super::PLAN_FORMAT_VERSION,
        "target": target,
        "kind": null,
        "url": null,
        "today": today,
        "prune": false,
        "fingerprint": null,
        "ops": [],
        "errors": [],
        "notes": [],
        "warnings": [],
        "requests": Counts::default(),
        "error": error,
    })
}

#[cfg(test)]
mod tests {
    use super::super::PLAN_FORMAT_VERSION;
    use super::*;
    use crate::finding::Finding;
    use crate::registry::policy::TargetKind;
    use crate::rules::Rule;

    fn plan(ops: Vec<Op>, errors: Vec<Finding>) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            target: "t".into(),
            kind: TargetKind::Keycloak,
            url: "http://kc".into(),
            realm: Some("r".into()),
            environment: None,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            prune: false,
            revoke_unlisted: false,
            prune_in_use: false,
            max_deletes: None,
            fingerprint: "sha256:0".into(),
            state_parts: Default::default(),
            registry_digest: None,
            ops,
            errors,
            notes: Vec::new(),
            warnings: Vec::new(),
            requests: Counts::default(),
            connection: None,
        }
    }

    #[test]
    fn plans_show_the_connection_first_with_warnings() {
        let mut p = plan(Vec::new(), Vec::new());
        p.connection = Some(crate::push::Connection {
            url: "http://evil.example".into(),
            realm: Some("r".into()),
            credentials: vec!["client_secret: file /etc/passwd".into()],
            tls: "verified (system roots)".into(),
            warnings: vec!["a secret is read from the file `/etc/passwd`".into()],
        });
        for text in [plan_table(&p), plan_markdown(&p)] {
            let warn = text
                .find("WARNING: a secret is read from the file")
                .expect("warning");
            // Markdown escapes the underscore of `client_secret`.
            let cred = text.find("secret: file /etc/passwd").expect("cred");
            // Markdown escapes the `:` of `://` (no autolink).
            let url = text
                .find("url: http://evil.example")
                .or_else(|| text.find("url: http\\://evil.example"))
                .expect("url");
            let changes = text.find("No changes").expect("no changes");
            assert!(warn < url && url < cred && cred < changes, "{text}");
            assert!(text.contains("tls: verified (system roots)"), "{text}");
            assert!(!text.contains("environment:"), "{text}");
        }
        p.environment = Some("prod".into());
        for text in [plan_table(&p), plan_markdown(&p)] {
            assert!(text.contains("environment: prod"), "{text}");
        }
    }

    fn report(applied: Vec<Op>) -> ApplyReport {
        ApplyReport {
            applied,
            failed: None,
            failures: Vec::new(),
            stopped: false,
            not_applied: Vec::new(),
            held_back: Vec::new(),
            did_not_take: Vec::new(),
            readback_error: None,
            warnings: Vec::new(),
            counts: Counts {
                reads: 4,
                writes: 1,
                auth: 1,
                retries: 2,
            },
        }
    }

    #[test]
    fn no_changes_does_not_claim_a_match_when_the_plan_has_errors() {
        let clean = plan_table(&plan(vec![], vec![]));
        assert!(clean.contains("No changes: the server matches the registry."));
        let err = vec![Finding::of(
            Rule::PushMissingClient,
            "the registration of `abc` is gone (404)",
        )];
        for text in [
            plan_table(&plan(vec![], err.clone())),
            plan_markdown(&plan(vec![], err)),
        ] {
            assert!(!text.contains("matches the registry"), "{text}");
            assert!(
                text.contains("No changes to make, but the plan has 1 error(s)"),
                "{text}"
            );
        }
    }

    #[test]
    fn apply_ends_with_the_outcome_and_errors_come_after_the_table() {
        let create = Op::CreateScope {
            scope: "a:b".into(),
            description: "d".into(),
            consent_text: "d".into(),
        };
        let clean = plan(vec![create.clone()], Vec::new());
        let text = apply_text(&clean, &report(vec![create.clone()]));
        assert!(
            text.ends_with("Result: 1 change(s) applied and verified.\n"),
            "{text}"
        );
        assert!(text.contains("HTTP requests: 6 (4 reads, 1 writes, 1 token; 2 retries)"));
        assert!(apply_text(&plan(vec![], vec![]), &report(vec![]))
            .ends_with("Result: nothing to do.\n"));

        let errors = vec![
            Finding::of(Rule::PushMissingClient, "client `ghost` does not exist"),
            Finding::of(Rule::PushMissingClient, "client `ghost2` does not exist"),
        ];
        let bad = plan(vec![create.clone()], errors);
        let text = apply_text(&bad, &report(vec![create]));
        let table_end = text.rfind('┘').unwrap();
        assert!(
            text.find("error[push/missing-client]: client `ghost`")
                .unwrap()
                > table_end
        );
        assert!(
            text.ends_with(
                "Result: NOT everything is pushed: 1 change(s) applied, but 2 plan errors \
                 (push/missing-client) (listed above) were not pushed.\n"
            ),
            "{text}"
        );
        assert!(plan_table(&bad).ends_with(
            "2 plan errors (push/missing-client): what they name cannot be pushed; `apply` \
             would make the 1 change(s) above and exit 1.\n"
        ));
    }

    #[test]
    fn server_text_with_terminal_escapes_is_escaped_in_table_and_markdown() {
        let esc = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
        // A description read back from the server, an error message and a warning from
        // it, a scope name it returned.
        let update = Op::UpdateScope {
            scope: format!("a:b{esc}"),
            fields: vec!["description".into()],
            changes: vec![super::super::FieldChange {
                field: "description".into(),
                from: Some(format!(
                    "old {esc} text that is long enough for a word diff"
                )),
                to: "new text that is long enough to get a word diff here".into(),
            }],
        };
        let errors = vec![Finding::of(
            Rule::PushMissingClient,
            format!("server said: {esc}"),
        )];
        let mut p = plan(vec![update.clone()], errors);
        p.notes.push(format!("left alone: {esc}"));
        let mut r = report(vec![update.clone()]);
        r.warnings.push(format!("warning from server {esc}"));
        r.failed = Some((update.clone(), format!("500 on PUT: {esc}")));
        r.failures = vec![(update, format!("500 on PUT: {esc}"))];
        for text in [
            plan_table(&p),
            plan_markdown(&p),
            apply_text(&p, &r),
            apply_stderr(&p, &r),
        ] {
            assert!(!text.contains('\u{1b}'), "{text:?}");
            assert!(!text.contains('\u{7}'), "{text:?}");
            assert!(text.contains("\\u{1b}"), "{text}");
        }
    }
}
