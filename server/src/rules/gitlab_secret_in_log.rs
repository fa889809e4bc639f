//! `gitlab-secret-in-log`: a GitLab job prints credentials to its log, or traces every variable.

use std::cell::OnceCell;

use super::secret_in_log::{self, Secret};
use super::{Applicability, Confidence, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::commands::{self, Expansion, Exposure};
use crate::model::credentials;
use crate::model::gitlab::{GitlabJob, Globals, Pipeline, Variable};
use crate::model::gitlab_variables::Scope;

pub struct GitlabSecretInLog;

static META: RuleMeta = RuleMeta {
    id: "gitlab-secret-in-log",
    technique: Technique::EF03,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A GitLab job prints credentials to its log",
        detects: "`CI_DEBUG_TRACE` set to true in `variables:` (the pipeline's or a job's), which \
traces the job's shell and prints every variable; `CI_DEBUG_SERVICES`, which adds the service \
containers' logs; and script lines that print a credential: `$CI_JOB_TOKEN`, \
`$CI_REGISTRY_PASSWORD`, `$CI_DEPLOY_PASSWORD`, `$CI_DEPENDENCY_PROXY_PASSWORD`, the job's \
`id_tokens` and `secrets`, or a variable whose name says it holds one (`…_TOKEN`, `…PASSWORD`, \
`…SECRET…`, `…_KEY`, `…CREDENTIALS`) and that the file does not set to a plain value. Printed \
means an argument of `echo`, `printf` or `cat`, a here-document `cat` prints, a value \
transformed first (`base64 -d`, `base64`, `xxd`, `rev`, a substring such as `${TOKEN:0:8}`), \
or any use after `set -x` in the same shell (`before_script` and `script` share one). Severity: \
high for `CI_DEBUG_TRACE` and for transformations, which masking never recognises; medium for \
a variable printed as it is, which is shown in clear unless it was marked masked; low for \
the predefined credentials GitLab always masks, and for `CI_DEBUG_SERVICES`.",
        why: "GitLab masks a variable in the log only if it is marked masked and its value meets \
the masking requirements; it never masks a decoded, sliced or re-encoded value. Job logs are \
kept with the job and readable by every project member, and by everyone when the project's \
pipelines are public. `CI_DEBUG_TRACE` makes the runner trace the script it generates, which \
exports every variable: GitLab's own documentation warns that the output contains the content \
of all variables available to the job.",
        attack: "Exfiltration › Exfiltrate pipeline logs (EF03): the attacker reads the \
credential in a job log, possibly months later, and moves on to Credential Access (CA02) on \
what it opens: the registry, a deployment target, the project itself through a token.",
        example: r#"stages: [deploy]
deploy:
  stage: deploy
  variables:
    CI_DEBUG_TRACE: "true"
  script:
    - echo "Deploying with $DEPLOY_TOKEN"
    - ./deploy.sh
"#,
        fixed_example: r#"stages: [deploy]
deploy:
  stage: deploy
  script:
    - test -n "$DEPLOY_TOKEN" || { echo "DEPLOY_TOKEN is not set"; exit 1; }
    - ./deploy.sh
"#,
        fix: "Never print a credential, even to check it: test it (`test -n \"$TOKEN\"`). Mark \
CI/CD variables that hold secrets as masked (and protected), write decoded values to files, and \
keep `set -x` out of scripts that handle them. Turn `CI_DEBUG_TRACE` on for a single manual \
run from the pipeline page instead of in the file, and delete the job's log afterwards. The \
quick fix removes `CI_DEBUG_TRACE` or `CI_DEBUG_SERVICES` from `variables:` (with \
`variables:` itself when it was the only entry); it is safe, as it only changes what is \
logged.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(532, "Insertion of Sensitive Information into Log File"),
        Reference::Poutine("debug_enabled"),
        Reference::Link(
            "GitLab: Enable debug logging",
            "https://docs.gitlab.com/ci/variables/variables_troubleshooting/#enable-debug-logging",
        ),
        Reference::Link("GitLab: Mask a CI/CD variable", "https://docs.gitlab.com/ci/variables/#mask-a-cicd-variable"),
    ],
};

impl Rule for GitlabSecretInLog {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, pipeline: &Pipeline, out: &mut Findings) {
        report_debug_switches(&pipeline.globals.variables, "the pipeline's `variables:`", out);
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        report_debug_switches(&job.variables, "the job's `variables:`", out);
        // The job's variables, indexed on the first variable printed.
        let scope = OnceCell::new();
        let secret_of = |expansion: Expansion<'_>| match expansion {
            Expansion::Variable(name) => credential(job, scope.get_or_init(|| Scope::new(globals, job)), name),
            Expansion::Within(_) => None,
        };
        let shells: [Vec<_>; 2] =
            [job.before_script.iter().chain(&job.script).collect(), job.after_script.iter().collect()];
        for scripts in shells {
            for leak in commands::printed_values(&scripts, &secret_of) {
                let (severity, confidence) = match (&leak.exposure, leak.value.masked) {
                    (Exposure::Transformed(_) | Exposure::Traced { derived: Some(_) }, _) => {
                        (Severity::High, Confidence::High)
                    }
                    (_, true) => (Severity::Low, Confidence::High),
                    (_, false) => (Severity::Medium, Confidence::Medium),
                };
                let readers = "the job log, which project members (and everyone, if pipelines are public) can read";
                let message = secret_in_log::describe(&leak, readers);
                out.report(leak.script.span_of(leak.range), message)
                    .with_severity(severity)
                    .with_confidence(confidence);
            }
        }
    }
}

fn report_debug_switches(variables: &[Variable], place: &str, out: &mut Findings) {
    for variable in variables {
        let name = variable.name.value.as_str();
        let (severity, effect) = match name {
            "CI_DEBUG_TRACE" => (
                Severity::High,
                "traces the job's shell: the log shows every variable the job gets and every command with its \
                 values expanded, which GitLab warns can expose all secrets",
            ),
            "CI_DEBUG_SERVICES" => (
                Severity::Low,
                "adds the service containers' own logs to the job log, with whatever they print about their \
                 configuration",
            ),
            _ => continue,
        };
        // The runner reads the value as a Go boolean.
        let on = variable
            .value
            .as_ref()
            .is_some_and(|value| matches!(value.value.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"));
        if !on {
            continue;
        }
        let finding = out.report(variable.name.span, format!("`{name}` in {place} {effect}"));
        finding.with_severity(severity);
        if let Some(edit) = fix::remove_from_mapping(&variable.mapping, variable.entry) {
            finding.with_fix(Fix {
                title: format!("Remove `{name}`").into(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
    }
}

/// Whether `$name` holds a credential in this job, as messages name it: one GitLab issues
/// to the job (masked), a secret or ID token of the job, or a project or group variable whose
/// name says it holds one (the model's [`Scope::secret_behind`]), directly or through
/// `variables:`.
fn credential(job: &GitlabJob, scope: &Scope<'_>, name: &str) -> Option<Secret> {
    let named = |what: &str| format!("`${name}` ({what})");
    if credentials::is_job_credential(name) {
        return Some(Secret { name: named("a credential GitLab gives the job"), masked: true });
    }
    if job.secrets.iter().any(|secret| secret.value == name) {
        return Some(Secret { name: named("a secret the job fetches"), masked: false });
    }
    if job.id_tokens.iter().any(|token| token.name.value == name) {
        return Some(Secret { name: named("an ID token of the job"), masked: false });
    }
    let behind = scope.secret_behind(name)?;
    let name = if behind == name { format!("`${name}`") } else { named(&format!("`${behind}`")) };
    Some(Secret { name, masked: false })
}
