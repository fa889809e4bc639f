//! `unpinned-action`: a third-party action or reusable workflow referenced by a movable ref.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Step, Uses, UsesTarget};
use crate::model::is_commit_sha;

pub struct UnpinnedAction;

static META: RuleMeta = RuleMeta {
    id: "unpinned-action",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A third-party action is referenced by a tag or branch, not a commit",
        detects: "`uses:` of an action or reusable workflow in another repository whose ref is \
not a full 40-character commit SHA (a tag like `v4`, a branch like `main`, or no ref at all), \
and Docker actions without an image digest. Actions owned by GitHub (`actions/*`, `github/*`) \
are not reported: GitHub maintains them and their tags under the same controls as the platform.",
        why: "Tags and branches can be moved by whoever controls the action's repository. If that \
repository is compromised, or its owner turns hostile, every workflow that uses the tag runs \
the new code with its token and secrets on the next run, as happened to `tj-actions/changed-files` \
in 2025.",
        attack: "Initial Access › Compromise CI/CD supply chain (IA03): the attacker never touches \
this repository; they move a tag in one they control, and this pipeline runs their code. From \
there: Credential Access (CA02) and, with a write token, Persistence (PE05).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: some-org/lint-action@v2
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: some-org/lint-action@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v2.1.0
"#,
        fix: "Pin the action to the full commit SHA of the release you reviewed, with the tag in a \
comment for humans and update tools (Dependabot and Renovate keep such pins current). No quick \
fix is offered: the SHA must come from the action's repository, which pipewarden never contacts.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Zizmor("unpinned-uses"),
        Reference::Poutine("github_action_from_unverified_creator_used"),
        Reference::CodeQl("actions/unpinned-tag"),
    ],
};

impl Rule for UnpinnedAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        if let Some(uses) = &context.job.uses {
            check(uses, out);
        }
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(uses) = &step.uses {
            check(uses, out);
        }
    }
}

fn check(uses: &Uses, out: &mut Findings) {
    match &uses.target {
        UsesTarget::Repository { owner, repo, git_ref, .. } => {
            if git_ref.as_deref().is_some_and(is_commit_sha) || owner.is_empty() || repo.is_empty() {
                return;
            }
            if uses.is_first_party() {
                return;
            }
            let how = match git_ref {
                Some(git_ref) => format!("`@{git_ref}`, which its owner can move"),
                None => "no ref at all, so it follows the default branch".to_owned(),
            };
            out.report(
                uses.span,
                format!("`{owner}/{repo}` is used by {how}: pin it to a full commit SHA so a moved tag cannot run new code here"),
            );
        }
        UsesTarget::Docker { image } if !image.contains("@sha256:") => {
            out.report(
                uses.span,
                format!("the image `{image}` is used by tag: pin it by digest (`@sha256:...`) so a pushed tag cannot run new code here"),
            );
        }
        UsesTarget::Docker { .. } | UsesTarget::Local { .. } => {}
    }
}
