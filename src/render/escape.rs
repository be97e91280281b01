//! Escaping for the output formats, chosen by template file name (see [`super::env`]).
//!
//! YAML templates use minijinja's JSON escaping: a JSON string is a valid YAML double-quoted
//! scalar, so `yes`, `010`, `null`, `!Ref X` and `: #` come out as the strings they are.
//! Terraform templates use [`hcl_string`]: a double-quoted HCL string with only HCL's escapes,
//! where `${` and `%{` are doubled so no user text can start an interpolation or a directive.

use std::fmt::Write as _;

/// `value` as a double-quoted HCL string literal that evaluates to exactly `value`.
pub fn hcl_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `value` may stand as a CloudFormation logical ID: ASCII letters and digits, starting
/// with a letter, at most 255 characters.
pub fn is_logical_id(value: &str) -> bool {
    value.len() <= 255
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `value` may stand as a Terraform identifier (resource, variable or output name).
pub fn is_tf_ident(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `value` may stand in a `#` comment: one line of printable text.
pub fn is_comment(value: &str) -> bool {
    !value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_cannot_interpolate_or_break_out() {
        assert_eq!(hcl_string("plain"), r#""plain""#);
        assert_eq!(
            hcl_string("${aws_iam_role.x.arn}"),
            r#""$${aws_iam_role.x.arn}""#
        );
        assert_eq!(hcl_string("%{ if true }"), r#""%%{ if true }""#);
        assert_eq!(hcl_string("$ and % alone"), r#""$ and % alone""#);
        assert_eq!(hcl_string("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(hcl_string("\u{7}"), r#""\u0007""#);
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(is_logical_id("SubnetPublicA"));
        assert!(!is_logical_id("Subnet-Public"));
        assert!(!is_logical_id("1Subnet"));
        assert!(is_tf_ident("public-a"));
        assert!(!is_tf_ident("a b"));
        assert!(!is_comment("two\nlines"));
    }
}
