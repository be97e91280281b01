//! `cloudwright render`: write CloudFormation, SAM or Terraform.

use std::path::PathBuf;

use super::{Failure, load_and_plan, print, save_lock};
use crate::render::{self, Target};
use crate::write;

/// Render a blueprint into infrastructure code.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  cloudwright render ha-vpc --target terraform --out-dir infra/\n  cloudwright render ha-vpc --target cloudformation --stdout"
)]
pub struct Args {
    /// A blueprint file, or the name of a catalog blueprint (see `cloudwright list`).
    blueprint: String,
    /// The output format.
    #[arg(long, short)]
    target: Target,
    /// The directory to write into (created if missing).
    #[arg(
        long,
        short,
        required_unless_present = "stdout",
        conflicts_with = "stdout"
    )]
    out_dir: Option<PathBuf>,
    /// Print the output instead of writing it (single-file targets only).
    #[arg(long)]
    stdout: bool,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let planned = load_and_plan(&args.blueprint, args.locked)?;
    let rendered =
        render::render(&planned.plan, args.target).map_err(|e| Failure::Tool(e.to_string()))?;
    let name = planned.doc.blueprint.name.as_str();
    let source_file = planned.doc.source.file_name();
    let files: Vec<write::OutputFile> = rendered
        .iter()
        .map(|f| write::with_header(f, name, &source_file))
        .collect();
    match &args.out_dir {
        None => match files.as_slice() {
            [only] => print(&only.contents)?,
            _ => {
                return Err(Failure::Tool(format!(
                    "--stdout prints one file, but {} writes {}: use --out-dir",
                    args.target,
                    files.len()
                )));
            }
        },
        Some(dir) => {
            let written = write::apply(&files, dir).map_err(|e| Failure::Tool(e.to_string()))?;
            let report: String = written
                .iter()
                .map(|(path, status)| format!("{:<9} {}\n", status.as_str(), path.display()))
                .collect();
            print(&report)?;
        }
    }
    save_lock(planned.lock_update)
}
