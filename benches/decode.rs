//! `scopectl decode` benchmark (run with `cargo bench --bench decode`).
//!
//! 1. Whole-process decode of one token, scopectl against jwt-cli's `jwt decode` (skipped
//!    with a message when `jwt` is not installed): medians of many runs.
//! 2. `--batch` verification of 100,000 RS256 tokens from a file, and of 100,000 HS256
//!    tokens: tokens per second (median of 3 runs).
//!
//! Figures are printed; docs/decode.md records them. Nothing here asserts on time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

const NOW: i64 = 1_795_608_000; // 2026-11-25T12:00:00Z
const BATCH: usize = 100_000;

fn scopectl() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scopectl"))
}

fn find_jwt() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("jwt")).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/jwt"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

fn claims(i: usize) -> serde_json::Value {
    json!({
        "iss": "https://id.example.com/realms/shop",
        "sub": format!("user-{i}"),
        "aud": "orders-api",
        "azp": "shop-frontend",
        "scope": "orders:read orders:write",
        "iat": NOW - 60,
        "exp": NOW + 14 * 60,
        "jti": format!("{i:08}"),
    })
}

/// How many of the functions `scripts/symbol-order.txt` lists the binary still has under
/// those names (build.rs has the linker place them together): a low share means the list
/// is stale and `scripts/symbol-order` should be rerun.
fn symbol_order_coverage(bin: &Path) {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/symbol-order.txt");
    let Ok(text) = std::fs::read_to_string(&list) else {
        println!("  symbol order: {} not found", list.display());
        return;
    };
    let wanted: std::collections::HashSet<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    let Ok(out) = Command::new("nm").arg("--defined-only").arg(bin).output() else {
        println!("  symbol order: `nm` not found, coverage not checked");
        return;
    };
    let symbols = String::from_utf8_lossy(&out.stdout);
    let found = symbols
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|name| wanted.contains(name))
        .collect::<std::collections::HashSet<_>>()
        .len();
    println!(
        "  symbol order: the binary has {found} of the {} functions scripts/symbol-order.txt lists \
         (rerun scripts/symbol-order when this share drops)",
        wanted.len()
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU time (user + system) used so far by waited-for child processes.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Median wall time and median CPU time of `runs` runs.
fn time_process_cpu(
    dir: &Path,
    program: &Path,
    args: &[&str],
    runs: usize,
) -> Option<(Duration, Duration)> {
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    for _ in 0..runs {
        let before = children_cpu();
        let start = Instant::now();
        let status = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        walls.push(start.elapsed());
        cpus.push(children_cpu().saturating_sub(before));
        status.code()?;
    }
    Some((median(walls), median(cpus)))
}

fn time_process(dir: &Path, program: &Path, args: &[&str], runs: usize) -> Option<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(program)
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        times.push(start.elapsed());
        // Any exit code is fine (the point is the time), but not a crash.
        status.code()?;
    }
    Some(median(times))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs benches without it,
    // and a benchmark is not a test: stop before measuring anything.
    if !std::env::args().any(|a| a == "--bench") {
        println!("decode benchmark: skipped (run it with `cargo bench --bench decode`)");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    // SCOPECTL_BENCH_KEEP=1 keeps the token files for profiling.
    let dir_path = if std::env::var_os("SCOPECTL_BENCH_KEEP").is_some() {
        let p = dir.path().to_path_buf();
        std::mem::forget(dir);
        eprintln!("keeping {}", p.display());
        p
    } else {
        dir.path().to_path_buf()
    };
    let dir = KeptDir(dir_path);
    let bin = scopectl();

    eprintln!("generating an RSA-2048 key ...");
    let (private_pem, public_pem) = {
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).expect("RSA key");
        (
            key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string(),
            key.to_public_key()
                .to_public_key_pem(LineEnding::LF)
                .expect("pem"),
        )
    };
    let key_path = dir.path().join("pub.pem");
    std::fs::write(&key_path, &public_pem).expect("write key");
    let rsa_key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).expect("key");
    let secret_path = dir.path().join("secret");
    std::fs::write(&secret_path, "bench-secret-0123456789-0123456789").expect("write secret");
    let hs_key = EncodingKey::from_secret(b"bench-secret-0123456789-0123456789");

    // 1. One token, whole process.
    let token = encode(&Header::new(Algorithm::RS256), &claims(0), &rsa_key).expect("sign");
    let runs: usize = std::env::var("SCOPECTL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let now = NOW.to_string();
    let registry = concat!(env!("CARGO_MANIFEST_DIR"), "/scopes").to_string();
    // Interleaved: one run of each command per round, so a change in machine load hits
    // every command alike.
    let jwt = find_jwt();
    let mut commands: Vec<(&str, PathBuf, Vec<&str>)> = vec![
        (
            "scopectl decode TOKEN",
            bin.clone(),
            vec!["decode", "--now", &now, &token],
        ),
        (
            "scopectl decode --format json TOKEN",
            bin.clone(),
            vec!["decode", "--now", &now, "--format", "json", &token],
        ),
        (
            "scopectl decode --registry scopes TOKEN",
            bin.clone(),
            vec!["decode", "--now", &now, "--registry", &registry, &token],
        ),
    ];
    if let Some(jwt) = &jwt {
        commands.push(("jwt decode TOKEN", jwt.clone(), vec!["decode", &token]));
        commands.push((
            "jwt decode -j TOKEN",
            jwt.clone(),
            vec!["decode", "-j", &token],
        ));
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); commands.len()];
    'rounds: for _ in 0..runs {
        for (i, (_, program, args)) in commands.iter().enumerate() {
            match time_process(dir.path(), program, args, 1) {
                Some(t) => samples[i].push(t),
                None => break 'rounds,
            }
        }
    }
    println!("decode one token, whole process, median of {runs} interleaved runs:");
    let mut medians = Vec::new();
    for ((name, _, _), s) in commands.iter().zip(samples) {
        if s.is_empty() {
            println!("  {name}: did not run");
            medians.push(None);
            continue;
        }
        let m = median(s);
        println!("  {name:<36} {:>8.2} ms", ms(m));
        medians.push(Some(m));
    }
    let jwt_plain = medians.get(3).copied().flatten();
    let ratio =
        |i: usize, target: &str, what: &str| match (medians.get(i).copied().flatten(), jwt_plain) {
            (Some(a), Some(b)) => println!(
                "  ratio scopectl{what} / jwt decode: {:.2}x (target: {target})",
                a.as_secs_f64() / b.as_secs_f64()
            ),
            _ => println!(
            "  ratio scopectl{what} / jwt decode: not available (cargo install --locked jwt-cli)"
        ),
        };
    ratio(0, "within 1.2x", "");
    ratio(2, "at most 1.0x", " with a registry");
    if let (Some(a), Some(b)) = (
        medians.get(1).copied().flatten(),
        medians.get(4).copied().flatten(),
    ) {
        println!(
            "  ratio with JSON output: {:.2}x",
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    symbol_order_coverage(&bin);
    // jwt-cli has no batch mode: its figure is one token per process.
    let jwt_rate = jwt_plain.map(|b| 1.0 / b.as_secs_f64());

    // 2. --batch. RSA signing is slow, so 1,000 distinct RS256 tokens are repeated to
    // 100,000 lines; every line is still decoded and verified on its own.
    let distinct = 1_000;
    let rs_tokens: Vec<String> = (0..distinct)
        .map(|i| encode(&Header::new(Algorithm::RS256), &claims(i), &rsa_key).expect("sign"))
        .collect();
    let rs_file = dir.path().join("rs256.txt");
    let mut text = String::with_capacity(BATCH * (rs_tokens[0].len() + 1));
    for i in 0..BATCH {
        text.push_str(&rs_tokens[i % distinct]);
        text.push('\n');
    }
    std::fs::write(&rs_file, text).expect("write tokens");

    let hs_file = dir.path().join("hs256.txt");
    let mut text = String::new();
    for i in 0..BATCH {
        text.push_str(&encode(&Header::new(Algorithm::HS256), &claims(i), &hs_key).expect("sign"));
        text.push('\n');
    }
    std::fs::write(&hs_file, text).expect("write tokens");

    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!("--batch verification of {BATCH} tokens ({threads} threads), median of 3 runs:");
    println!(
        "  (load average now: {}; on a shared machine wall time includes waiting for a core)",
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "unknown".into())
    );
    let cases = [
        (
            "RS256",
            vec![
                "decode".to_string(),
                "--now".into(),
                now.clone(),
                "--key".into(),
                key_path.to_string_lossy().into_owned(),
                "--batch".into(),
                rs_file.to_string_lossy().into_owned(),
            ],
            20_000.0,
        ),
        (
            "HS256",
            vec![
                "decode".to_string(),
                "--now".into(),
                now.clone(),
                "--secret-file".into(),
                secret_path.to_string_lossy().into_owned(),
                "--batch".into(),
                hs_file.to_string_lossy().into_owned(),
            ],
            200_000.0,
        ),
    ];
    for (name, args, target) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match time_process_cpu(dir.path(), &bin, &args, 3) {
            Some((wall, cpu)) => {
                let rate = BATCH as f64 / wall.as_secs_f64();
                let per_cpu = BATCH as f64 / cpu.as_secs_f64().max(1e-9);
                println!(
                    "  {name}: {:>7.0} ms wall, {:>9.0} tokens/s (target > {target:.0}); {:>7.0} ms CPU, {:>9.0} tokens per CPU-second; jwt-cli: {}",
                    ms(wall),
                    rate,
                    ms(cpu),
                    per_cpu,
                    jwt_rate
                        .map(|r| format!("{r:.0} tokens/s (one process per token)"))
                        .unwrap_or_else(|| "not installed".into())
                );
            }
            None => println!("  {name}: scopectl did not run"),
        }
    }
}

struct KeptDir(PathBuf);
impl KeptDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
