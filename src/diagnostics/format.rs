//! Printing diagnostics: `concise` (one line each, greppable, plus `help:`), `full` (with a source
//! snippet and a caret), `json`, and `sarif` (SARIF 2.1.0, for GitHub code scanning).

use std::ffi::OsStr;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Diagnostic, Severity, printable};
use crate::validate::registry::RULES;

/// An output format for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Concise,
    Full,
    Json,
    Sarif,
}

/// Colour for terminals: only when writing to one, never when `NO_COLOR` is set, and never on a
/// terminal that says it has none (`TERM=dumb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        Style::for_terminal(
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os("TERM").as_deref(),
            std::io::stdout().is_terminal(),
        )
    }

    fn for_terminal(no_color: Option<&OsStr>, term: Option<&OsStr>, tty: bool) -> Self {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        let dumb = term.is_some_and(|t| t == "dumb");
        Style {
            color: tty && !no_color && !dumb,
        }
    }

    fn severity(self, s: Severity) -> String {
        match (self.color, s) {
            (false, _) => s.to_string(),
            (true, Severity::Error) => format!("\x1b[1;31m{s}\x1b[0m"),
            (true, Severity::Warning) => format!("\x1b[1;33m{s}\x1b[0m"),
        }
    }
}

fn headline(d: &Diagnostic, style: Style) -> String {
    let mut out = format!("{}: {}", d.location, style.severity(d.severity));
    if let Some(code) = d.code {
        let _ = write!(out, "[{code}]");
    }
    out.push_str(": ");
    if let Some(field) = &d.field {
        let _ = write!(out, "{}: ", printable(field));
    }
    out.push_str(&printable(&d.message));
    out
}

/// Renders `diagnostics` in `format`. `source` is the text of the blueprint they point into,
/// for the snippets of the `full` format.
pub fn render(diagnostics: &[Diagnostic], format: Format, source: &str, style: Style) -> String {
    match format {
        Format::Concise => diagnostics
            .iter()
            .map(|d| {
                let mut s = headline(d, style);
                if let Some(help) = &d.help {
                    let _ = write!(s, "\n  help: {}", printable(help));
                }
                s + "\n"
            })
            .collect(),
        Format::Full => diagnostics.iter().map(|d| full(d, source, style)).collect(),
        Format::Json => {
            let items: Vec<Value> = diagnostics.iter().map(json_item).collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif(diagnostics)).unwrap_or_default() + "\n"
        }
    }
}

fn full(d: &Diagnostic, source: &str, style: Style) -> String {
    let mut out = headline(d, style) + "\n";
    if let Some(line) = source.lines().nth(d.location.line.saturating_sub(1)) {
        let number = d.location.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_at: usize = line
            .chars()
            .take(d.location.column.saturating_sub(1))
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{number} | {}", printable(&line.replace('\t', "    ")));
        let _ = writeln!(out, "{pad} | {}^", " ".repeat(caret_at));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  = help: {}", printable(help));
    }
    out.push('\n');
    out
}

fn json_item(d: &Diagnostic) -> Value {
    json!({
        "severity": d.severity.to_string(),
        "code": d.code,
        "file": d.location.file,
        "line": d.location.line,
        "column": d.location.column,
        "field": d.field,
        "message": d.message,
        "help": d.help,
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A SARIF 2.1.0 log with one run: cloudwright's rules as the driver's rules, one result per
/// diagnostic, located on the blueprint's line and column.
fn sarif(diagnostics: &[Diagnostic]) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let default = r
                .levels
                .production
                .or(r.levels.staging)
                .or(r.levels.development);
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "fullDescription": { "text": format!("{} ({})", r.summary, r.levels.describe()) },
                "help": { "text": r.documentation(), "markdown": r.documentation() },
                "defaultConfiguration": { "level": default.map_or("none", level) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let text = match &d.help {
                Some(help) => format!("{}\nhelp: {help}", d.message),
                None => d.message.clone(),
            };
            let mut result = json!({
                "ruleId": d.code.unwrap_or("blueprint"),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.location.file },
                        "region": { "startLine": d.location.line, "startColumn": d.location.column },
                    },
                }],
            });
            if let Some(i) = d.code.and_then(|c| RULES.iter().position(|r| r.id == c)) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cloudwright",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Location;

    #[test]
    fn colour_only_on_a_terminal_that_wants_it() {
        let on = |no_color: Option<&str>, term: Option<&str>, tty| {
            Style::for_terminal(no_color.map(OsStr::new), term.map(OsStr::new), tty).color
        };
        assert!(on(None, Some("xterm-256color"), true));
        assert!(on(Some(""), None, true));
        assert!(!on(None, Some("xterm"), false));
        assert!(!on(Some("1"), Some("xterm"), true));
        assert!(!on(None, Some("dumb"), true));
    }

    fn sample() -> Diagnostic {
        let mut d = Diagnostic::error(
            Location {
                file: "core.yaml".into(),
                line: 2,
                column: 9,
            },
            "flow logs are off",
        )
        .with_field("network.flow_logs.enabled")
        .with_help("turn them on");
        d.code = Some("NET001");
        d
    }

    #[test]
    fn full_format_points_a_caret_at_the_column() {
        let out = render(
            &[sample()],
            Format::Full,
            "network:\n  flow: { enabled: false }\n",
            Style { color: false },
        );
        assert!(
            out.contains("2 |   flow: { enabled: false }\n  |         ^\n"),
            "{out}"
        );
        assert!(out.contains("= help: turn them on"));
    }

    #[test]
    fn sarif_results_name_their_rule_and_location() {
        let v = sarif(&[sample()]);
        let result = &v["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "NET001");
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize]
                ["id"],
            "NET001"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let plain = render(&[sample()], Format::Concise, "", Style { color: false });
        assert!(!plain.contains('\x1b'));
        let coloured = render(&[sample()], Format::Concise, "", Style { color: true });
        assert!(coloured.contains("\x1b[1;31merror\x1b[0m[NET001]"));
    }
}
