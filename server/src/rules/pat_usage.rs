//! `pat-usage`: a personal access token where `GITHUB_TOKEN` would do.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, RuleOptions, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::expr::ContextRef;
use crate::model::github::{Step, Uses, UsesTarget};
use crate::model::shell::{Command, Dialect};
use crate::model::{Env, Text};
use crate::{bundled, data};

pub struct PatUsage;

static META: RuleMeta = RuleMeta {
    id: "pat-usage",
    technique: Technique::PR01,
    severity: Severity::Low,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A personal access token is used where GITHUB_TOKEN would do",
        detects: "A secret other than `GITHUB_TOKEN` (a personal access token, `secrets.GH_PAT`, \
`secrets.BOT_TOKEN`) given where a GitHub token goes: the `token` of `actions/checkout`, \
`GH_TOKEN`/`GITHUB_TOKEN` in an `env:`, and actions' `github-token`/`repo-token` inputs (and \
`token` for actions where it is a GitHub token), in a job that only acts on its own repository. \
Jobs with a reason to need more are not reported: a checkout of another repository, \
`git push`/`git clone`, `gh` commands beyond issues, labels, runs and pull request comments \
(`gh pr create`, `gh release`, `gh api`, `--repo`), and actions that push, open pull requests \
or releases, or use projects (a bundled list), and tokens that reach code the file does not \
show (a repository or package script). Low; medium when the token reaches an action from \
outside GitHub and the `trustedOwners`: given to it, in an `env:` it can read, or left in `.git/config` by a \
checkout before it runs.",
        why: "A personal access token acts as the person who created it, on every repository \
they can reach, until it expires, often never. `GITHUB_TOKEN` is created for the run, limited \
to this repository and the job's `permissions:`, and expires when the job ends. Whoever steals \
the token from this job (a compromised action, an injected command) gets the wider access.",
        attack: "Privilege Escalation › Access higher privilege accounts (PR01): from a foothold \
in the job (Execution), the attacker reads the token and acts as its owner: on other \
repositories and organisations (Lateral Movement), and for as long as the token lives \
(Persistence).",
        example: r#"on: pull_request_target
permissions:
  pull-requests: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - run: gh pr edit "$PR" --add-label triage
        env:
          GH_TOKEN: ${{ secrets.GH_PAT }}
          PR: ${{ github.event.pull_request.number }}
"#,
        fixed_example: r#"on: pull_request_target
permissions:
  pull-requests: write
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - run: gh pr edit "$PR" --add-label triage
        env:
          GH_TOKEN: ${{ github.token }}
          PR: ${{ github.event.pull_request.number }}
"#,
        fix: "Use `${{ github.token }}` with the job's `permissions:` granting what the step needs. \
When the job does need more than this repository (a push whose events must start workflows, \
another repository, organisation projects), prefer a GitHub App installation token \
(`actions/create-github-app-token`): it is short-lived and scoped to chosen repositories and \
permissions. No quick fix is offered: whether the job needs more cannot be told from the file \
alone.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec2),
        Reference::Cwe(250, "Execution with Unnecessary Privileges"),
        Reference::Link(
            "GitHub: Automatic token authentication",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication",
        ),
    ],
};

#[derive(Deserialize)]
struct GithubTokens {
    inputs: Vec<String>,
    token_actions: Vec<String>,
    needs_more: Vec<String>,
    script_runners: Vec<String>,
}

static TOKENS: LazyLock<GithubTokens> = LazyLock::new(|| data::parse(bundled!("github-tokens.toml")));

/// `gh` commands that act on this repository's issues, pull requests and runs, which
/// `GITHUB_TOKEN` can do with the right `permissions:`.
const GH_LOCAL_COMMANDS: &[&str] = &["issue", "label", "run", "workflow", "cache", "pr"];

impl Rule for PatUsage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if job.uses.is_some() || job.steps.iter().any(needs_more) {
            return;
        }
        // A token that reaches code the file does not show may be needed for anything.
        let opaque = |steps: &[Step]| steps.iter().any(runs_opaque_code);
        let outsider = |steps: &[Step]| steps.iter().find_map(|step| third_party(step, context.options));
        // A token in a workflow or job `env:` reaches every step.
        if !opaque(&job.steps) {
            for (env, place) in [(&context.header.env, "the workflow's `env:`"), (&job.env, "the job's `env:`")] {
                check_env(env, place, outsider(&job.steps), out);
            }
        }
        for (index, step) in job.steps.iter().enumerate() {
            let own = third_party(step, context.options);
            if !runs_opaque_code(step) {
                check_env(&step.env, "the step's `env:`", own.clone(), out);
            }
            let Some(uses) = &step.uses else { continue };
            // A checkout leaves its token in `.git/config` for the steps after it.
            let persisted = step.uses_action("actions/checkout")
                && step.input_text("persist-credentials").is_none_or(|value| value.value != "false");
            let later = &job.steps[index + 1..];
            if persisted && opaque(later) {
                continue;
            }
            for input in step.with.iter().filter(|input| takes_github_token(uses, &input.name.value)) {
                let Some(secret) = input.value.as_ref().and_then(long_lived) else { continue };
                // Only an action of a repository has a name its inputs are known by: local
                // and Docker actions are not reported. Named only here, where it is reported.
                let Some(action) = uses.action_name() else { continue };
                let reach = own.clone().or_else(|| persisted.then(|| outsider(later)).flatten());
                report(out, secret, &format!("`{}` of `{action}`", input.name.value), reach);
            }
        }
    }
}

fn check_env(env: &Env, place: &str, reach: Option<String>, out: &mut Findings) {
    for var in env
        .vars
        .iter()
        .filter(|var| ["GH_TOKEN", "GITHUB_TOKEN"].iter().any(|n| var.name.value.eq_ignore_ascii_case(n)))
    {
        if let Some(secret) = var.value.as_ref().and_then(long_lived) {
            report(out, secret, &format!("`{}` in {place}", var.name.value), reach.clone());
        }
    }
}

fn report(out: &mut Findings, secret: &ContextRef, place: &str, reach: Option<String>) {
    let why = "a personal access token reaches every repository its owner can, until it expires, while `GITHUB_TOKEN` is limited to this repository and run";
    let (severity, reached) = match &reach {
        Some(action) => (Severity::Medium, format!(", and `{action}`, which GitHub does not maintain, can read it")),
        None => (Severity::Low, String::new()),
    };
    out.report(
        secret.span,
        format!(
            "`{}` is given as {place}, in a job that only acts on this repository{reached}: {why}. Use `${{{{ github.token }}}}` with `permissions:`, or a GitHub App token if the job needs more",
            secret.path
        ),
    )
    .with_severity(severity);
}

/// The secret a value reads, if it is not `GITHUB_TOKEN`.
fn long_lived(text: &Text) -> Option<&ContextRef> {
    text.expressions.iter().flat_map(|expression| &expression.contexts).find(|context| {
        context.reaches_result
            && context.is_under("secrets")
            && !context.path.eq_ignore_ascii_case("secrets.GITHUB_TOKEN")
    })
}

/// Whether `with: <input>` of `action` takes a GitHub token.
fn takes_github_token(uses: &Uses, input: &str) -> bool {
    TOKENS.inputs.iter().any(|name| name.eq_ignore_ascii_case(input))
        || (input.eq_ignore_ascii_case("token") && TOKENS.token_actions.iter().any(|action| uses.is_action(action)))
}

/// The action of a step if it comes from outside GitHub and the user's trusted owners.
fn third_party(step: &Step, options: &RuleOptions) -> Option<String> {
    let uses = step.uses.as_ref()?;
    let UsesTarget::Repository { owner, .. } = &uses.target else { return None };
    let own = uses.is_first_party() || options.trusts_owner(owner);
    (!own).then(|| uses.repository()).flatten()
}

/// Whether a step has a reason to need more than `GITHUB_TOKEN`: another repository, a push
/// or a pull request or release whose events must start workflows, or wider APIs.
fn needs_more(step: &Step) -> bool {
    if let Some(uses) = &step.uses {
        // Another repository, or private submodules.
        let checkout = step.uses_action("actions/checkout");
        let other_repository = checkout
            && (step
                .input_text("repository")
                .is_some_and(|repository| !repository.value.contains("github.repository"))
                || step.input_text("submodules").is_some_and(|submodules| submodules.value != "false"));
        let known = TOKENS.needs_more.iter().any(|name| uses.is_repository(name));
        let script = step.uses_action("actions/github-script")
            && step.input_text("script").is_some_and(|script| script_needs_more(&script.value));
        return other_repository || known || script;
    }
    let Some(run) = &step.run else { return false };
    if run.dialect != Dialect::Posix {
        let text = &run.text.value;
        return text.contains("git push")
            || text.contains("git clone")
            || text.contains("gh ")
            || text.contains("api.github.com");
    }
    run.commands.iter().any(command_needs_more)
}

fn command_needs_more(command: &Command) -> bool {
    let mut operands = command.operands();
    match command.name() {
        // Pushes, other repositories, and credentials for private dependencies.
        Some("git") => match command.subcommand() {
            // A commit or tag made in CI is made to be pushed.
            Some("push" | "clone" | "submodule" | "commit" | "tag") => true,
            Some("config") => {
                command.args().iter().any(|word| word.text.contains("insteadOf") || word.text.contains("extraheader"))
            }
            _ => false,
        },
        Some("gh") => {
            let first = operands.next().unwrap_or_default();
            let second = operands.next().unwrap_or_default();
            let other_repo = command.option(Some("repo"), Some('R')).is_some();
            let creates = first == "pr" && matches!(second, "create" | "merge");
            other_repo || creates || !GH_LOCAL_COMMANDS.contains(&first)
        }
        Some("curl" | "wget") => command.args().iter().any(|word| word.text.contains("api.github.com")),
        _ => false,
    }
}

/// Whether a step runs code the file does not show: a script of the repository, a package or
/// build script, a command built from an expression, or a script in a language not lexed.
fn runs_opaque_code(step: &Step) -> bool {
    let Some(run) = &step.run else { return false };
    if run.dialect != Dialect::Posix {
        return true;
    }
    run.commands.iter().any(|command| {
        let Some(program) = command.name_index().and_then(|index| command.words.get(index)) else { return false };
        let name = command.name().unwrap_or_default();
        program.has_expression()
            || program.text.contains('/')
            || TOKENS.script_runners.iter().any(|runner| runner == name)
    })
}

/// Whether a `github-script` script names another repository (`owner: 'org'`,
/// `repo: "name"`) or uses GraphQL (projects, organisation data).
fn script_needs_more(script: &str) -> bool {
    let literal_after = |key: &str| {
        script.match_indices(key).any(|(at, _)| script[at + key.len()..].trim_start().starts_with(['\'', '"', '`']))
    };
    literal_after("owner:") || literal_after("repo:") || script.contains("graphql(")
}
