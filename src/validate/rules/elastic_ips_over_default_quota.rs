use crate::diagnostics::Severity::Warning;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

/// Elastic IP addresses an account may allocate per region unless it asks for more (the
/// `L-0263D0A3` quota of Amazon EC2).
const DEFAULT_EIP_QUOTA: usize = 5;

declare_rule! {
    /// ## What it does
    /// Warns when the plan allocates more Elastic IP addresses (one per NAT gateway) than the
    /// default quota of 5 per region.
    ///
    /// ## Why is this bad?
    /// The deployment stops half-way when the account has not raised the quota: the sixth
    /// `AWS::EC2::EIP` fails with `AddressLimitExceeded` and the stack rolls back. Other VPCs
    /// in the region share the same quota.
    ///
    /// ## Example
    /// ```yaml
    /// region: us-east-1
    /// network:
    ///   azs: 6
    ///   nat: per-az
    /// ```
    ///
    /// Use instead: raise the "EC2-VPC Elastic IPs" quota (Service Quotas, `L-0263D0A3`) before
    /// deploying, or use fewer NAT gateways:
    /// ```yaml
    /// network:
    ///   azs: 3
    ///   nat: per-az
    /// ```
    ///
    /// ## References
    /// - Amazon VPC quotas: Elastic IP addresses per Region, 5 by default
    /// - checkov, cfn-lint, cdk-nag: no equivalent
    pub static ELASTIC_IPS_OVER_DEFAULT_QUOTA = {
        id: "NET009",
        name: "elastic-ips-over-default-quota",
        summary: "more Elastic IPs than the default quota of 5 per region",
        component: Component::Network,
        levels: [Some(Warning), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    let eips = net.nat_azs.len();
    if eips > DEFAULT_EIP_QUOTA {
        findings.push(Finding {
            field: "network.nat".into(),
            message: format!(
                "the plan allocates {eips} Elastic IPs for its NAT gateways, more than the {DEFAULT_EIP_QUOTA} an account gets per region by default"
            ),
            help: format!(
                "raise the EC2-VPC Elastic IPs quota (L-0263D0A3) in {} before deploying, or use `nat: single`",
                ctx.plan.region.name
            ),
        });
    }
}
