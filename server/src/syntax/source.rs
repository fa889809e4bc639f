//! A document's text and its syntax trees, kept up to date edit by edit.
//!
//! The text is cut into tiles at the lines that start a top-level key, and, for workflows, at
//! the lines that start a job under `jobs:`. Each tile has its own tree-sitter tree, edited
//! and re-parsed incrementally. Why not one tree: tree-sitter-yaml's grammar is ambiguous,
//! so most of its nodes are built while the parser explores several versions and cannot be
//! reused; an incremental re-parse of one tree re-reads everything after the edit (measured
//! in the typing benchmark). Tiles keep a keystroke's parse proportional to the job it
//! edits, and a syntax error stays inside its tile instead of swallowing the rest of the file.
//! Only the trees still to be read from are held: the one being typed in, and those asked for.

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Point, Tree};

use super::errors::{self, SyntaxError};
use super::span::{Bases, UnitId};
use super::tiling::{self, Context, TileStart, Tiling};
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

/// A run of whole lines with its own syntax tree. Tree positions are relative to `start`.
pub struct Tile {
    /// Changes whenever the tile's text changes, so analysis results keyed by it stay valid
    /// exactly as long as their input does.
    pub id: UnitId,
    pub start: usize,
    pub len: usize,
    /// The line `start` is on, kept through edits above the tile, so that placing a tile's
    /// findings in lines needs no search of the text.
    pub first_line: usize,
    /// For a tile nested under a key (a job under `jobs:`), the indentation of that block.
    pub nested_indent: Option<usize>,
    /// The tile's tree, from its last parse. An open document lets the trees of tiles it is
    /// not typing in go once what is read from them is read (see [`Source::refresh_tiles`]):
    /// held for every tile, trees would cost more than everything else the document keeps.
    tree: Option<Tree>,
    /// When tree-sitter gave up before the end of the tile, a tree of the tile with the lines
    /// it gave up at blanked out, so the rest of the tile can still be analysed.
    repaired: Option<Tree>,
    /// The syntax errors of the last parse, relative to `start`: they outlive the tree.
    errors: Vec<SyntaxError>,
    /// Whether the text changed since the last parse (or was never parsed): the tree, if
    /// any, was edited to match and awaits an incremental re-parse.
    stale: bool,
    /// The number of the last edit that touched the tile (0: none since it was cut when the
    /// text was opened). The tile the latest edit touched keeps its tree for the next one.
    touched_by: u64,
}

impl Tile {
    pub fn end(&self) -> usize {
        self.start + self.len
    }

    pub fn is_nested(&self) -> bool {
        self.nested_indent.is_some()
    }

    /// The tile's tree: always there in tiles handed out by [`Source::tiles`], and in those
    /// [`Source::refresh_tiles`] hands out only when asked for.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref()
    }

    /// The tree to read values from: the repaired tree if the parse stopped early, else the tree.
    pub fn model_tree(&self) -> Option<&Tree> {
        self.repaired.as_ref().or(self.tree.as_ref())
    }

    /// Whether the tile parsed without a syntax error: its tree has no error and reaches the
    /// end of the tile (there is no repaired tree). Most tiles, whose syntax errors are then
    /// known without a walk.
    pub(super) fn is_clean(&self) -> bool {
        self.repaired.is_none() && self.tree.as_ref().is_some_and(|tree| !tree.root_node().has_error())
    }

    /// The syntax errors of the tile's text, at most [`errors::MAX_ERRORS`], in text order.
    pub fn syntax_errors(&self) -> impl Iterator<Item = SyntaxError> + '_ {
        self.errors.iter().map(|error| SyntaxError {
            range: self.start + error.range.start..self.start + error.range.end,
            message: error.message.clone(),
        })
    }
}

/// What a caller of [`Source::refresh_tiles`] needs of a tile's tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreeNeed {
    /// To read the tile now: what was read of it before is not at hand.
    pub read: bool,
    /// To hold on to the tree for reading later.
    pub keep: bool,
}

/// The text of a pipeline file and the trees of its tiles. Trees are re-parsed only when
/// asked for, so a burst of keystrokes costs one incremental parse per edited tile.
pub struct Source {
    rope: Rope,
    tiles: Vec<Tile>,
    parser: Parser,
    tiling: Tiling,
    next_id: u32,
    /// How many edits the text has had.
    edits: u64,
}

impl Source {
    pub fn new(text: &str, tiling: Tiling) -> Self {
        let rope = Rope::from_str(text);
        let mut source = Self { rope, tiles: Vec::new(), parser: new_parser(), tiling, next_id: 0, edits: 0 };
        let (starts, _) = tiling::tile_starts(&source.rope, 0..source.rope.len_bytes(), Context::TopLevel, tiling);
        source.tiles = source.new_tiles(&starts, source.rope.len_bytes());
        source
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn tiling(&self) -> Tiling {
        self.tiling
    }

    /// The tiles, in text order, each parsed for the current text, with its tree.
    pub fn tiles(&mut self) -> &[Tile] {
        self.parse_without_tree(0..self.tiles.len());
        &self.tiles
    }

    /// The tiles, parsed, each with its tree, with the text they were parsed from.
    pub fn snapshot(&mut self) -> (&[Tile], &Rope) {
        self.tiles();
        (&self.tiles, &self.rope)
    }

    /// The tiles as last cut, with or without their trees, for what reads only where they
    /// lie and their ids.
    pub fn layout(&self) -> &[Tile] {
        &self.tiles
    }

    /// Brings the tiles up to date with the text one at a time. A tile the text changed in is
    /// parsed and handed to `read` with the text; so is another tile when `needs` asks to
    /// read it (its tree parsed again if it was let go). A tile keeps its tree only while
    /// `needs` asks to keep it or it is the one the latest edit touched (its next keystroke
    /// re-parses it incrementally); the others' trees go as soon as they are read, so that
    /// a text's trees are never all held at once. Their syntax errors stay.
    pub fn refresh_tiles(
        &mut self,
        mut needs: impl FnMut(&Tile) -> TreeNeed,
        mut read: impl FnMut(&Tile, &Rope),
    ) -> (&[Tile], &Rope) {
        let latest_edit = self.edits;
        for tile in &mut self.tiles {
            let need = needs(tile);
            let changed = tile.stale;
            if changed || (tile.tree.is_none() && (need.read || need.keep)) {
                parse_tile(&mut self.parser, &self.rope, tile);
            }
            if changed || need.read {
                read(tile, &self.rope);
            }
            let typing_here = latest_edit > 0 && tile.touched_by == latest_edit;
            if !need.keep && !typing_here {
                tile.tree = None;
                tile.repaired = None;
            }
        }
        (&self.tiles, &self.rope)
    }

    /// The tiles, each with its tree if it overlaps `range` (an empty range: holds its
    /// start), with the text.
    pub fn with_trees_over(&mut self, range: Range<usize>) -> (&[Tile], &Rope) {
        let first = tile_index(&self.tiles, range.start);
        let last = tile_index(&self.tiles, range.end.max(range.start));
        if let (Some(first), Some(last)) = (first, last) {
            self.parse_without_tree(first..last + 1);
        }
        (&self.tiles, &self.rope)
    }

    /// Parses the tiles of `indices` that have no tree for the current text.
    fn parse_without_tree(&mut self, indices: Range<usize>) {
        for tile in &mut self.tiles[indices] {
            if tile.tree.is_none() || tile.stale {
                parse_tile(&mut self.parser, &self.rope, tile);
            }
        }
    }

    /// Where each live tile starts.
    pub fn bases(&self) -> Bases {
        Bases::from_starts(self.tiles.iter().map(|tile| (tile.id, tile.start)))
    }

    /// Replaces a byte range (clamped to the text and to character boundaries) with `text`.
    pub fn replace(&mut self, range: Range<usize>, replacement: &str) -> ByteEdit {
        let start = self.char_boundary(range.start.min(range.end));
        let old_end = self.char_boundary(range.end.max(start));
        let edit = ByteEdit { start, old_end, new_end: start + replacement.len() };
        self.edits += 1;
        let (first, last) = self.affected(start, old_end);
        // Points are read before the text changes.
        let start_point = text::point_of(&self.rope, start);
        let old_end_point = text::point_of(&self.rope, old_end);
        let (start_char, old_end_char) = (self.rope.byte_to_char(start), self.rope.byte_to_char(old_end));
        let lines_before = self.rope.len_lines();
        self.rope.remove(start_char..old_end_char);
        self.rope.insert(start_char, replacement);
        // Tiles after the edit are whole lines: they move by as many lines as the text gained.
        let line_delta = self.rope.len_lines() as isize - lines_before as isize;
        if self.tiles.is_empty() {
            let (starts, _) = tiling::tile_starts(&self.rope, 0..self.rope.len_bytes(), Context::TopLevel, self.tiling);
            self.tiles = self.new_tiles(&starts, self.rope.len_bytes());
            return edit;
        }
        let mut last = self.extend_for_context(first, last, edit);
        let (first, starts) = loop {
            let (first, starts, context) = self.retile(first, last, edit.delta());
            // The tiles after the region were cut in some context; if the edit changed it
            // (a block's first entry moved), the rest of the block is cut again.
            match self.tiles.get(last + 1).and_then(|next| next.nested_indent) {
                Some(indent) if context != (Context::Nested { indent: Some(indent) }) => {
                    last = self.end_of_block(last + 1);
                }
                _ => break (first, starts),
            }
        };
        let region = self.tiles[first].start..shift(self.tiles[last].end(), edit.delta());
        let same_shape =
            first == last && starts.len() == 1 && starts[0].nested_indent.is_some() == self.tiles[first].is_nested();
        if same_shape {
            let tile = &mut self.tiles[first];
            let origin = Point::new(tile.first_line, 0);
            if let Some(tree) = tile.tree.as_mut() {
                tree.edit(&InputEdit {
                    start_byte: start - tile.start,
                    old_end_byte: old_end - tile.start,
                    new_end_byte: edit.new_end - tile.start,
                    start_position: relative(start_point, origin),
                    old_end_position: relative(old_end_point, origin),
                    new_end_position: relative(end_point(start_point, replacement), origin),
                });
            }
            tile.stale = true;
            tile.touched_by = self.edits;
            tile.len = region.len();
            self.next_id += 1;
            tile.id = UnitId(self.next_id);
        } else {
            let old: Vec<Tile> = self.tiles.drain(first..=last).collect();
            let cut = self.recut(old, &starts, region.end, edit);
            self.tiles.splice(first..first, cut);
        }
        let after = first + if same_shape { 1 } else { starts.len() };
        for tile in self.tiles.iter_mut().skip(after) {
            tile.start = shift(tile.start, edit.delta());
            tile.first_line = shift(tile.first_line, line_delta);
        }
        edit
    }

    /// Replaces the whole text, as a single edit of the part that differs, so that even
    /// clients that send full text keep parsing incremental.
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

    /// The tile starts of the edited region from tile `first` to tile `last`, moving `first`
    /// back while the region's first line no longer starts a tile (its key was deleted).
    fn retile(&self, mut first: usize, last: usize, delta: isize) -> (usize, Vec<TileStart>, Context) {
        loop {
            let region = self.tiles[first].start..shift(self.tiles[last].end(), delta);
            let context = match self.tiles[first].nested_indent {
                Some(indent) => Context::Nested { indent: Some(indent) },
                None => Context::TopLevel,
            };
            let (starts, after) = tiling::tile_starts(&self.rope, region.clone(), context, self.tiling);
            if first == 0 || starts.first().is_some_and(|start| start.offset == region.start) {
                return (first, starts, after);
            }
            first -= 1;
        }
    }

    /// The last tile of the nested block that tile `index` belongs to.
    fn end_of_block(&self, index: usize) -> usize {
        match self.tiles[index..].iter().position(|tile| !tile.is_nested()) {
            Some(offset) => (index + offset).saturating_sub(1).max(index),
            None => self.tiles.len() - 1,
        }
    }

    /// The first and last tiles an edit of `start..old_end` touches. Touching counts: typing
    /// right after a tile's last character extends it.
    fn affected(&self, start: usize, old_end: usize) -> (usize, usize) {
        let first = self.tiles.partition_point(|tile| tile.end() < start).min(self.tiles.len().saturating_sub(1));
        let last = self.tiles.partition_point(|tile| tile.start <= old_end).saturating_sub(1).max(first);
        (first, last)
    }

    /// Widens the re-tiled region to the end of the top-level block when the edit may change
    /// how the lines after it nest: it touched a top-level tile or typed a top-level line.
    fn extend_for_context(&self, first: usize, last: usize, edit: ByteEdit) -> usize {
        let touches_top_level = self.tiles[first..=last].iter().any(|tile| !tile.is_nested());
        let region = self.tiles[first].start..shift(self.tiles[last].end(), edit.delta());
        let types_top_level = tiling::has_top_level_line(
            &self.rope,
            region.start.max(line_start_of(&self.rope, edit.start))..edit.new_end.min(region.end),
        );
        if !touches_top_level && !types_top_level {
            return last;
        }
        match self.tiles.get(last + 1) {
            Some(next) if next.is_nested() => self.end_of_block(last + 1),
            _ => last,
        }
    }

    fn new_tiles(&mut self, starts: &[TileStart], end: usize) -> Vec<Tile> {
        starts
            .iter()
            .enumerate()
            .map(|(index, start)| self.new_tile(start, starts.get(index + 1).map_or(end, |next| next.offset)))
            .collect()
    }

    /// The tiles of an edited region cut again at `starts` (the region ends at `end`), from
    /// its `old` tiles. An old tile whose text the edit did not touch (it lies wholly before or
    /// after the replaced bytes) and that is cut the same again is kept, moved: its id, tree
    /// and syntax errors stay, and so does everything analyses read from it. Pasting a job
    /// between two others re-parses the pasted job alone, not its neighbours.
    fn recut(&mut self, old: Vec<Tile>, starts: &[TileStart], end: usize, edit: ByteEdit) -> Vec<Tile> {
        let mut untouched = old
            .into_iter()
            .filter_map(|tile| {
                let moved_to = if tile.end() <= edit.start {
                    tile.start
                } else if tile.start >= edit.old_end {
                    shift(tile.start, edit.delta())
                } else {
                    return None;
                };
                Some((moved_to, tile))
            })
            .peekable();
        let mut cut = Vec::with_capacity(starts.len());
        for (index, start) in starts.iter().enumerate() {
            let tile_end = starts.get(index + 1).map_or(end, |next| next.offset);
            while untouched.next_if(|(at, _)| *at < start.offset).is_some() {}
            let same = |(at, tile): &(usize, Tile)| {
                *at == start.offset && tile.len == tile_end - start.offset && tile.nested_indent == start.nested_indent
            };
            cut.push(match untouched.next_if(same) {
                Some((at, mut tile)) => {
                    tile.start = at;
                    tile.first_line = self.rope.byte_to_line(at);
                    tile
                }
                None => self.new_tile(start, tile_end),
            });
        }
        cut
    }

    fn new_tile(&mut self, start: &TileStart, end: usize) -> Tile {
        self.next_id += 1;
        Tile {
            id: UnitId(self.next_id),
            start: start.offset,
            len: end - start.offset,
            first_line: self.rope.byte_to_line(start.offset),
            nested_indent: start.nested_indent,
            tree: None,
            repaired: None,
            errors: Vec::new(),
            stale: true,
            touched_by: self.edits,
        }
    }

    fn char_boundary(&self, offset: usize) -> usize {
        let offset = offset.min(self.rope.len_bytes());
        self.rope.char_to_byte(self.rope.byte_to_char(offset))
    }
}

/// The tile holding `offset`; the end of the text belongs to the last tile.
pub fn tile_at(tiles: &[Tile], offset: usize) -> Option<&Tile> {
    tiles.get(tile_index(tiles, offset)?)
}

/// The index of [`tile_at`]'s tile.
pub fn tile_index(tiles: &[Tile], offset: usize) -> Option<usize> {
    let index = tiles.partition_point(|tile| tile.end() <= offset);
    (!tiles.is_empty()).then(|| index.min(tiles.len() - 1))
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&crate::syntax::grammar::LANGUAGE.into())
        .expect("the bundled YAML grammar matches the tree-sitter runtime");
    parser
}

/// Brings a tile's trees up to date with the text: an incremental re-parse of an edited tree,
/// or a first parse.
fn parse_tile(parser: &mut Parser, rope: &Rope, tile: &mut Tile) {
    let range = tile.start..tile.end();
    let old = if tile.stale { tile.tree.as_ref() } else { None };
    let mut tree = parse(parser, rope, range.clone(), old);
    // Error recovery depends on the old tree; a broken tile is parsed afresh so that
    // its errors, and the findings around them, never depend on the edit history.
    if old.is_some() && tree.root_node().has_error() {
        tree = parse(parser, rope, range.clone(), None);
    }
    tile.repaired = repair(parser, rope, range, &tree);
    tile.tree = Some(tree);
    tile.stale = false;
    let start = tile.start;
    tile.errors = errors::syntax_errors(tile, rope)
        .into_iter()
        .map(|error| SyntaxError { range: error.range.start - start..error.range.end - start, message: error.message })
        .collect();
}

/// Parses `range` of the rope as a document of its own.
fn parse(parser: &mut Parser, rope: &Rope, range: Range<usize>, old_tree: Option<&Tree>) -> Tree {
    let mut read = |offset: usize, _| -> &[u8] {
        let absolute = range.start + offset;
        if absolute >= range.end {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(absolute);
        let bytes = &chunk.as_bytes()[absolute - chunk_start..];
        &bytes[..bytes.len().min(range.end - absolute)]
    };
    parser
        .parse_with_options(&mut read, old_tree, None)
        .expect("parsing without a timeout or cancellation always yields a tree")
}

/// How many lines of one tile are blanked out, at most, to get past where parsing stopped.
const MAX_REPAIRS: usize = 8;

/// Where tree-sitter stopped before the end of a tile, the rest of the tile is missing from
/// its tree. The tile is parsed again with the line it stopped at blanked out (with spaces, so
/// every offset stays the same), until the tree reaches the end. The syntax error itself is
/// reported from the original tree.
fn repair(parser: &mut Parser, rope: &Rope, range: Range<usize>, tree: &Tree) -> Option<Tree> {
    let mut blanked: Vec<Range<usize>> = Vec::new();
    let mut repaired: Option<Tree> = None;
    for _ in 0..MAX_REPAIRS {
        let root_end = repaired.as_ref().unwrap_or(tree).root_node().end_byte();
        let Some(stop) = stop_point(rope, range.clone(), root_end) else { break };
        let line = rope.byte_to_line(stop);
        let line_start = rope.line_to_byte(line);
        let line_range = line_start..line_start + text::content_len(rope, line);
        if blanked.last() == Some(&line_range) {
            break;
        }
        blanked.push(line_range);
        let mut bytes: Vec<u8> = rope.byte_slice(range.clone()).bytes().collect();
        for blank in &blanked {
            for byte in &mut bytes[blank.start - range.start..blank.end - range.start] {
                *byte = b' ';
            }
        }
        repaired = parser.parse(&bytes, None);
    }
    repaired
}

/// The first non-blank offset after a tile's tree ends, if the tree ends before the tile.
pub(crate) fn stop_point(rope: &Rope, tile: Range<usize>, root_end: usize) -> Option<usize> {
    let end = (tile.start + root_end).min(tile.end);
    let skipped: usize =
        rope.byte_slice(end..tile.end).chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
    (end + skipped < tile.end).then_some(end + skipped)
}

fn shift(offset: usize, delta: isize) -> usize {
    offset.saturating_add_signed(delta)
}

fn line_start_of(rope: &Rope, offset: usize) -> usize {
    rope.line_to_byte(rope.byte_to_line(offset.min(rope.len_bytes())))
}

fn relative(point: Point, origin: Point) -> Point {
    Point::new(point.row - origin.row, point.column)
}

fn end_point(start: Point, inserted: &str) -> Point {
    match inserted.rfind('\n') {
        Some(last_newline) => {
            Point::new(start.row + inserted.bytes().filter(|&b| b == b'\n').count(), inserted.len() - last_newline - 1)
        }
        None => Point::new(start.row, start.column + inserted.len()),
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "name: t\non: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          echo a\n  b:\n    steps:\n      - run: b\nenv:\n  A: 1\n";

    fn shape(source: &mut Source) -> Vec<(usize, usize, usize, Option<usize>, String)> {
        source
            .tiles()
            .iter()
            .map(|tile| {
                (
                    tile.start,
                    tile.len,
                    tile.first_line,
                    tile.nested_indent,
                    tile.tree().expect("tiles() parses").root_node().to_sexp(),
                )
            })
            .collect()
    }

    fn with_trees(source: &Source) -> Vec<usize> {
        source.layout().iter().enumerate().filter(|(_, tile)| tile.tree().is_some()).map(|(index, _)| index).collect()
    }

    /// Trees go once read, except the one typed in; syntax errors stay; a tile asked for
    /// again is parsed again.
    #[test]
    fn only_the_tile_typed_in_keeps_its_tree() {
        let mut source = Source::new(WORKFLOW, Tiling::Nested { key: "jobs" });
        let nothing = |_: &Tile| TreeNeed::default();
        let mut read = 0;
        source.refresh_tiles(nothing, |_, _| read += 1);
        assert_eq!(read, source.layout().len(), "a new text's tiles are all read");
        assert_eq!(with_trees(&source), Vec::<usize>::new());

        let at = WORKFLOW.find("run: b").unwrap();
        source.replace(at..at, "[");
        let typed = tile_index(source.layout(), at).unwrap();
        let mut read = Vec::new();
        source.refresh_tiles(nothing, |tile, _| read.push(tile.id));
        assert_eq!(read, [source.layout()[typed].id], "only the changed tile is read");
        assert_eq!(with_trees(&source), [typed]);
        let errors: Vec<SyntaxError> = source.layout()[typed].syntax_errors().collect();
        assert!(!errors.is_empty());

        // Typing elsewhere lets the broken tile's tree go, not its errors (moved with it).
        source.replace(0..0, "# a comment\n");
        source.refresh_tiles(nothing, |_, _| {});
        let typed = tile_index(source.layout(), at + 12).unwrap();
        assert!(with_trees(&source).iter().all(|&index| index < typed), "only the first tiles were typed in");
        let moved: Vec<SyntaxError> = source.layout()[typed].syntax_errors().collect();
        let shifted = errors.iter().map(|error| error.range.start + 12..error.range.end + 12);
        assert_eq!(moved.iter().map(|error| error.range.clone()).collect::<Vec<_>>(), shifted.collect::<Vec<_>>());

        // Asked for, a tile is parsed again and kept; one holding an offset is parsed.
        let (tiles, _) = source.with_trees_over(at + 12..at + 12);
        assert!(tiles[typed].tree().is_some());
        let typed_id = source.layout()[typed].id;
        source.refresh_tiles(|tile| TreeNeed { read: false, keep: tile.id == typed_id }, |_, _| {});
        assert_eq!(with_trees(&source).last(), Some(&typed));
    }

    /// Pasting a job between two others, and deleting it again, cuts only the pasted job
    /// anew: its neighbours keep their ids (and so all that was read from them).
    #[test]
    fn pasting_a_job_keeps_its_neighbours() {
        let mut source = Source::new(WORKFLOW, Tiling::Nested { key: "jobs" });
        source.tiles();
        let ids = |source: &Source| source.layout().iter().map(|tile| tile.id).collect::<Vec<_>>();
        let before = ids(&source);
        let (at, pasted) = (WORKFLOW.find("  b:").unwrap(), "  pasted:\n    steps:\n      - run: p\n");
        source.replace(at..at, pasted);
        let with_paste = ids(&source);
        assert_eq!(with_paste.len(), before.len() + 1);
        assert_eq!(with_paste.iter().filter(|id| before.contains(id)).count(), before.len());
        source.replace(at..at + pasted.len(), "");
        assert_eq!(ids(&source), before);
        let mut fresh = Source::new(WORKFLOW, Tiling::Nested { key: "jobs" });
        assert_eq!(shape(&mut source), shape(&mut fresh));
    }

    const CHECK_EVERY: usize = 7;

    /// Random edits, checked against a fresh parse of the same text.
    #[test]
    fn incremental_tiles_equal_a_fresh_parse() {
        let tiling = Tiling::Nested { key: "jobs" };
        let mut source = Source::new(WORKFLOW, tiling);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut random = move |bound: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % bound.max(1) as u64) as usize
        };
        let pieces = ["x", "\n", "  ", "jobs:\n", "  c:\n", ": ", "- ", "é", "\n  d:\n    e: 1\n", "top: 1\n", "#"];
        for step in 0..3000 {
            let text = source.rope().to_string();
            let mut start = random(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + random(4)).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let insert = if random(3) == 0 { "" } else { pieces[random(pieces.len())] };
            source.replace(start..end, insert);
            if step % CHECK_EVERY == 0 {
                let text = source.rope().to_string();
                let mut fresh = Source::new(&text, tiling);
                assert_eq!(shape(&mut source), shape(&mut fresh), "after step {step}, text:\n{text}");
            }
        }
    }
}
