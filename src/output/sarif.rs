//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it.

use serde_sarif::sarif;

use crate::finding::{Files, Finding, Severity};
use crate::rules::{self, Level};

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note => sarif::ResultLevel::Note,
    }
}

/// Characters a relative URI reference cannot carry as they are (RFC 3986): controls,
/// space and the delimiters; `/` stays the path separator.
const URI_ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A `/`-separated relative path as a SARIF `artifactLocation.uri` (percent-encoded).
fn uri_reference(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, URI_ESCAPE).to_string()
}

/// Render a SARIF log. `prefix` is the registry's path relative to the repository root
/// (`uriBaseId` `%SRCROOT%`), so code scanning can find the files.
pub fn render(files: &Files, diagnostics: &[Finding], prefix: &str) -> String {
    // Every rule of the catalog, so that any result (a load problem as much as a lint
    // finding) has its rule entry and `ruleIndex`.
    let rules: Vec<sarif::ReportingDescriptor> = rules::ALL
        .iter()
        .map(|r| {
            sarif::ReportingDescriptor::builder()
                .id(r.id())
                .name(r.anchor())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(r.summary())
                        .build(),
                )
                .help_uri(r.help_uri())
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(serde_json::json!(match r.level() {
                            Level::Allow => "none",
                            Level::Warn => "warning",
                            Level::Deny => "error",
                        }))
                        .build(),
                )
                .build()
        })
        .collect();

    let uri = |f: usize| {
        let path = if prefix.is_empty() || prefix == "." {
            files.name(f).to_string()
        } else {
            format!("{}/{}", prefix.trim_end_matches('/'), files.name(f))
        };
        uri_reference(&path)
    };

    let results: Vec<sarif::Result> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut locations = Vec::new();
            if let Some(file) = d.file() {
                let artifact = sarif::ArtifactLocation::builder()
                    .uri(uri(file))
                    .uri_base_id("%SRCROOT%")
                    .build();
                let physical = match &d.primary {
                    Some(p) => {
                        let (l, c) = files.location(p.file, p.span.start);
                        let (el, ec) = files.location(p.file, p.span.end);
                        let region = sarif::Region::builder()
                            .start_line(l as i64)
                            .start_column(c as i64)
                            .end_line(el as i64)
                            .end_column(ec as i64)
                            .build();
                        sarif::PhysicalLocation::builder()
                            .artifact_location(artifact)
                            .region(region)
                            .build()
                    }
                    None => sarif::PhysicalLocation::builder()
                        .artifact_location(artifact)
                        .build(),
                };
                locations.push(
                    sarif::Location::builder()
                        .physical_location(physical)
                        .build(),
                );
            }
            let mut result = sarif::Result::builder()
                .rule_id(d.code())
                .level(level(d.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(locations)
                .build();
            result.rule_index = rules::ALL
                .iter()
                .position(|r| *r == d.rule)
                .map(|i| i as i64);
            // An accepted risk is a suppression kept outside the source ("external": in
            // scopectl.toml), accepted by a named person until a date.
            if let Some(a) = &d.accepted {
                result.suppressions = Some(vec![sarif::Suppression::builder()
                    .kind(serde_json::json!("external"))
                    .status(serde_json::json!("accepted"))
                    .justification(format!(
                        "{} (accepted by {} until {}, {})",
                        a.reason, a.approved_by, a.expires, a.exception
                    ))
                    .build()]);
            }
            result
        })
        .collect();

    let driver = sarif::ToolComponent::builder()
        .name("scopectl")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/scopectl/scopectl")
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialize SARIF: {e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_are_percent_encoded() {
        assert_eq!(
            uri_reference("clients/a b#1?.toml"),
            "clients/a%20b%231%3F.toml"
        );
        assert_eq!(
            uri_reference("infra/oauth/scopes/ok.toml"),
            "infra/oauth/scopes/ok.toml"
        );
        assert_eq!(uri_reference("clients/é.toml"), "clients/%C3%A9.toml");
    }
}
