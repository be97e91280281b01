//! What the topic templates read.

use serde::Serialize;

use super::Plan as TopicPlan;
use crate::components::{Access, Ids};
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

/// An email subscription.
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    pub id: String,
    pub key: String,
    pub address: String,
}

/// A function the topic delivers to, with the permission that lets SNS invoke it.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSubscription {
    pub id: String,
    pub key: String,
    pub function_arn: Expr,
    pub function_name: String,
}

/// A queue the topic delivers to (the queue's policy lets exactly this topic send).
#[derive(Debug, Clone, Serialize)]
pub struct QueueSubscription {
    pub id: String,
    pub key: String,
    pub queue_arn: Expr,
    pub queue_name: String,
    /// The queue's policy resource: SNS checks it when the subscription is created.
    pub policy_id: String,
    pub queue_key: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub name: Expr,
    pub display_name: String,
    pub key_description: String,
    pub key_alias: Expr,
    pub key_policy: Doc,
    pub topic_policy: Doc,
    pub emails: Vec<Email>,
    pub functions: Vec<FunctionSubscription>,
    pub queues: Vec<QueueSubscription>,
    pub email_key_width: usize,
    pub comment: String,
    /// The key outlives the stack (production): what it encrypted may still need it.
    pub retain_key: bool,
}

/// The names of the alarms that notify the topic (`<stack>-<component>-<what>`), by the
/// components that watch themselves for it.
pub fn alarm_names(plan: &Plan, topic: usize) -> Vec<(usize, &'static str)> {
    use crate::plan::ComponentPlan;
    plan.connections
        .iter()
        .filter(|c| c.to == topic && c.access == Access::Alarms)
        .flat_map(|c| {
            let whats: Vec<&'static str> = match &plan.components[c.from].plan {
                ComponentPlan::Api(_) => vec!["5xx"],
                ComponentPlan::Queue(_) => vec!["dead-letters"],
                ComponentPlan::Pipeline(p) if p.schedule.is_some() => {
                    vec!["failed-executions", "dropped-starts"]
                }
                ComponentPlan::Pipeline(_) => vec!["failed-executions"],
                ComponentPlan::Database(d) => d.alarm_keys(),
                ComponentPlan::Service(_) => crate::components::service::ALARMS.to_vec(),
                ComponentPlan::Function(_)
                | ComponentPlan::Table(_)
                | ComponentPlan::Topic(_)
                | ComponentPlan::DataLake(_) => vec!["errors"],
            };
            whats.into_iter().map(move |w| (c.from, w))
        })
        .collect()
}

/// The ARN of a component's alarm, named `<stack>-<component>-<what>`.
pub fn alarm_arn(ids: &Ids, what: &str) -> Expr {
    Expr::arn(
        "cloudwatch",
        true,
        vec![
            Part::Lit("alarm:".into()),
            Part::Stack,
            Part::Lit(format!("-{}-{what}", ids.kebab)),
        ],
    )
}

/// The alarm's name itself.
pub fn alarm_name(ids: &Ids, what: &str) -> Expr {
    Expr(vec![
        Part::Stack,
        Part::Lit(format!("-{}-{what}", ids.kebab)),
    ])
}

fn topic_arn(ids: &Ids) -> Expr {
    ids.res("Topic", None, "aws_sns_topic", "arn")
}

pub fn view(c: &Planned, t: &TopicPlan, plan: &Plan, index: usize) -> View {
    let ids = &c.ids;
    let alarms: Vec<Doc> = alarm_names(plan, index)
        .into_iter()
        .map(|(from, what)| Doc::Expr(alarm_arn(&plan.components[from].ids, what)))
        .collect();
    let mut key_statements = vec![crate::components::key_administration()];
    let mut topic_statements = vec![Doc::map([
        ("Sid", Doc::str("DenyInsecureTransport")),
        ("Effect", Doc::str("Deny")),
        ("Principal", Doc::str("*")),
        (
            "Action",
            Doc::List(vec![Doc::str("sns:Publish"), Doc::str("sns:Subscribe")]),
        ),
        ("Resource", Doc::Expr(topic_arn(ids))),
        (
            "Condition",
            Doc::map([(
                "Bool",
                Doc::map([("aws:SecureTransport", Doc::str("false"))]),
            )]),
        ),
    ])];
    if !alarms.is_empty() {
        let source = Doc::map([
            (
                "StringEquals",
                Doc::map([("aws:SourceAccount", Doc::Expr(Expr(vec![Part::Account])))]),
            ),
            ("ArnLike", Doc::map([("aws:SourceArn", Doc::List(alarms))])),
        ]);
        key_statements.push(Doc::map([
            ("Sid", Doc::str("CloudWatchAlarmsOfThisBlueprint")),
            ("Effect", Doc::str("Allow")),
            (
                "Principal",
                Doc::map([("Service", Doc::str("cloudwatch.amazonaws.com"))]),
            ),
            (
                "Action",
                Doc::List(vec![
                    Doc::str("kms:Decrypt"),
                    Doc::str("kms:GenerateDataKey"),
                ]),
            ),
            ("Resource", Doc::str("*")),
            // SNS calls KMS for the publisher without the alarm's ARN, so the key admits
            // CloudWatch for this topic only; the topic's policy names the alarms.
            (
                "Condition",
                Doc::map([(
                    "StringEquals",
                    Doc::map([(
                        "kms:EncryptionContext:aws:sns:topicArn",
                        Doc::Expr(Expr::arn(
                            "sns",
                            true,
                            vec![Part::Stack, Part::Lit(format!("-{}", c.name))],
                        )),
                    )]),
                )]),
            ),
        ]));
        topic_statements.push(Doc::map([
            ("Sid", Doc::str("CloudWatchAlarmsPublish")),
            ("Effect", Doc::str("Allow")),
            (
                "Principal",
                Doc::map([("Service", Doc::str("cloudwatch.amazonaws.com"))]),
            ),
            ("Action", Doc::str("sns:Publish")),
            ("Resource", Doc::Expr(topic_arn(ids))),
            ("Condition", source),
        ]));
    }
    let emails: Vec<Email> = t
        .emails
        .iter()
        .enumerate()
        .map(|(i, e)| Email {
            id: ids.id(&format!("Email{}", i + 1)),
            key: e.clone(),
            address: e.clone(),
        })
        .collect();
    let functions = plan
        .connections
        .iter()
        .filter(|k| k.from == index && k.access == Access::Invoke)
        .map(|k| {
            let f = &plan.components[k.to];
            FunctionSubscription {
                id: ids.id(&format!("Deliver{}", f.ids.pascal)),
                key: format!("{}_{}", ids.snake, f.ids.snake),
                function_arn: f
                    .ids
                    .res("Function", Some("Arn"), "aws_lambda_function", "arn"),
                function_name: f.name.clone(),
            }
        })
        .collect();
    let queues = plan
        .connections
        .iter()
        .filter(|k| k.from == index && k.access == Access::Deliver)
        .map(|k| {
            let q = &plan.components[k.to];
            QueueSubscription {
                id: ids.id(&format!("Deliver{}", q.ids.pascal)),
                key: format!("{}_{}", ids.snake, q.ids.snake),
                queue_arn: crate::components::queue::view::queue_arn(&q.ids),
                queue_name: q.name.clone(),
                policy_id: q.ids.id("QueuePolicy"),
                queue_key: q.ids.snake.clone(),
            }
        })
        .collect();
    View {
        queues,
        name: Expr(vec![Part::Stack, Part::Lit(format!("-{}", c.name))]),
        display_name: format!("{} {}", plan.name, c.name),
        key_description: format!("Encrypts topic {} of {}", c.name, plan.name),
        key_alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{}", c.name)),
        ]),
        key_policy: Doc::map([
            ("Version", Doc::str("2012-10-17")),
            ("Statement", Doc::List(key_statements)),
        ]),
        topic_policy: Doc::map([
            ("Version", Doc::str("2012-10-17")),
            ("Statement", Doc::List(topic_statements)),
        ]),
        retain_key: plan.environment == crate::blueprint::types::Environment::Production,
        email_key_width: t
            .emails
            .iter()
            .map(|e| crate::render::escape::hcl_string(e).chars().count())
            .max()
            .unwrap_or(0),
        comment: format!(
            "Topic {}: encrypted with a key of its own (CloudWatch alarms publish only to a topic whose key policy lets them), TLS only.",
            c.name
        ),
        emails,
        functions,
    }
}
