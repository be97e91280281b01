//! References and documents as data: an [`Expr`] is a value that may name a resource (a table's
//! ARN, the partition), a [`Doc`] a tree of them (an IAM policy, a key policy). Each is written
//! for CloudFormation (`!Ref`, `!GetAtt`, `!Sub`) or for Terraform (`aws_x.y.arn`, `"${…}"`)
//! by one function here, with every literal escaped for its format, so both targets carry the
//! same document by construction.

use serde::{Deserialize, Serialize};

use crate::render::escape;

/// One piece of an expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    /// Literal text.
    Lit(String),
    /// A resource of the output: CloudFormation's logical ID and attribute (none for `!Ref`),
    /// and the Terraform expression of the same value (`aws_dynamodb_table.users.arn`).
    Res {
        cfn: String,
        attr: Option<String>,
        tf: String,
    },
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    Partition,
    Region,
    Account,
    /// The partition's DNS suffix (`amazonaws.com`, `amazonaws.com.cn`).
    DnsSuffix,
    /// The stack's name (CloudFormation); the deployment's name, `local.deployment`
    /// (Terraform): unique among the live deployments in an account and region.
    Stack,
    /// What tells this deployment from every other of the blueprint, for names that must be
    /// unique even after a deleted deployment left a retained resource behind: the stack's name
    /// and the unique part of its ID (CloudFormation); the blueprint's name and the ID of the
    /// configuration's `terraform_data.deployment` (Terraform).
    Deployment,
    /// Matches [`Part::Deployment`] in a policy's `ArnLike`: `${AWS::StackName}-*`
    /// (CloudFormation), `${local.deployment}` (Terraform).
    AnyDeployment,
    /// The deployment's short name, for names AWS keeps short (an SQS queue's 80 characters):
    /// the blueprint's name fitted to 20 characters (the text held here) and the first 8
    /// characters of the stack's unique ID (CloudFormation); `local.deployment`, of the same
    /// shape (Terraform). Unique per deployment, and never changing for one.
    Short(String),
    /// [`Part::Short`] in snake case, for names AWS wants without hyphens (a Glue database's,
    /// which Athena's SQL reads as an identifier): the blueprint's name fitted to 20 characters
    /// in snake case (the text held here) and the same 8 characters (CloudFormation);
    /// `local.deployment` with `_` for `-` (Terraform).
    ShortSnake(String),
}

/// A value built from parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expr(pub Vec<Part>);

impl Expr {
    pub fn lit(text: impl Into<String>) -> Expr {
        Expr(vec![Part::Lit(text.into())])
    }

    /// A resource's attribute, e.g. `res("UsersTable", Some("Arn"), "aws_dynamodb_table.users.arn")`.
    pub fn res(cfn: &str, attr: Option<&str>, tf: &str) -> Expr {
        Expr(vec![Part::Res {
            cfn: cfn.to_string(),
            attr: attr.map(str::to_string),
            tf: tf.to_string(),
        }])
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`; `regional: false` leaves the
    /// region empty (IAM, S3).
    pub fn arn(service: &str, regional: bool, resource: Vec<Part>) -> Expr {
        let mut parts = vec![
            Part::Lit("arn:".into()),
            Part::Partition,
            Part::Lit(format!(":{service}:")),
        ];
        if regional {
            parts.push(Part::Region);
        }
        parts.push(Part::Lit(":".into()));
        parts.push(Part::Account);
        parts.push(Part::Lit(":".into()));
        parts.extend(resource);
        Expr(parts).merged()
    }

    /// The parts as one expression, adjacent literals joined.
    pub fn concat(parts: Vec<Part>) -> Expr {
        Expr(parts).merged()
    }

    /// This expression followed by literal text: `${UsersTable.Arn}/index/*`.
    pub fn suffixed(mut self, text: &str) -> Expr {
        self.0.push(Part::Lit(text.to_string()));
        self.merged()
    }

    fn merged(self) -> Expr {
        let mut out: Vec<Part> = Vec::new();
        for p in self.0 {
            match (out.last_mut(), p) {
                (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
                (_, p) => out.push(p),
            }
        }
        Expr(out)
    }

    /// The whole expression when it is literal text.
    pub fn as_lit(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// The expression as a CloudFormation YAML value: a quoted string, `!Ref X`, `!GetAtt X.A`
    /// or `!Sub "…"`.
    pub fn cfn(&self) -> Result<String, String> {
        for p in &self.0 {
            if let Part::Res { cfn, attr, .. } = p
                && (!escape::is_logical_id(cfn) || attr.as_deref().is_some_and(|a| !is_attr(a)))
            {
                return Err(format!("`{cfn}` is not a valid resource reference"));
            }
        }
        Ok(match self.0.as_slice() {
            [Part::Lit(s)] => escape::yaml_string(s),
            [Part::Partition] => "!Ref AWS::Partition".into(),
            [Part::Region] => "!Ref AWS::Region".into(),
            [Part::Account] => "!Ref AWS::AccountId".into(),
            [
                Part::Res {
                    cfn, attr: None, ..
                },
            ] => format!("!Ref {cfn}"),
            [
                Part::Res {
                    cfn, attr: Some(a), ..
                },
            ] => format!("!GetAtt {cfn}.{a}"),
            parts => {
                let mut body = String::new();
                let mut variables = Vec::new();
                if parts.contains(&Part::Deployment) {
                    variables.push("StackUuid: !Select [2, !Split [\"/\", !Ref AWS::StackId]]");
                }
                if parts
                    .iter()
                    .any(|p| matches!(p, Part::Short(_) | Part::ShortSnake(_)))
                {
                    variables.push(
                        "DeploymentId: !Select [0, !Split [\"-\", !Select [2, !Split [\"/\", !Ref AWS::StackId]]]]",
                    );
                }
                for p in parts {
                    match p {
                        Part::Lit(s) => body.push_str(&s.replace("${", "${!")),
                        Part::Res { cfn, attr, .. } => match attr {
                            Some(a) => body.push_str(&format!("${{{cfn}.{a}}}")),
                            None => body.push_str(&format!("${{{cfn}}}")),
                        },
                        Part::Partition => body.push_str("${AWS::Partition}"),
                        Part::Region => body.push_str("${AWS::Region}"),
                        Part::Account => body.push_str("${AWS::AccountId}"),
                        Part::DnsSuffix => body.push_str("${AWS::URLSuffix}"),
                        Part::Stack => body.push_str("${AWS::StackName}"),
                        Part::Deployment => body.push_str("${AWS::StackName}-${StackUuid}"),
                        Part::AnyDeployment => body.push_str("${AWS::StackName}-*"),
                        Part::Short(prefix) => {
                            body.push_str(&prefix.replace("${", "${!"));
                            body.push_str("-${DeploymentId}");
                        }
                        Part::ShortSnake(prefix) => {
                            body.push_str(&prefix.replace("${", "${!"));
                            body.push_str("_${DeploymentId}");
                        }
                    }
                }
                if variables.is_empty() {
                    format!("!Sub {}", escape::yaml_string(&body))
                } else {
                    format!(
                        "!Sub [{}, {{ {} }}]",
                        escape::yaml_string(&body),
                        variables.join(", ")
                    )
                }
            }
        })
    }

    /// The expression as a Terraform value: a quoted string, a bare reference, or a template
    /// string with `${…}` interpolations.
    pub fn tf(&self) -> Result<String, String> {
        for p in &self.0 {
            if let Part::Res { tf, .. } = p
                && !is_tf_reference(tf)
            {
                return Err(format!("`{tf}` is not a valid Terraform reference"));
            }
        }
        Ok(match self.0.as_slice() {
            [Part::Res { tf, .. }] => tf.clone(),
            [Part::Partition] => "local.partition".into(),
            [Part::Region] => "local.region".into(),
            [Part::Account] => "local.account_id".into(),
            parts => {
                let mut out = String::from("\"");
                for p in parts {
                    match p {
                        Part::Lit(s) => {
                            let q = escape::hcl_string(s);
                            out.push_str(&q[1..q.len() - 1]);
                        }
                        Part::Res { tf, .. } => out.push_str(&format!("${{{tf}}}")),
                        Part::Partition => out.push_str("${local.partition}"),
                        Part::Region => out.push_str("${local.region}"),
                        Part::Account => out.push_str("${local.account_id}"),
                        Part::DnsSuffix => out.push_str("${local.dns_suffix}"),
                        Part::Stack | Part::Deployment | Part::AnyDeployment | Part::Short(_) => {
                            out.push_str("${local.deployment}")
                        }
                        Part::ShortSnake(_) => {
                            out.push_str("${replace(local.deployment, \"-\", \"_\")}")
                        }
                    }
                }
                out.push('"');
                out
            }
        })
    }
}

fn is_attr(a: &str) -> bool {
    !a.is_empty()
        && a.split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// `aws_dynamodb_table.users.arn`, `local.x`, `aws_lambda_function.f["k"].arn`: identifiers
/// joined by dots, with an optional quoted index of a safe key.
fn is_tf_reference(r: &str) -> bool {
    let ident = |s: &str| {
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let mut segments = 0;
    for seg in r.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, rest)) => (n, Some(rest)),
            None => (seg, None),
        };
        if !ident(name) {
            return false;
        }
        if let Some(rest) = index {
            // A list's element: `master_user_secret[0]`.
            if rest
                .strip_suffix(']')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            {
                segments += 1;
                continue;
            }
            let Some(key) = rest.strip_suffix("\"]").and_then(|k| k.strip_prefix('"')) else {
                return false;
            };
            if !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
            {
                return false;
            }
        }
        segments += 1;
    }
    segments >= 2
}

/// A document: maps keep their order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Doc {
    Map(Vec<(String, Doc)>),
    List(Vec<Doc>),
    Int(i64),
    /// A decimal number, as written (`2.5`): a retry's backoff rate, a choice's operand.
    Number(String),
    Bool(bool),
    Expr(Expr),
}

impl Doc {
    pub fn str(text: impl Into<String>) -> Doc {
        Doc::Expr(Expr::lit(text))
    }

    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Doc)>) -> Doc {
        Doc::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A finite number: written without a fraction when it has none.
    pub fn number(n: f64) -> Doc {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            Doc::Int(n as i64)
        } else {
            Doc::Number(format!("{n}"))
        }
    }

    /// The document with every reference replaced by a `${Name}` placeholder, and the
    /// placeholders' values: what CloudFormation's `DefinitionSubstitutions` take, so that a
    /// state machine's `Definition` stays plain data. A placeholder is named for what it holds
    /// (`LoadFnFunctionArn`, `Partition`).
    pub fn substituted(&self) -> (Doc, Vec<(String, Expr)>) {
        let mut found = Vec::new();
        let doc = self.substitute_into(&mut found);
        (doc, found)
    }

    fn substitute_into(&self, found: &mut Vec<(String, Expr)>) -> Doc {
        match self {
            Doc::Map(entries) => Doc::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.substitute_into(found)))
                    .collect(),
            ),
            Doc::List(items) => Doc::List(items.iter().map(|d| d.substitute_into(found)).collect()),
            Doc::Expr(e) if e.as_lit().is_none() => {
                let mut text = String::new();
                for p in &e.0 {
                    let (name, value) = match p {
                        Part::Lit(s) => {
                            text.push_str(s);
                            continue;
                        }
                        Part::Res { cfn, attr, .. } => (
                            format!("{cfn}{}", attr.as_deref().unwrap_or("").replace('.', "")),
                            Expr(vec![p.clone()]),
                        ),
                        Part::Partition => ("Partition".to_string(), Expr(vec![p.clone()])),
                        Part::Region => ("Region".to_string(), Expr(vec![p.clone()])),
                        Part::Account => ("AccountId".to_string(), Expr(vec![p.clone()])),
                        Part::DnsSuffix => ("DnsSuffix".to_string(), Expr(vec![p.clone()])),
                        Part::Stack => ("StackName".to_string(), Expr(vec![p.clone()])),
                        Part::Deployment | Part::AnyDeployment => {
                            ("Deployment".to_string(), Expr(vec![p.clone()]))
                        }
                        Part::Short(_) => ("ShortDeployment".to_string(), Expr(vec![p.clone()])),
                        Part::ShortSnake(_) => {
                            ("ShortDeploymentSnake".to_string(), Expr(vec![p.clone()]))
                        }
                    };
                    text.push_str(&format!("${{{name}}}"));
                    if !found.iter().any(|(n, _)| *n == name) {
                        found.push((name, value));
                    }
                }
                Doc::Expr(Expr::lit(text))
            }
            other => other.clone(),
        }
    }

    /// The document as a YAML block whose lines are indented by `indent` spaces; the first
    /// line carries no indentation (it follows `Key:` on a line of its own).
    pub fn cfn(&self, indent: usize) -> Result<String, String> {
        let mut out = String::new();
        self.cfn_into(indent, &mut out)?;
        Ok(out)
    }

    fn cfn_into(&self, indent: usize, out: &mut String) -> Result<(), String> {
        let pad = " ".repeat(indent);
        match self {
            Doc::Map(entries) if entries.is_empty() => out.push_str("{}"),
            Doc::List(items) if items.is_empty() => out.push_str("[]"),
            Doc::Map(entries) => {
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                        out.push_str(&pad);
                    }
                    out.push_str(&yaml_key(k));
                    out.push(':');
                    match v {
                        Doc::Map(e) if !e.is_empty() => {
                            out.push('\n');
                            out.push_str(&" ".repeat(indent + 2));
                            v.cfn_into(indent + 2, out)?;
                        }
                        Doc::List(l) if !l.is_empty() => {
                            out.push('\n');
                            out.push_str(&" ".repeat(indent + 2));
                            v.cfn_into(indent + 2, out)?;
                        }
                        _ => {
                            out.push(' ');
                            v.cfn_into(indent + 2, out)?;
                        }
                    }
                }
            }
            Doc::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                        out.push_str(&pad);
                    }
                    out.push_str("- ");
                    item.cfn_into(indent + 2, out)?;
                }
            }
            Doc::Int(n) => out.push_str(&n.to_string()),
            Doc::Number(n) => out.push_str(n),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Expr(e) => out.push_str(&e.cfn()?),
        }
        Ok(())
    }

    /// The document as an HCL value (for `jsonencode(…)`), its inner lines indented by
    /// `indent` spaces, laid out as `terraform fmt` writes it.
    pub fn tf(&self, indent: usize) -> Result<String, String> {
        let mut out = String::new();
        self.tf_into(indent, &mut out)?;
        Ok(out)
    }

    /// Whether the value is written on one line.
    fn tf_inline(&self) -> bool {
        match self {
            Doc::Map(e) => e.is_empty() || (e.len() == 1 && e[0].1.tf_scalar()),
            Doc::List(l) => l.iter().all(Doc::tf_scalar),
            _ => true,
        }
    }

    fn tf_scalar(&self) -> bool {
        matches!(
            self,
            Doc::Int(_) | Doc::Number(_) | Doc::Bool(_) | Doc::Expr(_)
        )
    }

    fn tf_into(&self, indent: usize, out: &mut String) -> Result<(), String> {
        let inner = " ".repeat(indent + 2);
        match self {
            Doc::Int(n) => out.push_str(&n.to_string()),
            Doc::Number(n) => out.push_str(n),
            Doc::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Doc::Expr(e) => out.push_str(&e.tf()?),
            Doc::Map(e) if e.is_empty() => out.push_str("{}"),
            Doc::Map(e) if self.tf_inline() => {
                let mut v = String::new();
                e[0].1.tf_into(indent, &mut v)?;
                out.push_str(&format!("{{ {} = {v} }}", hcl_key(&e[0].0)));
            }
            Doc::List(items) if self.tf_inline() => {
                let mut parts = Vec::new();
                for item in items {
                    let mut v = String::new();
                    item.tf_into(indent, &mut v)?;
                    parts.push(v);
                }
                out.push('[');
                out.push_str(&parts.join(", "));
                out.push(']');
            }
            Doc::Map(entries) => {
                out.push_str("{\n");
                // `terraform fmt` aligns the `=` of consecutive one-line entries; an entry whose
                // value spans lines ends the run.
                let keys: Vec<String> = entries.iter().map(|(k, _)| hcl_key(k)).collect();
                let mut i = 0;
                while i < entries.len() {
                    let mut j = i;
                    while j < entries.len() && entries[j].1.tf_inline() {
                        j += 1;
                    }
                    let width = keys[i..j]
                        .iter()
                        .map(|k| k.chars().count())
                        .max()
                        .unwrap_or(0);
                    for k in i..j {
                        let mut v = String::new();
                        entries[k].1.tf_into(indent + 2, &mut v)?;
                        out.push_str(&format!("{inner}{:<width$} = {v}\n", keys[k]));
                    }
                    if j < entries.len() {
                        let mut v = String::new();
                        entries[j].1.tf_into(indent + 2, &mut v)?;
                        out.push_str(&format!("{inner}{} = {v}\n", keys[j]));
                        j += 1;
                    }
                    i = j;
                }
                out.push_str(&" ".repeat(indent));
                out.push('}');
            }
            Doc::List(items) => {
                out.push_str("[\n");
                for item in items {
                    let mut v = String::new();
                    item.tf_into(indent + 2, &mut v)?;
                    out.push_str(&format!("{inner}{v},\n"));
                }
                out.push_str(&" ".repeat(indent));
                out.push(']');
            }
        }
        Ok(())
    }
}

/// Plain words YAML 1.1 (or 1.2) reads as a null or a boolean, not a string: IAM's `Null`
/// condition operator among them.
const YAML_NON_STRINGS: [&str; 11] = [
    "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
];

/// A map key in YAML: bare when it is a plain word YAML reads as that string, quoted otherwise.
fn yaml_key(k: &str) -> String {
    if !k.is_empty()
        && k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.chars().all(|c| c.is_ascii_alphanumeric())
        && !YAML_NON_STRINGS.iter().any(|w| w.eq_ignore_ascii_case(k))
    {
        k.to_string()
    } else {
        escape::yaml_string(k)
    }
}

/// A map key in HCL: bare when it is an identifier, quoted otherwise.
fn hcl_key(k: &str) -> String {
    if escape::is_tf_ident(k) && !k.contains('-') {
        k.to_string()
    } else {
        escape::hcl_string(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_that_read_as_null_or_booleans_are_quoted() {
        assert_eq!(yaml_key("StringEquals"), "StringEquals");
        assert_eq!(yaml_key("Null"), "\"Null\"");
        assert_eq!(yaml_key("ON"), "\"ON\"");
        assert_eq!(yaml_key("y"), "\"y\"");
        assert_eq!(yaml_key("Nullable"), "Nullable");
    }

    fn table_arn() -> Expr {
        Expr::res("UsersTable", Some("Arn"), "aws_dynamodb_table.users.arn")
    }

    #[test]
    fn a_lone_reference_is_a_ref_or_getatt_and_a_bare_terraform_reference() {
        assert_eq!(table_arn().cfn().unwrap(), "!GetAtt UsersTable.Arn");
        assert_eq!(table_arn().tf().unwrap(), "aws_dynamodb_table.users.arn");
        let r = Expr::res("UsersTable", None, "aws_dynamodb_table.users.name");
        assert_eq!(r.cfn().unwrap(), "!Ref UsersTable");
    }

    #[test]
    fn mixed_parts_are_a_sub_and_a_template_string_with_literals_escaped() {
        let e = table_arn().suffixed("/index/*");
        assert_eq!(e.cfn().unwrap(), "!Sub \"${UsersTable.Arn}/index/*\"");
        assert_eq!(
            e.tf().unwrap(),
            "\"${aws_dynamodb_table.users.arn}/index/*\""
        );
        let hostile = Expr::arn("logs", true, vec![Part::Lit("x${y}\"%{z}".into())]);
        assert_eq!(
            hostile.cfn().unwrap(),
            "!Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:x${!y}\\\"%{z}\""
        );
        assert_eq!(
            hostile.tf().unwrap(),
            "\"arn:${local.partition}:logs:${local.region}:${local.account_id}:x$${y}\\\"%%{z}\""
        );
    }

    #[test]
    fn an_invalid_reference_is_refused_not_written() {
        assert!(Expr::res("Users-Table", None, "a.b").cfn().is_err());
        assert!(Expr::res("A", None, "aws_x.y}").tf().is_err());
        assert!(Expr::res("A", None, "single").tf().is_err());
    }

    #[test]
    fn documents_are_block_yaml_and_aligned_hcl() {
        let d = Doc::map([
            ("Version", Doc::str("2012-10-17")),
            (
                "Statement",
                Doc::List(vec![Doc::map([
                    ("Sid", Doc::str("Read")),
                    ("Effect", Doc::str("Allow")),
                    ("Action", Doc::List(vec![Doc::str("dynamodb:GetItem")])),
                    ("Resource", Doc::List(vec![Doc::Expr(table_arn())])),
                    (
                        "Condition",
                        Doc::map([(
                            "Bool",
                            Doc::map([("aws:SecureTransport", Doc::str("false"))]),
                        )]),
                    ),
                ])]),
            ),
        ]);
        assert_eq!(
            d.cfn(4).unwrap(),
            "Version: \"2012-10-17\"\n    Statement:\n      - Sid: \"Read\"\n        Effect: \"Allow\"\n        Action:\n          - \"dynamodb:GetItem\"\n        Resource:\n          - !GetAtt UsersTable.Arn\n        Condition:\n          Bool:\n            \"aws:SecureTransport\": \"false\""
        );
        assert_eq!(
            d.tf(2).unwrap(),
            "{\n    Version = \"2012-10-17\"\n    Statement = [\n      {\n        Sid      = \"Read\"\n        Effect   = \"Allow\"\n        Action   = [\"dynamodb:GetItem\"]\n        Resource = [aws_dynamodb_table.users.arn]\n        Condition = {\n          Bool = { \"aws:SecureTransport\" = \"false\" }\n        }\n      },\n    ]\n  }"
        );
    }
}
