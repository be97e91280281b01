use crate::diagnostics::Severity::Error;
use crate::plan::codes;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Refuses a plan in which a subnet leaves the VPC or two allocations overlap: an error in
    /// every environment, raised by the planner (when a changed VPC CIDR would strand a subnet
    /// recorded in the lock file, or a hand-edited lock file records overlapping subnets) and
    /// checked again on every finished plan. It cannot be suppressed: such a network cannot be
    /// deployed.
    ///
    /// ## Why is this bad?
    /// AWS rejects a subnet outside its VPC and two subnets that overlap; and moving a subnet
    /// means CloudFormation or Terraform replaces it, with everything in it.
    ///
    /// ## Example
    /// ```yaml
    /// # core.lock.yaml records subnets of 10.30.0.0/16
    /// network:
    ///   cidr: 10.31.0.0/16
    /// ```
    ///
    /// Use instead: keep a VPC CIDR that holds every recorded subnet, or delete the lock file to
    /// re-plan every subnet (all are replaced).
    ///
    /// ## References
    /// - Amazon VPC: "the CIDR block of a subnet must be a subset of the VPC CIDR block" and
    ///   subnets of a VPC cannot overlap
    /// - cfn-lint, checkov, cdk-nag: no equivalent (they see one template, not the address plan)
    pub static SUBNETS_OUTSIDE_VPC_OR_OVERLAPPING = {
        id: codes::OUTSIDE_VPC_OR_OVERLAPPING,
        name: "subnets-outside-vpc-or-overlapping",
        summary: "a subnet leaves the VPC, or two subnets overlap",
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
    let subnets: Vec<(&str, &str, ipnet::Ipv4Net)> = plan
        .tiers
        .iter()
        .flat_map(|t| {
            t.subnets
                .iter()
                .map(move |s| (t.name.as_str(), plan.azs[s.az].label.as_str(), s.cidr))
        })
        .collect();
    for (i, (tier, az, cidr)) in subnets.iter().enumerate() {
        if !plan.vpc.contains(cidr) {
            findings.push(Finding {
                field: format!("network.tiers.{tier}"),
                message: format!(
                    "subnet {tier}-{az} ({cidr}) lies outside the VPC {}",
                    plan.vpc
                ),
                help: "keep a VPC CIDR that holds every subnet".into(),
            });
        }
        for (other_tier, other_az, other) in &subnets[i + 1..] {
            if cidr.contains(other) || other.contains(cidr) {
                findings.push(Finding {
                    field: format!("network.tiers.{tier}"),
                    message: format!("subnets {tier}-{az} ({cidr}) and {other_tier}-{other_az} ({other}) overlap"),
                    help: "restore the lock file from version control, or delete it to re-plan every subnet".into(),
                });
            }
        }
    }
}
