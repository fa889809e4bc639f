//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning takes it. One `reportingDescriptor`
//! per rule with its documentation as help, its tactic, technique, OWASP and CWE ids as
//! tags and a `security-severity`; one result per finding with its region, a fingerprint
//! that survives unrelated edits, and the file's attack path as a code flow.

use std::io::Write;
use std::ops::Range;

use serde_json::{Value, json};

use super::Checked;
use crate::analysis::fingerprints;
use crate::rules::{Confidence, REGISTRY, Reference, RuleMeta, Severity, docs};
use crate::text::{self, Encoding};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn print(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let rules: Vec<Value> = REGISTRY.iter().map(|rule| descriptor(rule.meta())).collect();
    let results: Vec<Value> = checked.iter().flat_map(file_results).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pipewarden",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// A rule as a SARIF `reportingDescriptor`.
fn descriptor(rule: &RuleMeta) -> Value {
    let technique = rule.technique;
    let mut tags = vec![
        "security".to_owned(),
        technique.tactic().name().to_owned(),
        format!("{} {}", technique.id(), technique.name()),
    ];
    for reference in rule.references {
        match reference {
            Reference::Cwe(id, _) => tags.push(format!("external/cwe/cwe-{id}")),
            Reference::Owasp(risk) => tags.push(risk.id().to_owned()),
            _ => {}
        }
    }
    json!({
        "id": rule.id,
        "name": display_name(rule.id),
        "shortDescription": {"text": rule.docs.summary},
        "fullDescription": {"text": rule.docs.detects},
        "help": {"text": docs::plain(rule), "markdown": docs::markdown(rule)},
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(rule.severity),
            "precision": precision(rule.confidence),
            "tactic": technique.tactic().name(),
            "technique": technique.id(),
        },
    })
}

/// The rule's name for people, distinct from its id as SARIF asks: `ExpressionInjection`.
fn display_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

fn file_results(file: &Checked) -> Vec<Value> {
    let findings = &file.report.findings;
    let fingerprints = fingerprints(&file.rope, findings);
    findings
        .iter()
        .zip(fingerprints)
        .enumerate()
        .map(|(index, (finding, fingerprint))| {
            let mut result = json!({
                "ruleId": finding.rule.id,
                "ruleIndex": REGISTRY.iter().position(|rule| rule.meta().id == finding.rule.id),
                "level": level(finding.severity),
                "message": {"text": format!("{}: {}", finding.rule.technique.label(), finding.message)},
                "locations": [location(file, finding.range.clone(), None)],
                "partialFingerprints": {"pipewarden/v1": fingerprint},
                "properties": {
                    "severity": finding.severity.name(),
                    "confidence": finding.confidence.name(),
                    "security-severity": security_severity(finding.severity),
                },
            });
            if let Some(flow) = code_flow(file, index) {
                result["codeFlows"] = json!([flow]);
            }
            result
        })
        .collect()
}

/// The attack path through this finding, its steps as the locations of a code flow.
fn code_flow(file: &Checked, index: usize) -> Option<Value> {
    let findings = &file.report.findings;
    let path = file.report.path_of(index)?;
    let locations: Vec<Value> = path
        .steps
        .iter()
        .map(|step| {
            let (_, range) = path.locate(step, findings);
            json!({"location": location(file, range, Some(path.headline(step, findings)))})
        })
        .collect();
    let message = format!("starts with {}; {}", path.entry.how, path.outcome);
    Some(json!({"message": {"text": message}, "threadFlows": [{"locations": locations}]}))
}

fn location(file: &Checked, range: Range<usize>, message: Option<String>) -> Value {
    let start = text::position_of(&file.rope, range.start, Encoding::Utf16);
    let end = text::position_of(&file.rope, range.end, Encoding::Utf16);
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(&file.path)},
            "region": {
                "startLine": start.line + 1,
                "startColumn": start.column + 1,
                "endLine": end.line + 1,
                "endColumn": end.column + 1,
            },
        },
    });
    if let Some(message) = message {
        location["message"] = json!({"text": message});
    }
    location
}

/// A relative path as a relative URI reference, an absolute one as a `file:` URI.
fn artifact_uri(path: &std::path::Path) -> String {
    let shown = path.to_string_lossy().replace('\\', "/");
    let shown = shown.strip_prefix("./").unwrap_or(&shown);
    let encoded: String = shown
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect();
    if encoded.starts_with('/') { format!("file://{encoded}") } else { encoded }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub reads 9.0 and above as critical, 7.0 as high, 4.0 as medium, below as low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn precision(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}
