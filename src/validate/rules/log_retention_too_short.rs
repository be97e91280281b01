use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

/// The least a production function or API keeps its logs, in days.
const MIN_DAYS: u32 = 365;

declare_rule! {
    /// ## What it does
    /// Flags a function or API whose logs are kept less than a year: an error in production, a
    /// warning in staging.
    ///
    /// ## Why is this bad?
    /// Application and access logs are how an incident is reconstructed, often months after
    /// it began; most frameworks (PCI DSS 10.5, ISO 27001 A.8.15) ask for a year.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   users-fn: { kind: function, runtime: nodejs, log_retention_days: 7 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   users-fn: { kind: function, runtime: nodejs, log_retention_days: 365 }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_338 (CloudWatch log groups retain logs for at least a year)
    /// - cdk-nag: AwsSolutions-L1 (latest runtime), AwsSolutions-APIG1 (access logging)
    pub static LOG_RETENTION_TOO_SHORT = {
        id: "OBS001",
        name: "log-retention-too-short",
        summary: "a function's, API's, pipeline's or lake job's logs are kept less than a year",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        let (days, field) = match &c.plan {
            ComponentPlan::Function(f) => (f.log_retention_days, "log_retention_days"),
            ComponentPlan::Api(a) => (a.log_retention_days, "access_log_retention_days"),
            ComponentPlan::Pipeline(p) => (p.log_retention_days, "log_retention_days"),
            ComponentPlan::Database(d) => (d.log_retention_days, "log_retention_days"),
            ComponentPlan::Service(s) => (s.log_retention_days, "log_retention_days"),
            ComponentPlan::DataLake(l) if !l.jobs.is_empty() => {
                (l.log_retention_days, "log_retention_days")
            }
            ComponentPlan::Table(_)
            | ComponentPlan::Topic(_)
            | ComponentPlan::Queue(_)
            | ComponentPlan::DataLake(_) => continue,
        };
        if days < MIN_DAYS {
            findings.push(Finding {
                field: format!("components.{}.{field}", c.name),
                message: format!("the logs of `{}` are kept {days} days", c.name),
                help: format!("keep them at least {MIN_DAYS} days"),
            });
        }
    }
}
