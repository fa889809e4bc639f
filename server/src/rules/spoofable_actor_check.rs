//! `spoofable-actor-check`: an `if:` trusts a bot because of who triggered the event.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta,
    Severity, StepContext,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::expr::{self, Node};
use crate::model::github::{Event, Job, Step, TokenWrites, WorkflowHeader, describe_holdings};

pub struct SpoofableActorCheck;

static META: RuleMeta = RuleMeta {
    id: "spoofable-actor-check",
    technique: Technique::PR01,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An `if:` trusts a bot because of who triggered the event, which an outsider can arrange",
        detects: "`if:` conditions of jobs and steps that compare `github.actor`, \
`github.triggering_actor`, `github.event.sender.login` or the actor of a followed run \
(`github.event.workflow_run.actor.login`) with a bot's name (`dependabot[bot]`, \
`renovate[bot]`, `github-actions[bot]`, any `*[bot]`) using `==`, `contains`, `startsWith` or \
`endsWith`, in workflows that an outsider's pull request or comment can trigger. Exclusions \
(`github.actor != 'dependabot[bot]'`) are not reported. High when the gated job holds secrets \
or a token that may write on a trigger that runs with them for outsiders \
(`pull_request_target`, `workflow_run`, `issue_comment`...), medium there otherwise, and low on \
`pull_request`, whose runs for forks get neither, whoever the actor is.",
        why: "The actor is whoever caused the latest event, not who wrote the code. When a \
bot pushes to a pull request's branch (Dependabot updating a fork's dependencies, a bot \
rebasing it), or a maintainer re-runs a job, the actor changes while the code stays the \
attacker's. An outsider who gets `dependabot[bot]` to update the branch of their own pull \
request passes `github.actor == 'dependabot[bot]'`, and with it the step meant to auto-merge \
or to receive secrets only for Dependabot.",
        attack: "Privilege Escalation › Access higher privilege accounts (PR01): the attacker \
borrows the bot's identity to pass a gate meant for it, and gets what the bot's runs get \
(auto-merge, the repository's secrets, a write token). It follows Initial Access through a \
public repository (IA01) and leads to Execution (EX05) or Persistence (PE05).",
        example: r#"on: pull_request_target
permissions:
  contents: write
  pull-requests: write
jobs:
  automerge:
    if: github.actor == 'dependabot[bot]'
    runs-on: ubuntu-latest
    steps:
      - run: gh pr merge --auto --squash "$PR_URL"
        env:
          PR_URL: ${{ github.event.pull_request.html_url }}
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
"#,
        fixed_example: r#"on: pull_request_target
permissions:
  contents: write
  pull-requests: write
jobs:
  automerge:
    if: github.event.pull_request.user.login == 'dependabot[bot]' && github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-latest
    steps:
      - run: gh pr merge --auto --squash "$PR_URL"
        env:
          PR_URL: ${{ github.event.pull_request.html_url }}
          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
"#,
        fix: "Check who opened the pull request, which no later event changes: \
`github.event.pull_request.user.login == 'dependabot[bot]'`, together with \
`github.event.pull_request.head.repo.full_name == github.repository` (Dependabot's branches \
live in the repository itself, a fork's do not). For `workflow_run`, check the followed run's \
`head_repository` the same way. The quick fix, offered in workflows triggered only by pull \
request events, replaces the actor with `github.event.pull_request.user.login`. It is marked \
unsafe: a job that a maintainer used to start for a bot's pull request by re-running it still \
runs, but one that ran for bot pushes to other pull requests no longer does.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec2),
        Reference::Cwe(290, "Authentication Bypass by Spoofing"),
        Reference::Zizmor("bot-conditions"),
        Reference::Link(
            "Synacktiv: GitHub Actions exploitation, Dependabot",
            "https://www.synacktiv.com/en/publications/github-actions-exploitation-dependabot",
        ),
    ],
};

/// Context paths that name whoever caused the latest event.
const ACTOR_PATHS: &[&str] = &[
    "github.actor",
    "github.triggering_actor",
    "github.event.sender.login",
    "github.event.workflow_run.actor.login",
    "github.event.workflow_run.triggering_actor.login",
];

impl Rule for SpoofableActorCheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        if let Some(condition) = &context.job.condition {
            check(condition, "job", context.header, context.job, out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let (Some(condition), Some(header), Some(job)) = (&step.condition, context.header(), context.job()) {
            check(condition, "step", header, job, out);
        }
    }
}

fn check(condition: &Text, owner: &str, header: &WorkflowHeader, job: &Job, out: &mut Findings) {
    let events = &header.triggers.events;
    if !events.iter().any(|trigger| trigger.event.is_outsider_triggered()) {
        return;
    }
    for (offset, source) in expr::condition_sources(&condition.value) {
        expr::parse(source).walk(&mut |node, negated| {
            if negated {
                return;
            }
            let Some((path, range, bot)) = actor_compared_with_bot(node) else {
                return;
            };
            let span = condition.span_of(offset + range.start..offset + range.end);
            let (severity, holdings) = severity(header, job);
            let pusher = if bot.starts_with('[') { "a bot".to_owned() } else { format!("`{bot}`") };
            let finding = out.report(
                span,
                format!(
                    "`{path}` is whoever caused the latest event, not who wrote the code: when {pusher} pushes to an \
                     outsider's pull request, or someone re-runs the workflow, it changes while the code stays the \
                     same, so this {owner} can run for an outsider's code{holdings}"
                ),
            );
            finding.with_severity(severity);
            let pull_request_only =
                events.iter().all(|trigger| matches!(trigger.event, Event::PullRequest | Event::PullRequestTarget));
            if pull_request_only && path.starts_with("github.") && !path.starts_with("github.event") {
                finding.with_fix(Fix {
                    title: "Check the pull request's author instead".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![Edit::replace(span, "github.event.pull_request.user.login")],
                });
            }
        });
    }
}

/// `actor == 'x[bot]'`, `contains(actor, '[bot]')`, `startsWith(actor, 'dependabot')`...:
/// the actor path, its range, and the bot it is compared with.
fn actor_compared_with_bot(node: &Node) -> Option<(&str, std::ops::Range<usize>, &str)> {
    let pair = match node {
        Node::Compare { op, left, right } if op == "==" => [left.as_ref(), right.as_ref()],
        Node::Call { args, .. }
            if node.is_call("contains") || node.is_call("startsWith") || node.is_call("endsWith") =>
        {
            match args.as_slice() {
                [first, second] => [first, second],
                _ => return None,
            }
        }
        _ => return None,
    };
    let (path, range) = pair.iter().find_map(|side| match side {
        Node::Path { path, range } if ACTOR_PATHS.iter().any(|actor| path.eq_ignore_ascii_case(actor)) => {
            Some((path.as_str(), range.clone()))
        }
        _ => None,
    })?;
    let bot = pair.iter().find_map(|side| match side {
        Node::Str { value, .. } if is_bot_name(value) || node.is_call("startsWith") && is_bot_prefix(value) => {
            Some(value.as_str())
        }
        _ => None,
    })?;
    Some((path, range, bot))
}

/// A bot account's login, or the `[bot]` suffix alone.
fn is_bot_name(value: &str) -> bool {
    value.to_ascii_lowercase().ends_with("[bot]")
}

/// The start of a well-known bot's login, as `startsWith(github.actor, 'dependabot')` tests.
fn is_bot_prefix(value: &str) -> bool {
    ["dependabot", "renovate", "github-actions"].iter().any(|bot| value.eq_ignore_ascii_case(bot))
}

/// The finding's severity, and what the gated job holds, for the message.
fn severity(header: &WorkflowHeader, job: &Job) -> (Severity, String) {
    let secrets = job.secrets_read(header);
    let token = TokenWrites::of(header, job);
    let held = match (secrets.is_empty(), token.may_write()) {
        (true, false) => String::new(),
        (true, true) => format!(", with {}", token.describe()),
        (false, _) => format!(", with {}", describe_holdings(&secrets, &token)),
    };
    // A fork's `pull_request` run gets neither secrets nor a write token, whoever the actor is.
    let privileged = header.triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders());
    let severity = match (privileged, held.is_empty()) {
        (true, false) => Severity::High,
        (true, true) => Severity::Medium,
        (false, _) => Severity::Low,
    };
    (severity, held)
}
