//! `environment-dump`: a step prints its whole environment or a whole context to the log.

use std::cell::OnceCell;

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::commands::{self, Expansion};
use crate::model::expr::Expression;
use crate::model::github::{Event, Step};
use crate::model::shell::{Dialect, Script};

pub struct EnvironmentDump;

static META: RuleMeta = RuleMeta {
    id: "environment-dump",
    technique: Technique::RE03,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A step prints its whole environment or a whole context to the log",
        detects: "`run:` scripts that print every environment variable (`env`, `printenv`, \
`export -p`, `declare -p`, `set` alone, PowerShell's `Get-ChildItem env:`), unless the output \
is filtered (`| grep`) or written to a file; `${{ toJSON(github) }}`, `${{ toJSON(env) }}` and \
`${{ toJSON(secrets) }}` printed by a script (`echo`, `printf`, `cat`, `set -x`), directly or \
through an `env:` variable; and `cat \"$GITHUB_EVENT_PATH\"` in workflows that outsiders can \
trigger; `toJSON(secrets)` handed to a step without being printed is not reported here. Low; \
medium for `toJSON(secrets)`, and for an environment dump in a workflow that runs on events \
from outside the repository while a secret is in the step's environment.",
        why: "A dump shows whoever reads the log how the job is built: the runner's \
configuration, paths and tool versions, the repository's settings, which secrets the job holds \
and under which names, and every value that is not a registered secret (including values \
derived from secrets, which masking does not recognise). `toJSON(secrets)` also hands every \
secret of the repository and its organisation to the step, whatever it needs. Logs of public \
repositories are public.",
        attack: "Reconnaissance › Extract CI workflows or repo settings using PRs (RE03): an \
attacker who can trigger the workflow (a pull request, a comment) and read its log learns what \
the job holds and how to reach it, and looks for an unmasked credential (Exfiltration, EF03).",
        example: r#"on: pull_request_target
jobs:
  debug:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    steps:
      - run: env | sort
"#,
        fixed_example: r#"on: pull_request_target
jobs:
  debug:
    runs-on: ubuntu-latest
    env:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
    steps:
      - run: env | grep -E '^(RUNNER_OS|RUNNER_ARCH|GITHUB_REF)=' | sort
"#,
        fix: "Remove the debugging step, or print only the variables you need (`env | grep \
'^GITHUB_REF='`, `${{ toJSON(github.event.pull_request.labels) }}`); never pass \
`toJSON(secrets)` to a step, name the secrets it needs. No quick fix is offered: which values \
the step meant to show is the author's call.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec10),
        Reference::Cwe(532, "Insertion of Sensitive Information into Log File"),
    ],
};

/// Contexts that expression dumps print whole.
const DUMPED: &[&str] = &["github", "env", "secrets"];

impl Rule for EnvironmentDump {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let Some(script) = &step.run else {
            return;
        };
        let outsiders = context.header().is_some_and(|header| header.triggers.any(Event::is_outsider_triggered));
        // What a dump shows; looked up only when there is one.
        let environment = OnceCell::new();
        let dumped = |expansion: Expansion<'_>| {
            dumped_context(script, expansion, |name| *environment.get_or_init(|| context.environment()).get(name)?)
        };
        let (dumps, printed) = match script.dialect {
            Dialect::Posix => {
                let dumps: Vec<_> = script
                    .commands
                    .iter()
                    .filter(|c| commands::dumps_environment(script, c))
                    .map(|c| c.range.clone())
                    .collect();
                (dumps, commands::printed_values(&[script], &dumped))
            }
            Dialect::PowerShell => (commands::powershell_environment_dumps(&script.text.value), Vec::new()),
            Dialect::Other => (Vec::new(), Vec::new()),
        };
        if outsiders && script.dialect == Dialect::Posix {
            for command in script.commands.iter().filter(|command| commands::dumps_event_payload(script, command)) {
                out.report(
                    script.span_of(command.range.clone()),
                    "this prints the whole event payload, which whoever triggered the run partly wrote: the runner \
                     obeys workflow commands (`::add-mask::`, `::stop-commands::`) in it like in any output, and the \
                     log shows it to everyone who can read it",
                );
            }
        }
        if dumps.is_empty() && printed.is_empty() {
            return;
        }
        let secrets = context.secret_variables();
        let secret = secrets.keys().next();
        let public = if outsiders { ", which for a public repository anyone can read" } else { "" };
        let severity = if outsiders && secret.is_some() { Severity::Medium } else { Severity::Low };
        for range in dumps {
            let what = script.slice(range.clone()).trim();
            let holding = secret.map_or(String::new(), |name| format!(", which secrets the step holds (`{name}=***`)"));
            let message = format!(
                "`{what}` prints every environment variable of the step to the log{public}: the runner's configuration, \
                 paths and versions{holding}, and any value that is not a registered secret"
            );
            out.report(script.span_of(range), message).with_severity(severity);
        }
        for printed in printed {
            let (context, through) = &printed.value;
            let what = match through {
                Some(variable) => format!("`${variable}` holds `toJSON({context})`, and this prints it"),
                None => format!("this prints `toJSON({context})`"),
            };
            let (message, severity) = match context.as_str() {
                "secrets" => (
                    format!(
                        "{what}: every secret of the repository and its organisation goes to the log{public}, where \
                         masking hides each exact value and nothing derived from one"
                    ),
                    Severity::Medium,
                ),
                "env" => (
                    format!(
                        "{what}: every variable of the workflow's, job's and step's `env:` goes to the log{public}{}",
                        secret.map_or(String::new(), |name| format!(", with the secret in `{name}` masked"))
                    ),
                    severity,
                ),
                _ => (
                    format!(
                        "{what}: the whole `github` context goes to the log{public}, with the event payload and the \
                         repository's and runner's settings (the token itself is masked)"
                    ),
                    Severity::Low,
                ),
            };
            out.report(script.span_of(printed.range), message).with_severity(severity);
        }
    }
}

/// The whole context (`github`, `env`, `secrets`) an expansion turns into JSON, and the
/// `env:` variable it goes through, if any; `env_value` gives a variable's value.
fn dumped_context<'a>(
    script: &Script,
    expansion: Expansion<'_>,
    env_value: impl Fn(&str) -> Option<&'a Text>,
) -> Option<(String, Option<String>)> {
    match expansion {
        Expansion::Within(range) => script.expressions_within(range).find_map(dumped).map(|name| (name, None)),
        Expansion::Variable(name) => {
            env_value(name)?.expressions.iter().find_map(dumped).map(|dumped| (dumped, Some(name.to_owned())))
        }
    }
}

/// The whole context an expression turns into JSON: `toJSON(github)`, `toJSON(env)`,
/// `toJSON(secrets)`.
fn dumped(expression: &Expression) -> Option<String> {
    if !expression.dumps_objects {
        return None;
    }
    expression
        .contexts
        .iter()
        .filter(|context| context.reaches_result)
        .find(|context| DUMPED.iter().any(|dumped| context.path.eq_ignore_ascii_case(dumped)))
        .map(|context| context.path.to_ascii_lowercase())
}
