//! `--format gitlab`: a GitLab Code Quality report (the Code Climate issue format GitLab
//! reads from `artifacts: reports: codequality:`), shown in merge request widgets.

use std::io::Write;

use serde::Serialize;

use super::Checked;
use super::json::position;
use crate::analysis::fingerprints;
use crate::rules::Severity;

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'static str,
    description: String,
    categories: [&'static str; 1],
    severity: &'static str,
    fingerprint: String,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub fn print(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let mut issues = Vec::new();
    for file in checked {
        let path = file.path.to_string_lossy().replace('\\', "/");
        let path = path.strip_prefix("./").unwrap_or(&path).to_owned();
        for (finding, fingerprint) in file.report.findings.iter().zip(fingerprints(&file.rope, &file.report.findings)) {
            issues.push(Issue {
                kind: "issue",
                check_name: finding.rule.id,
                description: format!("{}: {}", finding.rule.technique.label(), finding.message),
                categories: ["Security"],
                severity: severity(finding.severity),
                // Unique in the report: the finding's fingerprint within its file's path.
                fingerprint: format!("{path}:{fingerprint}"),
                location: Location {
                    path: path.clone(),
                    lines: Lines {
                        begin: position(&file.rope, finding.range.start).line,
                        end: position(&file.rope, finding.range.end).line,
                    },
                },
            });
        }
    }
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

/// Code Quality's severities: info, minor, major, critical, blocker.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}
