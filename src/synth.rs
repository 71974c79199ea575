//! Synthetic registries for benchmarks and scale tests: `scopes` scopes in files of 20,
//! `clients` client files with `grants_per_client` grants each, all valid on `today`.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

/// Shape of a generated registry.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub scopes: usize,
    pub clients: usize,
    pub grants_per_client: usize,
}

/// Name of the i-th generated scope.
pub fn scope_name(i: usize) -> String {
    format!(
        "resource-{:04}:{}",
        i / 4,
        ["read", "write", "delete", "admin-read"][i % 4]
    )
}

/// The text of scope file `f` (20 scopes per file).
pub fn scope_file(shape: Shape, f: usize) -> String {
    let mut s = String::new();
    for i in (f * 20)..((f + 1) * 20).min(shape.scopes) {
        let sensitivity = ["low", "medium", "high", "critical"][i % 4];
        s.push_str(&format!(
            "[scopes.\"{}\"]\ndescription = \"Synthetic scope number {i}\"\nowner = \"team-{:02}\"\nsensitivity = \"{sensitivity}\"\n",
            scope_name(i),
            i % 37
        ));
        if i % 4 >= 2 {
            s.push_str("step_up = true\n");
        }
        if i % 5 == 0 {
            s.push_str("claims = [\"region\", \"tenant\"]\n");
        }
        s.push('\n');
    }
    s
}

/// The text of client file `c`.
pub fn client_file(shape: Shape, c: usize, today: NaiveDate) -> String {
    let approved = today
        .checked_sub_days(chrono::Days::new(10 + (c % 90) as u64))
        .unwrap_or(today);
    let expires = approved
        .checked_add_days(chrono::Days::new(300))
        .unwrap_or(today);
    let mut s = format!(
        "[client]\nid = \"client-{c:05}\"\nowner = \"team-{:02}\"\ndescription = \"Synthetic client {c}\"\n",
        c % 37
    );
    for j in 0..shape.grants_per_client {
        let scope = (c * shape.grants_per_client + j) % shape.scopes.max(1);
        s.push_str(&format!(
            "\n[[grants]]\nscope = \"{}\"\njustification = \"Synthetic need {c}-{j} (TICKET-{})\"\napproved_by = \"approver{}@example.com\"\napproved_on = {}\nexpires = {}\ntype = \"{}\"\n",
            scope_name(scope),
            c * 100 + j,
            j % 7,
            approved.format("%Y-%m-%d"),
            expires.format("%Y-%m-%d"),
            if j % 3 == 0 { "optional" } else { "default" }
        ));
    }
    s
}

/// Write a synthetic registry under `dir`.
pub fn write(dir: &Path, shape: Shape, today: NaiveDate) -> anyhow::Result<()> {
    let scopes = dir.join("scopes");
    let clients = dir.join("clients");
    std::fs::create_dir_all(&scopes).context("create scopes/")?;
    std::fs::create_dir_all(&clients).context("create clients/")?;
    std::fs::write(
        dir.join("scopectl.toml"),
        "[policy]\nmax_grant_lifetime = \"365d\"\n\n[rules]\n\"scope/sensitive-without-step-up\" = \"warn\"\n",
    )
    .context("write scopectl.toml")?;
    for f in 0..shape.scopes.div_ceil(20) {
        std::fs::write(scopes.join(format!("s{f:04}.toml")), scope_file(shape, f))
            .context("write scope file")?;
    }
    for c in 0..shape.clients {
        std::fs::write(
            clients.join(format!("client-{c:05}.toml")),
            client_file(shape, c, today),
        )
        .context("write client file")?;
    }
    Ok(())
}
