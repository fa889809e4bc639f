//! `gitlab-hardcoded-credentials`: a credential written into a GitLab pipeline as a literal.

use super::secrets::{Entry, report_literals};
use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, Pipeline, Variable};

pub struct GitlabHardcodedCredentials;

static META: RuleMeta = RuleMeta {
    id: "gitlab-hardcoded-credentials",
    technique: Technique::IA04,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A credential is written into the pipeline as a literal",
        detects: "Token-shaped literals in `variables:` (the pipeline's, a job's, or inherited \
through `extends:`) and in script lines: GitLab, GitHub, npm and PyPI tokens, AWS access key \
IDs, Slack tokens and webhook URLs, Google API keys, Stripe live keys and private keys (high). \
Variables whose name says they hold a secret (`DEPLOY_PASSWORD`, `API_KEY`, `SONAR_TOKEN`) set to \
a literal: medium when the value looks generated, low when it is word-like. Variable references \
(`$CI_JOB_TOKEN`), placeholders (`changeme`, `xxx`, `<token>`), obviously fake tokens and the \
throwaway passwords of test services (`POSTGRES_PASSWORD: postgres`) are not reported. Messages \
never show the value, only the public prefix of a token's shape.",
        why: "Whoever can read `.gitlab-ci.yml` can use the credential: everyone, for a public \
project, and for a private one every member with Reporter access, every fork and every clone. It \
stays in the git history after it is removed, and it escapes the masking, protection and \
rotation that CI/CD variables in the project settings get.",
        attack: "Initial Access › Valid CI/CD user account (IA04): the attacker reads the token \
from the repository and signs in as the pipeline's identity: a project access token pushes \
code or triggers pipelines (Persistence, Execution), a registry password publishes images \
(Impact, IM03), a cloud key reaches the cloud account (Lateral Movement).",
        example: r#"stages: [deploy]
deploy:
  stage: deploy
  variables:
    DEPLOY_TOKEN: Pq8rT2mWv5Ln7Kp3Xc9B
  script:
    - ./deploy.sh
"#,
        fixed_example: r#"stages: [deploy]
deploy:
  stage: deploy
  script:
    - ./deploy.sh
"#,
        fix: "Revoke the credential first: it has been exposed for as long as it has been in the \
repository's history. Then define a new one as a masked (and, for deployments, protected) CI/CD \
variable in the project or group settings, where jobs read it by name, or replace it with a \
short-lived credential (`id_tokens:` for OIDC federation, `CI_JOB_TOKEN`). No quick fix is \
offered: revoking and storing the secret happen outside the file.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(798, "Use of Hard-coded Credentials"),
        Reference::Link(
            "GitLab: CI/CD variable security",
            "https://docs.gitlab.com/ci/variables/#cicd-variable-security",
        ),
    ],
};

/// Where a literal secret belongs instead.
const INSTEAD: &str = "define it as a masked CI/CD variable in the project settings instead";

impl Rule for GitlabHardcodedCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, pipeline: &Pipeline, out: &mut Findings) {
        check_variables(&pipeline.globals.variables, "the pipeline's", out);
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        check_variables(&job.variables, "the job's", out);
        for line in job.scripts() {
            report_literals(out, &line.text, Entry::Unnamed, format_args!("a script line"), INSTEAD);
        }
    }
}

fn check_variables(variables: &[Variable], whose: &str, out: &mut Findings) {
    for variable in variables {
        if let Some(value) = &variable.value {
            let place = format_args!("`{}` in {whose} `variables:`", variable.name.value);
            report_literals(out, value, Entry::Named(&variable.name.value), place, INSTEAD);
        }
    }
}
