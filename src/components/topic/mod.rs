//! `kind: topic` — an SNS topic encrypted with a key of its own, a TLS-only policy, and
//! subscriptions (email addresses and functions).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

pub mod view;

use super::{Access, Kind, Wanted};
use crate::blueprint::types::{Email, HELP_SEPARATOR};

/// One subscription.
#[derive(Debug, Clone)]
pub enum Subscription {
    Email(Email),
    /// A function of the blueprint, invoked with each message.
    Function(String),
    /// A queue of the blueprint, sent each message as it was published (raw delivery).
    Queue(String),
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SubscriptionSpec {
    #[serde(default)]
    email: Option<Email>,
    /// A function of the blueprint, invoked with each message.
    #[serde(default)]
    function: Option<String>,
    /// A queue of the blueprint, sent each message as it was published (raw delivery).
    #[serde(default)]
    queue: Option<String>,
}

impl<'de> Deserialize<'de> for Subscription {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match SubscriptionSpec::deserialize(deserializer)? {
            SubscriptionSpec {
                email: Some(e),
                function: None,
                queue: None,
            } => Ok(Subscription::Email(e)),
            SubscriptionSpec {
                email: None,
                function: Some(f),
                queue: None,
            } => Ok(Subscription::Function(f)),
            SubscriptionSpec {
                email: None,
                function: None,
                queue: Some(q),
            } => Ok(Subscription::Queue(q)),
            _ => Err(de::Error::custom(format!(
                "a subscription has exactly one of `email`, `function` and `queue`{HELP_SEPARATOR}write `{{ email: team@example.com }}`, `{{ function: notify-fn }}` or `{{ queue: jobs }}`"
            ))),
        }
    }
}

crate::schema_as!(Subscription, |generator| crate::schema::extended(
    SubscriptionSpec::json_schema(generator),
    "oneOf",
    serde_json::json!([
        { "required": ["email"] },
        { "required": ["function"] },
        { "required": ["queue"] },
    ]),
));

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subscription::Email(e) => write!(f, "email {e}"),
            Subscription::Function(n) => write!(f, "function {n}"),
            Subscription::Queue(n) => write!(f, "queue {n}"),
        }
    }
}

/// `kind: topic`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Who receives the topic's messages.
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        self.subscriptions
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                Subscription::Function(name) => Some(Wanted {
                    field: format!("{at}.subscriptions[{i}].function"),
                    name: name.clone(),
                    part: None,
                    expect: &[Kind::Function],
                    access: Access::Invoke,
                    what: "a topic delivers to",
                }),
                Subscription::Queue(name) => Some(Wanted {
                    field: format!("{at}.subscriptions[{i}].queue"),
                    name: name.clone(),
                    part: None,
                    expect: &[Kind::Queue],
                    access: Access::Deliver,
                    what: "a topic delivers to",
                }),
                Subscription::Email(_) => None,
            })
            .collect()
    }

    pub fn plan(&self) -> Plan {
        Plan {
            emails: self
                .subscriptions
                .iter()
                .filter_map(|s| match s {
                    Subscription::Email(e) => Some(e.to_string()),
                    Subscription::Function(_) | Subscription::Queue(_) => None,
                })
                .collect(),
        }
    }
}

/// A topic, resolved (its function subscriptions are connections).
#[derive(Debug, Clone)]
pub struct Plan {
    pub emails: Vec<String>,
}
