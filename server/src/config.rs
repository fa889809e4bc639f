//! User settings shared by the language server and the command line: which rules run, how
//! severe their findings are, which paths are ignored, and the options rules read.
//!
//! Settings come from a project's `pipewarden.toml` ([`ProjectConfig`]) and from the editor
//! (LSP settings) or the command line, which win over the file: [`Settings::overridden_by`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::model::interface::LocalWorkflows;
use crate::pins::Pins;
use crate::rules::{self, RuleOptions, Severity};

/// How many diagnostics a document publishes by default, the most severe first.
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 1000;

/// The names a configuration file may have, looked for in each folder from a file up to the
/// repository's root: `pipewarden.toml`, or `.github/pipewarden.toml`.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["pipewarden.toml", ".github/pipewarden.toml"];

/// Settings as editors send them (`initializationOptions` or `workspace/didChangeConfiguration`,
/// under a `pipewarden` key or at the top level), and as a configuration file gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub rules: RuleSettings,
    /// Findings below this severity are not shown.
    pub min_severity: Option<String>,
    /// GitHub owners (users or organisations) whose actions and reusable workflows are trusted
    /// like this repository's own: `unpinned-action` does not report them.
    pub trusted_owners: Vec<String>,
    /// Context paths to treat as attacker-controlled besides those the taint model knows.
    pub untrusted_contexts: Vec<String>,
    /// How many diagnostics a document publishes at most.
    pub max_diagnostics: Option<usize>,
    /// Paths (globs relative to the configuration file) whose findings of some or all rules
    /// are not shown.
    #[serde(skip)]
    pub ignores: Vec<PathIgnore>,
    /// A baseline file of accepted findings (`check --write-baseline`).
    #[serde(skip)]
    pub baseline: Option<PathBuf>,
    /// The folder of the configuration file, which relative paths start from.
    #[serde(skip)]
    pub root: Option<PathBuf>,
    /// The repository's lock file (`.github/pipewarden.lock`), read beside the configuration.
    #[serde(skip)]
    pub pins: Arc<Pins>,
    /// The repository's own reusable workflows, read from its `.github/workflows`.
    #[serde(skip)]
    pub local_workflows: Arc<LocalWorkflows>,
}

/// Findings of `rules` (all rules when empty) in files matching `paths` are not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathIgnore {
    pub paths: Vec<String>,
    #[serde(default)]
    pub rules: Vec<String>,
}

impl Settings {
    /// These settings (a configuration file's) with `editor`'s on top: the editor's or command
    /// line's values win where they are set; disabled rules, trusted owners and untrusted
    /// contexts add up.
    pub fn overridden_by(&self, editor: &Settings) -> Settings {
        let union = |file: &[String], editor: &[String]| {
            let mut all = file.to_vec();
            all.extend(editor.iter().filter(|item| !file.contains(item)).cloned());
            all
        };
        let mut severity = self.rules.severity.clone();
        severity.extend(editor.rules.severity.clone());
        Settings {
            rules: RuleSettings {
                disabled: union(&self.rules.disabled, &editor.rules.disabled),
                enabled: if editor.rules.enabled.is_empty() {
                    self.rules.enabled.clone()
                } else {
                    editor.rules.enabled.clone()
                },
                severity,
            },
            min_severity: editor.min_severity.clone().or_else(|| self.min_severity.clone()),
            trusted_owners: union(&self.trusted_owners, &editor.trusted_owners),
            untrusted_contexts: union(&self.untrusted_contexts, &editor.untrusted_contexts),
            max_diagnostics: editor.max_diagnostics.or(self.max_diagnostics),
            ignores: self.ignores.clone(),
            baseline: editor.baseline.clone().or_else(|| self.baseline.clone()),
            root: self.root.clone(),
            pins: Arc::clone(&self.pins),
            local_workflows: Arc::clone(&self.local_workflows),
        }
    }
}

/// `pipewarden.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ProjectConfig {
    min_severity: Option<String>,
    trusted_owners: Vec<String>,
    untrusted_contexts: Vec<String>,
    max_diagnostics: Option<usize>,
    baseline: Option<String>,
    rules: RulesTable,
    ignore: Vec<PathIgnore>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RulesTable {
    disable: Vec<String>,
    enable: Vec<String>,
    severity: HashMap<String, String>,
}

/// A configuration file that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line of the offending key or value.
    pub line: usize,
    pub message: String,
}

impl ProjectConfig {
    /// Parses the text of a configuration file.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|error| {
            let line = error.span().map_or(1, |span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            ConfigError { line, message: error.message().trim().to_owned() }
        })
    }

    /// The settings this file gives, with relative paths taken from `root`, its folder.
    pub fn into_settings(self, root: &Path) -> Settings {
        Settings {
            rules: RuleSettings {
                disabled: self.rules.disable,
                enabled: self.rules.enable,
                severity: self.rules.severity,
            },
            min_severity: self.min_severity,
            trusted_owners: self.trusted_owners,
            untrusted_contexts: self.untrusted_contexts,
            max_diagnostics: self.max_diagnostics,
            ignores: self.ignore,
            baseline: self.baseline.map(|baseline| root.join(baseline)),
            root: Some(root.to_path_buf()),
            pins: Arc::default(),
            local_workflows: Arc::default(),
        }
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    disabled: HashSet<String>,
    enabled: HashSet<String>,
    severity: HashMap<String, Severity>,
    min_severity: Option<Severity>,
    rule_options: Arc<RuleOptions>,
    /// Path globs (split into segments) and the rules they silence (all when empty).
    ignores: Vec<(Vec<Vec<String>>, HashSet<String>)>,
    root: Option<PathBuf>,
    max_diagnostics: usize,
    baseline: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            disabled: HashSet::new(),
            enabled: HashSet::new(),
            severity: HashMap::new(),
            min_severity: None,
            rule_options: Arc::default(),
            ignores: Vec::new(),
            root: None,
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
            baseline: None,
        }
    }
}

impl Policy {
    /// Validates settings; unknown rule ids and severities are reported as warnings and skipped.
    pub fn from_settings(settings: &Settings) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        let unknown: Vec<&String> = (settings.rules.disabled.iter().chain(&settings.rules.enabled))
            .chain(settings.ignores.iter().flat_map(|ignore| &ignore.rules))
            .filter(|id| *id != "all" && rules::find(id).is_none())
            .collect();
        warnings.extend(unknown.iter().map(|id| format!("unknown rule `{id}` in settings")));
        let known_rule = |id: &String| rules::find(id).is_some();
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
        let options = RuleOptions::new(trusted_owners.cloned())
            .with_untrusted_contexts(settings.untrusted_contexts.clone())
            .with_pins(Arc::clone(&settings.pins))
            .with_local_workflows(Arc::clone(&settings.local_workflows));
        let mut ignores = Vec::new();
        for ignore in &settings.ignores {
            let rules: HashSet<String> =
                ignore.rules.iter().filter(|id| *id == "all" || known_rule(id)).cloned().collect();
            let globs = ignore.paths.iter().map(|glob| glob.split('/').map(str::to_owned).collect()).collect();
            ignores.push((globs, rules));
        }
        let policy = Self {
            disabled,
            enabled,
            severity,
            min_severity,
            rule_options: Arc::new(options),
            ignores,
            root: settings.root.clone(),
            max_diagnostics: settings.max_diagnostics.unwrap_or(DEFAULT_MAX_DIAGNOSTICS),
            baseline: settings.baseline.clone(),
        };
        (policy, warnings)
    }

    /// Whether any path glob ignores findings.
    pub fn ignores_paths(&self) -> bool {
        !self.ignores.is_empty()
    }

    /// Whether a finding of `rule` in the file at `path` is ignored by a path glob.
    pub fn ignores_path(&self, path: &Path, rule: &str) -> bool {
        if !self.ignores_paths() {
            return false;
        }
        let relative = match &self.root {
            Some(root) => path.strip_prefix(root).unwrap_or(path),
            None => path,
        };
        let segments: Vec<String> = relative
            .components()
            .filter_map(|component| match component {
                std::path::Component::Normal(name) => Some(name.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        self.ignores.iter().any(|(globs, rules)| {
            (rules.is_empty() || rules.contains(rule) || rules.contains("all"))
                && globs.iter().any(|glob| glob_matches(glob, &segments))
        })
    }

    /// How many diagnostics a document publishes at most.
    pub fn max_diagnostics(&self) -> usize {
        self.max_diagnostics
    }

    /// The baseline file whose findings are not shown.
    pub fn baseline(&self) -> Option<&Path> {
        self.baseline.as_deref()
    }

    /// This policy for a repository whose reusable workflows are `local_workflows`.
    pub fn with_local_workflows(&self, local_workflows: Arc<LocalWorkflows>) -> Self {
        let options = (*self.rule_options).clone().with_local_workflows(local_workflows);
        Self { rule_options: Arc::new(options), ..self.clone() }
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

/// Whether path `segments` match a glob's: `**` is any number of segments, `*` any run of
/// characters within one, `?` one character.
fn glob_matches(glob: &[String], segments: &[String]) -> bool {
    match glob.split_first() {
        None => segments.is_empty(),
        Some((first, rest)) if first == "**" => (0..=segments.len()).any(|skip| glob_matches(rest, &segments[skip..])),
        Some((first, rest)) => segments
            .split_first()
            .is_some_and(|(segment, others)| segment_matches(first, segment) && glob_matches(rest, others)),
    }
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative wildcard matching with one backtrack point: linear in practice.
    let (mut p, mut t, mut star, mut resume) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            resume = t;
            p += 1;
        } else if let Some(at) = star {
            p = at + 1;
            resume += 1;
            t = resume;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
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
    fn config_files_parse_and_errors_name_the_line_and_key() {
        let text = "min-severity = \"low\"\ntrusted-owners = [\"acme\"]\n\n[rules]\ndisable = [\"missing-timeout\"]\nseverity = { unpinned-action = \"high\" }\n\n[[ignore]]\npaths = [\"tests/**\"]\nrules = [\"expression-injection\"]\n";
        let settings = ProjectConfig::parse(text).unwrap().into_settings(Path::new("/repo"));
        assert_eq!(settings.rules.disabled, ["missing-timeout"]);
        assert_eq!(settings.trusted_owners, ["acme"]);
        let error = ProjectConfig::parse("min-severity = \"low\"\n\n[rules]\ndisabled = [\"x\"]\n").unwrap_err();
        assert_eq!(error.line, 4, "{error:?}");
        assert!(error.message.contains("disabled"), "{error:?}");
        assert_eq!(ProjectConfig::parse("max-diagnostics = \"many\"").unwrap_err().line, 1);
    }

    #[test]
    fn editor_settings_win_over_the_file() {
        let file =
            ProjectConfig::parse("min-severity = \"low\"\n[rules]\ndisable = [\"a\"]\nseverity = { b = \"high\" }\n")
                .unwrap()
                .into_settings(Path::new("/repo"));
        let editor: Settings = serde_json::from_value(serde_json::json!({
            "minSeverity": "medium", "rules": {"disabled": ["c"], "severity": {"b": "low"}}
        }))
        .unwrap();
        let merged = file.overridden_by(&editor);
        assert_eq!(merged.min_severity.as_deref(), Some("medium"));
        assert_eq!(merged.rules.disabled, ["a", "c"]);
        assert_eq!(merged.rules.severity["b"], "low");
        assert_eq!(file.overridden_by(&Settings::default()).min_severity.as_deref(), Some("low"));
    }

    #[test]
    fn path_ignores_match_globs_relative_to_the_file() {
        let text = "[[ignore]]\npaths = [\"tests/**\", \".github/workflows/release-*.yml\"]\nrules = [\"expression-injection\"]\n";
        let settings = ProjectConfig::parse(text).unwrap().into_settings(Path::new("/repo"));
        let (policy, warnings) = Policy::from_settings(&settings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(policy.ignores_path(Path::new("/repo/tests/a/b.yml"), "expression-injection"));
        assert!(policy.ignores_path(Path::new("/repo/.github/workflows/release-npm.yml"), "expression-injection"));
        assert!(!policy.ignores_path(Path::new("/repo/.github/workflows/ci.yml"), "expression-injection"));
        assert!(!policy.ignores_path(Path::new("/repo/tests/a.yml"), "unpinned-action"));
        assert!(segment_matches("*a*b*c*", "xxaxxbxxc") && !segment_matches("a?c", "ac"));
    }

    #[test]
    fn settings_read_trusted_owners_in_camel_case() {
        let settings: Settings = serde_json::from_value(serde_json::json!({"trustedOwners": ["acme"]})).unwrap();
        assert_eq!(settings.trusted_owners, ["acme"]);
    }
}
