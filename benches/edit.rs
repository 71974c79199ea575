//! Benchmark for the editing commands (issue 15) on the generated registry of 2,000
//! scopes, 1,000 clients and 20,000 grants: `revoke` and `grant` (targets: under 100 ms
//! each, whole process) and `review start` over every grant (target: under 1 s).
//!
//! Run: `cargo bench --bench edit`. Prints figures; asserts nothing about time.

use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 11;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn run(exe: &str, root: &std::path::Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(exe)
        .args(args)
        .args(["--today", "2026-11-25", "--registry"])
        .arg(root)
        .output()
        .expect("run scopectl");
    let e = start.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    e
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("edit benchmark: skipped (run with `cargo bench --bench edit`)");
        return;
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    // SCOPECTL_BENCH_DIR=path keeps the generated registry there (for profiling).
    let tmp = tempfile::tempdir().expect("tempdir");
    let kept = std::env::var_os("SCOPECTL_BENCH_DIR").map(std::path::PathBuf::from);
    if let Some(k) = &kept {
        let _ = std::fs::remove_dir_all(k);
    }
    let root_buf = kept.unwrap_or_else(|| tmp.path().to_path_buf());
    let root = root_buf.as_path();
    let shape = scopectl::synth::Shape {
        scopes: 2000,
        clients: 1000,
        grants_per_client: 20,
    };
    scopectl::synth::write(root, shape, today).expect("generate");
    let exe = env!("CARGO_BIN_EXE_scopectl");
    let scope = scopectl::synth::scope_name(0);
    let (mut revoke, mut grant) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        revoke.push(run(
            exe,
            root,
            &[
                "revoke",
                "client-00000",
                &scope,
                "--why",
                "benchmark (BENCH-1)",
            ],
        ));
        grant.push(run(
            exe,
            root,
            &[
                "grant",
                "client-00000",
                &scope,
                "--why",
                "benchmark grant (BENCH-1)",
                "--approved-by",
                "approver1@example.com",
                "--for",
                "90d",
            ],
        ));
    }
    let mut start = Vec::new();
    for i in 0..RUNS {
        let name = format!("bench-{i}");
        start.push(run(exe, root, &["review", "start", &name]));
        std::fs::remove_file(root.join(format!("reviews/{name}.toml"))).expect("remove");
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "registry: {} scopes, {} clients, {} grants; median of {RUNS} runs, whole process",
        shape.scopes,
        shape.clients,
        shape.clients * shape.grants_per_client
    );
    println!(
        "scopectl revoke (target < 100 ms):                  {:>7.1} ms",
        ms(median(revoke))
    );
    println!(
        "scopectl grant (target < 100 ms):                   {:>7.1} ms",
        ms(median(grant))
    );
    println!(
        "scopectl review start, 20,000 grants (target < 1 s): {:>7.1} ms",
        ms(median(start))
    );
}
