//! `workflow-file-write`: a job writes workflow files and pushes them with a token that may.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::conditions::admits_outsider;
use crate::model::git::{self, Credential};
use crate::model::github::Step;
use crate::model::shell::{Command, Script, Word};
use crate::syntax::span::Span;

pub struct WorkflowFileWrite;

static META: RuleMeta = RuleMeta {
    id: "workflow-file-write",
    technique: Technique::PE06,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A job writes workflow files and pushes them with a token that can change workflows",
        detects: "A job that writes into `.github/workflows/` (a redirection or `tee`, `cp`, \
`mv`, `install`, `rsync`, `ln`, `sed -i`, `perl -i`, `curl -o`, `wget -O`, `git checkout <ref> --` or \
`git restore --source` of those paths, or `actions/download-artifact` into them) and then pushes (`git \
push`, `peter-evans/create-pull-request`, `git-auto-commit-action`...) with a credential other \
than the job's `GITHUB_TOKEN`: a personal access token or a GitHub App token, from the push's \
own input or command line or from the `token:` of the checkout. GitHub refuses workflow \
changes pushed with `GITHUB_TOKEN` (no `permissions:` can grant the `workflows` scope), so \
those pushes are not reported. High on triggers outsiders can cause; low confidence when the \
push's credential is not visible in the file.",
        why: "Only a token with the `workflows` scope (or an app with the Workflows \
permission) can push workflow changes, and with it every workflow of the repository, \
including the ones that publish releases and hold deployment secrets. A job that holds such \
a token and rewrites workflow files lets whoever controls its input (the files it copies or \
downloads, the text it substitutes) or any of its steps plant a workflow of their own.",
        attack: "Persistence › Modify CI/CD configurations (PE06): through a compromised \
step or poisoned input, the attacker makes the job push a workflow that runs their code on \
every future event, with the repository's secrets (CA02), long after the first run ended.",
        example: r#"on:
  schedule:
    - cron: '0 4 * * 1'
permissions:
  contents: read
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.WORKFLOW_PAT }}
      - run: |
          curl -fsSL -o .github/workflows/ci.yml https://example.com/templates/ci.yml
          git commit -am "Sync CI template"
          git push
"#,
        fixed_example: r#"on:
  schedule:
    - cron: '0 4 * * 1'
permissions:
  contents: read
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          curl -fsSL -o templates/ci.yml https://example.com/templates/ci.yml
          git commit -am "Sync CI template"
          git push
"#,
        fix: "Let people change workflows: open a pull request with the new workflow for a \
maintainer to review, pushed by a token without the `workflows` scope (GitHub then refuses \
workflow changes), or generate into a directory that is not `.github/workflows/`. If a bot \
must update workflows, give it a GitHub App token limited to this repository, fetch the files \
from a pinned source, and run nothing else in that job. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(732, "Incorrect Permission Assignment for Critical Resource"),
        Reference::Link(
            "GitHub: Scopes for OAuth apps (workflow)",
            "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps#available-scopes",
        ),
    ],
};

const WORKFLOWS: &str = ".github/workflows";

impl Rule for WorkflowFileWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let Some((index, span, how)) = job.steps.iter().enumerate().find_map(|(index, step)| {
            let (span, how) = workflow_write(step)?;
            Some((index, span, how))
        }) else {
            return;
        };
        // The push whose credential is most able to change workflows.
        let mut checkout = job.steps[..index].iter().rev().find(|step| git::persists_credentials(step));
        let mut credentials = Vec::new();
        for step in &job.steps[index..] {
            if pushes(step) {
                credentials.push(git::push_credential(header, job, step, checkout));
            }
            if git::persists_credentials(step) {
                checkout = Some(step);
            }
        }
        let Some(credential) = credentials
            .into_iter()
            .filter(|credential| *credential != Credential::GithubToken)
            .min_by_key(|credential| matches!(credential, Credential::Unknown))
        else {
            return;
        };
        let outsiders = header
            .triggers
            .events
            .iter()
            .filter(|trigger| trigger.event.is_privileged_for_outsiders())
            .find(|trigger| admits_outsider(job.condition.as_deref(), &trigger.event));
        let with = match &credential {
            Credential::Other(path) => {
                format!("pushes with `{path}`, a token that, unlike the job's own, can change workflows")
            }
            _ => "pushes with a credential not visible here, which may be able to change workflows".to_owned(),
        };
        let mut message = format!(
            "job `{}` writes into `{WORKFLOWS}/` ({how}) and {with}: whoever controls a step of the job or the files \
             it writes there can plant a workflow",
            job.id.value
        );
        if let Some(trigger) = outsiders {
            message.push_str(&format!(", and outsiders can start it with `{}`", trigger.event.name()));
        }
        out.report(span, message)
            .with_severity(if outsiders.is_some() { Severity::High } else { Severity::Medium })
            .with_confidence(if credential == Credential::Unknown { Confidence::Low } else { Confidence::Medium });
    }
}

/// Whether a step pushes commits: `git push`, or an action that pushes.
fn pushes(step: &Step) -> bool {
    git::push_action(step).is_some()
        || step.run.as_ref().is_some_and(|script| script.commands.iter().any(|c| git::push(c).is_some()))
}

/// Where a step writes into `.github/workflows/`, and how, for messages.
fn workflow_write(step: &Step) -> Option<(Span, String)> {
    if let Some(script) = &step.run {
        return script.commands.iter().find_map(|command| {
            writes_workflows(script, command).then(|| {
                let name = command.name().unwrap_or_default();
                let how = match git::git_subcommand(command) {
                    Some((subcommand, _)) => format!("`git {subcommand}`"),
                    None => format!("`{name}`"),
                };
                (script.span_of(command.range.clone()), how)
            })
        });
    }
    let downloads =
        step.uses_action("actions/download-artifact") || step.uses_action("dawidd6/action-download-artifact");
    let path = step.input("path").filter(|_| downloads)?;
    let value = path.value.as_ref()?;
    value.value.contains(WORKFLOWS).then(|| (value.span, "an artifact downloaded there".to_owned()))
}

/// Whether a command writes a file under `.github/workflows/`.
fn writes_workflows(script: &Script, command: &Command) -> bool {
    let into = |word: &Word| word.text.contains(WORKFLOWS);
    if script.written_files(command).any(into) {
        return true;
    }
    let operands: Vec<&Word> = command.args().iter().filter(|word| !word.text.starts_with('-')).collect();
    match command.name() {
        Some("cp" | "mv" | "install" | "rsync" | "ln") => {
            operands.split_last().is_some_and(|(destination, sources)| {
                let parent = destination.text.trim_end_matches('/');
                into(destination)
                    || ((parent == ".github" || parent.ends_with("/.github"))
                        && sources.iter().any(|source| source.text.trim_end_matches('/').ends_with("workflows")))
            })
        }
        Some("sed" | "perl") => {
            command.args().iter().any(|word| word.text.starts_with("-i") || word.text.starts_with("-pi"))
                && operands.iter().any(|word| into(word))
        }
        Some("curl") => command.option_value(Some("output"), Some('o')).is_some_and(into),
        Some("wget") => command.option_value(Some("output-document"), Some('O')).is_some_and(into),
        // Content from another commit: `git checkout <ref> -- <paths>`, `git restore
        // --source=<ref> <paths>`. Without a source they undo local changes instead.
        Some("git") => git::git_subcommand(command).is_some_and(|(subcommand, rest)| {
            let from_ref = match subcommand {
                "checkout" => rest
                    .iter()
                    .position(|word| word.text == "--")
                    .is_some_and(|dashes| rest[..dashes].iter().any(|word| !word.text.starts_with('-'))),
                "restore" => rest.iter().any(|word| word.text.starts_with("--source") || word.text.starts_with("-s")),
                _ => false,
            };
            from_ref && rest.iter().any(into)
        }),
        _ => false,
    }
}
