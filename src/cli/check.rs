//! `cloudwright check`: load, plan and validate; print the findings.

use std::io::{IsTerminal as _, Write as _};

use super::{Failure, load_environments, plan_environment, print};
use crate::blueprint;
use crate::diagnostics::format::{self, Format, Style};
use crate::diagnostics::{Diagnostic, Severity, printable};

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
    /// Check only this environment (one of a blueprint's `environments:`, or the top level's
    /// own); every environment without it.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// How to print findings: one line each, with source snippets, JSON, or SARIF 2.1.0.
    #[arg(long, value_enum, default_value = "concise")]
    format: Format,
    /// Exit 1 when a finding of this severity or above remains.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
    /// Print only the findings: no summary line per blueprint, no timing.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Print how long each blueprint and environment took on stderr, also when stderr is not a
    /// terminal.
    #[arg(long, short)]
    verbose: bool,
}

const AFTER_HELP: &str = "\
Several blueprints are checked one after the other, and one that fails does not stop the \
others; the exit code is the worst of theirs. A directory stands for the blueprints directly in \
it: its *.yaml files, but not lock files (*.lock.yaml) nor files cloudwright generated. With \
several blueprints, JSON is one list and SARIF one run holding the findings of all of them; \
the concise and full formats print each blueprint's summary with its name.

A blueprint with `environments:` is checked in each of them (or only in the one --env names), each with its own lock file and the rules of its kind of environment; a finding in one names its environment. On a terminal, a run of several ends with how long it took on stderr; \
--verbose prints each one's time too, anywhere, and --quiet leaves out the summary lines.

Examples:
  cloudwright check ha-vpc
  cloudwright check network/core.yaml --fail-on warning
  cloudwright check network/core.yaml --env staging
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
    /// How long planning and validating it took.
    took: std::time::Duration,
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

/// What a blueprint that does not get as far as planning found.
fn refused(name: String, arg: &str, failure: Failure) -> Checked {
    match failure {
        Failure::Input(diagnostics) => Checked {
            name,
            source: blueprint::resolve(arg).map(|s| s.text).unwrap_or_default(),
            diagnostics,
            failed: true,
            ..Checked::default()
        },
        Failure::Tool(message) => Checked {
            name,
            unreadable: Some(message),
            ..Checked::default()
        },
        Failure::Silent => Checked {
            name,
            failed: true,
            ..Checked::default()
        },
    }
}

/// Checks `arg` in each environment it is to be checked in: one result each. One of `several`
/// blueprints without the environment --env names is passed over with a note.
fn check_one(arg: &str, args: &Args, threshold: Severity, several: bool) -> Vec<Checked> {
    let (base, envs) = match load_environments(arg, args.env.as_deref()) {
        Ok(loaded) => loaded,
        Err(failure) => return vec![refused(arg.to_string(), arg, failure)],
    };
    if let (true, Some(env)) = (envs.is_empty(), args.env.as_deref()) {
        if several {
            super::skip_without_environment(arg, env, args.quiet);
            return Vec::new();
        }
        return vec![refused(
            arg.to_string(),
            arg,
            super::no_such_environment(&base, env),
        )];
    }
    let several = base.environment_names().len() > 1;
    envs.iter()
        .map(|env| {
            let started = std::time::Instant::now();
            let name = if several {
                format!("{arg} ({env})")
            } else {
                arg.to_string()
            };
            let checked = match plan_environment(&base, env, args.locked, false) {
                Ok(planned) => {
                    let outcome = super::findings(&planned);
                    Checked {
                        name,
                        source: planned.doc.source.text.clone(),
                        failed: outcome.fails(threshold),
                        diagnostics: outcome.diagnostics,
                        suppressed: outcome.suppressed,
                        ..Checked::default()
                    }
                }
                Err(Failure::Input(diagnostics)) => Checked {
                    name,
                    source: base.source.text.clone(),
                    diagnostics,
                    failed: true,
                    ..Checked::default()
                },
                Err(other) => refused(name, arg, other),
            };
            Checked {
                took: started.elapsed(),
                ..checked
            }
        })
        .collect()
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let style = Style::detect();
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let started = std::time::Instant::now();
    let names = super::expand_blueprints(&args.blueprint, args.quiet)?;
    let checks: Vec<Vec<Checked>> = names
        .iter()
        .map(|name| check_one(name, args, threshold, names.len() > 1))
        .collect();
    let total = checks.iter().map(Vec::len).sum::<usize>();
    let several = total > 1;
    let timing = !args.quiet && (args.verbose || (several && std::io::stderr().is_terminal()));
    let mut results = Vec::with_capacity(checks.len());
    for checked in checks.into_iter().flatten() {
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
            if !args.quiet {
                if several {
                    text.push_str(&format!("{}: ", printable(&checked.name)));
                }
                text.push_str(&summary(&checked.diagnostics, checked.suppressed));
            }
            print(&text)?;
        }
        if args.verbose {
            let _ = writeln!(
                std::io::stderr(),
                "{}: checked in {} ms",
                printable(&checked.name),
                checked.took.as_millis()
            );
        }
        results.push(checked);
    }
    if timing {
        let _ = writeln!(
            std::io::stderr(),
            "checked {total} blueprint environment{} in {} ms",
            if total == 1 { "" } else { "s" },
            started.elapsed().as_millis()
        );
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
