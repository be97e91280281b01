//! The render-ready view of a plan. Templates never see the blueprint: every name is derived,
//! every logical ID and Terraform key computed, every list ordered here.
//!
//! Each item carries both its CloudFormation logical ID (`id`, from tier and AZ letter, never a
//! list position) and its Terraform `for_each` key (`key`), so all three targets read one view.

use serde::Serialize;

use super::escape;
use crate::blueprint::types::Internet;
use crate::naming::{self, pascal_case};
use crate::plan::{Az, Plan, Zone, thousands};
use crate::validate::Accepted;
use crate::validate::rule::Resource;

/// A tag, in the order it is written.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Where a subnet is: a zone name or an AZ ID (exactly one is set), as the lock file fixes it.
#[derive(Debug, Clone, Serialize)]
pub struct AzRef {
    pub label: String,
    pub name: Option<String>,
    pub id: Option<String>,
}

impl From<&Az> for AzRef {
    fn from(az: &Az) -> Self {
        let (name, id) = match &az.zone {
            Zone::Name(n) => (Some(n.clone()), None),
            Zone::Id(i) => (None, Some(i.clone())),
        };
        AzRef {
            label: az.label.clone(),
            name,
            id,
        }
    }
}

/// A Terraform `moved` block's two keys, for a subnet of a renamed tier.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    /// `database-a`: the subnet's key under the tier's former name.
    pub from: String,
    /// `data-a`.
    pub to: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subnet {
    pub id: String,
    pub key: String,
    pub tier: String,
    pub az: AzRef,
    pub cidr: String,
    pub public_ips: bool,
    pub route_table_id: String,
    pub route_table_key: String,
    pub name: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteTable {
    pub id: String,
    pub key: String,
    pub name: String,
    pub comment: String,
    /// The default route's target: the internet gateway, a NAT gateway, or none.
    pub via_internet_gateway: bool,
    /// Logical ID and key of the NAT gateway the default route uses.
    pub nat_id: Option<String>,
    pub nat_key: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NatGateway {
    pub id: String,
    pub eip_id: String,
    pub key: String,
    pub subnet_id: String,
    pub subnet_key: String,
    pub name: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub key: String,
    pub service: String,
    /// `!Sub` body of the service name: `com.amazonaws.${AWS::Region}.s3`.
    pub service_sub: String,
    pub name: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowLogs {
    pub retention_days: u32,
    pub traffic: &'static str,
    pub log_group_name: String,
    pub key_alias: String,
    pub key_description: String,
    pub role_description: String,
    /// Terraform `name_prefix` of the delivery role: at most 38 characters.
    pub role_name_prefix: String,
    pub name: String,
    /// `!Sub` body of the log group's ARN, for the key policy's encryption-context condition.
    pub log_group_arn_sub: String,
    /// `!Sub` body matching every log group of the account and region (for DescribeLogGroups).
    pub log_groups_arn_sub: String,
    /// `!Sub` body of the flow logs' source ARN, for the role's confused-deputy condition.
    pub flow_log_arn_sub: String,
}

/// The subnets of one tier, for outputs.
#[derive(Debug, Clone, Serialize)]
pub struct TierOutput {
    pub id: String,
    pub key: String,
    pub description: String,
    pub subnet_ids: Vec<String>,
    pub subnet_keys: Vec<String>,
    pub export_sub: String,
}

/// Everything the network templates need.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub name: String,
    pub description: String,
    pub region: &'static str,
    pub vpc_cidr: String,
    pub vpc_comment: String,
    /// The blueprint's own tags, in its order.
    pub tags: Vec<Tag>,
    pub internet_gateway: bool,
    /// Whether the zones are AZ IDs (`availability_zone_id`) rather than names.
    pub zone_ids: bool,
    pub subnets: Vec<Subnet>,
    /// Terraform `moved` blocks for the subnets of renamed tiers.
    pub moved: Vec<Moved>,
    pub route_tables: Vec<RouteTable>,
    pub nat_gateways: Vec<NatGateway>,
    pub endpoints: Vec<Endpoint>,
    pub flow_logs: Option<FlowLogs>,
    pub outputs: Vec<TierOutput>,
    pub default_sg_name: String,
    /// Widths of the quoted keys of each HCL map, so `=` signs line up as `terraform fmt` wants.
    pub tag_key_width: usize,
    pub route_table_key_width: usize,
    pub nat_key_width: usize,
    pub endpoint_key_width: usize,
}

fn upper(label: &str) -> String {
    label.to_ascii_uppercase()
}

fn route_table_for(internet: Internet, az: &str) -> (String, String) {
    match internet {
        Internet::Inbound => ("RouteTableInternet".into(), "internet".into()),
        Internet::Outbound => (
            format!("RouteTableEgress{}", upper(az)),
            format!("egress-{az}"),
        ),
        Internet::None => ("RouteTableIsolated".into(), "isolated".into()),
    }
}

/// Builds the view of `plan`'s network.
pub fn network(plan: &Plan) -> Network {
    let bp = &plan.name;
    let mut subnets = Vec::new();
    let mut moved = Vec::new();
    for tier in &plan.tiers {
        for s in &tier.subnets {
            let az = &plan.azs[s.az];
            let (route_table_id, route_table_key) = route_table_for(tier.internet, &az.label);
            if let Some(old) = &tier.renamed_from {
                moved.push(Moved {
                    from: format!("{old}-{}", az.label),
                    to: format!("{}-{}", tier.name, az.label),
                    comment: format!(
                        "Tier {} was {old}: its subnet in AZ {} keeps its ID and address.",
                        tier.name, az.label
                    ),
                });
            }
            subnets.push(Subnet {
                id: format!("Subnet{}{}", tier.logical_id, upper(&az.label)),
                key: format!("{}-{}", tier.name, az.label),
                tier: tier.name.clone(),
                az: az.into(),
                cidr: s.cidr.to_string(),
                public_ips: tier.public_ips,
                route_table_id,
                route_table_key,
                name: naming::subnet(plan, &tier.name, &az.label),
                comment: format!(
                    "Tier {}, AZ {}: {} ({} usable addresses).",
                    tier.name,
                    az.label,
                    s.cidr,
                    crate::plan::thousands(crate::blueprint::types::usable_addresses(tier.prefix))
                ),
            });
        }
    }

    let has = |kind: Internet| plan.tiers.iter().any(|t| t.internet == kind);
    let mut route_tables = Vec::new();
    if has(Internet::Inbound) {
        route_tables.push(RouteTable {
            id: "RouteTableInternet".into(),
            key: "internet".into(),
            name: format!("{bp}-internet"),
            comment: "Routes the tiers with inbound internet access to the internet gateway."
                .into(),
            via_internet_gateway: true,
            nat_id: None,
            nat_key: None,
        });
    }
    if has(Internet::Outbound) {
        for (i, az) in plan.azs.iter().enumerate() {
            let nat = if plan.nat_azs.contains(&i) {
                Some(az)
            } else {
                plan.nat_azs.first().map(|n| &plan.azs[*n])
            };
            route_tables.push(RouteTable {
                id: format!("RouteTableEgress{}", upper(&az.label)),
                key: format!("egress-{}", az.label),
                name: format!("{bp}-egress-{}", az.label),
                comment: match nat {
                    Some(n) => format!(
                        "Egress tiers in AZ {}: out through the NAT gateway in AZ {}.",
                        az.label, n.label
                    ),
                    None => format!(
                        "Egress tiers in AZ {}: no NAT gateway, so no default route.",
                        az.label
                    ),
                },
                via_internet_gateway: false,
                nat_id: nat.map(|n| format!("NatGateway{}", upper(&n.label))),
                nat_key: nat.map(|n| n.label.clone()),
            });
        }
    }
    if has(Internet::None) {
        route_tables.push(RouteTable {
            id: "RouteTableIsolated".into(),
            key: "isolated".into(),
            name: format!("{bp}-isolated"),
            comment: "Isolated tiers: no route to or from the internet.".into(),
            via_internet_gateway: false,
            nat_id: None,
            nat_key: None,
        });
    }

    let nat_tier = plan.nat_tier();
    let nat_gateways: Vec<NatGateway> = plan
        .nat_azs
        .iter()
        .filter_map(|i| {
            let az = &plan.azs[*i];
            let tier = nat_tier?;
            Some(NatGateway {
                id: format!("NatGateway{}", upper(&az.label)),
                eip_id: format!("NatEip{}", upper(&az.label)),
                key: az.label.clone(),
                subnet_id: format!("Subnet{}{}", tier.logical_id, upper(&az.label)),
                subnet_key: format!("{}-{}", tier.name, az.label),
                name: format!("{bp}-nat-{}", az.label),
                comment: format!(
                    "NAT gateway for the egress tiers, in tier {} of AZ {}.",
                    tier.name, az.label
                ),
            })
        })
        .collect();

    let endpoints: Vec<Endpoint> = plan
        .endpoints
        .iter()
        .map(|e| {
            let service = e.service();
            Endpoint {
                id: format!("Endpoint{}", pascal_case(service)),
                key: service.to_string(),
                service: service.to_string(),
                service_sub: format!("com.amazonaws.${{AWS::Region}}.{service}"),
                name: format!("{bp}-{service}"),
                comment: format!("Gateway endpoint for {service}: free, and keeps its traffic off the NAT gateways."),
            }
        })
        .collect();

    let flow_logs = plan.flow_logs.map(|f| {
        let log_group_name = naming::log_group(plan);
        FlowLogs {
            retention_days: f.retention_days,
            traffic: f.traffic.as_aws(),
            key_alias: naming::key_alias(plan),
            key_description: format!("Encrypts the VPC flow logs of {bp}"),
            role_description: format!("Lets VPC Flow Logs deliver the flow logs of {bp} to CloudWatch Logs"),
            name: format!("{bp}-flow-logs"),
            role_name_prefix: naming::role_name_prefix(plan),
            log_group_arn_sub: format!(
                "arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_group_name}"
            ),
            log_groups_arn_sub: "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*".into(),
            flow_log_arn_sub: "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*".into(),
            log_group_name,
        }
    });

    let outputs = plan
        .tiers
        .iter()
        .map(|tier| {
            let id = format!("{}SubnetIds", tier.logical_id);
            let labels: Vec<&str> = tier
                .subnets
                .iter()
                .map(|s| plan.azs[s.az].label.as_str())
                .collect();
            TierOutput {
                key: format!("{}_subnet_ids", tier.name.replace('-', "_")),
                description: format!(
                    "IDs of the subnets of tier {}, in AZ order ({})",
                    tier.name,
                    labels.join(", ")
                ),
                subnet_ids: labels
                    .iter()
                    .map(|l| format!("Subnet{}{}", tier.logical_id, upper(l)))
                    .collect(),
                subnet_keys: labels
                    .iter()
                    .map(|l| format!("{}-{l}", tier.name))
                    .collect(),
                export_sub: format!("${{AWS::StackName}}-{id}"),
                id,
            }
        })
        .collect();

    let tags: Vec<Tag> = plan
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    Network {
        tag_key_width: hcl_key_width(tags.iter().map(|t| t.key.as_str())),
        route_table_key_width: hcl_key_width(route_tables.iter().map(|r| r.key.as_str())),
        nat_key_width: hcl_key_width(nat_gateways.iter().map(|n: &NatGateway| n.key.as_str())),
        endpoint_key_width: hcl_key_width(endpoints.iter().map(|e: &Endpoint| e.key.as_str())),
        default_sg_name: format!("{bp}-default"),
        name: bp.clone(),
        description: plan.description.clone(),
        region: plan.region.name,
        vpc_cidr: plan.vpc.to_string(),
        vpc_comment: format!("The VPC: {}, with DNS support and DNS hostnames.", plan.vpc),
        tags,
        internet_gateway: has(Internet::Inbound),
        zone_ids: plan.azs.iter().any(|a| matches!(a.zone, Zone::Id(_))),
        subnets,
        moved,
        route_tables,
        nat_gateways,
        endpoints,
        flow_logs,
        outputs,
    }
}

/// The widest of `keys` once written as quoted HCL strings, in characters.
fn hcl_key_width<'a>(keys: impl Iterator<Item = &'a str>) -> usize {
    keys.map(|k| escape::hcl_string(k).chars().count())
        .max()
        .unwrap_or(0)
}

/// A subscriber of a budget notification, as CloudFormation lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Subscriber {
    /// `EMAIL` or `SNS`.
    pub kind: &'static str,
    pub address: String,
}

/// One budget notification.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetNotification {
    /// `Alert when actual spend passes 80% of the limit (2,400 USD).`
    pub comment: String,
    /// `ACTUAL` or `FORECASTED`.
    pub notification_type: &'static str,
    pub comparison: &'static str,
    pub threshold: u16,
    pub threshold_type: &'static str,
    /// Every subscriber, emails first (CloudFormation).
    pub subscribers: Vec<Subscriber>,
    /// The same subscribers by kind (Terraform).
    pub emails: Vec<String>,
    pub sns_topics: Vec<String>,
}

/// The monthly cost budget.
#[derive(Debug, Clone, Serialize)]
pub struct Budget {
    /// `<blueprint>-monthly` ([`naming::budget`]): kebab-case within the 100 characters AWS
    /// allows, never a `:` or `\`, which budget names cannot hold.
    pub name: String,
    /// The limit as AWS takes it: `2000`, `1500.50`.
    pub amount: String,
    pub unit: &'static str,
    pub comment: String,
    pub notifications: Vec<BudgetNotification>,
    /// Whether any notification publishes to SNS (the topic's policy must allow it).
    pub sns: bool,
}

/// `2000` cents → `20 USD`; `150050` → `1,500.50 USD`.
fn usd(cents: u64) -> String {
    match cents % 100 {
        0 => format!("{} USD", thousands(cents / 100)),
        c => format!("{}.{c:02} USD", thousands(cents / 100)),
    }
}

/// Builds the view of `plan`'s budget, if it has one.
pub fn budget(plan: &Plan) -> Option<Budget> {
    let b = plan.budget.as_ref()?;
    let subscribers: Vec<Subscriber> = b
        .emails
        .iter()
        .map(|e| Subscriber {
            kind: "EMAIL",
            address: e.clone(),
        })
        .chain(b.sns_topics.iter().map(|t| Subscriber {
            kind: "SNS",
            address: t.clone(),
        }))
        .collect();
    let notifications = b
        .alerts
        .iter()
        .map(|(percent, of)| BudgetNotification {
            comment: format!(
                "Alert when {} spend passes {percent}% of the limit ({}).",
                of.as_str(),
                usd(b.limit.percent(*percent).cents())
            ),
            notification_type: of.as_aws(),
            comparison: "GREATER_THAN",
            threshold: *percent,
            threshold_type: "PERCENTAGE",
            subscribers: subscribers.clone(),
            emails: b.emails.clone(),
            sns_topics: b.sns_topics.clone(),
        })
        .collect();
    Some(Budget {
        name: naming::budget(plan),
        amount: b.limit.amount(),
        unit: "USD",
        comment: format!(
            "Cost budget: {} a month, with an alert at each threshold below.",
            usd(b.limit.cents())
        ),
        notifications,
        sns: !b.sns_topics.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::{Origin, Source, load};

    fn plan(name: &str, budget: &str) -> Plan {
        let text = format!(
            "name: {name}\ndescription: x\nenvironment: development\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 1\n  tiers:\n    app: {{ size: /24, internet: none }}\n{budget}"
        );
        let doc = load(Source {
            origin: Origin::Catalog(name.into()),
            text,
        })
        .unwrap();
        crate::plan::plan(&doc, None).unwrap()
    }

    #[test]
    fn budget_names_fit_what_aws_budgets_accepts() {
        let longest = "a".repeat(32);
        let view = budget(&plan(
            &longest,
            "budget:\n  monthly_usd: 0.99\n  alerts: [{ percent: 1000, of: forecasted }]\n  sns_topics: [arn:aws:sns:us-east-1:123456789012:t]\n",
        ))
        .unwrap();
        assert_eq!(view.name, format!("{longest}-monthly"));
        assert!(view.name.len() <= 100 && !view.name.contains([':', '\\']));
        assert_eq!(view.amount, "0.99");
        let n = &view.notifications[0];
        assert_eq!((n.notification_type, n.threshold), ("FORECASTED", 1000));
        assert_eq!(
            n.comment,
            "Alert when forecasted spend passes 1000% of the limit (9.90 USD)."
        );
        assert_eq!(n.subscribers[0].kind, "SNS");
        assert!(n.emails.is_empty() && view.sns);
    }

    #[test]
    fn no_budget_no_view() {
        assert!(budget(&plan("x", "")).is_none());
    }
}

/// A checkov check skipped on a resource, with the team's reason on one line.
#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    pub id: &'static str,
    pub reason: String,
}

/// An accepted finding, for the comment that lists them at the top of the output.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedFinding {
    pub comment: String,
}

/// The blueprint's suppressions that matched, as the output carries them: a list for reviewers,
/// and checkov skips on the resources each rule's checkov counterpart looks at.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AcceptedView {
    pub findings: Vec<AcceptedFinding>,
    pub vpc: Vec<Skip>,
    pub subnets: Vec<Skip>,
    pub flow_log_group: Vec<Skip>,
}

/// `text` on one line, for a comment: line breaks and tabs become spaces.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the view of the accepted findings.
pub fn accepted(accepted: &[Accepted]) -> AcceptedView {
    let mut view = AcceptedView::default();
    for a in accepted {
        let reason = one_line(&a.reason);
        view.findings.push(AcceptedFinding {
            comment: format!("{} {}: {reason}", a.rule.id, a.rule.name),
        });
        for d in a.rule.checkov {
            let skip = Skip {
                id: d.id,
                reason: format!("{} accepted: {reason}", a.rule.id),
            };
            match d.on {
                Resource::Vpc => view.vpc.push(skip),
                Resource::Subnets => view.subnets.push(skip),
                Resource::FlowLogGroup => view.flow_log_group.push(skip),
            }
        }
    }
    view
}
