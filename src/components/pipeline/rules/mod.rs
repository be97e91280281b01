//! The rules that look at pipelines.

pub mod pipeline_logging_incomplete;
pub mod pipeline_step_without_catch;
pub mod schedule_role_not_scoped;
