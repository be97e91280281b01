use crate::blueprint::types::{GatewayEndpoint, InterfaceService, Internet};
use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a service whose tasks sit in a tier with no route out (`internet: none`) while the
    /// network lacks an endpoint they need: ECR's API and registry, CloudWatch Logs, Secrets
    /// Manager when secrets are injected, SSM when parameters are, and the S3 gateway endpoint
    /// ECR's layers come from.
    /// An error in every environment.
    ///
    /// ## Why is this bad?
    /// Fargate pulls the image, writes the logs and reads the secrets from the task's own
    /// network interface. Without NAT or those endpoints every task stops with
    /// `CannotPullContainerError` and the deployment circuit breaker rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// network:
    ///   tiers: { public: { size: /26, internet: inbound }, app: { size: /24, internet: none } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// network:
    ///   tiers: { public: { size: /26, internet: inbound }, app: { size: /24, internet: none } }
    ///   endpoints: [s3]
    ///   interface_endpoints: { tier: app, services: [ecr.api, ecr.dkr, logs, secretsmanager] }
    /// ```
    ///
    /// ## References
    /// - Amazon ECR User Guide: "Amazon ECR interface VPC endpoints (AWS PrivateLink)"
    /// - Amazon ECS Developer Guide: "Amazon ECS interface VPC endpoints"
    pub static TASKS_CANNOT_REACH_ECR = {
        id: "NET011",
        name: "tasks-cannot-reach-ecr",
        summary: "a service's tasks have no route to ECR, CloudWatch Logs or Secrets Manager",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let Some(net) = &ctx.plan.network else {
        return;
    };
    for c in &ctx.plan.components {
        let ComponentPlan::Service(s) = &c.plan else {
            continue;
        };
        if !net
            .tiers
            .iter()
            .any(|t| t.name == s.tier && t.internet == Internet::None)
        {
            continue;
        }
        let services: &[InterfaceService] = net
            .interface_endpoints
            .as_ref()
            .map_or(&[], |(_, services)| services.as_slice());
        let mut wanted = vec![
            (InterfaceService::EcrApi, "ecr.api"),
            (InterfaceService::EcrDkr, "ecr.dkr"),
            (InterfaceService::Logs, "logs"),
        ];
        let secrets = s
            .environment
            .iter()
            .any(|(_, v)| matches!(v, crate::components::function::EnvValue::Secret(_)))
            || ctx.plan.connections.iter().any(|k| {
                ctx.plan.components[k.from].name == c.name
                    && k.access == crate::components::Access::Connect
            });
        if secrets {
            wanted.push((InterfaceService::SecretsManager, "secretsmanager"));
        }
        if s.environment
            .iter()
            .any(|(_, v)| matches!(v, crate::components::function::EnvValue::Parameter(_)))
        {
            wanted.push((InterfaceService::Ssm, "ssm"));
        }
        let mut missing: Vec<&str> = wanted
            .iter()
            .filter(|(w, _)| !services.contains(w))
            .map(|(_, n)| *n)
            .collect();
        if !net.endpoints.contains(&GatewayEndpoint::S3) {
            missing.push("the s3 gateway endpoint");
        }
        if !missing.is_empty() {
            findings.push(Finding {
                field: format!("components.{}.tier", c.name),
                message: format!(
                    "the tasks of service `{}` in tier `{}` have no route out and no endpoint for {}",
                    c.name,
                    s.tier,
                    missing.join(", ")
                ),
                help: "add the endpoints (`endpoints: [s3]`, `interface_endpoints: { tier, services: [ecr.api, ecr.dkr, logs, secretsmanager] }`), or place the tasks in a tier with `internet: outbound`".into(),
            });
        }
    }
}
