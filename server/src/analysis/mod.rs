//! Analysis: model building and rule runs over a document, incrementally.
//!
//! Each keystroke costs an incremental re-parse of the tile it edits, a walk over the tiles,
//! and a rebuild and re-check of the units the edit touched. A job's model and findings are kept
//! while every unit they were built from (the job itself, the workflow header, anchors read
//! through aliases, GitLab jobs it extends) is unchanged, and no unit built since holds an
//! anchor of a name the job's aliases follow (found or not: the new anchor may be the one
//! they now resolve to).

mod calls;
mod describe;
mod entries;
mod fingerprint;
mod includes;
mod navigation;
mod paths;
mod report;
pub mod reports;
mod run;
mod suppress;
mod units;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ropey::Rope;

pub use calls::{
    CalledFile, CalleeAnalyses, ParsedCallee, WorkflowRead, file_links, reached_from, workflow_name, workflow_secrets,
};
pub use describe::{Description, describe_at};
pub use fingerprint::fingerprints;
pub use navigation::{Named, definition_at, references_at, template_key};
pub use paths::{Asset, AttackPath, Starter, Step, headline};
pub use report::{FileLinks, FixKind, Related, Report, Reported, ResolvedEdit, ResolvedFix, RuleFailure, ignore_fixes};
pub use run::panic_message;

use crate::model::Spanned;
use crate::model::action::build_action;
use crate::model::call::PassedHead;
use crate::model::contexts::JobList;
use crate::model::github::{self, Job, Workflow};
use crate::model::gitlab::{self, GitlabJob, JobScope, Pipeline};
use crate::model::interface;
use crate::model::kind::FileKind;
use crate::model::references::{self, Reference, ReferenceKind};
use crate::model::view::{AnchorTable, Entry, Reads, Resolver};
use crate::rules::{Finding, JobContext, REGISTRY, Rule, RuleOptions, StepContext, unused_suppression};
use crate::syntax::errors::SyntaxError;
use crate::syntax::span::{Bases, Span, UnitId, UnitMap};
use crate::syntax::{Source, Tile, Tiling, TreeNeed};
use entries::{JobFacts, PathFacts};
use run::{Found, RuleRunner};
use suppress::{Parsed, ParsedTiles, SuppressionCache, TileRead};
use units::{Role, Unit, Units};

/// The incremental analysis state of one document.
pub struct Analyzer {
    kind: FileKind,
    rules: &'static [&'static dyn Rule],
    options: Arc<RuleOptions>,
    units: Units,
    jobs: KeptJobs,
    suppression_cache: SuppressionCache,
}

/// A job by the unit it is written in and its name.
type JobKey = (UnitId, Arc<str>);

/// The job outputs of the last analysis, sorted by key. Every keystroke looks up every job:
/// a binary search does that without hashing or copying the job's name.
#[derive(Default)]
struct KeptJobs {
    outputs: Vec<(JobKey, Arc<JobOutput>)>,
    /// Which of the outputs' findings were made with other options than the analyzer's.
    stale: StaleFindings,
}

/// Which kept findings a change of options left stale (the models stay good while the
/// options read them alike).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
enum StaleFindings {
    #[default]
    None,
    /// Only the call changed: the findings of rules that do not read it still hold.
    OfRulesReadingTheCall,
    All,
}

impl KeptJobs {
    fn get(&self, unit: UnitId, name: &str) -> Option<&(JobKey, Arc<JobOutput>)> {
        let outputs = &self.outputs;
        let found = outputs.binary_search_by(|((own_unit, own_name), _)| (*own_unit, &**own_name).cmp(&(unit, name)));
        found.ok().map(|index| &outputs[index])
    }

    fn replace(&mut self, mut outputs: Vec<(JobKey, Arc<JobOutput>)>) {
        outputs.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        self.outputs = outputs;
        self.stale = StaleFindings::None;
    }

    fn forget_findings(&mut self, stale: StaleFindings) {
        self.stale = self.stale.max(stale);
    }

    fn clear(&mut self) {
        self.outputs.clear();
    }
}

/// What was learnt from one job. The model stays valid while the units it was read from
/// (`model_deps`) are live; the findings also need the units the rules read besides the job
/// (`check_deps`: the header), so editing the header re-runs the rules on the kept models.
struct JobOutput {
    model_deps: ModelDeps,
    check_deps: Arc<[UnitId]>,
    model: JobModel,
    findings: Vec<Finding>,
    failures: Vec<RuleFailure>,
    facts: Option<Arc<JobFacts>>,
}

impl JobOutput {
    /// What the rules found in the job, and which of them failed.
    fn found(&self) -> Found<'_> {
        Found { findings: &self.findings, failures: &self.failures }
    }
}

/// What a job's model was read from: the units (its own, those its aliases led into, for a
/// GitLab job those of the jobs it extends) and the names of the aliases it followed.
#[derive(Clone)]
struct ModelDeps {
    units: Vec<UnitId>,
    aliases: Box<[Box<str>]>,
}

impl ModelDeps {
    /// The dependencies of a model written in `unit` that read `reads` through aliases.
    fn new(unit: UnitId, reads: Reads) -> Self {
        let mut units = vec![unit];
        units.extend(reads.units);
        Self { units, aliases: reads.aliases.into() }
    }
}

/// What checking a job gives: its findings, the rules that failed on it, and what attack
/// paths need of it (none for a GitLab template, which never runs itself).
#[derive(Default)]
struct Checked {
    findings: Vec<Finding>,
    failures: Vec<RuleFailure>,
    facts: Option<JobFacts>,
}

#[derive(Clone)]
enum JobModel {
    Github(Arc<Job>),
    Gitlab(Arc<GitlabJob>),
}

impl JobModel {
    fn github(&self) -> Option<Arc<Job>> {
        match self {
            JobModel::Github(job) => Some(Arc::clone(job)),
            JobModel::Gitlab(_) => None,
        }
    }

    fn gitlab(&self) -> Option<Arc<GitlabJob>> {
        match self {
            JobModel::Gitlab(job) => Some(Arc::clone(job)),
            JobModel::Github(_) => None,
        }
    }
}

/// A job's model for this analysis: kept with its output from the last one, or built afresh.
struct ModelOf {
    key: JobKey,
    model: Model,
}

enum Model {
    Kept(Arc<JobOutput>),
    Built { model: JobModel, deps: ModelDeps },
}

impl ModelOf {
    fn model(&self) -> &JobModel {
        match &self.model {
            Model::Kept(output) => &output.model,
            Model::Built { model, .. } => model,
        }
    }
}

/// The units of the jobs each job needs, directly or not: a job's checks read their outputs
/// (`needs.<job>.outputs.*`), so editing one of them re-checks it.
struct NeededUnits<'a> {
    by_id: HashMap<&'a str, (UnitId, &'a [Spanned<String>])>,
}

impl<'a> NeededUnits<'a> {
    fn new(models: &'a [ModelOf]) -> Self {
        let needs = |of: &'a ModelOf| match of.model() {
            JobModel::Github(job) => Some((&*of.key.1, (of.key.0, job.needs.as_slice()))),
            JobModel::Gitlab(_) => None,
        };
        // Most workflows' jobs need none: then no job is looked up by name.
        let any_needs = models.iter().filter_map(needs).any(|(_, (_, needs))| !needs.is_empty());
        let by_id = if any_needs { models.iter().filter_map(needs).collect() } else { HashMap::new() };
        Self { by_id }
    }

    fn units(&self, job: &str) -> Vec<UnitId> {
        let mut units = Vec::new();
        let Some((_, needs)) = self.by_id.get(job).filter(|(_, needs)| !needs.is_empty()) else { return units };
        let mut seen = HashSet::from([job]);
        let mut pending: Vec<&str> = needs.iter().map(|n| n.as_str()).collect();
        while let Some(next) = pending.pop() {
            if !seen.insert(next) {
                continue;
            }
            // A needed job that does not exist yet still counts, as an absent unit.
            let Some((unit, needs)) = self.by_id.get(next) else {
                units.push(UnitId(u32::MAX));
                continue;
            };
            units.push(*unit);
            pending.extend(needs.iter().map(|n| n.as_str()));
        }
        units.sort_unstable();
        units
    }
}

impl Analyzer {
    pub fn new(kind: FileKind) -> Self {
        Self::with_rules(kind, REGISTRY)
    }

    /// An analyzer running a chosen set of rules with default options.
    pub fn with_rules(kind: FileKind, rules: &'static [&'static dyn Rule]) -> Self {
        Self::configured(kind, rules, Arc::default())
    }

    /// An analyzer running a chosen set of rules with the user's options. Cached findings
    /// depend on the options: a change of options needs a new analyzer.
    pub fn configured(kind: FileKind, rules: &'static [&'static dyn Rule], options: Arc<RuleOptions>) -> Self {
        Self {
            kind,
            rules,
            options,
            units: Units::default(),
            jobs: KeptJobs::default(),
            suppression_cache: SuppressionCache::default(),
        }
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Runs the rules with `options` from the next analysis on. The units read from the text
    /// stay, and the jobs' models unless the new options read them otherwise; the jobs'
    /// findings go, except those of rules that do not read a call when only the call
    /// changed. A callee analysed as each of its callers calls it builds its models once, and
    /// runs only the rules that read the call again.
    pub fn reconfigure(&mut self, options: Arc<RuleOptions>) {
        if self.options != options {
            if !models_alike(&self.options, &options) {
                self.jobs.clear();
            } else if self.options.differ_only_in_calls(&options) {
                self.jobs.forget_findings(StaleFindings::OfRulesReadingTheCall);
            } else {
                self.jobs.forget_findings(StaleFindings::All);
            }
            self.options = options;
        }
    }

    /// Analyses the source's current text, reusing whatever its edits did not touch.
    pub fn analyze(&mut self, source: &mut Source) -> Report {
        self.analyze_keeping_trees(source).0
    }

    /// [`Analyzer::analyze`], also giving a workflow's model as its rules read it.
    fn analyze_with_model(&mut self, source: &mut Source) -> (Report, Option<WorkflowRead>) {
        let (report, workflow) = self.analyze_keeping_trees(source);
        let (bases, rope) = (&self.units.bases, source.rope());
        (report, workflow.map(|workflow| WorkflowRead::new(workflow, bases.clone(), rope.clone())))
    }

    /// The report and a workflow's model, the trees and value trees kept for the next edit.
    fn analyze_keeping_trees(&mut self, source: &mut Source) -> (Report, Option<Workflow>) {
        if let Some(report) = too_large(source.rope().len_bytes()) {
            return (report, None);
        }
        // Of the trees, suppressions read those of tiles near a comment that mentions
        // pipewarden; no other tile's is kept.
        let near_comments = self.suppression_cache.refresh_mentions(source.layout(), source.rope());
        let (tiles, rope) = self.refresh_units(source, |tile| near_comments.contains(&tile.id));
        let syntax_errors = tiles.iter().flat_map(Tile::syntax_errors).collect();
        self.report(syntax_errors, Parsed { tiles: ParsedTiles::Trees(tiles), rope }, ValueTrees::Kept, Vec::new())
    }

    /// Brings the units up to date with the source's tiles, building value trees only for
    /// tiles that changed. Of the tiles' syntax trees, only those `keep` asks for stay (and
    /// that of the tile the latest edit touched).
    fn refresh_units<'s>(&mut self, source: &'s mut Source, keep: impl Fn(&Tile) -> bool) -> (&'s [Tile], &'s Rope) {
        let bases = source.bases();
        let units = &self.units;
        let mut fresh = UnitMap::default();
        let (tiles, rope) = source.refresh_tiles(
            |tile| TreeNeed { read: !units.has(tile.id), keep: keep(tile) },
            |tile, rope| {
                fresh.insert(tile.id, Unit::build(tile, rope));
            },
        );
        self.units.refresh(tiles, rope, bases, fresh);
        (tiles, rope)
    }

    /// Analyses the source's text as [`Analyzer::analyze`] does, for a text no edit will
    /// follow: each tile's tree is dropped once its unit, its syntax errors and what
    /// suppressions need of it are read, instead of all trees being held to the end.
    pub fn analyze_once(&mut self, source: &mut Source) -> Report {
        self.analyze_once_with_model(source).0
    }

    /// [`Analyzer::analyze_once`], also giving a workflow's model as its rules read it, for
    /// the analysis of another file to read (a caller's `with:`) without a second parse.
    pub fn analyze_once_with_model(&mut self, source: &mut Source) -> (Report, Option<WorkflowRead>) {
        if let Some(report) = too_large(source.rope().len_bytes()) {
            return (report, None);
        }
        let bases = source.bases();
        let mentions = suppress::mention_lines(source.rope());
        // Made at their size: grown by doubling, they would hold up to twice the room.
        let tiles = source.layout().len();
        let (mut units, mut syntax_errors, mut read) =
            (Vec::with_capacity(tiles), Vec::new(), Vec::with_capacity(tiles));
        // A workflow's jobs are modelled as their tiles are read, and their value trees go
        // at once: the trees of every job are never held, nor held beside every model.
        // (A GitLab job's model reads the jobs it extends, wherever they are written.)
        let stream_jobs = self.kind == FileKind::GithubWorkflow;
        let mut streamed = Vec::with_capacity(if stream_jobs { tiles } else { 0 });
        let mut anchors = AnchorTable::default();
        let every_tile = |_: &Tile| TreeNeed { read: true, keep: false };
        source.refresh_tiles(every_tile, |tile, rope| {
            let unit = Unit::build(tile, rope);
            syntax_errors.extend(tile.syntax_errors());
            read.push(TileRead::read(tile, rope, &mentions));
            if stream_jobs {
                // Every unit's anchors, for the aliases of the jobs that follow.
                anchors.add_in_order(&unit.built.anchors, &bases);
            }
            if stream_jobs && unit.role == Role::Job {
                let resolver = Resolver::new(&anchors, &bases, rope);
                let entries: Vec<_> = jobs_of(&resolver, &unit).collect();
                streamed.extend(self.job_models(&entries, |unit, entry| self.github_job(&resolver, unit, entry)));
                units.push(unit.anchors_only());
            } else {
                units.push(unit);
            }
        });
        self.units.set(units, bases);
        let parsed = Parsed { tiles: ParsedTiles::Read(&read), rope: source.rope() };
        let (report, workflow) = self.report(syntax_errors, parsed, ValueTrees::Dropped, streamed);
        let bases = &self.units.bases;
        (report, workflow.map(|workflow| WorkflowRead::new(workflow, bases.clone(), source.rope().clone())))
    }

    /// The report on the current units, whose tiles `parsed` holds, and a workflow's model.
    fn report(
        &mut self,
        syntax_errors: Vec<SyntaxError>,
        parsed: Parsed<'_>,
        trees: ValueTrees,
        // Jobs whose models were built as their tiles were read.
        streamed: Vec<ModelOf>,
    ) -> (Report, Option<Workflow>) {
        let rope = parsed.rope;
        let mut runner = RuleRunner::new(self.rules);
        let Read { findings, jobs: outputs, notes, facts, references, workflow_name, workflow } = match self.kind {
            FileKind::GithubWorkflow => self.analyze_workflow(rope, &mut runner, trees, streamed),
            FileKind::GitlabCi => self.analyze_pipeline(rope, &mut runner, trees),
            FileKind::GithubAction => self.analyze_action(rope, &mut runner, trees),
        };
        let report_unused = self.rules.iter().any(|rule| rule.meta() == &unused_suppression::META);
        let taken: Vec<Vec<Finding>>;
        let (job_findings, workflow): (Vec<&[Finding]>, _) = match trees {
            // Job findings are read where they are kept, not cloned: most jobs' are unchanged.
            ValueTrees::Kept => (outputs.iter().map(|output| output.findings.as_slice()).collect(), workflow),
            // Read once, the models go before the report is made (they are most of the
            // memory an analysis takes), unless another file's analysis reads the workflow.
            ValueTrees::Dropped => {
                self.jobs.clear();
                let workflow = workflow
                    .filter(|workflow| read_by_other_files(workflow.is_callable(), references.iter().map(|r| &r.kind)));
                taken = outputs.into_iter().map(take_findings).collect();
                (taken.iter().map(Vec::as_slice).collect(), workflow)
            }
        };
        let from_jobs = job_findings.iter().flat_map(|findings| findings.iter()).map(|finding| {
            let note = notes.get(&(finding.rule.id, finding.span)).map(String::as_str);
            (finding, note)
        });
        // Listed first, so the report's list is made at its size rather than grown.
        let count = findings.len() + job_findings.iter().map(|findings| findings.len()).sum::<usize>();
        let mut all = Vec::with_capacity(count);
        all.extend(findings.iter().map(|finding| (finding, None)));
        all.extend(from_jobs);
        let mut report = report::assemble(
            &all,
            runner.into_failures(),
            syntax_errors,
            &self.units.bases,
            parsed,
            report_unused,
            &mut self.suppression_cache,
        );
        report.workflow_name = workflow_name;
        report.references = references
            .iter()
            .filter_map(|reference| Some(reference.placed(self.units.bases.resolve(reference.at)?)))
            .collect();
        let (entry, jobs) = facts.resolve(&self.units.bases);
        let paths = paths::build(&report.findings, &jobs, entry.as_ref());
        paths::raise(&mut report.findings, &paths);
        report.set_paths(paths);
        report.starts = paths::starts(entry, &jobs);
        (report, workflow)
    }

    fn analyze_workflow(
        &mut self,
        rope: &Rope,
        runner: &mut RuleRunner,
        trees: ValueTrees,
        streamed: Vec<ModelOf>,
    ) -> Read {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let Entries { header: header_entries, jobs: job_entries, header_units, jobs_key } =
            self.entries(&resolver, Some("jobs"));
        let header = github::build_header(&header_entries, jobs_key);
        let header_deps = header_deps(header_units, resolver.take_reads(), &anchors);
        // Read as a caller calls it, a reusable workflow runs under the caller's triggers.
        let header = Arc::new(match &self.options.call {
            Some(call) => call.header_for(&header),
            None => header,
        });
        let mut models = self.job_models(&job_entries, |unit, entry| self.github_job(&resolver, unit, entry));
        if models.is_empty() {
            models = streamed;
        } else if !streamed.is_empty() {
            // Jobs written in a top-level tile (a second `jobs:`) keep their place in the file.
            models.extend(streamed);
            let bases = &self.units.bases;
            models.sort_by_key(|of| bases.base(of.key.0));
        }
        self.models_built(trees);
        let jobs: Vec<Arc<Job>> = models.iter().filter_map(|of| of.model().github()).collect();
        let lookup = JobList(&jobs);
        let needed = NeededUnits::new(&models);
        let options = &*self.options;
        let check = |model: &JobModel, earlier: Option<&JobOutput>| match model {
            JobModel::Github(job) => {
                let (findings, failures) = runner.isolated(earlier.map(JobOutput::found), |rule, out| {
                    let context = JobContext { header: &header, job, jobs: &lookup, options };
                    rule.check_job(&context, out);
                    for index in 0..job.steps.len() {
                        let context = StepContext::Workflow { header: &header, job, jobs: &lookup, index, options };
                        rule.check_step(&context, &job.steps[index], out);
                    }
                });
                Checked { findings, failures, facts: Some(entries::github_job(&header, job)) }
            }
            JobModel::Gitlab(_) => Checked::default(),
        };
        let check_deps: Vec<Arc<[UnitId]>> = models
            .iter()
            .map(|of| match needed.units(&of.key.1) {
                needs if needs.is_empty() => Arc::clone(&header_deps),
                needs => header_deps.iter().chain(&needs).copied().collect(),
            })
            .collect();
        let outputs = self.check_jobs(rope, models.into_iter().zip(check_deps), check);
        let workflow = Workflow { header: Arc::clone(&header), jobs };
        let findings = runner.run(|rule, out| rule.check_workflow(&workflow, out));
        let (outputs, jobs) = self.collect(outputs, runner);
        let facts = PathFacts { entry: entries::workflow_entry(&workflow.header), jobs };
        let references = references::of_workflow(&workflow);
        let workflow_name = workflow.header.name.as_ref().map(|name| name.value.clone());
        let workflow = self.options.call.is_none().then_some(workflow);
        Read { findings, jobs: outputs, notes: HashMap::new(), facts, references, workflow_name, workflow }
    }

    fn analyze_pipeline(&mut self, rope: &Rope, runner: &mut RuleRunner, trees: ValueTrees) -> Read {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let Entries { header: header_entries, jobs: job_entries, header_units, .. } = self.entries(&resolver, None);
        let globals = gitlab::build_globals(&header_entries);
        let header_deps = header_deps(header_units, resolver.take_reads(), &anchors);
        // Read as another file includes it, the pipeline has that file's globals too.
        let globals = Arc::new(match &self.options.included {
            Some(inclusion) => inclusion.globals_for(&globals),
            None => globals,
        });
        let default = header_entries.iter().find(|entry| entry.name() == Some("default")).map(|entry| entry.value);
        let by_name: HashMap<&str, (UnitId, Entry)> =
            job_entries.iter().filter_map(|(unit, entry)| Some((entry.name()?, (*unit, *entry)))).collect();
        let extended = std::cell::RefCell::new(Vec::new());
        let lookup = |name: &str| {
            let (unit, entry) = by_name.get(name)?;
            extended.borrow_mut().push(*unit);
            Some(entry.value)
        };
        let check = |model: &JobModel, earlier: Option<&JobOutput>| match model {
            JobModel::Gitlab(job) if !job.hidden => {
                let earlier = earlier.map(JobOutput::found);
                let (findings, failures) =
                    runner.isolated(earlier, |rule, out| rule.check_gitlab_job(&globals, job, out));
                Checked { findings, failures, facts: Some(entries::gitlab_job(&globals, job)) }
            }
            _ => Checked::default(),
        };
        let models = self.job_models(&job_entries, |unit, entry| {
            resolver.forget_reads();
            extended.borrow_mut().clear();
            let scope = JobScope::new(entry.value, &lookup, default);
            let job = Arc::new(gitlab::build_job(entry, &scope, &globals)?);
            let mut deps = ModelDeps::new(unit, resolver.take_reads());
            // `default:` is inherited, so the model depends on the header too.
            deps.units.extend(header_deps.iter());
            deps.units.extend(extended.borrow_mut().drain(..));
            Some((JobModel::Gitlab(job), deps))
        });
        self.models_built(trees);
        let with_deps = models.into_iter().map(|of| (of, Arc::clone(&header_deps)));
        let outputs = self.check_jobs(rope, with_deps, check);
        let jobs = outputs.iter().filter_map(|(_, output)| output.model.gitlab()).collect();
        let pipeline = Pipeline { globals, jobs };
        let findings = runner.run(|rule, out| rule.check_pipeline(&pipeline, out));
        let notes = inheriting_jobs(&outputs)
            .into_iter()
            .map(|(at, jobs)| (at, format!(" (inherited by {})", jobs.join(", "))))
            .collect();
        let (outputs, jobs) = self.collect(outputs, runner);
        let facts = PathFacts { entry: None, jobs };
        let references = references::of_pipeline(&pipeline);
        Read { findings, jobs: outputs, notes, facts, references, workflow_name: None, workflow: None }
    }

    fn analyze_action(&mut self, rope: &Rope, runner: &mut RuleRunner, trees: ValueTrees) -> Read {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let entries = self.entries(&resolver, None);
        let action = build_action(&entries.header);
        self.models_built(trees);
        let options = &*self.options;
        let findings = runner.run(|rule, out| {
            rule.check_action(&action, out);
            for (index, step) in action.runs.iter().flat_map(|runs| &runs.steps).enumerate() {
                rule.check_step(&StepContext::Action { action: &action, index, options }, step, out);
            }
        });
        let references = references::of_action(&action);
        let facts = PathFacts::default();
        let workflow_name = None;
        Read { findings, jobs: Vec::new(), notes: HashMap::new(), facts, references, workflow_name, workflow: None }
    }

    /// The model of the workflow job `entry`, written in `unit`, with the units it was read
    /// from (its own, and those its aliases point into).
    fn github_job(&self, resolver: &Resolver<'_>, unit: UnitId, entry: &Entry<'_>) -> Option<(JobModel, ModelDeps)> {
        resolver.forget_reads();
        let job = github::build_job(entry)?;
        // Read as a caller calls it, inputs that name a pull request's head read as the
        // caller's context path.
        let job = Arc::new(match &self.options.call {
            Some(call) => call.job_for(job),
            None => job,
        });
        Some((JobModel::Github(job), ModelDeps::new(unit, resolver.take_reads())))
    }

    /// Once every model is built, the value trees are read no more in this analysis: unless
    /// they are kept for the next one, they go before the rules add their findings.
    fn models_built(&mut self, trees: ValueTrees) {
        if trees == ValueTrees::Dropped {
            self.units.drop_values();
        }
    }

    /// The whole workflow model of the source's text, without running rules, and where its
    /// units start: how another file's analysis reads this one (a caller's `with:`).
    fn read_workflow(&mut self, source: &mut Source) -> (Workflow, Bases) {
        let workflow = self.read(source, |entries| {
            let header = Arc::new(github::build_header(&entries.header, entries.jobs_key));
            let jobs = entries.jobs.iter().filter_map(|(_, entry)| github::build_job(entry)).map(Arc::new).collect();
            Workflow { header, jobs }
        });
        (workflow, self.units.bases.clone())
    }

    /// The whole pipeline model of a GitLab file's text, templates included, without running
    /// rules, and where its units start: how the other files of its pipeline read it.
    fn read_pipeline(&mut self, source: &mut Source) -> (Pipeline, Bases) {
        let pipeline = self.read(source, |entries| {
            let globals = Arc::new(gitlab::build_globals(&entries.header));
            let default = entries.header.iter().find(|entry| entry.name() == Some("default")).map(|entry| entry.value);
            let lookup = |name: &str| {
                entries.jobs.iter().find(|(_, entry)| entry.name() == Some(name)).map(|(_, entry)| entry.value)
            };
            let jobs = entries
                .jobs
                .iter()
                .filter_map(|(_, entry)| {
                    gitlab::build_job(entry, &JobScope::new(entry.value, &lookup, default), &globals)
                })
                .map(Arc::new)
                .collect();
            Pipeline { globals, jobs }
        });
        (pipeline, self.units.bases.clone())
    }

    /// What `read` reads of the source's entries (a workflow's jobs apart from its header),
    /// reusing the value trees of tiles the last analysis built.
    fn read<T>(&mut self, source: &mut Source, read: impl FnOnce(&Entries) -> T) -> T {
        let (_, rope) = self.refresh_units(source, |tile| tile.tree().is_some());
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let jobs_key = (self.kind == FileKind::GithubWorkflow).then_some("jobs");
        read(&self.entries(&resolver, jobs_key))
    }

    /// The document's entries, sorted into header and jobs.
    fn entries<'a>(&'a self, resolver: &'a Resolver<'a>, jobs_key: Option<&str>) -> Entries<'a> {
        let mut entries = Entries::default();
        for unit in self.units.iter() {
            if unit.role == Role::Job {
                entries.jobs.extend(jobs_of(resolver, unit));
                continue;
            }
            let unit_entries = resolver.view(&unit.built.node).entries();
            // A unit of no entries (broken, or only comments) may hold any once edited: until
            // then, jobs depend on it as on any other part of the header.
            let read_by_jobs =
                unit_entries.is_empty() || unit_entries.iter().any(|entry| !self.unread_by_jobs(entry.name()));
            if read_by_jobs {
                entries.header_units.push(unit.id);
            }
            for entry in unit_entries {
                let is_jobs = jobs_key.is_some() && entry.name() == jobs_key;
                let is_gitlab_job = self.kind == FileKind::GitlabCi && entry.name().is_some_and(gitlab::is_job_key);
                if is_jobs {
                    entries.jobs_key = Some(entry.key.span);
                    entries.jobs.extend(entry.value.entries().into_iter().map(|job| (unit.id, job)));
                } else if is_gitlab_job {
                    entries.jobs.push((unit.id, entry));
                } else {
                    entries.header.push(entry);
                }
            }
        }
        entries
    }

    /// Whether no job's checks read a top-level key: a workflow's `name:` and `run-name:`
    /// are only shown in the UI, so typing in them re-checks no job.
    fn unread_by_jobs(&self, key: Option<&str>) -> bool {
        self.kind == FileKind::GithubWorkflow && matches!(key, Some("name" | "run-name"))
    }

    /// The model of each job, in order: kept if every unit it was read from is unchanged,
    /// else built afresh.
    fn job_models<'e>(
        &self,
        job_entries: &[(UnitId, Entry<'e>)],
        // Builds the model of a job entry written in a unit.
        build: impl Fn(UnitId, &Entry<'e>) -> Option<(JobModel, ModelDeps)>,
    ) -> Vec<ModelOf> {
        let mut models = Vec::with_capacity(job_entries.len());
        // Every job of every keystroke is looked up: a hash cheaper than SipHash for names.
        let mut seen = HashSet::with_capacity_and_hasher(job_entries.len(), foldhash::fast::RandomState::default());
        for (unit, entry) in job_entries {
            let Some(name) = entry.name() else { continue };
            // A duplicate job name: the first one is kept.
            if !seen.insert((*unit, name)) {
                continue;
            }
            let kept = self.jobs.get(*unit, name).filter(|(_, output)| self.is_live(&output.model_deps));
            let of = match kept {
                Some(((_, name), output)) => {
                    ModelOf { key: (*unit, Arc::clone(name)), model: Model::Kept(Arc::clone(output)) }
                }
                None => match build(*unit, entry) {
                    Some((model, deps)) => {
                        ModelOf { key: (*unit, Arc::from(name)), model: Model::Built { model, deps } }
                    }
                    None => continue,
                },
            };
            models.push(of);
        }
        models
    }

    /// The output of each job: cached if its model and everything its checks read (the
    /// header, the jobs it needs) are unchanged, else checked again, `check` given the
    /// earlier output when the findings of rules that do not read the call still hold.
    fn check_jobs(
        &self,
        rope: &Rope,
        models: impl IntoIterator<Item = (ModelOf, Arc<[UnitId]>)>,
        check: impl Fn(&JobModel, Option<&JobOutput>) -> Checked,
    ) -> Vec<(JobKey, Arc<JobOutput>)> {
        models
            .into_iter()
            .map(|(of, deps)| {
                let (model, model_deps, earlier) = match of.model {
                    Model::Kept(output) => {
                        let checked_alike = output.check_deps == deps;
                        if checked_alike && self.jobs.stale == StaleFindings::None {
                            return (of.key, output);
                        }
                        let reusable = checked_alike && self.jobs.stale == StaleFindings::OfRulesReadingTheCall;
                        (output.model.clone(), output.model_deps.clone(), reusable.then_some(output))
                    }
                    Model::Built { model, deps } => (model, deps, None),
                };
                let Checked { mut findings, failures, facts } = check(&model, earlier.as_deref());
                for finding in &mut findings {
                    finding.job = Some(Arc::clone(&of.key.1));
                }
                report::settle_extents(&mut findings, &self.units.bases, rope);
                let output =
                    JobOutput { model_deps, check_deps: deps, model, findings, failures, facts: facts.map(Arc::new) };
                (of.key, Arc::new(output))
            })
            .collect()
    }

    /// Whether a kept model still reads what a new one would: every unit it was read from is
    /// unchanged, and no anchor named as one of its aliases was written since.
    fn is_live(&self, deps: &ModelDeps) -> bool {
        deps.units.iter().all(|dep| self.units.bases.is_live(*dep))
            && !deps.aliases.iter().any(|name| self.units.has_fresh_anchor(name))
    }

    /// Keeps this analysis's job outputs for the next one and returns them, in order, with
    /// what attack paths need of them.
    fn collect(
        &mut self,
        outputs: Vec<(JobKey, Arc<JobOutput>)>,
        runner: &mut RuleRunner,
    ) -> (Vec<Arc<JobOutput>>, Vec<Arc<JobFacts>>) {
        let mut kept = Vec::with_capacity(outputs.len());
        let mut facts = Vec::new();
        for (_, output) in &outputs {
            kept.push(Arc::clone(output));
            facts.extend(output.facts.clone());
            runner.record_failures(&output.failures);
        }
        self.jobs.replace(outputs);
        self.units.jobs_modelled();
        (kept, facts)
    }
}

/// Whether jobs' models read the same under options `a` as under `b`. Of the options, a
/// model reads only what a call or an inclusion changes in the jobs themselves: the pull
/// request heads a caller passes ([`Analyzer::github_job`]) and the globals an including
/// file gives (`analyze_pipeline`). The rest of a call (its triggers, secrets, tainted
/// inputs) and every other option are read by the rules alone.
fn models_alike(a: &RuleOptions, b: &RuleOptions) -> bool {
    fn heads(options: &RuleOptions) -> &[PassedHead] {
        options.call.as_ref().map_or(&[], |call| &call.heads)
    }
    heads(a) == heads(b) && a.included == b.included
}

/// The jobs a job unit holds (one, unless its tile is broken), each with the unit.
fn jobs_of<'a>(resolver: &'a Resolver<'a>, unit: &'a Unit) -> impl Iterator<Item = (UnitId, Entry<'a>)> {
    resolver.view(&unit.built.node).entries().into_iter().map(move |entry| (unit.id, entry))
}

/// The units a header was read from: those it is written in, those its aliases led into, and
/// those that hold an anchor of an alias's name (one written since in another unit would
/// change what the alias resolves to). Every job's checks read the header.
fn header_deps(mut units: Vec<UnitId>, reads: Reads, anchors: &AnchorTable) -> Arc<[UnitId]> {
    units.extend(reads.units);
    for name in &reads.aliases {
        units.extend(anchors.units_defining(name));
    }
    units.sort_unstable();
    units.dedup();
    units.into()
}

/// A job's findings, taken out of its output so that its model goes with the rest.
fn take_findings(output: Arc<JobOutput>) -> Vec<Finding> {
    Arc::try_unwrap(output).map_or_else(|shared| shared.findings.clone(), |output| output.findings)
}

/// Whether other files' analyses read a workflow's model: one that can be called, or that
/// calls files of its repository (whose analyses as called read its `with:`).
fn read_by_other_files<'r>(callable: bool, mut references: impl Iterator<Item = &'r ReferenceKind>) -> bool {
    callable || references.any(|kind| *kind != ReferenceKind::Remote)
}

/// For GitLab findings written outside the job they were found in (in a template it extends,
/// an anchor, `default:`), the jobs that inherit them: one finding at the definition then
/// names every job it reaches.
fn inheriting_jobs(outputs: &[(JobKey, Arc<JobOutput>)]) -> HashMap<(&'static str, Span), Vec<String>> {
    let mut inherited: HashMap<(&'static str, Span), Vec<String>> = HashMap::new();
    for (_, output) in outputs {
        let JobModel::Gitlab(job) = &output.model else { continue };
        let own = job.span;
        for finding in &output.findings {
            if !own.contains(finding.span) {
                inherited.entry((finding.rule.id, finding.span)).or_default().push(format!("`{}`", job.name.value));
            }
        }
    }
    inherited
}

/// What becomes of the value trees of a document's units after an analysis.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueTrees {
    /// Kept, for the next analysis of the edited document to reuse those of unchanged units.
    Kept,
    /// Dropped once the models are built: the text is analysed once.
    Dropped,
}

/// What the analysis of one file read: its findings, what attack paths need, and what it
/// names in other files.
struct Read {
    /// The findings about the whole file.
    findings: Vec<Finding>,
    /// The output of each job, holding the job's findings.
    jobs: Vec<Arc<JobOutput>>,
    /// What to add to the message of a job's finding, by rule and place: the GitLab jobs
    /// that inherit it.
    notes: HashMap<(&'static str, Span), String>,
    facts: PathFacts,
    references: Vec<Reference>,
    /// A workflow's `name:`.
    workflow_name: Option<String>,
    /// A workflow's model as the rules read it, when read as it is (not as a caller calls it).
    workflow: Option<Workflow>,
}

/// The document's entries, sorted into header and jobs.
#[derive(Default)]
struct Entries<'a> {
    header: Vec<Entry<'a>>,
    jobs: Vec<(UnitId, Entry<'a>)>,
    /// The units the header was read from that jobs' checks read: every job's analysis
    /// depends on them.
    header_units: Vec<UnitId>,
    /// The `jobs:` key of a workflow.
    jobs_key: Option<Span>,
}

/// How a file of this kind is cut into tiles: workflows get a tile per job.
pub fn tiling(kind: FileKind) -> Tiling {
    match kind {
        FileKind::GithubWorkflow => Tiling::Nested { key: "jobs" },
        FileKind::GithubAction | FileKind::GitlabCi => Tiling::TopLevel,
    }
}

/// Analyses a whole text once with default options.
pub fn analyze_text(kind: FileKind, text: &str) -> Report {
    analyze_text_with(kind, text, Arc::default())
}

/// Analyses a whole text once with the user's options, as `check` does.
pub fn analyze_text_with(kind: FileKind, text: &str, options: Arc<RuleOptions>) -> Report {
    // Checked before parsing: the tree alone of a file past the bound costs more than the
    // bound is there to keep.
    too_large(text.len()).unwrap_or_else(|| {
        Analyzer::configured(kind, REGISTRY, options).analyze_once(&mut Source::new(text, tiling(kind)))
    })
}

/// What [`analyze_text_for_workspace`] gives: the report, and what the cross-file pass
/// would otherwise parse the text again for.
pub struct WorkspaceAnalysis {
    pub report: Report,
    /// The model of a workflow that pass reads: one that calls files of its repository or
    /// can be called.
    pub model: Option<Arc<WorkflowRead>>,
    /// The parsed text of a file other files can call (an action, a reusable workflow), with
    /// its analyzer, for its analyses as called.
    pub parsed: Option<ParsedCallee>,
    /// The text analysed, for placing the report's findings.
    pub rope: Rope,
}

/// [`analyze_text_with`] before a cross-file pass, keeping what that pass reads of the file.
/// The text is taken, and let go once the source holds it: a large file's text is not held
/// twice while it is analysed.
pub fn analyze_text_for_workspace(kind: FileKind, text: String, options: Arc<RuleOptions>) -> WorkspaceAnalysis {
    if let Some(refused) = too_large(text.len()) {
        return WorkspaceAnalysis { report: refused, model: None, parsed: None, rope: Rope::from_str(&text) };
    }
    let callable = may_be_called(kind, &text);
    let mut source = Source::new(&text, tiling(kind));
    drop(text);
    let mut analyzer = Analyzer::configured(kind, REGISTRY, options);
    // A text read once lets its value trees go too; one that callers will analyse again
    // keeps them (and its models) for their analyses.
    let (report, model) =
        if callable { analyzer.analyze_with_model(&mut source) } else { analyzer.analyze_once_with_model(&mut source) };
    let model = model
        .filter(|model| read_by_other_files(model.is_callable(), report.references.iter().map(|r| &r.kind)))
        .map(Arc::new);
    // A rope's clone shares its text.
    let rope = source.rope().clone();
    let parsed = callable.then(|| ParsedCallee::new(source, analyzer));
    WorkspaceAnalysis { report, model, parsed, rope }
}

/// Texts longer than this are not kept parsed for callers: a kept parse holds the text's
/// value trees and models until the cross-file pass, and that pass can parse a large file
/// again. Above the largest real pipeline file seen (415 KiB), below a generated one.
const MAX_KEPT_PARSED_BYTES: usize = 512 << 10;

/// Whether other files of the repository may call the file: an action, or a workflow that
/// names the trigger reusable workflows have (GitLab's included files are not kept: any
/// file can be included).
fn may_be_called(kind: FileKind, text: &str) -> bool {
    let may = match kind {
        FileKind::GithubAction => true,
        FileKind::GithubWorkflow => interface::may_be_reusable(text),
        FileKind::GitlabCi => false,
    };
    may && text.len() <= MAX_KEPT_PARSED_BYTES
}

/// The largest file analysed. Pipeline files are kilobytes (the largest of 2,164 real ones
/// is 415 KiB); the bound keeps a generated or hostile file of tens of megabytes from
/// costing gigabytes, as the analysis takes about 22 bytes of memory per byte of input in
/// `check` (BENCHMARKS.md), more in the language server, which keeps value trees and models
/// for the next keystroke.
pub const MAX_ANALYSED_BYTES: usize = 8 << 20;

/// For a text longer than [`MAX_ANALYSED_BYTES`], a report of one error that says so.
fn too_large(len: usize) -> Option<Report> {
    if len <= MAX_ANALYSED_BYTES {
        return None;
    }
    let message = format!(
        "this file is {:.1} MiB; pipewarden analyses pipeline files of up to {} MiB, so it was not analysed",
        len as f64 / f64::from(1 << 20),
        MAX_ANALYSED_BYTES >> 20
    );
    let mut report = Report::default();
    report.syntax_errors.push(SyntaxError { range: 0..0, message });
    Some(report)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::matrix::Technique;
    use crate::model::call::{Call, GivenSecrets, PassedInput};
    use crate::model::contexts::{Controller, Taint};
    use crate::model::gitlab::{GitlabJob, Globals};
    use crate::rules::{Confidence, Findings, Platform, RuleDocs, RuleMeta, Severity};

    /// The GitLab jobs the rules were shown, in order.
    static SEEN: Mutex<Vec<GitlabJob>> = Mutex::new(Vec::new());

    struct Capture;

    static CAPTURE: RuleMeta = RuleMeta {
        id: "capture",
        technique: Technique::EX06,
        severity: Severity::Info,
        confidence: Confidence::Low,
        platforms: &[Platform::GitlabCi],
        docs: RuleDocs { summary: "", detects: "", why: "", attack: "", example: "", fixed_example: "", fix: "" },
        references: &[],
    };

    impl Rule for Capture {
        fn meta(&self) -> &'static RuleMeta {
            &CAPTURE
        }

        fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, _out: &mut Findings) {
            SEEN.lock().unwrap().push(job.clone());
        }
    }

    static CAPTURING: &[&dyn Rule] = &[&Capture];

    /// Suppressions above and inside `run: |` scripts (a finding in a script belongs to the
    /// line its scalar starts on), one that names no rule, a U+2028 line break, a lone `\r`,
    /// and a job tree-sitter gives up in.
    const SUPPRESSED: &str = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      \
        # pipewarden: ignore[expression-injection]\n      - run: |\n          echo hi\n          \
        echo \"${{ github.event.issue.title }}\"\n      - run: |\n          # pipewarden: ignore[expression-injection]\n          \
        echo \"${{ github.event.issue.body }}\"\n      - run: echo \"\u{2028}${{ github.event.issue.title }}\" # pipewarden: ignore[all]\n  \
        b:\n    runs-on: ubuntu-latest\r    steps:\n      - run: echo \"${{ github.event.issue.title }}\"  # pipewarden: ignore[nothing-here]\n  \
        c:\n    steps: [\n      - run: \"${{ github.event.issue.title }}\n    key: : value\n";

    /// A file's findings are held until its report is made: those that say the same (one
    /// context injected in two jobs) share one copy of their message, fix title and edits.
    #[test]
    fn findings_alike_share_their_texts() {
        let job = |name: &str| {
            format!(
                "  {name}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{{{ github.event.issue.title }}}}\"\n"
            )
        };
        let text = format!("on: issues\npermissions: {{}}\njobs:\n{}{}", job("a"), job("b"));
        let kind = FileKind::GithubWorkflow;
        let report = Analyzer::new(kind).analyze_once(&mut Source::new(&text, tiling(kind)));
        let injections: Vec<&Reported> =
            report.findings.iter().filter(|finding| finding.rule.id == "expression-injection").collect();
        let [a, b] = injections[..] else { panic!("one injection per job: {injections:?}") };
        assert!(Arc::ptr_eq(&a.message, &b.message));
        let (fix_a, fix_b) = (&a.fixes[0], &b.fixes[0]);
        assert!(Arc::ptr_eq(&fix_a.title, &fix_b.title));
        assert!(!fix_a.edits.is_empty() && fix_a.edits.len() == fix_b.edits.len());
        for (x, y) in fix_a.edits.iter().zip(&fix_b.edits) {
            assert!(Arc::ptr_eq(&x.replacement, &y.replacement));
        }
    }

    /// A callee analysed as each of its callers calls it keeps its jobs' models from one way
    /// of calling to the next, unless the new call changes what a model reads (the pull
    /// request heads it passes); each report is the one an analyzer made for that call gives.
    /// A pull request's title, as a caller passes it.
    fn title_taint() -> Taint {
        Taint {
            controller: Controller::Outsider,
            origin: "github.event.pull_request.title".to_owned(),
            what: "the pull request's title".to_owned(),
            via: Vec::new(),
            privileged: true,
            events_unknown: false,
            multiline: false,
        }
    }

    /// A call from a workflow that runs on `events`.
    fn call_on(events: &str) -> Call {
        let caller = github::parse_for_tests(&format!("on: {events}\njobs: {{}}\n"));
        Call { triggers: Some(Call::passed_triggers(&caller.header.triggers)), ..Call::default() }
    }

    /// A reusable workflow with findings of rules that read the call (an injected input, a
    /// checkout of what the caller names) and of rules that do not (an unpinned action, a
    /// script piped from the network).
    const CALLED: &str = "on:\n  workflow_call:\n    inputs:\n      title: {type: string}\n      ref: {type: string}\n\
        jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        \
        with:\n          ref: ${{ inputs.ref }}\n      - run: echo \"${{ inputs.title }}\"\n      \
        - uses: someone/setup@main\n      - run: curl -s https://example.com/install.sh | sh\n";

    #[test]
    fn a_reconfigured_analyzer_keeps_its_models_and_reports_as_a_fresh_one() {
        let text = CALLED;
        let under_target = call_on("pull_request_target");
        let title = PassedInput { name: "title".to_owned(), taint: title_taint() };
        let head = PassedHead { name: "ref".to_owned(), head: "github.event.pull_request.head.sha".to_owned() };
        let alone = RuleOptions::default();
        // Each with whether the models read under the previous options are kept.
        let calls = [
            (alone.for_call(under_target.clone()), true),
            (alone.for_call(Call { inputs: vec![title], ..under_target.clone() }), true),
            (alone.for_call(Call { heads: vec![head], ..under_target }), false),
            (alone.clone(), false),
        ];
        let kind = FileKind::GithubWorkflow;
        let mut source = Source::new(text, tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        let mut reports = vec![analyzer.analyze(&mut source).findings];
        let model = |analyzer: &Analyzer| analyzer.jobs.outputs[0].1.model.github().expect("a workflow job");
        for (options, kept) in calls {
            let before = model(&analyzer);
            analyzer.reconfigure(Arc::new(options.clone()));
            let report = analyzer.analyze(&mut source);
            assert_eq!(Arc::ptr_eq(&before, &model(&analyzer)), kept, "{options:?}");
            let fresh =
                Analyzer::configured(kind, REGISTRY, Arc::new(options)).analyze(&mut Source::new(text, tiling(kind)));
            assert_eq!(report.findings, fresh.findings);
            reports.push(report.findings);
        }
        // Each call changes what is found: findings made under other options are not kept.
        assert!(reports.windows(2).all(|pair| pair[0] != pair[1]), "{reports:#?}");
    }

    /// The findings an analyzer keeps for its jobs, as the rules made them (before attack
    /// paths raise any), of the rules that `keep` picks.
    fn job_findings(analyzer: &Analyzer, keep: impl Fn(&Finding) -> bool) -> Vec<Finding> {
        let outputs = analyzer.jobs.outputs.iter().flat_map(|(_, output)| &output.findings);
        outputs.filter(|finding| keep(finding)).cloned().collect()
    }

    fn reads_the_call(finding: &Finding) -> bool {
        REGISTRY.iter().any(|rule| rule.meta() == finding.rule && rule.reads_the_call())
    }

    #[test]
    fn under_another_call_only_the_rules_that_read_it_run_again() {
        let kind = FileKind::GithubWorkflow;
        let mut source = Source::new(CALLED, tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        analyzer.analyze(&mut source);
        let alone = job_findings(&analyzer, |_| true);
        let title = PassedInput { name: "title".to_owned(), taint: title_taint() };
        analyzer
            .reconfigure(Arc::new(RuleOptions::default().for_call(Call { inputs: vec![title], ..call_on("push") })));
        analyzer.analyze(&mut source);
        let called = job_findings(&analyzer, |_| true);
        let made_again = |finding: &Finding| {
            let same = |earlier: &&Finding| earlier.span == finding.span && earlier.rule == finding.rule;
            alone.iter().find(same).is_none_or(|earlier| !Arc::ptr_eq(&earlier.message, &finding.message))
        };
        let (read, not_read): (Vec<&Finding>, Vec<&Finding>) = called.iter().partition(|f| reads_the_call(f));
        assert!(!read.is_empty() && !not_read.is_empty(), "{called:#?}");
        assert!(read.iter().all(|finding| made_again(finding)), "rules that read the call run again: {read:#?}");
        assert!(not_read.iter().all(|finding| !made_again(finding)), "the others' findings are kept: {not_read:#?}");
    }

    /// A rule that says it does not read the call must find the same in every workflow of the
    /// rule fixtures, however it is called: under outsiders' triggers, given every secret or
    /// none, with every input it reads written by an outsider, with a pull request's head.
    #[test]
    fn rules_that_do_not_read_the_call_find_the_same_however_a_workflow_is_called() {
        let mut workflows = 0;
        for (path, text) in crate::fixtures::rule_fixtures() {
            if crate::model::kind::detect(&path.to_string_lossy(), &text) != Some(FileKind::GithubWorkflow) {
                continue;
            }
            workflows += 1;
            let analyzed = |options: RuleOptions| {
                let kind = FileKind::GithubWorkflow;
                let mut analyzer = Analyzer::configured(kind, REGISTRY, Arc::new(options));
                analyzer.analyze(&mut Source::new(&text, tiling(kind)));
                job_findings(&analyzer, |finding| !reads_the_call(finding))
            };
            let alone = analyzed(RuleOptions::default());
            let inputs: Vec<PassedInput> = text
                .match_indices("inputs.")
                .map(|(at, prefix)| {
                    let name = &text[at + prefix.len()..];
                    let end = name.find(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-');
                    name[..end.unwrap_or(name.len())].to_owned()
                })
                .map(|name| PassedInput { name, taint: title_taint() })
                .collect();
            let heads = inputs
                .iter()
                .map(|input| PassedHead { name: input.name.clone(), head: "github.event.pull_request.head.sha".into() })
                .collect();
            let outsiders = call_on("[pull_request_target, issue_comment, workflow_run]");
            let calls = [
                outsiders.clone(),
                Call { secrets: Some(GivenSecrets::Inherit), ..outsiders.clone() },
                Call { secrets: Some(GivenSecrets::Named(Vec::new())), ..call_on("push") },
                Call { inputs, heads, ..outsiders },
            ];
            for call in calls {
                let called = analyzed(RuleOptions::default().for_call(call));
                assert_eq!(alone, called, "{}", path.display());
            }
        }
        assert!(workflows > 100, "the fixtures hold {workflows} workflows");
    }

    #[test]
    fn a_text_analysed_once_reports_what_an_open_document_reports() {
        for (kind, text) in [(FileKind::GithubWorkflow, SUPPRESSED), (FileKind::GitlabCi, PIPELINE)] {
            let open = Analyzer::new(kind).analyze(&mut Source::new(text, tiling(kind)));
            let once = Analyzer::new(kind).analyze_once(&mut Source::new(text, tiling(kind)));
            assert_eq!(once.findings, open.findings);
            assert_eq!(once.syntax_errors, open.syntax_errors);
            assert_eq!(format!("{:?}", once.paths), format!("{:?}", open.paths));
        }
        let once = Analyzer::new(FileKind::GithubWorkflow)
            .analyze_once(&mut Source::new(SUPPRESSED, tiling(FileKind::GithubWorkflow)));
        let rules: Vec<&str> = once.findings.iter().map(|finding| finding.rule.id).collect();
        // The first script's and the third step's are silenced; the second's comment is
        // script, and job `b`'s names no rule.
        assert_eq!(rules.iter().filter(|rule| **rule == "expression-injection").count(), 2, "{rules:?}");
        assert!(rules.contains(&"unused-suppression"), "{rules:?}");
        assert!(!once.syntax_errors.is_empty());
    }

    /// Jobs read once are modelled as their tiles are read, each unit's value tree let go at
    /// once: aliases into earlier jobs and into the header still resolve, and jobs written in
    /// a top-level tile (a second, flow-style `jobs:`) keep their place.
    #[test]
    fn jobs_modelled_as_their_tiles_are_read_see_what_an_open_document_sees() {
        let text = concat!(
            "x-env: &env\n  TITLE: ${{ github.event.issue.title }}\n",
            "on: issues\n",
            "jobs:\n",
            "  a:\n    env: &body\n      BODY: ${{ github.event.issue.body }}\n",
            "    steps:\n      - run: echo \"${{ env.BODY }}\"\n",
            "  b:\n    env: *body\n    steps:\n      - run: echo \"${{ env.BODY }}\"\n",
            "  c:\n    env: *env\n    steps:\n      - run: echo \"${{ env.TITLE }}\"\n",
            "jobs: {d: {runs-on: x, steps: [{run: \"echo ${{ github.event.issue.body }}\"}]}}\n",
        );
        let kind = FileKind::GithubWorkflow;
        let open = Analyzer::new(kind).analyze(&mut Source::new(text, tiling(kind)));
        let once = Analyzer::new(kind).analyze_once(&mut Source::new(text, tiling(kind)));
        assert_eq!(once.findings, open.findings);
        assert_eq!(format!("{:?}", once.paths), format!("{:?}", open.paths));
        let injected = |job: &str| {
            once.findings.iter().any(|f| f.rule.id == "expression-injection" && f.job.as_deref() == Some(job))
        };
        // `b`'s `env:` is `a`'s, `c`'s the header's; `d` is in the flow `jobs:`.
        assert!(["a", "b", "c", "d"].into_iter().all(injected), "{:?}", once.findings);
    }

    /// An open document lets the trees of tiles it is not typing in go: suppressions typed
    /// next to them, syntax errors, and an analyzer made again for the same text (as after a
    /// panic) read what a fresh analysis reads.
    #[test]
    fn trees_let_go_leave_reports_as_a_fresh_analysis_makes_them() {
        let kind = FileKind::GithubWorkflow;
        let mut source = Source::new(SUPPRESSED, tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        analyzer.analyze(&mut source);
        let job_b = SUPPRESSED.find("  b:").unwrap();
        let edits = [
            (SUPPRESSED.find("runs-on: ubuntu-latest\r").unwrap(), "x"),
            (job_b, "  # pipewarden: ignore[expression-injection]\n"),
            (0, "# pipewarden: ignore-file[unused-suppression]\n"),
            (SUPPRESSED.find("echo hi").unwrap(), "# pipewarden: ignore[all]\n          "),
        ];
        let mut shift = 0;
        for (at, inserted) in edits {
            let at = if at >= job_b { at + shift } else { at };
            source.replace(at..at, inserted);
            shift += inserted.len();
            let open = analyzer.analyze(&mut source);
            let text = source.rope().to_string();
            let fresh = Analyzer::new(kind).analyze_once(&mut Source::new(&text, tiling(kind)));
            assert_eq!(open.findings, fresh.findings, "after typing {inserted:?}");
            assert_eq!(open.syntax_errors, fresh.syntax_errors);
            let again = Analyzer::new(kind).analyze(&mut source);
            assert_eq!(again.findings, fresh.findings);
        }
    }

    /// A kept job's fixes were settled against the text when it was checked (the end of a
    /// line, whole lines): lines added above it must move them exactly as a fresh analysis
    /// places them.
    #[test]
    fn kept_jobs_fixes_follow_lines_added_above() {
        let text = "on: issues\njobs:\n  z:\n    runs-on: x\n    steps:\n      - run: echo z\n  a:\n    runs-on: x\n    permissions:\n      contents: write\n      issues: read\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";
        let kind = FileKind::GithubWorkflow;
        let mut source = Source::new(text, tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        let before = analyzer.analyze(&mut source);
        assert!(before.findings.iter().any(|finding| !finding.fixes.is_empty()));
        // Lines typed into job `z`'s script: job `a` and its findings are kept.
        let script = text.find("echo z").unwrap();
        source.replace(script..script, "true\n          true\n          ");
        let kept = analyzer.analyze(&mut source);
        let fresh = analyze_text(kind, &source.rope().to_string());
        let fixes = |report: &Report| -> Vec<Vec<ResolvedFix>> {
            report.findings.iter().map(|finding| finding.fixes.to_vec()).collect()
        };
        assert_eq!(fixes(&kept), fixes(&fresh));
        assert_ne!(fixes(&kept), fixes(&before), "the fixes moved with the text");
    }

    const PIPELINE: &str = "\
default:
  image: ruby:3
  before_script: [bundle install]
.base: &base
  stage: test
  variables:
    LEVEL: base
  script:
    - echo base
.template:
  tags: [docker]
  script: [echo template]
job-a:
  <<: *base
  script:
    - echo a
job-b:
  extends: .template
  image: node:20
job-c:
  extends: [.template]
  <<: *base
job-d:
  script:
    - !reference [.template, script]
    - echo d
  rules:
    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"
job-e:
  trigger: group/project
";

    fn scripts(job: &GitlabJob) -> Vec<&str> {
        job.script.iter().map(|line| line.text.value.as_str()).collect()
    }

    #[test]
    fn gitlab_jobs_see_anchors_merge_keys_extends_and_default() {
        let mut analyzer = Analyzer::with_rules(FileKind::GitlabCi, CAPTURING);
        analyzer.analyze(&mut Source::new(PIPELINE, tiling(FileKind::GitlabCi)));
        let seen = SEEN.lock().unwrap().clone();
        let names: Vec<&str> = seen.iter().map(|job| job.name.as_str()).collect();
        assert_eq!(
            names,
            ["job-a", "job-b", "job-c", "job-d", "job-e"],
            "hidden templates are not checked by themselves"
        );
        let (a, b, c, d) = (&seen[0], &seen[1], &seen[2], &seen[3]);
        assert_eq!(scripts(a), ["echo a"]);
        assert_eq!(a.stage.as_ref().map(|s| s.as_str()), Some("test"));
        assert_eq!(a.variables[0].name.as_str(), "LEVEL");
        assert_eq!(a.image.as_ref().map(|i| i.name.as_str()), Some("ruby:3"));
        assert_eq!(a.before_script[0].text.value, "bundle install");
        assert_eq!(scripts(b), ["echo template"]);
        assert_eq!(b.image.as_ref().map(|i| i.name.as_str()), Some("node:20"));
        assert_eq!(b.tags[0].as_str(), "docker");
        assert_eq!(scripts(c), ["echo base"], "keys merged into the job win over the template");
        assert_eq!(c.tags[0].as_str(), "docker");
        assert_eq!(scripts(d), ["echo template", "echo d"], "`!reference` tags are replaced by what they name");
        assert_eq!(d.reach.merge_requests, crate::model::reach::Runs::Yes);
        assert_eq!(d.reach.default_branch, crate::model::reach::Runs::No);
        let e = &seen[4];
        assert!(e.image.is_none() && e.before_script.is_empty(), "trigger jobs take nothing from `default:`");
    }
}
