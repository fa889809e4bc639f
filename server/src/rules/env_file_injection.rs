//! `env-file-injection`: attacker-controlled text written to `$GITHUB_ENV`, `$GITHUB_PATH`
//! or `$GITHUB_OUTPUT`, where a line break in it adds entries of the attacker's choosing.

use std::ops::Range;

use super::{
    Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext, fix, taint,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::contexts::{Controller, Taint};
use crate::model::expr;
use crate::model::github::Step;
use crate::model::shell::{RedirectOp, Script};
use crate::model::workflow_commands::{self, Delimiter, FileCommand, FileWrite};
use crate::syntax::span::Span;
use crate::syntax::yaml::ScalarStyle;

pub struct EnvFileInjection;

static META: RuleMeta = RuleMeta {
    id: "env-file-injection",
    technique: Technique::EX06,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Attacker-controlled text is written to `$GITHUB_ENV`, `$GITHUB_PATH` or `$GITHUB_OUTPUT`",
        detects: "A `run:` script that writes a value someone other than the maintainers \
chooses (issue, pull request and comment text, commit messages, and values that carry them \
through `env:`, step outputs or the event file) to one of the runner's command files: \
`$GITHUB_ENV` (`NAME=value` lines become environment variables of every later step), \
`$GITHUB_PATH` (each line is prepended to `PATH`) or `$GITHUB_OUTPUT` (the step's outputs). \
Writes inside a `NAME<<DELIMITER` block are reported when the delimiter is fixed text such as \
`EOF`, and not when it is random (`EOF_$RANDOM`, `$(openssl rand -hex 16)`, `$(uuidgen)`). Git \
branch and tag names cannot hold a line break and are not reported. Severity follows who \
controls the value and what the run holds, as for `expression-injection`, except that inputs \
of reusable workflows and actions are low (their callers are mostly the repository's own \
workflows, passing fixed values); writes to `$GITHUB_OUTPUT` are one level lower, since an output only matters where it is later used \
unsafely. `core.exportVariable` and `core.setOutput` in `actions/github-script` write with a \
random delimiter and are not reported.",
        why: "The runner reads these files line by line. A value with a line break in it ends \
its own line, and the next line is the attacker's: `LD_PRELOAD=/tmp/x.so`, \
`BASH_ENV=/tmp/x.sh` or `NODE_OPTIONS=--require=/tmp/x.js` make every later step of the job run \
the attacker's code, a line in `$GITHUB_PATH` puts their directory in front of `git` and \
`node`, and a line in `$GITHUB_OUTPUT` forges another output of the step. A fixed delimiter \
does not help: the attacker writes the delimiter line themselves and continues after it.",
        attack: "Execution › Modify CI/CD configurations (EX06): the attacker changes the \
environment the job's later steps run in without touching the repository, and with it what \
those steps execute. From there Credential Access (CA02) reads the job's secrets and token; on \
`pull_request_target`, `issue_comment` or `workflow_run` the token can write to the \
repository (PE05).",
        example: r#"on: issue_comment
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - env:
          COMMENT: ${{ github.event.comment.body }}
        run: |
          echo "COMMENT_BODY=$COMMENT" >> "$GITHUB_ENV"
      - run: ./scripts/triage.sh
"#,
        fixed_example: r#"on: issue_comment
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - env:
          COMMENT: ${{ github.event.comment.body }}
        run: |
          { random_eof="EOF_$(openssl rand -hex 16)"; echo "COMMENT_BODY<<$random_eof"; echo "$COMMENT"; echo "$random_eof"; } >> "$GITHUB_ENV"
      - run: ./scripts/triage.sh
"#,
        fix: "Write values that may hold a line break as a multi-line entry with a random \
delimiter, which the attacker cannot guess and so cannot end: \
`{ d=\"EOF_$(openssl rand -hex 16)\"; echo \"NAME<<$d\"; echo \"$VALUE\"; echo \"$d\"; } >> \
\"$GITHUB_ENV\"`. Better still, pass the value to the steps that need it through their own \
`env:` instead of `$GITHUB_ENV`. Never write attacker-controlled text to `$GITHUB_PATH`. \
The quick fix, for `echo \"NAME=value\" >> \"$GITHUB_ENV\"` (or `$GITHUB_OUTPUT`) in a block \
script, rewrites the command into that form and moves any `${{ }}` expression of the value \
into the step's `env:`. It is marked unsafe: it needs `openssl` on the runner (present on \
GitHub-hosted runners), and a later step that relied on the value being cut at a line break \
now sees all of it.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(93, "Improper Neutralization of CRLF Sequences ('CRLF Injection')"),
        Reference::Zizmor("github-env"),
        Reference::CodeQl("actions/envvar-injection/critical"),
        Reference::CodeQl("actions/envpath-injection/critical"),
        Reference::Link(
            "GitHub: Workflow commands, multiline strings",
            "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions#multiline-strings",
        ),
    ],
};

impl Rule for EnvFileInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let Some(script) = &step.run else {
            return;
        };
        let scope = context.scope();
        let files = [FileCommand::Env, FileCommand::Path, FileCommand::Output];
        for write in workflow_commands::file_writes(script).iter().filter(|write| files.contains(&write.file)) {
            let value = trimmed(script, write.value.clone());
            if value.is_empty() || write.delimiter.as_ref().is_some_and(|delimiter| delimiter.random) {
                continue;
            }
            let Some(taint) = scope.taint_in_script(script, value.clone()).filter(|taint| taint.multiline) else {
                continue;
            };
            let finding = out.report(script.span_of(value), message(write, &taint));
            finding.with_severity(severity(write.file, &taint)).with_confidence(taint::injection_confidence(&taint));
            if let Some(fix) = delimiter_fix(step, script, write) {
                finding.with_fix(fix);
            }
        }
    }
}

/// A range of the script without the quotes and spaces around it.
fn trimmed(script: &Script, range: Range<usize>) -> Range<usize> {
    let text = script.slice(range.clone());
    let quotes = |c: char| c.is_whitespace() || c == '"' || c == '\'';
    let start = range.start + (text.len() - text.trim_start_matches(quotes).len());
    let end = range.end - (text.len() - text.trim_end_matches(quotes).len());
    start..end.max(start)
}

fn severity(file: FileCommand, taint: &Taint) -> Severity {
    let severity = match taint.controller {
        // The callers of a reusable workflow or an action are mostly the repository's own
        // workflows passing fixed values; one that passes outsider text is reported there.
        Controller::Caller => Severity::Low,
        _ => taint::injection_severity(taint),
    };
    if file != FileCommand::Output {
        return severity;
    }
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

fn message(write: &FileWrite, taint: &Taint) -> String {
    let file = write.file.variable();
    let effect = match write.file {
        FileCommand::Path => "put a directory of their choice in front of `PATH` for every later step".to_owned(),
        FileCommand::Output => "forge any other output of this step, which later steps and jobs trust".to_owned(),
        _ => "set any environment variable (`LD_PRELOAD`, `BASH_ENV`, `NODE_OPTIONS`...) for every later step, \
              and run their code there"
            .to_owned(),
    };
    let how = match &write.delimiter {
        Some(Delimiter { text: delimiter, .. }) => format!(
            "between `<<{delimiter}` and `{delimiter}` lines: with a line `{delimiter}` of its own, the value ends \
             the block and its next lines are new entries"
        ),
        None => "as one line: a line break in the value starts a new entry".to_owned(),
    };
    format!("`${file}` gets {}, {how}. Whoever writes it ({}) can {effect}", taint.describe(), taint::who(taint))
}

/// Rewrites `echo "NAME=value" >> "$GITHUB_ENV"` into a block with a random delimiter, and
/// moves the `${{ }}` expressions of the value into the step's `env:`.
fn delimiter_fix(step: &Step, script: &Script, write: &FileWrite) -> Option<Fix> {
    let name = write.name.as_deref().filter(|_| write.file != FileCommand::Path && write.delimiter.is_none())?;
    if !matches!(script.text.style, ScalarStyle::Literal | ScalarStyle::Folded) {
        return None;
    }
    let command = script.commands.iter().find(|command| command.range == write.command && command.depth == 0)?;
    let [word] = command.args() else {
        return None;
    };
    let [redirect] = &*command.redirects else {
        return None;
    };
    if command.name() != Some("echo")
        || command.piped_to.is_some()
        || command.piped_from.is_some()
        || script.group_redirects(command).next().is_some()
        || redirect.op != RedirectOp::Append
    {
        return None;
    }
    let target = script.slice(redirect.target.as_ref()?.range.clone());
    let opening = script.slice(word.range.start..write.value.start).strip_suffix(&format!("{name}="))?;
    let value = script.slice(write.value.start..word.range.end);
    if !matches!(opening, "" | "\"") || value.contains('\'') {
        return None;
    }
    // `${{ path }}` in the value becomes `${VAR}`, with `VAR: ${{ path }}` in the step's env.
    let mut rewritten = String::new();
    let mut declared: Vec<(String, String)> = Vec::new();
    let mut copied = 0;
    for expression in expr::find_expressions(value, Span::document(0..value.len())) {
        let [context] = expression.contexts.as_slice() else {
            return None;
        };
        if expression.source != context.path {
            return None;
        }
        let variable = match declared.iter().find(|(_, path)| *path == context.path) {
            Some((variable, _)) => variable.clone(),
            None => {
                let variable = fix::env_name(&context.path, step)?;
                if declared.iter().any(|(taken, _)| *taken == variable) {
                    return None;
                }
                declared.push((variable.clone(), context.path.clone()));
                variable
            }
        };
        let (start, end) = (expression.span.start as usize, expression.span.end as usize);
        rewritten.push_str(value.get(copied..start)?);
        rewritten.push_str(&format!("${{{variable}}}"));
        copied = end;
    }
    rewritten.push_str(value.get(copied..)?);
    let replacement = format!(
        "{{ random_eof=\"EOF_$(openssl rand -hex 16)\"; echo \"{name}<<$random_eof\"; echo {opening}{rewritten}; \
         echo \"$random_eof\"; }} >> {target}"
    );
    let mut edits = vec![Edit::replace(script.span_of(command.range.clone()), replacement)];
    if !declared.is_empty() {
        let entries: Vec<String> =
            declared.iter().map(|(variable, path)| format!("{variable}: ${{{{ {path} }}}}")).collect();
        edits.push(fix::add_to_mapping(
            step.env.block.as_deref(),
            "env",
            step.first_key,
            step.key_column,
            &entries.join("\n"),
        )?);
    }
    Some(Fix {
        title: format!("Write `{name}` with a random delimiter").into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}
