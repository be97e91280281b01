//! `cloudwright check`: load, plan and validate; print the findings.

use std::io::Write as _;

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

/// Check blueprints against every guardrail rule and print the findings.
///
/// Findings covered by a suppression in the blueprint are not shown; suppressions that match
/// nothing are warnings. `check` writes nothing, not even the lock file.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Blueprint files, directories of them, or names of catalog blueprints (see
    /// `cloudwright list`).
    #[arg(value_hint = clap::ValueHint::AnyPath, required = true, num_args = 1..)]
    blueprint: Vec<String>,
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

const AFTER_HELP: &str = "\
Several blueprints are checked one after the other, and one that fails does not stop the \
others; the exit code is the worst of theirs. A directory stands for the blueprints directly in \
it: its *.yaml files, but not lock files (*.lock.yaml) nor files cloudwright generated. With \
several blueprints, JSON is one list and SARIF one run holding the findings of all of them; \
the concise and full formats print each blueprint's summary with its name.

Examples:
  cloudwright check ha-vpc
  cloudwright check network/core.yaml --fail-on warning
  cloudwright check infra/ --locked --format sarif > cloudwright.sarif";

fn summary(diagnostics: &[Diagnostic], suppressed: usize) -> String {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    format!(
        "{errors} error{}, {warnings} warning{}, {suppressed} suppressed\n",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    )
}

/// What checking one blueprint found.
#[derive(Default)]
struct Checked {
    name: String,
    source: String,
    diagnostics: Vec<Diagnostic>,
    suppressed: usize,
    /// A finding at the failing severity remains, or the blueprint does not load.
    failed: bool,
    /// Why the blueprint could not be read at all.
    unreadable: Option<String>,
}

impl Checked {
    /// The exit code it calls for: 2 when it could not be read, 1 when it failed, else 0.
    fn code(&self) -> u8 {
        match (&self.unreadable, self.failed) {
            (Some(_), _) => 2,
            (None, true) => 1,
            (None, false) => 0,
        }
    }
}

/// The blueprints `args` name: a directory stands for the blueprints directly in it.
fn blueprints(args: &[String]) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for arg in args {
        let path = std::path::Path::new(arg);
        if !path.is_dir() {
            out.push(arg.clone());
            continue;
        }
        let listing = std::fs::read_dir(path)
            .map_err(|e| Failure::Tool(format!("cannot list {arg}: {e}")))?;
        let mut found: Vec<String> = Vec::new();
        for entry in listing.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if !is_file
                || name.starts_with('.')
                || !name.ends_with(".yaml")
                || name.ends_with(".lock.yaml")
                || crate::write::is_generated(&entry.path())
            {
                continue;
            }
            found.push(entry.path().to_string_lossy().into_owned());
        }
        if found.is_empty() {
            return Err(Failure::Tool(format!(
                "{arg} holds no blueprint (no *.yaml file that is not a lock file or generated)"
            )));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

fn check_one(arg: &str, args: &Args, threshold: Severity) -> Checked {
    let name = arg.to_string();
    let planned = match load_and_plan(arg, args.locked, false) {
        Ok(p) => p,
        Err(Failure::Input(diagnostics)) => {
            return Checked {
                name,
                source: blueprint::resolve(arg).map(|s| s.text).unwrap_or_default(),
                diagnostics,
                failed: true,
                ..Checked::default()
            };
        }
        Err(Failure::Tool(message)) => {
            return Checked {
                name,
                unreadable: Some(message),
                ..Checked::default()
            };
        }
        Err(Failure::Silent) => {
            return Checked {
                name,
                failed: true,
                ..Checked::default()
            };
        }
    };
    let outcome = validate::run(&planned.doc, &planned.plan);
    Checked {
        name,
        source: planned.doc.source.text.clone(),
        failed: outcome.fails(threshold),
        diagnostics: outcome.diagnostics,
        suppressed: outcome.suppressed,
        unreadable: None,
    }
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let style = Style::detect();
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let names = blueprints(&args.blueprint)?;
    let several = names.len() > 1;
    let mut results = Vec::with_capacity(names.len());
    for name in &names {
        let checked = check_one(name, args, threshold);
        if let Some(message) = &checked.unreadable {
            if !several {
                return Err(Failure::Tool(message.clone()));
            }
            let _ = writeln!(std::io::stderr(), "error: {message}");
        }
        // The line formats print as they go; JSON and SARIF are one document at the end.
        if matches!(args.format, Format::Concise | Format::Full) && checked.unreadable.is_none() {
            let mut text =
                format::render(&checked.diagnostics, args.format, &checked.source, style);
            if several {
                text.push_str(&format!("{}: ", checked.name));
            }
            text.push_str(&summary(&checked.diagnostics, checked.suppressed));
            print(&text)?;
        }
        results.push(checked);
    }
    if matches!(args.format, Format::Json | Format::Sarif) {
        let all: Vec<Diagnostic> = results
            .iter()
            .flat_map(|c| c.diagnostics.iter().cloned())
            .collect();
        print(&format::render(&all, args.format, "", style))?;
    }
    match results.iter().map(Checked::code).max().unwrap_or(0) {
        0 => Ok(()),
        1 => Err(Failure::Silent),
        _ => Err(Failure::Tool(format!(
            "{} of {} blueprints could not be read",
            results.iter().filter(|c| c.unreadable.is_some()).count(),
            results.len()
        ))),
    }
}
