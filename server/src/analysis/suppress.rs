//! Suppression comments: `# pipewarden: ignore[rule-id]` on a finding's line or the line
//! above it.
//!
//! A finding inside a multi-line scalar (a `run: |` script) belongs to the line where the
//! scalar starts: a comment inside the script would be part of the script, not YAML.

use ropey::Rope;
use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::report::{Reported, ResolvedEdit, ResolvedFix};
use crate::rules::Applicability;
use crate::syntax::{Tile, queries, tile_at};
use crate::text;

/// The parsed text, for finding comments.
pub struct Parsed<'a> {
    pub tiles: &'a [Tile],
    pub rope: &'a Rope,
}

/// `None` if a comment suppresses this finding; otherwise the fix that adds (or extends) a
/// suppression comment for it.
pub fn unsuppressed(finding: &Reported, parsed: &Parsed) -> Option<ResolvedFix> {
    let rope = parsed.rope;
    let line = anchor_line(finding.range.start, parsed);
    let id = finding.rule.id;
    let comments = suppression_comments(line, parsed);
    if comments.iter().any(|comment| comment.rule_ids.iter().any(|rule| rule == id || rule == "all")) {
        return None;
    }
    let edit = match comments.into_iter().find(|comment| comment.line + 1 == line) {
        Some(comment) => ResolvedEdit { range: comment.close..comment.close, replacement: format!(", {id}") },
        None => {
            let start = text::line_start(rope, line);
            let indent: String = text::line_text(rope, line).chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            ResolvedEdit { range: start..start, replacement: format!("{indent}# pipewarden: ignore[{id}]\n") }
        }
    };
    Some(ResolvedFix {
        title: format!("Ignore this finding here (`{id}`)"),
        applicability: Applicability::Safe,
        edits: vec![edit],
    })
}

/// A suppression comment that applies to some line.
struct Suppression {
    line: usize,
    rule_ids: Vec<String>,
    /// The offset of its closing `]`, where more ids can be added.
    close: usize,
}

/// The suppression comments on `line`, or standing alone on the line above it.
fn suppression_comments(line: usize, parsed: &Parsed) -> Vec<Suppression> {
    let mut found = Vec::new();
    for comment_line in [line.checked_sub(1), Some(line)].into_iter().flatten() {
        for comment in comments_on(comment_line, parsed) {
            if comment_line == line || starts_its_line(comment.clone(), parsed.rope) {
                found.extend(parse(comment, parsed.rope, comment_line));
            }
        }
    }
    found
}

/// The suppression comments on one line, as absolute byte ranges.
fn comments_on(line: usize, parsed: &Parsed) -> Vec<std::ops::Range<usize>> {
    let rope = parsed.rope;
    if line >= rope.len_lines() {
        return Vec::new();
    }
    let start = text::line_start(rope, line);
    let end = start + text::content_len(rope, line);
    // Most lines say nothing of pipewarden; they are passed over without a query.
    let line_text: std::borrow::Cow<str> = rope.byte_slice(start..end).into();
    if !line_text.contains("pipewarden") {
        return Vec::new();
    }
    let Some(tile) = tile_at(parsed.tiles, start) else {
        return Vec::new();
    };
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(start.saturating_sub(tile.start)..end.saturating_sub(tile.start));
    let node_text = |node: Node| {
        let end = (tile.start + node.end_byte()).min(rope.len_bytes());
        std::iter::once(rope.byte_slice((tile.start + node.start_byte()).min(end)..end).to_string().into_bytes())
    };
    let mut ranges = Vec::new();
    let mut matches = cursor.matches(queries::suppressions(), tile.model_tree().root_node(), node_text);
    while let Some(found) = matches.next() {
        for capture in found.captures {
            let range = tile.start + capture.node.start_byte()..tile.start + capture.node.end_byte();
            if rope.byte_to_line(range.start) == line {
                ranges.push(range);
            }
        }
    }
    ranges
}

fn parse(comment: std::ops::Range<usize>, rope: &Rope, line: usize) -> Option<Suppression> {
    let text = rope.byte_slice(comment.clone()).to_string();
    let open = text.find("ignore[")? + "ignore[".len();
    let close = open + text[open..].find(']')?;
    let rule_ids = text[open..close].split(',').map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()).collect();
    Some(Suppression { line, rule_ids, close: comment.start + close })
}

fn starts_its_line(comment: std::ops::Range<usize>, rope: &Rope) -> bool {
    let line_start = text::line_start(rope, rope.byte_to_line(comment.start));
    rope.byte_slice(line_start..comment.start).chars().all(char::is_whitespace)
}

/// The line a finding at `offset` belongs to: the start of the multi-line scalar holding it,
/// or its own line.
fn anchor_line(offset: usize, parsed: &Parsed) -> usize {
    let rope = parsed.rope;
    let own_line = rope.byte_to_line(offset.min(rope.len_bytes()));
    let Some(tile) = tile_at(parsed.tiles, offset) else {
        return own_line;
    };
    let relative = offset.saturating_sub(tile.start);
    let mut node = tile.model_tree().root_node().descendant_for_byte_range(relative, relative);
    while let Some(current) = node {
        let is_scalar =
            matches!(current.kind(), "block_scalar" | "plain_scalar" | "double_quote_scalar" | "single_quote_scalar");
        if is_scalar {
            return rope.byte_to_line(tile.start + current.start_byte()).min(own_line);
        }
        node = current.parent();
    }
    own_line
}
