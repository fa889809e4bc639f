//! `untrusted-checkout`: a privileged workflow checks out and runs a pull request's code.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::contexts;
use crate::model::github::{Event, TokenWrites, describe_holdings};
use crate::model::untrusted_code::{self, Execution, Fetch};

pub struct UntrustedCheckout;

static META: RuleMeta = RuleMeta {
    id: "untrusted-checkout",
    technique: Technique::EX05,
    severity: Severity::Critical,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A privileged workflow checks out a pull request's code and runs it",
        detects: "A job of a workflow triggered by `pull_request_target`, `workflow_run` or \
`issue_comment` that fetches a pull request's code (`actions/checkout` of the head ref or \
commit, `refs/pull/N/head|merge`, the fork's repository, or an output of a step that looked \
the pull request up; `gh pr checkout`; `git fetch` of `pull/N/head` or the head branch followed \
by a checkout) and then executes it: a build, install or test command (`npm ci`, `yarn`, \
`pip install .`, `cargo test`, `go generate`, `make`, `mvn`, `gradle`, `docker build`...), a \
script of the tree (`./build.sh`, `python setup.py`), a local action (`uses: ./...`), or an \
action known to run the tree (linters, test runners, `ruby/setup-ruby` with \
`bundler-cache`). Checking out the base, running only git plumbing (`git diff`, `git log`), \
and actions that treat the files as data (upload-artifact, labeler, setup actions) are not \
execution. A pull request checked out into a subdirectory (`path:`) counts as executed only \
by a step that works in that directory. Critical when the code certainly runs and the job \
holds secrets or a token that may write; high when it holds neither (the code can still \
poison caches) or when the job's `if:` limits who can start it (a label, \
`author_association`, the actor); medium with low confidence for an action this rule does \
not know.",
        why: "`pull_request_target`, `workflow_run` and `issue_comment` run in the context of \
the base repository: the job has its secrets and a token that can write to it, even when the \
pull request comes from a fork. Building, testing or installing the fork's code runs the \
attacker's code (build scripts, package hooks, test files, configuration written in a \
programming language) with those privileges: the \"pwn request\". A maintainer's `/command` \
or label that starts the job does not change whose code runs.",
        attack: "Execution › Inject code to source code (EX05): the attacker opens a pull \
request whose build files carry their payload, and the privileged job executes it. It follows \
Initial Access through a public repository (IA01) and leads to Credential Access (CA02: the \
job's secrets and token) and to Persistence by pushing to the repository (PE05).",
        example: r#"on: pull_request_target
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm ci && npm test
"#,
        fixed_example: r#"on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
"#,
        fix: "Build and test pull requests on `pull_request`, which runs fork code without \
secrets and with a read-only token. If a privileged step must follow (commenting, labelling, \
publishing results), put it in a separate `workflow_run` workflow that only reads the first \
workflow's artifacts as data and never executes them. No quick fix is offered: which half of \
the job needs privileges is a design decision.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Zizmor("dangerous-triggers"),
        Reference::Poutine("untrusted_checkout_exec"),
        Reference::CodeQl("actions/untrusted-checkout/critical"),
        Reference::Link(
            "GitHub Security Lab: Preventing pwn requests",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        ),
    ],
};

impl Rule for UntrustedCheckout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let Some(trigger) = [Event::PullRequestTarget, Event::WorkflowRun, Event::IssueComment]
            .iter()
            .find_map(|event| header.triggers.find(event))
        else {
            return;
        };
        let mut fetches: Vec<Fetch> = Vec::new();
        for (index, step) in job.steps.iter().enumerate() {
            fetches.retain(|fetch| !untrusted_code::replaces(step, fetch.path.as_deref()));
            let fetched = untrusted_code::fetch(&job.steps, index);
            fetches.extend(fetched.clone());
            let mut executed = Vec::new();
            for (position, fetch) in fetches.iter().enumerate() {
                let after = if fetch.step == index { fetch.after } else { 0 };
                if fetch.step == index && step.run.is_none() {
                    continue;
                }
                if let Some(execution) = untrusted_code::execution(step, fetch.path.as_deref(), after) {
                    report(context, trigger.event.name(), fetch, &execution, out);
                    executed.push(position);
                }
            }
            // One finding per fetch: the first step that runs it.
            for position in executed.into_iter().rev() {
                fetches.remove(position);
            }
        }
    }
}

fn report(context: &JobContext<'_>, event: &str, fetch: &Fetch, execution: &Execution, out: &mut Findings) {
    let (header, job) = (context.header, context.job);
    let gated = [job.condition.as_deref(), job.steps.get(fetch.step).and_then(|step| step.condition.as_deref())]
        .into_iter()
        .flatten()
        .any(contexts::checks_actor);
    let place = match &fetch.path {
        Some(path) => format!(" into `{path}`"),
        None => String::new(),
    };
    let gate =
        if gated { " Its `if:` limits who can start it, but the code is still the pull request author's." } else { "" };
    let token = TokenWrites::of(header, job);
    let secrets = job.secrets_read(header);
    let privileged = !secrets.is_empty() || token.may_write();
    let holdings = match secrets.as_slice() {
        [] if privileged => token.describe(),
        [] => format!(
            "{}: no secret, but the run can still write the caches that the base branch's workflows restore (DE03)",
            token.describe()
        ),
        secrets => describe_holdings(secrets, &token),
    };
    let finding = out.report(
        fetch.span,
        format!(
            "this `{event}` job fetches the pull request's code (`{}`){place} and then `{}` executes it, with {holdings}: \
             the pull request's author runs their code in this repository's privileged context.{gate}",
            fetch.head, execution.what
        ),
    );
    let severity = match (execution.certain, gated || !privileged) {
        (true, false) => Severity::Critical,
        (true, true) => Severity::High,
        (false, _) => Severity::Medium,
    };
    finding.with_severity(severity);
    if !execution.certain {
        finding.with_confidence(Confidence::Low);
    }
}
