//! The rules that look at data lakes.

pub mod bucket_not_versioned;
pub mod catalog_not_encrypted;
pub mod crawler_without_schedule;
pub mod glue_role_beyond_lake;
pub mod job_without_bookmarks;
pub mod lifecycle_expires_before_transition;
pub mod workgroup_not_enforced;

use crate::components::data_lake::Plan as LakePlan;
use crate::plan::{ComponentPlan, Plan, Planned};

/// The blueprint's lakes, with their index among its components.
pub(crate) fn lakes(plan: &Plan) -> impl Iterator<Item = (usize, &Planned, &LakePlan)> {
    plan.components
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.plan {
            ComponentPlan::DataLake(l) => Some((i, c, l)),
            _ => None,
        })
}
