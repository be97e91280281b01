//! cloudwright in the tools around it: shell completions, manual pages, `--version`, the
//! pre-commit hooks and the GitHub Actions workflow of the README, each run as a user would.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run, settings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_cloudwright"))
}

/// Runs `script` with bash in `cwd`, the built binary first on PATH as `cloudwright`.
fn bash(cwd: &Path, script: &str) -> (i32, String) {
    let path = format!(
        "{}:{}",
        binary().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-e",
            "-o",
            "pipefail",
            "-c",
            script,
        ])
        .current_dir(cwd)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// The commands `cloudwright --help` lists, from the help text itself.
fn subcommands() -> Vec<String> {
    let help = run(root(), &["--help"]).stdout;
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .expect("--help lists the commands");
    commands
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn version_names_the_embedded_catalog() {
    let r = run(root(), &["--version"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let names: Vec<&str> = cloudwright::blueprint::catalog().map(|(n, _)| n).collect();
    let mut texts = Vec::new();
    for (name, text) in cloudwright::blueprint::catalog() {
        texts.extend_from_slice(name.as_bytes());
        texts.push(0);
        texts.extend_from_slice(text.as_bytes());
        texts.push(0);
    }
    let digest = cloudwright::write::digest(&texts);
    assert_eq!(
        r.stdout,
        format!(
            "cloudwright {}\ncatalog: {} blueprints ({}), sha256 {}\n",
            env!("CARGO_PKG_VERSION"),
            names.len(),
            names.join(", "),
            &digest[..12]
        )
    );
    let short = run(root(), &["-V"]);
    assert_eq!(
        short.stdout,
        format!("cloudwright {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Asks the bash completion function what it offers after `line` (completing its last word).
fn bash_completes(script: &Path, line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split(' ').collect();
    let program = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_cloudwright cloudwright '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let (code, out) = bash(root(), &program);
    assert_eq!(code, 0, "{out}");
    out.lines().map(str::to_string).collect()
}

#[test]
fn bash_completion_offers_commands_options_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("cloudwright.bash");
    let r = run(root(), &["completions", "bash"]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    std::fs::write(&script, &r.stdout).unwrap();
    let (code, out) = bash(root(), &format!("bash -n '{}'", script.display()));
    assert_eq!(code, 0, "the script is valid bash: {out}");

    let commands = bash_completes(&script, "cloudwright ");
    for command in subcommands() {
        assert!(commands.contains(&command), "{command} in {commands:?}");
    }
    assert_eq!(bash_completes(&script, "cloudwright ren"), ["render"]);
    assert!(bash_completes(&script, "cloudwright render --ta").contains(&"--target".to_string()));
    let mut targets = bash_completes(&script, "cloudwright render ha-vpc --target ");
    targets.sort();
    assert_eq!(targets, ["cloudformation", "sam", "terraform"]);
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(root(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.transcript());
        for command in subcommands() {
            assert!(r.stdout.contains(&command), "{shell} completes {command}");
        }
    }
    let r = run(root(), &["completions", "tcsh"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]"),
        "{}",
        r.stderr
    );
}

/// groff's warnings about a page (none for a well-formed one), and the page as `man` shows it,
/// as plain words one space apart. groff is part of the machine image (groff-base), as man-db is.
fn format_page(page: &Path) -> (String, String) {
    let out = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=100n", "-rHY=0", "-P-cbou"])
        .arg(page)
        .output()
        .expect("groff formats manual pages");
    assert!(out.status.success(), "groff formats {}", page.display());
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[test]
fn man_writes_a_well_formed_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let r = run(root(), &["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.transcript());
    let mut expected: Vec<String> = vec!["cloudwright.1".to_string()];
    expected.extend(subcommands().iter().map(|c| format!("cloudwright-{c}.1")));
    for name in &expected {
        let page = out.join(name);
        assert!(
            r.stdout.contains(&format!("created   {}", page.display())),
            "{}",
            r.stdout
        );
        let (warnings, shown) = format_page(&page);
        assert!(warnings.is_empty(), "{name}: {warnings}");
        let title = name.trim_end_matches(".1");
        assert!(
            shown.contains(&format!("NAME {title} - ")),
            "{name}: {shown}"
        );
    }
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    expected.sort();
    assert_eq!(written, expected);

    let (_, render) = format_page(&out.join("cloudwright-render.1"));
    for option in ["--target", "--out-dir", "--check", "--locked", "--diff"] {
        assert!(
            render.contains(option),
            "cloudwright-render(1) documents {option}"
        );
    }
    let (_, top) = format_page(&out.join("cloudwright.1"));
    assert!(top.contains("cloudwright-render(1)"), "{top}");

    let again = run(root(), &["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(again.code, 0);
    assert_eq!(again.stdout.matches("unchanged ").count(), expected.len());

    let printed = run(root(), &["man"]);
    settings().bind(|| insta::assert_snapshot!("ecosystem.man", printed.stdout));
    assert_eq!(
        printed.stdout,
        std::fs::read_to_string(out.join("cloudwright.1")).unwrap()
    );
}

#[test]
fn man_refuses_to_write_into_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::write(&elsewhere, "mine\n").unwrap();
    let out = dir.path().join("man1");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("cloudwright.1")).unwrap();
    let r = run(root(), &["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert!(
        r.stderr.contains("cloudwright.1") && r.stderr.contains("not a regular file"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "mine\n");
}

/// A repository like the README's: `infra/core.yaml` (the valid fixture) rendered as Terraform
/// into `infra/terraform`, its lock file beside it.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        infra.join("core.yaml"),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "render",
            "infra/core.yaml",
            "--target",
            "terraform",
            "--out-dir",
            "infra/terraform",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    dir
}

/// The fenced block of the README in `language` whose first line is `first`.
fn readme_block(language: &str, first: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let fence = format!("```{language}\n{first}\n");
    let start = readme
        .find(&fence)
        .unwrap_or_else(|| panic!("the README has a {language} block starting {first}"));
    let body = &readme[start + fence.len() - first.len() - 1..];
    body[..body.find("\n```").unwrap()].to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} is in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// A blueprint change that makes an error finding: production with one NAT gateway (HA002).
fn break_blueprint(repo: &Path) {
    edit(
        &repo.join("infra/core.yaml"),
        "environment: development",
        "environment: production",
    );
}

/// The steps of the README's workflow, as (name, command), in order.
fn workflow_steps() -> Vec<(String, Option<String>)> {
    let text = readme_block("yaml", "# .github/workflows/infrastructure.yml");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let steps = workflow["jobs"]["cloudwright"]["steps"]
        .as_sequence()
        .expect("the workflow's job has steps");
    steps
        .iter()
        .map(|s| {
            let name = s["name"]
                .as_str()
                .or(s["uses"].as_str())
                .unwrap()
                .to_string();
            (name, s["run"].as_str().map(str::to_string))
        })
        .collect()
}

/// Runs the workflow's `run:` steps in `repo` as GitHub would (bash -e), each whatever the one
/// before did (the README's steps run `if: !cancelled()`), and returns each step's exit code
/// and output. The install step is replaced by the built binary on PATH.
fn run_workflow(repo: &Path) -> Vec<(String, i32, String)> {
    let mut results = Vec::new();
    for (name, command) in workflow_steps() {
        let Some(command) = command else { continue };
        if name == "Install cloudwright" {
            assert!(
                command.starts_with("cargo install --locked --git "),
                "{command}"
            );
            continue;
        }
        let (code, out) = bash(repo, &command);
        results.push((name, code, out));
    }
    results
}

#[test]
fn readme_workflow_passes_on_fresh_code_and_fails_on_stale_code() {
    let names: Vec<String> = workflow_steps().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "actions/checkout@v5",
            "Install cloudwright",
            "Check the blueprint against the guardrails",
            "Upload the findings to code scanning",
            "Fail when the committed code is stale",
        ]
    );
    let repo = repository();
    for (name, code, out) in run_workflow(repo.path()) {
        assert_eq!(code, 0, "{name}: {out}");
    }
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("cloudwright.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "cloudwright");

    // Someone edits the generated code by hand: the last step fails and shows the change.
    edit(
        &repo.path().join("infra/terraform/network.tf"),
        "enable_dns_hostnames = true",
        "enable_dns_hostnames = false",
    );
    let results = run_workflow(repo.path());
    let (_, code, out) = &results[1];
    assert_eq!(*code, 1, "{out}");
    assert!(out.contains("infra/terraform/network.tf"), "{out}");
    assert!(out.contains("-  enable_dns_hostnames = false"), "{out}");

    // A blueprint change with an error finding: the check fails, yet writes the SARIF to upload.
    let repo = repository();
    break_blueprint(repo.path());
    let results = run_workflow(repo.path());
    let (name, code, out) = &results[0];
    assert_eq!(*code, 1, "{name}: {out}");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo.path().join("cloudwright.sarif")).unwrap(),
    )
    .unwrap();
    let results_found = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results_found.iter().any(|r| r["level"] == "error"),
        "{sarif}"
    );
}

/// The hooks of `.pre-commit-hooks.yaml`, by ID: (entry, language, pass_filenames).
fn hooks() -> Vec<(String, String, String, bool)> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    hooks
        .as_sequence()
        .expect("a list of hooks")
        .iter()
        .map(|h| {
            for key in ["id", "name", "entry", "language", "description", "files"] {
                assert!(h[key].as_str().is_some(), "every hook has {key}: {h:?}");
            }
            (
                h["id"].as_str().unwrap().to_string(),
                h["entry"].as_str().unwrap().to_string(),
                h["language"].as_str().unwrap().to_string(),
                h["pass_filenames"].as_bool().unwrap_or(true),
            )
        })
        .collect()
}

/// Runs hook `id` of the README's `.pre-commit-config.yaml` in `repo` as pre-commit would:
/// its entry, then its args (no file names: every hook says `pass_filenames: false`).
fn run_hook(repo: &Path, id: &str) -> (i32, String) {
    let config = readme_block("yaml", "# .pre-commit-config.yaml");
    let config: serde_yaml::Value = serde_yaml::from_str(&config).unwrap();
    let configured = config["repos"][0]["hooks"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|h| h["id"].as_str() == Some(id))
        .unwrap_or_else(|| panic!("the README configures {id}"));
    let (_, entry, _, _) = hooks().into_iter().find(|h| h.0 == id).unwrap();
    let mut words: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
    words.extend(
        configured["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    assert_eq!(words[0], "cloudwright");
    let out = Command::new(binary())
        .args(&words[1..])
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap(), text)
}

#[test]
fn pre_commit_hooks_pass_on_fresh_code_and_fail_on_stale_code() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(ids, ["cloudwright-check", "cloudwright-render-check"]);
    for (id, _, language, pass_filenames) in &hooks {
        assert_eq!(language, "rust", "{id}: pre-commit builds it with cargo");
        assert!(!pass_filenames, "{id} takes its blueprint from args");
    }
    let repo = repository();
    for id in &ids {
        let (code, out) = run_hook(repo.path(), id);
        assert_eq!(code, 0, "{id}: {out}");
    }

    // A lock file that is not committed fails both hooks.
    let lock: PathBuf = repo.path().join("infra/core.lock.yaml");
    std::fs::remove_file(&lock).unwrap();
    for id in &ids {
        let (code, out) = run_hook(repo.path(), id);
        assert_eq!(code, 1, "{id}: {out}");
        assert!(out.contains("infra/core.lock.yaml"), "{id}: {out}");
    }

    let repo = repository();
    edit(
        &repo.path().join("infra/terraform/network.tf"),
        "enable_dns_support   = true",
        "enable_dns_support   = false",
    );
    let (code, out) = run_hook(repo.path(), "cloudwright-render-check");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("infra/terraform/network.tf"), "{out}");
    assert_eq!(run_hook(repo.path(), "cloudwright-check").0, 0);

    break_blueprint(repo.path());
    let (code, out) = run_hook(repo.path(), "cloudwright-check");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("infra/core.yaml:"), "{out}");
}
