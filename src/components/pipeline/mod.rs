//! `kind: pipeline` — a Step Functions standard workflow: an ordered list of steps (a Glue job
//! run to completion, a Lambda invocation, a wait, a choice, parallel branches, a map over a
//! list), each with retries and a catch that routes to a failure notification; a success
//! notification; logging of every event with execution data; X-Ray; an execution role scoped
//! to exactly what the steps use; and an optional EventBridge Scheduler schedule.

pub mod asl;
pub mod rules;
pub mod view;

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use super::{Access, Kind, Wanted};
use crate::blueprint::types::{
    Environment, HELP_SEPARATOR, RetentionDays, check_kebab, invalid_value,
};

/// The most characters a step's name has (a state's name may have 80).
pub const MAX_STEP_NAME: usize = 48;

crate::string_newtype!(
    /// A step's name: kebab-case, 1–48 characters, unique in the pipeline. It names the
    /// state, and `$.results.<name with underscores>` holds the step's result.
    StepName,
    |v| check_kebab("step name", v, MAX_STEP_NAME),
    schema: { "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", "maxLength": MAX_STEP_NAME }
);

impl StepName {
    /// Where the step's result lands in the state: `results.load_orders`.
    pub fn result_key(&self) -> String {
        self.0.replace('-', "_")
    }
}

crate::string_newtype!(
    /// A Glue job's name: 1–255 letters, digits, `_`, `-` and `.`.
    JobName,
    |v| {
        let ok = !v.is_empty()
            && v.len() <= 255
            && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok {
            Ok(())
        } else {
            Err(invalid_value(
                v,
                format!("`{v}` is not a Glue job name"),
                "use 1 to 255 letters, digits, `_`, `-` and `.`",
            ))
        }
    }
);

crate::string_newtype!(
    /// A JSONPath into the state (`$.results.load.payload.rows`): `$`, then `.name` and
    /// `[n]` selectors of letters, digits and `_`.
    StatePath,
    check_path
);

fn check_path<E: de::Error>(v: &str) -> Result<(), E> {
    let mut rest = v.strip_prefix('$').unwrap_or("!");
    let mut ok = v.len() <= 256;
    while ok && !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            ok = end > 0;
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(0);
            ok = end > 0 && r[..end].chars().all(|c| c.is_ascii_digit());
            rest = if ok { &r[end + 1..] } else { "" };
        } else {
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else {
        Err(invalid_value(
            v,
            format!("`{v}` is not a path into the state"),
            "write `$` and then `.name` or `[0]` selectors, for example `$.results.load.payload.rows`",
        ))
    }
}

crate::string_newtype!(
    /// An error name a retry matches: `States.ALL`, `States.TaskFailed`, `Lambda.ServiceException`.
    ErrorName,
    |v| {
        let ok = !v.is_empty()
            && v.len() <= 128
            && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(())
        } else {
            Err(invalid_value(
                v,
                format!("`{v}` is not an error name"),
                "use letters, digits, `.`, `_` and `-`, for example `States.TaskFailed`",
            ))
        }
    }
);

/// The Glue job a step runs to completion: a lake's own (`glue: lake.transform`), or one that
/// lives outside the blueprint (`glue: { external: <job> }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GlueJob {
    Lake { lake: String, job: String },
    External(JobName),
}

impl GlueJob {
    /// The job's name in the definition and the role's policy.
    pub fn name(&self) -> crate::expr::Expr {
        match self {
            GlueJob::Lake { lake, job } => crate::components::data_lake::view::job_name(
                &crate::components::Ids::new(lake),
                job,
            ),
            GlueJob::External(name) => crate::expr::Expr::lit(name.as_str()),
        }
    }
}

impl fmt::Display for GlueJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GlueJob::Lake { lake, job } => write!(f, "{job} of lake {lake}"),
            GlueJob::External(name) => f.write_str(name.as_str()),
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct GlueSpec {
    external: JobName,
}

impl<'de> Deserialize<'de> for GlueJob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = GlueJob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`<lake>.<job>` or `{ external: <Glue job name> }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<GlueJob, E> {
                match v.split_once('.') {
                    Some((lake, job)) if !lake.is_empty() && !job.is_empty() => Ok(GlueJob::Lake {
                        lake: lake.to_string(),
                        job: job.to_string(),
                    }),
                    _ => Err(invalid_value(
                        v,
                        format!("`{v}` does not name a job of a data lake"),
                        format!(
                            "name a lake's job as `<lake>.<job>`, or a job outside the blueprint with `glue: {{ external: {v} }}`"
                        ),
                    )),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<GlueJob, A::Error> {
                let s = GlueSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(GlueJob::External(s.external))
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(GlueJob, |generator| schemars::json_schema!({
    "description": "The Glue job a step runs: a job of a data lake of the blueprint, `<lake>.<job>`, or `{ external: <Glue job name> }` for one outside it.",
    "anyOf": [
        { "type": "string", "pattern": "^[^.]+\\.[^.]+" },
        GlueSpec::json_schema(generator),
    ],
}));

/// A value a choice compares with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text, a number or true/false")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                crate::blueprint::types::check_text("a choice's value", v, 256)?;
                Ok(Value::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                if v.is_finite() {
                    Ok(Value::Number(v))
                } else {
                    Err(E::custom("a choice compares with a finite number"))
                }
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(Value, {
    "description": "A value a choice compares with: text, a number or true/false.",
    "anyOf": [
        { "type": "string", "maxLength": 256 },
        { "type": "number" },
        { "type": "boolean" },
    ],
});

/// One rule of a choice: a test of the state, and the step it goes to when the test holds.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub variable: StatePath,
    #[serde(default)]
    pub equals: Option<Value>,
    /// The rule holds when the value is greater than this number.
    #[serde(default)]
    pub greater_than: Option<f64>,
    /// The rule holds when the value is less than this number.
    #[serde(default)]
    pub less_than: Option<f64>,
    /// The rule holds when the path is present (`true`) or absent (`false`).
    #[serde(default)]
    pub is_present: Option<bool>,
    pub next: StepName,
}

/// The test of a rule, once one is known to be given.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Equals(Value),
    GreaterThan(f64),
    LessThan(f64),
    IsPresent(bool),
}

impl When {
    pub fn tests(&self) -> Vec<Test> {
        let mut out = Vec::new();
        if let Some(v) = &self.equals {
            out.push(Test::Equals(v.clone()));
        }
        if let Some(n) = self.greater_than {
            out.push(Test::GreaterThan(n));
        }
        if let Some(n) = self.less_than {
            out.push(Test::LessThan(n));
        }
        if let Some(b) = self.is_present {
            out.push(Test::IsPresent(b));
        }
        out
    }
}

/// `choice:` — rules tried in order; `otherwise` (or the next step) when none holds.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The rules, tried in order: the first that holds picks the next step.
    pub when: Vec<When>,
    #[serde(default)]
    pub otherwise: Option<StepName>,
}

/// `map:` — the nested steps run once per item of a list in the state.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MapSpec {
    pub items: StatePath,
    /// At most this many items at once; 0 (the default) lets Step Functions decide.
    #[serde(default)]
    pub max_concurrency: u32,
    /// The steps run for each item, in order.
    pub steps: Vec<Step>,
}

/// A step's retries.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// The errors that are retried (`States.ALL` when not given).
    #[serde(default)]
    pub errors: Option<Vec<ErrorName>>,
    /// Seconds before the first retry.
    #[serde(default)]
    pub interval: Option<u32>,
    /// What each wait is multiplied by before the next retry.
    #[serde(default)]
    pub backoff_rate: Option<f64>,
    /// Retries before the step fails.
    #[serde(default)]
    pub max_attempts: Option<u32>,
}

/// `retry:` as written: a mapping, or `false` (no retries).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RetryField(pub Option<RetrySpec>, pub bool);

impl<'de> Deserialize<'de> for RetryField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RetryField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ errors, interval, backoff_rate, max_attempts }` or `false`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RetryField, E> {
                if v {
                    Err(E::custom(format!(
                        "`retry: true` says nothing the default does not{HELP_SEPARATOR}leave `retry` out for the default retries, or give `{{ max_attempts: 5 }}`"
                    )))
                } else {
                    Ok(RetryField(None, true))
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RetryField, A::Error> {
                RetrySpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|r| RetryField(Some(r), false))
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(RetryField, |generator| schemars::json_schema!({
    "description": "How the step retries: `{ errors, interval, backoff_rate, max_attempts }`, or `false` for no retries; the default retries when not given.",
    "anyOf": [{ "const": false }, generator.subschema_for::<RetrySpec>()],
}));

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    Glue(GlueJob),
    Function(String),
    /// Seconds to wait.
    Wait(u32),
    Choice(Choice),
    Parallel(Vec<Vec<Step>>),
    Map(MapSpec),
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Glue(_) => "glue",
            Action::Function(_) => "function",
            Action::Wait(_) => "wait",
            Action::Choice(_) => "choice",
            Action::Parallel(_) => "parallel",
            Action::Map(_) => "map",
        }
    }

    /// Whether the step can fail, and so retry and catch (a wait or a choice cannot).
    pub fn can_fail(&self) -> bool {
        !matches!(self, Action::Wait(_) | Action::Choice(_))
    }
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: StepName,
    pub action: Action,
    pub retry: RetryField,
    /// `catch: false` lets a failure end the execution without the failure notification.
    pub catch: Option<bool>,
    /// The step that follows, when it is not the next one in the list (a loop back to a
    /// choice, for example).
    pub next: Option<StepName>,
    /// Seconds a Glue or function step may run before it fails with `States.Timeout` (a Glue
    /// run is then stopped).
    pub timeout: Option<u32>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    name: StepName,
    #[serde(default)]
    glue: Option<GlueJob>,
    /// Invoke a function (a `function` component) with the state.
    #[serde(default)]
    function: Option<String>,
    /// Wait this many seconds.
    #[serde(default)]
    wait: Option<u32>,
    #[serde(default)]
    choice: Option<Choice>,
    /// Run branches of steps at once: a list of branches, each a list of steps.
    #[serde(default)]
    parallel: Option<Vec<Vec<Step>>>,
    #[serde(default)]
    map: Option<MapSpec>,
    #[serde(default)]
    retry: RetryField,
    /// `false` lets a failure end the execution without the failure notification.
    #[serde(default)]
    catch: Option<bool>,
    #[serde(default)]
    next: Option<StepName>,
    /// Seconds a Glue or function step may run before it fails with `States.Timeout`.
    #[serde(default)]
    timeout: Option<u32>,
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = StepSpec::deserialize(deserializer)?;
        let name = s.name;
        let mut actions = Vec::new();
        if let Some(g) = s.glue {
            actions.push(Action::Glue(g));
        }
        if let Some(f) = s.function {
            actions.push(Action::Function(f));
        }
        if let Some(w) = s.wait {
            actions.push(Action::Wait(w));
        }
        if let Some(c) = s.choice {
            actions.push(Action::Choice(c));
        }
        if let Some(p) = s.parallel {
            actions.push(Action::Parallel(p));
        }
        if let Some(m) = s.map {
            actions.push(Action::Map(m));
        }
        if actions.len() != 1 {
            let message = if actions.is_empty() {
                format!("step `{name}` does nothing")
            } else {
                format!(
                    "step `{name}` does {} things at once (`{}`)",
                    actions.len(),
                    actions
                        .iter()
                        .map(Action::name)
                        .collect::<Vec<_>>()
                        .join("`, `")
                )
            };
            return Err(de::Error::custom(format!(
                "{message}{HELP_SEPARATOR}give it exactly one of `glue`, `function`, `wait`, `choice`, `parallel` and `map`, for example `{{ name: {name}, function: load-fn }}`; split the rest into steps of their own"
            )));
        }
        Ok(Step {
            name,
            action: actions.remove(0),
            retry: s.retry,
            catch: s.catch,
            next: s.next,
            timeout: s.timeout,
        })
    }
}

crate::schema_as!(Step, |generator| crate::schema::extended(
    StepSpec::json_schema(generator),
    "oneOf",
    serde_json::json!([
        { "required": ["glue"] },
        { "required": ["function"] },
        { "required": ["wait"] },
        { "required": ["choice"] },
        { "required": ["parallel"] },
        { "required": ["map"] },
    ]),
));

/// When the pipeline runs on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// `cron(0 6 * * ? *)` or `rate(1 day)`.
    pub expression: String,
    /// An IANA time zone (`Europe/Stockholm`); UTC when not given.
    pub timezone: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ScheduleSpec {
    expression: String,
    #[serde(default)]
    timezone: Option<String>,
}

fn check_schedule<E: de::Error>(expression: &str) -> Result<(), E> {
    let cron = expression
        .strip_prefix("cron(")
        .and_then(|r| r.strip_suffix(')'));
    let rate = expression
        .strip_prefix("rate(")
        .and_then(|r| r.strip_suffix(')'));
    let safe = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " */?,-#LW".contains(c))
    };
    let ok = match (cron, rate) {
        (Some(fields), None) => {
            fields.split(' ').filter(|f| !f.is_empty()).count() == 6 && safe(fields)
        }
        (None, Some(r)) => match r.split_once(' ') {
            Some((n, unit)) => match n.parse::<u32>() {
                Ok(1) => matches!(unit, "minute" | "hour" | "day"),
                Ok(n) if n > 1 => matches!(unit, "minutes" | "hours" | "days"),
                _ => false,
            },
            None => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid_value(
            expression,
            format!("`{expression}` is not a schedule EventBridge Scheduler accepts"),
            "write `cron(<minutes> <hours> <day of month> <month> <day of week> <year>)`, for example `cron(0 6 * * ? *)` (06:00 every day), or `rate(1 day)`",
        ))
    }
}

fn check_timezone<E: de::Error>(tz: &str) -> Result<(), E> {
    let ok = !tz.is_empty()
        && tz.len() <= 50
        && tz.starts_with(|c: char| c.is_ascii_uppercase())
        && tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if ok {
        Ok(())
    } else {
        Err(invalid_value(
            tz,
            format!("`{tz}` is not a time zone"),
            "give an IANA time zone, for example `Europe/Stockholm` or `UTC`",
        ))
    }
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Schedule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`cron(0 6 * * ? *)`, `rate(1 day)`, or `{ expression, timezone }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Schedule, E> {
                check_schedule::<E>(v)?;
                Ok(Schedule {
                    expression: v.to_string(),
                    timezone: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Schedule, A::Error> {
                let s = ScheduleSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                check_schedule::<A::Error>(&s.expression)?;
                if let Some(tz) = &s.timezone {
                    check_timezone::<A::Error>(tz)?;
                }
                Ok(Schedule {
                    expression: s.expression,
                    timezone: s.timezone,
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

crate::schema_as!(Schedule, |generator| schemars::json_schema!({
    "description": "When the pipeline runs on its own: an EventBridge Scheduler expression, `cron(0 6 * * ? *)` or `rate(1 day)`, or `{ expression, timezone }` with an IANA time zone (UTC when not given).",
    "anyOf": [
        {
            "type": "string",
            "pattern": "^(cron\\( *[A-Za-z0-9*/?,#-]+( +[A-Za-z0-9*/?,#-]+){5} *\\)|rate\\((0*1 (minute|hour|day)|0*([2-9]|[1-9][0-9]+) (minutes|hours|days))\\))$",
        },
        ScheduleSpec::json_schema(generator),
    ],
}));

/// How much of each execution the log group gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    #[default]
    All,
    Error,
    Fatal,
    Off,
}

impl LogLevel {
    pub fn as_aws(self) -> &'static str {
        match self {
            LogLevel::All => "ALL",
            LogLevel::Error => "ERROR",
            LogLevel::Fatal => "FATAL",
            LogLevel::Off => "OFF",
        }
    }
}

/// `logging:` — every event with its input and output, unless told otherwise (rule OBS002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    #[serde(default)]
    pub level: LogLevel,
    /// Whether log records include the states' input and output.
    #[serde(default = "crate::components::yes")]
    pub include_execution_data: bool,
}

impl Default for Logging {
    fn default() -> Self {
        Logging {
            level: LogLevel::All,
            include_execution_data: true,
        }
    }
}

/// `kind: pipeline`, as written.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    #[serde(default)]
    pub description: Option<crate::blueprint::types::Description>,
    /// The steps, in order: each runs after the one before, unless a choice or `next` says otherwise.
    pub steps: Vec<Step>,
    /// The topic told of every execution's success and of every failure.
    #[serde(default)]
    pub notify: Option<String>,
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// A topic that hears the alarm on failed executions.
    #[serde(default)]
    pub alarms: Option<String>,
    #[serde(default)]
    pub logging: Logging,
    /// Days its log group keeps logs: a year in production, a month elsewhere, when not given.
    #[serde(default)]
    pub log_retention_days: Option<RetentionDays>,
    /// Seconds an execution may run before it times out (1 to a year); no limit when not given.
    #[serde(default)]
    pub timeout: Option<u32>,
}

/// Every step, depth first, with its field path and whether it is nested in a branch or map.
pub fn walk<'a>(
    steps: &'a [Step],
    at: &str,
    nested: bool,
    out: &mut Vec<(String, &'a Step, bool)>,
) {
    for (i, s) in steps.iter().enumerate() {
        let path = format!("{at}[{i}]");
        out.push((path.clone(), s, nested));
        match &s.action {
            Action::Parallel(branches) => {
                for (b, branch) in branches.iter().enumerate() {
                    walk(branch, &format!("{path}.parallel[{b}]"), true, out);
                }
            }
            Action::Map(m) => walk(&m.steps, &format!("{path}.map.steps"), true, out),
            Action::Glue(_) | Action::Function(_) | Action::Wait(_) | Action::Choice(_) => {}
        }
    }
}

impl Spec {
    pub fn references(&self, at: &str) -> Vec<Wanted> {
        let mut all = Vec::new();
        walk(&self.steps, &format!("{at}.steps"), false, &mut all);
        let mut out: Vec<Wanted> = all
            .iter()
            .filter_map(|(path, s, _)| match &s.action {
                Action::Glue(GlueJob::Lake { lake, job }) => Some(Wanted {
                    field: format!("{path}.glue"),
                    name: lake.clone(),
                    part: Some(job.clone()),
                    expect: &[Kind::DataLake],
                    access: Access::Run,
                    what: "a pipeline step runs a job of",
                }),
                Action::Function(f) => Some(Wanted {
                    field: format!("{path}.function"),
                    name: f.clone(),
                    part: None,
                    expect: &[Kind::Function],
                    access: Access::Invoke,
                    what: "a pipeline step invokes",
                }),
                _ => None,
            })
            .collect();
        if let Some(t) = &self.notify {
            out.push(Wanted {
                field: format!("{at}.notify"),
                name: t.clone(),
                part: None,
                expect: &[Kind::Topic],
                access: Access::Notify,
                what: "a pipeline notifies",
            });
        }
        if let Some(t) = &self.alarms {
            out.push(Wanted::alarms(at, t));
        }
        out
    }

    pub fn check(
        &self,
        at: &str,
        doc: &crate::blueprint::Document,
    ) -> Vec<crate::diagnostics::Diagnostic> {
        let mut problems = Vec::new();
        if self.steps.is_empty() {
            problems.push(doc.error(
                &format!("{at}.steps"),
                "the pipeline has no steps",
                "give at least one, for example `- { name: load, function: load-fn }`",
            ));
        }
        if let Some(t) = self.timeout
            && !(1..=31_536_000).contains(&t)
        {
            problems.push(doc.error(
                &format!("{at}.timeout"),
                format!("Step Functions cannot time an execution out after {t} seconds"),
                "give 1 to 31536000 (a year), or leave it out",
            ));
        }
        let mut all = Vec::new();
        walk(&self.steps, &format!("{at}.steps"), false, &mut all);
        let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for (path, s, nested) in &all {
            if let Some(first) = seen.insert(s.name.as_str(), path) {
                problems.push(doc.error(
                    &format!("{path}.name"),
                    format!("step `{}` is named twice (first at {first})", s.name),
                    "give every step of the pipeline its own name",
                ));
            }
            problems.extend(check_step(s, path, *nested, doc));
        }
        check_nexts(&self.steps, &format!("{at}.steps"), doc, &mut problems);
        problems
    }

    pub fn plan(&self, env: Environment) -> Plan {
        let production = env == Environment::Production;
        Plan {
            description: self.description.as_ref().map(ToString::to_string),
            steps: self.steps.clone(),
            schedule: self.schedule.clone(),
            logging: self.logging,
            log_retention_days: self
                .log_retention_days
                .map_or(if production { 365 } else { 30 }, |d| d.0),
            retain_logs: production,
            timeout: self.timeout,
        }
    }
}

fn check_step(
    s: &Step,
    path: &str,
    nested: bool,
    doc: &crate::blueprint::Document,
) -> Vec<crate::diagnostics::Diagnostic> {
    let mut problems = Vec::new();
    if !s.action.can_fail() {
        if s.retry != RetryField::default() {
            problems.push(doc.error(
                &format!("{path}.retry"),
                format!(
                    "a {} step cannot fail, so it has nothing to retry",
                    s.action.name()
                ),
                "leave `retry` out",
            ));
        }
        if s.catch.is_some() {
            problems.push(doc.error(
                &format!("{path}.catch"),
                format!(
                    "a {} step cannot fail, so it has nothing to catch",
                    s.action.name()
                ),
                "leave `catch` out",
            ));
        }
    } else if nested && s.catch == Some(true) {
        problems.push(doc.error(
            &format!("{path}.catch"),
            "a step inside a parallel branch or a map cannot catch: its failure fails the branch, and the parallel or map step catches that",
            "leave `catch` out, and let the enclosing step catch",
        ));
    }
    if let Some(t) = s.timeout {
        if !matches!(s.action, Action::Glue(_) | Action::Function(_)) {
            problems.push(doc.error(
                &format!("{path}.timeout"),
                format!("a {} step has no timeout of its own", s.action.name()),
                "give `timeout` to its glue or function steps, or the pipeline's `timeout` for the whole execution",
            ));
        } else if !(1..=31_536_000).contains(&t) {
            problems.push(doc.error(
                &format!("{path}.timeout"),
                format!("Step Functions cannot time a step out after {t} seconds"),
                "give 1 to 31536000 (seconds)",
            ));
        }
    }
    if let Some(r) = &s.retry.0 {
        if let Some(n) = r.max_attempts
            && !(1..=99_999_999).contains(&n)
        {
            problems.push(doc.error(
                &format!("{path}.retry.max_attempts"),
                format!("{n} is not a number of attempts"),
                "give 1 or more (or `retry: false` for none)",
            ));
        }
        if let Some(b) = r.backoff_rate
            && !(1.0..=1000.0).contains(&b)
        {
            problems.push(doc.error(
                &format!("{path}.retry.backoff_rate"),
                format!("Step Functions multiplies the interval by 1 or more, not {b}"),
                "give 1.0 to 1000, for example 2.0",
            ));
        }
        if let Some(i) = r.interval
            && !(1..=99_999_999).contains(&i)
        {
            problems.push(doc.error(
                &format!("{path}.retry.interval"),
                "the first retry waits at least 1 second",
                "give 1 or more (seconds)",
            ));
        }
        if r.errors.as_ref().is_some_and(Vec::is_empty) {
            problems.push(doc.error(
                &format!("{path}.retry.errors"),
                "a retry that matches no error never runs",
                "name at least one error, for example `[States.TaskFailed]`, or leave `errors` out",
            ));
        }
    }
    match &s.action {
        Action::Wait(w) if !(1..=31_536_000).contains(w) => problems.push(doc.error(
            &format!("{path}.wait"),
            format!("a wait of {w} seconds"),
            "give 1 to 31536000 (seconds)",
        )),
        Action::Choice(c) => {
            if c.when.is_empty() {
                problems.push(doc.error(
                    &format!("{path}.choice.when"),
                    "a choice without rules",
                    "give at least one rule, for example `- { variable: $.results.load.payload.rows, greater_than: 0, next: publish }`",
                ));
            }
            for (i, w) in c.when.iter().enumerate() {
                if w.tests().len() != 1 {
                    problems.push(doc.error(
                        &format!("{path}.choice.when[{i}]"),
                        format!("the rule has {} tests", w.tests().len()),
                        "give exactly one of `equals`, `greater_than`, `less_than` and `is_present`",
                    ));
                }
            }
        }
        Action::Parallel(branches) if branches.is_empty() || branches.iter().any(Vec::is_empty) => {
            problems.push(doc.error(
                    &format!("{path}.parallel"),
                    "a parallel step needs branches of at least one step each",
                    "give a list of branches, each a list of steps: `parallel: [[{ name: a, function: a-fn }], [{ name: b, function: b-fn }]]`",
                ));
        }
        Action::Map(m) if m.steps.is_empty() => problems.push(doc.error(
            &format!("{path}.map.steps"),
            "a map without steps",
            "give the steps each item goes through",
        )),
        _ => {}
    }
    problems
}

/// A step's `next`, and a choice's rules and `otherwise`, name a step of its own list (a branch's steps cannot leave
/// the branch); a suggestion names the closest.
fn check_nexts(
    steps: &[Step],
    at: &str,
    doc: &crate::blueprint::Document,
    problems: &mut Vec<crate::diagnostics::Diagnostic>,
) {
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    for (i, s) in steps.iter().enumerate() {
        let path = format!("{at}[{i}]");
        let mut targets: Vec<(String, &StepName)> =
            s.next.iter().map(|n| (format!("{path}.next"), n)).collect();
        if let Action::Choice(c) = &s.action {
            if let Some(n) = &s.next {
                problems.push(doc.error(
                    &format!("{path}.next"),
                    format!("choice `{}` goes where its rules say, not to `{n}`", s.name),
                    "name the step in `otherwise:` instead",
                ));
                targets.clear();
            }
            targets.extend(
                c.when
                    .iter()
                    .enumerate()
                    .map(|(w, r)| (format!("{path}.choice.when[{w}].next"), &r.next)),
            );
            targets.extend(
                c.otherwise
                    .iter()
                    .map(|o| (format!("{path}.choice.otherwise"), o)),
            );
        }
        for (field, target) in targets {
            if !names.contains(&target.as_str()) {
                let help = match crate::diagnostics::did_you_mean(
                    target.as_str(),
                    names.iter().copied(),
                ) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!(
                        "name a step of the same list: {}",
                        crate::diagnostics::code_list(&names)
                    ),
                };
                problems.push(doc.error(&field, format!("there is no step `{target}` here"), help));
            }
        }
        match &s.action {
            Action::Parallel(branches) => {
                for (b, branch) in branches.iter().enumerate() {
                    check_nexts(branch, &format!("{path}.parallel[{b}]"), doc, problems);
                }
            }
            Action::Map(m) => check_nexts(&m.steps, &format!("{path}.map.steps"), doc, problems),
            Action::Glue(_) | Action::Function(_) | Action::Wait(_) | Action::Choice(_) => {}
        }
    }
}

/// A pipeline, resolved.
#[derive(Debug, Clone)]
pub struct Plan {
    pub description: Option<String>,
    pub steps: Vec<Step>,
    pub schedule: Option<Schedule>,
    pub logging: Logging,
    pub log_retention_days: u32,
    pub retain_logs: bool,
    pub timeout: Option<u32>,
}

impl Plan {
    /// Every Glue job the steps run, in order, once each.
    pub fn glue_jobs(&self) -> Vec<crate::expr::Expr> {
        let mut all = Vec::new();
        walk(&self.steps, "", false, &mut all);
        let mut jobs: Vec<crate::expr::Expr> = Vec::new();
        for (_, s, _) in all {
            if let Action::Glue(g) = &s.action
                && !jobs.contains(&g.name())
            {
                jobs.push(g.name());
            }
        }
        jobs
    }

    /// The top-level steps that can fail and do not catch (rule REL005), with their paths.
    pub fn uncaught(&self) -> Vec<(usize, &Step)> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.action.can_fail() && s.catch == Some(false))
            .collect()
    }
}
