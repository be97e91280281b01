//! The command line: a thin layer over the library. One file per subcommand.

mod check;
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

use ipnet::Ipv4Net;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::blueprint::{self, Document, Origin};
use crate::diagnostics::{Diagnostic, Severity};
use crate::plan::{Plan, lock};
use crate::validate;

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
        Err(Failure::Input(diagnostics)) => {
            let mut err = std::io::stderr().lock();
            for d in &diagnostics {
                let _ = writeln!(err, "{d}");
            }
            let n = diagnostics.len();
            let _ = writeln!(err, "{n} problem{} found", if n == 1 { "" } else { "s" });
            ExitCode::from(1)
        }
        Err(Failure::Silent) => ExitCode::from(1),
        Err(Failure::Tool(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
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

/// Loads `arg` (a path or a catalog name) with the environments a command is to handle: the one
/// `env` names (none when the blueprint has no such environment), or all of them, the top
/// level's first.
fn load_environments(arg: &str, env: Option<&str>) -> Result<(Document, Vec<String>), Failure> {
    let source = blueprint::resolve(arg).map_err(|e| match e {
        blueprint::SourceError::Invalid(d) => Failure::Input(vec![*d]),
        other => Failure::Tool(other.to_string()),
    })?;
    let base = blueprint::load(source)?;
    let names = match env {
        Some(name) if base.environment_names().iter().any(|n| n == name) => {
            base.environment(name)?;
            vec![name.to_string()]
        }
        Some(_) => Vec::new(),
        None => base.environment_names(),
    };
    Ok((base, names))
}

/// Why `base` cannot be handled in environment `env`, which it does not have.
fn no_such_environment(base: &Document, env: &str) -> Failure {
    match base.environment(env) {
        Err(diagnostics) => Failure::Input(diagnostics),
        Ok(_) => Failure::Tool(format!("environment `{env}` is the blueprint's")),
    }
}

/// Says on stderr, unless `quiet`, that `arg`, one of several, is passed over for having no
/// environment `env`.
fn skip_without_environment(arg: &str, env: &str, quiet: bool) {
    if quiet {
        return;
    }
    let _ = writeln!(
        std::io::stderr(),
        "skipping {arg}: it has no environment `{env}`"
    );
}

/// The lock file of environment `env` of a blueprint file: `<stem>.lock.yaml` for the top
/// level's, `<stem>.<env>.lock.yaml` for the others. A catalog blueprint has none.
fn lock_path(base: &Document, env: &str) -> Option<PathBuf> {
    let Origin::File(path) = &base.source.origin else {
        return None;
    };
    let own = env == base.blueprint.environment.as_str();
    Some(lock::path_for_environment(path, (!own).then_some(env)))
}

/// Loads and plans `arg` in one environment (its own without `env`). For a blueprint file, the
/// environment's lock file is honoured; with `locked`, a lock file that is missing or would
/// change is an error.
fn load_and_plan(
    arg: &str,
    env: Option<&str>,
    locked: bool,
    reclaim: bool,
) -> Result<Planned, Failure> {
    let (base, names) = load_environments(arg, env)?;
    match names.first() {
        Some(name) => plan_environment(&base, name, locked, reclaim),
        None => Err(no_such_environment(&base, env.unwrap_or_default())),
    }
}

/// Plans environment `env` of the blueprint `base`, among its siblings, whose VPC blocks (given,
/// locked or allocated) its own may not overlap.
///
/// With `reclaim`, the retired ranges the lock file records are dropped first (`--reclaim`): the
/// subnets that held them are gone, so their space may be allocated again.
fn plan_environment(
    base: &Document,
    env: &str,
    locked: bool,
    reclaim: bool,
) -> Result<Planned, Failure> {
    let names = base.environment_names();
    let environment = (names.len() > 1).then(|| env.to_string());
    let named = |d: Vec<Diagnostic>| Failure::Input(in_environment(environment.as_deref(), d));
    let doc = base.environment(env).map_err(named)?;
    let own_lock = lock_path(base, env);
    let mut previous = match &own_lock {
        Some(path) => lock::read(path)?,
        None => None,
    };
    if let (Some(recorded), Some(path)) = (
        previous
            .as_ref()
            .and_then(|l| l.record.environment.as_deref()),
        &own_lock,
    ) && recorded != env
    {
        return Err(named(vec![doc.error(
            "environment",
            format!(
                "the lock file {} is environment `{recorded}`'s, not `{env}`'s: the top level's environment changed",
                path.display()
            ),
            format!(
                "rename the lock files to follow: the top level's environment keeps {}, each other one {}",
                lock::path_for(Path::new(&base.source.file_name())).display(),
                lock::path_for_environment(Path::new(&base.source.file_name()), Some("ENV")).display()
            ),
        )]));
    }
    // This environment's plan recorded under another environment's name (the top level's
    // environment changed): planning afresh would move its VPC.
    if let (Origin::File(path), Some(own_path)) = (&base.source.origin, &own_lock) {
        let all = std::iter::once(lock::path_for(path))
            .chain(lock::environment_locks(path).into_iter().map(|(_, p)| p));
        for other in all.filter(|p| p != own_path) {
            let recorded = lock::read(&other)
                .ok()
                .flatten()
                .and_then(|l| l.record.environment);
            if recorded.as_deref() == Some(env) {
                return Err(named(vec![doc.error(
                    "environment",
                    format!(
                        "environment `{env}`'s lock file is {}, but its own is {}: the top level's environment changed",
                        other.display(),
                        own_path.display()
                    ),
                    format!(
                        "rename {} to {} (and the other environments' lock files to theirs) before planning again",
                        other.display(),
                        own_path.display()
                    ),
                )]));
            }
        }
    }
    // Two environments of one name would deploy resources of the same names, in one account.
    // The top level's environment is named at the top level: the override that repeats its
    // name is the one to change.
    let own = env == base.blueprint.environment.as_str();
    if let Some(twin) = names.iter().find(|name| {
        !own && *name != env
            && base
                .environment(name)
                .is_ok_and(|other| other.blueprint.name == doc.blueprint.name)
    }) {
        return Err(named(vec![doc.error(
            "name",
            format!(
                "environments `{env}` and `{twin}` both name their resources `{}`",
                doc.blueprint.name
            ),
            format!("give the environment `{env}` a name of its own (`name:`)"),
        )]));
    }
    // Lock files of environments since renamed or removed: their VPCs may still be deployed.
    let orphans: Vec<(String, Ipv4Net)> = match &base.source.origin {
        Origin::File(path) => lock::environment_locks(path)
            .into_iter()
            .filter(|(name, _)| !names.contains(name))
            .filter_map(|(name, path)| {
                let vpc = lock::read(&path).ok().flatten()?.record.allocation.vpc;
                Some((name, vpc))
            })
            .collect(),
        Origin::Catalog(_) => Vec::new(),
    };
    let notes = if own {
        orphans
            .iter()
            .map(|(name, vpc)| {
                let path = lock::path_for_environment(Path::new(&base.source.file_name()), Some(name));
                Diagnostic::warning(
                    doc.locate("environments"),
                    format!(
                        "the lock file {} is of environment `{name}`, which the blueprint no longer has: its VPC {vpc} stays reserved",
                        path.display()
                    ),
                )
                .with_help(format!(
                    "once environment `{name}` is gone from AWS, delete its lock file; if it was renamed, rename the lock file too"
                ))
            })
            .collect()
    } else {
        Vec::new()
    };
    let siblings = crate::plan::vpcs::Environments {
        current: names.iter().position(|n| n == env).unwrap_or(0),
        all: names
            .iter()
            .map(|name| {
                // A sibling that does not load has no block to avoid; its own check reports it.
                let other = (name != env).then(|| base.environment(name).ok());
                let lock = match &other {
                    Some(_) => lock_path(base, name)
                        .and_then(|p| lock::read(&p).ok().flatten())
                        .map(|l| l.record.allocation.vpc),
                    None => previous.as_ref().map(|l| l.record.allocation.vpc),
                };
                let address = match &other {
                    Some(loaded) => loaded.as_ref().and_then(|d| d.blueprint.network.as_ref()),
                    None => doc.blueprint.network.as_ref(),
                };
                crate::plan::vpcs::Environment {
                    name: name.clone(),
                    address: address.map(|n| n.cidr),
                    locked: lock,
                    gone: false,
                }
            })
            .chain(
                orphans
                    .iter()
                    .map(|(name, vpc)| crate::plan::vpcs::Environment {
                        name: name.clone(),
                        address: None,
                        locked: Some(*vpc),
                        gone: true,
                    }),
            )
            .collect(),
    };
    // What the lock file says now, to tell whether the plan changes it (reclaiming does).
    let recorded = previous.as_ref().map(|p| (p.version, p.record.clone()));
    let reclaimed = match (&mut previous, reclaim) {
        (Some(previous), true) => previous.reclaim().len(),
        _ => 0,
    };
    let plan = crate::plan::plan_with(&doc, previous.as_ref(), &siblings).map_err(named)?;
    // Only a network allocates addresses; a blueprint without one has nothing to lock.
    let record = plan.network.as_ref().map(|n| lock::Record {
        environment: environment.clone(),
        ..n.record()
    });
    let lock_update = match (own_lock, record) {
        (Some(path), Some(record))
            if recorded.as_ref() != Some(&(lock::VERSION, record.clone())) =>
        {
            if locked {
                let what = if previous.is_some() {
                    "would change"
                } else {
                    "does not exist"
                };
                return Err(doc
                    .error(
                        "network",
                        format!(
                            "the lock file {} {what}, and --locked forbids writing it",
                            path.display()
                        ),
                        "run without --locked and commit the lock file",
                    )
                    .into());
            }
            let text = lock::render(&plan.name, &record);
            Some((path, text))
        }
        _ => None,
    };
    Ok(Planned {
        doc,
        notes,
        environment,
        plan,
        lock_update,
        reclaimed,
    })
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
                        "skipping {arg}: a lock file, not a blueprint"
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
            path.display()
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
            path.display(),
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
