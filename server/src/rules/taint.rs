//! How severe it is that an attacker-chosen value reaches code, shared by the rules that
//! report injections so that they calibrate alike. What is tainted is the model's answer
//! ([`crate::model::contexts`]); this is only the policy that turns it into a severity.

use super::{Confidence, Severity};
use crate::model::contexts::{Controller, Taint};

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
        Controller::Author | Controller::Caller => Severity::Medium,
        Controller::Collaborator => Severity::Low,
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
