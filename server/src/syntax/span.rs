//! Spans that survive edits elsewhere in the document.
//!
//! A document is analysed in units, its tiles (a job, a top-level key). A span is an offset range
//! relative to the start of the unit it was read from, so a unit's model and findings stay
//! valid, unchanged, while text above it is edited: only the unit's base offset moves. A span
//! becomes a byte range of the current text through [`Bases::resolve`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// Identifies one build of one unit. A rebuilt unit gets a new id, so anything that read the
/// old build can tell that its input changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitId(pub u32);

impl UnitId {
    /// The whole document, whose base is always 0.
    pub const DOCUMENT: UnitId = UnitId(0);
    /// Another file: no unit of this one, so nothing placed there resolves here.
    pub const ELSEWHERE: UnitId = UnitId(u32::MAX - 1);
}

/// A map keyed by unit. Every keystroke looks up every unit in a few of these; ids are counted
/// out by the document, not read from its text, so they need no protection against chosen
/// collisions and are hashed with one multiplication instead of SipHash.
pub type UnitMap<V> = HashMap<UnitId, V, BuildHasherDefault<UnitIdHasher>>;

/// Hashes a [`UnitId`] by Fibonacci hashing: the multiplication spreads consecutive ids over
/// the high bits the table's control bytes are taken from.
#[derive(Default)]
pub struct UnitIdHasher(u64);

impl Hasher for UnitIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, id: u32) {
        self.0 = (self.0 ^ u64::from(id)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A byte range relative to the start of a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub unit: UnitId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span of absolute offsets in the whole document.
    pub fn document(range: Range<usize>) -> Self {
        Self::new(UnitId::DOCUMENT, range.start, range.end)
    }

    /// A span in another file, for values a file is given by another (what the file that
    /// includes it sets): what is found there is that file's own analysis's to report.
    pub fn elsewhere() -> Self {
        Self::new(UnitId::ELSEWHERE, 0, 0)
    }

    pub fn new(unit: UnitId, start: usize, end: usize) -> Self {
        Self { unit, start: clamp_u32(start), end: clamp_u32(end.max(start)) }
    }

    /// A part of this span, given by offsets relative to its start, clamped to the span.
    pub fn slice(&self, range: Range<usize>) -> Self {
        let len = self.len();
        let start = self.start as usize + range.start.min(len);
        let end = self.start as usize + range.end.clamp(range.start.min(len), len);
        Self::new(self.unit, start, end)
    }

    /// An empty span at this span's start.
    pub fn at_start(&self) -> Self {
        Self { end: self.start, ..*self }
    }

    /// An empty span at this span's end.
    pub fn at_end(&self) -> Self {
        Self { start: self.end, ..*self }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Whether `other` lies within this span.
    pub fn contains(&self, other: Span) -> bool {
        self.unit == other.unit && self.start <= other.start && other.end <= self.end
    }
}

/// Where each live unit starts in the current text.
#[derive(Debug, Clone, Default)]
pub struct Bases {
    bases: UnitMap<usize>,
}

impl Bases {
    pub fn from_starts(starts: impl IntoIterator<Item = (UnitId, usize)>) -> Self {
        Self { bases: starts.into_iter().collect() }
    }

    pub fn base(&self, unit: UnitId) -> Option<usize> {
        if unit == UnitId::DOCUMENT { Some(0) } else { self.bases.get(&unit).copied() }
    }

    pub fn is_live(&self, unit: UnitId) -> bool {
        self.base(unit).is_some()
    }

    /// The absolute byte range of a span, or `None` if its unit is gone.
    pub fn resolve(&self, span: Span) -> Option<Range<usize>> {
        let base = self.base(span.unit)?;
        Some(base + span.start as usize..base + span.end as usize)
    }
}

fn clamp_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
