use crate::blueprint::types::{Internet, usable_addresses};
use crate::diagnostics::Severity::Warning;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

/// The smallest subnet an Application or Network Load Balancer can be placed in.
const LOAD_BALANCER_PREFIX: u8 = 27;

declare_rule! {
    /// ## What it does
    /// Flags internet-facing tiers (`internet: inbound`) whose subnets are smaller than a /27: a
    /// warning in every environment.
    ///
    /// ## Why is this bad?
    /// Internet-facing tiers hold load balancers, and an Application Load Balancer needs a /27 or
    /// larger subnet with at least 8 free addresses in each of its AZs to scale. A /28 (11 usable
    /// addresses) holds a NAT gateway but fails the first load balancer that scales out.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /28, internet: inbound }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /27, internet: inbound }
    /// ```
    ///
    /// ## References
    /// - Elastic Load Balancing: "the subnets must have at least a /27 bitmask and at least 8
    ///   free IP addresses"
    /// - cfn-lint, checkov, cdk-nag: no equivalent
    pub static LOAD_BALANCER_TIER_TOO_SMALL = {
        id: "NET003",
        name: "load-balancer-tier-too-small",
        summary: "an internet-facing tier is too small for a load balancer",
        component: Component::Network,
        levels: [Some(Warning), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    let small = net
        .tiers
        .iter()
        .filter(|t| t.internet == Internet::Inbound && t.prefix > LOAD_BALANCER_PREFIX);
    for tier in small {
        findings.push(Finding {
            field: format!("network.tiers.{}", tier.name),
            message: format!(
                "tier `{}` has /{} subnets ({} usable addresses), too small for a load balancer",
                tier.name,
                tier.prefix,
                usable_addresses(tier.prefix)
            ),
            help: format!("use `size: /{LOAD_BALANCER_PREFIX}` or larger"),
        });
    }
}
