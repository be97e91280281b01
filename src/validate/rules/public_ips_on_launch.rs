use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{CheckovSkip, Component, Finding, Resource, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags tiers whose subnets hand a public IPv4 address to every instance launched in them
    /// (`public_ips: true`): an error in production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// Every instance becomes reachable from the internet the moment a security group allows it,
    /// whether or not it was meant to be public, and every public IPv4 address is billed. Put
    /// load balancers in public tiers and instances behind them.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /24, internet: inbound, public_ips: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /24, internet: inbound }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_130 (VPC subnets do not assign public IP by default)
    /// - Security Hub: EC2.15
    pub static PUBLIC_IPS_ON_LAUNCH = {
        id: "NET002",
        name: "public-ips-on-launch",
        summary: "a tier hands out public IPv4 addresses",
        component: Component::Network,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[CheckovSkip { id: "CKV_AWS_130", on: Resource::PublicIpSubnets }],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    for tier in net.tiers.iter().filter(|t| t.public_ips) {
        findings.push(Finding {
            field: format!("network.tiers.{}.public_ips", tier.name),
            message: format!(
                "tier `{}` gives every instance a public IPv4 address",
                tier.name
            ),
            help: "remove `public_ips: true`; put a load balancer in the tier instead".into(),
        });
    }
}
