//! `workflow-level-secrets`: a secret in a workflow's or job's `env:`, where every step reads it.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::expr::ContextRef;
use crate::model::github::{Step, UsesTarget, Workflow};
use crate::model::{Env, EnvVar, Text};
use crate::syntax::span::Span;
use crate::{bundled, data};

pub struct WorkflowLevelSecrets;

static META: RuleMeta = RuleMeta {
    id: "workflow-level-secrets",
    technique: Technique::CA02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A secret is set in the workflow's or a job's `env:`, where every step can read it",
        detects: "An `env:` entry of the workflow or of a job whose value expands a secret \
(`NPM_TOKEN: ${{ secrets.NPM_TOKEN }}`) while some step of its reach never mentions the \
variable. Medium when one of those steps is an action from another repository (not GitHub's \
own) or an image: code that can read the secret and has no use for it. Low when they are only \
scripts, local actions or GitHub's actions (a script may read the variable in a file it runs), \
and for the job's own `GITHUB_TOKEN`. Variables \
that tools read without a script naming them (`NODE_AUTH_TOKEN`, `GH_TOKEN`, \
`AWS_SECRET_ACCESS_KEY`, a bundled list) lower the confidence: a step that never mentions \
them may still use them. Not reported: step-level `env:`, and values that only test a secret \
(`HAS_TOKEN: ${{ secrets.TOKEN != '' }}`).",
        why: "Variables of a workflow's or a job's `env:` are in the environment of every step \
it covers: each third-party action, each package install script and each tool the job runs \
can read the secret, not only the step that needs it. One compromised dependency anywhere in \
the job is enough to steal it.",
        attack: "Credential Access › Env variables stored in CI/CD (CA02): code that runs in \
any step, brought in through a compromised action (IA03) or dependency (EX02), reads the \
secret from its environment and sends it out. With it the attacker moves on to the systems \
the secret opens (LM03), such as a package registry, where they publish poisoned releases \
(IM04).",
        example: r#"on: push
permissions:
  contents: read
env:
  DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - run: ./deploy.sh --key "$DEPLOY_KEY"
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - run: ./deploy.sh --key "$DEPLOY_KEY"
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
"#,
        fix: "Set the secret in the `env:` of the steps that use it, or pass it as an input \
to the action that needs it. The quick fix moves the entry into the `env:` of every step that \
mentions the variable (in its script, inputs or environment). It is offered only when the \
value is the secret alone and some step mentions it, and never for variables tools read \
unnamed; it is unsafe because a step that reads the variable without naming it (a script it \
calls, an action's code) loses it.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(200, "Exposure of Sensitive Information to an Unauthorized Actor"),
        Reference::Link(
            "GitHub: Using secrets in GitHub Actions",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
        ),
    ],
};

#[derive(Deserialize)]
struct CredentialVariables {
    variable: Vec<CredentialVariable>,
}

#[derive(Deserialize)]
struct CredentialVariable {
    name: String,
}

/// Secrets GitHub reads to switch on debug logging: `true` or `false`, not credentials
/// (https://docs.github.com/en/actions/monitoring-and-troubleshooting-workflows/troubleshooting-workflows/enabling-debug-logging).
const DEBUG_SECRETS: &[&str] = &["ACTIONS_STEP_DEBUG", "ACTIONS_RUNNER_DEBUG"];

static IMPLICIT: LazyLock<CredentialVariables> = LazyLock::new(|| data::parse(bundled!("credential-variables.toml")));

impl Rule for WorkflowLevelSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        let steps: Vec<&Step> = workflow.jobs.iter().flat_map(|job| &job.steps).collect();
        for var in &workflow.header.env.vars {
            check(var, &workflow.header.env, "the workflow's", "every step of every job", &steps, out);
        }
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        let steps: Vec<&Step> = job.steps.iter().collect();
        let owner = format!("job `{}`'s", job.id.value);
        for var in &job.env.vars {
            check(var, &job.env, &owner, "every step of the job", &steps, out);
        }
    }
}

/// How the expression lexer names `secrets[<expression>]`.
const COMPUTED_SECRET: &str = "secrets.*";

fn check(var: &EnvVar, env: &Env, owner: &str, reach: &str, steps: &[&Step], out: &mut Findings) {
    let Some(value) = &var.value else { return };
    let is_credential = |context: &&ContextRef| {
        context.secret_name().is_some_and(|name| !DEBUG_SECRETS.iter().any(|debug| debug.eq_ignore_ascii_case(name)))
            || context.is_github_token()
            // `secrets[matrix.NAME]`: a secret all the same, whichever the name picks.
            || context.path == COMPUTED_SECRET
    };
    let Some(secret) = value.expanded().find(is_credential) else {
        return;
    };
    let name = var.name.as_str();
    let (users, idle): (Vec<&Step>, Vec<&Step>) = steps.iter().partition(|step| mentions(step, name));
    if idle.is_empty() {
        return;
    }
    let github_token = secret.is_github_token();
    let implicit = IMPLICIT.variable.iter().any(|known| known.name == name);
    // Actions from other repositories or images: code that does not come from this repository.
    let outsider = idle.iter().find_map(|step| {
        step.uses.as_ref().filter(|uses| !uses.is_first_party() && !matches!(uses.target, UsesTarget::Local { .. }))
    });
    let reader = match outsider {
        Some(uses) => format!("including `{}`, which never mentions it", uses.raw),
        None if idle.len() == 1 => "including a step that never mentions it".to_owned(),
        None => format!("including {} steps that never mention it", idle.len()),
    };
    let what = match secret.path.as_str() {
        _ if github_token => "the job's token".to_owned(),
        COMPUTED_SECRET => "a secret picked by a computed name".to_owned(),
        path => format!("`{path}`"),
    };
    let mut message = format!("{what} is in {owner} `env:` as `{name}`, so {reach} can read it, {reader}");
    if implicit {
        message.push_str(&format!(" (tools read `{name}` without naming it, so some may use it)"));
    }
    // Scripts and local actions that never name the variable may still read it in the files
    // they run: only a foreign action is a sure reader that does not need it.
    let severity = if outsider.is_some() && !github_token { Severity::Medium } else { Severity::Low };
    let finding = out.report(secret.span, message).with_severity(severity).with_confidence(if implicit {
        Confidence::Medium
    } else {
        Confidence::High
    });
    if !implicit && let Some(fix) = move_to_users(var, value, env, &users) {
        finding.with_fix(fix);
    }
}

/// Whether any text of the step names the variable: `$NAME`, `${{ env.NAME }}`,
/// `process.env.NAME`, `$env:NAME`...
fn mentions(step: &Step, name: &str) -> bool {
    mentions_in_env(step, name)
        || step
            .run
            .as_ref()
            .map(|script| &script.text)
            .into_iter()
            .chain(step.with.iter().filter_map(|input| input.value.as_ref()))
            .chain(step.condition.as_deref())
            .any(|text: &Text| has_word(&text.value, name))
}

/// Whether the step's own `env:` values name the variable (`KEY: ${{ env.NAME }}`), which
/// would read nothing if the variable moved beside them.
fn mentions_in_env(step: &Step, name: &str) -> bool {
    step.env.vars.iter().filter_map(|var| var.value.as_ref()).any(|text| has_word(&text.value, name))
}

/// Whether `word` occurs in `text` between characters that cannot be part of a name.
fn has_word(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(is_name)
            && !text[at + word.len()..].chars().next().is_some_and(is_name)
    })
}

/// Moves the entry into the `env:` of each step that mentions it, when the value is the
/// secret expression alone (so it can be written again verbatim).
fn move_to_users(var: &EnvVar, value: &Text, env: &Env, users: &[&Step]) -> Option<Fix> {
    let [expression] = value.expressions.as_slice() else { return None };
    if users.is_empty() || value.value.trim() != format!("${{{{ {} }}}}", expression.source) {
        return None;
    }
    let entry = format!("{}: {}", var.name.value, value.value.trim());
    let mut edits = users
        .iter()
        .map(|step| {
            if step.env.get(&var.name.value).is_some() || mentions_in_env(step, &var.name.value) {
                return None;
            }
            fix::add_to_mapping(step.env.block.as_deref(), "env", step.first_key, step.key_column, &entry)
        })
        .collect::<Option<Vec<_>>>()?;
    let removed = match &env.block {
        Some(block) if env.vars.len() == 1 => {
            Span::new(block.key.unit, block.key.start as usize, block.last_entry_end.end as usize)
        }
        _ => Span::new(var.name.span.unit, var.name.span.start as usize, value.span.end as usize),
    };
    edits.push(fix::remove_entry(removed));
    Some(Fix {
        title: format!("Move `{}` to the steps that use it", var.name.value).into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}
