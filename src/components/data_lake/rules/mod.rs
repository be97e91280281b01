//! The rules that look at data lakes.

pub mod bucket_not_versioned;
pub mod catalog_not_encrypted;
pub mod crawler_without_schedule;
pub mod glue_role_beyond_lake;
pub mod job_without_bookmarks;
pub mod lifecycle_expires_before_transition;
pub mod workgroup_not_enforced;
