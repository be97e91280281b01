//! `kind: queue` — an SQS queue: encryption (SQS-managed or a key of its own), a dead-letter
//! queue that accepts only this queue's messages, retention, visibility timeout, FIFO, and a
//! TLS-only policy that lets exactly the blueprint's topics send to it.

use std::fmt;

use serde::Deserialize;

pub mod rules;
pub mod view;

use super::{Access, Example, Toggle, Wanted};
use crate::blueprint::types::Environment;
use crate::plan::Planned;
use crate::plan::graph::Connection;

/// Which key encrypts the queue's messages at rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "QueueEncryption")]
pub enum Encryption {
    /// SQS-managed keys (SSE-SQS): no key to manage or pay for (the default).
    #[default]
    SqsManaged,
    /// A customer-managed KMS key of the queue's own, rotated yearly, whose policy admits
    /// exactly the topics that deliver to the queue.
    CustomerKey,
    /// No encryption at rest: rule SEC003 refuses it unless suppressed with a reason.
    None,
}

/// The longest visibility timeout SQS accepts, in seconds (12 hours).
pub const VISIBILITY: std::ops::RangeInclusive<u32> = 0..=43_200;
/// How long SQS keeps a message, in days.
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=14;
/// How many receives a message may have before it moves to the dead-letter queue.
pub const MAX_RECEIVE: std::ops::RangeInclusive<u32> = 1..=1_000;

/// The dead-letter queue's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadLetter {
    /// Receives before a message moves to the dead-letter queue: 5 when not given.
    #[serde(default = "default_max_receive")]
    pub max_receive_count: u32,
}

fn default_max_receive() -> u32 {
    5
}

impl Default for DeadLetter {
    fn default() -> Self {
        DeadLetter {
            max_receive_count: default_max_receive(),
        }
    }
}

/// `dead_letter:` as written: a mapping, `true`, or `false` (no dead-letter queue).
pub type DeadLetterSpec = Toggle<DeadLetter>;

impl Example for DeadLetter {
    const EXAMPLE: &'static str = "{ max_receive_count: 5 }";
}

/// `kind: queue`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// A FIFO queue: ordered, exactly-once processing per message group.
    #[serde(default)]
    pub fifo: bool,
    /// FIFO only: deduplicate by a hash of the body instead of a deduplication ID.
    #[serde(default)]
    pub content_based_deduplication: bool,
    /// Seconds a received message stays hidden from other consumers: six times the slowest
    /// consuming function's timeout plus its batching window when not given (AWS's guidance),
    /// else 30.
    #[serde(default)]
    pub visibility_timeout: Option<u32>,
    /// Days a message is kept: 4 when not given (the dead-letter queue keeps 14).
    #[serde(default)]
    pub retention_days: Option<u32>,
    #[serde(default)]
    pub encryption: Encryption,
    #[serde(default)]
    pub dead_letter: DeadLetterSpec,
    /// A topic that hears the alarm on messages reaching the dead-letter queue.
    #[serde(default)]
    pub alarms: Option<String>,
}

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        self.alarms.iter().map(|t| Wanted::alarms(at, t)).collect()
    }

    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        if let Some(v) = self.visibility_timeout
            && !VISIBILITY.contains(&v)
        {
            problems.push(doc.error(
                &format!("{at}.visibility_timeout"),
                format!("SQS cannot hide a received message for {v} seconds"),
                "give 0 to 43200 (seconds, 12 hours)",
            ));
        }
        if let Some(d) = self.retention_days
            && !RETENTION_DAYS.contains(&d)
        {
            problems.push(doc.error(
                &format!("{at}.retention_days"),
                format!("SQS cannot keep a message for {d} days"),
                "give 1 to 14 (days)",
            ));
        }
        if let Some(d) = self.dead_letter.0
            && !MAX_RECEIVE.contains(&d.max_receive_count)
        {
            problems.push(doc.error(
                &format!("{at}.dead_letter.max_receive_count"),
                format!(
                    "SQS cannot move a message after {} receives",
                    d.max_receive_count
                ),
                "give 1 to 1000",
            ));
        }
        if self.content_based_deduplication && !self.fifo {
            problems.push(doc.error(
                &format!("{at}.content_based_deduplication"),
                "content-based deduplication is a FIFO queue's",
                "add `fifo: true`, or leave `content_based_deduplication` out",
            ));
        }
        problems
    }

    pub fn plan(&self, env: Environment) -> Plan {
        Plan {
            fifo: self.fifo,
            content_based_deduplication: self.content_based_deduplication,
            visibility_given: self.visibility_timeout,
            visibility_timeout: self.visibility_timeout.unwrap_or(30),
            retention_days: self.retention_days.unwrap_or(4),
            encryption: self.encryption,
            dead_letter: self.dead_letter.0,
            retain: env == Environment::Production,
        }
    }
}

/// A queue, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub fifo: bool,
    pub content_based_deduplication: bool,
    /// The visibility timeout the blueprint gives, if it gives one.
    pub visibility_given: Option<u32>,
    /// The visibility timeout the queue gets.
    pub visibility_timeout: u32,
    pub retention_days: u32,
    pub encryption: Encryption,
    pub dead_letter: Option<DeadLetter>,
    /// The queues (and their key) outlive the stack (production): they hold messages.
    pub retain: bool,
}

/// The shortest visibility timeout the consumers of queue `index` need, in seconds, with the
/// consumer it is for: six times a function's timeout, plus its batching window (AWS's
/// guidance for event source mappings).
pub fn consumer_timeout(
    components: &[Planned],
    connections: &[Connection],
    index: usize,
) -> Option<(u32, String)> {
    connections
        .iter()
        .filter(|k| k.to == index && k.access == Access::Consume)
        .filter_map(|k| match &components[k.from].plan {
            crate::plan::ComponentPlan::Function(f) => Some((
                f.timeout * 6 + f.batch.and_then(|b| b.window).unwrap_or(0),
                components[k.from].name.clone(),
            )),
            _ => None,
        })
        .max()
}

/// A queue without a visibility timeout of its own takes what its slowest consumer needs
/// (capped at SQS's 12 hours), so that a message is not handed to a second consumer while the
/// first still works on it.
pub fn settle_visibility(components: &mut [Planned], connections: &[Connection]) {
    for i in 0..components.len() {
        let needed = consumer_timeout(components, connections, i);
        if let crate::plan::ComponentPlan::Queue(q) = &mut components[i].plan
            && q.visibility_given.is_none()
            && let Some((t, _)) = needed
        {
            q.visibility_timeout = t.min(*VISIBILITY.end());
        }
    }
}

/// The queue's name without the deployment: `jobs`, `jobs-dlq`, with `.fifo` on a FIFO queue.
pub fn name_suffix(name: &str, dead_letter: bool, fifo: bool) -> String {
    format!(
        "-{name}{}{}",
        if dead_letter { "-dlq" } else { "" },
        if fifo { ".fifo" } else { "" }
    )
}

impl fmt::Display for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encryption::SqsManaged => "sqs-managed",
            Encryption::CustomerKey => "customer-key",
            Encryption::None => "none",
        })
    }
}
