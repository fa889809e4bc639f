//! `unpinned-include`: GitLab configuration included from a place that can change under it.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{IncludeKind, Pipeline};
use crate::model::is_commit_sha;

pub struct UnpinnedInclude;

static META: RuleMeta = RuleMeta {
    id: "unpinned-include",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "Pipeline configuration is included from a source that can change",
        detects: "`include:` entries that pull configuration from a URL (`remote:`, or a plain \
`https://` entry), and project includes without a `ref:` or with a branch `ref:` rather than a \
commit SHA. CI/CD components pinned to a version and local includes are not reported.",
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
build:
  script:
    - make
"#,
        fix: "Include project files at a commit SHA (`ref: <sha>`), or a protected tag you \
control, and copy remote files into the repository or a project you control. No quick fix is \
offered: the commit to pin must come from the other project, which pipewarden never contacts.",
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
            match &include.kind {
                IncludeKind::Remote(url) => {
                    out.report(
                        include.span,
                        format!("the configuration at `{url}` is run as part of this pipeline; whoever controls that URL controls this pipeline"),
                    )
                    .with_severity(Severity::High);
                }
                IncludeKind::Project { project, git_ref, .. } => {
                    let message = match git_ref {
                        None => format!(
                            "`{project}` is included from its default branch: a push there changes this pipeline"
                        ),
                        Some(git_ref) if !is_commit_sha(git_ref) => {
                            format!("`{project}` is included at `{git_ref}`, which can move: pin it to a commit SHA")
                        }
                        Some(_) => continue,
                    };
                    out.report(include.span, message);
                }
                IncludeKind::Local(_) | IncludeKind::Template(_) | IncludeKind::Component(_) => {}
            }
        }
    }
}
