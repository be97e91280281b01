//! The minijinja environment: every embedded template, strict about undefined values, with
//! escaping decided by the template's file name.

use minijinja::value::{Value, ValueKind, ViaDeserialize};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};

use super::escape;
use crate::blueprint::TEMPLATES;
use crate::expr::{Doc, Expr};

const HCL: AutoEscape = AutoEscape::Custom("hcl");
const YAML: AutoEscape = AutoEscape::Custom("yaml");
const MARKDOWN: AutoEscape = AutoEscape::Custom("markdown");

/// The escaping a template gets, from its file name; `None` for a name we do not render.
fn escaping_for(name: &str) -> Option<AutoEscape> {
    // A double-quoted YAML scalar is also a TOML basic string: both take `\\`, `\"`, `\n`,
    // `\r`, `\t` and `\uXXXX`, and the scalar escapes every control character TOML refuses.
    if name.ends_with(".yaml.j2") || name.ends_with(".toml.j2") {
        Some(YAML)
    } else if name.ends_with(".tf.j2") {
        Some(HCL)
    } else if name.ends_with(".md.j2") {
        Some(MARKDOWN)
    } else {
        None
    }
}

/// Writes a value in the escaping of the template's format: strings quoted and escaped, numbers
/// and booleans as they are, lists as flow sequences / tuples. Safe values (from the validating
/// filters) pass through.
fn formatter(out: &mut Output<'_>, state: &State<'_, '_>, value: &Value) -> Result<(), Error> {
    let quote = match state.auto_escape() {
        _ if value.is_safe() => return minijinja::escape_formatter(out, state, value),
        a if a == HCL => escape::hcl_string,
        a if a == YAML => escape::yaml_string,
        a if a == MARKDOWN => escape::markdown_text,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    let text = scalar(value, quote)?;
    out.write_str(&text).map_err(Error::from)
}

fn scalar(value: &Value, quote: fn(&str) -> String) -> Result<String, Error> {
    if let Some(s) = value.as_str() {
        return Ok(quote(s));
    }
    match value.kind() {
        ValueKind::Bool => Ok(value.is_true().to_string()),
        ValueKind::Number => Ok(value.to_string()),
        ValueKind::Seq => {
            let items = value
                .try_iter()?
                .map(|v| scalar(&v, quote))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("[{}]", items.join(", ")))
        }
        kind => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("a {kind} value cannot be written into generated code"),
        )),
    }
}

fn checked(value: &str, ok: fn(&str) -> bool, what: &str) -> Result<Value, Error> {
    if ok(value) {
        Ok(Value::from_safe_string(value.to_string()))
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("`{value}` is not a valid {what}"),
        ))
    }
}

fn safe(result: Result<String, String>) -> Result<Value, Error> {
    result
        .map(Value::from_safe_string)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e))
}

/// Builds the environment with every embedded template loaded and checked.
pub fn environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|name| escaping_for(name).unwrap_or(AutoEscape::None));
    env.set_formatter(formatter);
    env.add_filter("logical_id", |v: &str| {
        checked(v, escape::is_logical_id, "logical ID")
    });
    env.add_filter("env_name", |v: &str| {
        checked(v, escape::is_env_name, "environment variable name")
    });
    env.add_filter("env_key", |v: &str, width: usize| {
        if escape::is_env_name(v) {
            Ok(Value::from_safe_string(format!("{v:<width$}")))
        } else {
            Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{v}` is not a valid environment variable name"),
            ))
        }
    });
    env.add_filter("tf_ident", |v: &str| {
        checked(v, escape::is_tf_ident, "Terraform identifier")
    });
    env.add_filter("hcl_key", |v: &str, width: usize| {
        let quoted = escape::hcl_string(v);
        let pad = width.saturating_sub(quoted.chars().count());
        Value::from_safe_string(format!("{quoted}{}", " ".repeat(pad)))
    });
    env.add_filter("decimal", |v: &str| {
        checked(v, escape::is_decimal, "decimal number")
    });
    env.add_filter("comment", |v: &str| {
        checked(v, escape::is_comment, "one-line comment")
    });
    // Markdown (README.md): values in code blocks and spans as written but on one line, and
    // Mermaid labels and IDs, which Markdown's own escaping would garble.
    env.add_filter("code", |v: &str| {
        Value::from_safe_string(escape::code_text(v))
    });
    env.add_filter("code_span", |v: &str| {
        Value::from_safe_string(escape::code_span(v))
    });
    env.add_filter("code_cell", |v: &str| {
        Value::from_safe_string(escape::code_cell(v))
    });
    env.add_filter("fence", |lines: Vec<String>| {
        Value::from_safe_string(escape::fence(&lines))
    });
    env.add_filter("mermaid", |v: &str| {
        Value::from_safe_string(escape::mermaid_label(v))
    });
    env.add_filter("mermaid_id", |v: &str| {
        checked(v, escape::is_mermaid_id, "Mermaid ID")
    });
    // References and documents (crate::expr): the only way a template writes `!Ref`, `!Sub` or
    // an HCL reference; every literal inside is escaped for its format, every ID validated.
    env.add_filter("cfn", |e: ViaDeserialize<Expr>| safe(e.0.cfn()));
    env.add_filter("tf", |e: ViaDeserialize<Expr>| safe(e.0.tf()));
    env.add_filter("cfn_doc", |d: ViaDeserialize<Doc>, indent: usize| {
        safe(d.0.cfn(indent))
    });
    env.add_filter("tf_doc", |d: ViaDeserialize<Doc>, indent: usize| {
        safe(d.0.tf(indent))
    });
    for (name, source) in TEMPLATES {
        if escaping_for(name).is_none() {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "template {name} must end in .yaml.j2, .toml.j2, .tf.j2 or .md.j2 so that its escaping is known"
                ),
            ));
        }
        env.add_template(name, source)?;
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_compiles() {
        let env = environment().unwrap();
        assert!(!TEMPLATES.is_empty());
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn values_are_escaped_by_file_name() {
        let mut env = environment().unwrap();
        env.add_template("t.yaml.j2", "v: {{ v }}").unwrap();
        env.add_template("t.tf.j2", "v = {{ v }}").unwrap();
        let ctx = minijinja::context! { v => "yes ${x} \"q\"\u{2028}" };
        assert_eq!(
            env.get_template("t.yaml.j2").unwrap().render(&ctx).unwrap(),
            r#"v: "yes ${x} \"q\"\u2028""#
        );
        assert_eq!(
            env.get_template("t.tf.j2").unwrap().render(&ctx).unwrap(),
            "v = \"yes $${x} \\\"q\\\"\u{2028}\""
        );
    }
}
