//! What the data-lake templates read, and the names its resources and policies share.

use serde::Serialize;

use super::{Lifecycle, Plan as LakePlan};
use crate::components::pipeline::view::Role;
use crate::components::{Ids, Skip};
use crate::expr::{Doc, Expr, Part};
use crate::naming::{fit, pascal_case};
use crate::plan::{Plan, Planned};

/// A bucket: a zone's, or the access-log bucket.
#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub zone: String,
    /// Logical-ID stem, `LakeRaw`; Terraform name, `lake_raw`.
    pub id: String,
    pub key: String,
    pub name: Expr,
    /// Encrypted with the lake's key (every zone); the access-log bucket uses S3-managed keys,
    /// the only encryption S3's log delivery writes to.
    pub kms: bool,
    /// Server access logs go to the access-log bucket under `<zone>/`.
    pub logged: bool,
    /// Versioning is on; suspended when the zone turns it off (rule DAT005).
    pub versioned: bool,
    pub lifecycle: LifecycleView,
    /// The functions S3 invokes for the zone's new objects, and their names for the comment.
    pub notifications: Vec<Notification>,
    pub notified: String,
    pub policy: Doc,
    pub comment: String,
    /// checkov's skips as its CloudFormation checks need them, and as its Terraform checks do.
    pub skips: Vec<Skip>,
    pub tf_skips: Vec<Skip>,
}

/// A function S3 invokes for new objects under a prefix and with a suffix.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub function: String,
    /// The function's logical-ID stem and Terraform name.
    pub function_id: String,
    pub function_key: String,
    /// The logical ID of the permission that lets this bucket invoke it.
    pub permission_id: String,
    pub prefix: String,
    pub suffix: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub days: u32,
    pub storage_class: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct LifecycleView {
    pub transitions: Vec<Transition>,
    pub expire_days: Option<u32>,
    pub noncurrent_days: u32,
    pub abort_incomplete_days: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Database {
    pub zone: String,
    pub id: String,
    pub key: String,
    pub name: Expr,
    pub description: String,
    pub location: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Crawler {
    pub name: Expr,
    pub description: String,
    pub database_id: String,
    pub database_key: String,
    /// One S3 target per table the lake's jobs read from the raw zone (the crawler names each
    /// table after its folder); the zone's root when no job reads it.
    pub paths: Vec<Expr>,
    /// The log group Glue writes the crawler's logs to under the security configuration,
    /// created here with the lake's retention and key.
    pub log_group: LogGroup,
    pub schedule: Option<String>,
    /// Glue's crawler configuration, as JSON text: partitions take their table's schema.
    pub configuration: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Argument {
    pub name: String,
    pub value: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub name: Expr,
    pub job: String,
    pub id: String,
    pub key: String,
    pub description: String,
    pub script_key: String,
    pub script_location: Expr,
    /// The scaffolded script, relative to the output directory.
    pub script_file: String,
    pub worker_type: &'static str,
    pub workers: u32,
    pub timeout_minutes: u32,
    pub max_concurrent_runs: u32,
    pub max_retries: u32,
    pub arguments: Vec<Argument>,
    /// The widest argument name, quoted: Terraform aligns the map's `=` on it.
    pub argument_width: usize,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Workgroup {
    pub name: Expr,
    pub description: String,
    pub scan_limit_bytes: u64,
    pub output_location: Expr,
    /// Deleting the workgroup deletes its saved queries too (outside production).
    pub delete_queries: bool,
    /// Its settings override the client's; when not, clients may choose (rule DAT006).
    pub enforce: bool,
    pub comment: String,
    /// checkov's skips, in both targets.
    pub skips: Vec<Skip>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    pub id: String,
    pub key: String,
    pub name: Expr,
    pub retention_days: u32,
    pub skips: Vec<Skip>,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub comment: String,
    pub glue_version: &'static str,
    pub retain: bool,
    /// The key outlives the stack: in production, and wherever it encrypts the catalog.
    pub retain_key: bool,
    /// The key encrypts the account's Data Catalog (metadata and connection passwords).
    pub catalog_encryption: bool,
    /// With `lake_formation`: the Glue role's grants, the data-access role and the zones
    /// registered with it.
    pub lake_formation: Option<LakeFormation>,
    pub key_description: String,
    /// Whose IAM policies name the key, for its comment.
    pub key_users: &'static str,
    pub key_alias: Expr,
    pub key_policy: Doc,
    pub access_logs: Bucket,
    pub buckets: Vec<Bucket>,
    /// The scripts bucket's Terraform name, for the script uploads.
    pub scripts_key: String,
    pub role: Role,
    pub security_configuration: Expr,
    pub databases: Vec<Database>,
    pub crawler: Option<Crawler>,
    pub log_groups: Vec<LogGroup>,
    pub jobs: Vec<Job>,
    pub workgroup: Option<Workgroup>,
    pub network: Option<Network>,
}

/// A lake governed by Lake Formation: what the Glue role is granted on each of the lake's
/// databases and on every table of each, and the zones registered with the data-access role.
#[derive(Debug, Clone, Serialize)]
pub struct LakeFormation {
    pub database: &'static [&'static str],
    pub tables: &'static [&'static str],
    /// The role Lake Formation assumes to reach the registered zones.
    pub role: Role,
    /// The zones registered with Lake Formation: those with a database.
    pub locations: Vec<Location>,
}

/// A zone's bucket registered with Lake Formation, which the Glue role may create tables in
/// (`DATA_LOCATION_ACCESS`).
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub zone: String,
    /// Logical-ID stem and Terraform name: the zone bucket's.
    pub id: String,
    pub key: String,
}

/// The jobs' place in the network: their security group and one Glue network connection per AZ
/// of their tier (a job takes the first whose AZ is up).
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub tier: String,
    pub security_group_description: String,
    pub security_group_name_prefix: String,
    pub connections: Vec<Connection>,
    pub tf_skips: Vec<Skip>,
}

/// A Glue `NETWORK` connection: the subnet (and so the AZ) a job's interfaces go in.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub id: String,
    pub key: String,
    pub name: Expr,
    pub description: String,
    pub subnet: crate::plan::SubnetRef,
}

/// `<blueprint, 20>-<8 characters of the deployment>-<lake>-<zone>`, at most 63 characters,
/// lowercase and DNS-safe: bucket names are global, so every deployment gets its own.
pub fn bucket_name(l: &LakePlan, ids: &Ids, zone: &str) -> Expr {
    Expr(vec![
        Part::Short(l.short.clone()),
        Part::Lit(format!("-{}", fit(&format!("{}-{zone}", ids.kebab), 33))),
    ])
}

/// A bucket's ARN, by name: the role and the log bucket's policy name buckets that are
/// encrypted with a key whose policy names the role, so a reference would be a cycle.
pub fn bucket_arn(l: &LakePlan, ids: &Ids, zone: &str) -> Expr {
    let mut parts = vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(":s3:::".into()),
    ];
    parts.extend(bucket_name(l, ids, zone).0);
    Expr::concat(parts)
}

fn s3_url(l: &LakePlan, ids: &Ids, zone: &str, path: &str) -> Expr {
    let mut parts = vec![Part::Lit("s3://".into())];
    parts.extend(bucket_name(l, ids, zone).0);
    parts.push(Part::Lit(format!("/{path}")));
    Expr::concat(parts)
}

/// `<blueprint>_<8 characters>_<lake>_<zone>`: Athena reads database names as SQL identifiers,
/// so no hyphens; unique per deployment, as a retained database outlives its stack.
pub fn database_name(l: &LakePlan, ids: &Ids, zone: &str) -> Expr {
    Expr(vec![
        Part::ShortSnake(l.short.replace('-', "_")),
        Part::Lit(format!(
            "_{}",
            fit(&format!("{}-{zone}", ids.kebab), 40).replace('-', "_")
        )),
    ])
}

/// The Data Catalog's ARNs a lake's Glue role acts on: the catalog, and each of the lake's
/// databases and every table in it, by name.
pub fn catalog_arns(l: &LakePlan, ids: &Ids) -> Vec<Expr> {
    let glue = |resource: Vec<Part>| Expr::arn("glue", true, resource);
    let mut catalog = vec![glue(vec![Part::Lit("catalog".into())])];
    for z in l.databases() {
        let name = database_name(l, ids, &z.name).0;
        let mut db = vec![Part::Lit("database/".into())];
        db.extend(name.iter().cloned());
        let mut tables = vec![Part::Lit("table/".into())];
        tables.extend(name);
        tables.push(Part::Lit("/*".into()));
        catalog.push(glue(db));
        catalog.push(glue(tables));
    }
    catalog
}

/// A Glue job of the lake: `<stack>-<lake>-<job>`.
pub fn job_name(ids: &Ids, job: &str) -> Expr {
    Expr(vec![
        Part::Stack,
        Part::Lit(format!("-{}-{job}", ids.kebab)),
    ])
}

/// The prefix of the jobs' log groups (`<prefix>/output`, `<prefix>/error`), unique per
/// deployment as retained groups outlive their stack.
pub fn log_prefix(ids: &Ids, deployment: Part) -> Vec<Part> {
    vec![
        Part::Lit("/aws-glue/".into()),
        deployment,
        Part::Lit(format!("-{}", ids.kebab)),
    ]
}

/// Where Glue's crawlers log under a security configuration:
/// `/aws-glue/crawlers-role/<role>-<security configuration>`.
pub const CRAWLER_LOGS: &str = "/aws-glue/crawlers-role/";

fn zone_id(zone: &str) -> String {
    pascal_case(zone)
}

fn zone_key(zone: &str) -> String {
    zone.replace('-', "_")
}

/// Denies every S3 action over plain HTTP, on the bucket and its objects.
pub(crate) fn tls_only(arn: &Expr) -> Doc {
    Doc::map([
        ("Sid", Doc::str("DenyInsecureTransport")),
        ("Effect", Doc::str("Deny")),
        ("Principal", Doc::str("*")),
        ("Action", Doc::str("s3:*")),
        (
            "Resource",
            Doc::List(vec![
                Doc::Expr(arn.clone()),
                Doc::Expr(arn.clone().suffixed("/*")),
            ]),
        ),
        (
            "Condition",
            Doc::map([(
                "Bool",
                Doc::map([("aws:SecureTransport", Doc::str("false"))]),
            )]),
        ),
    ])
}

/// Lake Formation may assume the data-access role, as its guide writes the trust: with no
/// source condition, which Lake Formation's credential vending does not document setting; only
/// a principal allowed to pass the role can register a location with it.
fn lake_formation_trust() -> Doc {
    crate::components::pipeline::view::assume_role("lakeformation.amazonaws.com", None)
}

fn policy(statements: Vec<Doc>) -> Doc {
    Doc::map([
        ("Version", Doc::str("2012-10-17")),
        ("Statement", Doc::List(statements)),
    ])
}

fn lifecycle(l: &Lifecycle, noncurrent_days: u32) -> LifecycleView {
    let mut transitions = Vec::new();
    if l.intelligent_tiering {
        transitions.push(Transition {
            days: 0,
            storage_class: "INTELLIGENT_TIERING",
        });
    }
    if let Some(days) = l.infrequent_access_after_days {
        transitions.push(Transition {
            days,
            storage_class: "STANDARD_IA",
        });
    }
    if let Some(days) = l.glacier_after_days {
        transitions.push(Transition {
            days,
            storage_class: "GLACIER",
        });
    }
    LifecycleView {
        transitions,
        expire_days: l.expire_after_days,
        noncurrent_days,
        abort_incomplete_days: 7,
    }
}

fn describe(l: &LifecycleView) -> String {
    let mut parts: Vec<String> = l
        .transitions
        .iter()
        .map(|t| match t.storage_class {
            "INTELLIGENT_TIERING" => "Intelligent-Tiering from the first day".to_string(),
            "STANDARD_IA" => format!("Standard-IA after {} days", t.days),
            _ => format!("Glacier after {} days", t.days),
        })
        .collect();
    parts.push(match l.expire_days {
        Some(d) => format!("expires after {d} days"),
        None => "kept until deleted".into(),
    });
    parts.join(", ")
}

/// The Terraform checks that do not apply to any bucket of the lake, with the reason: a bucket
/// whose zone suspended versioning holds data the blueprint accepts to lose.
fn bucket_skips(versioned: bool) -> Vec<Skip> {
    let kept = if versioned {
        "the bucket is versioned, and retained in production"
    } else {
        "the zone suspended versioning (DAT005): its data is scratch the blueprint accepts to lose"
    };
    vec![Skip {
        id: "CKV_AWS_144",
        reason: format!(
            "cross-region replication is a disaster-recovery choice the blueprint does not make; {kept}"
        ),
    }]
}

pub fn view(
    c: &Planned,
    l: &LakePlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let zone_arns: Vec<Expr> = l
        .zones
        .iter()
        .map(|z| bucket_arn(l, ids, &z.name))
        .collect();
    let logs_arn = bucket_arn(l, ids, "access-logs");
    let log_delivery = Doc::map([
        ("Sid", Doc::str("S3ServerAccessLogsOfTheLakeBuckets")),
        ("Effect", Doc::str("Allow")),
        (
            "Principal",
            Doc::map([("Service", Doc::str("logging.s3.amazonaws.com"))]),
        ),
        ("Action", Doc::str("s3:PutObject")),
        ("Resource", Doc::Expr(logs_arn.clone().suffixed("/*"))),
        (
            "Condition",
            Doc::map([
                (
                    "ArnLike",
                    Doc::map([(
                        "aws:SourceArn",
                        Doc::List(zone_arns.iter().cloned().map(Doc::Expr).collect()),
                    )]),
                ),
                (
                    "StringEquals",
                    Doc::map([("aws:SourceAccount", Doc::Expr(Expr(vec![Part::Account])))]),
                ),
            ]),
        ),
    ]);
    let no_self_logging = Skip {
        id: "CKV_AWS_18",
        reason: "this is the access-log bucket: logging its own writes into itself would never end"
            .into(),
    };
    let mut log_tf_skips = vec![
        no_self_logging.clone(),
        Skip {
            id: "CKV_AWS_145",
            reason: "S3 server access log delivery writes only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS".into(),
        },
        Skip {
            id: "CKV2_AWS_62",
            reason: "nothing reacts to new access logs; they are read when investigating".into(),
        },
    ];
    log_tf_skips.extend(bucket_skips(true));
    let access_logs = Bucket {
        zone: "access-logs".into(),
        id: ids.id("AccessLogs"),
        key: format!("{}_access_logs", ids.snake),
        name: bucket_name(l, ids, "access-logs"),
        kms: false,
        logged: false,
        versioned: true,
        notifications: Vec::new(),
        notified: String::new(),
        lifecycle: LifecycleView {
            transitions: Vec::new(),
            expire_days: Some(l.access_log_days),
            noncurrent_days: 1,
            abort_incomplete_days: 7,
        },
        policy: policy(vec![tls_only(&logs_arn), log_delivery]),
        comment: format!(
            "Access logs of the lake's buckets: S3-managed keys (the only encryption log delivery writes), kept {} days.",
            l.access_log_days
        ),
        skips: vec![no_self_logging],
        tf_skips: log_tf_skips,
    };
    let buckets: Vec<Bucket> = l
        .zones
        .iter()
        .map(|z| {
            // A zone whose objects go within a month keeps no old versions either.
            let noncurrent = if z.lifecycle.expire_after_days.is_some_and(|d| d <= 30) {
                1
            } else {
                l.noncurrent_version_days
            };
            let lc = lifecycle(&z.lifecycle, noncurrent);
            let mut tf_skips = vec![Skip {
                id: "CKV2_AWS_62",
                reason: "no component of the blueprint reacts to this zone's object events; the crawler and jobs read it on their schedule".into(),
            }];
            tf_skips.extend(bucket_skips(z.versioned));
            let mut skips = Vec::new();
            if !z.versioned {
                let skip = crate::components::rule_skip(
                    "CKV_AWS_21",
                    "DAT005",
                    &c.name,
                    plan.environment,
                    accepted,
                    &format!("zone {} keeps no old versions", z.name),
                );
                skips.push(skip.clone());
                tf_skips.push(skip);
            }
            let notifications: Vec<Notification> = plan
                .connections
                .iter()
                .filter(|k| {
                    k.to == index
                        && k.access == crate::components::Access::Objects
                        && k.part.as_deref() == Some(z.name.as_str())
                })
                .filter_map(|k| {
                    let f = &plan.components[k.from];
                    let crate::plan::ComponentPlan::Function(fp) = &f.plan else {
                        return None;
                    };
                    let o = fp.objects.as_ref()?;
                    Some(Notification {
                        function: f.name.clone(),
                        function_id: f.ids.pascal.clone(),
                        function_key: f.ids.snake.clone(),
                        permission_id: f.ids.id(&format!(
                            "Invoke{}{}",
                            ids.pascal,
                            pascal_case(&z.name)
                        )),
                        prefix: o.prefix.clone(),
                        suffix: o.suffix.clone(),
                    })
                })
                .collect();
            Bucket {
                notified: notifications
                    .iter()
                    .map(|n| n.function.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                comment: format!(
                    "Zone {} of lake {}: encrypted with the lake's key, {}, TLS only; {}.",
                    z.name,
                    c.name,
                    if z.versioned {
                        "versioned"
                    } else {
                        "versioning suspended"
                    },
                    describe(&lc)
                ),
                zone: z.name.clone(),
                id: ids.id(&zone_id(&z.name)),
                key: format!("{}_{}", ids.snake, zone_key(&z.name)),
                name: bucket_name(l, ids, &z.name),
                kms: true,
                logged: true,
                versioned: z.versioned,
                notifications,
                lifecycle: lc,
                policy: policy(vec![tls_only(&bucket_arn(l, ids, &z.name))]),
                skips,
                tf_skips,
            }
        })
        .collect();
    let databases: Vec<Database> = l
        .databases()
        .into_iter()
        .map(|z| Database {
            zone: z.name.clone(),
            id: ids.id(&format!("{}Database", zone_id(&z.name))),
            key: format!("{}_{}", ids.snake, zone_key(&z.name)),
            name: database_name(l, ids, &z.name),
            description: format!(
                "Tables of zone {} of lake {} of {}",
                z.name, c.name, plan.name
            ),
            location: s3_url(l, ids, &z.name, ""),
        })
        .collect();
    let raw_db = databases.iter().find(|d| d.zone == "raw");
    let crawler = l.crawler.as_ref().zip(raw_db).map(|(cr, db)| Crawler {
        name: Expr(vec![Part::Stack, Part::Lit(format!("-{}-raw", ids.kebab))]),
        description: format!(
            "Catalogs zone raw of lake {}: new folders only, schema changes logged, nothing deleted",
            c.name
        ),
        database_id: db.id.clone(),
        database_key: db.key.clone(),
        paths: {
            let mut tables: Vec<&str> = l
                .jobs
                .iter()
                .filter(|j| j.source == "raw")
                .map(|j| j.source_table.as_str())
                .collect();
            tables.dedup();
            if tables.is_empty() {
                vec![s3_url(l, ids, "raw", "")]
            } else {
                tables
                    .iter()
                    .map(|t| s3_url(l, ids, "raw", &format!("{t}/")))
                    .collect()
            }
        },
        log_group: LogGroup {
            id: ids.id("CrawlerLogGroup"),
            key: format!("{}_crawler", ids.snake),
            name: Expr::concat(vec![
                Part::Lit(CRAWLER_LOGS.into()),
                Part::Res {
                    cfn: ids.id("GlueRole"),
                    attr: None,
                    tf: format!("{}.name", ids.tf("aws_iam_role")),
                },
                Part::Lit("-".into()),
                Part::Stack,
                Part::Lit(format!("-{}", ids.kebab)),
            ]),
            retention_days: l.log_retention_days,
            skips: crate::components::logs::retention_skips(
                l.log_retention_days,
                &c.name,
                plan.environment,
                accepted,
            ),
        },
        schedule: cr.schedule.clone(),
        configuration: r#"{"Version":1.0,"CrawlerOutput":{"Partitions":{"AddOrUpdateBehavior":"InheritFromTable"}}}"#,
    });
    let log_groups: Vec<LogGroup> = if l.jobs.is_empty() {
        Vec::new()
    } else {
        let skips = crate::components::logs::retention_skips(
            l.log_retention_days,
            &c.name,
            plan.environment,
            accepted,
        );
        ["output", "error"]
            .into_iter()
            .map(|what| {
                let mut name = log_prefix(ids, Part::Deployment);
                name.push(Part::Lit(format!("/{what}")));
                LogGroup {
                    id: ids.id(&format!("Job{}LogGroup", pascal_case(what))),
                    key: format!("{}_{what}", ids.snake),
                    name: Expr::concat(name),
                    retention_days: l.log_retention_days,
                    skips: skips.clone(),
                }
            })
            .collect()
    };
    let database_of = |zone: &str| {
        databases
            .iter()
            .find(|d| d.zone == zone)
            .map(|d| {
                Expr::res(
                    &d.id,
                    None,
                    &format!("aws_glue_catalog_database.{}.name", d.key),
                )
            })
            .unwrap_or_else(|| database_name(l, ids, zone))
    };
    let network = l.tier.as_ref().and_then(|tier| {
        let subnets = plan.network.as_ref()?.tier_subnets(tier);
        Some(Network {
            tier: tier.clone(),
            security_group_description: format!(
                "Glue jobs of lake {} of {}: their workers, to each other; HTTPS out",
                c.name, plan.name
            ),
            security_group_name_prefix: format!(
                "{}-",
                fit(&format!("{}-{}-glue", plan.name, c.name), 100)
            ),
            connections: subnets
                .into_iter()
                .map(|subnet| Connection {
                    id: ids.id(&format!("Connection{}", subnet.label.to_ascii_uppercase())),
                    key: format!("{}_{}", ids.snake, subnet.label),
                    name: Expr(vec![
                        Part::Stack,
                        Part::Lit(format!("-{}-{}", ids.kebab, subnet.label)),
                    ]),
                    description: format!(
                        "Glue jobs of lake {} in subnet {}",
                        c.name, subnet.key
                    ),
                    subnet,
                })
                .collect(),
            tf_skips: vec![Skip {
                id: "CKV2_AWS_5",
                reason: "the group is attached to the lake's Glue network connections (aws_glue_connection), which this check does not count as an attachment".into(),
            }],
        })
    });
    let jobs = l
        .jobs
        .iter()
        .map(|j| {
            let script_key = format!("jobs/{}.py", j.name);
            let mut arguments = vec![
                ("--job-language", Expr::lit("python")),
                (
                    "--job-bookmark-option",
                    Expr::lit(if j.bookmarks {
                        "job-bookmark-enable"
                    } else {
                        "job-bookmark-disable"
                    }),
                ),
                ("--enable-metrics", Expr::lit("true")),
                ("--enable-observability-metrics", Expr::lit("true")),
                (
                    "--custom-logGroup-prefix",
                    Expr::concat(log_prefix(ids, Part::Deployment)),
                ),
                ("--enable-auto-scaling", Expr::lit("true")),
                ("--enable-glue-datacatalog", Expr::lit("true")),
                ("--TempDir", s3_url(l, ids, "temp", &format!("glue/{}/", j.name))),
                ("--source_database", database_of(&j.source)),
                ("--source_table", Expr::lit(j.source_table.clone())),
                ("--target_database", database_of(&j.target)),
                (
                    "--target_path",
                    s3_url(l, ids, &j.target, &format!("{}/", j.source_table)),
                ),
            ];
            if !j.partition_by.is_empty() {
                arguments.push(("--partition_by", Expr::lit(j.partition_by.join(","))));
            }
            if l.tier.is_some() {
                // Scripts, the Data Catalog and metrics through the blueprint's network, not
                // Glue's own proxy (which keeps carrying the logs).
                arguments.push(("--disable-proxy-v2", Expr::lit("true")));
            }
            Job {
                argument_width: arguments.iter().map(|(n, _)| n.len() + 2).max().unwrap_or(0),
                name: job_name(ids, &j.name),
                job: j.name.clone(),
                id: ids.id(&format!("{}Job", pascal_case(&j.name))),
                key: format!("{}_{}", ids.snake, j.name.replace('-', "_")),
                description: j.description.clone().unwrap_or_else(|| {
                    format!(
                        "Lake {}: {}.{} from zone {} to Parquet in zone {}",
                        c.name, j.source, j.source_table, j.source, j.target
                    )
                }),
                script_location: s3_url(l, ids, "scripts", &script_key),
                script_file: format!("glue/{}/{}.py", c.name, j.name),
                script_key,
                worker_type: j.worker_type.as_str(),
                workers: j.workers,
                timeout_minutes: j.timeout_minutes,
                max_concurrent_runs: j.max_concurrent_runs,
                max_retries: j.max_retries,
                arguments: arguments
                    .into_iter()
                    .map(|(name, value)| Argument {
                        name: name.into(),
                        value,
                    })
                    .collect(),
                comment: format!(
                    "Job {} of lake {}: Glue {} Spark, up to {} × {} workers (auto scaling), {} minutes at most, {} run{} at a time, bookmarks {}; encrypted by the lake's security configuration.",
                    j.name,
                    c.name,
                    super::GLUE_VERSION,
                    j.workers,
                    j.worker_type.as_str(),
                    j.timeout_minutes,
                    j.max_concurrent_runs,
                    if j.max_concurrent_runs == 1 { "" } else { "s" },
                    if j.bookmarks { "on" } else { "off" }
                ),
            }
        })
        .collect();
    let workgroup = l.athena.map(|a| Workgroup {
        // Athena allows 128 characters, a stack name alone may have as many.
        name: Expr(vec![
            Part::Short(l.short.clone()),
            Part::Lit(format!("-{}", ids.kebab)),
        ]),
        description: format!("Queries of lake {} of {}", c.name, plan.name),
        scan_limit_bytes: u64::from(a.scan_limit_gb) * 1_000_000_000,
        output_location: s3_url(l, ids, "athena-results", ""),
        delete_queries: !l.retain,
        enforce: a.enforce_configuration,
        comment: format!(
            "Athena workgroup of lake {}: {}, results encrypted with the lake's key, a query stops after scanning {} GB.",
            c.name,
            if a.enforce_configuration {
                "its settings override the client's"
            } else {
                "clients may choose their own result location and encryption"
            },
            a.scan_limit_gb
        ),
        skips: if a.enforce_configuration {
            Vec::new()
        } else {
            vec![crate::components::rule_skip(
                "CKV_AWS_82",
                "DAT006",
                &c.name,
                plan.environment,
                accepted,
                "clients may send query results to another location, with other encryption or none, instead of the lake's athena-results zone with its key",
            )]
        },
    });
    let role = plan.iam.role_of(index);
    let mut key_statements = vec![crate::components::key_administration()];
    // `*` straight after the prefix: Glue may suffix the groups it writes under a security
    // configuration with the configuration's name.
    let mut job_logs = log_prefix(ids, Part::AnyDeployment);
    job_logs.push(Part::Lit("*".into()));
    let mut groups = vec![Part::Lit("log-group:".into())];
    groups.extend(job_logs);
    key_statements.push(crate::components::logs::logs_may_encrypt(
        "CloudWatchLogsForTheLakeLogs",
        Doc::List(vec![
            Doc::Expr(Expr::arn("logs", true, groups)),
            Doc::Expr(Expr::arn(
                "logs",
                true,
                vec![Part::Lit(format!("log-group:{CRAWLER_LOGS}*"))],
            )),
        ]),
    ));
    View {
        glue_version: super::GLUE_VERSION,
        comment: format!(
            "Lake {}{}: {} zones, {} Glue job{}{}{}.",
            c.name,
            l.description
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            l.zones.len(),
            l.jobs.len(),
            if l.jobs.len() == 1 { "" } else { "s" },
            if l.crawler.is_some() {
                ", a crawler over the raw zone"
            } else {
                ""
            },
            if l.athena.is_some() {
                ", an Athena workgroup"
            } else {
                ""
            }
        ),
        retain: l.retain,
        retain_key: l.retain_key(),
        catalog_encryption: l.catalog_encryption,
        lake_formation: l.lake_formation.then(|| {
            let role = plan.iam.data_access_role_of(index);
            LakeFormation {
                database: &super::LF_DATABASE_PERMISSIONS,
                tables: &super::LF_TABLE_PERMISSIONS,
                role: Role {
                    description: format!(
                        "Role Lake Formation assumes to reach the registered zones of lake {} of {}",
                        c.name, plan.name
                    ),
                    name_prefix: format!(
                        "{}-",
                        fit(&format!("{}-{}-lf", plan.name, c.name), 37)
                    ),
                    trust_policy: lake_formation_trust(),
                    policy: role.map_or_else(|| Doc::map::<&str>([]), crate::iam::Role::policy),
                    unscoped: role.map(crate::iam::Role::unscoped).unwrap_or_default(),
                },
                locations: buckets
                    .iter()
                    .filter(|b| l.has_database(&b.zone))
                    .map(|b| Location {
                        zone: b.zone.clone(),
                        id: b.id.clone(),
                        key: b.key.clone(),
                    })
                    .collect(),
            }
        }),
        key_users: if l.lake_formation {
            "Glue role's, the functions' and Lake Formation's data-access role's"
        } else {
            "Glue role's and the functions'"
        },
        key_description: format!(
            "Encrypts lake {} of {}: its buckets, {}job bookmarks, logs and query results",
            c.name,
            plan.name,
            if l.catalog_encryption {
                "the account's Data Catalog, "
            } else {
                ""
            }
        ),
        key_alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{}-lake", c.name)),
        ]),
        key_policy: policy(key_statements),
        access_logs,
        buckets,
        scripts_key: format!("{}_scripts", ids.snake),
        role: Role {
            description: format!(
                "Role Glue assumes for the crawler and jobs of lake {} of {}",
                c.name, plan.name
            ),
            name_prefix: format!("{}-", fit(&format!("{}-{}-glue", plan.name, c.name), 37)),
            trust_policy: crate::components::pipeline::view::trust("glue.amazonaws.com", None),
            policy: role.map_or_else(|| Doc::map::<&str>([]), crate::iam::Role::policy),
            unscoped: role.map(crate::iam::Role::unscoped).unwrap_or_default(),
        },
        security_configuration: Expr(vec![Part::Stack, Part::Lit(format!("-{}", ids.kebab))]),
        databases,
        crawler,
        log_groups,
        jobs,
        workgroup,
        network,
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::ComponentPlan;

    /// The view of the one lake of a blueprint with `lake` as its component's fields.
    fn lake_view(network: &str, lake: &str) -> super::View {
        let text = format!(
            "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\n{network}components:\n  lake: {{ kind: data_lake, jobs: {{ orders: {{}} }}{lake} }}\n"
        );
        let plan = crate::plan::of_text(&text);
        let c = &plan.components[0];
        let ComponentPlan::DataLake(l) = &c.plan else {
            panic!("not a lake")
        };
        super::view(c, l, &plan, 0, &[])
    }

    fn arguments(v: &super::View) -> Vec<String> {
        v.jobs[0].arguments.iter().map(|a| a.name.clone()).collect()
    }

    #[test]
    fn jobs_in_a_tier_bypass_glues_proxy_and_get_a_connection_per_az() {
        let network = "network:\n  cidr: 10.0.0.0/20\n  azs: 2\n  tiers:\n    jobs: { size: /24, internet: outbound }\n    public: { size: /26, internet: inbound }\n  endpoints: [s3]\n";
        let inside = lake_view(network, ", tier: jobs");
        assert!(arguments(&inside).contains(&"--disable-proxy-v2".to_string()));
        let n = inside.network.as_ref().expect("the jobs' network");
        assert_eq!(n.tier, "jobs");
        assert_eq!(n.connections.len(), 2, "one per AZ of the tier");
        let outside = lake_view("", "");
        assert!(!arguments(&outside).contains(&"--disable-proxy-v2".to_string()));
        assert!(outside.network.is_none());
    }

    #[test]
    fn catalog_and_lake_formation_options_reach_the_view_only_when_asked() {
        let plain = lake_view("", "");
        assert!(!plain.catalog_encryption && !plain.retain_key);
        assert!(plain.lake_formation.is_none());
        let governed = lake_view("", ", catalog_encryption: true, lake_formation: true");
        assert!(governed.catalog_encryption && governed.retain_key && !governed.retain);
        let grants = governed.lake_formation.expect("Lake Formation grants");
        assert_eq!(grants.database, ["CREATE_TABLE", "ALTER", "DESCRIBE"]);
        assert_eq!(
            grants.tables,
            ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"],
            "no DROP"
        );
        let zones: Vec<&str> = grants.locations.iter().map(|l| l.zone.as_str()).collect();
        assert_eq!(zones, ["raw", "processed"], "the zones with a database");
        assert_eq!(
            grants.locations[0].id, "LakeRaw",
            "the zone bucket's logical ID"
        );
        assert_eq!(grants.locations[1].key, "lake_processed");
        let trust = format!("{:?}", grants.role.trust_policy);
        assert!(trust.contains("lakeformation.amazonaws.com"), "{trust}");
    }
}
