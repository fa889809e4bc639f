//! What deploys: commands and actions that change a running environment, actions that give a
//! job cloud credentials, throwaway targets (a kind cluster, LocalStack) that make a
//! deployment a test, and infrastructure-as-code runs that execute the repository's code.
//! Shared by the GitHub and GitLab rules on deployments (`data/deployments.toml`).

use std::sync::LazyLock;

use serde::Deserialize;

use super::Env;
use super::expr::stored_secrets;
use super::github::{Access, Grant, Job, Permissions, Step, WorkflowHeader};
use super::patterns::{ActionPattern, ByProgram, CommandPattern, Invocation};
use super::shell::Command;
use crate::syntax::span::Span;
use crate::{bundled, data};

#[derive(Deserialize)]
struct Facts {
    command: ByProgram<CommandPattern>,
    action: Vec<ActionPattern>,
    credential_action: Vec<ActionPattern>,
    local_target_command: ByProgram<CommandPattern>,
    local_target_action: Vec<ActionPattern>,
    iac_command: ByProgram<CommandPattern>,
    iac_action: Vec<ActionPattern>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("deployments.toml")));

/// The command as written, if one of `patterns` matches it.
fn command_in(patterns: &ByProgram<CommandPattern>, command: &Command) -> Option<String> {
    let invocation = Invocation::of(command)?;
    patterns.for_program(invocation.program).find_map(|pattern| pattern.shown(&invocation))
}

/// The deployment a command makes, as written (`kubectl apply`).
pub fn command_deploys(command: &Command) -> Option<String> {
    command_in(&FACTS.command, command)
}

/// The deployment a step makes, and where it is written: the action, or the first deploying
/// command of its script.
pub fn step_deploys(step: &Step) -> Option<(String, Span)> {
    step_runs(step, &FACTS.action, command_deploys)
}

/// What a step runs that `actions` or `command` recognise: the action's name at its `uses:`,
/// or the first command recognised in its script.
fn step_runs(
    step: &Step,
    actions: &[ActionPattern],
    command: fn(&Command) -> Option<String>,
) -> Option<(String, Span)> {
    if let (Some(pattern), Some(uses)) = (actions.iter().find(|pattern| pattern.matches(step)), &step.uses) {
        return Some((pattern.describe().to_owned(), uses.span));
    }
    let script = step.run.as_ref()?;
    script.commands.iter().find_map(|found| Some((command(found)?, script.span_of(found.range.clone()))))
}

/// Whether a step gives the job credentials for a cloud account, a cluster or a vault.
pub fn gives_credentials(step: &Step) -> bool {
    FACTS.credential_action.iter().any(|pattern| pattern.matches(step))
}

/// What gives step `index` of a GitHub job credentials, for messages: a stored secret in its
/// environment, inputs or script, an earlier step that logs in to a cloud, a self-hosted
/// runner (which keeps its own), or the OIDC token the job may request (`id-token: write`).
pub fn github_credentials(header: &WorkflowHeader, job: &Job, index: usize) -> Option<String> {
    let in_env = |env: &Env, level: &str| {
        let secret = most_sensitive(
            env.vars.iter().filter_map(|var| var.value.as_ref()).flat_map(|text| stored_secrets(&text.value)),
        );
        secret.map(|secret| format!("`{secret}` in {level} `env:`"))
    };
    let step_secret = job.steps.get(index).and_then(|step| {
        let inputs = step.with.iter().filter_map(|input| input.value.as_ref());
        let script = step.run.as_ref().map(|run| &run.text);
        let texts = step.env.vars.iter().filter_map(|var| var.value.as_ref()).chain(inputs).chain(script);
        most_sensitive(texts.flat_map(|text| stored_secrets(&text.value))).map(|secret| format!("`{secret}`"))
    });
    let login = job.steps[..(index + 1).min(job.steps.len())]
        .iter()
        .find(|step| gives_credentials(step))
        .and_then(|step| Some(format!("the credentials of `{}`", step.uses.as_ref()?.action_name()?)));
    let self_hosted = job
        .runs_on
        .iter()
        .any(|label| label.value.eq_ignore_ascii_case("self-hosted"))
        .then(|| "a self-hosted runner's own credentials".to_owned());
    let permissions = job.permissions.as_ref().or(header.permissions.as_ref());
    let oidc = permissions.is_some_and(grants_id_token).then(|| "an OIDC token (`id-token: write`)".to_owned());
    step_secret
        .or(login)
        .or_else(|| in_env(&job.env, "the job's"))
        .or_else(|| in_env(&header.env, "the workflow's"))
        .or(oidc)
        .or(self_hosted)
}

/// The secret whose name says it is a credential (`secrets.SSH_KEY` rather than
/// `secrets.HOST`), or the first.
fn most_sensitive(secrets: impl Iterator<Item = String>) -> Option<String> {
    const CREDENTIAL_WORDS: &[&str] = &["KEY", "TOKEN", "PASSWORD", "SECRET", "CREDENTIAL", "KUBECONFIG", "AUTH"];
    let secrets: Vec<String> = secrets.collect();
    let sensitive = |secret: &&String| {
        let name = secret.trim_start_matches("secrets.").to_ascii_uppercase();
        CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
    };
    secrets.iter().find(sensitive).or(secrets.first()).cloned()
}

fn grants_id_token(permissions: &Permissions) -> bool {
    match &permissions.grant {
        Grant::WriteAll => true,
        Grant::Scopes(scopes) => {
            scopes.iter().any(|scope| scope.name.value == "id-token" && scope.access.value == Access::Write)
        }
        _ => false,
    }
}

/// Whether a command creates a throwaway target (a local cluster or cloud emulator).
pub fn command_creates_local_target(command: &Command) -> bool {
    command_in(&FACTS.local_target_command, command).is_some()
}

/// Whether a step creates a throwaway target, with an action or a command.
pub fn step_creates_local_target(step: &Step) -> bool {
    FACTS.local_target_action.iter().any(|pattern| pattern.matches(step))
        || step.run.iter().flat_map(|script| &script.commands).any(command_creates_local_target)
}

/// The infrastructure-as-code run a step makes (`terraform plan`), which executes code the
/// checked-out repository chooses, and where it is written.
pub fn step_runs_iac(step: &Step) -> Option<(String, Span)> {
    step_runs(step, &FACTS.iac_action, |command| command_in(&FACTS.iac_command, command))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shell::lex;

    fn deploys(script: &str) -> Vec<String> {
        lex(script).commands.iter().filter_map(command_deploys).collect()
    }

    #[test]
    fn deployments_and_look_alikes() {
        assert_eq!(deploys("kubectl -n prod apply -f k8s/"), ["kubectl apply"]);
        assert_eq!(deploys("gcloud beta run deploy api"), ["gcloud beta run deploy"]);
        assert_eq!(deploys("aws s3 sync dist s3://www.example.com --delete").len(), 1);
        assert!(deploys("aws s3 sync s3://bucket/cache ./cache").is_empty());
        assert!(deploys("aws eks update-kubeconfig --name prod").is_empty());
        assert!(deploys("kubectl get pods && kubectl rollout status deploy/x").is_empty());
        assert!(deploys("helm upgrade --install x ./chart --dry-run").is_empty());
        assert!(deploys("vercel build && netlify deploy --dir dist").is_empty());
        assert_eq!(deploys("npx vercel --prod --token x").len(), 1);
        assert!(deploys("az account set --subscription x && gcloud components update").is_empty());
        let iac: Vec<String> = lex("terraform -chdir=infra plan -out plan")
            .commands
            .iter()
            .filter_map(|c| command_in(&FACTS.iac_command, c))
            .collect();
        assert_eq!(iac, ["terraform plan"]);
    }
}
