//! Issue 19 against the real servers `scripts/test` starts: token introspection
//! (`decode --introspect`, `--introspect-target`, `--batch`) at Keycloak and at
//! oidc-provider (opaque access tokens, RFC 9701 signed answers), and `scopectl keys`
//! on a Keycloak realm whose keys are rotated through the admin API, with `decode
//! --target` telling a token whose key is no longer published.

mod support;

use serde_json::{json, Value};
use support::{agent, form, scopectl, Kc, Registry};

fn run_json(cmd: &mut assert_cmd::Command) -> (i32, Value, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let doc = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, stdout + &stderr)
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A client-credentials token of `client` in `realm`.
fn kc_token(kc: &Kc, realm: &str, client: &str, secret: &str) -> String {
    let r = kc.token_form(
        realm,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", secret),
        ],
    );
    assert_eq!(r.status, 200, "token: {}", r.body);
    r.body["access_token"].as_str().unwrap().to_string()
}

/// Give the service account of `client_uuid` a role of `realm-management`.
fn grant_role(kc: &Kc, realm: &str, client_uuid: &str, role: &str) {
    let sa = kc.call(
        "GET",
        &format!("/{realm}/clients/{client_uuid}/service-account-user"),
        None,
    );
    let sa = sa.body["id"].as_str().unwrap().to_string();
    let rm = kc.client_uuid(realm, "realm-management");
    let role = kc.call("GET", &format!("/{realm}/clients/{rm}/roles/{role}"), None);
    let r = kc.call(
        "POST",
        &format!("/{realm}/users/{sa}/role-mappings/clients/{rm}"),
        Some(json!([role.body])),
    );
    assert_eq!(r.status, 204, "role mapping: {}", r.body);
}

#[test]
fn keycloak_introspection_active_revoked_and_wrong_credentials() {
    let kc = Kc::new();
    let realm = kc.create_realm("intro");
    let svc = kc.create_client(&realm, "orders-svc", true);
    let svc_secret = kc.client_secret(&realm, &svc);
    let rs = kc.create_client(&realm, "orders-api", false);
    let rs_secret = kc.client_secret(&realm, &rs);
    let token = kc_token(&kc, &realm, "orders-svc", &svc_secret);
    let endpoint = format!(
        "{}/realms/{realm}/protocol/openid-connect/token/introspect",
        kc.url
    );
    let introspect = |secret: &str, token: &str| {
        let mut c = scopectl();
        c.env("SCOPECTL_RS_SECRET", secret).args([
            "decode",
            "--introspect",
            &endpoint,
            "--client-id",
            "orders-api",
            "--client-secret-env",
            "SCOPECTL_RS_SECRET",
            "--format",
            "json",
            token,
        ]);
        run_json(&mut c)
    };

    // Active: the answer's claims get the token checks, and the verdict is the server's.
    let (code, doc, text) = introspect(&rs_secret, &token);
    assert_eq!(code, 0, "{text}");
    assert_eq!(doc["valid"], true, "{doc}");
    assert_eq!(doc["signature"]["status"], "introspected", "{doc}");
    assert_eq!(doc["claims"]["azp"], "orders-svc", "{doc}");
    assert_eq!(doc["verdict"]["acceptance"]["answer"], "accepted", "{doc}");
    assert!(!text.contains(&rs_secret), "the secret never shows");

    // Revoked (RFC 7009 at Keycloak): inactive, a clear verdict, exit 1.
    let r = agent()
        .post(format!(
            "{}/realms/{realm}/protocol/openid-connect/revoke",
            kc.url
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(form(&[
            ("token", &token),
            ("client_id", "orders-svc"),
            ("client_secret", &svc_secret),
        ]))
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (code, doc, text) = introspect(&rs_secret, &token);
    assert_eq!(code, 1, "{text}");
    assert_eq!(doc["valid"], false);
    assert_eq!(codes(&doc), ["token/inactive"], "{doc}");
    assert_eq!(
        doc["verdict"]["acceptance"],
        json!({"answer": "rejected", "because": ["token/inactive"]})
    );
    let human = scopectl()
        .env("SCOPECTL_RS_SECRET", &rs_secret)
        .args([
            "decode",
            "--introspect",
            &endpoint,
            "--client-id",
            "orders-api",
            "--client-secret-env",
            "SCOPECTL_RS_SECRET",
            &token,
        ])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(human.contains("NOT active"), "{human}");
    assert!(human.contains("expired, revoked, unknown"), "{human}");

    // Wrong credentials: a clear error, exit 2, and the wrong secret is not echoed.
    let (code, _, text) = introspect("not-the-secret", &token);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("refused the client credentials"), "{text}");
    assert!(
        text.contains("orders-api") && text.contains("SCOPECTL_RS_SECRET"),
        "{text}"
    );
    assert!(!text.contains("not-the-secret"), "{text}");

    // A secret may not come from an arbitrary variable, as for push targets.
    let (code, _, text) = {
        let mut c = scopectl();
        c.env("OTHER", &rs_secret).args([
            "decode",
            "--introspect",
            &endpoint,
            "--client-id",
            "orders-api",
            "--client-secret-env",
            "OTHER",
            &token,
        ]);
        run_json(&mut c)
    };
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("SCOPECTL_"), "{text}");
}

#[test]
fn keycloak_keys_rotation_and_a_token_of_a_key_no_longer_published() {
    let kc = Kc::new();
    let realm = kc.create_realm("keys");
    let secret = kc.setup_scopectl_account(&realm, false);
    let sync = kc.client_uuid(&realm, "scope-sync");
    let reg = Registry::new();
    reg.write(
        "scopectl.toml",
        &format!(
            "[policy]\nmax_key_age = \"30d\"\n\n[targets.kc]\nkind = \"keycloak\"\nurl = \"{}\"\nrealm = \"{realm}\"\nclient_id = \"scope-sync\"\nclient_secret_env = \"SCOPECTL_KC_SECRET\"\n",
            kc.url
        ),
    );
    let keys = |extra: &[&str]| {
        let mut c = scopectl();
        c.env("SCOPECTL_KC_SECRET", &secret)
            .args(["keys", "--target", "kc", "--format", "json", "--registry"])
            .arg(reg.path())
            .args(extra);
        run_json(&mut c)
    };
    // Without view-realm: a clear error naming the role, exit 2.
    let (code, doc, text) = keys(&[]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("view-realm"), "{text}");
    assert_eq!(doc["version"], 1, "{doc}");
    assert!(doc["error"]["message"].is_string(), "{doc}");

    grant_role(&kc, &realm, &sync, "view-realm");
    let old_token = kc_token(&kc, &realm, "scope-sync", &secret);
    let (code, doc, text) = keys(&[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(doc["version"], 1);
    let list = doc["keys"].as_array().unwrap();
    let rs256 = list
        .iter()
        .find(|k| k["alg"] == "RS256" && k["status"] == "ACTIVE")
        .unwrap_or_else(|| panic!("{doc}"));
    let old_kid = rs256["kid"].as_str().unwrap().to_string();
    assert_eq!(rs256["bits"], 2048, "{rs256}");
    assert_eq!(rs256["published"], true, "{rs256}");
    assert_eq!(rs256["use"], "sig", "{rs256}");
    assert!(
        rs256["provider"]
            .as_str()
            .unwrap()
            .contains("rsa-generated"),
        "{rs256}"
    );
    assert!(rs256["priority"].is_i64(), "{rs256}");
    // Keycloak made the key and its certificate moments ago: that is its creation.
    let created = chrono::DateTime::parse_from_rfc3339(rs256["created"].as_str().unwrap()).unwrap();
    let age = chrono::Utc::now().signed_duration_since(created);
    assert!(age.num_minutes().abs() < 30, "{rs256}");
    assert_eq!(rs256["age_days"], 0);
    assert_eq!(doc["active"]["RS256"], old_kid.as_str(), "{doc}");
    // The realm's HMAC key has no certificate: its age is not evaluable, never met.
    assert!(
        codes(&doc).contains(&"key/age-not-evaluable".to_string()),
        "{doc}"
    );
    assert!(!codes(&doc).contains(&"key/too-old".to_string()), "{doc}");

    // 40 days later the generated keys are over max_key_age = 30d.
    let later = (chrono::Utc::now() + chrono::Duration::days(40))
        .timestamp()
        .to_string();
    let (code, doc, text) = keys(&["--now", &later]);
    assert_eq!(code, 0, "warnings only: {text}");
    assert!(codes(&doc).contains(&"key/too-old".to_string()), "{doc}");
    let (code, _, _) = keys(&["--now", &later, "--deny-warnings"]);
    assert_eq!(code, 1);

    // Rotate: a new rsa-generated provider with a higher priority, the old one disabled.
    let realm_id = kc.call("GET", &format!("/{realm}"), None).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = kc.call(
        "POST",
        &format!("/{realm}/components"),
        Some(json!({
            "name": "rsa-rotated", "providerId": "rsa-generated",
            "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id,
            "config": {"priority": ["500"], "keySize": ["2048"], "algorithm": ["RS256"]}
        })),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let comps = kc.call(
        "GET",
        &format!("/{realm}/components?type=org.keycloak.keys.KeyProvider"),
        None,
    );
    let mut old = comps
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["providerId"] == "rsa-generated" && c["name"] != "rsa-rotated")
        .unwrap()
        .clone();
    old["config"]["enabled"] = json!(["false"]);
    let id = old["id"].as_str().unwrap().to_string();
    let r = kc.call("PUT", &format!("/{realm}/components/{id}"), Some(old));
    assert_eq!(r.status, 204, "{}", r.body);

    let (code, doc, text) = keys(&[]);
    assert_eq!(code, 0, "{text}");
    let list = doc["keys"].as_array().unwrap();
    let old_key = list
        .iter()
        .find(|k| k["kid"] == old_kid.as_str())
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(old_key["status"], "DISABLED", "{old_key}");
    assert_eq!(old_key["published"], false, "{old_key}");
    let new_kid = doc["active"]["RS256"].as_str().unwrap().to_string();
    assert_ne!(new_kid, old_kid);
    let human = scopectl()
        .env("SCOPECTL_KC_SECRET", &secret)
        .args(["keys", "--target", "kc", "--registry"])
        .arg(reg.path())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("DISABLED") && human.contains(&new_kid),
        "{human}"
    );

    // The old token's key is no longer published: genuine, but rejected.
    let mut c = scopectl();
    c.env("SCOPECTL_KC_SECRET", &secret)
        .args(["decode", "--target", "kc", "--format", "json", "--registry"])
        .arg(reg.path())
        .arg(&old_token);
    let (code, doc, text) = run_json(&mut c);
    assert_eq!(code, 1, "{text}");
    assert!(
        codes(&doc).contains(&"key/unpublished".to_string()),
        "{doc}"
    );
    assert!(
        !codes(&doc).contains(&"token/unknown-kid".to_string()),
        "{doc}"
    );
    let f = &doc["findings"][0];
    assert!(f["message"].as_str().unwrap().contains("genuine"), "{f}");
    assert_eq!(
        doc["verdict"]["acceptance"]["because"],
        json!(["key/unpublished"]),
        "{doc}"
    );
    // A new token verifies with the rotated key.
    let new_token = kc_token(&kc, &realm, "scope-sync", &secret);
    let mut c = scopectl();
    c.env("SCOPECTL_KC_SECRET", &secret)
        .args(["decode", "--target", "kc", "--format", "json", "--registry"])
        .arg(reg.path())
        .arg(&new_token);
    let (_, doc, text) = run_json(&mut c);
    assert_eq!(doc["signature"]["status"], "verified", "{text}");
    assert_eq!(doc["signature"]["kid"], new_kid.as_str());
    // The token comes from the target's environment (its name, as none is set).
    assert_eq!(doc["environment"], "kc", "{text}");

    // Introspection through the target (its discovery names the endpoint; the target's
    // service account introspects).
    let mut c = scopectl();
    c.env("SCOPECTL_KC_SECRET", &secret)
        .args([
            "decode",
            "--introspect-target",
            "kc",
            "--format",
            "json",
            "--registry",
        ])
        .arg(reg.path())
        .arg(&new_token);
    let (code, doc, text) = run_json(&mut c);
    assert_eq!(code, 0, "{text}");
    assert_eq!(doc["signature"]["status"], "introspected", "{doc}");
}

/// Register a client-credentials client at oidc-provider: (client_id, client_secret).
fn op_client(op: &str, iat: &str, extra: Value) -> (String, String) {
    let mut meta = json!({"grant_types": ["client_credentials"], "response_types": [],
        "redirect_uris": [], "scope": "orders:read orders:write"});
    if let (Some(m), Some(e)) = (meta.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    let mut r = agent()
        .post(format!("{op}/reg"))
        .header("authorization", format!("Bearer {iat}"))
        .header("content-type", "application/json")
        .send(meta.to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    (
        v["client_id"].as_str().unwrap().to_string(),
        v["client_secret"].as_str().unwrap().to_string(),
    )
}

fn op_token(op: &str, id: &str, secret: &str, scope: &str) -> String {
    let mut r = agent()
        .post(format!("{op}/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", scope),
        ]))
        .unwrap();
    let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let t = v["access_token"].as_str().unwrap().to_string();
    assert!(
        !t.contains('.'),
        "oidc-provider issues opaque access tokens: {t}"
    );
    t
}

#[test]
fn oidc_provider_opaque_tokens_are_introspected_one_by_one_and_in_batch() {
    let op = support::env("SCOPECTL_TEST_OIDC_URL");
    let iat = support::env("SCOPECTL_TEST_OIDC_IAT");
    let (app, app_secret) = op_client(&op, &iat, json!({}));
    let (rs, rs_secret) = op_client(&op, &iat, json!({}));
    let token = op_token(&op, &app, &app_secret, "orders:read");
    let endpoint = format!("{op}/token/introspection");
    // A registry that defines orders:read but does not know the client: the answer gets
    // the registry's findings as a JWT's claims would.
    let reg = Registry::new();
    reg.write(
        "scopes/orders.toml",
        &support::scopes_toml(&[("orders:read", "Read orders")]),
    );
    let decode = |extra: &[&str]| {
        let mut c = scopectl();
        c.env("SCOPECTL_RS_SECRET", &rs_secret)
            .args([
                "decode",
                "--introspect",
                &endpoint,
                &format!("--client-id={rs}"),
                "--client-secret-env",
                "SCOPECTL_RS_SECRET",
                "--registry",
            ])
            .arg(reg.path())
            .args(extra);
        c
    };
    let mut c = decode(&["--format", "json", "--", &token]);
    let (code, doc, text) = run_json(&mut c);
    assert_eq!(code, 0, "{text}");
    assert_eq!(doc["valid"], true, "{doc}");
    assert_eq!(doc["claims"]["client_id"], app.as_str(), "{doc}");
    assert_eq!(doc["scopes"][0]["scope"], "orders:read", "{doc}");
    assert_eq!(doc["scopes"][0]["defined"], true, "{doc}");
    assert!(
        codes(&doc).contains(&"token/unknown-client".to_string()),
        "{doc}"
    );
    assert!(doc["times"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["claim"] == "exp"));

    // A signed answer (RFC 9701) when keys are given: verified with the issuer's JWKS.
    let (rs2, rs2_secret) = op_client(
        &op,
        &iat,
        json!({"introspection_signed_response_alg": "RS256"}),
    );
    let mut c = scopectl();
    c.env("SCOPECTL_RS2", &rs2_secret).args([
        "decode",
        "--introspect",
        &endpoint,
        &format!("--client-id={rs2}"),
        "--client-secret-env",
        "SCOPECTL_RS2",
        "--jwks",
        &format!("{op}/jwks"),
        "--format",
        "json",
        "--",
        &token,
    ]);
    let (code, doc, text) = run_json(&mut c);
    assert_eq!(code, 0, "{text}");
    assert!(
        doc["signature"]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 9701"),
        "{doc}"
    );

    // --batch: one request per line, in order; an unknown token is inactive.
    let second = op_token(&op, &app, &app_secret, "orders:write");
    let lines = format!("{token}\n\nBearer {second}\nnot-a-token-this-server-issued\n");
    let file = reg.path().join("tokens.txt");
    std::fs::write(&file, lines).unwrap();
    let out = decode(&["--batch", file.to_str().unwrap(), "--concurrency", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let docs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3);
    assert_eq!(
        docs.iter()
            .map(|d| d["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 3, 4]
    );
    assert_eq!(docs[0]["valid"], true, "{}", docs[0]);
    assert_eq!(docs[1]["claims"]["scope"], "orders:write", "{}", docs[1]);
    assert_eq!(codes(&docs[2]), ["token/inactive"], "{}", docs[2]);
}
