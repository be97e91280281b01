use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{CheckovSkip, Component, Finding, Resource, declare_rule};

/// A year, the retention most audit frameworks ask for.
const ONE_YEAR: u32 = 365;

declare_rule! {
    /// ## What it does
    /// Flags flow logs kept for less than a year: an error in production, a warning in staging,
    /// off in development.
    ///
    /// ## Why is this bad?
    /// Incidents are often found months after they began; PCI DSS 10.5.1 asks for a year of
    /// audit logs and CIS for at least 365 days of log retention.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// network:
    ///   flow_logs: { retention_days: 30 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   flow_logs: { retention_days: 365 }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_338 (CloudWatch log groups retain logs for at least 1 year)
    /// - cdk-nag: no equivalent
    pub static FLOW_LOG_RETENTION_TOO_SHORT = {
        id: "NET004",
        name: "flow-log-retention-too-short",
        summary: "flow logs are kept for less than a year",
        component: Component::Network,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[CheckovSkip { id: "CKV_AWS_338", on: Resource::FlowLogGroup }],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    if let Some(f) = net.flow_logs.filter(|f| f.retention_days < ONE_YEAR) {
        findings.push(Finding {
            field: "network.flow_logs.retention_days".into(),
            message: format!(
                "flow logs are kept {} days, less than a year",
                f.retention_days
            ),
            help: format!("use `retention_days: {ONE_YEAR}` or more"),
        });
    }
}
