use crate::components::pipeline::LogLevel;
use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a pipeline whose state machine logs less than every event with its execution
    /// data (`logging: { level: error }`, `include_execution_data: false`, or `level: off`):
    /// an error in production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// When a nightly run fails, the execution's log is the only record of what each step got
    /// and returned. Without every event, and without the input and output of each, nobody can
    /// tell which file, which partition or which record broke it, and history past 90 days is
    /// gone from the console.
    ///
    /// ## Example
    /// ```yaml
    /// kind: pipeline
    /// logging: { level: error, include_execution_data: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: pipeline                   # level all, with execution data: the default
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_285 (Step Functions state machine has execution history logging on)
    /// - Security Hub: StepFunctions.1 (state machines should have logging turned on)
    pub static PIPELINE_LOGGING_INCOMPLETE = {
        id: "OBS002",
        name: "pipeline-logging-incomplete",
        summary: "a pipeline does not log every event with its execution data",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Pipeline(p) = &c.plan {
            let (field, message) = if p.logging.level == LogLevel::Off {
                ("level", "logs nothing")
            } else if p.logging.level != LogLevel::All {
                ("level", "logs only some of its events")
            } else if !p.logging.include_execution_data {
                (
                    "include_execution_data",
                    "logs its events without their input and output",
                )
            } else {
                continue;
            };
            findings.push(Finding {
                field: format!("components.{}.logging.{field}", c.name),
                message: format!("pipeline `{}` {message}", c.name),
                help: "remove `logging:`: every event is then logged with its execution data"
                    .into(),
            });
        }
    }
}
