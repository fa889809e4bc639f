//! `secrets-inherit`: a reusable workflow is given every secret of the caller.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Secrets, UsesTarget};
use crate::model::is_commit_sha;

pub struct SecretsInherit;

static META: RuleMeta = RuleMeta {
    id: "secrets-inherit",
    technique: Technique::LM04,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A reusable workflow is given every secret with `secrets: inherit`",
        detects: "A job that calls a reusable workflow with `secrets: inherit`. High when the \
called workflow lives in another repository at a tag or branch its owners can move, medium \
when it is in another repository pinned to a commit, low when it is in this repository. \
Explicit `secrets:` mappings are not reported.",
        why: "`secrets: inherit` passes the called workflow every secret the caller can see: \
repository, environment and organisation secrets alike, whether it needs them or not. Whoever \
controls the called workflow, or the ref it is called at, gets them all; a workflow in \
another repository at a movable tag hands them to that repository's maintainers, and to \
anyone who compromises it.",
        attack: "Lateral Movement › Compromise other CI/CD pipelines from privilege \
escalation (LM04): a foothold in the called workflow (a compromised shared-workflows \
repository, a moved tag, IA03) receives the secrets of every pipeline that calls it with \
`inherit`, and with them access to those pipelines' registries, clouds and repositories \
(CA02, LM03).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  release:
    uses: some-org/shared-workflows/.github/workflows/release.yml@v1
    secrets: inherit
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  release:
    uses: some-org/shared-workflows/.github/workflows/release.yml@8f4b7f84864484a7bf31766abe9204da3cbe65b3
    secrets:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
"#,
        fix: "Pass only the secrets the called workflow declares under \
`on.workflow_call.secrets`, each by name (`NPM_TOKEN: ${{ secrets.NPM_TOKEN }}`), and pin a \
workflow of another repository to a commit. The quick fix replaces `inherit` with an empty \
mapping and a comment to fill in (`{}  # NAME: ${{ secrets.NAME }} for each secret the \
called workflow declares`): pipewarden does not read the called file, so it cannot list them. \
It is unsafe: until the names are filled in, the called workflow runs without secrets.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(200, "Exposure of Sensitive Information to an Unauthorized Actor"),
        Reference::Zizmor("secrets-inherit"),
        Reference::Link(
            "GitHub: Passing secrets to nested workflows",
            "https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-secrets-to-nested-workflows",
        ),
    ],
};

impl Rule for SecretsInherit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        let (Some(Secrets::Inherit(span)), Some(uses)) = (&job.secrets, &job.uses) else { return };
        let (severity, whose) = match &uses.target {
            UsesTarget::Repository { git_ref, .. } if git_ref.as_deref().is_some_and(is_commit_sha) => {
                (Severity::Medium, "a workflow of another repository".to_owned())
            }
            UsesTarget::Repository { git_ref, .. } => (
                Severity::High,
                format!(
                    "a workflow of another repository at `{}`, which its owners can move",
                    git_ref.as_deref().unwrap_or("its default branch")
                ),
            ),
            UsesTarget::Local { .. } | UsesTarget::Docker { .. } => {
                (Severity::Low, "a workflow of this repository".to_owned())
            }
        };
        out.report(
            *span,
            format!(
                "`secrets: inherit` gives every secret this workflow can see to `{}`, {whose}; pass only the ones \
                 it declares",
                uses.raw
            ),
        )
        .with_severity(severity)
        .with_fix(Fix {
            title: "Replace `inherit` with an explicit mapping to fill in".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(
                *span,
                "{}  # NAME: ${{ secrets.NAME }} for each secret the called workflow declares",
            )],
        });
    }
}
