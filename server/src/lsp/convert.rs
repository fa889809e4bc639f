//! Translation between LSP types and the analysis's byte offsets and findings.

use std::borrow::Cow;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position as LspPosition,
    PositionEncodingKind, Range, Uri,
};

use crate::analysis::{Report, Reported, RuleFailure, Step, headline};
use crate::matrix::Technique;
use crate::rules::Severity;
use crate::syntax::errors::SyntaxError;
use crate::text::{self, Encoding, Position};

pub const SOURCE: &str = "pipewarden";
pub const SYNTAX_ERROR_CODE: &str = "syntax-error";
pub const INTERNAL_ERROR_CODE: &str = "internal-error";
pub const LEFT_OUT_CODE: &str = "more-findings";

/// The encoding to use given what the client offers: UTF-8 if offered, else UTF-16.
pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> (Encoding, PositionEncodingKind) {
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => (Encoding::Utf8, PositionEncodingKind::UTF8),
        _ => (Encoding::Utf16, PositionEncodingKind::UTF16),
    }
}

pub fn offset(rope: &Rope, position: LspPosition, encoding: Encoding) -> usize {
    text::offset_of(rope, Position::new(position.line as usize, position.character as usize), encoding)
}

pub fn position(rope: &Rope, offset: usize, encoding: Encoding) -> LspPosition {
    let position = text::position_of(rope, offset, encoding);
    LspPosition::new(saturate(position.line), saturate(position.column))
}

pub fn range(rope: &Rope, bytes: std::ops::Range<usize>, encoding: Encoding) -> Range {
    Range::new(position(rope, bytes.start, encoding), position(rope, bytes.end, encoding))
}

/// The byte range of an LSP range; a reversed range is read as empty at its start.
pub fn byte_range(rope: &Rope, range: Range, encoding: Encoding) -> std::ops::Range<usize> {
    let start = offset(rope, range.start, encoding);
    let end = offset(rope, range.end, encoding).max(start);
    start..end
}

pub fn finding(rope: &Rope, finding: &Reported, severity: Severity, encoding: Encoding) -> Diagnostic {
    Diagnostic {
        range: range(rope, finding.range.clone(), encoding),
        severity: Some(diagnostic_severity(severity)),
        code: Some(NumberOrString::String(finding.rule.id.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: format!("{}: {}", finding.rule.technique.label(), finding.message),
        ..Diagnostic::default()
    }
}

/// What one entry of a finding's attack path says: where the path starts and how, or another
/// step by its technique and text.
#[derive(Debug, Clone, PartialEq)]
pub enum PathText<'a> {
    Start(Cow<'a, str>),
    Step(Technique, Cow<'a, str>),
}

impl PathText<'_> {
    pub fn into_owned(self) -> PathText<'static> {
        match self {
            PathText::Start(how) => PathText::Start(Cow::Owned(how.into_owned())),
            PathText::Step(technique, text) => PathText::Step(technique, Cow::Owned(text.into_owned())),
        }
    }

    fn message(&self) -> String {
        match self {
            PathText::Start(how) => format!("attack path starts here: {how}"),
            PathText::Step(technique, text) => format!("attack path: {}", headline(*technique, text)),
        }
    }
}

/// The places and texts of the attack path through finding `index`: where it starts, then
/// its other steps. Empty when no path goes through the finding.
pub fn path_parts(report: &Report, index: usize) -> impl Iterator<Item = (std::ops::Range<usize>, PathText<'_>)> {
    report.path_of(index).into_iter().flat_map(move |path| {
        let start = (path.entry.range.clone(), PathText::Start(Cow::Borrowed(path.entry.how.as_str())));
        let steps = path.steps.iter().filter(move |step| **step != Step::Finding(index)).map(move |step| {
            let (technique, text) = path.headline_parts(step, &report.findings);
            (path.locate(step, &report.findings).1, PathText::Step(technique, Cow::Borrowed(text)))
        });
        std::iter::once(start).chain(steps)
    })
}

/// A finding's attack path, from [`path_parts`], as the finding's related information.
pub fn attack_path(
    uri: &Uri,
    rope: &Rope,
    parts: &[(std::ops::Range<usize>, PathText<'_>)],
    encoding: Encoding,
) -> Option<Vec<DiagnosticRelatedInformation>> {
    if parts.is_empty() {
        return None;
    }
    let related = parts.iter().map(|(range, text)| DiagnosticRelatedInformation {
        location: Location { uri: uri.clone(), range: self::range(rope, range.clone(), encoding) },
        message: text.message(),
    });
    Some(related.collect())
}

pub fn syntax_error(rope: &Rope, error: &SyntaxError, encoding: Encoding) -> Diagnostic {
    Diagnostic {
        range: range(rope, error.range.clone(), encoding),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(SYNTAX_ERROR_CODE.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: format!("YAML syntax: {}", error.message),
        ..Diagnostic::default()
    }
}

/// The summary of the findings a document does not publish because of the cap.
pub fn left_out(count: usize, max: usize) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String(LEFT_OUT_CODE.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: format!(
            "{count} more finding{} not shown: a document publishes its {max} most severe (setting `maxDiagnostics`); run `pipewarden check` for all",
            if count == 1 { " is" } else { "s are" }
        ),
        ..Diagnostic::default()
    }
}

pub fn failure(failure: &RuleFailure) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(INTERNAL_ERROR_CODE.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: format!(
            "internal error in rule `{}` ({}); the other rules' findings are shown. Please report it.",
            failure.rule, failure.message
        ),
        ..Diagnostic::default()
    }
}

fn diagnostic_severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
