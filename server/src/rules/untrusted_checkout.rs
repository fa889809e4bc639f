//! `untrusted-checkout`: a privileged workflow checks out and runs a pull request's code.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::checkout::{HeadExecution, executed_heads};
use crate::model::github::Event;

pub struct UntrustedCheckout;

static META: RuleMeta = RuleMeta {
    id: "untrusted-checkout",
    technique: Technique::EX05,
    severity: Severity::Critical,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A privileged workflow checks out a pull request's code and runs it",
        detects: "A workflow triggered by `pull_request_target` or `workflow_run` whose job \
checks out the pull request's head (a `ref:` or `repository:` of `actions/checkout` built from \
the pull request's head ref or sha, or `refs/pull/...`) and then runs a script, a local action \
or any action that may execute the checked-out files.",
        why: "`pull_request_target` and `workflow_run` run in the context of the base repository: \
the job has its secrets and a token that can write to it, even when the pull request comes \
from a fork. Checking out the fork's code and then building, testing or installing it runs the \
attacker's code (build scripts, package hooks, test files) with those privileges: the \
\"pwn request\".",
        attack: "Execution › Inject code to source code (EX05): the attacker opens a pull \
request whose build files carry their payload, and the privileged job executes it. It follows \
Initial Access through a public repository (IA01) and leads to Credential Access (CA02: the \
job's secrets and token) and to Persistence by pushing to the repository (PE05).",
        example: r#"on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
"#,
        fixed_example: r#"on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
"#,
        fix: "Build and test pull requests on `pull_request`, which runs fork code without \
secrets and with a read-only token. If a privileged step must follow (commenting, labelling, \
publishing results), put it in a separate `workflow_run` workflow that only reads the first \
workflow's artifacts as data and never executes them. No quick fix is offered: which half of \
the job needs privileges is a design decision.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Zizmor("dangerous-triggers"),
        Reference::Poutine("untrusted_checkout_exec"),
        Reference::CodeQl("actions/untrusted-checkout/critical"),
        Reference::Link(
            "GitHub Security Lab: Preventing pwn requests",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        ),
    ],
};

impl Rule for UntrustedCheckout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let Some(trigger) =
            [Event::PullRequestTarget, Event::WorkflowRun].iter().find_map(|event| header.triggers.find(event))
        else {
            return;
        };
        for HeadExecution { value, head, runner, .. } in executed_heads(&job.steps) {
            let event_name = match trigger.event {
                Event::PullRequestTarget => "pull_request_target",
                _ => "workflow_run",
            };
            let what_runs = match (&runner.run, &runner.uses) {
                (Some(_), _) => "a `run:` script".to_owned(),
                (None, Some(uses)) => format!("`{}`", uses.raw),
                (None, None) => "a later step".to_owned(),
            };
            let finding = out.report(
                value.span,
                format!(
                    "this `{event_name}` job checks out the pull request's code (`{head}`) and then runs {what_runs}: \
                     the pull request's author runs code with this repository's secrets and write token"
                ),
            );
            // A third-party action may or may not run the checked-out files.
            if !runner.runs_code() {
                finding.with_severity(Severity::High);
            }
        }
    }
}
