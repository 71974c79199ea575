//! `scopectl import keycloak` (#14): against the real Keycloak that `scripts/test` starts
//! (a realm with custom scopes, mappers, names with `/` and `.`, default and optional
//! links and built-ins), a partial export of that realm, hand-written exports in older
//! shapes, and bad input. Without `scripts/test` the live tests fail and say so.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use support::{scopectl, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_SYNC_SECRET";
const TODAY: &str = "2026-11-25";

/// A realm made by hand the way teams have them: three custom scopes (one with a
/// protocol mapper that keeps its claim out of ID tokens, one left out of the token's
/// `scope` claim, names with `/` and `.`), two clients linking them default and optional,
/// and Keycloak's built-ins.
struct Realm {
    kc: Kc,
    realm: String,
    reg: Registry,
    secret: String,
}

fn realm(prefix: &str) -> Realm {
    let kc = Kc::new();
    let realm = kc.create_realm(prefix);
    let secret = kc.setup_scopectl_account(&realm, true);
    let scope = |body: Value| {
        let r = kc.call("POST", &format!("/{realm}/client-scopes"), Some(body));
        assert_eq!(r.status, 201, "create scope: {}", r.body);
        r.location.unwrap().rsplit('/').next().unwrap().to_string()
    };
    let orders = scope(json!({
        "name": "orders:read", "description": "Read orders", "protocol": "openid-connect",
        "attributes": {"include.in.token.scope": "true", "consent.screen.text": "See your orders"},
        "protocolMappers": [{
            "name": "order region", "protocol": "openid-connect",
            "protocolMapper": "oidc-hardcoded-claim-mapper",
            "config": {"claim.name": "order_region", "claim.value": "eu", "jsonType.label": "String",
                       "id.token.claim": "false", "access.token.claim": "true", "userinfo.token.claim": "false"}
        }]
    }));
    let patient = scope(json!({
        "name": "patient/Patient.read", "description": "Read patient records",
        "protocol": "openid-connect", "attributes": {"include.in.token.scope": "false"}
    }));
    let launch = scope(json!({
        "name": "launch/patient", "protocol": "openid-connect",
        "attributes": {"include.in.token.scope": "true"}
    }));
    let link = |client: &str, kind: &str, scope: &str| {
        let uuid = kc.client_uuid(&realm, client);
        let r = kc.call(
            "PUT",
            &format!("/{realm}/clients/{uuid}/{kind}-client-scopes/{scope}"),
            None,
        );
        assert_eq!(r.status, 204, "link: {}", r.body);
    };
    kc.create_client(&realm, "app-a", true);
    kc.create_client(&realm, "app.b/web", false);
    link("app-a", "default", &orders);
    link("app-a", "optional", &patient);
    link("app.b/web", "optional", &launch);
    link("app.b/web", "default", &orders);
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"{SECRET_VAR}\"\n",
            kc.url
        ),
    );
    Realm {
        kc,
        realm,
        reg,
        secret,
    }
}

impl Realm {
    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = scopectl();
        c.args(args).env(SECRET_VAR, &self.secret);
        c
    }

    fn import(&self, extra: &[&str]) -> Value {
        let mut args = vec!["import", "keycloak", "--target", "kc", "--format", "json"];
        args.extend_from_slice(&["--today", TODAY, "--registry"]);
        let root = self.reg.path().to_str().unwrap().to_string();
        args.push(&root);
        args.extend_from_slice(extra);
        run_json(self.cmd(&args), 0)
    }

    fn plan(&self, extra: &[&str]) -> Value {
        let mut args = vec!["plan", "--format", "json", "--today", TODAY];
        args.extend_from_slice(extra);
        let mut c = self.cmd(&args);
        c.arg(self.reg.path());
        run_json(c, 0)
    }
}

fn run_json(mut c: assert_cmd::Command, code: i32) -> Value {
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"))
}

/// Every file under `scopes/` and `clients/` of `root`: path -> contents.
fn registry_files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in ["scopes", "clients"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            out.insert(
                format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            );
        }
    }
    out
}

fn lint(root: &Path, today: &str) -> (i32, Value) {
    let out = scopectl()
        .args(["lint", "--format", "json", "--today", today])
        .arg(root)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stdout));
    });
    (out.status.code().unwrap(), json)
}

fn codes(lint: &Value) -> Vec<String> {
    lint["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn live_import_loads_lints_with_the_debt_counted_and_plans_to_zero_changes() {
    let r = realm("import");
    let doc = r.import(&[]);
    assert_eq!(doc["realm"], r.realm.as_str(), "{doc:#}");
    assert_eq!(doc["scopes"], 3, "{doc:#}");
    // app-a, app.b/web and the scope-sync service account; no built-in client.
    assert_eq!(doc["clients"], 3, "{doc:#}");
    assert_eq!(doc["grants"], 4, "{doc:#}");
    // One token, one GET /client-scopes, one GET /clients: not one per client.
    let req = &doc["source"]["requests"];
    assert_eq!(
        (req["reads"].as_u64(), req["writes"].as_u64()),
        (Some(2), Some(0)),
        "{doc:#}"
    );
    assert!(
        doc["left_out"]["builtin_clients"].as_u64().unwrap() >= 5,
        "{doc:#}"
    );
    assert!(
        doc["left_out"]["builtin_scopes"].as_u64().unwrap() >= 8,
        "{doc:#}"
    );
    assert_eq!(
        doc["misfit_names"],
        json!(["launch/patient", "patient/Patient.read"])
    );

    let files = registry_files(r.reg.path());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "clients/app-a.toml",
            "clients/app-b-web.toml",
            "clients/scope-sync.toml",
            "scopes/launch.toml",
            "scopes/orders.toml",
            "scopes/patient.toml"
        ]
    );
    let orders = &files["scopes/orders.toml"];
    for line in [
        "[scopes.\"orders:read\"]",
        "description = \"Read orders\"",
        // A hard-coded mapper into access tokens (and introspection, which follows them).
        "claims = [{ name = \"order_region\", source = \"value\", value = \"eu\", tokens = [\"access\", \"introspection\"] }]",
        "id_token = false",
        "consent_text = \"See your orders\"",
        "managed = false",
    ] {
        assert!(orders.contains(line), "{line} not in\n{orders}");
    }
    assert!(files["scopes/patient.toml"].contains("in_token_scope = false"));
    let app_b = &files["clients/app-b-web.toml"];
    assert!(app_b.contains("id = \"app.b/web\""), "{app_b}");
    assert!(
        app_b.contains("scope = \"launch/patient\"\ntype = \"optional\"\nimported = 2026-11-25"),
        "{app_b}"
    );
    assert!(
        app_b.contains("scope = \"orders:read\"\ntype = \"default\""),
        "{app_b}"
    );
    assert!(
        !files.values().any(|f| f.contains(&r.secret)),
        "a secret was written"
    );
    for f in files.values() {
        assert!(
            !f.contains("profile") && !f.contains("web-origins"),
            "built-in in\n{f}"
        );
    }

    // Loads and lints: the debt is one accepted finding per client with grants.
    let (code, l) = lint(r.reg.path(), TODAY);
    assert_eq!(code, 0, "{l:#}");
    let debt: Vec<&Value> = l["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "client/import-debt")
        .collect();
    assert_eq!(debt.len(), 2, "{l:#}");
    assert!(
        debt.iter()
            .all(|d| d["accepted"]["expires"] == "2027-02-23"),
        "{l:#}"
    );
    assert!(
        debt[0]["message"]
            .as_str()
            .unwrap()
            .contains("2 imported grants"),
        "{l:#}"
    );
    assert!(!codes(&l).contains(&"grant/missing-justification".to_string()));
    // After the deadline the debt fails lint, and each missing field is back.
    let (code, l) = lint(r.reg.path(), "2027-02-24");
    assert_eq!(code, 1);
    assert!(codes(&l).contains(&"grant/missing-justification".to_string()));

    // The round trip: nothing to change.
    let plan = r.plan(&[]);
    assert_eq!(plan["ops"], json!([]), "{plan:#}");
    assert_eq!(plan["errors"], json!([]), "{plan:#}");

    // The same realm imported again: byte-identical files. Into a folder that holds a
    // registry: refused, nothing changed.
    let again = tempfile::tempdir().unwrap();
    let out = again.path().to_str().unwrap();
    r.import(&["--out", out]);
    assert_eq!(registry_files(again.path()), files);
    let copied = std::fs::read_to_string(again.path().join("scopectl.toml")).unwrap();
    assert!(
        copied.contains("[targets.kc]") && copied.contains("scope_pattern"),
        "{copied}"
    );
    let refused = r
        .cmd(&["import", "keycloak", "--target", "kc", "--registry"])
        .arg(r.reg.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds a registry"));
    assert_eq!(registry_files(r.reg.path()), files);
}

#[test]
fn adopt_marks_on_the_next_apply_and_prune_then_removes_only_what_the_registry_dropped() {
    let r = realm("adopt");
    r.import(&["--adopt"]);
    let plan = r.plan(&[]);
    let ops = plan["ops"].as_array().unwrap();
    assert_eq!(ops.len(), 3, "{plan:#}");
    assert!(ops.iter().all(|o| o["op"] == "adopt_scope"), "{plan:#}");
    let mut c = r.cmd(&["apply", "--format", "json", "--today", TODAY]);
    c.arg(r.reg.path());
    run_json(c, 0);
    let patient = r.kc.scope(&r.realm, "patient/Patient.read").unwrap();
    assert_eq!(patient["attributes"]["scopectl.managed"], "true");
    // Adoption kept it out of the token's scope claim, as it was.
    assert_eq!(patient["attributes"]["include.in.token.scope"], "false");
    let orders = r.kc.scope(&r.realm, "orders:read").unwrap();
    assert_eq!(
        orders["attributes"]["consent.screen.text"],
        "See your orders"
    );
    assert_eq!(r.plan(&[])["ops"], json!([]));

    // Drop launch/patient from the registry: --prune deletes it and nothing else.
    r.reg.remove("scopes/launch.toml");
    let app_b = r.reg.path().join("clients/app-b-web.toml");
    let text = std::fs::read_to_string(&app_b).unwrap();
    let kept = text.replace(
        "\n[[grants]]\nscope = \"launch/patient\"\ntype = \"optional\"\nimported = 2026-11-25\n",
        "",
    );
    assert_ne!(kept, text);
    std::fs::write(&app_b, kept).unwrap();
    let plan = r.plan(&["--prune"]);
    let ops: Vec<String> = plan["ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["op"].as_str().unwrap(),
                o["scope"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ops,
        ["unassign launch/patient", "delete_scope launch/patient"],
        "{plan:#}"
    );
    let mut c = r.cmd(&["apply", "--prune", "--format", "json", "--today", TODAY]);
    c.arg(r.reg.path());
    run_json(c, 0);
    assert!(r.kc.scope(&r.realm, "launch/patient").is_none());
    assert!(r.kc.scope(&r.realm, "orders:read").is_some());
    assert!(r.kc.scope(&r.realm, "profile").is_some());
}

#[test]
fn a_partial_export_of_the_realm_imports_to_the_same_files_as_the_live_realm() {
    let r = realm("export");
    let export = r.kc.call(
        "POST",
        &format!(
            "/{}/partial-export?exportClients=true&exportGroupsAndRoles=false",
            r.realm
        ),
        None,
    );
    assert_eq!(export.status, 200, "{}", export.body);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("realm.json");
    std::fs::write(&file, export.body.to_string()).unwrap();
    let out = dir.path().join("from-export");
    let mut c = scopectl();
    c.args([
        "import",
        "keycloak",
        "--format",
        "json",
        "--today",
        TODAY,
        "--from-export",
    ])
    .arg(&file)
    .arg("--out")
    .arg(&out);
    let doc = run_json(c, 0);
    assert_eq!(doc["source"]["kind"], "export");
    assert!(doc["source"].get("requests").is_none());
    r.import(&[]);
    assert_eq!(registry_files(&out), registry_files(r.reg.path()));
    let (code, l) = lint(&out, TODAY);
    assert_eq!(code, 0, "{l:#}");
}

/// An export written by hand in the shapes older Keycloak versions (15–20) and tools
/// produce: an array of realms, booleans where 26 writes strings, no `protocol`, mapper
/// configs without `id.token.claim`, `null` members.
#[test]
fn hand_written_exports_in_older_shapes_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.json");
    std::fs::write(
        &file,
        json!([{
            "id": "legacy", "realm": "legacy", "enabled": true,
            "clientScopes": [
                {"name": "read", "attributes": {"include.in.token.scope": true, "display.on.consent.screen": true},
                 "protocolMappers": [{"name": "m", "protocolMapper": "oidc-usermodel-attribute-mapper",
                                      "config": {"claim.name": "tenant", "access.token.claim": true}}]},
                {"name": "user.profile/write", "description": null, "protocol": "openid-connect"},
                {"name": "email", "protocol": "openid-connect"}
            ],
            "clients": [
                {"clientId": "legacy-app", "secret": "hunter2", "defaultClientScopes": ["read", "email"],
                 "optionalClientScopes": ["user.profile/write"], "attributes": {}},
                {"clientId": "broker", "defaultClientScopes": []}
            ]
        }])
        .to_string(),
    )
    .unwrap();
    let out = dir.path().join("reg");
    let mut c = scopectl();
    c.args([
        "import",
        "keycloak",
        "--format",
        "json",
        "--today",
        TODAY,
        "--from-export",
    ])
    .arg(&file)
    .arg("--out")
    .arg(&out);
    let doc = run_json(c, 0);
    assert_eq!(
        (doc["scopes"].as_u64(), doc["clients"].as_u64()),
        (Some(2), Some(1))
    );
    let files = registry_files(&out);
    let other = &files["scopes/other.toml"];
    // Only `access.token.claim` is on: Keycloak releases the claim into access tokens
    // and (an absent key following the access token) introspection, nowhere else.
    assert!(
        other.contains(
            "claims = [{ name = \"tenant\", tokens = [\"access\", \"introspection\"] }]\nid_token = false\n"
        ),
        "{other}"
    );
    assert!(files["scopes/user-profile.toml"].contains("description = \"user.profile/write\""));
    assert!(!files.values().any(|f| f.contains("hunter2")));
    let (code, l) = lint(&out, TODAY);
    assert_eq!(code, 0, "{l:#}");
    assert!(!codes(&l).contains(&"scope/naming".to_string()), "{l:#}");
}

fn import_file(contents: &str) -> (i32, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("realm.json");
    std::fs::write(&file, contents).unwrap();
    let out = scopectl()
        .args(["import", "keycloak", "--from-export"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("reg"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    )
}

#[test]
fn bad_exports_are_clear_errors_naming_the_json_path_and_leave_no_registry() {
    let cases = [
        ("{\"realm\": \"r\", \"clients\": [{\"clientId\": \"a\"", "truncated"),
        ("<html>login</html>", "is not JSON"),
        ("{\"clientId\": \"app\", \"secret\": \"x\"}", "not a Keycloak realm export"),
        ("[1, 2]", "not a Keycloak realm export"),
        ("{\"realm\": \"r\", \"clientScopes\": {\"a\": 1}}", "`$.clientScopes` is an object, not a list"),
        (
            "{\"realm\": \"r\", \"clientScopes\": [{\"name\": \"a\", \"protocolMappers\": [{\"config\": []}]}]}",
            "`$.clientScopes[0].protocolMappers[0].config` is a list, not an object",
        ),
        (
            "{\"realm\": \"r\", \"clientScopes\": [{\"name\": \"a\"}], \"clients\": [{\"clientId\": \"c\", \"optionalClientScopes\": [\"a\", \"ghost\"]}]}",
            "`$.clients[0].optionalClientScopes[1]`: client `c` is linked to client scope `ghost`, which the realm's client scopes do not define",
        ),
        (
            "{\"realm\": \"r\", \"clientScopes\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
            "`a` is defined twice: `$.clientScopes[0]` and `$.clientScopes[1]`",
        ),
    ];
    for (text, want) in cases {
        let (code, stderr, dir) = import_file(text);
        assert_eq!(code, 2, "{text}: {stderr}");
        assert!(stderr.contains(want), "{text}: want {want:?} in {stderr}");
        let reg = dir.path().join("reg");
        assert!(
            !reg.join("scopes").exists() && !reg.join("clients").exists(),
            "{text}"
        );
        // No temporary folder is left behind either.
        let left: Vec<_> = std::fs::read_dir(&reg)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{text}: {left:?}");
    }
}

#[test]
fn a_key_written_twice_in_an_export_is_refused_naming_it_the_file_and_where() {
    // serde_json keeps the last of two members, other readers may keep the first: the
    // registry must not say something else than the realm. Any object counts, also one
    // scopectl does not read, and an escaped name is the same name.
    let client_twice = "{\n  \"realm\": \"r\",\n  \"clientScopes\": [{\"name\": \"a\"}],\n  \"clients\": [\n    {\n      \"clientId\": \"shop\",\n      \"defaultClientScopes\": [\"a\"],\n      \"clientId\": \"admin-console\"\n    }\n  ]\n}\n";
    let cases = [
        (client_twice.to_string(), "clientId", "`$.clients[0]`", "line 8, column 7"),
        (
            "{\"realm\": \"r\", \"clientScopes\": [{\"name\": \"a\"}, {\"name\": \"b\"}],\n\"clients\": [{\"clientId\": \"c\", \"defaultClientScopes\": [\"a\"], \"defaultClientScopes\": [\"b\"]}]}".to_string(),
            "defaultClientScopes",
            "`$.clients[0]`",
            "line 2, column 61",
        ),
        (
            "{\"realm\": \"réalm\", \"realm\": \"r\", \"clients\": []}".to_string(),
            "realm",
            "`$`",
            "line 1, column 20",
        ),
        (
            "{\"realm\": \"r\", \"smtpServer\": {\"host\": \"a\", \"host\": \"b\"}, \"clients\": []}".to_string(),
            "host",
            "`$.smtpServer`",
            "line 1, column 44",
        ),
        (
            "{\"realm\": \"r\", \"clientScopes\": [{\"name\": \"a\", \"attributes\": {\"include.in.token.scope\": \"true\", \"include.in.token.scope\": \"false\"}}]}".to_string(),
            "include.in.token.scope",
            "`$.clientScopes[0].attributes`",
            "line 1, column 96",
        ),
        (
            "{\"realm\": \"r\", \"clients\": [{\"clientId\": \"a\", \"client\\u0049d\": \"b\"}]}".to_string(),
            "clientId",
            "`$.clients[0]`",
            "line 1, column 46",
        ),
    ];
    for (text, key, at, position) in cases {
        let (code, stderr, dir) = import_file(&text);
        assert_eq!(code, 2, "{text}: {stderr}");
        for want in [
            format!("key `{key}` twice"),
            at.to_string(),
            position.to_string(),
            "realm.json".to_string(),
        ] {
            assert!(stderr.contains(&want), "{text}: want {want:?} in {stderr}");
        }
        let reg = dir.path().join("reg");
        let left: Vec<_> = std::fs::read_dir(&reg)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{text}: {left:?}");
    }
}

#[test]
fn five_thousand_clients_import_into_stable_distinct_files() {
    let scopes: Vec<Value> = (0..500)
        .map(|i| json!({"name": format!("res{}:act{i}", i % 50), "protocol": "openid-connect"}))
        .collect();
    let clients: Vec<Value> = (0..5000)
        .map(|i| {
            json!({"clientId": format!("Client/{i}"), "protocol": "openid-connect",
                   "defaultClientScopes": [format!("res{}:act{}", i % 50, i % 500)],
                   "optionalClientScopes": [format!("res{}:act{}", (i + 1) % 50, (i + 1) % 500)]})
        })
        .collect();
    let text = json!({"realm": "big", "clientScopes": scopes, "clients": clients}).to_string();
    let started = std::time::Instant::now();
    let (code, stderr, dir) = import_file(&text);
    assert_eq!(code, 0, "{stderr}");
    let took = started.elapsed();
    let files = registry_files(&dir.path().join("reg"));
    assert_eq!(files.len(), 5000 + 50);
    assert!(files.contains_key("clients/client-4999.toml"));
    // Debug build on a shared 2-core machine: a generous bound, not the benchmark.
    assert!(took.as_secs() < 60, "{took:?}");
}

#[test]
fn built_in_clients_and_scopes_only_with_include_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("realm.json");
    std::fs::write(
        &file,
        json!({"realm": "r",
               "clientScopes": [{"name": "orders:read"}, {"name": "profile"}, {"name": "openid"},
                                {"name": "service_account"}, {"name": "saml-attributes", "protocol": "saml"}],
               "clients": [
                 {"clientId": "account", "defaultClientScopes": ["profile", "orders:read"]},
                 {"clientId": "app", "defaultClientScopes": ["profile", "service_account", "orders:read"]},
                 {"clientId": "sp", "protocol": "saml", "defaultClientScopes": ["saml-attributes"]},
                 {"clientId": "scopectl-lease"}]})
        .to_string(),
    )
    .unwrap();
    let run = |out: &str, extra: &[&str]| {
        let mut c = scopectl();
        c.args([
            "import",
            "keycloak",
            "--format",
            "json",
            "--today",
            TODAY,
            "--from-export",
        ])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join(out))
        .args(extra);
        run_json(c, 0)
    };
    let without = run("without", &[]);
    assert_eq!(without["clients"], 1, "{without:#}");
    assert_eq!(
        without["left_out"],
        json!({"builtin_scopes": 3, "builtin_clients": 1, "saml_scopes": 1, "saml_clients": 1})
    );
    assert!(
        without["notes"][0]
            .as_str()
            .unwrap()
            .contains("built-in client `account` holds `orders:read`"),
        "{without:#}"
    );
    let files = registry_files(&dir.path().join("without"));
    assert!(!files["clients/app.toml"].contains("builtin_scopes"));

    let with = run("with", &["--include-built-ins"]);
    assert_eq!(with["clients"], 2, "{with:#}");
    let files = registry_files(&dir.path().join("with"));
    let account = &files["clients/account.toml"];
    assert!(
        account.contains("builtin_scopes = [\"profile\"]"),
        "{account}"
    );
    assert!(account.contains("scope = \"orders:read\""), "{account}");
    // `service_account` is linked by Keycloak itself: never listed.
    assert!(files["clients/app.toml"].contains("builtin_scopes = [\"profile\"]"));
    // Built-in scopes never become registry scopes (push refuses those names).
    assert_eq!(files.keys().filter(|k| k.starts_with("scopes/")).count(), 1);
}

/// An existing policy whose approval rule names a team of `teams/*.toml` (a layout `lint`
/// accepts) does not stop an import into that folder: the policy was read without its
/// team files, and looked broken ("does not load; run `scopectl lint` on it first").
#[test]
fn import_into_a_folder_whose_policy_names_a_team_of_a_teams_file() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("reg");
    std::fs::create_dir_all(reg.join("teams")).unwrap();
    std::fs::write(
        reg.join("scopectl.toml"),
        "[policy.approval.critical]\nteams = [\"sec\"]\n",
    )
    .unwrap();
    std::fs::write(
        reg.join("teams/sec.toml"),
        "[teams.sec]\nmembers = [\"ana@example.com\"]\n",
    )
    .unwrap();
    let file = dir.path().join("realm.json");
    std::fs::write(
        &file,
        json!({"realm": "r", "clientScopes": [{"name": "orders:read"}],
               "clients": [{"clientId": "app", "defaultClientScopes": ["orders:read"]}]})
        .to_string(),
    )
    .unwrap();
    let out = scopectl()
        .args(["import", "keycloak", "--today", TODAY, "--from-export"])
        .arg(&file)
        .arg("--out")
        .arg(&reg)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = registry_files(&reg);
    assert!(files.contains_key("clients/app.toml"), "{files:?}");
    assert!(reg.join("teams/sec.toml").is_file());
}
