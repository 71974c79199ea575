//! Provenance that holds up: author and committer, and commit signatures verified
//! against an allowed-signers file. Every signed commit here is a real SSH signature
//! (sshsig, namespace `git`) made with an Ed25519 key generated in the test, over the
//! buffer git2 builds for the commit.

mod common;

use common::{scopectl, TestRepo, SCOPES_V1, SENSOR_V1};
use rand::rngs::OsRng;
use serde_json::Value;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey};

fn key() -> PrivateKey {
    PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap()
}

/// An allowed-signers line: `PRINCIPALS KEYTYPE BASE64`.
fn line(principals: &str, k: &PrivateKey) -> String {
    format!("{principals} {}\n", k.public_key().to_openssh().unwrap())
}

fn sshsig(k: &PrivateKey, data: &[u8]) -> String {
    k.sign("git", HashAlg::Sha512, data)
        .unwrap()
        .to_pem(LineEnding::LF)
        .unwrap()
        .trim_end()
        .to_string()
}

/// Sign the commit with `k`.
fn signed_by(k: &PrivateKey) -> impl FnOnce(&str) -> Option<String> + '_ {
    move |content| Some(sshsig(k, content.as_bytes()))
}

fn unsigned(_: &str) -> Option<String> {
    None
}

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB: (&str, &str) = ("Bob", "bob@example.com");
const MALLORY: (&str, &str) = ("Mallory", "mallory@example.com");

/// A grant of billing:read to a new client `shop`, approved by `approver`.
fn shop(approver: &str) -> String {
    format!(
        "[client]\nid = \"shop\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"billing:read\"\njustification = \"Invoices (PAY-1)\"\napproved_by = \"{approver}\"\napproved_on = 2026-10-01\nexpires = 2027-03-01\n"
    )
}

/// A repository whose first commit (Alice, unsigned) holds a registry with
/// `[policy] allowed_signers = "allowed_signers"` (plus `policy_extra`) and that file.
fn base(signers: &str, policy_extra: &str) -> TestRepo {
    let t = TestRepo::new("");
    t.write(
        "scopectl.toml",
        &format!("[policy]\nallowed_signers = \"allowed_signers\"\n{policy_extra}"),
    );
    t.write("allowed_signers", signers);
    t.write("scopes/all.toml", SCOPES_V1);
    t.write("clients/sensor-node.toml", SENSOR_V1);
    let c = t.commit_by(ALICE, ALICE, "Initial registry", unsigned);
    t.tag("base", c);
    t
}

fn run(t: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let out = scopectl()
        .current_dir(t.root())
        .env("COLUMNS", "250")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn diff_json(t: &TestRepo, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["diff", "base..HEAD", "--format", "json"];
    args.extend(extra);
    let (code, out, err) = run(t, &args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

/// The commit object of the first change about `client`.
fn commit_of(v: &Value, client: &str) -> Value {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"]["client"] == client)
        .unwrap_or_else(|| panic!("no change about {client}: {v:#}"))["commits"][0]
        .clone()
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_commit_signed_by_a_key_listed_for_its_committer_is_verified() {
    let bob = key();
    let t = base(&line("bob@example.com", &bob), "");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant billing:read to shop", signed_by(&bob));
    let (code, v) = diff_json(&t, &[]);
    assert_eq!(code, 0, "{v:#}");
    let c = commit_of(&v, "shop");
    assert_eq!(c["signed"], true);
    assert_eq!(c["signature"]["status"], "verified", "{c:#}");
    assert_eq!(c["signature"]["format"], "ssh");
    assert_eq!(c["signature"]["signer"], "bob@example.com");
    let fingerprint = bob.public_key().fingerprint(HashAlg::Sha256).to_string();
    assert_eq!(c["signature"]["key"], fingerprint.as_str());
    assert!(c["signature"].get("reason").is_none());
    // Author and committer are the same person: both fields, shown once for people.
    assert_eq!(
        (&c["author"], &c["committer"], &c["committer_email"]),
        (
            &Value::from("Bob"),
            &Value::from("Bob"),
            &Value::from("bob@example.com")
        )
    );
    let (_, table, _) = run(&t, &["diff", "base..HEAD"]);
    assert!(
        table.contains("Bob <bob@example.com> 2026-10-02 “Grant billing:read to shop” (verified: bob@example.com)"),
        "{table}"
    );
    assert!(!table.contains("committed by"), "{table}");
}

#[test]
fn a_key_listed_only_for_someone_else_does_not_verify_the_committer() {
    let (bob, carol) = (key(), key());
    let t = base(
        &(line("bob@example.com", &bob) + &line("carol@example.com", &carol)),
        "",
    );
    t.write("clients/shop.toml", &shop("erin@example.com"));
    // Bob commits, signing with Carol's (listed) key.
    t.commit_by(BOB, BOB, "Grant billing:read to shop", signed_by(&carol));
    let (_, v) = diff_json(&t, &[]);
    let s = &commit_of(&v, "shop")["signature"];
    assert_eq!(s["status"], "not-verified", "{s:#}");
    let reason = s["reason"].as_str().unwrap();
    assert!(
        reason.contains("is listed in the allowed signers for carol@example.com, not for the committer's e-mail bob@example.com"),
        "{reason}"
    );
}

#[test]
fn a_signature_over_other_content_is_a_bad_signature() {
    let bob = key();
    let t = base(&line("bob@example.com", &bob), "");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    // Signed content and commit content differ (the commit was altered after signing).
    t.commit_by(BOB, BOB, "Grant billing:read to shop", |content| {
        Some(sshsig(&bob, content.replace("shop", "shoq").as_bytes()))
    });
    let (_, v) = diff_json(&t, &[]);
    let s = &commit_of(&v, "shop")["signature"];
    assert_eq!(s["status"], "not-verified", "{s:#}");
    assert!(
        s["reason"].as_str().unwrap().starts_with("bad signature"),
        "{s:#}"
    );
}

#[test]
fn unsigned_and_gpg_signed_commits_are_not_verified() {
    let bob = key();
    let t = base(&line("bob@example.com", &bob), "");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant billing:read to shop", unsigned);
    t.write(
        "clients/gpg.toml",
        &shop("erin@example.com").replace("\"shop\"", "\"gpg\""),
    );
    t.commit_by(BOB, BOB, "Grant billing:read to gpg", |_| {
        Some("-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfake=\n=fake\n-----END PGP SIGNATURE-----".into())
    });
    let (_, v) = diff_json(&t, &[]);
    let u = commit_of(&v, "shop");
    assert_eq!(u["signed"], false);
    assert_eq!(u["signature"], serde_json::json!({"status": "unsigned"}));
    let g = commit_of(&v, "gpg");
    assert_eq!(g["signed"], true);
    assert_eq!(
        g["signature"],
        serde_json::json!({"status": "not-verified", "format": "gpg",
            "reason": "GPG signatures are not verified: scopectl does not run gpg"})
    );
    let (_, md, _) = run(&t, &["log", "gpg", "--format", "markdown"]);
    assert!(
        md.contains("signature not verified: GPG signatures are not verified"),
        "{md}"
    );
}

#[test]
fn malformed_allowed_signers_lines_are_an_error_naming_each_line() {
    let bob = key();
    let good = line("bob@example.com", &bob);
    let t = base(
        &format!(
            "# people\n{good}carol@example.com nonsense {}\neve@example.com\n",
            good.split(' ').nth(1).unwrap()
        ),
        "",
    );
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant billing:read to shop", signed_by(&bob));
    for cmd in [
        vec!["diff", "base..HEAD"],
        vec!["log", "shop"],
        vec!["report"],
    ] {
        let (code, _, err) = run(&t, &cmd);
        assert_eq!(code, 2, "{cmd:?}: {err}");
        assert!(err.contains("2 malformed line(s)"), "{cmd:?}: {err}");
        assert!(
            err.contains("allowed_signers:3:19: `nonsense` is neither an option"),
            "{cmd:?}: {err}"
        );
        assert!(
            err.contains("allowed_signers:4:16: no key"),
            "{cmd:?}: {err}"
        );
    }
}

#[test]
fn allowed_signers_must_stay_inside_the_registry() {
    for (path, what) in [
        ("../keys/allowed", "must stay inside the registry folder"),
        ("/etc/ssh/allowed_signers", "not absolute"),
    ] {
        let reg = common::Reg::new(&[(
            "scopectl.toml",
            &format!("[policy]\nrequire_signed = true\nallowed_signers = \"{path}\"\n"),
        )]);
        let (code, v) = reg.lint_json();
        assert_eq!(code, 2, "{v:#}");
        let d = &common::with_code(&v, "load/invalid-value")[0];
        assert!(d["message"].as_str().unwrap().contains(what), "{d:#}");
        assert_eq!(
            (&d["file"], &d["line"], &d["column"]),
            (
                &Value::from("scopectl.toml"),
                &Value::from(3),
                &Value::from(19)
            )
        );
    }
}

#[test]
fn an_allowed_signers_file_over_the_limit_is_refused() {
    let t = base(&"# padding\n".repeat(110_000), "");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant", unsigned);
    let (code, _, err) = run(&t, &["diff", "base..HEAD"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("over the 1 MiB limit for allowed-signers files"),
        "{err}"
    );
}

#[test]
fn require_signed_makes_access_in_an_unverified_commit_a_finding() {
    let bob = key();
    let t = base(&line("bob@example.com", &bob), "require_signed = true\n");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant billing:read to shop", unsigned);
    t.write(
        "clients/other.toml",
        &shop("erin@example.com").replace("\"shop\"", "\"other\""),
    );
    t.commit_by(BOB, BOB, "Grant billing:read to other", signed_by(&bob));
    let (code, v) = diff_json(&t, &[]);
    assert_eq!(code, 3, "{v:#}");
    let f: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "diff/unverified-commit")
        .collect();
    assert_eq!(f.len(), 1, "only the unsigned commit: {v:#}");
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["subject"]["client"], "shop");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains("shop → billing:read added in commit"), "{msg}");
    assert!(
        msg.contains("which is unsigned ([policy] require_signed)"),
        "{msg}"
    );
    // The gate: `unverified` is in the default --fail-on; without it the diff passes.
    let (code, _, err) = run(
        &t,
        &["diff", "base..HEAD", "--fail-on", "breaking,weakened"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, _, err) = run(&t, &["diff", "base..HEAD"]);
    assert!(err.contains("failing (exit 3) on unverified"), "{err}");
    // The report lists under 5.3 every grant whose last access change is unverified:
    // shop's, and sensor-node's from Alice's unsigned initial commit; not other's.
    let (code, out, err) = run(&t, &["report", "--format", "json", "--today", "2026-11-25"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["require_signed"], true);
    assert_eq!(r["summary"]["unverified_commits"], 2, "{:#}", r["summary"]);
    let gaps = &r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3")
        .unwrap()["gap_details"];
    assert!(
        gaps.as_array().unwrap().iter().any(|g| g["rule"] == "diff/unverified-commit" && g["subject"] == "shop → billing:read"),
        "{gaps:#}"
    );
    let row = r["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client"] == "shop")
        .unwrap();
    assert!(row["unverified_commit"].is_string(), "{row:#}");
    let other = r["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["client"] == "other")
        .unwrap();
    assert!(other["unverified_commit"].is_null(), "{other:#}");
    let setting = r["policy"]["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "require_signed")
        .unwrap()
        .clone();
    assert_eq!(setting["value"], "true");
}

#[test]
fn a_pull_request_cannot_trust_its_own_key() {
    let alice = key();
    let mallory = key();
    let t = base(
        &line("alice@example.com", &alice),
        "require_signed = true\n",
    );
    // The "pull request": Mallory lists her own key, points the policy at a second file
    // she also controls, and grants herself access, all signed with her key.
    t.write(
        "allowed_signers",
        &(line("alice@example.com", &alice) + &line("mallory@example.com", &mallory)),
    );
    t.write("mine", &line("mallory@example.com", &mallory));
    t.write(
        "scopectl.toml",
        "[policy]\nallowed_signers = \"mine\"\nrequire_signed = true\n",
    );
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(
        MALLORY,
        MALLORY,
        "Grant billing:read to shop",
        signed_by(&mallory),
    );
    let (code, v) = diff_json(&t, &[]);
    assert_eq!(code, 3, "{v:#}");
    let s = &commit_of(&v, "shop")["signature"];
    assert_eq!(s["status"], "not-verified", "{s:#}");
    let reason = s["reason"].as_str().unwrap();
    assert!(reason.contains("is not in the allowed signers"), "{reason}");
    assert!(
        reason.contains("read at the base revision base"),
        "{reason}"
    );
    assert!(
        codes(&v).contains(&"diff/unverified-commit".to_string()),
        "{v:#}"
    );
    // After the merge, the file at HEAD is what log and report read: there it verifies.
    let (_, out, _) = run(&t, &["log", "shop", "--format", "json"]);
    let l: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        l["entries"][0]["commit"]["signature"]["status"], "verified",
        "{l:#}"
    );
}

#[test]
fn allowed_signers_flag_overrides_the_policy() {
    let bob = key();
    let t = base("", "");
    t.write("clients/shop.toml", &shop("erin@example.com"));
    t.commit_by(BOB, BOB, "Grant billing:read to shop", signed_by(&bob));
    let (_, v) = diff_json(&t, &[]);
    let s = &commit_of(&v, "shop")["signature"];
    assert_eq!(s["status"], "not-verified");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("allowed");
    std::fs::write(&file, line("*@example.com", &bob)).unwrap();
    let (_, v) = diff_json(&t, &["--allowed-signers", file.to_str().unwrap()]);
    let s = &commit_of(&v, "shop")["signature"];
    assert_eq!(s["status"], "verified", "{s:#}");
    assert_eq!(s["signer"], "*@example.com");
}

#[test]
fn a_grant_committed_by_its_approver_under_another_author_is_self_approved() {
    let t = base("", "");
    t.write("clients/shop.toml", &shop("mallory@example.com"));
    // git commit --author "Someone Else <someone@example.com>", committed by Mallory.
    t.commit_by(
        ("Someone Else", "someone@example.com"),
        ("Mallory", "Mallory@Example.com"),
        "Grant billing:read to shop",
        unsigned,
    );
    let (_, v) = diff_json(&t, &[]);
    let c = commit_of(&v, "shop");
    assert_eq!(c["author"], "Someone Else");
    assert_eq!(c["email"], "someone@example.com");
    assert_eq!(c["committer"], "Mallory");
    assert_eq!(c["committer_email"], "Mallory@Example.com");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "diff/self-approved-commit")
        .unwrap_or_else(|| panic!("no four-eyes finding: {v:#}"));
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("is approved by mallory@example.com, who also committed commit"),
        "{msg}"
    );
    assert!(
        msg.contains(
            "(author Someone Else <someone@example.com>, committer Mallory <Mallory@Example.com>)"
        ),
        "{msg}"
    );
    let (_, table, _) = run(&t, &["diff", "base..HEAD"]);
    assert!(
        table.contains(
            "Someone Else <someone@example.com>, committed by Mallory <Mallory@Example.com>"
        ),
        "{table}"
    );
    // The same grant authored and committed by the approver says both.
    let t = base("", "");
    t.write("clients/shop.toml", &shop("mallory@example.com"));
    t.commit_by(MALLORY, MALLORY, "Grant", unsigned);
    let (_, v) = diff_json(&t, &[]);
    assert!(
        v.to_string()
            .contains("who also authored and committed commit"),
        "{v:#}"
    );
    // The report counts it under 5.3.
    let (_, out, _) = run(&t, &["report", "--format", "json"]);
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        r["summary"]["self_approved_commits"], 1,
        "{:#}",
        r["summary"]
    );
}
