use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a production database whose deletion protection is turned off.
    ///
    /// ## Why is this bad?
    /// A production database holds data no redeploy brings back. Deletion protection makes RDS
    /// refuse to delete it until someone turns the protection off on purpose, so a mistaken
    /// stack deletion, `terraform destroy` or console click does not take the data with it.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data, deletion_protection: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data }     # protected in production
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_293 (RDS instances have deletion protection enabled)
    /// - Security Hub: RDS.8 (RDS DB instances should have deletion protection enabled)
    /// - AWS Well-Architected: REL09-BP01
    pub static DATABASE_WITHOUT_DELETION_PROTECTION = {
        id: "REL008",
        name: "database-without-deletion-protection",
        summary: "a production database can be deleted without turning protection off",
        component: Component::Components,
        levels: [Some(Error), None, None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Database(d) = &c.plan
            && !d.deletion_protection
        {
            findings.push(Finding {
                field: format!("components.{}.deletion_protection", c.name),
                message: format!("database `{}` has no deletion protection", c.name),
                help: "remove `deletion_protection: false`; production databases are protected"
                    .into(),
            });
        }
    }
}
