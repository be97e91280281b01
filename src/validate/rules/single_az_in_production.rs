use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a network that spans a single Availability Zone outside development: an error in
    /// production, a warning in staging, off in development.
    ///
    /// ## Why is this bad?
    /// One AZ is one failure domain: when it has an outage, everything in the network goes with
    /// it. AWS's Well-Architected reliability pillar asks for at least two AZs in production.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// network:
    ///   azs: 1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment: production
    /// network:
    ///   azs: 3
    /// ```
    ///
    /// ## References
    /// - AWS Well-Architected, REL10-BP01 (deploy the workload to multiple locations)
    /// - cdk-nag: no equivalent (CDK's `Vpc` defaults to several AZs)
    pub static SINGLE_AZ_IN_PRODUCTION = {
        id: "HA001",
        name: "single-az-in-production",
        summary: "the network spans one Availability Zone",
        component: Component::Network,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    if net.azs.len() == 1 {
        findings.push(Finding {
            field: "network.azs".into(),
            message: format!(
                "the {} network `{}` spans a single Availability Zone",
                ctx.environment_name(),
                ctx.plan.name
            ),
            help: format!(
                "use at least two AZs (`azs: 2`; {} offers {})",
                ctx.plan.region.name, ctx.plan.region.azs
            ),
        });
    }
}
