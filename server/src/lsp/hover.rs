//! Hovers: on a finding, the rule's explanation in the matrix's terms.

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::convert;
use super::documents::OpenDocument;
use crate::matrix::{Tactic, Technique};
use crate::rules::docs;
use crate::text::Encoding;

/// The hover at `offset`: the findings that cover it, else a description of the key or
/// context there, else, on the first line, the techniques open in the file.
pub fn hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    finding_hover(document, offset, encoding)
        .or_else(|| {
            let description = document.describe(offset)?;
            Some(markdown(description.markdown, document.source.rope(), description.range, encoding))
        })
        .or_else(|| file_hover(document, offset, encoding))
}

/// On the first line: the techniques the file's findings open, by tactic, and the path.
fn file_hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    let rope = document.source.rope();
    if rope.byte_to_line(offset.min(rope.len_bytes())) != 0 {
        return None;
    }
    let report = document.report()?;
    let rope = document.source.rope();
    let line_end = crate::text::content_len(rope, 0);
    let mut text = String::from("**pipewarden**: ");
    if report.findings.is_empty() {
        text.push_str("no technique of the CI/CD threat matrix is open in this file.");
    } else {
        text.push_str("techniques open in this file\n");
        for tactic in Tactic::ALL {
            let mut techniques: Vec<(Technique, usize)> = Vec::new();
            for finding in report.findings.iter().filter(|f| f.rule.technique.tactic() == tactic) {
                match techniques.iter_mut().find(|(t, _)| *t == finding.rule.technique) {
                    Some((_, count)) => *count += 1,
                    None => techniques.push((finding.rule.technique, 1)),
                }
            }
            if techniques.is_empty() {
                continue;
            }
            techniques.sort();
            let listed: Vec<String> =
                techniques.iter().map(|(t, n)| format!("{} {} ({n})", t.id(), t.name())).collect();
            text.push_str(&format!("\n- **{}**: {}", tactic.name(), listed.join(", ")));
        }
        for path in &report.paths {
            text.push_str(&format!(
                "\n\n**Attack path** ({}): {} → {}",
                path.entry.how,
                path.summary(&report.findings),
                path.outcome
            ));
        }
    }
    Some(markdown(text, rope, 0..line_end, encoding))
}

fn finding_hover(document: &mut OpenDocument, offset: usize, encoding: Encoding) -> Option<Hover> {
    let report = document.report()?;
    let covering: Vec<_> =
        report.findings.iter().filter(|finding| finding.range.start <= offset && offset <= finding.range.end).collect();
    let first = covering.first()?;
    let mut sections: Vec<String> = covering
        .iter()
        .map(|finding| docs::finding_hover(finding.rule, finding.severity, finding.confidence, &finding.message))
        .collect();
    let index = report.findings.iter().position(|finding| std::ptr::eq(finding, *first));
    if let Some(path) = index.and_then(|index| report.path_of(index)) {
        sections.push(format!(
            "**Attack path** ({}): {} → {}",
            path.entry.how,
            path.summary(&report.findings),
            path.outcome
        ));
    }
    Some(markdown(sections.join("\n\n---\n\n"), document.source.rope(), first.range.clone(), encoding))
}

fn markdown(value: String, rope: &ropey::Rope, range: std::ops::Range<usize>, encoding: Encoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
        range: Some(convert::range(rope, range, encoding)),
    }
}
