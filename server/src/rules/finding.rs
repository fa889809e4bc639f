//! Findings and fixes, as data.

use std::sync::Arc;

use super::{Confidence, RuleMeta, Severity};
use crate::syntax::span::Span;

/// A problem a rule found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub span: Span,
    /// The rule's severity unless the circumstances raise or lower it.
    pub severity: Severity,
    /// The rule's confidence unless this finding is more or less certain (an indirect flow).
    pub confidence: Confidence,
    /// Shared, as are fix titles and edit texts: a keystroke reports a file's findings
    /// again, most of them unchanged, and copies pointers instead of text.
    pub message: Arc<str>,
    pub fixes: Vec<Fix>,
    /// The job the finding was found in; `None` for findings about the whole file.
    pub job: Option<Arc<str>>,
}

/// A change that resolves a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: Arc<str>,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// Whether a fix keeps the pipeline's behaviour for legitimate input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Applying it cannot break a working pipeline.
    Safe,
    /// Applying it may change behaviour; the rule's docs say how.
    Unsafe,
}

/// Replace `span` (grown as `extent` says) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: Arc<str>,
    pub extent: Extent,
}

/// What an edit's span stands for in the text, which only the text can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// The span itself.
    Span,
    /// The whole lines it touches, with their line break: how a key and its value are
    /// removed from a block mapping.
    WholeLines,
    /// The end of its line, after a comment there and before the line break: where an entry
    /// is appended after the last one, whose comment stays on its line.
    LineEnd,
    /// The span with the spaces before it on its line: a value replaced by a block that
    /// starts on the next line, leaving no space after its key.
    WithSpaceBefore,
}

impl Edit {
    pub fn insert(at: Span, text: impl Into<String>) -> Self {
        Self { span: at.at_start(), replacement: text.into().into(), extent: Extent::Span }
    }

    /// Inserts `text` at the end of the line `at` is on (after a comment there).
    pub fn insert_at_line_end(at: Span, text: impl Into<String>) -> Self {
        Self { span: at.at_start(), replacement: text.into().into(), extent: Extent::LineEnd }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Self { span, replacement: text.into().into(), extent: Extent::Span }
    }

    /// Replaces the scalar value at `span` with a block written from the next line on.
    pub fn replace_with_block(span: Span, block: impl Into<String>) -> Self {
        Self { span, replacement: block.into().into(), extent: Extent::WithSpaceBefore }
    }

    /// Deletes the lines `span` is written on. Only for spans alone on their lines, such as
    /// an entry of a block mapping.
    pub fn delete_lines(span: Span) -> Self {
        Self { span, replacement: Arc::from(""), extent: Extent::WholeLines }
    }
}

/// Where a rule reports; it knows which rule is running.
pub struct Findings {
    rule: &'static RuleMeta,
    found: Vec<Finding>,
}

impl Findings {
    pub fn new(rule: &'static RuleMeta) -> Self {
        Self { rule, found: Vec::new() }
    }

    /// Reports a finding at `span`; the returned finding can be given fixes or a severity.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.found.push(Finding {
            rule: self.rule,
            span,
            severity: self.rule.severity,
            confidence: self.rule.confidence,
            message: message.into().into(),
            fixes: Vec::new(),
            job: None,
        });
        self.found.last_mut().expect("a finding was just pushed")
    }

    /// The findings, without the spare room their lists grew: a job's findings are held
    /// until its next check, and most findings have one fix or none.
    pub fn into_vec(mut self) -> Vec<Finding> {
        for finding in &mut self.found {
            finding.fixes.shrink_to_fit();
        }
        self.found
    }
}

impl Finding {
    pub fn with_severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    pub fn with_confidence(&mut self, confidence: Confidence) -> &mut Self {
        self.confidence = confidence;
        self
    }

    pub fn with_fix(&mut self, fix: Fix) -> &mut Self {
        self.fixes.push(fix);
        self
    }
}
