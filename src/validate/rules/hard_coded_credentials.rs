use crate::diagnostics::Severity::Error;
use crate::validate::Context;
use crate::validate::rule::{Component, Finding, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags anything in the blueprint that looks like a credential: AWS access key IDs
    /// (`AKIA…`, `ASIA…`), strings shaped like AWS secret access keys, private keys, and values of
    /// fields named like a password, secret or token. An error in every environment.
    ///
    /// ## Why is this bad?
    /// A blueprint is committed, reviewed and copied, and what it holds reaches generated code
    /// and tags visible to anyone who can describe the resources. A secret there is a leaked
    /// secret.
    ///
    /// ## Example
    /// ```yaml
    /// tags:
    ///   deploy-token: ghp_16C7e42F292c6912E7710c838347Ae178B4a
    /// ```
    ///
    /// Use instead: keep the secret in AWS Secrets Manager or SSM Parameter Store and refer to it
    /// from the workload; blueprints carry no secrets.
    ///
    /// ## References
    /// - checkov: CKV_SECRET_2 (AWS access key), CKV_SECRET_6 (base64 high-entropy string)
    /// - cfn-lint: no equivalent; cdk-nag: no equivalent
    pub static HARD_CODED_CREDENTIALS = {
        id: "SEC001",
        name: "hard-coded-credentials",
        summary: "a string of the blueprint looks like a credential",
        component: Component::Blueprint,
        levels: [Some(Error), Some(Error), Some(Error)],
        checkov: &[],
        check: check,
    };
}

/// Field names that announce a secret.
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "api-key",
    "api_key",
    "apikey",
    "private-key",
    "private_key",
];

fn access_key_id(text: &str) -> bool {
    text.as_bytes().windows(20).any(|w| {
        (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w[4..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

fn secret_access_key(text: &str) -> bool {
    let is_key_char = |c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+';
    text.split(|c: char| !is_key_char(c)).any(|word| {
        word.len() == 40
            && word.chars().any(|c| c.is_ascii_uppercase())
            && word.chars().any(|c| c.is_ascii_lowercase())
            && word.chars().any(|c| c.is_ascii_digit())
    })
}

fn private_key(text: &str) -> bool {
    text.contains("-----BEGIN") && text.contains("PRIVATE KEY")
}

/// A function's `environment: { X: { secret: <name> } }` (or `parameter:`): the value is the name
/// of where the secret is kept, which is the right way to pass one.
fn names_a_secret(path: &str) -> bool {
    path.starts_with("components.")
        && path.contains(".environment.")
        && (path.ends_with(".secret") || path.ends_with(".parameter"))
}

fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (path, text) in ctx.doc.scalars() {
        let field = path
            .rsplit(['.', '['])
            .next()
            .unwrap_or(path)
            .to_ascii_lowercase();
        let what = if access_key_id(text) {
            "an AWS access key ID"
        } else if private_key(text) {
            "a private key"
        } else if secret_access_key(text) {
            "an AWS secret access key"
        } else if !text.is_empty()
            && SECRET_NAMES.iter().any(|n| field.contains(n))
            && !names_a_secret(path)
        {
            "a secret (its field is named like one)"
        } else {
            continue;
        };
        findings.push(Finding {
            field: path.to_string(),
            message: format!("the value looks like {what}"),
            help: "remove it and rotate it; keep secrets in AWS Secrets Manager or SSM Parameter Store and refer to them from the workload".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_credential_shapes() {
        assert!(access_key_id("key AKIAIOSFODNN7EXAMPLE here"));
        assert!(!access_key_id("AKIA-not-a-key"));
        assert!(secret_access_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        ));
        assert!(!secret_access_key(
            "Highly available three-AZ VPC with public"
        ));
        assert!(private_key("-----BEGIN RSA PRIVATE KEY-----\nMIIE"));
    }
}
