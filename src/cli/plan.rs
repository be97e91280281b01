//! `cloudwright plan`: the address plan.

use super::{Failure, RECLAIM_HELP, load_plan_and_validate, print, save_lock};

/// Print the address plan: every subnet, the reserved ranges, the free space and the headroom;
/// then the cost estimate: what costs money every month just by existing, and the unit prices of
/// what grows with use.
///
/// For a blueprint file, the plan is recorded in a lock file next to it (`NAME.lock.yaml`); later
/// plans keep every recorded subnet where it is; each of the blueprint's other environments has a
/// lock file of its own (`NAME.lock.ENV.yaml`). The guardrails run first, as for `render`: while
/// an error remains, nothing is printed but the errors, and the lock file is not written.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  cloudwright plan ha-vpc\n  cloudwright plan network/core.yaml --locked\n  cloudwright plan network/core.yaml --env staging\n  cloudwright plan network/core.yaml --reclaim   # the retired subnets are gone from AWS"
)]
pub struct Args {
    /// A blueprint file, or the name of a catalog blueprint (see `cloudwright list`).
    #[arg(value_hint = clap::ValueHint::FilePath)]
    blueprint: String,
    /// The environment to plan: one of the blueprint's `environments:`, or the top level's own
    /// (the default).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// Fail instead of creating or changing the lock file (for CI).
    #[arg(long)]
    locked: bool,
    #[arg(long, help = RECLAIM_HELP)]
    reclaim: bool,
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let _lock = crate::write::lock_run(&[std::path::Path::new(&args.blueprint)])
        .map_err(|e| Failure::Tool(e.to_string()))?;
    let (planned, _) = load_plan_and_validate(
        &args.blueprint,
        args.env.as_deref(),
        args.locked,
        args.reclaim,
    )?;
    let cost = crate::cost::estimate(&planned.plan).report();
    print(&format!("{}\n{cost}", planned.plan.report()))?;
    save_lock(&planned, true)
}
