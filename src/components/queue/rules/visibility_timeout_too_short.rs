use crate::components::queue::consumer_timeout;
use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a queue whose visibility timeout is shorter than six times the timeout of a
    /// function that consumes it, plus that function's batching window: an error in every
    /// environment.
    ///
    /// ## Why is this bad?
    /// Lambda's poller holds a batch while the function runs and retries throttled
    /// invocations. When the message becomes visible again before that is over, a second
    /// invocation processes it too, and the first one's delete fails. AWS's guidance for an
    /// event source mapping is a visibility timeout of at least six times the function's
    /// timeout plus its batching window. Leave `visibility_timeout` out and cloudwright sets
    /// exactly that.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue, visibility_timeout: 30 }
    ///   worker: { kind: function, runtime: python, timeout: 60, consumes: jobs }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue }          # 360 s: six times the worker's 60
    ///   worker: { kind: function, runtime: python, timeout: 60, consumes: jobs }
    /// ```
    ///
    /// ## References
    /// - AWS: "Using Lambda with Amazon SQS", section "Configuring a queue to use with Lambda"
    ///   (AWS Lambda Developer Guide)
    pub static VISIBILITY_TIMEOUT_TOO_SHORT = {
        id: "REL004",
        name: "visibility-timeout-too-short",
        summary: "a queue's visibility timeout is shorter than six times its consumer's timeout",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let plan = ctx.plan;
    for (i, c) in plan.components.iter().enumerate() {
        let ComponentPlan::Queue(q) = &c.plan else {
            continue;
        };
        let Some((wanted, consumer)) = consumer_timeout(&plan.components, &plan.connections, i)
        else {
            continue;
        };
        if q.visibility_timeout < wanted {
            findings.push(Finding {
                field: format!("components.{}.visibility_timeout", c.name),
                message: format!(
                    "queue `{}` shows a message again after {} s, but its consumer `{consumer}` needs {wanted} s",
                    c.name, q.visibility_timeout
                ),
                help: format!(
                    "give at least {} (six times the consumer's timeout, plus its batching window), or leave `visibility_timeout` out",
                    wanted.min(43_200)
                ),
            });
        }
    }
}
