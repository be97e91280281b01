//! The JSON Schema of the blueprint format: current, well-formed, accepting every blueprint the
//! loader accepts, and refusing the invalid fixtures whose problem a schema can state.

mod common;

use std::path::{Path, PathBuf};

use common::{run, settings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const COMMITTED: &str = "blueprints/cloudwright.schema.json";

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(COMMITTED)).unwrap()).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid draft 2020-12 schema")
}

/// The YAML files in `dir` that are blueprints (not lock files), sorted.
fn blueprints_in(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".yaml") && !name.ends_with(".lock.yaml")
        })
        .collect();
    paths.sort();
    paths
}

/// What the schema says of the blueprint at `path`, read as the loader reads YAML (serde_yaml):
/// `None` when valid, else the first error with its location in the document. `Err` when the
/// file is no YAML document a schema could look at.
fn verdict(validator: &jsonschema::Validator, path: &Path) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_yaml::from_str(&text).map_err(|e| e.to_string())?;
    Ok(validator
        .iter_errors(&value)
        .next()
        .map(|e| format!("{}: {e}", e.instance_path())))
}

#[test]
fn the_committed_schema_is_what_this_version_prints() {
    let r = run(root(), &["schema"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let committed = std::fs::read_to_string(root().join(COMMITTED)).unwrap();
    assert!(
        r.stdout == committed,
        "{COMMITTED} is stale: run `cargo run -- schema -o {COMMITTED}` and review the diff"
    );
}

#[test]
fn schema_output_is_written_once_and_then_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["schema", "-o", "s.json"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout, "created   s.json\n");
    let again = run(dir.path(), &["schema", "-o", "s.json"]);
    assert_eq!(again.stdout, "unchanged s.json\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s.json")).unwrap(),
        std::fs::read_to_string(root().join(COMMITTED)).unwrap()
    );
}

#[test]
fn the_schema_describes_every_field_and_has_a_branch_per_kind() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(COMMITTED)).unwrap()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let kinds: Vec<&str> = schema["$defs"]["Component"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["properties"]["kind"]["const"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        cloudwright::components::Kind::ALL.map(|k| k.name()),
        "one branch per kind, in the Kind enum's order"
    );
    // Every property says what it is: its own description, or the one of the type it refers to.
    let defs = schema["$defs"].as_object().unwrap();
    let described = |s: &serde_json::Value| -> bool {
        if s.get("description").is_some() {
            return true;
        }
        let refs: Vec<&str> = match s.get("$ref") {
            Some(r) => vec![r.as_str().unwrap()],
            None => s
                .get("anyOf")
                .and_then(|a| a.as_array())
                .map(|a| a.iter().filter_map(|b| b["$ref"].as_str()).collect())
                .unwrap_or_default(),
        };
        !refs.is_empty()
            && refs.iter().all(|r| {
                let name = r.trim_start_matches("#/$defs/");
                defs[name].get("description").is_some()
            })
    };
    let mut missing = Vec::new();
    let mut objects: Vec<(String, &serde_json::Value)> = vec![("blueprint".into(), &schema)];
    objects.extend(defs.iter().map(|(n, d)| (n.clone(), d)));
    for (name, def) in &objects {
        let mut branches = vec![*def];
        if let Some(b) = def.get("oneOf").and_then(|b| b.as_array()) {
            branches.extend(b.iter());
        }
        for branch in branches {
            let Some(props) = branch.get("properties").and_then(|p| p.as_object()) else {
                continue;
            };
            for (field, s) in props {
                if field != "kind" && !described(s) {
                    missing.push(format!("{name}.{field}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
}

#[test]
fn every_catalog_blueprint_and_valid_fixture_passes_the_schema() {
    let validator = validator();
    let mut paths = blueprints_in("blueprints");
    paths.extend(blueprints_in("tests/fixtures/render"));
    paths.extend(
        blueprints_in("tests/fixtures/rules")
            .into_iter()
            .filter(|p| !refused_at_load(p)),
    );
    paths.push(root().join("tests/fixtures/valid.yaml"));
    assert!(paths.len() >= 100, "{}", paths.len());
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| match verdict(&validator, p) {
            Ok(None) => None,
            Ok(Some(e)) | Err(e) => Some(format!("{}: {e}", p.display())),
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Whether the rule fixture at `path` makes one of the rules the loader itself enforces fire
/// (a VPC prefix AWS refuses, a name that is not kebab-case): the blueprint is refused before it
/// is checked, so it is an invalid input like those of `tests/fixtures/invalid/`.
fn refused_at_load(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    cloudwright::blueprint::types::PARSE_RULES
        .iter()
        .any(|rule| name.starts_with(&format!("{}-fires", rule.to_ascii_lowercase())))
}

#[test]
fn the_schema_refuses_the_rule_fixtures_the_loader_refuses() {
    let validator = validator();
    let refused: Vec<PathBuf> = blueprints_in("tests/fixtures/rules")
        .into_iter()
        .filter(|p| refused_at_load(p))
        .collect();
    assert!(refused.len() >= 2, "{refused:?}");
    for path in refused {
        assert!(
            matches!(verdict(&validator, &path), Ok(Some(_))),
            "{} passes the schema",
            path.display()
        );
    }
}

/// The invalid fixtures whose problem is one a JSON Schema states: a type, an enum, a range, a
/// length, a pattern, a required or unknown key, one of several shapes, a list's size or
/// repeats. The others are beyond it, or beyond what it should say: references between
/// components, the address plan (host bits, reserved ranges, fit), rules across fields or
/// components, what a region offers, the text checks (control characters, `${`, bidirectional
/// controls, byte lengths, the tag alphabet, keys differing only in case, sub-cent amounts), and
/// YAML itself (syntax, duplicate keys, the order of keys).
const SCHEMA_REFUSES: &[&str] = &[
    "budget-alert-of",
    "budget-bad-email",
    "budget-bad-sns-arn",
    "budget-duplicate-alert",
    "budget-no-alerts",
    "budget-no-limit",
    "budget-no-subscriber",
    "budget-percent",
    "budget-scope",
    "budget-too-many-emails",
    "budget-two-sns-topics",
    "component-bad-route",
    "component-reserved-name",
    "component-unknown-field",
    "diagnostic-injection",
    "endpoint-service",
    "endpoint-twice",
    "environment-typo",
    "hosts-text",
    "hosts-zero",
    "lake-athena-not-a-toggle",
    "lake-numbers-out-of-range",
    "missing-field",
    "name-case",
    "name-tag",
    "not-a-mapping",
    "pipeline-glue-by-name",
    "pipeline-schedule-expression",
    "region-typo",
    "retention",
    "size-and-hosts",
    "step-two-actions",
    "too-many-tags",
    "unknown-key",
    "vpc-link-local",
    "vpc-loopback",
    "vpc-multicast",
    "vpc-prefix",
];

#[test]
fn the_schema_refuses_exactly_the_invalid_fixtures_it_can_express() {
    let validator = validator();
    let mut refused = Vec::new();
    let mut report = Vec::new();
    for path in blueprints_in("tests/fixtures/invalid") {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        match verdict(&validator, &path) {
            Ok(Some(e)) => {
                report.push(format!("{name}: refused: {e}"));
                refused.push(name);
            }
            Ok(None) => report.push(format!("{name}: accepted")),
            Err(e) => report.push(format!("{name}: not YAML a schema can read: {e}")),
        }
    }
    assert_eq!(refused, SCHEMA_REFUSES, "{report:#?}");
    settings().bind(|| insta::assert_snapshot!("schema.invalid-fixtures", report.join("\n")));
}

/// The environment fixtures a schema refuses: an override holds top-level fields and is a
/// mapping, but what it changes is partial, so the schema cannot check the values themselves
/// (the merged blueprint is checked by the loader, at the override's own lines).
const SCHEMA_REFUSES_ENVIRONMENTS: &[&str] = &["nested", "not-a-mapping"];

#[test]
fn the_schema_refuses_the_environment_fixtures_it_can_express() {
    let validator = validator();
    let refused: Vec<String> = blueprints_in("tests/fixtures/environments")
        .into_iter()
        .filter(|path| matches!(verdict(&validator, path), Ok(Some(_))))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(refused, SCHEMA_REFUSES_ENVIRONMENTS);
}
