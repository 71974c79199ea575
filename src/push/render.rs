//! Text renderings of plans and apply reports (table for a terminal, markdown for a PR
//! comment). JSON is the serde form of [`Plan`] and [`ApplyReport`].

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use super::http::Counts;
use super::{ApplyReport, Op, Plan};

fn where_(plan: &Plan) -> String {
    match &plan.realm {
        Some(r) => format!("{} (realm {r})", plan.url),
        None => plan.url.clone(),
    }
}

fn ops_table(ops: &[Op]) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec!["#", "change", "client", "scope", "detail"]);
    for (i, op) in ops.iter().enumerate() {
        t.add_row(vec![
            (i + 1).to_string(),
            op.action(),
            op.client().unwrap_or("").to_string(),
            op.scope().unwrap_or("").to_string(),
            op.detail(),
        ]);
    }
    t
}

/// A plan as a table with a summary line, errors and notes.
pub fn plan_table(plan: &Plan) -> String {
    let mut out = format!("Plan for target `{}`: {}\n", plan.target, where_(plan));
    if plan.ops.is_empty() {
        out.push_str("No changes: the server matches the registry.\n");
    } else {
        out.push_str(&format!("{}\n", ops_table(&plan.ops)));
        out.push_str(&format!("{} change(s).\n", plan.ops.len()));
    }
    for e in &plan.errors {
        out.push_str(&format!("error[{}]: {}\n", e.code, e.message));
    }
    for n in &plan.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out.push_str(&requests_line(&plan.requests));
    out
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

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A plan as markdown, for a pull-request comment.
pub fn plan_markdown(plan: &Plan) -> String {
    let mut out = format!(
        "### scopectl plan: `{}`\n\n{}\n\n",
        plan.target,
        md_escape(&where_(plan))
    );
    if plan.ops.is_empty() {
        out.push_str("No changes: the server matches the registry.\n");
    } else {
        out.push_str("| # | change | client | scope | detail |\n|---|---|---|---|---|\n");
        for (i, op) in plan.ops.iter().enumerate() {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                i + 1,
                op.action(),
                md_escape(op.client().unwrap_or("")),
                md_escape(
                    op.scope()
                        .map(|s| format!("`{s}`"))
                        .as_deref()
                        .unwrap_or("")
                ),
                md_escape(&op.detail())
            ));
        }
        out.push_str(&format!("\n**{} change(s).**\n", plan.ops.len()));
    }
    if !plan.errors.is_empty() {
        out.push_str("\n**Errors**\n\n");
        for e in &plan.errors {
            out.push_str(&format!("- `{}`: {}\n", e.code, md_escape(&e.message)));
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\n**Notes**\n\n");
        for n in &plan.notes {
            out.push_str(&format!("- {}\n", md_escape(n)));
        }
    }
    out
}

/// What `apply` did.
pub fn apply_text(plan: &Plan, r: &ApplyReport) -> String {
    let mut out = format!("Apply to target `{}`: {}\n", plan.target, where_(plan));
    if r.applied.is_empty() && r.failed.is_none() {
        out.push_str("No changes: the server already matches the registry.\n");
    } else if !r.applied.is_empty() {
        out.push_str(&format!("Applied:\n{}\n", ops_table(&r.applied)));
    }
    if let Some((op, why)) = &r.failed {
        out.push_str(&format!(
            "FAILED: {} {} {}: {why}\n",
            op.action(),
            op.client().unwrap_or(""),
            op.scope().unwrap_or("")
        ));
        out.push_str(&format!(
            "{} change(s) applied, 1 failed, {} not applied. The next `apply` completes them.\n",
            r.applied.len(),
            r.not_applied.len()
        ));
        if !r.not_applied.is_empty() {
            out.push_str(&format!("Not applied:\n{}\n", ops_table(&r.not_applied)));
        }
    }
    if !r.did_not_take.is_empty() {
        out.push_str(&format!(
            "Read back after apply: these changes did not take:\n{}\n",
            ops_table(&r.did_not_take)
        ));
    }
    if let Some(e) = &r.readback_error {
        out.push_str(&format!("Could not read back after apply: {e}\n"));
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for e in &plan.errors {
        out.push_str(&format!("error[{}]: {}\n", e.code, e.message));
    }
    out.push_str(&requests_line(&r.counts));
    out
}
