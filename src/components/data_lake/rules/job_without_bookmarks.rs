use crate::diagnostics::Severity::Warning;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a lake's Glue job with job bookmarks off (`bookmarks: false`): a warning in every
    /// environment.
    ///
    /// ## Why is this bad?
    /// Without bookmarks every run reads the whole source table again and writes it again:
    /// the cost grows with the lake, and the target zone fills with duplicates unless the
    /// script overwrites it. A job that really must reprocess everything says so by
    /// suppressing this rule with its reason.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     jobs: { transform: { bookmarks: false } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     jobs: { transform: {} }      # bookmarks on
    /// ```
    ///
    /// ## References
    /// - AWS Glue Developer Guide: Tracking processed data using job bookmarks
    pub static JOB_WITHOUT_BOOKMARKS = {
        id: "DAT003",
        name: "job-without-bookmarks",
        summary: "a lake's Glue job reprocesses its whole source on every run",
        component: Component::Components,
        levels: [Some(Warning), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (_, c, l) in super::lakes(ctx.plan) {
        for j in l.jobs.iter().filter(|j| !j.bookmarks) {
            findings.push(Finding {
                field: format!("components.{}.jobs.{}.bookmarks", c.name, j.name),
                message: format!("job `{}` of `{}` has bookmarks off", j.name, c.name),
                help: "remove `bookmarks: false`, or suppress DAT003 with the reason the job must reread everything".into(),
            });
        }
    }
}
