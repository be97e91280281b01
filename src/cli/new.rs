//! `cloudwright new`: a ready-to-edit blueprint file from a catalog blueprint.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use super::{Failure, print};
use crate::blueprint::{self, Origin, Source};
use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::validate;

const AFTER_HELP: &str = "\
Values not given as options are asked for on a terminal, each with its default in brackets \
(Enter takes it). With --no-input, or when standard input is not a terminal (CI, a pipe), the \
defaults are taken without asking: the catalog blueprint's own name, region and environment, \
and <name>.yaml for the file.

The file is written only if it does not exist yet (never overwritten), and only if the \
blueprint passes `cloudwright check` as written; otherwise the problems are shown and nothing \
is written.

Examples:
  cloudwright new ha-vpc
  cloudwright new serverless-api --name orders-api --region eu-west-1 --environment staging -o infra/orders.yaml
  cloudwright new sfn-pipeline --no-input";

/// Write a new blueprint file from a catalog blueprint, with your name, region and environment.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The catalog blueprint to start from (see `cloudwright list`).
    catalog: String,
    /// The new blueprint's name: kebab-case, at most 64 characters; it prefixes every AWS name.
    #[arg(long)]
    name: Option<String>,
    /// The AWS region to deploy in, such as `eu-west-1`.
    #[arg(long)]
    region: Option<String>,
    /// production, staging or development: decides which guardrails are errors.
    #[arg(long)]
    environment: Option<String>,
    /// The file to write (default: <name>.yaml in the current directory).
    #[arg(long, short, value_hint = clap::ValueHint::FilePath)]
    output: Option<PathBuf>,
    /// Never ask: take the default of every value not given.
    #[arg(long)]
    no_input: bool,
}

/// The top-level keys `new` fills in, in the order it asks for them.
const FIELDS: [(&str, &str); 3] = [
    ("name", "name"),
    ("region", "region"),
    (
        "environment",
        "environment (production, staging, development)",
    ),
];

pub fn run(args: &Args) -> Result<(), Failure> {
    let Some((catalog, text)) = blueprint::catalog().find(|(n, _)| *n == args.catalog) else {
        let help = match did_you_mean(&args.catalog, blueprint::catalog().map(|(n, _)| n)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "`cloudwright list` shows the catalog".to_string(),
        };
        return Err(Failure::Tool(format!(
            "`{}` is not a blueprint of the catalog; {help}",
            args.catalog
        )));
    };
    let given = [&args.name, &args.region, &args.environment];
    let mut values: Vec<String> = Vec::new();
    for ((key, _), value) in FIELDS.iter().zip(given) {
        match value {
            Some(v) => values.push(checked(key, v).map_err(Failure::Tool)?),
            None => values.push(top_level(text, key).unwrap_or_default()),
        }
    }
    let interactive = !args.no_input && std::io::stdin().is_terminal();
    if interactive {
        for (i, ((key, label), value)) in FIELDS.iter().zip(given).enumerate() {
            if value.is_none() {
                values[i] = ask(label, &values[i], |answer| {
                    let answer = checked(key, answer)?;
                    let mut trial = values.clone();
                    trial[i] = answer.clone();
                    match compose(text, &trial) {
                        Ok(candidate) => field_problem(&candidate, key).map_or(Ok(answer), Err),
                        Err(e) => Err(e),
                    }
                })?;
            }
        }
    }
    let output = match &args.output {
        Some(path) => path.clone(),
        None if interactive => {
            let default = format!("{}.yaml", values[0]);
            PathBuf::from(ask("file", &default, |answer| Ok(answer.to_string()))?)
        }
        None => PathBuf::from(format!("{}.yaml", values[0])),
    };
    let composed = format!(
        "# yaml-language-server: $schema={}\n{}",
        crate::schema::ID,
        compose(text, &values).map_err(Failure::Tool)?
    );
    refuse_existing(&output)?;
    check_as_written(&output, &composed)?;
    write_new(&output, &composed)?;
    let schema = schema_beside(&output);
    let stem = output
        .file_stem()
        .map_or_else(|| values[0].clone(), |s| s.to_string_lossy().into_owned());
    let code_dir = crate::input::dir_of(&output).join(stem).join("terraform");
    print(&format!(
        "created {path} from catalog blueprint {catalog} (name {}, region {}, environment {})\n{schema}next:\n  cloudwright check {path}\n  cloudwright render {path} --target terraform --out-dir {}\n",
        values[0],
        values[1],
        values[2],
        code_dir.display(),
        path = output.display(),
    ))
}

/// Writes the schema that the blueprint's first line (the YAML language server's modeline) names
/// beside the new blueprint when it is missing, and says
/// what became of it: created, already there, or another version's (left alone: it may be
/// shared by other blueprints, and `cloudwright schema -o` refreshes it).
fn schema_beside(blueprint: &Path) -> String {
    let path = crate::input::dir_of(blueprint).join(crate::schema::ID);
    let schema = crate::schema::blueprint();
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
        return format!(
            "note: {} is not a regular file, so the schema was not written there\n",
            path.display()
        );
    }
    match std::fs::read(&path) {
        Ok(existing) if existing == schema.as_bytes() => String::new(),
        Ok(_) => format!(
            "note: {} is another version's schema; `cloudwright schema -o {}` brings it up to date\n",
            path.display(),
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match crate::write::create_new(&path, &schema) {
                Ok(()) => format!(
                    "created {} (the schema its first line names, for editors)\n",
                    path.display()
                ),
                Err(e) => format!("note: {e}; the blueprint was written without it\n"),
            }
        }
        Err(e) => format!(
            "note: cannot read {}: {e}; the blueprint was written without it\n",
            path.display()
        ),
    }
}

/// A value given for `key`: only lowercase letters, digits and hyphens (every name, region and
/// environment is written so), so that it can be written as a plain YAML scalar and can add
/// nothing else to the file. Whether it is right is the loader's to say, on the whole file.
fn checked(key: &str, value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty()
        || !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "the {key} `{}` may hold only lowercase letters, digits and hyphens",
            crate::diagnostics::printable(value)
        ));
    }
    Ok(value.to_string())
}

/// The value of top-level key `key` in `text`, as written.
fn top_level(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
        .map(|v| v.trim().trim_matches('"').to_string())
}

/// The catalog text with each of [`FIELDS`] set to `values`: the one line of each top-level key
/// is replaced, so the catalog's comments and layout stay as they are.
fn compose(text: &str, values: &[String]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut replaced = [false; FIELDS.len()];
    for line in text.split_inclusive('\n') {
        let field = FIELDS
            .iter()
            .position(|(key, _)| line.strip_prefix(key).is_some_and(|r| r.starts_with(": ")));
        match field {
            Some(i) => {
                out.push_str(&format!("{}: {}\n", FIELDS[i].0, scalar(&values[i])));
                replaced[i] = true;
            }
            None => match china_budget(line, &values[1]) {
                Some(converted) => out.push_str(&converted),
                None => out.push_str(line),
            },
        }
    }
    match FIELDS.iter().zip(replaced).find(|(_, done)| !done) {
        Some(((key, _), _)) => Err(format!(
            "the catalog blueprint has no top-level `{key}:` line to fill in"
        )),
        None => Ok(out),
    }
}

/// Yuan to the US dollar for a scaffolded China budget: a round figure near the late-2026 rate
/// (about 7.1), for a limit the written comment asks the user to set.
const CNY_PER_USD: u64 = 7;

/// A catalog budget's `monthly_usd:` line as `monthly_cny:` when `region` is in AWS China, which
/// bills in yuan (the loader refuses US dollars there).
fn china_budget(line: &str, region: &str) -> Option<String> {
    let usd: u64 = line.strip_prefix("  monthly_usd: ")?.trim().parse().ok()?;
    let info = blueprint::region::find(region)?;
    (info.partition.name == "aws-cn").then(|| {
        format!(
            "  monthly_cny: {} # the catalog's {usd} USD at about {CNY_PER_USD} yuan to the dollar: set your own limit\n",
            usd * CNY_PER_USD
        )
    })
}

/// `value` as a YAML scalar that reads back as that string: plain, unless YAML would read it as
/// something else (`123`, `null`, `no`), then double-quoted. [`checked`] leaves nothing to
/// escape.
fn scalar(value: &str) -> String {
    match serde_yaml::from_str::<serde_yaml::Value>(value) {
        Ok(serde_yaml::Value::String(s)) if s == value => value.to_string(),
        _ => format!("\"{value}\""),
    }
}

/// The first problem the loader finds with field `key` of `text`, worded for a prompt.
fn field_problem(text: &str, key: &str) -> Option<String> {
    let source = Source {
        origin: Origin::File(PathBuf::from("new.yaml")),
        text: text.to_string(),
    };
    let problems = blueprint::load(source).err()?;
    problems
        .into_iter()
        .find(|d| d.field.as_deref() == Some(key))
        .map(|d| match &d.help {
            Some(help) => format!("{} ({help})", d.message),
            None => d.message,
        })
}

/// Asks for `label` on stderr until `accept` takes the answer; Enter (or end of input) takes
/// `default`.
fn ask(
    label: &str,
    default: &str,
    accept: impl Fn(&str) -> Result<String, String>,
) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    let mut err = std::io::stderr().lock();
    loop {
        let _ = write!(err, "{label} [{default}]: ");
        let _ = err.flush();
        let mut line = String::new();
        let read = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::Tool(format!("cannot read the answer: {e}")))?;
        let answer = line.trim();
        if read == 0 || answer.is_empty() {
            if read == 0 {
                let _ = writeln!(err);
            }
            return Ok(default.to_string());
        }
        match accept(answer) {
            Ok(value) => return Ok(value),
            Err(problem) => {
                let _ = writeln!(err, "  {problem}");
            }
        }
    }
}

/// `new` never overwrites: anything at the path (a file, a link, a directory) is left alone.
fn refuse_existing(output: &Path) -> Result<(), Failure> {
    if std::fs::symlink_metadata(output).is_ok() {
        return Err(Failure::Tool(format!(
            "{} already exists, and `cloudwright new` never overwrites a file; choose another with --output, or move it away",
            output.display()
        )));
    }
    Ok(())
}

/// Loads, plans and checks the blueprint as it would be written; any error finding (or a
/// problem of the loader or planner) refuses it, and nothing is written.
fn check_as_written(output: &Path, text: &str) -> Result<(), Failure> {
    let source = Source {
        origin: Origin::File(output.to_path_buf()),
        text: text.to_string(),
    };
    let refuse = |problems: Vec<Diagnostic>| {
        let _ = writeln!(
            std::io::stderr(),
            "{} was not written: as written, it would not pass `cloudwright check`",
            output.display()
        );
        Failure::Input(problems)
    };
    let doc = blueprint::load(source).map_err(refuse)?;
    let plan = crate::plan::plan(&doc, None).map_err(refuse)?;
    let outcome = validate::run(&doc, &plan);
    if outcome.fails(Severity::Error) {
        let errors = outcome
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        return Err(refuse(errors));
    }
    Ok(())
}

/// Writes `text` to `output`, which must not exist (nor come to exist meanwhile).
fn write_new(output: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::Tool(format!("cannot create {}: {e}", dir.display())))?;
    }
    crate::write::create_new(output, text).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Failure::Tool(format!(
                "{} was created meanwhile, and `cloudwright new` never overwrites a file",
                output.display()
            ))
        } else {
            Failure::Tool(e.to_string())
        }
    })
}
