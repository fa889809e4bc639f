//! `actions/checkout` steps: which token they authenticate with and leave in `.git/config`;
//! and, from [`untrusted_code`], the pull request heads a job fetches and then executes.

use super::github::Step;
use super::untrusted_code::{self, Execution, Fetch};

pub fn is_checkout(step: &Step) -> bool {
    step.uses_action("actions/checkout")
}

/// Every fetch of a pull request's head among `steps` (a checkout of it, `gh pr checkout`...)
/// that a later step, or a later command of the same script, certainly executes, with that
/// execution.
pub fn executed_heads(steps: &[Step]) -> Vec<(Fetch, Execution)> {
    (0..steps.len())
        .filter_map(|index| untrusted_code::fetch(steps, index))
        .filter_map(|fetch| {
            let execution = untrusted_code::executed_after(steps, fetch.step, fetch.path.as_deref(), fetch.after)?;
            Some((fetch, execution))
        })
        .collect()
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
