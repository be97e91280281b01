//! The address allocator behind the CIDR planner.
//!
//! # Layout strategy
//!
//! Each tier gets one contiguous, aligned **tier block**, and its subnets are the block's slots in
//! AZ order: with three AZs and a `/20` tier, the tier block is a `/18` holding four `/20` slots,
//! so the whole tier is summarised by a single CIDR (for NACLs, routes and security-group rules)
//! and one slot is left for a fourth AZ. The allocator tries three levels, in order, and keeps the
//! first that fits:
//!
//! 1. **Roomy**: every new tier block has room for at least one more AZ
//!    (`next_power_of_two(azs + 1)` slots).
//! 2. **Tight**: every new tier block holds exactly the AZs asked for, rounded up to a power of two.
//! 3. **Loose**: subnets are placed one by one; tiers are no longer summarised by one CIDR.
//!
//! At every level, blocks are allocated **largest first** and each goes into the **smallest free
//! aligned block** that holds it (lowest address on a tie). Because every size is a power of two
//! and every block is aligned, placing in decreasing size order never strands space that a later,
//! smaller block could have used: if a set of subnets can be placed at all, the loose level places
//! it.
//!
//! # Stability
//!
//! A previous allocation (the lock file) is honoured first: every recorded subnet whose tier and AZ
//! are still asked for keeps its exact CIDR, and every recorded tier block stays reserved for its
//! tier. Only what is new takes free space: a new AZ takes the next free slot of its tier's block
//! (or, when the block is full, free space elsewhere), a new tier gets a new block. A subnet that is
//! no longer asked for moves nothing else, and its space is **retired**, not freed: see below.
//! When keeping a recorded subnet is
//! impossible (its tier changed size, it left the VPC, it now overlaps a reserved range), the
//! allocator refuses and names every subnet that would move.
//!
//! # Retired ranges
//!
//! A recorded subnet that is no longer asked for (its AZ or its whole tier left the blueprint)
//! leaves a tombstone, [`Retired`], in the allocation, and every tombstone of the previous
//! allocation is carried over. Tombstones are occupied space: no new subnet, slot or block ever
//! takes a retired range. CloudFormation creates a stack's new resources before it deletes the old
//! ones, so a new subnet on the CIDR an old one is about to give up would overlap it and fail the
//! update. The user drops tombstones explicitly (`--reclaim`) once the old subnets are gone; the
//! allocator itself never does.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use indexmap::IndexMap;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

/// What to allocate: a VPC, ranges to leave alone, AZ labels and tiers with their subnet sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub vpc: Ipv4Net,
    pub reserved: Vec<Ipv4Net>,
    /// AZ labels (`a`, `b`, `c`), in order; every tier gets one subnet per label.
    pub azs: Vec<String>,
    pub tiers: Vec<TierRequest>,
}

/// One tier: a name and the prefix length of each of its subnets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRequest {
    pub name: String,
    pub prefix: u8,
}

/// Where everything went. This is what the lock file records of the address space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub vpc: Ipv4Net,
    pub tiers: IndexMap<String, TierAllocation>,
    /// Ranges of subnets that are gone from the blueprint but maybe not yet from AWS: never
    /// allocated again until reclaimed.
    pub retired: Vec<Retired>,
}

/// A tombstone: the CIDR of a subnet that was recorded and is no longer asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retired {
    /// The tier it belonged to, by the name it had then.
    pub tier: String,
    /// Its AZ label.
    pub az: String,
    pub cidr: Ipv4Net,
}

/// One tier's block (absent when its subnets had to be placed one by one) and subnets by AZ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierAllocation {
    pub prefix: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<Ipv4Net>,
    pub subnets: IndexMap<String, Ipv4Net>,
}

impl TierAllocation {
    /// How many subnets of the tier's size the block holds.
    pub fn slots(&self) -> u64 {
        self.block
            .map_or(0, |b| 1u64 << (self.prefix.saturating_sub(b.prefix_len())))
    }
}

/// Why a recorded subnet cannot stay where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveReason {
    SizeChanged { from: u8, to: u8 },
    OutsideVpc,
    Reserved(Ipv4Net),
}

/// A recorded subnet that would have to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub tier: String,
    pub az: String,
    pub cidr: Ipv4Net,
    pub reason: MoveReason,
}

/// Why no allocation was produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    /// Keeping the recorded allocation is impossible; these subnets would move.
    WouldMove(Vec<Move>),
    /// The recorded allocation contradicts itself (edited by hand): two entries overlap.
    Conflict { first: Ipv4Net, second: Ipv4Net },
    /// The subnets do not fit in the VPC.
    DoesNotFit {
        /// Count of subnets per prefix length, in tier order, for the message.
        demand: Vec<(usize, u8)>,
        /// The smallest VPC prefix (same network address) that would hold a fresh plan.
        smallest_vpc: Option<u8>,
        /// Whether a fresh plan (ignoring the lock file) would fit the current VPC.
        fits_without_lock: bool,
        /// Whether it would fit, keeping every recorded subnet, once the retired ranges are
        /// reclaimed.
        fits_if_reclaimed: bool,
    },
}

/// The free part of an address space, as disjoint aligned blocks.
#[derive(Debug, Clone, Default)]
pub struct FreeSpace {
    blocks: Vec<Ipv4Net>,
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b) || b.contains(&a)
}

fn halves(net: Ipv4Net) -> (Ipv4Net, Ipv4Net) {
    let p = net.prefix_len() + 1;
    let lo = Ipv4Net::new(net.network(), p).unwrap_or(net);
    let size = 1u64 << (32 - u32::from(p));
    let hi_start = (u64::from(u32::from(net.network())) + size) as u32;
    let hi = Ipv4Net::new(Ipv4Addr::from(hi_start), p).unwrap_or(net);
    (lo, hi)
}

/// `block` without `hole` (which it contains), as the aligned blocks left around it.
fn carve(block: Ipv4Net, hole: Ipv4Net, out: &mut Vec<Ipv4Net>) {
    let mut current = block;
    while current.prefix_len() < hole.prefix_len() {
        let (lo, hi) = halves(current);
        if lo.contains(&hole) {
            out.push(hi);
            current = lo;
        } else {
            out.push(lo);
            current = hi;
        }
    }
}

/// The `index`-th network of `prefix` bits inside `block`.
fn slot(block: Ipv4Net, prefix: u8, index: u64) -> Ipv4Net {
    let start = u64::from(u32::from(block.network())) + (index << (32 - u32::from(prefix)));
    Ipv4Net::new(Ipv4Addr::from(start as u32), prefix).unwrap_or(block)
}

/// Addresses in a network of this prefix length.
pub fn addresses(prefix: u8) -> u64 {
    1u64 << (32 - u32::from(prefix))
}

impl FreeSpace {
    /// The whole of `space` minus the `reserved` ranges.
    pub fn new(space: Ipv4Net, reserved: &[Ipv4Net]) -> Self {
        let mut free = FreeSpace {
            blocks: vec![space],
        };
        for r in reserved {
            free.remove(*r);
        }
        free
    }

    /// Whether every address of `net` is free.
    pub fn contains(&self, net: Ipv4Net) -> bool {
        self.blocks.iter().any(|b| b.contains(&net))
    }

    /// Marks every address of `net` as used.
    pub fn remove(&mut self, net: Ipv4Net) {
        let mut kept = Vec::with_capacity(self.blocks.len() + 8);
        for b in self.blocks.drain(..) {
            if !overlaps(b, net) {
                kept.push(b);
            } else if b.contains(&net) && b != net {
                carve(b, net, &mut kept);
            }
        }
        self.blocks = kept;
    }

    /// Takes a block of `prefix` bits: from the smallest free block that holds it, lowest address
    /// first.
    pub fn take(&mut self, prefix: u8) -> Option<Ipv4Net> {
        let (i, block) = self
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.prefix_len() <= prefix)
            .max_by(|(_, a), (_, b)| {
                a.prefix_len()
                    .cmp(&b.prefix_len())
                    .then(b.network().cmp(&a.network()))
            })
            .map(|(i, b)| (i, *b))?;
        self.blocks.swap_remove(i);
        let taken = Ipv4Net::new(block.network(), prefix).ok()?;
        carve(block, taken, &mut self.blocks);
        Some(taken)
    }

    /// Free addresses in all.
    pub fn total(&self) -> u64 {
        self.blocks.iter().map(|b| addresses(b.prefix_len())).sum()
    }

    /// How many more networks of `prefix` bits fit.
    pub fn fits(&self, prefix: u8) -> u64 {
        self.blocks
            .iter()
            .filter(|b| b.prefix_len() <= prefix)
            .map(|b| 1u64 << (prefix - b.prefix_len()))
            .sum()
    }

    /// The free space as the fewest CIDR blocks, by address.
    pub fn summary(&self) -> Vec<Ipv4Net> {
        Ipv4Net::aggregate(&self.blocks)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Level {
    Roomy,
    Tight,
    Loose,
}

/// What still needs space once the recorded allocation is in place.
enum Want {
    Block { tier: usize, slots: u64 },
    Single { tier: usize, az: usize },
}

/// The state of the allocation being built, one entry per requested tier.
#[derive(Clone)]
struct Draft {
    prefix: u8,
    block: Option<Ipv4Net>,
    subnets: Vec<Option<Ipv4Net>>,
    recorded: bool,
}

/// Allocates `request`, honouring `previous` (the lock file) when given.
pub fn allocate(
    request: &Request,
    previous: Option<&Allocation>,
) -> Result<Allocation, AllocError> {
    // Both the previous tombstones and the subnets this allocation retires are off-limits: the
    // latter most of all, as they still exist when the new subnets are created.
    let tombstones = retire(request, previous);
    let retired: Vec<Ipv4Net> = tombstones.iter().map(|r| r.cidr).collect();
    let (drafts, free) = place_recorded(request, previous, &retired)?;
    for level in [Level::Roomy, Level::Tight, Level::Loose] {
        if let Some(mut done) = place_new(request, &drafts, &free, &retired, level) {
            done.retired = tombstones;
            return Ok(done);
        }
    }
    Err(does_not_fit(request, previous))
}

/// The tombstones of the next allocation: the previous ones, then every recorded subnet whose tier
/// or AZ is no longer asked for.
fn retire(request: &Request, previous: Option<&Allocation>) -> Vec<Retired> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let mut retired = previous.retired.clone();
    for (name, tier) in &previous.tiers {
        let wanted = request.tiers.iter().any(|t| &t.name == name);
        for (az, cidr) in &tier.subnets {
            if (!wanted || !request.azs.contains(az)) && !retired.iter().any(|r| r.cidr == *cidr) {
                retired.push(Retired {
                    tier: name.clone(),
                    az: az.clone(),
                    cidr: *cidr,
                });
            }
        }
    }
    retired
}

/// Keeps everything the previous allocation recorded that is still asked for.
fn place_recorded(
    request: &Request,
    previous: Option<&Allocation>,
    retired: &[Ipv4Net],
) -> Result<(Vec<Draft>, FreeSpace), AllocError> {
    let mut free = FreeSpace::new(request.vpc, &request.reserved);
    let mut moves = Vec::new();
    let mut drafts = Vec::with_capacity(request.tiers.len());
    for tier in &request.tiers {
        let mut draft = Draft {
            prefix: tier.prefix,
            block: None,
            subnets: vec![None; request.azs.len()],
            recorded: false,
        };
        if let Some(recorded) = previous.and_then(|p| p.tiers.get(&tier.name)) {
            let stay = |net: Ipv4Net| -> Result<(), MoveReason> {
                if !request.vpc.contains(&net) {
                    return Err(MoveReason::OutsideVpc);
                }
                match request.reserved.iter().find(|r| overlaps(**r, net)) {
                    Some(r) => Err(MoveReason::Reserved(*r)),
                    None => Ok(()),
                }
            };
            draft.recorded = recorded.prefix == tier.prefix;
            for (i, az) in request.azs.iter().enumerate() {
                let Some(cidr) = recorded.subnets.get(az).copied() else {
                    continue;
                };
                let reason =
                    if recorded.prefix != tier.prefix || cidr.prefix_len() != recorded.prefix {
                        Err(MoveReason::SizeChanged {
                            from: cidr.prefix_len(),
                            to: tier.prefix,
                        })
                    } else {
                        stay(cidr)
                    };
                match reason {
                    Ok(()) => draft.subnets[i] = Some(cidr),
                    Err(reason) => moves.push(Move {
                        tier: tier.name.clone(),
                        az: az.clone(),
                        cidr,
                        reason,
                    }),
                }
            }
            if recorded.prefix == tier.prefix {
                draft.block = recorded
                    .block
                    .filter(|b| b.prefix_len() <= tier.prefix && stay(*b).is_ok());
            }
        }
        drafts.push(draft);
    }
    if !moves.is_empty() {
        return Err(AllocError::WouldMove(moves));
    }
    let mut taken: Vec<Ipv4Net> = Vec::new();
    let mut claim = |net: Ipv4Net, free: &mut FreeSpace| -> Result<(), AllocError> {
        if !free.contains(net) {
            let second = taken
                .iter()
                .copied()
                .find(|t| overlaps(*t, net))
                .unwrap_or(net);
            return Err(AllocError::Conflict { first: net, second });
        }
        free.remove(net);
        taken.push(net);
        Ok(())
    };
    for draft in &mut drafts {
        if let Some(block) = draft.block {
            // A block that lost one of its own subnets to an overlap is kept only if it is whole.
            if free.contains(block) {
                claim(block, &mut free)?;
            } else {
                draft.block = None;
            }
        }
        // Subnets inside the tier's block are covered by its claim; they must still be distinct
        // (all have the tier's size, so two that overlap are equal).
        let mut in_block = BTreeSet::new();
        for cidr in draft.subnets.iter().flatten() {
            if !draft.block.is_some_and(|b| b.contains(cidr)) {
                claim(*cidr, &mut free)?;
            } else if !in_block.insert(*cidr) {
                return Err(AllocError::Conflict {
                    first: *cidr,
                    second: *cidr,
                });
            }
        }
    }
    // Retired ranges are occupied. Those inside a recorded tier block are already out of the free
    // space; `place_new` skips them when it hands out the block's slots.
    for r in retired {
        free.remove(*r);
    }
    Ok((drafts, free))
}

/// Gives space to everything new, at one level of the layout strategy; `None` if it does not fit.
fn place_new(
    request: &Request,
    drafts: &[Draft],
    free: &FreeSpace,
    retired: &[Ipv4Net],
    level: Level,
) -> Option<Allocation> {
    let mut free = free.clone();
    let mut drafts = drafts.to_vec();
    let azs = request.azs.len() as u64;
    let mut wants = Vec::new();
    for (t, draft) in drafts.iter_mut().enumerate() {
        if draft.recorded {
            // New AZs of a recorded tier take free slots of its block first.
            let mut used: BTreeSet<Ipv4Net> = draft.subnets.iter().flatten().copied().collect();
            let mut overflow = false;
            for az in 0..draft.subnets.len() {
                if draft.subnets[az].is_some() {
                    continue;
                }
                let free_slot = draft.block.and_then(|b| {
                    let slots = 1u64 << (draft.prefix - b.prefix_len());
                    (0..slots)
                        .map(|i| slot(b, draft.prefix, i))
                        .find(|s| !used.contains(s) && !retired.iter().any(|r| overlaps(*r, *s)))
                });
                match free_slot {
                    Some(s) => {
                        used.insert(s);
                        draft.subnets[az] = Some(s);
                    }
                    None => {
                        overflow = true;
                        wants.push(Want::Single { tier: t, az });
                    }
                }
            }
            // Overflow means the block is full of the tier's own subnets: it no longer summarises
            // the tier, which is placed subnet by subnet from now on.
            if overflow {
                draft.block = None;
            }
        } else if azs > 0 {
            match level {
                Level::Roomy => wants.push(Want::Block {
                    tier: t,
                    slots: (azs + 1).next_power_of_two(),
                }),
                Level::Tight => wants.push(Want::Block {
                    tier: t,
                    slots: azs.next_power_of_two(),
                }),
                Level::Loose => {
                    wants.extend((0..request.azs.len()).map(|az| Want::Single { tier: t, az }))
                }
            }
        }
    }
    let want_prefix = |w: &Want| -> Option<u8> {
        match w {
            Want::Block { tier, slots } => drafts[*tier]
                .prefix
                .checked_sub(slots.trailing_zeros() as u8),
            Want::Single { tier, .. } => Some(drafts[*tier].prefix),
        }
    };
    let mut sized: Vec<(u8, Want)> = Vec::with_capacity(wants.len());
    for w in wants {
        sized.push((want_prefix(&w)?, w));
    }
    sized.sort_by_key(|(p, _)| *p);
    for (prefix, want) in sized {
        let net = free.take(prefix)?;
        match want {
            Want::Block { tier, .. } => {
                let draft = &mut drafts[tier];
                draft.block = Some(net);
                for (i, s) in draft.subnets.iter_mut().enumerate() {
                    *s = Some(slot(net, draft.prefix, i as u64));
                }
            }
            Want::Single { tier, az } => drafts[tier].subnets[az] = Some(net),
        }
    }
    let mut tiers = IndexMap::with_capacity(request.tiers.len());
    for (tier, draft) in request.tiers.iter().zip(drafts) {
        let subnets = request
            .azs
            .iter()
            .zip(draft.subnets)
            .map(|(az, s)| s.map(|s| (az.clone(), s)))
            .collect::<Option<IndexMap<_, _>>>()?;
        tiers.insert(
            tier.name.clone(),
            TierAllocation {
                prefix: draft.prefix,
                block: draft.block,
                subnets,
            },
        );
    }
    Some(Allocation {
        vpc: request.vpc,
        tiers,
        retired: Vec::new(),
    })
}

fn does_not_fit(request: &Request, previous: Option<&Allocation>) -> AllocError {
    let demand = request
        .tiers
        .iter()
        .map(|t| (request.azs.len(), t.prefix))
        .collect();
    let fits = |vpc: Ipv4Net| {
        let fresh = Request {
            vpc,
            ..request.clone()
        };
        place_recorded(&fresh, None, &[])
            .ok()
            .and_then(|(drafts, free)| place_new(&fresh, &drafts, &free, &[], Level::Loose))
            .is_some()
    };
    let smallest_vpc = (super::MIN_VPC_PREFIX..request.vpc.prefix_len())
        .rev()
        .find(|p| Ipv4Net::new(request.vpc.network(), *p).is_ok_and(|v| fits(v.trunc())));
    AllocError::DoesNotFit {
        demand,
        smallest_vpc,
        fits_without_lock: previous.is_some() && fits(request.vpc),
        fits_if_reclaimed: previous.is_some_and(|p| {
            !p.retired.is_empty() && {
                let reclaimed = Allocation {
                    retired: Vec::new(),
                    ..p.clone()
                };
                allocate(request, Some(&reclaimed)).is_ok()
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    fn request(vpc: &str, azs: usize, tiers: &[(&str, u8)]) -> Request {
        Request {
            vpc: net(vpc),
            reserved: vec![],
            azs: (0..azs).map(crate::naming::az_letter).collect(),
            tiers: tiers
                .iter()
                .map(|(n, p)| TierRequest {
                    name: n.to_string(),
                    prefix: *p,
                })
                .collect(),
        }
    }

    #[test]
    fn tiers_get_roomy_aligned_blocks_largest_first() {
        let a = allocate(
            &request("10.0.0.0/16", 3, &[("public", 24), ("private", 20)]),
            None,
        )
        .unwrap();
        assert_eq!(a.tiers["private"].block, Some(net("10.0.0.0/18")));
        assert_eq!(a.tiers["private"].subnets["c"], net("10.0.32.0/20"));
        assert_eq!(a.tiers["public"].block, Some(net("10.0.64.0/22")));
        assert_eq!(a.tiers["public"].subnets["a"], net("10.0.64.0/24"));
    }

    #[test]
    fn falls_back_to_loose_placement_when_blocks_do_not_fit() {
        // 3 × /18 fit a /16 only one by one: a block of four /18 would be the whole /16 and a
        // reserved /18 is in the way.
        let mut r = request("10.0.0.0/16", 3, &[("big", 18)]);
        r.reserved = vec![net("10.0.64.0/18")];
        let a = allocate(&r, None).unwrap();
        assert_eq!(a.tiers["big"].block, None);
        let subnets: Vec<_> = a.tiers["big"].subnets.values().copied().collect();
        assert_eq!(
            subnets,
            vec![
                net("10.0.0.0/18"),
                net("10.0.128.0/18"),
                net("10.0.192.0/18")
            ]
        );
    }

    #[test]
    fn reports_the_smallest_vpc_that_fits() {
        let r = request(
            "10.0.0.0/20",
            3,
            &[("private", 20), ("public", 24), ("db", 24)],
        );
        match allocate(&r, None) {
            Err(AllocError::DoesNotFit { smallest_vpc, .. }) => assert_eq!(smallest_vpc, Some(18)),
            other => panic!("expected DoesNotFit, got {other:?}"),
        }
    }

    #[test]
    fn a_new_az_takes_the_free_slot_and_nothing_moves() {
        let before = allocate(
            &request("10.0.0.0/16", 3, &[("public", 24), ("private", 20)]),
            None,
        )
        .unwrap();
        let after = allocate(
            &request("10.0.0.0/16", 4, &[("public", 24), ("private", 20)]),
            Some(&before),
        )
        .unwrap();
        for (name, tier) in &before.tiers {
            for (az, cidr) in &tier.subnets {
                assert_eq!(after.tiers[name].subnets[az], *cidr);
            }
        }
        assert_eq!(after.tiers["private"].subnets["d"], net("10.0.48.0/20"));
    }

    #[test]
    fn a_changed_tier_size_names_the_subnets_that_would_move() {
        let before = allocate(&request("10.0.0.0/16", 2, &[("public", 24)]), None).unwrap();
        match allocate(&request("10.0.0.0/16", 2, &[("public", 23)]), Some(&before)) {
            Err(AllocError::WouldMove(moves)) => {
                assert_eq!(moves.len(), 2);
                assert_eq!(
                    moves[0].reason,
                    MoveReason::SizeChanged { from: 24, to: 23 }
                );
            }
            other => panic!("expected WouldMove, got {other:?}"),
        }
    }

    #[test]
    fn an_edited_lock_with_one_slot_recorded_twice_is_a_conflict() {
        let mut before = allocate(&request("10.0.0.0/16", 2, &[("a", 24)]), None).unwrap();
        let a0 = before.tiers["a"].subnets["a"];
        before.tiers["a"].subnets.insert("b".into(), a0);
        assert!(matches!(
            allocate(&request("10.0.0.0/16", 2, &[("a", 24)]), Some(&before)),
            Err(AllocError::Conflict { .. })
        ));
    }

    #[test]
    fn an_edited_lock_with_overlapping_subnets_is_a_conflict() {
        let mut before =
            allocate(&request("10.0.0.0/16", 2, &[("a", 24), ("b", 24)]), None).unwrap();
        let a0 = before.tiers["a"].subnets["a"];
        before.tiers["b"].block = None;
        before.tiers["b"].subnets.insert("a".into(), a0);
        assert!(matches!(
            allocate(
                &request("10.0.0.0/16", 2, &[("a", 24), ("b", 24)]),
                Some(&before)
            ),
            Err(AllocError::Conflict { .. })
        ));
    }
}
