//! How severe it is that an attacker-chosen value reaches code, shared by the rules that
//! report injections so that they calibrate alike. What is tainted is the model's answer
//! ([`crate::model::contexts`]); this is only the policy that turns it into a severity.

use super::{Confidence, Severity};
use crate::model::contexts::{Controller, Taint};
use crate::model::gitlab_variables::{self, Controller as GitlabController};
use crate::model::reach::Runs;

/// The severity of an injection of `taint` into code.
pub fn injection_severity(taint: &Taint) -> Severity {
    match taint.controller {
        // A reusable workflow or an action reading outsider text: bad wherever it is used.
        Controller::Outsider if taint.events_unknown => Severity::High,
        // `pull_request_target`, `issue_comment`, `issues`, `workflow_run`...: the run has
        // the repository's secrets and a write token.
        Controller::Outsider if taint.privileged => Severity::Critical,
        // Pull requests from forks run without secrets and with a read-only token, but
        // same-repository pull requests and self-hosted runners do not.
        Controller::Outsider => Severity::Medium,
        Controller::Author => Severity::Medium,
        // An input of a reusable workflow or an action: dangerous only where a caller passes
        // untrusted text, which this file cannot see (the cross-file analysis raises it then).
        Controller::Caller | Controller::Collaborator => Severity::Low,
    }
}

/// How sure an injection finding is: a direct read is certain, a value followed through
/// files, outputs or unknown callers less so.
pub fn injection_confidence(taint: &Taint) -> Confidence {
    if taint.is_direct() && !taint.events_unknown { Confidence::High } else { Confidence::Medium }
}

/// "anyone with a GitHub account" etc., for messages.
pub fn who(taint: &Taint) -> &'static str {
    taint.controller.who()
}

/// The severity of an injection of a GitLab variable into code: high for text a merge
/// request's author writes (it bypasses the review a member gives the diff before running a
/// fork's pipeline), medium for what members and developers choose (branch and tag names,
/// labels), low for commit messages that reached a protected branch through review.
pub fn gitlab_injection_severity(taint: &gitlab_variables::Taint) -> Severity {
    match taint.controller {
        GitlabController::MergeRequestAuthor => Severity::High,
        GitlabController::Member | GitlabController::Developer => Severity::Medium,
        GitlabController::CommitAuthor => Severity::Low,
    }
}

/// How sure a GitLab injection finding is: a predefined variable read directly by a job
/// that surely runs where it is chosen is certain; a value followed through variables, or a
/// job whose rules the file does not decide, less so.
pub fn gitlab_injection_confidence(taint: &gitlab_variables::Taint) -> Confidence {
    if taint.is_direct() && taint.runs == Runs::Yes { Confidence::High } else { Confidence::Medium }
}
