use crate::diagnostics::Severity::Warning;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Warns when what the blueprint creates costs more every month, just by existing, than its
    /// own budget allows: the fixed part of the cost estimate (`cloudwright plan` shows it) is
    /// above `budget.monthly_usd`.
    ///
    /// ## Why is this bad?
    /// Its alerts on actual spend then fire every month, before a byte moves, and its forecast
    /// alerts from the first days; alerts that always fire are alerts nobody reads. Either the budget is too small for the
    /// architecture, or the architecture holds more than the team meant to pay for: three NAT
    /// gateways alone cost about $110 a month with their addresses.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   azs: 3
    ///   nat: per-az
    /// budget:
    ///   monthly_usd: 50
    /// ```
    ///
    /// Use instead: a budget above the fixed cost, with room for use (or, outside production,
    /// fewer fixed parts, such as one NAT gateway for all AZs):
    /// ```yaml
    /// network:
    ///   azs: 3
    ///   nat: per-az
    /// budget:
    ///   monthly_usd: 300
    /// ```
    ///
    /// ## References
    /// - AWS Well-Architected, COST02-BP05 (implement cost controls) and COST01-BP06 (monitor
    ///   cost proactively)
    /// - The prices: `src/cost.rs`, with their source and date; a region without prices there
    ///   is not checked
    /// - checkov, cfn-lint, cdk-nag: no equivalent
    pub static FIXED_COST_OVER_BUDGET = {
        id: "CST002",
        name: "fixed-cost-over-budget",
        summary: "what the blueprint creates costs more every month than its budget",
        component: Component::Budget,
        levels: [Some(Warning), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(budget) = &ctx.plan.budget else {
        return;
    };
    // Prices are in US dollars; a budget in yuan (AWS China, which the table has no prices for)
    // is not compared.
    if budget.currency != "USD" {
        return;
    }
    let estimate = crate::cost::estimate(ctx.plan);
    let Some(total) = estimate.fixed_total else {
        return;
    };
    let limit = budget.limit.cents() * 10_000;
    if total > limit {
        let largest = estimate
            .fixed
            .iter()
            .filter_map(|f| f.monthly.map(|m| (m, f)))
            .max_by_key(|(m, _)| *m)
            .map(|(m, f)| {
                format!(
                    "; the most is {} {} at {}",
                    f.quantity,
                    f.what,
                    crate::cost::dollars(m)
                )
            })
            .unwrap_or_default();
        findings.push(Finding {
            field: "budget.monthly_usd".into(),
            message: format!(
                "what the blueprint creates costs {} a month just by existing in {}, more than its budget of {}{largest}",
                crate::cost::dollars(total),
                ctx.plan.region.name,
                crate::cost::dollars(limit),
            ),
            help: "raise the budget above the fixed cost, with room for use, or remove fixed parts (outside production, `nat: single` keeps one NAT gateway); `cloudwright plan` shows the estimate".into(),
        });
    }
}
