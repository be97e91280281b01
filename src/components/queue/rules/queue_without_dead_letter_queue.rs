use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a queue without a dead-letter queue (`dead_letter: false`): an error in
    /// production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// A message its consumer cannot process comes back after every visibility timeout until
    /// its retention ends: it is retried for days, costs an invocation each time, holds up a
    /// FIFO message group, and then disappears without a trace. A dead-letter queue keeps it,
    /// with an alarm, for someone to look at and redrive.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue, dead_letter: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue, dead_letter: { max_receive_count: 5 }, alarms: alerts }
    /// ```
    ///
    /// ## References
    /// - cdk-nag: AwsSolutions-SQS3 (the queue has a dead-letter queue)
    /// - AWS: "Using dead-letter queues in Amazon SQS" (Amazon SQS Developer Guide)
    pub static QUEUE_WITHOUT_DEAD_LETTER_QUEUE = {
        id: "REL003",
        name: "queue-without-dead-letter-queue",
        summary: "a queue has no dead-letter queue",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Queue(q) = &c.plan
            && q.dead_letter.is_none()
        {
            findings.push(Finding {
                field: format!("components.{}.dead_letter", c.name),
                message: format!(
                    "queue `{}` retries a message it cannot process until the message expires",
                    c.name
                ),
                help: "remove `dead_letter: false`: failed messages then move to a dead-letter queue after 5 receives".into(),
            });
        }
    }
}
