//! What the service templates read.

use serde::Serialize;

use super::{Plan as ServicePlan, Protocol};
use crate::components::Skip;
use crate::components::function::EnvValue;
use crate::expr::{Doc, Expr, Part};
use crate::plan::{ComponentPlan, Plan, Planned};

/// A plain environment variable, or one ECS injects from a secret or parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    pub value: Expr,
}

/// A database the tasks connect to: the egress rule to its security group on its port.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub name: String,
    pub key: String,
    pub port: u16,
    pub security_group: Expr,
    pub description: String,
}

/// The role the tasks run as.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRole {
    pub description: String,
    pub policy_name: String,
    pub policy: Doc,
}

/// An alarm on the service: one metric, or (the 5xx rate) metric math over the load
/// balancer's requests and errors.
#[derive(Debug, Clone, Serialize)]
pub struct Alarm {
    pub id: String,
    pub key: String,
    pub name: Expr,
    pub description: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    /// `Average`, `Maximum`; none where `extended` is given.
    pub statistic: Option<&'static str>,
    /// A percentile (`p99`).
    pub extended: Option<&'static str>,
    pub threshold: f64,
    /// Seconds a period lasts, and how many periods in a row fire the alarm.
    pub period: u32,
    pub evaluation_periods: u32,
    pub dimensions: Vec<(&'static str, Expr)>,
    /// Width of the dimensions' names, so that `=` signs line up as `terraform fmt` wants.
    pub dimension_width: usize,
    /// The 5xx rate: percent of requests answered 5xx, by the load balancer or the tasks.
    pub rate: bool,
    /// `GreaterThanThreshold`, or `LessThanThreshold` (healthy tasks).
    pub comparison: &'static str,
    pub treat_missing: &'static str,
    pub treat_missing_reason: &'static str,
    pub topic: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub comment: Vec<String>,
    pub image: String,
    pub port: u16,
    pub cpu: u32,
    pub memory: u32,
    pub count: u32,
    pub https: bool,
    pub health_check: String,
    pub user: Option<String>,
    pub read_only_root_filesystem: bool,
    /// Each writable path and the name of its volume.
    pub volumes: Vec<(String, String)>,
    pub environment: Vec<Variable>,
    pub secrets: Vec<Variable>,
    pub logs: crate::components::logs::LogGroup,
    pub family: Expr,
    pub task_subnet_ids: Vec<String>,
    pub task_subnet_keys: Vec<String>,
    pub lb_subnet_ids: Vec<String>,
    pub lb_subnet_keys: Vec<String>,
    pub security_group_description: String,
    pub lb_security_group_description: String,
    pub security_group_name_prefix: String,
    pub role_name_prefix: String,
    pub role_description: String,
    pub execution_policy_name: String,
    pub trust_policy: Doc,
    pub policy: Doc,
    pub unscoped: Vec<String>,
    /// The tasks' own role, when they call anything (the secrets of the databases they connect
    /// to).
    pub task_role: Option<TaskRole>,
    pub connections: Vec<Connection>,
    pub deletion_protection: bool,
    /// Terraform's name prefix of the target group (six characters at most).
    pub target_group_name_prefix: String,
    pub certificate_parameter: String,
    pub certificate_variable: String,
    pub logs_bucket_policy: Doc,
    pub logs_bucket_comment: String,
    pub logs_bucket_skips: Vec<Skip>,
    pub logs_bucket_tf_skips: Vec<Skip>,
    pub lb_skips: Vec<Skip>,
    /// checkov's skips on the target group (plain HTTP to the tasks, in development only).
    pub tg_skips: Vec<Skip>,
    pub lb_sg_skips: Vec<Skip>,
    /// checkov's skips on the plain-HTTP listener of a development load balancer.
    pub http_listener_skips: Vec<Skip>,
    /// The rules' descriptions: the load balancer to the tasks, the tasks from it.
    pub to_tasks_description: String,
    pub from_lb_description: String,
    /// Terraform's name prefix of the access-log bucket.
    pub logs_bucket_prefix: String,
    pub autoscaling: Option<super::ScalingPlan>,
    pub scaling_resource: Expr,
    pub alarms: Vec<Alarm>,
}

/// The account Elastic Load Balancing writes access logs from, in the regions that came before
/// August 2022; the regions after take the log-delivery service principal instead.
const ELB_ACCOUNTS: &[(&str, &str)] = &[
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-southeast-3", "589379963580"),
    ("ap-south-1", "718504428378"),
    ("ap-northeast-3", "383597477331"),
    ("ap-northeast-2", "600734575887"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-northeast-1", "582318560864"),
    ("ca-central-1", "985666609251"),
    ("eu-central-1", "054676820928"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-south-1", "635631232127"),
    ("eu-west-3", "009996457667"),
    ("eu-north-1", "897822967062"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-gov-west-1", "048591011584"),
    ("us-gov-east-1", "190560391635"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
];

/// Who writes the load balancer's access logs in `region`: Elastic Load Balancing's account
/// there, or its log-delivery service.
fn log_writer(region: &str) -> Doc {
    match ELB_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => Doc::map([(
            "AWS",
            Doc::Expr(Expr(vec![
                Part::Lit("arn:".into()),
                Part::Partition,
                Part::Lit(format!(":iam::{account}:root")),
            ])),
        )]),
        None => Doc::map([(
            "Service",
            Doc::str("logdelivery.elasticloadbalancing.amazonaws.com"),
        )]),
    }
}

fn bucket_arn(ids: &crate::components::Ids) -> Expr {
    ids.res("AccessLogsBucket", Some("Arn"), "aws_s3_bucket", "arn")
}

fn logs_bucket_policy(ids: &crate::components::Ids, region: &str) -> Doc {
    let arn = bucket_arn(ids);
    Doc::map([
        ("Version", Doc::str("2012-10-17")),
        (
            "Statement",
            Doc::List(vec![
                crate::components::data_lake::view::tls_only(&arn),
                Doc::map([
                    ("Sid", Doc::str("LoadBalancerAccessLogs")),
                    ("Effect", Doc::str("Allow")),
                    ("Principal", log_writer(region)),
                    ("Action", Doc::str("s3:PutObject")),
                    (
                        "Resource",
                        Doc::Expr(Expr::concat(vec![
                            Part::Res {
                                cfn: ids.id("AccessLogsBucket"),
                                attr: Some("Arn".into()),
                                tf: format!("{}.arn", ids.tf("aws_s3_bucket")),
                            },
                            Part::Lit("/AWSLogs/".into()),
                            Part::Account,
                            Part::Lit("/*".into()),
                        ])),
                    ),
                ]),
            ]),
        ),
    ])
}

pub fn view(
    c: &Planned,
    s: &ServicePlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let subnets = |tier: &str| {
        plan.network
            .as_ref()
            .map(|n| n.tier_subnets(tier))
            .unwrap_or_default()
    };
    let tasks = subnets(&s.tier);
    let lbs = subnets(&s.lb_tier);
    let mut environment = Vec::new();
    let mut secrets = Vec::new();
    for (name, value) in &s.environment {
        match value {
            EnvValue::Plain(v) => environment.push(Variable {
                name: name.clone(),
                value: Expr::lit(v.clone()),
            }),
            // ECS takes a secret's or parameter's name in the task's own region, or its ARN.
            EnvValue::Secret(v) | EnvValue::Parameter(v) => secrets.push(Variable {
                name: name.clone(),
                value: Expr::lit(v.clone()),
            }),
        }
    }
    let mut connections = Vec::new();
    for k in plan
        .connections
        .iter()
        .filter(|k| k.from == index && k.access == crate::components::Access::Connect)
    {
        let db = &plan.components[k.to];
        if let ComponentPlan::Database(d) = &db.plan {
            let aurora = d.engine.is_aurora();
            let suffix = if plan
                .connections
                .iter()
                .filter(|k| k.from == index && k.access == crate::components::Access::Connect)
                .count()
                == 1
            {
                String::new()
            } else {
                format!("_{}", db.ids.snake.to_ascii_uppercase())
            };
            environment.push(Variable {
                name: format!("DB_HOST{suffix}"),
                value: crate::components::database::view::endpoint(&db.ids, aurora),
            });
            environment.push(Variable {
                name: format!("DB_PORT{suffix}"),
                value: Expr::lit(d.engine.info().port.to_string()),
            });
            environment.push(Variable {
                name: format!("DB_NAME{suffix}"),
                value: Expr::lit(d.database_name.clone()),
            });
            // The secret RDS keeps (JSON: `{"username": …, "password": …}`), by ARN: the task
            // reads it when it connects, since RDS rotates it every seven days.
            environment.push(Variable {
                name: format!("DB_SECRET_ARN{suffix}"),
                value: crate::components::database::view::secret_arn(&db.ids, aurora),
            });
            connections.push(Connection {
                name: db.name.clone(),
                key: format!("{}_to_{}", ids.snake, db.ids.snake),
                port: d.engine.info().port,
                security_group: db.ids.res(
                    "SecurityGroup",
                    Some("GroupId"),
                    "aws_security_group",
                    "id",
                ),
                description: format!("{} of database {}", d.engine.info().title, db.name),
            });
        }
    }
    let https = s.protocol == Protocol::Https;
    let role = plan.iam.role_of(index);
    let alarms = alarms(c, plan, index);
    let mut comment = vec![format!(
        "Service {}: {} on Fargate, {} CPU units and {} MiB a task, {} tasks in tier {}, behind a load balancer in tier {} ({}).",
        c.name,
        s.image,
        s.cpu,
        s.memory,
        s.count,
        s.tier,
        s.lb_tier,
        if https {
            "HTTPS on 443; HTTP on 80 redirects to it"
        } else {
            "plain HTTP on 80"
        }
    )];
    if let Some(a) = s.autoscaling {
        comment.push(format!(
            "Scaled between {} and {} tasks, near {}% CPU{}.",
            a.min,
            a.max,
            a.cpu_percent,
            a.requests_per_target
                .map(|r| format!(" and {r} requests a minute per task"))
                .unwrap_or_default()
        ));
    }
    let mut lb_skips = Vec::new();
    if !s.deletion_protection {
        lb_skips.push(Skip {
            id: "CKV_AWS_150",
            reason: format!(
                "deletion protection is on in production; in {} the load balancer holds no data and is made again by a deploy",
                plan.environment.as_str()
            ),
        });
    }
    lb_skips.push(Skip {
        id: "CKV2_AWS_28",
        reason: "no WAF web ACL in the blueprint: the load balancer forwards to one service, drops invalid headers and, in production, is fronted by what the team's edge provides".into(),
    });
    let mut tg_skips = Vec::new();
    if !https {
        lb_skips.push(crate::components::rule_skip(
            "CKV2_AWS_20",
            "SEC005",
            &c.name,
            plan.environment,
            accepted,
            "the load balancer serves plain HTTP, with no HTTPS listener to redirect to",
        ));
        tg_skips.push(crate::components::rule_skip(
            "CKV_AWS_378",
            "SEC005",
            &c.name,
            plan.environment,
            accepted,
            "the load balancer serves plain HTTP; the tasks are reached only from its security group, inside the VPC",
        ));
    }
    let lb_sg_skips = vec![Skip {
        id: "CKV_AWS_260",
        reason: if https {
            "port 80 is open to the internet only for the listener that redirects every request to HTTPS".into()
        } else {
            "the development load balancer serves plain HTTP on 80 (rule SEC005)".into()
        },
    }];
    let http_listener_skips = if https {
        Vec::new()
    } else {
        vec![
            crate::components::rule_skip(
                "CKV_AWS_2",
                "SEC005",
                &c.name,
                plan.environment,
                accepted,
                "the load balancer serves plain HTTP",
            ),
            Skip {
                id: "CKV_AWS_103",
                reason: "no TLS on a plain HTTP listener (rule SEC005)".into(),
            },
        ]
    };
    View {
        comment,
        image: s.image.clone(),
        port: s.port,
        cpu: s.cpu,
        memory: s.memory,
        count: s.count,
        https,
        health_check: s.health_check.clone(),
        user: s.user.clone(),
        read_only_root_filesystem: s.read_only_root_filesystem,
        volumes: s
            .writable
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), format!("writable-{}", i + 1)))
            .collect(),
        environment,
        secrets,
        logs: crate::components::logs::log_group(
            "ecs",
            &c.name,
            s.log_retention_days,
            s.retain_logs,
            format!("logs of service {}", c.name),
            plan.environment,
            accepted,
        ),
        family: Expr(vec![Part::Stack, Part::Lit(format!("-{}", c.name))]),
        task_subnet_ids: tasks.iter().map(|t| t.id.clone()).collect(),
        task_subnet_keys: tasks.into_iter().map(|t| t.key).collect(),
        lb_subnet_ids: lbs.iter().map(|t| t.id.clone()).collect(),
        lb_subnet_keys: lbs.into_iter().map(|t| t.key).collect(),
        security_group_description: format!(
            "Tasks of service {} of {}: from its load balancer on {} only; HTTPS out",
            c.name, plan.name, s.port
        ),
        lb_security_group_description: format!(
            "Load balancer of service {} of {}: {} from the internet; to the tasks on {}",
            c.name,
            plan.name,
            if https { "HTTPS, and HTTP to redirect," } else { "HTTP" },
            s.port
        ),
        security_group_name_prefix: format!(
            "{}-",
            crate::naming::fit(&format!("{}-{}", plan.name, c.name), 100)
        ),
        role_name_prefix: format!(
            "{}-",
            crate::naming::fit(&format!("{}-{}", plan.name, c.name), 37)
        ),
        role_description: format!(
            "Task execution role of service {} of {}: pulls the image, writes the logs, reads what it injects",
            c.name, plan.name
        ),
        execution_policy_name: format!("{}-execution", c.name),
        trust_policy: crate::components::pipeline::view::trust("ecs-tasks.amazonaws.com", None),
        policy: role.map(crate::iam::Role::policy).unwrap_or_else(|| {
            Doc::map([("Version", Doc::str("2012-10-17"))])
        }),
        unscoped: role.map(crate::iam::Role::unscoped).unwrap_or_default(),
        task_role: plan.iam.task_role_of(index).map(|r| TaskRole {
            description: format!(
                "Tasks of service {} of {}: read the secrets of the databases they connect to",
                c.name, plan.name
            ),
            policy_name: format!("{}-task", c.name),
            policy: r.policy(),
        }),
        connections,
        deletion_protection: s.deletion_protection,
        target_group_name_prefix: format!(
            "{}-",
            c.name.chars().take(5).collect::<String>().trim_end_matches('-')
        ),
        certificate_parameter: format!("{}CertificateArn", ids.pascal),
        certificate_variable: format!("{}_certificate_arn", ids.snake),
        logs_bucket_policy: logs_bucket_policy(ids, plan.region.name),
        logs_bucket_comment: format!(
            "Access logs of service {}'s load balancer: S3-managed keys (the only encryption its log delivery writes), kept 365 days.",
            c.name
        ),
        logs_bucket_skips: vec![Skip {
            id: "CKV_AWS_18",
            reason: "this bucket holds access logs itself; logging its writes into another log bucket would only move the question".into(),
        }],
        logs_bucket_tf_skips: vec![
            Skip {
                id: "CKV_AWS_18",
                reason: "this bucket holds access logs itself; logging its writes into another log bucket would only move the question".into(),
            },
            Skip {
                id: "CKV_AWS_145",
                reason: "Elastic Load Balancing writes access logs only to buckets encrypted with S3-managed keys (SSE-S3), not SSE-KMS".into(),
            },
            Skip {
                id: "CKV2_AWS_62",
                reason: "nothing reacts to new access logs; they are read when investigating".into(),
            },
            Skip {
                id: "CKV_AWS_144",
                reason: "cross-region replication of access logs is a disaster-recovery choice the blueprint does not make".into(),
            },
        ],
        lb_skips,
        tg_skips,
        lb_sg_skips,
        http_listener_skips,
        to_tasks_description: format!("To the tasks of service {}", c.name),
        from_lb_description: format!("From the load balancer of service {}", c.name),
        logs_bucket_prefix: format!("{}-access-logs-", c.name),
        autoscaling: s.autoscaling,
        scaling_resource: Expr(vec![
            Part::Lit("service/".into()),
            Part::Res {
                cfn: ids.id("Cluster"),
                attr: None,
                tf: format!("{}.name", ids.tf("aws_ecs_cluster")),
            },
            Part::Lit("/".into()),
            Part::Res {
                cfn: ids.id("Service"),
                attr: Some("Name".into()),
                tf: format!("{}.name", ids.tf("aws_ecs_service")),
            },
        ]),
        alarms,
    }
}

/// The service's alarms, when it has a topic for them: the 5xx rate, p99 response time,
/// unhealthy tasks, CPU and memory.
fn alarms(c: &Planned, plan: &Plan, index: usize) -> Vec<Alarm> {
    let Some(topic) = crate::components::alarm_topic(plan, index) else {
        return Vec::new();
    };
    let ids = &c.ids;
    let lb = (
        "LoadBalancer",
        ids.res(
            "LoadBalancer",
            Some("LoadBalancerFullName"),
            "aws_lb",
            "arn_suffix",
        ),
    );
    let tg = (
        "TargetGroup",
        ids.res(
            "TargetGroup",
            Some("TargetGroupFullName"),
            "aws_lb_target_group",
            "arn_suffix",
        ),
    );
    let cluster = (
        "ClusterName",
        ids.res("Cluster", None, "aws_ecs_cluster", "name"),
    );
    let service = (
        "ServiceName",
        ids.res("Service", Some("Name"), "aws_ecs_service", "name"),
    );
    let no_requests = (
        "notBreaching",
        "no requests in a period means nothing failed or waited",
    );
    let keep = (
        "missing",
        "no data keeps the alarm's state: a service scaled to no tasks sends none",
    );
    let alarm =
        |key: &str,
         description: String,
         (namespace, metric): (&'static str, &'static str),
         (statistic, extended): (Option<&'static str>, Option<&'static str>),
         (threshold, period, evaluation_periods): (f64, u32, u32),
         dimensions: Vec<(&'static str, Expr)>,
         (treat_missing, treat_missing_reason): (&'static str, &'static str)| Alarm {
            id: crate::naming::pascal_case(key),
            key: key.replace('-', "_"),
            name: crate::components::topic::view::alarm_name(ids, key),
            description: format!("Service {}: {description}", c.name),
            namespace,
            metric,
            statistic,
            extended,
            threshold,
            period,
            evaluation_periods,
            // Quoted, as `hcl_key` writes them.
            dimension_width: dimensions
                .iter()
                .map(|(n, _)| n.len() + 2)
                .max()
                .unwrap_or(0),
            dimensions,
            rate: key == "error-rate",
            comparison: if key == "no-healthy-tasks" {
                "LessThanThreshold"
            } else {
                "GreaterThanThreshold"
            },
            treat_missing,
            treat_missing_reason,
            topic: topic.clone(),
        };
    vec![
        alarm(
            "error-rate",
            "more than 5% of requests answered 5xx, by the load balancer or the tasks, in 5 minutes".into(),
            ("AWS/ApplicationELB", "RequestCount"),
            (Some("Sum"), None),
            (5.0, 300, 1),
            vec![lb.clone()],
            no_requests,
        ),
        alarm(
            "response-time",
            "the slowest 1% of responses take more than 2 seconds, for 15 minutes".into(),
            ("AWS/ApplicationELB", "TargetResponseTime"),
            (None, Some("p99")),
            (2.0, 300, 3),
            vec![lb.clone(), tg.clone()],
            no_requests,
        ),
        alarm(
            "no-healthy-tasks",
            "no task passes the load balancer's health check for 2 minutes: the service is down".into(),
            ("AWS/ApplicationELB", "HealthyHostCount"),
            (Some("Minimum"), None),
            (1.0, 60, 2),
            vec![lb.clone(), tg.clone()],
            (
                "breaching",
                "no data on healthy tasks means none registered: the service is down",
            ),
        ),
        alarm(
            "unhealthy-tasks",
            "a task fails the load balancer's health check for 5 minutes".into(),
            ("AWS/ApplicationELB", "UnHealthyHostCount"),
            (Some("Maximum"), None),
            (0.0, 60, 5),
            vec![lb, tg],
            keep,
        ),
        alarm(
            "cpu",
            "the tasks use more than 80% of their CPU for 15 minutes".into(),
            ("AWS/ECS", "CPUUtilization"),
            (Some("Average"), None),
            (80.0, 300, 3),
            vec![cluster.clone(), service.clone()],
            keep,
        ),
        alarm(
            "memory",
            "the tasks use more than 80% of their memory for 15 minutes".into(),
            ("AWS/ECS", "MemoryUtilization"),
            (Some("Average"), None),
            (80.0, 300, 3),
            vec![cluster, service],
            keep,
        ),
    ]
}
