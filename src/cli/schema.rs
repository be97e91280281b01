//! `cloudwright schema`: the blueprint format as a JSON Schema, for editors and CI.

use std::path::PathBuf;

use super::{Failure, print};

const AFTER_HELP: &str = "\
The schema is generated from the types cloudwright reads blueprints into, so it always describes \
what this version accepts. It checks shapes, names, ranges and unknown keys; `cloudwright check` \
has the last word on everything else (references, the address plan, the guardrails).

Editors that speak the YAML language server (VS Code, Neovim, Helix, JetBrains) check and \
complete a blueprint that starts with the modeline `cloudwright new` writes:
  # yaml-language-server: $schema=cloudwright.schema.json

Examples:
  cloudwright schema -o infra/cloudwright.schema.json
  cloudwright schema | jq '.$defs | keys'";

/// Print the JSON Schema of the blueprint format, or write it to a file.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Write the schema to this file (replacing an older copy) instead of printing it.
    #[arg(long, short, value_hint = clap::ValueHint::FilePath)]
    output: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let schema = crate::schema::blueprint();
    let Some(path) = &args.output else {
        return print(&schema);
    };
    let status =
        crate::write::write_file(path, &schema).map_err(|e| Failure::Tool(e.to_string()))?;
    print(&format!("{:<9} {}\n", status.as_str(), path.display()))
}
