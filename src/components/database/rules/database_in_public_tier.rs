use crate::blueprint::types::Internet;
use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a database placed in a tier that routes to the internet gateway (`internet:
    /// inbound`): an error in every environment.
    ///
    /// ## Why is this bad?
    /// cloudwright never makes a database publicly accessible, but in a public tier one
    /// changed flag or security-group rule puts it on the internet. A tier with `internet:
    /// none` has no route out or in: the database is reachable only from inside the VPC, by
    /// the security groups its clients hold.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /24, internet: inbound }
    /// components:
    ///   db: { kind: database, tier: public }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   tiers:
    ///     public: { size: /24, internet: inbound }
    ///     data: { size: /26, internet: none }
    /// components:
    ///   db: { kind: database, tier: data }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_17 (RDS instances are not publicly accessible)
    /// - Security Hub: RDS.2 (RDS DB instances should prohibit public access)
    /// - AWS Well-Architected: SEC05-BP01 (create network layers)
    pub static DATABASE_IN_PUBLIC_TIER = {
        id: "NET010",
        name: "database-in-public-tier",
        summary: "a database sits in a tier that routes to the internet gateway",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    for c in &ctx.plan.components {
        if let ComponentPlan::Database(d) = &c.plan
            && net
                .tiers
                .iter()
                .any(|t| t.name == d.tier && t.internet == Internet::Inbound)
        {
            findings.push(Finding {
                field: format!("components.{}.tier", c.name),
                message: format!(
                    "database `{}` is in tier `{}`, which routes to the internet gateway",
                    c.name, d.tier
                ),
                help: "name a tier with `internet: none` (add one if the network has none)".into(),
            });
        }
    }
}
