//! A call from another file: what a workflow gives the reusable workflow or the action it
//! calls. Read alone, a callee's `${{ inputs.x }}` could hold anything its callers pass; read
//! as called, it holds what this caller passes, under this caller's triggers.

use super::contexts::Taint;
use super::github::{Event, Job, Secrets, Trigger, Triggers, WorkflowHeader};
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
    /// The secrets the caller gives a reusable workflow; `None` for an action, which is
    /// given none this way.
    pub secrets: Option<GivenSecrets>,
}

/// The secrets a job that calls a reusable workflow gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GivenSecrets {
    /// `secrets: inherit`: every secret the caller has.
    Inherit,
    /// A `secrets:` mapping, or none at all (then no secret is given).
    Named(Vec<GivenSecret>),
}

/// One secret a caller passes by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenSecret {
    /// The name the callee reads it by, as `secrets.<name>`.
    pub name: String,
    /// The caller's value, e.g. `${{ secrets.DEPLOY_KEY }}`.
    pub value: String,
}

impl GivenSecrets {
    /// The secrets a job's `secrets:` gives the workflow it calls.
    pub fn of(job: &Job) -> Self {
        match &job.secrets {
            Some(Secrets::Inherit(_)) => GivenSecrets::Inherit,
            Some(Secrets::Passed(passed)) => GivenSecrets::Named(
                passed
                    .iter()
                    .map(|input| GivenSecret {
                        name: input.name.value.clone(),
                        value: input.value.as_ref().map(|value| value.value.clone()).unwrap_or_default(),
                    })
                    .collect(),
            ),
            None => GivenSecrets::Named(Vec::new()),
        }
    }

    /// The names the callee can read, or `None` for all of them (`inherit`).
    fn names(&self) -> Option<Vec<String>> {
        match self {
            GivenSecrets::Inherit => None,
            GivenSecrets::Named(named) => Some(named.iter().map(|secret| secret.name.clone()).collect()),
        }
    }

    /// For messages: "passes it no secrets", "passes it every secret it has (`secrets:
    /// inherit`)", "passes it `secrets.token` (`${{ secrets.DEPLOY_KEY }}`)".
    pub fn describe(&self) -> String {
        match self {
            GivenSecrets::Inherit => "passes it every secret it has (`secrets: inherit`)".to_owned(),
            GivenSecrets::Named(named) if named.is_empty() => "passes it no secrets".to_owned(),
            GivenSecrets::Named(named) => {
                let names: Vec<String> =
                    named.iter().map(|secret| format!("`secrets.{}` (`{}`)", secret.name, secret.value)).collect();
                format!("passes it {}", names.join(", "))
            }
        }
    }
}

/// What the reusable workflows a file calls give back: the taint of their outputs as this
/// file calls them, by the job that calls each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Returned {
    pub outputs: Vec<ReturnedOutput>,
}

/// An output of a called reusable workflow whose value someone other than the maintainers
/// can choose, as the calling job gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedOutput {
    /// The id of the calling job, which the caller reads the output from as `needs.<job>`.
    pub job: String,
    /// The output's name in the callee's `on.workflow_call.outputs`.
    pub name: String,
    /// The taint of its value inside the callee, under this call.
    pub taint: Taint,
}

impl Returned {
    /// The taint of `needs.<job>.outputs.<name>` when `job` calls a reusable workflow.
    pub fn output_taint(&self, job: &str, name: &str) -> Option<Taint> {
        let output = self.outputs.iter().find(|output| output.job == job && output.name == name)?;
        Some(output.taint.clone())
    }
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
    /// Given named secrets (or none), it can read only those.
    pub fn header_for(&self, header: &WorkflowHeader) -> WorkflowHeader {
        let given_secrets =
            self.secrets.as_ref().and_then(GivenSecrets::names).or_else(|| header.given_secrets.clone());
        let header = &WorkflowHeader { given_secrets, ..header.clone() };
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
    /// placed elsewhere (the caller's spans mean nothing in the callee), so that callers with
    /// the same events share one analysis of the callee.
    pub fn passed_triggers(triggers: &Triggers) -> Triggers {
        let events = triggers
            .events
            .iter()
            .map(|trigger| Trigger {
                event: trigger.event.clone(),
                span: Span::elsewhere(),
                types: trigger.types.clone(),
                branches: Vec::new(),
                branches_ignore: Vec::new(),
                tags: Vec::new(),
                tags_ignore: Vec::new(),
                workflows: Vec::new(),
                inputs: Vec::new(),
                secrets: Vec::new(),
                outputs: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::github::parse_for_tests;

    const CALLEE: &str = "on:\n  workflow_call:\n    secrets:\n      A: {}\n      B: {}\njobs:\n  j:\n    runs-on: x\n    steps:\n      - run: x\n        env:\n          A: ${{ secrets.A }}\n          B: ${{ secrets.B }}\n  nested:\n    uses: ./.github/workflows/other.yml\n    secrets: inherit\n";

    fn read_as_given(caller_job: &str) -> Vec<String> {
        let caller = parse_for_tests(&format!(
            "on: push\njobs:\n  call:\n    uses: ./.github/workflows/callee.yml\n{caller_job}"
        ));
        let call = Call { secrets: Some(GivenSecrets::of(&caller.jobs[0])), ..Call::default() };
        let callee = parse_for_tests(CALLEE);
        let header = call.header_for(&callee.header);
        callee.jobs.iter().flat_map(|job| job.secrets_read(&header)).map(str::to_owned).collect()
    }

    #[test]
    fn a_reusable_workflow_reads_only_the_secrets_its_caller_gives() {
        assert_eq!(read_as_given("    secrets: inherit\n"), ["secrets.A", "secrets.B", "secrets.*"]);
        assert_eq!(read_as_given("    secrets:\n      B: ${{ secrets.MINE }}\n"), ["secrets.B", "secrets.*"]);
        assert!(read_as_given("").is_empty(), "given nothing, it has nothing to pass on");
        let callee = parse_for_tests(CALLEE);
        assert_eq!(callee.jobs[0].secrets_read(&callee.header), ["secrets.A", "secrets.B"], "alone, all it reads");
    }
}
