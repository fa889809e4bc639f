//! `pipewarden paths`: the attack paths through each file's findings, as numbered steps or
//! as JSON.

use std::io::Write;

use serde::Serialize;

use super::check::{self, Options};
use super::output::json::{JsonFinding, JsonPosition, position};
use super::output::{Checked, Format};
use super::{EXIT_ERROR, usage_error};
use crate::analysis::{AttackPath, Step};
use crate::text::plural;

/// One path as `paths --format json` prints it.
#[derive(Serialize)]
struct JsonPath<'a> {
    path: String,
    job: &'a str,
    /// `outsider`, `developer` or `maintainer`.
    starter: &'static str,
    how: &'a str,
    entry: JsonPosition,
    /// Whether the path gets past execution to something the job holds or damages.
    complete: bool,
    tactics: Vec<&'static str>,
    summary: String,
    outcome: &'a str,
    steps: Vec<JsonStep<'a>>,
}

/// A step: a finding as `check --format json` prints it, or what the job holds.
#[derive(Serialize)]
#[serde(untagged)]
enum JsonStep<'a> {
    Finding(JsonFinding<'a>),
    Asset(JsonAsset<'a>),
}

#[derive(Serialize)]
struct JsonAsset<'a> {
    /// Always `asset`: no rule reports it, the path found it in the job.
    kind: &'static str,
    tactic: &'static str,
    technique: &'static str,
    technique_id: &'static str,
    path: String,
    start: JsonPosition,
    end: JsonPosition,
    holds: &'a str,
}

#[derive(Serialize)]
struct JsonPaths<'a> {
    paths: Vec<JsonPath<'a>>,
}

pub fn run(args: &[String], out: &mut impl Write) -> i32 {
    let options = match Options::parse(args) {
        Ok(options) => options,
        Err(message) => return usage_error(&message),
    };
    if options.fix.is_some() || options.write_baseline.is_some() {
        return usage_error("paths does not fix or write baselines; use check for that");
    }
    if !matches!(options.format, Format::Text | Format::Json) {
        return usage_error("paths prints text or json");
    }
    let (checked, io_error) = match check::analysed(&options) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    let printed = match options.format {
        Format::Json => print_json(&checked, out),
        _ => print_text(&checked, out),
    };
    if printed.is_err() {
        return EXIT_ERROR;
    }
    let found = checked.iter().any(|file| !file.report.paths.is_empty());
    check::exit_code(io_error, found)
}

fn print_text(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let mut count = 0;
    for file in checked {
        for path in &file.report.paths {
            count += 1;
            print_path(file, path, count, out)?;
        }
    }
    let files = checked.len();
    match count {
        0 => writeln!(out, "No attack path found in {files} file{}.", plural(files)),
        _ => {
            let with_paths = checked.iter().filter(|file| !file.report.paths.is_empty()).count();
            writeln!(out, "{count} attack path{} in {with_paths} of {files} file{}.", plural(count), plural(files))
        }
    }
}

/// A path as a heading, its entry, its numbered steps and where it ends.
fn print_path(file: &Checked, path: &AttackPath, number: usize, out: &mut impl Write) -> std::io::Result<()> {
    let findings = &file.report.findings;
    let shown = file.path.display();
    let entry = position(&file.rope, path.entry.range.start);
    writeln!(out, "Attack path {number}: job `{}` of {shown}", path.job)?;
    writeln!(out, "  {}", path.summary(findings))?;
    writeln!(out, "  starts: {} ({shown}:{})", path.entry.how, entry.line)?;
    for (number, step) in path.steps.iter().enumerate() {
        let (technique, range) = path.locate(step, findings);
        let at = position(&file.rope, range.start);
        let what = match *step {
            Step::Finding(index) => {
                let finding = &findings[index];
                format!("{}[{}] {}", finding.severity.name(), finding.rule.id, finding.message)
            }
            Step::Asset(_) => format!("holds {}", path.describe(step, findings)),
        };
        writeln!(
            out,
            "  {}. {shown}:{}:{} {} › {} {}: {what}",
            number + 1,
            at.line,
            at.column,
            technique.tactic().name(),
            technique.id(),
            technique.name(),
        )?;
    }
    if path.complete {
        writeln!(out, "  gains: {}\n", path.outcome)?;
    } else {
        writeln!(out, "  stops at execution: nothing found that the job holds or can damage\n")?;
    }
    Ok(())
}

fn json_step<'a>(file: &'a Checked, path: &'a AttackPath, step: &Step) -> JsonStep<'a> {
    match *step {
        Step::Finding(index) => JsonStep::Finding(JsonFinding::new(file, &file.report.findings[index])),
        Step::Asset(index) => {
            let asset = &path.assets[index];
            JsonStep::Asset(JsonAsset {
                kind: "asset",
                tactic: asset.technique.tactic().name(),
                technique: asset.technique.name(),
                technique_id: asset.technique.id(),
                path: file.path.display().to_string(),
                start: position(&file.rope, asset.range.start),
                end: position(&file.rope, asset.range.end),
                holds: &asset.what,
            })
        }
    }
}

fn print_json(checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    let paths = checked
        .iter()
        .flat_map(|file| {
            file.report.paths.iter().map(move |path| JsonPath {
                path: file.path.display().to_string(),
                job: &path.job,
                starter: path.entry.starter.name(),
                how: &path.entry.how,
                entry: position(&file.rope, path.entry.range.start),
                complete: path.complete,
                tactics: path.tactics(&file.report.findings).into_iter().map(|tactic| tactic.name()).collect(),
                summary: path.summary(&file.report.findings),
                outcome: &path.outcome,
                steps: path.steps.iter().map(|step| json_step(file, path, step)).collect(),
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &JsonPaths { paths })?;
    writeln!(out)
}
