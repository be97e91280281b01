use crate::components::queue::Encryption;
use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a queue whose messages are not encrypted at rest (`encryption: none`): an error in
    /// every environment.
    ///
    /// ## Why is this bad?
    /// Messages carry the data the system moves: orders, user records, tokens. SQS-managed
    /// encryption costs nothing and changes nothing for producers and consumers, so an
    /// unencrypted queue has no upside.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue, encryption: none }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   jobs: { kind: queue }          # SQS-managed keys
    ///   orders: { kind: queue, encryption: customer-key }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_27 (all data stored in the SQS queue is encrypted)
    /// - cdk-nag: AwsSolutions-SQS2
    /// - Security Hub: SQS.1 (Amazon SQS queues should be encrypted at rest)
    pub static QUEUE_UNENCRYPTED = {
        id: "SEC003",
        name: "queue-unencrypted",
        summary: "a queue's messages are not encrypted at rest",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Queue(q) = &c.plan
            && q.encryption == Encryption::None
        {
            findings.push(Finding {
                field: format!("components.{}.encryption", c.name),
                message: format!("queue `{}` keeps its messages unencrypted", c.name),
                help: "remove `encryption: none` (SQS-managed keys, at no cost), or use `encryption: customer-key`".into(),
            });
        }
    }
}
