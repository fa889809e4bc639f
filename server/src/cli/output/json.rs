//! `--format json`: every finding with its rule, technique, severity and place.

use std::borrow::Cow;
use std::io::{self, Write};

use ropey::Rope;
use serde::Serialize;

use super::Checked;
use crate::analysis::Reported;
use crate::cli::parallel;
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

/// How many findings are made into JSON at a time, on both cores: the text of a file of
/// 30,000 findings is never held whole.
const BATCH: usize = 4_096;

/// Fewer findings than this are made into JSON on one core: a thread costs more.
const MIN_SHARE: usize = 256;

/// Prints `{"findings": [...]}` as `serde_json::to_writer_pretty` does, each finding made
/// into its JSON on every core and written in order.
pub fn print(checked: &[Checked], out: &mut impl Write) -> io::Result<()> {
    for file in checked {
        for error in &file.report.syntax_errors {
            let at = position(&file.rope, error.range.start);
            eprintln!("pipewarden: {}:{}:{}: syntax error: {}", file.path.display(), at.line, at.column, error.message);
        }
    }
    let findings: Vec<(&Checked, &Reported)> =
        checked.iter().flat_map(|file| file.report.findings.iter().map(move |finding| (file, finding))).collect();
    if findings.is_empty() {
        return out.write_all(b"{\n  \"findings\": []\n}\n");
    }
    out.write_all(b"{\n  \"findings\": [")?;
    let mut first = true;
    for batch in findings.chunks(BATCH) {
        let shares: Vec<&[(&Checked, &Reported)]> = batch.chunks(batch.len().div_ceil(2).max(MIN_SHARE)).collect();
        for elements in parallel::map_in_order(&shares, |share| elements(share)) {
            let elements = elements?;
            // The first element follows the bracket without a comma.
            out.write_all(if first { &elements[1..] } else { &elements })?;
            first = false;
        }
    }
    out.write_all(b"\n  ]\n}\n")
}

/// Findings as elements of the document's array: each after a comma (the first one's is
/// dropped when it is written) and a line break, and indented as the array's elements are.
/// (A JSON string escapes its line breaks, so every one in a finding's text is between
/// tokens.)
fn elements(findings: &[(&Checked, &Reported)]) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    let mut alone = Vec::new();
    for (file, finding) in findings {
        alone.clear();
        serde_json::to_writer_pretty(&mut alone, &JsonFinding::new(file, finding))?;
        text.extend_from_slice(b",\n    ");
        for line in alone.split_inclusive(|&byte| byte == b'\n') {
            text.extend_from_slice(line);
            if line.ends_with(b"\n") {
                text.extend_from_slice(b"    ");
            }
        }
    }
    Ok(text)
}
