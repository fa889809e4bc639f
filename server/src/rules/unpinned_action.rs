//! `unpinned-action`: a third-party action or reusable workflow referenced by a movable ref.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta,
    RuleOptions, Severity, StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Step, Uses, UsesTarget};
use crate::model::version::RefKind;
use crate::syntax::span::Span;

pub struct UnpinnedAction;

static META: RuleMeta = RuleMeta {
    id: "unpinned-action",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An action or reusable workflow is referenced by a tag or branch, not a commit",
        detects: "`uses:` of an action (in a workflow or a composite action) or of a reusable \
workflow (`jobs.<id>.uses`) in another repository whose ref is not a full 40-character commit \
SHA. A branch (`@main`, `@release/v1`) or no ref at all runs every push to that branch: high. A \
version tag (`@v4`, `@v4.1.1`) is moved only when its owner chooses to: medium. Actions of \
GitHub itself (`actions/*`, `github/*`) are low at a version tag and medium at a branch: GitHub \
guards them like the platform, but their tags can still move. Owners listed in the \
`trustedOwners` setting (`check --trusted-owner`), typically your own organisation, are not \
reported at all: their repositories are governed like this one. Local actions (`./...`) are \
never reported; `docker://` images are reported by `unpinned-image`.",
        why: "Tags and branches can be moved by whoever controls the action's repository. If that \
repository is compromised, or its owner turns hostile, every workflow that uses the tag runs \
the new code with its token and secrets on the next run, as happened to `tj-actions/changed-files` \
in 2025. A branch moves with every push, without even a release.",
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
comment for humans and update tools: `uses: some-org/lint-action@<40 hex> # v2.1.0` (Dependabot \
and Renovate keep such pins and their comments current). For actions of an organisation you \
govern, list the owner in `trustedOwners` instead. `pipewarden pin` does it for a whole \
repository: it asks each action's repository (`git ls-remote`) which commit each tag or branch \
names, records the answers in `.github/pipewarden.lock` and rewrites the `uses:` lines. When \
the lock knows the commit, the quick fix \"Pin to <sha> (# <tag>)\" rewrites the reference to it \
and keeps the tag in a comment (no comment inside a `{...}` mapping, where it would swallow the \
rest of the line). It is safe: it runs the commit the tag named when the lock was written, \
which is what the lock's reviewer approved; if the tag has moved since, run `pipewarden pin` \
again first. Without a lock entry no fix is offered: pipewarden never guesses a SHA, and \
`check` and the language server never go online.",
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

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if let Some(uses) = &job.uses {
            check(uses, "the reusable workflow", context.options, job.key_column.is_none(), out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(uses) = &step.uses {
            check(uses, "the action", context.options(), step.key_column.is_none(), out);
        }
    }
}

/// `in_flow`: the `uses:` is inside a `{...}` mapping, where no comment can follow it.
fn check(uses: &Uses, what: &str, options: &RuleOptions, in_flow: bool, out: &mut Findings) {
    let UsesTarget::Repository { owner, repo, git_ref, .. } = &uses.target else {
        return;
    };
    if owner.is_empty() || repo.is_empty() || options.trusts_owner(owner) {
        return;
    }
    let first_party = uses.is_first_party();
    let name = uses.action_name().unwrap_or_default();
    let (how, severity) = match git_ref.as_deref().map(|git_ref| (git_ref, RefKind::of(git_ref))) {
        Some((_, RefKind::Commit)) => return,
        Some((tag, RefKind::Version(_))) => {
            let how = format!("the tag `{tag}`, which its owner can move to other code");
            (how, if first_party { Severity::Low } else { Severity::Medium })
        }
        Some((branch, RefKind::Other)) => {
            let how = format!("`{branch}`, a branch or a tag that is not a version, so every push to it runs here");
            (how, if first_party { Severity::Medium } else { Severity::High })
        }
        None => {
            let how = "no ref, so every push to its default branch runs here".to_owned();
            (how, if first_party { Severity::Medium } else { Severity::High })
        }
    };
    let finding = out
        .report(
            uses.span,
            format!("{what} `{name}` is used at {how}; pin it to a full commit SHA, with the version in a comment"),
        )
        .with_severity(severity);
    if let Some(fix) = git_ref.as_deref().and_then(|git_ref| pin_from_lock(uses, git_ref, options, in_flow)) {
        finding.with_fix(fix);
    }
}

/// Rewrites the ref to the commit the lock file records for it, keeping the ref in a comment.
fn pin_from_lock(uses: &Uses, git_ref: &str, options: &RuleOptions, in_flow: bool) -> Option<Fix> {
    let pins = options.pins();
    // Without a lock file there is nothing to look up, nor a name to make for it.
    if pins.is_empty() {
        return None;
    }
    let sha = pins.action(&uses.repository()?, git_ref)?;
    let content = fix::scalar_content(&uses.raw, uses.span)?;
    let at = uses.raw.rfind('@')? + 1;
    let ref_span = Span { start: content.start + at as u32, ..content };
    let mut edits = vec![Edit::replace(ref_span, sha)];
    if !in_flow {
        edits.push(Edit::insert(uses.span.at_end(), format!(" # {git_ref}")));
    }
    Some(Fix { title: format!("Pin to {sha} (# {git_ref})").into(), applicability: Applicability::Safe, edits })
}
