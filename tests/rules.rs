//! The guardrail rules: every fixture under `tests/fixtures/rules/` is loaded, planned and
//! validated. `<id>-fires*.yaml` must produce a finding of rule `<id>`, `<id>-passes*.yaml` must
//! not; every fixture's diagnostics are snapshot-tested. Every rule has both kinds of fixture.

mod common;

use std::path::{Path, PathBuf};

use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::diagnostics::Diagnostic;
use cloudwright::plan::lock;
use cloudwright::validate::{self, Outcome, registry::RULES};
use common::{run, settings};

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".yaml") && !name.ends_with(".lock.yaml")
        })
        .collect();
    paths.sort();
    paths
}

/// Loads, plans (honouring a lock file next to the fixture) and validates. A blueprint the loader
/// or the planner refuses yields those diagnostics instead.
fn validate(path: &Path) -> Result<Outcome, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = blueprint::load(Source {
        origin: Origin::File(path.to_path_buf()),
        text,
    })?;
    let lock_path = lock::path_for(path);
    let previous = lock::read(&lock_path).map_err(|d| vec![*d])?;
    let plan = cloudwright::plan::plan(&doc, previous.as_ref())?;
    // `<id>-fires…` and `<id>-passes…` run only rule `<id>`; other fixtures run every rule.
    let name = path.file_stem().unwrap_or_default().to_string_lossy();
    let own = name
        .split_once('-')
        .filter(|(_, kind)| kind.starts_with("fires") || kind.starts_with("passes"))
        .map(|(id, _)| id.to_ascii_uppercase());
    Ok(match own {
        Some(id) => validate::run_only(&doc, &plan, |r| r.id == id),
        None => validate::run(&doc, &plan),
    })
}

fn transcript(outcome: &Result<Outcome, Vec<Diagnostic>>) -> String {
    match outcome {
        Ok(o) => {
            let mut text: String = o.diagnostics.iter().map(|d| format!("{d}\n")).collect();
            text.push_str(&format!("suppressed: {}\n", o.suppressed));
            for a in &o.accepted {
                text.push_str(&format!("accepted: {} because {}\n", a.rule.id, a.reason));
            }
            text
        }
        Err(refused) => {
            let text: String = refused.iter().map(|d| format!("{d}\n")).collect();
            format!("refused:\n{text}")
        }
    }
}

#[test]
fn rule_fixtures_fire_or_pass_as_named() {
    for path in fixtures() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let outcome = validate(&path);
        let codes: Vec<&str> = match &outcome {
            Ok(o) => o.diagnostics.iter().filter_map(|d| d.code).collect(),
            Err(refused) => refused.iter().filter_map(|d| d.code).collect(),
        };
        if let Some((id, kind)) = name.split_once('-') {
            let id = id.to_ascii_uppercase();
            if kind.starts_with("fires") {
                assert!(
                    codes.contains(&id.as_str()),
                    "{name} must fire {id}: {}",
                    transcript(&outcome)
                );
            } else if kind.starts_with("passes") {
                assert!(outcome.is_ok(), "{name} loads: {}", transcript(&outcome));
                assert!(
                    !codes.contains(&id.as_str()),
                    "{name} must not fire {id}: {}",
                    transcript(&outcome)
                );
            }
        }
        snap(&format!("rules.{name}"), transcript(&outcome));
    }
}

#[test]
fn every_rule_has_a_firing_and_a_passing_fixture() {
    let names: Vec<String> = fixtures()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    // IAM001, IAM002 and DAT007 check what cloudwright derives from connections: no blueprint
    // can make them fire (src/validate/rules/policy_wildcards.rs,
    // src/components/pipeline/rules/schedule_role_not_scoped.rs and
    // src/components/data_lake/rules/glue_role_beyond_lake.rs test them on widened grants).
    const CANNOT_FIRE: &[&str] = &["IAM001", "IAM002", "DAT007"];
    for rule in RULES {
        let id = rule.id.to_ascii_lowercase();
        assert!(
            CANNOT_FIRE.contains(&rule.id)
                || names.iter().any(|n| n.starts_with(&format!("{id}-fires"))),
            "{} has no firing fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{id}-passes"))),
            "{} has no passing fixture",
            rule.id
        );
    }
}

#[test]
fn suppressions_hide_findings_and_travel_with_their_reasons() {
    let o = validate(Path::new("tests/fixtures/rules/suppressed.yaml")).unwrap();
    assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics);
    assert_eq!(o.suppressed, 2);
    let accepted: Vec<&str> = o.accepted.iter().map(|a| a.rule.id).collect();
    assert_eq!(accepted, ["HA002", "NET004"]);
}

#[test]
fn no_catalog_blueprint_triggers_an_error() {
    for (name, _) in blueprint::catalog() {
        let doc = blueprint::load(blueprint::resolve(name).unwrap()).unwrap();
        let plan = cloudwright::plan::plan(&doc, None).unwrap();
        let o = validate::run(&doc, &plan);
        assert!(
            !o.fails(cloudwright::diagnostics::Severity::Error),
            "{name}: {:?}",
            o.diagnostics
        );
    }
}

// ---- The commands: check, rules, explain --------------------------------------------------

/// A scratch copy of a rule fixture, so that its lock file lands outside the tree.
fn scratch(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new("tests/fixtures/rules").join(fixture),
        dir.path().join("bp.yaml"),
    )
    .unwrap();
    dir
}

fn snap(name: &str, text: String) {
    settings().bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn check_exits_by_the_failing_severity() {
    let dir = scratch("ha002-fires.yaml");
    let r = run(dir.path(), &["check", "bp.yaml"]);
    assert_eq!(r.code, 1);
    snap("rules.cli.check-error", r.transcript());

    let dir = scratch("net003-fires.yaml");
    let r = run(dir.path(), &["check", "bp.yaml"]);
    assert_eq!(
        r.code,
        0,
        "a warning does not fail by default: {}",
        r.transcript()
    );
    assert!(r.stdout.contains("warning[NET003]"));
    let r = run(dir.path(), &["check", "bp.yaml", "--fail-on", "warning"]);
    assert_eq!(r.code, 1);

    let r = run(Path::new("."), &["check", "ha-vpc"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
}

#[test]
fn check_prints_full_json_and_sarif() {
    let dir = scratch("suppression-problems.yaml");
    let full = run(dir.path(), &["check", "bp.yaml", "--format", "full"]);
    assert_eq!(full.code, 1);
    snap("rules.cli.check-full", full.transcript());

    let json = run(dir.path(), &["check", "bp.yaml", "--format", "json"]);
    let items: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 3);
    assert_eq!(items[0]["line"], 6);

    let dir = scratch("sec001-fires.yaml");
    let sarif = run(dir.path(), &["check", "bp.yaml", "--format", "sarif"]);
    assert_eq!(sarif.code, 1);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .all(|r| r["ruleId"] == "SEC001" && r["level"] == "error")
    );
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
}

#[test]
fn check_reports_an_invalid_blueprint_in_the_chosen_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "tests/fixtures/invalid/host-bits.yaml",
        dir.path().join("bp.yaml"),
    )
    .unwrap();
    let r = run(dir.path(), &["check", "bp.yaml", "--format", "sarif"]);
    assert_eq!(r.code, 1);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "blueprint");
}

#[test]
fn rules_and_explain_come_from_the_registry() {
    let r = run(Path::new("."), &["rules"]);
    assert_eq!(r.code, 0);
    for rule in RULES {
        assert!(
            r.stdout.contains(rule.id) && r.stdout.contains(rule.summary),
            "{}",
            rule.id
        );
    }
    snap("rules.cli.rules", r.stdout);
    for rule in RULES {
        let r = run(Path::new("."), &["explain", &rule.id.to_ascii_lowercase()]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains(&rule.documentation()), "{}", rule.id);
    }
    let r = run(Path::new("."), &["explain", "NET0O1"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `NET0"), "{}", r.stderr);
}

#[test]
fn the_readme_lists_every_rule() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for rule in RULES {
        let row = format!("| {} | `{}` |", rule.id, rule.name);
        assert!(readme.contains(&row), "README's rule table lacks `{row}`");
    }
}

#[test]
fn render_writes_nothing_while_an_unsuppressed_error_remains() {
    let dir = scratch("net001-fires.yaml");
    let r = run(
        dir.path(),
        &[
            "render",
            "bp.yaml",
            "--target",
            "terraform",
            "--out-dir",
            "infra",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error[NET001]"), "{}", r.stderr);
    assert!(!dir.path().join("infra").exists(), "nothing is written");
    assert!(
        !dir.path().join("bp.lock.yaml").exists(),
        "not even the lock file"
    );
    snap("rules.cli.render-refused", r.transcript());

    // A warning is printed and the files are written.
    let dir = scratch("net003-fires.yaml");
    let r = run(
        dir.path(),
        &["render", "bp.yaml", "--target", "sam", "--out-dir", "infra"],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stderr.contains("warning[NET003]"), "{}", r.stderr);
    assert!(dir.path().join("infra/template.yaml").is_file());
}

#[test]
fn check_writes_nothing() {
    let dir = scratch("net001-passes.yaml");
    let r = run(dir.path(), &["check", "bp.yaml"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no lock file next to the blueprint"
    );
}

#[test]
fn a_suppression_without_a_reason_is_refused() {
    let dir = scratch("net001-fires.yaml");
    let path = dir.path().join("bp.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}suppressions:\n  - rule: NET001\n")).unwrap();
    let r = run(dir.path(), &["check", "bp.yaml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("missing field `reason`"),
        "{}",
        r.transcript()
    );
    snap("rules.cli.suppression-without-reason", r.transcript());
}

#[test]
fn the_readme_documents_every_component_kind() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for kind in cloudwright::components::Kind::ALL {
        let heading = format!("\n### {kind}\n");
        assert!(
            readme.contains(&heading),
            "README lacks a `### {kind}` section"
        );
    }
}
