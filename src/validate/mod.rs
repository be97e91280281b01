//! The validator: well-architected guardrails with stable IDs, run over the blueprint and its
//! plan. Each rule lives in its own file under `rules/`, documented by its doc comment; the
//! [`registry`] lists them all. Suppressions from the blueprint are applied here, and those that
//! matched travel on (as [`Accepted`]) so the renderers can write them in checkov's and cfn-lint's
//! own syntax.

pub mod registry;
pub mod rule;
mod rules;

use crate::blueprint::Document;
use crate::diagnostics::{Diagnostic, Severity, did_you_mean};
use crate::plan::Plan;
use rule::{Component, Finding, Rule};

/// What a rule sees: the blueprint (with its source, for locations) and its plan.
pub struct Context<'a> {
    pub doc: &'a Document,
    pub plan: &'a Plan,
}

impl Context<'_> {
    pub fn environment_name(&self) -> &'static str {
        self.plan.environment.as_str()
    }
}

/// A finding the output carries as a skip of the other tools' matching checks: a suppression
/// that matched, with the reason the team gave, or a rule that is off in the blueprint's
/// environment and would fire elsewhere, with that as the reason.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub rule: &'static Rule,
    pub reason: String,
    /// Whether the rule is off in the blueprint's environment (no suppression was needed).
    pub by_environment: bool,
}

/// The validator's verdict.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Unsuppressed findings and problems with the suppressions themselves, in source order.
    pub diagnostics: Vec<Diagnostic>,
    pub accepted: Vec<Accepted>,
    /// How many findings suppressions covered.
    pub suppressed: usize,
}

impl Outcome {
    /// Whether a finding at or above `threshold` remains.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.diagnostics.iter().any(|d| d.severity >= threshold)
    }
}

/// What a suppression is limited to: a part of the blueprint, or one component by name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Part(Component),
    Instance(String),
}

impl Scope {
    /// Whether a finding of `rule` at `field` is within the scope.
    fn covers(&self, rule: &Rule, field: &str) -> bool {
        match self {
            Scope::Part(c) => *c == rule.component,
            Scope::Instance(name) => instance_of(field) == Some(name.as_str()),
        }
    }
}

/// The component a finding's field is in: `components.users-fn.uses` → `users-fn`.
fn instance_of(field: &str) -> Option<&str> {
    field.strip_prefix("components.")?.split('.').next()
}

struct Active {
    index: usize,
    rule: &'static Rule,
    component: Option<Scope>,
    reason: String,
    used: bool,
}

/// Runs every rule over `doc` and `plan` and applies the blueprint's suppressions.
pub fn run(doc: &Document, plan: &Plan) -> Outcome {
    run_only(doc, plan, |_| true)
}

/// Runs the rules `keep` selects (ruff's `for_rule`): a rule's own fixtures run only that rule,
/// so a new rule never edits another rule's fixture.
pub fn run_only(doc: &Document, plan: &Plan, keep: impl Fn(&Rule) -> bool) -> Outcome {
    let mut outcome = Outcome::default();
    let mut active = Vec::new();
    for (i, s) in doc.blueprint.suppressions.iter().enumerate() {
        let Some(rule) = registry::find(&s.rule) else {
            let help = match did_you_mean(
                &s.rule.to_ascii_uppercase(),
                registry::RULES.iter().map(|r| r.id),
            ) {
                Some(id) => format!("did you mean `{id}`? `cloudwright rules` lists every rule"),
                None => "`cloudwright rules` lists every rule".to_string(),
            };
            outcome.diagnostics.push(doc.error(
                &format!("suppressions[{i}].rule"),
                format!("there is no rule `{}`", s.rule),
                help,
            ));
            continue;
        };
        let component = match &s.component {
            None => None,
            Some(name) => match Component::ALL.iter().find(|c| c.name() == name) {
                Some(c) => Some(Scope::Part(*c)),
                None if doc.blueprint.components.contains_key(name.as_str()) => {
                    Some(Scope::Instance(name.clone()))
                }
                None => {
                    let names: Vec<&str> = Component::ALL
                        .map(Component::name)
                        .into_iter()
                        .chain(doc.blueprint.components.keys().map(|k| k.as_str()))
                        .collect();
                    let help = match did_you_mean(name, names.iter().copied()) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => format!("use one of: {}", names.join(", ")),
                    };
                    outcome.diagnostics.push(doc.error(
                        &format!("suppressions[{i}].component"),
                        format!("there is no component `{name}`"),
                        help,
                    ));
                    continue;
                }
            },
        };
        active.push(Active {
            index: i,
            rule,
            component,
            reason: s.reason.to_string(),
            used: false,
        });
    }

    let ctx = Context { doc, plan };
    for rule in registry::RULES.iter().copied().filter(|r| keep(r)) {
        let mut findings: Vec<Finding> = Vec::new();
        (rule.check)(&ctx, &mut findings);
        let Some(severity) = rule.levels.for_environment(plan.environment) else {
            // Off here, yet the downstream scanners do not know environments: tell them why.
            if !findings.is_empty() && !rule.checkov.is_empty() {
                outcome.accepted.push(Accepted {
                    rule,
                    reason: format!(
                        "the rule is off in {}, the blueprint's environment",
                        ctx.environment_name()
                    ),
                    by_environment: true,
                });
            }
            continue;
        };
        for finding in findings {
            let suppression = active.iter_mut().find(|a| {
                a.rule.id == rule.id
                    && a.component
                        .as_ref()
                        .is_none_or(|c| c.covers(rule, &finding.field))
            });
            if let Some(s) = suppression {
                s.used = true;
                outcome.suppressed += 1;
                continue;
            }
            let mut d = doc.error(&finding.field, finding.message, finding.help);
            d.severity = severity;
            d.code = Some(rule.id);
            outcome.diagnostics.push(d);
        }
    }

    for a in active.into_iter().filter(|a| keep(a.rule)) {
        if a.used {
            outcome.accepted.push(Accepted {
                rule: a.rule,
                reason: a.reason,
                by_environment: false,
            });
        } else {
            let mut d = doc.error(
                &format!("suppressions[{}].rule", a.index),
                format!("the suppression of {} matched nothing", a.rule.id),
                "remove it, so that a future finding is not hidden",
            );
            d.severity = Severity::Warning;
            outcome.diagnostics.push(d);
        }
    }
    outcome
        .diagnostics
        .sort_by_key(|d| (d.location.line, d.location.column));
    outcome
}
