//! Reports on a repository: the threat model (Markdown) and the matrix page (HTML). Each is a
//! pure function from the analysed files to text; the command line reads and writes.

mod matrix_page;
mod threat_model;

use std::collections::BTreeMap;

use ropey::Rope;

pub use matrix_page::matrix_page;
pub use threat_model::threat_model;

use super::Report;
use crate::matrix::Technique;
use crate::rules::Severity;

/// An analysed file as the reports see it.
pub struct AnalysedFile<'a> {
    /// The file's path as the report names it.
    pub path: &'a str,
    /// Where a link from the report to the file points (a relative URL for the matrix page).
    pub link: &'a str,
    pub text: &'a Rope,
    pub report: &'a Report,
}

impl AnalysedFile<'_> {
    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.text.byte_to_line(offset.min(self.text.len_bytes())) + 1
    }

    /// `path:line` of a byte offset.
    fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.path, self.line(offset))
    }
}

/// The number of findings at each severity, most severe first, leaving out those with none.
fn severity_counts<'a>(files: impl IntoIterator<Item = &'a AnalysedFile<'a>>) -> Vec<(Severity, usize)> {
    let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
    for file in files {
        for finding in &file.report.findings {
            *counts.entry(std::cmp::Reverse(finding.severity)).or_default() += 1;
        }
    }
    counts.into_iter().map(|(severity, count)| (severity.0, count)).collect()
}

/// "3 critical, 1 low", or "none".
fn counts_text(counts: &[(Severity, usize)]) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts.iter().map(|(severity, count)| format!("{count} {}", severity.name())).collect::<Vec<_>>().join(", ")
}

/// The techniques the findings name, in the matrix's order.
fn techniques_found(report: &Report) -> Vec<Technique> {
    let mut techniques: Vec<Technique> = report.findings.iter().map(|finding| finding.rule.technique).collect();
    techniques.sort();
    techniques.dedup();
    techniques
}
