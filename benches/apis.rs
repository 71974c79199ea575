//! Benchmark for APIs in the registry (issue 17): the 20,000-grant generated registry
//! plus 50 OpenAPI files of 2,000 operations each (every operation needs one of the
//! registry's scopes). Target: `scopectl lint` stays under 300 ms (whole process).
//!
//! Measured twice: with documents that mark the operations needing step-up scopes
//! (`x-scopectl-step-up`, as the policy asks: no finding), and with the same documents
//! without those marks (50,000 `api/missing-step-up` warnings to render).
//!
//! Run: `cargo bench --bench apis`. Prints figures; asserts nothing about time.

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 9;
const FILES: usize = 50;
const OPERATIONS: usize = 2000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn spec(f: usize, scopes: usize, hinted: bool) -> String {
    let mut paths = serde_json::Map::new();
    for o in 0..OPERATIONS {
        let i = (f * OPERATIONS + o) % scopes;
        let scope = scopectl::synth::scope_name(i);
        let mut op = serde_json::json!({"operationId": format!("get{f}x{o}"),
            "security": [{"oauth": [scope]}], "responses": {"200": {"description": "ok"}}});
        // The generated scopes i % 4 >= 2 are high or critical with step_up.
        if hinted && i % 4 >= 2 {
            op["x-scopectl-step-up"] = serde_json::Value::Bool(true);
        }
        paths.insert(
            format!("/r{f}/items{o}/{{id}}"),
            serde_json::json!({ "get": op }),
        );
    }
    let described: serde_json::Map<String, serde_json::Value> = (0..scopes)
        .map(|i| {
            (
                scopectl::synth::scope_name(i),
                serde_json::Value::String(format!("Synthetic scope number {i}")),
            )
        })
        .collect();
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": format!("api {f}"), "version": "1"},
        "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://id.example.com/token", "scopes": described}}}}},
        "paths": paths,
    })
    .to_string()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("apis benchmark: skipped (run with `cargo bench --bench apis`)");
        return;
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("registry");
    std::fs::create_dir_all(tmp.path().join(".git")).expect("repo marker");
    let shape = scopectl::synth::Shape {
        scopes: 2000,
        clients: 1000,
        grants_per_client: 20,
    };
    scopectl::synth::write(&root, shape, today).expect("generate");
    let exe = env!("CARGO_BIN_EXE_scopectl");
    let warnings = std::cell::Cell::new(0u64);
    let lint = |dir: &std::path::Path| {
        let start = Instant::now();
        let out = Command::new(exe)
            .args(["lint", "--format", "json", "--today", "2026-11-25"])
            .arg(dir)
            .output()
            .expect("run scopectl");
        let e = start.elapsed();
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("lint JSON");
        warnings.set(v["summary"]["warnings"].as_u64().unwrap_or(0));
        e
    };
    let plain = median((0..RUNS).map(|_| lint(&root)).collect());
    std::fs::create_dir_all(tmp.path().join("specs")).expect("specs");
    std::fs::create_dir_all(root.join("apis")).expect("apis");
    let mut toml = String::new();
    let mut bytes = 0;
    for f in 0..FILES {
        let text = spec(f, shape.scopes, true);
        bytes += text.len();
        std::fs::write(tmp.path().join(format!("specs/api{f}.json")), text).expect("spec");
        toml.push_str(&format!(
            "[apis.api{f}]\naudience = \"api{f}\"\nopenapi = [\"../specs/api{f}.json\"]\n\n"
        ));
    }
    std::fs::write(root.join("apis/apis.toml"), toml).expect("apis.toml");
    let with_apis = median((0..RUNS).map(|_| lint(&root)).collect());
    let clean_warnings = warnings.get();
    for f in 0..FILES {
        std::fs::write(
            tmp.path().join(format!("specs/api{f}.json")),
            spec(f, shape.scopes, false),
        )
        .expect("spec");
    }
    let unhinted = median((0..RUNS).map(|_| lint(&root)).collect());
    let unhinted_warnings = warnings.get();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "registry: {} scopes, {} clients, {} grants; {FILES} OpenAPI files of {OPERATIONS} operations ({:.1} MB); median of {RUNS} runs, whole process",
        shape.scopes,
        shape.clients,
        shape.clients * shape.grants_per_client,
        bytes as f64 / 1e6
    );
    println!(
        "scopectl lint, no APIs:                          {:>7.1} ms",
        ms(plain)
    );
    println!(
        "scopectl lint, with the APIs (target < 300 ms):  {:>7.1} ms  ({clean_warnings} warnings)",
        ms(with_apis)
    );
    println!(
        "the same without step-up marks:                  {:>7.1} ms  ({unhinted_warnings} warnings rendered)",
        ms(unhinted)
    );
}
