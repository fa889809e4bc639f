//! The incremental engine against the from-scratch one: after any sequence of edits, with
//! analyses in between or not, the maintained text and tiles (each tile's place and tree)
//! equal a fresh parse of the final text, and the incremental report equals a fresh analysis.

use std::ops::Range;
use std::sync::Arc;

use pipewarden::analysis::{Analyzer, Report, analyze_text, ignore_fixes, tiling};
use pipewarden::model::kind::FileKind;
use pipewarden::syntax::Source;
use proptest::prelude::*;
use tree_sitter::Tree;

/// Starting documents: one of each kind, with findings, anchors and multi-line scalars.
const DOCUMENTS: &[(FileKind, &str)] = &[
    (
        FileKind::GithubWorkflow,
        "name: &title CI\nrun-name: ${{ github.event.issue.title }}\non: pull_request_target\npermissions: write-all\nenv: &env\n  A: b\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env: *env\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: |\n          echo \"${{ github.event.pull_request.title }}\"\n          make\n  # pipewarden: ignore[expression-injection]\n  other:\n    <<: &base {runs-on: x}\n    steps: [{run: \"echo ${{ github.head_ref }}\"}]\n",
    ),
    (
        FileKind::GithubAction,
        "name: a\ndescription: b\nruns:\n  using: composite\n  steps:\n    - run: echo ${{ github.event.issue.title }}\n      shell: bash\n",
    ),
    (
        FileKind::GitlabCi,
        ".base: &base\n  image: alpine\n  script: echo $CI_COMMIT_MESSAGE\nstages: [test]\ntest:\n  extends: .base\n  <<: *base\n  script:\n    - make\n",
    ),
];

/// Fragments that change YAML's structure, plus plain text.
const TOKENS: &[&str] = &[
    "",
    "x",
    "\n",
    "  ",
    ": ",
    "- ",
    "\"",
    "'",
    "${{ ",
    " }}",
    "|\n",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "<<: ",
    "# ",
    "\t",
    "\r\n",
    "jobs:\n",
    "é",
    "😀",
    "github.event.issue.body",
    "  job:\n    steps:\n      - run: x\n",
    "extends: .base\n",
    "\n\n",
    "name: ",
    "run-name: ",
    "*title",
    "# pipewarden: ignore[expression-injection]\n",
    " # pipewarden: ignore[all]",
];

#[derive(Debug, Clone)]
struct Edit {
    /// Where, as a fraction of the current length (so edits land anywhere in any text).
    at: f64,
    removed: usize,
    inserted: &'static str,
    analyze_after: bool,
}

fn edit() -> impl Strategy<Value = Edit> {
    (0.0..=1.0f64, 0..12usize, prop::sample::select(TOKENS), prop::bool::weighted(0.3))
        .prop_map(|(at, removed, inserted, analyze_after)| Edit { at, removed, inserted, analyze_after })
}

proptest! {
    // 256 cases, or as many as `PROPTEST_CASES` asks for (a longer search than CI's).
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn incremental_equals_fresh(document in 0..DOCUMENTS.len(), edits in prop::collection::vec(edit(), 1..40)) {
        let (kind, text) = DOCUMENTS[document];
        let mut source = Source::new(text, tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        let mut shadow = text.to_owned();
        analyzer.analyze(&mut source);
        for edit in &edits {
            let start = (edit.at * shadow.len() as f64) as usize;
            let applied = source.replace(start..start + edit.removed, edit.inserted);
            shadow.replace_range(applied.start..applied.old_end, edit.inserted);
            prop_assert_eq!(source.rope().to_string(), shadow.clone());
            if edit.analyze_after {
                let incremental = summary(&analyzer.analyze(&mut source), &mut source);
                prop_assert_eq!(incremental, fresh_summary(kind, &shadow), "text: {:?}", shadow);
            }
        }
        let fresh = tiles(&mut Source::new(&shadow, tiling(kind)));
        prop_assert_eq!(tiles(&mut source), fresh, "text: {:?}", shadow);
        let incremental = summary(&analyzer.analyze(&mut source), &mut source);
        prop_assert_eq!(incremental, fresh_summary(kind, &shadow), "text: {:?}", shadow);
    }
}

/// A tile's start, length, nesting and tree shape.
type TileShape = (usize, usize, Option<usize>, Vec<(String, Range<usize>, bool)>);

/// Each tile's place, nesting and tree shape.
fn tiles(source: &mut Source) -> Vec<TileShape> {
    source
        .tiles()
        .iter()
        .map(|tile| (tile.start, tile.len, tile.nested_indent, shape(tile.tree().expect("tiles() parses every tile"))))
        .collect()
}

/// Every node's kind and byte range in document order, walked without recursion.
fn shape(tree: &Tree) -> Vec<(String, Range<usize>, bool)> {
    let mut nodes = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        nodes.push((node.kind().to_owned(), node.byte_range(), node.is_missing()));
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

type Summary = (
    Vec<(&'static str, Range<usize>, Arc<str>, Vec<Vec<(Range<usize>, Arc<str>)>>)>,
    Vec<(Range<usize>, String)>,
    usize,
);

/// The summary of a fresh analysis of `text`.
fn fresh_summary(kind: FileKind, text: &str) -> Summary {
    summary(&analyze_text(kind, text), &mut Source::new(text, tiling(kind)))
}

/// What a user sees of a report of the source's text: findings with their fixes (the ones
/// that add suppression comments too), syntax errors, failures.
fn summary(report: &Report, source: &mut Source) -> Summary {
    (
        report
            .findings
            .iter()
            .map(|finding| {
                let fixes = finding
                    .fixes
                    .iter()
                    .chain(&ignore_fixes(source, finding))
                    .map(|fix| fix.edits.iter().map(|edit| (edit.range.clone(), edit.replacement.clone())).collect())
                    .collect();
                (finding.rule.id, finding.range.clone(), finding.message.clone(), fixes)
            })
            .collect(),
        report.syntax_errors.iter().map(|error| (error.range.clone(), error.message.clone())).collect(),
        report.failures.len(),
    )
}

/// Analyses `text`, applies each edit (a range of the text as it then is, and what replaces
/// it) with an analysis after each, and checks every report against a fresh analysis.
fn assert_edits_agree(kind: FileKind, text: &str, edits: &[(&str, &str)]) {
    let mut source = Source::new(text, tiling(kind));
    let mut analyzer = Analyzer::new(kind);
    let mut shadow = text.to_owned();
    analyzer.analyze(&mut source);
    for (old, new) in edits {
        let start = shadow.find(old).unwrap_or_else(|| panic!("{old:?} is not in {shadow:?}"));
        source.replace(start..start + old.len(), new);
        shadow.replace_range(start..start + old.len(), new);
        let incremental = summary(&analyzer.analyze(&mut source), &mut source);
        assert_eq!(incremental, fresh_summary(kind, &shadow), "after {old:?} -> {new:?}: {shadow:?}");
    }
}

#[test]
fn an_anchor_written_after_its_alias_is_seen_by_the_job_that_aliased_it() {
    // The job's `steps: *steps` names no anchor yet; the header then defines one.
    let text =
        "on: pull_request_target\nenv:\n  A: b\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: *steps\n";
    let header_anchor = "env: &steps\n  - run: echo ${{ github.event.pull_request.title }}\n";
    assert_edits_agree(FileKind::GithubWorkflow, text, &[("env:\n  A: b\n", header_anchor)]);
}

#[test]
fn an_anchor_that_comes_to_shadow_the_one_a_job_read_is_seen() {
    // `test` reads the header's `&s`, whose step injects; a harmless anchor of the same name
    // is then written in `lint`, between them, and `test` must read that one instead.
    let text = "on: pull_request_target\nenv: &s\n  - run: echo ${{ github.event.pull_request.title }}\njobs:\n  lint:\n    runs-on: x\n    steps: [{run: make}]\n  test:\n    runs-on: x\n    steps: *s\n";
    assert_edits_agree(FileKind::GithubWorkflow, text, &[("steps: [", "steps: &s [")]);
}

#[test]
fn a_template_written_after_the_job_that_extends_it_is_seen() {
    // The template comes to be by renaming a unit that the job never read.
    let text = "stages: [test]\ntest:\n  extends: .base\n  script:\n    - make\n.other:\n  before_script:\n    - eval \"$CI_COMMIT_MESSAGE\"\n";
    assert_edits_agree(FileKind::GitlabCi, text, &[(".other:", ".base:")]);
}

#[test]
fn an_anchor_the_header_comes_to_read_rechecks_every_job() {
    // `on: *trigger` names no anchor until one job's env defines it: then `b`, whose tile is
    // untouched, can be started by outsiders and has no timeout.
    let text = "jobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n    env: {E: pull_request_target}\n    steps: [{run: make}]\n  b:\n    runs-on: x\n    steps: [{run: make}]\non: *trigger\n";
    assert_edits_agree(FileKind::GithubWorkflow, text, &[("{E: ", "{E: &trigger ")]);
}

#[test]
fn a_template_whose_tile_held_no_entries_is_seen_once_it_does() {
    // The first tile, broken, is no mapping; its edit makes it `.base:`, which `test` extends.
    let text =
        ".base: &ba# pi\"n: ignore\nse\n  image: alpine\nstages: [test]\ntest:\n  extends: .base\n  script:\" - make\n";
    assert_edits_agree(FileKind::GitlabCi, text, &[("# pi\"n: ", "#|\n")]);
}
