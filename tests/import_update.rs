//! `scopectl import keycloak --update`: what appeared on the server since is added as
//! debt to the existing registry, every hand-written line kept; nothing is removed.

mod common;

use common::scopectl;
use serde_json::json;

fn export(scopes: &[&str], clients: serde_json::Value) -> String {
    let scopes: Vec<_> = scopes
        .iter()
        .map(|s| json!({"name": s, "protocol": "openid-connect", "description": format!("The {s} scope"), "attributes": {"include.in.token.scope": "true"}}))
        .collect();
    json!({"realm": "shop", "clientScopes": scopes, "clients": clients}).to_string()
}

fn run(args: &[&str], dir: &std::path::Path) -> (i32, String) {
    let out = scopectl()
        .args(["import", "keycloak", "--today", "2026-11-25"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The first import into `d/reg`: `shop-web` holding `orders:read` (and `orders:write`
/// defined).
fn import_v1(d: &std::path::Path) {
    std::fs::write(
        d.join("v1.json"),
        export(
            &["orders:read", "orders:write"],
            json!([{"clientId": "shop-web", "defaultClientScopes": ["orders:read"]}]),
        ),
    )
    .unwrap();
    let (code, out) = run(&["--from-export", "v1.json", "--registry", "reg"], d);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn update_adds_new_scopes_clients_and_assignments_and_keeps_every_hand_written_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import_v1(d);
    // Someone justifies the grant by hand, with a comment.
    let client = d.join("reg/clients/shop-web.toml");
    let text = std::fs::read_to_string(&client).unwrap();
    let justified = text.replace(
        "imported = 2026-11-25\n",
        "imported = 2026-11-25\njustification = \"Lists orders (SHOP-1)\" # checked with the team\napproved_by = \"ana@example.com\"\napproved_on = 2026-11-25\nexpires = 2027-05-01\n",
    );
    assert_ne!(justified, text);
    std::fs::write(&client, &justified).unwrap();

    // Since then: a new scope, a new assignment, a new client; the server dropped nothing.
    std::fs::write(
        d.join("v2.json"),
        export(
            &["orders:read", "orders:write", "orders:refund"],
            json!([
                {"clientId": "shop-web", "defaultClientScopes": ["orders:read"], "optionalClientScopes": ["orders:write"]},
                {"clientId": "back-office", "defaultClientScopes": ["orders:refund"]}
            ]),
        ),
    )
    .unwrap();
    let (code, out) = run(
        &[
            "--from-export",
            "v2.json",
            "--registry",
            "reg",
            "--update",
            "--dry-run",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(&client).unwrap(),
        justified,
        "dry run wrote"
    );
    let (code, out) = run(
        &["--from-export", "v2.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("new scope(s): orders:refund"), "{out}");
    assert!(out.contains("new client(s): back-office"), "{out}");
    assert!(
        out.contains("new grant(s): shop-web → orders:write"),
        "{out}"
    );
    let after = std::fs::read_to_string(&client).unwrap();
    assert!(after.starts_with(&justified), "{after}");
    assert!(
        after.ends_with(
            "[[grants]]\nscope = \"orders:write\"\ntype = \"optional\"\nimported = 2026-11-25\n"
        ),
        "{after}"
    );
    assert!(d.join("reg/clients/back-office.toml").exists());
    let scopes = std::fs::read_to_string(d.join("reg/scopes/orders.toml")).unwrap();
    assert!(scopes.contains("[scopes.\"orders:refund\"]"), "{scopes}");
    // The registry lints with the new debt accepted.
    let lint = scopectl()
        .args(["lint", "--today", "2026-11-25", "reg"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    // A second update finds nothing new.
    let (code, out) = run(
        &["--from-export", "v2.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing to change"), "{out}");
    // The server lost an assignment: reported, not removed.
    std::fs::write(
        d.join("v3.json"),
        export(
            &["orders:read", "orders:write", "orders:refund"],
            json!([
                {"clientId": "shop-web", "defaultClientScopes": ["orders:read"]},
                {"clientId": "back-office", "defaultClientScopes": ["orders:refund"]}
            ]),
        ),
    )
    .unwrap();
    let (code, out) = run(
        &["--from-export", "v3.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "not assigned on the server (left alone; `plan` shows them): shop-web → orders:write"
        ),
        "{out}"
    );
    assert!(std::fs::read_to_string(&client)
        .unwrap()
        .contains("orders:write"));
}

/// A claim a new mapper releases on a scope the registry has is added to the scope's
/// `claims` (its type kept); a declared claim no mapper releases any more is reported,
/// never removed.
#[test]
fn update_adds_claims_of_new_mappers_to_existing_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mapper = |claim: &str, extra: serde_json::Value| {
        let mut config = json!({"claim.name": claim, "user.attribute": claim,
            "access.token.claim": "true", "id.token.claim": "true",
            "userinfo.token.claim": "true", "introspection.token.claim": "true"});
        for (k, v) in extra.as_object().unwrap() {
            config[k] = v.clone();
        }
        json!({"name": claim, "protocol": "openid-connect",
               "protocolMapper": "oidc-usermodel-attribute-mapper", "config": config})
    };
    let realm = |mappers: Vec<serde_json::Value>| {
        json!({"realm": "shop", "clientScopes": [{"name": "orders:read", "protocol": "openid-connect",
            "description": "Read orders", "attributes": {"include.in.token.scope": "true"},
            "protocolMappers": mappers}],
            "clients": [{"clientId": "shop-web", "defaultClientScopes": ["orders:read"]}]})
        .to_string()
    };
    std::fs::write(d.join("v1.json"), realm(vec![mapper("tenant", json!({}))])).unwrap();
    let (code, out) = run(&["--from-export", "v1.json", "--registry", "reg"], d);
    assert_eq!(code, 0, "{out}");
    let file = d.join("reg/scopes/orders.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    assert!(before.contains("claims = [\"tenant\"]"), "{before}");

    // Since then: a typed `seats` mapper appeared, the `tenant` one went.
    std::fs::write(
        d.join("v2.json"),
        realm(vec![mapper(
            "seats",
            json!({"jsonType.label": "long", "id.token.claim": "false"}),
        )]),
    )
    .unwrap();
    let (code, out) = run(
        &["--from-export", "v2.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("new claim(s): orders:read → seats"), "{out}");
    assert!(
        out.contains("released by no mapper on the server (left alone; `plan` shows them): orders:read → tenant"),
        "{out}"
    );
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after.contains(
            r#"claims = ["tenant", { name = "seats", tokens = ["access", "userinfo", "introspection"], json_type = "long" }]"#
        ),
        "{after}"
    );
    let (code, out) = run(
        &["--from-export", "v2.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("nothing to change"), "{out}");
}

/// A realm that knows a registry client by its client_id in another environment
/// (`[client.ids] prod = "shop-web-prod"`) updates that client: no second client with the
/// same client_id (which would not load).
#[test]
fn update_recognises_a_client_by_its_environments_client_id() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import_v1(d);
    let client = d.join("reg/clients/shop-web.toml");
    let text = std::fs::read_to_string(&client).unwrap();
    let with_ids = text.replacen(
        "\n[[grants]]",
        "\n[client.ids]\nprod = \"shop-web-prod\"\n\n[[grants]]",
        1,
    );
    assert_ne!(with_ids, text);
    std::fs::write(&client, &with_ids).unwrap();
    let policy = d.join("reg/scopectl.toml");
    let mut p = std::fs::read_to_string(&policy).unwrap_or_default();
    p.push_str(
        "\n[targets.prod]\nkind = \"keycloak\"\nurl = \"http://127.0.0.1:1\"\nrealm = \"shop\"\n",
    );
    std::fs::write(&policy, p).unwrap();

    // The prod realm: the same client under its prod client_id, with one more scope.
    std::fs::write(
        d.join("prod.json"),
        export(
            &["orders:read", "orders:write"],
            json!([{"clientId": "shop-web-prod", "defaultClientScopes": ["orders:read", "orders:write"]}]),
        ),
    )
    .unwrap();
    let (code, out) = run(
        &[
            "--from-export",
            "prod.json",
            "--registry",
            "reg",
            "--update",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("new client(s)"), "{out}");
    assert!(
        out.contains("new grant(s): shop-web-prod → orders:write"),
        "{out}"
    );
    assert!(!d.join("reg/clients/shop-web-prod.toml").exists());
    let after = std::fs::read_to_string(&client).unwrap();
    assert!(after.starts_with(&with_ids), "{after}");
    assert!(after.contains("scope = \"orders:write\""), "{after}");
}

#[test]
fn update_from_an_export_with_a_key_written_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    import_v1(d);
    let files = |d: &std::path::Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for sub in ["scopes", "clients"] {
            for e in std::fs::read_dir(d.join("reg").join(sub))
                .unwrap()
                .flatten()
            {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
        out.sort();
        out
    };
    let before = files(d);
    // serde_json would keep the last `defaultClientScopes` (adding `orders:write`), another
    // reader the first.
    std::fs::write(
        d.join("v2.json"),
        r#"{"realm": "shop", "clientScopes": [{"name": "orders:read"}, {"name": "orders:write"}],
"clients": [{"clientId": "shop-web", "defaultClientScopes": ["orders:read"], "defaultClientScopes": ["orders:read", "orders:write"]}]}"#,
    )
    .unwrap();
    let (code, out) = run(
        &["--from-export", "v2.json", "--registry", "reg", "--update"],
        d,
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("v2.json")
            && out.contains("key `defaultClientScopes` twice")
            && out.contains("line 2, column 78"),
        "{out}"
    );
    assert_eq!(files(d), before);
}
