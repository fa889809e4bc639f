//! `unprotected-release`: a job that releases software runs with no environment to gate it,
//! or can be started by events outsiders cause.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::deploy;
use crate::model::github_reach::JobReach;
use crate::model::reach::Runs;
use crate::model::release;

pub struct UnprotectedRelease;

static META: RuleMeta = RuleMeta {
    id: "unprotected-release",
    technique: Technique::IM04,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A job that releases software is not gated by an environment",
        detects: "Jobs that publish packages (`npm publish`, `twine upload`, \
`pypa/gh-action-pypi-publish`...), push container images (`docker push`, \
`docker/build-push-action` with `push:`) or attach files to a GitHub release \
(`softprops/action-gh-release` with `files:`, `gh release upload`...), and have no \
`environment:`. Medium, whatever starts them (a release, a tag, a push to any branch); high when \
an event outsiders cause (`pull_request_target`, `issue_comment`, `workflow_run`...) can start \
the job, as far as its `if:` and the jobs it needs tell. A job that has an environment is \
reported (medium, low confidence) only when such an event can start it. Not releases: draft \
GitHub releases (a person publishes them later), dry runs, publishing to a registry inside the \
job (`localhost`, a kind cluster's), and jobs that create a throwaway cluster. Deployments are \
`deploy-without-environment`'s: a job that both publishes and deploys gets one finding of each \
rule.",
        why: "An environment is the only gate GitHub puts in front of one job: it can require \
a reviewer's approval, limit the branches and tags that may use it, and hold the secrets only \
that job should see. Without one, anyone who can start the workflow, or push the tag or branch \
that starts it, releases what they pushed to everyone who installs the package or pulls the \
image, and the publishing credentials sit in the repository's secrets, readable by every job.",
        attack: "Impact › Downstream poisoning (IM04): with write access to the repository (a \
stolen account, IA05, or a compromised bot), or through an event outsiders cause, an attacker \
gets their code released without a second person seeing it, and it runs on every machine \
that installs it.",
        example: r#"on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - run: npm publish --provenance
"#,
        fixed_example: r#"on:
  push:
    tags: ["v*"]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: npm
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - run: npm publish --provenance
"#,
        fix: "Create an environment for releases (Settings › Environments) with required \
reviewers and deployment branch and tag rules (for example only `v*` tags), move the \
publishing secrets into it, and name it in the job with `environment:`. With trusted \
publishing, name the environment in the registry's trusted publisher too. Keep release jobs \
out of workflows that outsiders' events start. No quick fix is offered: an environment that \
does not exist is created on first use with no protection at all.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(284, "Improper Access Control"),
        Reference::Link(
            "GitHub: Managing environments for deployment",
            "https://docs.github.com/en/actions/how-tos/deploy/configure-and-manage-deployments/manage-environments",
        ),
    ],
};

impl Rule for UnprotectedRelease {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if job.uses.is_some() {
            return;
        }
        let Some((step, (what, span))) = job.steps.iter().find_map(|step| Some((step, release::step_release(step)?)))
        else {
            return;
        };
        let span = *span;
        // A job that creates a cluster or registry of its own releases to it as a test.
        if job.steps.iter().any(deploy::step_creates_local_target) {
            return;
        }
        let reach = JobReach::of_step(context.header, job, step, context.jobs);
        if reach.events().is_empty() {
            return;
        }
        let outsiders = reach.privileged_outsider_event();
        let name = &job.id.value;
        match (&job.environment, outsiders) {
            (None, Some((event, runs))) => {
                let message = format!(
                    "job `{name}` {what} with no `environment:`, and `{}`, which outsiders cause, can start it: nothing \
                     requires a reviewer before it releases",
                    event.name()
                );
                let (severity, confidence) = if runs == Runs::Yes {
                    (Severity::High, Confidence::High)
                } else {
                    (Severity::Medium, Confidence::Medium)
                };
                out.report(span, message).with_severity(severity).with_confidence(confidence);
            }
            (None, None) => {
                let branches =
                    if reach.other_branch_pushes() == Runs::Yes { ", and a push to any branch starts it" } else { "" };
                out.report(
                    span,
                    format!(
                        "job `{name}` {what} with no `environment:`: no reviewer approves the release and no rule limits \
                         the refs it releases from{branches}"
                    ),
                );
            }
            (Some(environment), Some((event, Runs::Yes))) => {
                let message = format!(
                    "job `{name}` {what} and `{}`, which outsiders cause, can start it: only the protection rules of \
                     environment `{}`, if it has any, stand between them and a release",
                    event.name(),
                    environment.value
                );
                out.report(span, message).with_confidence(Confidence::Low);
            }
            (Some(_), _) => {}
        }
    }
}
