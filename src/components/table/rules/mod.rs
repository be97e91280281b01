//! The rules that look at tables.

pub mod table_without_deletion_protection;
pub mod table_without_pitr;
