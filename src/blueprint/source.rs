//! Where each field of a blueprint stands in its text.
//!
//! serde_yaml reports a location only for syntax and type errors. Checks that look at more than
//! one field (and the planner) still need to say `blueprint.yaml:14:9`, so a second pass over the
//! same text records, for every field path (`network.tiers.public.size`, `network.reserved[1]`),
//! the line and column of its key and of its value.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Field path → position of its key (or of the item, in a list) and of its value.
#[derive(Debug, Default, Clone)]
pub struct SourceIndex {
    keys: HashMap<String, Position>,
    values: HashMap<String, Position>,
    /// Every scalar value, in document order: its path, text and position.
    scalars: Vec<(String, String, Position)>,
    /// Keys given twice in one mapping: the path, where it first stood, where it stands again.
    duplicates: Vec<(String, Position, Position)>,
    /// The paths whose value is an alias (`*small`): what lies under them is not indexed.
    aliases: std::collections::HashSet<String>,
}

impl SourceIndex {
    /// Indexes `text`. Text that is not valid YAML yields an empty index: serde_yaml reports the
    /// syntax error with its own location before the index is ever consulted.
    pub fn build(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return SourceIndex::default();
        }
        builder.index
    }

    /// Where the key of `path` stands; falls back to the nearest enclosing field that is present
    /// (a missing `network.nat` is reported at `network`), then to the start of the file.
    pub fn key(&self, path: &str) -> Position {
        self.lookup(path, &self.keys)
    }

    /// Whether the key of `path` stands in the text.
    pub fn has_key(&self, path: &str) -> bool {
        self.keys.contains_key(path)
    }

    /// Where the key of `path` stands in a document with the override at `overlay`
    /// (`environments.staging`) merged in: in the override, where it gives the field or the
    /// nearest enclosing one, unless the top level holds a nearer one.
    pub fn key_over(&self, overlay: &str, path: &str) -> Position {
        let nearest = |within: Option<&str>| {
            let mut current = path;
            loop {
                let full = match within {
                    Some(prefix) if current.is_empty() => prefix.to_string(),
                    Some(prefix) if current.starts_with('[') => format!("{prefix}{current}"),
                    Some(prefix) => format!("{prefix}.{current}"),
                    None => current.to_string(),
                };
                if let Some(pos) = self.keys.get(&full) {
                    return Some((current.len(), *pos, self.aliases.contains(&full)));
                }
                current = &current[..current.rfind(['.', '['])?];
            }
        };
        // An alias in the override brings in all that lies under it, unindexed: the alias is
        // where it is given.
        match (nearest(Some(overlay)), nearest(None)) {
            (Some((over, pos, alias)), Some((top, ..))) if over >= top || alias => pos,
            (Some((_, pos, _)), None) => pos,
            (_, Some((_, pos, _))) => pos,
            (None, None) => self.key(overlay),
        }
    }

    /// Where the value of `path` starts, with the same fallbacks as [`SourceIndex::key`].
    pub fn value(&self, path: &str) -> Position {
        self.lookup(path, &self.values)
    }

    /// Keys given twice in one mapping, in document order: the field path, where the key first
    /// stood and where it stands again. YAML parsers keep the last silently; cloudwright refuses.
    pub fn duplicates(&self) -> &[(String, Position, Position)] {
        &self.duplicates
    }

    /// Every scalar value in document order, with its field path.
    pub fn scalars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.scalars
            .iter()
            .map(|(path, text, _)| (path.as_str(), text.as_str()))
    }

    /// The path of the key that stands exactly at `pos`, if any.
    pub fn key_at(&self, pos: Position) -> Option<&str> {
        self.keys
            .iter()
            .filter(|(_, p)| **p == pos)
            .map(|(k, _)| k.as_str())
            .min_by_key(|k| k.len())
    }

    /// The first field directly under `parent` whose key or scalar value is `text`: where a
    /// value that failed to deserialize stands, when serde only knows the enclosing mapping.
    pub fn child_with_text(&self, parent: &str, text: &str) -> Option<(String, Position)> {
        let is_child = |path: &str| {
            let rest = if parent.is_empty() {
                path
            } else {
                match path.strip_prefix(parent) {
                    Some(r) => r.strip_prefix('.').unwrap_or(r),
                    None => return false,
                }
            };
            // `cidr`, `reserved[1]` or `[1]`: one step down, into a list item at most.
            !rest.is_empty() && !rest.contains('.')
        };
        let value = self
            .scalars
            .iter()
            .find(|(path, t, _)| super::types::inert(t) == text && is_child(path))
            .map(|(path, _, pos)| (path.clone(), *pos));
        value.or_else(|| {
            let key = if parent.is_empty() {
                text.to_string()
            } else {
                format!("{parent}.{text}")
            };
            self.keys.get(&key).map(|pos| (key, *pos))
        })
    }

    fn lookup(&self, path: &str, map: &HashMap<String, Position>) -> Position {
        let mut current = path;
        loop {
            if let Some(pos) = map.get(current).or_else(|| self.keys.get(current)) {
                return *pos;
            }
            match current.rfind(['.', '[']) {
                Some(cut) => current = &current[..cut],
                None => return Position { line: 1, column: 1 },
            }
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct Builder {
    index: SourceIndex,
    stack: Vec<Frame>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder {
    /// The path of the node that starts now, if it is a value (not a mapping key). A mapping key
    /// is recorded and `None` returned.
    fn enter(&mut self, scalar_key: Option<&str>, pos: Position) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let child = format!("{path}[{next}]");
                *next += 1;
                self.index.keys.insert(child.clone(), pos);
                Some(child)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join(path, &k)),
                None => {
                    // A key: only scalar keys have a path; complex keys are recorded as "?".
                    let name = scalar_key.unwrap_or("?").to_string();
                    let full = join(path, &name);
                    // Inside a repeated key, every key repeats too: report the outermost only.
                    let inside_repeat = |dups: &[(String, Position, Position)]| {
                        dups.iter().any(|(d, _, _)| {
                            full.strip_prefix(d.as_str())
                                .is_some_and(|rest| rest.starts_with(['.', '[']))
                        })
                    };
                    if let Some(first) = self.index.keys.insert(full.clone(), pos)
                        && scalar_key.is_some()
                        && !inside_repeat(&self.index.duplicates)
                    {
                        self.index.duplicates.push((full, first, pos));
                    }
                    *key = Some(name);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let pos = Position {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match event {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.enter(Some(&value), pos) {
                    self.index.values.insert(path.clone(), pos);
                    self.index.scalars.push((path, value, pos));
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.enter(None, pos) {
                    self.index.values.insert(path.clone(), pos);
                    self.index.aliases.insert(path);
                }
            }
            Event::MappingStart(..) => {
                let path = self.enter(None, pos).unwrap_or_else(|| "?".to_string());
                self.index.values.insert(path.clone(), pos);
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.enter(None, pos).unwrap_or_else(|| "?".to_string());
                self.index.values.insert(path.clone(), pos);
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_keys_values_and_list_items() {
        let text = "name: x\nnetwork:\n  cidr: 10.0.0.0/16\n  reserved:\n    - 10.0.240.0/20\n  tiers:\n    public: { size: /24 }\n";
        let index = SourceIndex::build(text);
        assert_eq!(index.key("network.cidr"), Position { line: 3, column: 3 });
        assert_eq!(index.value("network.cidr"), Position { line: 3, column: 9 });
        assert_eq!(
            index.key("network.reserved[0]"),
            Position { line: 5, column: 7 }
        );
        assert_eq!(
            index.key("network.tiers.public.size"),
            Position {
                line: 7,
                column: 15
            }
        );
        assert_eq!(index.key("network.nat"), Position { line: 2, column: 1 });
        assert_eq!(index.key("nowhere"), Position { line: 1, column: 1 });
        assert_eq!(
            index.key_at(Position { line: 3, column: 3 }),
            Some("network.cidr")
        );
        assert_eq!(
            index.child_with_text("network", "10.0.0.0/16"),
            Some(("network.cidr".to_string(), Position { line: 3, column: 9 }))
        );
        assert_eq!(
            index.child_with_text("network.tiers", "public"),
            Some((
                "network.tiers.public".to_string(),
                Position { line: 7, column: 5 }
            ))
        );
        assert_eq!(index.child_with_text("", "10.0.0.0/16"), None);
    }
}
