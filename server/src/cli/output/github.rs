//! `--format github`: GitHub Actions workflow commands (`::error file=...::message`), which
//! the runner turns into annotations on the run and on the pull request's changed lines.

use std::io::Write;

use super::Checked;
use super::json::position;
use crate::rules::Severity;

pub fn print(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    for file in checked {
        let path = escape_property(&file.path.display().to_string());
        for error in &file.report.syntax_errors {
            let at = position(&file.rope, error.range.start);
            writeln!(
                out,
                "::error file={path},line={},col={},title=YAML syntax error::{}",
                at.line,
                at.column,
                escape_data(&error.message)
            )?;
        }
        for finding in &file.report.findings {
            let (start, end) = (position(&file.rope, finding.range.start), position(&file.rope, finding.range.end));
            let title = format!("pipewarden {} ({})", finding.rule.id, finding.rule.technique.id());
            writeln!(
                out,
                "::{} file={path},line={},col={},endLine={},endColumn={},title={}::{}",
                command(finding.severity),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&title),
                escape_data(&format!("{}: {}", finding.rule.technique.label(), finding.message)),
            )?;
        }
    }
    Ok(())
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Escapes a command's message, as the runner's toolkit does.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command's property value, which also cannot hold `:` or `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
