use crate::blueprint::types::Azs;
use crate::diagnostics::Severity::Error;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a blueprint that asks for more Availability Zones than its region offers: an error
    /// in every environment.
    ///
    /// ## Why is this bad?
    /// The deployment fails: `Fn::GetAZs` and the Terraform `aws_availability_zones` data source
    /// return fewer zones than the subnets need.
    ///
    /// ## Example
    /// ```yaml
    /// region: us-west-1
    /// network:
    ///   azs: 3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// region: us-west-1
    /// network:
    ///   azs: 2
    /// ```
    ///
    /// ## References
    /// - AWS "Regions and Availability Zones"
    /// - cfn-lint: E3010 (hard-coded AZs that do not exist in the region)
    pub static AVAILABILITY_ZONES_EXIST = {
        id: "REG001",
        name: "availability-zones-exist",
        summary: "the region offers fewer Availability Zones than the network asks for",
        component: Component::Network,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let region = ctx.plan.region;
    let asked = ctx.plan.azs.len();
    if asked > usize::from(region.azs) {
        let how = match ctx.doc.blueprint.network.azs {
            Azs::Count(_) => format!("`azs: {asked}`"),
            Azs::Names(_) => format!("{asked} zone names"),
        };
        findings.push(Finding {
            field: "network.azs".into(),
            message: format!(
                "{how} asks for more zones than {} offers ({})",
                region.name, region.azs
            ),
            help: format!("use at most {} AZs, or a region with more", region.azs),
        });
    }
}
