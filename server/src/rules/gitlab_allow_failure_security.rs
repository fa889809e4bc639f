//! `gitlab-allow-failure-security`: a GitLab security scan or verification may fail without
//! failing the pipeline.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fail_open,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::scanners;

pub struct GitlabAllowFailureSecurity;

static META: RuleMeta = RuleMeta {
    id: "gitlab-allow-failure-security",
    technique: Technique::DE05,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A security check is allowed to fail without failing the pipeline",
        detects: "`allow_failure: true` on a job that runs a security check in its script: a \
scanner (`trivy`, `grype`, `semgrep`, `gitleaks`, `trufflehog`, `npm audit`, `pip-audit`, `cargo \
audit`, `cargo deny`, `osv-scanner`...) or a verification of something downloaded (`cosign \
verify`, `slsa-verifier`, `gpg --verify`, `sha256sum -c`...); low, since a failed check stops its \
own job and only the pipeline goes on. A job that overrides one of GitLab's security template \
jobs (`sast`, `*-sast`, `secret_detection`, `dependency_scanning`, `gemnasium-*`, \
`container_scanning`, `dast`) with `allow_failure: true` is reported as info: the templates \
already allow those jobs to fail, and their analyzers do not fail on findings anyway, so the \
setting only hides the analyzer's own failures.",
        why: "With `allow_failure: true`, a failed check is an orange mark on a green pipeline: \
merges and releases go ahead, and what the scanner found, or the download that failed its \
verification, is in a log nobody reads. A verification that fails open is worse than none, \
because everyone believes the download was checked.",
        attack: "Defense Evasion › Manipulate service logs (DE05): the control still runs and \
records its result, but nothing acts on it, so a vulnerable dependency (EX02), a leaked secret \
or a tampered artifact (LM02) goes through unnoticed.",
        example: r#"stages: [test]
dependency-audit:
  stage: test
  image: node:22
  allow_failure: true
  script:
    - npm ci
    - npm audit --audit-level=high
"#,
        fixed_example: r#"stages: [test]
dependency-audit:
  stage: test
  image: node:22
  script:
    - npm ci
    - npm audit --audit-level=high
"#,
        fix: "Remove `allow_failure`, and handle known findings where the tool supports it (an \
ignore file with reasons and expiry dates) rather than ignoring every result. For GitLab's \
security templates, set `allow_failure: false` on the jobs you rely on so that an analyzer \
that breaks stops the pipeline, and enforce findings with merge request approval and scan \
execution policies. The quick fix removes the entry for a script's check, and sets \
`allow_failure: false` for a template job (where removing it would restore the template's \
`true`); both are unsafe, because the pipeline fails from then on whenever the check does.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec10),
        Reference::Cwe(636, "Not Failing Securely ('Failing Open')"),
        Reference::Link("GitLab: allow_failure", "https://docs.gitlab.com/ci/yaml/#allow_failure"),
        Reference::Link(
            "GitLab: Security scanner templates (allow_failure)",
            "https://docs.gitlab.com/user/application_security/detect/security_configuration/",
        ),
    ],
};

impl Rule for GitlabAllowFailureSecurity {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let Some(setting) = job.allow_failure.as_ref().filter(|setting| setting.is_true()) else {
            return;
        };
        let name = &job.name.value;
        let check = job
            .scripts()
            .flat_map(|script| &script.commands)
            .filter_map(scanners::command_check)
            .max_by_key(|c| c.kind);
        if let Some(check) = check {
            fail_open::report(setting, "allow_failure", &check, &format!("job `{name}`"), false, out);
            return;
        }
        let Some(what) = scanners::gitlab_template_job(name) else {
            return;
        };
        out.report(
            setting.value.span,
            format!(
                "`allow_failure: true` restates the default of GitLab's {what} template for job `{name}`: if its analyzer \
                 breaks, no {what} ran and the pipeline still passes"
            ),
        )
        .with_severity(Severity::Info)
        .with_confidence(Confidence::Medium)
        .with_fix(Fix {
            title: "Set `allow_failure: false`".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(setting.value.span, "false")],
        });
    }
}
