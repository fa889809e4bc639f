//! `pipewarden threat-model`: a Markdown report that answers the threat-modelling method's
//! five questions (inputs, risks, attack, log source, detection) for each pipeline file, then
//! says what to change first.

use std::fmt::Write;

use super::{AnalysedFile, counts_text, severity_counts, techniques_found};
use crate::analysis::{AttackPath, Starter, Step};
use crate::matrix::{Tactic, Technique};
use crate::model::{contexts, gitlab_variables};
use crate::rules::docs::{Detection, detection};
use crate::rules::{RuleMeta, Severity};
use crate::text::plural;

/// How many fixes "What to change first" names before pointing at the risks for the rest.
const FIRST_FIXES: usize = 5;

/// The threat model of the analysed files, as Markdown.
pub fn threat_model(files: &[AnalysedFile]) -> String {
    let mut text = String::from("# Threat model\n\n");
    text.push_str(
        "Written by `pipewarden threat-model` for each pipeline file, following the CI/CD threat \
         matrix's five questions: inputs, risks, attack, log source and detection, then what to \
         change first.\n\n",
    );
    overview(&mut text, files);
    for file in files {
        section(&mut text, file);
    }
    text
}

fn overview(text: &mut String, files: &[AnalysedFile]) {
    let with_findings = files.iter().filter(|file| !file.report.findings.is_empty()).count();
    let paths: Vec<&AttackPath> = files.iter().flat_map(|file| &file.report.paths).collect();
    let walkable = paths.iter().filter(|path| path.complete && path.entry.starter == Starter::Outsider).count();
    let _ = writeln!(text, "## Overview\n");
    let _ = writeln!(text, "- {} pipeline file{}, {with_findings} with findings", files.len(), plural(files.len()));
    let findings: usize = files.iter().map(|file| file.report.findings.len()).sum();
    let _ = writeln!(text, "- {findings} finding{}: {}", plural(findings), counts_text(&severity_counts(files)));
    let _ = writeln!(
        text,
        "- {} attack path{}, {walkable} of them complete and open to outsiders\n",
        paths.len(),
        plural(paths.len())
    );
}

fn section(text: &mut String, file: &AnalysedFile) {
    let _ = writeln!(text, "## `{}`\n", file.path);
    if file.report.findings.is_empty() {
        let _ = writeln!(text, "No findings: nothing in this file opens a technique of the matrix.\n");
        return;
    }
    inputs(text, file);
    risks(text, file);
    attack(text, file);
    let techniques = techniques_on_record(file);
    detections(text, "Log source", &techniques, |found| &found.log_source);
    detections(text, "Detection", &techniques, |found| &found.detection);
    change_first(text, file);
}

/// Question 1: who can start the file's jobs, who can start its attack paths, and the
/// attacker-controlled data its findings name.
fn inputs(text: &mut String, file: &AnalysedFile) {
    let _ = writeln!(text, "### Inputs\n");
    if file.report.starts.is_empty() {
        let _ =
            writeln!(text, "- Who can start it: no trigger of its own; it runs when the workflow that uses it runs.");
    }
    for start in &file.report.starts {
        let _ = writeln!(
            text,
            "- Who can start it ({}): {} (`{}`)",
            start.starter.name(),
            start.how,
            file.at(start.range.start)
        );
    }
    let mut starters: Vec<(Starter, usize)> = Vec::new();
    for path in &file.report.paths {
        match starters.iter_mut().find(|(starter, _)| *starter == path.entry.starter) {
            Some((_, count)) => *count += 1,
            None => starters.push((path.entry.starter, 1)),
        }
    }
    if starters.is_empty() {
        let _ = writeln!(text, "- Attack paths start from: none");
    } else {
        starters.sort();
        let list: Vec<String> = starters
            .iter()
            .map(|(starter, count)| format!("{} ({count} path{})", starter.name(), plural(*count)))
            .collect();
        let _ = writeln!(text, "- Attack paths start from: {}", list.join(", "));
    }
    let data = attacker_data(file);
    let named = if data.is_empty() { "none".to_owned() } else { data.join(", ") };
    let _ = writeln!(text, "- Attacker-controlled data the findings name: {named}\n");
}

/// The contexts and predefined variables named in the findings' messages that someone other
/// than the maintainers can choose, in backticks, each once.
fn attacker_data(file: &AnalysedFile) -> Vec<String> {
    let mut data: Vec<String> = Vec::new();
    for finding in &file.report.findings {
        // Messages quote code between backticks: the quoted parts are the odd ones.
        for quoted in finding.message.split('`').skip(1).step_by(2) {
            let chosen = contexts::is_attacker_controlled(quoted)
                || quoted.strip_prefix('$').and_then(gitlab_variables::fact).is_some();
            let shown = format!("`{quoted}`");
            if chosen && !data.contains(&shown) {
                data.push(shown);
            }
        }
    }
    data
}

/// Question 2: the techniques the findings open, by tactic in the matrix's order.
fn risks(text: &mut String, file: &AnalysedFile) {
    let _ = writeln!(text, "### Risks\n");
    let findings = &file.report.findings;
    for tactic in Tactic::ALL {
        let mut of_tactic: Vec<_> =
            findings.iter().filter(|finding| finding.rule.technique.tactic() == tactic).collect();
        if of_tactic.is_empty() {
            continue;
        }
        of_tactic.sort_by_key(|finding| (finding.rule.technique, std::cmp::Reverse(finding.severity)));
        let _ = writeln!(text, "**{}** ({}): the attacker is {}.\n", tactic.name(), tactic.id(), tactic.goal());
        for finding in of_tactic {
            let _ = writeln!(
                text,
                "- {} {}: {} `{}` at `{}`: {}",
                finding.rule.technique.id(),
                finding.rule.technique.name(),
                finding.severity.name(),
                finding.rule.id,
                file.at(finding.range.start),
                finding.message,
            );
        }
        text.push('\n');
    }
}

/// Question 3: the attack paths, as numbered steps.
fn attack(text: &mut String, file: &AnalysedFile) {
    let _ = writeln!(text, "### Attack\n");
    if file.report.paths.is_empty() {
        let _ = writeln!(text, "No attack path: no finding here lets whoever starts a job run their own code in it.\n");
        return;
    }
    let findings = &file.report.findings;
    for (number, path) in file.report.paths.iter().enumerate() {
        let _ = writeln!(text, "**Path {}**, job `{}`: {}\n", number + 1, path.job, path.summary(findings));
        let _ = writeln!(text, "Starts: {} (`{}`)\n", path.entry.how, file.at(path.entry.range.start));
        for (step_number, step) in path.steps.iter().enumerate() {
            let (technique, range) = path.locate(step, findings);
            let what = match *step {
                Step::Finding(index) => {
                    let finding = &findings[index];
                    format!("{} `{}`: {}", finding.severity.name(), finding.rule.id, finding.rule.docs.summary)
                }
                Step::Asset(_) => format!("holds {}", path.describe(step, findings)),
            };
            let _ = writeln!(
                text,
                "{}. `{}` {} › {} {}: {what}",
                step_number + 1,
                file.at(range.start),
                technique.tactic().name(),
                technique.id(),
                technique.name(),
            );
        }
        if path.complete {
            let _ = writeln!(text, "\nGains: {}\n", path.outcome);
        } else {
            let _ = writeln!(text, "\nStops at execution: nothing found that the job holds or can damage.\n");
        }
    }
}

/// The techniques of the findings and of what the paths' jobs hold, in the matrix's order.
fn techniques_on_record(file: &AnalysedFile) -> Vec<Technique> {
    let mut techniques = techniques_found(file.report);
    techniques.extend(file.report.paths.iter().flat_map(|path| path.assets.iter().map(|asset| asset.technique)));
    techniques.sort();
    techniques.dedup();
    techniques
}

/// Questions 4 and 5: for each technique, where the attack would show or what to alert on.
fn detections(text: &mut String, heading: &str, techniques: &[Technique], field: fn(&Detection) -> &String) {
    let _ = writeln!(text, "### {heading}\n");
    let documented: Vec<(Technique, &Detection)> =
        techniques.iter().filter_map(|&technique| Some((technique, detection(technique)?))).collect();
    if documented.is_empty() {
        let _ = writeln!(text, "Nothing documented for the techniques of this file.\n");
        return;
    }
    for (technique, found) in documented {
        let _ = writeln!(text, "- **{} {}**: {}", technique.id(), technique.name(), field(found));
    }
    text.push('\n');
}

/// A rule's findings in a file, as one fix.
struct Fix {
    rule: &'static RuleMeta,
    severity: Severity,
    /// The position of the best attack path through its findings; `None` when on none.
    best_path: Option<usize>,
    lines: Vec<usize>,
}

/// The fixes that cut the most first: those on the best attack paths (complete ones that
/// outsiders can start come first, as paths are ranked), then the most severe.
fn change_first(text: &mut String, file: &AnalysedFile) {
    let _ = writeln!(text, "### What to change first\n");
    let mut fixes: Vec<Fix> = Vec::new();
    for (index, finding) in file.report.findings.iter().enumerate() {
        let best_path = file.report.paths.iter().position(|path| path.steps.contains(&Step::Finding(index)));
        let line = file.line(finding.range.start);
        match fixes.iter_mut().find(|fix| fix.rule.id == finding.rule.id) {
            Some(fix) => {
                fix.severity = fix.severity.max(finding.severity);
                fix.best_path = match (fix.best_path, best_path) {
                    (Some(known), Some(this)) => Some(known.min(this)),
                    (known, this) => known.or(this),
                };
                fix.lines.push(line);
            }
            None => fixes.push(Fix { rule: finding.rule, severity: finding.severity, best_path, lines: vec![line] }),
        }
    }
    fixes.sort_by_key(|fix| (fix.best_path.is_none(), fix.best_path, std::cmp::Reverse(fix.severity), fix.lines[0]));
    for (number, fix) in fixes.iter().take(FIRST_FIXES).enumerate() {
        let lines: Vec<String> = fix.lines.iter().map(usize::to_string).collect();
        let on_path = match fix.best_path {
            Some(path) => format!(", on attack path {}", path + 1),
            None => String::new(),
        };
        let remedy = fix.rule.docs.fix.split("\n\n").next().unwrap_or_default();
        let _ = writeln!(
            text,
            "{}. `{}` ({}, line{} {}{on_path}): {}. {remedy}",
            number + 1,
            fix.rule.id,
            fix.severity.name(),
            plural(lines.len()),
            lines.join(", "),
            fix.rule.docs.summary,
        );
    }
    if fixes.len() > FIRST_FIXES {
        let rest = fixes.len() - FIRST_FIXES;
        let _ = writeln!(text, "\nThen the {rest} other rule{} under Risks.", plural(rest));
    }
    text.push('\n');
}
