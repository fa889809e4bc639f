//! Conversions between byte offsets and line/column positions.
//!
//! This is the only place where positions are converted. Lines are separated by `\n`; a `\r`
//! before it belongs to the line break, not to the line, so CRLF files get the columns an
//! editor shows. Columns are counted in the unit the caller asks for: UTF-8 bytes, UTF-16 code
//! units (the LSP default) or Unicode scalar values (what the command line prints).

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

/// The unit in which a column is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values, as printed by `check`.
    Utf32,
}

/// A zero-based line and column; the column is counted in some [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }
}

/// The line and column of a byte offset. Offsets inside a character count as its start;
/// offsets past the end count as the end.
pub fn position_of(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    // Most offsets have their line's start in their own chunk of the rope (about a kilobyte):
    // the line and column are then counted there, with one look-up in the rope instead of
    // the five the general case takes.
    let (chunk, chunk_start, _, chunk_line) = rope.chunk_at_byte(offset);
    let mut in_chunk = offset - chunk_start;
    while !chunk.is_char_boundary(in_chunk) {
        in_chunk -= 1;
    }
    let before = &chunk.as_bytes()[..in_chunk];
    if let Some(newline) = before.iter().rposition(|&byte| byte == b'\n') {
        let line = chunk_line + before.iter().filter(|&&byte| byte == b'\n').count();
        return Position { line, column: column_of(&chunk[newline + 1..in_chunk], encoding) };
    }
    position_by_index(rope, chunk_start + in_chunk, encoding)
}

/// [`position_of`] for an offset on a character boundary, through the rope's index.
fn position_by_index(rope: &Rope, offset: usize, encoding: Encoding) -> Position {
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let column = match encoding {
        Encoding::Utf8 => offset - line_start,
        // Most columns are short: counting the line's characters up to the offset is cheaper
        // than the rope's four index look-ups, which each scan a chunk. A column deep into a
        // very long line still uses the index.
        _ if offset - line_start <= SHORT_COLUMN => column_of(&slice(rope, line_start..offset), encoding),
        Encoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
        Encoding::Utf16 => {
            let (start_char, end_char) = (rope.byte_to_char(line_start), rope.byte_to_char(offset));
            rope.char_to_utf16_cu(end_char) - rope.char_to_utf16_cu(start_char)
        }
    };
    Position { line, column }
}

/// The column at the end of `before`, the text from its line's start.
fn column_of(before: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => before.chars().count(),
    }
}

/// The text of a byte range of the rope, on character boundaries: borrowed when it lies in
/// one of the rope's chunks (about a kilobyte each, so nearly every scalar and line does),
/// copied when it spans two. Cheaper than a `byte_slice`, which counts the slice's
/// characters and lines before it is read.
pub fn slice(rope: &Rope, range: Range<usize>) -> Cow<'_, str> {
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(range.start);
    match chunk.get(range.start - chunk_start..range.end - chunk_start) {
        Some(text) => Cow::Borrowed(text),
        None => rope.byte_slice(range).into(),
    }
}

/// The character that starts at byte `offset` of the rope, if one does: read from the chunk
/// that holds it (a chunk never splits a character), without slicing the rope.
pub fn char_at(rope: &Rope, offset: usize) -> Option<char> {
    let (chunk, chunk_start, _, _) = rope.get_chunk_at_byte(offset)?;
    chunk.get(offset - chunk_start..)?.chars().next()
}

/// The lines of the rope from line `first` on, each with the offset it starts at and its text
/// with its `\n`: read from the rope's chunks, borrowed unless a line crosses from one chunk
/// to the next. Unlike the rope's own line iterator, which counts each line's characters as
/// it goes, this only looks for line breaks. A text that ends with `\n` has no empty line
/// after it.
pub fn lines_from(rope: &Rope, first: usize) -> impl Iterator<Item = (usize, Cow<'_, str>)> {
    let start = rope.line_to_byte(first.min(rope.len_lines()));
    let (mut chunks, chunk_start, _, _) = rope.chunks_at_byte(start);
    // The current chunk, from where the next line starts.
    let mut rest: &str = chunks.next().map_or("", |chunk| &chunk[start - chunk_start..]);
    let mut offset = start;
    std::iter::from_fn(move || {
        let line_start = offset;
        // The line's pieces in chunks before the one it ends in.
        let mut crossed: Option<String> = None;
        loop {
            if let Some(newline) = memchr::memchr(b'\n', rest.as_bytes()) {
                let (piece, after) = rest.split_at(newline + 1);
                rest = after;
                offset += piece.len();
                let line = match crossed {
                    Some(mut line) => {
                        line.push_str(piece);
                        Cow::Owned(line)
                    }
                    None => Cow::Borrowed(piece),
                };
                return Some((line_start, line));
            }
            if !rest.is_empty() {
                crossed.get_or_insert_with(String::new).push_str(rest);
                offset += rest.len();
            }
            match chunks.next() {
                Some(chunk) => rest = chunk,
                None => {
                    rest = "";
                    return crossed.map(|line| (line_start, Cow::Owned(line)));
                }
            }
        }
    })
}

/// The ending an English noun takes for `count` of it: "1 file", "2 files".
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Columns up to this many bytes are counted character by character.
const SHORT_COLUMN: usize = 256;

/// The byte offset of a position. As the LSP specification asks, a column past the end of its
/// line means the end of the line, and a line past the end of the text means the end of the
/// text. A column inside a multi-byte character or a surrogate pair means that character's start.
pub fn offset_of(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    if position.line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start = rope.line_to_byte(position.line);
    let line_end = line_start + content_len(rope, position.line);
    let offset = match encoding {
        Encoding::Utf8 => line_start.saturating_add(position.column).min(line_end),
        Encoding::Utf32 => {
            let start_char = rope.byte_to_char(line_start);
            let end_char = rope.byte_to_char(line_end);
            rope.char_to_byte(start_char.saturating_add(position.column).min(end_char))
        }
        Encoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(rope.byte_to_char(line_start));
            let end_cu = rope.char_to_utf16_cu(rope.byte_to_char(line_end));
            let cu = start_cu.saturating_add(position.column).min(end_cu);
            rope.char_to_byte(rope.utf16_cu_to_char(cu))
        }
    };
    floor_char_boundary(rope, offset)
}

/// The tree-sitter point of a byte offset: a row and a byte column, counted the way
/// tree-sitter counts them (rows end at `\n`).
pub fn point_of(rope: &Rope, offset: usize) -> tree_sitter::Point {
    let offset = offset.min(rope.len_bytes());
    let row = rope.byte_to_line(offset);
    tree_sitter::Point::new(row, offset - rope.line_to_byte(row))
}

/// The byte offset where a line starts, or the end of the text for lines past it.
pub fn line_start(rope: &Rope, line: usize) -> usize {
    if line >= rope.len_lines() { rope.len_bytes() } else { rope.line_to_byte(line) }
}

/// The length in bytes of a line without its line break (`\n` or `\r\n`).
pub fn content_len(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    if len > 0 && slice.byte(len - 1) == b'\n' {
        len -= 1;
        if len > 0 && slice.byte(len - 1) == b'\r' {
            len -= 1;
        }
    }
    len
}

/// The text of a line without its line break.
pub fn line_text(rope: &Rope, line: usize) -> String {
    if line >= rope.len_lines() {
        return String::new();
    }
    let start = rope.line_to_byte(line);
    rope.byte_slice(start..start + content_len(rope, line)).to_string()
}

fn floor_char_boundary(rope: &Rope, offset: usize) -> usize {
    rope.char_to_byte(rope.byte_to_char(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a: é\r\nb: 😀x\nc: 中文\n";

    #[test]
    fn positions_found_in_a_chunk_are_those_of_the_index() {
        // Lines that start in an earlier chunk, long lines, multi-byte characters cut by
        // chunk boundaries, CRLF, and offsets inside characters.
        let lines: String = (0..300).map(|n| format!("k{n}: {}é😀\r\n", "中".repeat(n % 29))).collect();
        let text = format!("{lines}long: {}\n{lines}", "x😀".repeat(900));
        let rope = Rope::from_str(&text);
        for offset in 0..=text.len() + 2 {
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let expected = position_by_index(&rope, floor_char_boundary(&rope, offset.min(text.len())), encoding);
                assert_eq!(position_of(&rope, offset, encoding), expected, "offset {offset}, {encoding:?}");
            }
        }
    }

    #[test]
    fn lines_from_a_line_are_the_ropes_lines() {
        // Lines longer than a chunk, lines that cross chunks, CRLF, and text with and
        // without a last line break.
        let long = format!("key: {}\n", "é".repeat(3_000));
        let many: String = (0..400).map(|n| format!("  line {n}: {}\r\n", "x".repeat(n % 37))).collect();
        for text in ["", "\n", "a", "a\nb", "a\nb\n", TEXT, &long, &format!("{many}{long}{many}tail")] {
            let rope = Rope::from_str(text);
            for first in 0..rope.len_lines() {
                let ours: Vec<(usize, String)> =
                    lines_from(&rope, first).map(|(at, line)| (at, line.into_owned())).collect();
                let mut at = rope.line_to_byte(first);
                let theirs: Vec<(usize, String)> = rope
                    .lines_at(first)
                    .filter(|line| line.len_bytes() > 0)
                    .map(|line| {
                        let start = at;
                        at += line.len_bytes();
                        (start, line.to_string())
                    })
                    .collect();
                assert_eq!(ours, theirs, "from line {first} of a text of {} bytes", text.len());
            }
        }
    }

    #[test]
    fn the_character_at_an_offset_is_the_texts() {
        // Multi-byte characters across chunk boundaries, offsets inside characters, the end.
        let text: String = (0..2_000).map(|n| ["a", "é", "中", "😀"][n % 4]).collect();
        let rope = Rope::from_str(&text);
        for offset in 0..=text.len() + 1 {
            let expected = text.get(offset..).and_then(|rest| rest.chars().next());
            assert_eq!(char_at(&rope, offset), expected, "offset {offset}");
        }
    }

    #[test]
    fn columns_follow_the_encoding() {
        let rope = Rope::from_str(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(position_of(&rope, x, Encoding::Utf8), Position::new(1, 7));
        assert_eq!(position_of(&rope, x, Encoding::Utf16), Position::new(1, 5));
        assert_eq!(position_of(&rope, x, Encoding::Utf32), Position::new(1, 4));
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let position = position_of(&rope, x, encoding);
            assert_eq!(offset_of(&rope, position, encoding), x);
        }
    }

    #[test]
    fn short_and_long_columns_are_counted_alike() {
        // One line crossing the short-column bound, with 2-, 3- and 4-byte characters.
        let line: String = "aé中😀".repeat(40);
        let text = format!("x\n{line}\n");
        let rope = Rope::from_str(&text);
        for (at, _) in line.char_indices() {
            let before = &line[..at];
            let offset = 2 + at;
            assert_eq!(position_of(&rope, offset, Encoding::Utf16).column, before.encode_utf16().count());
            assert_eq!(position_of(&rope, offset, Encoding::Utf32).column, before.chars().count());
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let rope = Rope::from_str(TEXT);
        // Past the end of line 0 means before its CRLF.
        assert_eq!(offset_of(&rope, Position::new(0, 99), Encoding::Utf16), TEXT.find('\r').unwrap());
        assert_eq!(offset_of(&rope, Position::new(99, 0), Encoding::Utf16), TEXT.len());
        // Inside the surrogate pair of the emoji means the emoji's start.
        let emoji = TEXT.find('😀').unwrap();
        assert_eq!(offset_of(&rope, Position::new(1, 4), Encoding::Utf16), emoji);
        // Inside a multi-byte character means its start.
        assert_eq!(position_of(&rope, emoji + 1, Encoding::Utf8), Position::new(1, 3));
    }
}
