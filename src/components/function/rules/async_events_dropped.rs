use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a function that is invoked asynchronously — by a lake zone's new objects
    /// (`objects:`) or by a topic it subscribes to — and has no `on_failure:` topic: an error in
    /// production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// S3 and SNS invoke the function asynchronously. When an invocation fails, Lambda retries it
    /// twice and then drops the event: the object stays unconverted in the zone, the message is
    /// lost, and nothing but the Errors metric says so. An `on_failure:` topic receives every
    /// event that failed, with the error, so someone can process it again.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   convert:
    ///     kind: function
    ///     runtime: python
    ///     objects: { from: lake.raw, prefix: incoming/, suffix: .csv }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   convert:
    ///     kind: function
    ///     runtime: python
    ///     objects: { from: lake.raw, prefix: incoming/, suffix: .csv }
    ///     on_failure: alerts
    ///   alerts: { kind: topic, subscriptions: [{ email: data@example.com }] }
    /// ```
    ///
    /// ## References
    /// - AWS Lambda Developer Guide: "Asynchronous invocation" (retries and destinations)
    /// - checkov: CKV_AWS_116 (Lambda function is configured for a dead-letter queue)
    pub static ASYNC_EVENTS_DROPPED = {
        id: "REL006",
        name: "async-events-dropped",
        summary: "a function invoked asynchronously (by new lake objects or a topic) drops the events it fails on",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    use crate::components::{Access, Kind};
    let connections = &ctx.plan.connections;
    for (i, c) in ctx.plan.components.iter().enumerate() {
        let ComponentPlan::Function(f) = &c.plan else {
            continue;
        };
        if connections
            .iter()
            .any(|k| k.from == i && k.access == Access::OnFailure)
        {
            continue;
        }
        let topic = connections.iter().find(|k| {
            k.to == i
                && k.access == Access::Invoke
                && ctx.plan.components[k.from].kind == Kind::Topic
        });
        let (field, by) = match (&f.objects, topic) {
            (Some(_), _) => ("objects".to_string(), "new objects".to_string()),
            (None, Some(k)) => (
                "on_failure".to_string(),
                format!("topic `{}`", ctx.plan.components[k.from].name),
            ),
            (None, None) => continue,
        };
        findings.push(Finding {
            field: format!("components.{}.{field}", c.name),
            message: format!(
                "`{}` is invoked asynchronously by {by} and drops the events it fails on",
                c.name
            ),
            help:
                "add `on_failure: <topic>`: the topic receives every event the function failed on"
                    .into(),
        });
    }
}
