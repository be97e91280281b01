use crate::blueprint::types::{MAX_PREFIX, MIN_PREFIX, VPC_PREFIX_RULE};
use crate::diagnostics::Severity::Error;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Refuses a VPC CIDR whose prefix is outside what AWS allows, /16 to /28: an error in every
    /// environment, raised when the blueprint is loaded and checked again on the plan. It cannot
    /// be suppressed.
    ///
    /// ## Why is this bad?
    /// AWS rejects the VPC: `CreateVpc` accepts netmasks from /16 to /28 only.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   cidr: 10.0.0.0/12
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   cidr: 10.0.0.0/16
    /// ```
    ///
    /// ## References
    /// - Amazon VPC: "the allowed block size is between a /16 netmask and /28 netmask"
    /// - cfn-lint: E3031 (pattern of `CidrBlock`); checkov, cdk-nag: no equivalent
    pub static VPC_PREFIX_OUT_OF_RANGE = {
        id: VPC_PREFIX_RULE,
        name: "vpc-prefix-out-of-range",
        summary: "the VPC prefix is outside /16 to /28",
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
    let prefix = net.vpc.prefix_len();
    if !(MIN_PREFIX..=MAX_PREFIX).contains(&prefix) {
        findings.push(Finding {
            field: "network.cidr".into(),
            message: format!("a VPC of /{prefix} is outside what AWS allows"),
            help: "use a prefix from /16 to /28".into(),
        });
    }
}
