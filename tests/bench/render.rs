//! Whole-process benchmark: runs `cloudwright render ha-vpc --target T --out-dir DIR` for every
//! target and reports median and worst wall time and peak resident memory of the process.
//! Targets: under 10 ms wall and under 20 MiB peak memory per run.
//!
//! Run with `cargo bench --bench render` (release build).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 50;

/// Runs the command to completion; returns its wall time and peak RSS in KiB.
fn run_once(target: &str, out_dir: &std::path::Path) -> (Duration, i64) {
    let start = Instant::now();
    #[expect(
        clippy::zombie_processes,
        reason = "reaped by libc::wait4 below, which also reports its peak memory"
    )]
    let child = Command::new(env!("CARGO_BIN_EXE_cloudwright"))
        .args(["render", "ha-vpc", "--target", target, "--out-dir"])
        .arg(out_dir)
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
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "render failed"
    );
    (elapsed, usage.ru_maxrss)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    println!(
        "{:<15} {:>10} {:>10} {:>12}",
        "target", "median", "worst", "peak RSS"
    );
    for target in ["cloudformation", "sam", "terraform"] {
        let out = dir.path().join(target);
        run_once(target, &out);
        let mut times = Vec::with_capacity(RUNS);
        let mut peak = 0;
        for _ in 0..RUNS {
            let (t, rss) = run_once(target, &out);
            times.push(t);
            peak = peak.max(rss);
        }
        times.sort();
        println!(
            "{target:<15} {:>7.2} ms {:>7.2} ms {:>8.1} MiB",
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[RUNS - 1].as_secs_f64() * 1e3,
            peak as f64 / 1024.0
        );
    }
}
