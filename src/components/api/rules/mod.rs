//! The rules that look at APIs.

pub mod api_without_auth;
pub mod user_pool_not_in_region;
