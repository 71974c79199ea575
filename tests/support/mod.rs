//! Shared helpers for the push integration tests: the real servers `scripts/test`
//! starts, an admin client for setting up realms, and temporary registries.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

/// Read an environment variable `scripts/test` exports, or fail the test saying how to
/// run it. These tests never skip: a missing server is a failure.
pub fn env(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{var} is not set: the push tests need the real Keycloak and oidc-provider that \
             `scripts/test` starts. Run `scripts/test` (or `scripts/test --test <name>`) \
             instead of plain `cargo test`."
        ),
    }
}

/// A name unique to this test run and test.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A response: status, Location and JSON body (Null when empty).
pub struct Resp {
    pub status: u16,
    pub location: Option<String>,
    pub body: Value,
}

/// An admin of the test Keycloak, through the bootstrap admin client of `master`.
pub struct Kc {
    pub url: String,
    agent: ureq::Agent,
}

impl Kc {
    pub fn new() -> Kc {
        Kc {
            url: env("SCOPECTL_TEST_KEYCLOAK_URL"),
            agent: agent(),
        }
    }

    pub fn token_form(&self, realm: &str, pairs: &[(&str, &str)]) -> Resp {
        let url = format!("{}/realms/{realm}/protocol/openid-connect/token", self.url);
        let mut r = self
            .agent
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .send(form(pairs))
            .unwrap();
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        Resp {
            status,
            location: None,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    fn admin_token(&self) -> String {
        let id = env("SCOPECTL_TEST_KEYCLOAK_ADMIN_CLIENT_ID");
        let secret = env("SCOPECTL_TEST_KEYCLOAK_ADMIN_CLIENT_SECRET");
        let r = self.token_form(
            "master",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", &secret),
            ],
        );
        assert_eq!(r.status, 200, "admin token: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }

    /// An admin API call (`path` below `/admin/realms`).
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let url = format!("{}/admin/realms{path}", self.url);
        let token = self.admin_token();
        let req = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.map(|b| b.to_string()).unwrap_or_default())
            .unwrap();
        let mut r = self.agent.run(req).unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        let text = r.body_mut().read_to_string().unwrap();
        Resp {
            status,
            location,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub fn create_realm(&self, prefix: &str) -> String {
        let realm = unique(prefix);
        let r = self.call("POST", "", Some(json!({"realm": realm, "enabled": true})));
        assert_eq!(r.status, 201, "create realm: {}", r.body);
        realm
    }

    /// Create a confidential client; returns its UUID.
    pub fn create_client(&self, realm: &str, client_id: &str, service_account: bool) -> String {
        let r = self.call(
            "POST",
            &format!("/{realm}/clients"),
            Some(json!({
                "clientId": client_id,
                "publicClient": false,
                "serviceAccountsEnabled": service_account,
                "standardFlowEnabled": false,
                "directAccessGrantsEnabled": false,
            })),
        );
        assert_eq!(r.status, 201, "create client: {}", r.body);
        r.location.unwrap().rsplit('/').next().unwrap().to_string()
    }

    pub fn client_uuid(&self, realm: &str, client_id: &str) -> String {
        let r = self.call(
            "GET",
            &format!("/{realm}/clients?clientId={}", enc(client_id)),
            None,
        );
        r.body[0]["id"].as_str().unwrap().to_string()
    }

    pub fn client_secret(&self, realm: &str, uuid: &str) -> String {
        let r = self.call(
            "GET",
            &format!("/{realm}/clients/{uuid}/client-secret"),
            None,
        );
        r.body["value"].as_str().unwrap().to_string()
    }

    /// The service account scopectl uses (KEYCLOAK.md §1): `scope-sync` with the
    /// `manage-clients` role of `realm-management`. Returns its secret.
    pub fn setup_scopectl_account(&self, realm: &str, with_role: bool) -> String {
        let uuid = self.create_client(realm, "scope-sync", true);
        if with_role {
            let sa = self.call(
                "GET",
                &format!("/{realm}/clients/{uuid}/service-account-user"),
                None,
            );
            let sa = sa.body["id"].as_str().unwrap().to_string();
            let rm = self.client_uuid(realm, "realm-management");
            let role = self.call(
                "GET",
                &format!("/{realm}/clients/{rm}/roles/manage-clients"),
                None,
            );
            let r = self.call(
                "POST",
                &format!("/{realm}/users/{sa}/role-mappings/clients/{rm}"),
                Some(json!([role.body])),
            );
            assert_eq!(r.status, 204, "role mapping: {}", r.body);
        }
        self.client_secret(realm, &uuid)
    }

    pub fn client_scopes(&self, realm: &str) -> Vec<Value> {
        let r = self.call("GET", &format!("/{realm}/client-scopes"), None);
        r.body.as_array().unwrap().clone()
    }

    pub fn scope(&self, realm: &str, name: &str) -> Option<Value> {
        self.client_scopes(realm)
            .into_iter()
            .find(|s| s["name"] == name)
    }

    /// (default, optional) scope names linked to a client.
    pub fn links(&self, realm: &str, client_id: &str) -> (BTreeSet<String>, BTreeSet<String>) {
        let uuid = self.client_uuid(realm, client_id);
        let names = |kind: &str| -> BTreeSet<String> {
            let r = self.call(
                "GET",
                &format!("/{realm}/clients/{uuid}/{kind}-client-scopes"),
                None,
            );
            r.body
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect()
        };
        (names("default"), names("optional"))
    }

    pub fn create_unmarked_scope(&self, realm: &str, name: &str) {
        let r = self.call(
            "POST",
            &format!("/{realm}/client-scopes"),
            Some(
                json!({"name": name, "protocol": "openid-connect", "description": "hand made",
                        "attributes": {"include.in.token.scope": "true"}}),
            ),
        );
        assert_eq!(r.status, 201, "create scope: {}", r.body);
    }
}

pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A temporary registry on disk.
pub struct Registry {
    pub dir: tempfile::TempDir,
}

impl Registry {
    pub fn new() -> Registry {
        Registry {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.dir.path().join(rel)).unwrap();
    }
}

/// `[scopes."name"]` entries: (name, description).
pub fn scopes_toml(scopes: &[(&str, &str)]) -> String {
    scopes
        .iter()
        .map(|(n, d)| {
            format!("[scopes.\"{n}\"]\ndescription = \"{d}\"\nowner = \"team-a\"\nsensitivity = \"low\"\n\n")
        })
        .collect()
}

/// A client file with grants: (scope, type, expires). Each grant lints clean: it is
/// justified, approved 300 days before it expires (within the default 365-day
/// `max_grant_lifetime`) and, for the dates the tests use, before their `--today`.
pub fn client_toml(id: &str, grants: &[(&str, &str, &str)]) -> String {
    let mut s = format!("[client]\nid = \"{id}\"\nowner = \"team-b\"\n\n");
    for (scope, kind, expires) in grants {
        let approved = chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").unwrap()
            - chrono::Days::new(300);
        s.push_str(&format!(
            "[[grants]]\nscope = \"{scope}\"\njustification = \"needed (T-1)\"\napproved_by = \"x@example.com\"\napproved_on = {approved}\nexpires = {expires}\ntype = \"{kind}\"\n\n"
        ));
    }
    s
}

pub fn scopectl() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("scopectl").unwrap();
    c.env_remove("NO_COLOR").env("SCOPECTL_HTTP_RETRIES", "1");
    c
}
