//! User settings shared by the language server and the command line: which rules run and how
//! severe their findings are.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::rules::{self, Severity};

/// Settings as editors send them (`initializationOptions` or `workspace/didChangeConfiguration`,
/// under a `pipewarden` key or at the top level).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub rules: RuleSettings,
    /// Findings below this severity are not shown.
    pub min_severity: Option<String>,
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
        (Self { disabled, enabled, severity, min_severity }, warnings)
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
