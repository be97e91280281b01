//! The typed blueprint. Every struct denies unknown fields, every map that the user orders is an
//! `IndexMap`, and every leaf is a self-checking newtype from [`super::types`].

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::types::{
    Azs, Cidr, Description, Email, EnvName, Environment, GatewayEndpoint, HELP_SEPARATOR,
    InterfaceService, Internet, MAX_BLUEPRINT_TAGS, MAX_BUDGET_ALERTS, MAX_BUDGET_EMAILS,
    MAX_BUDGET_SNS_TOPICS, MIN_PREFIX, Name, Nat, Percent, Prefix, Reason, Region, RetentionDays,
    SnsTopicArn, Spend, TagKey, TagValue, TierName, Traffic, Usd, VALUE_SEPARATOR, VpcAddress,
    usable_addresses,
};

/// A whole blueprint (format v1).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blueprint {
    pub name: Name,
    pub description: Description,
    pub environment: Environment,
    pub region: Region,
    /// Tags for every resource (cloudwright adds `Name` and its own two): keys of the tag
    /// alphabet, no two differing only in case.
    #[serde(default)]
    #[schemars(extend("maxProperties" = MAX_BLUEPRINT_TAGS, "propertyNames" = TagKey::json_schema(&mut schemars::SchemaGenerator::default())))]
    pub tags: IndexMap<TagKey, TagValue>,
    #[serde(default)]
    pub network: Option<Network>,
    /// The monthly cost budget and who hears when spend nears it. Optional for now.
    #[serde(default)]
    pub budget: Option<Budget>,
    /// Named components (tables, functions, APIs, topics) in the user's order.
    #[serde(default)]
    #[schemars(extend("propertyNames" = crate::components::ComponentName::json_schema(&mut schemars::SchemaGenerator::default())))]
    pub components: IndexMap<crate::components::ComponentName, crate::components::Component>,
    /// Findings the team has accepted, each with its reason.
    #[serde(default)]
    pub suppressions: Vec<Suppression>,
    /// Further environments of the same architecture, each with what differs from the top level
    /// (which describes the environment `environment` names).
    #[serde(default)]
    #[schemars(extend("propertyNames" = EnvName::json_schema(&mut schemars::SchemaGenerator::default())))]
    #[schemars(with = "IndexMap<EnvName, Override>")]
    pub environments: IndexMap<EnvName, serde::de::IgnoredAny>,
}

/// What one environment changes, for the schema: any top-level field but `environments`, merged
/// key by key into the top level (a mapping merges, anything else replaces, `null` removes). The
/// merged blueprint is checked like any other.
pub struct Override;

crate::schema_as!(Override, {
    "description": "What this environment changes: any top-level field but `environments`, merged key by key into the top level (a mapping merges into the mapping it replaces, anything else replaces, `null` removes). `environment` defaults to the environment's name when that is `production`, `staging` or `development`; `name` defaults to the top-level name and `-<environment>`.",
    "type": "object"
});

/// An accepted finding: which rule, why, and optionally for which component only.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// A rule ID (`NET004`); checked against the registry by the validator.
    pub rule: String,
    pub reason: Reason,
    /// Limits the suppression to one component (`network`, `budget`); all when absent.
    #[serde(default)]
    pub component: Option<String>,
}

/// The VPC and how its address space is divided.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The VPC's address range, given or allocated from a supernet.
    pub cidr: VpcAddress,
    /// The Availability Zones the tiers spread over.
    pub azs: Azs,
    /// Named tiers in the user's order; each has one subnet per AZ.
    #[serde(deserialize_with = "tiers")]
    #[schemars(with = "IndexMap<TierName, TierSpec>")]
    pub tiers: IndexMap<TierName, Tier>,
    /// How egress tiers reach the internet.
    #[serde(default)]
    pub nat: Nat,
    /// Ranges the planner never allocates (peered VPCs, on-premises networks).
    #[serde(default)]
    pub reserved: Vec<Cidr>,
    /// Gateway endpoints (S3, DynamoDB), each listed once, routed from every tier.
    #[serde(default)]
    #[schemars(extend("uniqueItems" = true))]
    pub endpoints: Vec<GatewayEndpoint>,
    /// Interface endpoints (PrivateLink), with their network interfaces in one tier.
    #[serde(default)]
    pub interface_endpoints: Option<InterfaceEndpoints>,
    /// VPC flow logs (on by default).
    #[serde(default)]
    pub flow_logs: FlowLogs,
}

/// Interface endpoints: which services, and the tier whose subnets (one per AZ) hold them.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InterfaceEndpoints {
    /// The tier whose subnets hold the endpoints' network interfaces.
    pub tier: TierName,
    /// The AWS services, each listed once.
    #[schemars(extend("uniqueItems" = true))]
    pub services: Vec<InterfaceService>,
}

/// One tier: its subnet size and its routing. Each tier has one subnet per AZ.
#[derive(Debug, Clone)]
pub struct Tier {
    pub size: SubnetSize,
    pub internet: Internet,
    /// Whether instances launched in the tier's subnets get a public IPv4 address.
    pub public_ips: bool,
    /// The tier's former name: the planner takes its lock-file entry (same CIDRs, same logical
    /// IDs), so renaming a tier replaces no subnet.
    pub renamed_from: Option<TierName>,
}

/// A tier's subnet size as the user gave it, resolved to a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetSize {
    /// `size: /24`
    Prefix(u8),
    /// `hosts: 200`: the smallest subnet with at least that many usable addresses.
    Hosts { hosts: u64, prefix: u8 },
}

impl SubnetSize {
    pub fn prefix(self) -> u8 {
        match self {
            SubnetSize::Prefix(p) | SubnetSize::Hosts { prefix: p, .. } => p,
        }
    }
}

/// A tier: its subnet size (exactly one of `size` and `hosts`) and its routing. Each tier has one
/// subnet per AZ.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = [{ "required": ["size"] }, { "required": ["hosts"] }]))]
struct TierSpec {
    /// The subnet size as a prefix length (`/24`).
    size: Option<Prefix>,
    /// The usable addresses the tier needs in each AZ: the smallest subnet that holds them.
    #[schemars(range(min = 1))]
    hosts: Option<u64>,
    /// How the tier reaches the internet.
    internet: Internet,
    /// Whether instances launched in the tier's subnets get a public IPv4 address (only in a
    /// tier with `internet: inbound`).
    #[serde(default)]
    public_ips: bool,
    /// The tier's former name: it keeps that tier's subnets (same CIDRs, same logical IDs), so
    /// renaming a tier replaces no subnet.
    #[serde(default)]
    renamed_from: Option<TierName>,
}

/// Deserializes the tiers one by one, so that a tier that is not right (both `size` and `hosts`,
/// or neither) is reported with its name and located at its key.
fn tiers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<IndexMap<TierName, Tier>, D::Error> {
    struct TiersVisitor;
    impl<'de> Visitor<'de> for TiersVisitor {
        type Value = IndexMap<TierName, Tier>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of tier names to tiers")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut tiers = IndexMap::new();
            while let Some(name) = map.next_key::<TierName>()? {
                let spec: TierSpec = map.next_value()?;
                let tier = Tier::try_from(spec).map_err(|e| {
                    de::Error::custom(format!("tier `{name}` {e}{VALUE_SEPARATOR}{name}"))
                })?;
                if tiers.insert(name.clone(), tier).is_some() {
                    return Err(de::Error::custom(format!(
                        "tier `{name}` is defined twice{HELP_SEPARATOR}give each tier a distinct name{VALUE_SEPARATOR}{name}"
                    )));
                }
            }
            Ok(tiers)
        }
    }
    deserializer.deserialize_map(TiersVisitor)
}

impl TryFrom<TierSpec> for Tier {
    type Error = String;

    fn try_from(spec: TierSpec) -> Result<Tier, String> {
        let size = match (spec.size, spec.hosts) {
            (Some(Prefix(p)), None) => SubnetSize::Prefix(p),
            (None, Some(0)) => {
                return Err(format!(
                    "asks for 0 usable addresses{HELP_SEPARATOR}give the addresses the tier needs, for example `hosts: 200`, or a prefix: `size: /24`"
                ));
            }
            (None, Some(hosts)) => match Prefix::for_hosts(hosts) {
                Some(Prefix(prefix)) => SubnetSize::Hosts { hosts, prefix },
                None => {
                    return Err(format!(
                        "asks for {hosts} usable addresses, more than any subnet holds{HELP_SEPARATOR}the largest subnet AWS allows, a /16, holds {}",
                        usable_addresses(MIN_PREFIX)
                    ));
                }
            },
            (Some(_), Some(_)) => {
                return Err(format!(
                    "gives both `size` and `hosts`{HELP_SEPARATOR}keep one: `size: /24` or `hosts: 200`"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "gives no size{HELP_SEPARATOR}add `size: /24` (a prefix) or `hosts: 200` (usable addresses needed)"
                ));
            }
        };
        Ok(Tier {
            size,
            internet: spec.internet,
            public_ips: spec.public_ips,
            renamed_from: spec.renamed_from,
        })
    }
}

/// VPC flow logs to an encrypted CloudWatch Logs group.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLogs {
    /// Whether the VPC's traffic is logged.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// How long the log group keeps the records.
    #[serde(default)]
    pub retention_days: RetentionDays,
    /// Which traffic is recorded.
    #[serde(default)]
    pub traffic: Traffic,
}

fn enabled_by_default() -> bool {
    true
}

impl Default for FlowLogs {
    fn default() -> Self {
        FlowLogs {
            enabled: true,
            retention_days: RetentionDays::default(),
            traffic: Traffic::default(),
        }
    }
}

/// A monthly cost budget, with alerts by email and SNS: one limit (`monthly_usd`, or
/// `monthly_cny` in AWS China), and at least one email or topic to tell.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend(
    "oneOf" = [{ "required": ["monthly_usd"] }, { "required": ["monthly_cny"] }],
    "anyOf" = [
        { "required": ["emails"], "properties": { "emails": { "minItems": 1 } } },
        { "required": ["sns_topics"], "properties": { "sns_topics": { "minItems": 1 } } },
    ],
))]
pub struct Budget {
    /// The monthly cost limit in US dollars, the currency of the aws and aws-us-gov partitions.
    #[serde(default)]
    pub monthly_usd: Option<Usd>,
    /// The monthly cost limit in Chinese yuan, the currency AWS China bills in (aws-cn).
    #[serde(default)]
    pub monthly_cny: Option<Usd>,
    /// When to alert, in the user's order.
    #[schemars(length(min = 1, max = MAX_BUDGET_ALERTS), extend("uniqueItems" = true))]
    pub alerts: Vec<BudgetAlert>,
    /// Who every alert emails.
    #[serde(default)]
    #[schemars(length(max = MAX_BUDGET_EMAILS), extend("uniqueItems" = true))]
    pub emails: Vec<Email>,
    /// Which SNS topics every alert publishes to.
    #[serde(default)]
    #[schemars(length(max = MAX_BUDGET_SNS_TOPICS))]
    pub sns_topics: Vec<SnsTopicArn>,
    /// What the budget counts: this blueprint's resources (the default) or the whole account.
    #[serde(default)]
    pub scope: BudgetScope,
}

/// What a budget counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BudgetScope {
    /// The spend of resources tagged `cloudwright:blueprint: <name>`, which cloudwright puts on
    /// every resource it generates (a cost-allocation tag, activated once per account).
    #[default]
    Blueprint,
    /// The spend of the whole account.
    Account,
}

/// One alert: a threshold in per cent of the limit, of actual or forecasted spend.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetAlert {
    pub percent: Percent,
    pub of: Spend,
}
