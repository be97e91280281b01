use crate::diagnostics::Severity::{Error, Warning};
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a lake zone whose bucket keeps no old versions (`versioning: false`, which
    /// suspends versioning): an error in production, a warning elsewhere.
    ///
    /// ## Why is this bad?
    /// Without versions an object overwritten or deleted by mistake, by a faulty job or by
    /// ransomware is gone: there is nothing to restore it from, and the lifecycle's noncurrent
    /// rules have nothing to keep. Versioning costs only the old versions, which the lake's
    /// lifecycle expires. A zone of scratch data rewritten many times over (Spark's temporary
    /// files) may reasonably go without: suppress this rule for it with that reason.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     zones: { processed: { versioning: false } }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake:
    ///     kind: data_lake
    ///     zones: { processed: {} }      # versioned
    /// ```
    ///
    /// ## References
    /// - Amazon S3 User Guide: Retaining multiple versions of objects with S3 Versioning
    /// - checkov: CKV_AWS_21 (all data stored in the S3 bucket has versioning enabled)
    pub static BUCKET_NOT_VERSIONED = {
        id: "DAT005",
        name: "bucket-not-versioned",
        summary: "a lake zone's bucket keeps no old versions of its objects",
        component: Component::Components,
        levels: [Some(Error), Some(Warning), Some(Warning)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (_, c, l) in super::lakes(ctx.plan) {
        for z in l.zones.iter().filter(|z| !z.versioned) {
            findings.push(Finding {
                field: format!("components.{}.zones.{}.versioning", c.name, z.name),
                message: format!(
                    "zone `{}` of `{}` keeps no old versions: an object overwritten or deleted is lost",
                    z.name, c.name
                ),
                help: "remove `versioning: false`, or suppress DAT005 for this lake with the reason the zone's data can be lost".into(),
            });
        }
    }
}
