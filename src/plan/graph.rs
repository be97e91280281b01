//! Resolution of the references between components, in one pass: every name a component gives
//! (`uses`, `routes`, `alarms`, `on_failure`, subscriptions) must be a component of a kind the
//! field accepts. The result is the blueprint's connections, in blueprint order.

use std::collections::HashMap;

use crate::blueprint::Document;
use crate::components::{Access, Component, Kind};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::naming::pascal_case;

/// One resolved edge: component `from` reaches component `to` (indexes into the blueprint's
/// components) with `access`, as the field `field` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub from: usize,
    pub to: usize,
    pub access: Access,
    pub field: String,
    /// The part of `to` named (`lake.transform`: the lake's job `transform`).
    pub part: Option<String>,
}

/// Stems of the logical IDs the network and the budget use: a component may not take one.
const FIXED_STEMS: &[&str] = &[
    "FlowLogs",
    "InternetGateway",
    "MonthlyBudget",
    "Nat",
    "Vpc",
    "VpcCidr",
    "VpcId",
];

/// Resolves every reference of `doc`'s components.
pub fn resolve(doc: &Document) -> Result<Vec<Connection>, Vec<Diagnostic>> {
    let components = &doc.blueprint.components;
    let index: HashMap<&str, usize> = components
        .keys()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut problems = Vec::new();

    let mut stems: HashMap<String, &str> = HashMap::new();
    for name in components.keys() {
        let stem = pascal_case(name.as_str());
        let path = format!("components.{name}");
        if FIXED_STEMS.contains(&stem.as_str()) {
            problems.push(doc.error(
                &path,
                format!("the component name `{name}` would give IDs that the network or budget already use (`{stem}…`)"),
                "name the component something else",
            ));
        } else if let Some(other) = stems.insert(stem.clone(), name.as_str()) {
            problems.push(doc.error(
                &path,
                format!("components `{other}` and `{name}` would both be named `{stem}` in the generated code"),
                "rename one of them",
            ));
        }
    }

    let mut connections = Vec::new();
    for (from, (name, component)) in components.iter().enumerate() {
        for wanted in component.references(&format!("components.{name}")) {
            let Some(&to) = index.get(wanted.name.as_str()) else {
                let fitting: Vec<&str> = components
                    .iter()
                    .filter(|(_, c)| wanted.expect.contains(&c.kind()))
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = match did_you_mean(&wanted.name, fitting.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}` ({} {})?",
                        components[s].kind().article(),
                        components[s].kind()
                    ),
                    None => fits_help(wanted.expect, &fitting),
                };
                problems.push(doc.error(
                    &wanted.field,
                    format!("there is no component `{}`", wanted.name),
                    help,
                ));
                continue;
            };
            let kind = components[to].kind();
            if !wanted.expect.contains(&kind) {
                let fitting: Vec<&str> = components
                    .iter()
                    .filter(|(_, c)| wanted.expect.contains(&c.kind()))
                    .map(|(n, _)| n.as_str())
                    .collect();
                problems.push(doc.error(
                    &wanted.field,
                    format!(
                        "`{}` is {} {kind}; {} {}",
                        wanted.name,
                        kind.article(),
                        wanted.what,
                        expected(wanted.expect)
                    ),
                    allowed_help(component, kind, &fitting, wanted.expect, wanted.access),
                ));
                continue;
            }
            if let Some(part) = &wanted.part {
                let (parts, what) = components[to].parts(wanted.access);
                if !parts.contains(part) {
                    let help = match did_you_mean(part, parts.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{}.{s}`?", wanted.name),
                        None if parts.is_empty() => format!(
                            "`{}` has no {what}s; add one to it, or name a {what} outside the blueprint",
                            wanted.name
                        ),
                        None => format!(
                            "the {what}s of `{}`: {}",
                            wanted.name,
                            parts
                                .iter()
                                .map(|p| format!("`{}.{p}`", wanted.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    problems.push(doc.error(
                        &wanted.field,
                        format!("{} `{}` has no {what} `{part}`", kind, wanted.name),
                        help,
                    ));
                    continue;
                }
            }
            connections.push(Connection {
                from,
                to,
                access: wanted.access,
                field: wanted.field,
                part: wanted.part,
            });
        }
    }
    if problems.is_empty() {
        Ok(connections)
    } else {
        Err(problems)
    }
}

/// `a table`, `a table or a topic`.
fn expected(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| format!("{} {k}", k.article()))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn fits_help(kinds: &[Kind], fitting: &[&str]) -> String {
    if fitting.is_empty() {
        format!(
            "the blueprint has no {}; add one under `components:`",
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or ")
        )
    } else {
        format!(
            "{}s in this blueprint: {}",
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or "),
            crate::diagnostics::code_list(fitting)
        )
    }
}

/// For a reference of the wrong kind: what the referring kind can do with the kind named (from
/// the same table the IAM grants come from), then the components that would fit.
fn allowed_help(
    from: &Component,
    to: Kind,
    fitting: &[&str],
    kinds: &[Kind],
    asked: Access,
) -> String {
    let can: Vec<&str> = crate::iam::accesses(from.kind(), to)
        .into_iter()
        .filter(|a| a.is_use() && asked.is_use())
        .map(Access::as_str)
        .collect();
    let fits = fits_help(kinds, fitting);
    if can.is_empty() {
        fits
    } else {
        format!(
            "{} {} uses {} {to} with `{}`; {fits}",
            from.kind().article(),
            from.kind(),
            to.article(),
            can.join("` or `"),
        )
    }
}
