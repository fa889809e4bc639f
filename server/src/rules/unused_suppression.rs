//! `unused-suppression`: an ignore comment that silences nothing, or names no rule.
//!
//! Its findings come from the analysis's suppression pass, which knows which comments were
//! used, not from a hook: the rule is registered so that it is documented, listed and can be
//! disabled like any other.

use super::{Confidence, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};

pub struct UnusedSuppression;

pub static META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    technique: Technique::DE05,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions, Platform::GitlabCi],
    docs: RuleDocs {
        summary: "An ignore comment silences nothing, or names an unknown rule",
        detects: "A `# pipewarden: ignore[...]` comment (or `ignore-file[...]`) with a rule id \
that no finding on its line (or in its file) has, and rule ids that pipewarden does not know.",
        why: "An ignore comment that no longer matches anything is a blind spot waiting to \
happen: the next time the line changes, a real finding of that rule there is silenced without \
anyone deciding it should be. A misspelt rule id silences nothing while looking as if it \
does.",
        attack: "Defense Evasion › Manipulate service logs (DE05): stale suppressions are how \
a change that opens a hole passes review unreported; keeping them exact keeps every finding \
visible.",
        example: r#"on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      # pipewarden: ignore[expression-injection]
      - run: make
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: make
"#,
        fix: "Remove the rule id from the comment, or the whole comment when it names nothing \
else. The quick fix does that and is safe: nothing the comment silenced is left.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec10),
        Reference::Link("ruff: unused-noqa (RUF100)", "https://docs.astral.sh/ruff/rules/unused-noqa/"),
    ],
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
