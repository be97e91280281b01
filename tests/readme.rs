//! The README of every output folder: a snapshot per catalog blueprint and target, and for every
//! catalog blueprint and rendering fixture, read back as Markdown: its tables well formed, every
//! skip and output of the folder listed, and the diagram holding every subnet, component and
//! connection. (Mermaid itself parses every diagram in `tests/run.sh`: `tests/mermaid/`.)

mod common;

use std::path::Path;

use common::{run, settings};

use cloudwright::blueprint::{self, Origin, Source};
use cloudwright::diagnostics::Severity;
use cloudwright::plan::{self, Plan};
use cloudwright::render::{self, RenderedFile, Target};
use cloudwright::validate::{self, Accepted};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

struct Case {
    name: String,
    catalog: bool,
    plan: Plan,
    accepted: Vec<Accepted>,
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (dir, catalog) in [("blueprints", true), ("tests/fixtures/render", false)] {
        let mut paths: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        paths.sort();
        for path in paths {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let doc = blueprint::load(Source {
                origin: Origin::Catalog(name.clone()),
                text: std::fs::read_to_string(&path).unwrap(),
            })
            .unwrap();
            let plan = plan::plan(&doc, None).unwrap();
            let outcome = validate::run(&doc, &plan);
            assert!(!outcome.fails(Severity::Error), "{name}");
            cases.push(Case {
                name,
                catalog,
                plan,
                accepted: outcome.accepted,
            });
        }
    }
    cases
}

/// Every file of `target`, and the README among them.
fn render(case: &Case, target: Target) -> (Vec<RenderedFile>, String) {
    let files = render::render(&case.plan, &case.accepted, target).unwrap();
    let readme = files
        .iter()
        .find(|f| f.path == render::readme::FILE)
        .expect("every output folder has a README")
        .body
        .clone();
    (files, readme)
}

#[test]
fn readme_snapshots_of_the_catalog() {
    for case in cases().iter().filter(|c| c.catalog) {
        for target in Target::ALL {
            let (_, readme) = render(case, target);
            let file = RenderedFile {
                path: render::readme::FILE.into(),
                body: readme,
                scaffold: false,
            };
            let out =
                cloudwright::write::with_header(&file, &case.name, &format!("{}.yaml", case.name));
            settings().bind(|| {
                insta::assert_snapshot!(format!("{}.{target}.README.md", case.name), out.contents)
            });
        }
    }
}

/// The tables of a Markdown document, each as its rows of cell texts (header first).
fn tables(markdown: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap_or_default()),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                tables.last_mut().unwrap().push(std::mem::take(&mut row));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    tables
}

/// The table whose header's first cell is `first`.
fn table<'a>(tables: &'a [Vec<Vec<String>>], first: &str) -> Option<&'a Vec<Vec<String>>> {
    tables.iter().find(|t| t[0][0] == first)
}

/// How many checks the folder's code skips: checkov's `# checkov:skip=` comments (Terraform) or
/// `skip:` items (CloudFormation), and cfn-lint's `ignore_checks` items.
fn skips_in_code(files: &[RenderedFile], target: Target) -> usize {
    files
        .iter()
        .filter(|f| !f.scaffold && f.path != render::readme::FILE)
        .map(|f| match target {
            Target::Terraform => f.body.matches("# checkov:skip=").count(),
            Target::CloudFormation | Target::Sam => {
                let doc: serde_yaml::Value = match serde_yaml::from_str(&f.body) {
                    Ok(d) => d,
                    Err(_) => return 0,
                };
                let mut n = 0;
                let metadata = doc["Resources"]
                    .as_mapping()
                    .into_iter()
                    .flat_map(|r| r.values())
                    .map(|r| &r["Metadata"])
                    .chain(std::iter::once(&doc["Metadata"]));
                for m in metadata {
                    n += m["checkov"]["skip"].as_sequence().map_or(0, |s| s.len());
                    n += m["cfn-lint"]["config"]["ignore_checks"]
                        .as_sequence()
                        .map_or(0, |s| s.len());
                }
                n
            }
        })
        .sum()
}

/// The outputs the folder's code declares: CloudFormation's `Outputs`, Terraform's `output`
/// blocks (read with hcl-rs).
fn outputs_in_code(files: &[RenderedFile], target: Target) -> Vec<String> {
    let mut names = Vec::new();
    for f in files {
        match target {
            Target::Terraform if f.path == "outputs.tf" => {
                let body: hcl::Body = hcl::from_str(&f.body).unwrap();
                for block in body.blocks().filter(|b| b.identifier() == "output") {
                    names.push(block.labels()[0].as_str().to_string());
                }
            }
            Target::CloudFormation | Target::Sam if f.path == "template.yaml" => {
                let doc: serde_yaml::Value = serde_yaml::from_str(&f.body).unwrap();
                if let Some(outputs) = doc["Outputs"].as_mapping() {
                    names.extend(outputs.keys().map(|k| k.as_str().unwrap().to_string()));
                }
            }
            _ => {}
        }
    }
    names
}

#[test]
fn every_readme_lists_what_its_folder_holds_in_well_formed_tables() {
    for case in cases() {
        for target in Target::ALL {
            let (files, readme) = render(&case, target);
            let at = format!("{} {target}", case.name);
            let tables = tables(&readme);
            for t in &tables {
                assert!(
                    t.iter().all(|row| row.len() == t[0].len()),
                    "{at}: a table row has another number of cells than its header: {t:?}"
                );
            }
            let listed = table(&tables, "file").unwrap();
            let generated: Vec<&str> = files
                .iter()
                .filter(|f| f.path != render::readme::FILE)
                .map(|f| f.path.as_str())
                .collect();
            let rows: Vec<&str> = listed[1..].iter().map(|r| r[0].as_str()).collect();
            assert_eq!(rows, generated, "{at}: the files table");
            assert!(
                listed[1..].iter().all(|r| !r[1].is_empty()),
                "{at}: every file says what it holds: {listed:?}"
            );

            let resources = table(&tables, "type")
                .or_else(|| table(&tables, "CloudFormation type"))
                .unwrap();
            let counted: usize = resources[1..]
                .iter()
                .map(|r| r.last().unwrap().parse::<usize>().unwrap())
                .sum();
            let declared: usize = render::inventory::inventory(&case.plan, &case.accepted)
                .values()
                .sum();
            assert_eq!(counted, declared, "{at}: resources");
            assert!(
                readme.contains(&format!("\n{declared} resources, counted")),
                "{at}"
            );

            let skips = table(&tables, "tool").map_or(0, |t| t.len() - 1);
            assert_eq!(skips, skips_in_code(&files, target), "{at}: skips");
            if let Some(t) = table(&tables, "tool") {
                assert!(
                    t[1..].iter().all(|r| r[3].chars().count() >= 10),
                    "{at}: every skip has its reason: {t:?}"
                );
            }
            let outputs: Vec<String> = table(&tables, "output")
                .map(|t| t[1..].iter().map(|r| r[0].clone()).collect())
                .unwrap_or_default();
            assert_eq!(outputs, outputs_in_code(&files, target), "{at}: outputs");

            let accepted = table(&tables, "rule").map_or(0, |t| t.len() - 1);
            assert_eq!(accepted, case.accepted.len(), "{at}: suppressions");

            // The cost: the fixed rows add up to the total the sentence gives, in a region with
            // prices; elsewhere it says so and gives no dollars.
            let estimate = cloudwright::cost::estimate(&case.plan);
            match estimate.fixed_total {
                Some(total) => {
                    let sum: u64 = table(&tables, "fixed every month")
                        .map_or(0, |t| t[1..].iter().map(|r| cents(&r[3])).sum());
                    assert_eq!(sum * 10_000, total, "{at}: the fixed rows add up");
                    assert!(
                        readme.contains(&format!(
                            "**{} a month**",
                            cloudwright::cost::dollars(total).replace('$', "\\$")
                        )),
                        "{at}: the total"
                    );
                }
                None => {
                    assert!(
                        readme.contains(&format!(
                            "cloudwright has no prices for {}",
                            case.plan.region.name
                        )),
                        "{at}"
                    );
                    let cost = &readme[readme.find("## Cost estimate").unwrap()
                        ..readme.find("## Suppressions").unwrap()];
                    assert!(
                        !cost.contains('$'),
                        "{at}: no dollars without prices: {cost}"
                    );
                }
            }
        }
    }
}

/// `$1,234.56` (as a table cell shows it) in cents.
fn cents(amount: &str) -> u64 {
    amount
        .trim_start_matches('$')
        .replace([',', '.'], "")
        .parse()
        .unwrap_or_else(|_| panic!("`{amount}` is an amount"))
}

/// The Mermaid block of a README.
fn mermaid(readme: &str) -> &str {
    let start = readme.find("```mermaid\n").expect("a Mermaid block") + "```mermaid\n".len();
    &readme[start..start + readme[start..].find("\n```").unwrap()]
}

#[test]
fn every_diagram_holds_every_subnet_component_and_connection() {
    for case in cases() {
        let (_, readme) = render(&case, Target::Terraform);
        let diagram = mermaid(&readme);
        let at = &case.name;
        assert!(diagram.starts_with("flowchart TB\n"), "{at}");
        let id = |name: &str| format!("c_{}", name.replace('-', "_"));
        for c in &case.plan.components {
            let declared = diagram
                .lines()
                .map(str::trim_start)
                .filter(|l| {
                    !l.contains("-->")
                        && l.split(['[', '(', '{']).next() == Some(id(&c.name).as_str())
                })
                .count();
            assert_eq!(declared, 1, "{at}: component {} is drawn once", c.name);
        }
        for c in &case.plan.connections {
            let edge = format!("{} -->|\"", id(&case.plan.components[c.from].name));
            let to = format!("| {}", id(&case.plan.components[c.to].name));
            assert!(
                diagram
                    .lines()
                    .any(|l| l.trim_start().starts_with(&edge) && l.ends_with(&to)),
                "{at}: connection {} -> {} ({})",
                case.plan.components[c.from].name,
                case.plan.components[c.to].name,
                c.access.as_str()
            );
        }
        if let Some(n) = &case.plan.network {
            assert!(
                diagram.contains(&format!("subgraph vpc[\"VPC {} in ", n.vpc)),
                "{at}"
            );
            for t in &n.tiers {
                for s in &t.subnets {
                    assert!(
                        diagram.contains(&format!(" {}\"]", s.cidr)),
                        "{at}: subnet {} of tier {}",
                        s.cidr,
                        t.name
                    );
                }
            }
        }
        // Inside the VPC, every component sits in its tier's group.
        let mut group: Vec<String> = Vec::new();
        for line in diagram.lines() {
            let l = line.trim_start();
            if let Some(rest) = l.strip_prefix("subgraph ") {
                group.push(rest.split('[').next().unwrap().to_string());
            } else if l == "end" {
                group.pop();
            } else if let Some(c) = case.plan.components.iter().find(|c| {
                !l.contains("-->") && l.split(['[', '(', '{']).next() == Some(id(&c.name).as_str())
            }) {
                let tier = case.plan.network.as_ref().and_then(|_| readme_tier(c));
                match tier {
                    Some(t) => assert_eq!(
                        group.last().map(String::as_str),
                        Some(format!("t_{}", t.replace('-', "_")).as_str()),
                        "{at}: {} in tier {t}",
                        c.name
                    ),
                    None => assert!(group.is_empty(), "{at}: {} outside the VPC", c.name),
                }
            }
        }
    }
}

/// The tier a component is placed in, as the blueprint's plan says.
fn readme_tier(c: &cloudwright::plan::Planned) -> Option<String> {
    match &c.plan {
        cloudwright::plan::ComponentPlan::Function(f) => f.tier.clone(),
        cloudwright::plan::ComponentPlan::DataLake(l) => l.tier.clone(),
        cloudwright::plan::ComponentPlan::Database(d) => Some(d.tier.clone()),
        cloudwright::plan::ComponentPlan::Service(s) => Some(s.tier.clone()),
        _ => None,
    }
}

const RENDER: [&str; 6] = [
    "render",
    "ha-vpc",
    "--target",
    "cloudformation",
    "--out-dir",
    "infra",
];

#[test]
fn render_writes_the_readme_with_its_header_and_stdout_leaves_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &RENDER);
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stdout.contains("created   infra/README.md\n"),
        "{}",
        r.stdout
    );
    let readme = std::fs::read_to_string(dir.path().join("infra/README.md")).unwrap();
    assert!(
        readme.starts_with(
            "<!-- Generated by cloudwright from blueprint ha-vpc (ha-vpc.yaml). Do not edit by hand: -->\n<!-- change the blueprint and run `cloudwright render` again. -->\n<!-- cloudwright-digest: sha256:"
        ),
        "{readme}"
    );
    let again = run(dir.path(), &[&RENDER[..], &["--check"]].concat());
    assert_eq!(
        again.code,
        0,
        "the README is ours and current: {}",
        again.transcript()
    );

    // An edit by hand is refused like any generated file's.
    std::fs::write(
        dir.path().join("infra/README.md"),
        readme.replace("## Deploy", "## Deploy it"),
    )
    .unwrap();
    let edited = run(dir.path(), &RENDER);
    assert_eq!(edited.code, 2, "{}", edited.transcript());
    assert!(
        edited.stderr.contains("infra/README.md: edited by hand"),
        "{}",
        edited.stderr
    );

    let stdout = run(
        dir.path(),
        &["render", "ha-vpc", "--target", "cloudformation", "--stdout"],
    );
    assert_eq!(stdout.code, 0, "{}", stdout.transcript());
    assert!(stdout.stdout.starts_with("# Generated by cloudwright"));
    assert!(!stdout.stdout.contains("## Architecture"));
}
