//! Hovers: on a finding, the rule's explanation in the matrix's terms.

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::convert;
use super::documents::OpenDocument;
use crate::rules::docs;
use crate::text::Encoding;

/// The hover at `offset`, if a finding covers it.
pub fn hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    let report = document.report()?;
    let covering: Vec<_> =
        report.findings.iter().filter(|finding| finding.range.start <= offset && offset <= finding.range.end).collect();
    let first = covering.first()?;
    let sections: Vec<String> = covering
        .iter()
        .map(|finding| format!("{}\n\n**Here:** {}", docs::hover_summary(finding.rule), finding.message))
        .collect();
    let range = first.range.clone();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: Some(convert::range(document.source.rope(), range, encoding)),
    })
}
