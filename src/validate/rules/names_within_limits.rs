use crate::blueprint::types::NAME_RULE;
use crate::diagnostics::Severity::Error;
use crate::naming;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Refuses names AWS would reject: an error in every environment. The blueprint's own names
    /// (`name`, tier names) are checked when it is loaded: kebab-case, at most 64 and 20
    /// characters. Every name cloudwright derives from them is checked against its service's
    /// limits before rendering:
    ///
    /// | derived name | limit |
    /// |---|---|
    /// | subnet `Name` tag | 256 characters |
    /// | CloudWatch Logs log group | 512 characters |
    /// | KMS alias | 256 characters, `alias/` included |
    /// | IAM role name prefix (Terraform) | 38 characters |
    /// | AWS Budgets budget name | 100 characters, no `:` or `\` |
    ///
    /// A derived name that would pass its limit is shortened deterministically (cut, then a
    /// hyphen and six hex digits of its SHA-256), so the rule fires only when a name the user
    /// gave is itself invalid.
    ///
    /// ## Why is this bad?
    /// The deployment fails half-way, on whichever resource first meets the limit.
    ///
    /// ## Example
    /// ```yaml
    /// name: Core_Network
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// name: core-network
    /// ```
    ///
    /// ## References
    /// - IAM quotas (role names 64, `name_prefix` 38 in the Terraform provider); KMS `CreateAlias`;
    ///   CloudWatch Logs `CreateLogGroup`; AWS Budgets `CreateBudget`
    /// - cfn-lint: E3031/E3033 (patterns and lengths of properties); checkov, cdk-nag: no equivalent
    pub static NAMES_WITHIN_LIMITS = {
        id: NAME_RULE,
        name: "names-within-limits",
        summary: "a name is one AWS would refuse",
        component: Component::Blueprint,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for derived in naming::derived(ctx.plan).into_iter().filter(|d| !d.valid()) {
        findings.push(Finding {
            field: derived.field.clone(),
            message: format!(
                "the {} `{}` is not one AWS accepts (at most {} characters of letters, digits and `{}`)",
                derived.service,
                derived.name,
                derived.max,
                derived.also.trim()
            ),
            help: "use a blueprint name and tier names of lowercase letters, digits and hyphens".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::blueprint::{Origin, Source, load};

    #[test]
    fn the_longest_names_derive_names_every_service_accepts() {
        let name = format!("a{}", "-b".repeat(31))
            .chars()
            .take(64)
            .collect::<String>();
        let text = format!(
            "name: {name}\ndescription: x\nenvironment: development\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\n  azs: 6\n  tiers:\n    {tier}: {{ size: /24, internet: none }}\nbudget:\n  monthly_usd: 1\n  alerts: [{{ percent: 100, of: actual }}]\n  emails: [a@example.com]\n",
            tier = "t".repeat(20)
        );
        let doc = load(Source {
            origin: Origin::Catalog("t".into()),
            text,
        })
        .unwrap();
        let plan = crate::plan::plan(&doc, None).unwrap();
        let names = crate::naming::derived(&plan);
        assert!(names.len() > 6);
        for n in &names {
            assert!(n.valid(), "{n:?}");
        }
        let prefix = crate::naming::role_name_prefix(&plan);
        assert!(
            prefix.chars().count() <= 38 && prefix.ends_with('-'),
            "{prefix}"
        );
        assert_ne!(prefix, format!("{name}-flow-logs-"), "shortened");
    }
}
