//! `missing-concurrency`: a pull request workflow lets superseded runs pile up.

use super::{Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Event, Trigger, Workflow};

pub struct MissingConcurrency;

static META: RuleMeta = RuleMeta {
    id: "missing-concurrency",
    technique: Technique::IM02,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A pull request workflow has no concurrency group to cancel superseded runs",
        detects: "Workflows triggered by `pull_request` or `pull_request_target` for new commits \
(no `types:`, or `types:` with `synchronize`) that set no `concurrency:` at the top and leave \
some job without one. Always low: a hygiene check.",
        why: "Every push to a pull request starts a new run, and without a concurrency group the \
runs for earlier commits keep going. Whoever can open pull requests can push commit after \
commit and fill the repository's share of runners (the organisation's concurrency limit, \
or its self-hosted runners), delaying every other workflow, releases and security fixes \
included.",
        attack: "Impact › Denial of service on local CI/CD pipelines (IM02): a burst of pushes \
to a pull request queues runs faster than they finish, and the project's own pipelines wait \
behind them.",
        example: r#"on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fixed_example: r#"on:
  pull_request:
  push:
    branches: [main]
concurrency:
  group: ${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: ${{ github.event_name == 'pull_request' }}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fix: "Add a workflow-level `concurrency:` whose group is the pull request (or the ref \
for other events) and that cancels runs in progress for pull requests. The quick fix inserts \
one before `jobs:`: group `${{ github.workflow }}-${{ github.event.pull_request.number || \
github.ref }}`, and `cancel-in-progress` true for the workflow's pull request events only \
(always, when pull requests are all that trigger it), so that runs on branches and tags are \
never cancelled. It is unsafe: runs of other events that share a ref now queue, and a pending \
one is replaced by the next.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(400, "Uncontrolled Resource Consumption"),
        Reference::Zizmor("concurrency-limits"),
        Reference::Link(
            "GitHub: Control the concurrency of workflows and jobs",
            "https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency",
        ),
    ],
};

impl Rule for MissingConcurrency {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        let header = &workflow.header;
        if header.concurrency.is_some() || workflow.jobs.iter().all(|job| job.concurrency.is_some()) {
            return;
        }
        let pull_requests: Vec<&Trigger> = header.triggers.events.iter().filter(|t| runs_per_push(t)).collect();
        let Some(first) = pull_requests.first() else {
            return;
        };
        let finding = out.report(
            first.span,
            format!(
                "runs for `{}` are never cancelled when a newer commit supersedes them: add a `concurrency:` group",
                first.event.name()
            ),
        );
        if header.triggers.has(&Event::WorkflowCall) {
            // A group of a reusable workflow can collide with its caller's and cancel it.
            return;
        }
        let Some(jobs_key) = header.jobs_key else {
            return;
        };
        let only_pull_requests =
            header.triggers.events.iter().all(|t| pull_requests.iter().any(|p| p.event == t.event));
        let cancel = if only_pull_requests {
            "true".to_owned()
        } else {
            let tests: Vec<String> =
                pull_requests.iter().map(|t| format!("github.event_name == '{}'", t.event.name())).collect();
            format!("${{{{ {} }}}}", tests.join(" || "))
        };
        finding.with_fix(Fix {
            title: "Add a `concurrency:` group that cancels superseded pull request runs".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(
                jobs_key,
                format!(
                    "concurrency:\n  group: ${{{{ github.workflow }}}}-${{{{ github.event.pull_request.number || github.ref }}}}\n  \
                     cancel-in-progress: {cancel}\n\n"
                ),
            )],
        });
    }
}

/// Whether a trigger starts a run for each push to a pull request.
fn runs_per_push(trigger: &Trigger) -> bool {
    matches!(trigger.event, Event::PullRequest | Event::PullRequestTarget)
        && (trigger.types.is_empty() || trigger.types.iter().any(|t| t == "synchronize"))
}
