//! A call from another file: what a workflow gives the reusable workflow or the action it
//! calls. Read alone, a callee's `${{ inputs.x }}` could hold anything its callers pass; read
//! as called, it holds what this caller passes, under this caller's triggers.

use super::contexts::Taint;
use super::github::{Event, Job, Trigger, Triggers, WorkflowHeader};
use crate::syntax::span::Span;

/// What one caller gives its callee.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Call {
    /// The caller's triggers, which the callee runs under; `None` when the caller is itself
    /// reusable, so its triggers are not known either.
    pub triggers: Option<Triggers>,
    /// The inputs the caller passes that someone other than the maintainers can choose.
    pub inputs: Vec<PassedInput>,
    /// The inputs the caller passes that name a pull request's head (its commit, branch or
    /// repository), whose code its author wrote, though no text of theirs.
    pub heads: Vec<PassedHead>,
}

/// An input whose value names a pull request's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedHead {
    pub name: String,
    /// The context path that names it in the caller, e.g. `github.event.pull_request.head.sha`.
    pub head: String,
}

/// An input whose value the caller's taint model says is attacker-chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassedInput {
    pub name: String,
    /// The taint of the value in the caller.
    pub taint: Taint,
}

impl Call {
    /// The taint of `inputs.<name>` inside the callee: the caller's value, one hop further.
    pub fn input_taint(&self, name: &str) -> Option<Taint> {
        let passed = self.inputs.iter().find(|input| input.name == name)?;
        Some(passed.taint.clone().through(format!("inputs.{name}")))
    }

    /// A job of the callee as this caller calls it: where a step's `with:` or `run:` reads an
    /// input that names a pull request's head, it reads the caller's context path, so that
    /// what the model knows of heads (checkouts and fetches of them) applies.
    pub fn job_for(&self, job: Job) -> Job {
        if self.heads.is_empty() {
            return job;
        }
        let mut job = job;
        for step in &mut job.steps {
            let texts = step.with.iter_mut().filter_map(|input| input.value.as_mut());
            for text in texts.chain(step.run.as_mut().map(|run| &mut run.text)) {
                for context in text.expressions.iter_mut().flat_map(|expression| &mut expression.contexts) {
                    let name = context.path.strip_prefix("inputs.");
                    if let Some(passed) = name.and_then(|name| self.heads.iter().find(|head| head.name == name)) {
                        context.path = passed.head.clone();
                    }
                }
            }
        }
        job
    }

    /// A reusable workflow's header as it runs for this caller: under the caller's triggers,
    /// keeping its own `workflow_call` so that the inputs it declares keep their types.
    /// The caller's triggers are placed at the callee's `workflow_call` (spans belong to the
    /// file they were read from), without the caller's own filters and inputs.
    pub fn header_for(&self, header: &WorkflowHeader) -> WorkflowHeader {
        let Some(triggers) = &self.triggers else {
            return header.clone();
        };
        let Some(place) = Self::trigger_place(header) else {
            return header.clone();
        };
        let borrowed = Self::passed_triggers(triggers)
            .events
            .into_iter()
            .filter(|trigger| trigger.event != Event::WorkflowCall)
            .map(|trigger| Trigger { span: place, ..trigger });
        let own_call = header.triggers.find(&Event::WorkflowCall).cloned();
        let events = borrowed.chain(own_call).collect();
        WorkflowHeader { triggers: Triggers { key: header.triggers.key, events, called: true }, ..header.clone() }
    }

    /// What of a caller's `triggers` its callee runs under: the events and their `types:`,
    /// placed nowhere (the caller's spans mean nothing in the callee), so that callers with the
    /// same events share one analysis of the callee.
    pub fn passed_triggers(triggers: &Triggers) -> Triggers {
        let events = triggers
            .events
            .iter()
            .map(|trigger| Trigger {
                event: trigger.event.clone(),
                span: Span::document(0..0),
                types: trigger.types.clone(),
                branches: Vec::new(),
                branches_ignore: Vec::new(),
                tags: Vec::new(),
                tags_ignore: Vec::new(),
                workflows: Vec::new(),
                inputs: Vec::new(),
                secrets: Vec::new(),
            })
            .collect();
        Triggers { key: None, events, called: false }
    }

    /// Where [`Call::header_for`] places the caller's triggers in `header`, so that what is
    /// found there (about the caller's triggers, not the callee) can be told apart.
    pub fn trigger_place(header: &WorkflowHeader) -> Option<Span> {
        header.triggers.find(&Event::WorkflowCall).map(|trigger| trigger.span).or(header.triggers.key)
    }
}
