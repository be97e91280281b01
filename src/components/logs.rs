//! The encrypted log group every function and API stage writes to, with a key of its own.

use serde::Serialize;

use crate::expr::{Doc, Expr, Part};

/// A log group and its key.
#[derive(Debug, Clone, Serialize)]
pub struct LogGroup {
    pub name: Expr,
    pub retention_days: u32,
    pub retain: bool,
    pub key_description: String,
    pub key_alias: Expr,
    pub key_policy: Doc,
    pub comment: String,
    /// checkov's one-year check, skipped with the reason when the blueprint keeps the logs less.
    pub skips: Vec<LogSkip>,
}

pub use crate::components::Skip as LogSkip;

/// Why logs kept less than a year pass: OBS001 is off or a warning in the environment, or the
/// blueprint accepted it.
pub(crate) fn retention_skips(
    days: u32,
    component: &str,
    environment: crate::blueprint::types::Environment,
    accepted: &[crate::validate::Accepted],
) -> Vec<LogSkip> {
    if days >= 365 {
        return Vec::new();
    }
    vec![crate::components::rule_skip(
        "CKV_AWS_338",
        "OBS001",
        component,
        environment,
        accepted,
        &format!("the blueprint keeps these logs {days} days"),
    )]
}

/// The policy of a key that encrypts log groups: the account administers it, and CloudWatch Logs
/// in the region may use it for the groups whose ARN matches `pattern` (after `log-group:`).
pub fn key_policy(sid: &str, pattern: Vec<Part>) -> Doc {
    let mut arn = vec![Part::Lit("log-group:".into())];
    arn.extend(pattern);
    Doc::map([
        ("Version", Doc::str("2012-10-17")),
        (
            "Statement",
            Doc::List(vec![
                crate::components::key_administration(),
                logs_may_encrypt(sid, Doc::Expr(Expr::arn("logs", true, arn))),
            ]),
        ),
    ])
}

/// The key-policy statement that lets CloudWatch Logs in the region use a key for the log
/// groups whose ARNs match `groups` (one `ArnLike` pattern, or a list of them).
pub fn logs_may_encrypt(sid: &str, groups: Doc) -> Doc {
    Doc::map([
        ("Sid", Doc::str(sid)),
        ("Effect", Doc::str("Allow")),
        (
            "Principal",
            Doc::map([(
                "Service",
                Doc::Expr(Expr(vec![
                    Part::Lit("logs.".into()),
                    Part::Region,
                    Part::Lit(".".into()),
                    Part::DnsSuffix,
                ])),
            )]),
        ),
        (
            "Action",
            Doc::List(
                [
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
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
                "ArnLike",
                Doc::map([("kms:EncryptionContext:aws:logs:arn", groups)]),
            )]),
        ),
    ])
}

/// `/aws/<service>/<deployment>-<name>`: unique to the deployment, even after a deleted one left
/// its retained group behind. Kept less than a year, it carries checkov's skip with the reason
/// (OBS001's level in `environment`, or the blueprint's accepted finding).
pub fn log_group(
    service: &str,
    name: &str,
    retention_days: u32,
    retain: bool,
    what: String,
    environment: crate::blueprint::types::Environment,
    accepted: &[crate::validate::Accepted],
) -> LogGroup {
    let skips = retention_skips(retention_days, name, environment, accepted);
    let group = |deployment: Part| {
        vec![
            Part::Lit(format!("/aws/{service}/")),
            deployment,
            Part::Lit(format!("-{name}")),
        ]
    };
    let pattern = group(Part::AnyDeployment);
    let policy = key_policy("CloudWatchLogsForThisLogGroup", pattern);
    LogGroup {
        skips,
        name: Expr(group(Part::Deployment)),
        retention_days,
        retain,
        key_description: format!("Encrypts the {what}"),
        key_alias: Expr(vec![
            Part::Lit("alias/".into()),
            Part::Stack,
            Part::Lit(format!("/{name}-logs")),
        ]),
        key_policy: policy,
        comment: format!(
            "The {what}: encrypted with a key of its own, kept {retention_days} days{}.",
            if retain {
                ", and retained when the stack or configuration is deleted"
            } else {
                ""
            }
        ),
    }
}
