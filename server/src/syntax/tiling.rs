//! Where tiles start: a line-based reading of YAML's top-level structure.
//!
//! A tile starts at every line that begins a top-level key (a key at column 0) and, when the
//! tiling nests, at every line that begins an entry of the nested block (a job under
//! `jobs:`), recognised by its indentation. Lines that only continue something (blank lines,
//! comments, deeper lines, sequence items, flow continuations) never start a tile, so a tile
//! is always a complete `key: value` entry when the file is well formed.

use std::ops::Range;

use ropey::Rope;

use crate::text;

/// How a document is cut into tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tiling {
    /// One tile per top-level key.
    TopLevel,
    /// Also one tile per entry of the block under this top-level key (`jobs` for workflows).
    Nested { key: &'static str },
}

/// The structure the tiling is in at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    TopLevel,
    /// Inside the nested block, whose entries are indented by `indent` (unknown until the
    /// first entry is seen).
    Nested {
        indent: Option<usize>,
    },
}

/// Where a tile starts, and for a nested tile the indentation of its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileStart {
    pub offset: usize,
    pub nested_indent: Option<usize>,
}

/// The tile starts in `region` (whole lines), reading it from `context`. At the start of the
/// text, lines before the first key (comments, a preamble) form a tile of their own.
/// Also returns the context after the region, which the tiles after it were read in.
pub fn tile_starts(
    rope: &Rope,
    region: Range<usize>,
    mut context: Context,
    tiling: Tiling,
) -> (Vec<TileStart>, Context) {
    let mut starts = Vec::new();
    if region.start == 0 {
        starts.push(TileStart { offset: 0, nested_indent: None });
    }
    if region.is_empty() {
        return (starts, context);
    }
    for (offset, line) in text::lines_from(rope, rope.byte_to_line(region.start)) {
        if offset >= region.end {
            break;
        }
        let content = line.trim_end_matches(['\n', '\r']);
        let top_level = is_top_level_start(content);
        let nested_entry = match context {
            Context::Nested { indent } if !top_level => nested_entry_indent(content, indent),
            _ => None,
        };
        if top_level {
            push(&mut starts, TileStart { offset, nested_indent: None });
            context = match tiling {
                Tiling::Nested { key } if opens_block(content, key) => Context::Nested { indent: None },
                _ => Context::TopLevel,
            };
        } else if let Some(indent) = nested_entry {
            push(&mut starts, TileStart { offset, nested_indent: Some(indent) });
            context = Context::Nested { indent: Some(indent) };
        }
    }
    (starts, context)
}

/// Adds a tile start, replacing the empty preamble tile when the first key is on line one.
fn push(starts: &mut Vec<TileStart>, start: TileStart) {
    match starts.last_mut() {
        Some(last) if last.offset == start.offset => *last = start,
        _ => starts.push(start),
    }
}

/// Whether any line starting in `range` begins a top-level key.
pub fn has_top_level_line(rope: &Rope, range: Range<usize>) -> bool {
    if range.start >= rope.len_bytes() {
        return false;
    }
    for (offset, line) in text::lines_from(rope, rope.byte_to_line(range.start)) {
        if offset > range.end {
            return false;
        }
        if is_top_level_start(&line) {
            return true;
        }
    }
    false
}

/// A line at column 0 that starts a mapping key, or a document marker.
fn is_top_level_start(line: &str) -> bool {
    line.starts_with("---") || (!line.starts_with([' ', '\t']) && is_key_line(line))
}

/// The indentation of a line that starts an entry of the nested block, if it does.
fn nested_entry_indent(line: &str, block_indent: Option<usize>) -> Option<usize> {
    let indent = indentation(line);
    let rest = &line[indent..];
    let at_entry_column = block_indent.is_none_or(|expected| expected == indent);
    (indent > 0 && at_entry_column && is_key_line(rest)).then_some(indent)
}

/// Whether a line (without indentation) starts `key:`: a plain or quoted key followed by a
/// colon and a space or the end of the line.
fn is_key_line(line: &str) -> bool {
    let Some(first) = line.chars().next() else {
        return false;
    };
    if matches!(
        first,
        '#' | '-' | '[' | ']' | '{' | '}' | ',' | '&' | '*' | '!' | '|' | '>' | '%' | '@' | '`' | ' ' | '\t'
    ) {
        return false;
    }
    let after_key = if first == '"' || first == '\'' {
        match line[1..].find(first) {
            Some(close) => &line[close + 2..],
            None => return false,
        }
    } else {
        match line.find(':') {
            Some(colon) if !line[..colon].contains(" #") => &line[colon..],
            _ => return false,
        }
    };
    let after_key = after_key.trim_start_matches([' ', '\t']);
    after_key.strip_prefix(':').is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Whether a top-level line is `key:` with a block value to follow (nothing but a comment
/// after the colon).
fn opens_block(line: &str, key: &str) -> bool {
    let Some(rest) = line.strip_prefix(key) else {
        return false;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let Some(rest) = rest.strip_prefix(':') else {
        return false;
    };
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with('#')
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<(usize, Option<usize>)> {
        let rope = Rope::from_str(text);
        tile_starts(&rope, 0..text.len(), Context::TopLevel, Tiling::Nested { key: "jobs" })
            .0
            .into_iter()
            .map(|start| (rope.byte_to_line(start.offset), start.nested_indent))
            .collect()
    }

    #[test]
    fn tiles_start_at_top_level_keys_and_jobs() {
        let text = "# comment\nname: x\non:\n  push:\njobs:\n  a:\n    steps:\n      - run: |\n          b:\n  'b c':\n    x: 1\n\nenv:\n  A: 1\n";
        assert_eq!(
            starts(text),
            vec![(0, None), (1, None), (2, None), (4, None), (5, Some(2)), (9, Some(2)), (12, None)]
        );
    }

    #[test]
    fn continuations_never_start_tiles() {
        let text = "on: [push,\npull_request]\nkey: \"a\n  b: c\"\njobs: {a: 1}\n  b: 2\n";
        assert_eq!(starts(text), vec![(0, None), (2, None), (4, None)]);
        assert!(!is_key_line("http://x"));
        assert!(is_key_line("\"quoted key\": 1"));
        assert!(is_key_line("key:"));
        assert!(!is_key_line("- item: 1"));
    }
}
