//! Descriptions for hovers where no finding is: the context path, the GitLab variable or the
//! key under the cursor.

use std::ops::Range;

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use crate::model::github::Event;
use crate::model::kind::FileKind;
use crate::model::{contexts, expr, gitlab_variables};
use crate::rules::{Platform, glossary};
use crate::syntax::span::Span;
use crate::syntax::{Source, queries, tile_at};

/// Markdown about something in the text, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub range: Range<usize>,
    pub markdown: String,
}

/// Describes the context path in a `${{ }}` expression, the GitLab predefined variable, or
/// the key, at `offset`.
pub fn describe_at(source: &mut Source, kind: FileKind, offset: usize) -> Option<Description> {
    let (tiles, rope) = source.with_trees_over(offset..offset);
    let tile = tile_at(tiles, offset)?;
    let relative = offset.checked_sub(tile.start)?;
    let tree = tile.model_tree()?;
    let root = tree.root_node();
    let scalar = enclosing_scalar(root.descendant_for_byte_range(relative, relative)?)?;
    let range = tile.start + scalar.start_byte()..tile.start + scalar.end_byte();
    let raw = rope.byte_slice(range.clone()).to_string();
    if kind == FileKind::GitlabCi {
        let variable = gitlab_variables::references(&raw)
            .into_iter()
            .map(|(name, within)| (name, range.start + within.start..range.start + within.end))
            .find(|(_, at)| at.contains(&offset) || at.end == offset);
        if let Some((name, at)) = variable
            && let Some(markdown) = gitlab_variables::describe(name)
        {
            return Some(Description { range: at, markdown });
        }
    } else {
        let expressions = expr::find_expressions(&raw, Span::document(range.clone()));
        let context = expressions
            .iter()
            .flat_map(|e| &e.contexts)
            .find(|c| (c.span.start as usize..=c.span.end as usize).contains(&offset));
        if let Some(context) = context {
            let range = context.span.start as usize..context.span.end as usize;
            return Some(Description { range, markdown: contexts::describe(&context.path) });
        }
    }
    let platform = if kind == FileKind::GitlabCi { Platform::GitlabCi } else { Platform::GithubActions };
    let name = raw.trim();
    // Trigger names are keys (`on: {issues: ...}`) or values (`on: [issues]`); other keys are keys.
    let is_event = platform == Platform::GithubActions && Event::parse(name) != Event::Other(name.to_owned());
    if !is_event && !is_key(scalar, tree, relative) {
        return None;
    }
    let doc = glossary::key_doc(platform, name)?;
    Some(Description { range, markdown: glossary::markdown(doc) })
}

fn enclosing_scalar(mut node: Node) -> Option<Node> {
    loop {
        if matches!(node.kind(), "plain_scalar" | "double_quote_scalar" | "single_quote_scalar" | "block_scalar") {
            return Some(node);
        }
        node = node.parent()?;
    }
}

/// Whether `scalar` is a mapping key, by the `keys.scm` query.
fn is_key(scalar: Node, tree: &tree_sitter::Tree, relative: usize) -> bool {
    let query = queries::keys();
    let Some(name_index) = query.capture_index_for_name("key.name") else { return false };
    let mut cursor = QueryCursor::new();
    cursor.set_byte_range(relative..relative + 1);
    let mut matches = cursor.matches(query, tree.root_node(), &[] as &[u8]);
    while let Some(found) = matches.next() {
        if found.captures().iter().any(|capture| capture.index == name_index && capture.node.id() == scalar.id()) {
            return true;
        }
    }
    false
}
