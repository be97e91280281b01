use crate::diagnostics::Severity::Error;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a lake zone whose lifecycle expires objects on or before the day it would move
    /// them to Standard-IA or Glacier: an error in every environment.
    ///
    /// ## Why is this bad?
    /// The transition never happens, so the rule says something the bucket does not do: the
    /// data is deleted while the reader of the blueprint believes it is archived. Most often
    /// the expiry was meant in days and written as the transition's number, or the other way
    /// round.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     zones:
    ///       raw: { glacier_after_days: 365, expire_after_days: 180 }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     zones:
    ///       raw: { glacier_after_days: 365, expire_after_days: 2555 }
    /// ```
    ///
    /// ## References
    /// - Amazon S3 User Guide: Transitioning objects using Amazon S3 Lifecycle
    pub static LIFECYCLE_EXPIRES_BEFORE_TRANSITION = {
        id: "DAT001",
        name: "lifecycle-expires-before-transition",
        summary: "a lake zone's objects expire before they move to a colder storage class",
        component: Component::Components,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (_, c, l) in super::lakes(ctx.plan) {
        for z in &l.zones {
            let Some(expire) = z.lifecycle.expire_after_days else {
                continue;
            };
            for (field, days) in z.lifecycle.transitions_after_expiry() {
                findings.push(Finding {
                    field: format!("components.{}.zones.{}.expire_after_days", c.name, z.name),
                    message: format!(
                        "zone `{}` of `{}` expires objects after {expire} days, before its {field} ({days}) moves them",
                        z.name, c.name
                    ),
                    help: format!(
                        "expire after more than {days} days, move them sooner, or give `{field}: never`"
                    ),
                });
            }
        }
    }
}
