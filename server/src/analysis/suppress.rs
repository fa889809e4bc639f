//! Suppression comments: `# pipewarden: ignore[rule-id]` on a finding's line or the line
//! above it.
//!
//! A finding inside a multi-line scalar (a `run: |` script) belongs to the line where the
//! scalar starts: a comment inside the script would be part of the script, not YAML.

use ropey::Rope;
use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

use super::report::{Reported, ResolvedEdit, ResolvedFix};
use crate::rules::Applicability;
use crate::syntax::queries;
use crate::text;

/// Whether a comment suppresses this finding.
pub fn is_suppressed(finding: &Reported, tree: &Tree, rope: &Rope) -> bool {
    let line = anchor_line(finding.range.start, tree, rope);
    suppression_comments(line, tree, rope)
        .iter()
        .any(|comment| {
            comment
                .rule_ids
                .iter()
                .any(|id| id == finding.rule.id || id == "all")
        })
}

/// The fix that adds (or extends) a suppression comment for this finding.
pub fn ignore_fix(finding: &Reported, tree: &Tree, rope: &Rope) -> ResolvedFix {
    let line = anchor_line(finding.range.start, tree, rope);
    let id = finding.rule.id;
    let existing = suppression_comments(line, tree, rope)
        .into_iter()
        .find(|comment| comment.line + 1 == line);
    let edit = match existing {
        Some(comment) => ResolvedEdit {
            range: comment.close..comment.close,
            replacement: format!(", {id}"),
        },
        None => {
            let start = text::line_start(rope, line);
            let indent: String = text::line_text(rope, line)
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            ResolvedEdit {
                range: start..start,
                replacement: format!("{indent}# pipewarden: ignore[{id}]\n"),
            }
        }
    };
    ResolvedFix {
        title: format!("Ignore this finding here (`{id}`)"),
        applicability: Applicability::Safe,
        edits: vec![edit],
    }
}

/// A suppression comment that applies to some line.
struct Suppression {
    line: usize,
    rule_ids: Vec<String>,
    /// The offset of its closing `]`, where more ids can be added.
    close: usize,
}

/// The suppression comments on `line` or standing alone on the line above it.
fn suppression_comments(line: usize, tree: &Tree, rope: &Rope) -> Vec<Suppression> {
    let first = line.saturating_sub(1);
    let range = text::line_start(rope, first)
        ..text::line_start(rope, line) + text::content_len_or_zero(rope, line);
    let query = queries::suppressions();
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(range);
    let node_text = |node: Node| {
        let end = node.end_byte().min(rope.len_bytes());
        std::iter::once(
            rope.byte_slice(node.start_byte().min(end)..end)
                .to_string()
                .into_bytes(),
        )
    };
    let mut matches = cursor.matches(query, tree.root_node(), node_text);
    let mut found = Vec::new();
    while let Some(found_match) = matches.next() {
        for capture in found_match.captures {
            let comment_line = rope.byte_to_line(capture.node.start_byte());
            let standalone = comment_line == line || starts_its_line(capture.node, rope);
            if (comment_line == line || comment_line + 1 == line) && standalone {
                found.extend(parse(capture.node, rope, comment_line));
            }
        }
    }
    found
}

fn parse(comment: Node, rope: &Rope, line: usize) -> Option<Suppression> {
    let text = rope.byte_slice(comment.byte_range()).to_string();
    let open = text.find("ignore[")? + "ignore[".len();
    let close = open + text[open..].find(']')?;
    let rule_ids = text[open..close]
        .split(',')
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    Some(Suppression {
        line,
        rule_ids,
        close: comment.start_byte() + close,
    })
}

fn starts_its_line(node: Node, rope: &Rope) -> bool {
    let line_start = text::line_start(rope, rope.byte_to_line(node.start_byte()));
    rope.byte_slice(line_start..node.start_byte())
        .chars()
        .all(char::is_whitespace)
}

/// The line a finding at `offset` belongs to: the start of the multi-line scalar holding it,
/// or its own line.
fn anchor_line(offset: usize, tree: &Tree, rope: &Rope) -> usize {
    let own_line = rope.byte_to_line(offset.min(rope.len_bytes()));
    let mut node = tree.root_node().descendant_for_byte_range(offset, offset);
    while let Some(current) = node {
        let is_scalar = matches!(
            current.kind(),
            "block_scalar" | "plain_scalar" | "double_quote_scalar" | "single_quote_scalar"
        );
        if is_scalar {
            return current.start_position().row.min(own_line);
        }
        node = current.parent();
    }
    own_line
}
