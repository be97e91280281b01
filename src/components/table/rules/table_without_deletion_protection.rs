use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a production table whose deletion protection is turned off.
    ///
    /// ## Why is this bad?
    /// A production table holds data no redeploy brings back. Deletion protection makes
    /// DynamoDB refuse `DeleteTable` until someone turns it off on purpose, so a mistaken stack
    /// deletion, `terraform destroy` or console click does not take the data with it.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// components:
    ///   users: { kind: table, partition: { name: userId, type: string }, deletion_protection: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment: production
    /// components:
    ///   users: { kind: table, partition: { name: userId, type: string } }
    /// ```
    ///
    /// ## References
    /// - Security Hub: DynamoDB.6 (tables have deletion protection enabled)
    /// - AWS Well-Architected: REL09-BP01
    pub static TABLE_WITHOUT_DELETION_PROTECTION = {
        id: "REL002",
        name: "table-without-deletion-protection",
        summary: "a production table can be deleted without turning protection off",
        component: Component::Components,
        levels: [Some(Error), None, None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Table(t) = &c.plan
            && !t.deletion_protection
        {
            findings.push(Finding {
                field: format!("components.{}.deletion_protection", c.name),
                message: format!("table `{}` has no deletion protection", c.name),
                help: "remove `deletion_protection: false`; production tables are protected".into(),
            });
        }
    }
}
