//! Components: the named parts of a blueprint (`components:`), each of one [`Kind`]. A kind's
//! folder holds its spec (what the user writes), its plan (resolved facts) and its view (what
//! the templates read). The stages dispatch on the closed [`Kind`] enum and on [`Component`] by
//! exhaustive `match`: a new kind does not compile until every stage handles it.

pub mod api;
pub mod data_lake;
pub mod database;
pub mod function;
pub mod logs;
pub mod pipeline;
pub mod queue;
pub mod service;
pub mod table;
pub mod topic;

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::blueprint::types::{HELP_SEPARATOR, check_kebab, invalid_value};

/// Every kind of component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Table,
    Function,
    Api,
    Topic,
    Queue,
    Pipeline,
    DataLake,
    Database,
    Service,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Table,
        Kind::Function,
        Kind::Api,
        Kind::Topic,
        Kind::Queue,
        Kind::Pipeline,
        Kind::DataLake,
        Kind::Database,
        Kind::Service,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Function => "function",
            Kind::Api => "api",
            Kind::Topic => "topic",
            Kind::Queue => "queue",
            Kind::Pipeline => "pipeline",
            Kind::DataLake => "data_lake",
            Kind::Database => "database",
            Kind::Service => "service",
        }
    }

    /// `a table`, `an api`: for messages.
    pub fn article(self) -> &'static str {
        match self {
            Kind::Api => "an",
            Kind::Table
            | Kind::Function
            | Kind::Topic
            | Kind::Queue
            | Kind::Pipeline
            | Kind::DataLake
            | Kind::Database
            | Kind::Service => "a",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Names a component may not take: the blueprint's own sections and the fixed Terraform files.
pub const RESERVED_NAMES: &[&str] = &[
    "blueprint",
    "budget",
    "network",
    "outputs",
    "providers",
    "variables",
    "versions",
];

/// The most characters a component name has: it prefixes the AWS names derived from it.
pub const MAX_COMPONENT_NAME: usize = 32;

/// A component's name: kebab-case, 1–32 characters, unique across kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ComponentName(String);

impl ComponentName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ComponentName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ComponentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ComponentName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        check_kebab::<D::Error>("component name", &value, MAX_COMPONENT_NAME)?;
        if RESERVED_NAMES.contains(&value.as_str()) {
            return Err(invalid_value(
                &value,
                format!("`{value}` is reserved for cloudwright's own files and sections"),
                format!("name the component something else, for example `{value}-1`"),
            ));
        }
        Ok(ComponentName(value))
    }
}

crate::schema_as!(ComponentName, {
    "description": "A component's name: kebab-case, unique across the blueprint, not one of the names cloudwright keeps for itself.",
    "type": "string",
    "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "maxLength": MAX_COMPONENT_NAME,
    "not": { "enum": RESERVED_NAMES },
});

/// One component, of one kind.
#[derive(Debug, Clone)]
pub enum Component {
    Table(table::Spec),
    Function(function::Spec),
    Api(api::Spec),
    Topic(topic::Spec),
    Queue(queue::Spec),
    Pipeline(pipeline::Spec),
    DataLake(data_lake::Spec),
    Database(database::Spec),
    Service(service::Spec),
}

impl Component {
    pub fn kind(&self) -> Kind {
        match self {
            Component::Table(_) => Kind::Table,
            Component::Function(_) => Kind::Function,
            Component::Api(_) => Kind::Api,
            Component::Topic(_) => Kind::Topic,
            Component::Queue(_) => Kind::Queue,
            Component::Pipeline(_) => Kind::Pipeline,
            Component::DataLake(_) => Kind::DataLake,
            Component::Database(_) => Kind::Database,
            Component::Service(_) => Kind::Service,
        }
    }

    /// The component's own checks, at `at` (`components.users`).
    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        match self {
            Component::Table(s) => s.check(at, doc),
            Component::Function(s) => s.check(at, doc),
            Component::Api(s) => s.check(at, doc),
            Component::Topic(_) => Vec::new(),
            Component::Queue(s) => s.check(at, doc),
            Component::Pipeline(s) => s.check(at, doc),
            Component::DataLake(s) => s.check(at, doc),
            Component::Database(s) => s.check(at, doc),
            Component::Service(s) => s.check(at, doc),
        }
    }

    /// Every reference the component makes to another, with the field it stands in.
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        match self {
            Component::Table(_) => Vec::new(),
            Component::Function(s) => s.references(at),
            Component::Api(s) => s.references(at),
            Component::Topic(s) => s.references(at),
            Component::Queue(s) => s.references(at),
            Component::Pipeline(s) => s.references(at),
            Component::DataLake(_) => Vec::new(),
            Component::Database(s) => s.references(at),
            Component::Service(s) => s.references(at),
        }
    }

    /// The parts of the component others may name as `<component>.<part>`, with what they are.
    pub fn parts(&self, access: Access) -> (Vec<String>, &'static str) {
        match self {
            Component::DataLake(s) if access == Access::Run => (s.parts(), "job"),
            Component::DataLake(s) => (s.zone_names(), "zone"),
            Component::Table(_)
            | Component::Function(_)
            | Component::Api(_)
            | Component::Topic(_)
            | Component::Queue(_)
            | Component::Pipeline(_)
            | Component::Database(_)
            | Component::Service(_) => (Vec::new(), "part"),
        }
    }
}

/// Reads `kind:` first, then hands the rest of the mapping to that kind's strict spec, so that
/// a misspelt field is located at its own line and gets a "did you mean".
impl<'de> Deserialize<'de> for Component {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ComponentVisitor;
        impl<'de> Visitor<'de> for ComponentVisitor {
            type Value = Component;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a component: a mapping that starts with `kind:`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Component, A::Error> {
                let kinds = Kind::ALL.map(Kind::name).join(", ");
                match map.next_key::<String>()? {
                    Some(key) if key == "kind" => {}
                    Some(key) => {
                        return Err(de::Error::custom(format!(
                            "a component's first key must be `kind`, not `{key}`{HELP_SEPARATOR}put `kind:` first (one of {kinds}), then the kind's fields"
                        )));
                    }
                    None => {
                        return Err(de::Error::custom(format!(
                            "the component is empty{HELP_SEPARATOR}give its `kind:` (one of {kinds}) and its fields"
                        )));
                    }
                }
                let kind: Kind = map.next_value()?;
                let rest = de::value::MapAccessDeserializer::new(map);
                match kind {
                    Kind::Table => table::Spec::deserialize(rest).map(Component::Table),
                    Kind::Function => function::Spec::deserialize(rest).map(Component::Function),
                    Kind::Api => api::Spec::deserialize(rest).map(Component::Api),
                    Kind::Topic => topic::Spec::deserialize(rest).map(Component::Topic),
                    Kind::Queue => queue::Spec::deserialize(rest).map(Component::Queue),
                    Kind::Pipeline => pipeline::Spec::deserialize(rest).map(Component::Pipeline),
                    Kind::DataLake => data_lake::Spec::deserialize(rest).map(Component::DataLake),
                    Kind::Database => database::Spec::deserialize(rest).map(Component::Database),
                    Kind::Service => service::Spec::deserialize(rest).map(Component::Service),
                }
            }
        }
        deserializer.deserialize_map(ComponentVisitor)
    }
}

/// One branch per kind: the kind's own fields, after `kind:`.
impl schemars::JsonSchema for Component {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Component".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let branches: Vec<serde_json::Value> = Kind::ALL
            .iter()
            .map(|kind| {
                let mut spec = match kind {
                    Kind::Table => table::Spec::json_schema(generator),
                    Kind::Function => function::Spec::json_schema(generator),
                    Kind::Api => api::Spec::json_schema(generator),
                    Kind::Topic => topic::Spec::json_schema(generator),
                    Kind::Queue => queue::Spec::json_schema(generator),
                    Kind::Pipeline => pipeline::Spec::json_schema(generator),
                    Kind::DataLake => data_lake::Spec::json_schema(generator),
                    Kind::Database => database::Spec::json_schema(generator),
                    Kind::Service => service::Spec::json_schema(generator),
                }
                .to_value();
                spec["properties"]["kind"] = serde_json::json!({ "const": kind.name() });
                match spec["required"].as_array_mut() {
                    Some(required) => required.insert(0, "kind".into()),
                    None => spec["required"] = serde_json::json!(["kind"]),
                }
                spec
            })
            .collect();
        schemars::json_schema!({
            "description": "A component: `kind:` first, then that kind's fields.",
            "type": "object",
            "required": ["kind"],
            "oneOf": branches,
        })
    }
}

/// How a component uses another: the access a connection grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Read,
    Write,
    ReadWrite,
    Publish,
    /// An API route, a topic subscription or a pipeline step calls a function.
    Invoke,
    /// A function's failed asynchronous invocations go to a topic.
    OnFailure,
    /// Alarms on the component notify a topic.
    Alarms,
    /// A function sends messages to a queue.
    Send,
    /// A function drains a queue through an event source mapping.
    Consume,
    /// A topic delivers its messages to a queue.
    Deliver,
    /// A pipeline tells a topic of its executions' successes and failures.
    Notify,
    /// A pipeline step runs a Glue job of a data lake.
    Run,
    /// A lake zone's new objects invoke a function.
    Objects,
    /// A function or service opens connections to a database.
    Connect,
}

impl Access {
    /// Whether the access is one a function's `uses:` gives.
    pub fn is_use(self) -> bool {
        matches!(
            self,
            Access::Read | Access::Write | Access::ReadWrite | Access::Publish | Access::Send
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "read-write",
            Access::Publish => "publish",
            Access::Invoke => "invoke",
            Access::OnFailure => "on-failure",
            Access::Alarms => "alarms",
            Access::Send => "send",
            Access::Consume => "consume",
            Access::Deliver => "deliver",
            Access::Notify => "notify",
            Access::Run => "run",
            Access::Objects => "objects",
            Access::Connect => "connect",
        }
    }
}

/// A reference one component makes to another, as the resolver checks it.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The field path of the reference: `components.users-fn.uses.users`.
    pub field: String,
    pub name: String,
    /// The part of the component named, `transform` in `lake.transform`.
    pub part: Option<String>,
    /// The kinds the reference may name.
    pub expect: &'static [Kind],
    pub access: Access,
    /// What the field says in words, for messages: `a route is bound to`.
    pub what: &'static str,
}

/// The names a component's resources are derived from: `users-fn` → `UsersFn`, `users_fn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ids {
    pub pascal: String,
    pub snake: String,
    pub kebab: String,
}

impl Ids {
    pub fn new(name: &str) -> Ids {
        Ids {
            pascal: crate::naming::pascal_case(name),
            snake: name.replace('-', "_"),
            kebab: name.to_string(),
        }
    }

    /// The CloudFormation logical ID of the component's resource in `role`: `UsersFnRole`.
    pub fn id(&self, role: &str) -> String {
        format!("{}{role}", self.pascal)
    }

    /// The Terraform address of the component's resource of type `ty`: `aws_iam_role.users_fn`.
    pub fn tf(&self, ty: &str) -> String {
        format!("{ty}.{}", self.snake)
    }

    /// An attribute of one of the component's resources, in both targets.
    /// The Terraform address of a second resource of a type: `aws_kms_key.users_table`.
    pub fn tf_as(&self, ty: &str, suffix: &str) -> String {
        format!("{ty}.{}_{suffix}", self.snake)
    }

    /// The ARN of the component's customer-managed key in `role` (`TableKey`, `TopicKey`),
    /// Terraform `aws_kms_key.<snake>_<suffix>`.
    pub fn key_arn(&self, role: &str, suffix: &str) -> crate::expr::Expr {
        crate::expr::Expr::res(
            &self.id(role),
            Some("Arn"),
            &format!("{}.arn", self.tf_as("aws_kms_key", suffix)),
        )
    }

    pub fn res(
        &self,
        role: &str,
        attr: Option<&str>,
        tf_type: &str,
        tf_attr: &str,
    ) -> crate::expr::Expr {
        crate::expr::Expr::res(
            &self.id(role),
            attr,
            &format!("{}.{tf_attr}", self.tf(tf_type)),
        )
    }
}

/// A section a blueprint turns on with `true`, off with `false`, or on with its settings (a
/// mapping); on with its defaults when not given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggle<T>(pub Option<T>);

/// The tier a component's network interfaces go in (at `path`): it must exist, and not route to
/// the internet gateway (`whose` names the interfaces, which get no public IP there). The network
/// and the tier, or the located error.
pub fn check_tier<'a>(
    tier: &crate::blueprint::types::TierName,
    path: &str,
    whose: &str,
    doc: &'a crate::blueprint::Document,
) -> Result<
    (
        &'a crate::blueprint::model::Network,
        &'a crate::blueprint::model::Tier,
    ),
    Vec<crate::diagnostics::Diagnostic>,
> {
    let Some(net) = &doc.blueprint.network else {
        return Err(vec![doc.error(
            path,
            format!("`tier: {tier}` places {whose} network interfaces in a VPC, but the blueprint has no `network`"),
            "add a network with that tier, or leave `tier` out",
        )]);
    };
    match net.tiers.get(tier) {
        None => {
            let names: Vec<&str> = net.tiers.keys().map(|t| t.as_str()).collect();
            let help = match crate::diagnostics::did_you_mean(tier.as_str(), names.iter().copied()) {
                Some(t) => format!("did you mean `{t}`?"),
                None => format!("name one of the tiers: {}", names.join(", ")),
            };
            Err(vec![doc.error(path, format!("there is no tier `{tier}`"), help)])
        }
        Some(t) if t.internet == crate::blueprint::types::Internet::Inbound => Err(vec![doc.error(
            path,
            format!("tier `{tier}` routes to the internet gateway, but {whose} network interfaces get no public IP, so they could not reach the internet from there"),
            "name a tier with `internet: outbound` (through NAT) or `internet: none`",
        )]),
        Some(t) => Ok((net, t)),
    }
}

/// What a [`Toggle`]'s settings look like, for the message when the value is neither.
pub trait Example {
    /// `{ max_receive_count: 5 }`.
    const EXAMPLE: &'static str;
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Toggle<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Toggle_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`true` (on, with the defaults; also when not given), `false` (off), or the settings.",
            "anyOf": [{ "type": "boolean" }, generator.subschema_for::<T>()],
        })
    }
}

impl<T: Default> Default for Toggle<T> {
    fn default() -> Self {
        Toggle(Some(T::default()))
    }
}

impl<'de, T: Deserialize<'de> + Default + Example> Deserialize<'de> for Toggle<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + Default + Example> Visitor<'de> for V<T> {
            type Value = Toggle<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "`{}`, `true` or `false`", T::EXAMPLE)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Toggle<T>, E> {
                Ok(Toggle(v.then(T::default)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Toggle<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Toggle(Some(t)))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An alarm a component raises (`<stack>-<component>-<what>`), and the topic it notifies.
#[derive(Debug, Clone, Serialize)]
pub struct Alarm {
    pub name: crate::expr::Expr,
    pub description: String,
    pub topic: crate::expr::Expr,
}

/// A checkov check that does not apply to a generated resource, with the reason a reviewer
/// reads next to it.
#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    pub id: &'static str,
    pub reason: String,
}

/// The skip of checkov's `check` on a resource that renders a finding of rule `rule` (`what` it
/// found, of `component`): with the team's reason where the blueprint suppressed the rule, or
/// else with the rule's level in the environment (off, or a warning) — an error that was not
/// suppressed stops the render before any output.
pub(crate) fn rule_skip(
    check: &'static str,
    rule: &str,
    component: &str,
    environment: crate::blueprint::types::Environment,
    accepted: &[crate::validate::Accepted],
    what: &str,
) -> Skip {
    let suppressed = accepted
        .iter()
        .find(|a| a.rule.id == rule && !a.by_environment);
    let reason = match suppressed {
        Some(a) => format!(
            "{rule} accepted for {component}: {}",
            crate::render::one_line(&a.reason)
        ),
        None => {
            let level = crate::validate::registry::RULES
                .iter()
                .find(|r| r.id == rule)
                .and_then(|r| r.levels.for_environment(environment));
            match level {
                None => format!("{rule} is off in {}: {what}", environment.as_str()),
                Some(severity) => format!(
                    "{rule} is {} {severity} in {}: {what}",
                    if severity == crate::diagnostics::Severity::Error {
                        "an"
                    } else {
                        "a"
                    },
                    environment.as_str()
                ),
            }
        }
    };
    Skip { id: check, reason }
}

impl Wanted {
    /// `alarms: <topic>`: the component's alarm notifies a topic.
    pub fn alarms(at: &str, topic: &str) -> Wanted {
        Wanted {
            field: format!("{at}.alarms"),
            name: topic.to_string(),
            part: None,
            expect: &[Kind::Topic],
            access: Access::Alarms,
            what: "alarms notify",
        }
    }
}

/// The ARN of the topic component `index`'s alarms notify, when it has one.
pub fn alarm_topic(plan: &crate::plan::Plan, index: usize) -> Option<crate::expr::Expr> {
    plan.connections
        .iter()
        .find(|k| k.from == index && k.access == Access::Alarms)
        .map(|k| {
            plan.components[k.to]
                .ids
                .res("Topic", None, "aws_sns_topic", "arn")
        })
}

/// `true`: serde's default for a setting that is on unless the blueprint turns it off.
pub(crate) fn yes() -> bool {
    true
}

/// The key-policy statement every customer-managed key starts with: the account administers
/// the key, and IAM policies decide who else uses it.
pub fn key_administration() -> crate::expr::Doc {
    use crate::expr::{Doc, Expr, Part};
    Doc::map([
        ("Sid", Doc::str("AccountAdministration")),
        ("Effect", Doc::str("Allow")),
        (
            "Principal",
            Doc::map([(
                "AWS",
                Doc::Expr(Expr::arn("iam", false, vec![Part::Lit("root".into())])),
            )]),
        ),
        ("Action", Doc::str("kms:*")),
        ("Resource", Doc::str("*")),
    ])
}
