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
    let files = render::render(&plan, &[], Target::CloudFormation).unwrap();
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

// Writing output safely: refusals, --force, --check, --diff, --dry-run, stale files and --prune.

/// Every file under `dir`, recursively, with its bytes: to show a run wrote nothing at all.
fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

const TERRAFORM: [&str; 6] = [
    "render",
    "demo.yaml",
    "--target",
    "terraform",
    "--out-dir",
    "infra",
];

/// A project rendered as Terraform into `infra/`, then given a third AZ, so that `network.tf`,
/// `outputs.tf` and the lock file would change on the next run.
fn rendered_then_changed() -> tempfile::TempDir {
    let dir = project();
    let r = run(dir.path(), &TERRAFORM);
    assert_eq!(r.code, 0, "{}", r.transcript());
    edit(&dir.path().join("demo.yaml"), "azs: 2", "azs: 3");
    dir
}

fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

#[test]
fn write_a_hand_edited_file_is_refused_and_nothing_is_written_until_forced() {
    let dir = rendered_then_changed();
    edit(
        &dir.path().join("infra/network.tf"),
        "name              = \"demo-public-a\"",
        "name              = \"demo-public-a-renamed\"",
    );
    let before = tree(dir.path());
    let r = run(dir.path(), &TERRAFORM);
    assert_eq!(r.code, 2, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.refused-hand-edit", r.transcript()));
    assert!(
        tree(dir.path()) == before,
        "nothing is written: not outputs.tf, which would change, nor the lock file"
    );

    let r = run(dir.path(), &with(&TERRAFORM, &["--force"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.forced", r.transcript()));
    let network = std::fs::read_to_string(dir.path().join("infra/network.tf")).unwrap();
    assert!(!network.contains("renamed"), "the hand edit is overwritten");
    assert!(network.contains("demo-public-c"), "and the new AZ is in");
    let r = run(dir.path(), &with(&TERRAFORM, &["--check"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn write_a_file_that_is_not_ours_is_refused() {
    let dir = project();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let mine = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {}\n";
    std::fs::write(dir.path().join("out/template.yaml"), mine).unwrap();
    let args = [
        "render",
        "demo.yaml",
        "--target",
        "cloudformation",
        "--out-dir",
        "out",
    ];
    let r = run(dir.path(), &args);
    assert_eq!(r.code, 2, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.refused-foreign", r.transcript()));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/template.yaml")).unwrap(),
        mine
    );
    assert!(
        !dir.path().join("demo.lock.yaml").exists(),
        "nothing is written, not even the lock file"
    );

    let r = run(dir.path(), &with(&args, &["--force"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stdout.starts_with(
        "overwrote out/template.yaml: not generated by cloudwright (it has no cloudwright header)\n"
    ));
    assert!(dir.path().join("demo.lock.yaml").exists());
}

#[test]
fn write_check_passes_on_a_clean_tree_and_lists_what_differs() {
    let dir = project();
    assert_eq!(run(dir.path(), &TERRAFORM).code, 0);
    let r = run(dir.path(), &with(&TERRAFORM, &["--check"]));
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", ""),
        "a clean tree passes silently"
    );

    edit(&dir.path().join("demo.yaml"), "azs: 2", "azs: 3");
    let before = tree(dir.path());
    let r = run(dir.path(), &with(&TERRAFORM, &["--check"]));
    assert_eq!(r.code, 1, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.check-drift", r.transcript()));
    let r = run(dir.path(), &with(&TERRAFORM, &["--check", "--diff"]));
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout.contains("\n+    \"public-c\" = {\n"),
        "{}",
        r.stdout
    );
    settings().bind(|| insta::assert_snapshot!("cli.write.check-diff", r.transcript()));
    assert!(tree(dir.path()) == before, "--check writes nothing");

    // A missing lock file is drift too, and so is a file the blueprint does not generate.
    std::fs::remove_file(dir.path().join("demo.lock.yaml")).unwrap();
    assert_eq!(run(dir.path(), &TERRAFORM).code, 0);
    let r = run(dir.path(), &with(&TERRAFORM, &["--check"]));
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.transcript());
    std::fs::remove_file(dir.path().join("demo.lock.yaml")).unwrap();
    let r = run(dir.path(), &with(&TERRAFORM, &["--check"]));
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr
            .starts_with("lock file demo.lock.yaml: would be created\n")
    );
    assert!(!dir.path().join("demo.lock.yaml").exists());
}

#[test]
fn write_dry_run_writes_nothing() {
    let dir = rendered_then_changed();
    edit(
        &dir.path().join("infra/variables.tf"),
        "variable",
        "variable  ",
    );
    let before = tree(dir.path());
    let r = run(dir.path(), &with(&TERRAFORM, &["--dry-run"]));
    assert_eq!(r.code, 2, "a real run would refuse: {}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.dry-run-refused", r.transcript()));
    let r = run(dir.path(), &with(&TERRAFORM, &["--dry-run", "--force"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.dry-run", r.transcript()));
    assert!(tree(dir.path()) == before, "--dry-run writes nothing");

    let fresh = project();
    let before = tree(fresh.path());
    let r = run(fresh.path(), &with(&TERRAFORM, &["--dry-run", "--diff"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stdout.starts_with(
            "would create    infra/versions.tf\n--- /dev/null\n+++ infra/versions.tf\n"
        )
    );
    assert!(
        tree(fresh.path()) == before,
        "no output directory and no lock file"
    );
}

#[test]
fn write_stale_files_are_reported_and_removed_only_with_prune() {
    let dir = project();
    assert_eq!(run(dir.path(), &TERRAFORM).code, 0);
    // Files that are not ours, and Terraform's own, are never stale.
    std::fs::write(dir.path().join("infra/notes.md"), "# notes\n").unwrap();
    std::fs::write(dir.path().join("infra/.terraform.lock.hcl"), "# lock\n").unwrap();
    let cloudformation = [
        "render",
        "demo.yaml",
        "--target",
        "cloudformation",
        "--out-dir",
        "infra",
    ];
    let r = run(dir.path(), &cloudformation);
    assert_eq!(r.code, 0, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.stale", r.transcript()));
    assert!(
        dir.path().join("infra/network.tf").exists(),
        "kept without --prune"
    );

    let r = run(dir.path(), &with(&cloudformation, &["--check"]));
    assert_eq!(r.code, 1, "stale files are drift: {}", r.transcript());
    let r = run(dir.path(), &with(&cloudformation, &["--prune"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.write.prune", r.transcript()));
    let left: Vec<_> = tree(&dir.path().join("infra")).into_keys().collect();
    assert_eq!(
        left,
        [".terraform.lock.hcl", "notes.md", "template.yaml"].map(std::path::PathBuf::from)
    );
    let r = run(dir.path(), &with(&cloudformation, &["--check"]));
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn write_flags_that_make_no_sense_together_are_refused() {
    for args in [
        &["--stdout", "--check"][..],
        &["--stdout", "--dry-run"],
        &["--stdout", "--force"],
        &["--stdout", "--prune"],
        &["--out-dir", "x", "--check", "--dry-run"],
        &["--out-dir", "x", "--diff"],
    ] {
        let r = run(
            root(),
            &with(&["render", "ha-vpc", "--target", "sam"], args),
        );
        assert_eq!(r.code, 2, "{args:?}: {}", r.transcript());
        assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    }
}
