//! Least-privilege IAM, derived once from the blueprint's connections: which role may do what
//! on which resource, which service may invoke which function, and which service may publish to
//! which topic. Both targets render these statements as data ([`crate::expr::Doc`]), so their
//! policies are the same by construction.

pub mod profiles;

use crate::components::Access;
use crate::expr::{Doc, Expr, Part};
use crate::plan::graph::Connection;
use crate::plan::{ComponentPlan, NetworkPlan, Planned};
pub use profiles::{PROFILES, Profile, accesses};

/// Actions that AWS cannot scope to a resource, each with the reason a reviewer needs: the only
/// statements whose resource is `*`.
pub const UNSCOPED: &[(&str, &str)] = &[
    (
        "ecr:GetAuthorizationToken",
        "ECR issues a token for the whole registry: the action takes only `*`; the image's layers are read from its repository alone",
    ),
    (
        "xray:PutTraceSegments",
        "X-Ray has no resource-level permissions: its actions take only `*`",
    ),
    (
        "xray:PutTelemetryRecords",
        "X-Ray has no resource-level permissions: its actions take only `*`",
    ),
    (
        "ec2:DescribeNetworkInterfaces",
        "EC2 Describe actions take no resource-level permissions",
    ),
    (
        "ec2:DescribeRouteTables",
        "EC2 Describe actions take no resource-level permissions",
    ),
    (
        "ec2:DescribeSecurityGroups",
        "EC2 Describe actions take no resource-level permissions",
    ),
    (
        "ec2:DescribeSubnets",
        "EC2 Describe actions take no resource-level permissions",
    ),
    (
        "ec2:DescribeVpcEndpoints",
        "EC2 Describe actions take no resource-level permissions",
    ),
    (
        "xray:GetSamplingRules",
        "X-Ray has no resource-level permissions: its actions take only `*`",
    ),
    (
        "xray:GetSamplingTargets",
        "X-Ray has no resource-level permissions: its actions take only `*`",
    ),
    (
        "logs:CreateLogDelivery",
        "the CloudWatch Logs vended-log delivery actions that Step Functions logging calls take only `*`",
    ),
    (
        "logs:GetLogDelivery",
        "the CloudWatch Logs vended-log delivery actions that Step Functions logging calls take only `*`",
    ),
    (
        "logs:UpdateLogDelivery",
        "the CloudWatch Logs vended-log delivery actions that Step Functions logging calls take only `*`",
    ),
    (
        "logs:DeleteLogDelivery",
        "the CloudWatch Logs vended-log delivery actions that Step Functions logging calls take only `*`",
    ),
    (
        "logs:ListLogDeliveries",
        "the CloudWatch Logs vended-log delivery actions that Step Functions logging calls take only `*`",
    ),
    (
        "logs:PutResourcePolicy",
        "Step Functions sets the account's CloudWatch Logs resource policy for its log delivery; the action takes only `*`",
    ),
    (
        "logs:DescribeResourcePolicies",
        "Step Functions reads the account's CloudWatch Logs resource policies; the action takes only `*`",
    ),
    (
        "cloudwatch:PutMetricData",
        "CloudWatch metrics have no resource-level permissions: PutMetricData takes only `*`",
    ),
    (
        "lakeformation:GetDataAccess",
        "Lake Formation's GetDataAccess takes only `*`; the data it vends access to is what the Lake Formation grants allow",
    ),
    (
        "logs:DescribeLogGroups",
        "Step Functions finds the log group it delivers to; DescribeLogGroups is checked on every group of the account and region",
    ),
];

/// One statement of a role's policy (always `Allow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: String,
    pub actions: Vec<&'static str>,
    pub resources: Vec<Expr>,
    /// Narrows the statement where the actions' resources alone cannot: a `Condition` block.
    pub condition: Option<Doc>,
}

impl Statement {
    pub fn doc(&self) -> Doc {
        let mut entries = vec![
            ("Sid", Doc::str(self.sid.clone())),
            ("Effect", Doc::str("Allow")),
            (
                "Action",
                Doc::List(self.actions.iter().map(|a| Doc::str(*a)).collect()),
            ),
            (
                "Resource",
                Doc::List(self.resources.iter().cloned().map(Doc::Expr).collect()),
            ),
        ];
        if let Some(condition) = &self.condition {
            entries.push(("Condition", condition.clone()));
        }
        Doc::map(entries)
    }
}

/// What a role is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The role a function or a state machine runs as.
    Execution,
    /// The role EventBridge Scheduler assumes to start a pipeline.
    Schedule,
    /// The role Lake Formation assumes to reach a governed lake's registered locations, on
    /// behalf of the principals it has granted access to their tables.
    DataAccess,
    /// The role RDS enhanced monitoring's agent writes a database's operating-system metrics as.
    Monitoring,
    /// The role a service's tasks run as: what the application itself may call.
    Task,
}

/// The role of one component (a function's or state machine's execution role, a schedule's
/// role), with its statements.
#[derive(Debug, Clone)]
pub struct Role {
    /// Index of the component that owns the role.
    pub owner: usize,
    pub purpose: Purpose,
    pub statements: Vec<Statement>,
}

impl Role {
    /// The inline policy, as a document.
    pub fn policy(&self) -> Doc {
        Doc::map([
            ("Version", Doc::str("2012-10-17")),
            (
                "Statement",
                Doc::List(self.statements.iter().map(Statement::doc).collect()),
            ),
        ])
    }

    /// Why each of the role's `*` resources is there: `action: reason.`, from [`UNSCOPED`].
    pub fn unscoped(&self) -> Vec<String> {
        self.statements
            .iter()
            .filter(|s| s.resources.iter().any(|e| e.as_lit() == Some("*")))
            .flat_map(|s| s.actions.iter())
            .filter_map(|a| {
                UNSCOPED
                    .iter()
                    .find(|(u, _)| u == a)
                    .map(|(u, why)| format!("{u}: {why}."))
            })
            .collect()
    }

    /// Every action the role is allowed, sorted.
    pub fn actions(&self) -> Vec<&'static str> {
        let mut all: Vec<&'static str> = self
            .statements
            .iter()
            .flat_map(|s| s.actions.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// A service's permission to invoke a function.
#[derive(Debug, Clone)]
pub struct Invoke {
    /// The function invoked.
    pub function: usize,
    /// The component whose event invokes it (an API, a topic).
    pub source: usize,
    /// The service principal, without the partition's DNS suffix: `apigateway`, `sns`.
    pub service: &'static str,
    /// What may invoke it: the API, stage, method and path; the topic.
    pub source_arn: Expr,
    /// Stable per-source key: `get-users-userid`; `alerts`.
    pub key: String,
    /// Logical-ID suffix: `GetUsersUserid`.
    pub id: String,
    /// Whether the permission also names the account (`SourceAccount`): S3's bucket ARNs carry
    /// none, so a bucket of the same name in another account could otherwise invoke it.
    pub source_account: bool,
}

/// Every grant of the blueprint.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    pub roles: Vec<Role>,
    pub invokes: Vec<Invoke>,
    /// The statements of the role VPC Flow Logs assumes, when the network has flow logs.
    pub flow_logs: Vec<Statement>,
}

impl Grants {
    /// The flow-log delivery role's policy.
    pub fn flow_logs_policy(&self) -> Doc {
        Doc::map([
            ("Version", Doc::str("2012-10-17")),
            (
                "Statement",
                Doc::List(self.flow_logs.iter().map(Statement::doc).collect()),
            ),
        ])
    }

    /// The execution role of a component.
    pub fn role_of(&self, owner: usize) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.owner == owner && r.purpose == Purpose::Execution)
    }

    /// The role a component's schedule assumes.
    pub fn schedule_role_of(&self, owner: usize) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.owner == owner && r.purpose == Purpose::Schedule)
    }

    /// The role Lake Formation assumes for a governed lake's locations.
    pub fn data_access_role_of(&self, owner: usize) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.owner == owner && r.purpose == Purpose::DataAccess)
    }

    /// The role a service's tasks run as, when they call anything.
    pub fn task_role_of(&self, owner: usize) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.owner == owner && r.purpose == Purpose::Task)
    }

    /// The role a database's enhanced monitoring writes its metrics as.
    pub fn monitoring_role_of(&self, owner: usize) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.owner == owner && r.purpose == Purpose::Monitoring)
    }

    pub fn invokes_of(&self, function: usize) -> impl Iterator<Item = &Invoke> {
        self.invokes.iter().filter(move |i| i.function == function)
    }
}

/// Derives every grant from the components and their connections, in blueprint order.
pub fn derive(
    components: &[Planned],
    connections: &[Connection],
    network: Option<&NetworkPlan>,
) -> Grants {
    let mut grants = Grants::default();
    if network.is_some_and(|n| n.flow_logs.is_some()) {
        grants.flow_logs = flow_log_delivery();
    }
    for (i, c) in components.iter().enumerate() {
        let mut statements = match &c.plan {
            ComponentPlan::Function(f) => function_base(c, f, network),
            ComponentPlan::Pipeline(p) => pipeline_base(p),
            ComponentPlan::DataLake(l) => lake_base(c, l, network),
            ComponentPlan::Service(sv) => service_base(c, sv),
            ComponentPlan::Table(_)
            | ComponentPlan::Api(_)
            | ComponentPlan::Topic(_)
            | ComponentPlan::Queue(_)
            | ComponentPlan::Database(_) => continue,
        };
        for conn in connections.iter().filter(|k| k.from == i) {
            let target = &components[conn.to];
            for p in PROFILES
                .iter()
                .filter(|p| p.from == c.kind && p.to == target.kind && p.access == conn.access)
            {
                if p.actions.is_empty() {
                    continue;
                }
                let mut resources: Vec<Expr> = (p.on)(&target.ids);
                resources.dedup();
                statements.push(Statement {
                    sid: format!("{}{}", p.sid, target.ids.pascal),
                    actions: p.actions.to_vec(),
                    resources,
                    condition: None,
                });
                if let Some(key) = target.customer_key()
                    && !p.key_actions.is_empty()
                {
                    statements.push(Statement {
                        sid: format!("{}{}Key", p.sid, target.ids.pascal),
                        actions: p.key_actions.to_vec(),
                        resources: vec![key],
                        condition: None,
                    });
                }
            }
        }
        for conn in connections.iter().filter(|k| k.from == i) {
            let target = &components[conn.to];
            if let (ComponentPlan::Function(f), ComponentPlan::DataLake(l)) =
                (&c.plan, &target.plan)
                && let Some(zone) = &conn.part
            {
                statements.extend(lake_zone_access(f, target, l, zone, conn.access));
            }
        }
        if let ComponentPlan::Function(f) = &c.plan {
            statements.extend(reads_of(f));
        }
        if let ComponentPlan::Pipeline(p) = &c.plan
            && p.schedule.is_some()
        {
            grants.roles.push(Role {
                owner: i,
                purpose: Purpose::Schedule,
                statements: vec![
                    Statement {
                        sid: "StartThisPipeline".into(),
                        actions: vec!["states:StartExecution"],
                        resources: vec![crate::components::pipeline::view::state_machine_arn(
                            &c.ids,
                        )],
                        condition: None,
                    },
                    Statement {
                        sid: "KeepTheStartsItCouldNotMake".into(),
                        actions: vec!["sqs:SendMessage"],
                        resources: vec![
                            crate::components::pipeline::view::schedule_dead_letter_arn(&c.ids),
                        ],
                        condition: None,
                    },
                ],
            });
        }
        if let ComponentPlan::DataLake(l) = &c.plan
            && l.lake_formation
        {
            grants.roles.push(Role {
                owner: i,
                purpose: Purpose::DataAccess,
                statements: lake_data_access(c, l),
            });
        }
        grants.roles.push(Role {
            owner: i,
            purpose: Purpose::Execution,
            statements: merge(statements),
        });
    }
    for conn in connections.iter().filter(|k| k.access == Access::Objects) {
        let lake = &components[conn.to];
        if let (ComponentPlan::DataLake(l), Some(zone)) = (&lake.plan, &conn.part) {
            grants.invokes.push(Invoke {
                function: conn.from,
                source: conn.to,
                service: "s3",
                source_arn: crate::components::data_lake::view::bucket_arn(l, &lake.ids, zone),
                key: zone.clone(),
                id: crate::naming::pascal_case(zone),
                source_account: true,
            });
        }
    }
    for (n, conn) in connections.iter().enumerate() {
        // One pass per (source, function): an API's routes to one function are several
        // connections, all handled by the first.
        if conn.access != Access::Invoke
            || connections[..n]
                .iter()
                .any(|k| (k.from, k.to, k.access) == (conn.from, conn.to, conn.access))
        {
            continue;
        }
        let source = &components[conn.from];
        match &source.plan {
            ComponentPlan::Api(api) => {
                for (route, r) in &api.routes {
                    if components[conn.to].name != r.function {
                        continue;
                    }
                    let path = route
                        .path
                        .split('/')
                        .map(|s| if s.starts_with('{') { "*" } else { s })
                        .collect::<Vec<_>>()
                        .join("/");
                    let key = route_key(route);
                    let parts = vec![
                        Part::Res {
                            cfn: source.ids.id("Api"),
                            attr: None,
                            tf: format!("{}.id", source.ids.tf(api_tf_type(api))),
                        },
                        Part::Lit(format!("/{}/{}{path}", api.stage, route.method.as_str())),
                    ];
                    grants.invokes.push(Invoke {
                        function: conn.to,
                        source: conn.from,
                        service: "apigateway",
                        source_arn: Expr::arn("execute-api", true, parts),
                        id: crate::naming::pascal_case(&key),
                        key,
                        source_account: false,
                    });
                }
            }
            ComponentPlan::Topic(_) => grants.invokes.push(Invoke {
                function: conn.to,
                source: conn.from,
                service: "sns",
                source_arn: source.ids.res("Topic", None, "aws_sns_topic", "arn"),
                key: source.name.clone(),
                id: source.ids.pascal.clone(),
                source_account: false,
            }),
            ComponentPlan::Table(_)
            | ComponentPlan::Function(_)
            | ComponentPlan::Queue(_)
            | ComponentPlan::Pipeline(_)
            | ComponentPlan::DataLake(_)
            | ComponentPlan::Database(_)
            | ComponentPlan::Service(_) => {}
        }
    }
    for (i, c) in components.iter().enumerate() {
        if matches!(c.plan, ComponentPlan::Service(_)) {
            let statements = service_task(i, components, connections);
            if !statements.is_empty() {
                grants.roles.push(Role {
                    owner: i,
                    purpose: Purpose::Task,
                    statements,
                });
            }
        }
        if let ComponentPlan::Database(d) = &c.plan
            && d.monitoring
        {
            grants.roles.push(Role {
                owner: i,
                purpose: Purpose::Monitoring,
                statements: enhanced_monitoring(),
            });
        }
    }
    grants
}

/// What every function's role starts with: its own log streams, tracing, and (in a tier) its
/// network interfaces.
fn function_base(
    c: &Planned,
    f: &crate::components::function::Plan,
    network: Option<&NetworkPlan>,
) -> Vec<Statement> {
    let mut statements = vec![
        write_own_logs(c),
        Statement {
            sid: "Tracing".into(),
            actions: vec!["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            resources: vec![Expr::lit("*")],
            condition: None,
        },
    ];
    if let Some(tier) = f.tier.as_deref() {
        statements.extend(network_interfaces(
            c,
            tier,
            network,
            vec![
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            (
                "DescribeNetworkInterfaces",
                vec!["ec2:DescribeNetworkInterfaces"],
            ),
        ));
    }
    statements
}

/// What every state machine's role starts with: run exactly its Glue jobs (and watch and stop
/// their runs), deliver its logs, and trace.
fn pipeline_base(p: &crate::components::pipeline::Plan) -> Vec<Statement> {
    let mut statements = Vec::new();
    let jobs = p.glue_jobs();
    if !jobs.is_empty() {
        statements.push(Statement {
            sid: "RunItsGlueJobs".into(),
            actions: vec![
                "glue:StartJobRun",
                "glue:GetJobRun",
                "glue:GetJobRuns",
                "glue:BatchStopJobRun",
            ],
            resources: jobs
                .iter()
                .map(|j| {
                    let mut resource = vec![Part::Lit("job/".into())];
                    resource.extend(j.0.iter().cloned());
                    Expr::arn("glue", true, resource)
                })
                .collect(),
            condition: None,
        });
    }
    statements.push(Statement {
        sid: "DeliverLogs".into(),
        actions: vec![
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ],
        resources: vec![Expr::lit("*")],
        condition: None,
    });
    statements.push(Statement {
        sid: "Tracing".into(),
        actions: vec![
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
            "xray:GetSamplingTargets",
        ],
        resources: vec![Expr::lit("*")],
        condition: None,
    });
    statements
}

/// What a lake's Glue role may do: the crawler reads the raw zone; each job reads its source
/// zone and the scripts, writes its target zone and the temporary zone; both keep the lake's
/// own databases, use the lake's key, write their own logs and publish job metrics.
fn lake_base(
    c: &Planned,
    l: &crate::components::data_lake::Plan,
    network: Option<&NetworkPlan>,
) -> Vec<Statement> {
    use crate::components::data_lake::view::{CRAWLER_LOGS, bucket_arn, catalog_arns, log_prefix};
    let ids = &c.ids;
    let objects = |zone: &str, path: &str| bucket_arn(l, ids, zone).suffixed(path);
    // Each zone once, in the order first named; a zone a job writes is granted as written.
    let mut targets: Vec<&str> = Vec::new();
    for z in l.jobs.iter().map(|j| j.target.as_str()) {
        if !targets.contains(&z) {
            targets.push(z);
        }
    }
    let crawled = l.crawler.as_ref().map(|_| "raw");
    let mut read_only: Vec<&str> = Vec::new();
    for z in crawled
        .into_iter()
        .chain(l.jobs.iter().map(|j| j.source.as_str()))
    {
        if !read_only.contains(&z) && !targets.contains(&z) {
            read_only.push(z);
        }
    }
    let mut statements = Vec::new();
    if !read_only.is_empty() {
        statements.push(Statement {
            sid: "ReadItsSourceZones".into(),
            actions: vec!["s3:GetObject", "s3:ListBucket"],
            resources: read_only
                .iter()
                .flat_map(|z| [bucket_arn(l, ids, z), objects(z, "/*")])
                .collect(),
            condition: None,
        });
    }
    if !targets.is_empty() {
        statements.push(Statement {
            sid: "WriteItsTargetZones".into(),
            actions: vec![
                "s3:GetObject",
                "s3:ListBucket",
                "s3:PutObject",
                "s3:DeleteObject",
            ],
            resources: targets
                .iter()
                .flat_map(|z| [bucket_arn(l, ids, z), objects(z, "/*")])
                .collect(),
            condition: None,
        });
        statements.push(Statement {
            sid: "ReadTheJobScripts".into(),
            actions: vec!["s3:GetObject"],
            resources: vec![objects("scripts", "/jobs/*")],
            condition: None,
        });
        statements.push(Statement {
            sid: "UseTheTemporaryZone".into(),
            actions: vec![
                "s3:GetObject",
                "s3:ListBucket",
                "s3:PutObject",
                "s3:DeleteObject",
            ],
            resources: vec![bucket_arn(l, ids, "temp"), objects("temp", "/glue/*")],
            condition: None,
        });
    }
    let catalog = catalog_arns(l, ids);
    statements.push(Statement {
        sid: "KeepItsDatabases".into(),
        actions: vec![
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:GetPartition",
            "glue:GetPartitions",
            "glue:BatchGetPartition",
            "glue:GetUserDefinedFunctions",
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:CreatePartition",
            "glue:BatchCreatePartition",
            "glue:UpdatePartition",
            "glue:BatchUpdatePartition",
        ],
        resources: catalog,
        condition: None,
    });
    statements.push(Statement {
        sid: "UseTheLakeKey".into(),
        actions: vec![
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "kms:DescribeKey",
        ],
        resources: vec![ids.key_arn("Key", "lake")],
        condition: None,
    });
    let logs = |resource: Vec<Part>| Expr::arn("logs", true, resource);
    if !l.jobs.is_empty() {
        // `*` straight after the prefix: under a security configuration Glue may add the
        // configuration's name to the groups' names.
        let mut groups = vec![Part::Lit("log-group:".into())];
        groups.extend(log_prefix(ids, Part::Deployment));
        groups.push(Part::Lit("*".into()));
        statements.push(Statement {
            sid: "WriteItsJobLogs".into(),
            actions: vec![
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:AssociateKmsKey",
            ],
            resources: vec![logs(groups)],
            condition: None,
        });
    }
    if l.crawler.is_some() {
        statements.push(Statement {
            sid: "WriteCrawlerLogs".into(),
            actions: vec![
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:AssociateKmsKey",
            ],
            // Glue names the group from the role's name and the security configuration's;
            // the role's own policy cannot name the role, so the crawlers' prefix it is.
            resources: vec![logs(vec![Part::Lit(format!("log-group:{CRAWLER_LOGS}*"))])],
            condition: None,
        });
    }
    if let Some(tier) = l.tier.as_deref() {
        // What AWS's own AWSGlueServiceRole grants for connections, scoped where EC2 allows it.
        statements.extend(network_interfaces(
            c,
            tier,
            network,
            vec!["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"],
            (
                "DescribeTheNetwork",
                vec![
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeRouteTables",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeVpcEndpoints",
                ],
            ),
        ));
        statements.push(Statement {
            sid: "DescribeItsVpc".into(),
            actions: vec!["ec2:DescribeVpcAttribute"],
            resources: vec![Expr::arn(
                "ec2",
                true,
                vec![
                    Part::Lit("vpc/".into()),
                    Part::Res {
                        cfn: "Vpc".into(),
                        attr: None,
                        tf: "aws_vpc.this.id".into(),
                    },
                ],
            )],
            condition: None,
        });
        statements.push(Statement {
            sid: "TagItsNetworkInterfaces".into(),
            actions: vec!["ec2:CreateTags", "ec2:DeleteTags"],
            resources: vec![Expr::arn(
                "ec2",
                true,
                vec![Part::Lit("network-interface/*".into())],
            )],
            // Only the tag Glue marks its interfaces with, as AWSGlueServiceRole allows; and
            // only a call that names its tag keys (`ForAllValues` holds when there are none, and
            // a DeleteTags without tags deletes them all).
            condition: Some(Doc::map([
                (
                    "ForAllValues:StringEquals",
                    Doc::map([(
                        "aws:TagKeys",
                        Doc::List(vec![Doc::str("aws-glue-service-resource")]),
                    )]),
                ),
                ("Null", Doc::map([("aws:TagKeys", Doc::str("false"))])),
            ])),
        });
    }
    if l.lake_formation {
        statements.push(Statement {
            sid: "GetLakeFormationDataAccess".into(),
            actions: vec!["lakeformation:GetDataAccess"],
            resources: vec![Expr::lit("*")],
            condition: None,
        });
    }
    if !l.jobs.is_empty() {
        statements.push(Statement {
            sid: "PublishJobMetrics".into(),
            actions: vec!["cloudwatch:PutMetricData"],
            resources: vec![Expr::lit("*")],
            // Only the jobs' own namespace: the action takes no resource, but the namespace is
            // a condition key.
            condition: Some(Doc::map([(
                "StringEquals",
                Doc::map([("cloudwatch:namespace", Doc::str("Glue"))]),
            )])),
        });
    }
    statements
}

/// What Lake Formation needs to hand out credentials for a governed lake's registered zones
/// (those with a database): read and write their objects, with the lake's key. It scopes the
/// credentials it vends down to what each principal is granted on the tables.
fn lake_data_access(c: &Planned, l: &crate::components::data_lake::Plan) -> Vec<Statement> {
    use crate::components::data_lake::view::bucket_arn;
    let ids = &c.ids;
    let zones = l.databases();
    vec![
        Statement {
            sid: "ListTheRegisteredZones".into(),
            actions: vec!["s3:ListBucket"],
            resources: zones.iter().map(|z| bucket_arn(l, ids, &z.name)).collect(),
            condition: None,
        },
        Statement {
            sid: "ReadAndWriteTheRegisteredZones".into(),
            actions: vec!["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            resources: zones
                .iter()
                .map(|z| bucket_arn(l, ids, &z.name).suffixed("/*"))
                .collect(),
            condition: None,
        },
        Statement {
            sid: "UseTheLakeKey".into(),
            // What S3 calls for SSE-KMS objects: a data key to write, Decrypt to read.
            actions: vec!["kms:Decrypt", "kms:GenerateDataKey"],
            resources: vec![ids.key_arn("Key", "lake")],
            condition: None,
        },
    ]
}

/// What a function may do with a zone of a lake: read the objects that invoke it (under its
/// prefix), read or write the zone's objects as its `uses` says, and the lake's key for them.
fn lake_zone_access(
    f: &crate::components::function::Plan,
    lake: &Planned,
    l: &crate::components::data_lake::Plan,
    zone: &str,
    access: Access,
) -> Vec<Statement> {
    use crate::components::data_lake::view::bucket_arn;
    let bucket = bucket_arn(l, &lake.ids, zone);
    let sid = format!("{}{}", lake.ids.pascal, crate::naming::pascal_case(zone));
    let key = lake.ids.key_arn("Key", "lake");
    let (actions, resources, key_actions): (Vec<&'static str>, Vec<Expr>, Vec<&'static str>) =
        match access {
            Access::Objects => {
                let prefix = f
                    .objects
                    .as_ref()
                    .map(|o| o.prefix.clone())
                    .unwrap_or_default();
                (
                    vec!["s3:GetObject"],
                    vec![bucket.suffixed(&format!("/{prefix}*"))],
                    vec!["kms:Decrypt"],
                )
            }
            Access::Read => (
                vec!["s3:GetObject", "s3:ListBucket"],
                vec![bucket.clone(), bucket.suffixed("/*")],
                vec!["kms:Decrypt"],
            ),
            Access::Write => (
                vec!["s3:PutObject"],
                vec![bucket.suffixed("/*")],
                vec!["kms:GenerateDataKey", "kms:Decrypt"],
            ),
            Access::ReadWrite => (
                vec![
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:PutObject",
                    "s3:DeleteObject",
                ],
                vec![bucket.clone(), bucket.suffixed("/*")],
                vec!["kms:GenerateDataKey", "kms:Decrypt"],
            ),
            _ => return Vec::new(),
        };
    let verb = match access {
        Access::Objects => "ReadNewObjectsOf",
        Access::Read => "Read",
        Access::Write => "Write",
        _ => "ReadWrite",
    };
    vec![
        Statement {
            sid: format!("{verb}{sid}"),
            actions,
            resources,
            condition: None,
        },
        Statement {
            sid: format!("{verb}{sid}Key"),
            actions: key_actions,
            resources: vec![key],
            condition: None,
        },
    ]
}

/// A function's reads of the secrets and parameters its environment names.
fn reads_of(f: &crate::components::function::Plan) -> Vec<Statement> {
    environment_reads(
        &f.environment,
        "Read",
        vec!["ssm:GetParameter", "ssm:GetParameters"],
    )
}

/// The reads of the secrets and parameters an environment names (`<verb>Secrets`,
/// `<verb>Parameters`), with `ssm` the parameter actions its reader calls.
fn environment_reads(
    environment: &[(String, crate::components::function::EnvValue)],
    verb: &str,
    ssm: Vec<&'static str>,
) -> Vec<Statement> {
    use crate::components::function::EnvValue;
    let mut statements = Vec::new();
    let secrets: Vec<Expr> = environment
        .iter()
        .filter_map(|(_, v)| match v {
            EnvValue::Secret(s) => Some(secret_arn(s)),
            _ => None,
        })
        .collect();
    if !secrets.is_empty() {
        statements.push(Statement {
            sid: format!("{verb}Secrets"),
            actions: vec!["secretsmanager:GetSecretValue"],
            resources: secrets,
            condition: None,
        });
    }
    let parameters: Vec<Expr> = environment
        .iter()
        .filter_map(|(_, v)| match v {
            EnvValue::Parameter(p) => Some(parameter_arn(p)),
            _ => None,
        })
        .collect();
    if !parameters.is_empty() {
        statements.push(Statement {
            sid: format!("{verb}Parameters"),
            actions: ssm,
            resources: parameters,
            condition: None,
        });
    }
    statements
}

/// What VPC Flow Logs needs to deliver to the network's log group: write its streams, and find
/// the group (DescribeLogGroups is checked on every group of the account and region).
fn flow_log_delivery() -> Vec<Statement> {
    let logs = |resource: Vec<Part>| Expr::arn("logs", true, resource);
    vec![
        Statement {
            sid: "DeliverToTheFlowLogGroup".into(),
            actions: vec![
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ],
            resources: vec![logs(vec![
                Part::Lit("log-group:".into()),
                Part::Res {
                    cfn: "FlowLogsLogGroup".into(),
                    attr: None,
                    tf: "aws_cloudwatch_log_group.flow_logs.name".into(),
                },
                Part::Lit(":*".into()),
            ])],
            condition: None,
        },
        Statement {
            sid: "FindTheFlowLogGroup".into(),
            actions: vec!["logs:DescribeLogGroups"],
            resources: vec![logs(vec![Part::Lit("log-group:*".into())])],
            condition: None,
        },
    ]
}

/// What a service needs to attach a component's network interfaces to its tier: `manage` (create,
/// delete, address them) scoped to this account's and region's interfaces, the tier's subnets and
/// the component's own security group; `describe` (statement `describe_sid`) takes only `*`.
fn network_interfaces(
    c: &Planned,
    tier: &str,
    network: Option<&NetworkPlan>,
    manage: Vec<&'static str>,
    (describe_sid, describe): (&str, Vec<&'static str>),
) -> Vec<Statement> {
    let ec2 = |resource: Vec<Part>| Expr::arn("ec2", true, resource);
    let mut resources = vec![
        ec2(vec![Part::Lit("network-interface/*".into())]),
        ec2(vec![
            Part::Lit("security-group/".into()),
            Part::Res {
                cfn: c.ids.id("SecurityGroup"),
                attr: Some("GroupId".into()),
                tf: format!("{}.id", c.ids.tf("aws_security_group")),
            },
        ]),
    ];
    for s in network.map(|n| n.tier_subnets(tier)).unwrap_or_default() {
        resources.push(ec2(vec![
            Part::Lit("subnet/".into()),
            Part::Res {
                cfn: s.id,
                attr: None,
                tf: format!("aws_subnet.this[\"{}\"].id", s.key),
            },
        ]));
    }
    vec![
        Statement {
            sid: "NetworkInterfacesInItsTier".into(),
            actions: manage,
            resources,
            condition: None,
        },
        Statement {
            sid: describe_sid.into(),
            actions: describe,
            resources: vec![Expr::lit("*")],
            condition: None,
        },
    ]
}

/// The Terraform type of an API's main resource.
pub fn api_tf_type(api: &crate::components::api::Plan) -> &'static str {
    match api.api_type {
        crate::components::api::ApiType::Rest => "aws_api_gateway_rest_api",
        crate::components::api::ApiType::Http => "aws_apigatewayv2_api",
    }
}

/// `GET /users/{userId}` → `get-users-userid`.
pub fn route_key(route: &crate::components::api::RouteKey) -> String {
    let mut key = route.method.as_str().to_ascii_lowercase();
    for seg in route.path.split('/').filter(|s| !s.is_empty()) {
        key.push('-');
        key.push_str(
            &seg.trim_matches(|c| c == '{' || c == '}')
                .to_ascii_lowercase()
                .replace(['_', '.'], "-"),
        );
    }
    if route.path == "/" {
        key.push_str("-root");
    }
    key
}

/// Statements with the same resources merge, in order; the Sid of the first stays. Statements
/// on `*` never merge: each keeps the Sid that says why it is unscoped.
fn merge(statements: Vec<Statement>) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    for s in statements {
        let unscoped = s.resources.iter().any(|r| r.as_lit() == Some("*"));
        match out
            .iter_mut()
            .find(|o| !unscoped && o.resources == s.resources)
        {
            Some(o) => {
                for a in s.actions {
                    if !o.actions.contains(&a) {
                        o.actions.push(a);
                    }
                }
            }
            None => out.push(s),
        }
    }
    out
}

/// A secret by ARN, or by name (any of its generated suffixes).
pub fn secret_arn(secret: &str) -> Expr {
    if secret.starts_with("arn:") {
        Expr::lit(secret)
    } else {
        Expr::arn(
            "secretsmanager",
            true,
            vec![Part::Lit(format!("secret:{secret}-??????"))],
        )
    }
}

/// A parameter by name: `/app/db` → `…:parameter/app/db`.
pub fn parameter_arn(name: &str) -> Expr {
    if name.starts_with("arn:") {
        Expr::lit(name)
    } else {
        let name = name.strip_prefix('/').unwrap_or(name);
        Expr::arn("ssm", true, vec![Part::Lit(format!("parameter/{name}"))])
    }
}

#[cfg(test)]
mod pipeline_tests {
    #[test]
    fn a_function_in_two_steps_is_granted_once() {
        let text = "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\ncomponents:\n  load-fn: { kind: function, runtime: python }\n  etl:\n    kind: pipeline\n    log_retention_days: 365\n    steps: [{ name: a, function: load-fn }, { name: b, function: load-fn }]\n";
        let plan = crate::plan::of_text(text);
        let role = plan.iam.role_of(1).expect("the pipeline's role");
        let invokes: Vec<_> = role
            .statements
            .iter()
            .filter(|s| s.actions.contains(&"lambda:InvokeFunction"))
            .collect();
        assert_eq!(invokes.len(), 1, "{:#?}", role.statements);
        assert_eq!(invokes[0].sid, "InvokeLoadFn");
        assert_eq!(
            invokes[0].resources.len(),
            2,
            "the function and its versions"
        );
    }
}

#[cfg(test)]
mod lake_tests {
    use crate::expr::Doc;

    /// The Glue role of the one lake of `text`'s blueprint.
    fn glue_role(text: &str) -> crate::iam::Role {
        let plan = crate::plan::of_text(text);
        plan.iam.role_of(0).expect("the lake's role").clone()
    }

    fn condition(role: &crate::iam::Role, sid: &str) -> Option<Doc> {
        let s = role.statements.iter().find(|s| s.sid == sid);
        s.unwrap_or_else(|| panic!("no statement {sid}: {:#?}", role.statements))
            .condition
            .clone()
    }

    #[test]
    fn unscoped_job_metrics_and_interface_tags_are_narrowed_by_conditions() {
        let role = glue_role(
            "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/20\n  azs: 2\n  tiers:\n    jobs: { size: /24, internet: outbound }\n    public: { size: /26, internet: inbound }\n  endpoints: [s3]\ncomponents:\n  lake: { kind: data_lake, tier: jobs, jobs: { orders: {} } }\n",
        );
        assert_eq!(
            condition(&role, "PublishJobMetrics"),
            Some(Doc::map([(
                "StringEquals",
                Doc::map([("cloudwatch:namespace", Doc::str("Glue"))]),
            )]))
        );
        let tags = condition(&role, "TagItsNetworkInterfaces").expect("a condition");
        assert_eq!(
            tags,
            Doc::map([
                (
                    "ForAllValues:StringEquals",
                    Doc::map([(
                        "aws:TagKeys",
                        Doc::List(vec![Doc::str("aws-glue-service-resource")]),
                    )]),
                ),
                ("Null", Doc::map([("aws:TagKeys", Doc::str("false"))])),
            ]),
            "the one tag key, and a call that names its keys"
        );
        let policy = format!("{:?}", role.policy());
        assert!(policy.contains("Condition"), "{policy}");
        assert_eq!(condition(&role, "UseTheLakeKey"), None);
    }

    #[test]
    fn lake_formation_data_access_is_granted_only_to_a_governed_lake() {
        let blueprint = |extra: &str| {
            format!(
                "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\ncomponents:\n  lake: {{ kind: data_lake{extra} }}\n"
            )
        };
        let has = |role: &crate::iam::Role| {
            role.statements
                .iter()
                .any(|s| s.actions.contains(&"lakeformation:GetDataAccess"))
        };
        assert!(has(&glue_role(&blueprint(", lake_formation: true"))));
        assert!(!has(&glue_role(&blueprint(""))));
    }

    #[test]
    fn a_governed_lake_has_a_data_access_role_on_its_registered_zones_only() {
        let text = |extra: &str| {
            format!(
                "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\ncomponents:\n  lake: {{ kind: data_lake, zones: {{ archive: {{}} }}, jobs: {{ keep: {{ source: processed, target: archive }} }}{extra} }}\n"
            )
        };
        let plan = crate::plan::of_text(&text(", lake_formation: true"));
        let role = plan.iam.data_access_role_of(0).expect("a data-access role");
        let sids: Vec<&str> = role.statements.iter().map(|s| s.sid.as_str()).collect();
        assert_eq!(
            sids,
            [
                "ListTheRegisteredZones",
                "ReadAndWriteTheRegisteredZones",
                "UseTheLakeKey"
            ]
        );
        let buckets: Vec<String> = role.statements[0]
            .resources
            .iter()
            .map(|r| r.tf().unwrap())
            .collect();
        assert_eq!(buckets.len(), 3, "raw, processed and archive: {buckets:?}");
        assert!(buckets.iter().all(|b| {
            ["-raw\"", "-processed\"", "-archive\""]
                .iter()
                .any(|z| b.ends_with(z))
        }));
        assert_eq!(
            role.statements[1].resources.len(),
            3,
            "the same zones' objects"
        );
        assert!(plan.iam.role_of(0).is_some(), "the Glue role too");
        let plain = crate::plan::of_text(&text(""));
        assert!(plain.iam.data_access_role_of(0).is_none());
    }
}

/// What enhanced monitoring's agent writes: the `RDSOSMetrics` log group of the account and
/// region, which RDS makes on first use, and its streams. AWS's managed
/// AmazonRDSEnhancedMonitoringRole allows the same on every `RDS*` group of every region.
fn enhanced_monitoring() -> Vec<Statement> {
    let group = |tail: &str| {
        Expr::arn(
            "logs",
            true,
            vec![crate::expr::Part::Lit(format!(
                "log-group:RDSOSMetrics{tail}"
            ))],
        )
    };
    vec![
        Statement {
            sid: "CreateMetricsLogGroup".into(),
            actions: vec!["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
            resources: vec![group("")],
            condition: None,
        },
        Statement {
            sid: "WriteMetrics".into(),
            actions: vec![
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
            ],
            resources: vec![group(":log-stream:*")],
            condition: None,
        },
    ]
}

/// Write the streams of the component's own log group (`<Id>LogGroup`), by name:
/// CloudFormation's `Arn` of a log group already ends in `:*`, Terraform's does not.
fn write_own_logs(c: &Planned) -> Statement {
    Statement {
        sid: "WriteOwnLogs".into(),
        actions: vec!["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: vec![Expr::arn(
            "logs",
            true,
            vec![
                Part::Lit("log-group:".into()),
                Part::Res {
                    cfn: c.ids.id("LogGroup"),
                    attr: None,
                    tf: format!("{}.name", c.ids.tf("aws_cloudwatch_log_group")),
                },
                Part::Lit(":*".into()),
            ],
        )],
        condition: None,
    }
}

/// What a service's task execution role needs, and no more: write the service's log streams,
/// pull its image when it is in a private ECR repository, and read each secret and parameter it
/// injects.
fn service_base(c: &Planned, s: &crate::components::service::Plan) -> Vec<Statement> {
    let mut statements = vec![write_own_logs(c)];
    if let Some(repository) = crate::components::service::ecr_repository(&s.image) {
        statements.push(Statement {
            sid: "PullTheImage".into(),
            actions: vec![
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ],
            resources: vec![Expr::concat(vec![
                Part::Lit("arn:".into()),
                Part::Partition,
                Part::Lit(format!(
                    ":ecr:{}:{}:repository/{}",
                    repository.region, repository.account, repository.name
                )),
            ])],
            condition: None,
        });
        statements.push(Statement {
            sid: "SignInToTheRegistry".into(),
            actions: vec!["ecr:GetAuthorizationToken"],
            resources: vec![Expr::lit("*")],
            condition: None,
        });
    }
    statements.extend(environment_reads(
        &s.environment,
        "ReadInjected",
        vec!["ssm:GetParameters"],
    ));
    statements
}

/// What a service's tasks call themselves: the master secret of each database they connect to,
/// read when they connect (RDS rotates it every seven days, so a value injected at start would
/// go stale), and its key through Secrets Manager only.
fn service_task(
    index: usize,
    components: &[Planned],
    connections: &[Connection],
) -> Vec<Statement> {
    let mut secrets = Vec::new();
    let mut keys = Vec::new();
    for k in connections
        .iter()
        .filter(|k| k.from == index && k.access == Access::Connect)
    {
        let db = &components[k.to];
        if let ComponentPlan::Database(d) = &db.plan {
            secrets.push(crate::components::database::view::secret_arn(
                &db.ids,
                d.engine.is_aurora(),
            ));
            keys.extend(db.customer_key());
        }
    }
    let mut statements = Vec::new();
    if !secrets.is_empty() {
        statements.push(Statement {
            sid: "ReadDatabaseSecrets".into(),
            actions: vec!["secretsmanager:GetSecretValue"],
            resources: secrets,
            condition: None,
        });
    }
    if !keys.is_empty() {
        statements.push(Statement {
            sid: "DecryptDatabaseSecrets".into(),
            actions: vec!["kms:Decrypt"],
            resources: keys,
            condition: Some(Doc::map([(
                "StringEquals",
                Doc::map([(
                    "kms:ViaService",
                    Doc::Expr(Expr(vec![
                        Part::Lit("secretsmanager.".into()),
                        Part::Region,
                        Part::Lit(".".into()),
                        Part::DnsSuffix,
                    ])),
                )]),
            )])),
        });
    }
    statements
}
