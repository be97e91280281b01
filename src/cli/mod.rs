//! The command line: a thin layer over the library. One file per subcommand.

mod check;
mod environments;
mod list;
mod new;
mod plan;
mod render;
mod rules;
mod schema;
mod shell;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::blueprint::{self, Document};
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::plan::{Plan, lock};
use crate::validate;
use environments::{
    load_and_plan, load_environments, no_such_environment, plan_environment,
    skip_without_environment,
};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the input has problems (an invalid blueprint, a plan that does not fit, a finding at or
     above the failing severity, a lock file that would change under --locked, files that
     differ under `render --check`)
  2  cloudwright could not do its job (a file it cannot read or write, a file it refuses to
     overwrite, bad arguments, an internal error)";

/// Turns short YAML blueprints of AWS architectures into reviewed CloudFormation, SAM or
/// Terraform.
#[derive(Debug, Parser)]
#[command(name = "cloudwright", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    List(list::Args),
    New(new::Args),
    Plan(plan::Args),
    Check(check::Args),
    Render(render::Args),
    Rules(rules::RulesArgs),
    Explain(rules::ExplainArgs),
    Schema(schema::Args),
    Completions(shell::CompletionsArgs),
    Man(shell::ManArgs),
}

/// The command line as clap sees it, with the `--version` text that names the embedded catalog.
fn command() -> clap::Command {
    Cli::command().long_version(long_version())
}

/// What `cloudwright --version` prints after the name: the version, and which catalog this
/// binary embeds (its blueprints and a digest of their text), so a CI log says exactly what
/// generated the code.
fn long_version() -> String {
    let names: Vec<&str> = blueprint::catalog().map(|(name, _)| name).collect();
    let mut texts = Vec::new();
    for (name, text) in blueprint::catalog() {
        texts.extend_from_slice(name.as_bytes());
        texts.push(0);
        texts.extend_from_slice(text.as_bytes());
        texts.push(0);
    }
    let digest = crate::write::digest(&texts);
    format!(
        "{}\ncatalog: {} blueprints ({}), sha256 {}",
        env!("CARGO_PKG_VERSION"),
        names.len(),
        names.join(", "),
        &digest[..12]
    )
}

/// Why a command failed, and so its exit code.
pub enum Failure {
    /// The input has problems: exit 1.
    Input(Vec<Diagnostic>),
    /// The tool could not do its job: exit 2.
    Tool(String),
    /// The input has problems the command has already reported: exit 1.
    Silent,
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Self {
        Failure::Input(d)
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure::Input(vec![d])
    }
}

impl From<Box<Diagnostic>> for Failure {
    fn from(d: Box<Diagnostic>) -> Self {
        Failure::Input(vec![*d])
    }
}

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    let cli = match command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches))
    {
        Ok(cli) => cli,
        Err(e) => {
            let printed = e.print().and_then(|()| std::io::stdout().flush());
            return match printed {
                // `--help` or `--version` that could not be written (`>/dev/full`) failed.
                Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(2),
                _ if e.use_stderr() => ExitCode::from(2),
                _ => ExitCode::SUCCESS,
            };
        }
    };
    let result = match cli.command {
        Command::List(args) => list::run(&args),
        Command::New(args) => new::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Rules(args) => rules::rules(&args),
        Command::Explain(args) => rules::explain(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Completions(args) => shell::completions(&args),
        Command::Man(args) => shell::man(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(report(failure, None)),
    }
}

/// Prints why a command failed on stderr, for one of several blueprints when `label` names it,
/// and returns the exit code it calls for: 1 for problems in the input, 2 when the tool could not
/// do its job.
fn report(failure: Failure, label: Option<&str>) -> u8 {
    let mut err = std::io::stderr().lock();
    let of = label.map_or_else(String::new, |l| format!("{}: ", diagnostics::printable(l)));
    match failure {
        Failure::Input(diagnostics) => {
            for d in &diagnostics {
                let _ = writeln!(err, "{d}");
            }
            let n = diagnostics.len();
            let _ = writeln!(
                err,
                "{of}{n} problem{} found",
                if n == 1 { "" } else { "s" }
            );
            1
        }
        Failure::Silent => 1,
        Failure::Tool(message) => {
            let _ = writeln!(err, "error: {of}{message}");
            2
        }
    }
}

/// A path as a terminal or CI log may show it: its control characters and line breaks escaped,
/// as [`diagnostics::printable`] does for every diagnostic.
fn shown(path: &Path) -> String {
    diagnostics::printable(&path.display().to_string())
}

/// Prints to stdout; a closed pipe (`cloudwright ... | head`) is not an error.
fn print(text: &str) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Tool(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// A loaded, planned blueprint, and the lock file text to write when the plan changed it.
struct Planned {
    doc: Document,
    /// The environment, when the blueprint has several: its findings name it.
    environment: Option<String>,
    /// Warnings about the blueprint's files rather than its fields (a lock file left by an
    /// environment that is gone), given with the top level's findings.
    notes: Vec<Diagnostic>,
    plan: Plan,
    lock_update: Option<(PathBuf, String)>,
    /// How many retired ranges `--reclaim` dropped.
    reclaimed: usize,
}

/// The blueprints `args` name: a directory stands for the blueprints directly in it.
///
/// Among several, a lock file the shell listed is passed over, with a note on stderr unless
/// `quiet`.
fn expand_blueprints(args: &[String], quiet: bool) -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    for arg in args {
        let path = std::path::Path::new(arg);
        if !path.is_dir() {
            // `render infra/*.yaml`: the shell lists the lock files beside the blueprints.
            let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if args.len() > 1 && file_name.is_some_and(|n| lock::is_lock_file(&n)) && path.is_file()
            {
                if !quiet {
                    let _ = writeln!(
                        std::io::stderr(),
                        "skipping {}: a lock file, not a blueprint",
                        diagnostics::printable(arg)
                    );
                }
                continue;
            }
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
                || lock::is_lock_file(&name)
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

/// Loads, plans and validates `arg` in environment `env` (its own without). Warnings go to
/// stderr; an unsuppressed error stops here, so nothing is rendered or written while one remains.
fn load_plan_and_validate(
    arg: &str,
    env: Option<&str>,
    locked: bool,
    reclaim: bool,
) -> Result<(Planned, validate::Outcome), Failure> {
    let planned = load_and_plan(arg, env, locked, reclaim)?;
    let outcome = validate(&planned, true)?;
    Ok((planned, outcome))
}

/// Validates a planned blueprint: an unsuppressed error fails; the warnings go to stderr when
/// `warn` says so.
fn validate(planned: &Planned, warn: bool) -> Result<validate::Outcome, Failure> {
    let outcome = findings(planned);
    if outcome.fails(Severity::Error) {
        return Err(Failure::Input(outcome.diagnostics));
    }
    if warn {
        let mut err = std::io::stderr().lock();
        for d in &outcome.diagnostics {
            let _ = writeln!(err, "{d}");
        }
    }
    Ok(outcome)
}

/// What validating a planned blueprint finds, each finding naming its environment when the
/// blueprint has several, and the notes about its files after them.
fn findings(planned: &Planned) -> validate::Outcome {
    let mut outcome = validate::run(&planned.doc, &planned.plan);
    outcome.diagnostics = in_environment(planned.environment.as_deref(), outcome.diagnostics);
    outcome.diagnostics.extend(planned.notes.iter().cloned());
    outcome
}

/// `diagnostics`, each naming environment `env` when there is one to name.
fn in_environment(env: Option<&str>, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if let Some(env) = env {
        for d in &mut diagnostics {
            d.message = format!("in environment `{env}`: {}", d.message);
        }
    }
    diagnostics
}

/// Refuses a lock file that is a symbolic link: writing replaces the file, so the link would
/// silently become a regular file and its target would go stale.
fn check_lock_is_regular(path: &Path) -> Result<(), Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Failure::Tool(format!(
            "the lock file {} is a symbolic link, and cloudwright replaces only regular files; copy what it links to in its place, or remove it",
            shown(path)
        ))),
        _ => Ok(()),
    }
}

/// Writes the lock file if the plan changed it, and says so on stderr when `announce` says so.
fn save_lock(planned: &Planned, announce: bool) -> Result<(), Failure> {
    if let Some((path, text)) = &planned.lock_update {
        check_lock_is_regular(path)?;
        let status =
            crate::write::write_file(path, text).map_err(|e| Failure::Tool(e.to_string()))?;
        let reclaimed = match planned.reclaimed {
            0 => String::new(),
            1 => " (1 retired range reclaimed)".to_string(),
            n => format!(" ({n} retired ranges reclaimed)"),
        };
        if !announce {
            return Ok(());
        }
        let _ = writeln!(
            std::io::stderr(),
            "lock file {}: {}{reclaimed}",
            shown(path),
            status.as_str()
        );
    }
    Ok(())
}

/// The help of `--reclaim`, shared by `plan` and `render`.
const RECLAIM_HELP: &str = "Allocate the retired ranges again: drop every tombstone the lock file records. \
A subnet that leaves the blueprint keeps its range retired, so that no new subnet takes it while \
the old one still exists (CloudFormation creates new subnets before it deletes old ones). Use it \
once the old subnets are gone from AWS.";
