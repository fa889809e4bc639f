//! The default text output: `path:line:col: severity[rule] Tactic › Technique: message`, the
//! source line with a caret, and each file's attack path.

use std::io::Write;

use super::Checked;
use super::json::position;
use crate::text::{self, plural};

pub fn print(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let mut total = 0;
    for file in checked {
        let mut lines: Vec<(usize, String)> = Vec::new();
        for error in &file.report.syntax_errors {
            lines.push((error.range.start, format!("error[syntax] {}", error.message)));
        }
        for finding in &file.report.findings {
            let label = finding.rule.technique.label();
            lines.push((
                finding.range.start,
                format!("{}[{}] {label}: {}", finding.severity.name(), finding.rule.id, finding.message),
            ));
        }
        lines.sort_by_key(|(offset, _)| *offset);
        for (offset, line) in &lines {
            let at = position(&file.rope, *offset);
            writeln!(out, "{}:{}:{}: {line}", file.path.display(), at.line, at.column)?;
            let source = text::line_text(&file.rope, at.line - 1);
            writeln!(out, "    {}", source.trim_end())?;
            writeln!(out, "    {}^", caret_indent(&source, at.column - 1))?;
        }
        // Paths that stop at execution are in the JSON; here only those that gain something.
        for path in file.report.paths.iter().filter(|path| path.complete) {
            let at = position(&file.rope, path.entry.range.start);
            let summary = path.summary(&file.report.findings);
            writeln!(
                out,
                "{}:{}: attack path through job `{}`, for {}: {summary} → {}",
                file.path.display(),
                at.line,
                path.job,
                path.entry.how,
                path.outcome
            )?;
        }
        total += lines.len();
    }
    if total > 0 {
        writeln!(out, "\n{total} problem{} found in {} file{}.", plural(total), checked.len(), plural(checked.len()))?;
    }
    Ok(())
}

/// The caret's indentation: a space per character before the column, tabs kept as tabs so
/// that the caret lines up in a terminal.
fn caret_indent(source: &str, column: usize) -> String {
    source.chars().take(column).map(|c| if c == '\t' { '\t' } else { ' ' }).collect()
}
