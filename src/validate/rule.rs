//! What a rule is: an ID, a name, a one-line summary, the component it looks at, its severity in
//! each environment, its documentation (the doc comment, captured by [`declare_rule!`]), the
//! matching checks of other tools, and the check itself.

use std::fmt;

use crate::blueprint::types::Environment;
use crate::diagnostics::Severity;

use super::Context;

/// The part of a blueprint a rule looks at; a suppression can be limited to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// Top-level fields: name, tags, every string of the blueprint.
    Blueprint,
    Network,
    Budget,
    /// The blueprint's components; a suppression names one of them (`component: users-fn`).
    Components,
}

impl Component {
    /// The parts a suppression's `component:` may name besides a component's own name.
    pub const ALL: [Component; 3] = [Component::Blueprint, Component::Network, Component::Budget];

    pub fn name(self) -> &'static str {
        match self {
            Component::Blueprint => "blueprint",
            Component::Network => "network",
            Component::Budget => "budget",
            Component::Components => "components",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule's severity in each environment; `None` where the rule does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub production: Option<Severity>,
    pub staging: Option<Severity>,
    pub development: Option<Severity>,
}

impl Levels {
    pub fn for_environment(self, env: Environment) -> Option<Severity> {
        match env {
            Environment::Production => self.production,
            Environment::Staging => self.staging,
            Environment::Development => self.development,
        }
    }

    /// `error in production, warning in staging, off in development`.
    pub fn describe(self) -> String {
        let show = |s: Option<Severity>| s.map_or_else(|| "off".to_string(), |s| s.to_string());
        let (p, s, d) = (
            show(self.production),
            show(self.staging),
            show(self.development),
        );
        if p == s && s == d {
            format!("{p} in every environment")
        } else if s == d {
            format!("{p} in production, {s} elsewhere")
        } else {
            format!("{p} in production, {s} in staging, {d} in development")
        }
    }
}

/// The checkov check that matches a rule: a suppression of the rule travels into the output as
/// a skip of that check, with the same reason, on the resources it names. (The other tools' IDs
/// are documentation: they are listed in each rule's `## References`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckovSkip {
    pub id: &'static str,
    /// Which generated resources carry the skip.
    pub on: Resource,
}

/// Generated resources a checkov skip can be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Vpc,
    /// The subnets of the tiers that hand out public IPs (one `for_each` resource in Terraform
    /// with every subnet, so the skip's reason names the tiers it is meant for).
    PublicIpSubnets,
    FlowLogGroup,
}

/// One problem a rule found: the field it is about, what is wrong, what would be right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub field: String,
    pub message: String,
    pub help: String,
}

/// A guardrail.
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub component: Component,
    pub levels: Levels,
    /// The rule's documentation, in fixed sections (see `cloudwright explain`).
    pub doc: &'static str,
    pub checkov: &'static [CheckovSkip],
    pub check: fn(&Context<'_>, &mut Vec<Finding>),
}

impl Rule {
    /// The documentation without the one space `///` leaves at the start of each line.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Declares a rule; its doc comment becomes its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $name:ident = {
            id: $id:expr,
            name: $rule_name:literal,
            summary: $summary:literal,
            component: $component:expr,
            levels: [$production:expr, $staging:expr, $development:expr],
            checkov: $checkov:expr,
            check: $check:expr $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::validate::rule::Rule = $crate::validate::rule::Rule {
            id: $id,
            name: $rule_name,
            summary: $summary,
            component: $component,
            levels: $crate::validate::rule::Levels {
                production: $production,
                staging: $staging,
                development: $development,
            },
            doc: concat!($($doc, "\n"),*),
            checkov: $checkov,
            check: $check,
        };
    };
}

pub(crate) use declare_rule;
