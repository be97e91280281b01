//! `cloudwright check`: load, plan and validate; print the findings.

use super::{Failure, load_and_plan, print};
use crate::blueprint;
use crate::diagnostics::format::{self, Format, Style};
use crate::diagnostics::{Diagnostic, Severity};
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
/// nothing are warnings. `check` writes nothing, not even the lock file.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  cloudwright check ha-vpc\n  cloudwright check network/core.yaml --fail-on warning\n  cloudwright check network/core.yaml --format sarif > cloudwright.sarif"
)]
pub struct Args {
    /// A blueprint file, or the name of a catalog blueprint (see `cloudwright list`).
    #[arg(value_hint = clap::ValueHint::FilePath)]
    blueprint: String,
    /// How to print findings: one line each, with source snippets, JSON, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value = "concise")]
    format: Format,
    /// Exit 1 when a finding of this severity or above remains.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
}

fn summary(diagnostics: &[Diagnostic], suppressed: usize) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    format!(
        "{errors} error{}, {warnings} warning{}, {suppressed} suppressed\n",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    )
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let style = Style::detect();
    let show = |diagnostics: &[Diagnostic], source: &str, suppressed: usize| {
        let mut text = format::render(diagnostics, args.format, source, style);
        if matches!(args.format, Format::Concise | Format::Full) {
            text.push_str(&summary(diagnostics, suppressed));
        }
        print(&text)
    };
    let planned = match load_and_plan(&args.blueprint, args.locked, false) {
        Ok(p) => p,
        Err(Failure::Input(diagnostics)) => {
            let source = blueprint::resolve(&args.blueprint)
                .map(|s| s.text)
                .unwrap_or_default();
            show(&diagnostics, &source, 0)?;
            return Err(Failure::Silent);
        }
        Err(other) => return Err(other),
    };
    let outcome = validate::run(&planned.doc, &planned.plan);
    show(
        &outcome.diagnostics,
        &planned.doc.source.text,
        outcome.suppressed,
    )?;
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if outcome.fails(threshold) {
        return Err(Failure::Silent);
    }
    Ok(())
}
