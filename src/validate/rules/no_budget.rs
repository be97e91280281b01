use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a blueprint without a `budget` section: an error in production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// Cost is a failure mode too: a NAT gateway per AZ, a forgotten test fleet or a runaway job
    /// shows up only on next month's bill unless someone is told as spend climbs. A budget with
    /// alerts on actual and forecasted spend is the cheapest guardrail there is.
    ///
    /// ## Example
    /// ```yaml
    /// name: core-network
    /// environment: production
    /// # no budget section
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// budget:
    ///   monthly_usd: 2000
    ///   alerts:
    ///     - { percent: 80, of: actual }
    ///     - { percent: 100, of: forecasted }
    ///   emails: [platform-team@example.com]
    /// ```
    ///
    /// ## References
    /// - AWS Well-Architected, COST02-BP05 (implement cost controls) and COST03-BP05 (configure
    ///   billing and cost management tools)
    /// - checkov, cfn-lint, cdk-nag: no equivalent
    pub static NO_BUDGET = {
        id: "CST001",
        name: "no-budget",
        summary: "the blueprint sets no cost budget",
        component: Component::Budget,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    if ctx.plan.budget.is_none() {
        findings.push(Finding {
            field: "name".into(),
            message: format!("blueprint `{}` sets no cost budget", ctx.plan.name),
            help: "add a `budget:` section with a monthly limit, alerts on actual and forecasted spend, and who to tell".into(),
        });
    }
}
