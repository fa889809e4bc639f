//! `gitlab-mr-pipeline-secrets`: deployment credentials in jobs that run in merge request
//! pipelines.

use std::collections::HashSet;

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{Environment, GitlabJob, Globals};
use crate::model::gitlab_variables::{Scope, references};
use crate::model::reach::Runs;

pub struct GitlabMrPipelineSecrets;

static META: RuleMeta = RuleMeta {
    id: "gitlab-mr-pipeline-secrets",
    technique: Technique::IA01,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A job that runs in merge request pipelines holds deployment credentials",
        detects: "Jobs that can run in merge request pipelines (by their `rules:`, `only:` or \
the pipeline's `workflow: rules:`) and read a credential: a CI/CD variable the file does not \
set and whose name says it holds one (`*_TOKEN`, `*_PASSWORD`, `*_SECRET`, `*_KEY`, `AWS_*` \
keys, `KUBECONFIG`...), directly or through `variables:`; secrets fetched with `secrets:`; or \
a deployment to a production or staging environment. Medium when the job runs by itself \
in merge request pipelines; low when it is manual there or its rules may keep it out (it may \
be meant for other pipelines); high for automatic production deployments. Credentials the \
job's script tests for (`[ -n \"$TOKEN\" ]`) are not reported: the job copes with them \
missing, as protected variables are in merge request pipelines. The job tokens GitLab issues \
to every job (`CI_JOB_TOKEN`, `CI_REGISTRY_PASSWORD`) and OIDC `id_tokens:` (see \
`gitlab-id-token-audience`) are not reported here.",
        why: "A merge request pipeline runs the merge request's code, and its `.gitlab-ci.yml`: \
its author can make any job print any variable the pipeline gets. GitLab gives protected \
variables only to pipelines of protected branches and tags (and, where a project turns it on, \
to merge requests between two protected branches): so a job that reads `$DEPLOY_TOKEN` in the \
merge request pipelines of ordinary branches works only if the variable is not protected, \
which is exactly when every merge request pipeline, including a fork's once a member runs it \
in this project, can read it. Vault roles that answer `secrets:` \
in merge request pipelines, and environments they deploy to, are open to them in the same way.",
        attack: "Initial Access › Public repositories (IA01): the attacker opens a merge \
request whose scripts read the credential, and waits for its pipeline to run in this \
project. Then Credential Access › Env variables stored in CI/CD (CA02), and with a \
deployment credential, Execution › Modify the configuration of production environments \
(EX07).",
        example: r#"stages: [deploy]
deploy-preview:
  stage: deploy
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - aws s3 sync public/ s3://previews/ --region eu-west-1
    - echo "$AWS_SECRET_ACCESS_KEY" | ./configure-cdn
"#,
        fixed_example: r#"stages: [deploy]
deploy-preview:
  stage: deploy
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - aws s3 sync public/ s3://previews/ --region eu-west-1
    - echo "$AWS_SECRET_ACCESS_KEY" | ./configure-cdn
"#,
        fix: "Mark the variable protected (Settings › CI/CD › Variables) and run the job only \
for protected refs (`rules: - if: $CI_COMMIT_REF_PROTECTED == \"true\"`), or scope it to a \
protected environment that merge request jobs do not deploy to. Give merge request jobs \
credentials that can do no harm (a read-only token for a preview bucket), and bind Vault roles \
to `ref_protected`. No quick fix is offered: which pipelines should deploy is a decision.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Link(
            "GitLab: Protect a CI/CD variable",
            "https://docs.gitlab.com/ci/variables/#protect-a-cicd-variable",
        ),
        Reference::Link(
            "GitLab: Run pipelines in the parent project for merge requests from a forked project",
            "https://docs.gitlab.com/ci/pipelines/merge_request_pipelines/#run-pipelines-in-the-parent-project",
        ),
    ],
};

impl Rule for GitlabMrPipelineSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let runs = job.reach.merge_requests;
        if !runs.possible() {
            return;
        }
        // A job that surely runs by itself in merge request pipelines must work there; a
        // manual one, or one whose rules may keep it out, may only be meant for others.
        let (severity, confidence) = if runs == Runs::Yes && !job.reach.manual {
            (Severity::Medium, Confidence::Medium)
        } else {
            (Severity::Low, Confidence::Low)
        };
        let scope = Scope::new(globals, job);
        // A script that tests whether its credentials are set copes with them missing, as
        // protected variables are in merge request pipelines.
        let guarded = tested_variables(job).any(|name| scope.secret_behind(&name).is_some());
        let mut seen = HashSet::new();
        let variable_values = job.variables.iter().chain(&globals.variables).filter_map(|v| v.value.as_ref());
        let texts = job.scripts().map(|script| &script.text).chain(variable_values);
        for text in texts.filter(|_| !guarded) {
            for (name, range) in references(&text.value) {
                let Some(secret) = scope.secret_behind(name) else { continue };
                if !seen.insert(secret.clone()) {
                    continue;
                }
                let through = if secret == name { String::new() } else { format!(" (through `${name}`)") };
                out.report(
                    text.span_of(range),
                    format!(
                        "`${secret}`{through} is read in merge request pipelines{}: it can only work there if the variable is not protected, and then every merge request pipeline, whose scripts and `.gitlab-ci.yml` the merge request's author writes, can read it",
                        runs.caveat()
                    ),
                )
                .with_severity(severity)
                .with_confidence(confidence);
            }
        }
        for secret in &job.secrets {
            out.report(
                secret.span,
                format!(
                    "the secret `{}` is fetched in merge request pipelines{}: the secret manager hands it to pipelines of unprotected refs, so any merge request pipeline can fetch it the same way",
                    secret.value,
                    runs.caveat()
                ),
            )
            .with_severity(severity)
            .with_confidence(confidence);
        }
        if let Some(environment) = job.environment.as_ref().filter(|environment| is_sensitive(environment)) {
            // Deploying a merge request's code to production takes one click when manual.
            let deployment = match (runs, job.reach.manual) {
                (Runs::Yes, false) => Severity::High,
                (Runs::Yes, true) => Severity::Medium,
                _ => Severity::Low,
            };
            out.report(
                environment.name.span,
                format!(
                    "`{}` is deployed to from merge request pipelines{}: the merge request's code, and the variables scoped to that environment, reach it before anyone merges it",
                    environment.name.value,
                    runs.caveat()
                ),
            )
            .with_severity(deployment)
            .with_confidence(confidence);
        }
    }
}

/// The variables the job's scripts test (`[ -n "$TOKEN" ]`, `[[ -z $KEY ]]`, `test ...`).
fn tested_variables(job: &GitlabJob) -> impl Iterator<Item = String> + '_ {
    job.scripts()
        .flat_map(|script| &script.commands)
        .filter(|command| matches!(command.name(), Some("[" | "[[" | "test")))
        .flat_map(|command| command.args())
        .flat_map(|word| word.variables().map(|(name, _)| name.to_owned()))
}

/// Whether an environment is a production or staging one, by its tier or its name.
fn is_sensitive(environment: &Environment) -> bool {
    let sensitive = |text: &str| {
        let first = text.split('/').next().unwrap_or_default().to_ascii_lowercase();
        matches!(first.as_str(), "production" | "prod" | "staging" | "live")
    };
    match &environment.tier {
        Some(tier) => sensitive(&tier.value),
        None => sensitive(&environment.name.value),
    }
}
