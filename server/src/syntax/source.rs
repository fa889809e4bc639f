//! A document's text and its incrementally maintained syntax tree.

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Tree};

use crate::text;

/// One replacement of a byte range, in the coordinates of the text it was applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl ByteEdit {
    /// How much the text after the edit moved.
    pub fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }
}

/// What happened to a source since its consumer last looked, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Text was replaced.
    Edit(ByteEdit),
    /// The tree was re-parsed and its structure differs in these ranges (current coordinates),
    /// which may lie outside every edit (an opened quote turns the rest of a file into a string).
    Restructured(Vec<Range<usize>>),
}

/// The text of a pipeline file and its tree-sitter tree. Edits are applied to the rope and
/// to the old tree at once; the tree is re-parsed, reusing the old one, only when someone asks
/// for it, so a burst of keystrokes costs one incremental parse.
pub struct Source {
    rope: Rope,
    tree: Tree,
    parser: Parser,
    stale: bool,
    changes: Vec<Change>,
}

impl Source {
    pub fn new(text: &str) -> Self {
        let rope = Rope::from_str(text);
        let mut parser = new_parser();
        let tree = parse(&mut parser, &rope, None);
        Self {
            rope,
            tree,
            parser,
            stale: false,
            changes: Vec::new(),
        }
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The tree and text, re-parsed incrementally first if edits are pending.
    pub fn parsed(&mut self) -> (&Tree, &Rope) {
        self.tree();
        (&self.tree, &self.rope)
    }

    /// The tree for the current text, re-parsed incrementally if edits are pending.
    pub fn tree(&mut self) -> &Tree {
        if self.stale {
            let new_tree = parse(&mut self.parser, &self.rope, Some(&self.tree));
            let restructured: Vec<Range<usize>> = self
                .tree
                .changed_ranges(&new_tree)
                .map(|range| range.start_byte..range.end_byte)
                .collect();
            if !restructured.is_empty() {
                self.changes.push(Change::Restructured(restructured));
            }
            self.tree = new_tree;
            self.stale = false;
        }
        &self.tree
    }

    /// Replaces a byte range (clamped to the text and to character boundaries) with `text`.
    pub fn replace(&mut self, range: Range<usize>, replacement: &str) -> ByteEdit {
        let start = self.char_boundary(range.start.min(range.end));
        let old_end = self.char_boundary(range.end.max(start));
        let new_end = start + replacement.len();
        let input_edit = InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: new_end,
            start_position: text::point_of(&self.rope, start),
            old_end_position: text::point_of(&self.rope, old_end),
            new_end_position: end_point(text::point_of(&self.rope, start), replacement),
        };
        let (start_char, old_end_char) = (
            self.rope.byte_to_char(start),
            self.rope.byte_to_char(old_end),
        );
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, replacement);
        self.tree.edit(&input_edit);
        self.stale = true;
        let edit = ByteEdit {
            start,
            old_end,
            new_end,
        };
        self.changes.push(Change::Edit(edit));
        edit
    }

    /// Replaces the whole text, as a single edit of the part that differs, so that even
    /// clients that send full text keep the parse incremental.
    pub fn set_text(&mut self, new_text: &str) {
        let old = self.rope.to_string();
        let prefix = common_prefix(old.as_bytes(), new_text.as_bytes());
        let suffix = common_suffix(&old.as_bytes()[prefix..], &new_text.as_bytes()[prefix..]);
        let (mut start, mut old_end) = (prefix, old.len() - suffix);
        let mut new_end = new_text.len() - suffix;
        while !new_text.is_char_boundary(start) || !old.is_char_boundary(start) {
            start -= 1;
        }
        while !new_text.is_char_boundary(new_end) || !old.is_char_boundary(old_end) {
            new_end += 1;
            old_end += 1;
        }
        if start != old_end || start != new_end {
            self.replace(start..old_end, &new_text[start..new_end]);
        }
    }

    /// Hands over the changes made since the last call.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    fn char_boundary(&self, offset: usize) -> usize {
        let offset = offset.min(self.rope.len_bytes());
        self.rope.char_to_byte(self.rope.byte_to_char(offset))
    }
}

/// Parses a text from scratch; used for whole files in `check` and to verify incremental trees.
pub fn parse_text(text: &str) -> Tree {
    parse(&mut new_parser(), &Rope::from_str(text), None)
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_yaml::LANGUAGE.into())
        .expect("the bundled YAML grammar matches the tree-sitter runtime");
    parser
}

fn parse(parser: &mut Parser, rope: &Rope, old_tree: Option<&Tree>) -> Tree {
    let mut read = |offset: usize, _| -> &[u8] {
        if offset >= rope.len_bytes() {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
        &chunk.as_bytes()[offset - chunk_start..]
    };
    parser
        .parse_with_options(&mut read, old_tree, None)
        .expect("parsing without a timeout or cancellation always yields a tree")
}

fn end_point(start: tree_sitter::Point, inserted: &str) -> tree_sitter::Point {
    match inserted.rfind('\n') {
        Some(last_newline) => tree_sitter::Point::new(
            start.row + inserted.bytes().filter(|&b| b == b'\n').count(),
            inserted.len() - last_newline - 1,
        ),
        None => tree_sitter::Point::new(start.row, start.column + inserted.len()),
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}
