//! `unpinned-include`: GitLab configuration included from a place that can change under it.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{IncludeKind, Pipeline};
use crate::model::is_commit_sha;
use crate::model::version::RefKind;

pub struct UnpinnedInclude;

static META: RuleMeta = RuleMeta {
    id: "unpinned-include",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "Pipeline configuration is included from a source that can change",
        detects: "`include:` entries whose content can change under this pipeline. A URL \
(`remote:`, or a plain `https://` entry): high, whoever controls the URL controls the pipeline; \
medium when the URL names a commit (`/-/raw/<sha>/...`), since only the server can still change \
it; not reported with an `integrity:` hash, which GitLab checks. \
A project file without a `ref:`, or at a branch: medium; at a version tag: low. A CI/CD \
component at a moving version (`@main`, `@~latest`, a partial version such as `@1` or `@1.2`): \
medium; a full version (`@1.2.3`) or a commit SHA is not reported. A GitLab `template:` is low: \
GitLab maintains it, but it changes with every upgrade of the instance. Local includes are \
never reported.",
        why: "An included file becomes part of this pipeline: its jobs run with this project's \
variables and runners. Whoever can change the URL's content or push to the included branch \
changes what runs here, without a merge request in this project.",
        attack: "Initial Access › Compromise CI/CD supply chain (IA03): the attacker edits the \
included configuration in a place they control and this pipeline runs it, reaching its CI/CD \
variables (CA02) and deployment credentials.",
        example: r#"include:
  - remote: https://example.com/ci/templates/build.yml
  - project: platform/ci-templates
    file: /deploy.yml
build:
  script:
    - make
"#,
        fixed_example: r#"include:
  - project: platform/ci-templates
    ref: 2f9e0c4a7b1d3e5f6a8b9c0d1e2f3a4b5c6d7e8f
    file: /deploy.yml
  - component: $CI_SERVER_FQDN/platform/components/lint@1.2.3
build:
  script:
    - make
"#,
        fix: "Include project files at a commit SHA (`ref: <sha>`), or a protected tag you \
control, pin components to a full version or a SHA, and copy remote files into the repository \
or a project you control, or give remote includes an `integrity:` hash. No quick fix is offered: the commit or version to pin must come from \
the other project, which pipewarden never contacts.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Link("GitLab: include", "https://docs.gitlab.com/ci/yaml/#include"),
    ],
};

impl Rule for UnpinnedInclude {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, pipeline: &Pipeline, out: &mut Findings) {
        for include in &pipeline.globals.includes {
            let Some((message, severity)) = assess(&include.kind) else { continue };
            out.report(include.span, message).with_severity(severity);
        }
    }
}

/// What is wrong with one include, if anything.
fn assess(kind: &IncludeKind) -> Option<(String, Severity)> {
    Some(match kind {
        IncludeKind::Remote { integrity: Some(_), .. } => return None,
        IncludeKind::Remote { url, .. } if url.split('/').any(is_commit_sha) => (
            format!(
                "the configuration at `{url}` names a commit, but whoever controls that server decides what it serves: add `integrity:` with the file's hash"
            ),
            Severity::Medium,
        ),
        IncludeKind::Remote { url, .. } => (
            format!(
                "the configuration at `{url}` is run as part of this pipeline; whoever controls that URL controls this pipeline"
            ),
            Severity::High,
        ),
        IncludeKind::Project { project, git_ref, .. } => match git_ref.as_deref().map(|r| (r, RefKind::of(r))) {
            Some((_, RefKind::Commit)) => return None,
            Some((tag, RefKind::Version(_))) => (
                format!(
                    "`{project}` is included at the tag `{tag}`, which its maintainers can move: pin it to a commit SHA"
                ),
                Severity::Low,
            ),
            Some((branch, RefKind::Other)) => (
                format!("`{project}` is included at `{branch}`, which can move: pin it to a commit SHA"),
                Severity::Medium,
            ),
            None => (
                format!("`{project}` is included from its default branch: a push there changes this pipeline"),
                Severity::Medium,
            ),
        },
        IncludeKind::Component(component) => {
            let (path, version) = component.rsplit_once('@').unwrap_or((component, ""));
            match RefKind::of(version) {
                RefKind::Commit => return None,
                RefKind::Version(version) if version.is_complete() => return None,
                _ if version.is_empty() => (
                    format!(
                        "the component `{path}` is included without a version: pin it to a full version or a commit SHA"
                    ),
                    Severity::Medium,
                ),
                _ => (
                    format!(
                        "the component `{path}` is included at `@{version}`, which can move: pin it to a full version or a commit SHA"
                    ),
                    Severity::Medium,
                ),
            }
        }
        IncludeKind::Template(template) => (
            format!(
                "the GitLab template `{template}` changes with every upgrade of the GitLab instance; copy it into the project to review its changes"
            ),
            Severity::Low,
        ),
        IncludeKind::Local(_) => return None,
    })
}
