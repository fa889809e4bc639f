//! A document's diagnostics, serialised tile by tile and kept between analyses. A keystroke
//! changes one tile (a job, or a top-level key), and every other tile's diagnostics usually
//! come out the same: their JSON from last time is sent again instead of converting their
//! positions and serialising them anew.
//!
//! A tile's JSON is reused only when every diagnostic in it has the same [`Recipe`]: what
//! the conversion reads, in terms that do not move when other tiles are edited. A diagnostic
//! whose recipe cannot be told in those terms (a range that leaves its tile, places in other
//! files) has its tile converted every time. When lines are added or removed above a tile,
//! only the lines its places start on differ: the kept JSON is sent with its line numbers
//! moved by as much.

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;
use serde::Serialize;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, Uri};

use super::convert::{self, PathText};
use crate::analysis::{Report, Reported};
use crate::rules::Severity;
use crate::syntax::span::{UnitId, UnitMap};
use crate::syntax::{Tile, tile_index};
use crate::text::Encoding;

/// Diagnostics serialised as the elements of a JSON array, separated by commas; for a
/// document's diagnostics, written inside the `publishDiagnostics` notification that carries
/// them ([`DiagnosticsJson::for_notification`]), which is sent without another copy.
#[derive(Default)]
pub struct DiagnosticsJson {
    bytes: Vec<u8>,
    /// Where the diagnostics start in `bytes`, after the notification's opening.
    start: usize,
    count: usize,
}

impl DiagnosticsJson {
    /// Diagnostics to publish for `uri`, with room for `room` bytes of them.
    pub fn for_notification(uri: &Uri, room: usize) -> Self {
        let mut bytes = Vec::with_capacity(room + 256);
        bytes.extend_from_slice(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
        // A string written to a vector: nothing can fail.
        if uri.serialize(&mut serde_json::Serializer::new(&mut bytes)).is_err() {
            bytes.extend_from_slice(br#""""#);
        }
        bytes.extend_from_slice(br#","diagnostics":["#);
        Self { start: bytes.len(), bytes, count: 0 }
    }

    /// The `publishDiagnostics` notification that diagnostics made by
    /// [`DiagnosticsJson::for_notification`] were written into.
    pub fn into_notification(mut self, version: Option<i32>) -> Vec<u8> {
        self.bytes.push(b']');
        if let Some(version) = version {
            self.bytes.extend_from_slice(format!(r#","version":{version}"#).as_bytes());
        }
        self.bytes.extend_from_slice(b"}}");
        self.bytes
    }

    pub fn push(&mut self, diagnostic: &Diagnostic) {
        let end = self.bytes.len();
        if self.count > 0 {
            self.bytes.push(b',');
        }
        match serde_json::to_writer(&mut self.bytes, diagnostic) {
            Ok(()) => self.count += 1,
            Err(error) => {
                self.bytes.truncate(end);
                eprintln!("pipewarden: a diagnostic could not be serialised: {error}");
            }
        }
    }

    pub fn append(&mut self, other: &DiagnosticsJson) {
        if other.count == 0 {
            return;
        }
        if self.count > 0 {
            self.bytes.push(b',');
        }
        self.bytes.extend_from_slice(other.bytes());
        self.count += other.count;
    }

    /// The serialised diagnostics, without the array's brackets.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[self.start..]
    }
}

/// What a document's finding diagnostics are converted from.
pub struct Sources<'a> {
    pub uri: &'a Uri,
    pub rope: &'a Rope,
    pub tiles: &'a [Tile],
    pub report: &'a Report,
    pub encoding: Encoding,
    /// A finding's places in other files, as related information.
    pub elsewhere: &'a dyn Fn(&Reported) -> Vec<DiagnosticRelatedInformation>,
}

/// The JSON of each tile's diagnostics at the last analysis, by tile.
#[derive(Default)]
pub struct TileCache {
    encoding: Option<Encoding>,
    tiles: UnitMap<Chunk>,
    /// The size of the diagnostics serialised last time, room for those of the next.
    last_size: usize,
}

struct Chunk {
    recipes: Vec<Recipe<'static>>,
    json: DiagnosticsJson,
    /// Where the JSON writes each line number, two per place of the recipes (start and end),
    /// in the order of [`Recipe::places`]; `None` if they could not all be found.
    lines: Option<Vec<LineNumber>>,
}

/// A line number in a chunk's JSON: where its digits are, and its value.
#[derive(Debug, Clone, Copy)]
struct LineNumber {
    at: usize,
    len: usize,
    value: usize,
}

impl Chunk {
    fn new(recipes: Vec<Recipe<'_>>, json: DiagnosticsJson) -> Self {
        let places: usize = recipes.iter().map(|recipe| recipe.places().count()).sum();
        let lines = Some(line_numbers(&json.bytes)).filter(|lines| lines.len() == 2 * places);
        Self { recipes: recipes.into_iter().map(Recipe::into_owned).collect(), json, lines }
    }

    /// This chunk for the diagnostics of `group`, if their recipes differ from its own at
    /// most in the lines their tiles start on: the line numbers of its JSON moved by as much.
    /// `None` otherwise. The new recipes are compared as they are read, not built: most
    /// tiles' are unchanged.
    fn reused(
        mut self,
        sources: &Sources<'_>,
        group: &[(usize, Severity)],
        new_lines: &mut Vec<usize>,
    ) -> Option<Self> {
        new_lines.clear();
        let same = self.recipes.len() == group.len()
            && self
                .recipes
                .iter()
                .zip(group)
                .all(|(own, &(index, severity))| own.matches(sources, index, severity, new_lines));
        if !same {
            return None;
        }
        let own_lines = || self.recipes.iter().flat_map(Recipe::places).map(|place| place.line);
        if own_lines().eq(new_lines.iter().copied()) {
            return Some(self);
        }
        let shifts: Vec<(usize, usize)> = own_lines().zip(new_lines.iter().copied()).collect();
        let lines = self.lines.take()?;
        // Each place's shift applies to its two line numbers, start and end.
        let moved = lines
            .iter()
            .zip(shifts.iter().flat_map(|shift| [shift, shift]))
            .map(|(number, &(own, new))| (number.value + new).checked_sub(own))
            .collect::<Option<Vec<usize>>>()?;
        let same_widths = lines.iter().zip(&moved).all(|(number, &value)| digits(value) == number.len);
        let lines = if same_widths { self.overwrite(lines, &moved) } else { self.rewrite(&lines, &moved) };
        self.lines = Some(lines);
        for (own, new) in self.recipes.iter_mut().flat_map(Recipe::places_mut).zip(shifts.iter().map(|shift| shift.1)) {
            own.line = new;
        }
        Some(self)
    }

    /// Gives the JSON's line numbers the values `moved`, each as wide as it was: the digits
    /// are overwritten where they are, as when a paste moves the lines below it by a few.
    fn overwrite(&mut self, mut lines: Vec<LineNumber>, moved: &[usize]) -> Vec<LineNumber> {
        for (number, &value) in lines.iter_mut().zip(moved) {
            write_digits(value, &mut self.json.bytes[number.at..number.at + number.len]);
            number.value = value;
        }
        lines
    }

    /// Writes the JSON again with its line numbers given the values `moved`.
    fn rewrite(&mut self, lines: &[LineNumber], moved: &[usize]) -> Vec<LineNumber> {
        let mut bytes = Vec::with_capacity(self.json.bytes.len() + 16);
        let mut written = Vec::with_capacity(lines.len());
        let mut copied = 0;
        for (number, &value) in lines.iter().zip(moved) {
            bytes.extend_from_slice(&self.json.bytes[copied..number.at]);
            let len = digits(value);
            written.push(LineNumber { at: bytes.len(), len, value });
            bytes.resize(bytes.len() + len, 0);
            let end = bytes.len();
            write_digits(value, &mut bytes[end - len..]);
            copied = number.at + number.len;
        }
        bytes.extend_from_slice(&self.json.bytes[copied..]);
        self.json.bytes = bytes;
        written
    }
}

/// How many decimal digits `value` has.
fn digits(value: usize) -> usize {
    value.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Writes `value` in decimal into `out`, which is exactly [`digits`] long.
fn write_digits(mut value: usize, out: &mut [u8]) {
    for byte in out.iter_mut().rev() {
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// The line numbers of serialised diagnostics, in order. `"line":` cannot occur inside a
/// JSON string, whose quotes are escaped.
fn line_numbers(json: &[u8]) -> Vec<LineNumber> {
    const KEY: &[u8] = br#""line":"#;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = json[from..].windows(KEY.len()).position(|window| window == KEY) {
        let at = from + offset + KEY.len();
        let len = json[at..].iter().take_while(|byte| byte.is_ascii_digit()).count();
        let value = std::str::from_utf8(&json[at..at + len]).ok().and_then(|digits| digits.parse().ok());
        let Some(value) = value else { return Vec::new() };
        found.push(LineNumber { at, len, value });
        from = at + len;
    }
    found
}

/// Everything a finding's diagnostic is converted from. Positions are read from the text of
/// the tiles the ranges lie in and from the line those tiles start on, so equal recipes give
/// equal diagnostics.
#[derive(Debug, PartialEq)]
struct Recipe<'a> {
    at: Place,
    rule: &'static str,
    severity: Severity,
    message: Arc<str>,
    path: Vec<(Place, PathText<'a>)>,
}

impl Recipe<'_> {
    /// Where the diagnostic and its attack path are, in the order their JSON writes them.
    fn places(&self) -> impl Iterator<Item = &Place> {
        std::iter::once(&self.at).chain(self.path.iter().map(|(place, _)| place))
    }

    fn places_mut(&mut self) -> impl Iterator<Item = &mut Place> {
        std::iter::once(&mut self.at).chain(self.path.iter_mut().map(|(place, _)| place))
    }

    /// Whether finding `index`'s diagnostic, shown with `severity`, has this recipe but for
    /// the lines its tiles start on, which are pushed to `lines` in the order of
    /// [`Recipe::places`].
    fn matches(&self, sources: &Sources<'_>, index: usize, severity: Severity, lines: &mut Vec<usize>) -> bool {
        // Every field, so that one added to recipes cannot be left out here.
        let Recipe { at, rule, severity: own_severity, message, path } = self;
        let finding = &sources.report.findings[index];
        let same_place = |own: &Place, range: Range<usize>, lines: &mut Vec<usize>| {
            let Some(new) = place(sources.tiles, range) else { return false };
            lines.push(new.line);
            own.tile == new.tile && own.range == new.range
        };
        // Shared strings compare by pointer first: a kept finding shares its message with the
        // one it was kept from.
        let same_finding = finding.related.is_empty()
            && *rule == finding.rule.id
            && *own_severity == severity
            && *message == finding.message
            && same_place(at, finding.range.clone(), lines);
        if !same_finding {
            return false;
        }
        let mut parts = convert::path_parts(sources.report, index);
        path.iter().all(|(own, own_text)| {
            parts.next().is_some_and(|(range, text)| same_place(own, range, lines) && *own_text == text)
        }) && parts.next().is_none()
    }

    fn into_owned(self) -> Recipe<'static> {
        Recipe { path: self.path.into_iter().map(|(place, text)| (place, text.into_owned())).collect(), ..self }
    }
}

/// A byte range by the tile it lies in: the tile's id (which changes with its text), the
/// line it starts on, and the range relative to its start.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    tile: UnitId,
    line: usize,
    range: Range<usize>,
}

/// Places byte ranges in tiles. `None` when the range does not lie within one tile.
fn place(tiles: &[Tile], range: Range<usize>) -> Option<Place> {
    let tile = &tiles[tile_index(tiles, range.start)?];
    if range.start < tile.start || range.end > tile.end() {
        return None;
    }
    Some(Place { tile: tile.id, line: tile.first_line, range: range.start - tile.start..range.end - tile.start })
}

impl TileCache {
    /// How many bytes the diagnostics took at the last analysis.
    pub fn last_size(&self) -> usize {
        self.last_size
    }

    /// Serialises into `out` the diagnostics of the findings `kept` (indices into the
    /// report's findings, in text order, with the severity shown), reusing each tile's JSON
    /// when its recipes are unchanged. Tiles with no diagnostic are forgotten.
    pub fn serialise(&mut self, sources: &Sources<'_>, kept: &[(usize, Severity)], out: &mut DiagnosticsJson) {
        if self.encoding != Some(sources.encoding) {
            self.tiles.clear();
            self.encoding = Some(sources.encoding);
        }
        // The tiles of the last analysis, and room for as many in this one's.
        let room = UnitMap::with_capacity_and_hasher(self.tiles.len(), Default::default());
        let mut last = std::mem::replace(&mut self.tiles, room);
        let findings = &sources.report.findings;
        let located = tile_indices(sources.tiles, kept.iter().map(|&(index, _)| findings[index].range.start));
        let mut new_lines = Vec::new();
        let mut start = 0;
        while start < kept.len() {
            let tile = located[start];
            let end = start + located[start..].iter().take_while(|&&other| other == tile).count();
            let group = &kept[start..end];
            start = end;
            let id = tile.map(|index| sources.tiles[index].id);
            let kept =
                id.and_then(|id| last.remove(&id)).and_then(|chunk| chunk.reused(sources, group, &mut new_lines));
            let chunk = match kept {
                Some(chunk) => chunk,
                None => {
                    let mut json = DiagnosticsJson::default();
                    for &(index, severity) in group {
                        json.push(&diagnostic(sources, index, severity));
                    }
                    let recipes = group.iter().map(|&(index, severity)| recipe(sources, index, severity)).collect();
                    let Some(recipes) = recipes else {
                        out.append(&json);
                        continue;
                    };
                    Chunk::new(recipes, json)
                }
            };
            out.append(&chunk.json);
            if let Some(id) = id {
                self.tiles.insert(id, chunk);
            }
        }
        self.last_size = out.bytes().len();
    }
}

/// The index of the tile holding each offset ([`tile_index`]), found by walking the tiles
/// along offsets in text order rather than by a search for each.
fn tile_indices(tiles: &[Tile], offsets: impl Iterator<Item = usize>) -> Vec<Option<usize>> {
    let mut at = 0;
    offsets
        .map(|offset| {
            if tiles.get(at).is_none_or(|tile| offset < tile.start) {
                at = tile_index(tiles, offset)?;
            }
            while at + 1 < tiles.len() && tiles[at].end() <= offset {
                at += 1;
            }
            Some(at)
        })
        .collect()
}

/// The recipe of finding `index`'s diagnostic; `None` when it cannot be told by tiles.
fn recipe<'a>(sources: &Sources<'a>, index: usize, severity: Severity) -> Option<Recipe<'a>> {
    let finding = &sources.report.findings[index];
    // Places in other files are found on disk, which the recipe does not capture.
    if !finding.related.is_empty() {
        return None;
    }
    let path = convert::path_parts(sources.report, index)
        .map(|(range, text)| Some((place(sources.tiles, range)?, text)))
        .collect::<Option<_>>()?;
    Some(Recipe {
        at: place(sources.tiles, finding.range.clone())?,
        rule: finding.rule.id,
        severity,
        message: Arc::clone(&finding.message),
        path,
    })
}

fn diagnostic(sources: &Sources<'_>, index: usize, severity: Severity) -> Diagnostic {
    let finding = &sources.report.findings[index];
    let mut diagnostic = convert::finding(sources.rope, finding, severity, sources.encoding);
    let parts: Vec<_> = convert::path_parts(sources.report, index).collect();
    diagnostic.related_information = convert::attack_path(sources.uri, sources.rope, &parts, sources.encoding);
    super::crossfile::with_related(diagnostic, (sources.elsewhere)(finding))
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    #[test]
    fn tiles_found_walking_are_those_searched_for() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n  b:\n    runs-on: y\n";
        let mut source = crate::syntax::Source::new(text, crate::syntax::Tiling::Nested { key: "jobs" });
        let tiles = source.tiles();
        assert!(tiles.len() > 3, "the jobs are tiles of their own");
        // In order, with repeats, then back to the start, and past the end.
        let offsets = [0, 3, 9, 15, 20, 20, 40, 2, text.len(), text.len() + 5];
        let walked = tile_indices(tiles, offsets.iter().copied());
        let searched: Vec<Option<usize>> = offsets.iter().map(|&offset| tile_index(tiles, offset)).collect();
        assert_eq!(walked, searched);
        assert_eq!(tile_indices(&[], offsets.iter().copied()), vec![None; offsets.len()]);
    }

    #[test]
    fn digits_are_written_as_wide_as_counted() {
        for value in [0, 7, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut out = vec![b'x'; digits(value)];
            write_digits(value, &mut out);
            assert_eq!(out, value.to_string().as_bytes());
        }
    }

    #[test]
    fn line_numbers_are_found_outside_strings_only() {
        let diagnostic = Diagnostic {
            range: Range::new(Position::new(7, 2), Position::new(12, 0)),
            message: r#"a message that says "line":3"#.to_owned(),
            ..Diagnostic::default()
        };
        let mut json = DiagnosticsJson::default();
        json.push(&diagnostic);
        let values: Vec<usize> = line_numbers(json.bytes()).iter().map(|number| number.value).collect();
        assert_eq!(values, [7, 12]);
    }
}
