//! `gitlab-downstream-variable-forwarding`: variables this pipeline hands to another
//! project's pipeline.

use super::{Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, Variable};
use crate::model::gitlab_variables::{Scope, references};

pub struct GitlabDownstreamVariableForwarding;

static META: RuleMeta = RuleMeta {
    id: "gitlab-downstream-variable-forwarding",
    technique: Technique::LM04,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A trigger hands credentials or untrusted variables to another project's pipeline",
        detects: "Multi-project triggers (`trigger: project:`) that forward the variables \
whoever ran this pipeline set (`forward: pipeline_variables: true`); that pass a credential \
(a variable named like one, or set from one: `TOKEN: $DEPLOY_TOKEN`) among the job's or the \
pipeline's `variables:`, which a trigger forwards unless `forward: yaml_variables: false`; \
and, as low, that pass text someone else chooses (a merge request title, a branch name: see \
docs/gitlab-variables.md), which only matters if the other project parses it as code, or that \
run in merge request pipelines at all. Child \
pipelines (`trigger: include:`) run this project's own configuration and are not reported.",
        why: "A downstream pipeline runs with the variables its trigger passes, at the highest \
precedence, as the user who started this pipeline. With `pipeline_variables: true`, anyone \
who can run this pipeline with variables (through the web form, the API or a trigger token) \
sets variables in the other project's pipeline, where they may have no access at all, and \
overrides what that project's jobs rely on. A credential passed down is visible to every job \
of the other project's pipeline, and to everyone who can edit its configuration. Text chosen \
by a merge request's author becomes a variable the other project's scripts trust.",
        attack: "Lateral Movement › Compromise other CI/CD pipelines (LM04): from a foothold in \
this project's pipeline (a merge request, a developer account, a leaked trigger token), the \
attacker sets or reads variables in a pipeline of another project, typically a deployment \
project with more privileges, and from there reaches its environments (EX07).",
        example: r#"stages: [deploy]
deploy:
  stage: deploy
  trigger:
    project: platform/deployer
    forward:
      pipeline_variables: true
"#,
        fixed_example: r#"stages: [deploy]
deploy:
  stage: deploy
  variables:
    SERVICE: web
  trigger:
    project: platform/deployer
"#,
        fix: "Pass only the fixed variables the downstream project needs, in the trigger \
job's `variables:`; keep credentials in the downstream project's own protected variables; \
set `forward: yaml_variables: false` when the pipeline's global variables hold anything the \
other project should not see; run cross-project triggers only for protected refs. The quick \
fix sets `pipeline_variables: false`; it is unsafe when the downstream pipeline relies on a \
variable set by hand.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec5),
        Reference::Cwe(441, "Unintended Proxy or Intermediary ('Confused Deputy')"),
        Reference::Link(
            "GitLab: Pass CI/CD variables to a downstream pipeline",
            "https://docs.gitlab.com/ci/pipelines/downstream_pipelines/#pass-cicd-variables-to-a-downstream-pipeline",
        ),
    ],
};

impl Rule for GitlabDownstreamVariableForwarding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let Some(trigger) = &job.trigger else { return };
        let Some(project) = &trigger.project else { return };
        let project = &project.value;
        let mut reported = false;
        if let Some(forward) = trigger.forward_pipeline_variables.as_ref().filter(|f| f.value == "true") {
            reported = true;
            out.report(
                forward.span,
                format!(
                    "the variables whoever runs this pipeline sets (in the web form, the API or with a trigger token) are passed to `{project}`'s pipeline, where they override its own"
                ),
            )
            .with_fix(Fix {
                title: "Stop forwarding pipeline variables".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit::replace(forward.span, "false")],
            });
        }
        let scope = Scope::new(globals, job);
        let yaml = trigger.forward_yaml_variables.as_ref().is_none_or(|f| f.value != "false");
        let forwarded = job.variables.iter().chain(globals.variables.iter().filter(|_| yaml));
        for variable in forwarded.filter(|variable| variable.expand) {
            // A variable written outside the job (globally, in a template) may reach triggers of
            // several projects: its message names none.
            let to = if job.span.contains(variable.name.span) {
                format!("`{project}`'s pipeline")
            } else {
                "the pipelines triggered in other projects".to_owned()
            };
            reported |= passed_down(&scope, variable, &to, out);
        }
        let runs = job.reach.merge_requests;
        if !reported && runs.possible() {
            out.report(
                trigger.span,
                format!(
                    "this job starts a pipeline of `{project}` from merge request pipelines{}, as the member who runs them: the merge request's author writes this job's variables",
                    runs.caveat()
                ),
            )
            .with_severity(Severity::Low);
        }
    }
}

/// Reports a forwarded variable that carries a credential or untrusted text.
fn passed_down(scope: &Scope<'_>, variable: &Variable, to: &str, out: &mut Findings) -> bool {
    let Some(value) = &variable.value else { return false };
    let name = &variable.name.value;
    let secret = references(&value.value)
        .into_iter()
        .find_map(|(referenced, range)| scope.secret_behind(referenced).map(|secret| (secret, range)));
    if let Some((secret, range)) = secret {
        out.report(
            value.span_of(range),
            format!(
                "`${secret}` is passed to {to} as `{name}`: every job there, and everyone who can change those projects' configuration, can read it"
            ),
        );
        return true;
    }
    let Some(taint) = scope.taint_of_text(&value.value).filter(|taint| taint.injectable()) else { return false };
    let range = references(&value.value)
        .into_iter()
        .find(|(referenced, _)| scope.taint_of_variable(referenced).is_some())
        .map_or(0..value.value.len(), |(_, range)| range);
    out.report(
        value.span_of(range),
        format!(
            "{} is passed to {to} as `{name}`, chosen by {} in {}: the other project's scripts get it as a variable they may trust",
            taint.describe(),
            taint.controller.who(),
            taint.pipeline.name()
        ),
    )
    .with_severity(Severity::Low)
    .with_confidence(Confidence::Low);
    true
}
