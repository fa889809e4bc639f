//! The outline of a pipeline file: the keys worth showing, jobs and their steps, as a tree
//! of named places. Plain data read from the value tree's views; the editor's symbols are
//! made from it in the server layer.

use super::gitlab::is_job_key;
use super::view::{Entry, View};
use crate::syntax::span::Span;

/// One named place of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol<At = Span> {
    pub name: String,
    pub kind: SymbolKind,
    /// What the symbol covers: the whole `key: value` entry, or the whole step.
    pub range: At,
    /// What names it: the key, or the text a step is shown by.
    pub selection: At,
    pub children: Vec<Symbol<At>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A top-level key that groups others (`on`, `permissions`, `env`, `stages`, `include`...).
    Section,
    /// A workflow trigger under `on`.
    Trigger,
    Job,
    /// A GitLab hidden job (`.name`), which only others extend.
    Template,
    Step,
    /// A named entry of a section: a variable, an input, an output.
    Field,
}

impl<At> Symbol<At> {
    /// The same symbol with its places mapped, children included; `None` when a place is
    /// gone (its unit was edited away).
    pub fn placed<To>(&self, place: &impl Fn(&At) -> Option<To>) -> Option<Symbol<To>> {
        Some(Symbol {
            name: self.name.clone(),
            kind: self.kind,
            range: place(&self.range)?,
            selection: place(&self.selection)?,
            children: self.children.iter().filter_map(|child| child.placed(place)).collect(),
        })
    }
}

/// The top-level keys of a workflow shown besides `jobs`.
const WORKFLOW_SECTIONS: &[&str] = &["on", "permissions", "env", "concurrency", "defaults"];
/// The top-level keys of GitLab CI shown besides jobs.
const GITLAB_SECTIONS: &[&str] = &["stages", "variables", "include", "workflow", "default", "spec"];

/// A workflow's outline: its sections, then `jobs` with each job and its steps. `jobs_key`
/// is the `jobs:` key; a job's entries may be read from another unit than the key's.
pub fn of_workflow(header: &[Entry<'_>], jobs_key: Option<Span>, jobs: &[Entry<'_>]) -> Vec<Symbol> {
    let mut symbols: Vec<Symbol> = header
        .iter()
        .filter(|entry| entry.name().is_some_and(|name| WORKFLOW_SECTIONS.contains(&name)))
        .filter_map(|entry| match entry.name()? {
            "on" => section(entry, triggers(entry.value)),
            "env" => section(entry, fields(entry.value)),
            _ => section(entry, Vec::new()),
        })
        .collect();
    if let Some(key) = jobs_key {
        let children = jobs.iter().filter_map(|job| keyed(job, SymbolKind::Job, steps(job.value))).collect();
        // The key's span only: the server widens a symbol to cover its children.
        symbols.push(Symbol {
            name: "jobs".to_owned(),
            kind: SymbolKind::Section,
            range: key,
            selection: key,
            children,
        });
    }
    symbols
}

/// An action's outline: its inputs, outputs and (composite) steps.
pub fn of_action(entries: &[Entry<'_>]) -> Vec<Symbol> {
    let mut symbols: Vec<Symbol> = entries
        .iter()
        .filter(|entry| matches!(entry.name(), Some("inputs" | "outputs")))
        .filter_map(|entry| section(entry, fields(entry.value)))
        .collect();
    let runs = entries.iter().find(|entry| entry.name() == Some("runs")).map(|runs| runs.value);
    if let Some((runs, steps_entry)) = runs.and_then(|runs| Some((runs, runs.entry("steps")?))) {
        symbols.extend(section(&steps_entry, steps(runs)));
    }
    symbols
}

/// A GitLab pipeline's outline: its global sections and every job, hidden templates too.
pub fn of_pipeline(entries: &[Entry<'_>]) -> Vec<Symbol> {
    entries
        .iter()
        .filter_map(|entry| {
            let name = entry.name()?;
            if name.starts_with('.') {
                keyed(entry, SymbolKind::Template, Vec::new())
            } else if is_job_key(name) {
                keyed(entry, SymbolKind::Job, Vec::new())
            } else if GITLAB_SECTIONS.contains(&name) {
                section(entry, if name == "variables" { fields(entry.value) } else { Vec::new() })
            } else {
                None
            }
        })
        .collect()
}

fn section(entry: &Entry<'_>, children: Vec<Symbol>) -> Option<Symbol> {
    keyed(entry, SymbolKind::Section, children)
}

/// A symbol named by an entry's key, covering the whole entry.
fn keyed(entry: &Entry<'_>, kind: SymbolKind, children: Vec<Symbol>) -> Option<Symbol> {
    Some(Symbol { name: entry.name()?.to_owned(), kind, range: entry.pair.span, selection: entry.key.span, children })
}

/// The entries of a mapping, each a field.
fn fields(mapping: View<'_>) -> Vec<Symbol> {
    mapping.entries().iter().filter_map(|entry| keyed(entry, SymbolKind::Field, Vec::new())).collect()
}

/// The triggers of `on`: `on: push`, `on: [push, pull_request]` or `on: {push: ...}`.
fn triggers(on: View<'_>) -> Vec<Symbol> {
    if on.is_mapping() {
        return on.entries().iter().filter_map(|entry| keyed(entry, SymbolKind::Trigger, Vec::new())).collect();
    }
    on.items().into_iter().filter_map(|item| scalar(item, SymbolKind::Trigger)).collect()
}

fn scalar(view: View<'_>, kind: SymbolKind) -> Option<Symbol> {
    let name = view.as_str()?.to_owned();
    Some(Symbol { name, kind, range: view.span(), selection: view.span(), children: Vec::new() })
}

/// The steps of a job or of `runs:`, each named by its `name:`, else its `uses:`, else the
/// first line of its `run:`.
fn steps(holder: View<'_>) -> Vec<Symbol> {
    let Some(steps) = holder.get("steps") else { return Vec::new() };
    steps.sequence().into_iter().filter_map(step).collect()
}

fn step(step: View<'_>) -> Option<Symbol> {
    let shown =
        ["name", "uses", "run"].into_iter().find_map(|key| step.get(key).filter(|value| value.as_str().is_some()));
    let (name, selection) = match shown {
        Some(value) => (value.as_str()?.lines().find(|line| !line.trim().is_empty()).unwrap_or_default(), value.span()),
        None => ("step", step.span()),
    };
    Some(Symbol {
        name: name.trim().to_owned(),
        kind: SymbolKind::Step,
        range: step.span(),
        selection,
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::view::with_entries_for_tests;

    /// The outline as `(name, kind, children)`, without places.
    fn shape(symbols: &[Symbol]) -> Vec<(String, SymbolKind, Vec<String>)> {
        symbols
            .iter()
            .map(|symbol| (symbol.name.clone(), symbol.kind, symbol.children.iter().map(|c| c.name.clone()).collect()))
            .collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn a_workflow_shows_its_triggers_jobs_and_steps_named_as_written() {
        let text = "name: CI\non: [push, pull_request]\npermissions: {}\njobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n      - name: Test\n        run: make test\n      - run: |\n\n          make lint\n          make docs\n";
        let symbols = with_entries_for_tests(text, |entries| {
            let jobs = entries.iter().find(|entry| entry.name() == Some("jobs")).unwrap();
            of_workflow(entries, Some(jobs.key.span), &jobs.value.entries())
        });
        assert_eq!(
            shape(&symbols),
            [
                ("on".to_owned(), SymbolKind::Section, names(&["push", "pull_request"])),
                ("permissions".to_owned(), SymbolKind::Section, names(&[])),
                ("jobs".to_owned(), SymbolKind::Section, names(&["build"])),
            ]
        );
        let build = &symbols[2].children[0];
        assert_eq!(
            shape(&build.children).iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
            ["actions/checkout@v4", "Test", "make lint"]
        );
    }

    #[test]
    fn an_action_shows_inputs_outputs_and_steps() {
        let text = "name: A\ninputs:\n  title: {}\noutputs:\n  id: {value: x}\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";
        let symbols = with_entries_for_tests(text, of_action);
        assert_eq!(
            shape(&symbols),
            [
                ("inputs".to_owned(), SymbolKind::Section, names(&["title"])),
                ("outputs".to_owned(), SymbolKind::Section, names(&["id"])),
                ("steps".to_owned(), SymbolKind::Section, names(&["echo hi"])),
            ]
        );
    }

    #[test]
    fn a_pipeline_shows_jobs_templates_and_global_sections() {
        let text =
            "stages: [test]\nvariables:\n  A: b\n.base:\n  script: [x]\ntest:\n  extends: .base\nimage: alpine\n";
        let symbols = with_entries_for_tests(text, of_pipeline);
        assert_eq!(
            shape(&symbols),
            [
                ("stages".to_owned(), SymbolKind::Section, names(&[])),
                ("variables".to_owned(), SymbolKind::Section, names(&["A"])),
                (".base".to_owned(), SymbolKind::Template, names(&[])),
                ("test".to_owned(), SymbolKind::Job, names(&[])),
            ]
        );
    }
}
