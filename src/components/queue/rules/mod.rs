//! The rules that look at queues.

pub mod queue_unencrypted;
pub mod queue_without_dead_letter_queue;
pub mod visibility_timeout_too_short;
