use crate::diagnostics::Severity::{Error, Warning};
use crate::plan::ComponentPlan;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a service whose load balancer serves plain HTTP (`protocol: http`): an error in
    /// production and staging, a warning in development.
    ///
    /// ## Why is this bad?
    /// Without TLS every request and response, session cookies and credentials among them,
    /// crosses the internet readable and changeable by anyone on the path. With HTTPS the
    /// listener on 80 only redirects, and the certificate is the deployment's to give.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   web: { kind: service, image: "nginx:stable", tier: app, load_balancer: { tier: public, protocol: http } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   web: { kind: service, image: "nginx:stable", tier: app, load_balancer: { tier: public } }
    /// ```
    ///
    /// ## References
    /// - checkov: CKV_AWS_2 (ALB protocol is HTTPS), CKV_AWS_103 (TLS 1.2 or later)
    /// - Security Hub: ELB.1 (Application Load Balancer should redirect HTTP requests to HTTPS)
    /// - AWS Well-Architected: SEC09-BP02 (enforce encryption in transit)
    pub static LOAD_BALANCER_WITHOUT_TLS = {
        id: "SEC005",
        name: "load-balancer-without-tls",
        summary: "a service's load balancer serves plain HTTP",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for c in &ctx.plan.components {
        if let ComponentPlan::Service(s) = &c.plan
            && s.protocol == crate::components::service::Protocol::Http
        {
            findings.push(Finding {
                field: format!("components.{}.load_balancer.protocol", c.name),
                message: format!("the load balancer of service `{}` serves plain HTTP", c.name),
                help: "remove `protocol: http`: HTTPS with the deployment's certificate, and HTTP redirected to it".into(),
            });
        }
    }
}
