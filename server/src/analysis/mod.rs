//! Analysis: model building and rule runs over a document, incrementally.
//!
//! Each keystroke costs an incremental re-parse, a walk over the top-level keys and jobs, and
//! a rebuild and re-check of the units the edit touched. A job's model and findings are kept
//! while every unit they were built from (the job itself, the workflow header, anchors read
//! through aliases, GitLab jobs it extends) is unchanged.

mod report;
mod run;
mod suppress;
mod units;

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;

pub use report::{Report, Reported, ResolvedEdit, ResolvedFix, RuleFailure};
pub use run::panic_message;

use crate::model::action::build_action;
use crate::model::github::{self, Job, Workflow};
use crate::model::gitlab::{self, GitlabJob, JobScope, Pipeline};
use crate::model::kind::FileKind;
use crate::model::view::{Entry, Resolver};
use crate::rules::{Finding, REGISTRY, Rule, StepContext};
use crate::syntax::span::{Span, UnitId};
use crate::syntax::{Source, errors};
use run::RuleRunner;
use units::{Role, Units};

/// The incremental analysis state of one document.
pub struct Analyzer {
    kind: FileKind,
    rules: &'static [&'static dyn Rule],
    units: Units,
    jobs: HashMap<(UnitId, String), Arc<JobOutput>>,
}

/// What was learnt from one job, valid while all of `deps` are live.
struct JobOutput {
    deps: Vec<UnitId>,
    model: JobModel,
    findings: Vec<Finding>,
    failures: Vec<RuleFailure>,
}

enum JobModel {
    Github(Arc<Job>),
    Gitlab(Arc<GitlabJob>),
}

impl Analyzer {
    pub fn new(kind: FileKind) -> Self {
        Self::with_rules(kind, REGISTRY)
    }

    /// An analyzer running a chosen set of rules.
    pub fn with_rules(kind: FileKind, rules: &'static [&'static dyn Rule]) -> Self {
        Self {
            kind,
            rules,
            units: Units::default(),
            jobs: HashMap::new(),
        }
    }

    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Analyses the source's current text, reusing whatever its changes did not touch.
    pub fn analyze(&mut self, source: &mut Source) -> Report {
        source.tree();
        let changes = source.take_changes();
        self.units.apply(&changes);
        let (tree, rope) = source.parsed();
        self.units.refresh(self.kind, tree, rope);
        let mut runner = RuleRunner::new(self.rules);
        let findings = match self.kind {
            FileKind::GithubWorkflow => self.analyze_workflow(rope, &mut runner),
            FileKind::GitlabCi => self.analyze_pipeline(rope, &mut runner),
            FileKind::GithubAction => self.analyze_action(rope, &mut runner),
        };
        let syntax_errors = errors::syntax_errors(tree, rope);
        report::assemble(
            findings,
            runner.into_failures(),
            syntax_errors,
            &self.units.bases,
            tree,
            rope,
        )
    }

    fn analyze_workflow(&mut self, rope: &Rope, runner: &mut RuleRunner) -> Vec<Finding> {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let (header_entries, job_entries, header_deps) = self.entries(&resolver, Some("jobs"));
        let jobs_key = self.units.jobs_key.clone().map(Span::document);
        let header = Arc::new(github::build_header(&header_entries, jobs_key));
        let mut fresh = HashMap::new();
        let mut jobs = Vec::new();
        for (unit, entry) in &job_entries {
            let output = self.job_output(&fresh, *unit, entry, || {
                resolver.take_reads();
                let job = Arc::new(github::build_job(entry)?);
                let mut deps = vec![*unit];
                deps.extend(&header_deps);
                deps.extend(resolver.take_reads());
                let (findings, failures) = runner.isolated(|rule, out| {
                    rule.check_job(&header, &job, out);
                    for step in &job.steps {
                        rule.check_step(
                            &StepContext::Workflow {
                                header: &header,
                                job: &job,
                            },
                            step,
                            out,
                        );
                    }
                });
                Some(JobOutput {
                    deps,
                    model: JobModel::Github(job),
                    findings,
                    failures,
                })
            });
            if let Some(output) = output {
                if let JobModel::Github(job) = &output.model {
                    jobs.push(Arc::clone(job));
                }
                fresh.insert((*unit, entry.name().unwrap_or_default().to_owned()), output);
            }
        }
        let workflow = Workflow { header, jobs };
        let mut findings = runner.run(|rule, out| rule.check_workflow(&workflow, out));
        findings.extend(self.collect(fresh, runner));
        findings
    }

    fn analyze_pipeline(&mut self, rope: &Rope, runner: &mut RuleRunner) -> Vec<Finding> {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let (header_entries, job_entries, header_deps) = self.entries(&resolver, None);
        let globals = Arc::new(gitlab::build_globals(&header_entries));
        let default = header_entries
            .iter()
            .find(|entry| entry.name() == Some("default"))
            .map(|entry| entry.value);
        let by_name: HashMap<&str, (UnitId, Entry)> = job_entries
            .iter()
            .filter_map(|(unit, entry)| Some((entry.name()?, (*unit, *entry))))
            .collect();
        let extended = std::cell::RefCell::new(Vec::new());
        let lookup = |name: &str| {
            let (unit, entry) = by_name.get(name)?;
            extended.borrow_mut().push(*unit);
            Some(entry.value)
        };
        let mut fresh = HashMap::new();
        let mut jobs = Vec::new();
        for (unit, entry) in &job_entries {
            let output = self.job_output(&fresh, *unit, entry, || {
                resolver.take_reads();
                extended.borrow_mut().clear();
                let scope = JobScope::new(entry.value, &lookup, default);
                let job = Arc::new(gitlab::build_job(entry, &scope)?);
                let mut deps = vec![*unit];
                deps.extend(&header_deps);
                deps.extend(resolver.take_reads());
                deps.extend(extended.borrow_mut().drain(..));
                let (findings, failures) = if job.hidden {
                    (Vec::new(), Vec::new())
                } else {
                    runner.isolated(|rule, out| rule.check_gitlab_job(&globals, &job, out))
                };
                Some(JobOutput {
                    deps,
                    model: JobModel::Gitlab(job),
                    findings,
                    failures,
                })
            });
            if let Some(output) = output {
                if let JobModel::Gitlab(job) = &output.model {
                    jobs.push(Arc::clone(job));
                }
                fresh.insert((*unit, entry.name().unwrap_or_default().to_owned()), output);
            }
        }
        let pipeline = Pipeline { globals, jobs };
        let mut findings = runner.run(|rule, out| rule.check_pipeline(&pipeline, out));
        findings.extend(self.collect(fresh, runner));
        findings
    }

    fn analyze_action(&mut self, rope: &Rope, runner: &mut RuleRunner) -> Vec<Finding> {
        let anchors = self.units.anchors();
        let resolver = Resolver::new(&anchors, &self.units.bases, rope);
        let (entries, _, _) = self.entries(&resolver, None);
        let action = build_action(&entries);
        runner.run(|rule, out| {
            rule.check_action(&action, out);
            for step in action.runs.iter().flat_map(|runs| &runs.steps) {
                rule.check_step(&StepContext::Action { action: &action }, step, out);
            }
        })
    }

    /// The header entries, the job entries with their units, and the header's units.
    fn entries<'a>(
        &'a self,
        resolver: &'a Resolver<'a>,
        jobs_key: Option<&str>,
    ) -> (Vec<Entry<'a>>, Vec<(UnitId, Entry<'a>)>, Vec<UnitId>) {
        let (mut header, mut jobs, mut header_units) = (Vec::new(), Vec::new(), Vec::new());
        for unit in self.units.iter() {
            let entries = resolver.view(&unit.built.node).entries();
            match unit.role {
                Role::Job => jobs.extend(entries.into_iter().map(|entry| (unit.id, entry))),
                Role::Header | Role::Document => {
                    header_units.push(unit.id);
                    for entry in entries {
                        let is_jobs = jobs_key.is_some() && entry.name() == jobs_key;
                        let is_gitlab_job = self.kind == FileKind::GitlabCi
                            && entry.name().is_some_and(gitlab::is_job_key);
                        if is_jobs {
                            jobs.extend(
                                entry.value.entries().into_iter().map(|job| (unit.id, job)),
                            );
                        } else if is_gitlab_job {
                            jobs.push((unit.id, entry));
                        } else {
                            header.push(entry);
                        }
                    }
                }
            }
        }
        resolver.take_reads();
        (header, jobs, header_units)
    }

    /// The cached output of a job if everything it read is unchanged, else a fresh one.
    fn job_output(
        &self,
        fresh: &HashMap<(UnitId, String), Arc<JobOutput>>,
        unit: UnitId,
        entry: &Entry<'_>,
        build: impl FnOnce() -> Option<JobOutput>,
    ) -> Option<Arc<JobOutput>> {
        let name = entry.name()?;
        let key = (unit, name.to_owned());
        if fresh.contains_key(&key) {
            // A duplicate job name: YAML keeps the last, and so does the model.
            return None;
        }
        match self.jobs.get(&key) {
            Some(cached) if cached.deps.iter().all(|dep| self.units.bases.is_live(*dep)) => {
                Some(Arc::clone(cached))
            }
            _ => build().map(Arc::new),
        }
    }

    /// Keeps this analysis's job outputs for the next one and returns their findings.
    fn collect(
        &mut self,
        fresh: HashMap<(UnitId, String), Arc<JobOutput>>,
        runner: &mut RuleRunner,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for output in fresh.values() {
            findings.extend(output.findings.iter().cloned());
            runner.record_failures(&output.failures);
        }
        self.jobs = fresh;
        findings
    }
}

/// Analyses a whole text once, as `check` does.
pub fn analyze_text(kind: FileKind, text: &str) -> Report {
    Analyzer::new(kind).analyze(&mut Source::new(text))
}
