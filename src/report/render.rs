//! Report renderers: Markdown, one self-contained HTML file, CSV and JSON.

use crate::text::md_line;
use std::fmt::Write as _;

use super::{GrantRow, Report};

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

fn md_grants<'a>(out: &mut String, rows: impl Iterator<Item = &'a GrantRow>) {
    let rows: Vec<&GrantRow> = rows.collect();
    if rows.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    out.push_str("| client | scope | sensitivity | justification | approved by | approved on | expires | days left |\n|---|---|---|---|---|---|---|---|\n");
    for g in rows {
        let _ = writeln!(
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
    }
    out.push('\n');
}

fn title(r: &Report) -> String {
    format!(
        "Access review: {} at {} ({})",
        if r.registry.is_empty() {
            "scope registry"
        } else {
            &r.registry
        },
        r.at.rev,
        &r.at.commit[..7.min(r.at.commit.len())]
    )
}

/// Markdown, for an audit record.
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md_line(&title(r)));
    let _ = writeln!(
        out,
        "Commit `{}` of {}; expiry evaluated on {}; warning window {} days.\n",
        r.at.commit,
        md_line(&r.at.date),
        r.today,
        r.expiry_window_days
    );
    let s = &r.summary;
    let _ = writeln!(
        out,
        "{} scope(s), {} client(s), {} grant(s): {} expired, {} expiring, {} sensitive; {} client(s) without owner; {} self-approved grant(s).\n",
        s.scopes, s.clients, s.grants, s.expired, s.expiring, s.sensitive, s.clients_without_owner, s.self_approved
    );
    out.push_str("## ISO/IEC 27001:2022 Annex A\n\n| control | title | status | evidence | what the registry demonstrates |\n|---|---|---|---|---|\n");
    for c in &r.controls {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            c.id,
            c.title,
            match c.status {
                "met" => "met",
                "partial" => "**partial**",
                "not-evaluable" => "**not evaluable**",
                _ => "**gaps**",
            },
            md_line(&c.evidence),
            md_line(c.demonstrates)
        );
    }
    out.push('\n');
    for c in r.controls.iter().filter(|c| !c.gaps.is_empty()) {
        let _ = writeln!(out, "Gaps for {} ({}):\n", c.id, c.title);
        for g in &c.gaps {
            let _ = writeln!(out, "- {}", md_line(g));
        }
        out.push('\n');
    }
    out.push_str("## Expired grants\n\n");
    md_grants(&mut out, r.expired());
    let _ = writeln!(
        out,
        "## Grants expiring within {} days\n",
        r.expiry_window_days
    );
    md_grants(&mut out, r.expiring());
    out.push_str("## Grants of sensitive scopes (high, critical)\n\n");
    md_grants(&mut out, r.sensitive());
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
    md_grants(&mut out, r.grants.iter());
    out
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
    out.push_str("<table><tr><th>client</th><th>scope</th><th>sensitivity</th><th>justification</th><th>approved by</th><th>approved on</th><th>expires</th><th>days left</th></tr>\n");
    for g in rows {
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
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

/// One self-contained HTML page: inline CSS and SVG, no scripts, no external assets.
pub fn html(r: &Report) -> String {
    let mut out = String::new();
    let t = esc(&title(r));
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{CSS}</style></head><body>\n<h1>{t}</h1>"
    );
    let s = &r.summary;
    let _ = writeln!(
        out,
        "<p>Commit <code>{}</code> of {}; expiry evaluated on {}; warning window {} days.</p>\n<p>{} scope(s), {} client(s), {} grant(s): {} expired, {} expiring, {} sensitive; {} client(s) without owner; {} self-approved grant(s).</p>",
        esc(&r.at.commit),
        esc(&r.at.date),
        esc(&r.today),
        r.expiry_window_days,
        s.scopes, s.clients, s.grants, s.expired, s.expiring, s.sensitive, s.clients_without_owner, s.self_approved
    );
    out.push_str("<h2>ISO/IEC 27001:2022 Annex A</h2>\n<table><tr><th>control</th><th>title</th><th>status</th><th>evidence</th><th>what the registry demonstrates</th><th>gaps</th></tr>\n");
    for c in &r.controls {
        let gaps: Vec<String> = c.gaps.iter().map(|g| esc(g)).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c.id,
            esc(c.title),
            c.status,
            c.status,
            esc(&c.evidence),
            esc(c.demonstrates),
            gaps.join("<br>")
        );
    }
    out.push_str("</table>\n<h2>Grants by expiry month</h2>\n");
    out.push_str(&chart(r));
    out.push_str("<h2>Expired grants</h2>\n");
    html_grants(&mut out, r.expired());
    let _ = writeln!(
        out,
        "<h2>Grants expiring within {} days</h2>",
        r.expiry_window_days
    );
    html_grants(&mut out, r.expiring());
    out.push_str("<h2>Grants of sensitive scopes (high, critical)</h2>\n");
    html_grants(&mut out, r.sensitive());
    out.push_str("<h2>Clients without an owner</h2>\n");
    if r.clients_without_owner.is_empty() {
        out.push_str("<p class=\"muted\">None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for c in &r.clients_without_owner {
            let _ = writeln!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>All grants</h2>\n");
    html_grants(&mut out, r.grants.iter());
    out.push_str("</body></html>\n");
    out
}

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
