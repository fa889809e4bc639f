//! Syntax errors that point at the real spot.
//!
//! Tree-sitter's `ERROR` nodes are often far too wide: when YAML's structure breaks, the whole
//! top level becomes one `ERROR` that starts at the first line and ends where the parser gave
//! up. The place to blame is where it gave up, or the unclosed bracket or quote inside a small
//! `ERROR`, or the token tree-sitter had to invent (`MISSING`).

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{Node, Tree};

use super::Tile;

/// At most this many syntax errors are reported for one tile.
pub const MAX_ERRORS: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Absolute byte range in the current text.
    pub range: Range<usize>,
    pub message: String,
}

/// The syntax errors of a tile just parsed, at most [`MAX_ERRORS`], in text order. Read once
/// per parse and kept by the tile ([`Tile::syntax_errors`]).
pub(super) fn syntax_errors(tile: &Tile, rope: &Rope) -> Vec<SyntaxError> {
    if tile.is_clean() {
        return Vec::new();
    }
    let Some(tree): Option<&Tree> = tile.tree() else { return Vec::new() };
    let text = TileText { rope, origin: tile.start, end: tile.end() };
    let root = tree.root_node();
    let mut errors = Vec::new();
    let stopped_early = super::source::stop_point(rope, tile.start..tile.end(), root.end_byte());
    if let Some(offset) = stopped_early {
        errors.push(text.error_at_stop(offset));
    }
    if root.has_error() {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if errors.len() >= MAX_ERRORS {
                break;
            }
            if node.is_missing() {
                let start = text.absolute(node.start_byte());
                errors.push(SyntaxError { range: start..start, message: format!("missing `{}`", node.kind()) });
            } else if node.is_error() {
                errors.extend(text.error_node(node, stopped_early.is_some()));
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

/// A tile's text: tree offsets are relative to `origin`.
struct TileText<'a> {
    rope: &'a Rope,
    origin: usize,
    end: usize,
}

impl TileText<'_> {
    fn absolute(&self, offset: usize) -> usize {
        (self.origin + offset).min(self.end)
    }

    fn error_at_stop(&self, offset: usize) -> SyntaxError {
        let line = self.rope.byte_to_line(offset);
        let line_start = self.rope.line_to_byte(line);
        let at_line_start = self.rope.byte_slice(line_start..offset).chars().all(char::is_whitespace);
        let before: String = self.rope.byte_slice(line_start..offset).into();
        let message = if self.rope.byte(offset) == b':' && !before.trim().is_empty() && !before.trim().contains(' ') {
            "this key does not fit the structure above it: check its indentation"
        } else if self.rope.byte(offset) == b':' {
            "unexpected `:`: a value that contains `: ` must be quoted"
        } else if at_line_start {
            "this line does not fit the structure above it: check its indentation, and that the key on \
             the line before ends with `:`"
        } else {
            "unexpected text: the YAML structure breaks here"
        };
        SyntaxError { range: offset..self.line_end(offset).max(offset + 1).min(self.end), message: message.to_owned() }
    }

    /// An `ERROR` node: blame an unclosed bracket or quote inside it, else its first line. A
    /// multi-line `ERROR` that is only there because the parser stopped early was blamed already.
    fn error_node(&self, node: Node, stopped_early: bool) -> Option<SyntaxError> {
        if let Some(unclosed) = unclosed_opener(node) {
            let start = self.absolute(unclosed.start_byte());
            return Some(SyntaxError {
                range: start..self.line_end(start).max(self.absolute(unclosed.end_byte())),
                message: format!("unclosed `{}`", unclosed.kind()),
            });
        }
        let spans_lines = node.start_position().row != node.end_position().row;
        if stopped_early && spans_lines {
            return None;
        }
        let start = self.absolute(node.start_byte());
        let end = self.absolute(node.end_byte()).min(self.line_end(start)).max(start + 1).min(self.end);
        let message = match self.rope.byte_slice(start..end.max(start)).to_string().trim() {
            "" => "invalid YAML here".to_owned(),
            text => format!("invalid YAML: unexpected `{}`", shorten(text)),
        };
        Some(SyntaxError { range: start..end.max(start), message })
    }

    fn line_end(&self, offset: usize) -> usize {
        let line = self.rope.byte_to_line(offset.min(self.rope.len_bytes()));
        self.rope.line_to_byte(line) + crate::text::content_len(self.rope, line)
    }
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
        let closed = children[index + 1..].iter().any(|later| later.kind() == closer);
        (!closed).then_some(*child)
    })
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
