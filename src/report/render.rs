//! Report renderers: Markdown, one self-contained HTML file, CSV and JSON.

use crate::text::md_line;
use std::fmt::Write as _;

use super::{FrameworkResult, GrantRow, Report};

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("—")
}

fn days(g: &GrantRow) -> String {
    g.days_left
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into())
}

fn sens(g: &GrantRow) -> &'static str {
    g.sensitivity.map(|s| s.as_str()).unwrap_or("undefined")
}

/// The grant table; with `environments` (the registry has targets), a column naming the
/// environments each grant reaches.
fn md_grants<'a>(out: &mut String, rows: impl Iterator<Item = &'a GrantRow>, environments: bool) {
    let rows: Vec<&GrantRow> = rows.collect();
    if rows.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    let usage = rows.iter().any(|g| g.usage.is_some());
    let mut header = String::from(
        "| client | scope | sensitivity | justification | approved by | approved on | expires | days left |",
    );
    let mut rule = String::from("|---|---|---|---|---|---|---|---|");
    if environments {
        header.push_str(" environments |");
        rule.push_str("---|");
    }
    if usage {
        header.push_str(" usage | last used | evidence |");
        rule.push_str("---|---|---|");
    }
    let _ = writeln!(out, "{header}\n{rule}");
    for g in rows {
        let _ = write!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md_line(&g.client),
            md_line(&g.scope),
            sens(g),
            md_line(opt(&g.justification)),
            md_line(opt(&g.approved_by)),
            md_line(opt(&g.approved_on)),
            md_line(opt(&g.expires)),
            days(g)
        );
        if environments {
            let reach = if g.environments.is_empty() {
                "none".to_string()
            } else {
                md_line(&g.environments.join(", "))
            };
            let _ = write!(out, " {reach} |");
        }
        if usage {
            let (status, last, evidence) = usage_cells(g);
            let _ = write!(
                out,
                " {} | {} | {} |",
                status,
                md_line(&last),
                md_line(&evidence)
            );
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The usage cells of a grant: status (with confidence), last use, evidence.
fn usage_cells(g: &GrantRow) -> (String, String, String) {
    match &g.usage {
        None => ("—".into(), "—".into(), String::new()),
        Some(u) => (
            match u.confidence {
                Some(c) => format!("{} ({})", u.status.as_str(), c.as_str()),
                None => u.status.as_str().to_string(),
            },
            u.last_used
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| "never seen".into()),
            u.evidence.clone(),
        ),
    }
}

fn usage_sources(u: &super::usage::UsageSummary) -> Vec<Vec<String>> {
    u.sources
        .iter()
        .map(|s| {
            vec![
                s.kind.to_string(),
                s.name.clone(),
                s.collected_at.clone(),
                format!("{} read, {} counted", s.read, s.counted),
                s.oldest_event.clone().unwrap_or_else(|| "—".into()),
                match (&s.stored_types, &s.stored_types_from) {
                    (Some(t), Some(from)) if !t.is_empty() => format!("{} ({from})", t.join(", ")),
                    (Some(_), _) => "none".into(),
                    (None, _) => "not known: shows use only".into(),
                },
                s.realm_events
                    .clone()
                    .unwrap_or_else(|| match (s.verified, s.unverified) {
                        (Some(v), Some(u)) => format!("{v} verified, {u} NOT verified"),
                        _ => "—".into(),
                    }),
            ]
        })
        .collect()
}

const USAGE_SOURCE_HEADER: [&str; 7] = [
    "kind",
    "source",
    "collected",
    "events/tokens",
    "oldest event",
    "token event types stored",
    "settings",
];

fn usage_intro(u: &super::usage::UsageSummary) -> String {
    format!(
        "Window {} to {} ({}): {} grant(s) used, {} unused, {} optional never requested, {} not evaluable. Unused scopes: {}. Scopes issued without a grant: {}.",
        u.from,
        u.to,
        crate::usage::evaluate::length(u.days_seconds),
        u.used,
        u.unused,
        u.never_requested,
        u.not_evaluable,
        if u.unused_scopes.is_empty() { "none".to_string() } else { u.unused_scopes.join(", ") },
        if u.ungranted.is_empty() {
            "none".to_string()
        } else {
            u.ungranted
                .iter()
                .map(|(c, s, n, _)| format!("{c} → {s} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )
}

fn md_usage(out: &mut String, u: &super::usage::UsageSummary) {
    out.push_str("## Usage\n\n");
    let _ = writeln!(out, "{}\n", md_line(&usage_intro(u)));
    let _ = writeln!(
        out,
        "| {} |\n|---|---|---|---|---|---|---|",
        USAGE_SOURCE_HEADER.join(" | ")
    );
    for row in usage_sources(u) {
        let cells: Vec<String> = row.iter().map(|v| md_line(v)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
    if !u.not_evaluable_reasons.is_empty() {
        out.push_str("| not evaluable because | grants |\n|---|---|\n");
        for (why, n) in &u.not_evaluable_reasons {
            let _ = writeln!(out, "| {} | {n} |", md_line(why));
        }
        out.push('\n');
    }
}

/// An inline SVG bar chart: grants by sensitivity, used / unused / not evaluable.
fn usage_chart(u: &super::usage::UsageSummary) -> String {
    if u.by_sensitivity.is_empty() {
        return "<p class=\"muted\">No grant.</p>\n".into();
    }
    let max = u
        .by_sensitivity
        .iter()
        .map(|(_, b)| b.used + b.unused + b.never_requested + b.not_evaluable)
        .max()
        .unwrap_or(1)
        .max(1);
    let (bar, gap, width) = (22usize, 14usize, 360usize);
    let height = u.by_sensitivity.len() * (bar + gap) + 40;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"Grants by sensitivity: used, unused, not evaluable\">\n",
        width + 160
    );
    let colours = [
        ("used", "#27ae60"),
        ("unused", "#c0392b"),
        ("never requested", "#e67e22"),
        ("not evaluable", "#95a5a6"),
    ];
    for (i, (name, b)) in u.by_sensitivity.iter().enumerate() {
        let y = 10 + i * (bar + gap);
        let _ = writeln!(
            s,
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + bar / 2 + 4,
            esc(name)
        );
        let mut x = 80usize;
        for ((label, colour), n) in
            colours
                .iter()
                .zip([b.used, b.unused, b.never_requested, b.not_evaluable])
        {
            if n == 0 {
                continue;
            }
            let w = (n * width).div_ceil(max);
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{bar}\" fill=\"{colour}\"><title>{} {label}: {n}</title></rect><text x=\"{}\" y=\"{}\" fill=\"#fff\">{n}</text>",
                esc(name),
                x + 3,
                y + bar / 2 + 4
            );
            x += w;
        }
    }
    let y = height - 12;
    let mut x = 0usize;
    for (label, colour) in colours {
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{y}\">{label}</text>",
            y - 9,
            x + 14
        );
        x += 14 + label.len() * 7 + 12;
    }
    s.push_str("</svg>\n");
    s
}

fn title(r: &Report) -> String {
    format!(
        "Access review: {} at {} ({}){}",
        if r.registry.is_empty() {
            "scope registry"
        } else {
            &r.registry
        },
        r.at.rev,
        &r.at.commit[..7.min(r.at.commit.len())],
        r.environment
            .as_ref()
            .map(|e| format!(", environment {e}"))
            .unwrap_or_default()
    )
}

fn registry_name(r: &Report) -> &str {
    if r.registry.is_empty() {
        "(repository root)"
    } else {
        &r.registry
    }
}

fn history_line(r: &Report) -> String {
    match (r.history_checked, &r.history_reason) {
        (false, _) => "not read (--no-history)".to_string(),
        (true, None) => "complete".to_string(),
        (true, Some(reason)) => format!("INCOMPLETE ({reason})"),
    }
}

/// The document's metadata as (label, value) pairs: what, when, from which revision.
fn metadata(r: &Report) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("tool", format!("{} {}", r.tool, r.tool_version)),
        ("generated at", r.generated_at.clone()),
        ("revision", r.at.rev.clone()),
        ("commit", r.at.commit.clone()),
        ("commit date", r.at.date.clone()),
        ("registry", registry_name(r).to_string()),
        ("evaluation date", r.today.clone()),
        (
            "expiry warning window",
            format!("{} days", r.expiry_window_days),
        ),
        ("history", history_line(r)),
    ];
    if let Some(e) = &r.environment {
        rows.push((
            "environment",
            format!(
                "{e} (only the clients and grants reaching it and the scopes not excluded there, under its policy)"
            ),
        ));
    }
    rows
}

/// The summary sentence; every figure is the row count of a table below it.
fn summary_text(r: &Report) -> String {
    let s = &r.summary;
    let mut out = match &r.environment {
        Some(e) => format!("In environment {e}: "),
        None => String::new(),
    };
    let _ = write!(
        out,
        "{} scope(s), {} client(s), {} grant(s): {} expired, {} expiring, {} sensitive; {} client(s) without owner. ",
        s.scopes,
        s.clients,
        s.grants,
        s.expired,
        s.expiring,
        s.sensitive,
        s.clients_without_owner,
    );
    for f in &r.frameworks {
        let per_control: Vec<String> = f
            .controls
            .iter()
            .map(|c| format!("{} {}", c.id, c.gap_details.len()))
            .collect();
        if f.id == "iso27001" {
            // The figures of `summary` are the ISO tables' rows.
            let _ = write!(
                out,
                "{} gap(s) against Annex A ({}); {} of {} control(s) met, {} partial, {} not evaluable; under 5.3, {} grant(s) approved by their client's owner and {} committed by their own approver. \
                 {}{} finding(s) accepted as risks. ",
                s.gaps,
                per_control.join(", "),
                f.summary.met,
                f.summary.controls,
                f.summary.partial,
                f.summary.not_evaluable,
                s.self_approved,
                s.self_approved_commits,
                if r.require_signed {
                    format!(
                        "Under 5.3 too, {} given in commits whose signature is not verified ([policy] require_signed). ",
                        s.unverified_commits
                    )
                } else {
                    String::new()
                },
                s.accepted_risks,
            );
        } else {
            let _ = write!(
                out,
                "{} gap(s) and {} accepted risk(s) against {} ({}); {} of {} control(s) met, {} partial, {} not evaluable. ",
                f.summary.gaps,
                f.summary.accepted_risks,
                f.name,
                per_control.join(", "),
                f.summary.met,
                f.summary.controls,
                f.summary.partial,
                f.summary.not_evaluable,
            );
        }
    }
    let _ = write!(
        out,
        "Lint as of {}: {} error(s), {} warning(s).",
        r.today, r.lint.errors, r.lint.warnings
    );
    out
}

fn md_status(status: &str) -> &'static str {
    match status {
        "met" => "met",
        "partial" => "**partial**",
        "not-evaluable" => "**not evaluable**",
        "risk-accepted" => "**risk accepted**",
        _ => "**gaps**",
    }
}

/// One framework's section: its control table, why a control is not met, its gaps and its
/// accepted risks.
fn md_framework(out: &mut String, f: &FrameworkResult) {
    let _ = writeln!(out, "## {}\n", f.name);
    out.push_str("| control | title | status | gaps | evidence | what the registry demonstrates |\n|---|---|---|---|---|---|\n");
    for c in &f.controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            c.id,
            c.title,
            md_status(c.status),
            c.gap_details.len(),
            md_line(&c.evidence),
            md_line(c.demonstrates)
        );
    }
    out.push('\n');
    for c in f.controls.iter().filter(|c| c.reason.is_some()) {
        let _ = writeln!(
            out,
            "- {} is {}: {}",
            c.id,
            md_status(c.status),
            md_line(c.reason.as_deref().unwrap_or(""))
        );
    }
    if f.controls.iter().any(|c| c.reason.is_some()) {
        out.push('\n');
    }
    for c in f.controls.iter().filter(|c| !c.gap_details.is_empty()) {
        let _ = writeln!(
            out,
            "### Gaps for {} ({}): {}\n\n| control | rule | subject / file | message |\n|---|---|---|---|",
            c.id,
            c.title,
            c.gap_details.len()
        );
        for g in &c.gap_details {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.id,
                g.rule
                    .map(|r| format!("`{r}`"))
                    .unwrap_or_else(|| "—".into()),
                md_line(&where_(g)),
                md_line(&g.message)
            );
        }
        out.push('\n');
    }
    for c in f.controls.iter().filter(|c| !c.accepted_risks.is_empty()) {
        let _ = writeln!(
            out,
            "### Accepted risks for {} ({}): {}\n\n| control | rule | subject / file | message | accepted by | until | reason | exception |\n|---|---|---|---|---|---|---|---|",
            c.id,
            c.title,
            c.accepted_risks.len()
        );
        for g in &c.accepted_risks {
            let Some(a) = &g.accepted else { continue };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                c.id,
                g.rule
                    .map(|r| format!("`{r}`"))
                    .unwrap_or_else(|| "—".into()),
                md_line(&where_(g)),
                md_line(&g.message),
                md_line(&a.approved_by),
                md_line(&a.expires),
                md_line(&a.reason),
                md_line(&a.exception)
            );
        }
        out.push('\n');
    }
}

/// Markdown, for an audit record.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_line(&title(r)));
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in metadata(r) {
        let _ = writeln!(out, "| {k} | {} |", md_line(&v));
    }
    out.push('\n');
    out.push_str("## Summary\n\n");
    let _ = writeln!(out, "{}\n", md_line(&summary_text(r)));
    for f in &r.frameworks {
        md_framework(&mut out, f);
    }
    if !r.apis.is_empty() {
        out.push_str("## APIs\n\n| API | audience | owner | operations | scope | clients holding it |\n|---|---|---|---|---|---|\n");
        for a in &r.apis {
            let ops = if a.openapi_read {
                a.operations.to_string()
            } else {
                format!(
                    "{} (OpenAPI files not read: {})",
                    a.operations,
                    a.openapi_unread.join("; ")
                )
            };
            if a.scopes.is_empty() {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | — | — |",
                    md_line(&a.name),
                    md_line(&a.audience),
                    md_line(a.owner.as_deref().unwrap_or("—")),
                    md_line(&ops)
                );
            }
            for sc in &a.scopes {
                let holders = if sc.clients.is_empty() {
                    "none".to_string()
                } else {
                    sc.clients.join(", ")
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    md_line(&a.name),
                    md_line(&a.audience),
                    md_line(a.owner.as_deref().unwrap_or("—")),
                    md_line(&ops),
                    md_line(&sc.scope),
                    md_line(&holders)
                );
            }
        }
        out.push('\n');
    }
    out.push_str("## Access reviews\n\n");
    if r.reviews.is_empty() {
        out.push_str("No access-review campaign is recorded under reviews/.\n\n");
    } else {
        out.push_str("| campaign | status | started | due | closed | grants | decided | removed | reviewers | closed in |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for c in review_rows(r) {
            let cells: Vec<String> = c.iter().map(|v| md_line(v)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out.push('\n');
    }
    if r.import_debt.imported > 0 {
        let d = &r.import_debt;
        let _ = writeln!(
            out,
            "## Import debt\n\n{} imported grant(s): {} resolved (justified, approved, with an expiry), {} pending before their deadline, {} overdue.\n",
            d.imported, d.resolved, d.pending, d.overdue
        );
        if !d.by_client.is_empty() {
            out.push_str("| client | pending | overdue | deadline |\n|---|---|---|---|\n");
            for c in &d.by_client {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md_line(&c.client),
                    c.pending,
                    c.overdue,
                    c.deadline
                );
            }
            out.push('\n');
        }
    }
    if let Some(u) = &r.usage {
        md_usage(&mut out, u);
    }
    let _ = writeln!(
        out,
        "## Lint ({} error(s), {} warning(s) as of {})\n",
        r.lint.errors, r.lint.warnings, r.today
    );
    if r.lint.by_rule.is_empty() {
        out.push_str("No finding.\n\n");
    } else {
        out.push_str("| rule | errors | warnings |\n|---|---|---|\n");
        for l in &r.lint.by_rule {
            let _ = writeln!(out, "| `{}` | {} | {} |", l.rule, l.errors, l.warnings);
        }
        out.push('\n');
    }
    out.push_str("## Policy in force\n\n| setting | value | set by |\n|---|---|---|\n");
    for p in &r.policy.settings {
        // md_line escapes backslashes: `\.` in scope_pattern renders as written.
        let value = md_line(&p.value);
        let _ = writeln!(out, "| {} | {} | {} |", md_line(&p.key), value, p.source);
    }
    out.push('\n');
    if r.policy.rule_levels.is_empty() {
        out.push_str("Every rule runs at its default level.\n\n");
    } else {
        out.push_str("Rule levels that differ from the defaults:\n\n| rule | level | default |\n|---|---|---|\n");
        for l in &r.policy.rule_levels {
            let _ = writeln!(out, "| `{}` | {} | {} |", l.rule, l.level, l.default_level);
        }
        out.push('\n');
    }
    out.push_str("## Expired grants\n\n");
    md_grants(&mut out, r.expired(), !r.environments.is_empty());
    let _ = writeln!(
        out,
        "## Grants expiring within {} days\n",
        r.expiry_window_days
    );
    md_grants(&mut out, r.expiring(), !r.environments.is_empty());
    out.push_str("## Grants of sensitive scopes (high, critical)\n\n");
    md_grants(&mut out, r.sensitive(), !r.environments.is_empty());
    out.push_str("## Clients without an owner\n\n");
    if r.clients_without_owner.is_empty() {
        out.push_str("None.\n\n");
    } else {
        for c in &r.clients_without_owner {
            let _ = writeln!(out, "- {}", md_line(c));
        }
        out.push('\n');
    }
    out.push_str("## All grants\n\n");
    md_grants(&mut out, r.grants.iter(), !r.environments.is_empty());
    out.push_str("## Sign-off\n\n");
    out.push_str(SIGN_OFF_INTRO);
    out.push_str("\n\n| role | name | date | signature |\n|---|---|---|---|\n");
    for role in SIGN_OFF_ROLES {
        let _ = writeln!(out, "| {role} | | | |");
    }
    out
}

const SIGN_OFF_INTRO: &str = "Reviewed against the revision, commit and policy above. The reviewer confirms the gaps listed were examined and either accepted or assigned for remediation.";
const SIGN_OFF_ROLES: [&str; 2] = ["Reviewer", "Approver (control owner)"];

/// The "subject / file" cell of a gap.
fn where_(g: &super::Gap) -> String {
    match (&g.subject, &g.file) {
        (Some(s), Some(f)) => format!("{s} ({f})"),
        (Some(s), None) => s.clone(),
        (None, Some(f)) => f.clone(),
        (None, None) => "—".into(),
    }
}

/// A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection"): text
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// One row per grant. Text from the registry goes through [`csv_cell`]; the numbers,
/// dates, booleans and enums scopectl writes itself are left as they are.
pub fn csv(r: &Report) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "client",
        "client_owner",
        "scope",
        "sensitivity",
        "step_up",
        "type",
        "justification",
        "approved_by",
        "approved_on",
        "expires",
        "days_left",
        "status",
        "self_approved",
        "self_approved_commit",
        "ticket",
        "environments",
        "usage",
        "last_used",
        "usage_confidence",
    ])?;
    for g in &r.grants {
        let text = |v: Option<&str>| csv_cell(v.unwrap_or("")).into_owned();
        w.write_record([
            text(Some(&g.client)).as_str(),
            &text(g.client_owner.as_deref()),
            &text(Some(&g.scope)),
            g.sensitivity.map(|s| s.as_str()).unwrap_or(""),
            if g.step_up { "true" } else { "false" },
            &text(Some(&g.kind)),
            &text(g.justification.as_deref()),
            &text(g.approved_by.as_deref()),
            g.approved_on.as_deref().unwrap_or(""),
            g.expires.as_deref().unwrap_or(""),
            &g.days_left.map(|d| d.to_string()).unwrap_or_default(),
            g.status.as_str(),
            if g.self_approved { "true" } else { "false" },
            g.self_approved_commit.as_deref().unwrap_or(""),
            &text(g.ticket.as_deref()),
            &text(Some(&g.environments.join(" "))),
            g.usage.as_ref().map(|u| u.status.as_str()).unwrap_or(""),
            &g.usage
                .as_ref()
                .and_then(|u| u.last_used)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            g.usage
                .as_ref()
                .and_then(|u| u.confidence)
                .map(|c| c.as_str())
                .unwrap_or(""),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes)?)
}

/// The stable JSON document (schema in docs/diff-report.md).
pub fn json(r: &Report) -> anyhow::Result<String> {
    let mut s = serde_json::to_string_pretty(r)?;
    s.push('\n');
    Ok(s)
}

/// Escape text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}.met{color:#176f2c;font-weight:bold}.gaps{color:#b00020;font-weight:bold}.partial{color:#8a5a00;font-weight:bold}.not-evaluable{color:#8a5a00;font-weight:bold}.expired{background:#fde0e0}.expiring{background:#fff4d6}svg text{font-size:11px}.muted{color:#666}";

fn html_grants<'a>(out: &mut String, rows: impl Iterator<Item = &'a GrantRow>) {
    let rows: Vec<&GrantRow> = rows.collect();
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
        return;
    }
    let usage = rows.iter().any(|g| g.usage.is_some());
    out.push_str("<table><tr><th>client</th><th>scope</th><th>sensitivity</th><th>justification</th><th>approved by</th><th>approved on</th><th>expires</th><th>days left</th>");
    out.push_str(if usage {
        "<th>usage</th><th>last used</th><th>evidence</th></tr>\n"
    } else {
        "</tr>\n"
    });
    for g in rows {
        let extra = if usage {
            let (status, last, evidence) = usage_cells(g);
            format!(
                "<td>{}</td><td>{}</td><td>{}</td>",
                esc(&status),
                esc(&last),
                esc(&evidence)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{extra}</tr>",
            g.status.as_str(),
            esc(&g.client),
            esc(&g.scope),
            sens(g),
            esc(opt(&g.justification)),
            esc(opt(&g.approved_by)),
            esc(opt(&g.approved_on)),
            esc(opt(&g.expires)),
            days(g)
        );
    }
    out.push_str("</table>\n");
}

/// An inline SVG bar chart of grants by expiry month.
fn chart(r: &Report) -> String {
    let months = &r.expiry_by_month;
    if months.is_empty() {
        return "<p class=\"muted\">No grant has an expiry date.</p>\n".into();
    }
    let max = months.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let (bar, gap, height) = (28usize, 8usize, 160usize);
    let width = months.len() * (bar + gap) + gap;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" role=\"img\" aria-label=\"Grants by expiry month\">\n",
        height + 40
    );
    for (i, (month, n)) in months.iter().enumerate() {
        let h = (n * height).div_ceil(max);
        let x = gap + i * (bar + gap);
        let y = height - h + 14;
        let expired = month.as_str() < &r.today[..7];
        let _ = writeln!(
            s,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            if expired { "#c0392b" } else { "#2e86c1" },
            esc(month),
            x + bar / 2,
            y - 2,
            x + bar / 2,
            height + 30,
            esc(&month[2.min(month.len())..])
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The access-review table's cells, one row per campaign.
fn review_rows(r: &Report) -> Vec<Vec<String>> {
    r.reviews
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.status.to_string(),
                c.started_on.clone(),
                c.due.clone(),
                c.closed_on.clone().unwrap_or_else(|| "—".into()),
                c.population.to_string(),
                c.decided.to_string(),
                (c.outcomes.revoked + c.outcomes.revoked_by_default).to_string(),
                c.reviewers.join(", "),
                c.closed_in
                    .as_ref()
                    .map(|x| {
                        format!(
                            "{} ({}, {})",
                            &x.commit[..x.commit.len().min(7)],
                            x.author,
                            x.message
                        )
                    })
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect()
}

fn section(out: &mut String, id: &str, heading: &str) {
    let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{heading}</h2>");
}

/// One framework's section: its control table, why a control is not met, its gaps and its
/// accepted risks.
fn html_framework(out: &mut String, f: &FrameworkResult) {
    // The ISO section keeps the anchor it always had.
    let id = if f.id == "iso27001" { "annex-a" } else { f.id };
    section(out, id, f.name);
    out.push_str("<table><tr><th>control</th><th>title</th><th>status</th><th>gaps</th><th>evidence</th><th>what the registry demonstrates</th></tr>\n");
    for c in &f.controls {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            esc(c.title),
            c.status,
            c.status,
            c.gap_details.len(),
            esc(&c.evidence),
            esc(c.demonstrates)
        );
    }
    out.push_str("</table>\n");
    for c in f.controls.iter().filter(|c| c.reason.is_some()) {
        let _ = writeln!(
            out,
            "<p><strong>{} is {}</strong>: {}</p>",
            c.id,
            c.status,
            esc(c.reason.as_deref().unwrap_or(""))
        );
    }
    for c in f.controls.iter().filter(|c| !c.gap_details.is_empty()) {
        let _ = writeln!(
            out,
            "<h3>Gaps for {} ({}): {}</h3>\n<table class=\"gaps\" data-control=\"{}\"><tr><th>control</th><th>rule</th><th>subject / file</th><th>message</th></tr>",
            c.id,
            esc(c.title),
            c.gap_details.len(),
            c.id
        );
        for g in &c.gap_details {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                c.id,
                g.rule.unwrap_or("—"),
                esc(&where_(g)),
                esc(&g.message)
            );
        }
        out.push_str("</table>\n");
    }
    for c in f.controls.iter().filter(|c| !c.accepted_risks.is_empty()) {
        let _ = writeln!(
            out,
            "<h3>Accepted risks for {} ({}): {}</h3>\n<table class=\"accepted\" data-control=\"{}\"><tr><th>control</th><th>rule</th><th>subject / file</th><th>message</th><th>accepted by</th><th>until</th><th>reason</th><th>exception</th></tr>",
            c.id,
            esc(c.title),
            c.accepted_risks.len(),
            c.id
        );
        for g in &c.accepted_risks {
            let Some(a) = &g.accepted else { continue };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.id,
                g.rule.unwrap_or("—"),
                esc(&where_(g)),
                esc(&g.message),
                esc(&a.approved_by),
                esc(&a.expires),
                esc(&a.reason),
                esc(&a.exception)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

/// One self-contained HTML page: inline CSS and SVG, no scripts, no external assets; a
/// print layout (A4, one page per section).
pub fn html(r: &Report) -> String {
    let mut out = String::new();
    let t = esc(&title(r));
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"{} {}\"><title>{t}</title><style>{CSS}{PRINT_CSS}</style></head><body>\n<header>\n<h1>{t}</h1>\n<table class=\"meta\">",
        esc(r.tool),
        esc(r.tool_version)
    );
    for (k, v) in metadata(r) {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
    }
    out.push_str("</table>\n</header>\n");
    section(&mut out, "summary", "Summary");
    let _ = writeln!(out, "<p>{}</p>\n</section>", esc(&summary_text(r)));
    for f in &r.frameworks {
        html_framework(&mut out, f);
    }
    if let Some(u) = &r.usage {
        section(&mut out, "usage", "Usage");
        let _ = writeln!(out, "<p>{}</p>", esc(&usage_intro(u)));
        out.push_str(&usage_chart(u));
        out.push_str("<table><tr>");
        for h in USAGE_SOURCE_HEADER {
            let _ = write!(out, "<th>{h}</th>");
        }
        out.push_str("</tr>\n");
        for row in usage_sources(u) {
            out.push_str("<tr>");
            for v in row {
                let _ = write!(out, "<td>{}</td>", esc(&v));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        if !u.not_evaluable_reasons.is_empty() {
            out.push_str("<table><tr><th>not evaluable because</th><th>grants</th></tr>\n");
            for (why, n) in &u.not_evaluable_reasons {
                let _ = writeln!(out, "<tr><td>{}</td><td>{n}</td></tr>", esc(why));
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }
    section(
        &mut out,
        "lint",
        &format!(
            "Lint ({} error(s), {} warning(s) as of {})",
            r.lint.errors,
            r.lint.warnings,
            esc(&r.today)
        ),
    );
    if r.lint.by_rule.is_empty() {
        out.push_str("<p class=\"muted\">No finding.</p>\n");
    } else {
        out.push_str(
            "<table class=\"lint\"><tr><th>rule</th><th>errors</th><th>warnings</th></tr>\n",
        );
        for l in &r.lint.by_rule {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                l.rule, l.errors, l.warnings
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    section(&mut out, "reviews", "Access reviews");
    if r.reviews.is_empty() {
        out.push_str("<p>No access-review campaign is recorded under reviews/.</p>\n");
    } else {
        out.push_str("<table><tr><th>campaign</th><th>status</th><th>started</th><th>due</th><th>closed</th><th>grants</th><th>decided</th><th>removed</th><th>reviewers</th><th>closed in</th></tr>\n");
        for c in review_rows(r) {
            out.push_str("<tr>");
            for v in c {
                let _ = write!(out, "<td>{}</td>", esc(&v));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    if r.import_debt.imported > 0 {
        let d = &r.import_debt;
        section(&mut out, "import-debt", "Import debt");
        let _ = writeln!(
            out,
            "<p>{} imported grant(s): {} resolved (justified, approved, with an expiry), {} pending before their deadline, {} overdue.</p>",
            d.imported, d.resolved, d.pending, d.overdue
        );
        if !d.by_client.is_empty() {
            out.push_str("<table><tr><th>client</th><th>pending</th><th>overdue</th><th>deadline</th></tr>\n");
            for c in &d.by_client {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&c.client),
                    c.pending,
                    c.overdue,
                    esc(&c.deadline)
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("</section>\n");
    }
    section(&mut out, "policy", "Policy in force");
    out.push_str("<table><tr><th>setting</th><th>value</th><th>set by</th></tr>\n");
    for p in &r.policy.settings {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&p.key),
            esc(&p.value),
            p.source
        );
    }
    out.push_str("</table>\n");
    if r.policy.rule_levels.is_empty() {
        out.push_str("<p>Every rule runs at its default level.</p>\n");
    } else {
        out.push_str("<p>Rule levels that differ from the defaults:</p>\n<table><tr><th>rule</th><th>level</th><th>default</th></tr>\n");
        for l in &r.policy.rule_levels {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                l.rule, l.level, l.default_level
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
    section(&mut out, "expiry", "Grants by expiry month");
    out.push_str(&chart(r));
    out.push_str("<h3>Expired grants</h3>\n");
    html_grants(&mut out, r.expired());
    let _ = writeln!(
        out,
        "<h3>Grants expiring within {} days</h3>",
        r.expiry_window_days
    );
    html_grants(&mut out, r.expiring());
    out.push_str("</section>\n");
    section(
        &mut out,
        "sensitive",
        "Grants of sensitive scopes (high, critical)",
    );
    html_grants(&mut out, r.sensitive());
    out.push_str("<h3>Clients without an owner</h3>\n");
    if r.clients_without_owner.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for c in &r.clients_without_owner {
            let _ = writeln!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    section(&mut out, "grants", "All grants");
    html_grants(&mut out, r.grants.iter());
    out.push_str("</section>\n");
    section(&mut out, "sign-off", "Sign-off");
    let _ = writeln!(
        out,
        "<p>{}</p>\n<table class=\"sign-off\"><tr><th>role</th><th>name</th><th>date</th><th>signature</th></tr>",
        esc(SIGN_OFF_INTRO)
    );
    for role in SIGN_OFF_ROLES {
        let _ = writeln!(out, "<tr><td>{role}</td><td></td><td></td><td></td></tr>");
    }
    out.push_str("</table>\n</section>\n</body></html>\n");
    out
}

/// Print layout: A4, each section on a new page, tables not cut across rows, no colours
/// that need a background to be read.
const PRINT_CSS: &str = "@page{size:A4;margin:18mm 15mm}@media print{body{margin:0;font-size:10pt}section{break-before:page;page-break-before:always}tr{break-inside:avoid;page-break-inside:avoid}th{background:none}.sign-off td{height:2.5em}}.meta th{width:12em}.sign-off td{min-width:10em;height:2em}";

#[cfg(test)]
mod tests {
    #[test]
    fn html_escaping_covers_markup_characters() {
        assert_eq!(
            super::esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
