//! One file per rule, named for what it checks: the rules that look at more than one kind of
//! component, or at the blueprint as a whole. A rule about one kind lives in that kind's folder
//! (`src/components/<kind>/rules/`).

pub mod availability_zones_exist;
pub mod elastic_ips_over_default_quota;
pub mod fixed_cost_over_budget;
pub mod flow_log_retention_too_short;
pub mod flow_logs_disabled;
pub mod hard_coded_credentials;
pub mod load_balancer_tier_too_small;
pub mod log_retention_too_short;
pub mod names_within_limits;
pub mod nat_single_point_of_failure;
pub mod no_budget;
pub mod policy_wildcards;
pub mod public_ips_on_launch;
pub mod reserved_range_overlapped;
pub mod single_az_in_production;
pub mod subnets_do_not_fit;
pub mod subnets_outside_vpc_or_overlapping;
pub mod vpc_prefix_out_of_range;
