//! GitHub Actions workflows: triggers, permissions, env, jobs and steps.

use std::sync::Arc;

use super::derived::Derived;
use super::shell::{Dialect, Script};
use super::view::{Entry, View};
use super::{Block, CollectExact, Env, Setting, Spanned, Text, key_column};
use crate::syntax::span::Span;

/// A workflow: its header (everything but `jobs`) and its jobs.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub header: Arc<WorkflowHeader>,
    pub jobs: Vec<Arc<Job>>,
}

impl Workflow {
    /// Whether other workflows can call it (`on: workflow_call`).
    pub fn is_callable(&self) -> bool {
        self.header.triggers.has(&Event::WorkflowCall)
    }
}

/// The top-level keys of a workflow other than `jobs`, which every job's analysis reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkflowHeader {
    pub name: Option<Spanned<String>>,
    pub run_name: Option<Text>,
    pub triggers: Triggers,
    pub permissions: Option<Permissions>,
    pub env: Env,
    pub concurrency: Option<Concurrency>,
    /// `defaults: run: shell:`.
    pub default_shell: Option<Spanned<String>>,
    /// The `jobs:` key, where top-level keys can be inserted before.
    pub jobs_key: Option<Span>,
    /// Read as a caller calls it, the names of the secrets that caller gives this reusable
    /// workflow (none when it passes no `secrets:`); `None` when they are not known, or
    /// when it passes them all (`secrets: inherit`).
    pub given_secrets: Option<Vec<String>>,
}

/// A `concurrency:` value: a group name alone, or a group and `cancel-in-progress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concurrency {
    pub key: Span,
    pub group: Option<Text>,
    pub cancel_in_progress: Option<Spanned<String>>,
}

impl Concurrency {
    fn from_entry(entry: Entry<'_>) -> Self {
        let value = entry.value;
        let group =
            if value.is_mapping() { value.get("group").and_then(Text::from_view) } else { Text::from_view(value) };
        Self {
            key: entry.key.span,
            group,
            cancel_in_progress: value.get("cancel-in-progress").and_then(Spanned::from_view),
        }
    }
}

/// The events of `on:`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Triggers {
    /// The `on` key, or `None` when the workflow has none yet.
    pub key: Option<Span>,
    pub events: Vec<Trigger>,
    /// Whether the events are a caller's, read into a reusable workflow as that caller calls
    /// it: it then runs only when called, with the caller's token.
    pub called: bool,
}

impl Triggers {
    pub fn find(&self, event: &Event) -> Option<&Trigger> {
        self.events.iter().find(|trigger| &trigger.event == event)
    }

    pub fn has(&self, event: &Event) -> bool {
        self.find(event).is_some()
    }

    /// Whether some trigger passes `test`, e.g. `triggers.any(Event::is_outsider_triggered)`.
    pub fn any(&self, test: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(|trigger| test(&trigger.event))
    }

    /// Whether every trigger is `workflow_call`: a reusable workflow, which runs with its
    /// caller's triggers and privileges.
    pub fn is_reusable_only(&self) -> bool {
        !self.events.is_empty() && self.events.iter().all(|trigger| trigger.event == Event::WorkflowCall)
    }

    /// Whether the workflow's token is its caller's, whose `permissions:` decide what it can
    /// do: a reusable workflow, alone or read as a caller calls it.
    pub fn uses_callers_token(&self) -> bool {
        self.called || self.is_reusable_only()
    }

    /// The same triggers in one order: by event, each with its `types:` sorted.
    pub fn sorted(&self) -> Triggers {
        let mut events = self.events.clone();
        for trigger in &mut events {
            trigger.types.sort_unstable();
        }
        events.sort_by(|a, b| a.event.name().cmp(b.event.name()).then_with(|| a.types.cmp(&b.types)));
        Triggers { key: self.key, events, called: self.called }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub event: Event,
    pub span: Span,
    /// `types:` filters, e.g. `[opened, synchronize]`.
    pub types: Vec<String>,
    /// `branches:` filters.
    pub branches: Vec<String>,
    /// `branches-ignore:` filters.
    pub branches_ignore: Vec<String>,
    /// `tags:` and `tags-ignore:` filters of `push`.
    pub tags: Vec<String>,
    pub tags_ignore: Vec<String>,
    /// `workflows:` of `workflow_run`: the names of the workflows whose runs start this one.
    pub workflows: Vec<Spanned<String>>,
    /// `inputs:` of `workflow_dispatch` and `workflow_call`.
    pub inputs: Vec<WorkflowInput>,
    /// `secrets:` of `workflow_call`: the names the caller must or may pass.
    pub secrets: Vec<Spanned<String>>,
    /// `outputs:` of `workflow_call`: each name with its `value:`, which callers read as
    /// `needs.<job>.outputs.<name>`.
    pub outputs: Vec<Input>,
}

/// An input declared by `workflow_dispatch` or `workflow_call`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowInput {
    pub name: Spanned<String>,
    /// `string`, `boolean`, `number`, `choice`, `environment`; `None` when not declared
    /// (a string).
    pub kind: Option<String>,
}

impl WorkflowInput {
    /// Whether the input can carry free text (a string), rather than a value GitHub checks
    /// against a type or a list of options.
    pub fn is_free_text(&self) -> bool {
        matches!(self.kind.as_deref(), None | Some("string"))
    }
}

macro_rules! events {
    ($($variant:ident => $name:literal,)*) => {
        /// Workflow trigger events that rules care about by name; the rest keep their name.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Event {
            $($variant,)*
            Other(String),
        }

        impl Event {
            pub fn parse(name: &str) -> Self {
                match name {
                    $($name => Event::$variant,)*
                    other => Event::Other(other.to_owned()),
                }
            }

            /// The event's name as written in `on:`.
            pub fn name(&self) -> &str {
                match self {
                    $(Event::$variant => $name,)*
                    Event::Other(name) => name,
                }
            }
        }
    };
}

events! {
    PullRequest => "pull_request",
    PullRequestTarget => "pull_request_target",
    PullRequestReview => "pull_request_review",
    PullRequestReviewComment => "pull_request_review_comment",
    WorkflowRun => "workflow_run",
    WorkflowDispatch => "workflow_dispatch",
    WorkflowCall => "workflow_call",
    RepositoryDispatch => "repository_dispatch",
    IssueComment => "issue_comment",
    Issues => "issues",
    Discussion => "discussion",
    DiscussionComment => "discussion_comment",
    CommitComment => "commit_comment",
    Gollum => "gollum",
    Fork => "fork",
    Watch => "watch",
    CheckRun => "check_run",
    CheckSuite => "check_suite",
    MergeGroup => "merge_group",
    Push => "push",
    Create => "create",
    Delete => "delete",
    Schedule => "schedule",
    Release => "release",
}

impl Event {
    /// Events that run with the base repository's secrets and a write token even when an
    /// outsider caused them.
    pub fn is_privileged_for_outsiders(&self) -> bool {
        matches!(
            self,
            Event::PullRequestTarget
                | Event::WorkflowRun
                | Event::IssueComment
                | Event::Issues
                | Event::Discussion
                | Event::DiscussionComment
                | Event::CommitComment
                | Event::Gollum
                | Event::Fork
                | Event::Watch
                | Event::CheckRun
                | Event::CheckSuite
        )
    }

    /// Events that someone without write access to the repository can cause.
    pub fn is_outsider_triggered(&self) -> bool {
        self.is_privileged_for_outsiders()
            || matches!(self, Event::PullRequest | Event::PullRequestReview | Event::PullRequestReviewComment)
    }

    /// Whether the run gets the repository's secrets: every event but those of pull requests
    /// from forks, which GitHub runs without secrets and with a read-only token.
    pub fn runs_with_secrets(&self) -> bool {
        !matches!(self, Event::PullRequest | Event::PullRequestReview | Event::PullRequestReviewComment)
    }
}

/// A `permissions:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub key: Span,
    /// The column of the key, where a block mapping replacing the value is indented from.
    pub key_column: u32,
    /// The whole value.
    pub span: Span,
    pub grant: Grant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    ReadAll,
    WriteAll,
    /// `permissions: {}`: no scope at all.
    Nothing,
    Scopes(Vec<Scope>),
    /// Anything else, e.g. an expression or a typo.
    Unrecognised(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub name: Spanned<String>,
    pub access: Spanned<Access>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    None,
    Unrecognised,
}

impl Permissions {
    pub fn from_entry(entry: Option<Entry<'_>>) -> Option<Self> {
        let entry = entry?;
        let grant = match entry.value.as_str() {
            Some("read-all") => Grant::ReadAll,
            Some("write-all") => Grant::WriteAll,
            Some(other) if !other.is_empty() => Grant::Unrecognised(other.to_owned()),
            _ if entry.value.is_mapping() && entry.value.own_pairs().is_empty() => Grant::Nothing,
            _ if entry.value.is_null() => Grant::Nothing,
            _ => Grant::Scopes(entry.value.entries().iter().filter_map(scope).collect()),
        };
        Some(Self { key: entry.key.span, key_column: entry.key.column, span: entry.value.span(), grant })
    }

    /// The access the token gets to `scope`, or `None` when the value is not understood (an
    /// expression, a typo). `id-token` has no read level, so `read-all` leaves it at none.
    pub fn access(&self, scope: &str) -> Option<Access> {
        match &self.grant {
            Grant::WriteAll => Some(Access::Write),
            Grant::ReadAll if scope == "id-token" => Some(Access::None),
            Grant::ReadAll => Some(Access::Read),
            Grant::Nothing => Some(Access::None),
            Grant::Scopes(scopes) => Some(
                scopes
                    .iter()
                    .find(|granted| granted.name.value == scope)
                    .map_or(Access::None, |granted| granted.access.value),
            ),
            Grant::Unrecognised(_) => None,
        }
    }
}

impl Grant {
    /// The scopes the grant lets the token write, `*` for all of them.
    pub fn written_scopes(&self) -> Vec<&str> {
        match self {
            Grant::WriteAll => vec!["*"],
            Grant::Scopes(scopes) => scopes
                .iter()
                .filter(|scope| scope.access.value == Access::Write)
                .map(|scope| scope.name.as_str())
                .collect(),
            Grant::ReadAll | Grant::Nothing | Grant::Unrecognised(_) => Vec::new(),
        }
    }
}

/// What a job's `GITHUB_TOKEN` can write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenWrites {
    /// No `permissions:` on the job or the workflow: the repository's default, which is
    /// write access to most scopes on older repositories and many organisations.
    Default,
    /// The scopes granted `write` (`*` for `write-all`).
    Scopes(Vec<String>),
    /// Read access only.
    Nothing,
}

impl TokenWrites {
    /// The token's write access in `job` of a workflow with `header`.
    pub fn of(header: &WorkflowHeader, job: &Job) -> Self {
        match job.permissions.as_ref().or(header.permissions.as_ref()) {
            None => TokenWrites::Default,
            Some(permissions) => {
                let scopes = permissions.grant.written_scopes();
                if scopes.is_empty() {
                    TokenWrites::Nothing
                } else {
                    TokenWrites::Scopes(scopes.into_iter().map(str::to_owned).collect())
                }
            }
        }
    }

    pub fn may_write(&self) -> bool {
        *self != TokenWrites::Nothing
    }

    /// For messages: "a token that can write `contents`", "a token with the repository's
    /// default permissions (often write)".
    pub fn describe(&self) -> String {
        match self {
            TokenWrites::Default => {
                "a token with the repository's default permissions (no `permissions:`), often write access".to_owned()
            }
            TokenWrites::Scopes(scopes) if scopes.iter().any(|scope| scope == "*") => {
                "a token that can write everything (`write-all`)".to_owned()
            }
            TokenWrites::Scopes(scopes) => {
                let names: Vec<String> = scopes.iter().map(|scope| format!("`{scope}`")).collect();
                format!("a token that can write {}", names.join(", "))
            }
            TokenWrites::Nothing => "a read-only token".to_owned(),
        }
    }
}

/// What a job holds, for messages: "`secrets.A`, `secrets.B` and a token that can write
/// `contents`", or the token alone.
pub fn describe_holdings(secrets: &[&str], token: &TokenWrites) -> String {
    match secrets {
        [] => token.describe(),
        _ => format!("`{}` and {}", secrets.join("`, `"), token.describe()),
    }
}

fn scope(entry: &Entry<'_>) -> Option<Scope> {
    let access = match entry.value.as_str()? {
        "read" => Access::Read,
        "write" => Access::Write,
        "none" => Access::None,
        _ => Access::Unrecognised,
    };
    Some(Scope { name: Spanned::key_of(entry)?, access: Spanned::new(access, entry.value.span()) })
}

/// One job under `jobs:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: Spanned<String>,
    /// The whole `id: {...}` entry.
    pub span: Span,
    /// The column of the job's keys, where new keys are inserted.
    pub key_column: Option<u32>,
    /// The first key of the job, before which new keys can be inserted.
    pub first_key: Option<Span>,
    pub name: Option<Spanned<String>>,
    /// `runs-on:` labels (a scalar, a list, or the `labels:` of a mapping).
    pub runs_on: Vec<Text>,
    /// `runs-on: group:`, a runner group.
    pub runner_group: Option<Box<Spanned<String>>>,
    pub permissions: Option<Permissions>,
    pub needs: Vec<Spanned<String>>,
    // The larger fields most jobs leave out are boxed, to cost a pointer when absent.
    pub condition: Option<Box<Text>>,
    pub environment: Option<Spanned<String>>,
    pub env: Env,
    pub container: Option<Box<Container>>,
    pub services: Vec<Container>,
    /// `strategy: matrix:` values by key, `include:` entries merged in.
    pub matrix: Vec<MatrixValues>,
    /// `outputs:`: what the job exposes to `needs.<id>.outputs.*`.
    pub outputs: Vec<Input>,
    pub timeout_minutes: Option<Spanned<String>>,
    pub continue_on_error: Option<Box<Setting>>,
    pub concurrency: Option<Box<Concurrency>>,
    /// `defaults: run: shell:`.
    pub default_shell: Option<Box<Spanned<String>>>,
    /// A reusable workflow called by the job.
    pub uses: Option<Box<Uses>>,
    pub with: Vec<Input>,
    pub secrets: Option<Secrets>,
    pub steps: Vec<Step>,
}

impl Job {
    /// The secrets the job can read, sorted: `secrets.NAME` anywhere
    /// in the job or the workflow's `env:` (but `GITHUB_TOKEN`, which every job has), and
    /// `secrets: inherit` as `secrets.*`.
    pub fn secrets_read<'a>(&'a self, header: &'a WorkflowHeader) -> Vec<&'a str> {
        self.secret_refs(header).into_iter().map(|(name, _)| name).collect()
    }

    /// The secrets of [`Job::secrets_read`], each with where it is first read.
    pub fn secret_refs<'a>(&'a self, header: &'a WorkflowHeader) -> Vec<(&'a str, Span)> {
        let env_values = |env: &'a Env| env.vars.iter().filter_map(|var| var.value.as_ref());
        let inputs = |inputs: &'a [Input]| inputs.iter().filter_map(|input| input.value.as_ref());
        let passed = match &self.secrets {
            Some(Secrets::Passed(passed)) => passed.as_slice(),
            _ => &[],
        };
        let containers = self.container.as_deref().into_iter().chain(&self.services);
        let steps = self.steps.iter().flat_map(|step| {
            step.run.as_ref().map(|run| &run.text).into_iter().chain(inputs(&step.with)).chain(env_values(&step.env))
        });
        // Chained, not gathered: a list of the texts grew by reallocation at each part.
        let texts = env_values(&header.env)
            .chain(env_values(&self.env))
            .chain(inputs(&self.with))
            .chain(inputs(passed))
            .chain(containers.flat_map(|container| container.password.iter().chain(&container.username)))
            .chain(steps);
        let mut refs: Vec<(&str, Span)> = texts
            .flat_map(|text| &text.expressions)
            .flat_map(|expression| &expression.contexts)
            .filter(|context| {
                context.path.starts_with("secrets.") && !context.path.eq_ignore_ascii_case("secrets.GITHUB_TOKEN")
            })
            .filter(|context| {
                let name = context.path.trim_start_matches("secrets.");
                header.given_secrets.as_ref().is_none_or(|given| given.iter().any(|g| g.eq_ignore_ascii_case(name)))
            })
            .map(|context| (context.path.as_str(), context.span))
            .collect();
        // A reusable workflow given no secret passes none on.
        let inherits = header.given_secrets.as_ref().is_none_or(|given| !given.is_empty());
        if let (Some(Secrets::Inherit(span)), true) = (&self.secrets, inherits) {
            let span = *span;
            refs.push(("secrets.*", span));
        }
        // Stable, so that each name keeps the first place it is read.
        refs.sort_by_key(|(name, _)| *name);
        refs.dedup_by_key(|(name, _)| *name);
        refs
    }
}

/// A job's `container:` or one of its `services:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub image: Spanned<String>,
    /// `credentials: password:`.
    pub password: Option<Text>,
    pub username: Option<Text>,
}

/// The values one matrix key takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixValues {
    pub key: String,
    pub values: Vec<Text>,
}

impl Job {
    /// Whether the job asks for a self-hosted runner (the `self-hosted` label), which may
    /// sit in a cloud account, a data centre or an office network, and keeps what earlier
    /// jobs left on it.
    pub fn self_hosted(&self) -> bool {
        self.runs_on.iter().any(|label| label.value.eq_ignore_ascii_case("self-hosted"))
    }

    /// The values of `matrix.<key>`.
    pub fn matrix_values(&self, key: &str) -> impl Iterator<Item = &Text> {
        self.matrix.iter().filter(move |values| values.key == key).flat_map(|values| &values.values)
    }

    /// The step with `id: <id>`.
    pub fn step_by_id(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|step| step.id.as_ref().is_some_and(|step_id| step_id.value == id))
    }

    /// The output `name` of the job.
    pub fn output(&self, name: &str) -> Option<&Input> {
        self.outputs.iter().find(|output| output.name.value == name)
    }

    /// The `permissions:` the job's token gets: its own, else the workflow's; `None` means
    /// the repository's default (or, in a reusable workflow, the caller's).
    pub fn token_permissions<'a>(&'a self, header: &'a WorkflowHeader) -> Option<&'a Permissions> {
        self.permissions.as_ref().or(header.permissions.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secrets {
    Inherit(Span),
    Passed(Vec<Input>),
}

/// One step of a job or of a composite action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub index: usize,
    pub span: Span,
    /// The column of the step's keys, where new keys are inserted.
    pub key_column: Option<u32>,
    /// The first key of the step, before which new keys can be inserted.
    pub first_key: Span,
    // Boxed, as the larger fields below: most steps have no `id:` and no `shell:`.
    pub id: Option<Box<Spanned<String>>>,
    pub name: Option<Spanned<String>>,
    // The larger fields are boxed: a step has `uses:` or `run:`, seldom the others, and
    // absent they cost a pointer instead of their size.
    pub uses: Option<Box<Uses>>,
    /// The `run:` script, lexed as shell commands unless its shell is not a POSIX shell.
    pub run: Option<Box<Script>>,
    /// The `run:` key.
    pub run_key: Option<Span>,
    pub shell: Option<Box<Spanned<String>>>,
    pub with: Vec<Input>,
    pub with_block: Option<Box<Block>>,
    pub env: Env,
    pub condition: Option<Box<Text>>,
    pub working_directory: Option<Box<Text>>,
    pub continue_on_error: Option<Box<Setting>>,
    /// What the step releases, and where ([`super::release::step_release`]); boxed, as most
    /// steps release nothing.
    pub release: Derived<Option<Box<(String, Span)>>>,
}

impl Step {
    /// The input `name` under `with:`.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.with.iter().find(|input| input.name.value == name)
    }

    /// Whether the step uses the action `owner/repo` (any ref), or `owner/repo/path` when
    /// `owner_repo` names a path.
    pub fn uses_action(&self, owner_repo: &str) -> bool {
        self.uses.as_ref().is_some_and(|uses| uses.is_action(owner_repo))
    }

    /// The value of the input `name`, if written.
    pub fn input_text(&self, name: &str) -> Option<&Text> {
        self.input(name).and_then(|input| input.value.as_ref())
    }

    /// Whether the step runs code taken from the checked-out workspace or a shell.
    pub fn runs_code(&self) -> bool {
        self.run.is_some() || matches!(self.uses.as_deref(), Some(Uses { target: UsesTarget::Local { .. }, .. }))
    }

    /// Where the step checks out a pull request's head, i.e. code its author wrote: a
    /// `ref:` or `repository:` of `actions/checkout` built from the head's ref or sha or
    /// naming `refs/pull/...`, or a `gh pr checkout` command. Returns the place and what names
    /// the head (a context path, the ref, or the command).
    pub fn pull_request_head_checkout(&self) -> Option<(Span, String)> {
        if self.uses_action("actions/checkout") {
            return ["ref", "repository"].iter().filter_map(|name| self.input_text(name)).find_map(|value| {
                let from_context = value
                    .expressions
                    .iter()
                    .flat_map(|expression| &expression.contexts)
                    .find(|context| PULL_REQUEST_HEAD_CONTEXTS.contains(&context.path.as_str()))
                    .map(|context| context.path.clone());
                let pull_ref = value.value.contains("refs/pull/").then(|| value.value.clone());
                Some((value.span, from_context.or(pull_ref)?))
            });
        }
        let script = self.run.as_ref()?;
        script.commands.iter().find_map(|command| {
            let checkout = command.name() == Some("gh") && command.operands().take(2).eq(["pr", "checkout"]);
            checkout.then(|| (script.span_of(command.range.clone()), "gh pr checkout".to_owned()))
        })
    }
}

/// Context paths that name a pull request's head, i.e. code the pull request's author wrote.
const PULL_REQUEST_HEAD_CONTEXTS: &[&str] = &[
    "github.head_ref",
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.number",
    "github.event.number",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
];

/// A `with:` or `secrets:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: Spanned<String>,
    pub value: Option<Text>,
}

/// A `uses:` reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uses {
    pub span: Span,
    pub raw: String,
    pub target: UsesTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsesTarget {
    /// `owner/repo[/path]@ref`
    Repository { owner: String, repo: String, path: Option<String>, git_ref: Option<String> },
    /// `./path/to/action`, or `$/path/to/action` (this repository at the workflow's commit)
    Local { path: String },
    /// `docker://image:tag`
    Docker { image: String },
}

/// Whether the path `name` starts with the whole `component` (ignoring case), and then what
/// follows its `/`: `Some(None)` when `name` ends with it.
fn component_after<'a>(name: &'a str, component: &str) -> Option<Option<&'a str>> {
    let head = name.get(..component.len())?;
    if !head.eq_ignore_ascii_case(component) {
        return None;
    }
    match name.as_bytes().get(component.len()) {
        None => Some(None),
        Some(b'/') => Some(Some(&name[component.len() + 1..])),
        Some(_) => None,
    }
}

impl Uses {
    /// Whether this is the action `owner/repo` (any ref) or `owner/repo/path`, ignoring case.
    pub fn is_action(&self, name: &str) -> bool {
        let UsesTarget::Repository { owner, repo, path, .. } = &self.target else { return false };
        // Rules ask this of every step for each action they know: most names differ in
        // length, which is compared first, or else in the owner, before anything is split.
        let length = owner.len() + 1 + repo.len() + path.as_ref().map_or(0, |path| 1 + path.len());
        if name.len() != length {
            return false;
        }
        let Some(Some(rest)) = component_after(name, owner) else { return false };
        match (component_after(rest, repo), path) {
            (Some(None), None) => true,
            (Some(Some(rest)), Some(path)) => rest.eq_ignore_ascii_case(path),
            _ => false,
        }
    }

    /// Whether this names the repository `owner/repo`, whatever its path, ignoring case.
    pub fn is_repository(&self, name: &str) -> bool {
        let UsesTarget::Repository { owner, repo, .. } = &self.target else { return false };
        name.len() == owner.len() + 1 + repo.len()
            && matches!(component_after(name, owner), Some(Some(rest)) if component_after(rest, repo) == Some(None))
    }

    /// `owner/repo` or `owner/repo/path` without the ref, for repository references.
    pub fn action_name(&self) -> Option<String> {
        match &self.target {
            UsesTarget::Repository { owner, repo, path: None, .. } => Some(format!("{owner}/{repo}")),
            UsesTarget::Repository { owner, repo, path: Some(path), .. } => Some(format!("{owner}/{repo}/{path}")),
            _ => None,
        }
    }

    /// The `owner/repo` of a repository reference, whatever its path.
    pub fn repository(&self) -> Option<String> {
        match &self.target {
            UsesTarget::Repository { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }

    /// Whether the action or reusable workflow is GitHub's own (`actions/*`, `github/*`).
    pub fn is_first_party(&self) -> bool {
        matches!(&self.target, UsesTarget::Repository { owner, .. }
            if owner.eq_ignore_ascii_case("actions") || owner.eq_ignore_ascii_case("github"))
    }

    /// The ref after `@`, for repository references.
    pub fn git_ref(&self) -> Option<&str> {
        match &self.target {
            UsesTarget::Repository { git_ref, .. } => git_ref.as_deref(),
            _ => None,
        }
    }

    pub fn parse(raw: &str, span: Span) -> Self {
        let target = if let Some(image) = raw.strip_prefix("docker://") {
            UsesTarget::Docker { image: image.to_owned() }
        } else if raw.starts_with("./") || raw.starts_with("../") || raw.starts_with("$/") {
            UsesTarget::Local { path: raw.to_owned() }
        } else {
            let (location, git_ref) = match raw.split_once('@') {
                Some((location, git_ref)) => (location, Some(git_ref.to_owned())),
                None => (raw, None),
            };
            let mut parts = location.splitn(3, '/');
            UsesTarget::Repository {
                owner: parts.next().unwrap_or_default().to_owned(),
                repo: parts.next().unwrap_or_default().to_owned(),
                path: parts.next().map(str::to_owned),
                git_ref,
            }
        };
        Self { span, raw: raw.to_owned(), target }
    }
}

/// Builds the header from the top-level entries of a workflow other than `jobs`.
pub fn build_header(entries: &[Entry<'_>], jobs_key: Option<Span>) -> WorkflowHeader {
    let find = |key: &str| entries.iter().find(|entry| entry.name() == Some(key)).copied();
    WorkflowHeader {
        name: find("name").and_then(|entry| Spanned::from_view(entry.value)),
        run_name: find("run-name").and_then(|entry| Text::from_view(entry.value)),
        triggers: find("on").or_else(|| find("true")).map(triggers).unwrap_or_default(),
        permissions: Permissions::from_entry(find("permissions")),
        env: Env::from_entry(find("env")),
        concurrency: find("concurrency").map(Concurrency::from_entry),
        default_shell: find("defaults").and_then(|entry| default_shell(entry.value)),
        jobs_key,
        given_secrets: None,
    }
}

fn triggers(entry: Entry<'_>) -> Triggers {
    let events = if entry.value.is_mapping() {
        entry
            .value
            .entries()
            .iter()
            .filter_map(|event| Some(trigger(Event::parse(event.name()?), event.key.span, Some(event.value))))
            .collect()
    } else {
        strings(entry.value).into_iter().map(|name| trigger(Event::parse(&name.value), name.span, None)).collect()
    };
    Triggers { key: Some(entry.key.span), events, called: false }
}

fn trigger(event: Event, span: Span, settings: Option<View<'_>>) -> Trigger {
    let list = |key: &str| settings.and_then(|view| view.get(key)).map(strings).unwrap_or_default();
    let inputs = settings
        .and_then(|view| view.get("inputs"))
        .map(|inputs| {
            inputs
                .entries()
                .iter()
                .filter_map(|input| {
                    Some(WorkflowInput {
                        name: Spanned::key_of(input)?,
                        kind: input.value.get("type").and_then(|kind| kind.as_str()).map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let secrets = settings
        .and_then(|view| view.get("secrets"))
        .map(|secrets| secrets.entries().iter().filter_map(Spanned::key_of).collect())
        .unwrap_or_default();
    let outputs = settings
        .and_then(|view| view.get("outputs"))
        .map(|outputs| {
            outputs
                .entries()
                .iter()
                .filter_map(|output| {
                    Some(Input {
                        name: Spanned::key_of(output)?,
                        value: output.value.get("value").and_then(Text::from_view),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Trigger {
        event,
        span,
        types: list("types").into_iter().map(|t| t.value).collect(),
        branches: list("branches").into_iter().map(|b| b.value).collect(),
        branches_ignore: list("branches-ignore").into_iter().map(|b| b.value).collect(),
        tags: list("tags").into_iter().map(|t| t.value).collect(),
        tags_ignore: list("tags-ignore").into_iter().map(|t| t.value).collect(),
        workflows: list("workflows"),
        inputs,
        secrets,
        outputs,
    }
}

fn default_shell(defaults: View<'_>) -> Option<Spanned<String>> {
    defaults.get("run").and_then(|run| run.get("shell")).and_then(Spanned::from_view)
}

/// Builds a job from its `id: {...}` entry.
pub fn build_job(entry: &Entry<'_>) -> Option<Job> {
    let job = entry.value;
    let get = |key: &str| job.get(key);
    let runs_on = get("runs-on");
    let runs_on_labels = runs_on.map(|view| view.get("labels").unwrap_or(view)).filter(|view| !view.is_mapping());
    let labels: Vec<Text> = runs_on_labels.map(texts).unwrap_or_default();
    let default_shell = get("defaults").and_then(default_shell);
    let shell_default = ShellDefault {
        shell: default_shell.as_ref().map(|shell| shell.value.clone()),
        windows: labels.iter().any(|label| label.value.to_ascii_lowercase().contains("windows")),
    };
    Some(Job {
        id: Spanned::key_of(entry)?,
        span: entry.pair.span,
        key_column: key_column(job),
        first_key: job.own_pairs().first().map(|pair| pair.key.span),
        name: get("name").and_then(Spanned::from_view),
        runs_on: labels,
        runner_group: runs_on.and_then(|view| view.get("group")).and_then(Spanned::from_view).map(Box::new),
        permissions: Permissions::from_entry(job.entry("permissions")),
        needs: get("needs").map(strings).unwrap_or_default(),
        condition: get("if").and_then(Text::from_view).map(Box::new),
        environment: get("environment").and_then(|env| Spanned::from_view(env.get("name").unwrap_or(env))),
        env: Env::from_entry(job.entry("env")),
        container: get("container").and_then(container).map(Box::new),
        services: get("services")
            .map(|services| services.entries().iter().filter_map(|service| container(service.value)).collect())
            .unwrap_or_default(),
        matrix: get("strategy").and_then(|strategy| strategy.get("matrix")).map(matrix).unwrap_or_default(),
        outputs: get("outputs").map(inputs).unwrap_or_default(),
        timeout_minutes: get("timeout-minutes").and_then(Spanned::from_view),
        continue_on_error: Setting::of(job, "continue-on-error").map(Box::new),
        concurrency: job.entry("concurrency").map(|entry| Box::new(Concurrency::from_entry(entry))),
        default_shell: default_shell.map(Box::new),
        uses: get("uses").and_then(|uses| Some(Box::new(Uses::parse(uses.as_str()?, uses.span())))),
        with: get("with").map(inputs).unwrap_or_default(),
        secrets: get("secrets").map(|secrets| match secrets.as_str() {
            Some("inherit") => Secrets::Inherit(secrets.span()),
            _ => Secrets::Passed(inputs(secrets)),
        }),
        steps: get("steps").map(|steps| build_steps(steps, &shell_default)).unwrap_or_default(),
    })
}

/// The shell a `run:` step gets when it names none.
#[derive(Debug, Clone, Default)]
pub struct ShellDefault {
    /// `defaults: run: shell:` of the job.
    pub shell: Option<String>,
    /// Whether the job runs on Windows, where the default shell is PowerShell.
    pub windows: bool,
}

impl ShellDefault {
    fn dialect(&self, step_shell: Option<&str>) -> Dialect {
        match step_shell.or(self.shell.as_deref()) {
            Some(shell) => Dialect::of_shell(Some(shell)),
            None if self.windows => Dialect::PowerShell,
            None => Dialect::Posix,
        }
    }
}

fn container(view: View<'_>) -> Option<Container> {
    let credentials = view.get("credentials");
    let credential = |key: &str| credentials.and_then(|c| c.get(key)).and_then(Text::from_view);
    Some(Container {
        image: Spanned::from_view(view.get("image").unwrap_or(view))?,
        password: credential("password"),
        username: credential("username"),
    })
}

fn matrix(view: View<'_>) -> Vec<MatrixValues> {
    let mut values: Vec<MatrixValues> = Vec::new();
    let mut add = |key: &str, value: View<'_>| {
        let texts = texts(value);
        match values.iter_mut().find(|existing| existing.key == key) {
            Some(existing) => existing.values.extend(texts),
            None => values.push(MatrixValues { key: key.to_owned(), values: texts }),
        }
    };
    for entry in view.entries() {
        match entry.name() {
            Some("include") => {
                for item in entry.value.sequence() {
                    for field in item.entries() {
                        if let Some(key) = field.name() {
                            add(key, field.value);
                        }
                    }
                }
            }
            Some("exclude") | None => {}
            Some(key) => add(key, entry.value),
        }
    }
    values
}

/// Builds the steps of a `steps:` sequence.
pub fn build_steps(steps: View<'_>, shell_default: &ShellDefault) -> Vec<Step> {
    let mut built: Vec<Step> = steps
        .sequence()
        .into_iter()
        .enumerate()
        .filter_map(|(index, step)| build_step(index, step, shell_default))
        .collect();
    // Kept as long as the job's model: the room collecting left goes back.
    built.shrink_to_fit();
    built
}

fn build_step(index: usize, step: View<'_>, shell_default: &ShellDefault) -> Option<Step> {
    let first = step.own_pairs().first()?;
    let get = |key: &str| step.get(key);
    let with_entry = step.entry("with");
    let shell = get("shell").and_then(Spanned::from_view);
    let dialect = shell_default.dialect(shell.as_ref().map(|shell| shell.value.as_str()));
    Some(Step {
        index,
        span: step.span(),
        key_column: key_column(step),
        first_key: first.key.span,
        id: get("id").and_then(Spanned::from_view).map(Box::new),
        name: get("name").and_then(Spanned::from_view),
        uses: get("uses").and_then(|uses| Some(Box::new(Uses::parse(uses.as_str()?, uses.span())))),
        run: get("run").and_then(Text::from_view).map(|text| Box::new(Script::parse(text, dialect))),
        run_key: step.entry("run").map(|entry| entry.key.span),
        shell: shell.map(Box::new),
        with: with_entry.map(|entry| inputs(entry.value)).unwrap_or_default(),
        with_block: with_entry.map(|entry| Box::new(Block::from_entry(&entry))),
        env: Env::from_entry(step.entry("env")),
        condition: get("if").and_then(Text::from_view).map(Box::new),
        working_directory: get("working-directory").and_then(Text::from_view).map(Box::new),
        continue_on_error: Setting::of(step, "continue-on-error").map(Box::new),
        release: Derived::default(),
    })
}

fn inputs(mapping: View<'_>) -> Vec<Input> {
    mapping
        .entries()
        .iter()
        .filter_map(|entry| Some(Input { name: Spanned::key_of(entry)?, value: Text::from_view(entry.value) }))
        .collect_exact()
}

/// A scalar or a sequence of scalars, as a list.
pub fn strings(view: View<'_>) -> Vec<Spanned<String>> {
    view.items().into_iter().filter_map(Spanned::from_view).collect_exact()
}

/// A scalar or a sequence of scalars, as texts that may hold expressions.
pub fn texts(view: View<'_>) -> Vec<Text> {
    view.items().into_iter().filter_map(Text::from_view).collect_exact()
}

/// Reads a whole workflow at once, for the model's own tests.
#[cfg(test)]
pub fn parse_for_tests(text: &str) -> Workflow {
    super::view::with_entries_for_tests(text, |entries| {
        let jobs_entry = entries.iter().find(|entry| entry.name() == Some("jobs"));
        let header_entries: Vec<Entry<'_>> =
            entries.iter().filter(|entry| entry.name() != Some("jobs")).copied().collect();
        let header = Arc::new(build_header(&header_entries, jobs_entry.map(|entry| entry.key.span)));
        let jobs = jobs_entry
            .map(|entry| entry.value.entries().iter().filter_map(build_job).map(Arc::new).collect())
            .unwrap_or_default();
        Workflow { header, jobs }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_sorted_are_the_same_whatever_order_they_are_written_in() {
        let sorted = |on: &str| {
            let triggers = parse_for_tests(&format!("on:\n{on}jobs: {{}}\n")).header.triggers.sorted();
            triggers.events.iter().map(|trigger| (trigger.event.name().to_owned(), trigger.types.clone())).collect()
        };
        let one: Vec<(String, Vec<String>)> =
            sorted("  push:\n  pull_request:\n    types: [synchronize, opened]\n  workflow_dispatch:\n");
        let other = sorted("  workflow_dispatch:\n  pull_request:\n    types: [opened, synchronize]\n  push:\n");
        assert_eq!(one, other);
        let types = vec!["opened".to_owned(), "synchronize".to_owned()];
        assert_eq!(one[0], ("pull_request".to_owned(), types));
        assert_ne!(one, sorted("  push:\n  pull_request:\n    types: [opened]\n  workflow_dispatch:\n"));
    }

    #[test]
    fn actions_and_repositories_are_named_whole_and_ignoring_case() {
        let uses = |raw: &str| Uses::parse(raw, Span::document(0..raw.len()));
        let checkout = uses("Actions/Checkout@v4");
        assert!(checkout.is_action("actions/checkout") && checkout.is_repository("actions/checkout"));
        for other in ["actions/checkou", "actions/checkoutt", "actions/checkout/sub", "action/checkout", ""] {
            assert!(!checkout.is_action(other) && !checkout.is_repository(other), "{other}");
        }
        let init = uses("github/codeql-action/init@v3");
        assert!(init.is_action("GitHub/CodeQL-Action/Init") && init.is_repository("github/codeql-action"));
        for other in ["github/codeql-action", "github/codeql-action/ini", "github/codeql-action/init/x"] {
            assert!(!init.is_action(other), "{other}");
        }
        assert!(!init.is_repository("github/codeql-action/init"));
        assert!(!uses("./.github/actions/setup").is_action("./.github/actions/setup"));
    }

    /// Every job and step of a file is held until its findings are reported: a file of
    /// 10,000 jobs holds 10,000 of each. These bounds keep a new optional field from being
    /// added inline at full size (boxed, it costs a pointer when absent). A step's derived
    /// release is 16 bytes of it.
    #[test]
    fn jobs_and_steps_stay_small() {
        assert!(std::mem::size_of::<Step>() <= 232, "a step is {} bytes", std::mem::size_of::<Step>());
        assert!(std::mem::size_of::<Job>() <= 544, "a job is {} bytes", std::mem::size_of::<Job>());
    }

    #[test]
    fn steps_and_scripts_keep_no_spare_room() {
        let steps = concat!(
            "      - run: |\n          echo ${{ github.sha }}\n          echo \"$B\" | tee c\n",
            "      - uses: actions/checkout@v4\n        with:\n          ref: main\n        env:\n          A: b\n",
        );
        let workflow = parse_for_tests(&format!("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n{steps}"));
        let job = &workflow.jobs[0];
        assert_eq!(job.steps.capacity(), job.steps.len());
        assert_eq!(job.runs_on.capacity(), job.runs_on.len());
        let script = job.steps[0].run.as_ref().expect("the first step runs a script");
        assert_eq!(script.commands.capacity(), script.commands.len());
        assert_eq!(script.text.expressions.capacity(), 1);
        assert_eq!(script.text.expressions[0].contexts.capacity(), 1);
        for word in script.commands.iter().flat_map(|command| &command.words) {
            assert_eq!(word.text.capacity(), word.text.len());
        }
        let checkout = &job.steps[1];
        assert_eq!((checkout.with.capacity(), checkout.env.vars.capacity()), (1, 1));
    }
}
