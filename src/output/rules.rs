//! `--list-rules`: rules of the catalog with the level they run at for a registry (its
//! `[rules]` applied) beside their default, as a table or JSON.

use std::collections::HashMap;

use serde::Serialize;

use crate::rules::{Family, Level, Rule};

/// One rule as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub id: &'static str,
    pub family: Family,
    /// The level the rule runs at: `[rules]` of the registry given, else the default.
    pub level: Level,
    pub default_level: Level,
    pub configurable: bool,
    pub summary: &'static str,
    pub help_uri: String,
}

/// The rows for `rules` with `overrides` (the registry's `[rules]`) applied where the rule
/// is configurable.
pub fn rows(rules: impl Iterator<Item = Rule>, overrides: &HashMap<Rule, Level>) -> Vec<RuleRow> {
    rules
        .map(|r| RuleRow {
            id: r.id(),
            family: r.family(),
            level: r.effective_level(overrides),
            default_level: r.level(),
            configurable: r.configurable(),
            summary: r.summary(),
            help_uri: r.help_uri(),
        })
        .collect()
}

/// A table fitted to `width` columns ([`super::table::table_width`]): rule, level,
/// default (when a registry changed it), what it finds.
pub fn table(rows: &[RuleRow], first_column: &str, width: u16) -> String {
    let mut table = super::table::fitted_table(
        vec![first_column, "level", "default", "what it finds"],
        width,
    );
    for r in rows {
        let default = if r.level == r.default_level {
            String::new()
        } else {
            r.default_level.as_str().to_string()
        };
        table.add_row(vec![
            r.id.to_string(),
            r.level.as_str().to_string(),
            default,
            r.summary.to_string(),
        ]);
    }
    format!("{table}\n")
}

/// JSON: an array of [`RuleRow`].
pub fn json(rows: &[RuleRow]) -> String {
    let mut s = serde_json::to_string_pretty(rows)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialize rules: {e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_only_to_configurable_rules() {
        let overrides = HashMap::from([
            (Rule::GrantExpiring, Level::Deny),
            (Rule::TokenAlgNone, Level::Allow),
        ]);
        let rows = rows(
            [Rule::GrantExpiring, Rule::TokenAlgNone, Rule::GrantExpired].into_iter(),
            &overrides,
        );
        assert_eq!(rows[0].level, Level::Deny);
        assert_eq!(rows[0].default_level, Level::Warn);
        assert_eq!(rows[1].level, Level::Deny, "a fixed rule keeps its level");
        assert_eq!(rows[2].level, Level::Deny);
        let t = table(&rows, "rule", 120);
        assert!(t.contains("grant/expiring") && t.contains("warn"), "{t}");
    }
}
