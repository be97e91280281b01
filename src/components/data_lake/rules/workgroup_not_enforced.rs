use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a lake's Athena workgroup that lets clients override its settings
    /// (`athena: { enforce_configuration: false }`): an error in production, a warning
    /// elsewhere.
    ///
    /// ## Why is this bad?
    /// The workgroup writes query results, encrypted with the lake's key, to the lake's
    /// athena-results zone. When it does not enforce that, any client may send results
    /// unencrypted to a bucket of its choosing, outside the lake's lifecycle and logging, and
    /// the results hold the lake's data. Tools that insist on their own result location can
    /// mostly be pointed at the workgroup instead; where one cannot, suppress this rule with
    /// its name and reason.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     athena: { enforce_configuration: false }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     athena: {}      # the workgroup's settings win
    /// ```
    ///
    /// ## References
    /// - Amazon Athena User Guide: Override client-side settings
    /// - checkov: CKV_AWS_82 (Athena workgroup enforces its configuration)
    pub static WORKGROUP_NOT_ENFORCED = {
        id: "DAT006",
        name: "workgroup-not-enforced",
        summary: "a lake's Athena workgroup lets clients choose where results go, and unencrypted",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (_, c, l) in super::lakes(ctx.plan) {
        if l.athena.is_some_and(|a| !a.enforce_configuration) {
            findings.push(Finding {
                field: format!("components.{}.athena.enforce_configuration", c.name),
                message: format!(
                    "the Athena workgroup of `{}` lets clients override its result location and encryption",
                    c.name
                ),
                help: "remove `enforce_configuration: false`, or suppress DAT006 for this lake with the client that needs it".into(),
            });
        }
    }
}
