//! One blueprint, several environments: overrides, per-environment rules, VPC blocks that never
//! overlap and never move, located errors; and `render` over several blueprints at once.

mod common;

use std::path::{Path, PathBuf};

use common::{run, settings};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const FIXTURE: &str = "tests/fixtures/render/multi-env.yaml";

/// A temporary project holding `orders.yaml`, the three-environment render fixture.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(FIXTURE), dir.path().join("orders.yaml")).unwrap();
    dir
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// The VPC block a lock file records.
fn locked_vpc(path: impl AsRef<Path>) -> ipnet::Ipv4Net {
    let text = read(path);
    let line = text.lines().find(|l| l.starts_with("vpc: ")).unwrap();
    line["vpc: ".len()..].parse().unwrap()
}

/// Runs `cloudwright` with the words of `line` as its arguments (none holds a space).
fn cw(cwd: &Path, line: &str) -> common::Run {
    run(cwd, &line.split_whitespace().collect::<Vec<_>>())
}

/// Run durations vary: `12 ms` becomes `N ms`.
fn without_timings(text: &str) -> String {
    text.lines()
        .map(|line| match line.rsplit_once(" in ") {
            Some((head, tail)) if tail.ends_with(" ms") => format!("{head} in N ms"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_environment_is_the_top_level_with_its_override() {
    let dir = project();
    let mut transcript = String::new();
    for env in ["production", "staging", "development"] {
        let r = run(dir.path(), &["plan", "orders.yaml", "--env", env]);
        assert_eq!(r.code, 0, "{env}: {}", r.transcript());
        transcript.push_str(&format!(
            "$ plan orders.yaml --env {env}\n{}\n",
            r.transcript()
        ));
    }
    settings().bind(|| insta::assert_snapshot!("environments.plans", transcript));

    let r = cw(
        dir.path(),
        "render orders.yaml -t cloudformation -o out --quiet",
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout, "", "--quiet lists no file");
    let template = |env: &str| {
        read(
            dir.path()
                .join(format!("out/orders/{env}/cloudformation/template.yaml")),
        )
    };
    let count = |env: &str, what: &str| template(env).matches(what).count();
    // Overrides: NAT gateways per AZ, one, none; subnets over three AZs, two, two.
    for (env, nat, subnets) in [
        ("production", 3, 6),
        ("staging", 1, 4),
        ("development", 0, 4),
    ] {
        assert_eq!(count(env, "Type: AWS::EC2::NatGateway"), nat, "{env}");
        assert_eq!(count(env, "Type: AWS::EC2::Subnet\n"), subnets, "{env}");
    }
    // Environment-aware defaults: only production protects its table from deletion.
    assert_eq!(count("production", "DeletionProtectionEnabled: true"), 1);
    assert_eq!(count("staging", "DeletionProtectionEnabled: true"), 0);
    // Each environment names its resources apart, so all three deploy into one account.
    assert!(template("staging").contains("orders-staging"));
    assert!(!template("production").contains("orders-staging"));
    // Per-environment budgets and retention reach the output.
    assert!(template("development").contains("Amount: 100"));
    assert!(template("development").contains("RetentionInDays: 30"));
    // The README says which environment it describes.
    let readme = read(
        dir.path()
            .join("out/orders/staging/cloudformation/README.md"),
    );
    assert!(readme.contains("environment\n`staging`"), "{readme}");
}

#[test]
fn environment_vpcs_come_from_the_supernet_never_overlap_and_never_move() {
    let dir = project();
    let p = dir.path();
    let r = cw(p, "render orders.yaml -t terraform -o out");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let supernet: ipnet::Ipv4Net = "10.96.0.0/13".parse().unwrap();
    let locks = [
        "orders.lock.yaml",
        "orders.lock.staging.yaml",
        "orders.lock.development.yaml",
    ];
    let before: Vec<String> = locks.iter().map(|l| read(p.join(l))).collect();
    let vpcs: Vec<ipnet::Ipv4Net> = locks.iter().map(|l| locked_vpc(p.join(l))).collect();
    for (i, a) in vpcs.iter().enumerate() {
        assert!(supernet.contains(a) && a.prefix_len() == 16, "{a}");
        for b in &vpcs[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }

    // A new environment listed first takes a free block; no other environment's block moves.
    let text = read(p.join("orders.yaml"));
    let text = text.replace(
        "environments:\n",
        "environments:\n  qa:\n    environment: staging\n    network: { azs: 2, nat: none }\n",
    );
    std::fs::write(p.join("orders.yaml"), text).unwrap();
    let r = cw(p, "render orders.yaml -t terraform -o out");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let after: Vec<String> = locks.iter().map(|l| read(p.join(l))).collect();
    assert_eq!(before, after, "a recorded block never moves");
    let qa = locked_vpc(p.join("orders.lock.qa.yaml"));
    assert!(supernet.contains(&qa));
    assert!(
        vpcs.iter().all(|v| !v.contains(&qa) && !qa.contains(v)),
        "{qa}"
    );
    let readme = read(p.join("out/orders/qa/terraform/README.md"));
    assert!(
        readme.contains("# orders-qa (qa, us-east-2): Terraform"),
        "{readme}"
    );
    assert!(readme.contains("`qa` (a staging environment)"), "{readme}");

    // In CI: every environment is current and locked.
    let r = cw(p, "render orders.yaml -t terraform -o out --check --locked");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let r = cw(p, "check orders.yaml --locked");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stdout.matches("0 errors").count(), 4, "{}", r.stdout);
}

#[test]
fn check_applies_each_environments_rules_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    // Development at the top level: one AZ and one NAT gateway are fine there, not in production.
    let text = "name: lab\ndescription: Lab network\nenvironment: development\nregion: eu-north-1\n\
network:\n  cidr: 10.8.0.0/16\n  azs: 1\n  tiers:\n    public: { size: /24, internet: inbound }\n    private: { size: /22, internet: outbound }\n  nat: single\n\
budget:\n  monthly_usd: 100\n  alerts: [{ percent: 80, of: actual }]\n  emails: [lab@example.com]\n\
environments:\n  production:\n    network: { cidr: 10.9.0.0/16 }\n";
    std::fs::write(dir.path().join("lab.yaml"), text).unwrap();
    let r = cw(dir.path(), "check lab.yaml");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout.contains("lab.yaml (development): 0 errors"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("error[HA001]: network.azs: in environment `production`"),
        "{}",
        r.stdout
    );
    settings().bind(|| insta::assert_snapshot!("environments.rules", r.transcript()));

    let r = cw(dir.path(), "check lab.yaml --env development");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let r = cw(dir.path(), "check lab.yaml --env prodution");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout.contains("no environment `prodution`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("did you mean `production`?"),
        "{}",
        r.stdout
    );
}

#[test]
fn environment_errors_are_located_at_the_override() {
    let fixtures = root().join("tests/fixtures/environments");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 10);
    for path in paths {
        let relative = path.strip_prefix(root()).unwrap().to_str().unwrap();
        let text = read(&path);
        let line = text
            .lines()
            .position(|l| l.ends_with("# error here"))
            .unwrap_or_else(|| panic!("{relative} marks the line of its error"))
            + 1;
        let r = run(root(), &["check", relative]);
        let output = format!("{}{}", r.stdout, r.stderr);
        assert!(
            output.contains(&format!("{relative}:{line}:")),
            "{relative}: no finding at line {line}:\n{output}"
        );
        assert!(output.contains("\n  help: "), "{output}");
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        settings().bind(|| {
            insta::assert_snapshot!(format!("environments.invalid.{name}"), r.transcript())
        });
    }
}

#[test]
fn render_takes_many_blueprints_and_one_broken_stops_no_other() {
    let dir = project();
    let p = dir.path();
    std::fs::create_dir(p.join("blueprints")).unwrap();
    std::fs::rename(p.join("orders.yaml"), p.join("blueprints/orders.yaml")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("blueprints/edge.yaml"),
    )
    .unwrap();
    std::fs::write(
        p.join("blueprints/broken.yaml"),
        "name: broken\nnetwork: [\n",
    )
    .unwrap();
    let r = cw(p, "render blueprints -t terraform -o infra --verbose");
    assert_eq!(r.code, 1, "{}", r.transcript());
    for dir in [
        "infra/edge/development/terraform",
        "infra/orders/production/terraform",
        "infra/orders/staging/terraform",
        "infra/orders/development/terraform",
    ] {
        assert!(p.join(dir).join("README.md").exists(), "{dir}");
    }
    assert!(!p.join("infra/broken").exists());
    assert!(p.join("blueprints/orders.lock.staging.yaml").exists());
    let transcript = without_timings(&r.transcript());
    settings().bind(|| insta::assert_snapshot!("environments.render-many", transcript));

    // The lock files of the first run are not blueprints of the directory.
    let r = cw(p, "render blueprints -t terraform -o infra --check");
    assert_eq!(r.code, 1, "only broken.yaml fails: {}", r.transcript());
    assert!(!r.stderr.contains("lock.yaml:"), "{}", r.stderr);

    // As the shell expands `blueprints/*.yaml`: the lock files are passed over, with a note.
    let mut args = vec!["check".to_string()];
    let mut listed: Vec<String> = std::fs::read_dir(p.join("blueprints"))
        .unwrap()
        .map(|e| format!("blueprints/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    listed.sort();
    args.extend(listed);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(p, &args);
    assert_eq!(r.code, 1, "only broken.yaml fails: {}", r.transcript());
    assert!(
        r.stderr
            .contains("skipping blueprints/orders.lock.staging.yaml: a lock file, not a blueprint"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("lock.yaml:"), "{}", r.stdout);

    // An input that cannot be read at all makes the run exit 2, after rendering the others.
    std::fs::remove_file(p.join("blueprints/broken.yaml")).unwrap();
    std::fs::remove_dir_all(p.join("infra")).unwrap();
    let r = cw(p, "render blueprints missing.yaml -t sam -o infra -q");
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("missing.yaml"), "{}", r.stderr);
    assert!(p.join("infra/orders/staging/sam/template.yaml").exists());
}

#[test]
fn render_refuses_what_several_blueprints_cannot_do() {
    let dir = project();
    let p = dir.path();
    let r = cw(p, "render orders.yaml -t terraform --stdout");
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert!(
        r.stderr
            .contains("--stdout prints one blueprint in one environment"),
        "{}",
        r.stderr
    );
    // One environment still prints.
    let r = cw(
        p,
        "render orders.yaml --env staging -t cloudformation --stdout",
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(r.stdout.contains("orders-staging"));

    // Two blueprints of one file name would share a folder.
    std::fs::create_dir_all(p.join("a")).unwrap();
    std::fs::create_dir_all(p.join("b")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("a/net.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("b/net.yaml"),
    )
    .unwrap();
    let r = cw(p, "render a/net.yaml b/net.yaml -t terraform -o out");
    assert_eq!(r.code, 2, "{}", r.transcript());
    assert!(
        r.stderr.contains("would both be written into"),
        "{}",
        r.stderr
    );
    assert!(!p.join("out").exists(), "nothing written");
}

/// Runs `cloudwright ARGS` on a pseudo-terminal (util-linux `script`): the exit code and what the
/// terminal showed.
fn on_terminal(cwd: &Path, args: &str) -> (i32, String) {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_cloudwright"));
    let out = std::process::Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs a command on a pseudo-terminal");
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
    )
}

#[test]
fn progress_and_timing_show_on_a_terminal_or_with_verbose_and_never_with_quiet() {
    let dir = project();
    let p = dir.path();
    let (code, screen) = on_terminal(p, "render orders.yaml -t terraform -o out");
    assert_eq!(code, 0, "{screen}");
    for line in [
        "[1/3] orders.yaml (production): done in ",
        "[3/3] orders.yaml (development): done in ",
        "rendered 3 blueprint environments in ",
    ] {
        assert!(screen.contains(line), "{line}: {screen}");
    }
    // Not on a terminal: no progress, unless asked for.
    let r = cw(p, "render orders.yaml -t terraform -o out");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(!r.stderr.contains("[1/3]"), "{}", r.stderr);
    assert!(r.stdout.contains("unchanged "), "{}", r.stdout);
    // One blueprint in one environment is no long run.
    let (code, screen) = on_terminal(p, "render orders.yaml --env staging -t sam -o sam");
    assert_eq!(code, 0, "{screen}");
    assert!(
        !screen.contains("[1/1]") && !screen.contains("rendered 1"),
        "{screen}"
    );
    // --quiet: nothing but errors, even on a terminal.
    let (code, screen) = on_terminal(p, "render orders.yaml -t terraform -o out --quiet");
    assert_eq!((code, screen.as_str()), (0, ""));

    let (code, screen) = on_terminal(p, "check orders.yaml");
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("checked 3 blueprint environments in "),
        "{screen}"
    );
    let r = cw(p, "check orders.yaml --verbose");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_eq!(r.stderr.matches(": checked in ").count(), 3, "{}", r.stderr);
    assert!(r.stderr.contains("checked 3 blueprint environments in "));
    let r = cw(p, "check orders.yaml --quiet");
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
}

#[test]
fn every_environments_lock_file_is_its_own_and_keeps_its_block() {
    let dir = project();
    let p = dir.path();
    let plan = |env: &str| run(p, &["plan", "orders.yaml", "--env", env]);
    let edit = |from: &str, to: &str| {
        let text = read(p.join("orders.yaml"));
        assert!(text.contains(from), "{from}");
        std::fs::write(p.join("orders.yaml"), text.replacen(from, to, 1)).unwrap();
    };
    for env in ["production", "staging"] {
        assert_eq!(plan(env).code, 0);
    }
    let staging = locked_vpc(p.join("orders.lock.staging.yaml"));
    assert!(read(p.join("orders.lock.staging.yaml")).contains("\nenvironment: staging\n"));

    // A sibling whose override does not load keeps its recorded block.
    edit(
        "network: { azs: 2, nat: single }",
        "network: { azs: 2, nat: singel }",
    );
    let r = plan("development");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_ne!(locked_vpc(p.join("orders.lock.development.yaml")), staging);
    edit("nat: singel", "nat: single");

    // Another blueprint named like an environment's lock file has a lock file of its own.
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("orders.staging.yaml"),
    )
    .unwrap();
    let r = cw(p, "plan orders.staging.yaml");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(p.join("orders.staging.lock.yaml").exists());
    assert_eq!(plan("staging").code, 0);
    assert_eq!(locked_vpc(p.join("orders.lock.staging.yaml")), staging);
    std::fs::remove_file(p.join("orders.staging.yaml")).unwrap();

    // An environment renamed: the old lock file's block stays taken, and check says why.
    edit("  staging:\n", "  qa:\n    environment: staging\n");
    let r = plan("qa");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert_ne!(locked_vpc(p.join("orders.lock.qa.yaml")), staging);
    let r = cw(p, "check orders.yaml");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stdout.contains(&format!(
            "the lock file orders.lock.staging.yaml is of environment `staging`, which the blueprint no longer has: its VPC {staging} stays reserved"
        )),
        "{}",
        r.stdout
    );
    std::fs::remove_file(p.join("orders.lock.qa.yaml")).unwrap();
    // Given outright, it may not take that block either.
    edit(
        "  qa:\n    environment: staging\n    network: { azs: 2, nat: single }",
        &format!(
            "  qa:\n    environment: staging\n    network: {{ azs: 2, nat: single, cidr: {staging} }}"
        ),
    );
    let r = plan("qa");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(&format!(
            "overlaps {staging}, the VPC environment `staging` had, which the blueprint no longer has but its lock file still records"
        )),
        "{}",
        r.stderr
    );
    edit(
        &format!("    network: {{ azs: 2, nat: single, cidr: {staging} }}"),
        "    network: { azs: 2, nat: single }",
    );
    edit("  qa:\n    environment: staging\n", "  staging:\n");

    // The top level's environment changed: no lock file is read for another environment.
    edit("environment: production\n", "environment: staging\n");
    edit("  staging:\n", "  production:\n");
    let r = plan("staging");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr.contains(
            "the lock file orders.lock.yaml is environment `production`'s, not `staging`'s"
        ),
        "{}",
        r.stderr
    );
    let r = plan("production");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stderr
            .contains("rename orders.lock.yaml to orders.lock.production.yaml"),
        "{}",
        r.stderr
    );
}

#[test]
fn null_in_an_override_removes_and_env_over_many_blueprints_passes_over_those_without_it() {
    let dir = project();
    let p = dir.path();
    let text = read(p.join("orders.yaml")).replace(
        "    budget: { monthly_usd: 100 }\n",
        "    budget: null\n    tags: { team: null }\n    name: null\n",
    );
    std::fs::write(p.join("orders.yaml"), text).unwrap();
    let r = cw(
        p,
        "render orders.yaml --env development -t terraform -o dev",
    );
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        !p.join("dev/budget.tf").exists(),
        "budget: null removes the budget"
    );
    let providers = read(p.join("dev/providers.tf"));
    assert!(!providers.contains("team"), "{providers}");
    assert!(
        read(p.join("dev/network.tf")).contains("orders-development"),
        "name: null is the default"
    );

    std::fs::create_dir(p.join("many")).unwrap();
    std::fs::rename(p.join("orders.yaml"), p.join("many/orders.yaml")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("many/edge.yaml"),
    )
    .unwrap();
    let r = cw(p, "render many --env staging -t sam -o out");
    assert_eq!(r.code, 0, "{}", r.transcript());
    assert!(
        r.stderr
            .contains("skipping many/edge.yaml: it has no environment `staging`"),
        "{}",
        r.stderr
    );
    assert!(p.join("out/orders/staging/sam/template.yaml").exists());
    assert!(!p.join("out/edge").exists());
    let r = cw(p, "check many/edge.yaml --env staging");
    assert_eq!(r.code, 1, "{}", r.transcript());
    assert!(
        r.stdout.contains(
            "many/edge.yaml:3:1: error: environment: the blueprint has no environment `staging`"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn every_environment_reads_the_top_levels_values_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Plain scalars a YAML reader would take for numbers, were they not text fields.
    let text = "name: rt\ndescription: 1.10\nenvironment: production\nregion: us-east-1\n\
tags: { team: 0x1F, code: 1e3, flag: yes, ver: 1.10, octal: 0o17 }\n\
budget:\n  monthly_usd: 100\n  alerts: [{ percent: 80, of: actual }]\n  emails: [a@example.com]\n\
environments:\n  staging: {}\n";
    std::fs::write(p.join("rt.yaml"), text).unwrap();
    let r = cw(p, "render rt.yaml -t terraform -o out -q");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let tags = |env: &str| {
        let vars = read(p.join(format!("out/rt/{env}/terraform/variables.tf")));
        vars.lines()
            .filter(|l| l.trim_start().starts_with('"'))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(tags("production"), tags("staging"));
    assert!(
        tags("staging").iter().any(|l| l.ends_with("\"0x1F\"")),
        "{:?}",
        tags("staging")
    );
    let readme = read(p.join("out/rt/staging/terraform/README.md"));
    assert!(readme.contains("\n1\\.10\n"), "{readme}");
}

#[test]
fn file_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("bp")).unwrap();
    let evil = "bp/x\u{1b}[2J\ny.yaml";
    std::fs::copy(root().join("tests/fixtures/valid.yaml"), p.join(evil)).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/valid.yaml"),
        p.join("bp/plain.yaml"),
    )
    .unwrap();
    let r = cw(p, "check bp --verbose");
    assert_eq!(r.code, 0, "{}", r.transcript());
    let r2 = cw(p, "render bp -t terraform -o out --verbose");
    assert_eq!(r2.code, 0, "{}", r2.transcript());
    for text in [&r.stdout, &r.stderr, &r2.stdout, &r2.stderr] {
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("x\\u{001B}[2J\\u{000A}y"), "{text}");
    }
}
