//! `cloudwright check`: load, plan and validate; print the findings.

use super::{Failure, load_and_plan, print};
use crate::diagnostics::Severity;
use crate::validate;

/// The lowest severity that makes `check` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

/// Check a blueprint against every guardrail rule and print the findings.
///
/// Findings covered by a suppression in the blueprint are not shown; suppressions that match
/// nothing are warnings.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  cloudwright check ha-vpc\n  cloudwright check network/core.yaml --fail-on warning"
)]
pub struct Args {
    /// A blueprint file, or the name of a catalog blueprint (see `cloudwright list`).
    blueprint: String,
    /// Exit 1 when a finding of this severity or above remains.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let planned = load_and_plan(&args.blueprint, args.locked)?;
    let outcome = validate::run(&planned.doc, &planned.plan);
    let mut text: String = outcome
        .diagnostics
        .iter()
        .map(|d| format!("{d}\n"))
        .collect();
    let count = |s| {
        outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    text.push_str(&format!(
        "{errors} error{}, {warnings} warning{}, {} suppressed\n",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
        outcome.suppressed
    ));
    print(&text)?;
    super::save_lock(planned.lock_update)?;
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if outcome.fails(threshold) {
        return Err(Failure::Silent);
    }
    Ok(())
}
