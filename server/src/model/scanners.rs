//! Security checks: scanners (vulnerabilities, secrets, misconfigurations) and verifiers of
//! signatures and checksums, as actions, commands and GitLab template jobs. Shared by the rules
//! on checks allowed to fail (`data/security-scanners.toml`).

use std::sync::LazyLock;

use serde::Deserialize;

use super::github::Step;
use super::patterns::{ActionPattern, ByProgram, CommandPattern, HasCommandPattern, Invocation, glob_matches};
use super::shell::Command;
use crate::{bundled, data};

/// What a check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// Looks for vulnerabilities, secrets or misconfigurations.
    Scan,
    /// Checks the signature or checksum of something downloaded.
    Verify,
}

/// A security check a step or job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub kind: CheckKind,
    /// For messages: "a Trivy scan", "`cosign verify`".
    pub what: String,
}

#[derive(Deserialize)]
struct ActionCheck {
    #[serde(flatten)]
    pattern: ActionPattern,
    kind: CheckKind,
    what: String,
}

#[derive(Deserialize)]
struct CommandCheck {
    #[serde(flatten)]
    pattern: CommandPattern,
    kind: CheckKind,
}

impl HasCommandPattern for CommandCheck {
    fn pattern(&self) -> &CommandPattern {
        &self.pattern
    }
}

#[derive(Deserialize)]
struct TemplateJob {
    name: String,
    what: String,
}

#[derive(Deserialize)]
struct Facts {
    action: Vec<ActionCheck>,
    command: ByProgram<CommandCheck>,
    gitlab_template_job: Vec<TemplateJob>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("security-scanners.toml")));

/// The check a command runs, if it runs one.
pub fn command_check(command: &Command) -> Option<Check> {
    let invocation = Invocation::of(command)?;
    FACTS.command.for_program(invocation.program).find_map(|check| {
        let shown = check.pattern.shown(&invocation)?;
        Some(Check { kind: check.kind, what: format!("`{shown}`") })
    })
}

/// The check a step runs: its action, or the most serious check of its script (a
/// verification before a scan).
pub fn step_check(step: &Step) -> Option<Check> {
    if let Some(check) = FACTS.action.iter().find(|check| check.pattern.matches(step)) {
        return Some(Check { kind: check.kind, what: format!("{} (`{}`)", check.what, check.pattern.describe()) });
    }
    step.run.as_ref()?.commands.iter().filter_map(command_check).max_by_key(|check| check.kind)
}

/// What a job of GitLab's security templates checks, if `name` is one.
pub fn gitlab_template_job(name: &str) -> Option<&'static str> {
    FACTS.gitlab_template_job.iter().find(|job| glob_matches(&job.name, name)).map(|job| job.what.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shell::lex;

    fn checks(script: &str) -> Vec<Check> {
        lex(script).commands.iter().filter_map(command_check).collect()
    }

    #[test]
    fn scans_verifications_and_look_alikes() {
        assert_eq!(
            checks("trivy image --exit-code 1 app:latest")[0],
            Check { kind: CheckKind::Scan, what: "`trivy`".into() }
        );
        assert_eq!(checks("sha256sum -c SHA256SUMS")[0].kind, CheckKind::Verify);
        assert_eq!(checks("cosign verify-blob --signature x.sig x")[0].what, "`cosign verify-blob`");
        assert_eq!(checks("npm audit --audit-level=high")[0].what, "`npm audit`");
        assert!(checks("sha256sum dist/* > SHA256SUMS && gpg --detach-sign x && cosign sign x && npm ci").is_empty());
        assert_eq!(gitlab_template_job("semgrep-sast"), Some("SAST"));
        assert_eq!(gitlab_template_job("gemnasium-python-dependency_scanning"), Some("dependency scanning"));
        assert_eq!(gitlab_template_job("test"), None);
    }
}
