use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a lake whose crawler has no schedule: an error in production, a warning in
    /// staging, off in development.
    ///
    /// ## Why is this bad?
    /// A crawler that runs only when someone starts it leaves new folders of the raw zone out
    /// of the catalog: Athena and the jobs do not see the data that arrived, and nothing says
    /// so. In production the catalog must follow the data on its own.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake: { kind: data_lake, crawler: true }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake: { kind: data_lake, crawler: { schedule: "cron(0 6 * * ? *)" } }
    /// ```
    ///
    /// ## References
    /// - AWS Glue Developer Guide: Scheduling a crawler
    pub static CRAWLER_WITHOUT_SCHEDULE = {
        id: "DAT002",
        name: "crawler-without-schedule",
        summary: "a lake's crawler runs only when started by hand",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (_, c, l) in super::lakes(ctx.plan) {
        if l.crawler.as_ref().is_some_and(|cr| cr.schedule.is_none()) {
            findings.push(Finding {
                field: format!("components.{}.crawler", c.name),
                message: format!("the crawler of `{}` has no schedule", c.name),
                help: "give it one, for example `crawler: { schedule: \"cron(0 6 * * ? *)\" }` (daily at 06:00 UTC)".into(),
            });
        }
    }
}
