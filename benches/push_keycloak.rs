//! Benchmark: `scopectl apply` and the no-op `plan` on a real Keycloak with 500 scopes,
//! 200 clients and 4,000 grants. Wall time and HTTP request counts are printed; nothing
//! is asserted on time.
//!
//!   scripts/test --serve            # in another terminal; then export what it prints
//!   cargo bench --bench push_keycloak
//!
//! (`cargo test --all-targets` runs this binary without `--bench`: it then does nothing.)

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use serde_json::Value;
use support::{client_toml, scopes_toml, Kc, Registry};

const SCOPES: usize = 500;
const CLIENTS: usize = 200;
const GRANTS_PER_CLIENT: usize = 20;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("push_keycloak benchmark: run it with `cargo bench --bench push_keycloak`");
        return;
    }
    let kc = Kc::new();
    let realm = kc.create_realm("bench");
    let secret = kc.setup_scopectl_account(&realm, true);
    let t = Instant::now();
    std::thread::scope(|s| {
        for part in 0..4 {
            let (kc, realm) = (&kc, &realm);
            s.spawn(move || {
                for i in (part..CLIENTS).step_by(4) {
                    kc.create_client(realm, &format!("bench-client-{i:03}"), false);
                }
            });
        }
    });
    eprintln!("setup: {CLIENTS} clients created in {:.1?}", t.elapsed());

    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_BENCH_SECRET\"\n",
            kc.url
        ),
    );
    let names: Vec<String> = (0..SCOPES).map(|i| format!("res{i:03}:read")).collect();
    let scope_defs: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "Benchmark scope"))
        .collect();
    reg.write("scopes/bench.toml", &scopes_toml(&scope_defs));
    for c in 0..CLIENTS {
        let grants: Vec<(&str, &str, &str)> = (0..GRANTS_PER_CLIENT)
            .map(|k| {
                let scope = names[(c * 7 + k * 25) % SCOPES].as_str();
                let kind = if k % 4 == 0 { "optional" } else { "default" };
                (scope, kind, "2027-06-01")
            })
            .collect();
        reg.write(
            &format!("clients/c{c:03}.toml"),
            &client_toml(&format!("bench-client-{c:03}"), &grants),
        );
    }

    let run = |args: &[&str]| -> (f64, Value) {
        let t = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scopectl"))
            .args(args)
            .args(["--format", "json", "--today", "2026-11-25"])
            .arg(reg.path())
            .env("SCOPECTL_BENCH_SECRET", &secret)
            .output()
            .unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "scopectl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (secs, serde_json::from_slice(&out.stdout).unwrap())
    };

    let (t_apply, apply) = run(&["apply"]);
    let applied = apply["report"]["applied"].as_array().map_or(0, |a| a.len());
    let c = &apply["report"]["counts"];
    let (t_plan, plan) = run(&["plan"]);
    assert!(
        plan["ops"].as_array().unwrap().is_empty(),
        "no-op plan has changes"
    );
    let p = &plan["requests"];
    let (t_again, again) = run(&["apply"]);
    let a = &again["report"]["counts"];

    println!(
        "push_keycloak: {SCOPES} scopes, {CLIENTS} clients, {} grants",
        CLIENTS * GRANTS_PER_CLIENT
    );
    println!("| run | wall time | HTTP requests | reads | writes | token |");
    println!("|---|---|---|---|---|---|");
    let row = |name: &str, t: f64, c: &Value| {
        println!(
            "| {name} | {t:.2} s | {} | {} | {} | {} |",
            c["reads"].as_u64().unwrap_or(0)
                + c["writes"].as_u64().unwrap_or(0)
                + c["auth"].as_u64().unwrap_or(0),
            c["reads"],
            c["writes"],
            c["auth"]
        )
    };
    row(
        &format!("first apply ({applied} changes, incl. read-back)"),
        t_apply,
        c,
    );
    row("no-op plan", t_plan, p);
    row("second apply (no-op)", t_again, a);
}
