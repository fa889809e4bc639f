//! The CI/CD threat matrix: ten tactics and the techniques under each, with the ids and
//! names of `shared/threat-matrix.md`. A technique knows its tactic, so the two can never
//! disagree.

use std::fmt;

/// A column of the matrix: what the attacker is trying to achieve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tactic {
    Reconnaissance,
    InitialAccess,
    Execution,
    Persistence,
    PrivilegeEscalation,
    DefenseEvasion,
    CredentialAccess,
    LateralMovement,
    Exfiltration,
    Impact,
}

impl Tactic {
    pub const ALL: [Tactic; 10] = [
        Tactic::Reconnaissance,
        Tactic::InitialAccess,
        Tactic::Execution,
        Tactic::Persistence,
        Tactic::PrivilegeEscalation,
        Tactic::DefenseEvasion,
        Tactic::CredentialAccess,
        Tactic::LateralMovement,
        Tactic::Exfiltration,
        Tactic::Impact,
    ];

    /// The two-letter id, e.g. `EX`.
    pub const fn id(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "RE",
            Tactic::InitialAccess => "IA",
            Tactic::Execution => "EX",
            Tactic::Persistence => "PE",
            Tactic::PrivilegeEscalation => "PR",
            Tactic::DefenseEvasion => "DE",
            Tactic::CredentialAccess => "CA",
            Tactic::LateralMovement => "LM",
            Tactic::Exfiltration => "EF",
            Tactic::Impact => "IM",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "Reconnaissance",
            Tactic::InitialAccess => "Initial Access",
            Tactic::Execution => "Execution",
            Tactic::Persistence => "Persistence",
            Tactic::PrivilegeEscalation => "Privilege Escalation",
            Tactic::DefenseEvasion => "Defense Evasion",
            Tactic::CredentialAccess => "Credential Access",
            Tactic::LateralMovement => "Lateral Movement",
            Tactic::Exfiltration => "Exfiltration",
            Tactic::Impact => "Impact",
        }
    }

    /// What the attacker is doing at this stage, in one sentence.
    pub const fn goal(self) -> &'static str {
        match self {
            Tactic::Reconnaissance => "learning how the pipeline is built and what it can reach",
            Tactic::InitialAccess => "getting their first foothold inside the pipeline",
            Tactic::Execution => "running their code on pipeline resources",
            Tactic::Persistence => "staying in after the first run ends",
            Tactic::PrivilegeEscalation => "turning a low-privilege foothold into a high-privilege one",
            Tactic::DefenseEvasion => "hiding, or switching off the controls that would catch them",
            Tactic::CredentialAccess => "obtaining secrets, tokens and keys",
            Tactic::LateralMovement => "moving from this pipeline to other pipelines, repos or systems",
            Tactic::Exfiltration => "taking code, data or logs out",
            Tactic::Impact => "causing damage: abuse, outage, poisoning of what others consume",
        }
    }
}

impl Tactic {
    /// Looks a tactic up by its id (`IA`) or name, ignoring case, spaces, dashes and
    /// underscores (`initial-access`, `Initial Access`).
    pub fn find(text: &str) -> Option<Tactic> {
        let squash =
            |name: &str| name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let wanted = squash(text);
        Tactic::ALL.into_iter().find(|tactic| squash(tactic.name()) == wanted || tactic.id().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Tactic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! techniques {
    ($($id:ident => ($tactic:ident, $name:literal),)*) => {
        /// A technique of the matrix; its variant name is its stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Technique {
            $(#[doc = $name] $id,)*
        }

        impl Technique {
            pub const ALL: &'static [Technique] = &[$(Technique::$id,)*];

            /// The stable id, e.g. `EX06`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Technique::$id => stringify!($id),)*
                }
            }

            /// The published name, e.g. "Modify CI/CD configurations".
            pub const fn name(self) -> &'static str {
                match self {
                    $(Technique::$id => $name,)*
                }
            }

            pub const fn tactic(self) -> Tactic {
                match self {
                    $(Technique::$id => Tactic::$tactic,)*
                }
            }
        }
    };
}

techniques! {
    RE01 => (Reconnaissance, "Scan CI/CD infrastructure"),
    RE02 => (Reconnaissance, "Collect info from public repositories"),
    RE03 => (Reconnaissance, "Extract CI workflows or repo settings using PRs"),
    IA01 => (InitialAccess, "Public repositories"),
    IA02 => (InitialAccess, "Systems with unpatched vulnerabilities"),
    IA03 => (InitialAccess, "Compromise CI/CD supply chain"),
    IA04 => (InitialAccess, "Valid CI/CD user account"),
    IA05 => (InitialAccess, "Valid Git account"),
    IA06 => (InitialAccess, "Valid admin account for underlying compute resources"),
    IA07 => (InitialAccess, "Webhooks that trigger actions or configuration changes"),
    EX01 => (Execution, "Connect to CI/CD pipeline resources"),
    EX02 => (Execution, "Dependency tampering"),
    EX03 => (Execution, "Modify production application images"),
    EX04 => (Execution, "Inject code to IaC configuration"),
    EX05 => (Execution, "Inject code to source code"),
    EX06 => (Execution, "Modify CI/CD configurations"),
    EX07 => (Execution, "Modify the configuration of production environments"),
    PE01 => (Persistence, "Compromise CI/CD server"),
    PE02 => (Persistence, "Dependency tampering"),
    PE03 => (Persistence, "Implant CI/CD runner images"),
    PE04 => (Persistence, "Inject code to IaC configuration"),
    PE05 => (Persistence, "Inject code to source code"),
    PE06 => (Persistence, "Modify CI/CD configurations"),
    PE07 => (Persistence, "Create new accounts or applications"),
    PR01 => (PrivilegeEscalation, "Access higher privilege accounts"),
    PR02 => (PrivilegeEscalation, "Push code from pipelines to protected branches"),
    PR03 => (PrivilegeEscalation, "Create higher privilege accounts"),
    DE01 => (DefenseEvasion, "Compilation manipulation"),
    DE02 => (DefenseEvasion, "Implant CI/CD runner images"),
    DE03 => (DefenseEvasion, "Modify CI/CD caches"),
    DE04 => (DefenseEvasion, "Reconfigure branch protections"),
    DE05 => (DefenseEvasion, "Manipulate service logs"),
    CA01 => (CredentialAccess, "Access cloud metadata"),
    CA02 => (CredentialAccess, "Env variables stored in CI/CD"),
    CA03 => (CredentialAccess, "Fetch credentials from a vault"),
    CA04 => (CredentialAccess, "Read credentials file"),
    LM01 => (LateralMovement, "(Monorepo) Get credentials to different folders"),
    LM02 => (LateralMovement, "Compromise build artifacts"),
    LM03 => (LateralMovement, "Exploit other internal resources unrelated to CI/CD"),
    LM04 => (LateralMovement, "Compromise other CI/CD pipelines from privilege escalation"),
    LM05 => (LateralMovement, "Registry injection"),
    EF01 => (Exfiltration, "Clone Git repositories"),
    EF02 => (Exfiltration, "Exfiltrate data from production envs"),
    EF03 => (Exfiltration, "Exfiltrate pipeline logs"),
    IM01 => (Impact, "Cryptomining via pipeline resources"),
    IM02 => (Impact, "Denial of service on local CI/CD pipelines"),
    IM03 => (Impact, "Denial of service on non-CI/CD resources"),
    IM04 => (Impact, "Downstream poisoning"),
    IM05 => (Impact, "Run a DDoS against third parties using pipeline resources"),
}

impl Technique {
    /// Looks a technique up by its id, e.g. `EX06`.
    pub fn from_id(id: &str) -> Option<Technique> {
        Technique::ALL.iter().copied().find(|technique| technique.id().eq_ignore_ascii_case(id))
    }

    /// "Tactic › Technique", as findings are labelled.
    pub fn label(self) -> String {
        format!("{} › {}", self.tactic().name(), self.name())
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

/// An OWASP Top 10 CI/CD Security Risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OwaspCicd {
    /// Insufficient flow control mechanisms.
    Sec1,
    /// Inadequate identity and access management.
    Sec2,
    /// Dependency chain abuse.
    Sec3,
    /// Poisoned pipeline execution.
    Sec4,
    /// Insufficient pipeline-based access controls.
    Sec5,
    /// Insufficient credential hygiene.
    Sec6,
    /// Insecure system configuration.
    Sec7,
    /// Ungoverned usage of third-party services.
    Sec8,
    /// Improper artifact integrity validation.
    Sec9,
    /// Insufficient logging and visibility.
    Sec10,
}

impl OwaspCicd {
    pub const fn id(self) -> &'static str {
        match self {
            OwaspCicd::Sec1 => "CICD-SEC-1",
            OwaspCicd::Sec2 => "CICD-SEC-2",
            OwaspCicd::Sec3 => "CICD-SEC-3",
            OwaspCicd::Sec4 => "CICD-SEC-4",
            OwaspCicd::Sec5 => "CICD-SEC-5",
            OwaspCicd::Sec6 => "CICD-SEC-6",
            OwaspCicd::Sec7 => "CICD-SEC-7",
            OwaspCicd::Sec8 => "CICD-SEC-8",
            OwaspCicd::Sec9 => "CICD-SEC-9",
            OwaspCicd::Sec10 => "CICD-SEC-10",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            OwaspCicd::Sec1 => "Insufficient Flow Control Mechanisms",
            OwaspCicd::Sec2 => "Inadequate Identity and Access Management",
            OwaspCicd::Sec3 => "Dependency Chain Abuse",
            OwaspCicd::Sec4 => "Poisoned Pipeline Execution (PPE)",
            OwaspCicd::Sec5 => "Insufficient PBAC (Pipeline-Based Access Controls)",
            OwaspCicd::Sec6 => "Insufficient Credential Hygiene",
            OwaspCicd::Sec7 => "Insecure System Configuration",
            OwaspCicd::Sec8 => "Ungoverned Usage of 3rd Party Services",
            OwaspCicd::Sec9 => "Improper Artifact Integrity Validation",
            OwaspCicd::Sec10 => "Insufficient Logging and Visibility",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_has_ten_tactics_and_49_techniques() {
        assert_eq!(Technique::ALL.len(), 49);
        for tactic in Tactic::ALL {
            let count = Technique::ALL.iter().filter(|t| t.tactic() == tactic).count();
            assert!(count > 0, "{tactic} has no technique");
            assert!(Technique::ALL.iter().filter(|t| t.tactic() == tactic).all(|t| t.id().starts_with(tactic.id())));
        }
    }

    #[test]
    fn techniques_are_found_by_id() {
        assert_eq!(Technique::from_id("EX06"), Some(Technique::EX06));
        assert_eq!(Technique::EX06.label(), "Execution › Modify CI/CD configurations");
    }
}
