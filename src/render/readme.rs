//! The README of an output folder: what a reviewer asks first. What was generated, from which
//! blueprint and environment; the resources by type (the declared inventory); the address plan;
//! every suppression with its reason; how to deploy; the outputs; and the architecture as a
//! Mermaid diagram. Rendered after the other files, whose text it reads for what they hold
//! (their skips and outputs), so it cannot claim what they do not say.

use serde::Serialize;

use super::{RenderedFile, Target, aws, context, inventory};
use crate::blueprint::partition::BUDGETS_HOME_REGION;
use crate::blueprint::types::Internet;
use crate::components::Kind;
use crate::plan::{ComponentPlan, Plan, Planned};
use crate::validate::Accepted;

/// The README's file name in every output folder.
pub const FILE: &str = "README.md";

#[derive(Debug, Serialize)]
pub struct Readme {
    pub name: String,
    pub description: String,
    /// The environment's kind, whose rules apply.
    pub environment: &'static str,
    /// The environment's own name (`qa`, or `staging` itself).
    pub environment_name: String,
    /// Whether that name is not its kind's, and so the README says both.
    pub named_apart: bool,
    pub region: &'static str,
    pub target: &'static str,
    /// Whether the resources table also names the Terraform types.
    pub terraform: bool,
    pub files: Vec<FileRow>,
    pub resources: Vec<ResourceRow>,
    pub resource_total: usize,
    /// What `cloudwright plan` prints, line by line: the address plan, when there is a network.
    pub address_plan: Option<Vec<String>>,
    pub accepted: Vec<AcceptedRow>,
    pub skips: Vec<SkipRow>,
    pub deploy: Vec<DeployStep>,
    pub outputs: Vec<OutputRow>,
    pub diagram: Diagram,
    pub cost: CostView,
}

/// The cost estimate (crate::cost), its amounts written as dollars.
#[derive(Debug, Serialize)]
pub struct CostView {
    pub source: &'static str,
    pub priced: bool,
    pub priced_regions: String,
    pub total: Option<String>,
    pub fixed: Vec<CostRow>,
    pub usage: Vec<CostRow>,
}

#[derive(Debug, Serialize)]
pub struct CostRow {
    pub what: String,
    pub quantity: String,
    pub unit: &'static str,
    pub price: Option<String>,
    pub monthly: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FileRow {
    pub path: String,
    pub what: String,
}

#[derive(Debug, Serialize)]
pub struct ResourceRow {
    pub cfn: &'static str,
    /// The Terraform type of the same resource, and the types that carry its inline parts;
    /// none where the provider makes it with its parent.
    pub tf: Vec<&'static str>,
    pub count: usize,
}

/// A finding the blueprint accepts (`suppressions:`), or a rule off in its environment.
#[derive(Debug, Serialize)]
pub struct AcceptedRow {
    pub rule: &'static str,
    pub name: &'static str,
    pub reason: String,
    pub by_environment: bool,
}

/// A check a validator skips on one resource, with the reason written next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkipRow {
    pub tool: &'static str,
    pub check: String,
    pub resource: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct DeployStep {
    pub what: String,
    pub commands: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OutputRow {
    pub name: String,
    pub description: String,
}

/// The architecture: the VPC with its tiers, each tier's AZs and the components placed in it,
/// the components outside the VPC, and one labelled arrow per connection.
#[derive(Debug, Default, Serialize)]
pub struct Diagram {
    pub vpc: Option<VpcGroup>,
    pub outside: Vec<Node>,
    /// The budget, watching the whole of it.
    pub budget: Option<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, Serialize)]
pub struct VpcGroup {
    pub id: String,
    pub label: String,
    pub tiers: Vec<TierGroup>,
}

#[derive(Debug, Serialize)]
pub struct TierGroup {
    pub id: String,
    pub label: String,
    pub subnets: Vec<Node>,
    pub components: Vec<Node>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    /// How Mermaid draws it: `box`, `cylinder` (data), `stadium` (an entry point), `hexagon`
    /// (messages), `subroutine` (a workflow).
    pub shape: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
}

/// The README for `target`, given every other file rendered for it.
pub fn readme(
    plan: &Plan,
    accepted: &[Accepted],
    target: Target,
    files: &[RenderedFile],
    inventory: &inventory::Inventory,
) -> Readme {
    let resources: Vec<ResourceRow> = inventory
        .iter()
        .map(|(cfn, count)| ResourceRow {
            cfn,
            tf: terraform_types(cfn),
            count: *count,
        })
        .collect();
    Readme {
        name: plan.name.clone(),
        description: plan.description.clone(),
        environment: plan.environment.as_str(),
        environment_name: plan.environment_name.clone(),
        named_apart: plan.environment_name != plan.environment.as_str(),
        region: plan.region.name,
        target: match target {
            Target::CloudFormation => "CloudFormation",
            Target::Sam => "AWS SAM",
            Target::Terraform => "Terraform",
        },
        terraform: target == Target::Terraform,
        files: files
            .iter()
            .map(|f| FileRow {
                path: f.path.clone(),
                what: what_file(plan, &f.path),
            })
            .collect(),
        resource_total: resources.iter().map(|r| r.count).sum(),
        resources,
        address_plan: plan
            .network
            .as_ref()
            .map(|_| plan.report().lines().map(str::to_string).collect()),
        accepted: accepted
            .iter()
            .map(|a| AcceptedRow {
                rule: a.rule.id,
                name: a.rule.name,
                reason: a.reason.clone(),
                by_environment: a.by_environment,
            })
            .collect(),
        skips: files.iter().flat_map(|f| skips(target, f)).collect(),
        deploy: deploy(plan, target, files),
        outputs: files.iter().flat_map(|f| outputs(target, f)).collect(),
        diagram: diagram(plan),
        cost: cost(plan, inventory),
    }
}

fn cost(plan: &Plan, inventory: &inventory::Inventory) -> CostView {
    let e = crate::cost::estimate_of(plan, inventory);
    CostView {
        source: crate::cost::SOURCE,
        priced: e.priced,
        priced_regions: crate::cost::PRICED
            .iter()
            .map(|(r, _)| *r)
            .collect::<Vec<_>>()
            .join(", "),
        total: e.fixed_total.map(crate::cost::dollars),
        fixed: e
            .fixed
            .iter()
            .map(|f| CostRow {
                what: f.what.clone(),
                quantity: f.quantity.to_string(),
                unit: f.unit,
                price: f.unit_price.map(crate::cost::price),
                monthly: f.monthly.map(crate::cost::dollars),
            })
            .collect(),
        usage: e
            .usage
            .iter()
            .map(|u| CostRow {
                what: u.what.to_string(),
                quantity: String::new(),
                unit: u.unit,
                price: u.price.map(crate::cost::price),
                monthly: None,
            })
            .collect(),
    }
}

fn terraform_types(cfn: &str) -> Vec<&'static str> {
    aws::TYPES
        .iter()
        .filter(|t| t.cfn == cfn)
        .flat_map(|t| {
            t.tf.into_iter()
                .chain(t.tf_with.iter().copied())
                .chain(t.tf_many.iter().copied())
        })
        .collect()
}

/// What a generated file holds, in a few words.
fn what_file(plan: &Plan, path: &str) -> String {
    let component = |file: &str| {
        plan.components
            .iter()
            .find(|c| c.name == file)
            .map(|c| format!("component {} ({})", c.name, c.kind.name()))
    };
    match path {
        "template.yaml" => "the template: every resource below".into(),
        "budget.yaml" => format!(
            "the budget, in a stack of its own (deployed in {BUDGETS_HOME_REGION}, see below)"
        ),
        "samconfig.toml" => {
            "the settings sam deploy reads: stack name, region, capabilities".into()
        }
        "versions.tf" => "the Terraform and provider versions".into(),
        "providers.tf" => "the AWS provider: region and default tags".into(),
        "variables.tf" => "the input variables".into(),
        "network.tf" => "the VPC: subnets, routes, NAT, endpoints, flow logs".into(),
        "budget.tf" => "the budget".into(),
        "outputs.tf" => "the outputs".into(),
        "build.sh" => "packages each function's code into build/<function>.zip".into(),
        _ => {
            if let Some(file) = path.strip_suffix(".tf")
                && let Some(what) = component(file)
            {
                return what;
            }
            if let Some(rest) = path.strip_prefix("src/") {
                let function = rest.split('/').next().unwrap_or(rest);
                return format!("the handler of function {function}: written once, then yours");
            }
            if let Some(rest) = path.strip_prefix("glue/") {
                let lake = rest.split('/').next().unwrap_or(rest);
                return format!("a Glue job script of data lake {lake}: written once, then yours");
            }
            String::new()
        }
    }
}

/// The checks a validator skips in `file`, with their reasons, read from its text.
fn skips(target: Target, file: &RenderedFile) -> Vec<SkipRow> {
    if file.scaffold {
        return Vec::new();
    }
    match target {
        Target::Terraform if file.path.ends_with(".tf") => terraform_skips(&file.body),
        Target::CloudFormation | Target::Sam if file.path.ends_with(".yaml") => {
            cloudformation_skips(&file.body)
        }
        _ => Vec::new(),
    }
}

/// `# checkov:skip=<check>:<reason>` lines, each in the resource block it stands in.
fn terraform_skips(body: &str) -> Vec<SkipRow> {
    let mut resource = String::new();
    let mut rows = Vec::new();
    for line in body.lines() {
        if let Some(rest) = line.strip_prefix("resource \"") {
            resource = rest
                .trim_end_matches(" {")
                .split("\" \"")
                .map(|p| p.trim_matches('"'))
                .collect::<Vec<_>>()
                .join(".");
        }
        if let Some(skip) = line.trim().strip_prefix("# checkov:skip=")
            && let Some((check, reason)) = skip.split_once(':')
        {
            rows.push(SkipRow {
                tool: "checkov",
                check: check.to_string(),
                resource: resource.clone(),
                reason: reason.to_string(),
            });
        }
    }
    rows
}

/// The `Metadata` of every resource: checkov's `skip` list (`id`, `comment`) and cfn-lint's
/// `ignore_checks` (the reason is the comment above each).
fn cloudformation_skips(body: &str) -> Vec<SkipRow> {
    let mut rows = Vec::new();
    let mut section = "";
    let mut resource = String::from("the template");
    let mut ignore_indent: Option<usize> = None;
    let mut reason: Vec<String> = Vec::new();
    let mut checkov: Option<String> = None;
    for line in body.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if indent == 0 && !trimmed.is_empty() && !trimmed.starts_with('#') {
            section = trimmed.split(':').next().unwrap_or("");
            resource = String::from("the template");
            ignore_indent = None;
        } else if section == "Resources" && indent == 2 && trimmed.ends_with(':') {
            resource = trimmed.trim_end_matches(':').to_string();
            ignore_indent = None;
        }
        if let Some(at) = ignore_indent {
            if indent <= at && !trimmed.is_empty() {
                ignore_indent = None;
            } else if let Some(text) = trimmed.strip_prefix("# ") {
                reason.push(text.to_string());
                continue;
            } else if let Some(check) = trimmed.strip_prefix("- ") {
                rows.push(SkipRow {
                    tool: "cfn-lint",
                    check: check.to_string(),
                    resource: resource.clone(),
                    reason: reason.join(" "),
                });
                reason.clear();
                continue;
            }
        }
        if trimmed == "ignore_checks:" {
            ignore_indent = Some(indent);
            reason.clear();
        } else if let Some(id) = trimmed.strip_prefix("- id: ") {
            checkov = serde_yaml::from_str::<String>(id).ok();
        } else if let (Some(comment), Some(check)) =
            (trimmed.strip_prefix("comment: "), checkov.take())
        {
            rows.push(SkipRow {
                tool: "checkov",
                check,
                resource: resource.clone(),
                reason: serde_yaml::from_str::<String>(comment).unwrap_or_default(),
            });
        }
    }
    rows
}

/// The outputs `file` declares, with their descriptions, read from its text.
fn outputs(target: Target, file: &RenderedFile) -> Vec<OutputRow> {
    match target {
        Target::Terraform if file.path == "outputs.tf" => {
            let mut rows = Vec::new();
            for line in file.body.lines() {
                if let Some(rest) = line.strip_prefix("output \"") {
                    rows.push(OutputRow {
                        name: rest.trim_end_matches(" {").trim_matches('"').to_string(),
                        description: String::new(),
                    });
                } else if let Some(text) = line.trim().strip_prefix("description = ")
                    && let Some(row) = rows.last_mut()
                    && row.description.is_empty()
                {
                    row.description = hcl_unquote(text);
                }
            }
            rows
        }
        // Read line by line, as cloudwright writes the section (an output's logical ID two
        // spaces in, its one-line `Description:` four): parsing the whole template would cost
        // more than rendering it.
        Target::CloudFormation | Target::Sam if file.path == "template.yaml" => {
            let mut rows: Vec<OutputRow> = Vec::new();
            let mut in_outputs = false;
            for line in file.body.lines() {
                let indent = line.len() - line.trim_start().len();
                let text = line.trim();
                if text.is_empty() || text.starts_with('#') {
                    continue;
                }
                if indent == 0 {
                    in_outputs = text == "Outputs:";
                } else if in_outputs && indent == 2 && text.ends_with(':') {
                    rows.push(OutputRow {
                        name: text.trim_end_matches(':').to_string(),
                        description: String::new(),
                    });
                } else if in_outputs
                    && indent == 4
                    && let Some(d) = text.strip_prefix("Description: ")
                    && let Some(row) = rows.last_mut()
                {
                    row.description = serde_yaml::from_str(d).unwrap_or_else(|_| d.to_string());
                }
            }
            rows
        }
        _ => Vec::new(),
    }
}

/// The text of an HCL string literal as cloudwright writes them ([`super::escape::hcl_string`]).
fn hcl_unquote(literal: &str) -> String {
    let inner = literal
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(literal);
    inner
        .replace("\\\"", "\"")
        .replace("$${", "${")
        .replace("%%{", "%{")
        .replace("\\\\", "\\")
}

/// The commands that deploy the folder, in order.
fn deploy(plan: &Plan, target: Target, files: &[RenderedFile]) -> Vec<DeployStep> {
    let has = |path: &str| files.iter().any(|f| f.path == path);
    let functions = plan
        .components
        .iter()
        .any(|c| matches!(c.plan, ComponentPlan::Function(_)));
    let region = plan.region.name;
    let stack = &plan.name;
    let mut steps = Vec::new();
    match target {
        Target::CloudFormation if has("template.yaml") => {
            let template = if functions {
                steps.push(DeployStep {
                    what: "Upload the functions' code to an S3 bucket of yours, and point the template at it.".into(),
                    commands: vec![format!(
                        "aws cloudformation package --template-file template.yaml --s3-bucket <artifact-bucket> --output-template-file packaged.yaml --region {region}"
                    )],
                });
                "packaged.yaml"
            } else {
                "template.yaml"
            };
            steps.push(DeployStep {
                what: "Create or update the stack, through that bucket (CloudFormation takes a template of more than 51,200 bytes only from S3; a second copy in the same account and region needs another stack name).".into(),
                commands: vec![format!(
                    "aws cloudformation deploy --template-file {template} --stack-name {stack} --s3-bucket <artifact-bucket> --region {region} --capabilities CAPABILITY_IAM"
                )],
            });
        }
        Target::Sam if has("template.yaml") => steps.push(DeployStep {
            what: "Build, then deploy with the settings in samconfig.toml (the file is generated: --guided would save its answers into it, and cloudwright would then refuse to overwrite it).".into(),
            commands: vec!["sam build".into(), "sam deploy".into()],
        }),
        Target::Terraform => {
            if has("build.sh") {
                steps.push(DeployStep {
                    what: "Package each function's code (the same bytes on every run).".into(),
                    commands: vec!["sh build.sh".into()],
                });
            }
            steps.push(DeployStep {
                what: "Initialise, review the plan, apply it.".into(),
                commands: vec![
                    "terraform init".into(),
                    "terraform plan -out=tfplan".into(),
                    "terraform apply tfplan".into(),
                ],
            });
        }
        Target::CloudFormation | Target::Sam => {}
    }
    if matches!(target, Target::CloudFormation | Target::Sam) {
        steps.extend(glue_scripts(plan));
    }
    if has("budget.yaml") {
        let whereto = context::budget(plan)
            .map(|b| b.deploy_comment)
            .unwrap_or_default();
        steps.push(DeployStep {
            what: format!("The budget, in a stack of its own. {whereto}"),
            commands: vec![format!(
                "aws cloudformation deploy --template-file budget.yaml --stack-name {stack}-budget --region {BUDGETS_HOME_REGION}"
            )],
        });
    }
    steps
}

/// For CloudFormation and SAM, which cannot upload them: each lake's Glue job scripts, into the
/// lake's scripts bucket (encrypted with its key), once the stack exists and before a job runs.
/// Terraform uploads them itself.
fn glue_scripts(plan: &Plan) -> Vec<DeployStep> {
    let region = plan.region.name;
    let stack = &plan.name;
    plan.components
        .iter()
        .filter_map(|c| match &c.plan {
            ComponentPlan::DataLake(l) if !l.jobs.is_empty() => Some((c, l)),
            _ => None,
        })
        .map(|(c, l)| {
            let output = |id: String| {
                format!(
                    "aws cloudformation describe-stacks --stack-name {stack} --region {region} --query \"Stacks[0].Outputs[?OutputKey=='{id}'].OutputValue\" --output text"
                )
            };
            let mut commands = vec![
                format!("bucket=$({})", output(c.ids.id("ScriptsBucket"))),
                format!("key=$({})", output(c.ids.id("KeyArn"))),
            ];
            commands.extend(l.jobs.iter().map(|j| {
                format!(
                    "aws s3 cp glue/{}/{}.py \"s3://$bucket/jobs/{}.py\" --sse aws:kms --sse-kms-key-id \"$key\" --region {region}",
                    c.name, j.name, j.name
                )
            }));
            DeployStep {
                what: format!(
                    "Upload the Glue job scripts of data lake {} into its scripts bucket, once the stack exists and before a job runs (CloudFormation cannot upload them; the jobs read them from there).",
                    c.name
                ),
                commands,
            }
        })
        .collect()
}

/// The tier a component's network interfaces are in, if it is in the VPC.
fn tier(c: &Planned) -> Option<&str> {
    match &c.plan {
        ComponentPlan::Function(f) => f.tier.as_deref(),
        ComponentPlan::DataLake(l) => l.tier.as_deref(),
        ComponentPlan::Database(d) => Some(&d.tier),
        ComponentPlan::Service(s) => Some(&s.tier),
        ComponentPlan::Table(_)
        | ComponentPlan::Api(_)
        | ComponentPlan::Topic(_)
        | ComponentPlan::Queue(_)
        | ComponentPlan::Pipeline(_) => None,
    }
}

/// A Mermaid ID from a name: `prefix_` and the name with `-` as `_`.
fn mermaid_id(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}", name.replace('-', "_"))
}

fn node(c: &Planned) -> Node {
    let shape = match c.kind {
        Kind::Table | Kind::DataLake | Kind::Database => "cylinder",
        Kind::Api => "stadium",
        Kind::Topic | Kind::Queue => "hexagon",
        Kind::Pipeline => "subroutine",
        Kind::Function | Kind::Service => "box",
    };
    Node {
        id: mermaid_id("c", &c.name),
        label: format!("{} {}", c.kind.name().replace('_', " "), c.name),
        shape,
    }
}

fn diagram(plan: &Plan) -> Diagram {
    let vpc = plan.network.as_ref().map(|n| VpcGroup {
        id: "vpc".into(),
        label: format!("VPC {} in {}", n.vpc, plan.region.name),
        tiers: n
            .tiers
            .iter()
            .map(|t| TierGroup {
                id: mermaid_id("t", &t.name),
                label: format!(
                    "tier {}, {}",
                    t.name,
                    match t.internet {
                        Internet::Inbound => "internet gateway",
                        Internet::Outbound => "out through NAT",
                        Internet::None => "no internet",
                    }
                ),
                subnets: t
                    .subnets
                    .iter()
                    .map(|s| {
                        let az = &n.azs[s.az].label;
                        Node {
                            id: mermaid_id("s", &format!("{}_{az}", t.name)),
                            label: format!("AZ {az} {}", s.cidr),
                            shape: "box",
                        }
                    })
                    .collect(),
                components: plan
                    .components
                    .iter()
                    .filter(|c| tier(c) == Some(t.name.as_str()))
                    .map(node)
                    .collect(),
            })
            .collect(),
    });
    let outside = plan
        .components
        .iter()
        .filter(|c| tier(c).is_none() || plan.network.is_none())
        .map(node)
        .collect();
    // One arrow per connection, the way data or events flow: from the user to what it uses, but
    // from a lake's zone to the function its new objects invoke. An API's routes to one function
    // share an arrow that lists them.
    let mut edges: Vec<(usize, usize, String, Vec<&str>)> = Vec::new();
    for c in &plan.connections {
        let (from, to) = if c.access == crate::components::Access::Objects {
            (c.to, c.from)
        } else {
            (c.from, c.to)
        };
        let label = match &c.part {
            Some(part) => format!("{} {part}", c.access.as_str()),
            None => c.access.as_str().to_string(),
        };
        let route = c.field.split_once(".routes.").map(|(_, route)| route);
        match edges
            .iter_mut()
            .find(|(f, t, l, _)| (*f, *t, l.as_str()) == (from, to, label.as_str()))
        {
            Some((.., routes)) => routes.extend(route),
            None => edges.push((from, to, label, route.into_iter().collect())),
        }
    }
    let edges = edges
        .into_iter()
        .map(|(from, to, label, routes)| Edge {
            from: mermaid_id("c", &plan.components[from].name),
            to: mermaid_id("c", &plan.components[to].name),
            label: if routes.is_empty() {
                label
            } else {
                format!("{label} {}", routes.join(", "))
            },
        })
        .collect();
    Diagram {
        vpc,
        outside,
        budget: plan.budget.as_ref().map(|b| Node {
            id: "budget".into(),
            label: format!("monthly budget {} {}", b.limit.amount(), b.currency),
            shape: "box",
        }),
        edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_skips_are_read_with_their_resource() {
        let body = "resource \"aws_s3_bucket\" \"logs\" {\n  # checkov:skip=CKV_AWS_18:this is the access-log bucket\n  bucket = \"x\"\n}\n";
        assert_eq!(
            terraform_skips(body),
            [SkipRow {
                tool: "checkov",
                check: "CKV_AWS_18".into(),
                resource: "aws_s3_bucket.logs".into(),
                reason: "this is the access-log bucket".into(),
            }]
        );
    }

    #[test]
    fn cloudformation_skips_are_read_with_their_resource() {
        let body = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks:\n            # A local path, replaced\n            # by package.\n            - W3002\n      checkov:\n        skip:\n          - id: \"CKV_AWS_116\"\n            comment: \"synchronous: no DLQ\"\n    Properties:\n      X: 1\n";
        assert_eq!(
            cloudformation_skips(body),
            [
                SkipRow {
                    tool: "cfn-lint",
                    check: "W3002".into(),
                    resource: "Fn".into(),
                    reason: "A local path, replaced by package.".into(),
                },
                SkipRow {
                    tool: "checkov",
                    check: "CKV_AWS_116".into(),
                    resource: "Fn".into(),
                    reason: "synchronous: no DLQ".into(),
                },
            ]
        );
    }

    #[test]
    fn hcl_strings_are_read_back() {
        assert_eq!(hcl_unquote(r#""a \"b\" $${c} \\ d""#), r#"a "b" ${c} \ d"#);
    }
}
