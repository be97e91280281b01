//! The guardrail rules: every fixture under `tests/fixtures/rules/` is loaded, planned and
//! validated. `<id>-fires*.yaml` must produce a finding of rule `<id>`, `<id>-passes*.yaml` must
//! not; every fixture's diagnostics are snapshot-tested. Every rule has both kinds of fixture.

use std::path::{Path, PathBuf};

use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::validate::{self, Outcome, registry::RULES};

fn fixtures() -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/rules")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

fn validate(path: &Path) -> Result<Outcome, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let render = |ds: Vec<cloudwright::diagnostics::Diagnostic>| {
        ds.iter().map(|d| format!("{d}\n")).collect::<String>()
    };
    let doc = blueprint::load(Source {
        origin: Origin::File(path.to_path_buf()),
        text,
    })
    .map_err(render)?;
    let plan = cloudwright::plan::plan(&doc, None).map_err(render)?;
    Ok(validate::run(&doc, &plan))
}

fn transcript(outcome: &Result<Outcome, String>) -> String {
    match outcome {
        Ok(o) => {
            let mut text: String = o.diagnostics.iter().map(|d| format!("{d}\n")).collect();
            text.push_str(&format!("suppressed: {}\n", o.suppressed));
            for a in &o.accepted {
                text.push_str(&format!("accepted: {} because {}\n", a.rule.id, a.reason));
            }
            text
        }
        Err(load_errors) => format!("does not load:\n{load_errors}"),
    }
}

#[test]
fn rule_fixtures_fire_or_pass_as_named() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    for path in fixtures() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let outcome = validate(&path);
        let codes: Vec<&str> = match &outcome {
            Ok(o) => o.diagnostics.iter().filter_map(|d| d.code).collect(),
            Err(_) => vec![],
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
        settings.bind(|| insta::assert_snapshot!(format!("rules.{name}"), transcript(&outcome)));
    }
}

#[test]
fn every_rule_has_a_firing_and_a_passing_fixture() {
    let names: Vec<String> = fixtures()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in RULES {
        let id = rule.id.to_ascii_lowercase();
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{id}-fires"))),
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
