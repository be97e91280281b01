//! The command line, as a user runs it: exit code, stdout and stderr captured together.

use std::path::Path;
use std::process::Command;

use cloudwright::blueprint;
use cloudwright::render::{self, Target};

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary project with `demo.yaml` from `tests/fixtures/valid.yaml`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        dir.path().join("demo.yaml"),
    )
    .unwrap();
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} is in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn every_invalid_fixture_is_an_error_with_a_location_and_help() {
    let mut paths: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10);
    for path in paths {
        let relative = path.strip_prefix(root()).unwrap().to_str().unwrap();
        let r = run(root(), &["plan", relative]);
        assert_eq!(r.code, 1, "{relative}: {}", r.transcript());
        assert!(r.stdout.is_empty());
        assert!(
            r.stderr.starts_with(&format!("{relative}:")),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("\n  help: "), "{}", r.stderr);
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        settings().bind(|| insta::assert_snapshot!(format!("cli.invalid.{name}"), r.transcript()));
    }
}

#[test]
fn list_shows_the_catalog() {
    let r = run(root(), &["list"]);
    settings().bind(|| insta::assert_snapshot!("cli.list", r.transcript()));
    assert_eq!(r.code, 0);
}

#[test]
fn render_prints_a_catalog_blueprint_to_stdout() {
    let r = run(
        root(),
        &["render", "ha-vpc", "--target", "cloudformation", "--stdout"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = blueprint::load(blueprint::resolve("ha-vpc").unwrap()).unwrap();
    let plan = cloudwright::plan::plan(&doc, None).unwrap();
    let files = render::render(&plan, Target::CloudFormation).unwrap();
    let expected = cloudwright::write::with_header(&files[0], "ha-vpc", "ha-vpc.yaml");
    assert_eq!(r.stdout, expected.contents);
    assert!(
        r.stderr.is_empty(),
        "a catalog blueprint has no lock file to report: {}",
        r.stderr
    );
}

#[test]
fn stdout_is_refused_for_a_multi_file_target() {
    let r = run(
        root(),
        &["render", "ha-vpc", "--target", "terraform", "--stdout"],
    );
    settings().bind(|| insta::assert_snapshot!("cli.stdout-multi-file", r.transcript()));
    assert_eq!(r.code, 2);
}

#[test]
fn unknown_blueprints_and_missing_files_cannot_be_read() {
    let r = run(root(), &["plan", "ha-vcp"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `ha-vpc`?"), "{}", r.stderr);
    let r = run(root(), &["plan", "no/such/file.yaml"]);
    assert_eq!(r.code, 2);
    settings().bind(|| insta::assert_snapshot!("cli.missing-file", r.transcript()));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let r = run(root(), &["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes:"));
    for command in ["list", "plan", "render"] {
        let r = run(root(), &[command, "--help"]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("Example"),
            "{command} --help has an example"
        );
    }
    let r = run(root(), &["render", "--help"]);
    settings().bind(|| insta::assert_snapshot!("cli.render-help", r.stdout));
}

#[test]
fn render_writes_every_file_and_the_lock_file_then_changes_nothing() {
    let dir = project();
    let args = [
        "render",
        "demo.yaml",
        "--target",
        "terraform",
        "--out-dir",
        "infra",
    ];
    let first = run(dir.path(), &args);
    assert_eq!(first.code, 0, "{}", first.transcript());
    for f in [
        "versions.tf",
        "providers.tf",
        "variables.tf",
        "network.tf",
        "outputs.tf",
    ] {
        let text = std::fs::read_to_string(dir.path().join("infra").join(f)).unwrap();
        assert!(text.starts_with("# Generated by cloudwright from blueprint demo (demo.yaml)."));
    }
    assert!(dir.path().join("demo.lock.yaml").is_file());
    let second = run(dir.path(), &args);
    assert_eq!(second.code, 0);
    settings().bind(|| {
        insta::assert_snapshot!("cli.render-first", first.transcript());
        insta::assert_snapshot!("cli.render-second", second.transcript());
    });
    let lock = std::fs::read_to_string(dir.path().join("demo.lock.yaml")).unwrap();
    settings().bind(|| insta::assert_snapshot!("cli.lock-file", lock));
}

#[test]
fn an_invalid_blueprint_writes_nothing() {
    let dir = project();
    edit(
        &dir.path().join("demo.yaml"),
        "10.20.0.0/16",
        "10.20.0.1/16",
    );
    let r = run(
        dir.path(),
        &[
            "render",
            "demo.yaml",
            "--target",
            "sam",
            "--out-dir",
            "infra",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(!dir.path().join("infra").exists());
    assert!(!dir.path().join("demo.lock.yaml").exists());
}

fn subnets(lock: &Path) -> Vec<(String, String, String)> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(lock).unwrap()).unwrap();
    let mut out = Vec::new();
    for (tier, t) in doc["tiers"].as_mapping().unwrap() {
        for (az, cidr) in t["subnets"].as_mapping().unwrap() {
            out.push((
                tier.as_str().unwrap().to_string(),
                az.as_str().unwrap().to_string(),
                cidr.as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn the_lock_file_keeps_subnets_where_they_are() {
    let dir = project();
    let blueprint = dir.path().join("demo.yaml");
    let lock = dir.path().join("demo.lock.yaml");

    let r = run(dir.path(), &["plan", "demo.yaml", "--locked"]);
    assert_eq!(r.code, 1, "--locked refuses to create the lock file");
    assert!(!lock.exists());

    assert_eq!(run(dir.path(), &["plan", "demo.yaml"]).code, 0);
    let before = subnets(&lock);
    assert_eq!(before.len(), 4);
    assert_eq!(run(dir.path(), &["plan", "demo.yaml", "--locked"]).code, 0);

    // A new AZ and a new tier: under --locked that is an error; otherwise they take free space
    // and every recorded subnet stays exactly where it was.
    edit(&blueprint, "azs: 2", "azs: 3");
    edit(
        &blueprint,
        "  nat: single",
        "    data: { hosts: 1000, internet: none }\n  nat: single",
    );
    let r = run(dir.path(), &["plan", "demo.yaml", "--locked"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        subnets(&lock),
        before,
        "--locked leaves the lock file alone"
    );
    let r = run(dir.path(), &["plan", "demo.yaml"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let after = subnets(&lock);
    assert_eq!(after.len(), 9);
    for subnet in &before {
        assert!(after.contains(subnet), "{subnet:?} stayed where it was");
    }

    // Removing an AZ frees its subnets and moves nothing else.
    edit(&blueprint, "azs: 3", "azs: 2");
    assert_eq!(run(dir.path(), &["plan", "demo.yaml"]).code, 0);
    let shrunk = subnets(&lock);
    assert_eq!(shrunk.len(), 6);
    for subnet in &shrunk {
        assert!(after.contains(subnet), "{subnet:?} stayed where it was");
    }

    // Growing a tier's subnets would move them: refused, naming each subnet.
    edit(&blueprint, "app: { size: /22", "app: { size: /21");
    let r = run(dir.path(), &["plan", "demo.yaml"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        subnets(&lock),
        shrunk,
        "a refused plan leaves the lock file alone"
    );
    settings().bind(|| insta::assert_snapshot!("cli.tier-resized", r.transcript()));
}

#[test]
fn a_broken_lock_file_is_reported_with_its_location() {
    let dir = project();
    std::fs::write(
        dir.path().join("demo.lock.yaml"),
        "version: 1\nvpc: 10.20.0.0/16\ntiers:\n  public: { prefix: 24, subnet: {} }\n",
    )
    .unwrap();
    let r = run(dir.path(), &["plan", "demo.yaml"]);
    assert_eq!(r.code, 1);
    settings().bind(|| insta::assert_snapshot!("cli.broken-lock", r.transcript()));
}

#[test]
fn the_plan_report_lists_subnets_free_space_and_headroom() {
    let dir = project();
    let r = run(dir.path(), &["plan", "demo.yaml"]);
    assert_eq!(r.code, 0);
    settings().bind(|| insta::assert_snapshot!("cli.plan", r.transcript()));
}

#[test]
fn the_readme_blueprint_example_loads_and_plans() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```yaml\nname: core-network")
        .expect("the README shows a blueprint")
        + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("core.yaml"), &readme[start..end]).unwrap();
    let r = run(
        dir.path(),
        &[
            "render",
            "core.yaml",
            "--target",
            "cloudformation",
            "--out-dir",
            "out",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
}
