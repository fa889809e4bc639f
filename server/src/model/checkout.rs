//! `actions/checkout` steps: what they check out, which token they authenticate with and
//! leave in `.git/config`, and which later steps may execute the files they fetched.

use super::Text;
use super::github::{Step, UsesTarget};

/// Context paths that name the pull request's head, i.e. code the pull request's author wrote.
const HEAD_CONTEXTS: &[&str] = &[
    "github.head_ref",
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.number",
    "github.event.number",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
];

/// Actions that only move or cache files and never execute what was checked out.
const INERT_ACTIONS: &[&str] =
    &["actions/upload-artifact", "actions/download-artifact", "actions/cache", "actions/labeler", "actions/stale"];

pub fn is_checkout(step: &Step) -> bool {
    step.uses_action("actions/checkout")
}

/// The `ref:` or `repository:` input of a checkout step that names the pull request's head,
/// and the context path (or `refs/pull/...` text) that does.
fn pull_request_head(step: &Step) -> Option<(&Text, String)> {
    if !is_checkout(step) {
        return None;
    }
    ["ref", "repository"].iter().filter_map(|name| step.input_text(name)).find_map(|value| {
        let from_context = value
            .expressions
            .iter()
            .flat_map(|expression| &expression.contexts)
            .find(|context| HEAD_CONTEXTS.contains(&context.path.as_str()))
            .map(|context| context.path.clone());
        let pull_ref = value.value.contains("refs/pull/").then(|| value.value.clone());
        Some((value, from_context.or(pull_ref)?))
    })
}

/// A checkout of the pull request's head that a later step may execute.
pub struct HeadExecution<'a> {
    pub checkout: &'a Step,
    /// The `ref:` or `repository:` value that names the head.
    pub value: &'a Text,
    /// The context path (or `refs/pull/...` text) that names it.
    pub head: String,
    /// The first later step that may execute it.
    pub runner: &'a Step,
}

/// Every checkout of the pull request's head among `steps` that a later step may execute, in
/// order (one backward pass: the nearest later executor is carried along).
pub fn executed_heads(steps: &[Step]) -> Vec<HeadExecution<'_>> {
    let mut runner: Option<&Step> = None;
    let mut heads = Vec::new();
    for step in steps.iter().rev() {
        if let (Some(runner), Some((value, head))) = (runner, pull_request_head(step)) {
            heads.push(HeadExecution { checkout: step, value, head, runner });
        }
        if may_execute(step) {
            runner = Some(step);
        }
    }
    heads.reverse();
    heads
}

/// Whether a step may execute files of the workspace: a script, a local action, or any
/// action that is not known to only move files.
fn may_execute(step: &Step) -> bool {
    if step.runs_code() {
        return true;
    }
    match step.uses.as_ref().map(|uses| &uses.target) {
        Some(UsesTarget::Repository { owner, repo, .. }) => {
            let name = format!("{owner}/{repo}").to_ascii_lowercase();
            !INERT_ACTIONS.contains(&name.as_str()) && !name.starts_with("actions/setup-") && name != "actions/checkout"
        }
        Some(_) => true,
        None => false,
    }
}

/// Whether a checkout step writes its token into `.git/config`: always, unless
/// `persist-credentials:` is `false` (or an expression, which cannot be known).
pub fn persists_credentials(step: &Step) -> bool {
    step.input_text("persist-credentials")
        .is_none_or(|value| value.expressions.is_empty() && !value.value.trim().eq_ignore_ascii_case("false"))
}

/// Whether a checkout step authenticates with the workflow's `GITHUB_TOKEN`: it does unless
/// `token:` (or `ssh-key:`) passes another credential.
pub fn uses_github_token(step: &Step) -> bool {
    step.input_text("ssh-key").is_none()
        && step.input_text("token").is_none_or(|token| token.expands_github_token() || token.value.trim().is_empty())
}
