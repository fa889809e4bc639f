//! `cache-poisoning`: caches that untrusted code can write, and releases that restore them.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::cache::{self, CacheUse};
use crate::model::contexts::{self, Controller, Scope};
use crate::model::github::{Event, Job, TokenWrites, WorkflowHeader};
use crate::model::untrusted_code;

pub struct CachePoisoning;

static META: RuleMeta = RuleMeta {
    id: "cache-poisoning",
    technique: Technique::DE03,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A cache that untrusted code can write, or a release that restores one",
        detects: "Three cases. (1) A job of a `pull_request_target`, `issue_comment` or \
`workflow_run` workflow that fetches a pull request's code and saves a cache (`actions/cache`, \
`actions/cache/save`, `actions/setup-node` and the other setup actions with `cache:`, \
`actions/setup-go`, which caches by default, `Swatinem/rust-cache`...): high when it also runs \
that code, medium when it only checks it out. (2) A cache `key:` built from a value an \
outsider chooses (`github.head_ref`, a pull request's title) in such a workflow: medium. (3) A \
release job (one that publishes a package or a release, or that runs on `release` or pushed \
tags with secrets or write scopes) that restores a cache: low, reported once per job, because it is only exploitable \
if some workflow lets untrusted code write this repository's caches, which this file alone \
cannot show.",
        why: "Caches are shared: a run restores the entries of its own branch and of the \
default branch, and `pull_request_target`, `issue_comment` and `workflow_run` runs save theirs \
in the base branch's scope. A pull request whose code runs there, or whose branch name picks \
the key, can plant an entry (a `node_modules`, a Go build cache, a compiled dependency) that \
the next default-branch build or release restores and ships. Any code running in such a job \
can also write entries of its choice with the runner's cache token, whatever the workflow's \
own cache steps do.",
        attack: "Defense Evasion › Modify CI/CD caches (DE03): the attacker's payload travels \
from an untrusted run (Initial Access through a public repository, IA01, and Execution, EX05) \
to trusted ones by way of the cache, where no review sees it, and ends in a release (Impact, \
IM04) or in a privileged job's dependencies.",
        example: r#"on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/setup-node@v4
        with:
          cache: npm
      - run: npm ci && npm test
"#,
        fixed_example: r#"on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          cache: npm
      - run: npm ci && npm test
"#,
        fix: "Build pull requests on `pull_request`, whose caches are scoped to the pull \
request. Never run a pull request's code in `pull_request_target`, `issue_comment` or \
`workflow_run` jobs, and build cache keys from the repository's own files (`hashFiles(...)`), \
never from branch names or titles. In release workflows, turn caching off (`cache: false`, no \
`actions/cache`) so that a release builds from clean inputs; on `actions/setup-go` caching is on \
unless set to `false`. No quick fix is offered: whether a build may give up its cache is the \
owner's choice.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec9),
        Reference::Cwe(349, "Acceptance of Extraneous Untrusted Data With Trusted Data"),
        Reference::Zizmor("cache-poisoning"),
        Reference::Poutine("untrusted_checkout_exec"),
        Reference::CodeQl("actions/cache-poisoning/poisonable-step"),
        Reference::Link(
            "Adnan Khan: The Monsters in Your Build Cache, GitHub Actions cache poisoning",
            "https://adnanthekhan.com/2024/05/06/the-monsters-in-your-build-cache-github-actions-cache-poisoning/",
        ),
    ],
};

/// Triggers whose runs save caches in the base branch's scope for an outsider's event.
const BASE_SCOPE_TRIGGERS: [Event; 3] = [Event::PullRequestTarget, Event::IssueComment, Event::WorkflowRun];

impl Rule for CachePoisoning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let caches: Vec<(usize, CacheUse<'_>)> =
            job.steps.iter().enumerate().filter_map(|(index, step)| Some((index, cache::cache_use(step)?))).collect();
        if caches.is_empty() {
            return;
        }
        let trigger = BASE_SCOPE_TRIGGERS.iter().find(|event| header.triggers.has(event));
        if let Some(trigger) = trigger {
            untrusted_writes(context, trigger, &caches, out);
        }
        let restored: Vec<&CacheUse<'_>> =
            caches.iter().map(|(_, cache)| cache).filter(|cache| cache.restores).collect();
        if let (Some(first), true) = (restored.first(), is_release(header, job)) {
            let more = match restored.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            out.report(
                first.span,
                format!(
                    "this release job restores a cache ({}{more}): an entry planted by untrusted code would go into the \
                     release. That takes a workflow that runs untrusted code with this repository's cache scope \
                     (`pull_request_target` or `workflow_run` building a pull request); if none does, only \
                     default-branch runs write these entries",
                    first.what
                ),
            )
            .with_severity(Severity::Low);
        }
    }
}

/// Cases (1) and (2): a job that runs for an outsider's event in the base branch's scope.
fn untrusted_writes(context: &JobContext<'_>, trigger: &Event, caches: &[(usize, CacheUse<'_>)], out: &mut Findings) {
    let job = context.job;
    let gated = job.condition.as_deref().is_some_and(contexts::checks_actor);
    let fetch = (0..job.steps.len()).find_map(|index| untrusted_code::fetch(&job.steps, index));
    if let Some(fetch) = &fetch {
        let executed = untrusted_code::executed_after(&job.steps, fetch.step, fetch.path.as_deref(), fetch.after);
        // A post-step saves at the end of the job; `actions/cache/save` where it stands.
        let saved_after = |index: usize| index > fetch.step || !job.steps[index].uses_action("actions/cache/save");
        let saving = |(index, cache): &&(usize, CacheUse<'_>)| cache.saves && !cache.conditional && saved_after(*index);
        if let Some((_, cache)) = caches.iter().find(saving) {
            let ran = match &executed {
                Some(execution) => format!(" and runs it (`{}`)", execution.what),
                None => String::new(),
            };
            let finding = out.report(
                cache.span,
                format!(
                    "this `{}` job saves a cache ({}) after checking out the pull request's code (`{}`){ran}: the entry \
                     is saved in the base branch's scope, where default-branch builds and releases restore it",
                    trigger.name(),
                    cache.what,
                    fetch.head
                ),
            );
            let severity = match (executed.is_some(), gated) {
                (true, false) => Severity::High,
                (true, true) | (false, false) => Severity::Medium,
                (false, true) => Severity::Low,
            };
            finding.with_severity(severity);
        }
    }
    for (index, cache) in caches {
        let Some(key) = cache.key else {
            continue;
        };
        let scope = Scope::workflow_step(context.header, job, *index, context.jobs);
        let Some(taint) = scope.taint_of_text(key).filter(|taint| taint.controller == Controller::Outsider) else {
            continue;
        };
        out.report(
            key.span,
            format!(
                "this cache key is built from {}: in a `{}` run, whose entries go to the base branch's scope, the \
                 author picks a key that default-branch runs look up",
                taint.describe(),
                trigger.name()
            ),
        )
        .with_severity(if gated { Severity::Low } else { Severity::Medium });
    }
}

/// Whether a job makes a release: it publishes a package or a release, or it runs on
/// `release` or pushed tags and holds secrets or write scopes to publish with.
fn is_release(header: &WorkflowHeader, job: &Job) -> bool {
    let on_release =
        header.triggers.events.iter().any(|trigger| {
            trigger.event == Event::Release || (trigger.event == Event::Push && !trigger.tags.is_empty())
        });
    let can_publish =
        !job.secrets_read(header).is_empty() || matches!(TokenWrites::of(header, job), TokenWrites::Scopes(_));
    job.steps.iter().any(untrusted_code::step_publishes) || (on_release && can_publish)
}
