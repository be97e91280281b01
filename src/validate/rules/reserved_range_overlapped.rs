use crate::diagnostics::Severity::Error;
use crate::plan::codes;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Refuses a plan in which a subnet overlaps a range listed under `reserved`: an error in
    /// every environment, raised by the planner (when a range reserved later overlaps a subnet
    /// the lock file records) and checked again on every finished plan. It cannot be suppressed.
    ///
    /// ## Why is this bad?
    /// Reserved ranges belong to something else: a peered VPC, an on-premises network, a future
    /// expansion. A subnet inside one breaks routing to it the day the peering or VPN comes up.
    ///
    /// ## Example
    /// ```yaml
    /// # core.lock.yaml records subnet app-a at 10.30.0.0/22
    /// network:
    ///   reserved: [10.30.0.0/20]
    /// ```
    ///
    /// Use instead: reserve a range the recorded subnets miss (`cloudwright plan` lists the free
    /// space), or delete the tier from the lock file to re-plan it (its subnets are replaced).
    ///
    /// ## References
    /// - Amazon VPC peering: "you cannot create a VPC peering connection between VPCs that have
    ///   matching or overlapping IPv4 CIDR blocks"
    /// - cfn-lint, checkov, cdk-nag: no equivalent
    pub static RESERVED_RANGE_OVERLAPPED = {
        id: codes::RESERVED_RANGE_OVERLAPPED,
        name: "reserved-range-overlapped",
        summary: "a subnet overlaps a reserved range",
        component: Component::Network,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(plan) = &ctx.plan.network else {
        return;
    };
    for tier in &plan.tiers {
        for s in &tier.subnets {
            for (i, r) in plan.reserved.iter().enumerate() {
                if s.cidr.contains(r) || r.contains(&s.cidr) {
                    findings.push(Finding {
                        field: format!("network.reserved[{i}]"),
                        message: format!(
                            "subnet {}-{} ({}) overlaps the reserved range {r}",
                            tier.name, plan.azs[s.az].label, s.cidr
                        ),
                        help: "reserve a range the subnets miss; `cloudwright plan` lists the free space".into(),
                    });
                }
            }
        }
    }
}
