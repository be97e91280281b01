//! A YAML document as a tree that keeps every scalar as written: its text, and whether it was
//! plain. An environment's blueprint is merged on this tree and written back as YAML text for
//! serde, so that a plain `0x1F`, `1.10` or `1e3` reads exactly as it does at the top level (a
//! `serde_yaml::Value` would have made numbers of them, and written back `31`, `1.1`, `1000.0`).

use yaml_rust2::parser::{Event, EventReceiver, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// A node of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A scalar: its text as YAML resolved it (escapes, folding), whether it was plain (and so
    /// still to be typed by the reader), and its tag as written (`!!str`).
    Scalar {
        text: String,
        plain: bool,
        tag: Option<String>,
    },
    Seq(Vec<Node>),
    /// Keys in order; a key is a scalar's text (complex keys are no blueprint's).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Whether this is a null: a plain `~`, `null` (any case YAML allows) or nothing at all.
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, plain: true, tag: None }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A quoted string scalar: cloudwright's own values, such as defaults, read as text.
    pub fn text(value: &str) -> Node {
        Node::Scalar {
            text: value.to_string(),
            plain: false,
            tag: None,
        }
    }

    /// The value of `key`, in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Removes `key` from a mapping, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let Node::Map(entries) = self else {
            return None;
        };
        let at = entries.iter().position(|(k, _)| k == key)?;
        Some(entries.remove(at).1)
    }

    /// Sets `key` in a mapping, in place if it is there, else last.
    pub fn insert(&mut self, key: &str, value: Node) {
        let Node::Map(entries) = self else {
            return;
        };
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => entries.push((key.to_string(), value)),
        }
    }

    /// Merges `changes` in: a mapping into a mapping key by key, a null removing the key, anything
    /// else in its place.
    pub fn merge(&mut self, changes: Node) {
        match (self, changes) {
            (Node::Map(base), Node::Map(changes)) => {
                for (key, value) in changes {
                    let at = base.iter().position(|(k, _)| *k == key);
                    match (at, value) {
                        (Some(at), value) if value.is_null() => {
                            base.remove(at);
                        }
                        (None, value) if value.is_null() => {}
                        (Some(at), value @ Node::Map(_)) if matches!(base[at].1, Node::Map(_)) => {
                            base[at].1.merge(value);
                        }
                        (Some(at), value) => base[at].1 = value,
                        (None, value) => base.push((key, value)),
                    }
                }
            }
            (base, changes) => *base = changes,
        }
    }

    /// The document as block-style YAML that reads as the original did.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Node::Scalar { .. } => {
                out.push_str(&self.scalar());
                out.push('\n');
            }
            _ => self.write(0, &mut out),
        }
        out
    }

    /// Writes a mapping or sequence at `indent`, one entry a line.
    fn write(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        let child = |lead: String, value: &Node, out: &mut String| {
            out.push_str(&lead);
            match value {
                Node::Scalar { .. } => {
                    let scalar = value.scalar();
                    if !scalar.is_empty() {
                        out.push(' ');
                        out.push_str(&scalar);
                    }
                    out.push('\n');
                }
                Node::Map(m) if m.is_empty() => out.push_str(" {}\n"),
                Node::Seq(s) if s.is_empty() => out.push_str(" []\n"),
                _ => {
                    out.push('\n');
                    value.write(indent + 2, out);
                }
            }
        };
        match self {
            Node::Map(entries) => {
                for (key, value) in entries {
                    child(format!("{pad}{}:", quoted(key)), value, out);
                }
            }
            Node::Seq(items) => {
                for item in items {
                    child(format!("{pad}-"), item, out);
                }
            }
            Node::Scalar { .. } => {}
        }
    }

    /// A scalar as written: its tag, then its text plain as it was, or double-quoted.
    fn scalar(&self) -> String {
        let Node::Scalar { text, plain, tag } = self else {
            return String::new();
        };
        let body = if *plain { text.clone() } else { quoted(text) };
        match tag {
            Some(tag) if body.is_empty() => tag.clone(),
            Some(tag) => format!("{tag} {body}"),
            None => body,
        }
    }
}

/// `text` as a YAML double-quoted scalar: `\` and `"` escaped, and every control, line or
/// paragraph separator, byte-order mark and noncharacter as its escape.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads `text` into a tree: `None` when it is not YAML, or holds a complex key or an alias to
/// no anchor (the loader has refused such a blueprint before any environment is merged).
pub(crate) fn parse(text: &str) -> Option<Node> {
    let mut builder = Builder::default();
    Parser::new_from_str(text).load(&mut builder, false).ok()?;
    if builder.broken {
        return None;
    }
    builder.root
}

enum Open {
    Map {
        anchor: usize,
        entries: Vec<(String, Node)>,
        key: Option<String>,
    },
    Seq {
        anchor: usize,
        items: Vec<Node>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    broken: bool,
}

impl Builder {
    /// Places a finished node: as a key or a value of the mapping open, an item of the sequence
    /// open, or the document itself.
    fn place(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => match node {
                    Node::Scalar { text, .. } => *key = Some(text),
                    _ => self.broken = true,
                },
            },
        }
    }
}

fn tag_text(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix))
}

impl EventReceiver for Builder {
    fn on_event(&mut self, event: Event) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == TScalarStyle::Plain;
                let node = Node::Scalar {
                    text,
                    plain,
                    tag: tag_text(tag),
                };
                self.place(node, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.place(node, 0),
                None => self.broken = true,
            },
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map {
                anchor,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq {
                anchor,
                items: Vec::new(),
            }),
            Event::MappingEnd | Event::SequenceEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Map {
                        anchor, entries, ..
                    }) => (Node::Map(entries), anchor),
                    Some(Open::Seq { anchor, items }) => (Node::Seq(items), anchor),
                    None => return,
                };
                self.place(node, anchor);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_read_back_as_written() {
        let text = "a: 0x1F\nb: '0x1F'\nc: 1.10\nd: \"x\\ty\"\ne: [1e3, ~, yes]\nf: |\n  two\n  lines\ng:\nh: { i: &x { j: k }, l: *x }\n";
        let tree = parse(text).unwrap();
        let again: serde_yaml::Value = serde_yaml::from_str(&tree.to_yaml()).unwrap();
        let want: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        assert_eq!(again, want);
        // Plain scalars stay plain, so a string field still reads `0x1F`, not 31.
        let strings: std::collections::BTreeMap<String, serde_yaml::Value> =
            serde_yaml::from_str(&tree.to_yaml()).unwrap();
        assert_eq!(strings["a"], serde_yaml::Value::Number(31.into()));
        #[derive(serde::Deserialize)]
        struct Texts {
            a: String,
            c: String,
        }
        let texts: Texts = serde_yaml::from_str(&tree.to_yaml()).unwrap();
        assert_eq!((texts.a.as_str(), texts.c.as_str()), ("0x1F", "1.10"));
    }

    #[test]
    fn mappings_merge_null_removes_and_the_rest_replaces() {
        let mut base = parse("a: { b: 1, c: [1, 2] }\nd: x\ne: { f: 1 }").unwrap();
        let changes = parse("a: { c: [3] }\nd: { g: 1 }\ne: null\nh: ~").unwrap();
        base.merge(changes);
        assert_eq!(base, parse("a: { b: 1, c: [3] }\nd: { g: 1 }").unwrap());
    }

    #[test]
    fn text_with_every_kind_of_character_is_quoted_back() {
        let hostile = "a \"b\" \\ c\n\td\u{7}\u{2028}é${x}#: -";
        let tree = Node::Map(vec![("k: #".to_string(), Node::text(hostile))]);
        let back: std::collections::BTreeMap<String, String> =
            serde_yaml::from_str(&tree.to_yaml()).unwrap();
        assert_eq!(back["k: #"], hostile);
    }
}
