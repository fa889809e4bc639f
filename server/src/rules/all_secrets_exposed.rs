//! `all-secrets-exposed`: `toJSON(secrets)` or `secrets[<computed>]` hands the job every secret.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::github::{Job, Secrets, Step, Workflow};
use crate::syntax::span::Span;

pub struct AllSecretsExposed;

static META: RuleMeta = RuleMeta {
    id: "all-secrets-exposed",
    technique: Technique::CA02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Every secret of the repository and organisation is made available to the job",
        detects: "The `secrets` context read whole (`${{ toJSON(secrets) }}`, high: every \
secret's value is written where the steps read it) or indexed by a computed name \
(`${{ secrets[matrix.token_name] }}`, `${{ secrets[format('{0}_KEY', inputs.env)] }}`, \
medium), anywhere in a workflow: scripts, inputs, `env:` at any level, reusable workflow \
calls. `secrets['NAME']` with a literal name is an ordinary reference and is not reported.",
        why: "GitHub sends a job only the secrets its expressions name. When the name is \
computed, or the whole context is read, it cannot tell which ones are needed and sends all of \
them: every repository, environment and organisation secret the workflow can see is then in \
the runner's memory, and with `toJSON(secrets)` in plain text in an environment variable or a \
script. Any code that runs in the job can take them all, not just the one the step meant to \
use.",
        attack: "Credential Access › Env variables stored in CI/CD (CA02): one foothold in \
the job (a compromised action or dependency, IA03/EX02, or an injection, EX06) yields every \
secret at once, credentials for systems unrelated to this workflow included, which opens \
Lateral Movement to them (LM03, LM04).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  publish:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        registry: [NPM_TOKEN, JSR_TOKEN]
    steps:
      - run: ./publish.sh
        env:
          TOKEN: ${{ secrets[matrix.registry] }}
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  publish-npm:
    runs-on: ubuntu-latest
    steps:
      - run: ./publish.sh
        env:
          TOKEN: ${{ secrets.NPM_TOKEN }}
  publish-jsr:
    runs-on: ubuntu-latest
    steps:
      - run: ./publish.sh
        env:
          TOKEN: ${{ secrets.JSR_TOKEN }}
"#,
        fix: "Name each secret where it is used: `${{ secrets.NPM_TOKEN }}` in the `env:` of \
the step that needs it. A matrix that picks a secret by name becomes one job (or one step) \
per secret, or a matrix value that selects among literal references \
(`${{ matrix.registry == 'npm' && secrets.NPM_TOKEN || secrets.JSR_TOKEN }}`, which falls \
through to the second secret when the first is empty, so check both exist). For \
`secrets[matrix.KEY]` where the job's matrix lists every value of `KEY` as a secret's name, \
the quick fix \"Name each secret the matrix picks\" writes that choice out: \
`(matrix.KEY == 'NPM_TOKEN' && secrets.NPM_TOKEN || matrix.KEY == 'JSR_TOKEN' && \
secrets.JSR_TOKEN || '')`, so GitHub sends only those secrets. It is safe: for each value \
the matrix lists it gives the same secret (an empty one gives the empty string, as before). \
No fix is offered for `toJSON(secrets)`, other computed names, or a matrix whose values are \
not all written in the file: which secrets those need is only known at run time.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(200, "Exposure of Sensitive Information to an Unauthorized Actor"),
        Reference::Zizmor("overprovisioned-secrets"),
        Reference::Poutine("job_all_secrets"),
        Reference::CodeQl("actions/excessive-secrets-exposure"),
    ],
};

impl Rule for AllSecretsExposed {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        for text in workflow.header.env.vars.iter().filter_map(|var| var.value.as_ref()) {
            check(text, "every job", None, out);
        }
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        let place = format!("job `{}`", job.id.value);
        let passed = job.secrets.iter().flat_map(|secrets| match secrets {
            Secrets::Passed(inputs) => inputs.as_slice(),
            Secrets::Inherit(_) => &[],
        });
        let texts = job
            .env
            .vars
            .iter()
            .filter_map(|var| var.value.as_ref())
            .chain(job.with.iter().chain(passed).filter_map(|input| input.value.as_ref()))
            .chain(
                job.container
                    .as_deref()
                    .into_iter()
                    .chain(&job.services)
                    .filter_map(|container| container.password.as_ref()),
            );
        for text in texts {
            check(text, &place, Some(job), out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let texts = step
            .run
            .as_ref()
            .map(|script| &script.text)
            .into_iter()
            .chain(step.with.iter().filter_map(|input| input.value.as_ref()))
            .chain(step.env.vars.iter().filter_map(|var| var.value.as_ref()))
            .chain(step.condition.as_deref());
        for text in texts {
            check(text, "the job", context.job(), out);
        }
    }
}

/// `job`: the job the text is in, whose matrix a computed name may be read from.
fn check(text: &Text, place: &str, job: Option<&Job>, out: &mut Findings) {
    for expression in &text.expressions {
        for context in &expression.contexts {
            let (message, severity) = match context.path.as_str() {
                "secrets" => (
                    format!(
                        "`{}` reads the whole `secrets` context: GitHub sends every repository, environment and \
                         organisation secret to {place}, and any code that runs there can read them all",
                        expression.source
                    ),
                    if context.reaches_result { Severity::High } else { Severity::Medium },
                ),
                "secrets.*" => (
                    format!(
                        "`{}` picks a secret by a computed name: GitHub cannot tell which one is needed and sends \
                         every repository, environment and organisation secret to {place}",
                        expression.source
                    ),
                    Severity::Medium,
                ),
                _ => continue,
            };
            let finding = out.report(context.span, message).with_severity(severity);
            if let Some(fix) = job.and_then(|job| name_matrix_secrets(text, context.span, job)) {
                finding.with_fix(fix);
            }
        }
    }
}

/// At most this many secrets are written out: a longer chain is no longer readable.
const MAX_NAMED: usize = 8;

/// For `secrets[matrix.KEY]` (at `span` of `text`) where every value the job's matrix gives
/// `KEY` is a secret's name: the same choice with each secret named.
fn name_matrix_secrets(text: &Text, span: Span, job: &Job) -> Option<Fix> {
    let start = text.value_offset(span)?;
    let end = text.value_offset(span.at_end())?;
    let written = text.value.get(start..end)?;
    let index = written.strip_prefix("secrets[")?.strip_suffix(']')?.trim();
    let key = index.strip_prefix("matrix.")?;
    let is_name = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for value in job.matrix_values(key) {
        let name = value.value.trim();
        if !is_name(name) || !value.expressions.is_empty() {
            return None;
        }
        if !names.iter().any(|known| known.eq_ignore_ascii_case(name)) {
            names.push(name);
        }
    }
    if names.is_empty() || names.len() > MAX_NAMED {
        return None;
    }
    let choices: Vec<String> = names.iter().map(|name| format!("matrix.{key} == '{name}' && secrets.{name}")).collect();
    let replacement = format!("({} || '')", choices.join(" || "));
    Some(Fix {
        title: "Name each secret the matrix picks".into(),
        applicability: Applicability::Safe,
        edits: vec![fix::replace_in_text(text, span, &replacement)?],
    })
}
