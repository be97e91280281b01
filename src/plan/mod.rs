//! The plan: the blueprint resolved into everything the renderers need — subnet CIDRs per tier
//! and AZ (from the allocator in [`alloc`], kept stable by the lock file in [`lock`]), the AZs,
//! where NAT gateways go, and the headroom left.

pub mod alloc;
pub mod graph;
pub mod lock;
mod report;
pub mod vpcs;

use std::path::PathBuf;

use indexmap::IndexMap;
use ipnet::Ipv4Net;

use crate::blueprint::model::BudgetScope;
use crate::blueprint::model::Network;
use crate::blueprint::source::SourceIndex;
use crate::blueprint::types::{
    Azs, Environment, GatewayEndpoint, InterfaceService, Internet, Nat, Spend, Traffic, Usd,
    VpcAddress, is_zone_id,
};
use crate::blueprint::{Document, SubnetSize, region::RegionInfo};
use crate::components::{
    Component, Ids, Kind, api, data_lake, database, function, pipeline, queue, service, table,
    topic,
};
use crate::diagnostics::{Diagnostic, Location};
use crate::expr::Expr;
use crate::naming::{az_letter, pascal_case};
use alloc::{AllocError, Allocation, FreeSpace, MoveReason, Request, Retired, TierRequest};

/// Rule IDs of the planner's own refusals; each is documented in the validator's registry, whose
/// rules also re-check the finished plan for the same properties.
pub mod codes {
    /// A subnet would leave the VPC, or two allocations overlap.
    pub const OUTSIDE_VPC_OR_OVERLAPPING: &str = "NET005";
    /// A subnet would overlap a reserved range.
    pub const RESERVED_RANGE_OVERLAPPED: &str = "NET006";
    /// The subnets do not fit in the VPC.
    pub const SUBNETS_DO_NOT_FIT: &str = "NET007";
    /// Zones the region does not have.
    pub const AZS_DO_NOT_EXIST: &str = "REG001";
}

/// The smallest prefix length AWS accepts for a VPC.
pub const MIN_VPC_PREFIX: u8 = 16;

/// The most AZ labels the headroom report counts up to.
const MAX_AZ_LABELS: usize = 26;

/// A previous plan and the lock file it came from.
#[derive(Debug, Clone)]
pub struct Locked {
    pub path: PathBuf,
    /// The lock file's format version (1 is read and upgraded on the next write).
    pub version: u32,
    pub record: lock::Record,
    /// Where each entry stands in the lock file's text.
    pub index: SourceIndex,
}

impl Locked {
    /// Drops every retired range (`--reclaim`): their subnets are gone from AWS, so the space may
    /// be allocated again. Returns what was dropped.
    pub fn reclaim(&mut self) -> Vec<Retired> {
        std::mem::take(&mut self.record.allocation.retired)
    }

    /// The location of the lock-file entry that records `cidr` (the last, when several do: the
    /// one that conflicts with an earlier entry).
    fn locate(&self, cidr: Ipv4Net) -> Location {
        let text = cidr.to_string();
        let path = self
            .index
            .scalars()
            .filter(|(_, value)| *value == text)
            .last()
            .map_or("", |(path, _)| path);
        self.locate_key(path)
    }

    /// The location of the key at `path` (`zones.b`) in the lock file.
    fn locate_key(&self, path: &str) -> Location {
        let pos = self.index.key(path);
        Location {
            file: self.path.display().to_string(),
            line: pos.line,
            column: pos.column,
        }
    }
}

/// Where an AZ is: a zone name, which can map to a different physical zone in each account, or
/// an AZ ID, the same physical zone everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Zone {
    /// `us-east-1a`: rendered as `AvailabilityZone` / `availability_zone`.
    Name(String),
    /// `use1-az4`: rendered as `AvailabilityZoneId` / `availability_zone_id`.
    Id(String),
}

impl Zone {
    /// A zone as the lock file writes it: an AZ ID by its shape, a name otherwise.
    pub fn parse(text: &str) -> Zone {
        if is_zone_id(text) {
            Zone::Id(text.to_string())
        } else {
            Zone::Name(text.to_string())
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Zone::Name(s) | Zone::Id(s) => s,
        }
    }
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An Availability Zone of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Az {
    /// The label in logical IDs, names and the lock file: the zone's letter for a listed name
    /// (`us-east-1c` → `c`), the ID's `az` part for a listed AZ ID (`use1-az4` → `az4`), and
    /// `a`, `b`, `c` by position for `azs: N`.
    pub label: String,
    /// The zone, resolved when the plan is made and recorded in the lock file.
    pub zone: Zone,
}

/// One tier, resolved.
#[derive(Debug, Clone)]
pub struct PlannedTier {
    pub name: String,
    /// The stem of its resources' logical IDs (`Database` → `SubnetDatabaseA`): from the tier's
    /// name when it was first planned, recorded in the lock file and kept across renames.
    pub logical_id: String,
    /// The name the tier had before, while the blueprint says `renamed_from`.
    pub renamed_from: Option<String>,
    pub internet: Internet,
    pub public_ips: bool,
    pub prefix: u8,
    /// The host count the user asked for, when the size was given as `hosts:`.
    pub hosts: Option<u64>,
    /// The single CIDR that summarises the tier, when its subnets share one block.
    pub block: Option<Ipv4Net>,
    /// One subnet per AZ, in AZ order.
    pub subnets: Vec<PlannedSubnet>,
}

/// One subnet: an index into [`Plan::azs`] and its CIDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedSubnet {
    pub az: usize,
    pub cidr: Ipv4Net,
}

/// Flow-log settings, present when flow logs are on.
#[derive(Debug, Clone, Copy)]
pub struct FlowLogPlan {
    pub retention_days: u32,
    pub traffic: Traffic,
}

/// The monthly cost budget: its limit, its alerts in the blueprint's order, and who they reach.
#[derive(Debug, Clone)]
pub struct BudgetPlan {
    pub limit: Usd,
    /// `USD`, or `CNY` in AWS China.
    pub currency: &'static str,
    /// Each alert's threshold, in per cent of the limit, and the spend it watches.
    pub alerts: Vec<(u16, Spend)>,
    pub emails: Vec<String>,
    pub sns_topics: Vec<String>,
    pub scope: BudgetScope,
}

/// How much more the address space holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// Unused addresses outside every tier block, subnet and retired range.
    pub free: Vec<Ipv4Net>,
    pub free_addresses: u64,
    /// How many more AZs every tier can get without moving a subnet.
    pub more_azs: usize,
    /// Per tier: free slots left in its block, and more subnets of its size that fit in free space.
    pub tiers: Vec<(String, u64, u64)>,
}

/// Everything the renderers need, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub description: String,
    pub environment: Environment,
    /// The environment's own name: one of the blueprint's `environments:` (`qa`), or the top
    /// level's, which is its kind's.
    pub environment_name: String,
    pub region: &'static RegionInfo,
    pub tags: Vec<(String, String)>,
    /// The VPC, when the blueprint has a `network`.
    pub network: Option<NetworkPlan>,
    pub budget: Option<BudgetPlan>,
    /// The components, in blueprint order; connections index into it.
    pub components: Vec<Planned>,
    pub connections: Vec<graph::Connection>,
    /// Every role, statement and invoke permission, derived from the connections.
    pub iam: crate::iam::Grants,
}

/// One component, resolved.
#[derive(Debug, Clone)]
pub struct Planned {
    pub name: String,
    pub kind: Kind,
    pub ids: Ids,
    pub plan: ComponentPlan,
}

impl Planned {
    /// The customer-managed key that encrypts the component's data, if it has one: grants on
    /// its data need grants on the key.
    pub fn customer_key(&self) -> Option<Expr> {
        match &self.plan {
            ComponentPlan::Table(t) if t.customer_key => {
                Some(self.ids.key_arn("TableKey", "table"))
            }
            ComponentPlan::Topic(_) => Some(self.ids.key_arn("TopicKey", "topic")),
            ComponentPlan::DataLake(_) => Some(self.ids.key_arn("Key", "lake")),
            ComponentPlan::Queue(q)
                if q.encryption == crate::components::queue::Encryption::CustomerKey =>
            {
                Some(self.ids.key_arn("QueueKey", "queue"))
            }
            ComponentPlan::Table(_)
            | ComponentPlan::Function(_)
            | ComponentPlan::Api(_)
            | ComponentPlan::Queue(_)
            | ComponentPlan::Pipeline(_) => None,
            ComponentPlan::Database(d) if d.encrypted => Some(self.ids.key_arn("Key", "db")),
            ComponentPlan::Database(_) | ComponentPlan::Service(_) => None,
        }
    }
}

/// A component's resolved facts, by kind.
#[derive(Debug, Clone)]
pub enum ComponentPlan {
    Table(table::Plan),
    Function(function::Plan),
    Api(api::Plan),
    Topic(topic::Plan),
    Queue(queue::Plan),
    Pipeline(pipeline::Plan),
    DataLake(data_lake::Plan),
    Database(database::Plan),
    Service(service::Plan),
}

/// The blueprint's network, resolved: the VPC, its AZs and tiers with their subnets, NAT,
/// endpoints, flow logs, and the allocation the lock file records.
#[derive(Debug, Clone)]
pub struct NetworkPlan {
    pub vpc: Ipv4Net,
    pub azs: Vec<Az>,
    pub tiers: Vec<PlannedTier>,
    pub reserved: Vec<Ipv4Net>,
    /// Ranges of subnets that left the blueprint, kept unused until `--reclaim`.
    pub retired: Vec<Retired>,
    pub nat: Nat,
    /// AZs (indexes into `azs`) that get a NAT gateway.
    pub nat_azs: Vec<usize>,
    pub endpoints: Vec<GatewayEndpoint>,
    /// Interface endpoints: the tier whose subnets hold their interfaces, and the services.
    pub interface_endpoints: Option<(String, Vec<InterfaceService>)>,
    pub flow_logs: Option<FlowLogPlan>,
    pub allocation: Allocation,
    pub headroom: Headroom,
}

impl Plan {
    /// The plan as the text table `cloudwright plan` prints.
    pub fn report(&self) -> String {
        match &self.network {
            Some(network) => report::render(self, network),
            None => format!(
                "{} ({}, {}): no network, so no addresses to plan\n",
                self.name,
                self.region.name,
                self.environment.as_str()
            ),
        }
    }
}

/// How the templates name one subnet: its CloudFormation logical ID and its key in Terraform's
/// `aws_subnet.this` map, and the label of its AZ.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SubnetRef {
    pub id: String,
    pub key: String,
    pub label: String,
}

impl NetworkPlan {
    /// The tier NAT gateways stand in: the first with `internet: inbound`.
    pub fn nat_tier(&self) -> Option<&PlannedTier> {
        if self.nat_azs.is_empty() {
            return None;
        }
        self.tiers.iter().find(|t| t.internet == Internet::Inbound)
    }

    /// The subnets of tier `tier`, one per AZ in AZ order; none when there is no such tier.
    pub fn tier_subnets(&self, tier: &str) -> Vec<SubnetRef> {
        let Some(t) = self.tiers.iter().find(|t| t.name == tier) else {
            return Vec::new();
        };
        t.subnets
            .iter()
            .map(|s| {
                let label = &self.azs[s.az].label;
                SubnetRef {
                    id: format!("Subnet{}{}", t.logical_id, label.to_ascii_uppercase()),
                    key: format!("{}-{label}", t.name),
                    label: label.clone(),
                }
            })
            .collect()
    }

    /// What the lock file records of this plan.
    pub fn record(&self) -> lock::Record {
        lock::Record {
            allocation: self.allocation.clone(),
            zones: self
                .azs
                .iter()
                .map(|az| (az.label.clone(), az.zone.clone()))
                .collect(),
            ids: self
                .tiers
                .iter()
                .map(|t| (t.name.clone(), t.logical_id.clone()))
                .collect(),
            environment: None,
        }
    }
}

/// Plans the blueprint: its network (keeping every subnet, zone and logical ID `previous`
/// records), its budget and its components.
pub fn plan(doc: &Document, previous: Option<&Locked>) -> Result<Plan, Vec<Diagnostic>> {
    let alone = vpcs::Environments::alone(
        doc.environment_name(),
        None,
        previous.map(|l| l.record.allocation.vpc),
    );
    plan_with(doc, previous, &alone)
}

/// Plans one environment of a blueprint among `envs`, its siblings: its VPC block is the one given,
/// or allocated from the supernet around theirs, and overlaps none of theirs.
pub fn plan_with(
    doc: &Document,
    previous: Option<&Locked>,
    envs: &vpcs::Environments,
) -> Result<Plan, Vec<Diagnostic>> {
    let bp = &doc.blueprint;
    let connections = graph::resolve(doc)?;
    let network = match &bp.network {
        Some(net) => {
            let vpc = vpc_block(doc, net, envs)?;
            Some(plan_network(doc, net, vpc, previous)?)
        }
        None => None,
    };
    let mut components: Vec<Planned> = bp
        .components
        .iter()
        .map(|(name, c)| Planned {
            name: name.to_string(),
            kind: c.kind(),
            ids: Ids::new(name.as_str()),
            plan: match c {
                Component::Table(s) => ComponentPlan::Table(s.plan(bp.environment)),
                Component::Function(s) => ComponentPlan::Function(s.plan(bp.environment)),
                Component::Api(s) => ComponentPlan::Api(s.plan(bp.environment)),
                Component::Topic(s) => ComponentPlan::Topic(s.plan()),
                Component::Queue(s) => ComponentPlan::Queue(s.plan(bp.environment)),
                Component::Pipeline(s) => ComponentPlan::Pipeline(s.plan(bp.environment)),
                Component::DataLake(s) => {
                    ComponentPlan::DataLake(s.plan(bp.environment, bp.name.as_str()))
                }
                Component::Database(s) => {
                    ComponentPlan::Database(s.plan(bp.environment, name.as_str()))
                }
                Component::Service(s) => ComponentPlan::Service(s.plan(
                    bp.environment,
                    bp.network.as_ref().map_or(1, |n| n.azs.count()),
                )),
            },
        })
        .collect();
    queue::settle_visibility(&mut components, &connections);
    let iam = crate::iam::derive(&components, &connections, network.as_ref());
    Ok(Plan {
        name: bp.name.to_string(),
        description: bp.description.to_string(),
        environment: bp.environment,
        environment_name: doc.environment_name().to_string(),
        region: bp.region.info(),
        tags: bp
            .tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        network,
        components,
        connections,
        iam,
        budget: bp.budget.as_ref().and_then(|b| {
            Some(BudgetPlan {
                limit: b.monthly_usd.or(b.monthly_cny)?,
                currency: if b.monthly_cny.is_some() {
                    "CNY"
                } else {
                    "USD"
                },
                alerts: b.alerts.iter().map(|a| (a.percent.0, a.of)).collect(),
                emails: b.emails.iter().map(ToString::to_string).collect(),
                sns_topics: b.sns_topics.iter().map(ToString::to_string).collect(),
                scope: b.scope,
            })
        }),
    })
}

/// The VPC block of the environment `envs` is planning, which must overlap no sibling's.
fn vpc_block(
    doc: &Document,
    net: &Network,
    envs: &vpcs::Environments,
) -> Result<Ipv4Net, Vec<Diagnostic>> {
    let mut all = envs.all.clone();
    all[envs.current].address = Some(net.cidr);
    let blocks = vpcs::assign(&all);
    let Some(vpc) = blocks[envs.current] else {
        let (from, size) = match net.cidr {
            VpcAddress::Pool(p) => (p.from, p.size),
            VpcAddress::Given(c) => (c.0, c.0.prefix_len()),
        };
        return Err(vec![doc.error(
            "network.cidr",
            format!(
                "the supernet {from} has no /{size} left for this environment's VPC: the other environments hold it all"
            ),
            "give a larger supernet (`from`), or a smaller VPC (`size`)",
        )]);
    };
    let overlaps: Vec<Diagnostic> = all
        .iter()
        .zip(&blocks)
        .enumerate()
        .filter(|(i, _)| *i != envs.current)
        .filter_map(|(_, (other, block))| Some((other, (*block)?)))
        .filter(|(_, block)| block.contains(&vpc) || vpc.contains(block))
        .map(|(other, block)| overlap(doc, net, vpc, block, other))
        .collect();
    if overlaps.is_empty() {
        Ok(vpc)
    } else {
        Err(overlaps)
    }
}

/// This environment's VPC `vpc` overlaps `block`, environment `other`'s.
fn overlap(
    doc: &Document,
    net: &Network,
    vpc: Ipv4Net,
    block: Ipv4Net,
    other: &vpcs::Environment,
) -> Diagnostic {
    let whose = if other.gone {
        format!(
            "the VPC environment `{}` had, which the blueprint no longer has but its lock file still records",
            other.name
        )
    } else {
        format!("the VPC of environment `{}`", other.name)
    };
    let help = match net.cidr {
        VpcAddress::Given(_) => {
            "give this environment a block no other holds, or let every environment take one from a supernet: `cidr: { from: 10.64.0.0/12, size: /16 }`"
        }
        VpcAddress::Pool(_) => {
            "allocate every environment from the same supernet, or give the other environment a block outside this one's supernet"
        }
    };
    doc.error(
        "network.cidr",
        format!("this environment's VPC {vpc} overlaps {block}, {whose}"),
        help,
    )
}

/// Plans the blueprint's network in the block `vpc`, keeping every subnet, zone and logical ID
/// `previous` records.
fn plan_network(
    doc: &Document,
    net: &Network,
    vpc: Ipv4Net,
    previous: Option<&Locked>,
) -> Result<NetworkPlan, Vec<Diagnostic>> {
    let azs = zones(doc, net, previous)?;
    let renames = renames(doc, net, previous)?;
    let recorded = previous.map(|l| renamed(&l.record.allocation, &renames));
    let reserved: Vec<Ipv4Net> = net.reserved.iter().map(|c| c.0).collect();
    let request = Request {
        vpc,
        reserved: reserved.clone(),
        azs: azs.iter().map(|a| a.label.clone()).collect(),
        tiers: net
            .tiers
            .iter()
            .map(|(name, t)| TierRequest {
                name: name.to_string(),
                prefix: t.size.prefix(),
            })
            .collect(),
    };
    let allocation = alloc::allocate(&request, recorded.as_ref())
        .map_err(|e| diagnostics(doc, previous, &request, e))?;
    let ids = logical_ids(doc, net, previous, &renames)?;

    let tiers: Vec<PlannedTier> = net
        .tiers
        .iter()
        .zip(allocation.tiers.values())
        .zip(ids)
        .map(|(((name, tier), a), logical_id)| PlannedTier {
            name: name.to_string(),
            logical_id,
            renamed_from: tier.renamed_from.as_ref().map(ToString::to_string),
            internet: tier.internet,
            public_ips: tier.public_ips,
            prefix: a.prefix,
            hosts: match tier.size {
                SubnetSize::Hosts { hosts, .. } => Some(hosts),
                SubnetSize::Prefix(_) => None,
            },
            block: a.block,
            subnets: a
                .subnets
                .values()
                .enumerate()
                .map(|(az, cidr)| PlannedSubnet { az, cidr: *cidr })
                .collect(),
        })
        .collect();

    let has_egress = tiers.iter().any(|t| t.internet == Internet::Outbound);
    let nat_azs = match (has_egress, net.nat) {
        (false, _) | (_, Nat::None) => vec![],
        (true, Nat::Single) => vec![0],
        (true, Nat::PerAz) => (0..azs.len()).collect(),
    };
    let headroom = headroom(&request, &allocation);
    Ok(NetworkPlan {
        vpc,
        azs,
        tiers,
        reserved,
        retired: allocation.retired.clone(),
        nat: net.nat,
        nat_azs,
        endpoints: net.endpoints.clone(),
        interface_endpoints: net
            .interface_endpoints
            .as_ref()
            .map(|ie| (ie.tier.to_string(), ie.services.clone())),
        flow_logs: net.flow_logs.enabled.then_some(FlowLogPlan {
            retention_days: net.flow_logs.retention_days.0,
            traffic: net.flow_logs.traffic,
        }),
        allocation,
        headroom,
    })
}

fn lock_name(previous: Option<&Locked>) -> String {
    previous.map_or_else(
        || "the lock file".to_string(),
        |l| l.path.display().to_string(),
    )
}

/// The AZs of the plan, each with its zone: what the lock file records for its label, else what
/// the blueprint asks for (`azs: N` takes the region's first zones that no recorded label holds).
/// A listed zone that differs from the one recorded for its label is refused: the subnets of that
/// label would be replaced.
fn zones(
    doc: &Document,
    net: &Network,
    previous: Option<&Locked>,
) -> Result<Vec<Az>, Vec<Diagnostic>> {
    let bp = &doc.blueprint;
    let region = bp.region.info();
    let recorded = |label: &str| previous.and_then(|l| l.record.zones.get(label));
    let azs: Vec<Az> = match &net.azs {
        Azs::Count(n) => {
            let n = usize::from(*n);
            if n > usize::from(region.azs) {
                let mut d = doc.error(
                    "network.azs",
                    format!(
                        "`azs: {n}` asks for more zones than {} offers ({}: {})",
                        region.name,
                        region.azs,
                        region.zone_names().collect::<Vec<_>>().join(", ")
                    ),
                    format!("use at most {} AZs, or a region with more", region.azs),
                );
                d.code = Some(codes::AZS_DO_NOT_EXIST);
                return Err(vec![d]);
            }
            let labels: Vec<String> = (0..n).map(az_letter).collect();
            let kept: Vec<Option<Zone>> = labels.iter().map(|l| recorded(l).cloned()).collect();
            let taken: Vec<String> = kept.iter().flatten().map(|z| z.to_string()).collect();
            let mut fresh = region.zone_names().filter(|z| !taken.contains(z));
            let mut azs = Vec::with_capacity(n);
            for (label, zone) in labels.into_iter().zip(kept) {
                let Some(zone) = zone.or_else(|| fresh.next().map(Zone::Name)) else {
                    let mut d = doc.error(
                        "network.azs",
                        format!("{} has no zone left for AZ `{label}`", region.name),
                        "use fewer AZs",
                    );
                    d.code = Some(codes::AZS_DO_NOT_EXIST);
                    return Err(vec![d]);
                };
                azs.push(Az { label, zone });
            }
            azs
        }
        Azs::Names(names) => names
            .iter()
            .map(|name| Az {
                label: name[region.name.len().min(name.len())..].to_string(),
                zone: Zone::Name(name.clone()),
            })
            .collect(),
        Azs::Ids(ids) => ids
            .iter()
            .map(|id| Az {
                label: id.rsplit('-').next().unwrap_or(id).to_string(),
                zone: Zone::Id(id.clone()),
            })
            .collect(),
    };
    let mut problems = Vec::new();
    if !matches!(net.azs, Azs::Count(_)) {
        for (i, az) in azs.iter().enumerate() {
            let Some(was) = recorded(&az.label).filter(|was| **was != az.zone) else {
                continue;
            };
            problems.push(doc.error(
                &format!("network.azs[{i}]"),
                format!(
                    "AZ `{}` is zone {}, but {} records it as {was}: its subnets would be replaced in place, on their own addresses",
                    az.label,
                    az.zone,
                    lock_name(previous)
                ),
                format!(
                    "list {was} to keep them; to move AZ `{}`, plan once without it (its subnets are retired), then add the new zone",
                    az.label
                ),
            ));
        }
    }
    let by_id = azs.iter().filter(|a| matches!(a.zone, Zone::Id(_))).count();
    if by_id != 0 && by_id != azs.len() {
        problems.push(doc.error(
            "network.azs",
            format!(
                "{} records zone names for some AZs and AZ IDs for others",
                lock_name(previous)
            ),
            "list the zones by name or by AZ ID, as the lock file's `zones` does",
        ));
    }
    if problems.is_empty() {
        Ok(azs)
    } else {
        Err(problems)
    }
}

/// The tiers the blueprint renames, former name → new name, for those the lock file still records
/// under the former name. A `renamed_from` whose rename is already recorded (the lock file has the
/// new name) needs nothing more.
fn renames(
    doc: &Document,
    net: &Network,
    previous: Option<&Locked>,
) -> Result<IndexMap<String, String>, Vec<Diagnostic>> {
    let recorded = previous.map(|l| &l.record.allocation.tiers);
    let has = |name: &str| recorded.is_some_and(|t| t.contains_key(name));
    let mut renames = IndexMap::new();
    let mut problems = Vec::new();
    for (name, tier) in &net.tiers {
        let Some(old) = &tier.renamed_from else {
            continue;
        };
        let (name, old) = (name.as_str(), old.as_str());
        let path = format!("network.tiers.{name}.renamed_from");
        match (has(old), has(name)) {
            (true, false) => {
                renames.insert(old.to_string(), name.to_string());
            }
            (false, true) => {}
            (true, true) => problems.push(doc.error(
                &path,
                format!(
                    "tier `{name}` is renamed from `{old}`, but {} records both `{old}` and `{name}`",
                    lock_name(previous)
                ),
                format!("restore the lock file from version control, or remove `renamed_from` to plan `{name}` as it is recorded"),
            )),
            (false, false) => {
                let help = match recorded {
                    None => format!(
                        "there is no lock file, so there is nothing to take over: remove `renamed_from` to plan `{name}` as a new tier"
                    ),
                    Some(tiers) => format!(
                        "name a tier the lock file records ({}), or remove `renamed_from` to plan `{name}` as a new tier",
                        crate::diagnostics::code_list(tiers.keys())
                    ),
                };
                problems.push(doc.error(
                    &path,
                    format!(
                        "tier `{name}` is renamed from `{old}`, but {} records no tier `{old}`",
                        lock_name(previous)
                    ),
                    help,
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(renames)
    } else {
        Err(problems)
    }
}

/// `allocation` with each renamed tier under its new name.
fn renamed(allocation: &Allocation, renames: &IndexMap<String, String>) -> Allocation {
    Allocation {
        tiers: allocation
            .tiers
            .iter()
            .map(|(name, t)| (renames.get(name).unwrap_or(name).clone(), t.clone()))
            .collect(),
        ..allocation.clone()
    }
}

/// Each tier's logical-ID stem, in blueprint order: the one the lock file records for it (under
/// its former name, for a renamed tier), else its name in PascalCase. Two tiers with one stem
/// would share logical IDs, and are refused.
fn logical_ids(
    doc: &Document,
    net: &Network,
    previous: Option<&Locked>,
    renames: &IndexMap<String, String>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for name in net.tiers.keys() {
        let name = name.as_str();
        let source = renames
            .iter()
            .find(|(_, new)| *new == name)
            .map_or(name, |(old, _)| old.as_str());
        let id = previous
            .and_then(|l| l.record.ids.get(source))
            .cloned()
            .unwrap_or_else(|| pascal_case(name));
        if let Some((other, _)) = ids.iter().find(|(_, i)| *i == id) {
            problems.push(doc.error(
                &format!("network.tiers.{name}"),
                format!(
                    "tiers `{other}` and `{name}` would both be named `{id}` in the generated code ({} records `{id}` for the tier it names first)",
                    lock_name(previous)
                ),
                format!("give tier `{name}` a name that is not `{}` in PascalCase", id),
            ));
        }
        ids.push((name.to_string(), id));
    }
    if problems.is_empty() {
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    } else {
        Err(problems)
    }
}

fn headroom(request: &Request, allocation: &Allocation) -> Headroom {
    let mut free = FreeSpace::new(request.vpc, &request.reserved);
    for r in &allocation.retired {
        free.remove(r.cidr);
    }
    for tier in allocation.tiers.values() {
        if let Some(block) = tier.block {
            free.remove(block);
        }
        for cidr in tier.subnets.values() {
            if !tier.block.is_some_and(|b| b.contains(cidr)) {
                free.remove(*cidr);
            }
        }
    }
    let mut more_azs = 0;
    let mut grown = request.clone();
    // Labels not yet in use, in order: pinned zones `a` and `c` leave `b`, `d`, `e`, ….
    let mut unused = (0..).map(az_letter).filter(|l| !request.azs.contains(l));
    while grown.azs.len() < MAX_AZ_LABELS {
        let Some(label) = unused.next() else { break };
        grown.azs.push(label);
        if alloc::allocate(&grown, Some(allocation)).is_err() {
            break;
        }
        more_azs += 1;
    }
    Headroom {
        free: free.summary(),
        free_addresses: free.total(),
        more_azs,
        tiers: allocation
            .tiers
            .iter()
            .map(|(name, t)| {
                let taken = t
                    .subnets
                    .values()
                    .chain(allocation.retired.iter().map(|r| &r.cidr))
                    .filter(|s| t.block.is_some_and(|b| b.contains(*s)))
                    .count() as u64;
                let in_block = t.slots().saturating_sub(taken);
                (name.clone(), in_block, free.fits(t.prefix))
            })
            .collect(),
    }
}

/// `13056` → `13,056`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn diagnostics(
    doc: &Document,
    previous: Option<&Locked>,
    request: &Request,
    error: AllocError,
) -> Vec<Diagnostic> {
    let lock_name = lock_name(previous);
    match error {
        AllocError::WouldMove(moves) => moves
            .into_iter()
            .map(|m| {
                let subnet = format!("subnet {}-{} ({})", m.tier, m.az, m.cidr);
                let code = match m.reason {
                    MoveReason::SizeChanged { .. } => None,
                    MoveReason::OutsideVpc => Some(codes::OUTSIDE_VPC_OR_OVERLAPPING),
                    MoveReason::Reserved(_) => Some(codes::RESERVED_RANGE_OVERLAPPED),
                };
                let (path, message, help) = match m.reason {
                    MoveReason::SizeChanged { from, to } => (
                        format!("network.tiers.{}", m.tier),
                        format!("{subnet} would move: tier `{}` changed from /{from} to /{to}", m.tier),
                        format!(
                            "keep /{from}, or delete tier `{}` from {lock_name} to re-plan it (its subnets are replaced)",
                            m.tier
                        ),
                    ),
                    MoveReason::OutsideVpc => (
                        "network.cidr".to_string(),
                        format!("{subnet} would move: it lies outside the VPC {}", request.vpc),
                        format!(
                            "keep a VPC CIDR that contains it, or delete {lock_name} to re-plan every subnet (all are replaced)"
                        ),
                    ),
                    MoveReason::Reserved(r) => {
                        let i = request.reserved.iter().position(|x| *x == r).unwrap_or(0);
                        (
                            format!("network.reserved[{i}]"),
                            format!("{subnet} would move: it overlaps the reserved range {r}"),
                            format!(
                                "reserve a range that misses it, or delete tier `{}` from {lock_name} to re-plan it",
                                m.tier
                            ),
                        )
                    }
                };
                let mut d = doc.error(&path, message, help);
                d.code = code;
                d
            })
            .collect(),
        AllocError::Conflict { first, second } => {
            let location = previous.map_or_else(|| doc.locate("network"), |l| l.locate(first));
            let mut d = Diagnostic::error(
                location,
                if first == second {
                    format!("the lock file records {first} twice")
                } else {
                    format!("the lock file records overlapping allocations {first} and {second}")
                },
            )
            .with_help("restore the lock file from version control, or delete it to re-plan every subnet");
            d.code = Some(codes::OUTSIDE_VPC_OR_OVERLAPPING);
            vec![d]
        }
        AllocError::DoesNotFit {
            demand,
            smallest_vpc,
            fits_without_lock,
            fits_if_reclaimed,
        } => {
            let needed: u64 = demand.iter().map(|(n, p)| *n as u64 * alloc::addresses(*p)).sum();
            let terms: Vec<String> = demand.iter().map(|(n, p)| format!("{n} × /{p}")).collect();
            let reserved: u64 = request
                .reserved
                .iter()
                .filter(|r| request.vpc.contains(*r))
                .map(|r| alloc::addresses(r.prefix_len()))
                .sum();
            let reserved_note = if reserved > 0 {
                format!(" ({} of them reserved)", thousands(reserved))
            } else {
                String::new()
            };
            let message = format!(
                "the subnets do not fit: the tiers need {} ({} addresses) but {} holds {}{reserved_note}",
                terms.join(" + "),
                thousands(needed),
                request.vpc,
                thousands(alloc::addresses(request.vpc.prefix_len())),
            );
            let help = if fits_if_reclaimed {
                format!(
                    "they would fit in the ranges {lock_name} retires: once the subnets that held them are gone from AWS, plan with --reclaim"
                )
            } else if fits_without_lock {
                format!(
                    "they would fit if existing subnets moved: delete {lock_name} to re-plan every subnet (all are replaced), or make the tiers smaller"
                )
            } else {
                match smallest_vpc {
                    Some(p) => format!(
                        "the smallest VPC that fits is /{p} (for example {}), or make the tiers smaller",
                        Ipv4Net::new(request.vpc.network(), p).map(|n| n.trunc()).unwrap_or(request.vpc)
                    ),
                    None => "make the tiers smaller or use fewer AZs: no VPC of /16 or smaller holds them".to_string(),
                }
            };
            let mut d = doc.error("network.cidr", message, help);
            d.code = Some(codes::SUBNETS_DO_NOT_FIT);
            vec![d]
        }
    }
}

/// The plan of the blueprint `text`, with no lock file: for the unit tests of every stage.
#[cfg(test)]
pub(crate) fn of_text(text: &str) -> Plan {
    let doc = crate::blueprint::load(crate::blueprint::Source {
        origin: crate::blueprint::Origin::File("bp.yaml".into()),
        text: text.to_string(),
    })
    .expect("the blueprint loads");
    plan(&doc, None).expect("the blueprint plans")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::{Origin, Source, load};

    fn doc(region: &str, azs: &str, tiers: &str) -> Document {
        let text = format!(
            "name: t\ndescription: x\nenvironment: development\nregion: {region}\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: {azs}\n  tiers:\n{tiers}  nat: none\n"
        );
        load(Source {
            origin: Origin::Catalog("t".into()),
            text,
        })
        .unwrap_or_else(|d| panic!("{d:#?}"))
    }

    const TIERS: &str =
        "    public: { size: /24, internet: inbound }\n    app: { size: /22, internet: none }\n";

    /// Plans a blueprint that has a network, and returns that network's plan.
    fn net(doc: &Document, previous: Option<&Locked>) -> Result<NetworkPlan, Vec<Diagnostic>> {
        plan(doc, previous).map(|p| p.network.expect("the test blueprint has a network"))
    }

    /// `plan`'s lock file, read back as the next run reads it.
    fn locked(plan: &NetworkPlan) -> Locked {
        let text = lock::render("t", &plan.record());
        locked_text(&text)
    }

    fn locked_text(text: &str) -> Locked {
        let path = PathBuf::from("t.lock.yaml");
        Locked {
            version: if text.contains("version: 1") { 1 } else { 2 },
            record: lock::parse(&path, text).unwrap_or_else(|d| panic!("{d}")),
            index: SourceIndex::build(text),
            path,
        }
    }

    fn zones(plan: &NetworkPlan) -> Vec<(String, String)> {
        plan.azs
            .iter()
            .map(|a| (a.label.clone(), a.zone.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn cidrs(plan: &NetworkPlan, tier: &str) -> IndexMap<String, Ipv4Net> {
        plan.allocation.tiers[tier].subnets.clone()
    }

    #[test]
    fn a_count_resolves_to_the_regions_first_zones_and_the_lock_records_them() {
        let first = net(&doc("ap-northeast-1", "3", TIERS), None).unwrap();
        assert_eq!(
            zones(&first),
            pairs(&[
                ("a", "ap-northeast-1a"),
                ("b", "ap-northeast-1c"),
                ("c", "ap-northeast-1d")
            ])
        );
        let text = lock::render("t", &first.record());
        assert!(
            text.contains(
                "zones:\n  a: ap-northeast-1a\n  b: ap-northeast-1c\n  c: ap-northeast-1d\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn recorded_zones_are_kept_and_new_labels_take_the_first_free_zone() {
        // A lock file whose labels hold other zones than a fresh plan would pick.
        let first = net(&doc("ap-northeast-1", "2", TIERS), None).unwrap();
        let text = lock::render("t", &first.record())
            .replace("a: ap-northeast-1a", "a: ap-northeast-1d")
            .replace("b: ap-northeast-1c", "b: ap-northeast-1a");
        let previous = locked_text(&text);
        let again = net(&doc("ap-northeast-1", "2", TIERS), Some(&previous)).unwrap();
        assert_eq!(
            zones(&again),
            pairs(&[("a", "ap-northeast-1d"), ("b", "ap-northeast-1a")])
        );
        let grown = net(&doc("ap-northeast-1", "3", TIERS), Some(&previous)).unwrap();
        assert_eq!(grown.azs[2].zone, Zone::Name("ap-northeast-1c".into()));
    }

    #[test]
    fn a_version_1_lock_is_read_and_upgraded_keeping_every_subnet() {
        let first = net(&doc("us-east-1", "2", TIERS), None).unwrap();
        let mut v1 = format!("version: 1\nvpc: {}\ntiers:\n", first.vpc);
        for (name, t) in &first.allocation.tiers {
            v1.push_str(&format!("  {name}:\n    prefix: {}\n", t.prefix));
            if let Some(b) = t.block {
                v1.push_str(&format!("    block: {b}\n"));
            }
            v1.push_str("    subnets:\n");
            for (az, cidr) in &t.subnets {
                v1.push_str(&format!("      {az}: {cidr}\n"));
            }
        }
        let previous = locked_text(&v1);
        assert_eq!(previous.version, 1);
        assert!(previous.record.zones.is_empty());
        let next = net(&doc("us-east-1", "2", TIERS), Some(&previous)).unwrap();
        assert_eq!(next.allocation, first.allocation);
        assert_eq!(
            zones(&next),
            pairs(&[("a", "us-east-1a"), ("b", "us-east-1b")])
        );
        assert_eq!(next.tiers[0].logical_id, "Public");
        let upgraded = lock::render("t", &next.record());
        assert!(
            upgraded.contains("version: 2\n") && upgraded.contains("zones:\n  a: us-east-1a\n")
        );
        assert_ne!(
            next.record(),
            previous.record,
            "so the lock file is written"
        );
    }

    #[test]
    fn a_listed_zone_that_differs_from_the_recorded_one_is_refused_where_it_stands() {
        let first = net(&doc("ap-northeast-1", "2", TIERS), None).unwrap();
        let previous = locked(&first);
        let d = doc(
            "ap-northeast-1",
            "[ap-northeast-1a, ap-northeast-1b]",
            TIERS,
        );
        let errors = net(&d, Some(&previous)).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let e = &errors[0];
        assert_eq!(e.field.as_deref(), Some("network.azs[1]"));
        assert_eq!((e.location.line, e.location.column), (7, 26), "{e}");
        assert!(
            e.message.contains(
                "AZ `b` is zone ap-northeast-1b, but t.lock.yaml records it as ap-northeast-1c"
            ),
            "{e}"
        );
        assert!(
            e.help.as_deref().unwrap().contains("list ap-northeast-1c"),
            "{e}"
        );
        // Listed names are labelled by their letter: ap-northeast-1c is label `c`, a new AZ, and
        // `b` (which held that zone) is retired.
        let by_name = doc(
            "ap-northeast-1",
            "[ap-northeast-1a, ap-northeast-1c]",
            TIERS,
        );
        let next = net(&by_name, Some(&previous)).unwrap();
        assert_eq!(next.azs[1].label, "c");
        assert!(next.retired.iter().all(|r| r.az == "b"));
    }

    #[test]
    fn az_ids_are_labelled_by_their_number_and_recorded() {
        let p = net(&doc("us-east-1", "[use1-az4, use1-az1]", TIERS), None).unwrap();
        assert_eq!(
            zones(&p),
            pairs(&[("az4", "use1-az4"), ("az1", "use1-az1")])
        );
        assert_eq!(p.azs[0].zone, Zone::Id("use1-az4".into()));
        let again = net(
            &doc("us-east-1", "[use1-az4, use1-az1]", TIERS),
            Some(&locked(&p)),
        )
        .unwrap();
        assert_eq!(again.record(), p.record());
    }

    #[test]
    fn a_freed_range_is_retired_not_reused_until_reclaimed() {
        let two = "[us-east-1a, us-east-1b]";
        let first = net(&doc("us-east-1", two, TIERS), None).unwrap();
        let moved = doc("us-east-1", "[us-east-1b, us-east-1d]", TIERS);
        let second = net(&moved, Some(&locked(&first))).unwrap();
        for tier in ["public", "app"] {
            let (was, now) = (cidrs(&first, tier), cidrs(&second, tier));
            assert_eq!(now["b"], was["b"], "{tier}-b stays");
            assert_ne!(
                now["d"], was["a"],
                "{tier}-d must not take the range {tier}-a frees"
            );
            assert!(second.retired.contains(&Retired {
                tier: tier.into(),
                az: "a".into(),
                cidr: was["a"]
            }));
        }
        assert_eq!(second.retired.len(), 2);
        assert!(
            plan(&moved, Some(&locked(&first)))
                .unwrap()
                .report()
                .contains("Retired (not reused until `--reclaim`): public-a ")
        );

        // The tombstones survive the next plans; a third zone still does not get them.
        let mut previous = locked(&second);
        assert_eq!(previous.record.allocation.retired, second.retired);
        let three = doc("us-east-1", "[us-east-1b, us-east-1d, us-east-1e]", TIERS);
        let third = net(&three, Some(&previous)).unwrap();
        assert_eq!(third.retired, second.retired);
        assert_ne!(cidrs(&third, "public")["e"], cidrs(&first, "public")["a"]);

        // Reclaimed, the range is free again: the new zone takes the first free slot, a's.
        assert_eq!(previous.reclaim().len(), 2);
        let reclaimed = net(&three, Some(&previous)).unwrap();
        assert!(reclaimed.retired.is_empty());
        assert_eq!(
            cidrs(&reclaimed, "public")["e"],
            cidrs(&first, "public")["a"]
        );
    }

    #[test]
    fn a_removed_tier_leaves_its_subnets_retired() {
        let first = net(&doc("us-east-1", "2", TIERS), None).unwrap();
        let only_app =
            "    app: { size: /22, internet: none }\n    web: { size: /24, internet: none }\n";
        let next = net(&doc("us-east-1", "2", only_app), Some(&locked(&first))).unwrap();
        let gone = cidrs(&first, "public");
        assert_eq!(
            next.retired.iter().map(|r| r.cidr).collect::<Vec<_>>(),
            gone.values().copied().collect::<Vec<_>>()
        );
        for cidr in cidrs(&next, "web").values() {
            assert!(
                gone.values()
                    .all(|g| !g.contains(cidr) && !cidr.contains(g))
            );
        }
    }

    const RENAMED: &str = "    public: { size: /24, internet: inbound }\n    data: { size: /22, internet: none, renamed_from: app }\n";

    #[test]
    fn a_renamed_tier_keeps_its_subnets_and_logical_ids() {
        let first = net(&doc("us-east-1", "2", TIERS), None).unwrap();
        let renamed = net(&doc("us-east-1", "2", RENAMED), Some(&locked(&first))).unwrap();
        assert_eq!(cidrs(&renamed, "data"), cidrs(&first, "app"));
        assert_eq!(
            renamed.allocation.tiers["data"].block,
            first.allocation.tiers["app"].block
        );
        let data = &renamed.tiers[1];
        assert_eq!(
            (data.logical_id.as_str(), data.renamed_from.as_deref()),
            ("App", Some("app"))
        );
        assert!(renamed.retired.is_empty(), "nothing is retired by a rename");
        let record = renamed.record();
        assert_eq!(record.ids["data"], "App");
        assert!(!record.allocation.tiers.contains_key("app"));

        // The next run finds the rename done, still says `renamed_from`, and changes nothing.
        let again = net(&doc("us-east-1", "2", RENAMED), Some(&locked(&renamed))).unwrap();
        assert_eq!(again.record(), record);
        assert_eq!(again.tiers[1].logical_id, "App");
        // Without `renamed_from` the stem stays too: it is recorded.
        let plain = RENAMED.replace(", renamed_from: app", "");
        let later = net(&doc("us-east-1", "2", &plain), Some(&locked(&renamed))).unwrap();
        assert_eq!(later.tiers[1].logical_id, "App");
    }

    #[test]
    fn rename_errors_are_located_with_help() {
        let first = net(&doc("us-east-1", "2", TIERS), None).unwrap();
        let previous = locked(&first);
        let unknown = RENAMED.replace("renamed_from: app", "renamed_from: apps");
        let e = &net(&doc("us-east-1", "2", &unknown), Some(&previous)).unwrap_err()[0];
        assert_eq!(e.field.as_deref(), Some("network.tiers.data.renamed_from"));
        assert_eq!(e.location.line, 10, "{e}");
        assert!(
            e.message.contains("t.lock.yaml records no tier `apps`"),
            "{e}"
        );
        assert!(
            e.help.as_deref().unwrap().contains("(`public`, `app`)"),
            "{e}"
        );
        let e = &net(&doc("us-east-1", "2", RENAMED), None).unwrap_err()[0];
        assert!(
            e.help
                .as_deref()
                .unwrap()
                .starts_with("there is no lock file"),
            "{e}"
        );

        // A new tier that takes the name a renamed tier's logical IDs still carry.
        let renamed = net(&doc("us-east-1", "2", RENAMED), Some(&previous)).unwrap();
        let clash = format!("{RENAMED}    app: {{ size: /24, internet: none }}\n")
            .replace(", renamed_from: app", "");
        let e = &net(&doc("us-east-1", "2", &clash), Some(&locked(&renamed))).unwrap_err()[0];
        assert_eq!(e.field.as_deref(), Some("network.tiers.app"));
        assert!(
            e.message
                .contains("tiers `data` and `app` would both be named `App`"),
            "{e}"
        );
    }

    fn load_error(tiers: &str) -> Diagnostic {
        let text = format!(
            "name: t\ndescription: x\nenvironment: development\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 2\n  tiers:\n{tiers}  nat: none\n"
        );
        load(Source {
            origin: Origin::Catalog("t".into()),
            text,
        })
        .unwrap_err()
        .remove(0)
    }

    #[test]
    fn renaming_from_a_present_tier_or_twice_from_one_is_refused_when_loading() {
        let e = load_error(
            "    app: { size: /24, internet: none }\n    data: { size: /24, internet: none, renamed_from: app }\n",
        );
        assert_eq!(e.field.as_deref(), Some("network.tiers.data.renamed_from"));
        assert!(
            e.message.contains("tier `app` is still in the blueprint"),
            "{e}"
        );
        assert!(e.help.is_some());
        let e = load_error(
            "    data: { size: /24, internet: none, renamed_from: app }\n    db: { size: /24, internet: none, renamed_from: app }\n",
        );
        assert_eq!(e.field.as_deref(), Some("network.tiers.db.renamed_from"));
        assert_eq!(e.location.line, 10, "{e}");
        assert!(
            e.message
                .contains("tiers `data` and `db` are both renamed from `app`"),
            "{e}"
        );
        let e = load_error("    data: { size: /24, internet: none, renamed_from: data }\n");
        assert!(e.message.contains("renamed from itself"), "{e}");
    }
}
