//! The YAML grammar: tree-sitter-yaml 0.7.2 with the crash fixes listed in
//! `server/vendor/tree-sitter-yaml/PATCHED.md`, compiled into pipewarden by `server/build.rs`.

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    // `tree_sitter_yaml`, renamed by `server/build.rs`.
    fn pipewarden_tree_sitter_yaml() -> *const ();
}

/// The YAML language, for `Parser::set_language(&LANGUAGE.into())` and `Query::new`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(pipewarden_tree_sitter_yaml) };

/// Each test fails with the unpatched scanner: they check that the vendored one is linked.
#[cfg(test)]
mod tests {
    use tree_sitter::Parser;

    fn parse(text: &str) -> tree_sitter::Tree {
        let mut parser = Parser::new();
        parser.set_language(&super::LANGUAGE.into()).expect("the grammar matches the runtime");
        parser.parse(text, None).expect("no timeout or cancellation is set")
    }

    /// Upstream issue #49: rows were `int16_t`, so a longer document parsed as one `ERROR`.
    #[test]
    fn documents_past_32768_lines_parse() {
        let text = "key: value\n".repeat(40_000);
        assert!(!parse(&text).root_node().has_error());
    }

    /// Upstream issue #48: deep block nesting overflowed the serialisation buffer, which
    /// aborted the process on tree-sitter's assertion. Parsing at all is the test.
    #[test]
    fn deep_block_nesting_does_not_overflow_the_scanner_state() {
        let text: String = (0..400).map(|depth| format!("{}k{depth}:\n", " ".repeat(depth))).collect();
        parse(&format!("{text}{}end: 1\n", " ".repeat(400)));
    }
}
