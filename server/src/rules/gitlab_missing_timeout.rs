//! `gitlab-missing-timeout`: a GitLab job that merge requests can run has no `timeout:`.

use super::{Applicability, Confidence, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, IncludeKind};

pub struct GitlabMissingTimeout;

/// The quick fix's limit: GitLab's default project timeout, so that the job keeps its limit
/// when the project's is raised.
const DEFAULT_TIMEOUT: &str = "1h";

static META: RuleMeta = RuleMeta {
    id: "gitlab-missing-timeout",
    technique: Technique::IM01,
    severity: Severity::Low,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A job that merge requests can run has no time limit of its own",
        detects: "Jobs that merge request pipelines can run (from their `rules:`, `only:` and \
the pipeline's `workflow: rules:`) with no `timeout:`, neither their own, nor from a job they \
extend, nor from `default:`. Not reported: trigger jobs, which cannot set one; manual jobs; \
jobs that extend a job this file does not define, or that override one from an include (no \
`script:` of their own), since the included job may set one. In a pipeline that includes other \
projects' or remote files, whose `default:` may set one, confidence is low. Always low \
severity: a hygiene check.",
        why: "Without `timeout:`, a job runs until the project's timeout (one hour by default, \
but projects often raise it, up to a month) or the runner's. A merge request's author controls \
the scripts the job runs, and can keep shared or self-hosted runners busy for all that time, \
with every push.",
        attack: "Impact › Cryptomining via pipeline resources (IM01): a merge request that \
changes the test script (EX05) mines on the project's runners until the timeout, and the \
project's own pipelines wait (IM02).",
        example: r#"stages: [test]
test:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - make test
"#,
        fixed_example: r#"stages: [test]
test:
  stage: test
  timeout: 30m
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - make test
"#,
        fix: "Set `timeout:` on the job (or in `default:`) to a few times its usual duration. \
The quick fix inserts `timeout: 1h`, GitLab's default project timeout, which keeps the job's \
limit where it is on projects that kept the default and caps it on projects that raised theirs; \
it is unsafe because a job that takes longer is cancelled from then on.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(400, "Uncontrolled Resource Consumption"),
        Reference::Link("GitLab: timeout", "https://docs.gitlab.com/ci/yaml/#timeout"),
    ],
};

impl Rule for GitlabMissingTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        // A job that extends one from an include, or that overrides one (it has no script of
        // its own), may get its timeout there; a manual job waits for someone to start it.
        let partial = job.extends_unknown || job.script.is_empty();
        if job.trigger.is_some()
            || job.timeout.is_some()
            || partial
            || job.reach.manual
            || !job.reach.merge_requests.possible()
        {
            return;
        }
        let finding = out.report(
            job.name.span,
            format!(
                "job `{}` runs in merge request pipelines with no `timeout:`: a merge request can keep it running until \
                 the project's timeout",
                job.name.value
            ),
        );
        // `default:` may come from an included file.
        if globals.includes.iter().any(|include| !matches!(include.kind, IncludeKind::Local(_))) {
            finding.with_confidence(Confidence::Low);
        }
        if let Some(edit) = job
            .first_key
            .and_then(|first| fix::insert_key(first, job.key_column, &format!("timeout: {DEFAULT_TIMEOUT}")))
        {
            finding.with_fix(Fix {
                title: format!("Add `timeout: {DEFAULT_TIMEOUT}` to the job").into(),
                applicability: Applicability::Unsafe,
                edits: vec![edit],
            });
        }
    }
}
