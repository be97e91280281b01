//! What the queue templates read.

use serde::Serialize;

pub use crate::components::Alarm;

use super::{Encryption, Plan as QueuePlan, name_suffix};
use crate::components::{Access, Ids, Skip};
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

/// A queue's key of its own.
#[derive(Debug, Clone, Serialize)]
pub struct Key {
    pub description: String,
    pub alias: Expr,
    pub policy: Doc,
}

/// The dead-letter queue.
#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    pub name: Expr,
    pub max_receive_count: u32,
    /// The redrive-allow policy: only the main queue may send its failures here.
    pub redrive_allow: Doc,
    pub policy: Doc,
    pub alarm: Option<Alarm>,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub name: Expr,
    pub fifo: bool,
    pub content_based_deduplication: bool,
    pub visibility_timeout: u32,
    pub retention_seconds: u32,
    /// `SqsManagedSseEnabled` when the queue has no key of its own: SQS-managed encryption, or
    /// none (written out, as SQS encrypts new queues unless told not to).
    pub sqs_managed_sse: bool,
    pub key: Option<Key>,
    pub policy: Doc,
    pub policy_comment: String,
    pub dead_letter: Option<DeadLetter>,
    pub retain: bool,
    pub comment: String,
    pub skips: Vec<Skip>,
    /// Skips for CloudFormation only: checks whose CloudFormation version misreads it.
    pub cfn_skips: Vec<Skip>,
}

/// The queue's name: `<blueprint, 20>-<8 characters of the deployment>-<name>[-dlq][.fifo]`,
/// at most 80 characters, unique per deployment and never changing for one.
pub fn queue_name(plan: &Plan, ids: &Ids, dead_letter: bool, fifo: bool) -> Expr {
    Expr(vec![
        Part::Short(crate::naming::fit(&plan.name, 20)),
        Part::Lit(name_suffix(&ids.kebab, dead_letter, fifo)),
    ])
}

pub fn queue_arn(ids: &Ids) -> Expr {
    ids.res("Queue", Some("Arn"), "aws_sqs_queue", "arn")
}

fn dead_letter_arn(ids: &Ids) -> Expr {
    Expr::res(
        &ids.id("DeadLetterQueue"),
        Some("Arn"),
        &format!("{}.arn", ids.tf_as("aws_sqs_queue", "dlq")),
    )
}

/// Denies every message action over plain HTTP.
pub fn tls_only(queue: Expr) -> Doc {
    Doc::map([
        ("Sid", Doc::str("DenyInsecureTransport")),
        ("Effect", Doc::str("Deny")),
        ("Principal", Doc::str("*")),
        (
            "Action",
            Doc::List(
                [
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                    "sqs:PurgeQueue",
                ]
                .into_iter()
                .map(Doc::str)
                .collect(),
            ),
        ),
        ("Resource", Doc::Expr(queue)),
        (
            "Condition",
            Doc::map([(
                "Bool",
                Doc::map([("aws:SecureTransport", Doc::str("false"))]),
            )]),
        ),
    ])
}

pub fn policy(statements: Vec<Doc>) -> Doc {
    Doc::map([
        ("Version", Doc::str("2012-10-17")),
        ("Statement", Doc::List(statements)),
    ])
}

/// checkov's CloudFormation check of queue encryption, on a queue SSE-SQS encrypts.
pub fn sse_sqs_cfn_skip() -> Skip {
    Skip {
        id: "CKV_AWS_27",
        reason: "encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov's CloudFormation check looks only for KmsMasterKeyId, its Terraform check accepts both".into(),
    }
}

/// The topics that deliver to queue `index`.
pub fn delivering_topics(plan: &Plan, index: usize) -> Vec<&Planned> {
    plan.connections
        .iter()
        .filter(|k| k.to == index && k.access == Access::Deliver)
        .map(|k| &plan.components[k.from])
        .collect()
}

pub fn view(
    c: &Planned,
    q: &QueuePlan,
    plan: &Plan,
    index: usize,
    accepted: &[crate::validate::Accepted],
) -> View {
    let ids = &c.ids;
    let topics: Vec<Expr> = delivering_topics(plan, index)
        .into_iter()
        .map(|t| t.ids.res("Topic", None, "aws_sns_topic", "arn"))
        .collect();
    let from_topics = || {
        Doc::map([(
            "ArnEquals",
            Doc::map([(
                "aws:SourceArn",
                Doc::List(topics.iter().cloned().map(Doc::Expr).collect()),
            )]),
        )])
    };
    let mut statements = vec![tls_only(queue_arn(ids))];
    if !topics.is_empty() {
        statements.push(Doc::map([
            ("Sid", Doc::str("TopicsOfThisBlueprintSend")),
            ("Effect", Doc::str("Allow")),
            (
                "Principal",
                Doc::map([("Service", Doc::str("sns.amazonaws.com"))]),
            ),
            ("Action", Doc::str("sqs:SendMessage")),
            ("Resource", Doc::Expr(queue_arn(ids))),
            ("Condition", from_topics()),
        ]));
    }
    let key = (q.encryption == Encryption::CustomerKey).then(|| {
        let mut key_statements = vec![crate::components::key_administration()];
        if !topics.is_empty() {
            key_statements.push(Doc::map([
                ("Sid", Doc::str("TopicsOfThisBlueprintEncrypt")),
                ("Effect", Doc::str("Allow")),
                (
                    "Principal",
                    Doc::map([("Service", Doc::str("sns.amazonaws.com"))]),
                ),
                (
                    "Action",
                    Doc::List(vec![
                        Doc::str("kms:GenerateDataKey"),
                        Doc::str("kms:Decrypt"),
                    ]),
                ),
                ("Resource", Doc::str("*")),
                ("Condition", from_topics()),
            ]));
        }
        Key {
            description: format!("Encrypts queue {} of {}", c.name, plan.name),
            alias: Expr(vec![
                Part::Lit("alias/".into()),
                Part::Stack,
                Part::Lit(format!("/{}-queue", c.name)),
            ]),
            policy: policy(key_statements),
        }
    });
    let alarm_topic = plan
        .connections
        .iter()
        .find(|k| k.from == index && k.access == Access::Alarms)
        .map(|k| {
            plan.components[k.to]
                .ids
                .res("Topic", None, "aws_sns_topic", "arn")
        });
    let dead_letter = q.dead_letter.map(|d| DeadLetter {
        name: queue_name(plan, ids, true, q.fifo),
        max_receive_count: d.max_receive_count,
        redrive_allow: Doc::map([
            ("redrivePermission", Doc::str("byQueue")),
            (
                "sourceQueueArns",
                // By name: the queue names this one as its dead-letter queue, so a reference
                // back would be a cycle.
                Doc::List(vec![Doc::Expr(Expr::arn(
                    "sqs",
                    true,
                    queue_name(plan, ids, false, q.fifo).0,
                ))]),
            ),
        ]),
        policy: policy(vec![tls_only(dead_letter_arn(ids))]),
        alarm: alarm_topic.map(|topic| Alarm {
            name: crate::components::topic::view::alarm_name(ids, "dead-letters"),
            description: format!(
                "Queue {}: a message reached the dead-letter queue after {} receives",
                c.name, d.max_receive_count
            ),
            topic,
        }),
    });
    let mut skips = Vec::new();
    if q.encryption == Encryption::None {
        let reason = accepted.iter().find(|a| a.rule.id == "SEC003").map_or_else(
            || "SEC003 accepted".to_string(),
            |a| {
                format!(
                    "SEC003 accepted for {}: {}",
                    c.name,
                    crate::render::one_line(&a.reason)
                )
            },
        );
        skips.push(Skip {
            id: "CKV_AWS_27",
            reason,
        });
    }
    let cfn_skips = if q.encryption == Encryption::SqsManaged {
        vec![sse_sqs_cfn_skip()]
    } else {
        Vec::new()
    };
    View {
        cfn_skips,
        name: queue_name(plan, ids, false, q.fifo),
        fifo: q.fifo,
        content_based_deduplication: q.content_based_deduplication,
        visibility_timeout: q.visibility_timeout,
        retention_seconds: q.retention_days * 86_400,
        sqs_managed_sse: q.encryption == Encryption::SqsManaged,
        key,
        policy_comment: if topics.is_empty() {
            "TLS only.".into()
        } else {
            "TLS only; the topics of this blueprint that deliver to the queue may send to it, and no one else.".into()
        },
        policy: policy(statements),
        retain: q.retain,
        comment: format!(
            "Queue {}{}: {}, messages kept {} days, hidden {} s after each receive{}.",
            c.name,
            if q.fifo { " (FIFO)" } else { "" },
            match q.encryption {
                Encryption::SqsManaged => "encrypted with SQS-managed keys",
                Encryption::CustomerKey => "encrypted with a key of its own",
                Encryption::None => "NOT encrypted at rest",
            },
            q.retention_days,
            q.visibility_timeout,
            match q.dead_letter {
                Some(d) => format!(
                    "; after {} receives a message moves to the dead-letter queue",
                    d.max_receive_count
                ),
                None => String::new(),
            }
        ),
        dead_letter,
        skips,
    }
}
