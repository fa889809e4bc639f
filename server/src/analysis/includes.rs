//! Findings across GitLab files: GitLab merges the file that includes others with
//! `include: local:` and the files it includes into one configuration, so each file's jobs
//! run under the `workflow: rules:` (which pipelines run them: a job without rules of its own
//! runs in every pipeline they create, merge request pipelines included) and the global
//! `variables:` (what `$NAME` holds) written in any of them. Each included file is analysed
//! as part of that pipeline; what that adds to its findings alone is reported in the included
//! file, where the danger executes, naming the file and line that gave it.

use std::ops::Range;
use std::sync::Arc;

use super::calls::{CalledFile, CalleeAnalyses, annotated, raised};
use super::{Analyzer, Related, Reported, tiling};
use crate::model::gitlab::{GivenDefault, Pipeline, RuleClause, Template, Variable};
use crate::model::gitlab_variables::PipelineKind;
use crate::model::inclusion::Inclusion;
use crate::model::reach::Reach;
use crate::model::references::{self, Reference, ReferenceKind};
use crate::rules::RuleOptions;
use crate::syntax::Source;
use crate::syntax::span::Span;

/// The findings the jobs of the files `including` includes have only as part of its
/// pipeline, by the included file's path.
pub(super) fn included_from<'a>(
    including: CalledFile<'_>,
    included: &dyn Fn(&Reference<Range<usize>>) -> Vec<CalledFile<'a>>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<(String, Reported)> {
    let root = Read::of(including);
    let pipeline = Pipeline { globals: Arc::clone(&root.pipeline.globals), jobs: Vec::new() };
    // Each included file once, with the line of the `include:` entry that names it.
    let mut files: Vec<(usize, CalledFile<'a>)> = Vec::new();
    for reference in references::of_pipeline(&pipeline) {
        if reference.kind != ReferenceKind::GitlabInclude {
            continue;
        }
        let Some(range) = root.bases.resolve(reference.at) else { continue };
        let line = root.line_of(reference.at).unwrap_or_default();
        for file in included(&reference.placed(range)) {
            // A wildcard may match the including file itself.
            if file.path != including.path && files.iter().all(|(_, known)| known.path != file.path) {
                files.push((line, file));
            }
        }
    }
    let reads: Vec<Read> = files.iter().map(|(_, file)| Read::of(*file)).collect();
    // The including file's keys win; of the included files', the later include's.
    let mut given = Given::default();
    given.add(including.path, &root);
    for ((_, file), read) in files.iter().zip(&reads).rev() {
        given.add(file.path, read);
    }
    if given.workflow.is_none() && given.variables.is_empty() && given.templates.is_empty() && given.default.is_none() {
        return Vec::new();
    }
    // The including file's jobs, too, extend the templates of the files it includes.
    let mut reached: Vec<(String, Reported)> = reached_in(including, &root, &given, None, options, analyses)
        .into_iter()
        .map(|finding| (including.path.to_owned(), finding))
        .collect();
    for ((line, file), read) in files.into_iter().zip(&reads) {
        let includes = Related { path: including.path.to_owned(), line, message: format!("includes `{}`", file.path) };
        let found = reached_in(file, read, &given, Some(&includes), options, analyses);
        reached.extend(found.into_iter().map(|finding| (file.path.to_owned(), finding)));
    }
    reached
}

/// A GitLab file's pipeline model, and where its units start.
struct Read {
    pipeline: Pipeline,
    bases: crate::syntax::span::Bases,
    source: Source,
}

impl Read {
    fn of(file: CalledFile<'_>) -> Self {
        let mut source = Source::new(file.text, tiling(file.kind));
        let (pipeline, bases) = Analyzer::with_rules(file.kind, &[]).read_pipeline(&mut source);
        Self { pipeline, bases, source }
    }

    /// The 0-based line of a span of the file.
    fn line_of(&self, span: Span) -> Option<usize> {
        let rope = self.source.rope();
        self.bases.resolve(span).map(|range| rope.byte_to_line(range.start.min(rope.len_bytes())))
    }
}

/// A value a file of the pipeline gives, with the file and 0-based line it is written at.
struct Origin<T> {
    path: String,
    line: usize,
    value: T,
}

/// What the files of a pipeline give each other: the `workflow: rules:` that apply, the
/// global variables and the templates deciding where their extenders run, the first of each
/// name.
#[derive(Default)]
struct Given {
    workflow: Option<Origin<(Vec<RuleClause>, Reach)>>,
    variables: Vec<Origin<Variable>>,
    templates: Vec<Origin<Template>>,
    /// The `default:` image and `before_script`, of the first file that sets either, with
    /// the line of each.
    default: Option<Origin<(GivenDefault, [Option<usize>; 2])>>,
}
impl Given {
    /// Adds what `file` gives that the files added before it do not.
    fn add(&mut self, path: &str, file: &Read) {
        let globals = &file.pipeline.globals;
        if self.workflow.is_none()
            && let Some(first) = globals.workflow_rules.first()
        {
            let value = (globals.workflow_rules.clone(), globals.workflow_reach);
            self.workflow =
                Some(Origin { path: path.to_owned(), line: file.line_of(first.span).unwrap_or_default(), value });
        }
        if self.default.is_none()
            && let Some(default) = GivenDefault::of(globals)
        {
            let script = default.before_script.as_ref().and_then(|scripts| scripts.first());
            let image_line = default.image.as_ref().and_then(|image| file.line_of(image.name.span));
            let script_line = script.and_then(|script| file.line_of(script.text.span));
            let line = image_line.or(script_line).unwrap_or_default();
            self.default = Some(Origin { path: path.to_owned(), line, value: (default, [image_line, script_line]) });
        }
        for variable in &globals.variables {
            if self.variables.iter().all(|known| known.value.name.value != variable.name.value) {
                let line = file.line_of(variable.entry).unwrap_or_default();
                self.variables.push(Origin { path: path.to_owned(), line, value: variable.clone() });
            }
        }
        for template in file.pipeline.jobs.iter().filter_map(|job| Template::of(job)) {
            if self.templates.iter().all(|known| known.value.name.value != template.name.value) {
                let line = file.line_of(template.name.span).unwrap_or_default();
                self.templates.push(Origin { path: path.to_owned(), line, value: template });
            }
        }
    }

    fn workflow_rules(&self) -> &[RuleClause] {
        self.workflow.as_ref().map_or(&[], |workflow| &workflow.value.0)
    }
}

/// The findings of `file` as part of the pipeline that it does not have alone: first under
/// the `workflow: rules:` another file gives it and the rules its jobs take from the
/// templates other files define, then with the `variables:` other files set too, so that
/// each finding names what raised it.
fn reached_in(
    file: CalledFile<'_>,
    read: &Read,
    given: &Given,
    includes: Option<&Related>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<Reported> {
    let mut reached = Vec::new();
    let mut before = analyses.report(file, options.clone());
    let workflow = given.workflow.as_ref().filter(|workflow| workflow.path != file.path);
    let templates: Vec<&Origin<Template>> =
        given.templates.iter().filter(|template| template.path != file.path).collect();
    if workflow.is_some() || !templates.is_empty() {
        let rules = workflow.map_or(&[][..], |workflow| &workflow.value.0);
        let inclusion = Inclusion::new(rules, []).with_templates(templates.iter().map(|template| &template.value));
        let report = analyses.report(file, options.for_inclusion(inclusion));
        for finding in raised(&before, &report) {
            // A job whose rules another file's template gives is reached from there.
            let job =
                finding.job.as_deref().and_then(|name| read.pipeline.jobs.iter().find(|job| job.name.value == name));
            let extended = |template: &&&Origin<Template>| {
                job.is_some_and(|job| job.extends.iter().any(|parent| parent.value == template.value.name.value))
            };
            let found = match (templates.iter().find(extended), workflow) {
                (Some(template), _) => {
                    let name = &template.value.name.value;
                    let note = format!(
                        "reached from `{}:{}`, whose `{name}` gives it its rules",
                        template.path,
                        template.line + 1
                    );
                    linked(
                        finding,
                        &note,
                        template,
                        format!("decides where the jobs of `{}` that extend it run", file.path),
                        includes,
                    )
                }
                (None, Some(workflow)) => {
                    let pipelines = pipelines(&workflow.value.1);
                    let note = format!(
                        "reached from `{}:{}`, whose `workflow: rules:` run its jobs in {pipelines}",
                        workflow.path,
                        workflow.line + 1
                    );
                    linked(
                        finding,
                        &note,
                        workflow,
                        format!("runs the jobs of `{}` in {pipelines}", file.path),
                        includes,
                    )
                }
                // Raised through a template a job extends indirectly: too far to say which.
                (None, None) => continue,
            };
            reached.push(found);
        }
        before = report;
    }
    let others: Vec<&Origin<Variable>> = given.variables.iter().filter(|variable| variable.path != file.path).collect();
    if !others.is_empty() {
        let variables = given.variables.iter().map(|variable| &variable.value);
        let inclusion =
            Inclusion::new(given.workflow_rules(), variables).with_templates(templates.iter().map(|t| &t.value));
        let report = analyses.report(file, options.for_inclusion(inclusion));
        for finding in raised(&before, &report) {
            // The variable the finding names, else the first one another file sets.
            let named = others.iter().find(|variable| names(&finding.message, &variable.value.name.value));
            let variable = named.unwrap_or(&others[0]);
            let name = &variable.value.name.value;
            let (note, related) = match named {
                Some(_) => (
                    format!("whose `variables:` set `${name}`"),
                    format!("sets `${name}` for the jobs of `{}`", file.path),
                ),
                None => (
                    "whose `variables:` it reads".to_owned(),
                    format!("sets variables for the jobs of `{}`", file.path),
                ),
            };
            let note = format!("reached from `{}:{}`, {note}", variable.path, variable.line + 1);
            reached.push(linked(finding, &note, variable, related, includes));
        }
        before = report;
    }
    if let Some(default) = given.default.as_ref().filter(|default| default.path != file.path) {
        // The image first, then the `before_script` too, so that each finding names its key.
        let (all, [image_line, script_line]) = &default.value;
        let image = GivenDefault { image: all.image.clone(), before_script: None };
        for (key, given_default, line) in [("image", image, image_line), ("before_script", all.clone(), script_line)] {
            let Some(line) = *line else { continue };
            let variables = given.variables.iter().map(|variable| &variable.value);
            let inclusion = Inclusion::new(given.workflow_rules(), variables)
                .with_templates(templates.iter().map(|t| &t.value))
                .with_default(Some(&given_default));
            let report = analyses.report(file, options.for_inclusion(inclusion));
            let note =
                format!("reached from `{}:{}`, whose `default:` gives its jobs their `{key}`", default.path, line + 1);
            let origin = Origin { path: default.path.clone(), line, value: () };
            for finding in raised(&before, &report) {
                let related = format!("gives the jobs of `{}` their `{key}`", file.path);
                reached.push(linked(finding, &note, &origin, related, includes));
            }
            before = report;
        }
    }
    reached
}

/// The kinds of pipeline `reach` allows, for messages.
fn pipelines(reach: &Reach) -> String {
    let names: Vec<&str> =
        PipelineKind::ALL.into_iter().filter(|kind| kind.runs(reach).possible()).map(PipelineKind::name).collect();
    match names.split_last() {
        None => "no pipeline".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A finding raised by what `origin` gives, linked to it and to the `include:` entry.
fn linked<T>(
    finding: Reported,
    note: &str,
    origin: &Origin<T>,
    message: String,
    includes: Option<&Related>,
) -> Reported {
    let mut finding = annotated(finding, note, Related { path: origin.path.clone(), line: origin.line, message });
    let elsewhere =
        includes.filter(|includes| (includes.path.as_str(), includes.line) != (origin.path.as_str(), origin.line));
    finding.related.extend(elsewhere.cloned());
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
