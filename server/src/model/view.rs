//! Read access to YAML value trees, resolving aliases and `<<` merge keys lazily.
//!
//! Aliases are followed on demand, never expanded, every chain of aliases or merges is cut
//! off at [`MAX_INDIRECTION`], and a lookup through merge keys reads each mapping at most
//! once, so an alias bomb (ten merges of ten merges of...) costs no more than a plain file. The resolver
//! remembers which units it read through aliases and the names it followed, found or not,
//! which is how the analysis knows that a job must be re-checked when an anchor it uses is
//! edited, or when an anchor of that name is written where the alias would now find it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ropey::Rope;

use crate::syntax::span::{Bases, Span, UnitId};
use crate::syntax::yaml::{Anchor, Node, Pair, Scalar, Value};

/// How many aliases or merge keys may be followed in a row.
pub const MAX_INDIRECTION: usize = 16;

/// The anchors of a document, by name, in document order once sorted.
#[derive(Debug, Default, Clone)]
pub struct AnchorTable {
    by_name: HashMap<Box<str>, Vec<(usize, Arc<Node>)>>,
}

impl AnchorTable {
    pub fn add(&mut self, anchors: &[Anchor]) {
        for anchor in anchors {
            self.by_name.entry(anchor.name.clone()).or_default().push((usize::MAX, Arc::clone(&anchor.node)));
        }
    }

    /// Puts each name's anchors in document order, for [`Resolver`]'s binary search: a file
    /// of 100,000 `&a` and 100,000 `*a` must not cost 100,000² comparisons. Anchors of units
    /// that are gone sort last and are never found.
    pub fn sort(&mut self, bases: &Bases) {
        for anchors in self.by_name.values_mut() {
            for (start, node) in anchors.iter_mut() {
                *start = bases.resolve(node.span).map_or(usize::MAX, |range| range.start);
            }
            anchors.sort_by_key(|(start, _)| *start);
        }
    }

    /// Adds the anchors of a unit that follows, in the document, every unit added so far,
    /// keeping the table in document order without sorting it again: how a text read once
    /// resolves each unit's aliases as its tiles are read.
    pub fn add_in_order(&mut self, anchors: &[Anchor], bases: &Bases) {
        for anchor in anchors {
            let start = bases.resolve(anchor.node.span).map_or(usize::MAX, |range| range.start);
            let named = self.by_name.entry(anchor.name.clone()).or_default();
            let position = named.partition_point(|(other, _)| *other <= start);
            named.insert(position, (start, Arc::clone(&anchor.node)));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The units that hold an anchor named `name`, once per anchor.
    pub fn units_defining(&self, name: &str) -> impl Iterator<Item = UnitId> + '_ {
        self.by_name.get(name).into_iter().flatten().map(|(_, node)| node.span.unit)
    }
}

/// What values read through a resolver depend on besides the units they are written in.
#[derive(Debug, Default)]
pub struct Reads {
    /// The units aliases led into, each once.
    pub units: Vec<UnitId>,
    /// The names of the aliases followed, found or not, each once: an anchor of one of these
    /// names written since, in a unit they never read, would change what they resolve to.
    pub aliases: Vec<Box<str>>,
}

/// Everything a view needs to read values: the anchors, where units are, and the text.
pub struct Resolver<'a> {
    anchors: &'a AnchorTable,
    bases: &'a Bases,
    rope: &'a Rope,
    reads: RefCell<Reads>,
}

impl<'a> Resolver<'a> {
    pub fn new(anchors: &'a AnchorTable, bases: &'a Bases, rope: &'a Rope) -> Self {
        Self { anchors, bases, rope, reads: RefCell::default() }
    }

    pub fn view(&'a self, node: &'a Node) -> View<'a> {
        View { node, resolver: self }
    }

    /// What was read through aliases since the last call.
    pub fn take_reads(&self) -> Reads {
        let mut reads = std::mem::take(&mut *self.reads.borrow_mut());
        reads.units.sort_unstable();
        reads.units.dedup();
        reads.aliases.sort_unstable();
        reads.aliases.dedup();
        reads
    }

    /// Forgets what was read through aliases so far.
    pub fn forget_reads(&self) {
        *self.reads.borrow_mut() = Reads::default();
    }

    /// The source text of a span (its raw characters, quotes and escapes included), borrowed
    /// from the text unless it crosses a chunk of the rope.
    pub fn raw(&self, span: Span) -> Cow<'a, str> {
        match self.bases.resolve(span) {
            Some(range) if range.end <= self.rope.len_bytes() => crate::text::slice(self.rope, range),
            _ => Cow::Borrowed(""),
        }
    }

    /// Whether a span is alone on the lines it is written on (nothing but blanks before it
    /// and blanks or a comment after it), so that deleting those lines removes exactly it.
    pub fn alone_on_lines(&self, span: Span) -> bool {
        let Some(range) = self.bases.resolve(span).filter(|range| range.end <= self.rope.len_bytes()) else {
            return false;
        };
        let (first, last) = (self.rope.byte_to_line(range.start), self.rope.byte_to_line(range.end));
        let line_end = self.rope.line_to_byte((last + 1).min(self.rope.len_lines()));
        let before = self.rope.get_byte_slice(self.rope.line_to_byte(first)..range.start);
        let after = self.rope.get_byte_slice(range.end..line_end.max(range.end)).map(|after| after.to_string());
        let (Some(before), Some(after)) = (before, after) else {
            return false;
        };
        before.chars().all(|c| c == ' ' || c == '\t')
            && (after.trim().is_empty() || after.trim_start().starts_with('#'))
    }

    /// The first character of a span's text.
    pub fn first_char(&self, span: Span) -> Option<char> {
        let range = self.bases.resolve(span).filter(|range| !range.is_empty() && range.end <= self.rope.len_bytes())?;
        crate::text::char_at(self.rope, range.start)
    }

    fn read_alias(&self, name: &str) {
        let aliases = &mut self.reads.borrow_mut().aliases;
        // The same alias is mostly followed again and again in a row, once per key read.
        if aliases.last().is_none_or(|last| **last != *name) {
            aliases.push(name.into());
        }
    }

    fn resolve_alias(&self, name: &str, at: Span) -> Option<&'a Node> {
        self.read_alias(name);
        let position = self.bases.resolve(at)?.start;
        let candidates = self.anchors.by_name.get(name)?;
        // The last anchor of that name before the alias.
        let before = candidates.partition_point(|(start, _)| *start < position);
        let (_, anchor) = candidates.get(before.checked_sub(1)?)?;
        self.reads.borrow_mut().units.push(anchor.span.unit);
        Some(anchor.as_ref())
    }
}

/// A node seen through a resolver: aliases are followed and merge keys applied.
#[derive(Clone, Copy)]
pub struct View<'a> {
    node: &'a Node,
    resolver: &'a Resolver<'a>,
}

impl<'a> View<'a> {
    /// The node, after following aliases.
    pub fn node(&self) -> &'a Node {
        let mut node = self.node;
        for _ in 0..MAX_INDIRECTION {
            match &node.value {
                Value::Alias(name) => match self.resolver.resolve_alias(name, node.span) {
                    Some(target) => node = target,
                    None => return node,
                },
                _ => return node,
            }
        }
        node
    }

    /// Where the value is written (the alias itself, for an aliased value).
    pub fn span(&self) -> Span {
        self.node.span
    }

    pub fn column(&self) -> u32 {
        self.node.column
    }

    pub fn resolver(&self) -> &'a Resolver<'a> {
        self.resolver
    }

    pub fn scalar(&self) -> Option<&'a Scalar> {
        self.node().as_scalar()
    }

    pub fn as_str(&self) -> Option<&'a str> {
        self.node().as_str()
    }

    /// The value's tag (`reference` for `!reference`), looking through aliases.
    pub fn tag(&self) -> Option<&'a str> {
        self.node.tag.as_deref().or_else(|| self.node().tag.as_deref())
    }

    pub fn is_null(&self) -> bool {
        matches!(self.node().value, Value::Null)
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.node().value, Value::Mapping(_))
    }

    /// The pairs written in this mapping itself, without merged ones.
    pub fn own_pairs(&self) -> &'a [Pair] {
        match &self.node().value {
            Value::Mapping(pairs) => pairs,
            _ => &[],
        }
    }

    /// The entries of a mapping: its own first, then those merged in with `<<` that it does
    /// not override. Keys are scalars; others are skipped.
    pub fn entries(&self) -> Vec<Entry<'a>> {
        let pairs = self.own_pairs();
        // Most mappings are small and merge nothing in: their keys are told apart without
        // the sets that guard a walk through merge keys.
        if pairs.len() <= SMALL_MAPPING && !has_merge_key(pairs) {
            let mut entries: Vec<Entry<'a>> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                let Some(key) = pair.key.as_str() else { continue };
                if !entries.iter().any(|entry| entry.key.as_str() == Some(key)) {
                    entries.push(self.entry_of(pair));
                }
            }
            return entries;
        }
        let mut entries = Vec::new();
        self.collect_entries(&mut entries, &mut Seen::default(), 0);
        entries
    }

    /// The value of `key`, looking through merge keys.
    pub fn get(&self, key: &str) -> Option<View<'a>> {
        self.entry(key).map(|entry| entry.value)
    }

    /// The entry of `key`, looking through merge keys.
    pub fn entry(&self, key: &str) -> Option<Entry<'a>> {
        // Most lookups end in the mapping's own pairs, or find no merge key to follow: neither
        // needs the set that guards a walk through merge keys against loops.
        let pairs = self.own_pairs();
        if let Some(pair) = pairs.iter().find(|pair| pair.key.as_str() == Some(key)) {
            return Some(self.entry_of(pair));
        }
        if !has_merge_key(pairs) {
            return None;
        }
        self.find_entry(key, &mut HashSet::new(), 0)
    }

    /// The items of a sequence; a scalar counts as a one-item sequence, null as none.
    pub fn items(&self) -> Vec<View<'a>> {
        match &self.node().value {
            Value::Sequence(items) => items.iter().map(|item| self.with(item)).collect(),
            Value::Null => Vec::new(),
            _ => vec![*self],
        }
    }

    /// The item views of a sequence, or an empty list for anything else.
    pub fn sequence(&self) -> Vec<View<'a>> {
        match &self.node().value {
            Value::Sequence(items) => items.iter().map(|item| self.with(item)).collect(),
            _ => Vec::new(),
        }
    }

    /// Visits every value written inside this one, this one first, in text order, with the
    /// key whose value it is (items of a sequence take the sequence's). Aliases are skipped:
    /// what they name is visited where it is written.
    pub fn visit_written(&self, key: Option<&'a str>, visit: &mut impl FnMut(Option<&'a str>, View<'a>)) {
        if matches!(self.node.value, Value::Alias(_)) {
            return;
        }
        visit(key, *self);
        match &self.node.value {
            Value::Mapping(pairs) => {
                for pair in pairs {
                    self.with(&pair.value).visit_written(pair.key.as_str(), visit);
                }
            }
            Value::Sequence(items) => {
                for item in items {
                    self.with(item).visit_written(key, visit);
                }
            }
            Value::Null | Value::Scalar(_) | Value::Alias(_) => {}
        }
    }

    /// A pair of this mapping as an entry.
    fn entry_of(&self, pair: &'a Pair) -> Entry<'a> {
        Entry { key: &pair.key, value: self.with(&pair.value), pair }
    }

    fn with(&self, node: &'a Node) -> View<'a> {
        View { node, resolver: self.resolver }
    }

    fn find_entry(&self, key: &str, read: &mut HashSet<*const Node>, depth: usize) -> Option<Entry<'a>> {
        if !read.insert(self.node()) {
            return None;
        }
        let pairs = self.own_pairs();
        if let Some(pair) = pairs.iter().find(|pair| pair.key.as_str() == Some(key)) {
            return Some(self.entry_of(pair));
        }
        if depth >= MAX_INDIRECTION {
            return None;
        }
        self.merge_sources(pairs).into_iter().rev().find_map(|source| source.find_entry(key, read, depth + 1))
    }

    fn collect_entries(&self, entries: &mut Vec<Entry<'a>>, seen: &mut Seen<'a>, depth: usize) {
        if !seen.mappings.insert(self.node()) {
            return;
        }
        let pairs = self.own_pairs();
        for pair in pairs {
            let Some(key) = pair.key.as_str() else {
                continue;
            };
            if key != MERGE_KEY && seen.keys.insert(key) {
                entries.push(self.entry_of(pair));
            }
        }
        if depth < MAX_INDIRECTION {
            for source in self.merge_sources(pairs).into_iter().rev() {
                source.collect_entries(entries, seen, depth + 1);
            }
        }
    }

    /// The mappings named by `<<` keys, in the order written.
    fn merge_sources(&self, pairs: &'a [Pair]) -> Vec<View<'a>> {
        pairs
            .iter()
            .filter(|pair| is_merge_key(pair))
            .flat_map(|pair| self.with(&pair.value).items())
            .filter(View::is_mapping)
            .collect()
    }
}

/// Up to this many keys, a mapping without merge keys is read by comparing each key with
/// those before it.
const SMALL_MAPPING: usize = 16;

fn has_merge_key(pairs: &[Pair]) -> bool {
    pairs.iter().any(is_merge_key)
}

fn is_merge_key(pair: &Pair) -> bool {
    pair.key.as_str() == Some(MERGE_KEY)
}

/// What a walk through merge keys has met: a mapping read twice adds nothing, and a set of
/// keys keeps a mapping of 100,000 entries from costing 100,000² comparisons.
#[derive(Default)]
struct Seen<'a> {
    mappings: HashSet<*const Node>,
    keys: HashSet<&'a str>,
}

/// One `key: value` entry of a mapping.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub key: &'a Node,
    pub value: View<'a>,
    pub pair: &'a Pair,
}

impl<'a> Entry<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.key.as_str()
    }
}

const MERGE_KEY: &str = "<<";

/// Reads a whole document at once and hands its top-level entries to `read`, for the
/// model's own tests.
#[cfg(test)]
pub fn with_entries_for_tests<T>(text: &str, read: impl FnOnce(&[Entry<'_>]) -> T) -> T {
    use crate::syntax::{Source, Tiling, yaml};
    let mut source = Source::new(text, Tiling::TopLevel);
    let bases = source.bases();
    let (tiles, rope) = source.snapshot();
    let built: Vec<yaml::Built> = tiles
        .iter()
        .filter_map(|tile| Some(yaml::build(yaml::document_content(tile.model_tree()?)?, rope, tile.id, tile.start)))
        .collect();
    let mut anchors = AnchorTable::default();
    for tree in &built {
        anchors.add(&tree.anchors);
    }
    anchors.sort(&bases);
    let resolver = Resolver::new(&anchors, &bases, rope);
    let entries: Vec<Entry<'_>> = built.iter().flat_map(|tree| resolver.view(&tree.node).entries()).collect();
    read(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::Value;

    fn anchor(name: &str, unit: u32, start: usize) -> Anchor {
        let span = Span::new(UnitId(unit), start, start + 1);
        Anchor {
            name: name.into(),
            node: Arc::new(Node { span, column: 0, anchor: None, tag: None, value: Value::Null }),
        }
    }

    /// Anchors added unit by unit, as a text read once adds them, stand in the order a sort of
    /// the whole table gives, even when a unit comes out of document order.
    #[test]
    fn anchors_added_in_order_stand_as_sorted_ones() {
        let bases = Bases::from_starts([(UnitId(0), 0), (UnitId(1), 100), (UnitId(2), 50)]);
        let units = [
            vec![anchor("a", 0, 5), anchor("b", 0, 7)],
            vec![anchor("a", 1, 3)],
            vec![anchor("a", 2, 1), anchor("a", 2, 9)],
        ];
        let (mut added, mut sorted) = (AnchorTable::default(), AnchorTable::default());
        for unit in &units {
            added.add_in_order(unit, &bases);
            sorted.add(unit);
        }
        sorted.sort(&bases);
        let starts = |table: &AnchorTable, name: &str| -> Vec<usize> {
            table.by_name[name].iter().map(|(start, _)| *start).collect()
        };
        assert_eq!(starts(&added, "a"), [5, 51, 59, 103]);
        assert_eq!(starts(&added, "a"), starts(&sorted, "a"));
        assert_eq!(starts(&added, "b"), starts(&sorted, "b"));
    }
}
