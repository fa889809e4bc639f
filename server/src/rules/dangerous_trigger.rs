//! `dangerous-trigger`: a trigger through which outsiders start privileged runs.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::contexts;
use crate::model::github::{Event, Job, TokenWrites, Trigger, Workflow, describe_holdings};
use crate::model::untrusted_code::{self, Place};

pub struct DangerousTrigger;

static META: RuleMeta = RuleMeta {
    id: "dangerous-trigger",
    technique: Technique::IA01,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A trigger lets outsiders start runs with the repository's secrets and write token",
        detects: "Workflows triggered by `pull_request_target`, `workflow_run` or `issue_comment`, \
reported at the trigger with what it hands an outsider in this file: the secrets its jobs read \
(other than `GITHUB_TOKEN`), what their token can write (explicit write scopes, `write-all`, or \
no `permissions:`, which leaves the repository's default), and whether a job brings in the \
pull request's code or the triggering run's artifacts, and runs them. Low on its own and when \
the jobs only hold privileges; medium when a job holding secrets or a write token checks out \
the pull request's code, or holds secrets and unpacks the triggering run's artifacts over a \
checkout; high when such a job also executes what it took in. A job whose `if:` checks who \
acted (the actor, `author_association`, a label, the head repository, the event of the \
followed run) does not count. Running that code is \
reported by `untrusted-checkout` and `artifact-poisoning`, and text pasted into scripts by \
`expression-injection`.",
        why: "`pull_request_target` runs the base repository's workflow for a pull request from \
any fork, `workflow_run` runs after another workflow, including one a fork's pull request \
started, and `issue_comment` runs for anyone's comment: all with the repository's secrets and a \
token that can write to it, unlike `pull_request`. They exist for trusted automation (labelling, \
commenting), and each is one careless step away from handing an outsider those privileges: \
checking out and building the pull request, unpacking its artifacts, pasting its title into a \
script.",
        attack: "Initial Access › Public repositories (IA01): the attacker needs nothing but a \
GitHub account to start the run. What follows depends on the jobs: Execution of their code \
(EX05, through `untrusted-checkout`) or text (EX06, through `expression-injection`), then \
Credential Access (CA02) to the secrets and Persistence (PE05) with the write token.",
        example: r#"on: pull_request_target
permissions:
  contents: write
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: actions/upload-artifact@v4
        with:
          path: docs/
      - run: ./publish-preview.sh
        env:
          DEPLOY_TOKEN: ${{ secrets.DEPLOY_TOKEN }}
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/upload-artifact@v4
        with:
          path: docs/
"#,
        fix: "Use `pull_request` for anything that touches the pull request's code: it runs \
without secrets and with a read-only token for forks. Keep `pull_request_target`, \
`workflow_run` and `issue_comment` workflows to metadata (labels, comments), give them \
`permissions:` with only the scopes they need and no secrets, and if a privileged step must \
follow a build, have it read the build's artifacts as data outside the workspace. No quick fix \
is offered: the trigger is a design choice.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(863, "Incorrect Authorization"),
        Reference::Zizmor("dangerous-triggers"),
        Reference::Poutine("pr_runs_on_self_hosted"),
        Reference::Link(
            "GitHub Security Lab: Preventing pwn requests",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        ),
    ],
};

const TRIGGERS: [Event; 3] = [Event::PullRequestTarget, Event::WorkflowRun, Event::IssueComment];

impl Rule for DangerousTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        let header = &workflow.header;
        for trigger in header.triggers.events.iter().filter(|trigger| TRIGGERS.contains(&trigger.event)) {
            let mut secrets: Vec<&str> = Vec::new();
            let mut token = TokenWrites::Nothing;
            let (mut intake, mut gated): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
            let mut severity = Severity::Low;
            for job in &workflow.jobs {
                let job_secrets = job.secrets_read(header);
                let job_token = TokenWrites::of(header, job);
                if let Some(taken) = intake_of(job, &trigger.event) {
                    let described = format!("job `{}` {}", job.id.value, taken.what);
                    if checks_actor(job) {
                        gated.push(described);
                    } else {
                        intake.push(described);
                        let privileged = !job_secrets.is_empty() || job_token.may_write();
                        let job_severity = match taken.kind {
                            _ if !privileged => Severity::Low,
                            Intake::Executed => Severity::High,
                            Intake::Code => Severity::Medium,
                            Intake::Artifacts if !job_secrets.is_empty() => Severity::Medium,
                            Intake::Artifacts | Intake::Data => Severity::Low,
                        };
                        severity = severity.max(job_severity);
                    }
                }
                secrets.extend(job_secrets);
                if rank(&job_token) > rank(&token) {
                    token = job_token;
                }
            }
            secrets.sort_unstable();
            secrets.dedup();
            out.report(trigger.span, message(trigger, &secrets, &token, &intake, &gated)).with_severity(severity);
        }
    }
}

/// Orders token grants from none to the repository's default.
fn rank(token: &TokenWrites) -> u8 {
    match token {
        TokenWrites::Nothing => 0,
        TokenWrites::Scopes(scopes) if scopes.iter().any(|scope| scope == "*") => 2,
        TokenWrites::Scopes(_) => 1,
        TokenWrites::Default => 3,
    }
}

/// What of the outsider's a job takes in.
struct Taken {
    kind: Intake,
    /// For messages: "checks out the pull request's code (`...`)".
    what: String,
}

enum Intake {
    /// The triggering run's artifacts, where they replace no checked-out file.
    Data,
    /// The triggering run's artifacts, over a checkout.
    Artifacts,
    /// The pull request's code, checked out.
    Code,
    /// Either, and a later step executes it.
    Executed,
}

/// The pull request's code or the triggering run's artifacts that a job takes in, and
/// whether it executes them.
fn intake_of(job: &Job, event: &Event) -> Option<Taken> {
    let steps = &job.steps;
    (0..steps.len()).find_map(|index| {
        let (kind, what, dir, after) = if let Some(fetch) = untrusted_code::fetch(steps, index) {
            let what = format!("checks out the pull request's code (`{}`)", fetch.head);
            (Intake::Code, what, fetch.path, fetch.after)
        } else {
            // Artifacts kept outside the workspace and read as data are the safe pattern; in a
            // directory of their own, or with nothing checked out, they replace no file.
            let download = untrusted_code::artifact_download(steps, index).filter(|_| *event == Event::WorkflowRun)?;
            let Place::Workspace(dir) = download.place else {
                return None;
            };
            let checked_out = steps[..index].iter().any(|step| step.uses_action("actions/checkout"));
            let kind = if dir.is_none() && checked_out { Intake::Artifacts } else { Intake::Data };
            let what = format!("downloads the triggering run's artifacts into the workspace (`{}`)", download.what);
            (kind, what, dir, 0)
        };
        let executed = untrusted_code::executed_after(steps, index, dir.as_deref(), after);
        Some(match executed {
            Some(execution) => {
                Taken { kind: Intake::Executed, what: format!("{what} and runs it (`{}`)", execution.what) }
            }
            None => Taken { kind, what },
        })
    })
}

/// Whether a job's `if:` checks who acted, so that an outsider does not get to run it.
fn checks_actor(job: &Job) -> bool {
    job.condition.as_deref().is_some_and(contexts::checks_actor)
}

fn message(trigger: &Trigger, secrets: &[&str], token: &TokenWrites, intake: &[String], gated: &[String]) -> String {
    let when = match trigger.event {
        Event::PullRequestTarget => "for pull requests from any fork".to_owned(),
        Event::WorkflowRun => {
            let names: Vec<String> = trigger.workflows.iter().map(|name| format!("`{}`", name.value)).collect();
            let followed = if names.is_empty() { "the workflows it follows".to_owned() } else { names.join(", ") };
            format!("after {followed}, also when a fork's pull request started it,")
        }
        _ => "for anyone's comment on an issue or pull request".to_owned(),
    };
    let holdings = match secrets {
        [] => format!("no secret, and {}", token.describe()),
        _ => describe_holdings(secrets, token),
    };
    let mut taken = String::new();
    if !intake.is_empty() {
        taken.push_str(&format!("; {}", intake.join(", ")));
    }
    if !gated.is_empty() {
        taken.push_str(&format!("; {}, but only when its `if:` accepts who acted", gated.join(", ")));
    }
    if taken.is_empty() {
        taken.push_str("; no job takes in the pull request's code or artifacts");
    }
    format!(
        "`{}` runs this workflow {when} with the base repository's privileges: here {holdings}{taken}",
        trigger.event.name()
    )
}
