//! `self-hosted-runner-public`: outsiders can run jobs on a self-hosted runner.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::checkout::executed_heads;
use crate::model::conditions::{admits_outsider, outsider_results};
use crate::model::github::{Event, Job};
use crate::syntax::span::Span;
use crate::{bundled, data};

pub struct SelfHostedRunnerPublic;

static META: RuleMeta = RuleMeta {
    id: "self-hosted-runner-public",
    technique: Technique::PE01,
    severity: Severity::High,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "Outsiders can run jobs on a self-hosted runner",
        detects: "A job on a self-hosted runner (the `self-hosted` label, a runner group, or a \
label that is not a GitHub-hosted image, directly or through a matrix value) in a workflow \
that outsiders can trigger: `pull_request`, `pull_request_target`, `issue_comment`, `issues`, \
`workflow_run`... High when the job runs a fork's code (`pull_request`, or a checked-out pull \
request head on the privileged triggers); medium when it only runs the repository's own \
workflow on their behalf. A label that may be a GitHub-hosted larger runner with a custom \
name is reported only where forks run code: medium with low confidence, low when the name \
looks like a GitHub image (`ubuntu-2404-16core`). Not reported: jobs an `if:` keeps from outsiders (an \
event check, `github.event.pull_request.head.repo.full_name == github.repository`, the \
author's association), `runs-on` expressions that send those events to GitHub-hosted \
runners (`${{ github.event_name == 'pull_request' && 'ubuntu-latest' || 'self-hosted' }}`), \
and runners of hosting services that discard the machine after each job (Depot, Namespace, \
Blacksmith, BuildJet, Ubicloud, WarpBuild, RunsOn: a bundled list of label prefixes).",
        why: "A self-hosted runner is a machine you keep. Code from a fork's pull request \
that runs there can install a backdoor that survives the job, read what later jobs leave on \
disk (tokens, caches, build outputs of release jobs), and reach the network the machine sits \
in. Unless the runner is ephemeral (a fresh machine per job), one pull request compromises \
every job that runs there afterwards.",
        attack: "Persistence › Compromise CI/CD server (PE01): the attacker opens a pull \
request (IA01) whose build runs their code on the runner (EX05), leaves a process or a \
modified toolchain behind, and collects the secrets and tokens of later privileged jobs \
(CA02) or moves into the internal network (LM03).",
        example: r#"on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: [self-hosted, linux, gpu]
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: read
jobs:
  test:
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: [self-hosted, linux, gpu]
    steps:
      - uses: actions/checkout@v4
      - run: make test
"#,
        fix: "Run pull requests from forks on GitHub-hosted runners (route them with an \
expression in `runs-on`), or keep them off the job with an `if:` that requires the pull \
request to come from this repository, or use ephemeral self-hosted runners (`--ephemeral`, \
actions-runner-controller) in a runner group restricted to this repository. Require approval \
for workflow runs from outside collaborators in the repository's settings. No quick fix is \
offered: which runner the job needs is a design decision.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(668, "Exposure of Resource to Wrong Sphere"),
        Reference::Zizmor("self-hosted-runner"),
        Reference::Poutine("pr_runs_on_self_hosted"),
        Reference::Link(
            "GitHub: Security hardening for self-hosted runners",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#hardening-for-self-hosted-runners",
        ),
    ],
};

#[derive(Deserialize)]
struct Runners {
    labels: Vec<String>,
    ephemeral: Vec<Ephemeral>,
}

#[derive(Deserialize)]
struct Ephemeral {
    prefix: String,
}

static RUNNERS: LazyLock<Runners> = LazyLock::new(|| data::parse(bundled!("github-hosted-runners.toml")));

/// Where a job runs, from its labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Runner {
    /// GitHub-hosted, or an ephemeral hosting service.
    Fresh,
    /// A label shaped like a GitHub image name (`ubuntu-2404-16core`): most likely a larger
    /// runner, which GitHub hosts.
    ImageLike(String),
    /// A label that may name a self-hosted runner or a GitHub larger runner.
    Custom(String),
    SelfHosted(String),
}

impl Rule for SelfHostedRunnerPublic {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        if header.triggers.is_reusable_only() || job.uses.is_some() {
            return;
        }
        let runs_pr_code = !executed_heads(&job.steps).is_empty();
        // The worst runner each outsider event reaches, with whether it runs a fork's code there.
        let mut worst: Option<(Runner, Span, &Event, bool)> = None;
        for trigger in header.triggers.events.iter().filter(|trigger| trigger.event.is_outsider_triggered()) {
            if !admits_outsider(job.condition.as_deref(), &trigger.event) {
                continue;
            }
            let Some((runner, span)) = runner_for(job, &trigger.event) else { continue };
            let fork_code = matches!(
                trigger.event,
                Event::PullRequest | Event::PullRequestReview | Event::PullRequestReviewComment
            ) || runs_pr_code;
            let rank = |runner: &Runner, fork_code: bool| (runner.clone(), fork_code);
            if worst.as_ref().is_none_or(|(r, _, _, f)| rank(&runner, fork_code) > rank(r, *f)) {
                worst = Some((runner, span, &trigger.event, fork_code));
            }
        }
        let Some((runner, span, event, fork_code)) = worst else { return };
        let what_runs = if fork_code {
            "a fork's pull request runs its code on that machine, where it can stay behind for later jobs"
        } else {
            "outsiders start jobs on that machine, and any injection or compromised step there can stay behind for \
             later jobs"
        };
        let (label, severity, confidence) = match runner {
            Runner::Fresh => return,
            Runner::SelfHosted(label) => (
                format!("the self-hosted runner `{label}`"),
                if fork_code { Severity::High } else { Severity::Medium },
                Confidence::High,
            ),
            // A label that may name a larger runner is worth a finding only where forks run code.
            Runner::Custom(_) | Runner::ImageLike(_) if !fork_code => return,
            Runner::Custom(label) => (
                format!("`{label}` (not a GitHub-hosted image: a self-hosted runner, or a larger runner)"),
                Severity::Medium,
                Confidence::Low,
            ),
            Runner::ImageLike(label) => (
                format!(
                    "`{label}` (not a GitHub-hosted image, though named like one: a larger runner, or a self-hosted one)"
                ),
                Severity::Low,
                Confidence::Low,
            ),
        };
        out.report(
            span,
            format!(
                "job `{}` runs for `{}` on {label}: {what_runs} (unless the runner is ephemeral)",
                job.id.value,
                event.name()
            ),
        )
        .with_severity(severity)
        .with_confidence(confidence);
    }
}

/// The runner a job gets for an outsider's run of `event`, and where its label is written;
/// `None` when the labels cannot be read (an input, a variable).
fn runner_for(job: &Job, event: &Event) -> Option<(Runner, Span)> {
    let mut labels: Vec<(String, Span)> = Vec::new();
    let mut choices: Vec<(Vec<String>, Span)> = Vec::new();
    for text in &job.runs_on {
        match possible_labels(job, text, event) {
            Some(values) if values.len() == 1 => labels.push((values[0].clone(), text.span)),
            Some(values) => choices.push((values, text.span)),
            None => return None,
        }
    }
    if let Some(group) = &job.runner_group {
        labels.push((format!("group: {}", group.value), group.span));
    }
    let worst = |a: &(Runner, Span), b: &(Runner, Span)| a.0.cmp(&b.0);
    let fixed = classify(&labels);
    // A label chosen by an expression: the worst of its values.
    let chosen = choices
        .into_iter()
        .filter_map(|(values, span)| values.into_iter().filter_map(|value| classify(&[(value, span)])).max_by(worst));
    fixed.into_iter().chain(chosen).max_by(worst)
}

/// The label values a `runs-on` entry can take for an outsider's run of `event`: itself, a
/// matrix key's values, or the results of a routing expression; `None` when unknown.
fn possible_labels(job: &Job, text: &Text, event: &Event) -> Option<Vec<String>> {
    let [expression] = text.expressions.as_slice() else {
        // Labels have no spaces: one that does is a half-typed file, not a runner.
        let label = text.value.trim();
        return (text.expressions.is_empty() && !label.contains(char::is_whitespace)).then(|| vec![label.to_owned()]);
    };
    if text.value.trim().len() != expression.span.len() {
        return None;
    }
    if let Some(key) = expression.source.strip_prefix("matrix.").filter(|key| !key.contains(['.', ' ', '['])) {
        let values: Vec<String> = job.matrix_values(key).map(|value| value.value.trim().to_owned()).collect();
        return (!values.is_empty() && values.iter().all(|value| !value.contains("${{"))).then_some(values);
    }
    let literal = |result: &str| result.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')).map(str::to_owned);
    outsider_results(&expression.source, event).into_iter().map(literal).collect()
}

/// The runner a set of labels (all of which the runner must carry) selects.
fn classify(labels: &[(String, Span)]) -> Option<(Runner, Span)> {
    let first = labels.first()?;
    if let Some((_, span)) = labels.iter().find(|(label, _)| label.eq_ignore_ascii_case("self-hosted")) {
        let names: Vec<&str> = labels.iter().map(|(label, _)| label.as_str()).collect();
        return Some((Runner::SelfHosted(names.join(", ")), *span));
    }
    let hosted = |label: &str| RUNNERS.labels.iter().any(|known| known.eq_ignore_ascii_case(label));
    let ephemeral = |label: &str| RUNNERS.ephemeral.iter().any(|service| label.starts_with(&service.prefix));
    if labels.iter().any(|(label, _)| ephemeral(label)) || labels.iter().all(|(label, _)| hosted(label)) {
        return Some((Runner::Fresh, first.1));
    }
    let (label, span) = labels.iter().find(|(label, _)| !hosted(label)).unwrap_or(first);
    let image_like = ["ubuntu-", "windows-", "macos-"].iter().any(|os| label.to_ascii_lowercase().starts_with(os));
    let runner = if image_like { Runner::ImageLike(label.clone()) } else { Runner::Custom(label.clone()) };
    Some((runner, *span))
}
