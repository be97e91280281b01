//! `cloudwright render`: write CloudFormation, SAM or Terraform.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use super::{Failure, RECLAIM_HELP, load_environments, plan_environment, print, save_lock};
use crate::render::{self, Target};
use crate::write::{self, Action, Entry, Mode, Refusal, Report};

/// At most this many lines of `--diff` per file.
const MAX_DIFF_LINES: usize = 200;

const AFTER_HELP: &str = "\
Examples:
  cloudwright render ha-vpc --target terraform --out-dir infra/
  cloudwright render core.yaml --env staging --target terraform --out-dir infra/staging
  cloudwright render ha-vpc --target cloudformation --stdout
  cloudwright render core.yaml --target terraform --out-dir infra --dry-run --diff

  # In CI: is the committed code what the blueprint generates?
  cloudwright render core.yaml --target terraform --out-dir infra --check --diff

  # Every blueprint of a directory, in every environment: infra/<blueprint>/<env>/terraform/
  cloudwright render blueprints/ --target terraform --out-dir infra

Several blueprints and environments:
  One blueprint in one environment (a blueprint without `environments:`, or --env) is written \
into --out-dir itself. Several blueprints, a directory (its *.yaml files but lock files and \
generated files), or a blueprint with `environments:` and no --env write each blueprint and \
environment into <out-dir>/<blueprint>/<environment>/<target>/, <blueprint> being the file's \
name without .yaml. One that fails does not stop the others; the exit code is the worst of \
theirs. On a terminal, a line per blueprint and environment on stderr says how far the run is \
and how long each took (--verbose prints them anywhere; --quiet prints nothing but errors, and what differs under \
--check or --dry-run).

Files in the output directory:
  Every file cloudwright writes starts with a header carrying a digest of its body. A file that \
does not start with that header, or whose body no longer matches its digest (it was edited by \
hand), is refused, and then nothing at all is written (not even the lock file); --force \
overwrites it. Unchanged files are not touched. A file cloudwright generated earlier that this \
render no longer produces is reported as stale, and removed only with --prune. Only files directly \
in the output directory are looked at, never dotfiles such as .terraform/ and \
.terraform.lock.hcl.

Exit codes:
  0  success; with --check, every file (and the lock file) is what the blueprint generates
  1  the input has problems (an invalid blueprint, a plan that does not fit, an unsuppressed
     guardrail error, a lock file that would change under --locked), or --check found files
     that differ
  2  cloudwright could not do its job: a file it refuses to overwrite (also under --dry-run),
     a file it cannot read or write, bad arguments, an internal error";

/// Render a blueprint into infrastructure code.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
#[command(group = clap::ArgGroup::new("preview").args(["check", "dry_run"]))]
pub struct Args {
    /// Blueprint files, directories of them, or names of catalog blueprints (see
    /// `cloudwright list`).
    #[arg(value_hint = clap::ValueHint::AnyPath, required = true, num_args = 1..)]
    blueprint: Vec<String>,
    /// Render only this environment (one of a blueprint's `environments:`, or the top level's
    /// own); every environment without it.
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The output format.
    #[arg(long, short)]
    target: Target,
    /// The directory to write into (created if missing).
    #[arg(
        long,
        short,
        required_unless_present = "stdout",
        conflicts_with = "stdout",
        value_hint = clap::ValueHint::DirPath
    )]
    out_dir: Option<PathBuf>,
    /// Print the template instead of writing it (single-file targets only; function handlers,
    /// which are scaffolded once into the output directory, are not printed).
    #[arg(long)]
    stdout: bool,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
    #[arg(long, help = RECLAIM_HELP)]
    reclaim: bool,
    /// Write nothing; list every file (and the lock file) that differs from what the blueprint
    /// generates, and exit 1 if there is one (for CI).
    #[arg(long, conflicts_with = "stdout")]
    check: bool,
    /// Write nothing; print what would be created, updated, left unchanged, refused or removed.
    #[arg(long, conflicts_with = "stdout")]
    dry_run: bool,
    /// With --check or --dry-run: also print a unified diff of each file that would change (at
    /// most 200 lines each).
    #[arg(long, requires = "preview")]
    diff: bool,
    /// Overwrite files that cloudwright did not generate or that were edited by hand since.
    #[arg(long, conflicts_with = "stdout")]
    force: bool,
    /// Remove files that cloudwright generated earlier but no longer generates.
    #[arg(long, conflicts_with = "stdout")]
    prune: bool,
    /// Print nothing but errors (and, under --check or --dry-run, what differs): no file
    /// listing, no warnings, no notes, no progress.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Print a line per blueprint and environment with how long it took, also when stderr is not
    /// a terminal.
    #[arg(long, short)]
    verbose: bool,
}

/// One blueprint in one environment, and the directory it is written to.
struct Unit {
    base: std::rc::Rc<crate::blueprint::Document>,
    env: String,
    /// `None` under --stdout.
    dir: Option<PathBuf>,
    /// How the progress line names it: the argument, and the environment when it has several.
    label: String,
}

/// What the units of a run are, or why one blueprint has none (it does not load).
fn units(args: &Args, names: &[String]) -> (Vec<Unit>, Vec<(String, Failure)>) {
    let mut loaded = Vec::new();
    let mut failed = Vec::new();
    for arg in names {
        match (
            load_environments(arg, args.env.as_deref()),
            args.env.as_deref(),
        ) {
            (Ok((_, envs)), Some(env)) if envs.is_empty() && names.len() > 1 => {
                super::skip_without_environment(arg, env, args.quiet);
            }
            (Ok((base, envs)), Some(env)) if envs.is_empty() => {
                failed.push((arg.clone(), super::no_such_environment(&base, env)));
            }
            (Ok((base, envs)), _) => loaded.push((arg.clone(), base, envs)),
            (Err(failure), _) => failed.push((arg.clone(), failure)),
        }
    }
    let several = names.len() > 1 || loaded.iter().any(|(_, _, envs)| envs.len() > 1);
    let units = loaded
        .into_iter()
        .flat_map(|(arg, base, envs)| {
            let key = match &base.source.origin {
                crate::blueprint::Origin::File(path) => path
                    .file_stem()
                    .map_or_else(|| arg.clone(), |stem| stem.to_string_lossy().into_owned()),
                crate::blueprint::Origin::Catalog(name) => name.clone(),
            };
            let many_envs = base.environment_names().len() > 1;
            let base = std::rc::Rc::new(base);
            envs.into_iter().map(move |env| Unit {
                base: base.clone(),
                label: if many_envs {
                    format!("{arg} ({env})")
                } else {
                    arg.clone()
                },
                dir: args.out_dir.as_ref().map(|out| {
                    if several {
                        out.join(&key).join(&env).join(args.target.to_string())
                    } else {
                        out.clone()
                    }
                }),
                env,
            })
        })
        .collect();
    (units, failed)
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let names = super::expand_blueprints(&args.blueprint, args.quiet)?;
    // Held until the run ends: the lock files are read and written, and the files decided and
    // written, by one run at a time.
    let mut held: Vec<&Path> = names.iter().map(Path::new).collect();
    held.extend(args.out_dir.as_deref());
    let _lock = write::lock_run(&held).map_err(|e| Failure::Tool(e.to_string()))?;
    let (units, failed) = units(args, &names);
    if units.len() + failed.len() == 1 {
        return match (units.first(), failed.into_iter().next()) {
            (Some(unit), _) => render_unit(args, unit),
            (None, Some((_, failure))) => Err(failure),
            (None, None) => Ok(()),
        };
    }
    if args.stdout {
        return Err(Failure::Tool(format!(
            "--stdout prints one blueprint in one environment, and this run has {}: use --out-dir, or --env",
            units.len() + failed.len()
        )));
    }
    let dirs: Vec<&PathBuf> = units.iter().filter_map(|u| u.dir.as_ref()).collect();
    if let Some((i, dir)) = dirs
        .iter()
        .enumerate()
        .find(|(i, d)| dirs[..*i].contains(d))
    {
        let first = dirs.iter().position(|d| d == dir).unwrap_or(i);
        return Err(Failure::Tool(format!(
            "{} and {} would both be written into {}: rename one of the files",
            crate::diagnostics::printable(&units[first].label),
            crate::diagnostics::printable(&units[i].label),
            super::shown(dir)
        )));
    }
    let progress = !args.quiet && (args.verbose || std::io::stderr().is_terminal());
    let total = units.len();
    let started = std::time::Instant::now();
    let mut worst = 0u8;
    for (arg, failure) in failed {
        worst = worst.max(super::report(failure, Some(&arg)));
    }
    for (i, unit) in units.iter().enumerate() {
        let began = std::time::Instant::now();
        let code = match render_unit(args, unit) {
            Ok(()) => 0,
            Err(failure) => super::report(failure, Some(&unit.label)),
        };
        worst = worst.max(code);
        if progress {
            let outcome = match code {
                0 => "done",
                1 => "failed",
                _ => "not rendered",
            };
            eprint(&format!(
                "[{}/{total}] {}: {outcome} in {} ms\n",
                i + 1,
                crate::diagnostics::printable(&unit.label),
                began.elapsed().as_millis()
            ));
        }
    }
    if progress {
        eprint(&format!(
            "rendered {total} blueprint environment{} in {} ms\n",
            if total == 1 { "" } else { "s" },
            started.elapsed().as_millis()
        ));
    }
    match worst {
        0 => Ok(()),
        1 => Err(Failure::Silent),
        _ => Err(Failure::Tool(
            "some blueprints could not be rendered (see above)".to_string(),
        )),
    }
}

/// Renders one blueprint in one environment.
fn render_unit(args: &Args, unit: &Unit) -> Result<(), Failure> {
    let planned = plan_environment(&unit.base, &unit.env, args.locked, args.reclaim)?;
    let outcome = super::validate(&planned, !args.quiet)?;
    let rendered = render::render(&planned.plan, &outcome.accepted, args.target)
        .map_err(|e| Failure::Tool(e.to_string()))?;
    let name = planned.doc.blueprint.name.as_str();
    let source_file = planned.doc.source.file_name();
    let files: Vec<write::OutputFile> = rendered
        .iter()
        .map(|f| write::with_header(f, name, &source_file))
        .collect();
    let Some(dir) = &unit.dir else {
        // The template alone: not the scaffolds, nor the README that describes the folder.
        let generated: Vec<&write::OutputFile> = files
            .iter()
            .filter(|f| !f.scaffold && f.path != render::readme::FILE)
            .collect();
        match generated.as_slice() {
            [only] => print(&only.contents)?,
            _ => {
                return Err(Failure::Tool(format!(
                    "--stdout prints one file, but {} writes {}: use --out-dir",
                    args.target,
                    generated.len()
                )));
            }
        }
        return save_lock(&planned, !args.quiet);
    };

    let mode = match (args.check, args.dry_run) {
        (true, _) => Mode::Check,
        (_, true) => Mode::DryRun,
        _ => Mode::Write,
    };
    let options = write::Options {
        force: args.force,
        prune: args.prune,
    };
    let tool = |e: write::WriteError| Failure::Tool(e.to_string());
    refuse_inputs_as_outputs(&planned, &files, dir)?;
    if let Some((path, _)) = &planned.lock_update {
        super::check_lock_is_regular(path)?;
    }
    let report = write::apply(
        write::decide(&files, dir, name).map_err(tool)?,
        mode,
        options,
    )
    .map_err(tool)?;

    if mode == Mode::Write {
        if !report.wrote() {
            return Err(Failure::Tool(refusal(&report)));
        }
        if !args.quiet {
            print(&listing(&report, false))?;
        }
        return save_lock(&planned, !args.quiet);
    }

    print(&listing(&report, args.diff))?;
    // The lock file is never written without writing the files; say what would happen to it.
    let lock_changes = match &planned.lock_update {
        Some((path, text)) => {
            let status = write::preview_file(path, text).map_err(tool)?;
            if status != write::Status::Unchanged {
                eprint(&format!(
                    "lock file {}: would be {}\n",
                    super::shown(path),
                    status.as_str()
                ));
            }
            usize::from(status != write::Status::Unchanged)
        }
        None => 0,
    };
    let refused = report.refused().count();
    if refused > 0 && mode == Mode::DryRun {
        return Err(Failure::Tool(format!(
            "a real run would refuse to overwrite {}, and write nothing{}",
            files_phrase(refused),
            if forceable(&report) {
                " (--force overwrites)"
            } else {
                ""
            }
        )));
    }
    if mode == Mode::DryRun {
        eprint("dry run: nothing was written\n");
        return Ok(());
    }
    let differing = report.differing().count() + lock_changes;
    if differing == 0 {
        return Ok(());
    }
    let mut hint = format!(
        "run without --check to update {}",
        if differing == 1 { "it" } else { "them" }
    );
    if refused > 0 && !args.force && forceable(&report) {
        hint.push_str("; --force overwrites refused files");
    }
    if report.entries.iter().any(|e| e.action == Action::KeepStale) {
        hint.push_str("; --prune removes stale files");
    }
    eprint(&format!(
        "{} differ{} from what {} generates; {hint}\n",
        files_phrase(differing),
        if differing == 1 { "s" } else { "" },
        planned.doc.source.display_name(),
    ));
    Err(Failure::Silent)
}

fn files_phrase(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// Refuses, even with --force, an output file that would be the blueprint itself or its lock file.
fn refuse_inputs_as_outputs(
    planned: &super::Planned,
    files: &[write::OutputFile],
    dir: &Path,
) -> Result<(), Failure> {
    let crate::blueprint::Origin::File(blueprint) = &planned.doc.source.origin else {
        return Ok(());
    };
    let inputs = [blueprint.clone(), crate::plan::lock::path_for(blueprint)];
    for file in files {
        let out = dir.join(&file.path);
        if let Some(input) = inputs.iter().find(|i| same_place(i, &out)) {
            return Err(Failure::Tool(format!(
                "{} would overwrite {}, an input of this run; write to another directory (--out-dir)",
                super::shown(&out),
                super::shown(input)
            )));
        }
    }
    Ok(())
}

/// Whether `a` and `b` name the same file, whichever exist: the same name in the same directory.
fn same_place(a: &Path, b: &Path) -> bool {
    let place = |p: &Path| {
        Some((
            crate::input::dir_of(p).canonicalize().ok()?,
            p.file_name()?.to_owned(),
        ))
    };
    matches!((place(a), place(b)), (Some(x), Some(y)) if x == y)
}

/// Prints to stderr; failing to is not worth failing the command for.
fn eprint(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn reason(why: Refusal) -> &'static str {
    match why {
        Refusal::NotOurs => "not generated by cloudwright (it has no cloudwright header)",
        Refusal::EditedByHand => "edited by hand (its body no longer matches its digest)",
        Refusal::NotRegular => {
            "not a regular file (a symbolic link, FIFO, device or directory): cloudwright replaces only regular files, even with --force; move it away"
        }
    }
}

/// The report, one line per file: in a real run, what was done; under --dry-run, what would be
/// done; under --check, only the files that differ. With `diffs`, each line is followed by its
/// diff.
fn listing(report: &Report, diffs: bool) -> String {
    let mut out = String::new();
    for entry in &report.entries {
        if report.mode == Mode::Check && entry.action == Action::Unchanged {
            continue;
        }
        out.push_str(&line(entry, report.mode));
        if diffs && let Some(diff) = entry.diff(MAX_DIFF_LINES) {
            out.push_str(&diff);
        }
    }
    out
}

fn line(entry: &Entry, mode: Mode) -> String {
    let done = mode == Mode::Write;
    let (label, note) = match entry.action {
        Action::Create if done => ("created", None),
        Action::Create => ("would create", None),
        Action::Update if done => ("updated", None),
        Action::Update => ("would update", None),
        Action::Unchanged => ("unchanged", None),
        Action::Refuse(why) => ("would refuse", Some(reason(why).to_string())),
        Action::Overwrite(why) if done => ("overwrote", Some(reason(why).to_string())),
        Action::Overwrite(why) => ("would overwrite", Some(reason(why).to_string())),
        Action::Remove if done => ("removed", Some("no longer generated".to_string())),
        Action::Remove => ("would remove", Some("no longer generated".to_string())),
        Action::KeepStale => (
            "stale",
            Some("no longer generated; --prune removes it".to_string()),
        ),
    };
    let width = if done { 9 } else { 15 };
    let mut out = format!("{label:<width$} {}", super::shown(&entry.path));
    if let Some(note) = note {
        let _ = write!(out, ": {note}");
    }
    out.push('\n');
    out
}

/// Why a real run wrote nothing.
fn refusal(report: &Report) -> String {
    let refused: Vec<&Entry> = report.refused().collect();
    let mut out = format!(
        "refusing to overwrite {}, so nothing was written:\n",
        files_phrase(refused.len())
    );
    for entry in &refused {
        let Action::Refuse(why) = entry.action else {
            continue;
        };
        let _ = writeln!(out, "  {}: {}", super::shown(&entry.path), reason(why));
    }
    let them = if refused.len() == 1 { "it" } else { "them" };
    let _ = if forceable(report) {
        write!(
            out,
            "  help: `--dry-run --diff` shows what would change; move {them} away, or run again \
             with --force to overwrite {them}",
        )
    } else {
        write!(
            out,
            "  help: move {them} away; cloudwright writes only regular files of its own"
        )
    };
    out
}

/// Whether `--force` would overwrite every refused file (it never replaces what is not a regular
/// file).
fn forceable(report: &Report) -> bool {
    report
        .refused()
        .all(|e| e.action != Action::Refuse(Refusal::NotRegular))
}
