//! Suppression comments: `# pipewarden: ignore[rule-id]` on a finding's line or the line
//! above it.
//!
//! A finding inside a multi-line scalar (a `run: |` script) belongs to the line where the
//! scalar starts: a comment inside the script would be part of the script, not YAML.

use std::collections::HashMap;

use ropey::Rope;
use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

use super::report::{Reported, ResolvedEdit, ResolvedFix};
use crate::rules::Applicability;
use crate::syntax::queries;
use crate::text;

/// The suppression comments of one document, for a set of findings. Everything is read once
/// for all findings together, so a hostile file with 100,000 findings costs one walk of the
/// tree, not 100,000: tree-sitter finds a node's children and parent by scanning siblings.
pub struct Suppressions<'t> {
    tree: &'t Tree,
    rope: &'t Rope,
    /// For each finding offset inside a scalar, the row where the scalar starts.
    scalar_rows: HashMap<usize, usize>,
    by_line: HashMap<usize, Vec<Suppression>>,
}

impl<'t> Suppressions<'t> {
    pub fn new(tree: &'t Tree, rope: &'t Rope, findings: &[Reported]) -> Self {
        let mut offsets: Vec<usize> = findings.iter().map(|f| f.range.start).collect();
        offsets.sort_unstable();
        offsets.dedup();
        Self {
            tree,
            rope,
            scalar_rows: scalar_rows(tree, &offsets),
            by_line: HashMap::new(),
        }
    }

    /// Whether a comment suppresses this finding.
    pub fn is_suppressed(&mut self, finding: &Reported) -> bool {
        let line = self.anchor_line(finding.range.start);
        self.comments(line).iter().any(|comment| {
            comment
                .rule_ids
                .iter()
                .any(|id| id == finding.rule.id || id == "all")
        })
    }

    /// The fix that adds (or extends) a suppression comment for this finding.
    pub fn ignore_fix(&mut self, finding: &Reported) -> ResolvedFix {
        let line = self.anchor_line(finding.range.start);
        let id = finding.rule.id;
        let existing = self
            .comments(line)
            .iter()
            .find(|comment| comment.line + 1 == line);
        let edit = match existing {
            Some(comment) => ResolvedEdit {
                range: comment.close..comment.close,
                replacement: format!(", {id}"),
            },
            None => {
                let start = text::line_start(self.rope, line);
                // Read from the rope, not a copy of the line: lines can be megabytes long.
                let indent: String = self
                    .rope
                    .get_line(line)
                    .into_iter()
                    .flat_map(|text| text.chars())
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

    /// The line a finding at `offset` belongs to: the start of the multi-line scalar holding
    /// it, or its own line.
    fn anchor_line(&self, offset: usize) -> usize {
        let own_line = self.rope.byte_to_line(offset.min(self.rope.len_bytes()));
        self.scalar_rows
            .get(&offset)
            .map_or(own_line, |row| (*row).min(own_line))
    }

    fn comments(&mut self, line: usize) -> &[Suppression] {
        let (tree, rope) = (self.tree, self.rope);
        self.by_line.entry(line).or_insert_with(|| {
            // Most lines hold no suppression; only those that mention one are queried.
            let mentioned = (line.saturating_sub(1)..=line)
                .filter_map(|line| rope.get_line(line))
                .any(|text| text.to_string().contains("pipewarden:"));
            if mentioned {
                suppression_comments(line, tree, rope)
            } else {
                Vec::new()
            }
        })
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

/// For each of the sorted `offsets` that lies in a scalar (start inclusive, end exclusive),
/// the row where that scalar starts. One walk with a cursor, descending only into nodes that
/// hold an offset still to place; iterative, so any depth of nesting is fine.
fn scalar_rows(tree: &Tree, offsets: &[usize]) -> HashMap<usize, usize> {
    let mut rows = HashMap::new();
    let mut pending = offsets.iter().copied().peekable();
    let mut cursor = tree.walk();
    while let Some(&offset) = pending.peek() {
        let node = cursor.node();
        if node.end_byte() <= offset {
            // Entirely before the next offset: on to the next sibling, or up and on.
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return rows;
                }
            }
        } else if offset < node.start_byte() {
            // Between this node's siblings: in no scalar below the parent.
            pending.next();
        } else if is_scalar(node.kind()) {
            while let Some(inside) = pending.next_if(|&o| o < node.end_byte()) {
                rows.insert(inside, node.start_position().row);
            }
        } else if !cursor.goto_first_child() {
            pending.next();
        }
    }
    rows
}

fn is_scalar(kind: &str) -> bool {
    matches!(
        kind,
        "block_scalar" | "plain_scalar" | "double_quote_scalar" | "single_quote_scalar"
    )
}
