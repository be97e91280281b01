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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionSpec {
    #[serde(default)]
    email: Option<Email>,
    #[serde(default)]
    function: Option<String>,
}

impl<'de> Deserialize<'de> for Subscription {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match SubscriptionSpec::deserialize(deserializer)? {
            SubscriptionSpec {
                email: Some(e),
                function: None,
            } => Ok(Subscription::Email(e)),
            SubscriptionSpec {
                email: None,
                function: Some(f),
            } => Ok(Subscription::Function(f)),
            _ => Err(de::Error::custom(format!(
                "a subscription has exactly one of `email` and `function`{HELP_SEPARATOR}write `{{ email: team@example.com }}` or `{{ function: notify-fn }}`"
            ))),
        }
    }
}

impl fmt::Display for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subscription::Email(e) => write!(f, "email {e}"),
            Subscription::Function(n) => write!(f, "function {n}"),
        }
    }
}

/// `kind: topic`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
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
                    expect: &[Kind::Function],
                    access: Access::Invoke,
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
                    Subscription::Function(_) => None,
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
