//! `cloudwright list`: the embedded catalog.

use super::{Failure, print};
use crate::blueprint;

/// List the blueprints of the embedded catalog, one line each with its description.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  cloudwright list")]
pub struct Args {}

pub fn run(_args: &Args) -> Result<(), Failure> {
    let mut rows = Vec::new();
    for (name, _) in blueprint::catalog() {
        let source = blueprint::resolve(name).map_err(|e| Failure::Tool(e.to_string()))?;
        let doc = blueprint::load(source).map_err(Failure::Input)?;
        let summary = doc
            .blueprint
            .description
            .as_str()
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        rows.push((name, summary));
    }
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let text: String = rows
        .iter()
        .map(|(name, summary)| format!("{name:<width$}  {summary}\n"))
        .collect();
    print(&text)
}
