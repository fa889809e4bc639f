//! `pipewarden check`: analyse files and print findings.

use std::io::Write;
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use serde::Serialize;

use super::discover::{Found, discover};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::analysis::{Report, analyze_text_with, attack_path, attack_path_summary, panic_message};
use crate::config::{Policy, RuleSettings, Settings};
use crate::model::kind;
use crate::rules::RuleOptions;
use crate::text::{self, Encoding};

#[derive(Debug, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub json: bool,
    pub settings: Settings,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options::default();
        let mut rules = RuleSettings::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| args.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
            match arg.as_str() {
                "--format" => match value("--format")?.as_str() {
                    "json" => options.json = true,
                    "text" => options.json = false,
                    other => return Err(format!("unknown format `{other}` (use text or json)")),
                },
                "--min-severity" => options.settings.min_severity = Some(value("--min-severity")?),
                "--disable" => rules.disabled.push(value("--disable")?),
                "--enable" => rules.enabled.push(value("--enable")?),
                "--trusted-owner" => options.settings.trusted_owners.push(value("--trusted-owner")?),
                flag if flag.starts_with('-') && flag != "-" => {
                    return Err(format!("unknown option `{flag}`"));
                }
                path => options.paths.push(PathBuf::from(path)),
            }
        }
        if options.paths.is_empty() {
            options.paths.push(PathBuf::from("."));
        }
        options.settings.rules = rules;
        Ok(options)
    }
}

/// One finding as `--format json` prints it.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    tactic: &'a str,
    technique: &'a str,
    technique_id: &'a str,
    severity: &'a str,
    confidence: &'a str,
    path: String,
    start: JsonPosition,
    end: JsonPosition,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonOutput<'a> {
    findings: Vec<JsonFinding<'a>>,
}

/// An analysed file.
struct Checked {
    path: PathBuf,
    rope: Rope,
    report: Report,
}

pub fn run(options: &Options, out: &mut impl Write) -> i32 {
    let (policy, warnings) = Policy::from_settings(&options.settings);
    if let Some(warning) = warnings.first() {
        eprintln!("pipewarden: {warning}");
        return EXIT_ERROR;
    }
    let mut io_error = false;
    let mut checked = Vec::new();
    for root in &options.paths {
        for found in discover(root) {
            match found {
                Found::Error(path, error) => {
                    eprintln!("pipewarden: {}: {error}", path.display());
                    io_error = true;
                }
                Found::File(path) => match check_file(&path, &policy.rule_options()) {
                    Ok(Some(file)) => checked.push(file),
                    Ok(None) => {}
                    Err(error) => {
                        eprintln!("pipewarden: {}: {error}", path.display());
                        io_error |= error.kind() != std::io::ErrorKind::InvalidData;
                    }
                },
            }
        }
    }
    for file in &mut checked {
        file.report.findings.retain_mut(|finding| match policy.apply(finding.rule.id, finding.severity) {
            Some(severity) => {
                finding.severity = severity;
                true
            }
            None => false,
        });
    }
    let printed = if options.json { print_json(&checked, out) } else { print_text(&checked, out) };
    let found = checked.iter().any(|file| !file.report.findings.is_empty() || !file.report.syntax_errors.is_empty());
    match (io_error || printed.is_err(), found) {
        (true, _) => EXIT_ERROR,
        (false, true) => EXIT_FINDINGS,
        (false, false) => EXIT_CLEAN,
    }
}

/// Analyses one file if it is a pipeline file. Invalid UTF-8 is an `InvalidData` error.
fn check_file(path: &Path, options: &Arc<RuleOptions>) -> std::io::Result<Option<Checked>> {
    let bytes = std::fs::read(path)?;
    let text = String::from_utf8(bytes).map_err(|error| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not valid UTF-8 ({error}); skipped"))
    })?;
    let Some(kind) = kind::detect(&path.to_string_lossy(), &text) else {
        return Ok(None);
    };
    // Rules' panics are contained by the analysis; anything else is a bug to report, and
    // must not stop the other files from being checked.
    let report = catch_unwind(|| analyze_text_with(kind, &text, Arc::clone(options))).map_err(|payload| {
        std::io::Error::other(format!("internal error, please report it: {}", panic_message(payload.as_ref())))
    })?;
    Ok(Some(Checked { path: path.to_path_buf(), rope: Rope::from_str(&text), report }))
}

fn position(rope: &Rope, offset: usize) -> JsonPosition {
    let position = text::position_of(rope, offset, Encoding::Utf32);
    JsonPosition { line: position.line + 1, column: position.column + 1 }
}

fn print_json(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let findings = checked
        .iter()
        .flat_map(|file| {
            file.report.findings.iter().map(move |finding| JsonFinding {
                rule: finding.rule.id,
                tactic: finding.rule.technique.tactic().name(),
                technique: finding.rule.technique.name(),
                technique_id: finding.rule.technique.id(),
                severity: finding.severity.name(),
                confidence: finding.confidence.name(),
                path: file.path.display().to_string(),
                start: position(&file.rope, finding.range.start),
                end: position(&file.rope, finding.range.end),
                message: &finding.message,
            })
        })
        .collect();
    for file in checked {
        for error in &file.report.syntax_errors {
            let at = position(&file.rope, error.range.start);
            eprintln!("pipewarden: {}:{}:{}: syntax error: {}", file.path.display(), at.line, at.column, error.message);
        }
    }
    serde_json::to_writer_pretty(&mut *out, &JsonOutput { findings })?;
    writeln!(out)
}

fn print_text(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
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
        let path = attack_path(&file.report.findings);
        if !path.is_empty() {
            let summary = attack_path_summary(&path, &file.report.findings);
            writeln!(out, "{}: attack path: {summary}", file.path.display())?;
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

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
