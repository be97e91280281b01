use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a database with no standby in a second AZ (`multi_az: false`): an error in
    /// production, a warning in staging.
    ///
    /// ## Why is this bad?
    /// A single-AZ database is down for as long as its AZ or its host is, and a failed host
    /// is restored from backups with the writes since the last one lost. A Multi-AZ standby
    /// (an Aurora reader) takes over within a minute or two, with no data lost.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data, multi_az: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data }     # Multi-AZ in production
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_157 (RDS instances have Multi-AZ enabled)
    /// - Security Hub: RDS.5 (RDS DB instances should be configured with multiple Availability Zones)
    /// - AWS Well-Architected: REL10-BP01
    pub static DATABASE_SINGLE_AZ_IN_PRODUCTION = {
        id: "HA003",
        name: "database-single-az-in-production",
        summary: "a database has no standby in a second AZ",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Database(d) = &c.plan
            && !d.multi_az
        {
            findings.push(Finding {
                field: format!("components.{}.multi_az", c.name),
                message: format!("database `{}` has no standby in a second AZ", c.name),
                help: "give `multi_az: true` (the default in production)".into(),
            });
        }
    }
}
