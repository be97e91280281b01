use crate::diagnostics::Severity::Warning;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a blueprint with data lakes none of which encrypts the account's Glue Data
    /// Catalog (`catalog_encryption: true`): a warning in production and staging, off in
    /// development.
    ///
    /// ## Why is this bad?
    /// The lake's buckets, logs and bookmarks are encrypted with its key, but the catalog holds
    /// the tables' schemas, locations and partition values, and connection passwords, and
    /// without catalog encryption those are stored with no key of the account's. The setting
    /// is the account's, not the lake's, which is why it is asked for rather than assumed:
    /// once on, everyone who uses the catalog needs `kms:Decrypt`, `Encrypt` and
    /// `GenerateDataKey` on the lake's key, and the last stack to set it wins. Where the
    /// account's baseline (or another stack) encrypts the catalog, suppress this rule and say so.
    ///
    /// ## Example
    /// ```yaml
    /// components:
    ///   lake: { kind: data_lake }
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// components:
    ///   lake: { kind: data_lake, catalog_encryption: true }
    /// ```
    ///
    /// ## References
    /// - AWS Glue Developer Guide: Encrypting your Data Catalog
    /// - checkov: CKV_AWS_94 (Glue Data Catalog encryption is enabled)
    pub static CATALOG_NOT_ENCRYPTED = {
        id: "DAT004",
        name: "catalog-not-encrypted",
        summary: "no lake of the blueprint encrypts the account's Glue Data Catalog",
        component: Component::Components,
        levels: [Some(Warning), Some(Warning), None],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let lakes: Vec<_> = super::lakes(ctx.plan).collect();
    if let Some((_, first, _)) = lakes.first()
        && !lakes.iter().any(|(_, _, l)| l.catalog_encryption)
    {
        findings.push(Finding {
            field: format!("components.{}", first.name),
            message: format!(
                "the Data Catalog that lake `{}` writes its databases and tables to is not encrypted with its key",
                first.name
            ),
            help: "set `catalog_encryption: true` on the lake, or suppress DAT004 with the stack that encrypts the account's catalog".into(),
        });
    }
}
