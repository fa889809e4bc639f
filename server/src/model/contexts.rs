//! The taint model: which values an attacker can choose, who, and under which triggers.
//!
//! This is the one place that answers "can someone other than the maintainers choose this
//! value?". It knows the event payload fields each trigger carries and who writes them (the
//! bundled `data/github-contexts.toml`), and it follows a value through a file: into `env:`
//! at any level, through `$GITHUB_ENV` and `$GITHUB_OUTPUT` writes read back as `env.*` and
//! `steps.<id>.outputs.*`, through job outputs read as `needs.<job>.outputs.*`, matrix values,
//! and the inputs of `workflow_dispatch`, `workflow_call` and composite actions. Rules ask a
//! [`Scope`] (where the value is read) and get a [`Taint`] (who controls it, and how it got
//! there), never a list of contexts of their own.
//!
//! What is not tainted: values GitHub assigns (numbers, ids, SHAs, logins), values of events
//! the workflow is not triggered by, and anything only compared or tested (`==`, `contains()`)
//! rather than expanded.

use std::sync::{Arc, LazyLock};

use serde::Deserialize;

use super::action::Action;
use super::call::{Call, Returned};
use super::expr::{ContextRef, Expression};
use super::github::{Event, Job, Step, Triggers, WorkflowHeader};
use super::shell::{Script, variable_names};
use super::workflow_commands::{self, FileCommand};
use super::{Env, Text};
use crate::{bundled, data};

/// How many indirections (an env var holding a step output holding a job output...) are
/// followed before giving up: enough for real files, and a bound for cyclic ones.
const MAX_HOPS: usize = 8;

/// Who can choose a value, from the fewest people to the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Controller {
    /// Someone with triage or write access, or a token that has it.
    Collaborator,
    /// Whoever calls a reusable workflow or uses an action: not known from this file.
    Caller,
    /// The author of commits that reached the repository through a merged pull request.
    Author,
    /// Anyone with a GitHub account.
    Outsider,
}

impl Controller {
    /// Who that is, for messages.
    pub const fn who(self) -> &'static str {
        match self {
            Controller::Collaborator => "someone with write or triage access",
            Controller::Caller => "whoever calls this workflow or uses this action",
            Controller::Author => "the author of a merged commit, who may be an outsider",
            Controller::Outsider => "anyone with a GitHub account",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Controller::Collaborator => "collaborator",
            Controller::Caller => "caller",
            Controller::Author => "author",
            Controller::Outsider => "outsider",
        }
    }
}

/// A context path whose value someone other than the maintainers writes.
#[derive(Debug, Deserialize)]
pub struct ContextFact {
    /// The path; `*` matches one segment.
    pub path: String,
    pub controller: Controller,
    /// The triggers whose payload carries the value.
    pub events: Vec<String>,
    /// What the value is.
    pub what: String,
    /// Whether the value can never hold a line break (git ref names).
    #[serde(default)]
    pub single_line: bool,
}

/// A runner environment variable that holds a context's value.
#[derive(Debug, Deserialize)]
pub struct VariableFact {
    pub name: String,
    pub path: String,
}

#[derive(Deserialize)]
struct Facts {
    context: Vec<ContextFact>,
    variable: Vec<VariableFact>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("github-contexts.toml")));

/// Every attacker-controlled context the model knows, for documentation and hovers.
pub fn facts() -> &'static [ContextFact] {
    &FACTS.context
}

/// Which triggers may have started a run.
#[derive(Debug, Clone, Copy)]
pub enum Events<'a> {
    /// The workflow's own triggers.
    Of(&'a Triggers),
    /// Unknown: a reusable workflow runs with its caller's event, an action with its user's.
    Any,
}

impl<'a> Events<'a> {
    /// The events of a workflow; a reusable one may run under any event.
    pub fn of(triggers: &'a Triggers) -> Self {
        if triggers.has(&Event::WorkflowCall) { Events::Any } else { Events::Of(triggers) }
    }

    /// The workflow's triggers among `names`, or `None` when the triggers are unknown.
    fn matching(&self, names: &[String]) -> Option<Vec<Event>> {
        match self {
            Events::Of(triggers) => Some(
                triggers
                    .events
                    .iter()
                    .filter(|trigger| names.iter().any(|name| name == trigger.event.name()))
                    .map(|trigger| trigger.event.clone())
                    .collect(),
            ),
            Events::Any => None,
        }
    }
}

/// A value an attacker can choose, and how it got to where it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub controller: Controller,
    /// Where the attacker writes it: a context path such as `github.event.issue.title`, or
    /// an input such as `inputs.title`.
    pub origin: String,
    /// What the value is, for messages.
    pub what: String,
    /// The places it passed through, from the origin to the place it is read, e.g.
    /// `["env.TITLE", "steps.meta.outputs.title"]`.
    pub via: Vec<String>,
    /// Whether a trigger that carries it runs with the repository's secrets.
    pub privileged: bool,
    /// Whether the triggers are unknown (reusable workflows and actions).
    pub events_unknown: bool,
    /// Whether the value can hold a line break, and so add lines to the files of
    /// [`workflow_commands`] that it is written to.
    pub multiline: bool,
}

impl Taint {
    /// Whether the value is read where the attacker wrote it, without indirection.
    pub fn is_direct(&self) -> bool {
        self.via.is_empty()
    }

    /// One phrase for messages: "`github.event.issue.title` (the issue's title, written by
    /// whoever opened it), through `env.TITLE`".
    pub fn describe(&self) -> String {
        self.describe_from("")
    }

    /// [`Taint::describe`] for a value read at `path`, which is not repeated as a hop.
    pub fn describe_from(&self, path: &str) -> String {
        let mut text = format!("`{}` ({})", self.origin, self.what);
        let hops: Vec<String> =
            self.via.iter().filter(|hop| hop.as_str() != path).map(|hop| format!("`{hop}`")).collect();
        if !hops.is_empty() {
            text.push_str(&format!(", through {}", hops.join(" and ")));
        }
        text
    }

    /// The same taint, read one hop further (`inputs.title`, `env.TITLE`).
    pub fn through(mut self, hop: impl Into<String>) -> Self {
        self.via.push(hop.into());
        self
    }

    /// Orders taints by how bad they are: who controls them, then privilege, then directness,
    /// then whether they can break lines.
    fn rank(&self) -> (Controller, bool, bool, bool) {
        (self.controller, self.privileged, self.is_direct(), self.multiline)
    }
}

/// The worse of two taints.
fn worst(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.rank() > a.rank() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The taint of a context path read directly, under `events`.
pub fn direct_taint(path: &str, events: Events<'_>) -> Option<Taint> {
    facts()
        .iter()
        .filter(|fact| path_matches(&fact.path, path))
        .filter_map(|fact| taint_of_fact(fact, events))
        .reduce(|a, b| worst(Some(a), Some(b)).expect("both are some"))
}

/// The worst taint of any attacker-controlled field inside the object at `path`, for objects
/// turned into text whole (`toJSON(github.event)`).
fn taint_within(path: &str, events: Events<'_>) -> Option<Taint> {
    facts()
        .iter()
        .filter(|fact| is_strict_prefix(path, &fact.path))
        .filter_map(|fact| taint_of_fact(fact, events))
        .map(|taint| Taint { what: format!("an object that contains {}", taint.what), ..taint })
        .reduce(|a, b| worst(Some(a), Some(b)).expect("both are some"))
}

fn taint_of_fact(fact: &ContextFact, events: Events<'_>) -> Option<Taint> {
    let (privileged, events_unknown) = match events.matching(&fact.events) {
        Some(matched) if matched.is_empty() => return None,
        Some(matched) => (matched.iter().any(Event::runs_with_secrets), false),
        None => (false, true),
    };
    Some(Taint {
        controller: fact.controller,
        origin: fact.path.clone(),
        what: fact.what.clone(),
        via: Vec::new(),
        privileged,
        events_unknown,
        multiline: !fact.single_line,
    })
}

/// The context a runner environment variable mirrors, e.g. `github.head_ref` for
/// `GITHUB_HEAD_REF`.
pub fn runner_variable(name: &str) -> Option<&'static str> {
    FACTS.variable.iter().find(|variable| variable.name == name).map(|variable| variable.path.as_str())
}

/// Whether an outsider can set the value at `path` under some trigger.
pub fn is_attacker_controlled(path: &str) -> bool {
    facts().iter().any(|fact| fact.controller >= Controller::Author && path_matches(&fact.path, path))
}

/// Whether a context path tells who acted or what they may do (`author_association`, the
/// actor, a login, labels only maintainers set, the head repository, the event of the run a
/// `workflow_run` follows): what a condition checks when it limits who can start a job.
pub fn identifies_actor(path: &str) -> bool {
    [
        "actor",
        "author_association",
        "login",
        "sender",
        "labels",
        "event.label.",
        "head.repo",
        "head_repository",
        "workflow_run.event",
        "repository_owner",
        "permission",
    ]
    .iter()
    .any(|part| path.contains(part))
}

/// Whether a job runs only when a check of who acted passes: its own `if:`, or that of a job
/// it needs (a job whose needed job was skipped is skipped too, unless it says `always()`).
pub fn job_checks_actor(job: &Job, jobs: &dyn JobLookup) -> bool {
    let mut pending: Vec<&Job> = vec![job];
    let mut seen: Vec<&str> = Vec::new();
    while let Some(next) = pending.pop() {
        if let Some(condition) = &next.condition {
            if checks_actor(condition) {
                return true;
            }
            if condition.value.contains("always()") {
                continue;
            }
        }
        for needed in &next.needs {
            if !seen.contains(&needed.as_str()) && seen.len() < 64 {
                seen.push(needed.as_str());
                pending.extend(jobs.job(needed.as_str()));
            }
        }
    }
    false
}

/// Whether an `if:` condition checks who acted (see [`identifies_actor`]).
pub fn checks_actor(condition: &Text) -> bool {
    super::expr::condition_paths(&condition.value).iter().any(|path| identifies_actor(path))
}

/// Whether an outsider sets the value at `path` in runs of `event`.
pub fn is_outsider_controlled_on(path: &str, event: &Event) -> bool {
    facts().iter().any(|fact| {
        fact.controller == Controller::Outsider
            && fact.events.iter().any(|name| name == event.name())
            && path_matches(&fact.path, path)
    })
}

/// A one-line description of a context path's origin, for hovers.
pub fn describe(path: &str) -> String {
    if let Some(fact) = facts().iter().find(|fact| path_matches(&fact.path, path)) {
        let events: Vec<String> = fact.events.iter().map(|event| format!("`{event}`")).collect();
        let label =
            if fact.controller >= Controller::Author { "**attacker-controlled**" } else { "chosen by a collaborator" };
        return format!(
            "`{path}` is {label}: {}. Written by {} under {}. Pasted into a script with `${{{{ }}}}` it becomes code \
             (Execution › Modify CI/CD configurations, EX06); pass it through an environment variable instead.",
            fact.what,
            fact.controller.who(),
            events.join(", "),
        );
    }
    let origin = match path.split('.').next().unwrap_or_default() {
        "secrets" => {
            "a secret: it is masked in logs, but any step that can run code can read and exfiltrate it (Credential Access › Env variables stored in CI/CD, CA02)"
        }
        "github" => "set by GitHub for this run; not attacker-controlled",
        "env" => "an environment variable set in this workflow; it is only as trustworthy as the value assigned to it",
        "inputs" => "an input of this workflow or action, chosen by whoever calls or dispatches it",
        "steps" | "needs" | "jobs" => {
            "an output of an earlier step or job; trust it as much as the code that produced it"
        }
        "matrix" | "strategy" => "a value of this job's matrix, written in the workflow",
        "vars" => "a configuration variable of the repository or organisation",
        "runner" => "a property of the runner executing the job",
        _ => "a context value",
    };
    format!("`{path}`: {origin}.")
}

/// Looks jobs of the same workflow up by id, for `needs.<job>.outputs.*`.
pub trait JobLookup {
    fn job(&self, id: &str) -> Option<&Job>;
}

/// No other jobs: actions.
pub struct NoJobs;

impl JobLookup for NoJobs {
    fn job(&self, _id: &str) -> Option<&Job> {
        None
    }
}

/// The jobs of a workflow.
pub struct JobList<'a>(pub &'a [Arc<Job>]);

impl JobLookup for JobList<'_> {
    fn job(&self, id: &str) -> Option<&Job> {
        self.0.iter().find(|job| job.id.value == id).map(Arc::as_ref)
    }
}

/// Where a value is read, with what the taint model needs to follow it back.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub events: Events<'a>,
    header: Option<&'a WorkflowHeader>,
    job: Option<&'a Job>,
    action: Option<&'a Action>,
    steps: &'a [Step],
    /// The step being read; the steps before it have run.
    position: usize,
    jobs: &'a dyn JobLookup,
    /// Context paths this project's configuration marks as untrusted, besides the model's.
    untrusted: &'a [String],
    /// The call this file is read for, when it is read as a caller calls it.
    call: Option<&'a Call>,
    /// What the reusable workflows this file calls return, when the workspace is known.
    returned: Option<&'a Returned>,
}

impl<'a> Scope<'a> {
    /// Inside step `position` of a workflow job.
    pub fn workflow_step(header: &'a WorkflowHeader, job: &'a Job, position: usize, jobs: &'a dyn JobLookup) -> Self {
        Self {
            events: Events::of(&header.triggers),
            header: Some(header),
            job: Some(job),
            action: None,
            steps: &job.steps,
            position,
            jobs,
            untrusted: &[],
            call: None,
            returned: None,
        }
    }

    /// At the level of a job, after all its steps (job outputs, `if:`, containers).
    pub fn workflow_job(header: &'a WorkflowHeader, job: &'a Job, jobs: &'a dyn JobLookup) -> Self {
        Self::workflow_step(header, job, job.steps.len(), jobs)
    }

    /// Inside step `position` of a composite action.
    pub fn action_step(action: &'a Action, position: usize) -> Self {
        let steps = action.runs.as_ref().map_or(&[][..], |runs| &runs.steps);
        Self {
            events: Events::Any,
            header: None,
            job: None,
            action: Some(action),
            steps,
            position,
            jobs: &NoJobs,
            untrusted: &[],
            call: None,
            returned: None,
        }
    }

    /// The same place, also treating `paths` (patterns, `*` for one segment) as written by
    /// outsiders: what a project knows of its own inputs that the model cannot.
    pub fn with_untrusted_contexts(self, paths: &'a [String]) -> Self {
        Self { untrusted: paths, ..self }
    }

    /// The same place in a file read as `call` calls it: its inputs hold what that caller
    /// passes, and it runs under the caller's triggers when they are known.
    pub fn with_call(self, call: Option<&'a Call>) -> Self {
        let Some(call) = call else { return self };
        let events = call.triggers.as_ref().map_or(self.events, Events::Of);
        Self { call: Some(call), events, ..self }
    }

    /// The same place in a file whose calls to reusable workflows return `returned`: a
    /// calling job's `needs.<job>.outputs.*` holds what the callee's outputs hold.
    pub fn with_returned(self, returned: Option<&'a Returned>) -> Self {
        Self { returned: returned.or(self.returned), ..self }
    }

    /// At the level of a workflow, after all its jobs: where a reusable workflow's
    /// `on.workflow_call.outputs` are read.
    pub fn workflow_outputs(header: &'a WorkflowHeader, jobs: &'a dyn JobLookup) -> Self {
        Self {
            events: Events::of(&header.triggers),
            header: Some(header),
            job: None,
            action: None,
            steps: &[],
            position: 0,
            jobs,
            untrusted: &[],
            call: None,
            returned: None,
        }
    }

    fn at(&self, position: usize) -> Self {
        Self { position, ..*self }
    }

    fn step(&self) -> Option<&'a Step> {
        self.steps.get(self.position)
    }

    /// The taint of a context path as an expression reads it.
    pub fn taint_of_path(&self, path: &str) -> Option<Taint> {
        self.path_taint(path, 0)
    }

    /// The worst taint of the contexts whose values reach a text's result.
    pub fn taint_of_text(&self, text: &Text) -> Option<Taint> {
        self.text_taint(text, 0)
    }

    /// The taint of the value of `context` as its expression uses it: the value itself, or,
    /// for an object turned into JSON whole, the fields inside it.
    pub fn taint_of_context(&self, context: &ContextRef, expression: &Expression) -> Option<Taint> {
        self.context_taint(context, expression, 0)
    }

    /// The taint of the shell variable `$name` in the step being read.
    pub fn taint_of_variable(&self, name: &str) -> Option<Taint> {
        self.variable_taint(name, 0)
    }

    /// The worst taint of what a range of a script expands: `${{ }}` expressions, shell
    /// variables, and command substitutions that read the event payload.
    pub fn taint_in_script(&self, script: &Script, range: std::ops::Range<usize>) -> Option<Taint> {
        self.script_range_taint(script, range, 0)
    }

    fn path_taint(&self, path: &str, hops: usize) -> Option<Taint> {
        if hops > MAX_HOPS {
            return None;
        }
        let segments: Vec<&str> = path.split('.').collect();
        match segments.as_slice() {
            ["env", name] => self.variable_taint(name, hops + 1).map(|taint| taint.through(path)),
            ["steps", id, "outputs", name] => self.step_output_taint(id, name, hops + 1).map(|t| t.through(path)),
            ["needs", job, "outputs", name] | ["jobs", job, "outputs", name] => {
                self.job_output_taint(job, name, hops + 1).map(|t| t.through(path))
            }
            ["inputs", name] | ["github", "event", "inputs", name] => self.input_taint(name),
            ["matrix", key] => self.matrix_taint(key, hops + 1).map(|taint| taint.through(path)),
            _ => direct_taint(path, self.events).or_else(|| self.configured_taint(path)),
        }
    }

    /// A path the configuration marks as untrusted.
    fn configured_taint(&self, path: &str) -> Option<Taint> {
        self.untrusted.iter().find(|pattern| path_matches(pattern, path)).map(|pattern| Taint {
            controller: Controller::Outsider,
            origin: path.to_owned(),
            what: format!("a value this project's configuration marks as untrusted (`{pattern}`)"),
            via: Vec::new(),
            privileged: false,
            events_unknown: true,
            multiline: true,
        })
    }

    fn text_taint(&self, text: &Text, hops: usize) -> Option<Taint> {
        self.expressions_taint(text.expressions.iter(), hops)
    }

    /// The worst taint of the contexts whose values reach the results of `expressions`.
    fn expressions_taint<'e>(&self, expressions: impl Iterator<Item = &'e Expression>, hops: usize) -> Option<Taint> {
        expressions
            .flat_map(|expression| expression.contexts.iter().map(move |context| (expression, context)))
            .filter(|(_, context)| context.reaches_result)
            .map(|(expression, context)| self.context_taint(context, expression, hops))
            .fold(None, worst)
    }

    /// The taint of `context` as its expression uses it: the value itself, or, for an object
    /// turned into JSON whole, the fields inside it.
    fn context_taint(&self, context: &ContextRef, expression: &Expression, hops: usize) -> Option<Taint> {
        let whole = self.path_taint(&context.path, hops);
        if whole.is_some() || !expression.dumps_objects {
            return whole;
        }
        taint_within(&context.path, self.events)
    }

    fn variable_taint(&self, name: &str, hops: usize) -> Option<Taint> {
        if hops > MAX_HOPS {
            return None;
        }
        // The nearest definition wins: the step's env, then values earlier steps wrote to
        // `$GITHUB_ENV`, then the job's and the workflow's env.
        let declared = |env: &'a Env| env.get(name).map(|var| var.value.as_ref());
        if let Some(value) = self.step().and_then(|step| declared(&step.env)) {
            return value.and_then(|text| self.text_taint(text, hops));
        }
        if let Some(taint) = self.env_file_taint(name, hops) {
            return Some(taint);
        }
        let inherited =
            self.job.and_then(|job| declared(&job.env)).or_else(|| self.header.and_then(|h| declared(&h.env)));
        if let Some(value) = inherited {
            return value.and_then(|text| self.text_taint(text, hops));
        }
        runner_variable(name).and_then(|path| direct_taint(path, self.events))
    }

    /// A value an earlier step wrote to `$GITHUB_ENV` under `name`.
    fn env_file_taint(&self, name: &str, hops: usize) -> Option<Taint> {
        self.steps[..self.position.min(self.steps.len())]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(index, step)| self.at(index).written_value_taint(step, FileCommand::Env, name, hops))
            .map(|taint| taint.through(format!("$GITHUB_ENV ({name})")))
    }

    fn step_output_taint(&self, id: &str, name: &str, hops: usize) -> Option<Taint> {
        let (index, step) = self.steps[..self.position.min(self.steps.len())]
            .iter()
            .enumerate()
            .find(|(_, step)| step.id.as_ref().is_some_and(|step_id| step_id.value == id))?;
        self.at(index).written_value_taint(step, FileCommand::Output, name, hops)
    }

    /// The taint of what `step` (the step at this scope's position) writes to `file` under
    /// `name`, or writes there without a name the analysis can read.
    fn written_value_taint(&self, step: &Step, file: FileCommand, name: &str, hops: usize) -> Option<Taint> {
        let mut found = None;
        if let Some(script) = &step.run {
            for write in workflow_commands::file_writes(script) {
                if write.file == file && write.name.as_deref().is_none_or(|written| written == name) {
                    found = worst(found, self.script_range_taint(script, write.value.clone(), hops));
                }
            }
        }
        if step.uses_action("actions/github-script")
            && let Some(code) = step.input_text("script")
        {
            for write in workflow_commands::javascript_writes(code) {
                if write.file == file && write.name.as_deref().is_none_or(|written| written == name) {
                    found = worst(found, self.javascript_taint(code, write.value, hops));
                }
            }
        }
        found
    }

    /// The taint of output `name` of job `job_id`: what the reusable workflow it calls
    /// returns, or the value of its own `outputs:`, read after its steps (in the same file,
    /// read as the same caller calls it).
    fn job_output_taint(&self, job_id: &str, name: &str, hops: usize) -> Option<Taint> {
        let header = self.header?;
        let job = self.jobs.job(job_id)?;
        if job.uses.is_some() {
            return self.returned?.output_taint(job_id, name);
        }
        let value = job.output(name)?.value.as_ref()?;
        let scope = Scope::workflow_job(header, job, self.jobs);
        Scope { events: self.events, untrusted: self.untrusted, call: self.call, returned: self.returned, ..scope }
            .text_taint(value, hops)
    }

    /// The taint of `inputs.<name>`: what the call passes when the file is read as called,
    /// else whoever may set it. Inputs typed as other than text carry nothing either way.
    fn input_taint(&self, name: &str) -> Option<Taint> {
        let declared = self.declared_input_taint(name)?;
        match self.call {
            Some(call) => call.input_taint(name),
            None => Some(declared),
        }
    }

    fn declared_input_taint(&self, name: &str) -> Option<Taint> {
        let origin = format!("inputs.{name}");
        let taint = |controller: Controller, what: &str| Taint {
            controller,
            origin: origin.clone(),
            what: what.to_owned(),
            via: Vec::new(),
            privileged: false,
            events_unknown: true,
            multiline: true,
        };
        if self.action.is_some() {
            return Some(taint(Controller::Caller, "an input of this action, set by each workflow that uses it"));
        }
        let triggers = &self.header?.triggers;
        let declared = |event: &Event| {
            triggers.find(event).map(|trigger| trigger.inputs.iter().find(|input| input.name.value == name))
        };
        match (declared(&Event::WorkflowCall), declared(&Event::WorkflowDispatch)) {
            (Some(Some(input)), _) if !input.is_free_text() => None,
            (Some(_), _) => Some(taint(Controller::Caller, "an input of this reusable workflow, set by its callers")),
            (None, Some(Some(input))) if !input.is_free_text() => None,
            (None, Some(_)) => Some(taint(
                Controller::Collaborator,
                "an input typed in by whoever dispatches the workflow, which needs write access",
            )),
            (None, None) => None,
        }
    }

    fn matrix_taint(&self, key: &str, hops: usize) -> Option<Taint> {
        self.job?.matrix_values(key).map(|value| self.text_taint(value, hops)).fold(None, worst)
    }

    fn script_range_taint(&self, script: &Script, range: std::ops::Range<usize>, hops: usize) -> Option<Taint> {
        let expressions = self.expressions_taint(script.expressions_within(range.clone()), hops);
        let within = |start: usize, end: usize| range.start <= start && end <= range.end;
        let variables = script
            .commands
            .iter()
            .filter(|command| {
                command.range.start < range.end && range.start < command.range.end.max(command.range.start + 1)
            })
            .flat_map(|command| command.words.iter().chain(&command.assignments))
            .flat_map(|word| word.variables())
            .filter(|(_, part)| within(part.range.start, part.range.end))
            .map(|(name, _)| self.variable_taint(name, hops + 1).map(|t| t.through(format!("${name}"))))
            .fold(None, worst);
        // Here-document bodies are not lexed into words: their variables are found as text.
        let in_expanding_heredoc = script.commands.iter().any(|command| {
            command
                .heredoc
                .as_ref()
                .is_some_and(|h| h.expands && h.body.start <= range.start && range.end <= h.body.end)
        });
        let heredoc_variables = variable_names(script.slice(range.clone()))
            .filter(|_| in_expanding_heredoc)
            .map(|name| self.variable_taint(name, hops + 1).map(|t| t.through(format!("${name}"))))
            .fold(None, worst);
        let payload_reads = script
            .commands_within(range.clone())
            .filter_map(|command| event_payload_path(script, command))
            .map(|path| direct_taint(&path, self.events).map(|taint| taint.through("$GITHUB_EVENT_PATH")))
            .fold(None, worst);
        [variables, heredoc_variables, payload_reads].into_iter().fold(expressions, worst)
    }

    /// The taint of a value in github-script JavaScript: expressions pasted in, and
    /// `context.payload.*` fields read from the event.
    fn javascript_taint(&self, code: &Text, range: std::ops::Range<usize>, hops: usize) -> Option<Taint> {
        let span = code.span_of(range.clone());
        let inside = code
            .expressions
            .iter()
            .filter(|expression| expression.span.start >= span.start && expression.span.end <= span.end);
        let expressions = self.expressions_taint(inside, hops);
        let value = code.value.get(range).unwrap_or_default();
        let payload = value
            .match_indices("context.payload.")
            .map(|(at, prefix)| {
                let path: String = value[at + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
                    .collect();
                format!("github.event.{}", path.trim_end_matches('.'))
            })
            .map(|path| direct_taint(&path, self.events))
            .fold(None, worst);
        worst(expressions, payload)
    }
}

/// The event payload field a `jq` command reads from `$GITHUB_EVENT_PATH`, as a context path:
/// `jq -r .pull_request.title "$GITHUB_EVENT_PATH"` reads `github.event.pull_request.title`.
fn event_payload_path(script: &Script, command: &super::shell::Command) -> Option<String> {
    if command.name() != Some("jq") {
        return None;
    }
    let mentions_event = |words: &[super::shell::Word]| {
        words.iter().any(|word| word.variables().any(|(name, _)| name == "GITHUB_EVENT_PATH"))
    };
    let reads_event = mentions_event(command.args())
        || command.redirects.iter().filter_map(|r| r.target.as_ref()).any(|t| mentions_event(std::slice::from_ref(t)))
        || script.piped_from(command).any(|source| mentions_event(source.args()));
    if !reads_event {
        return None;
    }
    let filter = command.args().iter().map(|word| word.text.as_str()).find(|text| text.starts_with('.'))?;
    let path: String = filter
        .trim_start_matches('.')
        .replace("[]", ".*")
        .split(['[', ']'])
        .map(|piece| if piece.chars().all(|c| c.is_ascii_digit()) && !piece.is_empty() { "*" } else { piece })
        .collect::<Vec<_>>()
        .join(".")
        .replace("..", ".");
    Some(format!("github.event.{}", path.trim_matches('.')))
}

fn path_matches(pattern: &str, path: &str) -> bool {
    // Split as bytes: splitting a `str` by the character `.` sets up a `memchr` per segment,
    // and by a predicate decodes every character, both more than these short segments cost
    // to compare (this runs for every fact of the taint model at every path it is asked of).
    let is_dot = |byte: &u8| *byte == b'.';
    let (mut pattern, mut path) = (pattern.as_bytes().split(is_dot), path.as_bytes().split(is_dot));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some(b"*"), Some(_)) => {}
            (Some(expected), Some(actual)) if actual == b"*" || expected.eq_ignore_ascii_case(actual) => {}
            _ => return false,
        }
    }
}

/// Whether `prefix` names an object that contains `path` (segment by segment, `*` matching).
fn is_strict_prefix(prefix: &str, path: &str) -> bool {
    let (prefix, path): (Vec<&str>, Vec<&str>) = (prefix.split('.').collect(), path.split('.').collect());
    prefix.len() < path.len()
        && prefix.iter().zip(&path).all(|(a, b)| a.eq_ignore_ascii_case(b) || *a == "*" || *b == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::github::parse_for_tests;

    fn taint_in_step(source: &str, job: usize, step: usize, path: &str) -> Option<Taint> {
        let workflow = parse_for_tests(source);
        let job = &workflow.jobs[job];
        Scope::workflow_step(&workflow.header, job, step, &JobList(&workflow.jobs)).taint_of_path(path)
    }

    #[test]
    fn contexts_are_tainted_only_under_the_events_that_carry_them() {
        let on_issues = "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n";
        let on_push = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n";
        let taint = taint_in_step(on_issues, 0, 0, "github.event.issue.title").unwrap();
        assert_eq!((taint.controller, taint.privileged), (Controller::Outsider, true));
        assert!(taint_in_step(on_push, 0, 0, "github.event.issue.title").is_none());
        assert_eq!(
            taint_in_step(on_push, 0, 0, "github.event.head_commit.message").unwrap().controller,
            Controller::Author
        );
        assert!(taint_in_step(on_issues, 0, 0, "github.event.issue.number").is_none());
    }

    #[test]
    fn values_flow_through_env_env_files_step_outputs_and_job_outputs() {
        let source = r#"on: pull_request_target
env:
  TITLE: ${{ github.event.pull_request.title }}
jobs:
  meta:
    runs-on: x
    outputs:
      branch: ${{ steps.read.outputs.branch }}
    steps:
      - id: read
        run: echo "branch=${{ github.head_ref }}" >> "$GITHUB_OUTPUT"
      - run: echo "BODY=$BODY" >> $GITHUB_ENV
        env:
          BODY: ${{ github.event.pull_request.body }}
      - run: echo ${{ env.BODY }} ${{ env.TITLE }}
  use:
    needs: meta
    runs-on: x
    steps:
      - run: echo ${{ needs.meta.outputs.branch }}
"#;
        let body = taint_in_step(source, 0, 2, "env.BODY").unwrap();
        assert_eq!(body.origin, "github.event.pull_request.body");
        assert_eq!(body.via, ["$BODY", "$GITHUB_ENV (BODY)", "env.BODY"]);
        assert_eq!(taint_in_step(source, 0, 2, "env.TITLE").unwrap().origin, "github.event.pull_request.title");
        assert!(taint_in_step(source, 0, 1, "env.BODY").is_some(), "the step's own env");
        assert!(taint_in_step(source, 0, 0, "env.BODY").is_none(), "not yet written");
        let branch = taint_in_step(source, 1, 0, "needs.meta.outputs.branch").unwrap();
        assert_eq!(branch.origin, "github.head_ref");
        assert_eq!(branch.via, ["steps.read.outputs.branch", "needs.meta.outputs.branch"]);
    }

    #[test]
    fn a_called_jobs_outputs_are_what_its_workflow_returns() {
        let caller = "on: issues\njobs:\n  call:\n    uses: ./.github/workflows/meta.yml\n  use:\n    needs: call\n    runs-on: x\n    steps:\n      - run: x\n";
        let workflow = parse_for_tests(caller);
        let jobs = JobList(&workflow.jobs);
        let scope = Scope::workflow_step(&workflow.header, &workflow.jobs[1], 0, &jobs);
        assert!(scope.taint_of_path("needs.call.outputs.title").is_none(), "not known alone");
        let callee = "on:\n  workflow_call:\n    outputs:\n      title:\n        value: ${{ jobs.meta.outputs.title }}\n      sha:\n        value: ${{ jobs.meta.outputs.sha }}\njobs:\n  meta:\n    runs-on: x\n    outputs:\n      title: ${{ github.event.issue.title }}\n      sha: ${{ github.sha }}\n    steps:\n      - run: x\n";
        let called = parse_for_tests(callee);
        let call = Call { triggers: Some(workflow.header.triggers.clone()), ..Call::default() };
        let callee_jobs = JobList(&called.jobs);
        let outputs = Scope::workflow_outputs(&called.header, &callee_jobs).with_call(Some(&call));
        let value = |name: &str| {
            let trigger = called.header.triggers.find(&Event::WorkflowCall).unwrap();
            trigger.outputs.iter().find(|output| output.name.value == name).unwrap().value.clone().unwrap()
        };
        assert!(outputs.taint_of_text(&value("sha")).is_none());
        let title = outputs.taint_of_text(&value("title")).unwrap();
        assert_eq!((title.origin.as_str(), title.privileged), ("github.event.issue.title", true));
        let output = super::super::call::ReturnedOutput { job: "call".into(), name: "title".into(), taint: title };
        let returned = Returned { outputs: vec![output] };
        let read = scope.with_returned(Some(&returned)).taint_of_path("needs.call.outputs.title").unwrap();
        assert_eq!(read.via, ["jobs.meta.outputs.title", "needs.call.outputs.title"]);
        assert!(scope.with_returned(Some(&returned)).taint_of_path("needs.call.outputs.sha").is_none());
    }

    #[test]
    fn inputs_by_trigger_and_type() {
        let source = "on:\n  workflow_dispatch:\n    inputs:\n      note: {type: string}\n      level: {type: choice, options: [a, b]}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n";
        assert_eq!(taint_in_step(source, 0, 0, "inputs.note").unwrap().controller, Controller::Collaborator);
        assert!(taint_in_step(source, 0, 0, "inputs.level").is_none());
        let called = "on:\n  workflow_call:\n    inputs:\n      ref: {type: string}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: x\n";
        assert_eq!(taint_in_step(called, 0, 0, "inputs.ref").unwrap().controller, Controller::Caller);
        assert!(taint_in_step(called, 0, 0, "github.event.issue.title").unwrap().events_unknown);
    }

    #[test]
    fn event_payload_read_with_jq() {
        let source = "on: issue_comment\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: c\n        run: echo \"body=$(jq -r .comment.body \"$GITHUB_EVENT_PATH\")\" >> $GITHUB_OUTPUT\n      - run: x\n";
        let taint = taint_in_step(source, 0, 1, "steps.c.outputs.body").unwrap();
        assert_eq!(taint.origin, "github.event.comment.body");
    }

    #[test]
    fn every_fact_names_known_events() {
        for fact in facts() {
            assert!(!fact.events.is_empty(), "{}", fact.path);
            for event in &fact.events {
                assert!(
                    !matches!(Event::parse(event), Event::Other(_)) || ["label", "milestone"].contains(&event.as_str()),
                    "{}: unknown event {event}",
                    fact.path
                );
            }
        }
        assert_eq!(runner_variable("GITHUB_HEAD_REF"), Some("github.head_ref"));
    }
}
