//! Claims as protocol mappers (issue 18), against the real Keycloak that `scripts/test`
//! starts: `apply` makes the mappers the registry declares, real tokens (password grant)
//! carry each claim in exactly the declared tokens, hand-made mappers stay untouched,
//! a second apply writes nothing and `drift` sees a mapper edited through the admin API.

mod support;

use base64::Engine;
use serde_json::{json, Value};
use support::{client_toml, scopectl, Kc, Registry};

const SECRET_VAR: &str = "SCOPECTL_TEST_SYNC_SECRET";
const TODAY: &str = "2026-11-25";

struct Fixture {
    kc: Kc,
    realm: String,
    reg: Registry,
    secret: String,
}

/// A realm with scopectl's service account, a user `alice` with the attribute
/// `region = eu-west` (the user profile allows unmanaged attributes), and a client
/// `app-a` that may use the password grant.
fn fixture(prefix: &str) -> Fixture {
    let kc = Kc::new();
    let realm = kc.create_realm(prefix);
    let secret = kc.setup_scopectl_account(&realm, true);
    let profile = kc.call("GET", &format!("/{realm}/users/profile"), None);
    let mut profile = profile.body;
    profile["unmanagedAttributePolicy"] = json!("ENABLED");
    let r = kc.call("PUT", &format!("/{realm}/users/profile"), Some(profile));
    assert_eq!(r.status, 200, "user profile: {}", r.body);
    let r = kc.call(
        "POST",
        &format!("/{realm}/users"),
        Some(json!({
            "username": "alice", "enabled": true, "email": "alice@example.com",
            "emailVerified": true, "firstName": "Alice", "lastName": "Doe",
            "attributes": {"region": ["eu-west"], "team": ["blue"]},
            "credentials": [{"type": "password", "value": "pw-alice", "temporary": false}],
        })),
    );
    assert_eq!(r.status, 201, "create user: {}", r.body);
    let r = kc.call(
        "POST",
        &format!("/{realm}/clients"),
        Some(json!({
            "clientId": "app-a", "publicClient": true, "standardFlowEnabled": false,
            "directAccessGrantsEnabled": true,
        })),
    );
    assert_eq!(r.status, 201, "create client: {}", r.body);
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\n\
             client_id = \"scope-sync\"\nclient_secret_env = \"{SECRET_VAR}\"\n",
            kc.url
        ),
    );
    reg.write(
        "clients/app-a.toml",
        &client_toml("app-a", &[("sensor:read", "default", "2027-06-01")]),
    );
    Fixture {
        kc,
        realm,
        reg,
        secret,
    }
}

impl Fixture {
    fn scope(&self, claims: &str) {
        self.reg.write(
            "scopes/sensor.toml",
            &format!(
                "[scopes.\"sensor:read\"]\ndescription = \"Read sensor data\"\nowner = \"team-a\"\n\
                 sensitivity = \"low\"\nclaims = {claims}\n"
            ),
        );
    }

    fn run(&self, args: &[&str], code: i32) -> Value {
        let out = scopectl()
            .args(args)
            .args(["--format", "json", "--today", TODAY])
            .arg(self.reg.path())
            .env(SECRET_VAR, &self.secret)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "scopectl {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    fn scope_id(&self) -> String {
        let s = self.kc.scope(&self.realm, "sensor:read").expect("scope");
        s["id"].as_str().unwrap().to_string()
    }

    fn mappers(&self) -> Vec<Value> {
        let r = self.kc.call(
            "GET",
            &format!(
                "/{}/client-scopes/{}/protocol-mappers/models",
                self.realm,
                self.scope_id()
            ),
            None,
        );
        r.body.as_array().unwrap().clone()
    }

    /// (access token claims, ID token claims) of alice through `app-a`.
    fn tokens(&self) -> (Value, Value) {
        let r = self.token_response();
        let claims = |t: &str| -> Value {
            let jwt = r[t].as_str().unwrap();
            let payload = jwt.split('.').nth(1).unwrap();
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap();
            serde_json::from_slice(&bytes).unwrap()
        };
        (claims("access_token"), claims("id_token"))
    }

    /// `scopectl decode` of a fresh access token, verified with the realm's keys and
    /// checked against the registry: the messages of its `token/claim-outside-contract`
    /// findings.
    /// Set one config key of the scope's mapper `name` through the admin API, as someone
    /// in the admin console would.
    fn edit_mapper(&self, name: &str, key: &str, value: &str) {
        let mut edited = self
            .mappers()
            .into_iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no mapper {name}"));
        edited["config"][key] = json!(value);
        let id = edited["id"].as_str().unwrap().to_string();
        let r = self.kc.call(
            "PUT",
            &format!(
                "/{}/client-scopes/{}/protocol-mappers/models/{id}",
                self.realm,
                self.scope_id()
            ),
            Some(edited),
        );
        assert_eq!(r.status, 204, "edit mapper: {}", r.body);
    }

    fn outside_contract(&self) -> Vec<String> {
        self.decode_findings("token/claim-outside-contract")
    }

    /// The messages of the `code` findings of `scopectl decode` on a fresh, verified
    /// access token, checked against the registry.
    fn decode_findings(&self, code: &str) -> Vec<String> {
        let token = self.token_response()["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let jwks = format!(
            "{}/realms/{}/protocol/openid-connect/certs",
            self.kc.url, self.realm
        );
        let out = scopectl()
            .args(["decode", "--format", "json", "--jwks", &jwks, "--registry"])
            .arg(self.reg.path())
            .arg(&token)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["signature"]["status"], "verified", "{doc:#}");
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    }

    fn token_response(&self) -> Value {
        let r = self.kc.token_form(
            &self.realm,
            &[
                ("grant_type", "password"),
                ("client_id", "app-a"),
                ("username", "alice"),
                ("password", "pw-alice"),
                ("scope", "openid"),
            ],
        );
        assert_eq!(r.status, 200, "token: {}", r.body);
        r.body
    }
}

fn op_kinds(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["op"].as_str().unwrap(),
                o["claim"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn declared_claims_reach_exactly_the_declared_tokens_and_drift_sees_an_edited_mapper() {
    let f = fixture("claims");
    f.scope(r#"[{ name = "region", tokens = ["access"] }]"#);

    let plan = f.run(&["plan"], 0);
    assert_eq!(
        op_kinds(&plan["ops"]),
        vec!["create_scope -", "create_mapper region", "assign -"],
        "{plan:#}"
    );
    let first = f.run(&["apply"], 0);
    assert_eq!(first["report"]["applied"].as_array().unwrap().len(), 3);
    let (access, id) = f.tokens();
    assert_eq!(access["region"], "eu-west", "{access:#}");
    assert!(id.get("region").is_none(), "{id:#}");
    // decode finds the real token inside the contract (Keycloak's own claims exempt).
    assert_eq!(f.outside_contract(), Vec::<String>::new());

    // The marker survives Keycloak's round trip: nothing left to do.
    let mappers = f.mappers();
    assert_eq!(mappers.len(), 1);
    assert_eq!(mappers[0]["name"], "scopectl:region");
    assert_eq!(mappers[0]["config"]["scopectl.managed"], "true");
    let second = f.run(&["apply"], 0);
    assert!(
        second["report"]["applied"].as_array().unwrap().is_empty(),
        "{second:#}"
    );

    // A hand-made mapper on scopectl's scope, releasing an undeclared claim.
    let hand = json!({
        "name": "team by hand", "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "config": {"user.attribute": "team", "claim.name": "team", "jsonType.label": "String",
                   "access.token.claim": "true", "id.token.claim": "true"},
    });
    let r = f.kc.call(
        "POST",
        &format!(
            "/{}/client-scopes/{}/protocol-mappers/models",
            f.realm,
            f.scope_id()
        ),
        Some(hand),
    );
    assert_eq!(r.status, 201, "hand-made mapper: {}", r.body);
    let hand_before = f
        .mappers()
        .into_iter()
        .find(|m| m["name"] == "team by hand")
        .unwrap();

    // Change the declaration: region moves to the ID token only, a value claim joins.
    f.scope(
        r#"[{ name = "region", tokens = ["id"] }, { name = "tier", source = "value", value = "gold", tokens = ["access"] }]"#,
    );
    let plan = f.run(&["plan"], 0);
    let kinds = op_kinds(&plan["ops"]);
    assert_eq!(
        kinds,
        vec!["update_mapper region", "create_mapper tier"],
        "{plan:#}"
    );
    let warnings = plan["warnings"].to_string();
    assert!(warnings.contains("team by hand"), "{plan:#}");
    f.run(&["apply"], 0);
    let (access, id) = f.tokens();
    assert!(access.get("region").is_none(), "{access:#}");
    assert_eq!(id["region"], "eu-west", "{id:#}");
    assert_eq!(access["tier"], "gold");
    assert!(id.get("tier").is_none());
    // The hand-made mapper is exactly as it was, and still works: decode sees its claim
    // in real traffic as outside the contract.
    assert_eq!(access["team"], "blue");
    let outside = f.outside_contract();
    assert_eq!(outside.len(), 1, "{outside:?}");
    assert!(outside[0].contains("`team`"), "{outside:?}");
    let hand_after = f
        .mappers()
        .into_iter()
        .find(|m| m["name"] == "team by hand")
        .unwrap();
    assert_eq!(hand_before, hand_after);
    let again = f.run(&["apply"], 0);
    assert!(
        again["report"]["applied"].as_array().unwrap().is_empty(),
        "{again:#}"
    );
    f.run(&["drift"], 0);

    // Someone turns region on for access tokens in the admin API: drift exits 1.
    f.edit_mapper("scopectl:region", "access.token.claim", "true");
    let drift = f.run(&["drift"], 1);
    assert_eq!(
        op_kinds(&drift["ops"]),
        vec!["update_mapper region"],
        "{drift:#}"
    );
    f.run(&["apply"], 0);
    f.run(&["drift"], 0);
    let (access, _) = f.tokens();
    assert!(access.get("region").is_none(), "{access:#}");

    // A claim dropped from the registry loses its mapper; the hand-made one stays.
    f.scope(r#"[{ name = "tier", source = "value", value = "gold", tokens = ["access"] }]"#);
    let plan = f.run(&["plan"], 0);
    assert_eq!(
        op_kinds(&plan["ops"]),
        vec!["delete_mapper region"],
        "{plan:#}"
    );
    f.run(&["apply"], 0);
    let names: Vec<String> = f
        .mappers()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"team by hand".to_string()));
    assert!(names.contains(&"scopectl:tier".to_string()));
}

#[test]
fn a_declared_claim_released_by_a_hand_made_mapper_is_reported_never_changed() {
    let f = fixture("claimhand");
    f.scope(r#"["region"]"#);
    f.run(&["apply"], 0);
    // Replace scopectl's mapper by a hand-made one that releases region into access only.
    for m in f.mappers() {
        let r = f.kc.call(
            "DELETE",
            &format!(
                "/{}/client-scopes/{}/protocol-mappers/models/{}",
                f.realm,
                f.scope_id(),
                m["id"].as_str().unwrap()
            ),
            None,
        );
        assert_eq!(r.status, 204);
    }
    let r = f.kc.call(
        "POST",
        &format!(
            "/{}/client-scopes/{}/protocol-mappers/models",
            f.realm,
            f.scope_id()
        ),
        Some(json!({
            "name": "region", "protocol": "openid-connect",
            "protocolMapper": "oidc-usermodel-attribute-mapper",
            "config": {"user.attribute": "region", "claim.name": "region",
                       "jsonType.label": "String", "access.token.claim": "true",
                       "id.token.claim": "false"},
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    // The short form means every token: the hand-made mapper differs, so it is a plan
    // error and no op touches it; drift fails while it is so.
    let plan = f.run(&["plan"], 1);
    assert!(plan["ops"].as_array().unwrap().is_empty(), "{plan:#}");
    assert_eq!(
        plan["errors"][0]["code"], "push/unmanaged-mapper",
        "{plan:#}"
    );
    f.run(&["drift"], 1);
    // Declared as the hand-made mapper releases it (Keycloak reads an absent
    // introspection key as the access token's): a warning, no op, drift clean.
    f.scope(r#"[{ name = "region", tokens = ["access", "introspection"] }]"#);
    let plan = f.run(&["plan"], 0);
    assert!(plan["ops"].as_array().unwrap().is_empty(), "{plan:#}");
    assert!(plan["errors"].as_array().unwrap().is_empty(), "{plan:#}");
    assert!(
        plan["warnings"].to_string().contains("hand-made"),
        "{plan:#}"
    );
    f.run(&["drift"], 0);
    let (access, id) = f.tokens();
    assert_eq!(access["region"], "eu-west");
    assert!(id.get("region").is_none());
    assert_eq!(f.mappers().len(), 1);
}

/// A claim's declared `json_type` and `multivalued` reach Keycloak's mapper, and so the
/// token: a hard-coded value typed `long` is a JSON number, an attribute declared a list
/// is an array; `import` of the realm reads them back, so a push of the import changes
/// nothing.
#[test]
fn a_declared_value_type_and_list_reach_the_token_and_survive_an_import() {
    let f = fixture("claimtypes");
    f.scope(
        r#"[{ name = "seats", source = "value", value = "42", json_type = "long", tokens = ["access"] }, { name = "region", multivalued = true, tokens = ["access"] }]"#,
    );
    f.run(&["apply"], 0);
    let (access, _) = f.tokens();
    assert_eq!(access["seats"], json!(42), "{access:#}");
    assert_eq!(access["region"], json!(["eu-west"]), "{access:#}");
    let seats = f
        .mappers()
        .into_iter()
        .find(|m| m["name"] == "scopectl:seats")
        .unwrap();
    assert_eq!(seats["config"]["jsonType.label"], "long", "{seats:#}");
    f.run(&["drift"], 0);
    // decode finds the real token's claims in the declared shape.
    assert_eq!(f.decode_findings("token/claim-type"), Vec::<String>::new());

    // Someone retypes the claim by hand: drift sees it, apply puts it back.
    f.edit_mapper("scopectl:seats", "jsonType.label", "String");
    let drift = f.run(&["drift"], 1);
    assert_eq!(
        op_kinds(&drift["ops"]),
        vec!["update_mapper seats"],
        "{drift:#}"
    );
    let retyped = f.decode_findings("token/claim-type");
    assert_eq!(
        retyped,
        ["claim `seats` is a string; `sensor:read` declares long"],
        "{retyped:?}"
    );
    f.run(&["apply"], 0);
    let (access, _) = f.tokens();
    assert_eq!(access["seats"], json!(42), "{access:#}");

    // The live realm imported into a new registry declares the same claims.
    let out = tempfile::tempdir().unwrap();
    let imported = scopectl()
        .args(["import", "keycloak", "--target", "kc", "--registry"])
        .arg(f.reg.path())
        .arg("--out")
        .arg(out.path())
        .args(["--today", TODAY])
        .env(SECRET_VAR, &f.secret)
        .output()
        .unwrap();
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let scopes = std::fs::read_to_string(out.path().join("scopes/sensor.toml")).unwrap();
    assert!(
        scopes.contains(
            r#"{ name = "seats", source = "value", value = "42", tokens = ["access"], json_type = "long" }"#
        ),
        "{scopes}"
    );
    assert!(
        scopes.contains(r#"{ name = "region", tokens = ["access"], multivalued = true }"#),
        "{scopes}"
    );
}
