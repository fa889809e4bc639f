//! Syntax errors that point at the real spot.
//!
//! Tree-sitter's `ERROR` nodes are often far too wide: when YAML's structure breaks, the whole
//! top level becomes one `ERROR` that starts at the first line and ends where the parser gave
//! up. The place to blame is where it gave up, or the unclosed bracket or quote inside a small
//! `ERROR`, or the token tree-sitter had to invent (`MISSING`).

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{Node, Tree};

/// At most this many syntax errors are reported for one file.
pub const MAX_ERRORS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Absolute byte range in the current text.
    pub range: Range<usize>,
    pub message: String,
}

/// The syntax errors of a tree, at most [`MAX_ERRORS`], in text order.
pub fn syntax_errors(tree: &Tree, rope: &Rope) -> Vec<SyntaxError> {
    let root = tree.root_node();
    let mut errors = Vec::new();
    let stopped_early = stop_point(root, rope);
    if let Some(offset) = stopped_early {
        errors.push(error_at_stop(rope, offset));
    }
    if root.has_error() {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if errors.len() >= MAX_ERRORS {
                break;
            }
            if node.is_missing() {
                errors.push(missing(node));
            } else if node.is_error() {
                errors.extend(error_node(node, rope, stopped_early.is_some()));
            } else if node.has_error() {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.children(&mut cursor).collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }
    errors.sort_by_key(|error| (error.range.start, error.range.end));
    errors.dedup_by(|a, b| a.range.start == b.range.start);
    errors.truncate(MAX_ERRORS);
    errors
}

/// Where the parser gave up, when its tree does not reach the end of the text.
fn stop_point(root: Node, rope: &Rope) -> Option<usize> {
    let end = root.end_byte();
    let rest = rope.byte_slice(end.min(rope.len_bytes())..);
    let skipped = rest
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(char::len_utf8)
        .sum::<usize>();
    (end + skipped < rope.len_bytes()).then_some(end + skipped)
}

fn error_at_stop(rope: &Rope, offset: usize) -> SyntaxError {
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let line_end = line_start + crate::text::content_len(rope, line);
    let at_line_start = rope
        .byte_slice(line_start..offset)
        .chars()
        .all(char::is_whitespace);
    let message = if rope.byte(offset) == b':' {
        "unexpected `:`: a value that contains `: ` must be quoted".to_owned()
    } else if at_line_start {
        "this line does not fit the structure above it: check its indentation, and that the key \
         on the line before ends with `:`"
            .to_owned()
    } else {
        "unexpected text: the YAML structure breaks here".to_owned()
    };
    SyntaxError {
        range: offset..line_end.max(offset + 1).min(rope.len_bytes()),
        message,
    }
}

fn missing(node: Node) -> SyntaxError {
    let start = node.start_byte();
    SyntaxError {
        range: start..start,
        message: format!("missing `{}`", node.kind()),
    }
}

/// An `ERROR` node: blame an unclosed bracket or quote inside it, else its first line. A
/// top-level `ERROR` that is only there because the parser stopped early was blamed already.
fn error_node(node: Node, rope: &Rope, stopped_early: bool) -> Option<SyntaxError> {
    if let Some(unclosed) = unclosed_opener(node) {
        let line_end = line_end_of(rope, unclosed.start_byte());
        return Some(SyntaxError {
            range: unclosed.start_byte()..line_end.max(unclosed.end_byte()),
            message: format!("unclosed `{}`", unclosed.kind()),
        });
    }
    let spans_lines = node.start_position().row != node.end_position().row;
    if stopped_early && spans_lines {
        return None;
    }
    let start = node.start_byte();
    let end = node
        .end_byte()
        .min(line_end_of(rope, start))
        .max(start + 1)
        .min(rope.len_bytes());
    let message = match rope.byte_slice(start..end).to_string().trim() {
        "" => "invalid YAML here".to_owned(),
        text => format!("invalid YAML: unexpected `{}`", shorten(text)),
    };
    Some(SyntaxError {
        range: start..end,
        message,
    })
}

/// An opening quote or bracket directly inside an `ERROR` node with no closer after it.
fn unclosed_opener(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.iter().enumerate().find_map(|(index, child)| {
        let closer = match child.kind() {
            "[" => "]",
            "{" => "}",
            "\"" => "\"",
            "'" => "'",
            _ => return None,
        };
        let closed = children[index + 1..]
            .iter()
            .any(|later| later.kind() == closer);
        (!closed).then_some(*child)
    })
}

fn line_end_of(rope: &Rope, offset: usize) -> usize {
    let line = rope.byte_to_line(offset.min(rope.len_bytes()));
    rope.line_to_byte(line) + crate::text::content_len(rope, line)
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
