//! User settings shared by the language server and the command line: which rules run, how
//! severe their findings are, and the options rules read.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;

use crate::rules::{self, RuleOptions, Severity};

/// Settings as editors send them (`initializationOptions` or `workspace/didChangeConfiguration`,
/// under a `pipewarden` key or at the top level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub rules: RuleSettings,
    /// Findings below this severity are not shown.
    pub min_severity: Option<String>,
    /// GitHub owners (users or organisations) whose actions and reusable workflows are trusted
    /// like this repository's own: `unpinned-action` does not report them.
    pub trusted_owners: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RuleSettings {
    /// Rule ids that do not run.
    pub disabled: Vec<String>,
    /// If not empty, only these rules run.
    pub enabled: Vec<String>,
    /// Severity overrides by rule id.
    pub severity: HashMap<String, String>,
}

/// Settings checked and ready to apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    disabled: HashSet<String>,
    enabled: HashSet<String>,
    severity: HashMap<String, Severity>,
    min_severity: Option<Severity>,
    rule_options: Arc<RuleOptions>,
}

impl Policy {
    /// Validates settings; unknown rule ids and severities are reported as warnings and skipped.
    pub fn from_settings(settings: &Settings) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let mut known_rule = |id: &String| {
            let known = rules::find(id).is_some();
            if !known {
                warnings.push(format!("unknown rule `{id}` in settings"));
            }
            known
        };
        let disabled = settings.rules.disabled.iter().filter(|id| known_rule(id)).cloned().collect();
        let enabled = settings.rules.enabled.iter().filter(|id| known_rule(id)).cloned().collect();
        let mut severity = HashMap::new();
        for (id, level) in &settings.rules.severity {
            match (rules::find(id), Severity::parse(level)) {
                (Some(_), Some(level)) => {
                    severity.insert(id.clone(), level);
                }
                (None, _) => warnings.push(format!("unknown rule `{id}` in severity settings")),
                (_, None) => warnings.push(format!("unknown severity `{level}` for rule `{id}`")),
            }
        }
        let min_severity = settings.min_severity.as_deref().and_then(|level| {
            let parsed = Severity::parse(level);
            if parsed.is_none() {
                warnings.push(format!("unknown minimum severity `{level}`"));
            }
            parsed
        });
        let trusted_owners = settings.trusted_owners.iter().filter(|owner| {
            let valid = is_github_owner(owner);
            if !valid {
                warnings.push(format!("`{owner}` in trusted owners is not a GitHub user or organisation name"));
            }
            valid
        });
        let rule_options = Arc::new(RuleOptions::new(trusted_owners.cloned()));
        (Self { disabled, enabled, severity, min_severity, rule_options }, warnings)
    }

    /// The options the rules run with.
    pub fn rule_options(&self) -> Arc<RuleOptions> {
        Arc::clone(&self.rule_options)
    }

    /// The severity to show for a finding of `rule`, or `None` if it is not shown.
    pub fn apply(&self, rule: &str, severity: Severity) -> Option<Severity> {
        if self.disabled.contains(rule) || (!self.enabled.is_empty() && !self.enabled.contains(rule)) {
            return None;
        }
        let severity = self.severity.get(rule).copied().unwrap_or(severity);
        (self.min_severity.is_none_or(|min| severity >= min)).then_some(severity)
    }
}

/// Whether `name` can be a GitHub user or organisation: 1 to 39 ASCII letters, digits and
/// single hyphens, neither first nor last.
fn is_github_owner(name: &str) -> bool {
    (1..=39).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_owners_are_checked_and_reach_the_rule_options() {
        let settings = Settings {
            trusted_owners: vec!["My-Org".to_owned(), "not/an-owner".to_owned(), "-bad".to_owned()],
            ..Settings::default()
        };
        let (policy, warnings) = Policy::from_settings(&settings);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        let options = policy.rule_options();
        assert!(options.trusts_owner("my-org") && options.trusts_owner("MY-ORG"));
        assert!(!options.trusts_owner("not"));
    }

    #[test]
    fn settings_read_trusted_owners_in_camel_case() {
        let settings: Settings = serde_json::from_value(serde_json::json!({"trustedOwners": ["acme"]})).unwrap();
        assert_eq!(settings.trusted_owners, ["acme"]);
    }
}
