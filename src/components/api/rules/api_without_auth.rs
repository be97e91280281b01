use crate::components::api::Auth;
use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an API that anyone may call (`auth: none`): an error in production, a warning
    /// elsewhere.
    ///
    /// ## Why is this bad?
    /// Every route of an open API runs its function, and reads or writes its data, for any
    /// caller on the internet. Only content that is public on purpose belongs behind one.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   public: { kind: api, auth: none, routes: { GET /users: users-fn } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   public: { kind: api, auth: cognito, routes: { GET /users: users-fn } }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_59 (API Gateway methods are not open to everyone)
    /// - cdk-nag: AwsSolutions-APIG4, AwsSolutions-COG4
    /// - Security Hub: APIGateway.8 (routes specify an authorization type)
    pub static API_WITHOUT_AUTH = {
        id: "SEC002",
        name: "api-without-auth",
        summary: "an API's routes are open to anyone",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Api(a) = &c.plan
            && a.auth == Auth::None
        {
            findings.push(Finding {
                field: format!("components.{}.auth", c.name),
                message: format!("API `{}` lets anyone call its routes", c.name),
                help: "use `auth: cognito` (users sign in) or `auth: iam` (callers sign requests)"
                    .into(),
            });
        }
    }
}
