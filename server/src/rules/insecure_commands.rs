//! `insecure-commands`: the deprecated `set-env` and `add-path` workflow commands switched
//! back on.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Env;
use crate::model::github::{Step, Workflow};
use crate::model::workflow_commands::{self, FileCommand};

pub struct InsecureCommands;

/// The variable that switches them back on.
const SWITCH: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

static META: RuleMeta = RuleMeta {
    id: "insecure-commands",
    technique: Technique::DE05,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "`ACTIONS_ALLOW_UNSECURE_COMMANDS` lets anything a step prints set variables and `PATH`",
        detects: "`ACTIONS_ALLOW_UNSECURE_COMMANDS: true` in an `env:` of the workflow, a job or a \
step, or written to `$GITHUB_ENV` by a script. A value written as an expression is reported with \
medium confidence.",
        why: "The runner reads every line a step prints for workflow commands. GitHub disabled \
`::set-env::` and `::add-path::` in 2020 because any printed text (a test log, a pull \
request title, a dependency's output) could then set environment variables such as \
`LD_PRELOAD` or `BASH_ENV`, or put a directory first in `PATH`, for every later step of the \
job. This variable switches them back on.",
        attack: "Defense Evasion › Manipulate service logs (DE05): the attacker writes workflow \
commands into text the job prints, and the runner obeys the log instead of the workflow file. \
It leads to Execution (EX06) in the later steps, with their secrets (CA02).",
        example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    steps:
      - run: echo "::add-path::$HOME/.local/bin"
"#,
        fixed_example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$HOME/.local/bin" >> "$GITHUB_PATH"
"#,
        fix: "Remove the variable, and replace `echo \"::set-env name=NAME::value\"` with `echo \
\"NAME=value\" >> \"$GITHUB_ENV\"` and `echo \"::add-path::dir\"` with `echo \"dir\" >> \
\"$GITHUB_PATH\"`; update actions old enough to still print those commands. The quick fix \
removes the `env:` entry (and `env:` itself when it was the only entry). It is marked unsafe: \
a step that still prints `::set-env` or `::add-path` fails until it is rewritten.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(77, "Improper Neutralization of Special Elements used in a Command ('Command Injection')"),
        Reference::Zizmor("insecure-commands"),
        Reference::Link(
            "GitHub: Deprecating set-env and add-path commands",
            "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/",
        ),
    ],
};

impl Rule for InsecureCommands {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        report_env(&workflow.header.env, "the workflow's `env:`, so every job", out);
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        report_env(&context.job.env, "the job's `env:`, so every step", out);
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        report_env(&step.env, "the step's `env:`, so the step", out);
        let Some(script) = &step.run else {
            return;
        };
        for write in workflow_commands::file_writes(script) {
            if write.file == FileCommand::Env
                && write.name.as_deref() == Some(SWITCH)
                && enables(script.slice(write.value.clone()))
            {
                out.report(
                    script.span_of(write.command.clone()),
                    format!(
                        "this writes `{SWITCH}=true` to `$GITHUB_ENV`, so every later step of the job obeys \
                         `::set-env` and `::add-path` in anything it prints: whoever controls printed text can set \
                         variables such as `LD_PRELOAD` and `PATH` for the rest of the job"
                    ),
                );
            }
        }
    }
}

fn report_env(env: &Env, place: &str, out: &mut Findings) {
    for var in env.vars.iter().filter(|var| var.name.value == SWITCH) {
        let Some(value) = &var.value else { continue };
        let computed = !value.expressions.is_empty();
        if !computed && !enables(&value.value) {
            continue;
        }
        let finding = out.report(
            var.name.span,
            format!(
                "`{SWITCH}` in {place} obeys `::set-env` and `::add-path` in anything it prints: whoever controls \
                 printed text (a test's output, a title, a dependency's log) can set variables such as `LD_PRELOAD` and \
                 `PATH` for the rest of the job"
            ),
        );
        if computed {
            finding.with_confidence(Confidence::Medium);
        }
        if let Some(edit) = env.block.as_deref().and_then(|block| fix::remove_from_mapping(block, var.entry)) {
            finding.with_fix(Fix {
                title: format!("Remove `{SWITCH}`").into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
    }
}

/// Whether a value switches the commands on, as the runner reads it.
fn enables(value: &str) -> bool {
    let value = value.trim().trim_matches(['"', '\'']);
    value.eq_ignore_ascii_case("true") || value == "1"
}
