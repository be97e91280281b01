//! One blueprint, several environments. The top level describes the environment `environment`
//! names; each entry of `environments:` says what another environment changes. An environment's
//! blueprint is the top level with its override merged in, checked like any other blueprint, and
//! located in the same file: a problem with a value the override gives is reported at the
//! override's own line.

use super::tree::{self, Node};
use super::types::{Environment, MAX_NAME, kebab_case};
use super::{Blueprint, Document, check, serde_diagnostic};
use crate::diagnostics::{Diagnostic, did_you_mean};

/// The environment an overridden document describes, and where its override stands.
#[derive(Debug, Clone)]
pub(crate) struct Overlay {
    pub name: String,
    /// The field path of the override: `environments.staging`.
    pub prefix: String,
}

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
        let Some(key) = self
            .blueprint
            .environments
            .keys()
            .find(|k| k.as_str() == name)
        else {
            let names = self.environment_names();
            let help = match did_you_mean(name, names.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the blueprint's environments are {}",
                    crate::diagnostics::code_list(&names)
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
        // The loader read this text already: it parses.
        let unreadable = || {
            vec![self.error(
                &prefix,
                "the blueprint's YAML cannot be read again",
                "report this to cloudwright",
            )]
        };
        let mut merged = tree::parse(&self.source.text).ok_or_else(unreadable)?;
        let Some(changes) = merged
            .remove("environments")
            .and_then(|mut envs| envs.remove(key.as_str()))
        else {
            return Err(unreadable());
        };
        let mut changes = match changes {
            Node::Map(_) => changes,
            null if null.is_null() => Node::Map(Vec::new()),
            _ => {
                return Err(vec![self.error(
                    &prefix,
                    format!("the environment `{key}` is not a mapping of the fields it changes"),
                    "give the fields that differ, for example `budget: { monthly_usd: 300 }`, or `{}` for none",
                )]);
            }
        };
        if changes.get("environments").is_some() {
            return Err(vec![self.error(
                &format!("{prefix}.environments"),
                "an environment cannot hold environments of its own",
                "list every environment once, under the top-level `environments:`",
            )]);
        }
        // `name: null` or `environment: null` asks for the default, as leaving it out does.
        for field in ["name", "environment"] {
            if changes.get(field).is_some_and(Node::is_null) {
                changes.remove(field);
            }
        }
        if changes.get("environment").is_none() {
            let Some(kind) = Environment::ALL.iter().find(|k| k.as_str() == name) else {
                return Err(vec![self.error(
                    &prefix,
                    format!("the environment `{key}` does not say what kind of environment it is"),
                    "add `environment: production`, `staging` or `development`: the rules that apply depend on it",
                )]);
            };
            changes.insert("environment", Node::text(kind.as_str()));
        }
        if changes.get("name").is_none() {
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
                        kebab_case(self.blueprint.name.as_str(), MAX_NAME - key.as_str().len() - 1)
                    ),
                )]);
            }
            changes.insert("name", Node::text(&name));
        }
        merged.merge(changes);
        let overlay = Overlay {
            name: key.to_string(),
            prefix,
        };
        let blueprint: Blueprint = serde_yaml::from_str(&merged.to_yaml()).map_err(|e| {
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
