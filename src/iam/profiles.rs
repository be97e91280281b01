//! The connection table: for a principal kind, a target kind and an access, the actions its
//! role gets and on which of the target's resources. The resolver's help ("a function can
//! `publish` to a topic") reads the same table, so it cannot drift.

use crate::components::{Access, Ids, Kind};
use crate::expr::Expr;

/// One row.
pub struct Profile {
    pub from: Kind,
    pub to: Kind,
    pub access: Access,
    /// Prefix of the statement's Sid, followed by the target's name: `ReadUsers`.
    pub sid: &'static str,
    /// The role's actions on the target (none: the grant is a resource policy or permission).
    pub actions: &'static [&'static str],
    /// The target's resources the actions apply to.
    pub on: fn(&Ids) -> Vec<Expr>,
    /// The actions on the target's customer-managed key, when it has one.
    pub key_actions: &'static [&'static str],
}

fn table_and_indexes(ids: &Ids) -> Vec<Expr> {
    let arn = ids.res("Table", Some("Arn"), "aws_dynamodb_table", "arn");
    vec![arn.clone(), arn.suffixed("/index/*")]
}

fn topic(ids: &Ids) -> Vec<Expr> {
    vec![ids.res("Topic", None, "aws_sns_topic", "arn")]
}

fn queue(ids: &Ids) -> Vec<Expr> {
    vec![crate::components::queue::view::queue_arn(ids)]
}

/// A function, and its versions and aliases (a state machine may invoke either).
fn function(ids: &Ids) -> Vec<Expr> {
    let arn = ids.res("Function", Some("Arn"), "aws_lambda_function", "arn");
    vec![arn.clone(), arn.suffixed(":*")]
}

fn nothing(_: &Ids) -> Vec<Expr> {
    Vec::new()
}

const TABLE_READ: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
];
const TABLE_WRITE: &[&str] = &[
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
];
const TABLE_READ_WRITE: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
];
const TABLE_KEY: &[&str] = &["kms:Decrypt", "kms:DescribeKey"];
const PUBLISH: &[&str] = &["sns:Publish"];
const TOPIC_KEY: &[&str] = &["kms:GenerateDataKey", "kms:Decrypt"];
const SEND: &[&str] = &["sqs:SendMessage"];
/// What Lambda's poller does with the function's role: read the queue's attributes, receive,
/// and delete what succeeded (what failed simply becomes visible again).
const CONSUME: &[&str] = &[
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
];
const QUEUE_SEND_KEY: &[&str] = &["kms:GenerateDataKey", "kms:Decrypt"];
const QUEUE_CONSUME_KEY: &[&str] = &["kms:Decrypt"];

/// Every row, by principal, target and access.
pub static PROFILES: &[Profile] = &[
    Profile {
        from: Kind::Function,
        to: Kind::Table,
        access: Access::Read,
        sid: "Read",
        actions: TABLE_READ,
        on: table_and_indexes,
        key_actions: TABLE_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Table,
        access: Access::Write,
        sid: "Write",
        actions: TABLE_WRITE,
        on: table_and_indexes,
        key_actions: TABLE_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Table,
        access: Access::ReadWrite,
        sid: "ReadWrite",
        actions: TABLE_READ_WRITE,
        on: table_and_indexes,
        key_actions: TABLE_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Topic,
        access: Access::Publish,
        sid: "Publish",
        actions: PUBLISH,
        on: topic,
        key_actions: TOPIC_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Topic,
        access: Access::OnFailure,
        sid: "SendFailedEventsTo",
        actions: PUBLISH,
        on: topic,
        key_actions: TOPIC_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Topic,
        access: Access::Alarms,
        sid: "Alarms",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Api,
        to: Kind::Function,
        access: Access::Invoke,
        sid: "Invoke",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Api,
        to: Kind::Topic,
        access: Access::Alarms,
        sid: "Alarms",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Topic,
        to: Kind::Function,
        access: Access::Invoke,
        sid: "Deliver",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Function,
        to: Kind::Queue,
        access: Access::Send,
        sid: "SendTo",
        actions: SEND,
        on: queue,
        key_actions: QUEUE_SEND_KEY,
    },
    Profile {
        from: Kind::Function,
        to: Kind::Queue,
        access: Access::Consume,
        sid: "Consume",
        actions: CONSUME,
        on: queue,
        key_actions: QUEUE_CONSUME_KEY,
    },
    Profile {
        from: Kind::Topic,
        to: Kind::Queue,
        access: Access::Deliver,
        sid: "Deliver",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Pipeline,
        to: Kind::Function,
        access: Access::Invoke,
        sid: "Invoke",
        actions: &["lambda:InvokeFunction"],
        on: function,
        key_actions: &[],
    },
    Profile {
        from: Kind::Pipeline,
        to: Kind::Topic,
        access: Access::Notify,
        sid: "Notify",
        actions: PUBLISH,
        on: topic,
        key_actions: TOPIC_KEY,
    },
    Profile {
        from: Kind::Pipeline,
        to: Kind::Topic,
        access: Access::Alarms,
        sid: "Alarms",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
    Profile {
        from: Kind::Queue,
        to: Kind::Topic,
        access: Access::Alarms,
        sid: "Alarms",
        actions: &[],
        on: nothing,
        key_actions: &[],
    },
];

/// What `from` may do with `to`, in the table's order.
pub fn accesses(from: Kind, to: Kind) -> Vec<Access> {
    PROFILES
        .iter()
        .filter(|p| p.from == from && p.to == to)
        .map(|p| p.access)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_action_is_a_wildcard_and_every_action_names_its_service() {
        for p in PROFILES {
            for a in p.actions.iter().chain(p.key_actions) {
                let (service, action) = a.split_once(':').expect("service:Action");
                assert!(!service.is_empty() && !action.is_empty(), "{a}");
                assert!(!a.contains('*'), "{a} is a wildcard");
            }
        }
    }

    #[test]
    fn every_row_is_unique() {
        for (i, p) in PROFILES.iter().enumerate() {
            for q in &PROFILES[i + 1..] {
                assert!(
                    (p.from, p.to, p.access) != (q.from, q.to, q.access),
                    "{:?} → {:?} {:?} twice",
                    p.from,
                    p.to,
                    p.access
                );
            }
        }
    }
}
