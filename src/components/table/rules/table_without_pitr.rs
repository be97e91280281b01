use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a table with point-in-time recovery turned off: an error in production, a warning
    /// in staging.
    ///
    /// ## Why is this bad?
    /// Without it, an item deleted or overwritten by a bug or a bad script is gone: DynamoDB can
    /// restore a table to any second of the last 35 days only when recovery is on.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   users: { kind: table, partition: { name: userId, type: string }, pitr: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   users: { kind: table, partition: { name: userId, type: string } }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_28 (DynamoDB point-in-time recovery is enabled)
    /// - cdk-nag: AwsSolutions-DDB3
    /// - Security Hub: DynamoDB.2
    pub static TABLE_WITHOUT_PITR = {
        id: "REL001",
        name: "table-without-pitr",
        summary: "a table's point-in-time recovery is off",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Table(t) = &c.plan
            && !t.pitr
        {
            findings.push(Finding {
                field: format!("components.{}.pitr", c.name),
                message: format!(
                    "table `{}` cannot be restored to an earlier point in time",
                    c.name
                ),
                help: "remove `pitr: false`: recovery keeps 35 days of changes".into(),
            });
        }
    }
}
