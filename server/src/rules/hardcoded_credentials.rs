//! `hardcoded-credentials`: a credential written into a workflow or action as a literal.

use super::secrets::{Entry, report_literals};
use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Env;
use crate::model::github::{Container, Input, Secrets, Step, Workflow};

pub struct HardcodedCredentials;

static META: RuleMeta = RuleMeta {
    id: "hardcoded-credentials",
    technique: Technique::IA04,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A credential is written into the workflow as a literal",
        detects: "Token-shaped literals anywhere in a workflow's or action's values (`env:`, `with:`, \
`run:` scripts, job outputs, matrices, secrets passed to reusable workflows): GitHub tokens \
(`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), AWS access key IDs, Slack tokens and \
webhook URLs, npm, PyPI and GitLab tokens, Google API keys, Stripe live keys and private keys \
(high). Literal passwords of `container:` and `services:` registry `credentials:` (medium). \
`env:` and `with:` entries whose name says they hold a secret (`DB_PASSWORD`, `api-key`, \
`SLACK_TOKEN`) set to a literal: medium when the value looks generated, low when it is \
word-like. Expressions (`${{ secrets.X }}`), variable references, placeholders (`changeme`, \
`xxx`, `<token>`, `***`), obviously fake tokens (`AKIAIOSFODNN7EXAMPLE`) and the throwaway \
passwords of test services (`postgres`, `root`) are not reported. Messages never show the \
value, only the public prefix of a token's shape.",
        why: "Whoever can read the file can use the credential: everyone, for a public repository, \
and for a private one every collaborator, every fork and every tool that clones it. It stays \
in the git history after it is removed from the file, and it is never rotated with the secrets \
the team manages.",
        attack: "Initial Access › Valid CI/CD user account (IA04): the attacker reads the token \
from the repository and signs in as the pipeline's identity: a GitHub token pushes code \
(Persistence, PE05), a registry password publishes images (Impact, IM03), a cloud key reaches \
the cloud account (Lateral Movement).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - env:
          SLACK_TOKEN: Pq8rT2mWv5Ln7Kp3Xc9B
        run: ./notify.sh
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - env:
          SLACK_TOKEN: ${{ secrets.SLACK_TOKEN }}
        run: ./notify.sh
"#,
        fix: "Revoke the credential first: it has been exposed for as long as it has been in the \
repository's history. Then store a new one as an encrypted secret (repository, environment or \
organisation settings) and read it with `${{ secrets.NAME }}`, or better, replace it with a \
short-lived credential (OIDC federation, a GitHub App token, `GITHUB_TOKEN`). No quick fix is \
offered: revoking and storing the secret happen outside the file, and the value must not simply \
be deleted from a pipeline that uses it.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(798, "Use of Hard-coded Credentials"),
        Reference::Zizmor("hardcoded-container-credentials"),
        Reference::Link(
            "GitHub: Using secrets in GitHub Actions",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
        ),
    ],
};

/// Where a literal secret belongs instead.
const INSTEAD: &str = "store it as an encrypted secret and read it with `${{ secrets.NAME }}`";

impl Rule for HardcodedCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        check_env(&workflow.header.env, "the workflow's", out);
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        check_env(&job.env, "the job's", out);
        check_inputs(&job.with, "the `with:` input", out);
        if let Some(Secrets::Passed(secrets)) = &job.secrets {
            check_inputs(secrets, "the secret passed as", out);
        }
        check_inputs(&job.outputs, "the job output", out);
        for values in &job.matrix {
            for value in &values.values {
                let place = format_args!("the matrix value of `{}`", values.key);
                report_literals(out, value, Entry::Unnamed, place, INSTEAD);
            }
        }
        for container in job.container.as_deref().into_iter().chain(&job.services) {
            check_container(container, out);
        }
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        check_env(&step.env, "the step's", out);
        check_inputs(&step.with, "the `with:` input", out);
        if let Some(run) = &step.run {
            report_literals(out, &run.text, Entry::Unnamed, format_args!("the `run:` script"), INSTEAD);
        }
    }
}

fn check_env(env: &Env, whose: &str, out: &mut Findings) {
    for var in &env.vars {
        if let Some(value) = &var.value {
            let place = format_args!("`{}` in {whose} `env:`", var.name.value);
            report_literals(out, value, Entry::Named(&var.name.value), place, INSTEAD);
        }
    }
}

fn check_inputs(inputs: &[Input], what: &str, out: &mut Findings) {
    for input in inputs {
        if let Some(value) = &input.value {
            let place = format_args!("{what} `{}`", input.name.value);
            report_literals(out, value, Entry::Named(&input.name.value), place, INSTEAD);
        }
    }
}

/// A registry password under `credentials:`.
fn check_container(container: &Container, out: &mut Findings) {
    if let Some(password) = &container.password {
        let place = format_args!("the registry password for `{}`", container.image.value);
        report_literals(out, password, Entry::Password, place, INSTEAD);
    }
}
