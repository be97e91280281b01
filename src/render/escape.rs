//! Escaping for the output formats, chosen by template file name (see [`super::env`]).
//!
//! YAML templates use [`yaml_string`]: a double-quoted scalar, so `yes`, `010`, `null`, `!Ref X`
//! and `: #` come out as the strings they are. It is JSON's escaping plus what YAML adds: JSON
//! leaves U+FFFE, U+0085, U+2028 and U+2029 bare, which YAML refuses or folds as line breaks.
//! Terraform templates use [`hcl_string`]: a double-quoted HCL string with only HCL's escapes,
//! where `${` and `%{` are doubled so no user text can start an interpolation or a directive.

use crate::text;
use std::fmt::Write as _;

/// What a format does with one character beyond the escapes both formats share.
enum Extra {
    /// Copy it as it is.
    Bare,
    /// Write it as `\uXXXX`.
    Unicode,
    /// Write it twice (`$${` and `%%{` in HCL).
    Doubled,
}

/// `value` in double quotes with the escapes YAML and HCL share (`\\`, `\"`, `\n`, `\r`,
/// `\t`); `extra` decides every other character, seeing the one after it.
fn quote(value: &str, extra: impl Fn(char, Option<char>) -> Extra) -> String {
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
            c => match extra(c, chars.peek().copied()) {
                Extra::Bare => out.push(c),
                Extra::Doubled => {
                    out.push(c);
                    out.push(c);
                }
                Extra::Unicode => {
                    let _ = write!(out, "\\u{:04X}", c as u32);
                }
            },
        }
    }
    out.push('"');
    out
}

/// `value` as a double-quoted HCL string literal that evaluates to exactly `value`.
pub fn hcl_string(value: &str) -> String {
    quote(value, |c, next| match c {
        '$' | '%' if next == Some('{') => Extra::Doubled,
        c if c.is_control() => Extra::Unicode,
        _ => Extra::Bare,
    })
}

/// Whether YAML may carry `c` bare inside a double-quoted scalar: printable, and not one of the
/// characters YAML 1.1 reads as a line break (U+0085, U+2028, U+2029) or as a byte-order mark.
fn yaml_bare(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `value` as a double-quoted YAML scalar that parses back to exactly `value`.
pub fn yaml_string(value: &str) -> String {
    quote(value, |c, _| {
        if yaml_bare(c) {
            Extra::Bare
        } else {
            Extra::Unicode
        }
    })
}

/// Whether `value` may stand as a CloudFormation logical ID: ASCII letters and digits, starting
/// with a letter, at most 255 characters.
pub fn is_logical_id(value: &str) -> bool {
    value.len() <= 255
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `value` is an environment variable name (a letter or `_`, then letters, digits and
/// `_`): a bare key in YAML and HCL alike.
pub fn is_env_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `value` may stand as a Terraform identifier (resource, variable or output name).
pub fn is_tf_ident(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `value` may stand bare as a number in YAML or HCL: digits, then optionally a point and
/// more digits (`2000`, `1500.50`).
pub fn is_decimal(value: &str) -> bool {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// Whether `value` may stand in a `#` comment: one line of printable text, in YAML 1.1 and 1.2,
/// HCL and TOML alike.
pub fn is_comment(value: &str) -> bool {
    !value
        .chars()
        .any(|c| text::breaks_lines(c) || text::reorders_text(c))
}

/// `value` as it may stand in a one-line comment: every character that [`is_comment`] refuses
/// becomes its `\u{…}` escape, and so does `\` itself, so the text stays readable and unambiguous.
pub fn comment_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if text::breaks_lines(c) || text::reorders_text(c) || c == '\\' {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
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
    fn yaml_strings_escape_what_yaml_would_refuse_or_fold() {
        assert_eq!(yaml_string("yes"), r#""yes""#);
        assert_eq!(yaml_string("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(
            yaml_string("\u{fffe}\u{2028}\u{85}\u{feff}\u{7}"),
            r#""\uFFFE\u2028\u0085\uFEFF\u0007""#
        );
        assert_eq!(yaml_string("émoji 😀 ${x}"), "\"émoji 😀 ${x}\"");
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(is_logical_id("SubnetPublicA"));
        assert!(!is_logical_id("Subnet-Public"));
        assert!(!is_logical_id("1Subnet"));
        assert!(is_tf_ident("public-a"));
        assert!(!is_tf_ident("a b"));
        assert!(!is_comment("two\nlines"));
        for breaker in ['\r', '\u{85}', '\u{2028}', '\u{2029}', '\u{202E}'] {
            let text = format!("reason{breaker}Transform: x");
            assert!(!is_comment(&text), "{breaker:?}");
            assert!(is_comment(&comment_text(&text)), "{breaker:?}");
        }
        assert_eq!(comment_text("a\nb\\c"), "a\\u{000A}b\\u{005C}c");
        assert!(is_decimal("2000"));
        assert!(is_decimal("1500.50"));
        assert!(!is_decimal("1500."));
        assert!(!is_decimal(".5"));
        assert!(!is_decimal("1e3"));
        assert!(!is_decimal("-1"));
        assert!(!is_decimal(""));
    }
}
