//! Every rule, sorted by ID. `cloudwright rules`, `cloudwright explain` and the README table come
//! from here.

use super::rule::Rule;
use super::rules::{
    availability_zones_exist, elastic_ips_over_default_quota, fixed_cost_over_budget,
    flow_log_retention_too_short, flow_logs_disabled, hard_coded_credentials,
    load_balancer_tier_too_small, log_retention_too_short, names_within_limits,
    nat_single_point_of_failure, no_budget, policy_wildcards, public_ips_on_launch,
    reserved_range_overlapped, single_az_in_production, subnets_do_not_fit,
    subnets_outside_vpc_or_overlapping, vpc_prefix_out_of_range,
};
use crate::components::api::rules::{api_without_auth, user_pool_not_in_region};
use crate::components::data_lake::rules::{
    bucket_not_versioned, catalog_not_encrypted, crawler_without_schedule, glue_role_beyond_lake,
    job_without_bookmarks, lifecycle_expires_before_transition, workgroup_not_enforced,
};
use crate::components::database::rules::{
    database_backups_too_short, database_in_public_tier, database_single_az_in_production,
    database_unencrypted, database_without_deletion_protection,
};
use crate::components::function::rules::async_events_dropped;
use crate::components::pipeline::rules::{
    pipeline_logging_incomplete, pipeline_step_without_catch, schedule_role_not_scoped,
};
use crate::components::queue::rules::{
    queue_unencrypted, queue_without_dead_letter_queue, visibility_timeout_too_short,
};
use crate::components::service::rules::{
    fargate_size_invalid, load_balancer_without_tls, tasks_cannot_reach_ecr,
};
use crate::components::table::rules::{table_without_deletion_protection, table_without_pitr};

/// All rules, sorted by ID. IDs are never reused.
pub static RULES: &[&Rule] = &[
    &no_budget::NO_BUDGET,
    &fixed_cost_over_budget::FIXED_COST_OVER_BUDGET,
    &lifecycle_expires_before_transition::LIFECYCLE_EXPIRES_BEFORE_TRANSITION,
    &crawler_without_schedule::CRAWLER_WITHOUT_SCHEDULE,
    &job_without_bookmarks::JOB_WITHOUT_BOOKMARKS,
    &catalog_not_encrypted::CATALOG_NOT_ENCRYPTED,
    &bucket_not_versioned::BUCKET_NOT_VERSIONED,
    &workgroup_not_enforced::WORKGROUP_NOT_ENFORCED,
    &glue_role_beyond_lake::GLUE_ROLE_BEYOND_LAKE,
    &single_az_in_production::SINGLE_AZ_IN_PRODUCTION,
    &nat_single_point_of_failure::NAT_SINGLE_POINT_OF_FAILURE,
    &database_single_az_in_production::DATABASE_SINGLE_AZ_IN_PRODUCTION,
    &policy_wildcards::POLICY_WILDCARDS,
    &schedule_role_not_scoped::SCHEDULE_ROLE_NOT_SCOPED,
    &names_within_limits::NAMES_WITHIN_LIMITS,
    &flow_logs_disabled::FLOW_LOGS_DISABLED,
    &public_ips_on_launch::PUBLIC_IPS_ON_LAUNCH,
    &load_balancer_tier_too_small::LOAD_BALANCER_TIER_TOO_SMALL,
    &flow_log_retention_too_short::FLOW_LOG_RETENTION_TOO_SHORT,
    &subnets_outside_vpc_or_overlapping::SUBNETS_OUTSIDE_VPC_OR_OVERLAPPING,
    &reserved_range_overlapped::RESERVED_RANGE_OVERLAPPED,
    &subnets_do_not_fit::SUBNETS_DO_NOT_FIT,
    &vpc_prefix_out_of_range::VPC_PREFIX_OUT_OF_RANGE,
    &elastic_ips_over_default_quota::ELASTIC_IPS_OVER_DEFAULT_QUOTA,
    &database_in_public_tier::DATABASE_IN_PUBLIC_TIER,
    &tasks_cannot_reach_ecr::TASKS_CANNOT_REACH_ECR,
    &log_retention_too_short::LOG_RETENTION_TOO_SHORT,
    &pipeline_logging_incomplete::PIPELINE_LOGGING_INCOMPLETE,
    &availability_zones_exist::AVAILABILITY_ZONES_EXIST,
    &user_pool_not_in_region::USER_POOL_NOT_IN_REGION,
    &table_without_pitr::TABLE_WITHOUT_PITR,
    &table_without_deletion_protection::TABLE_WITHOUT_DELETION_PROTECTION,
    &queue_without_dead_letter_queue::QUEUE_WITHOUT_DEAD_LETTER_QUEUE,
    &visibility_timeout_too_short::VISIBILITY_TIMEOUT_TOO_SHORT,
    &pipeline_step_without_catch::PIPELINE_STEP_WITHOUT_CATCH,
    &async_events_dropped::ASYNC_EVENTS_DROPPED,
    &database_backups_too_short::DATABASE_BACKUPS_TOO_SHORT,
    &database_without_deletion_protection::DATABASE_WITHOUT_DELETION_PROTECTION,
    &fargate_size_invalid::FARGATE_SIZE_INVALID,
    &hard_coded_credentials::HARD_CODED_CREDENTIALS,
    &api_without_auth::API_WITHOUT_AUTH,
    &queue_unencrypted::QUEUE_UNENCRYPTED,
    &database_unencrypted::DATABASE_UNENCRYPTED,
    &load_balancer_without_tls::LOAD_BALANCER_WITHOUT_TLS,
];

/// The rule with this ID (case-insensitive).
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_shaped() {
        assert!(
            RULES.windows(2).all(|w| w[0].id < w[1].id),
            "sorted and unique"
        );
        for rule in RULES {
            let (prefix, digits) = rule.id.split_at(rule.id.len() - 3);
            assert!(
                [
                    "HA", "NET", "SEC", "CST", "NAM", "REG", "IAM", "REL", "OBS", "DAT"
                ]
                .contains(&prefix),
                "{}",
                rule.id
            );
            assert!(digits.chars().all(|c| c.is_ascii_digit()), "{}", rule.id);
        }
    }

    #[test]
    fn every_rule_is_documented_in_the_fixed_sections() {
        for rule in RULES {
            let doc = rule.documentation();
            let mut at = 0;
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
                "## References",
            ] {
                let found = doc[at..]
                    .find(section)
                    .unwrap_or_else(|| panic!("{} lacks `{section}` (in order)", rule.id));
                at += found + section.len();
            }
            assert!(
                !rule.summary.is_empty() && !rule.summary.ends_with('.'),
                "{}",
                rule.id
            );
        }
    }
}
