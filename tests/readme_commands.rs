//! The README's walkthroughs, run as written: each `$ ` line of a console block is a command,
//! run by `sh` in a fresh directory with the built binary first on `PATH`, and must succeed and
//! print what the block shows after it (`...` standing for lines left out). `cargo install` is
//! run by tests/run.sh, which installs the binary and renders with it from an empty directory.

use std::path::Path;
use std::process::Command;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The body of the first fenced block of `language` after the heading `heading`.
fn block(heading: &str, language: &str) -> String {
    let text = readme();
    let at = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has the heading {heading}"));
    let fence = format!("```{language}\n");
    let start = at + text[at..].find(&fence).expect("a block under the heading") + fence.len();
    let end = start + text[start..].find("```\n").unwrap();
    text[start..end].to_string()
}

/// The commands of a console block, each with the lines it shows.
fn commands(block: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ ") {
            Some(command) => out.push((command.to_string(), Vec::new())),
            None => out
                .last_mut()
                .expect("a console block starts with a command")
                .1
                .push(line.to_string()),
        }
    }
    out
}

/// Whether `actual` is what `shown` shows: its lines in order, each run of them contiguous, and
/// `...` standing for any lines (none included). Without `...` at the start or the end, the
/// first and last lines must be the output's own.
fn shows(shown: &[String], actual: &[&str]) -> bool {
    let segments: Vec<&[String]> = shown.split(|l| l == "...").collect();
    let matches = |at: usize, seg: &[String]| {
        seg.len() <= actual.len().saturating_sub(at)
            && seg.iter().zip(&actual[at..]).all(|(a, b)| a == b)
    };
    let last = segments.len() - 1;
    if segments.len() == 1 {
        return shown.len() == actual.len() && matches(0, segments[0]);
    }
    let mut at = 0;
    for (i, seg) in segments.iter().enumerate() {
        if i == 0 {
            if !matches(0, seg) {
                return false;
            }
            at = seg.len();
        } else if i == last {
            let from = actual.len().saturating_sub(seg.len());
            return from >= at && matches(from, seg);
        } else {
            match (at..=actual.len()).find(|&k| matches(k, seg)) {
                Some(k) => at = k + seg.len(),
                None => return false,
            }
        }
    }
    true
}

fn run_block(dir: &Path, block: &str) {
    let bin = Path::new(env!("CARGO_BIN_EXE_cloudwright"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, shown) in commands(block) {
        if command.starts_with("cargo install") {
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{command} 2>&1"))
            .current_dir(dir)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "$ {command}\n{text}");
        let actual: Vec<&str> = text.lines().collect();
        assert!(
            shows(&shown, &actual),
            "$ {command}\nthe README shows:\n{}\nit prints:\n{text}",
            shown.join("\n")
        );
    }
}

#[test]
fn the_walkthrough_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let block = block("## From install to CI", "console");
    assert!(commands(&block).len() >= 8);
    run_block(dir.path(), &block);
    assert!(dir.path().join("network/core.lock.yaml").exists());
    let template = std::fs::read_to_string(dir.path().join("template.yaml")).unwrap();
    assert!(template.contains("AWSTemplateFormatVersion"));
}

#[test]
fn the_environments_example_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = block("## Environments", "yaml");
    let file = yaml.lines().next().unwrap().trim_start_matches("# ");
    std::fs::create_dir_all(dir.path().join("network")).unwrap();
    std::fs::write(dir.path().join(file), &yaml).unwrap();
    run_block(dir.path(), &block("## Environments", "console"));
    for env in ["production", "staging", "development"] {
        let tf = dir
            .path()
            .join(format!("infra/shop/{env}/terraform/network.tf"));
        assert!(tf.exists(), "{}", tf.display());
    }
    assert!(
        dir.path()
            .join("network/shop.lock.development.yaml")
            .exists()
    );
}

#[test]
fn the_matcher_takes_what_it_should_and_nothing_else() {
    let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert!(shows(&s(&["a", "b"]), &["a", "b"]));
    assert!(!shows(&s(&["a", "b"]), &["a", "b", "c"]));
    assert!(!shows(&s(&["a"]), &["b"]));
    assert!(shows(&s(&["a", "...", "c"]), &["a", "b", "b", "c"]));
    assert!(shows(
        &s(&["a", "...", "c", "...", "e"]),
        &["a", "c", "d", "e"]
    ));
    assert!(!shows(&s(&["a", "...", "c"]), &["a", "c", "d"]));
    assert!(shows(&s(&["a", "..."]), &["a", "z"]));
    assert!(!shows(&s(&["...", "x", "..."]), &["a", "b"]));
    assert!(shows(&s(&[]), &[]));
    assert!(!shows(&s(&[]), &["noise"]));
}
