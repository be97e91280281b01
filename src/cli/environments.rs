//! Environments on disk: which of a blueprint's environments a command handles, the lock file
//! of each, and planning one among its siblings, whose VPC blocks (given, recorded or allocated)
//! it keeps clear of.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;

use super::{Failure, Planned, in_environment};
use crate::blueprint::{self, Document, Origin};
use crate::diagnostics::Diagnostic;
use crate::plan::lock;

/// Loads `arg` (a path or a catalog name) with the environments a command is to handle: the one
/// `env` names (none when the blueprint has no such environment), or all of them, the top
/// level's first.
pub(super) fn load_environments(
    arg: &str,
    env: Option<&str>,
) -> Result<(Document, Vec<String>), Failure> {
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
pub(super) fn no_such_environment(base: &Document, env: &str) -> Failure {
    match base.environment(env) {
        Err(diagnostics) => Failure::Input(diagnostics),
        Ok(_) => Failure::Tool(format!("environment `{env}` is the blueprint's")),
    }
}

/// Says on stderr, unless `quiet`, that `arg`, one of several, is passed over for having no
/// environment `env`.
pub(super) fn skip_without_environment(arg: &str, env: &str, quiet: bool) {
    if quiet {
        return;
    }
    let _ = writeln!(
        std::io::stderr(),
        "skipping {}: it has no environment `{env}`",
        crate::diagnostics::printable(arg)
    );
}

/// The lock file of environment `env` of a blueprint file: `<stem>.lock.yaml` for the top
/// level's, `<stem>.lock.<env>.yaml` for the others. A catalog blueprint has none.
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
pub(super) fn load_and_plan(
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
pub(super) fn plan_environment(
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
    // The lock files beside the blueprint that are of an environment other than the top level's.
    let env_locks = match &base.source.origin {
        Origin::File(path) => lock::environment_locks(path),
        Origin::Catalog(_) => Vec::new(),
    };
    if let Some(own_path) = &own_lock
        && let Some(problem) =
            lock_of_another(base, &doc, env, own_path, previous.as_ref(), &env_locks)
    {
        return Err(named(vec![problem]));
    }
    // The other environments, each merged once: `None` for one that does not load (its own
    // check reports it).
    let others: Vec<(String, Option<Document>)> = names
        .iter()
        .filter(|name| *name != env)
        .map(|name| (name.clone(), base.environment(name).ok()))
        .collect();
    let own = env == base.blueprint.environment.as_str();
    if !own && let Some(problem) = same_name(&doc, env, &others) {
        return Err(named(vec![problem]));
    }
    // Lock files of environments since renamed or removed: their VPCs may still be deployed.
    let orphans: Vec<(String, Ipv4Net)> = env_locks
        .into_iter()
        .filter(|(name, _)| !names.contains(name))
        .filter_map(|(name, path)| {
            let vpc = recorded(&path)?.record.allocation.vpc;
            Some((name, vpc))
        })
        .collect();
    let notes = if own {
        orphan_notes(base, &doc, &orphans)
    } else {
        Vec::new()
    };
    let siblings = siblings(base, &doc, env, previous.as_ref(), &others, &orphans);
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

/// Why environment `env` may not take the lock file `own` or plan afresh: `own` records another
/// environment, or another of the blueprint's lock files records this one (the top level's
/// environment changed, and planning afresh would move its VPC).
fn lock_of_another(
    base: &Document,
    doc: &Document,
    env: &str,
    own: &Path,
    previous: Option<&crate::plan::Locked>,
    env_locks: &[(String, PathBuf)],
) -> Option<Diagnostic> {
    let file = Path::new(&base.source.file_name()).to_path_buf();
    if let Some(recorded) = previous.and_then(|l| l.record.environment.as_deref())
        && recorded != env
    {
        return Some(doc.error(
            "environment",
            format!(
                "the lock file {} is environment `{recorded}`'s, not `{env}`'s: the top level's environment changed",
                own.display()
            ),
            format!(
                "rename the lock files to follow: the top level's environment keeps {}, each other one {}",
                lock::path_for(&file).display(),
                lock::path_for_environment(&file, Some("ENV")).display()
            ),
        ));
    }
    let Origin::File(path) = &base.source.origin else {
        return None;
    };
    let others = std::iter::once(lock::path_for(path))
        .chain(env_locks.iter().map(|(_, p)| p.clone()))
        .filter(|p| p != own);
    for other in others {
        let of = recorded(&other).and_then(|l| l.record.environment);
        if of.as_deref() == Some(env) {
            return Some(doc.error(
                "environment",
                format!(
                    "environment `{env}`'s lock file is {}, but its own is {}: the top level's environment changed",
                    other.display(),
                    own.display()
                ),
                format!(
                    "rename {} to {} (and the other environments' lock files to theirs) before planning again",
                    other.display(),
                    own.display()
                ),
            ));
        }
    }
    None
}

/// Another environment whose resources `doc`'s (environment `env`, one of `environments:`) would
/// share names with, in one account. The top level's environment is named at the top level: the
/// override that repeats its name is the one to change.
fn same_name(
    doc: &Document,
    env: &str,
    others: &[(String, Option<Document>)],
) -> Option<Diagnostic> {
    let (twin, _) = others.iter().find(|(_, other)| {
        other
            .as_ref()
            .is_some_and(|o| o.blueprint.name == doc.blueprint.name)
    })?;
    Some(doc.error(
        "name",
        format!(
            "environments `{env}` and `{twin}` both name their resources `{}`",
            doc.blueprint.name
        ),
        format!("give the environment `{env}` a name of its own (`name:`)"),
    ))
}

/// A warning for each lock file of an environment the blueprint no longer has.
fn orphan_notes(base: &Document, doc: &Document, orphans: &[(String, Ipv4Net)]) -> Vec<Diagnostic> {
    let file = Path::new(&base.source.file_name()).to_path_buf();
    orphans
        .iter()
        .map(|(name, vpc)| {
            let path = lock::path_for_environment(&file, Some(name));
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
}

/// The VPC blocks environment `env` (planned as `doc`, its lock file `previous`) must keep clear
/// of: every other environment's (given, or recorded in its lock file; one of `others` that does
/// not load keeps its recorded block), and those of `orphans`, in the environments' order.
fn siblings(
    base: &Document,
    doc: &Document,
    env: &str,
    previous: Option<&crate::plan::Locked>,
    others: &[(String, Option<Document>)],
    orphans: &[(String, Ipv4Net)],
) -> crate::plan::vpcs::Environments {
    let names = base.environment_names();
    let listed = names.iter().map(|name| {
        let (address, locked) = match others.iter().find(|(n, _)| n == name) {
            None => (
                doc.blueprint.network.as_ref().map(|n| n.cidr),
                previous.map(|l| l.record.allocation.vpc),
            ),
            Some((_, other)) => (
                other
                    .as_ref()
                    .and_then(|d| d.blueprint.network.as_ref().map(|n| n.cidr)),
                lock_path(base, name)
                    .and_then(|p| recorded(&p))
                    .map(|l| l.record.allocation.vpc),
            ),
        };
        crate::plan::vpcs::Environment {
            name: name.clone(),
            address,
            locked,
            gone: false,
        }
    });
    let gone = orphans
        .iter()
        .map(|(name, vpc)| crate::plan::vpcs::Environment {
            name: name.clone(),
            address: None,
            locked: Some(*vpc),
            gone: true,
        });
    crate::plan::vpcs::Environments {
        current: names.iter().position(|n| n == env).unwrap_or(0),
        all: listed.chain(gone).collect(),
    }
}

/// What the lock file at `path` records, when it can be read: another environment's, whose own
/// check reports a lock file that cannot.
fn recorded(path: &Path) -> Option<crate::plan::Locked> {
    lock::read(path).ok().flatten()
}
