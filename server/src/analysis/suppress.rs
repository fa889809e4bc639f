//! Suppression comments: `# pipewarden: ignore[rule-id]` on a finding's line or the line
//! above it, and `# pipewarden: ignore-file[rule-id]` among the comments that open the file.
//!
//! A finding inside a multi-line scalar (a `run: |` script) belongs to the line where the
//! scalar starts: a comment inside the script would be part of the script, not YAML.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use ropey::{Rope, RopeSlice};
use smallvec::smallvec;
use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

use super::report::{FixKind, Reported, ResolvedEdit, ResolvedFix};
use crate::rules::Applicability;
use crate::syntax::span::{UnitId, UnitMap};
use crate::syntax::{Tile, queries, tile_at};
use crate::text;

/// The parsed text, for finding comments and the scalars findings lie in.
pub struct Parsed<'a> {
    pub tiles: ParsedTiles<'a>,
    pub rope: &'a Rope,
}

/// A document's tiles: with their trees, as an open document keeps them, or with only what
/// suppressions need of their trees, as an analysis of a text read once keeps them.
#[derive(Clone, Copy)]
pub enum ParsedTiles<'a> {
    Trees(&'a [Tile]),
    Read(&'a [TileRead]),
}

impl<'a> ParsedTiles<'a> {
    /// The tile holding `offset`; the end of the text belongs to the last tile.
    fn at(self, offset: usize) -> Option<TileOf<'a>> {
        match self {
            ParsedTiles::Trees(tiles) => tile_at(tiles, offset).map(TileOf::Tree),
            ParsedTiles::Read(tiles) => {
                let index = tiles.partition_point(|tile| tile.end <= offset);
                tiles.get(index).or(tiles.last()).map(TileOf::Read)
            }
        }
    }
}

/// What suppressions need of one tile's tree, read while the tree is there: the suppression
/// comments on the lines that can hold one, and the scalars that start on an earlier line
/// than they end.
pub struct TileRead {
    id: UnitId,
    start: usize,
    end: usize,
    /// For each line of the tile that mentions pipewarden, its suppression comments.
    comments: Vec<(usize, Vec<Range<usize>>)>,
    /// The scalars, relative to the tile, in order: where each starts and ends, and the row
    /// it starts on. A finding in any other scalar belongs to its own line anyway.
    scalars: Vec<(Range<usize>, usize)>,
}

impl TileRead {
    /// Reads a parsed tile; `mentions` are the lines of the text that mention pipewarden
    /// ([`mention_lines`]).
    pub fn read(tile: &Tile, rope: &Rope, mentions: &[usize]) -> Self {
        let first = mentions.partition_point(|&line| text::line_start(rope, line) < tile.start);
        let comments = mentions[first..]
            .iter()
            .take_while(|&&line| text::line_start(rope, line) < tile.end())
            .map(|&line| (line, comments_in_tree(line, tile, rope)))
            .filter(|(_, comments)| !comments.is_empty())
            .collect();
        let first_line = rope.byte_to_line(tile.start);
        let last_line_of = |range: &Range<usize>| rope.byte_to_line((tile.start + range.end - 1).min(rope.len_bytes()));
        // Scalars only place findings under comments: a text that never mentions pipewarden
        // has none, and its trees need no walk.
        let scalars = if mentions.is_empty() {
            Vec::new()
        } else {
            let tree = tile.model_tree().expect("tiles are read just parsed");
            scalars(tree, |range, row| first_line + row < last_line_of(range))
        };
        Self { id: tile.id, start: tile.start, end: tile.end(), comments, scalars }
    }

    /// For each of the sorted `offsets` (relative to the tile) that lies in one of the kept
    /// scalars, the row where that scalar starts.
    fn scalar_rows(&self, offsets: &[usize]) -> HashMap<usize, usize> {
        offsets
            .iter()
            .filter_map(|&offset| {
                let after = self.scalars.partition_point(|(range, _)| range.start <= offset);
                let (range, row) = self.scalars[..after].last()?;
                range.contains(&offset).then_some((offset, *row))
            })
            .collect()
    }
}

/// A tile with its tree or as read.
#[derive(Clone, Copy)]
enum TileOf<'a> {
    Tree(&'a Tile),
    Read(&'a TileRead),
}

impl TileOf<'_> {
    fn id(self) -> UnitId {
        match self {
            TileOf::Tree(tile) => tile.id,
            TileOf::Read(tile) => tile.id,
        }
    }

    fn start(self) -> usize {
        match self {
            TileOf::Tree(tile) => tile.start,
            TileOf::Read(tile) => tile.start,
        }
    }

    fn end(self) -> usize {
        match self {
            TileOf::Tree(tile) => tile.end(),
            TileOf::Read(tile) => tile.end,
        }
    }

    fn comments_on(self, line: usize, rope: &Rope) -> Vec<Range<usize>> {
        match self {
            TileOf::Tree(tile) => comments_in_tree(line, tile, rope),
            TileOf::Read(tile) => tile
                .comments
                .iter()
                .find(|(at, _)| *at == line)
                .map(|(_, comments)| comments.clone())
                .unwrap_or_default(),
        }
    }

    /// `None` for a tile whose tree was let go: no suppression comment is near it.
    fn scalar_rows(self, offsets: &[usize]) -> Option<HashMap<usize, usize>> {
        match self {
            TileOf::Tree(tile) => Some(scalar_rows(tile.model_tree()?, offsets)),
            TileOf::Read(tile) => Some(tile.scalar_rows(offsets)),
        }
    }
}

/// The suppression comments of one document, for a set of findings. Everything is read once
/// for all findings together, so a hostile file with 100,000 findings costs one walk of each
/// tile, not 100,000: tree-sitter finds a node's children and parent by scanning siblings.
pub struct Suppressions<'a> {
    parsed: Parsed<'a>,
    /// The lines that mention pipewarden, in order: only those can hold a suppression
    /// comment.
    mentions: Vec<usize>,
    /// For each finding offset inside a scalar, the line where the scalar starts.
    scalar_lines: HashMap<usize, usize>,
    by_line: HashMap<usize, Vec<Suppression>>,
    /// The `ignore-file` comment among the comments that open the file.
    file: Option<Suppression>,
    /// The comments (by their closing offset) and rule ids that silenced a finding.
    used: HashSet<(usize, String)>,
}

/// Where findings start, sorted, each once.
fn offsets(findings: &[Reported]) -> Vec<usize> {
    let mut offsets: Vec<usize> = findings.iter().map(|finding| finding.range.start).collect();
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// How many lines at the top of a file are searched for an `ignore-file` comment.
const FILE_HEADER_LINES: usize = 200;

impl<'a> Suppressions<'a> {
    pub fn new(parsed: Parsed<'a>, findings: &[Reported], cache: &mut SuppressionCache) -> Self {
        let mentions = match parsed.tiles {
            // Found by the analysis before it let trees go (`refresh_mentions`).
            ParsedTiles::Trees(_) => cache.lines.clone(),
            ParsedTiles::Read(_) => mention_lines(parsed.rope),
        };
        let mut suppressions = Self::without_findings(parsed, mentions);
        // With no comment to silence them, findings need no anchor line.
        if !suppressions.mentions.is_empty() {
            suppressions.scalar_lines = scalar_lines(&suppressions.parsed, &offsets(findings), &mut cache.rows);
        }
        suppressions
    }

    /// The suppressions of a document, for adding a comment that silences `finding`.
    pub fn for_fixes(parsed: Parsed<'a>, finding: &Reported) -> Self {
        let mentions = mention_lines(parsed.rope);
        let mut suppressions = Self::without_findings(parsed, mentions);
        let offsets = offsets(std::slice::from_ref(finding));
        suppressions.scalar_lines = scalar_lines(&suppressions.parsed, &offsets, &mut UnitMap::default());
        suppressions
    }

    fn without_findings(parsed: Parsed<'a>, mentions: Vec<usize>) -> Self {
        let file = file_suppression(parsed.rope);
        Self { parsed, mentions, scalar_lines: HashMap::new(), by_line: HashMap::new(), file, used: HashSet::new() }
    }

    /// Whether a comment suppresses this finding, marking the comment used if one does.
    pub fn suppresses(&mut self, finding: &Reported) -> bool {
        let id = finding.rule.id;
        if let Some(used) = self.file.as_ref().and_then(|file| file.naming(id)) {
            self.used.insert(used);
            return true;
        }
        // A text that never mentions pipewarden has no comment to look for.
        if self.mentions.is_empty() {
            return false;
        }
        let line = self.anchor_line(finding.range.start);
        let Some(used) = self.comments(line).iter().find_map(|comment| comment.naming(id)) else {
            return false;
        };
        self.used.insert(used);
        true
    }

    /// The fixes that add (or extend) a suppression comment for a finding, on its line and
    /// for the whole file.
    pub fn ignore_fixes(&mut self, finding: &Reported) -> [ResolvedFix; 2] {
        let id = finding.rule.id;
        let line = self.anchor_line(finding.range.start);
        let rope = self.parsed.rope;
        let comments = self.comments(line);
        let edit = match comments.iter().find(|comment| comment.line + 1 == line) {
            Some(comment) => {
                ResolvedEdit { range: comment.close..comment.close, replacement: format!(", {id}").into() }
            }
            None => {
                let start = text::line_start(rope, line);
                // Read from the rope, not a copy of the line: lines can be megabytes long.
                let indent: String = rope
                    .get_line(line)
                    .into_iter()
                    .flat_map(|text| text.chars())
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                ResolvedEdit {
                    range: start..start,
                    replacement: format!("{indent}# pipewarden: ignore[{id}]\n").into(),
                }
            }
        };
        let here = ResolvedFix {
            title: format!("Ignore this finding here (`{id}`)").into(),
            applicability: Applicability::Safe,
            kind: FixKind::Ignore,
            edits: smallvec![edit],
        };
        let file_edit = match &self.file {
            Some(file) => ResolvedEdit { range: file.close..file.close, replacement: format!(", {id}").into() },
            None => ResolvedEdit { range: 0..0, replacement: format!("# pipewarden: ignore-file[{id}]\n").into() },
        };
        let file = ResolvedFix {
            title: format!("Ignore `{id}` in this file").into(),
            applicability: Applicability::Safe,
            kind: FixKind::Ignore,
            edits: smallvec![file_edit],
        };
        [here, file]
    }

    /// The line a finding at `offset` belongs to: the start of the multi-line scalar holding
    /// it, or its own line.
    fn anchor_line(&self, offset: usize) -> usize {
        let own_line = self.parsed.rope.byte_to_line(offset.min(self.parsed.rope.len_bytes()));
        self.scalar_lines.get(&offset).map_or(own_line, |line| (*line).min(own_line))
    }

    /// The suppression comments on `line`, or standing alone on the line above it.
    fn comments(&mut self, line: usize) -> &[Suppression] {
        let parsed = &self.parsed;
        let mentions = &self.mentions;
        self.by_line.entry(line).or_insert_with(|| {
            let mut found = Vec::new();
            let candidates = [line.checked_sub(1), Some(line)].into_iter().flatten();
            for comment_line in candidates.filter(|at| mentions.binary_search(at).is_ok()) {
                for comment in comments_on(comment_line, parsed) {
                    if comment_line == line || starts_its_line(comment.clone(), parsed.rope) {
                        found.extend(parse(comment, parsed.rope, comment_line));
                    }
                }
            }
            found
        })
    }
}

/// A suppression comment that applies to some line, or to the file.
#[derive(Clone)]
struct Suppression {
    line: usize,
    rule_ids: Vec<String>,
    /// The offset of its closing `]`, where more ids can be added.
    close: usize,
}

impl Suppression {
    /// The entry of this comment that names rule `id`, if any, as the pair that marks it used.
    fn naming(&self, id: &str) -> Option<(usize, String)> {
        let entry = self
            .rule_ids
            .iter()
            .find(|rule| *rule == id)
            .or_else(|| self.rule_ids.iter().find(|rule| *rule == "all"))?;
        Some((self.close, entry.clone()))
    }
}

/// A rule id in a suppression comment that silenced nothing, or names no rule.
pub struct Unused {
    /// The comment's text, its line's start and end.
    pub comment: Range<usize>,
    pub id: String,
    pub known: bool,
    /// The fix: the comment without this id (or without the comment).
    pub edit: ResolvedEdit,
}

impl Suppressions<'_> {
    /// Every rule id of every suppression comment in the file that silenced nothing. Called
    /// after every finding went through [`Suppressions::unsuppressed`].
    pub fn unused(&self) -> Vec<Unused> {
        let rope = self.parsed.rope;
        let mut comments: Vec<(Range<usize>, Suppression)> = Vec::new();
        // Only a line that mentions pipewarden can hold a comment.
        let commented = self.mentions.iter().filter(|&&line| line_contains(rope, line, "pipewarden: ignore["));
        for &line in commented {
            for comment in comments_on(line, &self.parsed) {
                if comments.iter().all(|(known, _)| *known != comment)
                    && let Some(parsed) = parse(comment.clone(), rope, line)
                {
                    comments.push((comment, parsed));
                }
            }
        }
        if let Some(file) = &self.file {
            let start = text::line_start(rope, file.line);
            let end = start + text::content_len(rope, file.line);
            let text = rope.byte_slice(start..end).to_string();
            let comment = start + text.find('#').unwrap_or(0)..end;
            comments.push((comment, Suppression { rule_ids: file.rule_ids.clone(), ..*file }));
        }
        let mut unused = Vec::new();
        for (comment, parsed) in &comments {
            for id in &parsed.rule_ids {
                if self.used.contains(&(parsed.close, id.clone())) {
                    continue;
                }
                let known = id == "all" || crate::rules::find(id).is_some();
                let edit = removal(rope, comment, parsed, id);
                unused.push(Unused { comment: comment.clone(), id: id.clone(), known, edit });
            }
        }
        unused
    }
}

/// The edit that takes `id` out of a suppression comment: the id and its comma, or the whole
/// comment (and its line, when it stands alone) when it names nothing else.
fn removal(rope: &Rope, comment: &Range<usize>, parsed: &Suppression, id: &str) -> ResolvedEdit {
    if parsed.rule_ids.len() > 1 {
        let text = rope.byte_slice(comment.clone()).to_string();
        let open = text.find('[').map_or(0, |at| at + 1);
        let inside = &text[open..(parsed.close - comment.start).min(text.len())];
        let mut offset = 0;
        for (index, entry) in inside.split(',').enumerate() {
            let start = comment.start + open + offset;
            let end = start + entry.len();
            offset += entry.len() + 1;
            if entry.trim() != id {
                continue;
            }
            // With the comma after it, or, for the last entry, the comma before it.
            let range = if index + 1 < parsed.rule_ids.len() { start..end + 1 } else { start - 1..end };
            return ResolvedEdit { range, replacement: Arc::from("") };
        }
    }
    let line = rope.byte_to_line(comment.start);
    let line_start = text::line_start(rope, line);
    if starts_its_line(comment.clone(), rope) {
        let next = if line + 1 < rope.len_lines() { text::line_start(rope, line + 1) } else { rope.len_bytes() };
        return ResolvedEdit { range: line_start..next, replacement: Arc::from("") };
    }
    // After code on the same line: the comment and the spaces before it.
    let before = rope.byte_slice(line_start..comment.start).to_string();
    let spaces = before.len() - before.trim_end().len();
    ResolvedEdit { range: comment.start - spaces..comment.end, replacement: Arc::from("") }
}

/// The offsets of every occurrence of `needle` in the text, found chunk by chunk with the end
/// of the previous chunk carried over, so that an occurrence across chunks is found too.
fn occurrences(text: RopeSlice, needle: &str) -> Vec<usize> {
    let finder = memchr::memmem::Finder::new(needle);
    let mut found = Vec::new();
    // The end of the text before the chunk, as long as a match across chunks can start there.
    let mut seam: Vec<u8> = Vec::new();
    let mut offset = 0;
    for chunk in text.chunks().map(str::as_bytes) {
        let head = &chunk[..chunk.len().min(needle.len().saturating_sub(1))];
        let seam_len = seam.len();
        seam.extend_from_slice(head);
        let across = finder.find_iter(&seam).take_while(|&at| at < seam_len);
        found.extend(across.map(|at| offset - seam_len + at));
        found.extend(finder.find_iter(chunk).map(|at| offset + at));
        offset += chunk.len();
        let keep = needle.len().saturating_sub(1);
        seam.truncate(seam_len);
        seam.extend_from_slice(&chunk[chunk.len().saturating_sub(keep)..]);
        seam.drain(..seam.len().saturating_sub(keep));
    }
    found
}

/// The `# pipewarden: ignore-file[...]` comment among the comment and blank lines that open
/// the file. Read as text: those lines come before any YAML a tree would hold.
fn file_suppression(rope: &Rope) -> Option<Suppression> {
    for line in 0..rope.len_lines().min(FILE_HEADER_LINES) {
        let text: String = rope.line(line).chars().take(4096).collect();
        let trimmed = text.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return None;
        }
        let Some(at) = text.find("pipewarden: ignore-file[") else { continue };
        let open = at + "pipewarden: ignore-file[".len();
        let close = open + text[open..].find(']')?;
        let rule_ids =
            text[open..close].split(',').map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()).collect();
        return Some(Suppression { line, rule_ids, close: text::line_start(rope, line) + close });
    }
    None
}

/// Whether line `line` of the text holds `needle`.
fn line_contains(rope: &Rope, line: usize, needle: &str) -> bool {
    line < rope.len_lines() && !occurrences(rope.line(line), needle).is_empty()
}

/// The lines that mention pipewarden, in order: only those can hold a suppression comment.
pub fn mention_lines(rope: &Rope) -> Vec<usize> {
    mentions_in(rope.slice(..))
}

/// [`mention_lines`] of part of the text, counted from its first line.
fn mentions_in(text: RopeSlice) -> Vec<usize> {
    let mut mentions: Vec<usize> =
        occurrences(text, "pipewarden").into_iter().map(|offset| text.byte_to_line(offset)).collect();
    mentions.dedup();
    mentions
}

/// The suppression comments on one line, as absolute byte ranges. Callers pass only lines
/// that mention pipewarden, found by one text search of the file, so the query runs on few.
fn comments_on(line: usize, parsed: &Parsed) -> Vec<Range<usize>> {
    let rope = parsed.rope;
    if line >= rope.len_lines() {
        return Vec::new();
    }
    let start = text::line_start(rope, line);
    parsed.tiles.at(start).map(|tile| tile.comments_on(line, rope)).unwrap_or_default()
}

/// The suppression comments on `line`, read from the tree of `tile`, the tile holding it.
fn comments_in_tree(line: usize, tile: &Tile, rope: &Rope) -> Vec<Range<usize>> {
    let start = text::line_start(rope, line);
    let end = start + text::content_len(rope, line);
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(start.saturating_sub(tile.start)..end.saturating_sub(tile.start));
    let node_text = |node: Node| {
        let end = (tile.start + node.end_byte()).min(rope.len_bytes());
        std::iter::once(rope.byte_slice((tile.start + node.start_byte()).min(end)..end).to_string().into_bytes())
    };
    let mut ranges = Vec::new();
    // A tile holding a line that mentions pipewarden keeps its tree.
    let Some(tree) = tile.model_tree() else { return ranges };
    let mut matches = cursor.matches(queries::suppressions(), tree.root_node(), node_text);
    while let Some(found) = matches.next() {
        for capture in found.captures() {
            let range = tile.start + capture.node.start_byte()..tile.start + capture.node.end_byte();
            if rope.byte_to_line(range.start) == line {
                ranges.push(range);
            }
        }
    }
    ranges
}

fn parse(comment: Range<usize>, rope: &Rope, line: usize) -> Option<Suppression> {
    let text = rope.byte_slice(comment.clone()).to_string();
    let open = text.find("ignore[")? + "ignore[".len();
    let close = open + text[open..].find(']')?;
    let rule_ids = text[open..close].split(',').map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()).collect();
    Some(Suppression { line, rule_ids, close: comment.start + close })
}

fn starts_its_line(comment: Range<usize>, rope: &Rope) -> bool {
    let line_start = text::line_start(rope, rope.byte_to_line(comment.start));
    rope.byte_slice(line_start..comment.start).chars().all(char::is_whitespace)
}

/// For each of the sorted `offsets` that lies in a scalar, the line where that scalar starts,
/// tile by tile.
fn scalar_lines(parsed: &Parsed, offsets: &[usize], cache: &mut UnitMap<TileRows>) -> HashMap<usize, usize> {
    let mut lines = HashMap::new();
    let mut kept = UnitMap::with_capacity_and_hasher(cache.len(), Default::default());
    let mut rest = offsets;
    while let Some(&first) = rest.first() {
        let Some(tile) = parsed.tiles.at(first) else { break };
        let in_tile = rest.iter().take_while(|&&offset| offset < tile.end().max(first + 1)).count();
        let relative: Vec<usize> = rest[..in_tile].iter().map(|offset| offset - tile.start().min(*offset)).collect();
        rest = &rest[in_tile..];
        let rows = match cache.remove(&tile.id()) {
            Some((offsets, rows)) if offsets == relative => rows,
            _ => match tile.scalar_rows(&relative) {
                Some(rows) => Arc::new(rows),
                None => continue,
            },
        };
        let first_line = parsed.rope.byte_to_line(tile.start());
        lines.extend(rows.iter().map(|(offset, row)| (tile.start() + offset, first_line + row)));
        kept.insert(tile.id(), (relative, rows));
    }
    *cache = kept;
    lines
}

/// What suppressions read of each tile, kept from one analysis to the next: a tile the edit
/// did not touch is not searched for mentions again, nor walked for the rows of the scalars
/// its findings are in while they stay at the same places.
#[derive(Default)]
pub struct SuppressionCache {
    rows: UnitMap<TileRows>,
    /// The lines of each tile that mention pipewarden, from the tile's first line.
    mentions: UnitMap<Vec<usize>>,
    /// The lines of the text that mention pipewarden, as the last refresh found them.
    lines: Vec<usize>,
}

impl SuppressionCache {
    /// Finds the lines of the text that mention pipewarden ([`mention_lines`]), searching
    /// only tiles new since the last analysis, and gives the ids of the tiles whose trees
    /// suppressions read: those holding such a line or starting right after one (a comment
    /// on the line above a finding silences it). Tiles need no tree for this.
    pub fn refresh_mentions(&mut self, tiles: &[Tile], rope: &Rope) -> HashSet<UnitId> {
        self.lines = self.mention_lines(tiles, rope);
        let mut near = HashSet::new();
        for &line in &self.lines {
            let holding = tiles.partition_point(|tile| tile.first_line <= line).saturating_sub(1);
            near.extend(tiles.get(holding).map(|tile| tile.id));
            near.extend(tiles.get(holding + 1).filter(|next| next.first_line == line + 1).map(|next| next.id));
        }
        near
    }

    /// The lines of the text that mention pipewarden, in order, searched for only in tiles
    /// new since the last analysis. A line is in one tile: tiles are whole lines.
    fn mention_lines(&mut self, tiles: &[Tile], rope: &Rope) -> Vec<usize> {
        let mut kept = UnitMap::with_capacity_and_hasher(tiles.len(), Default::default());
        let mut lines = Vec::new();
        for tile in tiles {
            let own =
                self.mentions.remove(&tile.id).unwrap_or_else(|| mentions_in(rope.byte_slice(tile.start..tile.end())));
            lines.extend(own.iter().map(|line| tile.first_line + line));
            kept.insert(tile.id, own);
        }
        self.mentions = kept;
        lines
    }
}

/// The offsets of a tile's findings, relative to the tile, and the rows found for them.
type TileRows = (Vec<usize>, Arc<HashMap<usize, usize>>);

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

/// Every scalar of `tree` not inside another that `keep` accepts, in order, with the row it
/// starts on; none empty. [`scalar_rows`] finds the same scalar for an offset: its walk
/// descends through the nodes holding the offset and stops at the first scalar.
fn scalars(tree: &Tree, keep: impl Fn(&Range<usize>, usize) -> bool) -> Vec<(Range<usize>, usize)> {
    let mut scalars = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if is_scalar(node.kind()) {
            let (range, row) = (node.byte_range(), node.start_position().row);
            if !range.is_empty() && keep(&range, row) {
                scalars.push((range, row));
            }
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return scalars;
            }
        }
    }
}

fn is_scalar(kind: &str) -> bool {
    matches!(kind, "block_scalar" | "plain_scalar" | "double_quote_scalar" | "single_quote_scalar")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Source, Tiling};

    #[test]
    fn kept_tiles_mentions_follow_lines_added_above() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x # pipewarden: ignore[a]\n  b:\n    runs-on: y\n";
        let mut source = Source::new(text, Tiling::Nested { key: "jobs" });
        let mut cache = SuppressionCache::default();
        let (tiles, rope) = source.snapshot();
        assert_eq!(cache.mention_lines(tiles, rope), [3]);
        // Two lines above the first job, and a mention in the second.
        source.replace(9..9, "# one\n# two\n");
        let end = source.rope().len_bytes();
        source.replace(end - 1..end - 1, " # pipewarden: ignore[b]");
        let (tiles, rope) = source.snapshot();
        assert_eq!(cache.mention_lines(tiles, rope), mention_lines(rope));
        assert_eq!(mention_lines(rope), [5, 7]);
    }

    #[test]
    fn occurrences_are_found_across_the_rope_s_chunks() {
        // Some of these fillers put a comment across the seam of two chunks.
        for filler in 900..1100 {
            let filler = "x".repeat(filler);
            let text = format!("{filler}pipewarden: ignore[a]\n{}pipewarden: ignore[b]\n", "é".repeat(3000));
            let rope = Rope::from_str(&text);
            assert!(rope.chunks().count() > 2, "the text spans several chunks");
            let expected: Vec<usize> = text.match_indices("pipewarden: ignore[").map(|(at, _)| at).collect();
            assert_eq!(occurrences(rope.slice(..), "pipewarden: ignore["), expected);
        }
    }
}
