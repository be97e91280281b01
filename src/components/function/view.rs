//! What the function templates read.

use serde::Serialize;

pub use crate::components::Alarm;

use super::{EnvValue, Plan as FunctionPlan};
use crate::components::{Access, Kind};
use crate::expr::{Doc, Expr};
use crate::plan::{ComponentPlan, Plan, Planned};

#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    pub value: Expr,
    pub comment: Option<String>,
    /// Width of the names in its run of variables (a comment starts a new run), so that `=`
    /// signs line up as `terraform fmt` wants.
    pub width: usize,
}

/// A service's permission to invoke the function.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    pub id: String,
    pub key: String,
    pub principal: String,
    pub source_arn: Expr,
    /// Also scoped to the account (S3: a bucket ARN names no account).
    pub source_account: bool,
    pub comment: String,
}

/// The function's place in the network.
#[derive(Debug, Clone, Serialize)]
pub struct Vpc {
    pub tier: String,
    pub subnet_ids: Vec<String>,
    pub subnet_keys: Vec<String>,
    pub security_group_description: String,
    pub security_group_name_prefix: String,
}

pub use crate::components::Skip;

/// The event source mapping through which the function drains a queue.
#[derive(Debug, Clone, Serialize)]
pub struct EventSource {
    pub queue: String,
    pub queue_arn: Expr,
    pub batch_size: u32,
    pub batching_window: Option<u32>,
    pub max_concurrency: Option<u32>,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub runtime: &'static str,
    pub handler: &'static str,
    pub architecture: &'static str,
    pub memory: u32,
    pub timeout: u32,
    pub description: String,
    pub comment: Vec<String>,
    /// `src/<name>`: the handler's folder, relative to the output directory.
    pub code_dir: String,
    /// `build/<name>.zip`: the package the build step makes of it (Terraform).
    pub package: String,
    pub environment: Vec<Variable>,
    pub logs: crate::components::logs::LogGroup,
    pub role_description: String,
    pub role_name_prefix: String,
    pub trust_policy: Doc,
    pub policy: Doc,
    /// Why each `*` resource of the policy is there.
    pub unscoped: Vec<String>,
    pub reserved_concurrency: Option<u32>,
    pub on_failure: Option<Expr>,
    pub vpc: Option<Vpc>,
    pub permissions: Vec<Permission>,
    /// Width of the quoted keys of the invokers' map (Terraform).
    pub permission_key_width: usize,
    /// Some permission names the account: every Terraform entry then carries `source_account`.
    pub permissions_with_account: bool,
    pub alarm: Option<Alarm>,
    pub consumes: Option<EventSource>,
    pub skips: Vec<Skip>,
}

/// The checkov checks that do not apply to the function as the blueprint has it.
fn skips(
    f: &FunctionPlan,
    on_failure: bool,
    invoked_by_api: bool,
    consumes: bool,
    objects: Option<String>,
) -> Vec<Skip> {
    let mut out = Vec::new();
    if !on_failure {
        out.push(Skip {
            id: "CKV_AWS_116",
            reason: if let Some(why) = objects {
                why
            } else if consumes {
                "Lambda polls the queue synchronously: a failed batch item returns to the queue and, after its receive limit, to the queue's own dead-letter queue; a function dead-letter queue only ever receives asynchronous events".into()
            } else if invoked_by_api {
                "API Gateway invokes the function synchronously: a failed request returns its error to the caller and counts in the Errors metric; a dead-letter queue only ever receives asynchronous events (`on_failure:` adds a destination)".into()
            } else {
                "no asynchronous caller in the blueprint; `on_failure:` sends failed asynchronous events to a topic".into()
            },
        });
    }
    if f.tier.is_none() {
        out.push(Skip {
            id: "CKV_AWS_117",
            reason: "the function reaches only AWS service endpoints, over TLS with IAM authorization, and no private resource; a VPC adds nothing to its isolation (`tier:` places it in the network)".into(),
        });
    }
    out.push(Skip {
        id: "CKV_AWS_173",
        reason: "its variables hold names only (tables, keys, secrets and parameters by name, read at run time), never a secret value; Lambda encrypts them at rest with its AWS managed key".into(),
    });
    if f.reserved_concurrency.is_none() {
        out.push(Skip {
            id: "CKV_AWS_115",
            reason: "no `reserved_concurrency` in the blueprint: the function draws on the account's unreserved pool, and reserving capacity for it would take that capacity from every other function".into(),
        });
    }
    out.push(Skip {
        id: "CKV_AWS_272",
        reason: "the package is built from the reviewed repository by the deploy step; Lambda code signing needs a signing profile and signer outside this blueprint".into(),
    });
    out
}

/// What tells one table's (or topic's) variables from another's: nothing when the function
/// uses one, `_<NAME>` when it uses several.
fn variable_suffix(used: usize, target: &Planned) -> String {
    if used == 1 {
        String::new()
    } else {
        format!("_{}", target.ids.snake.to_ascii_uppercase())
    }
}

pub fn view(
    c: &Planned,
    f: &FunctionPlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let info = f.runtime.info();
    let uses: Vec<&crate::plan::graph::Connection> = plan
        .connections
        .iter()
        .filter(|k| k.from == index)
        .collect();
    let tables: Vec<&Planned> = uses
        .iter()
        .filter(|k| k.access.is_use() && plan.components[k.to].kind == Kind::Table)
        .map(|k| &plan.components[k.to])
        .collect();
    let topics: Vec<&Planned> = uses
        .iter()
        .filter(|k| k.access == Access::Publish)
        .map(|k| &plan.components[k.to])
        .collect();
    let queues: Vec<&Planned> = uses
        .iter()
        .filter(|k| k.access == Access::Send)
        .map(|k| &plan.components[k.to])
        .collect();
    let mut environment = Vec::new();
    for t in &tables {
        let ComponentPlan::Table(tp) = &t.plan else {
            continue;
        };
        let suffix = variable_suffix(tables.len(), t);
        environment.push(Variable {
            name: format!("TABLE_NAME{suffix}"),
            value: t.ids.res("Table", None, "aws_dynamodb_table", "name"),
            comment: None,
            width: 0,
        });
        environment.push(Variable {
            name: format!("PARTITION_KEY{suffix}"),
            value: Expr::lit(tp.partition.0.clone()),
            comment: None,
            width: 0,
        });
        environment.push(Variable {
            name: format!("SORT_KEY{suffix}"),
            value: Expr::lit(tp.sort.as_ref().map(|s| s.0.clone()).unwrap_or_default()),
            comment: None,
            width: 0,
        });
    }
    for t in &topics {
        let suffix = variable_suffix(topics.len(), t);
        environment.push(Variable {
            name: format!("TOPIC_ARN{suffix}"),
            value: t.ids.res("Topic", None, "aws_sns_topic", "arn"),
            comment: None,
            width: 0,
        });
    }
    for q in &queues {
        let suffix = variable_suffix(queues.len(), q);
        environment.push(Variable {
            name: format!("QUEUE_URL{suffix}"),
            value: q.ids.res("Queue", None, "aws_sqs_queue", "url"),
            comment: None,
            width: 0,
        });
    }
    let zones: Vec<(&Planned, &str, Access)> = uses
        .iter()
        .filter(|k| k.access.is_use() && plan.components[k.to].kind == Kind::DataLake)
        .filter_map(|k| {
            k.part
                .as_deref()
                .map(|z| (&plan.components[k.to], z, k.access))
        })
        .collect();
    let written: Vec<&(&Planned, &str, Access)> = zones
        .iter()
        .filter(|(_, _, a)| matches!(a, Access::Write | Access::ReadWrite))
        .collect();
    let output = match written.as_slice() {
        [one] => Some((one.0.name.as_str(), one.1)),
        _ => None,
    };
    for (lake, zone, _) in &zones {
        if output != Some((lake.name.as_str(), *zone))
            && let crate::plan::ComponentPlan::DataLake(l) = &lake.plan
        {
            environment.push(Variable {
                name: format!("{}_BUCKET", zone.replace('-', "_").to_ascii_uppercase()),
                value: crate::components::data_lake::view::bucket_name(l, &lake.ids, zone),
                comment: None,
                width: 0,
            });
        }
    }
    if let [(lake, zone, _)] = written.as_slice()
        && let crate::plan::ComponentPlan::DataLake(l) = &lake.plan
    {
        environment.push(Variable {
            name: "OUTPUT_BUCKET".into(),
            value: crate::components::data_lake::view::bucket_name(l, &lake.ids, zone),
            comment: Some(format!(
                "zone {zone} of lake {}: where the function writes",
                lake.name
            )),
            width: 0,
        });
    }
    if let Some(o) = &f.objects {
        environment.push(Variable {
            name: "INPUT_PREFIX".into(),
            value: Expr::lit(o.prefix.clone()),
            comment: Some(format!(
                "the prefix of the new objects of zone {} of lake {} that invoke the function",
                o.zone, o.lake
            )),
            width: 0,
        });
    }
    for (name, value) in &f.environment {
        let (value, comment) = match value {
            EnvValue::Plain(v) => (Expr::lit(v.clone()), None),
            EnvValue::Secret(s) => (
                Expr::lit(s.clone()),
                Some(
                    "a Secrets Manager secret: the function reads its value at run time"
                        .to_string(),
                ),
            ),
            EnvValue::Parameter(p) => (
                Expr::lit(p.clone()),
                Some("an SSM parameter: the function reads its value at run time".to_string()),
            ),
        };
        environment.push(Variable {
            name: name.clone(),
            value,
            comment,
            width: 0,
        });
    }
    let mut start = 0;
    for i in 1..=environment.len() {
        if i == environment.len() || environment[i].comment.is_some() {
            let width = environment[start..i]
                .iter()
                .map(|v| v.name.len())
                .max()
                .unwrap_or(0);
            for v in &mut environment[start..i] {
                v.width = width;
            }
            start = i;
        }
    }
    let role = plan.iam.role_of(index);
    let policy = role.map_or_else(|| Doc::map::<&str>([]), crate::iam::Role::policy);
    let unscoped = role.map(crate::iam::Role::unscoped).unwrap_or_default();
    let permissions: Vec<Permission> = plan
        .iam
        .invokes_of(index)
        .map(|i| {
            let source = &plan.components[i.source];
            Permission {
                id: ids.id(&format!(
                    "Invoke{}{}",
                    source.ids.pascal,
                    if i.service == "sns" {
                        String::new()
                    } else {
                        i.id.clone()
                    }
                )),
                source_account: i.source_account,
                key: if i.service == "sns" {
                    source.ids.snake.clone()
                } else {
                    format!("{}_{}", source.ids.snake, i.key.replace('-', "_"))
                },
                principal: format!("{}.amazonaws.com", i.service),
                source_arn: i.source_arn.clone(),
                comment: match i.service {
                    "sns" => format!("Topic {} may invoke the function.", source.name),
                    "s3" => format!(
                        "The bucket of zone {} of lake {} may invoke the function, in this account only.",
                        i.key, source.name
                    ),
                    _ => format!(
                        "API {} may invoke the function for route {} only.",
                        source.name, i.key
                    ),
                },
            }
        })
        .collect();
    let alarm = uses
        .iter()
        .find(|k| k.access == Access::Alarms)
        .map(|k| Alarm {
            name: crate::components::topic::view::alarm_name(ids, "errors"),
            description: format!("Function {}: at least one error in 5 minutes", c.name),
            topic: plan.components[k.to]
                .ids
                .res("Topic", None, "aws_sns_topic", "arn"),
        });
    let on_failure = uses
        .iter()
        .find(|k| k.access == Access::OnFailure)
        .map(|k| {
            plan.components[k.to]
                .ids
                .res("Topic", None, "aws_sns_topic", "arn")
        });
    let vpc = f.tier.as_ref().and_then(|tier| {
        let subnets = plan.network.as_ref()?.tier_subnets(tier);
        Some(Vpc {
            tier: tier.clone(),
            subnet_ids: subnets.iter().map(|s| s.id.clone()).collect(),
            subnet_keys: subnets.into_iter().map(|s| s.key).collect(),
            security_group_description: format!(
                "Function {} of {}: no inbound traffic; HTTPS out",
                c.name, plan.name
            ),
            security_group_name_prefix: format!(
                "{}-",
                crate::naming::fit(&format!("{}-{}", plan.name, c.name), 100)
            ),
        })
    });
    let code_dir = format!("src/{}", c.name);
    let mut comment = vec![format!(
        "Function {}: {} on {}, {} MB, {} s; code in {code_dir}/ (scaffolded once, then yours).",
        c.name,
        info.aws,
        f.architecture.as_aws(),
        f.memory,
        f.timeout,
    )];
    if let Some(n) = f.reserved_concurrency {
        comment.push(format!(
            "{n} reserved concurrent executions: its share of the account's concurrency, and its ceiling."
        ));
    }
    let invoked_by_api = permissions
        .iter()
        .any(|p| p.principal.starts_with("apigateway."));
    // S3 and SNS invoke asynchronously: without `on_failure` a failed event is dropped (rule
    // REL006), which the blueprint accepted or which is a warning where it renders.
    let by_topic = plan.connections.iter().any(|k| {
        k.to == index && k.access == Access::Invoke && plan.components[k.from].kind == Kind::Topic
    });
    let objects_skip = (f.objects.is_some() || by_topic).then(|| {
        let by = if f.objects.is_some() { "S3" } else { "SNS" };
        match accepted.iter().find(|a| a.rule.id == "REL006") {
            Some(a) => format!(
                "REL006 accepted for {}: {}",
                c.name,
                crate::render::one_line(&a.reason)
            ),
            None => format!(
                "REL006 is a warning in {}: {by} invokes the function asynchronously and a failed event is dropped after Lambda's two retries, counted in the Errors metric (`on_failure:` keeps it)",
                plan.environment.as_str()
            ),
        }
    });
    let consumes = uses
        .iter()
        .find(|k| k.access == Access::Consume)
        .zip(f.batch)
        .map(|(k, b)| {
            let q = &plan.components[k.to];
            EventSource {
                queue: q.name.clone(),
                queue_arn: crate::components::queue::view::queue_arn(&q.ids),
                batch_size: b.size,
                batching_window: b.window,
                max_concurrency: b.max_concurrency,
                comment: format!(
                    "Function {} drains queue {}: {} records a batch{}{}; a record it reports in batchItemFailures returns to the queue, the rest are deleted.",
                    c.name,
                    q.name,
                    b.size,
                    b.window
                        .map(|w| format!(", gathered for up to {w} s"))
                        .unwrap_or_default(),
                    b.max_concurrency
                        .map(|m| format!(", at most {m} at once"))
                        .unwrap_or_default(),
                ),
            }
        });
    View {
        skips: skips(
            f,
            on_failure.is_some(),
            invoked_by_api,
            consumes.is_some(),
            objects_skip,
        ),
        consumes,
        runtime: info.aws,
        handler: info.handler,
        architecture: f.architecture.as_aws(),
        memory: f.memory,
        timeout: f.timeout,
        description: f
            .description
            .clone()
            .unwrap_or_else(|| format!("Function {} of {}", c.name, plan.name)),
        comment,
        code_dir,
        package: format!("build/{}.zip", c.name),
        environment,
        logs: crate::components::logs::log_group(
            "lambda",
            &c.name,
            f.log_retention_days,
            f.retain_logs,
            format!("logs of function {}", c.name),
            plan.environment,
            accepted,
        ),
        role_description: format!("Execution role of function {} of {}", c.name, plan.name),
        role_name_prefix: format!(
            "{}-",
            crate::naming::fit(&format!("{}-{}", plan.name, c.name), 37)
        ),
        trust_policy: crate::components::pipeline::view::trust("lambda.amazonaws.com", None),
        policy,
        unscoped,
        reserved_concurrency: f.reserved_concurrency,
        on_failure,
        vpc,
        permissions_with_account: permissions.iter().any(|p| p.source_account),
        permission_key_width: permissions
            .iter()
            .map(|p| crate::render::escape::hcl_string(&p.key).chars().count())
            .max()
            .unwrap_or(0),
        permissions,
        alarm,
    }
}
