//! Navigation in the analysed document, in byte ranges of its current text: the outline,
//! and the links from names to what they name (definition and references).

use std::ops::Range;

use super::{Analyzer, Entries};
use crate::model::kind::FileKind;
use crate::model::links::{self, Link, Target};
use crate::model::outline::{self, Symbol, SymbolKind};
use crate::model::view::Entry;
use crate::syntax::Source;

impl Analyzer {
    /// The document's outline, top-level symbols in text order.
    pub fn outline(&mut self, source: &mut Source) -> Vec<Symbol<Range<usize>>> {
        let kind = self.kind;
        let symbols = self.read(source, |entries| match kind {
            FileKind::GithubWorkflow => outline::of_workflow(&entries.header, entries.jobs_key, &jobs(entries)),
            FileKind::GithubAction => outline::of_action(&entries.header),
            FileKind::GitlabCi => outline::of_pipeline(&all(entries)),
        });
        let place = |span: &_| self.units.bases.resolve(*span);
        let mut placed: Vec<Symbol<Range<usize>>> =
            symbols.iter().filter_map(|symbol| symbol.placed(&place)).map(cover_children).collect();
        placed.sort_by_key(|symbol| symbol.range.start);
        placed
    }

    /// The document's links from names to what they name.
    pub fn links(&mut self, source: &mut Source) -> Vec<Link<Range<usize>>> {
        let kind = self.kind;
        let links = self.read(source, |entries| match kind {
            FileKind::GithubWorkflow => links::of_workflow(&jobs(entries)),
            FileKind::GithubAction => Vec::new(),
            FileKind::GitlabCi => links::of_pipeline(&all(entries)),
        });
        links.iter().filter_map(|link| link.placed(&|span| self.units.bases.resolve(span))).collect()
    }
}

/// Where a GitLab file defines the template (or job) `name`: its key.
pub fn template_key(text: &str, name: &str) -> Option<Range<usize>> {
    let kind = FileKind::GitlabCi;
    let symbols = Analyzer::with_rules(kind, &[]).outline(&mut Source::new(text, super::tiling(kind)));
    let defines = |symbol: &Symbol<Range<usize>>| symbol.name == name && symbol.kind != SymbolKind::Section;
    symbols.into_iter().find(defines).map(|symbol| symbol.selection)
}

/// What the name at `offset` names.
pub fn definition_at(links: &[Link<Range<usize>>], offset: usize) -> Option<&Target<Range<usize>>> {
    links.iter().find(|link| touches(&link.from, offset)).map(|link| &link.to)
}

/// A place of the file and where it is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub place: Range<usize>,
    pub names: Vec<Range<usize>>,
}

/// The place at `offset` (a job's or template's key, or a name of one) and where it is
/// named in the file.
pub fn references_at(links: &[Link<Range<usize>>], offset: usize) -> Option<Named> {
    let defined = |link: &Link<Range<usize>>| match &link.to {
        Target::Here(to) => Some(to.clone()),
        Target::Template(_) => None,
    };
    let place = links
        .iter()
        .filter_map(defined)
        .find(|to| touches(to, offset))
        .or_else(|| links.iter().filter(|link| touches(&link.from, offset)).find_map(defined))?;
    let names =
        links.iter().filter(|link| defined(link).as_ref() == Some(&place)).map(|link| link.from.clone()).collect();
    Some(Named { place, names })
}

/// Whether `offset` is in `range` or just after it, where the cursor is after typing a name.
fn touches(range: &Range<usize>, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}

fn jobs<'a>(entries: &Entries<'a>) -> Vec<Entry<'a>> {
    entries.jobs.iter().map(|(_, entry)| *entry).collect()
}

/// A GitLab file's top-level entries: its global keys and its jobs.
fn all<'a>(entries: &Entries<'a>) -> Vec<Entry<'a>> {
    entries.header.iter().copied().chain(jobs(entries)).collect()
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

    fn links_of(kind: FileKind, text: &str) -> Vec<Link<Range<usize>>> {
        Analyzer::new(kind).links(&mut Source::new(text, tiling(kind)))
    }

    #[test]
    fn a_name_leads_to_its_definition_and_a_definition_to_its_names() {
        let text = "on: push\njobs:\n  a:\n    runs-on: x\n  b:\n    needs: a\n    if: needs.a.result\n";
        let links = links_of(FileKind::GithubWorkflow, text);
        let key = text.find("a:").unwrap();
        let need = text.find("needs: a").unwrap() + "needs: ".len();
        assert_eq!(definition_at(&links, need + 1), Some(&Target::Here(key..key + 1)), "at the end of the name too");
        assert_eq!(definition_at(&links, key), None, "a key names nothing");
        let condition = text.find("needs.a").unwrap();
        let expected = Named { place: key..key + 1, names: vec![need..need + 1, condition..condition + 14] };
        assert_eq!(references_at(&links, key), Some(expected.clone()));
        assert_eq!(references_at(&links, need), Some(expected), "from a name, the same references");
        assert_eq!(references_at(&links, text.find("push").unwrap()), None);
    }

    #[test]
    fn templates_are_found_by_name_in_other_files() {
        let text = "stages: [a]\n.base:\n  script: [x]\nbuild:\n  extends: .remote\n";
        assert_eq!(template_key(text, ".base"), Some(12..17));
        assert_eq!(template_key(text, "stages"), None, "a global keyword is no template");
        let links = links_of(FileKind::GitlabCi, text);
        let extends = text.find(".remote").unwrap();
        assert_eq!(definition_at(&links, extends), Some(&Target::Template(".remote".to_owned())));
    }
}
