//! A span-carrying YAML value tree built from tree-sitter nodes.
//!
//! This is the one place that walks tree-sitter's YAML grammar. It never fails: broken parts
//! become nulls, and the pieces tree-sitter's error recovery leaves inside `ERROR` nodes are
//! put back together by their indentation, so a half-typed file still yields every mapping
//! and sequence that is intact. Nesting deeper than [`MAX_DEPTH`] is cut off, and aliases
//! stay references: nothing here ever expands them.

use std::borrow::Cow;
use std::num::NonZeroU16;
use std::sync::{Arc, LazyLock};

use ropey::Rope;
use tree_sitter::{Node as TsNode, Tree};

use super::span::{Span, UnitId};

/// How deep a value tree may nest before the rest is treated as null.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    /// The column (in bytes) where the node starts on its line.
    pub column: u32,
    pub anchor: Option<Box<str>>,
    /// A tag such as `!reference`, without its `!`.
    pub tag: Option<Box<str>>,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar(Scalar),
    Mapping(Vec<Pair>),
    Sequence(Vec<Arc<Node>>),
    /// `*name`, resolved lazily by the model.
    Alias(Box<str>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The value, with quotes, escapes, folding and block indentation processed.
    pub text: String,
    pub style: ScalarStyle,
    /// The raw source of the value, without quotes or block header: where `${{ }}` are found.
    pub content: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub key: Node,
    pub value: Arc<Node>,
    /// From the key's start to the value's end.
    pub span: Span,
}

/// An anchored node found while building, for the model's alias resolution.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub name: Box<str>,
    pub node: Arc<Node>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(scalar) => Some(&scalar.text),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }
}

/// A value tree built from one tree-sitter node, with the anchors defined inside it.
pub struct Built {
    pub node: Arc<Node>,
    pub anchors: Vec<Anchor>,
}

/// Builds the value tree of `node`, from a tree parsed from the text that starts at `origin`
/// in `rope`. Spans are the tree's offsets, relative to `origin`, in unit `unit`.
pub fn build(node: TsNode, rope: &Rope, unit: UnitId, origin: usize) -> Built {
    let start = (origin + node.start_byte()).min(rope.len_bytes());
    let end = (origin + node.end_byte()).clamp(start, rope.len_bytes());
    let text = crate::text::slice(rope, start..end);
    let mut builder = Builder { rope, unit, origin, text, text_start: start, anchors: Vec::new() };
    let node = builder.shared(node, 0);
    Built { node, anchors: builder.anchors }
}

/// The node holding the first document's content: normally a `block_mapping`, or an `ERROR`
/// node when tree-sitter could not make sense of the top level.
pub fn document_content(tree: &Tree) -> Option<TsNode<'_>> {
    let mut node = tree.root_node();
    loop {
        match kind(node) {
            Kind::Stream | Kind::Document | Kind::BlockNode | Kind::FlowNode => {
                node = named_children(node).find(|child| !is_decoration(child))?;
            }
            _ => return Some(node),
        }
    }
}

struct Builder<'a> {
    rope: &'a Rope,
    unit: UnitId,
    origin: usize,
    /// The text of the node built, read from the rope once: its scalars, anchors and tags
    /// are sliced from it rather than each looked up in the rope.
    text: Cow<'a, str>,
    /// Where `text` starts in the rope.
    text_start: usize,
    anchors: Vec<Anchor>,
}

/// The grammar's `key` and `value` fields, by id: looked up by name, a field is found by
/// comparing the names of all the grammar's fields, for each of a batch's 260,000 pairs.
static PAIR_FIELDS: LazyLock<(u16, u16)> = LazyLock::new(|| {
    let language = tree_sitter::Language::new(super::grammar::LANGUAGE);
    let id = |name| language.field_id_for_name(name).map_or(0, NonZeroU16::get);
    (id("key"), id("value"))
});

impl Builder<'_> {
    fn shared(&mut self, ts: TsNode, depth: usize) -> Arc<Node> {
        let node = Arc::new(self.node(ts, depth));
        if let Some(name) = &node.anchor {
            self.anchors.push(Anchor { name: name.clone(), node: Arc::clone(&node) });
        }
        node
    }

    fn node(&mut self, ts: TsNode, depth: usize) -> Node {
        let mut node = self.empty(ts);
        if depth > MAX_DEPTH {
            return node;
        }
        let ts_kind = kind(ts);
        match ts_kind {
            Kind::Stream | Kind::Document | Kind::BlockNode | Kind::FlowNode => {
                for child in named_children(ts) {
                    match kind(child) {
                        Kind::Anchor => node.anchor = Some(self.text(child).trim_start_matches('&').into()),
                        Kind::Tag => node.tag = Some(self.text(child).trim_start_matches('!').into()),
                        Kind::Comment => {}
                        _ => {
                            let inner = self.node(child, depth + 1);
                            node.value = inner.value;
                            if matches!(ts_kind, Kind::Stream | Kind::Document) {
                                node.anchor = inner.anchor;
                                node.tag = inner.tag;
                            }
                            break;
                        }
                    }
                }
            }
            Kind::BlockMapping | Kind::FlowMapping => node.value = Value::Mapping(self.pairs(ts, depth)),
            Kind::BlockSequence | Kind::FlowSequence => node.value = Value::Sequence(self.items(ts, depth)),
            Kind::Alias => node.value = Value::Alias(self.text(ts).trim_start_matches('*').into()),
            Kind::PlainScalar | Kind::DoubleQuoteScalar | Kind::SingleQuoteScalar | Kind::BlockScalar => {
                node.value = Value::Scalar(self.scalar(ts, ts_kind));
            }
            Kind::Error => node.value = self.recover(ts, depth),
            _ => {}
        }
        node
    }

    fn empty(&self, ts: TsNode) -> Node {
        Node {
            span: self.span(ts.start_byte(), ts.end_byte()),
            column: ts.start_position().column as u32,
            anchor: None,
            tag: None,
            value: Value::Null,
        }
    }

    fn pairs(&mut self, mapping: TsNode, depth: usize) -> Vec<Pair> {
        // Sized up front: value trees are kept for every unit of an open document, and a
        // grown vector's spare room would be a fifth of them.
        let mut pairs = Vec::with_capacity(mapping.named_child_count());
        for child in named_children(mapping) {
            match kind(child) {
                Kind::BlockMappingPair | Kind::FlowPair => pairs.push(self.pair(child, depth)),
                // A flow mapping entry without `:` is a key with a null value.
                Kind::FlowNode => pairs.push(self.key_only(child, depth)),
                Kind::Error => {
                    if let Value::Mapping(recovered) = self.recover(child, depth) {
                        pairs.extend(recovered);
                    }
                }
                _ => {}
            }
        }
        pairs
    }

    fn pair(&mut self, pair: TsNode, depth: usize) -> Pair {
        let (key_field, value_field) = *PAIR_FIELDS;
        let key = match pair.child_by_field_id(key_field) {
            Some(key) => self.node(key, depth + 1),
            None => self.empty(pair),
        };
        let value = match pair.child_by_field_id(value_field) {
            Some(value) => self.shared(value, depth + 1),
            None => Arc::new(Node { span: self.span(pair.end_byte(), pair.end_byte()), ..self.empty(pair) }),
        };
        Pair { key, value, span: self.span(pair.start_byte(), pair.end_byte()) }
    }

    fn key_only(&mut self, key: TsNode, depth: usize) -> Pair {
        let null = Arc::new(Node { span: self.span(key.end_byte(), key.end_byte()), ..self.empty(key) });
        Pair { key: self.node(key, depth + 1), value: null, span: self.span(key.start_byte(), key.end_byte()) }
    }

    fn items(&mut self, sequence: TsNode, depth: usize) -> Vec<Arc<Node>> {
        let mut items = Vec::with_capacity(sequence.named_child_count());
        for child in named_children(sequence) {
            match kind(child) {
                Kind::BlockSequenceItem => match named_children(child).find(|c| kind(*c) != Kind::Comment) {
                    Some(content) => items.push(self.shared(content, depth + 1)),
                    None => items.push(Arc::new(Node {
                        span: self.span(child.end_byte(), child.end_byte()),
                        ..self.empty(child)
                    })),
                },
                Kind::FlowNode => items.push(self.shared(child, depth + 1)),
                Kind::FlowPair => {
                    let mut node = self.empty(child);
                    node.value = Value::Mapping(vec![self.pair(child, depth + 1)]);
                    items.push(Arc::new(node));
                }
                _ => {}
            }
        }
        items
    }

    fn scalar(&self, ts: TsNode, ts_kind: Kind) -> Scalar {
        let raw = self.text(ts);
        let (start, end) = (ts.start_byte(), ts.end_byte());
        match ts_kind {
            Kind::DoubleQuoteScalar => Scalar {
                text: unescape_double(strip_quotes(&raw, '"')),
                style: ScalarStyle::DoubleQuoted,
                content: self.span(start + 1, (end - 1).max(start + 1)),
            },
            Kind::SingleQuoteScalar => Scalar {
                text: strip_quotes(&raw, '\'').replace("''", "'"),
                style: ScalarStyle::SingleQuoted,
                content: self.span(start + 1, (end - 1).max(start + 1)),
            },
            Kind::BlockScalar => {
                let header_len = raw.find('\n').unwrap_or(raw.len());
                let header = &raw[..header_len];
                let style = if header.starts_with('>') { ScalarStyle::Folded } else { ScalarStyle::Literal };
                Scalar {
                    text: block_text(header, &raw[header_len..], style),
                    style,
                    content: self.span((start + header_len + 1).min(end), end),
                }
            }
            _ => Scalar { text: fold_plain(&raw), style: ScalarStyle::Plain, content: self.span(start, end) },
        }
    }

    /// Rebuilds what an `ERROR` node still holds: its pairs, keys and sequence items, nested
    /// by their columns.
    fn recover(&mut self, error: TsNode, depth: usize) -> Value {
        let mut pieces = Vec::new();
        collect_pieces(error, &mut pieces, depth);
        let mut next = 0;
        let mut value = Value::Null;
        // Pieces at the outermost column form the value; stray deeper pieces before them are
        // skipped rather than guessed at.
        while next < pieces.len() {
            let folded = self.fold(&pieces, &mut next, depth);
            if let (Value::Mapping(existing), Value::Mapping(more)) = (&mut value, &folded) {
                existing.extend(more.iter().cloned());
            } else if matches!(value, Value::Null) {
                value = folded;
            }
        }
        value
    }

    fn fold(&mut self, pieces: &[Piece], next: &mut usize, depth: usize) -> Value {
        let column = pieces[*next].column();
        if depth > MAX_DEPTH {
            *next = pieces.len();
            return Value::Null;
        }
        if let Piece::Item(_) = pieces[*next] {
            let mut items = Vec::new();
            while let Some(Piece::Item(item)) = pieces.get(*next).filter(|p| p.column() == column) {
                items.extend(self.items_of(*item, depth));
                *next += 1;
            }
            return Value::Sequence(items);
        }
        let mut pairs = Vec::new();
        while let Some(piece) = pieces.get(*next) {
            if piece.column() < column {
                break;
            }
            *next += 1;
            match *piece {
                Piece::Pair(pair) if piece.column() == column => pairs.push(self.pair(pair, depth + 1)),
                Piece::Key(key) if piece.column() == column => {
                    let mut pair = self.key_only(key, depth + 1);
                    if pieces.get(*next).is_some_and(|p| p.column() > column) {
                        let start = pieces[*next].start();
                        let value = self.fold(pieces, next, depth + 1);
                        let end = pieces[*next - 1].end();
                        let ts_like = Node {
                            span: self.span(start, end),
                            column: pieces[*next - 1].column() as u32,
                            anchor: None,
                            tag: None,
                            value,
                        };
                        pair.span = self.span(pair.key.span.start as usize, end);
                        pair.value = Arc::new(ts_like);
                    }
                    pairs.push(pair);
                }
                _ => {}
            }
        }
        Value::Mapping(pairs)
    }

    fn items_of(&mut self, item: TsNode, depth: usize) -> Vec<Arc<Node>> {
        match named_children(item).find(|c| kind(*c) != Kind::Comment) {
            Some(content) => vec![self.shared(content, depth + 1)],
            None => Vec::new(),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.unit, start, end)
    }

    fn text(&self, ts: TsNode) -> Cow<'_, str> {
        let end = (self.origin + ts.end_byte()).min(self.rope.len_bytes());
        let range = (self.origin + ts.start_byte()).min(end)..end;
        let within = range
            .start
            .checked_sub(self.text_start)
            .and_then(|start| self.text.get(start..range.end - self.text_start));
        within.map_or_else(|| crate::text::slice(self.rope, range), Cow::Borrowed)
    }
}

/// A fragment left inside an `ERROR` node.
#[derive(Clone, Copy)]
enum Piece<'t> {
    Pair(TsNode<'t>),
    Key(TsNode<'t>),
    Item(TsNode<'t>),
}

impl Piece<'_> {
    fn node(&self) -> TsNode<'_> {
        match self {
            Piece::Pair(node) | Piece::Key(node) | Piece::Item(node) => *node,
        }
    }

    fn column(&self) -> usize {
        self.node().start_position().column
    }

    fn start(&self) -> usize {
        self.node().start_byte()
    }

    fn end(&self) -> usize {
        self.node().end_byte()
    }
}

fn collect_pieces<'t>(node: TsNode<'t>, pieces: &mut Vec<Piece<'t>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut cursor = node.walk();
    let children: Vec<TsNode<'t>> = node.children(&mut cursor).collect();
    for (index, child) in children.iter().enumerate() {
        match kind(*child) {
            Kind::BlockMappingPair => pieces.push(Piece::Pair(*child)),
            Kind::BlockSequenceItem => pieces.push(Piece::Item(*child)),
            Kind::FlowNode | Kind::BlockNode
                if children.get(index + 1).is_some_and(|next| kind(*next) == Kind::Colon) =>
            {
                pieces.push(Piece::Key(*child));
            }
            Kind::BlockNode | Kind::BlockMapping | Kind::BlockSequence | Kind::Error => {
                collect_pieces(*child, pieces, depth + 1);
            }
            _ => {}
        }
    }
}

/// A node's named children, in order, by a cursor: asking for the `n`th child walks the
/// children before it each time.
fn named_children(node: TsNode<'_>) -> impl Iterator<Item = TsNode<'_>> {
    let mut cursor = node.walk();
    let mut started = false;
    std::iter::from_fn(move || {
        loop {
            let moved = if started { cursor.goto_next_sibling() } else { cursor.goto_first_child() };
            started = true;
            if !moved {
                return None;
            }
            if cursor.node().is_named() {
                return Some(cursor.node());
            }
        }
    })
}

fn is_decoration(node: &TsNode) -> bool {
    matches!(
        kind(*node),
        Kind::Anchor | Kind::Tag | Kind::Comment | Kind::YamlDirective | Kind::TagDirective | Kind::ReservedDirective
    )
}

/// The kinds of node the builder tells apart. tree-sitter hands out a node's kind as a C
/// string, measured and checked as UTF-8 at every call, and the builder asks millions of
/// times in a batch check: it reads the grammar's numeric ids instead, mapped to kinds once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stream,
    Document,
    BlockNode,
    FlowNode,
    Anchor,
    Tag,
    Comment,
    YamlDirective,
    TagDirective,
    ReservedDirective,
    BlockMapping,
    FlowMapping,
    BlockMappingPair,
    FlowPair,
    BlockSequence,
    FlowSequence,
    BlockSequenceItem,
    Alias,
    PlainScalar,
    DoubleQuoteScalar,
    SingleQuoteScalar,
    BlockScalar,
    Colon,
    Error,
    Other,
}

/// The names of the kinds the builder tells apart in the grammar.
const KIND_NAMES: [(&str, Kind); 24] = [
    ("stream", Kind::Stream),
    ("document", Kind::Document),
    ("block_node", Kind::BlockNode),
    ("flow_node", Kind::FlowNode),
    ("anchor", Kind::Anchor),
    ("tag", Kind::Tag),
    ("comment", Kind::Comment),
    ("yaml_directive", Kind::YamlDirective),
    ("tag_directive", Kind::TagDirective),
    ("reserved_directive", Kind::ReservedDirective),
    ("block_mapping", Kind::BlockMapping),
    ("flow_mapping", Kind::FlowMapping),
    ("block_mapping_pair", Kind::BlockMappingPair),
    ("flow_pair", Kind::FlowPair),
    ("block_sequence", Kind::BlockSequence),
    ("flow_sequence", Kind::FlowSequence),
    ("block_sequence_item", Kind::BlockSequenceItem),
    ("alias", Kind::Alias),
    ("plain_scalar", Kind::PlainScalar),
    ("double_quote_scalar", Kind::DoubleQuoteScalar),
    ("single_quote_scalar", Kind::SingleQuoteScalar),
    ("block_scalar", Kind::BlockScalar),
    (":", Kind::Colon),
    ("ERROR", Kind::Error),
];

/// Each of the grammar's kind ids, as a [`Kind`]: several ids may share a name.
static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    let language = tree_sitter::Language::new(super::grammar::LANGUAGE);
    (0..language.node_kind_count())
        .map(|id| {
            let id = u16::try_from(id).unwrap_or(u16::MAX);
            let name = language.node_kind_for_id(id);
            KIND_NAMES.iter().find(|(named, _)| Some(*named) == name).map_or(Kind::Other, |(_, kind)| *kind)
        })
        .collect()
});

fn kind(node: TsNode) -> Kind {
    match KINDS.get(usize::from(node.kind_id())) {
        Some(kind) => *kind,
        // Error nodes have an id of their own, past the grammar's.
        None if node.is_error() => Kind::Error,
        None => Kind::Other,
    }
}

fn strip_quotes(raw: &str, quote: char) -> &str {
    let inner = raw.strip_prefix(quote).unwrap_or(raw);
    inner.strip_suffix(quote).unwrap_or(inner)
}

/// Folds a multi-line plain scalar: line breaks become spaces, blank lines become newlines.
fn fold_plain(raw: &str) -> String {
    if !raw.contains('\n') {
        return raw.to_owned();
    }
    fold_lines(raw.lines().map(str::trim))
}

fn fold_lines<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut text = String::new();
    let mut pending_space = false;
    for line in lines {
        if line.is_empty() {
            text.push('\n');
            pending_space = false;
        } else {
            if pending_space {
                text.push(' ');
            }
            text.push_str(line);
            pending_space = true;
        }
    }
    text
}

fn unescape_double(inner: &str) -> String {
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => text.push('\n'),
            Some('t') => text.push('\t'),
            Some('r') => text.push('\r'),
            Some('0') => text.push('\0'),
            Some(hex @ ('x' | 'u' | 'U')) => {
                let width = match hex {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = chars.by_ref().take(width).collect();
                text.extend(u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32));
            }
            Some('\n') => {}
            Some(other) => text.push(other),
            None => text.push('\\'),
        }
    }
    if text.contains('\n') { fold_lines(text.lines().map(str::trim)) } else { text }
}

/// The value of a `|` or `>` block scalar: indentation removed, folded or kept, chomped.
fn block_text(header: &str, body: &str, style: ScalarStyle) -> String {
    let body = body.strip_prefix('\n').unwrap_or(body);
    let indent = header
        .chars()
        .find_map(|c| c.to_digit(10))
        .map(|digit| digit as usize)
        .or_else(|| body.lines().find(|line| !line.trim().is_empty()).map(|line| line.len() - line.trim_start().len()))
        .unwrap_or(0);
    let lines = body.lines().map(|line| line.get(indent..).unwrap_or_else(|| line.trim_start()));
    let mut text = match style {
        ScalarStyle::Folded => fold_lines(lines),
        _ => lines.collect::<Vec<_>>().join("\n"),
    };
    if header.contains('-') {
        text.truncate(text.trim_end_matches('\n').len());
    } else if !header.contains('+') {
        text.truncate(text.trim_end_matches('\n').len());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_the_builder_tells_apart_is_a_kind_of_the_grammar() {
        // Error nodes have an id past the grammar's kinds.
        for (name, expected) in KIND_NAMES.iter().filter(|(_, kind)| *kind != Kind::Error) {
            assert!(KINDS.contains(expected), "`{name}` is no kind of the grammar");
        }
    }

    #[test]
    fn error_nodes_are_told_apart() {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&super::super::grammar::LANGUAGE.into()).unwrap();
        let tree = parser.parse("a: [b\nc: : :\n  - ]\n", None).unwrap();
        let mut errors = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "ERROR" {
                errors.push(kind(node));
            }
            stack.extend(named_children(node));
        }
        assert!(!errors.is_empty() && errors.iter().all(|found| *found == Kind::Error), "{errors:?}");
    }
}
