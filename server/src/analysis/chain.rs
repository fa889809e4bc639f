//! Attack paths: the findings of one file put in the order an attacker would use them.
//!
//! A finding that completes a step of a chain matters more when the other steps are open in
//! the same file: a script injection (Execution) is worse where the token can write
//! (Privilege Escalation). The path lists the tactics that the file's findings open, in the
//! matrix's order, with the techniques under each. Hygiene findings (low and info severity,
//! such as a missing timeout) open no step: nearly every file has some, and a path through
//! them would say nothing.

use crate::matrix::{Tactic, Technique};
use crate::rules::Severity;

use super::Reported;

/// One step of an attack path: a tactic and the findings that open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    pub tactic: Tactic,
    /// Indexes into the report's findings, in text order.
    pub findings: Vec<usize>,
}

/// The attack path through a file's findings of medium severity or more, or nothing when they
/// open fewer than two tactics.
pub fn attack_path(findings: &[Reported]) -> Vec<PathStep> {
    let steps: Vec<PathStep> = Tactic::ALL
        .iter()
        .map(|&tactic| PathStep {
            tactic,
            findings: (0..findings.len())
                .filter(|&i| findings[i].severity >= Severity::Medium && findings[i].rule.technique.tactic() == tactic)
                .collect(),
        })
        .filter(|step| !step.findings.is_empty())
        .collect();
    if steps.len() < 2 { Vec::new() } else { steps }
}

/// The path on one line, e.g. "Initial Access (IA03) → Execution (EX05, EX06)".
pub fn summary(path: &[PathStep], findings: &[Reported]) -> String {
    path.iter()
        .map(|step| {
            let mut techniques: Vec<Technique> = step.findings.iter().map(|&i| findings[i].rule.technique).collect();
            techniques.sort();
            techniques.dedup();
            let ids: Vec<&str> = techniques.iter().map(|technique| technique.id()).collect();
            format!("{} ({})", step.tactic.name(), ids.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze_text;
    use crate::model::kind::FileKind;

    #[test]
    fn the_path_orders_tactics_as_the_matrix_does() {
        let workflow = "on: issues\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some/action@v1\n      - run: echo ${{ github.event.issue.title }}\n";
        let report = analyze_text(FileKind::GithubWorkflow, workflow);
        let path = attack_path(&report.findings);
        let tactics: Vec<Tactic> = path.iter().map(|step| step.tactic).collect();
        assert_eq!(
            tactics,
            [Tactic::InitialAccess, Tactic::Execution, Tactic::PrivilegeEscalation, Tactic::CredentialAccess]
        );
        assert_eq!(
            summary(&path, &report.findings),
            "Initial Access (IA03) → Execution (EX06) → Privilege Escalation (PR01) → Credential Access (CA03)"
        );
    }

    #[test]
    fn one_tactic_is_no_path() {
        let workflow = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";
        assert!(attack_path(&analyze_text(FileKind::GithubWorkflow, workflow).findings).is_empty());
    }
}
