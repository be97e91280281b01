//! `kind: database` — RDS PostgreSQL or MySQL, or Aurora PostgreSQL Serverless v2, in an
//! isolated tier: storage encrypted with a key of its own, the master password kept by RDS in
//! Secrets Manager (never in a template, a variable or the state), TLS forced by its parameter
//! group, logs exported to encrypted log groups, and — in production — Multi-AZ, deletion
//! protection, enhanced monitoring, Performance Insights and an AWS Backup plan.

pub mod engines;
pub mod rules;
pub mod view;

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::{Example, Toggle, Wanted};
use crate::blueprint::types::{Environment, RetentionDays, TierName};
pub use engines::Engine;

/// An RDS instance class: `db.` then a family and a size (`db.t4g.micro`, `db.m7g.large`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InstanceClass(String);

impl InstanceClass {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn shaped(value: &str) -> bool {
        let mut parts = value.split('.');
        let ok = |p: Option<&str>| {
            p.is_some_and(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
        };
        parts.next() == Some("db") && ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
    }
}

impl<'de> Deserialize<'de> for InstanceClass {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        if value == "db.serverless" {
            return Err(crate::blueprint::types::invalid_value(
                &value,
                "`db.serverless` is Aurora Serverless v2's class, which cloudwright chooses itself",
                "give `engine: aurora-postgres` and its `capacity`, or an instance class such as `db.t4g.medium`",
            ));
        }
        if !Self::shaped(&value) || value.len() > 40 {
            return Err(crate::blueprint::types::invalid_value(
                &value,
                format!("`{value}` is not an RDS instance class"),
                "give `db.`, a family and a size, for example `db.t4g.micro` or `db.m7g.large`",
            ));
        }
        Ok(InstanceClass(value))
    }
}

crate::schema_as!(InstanceClass, {
    "description": "An RDS instance class: `db.`, a family and a size (`db.t4g.micro`, `db.m7g.large`).",
    "type": "string",
    "pattern": "^db\\.[a-z0-9-]+\\.[a-z0-9-]+$",
    "maxLength": 40,
});

/// Aurora Serverless v2's capacity range, in Aurora capacity units (ACUs, about 2 GiB of memory
/// each).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// The least capacity: 0 lets the database pause when idle (it resumes on the next
    /// connection, in about 15 seconds); 0 to 256 in steps of 0.5.
    pub min: f64,
    /// The most capacity: 1 to 256 in steps of 0.5.
    pub max: f64,
}

/// ACUs Aurora Serverless v2 scales between.
pub const ACU: std::ops::RangeInclusive<f64> = 0.0..=256.0;
/// Allocated storage RDS accepts for PostgreSQL and MySQL on gp3, in GB.
pub const STORAGE_GB: std::ops::RangeInclusive<u32> = 20..=65_536;
/// Days RDS keeps automated backups.
pub const BACKUP_RETENTION: std::ops::RangeInclusive<u32> = 1..=35;
/// Days an AWS Backup plan keeps a recovery point (cloudwright's range: a day to ten years).
pub const BACKUP_PLAN_RETENTION: std::ops::RangeInclusive<u32> = 1..=3_650;

/// The AWS Backup plan's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPlan {
    /// Days each daily recovery point is kept: 35 when not given.
    #[serde(default = "default_plan_retention")]
    pub retention_days: u32,
}

fn default_plan_retention() -> u32 {
    35
}

impl Default for BackupPlan {
    fn default() -> Self {
        BackupPlan {
            retention_days: default_plan_retention(),
        }
    }
}

impl Example for BackupPlan {
    const EXAMPLE: &'static str = "{ retention_days: 35 }";
}

/// The thresholds of the database's alarms. Each has a default; every alarm notifies the topic
/// when it fires and again when it clears.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarms {
    /// The topic the alarms notify.
    pub topic: String,
    /// CPU use, in percent, that fires the alarm when held for 15 minutes: 80 when not given.
    #[serde(default)]
    pub cpu_percent: Option<u32>,
    /// Free storage, in GB, below which the alarm fires: a tenth of the allocated storage when
    /// not given (instances only: Aurora's storage grows by itself).
    #[serde(default)]
    pub free_storage_gb: Option<u32>,
    /// Freeable memory, in MB, below which the alarm fires: 256 when not given (instances only).
    #[serde(default)]
    pub freeable_memory_mb: Option<u32>,
    /// Open connections above which the alarm fires: no alarm when not given (the limit
    /// depends on the instance's memory).
    #[serde(default)]
    pub connections: Option<u32>,
    /// Aurora Serverless v2 only: capacity use, in percent of `capacity.max`, that fires the
    /// alarm when held for 15 minutes: 90 when not given.
    #[serde(default)]
    pub capacity_percent: Option<u32>,
}

/// `alarms:` as written: a topic's name, or the topic and thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmsSpec {
    pub alarms: Alarms,
    /// Given as the topic's name alone.
    pub by_name: bool,
}

impl<'de> Deserialize<'de> for AlarmsSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AlarmsSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a topic's name, or `{ topic: <name>, cpu_percent: 80, ... }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AlarmsSpec, E> {
                Ok(AlarmsSpec {
                    alarms: Alarms {
                        topic: v.to_string(),
                        cpu_percent: None,
                        free_storage_gb: None,
                        freeable_memory_mb: None,
                        connections: None,
                        capacity_percent: None,
                    },
                    by_name: true,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AlarmsSpec, A::Error> {
                Alarms::deserialize(de::value::MapAccessDeserializer::new(map)).map(|alarms| {
                    AlarmsSpec {
                        alarms,
                        by_name: false,
                    }
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl schemars::JsonSchema for AlarmsSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DatabaseAlarms".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The topic the database's alarms notify, or the topic and the alarms' thresholds.",
            "anyOf": [{ "type": "string" }, generator.subschema_for::<Alarms>()],
        })
    }
}

/// `kind: database`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `postgres` (the default), `mysql`, or `aurora-postgres` (Aurora Serverless v2).
    #[serde(default)]
    pub engine: Engine,
    /// The tier whose subnets (one per AZ, at least two) hold the database: one with
    /// `internet: none`.
    pub tier: TierName,
    /// The instance class: `db.t4g.micro` in development, `db.t4g.medium` in staging,
    /// `db.m7g.large` in production when not given. Not for Aurora Serverless v2.
    #[serde(default)]
    pub instance_class: Option<InstanceClass>,
    /// Allocated gp3 storage, in GB: 20 in development, 50 in staging, 100 in production when
    /// not given. Not for Aurora, whose storage grows by itself.
    #[serde(default)]
    pub storage_gb: Option<u32>,
    /// The ceiling storage autoscaling may grow to, in GB: no autoscaling when not given.
    #[serde(default)]
    pub max_storage_gb: Option<u32>,
    /// Aurora Serverless v2's capacity in ACUs: 0–2 in development (it pauses when idle),
    /// 0.5–4 in staging, 2–16 in production when not given.
    #[serde(default)]
    pub capacity: Option<Capacity>,
    /// A standby in a second AZ (an Aurora reader there): on in production when not given.
    #[serde(default)]
    pub multi_az: Option<bool>,
    /// Days RDS keeps automated backups (point-in-time recovery): 7 when not given, 1 to 35.
    #[serde(default)]
    pub backup_retention_days: Option<u32>,
    /// Refuse to delete the database: on in production when not given.
    #[serde(default)]
    pub deletion_protection: Option<bool>,
    /// Encrypt storage, snapshots and backups with a key of the database's own: on unless
    /// `false`, which rule SEC004 refuses.
    #[serde(default = "super::yes")]
    pub encrypted: bool,
    /// Let IAM roles sign in as database users (`rds-db:connect`), besides passwords.
    #[serde(default)]
    pub iam_auth: bool,
    /// The database created in it: the component's name in snake case when not given.
    #[serde(default)]
    pub database_name: Option<String>,
    /// The master user's name (its password RDS keeps in Secrets Manager): `dbadmin` when not
    /// given.
    #[serde(default)]
    pub master_username: Option<String>,
    /// Days the exported database logs are kept: 365 in production, 30 elsewhere when not given.
    #[serde(default)]
    pub log_retention_days: Option<RetentionDays>,
    /// A daily AWS Backup plan into a vault with a key of its own: on in production, off
    /// elsewhere when not given.
    #[serde(default)]
    pub backup: Option<Toggle<BackupPlan>>,
    #[serde(default)]
    pub alarms: Option<AlarmsSpec>,
}

/// Names PostgreSQL and MySQL keep for themselves, refused as the master user's name.
const RESERVED_USERS: &[&str] = &[
    "admin",
    "rdsadmin",
    "rdsrepladmin",
    "rds_superuser",
    "postgres",
    "root",
    "mysql",
    "public",
    "user",
];

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        self.alarms
            .iter()
            .map(|a| {
                let mut w = Wanted::alarms(at, &a.alarms.topic);
                if !a.by_name {
                    w.field = format!("{at}.alarms.topic");
                }
                w
            })
            .collect()
    }

    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        let mut refuse = |field: &str, message: String, help: &str| {
            problems.push(doc.error(&format!("{at}.{field}"), message, help));
        };
        let aurora = self.engine.is_aurora();
        if aurora {
            if self.instance_class.is_some() {
                refuse(
                    "instance_class",
                    "Aurora Serverless v2 has no instance class to choose: it scales in ACUs"
                        .into(),
                    "leave `instance_class` out and give `capacity: { min: 0.5, max: 4 }`",
                );
            }
            for field in ["storage_gb", "max_storage_gb"] {
                let given = if field == "storage_gb" {
                    self.storage_gb.is_some()
                } else {
                    self.max_storage_gb.is_some()
                };
                if given {
                    refuse(
                        field,
                        "Aurora's storage grows by itself, so there is none to allocate".into(),
                        "leave it out",
                    );
                }
            }
        } else if self.capacity.is_some() {
            refuse(
                "capacity",
                format!(
                    "capacity in ACUs is Aurora Serverless v2's, not {}'s",
                    self.engine
                ),
                "give `engine: aurora-postgres`, or `instance_class` for an instance",
            );
        }
        if let Some(c) = self.capacity {
            let step = |v: f64| (v * 2.0).fract() == 0.0;
            if !ACU.contains(&c.min) || !step(c.min) {
                refuse(
                    "capacity.min",
                    format!("Aurora Serverless v2 cannot scale down to {} ACUs", c.min),
                    "give 0 to 256 in steps of 0.5 (0 pauses the database when idle)",
                );
            }
            if !(1.0..=256.0).contains(&c.max) || !step(c.max) {
                refuse(
                    "capacity.max",
                    format!("Aurora Serverless v2 cannot scale up to {} ACUs", c.max),
                    "give 1 to 256 in steps of 0.5",
                );
            } else if c.max < c.min {
                refuse(
                    "capacity.max",
                    format!(
                        "the most capacity ({}) is below the least ({})",
                        c.max, c.min
                    ),
                    "give a `max` at least `min`",
                );
            }
        }
        if let Some(gb) = self.storage_gb
            && !STORAGE_GB.contains(&gb)
        {
            refuse(
                "storage_gb",
                format!("RDS cannot allocate {gb} GB of gp3 storage"),
                "give 20 to 65536 (GB)",
            );
        }
        if let Some(max) = self.max_storage_gb {
            let storage = self.storage_gb.unwrap_or(20);
            if max <= storage || max > *STORAGE_GB.end() {
                refuse(
                    "max_storage_gb",
                    format!(
                        "storage autoscaling needs a ceiling above the allocated {storage} GB and at most 65536, not {max}"
                    ),
                    "give a larger `max_storage_gb`, or leave it out for no autoscaling",
                );
            }
        }
        if let Some(d) = self.backup_retention_days
            && !BACKUP_RETENTION.contains(&d)
        {
            refuse(
                "backup_retention_days",
                format!("RDS cannot keep automated backups for {d} days"),
                "give 1 to 35 (days); `backup:` keeps daily recovery points longer",
            );
        }
        if let Some(Toggle(Some(p))) = self.backup
            && !BACKUP_PLAN_RETENTION.contains(&p.retention_days)
        {
            refuse(
                "backup.retention_days",
                format!(
                    "cloudwright keeps recovery points 1 to 3650 days, not {}",
                    p.retention_days
                ),
                "give 1 to 3650 (days)",
            );
        }
        if let Some(name) = &self.database_name {
            let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.len() <= self.engine.info().max_database_name;
            if !ok {
                refuse(
                    "database_name",
                    format!("`{name}` is not a {} database name", self.engine),
                    &format!(
                        "use a lower-case letter, then lower-case letters, digits and `_`, at most {} characters, for example `app`",
                        self.engine.info().max_database_name
                    ),
                );
            }
        }
        if let Some(user) = &self.master_username {
            let ok = user.starts_with(|c: char| c.is_ascii_lowercase())
                && user
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && user.len() <= 16;
            if !ok {
                refuse(
                    "master_username",
                    format!("`{user}` is not a master user name RDS accepts"),
                    "use a lower-case letter, then lower-case letters, digits and `_`, at most 16 characters, for example `dbadmin`",
                );
            } else if RESERVED_USERS.contains(&user.as_str()) {
                refuse(
                    "master_username",
                    format!("{} keeps the user name `{user}` for itself", self.engine),
                    "choose another name, for example `dbadmin`",
                );
            }
        }
        if let Some(a) = &self.alarms {
            let a = &a.alarms;
            if let Some(p) = a.cpu_percent
                && !(1..=100).contains(&p)
            {
                refuse(
                    "alarms.cpu_percent",
                    format!("{p}% is not a CPU use"),
                    "give 1 to 100",
                );
            }
            if let Some(p) = a.capacity_percent
                && !(1..=100).contains(&p)
            {
                refuse(
                    "alarms.capacity_percent",
                    format!("{p}% is not a share of the capacity"),
                    "give 1 to 100",
                );
            }
            if aurora {
                for (field, given) in [
                    ("free_storage_gb", a.free_storage_gb.is_some()),
                    ("freeable_memory_mb", a.freeable_memory_mb.is_some()),
                ] {
                    if given {
                        refuse(
                            &format!("alarms.{field}"),
                            "Aurora Serverless v2 grows its storage and memory by itself; its alarm is on capacity".into(),
                            "give `capacity_percent` instead",
                        );
                    }
                }
            } else if a.capacity_percent.is_some() {
                refuse(
                    "alarms.capacity_percent",
                    "capacity is Aurora Serverless v2's".into(),
                    "leave `capacity_percent` out, or give `engine: aurora-postgres`",
                );
            }
        }
        problems.extend(self.check_tier(at, doc));
        problems
    }

    /// The tier must exist and span at least two AZs (an RDS subnet group's least). A tier that
    /// routes to the internet is rule NET010's.
    fn check_tier(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let path = format!("{at}.tier");
        let Some(net) = &doc.blueprint.network else {
            return vec![doc.error(
                &path,
                format!(
                    "`tier: {}` places the database in a VPC, but the blueprint has no `network`",
                    self.tier
                ),
                "add a network with an isolated tier (`internet: none`) for it",
            )];
        };
        if !net.tiers.contains_key(&self.tier) {
            let names: Vec<&str> = net.tiers.keys().map(|t| t.as_str()).collect();
            let help =
                match crate::diagnostics::did_you_mean(self.tier.as_str(), names.iter().copied()) {
                    Some(t) => format!("did you mean `{t}`?"),
                    None => format!("name one of the tiers: {}", names.join(", ")),
                };
            return vec![doc.error(&path, format!("there is no tier `{}`", self.tier), help)];
        }
        if net.azs.count() < 2 {
            return vec![doc.error(
                &path,
                "an RDS database needs subnets in at least two AZs, and the network has one",
                "give the network two or more AZs (`azs: 2`)",
            )];
        }
        Vec::new()
    }

    pub fn plan(&self, env: Environment, name: &str) -> Plan {
        let production = env == Environment::Production;
        fn by_env<T>(env: Environment, dev: T, staging: T, prod: T) -> T {
            match env {
                Environment::Development => dev,
                Environment::Staging => staging,
                Environment::Production => prod,
            }
        }
        let aurora = self.engine.is_aurora();
        Plan {
            engine: self.engine,
            tier: self.tier.to_string(),
            instance_class: (!aurora).then(|| {
                self.instance_class.as_ref().map_or_else(
                    || by_env(env, "db.t4g.micro", "db.t4g.medium", "db.m7g.large").to_string(),
                    |c| c.as_str().to_string(),
                )
            }),
            storage_gb: (!aurora).then(|| self.storage_gb.unwrap_or(by_env(env, 20, 50, 100))),
            max_storage_gb: self.max_storage_gb,
            capacity: aurora.then(|| {
                self.capacity.unwrap_or(by_env(
                    env,
                    Capacity { min: 0.0, max: 2.0 },
                    Capacity { min: 0.5, max: 4.0 },
                    Capacity {
                        min: 2.0,
                        max: 16.0,
                    },
                ))
            }),
            multi_az: self.multi_az.unwrap_or(production),
            backup_retention_days: self.backup_retention_days.unwrap_or(7),
            deletion_protection: self.deletion_protection.unwrap_or(production),
            encrypted: self.encrypted,
            iam_auth: self.iam_auth,
            database_name: self
                .database_name
                .clone()
                .unwrap_or_else(|| name.replace('-', "_")),
            master_username: self
                .master_username
                .clone()
                .unwrap_or_else(|| "dbadmin".to_string()),
            log_retention_days: self
                .log_retention_days
                .map_or(if production { 365 } else { 30 }, |d| d.0),
            backup: match self.backup {
                Some(Toggle(plan)) => plan,
                None => production.then(BackupPlan::default),
            },
            monitoring: production,
            performance_insights: production,
            retain: production,
            alarms: self.alarms.as_ref().map(|a| a.alarms.clone()),
        }
    }
}

/// A database, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub engine: Engine,
    pub tier: String,
    /// The instance class (none for Aurora Serverless v2, whose instances are `db.serverless`).
    pub instance_class: Option<String>,
    pub storage_gb: Option<u32>,
    pub max_storage_gb: Option<u32>,
    pub capacity: Option<Capacity>,
    pub multi_az: bool,
    pub backup_retention_days: u32,
    pub deletion_protection: bool,
    pub encrypted: bool,
    pub iam_auth: bool,
    pub database_name: String,
    pub master_username: String,
    pub log_retention_days: u32,
    /// The AWS Backup plan, when the database has one.
    pub backup: Option<BackupPlan>,
    /// Enhanced monitoring every 60 seconds (production).
    pub monitoring: bool,
    /// Performance Insights, seven days, encrypted with the database's key (production).
    pub performance_insights: bool,
    /// The database and its key outlive the stack (production); elsewhere a final snapshot is
    /// taken when it is deleted.
    pub retain: bool,
    pub alarms: Option<Alarms>,
}

impl Plan {
    /// The alarms the database raises, when it has a topic for them: `cpu`, then `capacity`
    /// (Aurora Serverless v2) or `free-storage` and `free-memory`, then `connections` when a
    /// threshold is given.
    pub fn alarm_keys(&self) -> Vec<&'static str> {
        let Some(a) = &self.alarms else {
            return Vec::new();
        };
        let mut keys = vec!["cpu"];
        if self.engine.is_aurora() {
            keys.push("capacity");
        } else {
            keys.extend(["free-storage", "free-memory"]);
        }
        if a.connections.is_some() {
            keys.push("connections");
        }
        keys
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().title)
    }
}
