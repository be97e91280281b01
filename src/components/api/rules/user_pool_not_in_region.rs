use crate::components::api::Auth;
use crate::diagnostics::Severity::Error;
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

/// Regions without Amazon Cognito user pools (CloudFormation has no `AWS::Cognito::UserPool`
/// there; cfn-lint's region schemas agree).
const WITHOUT_USER_POOLS: &[&str] = &["cn-north-1", "cn-northwest-1"];

declare_rule! {
    /// ## What it does
    /// Flags an API with `auth: cognito` in a region that has no Cognito user pools (the AWS
    /// China regions).
    ///
    /// ## Why is this bad?
    /// The user pool cannot be created there: the deployment fails at its first resource.
    ///
    /// ## Example
    /// ```yaml
    /// region: cn-north-1
    /// components:
    ///   public: { kind: api, auth: cognito, routes: { GET /users: users-fn } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// region: cn-north-1
    /// components:
    ///   public: { kind: api, auth: iam, routes: { GET /users: users-fn } }
    /// ```
    ///
    /// ## References
    /// - AWS: Amazon Cognito endpoints and quotas (the regions it is offered in)
    pub static USER_POOL_NOT_IN_REGION = {
        id: "REG002",
        name: "user-pool-not-in-region",
        summary: "an API signs users in with Cognito where the region has no user pools",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    if !WITHOUT_USER_POOLS.contains(&ctx.plan.region.name) {
        return;
    }
    for c in &ctx.plan.components {
        if let ComponentPlan::Api(a) = &c.plan
            && a.auth == Auth::Cognito
        {
            findings.push(Finding {
                field: format!("components.{}.auth", c.name),
                message: format!(
                    "{} has no Cognito user pools, so API `{}` cannot sign users in with one",
                    ctx.plan.region.name, c.name
                ),
                help: "use `auth: iam`, or deploy the API in a region with Cognito".into(),
            });
        }
    }
}
