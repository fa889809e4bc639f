//! The outline: the analysis's symbols as hierarchical document symbols.

use tower_lsp_server::ls_types::{DocumentSymbol, SymbolKind};

use super::convert;
use super::documents::OpenDocument;
use crate::model::outline::{Symbol, SymbolKind as Kind};
use crate::text::Encoding;

pub fn document_symbols(document: &mut OpenDocument, encoding: Encoding) -> Option<Vec<DocumentSymbol>> {
    let symbols = document.outline()?;
    let rope = document.source.rope();
    let convert =
        |symbol: &Symbol<std::ops::Range<usize>>| to_lsp(symbol, &|bytes| convert::range(rope, bytes, encoding));
    Some(symbols.iter().map(convert).collect())
}

fn to_lsp(
    symbol: &Symbol<std::ops::Range<usize>>,
    range: &impl Fn(std::ops::Range<usize>) -> tower_lsp_server::ls_types::Range,
) -> DocumentSymbol {
    #[allow(deprecated)]
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: None,
        kind: kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(symbol.range.clone()),
        selection_range: range(symbol.selection.clone()),
        children: Some(symbol.children.iter().map(|child| to_lsp(child, range)).collect()),
    }
}

fn kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Section => SymbolKind::NAMESPACE,
        Kind::Trigger => SymbolKind::EVENT,
        Kind::Job => SymbolKind::FUNCTION,
        Kind::Template => SymbolKind::CLASS,
        Kind::Step => SymbolKind::METHOD,
        Kind::Field => SymbolKind::VARIABLE,
    }
}
