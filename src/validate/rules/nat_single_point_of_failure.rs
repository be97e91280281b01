use crate::blueprint::types::{Internet, Nat};
use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags egress tiers (`internet: outbound`) that share one NAT gateway (`nat: single`) or
    /// have none (`nat: none`): an error in production, a warning in staging, off in development.
    ///
    /// ## Why is this bad?
    /// With one NAT gateway, an outage of its AZ cuts every AZ's egress, and cross-AZ traffic to
    /// it costs data-transfer charges. With none, egress tiers cannot reach the internet at all,
    /// which is rarely what `internet: outbound` means.
    ///
    /// ## Example
    /// ```yaml
    /// environment: production
    /// network:
    ///   tiers:
    ///     app: { size: /20, internet: outbound }
    ///   nat: single
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   nat: per-az
    /// ```
    ///
    /// ## References
    /// - AWS NAT gateway documentation: "create a NAT gateway in each Availability Zone"
    /// - cdk-nag: no equivalent; checkov: no equivalent
    pub static NAT_SINGLE_POINT_OF_FAILURE = {
        id: "HA002",
        name: "nat-single-point-of-failure",
        summary: "egress tiers depend on one NAT gateway, or have none",
        component: Component::Network,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    let egress: Vec<&str> = net
        .tiers
        .iter()
        .filter(|t| t.internet == Internet::Outbound)
        .map(|t| t.name.as_str())
        .collect();
    if egress.is_empty() || (net.azs.len() < 2 && net.nat == Nat::Single) {
        return;
    }
    let tiers = egress.join("`, `");
    let message = match net.nat {
        Nat::PerAz => return,
        Nat::Single => format!(
            "egress tiers `{tiers}` leave through one NAT gateway in AZ {}: its outage cuts egress for every AZ",
            net.azs[0].label
        ),
        Nat::None => {
            format!("egress tiers `{tiers}` have no NAT gateway, so no route to the internet")
        }
    };
    findings.push(Finding {
        field: "network.nat".into(),
        message,
        help: "use `nat: per-az`, or `internet: none` for tiers that need no egress".into(),
    });
}
