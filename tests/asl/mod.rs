//! A checker of Amazon States Language definitions, for the state machines cloudwright renders:
//! exactly one `StartAt` that names a state, every `Next`, `Default` and catch target a state of
//! the same `States`, every state that does not end the machine going somewhere and every one
//! that does ending it, `Retry` and `Catch` well formed and only where ASL allows them, every
//! state reachable, branches and map processors checked the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

const TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// The problems of a definition (empty: valid), each with the path of the state.
pub fn problems(definition: &Value) -> Vec<String> {
    let mut out = Vec::new();
    machine(definition, "$", &mut out);
    out
}

fn machine(m: &Value, at: &str, out: &mut Vec<String>) {
    let Some(states) = m.get("States").and_then(Value::as_object) else {
        out.push(format!("{at}: no `States` map"));
        return;
    };
    if states.is_empty() {
        out.push(format!("{at}: `States` is empty"));
    }
    let start = match m.get("StartAt").and_then(Value::as_str) {
        Some(s) if states.contains_key(s) => Some(s),
        Some(s) => {
            out.push(format!("{at}: StartAt `{s}` is not a state"));
            None
        }
        None => {
            out.push(format!("{at}: no `StartAt`"));
            None
        }
    };
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut ends = false;
    for (name, s) in states {
        let here = format!("{at}.States.{name}");
        if name.is_empty() || name.chars().count() > 80 {
            out.push(format!("{here}: a state name has 1 to 80 characters"));
        }
        let ty = s.get("Type").and_then(Value::as_str).unwrap_or("");
        if !TYPES.contains(&ty) {
            out.push(format!("{here}: `Type` {ty:?} is not a state type"));
            continue;
        }
        let mut targets: Vec<&str> = Vec::new();
        let next = s.get("Next").and_then(Value::as_str);
        let end = s.get("End").and_then(Value::as_bool) == Some(true);
        match ty {
            "Choice" => {
                if next.is_some() || s.get("End").is_some() {
                    out.push(format!("{here}: a Choice has neither `Next` nor `End`"));
                }
                let choices = s.get("Choices").and_then(Value::as_array);
                match choices {
                    Some(c) if !c.is_empty() => {
                        for (i, rule) in c.iter().enumerate() {
                            match rule.get("Next").and_then(Value::as_str) {
                                Some(n) => targets.push(n),
                                None => out.push(format!("{here}.Choices[{i}]: no `Next`")),
                            }
                            if rule
                                .get("Variable")
                                .and_then(Value::as_str)
                                .is_none_or(|v| !v.starts_with('$'))
                            {
                                out.push(format!("{here}.Choices[{i}]: `Variable` is not a path"));
                            }
                        }
                    }
                    _ => out.push(format!("{here}: a Choice needs rules")),
                }
                if let Some(d) = s.get("Default").and_then(Value::as_str) {
                    targets.push(d);
                }
            }
            "Succeed" | "Fail" => {
                ends = true;
                if next.is_some() || s.get("End").is_some() {
                    out.push(format!(
                        "{here}: a {ty} state ends the machine: no `Next` or `End`"
                    ));
                }
            }
            _ => match (next, end) {
                (Some(n), false) => targets.push(n),
                (None, true) => ends = true,
                _ => out.push(format!("{here}: exactly one of `Next` and `End: true`")),
            },
        }
        for field in ["Retry", "Catch"] {
            let Some(list) = s.get(field) else { continue };
            if !matches!(ty, "Task" | "Parallel" | "Map") {
                out.push(format!("{here}: a {ty} state cannot have `{field}`"));
            }
            let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
                out.push(format!("{here}: `{field}` is a non-empty list"));
                continue;
            };
            for (i, r) in list.iter().enumerate() {
                let errors = r.get("ErrorEquals").and_then(Value::as_array);
                if errors.is_none_or(|e| e.is_empty() || e.iter().any(|x| !x.is_string())) {
                    out.push(format!(
                        "{here}.{field}[{i}]: `ErrorEquals` is a non-empty list of names"
                    ));
                }
                if field == "Retry" {
                    let int = |k: &str, min: i64| {
                        r.get(k)
                            .is_none_or(|v| v.as_i64().is_some_and(|n| n >= min))
                    };
                    if !int("IntervalSeconds", 1) || !int("MaxAttempts", 0) {
                        out.push(format!(
                            "{here}.Retry[{i}]: IntervalSeconds ≥ 1 and MaxAttempts ≥ 0"
                        ));
                    }
                    if r.get("BackoffRate")
                        .is_some_and(|b| b.as_f64().is_none_or(|b| b < 1.0))
                    {
                        out.push(format!("{here}.Retry[{i}]: BackoffRate ≥ 1.0"));
                    }
                } else {
                    match r.get("Next").and_then(Value::as_str) {
                        Some(n) => targets.push(n),
                        None => out.push(format!("{here}.Catch[{i}]: no `Next`")),
                    }
                }
            }
        }
        match ty {
            "Parallel" => match s.get("Branches").and_then(Value::as_array) {
                Some(b) if !b.is_empty() => {
                    for (i, branch) in b.iter().enumerate() {
                        machine(branch, &format!("{here}.Branches[{i}]"), out);
                    }
                }
                _ => out.push(format!("{here}: a Parallel state needs branches")),
            },
            "Map" => match s.get("ItemProcessor").or_else(|| s.get("Iterator")) {
                Some(p) => machine(p, &format!("{here}.ItemProcessor"), out),
                None => out.push(format!("{here}: a Map state needs an `ItemProcessor`")),
            },
            _ => {}
        }
        for t in &targets {
            if !states.contains_key(*t) {
                out.push(format!("{here}: `{t}` is not a state of this machine"));
            }
        }
        edges.insert(name.as_str(), targets);
    }
    if !ends {
        out.push(format!("{at}: no state ends the machine"));
    }
    if let Some(start) = start {
        let mut seen = BTreeSet::from([start]);
        let mut todo = vec![start];
        while let Some(s) = todo.pop() {
            for t in edges.get(s).into_iter().flatten() {
                if seen.insert(t) {
                    todo.push(t);
                }
            }
        }
        for name in states.keys() {
            if !seen.contains(name.as_str()) {
                out.push(format!("{at}.States.{name}: not reachable from `{start}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_definition_is_refused_for_each_fault() {
        let ok = serde_json::json!({
            "StartAt": "a",
            "States": {
                "a": { "Type": "Task", "Resource": "x", "Next": "b",
                       "Retry": [{ "ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 2 }],
                       "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "f" }] },
                "b": { "Type": "Choice", "Choices": [{ "Variable": "$.x", "BooleanEquals": true, "Next": "s" }], "Default": "f" },
                "s": { "Type": "Succeed" },
                "f": { "Type": "Fail" }
            }
        });
        assert_eq!(problems(&ok), Vec::<String>::new());
        let broken = |edit: &dyn Fn(&mut Value)| {
            let mut d = ok.clone();
            edit(&mut d);
            problems(&d)
        };
        assert!(!broken(&|d| d["StartAt"] = "nope".into()).is_empty());
        assert!(!broken(&|d| d["States"]["a"]["Next"] = "nope".into()).is_empty());
        assert!(!broken(&|d| d["States"]["a"]["End"] = true.into()).is_empty());
        assert!(!broken(&|d| d["States"]["a"]["Catch"][0]["Next"] = "nope".into()).is_empty());
        assert!(!broken(&|d| d["States"]["a"]["Retry"][0]["BackoffRate"] = 0.5.into()).is_empty());
        assert!(
            !broken(&|d| d["States"]["b"]["Retry"] =
                serde_json::json!([{ "ErrorEquals": ["States.ALL"] }]))
            .is_empty()
        );
        assert!(!broken(&|d| d["States"]["s"]["Next"] = "a".into()).is_empty());
        assert!(
            !broken(&|d| d["States"]["z"] = serde_json::json!({ "Type": "Succeed" })).is_empty(),
            "unreachable"
        );
    }
}
