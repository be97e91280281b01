//! Property tests: the address planner's invariants (containment, disjointness, exact sizes,
//! determinism, packing and stability against a previous allocation), and the escaping of user
//! text into HCL and YAML, alone and end to end through load → plan → render.

use std::net::Ipv4Addr;

use cloudwright::blueprint::types::is_tag_char;
use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::naming::az_letter;
use cloudwright::plan::alloc::{self, AllocError, Allocation, Request, TierRequest, addresses};
use cloudwright::render::{self, Target, escape};
use cloudwright::text;
use hcl::eval::{Context, Evaluate};
use ipnet::Ipv4Net;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// `cases` cases, shrinking far enough to report small inputs, and no regression files written
/// next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Planner
// ---------------------------------------------------------------------------------------------

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b) || b.contains(&a)
}

fn vpc_size(req: &Request) -> u64 {
    addresses(req.vpc.prefix_len())
}

/// A valid request: a /16–/24 VPC on a random (truncated) address, 1–6 AZs, 1–5 tiers with
/// prefixes from the VPC's to /28, and 0–2 reserved ranges inside the VPC.
fn request() -> impl Strategy<Value = Request> {
    (16u8..=24, any::<u32>(), 1usize..=6)
        .prop_flat_map(|(vpc_prefix, addr, azs)| {
            let vpc = Ipv4Net::new(Ipv4Addr::from(addr), vpc_prefix)
                .expect("prefix is at most 32")
                .trunc();
            (
                Just(vpc),
                Just(azs),
                prop::collection::vec(vpc_prefix..=28u8, 1..=5),
                prop::collection::vec((vpc_prefix..=28u8, any::<u64>()), 0..=2),
            )
        })
        .prop_map(|(vpc, azs, tiers, reserved)| {
            let size = addresses(vpc.prefix_len());
            let base = u64::from(u32::from(vpc.network()));
            Request {
                vpc,
                reserved: reserved
                    .into_iter()
                    .map(|(prefix, offset)| {
                        let start = (base + offset % size) as u32;
                        Ipv4Net::new(Ipv4Addr::from(start), prefix)
                            .expect("prefix is at most 28")
                            .trunc()
                    })
                    .collect(),
                azs: (0..azs).map(az_letter).collect(),
                tiers: tiers
                    .into_iter()
                    .enumerate()
                    .map(|(i, prefix)| TierRequest {
                        name: format!("tier-{i}"),
                        prefix,
                    })
                    .collect(),
            }
        })
}

/// Addresses of every subnet asked for plus every reserved address (overlaps counted twice).
fn demand(req: &Request) -> u64 {
    let subnets: u64 = req
        .tiers
        .iter()
        .map(|t| req.azs.len() as u64 * addresses(t.prefix))
        .sum();
    let reserved: u64 = req.reserved.iter().map(|r| addresses(r.prefix_len())).sum();
    subnets + reserved
}

/// A request whose subnets and reserved ranges take at most half the VPC.
fn roomy_request() -> impl Strategy<Value = Request> {
    request().prop_filter("demand must be at most half the VPC", |r| {
        demand(r) * 2 <= vpc_size(r)
    })
}

/// A request together with a fresh allocation of it.
fn allocated_request() -> impl Strategy<Value = (Request, Allocation)> {
    request().prop_filter_map("the request must fit", |r| {
        let a = alloc::allocate(&r, None).ok()?;
        Some((r, a))
    })
}

/// Every invariant an allocation of `req` must satisfy.
fn check_allocation(req: &Request, a: &Allocation) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.vpc, req.vpc);
    let names: Vec<&str> = a.tiers.keys().map(String::as_str).collect();
    let wanted: Vec<&str> = req.tiers.iter().map(|t| t.name.as_str()).collect();
    prop_assert_eq!(names, wanted, "tiers differ from the request");

    let mut all: Vec<(String, Ipv4Net)> = Vec::new();
    for tier in &req.tiers {
        let t = &a.tiers[&tier.name];
        prop_assert_eq!(t.prefix, tier.prefix);
        let azs: Vec<&String> = t.subnets.keys().collect();
        prop_assert_eq!(
            azs,
            req.azs.iter().collect::<Vec<_>>(),
            "AZs of {}",
            tier.name
        );
        for (az, &cidr) in &t.subnets {
            let id = format!("{}-{az}", tier.name);
            prop_assert_eq!(cidr, cidr.trunc(), "{} {} has host bits", id, cidr);
            prop_assert_eq!(
                cidr.prefix_len(),
                tier.prefix,
                "{} {} has the wrong size",
                id,
                cidr
            );
            prop_assert!(
                req.vpc.contains(&cidr),
                "{id} {cidr} is outside {}",
                req.vpc
            );
            for r in &req.reserved {
                prop_assert!(!overlaps(cidr, *r), "{id} {cidr} overlaps reserved {r}");
            }
            all.push((id, cidr));
        }
    }
    for (i, (id_a, a_net)) in all.iter().enumerate() {
        for (id_b, b_net) in &all[i + 1..] {
            prop_assert!(
                !overlaps(*a_net, *b_net),
                "{id_a} {a_net} overlaps {id_b} {b_net}"
            );
        }
    }

    for (name, t) in &a.tiers {
        let Some(block) = t.block else { continue };
        prop_assert_eq!(block, block.trunc(), "block of {} has host bits", name);
        prop_assert!(
            req.vpc.contains(&block),
            "block {block} of {name} is outside {}",
            req.vpc
        );
        for r in &req.reserved {
            prop_assert!(
                !overlaps(block, *r),
                "block {block} of {name} overlaps reserved {r}"
            );
        }
        for (az, cidr) in &t.subnets {
            prop_assert!(
                block.contains(cidr),
                "{name}-{az} {cidr} is outside its tier block {block}"
            );
        }
        for (other_name, other) in &a.tiers {
            if other_name == name {
                continue;
            }
            if let Some(other_block) = other.block {
                prop_assert!(
                    !overlaps(block, other_block),
                    "block {block} of {name} overlaps block {other_block} of {other_name}"
                );
            }
            for (az, cidr) in &other.subnets {
                prop_assert!(
                    !overlaps(block, *cidr),
                    "block {block} of {name} overlaps {other_name}-{az} {cidr}"
                );
            }
        }
    }
    Ok(())
}

/// Every subnet `previous` records keeps its CIDR in `next` (the subnets of AZs and tiers still
/// asked for, that is: the ones in `req`).
fn check_kept(
    req: &Request,
    previous: &Allocation,
    next: &Allocation,
) -> Result<(), TestCaseError> {
    for (name, tier) in &previous.tiers {
        if !req.tiers.iter().any(|t| &t.name == name) {
            continue;
        }
        for (az, cidr) in &tier.subnets {
            if !req.azs.contains(az) {
                continue;
            }
            let now = next.tiers[name].subnets.get(az).copied();
            prop_assert_eq!(now, Some(*cidr), "{}-{} moved", name, az);
        }
    }
    Ok(())
}

/// Growing a request that was allocated before may fail only because it does not fit.
fn check_grown(
    req: &Request,
    previous: &Allocation,
    result: &Result<Allocation, AllocError>,
) -> Result<(), TestCaseError> {
    match result {
        Ok(next) => {
            check_allocation(req, next)?;
            check_kept(req, previous, next)
        }
        Err(AllocError::DoesNotFit { .. }) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!(
            "growing a valid allocation must succeed or not fit, got {other:?}"
        ))),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn allocations_satisfy_every_invariant(req in request()) {
        if let Ok(a) = alloc::allocate(&req, None) {
            check_allocation(&req, &a)?;
        }
    }

    #[test]
    fn allocation_is_deterministic(req in request()) {
        prop_assert_eq!(alloc::allocate(&req, None), alloc::allocate(&req, None));
    }

    #[test]
    fn demand_of_at_most_half_the_vpc_always_fits(req in roomy_request()) {
        match alloc::allocate(&req, None) {
            Ok(a) => check_allocation(&req, &a)?,
            Err(e) => prop_assert!(false, "{req:?} uses at most half the VPC but got {e:?}"),
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_new_az_moves_no_recorded_subnet((req, previous) in allocated_request()) {
        let mut grown = req.clone();
        grown.azs.push(az_letter(grown.azs.len()));
        let result = alloc::allocate(&grown, Some(&previous));
        check_grown(&grown, &previous, &result)?;
        prop_assert_eq!(&result, &alloc::allocate(&grown, Some(&previous)), "not deterministic");
    }

    #[test]
    fn a_new_tier_moves_no_recorded_subnet(
        ((req, previous), offset) in (allocated_request(), 0u8..=12),
    ) {
        let mut grown = req.clone();
        let prefix = (req.vpc.prefix_len() + offset).min(28);
        grown.tiers.push(TierRequest { name: "added".into(), prefix });
        let result = alloc::allocate(&grown, Some(&previous));
        check_grown(&grown, &previous, &result)?;
    }

    #[test]
    fn removing_an_az_keeps_every_other_subnet(
        ((req, previous), which) in (allocated_request(), any::<prop::sample::Index>()),
    ) {
        prop_assume!(req.azs.len() >= 2);
        let mut shrunk = req.clone();
        shrunk.azs.remove(which.index(req.azs.len()));
        match alloc::allocate(&shrunk, Some(&previous)) {
            Ok(next) => {
                check_allocation(&shrunk, &next)?;
                check_kept(&shrunk, &previous, &next)?;
            }
            Err(e) => prop_assert!(false, "removing an AZ failed: {e:?}"),
        }
    }
}

/// No subnet of `a` overlaps any of `retired`.
fn check_avoids(a: &Allocation, retired: &[Ipv4Net]) -> Result<(), TestCaseError> {
    for (name, t) in &a.tiers {
        for (az, cidr) in &t.subnets {
            for r in retired {
                prop_assert!(
                    !overlaps(*cidr, *r),
                    "{name}-{az} {cidr} reuses retired {r}"
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// An AZ is swapped for a new one: the subnets it frees are retired, and neither the new AZ
    /// nor a further one takes their ranges, until they are reclaimed.
    #[test]
    fn retired_ranges_are_never_reused_unless_reclaimed(
        ((req, previous), which) in (allocated_request(), any::<prop::sample::Index>()),
    ) {
        let mut swapped = req.clone();
        let gone = swapped.azs.remove(which.index(req.azs.len()));
        swapped.azs.push(az_letter(req.azs.len()));
        let next = match alloc::allocate(&swapped, Some(&previous)) {
            Ok(next) => next,
            Err(AllocError::DoesNotFit { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("swapping an AZ failed: {e:?}"))),
        };
        check_allocation(&swapped, &next)?;
        check_kept(&swapped, &previous, &next)?;
        let retired: Vec<Ipv4Net> = next.retired.iter().map(|r| r.cidr).collect();
        for (name, t) in &previous.tiers {
            prop_assert!(retired.contains(&t.subnets[&gone]), "{name}-{gone} is retired");
        }
        check_avoids(&next, &retired)?;

        let mut grown = swapped.clone();
        grown.azs.push(az_letter(req.azs.len() + 1));
        if let Ok(after) = alloc::allocate(&grown, Some(&next)) {
            check_allocation(&grown, &after)?;
            check_avoids(&after, &retired)?;
            prop_assert_eq!(&after.retired, &next.retired, "tombstones are kept");
        }
        let reclaimed = Allocation { retired: vec![], ..next.clone() };
        if let Ok(after) = alloc::allocate(&grown, Some(&reclaimed)) {
            check_allocation(&grown, &after)?;
            check_kept(&grown, &reclaimed, &after)?;
            prop_assert!(after.retired.is_empty());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------------------------

/// Characters the blueprint accepts in free text: no control characters but line breaks and tabs.
fn allowed(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// Fragments that mean something to HCL, YAML, CloudFormation or a YAML parser.
fn hostile_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("${aws_iam_role.x.arn}"),
        Just("%{ if true }x%{ endif }"),
        Just("!Ref X"),
        Just("!GetAtt Vpc.CidrBlock"),
        Just("\""),
        Just("'"),
        Just("\\"),
        Just("\\n"),
        Just("\\u0041"),
        Just(": #"),
        Just("# comment"),
        Just("yes"),
        Just("no"),
        Just("null"),
        Just("~"),
        Just("010"),
        Just("1e3"),
        Just("- item"),
        Just("&anchor *alias"),
        Just("---"),
        Just("..."),
        Just("| >"),
        Just("{ [ ] }"),
        Just("$"),
        Just("%"),
        Just("{"),
        Just("$$"),
        Just("$${"),
        Just("%%{"),
        Just("\n"),
        Just("\t"),
        Just(" "),
        Just("<script>&amp;"),
        Just("😀"),
        Just("\u{2028}"),
        Just("\u{2029}"),
        Just("\u{feff}"),
        Just("\u{fffe}"),
        Just("\u{ffff}"),
    ]
    .prop_map(String::from)
}

/// Any text the blueprint accepts, at most `max` characters, rich in hostile fragments.
fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => hostile_fragment(),
        1 => any::<String>().prop_map(|s| s.chars().filter(|c| allowed(*c)).collect()),
    ];
    prop::collection::vec(piece, 0..8).prop_map(move |pieces| {
        let joined: String = pieces.concat();
        joined.chars().take(max).collect()
    })
}

/// Text the blueprint accepts in free-text fields: [`text`] without what the loader refuses there
/// (U+2028 and U+2029, which YAML 1.1 takes for line breaks, the bidirectional controls, the
/// noncharacters U+FFFE and U+FFFF, which YAML 1.1 refuses, and `${`); `blueprint_text_is_refused_when_it_breaks_lines` checks the refusal.
fn free_text(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| {
        let kept: String = s
            .chars()
            .filter(|c| {
                c.is_control()
                    || !(text::breaks_lines(*c)
                        || text::reorders_text(*c)
                        || text::yaml_refuses(*c))
            })
            .collect();
        // `${` is refused too (CloudFormation would read a substitution); `$` and `{` apart stay.
        let mut kept = kept;
        while kept.contains("${") {
            kept = kept.replace("${", "$");
        }
        kept
    })
}

/// Any string at all, half of the time built from hostile fragments.
fn any_text_or_hostile() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), text(200)]
}

fn hcl_eval(source: &str) -> Result<hcl::Value, String> {
    let body = hcl::parse(source).map_err(|e| format!("does not parse: {e}"))?;
    let attr = body
        .attributes()
        .next()
        .ok_or_else(|| "no attribute".to_string())?;
    attr.expr()
        .evaluate(&Context::new())
        .map_err(|e| format!("does not evaluate: {e}"))
}

fn yaml_field<'a>(value: &'a serde_yaml::Value, path: &[&str]) -> Option<&'a serde_yaml::Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn hcl_strings_evaluate_to_the_text(s in text(200)) {
        let escaped = escape::hcl_string(&s);
        let source = format!("x = {escaped}\n");
        match hcl_eval(&source) {
            Ok(value) => prop_assert_eq!(value, hcl::Value::String(s), "from {}", source),
            Err(e) => prop_assert!(false, "{source:?} {e}"),
        }
    }

    #[test]
    fn toml_values_parse_back_to_the_text(s in any_text_or_hostile()) {
        let mut env = render::env::environment().expect("the environment builds");
        env.add_template("t.toml.j2", "v = {{ v }}\n").expect("the template compiles");
        let out = env
            .get_template("t.toml.j2")
            .and_then(|t| t.render(minijinja::context! { v => s.clone() }))
            .expect("the template renders");
        match out.parse::<toml::Table>() {
            Ok(table) => prop_assert_eq!(table.get("v").and_then(|v| v.as_str()), Some(s.as_str()), "from {}", out),
            Err(e) => prop_assert!(false, "{out:?} does not parse: {e}"),
        }
    }

    #[test]
    fn yaml_values_parse_back_to_the_text(s in text(200)) {
        let mut env = render::env::environment().expect("the environment builds");
        env.add_template("t.yaml.j2", "v: {{ v }}\n").expect("the template compiles");
        let out = env
            .get_template("t.yaml.j2")
            .and_then(|t| t.render(minijinja::context! { v => s.clone() }))
            .expect("the template renders");
        match serde_yaml::from_str::<serde_yaml::Value>(&out) {
            Ok(doc) => prop_assert_eq!(
                doc.get("v"),
                Some(&serde_yaml::Value::String(s.clone())),
                "from {:?}",
                out
            ),
            Err(e) => prop_assert!(false, "{out:?} does not parse: {e}"),
        }
    }
}

/// `value` as a YAML double-quoted scalar that every YAML parser reads back exactly: JSON quoting,
/// with every non-ASCII character escaped (YAML cannot carry some of them raw, such as U+FEFF).
fn yaml_quoted(value: &str) -> String {
    let json = serde_json::to_string(value).expect("a string serializes");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Ok(bmp) = u16::try_from(u32::from(c)) {
            out.push_str(&format!("\\u{bmp:04X}"));
        } else {
            out.push_str(&format!("\\U{:08X}", u32::from(c)));
        }
    }
    out
}

fn blueprint_text(description: &str, tag: &str) -> String {
    format!(
        "name: prop\n\
         description: {}\n\
         environment: development\n\
         region: us-east-1\n\
         tags:\n  owner: {}\n\
         network:\n  cidr: 10.0.0.0/16\n  azs: 2\n  tiers:\n    public: {{ size: /24, internet: inbound }}\n",
        yaml_quoted(description),
        yaml_quoted(tag),
    )
}

fn body<'a>(files: &'a [render::RenderedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} rendered"))
        .body
}

fn check_cloudformation(body: &str, description: &str, tag: &str) -> Result<(), TestCaseError> {
    let doc: serde_yaml::Value = serde_yaml::from_str(body)
        .map_err(|e| TestCaseError::fail(format!("template.yaml does not parse: {e}\n{body}")))?;
    prop_assert_eq!(
        doc.get("Description"),
        Some(&serde_yaml::Value::String(description.to_string())),
        "Description"
    );
    let tags = yaml_field(&doc, &["Resources", "Vpc", "Properties", "Tags"])
        .and_then(serde_yaml::Value::as_sequence)
        .ok_or_else(|| TestCaseError::fail("the VPC has no Tags list"))?;
    let owner = tags
        .iter()
        .find(|t| t.get("Key").and_then(serde_yaml::Value::as_str) == Some("owner"))
        .and_then(|t| t.get("Value"));
    prop_assert_eq!(
        owner,
        Some(&serde_yaml::Value::String(tag.to_string())),
        "VPC tag owner"
    );
    Ok(())
}

fn check_terraform_tags(body: &str, tag: &str) -> Result<(), TestCaseError> {
    let parsed = hcl::parse(body)
        .map_err(|e| TestCaseError::fail(format!("variables.tf does not parse: {e}\n{body}")))?;
    let variable = parsed
        .blocks()
        .find(|b| {
            b.identifier() == "variable" && b.labels().first().map(|l| l.as_str()) == Some("tags")
        })
        .ok_or_else(|| TestCaseError::fail("no variable \"tags\""))?;
    let default = variable
        .body()
        .attributes()
        .find(|a| a.key() == "default")
        .ok_or_else(|| TestCaseError::fail("variable \"tags\" has no default"))?;
    let value = default
        .expr()
        .evaluate(&Context::new())
        .map_err(|e| TestCaseError::fail(format!("the tags default does not evaluate: {e}")))?;
    let owner = value.as_object().and_then(|m| m.get("owner"));
    prop_assert_eq!(
        owner,
        Some(&hcl::Value::String(tag.to_string())),
        "tags default"
    );
    Ok(())
}

/// Text the blueprint accepts as a tag value: [`text`] kept to the tag alphabet.
fn tag_text(max: usize) -> impl Strategy<Value = String> {
    free_text(max).prop_map(|s| s.chars().filter(|c| is_tag_char(*c)).collect())
}

/// Loads a blueprint whose description and `owner` tag are the given texts, and plans it.
fn planned(description: &str, tag: &str) -> Result<cloudwright::plan::Plan, TestCaseError> {
    let text = blueprint_text(description, tag);
    let doc = blueprint::load(Source {
        origin: Origin::Catalog("t".into()),
        text: text.clone(),
    })
    .map_err(|d| TestCaseError::fail(format!("blueprint rejected: {d:?}\n{text}")))?;
    prop_assert_eq!(doc.blueprint.description.as_str(), description);
    let plan = cloudwright::plan::plan(&doc, None)
        .map_err(|d| TestCaseError::fail(format!("plan failed: {d:?}")))?;
    prop_assert_eq!(plan.description.as_str(), description);
    prop_assert_eq!(&plan.tags, &vec![("owner".to_string(), tag.to_string())]);
    Ok(plan)
}

fn rendered(
    plan: &cloudwright::plan::Plan,
    target: Target,
) -> Result<Vec<render::RenderedFile>, TestCaseError> {
    render::render(plan, &[], target).map_err(|e| TestCaseError::fail(format!("{target}: {e}")))
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn user_text_survives_to_cloudformation_and_sam(
        description in free_text(1024),
        tag in tag_text(256),
    ) {
        let plan = planned(&description, &tag)?;
        for target in [Target::CloudFormation, Target::Sam] {
            let files = rendered(&plan, target)?;
            check_cloudformation(body(&files, "template.yaml"), &description, &tag)?;
        }
    }

    #[test]
    fn user_text_survives_to_terraform(
        description in free_text(1024),
        tag in tag_text(256),
    ) {
        let plan = planned(&description, &tag)?;
        let files = rendered(&plan, Target::Terraform)?;
        check_terraform_tags(body(&files, "variables.tf"), &tag)?;
    }
}

// ---------------------------------------------------------------------------------------------
// The smallest inputs on which the properties above found a bug, pinned.
// ---------------------------------------------------------------------------------------------

/// A tier's block is the one CIDR that summarises the tier (the plan report prints it and the
/// lock file records it), so it must hold every subnet of the tier, also after a new AZ.
#[test]
fn a_tier_block_still_holds_every_subnet_after_a_new_az() {
    let tiers = vec![
        TierRequest {
            name: "big".into(),
            prefix: 18,
        },
        TierRequest {
            name: "small".into(),
            prefix: 20,
        },
    ];
    let two = Request {
        vpc: "10.0.0.0/16".parse().unwrap(),
        reserved: vec![],
        azs: vec!["a".into(), "b".into()],
        tiers,
    };
    let previous = alloc::allocate(&two, None).unwrap();
    let mut three = two.clone();
    three.azs.push("c".into());
    let next = alloc::allocate(&three, Some(&previous)).unwrap();
    for (name, tier) in &next.tiers {
        if let Some(block) = tier.block {
            for (az, cidr) in &tier.subnets {
                assert!(
                    block.contains(cidr),
                    "{name}-{az} {cidr} lies outside the tier block {block}: {next:#?}"
                );
            }
        }
    }
}

fn yaml_round_trip(s: &str) -> Result<serde_yaml::Value, String> {
    let mut env = render::env::environment().map_err(|e| e.to_string())?;
    env.add_template("t.yaml.j2", "v: {{ v }}\n")
        .map_err(|e| e.to_string())?;
    let out = env
        .get_template("t.yaml.j2")
        .and_then(|t| t.render(minijinja::context! { v => s }))
        .map_err(|e| e.to_string())?;
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&out).map_err(|e| format!("{out:?} does not parse: {e}"))?;
    doc.get("v")
        .cloned()
        .ok_or_else(|| format!("{out:?} has no v"))
}

/// U+FFFE and U+FFFF are allowed in blueprint text but YAML forbids them raw.
#[test]
fn yaml_escaping_carries_unicode_noncharacters() {
    for s in ["\u{fffe}", "\u{ffff}"] {
        assert_eq!(
            yaml_round_trip(s),
            Ok(serde_yaml::Value::String(s.to_string())),
            "{s:?}"
        );
    }
}

/// U+2028 and U+2029 are line breaks to YAML 1.1: raw in a double-quoted scalar, the spaces
/// around them are folded away.
#[test]
fn yaml_escaping_keeps_spaces_around_line_separators() {
    for s in ["a\u{2028} b", "a \u{2029}b"] {
        assert_eq!(
            yaml_round_trip(s),
            Ok(serde_yaml::Value::String(s.to_string())),
            "{s:?}"
        );
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Free text holding a character that ends a line for YAML 1.1 (or reorders it on screen) is
    /// refused at load, located at the field, with a help line: it never reaches a comment.
    #[test]
    fn blueprint_text_is_refused_when_it_breaks_lines(
        before in free_text(100),
        after in free_text(100),
        breaker in prop::sample::select(vec!['\u{2028}', '\u{2029}', '\u{202E}', '\u{2066}', '\u{FFFE}', '\u{FFFF}']),
    ) {
        let description = format!("{before}{breaker}{after}");
        let refused = blueprint::load(Source {
            origin: Origin::Catalog("t".into()),
            text: blueprint_text(&description, "x"),
        });
        let Err(diagnostics) = refused else {
            return Err(TestCaseError::fail(format!("{description:?} was accepted")));
        };
        prop_assert_eq!(diagnostics.len(), 1);
        let d = &diagnostics[0];
        prop_assert_eq!(d.field.as_deref(), Some("description"));
        prop_assert_eq!((d.location.line, d.location.column), (2, 14));
        prop_assert!(d.help.is_some());
    }
}

/// Any character at all, with every Unicode line break, control, separator and bidi control
/// over-represented: what a comment or a file name may hold.
fn any_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '\n', '\r', '\t', '\u{0}', '\u{b}', '\u{c}', '\u{1b}', '\u{1d}', '\u{1e}', '\u{1f}',
        '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}', '\u{202e}', '\u{2066}', '\u{feff}',
        '#', '\\', '"', '$', '{', '%', '*', '/',
    ]);
    let c = prop_oneof![3 => any::<char>(), 2 => special];
    prop::collection::vec(c, 0..40).prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(config(512))]

    /// Whatever a comment holds once escaped, a YAML reader (serde_yaml, YAML 1.2, which also
    /// treats NEL as a break when asked) sees exactly the one key after it, and an HCL reader the
    /// one attribute: the comment cannot end early or add a line.
    #[test]
    fn escaped_comments_stay_comments_in_yaml_and_hcl(s in any_text()) {
        let line = escape::comment_text(&s);
        prop_assert!(escape::is_comment(&line), "{line:?}");
        prop_assert!(!line.chars().any(|c| text::breaks_lines(c) || text::reorders_text(c)));
        let yaml = format!("# {line}\nkey: value\n");
        let doc: serde_yaml::Value = serde_yaml::from_str(&yaml)
            .map_err(|e| TestCaseError::fail(format!("{yaml:?}: {e}")))?;
        prop_assert_eq!(doc.as_mapping().map(|m| m.len()), Some(1), "{:?}", yaml);
        prop_assert_eq!(doc.get("key").and_then(|v| v.as_str()), Some("value"));
        let hcl = format!("# {line}\nkey = \"value\"\n");
        let body = hcl::parse(&hcl).map_err(|e| TestCaseError::fail(format!("{hcl:?}: {e}")))?;
        prop_assert_eq!(body.attributes().count(), 1, "{:?}", hcl);
        prop_assert_eq!(body.blocks().count(), 0);
    }

    /// A diagnostic prints on the lines it means to, whatever text of the input it echoes.
    #[test]
    fn diagnostics_print_on_their_own_lines(s in any_text()) {
        let shown = cloudwright::diagnostics::printable(&s);
        prop_assert!(!shown.chars().any(|c| text::breaks_lines(c) || text::reorders_text(c)));
    }
}

/// A line of a valid blueprint, changed: removed, doubled, cut, re-indented, or given other text.
#[derive(Debug, Clone)]
enum Edit {
    Remove(usize),
    Double(usize),
    Cut(usize, usize),
    Indent(usize, usize),
    Replace(usize, String),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Remove),
        any::<usize>().prop_map(Edit::Double),
        (any::<usize>(), any::<usize>()).prop_map(|(l, n)| Edit::Cut(l, n)),
        (any::<usize>(), 0usize..9).prop_map(|(l, n)| Edit::Indent(l, n)),
        (
            any::<usize>(),
            prop_oneof![
                any_text(),
                hostile_fragment(),
                Just("{ [".to_string()),
                Just("- - -".to_string()),
                Just("&a *a".to_string()),
                Just("? complex\n: key".to_string()),
                Just("!!binary aGVsbG8=".to_string()),
            ]
        )
            .prop_map(|(l, t)| Edit::Replace(l, t)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for e in edits {
        if lines.is_empty() {
            break;
        }
        let at = |i: usize| i % lines.len();
        match e {
            Edit::Remove(i) => {
                let i = at(*i);
                lines.remove(i);
            }
            Edit::Double(i) => {
                let i = at(*i);
                lines.insert(i, lines[i].clone());
            }
            Edit::Cut(i, n) => {
                let i = at(*i);
                let keep = n % (lines[i].chars().count() + 1);
                lines[i] = lines[i].chars().take(keep).collect();
            }
            Edit::Indent(i, n) => {
                let i = at(*i);
                lines[i] = format!("{}{}", " ".repeat(*n), lines[i].trim_start());
            }
            Edit::Replace(i, t) => {
                let i = at(*i);
                let keep: String = lines[i].chars().take_while(|c| *c != ':').collect();
                lines[i] = format!("{keep}: {t}");
            }
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(config(2000))]

    /// Any edit of a valid blueprint goes through load, plan, validate and render without a panic,
    /// and every refusal names a line and column inside the text and says what would be right.
    #[test]
    fn edited_blueprints_never_panic_and_every_refusal_is_located(
        edits in prop::collection::vec(edit_strategy(), 1..6),
    ) {
        let valid = std::fs::read_to_string("tests/fixtures/render/pinned-azs.yaml").unwrap();
        let text = apply_edits(&valid, &edits);
        let lines = text.lines().count().max(1);
        let located = |d: &cloudwright::diagnostics::Diagnostic| {
            d.location.line >= 1 && d.location.line <= lines + 1 && d.location.column >= 1 && d.help.is_some()
        };
        let doc = match blueprint::load(Source { origin: Origin::Catalog("t".into()), text: text.clone() }) {
            Ok(doc) => doc,
            Err(diagnostics) => {
                prop_assert!(!diagnostics.is_empty());
                for d in &diagnostics {
                    prop_assert!(located(d), "{d:?}\n{text}");
                }
                return Ok(());
            }
        };
        let plan = match cloudwright::plan::plan(&doc, None) {
            Ok(plan) => plan,
            Err(diagnostics) => {
                for d in &diagnostics {
                    prop_assert!(located(d), "{d:?}\n{text}");
                }
                return Ok(());
            }
        };
        let outcome = cloudwright::validate::run(&doc, &plan);
        for d in &outcome.diagnostics {
            prop_assert!(located(d), "{d:?}\n{text}");
        }
        for target in Target::ALL {
            render::render(&plan, &outcome.accepted, target)
                .map_err(|e| TestCaseError::fail(format!("{target}: {e}\n{text}")))?;
        }
    }
}

/// Fragments that mean something to Markdown (CommonMark, GitHub's tables, math and
/// strikethrough) or to an HTML comment.
fn markdown_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*"),
        Just("_"),
        Just("**x**"),
        Just("`"),
        Just("```"),
        Just("~~~"),
        Just("[x](http://y)"),
        Just("![i](j)"),
        Just("<b>"),
        Just("<http://x>"),
        Just("&amp;"),
        Just("&#35;"),
        Just("|"),
        Just("# "),
        Just("- "),
        Just("+ "),
        Just("1. "),
        Just("2) "),
        Just("> "),
        Just("~~x~~"),
        Just("$x$"),
        Just("$$"),
        Just("\\"),
        Just("<!--"),
        Just("-->"),
        Just("==="),
        Just("---"),
        Just("    "),
        Just("[^1]"),
        Just("\n"),
        Just("\r\n"),
        Just("\t"),
        Just("\u{2028}"),
        Just("\u{85}"),
        Just("\u{202E}"),
        Just("\u{7}"),
    ]
    .prop_map(String::from)
}

/// Any string, rich in what means something to Markdown.
fn markdown_hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => markdown_fragment(),
        1 => any::<String>(),
        1 => hostile_fragment(),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

/// What a reader sees of `value` written by [`escape::markdown_text`]: line breaks and tabs as
/// spaces, other controls and bidirectional characters by name, without the blanks CommonMark
/// strips at both ends of a paragraph or a cell.
fn markdown_shown(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\t') {
            out.push(' ');
        } else if text::breaks_lines(c) || text::reorders_text(c) {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.trim_matches(|c: char| c == ' ').to_string()
}

/// The text and code of `markdown` as pulldown-cmark reads it (with GitHub's tables,
/// strikethrough, footnotes and math), and every event that is neither, nor the paragraph or
/// table around it.
fn markdown_read(markdown: &str) -> (String, String, Vec<String>) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM;
    let (mut text, mut code, mut other) = (String::new(), String::new(), Vec::new());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::Code(c) => code.push_str(&c),
            Event::Start(
                Tag::Paragraph | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Table
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::TableCell,
            ) => {}
            e => other.push(format!("{e:?}")),
        }
    }
    (text, code, other)
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn markdown_text_reads_back_as_written_at_the_start_of_a_line(s in markdown_hostile()) {
        let written = escape::markdown_text(&s);
        let (text, code, other) = markdown_read(&format!("{written}\n"));
        prop_assert!(other.is_empty(), "{:?} as {:?}: {:?}", s, written, other);
        prop_assert!(code.is_empty(), "{:?} as {:?}", s, written);
        prop_assert_eq!(text, markdown_shown(&s), "{:?} as {:?}", s, written);
    }

    #[test]
    fn markdown_text_stays_in_its_table_cell(s in markdown_hostile()) {
        let written = escape::markdown_text(&s);
        let table = format!("| a | b |\n|---|---|\n| {written} | end |\n");
        let (text, _, other) = markdown_read(&table);
        prop_assert!(other.is_empty(), "{:?} as {:?}: {:?}", s, written, other);
        prop_assert_eq!(text, format!("ab{}end", markdown_shown(&s)), "{:?} as {:?}", s, written);
    }

    #[test]
    fn code_cells_show_the_value_and_stay_in_their_cell(s in markdown_hostile()) {
        let written = escape::code_cell(&s);
        let table = format!("| a | b |\n|---|---|\n| {written} | end |\n");
        let (text, code, other) = markdown_read(&table);
        prop_assert!(other.is_empty(), "{:?} as {:?}: {:?}", s, written, other);
        prop_assert_eq!(text, "abend", "{:?} as {:?}", s, written);
        // CommonMark shows a code span's line as it is, but for one space stripped at each
        // end when both are there; code_span adds them only where it must.
        prop_assert_eq!(code, escape::code_text(&s), "{:?} as {:?}", s, written);
    }

    #[test]
    fn code_text_cannot_end_its_fenced_block(s in markdown_hostile()) {
        let written = escape::code_text(&s);
        let fence = escape::fence(&[&written]);
        let block = format!("{fence}sh\n   {written}\n{fence}\nafter\n");
        let parser = pulldown_cmark::Parser::new(&block);
        let events: Vec<_> = parser.collect();
        let inside: String = events
            .iter()
            .skip_while(|e| !matches!(e, pulldown_cmark::Event::Start(pulldown_cmark::Tag::CodeBlock(_))))
            .take_while(|e| !matches!(e, pulldown_cmark::Event::End(pulldown_cmark::TagEnd::CodeBlock)))
            .filter_map(|e| match e {
                pulldown_cmark::Event::Text(t) => Some(t.to_string()),
                _ => None,
            })
            .collect();
        prop_assert_eq!(inside, format!("   {written}\n"), "{:?}", s);
        prop_assert!(!written.contains('\n'));
    }

    #[test]
    fn html_comment_text_cannot_end_the_comment(s in markdown_hostile()) {
        let written = escape::html_comment_text(&s);
        prop_assert!(!written.contains("--"), "{:?} as {:?}", s, written);
        prop_assert!(escape::is_comment(&written), "{:?} as {:?}", s, written);
    }
}

/// Writes the hostile strings of this file's strategies, each as [`escape::yaml_string`] writes
/// it and, before it, as a comment with [`escape::comment_text`], for `tests/yaml11_strings.py`
/// to read back with PyYAML (a YAML 1.1 reader, like cfn-lint's): `tests/run.sh` runs it with
/// `CLOUDWRIGHT_PYYAML_CASES` naming the file, after the validator virtualenv exists.
#[test]
#[ignore = "writes the cases tests/run.sh hands to PyYAML"]
fn pyyaml_cases_are_written() {
    use proptest::strategy::ValueTree;
    use std::fmt::Write as _;
    let path =
        std::env::var("CLOUDWRIGHT_PYYAML_CASES").expect("CLOUDWRIGHT_PYYAML_CASES names the file");
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = prop_oneof![any_text_or_hostile(), markdown_hostile(), free_text(300)];
    let mut doc =
        String::from("# Hostile strings as cloudwright writes them, for PyYAML to read back.\n");
    for _ in 0..3000 {
        let s = strategy.new_tree(&mut runner).unwrap().current();
        let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
        writeln!(doc, "# {}", escape::comment_text(&s)).unwrap();
        writeln!(
            doc,
            "- value: {}\n  utf8: \"{hex}\"",
            escape::yaml_string(&s)
        )
        .unwrap();
    }
    std::fs::write(path, doc).unwrap();
}

// Environment VPC blocks (plan::vpcs): what a pool allocates lies in it, overlaps no other
// environment's block, and a block once recorded never moves when environments are added.

/// An environment's address: a given block, or a pool's supernet and size.
type EnvSpec = (Option<Ipv4Net>, Option<(Ipv4Net, u8)>);

/// An environment: a given /16–/20 block of 10.0.0.0/8, or a pool (a /12–/14 of 10.0.0.0/8 and
/// a /16–/18 size).
fn environment_address() -> impl Strategy<Value = EnvSpec> {
    let net = |min: u8, max: u8| {
        (any::<u32>(), min..=max).prop_map(|(bits, prefix)| {
            Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 | (bits & 0x00ff_ffff)), prefix)
                .unwrap()
                .trunc()
        })
    };
    prop_oneof![
        net(16, 20).prop_map(|n| (Some(n), None)),
        (net(12, 14), 16u8..=18).prop_map(|(from, size)| (None, Some((from, size)))),
    ]
}

fn environments_of(
    specs: &[EnvSpec],
    locks: &[Option<Ipv4Net>],
) -> Vec<cloudwright::plan::vpcs::Environment> {
    use cloudwright::blueprint::types::{VpcAddress, VpcCidr, VpcPool};
    specs
        .iter()
        .zip(locks)
        .enumerate()
        .map(
            |(i, ((given, pool), lock))| cloudwright::plan::vpcs::Environment {
                name: format!("e{i}"),
                address: Some(match (given, pool) {
                    (Some(n), _) => VpcAddress::Given(VpcCidr(*n)),
                    (None, Some((from, size))) => VpcAddress::Pool(VpcPool {
                        from: *from,
                        size: *size,
                    }),
                    (None, None) => unreachable!("the strategy gives one or the other"),
                }),
                locked: *lock,
                gone: false,
            },
        )
        .collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn pools_allocate_inside_themselves_around_every_other_block(
        specs in proptest::collection::vec(environment_address(), 1..8),
    ) {
        use cloudwright::plan::vpcs::assign;
        let envs = environments_of(&specs, &vec![None; specs.len()]);
        let blocks = assign(&envs);
        prop_assert_eq!(&blocks, &assign(&envs), "deterministic");
        for (i, (spec, block)) in specs.iter().zip(&blocks).enumerate() {
            match spec {
                (Some(given), _) => prop_assert_eq!(*block, Some(*given)),
                (None, Some((from, size))) => {
                    let Some(block) = block else { continue };
                    prop_assert!(from.contains(block) && block.prefix_len() == *size);
                    for (j, other) in blocks.iter().enumerate() {
                        if let (true, Some(o)) = (i != j, other) {
                            prop_assert!(!o.contains(block) && !block.contains(o), "{} overlaps {}", block, o);
                        }
                    }
                }
                (None, None) => unreachable!(),
            }
        }
    }

    #[test]
    fn a_recorded_block_never_moves_when_an_environment_is_added(
        specs in proptest::collection::vec(environment_address(), 1..6),
        new in environment_address(),
        at in any::<proptest::sample::Index>(),
    ) {
        use cloudwright::plan::vpcs::assign;
        let blocks = assign(&environments_of(&specs, &vec![None; specs.len()]));
        // Every environment rendered once: its lock file records its block.
        let mut grown = specs.clone();
        let mut locks = blocks.clone();
        let at = at.index(specs.len() + 1);
        grown.insert(at, new);
        locks.insert(at, None);
        let after = assign(&environments_of(&grown, &locks));
        let mut kept = after.clone();
        kept.remove(at);
        prop_assert_eq!(kept, blocks);
    }
}
