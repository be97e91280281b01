use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{CheckovSkip, Component, Finding, Resource, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a network whose VPC flow logs are turned off: an error in production, a warning
    /// elsewhere.
    ///
    /// ## Why is this bad?
    /// Flow logs are the record of who talked to what. Without them an incident cannot be
    /// investigated, and most compliance frameworks (CIS AWS Foundations 3.9, PCI DSS 10) require
    /// them.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   flow_logs: { enabled: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   flow_logs: { retention_days: 365 }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV2_AWS_11 (VPC flow logging is enabled in all VPCs)
    /// - cdk-nag: AwsSolutions-VPC7
    /// - Security Hub: EC2.6
    pub static FLOW_LOGS_DISABLED = {
        id: "NET001",
        name: "flow-logs-disabled",
        summary: "VPC flow logs are turned off",
        component: Component::Network,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[CheckovSkip { id: "CKV2_AWS_11", on: Resource::Vpc }],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    if net.flow_logs.is_none() {
        findings.push(Finding {
            field: "network.flow_logs.enabled".into(),
            message: format!("VPC flow logs are off for `{}`", ctx.plan.name),
            help:
                "remove `enabled: false`: flow logs go to a KMS-encrypted log group kept 365 days"
                    .into(),
        });
    }
}
