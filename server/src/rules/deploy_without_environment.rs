//! `deploy-without-environment`: a job changes a production environment with no
//! `environment:` to gate it.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::deploy;
use crate::model::github_reach::JobReach;
use crate::model::reach::Runs;

pub struct DeployWithoutEnvironment;

static META: RuleMeta = RuleMeta {
    id: "deploy-without-environment",
    technique: Technique::EX07,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A job deploys to production with no environment to gate it",
        detects: "Jobs with no `environment:` that change a running environment with credentials \
in reach: cloud CLIs that write (`aws ... deploy`, `aws ... update-*`, `aws s3 sync` to a \
bucket, `gcloud ... deploy`, `az ... create/update`), `kubectl apply`, `helm upgrade`, \
`terraform apply`, `pulumi up`, `cdk deploy`, `serverless deploy`, `flyctl deploy`, `vercel \
--prod`, `netlify deploy --prod`, `wrangler deploy`, and deploy actions \
(`azure/webapps-deploy`, `aws-actions/amazon-ecs-deploy-task-definition`, \
`google-github-actions/deploy-cloudrun`, `appleboy/ssh-action` restarting a service...). \
Credentials in reach are a stored secret in the step's or the job's environment, an earlier \
cloud login (`aws-actions/configure-aws-credentials`...), `id-token: write`, or a self-hosted \
runner. Jobs that deploy to a cluster or emulator they create (kind, minikube, k3d, LocalStack) \
are tests and are not reported; nor are GitHub Pages deployments. Medium; high when an event \
outsiders cause (`pull_request_target`, `issue_comment`, `workflow_run`...) can start the job. \
Publishing packages and images is `unprotected-release`'s: a job that both deploys and \
publishes gets one finding of each rule.",
        why: "Without an environment, nothing stands between a push that starts the workflow \
and production: no reviewer approves the deployment, no branch rule stops a feature branch \
from deploying, and the deployment credentials are repository secrets that every job of every \
workflow can read. An environment gives the job its own secrets, required reviewers, wait \
timers and deployment branch rules, and a record of what was deployed when.",
        attack: "Execution › Modify the configuration of production environments (EX07): an \
attacker with write access (a stolen account, IA05) or code execution in any workflow (EX05, \
EX06) deploys their own configuration or code, or reads the deployment credentials (CA02) to \
change production directly; from there, Exfiltration of production data (EF02).",
        example: r#"on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - run: aws s3 sync dist s3://www.example.com --delete
"#,
        fixed_example: r#"on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - run: aws s3 sync dist s3://www.example.com --delete
"#,
        fix: "Create an environment for production (Settings › Environments) with required \
reviewers and deployment branch rules, move the deployment secrets into it (or, with OIDC, \
make the cloud role trust only `environment:production` in the token's subject), and name it \
in the job with `environment:`. No quick fix is offered: an environment that does not exist is \
created on first use with no protection at all.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(284, "Improper Access Control"),
        Reference::Zizmor("secrets-outside-env"),
        Reference::Link(
            "GitHub: Managing environments for deployment",
            "https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments",
        ),
    ],
};

impl Rule for DeployWithoutEnvironment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if job.uses.is_some() || job.environment.is_some() {
            return;
        }
        // Most jobs deploy nothing: only those that do are searched for local targets.
        let Some((index, (what, span))) =
            job.steps.iter().enumerate().find_map(|(index, step)| Some((index, deploy::step_deploys(step)?)))
        else {
            return;
        };
        if job.steps.iter().any(deploy::step_creates_local_target) {
            return;
        }
        let Some(credentials) = deploy::github_credentials(context.header, job, index) else {
            return;
        };
        let reach = JobReach::of_step(context.header, job, &job.steps[index], context.jobs);
        if reach.events().is_empty() {
            return;
        }
        let outsiders = reach.privileged_outsider_event();
        let name = &job.id.value;
        let mut message = format!(
            "job `{name}` runs `{what}` with {credentials} and no `environment:`: no reviewer approves the deployment \
             and no branch rule limits where it deploys from"
        );
        match outsiders {
            Some((event, runs)) => {
                message.push_str(&format!(", and `{}`, which outsiders cause, can start it", event.name()));
                let finding = out.report(span, message);
                if runs == Runs::Yes {
                    finding.with_severity(Severity::High).with_confidence(Confidence::High);
                }
            }
            None if reach.other_branch_pushes() == Runs::Yes => {
                message.push_str(", and a push to any branch starts it");
                out.report(span, message).with_confidence(Confidence::High);
            }
            None => {
                out.report(span, message);
            }
        }
    }
}
