//! Benchmark for `scopectl lint` (issue 2): a registry of 2,000 scopes and 1,000 clients
//! holding 20,000 grants. Targets: lint under 150 ms wall, and within 2x of merely reading
//! and parsing the same files with the toml crate (the floor).
//!
//! Run: `cargo bench --bench lint`. Prints figures; asserts nothing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.join("scopectl.toml")];
    for sub in ["scopes", "clients"] {
        let mut v: Vec<_> = std::fs::read_dir(dir.join(sub))
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .collect();
        v.sort();
        out.extend(v);
    }
    out
}

/// The floor: read every file and parse it into a `toml::Table`, on `threads` threads.
fn floor(files: &[std::path::PathBuf], threads: usize) -> Duration {
    let start = Instant::now();
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in files.chunks(chunk) {
            s.spawn(move || {
                for f in part {
                    let text = std::fs::read_to_string(f).expect("read");
                    let t: toml::Table = toml::from_str(&text).expect("parse");
                    std::hint::black_box(t);
                }
            });
        }
    });
    start.elapsed()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("lint benchmark: skipped (run with `cargo bench --bench lint`)");
        return;
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    // SCOPECTL_BENCH_DIR=path keeps the generated registry there (for profiling).
    let tmp = tempfile::tempdir().expect("tempdir");
    let kept = std::env::var_os("SCOPECTL_BENCH_DIR").map(std::path::PathBuf::from);
    let root = kept.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    if let Some(k) = &kept {
        let _ = std::fs::remove_dir_all(k);
    }
    let shape = scopectl::synth::Shape {
        scopes: 2000,
        clients: 1000,
        grants_per_client: 20,
    };
    scopectl::synth::write(root.as_path(), shape, today).expect("generate");
    let files = toml_files(root.as_path());
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    println!(
        "registry: {} scopes, {} clients, {} grants, {} files, {:.1} MB; {threads} threads",
        shape.scopes,
        shape.clients,
        shape.clients * shape.grants_per_client,
        files.len(),
        bytes as f64 / 1e6
    );

    // Warm the page cache.
    floor(&files, threads);

    let floor_1 = median((0..RUNS).map(|_| floor(&files, 1)).collect());
    let floor_n = median((0..RUNS).map(|_| floor(&files, threads)).collect());

    let in_process = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let loaded = scopectl::registry::Registry::load_dir(root.as_path()).expect("load");
                assert!(loaded.is_ok());
                let d = scopectl::lint::check(&loaded.registry, today);
                std::hint::black_box(d);
                start.elapsed()
            })
            .collect(),
    );

    let load_only = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let loaded = scopectl::registry::Registry::load_dir(root.as_path()).expect("load");
                std::hint::black_box(&loaded);
                let e = start.elapsed();
                drop(loaded);
                e
            })
            .collect(),
    );

    let exe = env!("CARGO_BIN_EXE_scopectl");
    let process = median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = Command::new(exe)
                    .args(["lint", "--format", "json", "--today", "2026-11-25"])
                    .arg(root.as_path())
                    .output()
                    .expect("run scopectl");
                let e = start.elapsed();
                assert!(out.status.code() == Some(0) || out.status.code() == Some(1));
                e
            })
            .collect(),
    );

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "floor, read + toml::Table, 1 thread:        {:>7.1} ms",
        ms(floor_1)
    );
    println!(
        "floor, read + toml::Table, {threads} threads:       {:>7.1} ms",
        ms(floor_n)
    );
    println!(
        "scopectl load only, in process:             {:>7.1} ms",
        ms(load_only)
    );
    println!(
        "scopectl load + lint, in process:           {:>7.1} ms",
        ms(in_process)
    );
    println!(
        "scopectl lint, whole process (target <150): {:>7.1} ms",
        ms(process)
    );
    println!(
        "ratio lint (whole process) / floor: {:.2}x vs 1-thread floor, {:.2}x vs {threads}-thread floor (target <= 2x)",
        ms(process) / ms(floor_1),
        ms(process) / ms(floor_n)
    );
}
