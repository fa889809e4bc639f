//! `gitlab-unprotected-deploy`: a GitLab deploy job can run from branches and merge requests
//! with nothing to gate it.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::deploy;
use crate::model::gitlab::{Environment, GitlabJob, Globals};
use crate::model::reach::{Reach, Runs};

pub struct GitlabUnprotectedDeploy;

static META: RuleMeta = RuleMeta {
    id: "gitlab-unprotected-deploy",
    technique: Technique::EX07,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A deploy job can run from any branch or merge request with nothing to gate it",
        detects: "Jobs that pipelines for branches other than the default one, or merge request \
pipelines, can run (from their `rules:`, `only:`/`except:` and the pipeline's `workflow: rules:`) \
and that either deploy with no `environment:` (`kubectl apply`, `helm upgrade`, `terraform \
apply`, `aws ... deploy`, `gcloud ... deploy`, `az ... create`, `serverless deploy`, \
`firebase deploy`...), or name a production environment (`deployment_tier: production`, or a \
name such as `production`, `prod`, `live`) and start by themselves rather than `when: \
manual`. Review apps (non-production environments), environments' `stop`, `prepare`, \
`verify` and `access` actions, and jobs that deploy to a cluster or emulator they create (kind, \
minikube, k3d, LocalStack) are not reported.",
        why: "Any developer can push a branch, and a branch pipeline runs the branch's version \
of `.gitlab-ci.yml` and scripts. A deploy job that runs there deploys unreviewed code, and \
whatever credentials it has (unless they are protected variables) are in reach of anyone who \
can push. A protected environment restricts who may deploy to it, but only if it is \
configured in the project's settings; a job without `environment:` cannot be protected at all.",
        attack: "Execution › Modify the configuration of production environments (EX07): with \
a developer account (IA05), the attacker pushes a branch whose pipeline deploys their code or \
configuration, or reads the deployment credentials (CA02) and changes production directly.",
        example: r#"stages: [deploy]
deploy:
  stage: deploy
  image: bitnami/kubectl
  environment: production
  script:
    - kubectl apply -f k8s/
"#,
        fixed_example: r#"stages: [deploy]
deploy:
  stage: deploy
  image: bitnami/kubectl
  environment: production
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - kubectl apply -f k8s/
"#,
        fix: "Run deploy jobs only from the default branch or protected tags (`rules: - if: \
$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH`), give them an `environment:` and make it a protected \
environment with the people allowed to deploy (Settings › CI/CD › Protected environments), \
and keep the deployment credentials in protected variables, which unprotected branches never \
see. `when: manual` with a protected environment lets only those people start the \
deployment. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(284, "Improper Access Control"),
        Reference::Link(
            "GitLab: Protected environments",
            "https://docs.gitlab.com/ci/environments/protected_environments/",
        ),
        Reference::Link(
            "GitLab: Protected CI/CD variables",
            "https://docs.gitlab.com/ci/variables/#protect-a-cicd-variable",
        ),
    ],
};

impl Rule for GitlabUnprotectedDeploy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let reach = job.reach.untrusted_code_can_run();
        if job.trigger.is_some() || !reach.possible() {
            return;
        }
        let commands = || job.scripts().flat_map(|script| script.commands.iter().map(move |command| (script, command)));
        if commands().any(|(_, command)| deploy::command_creates_local_target(command)) {
            return;
        }
        // Rules inherited from an included job are unknown.
        let confidence = if reach == Runs::Yes && !job.extends_unknown { Confidence::Medium } else { Confidence::Low };
        let name = &job.name.value;
        let runs_in = runs_in(&job.reach);
        match &job.environment {
            None => {
                let Some((script, command, what)) =
                    commands().find_map(|(script, command)| Some((script, command, deploy::command_deploys(command)?)))
                else {
                    return;
                };
                let message = format!(
                    "job `{name}` runs `{what}` with no `environment:` and runs in {runs_in}: no protected environment can \
                     limit who deploys, so whoever can push a branch changes what this deploys"
                );
                out.report(script.span_of(command.range.clone()), message).with_confidence(confidence);
            }
            Some(environment) if is_production(environment) && !job.reach.manual => {
                let message = format!(
                    "job `{name}` deploys to `{}` and starts by itself in {runs_in}: unless `{}` is a protected \
                     environment, whoever can push a branch deploys it",
                    environment.name.value, environment.name.value
                );
                out.report(environment.name.span, message).with_confidence(confidence);
            }
            Some(_) => {}
        }
    }
}

/// Which untrusted pipelines run a job, for messages.
fn runs_in(reach: &Reach) -> &'static str {
    match (reach.merge_requests.possible(), reach.other_branches.possible()) {
        (true, true) => "merge request pipelines and pipelines for any branch",
        (true, false) => "merge request pipelines",
        _ => "pipelines for branches other than the default one",
    }
}

/// Whether an environment is production: its tier says so, or its name does, and it is
/// deployed to rather than stopped, prepared, verified or accessed.
fn is_production(environment: &Environment) -> bool {
    let deploys = environment.action.as_ref().is_none_or(|action| action.value == "start");
    let tier = environment.tier.as_ref().map(|tier| tier.value.as_str());
    let named = environment
        .name
        .value
        .to_ascii_lowercase()
        .split(['/', '-', '_', '.', ' '])
        .any(|part| matches!(part, "production" | "prod" | "live"));
    deploys && (tier == Some("production") || (tier.is_none() && named))
}
