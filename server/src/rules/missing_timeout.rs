//! `missing-timeout`: a job that outsiders can start has no `timeout-minutes`.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github_reach::JobReach;
use crate::model::reach::Runs;

pub struct MissingTimeout;

/// The quick fix's limit: an hour is more than most pull request jobs need and a sixth of
/// GitHub's default of six hours.
const DEFAULT_MINUTES: u32 = 60;

static META: RuleMeta = RuleMeta {
    id: "missing-timeout",
    technique: Technique::IM01,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A job that outsiders can start has no time limit",
        detects: "Jobs with no `timeout-minutes` that an event outsiders cause can start: \
`pull_request`, `pull_request_target`, `issue_comment`, `issues`, `workflow_run` and the others \
anyone with a GitHub account can trigger (as far as the job's `if:` and the jobs it needs \
tell). Jobs that call a reusable workflow (`uses:`), which cannot set a timeout, and reusable \
workflows themselves, whose callers decide, are not reported. Always low: a hygiene check.",
        why: "A job runs for up to six hours by default. Whoever can start it, with a pull \
request or a comment, can make it hang or compute for all that time, on GitHub's runners \
(minutes billed to private repositories, the concurrency limit shared with every other \
workflow) or on the organisation's self-hosted runners.",
        attack: "Impact › Cryptomining via pipeline resources (IM01): a pull request that \
changes the test script (EX05) mines for six hours per job, per push, and starves the \
project's other workflows (IM02).",
        example: r#"on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fixed_example: r#"on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fix: "Set `timeout-minutes` on the job to a few times its usual duration. The quick fix \
inserts `timeout-minutes: 60`, more than most pull request jobs need and a sixth of the \
default; it is unsafe because a job that takes longer is cancelled from then on. Lower it to \
about three times the job's usual duration.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(400, "Uncontrolled Resource Consumption"),
        Reference::Link(
            "GitHub: jobs.<job_id>.timeout-minutes",
            "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idtimeout-minutes",
        ),
    ],
};

impl Rule for MissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if job.uses.is_some() || job.timeout_minutes.is_some() || context.header.triggers.is_reusable_only() {
            return;
        }
        let reach = JobReach::of(context.header, job, context.jobs);
        let Some((event, runs)) = reach.events().into_iter().find(|(event, _)| event.is_outsider_triggered()) else {
            return;
        };
        let finding = out.report(
            job.id.span,
            format!(
                "job `{}` can be started by `{}` and has no `timeout-minutes`: a run that hangs, or that a pull \
                 request makes compute, holds a runner for up to six hours",
                job.id.value,
                event.name()
            ),
        );
        if runs != Runs::Yes {
            finding.with_confidence(Confidence::Medium);
        }
        if let Some(edit) = job
            .first_key
            .and_then(|first| fix::insert_key(first, job.key_column, &format!("timeout-minutes: {DEFAULT_MINUTES}")))
        {
            finding.with_fix(Fix {
                title: format!("Add `timeout-minutes: {DEFAULT_MINUTES}` to the job").into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
    }
}
