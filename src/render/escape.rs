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
/// HCL and TOML alike (no U+FFFE or U+FFFF, which PyYAML refuses even in a comment).
pub fn is_comment(value: &str) -> bool {
    !value
        .chars()
        .any(|c| text::breaks_lines(c) || text::reorders_text(c) || text::yaml_refuses(c))
}

/// `value` as it may stand in a one-line comment: every character that [`is_comment`] refuses
/// becomes its `\u{…}` escape, and so does `\` itself, so the text stays readable and unambiguous.
pub fn comment_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if text::breaks_lines(c) || text::reorders_text(c) || text::yaml_refuses(c) || c == '\\' {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` as it may stand in an HTML comment (`<!-- … -->`, the header of a Markdown file): as
/// in [`comment_text`], and no `--`, which could end the comment.
pub fn html_comment_text(value: &str) -> String {
    comment_text(value).replace("--", "-\\u{002D}")
}

/// Whether `c` is a line break in some reader: `\n`, `\r`, NEL and the Unicode line and
/// paragraph separators (the other control characters are no line breaks, only invisible).
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `value` as Markdown text that renders as exactly `value` in a paragraph, a heading or a table
/// cell, wherever on its line it stands. Backslash-escaped (CommonMark allows it for every ASCII
/// punctuation character): what has a meaning anywhere (`` \ ` * _ [ ] < > & | ~ $ ``: escapes,
/// code, emphasis, links, HTML, entities, table pipes, strikethrough, GitHub's math), the first
/// character when it is punctuation (a heading's `#`, a list's `-`, a quote's `>`), and the `.`
/// or `)` after leading digits (an ordered list). Every line break (and what YAML 1.1 or Unicode
/// take for one) is a space, so a value never starts a line of its own, and leading blanks are
/// dropped (they show as nothing, and four start a code block); every other control or
/// bidirectional character is its `U+XXXX` name. Other punctuation stays as it is, so the text
/// reads as plainly in a diff as on the page.
pub fn markdown_text(value: &str) -> String {
    // Leading blanks show as nothing, and four would make an indented code block.
    let value = value.trim_start_matches(|c: char| c == ' ' || c == '\t' || is_line_break(c));
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    let mut leading_digits = true;
    for (i, c) in value.chars().enumerate() {
        let meaningful = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$'
        ) || (i == 0 && c.is_ascii_punctuation())
            || (leading_digits && i > 0 && matches!(c, '.' | ')'));
        leading_digits = leading_digits && c.is_ascii_digit();
        if meaningful {
            out.push('\\');
            out.push(c);
        } else {
            push_on_one_line(&mut out, c);
        }
    }
    out
}

/// Pushes `c` as one line of text shows it: a line break (or what YAML 1.1 or Unicode take for
/// one) or a tab as a space, another control or bidirectional character as its `U+XXXX` name.
fn push_on_one_line(out: &mut String, c: char) {
    if is_line_break(c) || c == '\t' {
        out.push(' ');
    } else if text::breaks_lines(c) || text::reorders_text(c) {
        out.push_str(&format!("U+{:04X}", c as u32));
    } else {
        out.push(c);
    }
}

/// `value` as one line of a fenced code block or a code span: shown as written, but a line break
/// (or what YAML 1.1 or Unicode take for one) is a space and every other control or
/// bidirectional character its `U+XXXX` name, so the value can neither end the block nor hide
/// what it says.
pub fn code_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        push_on_one_line(&mut out, c);
    }
    out
}

/// `value` as a Markdown code span: [`code_text`] between backtick fences one longer than its
/// longest run of backticks, padded with one space at each end where CommonMark would otherwise
/// take one away or read a backtick as part of the fence, so every value shows as written. An
/// empty value is written as nothing.
pub fn code_span(value: &str) -> String {
    let text = code_text(value);
    if text.is_empty() {
        return text;
    }
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let all_spaces = text.chars().all(|c| c == ' ');
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !all_spaces)
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// The fence of a fenced code block holding `lines` (each written with [`code_text`]): three
/// backticks, or one more than the longest run of backticks in them, so no line can close it.
pub fn fence<S: AsRef<str>>(lines: &[S]) -> String {
    let longest = lines
        .iter()
        .map(|l| longest_run(l.as_ref(), '`'))
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// `value` as a code span in a table cell: [`code_span`] with every `|` escaped, since GitHub's
/// tables split cells at a bare pipe even inside a code span (and drop the backslash there).
pub fn code_cell(value: &str) -> String {
    code_span(value).replace('|', "\\|")
}

/// `value` as the text of a Mermaid label in double quotes (`id["…"]`, `-->|"…"|`): letters,
/// digits, spaces and `. , : / ( ) { } _ + @ -` as they are (inside quotes none ends the label),
/// every other character as Mermaid's numeric entity (`#34;`), so no value can end the label,
/// start HTML or change the diagram.
pub fn mermaid_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || " .,:/(){}_+@-".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", c as u32));
        }
    }
    out
}

/// Whether `value` may stand as a Mermaid node or subgraph ID: ASCII letters, digits and `_`,
/// starting with a letter, and not a word Mermaid's flowchart grammar reserves.
pub fn is_mermaid_id(value: &str) -> bool {
    const RESERVED: &[&str] = &[
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "style",
        "class",
        "click",
        "default",
    ];
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&value.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_takes_away_every_meaning() {
        assert_eq!(
            markdown_text("*a* [b](c) <d> & |e| `f` $x$ ~y~"),
            "\\*a\\* \\[b\\](c) \\<d\\> \\& \\|e\\| \\`f\\` \\$x\\$ \\~y\\~"
        );
        assert_eq!(markdown_text("# not a heading"), "\\# not a heading");
        assert_eq!(
            markdown_text("- not a list, a - b"),
            "\\- not a list, a - b"
        );
        assert_eq!(markdown_text("12. not a list"), "12\\. not a list");
        assert_eq!(
            markdown_text("API Gateway, Lambda."),
            "API Gateway, Lambda."
        );
        assert_eq!(markdown_text("two\nlines\u{2028}x"), "two lines x");
        assert_eq!(
            markdown_text("bell\u{7} rtl\u{202E}"),
            "bellU+0007 rtlU+202E"
        );
        assert_eq!(markdown_text("émoji 😀"), "émoji 😀");
    }

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code_span("users-fn"), "`users-fn`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("a\nb"), "`a b`");
    }

    #[test]
    fn mermaid_labels_cannot_end_or_become_html() {
        assert_eq!(mermaid_label("table users"), "table users");
        assert_eq!(
            mermaid_label("a\"]; b-->c<i>"),
            "a#34;#93;#59; b--#62;c#60;i#62;"
        );
        assert!(is_mermaid_id("n_users_fn"));
        assert!(!is_mermaid_id("end"));
        assert!(!is_mermaid_id("a-b"));
        assert!(!is_mermaid_id("1a"));
    }

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
