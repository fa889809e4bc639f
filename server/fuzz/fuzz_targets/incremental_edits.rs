//! A document and a stream of edits, applied to an incrementally maintained source and
//! analyser: after every edit the text, the tree and (when the script asks) the report must
//! equal those of a fresh parse and a fresh analysis of the same text.
//!
//! Input: the document, then a `0xFF` byte (never in UTF-8), then edit records of
//! `flags start_lo start_hi removed replacement`, where `replacement` picks a YAML token
//! from [`TOKENS`] when its high bit is set and otherwise gives the length of the raw bytes
//! that follow. Flag bit 0 asks for an analysis after the edit.

#![no_main]

#[path = "support.rs"]
mod support;

use libfuzzer_sys::fuzz_target;
use pipewarden::analysis::{Analyzer, Report, analyze_text, tiling};
use pipewarden::syntax::Source;
use tree_sitter::Tree;

/// Fragments that make edits change YAML's structure more often than random bytes do.
const TOKENS: &[&str] = &[
    "\n", "  ", ": ", "- ", "\"", "'", "${{ ", " }}", "|\n", ">-\n", "{", "}", "[", "]", ", ",
    "&a ", "*a", "<<: ", "# ", "\t", "\r\n", "jobs:\n", "  build:\n", "    steps:\n",
    "      - run: ", "on: pull_request_target\n", "github.event.issue.title", "é", "😀",
    "permissions: write-all\n", "script: ", "extends: ", ".base:\n", "uses: actions/checkout@v4",
    "with:\n  ref: ${{ github.event.pull_request.head.sha }}\n", "---\n", "? ", "!!str ",
    "# pipewarden: ignore[all]\n", "runs:\n  using: composite\n  steps:\n",
];

fuzz_target!(|data: &[u8]| {
    let (text, script) = match data.iter().position(|&b| b == 0xFF) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Some((&kind, mut script)) = script.split_first() else {
        return;
    };
    let kind = support::kind_of(kind);
    let mut source = Source::new(text, tiling(kind));
    let mut analyzer = Analyzer::new(kind);
    let mut shadow = text.to_owned();
    compare(&analyzer.analyze(&mut source), &analyze_text(kind, &shadow));
    while let [flags, start_lo, start_hi, removed, replacement, rest @ ..] = script {
        let (replacement, rest) = if replacement & 0x80 != 0 {
            (TOKENS[usize::from(replacement & 0x7F) % TOKENS.len()].to_owned(), rest)
        } else {
            let len = usize::from(*replacement).min(rest.len());
            (String::from_utf8_lossy(&rest[..len]).into_owned(), &rest[len..])
        };
        script = rest;
        let start = usize::from(u16::from_le_bytes([*start_lo, *start_hi])) % (shadow.len() + 1);
        let end = start + usize::from(*removed);
        let edit = source.replace(start..end, &replacement);
        shadow.replace_range(edit.start..edit.old_end, &replacement);
        assert_eq!(source.rope().to_string(), shadow, "the text diverged");
        assert_eq!(
            tiles(&mut source),
            tiles(&mut Source::new(&shadow, tiling(kind))),
            "the incremental tiles differ from a fresh parse of:\n{shadow:?}"
        );
        if flags & 1 == 1 {
            compare(&analyzer.analyze(&mut source), &analyze_text(kind, &shadow));
        }
    }
    compare(&analyzer.analyze(&mut source), &analyze_text(kind, &shadow));
});

/// A tile's start, length, nesting and tree shape.
type TileShape = (usize, usize, Option<usize>, Vec<(u16, usize, usize, bool)>);

/// Each tile's place, nesting and tree shape.
fn tiles(source: &mut Source) -> Vec<TileShape> {
    source.tiles().iter().map(|tile| (tile.start, tile.len, tile.nested_indent, shape(tile.tree().expect("tiles() parses every tile")))).collect()
}

/// Every node's kind and byte range in document order, walked without recursion.
fn shape(tree: &Tree) -> Vec<(u16, usize, usize, bool)> {
    let mut nodes = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        nodes.push((node.kind_id(), node.start_byte(), node.end_byte(), node.is_missing()));
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return nodes;
            }
        }
    }
}

fn compare(incremental: &Report, fresh: &Report) {
    assert_eq!(summary(incremental), summary(fresh), "incremental and fresh reports differ");
}

type Summary = (Vec<(&'static str, std::ops::Range<usize>, std::sync::Arc<str>)>, Vec<(std::ops::Range<usize>, String)>, usize);

fn summary(report: &Report) -> Summary {
    (
        report
            .findings
            .iter()
            .map(|finding| (finding.rule.id, finding.range.clone(), finding.message.clone()))
            .collect(),
        report
            .syntax_errors
            .iter()
            .map(|error| (error.range.clone(), error.message.clone()))
            .collect(),
        report.failures.len(),
    )
}
