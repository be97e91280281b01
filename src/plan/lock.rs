//! The lock file: every subnet's address, the zone of every AZ label, the logical-ID stem of
//! every tier and the retired ranges, recorded next to the blueprint and meant to be committed,
//! like `Cargo.lock`. Re-planning keeps what it records (see [`super::alloc`] and [`super::plan`]).
//!
//! Version 2 (this build writes it):
//!
//! ```yaml
//! version: 2
//! vpc: 10.0.0.0/16
//! zones:              # AZ label -> zone name (us-east-1a) or AZ ID (use1-az1)
//!   a: us-east-1a
//!   b: us-east-1b
//! tiers:
//!   data:
//!     id: Database    # logical-ID stem (SubnetDatabaseA), kept when the tier is renamed
//!     prefix: 24
//!     block: 10.0.0.0/22
//!     subnets: { a: 10.0.0.0/24, b: 10.0.1.0/24 }
//! retired:            # ranges of subnets that left the blueprint; never reused until reclaimed
//!   - { tier: public, az: c, cidr: 10.0.10.0/24 }
//! ```
//!
//! A blueprint with `environments:` has one lock file per environment, each naming it
//! (`environment: staging`, after `version`), so that one is never read for another.
//!
//! Version 1 had no `zones`, `id` or `retired`; it is still read (zones are then resolved as the
//! blueprint says, stems come from the tier names) and the next write upgrades it to version 2.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use indexmap::IndexMap;
use ipnet::Ipv4Net;

use super::alloc::{Allocation, Retired, TierAllocation};
use super::{Locked, Zone};
use crate::blueprint::source::SourceIndex;
use crate::diagnostics::{Diagnostic, Location};
use crate::naming::pascal_case;

/// The lock file format version this build writes.
pub const VERSION: u32 = 2;

/// Every version this build reads.
const READS: [u32; 2] = [1, VERSION];

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    version: u32,
    /// The environment the lock file is of, for a blueprint with `environments:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    vpc: Ipv4Net,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    zones: IndexMap<String, String>,
    tiers: IndexMap<String, LockTier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired: Vec<Retired>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockTier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    prefix: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    block: Option<Ipv4Net>,
    subnets: IndexMap<String, Ipv4Net>,
}

/// What a lock file records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Every tier's block and subnets, and the retired ranges.
    pub allocation: Allocation,
    /// AZ label → zone.
    pub zones: IndexMap<String, Zone>,
    /// Tier name → logical-ID stem (`database` → `Database`).
    pub ids: IndexMap<String, String>,
    /// The environment it is of, for a blueprint with `environments:` (none recorded before).
    pub environment: Option<String>,
}

/// `net/ha-vpc.yaml` → `net/ha-vpc.lock.yaml`.
pub fn path_for(blueprint: &Path) -> PathBuf {
    path_for_environment(blueprint, None)
}

/// The lock file of one of the blueprint's `environments:`: `net/ha-vpc.yaml` and `staging` →
/// `net/ha-vpc.lock.staging.yaml`; the top level's environment keeps [`path_for`]'s. An
/// environment's name holds no dot, so this is no other blueprint's lock file
/// (`ha-vpc.staging.yaml`'s is `ha-vpc.staging.lock.yaml`).
pub fn path_for_environment(blueprint: &Path, env: Option<&str>) -> PathBuf {
    let stem = blueprint
        .file_stem()
        .map_or_else(|| "blueprint".into(), |s| s.to_string_lossy().into_owned());
    match env {
        Some(env) => blueprint.with_file_name(format!("{stem}.lock.{env}.yaml")),
        None => blueprint.with_file_name(format!("{stem}.lock.yaml")),
    }
}

/// Whether a file name is a lock file's: `NAME.lock.yaml`, or an environment's
/// `NAME.lock.ENV.yaml`.
pub fn is_lock_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".yaml") else {
        return false;
    };
    stem.ends_with(".lock")
        || stem.rsplit_once(".lock.").is_some_and(|(blueprint, env)| {
            !blueprint.is_empty()
                && !env.is_empty()
                && env
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// The environments of `blueprint` that have a lock file beside it: `(env, path)` for every
/// `NAME.lock.ENV.yaml`, sorted by name (those of environments since renamed or removed too).
pub fn environment_locks(blueprint: &Path) -> Vec<(String, PathBuf)> {
    let stem = blueprint
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let prefix = format!("{stem}.lock.");
    let Ok(listing) = std::fs::read_dir(crate::input::dir_of(blueprint)) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = listing
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let env = name
                .strip_prefix(&prefix)?
                .strip_suffix(".yaml")?
                .to_string();
            (is_lock_file(&name) && !env.contains('.'))
                .then(|| (env, blueprint.with_file_name(&name)))
        })
        .collect();
    found.sort();
    found
}

/// Reads the lock file at `path`: `Ok(None)` when there is none yet.
pub fn read(path: &Path) -> Result<Option<Locked>, Box<Diagnostic>> {
    let text = match crate::input::read(path) {
        Ok(t) => t,
        Err(crate::input::Problem::NotFound) => return Ok(None),
        Err(problem) => {
            let (message, help) = problem.describe("lock file");
            let (line, column) = problem.position();
            return Err(lock_error(path, line, column, message, help));
        }
    };
    let (version, record) = parse_versioned(path, &text)?;
    Ok(Some(Locked {
        path: path.to_path_buf(),
        version,
        record,
        index: SourceIndex::build(&text),
    }))
}

/// Parses lock-file text; errors name the lock file, line and column.
pub fn parse(path: &Path, text: &str) -> Result<Record, Box<Diagnostic>> {
    parse_versioned(path, text).map(|(_, record)| record)
}

fn parse_versioned(path: &Path, text: &str) -> Result<(u32, Record), Box<Diagnostic>> {
    // A key given twice would silently move a subnet to the last address written.
    if let Some((field, first, again)) = SourceIndex::build(text).duplicates().first() {
        return Err(lock_error(
            path,
            again.line,
            again.column,
            format!(
                "the lock file gives `{field}` twice (first at line {}, column {})",
                first.line, first.column
            ),
            "restore it from version control: a lock file is written by cloudwright, never by hand",
        ));
    }
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
    let index = SourceIndex::build(text);
    let at = |field: &str| index.value(field);
    if !READS.contains(&lock.version) {
        let pos = at("version");
        return Err(lock_error(
            path,
            pos.line,
            pos.column,
            format!("lock file version {} is not supported", lock.version),
            format!("this cloudwright reads versions 1 and {VERSION}; upgrade cloudwright"),
        ));
    }
    let mut tiers = IndexMap::with_capacity(lock.tiers.len());
    let mut ids = IndexMap::with_capacity(lock.tiers.len());
    for (name, tier) in lock.tiers {
        let id = match tier.id {
            Some(id) if is_stem(&id) => id,
            Some(id) => {
                let pos = at(&format!("tiers.{name}.id"));
                return Err(lock_error(
                    path,
                    pos.line,
                    pos.column,
                    format!(
                        "the lock file gives tier `{name}` the logical-ID stem `{id}`, which is not letters and digits starting with a capital"
                    ),
                    format!(
                        "restore it from version control; the tier's generated resources are named `Subnet{id}A` and so on"
                    ),
                ));
            }
            None => pascal_case(&name),
        };
        // What a hand edit can break and the allocator would take on trust.
        let bad = |field: String, message: String, help: &str| {
            let pos = at(&field);
            Err(lock_error(path, pos.line, pos.column, message, help))
        };
        for (az, cidr) in &tier.subnets {
            let field = format!("tiers.{name}.subnets.{az}");
            if cidr.trunc() != *cidr {
                return bad(
                    field,
                    format!(
                        "the lock file records {cidr} for subnet {name}-{az}, which has host bits set (the network is {})",
                        cidr.trunc()
                    ),
                    "restore it from version control: a lock file is written by cloudwright, never by hand",
                );
            }
            if cidr.prefix_len() != tier.prefix {
                return bad(
                    field,
                    format!(
                        "the lock file records {cidr} for subnet {name}-{az}, but tier `{name}` has /{} subnets",
                        tier.prefix
                    ),
                    "restore it from version control: a lock file is written by cloudwright, never by hand",
                );
            }
            if let Some(block) = tier.block.filter(|b| !b.contains(cidr)) {
                return bad(
                    field,
                    format!(
                        "the lock file records {cidr} for subnet {name}-{az}, outside its tier's block {block}"
                    ),
                    "restore it from version control: a lock file is written by cloudwright, never by hand",
                );
            }
        }
        if let Some(block) = tier.block.filter(|b| b.trunc() != *b) {
            return bad(
                format!("tiers.{name}.block"),
                format!(
                    "the lock file records the block {block} for tier `{name}`, which has host bits set"
                ),
                "restore it from version control: a lock file is written by cloudwright, never by hand",
            );
        }
        ids.insert(name.clone(), id);
        tiers.insert(
            name,
            TierAllocation {
                prefix: tier.prefix,
                block: tier.block,
                subnets: tier.subnets,
            },
        );
    }
    let zones = lock
        .zones
        .into_iter()
        .map(|(label, zone)| (label, Zone::parse(&zone)))
        .collect();
    Ok((
        lock.version,
        Record {
            allocation: Allocation {
                vpc: lock.vpc,
                tiers,
                retired: lock.retired,
            },
            zones,
            ids,
            environment: lock.environment,
        },
    ))
}

/// Whether `id` can start a CloudFormation logical ID: ASCII letters and digits, a capital first.
fn is_stem(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_alphanumeric())
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

/// The lock file's text for `record` of blueprint `name`.
pub fn render(name: &str, record: &Record) -> String {
    let tiers = record
        .allocation
        .tiers
        .iter()
        .map(|(tier, a)| {
            (
                tier.clone(),
                LockTier {
                    id: Some(
                        record
                            .ids
                            .get(tier)
                            .cloned()
                            .unwrap_or_else(|| pascal_case(tier)),
                    ),
                    prefix: a.prefix,
                    block: a.block,
                    subnets: a.subnets.clone(),
                },
            )
        })
        .collect();
    let body = serde_yaml::to_string(&LockFile {
        version: VERSION,
        environment: record.environment.clone(),
        vpc: record.allocation.vpc,
        zones: record
            .zones
            .iter()
            .map(|(label, zone)| (label.clone(), zone.as_str().to_string()))
            .collect(),
        tiers,
        retired: record.allocation.retired.clone(),
    })
    .unwrap_or_default();
    format!(
        "# cloudwright lock file for blueprint {name}: the address of every subnet, the zone of\n\
         # every AZ, the logical-ID stem of every tier, and retired ranges that are not reused.\n\
         # Commit it. Re-planning keeps everything recorded here exactly where it is.\n{body}"
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
        assert_eq!(
            path_for_environment(Path::new("net/ha-vpc.yaml"), Some("staging")),
            PathBuf::from("net/ha-vpc.lock.staging.yaml")
        );
        for lock in [
            "a.lock.yaml",
            "a.b.lock.yaml",
            "a.lock.staging.yaml",
            "a.lock.prod-eu.yaml",
        ] {
            assert!(is_lock_file(lock), "{lock}");
        }
        for other in [
            "a.yaml",
            "lock.yaml",
            "a.lock.b.c.yaml",
            "a.lock.Staging.yaml",
            ".lock.x.yaml",
        ] {
            assert!(!is_lock_file(other), "{other}");
        }
    }

    const V2: &str = "version: 2\nvpc: 10.0.0.0/16\nzones:\n  a: us-east-1a\n  az4: use1-az4\ntiers:\n  data:\n    id: Database\n    prefix: 24\n    block: 10.0.0.0/22\n    subnets:\n      a: 10.0.0.0/24\n      az4: 10.0.1.0/24\nretired:\n- tier: public\n  az: c\n  cidr: 10.0.9.0/24\n";

    #[test]
    fn version_2_round_trips() {
        let record = parse(Path::new("x.lock.yaml"), V2).unwrap();
        assert_eq!(record.zones["a"], Zone::Name("us-east-1a".into()));
        assert_eq!(record.zones["az4"], Zone::Id("use1-az4".into()));
        assert_eq!(record.ids["data"], "Database");
        assert_eq!(record.allocation.retired[0].az, "c");
        let text = render("x", &record);
        assert!(text.ends_with(V2), "{text}");
        assert_eq!(parse(Path::new("x.lock.yaml"), &text).unwrap(), record);
    }

    #[test]
    fn version_1_reads_with_stems_from_tier_names_and_no_zones() {
        let v1 = "version: 1\nvpc: 10.0.0.0/16\ntiers:\n  app-db:\n    prefix: 24\n    subnets:\n      a: 10.0.0.0/24\n";
        let record = parse(Path::new("x.lock.yaml"), v1).unwrap();
        assert!(record.zones.is_empty() && record.allocation.retired.is_empty());
        assert_eq!(record.ids["app-db"], "AppDb");
    }

    #[test]
    fn a_broken_tombstone_or_stem_is_located() {
        let broken = V2.replace("  cidr: 10.0.9.0/24", "  cidr: 10.0.9.0/33");
        let d = parse(Path::new("x.lock.yaml"), &broken).unwrap_err();
        assert_eq!((d.location.line, d.location.column), (17, 9), "{d}");
        let broken = V2.replace("  az: c\n", "  zone: c\n");
        let d = parse(Path::new("x.lock.yaml"), &broken).unwrap_err();
        assert!(d.message.contains("unknown field `zone`"), "{d}");
        assert_eq!(d.location.line, 16, "{d}");
        let broken = V2.replace("id: Database", "id: data-base");
        let d = parse(Path::new("x.lock.yaml"), &broken).unwrap_err();
        assert_eq!((d.location.line, d.location.column), (8, 9), "{d}");
    }
}
