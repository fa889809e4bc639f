//! `check --fix`: applies the rules' fixes to a file's text, round after round, until no
//! fix applies; `--diff` shows the result as a unified diff instead of writing it.

use std::ops::Range;

use similar::TextDiff;

#[cfg(test)]
use crate::analysis::analyze_text;
use crate::analysis::{FixKind, Report, ResolvedEdit, analyze_text_with};
use crate::config::Policy;
use crate::model::kind::FileKind;
use crate::rules::Applicability;

/// How many rounds of fixes are applied: a fix can make another applicable (or offer one at
/// a new place), but a fixed point comes quickly; the bound guards against two fixes undoing
/// each other forever.
const MAX_ROUNDS: usize = 8;

/// Which fixes `check --fix` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Only fixes that cannot break a working pipeline.
    Safe,
    /// Every rule fix, including those that may change behaviour.
    Unsafe,
}

/// One fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: &'static str,
    pub title: String,
    /// 1-based line of the finding, in the text the fix was applied to.
    pub line: usize,
}

/// The fixed text and the fixes applied, in order.
pub fn fix_text(kind: FileKind, text: &str, policy: &Policy, mode: FixMode) -> (String, Vec<Applied>) {
    let mut current = text.to_owned();
    let mut applied = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let report = analyze_text_with(kind, &current, policy.rule_options());
        let (edits, round) = choose_edits(&report, &current, policy, mode);
        if edits.is_empty() {
            break;
        }
        current = apply(&current, edits);
        applied.extend(round);
    }
    (current, applied)
}

/// The edits of one fix per finding, as many as do not overlap, in text order.
fn choose_edits(report: &Report, text: &str, policy: &Policy, mode: FixMode) -> (Vec<ResolvedEdit>, Vec<Applied>) {
    let mut edits: Vec<ResolvedEdit> = Vec::new();
    let mut applied = Vec::new();
    for finding in &report.findings {
        if policy.apply(finding.rule.id, finding.severity).is_none() {
            continue;
        }
        let allowed = |applicability: Applicability| mode == FixMode::Unsafe || applicability == Applicability::Safe;
        let Some(fix) = finding.fixes.iter().find(|fix| fix.kind == FixKind::Repair && allowed(fix.applicability))
        else {
            continue;
        };
        if fix.edits.iter().any(|edit| edits.iter().any(|taken| overlaps(&taken.range, &edit.range))) {
            // Another fix touches the same text: this one waits for the next round.
            continue;
        }
        edits.extend(fix.edits.iter().cloned());
        let line = text[..finding.range.start.min(text.len())].matches('\n').count() + 1;
        applied.push(Applied { rule: finding.rule.id, title: fix.title.to_string(), line });
    }
    (edits, applied)
}

/// Whether two ranges share text, or are the same insertion point.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

fn apply(text: &str, mut edits: Vec<ResolvedEdit>) -> String {
    edits.sort_by_key(|edit| std::cmp::Reverse((edit.range.start, edit.range.end)));
    let mut fixed = text.to_owned();
    for edit in edits {
        let range = edit.range.start.min(fixed.len())..edit.range.end.min(fixed.len());
        if fixed.is_char_boundary(range.start) && fixed.is_char_boundary(range.end) {
            fixed.replace_range(range, &edit.replacement);
        }
    }
    fixed
}

/// A unified diff of `old` and `new`, labelled with `path` as git labels it (`a/` and `b/`
/// before a relative path).
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let (before, after) = if path.starts_with('/') {
        (path.to_owned(), path.to_owned())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&before, &after).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str =
        "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";

    #[test]
    fn unsafe_fixes_only_when_asked() {
        let policy = Policy::default();
        let (safe, applied) = fix_text(FileKind::GithubWorkflow, WORKFLOW, &policy, FixMode::Safe);
        assert!(applied.iter().all(|fix| fix.rule != "expression-injection"), "{applied:?}");
        assert!(safe.contains("${{ github.event.issue.title }}\""));
        let (fixed, applied) = fix_text(FileKind::GithubWorkflow, WORKFLOW, &policy, FixMode::Unsafe);
        assert!(applied.iter().any(|fix| fix.rule == "expression-injection" && fix.line == 6), "{applied:?}");
        assert!(fixed.contains("ISSUE_TITLE: ${{ github.event.issue.title }}"), "{fixed}");
        let after = analyze_text(FileKind::GithubWorkflow, &fixed);
        assert!(after.syntax_errors.is_empty());
        assert!(after.findings.iter().all(|f| f.rule.id != "expression-injection"));
    }

    #[test]
    fn diffs_are_unified() {
        let diff = unified_diff("w.yml", "a\nb\n", "a\nc\n");
        assert!(diff.starts_with("--- a/w.yml\n+++ b/w.yml\n@@"), "{diff}");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
    }
}
