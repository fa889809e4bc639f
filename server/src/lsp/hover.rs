//! Hovers: on a finding, the rule's explanation in the matrix's terms.

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::convert;
use super::documents::OpenDocument;
use crate::analysis::{attack_path, attack_path_summary};
use crate::rules::docs;
use crate::text::Encoding;

/// The hover at `offset`: the findings that cover it, else a description of what is there.
pub fn hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    finding_hover(document, offset, encoding).or_else(|| {
        let description = document.describe(offset)?;
        Some(markdown(description.markdown, document.source.rope(), description.range, encoding))
    })
}

fn finding_hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    let report = document.report()?;
    let covering: Vec<_> =
        report.findings.iter().filter(|finding| finding.range.start <= offset && offset <= finding.range.end).collect();
    let first = covering.first()?;
    let mut sections: Vec<String> = covering
        .iter()
        .map(|finding| format!("{}\n\n**Here:** {}", docs::hover_summary(finding.rule), finding.message))
        .collect();
    let path = attack_path(&report.findings);
    if !path.is_empty() {
        sections.push(format!("**Attack path in this file:** {}", attack_path_summary(&path, &report.findings)));
    }
    Some(markdown(sections.join("\n\n---\n\n"), document.source.rope(), first.range.clone(), encoding))
}

fn markdown(value: String, rope: &ropey::Rope, range: std::ops::Range<usize>, encoding: Encoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: Some(convert::range(rope, range, encoding)),
    }
}
