//! The one table of Lambda runtimes: what `runtime: nodejs` and `runtime: python` mean today.
//! Moving to a new runtime is one line here (and the snapshots it changes).

use serde::{Deserialize, Serialize};

/// The language a function is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    Nodejs,
    Python,
}

/// A runtime's facts: the Lambda identifier, the handler, and the scaffold's file.
#[derive(Debug, Clone, Copy)]
pub struct RuntimeInfo {
    /// Lambda's identifier of the current runtime (supported, not deprecated, and not flagged
    /// by cfn-lint or checkov).
    pub aws: &'static str,
    /// The handler setting: file (without extension) and function.
    pub handler: &'static str,
    /// The handler's file, as scaffolded into `src/<function>/`.
    pub file: &'static str,
    /// The scaffolds' folder under `templates/scaffold/function/`.
    pub scaffold_dir: &'static str,
}

impl Runtime {
    pub const fn info(self) -> RuntimeInfo {
        match self {
            Runtime::Nodejs => RuntimeInfo {
                aws: "nodejs22.x",
                handler: "index.handler",
                file: "index.mjs",
                scaffold_dir: "nodejs",
            },
            Runtime::Python => RuntimeInfo {
                aws: "python3.13",
                handler: "app.handler",
                file: "app.py",
                scaffold_dir: "python",
            },
        }
    }
}
