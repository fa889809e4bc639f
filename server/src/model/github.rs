//! GitHub Actions workflows: triggers, permissions, env, jobs and steps.

use std::sync::Arc;

use super::view::{Entry, View};
use super::{Block, Env, Spanned, Text};
use crate::syntax::span::Span;

/// A workflow: its header (everything but `jobs`) and its jobs.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub header: Arc<WorkflowHeader>,
    pub jobs: Vec<Arc<Job>>,
}

/// The top-level keys of a workflow other than `jobs`, which every job's analysis reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkflowHeader {
    pub name: Option<Spanned<String>>,
    pub triggers: Triggers,
    pub permissions: Option<Permissions>,
    pub env: Env,
    /// The `jobs:` key, where top-level keys can be inserted before.
    pub jobs_key: Option<Span>,
}

/// The events of `on:`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Triggers {
    /// The `on` key, or `None` when the workflow has none yet.
    pub key: Option<Span>,
    pub events: Vec<Trigger>,
}

impl Triggers {
    pub fn find(&self, event: &Event) -> Option<&Trigger> {
        self.events.iter().find(|trigger| &trigger.event == event)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub event: Event,
    pub span: Span,
    /// `types:` filters, e.g. `[opened, synchronize]`.
    pub types: Vec<String>,
}

/// Workflow trigger events that rules care about by name; the rest keep their name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Event {
    PullRequest,
    PullRequestTarget,
    PullRequestReview,
    PullRequestReviewComment,
    WorkflowRun,
    WorkflowDispatch,
    WorkflowCall,
    IssueComment,
    Issues,
    Discussion,
    DiscussionComment,
    Push,
    Schedule,
    Release,
    Other(String),
}

impl Event {
    pub fn parse(name: &str) -> Self {
        match name {
            "pull_request" => Event::PullRequest,
            "pull_request_target" => Event::PullRequestTarget,
            "pull_request_review" => Event::PullRequestReview,
            "pull_request_review_comment" => Event::PullRequestReviewComment,
            "workflow_run" => Event::WorkflowRun,
            "workflow_dispatch" => Event::WorkflowDispatch,
            "workflow_call" => Event::WorkflowCall,
            "issue_comment" => Event::IssueComment,
            "issues" => Event::Issues,
            "discussion" => Event::Discussion,
            "discussion_comment" => Event::DiscussionComment,
            "push" => Event::Push,
            "schedule" => Event::Schedule,
            "release" => Event::Release,
            other => Event::Other(other.to_owned()),
        }
    }

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
        )
    }
}

/// A `permissions:` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    pub key: Span,
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
        Some(Self { key: entry.key.span, span: entry.value.span(), grant })
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
    pub name: Option<Spanned<String>>,
    pub runs_on: Vec<Spanned<String>>,
    pub permissions: Option<Permissions>,
    pub needs: Vec<Spanned<String>>,
    pub condition: Option<Text>,
    pub environment: Option<Spanned<String>>,
    pub env: Env,
    pub container: Option<Spanned<String>>,
    pub services: Vec<Spanned<String>>,
    /// A reusable workflow called by the job.
    pub uses: Option<Uses>,
    pub with: Vec<Input>,
    pub secrets: Option<Secrets>,
    pub steps: Vec<Step>,
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
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub uses: Option<Uses>,
    pub run: Option<Text>,
    /// The `run:` key.
    pub run_key: Option<Span>,
    pub shell: Option<Spanned<String>>,
    pub with: Vec<Input>,
    pub with_block: Option<Block>,
    pub env: Env,
    pub condition: Option<Text>,
    pub working_directory: Option<Text>,
}

impl Step {
    /// The input `name` under `with:`.
    pub fn input(&self, name: &str) -> Option<&Input> {
        self.with.iter().find(|input| input.name.value == name)
    }

    /// Whether the step uses the action `owner/repo` (any path or ref).
    pub fn uses_action(&self, owner_repo: &str) -> bool {
        matches!(&self.uses, Some(Uses { target: UsesTarget::Repository { owner, repo, path: None, .. }, .. })
            if format!("{owner}/{repo}").eq_ignore_ascii_case(owner_repo))
    }

    /// Whether the step runs code taken from the checked-out workspace or a shell.
    pub fn runs_code(&self) -> bool {
        self.run.is_some() || matches!(&self.uses, Some(Uses { target: UsesTarget::Local { .. }, .. }))
    }
}

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
    /// `./path/to/action`
    Local { path: String },
    /// `docker://image:tag`
    Docker { image: String },
}

impl Uses {
    pub fn parse(raw: &str, span: Span) -> Self {
        let target = if let Some(image) = raw.strip_prefix("docker://") {
            UsesTarget::Docker { image: image.to_owned() }
        } else if raw.starts_with("./") || raw.starts_with("../") {
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
        triggers: find("on").or_else(|| find("true")).map(triggers).unwrap_or_default(),
        permissions: Permissions::from_entry(find("permissions")),
        env: Env::from_entry(find("env")),
        jobs_key,
    }
}

fn triggers(entry: Entry<'_>) -> Triggers {
    let events = if entry.value.is_mapping() {
        entry
            .value
            .entries()
            .iter()
            .filter_map(|event| {
                let types = event.value.get("types").map(|types| strings(types)).unwrap_or_default();
                let name = event.name()?;
                Some(Trigger {
                    event: Event::parse(name),
                    span: event.key.span,
                    types: types.into_iter().map(|t| t.value).collect(),
                })
            })
            .collect()
    } else {
        strings(entry.value)
            .into_iter()
            .map(|name| Trigger { event: Event::parse(&name.value), span: name.span, types: Vec::new() })
            .collect()
    };
    Triggers { key: Some(entry.key.span), events }
}

/// Builds a job from its `id: {...}` entry.
pub fn build_job(entry: &Entry<'_>) -> Option<Job> {
    let job = entry.value;
    let get = |key: &str| job.get(key);
    Some(Job {
        id: Spanned::key_of(entry)?,
        span: entry.pair.span,
        key_column: job.own_pairs().first().map(|pair| pair.key.column),
        name: get("name").and_then(Spanned::from_view),
        runs_on: get("runs-on").map(strings).unwrap_or_default(),
        permissions: Permissions::from_entry(job.entry("permissions")),
        needs: get("needs").map(strings).unwrap_or_default(),
        condition: get("if").and_then(Text::from_view),
        environment: get("environment").and_then(|env| Spanned::from_view(env.get("name").unwrap_or(env))),
        env: Env::from_entry(job.entry("env")),
        container: get("container").and_then(|c| Spanned::from_view(c.get("image").unwrap_or(c))),
        services: get("services")
            .map(|services| {
                services
                    .entries()
                    .iter()
                    .filter_map(|s| Spanned::from_view(s.value.get("image").unwrap_or(s.value)))
                    .collect()
            })
            .unwrap_or_default(),
        uses: get("uses").and_then(|uses| Some(Uses::parse(uses.as_str()?, uses.span()))),
        with: get("with").map(inputs).unwrap_or_default(),
        secrets: get("secrets").map(|secrets| match secrets.as_str() {
            Some("inherit") => Secrets::Inherit(secrets.span()),
            _ => Secrets::Passed(inputs(secrets)),
        }),
        steps: get("steps").map(build_steps).unwrap_or_default(),
    })
}

/// Builds the steps of a `steps:` sequence.
pub fn build_steps(steps: View<'_>) -> Vec<Step> {
    steps.sequence().into_iter().enumerate().filter_map(|(index, step)| build_step(index, step)).collect()
}

fn build_step(index: usize, step: View<'_>) -> Option<Step> {
    let first = step.own_pairs().first()?;
    let get = |key: &str| step.get(key);
    let with_entry = step.entry("with");
    Some(Step {
        index,
        span: step.span(),
        key_column: Some(first.key.column),
        first_key: first.key.span,
        id: get("id").and_then(Spanned::from_view),
        name: get("name").and_then(Spanned::from_view),
        uses: get("uses").and_then(|uses| Some(Uses::parse(uses.as_str()?, uses.span()))),
        run: get("run").and_then(Text::from_view),
        run_key: step.entry("run").map(|entry| entry.key.span),
        shell: get("shell").and_then(Spanned::from_view),
        with: with_entry.map(|entry| inputs(entry.value)).unwrap_or_default(),
        with_block: with_entry.map(|entry| Block::from_entry(&entry)),
        env: Env::from_entry(step.entry("env")),
        condition: get("if").and_then(Text::from_view),
        working_directory: get("working-directory").and_then(Text::from_view),
    })
}

fn inputs(mapping: View<'_>) -> Vec<Input> {
    mapping
        .entries()
        .iter()
        .filter_map(|entry| Some(Input { name: Spanned::key_of(entry)?, value: Text::from_view(entry.value) }))
        .collect()
}

/// A scalar or a sequence of scalars, as a list.
pub fn strings(view: View<'_>) -> Vec<Spanned<String>> {
    view.items().into_iter().filter_map(Spanned::from_view).collect()
}
