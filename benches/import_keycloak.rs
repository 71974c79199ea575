//! Benchmark: `scopectl import keycloak --target` of a realm with 2,000 clients and 500
//! custom client scopes (4,000 links) on the real Keycloak (target: under 5 s, with a
//! request count that does not grow per client). Wall time and HTTP request counts are
//! printed; nothing is asserted on time.
//!
//!   scripts/test --serve            # in another terminal; then export what it prints
//!   cargo bench --bench import_keycloak
//!
//! (`cargo test --all-targets` runs this binary without `--bench`: it then does nothing.)

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use serde_json::{json, Value};
use support::{Kc, Registry};

const SCOPES: usize = 500;
const CLIENTS: usize = 2000;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("import_keycloak benchmark: run it with `cargo bench --bench import_keycloak`");
        return;
    }
    let kc = Kc::new();
    let realm = kc.create_realm("bench-import");
    let secret = kc.setup_scopectl_account(&realm, true);
    let t = Instant::now();
    std::thread::scope(|s| {
        for part in 0..4 {
            let (kc, realm) = (&kc, &realm);
            s.spawn(move || {
                for i in (part..SCOPES).step_by(4) {
                    let r = kc.call(
                        "POST",
                        &format!("/{realm}/client-scopes"),
                        Some(json!({"name": format!("res{:02}/item{i:03}.read", i % 40),
                                    "protocol": "openid-connect", "description": "Benchmark scope"})),
                    );
                    assert_eq!(r.status, 201, "{}", r.body);
                }
            });
        }
    });
    // Clients with their links in one partial import.
    let clients: Vec<Value> = (0..CLIENTS)
        .map(|i| {
            json!({"clientId": format!("bench-client-{i:04}"), "protocol": "openid-connect",
                   "publicClient": true, "standardFlowEnabled": false,
                   "defaultClientScopes": [format!("res{:02}/item{:03}.read", (i * 7) % SCOPES % 40, (i * 7) % SCOPES)],
                   "optionalClientScopes": [format!("res{:02}/item{:03}.read", (i * 7 + 1) % SCOPES % 40, (i * 7 + 1) % SCOPES)]})
        })
        .collect();
    // In batches: one partial import of every client outlasts the helper's 60 s timeout.
    for batch in clients.chunks(100) {
        let r = kc.call(
            "POST",
            &format!("/{realm}/partialImport"),
            Some(json!({"ifResourceExists": "SKIP", "clients": batch})),
        );
        assert_eq!(r.status, 200, "partial import: {}", r.body);
    }
    eprintln!(
        "setup: {SCOPES} scopes and {CLIENTS} clients in {:.1?}",
        t.elapsed()
    );

    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_BENCH_SECRET\"\n",
            kc.url
        ),
    );
    let mut times = Vec::new();
    let mut last = Value::Null;
    for run in 0..3 {
        let out_dir = reg.path().join(format!("out{run}"));
        let t = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scopectl"))
            .args(["import", "keycloak", "--target", "kc", "--format", "json"])
            .args(["--today", "2026-11-25", "--registry"])
            .arg(reg.path())
            .arg("--out")
            .arg(&out_dir)
            .env("SCOPECTL_BENCH_SECRET", &secret)
            .output()
            .unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert!(
            out.status.success(),
            "import: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        last = serde_json::from_slice(&out.stdout).unwrap();
    }
    times.sort_by(f64::total_cmp);
    let c = &last["source"]["requests"];
    println!(
        "import_keycloak: {} scopes, {} clients, {} grants imported",
        last["scopes"], last["clients"], last["grants"]
    );
    println!("| run | wall time (median of 3) | HTTP requests | reads | token | writes |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| import --target | {:.2} s | {} | {} | {} | {} |",
        times[1],
        c["reads"].as_u64().unwrap_or(0) + c["auth"].as_u64().unwrap_or(0),
        c["reads"],
        c["auth"],
        c["writes"]
    );
}
