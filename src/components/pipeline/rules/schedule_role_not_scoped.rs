use crate::diagnostics::Severity::Error;
use crate::iam::Purpose;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a schedule whose role may do more than start its own pipeline and keep the starts
    /// it could not make: any action but `states:StartExecution` on that pipeline's state
    /// machine and `sqs:SendMessage` on the schedule's own dead-letter queue. An error in every
    /// environment.
    ///
    /// ## Why is this bad?
    /// EventBridge Scheduler assumes the role on every run, and to deliver to the dead-letter
    /// queue. A role that may start any state
    /// machine (or do anything else) lets a schedule, or whoever can edit one, run workflows
    /// it was never meant to. cloudwright derives the role from the schedule's one target; the
    /// rule guards that derivation.
    ///
    /// ## Example
    /// ```yaml
    /// # A role with `states:StartExecution` on `*` (written by hand, or by another tool).
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: pipeline
    /// schedule: cron(0 6 * * ? *)      # a role on exactly this state machine
    /// ```
    ///
    /// ## References
    /// - EventBridge Scheduler User Guide: "Set up the execution role"
    /// - checkov: CKV_AWS_355, CKV_AWS_290 (no `*` resources in write policies)
    pub static SCHEDULE_ROLE_NOT_SCOPED = {
        id: "IAM002",
        name: "schedule-role-not-scoped",
        summary: "a schedule's role may do more than start its pipeline",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    findings.extend(problems(ctx.plan));
}

fn problems(plan: &crate::plan::Plan) -> Vec<Finding> {
    let mut findings = Vec::new();
    for role in plan
        .iam
        .roles
        .iter()
        .filter(|r| r.purpose == Purpose::Schedule)
    {
        let c = &plan.components[role.owner];
        let target = crate::components::pipeline::view::state_machine_arn(&c.ids);
        let dead_letter = crate::components::pipeline::view::schedule_dead_letter_arn(&c.ids);
        let scoped = role.statements.iter().all(|s| {
            (s.actions == ["states:StartExecution"] && s.resources == [target.clone()])
                || (s.actions == ["sqs:SendMessage"] && s.resources == [dead_letter.clone()])
        });
        if !scoped {
            findings.push(Finding {
                field: format!("components.{}.schedule", c.name),
                message: format!(
                    "the schedule of pipeline `{}` assumes a role that may do more than start it",
                    c.name
                ),
                help: "give the role only `states:StartExecution` on the pipeline's state machine and `sqs:SendMessage` on the schedule's dead-letter queue".into(),
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(blueprint: &str) -> crate::plan::Plan {
        crate::plan::of_text(blueprint)
    }

    const BLUEPRINT: &str = "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\ncomponents:\n  load-fn: { kind: function, runtime: python }\n  etl:\n    kind: pipeline\n    schedule: rate(1 day)\n    steps: [{ name: load, function: load-fn }]\n";

    fn findings(plan: &crate::plan::Plan) -> Vec<Finding> {
        problems(plan)
    }

    #[test]
    fn the_derived_schedule_role_passes() {
        assert_eq!(findings(&plan(BLUEPRINT)), Vec::new());
    }

    /// The findings once `edit` has widened the derived schedule role.
    fn widened(edit: impl Fn(&mut Vec<crate::iam::Statement>)) -> Vec<Finding> {
        let mut p = plan(BLUEPRINT);
        let role = p
            .iam
            .roles
            .iter_mut()
            .find(|r| r.purpose == Purpose::Schedule)
            .unwrap();
        edit(&mut role.statements);
        findings(&p)
    }

    #[test]
    fn a_wider_action_or_resource_fires() {
        let f = widened(|s| s[0].resources = vec![crate::expr::Expr::lit("*")]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].field, "components.etl.schedule");
        assert_eq!(
            widened(|s| s[0].actions.push("states:StopExecution")).len(),
            1
        );
        assert_eq!(
            widened(|s| s[1].resources = vec![crate::expr::Expr::lit("*")]).len(),
            1,
            "a dead-letter grant on any queue"
        );
    }
}
