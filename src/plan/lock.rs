//! The lock file: every subnet's address, recorded next to the blueprint and meant to be
//! committed, like `Cargo.lock`. Re-planning keeps what it records (see [`super::alloc`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use indexmap::IndexMap;
use ipnet::Ipv4Net;

use super::Locked;
use super::alloc::{Allocation, TierAllocation};
use crate::blueprint::source::SourceIndex;
use crate::diagnostics::{Diagnostic, Location};

/// The lock file format version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    version: u32,
    vpc: Ipv4Net,
    tiers: IndexMap<String, TierAllocation>,
}

/// `net/ha-vpc.yaml` → `net/ha-vpc.lock.yaml`.
pub fn path_for(blueprint: &Path) -> PathBuf {
    let stem = blueprint
        .file_stem()
        .map_or_else(|| "blueprint".into(), |s| s.to_string_lossy().into_owned());
    blueprint.with_file_name(format!("{stem}.lock.yaml"))
}

/// Reads the lock file at `path`: `Ok(None)` when there is none yet.
pub fn read(path: &Path) -> Result<Option<Locked>, Box<Diagnostic>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(lock_error(
                path,
                1,
                1,
                format!("cannot read the lock file: {e}"),
                "check its permissions",
            ));
        }
    };
    let allocation = parse(path, &text)?;
    Ok(Some(Locked {
        path: path.to_path_buf(),
        allocation,
        index: SourceIndex::build(&text),
    }))
}

/// Parses lock-file text; errors name the lock file, line and column.
pub fn parse(path: &Path, text: &str) -> Result<Allocation, Box<Diagnostic>> {
    let lock: LockFile = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        lock_error(
            path,
            line,
            column,
            format!("the lock file is not valid: {message}"),
            "restore it from version control, or delete it to plan every subnet afresh",
        )
    })?;
    if lock.version != VERSION {
        return Err(lock_error(
            path,
            1,
            1,
            format!("lock file version {} is not supported", lock.version),
            format!("this cloudwright reads version {VERSION}; upgrade cloudwright"),
        ));
    }
    Ok(Allocation {
        vpc: lock.vpc,
        tiers: lock.tiers,
    })
}

fn lock_error(
    path: &Path,
    line: usize,
    column: usize,
    message: String,
    help: impl Into<String>,
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            Location {
                file: path.display().to_string(),
                line,
                column,
            },
            message,
        )
        .with_help(help),
    )
}

/// The lock file's text for `allocation` of blueprint `name`.
pub fn render(name: &str, allocation: &Allocation) -> String {
    let body = serde_yaml::to_string(&LockFile {
        version: VERSION,
        vpc: allocation.vpc,
        tiers: allocation.tiers.clone(),
    })
    .unwrap_or_default();
    format!(
        "# cloudwright lock file for blueprint {name}: the address of every subnet.\n\
         # Commit it. Re-planning keeps every subnet recorded here exactly where it is.\n{body}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_path_sits_next_to_the_blueprint() {
        assert_eq!(
            path_for(Path::new("net/ha-vpc.yaml")),
            PathBuf::from("net/ha-vpc.lock.yaml")
        );
    }
}
