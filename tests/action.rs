//! The GitHub Action (`action.yml`): its shape, no `${{ }}` expansion inside scripts
//! (script injection), and its scopectl steps run for real, with bash, in a repository
//! holding the example registry in a subfolder (the build step and the comment need the
//! network and GitHub, and are checked for shape only).

mod common;

use std::collections::HashMap;
use std::path::Path;

use serde_yaml_ng::Value;

fn action() -> Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml"))
        .expect("action.yml");
    serde_yaml_ng::from_str(&text).expect("action.yml is YAML")
}

fn steps(a: &Value) -> Vec<Value> {
    a["runs"]["steps"].as_sequence().expect("steps").clone()
}

fn step<'a>(steps: &'a [Value], name: &str) -> &'a Value {
    steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name}"))
}

#[test]
fn the_action_is_a_composite_whose_scripts_expand_nothing() {
    let a = action();
    assert_eq!(a["runs"]["using"], "composite");
    for input in ["registry", "comment", "fail-on-breaking"] {
        assert!(a["inputs"][input]["description"].is_string(), "{input}");
    }
    for s in steps(&a) {
        let Some(script) = s["run"].as_str() else {
            assert!(s["uses"].is_string(), "{s:?}");
            continue;
        };
        assert_eq!(s["shell"], "bash", "{s:?}");
        // Inputs and event fields reach scripts through `env`, never by expansion: a
        // branch name or an input cannot become shell code.
        assert!(
            !script.contains("${{"),
            "expansion inside a script: {script}"
        );
    }
}

/// Copy the example registry into `t` under its registry folder.
fn copy_example(t: &common::TestRepo) {
    let root = common::example_registry();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                t.write(&rel, &std::fs::read_to_string(&p).unwrap());
            }
        }
    }
}

/// Run step `name`'s script with bash in the repository, with the step's `env` (its
/// `${{ }}` values replaced from `values`) and the runner's variables. (exit code, output)
fn run_step(
    t: &common::TestRepo,
    steps: &[Value],
    name: &str,
    values: &HashMap<&str, String>,
    runner: &Path,
) -> (i32, String) {
    let s = step(steps, name);
    let script = s["run"].as_str().expect("script");
    let bin = assert_cmd::cargo::cargo_bin("scopectl");
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-eo")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .current_dir(t.root())
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_PATH", runner.join("path"));
    if let Some(env) = s["env"].as_mapping() {
        for (k, v) in env {
            let expr = v.as_str().unwrap_or("");
            let value = values
                .iter()
                .find(|(e, _)| expr.contains(*e))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("no test value for {expr}"));
            cmd.env(k.as_str().unwrap(), value);
        }
    }
    let out = cmd.output().expect("bash");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn diff_exit(runner: &Path) -> String {
    std::fs::read_to_string(runner.join("output"))
        .unwrap_or_default()
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("exit="))
        .unwrap_or("")
        .to_string()
}

#[test]
fn the_actions_scopectl_steps_run_against_a_real_repository() {
    let a = action();
    let steps = steps(&a);
    let t = common::TestRepo::new("infra/oauth");
    copy_example(&t);
    let base = t.commit("Alice", "alice@example.com", "Registry");
    t.repo
        .reference("refs/remotes/origin/main", base, true, "base")
        .unwrap();
    // A pull request that adds a scope: no breaking change.
    let scopes = t.registry().join("scopes/extra.toml");
    std::fs::write(
        &scopes,
        "[scopes.\"reports:read\"]\ndescription = \"Read reports\"\nowner = \"team-crm\"\nsensitivity = \"low\"\n",
    )
    .unwrap();
    t.commit("Bob", "bob@example.com", "Add reports:read");
    let runner = tempfile::tempdir().unwrap();
    let mut values: HashMap<&str, String> = HashMap::new();
    values.insert("inputs.registry", "infra/oauth".into());
    values.insert("github.base_ref", "main".into());

    let (code, out) = run_step(&t, &steps, "Lint", &values, runner.path());
    assert_eq!(code, 0, "{out}");
    let (code, out) = run_step(&t, &steps, "Lint (SARIF)", &values, runner.path());
    assert_eq!(code, 0, "{out}");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(runner.path().join("scopectl.sarif")).unwrap(),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let (code, out) = run_step(&t, &steps, "Diff", &values, runner.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(diff_exit(runner.path()), "0");
    let md = std::fs::read_to_string(runner.path().join("scopectl-diff.md")).unwrap();
    assert!(
        md.contains("## Scope registry changes: origin/main → HEAD"),
        "{md}"
    );
    assert!(md.contains("reports:read"), "{md}");
    values.insert("steps.diff.outputs.exit", diff_exit(runner.path()));
    let (code, out) = run_step(&t, &steps, "Gate", &values, runner.path());
    assert_eq!(code, 0, "{out}");

    // Removing a scope clients hold is breaking: the diff step records 3, the gate fails.
    std::fs::remove_file(&scopes).unwrap();
    let first = std::fs::read_dir(t.registry().join("scopes"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&first).unwrap();
    t.commit("Bob", "bob@example.com", "Remove scopes");
    let (code, out) = run_step(&t, &steps, "Diff", &values, runner.path());
    assert_eq!(code, 0, "{out}");
    assert_eq!(diff_exit(runner.path()), "3");
    values.insert("steps.diff.outputs.exit", "3".into());
    let (code, out) = run_step(&t, &steps, "Gate", &values, runner.path());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("::error title=scopectl diff::"), "{out}");
}
