//! What the pipeline templates read.

use serde::Serialize;

pub use crate::components::Alarm;

use super::Plan as PipelinePlan;
use super::asl;
use crate::components::{Access, Ids, Skip};
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

/// A `DefinitionSubstitutions` entry: the placeholder and its value.
#[derive(Debug, Clone, Serialize)]
pub struct Substitution {
    pub name: String,
    pub value: Expr,
}

#[derive(Debug, Clone, Serialize)]
pub struct Role {
    pub description: String,
    pub name_prefix: String,
    pub trust_policy: Doc,
    pub policy: Doc,
    /// Why each `*` resource of the policy is there.
    pub unscoped: Vec<String>,
}

/// Where the schedule puts a start it could not make within its retries.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleDeadLetter {
    pub name: Expr,
    pub policy: Doc,
    pub cfn_skips: Vec<Skip>,
    pub alarm: Option<Alarm>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub expression: String,
    pub timezone: String,
    pub description: String,
    pub name_prefix: String,
    /// The state machine's input: the time the schedule fired, as `execution_date`.
    pub input: String,
    pub role: Role,
    pub dead_letter: ScheduleDeadLetter,
    /// Checks that do not apply, as checkov's Terraform checks see the schedule.
    pub tf_skips: Vec<Skip>,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub comment: Vec<String>,
    pub logs: crate::components::logs::LogGroup,
    pub role: Role,
    /// The definition with its references inline: CloudFormation's `Definition` (`!Sub`,
    /// `!GetAtt`), Terraform's `jsonencode`.
    pub definition: Doc,
    /// The same definition with `${Placeholder}`s, and their values (SAM).
    pub cfn_definition: Doc,
    pub substitutions: Vec<Substitution>,
    pub log_level: &'static str,
    pub include_execution_data: bool,
    pub schedule: Option<Schedule>,
    pub alarm: Option<Alarm>,
    /// cfn-lint checks that misread the state machine in the blueprint's partition, each with
    /// the reason (CloudFormation only).
    pub cfn_lint_ignores: Vec<Skip>,
}

pub fn state_machine_arn(ids: &Ids) -> Expr {
    ids.res("StateMachine", None, "aws_sfn_state_machine", "arn")
}

/// The queue that holds the starts the schedule could not make.
pub fn schedule_dead_letter_arn(ids: &Ids) -> Expr {
    Expr::res(
        &ids.id("ScheduleDeadLetterQueue"),
        Some("Arn"),
        &format!("{}.arn", ids.tf_as("aws_sqs_queue", "schedule_dlq")),
    )
}

pub(crate) fn trust(service: &str, source_arn: Option<Expr>) -> Doc {
    let mut condition = vec![(
        "StringEquals",
        Doc::map([("aws:SourceAccount", Doc::Expr(Expr(vec![Part::Account])))]),
    )];
    if let Some(arn) = source_arn {
        condition.push(("ArnLike", Doc::map([("aws:SourceArn", Doc::Expr(arn))])));
    }
    assume_role(service, Some(Doc::map(condition)))
}

/// A trust policy: `service` may assume the role, where `condition` holds.
pub(crate) fn assume_role(service: &str, condition: Option<Doc>) -> Doc {
    let mut statement = vec![
        ("Effect", Doc::str("Allow")),
        ("Principal", Doc::map([("Service", Doc::str(service))])),
        ("Action", Doc::str("sts:AssumeRole")),
    ];
    if let Some(condition) = condition {
        statement.push(("Condition", condition));
    }
    Doc::map([
        ("Version", Doc::str("2012-10-17")),
        ("Statement", Doc::List(vec![Doc::map(statement)])),
    ])
}

fn unscoped(role: Option<&crate::iam::Role>) -> Vec<String> {
    role.map(crate::iam::Role::unscoped).unwrap_or_default()
}

pub fn view(
    c: &Planned,
    p: &PipelinePlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let topic_of = |access: Access| {
        plan.connections
            .iter()
            .find(|k| k.from == index && k.access == access)
            .map(|k| {
                plan.components[k.to]
                    .ids
                    .res("Topic", None, "aws_sns_topic", "arn")
            })
    };
    let function = |name: &str| {
        plan.components.iter().find(|f| f.name == name).map(|f| {
            f.ids
                .res("Function", Some("Arn"), "aws_lambda_function", "arn")
        })
    };
    let targets = asl::Targets {
        function: &function,
        topic: topic_of(Access::Notify),
        title: format!("Pipeline {} of {}", c.name, plan.name),
    };
    let description = p
        .description
        .clone()
        .unwrap_or_else(|| format!("Pipeline {} of {}", c.name, plan.name));
    let definition = asl::definition(p, &targets, description.clone());
    let (cfn_definition, found) = definition.substituted();
    let role = plan.iam.role_of(index);
    let schedule = p.schedule.as_ref().map(|s| {
        let role = plan.iam.schedule_role_of(index);
        Schedule {
            expression: s.expression.clone(),
            timezone: s.timezone.clone().unwrap_or_else(|| "UTC".into()),
            description: format!("Starts pipeline {} of {}: {}", c.name, plan.name, s.expression),
            name_prefix: format!(
                "{}-",
                crate::naming::fit(&format!("{}-{}", plan.name, c.name), 37)
            ),
            input: r#"{"execution_date":"<aws.scheduler.scheduled-time>"}"#.into(),
            dead_letter: ScheduleDeadLetter {
                name: Expr(vec![
                    Part::Short(crate::naming::fit(&plan.name, 20)),
                    Part::Lit(format!("-{}-schedule-dlq", c.name)),
                ]),
                policy: crate::components::queue::view::policy(vec![
                    crate::components::queue::view::tls_only(schedule_dead_letter_arn(ids)),
                ]),
                cfn_skips: vec![crate::components::queue::view::sse_sqs_cfn_skip()],
                alarm: topic_of(Access::Alarms).map(|topic| Alarm {
                    name: crate::components::topic::view::alarm_name(ids, "dropped-starts"),
                    description: format!(
                        "Pipeline {}: the schedule could not start it within its retries",
                        c.name
                    ),
                    topic,
                }),
            },
            tf_skips: vec![Skip {
                id: "CKV_AWS_297",
                reason: "the schedule holds its expression and an input of one timestamp, no data; EventBridge Scheduler encrypts it with an AWS owned key, and a customer key would only add a key policy to keep".into(),
            }],
            role: Role {
                description: format!("Role EventBridge Scheduler assumes to start pipeline {} of {}", c.name, plan.name),
                name_prefix: format!(
                    "{}-",
                    crate::naming::fit(&format!("{}-{}-schedule", plan.name, c.name), 37)
                ),
                trust_policy: trust("scheduler.amazonaws.com", None),
                policy: role.map_or_else(|| Doc::map::<&str>([]), crate::iam::Role::policy),
                unscoped: unscoped(role),
            },
        }
    });
    let mut comment = vec![format!(
        "Pipeline {}: a standard workflow of {} step{}{}; every event logged{}, traced with X-Ray.",
        c.name,
        p.steps.len(),
        if p.steps.len() == 1 { "" } else { "s" },
        match &p.schedule {
            Some(s) => format!(", started by {}", s.expression),
            None => String::new(),
        },
        if p.logging.include_execution_data {
            " with its input and output"
        } else {
            ""
        },
    )];
    if p.logging.include_execution_data {
        comment.push(format!(
            "Its logs hold every state's input and output for {} days: keep secrets out of the state.",
            p.log_retention_days
        ));
    }
    if targets.topic.is_some() {
        comment.push(
            "Every step that can fail retries, then catches into NotifyFailure; the last step leads to NotifySuccess.".into(),
        );
    }
    let cfn_lint_ignores = if plan.region.partition.name == "aws" {
        Vec::new()
    } else {
        vec![Skip {
            id: "W1031",
            reason: format!(
                "cfn-lint's Amazon States Language schema accepts only the aws partition in a task's Resource; in {} the service integrations are arn:{}:states:::…, which is what the template resolves",
                plan.region.partition.name, plan.region.partition.name
            ),
        }]
    };
    View {
        cfn_lint_ignores,
        comment,
        logs: crate::components::logs::log_group(
            "vendedlogs/states",
            &c.name,
            p.log_retention_days,
            p.retain_logs,
            format!("execution logs of pipeline {}", c.name),
            plan.environment,
            accepted,
        ),
        role: Role {
            description: format!("Execution role of pipeline {} of {}", c.name, plan.name),
            name_prefix: format!(
                "{}-",
                crate::naming::fit(&format!("{}-{}", plan.name, c.name), 37)
            ),
            trust_policy: trust("states.amazonaws.com", None),
            policy: role.map_or_else(|| Doc::map::<&str>([]), crate::iam::Role::policy),
            unscoped: unscoped(role),
        },
        definition,
        cfn_definition,
        substitutions: found
            .into_iter()
            .map(|(name, value)| Substitution { name, value })
            .collect(),
        log_level: p.logging.level.as_aws(),
        include_execution_data: p.logging.include_execution_data,
        schedule,
        alarm: topic_of(Access::Alarms).map(|topic| Alarm {
            name: crate::components::topic::view::alarm_name(ids, "failed-executions"),
            description: format!(
                "Pipeline {}: at least one execution failed in 5 minutes",
                c.name
            ),
            topic,
        }),
    }
}
