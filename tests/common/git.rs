//! Real git repositories built with git2 for the history tests.

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use tempfile::TempDir;

pub struct TestRepo {
    pub dir: TempDir,
    pub repo: Repository,
    /// Registry folder inside the repository ("" for the root).
    pub sub: String,
    tick: std::cell::Cell<i64>,
}

impl TestRepo {
    pub fn new(sub: &str) -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        TestRepo {
            dir,
            repo,
            sub: sub.to_string(),
            tick: std::cell::Cell::new(0),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The registry folder on disk.
    pub fn registry(&self) -> PathBuf {
        if self.sub.is_empty() {
            self.root().to_path_buf()
        } else {
            self.root().join(&self.sub)
        }
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.registry().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.registry().join(path)).unwrap();
    }

    pub fn rename(&self, from: &str, to: &str) {
        let to = self.registry().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::rename(self.registry().join(from), to).unwrap();
    }

    fn signature(&self, name: &str, email: &str) -> Signature<'static> {
        // One day per commit from 2026-10-01 00:00 UTC, so dates are reproducible.
        let t = self.tick.get();
        self.tick.set(t + 1);
        Signature::new(name, email, &Time::new(1_790_812_800 + t * 86_400, 0)).unwrap()
    }

    fn stage(&self) -> Oid {
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"].iter(), IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"].iter(), None).unwrap();
        index.write().unwrap();
        index.write_tree().unwrap()
    }

    /// Stage everything and commit as `name <email>`.
    pub fn commit(&self, name: &str, email: &str, message: &str) -> Oid {
        let tree = self.repo.find_tree(self.stage()).unwrap();
        let sig = self.signature(name, email);
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    }

    /// Like `commit`, with a (fake) armored signature in the `gpgsig` header.
    pub fn commit_signed(&self, name: &str, email: &str, message: &str) -> Oid {
        let tree = self.repo.find_tree(self.stage()).unwrap();
        let sig = self.signature(name, email);
        let parent = self.repo.head().unwrap().peel_to_commit().unwrap();
        let buf = self
            .repo
            .commit_create_buffer(&sig, &sig, message, &tree, &[&parent])
            .unwrap();
        let content = std::str::from_utf8(&buf).unwrap().to_string();
        let armor = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfakefakefakefakefakefakefakefakeFAKE=\n=fake\n-----END PGP SIGNATURE-----";
        let oid = self.repo.commit_signed(&content, armor, None).unwrap();
        // commit_signed does not move HEAD.
        let head = self.repo.head().unwrap();
        let name = head.name().unwrap().to_string();
        self.repo
            .reference(&name, oid, true, "signed commit")
            .unwrap();
        oid
    }

    /// Stage everything and commit on HEAD with `author` and `committer` as `(name,
    /// e-mail)`; `sign` gets the commit's content and returns the armored signature to
    /// put in its `gpgsig` header (`None`: the commit is unsigned).
    pub fn commit_by(
        &self,
        author: (&str, &str),
        committer: (&str, &str),
        message: &str,
        sign: impl FnOnce(&str) -> Option<String>,
    ) -> Oid {
        let tree = self.repo.find_tree(self.stage()).unwrap();
        let t = self.tick.get();
        self.tick.set(t + 1);
        let at = Time::new(1_790_812_800 + t * 86_400, 0);
        let a = Signature::new(author.0, author.1, &at).unwrap();
        let c = Signature::new(committer.0, committer.1, &at).unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let buf = self
            .repo
            .commit_create_buffer(&a, &c, message, &tree, &parents)
            .unwrap();
        let content = std::str::from_utf8(&buf).unwrap().to_string();
        let oid = match sign(&content) {
            Some(armor) => self.repo.commit_signed(&content, &armor, None).unwrap(),
            None => self
                .repo
                .commit(None, &a, &c, message, &tree, &parents)
                .unwrap(),
        };
        // Neither call moves HEAD when it is given no ref.
        let head = self.repo.find_reference("HEAD").unwrap();
        let name = match head.symbolic_target().ok().flatten() {
            Some(n) => n.to_string(),
            None => "refs/heads/master".to_string(),
        };
        self.repo.reference(&name, oid, true, "commit_by").unwrap();
        oid
    }

    /// Stage everything and commit with explicit parents; HEAD moves only when `move_head`.
    pub fn commit_with_parents(
        &self,
        name: &str,
        email: &str,
        message: &str,
        parents: &[Oid],
        move_head: bool,
    ) -> Oid {
        let tree = self.repo.find_tree(self.stage()).unwrap();
        let sig = self.signature(name, email);
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(
                if move_head { Some("HEAD") } else { None },
                &sig,
                &sig,
                message,
                &tree,
                &refs,
            )
            .unwrap()
    }

    pub fn tag(&self, name: &str, oid: Oid) {
        let obj = self.repo.find_object(oid, None).unwrap();
        self.repo.tag_lightweight(name, &obj, false).unwrap();
    }
}

pub const POLICY: &str = r#"[policy]
expiry_warning = "30d"
max_grant_lifetime = "365d"
"#;

pub const SCOPES_V1: &str = r#"[scopes."telemetry:read"]
description = "Read access to sensor data"
owner = "team-iot"
sensitivity = "low"
claims = ["sensor_region", "device_id"]

[scopes."system:reboot"]
description = "Reboot a field device"
owner = "team-platform"
sensitivity = "critical"
step_up = true

[scopes."billing:read"]
description = "Read invoices"
owner = "team-payments"
sensitivity = "medium"

[scopes."legacy:read"]
description = "Old API"
owner = "team-platform"
sensitivity = "low"

[scopes."reports:read"]
description = "Read reports"
owner = "team-bi"
sensitivity = "low"
"#;

pub const SENSOR_V1: &str = r#"[client]
id = "sensor-node"
owner = "team-iot"
description = "Field sensor gateway"

[[grants]]
scope = "telemetry:read"
justification = "Uploads sensor batches (IOT-142)"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2027-05-01
"#;

pub const FLEET_V1: &str = r#"[client]
id = "fleet-ops"
owner = "team-platform"

[[grants]]
scope = "system:reboot"
justification = "On-call reboots (OPS-77)"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2026-12-19

[[grants]]
scope = "telemetry:read"
justification = "Dashboards (OPS-78)"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2027-01-29
type = "default"
"#;

pub const OLD_V1: &str = r#"[client]
id = "old-client"
owner = "team-legacy"

[[grants]]
scope = "legacy:read"
justification = "Legacy sync"
approved_by = "carol@example.com"
approved_on = 2026-09-01
expires = 2027-01-01
"#;

/// The history every diff test reads:
/// 1. v1 (alice): the initial registry
/// 2. (bob): sensor-node's file moved to clients/iot/ and reformatted: no change
/// 3. (bob): sensor-node gets billing:read approved by bob himself; telemetry:read extended and re-justified
/// 4. (carol): legacy:read and old-client removed; a claim dropped; fleet-ops reboot shortened, re-approved, made optional
/// 5. v2 (dave, signed): policy window, a description, reports:read renamed, orders:read added, client new-client added
pub struct History {
    pub t: TestRepo,
    pub c: Vec<Oid>,
}

pub fn history(sub: &str) -> History {
    let t = TestRepo::new(sub);
    if !sub.is_empty() {
        std::fs::write(t.root().join("README.md"), "a larger repository\n").unwrap();
    }
    t.write("scopectl.toml", POLICY);
    t.write("scopes/all.toml", SCOPES_V1);
    t.write("clients/sensor-node.toml", SENSOR_V1);
    t.write("clients/fleet-ops.toml", FLEET_V1);
    t.write("clients/old-client.toml", OLD_V1);
    let c1 = t.commit("Alice", "alice@example.com", "Initial registry (SEC-1)");
    t.tag("v1", c1);

    t.remove("clients/sensor-node.toml");
    t.write(
        "clients/iot/sensor-node.toml",
        "[client]\ndescription = \"Field sensor gateway\"\nid = \"sensor-node\"\nowner = \"team-iot\"\n\n[[grants]]\nexpires = 2027-05-01\napproved_on = 2026-09-01\napproved_by = \"carol@example.com\"\njustification = \"Uploads sensor batches (IOT-142)\"\nscope = \"telemetry:read\"\n",
    );
    let c2 = t.commit(
        "Bob",
        "bob@example.com",
        "Move sensor-node into clients/iot",
    );

    t.write(
        "clients/iot/sensor-node.toml",
        &(SENSOR_V1
            .replace("expires = 2027-05-01", "expires = 2027-08-01")
            .replace("Uploads sensor batches (IOT-142)", "Uploads compressed sensor batches (IOT-150)")
            + "\n[[grants]]\nscope = \"billing:read\"\njustification = \"Shows invoices (PAY-9)\"\napproved_by = \"bob@example.com\"\napproved_on = 2026-10-03\nexpires = 2027-04-01\n"),
    );
    let c3 = t.commit(
        "Bob",
        "bob@example.com",
        "Grant billing:read to sensor-node (PAY-9)",
    );

    let scopes4 = SCOPES_V1
        .replace(
            "[scopes.\"legacy:read\"]\ndescription = \"Old API\"\nowner = \"team-platform\"\nsensitivity = \"low\"\n\n",
            "",
        )
        .replace("claims = [\"sensor_region\", \"device_id\"]", "claims = [\"sensor_region\"]");
    t.write("scopes/all.toml", &scopes4);
    t.remove("clients/old-client.toml");
    t.write(
        "clients/fleet-ops.toml",
        &FLEET_V1
            .replace("expires = 2026-12-19", "expires = 2026-12-01")
            .replacen("approved_on = 2026-09-01", "approved_on = 2026-10-04", 1)
            .replace("type = \"default\"", "type = \"optional\""),
    );
    let c4 = t.commit("Carol", "carol@example.com", "Retire legacy API (SEC-7)");

    t.write("scopectl.toml", &POLICY.replace("30d", "14d"));
    t.write(
        "scopes/all.toml",
        &(scopes4
            .replace("Reboot a field device", "Reboot a field device remotely")
            .replace("reports:read", "reports:view")
            + "\n[scopes.\"orders:read\"]\ndescription = \"Read orders\"\nowner = \"team-shop\"\nsensitivity = \"low\"\n"),
    );
    t.write(
        "clients/new-client.toml",
        "[client]\nid = \"new-client\"\nowner = \"team-shop\"\n\n[[grants]]\nscope = \"orders:read\"\njustification = \"Order sync (SHOP-1)\"\napproved_by = \"erin@example.com\"\napproved_on = 2026-10-05\nexpires = 2027-04-05\n",
    );
    let c5 = t.commit_signed("Dave", "dave@example.com", "Quarterly review (SEC-9)");
    t.tag("v2", c5);
    History {
        t,
        c: vec![c1, c2, c3, c4, c5],
    }
}
