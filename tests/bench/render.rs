//! Whole-process benchmark: runs `cloudwright render <catalog blueprint> --target T --out-dir DIR`
//! for every catalog blueprint (`data-platform`, `ecs-rds-web`, `glue-data-lake`, `ha-vpc`,
//! `serverless-api`, `sfn-pipeline`) and every target, and reports median and worst wall time and
//! peak resident memory of the process. Targets: under 10 ms wall and under 20 MiB peak memory
//! per run.
//!
//! Then synthetic blueprints with 10, 100 and 1,000 functions and as many tables (each function
//! reads and writes its table): target under 1 s for 1,000 of each, growing linearly, both for
//! the first write (every file created and synced) and for a render that finds them unchanged.
//!
//! Then the worst inputs: `cloudwright check` on blueprints at the 4 MiB input cap (one padded
//! with comments, one with 100,000 budget email addresses, half of them repeated) and on a 20 MB
//! file the cap refuses, reporting the same figures.
//!
//! Run with `cargo bench --bench render` (release build).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 50;

/// Runs `cloudwright render <blueprint>` for `target`; returns its wall time and peak RSS in KiB.
fn run_once(blueprint: &str, target: &str, out_dir: &std::path::Path) -> (Duration, i64) {
    let mut args: Vec<std::ffi::OsString> = ["render", blueprint, "--target", target, "--out-dir"]
        .iter()
        .map(Into::into)
        .collect();
    args.push(out_dir.into());
    let (elapsed, rss, code) = run(&args);
    assert_eq!(code, 0, "render failed");
    (elapsed, rss)
}

/// Runs `cloudwright ARGS` to completion; returns its wall time, peak RSS in KiB and exit code.
fn run(args: &[std::ffi::OsString]) -> (Duration, i64, i32) {
    let start = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by libc::wait4 below, which also reports its peak memory"
    )]
    let child = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, fully written by wait4 on success.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are valid for the call.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    assert!(libc::WIFEXITED(status), "cloudwright was killed");
    (elapsed, usage.ru_maxrss, libc::WEXITSTATUS(status))
}

/// The valid test blueprint, padded with comment lines to just under the 4 MiB cap.
fn padded_blueprint() -> String {
    let mut text = String::from(
        "name: big\ndescription: A blueprint padded to the input cap\nenvironment: development\nregion: eu-west-1\nnetwork:\n  cidr: 10.20.0.0/16\n  azs: 3\n  tiers:\n    app: { size: /24, internet: none }\n",
    );
    let line = format!("# {}\n", "x".repeat(98));
    while text.len() + line.len() < 4 * 1024 * 1024 {
        text.push_str(&line);
    }
    text
}

/// A budget with 100,000 email addresses (every second one repeated): the duplicate check and
/// the diagnostics at their worst, within the cap.
fn many_emails() -> String {
    let mut text = String::from(
        "name: big\ndescription: d\nenvironment: development\nregion: eu-west-1\nnetwork:\n  cidr: 10.20.0.0/16\n  azs: 2\n  tiers:\n    app: { size: /24, internet: none }\nbudget:\n  monthly_usd: 100\n  alerts: [{ percent: 100, of: actual }]\n  emails:\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("    - u{}@example.com\n", i % 50_000));
    }
    assert!(text.len() < 4 * 1024 * 1024);
    text
}

fn worst_inputs(dir: &std::path::Path) {
    println!();
    println!(
        "{:<28} {:>8} {:>10} {:>10} {:>12}",
        "input (check)", "exit", "median", "worst", "peak RSS"
    );
    let inputs = [
        ("4 MiB, comments", padded_blueprint()),
        ("100,000 budget emails", many_emails()),
        ("20 MB (over the cap)", "#".repeat(20_000_000)),
    ];
    for (name, text) in inputs {
        let path = dir.join("input.yaml");
        std::fs::write(&path, &text).expect("the input is written");
        let args: Vec<std::ffi::OsString> = vec!["check".into(), path.into()];
        let mut times = Vec::new();
        let mut peak = 0;
        let mut code = 0;
        for _ in 0..10 {
            let (t, rss, c) = run(&args);
            times.push(t);
            peak = peak.max(rss);
            code = c;
        }
        times.sort();
        println!(
            "{name:<28} {code:>8} {:>7.1} ms {:>7.1} ms {:>8.1} MiB",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            peak as f64 / 1024.0
        );
    }
}

/// A blueprint with `n` tables and `n` functions, each function reading and writing its table.
fn components(n: usize) -> String {
    let mut text = String::from(
        "name: many\ndescription: Many functions and tables\nenvironment: development\nregion: eu-west-1\ncomponents:\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "  t{i}:\n    kind: table\n    partition: {{ name: id, type: string }}\n  f{i}:\n    kind: function\n    runtime: nodejs\n    uses: {{ t{i}: read-write }}\n"
        ));
    }
    text
}

fn scaling(dir: &std::path::Path) {
    println!();
    println!(
        "{:<44} {:>12} {:>10} {:>10} {:>12}",
        "components (render --target T)", "first write", "median", "worst", "peak RSS"
    );
    for n in [10, 100, 1000] {
        let path = dir.join(format!("many-{n}.yaml"));
        std::fs::write(&path, components(n)).expect("the blueprint is written");
        for target in ["cloudformation", "terraform"] {
            let out = dir.join(format!("many-{n}-{target}"));
            let mut times = Vec::new();
            let mut peak = 0;
            for _ in 0..5 {
                let (t, rss) = run_once(path.to_str().expect("a UTF-8 path"), target, &out);
                times.push(t);
                peak = peak.max(rss);
            }
            // The first run writes every file (and syncs it); the others find them unchanged.
            let first = times[0];
            times.sort();
            println!(
                "{:<44} {:>9.1} ms {:>7.1} ms {:>7.1} ms {:>8.1} MiB",
                format!("{n} functions + {n} tables, {target}"),
                first.as_secs_f64() * 1e3,
                times[times.len() / 2].as_secs_f64() * 1e3,
                times[times.len() - 1].as_secs_f64() * 1e3,
                peak as f64 / 1024.0
            );
        }
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    println!(
        "{:<30} {:>10} {:>10} {:>12}",
        "blueprint, target", "median", "worst", "peak RSS"
    );
    for (blueprint, target) in cloudwright::blueprint::catalog()
        .map(|(name, _)| name)
        .flat_map(|b| ["cloudformation", "sam", "terraform"].map(|t| (b, t)))
    {
        let out = dir.path().join(format!("{blueprint}-{target}"));
        run_once(blueprint, target, &out);
        let mut times = Vec::with_capacity(RUNS);
        let mut peak = 0;
        for _ in 0..RUNS {
            let (t, rss) = run_once(blueprint, target, &out);
            times.push(t);
            peak = peak.max(rss);
        }
        times.sort();
        println!(
            "{:<30} {:>7.2} ms {:>7.2} ms {:>8.1} MiB",
            format!("{blueprint}, {target}"),
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[RUNS - 1].as_secs_f64() * 1e3,
            peak as f64 / 1024.0
        );
    }
    scaling(dir.path());
    worst_inputs(dir.path());
}
