//! The outline of the analysed document, in byte ranges of its current text.

use std::ops::Range;

use super::Analyzer;
use crate::model::kind::FileKind;
use crate::model::outline::{self, Symbol};
use crate::model::view::{Entry, Resolver};
use crate::syntax::Source;

impl Analyzer {
    /// The document's outline, top-level symbols in text order. Value trees of tiles the
    /// last analysis built are reused.
    pub fn outline(&mut self, source: &mut Source) -> Vec<Symbol<Range<usize>>> {
        let bases = source.bases();
        let (tiles, rope) = source.snapshot();
        self.units.refresh(tiles, rope, bases);
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let symbols = match self.kind {
            FileKind::GithubWorkflow => {
                let entries = self.entries(&resolver, Some("jobs"));
                let jobs: Vec<Entry<'_>> = entries.jobs.iter().map(|(_, entry)| *entry).collect();
                outline::of_workflow(&entries.header, entries.jobs_key, &jobs)
            }
            FileKind::GithubAction => outline::of_action(&self.entries(&resolver, None).header),
            FileKind::GitlabCi => {
                let entries = self.entries(&resolver, None);
                let all: Vec<Entry<'_>> =
                    entries.header.iter().copied().chain(entries.jobs.iter().map(|(_, entry)| *entry)).collect();
                outline::of_pipeline(&all)
            }
        };
        let place = |span: &_| self.units.bases.resolve(*span);
        let mut placed: Vec<Symbol<Range<usize>>> =
            symbols.iter().filter_map(|symbol| symbol.placed(&place)).map(cover_children).collect();
        placed.sort_by_key(|symbol| symbol.range.start);
        placed
    }
}

/// Widens a symbol's range to its children's, as editors require of nested symbols: the
/// `jobs:` key's children are written in units of their own.
fn cover_children(mut symbol: Symbol<Range<usize>>) -> Symbol<Range<usize>> {
    symbol.children = symbol.children.into_iter().map(cover_children).collect();
    for child in &symbol.children {
        symbol.range = symbol.range.start.min(child.range.start)..symbol.range.end.max(child.range.end);
    }
    symbol
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tiling;

    #[test]
    fn the_jobs_key_covers_jobs_written_in_their_own_units() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n  b:\n    runs-on: x\n";
        let kind = FileKind::GithubWorkflow;
        let symbols = Analyzer::new(kind).outline(&mut Source::new(text, tiling(kind)));
        let jobs = symbols.iter().find(|symbol| symbol.name == "jobs").expect("a jobs symbol");
        assert_eq!(&text[jobs.selection.clone()], "jobs");
        assert_eq!(jobs.range, text.find("jobs").unwrap()..text.len());
        let names: Vec<&str> = jobs.children.iter().map(|job| job.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        let step = &jobs.children[0].children[0];
        assert_eq!(&text[step.selection.clone()], "make");
        assert_eq!(&text[step.range.clone()], "run: make\n");
    }
}
