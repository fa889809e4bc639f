//! `long-lived-cloud-credentials`: static cloud keys from secrets where OIDC federation would
//! give short-lived ones.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Step, Workflow};
use crate::model::{Env, Text};
use crate::{bundled, data};

pub struct LongLivedCloudCredentials;

static META: RuleMeta = RuleMeta {
    id: "long-lived-cloud-credentials",
    technique: Technique::IA06,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A long-lived cloud key is used where OIDC federation would give a short-lived one",
        detects: "Static cloud credentials taken from secrets and handed to a cloud's tools, for \
AWS, Google Cloud and Azure, which all accept GitHub's OIDC tokens instead: the \
`aws-access-key-id`/`aws-secret-access-key` inputs of `aws-actions/configure-aws-credentials`, \
`credentials_json` of `google-github-actions/auth`, `creds` of `azure/login`, and the \
environment variables `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `GOOGLE_CREDENTIALS`/\
`GOOGLE_APPLICATION_CREDENTIALS` and `ARM_CLIENT_SECRET`/`AZURE_CLIENT_SECRET` in any `env:`. One \
finding per step or `env:` block and cloud. The list is a bundled data file \
(`server/data/cloud-credentials.toml`).",
        why: "An access key or service account key is valid until someone rotates it, usually \
for months or years, from anywhere on the internet. Any step that can read it (a compromised \
action, an injected command, a debug log) can copy it and keep the access long after the run. \
With OIDC federation the job exchanges a token GitHub signs for credentials that expire within \
the hour and that the cloud only grants to this repository, branch or environment.",
        attack: "Initial Access › Valid admin account for underlying compute resources (IA06): \
the attacker obtains the key through any foothold in the job (an injection, EX06; a compromised \
action, IA03; a leaked log) and uses it directly against the cloud account, outside the \
pipeline, for as long as it stays valid (Lateral Movement, Persistence).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
          aws-region: eu-west-1
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
"#,
        fix: "Configure the cloud to trust GitHub's OIDC provider for this repository (an IAM role \
with a trust policy on `token.actions.githubusercontent.com`, a Workload Identity Pool, a \
federated credential on an Entra ID app), grant the job `permissions: id-token: write`, log in \
with the role instead of the key, then delete the key. No quick fix is offered: the cloud side \
must be configured first, and removing the key before that breaks the deployment.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(798, "Use of Hard-coded Credentials"),
        Reference::Link(
            "GitHub: About security hardening with OpenID Connect",
            "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect",
        ),
    ],
};

#[derive(Deserialize)]
struct CloudCredentials {
    action: Vec<LoginAction>,
    env: Vec<EnvGroup>,
}

#[derive(Deserialize)]
struct LoginAction {
    uses: String,
    inputs: Vec<String>,
    cloud: String,
    instead: String,
}

#[derive(Deserialize)]
struct EnvGroup {
    names: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    cloud: String,
    instead: String,
}

static CLOUD: LazyLock<CloudCredentials> = LazyLock::new(|| data::parse(bundled!("cloud-credentials.toml")));

impl Rule for LongLivedCloudCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        let env = &workflow.header.env;
        check_env(env, &[env], "the workflow's `env:`, where every step of every job can read it", out);
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let env = &context.job.env;
        let visible = [env, &context.header.env];
        check_env(env, &visible, "the job's `env:`, where every step of the job can read it", out);
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let visible: Vec<&Env> =
            [Some(&step.env), context.job().map(|job| &job.env), context.header().map(|header| &header.env)]
                .into_iter()
                .flatten()
                .collect();
        check_env(&step.env, &visible, "the step's `env:`", out);
        let Some(uses) = &step.uses else { return };
        for login in CLOUD.action.iter().filter(|login| uses.is_action(&login.uses)) {
            let input = login.inputs.iter().find_map(|name| {
                step.with
                    .iter()
                    .find(|input| input.name.value.eq_ignore_ascii_case(name) && from_secret(input.value.as_ref()))
            });
            let Some(input) = input else { continue };
            out.report(
                input.name.span,
                format!(
                    "`{}` logs in to {} with a long-lived key from a secret (`{}`): anyone who copies it keeps the access until it is rotated; log in through OIDC federation instead ({}, with `permissions: id-token: write`)",
                    login.uses, login.cloud, input.name.value, login.instead
                ),
            );
        }
    }
}

/// Reports the credentials `env` sets; `visible` is every `env:` the code reading them sees.
fn check_env(env: &Env, visible: &[&Env], place: &str, out: &mut Findings) {
    for group in &CLOUD.env {
        if group.unless.iter().any(|name| visible.iter().any(|env| env.get(name).is_some())) {
            continue;
        }
        let var = group.names.iter().find_map(|name| {
            env.vars.iter().find(|var| var.name.value.eq_ignore_ascii_case(name) && from_secret(var.value.as_ref()))
        });
        let Some(var) = var else { continue };
        out.report(
            var.name.span,
            format!(
                "`{}` puts a long-lived {} key from a secret in {place}: anyone who copies it keeps the access until it is rotated; use OIDC federation instead ({}, with `permissions: id-token: write`)",
                var.name.value, group.cloud, group.instead
            ),
        );
    }
}

/// Whether the value reads a secret (`${{ secrets.NAME }}`).
fn from_secret(text: Option<&Text>) -> bool {
    text.is_some_and(|text| {
        text.expressions.iter().flat_map(|expression| &expression.contexts).any(|context| context.is_under("secrets"))
    })
}
