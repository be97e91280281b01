//! `kind: function` — a Lambda function: runtime, memory, timeout, environment, tracing, its own
//! encrypted log group, and a role with exactly what its `uses` need.

pub mod rules;
pub mod runtimes;
pub mod view;

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::{Access, Kind, Wanted};
use crate::blueprint::types::{Description, Environment, RetentionDays, TierName, invalid_value};
pub use runtimes::Runtime;

crate::string_newtype!(
    /// An environment variable's name: a letter or `_`, then letters, digits and `_`; not one
    /// of the names Lambda reserves, nor one cloudwright sets.
    EnvName,
    check_env_name
);

/// Variables Lambda sets itself and refuses in a function's configuration.
const LAMBDA_RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Variables cloudwright sets from the function's connections (the table it serves).
pub const SET_BY_CLOUDWRIGHT: &[&str] = &[
    "TABLE_NAME",
    "PARTITION_KEY",
    "SORT_KEY",
    "TOPIC_ARN",
    "QUEUE_URL",
    "OUTPUT_BUCKET",
    "INPUT_PREFIX",
];

fn check_env_name<E: de::Error>(value: &str) -> Result<(), E> {
    let shape = value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && value.len() <= 128;
    if !shape {
        return Err(invalid_value(
            value,
            format!("`{value}` is not an environment variable name"),
            "use letters, digits and `_`, starting with a letter, for example `LOG_LEVEL`",
        ));
    }
    if LAMBDA_RESERVED.contains(&value) {
        return Err(invalid_value(
            value,
            format!("Lambda reserves the environment variable `{value}`"),
            "choose another name; Lambda sets this one itself",
        ));
    }
    if SET_BY_CLOUDWRIGHT.contains(&value) {
        return Err(invalid_value(
            value,
            format!("cloudwright sets `{value}` from the component the function uses"),
            "choose another name",
        ));
    }
    Ok(())
}

/// An environment variable's value: plain text, or the name of a secret or parameter that the
/// function reads at run time (the value never enters the template or the state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Plain(String),
    /// A Secrets Manager secret's name or ARN.
    Secret(String),
    /// An SSM parameter's name (`/app/db/password`).
    Parameter(String),
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Reference {
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    parameter: Option<String>,
}

impl<'de> Deserialize<'de> for EnvValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> de::Visitor<'de> for ValueVisitor {
            type Value = EnvValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text, `{ secret: <name or ARN> }` or `{ parameter: <name> }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvValue, E> {
                crate::blueprint::types::check_text("an environment variable's value", v, 4096)?;
                Ok(EnvValue::Plain(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<EnvValue, E> {
                Ok(EnvValue::Plain(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<EnvValue, E> {
                Ok(EnvValue::Plain(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<EnvValue, E> {
                Ok(EnvValue::Plain(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<EnvValue, E> {
                Ok(EnvValue::Plain(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<EnvValue, A::Error> {
                let r = Reference::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let check = |what: &str, v: &str| -> Result<(), A::Error> {
                    let ok = !v.is_empty()
                        && v.len() <= 2048
                        && v.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-:".contains(c));
                    if ok {
                        Ok(())
                    } else {
                        Err(invalid_value(
                            v,
                            format!("`{v}` is not a {what} name"),
                            "use letters, digits and / _ + = . @ - :",
                        ))
                    }
                };
                match (r.secret, r.parameter) {
                    (Some(s), None) => check("secret", &s).map(|()| EnvValue::Secret(s)),
                    (None, Some(p)) => check("parameter", &p).map(|()| EnvValue::Parameter(p)),
                    _ => Err(de::Error::custom(format!(
                        "give exactly one of `secret` and `parameter`{}write `{{ secret: prod/db }}` or `{{ parameter: /app/db-url }}`",
                        crate::blueprint::types::HELP_SEPARATOR
                    ))),
                }
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

crate::schema_as!(EnvValue, |generator| schemars::json_schema!({
    "description": "An environment variable's value: plain text (or a number or boolean, passed as text), or `{ secret: <name or ARN> }` / `{ parameter: <name> }`, read by the function at run time so the value never enters the template or the state.",
    "anyOf": [
        { "type": "string", "maxLength": 4096 },
        { "type": "number" },
        { "type": "boolean" },
        crate::schema::extended(
            Reference::json_schema(generator),
            "oneOf",
            serde_json::json!([{ "required": ["secret"] }, { "required": ["parameter"] }]),
        ),
    ],
}));

/// The processor architecture.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Graviton: cheaper per millisecond, the default.
    #[default]
    Arm64,
    X86_64,
}

impl Architecture {
    pub fn as_aws(self) -> &'static str {
        match self {
            Architecture::Arm64 => "arm64",
            Architecture::X86_64 => "x86_64",
        }
    }
}

/// What a function may do to a component it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    Read,
    Write,
    ReadWrite,
    Publish,
    /// Send messages to a queue.
    Send,
}

impl Use {
    pub fn access(self) -> Access {
        match self {
            Use::Read => Access::Read,
            Use::Write => Access::Write,
            Use::ReadWrite => Access::ReadWrite,
            Use::Publish => Access::Publish,
            Use::Send => Access::Send,
        }
    }
}

/// The memory Lambda accepts, in MB.
pub const MEMORY: std::ops::RangeInclusive<u32> = 128..=10_240;
/// The timeout Lambda accepts, in seconds.
pub const TIMEOUT: std::ops::RangeInclusive<u32> = 1..=900;

/// `kind: function`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub runtime: Runtime,
    #[serde(default)]
    pub description: Option<Description>,
    /// Memory in MB (128–10,240); 256 when not given.
    #[serde(default)]
    pub memory: Option<u32>,
    /// Timeout in seconds (1–900); 10 when not given.
    #[serde(default)]
    pub timeout: Option<u32>,
    #[serde(default)]
    pub architecture: Architecture,
    /// Environment variables: plain values, or secrets and parameters read at run time.
    #[serde(default)]
    pub environment: IndexMap<EnvName, EnvValue>,
    /// The components the function reads, writes or publishes to.
    #[serde(default)]
    pub uses: IndexMap<String, Use>,
    /// Days its log group keeps logs: a year in production, a month elsewhere, when not given.
    #[serde(default)]
    pub log_retention_days: Option<RetentionDays>,
    /// Concurrent executions reserved for the function (and its ceiling); unreserved when not given.
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
    /// A topic that receives the events of failed asynchronous invocations.
    #[serde(default)]
    pub on_failure: Option<String>,
    /// A network tier: the function runs in its subnets, with a security group of its own.
    #[serde(default)]
    pub tier: Option<TierName>,
    /// A topic that hears the function's error alarm.
    #[serde(default)]
    pub alarms: Option<String>,
    /// The queue the function drains.
    #[serde(default)]
    pub consumes: Option<Consumes>,
    /// New objects of a lake zone that invoke the function.
    #[serde(default)]
    pub objects: Option<ObjectsSpec>,
}

/// `objects:` — S3 invokes the function for each new object of a lake zone under a prefix and
/// with a suffix.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectsSpec {
    /// The zone, as `<lake>.<zone>`.
    pub from: String,
    /// Only objects whose key starts with this.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Only objects whose key ends with this (`.csv`).
    #[serde(default)]
    pub suffix: Option<String>,
}

/// `<lake>.<zone>` as the lake's name and the zone's, or the whole text when it has no dot.
pub fn split_part(name: &str) -> (String, Option<String>) {
    match name.split_once('.') {
        Some((component, part)) => (component.to_string(), Some(part.to_string())),
        None => (name.to_string(), None),
    }
}

/// The new objects that invoke a function, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objects {
    pub lake: String,
    pub zone: String,
    pub prefix: String,
    pub suffix: String,
}

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        let mut out: Vec<Wanted> = self
            .uses
            .iter()
            .map(|(name, u)| {
                let (component, part) = split_part(name);
                Wanted {
                    field: format!("{at}.uses.{name}"),
                    expect: match (u, &part) {
                        (Use::Publish, _) => &[Kind::Topic],
                        (Use::Send, _) => &[Kind::Queue],
                        (Use::Read | Use::Write | Use::ReadWrite, Some(_)) => &[Kind::DataLake],
                        (Use::Read | Use::Write | Use::ReadWrite, None) => &[Kind::Table],
                    },
                    name: component,
                    part,
                    access: u.access(),
                    what: "a function uses",
                }
            })
            .collect();
        if let Some(o) = &self.objects {
            let (lake, zone) = split_part(&o.from);
            out.push(Wanted {
                field: format!("{at}.objects.from"),
                name: lake,
                part: Some(zone.unwrap_or_default()),
                expect: &[Kind::DataLake],
                access: Access::Objects,
                what: "a function is invoked by the new objects of",
            });
        }
        if let Some(t) = &self.on_failure {
            out.push(Wanted {
                field: format!("{at}.on_failure"),
                name: t.clone(),
                part: None,
                expect: &[Kind::Topic],
                access: Access::OnFailure,
                what: "failed invocations go to",
            });
        }
        if let Some(t) = &self.alarms {
            out.push(Wanted::alarms(at, t));
        }
        if let Some(c) = &self.consumes {
            out.push(Wanted {
                field: if c.by_name {
                    format!("{at}.consumes")
                } else {
                    format!("{at}.consumes.queue")
                },
                name: c.queue.clone(),
                part: None,
                expect: &[Kind::Queue],
                access: Access::Consume,
                what: "a function consumes",
            });
        }
        out
    }

    pub fn plan(&self, env: Environment) -> Plan {
        let production = env == Environment::Production;
        Plan {
            runtime: self.runtime,
            description: self.description.as_ref().map(ToString::to_string),
            memory: self.memory.unwrap_or(256),
            timeout: self.timeout.unwrap_or(10),
            architecture: self.architecture,
            environment: self
                .environment
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            log_retention_days: self
                .log_retention_days
                .map_or(if production { 365 } else { 30 }, |d| d.0),
            reserved_concurrency: self.reserved_concurrency,
            tier: self.tier.as_ref().map(ToString::to_string),
            retain_logs: production,
            batch: self.consumes.as_ref().map(|c| Batch {
                size: c.batch_size.unwrap_or(10),
                window: c.batching_window,
                max_concurrency: c.max_concurrency,
            }),
            objects: self.objects.as_ref().map(|o| {
                let (lake, zone) = split_part(&o.from);
                Objects {
                    lake,
                    zone: zone.unwrap_or_default(),
                    prefix: o.prefix.clone().unwrap_or_default(),
                    suffix: o.suffix.clone().unwrap_or_default(),
                }
            }),
        }
    }
}

/// A function, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub runtime: Runtime,
    pub description: Option<String>,
    pub memory: u32,
    pub timeout: u32,
    pub architecture: Architecture,
    pub environment: Vec<(String, EnvValue)>,
    pub log_retention_days: u32,
    pub reserved_concurrency: Option<u32>,
    pub tier: Option<String>,
    /// The log group and its key outlive the stack (production).
    pub retain_logs: bool,
    /// How the function drains the queue it consumes.
    pub batch: Option<Batch>,
    /// The new objects that invoke it.
    pub objects: Option<Objects>,
}

impl Spec {
    /// The checks that look at more than one field or at the rest of the blueprint.
    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        if let Some(o) = &self.objects {
            if !o.from.contains('.') {
                problems.push(doc.error(
                    &format!("{at}.objects.from"),
                    format!("`{}` does not name a zone of a lake", o.from),
                    format!("name it as `<lake>.<zone>`, for example `{}.raw`", o.from),
                ));
            }
            for (field, value) in [("prefix", &o.prefix), ("suffix", &o.suffix)] {
                if let Some(v) = value
                    && (v.is_empty() || v.len() > 1024 || v.contains('*'))
                {
                    problems.push(doc.error(
                        &format!("{at}.objects.{field}"),
                        format!("`{v}` is not an S3 key {field} a notification filters on"),
                        "give 1 to 1024 characters of the key, without `*` (S3 matches them literally)",
                    ));
                }
            }
        }
        if let Some(m) = self.memory
            && !MEMORY.contains(&m)
        {
            problems.push(doc.error(
                &format!("{at}.memory"),
                format!("Lambda cannot give a function {m} MB"),
                "give 128 to 10240 (MB)",
            ));
        }
        if let Some(t) = self.timeout
            && !TIMEOUT.contains(&t)
        {
            problems.push(doc.error(
                &format!("{at}.timeout"),
                format!("Lambda cannot run a function for {t} seconds"),
                "give 1 to 900 (seconds)",
            ));
        }
        if let Some(c) = &self.consumes {
            problems.extend(check_consumes(c, at, doc));
        }
        if let Some(tier) = &self.tier
            && let Err(e) = super::check_tier(tier, &format!("{at}.tier"), "a function's", doc)
        {
            problems.extend(e);
        }
        problems
    }
}

/// The event source mapping's limits, from Lambda's: a batch of 1–10,000 records (more than 10
/// only with a batching window, and at most 10 from a FIFO queue), a window of 0–300 seconds
/// (standard queues only), a concurrency ceiling of 2–1,000.
fn check_consumes(
    c: &Consumes,
    at: &str,
    doc: &crate::blueprint::Document,
) -> Vec<crate::diagnostics::Diagnostic> {
    let mut problems = Vec::new();
    let path = |f: &str| format!("{at}.consumes.{f}");
    let fifo = doc
        .blueprint
        .components
        .get(c.queue.as_str())
        .is_some_and(|q| matches!(q, super::Component::Queue(q) if q.fifo));
    if let Some(b) = c.batch_size {
        if !(1..=10_000).contains(&b) {
            problems.push(doc.error(
                &path("batch_size"),
                format!("Lambda cannot take {b} records in a batch"),
                "give 1 to 10000 (more than 10 needs `batching_window`)",
            ));
        } else if b > 10 && fifo {
            problems.push(doc.error(
                &path("batch_size"),
                format!("a FIFO queue hands Lambda at most 10 records at a time, not {b}"),
                "give 1 to 10",
            ));
        } else if b > 10 && c.batching_window.unwrap_or(0) == 0 {
            problems.push(doc.error(
                &path("batch_size"),
                format!("Lambda takes more than 10 records ({b}) only when it may wait for them"),
                "add `batching_window: 1` or more (seconds), or give at most 10",
            ));
        }
    }
    if let Some(w) = c.batching_window {
        if fifo {
            problems.push(doc.error(
                &path("batching_window"),
                "Lambda does not batch records of a FIFO queue over a window",
                "leave `batching_window` out for a FIFO queue",
            ));
        } else if w > 300 {
            problems.push(doc.error(
                &path("batching_window"),
                format!("Lambda waits at most 300 seconds for a batch, not {w}"),
                "give 0 to 300 (seconds)",
            ));
        }
    }
    if let Some(m) = c.max_concurrency
        && !(2..=1_000).contains(&m)
    {
        problems.push(doc.error(
            &path("max_concurrency"),
            format!("a queue's maximum concurrency is 2 to 1000, not {m}"),
            "give 2 to 1000, or leave it out for no ceiling",
        ));
    }
    problems
}

/// Which handler a function starts from: `worker` when it consumes a queue, `step` when a
/// pipeline invokes it, `crud` when an API routes to it and it reads and writes exactly one
/// table, `enqueue` when all it uses is one queue it sends to, `basic` otherwise.
pub fn scaffold_kind(plan: &crate::plan::Plan, index: usize) -> &'static str {
    if plan
        .connections
        .iter()
        .any(|k| k.from == index && k.access == Access::Objects)
    {
        return "objects";
    }
    if plan
        .connections
        .iter()
        .any(|k| k.from == index && k.access == Access::Consume)
    {
        return "worker";
    }
    if plan.connections.iter().any(|k| {
        k.to == index
            && k.access == Access::Invoke
            && plan.components[k.from].kind == Kind::Pipeline
    }) {
        return "step";
    }
    let from = |k: &&crate::plan::graph::Connection| k.from == index;
    let tables: Vec<_> = plan
        .connections
        .iter()
        .filter(from)
        .filter(|k| k.access == Access::ReadWrite && plan.components[k.to].kind == Kind::Table)
        .collect();
    let routed = plan.connections.iter().any(|k| {
        k.to == index && k.access == Access::Invoke && plan.components[k.from].kind == Kind::Api
    });
    let uses: Vec<_> = plan
        .connections
        .iter()
        .filter(from)
        .filter(|k| k.access.is_use())
        .collect();
    if routed && tables.len() == 1 {
        "crud"
    } else if uses.len() == 1 && uses[0].access == Access::Send {
        "enqueue"
    } else {
        "basic"
    }
}

/// `consumes:` — the queue a function drains through an event source mapping: its name, or a
/// mapping with the name and the batch settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumes {
    pub queue: String,
    /// Written as the queue's name alone (`consumes: jobs`), not as a mapping.
    pub by_name: bool,
    /// Records per batch: 10 when not given; more than 10 needs a batching window.
    pub batch_size: Option<u32>,
    /// Seconds Lambda gathers records before it invokes (0–300, standard queues only).
    pub batching_window: Option<u32>,
    /// The most concurrent invocations the queue may drive (2–1000).
    pub max_concurrency: Option<u32>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConsumesSpec {
    /// The queue to drain (a `queue` component).
    queue: String,
    #[serde(default)]
    batch_size: Option<u32>,
    #[serde(default)]
    batching_window: Option<u32>,
    #[serde(default)]
    max_concurrency: Option<u32>,
}

impl<'de> Deserialize<'de> for Consumes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Consumes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a queue's name, or `{ queue: <name>, batch_size: 10 }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Consumes, E> {
                Ok(Consumes {
                    queue: v.to_string(),
                    by_name: true,
                    batch_size: None,
                    batching_window: None,
                    max_concurrency: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Consumes, A::Error> {
                let s = ConsumesSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Consumes {
                    queue: s.queue,
                    by_name: false,
                    batch_size: s.batch_size,
                    batching_window: s.batching_window,
                    max_concurrency: s.max_concurrency,
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(Consumes, |generator| schemars::json_schema!({
    "description": "The queue the function drains: its name, or `{ queue: <name>, batch_size, batching_window, max_concurrency }`.",
    "anyOf": [{ "type": "string" }, ConsumesSpec::json_schema(generator)],
}));

/// An event source mapping's settings, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    pub size: u32,
    pub window: Option<u32>,
    pub max_concurrency: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_starts_from_the_handler_its_connections_call_for() {
        let text = "name: p\ndescription: d\nenvironment: development\nregion: us-east-1\ncomponents:\n  users: { kind: table, partition: { name: id, type: string } }\n  jobs: { kind: queue }\n  crud-fn: { kind: function, runtime: python, uses: { users: read-write } }\n  send-fn: { kind: function, runtime: python, uses: { jobs: send } }\n  work-fn: { kind: function, runtime: python, consumes: jobs }\n  step-fn: { kind: function, runtime: python }\n  other-fn: { kind: function, runtime: python, uses: { users: read, jobs: send } }\n  api: { kind: api, auth: iam, routes: { GET /users: crud-fn, POST /jobs: send-fn } }\n  etl: { kind: pipeline, log_retention_days: 365, steps: [{ name: s, function: step-fn }] }\n";
        let plan = crate::plan::of_text(text);
        let kind = |name: &str| {
            let i = plan.components.iter().position(|c| c.name == name).unwrap();
            scaffold_kind(&plan, i)
        };
        assert_eq!(kind("crud-fn"), "crud");
        assert_eq!(kind("send-fn"), "enqueue");
        assert_eq!(kind("work-fn"), "worker");
        assert_eq!(kind("step-fn"), "step");
        assert_eq!(kind("other-fn"), "basic");
    }
}
