//! `known-vulnerable-action`: an action used at a version that a published advisory covers.

use std::cmp::Ordering;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Step, Uses};
use crate::model::version::{RefKind, Version};
use crate::pins::Pins;
use crate::{bundled, data};

pub struct KnownVulnerableAction;

static META: RuleMeta = RuleMeta {
    id: "known-vulnerable-action",
    technique: Technique::IA02,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An action is used at a version with a published advisory",
        detects: "`uses:` of an action or reusable workflow at a version that a published advisory \
covers, from a bundled offline table of the GitHub Advisory Database's GitHub Actions advisories \
(`server/data/advisories.toml`): the 2025 compromises of `tj-actions/changed-files` and \
`reviewdog/action-setup`, the 2026 one of `aquasecurity/trivy-action`, and flaws such as the \
command injections of older `tj-actions/*` releases and the path traversal of \
`actions/download-artifact` 4.0.0 to 4.1.2. A tag naming a release line (`@v45`, `@v4.1`) \
stands for the newest release of that line, as its owner moves it: `@v4` is not matched by an \
advisory fixed in 4.1.3, `@v45` is matched by one fixed in 46.0.1. A commit SHA is matched \
when the advisory lists it as a malicious commit (critical), or as the tag the repository's \
lock file (`.github/pipewarden.lock`, written by `pipewarden pin`) records for it, so that \
pinning a vulnerable tag does not hide its advisory. Branches are not matched. Severity follows GitHub's rating of the advisory, at most high.",
        why: "The advisory is public, so attackers know how to exploit the version this workflow \
runs: an injection through a file or branch name, an artifact that writes outside its \
directory, secrets written to logs or caches. For a compromised action, the version was \
malicious code; even after its tags were restored, staying in the affected range keeps the \
workflow one moved tag away from it.",
        attack: "Initial Access › Systems with unpatched vulnerabilities (IA02): the attacker \
uses the published flaw, typically by opening a pull request or an issue whose text the action \
mishandles, to run code in the job (Execution) and read its secrets (Credential Access, CA02).",
        example: r#"on: pull_request
permissions:
  contents: read
jobs:
  changes:
    runs-on: ubuntu-latest
    steps:
      - uses: tj-actions/changed-files@v40
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: read
jobs:
  changes:
    runs-on: ubuntu-latest
    steps:
      - uses: tj-actions/changed-files@ed68ef82c095e0d48ec87eccea555d944a631a4c # v46.0.5
"#,
        fix: "Upgrade to a fixed release (the message names it) and pin it by commit SHA with the \
version in a comment. For a compromised action, also rotate every secret the workflow could \
read while it ran the malicious version. No quick fix is offered: the fixed release's SHA must \
come from the action's repository. To update the table, add the advisory to \
`server/data/advisories.toml` as its header explains (ranges copied from the advisory's \
affected and patched versions, malicious commits when the advisory lists them).",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(1395, "Dependency on Vulnerable Third-Party Component"),
        Reference::Zizmor("known-vulnerable-actions"),
        Reference::Poutine("known_vulnerability_in_build_component"),
        Reference::Link(
            "GitHub Advisory Database: GitHub Actions",
            "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Aactions",
        ),
    ],
};

#[derive(Deserialize)]
struct Advisories {
    advisory: Vec<Advisory>,
}

#[derive(Deserialize)]
struct Advisory {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    action: String,
    kind: Kind,
    #[serde(default)]
    ranges: Vec<Range>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    severity: AdvisorySeverity,
    summary: String,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Compromise,
    Vulnerability,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum AdvisorySeverity {
    Low,
    Medium,
    High,
}

#[derive(Deserialize)]
struct Range {
    #[serde(default, deserialize_with = "version")]
    introduced: Option<Version>,
    #[serde(default, deserialize_with = "version")]
    fixed: Option<Version>,
}

fn version<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Version>, D::Error> {
    let text = String::deserialize(deserializer)?;
    match Version::parse(&text) {
        Some(version) if version.is_complete() => Ok(Some(version)),
        _ => Err(serde::de::Error::custom(format!("`{text}` is not a complete version"))),
    }
}

static ADVISORIES: LazyLock<Advisories> = LazyLock::new(|| data::parse(bundled!("advisories.toml")));

impl Rule for KnownVulnerableAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        if let Some(uses) = &context.job.uses {
            check(uses, context.options.pins(), out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(uses) = &step.uses {
            check(uses, context.options().pins(), out);
        }
    }
}

/// How a ref matched an advisory.
enum Match {
    /// A pin on one of the advisory's malicious commits.
    Commit,
    /// A version or tag in the affected range.
    Version,
}

fn check(uses: &Uses, pins: &Pins, out: &mut Findings) {
    if let Some((severity, message)) = assess(uses, pins) {
        out.report(uses.span, message).with_severity(severity);
    }
}

/// What the published advisories say of `uses`, as this rule reports it: the severity and
/// the message; `None` when no advisory covers it. A commit the lock file records as a tag
/// (`pipewarden pin`) is read as that tag. Hovers on `uses:` show the same.
pub fn assess(uses: &Uses, pins: &Pins) -> Option<(Severity, String)> {
    // Most actions have no advisory: they are ruled out before any name is made.
    let mut advisories = ADVISORIES.advisory.iter().filter(|advisory| uses.is_repository(&advisory.action)).peekable();
    advisories.peek()?;
    let (repository, git_ref) = (uses.repository()?, uses.git_ref()?);
    let kind = RefKind::of(git_ref);
    // The version a pinned commit stands for, by the lock.
    let locked = matches!(kind, RefKind::Commit).then(|| pins.ref_of(&repository, git_ref)).flatten();
    let locked_kind = locked.map(RefKind::of);
    let matched: Vec<(&Advisory, Match, &str)> = advisories
        .filter_map(|advisory| {
            if let Some(how) = advisory.matches(git_ref, &kind) {
                return Some((advisory, how, git_ref));
            }
            let (locked, locked_kind) = (locked?, locked_kind.as_ref()?);
            Some((advisory, advisory.matches(locked, locked_kind)?, locked))
        })
        .collect();
    if matched.is_empty() {
        return None;
    }
    let severity = matched.iter().map(|(advisory, how, _)| advisory.severity_for(how)).max().unwrap_or(Severity::High);
    let details: Vec<String> = matched.iter().map(|(advisory, how, seen)| advisory.describe(seen, how)).collect();
    let fixed = matched
        .iter()
        .flat_map(|(advisory, _, _)| advisory.ranges.iter().filter_map(|range| range.fixed.as_ref()))
        .max_by(|a, b| a.cmp_release(b));
    let compromised = matched.iter().any(|(advisory, _, _)| advisory.kind == Kind::Compromise);
    let remedy = match fixed {
        Some(fixed) => format!("upgrade to {fixed} or later and pin it by commit SHA"),
        None if compromised => "pin it by the commit SHA of a release reviewed since the incident".to_owned(),
        None => "no release is fixed: move to another action".to_owned(),
    };
    let rotate = if compromised { ", and rotate the secrets it could read if it ran during the incident" } else { "" };
    let shown = match locked.filter(|_| matched.iter().any(|(_, _, seen)| *seen != git_ref)) {
        Some(locked) => format!("`{repository}@{git_ref}` (`{locked}` by the lock file)"),
        None => format!("`{repository}@{git_ref}`"),
    };
    Some((severity, format!("{shown} {}; {remedy}{rotate}", details.join("; it also "))))
}

impl Advisory {
    fn matches(&self, git_ref: &str, kind: &RefKind) -> Option<Match> {
        match kind {
            RefKind::Commit => self
                .commits
                .iter()
                .any(|commit| git_ref.to_ascii_lowercase().starts_with(&commit.to_ascii_lowercase()))
                .then_some(Match::Commit),
            RefKind::Version(version) => {
                let tagged = self.tags.iter().any(|tag| tag.eq_ignore_ascii_case(git_ref));
                (tagged || self.ranges.iter().any(|range| range.contains(version))).then_some(Match::Version)
            }
            RefKind::Other => None,
        }
    }

    fn severity_for(&self, how: &Match) -> Severity {
        match (how, self.severity) {
            (Match::Commit, _) => Severity::Critical,
            (Match::Version, AdvisorySeverity::Low) => Severity::Low,
            (Match::Version, AdvisorySeverity::Medium) => Severity::Medium,
            (Match::Version, AdvisorySeverity::High) => Severity::High,
        }
    }

    fn describe(&self, git_ref: &str, how: &Match) -> String {
        let ids = std::iter::once(&self.id).chain(&self.aliases).cloned().collect::<Vec<_>>().join(", ");
        match how {
            Match::Commit => format!(
                "is pinned to `{}`, the malicious commit of {ids}: this workflow runs the attacker's code",
                &git_ref[..git_ref.len().min(12)]
            ),
            Match::Version => format!("{} ({ids})", self.summary),
        }
    }
}

impl Range {
    fn contains(&self, version: &Version) -> bool {
        self.introduced.as_ref().is_none_or(|introduced| version.cmp_release(introduced) != Ordering::Less)
            && self.fixed.as_ref().is_none_or(|fixed| version.cmp_release(fixed) == Ordering::Less)
    }
}
