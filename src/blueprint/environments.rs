//! One blueprint, several environments. The top level describes the environment `environment`
//! names; each entry of `environments:` says what another environment changes. An environment's
//! blueprint is the top level with its override merged in, checked like any other blueprint, and
//! located in the same file: a problem with a value the override gives is reported at the
//! override's own line.

use serde_yaml::{Mapping, Value};

use super::types::Environment;
use super::{Blueprint, Document, check, serde_diagnostic};
use crate::diagnostics::{Diagnostic, did_you_mean};

/// The environment an overridden document describes, and where its override stands.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub name: String,
    /// The field path of the override: `environments.staging`.
    pub prefix: String,
}

/// The kinds of environment, by the name that implies each.
const KINDS: [Environment; 3] = [
    Environment::Production,
    Environment::Staging,
    Environment::Development,
];

impl Document {
    /// The environment this document describes: the top level's `environment`, or the name of
    /// the override merged into it.
    pub fn environment_name(&self) -> &str {
        match &self.overlay {
            Some(o) => &o.name,
            None => self.blueprint.environment.as_str(),
        }
    }

    /// Every environment of the blueprint, the top level's first, then those of `environments:`
    /// in their order.
    pub fn environment_names(&self) -> Vec<String> {
        let mut names = vec![self.blueprint.environment.as_str().to_string()];
        names.extend(self.blueprint.environments.keys().map(ToString::to_string));
        names
    }

    /// The blueprint of environment `name`: this document itself for its own environment, else
    /// the top level with that environment's override merged in.
    pub fn environment(&self, name: &str) -> Result<Document, Vec<Diagnostic>> {
        if name == self.blueprint.environment.as_str() {
            return Ok(self.clone());
        }
        let Some((key, changes)) = self
            .blueprint
            .environments
            .iter()
            .find(|(k, _)| k.as_str() == name)
        else {
            let names = self.environment_names();
            let help = match did_you_mean(name, names.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the blueprint's environments are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let at = if self.blueprint.environments.is_empty() {
                "environment"
            } else {
                "environments"
            };
            return Err(vec![self.error(
                at,
                format!("the blueprint has no environment `{name}`"),
                help,
            )]);
        };
        let prefix = format!("environments.{key}");
        let changes = match changes {
            Value::Mapping(m) => m.clone(),
            Value::Null => Mapping::new(),
            _ => {
                return Err(vec![self.error(
                    &prefix,
                    format!("the environment `{key}` is not a mapping of the fields it changes"),
                    "give the fields that differ, for example `budget: { monthly_usd: 300 }`, or `{}` for none",
                )]);
            }
        };
        if changes.contains_key("environments") {
            return Err(vec![self.error(
                &format!("{prefix}.environments"),
                "an environment cannot hold environments of its own",
                "list every environment once, under the top-level `environments:`",
            )]);
        }
        let mut merged: Value = serde_yaml::from_str(&self.source.text)
            .map_err(|e| vec![serde_diagnostic(&self.source, &self.index, &e, None)])?;
        if let Value::Mapping(top) = &mut merged {
            top.remove("environments");
        }
        let mut changes = Value::Mapping(changes);
        if let Value::Mapping(m) = &mut changes {
            // `name: null` or `environment: null` asks for the default, as leaving it out does.
            for key in ["name", "environment"] {
                if m.get(key).is_some_and(Value::is_null) {
                    m.remove(key);
                }
            }
            if !m.contains_key("environment") {
                let Some(kind) = KINDS.iter().find(|k| k.as_str() == name) else {
                    return Err(vec![self.error(
                        &prefix,
                        format!("the environment `{key}` does not say what kind of environment it is"),
                        "add `environment: production`, `staging` or `development`: the rules that apply depend on it",
                    )]);
                };
                m.insert("environment".into(), kind.as_str().into());
            }
            if !m.contains_key("name") {
                let name = format!("{}-{key}", self.blueprint.name);
                if name.len() > MAX_NAME {
                    return Err(vec![self.error(
                        &prefix,
                        format!(
                            "the environment `{key}` would name its resources `{name}`, {} characters, and a name has at most {MAX_NAME}",
                            name.len()
                        ),
                        format!(
                            "give it a shorter name of its own, for example `name: {}-{key}`",
                            shorter(self.blueprint.name.as_str(), MAX_NAME - key.as_str().len() - 1)
                        ),
                    )]);
                }
                m.insert("name".into(), name.into());
            }
        }
        merge(&mut merged, changes);
        let overlay = Overlay {
            name: key.to_string(),
            prefix,
        };
        let blueprint: Blueprint = serde_yaml::to_string(&merged)
            .and_then(|text| serde_yaml::from_str(&text))
            .map_err(|e| {
                vec![serde_diagnostic(
                    &self.source,
                    &self.index,
                    &e,
                    Some(&overlay.prefix),
                )]
            })?;
        let doc = Document {
            source: self.source.clone(),
            blueprint,
            index: self.index.clone(),
            overlay: Some(overlay),
        };
        let problems = check(&doc);
        if problems.is_empty() {
            Ok(doc)
        } else {
            Err(problems)
        }
    }
}

/// The most characters a blueprint's name has ([`super::types::Name`]).
const MAX_NAME: usize = 64;

/// `name` (kebab-case, so ASCII) cut to at most `max` characters at a hyphen, for a suggestion.
fn shorter(name: &str, max: usize) -> &str {
    if name.len() <= max {
        return name;
    }
    let cut = &name[..max];
    cut.rfind('-').map_or(cut, |at| &cut[..at])
}

/// Merges `changes` into `base`: a mapping into a mapping key by key, `null` removing the key,
/// anything else in its place.
fn merge(base: &mut Value, changes: Value) {
    match (base, changes) {
        (Value::Mapping(base), Value::Mapping(changes)) => {
            for (key, value) in changes {
                if value.is_null() {
                    base.remove(&key);
                    continue;
                }
                match base.get_mut(&key) {
                    Some(existing @ Value::Mapping(_)) if value.is_mapping() => {
                        merge(existing, value);
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, changes) => *base = changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_merge_null_removes_and_the_rest_replaces() {
        let mut base: Value =
            serde_yaml::from_str("a: { b: 1, c: [1, 2] }\nd: x\ne: { f: 1 }").unwrap();
        let changes: Value =
            serde_yaml::from_str("a: { c: [3] }\nd: { g: 1 }\ne: null\nh: null").unwrap();
        merge(&mut base, changes);
        let want: Value = serde_yaml::from_str("a: { b: 1, c: [3] }\nd: { g: 1 }").unwrap();
        assert_eq!(base, want);
    }
}
