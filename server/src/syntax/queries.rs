//! The tree-sitter queries of `grammar-queries/`, embedded and compiled once.

use std::sync::OnceLock;

use tree_sitter::Query;

/// Every embedded query, by file name, for the test that compiles them all.
pub const SOURCES: &[(&str, &str)] = &[
    ("yaml/suppressions.scm", include_str!("../../../grammar-queries/yaml/suppressions.scm")),
    ("yaml/keys.scm", include_str!("../../../grammar-queries/yaml/keys.scm")),
];

/// Comments that carry `pipewarden: ignore[...]`; capture `@suppression`.
pub fn suppressions() -> &'static Query {
    static QUERY: OnceLock<Query> = OnceLock::new();
    QUERY.get_or_init(|| compile(SOURCES[0].1))
}

/// Mapping keys; captures `@key.name` and `@key.pair`.
pub fn keys() -> &'static Query {
    static QUERY: OnceLock<Query> = OnceLock::new();
    QUERY.get_or_init(|| compile(SOURCES[1].1))
}

/// Compiles a query against the YAML grammar.
pub fn compile(source: &str) -> Query {
    Query::new(&crate::syntax::grammar::LANGUAGE.into(), source)
        .unwrap_or_else(|error| panic!("an embedded query does not compile: {error}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_embedded_query_compiles() {
        for (name, source) in super::SOURCES {
            let query = tree_sitter::Query::new(&crate::syntax::grammar::LANGUAGE.into(), source);
            assert!(query.is_ok(), "{name}: {:?}", query.err());
        }
    }
}
