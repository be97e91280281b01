use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

/// The fewest days of automated backups a production database keeps.
const LEAST_DAYS: u32 = 7;

declare_rule! {
    /// ## What it does
    /// Flags a production database that keeps automated backups less than 7 days, or has no
    /// AWS Backup plan (`backup: false`): an error in production, a warning in staging.
    ///
    /// ## Why is this bad?
    /// A bad migration or a deleted table is often noticed days later. Automated backups give
    /// point-in-time recovery over their retention, and a backup plan keeps daily recovery
    /// points in a vault of their own, apart from the database and its account's mistakes.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data, backup_retention_days: 1, backup: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// environment: production
    /// components:
    ///   db: { kind: database, tier: data, backup_retention_days: 7, backup: { retention_days: 35 } }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_133 (RDS instances have backup policy)
    /// - Security Hub: RDS.11 (RDS instances should have automatic backups enabled), RDS.26
    ///   (RDS DB instances should be protected by a backup plan)
    /// - AWS Well-Architected: REL09-BP02
    pub static DATABASE_BACKUPS_TOO_SHORT = {
        id: "REL007",
        name: "database-backups-too-short",
        summary: "a database keeps backups less than 7 days, or has no backup plan",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        let ComponentPlan::Database(d) = &c.plan else {
            continue;
        };
        if d.backup_retention_days < LEAST_DAYS {
            findings.push(Finding {
                field: format!("components.{}.backup_retention_days", c.name),
                message: format!(
                    "database `{}` keeps automated backups {} day{}",
                    c.name,
                    d.backup_retention_days,
                    if d.backup_retention_days == 1 {
                        ""
                    } else {
                        "s"
                    }
                ),
                help: "give `backup_retention_days: 7` or more (up to 35)".into(),
            });
        }
        if d.backup.is_none() {
            findings.push(Finding {
                field: format!("components.{}.backup", c.name),
                message: format!("database `{}` has no AWS Backup plan", c.name),
                help:
                    "give `backup: true` (daily, kept 35 days) or `backup: { retention_days: N }`"
                        .into(),
            });
        }
    }
}
