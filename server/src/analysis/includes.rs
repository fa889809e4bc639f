//! Findings across GitLab files: the file that includes others with `include: local:` gives
//! their jobs its `workflow: rules:` (which pipelines run them: a job without rules of its own
//! runs in every pipeline they create, merge request pipelines included) and its `variables:`
//! (what `$NAME` holds). Each included file is analysed as the including file includes it;
//! what that adds to its findings alone is reported in the included file, where the danger
//! executes, naming the including file.

use std::ops::Range;
use std::sync::Arc;

use super::calls::{CalledFile, CalleeAnalyses, annotated, raised};
use super::{Analyzer, Related, Reported, tiling};
use crate::model::gitlab::{Globals, Pipeline};
use crate::model::gitlab_variables::PipelineKind;
use crate::model::inclusion::Inclusion;
use crate::model::references::{self, Reference, ReferenceKind};
use crate::rules::RuleOptions;
use crate::syntax::Source;
use crate::syntax::span::Span;

/// The findings the jobs of the files `including` includes have only as it includes them,
/// by the included file's path.
pub(super) fn included_from<'a>(
    including: CalledFile<'_>,
    included: &dyn Fn(&Reference<Range<usize>>) -> Vec<CalledFile<'a>>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<(String, Reported)> {
    let mut source = Source::new(including.text, tiling(including.kind));
    let (globals, bases) = Analyzer::with_rules(including.kind, &[]).read_globals(&mut source);
    if Inclusion::of(&globals).is_empty() {
        return Vec::new();
    }
    let rope = source.rope();
    let line_of = |span: Span| bases.resolve(span).map(|range| rope.byte_to_line(range.start.min(rope.len_bytes())));
    let globals = Arc::new(globals);
    let pipeline = Pipeline { globals: Arc::clone(&globals), jobs: Vec::new() };
    let mut reached = Vec::new();
    for reference in references::of_pipeline(&pipeline) {
        if reference.kind != ReferenceKind::GitlabInclude {
            continue;
        }
        let Some(range) = bases.resolve(reference.at) else { continue };
        let from =
            Includer { path: including.path, line: line_of(reference.at).unwrap_or_default(), globals: &globals };
        for file in included(&reference.placed(range)) {
            // A wildcard may match the including file itself.
            if file.path == including.path {
                continue;
            }
            let found = reached_in(file, &from, &line_of, options, analyses);
            reached.extend(found.into_iter().map(|finding| (file.path.to_owned(), finding)));
        }
    }
    reached
}

/// The including file, as the included file's findings name it.
struct Includer<'a> {
    path: &'a str,
    /// The 0-based line of its `include:` entry.
    line: usize,
    globals: &'a Globals,
}

impl Includer<'_> {
    fn related(&self, line: usize, message: String) -> Related {
        Related { path: self.path.to_owned(), line, message }
    }
}

/// The findings of `file` as `includer` includes it that it does not have alone: first under
/// the includer's `workflow: rules:`, then with its `variables:` too, so that each finding
/// names what raised it.
fn reached_in(
    file: CalledFile<'_>,
    includer: &Includer<'_>,
    line_of: &dyn Fn(Span) -> Option<usize>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<Reported> {
    let globals = includer.globals;
    let includes = includer.related(includer.line, format!("includes `{}`", file.path));
    let mut reached = Vec::new();
    let mut before = analyses.report(file, options.clone());
    if let Some(first) = globals.workflow_rules.first() {
        let report = analyses.report(file, options.for_inclusion(Inclusion::workflow_of(globals)));
        let line = line_of(first.span).unwrap_or(includer.line);
        let pipelines: Vec<&str> = PipelineKind::ALL
            .into_iter()
            .filter(|kind| kind.runs(&globals.workflow_reach).possible())
            .map(PipelineKind::name)
            .collect();
        let pipelines = if pipelines.is_empty() { "no pipeline".to_owned() } else { pipelines.join(" and ") };
        let note = format!(
            "reached from `{}:{}`, whose `workflow: rules:` run its jobs in {pipelines}",
            includer.path,
            line + 1
        );
        let related = format!("runs the jobs of `{}` in {pipelines}", file.path);
        for finding in raised(&before, &report) {
            let finding = annotated(finding, &note, includer.related(line, related.clone()));
            reached.push(annotated_also(finding, includes.clone()));
        }
        before = report;
    }
    if !globals.variables.is_empty() {
        let report = analyses.report(file, options.for_inclusion(Inclusion::of(globals)));
        for finding in raised(&before, &report) {
            // The variable the finding names, else the `variables:` mapping.
            let named = globals.variables.iter().find(|variable| names(&finding.message, &variable.name.value));
            let (line, note, related) = match named {
                Some(variable) => (
                    line_of(variable.entry),
                    format!("whose `variables:` set `${}`", variable.name.value),
                    format!("sets `${}` for the jobs of `{}`", variable.name.value, file.path),
                ),
                None => (
                    line_of(globals.variables[0].mapping.key),
                    "whose `variables:` it reads".to_owned(),
                    format!("its `variables:` are read by the jobs of `{}`", file.path),
                ),
            };
            let line = line.unwrap_or(includer.line);
            let note = format!("reached from `{}:{}`, {note}", includer.path, line + 1);
            let finding = annotated(finding, &note, includer.related(line, related));
            reached.push(annotated_also(finding, includes.clone()));
        }
    }
    reached
}

fn annotated_also(mut finding: Reported, related: Related) -> Reported {
    finding.related.push(related);
    finding
}

/// Whether a message names the variable `$name`.
fn names(message: &str, name: &str) -> bool {
    message.match_indices(&format!("${name}")).any(|(at, found)| {
        let after = message[at + found.len()..].chars().next();
        after.is_none_or(|next| !(next.is_ascii_alphanumeric() || next == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_message_names_a_variable_by_its_whole_name() {
        assert!(names("`$TITLE` is parsed again", "TITLE"));
        assert!(names("through `$TITLE`,", "TITLE"));
        assert!(!names("`$TITLE_2` is parsed again", "TITLE"));
        assert!(!names("TITLE is parsed again", "TITLE"));
    }
}
