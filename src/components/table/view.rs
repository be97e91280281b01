//! What the table templates read.

use serde::Serialize;

use super::{Capacity, Plan as TablePlan};
use crate::expr::{Doc, Expr, Part};
use crate::plan::{Plan, Planned};

#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    pub name: String,
    /// `S`, `N` or `B`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub name: String,
    pub partition: String,
    pub sort: Option<String>,
    pub projection: &'static str,
}

/// Provisioned capacity and its autoscaling range.
#[derive(Debug, Clone, Serialize)]
pub struct Provisioned {
    pub read: u32,
    pub write: u32,
    pub max_read: u32,
    pub max_write: u32,
}

/// One scaled capacity dimension (reads or writes) of a provisioned table.
#[derive(Debug, Clone, Serialize)]
pub struct Scaling {
    /// `Read`: the logical-ID part and the comment's word.
    pub label: &'static str,
    /// `read`: the Terraform name's part.
    pub key: &'static str,
    pub min: u32,
    pub max: u32,
    /// `dynamodb:table:ReadCapacityUnits`.
    pub dimension: String,
    /// `DynamoDBReadCapacityUtilization`.
    pub metric: String,
    /// `read-at-70-percent`.
    pub policy_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub name: Expr,
    pub comment: Vec<String>,
    pub attributes: Vec<Attribute>,
    pub partition: String,
    pub sort: Option<String>,
    pub indexes: Vec<Index>,
    pub provisioned: Option<Provisioned>,
    /// Target tracking of reads and writes at 70% use, for provisioned capacity.
    pub scaling: Vec<Scaling>,
    pub ttl: Option<String>,
    pub stream: Option<&'static str>,
    pub pitr: bool,
    pub deletion_protection: bool,
    pub retain: bool,
    /// The customer-managed key, when the table has one.
    pub key: Option<Key>,
    /// checkov's customer-key check, skipped when the blueprint chose DynamoDB's own key.
    pub skips: Vec<crate::components::logs::LogSkip>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Key {
    pub description: String,
    pub alias: Expr,
    pub policy: Doc,
}

pub fn view(c: &Planned, t: &TablePlan, plan: &Plan) -> View {
    let mut comment = vec![format!(
        "Table {}: {} ({}){}, {}.",
        c.name,
        t.partition.0,
        t.partition.1.as_aws(),
        t.sort
            .as_ref()
            .map(|(n, k)| format!(" + {n} ({})", k.as_aws()))
            .unwrap_or_default(),
        match t.capacity {
            Capacity::OnDemand => "on demand".to_string(),
            Capacity::Provisioned(p) => format!(
                "provisioned {}-{} reads and {}-{} writes a second, scaled at 70% use",
                p.read, p.max_read, p.write, p.max_write
            ),
        }
    )];
    comment.push(format!(
        "Point-in-time recovery {}; encrypted with {}; deletion protection {}.",
        if t.pitr { "on" } else { "off" },
        if t.customer_key {
            "a key of its own"
        } else {
            "DynamoDB's AWS-owned key"
        },
        if t.deletion_protection { "on" } else { "off" }
    ));
    if t.retain {
        comment
            .push("Retained when the stack or configuration is deleted: it holds the data.".into());
    }
    let key = t.customer_key.then(|| Key {
        description: format!("Encrypts table {} of {}", c.name, plan.name),
        alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{}", c.name)),
        ]),
        policy: Doc::map([
            ("Version", Doc::str("2012-10-17")),
            (
                "Statement",
                Doc::List(vec![
                    crate::components::key_administration(),
                    Doc::map([
                        ("Sid", Doc::str("DynamoDBReadsKeyMetadata")),
                        ("Effect", Doc::str("Allow")),
                        (
                            "Principal",
                            Doc::map([("Service", Doc::str("dynamodb.amazonaws.com"))]),
                        ),
                        (
                            "Action",
                            Doc::List(vec![
                                Doc::str("kms:DescribeKey"),
                                Doc::str("kms:ListAliases"),
                            ]),
                        ),
                        ("Resource", Doc::str("*")),
                    ]),
                ]),
            ),
        ]),
    });
    let skips = if t.customer_key {
        Vec::new()
    } else {
        vec![crate::components::logs::LogSkip {
            id: "CKV_AWS_119",
            reason: format!(
                "the blueprint chose `encryption: aws-owned` for table {}: DynamoDB encrypts it at rest with its own key, and no key policy limits who decrypts beyond IAM",
                c.name
            ),
        }]
    };
    View {
        skips,
        name: Expr(vec![Part::Stack, Part::Lit(format!("-{}", c.name))]),
        comment,
        attributes: t
            .attributes()
            .into_iter()
            .map(|(name, k)| Attribute {
                name,
                kind: k.as_aws(),
            })
            .collect(),
        partition: t.partition.0.clone(),
        sort: t.sort.as_ref().map(|s| s.0.clone()),
        indexes: t
            .indexes
            .iter()
            .map(|i| Index {
                name: i.name.clone(),
                partition: i.partition.0.clone(),
                sort: i.sort.as_ref().map(|s| s.0.clone()),
                projection: i.projection.as_aws(),
            })
            .collect(),
        scaling: match t.capacity {
            Capacity::OnDemand => Vec::new(),
            Capacity::Provisioned(p) => [
                ("Read", "read", p.read, p.max_read),
                ("Write", "write", p.write, p.max_write),
            ]
            .into_iter()
            .map(|(label, key, min, max)| Scaling {
                label,
                key,
                min,
                max,
                dimension: format!("dynamodb:table:{label}CapacityUnits"),
                metric: format!("DynamoDB{label}CapacityUtilization"),
                policy_name: format!("{key}-at-70-percent"),
            })
            .collect(),
        },
        provisioned: match t.capacity {
            Capacity::OnDemand => None,
            Capacity::Provisioned(p) => Some(Provisioned {
                read: p.read,
                write: p.write,
                max_read: p.max_read,
                max_write: p.max_write,
            }),
        },
        ttl: t.ttl.clone(),
        stream: t.stream.map(super::Stream::as_aws),
        pitr: t.pitr,
        deletion_protection: t.deletion_protection,
        retain: t.retain,
        key,
    }
}
