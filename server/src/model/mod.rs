//! The model: typed, span-carrying views of pipeline files, built from YAML value trees.
//!
//! Rules read these types, never YAML. Every value keeps the span it was read from, so a
//! finding can point at it and a fix can edit it.

pub mod action;
pub mod artifact;
pub mod cache;
pub mod call;
pub mod checkout;
pub mod commands;
pub mod conditions;
pub mod contexts;
pub mod credentials;
pub mod deploy;
pub mod derived;
pub mod expr;
pub mod git;
pub mod github;
pub mod github_reach;
pub mod gitlab;
pub mod gitlab_variables;
pub mod image;
pub mod inclusion;
pub mod interface;
pub mod kind;
pub mod links;
pub mod offsets;
pub mod outline;
pub mod patterns;
pub mod reach;
pub mod references;
pub mod release;
pub mod reparse;
pub mod scanners;
pub mod search;
pub mod secrets;
pub mod shell;
pub mod token;
pub mod untrusted_code;
pub mod version;
pub mod view;
pub mod workflow_commands;

use crate::syntax::span::Span;
use crate::syntax::yaml::ScalarStyle;
use expr::Expression;
use offsets::OffsetMap;
use view::{Entry, View};

/// Collecting into a vector that keeps no spare room. Models are held for as long as their
/// job is unchanged (in `check`, every job's at once), and a vector grown from an iterator
/// of unknown length starts with room for four: a step's one `with:` input would cost four.
pub trait CollectExact: Iterator + Sized {
    fn collect_exact(self) -> Vec<Self::Item> {
        let mut items: Vec<Self::Item> = self.collect();
        items.shrink_to_fit();
        items
    }
}

impl<I: Iterator> CollectExact for I {}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// A scalar's text with the span of the scalar.
    pub fn from_view(view: View<'_>) -> Option<Self> {
        Some(Self::new(view.as_str()?.to_owned(), view.span()))
    }

    /// An entry's key with the key's span.
    pub fn key_of(entry: &Entry<'_>) -> Option<Self> {
        Some(Self::new(entry.name()?.to_owned(), entry.key.span))
    }
}

/// A `key: scalar` entry that a quick fix may remove, such as `continue-on-error: true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: Spanned<String>,
    /// From the key to the end of the value.
    pub entry: Span,
    /// Whether deleting the entry's lines removes exactly it: it is written in the mapping
    /// itself (not merged in from an anchor) and alone on its lines (not the first key of a
    /// `- key:` sequence item, not inside a flow mapping).
    pub removable: bool,
}

impl Setting {
    /// The entry `key` of `mapping`, if its value is a scalar.
    pub fn of(mapping: View<'_>, key: &str) -> Option<Self> {
        let entry = mapping.entry(key)?;
        let own = mapping.own_pairs().iter().any(|pair| std::ptr::eq(pair, entry.pair));
        Some(Self {
            value: Spanned::from_view(entry.value)?,
            entry: entry.pair.span,
            removable: own && mapping.resolver().alone_on_lines(entry.pair.span),
        })
    }

    pub fn is_true(&self) -> bool {
        self.value.value.eq_ignore_ascii_case("true")
    }
}

/// Whether a git ref is a full commit SHA, the only ref nobody can move.
pub fn is_commit_sha(git_ref: &str) -> bool {
    git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A string value that may hold `${{ }}` expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The processed value.
    pub value: String,
    /// The raw source of the value, without quotes or block header.
    pub span: Span,
    pub style: ScalarStyle,
    pub expressions: Vec<Expression>,
    /// Where each part of `value` is written in the source.
    pub offsets: OffsetMap,
}

impl Text {
    pub fn from_view(view: View<'_>) -> Option<Self> {
        let scalar = view.scalar()?;
        let raw = view.resolver().raw(scalar.content);
        Some(Self {
            value: scalar.text.clone(),
            span: scalar.content,
            style: scalar.style,
            expressions: expr::find_expressions(&raw, scalar.content),
            offsets: OffsetMap::align(&scalar.text, &raw),
        })
    }

    /// A plain text whose source is its value, at the start of the document.
    #[cfg(test)]
    pub fn for_tests(source: &str) -> Self {
        let span = Span::document(0..source.len());
        Self {
            value: source.to_owned(),
            span,
            style: ScalarStyle::Plain,
            expressions: expr::find_expressions(source, span),
            offsets: OffsetMap::align(source, source),
        }
    }

    /// Where the source at `span` (inside this text's source) is in `value`.
    pub fn value_offset(&self, span: Span) -> Option<usize> {
        (span.unit == self.span.unit && span.start >= self.span.start)
            .then(|| self.offsets.value_offset((span.start - self.span.start) as usize))
    }

    /// The source span of a byte range of `value`.
    pub fn span_of(&self, range: std::ops::Range<usize>) -> Span {
        let raw = self.offsets.raw_range(range);
        self.span.slice(raw)
    }

    /// The context paths whose values the text expands (not those only compared or tested).
    pub fn expanded(&self) -> impl Iterator<Item = &expr::ContextRef> {
        self.expressions.iter().flat_map(|expression| &expression.contexts).filter(|context| context.reaches_result)
    }

    /// Whether the text expands the workflow's own token (`secrets.GITHUB_TOKEN`, `github.token`).
    pub fn expands_github_token(&self) -> bool {
        self.expanded().any(expr::ContextRef::is_github_token)
    }
}

/// A mapping written in the file (such as a step's `env:`), with what a fix needs to add to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The key, e.g. `env`.
    pub key: Span,
    /// The end of the last entry, where a new entry can be appended.
    pub last_entry_end: Span,
    /// The column of the entries, or `None` for a flow mapping (`env: {}`) or an empty value.
    pub entry_column: Option<u32>,
    /// How many entries are written in it (merged ones not counted).
    pub entries: usize,
}

impl Block {
    pub fn from_entry(entry: &Entry<'_>) -> Self {
        let pairs = entry.value.own_pairs();
        Self {
            key: entry.key.span,
            last_entry_end: pairs.last().map_or(entry.pair.span.at_end(), |pair| pair.span.at_end()),
            entry_column: key_column(entry.value),
            entries: pairs.len(),
        }
    }
}

/// The column of a block mapping's keys, where a new key can be inserted; `None` for a flow
/// mapping (`{a: b}`) or an empty one.
pub fn key_column(mapping: View<'_>) -> Option<u32> {
    let first = mapping.own_pairs().first()?;
    (mapping.resolver().first_char(mapping.span()) != Some('{')).then_some(first.key.column)
}

/// Environment variables set at some level (`env:`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Env {
    // Boxed: most steps have no `env:`, and every step and job holds an `Env`.
    pub block: Option<Box<Block>>,
    pub vars: Vec<EnvVar>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: Spanned<String>,
    pub value: Option<Text>,
    /// The whole `NAME: value` entry.
    pub entry: Span,
}

impl Env {
    pub fn from_entry(entry: Option<Entry<'_>>) -> Self {
        let Some(entry) = entry else {
            return Self::default();
        };
        let vars = entry
            .value
            .entries()
            .iter()
            .filter_map(|var| {
                Some(EnvVar { name: Spanned::key_of(var)?, value: Text::from_view(var.value), entry: var.pair.span })
            })
            .collect_exact();
        Self { block: Some(Box::new(Block::from_entry(&entry))), vars }
    }

    pub fn get(&self, name: &str) -> Option<&EnvVar> {
        self.vars.iter().find(|var| var.name.value == name)
    }
}
