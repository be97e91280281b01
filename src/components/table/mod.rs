//! `kind: table` — a DynamoDB table: keys, indexes, capacity, TTL, streams, point-in-time
//! recovery, encryption and deletion protection.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

pub mod rules;
pub mod view;

use crate::blueprint::types::{Environment, invalid_value};

crate::string_newtype!(
    /// A DynamoDB attribute name used by cloudwright (a key, a TTL attribute): 1–255 letters,
    /// digits, `_`, `-` and `.`, so that it is safe in every output format and environment
    /// variable.
    AttributeName,
    |v| check_name("attribute name", v, 1, 255)
);

crate::string_newtype!(
    /// A global secondary index's name: 3–255 letters, digits, `_`, `-` and `.` (DynamoDB's rule).
    IndexName,
    |v| check_name("index name", v, 3, 255)
);

fn check_name<E: de::Error>(what: &str, value: &str, min: usize, max: usize) -> Result<(), E> {
    let ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok || value.len() < min || value.len() > max {
        return Err(invalid_value(
            value,
            format!("`{value}` is not a DynamoDB {what}"),
            format!("use {min} to {max} letters, digits, `_`, `-` and `.`, for example `userId`"),
        ));
    }
    Ok(())
}

/// A key attribute's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    String,
    Number,
    Binary,
}

impl KeyType {
    /// DynamoDB's attribute type letter.
    pub fn as_aws(self) -> &'static str {
        match self {
            KeyType::String => "S",
            KeyType::Number => "N",
            KeyType::Binary => "B",
        }
    }
}

/// A key: the attribute and its type.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub name: AttributeName,
    #[serde(rename = "type")]
    pub kind: KeyType,
}

/// What an index copies from the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Projection {
    #[default]
    All,
    KeysOnly,
}

impl Projection {
    pub fn as_aws(self) -> &'static str {
        match self {
            Projection::All => "ALL",
            Projection::KeysOnly => "KEYS_ONLY",
        }
    }
}

/// A global secondary index.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub partition: Key,
    #[serde(default)]
    pub sort: Option<Key>,
    #[serde(default)]
    pub projection: Projection,
}

/// Provisioned capacity, scaled between its floor and ceiling by target tracking at 70%.
#[derive(Debug, Clone, Copy, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provisioned {
    /// Read capacity units at the floor.
    pub read: u32,
    /// Write capacity units at the floor.
    pub write: u32,
    /// Read capacity units autoscaling may go up to.
    pub max_read: u32,
    /// Write capacity units autoscaling may go up to.
    pub max_write: u32,
}

/// How the table is billed: on demand (the default), or provisioned with autoscaling.
#[derive(Debug, Clone, Copy, Default)]
pub enum Capacity {
    #[default]
    OnDemand,
    Provisioned(Provisioned),
}

impl<'de> Deserialize<'de> for Capacity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CapacityVisitor;
        impl<'de> de::Visitor<'de> for CapacityVisitor {
            type Value = Capacity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`on-demand`, or `{ read, write, max_read, max_write }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Capacity, E> {
                match v {
                    "on-demand" => Ok(Capacity::OnDemand),
                    _ => Err(invalid_value(
                        v,
                        format!("`{v}` is not a capacity mode"),
                        "write `on-demand`, or `{ read: 5, write: 5, max_read: 50, max_write: 50 }` for provisioned capacity",
                    )),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Capacity, A::Error> {
                Provisioned::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Capacity::Provisioned)
            }
        }
        deserializer.deserialize_any(CapacityVisitor)
    }
}

crate::schema_as!(Capacity, |generator| schemars::json_schema!({
    "description": "How the table is billed: `on-demand` (the default), or provisioned capacity scaled by target tracking at 70% between its floor and ceiling.",
    "anyOf": [{ "const": "on-demand" }, generator.subschema_for::<Provisioned>()],
    "default": "on-demand",
}));

/// What a stream record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stream {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

impl Stream {
    pub fn as_aws(self) -> &'static str {
        match self {
            Stream::KeysOnly => "KEYS_ONLY",
            Stream::NewImage => "NEW_IMAGE",
            Stream::OldImage => "OLD_IMAGE",
            Stream::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }
}

/// Which key encrypts the table at rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "TableEncryption")]
pub enum Encryption {
    /// A customer-managed KMS key of the table's own, rotated yearly, whose policy the
    /// blueprint's connections scope (the default).
    #[default]
    CustomerKey,
    /// DynamoDB's AWS-owned key: no key to manage, no per-principal control.
    AwsOwned,
}

/// `kind: table`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub partition: Key,
    #[serde(default)]
    pub sort: Option<Key>,
    /// Global secondary indexes, by name.
    #[serde(default)]
    pub indexes: IndexMap<IndexName, Index>,
    #[serde(default)]
    pub capacity: Capacity,
    /// The attribute that holds each item's expiry time (epoch seconds).
    #[serde(default)]
    pub ttl: Option<AttributeName>,
    #[serde(default)]
    pub stream: Option<Stream>,
    #[serde(default)]
    pub encryption: Encryption,
    /// Point-in-time recovery: on unless turned off.
    #[serde(default)]
    pub pitr: Option<bool>,
    /// On in production unless turned off.
    #[serde(default)]
    pub deletion_protection: Option<bool>,
}

/// A table, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub partition: (String, KeyType),
    pub sort: Option<(String, KeyType)>,
    pub indexes: Vec<PlannedIndex>,
    pub capacity: Capacity,
    pub ttl: Option<String>,
    pub stream: Option<Stream>,
    pub customer_key: bool,
    pub pitr: bool,
    pub deletion_protection: bool,
    /// Kept when the stack or configuration is deleted (production).
    pub retain: bool,
}

#[derive(Debug, Clone)]
pub struct PlannedIndex {
    pub name: String,
    pub partition: (String, KeyType),
    pub sort: Option<(String, KeyType)>,
    pub projection: Projection,
}

fn key(k: &Key) -> (String, KeyType) {
    (k.name.to_string(), k.kind)
}

impl Spec {
    pub fn plan(&self, env: Environment) -> Plan {
        let production = env == Environment::Production;
        Plan {
            partition: key(&self.partition),
            sort: self.sort.as_ref().map(key),
            indexes: self
                .indexes
                .iter()
                .map(|(name, i)| PlannedIndex {
                    name: name.to_string(),
                    partition: key(&i.partition),
                    sort: i.sort.as_ref().map(key),
                    projection: i.projection,
                })
                .collect(),
            capacity: self.capacity,
            ttl: self.ttl.as_ref().map(ToString::to_string),
            stream: self.stream,
            customer_key: self.encryption == Encryption::CustomerKey,
            pitr: self.pitr.unwrap_or(true),
            deletion_protection: self.deletion_protection.unwrap_or(production),
            retain: production,
        }
    }
}

impl Plan {
    /// Every attribute a key of the table or an index uses, once each, in order.
    pub fn attributes(&self) -> Vec<(String, KeyType)> {
        let mut out: Vec<(String, KeyType)> = Vec::new();
        let keys = std::iter::once(&self.partition)
            .chain(self.sort.iter())
            .chain(
                self.indexes
                    .iter()
                    .flat_map(|i| std::iter::once(&i.partition).chain(i.sort.iter())),
            );
        for (name, kind) in keys {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), *kind));
            }
        }
        out
    }
}

impl Spec {
    /// The checks that look at more than one field.
    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        let plan = self.plan(Environment::Development);
        let mut seen: Vec<(String, KeyType)> = Vec::new();
        let keys = std::iter::once((format!("{at}.partition"), &plan.partition))
            .chain(plan.sort.iter().map(|k| (format!("{at}.sort"), k)))
            .chain(plan.indexes.iter().flat_map(|i| {
                std::iter::once((format!("{at}.indexes.{}.partition", i.name), &i.partition)).chain(
                    i.sort
                        .iter()
                        .map(move |k| (format!("{at}.indexes.{}.sort", i.name), k)),
                )
            }));
        for (path, (name, kind)) in keys {
            match seen.iter().find(|(n, _)| n == name) {
                Some((_, other)) if other != kind => problems.push(doc.error(
                    &format!("{path}.type"),
                    format!(
                        "attribute `{name}` is a {} key here and a {} key elsewhere",
                        kind.as_aws(),
                        other.as_aws()
                    ),
                    "give the attribute one type everywhere: DynamoDB stores one type per attribute",
                )),
                Some(_) => {}
                None => seen.push((name.clone(), *kind)),
            }
        }
        if plan.sort.as_ref().map(|s| &s.0) == Some(&plan.partition.0) {
            {
                problems.push(doc.error(
                    &format!("{at}.sort.name"),
                    "the sort key is the partition key's attribute",
                    "name another attribute, or leave the sort key out",
                ));
            }
        }
        if let Some(ttl) = &plan.ttl
            && seen.iter().any(|(n, _)| n == ttl)
        {
            problems.push(doc.error(
                &format!("{at}.ttl"),
                format!("`{ttl}` is a key attribute; the TTL attribute holds an expiry time"),
                "name an attribute that holds each item's expiry, in epoch seconds, such as `expiresAt`",
            ));
        }
        if plan.indexes.len() > 20 {
            problems.push(doc.error(
                &format!("{at}.indexes"),
                format!(
                    "the table has {} global secondary indexes; DynamoDB allows 20",
                    plan.indexes.len()
                ),
                "keep at most 20",
            ));
        }
        if let Capacity::Provisioned(p) = plan.capacity {
            for (what, min, max) in [
                ("read", p.read, p.max_read),
                ("write", p.write, p.max_write),
            ] {
                if min == 0 || min > max {
                    problems.push(doc.error(
                        &format!("{at}.capacity.{what}"),
                        format!("{what} capacity {min} with a ceiling of {max}"),
                        format!("give at least 1 unit and no more than `max_{what}`"),
                    ));
                }
            }
        }
        problems
    }
}
