use crate::blueprint::types::Azs;
use crate::diagnostics::Severity::Error;
use crate::plan::Zone;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a blueprint whose zones its region does not have: more AZs than the region offers,
    /// a zone letter it lacks (`us-east-1g`), or an AZ ID it lacks (`usw1-az2`). An error in
    /// every environment. The zones are checked against cloudwright's region table, which lists
    /// each region's zone letters and AZ IDs.
    ///
    /// ## Why is this bad?
    /// The deployment fails: a subnet cannot be created in a zone that does not exist.
    ///
    /// ## Example
    /// ```yaml
    /// region: us-west-1
    /// network:
    ///   azs: [us-west-1b, us-west-1d]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// region: us-west-1
    /// network:
    ///   azs: [us-west-1b, us-west-1c]
    /// ```
    ///
    /// ## References
    /// - AWS "Regions and Availability Zones"
    /// - cfn-lint: E3010 (hard-coded AZs that do not exist in the region)
    pub static AVAILABILITY_ZONES_EXIST = {
        id: "REG001",
        name: "availability-zones-exist",
        summary: "the network asks for zones its region does not have",
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
    let region = ctx.plan.region;
    let azs = &ctx
        .doc
        .blueprint
        .network
        .as_ref()
        .map_or(&Azs::Count(0), |n| &n.azs);
    let asked = net.azs.len();
    if asked > usize::from(region.azs) {
        let how = match azs {
            Azs::Count(_) => format!("`azs: {asked}`"),
            Azs::Names(_) => format!("{asked} zone names"),
            Azs::Ids(_) => format!("{asked} AZ IDs"),
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
    for (i, az) in net.azs.iter().enumerate() {
        let (exists, has) = match &az.zone {
            Zone::Name(name) => (
                region.has_zone_name(name),
                region.zone_names().collect::<Vec<_>>(),
            ),
            Zone::Id(id) => (
                region.has_zone_id(id),
                region.zone_ids().collect::<Vec<_>>(),
            ),
        };
        if exists {
            continue;
        }
        let field = match azs {
            Azs::Count(_) => "network.azs".to_string(),
            Azs::Names(_) | Azs::Ids(_) => format!("network.azs[{i}]"),
        };
        findings.push(Finding {
            field,
            message: format!(
                "{} has no zone `{}` (AZ `{}`); it has {}",
                region.name,
                az.zone,
                az.label,
                has.join(", ")
            ),
            help: format!("use one of {}'s zones", region.name),
        });
    }
}
