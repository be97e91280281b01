//! Loading a blueprint: from a file or the embedded catalog, through serde into the typed model,
//! then the checks that span several fields. Every failure is a [`Diagnostic`] with a location.

mod environments;
pub mod model;
pub mod partition;
pub mod region;
pub mod source;
mod tree;
pub mod types;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use model::{Blueprint, Budget, BudgetAlert, FlowLogs, Network, SubnetSize, Tier};
use source::SourceIndex;
use types::{
    Azs, HELP_SEPARATOR, Internet, MAX_BUDGET_ALERTS, MAX_BUDGET_EMAILS, MAX_BUDGET_SNS_TOPICS,
    Nat, PARSE_RULES, RULE_SEPARATOR, VALUE_SEPARATOR,
};

use crate::diagnostics::{Diagnostic, Location, did_you_mean};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The templates shipped inside the binary: path under `templates/` → text.
pub(crate) use embedded::TEMPLATES;

/// A file shipped verbatim inside the binary (a function's handler, the build step), by its
/// path under `templates/scaffold/`.
pub(crate) fn scaffold(path: &str) -> Option<&'static str> {
    embedded::SCAFFOLDS
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, text)| *text)
}

/// Where a blueprint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk, as the user named it.
    File(PathBuf),
    /// A blueprint of the embedded catalog.
    Catalog(String),
}

/// A blueprint's text and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    pub origin: Origin,
    pub text: String,
}

impl Source {
    /// How diagnostics name the blueprint: the path as given, or `catalog:<name>`.
    pub fn display_name(&self) -> String {
        match &self.origin {
            Origin::File(path) => path.display().to_string(),
            Origin::Catalog(name) => format!("catalog:{name}"),
        }
    }

    /// The file name that generated files cite: stable whichever directory the tool runs from.
    pub fn file_name(&self) -> String {
        match &self.origin {
            Origin::File(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Origin::Catalog(name) => format!("{name}.yaml"),
        }
    }
}

/// Why a blueprint could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    /// The file is there but is no blueprint: not a regular file, too large, not UTF-8.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    #[error("`{name}` is neither a file nor a blueprint of the catalog{}", suggestion(.closest))]
    Unknown {
        name: String,
        closest: Option<&'static str>,
    },
}

fn suggestion(closest: &Option<&'static str>) -> String {
    match closest {
        Some(c) => format!("; did you mean `{c}`?"),
        None => "; `cloudwright list` shows the catalog".to_string(),
    }
}

/// The embedded catalog: blueprint name → text, sorted by name.
pub fn catalog() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::CATALOG
        .iter()
        .map(|(file, text)| (file.trim_end_matches(".yaml"), *text))
}

/// Resolves what the user typed: an existing file wins, then a catalog name.
pub fn resolve(arg: &str) -> Result<Source, SourceError> {
    let path = Path::new(arg);
    match crate::input::read(path) {
        Ok(text) => {
            return Ok(Source {
                origin: Origin::File(path.to_path_buf()),
                text,
            });
        }
        Err(crate::input::Problem::NotFound) => {}
        Err(crate::input::Problem::Io(error)) => {
            return Err(SourceError::Read {
                path: arg.to_string(),
                error,
            });
        }
        Err(problem) => {
            let (message, help) = problem.describe("blueprint");
            let (line, column) = problem.position();
            return Err(SourceError::Invalid(Box::new(
                Diagnostic::error(
                    Location {
                        file: arg.to_string(),
                        line,
                        column,
                    },
                    message,
                )
                .with_help(help),
            )));
        }
    }
    if let Some((name, text)) = catalog().find(|(name, _)| *name == arg) {
        return Ok(Source {
            origin: Origin::Catalog(name.to_string()),
            text: text.to_string(),
        });
    }
    if path.extension().is_some() || arg.contains('/') {
        return Err(SourceError::Read {
            path: arg.to_string(),
            error: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    Err(SourceError::Unknown {
        name: arg.to_string(),
        closest: did_you_mean(arg, catalog().map(|(name, _)| name)),
    })
}

/// A loaded blueprint together with its source, for locating later diagnostics.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: Source,
    pub blueprint: Blueprint,
    index: SourceIndex,
    /// For an environment of `environments:`, its name and where its override stands.
    overlay: Option<environments::Overlay>,
}

impl Document {
    /// The location of the key at `path` (`network.tiers.public.size`).
    ///
    /// In an environment of `environments:`, a field its override gives is located there.
    pub fn locate(&self, path: &str) -> Location {
        let pos = match &self.overlay {
            Some(o) => self.index.key_over(&o.prefix, path),
            None => self.index.key(path),
        };
        Location {
            file: self.source.display_name(),
            line: pos.line,
            column: pos.column,
        }
    }

    /// Every scalar value of the blueprint with its field path (`tags.owner`), in document order.
    pub fn scalars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.index.scalars()
    }

    /// A located error about the field at `path`.
    pub fn error(
        &self,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::error(self.locate(path), message)
            .with_field(path)
            .with_help(help)
    }
}

/// Parses and checks a blueprint. Returns every problem found, each with its location.
pub fn load(source: Source) -> Result<Document, Vec<Diagnostic>> {
    let index = SourceIndex::build(&source.text);
    if !index.duplicates().is_empty() {
        return Err(index
            .duplicates()
            .iter()
            .map(|(path, first, again)| {
                let key = path.rsplit('.').next().unwrap_or(path);
                let mut d = Diagnostic::error(
                    Location {
                        file: source.display_name(),
                        line: again.line,
                        column: again.column,
                    },
                    format!(
                        "`{key}` is given twice in one mapping (first at line {}, column {})",
                        first.line, first.column
                    ),
                )
                .with_help("keep one: YAML readers would silently take the last");
                d.field = Some(path.clone());
                d
            })
            .collect());
    }
    let blueprint: Blueprint = match serde_yaml::from_str(&source.text) {
        Ok(b) => b,
        Err(err) => return Err(vec![serde_diagnostic(&source, &index, &err, None)]),
    };
    let doc = Document {
        source,
        blueprint,
        index,
        overlay: None,
    };
    let problems = check(&doc);
    if problems.is_empty() {
        Ok(doc)
    } else {
        Err(problems)
    }
}

/// The items that repeat an earlier one, with their positions: one pass with a hash set, so a
/// list of any length is checked in linear time.
fn repeats<T: std::hash::Hash + Eq>(
    items: impl Iterator<Item = T>,
) -> impl Iterator<Item = (usize, T)> {
    let mut seen = HashSet::new();
    items.enumerate().filter_map(move |(i, item)| {
        if seen.contains(&item) {
            Some((i, item))
        } else {
            seen.insert(item);
            None
        }
    })
}

/// Turns a serde_yaml error into a diagnostic: its location, the field path it names, the
/// problem, and a suggestion for misspelt keys and values.
///
/// With `overlay` (the path of an environment's override, `environments.staging`), `err` comes
/// from the merged text, whose positions stand nowhere in the file: the field path locates it,
/// at the override where it gives the field.
fn serde_diagnostic(
    source: &Source,
    index: &SourceIndex,
    err: &serde_yaml::Error,
    overlay: Option<&str>,
) -> Diagnostic {
    let text = err.to_string();
    // serde_yaml formats "<path>: <message> at line L column C"; drop the position suffix, which
    // the location carries.
    let text = match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    };
    let (mut field, rest) = match text.split_once(": ") {
        // A field path is made of keys (kebab, snake or tag keys) and list indexes; a message that
        // begins with text of the blueprint must not pass for one.
        Some((path, rest))
            if !path.is_empty()
                && path
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.[]:/=+@".contains(c)) =>
        {
            (Some(path.to_string()), rest.to_string())
        }
        _ => (None, text),
    };
    let (rest, value) = match rest.split_once(VALUE_SEPARATOR) {
        Some((r, v)) => (r.to_string(), Some(v.to_string())),
        None => (rest, None),
    };
    let (value, code) = match value.as_deref().and_then(|v| v.split_once(RULE_SEPARATOR)) {
        Some((v, rule)) => (
            Some(v.to_string()),
            PARSE_RULES.into_iter().find(|r| *r == rule),
        ),
        None => (value, None),
    };
    let (message, mut help) = match rest.split_once(HELP_SEPARATOR) {
        Some((m, h)) => (m.to_string(), Some(h.to_string())),
        None => (rest, None),
    };
    if help.is_none() {
        help = misspelling_help(&message)
            .or_else(|| missing_field_help(&message))
            .or_else(|| {
                message
                    .starts_with("duplicate field")
                    .then(|| "give each key once in a mapping".to_string())
            });
    }
    let (message, mut help) = match type_error(&message, field.is_none()) {
        Some((m, h)) => (m, help.or(Some(h))),
        None => (message, help),
    };
    // The YAML reader refuses a raw control character by its offset alone: say where and which.
    let control = message
        .strip_prefix("control characters are not allowed at position ")
        .and_then(|n| n.trim().parse::<usize>().ok())
        .map(|offset| {
            let before: String = source.text.chars().take(offset).collect();
            let c = source.text.chars().nth(offset).unwrap_or('\0');
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (source::Position { line, column }, c)
        });
    let message = match control {
        Some((_, c)) => format!("the control character U+{:04X} stands here raw", c as u32),
        None => message,
    };
    if let Some((_, c)) = control {
        help = Some(format!(
            "remove it; where one is meant, write it as the escape \\u{:04X} inside double quotes",
            c as u32
        ));
    }
    if help.is_none() && field.is_none() {
        help = Some("fix the YAML syntax here: check indentation, brackets and quotes".to_string());
    }
    let located = |path: &str| match overlay {
        Some(prefix) => index.key_over(prefix, path),
        None => index.key(path),
    };
    let mut position = match (control, err.location()) {
        (Some((pos, _)), _) => pos,
        (None, Some(loc)) if overlay.is_none() => source::Position {
            line: loc.line(),
            column: loc.column(),
        },
        (None, _) => located(field.as_deref().unwrap_or("")),
    };
    // serde_yaml places a bad value at its enclosing mapping: find the value itself (in the
    // override first), or the key that stands where serde_yaml pointed.
    let parent = field.clone().unwrap_or_default();
    let in_overlay = |v: &str| {
        let prefix = overlay?;
        let within = if parent.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{parent}")
        };
        let (path, pos) = index.child_with_text(&within, v)?;
        Some((path[prefix.len() + 1..].to_string(), pos))
    };
    let found = value
        .as_deref()
        .and_then(|v| in_overlay(v).or_else(|| index.child_with_text(&parent, v)));
    if let Some((path, pos)) = found {
        field = Some(path);
        position = pos;
    } else if let Some(prefix) = overlay {
        // An unknown key of the override: serde names it, and its mapping.
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(key, _)| key);
        if let Some(key) = key {
            let path = if parent.is_empty() {
                key.to_string()
            } else {
                format!("{parent}.{key}")
            };
            if index.has_key(&format!("{prefix}.{path}")) {
                position = index.key_over(prefix, &path);
                field = Some(path);
            }
        }
    } else if let Some(path) = index
        .key_at(position)
        .filter(|_| message.starts_with("unknown field"))
    {
        field = Some(path.to_string());
    }
    // The YAML reader may place the end of the stream a line past the last one.
    position.line = position.line.min(source.text.lines().count() + 1);
    let mut diag = Diagnostic::error(
        Location {
            file: source.display_name(),
            line: position.line,
            column: position.column,
        },
        message,
    );
    diag.field = field;
    diag.help = help;
    diag.code = code;
    diag
}

/// For serde's "missing field `x`", what to add.
fn missing_field_help(message: &str) -> Option<String> {
    let name = message.strip_prefix("missing field `")?.strip_suffix('`')?;
    Some(format!(
        "add `{name}:`; the README describes every field of the blueprint format"
    ))
}

/// serde's "invalid type: string \"…\", expected u32" in the blueprint's words: what was found
/// (the text only as far as its first line and 40 characters, and not at all for a whole file,
/// which may be any file a symbolic link points at), what is expected without Rust's type names,
/// and a help line. `None` for other messages.
fn type_error(message: &str, whole_document: bool) -> Option<(String, String)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let expected = match expected {
        e if e.starts_with("struct Blueprint") => {
            "a blueprint: a mapping of `name`, `description`, `environment`, `region`, `network` and more"
                .to_string()
        }
        e if e.starts_with("struct ") || e == "map" || e == "a map" => "a mapping of keys to values".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        "a boolean" | "bool" => "`true` or `false`".to_string(),
        "a string" | "string" => "text".to_string(),
        e => e.to_string(),
    };
    let found = match found.split_once(' ') {
        Some(("string", text)) if !whole_document => {
            let text = text.trim_matches('"');
            let first: String = text.lines().next().unwrap_or("").chars().take(40).collect();
            let cut = if first.chars().count() < text.chars().count() {
                "…"
            } else {
                ""
            };
            format!("the text `{first}{cut}`")
        }
        Some(("string", _)) => "text".to_string(),
        _ => match found {
            "sequence" => "a list".to_string(),
            "map" => "a mapping".to_string(),
            other => other.to_string(),
        },
    };
    let help = if whole_document {
        "a blueprint is a YAML mapping that starts with `name:`; is this the right file?"
            .to_string()
    } else {
        format!("give {expected}")
    };
    Some((format!("expected {expected}, found {found}"), help))
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" and "unknown variant" messages, a
/// "did you mean" pointing at the closest valid spelling.
fn misspelling_help(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (given, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match did_you_mean(given, candidates.iter().copied()) {
        Some(c) => Some(format!("did you mean `{c}`?")),
        None if !candidates.is_empty() => Some(format!(
            "expected one of {}",
            crate::diagnostics::code_list(&candidates)
        )),
        None => None,
    }
}

/// The checks that look at more than one field.
fn check(doc: &Document) -> Vec<Diagnostic> {
    let bp = &doc.blueprint;
    let mut problems = Vec::new();
    let own = bp.environment.as_str();
    if bp.environments.keys().any(|k| k.as_str() == own) {
        problems.push(doc.error(
            &format!("environments.{own}"),
            format!("`{own}` is the top level's own environment (`environment: {own}`)"),
            "change its settings at the top level, and list only the other environments here",
        ));
    }
    if bp.tags.len() > types::MAX_BLUEPRINT_TAGS {
        let extra = bp
            .tags
            .get_index(types::MAX_BLUEPRINT_TAGS)
            .map_or("", |(k, _)| k.as_str());
        problems.push(doc.error(
            &format!("tags.{extra}"),
            format!(
                "the blueprint gives {} tags; AWS allows 50 on a resource, and cloudwright adds `Name` and `{}`",
                bp.tags.len(),
                crate::naming::BLUEPRINT_TAG
            ),
            format!("keep at most {} tags", types::MAX_BLUEPRINT_TAGS),
        ));
    }
    let lowered: Vec<String> = bp.tags.keys().map(|k| k.as_str().to_lowercase()).collect();
    for (i, _) in repeats(lowered.iter()) {
        let key = bp.tags.get_index(i).map_or("", |(k, _)| k.as_str());
        problems.push(doc.error(
            &format!("tags.{key}"),
            format!("the tag key `{key}` differs from an earlier one only in case"),
            "keep one of them: several AWS services treat tag keys without regard to case",
        ));
    }

    if bp
        .tags
        .keys()
        .any(|k| k.as_str() == crate::naming::BLUEPRINT_TAG)
    {
        problems.push(doc.error(
            &format!("tags.{}", crate::naming::BLUEPRINT_TAG),
            format!(
                "the tag `{}` is cloudwright's own: it puts it on every resource, valued with the blueprint's name",
                crate::naming::BLUEPRINT_TAG
            ),
            "remove it; the budget of a blueprint counts what carries it",
        ));
    }

    if bp.network.is_none() && bp.budget.is_none() && bp.components.is_empty() {
        problems.push(doc.error(
            "name",
            "the blueprint describes nothing to generate: it has no `network`, `budget` or `components`",
            "add a `network:` (a VPC and its tiers), a `budget:` or `components:`",
        ));
    }
    for (name, c) in &bp.components {
        problems.extend(c.check(&format!("components.{name}"), doc));
    }
    if let Some(net) = &bp.network {
        check_network(doc, net, &mut problems);
    }
    if let Some(budget) = &bp.budget {
        check_budget(doc, budget, &mut problems);
    }
    problems
}

/// The network's checks: tiers, zones, NAT, public IPs, reserved ranges and endpoints.
fn check_network(doc: &Document, net: &Network, problems: &mut Vec<Diagnostic>) {
    let bp = &doc.blueprint;
    if net.tiers.is_empty() {
        problems.push(doc.error(
            "network.tiers",
            "the network has no tiers",
            "add at least one, for example `public: { size: /24, internet: inbound }`",
        ));
    }

    let mut ids: HashMap<String, &str> = HashMap::new();
    for name in net.tiers.keys() {
        let id = crate::naming::pascal_case(name.as_str());
        if let Some(other) = ids.insert(id.clone(), name.as_str()) {
            problems.push(doc.error(
                &format!("network.tiers.{name}"),
                format!(
                    "tiers `{other}` and `{name}` would both be named `{id}` in the generated code"
                ),
                "rename one of them",
            ));
        }
    }

    if let Some(ie) = &net.interface_endpoints {
        if !net.tiers.contains_key(&ie.tier) {
            let names: Vec<&str> = net.tiers.keys().map(|t| t.as_str()).collect();
            let help = match did_you_mean(ie.tier.as_str(), names.iter().copied()) {
                Some(t) => format!("did you mean `{t}`?"),
                None => format!("name one of the tiers: {}", names.join(", ")),
            };
            problems.push(doc.error(
                "network.interface_endpoints.tier",
                format!("there is no tier `{}`", ie.tier),
                help,
            ));
        }
        if ie.services.is_empty() {
            problems.push(doc.error(
                "network.interface_endpoints.services",
                "no service is listed",
                "list the services to reach privately, for example `services: [ecr.api, ecr.dkr, logs]`, or remove `interface_endpoints`",
            ));
        }
        for (i, svc) in repeats(ie.services.iter()) {
            {
                problems.push(doc.error(
                    &format!("network.interface_endpoints.services[{i}]"),
                    format!("`{}` is listed twice", svc.service()),
                    "list each service once",
                ));
            }
        }
    }

    match &net.azs {
        Azs::Count(_) => {}
        Azs::Names(names) => {
            let region = bp.region.name();
            let repeated_names: HashSet<usize> = repeats(names.iter()).map(|(i, _)| i).collect();
            for (i, az) in names.iter().enumerate() {
                let path = format!("network.azs[{i}]");
                let letter = az.strip_prefix(region).unwrap_or("");
                let well_formed =
                    letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase());
                if !well_formed {
                    problems.push(doc.error(
                        &path,
                        format!("`{az}` is not an Availability Zone of {region}"),
                        format!("name zones of the blueprint's region, such as `{region}a`, or give a count: `azs: 3`"),
                    ));
                } else if repeated_names.contains(&i) {
                    problems.push(doc.error(
                        &path,
                        format!("`{az}` is listed twice"),
                        "list each zone once",
                    ));
                }
            }
        }
        Azs::Ids(ids) => {
            let info = bp.region.info();
            let repeated_ids: HashSet<usize> = repeats(ids.iter()).map(|(i, _)| i).collect();
            for (i, id) in ids.iter().enumerate() {
                let path = format!("network.azs[{i}]");
                let prefix = id.split_once("-az").map_or("", |(p, _)| p);
                if prefix != info.id_prefix {
                    problems.push(doc.error(
                        &path,
                        format!(
                            "`{id}` is not an AZ ID of {}: its AZ IDs start with `{}-az`",
                            info.name, info.id_prefix
                        ),
                        format!(
                            "use AZ IDs of the blueprint's region, such as `{}-az1`, or zone names such as `{}a`",
                            info.id_prefix, info.name
                        ),
                    ));
                } else if repeated_ids.contains(&i) {
                    problems.push(doc.error(
                        &path,
                        format!("`{id}` is listed twice"),
                        "list each zone once",
                    ));
                }
            }
        }
    }

    for (name, tier) in &net.tiers {
        let Some(old) = &tier.renamed_from else {
            continue;
        };
        let path = format!("network.tiers.{name}.renamed_from");
        if old == name {
            problems.push(doc.error(
                &path,
                format!("tier `{name}` is renamed from itself"),
                "remove `renamed_from`, or name the tier's former name",
            ));
        } else if net.tiers.contains_key(old) {
            problems.push(doc.error(
                &path,
                format!("tier `{name}` is renamed from `{old}`, but tier `{old}` is still in the blueprint"),
                format!("remove tier `{old}` to rename it, or remove `renamed_from` to keep both tiers"),
            ));
        } else if let Some(first) = net
            .tiers
            .iter()
            .take_while(|(n, _)| *n != name)
            .find(|(_, t)| t.renamed_from.as_ref() == Some(old))
            .map(|(n, _)| n)
        {
            problems.push(doc.error(
                &path,
                format!("tiers `{first}` and `{name}` are both renamed from `{old}`"),
                format!("only one tier can take over the subnets of `{old}`: remove `renamed_from` from the other, which is then a new tier"),
            ));
        }
    }

    let has_inbound = net.tiers.values().any(|t| t.internet == Internet::Inbound);
    let has_outbound = net.tiers.values().any(|t| t.internet == Internet::Outbound);
    if has_outbound && net.nat != Nat::None && !has_inbound {
        problems.push(doc.error(
            "network.nat",
            "NAT gateways need a public tier to stand in, and no tier has `internet: inbound`",
            "add a tier with `internet: inbound` (a /28 is enough), or set `nat: none`",
        ));
    }

    for (name, tier) in &net.tiers {
        if tier.public_ips && tier.internet != Internet::Inbound {
            problems.push(doc.error(
                &format!("network.tiers.{name}.public_ips"),
                format!("tier `{name}` hands out public IPs but has no route from the internet"),
                "remove `public_ips`, or set `internet: inbound`",
            ));
        }
    }

    let vpc = net.cidr.range();
    let within = match net.cidr {
        types::VpcAddress::Given(_) => "the VPC",
        types::VpcAddress::Pool(_) => "the supernet the VPC is allocated from,",
    };
    for (i, reserved) in net.reserved.iter().enumerate() {
        if !vpc.contains(&reserved.0) && !reserved.0.contains(&vpc) {
            problems.push(doc.error(
                &format!("network.reserved[{i}]"),
                format!("reserved range {} lies outside {within} {vpc}", reserved.0),
                "list only ranges inside the VPC; ranges outside it are never allocated anyway",
            ));
        }
    }

    for (i, endpoint) in repeats(net.endpoints.iter()) {
        {
            problems.push(doc.error(
                &format!("network.endpoints[{i}]"),
                format!("endpoint `{}` is listed twice", endpoint.service()),
                "list each endpoint once",
            ));
        }
    }
}

/// The budget's checks: alerts that AWS Budgets accepts, and someone to tell.
fn check_budget(doc: &Document, budget: &Budget, problems: &mut Vec<Diagnostic>) {
    // AWS China bills in yuan; the other partitions in US dollars.
    let china = doc.blueprint.region.info().partition == &partition::AWS_CN;
    match (budget.monthly_usd, budget.monthly_cny, china) {
        (Some(_), None, false) | (None, Some(_), true) => {}
        (None, None, _) => problems.push(doc.error(
            "budget",
            "the budget has no limit",
            if china {
                "add `monthly_cny: 10000`: AWS China bills in yuan"
            } else {
                "add `monthly_usd: 2000`, the most the account may spend in a month"
            },
        )),
        (Some(_), Some(_), _) => problems.push(doc.error(
            "budget.monthly_cny",
            "the budget gives both `monthly_usd` and `monthly_cny`",
            if china {
                "keep `monthly_cny`: AWS China bills in yuan"
            } else {
                "keep `monthly_usd`: only AWS China bills in yuan"
            },
        )),
        (Some(_), None, true) => problems.push(doc.error(
            "budget.monthly_usd",
            format!(
                "{} bills in Chinese yuan, not US dollars",
                doc.blueprint.region.name()
            ),
            "give the limit as `monthly_cny:`",
        )),
        (None, Some(_), false) => problems.push(doc.error(
            "budget.monthly_cny",
            format!(
                "only AWS China bills in yuan; {} bills in US dollars",
                doc.blueprint.region.name()
            ),
            "give the limit as `monthly_usd:`",
        )),
    }
    if budget.alerts.is_empty() {
        problems.push(doc.error(
            "budget.alerts",
            "the budget has no alerts",
            "add at least one, for example `- { percent: 80, of: actual }`",
        ));
    }
    if budget.alerts.len() > MAX_BUDGET_ALERTS {
        problems.push(doc.error(
            &format!("budget.alerts[{MAX_BUDGET_ALERTS}]"),
            format!(
                "the budget has {} alerts; AWS Budgets allows at most {MAX_BUDGET_ALERTS} on one budget",
                budget.alerts.len()
            ),
            "keep the thresholds that call for action, for example 80% and 100% of actual and 100% of forecasted spend",
        ));
    }
    for (i, alert) in budget.alerts.iter().enumerate() {
        if budget.alerts[..i]
            .iter()
            .any(|a| a.percent == alert.percent && a.of == alert.of)
        {
            problems.push(doc.error(
                &format!("budget.alerts[{i}]"),
                format!(
                    "the alert at {}% of {} spend is listed twice",
                    alert.percent.0,
                    alert.of.as_str()
                ),
                "list each threshold once",
            ));
        }
    }

    if budget.emails.is_empty() && budget.sns_topics.is_empty() {
        problems.push(doc.error(
            "budget",
            "the budget alerts nobody: it has neither `emails` nor `sns_topics`",
            "add `emails: [team@example.com]`, `sns_topics: [arn:aws:sns:<region>:<account id>:<topic>]`, or both",
        ));
    }
    if budget.emails.len() > MAX_BUDGET_EMAILS {
        problems.push(doc.error(
            &format!("budget.emails[{MAX_BUDGET_EMAILS}]"),
            format!(
                "the budget emails {} addresses; AWS Budgets sends each alert to at most {MAX_BUDGET_EMAILS}",
                budget.emails.len()
            ),
            "send to a mailing list, or to an SNS topic that people subscribe to",
        ));
    }
    let lowered: Vec<String> = budget
        .emails
        .iter()
        .map(|e| e.as_str().to_lowercase())
        .collect();
    for (i, _) in repeats(lowered.iter()) {
        let email = &budget.emails[i];
        {
            problems.push(doc.error(
                &format!("budget.emails[{i}]"),
                format!("`{email}` is listed twice"),
                "list each address once",
            ));
        }
    }
    if budget.sns_topics.len() > MAX_BUDGET_SNS_TOPICS {
        problems.push(doc.error(
            &format!("budget.sns_topics[{MAX_BUDGET_SNS_TOPICS}]"),
            format!(
                "the budget names {} SNS topics; AWS Budgets publishes each alert to at most {MAX_BUDGET_SNS_TOPICS}",
                budget.sns_topics.len()
            ),
            "publish to one topic and subscribe every other endpoint to it",
        ));
    }
    // A GovCloud account's budget lives in its linked commercial account, and so must its topic.
    let region = doc.blueprint.region.info();
    let (partition, place) = match region.partition.budgets {
        partition::BudgetHome::SameAccount => (
            region.partition.name,
            format!("deploys to {} in `{}`", region.name, region.partition.name),
        ),
        partition::BudgetHome::LinkedCommercialAccount => (
            partition::AWS.name,
            format!(
                "keeps its budget in the commercial account {} is linked to, in `{}`",
                region.name,
                partition::AWS.name
            ),
        ),
    };
    for (i, topic) in budget.sns_topics.iter().enumerate() {
        if topic.partition() != partition {
            problems.push(doc.error(
                &format!("budget.sns_topics[{i}]"),
                format!(
                    "the SNS topic `{topic}` is in partition `{}`, but the blueprint {place}",
                    topic.partition(),
                ),
                format!(
                    "name a topic in partition `{partition}`, in the account the budget belongs to"
                ),
            ));
        }
    }
}
