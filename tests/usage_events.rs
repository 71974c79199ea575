//! `usage collect --from-events` / `--from-tokens` with input that lies: bytes that are
//! not UTF-8 (never turned into U+FFFD and counted), events with a member name written
//! twice (two parsers would read two clients), a pretty-printed admin API export (a
//! whole-file JSON array, not one event per line), and the summary's `merged` when
//! `--merge` found nothing to merge into. No server needed.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::scopectl;

const ALL_TYPES: &str = "CLIENT_LOGIN,CODE_TO_TOKEN,REFRESH_TOKEN,TOKEN_EXCHANGE,LOGIN,OAUTH2_DEVICE_CODE_TO_TOKEN,AUTHREQID_TO_TOKEN";

/// 2026-11-20 09:00 UTC, in epoch milliseconds.
const NOV_20: i64 = 1_795_165_200_000;

fn event(client: &str, scope: &str) -> Value {
    json!({
        "id": format!("ev-{client}-{scope}"),
        "time": NOV_20,
        "type": "CLIENT_LOGIN",
        "realmId": "r1",
        "clientId": client,
        "details": { "grant_type": "client_credentials", "scope": scope },
    })
}

fn line(client: &str, scope: &str) -> String {
    format!("{}\n", event(client, scope))
}

/// `usage collect SOURCE FILE --out SNAP` over 2026-09-01 to 2026-11-30 with the JSON
/// summary (plus `extra`): (exit code, summary or null, stderr).
fn collect(flag: &str, file: &Path, snap: &Path, extra: &[&str]) -> (i32, Value, String) {
    let mut c = scopectl();
    c.args(["usage", "collect", flag])
        .arg(file)
        .args(["--since", "2026-09-01", "--until", "2026-11-30"])
        .args(["--format", "json", "--out"])
        .arg(snap)
        .args(extra);
    if flag == "--from-events" {
        c.args(["--stored-types", ALL_TYPES]);
    }
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let summary = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), summary, stdout + &stderr)
}

fn read(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn clients(snap: &Value) -> Vec<String> {
    snap["clients"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn a_line_that_is_not_utf8_is_skipped_and_said_not_counted_as_a_mangled_client() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("usage.json");

    // Events: line 2 names the client `crm-\xff\xfeexport`.
    let events = dir.path().join("events.jsonl");
    let mut bytes = line("shop", "orders:read").into_bytes();
    bytes.extend_from_slice(
        &line("crm-@@export", "orders:write")
            .into_bytes()
            .iter()
            .map(|&b| if b == b'@' { 0xff } else { b })
            .collect::<Vec<_>>(),
    );
    bytes.extend_from_slice(line("web", "orders:read").as_bytes());
    std::fs::write(&events, &bytes).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    let s = read(&snap);
    assert_eq!(clients(&s), ["shop", "web"], "{s:#}");
    assert!(!out.contains('\u{fffd}'), "{out}");
    let src = &summary["source"];
    assert_eq!(
        (&src["read"], &src["counted"], &src["skipped"]),
        (&json!(3), &json!(2), &json!(1)),
        "{summary:#}"
    );
    assert_eq!(
        src["skipped_reasons"],
        json!({ "not-utf8": 1 }),
        "{summary:#}"
    );
    assert_eq!(s["sources"][0]["skipped_reasons"], json!({ "not-utf8": 1 }));
    assert!(out.contains("not UTF-8") && out.contains("line 2"), "{out}");

    // The human summary says it too.
    let human = scopectl()
        .args(["usage", "collect", "--from-events"])
        .arg(&events)
        .args(["--since", "2026-09-01", "--until", "2026-11-30", "--out"])
        .arg(&snap)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("3 read (1 skipped, not counted: 1 not UTF-8)"),
        "{text}"
    );

    // Token samples (`decode --batch` lines): the same.
    let tokens = dir.path().join("tokens.jsonl");
    let sample = |client: &str| {
        format!(
            "{}\n",
            json!({ "claims": { "azp": client, "iat": NOV_20 / 1000, "scope": "orders:read" },
                    "signature": { "status": "verified" } })
        )
    };
    let mut bytes = sample("shop").into_bytes();
    bytes.extend(sample("crm-@@export").into_bytes().into_iter().map(|b| {
        if b == b'@' {
            0xfe
        } else {
            b
        }
    }));
    std::fs::write(&tokens, &bytes).unwrap();
    let (code, summary, out) = collect("--from-tokens", &tokens, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(clients(&read(&snap)), ["shop"]);
    assert_eq!(summary["source"]["skipped"], 1, "{summary:#}");
    assert_eq!(
        summary["source"]["skipped_reasons"],
        json!({ "not-utf8": 1 })
    );
    assert!(out.contains("not UTF-8") && out.contains("line 2"), "{out}");

    // Nothing but bytes that are not UTF-8: an error, not an empty snapshot.
    std::fs::write(&events, b"\xff\xfe\n").unwrap();
    std::fs::remove_file(&snap).unwrap();
    let (code, _, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not UTF-8"), "{out}");
    assert!(!snap.exists());
}

#[test]
fn an_event_with_a_member_written_twice_is_not_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("usage.json");
    let events = dir.path().join("events.jsonl");
    let text = line("shop", "orders:read")
        // Two clients: serde_json would read `admin-cli`, another parser `shop`.
        + &format!("{{\"time\": {NOV_20}, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"shop\", \"clientId\": \"admin-cli\", \"details\": {{\"scope\": \"orders:write\"}}}}\n")
        // Two scopes.
        + &format!("{{\"time\": {NOV_20}, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"web\", \"details\": {{\"scope\": \"orders:read\", \"scope\": \"orders:write\"}}}}\n")
        // Written twice once unescaped.
        + &format!("[{}, {{\"time\": {NOV_20}, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"web\", \"client\\u0049d\": \"x\"}}]\n", event("batch", "reports:read"));
    std::fs::write(&events, text).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    let s = read(&snap);
    assert_eq!(clients(&s), ["batch", "shop"], "{s:#}");
    assert!(
        s["clients"]["shop"]["scopes"].get("orders:write").is_none(),
        "{s:#}"
    );
    let src = &summary["source"];
    assert_eq!(
        (&src["read"], &src["counted"], &src["skipped"]),
        (&json!(5), &json!(2), &json!(3)),
        "{summary:#}"
    );
    assert_eq!(
        src["skipped_reasons"],
        json!({ "duplicate-member": 3 }),
        "{summary:#}"
    );
    assert!(
        out.contains("`clientId` twice") && out.contains("line 2"),
        "{out}"
    );

    // Token samples: a `decode --batch` line with two `azp`.
    let tokens = dir.path().join("tokens.jsonl");
    let iat = NOV_20 / 1000;
    std::fs::write(
        &tokens,
        format!("{{\"claims\": {{\"azp\": \"shop\", \"iat\": {iat}}}, \"signature\": {{\"status\": \"verified\"}}}}\n\
                 {{\"claims\": {{\"azp\": \"shop\", \"azp\": \"admin-cli\", \"iat\": {iat}}}, \"signature\": {{\"status\": \"verified\"}}}}\n"),
    )
    .unwrap();
    let (code, summary, out) = collect("--from-tokens", &tokens, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(clients(&read(&snap)), ["shop"]);
    assert_eq!(
        summary["source"]["skipped_reasons"],
        json!({ "duplicate-member": 1 }),
        "{summary:#}"
    );
}

#[test]
fn a_pretty_printed_admin_api_export_is_read_as_a_whole() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("usage.json");
    let events = dir.path().join("events.json");
    // `GET /admin/realms/R/events` saved with `jq .`.
    let list = json!([
        event("shop", "orders:read"),
        event("web", "orders:read"),
        event("batch", "reports:read")
    ]);
    std::fs::write(&events, serde_json::to_string_pretty(&list).unwrap()).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(clients(&read(&snap)), ["batch", "shop", "web"]);
    assert_eq!(
        (&summary["source"]["read"], &summary["source"]["counted"]),
        (&json!(3), &json!(3)),
        "{summary:#}"
    );

    // Saved as the server sent it: one line longer than 1 MiB.
    let many: Vec<Value> = (0..8000)
        .map(|i| event(&format!("c{}", i % 7), "orders:read"))
        .collect();
    let compact = serde_json::to_string(&many).unwrap();
    assert!(compact.len() > 1 << 20);
    std::fs::write(&events, &compact).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(summary["source"]["counted"], 8000, "{summary:#}");

    // An event that is not one, a duplicate and bytes that are not UTF-8 in the array:
    // each is skipped on its own, the rest counted.
    let mut bytes = b"[\n  ".to_vec();
    bytes.extend(serde_json::to_vec_pretty(&event("shop", "orders:read")).unwrap());
    bytes.extend(b",\n  42,\n  {\"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"a\", \"clientId\": \"b\"},\n  ");
    bytes.extend(
        b"{\"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"crm-\xff\"},\n  ",
    );
    bytes.extend(b"{\"time\": 1795165200000, \"type\": \"CLIENT_LOGIN\", \"clientId\": \"web\", \"details\": {\"note\": \"a ] and a } and \\\" in a string\"}}\n]\n");
    std::fs::write(&events, &bytes).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(clients(&read(&snap)), ["shop", "web"]);
    let src = &summary["source"];
    assert_eq!(
        (&src["read"], &src["counted"], &src["skipped"]),
        (&json!(5), &json!(2), &json!(3)),
        "{summary:#}"
    );
    assert_eq!(
        src["skipped_reasons"],
        json!({ "duplicate-member": 1, "not-an-event": 1, "not-utf8": 1 }),
        "{summary:#}"
    );
    // The duplicate is placed in the file.
    assert!(out.contains("line 14"), "{out}");

    // An array cut short is an error naming where it starts, not a partial count.
    std::fs::remove_file(&snap).unwrap();
    let cut = serde_json::to_string_pretty(&list).unwrap();
    std::fs::write(&events, &cut[..cut.len() - 40]).unwrap();
    let (code, _, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("cut short") && out.contains("line 1"), "{out}");
    assert!(!snap.exists());

    // One event longer than the longest line read (1 MiB): an error, not a skip.
    let huge = json!([event("shop", &"x".repeat(1 << 20))]);
    std::fs::write(&events, serde_json::to_string_pretty(&huge).unwrap()).unwrap();
    let (code, _, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("1 MiB"), "{out}");

    // Empty arrays: empty, as before.
    std::fs::write(&events, "[\n]\n").unwrap();
    let (code, _, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is empty"), "{out}");
}

#[test]
fn merged_says_whether_a_snapshot_was_merged_into() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("usage.json");
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, line("shop", "orders:read")).unwrap();
    let (code, summary, out) = collect("--from-events", &events, &snap, &["--merge"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(summary["merged"], false, "{summary:#}");
    assert_eq!(summary["merge_requested"], true, "{summary:#}");
    assert!(out.contains("nothing to merge into"), "{out}");
    let (code, summary, out) = collect("--from-events", &events, &snap, &["--merge"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(summary["merged"], true, "{summary:#}");
    assert_eq!(summary["snapshot"]["sources"], 2, "{summary:#}");
    let (code, summary, out) = collect("--from-events", &events, &snap, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        (&summary["merged"], &summary["merge_requested"]),
        (&json!(false), &json!(false)),
        "{summary:#}"
    );
}
