use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a database whose storage is not encrypted (`encrypted: false`): an error in every
    /// environment.
    ///
    /// ## Why is this bad?
    /// Unencrypted storage leaves the data, its snapshots and its backups readable to anyone
    /// who gets a copy of a volume or a shared snapshot. Encryption cannot be turned on later
    /// without copying the whole database, and it costs nothing in performance.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   db: { kind: database, tier: data, encrypted: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   db: { kind: database, tier: data }     # a key of its own
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_16 (RDS storage is encrypted)
    /// - Security Hub: RDS.3 (RDS DB instances should have encryption at-rest enabled)
    /// - cdk-nag: AwsSolutions-RDS2
    pub static DATABASE_UNENCRYPTED = {
        id: "SEC004",
        name: "database-unencrypted",
        summary: "a database's storage is not encrypted at rest",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Database(d) = &c.plan
            && !d.encrypted
        {
            findings.push(Finding {
                field: format!("components.{}.encrypted", c.name),
                message: format!("database `{}` keeps its data unencrypted", c.name),
                help: "remove `encrypted: false`: the database gets a key of its own".into(),
            });
        }
    }
}
