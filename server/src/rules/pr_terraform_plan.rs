//! `pr-terraform-plan`: infrastructure-as-code plans run on a pull request's code with cloud
//! credentials in reach.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::deploy;
use crate::model::github::{Event, Step};
use crate::model::github_reach::JobReach;

pub struct PrTerraformPlan;

static META: RuleMeta = RuleMeta {
    id: "pr-terraform-plan",
    technique: Technique::EX04,
    severity: Severity::High,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Infrastructure-as-code runs a pull request's code with cloud credentials",
        detects: "`terraform plan` (or `apply`, `validate`, `refresh`), `tofu`, `terragrunt`, \
`pulumi preview`/`up`, `cdk diff`/`synth`/`deploy` and actions that run them \
(`dflook/terraform-plan`, `pulumi/actions`...) in a job that runs a pull request's code and has \
credentials in reach: a stored secret in the step's or the job's environment, an earlier \
cloud login (`aws-actions/configure-aws-credentials`, `google-github-actions/auth`, \
`azure/login`, `hashicorp/setup-terraform` with a token), or `id-token: write`. High on \
`pull_request_target`, `issue_comment` (Atlantis-style `/plan` comments) and `workflow_run` when \
the job checks out the pull request's head; medium on `pull_request`, where GitHub gives \
secrets only to pull requests from branches of the repository itself.",
        why: "A plan is not read-only: Terraform runs the providers and modules the \
configuration names, `external` data sources run any program, and a `local-exec` provisioner or \
a Pulumi or CDK program is code. Whoever writes the pull request writes that code, and it runs \
with the job's cloud credentials, which it can print, send away, or use to change the \
infrastructure before anyone reviews the plan.",
        attack: "Execution › Inject code to IaC configuration (EX04): the attacker opens a pull \
request that adds an `external` data source or a provider of their own, the plan runs it, and \
it reads the cloud credentials (Credential Access, CA02, CA01) to reach production \
(Exfiltration, EF02; Impact, IM03).",
        example: r#"on: pull_request
permissions:
  id-token: write
  contents: read
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/terraform
          aws-region: eu-west-1
      - run: terraform init && terraform plan -no-color
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: read
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: terraform fmt -check && terraform init -backend=false
"#,
        fix: "Plan pull requests without production credentials: validate and format-check \
without a backend, or plan against a sandbox account whose role trusts only pull request \
runs and holds nothing of value. Run plans with real credentials only on reviewed code (the \
default branch, or a merge queue), or in a remote runner that pins providers and forbids \
`external` and `local-exec` (Terraform Cloud policies, Atlantis with an allow-list). Never \
check out a pull request's head in a `pull_request_target`, `issue_comment` or `workflow_run` job \
that has credentials. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(94, "Improper Control of Generation of Code ('Code Injection')"),
        Reference::Link(
            "Terraform: the external data source",
            "https://registry.terraform.io/providers/hashicorp/external/latest/docs/data-sources/external",
        ),
        Reference::Link(
            "GitHub Security Lab: Preventing pwn requests",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        ),
    ],
};

impl Rule for PrTerraformPlan {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let StepContext::Workflow { header, job, jobs, index, .. } = *context else {
            return;
        };
        let Some((what, span)) = deploy::step_runs_iac(step) else {
            return;
        };
        let Some(credentials) = deploy::github_credentials(header, job, index) else {
            return;
        };
        let reach = JobReach::of_step(header, job, step, jobs);
        let head = context.earlier_steps().iter().find_map(Step::pull_request_head_checkout);
        let privileged: Vec<String> = reach
            .events()
            .into_iter()
            .filter(|(event, _)| matches!(event, Event::PullRequestTarget | Event::IssueComment | Event::WorkflowRun))
            .map(|(event, _)| format!("`{}`", event.name()))
            .collect();
        if let (false, Some((_, head))) = (privileged.is_empty(), &head) {
            let message = format!(
                "`{what}` runs the pull request's code, checked out from `{head}` on {}, with {credentials}: a \
                 provider, an `external` data source or a `local-exec` in the pull request runs any command with them",
                privileged.join(" and ")
            );
            out.report(span, message).with_confidence(Confidence::High);
            return;
        }
        let pull_request = [Event::PullRequest, Event::PullRequestReview, Event::PullRequestReviewComment]
            .into_iter()
            .find(|event| reach.event(event).possible());
        if let Some(event) = pull_request {
            let message = format!(
                "`{what}` runs the pull request's code on `{}` with {credentials}: a pull request from a branch of this \
                 repository (forks get no secrets) can run any command with them through a provider, an `external` \
                 data source or a `local-exec`",
                event.name()
            );
            out.report(span, message).with_severity(Severity::Medium);
        }
    }
}
