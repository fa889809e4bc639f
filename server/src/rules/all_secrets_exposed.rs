//! `all-secrets-exposed`: `toJSON(secrets)` or `secrets[<computed>]` hands the job every secret.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::github::{Secrets, Step, Workflow};

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
through to the second secret when the first is empty, so check both exist). No quick fix is \
offered: which secrets a computed name or a whole-context dump needs is only known at run \
time.",
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

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        for text in workflow.header.env.vars.iter().filter_map(|var| var.value.as_ref()) {
            check(text, "every job", out);
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
            .chain(job.container.iter().chain(&job.services).filter_map(|container| container.password.as_ref()));
        for text in texts {
            check(text, &place, out);
        }
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let texts = step
            .run
            .as_ref()
            .map(|script| &script.text)
            .into_iter()
            .chain(step.with.iter().filter_map(|input| input.value.as_ref()))
            .chain(step.env.vars.iter().filter_map(|var| var.value.as_ref()))
            .chain(&step.condition);
        for text in texts {
            check(text, "the job", out);
        }
    }
}

fn check(text: &Text, place: &str, out: &mut Findings) {
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
            out.report(context.span, message).with_severity(severity);
        }
    }
}
