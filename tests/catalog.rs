//! The catalog, end to end: every blueprint under `blueprints/` (and every rendering fixture under
//! `tests/fixtures/render/`, which reach the code paths the catalog does not) is planned and
//! rendered for every target; the plan and every file are snapshot-tested into `snapshots/`, and
//! the rendered output is parsed back to check that it holds together (references resolve,
//! subnets sit inside the VPC and never overlap).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cloudwright::blueprint::types::Environment;
use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::diagnostics::Severity;
use cloudwright::plan::{self, Plan};
use cloudwright::render::{self, Target};
use cloudwright::validate::{self, Accepted};
use cloudwright::write;
use ipnet::Ipv4Net;

/// A blueprint ready to render: its name, its plan, and the findings its suppressions accept.
struct Case {
    name: String,
    plan: Plan,
    accepted: Vec<Accepted>,
}

impl Case {
    /// The generated files of `target`: the IaC, without the function scaffolds (the user's
    /// code once written) and the build step.
    fn render(&self, target: Target) -> Vec<render::RenderedFile> {
        render::render(&self.plan, &self.accepted, target)
            .unwrap()
            .into_iter()
            .filter(|f| f.path.ends_with(".tf") || f.path.ends_with(".yaml"))
            .collect()
    }
}

fn load_plan(path: &Path) -> Case {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let doc = blueprint::load(Source {
        origin: Origin::Catalog(name.clone()),
        text,
    })
    .unwrap_or_else(|d| panic!("catalog blueprint {name} does not load: {d:#?}"));
    let plan = plan::plan(&doc, None).unwrap_or_else(|d| panic!("{name} does not plan: {d:#?}"));
    let outcome = validate::run(&doc, &plan);
    assert!(
        !outcome.fails(Severity::Error),
        "{name} has errors: {:#?}",
        outcome.diagnostics
    );
    Case {
        name,
        plan,
        accepted: outcome.accepted,
    }
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn catalog_snapshots() {
    for case in catalog_plans() {
        let name = &case.name;
        settings().bind(|| {
            insta::assert_snapshot!(format!("{name}.plan"), case.plan.report());
            for target in Target::ALL {
                for file in case.render(target) {
                    let out = write::with_header(&file, name, &format!("{name}.yaml"));
                    insta::assert_snapshot!(format!("{name}.{target}.{}", file.path), out.contents);
                }
            }
        });
    }
}

#[test]
fn the_catalog_is_embedded_and_matches_the_files() {
    let embedded: Vec<_> = blueprint::catalog().map(|(n, _)| n.to_string()).collect();
    assert!(embedded.contains(&"ha-vpc".to_string()));
    for (name, text) in blueprint::catalog() {
        let on_disk = std::fs::read_to_string(format!("blueprints/{name}.yaml")).unwrap();
        assert_eq!(text, on_disk, "{name} is embedded as it is on disk");
    }
}

#[test]
fn rendering_is_byte_identical_from_run_to_run() {
    for case in catalog_plans() {
        for target in Target::ALL {
            assert_eq!(case.render(target), case.render(target));
        }
    }
}

fn catalog_plans() -> Vec<Case> {
    let mut plans = Vec::new();
    for dir in ["blueprints", "tests/fixtures/render"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        assert!(!paths.is_empty(), "{dir} has blueprints");
        plans.extend(paths.iter().map(|p| load_plan(p)));
    }
    plans
}

fn body(case: &Case, target: Target, path: &str) -> String {
    case.render(target)
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{target} renders {path}"))
        .body
}

fn assert_disjoint_inside(name: &str, vpc: Ipv4Net, subnets: &[Ipv4Net]) {
    assert!(!subnets.is_empty(), "{name}: no subnets found");
    for (i, a) in subnets.iter().enumerate() {
        assert!(
            vpc.contains(a),
            "{name}: subnet {a} is outside the VPC {vpc}"
        );
        for b in &subnets[i + 1..] {
            assert!(
                !a.contains(b) && !b.contains(a),
                "{name}: subnets {a} and {b} overlap"
            );
        }
    }
}

// ---- CloudFormation ----------------------------------------------------------------------

/// Every logical ID a value refers to through `!Ref`, `!GetAtt`, `!Sub` or `DependsOn`.
fn cfn_references(value: &serde_yaml::Value, out: &mut Vec<String>) {
    use serde_yaml::Value;
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            match (tag.as_str(), &tagged.value) {
                ("!Ref", Value::String(s)) => out.push(s.clone()),
                ("!GetAtt", Value::String(s)) => out.push(s.split('.').next().unwrap().to_string()),
                ("!Sub", Value::String(s)) => {
                    let mut rest = s.as_str();
                    while let Some(start) = rest.find("${") {
                        let end = rest[start..].find('}').expect("closed ${") + start;
                        let var = &rest[start + 2..end];
                        if !var.starts_with('!') {
                            out.push(var.split('.').next().unwrap().to_string());
                        }
                        rest = &rest[end..];
                    }
                }
                _ => cfn_references(&tagged.value, out),
            }
        }
        Value::Sequence(items) => items.iter().for_each(|v| cfn_references(v, out)),
        Value::Mapping(map) => {
            for (k, v) in map {
                if k.as_str() == Some("DependsOn") {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        Value::Sequence(items) => {
                            out.extend(items.iter().filter_map(|i| i.as_str().map(String::from)))
                        }
                        _ => panic!("odd DependsOn {v:?}"),
                    }
                } else {
                    cfn_references(v, out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn cloudformation_and_sam_references_resolve_and_subnets_fit() {
    for case in catalog_plans() {
        let (name, plan) = (&case.name, &case.plan);
        for target in [Target::CloudFormation, Target::Sam] {
            let text = body(&case, target, "template.yaml");
            let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
            let resources = doc["Resources"].as_mapping().expect("Resources");
            let ids: BTreeSet<String> = resources
                .keys()
                .map(|k| k.as_str().unwrap().to_string())
                .collect();
            let parameters: Vec<String> = doc["Parameters"]
                .as_mapping()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str().unwrap().to_string())
                .collect();
            let mut refs = Vec::new();
            cfn_references(&doc["Resources"], &mut refs);
            cfn_references(&doc["Outputs"], &mut refs);
            assert!(
                refs.len() > 5 || plan.network.is_none(),
                "{name}/{target}: too few references found ({})",
                refs.len()
            );
            for r in refs {
                assert!(
                    ids.contains(&r) || r.starts_with("AWS::") || parameters.contains(&r),
                    "{name}/{target}: reference to {r}, which is not a resource or parameter"
                );
            }
            let of_type = |t: &str| -> Vec<&serde_yaml::Value> {
                resources
                    .values()
                    .filter(|r| r["Type"].as_str() == Some(t))
                    .collect()
            };
            let vpcs = of_type("AWS::EC2::VPC");
            let Some(network) = &plan.network else {
                assert!(vpcs.is_empty(), "{name}/{target}: a VPC without a network");
                continue;
            };
            assert_eq!(vpcs.len(), 1);
            let vpc: Ipv4Net = vpcs[0]["Properties"]["CidrBlock"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            let subnets: Vec<Ipv4Net> = of_type("AWS::EC2::Subnet")
                .iter()
                .map(|s| {
                    s["Properties"]["CidrBlock"]
                        .as_str()
                        .unwrap()
                        .parse()
                        .unwrap()
                })
                .collect();
            assert_eq!(
                subnets.len(),
                network.tiers.iter().map(|t| t.subnets.len()).sum::<usize>()
            );
            assert_disjoint_inside(name, vpc, &subnets);
            if target == Target::Sam {
                assert_eq!(
                    doc["Transform"].as_str(),
                    Some("AWS::Serverless-2016-10-31")
                );
            }
        }
    }
}

// ---- Terraform ---------------------------------------------------------------------------

#[derive(Default)]
struct TfIndex {
    /// `aws_vpc.this`, `data.aws_partition.current`, `local.subnets`, `var.region`.
    declared: BTreeSet<String>,
    /// The same, for every reference found, with the file it is in.
    used: Vec<(String, String)>,
}

fn tf_expr(expr: &hcl::Expression, bound: &BTreeSet<String>, file: &str, index: &mut TfIndex) {
    use hcl::expr::{Expression as E, TraversalOperator as Op};
    match expr {
        E::Traversal(t) => {
            if let E::Variable(v) = &t.expr {
                let root = v.as_str().to_string();
                let attrs: Vec<String> = t
                    .operators
                    .iter()
                    .map_while(|op| match op {
                        Op::GetAttr(id) => Some(id.as_str().to_string()),
                        _ => None,
                    })
                    .collect();
                let name = match root.as_str() {
                    "data" => format!("data.{}.{}", attrs[0], attrs[1]),
                    "each" | "count" | "path" | "terraform" => String::new(),
                    _ if bound.contains(&root) => String::new(),
                    _ => format!("{root}.{}", attrs[0]),
                };
                if !name.is_empty() {
                    index.used.push((name, file.to_string()));
                }
            } else {
                tf_expr(&t.expr, bound, file, index);
            }
            for op in &t.operators {
                if let Op::Index(e) = op {
                    tf_expr(e, bound, file, index);
                }
            }
        }
        E::Variable(v) => {
            assert!(
                bound.contains(v.as_str()),
                "{file}: bare variable {}",
                v.as_str()
            );
        }
        E::Array(items) => items.iter().for_each(|e| tf_expr(e, bound, file, index)),
        E::Object(obj) => {
            for (k, v) in obj {
                if let hcl::expr::ObjectKey::Expression(k) = k {
                    tf_expr(k, bound, file, index);
                }
                tf_expr(v, bound, file, index);
            }
        }
        E::TemplateExpr(t) => {
            let template = hcl::Template::from_expr(t).unwrap();
            for element in template.elements() {
                match element {
                    hcl::template::Element::Interpolation(i) => {
                        tf_expr(&i.expr, bound, file, index)
                    }
                    hcl::template::Element::Literal(_) => {}
                    hcl::template::Element::Directive(_) => {
                        panic!("{file}: unexpected template directive")
                    }
                }
            }
        }
        E::FuncCall(f) => f.args.iter().for_each(|e| tf_expr(e, bound, file, index)),
        E::Parenthesis(e) => tf_expr(e, bound, file, index),
        E::Conditional(c) => {
            tf_expr(&c.cond_expr, bound, file, index);
            tf_expr(&c.true_expr, bound, file, index);
            tf_expr(&c.false_expr, bound, file, index);
        }
        E::Operation(op) => match op.as_ref() {
            hcl::expr::Operation::Unary(u) => tf_expr(&u.expr, bound, file, index),
            hcl::expr::Operation::Binary(b) => {
                tf_expr(&b.lhs_expr, bound, file, index);
                tf_expr(&b.rhs_expr, bound, file, index);
            }
        },
        E::ForExpr(f) => {
            tf_expr(&f.collection_expr, bound, file, index);
            let mut inner = bound.clone();
            inner.insert(f.value_var.as_str().to_string());
            if let Some(k) = &f.key_var {
                inner.insert(k.as_str().to_string());
            }
            for e in [
                f.key_expr.as_ref(),
                Some(&f.value_expr),
                f.cond_expr.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                tf_expr(e, &inner, file, index);
            }
        }
        _ => {}
    }
}

fn tf_body(body: &hcl::Body, file: &str, index: &mut TfIndex) {
    let label = |b: &hcl::Block, i: usize| match &b.labels[i] {
        hcl::BlockLabel::String(s) => s.clone(),
        hcl::BlockLabel::Identifier(id) => id.as_str().to_string(),
    };
    for structure in body.iter() {
        match structure {
            // A variable's `type` is a type expression (`map(string)`), and a lifecycle's
            // `ignore_changes` names the resource's own attributes: neither is a reference.
            hcl::Structure::Attribute(a)
                if a.key.as_str() == "type" || a.key.as_str() == "ignore_changes" => {}
            hcl::Structure::Attribute(a) => tf_expr(&a.expr, &BTreeSet::new(), file, index),
            hcl::Structure::Block(b) => {
                match b.identifier.as_str() {
                    "resource" => {
                        index
                            .declared
                            .insert(format!("{}.{}", label(b, 0), label(b, 1)));
                    }
                    "data" => {
                        index
                            .declared
                            .insert(format!("data.{}.{}", label(b, 0), label(b, 1)));
                    }
                    "variable" => {
                        index.declared.insert(format!("var.{}", label(b, 0)));
                    }
                    "locals" => {
                        for a in b.body.attributes() {
                            index.declared.insert(format!("local.{}", a.key.as_str()));
                        }
                    }
                    // An aliased provider configuration is referenced as `aws.<alias>`.
                    "provider" => {
                        if let Some(hcl::Expression::String(alias)) = b
                            .body
                            .attributes()
                            .find(|a| a.key.as_str() == "alias")
                            .map(|a| &a.expr)
                        {
                            index.declared.insert(format!("{}.{alias}", label(b, 0)));
                        }
                    }
                    _ => {}
                }
                tf_body(&b.body, file, index);
            }
        }
    }
}

fn local_object<'a>(body: &'a hcl::Body, name: &str) -> Option<&'a hcl::Expression> {
    body.blocks()
        .filter(|b| b.identifier.as_str() == "locals")
        .flat_map(|b| b.body.attributes())
        .find(|a| a.key.as_str() == name)
        .map(|a| &a.expr)
}

#[test]
fn terraform_references_resolve_and_subnets_fit() {
    for case in catalog_plans() {
        let (name, plan) = (&case.name, &case.plan);
        let files = case.render(Target::Terraform);
        let mut index = TfIndex::default();
        let mut bodies = BTreeMap::new();
        for f in &files {
            let parsed = hcl::parse(&f.body).unwrap_or_else(|e| panic!("{name}/{}: {e}", f.path));
            tf_body(&parsed, &f.path, &mut index);
            bodies.insert(f.path.clone(), parsed);
        }
        assert!(
            index.used.len() > 5 || plan.network.is_none(),
            "{name}: too few references found"
        );
        for (used, file) in &index.used {
            assert!(
                index.declared.contains(used),
                "{name}/{file}: {used} is not declared"
            );
        }

        let Some(planned) = &plan.network else {
            assert!(
                !bodies.contains_key("network.tf"),
                "{name}: network.tf without a network"
            );
            continue;
        };
        let network = &bodies["network.tf"];
        let vpc = network
            .blocks()
            .find(|b| b.identifier.as_str() == "resource" && b.labels[0].as_str() == "aws_vpc")
            .and_then(|b| b.body.attributes().find(|a| a.key.as_str() == "cidr_block"))
            .map(|a| match &a.expr {
                hcl::Expression::String(s) => s.parse::<Ipv4Net>().unwrap(),
                other => panic!("cidr_block {other:?}"),
            })
            .expect("aws_vpc cidr_block");
        let Some(hcl::Expression::Object(subnets)) = local_object(network, "subnets") else {
            panic!("{name}: local.subnets is not an object");
        };
        let cidrs: Vec<Ipv4Net> = subnets
            .values()
            .map(|s| match s {
                hcl::Expression::Object(o) => o
                    .iter()
                    .find(|(k, _)| matches!(k, hcl::ObjectKey::Identifier(id) if id.as_str() == "cidr_block"))
                    .map(|(_, v)| match v {
                        hcl::Expression::String(c) => c.parse().unwrap(),
                        other => panic!("cidr_block {other:?}"),
                    })
                    .expect("cidr_block"),
                other => panic!("subnet {other:?}"),
            })
            .collect();
        assert_eq!(
            cidrs.len(),
            planned.tiers.iter().map(|t| t.subnets.len()).sum::<usize>()
        );
        assert_disjoint_inside(name, vpc, &cidrs);
        assert!(
            !files
                .iter()
                .any(|f| f.body.contains("count =") || f.body.contains("count=")),
            "{name}: resources are keyed with for_each, never count"
        );
    }
}

// ---- The second deployment, the first change, other partitions ---------------------------

/// Global service principals: the same name in every partition (AWS's own policies for VPC Flow
/// Logs and Budgets use them in aws-cn and aws-us-gov too).
/// Service principals that are spelt the same in every partition (AWS China included).
const GLOBAL_PRINCIPALS: &[&str] = &[
    "vpc-flow-logs.amazonaws.com",
    "budgets.amazonaws.com",
    "lambda.amazonaws.com",
    "apigateway.amazonaws.com",
    "sns.amazonaws.com",
    "cloudwatch.amazonaws.com",
    "dynamodb.amazonaws.com",
    "states.amazonaws.com",
    "scheduler.amazonaws.com",
    "glue.amazonaws.com",
    "logging.s3.amazonaws.com",
    "s3.amazonaws.com",
    // Lake Formation's China guide ("Requirements for roles used to register locations") has
    // the data-access role trust this name too.
    "lakeformation.amazonaws.com",
    // RDS enhanced monitoring's and AWS Backup's service principals, which their guides name
    // without a partition's DNS suffix.
    "monitoring.rds.amazonaws.com",
    "backup.amazonaws.com",
    // ECS tasks' and Elastic Load Balancing log delivery's service principals, which their
    // guides name without a partition's DNS suffix.
    "ecs-tasks.amazonaws.com",
    "logdelivery.elasticloadbalancing.amazonaws.com",
];

/// Every `amazonaws.com` in `text` is part of a global principal or of a VPC endpoint service
/// name (`com.amazonaws.<region>.s3`): regional principals and endpoints are built from the
/// partition's DNS suffix, never written out.
fn assert_no_hard_coded_dns_suffix(name: &str, file: &str, text: &str) {
    for (at, _) in text.match_indices("amazonaws.com") {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            .map_or(0, |i| i + 1);
        let end = text[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
            .map_or(text.len(), |i| at + i);
        let word = text[start..end].trim_end_matches('.');
        assert!(
            GLOBAL_PRINCIPALS.contains(&word)
                || word.starts_with("com.amazonaws.")
                // An image the blueprint names in a private ECR repository, as given.
                || word.contains(".dkr.ecr.")
                || word.starts_with("cn.com.amazonaws."),
            "{name}/{file}: `{word}` hard-codes the commercial partition's DNS suffix"
        );
    }
}

/// The text of a `!Sub`, in either form (`!Sub "…"`, `!Sub ["…", { … }]`).
fn sub_body(value: &serde_yaml::Value) -> Option<&str> {
    match value {
        serde_yaml::Value::Tagged(t) if t.tag == "!Sub" => t
            .value
            .as_str()
            .or_else(|| t.value.as_sequence()?.first()?.as_str()),
        _ => None,
    }
}

#[test]
fn cloudformation_survives_a_second_deployment_and_any_partition() {
    for case in catalog_plans() {
        let name = &case.name;
        for target in [Target::CloudFormation, Target::Sam] {
            for file in case.render(target) {
                assert_no_hard_coded_dns_suffix(name, &file.path, &file.body);
                let doc: serde_yaml::Value = serde_yaml::from_str(&file.body).unwrap();
                let resources = doc["Resources"].as_mapping().expect("Resources");
                for (id, r) in resources {
                    let ty = r["Type"].as_str().unwrap();
                    let props = &r["Properties"];
                    // The network's logs always outlive the stack; a component's in production.
                    let production = case.plan.environment == Environment::Production;
                    let network = id.as_str().is_some_and(|i| i.starts_with("FlowLogs"));
                    if matches!(ty, "AWS::Logs::LogGroup" | "AWS::KMS::Key")
                        && (production || network)
                    {
                        for policy in ["DeletionPolicy", "UpdateReplacePolicy"] {
                            assert_eq!(
                                r[policy].as_str(),
                                Some("Retain"),
                                "{name}/{target}: {id:?} ({ty}) must be retained"
                            );
                        }
                    }
                    // A physical name is either generated by CloudFormation or made unique per
                    // deployment: from the stack's name, the VPC's ID, or the stack's ID.
                    for key in ["LogGroupName", "AliasName", "RoleName", "GroupName"] {
                        if let Some(v) = props.get(key) {
                            if matches!(v, serde_yaml::Value::Tagged(t) if t.tag == "!Ref") {
                                continue;
                            }
                            let body = sub_body(v).unwrap_or_else(|| {
                                panic!("{name}/{target}: {id:?}.{key} is a fixed name: {v:?}")
                            });
                            assert!(
                                body.contains("${Vpc}")
                                    || body.contains("${AWS::StackName}")
                                    || body.contains("${DeploymentId}"),
                                "{name}/{target}: {id:?}.{key} `{body}` is the same in every deployment"
                            );
                        }
                    }
                    if ty == "AWS::Budgets::Budget" {
                        assert!(
                            props["Budget"].get("BudgetName").is_none(),
                            "{name}/{target}: budget names are unique per account; let CloudFormation pick one"
                        );
                        assert!(
                            case.plan.region.has_budget_resource() || file.path == "budget.yaml",
                            "{name}/{target}: {} has no AWS::Budgets::Budget",
                            case.plan.region.name
                        );
                    }
                }
                if file.path == "budget.yaml" {
                    assert!(
                        file.body.starts_with("# Deploy in region: us-east-1"),
                        "{name}/{target}: budget.yaml says where it goes"
                    );
                    continue;
                }
                // Exports hold single values that growth never changes: never a joined list.
                for (id, o) in doc["Outputs"].as_mapping().into_iter().flatten() {
                    if o.get("Export").is_some() {
                        let value = &o["Value"];
                        let single = match value {
                            serde_yaml::Value::String(_) => true,
                            serde_yaml::Value::Tagged(t) => {
                                ["!Ref", "!GetAtt"].contains(&t.tag.to_string().as_str())
                                    || (t.tag == "!Sub" && t.value.as_str().is_some())
                            }
                            _ => false,
                        };
                        assert!(single, "{name}/{target}: export {id:?} is {value:?}");
                    }
                }
            }
            let files: Vec<String> = case.render(target).into_iter().map(|f| f.path).collect();
            let own = case.plan.budget.is_some()
                && (!case.plan.region.has_budget_resource()
                    || case.plan.region.partition.name == "aws-us-gov");
            assert_eq!(
                files.contains(&"budget.yaml".to_string()),
                own,
                "{name}/{target}: {files:?}"
            );
        }
    }
}

#[test]
fn terraform_survives_a_second_apply_and_any_partition() {
    for case in catalog_plans() {
        let name = &case.name;
        let files = case.render(Target::Terraform);
        for f in &files {
            assert_no_hard_coded_dns_suffix(name, &f.path, &f.body);
            assert!(
                !f.body.contains("var.region"),
                "{name}/{}: the region is fixed by the plan, not a variable",
                f.path
            );
            let parsed = hcl::parse(&f.body).unwrap();
            for block in parsed
                .blocks()
                .filter(|b| b.identifier.as_str() == "resource")
            {
                let ty = block.labels[0].as_str();
                let attr = |key: &str| {
                    block
                        .body
                        .attributes()
                        .find(|a| a.key.as_str() == key)
                        .map(|a| a.expr.to_string())
                };
                match ty {
                    "aws_cloudwatch_log_group" => {
                        // The network's logs always outlive the configuration; a component's in
                        // production.
                        if case.plan.environment == Environment::Production
                            || block.labels[1].as_str() == "flow_logs"
                        {
                            assert_eq!(
                                attr("skip_destroy").as_deref(),
                                Some("true"),
                                "{name}: {ty}"
                            );
                        }
                        let n = attr("name").unwrap_or_default();
                        assert!(
                            n.starts_with("local.") || n.contains("${local.deployment}"),
                            "{name}: {ty} name {n}"
                        );
                    }
                    "aws_kms_key" => {
                        assert_eq!(
                            attr("deletion_window_in_days").as_deref(),
                            Some("30"),
                            "{name}: {ty}"
                        );
                        let protected = block
                            .body
                            .blocks()
                            .filter(|b| b.identifier.as_str() == "lifecycle")
                            .flat_map(|b| b.body.attributes())
                            .any(|a| {
                                a.key.as_str() == "prevent_destroy" && a.expr.to_string() == "true"
                            });
                        assert!(
                            protected || case.plan.environment != Environment::Production,
                            "{name}: {ty} must outlive `terraform destroy`"
                        );
                    }
                    "aws_kms_alias" => {
                        let n = attr("name").unwrap_or_default();
                        assert!(
                            n.contains("aws_vpc.this.id") || n.contains("local.deployment"),
                            "{name}: {ty} name {n}"
                        );
                    }
                    "aws_budgets_budget" | "aws_iam_role" | "aws_security_group" => {
                        assert!(attr("name").is_none(), "{name}: {ty} has a fixed name");
                        assert!(attr("name_prefix").is_some(), "{name}: {ty}");
                    }
                    _ => {}
                }
            }
        }
        let flow_logs = case.plan.network.as_ref().and_then(|n| n.flow_logs);
        if flow_logs.is_some() {
            let network = files.iter().find(|f| f.path == "network.tf").unwrap();
            assert!(
                network.body.contains(
                    "flow_logs_group        = \"${local.flow_logs_group_prefix}/${aws_vpc.this.id}/flow-logs\""
                ),
                "{name}: the flow-log group is named for the VPC"
            );
        }
    }
}

#[test]
fn sam_deploys_with_the_settings_it_is_given() {
    for case in catalog_plans() {
        let files = render::render(&case.plan, &case.accepted, Target::Sam).unwrap();
        let Some(config) = files.iter().find(|f| f.path == "samconfig.toml") else {
            assert!(
                !files.iter().any(|f| f.path == "template.yaml"),
                "{}: a SAM template without samconfig.toml",
                case.name
            );
            continue;
        };
        let table: toml::Table = config.body.parse().unwrap();
        let deploy = &table["default"]["deploy"]["parameters"];
        assert_eq!(
            table["default"]["global"]["parameters"]["stack_name"].as_str(),
            Some(case.plan.name.as_str())
        );
        assert_eq!(deploy["region"].as_str(), Some(case.plan.region.name));
        assert_eq!(deploy["capabilities"].as_str(), Some("CAPABILITY_IAM"));
    }
}

#[test]
fn every_function_gets_its_handler_once_and_terraform_its_build_step() {
    for case in catalog_plans() {
        for target in Target::ALL {
            let files = render::render(&case.plan, &case.accepted, target).unwrap();
            for c in &case.plan.components {
                let plan::ComponentPlan::Function(f) = &c.plan else {
                    continue;
                };
                let path = format!("src/{}/{}", c.name, f.runtime.info().file);
                let handler = files.iter().find(|f| f.path == path);
                // The handler of its runtime, marked as a scaffold (written once, never with a
                // header: tests/cli.rs checks what reaches the disk).
                let entry = match f.runtime {
                    cloudwright::components::function::Runtime::Nodejs => "export const handler",
                    cloudwright::components::function::Runtime::Python => "def handler(",
                };
                assert!(
                    handler.is_some_and(|h| h.scaffold && h.body.contains(entry)),
                    "{}/{target}: {path} is the scaffolded {entry}",
                    case.name
                );
            }
            let functions = case
                .plan
                .components
                .iter()
                .any(|c| matches!(c.plan, plan::ComponentPlan::Function(_)));
            assert_eq!(
                files.iter().any(|f| f.path == "build.sh"),
                functions && target == Target::Terraform,
                "{}/{target}",
                case.name
            );
        }
    }
}

/// How many instances each Terraform resource type has: a block is one, or as many as the
/// literal `local` map its `for_each` names has entries.
fn tf_instances(files: &[render::RenderedFile]) -> BTreeMap<String, usize> {
    let bodies: Vec<hcl::Body> = files.iter().map(|f| hcl::parse(&f.body).unwrap()).collect();
    let local_size = |name: &str| -> usize {
        bodies
            .iter()
            .find_map(|b| local_object(b, name))
            .map(|e| match e {
                hcl::Expression::Object(o) => o.len(),
                other => panic!("local.{name} is not a literal map: {other:?}"),
            })
            .unwrap_or_else(|| panic!("no local.{name}"))
    };
    let mut counts = BTreeMap::new();
    for body in &bodies {
        for block in body
            .blocks()
            .filter(|b| b.identifier.as_str() == "resource")
        {
            let n = match block
                .body
                .attributes()
                .find(|a| a.key.as_str() == "for_each")
            {
                None => 1,
                Some(a) => {
                    let text = a.expr.to_string();
                    let name = text
                        .strip_prefix("local.")
                        .unwrap_or_else(|| panic!("for_each over {text}, not a local map"));
                    local_size(name)
                }
            };
            *counts
                .entry(block.labels[0].as_str().to_string())
                .or_default() += n;
        }
    }
    counts
}

fn cfn_types(files: &[render::RenderedFile]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for f in files.iter().filter(|f| f.path.ends_with(".yaml")) {
        let doc: serde_yaml::Value = serde_yaml::from_str(&f.body).unwrap();
        for r in doc["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(_, r)| r)
        {
            *counts
                .entry(r["Type"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    counts
}

#[test]
fn every_target_renders_exactly_the_declared_inventory() {
    use cloudwright::render::aws::{SAM_TYPES, TF_ONLY, TF_SAME, TYPES};
    for case in catalog_plans() {
        let name = &case.name;
        let cfn = cfn_types(&case.render(Target::CloudFormation));
        let mut tf = tf_instances(&case.render(Target::Terraform));
        for (other, same) in TF_SAME {
            if let Some(n) = tf.remove(*other) {
                *tf.entry(same.to_string()).or_default() += n;
            }
        }
        let mut sam = cfn_types(&case.render(Target::Sam));
        for (serverless, plain) in SAM_TYPES {
            if let Some(n) = sam.remove(*serverless) {
                *sam.entry(plain.to_string()).or_default() += n;
            }
        }
        assert_eq!(sam, cfn, "{name}: SAM and CloudFormation differ");
        let declared: BTreeMap<String, usize> =
            render::inventory::inventory(&case.plan, &case.accepted)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(
            cfn, declared,
            "{name}: CloudFormation is not the declared inventory"
        );
        for (ty, n) in &cfn {
            let t = TYPES
                .iter()
                .find(|t| t.cfn == ty)
                .unwrap_or_else(|| panic!("{name}: {ty} is not declared in src/render/aws.rs"));
            if let Some(tf_type) = t.tf {
                assert_eq!(
                    tf.get(tf_type),
                    Some(n),
                    "{name}: {n} × {ty}, but Terraform has {:?} × {tf_type}",
                    tf.get(tf_type)
                );
                for with in t.tf_with {
                    assert!(
                        tf.get(*with).is_none_or(|m| m <= n),
                        "{name}: more {with} than {ty}"
                    );
                }
            }
        }
        for ty in tf.keys() {
            assert!(
                TF_ONLY.contains(&ty.as_str())
                    || TYPES.iter().any(|t| {
                        (t.tf == Some(ty.as_str())
                            || t.tf_with.contains(&ty.as_str())
                            || t.tf_many.contains(&ty.as_str()))
                            && cfn.contains_key(t.cfn)
                    }),
                "{name}: Terraform's {ty} has no CloudFormation counterpart in this blueprint"
            );
        }
    }
}

/// Every action of every role's inline policy, by role: CloudFormation's `Policies` and
/// Terraform's `aws_iam_role_policy` `jsonencode` body.
fn cfn_role_actions(files: &[render::RenderedFile]) -> Vec<BTreeSet<String>> {
    let mut roles = Vec::new();
    for f in files.iter().filter(|f| f.path.ends_with(".yaml")) {
        let doc: serde_yaml::Value = serde_yaml::from_str(&f.body).unwrap();
        for r in doc["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(_, r)| r)
        {
            // A role of AWS managed policies only (AWS Backup's service role) has no inline
            // actions to compare.
            if r["Type"].as_str() != Some("AWS::IAM::Role") || r["Properties"]["Policies"].is_null()
            {
                continue;
            }
            let mut out = BTreeSet::new();
            for p in r["Properties"]["Policies"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                for s in p["PolicyDocument"]["Statement"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                {
                    match &s["Action"] {
                        serde_yaml::Value::String(a) => {
                            out.insert(a.clone());
                        }
                        serde_yaml::Value::Sequence(list) => {
                            out.extend(list.iter().filter_map(|a| a.as_str().map(str::to_string)));
                        }
                        _ => {}
                    }
                }
            }
            roles.push(out);
        }
    }
    roles.sort();
    roles
}

/// The string values of every `Action` key inside `expr` (a `jsonencode({…})` call).
fn collect_actions(expr: &hcl::Expression, out: &mut BTreeSet<String>) {
    match expr {
        hcl::Expression::FuncCall(call) => {
            for arg in &call.args {
                collect_actions(arg, out);
            }
        }
        hcl::Expression::Array(items) => {
            for item in items {
                collect_actions(item, out);
            }
        }
        hcl::Expression::Object(object) => {
            for (key, value) in object {
                let is_action = match key {
                    hcl::ObjectKey::Identifier(id) => id.as_str() == "Action",
                    hcl::ObjectKey::Expression(hcl::Expression::String(s)) => s == "Action",
                    _ => false,
                };
                match (is_action, value) {
                    (true, hcl::Expression::String(a)) => {
                        out.insert(a.clone());
                    }
                    (true, hcl::Expression::Array(list)) => {
                        out.extend(list.iter().filter_map(|a| match a {
                            hcl::Expression::String(s) => Some(s.clone()),
                            _ => None,
                        }));
                    }
                    _ => collect_actions(value, out),
                }
            }
        }
        _ => {}
    }
}

fn tf_role_actions(files: &[render::RenderedFile]) -> Vec<BTreeSet<String>> {
    let mut roles = Vec::new();
    for f in files {
        let body = hcl::parse(&f.body).unwrap();
        for block in body.blocks().filter(|b| {
            b.identifier.as_str() == "resource" && b.labels[0].as_str() == "aws_iam_role_policy"
        }) {
            let policy = block
                .body
                .attributes()
                .find(|a| a.key.as_str() == "policy")
                .map(|a| &a.expr)
                .unwrap();
            let mut out = BTreeSet::new();
            collect_actions(policy, &mut out);
            roles.push(out);
        }
    }
    roles.sort();
    roles
}

#[test]
fn iam_is_the_same_in_every_target_and_as_the_plan_derives_it() {
    for case in catalog_plans() {
        let name = &case.name;
        // Role by role: every role's set of actions, sorted, so that an action moving from one
        // role to another is a difference.
        let owned = |actions: &[&str]| actions.iter().map(|a| a.to_string()).collect();
        let mut planned: Vec<BTreeSet<String>> = case
            .plan
            .iam
            .roles
            .iter()
            .map(|r| owned(&r.actions()))
            .collect();
        if !case.plan.iam.flow_logs.is_empty() {
            let actions: Vec<&str> = case
                .plan
                .iam
                .flow_logs
                .iter()
                .flat_map(|s| s.actions.iter().copied())
                .collect();
            planned.push(owned(&actions));
        }
        planned.sort();
        let cfn = cfn_role_actions(&case.render(Target::CloudFormation));
        let tf = tf_role_actions(&case.render(Target::Terraform));
        assert_eq!(cfn, tf, "{name}: the roles' actions differ between targets");
        assert_eq!(
            cfn, planned,
            "{name}: the rendered roles are not what the plan derives"
        );
        assert!(
            cfn.iter().flatten().all(|a| !a.contains('*')),
            "{name}: a wildcard action: {cfn:?}"
        );
    }
}

#[test]
fn the_catalog_and_fixtures_use_every_kind_so_every_template_is_validated() {
    let used: BTreeSet<&str> = catalog_plans()
        .iter()
        .flat_map(|c| c.plan.components.iter().map(|p| p.kind.name()))
        .collect();
    for kind in cloudwright::components::Kind::ALL {
        assert!(
            used.contains(kind.name()),
            "no catalog blueprint or render fixture has a {kind}"
        );
    }
}

mod asl;

/// A YAML value as JSON, a tagged value (`!Sub "…"`, `!GetAtt X.Arn`) as its text.
fn yaml_json(v: &serde_yaml::Value) -> serde_json::Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => (*b).into(),
        Y::Number(n) => serde_json::to_value(n).unwrap(),
        Y::String(s) => s.clone().into(),
        Y::Sequence(s) => s.iter().map(yaml_json).collect(),
        Y::Mapping(m) => m
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), yaml_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Y::Tagged(t) => match &t.value {
            Y::String(s) => format!("{} {s}", t.tag).into(),
            other => format!("{} {other:?}", t.tag).into(),
        },
    }
}

/// An HCL expression as JSON: a reference or a template as its text, `jsonencode(x)` as x.
fn hcl_json(e: &hcl::Expression) -> serde_json::Value {
    use hcl::Expression as H;
    match e {
        H::Null => serde_json::Value::Null,
        H::Bool(b) => (*b).into(),
        H::Number(n) => serde_json::to_value(n).unwrap(),
        H::String(s) => s.clone().into(),
        H::Array(a) => a.iter().map(hcl_json).collect(),
        H::Object(o) => o
            .iter()
            .map(|(k, v)| {
                let key = match k {
                    hcl::ObjectKey::Identifier(id) => id.to_string(),
                    hcl::ObjectKey::Expression(H::String(s)) => s.clone(),
                    other => format!("{other:?}"),
                };
                (key, hcl_json(v))
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        H::FuncCall(call) if call.name.to_string() == "jsonencode" && call.args.len() == 1 => {
            hcl_json(&call.args[0])
        }
        H::TemplateExpr(t) => t.to_string().into(),
        other => format!("{other}").into(),
    }
}

#[test]
fn every_state_machine_definition_is_valid_amazon_states_language() {
    let mut machines = 0;
    for case in catalog_plans() {
        let name = &case.name;
        for target in [Target::CloudFormation, Target::Sam] {
            for f in case
                .render(target)
                .iter()
                .filter(|f| f.path.ends_with(".yaml"))
            {
                let doc: serde_yaml::Value = serde_yaml::from_str(&f.body).unwrap();
                for (id, r) in doc["Resources"].as_mapping().into_iter().flatten() {
                    let ty = r["Type"].as_str().unwrap_or_default();
                    if !ty.ends_with("::StateMachine") {
                        continue;
                    }
                    machines += 1;
                    let definition = yaml_json(&r["Properties"]["Definition"]);
                    let problems = asl::problems(&definition);
                    assert!(problems.is_empty(), "{name} {target} {id:?}: {problems:#?}");
                    // Every placeholder has its substitution, and every substitution is used.
                    let text = definition.to_string();
                    let used: BTreeSet<String> = text
                        .split("${")
                        .skip(1)
                        .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
                        .filter(|n| !n.starts_with("AWS::") && !n.contains('.'))
                        .collect();
                    let given: BTreeSet<String> = r["Properties"]["DefinitionSubstitutions"]
                        .as_mapping()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, _)| k.as_str().map(str::to_string))
                        .collect();
                    if target == Target::Sam {
                        assert_eq!(
                            used, given,
                            "{name} sam {id:?}: placeholders and substitutions"
                        );
                    } else {
                        assert!(
                            given.is_empty(),
                            "{name}: CloudFormation writes references inline"
                        );
                    }
                }
            }
        }
        for f in case.render(Target::Terraform) {
            let body = hcl::parse(&f.body).unwrap();
            for block in body.blocks().filter(|b| {
                b.identifier.as_str() == "resource"
                    && b.labels[0].as_str() == "aws_sfn_state_machine"
            }) {
                machines += 1;
                let definition = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "definition")
                    .map(|a| hcl_json(&a.expr))
                    .unwrap();
                let problems = asl::problems(&definition);
                assert!(
                    problems.is_empty(),
                    "{name} terraform {}: {problems:#?}",
                    f.path
                );
            }
        }
    }
    assert!(
        machines >= 6,
        "the catalog and fixtures hold state machines in every target"
    );
}

/// Whether a CloudFormation resource skips checkov's `check` with a reason (ten characters at
/// least, as tests/lint.py asks of every skip).
fn cfn_skips(resource: &serde_json::Value, check: &str) -> bool {
    resource["Metadata"]["checkov"]["skip"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["id"] == check && s["comment"].as_str().is_some_and(|c| c.trim().len() >= 10))
}

/// The statement of `policy` that refuses every S3 action over plain HTTP, on the bucket and
/// its objects.
fn denies_plain_http(policy: &serde_json::Value) -> bool {
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| {
            s["Effect"] == "Deny"
                && s["Principal"] == "*"
                && s["Action"] == "s3:*"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                && s["Resource"].as_array().is_some_and(|r| {
                    r.len() == 2 && r[1].as_str().is_some_and(|o| o.contains("/*"))
                })
        })
}

/// The guarantees no blueprint can turn off, read back from every rendered CloudFormation
/// template: every bucket blocks public access in all four ways, is encrypted (with a KMS key,
/// or with S3-managed keys where it receives S3's or a load balancer's access logs, the only
/// encryption their log delivery writes), disables ACLs, refuses plain HTTP in its policy and is versioned unless the zone
/// turned it off (and then carries checkov's skip with the reason); every Glue job and crawler
/// runs under a security configuration that encrypts what it writes; every Athena workgroup
/// encrypts its results and enforces that unless the blueprint said otherwise.
#[test]
fn every_bucket_job_and_workgroup_is_locked_down_in_cloudformation() {
    let mut buckets = 0;
    for case in catalog_plans() {
        let name = &case.name;
        for f in case.render(Target::CloudFormation) {
            let doc: serde_yaml::Value = serde_yaml::from_str(&f.body).unwrap();
            let resources = yaml_json(&doc["Resources"]);
            let Some(resources) = resources.as_object() else {
                continue;
            };
            // Buckets S3's server access logs or a load balancer's access logs go to.
            let load_balancer_logs = resources.values().flat_map(|r| {
                r["Properties"]["LoadBalancerAttributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|a| a["Key"] == "access_logs.s3.bucket")
                    .filter_map(|a| a["Value"].as_str())
            });
            let log_targets: BTreeSet<String> = resources
                .values()
                .filter_map(|r| {
                    r["Properties"]["LoggingConfiguration"]["DestinationBucketName"].as_str()
                })
                .chain(load_balancer_logs)
                .map(|t| t.trim_start_matches("!Ref ").to_string())
                .collect();
            for (id, r) in resources {
                let p = &r["Properties"];
                let at = format!("{name} {id}");
                match r["Type"].as_str().unwrap_or_default() {
                    "AWS::S3::Bucket" => {
                        buckets += 1;
                        let block = &p["PublicAccessBlockConfiguration"];
                        for flag in [
                            "BlockPublicAcls",
                            "BlockPublicPolicy",
                            "IgnorePublicAcls",
                            "RestrictPublicBuckets",
                        ] {
                            assert_eq!(block[flag], true, "{at}: {flag}");
                        }
                        let sse = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
                        let default = &sse["ServerSideEncryptionByDefault"];
                        if log_targets.contains(id) {
                            assert_eq!(default["SSEAlgorithm"], "AES256", "{at}");
                        } else {
                            assert_eq!(default["SSEAlgorithm"], "aws:kms", "{at}");
                            assert!(default["KMSMasterKeyID"].is_string(), "{at}: its key");
                            assert_eq!(sse["BucketKeyEnabled"], true, "{at}: a bucket key");
                        }
                        assert_eq!(
                            p["OwnershipControls"]["Rules"][0]["ObjectOwnership"],
                            "BucketOwnerEnforced",
                            "{at}"
                        );
                        let status = &p["VersioningConfiguration"]["Status"];
                        assert!(
                            status == "Enabled"
                                || (status == "Suspended" && cfn_skips(r, "CKV_AWS_21")),
                            "{at}: versioning {status}"
                        );
                        let policies: Vec<&serde_json::Value> = resources
                            .values()
                            .filter(|q| {
                                q["Type"] == "AWS::S3::BucketPolicy"
                                    && q["Properties"]["Bucket"] == format!("!Ref {id}").as_str()
                            })
                            .collect();
                        assert!(
                            policies.len() == 1
                                && denies_plain_http(&policies[0]["Properties"]["PolicyDocument"]),
                            "{at}: one policy, refusing plain HTTP"
                        );
                    }
                    "AWS::Glue::Job" => {
                        assert!(p["SecurityConfiguration"].is_string(), "{at}");
                    }
                    "AWS::Glue::Crawler" => {
                        assert!(p["CrawlerSecurityConfiguration"].is_string(), "{at}");
                    }
                    "AWS::Glue::SecurityConfiguration" => {
                        let e = &p["EncryptionConfiguration"];
                        assert_eq!(e["S3Encryptions"][0]["S3EncryptionMode"], "SSE-KMS", "{at}");
                        assert_eq!(
                            e["CloudWatchEncryption"]["CloudWatchEncryptionMode"], "SSE-KMS",
                            "{at}"
                        );
                        assert_eq!(
                            e["JobBookmarksEncryption"]["JobBookmarksEncryptionMode"], "CSE-KMS",
                            "{at}"
                        );
                    }
                    "AWS::Athena::WorkGroup" => {
                        let w = &p["WorkGroupConfiguration"];
                        assert!(
                            w["EnforceWorkGroupConfiguration"] == true
                                || cfn_skips(r, "CKV_AWS_82"),
                            "{at}: enforced, or skipped with the reason"
                        );
                        assert_eq!(
                            w["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"],
                            "SSE_KMS",
                            "{at}"
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(buckets >= 20, "the catalog and fixtures hold lakes");
}

/// A Terraform block's attribute, as JSON.
fn tf_attr(body: &hcl::Body, key: &str) -> serde_json::Value {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map_or(serde_json::Value::Null, |a| hcl_json(&a.expr))
}

/// A Terraform block's first nested block named `name`.
fn tf_block<'a>(body: &'a hcl::Body, name: &str) -> Option<&'a hcl::Body> {
    body.blocks()
        .find(|b| b.identifier.as_str() == name)
        .map(|b| &b.body)
}

/// Whether the text of resource `ty.name` in `text` skips checkov's `check` with a reason (ten
/// characters at least, as tests/lint.py asks of every skip).
fn tf_skips(text: &str, ty: &str, name: &str, check: &str) -> bool {
    let start = format!("resource \"{ty}\" \"{name}\" {{\n");
    text.split_once(&start)
        .and_then(|(_, rest)| rest.split_once("\n}\n"))
        .is_some_and(|(block, _)| {
            let prefix = format!("# checkov:skip={check}:");
            block.lines().any(|l| {
                l.trim_start()
                    .strip_prefix(&prefix)
                    .is_some_and(|reason| reason.trim().len() >= 10)
            })
        })
}

/// The same guarantees as in CloudFormation, read back from every rendered Terraform file: each
/// bucket's public-access block, encryption, ownership controls, versioning and TLS-only policy
/// (each a resource of its own there), the Glue jobs' and crawlers' security configuration and
/// the Athena workgroups' enforced, encrypted results.
#[test]
fn every_bucket_job_and_workgroup_is_locked_down_in_terraform() {
    let mut buckets = 0;
    for case in catalog_plans() {
        let name = &case.name;
        for f in case.render(Target::Terraform) {
            let body = hcl::parse(&f.body).unwrap();
            let resources: Vec<(&str, &str, &hcl::Body)> = body
                .blocks()
                .filter(|b| b.identifier.as_str() == "resource")
                .map(|b| (b.labels[0].as_str(), b.labels[1].as_str(), &b.body))
                .collect();
            // The one resource of type `ty` that configures bucket `key`.
            let of = |ty: &str, key: &str| -> &hcl::Body {
                let found: Vec<&hcl::Body> = resources
                    .iter()
                    .filter(|(t, _, b)| {
                        *t == ty
                            && tf_attr(b, "bucket") == format!("aws_s3_bucket.{key}.id").as_str()
                    })
                    .map(|(_, _, b)| *b)
                    .collect();
                assert_eq!(found.len(), 1, "{name}: bucket {key} has one {ty}");
                found[0]
            };
            let log_targets: BTreeSet<String> = resources
                .iter()
                .filter(|(t, _, _)| *t == "aws_s3_bucket_logging")
                .filter_map(|(_, _, b)| tf_attr(b, "target_bucket").as_str().map(str::to_string))
                .chain(
                    resources
                        .iter()
                        .filter(|(t, _, _)| *t == "aws_lb")
                        .filter_map(|(_, _, b)| tf_block(b, "access_logs"))
                        .filter_map(|l| tf_attr(l, "bucket").as_str().map(str::to_string)),
                )
                .collect();
            for (ty, key, b) in &resources {
                let at = format!("{name} {ty}.{key}");
                match *ty {
                    "aws_s3_bucket" => {
                        buckets += 1;
                        let block = of("aws_s3_bucket_public_access_block", key);
                        for flag in [
                            "block_public_acls",
                            "block_public_policy",
                            "ignore_public_acls",
                            "restrict_public_buckets",
                        ] {
                            assert_eq!(tf_attr(block, flag), true, "{at}: {flag}");
                        }
                        let rule = tf_block(
                            of("aws_s3_bucket_server_side_encryption_configuration", key),
                            "rule",
                        )
                        .unwrap();
                        let default =
                            tf_block(rule, "apply_server_side_encryption_by_default").unwrap();
                        if log_targets.contains(&format!("aws_s3_bucket.{key}.id")) {
                            assert_eq!(tf_attr(default, "sse_algorithm"), "AES256", "{at}");
                        } else {
                            assert_eq!(tf_attr(default, "sse_algorithm"), "aws:kms", "{at}");
                            assert!(tf_attr(default, "kms_master_key_id").is_string(), "{at}");
                            assert_eq!(tf_attr(rule, "bucket_key_enabled"), true, "{at}");
                        }
                        let ownership =
                            tf_block(of("aws_s3_bucket_ownership_controls", key), "rule").unwrap();
                        assert_eq!(
                            tf_attr(ownership, "object_ownership"),
                            "BucketOwnerEnforced",
                            "{at}"
                        );
                        let versioning = tf_block(
                            of("aws_s3_bucket_versioning", key),
                            "versioning_configuration",
                        )
                        .unwrap();
                        let status = tf_attr(versioning, "status");
                        assert!(
                            status == "Enabled"
                                || (status == "Suspended"
                                    && tf_skips(&f.body, ty, key, "CKV_AWS_21")),
                            "{at}: versioning {status}"
                        );
                        assert!(
                            denies_plain_http(&tf_attr(of("aws_s3_bucket_policy", key), "policy")),
                            "{at}: its policy refuses plain HTTP"
                        );
                    }
                    "aws_glue_job" | "aws_glue_crawler" => {
                        assert!(tf_attr(b, "security_configuration").is_string(), "{at}");
                    }
                    "aws_glue_security_configuration" => {
                        let e = tf_block(b, "encryption_configuration").unwrap();
                        for (block, mode, want) in [
                            ("s3_encryption", "s3_encryption_mode", "SSE-KMS"),
                            (
                                "cloudwatch_encryption",
                                "cloudwatch_encryption_mode",
                                "SSE-KMS",
                            ),
                            (
                                "job_bookmarks_encryption",
                                "job_bookmarks_encryption_mode",
                                "CSE-KMS",
                            ),
                        ] {
                            assert_eq!(tf_attr(tf_block(e, block).unwrap(), mode), want, "{at}");
                        }
                    }
                    "aws_athena_workgroup" => {
                        let w = tf_block(b, "configuration").unwrap();
                        assert!(
                            tf_attr(w, "enforce_workgroup_configuration") == true
                                || tf_skips(&f.body, ty, key, "CKV_AWS_82"),
                            "{at}: enforced, or skipped with the reason"
                        );
                        let result = tf_block(w, "result_configuration").unwrap();
                        assert_eq!(
                            tf_attr(
                                tf_block(result, "encryption_configuration").unwrap(),
                                "encryption_option"
                            ),
                            "SSE_KMS",
                            "{at}"
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(buckets >= 20, "the catalog and fixtures hold lakes");
}

/// The fixed monthly estimate of every catalog blueprint: each line is its quantity times its
/// unit price over a month, the total is their sum, and the totals are these (us-east-1 list
/// prices of src/cost.rs). A price change shows here and in the READMEs' snapshots.
#[test]
fn the_catalog_costs_what_its_estimates_add_up_to() {
    let want = [
        ("data-platform", 3_200_000),
        // 3 NAT gateways and their addresses $109.50, 6 keys $6, 9 alarms $0.90, the load
        // balancer $16.43 and its 3 addresses $10.95, 3 tasks of 0.5 vCPU and 1 GiB $54.06,
        // a db.t4g.medium and its standby $94.90, their 2 × 100 GB of gp3 $23.
        ("ecs-rds-web", 315_740_000),
        ("glue-data-lake", 3_100_000),
        ("ha-vpc", 110_500_000),
        ("serverless-api", 4_200_000),
        ("sfn-pipeline", 3_300_000),
    ];
    let mut got = Vec::new();
    for (name, _) in blueprint::catalog() {
        let case = load_plan(&Path::new("blueprints").join(format!("{name}.yaml")));
        let estimate = cloudwright::cost::estimate(&case.plan);
        assert!(estimate.priced, "{name} is in a priced region");
        let mut sum = 0;
        for item in &estimate.fixed {
            let (Some(unit), Some(monthly)) = (item.unit_price, item.monthly) else {
                panic!("{name}: {} has no price", item.what);
            };
            let hourly = item.unit.contains("hour");
            let month = if hourly { unit * 730 } else { unit };
            assert_eq!(
                monthly,
                cloudwright::cost::to_the_cent(item.quantity * month),
                "{name}: {}",
                item.what
            );
            sum += monthly;
        }
        assert_eq!(estimate.fixed_total, Some(sum), "{name}");
        got.push((name, sum));
    }
    assert_eq!(got, want);
}

/// No database password is in any template or configuration: RDS keeps the master password in
/// Secrets Manager (`ManageMasterUserPassword`, `manage_master_user_password`), and what connects
/// to a database is handed the secret's ARN, never its value.
#[test]
fn no_database_password_reaches_any_output() {
    let mut databases = 0;
    for case in catalog_plans() {
        let name = &case.name;
        for target in [Target::CloudFormation, Target::Sam, Target::Terraform] {
            for f in case.render(target) {
                let body = &f.body;
                for refused in [
                    " MasterUserPassword:",
                    "master_password",
                    "password =",
                    "random_password",
                ] {
                    assert!(
                        !body.contains(refused),
                        "{name}/{}: `{refused}` in the output",
                        f.path
                    );
                }
                let managed = body.matches("ManageMasterUserPassword: true").count()
                    + body
                        .matches("manage_master_user_password         = true")
                        .count();
                let engines = body.matches("Type: AWS::RDS::DBCluster\n").count()
                    + body
                        .matches("Type: AWS::RDS::DBInstance\n")
                        .count()
                        .saturating_sub(body.matches("DBClusterIdentifier: !Ref").count())
                    + body.matches("resource \"aws_db_instance\"").count()
                    + body.matches("resource \"aws_rds_cluster\"").count();
                assert_eq!(
                    managed, engines,
                    "{name}/{}: every database has its password managed by RDS",
                    f.path
                );
                databases += engines;
            }
        }
    }
    assert!(
        databases >= 9,
        "the catalog and fixtures hold databases ({databases})"
    );
}
