use crate::diagnostics::Severity::Error;
use crate::iam::{Grants, UNSCOPED};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every role cloudwright derives: no action may be a wildcard, and a `*` resource
    /// is allowed only for the actions AWS cannot scope to a resource (X-Ray's, and the network
    /// interfaces Lambda manages), each listed with its reason.
    ///
    /// ## Why is this bad?
    /// A wildcard grants what nobody reviewed: `dynamodb:*` includes `DeleteTable`, and an
    /// action on `*` reaches every resource of the account, not the one the function uses.
    ///
    /// ## Example
    /// A role statement `{ Action: ["dynamodb:*"], Resource: ["*"] }`.
    ///
    /// Use instead:
    /// The statements cloudwright derives from `uses:`: the table's read and write actions on
    /// the table's ARN and its indexes.
    ///
    /// ## References
    /// - checkov: CKV_AWS_355, CKV_AWS_290, CKV_AWS_111
    /// - cdk-nag: AwsSolutions-IAM5
    pub static POLICY_WILDCARDS = {
        id: "IAM001",
        name: "policy-wildcards",
        summary: "a derived policy has a wildcard action or an unscoped resource",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    findings.extend(problems(&ctx.plan.iam, |owner| {
        ctx.plan
            .components
            .get(owner)
            .map_or_else(String::new, |c| c.name.clone())
    }));
}

/// Every wildcard action and every unscoped resource of `grants`.
pub fn problems(grants: &Grants, name: impl Fn(usize) -> String) -> Vec<Finding> {
    let mut out = Vec::new();
    let roles = grants
        .roles
        .iter()
        .map(|r| (name(r.owner), &r.statements))
        .chain(std::iter::once(("network".to_string(), &grants.flow_logs)));
    for (owner, statements) in roles {
        // `network` is reserved: no component has that name.
        let field = if owner == "network" {
            "network.flow_logs".to_string()
        } else {
            format!("components.{owner}")
        };
        for s in statements {
            for action in s.actions.iter().filter(|a| a.contains('*')) {
                out.push(Finding {
                    field: field.clone(),
                    message: format!(
                        "the role of `{owner}` would allow `{action}` (statement {})",
                        s.sid
                    ),
                    help: "name the actions one by one".into(),
                });
            }
            if s.resources.iter().any(|r| r.as_lit() == Some("*")) {
                for action in s
                    .actions
                    .iter()
                    .filter(|a| !UNSCOPED.iter().any(|(u, _)| u == *a))
                {
                    out.push(Finding {
                        field: field.clone(),
                        message: format!(
                            "the role of `{owner}` would allow `{action}` on every resource"
                        ),
                        help: "scope it to the resources the connection names".into(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;
    use crate::iam::{Role, Statement};

    fn grants(actions: Vec<&'static str>, resource: &str) -> Grants {
        Grants {
            roles: vec![Role {
                owner: 0,
                purpose: crate::iam::Purpose::Execution,
                statements: vec![Statement {
                    sid: "S".into(),
                    actions,
                    resources: vec![Expr::lit(resource)],
                    condition: None,
                }],
            }],
            invokes: Vec::new(),
            flow_logs: Vec::new(),
        }
    }

    #[test]
    fn wildcard_actions_and_unscoped_resources_are_found() {
        let name = |_| "fn".to_string();
        assert_eq!(
            problems(&grants(vec!["dynamodb:*"], "arn:aws:dynamodb:x"), name).len(),
            1
        );
        assert_eq!(
            problems(&grants(vec!["dynamodb:GetItem"], "*"), name).len(),
            1
        );
        assert!(problems(&grants(vec!["xray:PutTraceSegments"], "*"), name).is_empty());
        assert!(
            problems(
                &grants(vec!["dynamodb:GetItem"], "arn:aws:dynamodb:x"),
                name
            )
            .is_empty()
        );
    }
}
