//! What the database templates read.

use serde::Serialize;

use super::Plan as DatabasePlan;
use crate::components::Skip;
use crate::components::table::view::Key;
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

/// One exported log and the group it goes to.
#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    /// The engine's name for the log (`postgresql`), as `EnableCloudwatchLogsExports` lists it.
    pub log: &'static str,
    /// Logical-ID part and Terraform name part: `Postgresql`, `postgresql`.
    pub id: String,
    pub key: String,
    pub name: Expr,
}

/// Traffic the database admits: one connecting component's security group, on the port.
#[derive(Debug, Clone, Serialize)]
pub struct Ingress {
    pub id: String,
    pub key: String,
    /// The connecting security group, in each target.
    pub from: Expr,
    pub description: String,
}

/// Enhanced monitoring's role.
#[derive(Debug, Clone, Serialize)]
pub struct Monitoring {
    pub role_description: String,
    pub trust_policy: Doc,
    pub policy: Doc,
}

/// The AWS Backup plan, its vault and the role that takes the recovery points.
#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    pub comment: String,
    pub vault_name: Expr,
    pub plan_name: Expr,
    pub retention_days: u32,
    pub key: Key,
    pub role_description: String,
    pub trust_policy: Doc,
    /// The AWS managed policy AWS Backup documents for the role that takes backups.
    pub managed_policy: Expr,
    pub selection_name: String,
}

/// One CloudWatch alarm on the database.
#[derive(Debug, Clone, Serialize)]
pub struct Alarm {
    /// Logical-ID part and Terraform name part: `Cpu`, `cpu`.
    pub id: String,
    pub key: String,
    pub name: Expr,
    pub description: String,
    pub metric: &'static str,
    pub statistic: &'static str,
    pub threshold: u64,
    pub comparison: &'static str,
    /// Five-minute periods the threshold must be crossed for.
    pub evaluation_periods: u32,
    /// Why missing data counts as it does, for the comment beside it.
    pub treat_missing: &'static str,
    pub treat_missing_reason: &'static str,
    pub topic: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub comment: Vec<String>,
    pub title: &'static str,
    pub engine: &'static str,
    pub cfn_version: &'static str,
    pub tf_version: &'static str,
    pub family: &'static str,
    pub port: u16,
    pub aurora: bool,
    pub instance_class: Option<String>,
    pub storage_gb: Option<u32>,
    pub max_storage_gb: Option<u32>,
    pub min_capacity: Option<f64>,
    pub max_capacity: Option<f64>,
    pub multi_az: bool,
    pub backup_retention_days: u32,
    pub deletion_protection: bool,
    pub encrypted: bool,
    pub iam_auth: bool,
    pub database_name: String,
    pub master_username: String,
    /// `<stack>-<name>`: the instance's (or cluster's) identifier. Fixed for the deployment so
    /// that its log groups can be made first; a change that would replace the database fails
    /// instead of making a second one.
    pub identifier: Expr,
    /// The key of its own that encrypts storage, snapshots, the master secret, Performance
    /// Insights and the exported logs' groups.
    pub key: Option<Key>,
    pub subnet_group_description: String,
    pub subnet_ids: Vec<String>,
    pub subnet_keys: Vec<String>,
    pub security_group_description: String,
    pub security_group_name_prefix: String,
    /// The Terraform name prefix of its roles (enhanced monitoring, AWS Backup).
    pub role_name_prefix: String,
    pub ingress: Vec<Ingress>,
    pub parameter_group_description: String,
    pub parameters: Vec<(&'static str, &'static str)>,
    pub log_groups: Vec<LogGroup>,
    pub log_retention_days: u32,
    pub log_key_description: String,
    pub log_key_alias: Expr,
    pub log_key_policy: Doc,
    pub log_skips: Vec<Skip>,
    pub monitoring: Option<Monitoring>,
    pub performance_insights: bool,
    pub retain: bool,
    /// The final snapshot's identifier outside production (Terraform; CloudFormation's
    /// `DeletionPolicy: Snapshot` names its own).
    pub final_snapshot: Expr,
    pub backup: Option<Backup>,
    pub alarms: Vec<Alarm>,
    pub skips: Vec<Skip>,
    /// The writer and, with Multi-AZ, the reader of an Aurora cluster.
    pub instances: Vec<AuroraInstance>,
}

/// One instance of an Aurora Serverless v2 cluster.
#[derive(Debug, Clone, Serialize)]
pub struct AuroraInstance {
    pub id: &'static str,
    pub key: &'static str,
    /// Its failover priority: the reader is promoted first.
    pub promotion_tier: u8,
    /// The instance it is made after (the reader after the writer): its logical-ID part and
    /// Terraform name part.
    pub after: Option<(&'static str, &'static str)>,
}

/// `<stack>-<name>`, and `<stack>-<name><suffix>`.
fn named(name: &str, suffix: &str) -> Expr {
    Expr(vec![Part::Stack, Part::Lit(format!("-{name}{suffix}"))])
}

/// `<blueprint, fitted>-<8 characters of the deployment's ID>-<name><suffix>`: what RDS names
/// the database and its final snapshot. Lower case (RDS lowercases identifiers, and the log
/// groups it exports to must match), at most 63 characters, and new for every deployment, so
/// that a stack made again under the same name does not meet the retained log groups of the
/// first.
fn identified(plan: &Plan, name: &str, suffix: &str) -> Expr {
    Expr(vec![
        Part::Short(crate::naming::fit(&plan.name, 20)),
        Part::Lit(format!("-{name}{suffix}")),
    ])
}

/// The ARN of the database (the cluster for Aurora), which AWS Backup selects.
pub fn arn(ids: &crate::components::Ids, aurora: bool) -> Expr {
    if aurora {
        ids.res("Cluster", Some("DBClusterArn"), "aws_rds_cluster", "arn")
    } else {
        ids.res("Instance", Some("DBInstanceArn"), "aws_db_instance", "arn")
    }
}

/// The ARN of the master user's secret, which RDS creates and rotates.
pub fn secret_arn(ids: &crate::components::Ids, aurora: bool) -> Expr {
    if aurora {
        ids.res(
            "Cluster",
            Some("MasterUserSecret.SecretArn"),
            "aws_rds_cluster",
            "master_user_secret[0].secret_arn",
        )
    } else {
        ids.res(
            "Instance",
            Some("MasterUserSecret.SecretArn"),
            "aws_db_instance",
            "master_user_secret[0].secret_arn",
        )
    }
}

/// The address clients connect to (the cluster's writer endpoint for Aurora).
pub fn endpoint(ids: &crate::components::Ids, aurora: bool) -> Expr {
    if aurora {
        ids.res(
            "Cluster",
            Some("Endpoint.Address"),
            "aws_rds_cluster",
            "endpoint",
        )
    } else {
        ids.res(
            "Instance",
            Some("Endpoint.Address"),
            "aws_db_instance",
            "address",
        )
    }
}

fn key(c: &Planned, plan: &Plan, what: &str, suffix: &str, service_grants: Doc) -> Key {
    Key {
        description: format!("Encrypts {what} of database {} of {}", c.name, plan.name),
        alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{}{suffix}", c.name)),
        ]),
        policy: Doc::map([
            ("Version", Doc::str("2012-10-17")),
            (
                "Statement",
                Doc::List(vec![
                    crate::components::key_administration(),
                    service_grants,
                ]),
            ),
        ]),
    }
}

/// The statement that lets principals of the account use a key through one AWS service only
/// (`rds`, `backup`), as that service does on their behalf.
fn through_service(sid: &str, service: &str) -> Doc {
    Doc::map([
        ("Sid", Doc::str(sid)),
        ("Effect", Doc::str("Allow")),
        (
            "Principal",
            Doc::map([(
                "AWS",
                Doc::Expr(Expr::arn("iam", false, vec![Part::Lit("root".into())])),
            )]),
        ),
        (
            "Action",
            Doc::List(
                [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:CreateGrant",
                    "kms:DescribeKey",
                ]
                .into_iter()
                .map(Doc::str)
                .collect(),
            ),
        ),
        ("Resource", Doc::str("*")),
        (
            "Condition",
            Doc::map([(
                "StringEquals",
                Doc::map([
                    (
                        "kms:ViaService",
                        Doc::Expr(Expr(vec![
                            Part::Lit(format!("{service}.")),
                            Part::Region,
                            Part::Lit(".".into()),
                            Part::DnsSuffix,
                        ])),
                    ),
                    ("kms:CallerAccount", Doc::Expr(Expr(vec![Part::Account]))),
                ]),
            )]),
        ),
    ])
}

/// Half ACUs as RDS writes them: `0.5`, `2`.
fn acus(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn skips(
    d: &DatabasePlan,
    plan: &Plan,
    accepted: &[crate::validate::Accepted],
    name: &str,
) -> Vec<Skip> {
    let env = plan.environment.as_str();
    let mut out = Vec::new();
    if !d.iam_auth {
        out.push(Skip {
            id: "CKV_AWS_161",
            reason: "clients sign in with the master secret RDS keeps and rotates in Secrets Manager, read through IAM; `iam_auth: true` adds IAM database authentication".into(),
        });
    }
    if !d.monitoring {
        out.push(Skip {
            id: "CKV_AWS_118",
            reason: format!("enhanced monitoring is on in production; in {env} CloudWatch's one-minute RDS metrics watch the database"),
        });
    }
    if !d.performance_insights {
        out.push(Skip {
            id: "CKV_AWS_353",
            reason: format!("Performance Insights is on in production; in {env} the exported logs show slow queries"),
        });
    }
    if !d.multi_az && !d.engine.is_aurora() {
        out.push(crate::components::rule_skip(
            "CKV_AWS_157",
            "HA003",
            name,
            plan.environment,
            accepted,
            "the database has no standby in a second AZ",
        ));
    }
    if !d.deletion_protection {
        out.push(crate::components::rule_skip(
            "CKV_AWS_293",
            "REL008",
            name,
            plan.environment,
            accepted,
            "the database may be deleted",
        ));
    }
    if !d.encrypted {
        out.push(crate::components::rule_skip(
            "CKV_AWS_16",
            "SEC004",
            name,
            plan.environment,
            accepted,
            "the database's storage is not encrypted",
        ));
    }
    out
}

fn alarms(c: &Planned, d: &DatabasePlan, plan: &Plan, index: usize) -> Vec<Alarm> {
    let Some(a) = &d.alarms else {
        return Vec::new();
    };
    let Some(topic) = crate::components::alarm_topic(plan, index) else {
        return Vec::new();
    };
    let storage = d.storage_gb.unwrap_or(20);
    let paused = d.capacity.is_some_and(|c| c.min == 0.0);
    d.alarm_keys()
        .into_iter()
        .map(|key| {
            let (metric, statistic, threshold, above, missing, description) = match key {
                "cpu" => {
                    let p = a.cpu_percent.unwrap_or(80);
                    (
                        "CPUUtilization",
                        "Average",
                        u64::from(p),
                        true,
                        KEEP_STATE,
                        format!("CPU above {p}% for 15 minutes"),
                    )
                }
                "capacity" => {
                    let p = a.capacity_percent.unwrap_or(90);
                    (
                        "ACUUtilization",
                        "Average",
                        u64::from(p),
                        true,
                        if paused {
                            (
                                "notBreaching",
                                "a paused cluster (its least capacity is 0) sends no data, and is not short of capacity",
                            )
                        } else {
                            KEEP_STATE
                        },
                        format!("above {p}% of its most capacity for 15 minutes"),
                    )
                }
                "free-storage" => {
                    let gb = a.free_storage_gb.unwrap_or(storage.div_ceil(10));
                    (
                        "FreeStorageSpace",
                        "Minimum",
                        u64::from(gb) * 1_000_000_000,
                        false,
                        (
                            "breaching",
                            "no data on storage means the database cannot be watched, which is worth a look before it fills",
                        ),
                        format!("less than {gb} GB of storage free"),
                    )
                }
                "free-memory" => {
                    let mb = a.freeable_memory_mb.unwrap_or(256);
                    (
                        "FreeableMemory",
                        "Minimum",
                        u64::from(mb) * 1_048_576,
                        false,
                        KEEP_STATE,
                        format!("less than {mb} MB of memory freeable"),
                    )
                }
                _ => {
                    let n = a.connections.unwrap_or_default();
                    (
                        "DatabaseConnections",
                        "Maximum",
                        u64::from(n),
                        true,
                        ("notBreaching", "no data means no connections"),
                        format!("more than {n} connections"),
                    )
                }
            };
            Alarm {
                id: crate::naming::pascal_case(key),
                key: key.replace('-', "_"),
                name: crate::components::topic::view::alarm_name(&c.ids, key),
                description: format!("Database {}: {description}", c.name),
                metric,
                statistic,
                threshold,
                evaluation_periods: if matches!(key, "cpu" | "capacity") {
                    3
                } else {
                    1
                },
                comparison: if above {
                    "GreaterThanThreshold"
                } else {
                    "LessThanThreshold"
                },
                treat_missing: missing.0,
                treat_missing_reason: missing.1,
                topic: topic.clone(),
            }
        })
        .collect()
}

/// Missing data keeps an alarm's state: a stopped or restarting database sends none, and its
/// own events say so.
const KEEP_STATE: (&str, &str) = (
    "missing",
    "no data keeps the alarm's state: a stopped or restarting database sends none, and RDS's own events say so",
);

pub fn view(
    c: &Planned,
    d: &DatabasePlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let info = d.engine.info();
    let aurora = d.engine.is_aurora();
    let subnets = plan
        .network
        .as_ref()
        .map(|n| n.tier_subnets(&d.tier))
        .unwrap_or_default();
    let scope = if aurora { "cluster" } else { "instance" };
    let identifier = identified(plan, &c.name, "");
    let log_groups = info
        .logs
        .iter()
        .map(|log| LogGroup {
            log,
            id: crate::naming::pascal_case(log),
            key: log.replace('-', "_"),
            name: Expr(vec![
                Part::Lit(format!("/aws/rds/{scope}/")),
                Part::Short(crate::naming::fit(&plan.name, 20)),
                Part::Lit(format!("-{}/{log}", c.name)),
            ]),
        })
        .collect();
    let ingress = plan
        .connections
        .iter()
        .filter(|k| k.to == index && k.access == crate::components::Access::Connect)
        .map(|k| {
            let from = &plan.components[k.from];
            Ingress {
                id: c.ids.id(&format!("From{}", from.ids.pascal)),
                key: format!("{}_from_{}", c.ids.snake, from.ids.snake),
                from: from
                    .ids
                    .res("SecurityGroup", None, "aws_security_group", "id"),
                description: format!("{} from {} {}", info.title, from.kind, from.name),
            }
        })
        .collect();
    let mut comment = vec![match (d.instance_class.as_ref(), d.capacity) {
        (Some(class), _) => format!(
            "Database {}: {} {}, {class}, {} GB gp3{}, in tier {}{}.",
            c.name,
            info.title,
            info.cfn_version,
            d.storage_gb.unwrap_or(20),
            d.max_storage_gb
                .map(|m| format!(" growing to {m} GB"))
                .unwrap_or_default(),
            d.tier,
            if d.multi_az {
                ", with a standby in a second AZ"
            } else {
                ""
            }
        ),
        (None, capacity) => {
            let capacity = capacity.unwrap_or(super::Capacity { min: 0.5, max: 4.0 });
            format!(
                "Database {}: {} {}, {} to {} ACUs, in tier {}{}.",
                c.name,
                info.title,
                info.cfn_version,
                acus(capacity.min),
                acus(capacity.max),
                d.tier,
                if d.multi_az {
                    ", with a reader in a second AZ to fail over to"
                } else {
                    ""
                }
            )
        }
    }];
    comment.push(format!(
        "The master password is RDS's, kept and rotated in Secrets Manager: it is in no template, variable or state. Automated backups {} days; deletion protection {}.",
        d.backup_retention_days,
        if d.deletion_protection { "on" } else { "off" },
    ));
    comment.push(if d.retain {
        "Retained when the stack or configuration is deleted: it holds the data.".into()
    } else {
        "A final snapshot is taken when the stack or configuration deletes it.".into()
    });
    let rds_key = |suffix: &str, what: &str| {
        key(
            c,
            plan,
            what,
            suffix,
            through_service("UseThroughRds", "rds"),
        )
    };
    View {
        comment,
        title: info.title,
        engine: info.aws,
        cfn_version: info.cfn_version,
        tf_version: info.tf_version,
        family: info.family,
        port: info.port,
        aurora,
        instance_class: d.instance_class.clone(),
        storage_gb: d.storage_gb,
        max_storage_gb: d.max_storage_gb,
        min_capacity: d.capacity.map(|c| c.min),
        max_capacity: d.capacity.map(|c| c.max),
        multi_az: d.multi_az,
        backup_retention_days: d.backup_retention_days,
        deletion_protection: d.deletion_protection,
        encrypted: d.encrypted,
        iam_auth: d.iam_auth,
        database_name: d.database_name.clone(),
        master_username: d.master_username.clone(),
        identifier,
        key: d
            .encrypted
            .then(|| rds_key("", "the storage, snapshots and master secret")),
        subnet_group_description: format!(
            "Subnets of database {} of {}: tier {}",
            c.name, plan.name, d.tier
        ),
        subnet_ids: subnets.iter().map(|s| s.id.clone()).collect(),
        subnet_keys: subnets.into_iter().map(|s| s.key).collect(),
        security_group_description: format!(
            "Database {} of {}: {} on {} from its clients only; no traffic out",
            c.name, plan.name, info.title, info.port
        ),
        security_group_name_prefix: format!(
            "{}-",
            crate::naming::fit(&format!("{}-{}", plan.name, c.name), 100)
        ),
        role_name_prefix: format!(
            "{}-",
            crate::naming::fit(&format!("{}-{}", plan.name, c.name), 37)
        ),
        ingress,
        parameter_group_description: format!(
            "Database {} of {}: connections only over TLS; schema changes and slow queries logged",
            c.name, plan.name
        ),
        parameters: info.parameters.to_vec(),
        log_groups,
        log_retention_days: d.log_retention_days,
        log_key_description: format!("Encrypts the exported logs of database {}", c.name),
        log_key_alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{}-logs", c.name)),
        ]),
        log_key_policy: crate::components::logs::key_policy(
            "CloudWatchLogsForTheDatabaseLogs",
            vec![
                Part::Lit(format!("/aws/rds/{scope}/")),
                Part::Short(crate::naming::fit(&plan.name, 20)),
                Part::Lit(format!("-{}/*", c.name)),
            ],
        ),
        log_skips: crate::components::logs::retention_skips(
            d.log_retention_days,
            &c.name,
            plan.environment,
            accepted,
        ),
        monitoring: plan.iam.monitoring_role_of(index).map(|role| Monitoring {
            role_description: format!(
                "Enhanced monitoring of database {} of {}",
                c.name, plan.name
            ),
            trust_policy: crate::components::pipeline::view::trust(
                "monitoring.rds.amazonaws.com",
                None,
            ),
            policy: role.policy(),
        }),
        performance_insights: d.performance_insights,
        retain: d.retain,
        final_snapshot: identified(plan, &c.name, "-final"),
        backup: d.backup.map(|b| Backup {
            comment: format!(
                "A daily recovery point of database {}, kept {} days, in a vault with a key of its own.",
                c.name, b.retention_days
            ),
            vault_name: Expr(vec![
                Part::Short(crate::naming::fit(&plan.name, 20)),
                Part::Lit(format!("-{}", crate::naming::fit(&c.name, 20))),
            ]),
            plan_name: named(&c.name, ""),
            retention_days: b.retention_days,
            key: key(
                c,
                plan,
                "the backup vault",
                "-backup",
                through_service("UseThroughBackup", "backup"),
            ),
            role_description: format!(
                "AWS Backup's role for database {} of {}",
                c.name, plan.name
            ),
            trust_policy: crate::components::pipeline::view::trust("backup.amazonaws.com", None),
            managed_policy: Expr::concat(vec![
                Part::Lit("arn:".into()),
                Part::Partition,
                Part::Lit(":iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup".into()),
            ]),
            selection_name: c.name.clone(),
        }),
        alarms: alarms(c, d, plan, index),
        skips: skips(d, plan, accepted, &c.name),
        instances: if aurora {
            let mut v = vec![AuroraInstance {
                id: "Writer",
                key: "writer",
                promotion_tier: 0,
                after: None,
            }];
            if d.multi_az {
                v.push(AuroraInstance {
                    id: "Reader",
                    key: "reader",
                    promotion_tier: 1,
                    after: Some(("Writer", "writer")),
                });
            }
            v
        } else {
            Vec::new()
        },
    }
}
