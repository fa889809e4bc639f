//! `continue-on-error-security`: a security scan or verification may fail without failing
//! the run.

use super::{
    Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext, fail_open,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::Step;
use crate::model::scanners;

pub struct ContinueOnErrorSecurity;

static META: RuleMeta = RuleMeta {
    id: "continue-on-error-security",
    technique: Technique::DE05,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A security check is allowed to fail without failing the run",
        detects: "`continue-on-error: true` on a step that runs a security check, or on a job \
with such a step. Scans: CodeQL (`github/codeql-action/analyze`), Trivy, Snyk, Grype, dependency \
review, OpenSSF Scorecard, zizmor, Gitleaks, TruffleHog, Semgrep, Checkov, `npm audit`, \
`pip-audit`, `cargo audit`, `cargo deny`, `govulncheck`, `osv-scanner`... Verifications of \
something downloaded: `cosign verify`, `slsa-verifier`, `gh attestation verify`, `gpg \
--verify`, `sha256sum -c`... Low, but medium for a verification step that continues on error \
with steps after it, which then use the download that failed verification. A value computed \
by an expression (`${{ matrix.experimental }}`) is not reported.",
        why: "With `continue-on-error: true`, a check that finds something, or that breaks, \
shows a green run: the finding is in a log nobody reads, and nothing stops the merge or the \
release. A verification that fails open is worse than none, because everyone believes the \
download was checked.",
        attack: "Defense Evasion › Manipulate service logs (DE05): the control still runs and \
records its result, but nobody is told, so a vulnerable dependency (EX02), a leaked secret or a \
tampered artifact (LM02) goes through unnoticed.",
        example: r#"on: pull_request
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm audit --audit-level=high
        continue-on-error: true
"#,
        fixed_example: r#"on: pull_request
jobs:
  audit:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm audit --audit-level=high
"#,
        fix: "Remove `continue-on-error`, and handle known findings where the tool supports \
it (an ignore file with a reason and an expiry, a baseline) rather than ignoring every \
result. If a scanner is flaky, retry it instead of letting it fail. The quick fix removes the \
`continue-on-error` entry; it is unsafe because the job fails from then on whenever the check \
finds something.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec10),
        Reference::Cwe(636, "Not Failing Securely ('Failing Open')"),
        Reference::Link(
            "GitHub: jobs.<job_id>.steps[*].continue-on-error",
            "https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepscontinue-on-error",
        ),
    ],
};

impl Rule for ContinueOnErrorSecurity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let Some(setting) = step.continue_on_error.as_ref().filter(|setting| setting.is_true()) else {
            return;
        };
        if let Some(check) = scanners::step_check(step) {
            let used_after = !context.later_steps().is_empty();
            fail_open::report(setting, "continue-on-error", &check, "this step", used_after, out);
        }
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        let Some(setting) = job.continue_on_error.as_ref().filter(|setting| setting.is_true()) else {
            return;
        };
        if let Some(check) = job.steps.iter().filter_map(scanners::step_check).max_by_key(|check| check.kind) {
            fail_open::report(setting, "continue-on-error", &check, &format!("job `{}`", job.id.value), false, out);
        }
    }
}
