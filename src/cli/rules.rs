//! `cloudwright rules` and `cloudwright explain`: the rule registry.

use super::{Failure, print};
use crate::diagnostics::did_you_mean;
use crate::validate::registry::{self, RULES};

/// List every guardrail rule: ID, name, severity by environment, summary.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  cloudwright rules")]
pub struct RulesArgs {}

pub fn rules(_args: &RulesArgs) -> Result<(), Failure> {
    let id_width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let text: String = RULES
        .iter()
        .map(|r| {
            format!(
                "{:<id_width$}  {:<width$}  {}\n{:<id_width$}  {:<width$}  ({})\n",
                r.id,
                r.name,
                r.summary,
                "",
                "",
                r.levels.describe()
            )
        })
        .collect();
    print(&text)
}

/// Print the documentation of one rule.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  cloudwright explain NET001")]
pub struct ExplainArgs {
    /// A rule ID, such as NET001 (see `cloudwright rules`).
    id: String,
}

pub fn explain(args: &ExplainArgs) -> Result<(), Failure> {
    let Some(rule) = registry::find(&args.id) else {
        let hint = match did_you_mean(&args.id.to_ascii_uppercase(), RULES.iter().map(|r| r.id)) {
            Some(id) => format!("did you mean `{id}`?"),
            None => "`cloudwright rules` lists every rule".to_string(),
        };
        return Err(Failure::Tool(format!(
            "there is no rule `{}`; {hint}",
            args.id
        )));
    };
    print(&format!(
        "{} {}: {}\nSeverity: {}\n\n{}\n",
        rule.id,
        rule.name,
        rule.summary,
        rule.levels.describe(),
        rule.documentation()
    ))
}
