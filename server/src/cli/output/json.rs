//! `--format json`: every finding with its rule, technique, severity and place.

use std::borrow::Cow;
use std::io::Write;

use ropey::Rope;
use serde::Serialize;

use super::Checked;
use crate::analysis::Reported;
use crate::text::{self, Encoding};

/// One finding as `--format json` prints it.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    rule: &'a str,
    tactic: &'a str,
    technique: &'a str,
    technique_id: &'a str,
    severity: &'a str,
    confidence: &'a str,
    path: Cow<'a, str>,
    start: JsonPosition,
    end: JsonPosition,
    message: &'a str,
}

#[derive(Serialize)]
pub struct JsonPosition {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    findings: EachFinding<'a>,
}

/// Every finding of every file, each made into its JSON as it is written rather than all
/// of them listed first: a file of 30,000 findings would hold 30,000 of them.
struct EachFinding<'a>(&'a [Checked]);

impl Serialize for EachFinding<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let files = self.0.iter();
        serializer.collect_seq(
            files.flat_map(|file| file.report.findings.iter().map(|finding| JsonFinding::new(file, finding))),
        )
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
pub fn position(rope: &Rope, offset: usize) -> JsonPosition {
    let position = text::position_of(rope, offset, Encoding::Utf32);
    JsonPosition { line: position.line + 1, column: position.column + 1 }
}

impl<'a> JsonFinding<'a> {
    pub fn new(file: &'a Checked, finding: &'a Reported) -> Self {
        JsonFinding {
            rule: finding.rule.id,
            tactic: finding.rule.technique.tactic().name(),
            technique: finding.rule.technique.name(),
            technique_id: finding.rule.technique.id(),
            severity: finding.severity.name(),
            confidence: finding.confidence.name(),
            // As `display()` shows it, borrowed (paths are nearly always UTF-8).
            path: file.path.to_string_lossy(),
            start: position(&file.rope, finding.range.start),
            end: position(&file.rope, finding.range.end),
            message: &finding.message,
        }
    }
}

pub fn print(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    for file in checked {
        for error in &file.report.syntax_errors {
            let at = position(&file.rope, error.range.start);
            eprintln!("pipewarden: {}:{}:{}: syntax error: {}", file.path.display(), at.line, at.column, error.message);
        }
    }
    serde_json::to_writer_pretty(&mut *out, &JsonOutput { findings: EachFinding(checked) })?;
    writeln!(out)
}
