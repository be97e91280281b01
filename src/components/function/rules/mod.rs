//! The rules that look at functions.

pub mod async_events_dropped;
