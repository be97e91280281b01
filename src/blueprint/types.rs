//! Newtypes that check themselves while they are deserialized, so that the rest of the program
//! never has to: a [`VpcCidr`] has no host bits and a prefix AWS accepts, a [`Name`] is
//! kebab-case, a [`Region`] exists.
//!
//! Their errors go through serde, which lets serde_yaml attach the line and column. An error
//! carries its "what would be right" after [`HELP_SEPARATOR`]; the loader splits it into the
//! diagnostic's `help:` line.

use std::fmt;

use ipnet::Ipv4Net;
use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer};

use super::region::{self, RegionInfo};
use crate::diagnostics::did_you_mean;

/// Separates the problem from the suggestion inside a serde error message.
pub const HELP_SEPARATOR: &str = "\u{1f}help: ";
/// Ends a serde error message with the offending text, so the loader can find where it stands
/// (serde_yaml locates a bad value only by its enclosing mapping).
pub const VALUE_SEPARATOR: &str = "\u{1e}value: ";

/// The smallest prefix length (largest network) AWS accepts for a VPC or a subnet.
pub const MIN_PREFIX: u8 = 16;
/// The largest prefix length (smallest network) AWS accepts for a VPC or a subnet.
pub const MAX_PREFIX: u8 = 28;
/// Addresses AWS reserves in every subnet (network, router, DNS, future use, broadcast).
pub const AWS_RESERVED_PER_SUBNET: u64 = 5;

fn invalid<E: de::Error>(problem: impl fmt::Display, help: impl fmt::Display) -> E {
    E::custom(format!("{problem}{HELP_SEPARATOR}{help}"))
}

/// Like [`invalid`], naming the offending text so the loader can locate it.
fn invalid_value<E: de::Error>(
    value: &str,
    problem: impl fmt::Display,
    help: impl fmt::Display,
) -> E {
    E::custom(format!(
        "{problem}{HELP_SEPARATOR}{help}{VALUE_SEPARATOR}{value}"
    ))
}

fn check_kebab<E: de::Error>(what: &str, value: &str, max: usize) -> Result<(), E> {
    let chars_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let shape_ok = value.starts_with(|c: char| c.is_ascii_lowercase())
        && !value.ends_with('-')
        && !value.contains("--");
    if value.is_empty() || value.len() > max || !chars_ok || !shape_ok {
        let suggestion = kebab_case(value, max);
        let help = if suggestion.is_empty() {
            format!(
                "use 1 to {max} lowercase letters, digits and single hyphens, starting with a letter"
            )
        } else {
            format!("use kebab-case of at most {max} characters, for example `{suggestion}`")
        };
        return Err(invalid_value(
            value,
            format!("{what} `{value}` is not kebab-case"),
            help,
        ));
    }
    Ok(())
}

/// The kebab-case spelling of `value`, shortened to `max` characters (may be empty).
fn kebab_case(value: &str, max: usize) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
    let mut short: String = trimmed.chars().take(max).collect();
    while short.ends_with('-') {
        short.pop();
    }
    short
}

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                let check: fn(&str) -> Result<(), D::Error> = $check;
                check(&value)?;
                Ok($name(value))
            }
        }
    };
}

string_newtype!(
    /// A blueprint name: kebab-case, 1–32 characters. It prefixes every AWS name cloudwright derives.
    Name,
    |v| check_kebab("name", v, 32)
);

string_newtype!(
    /// A tier name: kebab-case, 1–20 characters (`public`, `app`, `database`).
    TierName,
    |v| check_kebab("tier name", v, 20)
);

fn check_text<E: de::Error>(what: &str, value: &str, max: usize) -> Result<(), E> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(invalid(
            format!("{what} contains the control character U+{:04X}", c as u32),
            "remove it; only line breaks and tabs are allowed",
        ));
    }
    let len = value.chars().count();
    if len > max {
        return Err(invalid_value(
            value,
            format!("{what} is {len} characters long"),
            format!("shorten it to at most {max} characters"),
        ));
    }
    Ok(())
}

string_newtype!(
    /// Free text describing the blueprint, at most 1024 characters (the CloudFormation limit).
    Description,
    |v| check_text("the description", v, 1024)
);

string_newtype!(
    /// Why a finding is accepted: at least 10 characters that say something, at most 512.
    Reason,
    |v| {
        check_text("the reason", v, 512)?;
        if v.trim().chars().count() < 10 {
            return Err(invalid_value(
                v,
                format!("the reason `{}` is too short to explain anything", v.trim()),
                "say why the finding is acceptable here, in at least 10 characters",
            ));
        }
        Ok(())
    }
);

/// Whether `c` may stand in a tag key or value. EC2 accepts any character in tags, but IAM,
/// KMS and CloudWatch Logs accept only letters, separators (spaces), digits and `_ . : / = + - @`
/// (`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`), and the blueprint's tags go on every resource.
pub fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c)
}

fn check_tag_text<E: de::Error>(what: &str, value: &str, max: usize) -> Result<(), E> {
    if let Some(c) = value.chars().find(|c| !is_tag_char(*c)) {
        let shown = if c.is_control() || c.is_whitespace() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        return Err(invalid_value(
            value,
            format!(
                "{what} `{value}` contains {shown}, which IAM, KMS and CloudWatch Logs refuse in tags"
            ),
            "use letters, digits, spaces and `_ . : / = + - @` only",
        ));
    }
    check_text(what, value, max)
}

string_newtype!(
    /// A tag key: 1–128 characters of the tag alphabet ([`is_tag_char`]), not `Name` (cloudwright
    /// sets it) and not in the `aws:` namespace.
    TagKey,
    |v| {
        if v.is_empty() {
            return Err(invalid("the tag key is empty", "give the tag a key"));
        }
        check_tag_text("the tag key", v, 128)?;
        if v == "Name" {
            return Err(invalid_value(
                v,
                "the tag key `Name` is set by cloudwright on every resource",
                "remove it; cloudwright names each resource after the blueprint, tier and AZ",
            ));
        }
        if v.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid_value(
                v,
                format!("the tag key `{v}` is in the reserved `aws:` namespace"),
                "choose a key that does not start with `aws:`",
            ));
        }
        Ok(())
    }
);

string_newtype!(
    /// A tag value: at most 256 characters of the tag alphabet ([`is_tag_char`]).
    TagValue,
    |v| check_tag_text("the tag value", v, 256)
);

/// The environment a blueprint deploys to; rules grow stricter towards production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Staging,
    Development,
}

/// An AWS region that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(&'static RegionInfo);

impl Region {
    pub fn info(&self) -> &'static RegionInfo {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        match region::find(&value) {
            Some(info) => Ok(Region(info)),
            None => {
                let names = region::REGIONS.iter().map(|r| r.name);
                let help = match did_you_mean(&value.to_ascii_lowercase(), names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "use a region code such as `us-east-1` or `eu-west-1`".to_string(),
                };
                Err(invalid_value(
                    &value,
                    format!("`{value}` is not an AWS region"),
                    help,
                ))
            }
        }
    }
}

fn parse_net<E: de::Error>(value: &str) -> Result<Ipv4Net, E> {
    let net: Ipv4Net = value.parse().map_err(|_| {
        invalid_value(
            value,
            format!("`{value}` is not an IPv4 CIDR block"),
            "write an address and a prefix length, for example `10.0.0.0/16`",
        )
    })?;
    if net.trunc() != net {
        return Err(invalid_value(
            value,
            format!("`{value}` has host bits set"),
            format!("did you mean `{}`?", net.trunc()),
        ));
    }
    Ok(net)
}

/// A CIDR block with no host bits set (`10.0.240.0/20`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(pub Ipv4Net);

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        parse_net(&value).map(Cidr)
    }
}

/// A VPC CIDR block: no host bits, prefix /16 to /28 as AWS requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpcCidr(pub Ipv4Net);

impl<'de> Deserialize<'de> for VpcCidr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        let net = parse_net(&value)?;
        if !(MIN_PREFIX..=MAX_PREFIX).contains(&net.prefix_len()) {
            let nearest = net.prefix_len().clamp(MIN_PREFIX, MAX_PREFIX);
            let suggestion = Ipv4Net::new(net.network(), nearest)
                .map(|n| n.trunc().to_string())
                .unwrap_or_default();
            return Err(invalid_value(
                &value,
                format!("a VPC of /{} is outside what AWS allows", net.prefix_len()),
                format!("use a prefix from /16 to /28, for example `{suggestion}`"),
            ));
        }
        Ok(VpcCidr(net))
    }
}

/// A subnet size written as a prefix length: `/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix(pub u8);

impl<'de> Deserialize<'de> for Prefix {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        let digits = value.strip_prefix('/').unwrap_or("");
        match digits.parse::<u8>() {
            Ok(p) if (MIN_PREFIX..=MAX_PREFIX).contains(&p) => Ok(Prefix(p)),
            Ok(p) => Err(invalid_value(
                &value,
                format!("a subnet of /{p} is outside what AWS allows"),
                "use a prefix from /16 to /28, or give `hosts:` instead",
            )),
            Err(_) => Err(invalid_value(
                &value,
                format!("`{value}` is not a prefix length"),
                "write it as a slash and a number, for example `/24`",
            )),
        }
    }
}

impl Prefix {
    /// The smallest subnet with at least `hosts` usable addresses, or `None` beyond a /16.
    pub fn for_hosts(hosts: u64) -> Option<Prefix> {
        (MIN_PREFIX..=MAX_PREFIX)
            .rev()
            .find(|p| usable_addresses(*p) >= hosts)
            .map(Prefix)
    }
}

/// The addresses an instance can use in a subnet of this prefix length.
pub fn usable_addresses(prefix: u8) -> u64 {
    (1u64 << (32 - u32::from(prefix))).saturating_sub(AWS_RESERVED_PER_SUBNET)
}

/// Availability Zones: a count (the region's first N) or explicit zone names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Azs {
    Count(u8),
    Names(Vec<String>),
}

/// The most AZs any region has.
pub const MAX_AZS: u8 = 6;

impl<'de> Deserialize<'de> for Azs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AzsVisitor;
        impl<'de> de::Visitor<'de> for AzsVisitor {
            type Value = Azs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(
                    f,
                    "a number of AZs from 1 to {MAX_AZS}, or a list of AZ names"
                )
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Azs, E> {
                match u8::try_from(v) {
                    Ok(n) if (1..=MAX_AZS).contains(&n) => Ok(Azs::Count(n)),
                    _ => Err(invalid_value(
                        &v.to_string(),
                        format!("{v} AZs is not possible"),
                        format!("use 1 to {MAX_AZS}; no region has more"),
                    )),
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Azs, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(invalid_value(
                        &v.to_string(),
                        format!("{v} AZs is not possible"),
                        format!("use 1 to {MAX_AZS}"),
                    )),
                }
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Azs, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                if names.is_empty() {
                    return Err(invalid(
                        "the list of AZs is empty",
                        "name at least one AZ, or give a count such as `azs: 3`",
                    ));
                }
                Ok(Azs::Names(names))
            }
        }
        deserializer.deserialize_any(AzsVisitor)
    }
}

/// How a tier reaches the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Internet {
    /// Routed to the internet gateway; reachable from the internet (load balancers, NAT gateways).
    Inbound,
    /// Egress only, through a NAT gateway.
    Outbound,
    /// Isolated: no route to or from the internet.
    None,
}

/// How many NAT gateways egress tiers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nat {
    /// One NAT gateway in every AZ: an AZ outage never cuts another AZ's egress.
    #[default]
    PerAz,
    /// One NAT gateway, in the first AZ: cheaper, but a single point of failure.
    Single,
    /// No NAT gateways: egress tiers have no default route.
    None,
}

/// A gateway VPC endpoint (free; keeps S3 and DynamoDB traffic off the NAT gateways).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize, Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum GatewayEndpoint {
    S3,
    Dynamodb,
}

impl GatewayEndpoint {
    /// The service part of the endpoint's service name (`com.amazonaws.<region>.<service>`).
    pub fn service(self) -> &'static str {
        match self {
            GatewayEndpoint::S3 => "s3",
            GatewayEndpoint::Dynamodb => "dynamodb",
        }
    }
}

/// Which traffic flow logs record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Traffic {
    #[default]
    All,
    Accept,
    Reject,
}

impl Traffic {
    pub fn as_aws(self) -> &'static str {
        match self {
            Traffic::All => "ALL",
            Traffic::Accept => "ACCEPT",
            Traffic::Reject => "REJECT",
        }
    }
}

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A CloudWatch Logs retention period that the service accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionDays(pub u32);

impl Default for RetentionDays {
    fn default() -> Self {
        RetentionDays(365)
    }
}

impl<'de> Deserialize<'de> for RetentionDays {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u32::deserialize(deserializer)?;
        if RETENTION_DAYS.contains(&value) {
            return Ok(RetentionDays(value));
        }
        let nearest = RETENTION_DAYS
            .iter()
            .copied()
            .min_by_key(|d| d.abs_diff(value))
            .unwrap_or(365);
        Err(invalid_value(
            &value.to_string(),
            format!("CloudWatch Logs cannot keep logs for {value} days"),
            format!(
                "use one of the periods it accepts; the nearest is {nearest} (all: {})",
                RETENTION_DAYS
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_pick_the_smallest_subnet_that_holds_them() {
        assert_eq!(Prefix::for_hosts(200), Some(Prefix(24)));
        assert_eq!(Prefix::for_hosts(251), Some(Prefix(24)));
        assert_eq!(Prefix::for_hosts(252), Some(Prefix(23)));
        assert_eq!(Prefix::for_hosts(1), Some(Prefix(28)));
        assert_eq!(Prefix::for_hosts(65_531), Some(Prefix(16)));
        assert_eq!(Prefix::for_hosts(65_532), None);
    }

    #[test]
    fn kebab_case_suggestions() {
        assert_eq!(kebab_case("Core Network", 32), "core-network");
        assert_eq!(kebab_case("9lives__db", 32), "lives-db");
        assert_eq!(kebab_case("!!!", 32), "");
    }
}
