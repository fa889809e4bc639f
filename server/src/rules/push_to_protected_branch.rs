//! `push-to-protected-branch`: a pipeline pushes to, or merges into, the default branch.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::checkout;
use crate::model::conditions::admits_outsider;
use crate::model::git::{self, Credential, PushTarget};
use crate::model::github::{Access, Event, Step, Trigger};
use crate::syntax::span::Span;

pub struct PushToProtectedBranch;

static META: RuleMeta = RuleMeta {
    id: "push-to-protected-branch",
    technique: Technique::PR02,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A pipeline pushes to the default branch or merges pull requests",
        detects: "`git push` to the default branch (`main`, `master`, `HEAD:main`, \
`${{ github.event.repository.default_branch }}`, or a plain `git push` from a checkout of the \
branch the run started on, when that is the default branch), actions that push the checked-out \
branch (`git-auto-commit-action`, `add-and-commit`...), `gh pr merge` (with `--admin`, which \
bypasses branch protection, or `--auto`), `github.rest.pulls.merge` in `actions/github-script`, \
and auto-merge actions (`pascalgn/automerge-action`, \
`peter-evans/enable-pull-request-automerge`, `ahmadnassri/action-dependabot-auto-merge`...). \
High when outsiders can make the job run with the repository's privileges \
(`pull_request_target`, `issue_comment`, `workflow_run`... with no `if:` that checks the \
author's association, the pull request's author or a label: a `github.actor` check does not \
count, an outsider can arrange to be seen as that actor, which `spoofable-actor-check` \
reports); medium for `--admin`; low for other pushes, such as a release bot pushing a version \
bump on `push`. Other merges are not reported: they wait for what branch protection \
requires. Pushes with the job's `GITHUB_TOKEN` when its `permissions:` cannot write `contents` \
are not reported: they fail.",
        why: "Branch protection exists so that code reaches the default branch through review. \
A pipeline that pushes or merges there on its own is a way around it, open to anyone who can \
start the pipeline and influence what it pushes or which pull request it merges: with \
`pull_request_target` or `issue_comment`, that is anyone with a GitHub account.",
        attack: "Privilege Escalation › Push code from pipelines to protected branches (PR02): \
the attacker gets their change into what the job pushes (a file the job formats, a pull \
request it merges, an injected command, EX05/EX06), and the pipeline's identity puts it on \
the protected branch, from where it reaches releases (IM04) and every later run (PE05).",
        example: r#"on: pull_request_target
permissions:
  contents: write
  pull-requests: write
jobs:
  automerge:
    runs-on: ubuntu-latest
    if: github.actor == 'dependabot[bot]'
    steps:
      - run: gh pr merge --auto --squash "$PR_URL"
        env:
          PR_URL: ${{ github.event.pull_request.html_url }}
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: write
  pull-requests: write
jobs:
  automerge:
    runs-on: ubuntu-latest
    if: github.event.pull_request.user.login == 'dependabot[bot]'
    steps:
      - run: gh pr merge --auto --squash "$PR_URL"
        env:
          PR_URL: ${{ github.event.pull_request.html_url }}
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
"#,
        fix: "Push to a branch and open a pull request instead of pushing to the default \
branch; run auto-merge on `pull_request` (forks get no write token there) and check the pull \
request's author (`github.event.pull_request.user.login`), not `github.actor`; never use \
`--admin` from a pipeline. Keep branch protection on for administrators and require the \
reviews the bot cannot give itself. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(284, "Improper Access Control"),
        Reference::Zizmor("bot-conditions"),
        Reference::Poutine("confused_deputy_auto_merge"),
        Reference::Link(
            "GitHub: About protected branches",
            "https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-protected-branches/about-protected-branches",
        ),
    ],
};

/// What a step does to the default branch.
enum Change {
    /// Pushes to the default branch, named.
    Push(String),
    /// Pushes the checked-out branch.
    PushCurrent,
    /// Pushes to the default branch, named, from another directory (`cd`, `pushd`,
    /// `working-directory:`): perhaps another repository's clone.
    PushElsewhere(String),
    /// Merges a pull request (into its base, usually the default branch).
    Merge { how: String, admin: bool },
}

impl Rule for PushToProtectedBranch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        // Most jobs change no branch: what starts them is read only for those that do.
        let changed: Vec<Vec<(Span, Change)>> = job.steps.iter().map(changes).collect();
        if changed.iter().all(Vec::is_empty) {
            return;
        }
        let admitted: Vec<&Trigger> = header
            .triggers
            .events
            .iter()
            .filter(|trigger| admits_outsider(job.condition.as_deref(), &trigger.event))
            .collect();
        let outsider = admitted.iter().find(|trigger| trigger.event.is_privileged_for_outsiders());
        let can_write_contents = job
            .token_permissions(header)
            .is_none_or(|permissions| !matches!(permissions.access("contents"), Some(Access::None | Access::Read)));
        let mut checkout = None;
        let mut run = BranchState::default();
        for (step, changes) in job.steps.iter().zip(changed) {
            run.follow(step);
            for (span, change) in changes {
                let credential = match change {
                    Change::Merge { .. } => None,
                    _ => Some(git::push_credential(header, job, step, checkout)),
                };
                if credential == Some(Credential::GithubToken) && !can_write_contents {
                    continue;
                }
                let (what, reaches_outsider) = match &change {
                    Change::Push(branch) => (format!("pushes to `{branch}`"), outsider.is_some()),
                    Change::PushElsewhere(branch) => (
                        format!("pushes to `{branch}` (of the repository in the directory it moved to)"),
                        outsider.is_some(),
                    ),
                    Change::PushCurrent => {
                        let Some(on_default) = run.default_branch_trigger(&admitted) else { continue };
                        (
                            format!(
                                "pushes the branch the run checked out, which is the default branch on `{}`",
                                on_default.event.name()
                            ),
                            on_default.event.is_privileged_for_outsiders(),
                        )
                    }
                    Change::Merge { how, .. } => (how.clone(), outsider.is_some()),
                };
                let admin = matches!(change, Change::Merge { admin: true, .. });
                let (severity, message) = match (reaches_outsider, outsider) {
                    (true, Some(trigger)) => (
                        Severity::High,
                        format!(
                            "job `{}` {what}, and outsiders can start it with `{}`: what they get into the job or the \
                             pull request lands on the protected branch without review",
                            job.id.value,
                            trigger.event.name()
                        ),
                    ),
                    _ if admin => (
                        Severity::Medium,
                        format!("job `{}` {what}, bypassing the branch's protection rules", job.id.value),
                    ),
                    // A merge waits for what branch protection requires: only who can trigger it matters.
                    _ if matches!(change, Change::Merge { .. }) => continue,
                    _ => (
                        Severity::Low,
                        format!("job `{}` {what}: changes reach the protected branch without review", job.id.value),
                    ),
                };
                let unsure = credential == Some(Credential::Unknown) || matches!(change, Change::PushElsewhere(_));
                out.report(span, message).with_severity(severity).with_confidence(if unsure {
                    Confidence::Low
                } else {
                    Confidence::Medium
                });
            }
            if git::persists_credentials(step) {
                checkout = Some(step);
            }
        }
    }
}

/// What a step does to the default branch, and where it is written.
fn changes(step: &Step) -> Vec<(Span, Change)> {
    let mut changes = Vec::new();
    if let Some(script) = &step.run {
        let mut moved = step.working_directory.is_some();
        for command in &script.commands {
            let span = script.span_of(command.range.clone());
            moved |= matches!(command.name(), Some("cd" | "pushd"));
            if let Some(push) = git::push(command) {
                let whole = matches!(push.special, Some("--all" | "--mirror"));
                let branch =
                    push.destinations().find(|(_, branch)| is_default_branch(branch)).map(|(_, b)| b.to_owned());
                let current = push.special.is_none() && push.refspecs.iter().all(|spec| spec.text == "HEAD");
                let branch = branch.or_else(|| whole.then(|| "every branch".to_owned()));
                match (branch, moved) {
                    (Some(branch), false) => changes.push((span, Change::Push(branch))),
                    (Some(branch), true) => changes.push((span, Change::PushElsewhere(branch))),
                    (None, false) if current => changes.push((span, Change::PushCurrent)),
                    _ => {}
                }
            } else if let Some(("pr", Some("merge"))) = git::gh_subcommand(command) {
                let admin = command.has_arg("--admin");
                let how = if admin {
                    "merges pull requests with `gh pr merge --admin`"
                } else if command.has_arg("--auto") {
                    "turns on auto-merge with `gh pr merge --auto`"
                } else {
                    "merges pull requests with `gh pr merge`"
                };
                changes.push((span, Change::Merge { how: how.to_owned(), admin }));
            }
        }
    }
    let Some(uses) = &step.uses else { return changes };
    if let Some(action) = git::push_action(step).filter(|action| action.target == PushTarget::Current) {
        let branch = action.branch_input.as_deref().and_then(|input| step.input_text(input));
        match branch.map(|branch| branch.value.trim()) {
            None | Some("") => changes.push((uses.span, Change::PushCurrent)),
            Some(branch) if is_default_branch(branch) => changes.push((uses.span, Change::Push(branch.to_owned()))),
            Some(_) => {}
        }
    }
    if let Some(action) = git::merge_action(step) {
        changes.push((
            uses.span,
            Change::Merge { how: format!("uses `{}`, which {}", uses.raw, action.how), admin: false },
        ));
    }
    if step.uses_action("actions/github-script")
        && let Some(code) = step.input_text("script")
        && let Some(at) = code.value.find("pulls.merge(")
    {
        let how = "merges pull requests with `github.rest.pulls.merge`".to_owned();
        changes.push((code.span_of(at..at + "pulls.merge".len()), Change::Merge { how, admin: false }));
    }
    changes
}

fn is_default_branch(branch: &str) -> bool {
    matches!(branch, "main" | "master") || branch.contains("default_branch")
}

/// Which branch the steps so far have checked out: whether the last checkout took the run's
/// ref (no `ref:`, or the default branch), and whether a script switched branches since.
#[derive(Default)]
struct BranchState {
    run_ref: bool,
    switched: bool,
}

impl BranchState {
    /// Takes in a step, its switches included (a push later in it sees them too).
    fn follow(&mut self, step: &Step) {
        if checkout::is_checkout(step) {
            self.run_ref = step.input_text("ref").is_none_or(|value| is_default_branch(value.value.trim()));
            self.switched = false;
        }
        let switches = step.run.iter().flat_map(|script| &script.commands).any(|command| {
            git::git_subcommand(command).is_some_and(|(subcommand, rest)| match subcommand {
                "switch" => true,
                "checkout" => !rest.iter().any(|word| word.text == "--"),
                _ => false,
            })
        });
        self.switched |= switches;
    }

    /// The trigger under which the checked-out branch is the default branch: the run's ref,
    /// no switch since, and a trigger that runs on the default branch (events about issues,
    /// comments, schedules..., or a push to `main`).
    fn default_branch_trigger<'a>(&self, admitted: &[&'a Trigger]) -> Option<&'a Trigger> {
        if !self.run_ref || self.switched {
            return None;
        }
        admitted.iter().copied().find(|trigger| runs_on_default_branch(trigger))
    }
}

fn runs_on_default_branch(trigger: &Trigger) -> bool {
    match trigger.event {
        Event::Push => trigger.branches.is_empty() || trigger.branches.iter().any(|branch| is_default_branch(branch)),
        Event::PullRequest
        | Event::PullRequestReview
        | Event::PullRequestReviewComment
        | Event::Create
        | Event::Delete
        | Event::Release
        | Event::MergeGroup
        | Event::WorkflowCall => false,
        _ => true,
    }
}
