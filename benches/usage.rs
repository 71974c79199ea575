//! Benchmarks of usage evidence (#16); figures are printed, nothing is asserted on time.
//!
//! - `lint --usage`: the 20,000-grant registry of `scopectl::synth` with a snapshot of about
//!   100,000 client × scope pairs, against plain `lint` (target: within 2x), whole process,
//!   median of 7 runs.
//! - `usage collect --target` of 100,000 events from the local Keycloak (target: under
//!   10 s; the page count is printed). Needs the servers of `scripts/test --serve`; the
//!   events are made first with client-credentials token requests (that part takes minutes
//!   and is not what is measured). `SCOPECTL_BENCH_EVENTS` changes the count.
//!
//!   cargo bench --bench usage
//!
//! (`cargo test --all-targets` runs this binary without `--bench`: it then does nothing.)

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use scopectl::usage::{Proof, Snapshot, Source, SourceKind, Window, SERVER_SCOPES};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_scopectl")
}

fn time(args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("run scopectl");
    let d = t.elapsed();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn lint_usage() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let tmp = tempfile::tempdir().expect("tempdir");
    // SCOPECTL_BENCH_KEEP=1 leaves the generated registry and snapshot for profiling.
    let tmp_path = if std::env::var_os("SCOPECTL_BENCH_KEEP").is_some() {
        let kept = tmp.keep();
        eprintln!("usage benchmark: files kept in {}", kept.display());
        kept
    } else {
        tmp.path().to_path_buf()
    };
    let root = tmp_path.as_path();
    let shape = scopectl::synth::Shape {
        scopes: 2000,
        clients: 1000,
        grants_per_client: 20,
    };
    scopectl::synth::write(root, shape, today).expect("generate");
    let to = Utc
        .with_ymd_and_hms(2026, 11, 25, 0, 0, 0)
        .single()
        .expect("time");
    let window = Window {
        from: to - chrono::Duration::days(90),
        to,
    };
    let mut snap = Snapshot::new(window);
    let mut src = Source::new(SourceKind::Keycloak, "target bench", window);
    src.stored_types = Some(
        scopectl::usage::TOKEN_EVENT_TYPES
            .iter()
            .map(|(t, _)| t.to_string())
            .collect(),
    );
    src.stored_types_from = Some("realm events config".into());
    src.oldest_event = Some(window.from - chrono::Duration::days(1));
    snap.sources.push(src);
    let builtins = SERVER_SCOPES.join(" ");
    for c in 0..shape.clients {
        // 15 of each client's 20 grants used, and the built-in scopes.
        let granted: Vec<String> = (0..15)
            .map(|j| scopectl::synth::scope_name((c * shape.grants_per_client + j) % shape.scopes))
            .collect();
        let at = window.from + chrono::Duration::minutes((c * 97 % 120_000) as i64);
        snap.observe(
            &format!("client-{c:05}"),
            at,
            &format!("{} {builtins}", granted.join(" ")),
            Some("client_credentials"),
            Proof::Event,
        );
    }
    let mut other = 0;
    while snap.pairs() < 100_000 {
        snap.observe(
            &format!("other-{other:05}"),
            to,
            &builtins,
            Some("client_credentials"),
            Proof::Event,
        );
        other += 1;
    }
    let file = root.join("usage.json");
    snap.write(&file).expect("write snapshot");
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "lint --usage: 20,000 grants, snapshot of {} pairs ({} clients, {:.1} MB)",
        snap.pairs(),
        snap.clients.len(),
        size as f64 / 1e6
    );
    // In process: reading the snapshot, and judging the registry against it.
    let loaded = scopectl::registry::Registry::load_dir(root).expect("load");
    let t = Instant::now();
    let read = Snapshot::read(&file).expect("read");
    let parse = t.elapsed();
    let t = Instant::now();
    let (_, found) = scopectl::usage::evaluate::check(&loaded.registry, &read, None, today);
    println!(
        "  in process: snapshot read {:.1} ms, judged {:.1} ms ({} findings)",
        parse.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3,
        found.len()
    );
    let reg = root.to_str().expect("utf-8 path");
    let usage = file.to_str().expect("utf-8 path");
    let plain = ["lint", "--format", "json", "--today", "2026-11-25", reg];
    let with = [
        "lint",
        "--format",
        "json",
        "--today",
        "2026-11-25",
        "--usage",
        usage,
        reg,
    ];
    time(&plain);
    time(&with);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..7 {
        a.push(time(&plain));
        b.push(time(&with));
    }
    let (a, b) = (median(a), median(b));
    println!(
        "  plain lint {:.1} ms, lint --usage {:.1} ms: {:.2}x (target within 2x)",
        a.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        b.as_secs_f64() / a.as_secs_f64()
    );
}

fn collect_events() {
    if std::env::var("SCOPECTL_TEST_KEYCLOAK_URL").is_err() {
        println!("usage collect: skipped (start the servers with `scripts/test --serve` and export what it prints)");
        return;
    }
    let n: usize = std::env::var("SCOPECTL_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let kc = support::Kc::new();
    let realm = kc.create_realm("bench-usage");
    let r = kc.call(
        "PUT",
        &format!("/{realm}/events/config"),
        Some(serde_json::json!({"eventsEnabled": true, "enabledEventTypes": ["CLIENT_LOGIN"]})),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let secret = kc.setup_scopectl_account(&realm, false);
    for i in 0..10 {
        kc.create_client(&realm, &format!("bench-svc-{i}"), true);
    }
    let secrets: Vec<String> = (0..10)
        .map(|i| {
            let uuid = kc.client_uuid(&realm, &format!("bench-svc-{i}"));
            kc.client_secret(&realm, &uuid)
        })
        .collect();
    let t = Instant::now();
    let threads = 8;
    std::thread::scope(|s| {
        for part in 0..threads {
            let (kc, realm, secrets) = (&kc, &realm, &secrets);
            s.spawn(move || {
                for i in (part..n).step_by(threads) {
                    let c = format!("bench-svc-{}", i % 10);
                    let r = kc.token_form(
                        realm,
                        &[
                            ("grant_type", "client_credentials"),
                            ("client_id", &c),
                            ("client_secret", &secrets[i % 10]),
                        ],
                    );
                    assert_eq!(r.status, 200, "{}", r.body);
                }
            });
        }
    });
    println!(
        "usage collect: {n} CLIENT_LOGIN events made in {:.1} s (not measured)",
        t.elapsed().as_secs_f64()
    );
    // The reader: view-events on the scopectl account.
    let uuid = kc.client_uuid(&realm, "scope-sync");
    let sa = kc.call(
        "GET",
        &format!("/{realm}/clients/{uuid}/service-account-user"),
        None,
    );
    let sa = sa.body["id"].as_str().expect("sa").to_string();
    let rm = kc.client_uuid(&realm, "realm-management");
    let role = kc.call(
        "GET",
        &format!("/{realm}/clients/{rm}/roles/view-events"),
        None,
    );
    kc.call(
        "POST",
        &format!("/{realm}/users/{sa}/role-mappings/clients/{rm}"),
        Some(serde_json::json!([role.body])),
    );
    let reg = support::Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_BENCH_SECRET\"\n",
            kc.url
        ),
    );
    let out = reg.path().join("usage.json");
    let t = Instant::now();
    let res = Command::new(bin())
        .env("SCOPECTL_BENCH_SECRET", &secret)
        .args([
            "usage",
            "collect",
            "--target",
            "kc",
            "--window",
            "1d",
            "--format",
            "json",
            "--registry",
        ])
        .arg(reg.path())
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    let d = t.elapsed();
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("json");
    println!(
        "  collected {} events in {:.2} s (target under 10 s): {} page(s), {} request(s)",
        v["source"]["counted"],
        d.as_secs_f64(),
        v["source"]["pages"],
        v["requests"]["reads"].as_u64().unwrap_or(0) + v["requests"]["auth"].as_u64().unwrap_or(0)
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("usage benchmark: skipped (run with `cargo bench --bench usage`)");
        return;
    }
    lint_usage();
    collect_events();
}
