//! The render-ready view of a plan. Templates never see the blueprint: every name is derived,
//! every logical ID and Terraform key computed, every list ordered here.
//!
//! Each item carries both its CloudFormation logical ID (`id`, from tier and AZ letter, never a
//! list position) and its Terraform `for_each` key (`key`), so all three targets read one view.

use serde::Serialize;

use super::escape;
use crate::blueprint::model::BudgetScope;
use crate::blueprint::partition::{BUDGETS_HOME_REGION, BudgetHome};
use crate::blueprint::types::Internet;
use crate::naming::{self, pascal_case};
use crate::plan::{Az, Plan, PlannedTier, Zone, thousands};
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
    pub output_description: String,
    /// `!Sub` body of the subnet's export name, `${AWS::StackName}-<logical ID>`.
    pub export_sub: String,
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
    pub output_description: String,
    pub export_sub: String,
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
    /// Logical ID and description of the output with its Elastic IP's address.
    pub ip_output_id: String,
    pub ip_description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub id: String,
    pub key: String,
    /// The service name in the plan's region: `com.amazonaws.us-east-1.s3`.
    pub service_name: String,
    pub name: String,
    pub comment: String,
}

/// One interface endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceEndpoint {
    pub id: String,
    pub key: String,
    pub service_name: String,
    pub name: String,
    pub comment: String,
    /// `ecr.api: about 21.90 USD a month`.
    pub cost: String,
}

/// The interface endpoints, their subnets and their security group.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceEndpoints {
    pub endpoints: Vec<InterfaceEndpoint>,
    /// Logical IDs and Terraform keys of the subnets that hold the endpoints' interfaces.
    pub subnet_ids: Vec<String>,
    pub subnet_keys: Vec<String>,
    pub comment: String,
    pub cost_comment: String,
    pub security_group_name: String,
    pub security_group_name_prefix: String,
    pub security_group_description: String,
    pub key_width: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowLogs {
    pub retention_days: u32,
    pub traffic: &'static str,
    /// `/vpc/<blueprint>`: the group is `<prefix>/<vpc-id>/flow-logs`, one per deployment.
    pub log_group_prefix: String,
    /// `!Sub` body of the log group's name.
    pub log_group_name_sub: String,
    /// `alias/<blueprint>`: the alias is `<prefix>/<vpc-id>/flow-logs`, one per deployment.
    pub key_alias_prefix: String,
    /// `!Sub` body of the key's alias.
    pub key_alias_sub: String,
    pub key_description: String,
    pub role_description: String,
    /// Terraform `name_prefix` of the delivery role: at most 38 characters.
    pub role_name_prefix: String,
    pub name: String,
    /// The key's policy: CloudWatch Logs may use it for this blueprint's flow-log groups (the
    /// current one and any a replaced VPC left behind).
    pub key_policy: crate::expr::Doc,
    /// `!Sub` body of the flow logs' source ARN, for the role's confused-deputy condition.
    pub flow_log_arn_sub: String,
    /// The delivery role's policy, from the IAM model.
    pub role_policy: crate::expr::Doc,
}

/// The subnets of one tier, for outputs.
#[derive(Debug, Clone, Serialize)]
pub struct TierOutput {
    pub id: String,
    pub ids_description: String,
    pub cidrs_description: String,
    pub block_description: String,
    /// Names of the Terraform outputs: `<tier>_subnet_ids`, `_subnet_cidr_blocks`, `_tier_cidr_block`.
    pub ids_output: String,
    pub cidrs_output: String,
    pub block_output: String,
    pub subnet_ids: Vec<String>,
    pub subnet_keys: Vec<String>,
    /// The tier's subnets' CIDRs, in AZ order, comma-joined (CloudFormation) and listed.
    pub cidrs_joined: String,
    pub cidrs: Vec<String>,
    /// The block that summarises the tier, when its subnets share one.
    pub block: Option<String>,
}

/// One AZ of the plan, for the outputs that name its zone: read from a subnet of the AZ, so the
/// output is the zone AWS placed it in.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneOutput {
    /// Logical ID of the CloudFormation output, `ZoneA`.
    pub id: String,
    pub description: String,
    pub label: String,
    pub subnet_id: String,
    pub subnet_key: String,
}

/// Everything the network templates need.
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub vpc_cidr: String,
    pub vpc_comment: String,
    pub internet_gateway: bool,
    /// Whether the zones are AZ IDs (`availability_zone_id`) rather than names.
    pub zone_ids: bool,
    pub subnets: Vec<Subnet>,
    /// Terraform `moved` blocks for the subnets of renamed tiers.
    pub moved: Vec<Moved>,
    pub route_tables: Vec<RouteTable>,
    pub nat_gateways: Vec<NatGateway>,
    pub endpoints: Vec<Endpoint>,
    pub interface_endpoints: Option<InterfaceEndpoints>,
    pub flow_logs: Option<FlowLogs>,
    pub outputs: Vec<TierOutput>,
    pub zones: Vec<ZoneOutput>,
    pub default_sg_name: String,
    /// Widths of the quoted keys of each HCL map, so `=` signs line up as `terraform fmt` wants.
    pub route_table_key_width: usize,
    pub nat_key_width: usize,
    pub endpoint_key_width: usize,
}

fn upper(label: &str) -> String {
    label.to_ascii_uppercase()
}

/// CloudFormation logical ID of a tier's subnet in an AZ: from the tier's recorded logical-ID stem
/// (kept across renames) and the AZ label, `SubnetPrivateB`.
fn subnet_id(tier: &PlannedTier, label: &str) -> String {
    format!("Subnet{}{}", tier.logical_id, upper(label))
}

/// Terraform `for_each` key of a tier's subnet in an AZ, `private-b`.
fn subnet_key(tier: &PlannedTier, label: &str) -> String {
    format!("{}-{label}", tier.name)
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

/// Hours in an average month, as AWS prices them.
const HOURS_A_MONTH: u64 = 730;

/// What an interface endpoint costs an hour in each AZ, in US cents (us-east-1).
const INTERFACE_ENDPOINT_CENTS_AN_HOUR: u64 = 1;

/// What every file of a blueprint shares: its name and description, where it deploys, and the
/// tags every resource carries.
#[derive(Debug, Clone, Serialize)]
pub struct Blueprint {
    pub name: String,
    pub description: String,
    pub region: &'static str,
    pub partition: &'static str,
    /// The tags of every resource after its Name: cloudwright's own `cloudwright:blueprint`
    /// (the budget's cost-allocation tag), then the blueprint's, in its order.
    pub tags: Vec<Tag>,
    /// The blueprint's own tags only: the Terraform `tags` variable's default.
    pub user_tags: Vec<Tag>,
    /// cloudwright's own tag, which Terraform merges over the variable.
    pub blueprint_tag: Tag,
    /// Width of the quoted tag keys, so `=` signs line up as `terraform fmt` wants.
    pub tag_key_width: usize,
    /// The blueprint's name, shortened to leave room in the names Terraform derives from
    /// `local.deployment` (`<prefix>-<8 characters>-<component>` within Lambda's 64).
    pub deployment_prefix: String,
}

/// Builds the view every file shares.
pub fn blueprint(plan: &Plan) -> Blueprint {
    let bp = &plan.name;
    let user_tags: Vec<Tag> = plan
        .tags
        .iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    let blueprint_tag = Tag {
        key: naming::BLUEPRINT_TAG.into(),
        value: bp.clone(),
    };
    let tags: Vec<Tag> = std::iter::once(blueprint_tag.clone())
        .chain(user_tags.iter().cloned())
        .collect();
    Blueprint {
        tag_key_width: hcl_key_width(user_tags.iter().map(|t| t.key.as_str())),
        name: bp.clone(),
        deployment_prefix: naming::fit(bp, 20),
        description: plan.description.clone(),
        region: plan.region.name,
        partition: plan.region.partition.name,
        tags,
        user_tags,
        blueprint_tag,
    }
}

/// Builds the view of `plan`'s network.
pub fn network(plan: &Plan) -> Option<Network> {
    let net = plan.network.as_ref()?;
    let bp = &plan.name;
    let mut subnets = Vec::new();
    let mut moved = Vec::new();
    for tier in &net.tiers {
        for s in &tier.subnets {
            let az = &net.azs[s.az];
            let (route_table_id, route_table_key) = route_table_for(tier.internet, &az.label);
            if let Some(old) = &tier.renamed_from {
                moved.push(Moved {
                    from: format!("{old}-{}", az.label),
                    to: subnet_key(tier, &az.label),
                    comment: format!(
                        "Tier {} was {old}: its subnet in AZ {} keeps its ID and address.",
                        tier.name, az.label
                    ),
                });
            }
            let id = subnet_id(tier, &az.label);
            subnets.push(Subnet {
                output_description: format!(
                    "ID of the subnet of tier {} in AZ {}, {}",
                    tier.name, az.label, s.cidr
                ),
                export_sub: format!("${{AWS::StackName}}-{id}"),
                id,
                key: subnet_key(tier, &az.label),
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

    let has = |kind: Internet| net.tiers.iter().any(|t| t.internet == kind);
    let mut route_tables = Vec::new();
    if has(Internet::Inbound) {
        route_tables.push(RouteTable {
            id: "RouteTableInternet".into(),
            key: "internet".into(),
            output_description: "ID of route table internet".into(),
            export_sub: "${AWS::StackName}-RouteTableInternet".into(),
            name: format!("{bp}-internet"),
            comment: "Routes the tiers with inbound internet access to the internet gateway."
                .into(),
            via_internet_gateway: true,
            nat_id: None,
            nat_key: None,
        });
    }
    if has(Internet::Outbound) {
        for (i, az) in net.azs.iter().enumerate() {
            let nat = if net.nat_azs.contains(&i) {
                Some(az)
            } else {
                net.nat_azs.first().map(|n| &net.azs[*n])
            };
            let id = format!("RouteTableEgress{}", upper(&az.label));
            route_tables.push(RouteTable {
                output_description: format!("ID of route table egress-{}", az.label),
                export_sub: format!("${{AWS::StackName}}-{id}"),
                id,
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
            output_description: "ID of route table isolated".into(),
            export_sub: "${AWS::StackName}-RouteTableIsolated".into(),
            name: format!("{bp}-isolated"),
            comment: "Isolated tiers: no route to or from the internet.".into(),
            via_internet_gateway: false,
            nat_id: None,
            nat_key: None,
        });
    }

    let nat_tier = net.nat_tier();
    let nat_gateways: Vec<NatGateway> = net
        .nat_azs
        .iter()
        .filter_map(|i| {
            let az = &net.azs[*i];
            let tier = nat_tier?;
            Some(NatGateway {
                id: format!("NatGateway{}", upper(&az.label)),
                eip_id: format!("NatEip{}", upper(&az.label)),
                key: az.label.clone(),
                subnet_id: subnet_id(tier, &az.label),
                subnet_key: subnet_key(tier, &az.label),
                name: format!("{bp}-nat-{}", az.label),
                ip_output_id: format!("NatPublicIp{}", upper(&az.label)),
                ip_description: format!(
                    "Public IP of the NAT gateway in AZ {}, for allow-lists",
                    az.label
                ),
                comment: format!(
                    "NAT gateway for the egress tiers, in tier {} of AZ {}.",
                    tier.name, az.label
                ),
            })
        })
        .collect();

    let endpoints: Vec<Endpoint> = net
        .endpoints
        .iter()
        .map(|e| {
            let service = e.service();
            Endpoint {
                id: format!("Endpoint{}", pascal_case(service)),
                key: service.to_string(),
                service_name: plan.region.endpoint_service_name(service, false),
                name: format!("{bp}-{service}"),
                comment: format!("Gateway endpoint for {service}: free, and keeps its traffic off the NAT gateways."),
            }
        })
        .collect();

    let interface_endpoints = net.interface_endpoints.as_ref().and_then(|(tier, services)| {
        let tier = net.tiers.iter().find(|t| &t.name == tier)?;
        let labels: Vec<&str> = tier
            .subnets
            .iter()
            .map(|s| net.azs[s.az].label.as_str())
            .collect();
        let azs = labels.len();
        let endpoints: Vec<InterfaceEndpoint> = services
            .iter()
            .map(|svc| {
                let service = svc.service();
                let monthly = usd(HOURS_A_MONTH * INTERFACE_ENDPOINT_CENTS_AN_HOUR * azs as u64);
                InterfaceEndpoint {
                    id: format!("Endpoint{}", pascal_case(&service.replace('.', "-"))),
                    key: service.to_string(),
                    service_name: plan.region.endpoint_service_name(service, true),
                    name: format!("{bp}-{}", service.replace('.', "-")),
                    comment: format!(
                        "Interface endpoint for {service}, private DNS on, in {azs} AZ(s): about {monthly} a month at us-east-1 prices, plus data processed."
                    ),
                    cost: format!("{service}: about {monthly} a month"),
                }
            })
            .collect();
        Some(InterfaceEndpoints {
            key_width: hcl_key_width(endpoints.iter().map(|e| e.key.as_str())),
            endpoints,
            subnet_ids: labels
                .iter()
                .map(|l| subnet_id(tier, l))
                .collect(),
            subnet_keys: labels.iter().map(|l| subnet_key(tier, l)).collect(),
            comment: format!(
                "Interface endpoints, with their network interfaces in tier {} (one per AZ).",
                tier.name
            ),
            cost_comment: "Fixed hourly charges (0.01 USD an hour per AZ at us-east-1 prices), plus data processed:".into(),
            security_group_name: format!("{bp}-endpoints"),
            security_group_name_prefix: format!("{}-", naming::fit(&format!("{bp}-endpoints"), 100)),
            security_group_description: format!(
                "Interface endpoints of {bp}: HTTPS from inside the VPC only"
            ),
        })
    });

    let flow_logs = net.flow_logs.map(|f| {
        let log_group_prefix = naming::log_group_prefix(plan);
        let log_group_name_sub = format!("{log_group_prefix}/${{Vpc}}{}", naming::LOG_GROUP_SUFFIX);
        let key_alias_prefix = naming::key_alias_prefix(plan);
        FlowLogs {
            retention_days: f.retention_days,
            traffic: f.traffic.as_aws(),
            key_alias_sub: format!("{key_alias_prefix}/${{Vpc}}{}", naming::LOG_GROUP_SUFFIX),
            key_alias_prefix,
            key_description: format!("Encrypts the VPC flow logs of {bp}"),
            role_description: format!(
                "Lets VPC Flow Logs deliver the flow logs of {bp} to CloudWatch Logs"
            ),
            name: format!("{bp}-flow-logs"),
            role_name_prefix: naming::role_name_prefix(plan),
            key_policy: crate::components::logs::key_policy(
                "CloudWatchLogsForTheFlowLogGroup",
                vec![crate::expr::Part::Lit(format!(
                    "{log_group_prefix}/vpc-*{}",
                    naming::LOG_GROUP_SUFFIX
                ))],
            ),
            role_policy: plan.iam.flow_logs_policy(),
            flow_log_arn_sub:
                "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*".into(),
            log_group_prefix,
            log_group_name_sub,
        }
    });

    let outputs = net
        .tiers
        .iter()
        .map(|tier| {
            let labels: Vec<&str> = tier
                .subnets
                .iter()
                .map(|s| net.azs[s.az].label.as_str())
                .collect();
            let cidrs: Vec<String> = tier.subnets.iter().map(|s| s.cidr.to_string()).collect();
            let id = tier.logical_id.clone();
            let description = format!("tier {}, in AZ order ({})", tier.name, labels.join(", "));
            TierOutput {
                ids_description: format!("IDs of the subnets of {description}"),
                cidrs_description: format!("CIDR blocks of the subnets of {description}"),
                block_description: format!(
                    "The block that holds every subnet of tier {}, and its free slots",
                    tier.name
                ),
                id,
                ids_output: format!("{}_subnet_ids", tier.name.replace('-', "_")),
                cidrs_output: format!("{}_subnet_cidr_blocks", tier.name.replace('-', "_")),
                block_output: format!("{}_tier_cidr_block", tier.name.replace('-', "_")),
                subnet_ids: labels.iter().map(|l| subnet_id(tier, l)).collect(),
                subnet_keys: labels.iter().map(|l| subnet_key(tier, l)).collect(),
                cidrs_joined: cidrs.join(","),
                cidrs,
                block: tier.block.map(|b| b.to_string()),
            }
        })
        .collect();
    let zones = net
        .tiers
        .first()
        .map(|tier| {
            tier.subnets
                .iter()
                .map(|s| {
                    let label = &net.azs[s.az].label;
                    ZoneOutput {
                        id: format!("Zone{}", upper(label)),
                        description: format!("Availability Zone of AZ {label}"),
                        label: label.clone(),
                        subnet_id: subnet_id(tier, label),
                        subnet_key: subnet_key(tier, label),
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    Some(Network {
        route_table_key_width: hcl_key_width(route_tables.iter().map(|r| r.key.as_str())),
        nat_key_width: hcl_key_width(nat_gateways.iter().map(|n: &NatGateway| n.key.as_str())),
        endpoint_key_width: hcl_key_width(endpoints.iter().map(|e: &Endpoint| e.key.as_str())),
        default_sg_name: format!("{bp}-default"),
        vpc_cidr: net.vpc.to_string(),
        vpc_comment: format!("The VPC: {}, with DNS support and DNS hostnames.", net.vpc),
        internet_gateway: has(Internet::Inbound),
        zone_ids: net.azs.iter().any(|a| matches!(a.zone, Zone::Id(_))),
        subnets,
        moved,
        route_tables,
        nat_gateways,
        endpoints,
        interface_endpoints,
        flow_logs,
        outputs,
        zones,
    })
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
    /// Terraform `name_prefix`, `<blueprint>-<environment>-` ([`naming::budget_prefix`]);
    /// CloudFormation generates the name.
    pub name_prefix: String,
    /// The limit as AWS takes it: `2000`, `1500.50`.
    pub amount: String,
    pub unit: &'static str,
    pub comment: String,
    /// What the budget counts, for its comment, one line each.
    pub scope_comment: Vec<String>,
    /// The standalone template's description.
    pub description: String,
    /// The cost filter on cloudwright's tag, `user:cloudwright:blueprint$<name>`; none when the
    /// budget counts the whole account.
    pub tag_filter: Option<String>,
    pub notifications: Vec<BudgetNotification>,
    /// Whether any notification publishes to SNS (the topic's policy must allow it).
    pub sns: bool,
    /// Whether CloudFormation and SAM put the budget in a template of its own, `budget.yaml`,
    /// because the blueprint's region has no `AWS::Budgets::Budget`.
    pub own_template: bool,
    /// Where that template is deployed, for its first line.
    pub deploy_comment: String,
    /// Whether the budget belongs to another account (GovCloud's linked commercial account), so
    /// Terraform manages it through a provider of its own.
    pub other_account: bool,
    pub home_region: &'static str,
}

/// `2000` cents → `20 USD`; `150050` → `1,500.50 USD`.
fn usd(cents: u64) -> String {
    money(cents, "USD")
}

/// `150050` cents of `CNY` → `1,500.50 CNY`.
fn money(cents: u64, currency: &str) -> String {
    match cents % 100 {
        0 => format!("{} {currency}", thousands(cents / 100)),
        c => format!("{}.{c:02} {currency}", thousands(cents / 100)),
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
                money(b.limit.percent(*percent).cents(), b.currency)
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
    let region = plan.region;
    let other_account = region.partition.budgets == BudgetHome::LinkedCommercialAccount;
    let own_template = other_account || !region.has_budget_resource();
    let deploy_comment = if other_account {
        format!(
            "Deploy in region: {BUDGETS_HOME_REGION}, in the commercial account this {} account is linked to, which pays its bills: AWS Budgets does not exist in {}.",
            region.partition.name, region.partition.name
        )
    } else if own_template {
        format!(
            "Deploy in region: {BUDGETS_HOME_REGION}, in the same account: {} has no AWS::Budgets::Budget, and the budget counts every region.",
            region.name
        )
    } else {
        String::new()
    };
    let (scope_comment, tag_filter) = match b.scope {
        BudgetScope::Blueprint => (
            vec![
                format!(
                    "It counts the spend of resources tagged {}={}, which cloudwright puts on",
                    naming::BLUEPRINT_TAG,
                    plan.name
                ),
                "every resource it generates. Activate it as a cost-allocation tag once, in the account".into(),
                "that pays the bill (an organization's management account): Billing console, Cost".into(),
                "allocation tags, or `aws ce update-cost-allocation-tags-status`. Until then the budget".into(),
                "counts nothing. `scope: account` counts the whole account instead.".into(),
            ],
            Some(format!("user:{}${}", naming::BLUEPRINT_TAG, plan.name)),
        ),
        BudgetScope::Account => (
            vec!["No cost filters (`scope: account`): it counts the spend of the whole account.".to_string()],
            None,
        ),
    };
    Some(Budget {
        name_prefix: naming::budget_prefix(plan),
        amount: b.limit.amount(),
        unit: b.currency,
        comment: format!(
            "Cost budget: {} a month, with an alert at each threshold below.",
            money(b.limit.cents(), b.currency)
        ),
        scope_comment,
        description: format!("Monthly cost budget of blueprint {}", plan.name),
        tag_filter,
        notifications,
        sns: !b.sns_topics.is_empty(),
        own_template,
        deploy_comment,
        other_account,
        home_region: BUDGETS_HOME_REGION,
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
        assert_eq!(view.name_prefix, format!("{longest}-development-"));
        assert!(view.name_prefix.len() + 26 <= 100 && !view.name_prefix.contains([':', '\\']));
        assert_eq!(
            view.tag_filter.as_deref(),
            Some(format!("user:cloudwright:blueprint${longest}").as_str())
        );
        assert!(!view.own_template);
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

/// A list at the top of every generated file, for reviewers: a title and one line per rule.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub lines: Vec<String>,
}

/// The blueprint's suppressions that matched, and the rules its environment turns off, as the
/// output carries them: lists for reviewers, and checkov skips on the Terraform resources each
/// rule's checkov counterpart looks at (checkov runs those checks on Terraform only, so
/// CloudFormation carries no skips for them).
#[derive(Debug, Clone, Serialize, Default)]
pub struct AcceptedView {
    /// The findings the blueprint accepts, then the rules that are off in its environment but
    /// whose checkov counterpart would fail; only the lists that have lines.
    pub sections: Vec<Section>,
    pub vpc: Vec<Skip>,
    pub subnets: Vec<Skip>,
    pub flow_log_group: Vec<Skip>,
}

/// `text` on one line, for a comment: line breaks and tabs become spaces.
pub fn one_line(text: &str) -> String {
    text.split(['\n', '\r', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the view of the accepted findings.
pub fn accepted(plan: &Plan, accepted: &[Accepted]) -> AcceptedView {
    let public_ip_tiers: Vec<&str> = plan
        .network
        .iter()
        .flat_map(|n| &n.tiers)
        .filter(|t| t.public_ips)
        .map(|t| t.name.as_str())
        .collect();
    let mut view = AcceptedView::default();
    let (mut findings, mut off) = (Vec::new(), Vec::new());
    for a in accepted {
        let reason = one_line(&a.reason);
        let line = format!("{} {}: {reason}", a.rule.id, a.rule.name);
        if a.by_environment {
            off.push(line);
        } else {
            findings.push(line);
        }
        for d in a.rule.checkov {
            let verdict = if a.by_environment { "off" } else { "accepted" };
            let skip = Skip {
                id: d.id,
                reason: format!("{} {verdict}: {reason}", a.rule.id),
            };
            match d.on {
                Resource::Vpc => view.vpc.push(skip),
                Resource::PublicIpSubnets => view.subnets.push(Skip {
                    reason: format!(
                        "{} {verdict} for tier {}: {reason}",
                        a.rule.id,
                        public_ip_tiers.join(", ")
                    ),
                    ..skip
                }),
                Resource::FlowLogGroup => view.flow_log_group.push(skip),
            }
        }
    }
    view.sections = [
        ("Findings the blueprint accepts, with the team's reasons:", findings),
        (
            "Rules off in this environment (the Terraform code skips their checkov checks, saying so):",
            off,
        ),
    ]
    .into_iter()
    .filter(|(_, lines)| !lines.is_empty())
    .map(|(title, lines)| Section { title, lines })
    .collect();
    view
}
