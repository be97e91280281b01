pub mod database_backups_too_short;
pub mod database_in_public_tier;
pub mod database_single_az_in_production;
pub mod database_unencrypted;
pub mod database_without_deletion_protection;
