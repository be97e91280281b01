//! The plan: the blueprint resolved into everything the renderers need — subnet CIDRs per tier
//! and AZ (from the allocator in [`alloc`], kept stable by the lock file in [`lock`]), the AZs,
//! where NAT gateways go, and the headroom left.

pub mod alloc;
pub mod lock;
mod report;

use std::path::PathBuf;

use ipnet::Ipv4Net;

use crate::blueprint::model::BudgetScope;
use crate::blueprint::source::SourceIndex;
use crate::blueprint::types::{
    Azs, Environment, GatewayEndpoint, InterfaceService, Internet, Nat, Spend, Traffic, Usd,
};
use crate::blueprint::{Document, SubnetSize, region::RegionInfo};
use crate::diagnostics::{Diagnostic, Location};
use crate::naming::az_letter;
use alloc::{AllocError, Allocation, FreeSpace, MoveReason, Request, TierRequest};

/// Rule IDs of the planner's own refusals; each is documented in the validator's registry, whose
/// rules also re-check the finished plan for the same properties.
pub mod codes {
    /// A subnet would leave the VPC, or two allocations overlap.
    pub const OUTSIDE_VPC_OR_OVERLAPPING: &str = "NET005";
    /// A subnet would overlap a reserved range.
    pub const RESERVED_RANGE_OVERLAPPED: &str = "NET006";
    /// The subnets do not fit in the VPC.
    pub const SUBNETS_DO_NOT_FIT: &str = "NET007";
}

/// The smallest prefix length AWS accepts for a VPC.
pub const MIN_VPC_PREFIX: u8 = 16;

/// The most AZ labels the headroom report counts up to.
const MAX_AZ_LABELS: usize = 26;

/// A previous allocation and the lock file it came from.
#[derive(Debug, Clone)]
pub struct Locked {
    pub path: PathBuf,
    pub allocation: Allocation,
    /// Where each entry stands in the lock file's text.
    pub index: SourceIndex,
}

impl Locked {
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
        let pos = self.index.key(path);
        Location {
            file: self.path.display().to_string(),
            line: pos.line,
            column: pos.column,
        }
    }
}

/// An Availability Zone of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Az {
    /// `a`, `b`, `c`: the label in logical IDs, names and the lock file.
    pub label: String,
    /// Position among the region's zones, for `Fn::GetAZs` and the Terraform data source.
    pub index: usize,
    /// The zone's name when the blueprint lists zones explicitly.
    pub name: Option<String>,
}

/// One tier, resolved.
#[derive(Debug, Clone)]
pub struct PlannedTier {
    pub name: String,
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
    /// Each alert's threshold, in per cent of the limit, and the spend it watches.
    pub alerts: Vec<(u16, Spend)>,
    pub emails: Vec<String>,
    pub sns_topics: Vec<String>,
    pub scope: BudgetScope,
}

/// How much more the address space holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// Unused addresses outside every tier block and subnet.
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
    pub region: &'static RegionInfo,
    pub tags: Vec<(String, String)>,
    pub vpc: Ipv4Net,
    pub azs: Vec<Az>,
    pub tiers: Vec<PlannedTier>,
    pub reserved: Vec<Ipv4Net>,
    pub nat: Nat,
    /// AZs (indexes into `azs`) that get a NAT gateway.
    pub nat_azs: Vec<usize>,
    pub endpoints: Vec<GatewayEndpoint>,
    /// Interface endpoints: the tier whose subnets hold their interfaces, and the services.
    pub interface_endpoints: Option<(String, Vec<InterfaceService>)>,
    pub flow_logs: Option<FlowLogPlan>,
    pub budget: Option<BudgetPlan>,
    pub allocation: Allocation,
    pub headroom: Headroom,
}

impl Plan {
    /// The tier NAT gateways stand in: the first with `internet: inbound`.
    pub fn nat_tier(&self) -> Option<&PlannedTier> {
        if self.nat_azs.is_empty() {
            return None;
        }
        self.tiers.iter().find(|t| t.internet == Internet::Inbound)
    }

    /// The plan as the text table `cloudwright plan` prints.
    pub fn report(&self) -> String {
        report::render(self)
    }
}

/// Plans the blueprint's network, keeping every subnet `previous` records where it is.
pub fn plan(doc: &Document, previous: Option<&Locked>) -> Result<Plan, Vec<Diagnostic>> {
    let bp = &doc.blueprint;
    let net = &bp.network;
    let azs: Vec<Az> = match &net.azs {
        Azs::Count(n) => (0..usize::from(*n))
            .map(|i| Az {
                label: az_letter(i),
                index: i,
                name: None,
            })
            .collect(),
        Azs::Names(names) => names
            .iter()
            .enumerate()
            .map(|(i, name)| Az {
                label: name[bp.region.name().len()..].to_string(),
                index: i,
                name: Some(name.clone()),
            })
            .collect(),
    };
    let reserved: Vec<Ipv4Net> = net.reserved.iter().map(|c| c.0).collect();
    let request = Request {
        vpc: net.cidr.0,
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
    let allocation = alloc::allocate(&request, previous.map(|l| &l.allocation))
        .map_err(|e| diagnostics(doc, previous, &request, e))?;

    let tiers: Vec<PlannedTier> = net
        .tiers
        .iter()
        .zip(allocation.tiers.values())
        .map(|((name, tier), a)| PlannedTier {
            name: name.to_string(),
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
    Ok(Plan {
        name: bp.name.to_string(),
        description: bp.description.to_string(),
        environment: bp.environment,
        region: bp.region.info(),
        tags: bp
            .tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        vpc: net.cidr.0,
        azs,
        tiers,
        reserved,
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
        budget: bp.budget.as_ref().map(|b| BudgetPlan {
            limit: b.monthly_usd,
            alerts: b.alerts.iter().map(|a| (a.percent.0, a.of)).collect(),
            emails: b.emails.iter().map(ToString::to_string).collect(),
            sns_topics: b.sns_topics.iter().map(ToString::to_string).collect(),
            scope: b.scope,
        }),
        allocation,
        headroom,
    })
}

fn headroom(request: &Request, allocation: &Allocation) -> Headroom {
    let mut free = FreeSpace::new(request.vpc, &request.reserved);
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
                let in_block = t.slots().saturating_sub(
                    t.subnets
                        .values()
                        .filter(|s| t.block.is_some_and(|b| b.contains(*s)))
                        .count() as u64,
                );
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
    let lock_name = previous.map_or_else(
        || "the lock file".to_string(),
        |l| l.path.display().to_string(),
    );
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
            let help = if fits_without_lock {
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
