use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a pipeline step that can fail and does not catch (`catch: false`): an error in
    /// production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// A step without a catch ends the execution on its first unretried error, and the
    /// failure notification never goes out: the run fails silently, and the data it should
    /// have loaded is missing the next morning. Every step cloudwright writes catches into the
    /// failure notification unless told not to.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - { name: extract, glue: { external: raw-extract }, catch: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// notify: alerts
    /// steps:
    ///   - { name: extract, glue: { external: raw-extract } }
    /// ```
    ///
    /// ## References
    /// - AWS Step Functions Developer Guide: "Handling errors in Step Functions workflows"
    /// - AWS Well-Architected, REL05-BP03 (control and limit retry calls) and OPS08 (monitoring)
    pub static PIPELINE_STEP_WITHOUT_CATCH = {
        id: "REL005",
        name: "pipeline-step-without-catch",
        summary: "a pipeline step that can fail does not catch its failure",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Pipeline(p) = &c.plan {
            for (i, s) in p.uncaught() {
                findings.push(Finding {
                    field: format!("components.{}.steps[{i}].catch", c.name),
                    message: format!(
                        "step `{}` of pipeline `{}` ends the execution on a failure, without notifying anyone",
                        s.name, c.name
                    ),
                    help: "remove `catch: false`: the failure then goes to the pipeline's failure notification".into(),
                });
            }
        }
    }
}
