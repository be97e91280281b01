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
use crate::text;

/// Separates the problem from the suggestion inside a serde error message.
pub const HELP_SEPARATOR: &str = "\u{1f}help: ";
/// Ends a serde error message with the offending text, so the loader can find where it stands
/// (serde_yaml locates a bad value only by its enclosing mapping).
pub const VALUE_SEPARATOR: &str = "\u{1e}value: ";
/// Ends a serde error message that a guardrail rule documents, with that rule's ID.
pub const RULE_SEPARATOR: &str = "\u{1d}rule: ";

/// The rule that documents a VPC CIDR outside /16–/28 (see `cloudwright explain NET008`).
pub const VPC_PREFIX_RULE: &str = "NET008";
/// The rule that documents names AWS would refuse (see `cloudwright explain NAM001`).
pub const NAME_RULE: &str = "NAM001";
/// Every rule whose ID a deserialization error can carry.
pub const PARSE_RULES: [&str; 2] = [VPC_PREFIX_RULE, NAME_RULE];

/// The smallest prefix length (largest network) AWS accepts for a VPC or a subnet.
pub const MIN_PREFIX: u8 = 16;
/// The largest prefix length (smallest network) AWS accepts for a VPC or a subnet.
pub const MAX_PREFIX: u8 = 28;
/// Addresses AWS reserves in every subnet (network, router, DNS, future use, broadcast).
pub const AWS_RESERVED_PER_SUBNET: u64 = 5;

pub(crate) fn invalid<E: de::Error>(problem: impl fmt::Display, help: impl fmt::Display) -> E {
    E::custom(format!(
        "{}{HELP_SEPARATOR}{}",
        inert(&problem.to_string()),
        inert(&help.to_string())
    ))
}

/// Like [`invalid`], naming the offending text so the loader can locate it.
pub(crate) fn invalid_value<E: de::Error>(
    value: &str,
    problem: impl fmt::Display,
    help: impl fmt::Display,
) -> E {
    E::custom(format!(
        "{}{HELP_SEPARATOR}{}{VALUE_SEPARATOR}{}",
        inert(&problem.to_string()),
        inert(&help.to_string()),
        inert(value)
    ))
}

/// Like [`invalid_value`], for a refusal that has a rule ID of its own.
fn invalid_value_of_rule<E: de::Error>(
    value: &str,
    rule: &str,
    problem: impl fmt::Display,
    help: impl fmt::Display,
) -> E {
    E::custom(format!(
        "{}{HELP_SEPARATOR}{}{VALUE_SEPARATOR}{}{RULE_SEPARATOR}{rule}",
        inert(&problem.to_string()),
        inert(&help.to_string()),
        inert(value)
    ))
}

/// `text` with the separators the loader splits error messages on escaped, so that text from the
/// blueprint cannot move what follows into another part of the diagnostic.
pub fn inert(text: &str) -> String {
    if !text.contains(['\u{1d}', '\u{1e}', '\u{1f}']) {
        return text.to_string();
    }
    text.replace('\u{1d}', "\\u{001D}")
        .replace('\u{1e}', "\\u{001E}")
        .replace('\u{1f}', "\\u{001F}")
}

pub(crate) fn check_kebab<E: de::Error>(what: &str, value: &str, max: usize) -> Result<(), E> {
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
        return Err(invalid_value_of_rule(
            value,
            NAME_RULE,
            format!("{what} `{value}` is not kebab-case of at most {max} characters"),
            help,
        ));
    }
    Ok(())
}

/// The kebab-case spelling of `value`, shortened to `max` characters (may be empty).
pub(crate) fn kebab_case(value: &str, max: usize) -> String {
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

#[macro_export]
macro_rules! string_newtype {
    ($(#[doc = $doc:literal])* $name:ident, $check:expr $(, schema: $schema:tt)?) => {
        $(#[doc = $doc])*
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

        /// A string, described by the type's documentation, with the constraints a JSON Schema
        /// can state (never stricter than the check above, which has the last word).
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let mut schema = schemars::json_schema!({ "type": "string" });
                $(
                    if let serde_json::Value::Object(extra) = serde_json::json!($schema) {
                        for (key, value) in extra {
                            schema.insert(key, value);
                        }
                    }
                )?
                schema.insert(
                    "description".into(),
                    concat!($($doc, "\n"),*).into(),
                );
                schema
            }
        }
    };
}

/// The most characters a blueprint's name has.
pub const MAX_NAME: usize = 64;

string_newtype!(
    /// A blueprint name: kebab-case, 1–64 characters. It prefixes every AWS name cloudwright
    /// derives; where that would pass a service's limit, [`crate::naming::fit`] shortens it.
    Name,
    |v| check_kebab("name", v, MAX_NAME),
    schema: { "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 64 }
);

string_newtype!(
    /// A tier name: kebab-case, 1–20 characters (`public`, `app`, `database`).
    TierName,
    |v| check_kebab("tier name", v, 20),
    schema: { "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 20 }
);

pub(crate) fn check_text<E: de::Error>(what: &str, value: &str, max: usize) -> Result<(), E> {
    // CloudFormation would read `${…}` as a substitution wherever the text lands in a `!Sub`.
    if value.contains("${") {
        return Err(invalid_value(
            value,
            format!(
                "{what} contains `${{`, which CloudFormation reads as the start of a substitution"
            ),
            "write it without `${`, for example `$ {` or `{`",
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(invalid(
            format!("{what} contains the control character U+{:04X}", c as u32),
            "remove it; only line breaks and tabs are allowed",
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| !c.is_control() && text::breaks_lines(*c))
    {
        return Err(invalid_value(
            value,
            format!(
                "{what} contains U+{:04X}, which YAML 1.1 readers such as cfn-lint take for a line break",
                c as u32
            ),
            "remove it; write a plain line break (\\n) where a new line is meant",
        ));
    }
    if let Some(c) = value.chars().find(|c| text::yaml_refuses(*c)) {
        return Err(invalid_value(
            value,
            format!(
                "{what} contains U+{:04X}, a noncharacter that YAML 1.1 readers such as cfn-lint refuse anywhere in a file",
                c as u32
            ),
            "remove it",
        ));
    }
    if let Some(c) = value.chars().find(|c| text::reorders_text(*c)) {
        return Err(invalid_value(
            value,
            format!(
                "{what} contains U+{:04X}, a bidirectional control that makes text display in another order than it reads",
                c as u32
            ),
            "remove it",
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
    |v| {
        check_text("the description", v, 1024)?;
        if v.len() > 1024 {
            return Err(invalid_value(
                v,
                format!("the description is {} bytes long in UTF-8", v.len()),
                "shorten it: CloudFormation takes at most 1024 bytes",
            ));
        }
        Ok(())
    }
);

string_newtype!(
    /// Why a finding is accepted: at least 10 characters that say something, at most 512.
    Reason,
    |v| {
        check_text("the reason", v, 512)?;
        // The reason is written into a checkov skip comment; it must not add one of its own.
        if v.to_ascii_lowercase().contains("checkov:skip") {
            return Err(invalid_value(
                v,
                "the reason contains `checkov:skip`, which would read as a second skip on its line",
                "say why in words; cloudwright writes the skip itself",
            ));
        }
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
    },
    schema: {
        "minLength": 1,
        "maxLength": 128,
        "not": { "anyOf": [{ "const": "Name" }, { "pattern": "^[aA][wW][sS]:" }] },
    }
);

string_newtype!(
    /// A tag value: at most 256 characters of the tag alphabet ([`is_tag_char`]).
    TagValue,
    |v| check_tag_text("the tag value", v, 256),
    schema: { "maxLength": 256 }
);

/// How many tags of its own a blueprint may give: AWS allows 50 on a resource, and cloudwright
/// adds `Name` and `cloudwright:blueprint` to each.
pub const MAX_BLUEPRINT_TAGS: usize = 48;

/// The environment a blueprint deploys to; rules grow stricter towards production.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Production,
    Staging,
    Development,
}

impl Environment {
    /// Every kind of environment.
    pub const ALL: [Environment; 3] = [
        Environment::Production,
        Environment::Staging,
        Environment::Development,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
            Environment::Development => "development",
        }
    }
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

impl schemars::JsonSchema for Region {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Region".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = region::REGIONS.iter().map(|r| r.name).collect();
        schemars::json_schema!({
            "description": "The AWS region to deploy in: its code, such as `us-east-1`, `eu-north-1` or `cn-north-1`.",
            "type": "string",
            "enum": names,
        })
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

crate::schema_as!(Cidr, {
    "description": "An IPv4 CIDR block with no host bits set, such as `10.0.240.0/20`.",
    "type": "string",
    "pattern": "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$",
});

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
            return Err(invalid_value_of_rule(
                &value,
                VPC_PREFIX_RULE,
                format!("a VPC of /{} is outside what AWS allows", net.prefix_len()),
                format!("use a prefix from /16 to /28, for example `{suggestion}`"),
            ));
        }
        if let Some((range, what)) = REFUSED_VPC_RANGES.iter().find(|(range, _)| {
            range
                .parse::<Ipv4Net>()
                .is_ok_and(|r| r.contains(&net) || net.contains(&r))
        }) {
            return Err(invalid_value(
                &value,
                format!(
                    "{value} {} {range}, {what}, which AWS refuses for a VPC",
                    if range.parse::<Ipv4Net>().is_ok_and(|r| r.contains(&net)) {
                        "lies in"
                    } else {
                        "overlaps"
                    }
                ),
                "use a private range (RFC 1918): 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, for example `10.0.0.0/16`",
            ));
        }
        Ok(VpcCidr(net))
    }
}

crate::schema_as!(VpcCidr, {
    "description": "The VPC's IPv4 CIDR block: no host bits set, a prefix from /16 to /28 (AWS's limits), outside the ranges AWS refuses (loopback, link-local, multicast, 0.0.0.0/8, 240.0.0.0/4). For example `10.0.0.0/16`.",
    "type": "string",
    "pattern": "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/(1[6-9]|2[0-8])$",
    "not": { "pattern": "^(0|127|169\\.254|22[4-9]|2[3-5][0-9])\\." },
});

/// Ranges a VPC may not use (Amazon VPC: "VPC CIDR blocks", reserved and special-purpose
/// addresses), with what each is.
const REFUSED_VPC_RANGES: &[(&str, &str)] = &[
    ("0.0.0.0/8", "the \"this network\" range"),
    ("127.0.0.0/8", "the loopback range"),
    ("169.254.0.0/16", "the link-local range"),
    ("224.0.0.0/4", "the multicast range"),
    ("240.0.0.0/4", "the reserved range (broadcast included)"),
];

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

crate::schema_as!(Prefix, {
    "description": "A subnet size as a prefix length, from `/16` to `/28`, such as `/24`.",
    "type": "string",
    "pattern": "^/(1[6-9]|2[0-8])$",
});

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

/// Availability Zones: a count (the region's first N zones), zone names (`us-east-1a`) or AZ IDs
/// (`use1-az1`, the same physical zone in every account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Azs {
    Count(u8),
    Names(Vec<String>),
    Ids(Vec<String>),
}

impl Azs {
    /// How many AZs the network spans.
    pub fn count(&self) -> usize {
        match self {
            Azs::Count(n) => usize::from(*n),
            Azs::Names(v) | Azs::Ids(v) => v.len(),
        }
    }
}

/// Whether `zone` has the shape of an AZ ID: letters, a number, `-az` and a number (`use1-az4`,
/// `cnnw1-az1`). Whether the region has it is checked later, against the region table.
pub fn is_zone_id(zone: &str) -> bool {
    let Some((prefix, number)) = zone.split_once("-az") else {
        return false;
    };
    let letters = prefix.trim_end_matches(|c: char| c.is_ascii_digit());
    !letters.is_empty()
        && letters.len() < prefix.len()
        && letters.chars().all(|c| c.is_ascii_lowercase())
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit())
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
                    "a number of AZs from 1 to {MAX_AZS}, or a list of AZ names or AZ IDs"
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
                match names.iter().filter(|n| is_zone_id(n)).count() {
                    0 => Ok(Azs::Names(names)),
                    n if n == names.len() => Ok(Azs::Ids(names)),
                    _ => Err(invalid(
                        "the list of AZs mixes zone names and AZ IDs",
                        "list zone names (`us-east-1a`) or AZ IDs (`use1-az1`), not both",
                    )),
                }
            }
        }
        deserializer.deserialize_any(AzsVisitor)
    }
}

crate::schema_as!(Azs, {
    "description": "The Availability Zones: a count (the region's first N zones), or a list of zone names (`us-east-1a`) or of AZ IDs (`use1-az1`, the same physical zone in every account), not both.",
    "oneOf": [
        { "type": "integer", "minimum": 1, "maximum": MAX_AZS },
        { "type": "array", "minItems": 1, "items": { "type": "string", "pattern": "^[a-z0-9-]+$" } },
    ],
});

/// How a tier reaches the internet.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
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
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Deserialize,
    Serialize,
    schemars::JsonSchema,
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

/// Declares an enum of services whose serde names and [`service`](InterfaceService::service)
/// names are one list, so they cannot drift apart.
macro_rules! services {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $service:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, Serialize, schemars::JsonSchema)]
        pub enum $name {
            $(#[serde(rename = $service)] $variant,)*
        }

        impl $name {
            /// The service part of the endpoint's service name (`com.amazonaws.<region>.logs`).
            pub fn service(self) -> &'static str {
                match self {
                    $($name::$variant => $service,)*
                }
            }
        }
    };
}

services! {
    /// An AWS service reached through an interface endpoint (PrivateLink) in the VPC.
    InterfaceService {
        Athena = "athena",
        Ec2 = "ec2",
        EcrApi = "ecr.api",
        EcrDkr = "ecr.dkr",
        Ecs = "ecs",
        Events = "events",
        ExecuteApi = "execute-api",
        Glue = "glue",
        Kms = "kms",
        Lambda = "lambda",
        Logs = "logs",
        Monitoring = "monitoring",
        SecretsManager = "secretsmanager",
        Sns = "sns",
        Sqs = "sqs",
        Ssm = "ssm",
        SsmMessages = "ssmmessages",
        States = "states",
        Sts = "sts",
    }
}

/// Which traffic flow logs record.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, Serialize, schemars::JsonSchema,
)]
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

crate::schema_as!(RetentionDays, {
    "description": "How many days CloudWatch Logs keeps the logs: one of the periods it accepts.",
    "type": "integer",
    "enum": RETENTION_DAYS,
});

/// The largest monthly budget accepted, in USD. Far beyond any real account, and low enough that
/// every amount up to it is exact to the cent in the `f64` YAML numbers arrive as.
pub const MAX_USD: u64 = 1_000_000_000_000;

/// An amount of money, more than zero, exact to the cent (`2000`, `1500.50`): US dollars, or
/// yuan in AWS China (`monthly_cny`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usd {
    cents: u64,
}

impl Usd {
    /// The amount in cents.
    pub fn cents(self) -> u64 {
        self.cents
    }

    /// The amount as AWS takes it: whole dollars bare (`2000`), otherwise two decimals
    /// (`1500.50`).
    pub fn amount(self) -> String {
        let (dollars, cents) = (self.cents / 100, self.cents % 100);
        if cents == 0 {
            dollars.to_string()
        } else {
            format!("{dollars}.{cents:02}")
        }
    }

    /// `percent` per cent of the amount, rounded to the cent.
    pub fn percent(self, percent: u16) -> Usd {
        Usd {
            cents: (self.cents * u64::from(percent) + 50) / 100,
        }
    }

    fn from_number<E: de::Error>(text: &str, value: f64) -> Result<Usd, E> {
        let example =
            "give the most the account may spend in a month, for example `monthly_usd: 2000`";
        if !value.is_finite() {
            return Err(invalid_value(
                text,
                format!("`{text}` is not an amount"),
                example,
            ));
        }
        if value <= 0.0 {
            return Err(invalid_value(
                text,
                format!("the monthly limit must be more than 0 USD, not {text}"),
                example,
            ));
        }
        if value > MAX_USD as f64 {
            return Err(invalid_value(
                text,
                format!("{text} USD a month is more than cloudwright accepts"),
                "check the number of zeros; the limit is at most 1,000,000,000,000",
            ));
        }
        // Display gives the shortest decimal that reads back as the same number: the digits the
        // user wrote, without trailing zeros.
        let shortest = value.to_string();
        let (dollars, fraction) = shortest.split_once('.').unwrap_or((&shortest, ""));
        let digits = |d: &str| {
            d.parse::<u64>()
                .map_err(|_| invalid_value(text, format!("`{text}` is not an amount"), example))
        };
        let cents = digits(dollars)? * 100 + digits(&format!("{:0<2.2}", fraction))?;
        if fraction.len() > 2 {
            // Half up, on the digits as written.
            let up = u64::from(fraction.as_bytes()[2] >= b'5');
            return Err(invalid_value(
                text,
                format!("`{text}` has more than two decimals"),
                format!(
                    "amounts go down to the cent: did you mean `{}`?",
                    Usd { cents: cents + up }.amount()
                ),
            ));
        }
        Ok(Usd { cents })
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UsdVisitor;
        impl de::Visitor<'_> for UsdVisitor {
            type Value = Usd;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of US dollars, such as 2000 or 1500.50")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Usd, E> {
                match v.checked_mul(100) {
                    Some(cents) if v > 0 && v <= MAX_USD => Ok(Usd { cents }),
                    _ => Usd::from_number(&v.to_string(), v as f64),
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Usd, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Usd::from_number(&v.to_string(), v as f64),
                }
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Usd, E> {
                Usd::from_number(&v.to_string(), v)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Usd, E> {
                let digits = v.trim().trim_start_matches('$').replace(',', "");
                let help = match digits.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        format!("write the amount as a bare number: `monthly_usd: {digits}`")
                    }
                    _ => {
                        "write a number of US dollars, for example `monthly_usd: 2000`".to_string()
                    }
                };
                Err(invalid_value(
                    v,
                    format!("`{v}` is text, not an amount"),
                    help,
                ))
            }
        }
        deserializer.deserialize_any(UsdVisitor)
    }
}

crate::schema_as!(Usd, {
    "description": "An amount of money, more than zero, to the cent (`2000`, `1500.50`): US dollars, or yuan in AWS China (`monthly_cny`).",
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": MAX_USD,
});

/// The highest alert threshold accepted, in per cent of the budget.
pub const MAX_PERCENT: u16 = 1000;

/// A budget alert threshold: a whole per cent of the limit, 1 to [`MAX_PERCENT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Percent(pub u16);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PercentVisitor;
        impl de::Visitor<'_> for PercentVisitor {
            type Value = Percent;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a whole per cent from 1 to {MAX_PERCENT}")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Percent, E> {
                match u16::try_from(v) {
                    Ok(p) if (1..=MAX_PERCENT).contains(&p) => Ok(Percent(p)),
                    _ => Err(invalid_value(
                        &v.to_string(),
                        format!("an alert at {v}% of the budget is out of range"),
                        format!("use a whole per cent from 1 to {MAX_PERCENT}"),
                    )),
                }
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Percent, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(invalid_value(
                        &v.to_string(),
                        format!("an alert at {v}% of the budget is out of range"),
                        format!("use a whole per cent from 1 to {MAX_PERCENT}"),
                    )),
                }
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Percent, E> {
                if v.fract() == 0.0 && v >= 0.0 && v <= f64::from(MAX_PERCENT) {
                    return self.visit_u64(v as u64);
                }
                let nearest = if v.is_finite() {
                    v.round().clamp(1.0, f64::from(MAX_PERCENT))
                } else {
                    80.0
                };
                Err(invalid_value(
                    &v.to_string(),
                    format!("`{v}` is not a whole per cent"),
                    format!("use a whole number from 1 to {MAX_PERCENT}, for example `{nearest}`"),
                ))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Percent, E> {
                let digits = v.trim().trim_end_matches('%').trim();
                let help = match digits.parse::<u16>() {
                    Ok(p) => format!("write the per cent as a bare number: `percent: {p}`"),
                    Err(_) => {
                        format!("use a whole number from 1 to {MAX_PERCENT}, for example `80`")
                    }
                };
                Err(invalid_value(
                    v,
                    format!("`{v}` is text, not a per cent"),
                    help,
                ))
            }
        }
        deserializer.deserialize_any(PercentVisitor)
    }
}

crate::schema_as!(Percent, {
    "description": "An alert threshold: a whole per cent of the limit.",
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_PERCENT,
});

/// What a budget alert watches: the spend so far, or the spend AWS forecasts for the month.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Spend {
    Actual,
    Forecasted,
}

impl Spend {
    /// The budget notification type: `ACTUAL` or `FORECASTED`.
    pub fn as_aws(self) -> &'static str {
        match self {
            Spend::Actual => "ACTUAL",
            Spend::Forecasted => "FORECASTED",
        }
    }

    /// `actual`, `forecasted`: as the blueprint spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Spend::Actual => "actual",
            Spend::Forecasted => "forecasted",
        }
    }
}

/// How many notifications AWS Budgets allows on one budget (the `CreateBudget` API reference).
pub const MAX_BUDGET_ALERTS: usize = 5;
/// How many email subscribers AWS Budgets allows on one notification.
pub const MAX_BUDGET_EMAILS: usize = 10;
/// How many SNS subscribers AWS Budgets allows on one notification.
pub const MAX_BUDGET_SNS_TOPICS: usize = 1;

/// The longest email address SMTP can carry.
pub const MAX_EMAIL: usize = 254;

fn check_email<E: de::Error>(value: &str) -> Result<(), E> {
    let example = "write one address per item, for example `platform-team@example.com`";
    if value.len() > MAX_EMAIL {
        return Err(invalid_value(
            value,
            format!("the email address is {} characters long", value.len()),
            format!("an address has at most {MAX_EMAIL} characters"),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        let shown = if c == ' ' {
            "a space".to_string()
        } else {
            format!("U+{:04X}", c as u32)
        };
        // `Team <team@example.com>`: the address is inside the angle brackets.
        let inner = value
            .split_once('<')
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(inner, _)| inner.trim())
            .filter(|inner| check_email::<de::value::Error>(inner).is_ok());
        let help = match inner {
            Some(address) => format!("did you mean `{address}`?"),
            None => example.to_string(),
        };
        return Err(invalid_value(
            value,
            format!(
                "the email address `{}` contains {shown}",
                value.escape_debug()
            ),
            help,
        ));
    }
    let (local, domain) = match value.split('@').collect::<Vec<_>>()[..] {
        [local, domain] => (local, domain),
        [_] => {
            return Err(invalid_value(
                value,
                format!("`{value}` is not an email address: it has no `@`"),
                example,
            ));
        }
        _ => {
            return Err(invalid_value(
                value,
                format!("`{value}` is not an email address: it has more than one `@`"),
                example,
            ));
        }
    };
    if local.is_empty() || domain.is_empty() {
        return Err(invalid_value(
            value,
            format!(
                "`{value}` is not an email address: there must be text on both sides of the `@`"
            ),
            example,
        ));
    }
    if !domain.contains('.') || domain.split('.').any(str::is_empty) {
        return Err(invalid_value(
            value,
            format!("`{value}` is not an email address: `{domain}` is not a domain name"),
            "give a full domain, such as `example.com`",
        ));
    }
    Ok(())
}

string_newtype!(
    /// A plausible email address: one `@` with text on both sides, a dotted domain, no spaces or
    /// control characters, at most 254 characters.
    Email,
    check_email,
    schema: { "pattern": "^[^@\\s]+@[^@\\s]+$", "maxLength": MAX_EMAIL }
);

/// The longest SNS topic name.
pub const MAX_TOPIC_NAME: usize = 256;

fn check_sns_topic_arn<E: de::Error>(value: &str) -> Result<(), E> {
    let shape = "write it as `arn:<partition>:sns:<region>:<account id>:<topic name>`, for example `arn:aws:sns:us-east-1:123456789012:budget-alerts`";
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region_name, account, name] = parts[..] else {
        return Err(invalid_value(
            value,
            format!("`{value}` is not an SNS topic ARN"),
            shape,
        ));
    };
    if arn != "arn" || service != "sns" {
        return Err(invalid_value(
            value,
            format!("`{value}` is not an SNS topic ARN"),
            shape,
        ));
    }
    let Some(region) = region::find(region_name) else {
        let names = region::REGIONS.iter().map(|r| r.name);
        let help = match did_you_mean(region_name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "name the topic's region, such as `us-east-1`".to_string(),
        };
        return Err(invalid_value(
            value,
            format!("the region `{region_name}` of the SNS topic `{value}` is not an AWS region"),
            help,
        ));
    };
    if partition != region.partition.name {
        return Err(invalid_value(
            value,
            format!(
                "the SNS topic `{value}` names partition `{partition}`, but {} is in `{}`",
                region.name, region.partition.name
            ),
            format!(
                "did you mean `arn:{}:sns:{region_name}:{account}:{name}`?",
                region.partition.name
            ),
        ));
    }
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid_value(
            value,
            format!("the account `{account}` of the SNS topic `{value}` is not 12 digits"),
            "copy the ARN from the SNS console or `aws sns list-topics`",
        ));
    }
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    let name_ok = !base.is_empty()
        && name.len() <= MAX_TOPIC_NAME
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(invalid_value(
            value,
            format!("`{name}` is not an SNS topic name"),
            format!(
                "a topic name has 1 to {MAX_TOPIC_NAME} letters, digits, hyphens and underscores"
            ),
        ));
    }
    Ok(())
}

string_newtype!(
    /// The ARN of an SNS topic: `arn:<partition>:sns:<region>:<12-digit account>:<name>`, its
    /// region real and its partition that region's.
    SnsTopicArn,
    check_sns_topic_arn,
    schema: { "pattern": "^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:.+$" }
);

impl SnsTopicArn {
    /// The partition the topic is in (`aws`, `aws-cn`, `aws-us-gov`).
    pub fn partition(&self) -> &str {
        self.0.split(':').nth(1).unwrap_or_default()
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

    fn parse<T: for<'de> Deserialize<'de>>(yaml: &str) -> Result<T, String> {
        serde_yaml::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn usd_amounts_are_exact_to_the_cent() {
        let amount = |y: &str| parse::<Usd>(y).map(Usd::amount);
        assert_eq!(amount("2000"), Ok("2000".into()));
        assert_eq!(amount("1500.50"), Ok("1500.50".into()));
        assert_eq!(amount("1500.5"), Ok("1500.50".into()));
        assert_eq!(amount("0.1"), Ok("0.10".into()));
        assert_eq!(amount("0.07"), Ok("0.07".into()));
        assert_eq!(amount("1e3"), Ok("1000".into()));
        assert_eq!(amount("1000000000000"), Ok("1000000000000".into()));
        for bad in [
            "0",
            "-1",
            "0.0",
            "1.005",
            ".inf",
            ".nan",
            "1000000000000.01",
            "\"5\"",
        ] {
            assert!(amount(bad).is_err(), "{bad} is refused");
        }
        assert!(
            amount("1.005")
                .unwrap_err()
                .contains("did you mean `1.01`?")
        );
        let limit = parse::<Usd>("1500.50").unwrap();
        assert_eq!(limit.percent(110).cents(), 165_055);
        assert_eq!(limit.percent(1).cents(), 1_501);
    }

    #[test]
    fn percents_are_whole_and_in_range() {
        assert_eq!(parse::<Percent>("80"), Ok(Percent(80)));
        assert_eq!(parse::<Percent>("100.0"), Ok(Percent(100)));
        assert_eq!(parse::<Percent>("1000"), Ok(Percent(1000)));
        for bad in ["0", "1001", "-5", "87.5", "\"80%\""] {
            assert!(parse::<Percent>(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn email_addresses_are_plausible() {
        for ok in ["a@example.com", "platform-team+budget@mail.example.co.uk"] {
            assert!(parse::<Email>(ok).is_ok(), "{ok} is accepted");
        }
        let long = format!("{}@example.com", "a".repeat(243));
        for bad in [
            "example.com",
            "a@b@example.com",
            "@example.com",
            "a@",
            "a@localhost",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "\"a b@example.com\"",
            "\"a@example.com\\n\"",
            long.as_str(),
        ] {
            assert!(parse::<Email>(bad).is_err(), "{bad} is refused");
        }
        assert!(
            parse::<Email>("\"Team <team@example.com>\"")
                .unwrap_err()
                .contains("did you mean `team@example.com`?")
        );
    }

    #[test]
    fn sns_topic_arns_have_the_right_shape() {
        for ok in [
            "arn:aws:sns:us-east-1:123456789012:budget-alerts",
            "arn:aws-cn:sns:cn-north-1:123456789012:alerts_1",
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts.fifo",
        ] {
            let arn = parse::<SnsTopicArn>(ok).unwrap();
            assert_eq!(arn.as_str(), ok);
        }
        assert_eq!(
            parse::<SnsTopicArn>("arn:aws-cn:sns:cn-north-1:123456789012:a")
                .unwrap()
                .partition(),
            "aws-cn"
        );
        for bad in [
            "budget-alerts",
            "arn:aws:sqs:us-east-1:123456789012:budget-alerts",
            "arn:aws:sns:us-east-1:123456789012",
            "arn:aws:sns:us-east-1:12345678901:budget-alerts",
            "arn:aws:sns:us-east-1:12345678901a:budget-alerts",
            "arn:aws:sns:us-east-9:123456789012:budget-alerts",
            "arn:aws-cn:sns:us-east-1:123456789012:budget-alerts",
            "arn:aws:sns:us-east-1:123456789012:",
            "arn:aws:sns:us-east-1:123456789012:bad:name",
            "arn:aws:sns:us-east-1:123456789012:bad/name",
        ] {
            assert!(parse::<SnsTopicArn>(bad).is_err(), "{bad} is refused");
        }
    }

    #[test]
    fn kebab_case_suggestions() {
        assert_eq!(kebab_case("Core Network", 32), "core-network");
        assert_eq!(kebab_case("9lives__db", 32), "lives-db");
        assert_eq!(kebab_case("!!!", 32), "");
    }
}

string_newtype!(
    /// An environment's name: kebab-case, 1–16 characters (`staging`, `qa`, `prod-eu`). It ends
    /// the names of that environment's resources (`users-api-staging`) and its lock file
    /// (`users-api.lock.staging.yaml`).
    EnvName,
    |v| check_kebab("environment name", v, 16),
    schema: { "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": 16 }
);

/// Where a VPC's addresses come from: a block given outright, or one allocated from an
/// organisation's supernet (offline, like IPAM) and recorded in the lock file so it never moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpcAddress {
    /// `cidr: 10.0.0.0/16`
    Given(VpcCidr),
    /// `cidr: { from: 10.64.0.0/12, size: /16 }`
    Pool(VpcPool),
}

impl VpcAddress {
    /// The range the VPC lies in: the block given, or the supernet it is allocated from.
    pub fn range(&self) -> Ipv4Net {
        match self {
            VpcAddress::Given(c) => c.0,
            VpcAddress::Pool(p) => p.from,
        }
    }
}

/// A supernet to allocate a VPC from, and the VPC's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpcPool {
    /// The organisation's range for VPCs.
    pub from: Ipv4Net,
    /// The VPC's prefix length.
    pub size: u8,
}

impl<'de> Deserialize<'de> for VpcAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AddressVisitor;
        impl<'de> de::Visitor<'de> for AddressVisitor {
            type Value = VpcAddress;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a CIDR block such as `10.0.0.0/16`, or `{ from: 10.64.0.0/12, size: /16 }`",
                )
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<VpcAddress, E> {
                use de::IntoDeserializer as _;
                VpcCidr::deserialize(value.into_deserializer()).map(VpcAddress::Given)
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<VpcAddress, A::Error> {
                let raw = RawPool::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let from = parse_net::<A::Error>(&raw.from)?;
                let text = &raw.from;
                if let Some((range, what)) = REFUSED_VPC_RANGES.iter().find(|(range, _)| {
                    range
                        .parse::<Ipv4Net>()
                        .is_ok_and(|r| r.contains(&from) || from.contains(&r))
                }) {
                    return Err(invalid_value(
                        text,
                        format!(
                            "the supernet {text} overlaps {range}, {what}, which AWS refuses for a VPC"
                        ),
                        "allocate from a private range (RFC 1918), for example `10.64.0.0/12`",
                    ));
                }
                if from.prefix_len() > raw.size.0 {
                    return Err(invalid_value(
                        text,
                        format!(
                            "the supernet {text} is smaller than the /{} VPC to allocate from it",
                            raw.size.0
                        ),
                        format!(
                            "give a supernet of /{} or larger, or a smaller `size`",
                            raw.size.0
                        ),
                    ));
                }
                Ok(VpcAddress::Pool(VpcPool {
                    from,
                    size: raw.size.0,
                }))
            }
        }
        deserializer.deserialize_any(AddressVisitor)
    }
}

/// `{ from, size }` as written, checked by [`VpcAddress`]'s deserializer.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPool {
    from: String,
    size: Prefix,
}

crate::schema_as!(VpcAddress, {
    "description": "The VPC's IPv4 CIDR block (`10.0.0.0/16`: no host bits, a prefix from /16 to /28), or a supernet to allocate it from without overlapping the blueprint's other environments (`{ from: 10.64.0.0/12, size: /16 }`); an allocated block is recorded in the lock file and never moves.",
    "if": { "type": "string" },
    "then": {
        "pattern": "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/(1[6-9]|2[0-8])$",
        "not": { "pattern": "^(0|127|169\\.254|22[4-9]|2[3-5][0-9])\\." }
    },
    "else": {
        "type": "object",
        "additionalProperties": false,
        "required": ["from", "size"],
        "properties": {
            "from": {
                "description": "The organisation's range for VPCs: a private IPv4 CIDR block at least as large as `size`.",
                "type": "string",
                "pattern": "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$"
            },
            "size": {
                "description": "The VPC's prefix length, /16 to /28.",
                "type": "string",
                "pattern": "^/(1[6-9]|2[0-8])$"
            }
        }
    }
});
