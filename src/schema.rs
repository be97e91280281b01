//! The blueprint's JSON Schema, generated from the Rust types the loader deserializes (schemars
//! reads their serde attributes and doc comments), so it cannot drift from what is accepted.
//!
//! The schema is for editors and CI: completion, hover documentation, and early red squiggles.
//! It states what JSON Schema can (types, enums, ranges, lengths, required and unknown keys, one
//! branch per component kind) and is never stricter than the loader (but for one thing: an
//! optional field is left out, not written as `null`), which has the last word on everything
//! else (references between components, the address plan, the guardrails).

use schemars::generate::SchemaSettings;

/// Implements [`schemars::JsonSchema`] for a type the loader reads with a hand-written
/// `Deserialize`: as the literal schema `$json` (a `json!` object: expressions may stand in it),
/// or as what `|generator| expression` builds from the schemas of the types it reads through.
#[macro_export]
macro_rules! schema_as {
    ($ty:ty, |$generator:ident| $schema:expr) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema($generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
    ($ty:ty, $json:tt) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($json)
            }
        }
    };
}

/// `inner`'s schema with `key` set to `value` (`oneOf` of the one-key-of-several shapes).
pub fn extended(
    mut inner: schemars::Schema,
    key: &str,
    value: serde_json::Value,
) -> schemars::Schema {
    inner.insert(key.into(), value);
    inner
}

/// Where the schema says it lives: the copy committed beside the catalog.
pub const ID: &str = "cloudwright.schema.json";

/// The JSON Schema (draft 2020-12) of a blueprint, as pretty-printed JSON with a final newline:
/// the bytes `cloudwright schema` prints and `blueprints/cloudwright.schema.json` holds.
pub fn blueprint() -> String {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<crate::blueprint::Blueprint>();
    schema.insert("$id".into(), ID.into());
    schema.insert("title".into(), "cloudwright blueprint (format v1)".into());
    let mut value = schema.to_value();
    tidy(&mut value);
    // An environment's override holds top-level fields, each partial: the names are the ones
    // the blueprint has (but `environments`), so an editor completes them and flags a typo.
    let keys: Vec<serde_json::Value> = value["properties"]
        .as_object()
        .map(|p| {
            p.keys()
                .filter(|k| *k != "environments")
                .map(|k| k.as_str().into())
                .collect()
        })
        .unwrap_or_default();
    if let Some(serde_json::Value::Object(over)) = value.pointer_mut("/$defs/Override") {
        over.insert("propertyNames".into(), serde_json::json!({ "enum": keys }));
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Rewrites every `description` from rustdoc to plain text (lines of a paragraph joined,
/// paragraphs kept, intra-doc links (`` [`Name`] ``) shown as code), and drops the `null` that
/// schemars allows for every `Option`: an optional field is left out, not written `null`, and
/// without the `null` branch an editor points at the wrong value inside the field instead of
/// saying only that it is "not valid under anyOf".
fn tidy(value: &mut serde_json::Value) {
    let null = serde_json::json!({ "type": "null" });
    match value {
        serde_json::Value::Object(map) => {
            let nullable = map
                .get("anyOf")
                .and_then(|a| a.as_array())
                .filter(|a| a.len() == 2 && a.contains(&null))
                .and_then(|a| a.iter().find(|b| **b != null).cloned());
            if let Some(serde_json::Value::Object(inner)) = nullable {
                map.remove("anyOf");
                for (key, v) in inner {
                    map.entry(key).or_insert(v);
                }
            }
            // `default: null` is what schemars writes for an `Option`'s default, which says
            // nothing (and null is not allowed): the description says what applies.
            if map.get("default") == Some(&serde_json::Value::Null) {
                map.remove("default");
            }
            if let Some(serde_json::Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for (key, v) in map.iter_mut() {
                match v {
                    serde_json::Value::String(text) if key == "description" => {
                        *text = describe(text);
                    }
                    _ => tidy(v),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// Doc-comment text as a description: paragraphs of joined lines, links as plain code.
pub fn describe(doc: &str) -> String {
    let paragraphs: Vec<String> = doc
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect();
    paragraphs
        .join("\n\n")
        .replace("[`", "`")
        .replace("`]", "`")
}
