//! `persisted-checkout-credentials`: the token `actions/checkout` leaves in `.git/config`
//! reaches someone it should not.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::artifact::{self, Exposure, Hidden};
use crate::model::checkout::{self, executed_heads};
use crate::model::conditions::admits_outsider;
use crate::model::github::{Step, TokenWrites, UsesTarget};

pub struct PersistedCheckoutCredentials;

static META: RuleMeta = RuleMeta {
    id: "persisted-checkout-credentials",
    technique: Technique::CA04,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "The token `actions/checkout` leaves in `.git/config` reaches an artifact or untrusted code",
        detects: "`actions/checkout` without `persist-credentials: false` (it then writes the \
job's `GITHUB_TOKEN` into `.git/config`), when a later step of the job gives that file away: \
an `actions/upload-artifact` of the workspace or of `.git` that takes hidden files along \
(`include-hidden-files: true` or a version before v4.4.0; a commit pin the rule cannot date \
lowers the confidence), the pull request's code checked out here and run by a later step on \
a privileged trigger (high), or an action from another repository handed the workspace or \
`.git` as a path input (low, and medium for `docker/build-push-action` pushing an image built \
from the workspace, whose `COPY . .` takes `.git` along unless `.dockerignore` leaves it out; \
low confidence either way). A checkout followed by \
nothing of the kind is not reported: the token dies with the job. Medium; high on triggers \
outsiders can cause with a write token (`pull_request_target`, `issue_comment`, \
`workflow_run`...), where they can start the run and race to use the token; low when the \
job's token cannot write.",
        why: "The token stays valid until the job ends, with every permission the job has. An \
artifact can be downloaded while the job still runs, by anyone who can read a public \
repository; code from a pull request reads `.git/config` like any other file. Either way, \
the token leaves the job and can push to the repository for as long as the job runs.",
        attack: "Credential Access › Read credentials file (CA04): the attacker reads the token \
from `.git/config` in the artifact or from the pull request's code, and uses it before the \
job ends to push code (PE05) or tamper with releases (IM04). It is the core of the ArtiPACKED \
attacks.",
        example: r#"on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
      - uses: actions/upload-artifact@v4
        with:
          name: workspace
          path: .
          include-hidden-files: true
"#,
        fixed_example: r#"on: pull_request
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: make
      - uses: actions/upload-artifact@v4
        with:
          name: workspace
          path: .
          include-hidden-files: true
"#,
        fix: "Check out with `persist-credentials: false`, and pass a token explicitly to the \
one step that pushes, if any. The quick fix adds `persist-credentials: false` to the \
checkout's `with:`. It is unsafe when a later step pushes or fetches with git using those \
credentials (`git push`, `git-auto-commit-action`, a release script): give that step its \
token (`git push https://x-access-token:${TOKEN}@github.com/...`) or check out again just \
before it.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Zizmor("artipacked"),
        Reference::CodeQl("actions/secrets-in-artifacts"),
        Reference::Link(
            "Unit 42: ArtiPACKED, hacking giants through a race condition in GitHub Actions artifacts",
            "https://unit42.paloaltonetworks.com/github-repo-artifacts-leak-tokens/",
        ),
    ],
};

/// Input names (or parts of them) that hand an action a directory to package or publish.
const PATH_INPUTS: &[&str] = &["path", "context", "folder", "publish_dir", "files", "source", "src"];

/// Actions that publish a directory but leave `.git` out.
const SKIPS_GIT: &[&str] =
    &["actions/upload-pages-artifact", "JamesIves/github-pages-deploy-action", "peaceiris/actions-gh-pages"];

impl Rule for PersistedCheckoutCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let can_write = TokenWrites::of(header, job).may_write();
        let events = &header.triggers.events;
        // A privileged trigger whose runs the job's `if:` lets outsiders start.
        let privileged = events.iter().find(|trigger| {
            trigger.event.is_privileged_for_outsiders() && admits_outsider(job.condition.as_deref(), &trigger.event)
        });
        let heads = executed_heads(&job.steps);
        // For each step, the first later step that gives `.git/config` away (one backward pass).
        let mut next_leak = vec![None; job.steps.len()];
        let mut nearest = None;
        for (index, step) in job.steps.iter().enumerate().rev() {
            next_leak[index] = nearest;
            if leak_by(step, privileged.is_some()).is_some() {
                nearest = Some(step);
            }
        }
        for (index, step) in job.steps.iter().enumerate() {
            if !checkout::is_checkout(step)
                || !checkout::persists_credentials(step)
                || !checkout::uses_github_token(step)
            {
                continue;
            }
            let head = heads.iter().find(|(fetch, _)| fetch.step == index);
            let leak = match (head, privileged) {
                (Some((fetch, _)), Some(trigger)) => Some(Leak {
                    message: format!(
                        "this checkout of the pull request's code (`{}`) leaves the job's token in `.git/config`, and \
                         a later step runs that code: on `{}` the pull request's author can read the token and \
                         write to the repository",
                        fetch.head,
                        trigger.event.name()
                    ),
                    severity: Severity::High,
                    confidence: Confidence::High,
                }),
                _ => next_leak[index].and_then(|later| leak_by(later, privileged.is_some())),
            };
            let Some(leak) = leak else { continue };
            let severity = if can_write { leak.severity } else { Severity::Low };
            let finding = out.report(step.uses.as_ref().map_or(step.first_key, |uses| uses.span), leak.message);
            finding.with_severity(severity).with_confidence(leak.confidence);
            if let Some(edit) = fix::add_to_mapping(
                step.with_block.as_deref(),
                "with",
                step.first_key,
                step.key_column,
                "persist-credentials: false",
            ) {
                finding.with_fix(Fix {
                    title: "Set `persist-credentials: false`".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit],
                });
            }
        }
    }
}

struct Leak {
    message: String,
    severity: Severity,
    confidence: Confidence,
}

/// How a later step gives `.git/config` away, if it does.
/// `privileged`: outsiders can start the run with a token that writes, and race to use it.
fn leak_by(step: &Step, privileged: bool) -> Option<Leak> {
    let uses = step.uses.as_ref()?;
    let carries_git = |path: &str| match artifact::exposure(path) {
        Some(Exposure::Workspace) => true,
        Some(Exposure::File { file, .. }) => artifact::is_git_directory(file),
        None => false,
    };
    if let Some(upload) = artifact::upload(step) {
        if upload.hidden == Hidden::Excluded {
            return None;
        }
        let (_, path) = upload.paths().find(|(_, path)| carries_git(path))?;
        let hidden = if upload.hidden == Hidden::Included {
            "with hidden files"
        } else {
            "with a pinned version that may include hidden files"
        };
        return Some(Leak {
            message: format!(
                "`actions/checkout` leaves the job's token in `.git/config`, and a later `{}` uploads `{path}` {hidden}: \
                 anyone who downloads the artifact while the job runs gets the token",
                uses.raw
            ),
            severity: if privileged { Severity::High } else { Severity::Medium },
            confidence: if upload.hidden == Hidden::Included { Confidence::High } else { Confidence::Low },
        });
    }
    let foreign = match &uses.target {
        UsesTarget::Repository { .. } => !uses.is_first_party() && !SKIPS_GIT.iter().any(|name| uses.is_action(name)),
        UsesTarget::Docker { .. } => true,
        UsesTarget::Local { .. } => false,
    };
    if !foreign {
        return None;
    }
    let input = step.with.iter().find(|input| {
        let name = input.name.value.to_ascii_lowercase();
        PATH_INPUTS.iter().any(|path_like| name.contains(path_like))
            && input.value.as_ref().is_some_and(|value| {
                value.value.lines().map(str::trim).any(|line| !line.is_empty() && carries_git(line))
            })
    })?;
    // An image built from the workspace and pushed (or cached in a registry) publishes
    // whatever `COPY . .` took along.
    let input_has = |name: &str, what: &str| step.input_text(name).is_some_and(|value| value.value.contains(what));
    let pushed_image = uses.is_action("docker/build-push-action")
        && (step.input_text("push").is_some_and(|push| push.value.trim() != "false")
            || input_has("cache-to", "type=registry")
            || input_has("outputs", "push=true"));
    let consequence = if pushed_image {
        "unless `.dockerignore` leaves `.git` out, an image that copies the build context carries the token to \
         the registry"
    } else {
        "it may copy or publish `.git/config` with it"
    };
    Some(Leak {
        message: format!(
            "`actions/checkout` leaves the job's token in `.git/config`, and a later step hands the workspace to `{}` \
             (`{}:`): {consequence}",
            uses.raw, input.name.value
        ),
        severity: if pushed_image { Severity::Medium } else { Severity::Low },
        confidence: Confidence::Low,
    })
}
