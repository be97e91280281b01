//! `kind: data_lake` — an S3 data lake catalogued by Glue and queried with Athena: one
//! customer-managed key, a bucket per zone (raw, processed, scripts, temp, athena-results, and
//! any the blueprint adds) with an access-log bucket, Glue databases for the raw and processed
//! zones, a crawler over the raw zone, ETL jobs under a security configuration, and an Athena
//! workgroup that enforces encrypted results and a per-query scan limit.
//!
//! Its parts are referenceable: `lake.<job>` is one of its Glue jobs (a pipeline step runs it).

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

pub mod rules;
pub mod view;

use crate::blueprint::types::{
    Description, Environment, GatewayEndpoint, InterfaceService, Internet, RetentionDays, TierName,
    check_kebab,
};
use crate::components::{Example, Toggle};

/// The zones every lake has, in order.
pub const ZONES: [&str; 5] = ["raw", "processed", "scripts", "temp", "athena-results"];

/// The most characters a zone name has: it ends the zone's bucket name.
pub const MAX_ZONE_NAME: usize = 14;

/// The Glue version the jobs run on: the current one with Spark 3.5 and Python 3.11.
pub const GLUE_VERSION: &str = "5.0";

/// Days, or `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Days(u32),
    Never,
}

impl After {
    pub fn days(self) -> Option<u32> {
        match self {
            After::Days(d) => Some(d),
            After::Never => None,
        }
    }
}

impl<'de> Deserialize<'de> for After {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        fn refuse<E: de::Error>(text: &str, shown: String) -> E {
            crate::blueprint::types::invalid_value(
                text,
                format!("{shown} is not a number of days S3 lifecycle rules take"),
                "give 1 or more days, or `never`",
            )
        }
        struct V;
        impl de::Visitor<'_> for V {
            type Value = After;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of days (1 or more) or `never`")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<After, E> {
                match u32::try_from(v) {
                    Ok(d) if d >= 1 => Ok(After::Days(d)),
                    _ => Err(refuse(&v.to_string(), v.to_string())),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<After, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(refuse(&v.to_string(), v.to_string())),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<After, E> {
                if v == "never" {
                    Ok(After::Never)
                } else {
                    Err(refuse(v, format!("`{v}`")))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(After, {
    "description": "A number of days (1 or more), or `never`.",
    "anyOf": [{ "type": "integer", "minimum": 1 }, { "const": "never" }],
});

/// A zone's lifecycle, as written: every field optional, the zone's defaults fill the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneSpec {
    /// Days after which objects move to S3 Standard-IA.
    #[serde(default)]
    pub infrequent_access_after_days: Option<After>,
    /// Days after which objects move to S3 Glacier Flexible Retrieval.
    #[serde(default)]
    pub glacier_after_days: Option<After>,
    /// Days after which objects expire (a delete marker; the old version goes after
    /// `noncurrent_version_days`).
    #[serde(default)]
    pub expire_after_days: Option<After>,
    /// Objects move between access tiers by themselves (S3 Intelligent-Tiering) from day 0.
    #[serde(default)]
    pub intelligent_tiering: Option<bool>,
    /// S3 keeps every version of every object (on when not given). `false` suspends
    /// versioning, for scratch data rewritten many times over (rule DAT005).
    #[serde(default)]
    pub versioning: Option<bool>,
}

/// A zone's lifecycle, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    pub infrequent_access_after_days: Option<u32>,
    pub glacier_after_days: Option<u32>,
    pub expire_after_days: Option<u32>,
    pub intelligent_tiering: bool,
}

impl Lifecycle {
    /// What a zone gets when the blueprint says nothing: raw data cools to Standard-IA at 90
    /// days and Glacier at a year and is gone after seven; temporary files and query results
    /// go after a week and a month; the rest stays.
    pub fn default_for(zone: &str) -> Lifecycle {
        let (ia, glacier, expire) = match zone {
            "raw" => (Some(90), Some(365), Some(2_555)),
            "temp" => (None, None, Some(7)),
            "athena-results" => (None, None, Some(30)),
            _ => (None, None, None),
        };
        Lifecycle {
            infrequent_access_after_days: ia,
            glacier_after_days: glacier,
            expire_after_days: expire,
            intelligent_tiering: false,
        }
    }

    fn with(self, spec: &ZoneSpec) -> Lifecycle {
        let pick = |given: Option<After>, default: Option<u32>| match given {
            Some(a) => a.days(),
            None => default,
        };
        Lifecycle {
            infrequent_access_after_days: pick(
                spec.infrequent_access_after_days,
                self.infrequent_access_after_days,
            ),
            glacier_after_days: pick(spec.glacier_after_days, self.glacier_after_days),
            expire_after_days: pick(spec.expire_after_days, self.expire_after_days),
            intelligent_tiering: spec.intelligent_tiering.unwrap_or(self.intelligent_tiering),
        }
    }

    /// The transitions, in days, that come on or after the expiry: data that would be deleted
    /// before (or as) it moves.
    pub fn transitions_after_expiry(&self) -> Vec<(&'static str, u32)> {
        let Some(expire) = self.expire_after_days else {
            return Vec::new();
        };
        [
            (
                "infrequent_access_after_days",
                self.infrequent_access_after_days,
            ),
            ("glacier_after_days", self.glacier_after_days),
        ]
        .into_iter()
        .filter_map(|(f, d)| d.filter(|d| *d >= expire).map(|d| (f, d)))
        .collect()
    }
}

/// Glue's worker types for Spark ETL jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub enum WorkerType {
    #[serde(rename = "G.1X")]
    #[default]
    G1x,
    #[serde(rename = "G.2X")]
    G2x,
    #[serde(rename = "G.4X")]
    G4x,
    #[serde(rename = "G.8X")]
    G8x,
}

impl WorkerType {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerType::G1x => "G.1X",
            WorkerType::G2x => "G.2X",
            WorkerType::G4x => "G.4X",
            WorkerType::G8x => "G.8X",
        }
    }
}

/// The most workers a job may ask for (Glue's default service quota per job).
pub const WORKERS: std::ops::RangeInclusive<u32> = 2..=299;
/// A Glue run's timeout in minutes: up to a week.
const TIMEOUT_MINUTES: std::ops::RangeInclusive<u32> = 1..=10_080;
/// A Glue job's concurrent runs.
const MAX_CONCURRENT_RUNS: std::ops::RangeInclusive<u32> = 1..=1_000;
/// A Glue job's retries.
const MAX_RETRIES: std::ops::RangeInclusive<u32> = 0..=10;
/// Athena's per-query scan limit in gigabytes: up to a pebibyte.
const SCAN_LIMIT_GB: std::ops::RangeInclusive<u32> = 1..=1_048_576;

/// A Glue ETL job, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    #[serde(default)]
    pub description: Option<Description>,
    /// The zone it reads, through the zone's Glue database: `raw` when not given.
    #[serde(default)]
    pub source: Option<String>,
    /// The table of the source database it reads (the crawler names tables after the raw
    /// zone's top-level folders): the job's name, in snake case, when not given.
    #[serde(default)]
    pub source_table: Option<String>,
    /// The zone it writes Parquet to: `processed` when not given.
    #[serde(default)]
    pub target: Option<String>,
    /// Columns the output is partitioned by.
    #[serde(default)]
    pub partition_by: Vec<String>,
    #[serde(default)]
    pub worker_type: WorkerType,
    /// The most workers a run scales out to (auto scaling starts smaller): 10 when not given.
    #[serde(default)]
    #[schemars(range(min = *WORKERS.start(), max = *WORKERS.end()))]
    pub workers: Option<u32>,
    /// Minutes a run may take before Glue stops it: 60 when not given.
    #[serde(default)]
    #[schemars(range(min = *TIMEOUT_MINUTES.start(), max = *TIMEOUT_MINUTES.end()))]
    pub timeout_minutes: Option<u32>,
    /// Runs of the job at the same time: 1 when not given.
    #[serde(default)]
    #[schemars(range(min = *MAX_CONCURRENT_RUNS.start(), max = *MAX_CONCURRENT_RUNS.end()))]
    pub max_concurrent_runs: Option<u32>,
    /// Times Glue retries a failed run: 0 when not given (a pipeline retries instead).
    #[serde(default)]
    #[schemars(range(min = *MAX_RETRIES.start(), max = *MAX_RETRIES.end()))]
    pub max_retries: Option<u32>,
    /// Job bookmarks: each run reads only what is new since the last (on when not given).
    #[serde(default)]
    pub bookmarks: Option<bool>,
}

/// The crawler over the raw zone, as written: a mapping, `true` (no schedule), or `false`.
pub type CrawlerSpec = Toggle<Crawler>;

impl Example for Crawler {
    const EXAMPLE: &'static str = "{ schedule: cron(0 6 * * ? *) }";
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Crawler {
    /// When it runs: a Glue cron expression in UTC, `cron(0 6 * * ? *)`; on demand only when
    /// not given (rule DAT002 wants a schedule in production).
    #[serde(default, deserialize_with = "glue_cron")]
    pub schedule: Option<String>,
}

fn glue_cron<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let v = String::deserialize(deserializer)?;
    let fields = v.strip_prefix("cron(").and_then(|r| r.strip_suffix(')'));
    let ok = fields.is_some_and(|f| {
        f.split(' ').filter(|s| !s.is_empty()).count() == 6
            && f.chars()
                .all(|c| c.is_ascii_alphanumeric() || " */?,-#LW".contains(c))
    });
    if ok {
        Ok(Some(v))
    } else {
        Err(crate::blueprint::types::invalid_value(
            &v,
            format!("`{v}` is not a Glue schedule"),
            "give a cron expression with six fields, in UTC, for example `cron(0 6 * * ? *)` (daily at 06:00)",
        ))
    }
}

/// The Athena workgroup, as written: a mapping, `true`, or `false` (no workgroup).
pub type AthenaSpec = Toggle<Athena>;

impl Example for Athena {
    const EXAMPLE: &'static str = "{ scan_limit_gb: 10 }";
}

impl Default for Athena {
    fn default() -> Self {
        Athena {
            scan_limit_gb: default_scan_limit(),
            enforce_configuration: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Athena {
    /// Gigabytes one query may scan before Athena cancels it: 10 when not given.
    #[serde(default = "default_scan_limit")]
    #[schemars(range(min = *SCAN_LIMIT_GB.start(), max = *SCAN_LIMIT_GB.end()))]
    pub scan_limit_gb: u32,
    /// Queries run with the workgroup's settings (encrypted results in the lake's zone, the
    /// scan limit) whatever the client asks; `false` lets clients choose their own result
    /// location and encryption (rule DAT006). On when not given.
    #[serde(default = "crate::components::yes")]
    pub enforce_configuration: bool,
}

fn default_scan_limit() -> u32 {
    10
}

/// A zone's or job's name: kebab-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PartName(String);

impl PartName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PartName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        check_kebab::<D::Error>("name", &value, MAX_ZONE_NAME)?;
        Ok(PartName(value))
    }
}

crate::schema_as!(PartName, {
    "description": "A zone's or job's name: kebab-case.",
    "type": "string",
    "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "maxLength": MAX_ZONE_NAME,
});

/// `kind: data_lake`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub description: Option<Description>,
    /// Lifecycle of the standard zones, and further zones of the blueprint's own.
    #[serde(default)]
    pub zones: IndexMap<PartName, ZoneSpec>,
    /// Days an object's old versions are kept after it is overwritten or deleted: 90 when not
    /// given.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub noncurrent_version_days: Option<u32>,
    /// Days the access-log bucket keeps S3's server access logs: a year in production, 90 days
    /// elsewhere, when not given.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub access_log_days: Option<u32>,
    #[serde(default)]
    pub crawler: CrawlerSpec,
    /// The Glue ETL jobs, by name: `lake.<name>` in a pipeline step.
    #[serde(default)]
    pub jobs: IndexMap<PartName, JobSpec>,
    #[serde(default)]
    pub athena: AthenaSpec,
    /// Days the Glue jobs' log groups keep logs: a year in production, a month elsewhere.
    #[serde(default)]
    pub log_retention_days: Option<RetentionDays>,
    /// A network tier: the jobs run in its subnets, through a Glue network connection per AZ,
    /// with a security group of their own.
    #[serde(default)]
    pub tier: Option<TierName>,
    /// Encrypt the account's Glue Data Catalog (in the blueprint's region) with the lake's key:
    /// the metadata every later write puts there, and connection passwords. The setting is the
    /// account's, not the lake's; off when not given (rule DAT004).
    #[serde(default)]
    pub catalog_encryption: Option<bool>,
    /// Grant the Glue role Lake Formation permissions on the lake's databases and their
    /// tables, for accounts whose catalog Lake Formation governs; off when not given.
    #[serde(default)]
    pub lake_formation: Option<bool>,
}

/// What the Glue role may do in Lake Formation on each of the lake's databases: see it, and the
/// crawler and jobs create and change tables in it.
pub const LF_DATABASE_PERMISSIONS: [&str; 3] = ["CREATE_TABLE", "ALTER", "DESCRIBE"];
/// What it may do on every table of those databases: read and write the data (jobs), change
/// schemas and partitions (crawler, jobs). No DROP: the crawler only logs deleted objects.
pub const LF_TABLE_PERMISSIONS: [&str; 5] = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"];

/// What a Glue job in a VPC calls besides S3 when its calls go through the VPC
/// (`--disable-proxy-v2`): the catalog and bookmarks (Glue), the security configuration's key
/// (KMS) and job metrics (CloudWatch); its logs keep going through Glue's own proxy. From a tier
/// with no route out it reaches them only through interface endpoints.
const JOB_SERVICES: [InterfaceService; 3] = [
    InterfaceService::Glue,
    InterfaceService::Kms,
    InterfaceService::Monitoring,
];

impl Spec {
    /// The parts other components may name: its jobs.
    pub fn parts(&self) -> Vec<String> {
        self.jobs.keys().map(ToString::to_string).collect()
    }

    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        if let Some(tier) = &self.tier {
            problems.extend(self.check_tier(tier, &format!("{at}.tier"), doc));
        }
        if self.catalog_encryption == Some(true) {
            problems.extend(Self::check_one_catalog_key(at, doc));
        }
        let zones = self.zone_names();
        for (name, job) in &self.jobs {
            let path = format!("{at}.jobs.{name}");
            for (field, zone, default) in [
                ("source", &job.source, "raw"),
                ("target", &job.target, "processed"),
            ] {
                let zone = zone.as_deref().unwrap_or(default);
                if !zones.iter().any(|z| z == zone) {
                    let help = match crate::diagnostics::did_you_mean(
                        zone,
                        zones.iter().map(String::as_str),
                    ) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("the lake's zones: {}", zones.join(", ")),
                    };
                    problems.push(doc.error(
                        &format!("{path}.{field}"),
                        format!("the lake has no zone `{zone}`"),
                        help,
                    ));
                } else if ["scripts", "temp", "athena-results"].contains(&zone) {
                    problems.push(doc.error(
                        &format!("{path}.{field}"),
                        format!("zone `{zone}` is the lake's own, not data a job reads or writes"),
                        "use `raw`, `processed`, or a zone of the blueprint's own",
                    ));
                }
            }
            if job.source.as_deref().unwrap_or("raw")
                == job.target.as_deref().unwrap_or("processed")
            {
                problems.push(doc.error(
                    &format!("{path}.target"),
                    "the job would write into the zone it reads",
                    "write to another zone (`processed` by default)",
                ));
            }
            let ranges: [(&str, Option<u32>, std::ops::RangeInclusive<u32>, String); 4] = [
                (
                    "workers",
                    job.workers,
                    WORKERS,
                    "a Glue Spark job's workers".into(),
                ),
                (
                    "timeout_minutes",
                    job.timeout_minutes,
                    TIMEOUT_MINUTES,
                    "a Glue run's timeout in minutes (10080 is a week)".into(),
                ),
                (
                    "max_concurrent_runs",
                    job.max_concurrent_runs,
                    MAX_CONCURRENT_RUNS,
                    "a Glue job's concurrent runs".into(),
                ),
                (
                    "max_retries",
                    job.max_retries,
                    MAX_RETRIES,
                    "a Glue job's retries".into(),
                ),
            ];
            for (field, value, range, what) in ranges {
                out_of_range(
                    &mut problems,
                    doc,
                    &format!("{path}.{field}"),
                    value,
                    range,
                    &what,
                );
            }
            if let Some(t) = &job.source_table
                && !glue_table_name(t)
            {
                problems.push(doc.error(
                    &format!("{path}.source_table"),
                    format!("`{t}` is not a Glue table name"),
                    "use 1 to 255 lowercase letters, digits and `_`",
                ));
            }
            for (i, column) in job.partition_by.iter().enumerate() {
                if !glue_table_name(column) {
                    problems.push(doc.error(
                        &format!("{path}.partition_by[{i}]"),
                        format!("`{column}` is not a column name Athena can query"),
                        "use lowercase letters, digits and `_`",
                    ));
                }
            }
        }
        for name in &zones {
            let l = self.lifecycle_of(name);
            let path = format!("{at}.zones.{name}");
            if let Some(ia) = l.infrequent_access_after_days {
                if ia < 30 {
                    problems.push(doc.error(
                        &format!("{path}.infrequent_access_after_days"),
                        format!("S3 moves objects to Standard-IA after 30 days at the earliest, not {ia}"),
                        "give 30 or more days",
                    ));
                }
                if l.intelligent_tiering {
                    problems.push(doc.error(
                        &format!("{path}.intelligent_tiering"),
                        "objects in Intelligent-Tiering cannot move on to Standard-IA",
                        "use one of them: Intelligent-Tiering moves objects between its own access tiers",
                    ));
                }
                if let Some(g) = l.glacier_after_days
                    && g < ia + 30
                {
                    problems.push(doc.error(
                        &format!("{path}.glacier_after_days"),
                        format!("S3 moves objects to Glacier at least 30 days after Standard-IA ({ia}), not at {g}"),
                        format!("give {} or more days", ia + 30),
                    ));
                }
            }
        }
        let ranges: [(&str, Option<u32>, std::ops::RangeInclusive<u32>, &str); 3] = [
            (
                "noncurrent_version_days",
                self.noncurrent_version_days,
                1..=u32::MAX,
                "the days S3 keeps an old version",
            ),
            (
                "access_log_days",
                self.access_log_days,
                1..=u32::MAX,
                "the days S3 keeps an access log",
            ),
            (
                "athena.scan_limit_gb",
                self.athena.0.map(|a| a.scan_limit_gb),
                SCAN_LIMIT_GB,
                "Athena's per-query limit in gigabytes (1048576 is a pebibyte)",
            ),
        ];
        for (field, value, range, what) in ranges {
            out_of_range(
                &mut problems,
                doc,
                &format!("{at}.{field}"),
                value,
                range,
                what,
            );
        }
        problems
    }

    /// A zone's lifecycle: its defaults, with what the blueprint gives for it.
    fn lifecycle_of(&self, zone: &str) -> Lifecycle {
        Lifecycle::default_for(zone).with(&self.spec_of(zone))
    }

    /// What the blueprint gives for a zone: nothing, for a standard zone it leaves out.
    fn spec_of(&self, zone: &str) -> ZoneSpec {
        self.zones
            .iter()
            .find(|(k, _)| k.as_str() == zone)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    }

    /// An account and region has one Data Catalog, so one key: the lake at `at` is the first of
    /// the blueprint's to encrypt it.
    fn check_one_catalog_key(
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Option<crate::diagnostics::Diagnostic> {
        let this = at.strip_prefix("components.")?;
        let first = doc
            .blueprint
            .components
            .iter()
            .find_map(|(name, c)| match c {
                crate::components::Component::DataLake(l) if l.catalog_encryption == Some(true) => {
                    Some(name.as_str())
                }
                _ => None,
            })?;
        (first != this).then(|| {
            doc.error(
                &format!("{at}.catalog_encryption"),
                format!(
                    "lake `{first}` already encrypts the account's Data Catalog with its key; a catalog has one key"
                ),
                format!("leave `catalog_encryption` to `{first}`: its key encrypts what this lake writes to the catalog too"),
            )
        })
    }

    /// The jobs' tier: it exists, holds no public interfaces, and the network reaches what a job
    /// calls: S3 through a gateway endpoint (Glue requires one for jobs with a connection), and
    /// the other services through interface endpoints when the tier has no route out.
    fn check_tier(
        &self,
        tier: &TierName,
        path: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        if self.jobs.is_empty() {
            return vec![doc.error(
                path,
                "`tier` places the lake's Glue jobs, but the lake has none",
                "add a job under `jobs`, or leave `tier` out",
            )];
        }
        let (net, t) = match super::check_tier(tier, path, "Glue jobs'", doc) {
            Ok(found) => found,
            Err(e) => return e,
        };
        let mut problems = Vec::new();
        if !net.endpoints.contains(&GatewayEndpoint::S3) {
            problems.push(doc.error(
                path,
                "Glue jobs in a VPC reach S3 through a gateway endpoint, and the network has none",
                "add `s3` to `network.endpoints` (gateway endpoints are free)",
            ));
        }
        if t.internet == Internet::None {
            let listed = net
                .interface_endpoints
                .as_ref()
                .map(|ie| ie.services.as_slice())
                .unwrap_or_default();
            let missing: Vec<&str> = JOB_SERVICES
                .iter()
                .filter(|s| !listed.contains(s))
                .map(|s| s.service())
                .collect();
            if !missing.is_empty() {
                problems.push(doc.error(
                    path,
                    format!(
                        "tier `{tier}` has no route out, and the network has no interface endpoint for {}, which the jobs call",
                        crate::diagnostics::code_list(&missing)
                    ),
                    format!(
                        "add {} to `network.interface_endpoints.services`, or name a tier with `internet: outbound`",
                        missing.join(", ")
                    ),
                ));
            }
        }
        problems
    }

    /// Every zone: the standard ones, then the blueprint's own.
    pub fn zone_names(&self) -> Vec<String> {
        let mut names: Vec<String> = ZONES.iter().map(|z| z.to_string()).collect();
        for z in self.zones.keys() {
            if !names.iter().any(|n| n == z.as_str()) {
                names.push(z.to_string());
            }
        }
        names
    }

    /// The lake in `env`, in blueprint `blueprint` (whose name starts its bucket names).
    pub fn plan(&self, env: Environment, blueprint: &str) -> Plan {
        let production = env == Environment::Production;
        let zones = self
            .zone_names()
            .into_iter()
            .map(|name| Zone {
                lifecycle: self.lifecycle_of(&name),
                versioned: self.spec_of(&name).versioning.unwrap_or(true),
                name,
            })
            .collect();
        let jobs = self
            .jobs
            .iter()
            .map(|(name, j)| Job {
                name: name.to_string(),
                description: j.description.as_ref().map(ToString::to_string),
                source: j.source.clone().unwrap_or_else(|| "raw".into()),
                source_table: j
                    .source_table
                    .clone()
                    .unwrap_or_else(|| name.as_str().replace('-', "_")),
                target: j.target.clone().unwrap_or_else(|| "processed".into()),
                partition_by: j.partition_by.clone(),
                worker_type: j.worker_type,
                workers: j.workers.unwrap_or(10),
                timeout_minutes: j.timeout_minutes.unwrap_or(60),
                max_concurrent_runs: j.max_concurrent_runs.unwrap_or(1),
                max_retries: j.max_retries.unwrap_or(0),
                bookmarks: j.bookmarks.unwrap_or(true),
            })
            .collect();
        Plan {
            short: crate::naming::fit(blueprint, 20),
            description: self.description.as_ref().map(ToString::to_string),
            zones,
            noncurrent_version_days: self.noncurrent_version_days.unwrap_or(90),
            access_log_days: self
                .access_log_days
                .unwrap_or(if production { 365 } else { 90 }),
            crawler: self.crawler.0.clone(),
            jobs,
            athena: self.athena.0,
            log_retention_days: self
                .log_retention_days
                .map_or(if production { 365 } else { 30 }, |d| d.0),
            retain: production,
            tier: self.tier.as_ref().map(ToString::to_string),
            catalog_encryption: self.catalog_encryption.unwrap_or(false),
            lake_formation: self.lake_formation.unwrap_or(false),
        }
    }
}

/// A located error when `value` is given and outside `range`: `what` names the setting.
fn out_of_range(
    problems: &mut Vec<crate::diagnostics::Diagnostic>,
    doc: &crate::blueprint::Document,
    path: &str,
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
    what: &str,
) {
    if let Some(v) = value
        && !range.contains(&v)
    {
        let accepted = if *range.end() == u32::MAX {
            format!("{} or more", range.start())
        } else {
            format!("{} to {}", range.start(), range.end())
        };
        problems.push(doc.error(
            path,
            format!("{what} must be {accepted}, not {v}"),
            format!("give {accepted}"),
        ));
    }
}

/// A Glue (and Athena) table or column name.
fn glue_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A zone, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    pub name: String,
    pub lifecycle: Lifecycle,
    /// S3 keeps every version; when not, versioning is suspended (never "unversioned": a
    /// bucket once versioned can only be suspended, so a change either way is one update).
    pub versioned: bool,
}

/// A job, resolved.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub description: Option<String>,
    pub source: String,
    pub source_table: String,
    pub target: String,
    pub partition_by: Vec<String>,
    pub worker_type: WorkerType,
    pub workers: u32,
    pub timeout_minutes: u32,
    pub max_concurrent_runs: u32,
    pub max_retries: u32,
    pub bookmarks: bool,
}

/// A lake, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The blueprint's name fitted to 20 characters: the start of the lake's global names.
    pub short: String,
    pub description: Option<String>,
    pub zones: Vec<Zone>,
    pub noncurrent_version_days: u32,
    pub access_log_days: u32,
    pub crawler: Option<Crawler>,
    pub jobs: Vec<Job>,
    pub athena: Option<Athena>,
    pub log_retention_days: u32,
    /// Buckets, databases and the key outlive the stack (production): they hold the data.
    pub retain: bool,
    /// The tier the jobs run in.
    pub tier: Option<String>,
    /// The lake's key encrypts the account's Data Catalog.
    pub catalog_encryption: bool,
    /// The Glue role holds Lake Formation grants on the lake's databases and tables.
    pub lake_formation: bool,
}

impl Plan {
    /// The key outlives the stack where the data does, and wherever it encrypts the catalog:
    /// every catalog object written meanwhile, by anyone, is encrypted with it.
    pub fn retain_key(&self) -> bool {
        self.retain || self.catalog_encryption
    }
}

impl Plan {
    /// Whether the lake reads or writes `zone` in a job (the zones with a Glue database).
    pub fn has_database(&self, zone: &str) -> bool {
        zone == "raw"
            || zone == "processed"
            || self
                .jobs
                .iter()
                .any(|j| j.source == zone || j.target == zone)
    }

    /// The zones with a Glue database, in zone order.
    pub fn databases(&self) -> Vec<&Zone> {
        self.zones
            .iter()
            .filter(|z| self.has_database(&z.name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_data_cools_before_it_expires_by_default() {
        let raw = Lifecycle::default_for("raw");
        assert_eq!(raw.infrequent_access_after_days, Some(90));
        assert_eq!(raw.glacier_after_days, Some(365));
        assert_eq!(raw.expire_after_days, Some(2_555));
        assert!(raw.transitions_after_expiry().is_empty());
    }

    #[test]
    fn a_key_that_encrypts_the_catalog_outlives_the_stack_everywhere() {
        let spec: Spec = serde_yaml::from_str("catalog_encryption: true").unwrap();
        let dev = spec.plan(Environment::Development, "bp");
        assert!(dev.catalog_encryption);
        assert!(!dev.retain, "the buckets and databases go with the stack");
        assert!(dev.retain_key());
        let plain: Spec = serde_yaml::from_str("{}").unwrap();
        assert!(!plain.plan(Environment::Development, "bp").retain_key());
        assert!(plain.plan(Environment::Production, "bp").retain_key());
    }

    #[test]
    fn zones_are_versioned_and_the_workgroup_enforced_unless_turned_off() {
        let spec: Spec = serde_yaml::from_str("zones: { curated: {} }").unwrap();
        let plan = spec.plan(Environment::Development, "bp");
        assert!(plan.zones.iter().all(|z| z.versioned));
        assert_eq!(plan.zones.len(), 6);
        assert!(plan.athena.is_some_and(|a| a.enforce_configuration));
        let spec: Spec = serde_yaml::from_str(
            "{ zones: { temp: { versioning: false } }, athena: { enforce_configuration: false } }",
        )
        .unwrap();
        let plan = spec.plan(Environment::Development, "bp");
        let unversioned: Vec<&str> = plan
            .zones
            .iter()
            .filter(|z| !z.versioned)
            .map(|z| z.name.as_str())
            .collect();
        assert_eq!(unversioned, ["temp"]);
        assert!(plan.athena.is_some_and(|a| !a.enforce_configuration));
        assert_eq!(
            plan.athena.unwrap().scan_limit_gb,
            10,
            "the other defaults stay"
        );
    }

    #[test]
    fn an_expiry_before_a_transition_is_found() {
        let l = Lifecycle::default_for("raw").with(&ZoneSpec {
            expire_after_days: Some(After::Days(365)),
            ..ZoneSpec::default()
        });
        assert_eq!(
            l.transitions_after_expiry(),
            vec![("glacier_after_days", 365)]
        );
        let never = Lifecycle::default_for("raw").with(&ZoneSpec {
            expire_after_days: Some(After::Never),
            ..ZoneSpec::default()
        });
        assert_eq!(never.expire_after_days, None);
        assert!(never.transitions_after_expiry().is_empty());
    }
}
