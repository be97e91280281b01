//! `cloudwright new`: scaffolding a blueprint from the catalog, without a terminal (CI, pipes,
//! `--no-input`) and on one (through `script`, which gives the command a pseudo-terminal).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{run, settings};

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn catalog_text(name: &str) -> &'static str {
    cloudwright::blueprint::catalog()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

/// The line every blueprint `new` writes first: the YAML language server's schema modeline.
const MODELINE: &str = "# yaml-language-server: $schema=cloudwright.schema.json\n";

/// The schema `cloudwright schema` prints, as committed.
fn schema() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("blueprints/cloudwright.schema.json"),
    )
    .unwrap()
}

#[test]
fn defaults_without_a_terminal_copy_the_catalog_blueprint() {
    for (name, text) in cloudwright::blueprint::catalog() {
        let dir = tempfile::tempdir().unwrap();
        let r = run(dir.path(), &["new", name]);
        assert_eq!(r.code, 0, "{name}: {}", r.transcript());
        let own = text.lines().find_map(|l| l.strip_prefix("name: ")).unwrap();
        let file = format!("{own}.yaml");
        let mut expected = vec![file.clone(), "cloudwright.schema.json".to_string()];
        expected.sort();
        assert_eq!(files(dir.path()), expected, "{name}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(&file)).unwrap(),
            format!("{MODELINE}{text}"),
            "{name}: with no values given, the file is the catalog blueprint after the modeline"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("cloudwright.schema.json")).unwrap(),
            schema()
        );
        let check = run(dir.path(), &["check", &file]);
        assert_eq!(check.code, 0, "{name}: {}", check.transcript());
    }
}

#[test]
fn given_values_replace_the_catalogs_and_the_result_renders() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        &[
            "new",
            "serverless-api",
            "--name",
            "orders-api",
            "--region",
            "eu-north-1",
            "--environment",
            "staging",
            "-o",
            "infra/orders.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    settings().bind(|| insta::assert_snapshot!("cli.new", r.transcript()));
    let written = std::fs::read_to_string(dir.path().join("infra/orders.yaml")).unwrap();
    let expected = format!("{MODELINE}{}", catalog_text("serverless-api"))
        .replace("name: users-api\n", "name: orders-api\n")
        .replace("region: us-east-1\n", "region: eu-north-1\n")
        .replace("environment: production\n", "environment: staging\n");
    assert_eq!(written, expected);
    let render = run(
        dir.path(),
        &[
            "render",
            "infra/orders.yaml",
            "--target",
            "terraform",
            "--out-dir",
            "infra/terraform",
        ],
    );
    assert_eq!(render.code, 0, "{}", render.transcript());
    let providers =
        std::fs::read_to_string(dir.path().join("infra/terraform/providers.tf")).unwrap();
    assert!(providers.contains("eu-north-1"), "{providers}");
}

#[test]
fn china_budgets_are_written_in_yuan() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["new", "ha-vpc", "--region", "cn-north-1"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let written = std::fs::read_to_string(dir.path().join("ha-vpc.yaml")).unwrap();
    assert!(!written.contains("monthly_usd"), "{written}");
    assert!(
        written.contains(
            "  monthly_cny: 21000 # the catalog's 3000 USD at about 7 yuan to the dollar: set your own limit\n"
        ),
        "{written}"
    );
    assert_eq!(run(dir.path(), &["check", "ha-vpc.yaml"]).code, 0);
}

#[test]
fn every_catalog_blueprint_in_every_environment_and_partition_passes_check_or_is_refused() {
    let mut refused = Vec::new();
    for (name, _) in cloudwright::blueprint::catalog() {
        for environment in ["production", "staging", "development"] {
            for region in ["us-east-1", "eu-north-1", "cn-northwest-1", "us-gov-west-1"] {
                let dir = tempfile::tempdir().unwrap();
                let args = [
                    "new",
                    name,
                    "--environment",
                    environment,
                    "--region",
                    region,
                    "-o",
                    "bp.yaml",
                ];
                let r = run(dir.path(), &args);
                match r.code {
                    0 => {
                        let check = run(dir.path(), &["check", "bp.yaml"]);
                        assert_eq!(check.code, 0, "{args:?}: {}", check.transcript());
                    }
                    1 => {
                        assert!(files(dir.path()).is_empty(), "{args:?}: nothing written");
                        assert!(
                            r.stderr.starts_with(
                                "bp.yaml was not written: as written, it would not pass `cloudwright check`\nbp.yaml:"
                            ),
                            "{args:?}: {}",
                            r.stderr
                        );
                        assert!(r.stderr.contains("\n  help: "), "{}", r.stderr);
                        refused.push(format!("{name} {environment} {region}"));
                    }
                    _ => panic!("{args:?}: {}", r.transcript()),
                }
            }
        }
    }
    // Cognito has no user pools in AWS China: the users API cannot sign users in there.
    assert_eq!(
        refused,
        [
            "serverless-api production cn-northwest-1",
            "serverless-api staging cn-northwest-1",
            "serverless-api development cn-northwest-1",
        ]
    );
}

#[test]
fn new_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ha-vpc.yaml"), "mine\n").unwrap();
    let r = run(dir.path(), &["new", "ha-vpc"]);
    assert!(r.stdout.is_empty(), "{}", r.transcript());
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert_eq!(
        r.stderr,
        "error: ha-vpc.yaml already exists, and `cloudwright new` never overwrites a file; choose another with --output, or move it away\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ha-vpc.yaml")).unwrap(),
        "mine\n"
    );

    // Nor through a link, even one to nothing.
    std::os::unix::fs::symlink("nowhere.yaml", dir.path().join("link.yaml")).unwrap();
    let r = run(dir.path(), &["new", "ha-vpc", "-o", "link.yaml"]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert_eq!(files(dir.path()), ["ha-vpc.yaml", "link.yaml"]);
}

#[test]
fn bad_values_are_refused_and_nothing_is_written() {
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &["new", "ha-vcp"],
            2,
            "error: `ha-vcp` is not a blueprint of the catalog; did you mean `ha-vpc`?\n",
        ),
        (
            &["new", "ha-vpc", "--name", "Core_Network"],
            2,
            "error: the name `Core_Network` may hold only lowercase letters, digits and hyphens\n",
        ),
        (
            &["new", "ha-vpc", "--name", "core\ntransform: x"],
            2,
            "error: the name `core\\u{000A}transform: x` may hold only lowercase letters, digits and hyphens\n",
        ),
        (
            &["new", "ha-vpc", "--region", "eu-wset-1", "-o", "core.yaml"],
            1,
            "core.yaml was not written: as written, it would not pass `cloudwright check`\ncore.yaml:6:9: error: region: `eu-wset-1` is not an AWS region\n  help: did you mean `eu-west-1`?\n1 problem found\n",
        ),
        (
            &["new", "ha-vpc", "--environment", "prod", "-o", "core.yaml"],
            1,
            "core.yaml was not written: as written, it would not pass `cloudwright check`\ncore.yaml:5:14: error: environment: unknown variant `prod`, expected one of `production`, `staging`, `development`\n  help: did you mean `production`?\n1 problem found\n",
        ),
    ];
    for (args, code, stderr) in cases {
        let dir = tempfile::tempdir().unwrap();
        let r = run(dir.path(), args);
        assert_eq!(r.code, code, "{args:?}: {}", r.transcript());
        assert_eq!(r.stderr, stderr, "{args:?}");
        assert!(files(dir.path()).is_empty(), "{args:?}: nothing written");
    }
}

/// Runs `cloudwright ARGS` on a pseudo-terminal (util-linux `script`, part of the machine
/// image), typing `input`; returns the exit code and everything the terminal showed.
fn on_terminal(cwd: &Path, args: &str, input: &str) -> (i32, String) {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_cloudwright"));
    let mut child = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs a command on a pseudo-terminal");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        // One answer at a time, as a person types: the terminal would drop what is typed
        // before the program reads.
        for line in input.split_inclusive('\n') {
            std::thread::sleep(std::time::Duration::from_millis(150));
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
    )
}

#[test]
fn on_a_terminal_it_asks_for_what_was_not_given_and_asks_again_when_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (code, screen) = on_terminal(
        dir.path(),
        "new ha-vpc --environment staging",
        "core\nmars-1\neu-west-1\n\n",
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("name [ha-vpc]: "), "{screen}");
    assert!(screen.contains("region [us-east-1]: "), "{screen}");
    assert!(
        screen.contains("  `mars-1` is not an AWS region (use a region code such as `us-east-1` or `eu-west-1`)\n"),
        "{screen}"
    );
    assert!(
        !screen.contains("environment (production"),
        "a value given is not asked for: {screen}"
    );
    assert!(screen.contains("file [core.yaml]: "), "{screen}");
    let written = std::fs::read_to_string(dir.path().join("core.yaml")).unwrap();
    assert!(written.contains("\nname: core\n"), "{written}");
    assert!(written.contains("\nregion: eu-west-1\n"), "{written}");
    assert!(written.contains("\nenvironment: staging\n"), "{written}");
    assert_eq!(run(dir.path(), &["check", "core.yaml"]).code, 0);
}

#[test]
fn no_input_takes_the_defaults_even_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (code, screen) = on_terminal(dir.path(), "new sfn-pipeline --no-input", "");
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains("]: "), "nothing asked: {screen}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("daily-etl.yaml")).unwrap(),
        format!("{MODELINE}{}", catalog_text("sfn-pipeline"))
    );
}

#[test]
fn the_blueprint_passes_the_schema_its_modeline_names() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        &["new", "data-platform", "-o", "infra/platform.yaml"],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    let text = std::fs::read_to_string(dir.path().join("infra/platform.yaml")).unwrap();
    let named = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# yaml-language-server: $schema="))
        .expect("the first line is the modeline");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("infra").join(named)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn another_versions_schema_beside_it_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cloudwright.schema.json"), "{}\n").unwrap();
    let r = run(dir.path(), &["new", "ha-vpc"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stdout.contains("note: ./cloudwright.schema.json is another version's schema; `cloudwright schema -o ./cloudwright.schema.json` brings it up to date\n"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cloudwright.schema.json")).unwrap(),
        "{}\n"
    );
}
