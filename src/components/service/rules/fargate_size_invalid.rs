use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a service whose CPU and memory are not a pair Fargate runs: an error in every
    /// environment.
    ///
    /// ## Why is this bad?
    /// ECS refuses to register such a task definition, so the deployment fails halfway, after
    /// the network and the load balancer were made. Fargate runs 256 CPU units with 512 to
    /// 2048 MiB, 512 with 1 to 4 GiB, 1024 with 2 to 8 GiB, 2048 with 4 to 16 GiB, 4096 with 8
    /// to 30 GiB (steps of 1 GiB), 8192 with 16 to 60 GiB (steps of 4 GiB) and 16384 with 32 to
    /// 120 GiB (steps of 8 GiB).
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   web: { kind: service, image: "nginx:stable", tier: app, cpu: 256, memory: 4096, load_balancer: { tier: public } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   web: { kind: service, image: "nginx:stable", tier: app, cpu: 1024, memory: 4096, load_balancer: { tier: public } }
    /// ```
    ///
    /// ## References
    /// - Amazon ECS Developer Guide: "Task CPU and memory" (Fargate)
    pub static FARGATE_SIZE_INVALID = {
        id: "REL009",
        name: "fargate-size-invalid",
        summary: "a service's CPU and memory are not a pair Fargate runs",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    use crate::components::service::{FARGATE, fargate_fits};
    for c in &ctx.plan.components {
        let ComponentPlan::Service(s) = &c.plan else {
            continue;
        };
        if fargate_fits(s.cpu, s.memory) {
            continue;
        }
        let help = match FARGATE.iter().find(|(cpu, ..)| *cpu == s.cpu) {
            Some((cpu, least, most, step)) => format!(
                "with {cpu} CPU units give {least} to {most} MiB in steps of {step}, or more CPU"
            ),
            None => format!(
                "give CPU units of {}",
                FARGATE
                    .iter()
                    .map(|(cpu, ..)| cpu.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        findings.push(Finding {
            field: format!("components.{}.memory", c.name),
            message: format!(
                "Fargate does not run a task of {} CPU units and {} MiB (service `{}`)",
                s.cpu, s.memory, c.name
            ),
            help,
        });
    }
}
