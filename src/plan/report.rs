//! The text `cloudwright plan` prints: every subnet, the reserved ranges, free space, headroom.

use std::fmt::Write as _;

use super::{NetworkPlan, Plan, thousands};
use crate::blueprint::types::{Internet, Nat, usable_addresses};

pub(super) fn render(bp: &Plan, plan: &NetworkPlan) -> String {
    let mut out = String::new();
    let az_list: Vec<String> = plan
        .azs
        .iter()
        .map(|az| format!("{} {}", az.label, az.zone))
        .collect();
    let _ = writeln!(out, "Address plan for {} in {}", bp.name, bp.region.name);
    let _ = writeln!(
        out,
        "VPC {} ({} addresses), {} AZs: {}",
        plan.vpc,
        thousands(super::alloc::addresses(plan.vpc.prefix_len())),
        plan.azs.len(),
        az_list.join(", ")
    );
    let _ = writeln!(out);

    let rows: Vec<[String; 5]> = plan
        .tiers
        .iter()
        .flat_map(|tier| {
            tier.subnets.iter().map(move |s| {
                let az = &plan.azs[s.az];
                let route = match tier.internet {
                    Internet::Inbound => "internet gateway".to_string(),
                    Internet::None => "none (isolated)".to_string(),
                    Internet::Outbound => match plan.nat {
                        Nat::PerAz => format!("NAT gateway {}", az.label),
                        Nat::Single => format!("NAT gateway {}", plan.azs[0].label),
                        Nat::None => "none (no NAT)".to_string(),
                    },
                };
                [
                    tier.name.clone(),
                    az.label.clone(),
                    s.cidr.to_string(),
                    thousands(usable_addresses(tier.prefix)),
                    route,
                ]
            })
        })
        .collect();
    let header = ["TIER", "AZ", "CIDR", "USABLE", "DEFAULT ROUTE"];
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut l = String::new();
        for (c, cell) in cells.iter().enumerate() {
            if c == 3 {
                let _ = write!(l, "{cell:>w$}  ", w = widths[c]);
            } else if c == 4 {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ", w = widths[c]);
            }
        }
        l
    };
    let _ = writeln!(out, "{}", line(header));
    for r in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "Tier blocks:");
    for tier in &plan.tiers {
        let size = match tier.hosts {
            Some(h) => format!("/{} (hosts: {h})", tier.prefix),
            None => format!("/{}", tier.prefix),
        };
        match tier.block {
            Some(block) => {
                let _ = writeln!(
                    out,
                    "  {:<w$}  {block}  {size} per AZ",
                    tier.name,
                    w = widths[0]
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {:<w$}  no single block (subnets placed one by one)  {size} per AZ",
                    tier.name,
                    w = widths[0]
                );
            }
        }
    }

    let _ = writeln!(out);
    if plan.reserved.is_empty() {
        let _ = writeln!(out, "Reserved: none");
    } else {
        let list: Vec<String> = plan.reserved.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "Reserved: {}", list.join(", "));
    }
    if !plan.retired.is_empty() {
        let list: Vec<String> = plan
            .retired
            .iter()
            .map(|r| format!("{}-{} {}", r.tier, r.az, r.cidr))
            .collect();
        let _ = writeln!(
            out,
            "Retired (not reused until `--reclaim`): {}",
            list.join(", ")
        );
    }
    let h = &plan.headroom;
    let free: Vec<String> = h.free.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "Free: {} addresses{}{}",
        thousands(h.free_addresses),
        if free.is_empty() { "" } else { " in " },
        free.join(", ")
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Headroom:");
    let _ = writeln!(
        out,
        "  more AZs that fit without moving a subnet: {} ({} offers {} in all)",
        h.more_azs, bp.region.name, bp.region.azs
    );
    for (name, in_block, elsewhere) in &h.tiers {
        let prefix = plan
            .tiers
            .iter()
            .find(|t| &t.name == name)
            .map_or(0, |t| t.prefix);
        let _ = writeln!(
            out,
            "  {name:<w$}  {in_block} free slot(s) in its block, {elsewhere} more /{prefix} in free space",
            w = widths[0]
        );
    }
    out
}
