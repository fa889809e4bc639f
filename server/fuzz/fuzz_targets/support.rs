//! Checks shared by the fuzz targets.

#![allow(dead_code)]

use std::ops::Range;

use pipewarden::analysis::Report;
use pipewarden::model::kind::FileKind;

pub const KINDS: [FileKind; 3] = [
    FileKind::GithubWorkflow,
    FileKind::GithubAction,
    FileKind::GitlabCi,
];

/// Picks a kind from a byte.
pub fn kind_of(byte: u8) -> FileKind {
    KINDS[usize::from(byte) % KINDS.len()]
}

/// Panics unless `range` is a valid byte range of `text`.
pub fn assert_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: range {range:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: range {range:?} splits a character"
    );
}

/// Panics if a rule panicked or any range of the report is not a valid range of `text`.
pub fn assert_sound(text: &str, report: &Report) {
    assert!(report.failures.is_empty(), "a rule panicked: {:?}", report.failures);
    for error in &report.syntax_errors {
        assert_range(text, &error.range, "syntax error");
    }
    for finding in &report.findings {
        assert_range(text, &finding.range, finding.rule.id);
        for fix in &finding.fixes {
            for edit in &fix.edits {
                assert_range(text, &edit.range, &fix.title);
            }
        }
    }
}
