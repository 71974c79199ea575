//! APIs in the registry (`apis/*.toml`, issue #17): OpenAPI 3.0 YAML and 3.1 JSON files
//! and a table of operations; each `api/*` lint rule firing and not firing; `apis export
//! openapi` and `--check`; `decode --endpoint` on tokens signed here; hostile OpenAPI
//! input (path escapes, huge files, `$ref`s to URLs or in cycles, deep nesting).

mod common;

use std::path::{Path, PathBuf};

use common::{codes, scopectl, with_code, TODAY};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

/// 2026-11-25T12:00:00Z.
const NOW: i64 = 1_795_608_000;
const NOW_ARG: &str = "2026-11-25T12:00:00Z";
const SECRET: &[u8] = b"an-hmac-secret-of-at-least-32-bytes!";
const PAYMENTS_AUD: &str = "https://api.example.com/payments";

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi")
        .join(name);
    std::fs::read_to_string(p).expect("fixture")
}

const SCOPES: &str = r#"
[scopes."payments:create"]
description = "Create payments"
owner = "team-payments"
sensitivity = "high"
step_up = true

[scopes."payments:read"]
description = "Read payments"
owner = "team-payments"
sensitivity = "low"

[scopes."payments:refund"]
description = "Refund payments"
owner = "team-payments"
sensitivity = "critical"
step_up = true

[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"

[scopes."orders:write"]
description = "Write orders"
owner = "team-shop"
sensitivity = "low"

[scopes."orders:legacy"]
description = "Old order access"
owner = "team-shop"
sensitivity = "low"
deprecated = true
replaced_by = "orders:read"

[scopes."reports:read"]
description = "Read reports"
owner = "team-data"
sensitivity = "low"

[scopes."reports:export"]
description = "Export reports"
owner = "team-data"
sensitivity = "low"
"#;

fn grant(scope: &str) -> String {
    format!(
        r#"
[[grants]]
scope = "{scope}"
justification = "Needed by the web shop (SHOP-1)"
approved_by = "alice@example.com"
approved_on = 2026-11-01
expires = 2027-05-01
"#
    )
}

fn client(scopes: &[&str]) -> String {
    let mut s = String::from("[client]\nid = \"shop-web\"\nowner = \"team-shop\"\n");
    for sc in scopes {
        s.push_str(&grant(sc));
    }
    s
}

const APIS: &str = r#"
[apis.payments]
audience = "https://api.example.com/payments"
owner = "team-payments"
openapi = ["../specs/payments-3.0.yaml"]

[apis.orders]
aud = "orders-api"
owner = "team-shop"
openapi = ["../specs/orders-3.1.json"]

[apis.reports]
audience = "reports-api"
owner = "team-data"

[apis.reports.operations]
"GET /reports/{id}" = ["reports:read"]
"#;

/// A repository (`.git` marks its root) with the registry in `registry/` and the
/// OpenAPI files in `specs/`.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
        for (p, t) in files {
            common::write(dir.path(), p, t.as_bytes());
        }
        Repo { dir }
    }

    /// The full fixture: every rule has something to find.
    fn full() -> Repo {
        let c = client(&[
            "payments:create",
            "payments:read",
            "orders:read",
            "reports:export",
        ]);
        Repo::new(&[
            (
                "registry/scopectl.toml",
                "[policy]\nmax_grant_lifetime = \"365d\"\n",
            ),
            ("registry/scopes/shop.toml", SCOPES),
            ("registry/clients/shop-web.toml", &c),
            ("registry/apis/apis.toml", APIS),
            ("specs/payments-3.0.yaml", &fixture("payments-3.0.yaml")),
            ("specs/orders-3.1.json", &fixture("orders-3.1.json")),
        ])
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("registry")
    }

    fn write(&self, p: &str, t: &[u8]) {
        common::write(self.dir.path(), p, t);
    }

    fn lint(&self) -> (i32, Value, String) {
        let out = scopectl()
            .args(["lint", "--format", "json", "--today", TODAY])
            .arg(self.registry())
            .output()
            .expect("run");
        let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn lint_human(&self) -> (i32, String) {
        let out = scopectl()
            .args(["lint", "--color", "never", "--today", TODAY])
            .arg(self.registry())
            .output()
            .expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), all)
    }
}

fn api_codes(json: &Value) -> Vec<String> {
    codes(json)
        .into_iter()
        .filter(|c| c.starts_with("api/"))
        .collect()
}

#[test]
fn every_api_rule_fires_on_the_fixture() {
    let repo = Repo::full();
    let (code, json, stderr) = repo.lint();
    assert_eq!(code, 1, "{json:#}\n{stderr}");
    let undefined = with_code(&json, "api/undefined-scope");
    assert_eq!(undefined.len(), 1, "{json:#}");
    let msg = undefined[0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("payments:admin"), "{msg}");
    assert!(msg.contains("POST /payments/{id}/refund"), "{msg}");
    assert_eq!(
        undefined[0]["file"], "../specs/payments-3.0.yaml",
        "{json:#}"
    );

    let deprecated = with_code(&json, "api/deprecated-scope");
    assert_eq!(deprecated.len(), 1, "{json:#}");
    assert!(deprecated[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("orders:legacy"));

    let mismatch = with_code(&json, "api/description-mismatch");
    assert_eq!(mismatch.len(), 1, "{json:#}");
    assert!(mismatch[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Read all payments"));

    let dead = with_code(&json, "api/dead-scope");
    let dead: Vec<&str> = dead.iter().filter_map(|d| d["message"].as_str()).collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].contains("reports:export"), "{dead:?}");

    // payments:refund (critical) needs a hint; payments:create has one.
    let step = with_code(&json, "api/missing-step-up");
    assert_eq!(step.len(), 1, "{json:#}");
    assert!(step[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("payments:refund"));

    let no_aud = with_code(&json, "api/no-audience");
    assert_eq!(no_aud.len(), 1, "{json:#}");
    assert!(no_aud[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("reports:export"));

    // Human output points at the line of the OpenAPI file.
    let (_, human) = repo.lint_human();
    assert!(human.contains("../specs/payments-3.0.yaml:"), "{human}");
}

#[test]
fn api_rules_stay_silent_when_everything_matches_or_no_api_is_declared() {
    // No API declared: no api/* finding (a scope no API needs is not a dead scope then).
    let c = client(&["orders:read"]);
    let repo = Repo::new(&[
        ("registry/scopes/shop.toml", SCOPES),
        ("registry/clients/shop-web.toml", &c),
    ]);
    let (_, json, stderr) = repo.lint();
    assert_eq!(api_codes(&json), Vec::<String>::new(), "{stderr}");

    // A table API needing exactly the registry's one scope, granted to the one client.
    let scope = r#"
[scopes."orders:read"]
description = "Read orders"
owner = "team-shop"
sensitivity = "low"
"#;
    let api = r#"
[apis.orders]
audience = "orders-api"
owner = "team-shop"
[apis.orders.operations]
"GET /orders" = ["orders:read"]
"#;
    let repo = Repo::new(&[
        ("registry/scopes/shop.toml", scope),
        ("registry/clients/shop-web.toml", &c),
        ("registry/apis/orders.toml", api),
    ]);
    let (code, json, stderr) = repo.lint();
    assert_eq!(api_codes(&json), Vec::<String>::new(), "{json:#}{stderr}");
    assert_eq!(code, 0, "{json:#}");

    // A step-up hint on the API silences api/missing-step-up.
    let critical = scope.replace("\"low\"", "\"critical\"\nstep_up = true");
    let hinted = api.replace(
        "owner = \"team-shop\"",
        "owner = \"team-shop\"\nstep_up = true",
    );
    let repo = Repo::new(&[
        ("registry/scopes/shop.toml", &critical),
        ("registry/clients/shop-web.toml", &c),
        ("registry/apis/orders.toml", &hinted),
    ]);
    let (_, json, _) = repo.lint();
    assert!(
        !api_codes(&json).contains(&"api/missing-step-up".to_string()),
        "{json:#}"
    );
    let repo = Repo::new(&[
        ("registry/scopes/shop.toml", &critical),
        ("registry/clients/shop-web.toml", &c),
        ("registry/apis/orders.toml", api),
    ]);
    let (_, json, _) = repo.lint();
    assert!(
        api_codes(&json).contains(&"api/missing-step-up".to_string()),
        "{json:#}"
    );
}

#[test]
fn rules_can_be_set_to_allow() {
    let repo = Repo::full();
    repo.write(
        "registry/scopectl.toml",
        b"[policy]\nmax_grant_lifetime = \"365d\"\n[rules]\n\"api/undefined-scope\" = \"allow\"\n\"api/dead-scope\" = \"deny\"\n",
    );
    let (_, json, _) = repo.lint();
    assert!(with_code(&json, "api/undefined-scope").is_empty());
    assert_eq!(with_code(&json, "api/dead-scope")[0]["severity"], "error");
}

fn export(repo: &Repo, extra: &[&str]) -> (i32, String, String) {
    let out = scopectl()
        .args(["apis", "export", "openapi"])
        .args(extra)
        .arg("--registry")
        .arg(repo.registry())
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn export_writes_the_registry_map_and_check_finds_stale_entries() {
    let repo = Repo::full();
    let (code, out, err) = export(&repo, &["payments"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        v,
        json!({"scopes": {
            "payments:create": "Create payments",
            "payments:read": "Read payments",
            "payments:refund": "Refund payments"
        }})
    );
    let (code, yaml, _) = export(&repo, &["payments", "--format", "yaml"]);
    assert_eq!(code, 0);
    assert!(yaml.contains("payments:read: Read payments"), "{yaml}");

    // The fixture describes payments:read differently: stale.
    let spec = repo.dir.path().join("specs/payments-3.0.yaml");
    let spec_arg = spec.to_string_lossy().into_owned();
    let (code, out, err) = export(&repo, &["payments", "--check", &spec_arg]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("`payments:read` is described \"Read all payments\""),
        "{out}"
    );
    let (code, out, _) = export(
        &repo,
        &["payments", "--check", &spec_arg, "--format", "json"],
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["stale"], true);
    assert_eq!(v["differences"][0]["kind"], "description");
    assert_eq!(v["differences"][0]["flow"], "oauth/clientCredentials");

    // Fixed: up to date.
    let fixed = fixture("payments-3.0.yaml").replace("Read all payments", "Read payments");
    repo.write("specs/payments-3.0.yaml", fixed.as_bytes());
    let (code, out, err) = export(&repo, &["payments", "--check", &spec_arg]);
    assert_eq!(code, 0, "{out}{err}");

    // Unknown API: exit 2 naming the known ones.
    let (code, _, err) = export(&repo, &["nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("orders, payments, reports"), "{err}");
}

fn token(claims: Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .expect("sign")
}

fn decode(repo: &Repo, tok: &str, extra: &[&str]) -> (i32, Value, String) {
    let secret = repo.dir.path().join("secret");
    std::fs::write(&secret, SECRET).expect("secret");
    let out = scopectl()
        .args(["decode", "--format", "json", "--now", NOW_ARG])
        .arg("--secret-file")
        .arg(&secret)
        .arg("--registry")
        .arg(repo.registry())
        .args(extra)
        .arg(tok)
        .output()
        .expect("run");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn claims(aud: &str, scope: &str) -> Value {
    json!({
        "iss": "https://id.example.com",
        "aud": aud,
        "azp": "shop-web",
        "scope": scope,
        "iat": NOW - 60,
        "exp": NOW + 600,
        "auth_time": NOW - 60,
    })
}

#[test]
fn decode_endpoint_answers_yes_and_no() {
    let repo = Repo::full();
    // Concrete path against a template, base path /v1 from `servers`.
    let tok = token(claims(PAYMENTS_AUD, "payments:read"));
    let (code, json, err) = decode(&repo, &tok, &["--endpoint", "GET /v1/payments/42"]);
    assert_eq!(code, 0, "{json:#}{err}");
    assert_eq!(json["endpoint"]["accepted"], "yes", "{json:#}");
    assert_eq!(json["endpoint"]["operation"], "GET /payments/{id}");
    assert_eq!(json["endpoint"]["api"], "payments");

    // Lacks payments:create, which the client is granted: request it.
    let (code, json, _) = decode(&repo, &tok, &["--endpoint", "POST /payments"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["endpoint"]["accepted"], "no");
    assert_eq!(json["need"]["scopes"][0]["scope"], "payments:create");
    assert_eq!(json["need"]["scopes"][0]["granted"], true);
    let f = &json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "token/need-missing")
        .expect("need-missing")["help"];
    assert!(f.as_str().unwrap_or("").contains("request it"), "{f}");

    // Refund: two alternatives, the client holds neither grant.
    let (code, json, _) = decode(&repo, &tok, &["--endpoint", "POST /payments/7/refund"]);
    assert_eq!(code, 1);
    assert_eq!(
        json["endpoint"]["requirements"],
        json!([["payments:refund"], ["payments:admin"]])
    );
    assert_eq!(json["need"]["scopes"][0]["granted"], false, "{json:#}");

    // Wrong audience: rejected for the audience, with the scope present.
    let other = token(claims("orders-api", "payments:create"));
    let (code, json, _) = decode(
        &repo,
        &other,
        &["--endpoint", "POST /payments", "--api", "payments"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        json["endpoint"]["because"],
        json!(["token/aud-mismatch"]),
        "{json:#}"
    );

    // Step-up: POST /payments carries a hint; an old auth_time is refused.
    let mut stale = claims(PAYMENTS_AUD, "payments:create");
    stale["auth_time"] = json!(NOW - 3600);
    let (code, json, _) = decode(&repo, &token(stale), &["--endpoint", "POST /payments"]);
    assert_eq!(code, 1);
    assert!(
        json["endpoint"]["because"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("token/step-up-stale"))),
        "{json:#}"
    );
    let fresh = token(claims(PAYMENTS_AUD, "payments:create"));
    let (code, json, _) = decode(&repo, &fresh, &["--endpoint", "POST /payments"]);
    assert_eq!(code, 0, "{json:#}");

    // 3.1 JSON, openIdConnect scheme, an alternative needing only an API key.
    let orders = token(claims("orders-api", "orders:read"));
    let (code, json, _) = decode(&repo, &orders, &["--endpoint", "GET /orders"]);
    assert_eq!(code, 0, "{json:#}");
    let (code, json, _) = decode(&repo, &orders, &["--endpoint", "POST /orders"]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["endpoint"]["checked"], 1);
    // A path item behind a local $ref.
    let (code, json, _) = decode(&repo, &orders, &["--endpoint", "GET /orders/legacy"]);
    assert_eq!(code, 1, "{json:#}");
    // A table API.
    let reports = token(claims("reports-api", "reports:read"));
    let (code, json, _) = decode(&repo, &reports, &["--endpoint", "GET /reports/q3"]);
    assert_eq!(json["endpoint"]["accepted"], "yes", "{json:#}");
    // Accepted there, but the registry grants the client no reports:read: a policy error.
    assert_eq!(code, 1, "{json:#}");

    // Human output says it in one line.
    let secret = repo.dir.path().join("secret");
    let out = scopectl()
        .args([
            "decode",
            "--color",
            "never",
            "--now",
            NOW_ARG,
            "--endpoint",
            "POST /payments",
        ])
        .arg("--secret-file")
        .arg(&secret)
        .arg("--registry")
        .arg(repo.registry())
        .arg(&tok)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Accepted at POST /payments (API payments, aud https://api.example.com/payments, needs payments:create, step-up): NO (403): token/need-missing"),
        "{text}"
    );
}

#[test]
fn decode_endpoint_errors_exit_2() {
    let repo = Repo::full();
    let tok = token(claims(PAYMENTS_AUD, "payments:read"));
    let (code, _, err) = decode(&repo, &tok, &["--endpoint", "GET /nowhere"]);
    assert_eq!(code, 2);
    assert!(err.contains("no operation of any API"), "{err}");
    let (code, _, err) = decode(
        &repo,
        &tok,
        &["--endpoint", "GET /payments", "--api", "nope"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no API `nope`"), "{err}");
    let (code, _, err) = decode(&repo, &tok, &["--endpoint", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an endpoint"), "{err}");
}

fn load_error(repo: &Repo) -> (i32, String) {
    let (code, out) = repo.lint_human();
    assert_eq!(code, 2, "{out}");
    (code, out)
}

#[test]
fn hostile_paths_are_refused() {
    let repo = Repo::full();
    let api = |path: &str| format!("[apis.x]\naudience = \"x\"\nopenapi = [\"{path}\"]\n");
    // Absolute.
    repo.write("registry/apis/apis.toml", api("/etc/passwd").as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("is absolute"), "{out}");
    assert!(out.contains("apis/apis.toml:3"), "{out}");
    // Escaping the repository.
    repo.write(
        "registry/apis/apis.toml",
        api("../../outside.yaml").as_bytes(),
    );
    let (_, out) = load_error(&repo);
    assert!(out.contains("leaves the repository"), "{out}");
    // A symlink out of the repository.
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("tmp");
        std::fs::write(outside.path().join("o.yaml"), "openapi: 3.0.0\n").expect("w");
        std::os::unix::fs::symlink(
            outside.path().join("o.yaml"),
            repo.dir.path().join("specs/link.yaml"),
        )
        .expect("symlink");
        repo.write(
            "registry/apis/apis.toml",
            api("../specs/link.yaml").as_bytes(),
        );
        let (_, out) = load_error(&repo);
        assert!(out.contains("outside the repository"), "{out}");
    }
    // A URL.
    repo.write(
        "registry/apis/apis.toml",
        api("https://evil.example/openapi.yaml").as_bytes(),
    );
    let (_, out) = load_error(&repo);
    assert!(out.contains("absolute or a URL"), "{out}");
}

#[test]
fn huge_and_malformed_files_are_clear_errors() {
    let repo = Repo::full();
    let api = "[apis.x]\naudience = \"x\"\nopenapi = [\"../specs/x.yaml\"]\n";
    repo.write("registry/apis/apis.toml", api.as_bytes());
    // Over 16 MiB.
    let big = vec![b'#'; 16 * 1024 * 1024 + 1];
    repo.write("specs/x.yaml", &big);
    let (_, out) = load_error(&repo);
    assert!(out.contains("limited to 16 MiB"), "{out}");
    // Invalid YAML: file and line.
    repo.write("specs/x.yaml", b"openapi: 3.0.0\npaths:\n  /a: [unclosed\n");
    let (_, out) = load_error(&repo);
    assert!(out.contains("is not valid YAML"), "{out}");
    assert!(out.contains("../specs/x.yaml:"), "{out}");
    // Deep nesting: refused before parsing (see deep_yaml_nesting_is_refused_in_linear_time),
    // no stack overflow.
    let deep = format!(
        "openapi: 3.0.0\nx: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    repo.write("specs/x.yaml", deep.as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("nests deeper than 128 levels"), "{out}");
    // JSON: deep nesting where scopectl reads (`security`) hits the recursion limit; in a
    // part it skips (`x`), it is skipped without recursing (linear, no stack), and the
    // file loads.
    let deep_json = |key: &str| {
        format!(
            "{{\"openapi\": \"3.1.0\", \"paths\": {{}}, \"{key}\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
    };
    repo.write("specs/x.json", deep_json("security").as_bytes());
    repo.write(
        "registry/apis/apis.toml",
        api.replace("x.yaml", "x.json").as_bytes(),
    );
    let (_, out) = load_error(&repo);
    assert!(out.contains("recursion limit"), "{out}");
    repo.write("specs/x.json", deep_json("x").as_bytes());
    let (code, out) = repo.lint_human();
    assert_ne!(code, 2, "{out}");
    assert!(!out.contains("x.json"), "{out}");
    // Swagger 2.0.
    repo.write("specs/x.json", br#"{"swagger": "2.0", "paths": {}}"#);
    let (_, out) = load_error(&repo);
    assert!(out.contains("not an OpenAPI 3.0 or 3.1 document"), "{out}");
    // Alias expansion bomb (billion laughs).
    let mut bomb = String::from("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    repo.write("specs/x.yaml", bomb.as_bytes());
    repo.write("registry/apis/apis.toml", api.as_bytes());
    let start = std::time::Instant::now();
    let (code, out) = repo.lint_human();
    assert!(start.elapsed().as_secs() < 20, "{out}");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("repetition limit exceeded"), "{out}");
}

/// Deep flow nesting in an OpenAPI YAML file made the YAML parser work in time quadratic
/// in the depth before it refused it (40,000 `[` took 4 s, 80,000 17 s, so 200,000 would
/// take minutes): a linear pre-scan now refuses anything deeper than 128 levels, naming
/// the file and the line, for `lint` and for `diff` (which reads the file at each
/// revision). No time is asserted: with the old parser this test would take minutes.
#[test]
fn deep_yaml_nesting_is_refused_in_linear_time() {
    let repo = Repo::full();
    let api = "[apis.x]\naudience = \"x\"\nopenapi = [\"../specs/x.yaml\"]\n";
    repo.write("registry/apis/apis.toml", api.as_bytes());
    let n = 200_000;
    for (what, deep) in [
        ("unclosed", "[".repeat(n)),
        ("balanced", format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (
            "mappings",
            format!("{}1{}", "{a: [".repeat(n / 2), "]}".repeat(n / 2)),
        ),
        // Quoted and commented brackets open nothing; the ones after them do.
        (
            "after a string",
            format!("['[[[', \"]]]\", {} # [[[", "[".repeat(n)),
        ),
    ] {
        let text = format!("openapi: 3.0.3\npaths:\n  /a: {deep}\n");
        repo.write("specs/x.yaml", text.as_bytes());
        let (_, out) = load_error(&repo);
        assert!(
            out.contains("x.yaml nests deeper than 128 levels (line 3); not parsed"),
            "{what}: {}",
            &out[..out.len().min(2000)]
        );
        assert!(out.contains("error[load/syntax]"), "{what}");
        assert!(out.contains("../specs/x.yaml:3:"), "{what}");
    }
    // As deep as the parser allows (126 flow levels under `paths` and `/a`) still loads.
    let text = format!(
        "openapi: 3.0.3\npaths:\n  /a:\n    x-deep: {}1{}\n",
        "[".repeat(125),
        "]".repeat(125)
    );
    repo.write("specs/x.yaml", text.as_bytes());
    let (code, _, err) = repo.lint();
    assert_ne!(code, 2, "{err}");

    // `diff` reads OpenAPI files through the same parser: the API is not compared, for
    // that reason.
    let t = common::TestRepo::new("registry");
    t.write("scopes/s.toml", SCOPES);
    t.write("clients/shop-web.toml", &client(&["orders:read"]));
    t.write(
        "apis/x.toml",
        "[apis.x]\naudience = \"x\"\nopenapi = [\"apis/x.yaml\"]\n",
    );
    t.write("apis/x.yaml", "openapi: 3.0.3\npaths: {}\n");
    let before = t.commit("Ann", "ann@example.com", "An API");
    t.tag("before", before);
    t.write(
        "apis/x.yaml",
        &format!("openapi: 3.0.3\npaths:\n  /a: {}\n", "[".repeat(n)),
    );
    let after = t.commit("Ann", "ann@example.com", "A deep API");
    t.tag("after", after);
    let out = scopectl()
        .current_dir(t.root())
        .args(["diff", "before..after", "--format", "json", "--registry"])
        .arg(t.registry())
        .args(["--today", TODAY])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let nc = &v["apis_not_compared"][0];
    assert_eq!(nc["api"], "x", "{v:#}");
    assert!(
        nc["reasons"][0]
            .as_str()
            .unwrap_or("")
            .contains("nests deeper than 128 levels"),
        "{nc:#}"
    );
}

#[test]
fn refs_to_urls_outside_or_in_cycles_are_refused() {
    let repo = Repo::full();
    let api = "[apis.x]\naudience = \"x\"\nopenapi = [\"../specs/x.yaml\"]\n";
    repo.write("registry/apis/apis.toml", api.as_bytes());
    let spec = |item: &str| {
        format!("openapi: 3.1.0\ninfo: {{title: x, version: '1'}}\npaths:\n  /a:\n    $ref: '{item}'\ncomponents:\n  pathItems:\n    p:\n      $ref: '#/components/pathItems/q'\n    q:\n      $ref: '#/components/pathItems/p'\n")
    };
    repo.write(
        "specs/x.yaml",
        spec("https://evil.example/paths.yaml#/a").as_bytes(),
    );
    let (_, out) = load_error(&repo);
    assert!(out.contains("names a URL"), "{out}");
    assert!(out.contains("#/paths/~1a"), "{out}");
    repo.write("specs/x.yaml", spec("../../../etc/passwd#/a").as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("leaves the repository"), "{out}");
    repo.write("specs/x.yaml", spec("#/components/pathItems/p").as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("a cycle?"), "{out}");
    repo.write("specs/x.yaml", spec("#/components/nothing").as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("names nothing"), "{out}");
    // A relative file in the repository is followed.
    repo.write("specs/x.yaml", spec("common.yaml#/a").as_bytes());
    repo.write(
        "specs/common.yaml",
        b"a:\n  get:\n    security:\n      - oauth: [orders:read]\n",
    );
    let with_scheme = spec("common.yaml#/a").replace(
        "components:\n",
        "components:\n  securitySchemes:\n    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://t', scopes: {}}}}\n",
    );
    repo.write("specs/x.yaml", with_scheme.as_bytes());
    let (code, json, stderr) = repo.lint();
    assert_ne!(code, 2, "{json:#}{stderr}");
    // An undefined security scheme is named.
    repo.write(
        "specs/x.yaml",
        b"openapi: 3.0.0\npaths:\n  /a:\n    get:\n      security:\n        - nope: [x]\n",
    );
    let (_, out) = load_error(&repo);
    assert!(out.contains("names the scheme `nope`"), "{out}");
}

/// A JSON document is parsed keeping only the parts scopectl reads; a `$ref` into a part
/// it skipped (`x-shared`) makes it parse the document whole, so the operation is found
/// (its scope is not dead) — and a `$ref` to a part that does not exist is still refused.
#[test]
fn a_json_ref_into_a_skipped_part_is_followed() {
    let repo = Repo::full();
    let api = "[apis.x]\naudience = \"x\"\nopenapi = [\"../specs/x.json\"]\n";
    repo.write("registry/apis/apis.toml", api.as_bytes());
    let doc = |target: &str| {
        serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "x", "version": "1"},
            "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}}}}},
            "paths": {"/reports": {"$ref": target}},
            "x-shared": {"reports": {"get": {"security": [{"oauth": ["reports:export"]}], "responses": {}}}}
        })
        .to_string()
    };
    repo.write("specs/x.json", doc("#/x-shared/reports").as_bytes());
    let (code, json, stderr) = repo.lint();
    assert_ne!(code, 2, "{json:#}{stderr}");
    let dead: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "api/dead-scope")
        .map(|d| d["message"].to_string())
        .collect();
    assert!(
        !dead.iter().any(|m| m.contains("reports:export")),
        "{dead:?}"
    );
    assert!(dead.iter().any(|m| m.contains("orders:read")), "{dead:?}");
    repo.write("specs/x.json", doc("#/x-shared/nothing").as_bytes());
    let (_, out) = load_error(&repo);
    assert!(out.contains("names nothing"), "{out}");
}

fn published(name: &str) -> String {
    fixture(&format!("published/{name}"))
}

/// Two published documents (the Swagger Petstore, OpenAPI 3.0 YAML; Bump.sh's Train
/// Travel API, OpenAPI 3.1 JSON): scopes read from their OAuth flows, a description that
/// differs from the registry's, a dead scope, and `--endpoint` answers on both.
#[test]
fn published_openapi_documents_are_read_checked_and_answer_the_403_question() {
    let scopes = r#"
[scopes."read:pets"]
description = "read your pets"
owner = "team-pets"
sensitivity = "low"

[scopes."write:pets"]
description = "Change pets"
owner = "team-pets"
sensitivity = "medium"

[scopes."read"]
description = "Read access"
owner = "team-trains"
sensitivity = "low"

[scopes."write"]
description = "Write access"
owner = "team-trains"
sensitivity = "medium"

[scopes."legacy:export"]
description = "Old export"
owner = "team-pets"
sensitivity = "low"
"#;
    let apis = "[apis.petstore]\naudience = \"petstore\"\nopenapi = [\"../specs/petstore-3.0.yaml\"]\n\n[apis.train]\naudience = \"train-travel\"\nopenapi = [\"../specs/train-travel-3.1.json\"]\n";
    let repo = Repo::new(&[
        (
            "registry/scopectl.toml",
            "[policy]\nscope_pattern = '^([a-z]+:[a-z]+|read|write)$'\n",
        ),
        ("registry/scopes/all.toml", scopes),
        (
            "registry/clients/shop-web.toml",
            &client(&["read:pets", "read"]),
        ),
        ("registry/apis/apis.toml", apis),
        ("specs/petstore-3.0.yaml", &published("petstore-3.0.yaml")),
        (
            "specs/train-travel-3.1.json",
            &published("train-travel-3.1.json"),
        ),
    ]);
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", "2026-11-25"])
        .arg(repo.registry())
        .output()
        .expect("run");
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes = api_codes(&json);
    assert!(
        codes.contains(&"api/description-mismatch".to_string()),
        "{json:#}"
    );
    assert!(codes.contains(&"api/dead-scope".to_string()), "{json:#}");
    assert!(
        !codes.contains(&"api/undefined-scope".to_string()),
        "{json:#}"
    );
    let text = json.to_string();
    assert!(text.contains("write:pets"), "{text}");
    assert!(text.contains("legacy:export"), "{text}");

    // Adding a pet needs both scopes; the client holds read:pets only.
    let tok = token(claims("petstore", "read:pets"));
    let (code, v, err) = decode(
        &repo,
        &tok,
        &["--endpoint", "POST /pet", "--api", "petstore"],
    );
    assert_eq!(code, 1, "{v:#}{err}");
    assert!(v.to_string().contains("write:pets"), "{v:#}");
    let tok = token(claims("petstore", "read:pets write:pets"));
    let (code, v, err) = decode(
        &repo,
        &tok,
        &["--endpoint", "POST /pet", "--api", "petstore"],
    );
    assert_eq!(
        code, 1,
        "granted in the token but not in the registry: {v:#}{err}"
    );
    // Train Travel: reading a booking by id needs `read` (a path template).
    let tok = token(claims("train-travel", "read"));
    let (code, v, err) = decode(
        &repo,
        &tok,
        &["--endpoint", "GET /bookings/1725ff48", "--api", "train"],
    );
    assert_eq!(code, 0, "{v:#}{err}");
}
