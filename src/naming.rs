//! Names derived from the blueprint: CloudFormation logical IDs and AWS resource names, and the
//! limits AWS puts on each. A derived name that would pass its service's limit is shortened
//! deterministically: cut, then a hyphen and six hex digits of the SHA-256 of the whole name, so
//! two long names that share a prefix stay distinct and the same blueprint always gets the same
//! name.

use sha2::{Digest, Sha256};

use crate::plan::Plan;

/// Characters of the hash suffix [`fit`] appends.
const HASH_LEN: usize = 6;

/// `name` if it has at most `max` characters; otherwise its first characters, a hyphen and a
/// short hash of the whole name, `max` characters in all.
pub fn fit(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let hash: String = Sha256::digest(name.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .chars()
        .take(HASH_LEN)
        .collect();
    let keep = max.saturating_sub(HASH_LEN + 1);
    let head: String = name.chars().take(keep).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

/// One AWS name cloudwright derives, with the limit its service sets and the blueprint field it
/// comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedName {
    pub service: &'static str,
    pub name: String,
    pub max: usize,
    /// Characters the service accepts, beyond ASCII letters and digits.
    pub also: &'static str,
    pub field: String,
}

impl DerivedName {
    /// Whether the service accepts the name.
    pub fn valid(&self) -> bool {
        !self.name.is_empty()
            && self.name.chars().count() <= self.max
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || self.also.contains(c))
    }
}

/// The tag cloudwright puts on every resource it generates, valued with the blueprint's name: the
/// cost-allocation tag a blueprint's budget filters on.
pub const BLUEPRINT_TAG: &str = "cloudwright:blueprint";

/// A VPC ID as long as AWS makes them (`vpc-` and 17 hex digits), for length checks of names that
/// embed the VPC's ID to be unique per deployment.
pub const VPC_ID_EXAMPLE: &str = "vpc-0123456789abcdef0";

/// What follows the VPC ID in the flow-log group's name.
pub const LOG_GROUP_SUFFIX: &str = "/flow-logs";

/// The start of the flow-log group's name, `/vpc/<blueprint>`: the group is
/// `/vpc/<blueprint>/<vpc-id>/flow-logs`, so a second deployment of the blueprint in the same
/// account and region gets a group of its own (CloudWatch Logs: at most 512 characters).
pub fn log_group_prefix(plan: &Plan) -> String {
    let room = 512 - VPC_ID_EXAMPLE.len() - LOG_GROUP_SUFFIX.len() - 1;
    fit(&format!("/vpc/{}", plan.name), room)
}

/// The flow-log group's name with an example VPC ID, as long as it gets.
pub fn log_group(plan: &Plan) -> String {
    format!(
        "{}/{VPC_ID_EXAMPLE}{LOG_GROUP_SUFFIX}",
        log_group_prefix(plan)
    )
}

/// The start of the flow-log key's alias, `alias/<blueprint>`: the alias is
/// `alias/<blueprint>/<vpc-id>/flow-logs`, unique per deployment (KMS: at most 256 characters).
pub fn key_alias_prefix(plan: &Plan) -> String {
    let room = 256 - VPC_ID_EXAMPLE.len() - LOG_GROUP_SUFFIX.len() - 1;
    fit(&format!("alias/{}", plan.name), room)
}

/// The flow-log key's alias with an example VPC ID, as long as it gets.
pub fn key_alias(plan: &Plan) -> String {
    format!(
        "{}/{VPC_ID_EXAMPLE}{LOG_GROUP_SUFFIX}",
        key_alias_prefix(plan)
    )
}

/// Terraform `name_prefix` of the flow-log delivery role: IAM allows 38 characters for a prefix
/// (the provider appends 26).
pub fn role_name_prefix(plan: &Plan) -> String {
    format!("{}-", fit(&format!("{}-flow-logs", plan.name), 37))
}

/// Terraform `name_prefix` of the monthly budget, `<blueprint>-<environment>-`: the provider
/// appends 26 characters to make it unique in the account (AWS Budgets: at most 100 characters,
/// no `:` or `\`). CloudFormation names the budget itself.
pub fn budget_prefix(plan: &Plan) -> String {
    format!(
        "{}-",
        fit(
            &format!("{}-{}", plan.name, plan.environment.as_str()),
            100 - 26 - 1
        )
    )
}

/// `Name` tag of a subnet (tag values: at most 256 characters).
pub fn subnet(plan: &Plan, tier: &str, az: &str) -> String {
    fit(&format!("{}-{tier}-{az}", plan.name), 256)
}

/// Every name cloudwright derives for `plan`, with its service's limits.
pub fn derived(plan: &Plan) -> Vec<DerivedName> {
    let mut names = Vec::new();
    let mut push = |service, name: String, max, also, field: String| {
        names.push(DerivedName {
            service,
            name,
            max,
            also,
            field,
        });
    };
    let network = plan.network.as_ref();
    for tier in network.map_or(&[][..], |n| &n.tiers) {
        for s in &tier.subnets {
            let az = network.map_or("", |n| n.azs[s.az].label.as_str());
            push(
                "EC2 tag value (subnet Name)",
                subnet(plan, &tier.name, az),
                256,
                "-_.:/=+@ ",
                format!("network.tiers.{}", tier.name),
            );
        }
    }
    if network.is_some_and(|n| n.flow_logs.is_some()) {
        push(
            "CloudWatch Logs log group",
            log_group(plan),
            512,
            "-_./#",
            "name".into(),
        );
        push("KMS alias", key_alias(plan), 256, "-_/", "name".into());
        push(
            "IAM role name prefix",
            role_name_prefix(plan),
            38,
            "-_+=,.@",
            "name".into(),
        );
    }
    // A component's Terraform names: `<blueprint, fitted>-<8 characters>-<component>…`.
    let deployment = format!("{}-00000000", fit(&plan.name, 20));
    for c in &plan.components {
        let field = format!("components.{}", c.name);
        let with = |suffix: &str| format!("{deployment}-{}{suffix}", c.name);
        match c.kind {
            crate::components::Kind::Function => {
                push("Lambda function name", with(""), 64, "-_", field.clone());
                push(
                    "IAM role name prefix",
                    format!("{}-", fit(&format!("{}-{}", plan.name, c.name), 37)),
                    38,
                    "-_+=,.@",
                    field.clone(),
                );
                push(
                    "CloudWatch alarm name",
                    with("-errors"),
                    255,
                    "-_",
                    field.clone(),
                );
            }
            crate::components::Kind::Api => {
                push(
                    "Cognito user pool name",
                    with("-users"),
                    128,
                    "-_",
                    field.clone(),
                );
                push("API Gateway API name", with(""), 1024, "-_", field.clone());
                push(
                    "CloudWatch alarm name",
                    with("-5xx"),
                    255,
                    "-_",
                    field.clone(),
                );
            }
            crate::components::Kind::Table => {
                push("DynamoDB table name", with(""), 255, "-_.", field.clone());
            }
            crate::components::Kind::Topic => {
                push("SNS topic name", with(""), 256, "-_", field.clone());
            }
            crate::components::Kind::Pipeline => {
                push(
                    "Step Functions state machine name",
                    with(""),
                    80,
                    "-_",
                    field.clone(),
                );
                push(
                    "IAM role name prefix",
                    format!(
                        "{}-",
                        fit(&format!("{}-{}-schedule", plan.name, c.name), 37)
                    ),
                    38,
                    "-_+=,.@",
                    field.clone(),
                );
                push(
                    "SQS queue name",
                    with("-schedule-dlq"),
                    80,
                    "-_.",
                    field.clone(),
                );
                push(
                    "CloudWatch alarm name",
                    with("-failed-executions"),
                    255,
                    "-_",
                    field.clone(),
                );
            }
            crate::components::Kind::Queue => {
                push(
                    "SQS queue name",
                    with("-dlq.fifo"),
                    80,
                    "-_.",
                    field.clone(),
                );
            }
            crate::components::Kind::DataLake => {
                if let crate::plan::ComponentPlan::DataLake(l) = &c.plan {
                    for zone in l
                        .zones
                        .iter()
                        .map(|z| z.name.as_str())
                        .chain(["access-logs"])
                    {
                        push(
                            "S3 bucket name",
                            format!("{deployment}-{}", fit(&format!("{}-{zone}", c.name), 33)),
                            63,
                            "-",
                            format!("{field}.zones"),
                        );
                    }
                    for j in &l.jobs {
                        push(
                            "Glue job name",
                            with(&format!("-{}", j.name)),
                            255,
                            "-_.",
                            format!("{field}.jobs.{}", j.name),
                        );
                    }
                }
            }
            crate::components::Kind::Service => {
                push(
                    "IAM role name prefix",
                    format!("{}-", fit(&format!("{}-{}", plan.name, c.name), 37)),
                    38,
                    "-_+=,.@",
                    field.clone(),
                );
            }
            crate::components::Kind::Database => {
                push("RDS DB identifier", with("-final"), 63, "-", field.clone());
            }
        }
        push(
            "CloudWatch Logs log group",
            format!("/aws/lambda/{}", with("")),
            512,
            "-_./#",
            field,
        );
    }
    if plan.budget.is_some() {
        push(
            "AWS Budgets budget name prefix",
            budget_prefix(plan),
            100 - 26,
            "-_.",
            "name".into(),
        );
    }
    names
}

/// `app-db` → `AppDb`: the logical-ID form of a kebab-case name.
pub fn pascal_case(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `0` → `a`, `25` → `z`, `26` → `aa`: the letter that labels the n-th AZ.
pub fn az_letter(index: usize) -> String {
    let mut n = index;
    let mut out = Vec::new();
    loop {
        out.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_shortens_deterministically_with_a_hash() {
        assert_eq!(fit("short", 10), "short");
        let long = "platform-network-production-eu-central-flow-logs";
        let a = fit(long, 37);
        assert_eq!(a.chars().count(), 37);
        assert_eq!(a, fit(long, 37), "deterministic");
        assert!(a.starts_with("platform-network-production-eu-"));
        let b = fit("platform-network-production-eu-central-2-flow-logs", 37);
        assert_ne!(a, b, "names that share a prefix stay distinct");
    }

    #[test]
    fn pascal_case_joins_words() {
        assert_eq!(pascal_case("public"), "Public");
        assert_eq!(pascal_case("app-db-2"), "AppDb2");
    }

    #[test]
    fn az_letters_continue_past_z() {
        assert_eq!(az_letter(0), "a");
        assert_eq!(az_letter(25), "z");
        assert_eq!(az_letter(26), "aa");
        assert_eq!(az_letter(27), "ab");
    }
}
