//! `secret-in-log`: secrets printed to the job log, or debug logging switched on.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Env;
use std::cell::OnceCell;

use crate::model::commands::{self, Expansion, Exposure, Printed};
use crate::model::github::{Event, Step, Workflow};
use crate::model::shell::{Dialect, Script};

pub struct SecretInLog;

static META: RuleMeta = RuleMeta {
    id: "secret-in-log",
    technique: Technique::EF03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A secret is printed to the job log",
        detects: "`run:` scripts that print a secret (`secrets.*`, `github.token`, or an `env:` \
variable set from one): as an argument of `echo`, `printf` or `cat`, in a here-document `cat` \
prints, after a transformation (`base64 -d`, `base64`, `xxd`, `rev`, `tr`, `sed`, a substring \
such as `${TOKEN:0:8}`), or through shell tracing (`set -x`, `set -o xtrace`, `bash -x \
script.sh`) in a script that uses one. Output written to a file, captured by `$(...)` or piped \
into a command that keeps it (`docker login --password-stdin`) is not printed, and \
`::add-mask::` lines are not shown. Also `ACTIONS_STEP_DEBUG` and `ACTIONS_RUNNER_DEBUG` set to \
true in an `env:`. Severity: high when a transformation defeats masking (a decoded value, a \
substring, a value derived under `set -x`); medium for a secret printed as it is by a command \
in a workflow that runs on events from outside the repository (public repositories, whose logs \
anyone can read); low otherwise, for a secret only traced as it is (the runner masks it), and \
for the debug switches.",
        why: "The runner replaces each secret's exact text (and a few encodings of it) with `***` \
in the log; that is all masking does. A decoded, sliced, reversed or re-encoded secret is \
printed as it is, and so is a value computed from one under `set -x`. Logs are kept for months \
and readable by everyone with read access to the repository, which for a public repository \
is everyone.",
        attack: "Exfiltration › Exfiltrate pipeline logs (EF03): the attacker does not need to run \
anything; they read the secret in a log. With it they move on to Credential Access (CA02) on \
whatever the secret opens: a registry, a cloud account, a deployment.",
        example: r#"on: pull_request_target
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - env:
          SIGNING_KEY: ${{ secrets.SIGNING_KEY_B64 }}
        run: echo "$SIGNING_KEY" | base64 -d
"#,
        fixed_example: r#"on: pull_request_target
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - env:
          SIGNING_KEY: ${{ secrets.SIGNING_KEY_B64 }}
        run: echo "$SIGNING_KEY" | base64 -d > "$RUNNER_TEMP/signing.key"
"#,
        fix: "Never print a secret, even to check that it is set: test it instead (`[ -n \
\"$TOKEN\" ]`). Write decoded secrets to a file, pass them on standard input, and register any \
value derived from a secret with `echo \"::add-mask::$VALUE\"` before anything can print it. \
Keep `set -x` out of scripts that handle secrets, or switch it off around them (`set +x`). Turn \
debug logging on for one re-run (\"Re-run jobs\" › \"Enable debug logging\") rather than in the \
workflow; the quick fix removes `ACTIONS_STEP_DEBUG` or `ACTIONS_RUNNER_DEBUG` from `env:` (and \
`env:` itself when it was the only entry), which is safe: it only changes how much is logged.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(532, "Insertion of Sensitive Information into Log File"),
        Reference::Poutine("debug_enabled"),
        Reference::Link(
            "GitHub: Using secrets in GitHub Actions (redaction)",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#using-secrets-in-a-workflow",
        ),
    ],
};

/// The variables that ask for debug logging.
const DEBUG_SWITCHES: &[&str] = &["ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"];

impl Rule for SecretInLog {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        report_debug_switches(&workflow.header.env, "the workflow's `env:`", out);
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        report_debug_switches(&context.job.env, "the job's `env:`", out);
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        report_debug_switches(&step.env, "the step's `env:`", out);
        let Some(script) = step.run.as_ref().filter(|script| script.dialect == Dialect::Posix) else {
            return;
        };
        let public = context.header().is_some_and(|header| header.triggers.any(Event::is_outsider_triggered));
        // Built on the first variable printed: most scripts print none.
        let variables = OnceCell::new();
        let secret_of = |expansion: Expansion<'_>| {
            github_secret(script, expansion, |name| {
                variables.get_or_init(|| context.secret_variables()).get(name).copied()
            })
        };
        for leak in commands::printed_values(&[script], &secret_of) {
            let (severity, confidence) = match &leak.exposure {
                Exposure::Transformed(by) if by.starts_with("base64") && !by.contains("-d") => {
                    (Severity::High, Confidence::Medium)
                }
                Exposure::Transformed(_) | Exposure::Traced { derived: Some(_) } => (Severity::High, Confidence::High),
                Exposure::Printed if public => (Severity::Medium, Confidence::High),
                // A trace shows the exact value, which the runner masks.
                Exposure::Printed | Exposure::Traced { derived: None } => (Severity::Low, Confidence::High),
            };
            let readers = if public {
                "the log of a public repository, which anyone can read"
            } else {
                "the log, which everyone with read access to the repository can read"
            };
            let message = describe(&leak, readers);
            out.report(leak.script.span_of(leak.range), message).with_severity(severity).with_confidence(confidence);
        }
        if let Some(traced) = script.commands.iter().find_map(commands::traced_script)
            && let Some(secret) = context.secret_variables().into_values().next()
        {
            out.report(
                script.span_of(traced.range.clone()),
                format!(
                    "`-x` traces `{}` with `{secret}` in its environment: the trace prints each of its commands with \
                     variables expanded, and anything it derives from the secret is not masked",
                    traced.text
                ),
            )
            .with_severity(Severity::Low)
            .with_confidence(Confidence::Medium);
        }
    }
}

fn report_debug_switches(env: &Env, place: &str, out: &mut Findings) {
    for var in env.vars.iter().filter(|var| DEBUG_SWITCHES.contains(&var.name.value.as_str())) {
        let on = var.value.as_ref().is_some_and(|value| value.value.trim().eq_ignore_ascii_case("true"));
        if !on {
            continue;
        }
        let name = &var.name.value;
        let finding = out.report(
            var.name.span,
            format!(
                "`{name}: true` in {place} asks for debug logging, which prints what the log normally leaves out; in \
                 `env:` it only reaches tools that read the variable themselves (the runner reads the repository \
                 secret or variable of that name), so turn debug logging on for one re-run instead"
            ),
        );
        finding.with_severity(Severity::Low).with_confidence(Confidence::Medium);
        if let Some(edit) = env.block.as_deref().and_then(|block| fix::remove_from_mapping(block, var.entry)) {
            finding.with_fix(Fix {
                title: format!("Remove `{name}`").into(),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
    }
}

/// The secret a `$VAR` or a `${{ }}` expression of a `run:` script expands, for messages:
/// "`secrets.NPM_TOKEN`", "`$NPM_TOKEN` (`secrets.NPM_TOKEN`)"; `from_env` gives the secret an
/// environment variable holds.
fn github_secret<'a>(
    script: &Script,
    expansion: Expansion<'_>,
    from_env: impl Fn(&str) -> Option<&'a str>,
) -> Option<Secret> {
    let name = match expansion {
        Expansion::Variable(name) => format!("`${name}` (`{}`)", from_env(name)?),
        Expansion::Within(range) => script.expressions_within(range).find_map(|expression| {
            expression.secret().map(|secret| format!("`{}`", secret.path)).or_else(|| {
                let env = expression
                    .contexts
                    .iter()
                    .filter(|c| c.reaches_result)
                    .find_map(|c| c.path.strip_prefix("env."))?;
                Some(format!("`env.{env}` (`{}`)", from_env(env)?))
            })
        })?,
    };
    Some(Secret { name, masked: true })
}

/// A secret, as rules name it in messages.
pub(super) struct Secret {
    pub name: String,
    /// Whether the platform masks its exact value in the log.
    pub masked: bool,
}

/// The message for a secret that reaches the log, ending with who reads the log (`readers`).
pub(super) fn describe(leak: &Printed<'_, Secret>, readers: &str) -> String {
    let secret = &leak.value.name;
    let masking = if leak.value.masked {
        "the runner masks only the secret's exact text"
    } else {
        "unless the variable is masked, its value is shown as it is"
    };
    match &leak.exposure {
        Exposure::Printed if leak.value.masked => format!(
            "{secret} is printed to {readers}: {masking}, and masking is best effort (a changed encoding, a \
             substring or a multi-line value escapes it)"
        ),
        Exposure::Printed => format!("{secret} is printed to {readers}: {masking}"),
        Exposure::Transformed(by) if by.starts_with("${") => {
            format!("`{by}` prints part of {secret}, which masking does not recognise: it appears in {readers}")
        }
        Exposure::Transformed(by) => {
            format!("{secret} is printed through `{by}`, which masking does not recognise: it appears in {readers}")
        }
        Exposure::Traced { derived: Some(by) } => format!(
            "shell tracing prints every command after this one with its variables expanded, and `{by}` derives a \
             value from {secret} that masking does not recognise: it appears in {readers}"
        ),
        Exposure::Traced { derived: None } => format!(
            "shell tracing prints every command after this one with its variables expanded, {secret} included, to \
             {readers}: {masking}"
        ),
    }
}
