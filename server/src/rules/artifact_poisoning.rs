//! `artifact-poisoning`: a `workflow_run` workflow unpacks the triggering run's artifacts
//! where it then executes or trusts them.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::contexts;
use crate::model::github::{Event, Job, Step, TokenWrites, WorkflowHeader, describe_holdings};
use crate::model::shell::{Command, PartKind, RedirectOp, Script};
use crate::model::untrusted_code::{self, Download, Place};
use crate::model::workflow_commands::{self, FileCommand};

pub struct ArtifactPoisoning;

static META: RuleMeta = RuleMeta {
    id: "artifact-poisoning",
    technique: Technique::LM02,
    severity: Severity::High,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A privileged workflow unpacks another run's artifacts where it executes or trusts them",
        detects: "Jobs of `workflow_run` workflows that download the artifacts of the run that \
triggered them (`actions/download-artifact` with `run-id`, `dawidd6/action-download-artifact`, \
`gh run download`, `downloadArtifact` in `actions/github-script`) and then: execute something \
from where they landed (a build or install command, a script, `source`, a local action), \
unless they were kept in their own directory that nothing runs from; write a value read from \
them (`$(cat pr_number)`, `cat env.txt`) to `$GITHUB_ENV`, `$GITHUB_PATH` or \
`$GITHUB_OUTPUT` without checking it against a pattern; hand their directory to a command that \
signs, uploads or publishes it with a secret (`gpg`, `cosign`, `twine upload`, `npm publish`, \
`gh release upload`, `scp`...); or, failing all that, extract them over the workspace itself \
(medium when a checkout is there to be overwritten). Artifacts kept \
outside the workspace (`${{ runner.temp }}/artifacts`) and read as data are not reported. \
Critical or high when the job holds secrets or a token that may write, lower otherwise.",
        why: "`workflow_run` runs with the repository's secrets and a write token after another \
workflow, including one that ran for a fork's pull request. That run's artifacts are whatever \
the pull request's code made them: an archive can replace `package.json`, a script or \
`.git/hooks` in the workspace, a `pr_number` file can hold a line break and a new \
environment variable, and a package to sign and publish can be anything.",
        attack: "Lateral Movement › Compromise build artifacts (LM02): the attacker's code, \
confined to an unprivileged `pull_request` run, plants its payload in that run's artifacts, \
and the privileged `workflow_run` workflow carries it over: into Execution (EX05) with the \
job's secrets, into `$GITHUB_ENV` (EX06), or into a signed release (IM04).",
        example: r#"on:
  workflow_run:
    workflows: [CI]
    types: [completed]
permissions:
  contents: read
  pull-requests: write
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          run-id: ${{ github.event.workflow_run.id }}
          github-token: ${{ github.token }}
      - run: npm ci && npm run report
"#,
        fixed_example: r#"on:
  workflow_run:
    workflows: [CI]
    types: [completed]
permissions:
  contents: read
  pull-requests: write
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          run-id: ${{ github.event.workflow_run.id }}
          github-token: ${{ github.token }}
          path: ${{ runner.temp }}/artifacts
      - run: npm ci && npm run report -- "$RUNNER_TEMP/artifacts/report.json"
"#,
        fix: "Download another run's artifacts into a directory outside the workspace \
(`path: ${{ runner.temp }}/artifacts`), treat every file as untrusted data, validate what you \
read (a pull request number is digits: `[[ $n =~ ^[0-9]+$ ]]`), and never execute, source or \
publish them from a privileged job. Only publish artifacts of runs that a push to a protected \
branch started (`github.event.workflow_run.event == 'push'` and \
`github.event.workflow_run.head_repository.full_name == github.repository`). No quick fix is \
offered: where the files go and how they are validated depends on the workflow.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec9),
        Reference::Cwe(494, "Download of Code Without Integrity Check"),
        Reference::Zizmor("dangerous-triggers"),
        Reference::Poutine("untrusted_checkout_exec"),
        Reference::CodeQl("actions/artifact-poisoning/critical"),
        Reference::Link(
            "GitHub Security Lab: Preventing pwn requests (workflow_run and artifacts)",
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        ),
    ],
};

impl Rule for ArtifactPoisoning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        if !header.triggers.has(&Event::WorkflowRun) {
            return;
        }
        for index in 0..job.steps.len() {
            let Some(download) = untrusted_code::artifact_download(&job.steps, index) else {
                continue;
            };
            if let Some(misuse) = misuse(header, job, &download) {
                report(header, job, &download, &misuse, out);
            }
        }
    }
}

/// What a job does with downloaded artifacts, worst first.
enum Misuse {
    Executes(String),
    Trusts { step: String, file: FileCommand },
    Publishes { step: String },
    ExtractsOverWorkspace { checked_out: bool },
}

fn misuse(header: &WorkflowHeader, job: &Job, download: &Download) -> Option<Misuse> {
    let later = &job.steps[download.step + 1..];
    let dir = match &download.place {
        Place::Workspace(dir) => dir.as_deref(),
        Place::Outside(_) => None,
    };
    let in_workspace = matches!(download.place, Place::Workspace(_));
    if in_workspace && let Some(execution) = untrusted_code::executed_after(&job.steps, download.step, dir, 0) {
        return Some(Misuse::Executes(execution.what));
    }
    let location = match &download.place {
        Place::Workspace(None) => None,
        Place::Workspace(Some(dir)) | Place::Outside(dir) => Some(dir.as_str()),
    };
    for step in later {
        if let Some(file) = step.run.as_ref().and_then(|script| trusted_write(script, location)) {
            return Some(Misuse::Trusts { step: step_name(step), file });
        }
    }
    if let Some(dir) = location {
        // A signing key imported by one step signs in the next: the job's secrets count.
        let publisher = later.iter().find(|step| {
            step.run.as_ref().is_some_and(|script| {
                script.commands.iter().any(untrusted_code::publishes)
                    && script.commands.iter().flat_map(|command| &command.words).any(|word| mentions(&word.text, dir))
            })
        });
        if let (Some(step), false) = (publisher, job.secrets_read(header).is_empty()) {
            return Some(Misuse::Publishes { step: step_name(step) });
        }
    }
    let extracted_here = download.place == Place::Workspace(None)
        && (!download.what.starts_with("actions/github-script") || later.iter().any(unzips_here));
    // What the files can replace: a checkout made before them.
    let checked_out = job.steps[..download.step].iter().any(|step| step.uses_action("actions/checkout"));
    extracted_here.then_some(Misuse::ExtractsOverWorkspace { checked_out })
}

fn report(header: &WorkflowHeader, job: &Job, download: &Download, misuse: &Misuse, out: &mut Findings) {
    let secrets = job.secrets_read(header);
    let token = TokenWrites::of(header, job);
    let privileged = !secrets.is_empty() || token.may_write();
    let gated = job.condition.as_deref().is_some_and(contexts::checks_actor);
    let place = match &download.place {
        Place::Workspace(None) => "into the workspace".to_owned(),
        Place::Workspace(Some(dir)) => format!("into `{dir}`"),
        Place::Outside(dir) => format!("into `{dir}`"),
    };
    let (what, severities) = match misuse {
        Misuse::Executes(what) => {
            (format!("then `{what}` executes what they contain"), [Severity::Critical, Severity::High])
        }
        Misuse::Trusts { step, file } => (
            format!("then {step} writes a value read from them to `${}` unchecked", file.variable()),
            match file {
                FileCommand::Output => [Severity::Medium, Severity::Low],
                _ => [Severity::High, Severity::Medium],
            },
        ),
        Misuse::Publishes { step } => {
            (format!("then {step} signs, uploads or publishes them"), [Severity::High, Severity::High])
        }
        Misuse::ExtractsOverWorkspace { checked_out: true } => (
            "where they can replace any checked-out file, script or `.git/hooks` that a later step uses".to_owned(),
            [Severity::Medium, Severity::Low],
        ),
        Misuse::ExtractsOverWorkspace { checked_out: false } => (
            "where nothing is checked out yet, but a later checkout or script would \
             find their files in place"
                .to_owned(),
            [Severity::Low, Severity::Low],
        ),
    };
    let held = match (secrets.as_slice(), privileged) {
        (_, false) => String::new(),
        ([], true) => format!(", in a job with {}", token.describe()),
        (secrets, true) => format!(", in a job with {}", describe_holdings(secrets, &token)),
    };
    let gate = if gated { " (the job's `if:` checks which run it follows, which lowers the odds)" } else { "" };
    let finding = out.report(
        download.span,
        format!(
            "this job downloads the artifacts of the run that triggered it (`{}`) {place}, {what}{held}: a fork's pull \
             request can make that run and choose those files{gate}",
            download.what
        ),
    );
    let severity = severities[usize::from(!privileged)];
    finding.with_severity(if gated { lower(severity) } else { severity });
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

fn step_name(step: &Step) -> String {
    match &step.name {
        Some(name) => format!("step `{}`", name.value),
        None => format!("step {}", step.index + 1),
    }
}

/// Whether a step extracts an archive into the current directory (`unzip x.zip`).
fn unzips_here(step: &Step) -> bool {
    step.run.as_ref().is_some_and(|script| {
        script.commands.iter().any(|command| {
            command.name() == Some("unzip")
                && command.option_value(None, Some('d')).is_none_or(|dir| matches!(dir.text.as_str(), "." | "./"))
        })
    })
}

/// The command file a script writes a value read from a downloaded file to, if it does:
/// `echo "PR=$(cat pr/number)" >> "$GITHUB_ENV"`, `cat env.txt >> "$GITHUB_ENV"`, or through a
/// variable assigned from such a read.
fn trusted_write(script: &Script, location: Option<&str>) -> Option<FileCommand> {
    let reads = |command: &Command| reads_artifact(command, location);
    let read_in = |range: std::ops::Range<usize>| script.commands_within(range).any(reads);
    // Variables assigned from a read: `PR=$(cat pr_number)`.
    let assigned: Vec<String> = script
        .commands
        .iter()
        .flat_map(|command| command.assignments.iter().chain(&command.words))
        .filter(|word| word.parts.iter().any(|part| part.kind == PartKind::Substitution && read_in(part.range.clone())))
        .filter_map(|word| word.text.split_once('=').map(|(name, _)| name.trim_start_matches("export ").to_owned()))
        .filter(|name| !validated(script, name))
        .collect();
    workflow_commands::file_writes(script).iter().find_map(|write| {
        let direct = script.commands.iter().any(|command| command.range == write.command && reads(command))
            || script.commands.iter().filter(|command| command.piped_to.is_some()).any(|command| {
                script.piped_into(command).is_some_and(|next| next.range == write.command) && reads(command)
            });
        let through_value = script
            .commands
            .iter()
            .filter(|command| command.range.start < write.value.end && write.value.start < command.range.end)
            .flat_map(|command| &command.words)
            .flat_map(|word| word.parts.iter().map(move |part| (word, part)))
            .filter(|(_, part)| write.value.start <= part.range.start && part.range.end <= write.value.end)
            .any(|(word, part)| match part.kind {
                PartKind::Substitution => read_in(part.range.clone()),
                PartKind::Variable => word.variable(part).is_some_and(|name| assigned.iter().any(|a| a == name)),
                _ => false,
            });
        let file = write.file;
        ((direct || through_value) && matches!(file, FileCommand::Env | FileCommand::Path | FileCommand::Output))
            .then_some(file)
    })
}

/// Whether the script checks a variable against a pattern (`[[ $n =~ ^[0-9]+$ ]]`) before
/// it can be used.
fn validated(script: &Script, name: &str) -> bool {
    script.commands.iter().any(|command| {
        command.words.iter().any(|word| word.text == "=~")
            && command.words.iter().any(|word| word.variables().any(|(variable, _)| variable == name))
    })
}

/// Whether a command reads a file of the downloaded artifacts: `cat`, `head`, `jq`... of a
/// path under `location`, or (downloaded into the workspace itself) of a relative path.
fn reads_artifact(command: &Command, location: Option<&str>) -> bool {
    let readers = ["cat", "head", "tail", "jq", "tr", "cut", "sed", "awk", "xargs"];
    let operands = command.args().iter().filter(|word| !word.text.starts_with('-')).map(|word| word.text.as_str());
    let redirected = command
        .redirects
        .iter()
        .filter(|redirect| redirect.op == RedirectOp::Read)
        .filter_map(|redirect| redirect.target.as_ref())
        .map(|word| word.text.as_str());
    let files: Vec<&str> = if command.name().is_some_and(|name| readers.contains(&name)) {
        operands.chain(redirected).collect()
    } else {
        redirected.collect()
    };
    // Downloaded into the workspace itself: any relative path, but not a `jq` filter (`.x`).
    let relative =
        |file: &str| !file.starts_with(['/', '$', '~']) && (!file.starts_with('.') || file.starts_with("./"));
    files.iter().any(|file| location.map_or_else(|| relative(file), |dir| mentions(file, dir)))
}

/// Whether a word names a path under `dir`, however the directory's prefix is spelt
/// (`${{ runner.temp }}/a` and `$RUNNER_TEMP/a/x`): by its last component.
fn mentions(word: &str, dir: &str) -> bool {
    let last = dir.trim_end_matches('/').rsplit('/').next().unwrap_or(dir);
    let word = word.trim_start_matches("./").trim_end_matches('/');
    !last.is_empty()
        && (word == last
            || word.starts_with(&format!("{last}/"))
            || word.contains(&format!("/{last}/"))
            || word.ends_with(&format!("/{last}")))
}
