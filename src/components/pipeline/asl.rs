//! The state machine's definition in the Amazon States Language, built as data from the
//! pipeline's steps: each step one state, in order; every step that can fail retries and then
//! catches into the failure notification; the last step leads to the success notification.

use super::{Action, Plan as PipelinePlan, Step, Test, Value};
use crate::expr::{Doc, Expr, Part};

/// The fixed states after the steps.
pub const NOTIFY_SUCCESS: &str = "NotifySuccess";
pub const NOTIFY_FAILURE: &str = "NotifyFailure";
pub const SUCCEEDED: &str = "Succeeded";
pub const FAILED: &str = "Failed";

/// What the definition refers to outside itself.
pub struct Targets<'a> {
    /// A function's ARN, by the function's name.
    pub function: &'a dyn Fn(&str) -> Option<Expr>,
    /// The notification topic's ARN.
    pub topic: Option<Expr>,
    /// `Pipeline etl of data-platform`, for the notifications' subjects.
    pub title: String,
}

/// `arn:<partition>:states:::<integration>`: an optimized service integration.
fn integration(what: &str) -> Doc {
    Doc::Expr(Expr(vec![
        Part::Lit("arn:".into()),
        Part::Partition,
        Part::Lit(format!(":states:::{what}")),
    ]))
}

/// The errors a step retries when the blueprint names none: the transient ones of its service.
fn default_errors(action: &Action) -> Vec<&'static str> {
    match action {
        Action::Glue(_) => vec![
            "Glue.ConcurrentRunsExceededException",
            "Glue.InternalServiceException",
            "Glue.OperationTimeoutException",
        ],
        Action::Function(_) => vec![
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
            "Lambda.ClientExecutionTimeoutException",
        ],
        _ => vec!["States.ALL"],
    }
}

fn retry(step: &Step) -> Option<Doc> {
    if step.retry.1 || !step.action.can_fail() {
        return None;
    }
    let given = step.retry.0.as_ref();
    if given.is_none() && matches!(step.action, Action::Parallel(_) | Action::Map(_)) {
        // Their steps retry on their own; retrying the whole branch would repeat what worked.
        return None;
    }
    let errors: Vec<Doc> = match given.and_then(|r| r.errors.as_ref()) {
        Some(e) => e.iter().map(|e| Doc::str(e.as_str())).collect(),
        None => default_errors(&step.action)
            .into_iter()
            .map(Doc::str)
            .collect(),
    };
    let (interval, attempts) = match step.action {
        Action::Glue(_) => (60, 3),
        _ => (2, 3),
    };
    Some(Doc::List(vec![Doc::map([
        ("ErrorEquals", Doc::List(errors)),
        (
            "IntervalSeconds",
            Doc::Int(given.and_then(|r| r.interval).unwrap_or(interval).into()),
        ),
        (
            "BackoffRate",
            Doc::number(given.and_then(|r| r.backoff_rate).unwrap_or(2.0)),
        ),
        (
            "MaxAttempts",
            Doc::Int(
                given
                    .and_then(|r| r.max_attempts)
                    .unwrap_or(attempts)
                    .into(),
            ),
        ),
    ])]))
}

fn result_path(step: &Step) -> Doc {
    Doc::str(format!("$.results.{}", step.name.result_key()))
}

fn test(t: &Test) -> (&'static str, Doc) {
    match t {
        Test::Equals(Value::Text(s)) => ("StringEquals", Doc::str(s.clone())),
        Test::Equals(Value::Number(n)) => ("NumericEquals", Doc::number(*n)),
        Test::Equals(Value::Bool(b)) => ("BooleanEquals", Doc::Bool(*b)),
        Test::GreaterThan(n) => ("NumericGreaterThan", Doc::number(*n)),
        Test::LessThan(n) => ("NumericLessThan", Doc::number(*n)),
        Test::IsPresent(b) => ("IsPresent", Doc::Bool(*b)),
    }
}

/// The states of one list of steps. `after` is the state that follows the last step (none: the
/// last step ends its branch); `catch` where a failure goes (none: it fails the branch).
fn states(
    steps: &[Step],
    after: Option<&str>,
    catch: Option<&str>,
    t: &Targets<'_>,
    out: &mut Vec<(String, Doc)>,
) {
    for (i, step) in steps.iter().enumerate() {
        let next = step
            .next
            .as_ref()
            .map(|n| n.as_str())
            .or_else(|| steps.get(i + 1).map(|s| s.name.as_str()))
            .or(after);
        let mut state: Vec<(&str, Doc)> = Vec::new();
        match &step.action {
            Action::Glue(g) => {
                state.push(("Type", Doc::str("Task")));
                state.push((
                    "Comment",
                    Doc::str(format!("Runs Glue job {g} to completion")),
                ));
                state.push(("Resource", integration("glue:startJobRun.sync")));
                state.push(("Parameters", Doc::map([("JobName", Doc::Expr(g.name()))])));
                state.push((
                    "ResultSelector",
                    Doc::map([
                        ("job_run_id.$", Doc::str("$.Id")),
                        ("state.$", Doc::str("$.JobRunState")),
                        ("execution_time.$", Doc::str("$.ExecutionTime")),
                    ]),
                ));
                state.push(("ResultPath", result_path(step)));
            }
            Action::Function(f) => {
                state.push(("Type", Doc::str("Task")));
                state.push((
                    "Comment",
                    Doc::str(format!("Invokes function {f} with the state")),
                ));
                state.push(("Resource", integration("lambda:invoke")));
                let arn = (t.function)(f).unwrap_or_else(|| Expr::lit(f.clone()));
                state.push((
                    "Parameters",
                    Doc::map([
                        ("FunctionName", Doc::Expr(arn)),
                        ("Payload.$", Doc::str("$")),
                    ]),
                ));
                state.push((
                    "ResultSelector",
                    Doc::map([("payload.$", Doc::str("$.Payload"))]),
                ));
                state.push(("ResultPath", result_path(step)));
            }
            Action::Wait(seconds) => {
                state.push(("Type", Doc::str("Wait")));
                state.push(("Seconds", Doc::Int((*seconds).into())));
            }
            Action::Choice(c) => {
                state.push(("Type", Doc::str("Choice")));
                let rules = c
                    .when
                    .iter()
                    .filter_map(|w| {
                        let (op, value) = test(w.tests().first()?);
                        Some(Doc::map([
                            ("Variable", Doc::str(w.variable.as_str())),
                            (op, value),
                            ("Next", Doc::str(w.next.as_str())),
                        ]))
                    })
                    .collect();
                state.push(("Choices", Doc::List(rules)));
                let default = c
                    .otherwise
                    .as_ref()
                    .map(|o| o.to_string())
                    .or_else(|| next.map(str::to_string));
                match default {
                    Some(d) => state.push(("Default", Doc::str(d))),
                    None => {
                        // The last step of a branch: nothing matched, and the branch is done.
                        let done = format!("{}-done", step.name);
                        state.push(("Default", Doc::str(done.clone())));
                        out.push((step.name.to_string(), Doc::map(state)));
                        out.push((done, Doc::map([("Type", Doc::str("Succeed"))])));
                        continue;
                    }
                }
                out.push((step.name.to_string(), Doc::map(state)));
                continue;
            }
            Action::Parallel(branches) => {
                state.push(("Type", Doc::str("Parallel")));
                state.push((
                    "Branches",
                    Doc::List(
                        branches
                            .iter()
                            .map(|b| Doc::Map(machine(b, None, None, t, None)))
                            .collect(),
                    ),
                ));
                state.push(("ResultPath", result_path(step)));
            }
            Action::Map(m) => {
                state.push(("Type", Doc::str("Map")));
                state.push(("ItemsPath", Doc::str(m.items.as_str())));
                state.push(("MaxConcurrency", Doc::Int(m.max_concurrency.into())));
                // Each item reaches the steps as `{ item, index }`, an object their results
                // can be added to whatever the list holds.
                state.push((
                    "ItemSelector",
                    Doc::map([
                        ("item.$", Doc::str("$$.Map.Item.Value")),
                        ("index.$", Doc::str("$$.Map.Item.Index")),
                    ]),
                ));
                let mut processor = vec![(
                    "ProcessorConfig".to_string(),
                    Doc::map([("Mode", Doc::str("INLINE"))]),
                )];
                processor.extend(machine(&m.steps, None, None, t, None));
                state.push(("ItemProcessor", Doc::Map(processor)));
                state.push(("ResultPath", result_path(step)));
            }
        }
        if let Some(t) = step.timeout
            && matches!(step.action, Action::Glue(_) | Action::Function(_))
        {
            state.push(("TimeoutSeconds", Doc::Int(t.into())));
        }
        if let Some(r) = retry(step) {
            state.push(("Retry", r));
        }
        if let Some(to) = catch
            && step.action.can_fail()
            && step.catch != Some(false)
        {
            state.push((
                "Catch",
                Doc::List(vec![Doc::map([
                    ("ErrorEquals", Doc::List(vec![Doc::str("States.ALL")])),
                    ("ResultPath", Doc::str("$.error")),
                    ("Next", Doc::str(to)),
                ])]),
            ));
        }
        match next {
            Some(n) => state.push(("Next", Doc::str(n))),
            None => state.push(("End", Doc::Bool(true))),
        }
        out.push((step.name.to_string(), Doc::map(state)));
    }
}

/// `{ StartAt, States }` of a list of steps (the whole machine, a branch, a map's processor).
fn machine(
    steps: &[Step],
    after: Option<&str>,
    catch: Option<&str>,
    t: &Targets<'_>,
    tail: Option<Vec<(String, Doc)>>,
) -> Vec<(String, Doc)> {
    let mut out = Vec::new();
    states(steps, after, catch, t, &mut out);
    out.extend(tail.unwrap_or_default());
    vec![
        (
            "StartAt".to_string(),
            Doc::str(steps.first().map_or("", |s| s.name.as_str())),
        ),
        ("States".to_string(), Doc::Map(out)),
    ]
}

fn notify(t: &Targets<'_>, topic: &Expr, outcome: &str, next: &str) -> Doc {
    let subject = crate::naming::fit(&format!("{} {outcome}", t.title), 100);
    Doc::map([
        ("Type", Doc::str("Task")),
        ("Resource", integration("sns:publish")),
        (
            "Parameters",
            Doc::map([
                ("TopicArn", Doc::Expr(topic.clone())),
                ("Subject", Doc::str(subject)),
                ("Message.$", Doc::str("States.JsonToString($)")),
            ]),
        ),
        (
            "Retry",
            Doc::List(vec![Doc::map([
                (
                    "ErrorEquals",
                    Doc::List(vec![Doc::str("States.TaskFailed")]),
                ),
                ("IntervalSeconds", Doc::Int(2)),
                ("BackoffRate", Doc::Int(2)),
                ("MaxAttempts", Doc::Int(3)),
            ])]),
        ),
        ("Next", Doc::str(next)),
    ])
}

/// The whole definition.
pub fn definition(p: &PipelinePlan, t: &Targets<'_>, comment: String) -> Doc {
    let (after, catch) = match &t.topic {
        Some(_) => (NOTIFY_SUCCESS, NOTIFY_FAILURE),
        None => (SUCCEEDED, FAILED),
    };
    let mut tail = Vec::new();
    if let Some(topic) = &t.topic {
        tail.push((
            NOTIFY_SUCCESS.to_string(),
            notify(t, topic, "succeeded", SUCCEEDED),
        ));
        tail.push((
            NOTIFY_FAILURE.to_string(),
            notify(t, topic, "failed", FAILED),
        ));
    }
    tail.push((
        SUCCEEDED.to_string(),
        Doc::map([("Type", Doc::str("Succeed"))]),
    ));
    tail.push((
        FAILED.to_string(),
        Doc::map([
            ("Type", Doc::str("Fail")),
            ("Error", Doc::str("PipelineFailed")),
            (
                "Cause",
                Doc::str(if t.topic.is_some() {
                    "A step failed after its retries; the failure notification carries its error"
                } else {
                    "A step failed after its retries; the execution's history holds its error"
                }),
            ),
        ]),
    ));
    let body = machine(&p.steps, Some(after), Some(catch), t, Some(tail));
    let mut entries = vec![("Comment".to_string(), Doc::str(comment))];
    entries.extend(body);
    if let Some(s) = p.timeout {
        entries.push(("TimeoutSeconds".to_string(), Doc::Int(s.into())));
    }
    Doc::Map(entries)
}
