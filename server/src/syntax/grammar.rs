//! The YAML grammar: tree-sitter-yaml 0.7.2 with the crash fixes and speed-ups listed in
//! `server/vendor/tree-sitter-yaml/PATCHED.md`, compiled into pipewarden by `server/build.rs`.

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    // `tree_sitter_yaml`, renamed by `server/build.rs`.
    fn pipewarden_tree_sitter_yaml() -> *const ();
}

/// The YAML language, for `Parser::set_language(&LANGUAGE.into())` and `Query::new`.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(pipewarden_tree_sitter_yaml) };

/// The first two tests fail with the unpatched scanner: they check that the vendored one is
/// linked. The last checks that the changes for speed change no tree.
#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use tree_sitter::{InputEdit, Parser, Point, Tree};
    use tree_sitter_language::LanguageFn;

    fn parse(text: &str) -> Tree {
        parse_with(super::LANGUAGE, text, None)
    }

    fn parse_with(language: LanguageFn, text: &str, old: Option<&Tree>) -> Tree {
        let mut parser = Parser::new();
        parser.set_language(&language.into()).expect("the grammar matches the runtime");
        parser.parse(text, old).expect("no timeout or cancellation is set")
    }

    /// Every node of `tree`, in order: its field, kind and byte range.
    fn shape(tree: &Tree) -> String {
        let mut shape = String::new();
        let mut cursor = tree.walk();
        let mut depth = 0;
        loop {
            let node = cursor.node();
            let field = cursor.field_name().unwrap_or("");
            let _ = writeln!(shape, "{:depth$}{field}:{} {:?}", "", node.kind(), node.byte_range());
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return shape;
                }
                depth -= 1;
            }
        }
    }

    /// `text` with `inserted` put at byte `at`, and `tree` (parsed from `text`) told of it.
    fn edit(text: &str, tree: &mut Tree, at: usize, inserted: &str) -> String {
        let point = |text: &str, byte: usize| {
            let before = &text[..byte];
            let row = before.matches('\n').count();
            Point::new(row, byte - before.rfind('\n').map_or(0, |newline| newline + 1))
        };
        let edited = format!("{}{inserted}{}", &text[..at], &text[at..]);
        tree.edit(&InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + inserted.len(),
            start_position: point(text, at),
            old_end_position: point(text, at),
            new_end_position: point(&edited, at + inserted.len()),
        });
        edited
    }

    /// The last character boundary of `text` at or before byte `at`.
    fn boundary_before(text: &str, at: usize) -> usize {
        (0..=at.min(text.len())).rev().find(|&at| text.is_char_boundary(at)).unwrap_or(0)
    }

    /// `text` without about `length` bytes (whole characters) from a third of it.
    fn cut_at_a_third(text: &str, length: usize) -> String {
        let start = boundary_before(text, text.len() / 3);
        let end = boundary_before(text, start + length);
        format!("{}{}", &text[..start], &text[end..])
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

    /// PATCHED.md's changes for speed (the state restored only when it differs, plain
    /// scalars' ends marked once, the frozen schema not run, the dense parse table the build
    /// makes, hidden rules inlined) parse every rule fixture and scalars of every schema as
    /// the release does: from scratch, again incrementally after an edit in the middle, and
    /// with a piece cut out of their first third, which leaves nearly half of them with syntax
    /// errors, so that error recovery is compared too.
    #[test]
    fn the_patched_grammar_parses_as_the_release_does() {
        let release = tree_sitter_yaml::LANGUAGE;
        let scalars = [
            "k: true\nl: true x\nm: True\nn: FALSE\n",
            "k: 1.5e3\nl: -0.5\nm: .inf\nn: -.Inf\no: .nan\np: 1.5ex\n",
            "k: 0x1F\nl: 0o17\nm: 017\nn: +12\no: 12a\n",
            "k: ~\nl: null\nm: Null x\nn:\n",
            "k: a#b # comment\nl: a:b: c\nm: a: b\n",
            "k: [a, b:c, {d: e}, 1.5, true]\n",
            "k: one\n  two #not a comment\n  three # a comment\nl: x\n",
            "- a b c\n- 'q' # c\n- \"d\"\n-   spaced   out  \n",
        ];
        let texts = crate::fixtures::rule_fixtures().into_iter().map(|(_, text)| text).chain(scalars.map(String::from));
        for text in texts {
            let mut ours = parse(&text);
            let mut theirs = parse_with(release, &text, None);
            assert_eq!(shape(&ours), shape(&theirs), "{text}");
            let middle = boundary_before(&text, text.len() / 2);
            let edited = edit(&text, &mut ours, middle, "x: 1 #");
            edit(&text, &mut theirs, middle, "x: 1 #");
            let ours = parse_with(super::LANGUAGE, &edited, Some(&ours));
            let theirs = parse_with(release, &edited, Some(&theirs));
            assert_eq!(shape(&ours), shape(&theirs), "{edited}");
            assert_eq!(shape(&ours), shape(&parse(&edited)), "incremental and from scratch: {edited}");
            let cut = cut_at_a_third(&text, 9);
            assert_eq!(shape(&parse(&cut)), shape(&parse_with(release, &cut, None)), "{cut}");
        }
    }
}
