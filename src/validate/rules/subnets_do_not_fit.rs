use crate::diagnostics::Severity::Error;
use crate::plan::codes;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Refuses a network whose subnets do not fit its VPC: an error in every environment, raised
    /// by the planner with the space the tiers need and the smallest VPC that would hold them, and
    /// checked again on every finished plan (every tier has a subnet in every AZ). It cannot be
    /// suppressed.
    ///
    /// ## Why is this bad?
    /// There is no address plan to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   cidr: 10.0.0.0/20
    ///   azs: 3
    ///   tiers:
    ///     private: { size: /20, internet: outbound }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   cidr: 10.0.0.0/18
    /// ```
    ///
    /// ## References
    /// - Amazon VPC: subnet sizing, /16 to /28, 5 addresses reserved per subnet
    /// - cfn-lint, checkov, cdk-nag: no equivalent
    pub static SUBNETS_DO_NOT_FIT = {
        id: codes::SUBNETS_DO_NOT_FIT,
        name: "subnets-do-not-fit",
        summary: "the subnets do not fit in the VPC",
        component: Component::Network,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    for tier in &net.tiers {
        if tier.subnets.len() != net.azs.len() {
            findings.push(Finding {
                field: format!("network.tiers.{}", tier.name),
                message: format!(
                    "tier `{}` has {} subnets for {} AZs",
                    tier.name,
                    tier.subnets.len(),
                    net.azs.len()
                ),
                help: "give the VPC more room; `cloudwright plan` shows the free space".into(),
            });
        }
    }
}
