//! `git` and `gh` command lines: which subcommand runs, and what a `git push` sends where;
//! and the actions that push commits or merge pull requests (the bundled
//! `data/git-actions.toml`).

use std::sync::LazyLock;

use serde::Deserialize;

use super::Text;
use super::checkout;
use super::expr::ContextRef;
use super::github::{Job, Step, WorkflowHeader};
use super::shell::{Command, Word};
use crate::{bundled, data};

#[derive(Deserialize)]
struct Actions {
    push: Vec<PushAction>,
    merge: Vec<MergeAction>,
}

/// An action that pushes commits.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PushAction {
    uses: String,
    /// The input it authenticates with, when not the checkout's credentials.
    pub token_input: Option<String>,
    pub target: PushTarget,
    /// The input that names the branch pushed to.
    pub branch_input: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PushTarget {
    /// The checked-out branch.
    Current,
    /// A branch of its own, for a pull request.
    NewBranch,
}

/// An action that merges pull requests or turns on auto-merge.
#[derive(Deserialize)]
pub struct MergeAction {
    uses: String,
    /// What it does, for messages.
    pub how: String,
}

static ACTIONS: LazyLock<Actions> = LazyLock::new(|| data::parse(bundled!("git-actions.toml")));

/// The push a step's action makes, if it is one that pushes.
pub fn push_action(step: &Step) -> Option<&'static PushAction> {
    ACTIONS.push.iter().find(|action| step.uses_action(&action.uses))
}

/// The merge a step's action makes, if it is one that merges.
pub fn merge_action(step: &Step) -> Option<&'static MergeAction> {
    ACTIONS.merge.iter().find(|action| step.uses_action(&action.uses))
}

/// The credential a push authenticates with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The job's `GITHUB_TOKEN`, which GitHub never lets change workflow files.
    GithubToken,
    /// Another token, named by the context it comes from (`secrets.BOT_PAT`,
    /// `steps.app.outputs.token`).
    Other(String),
    /// Not visible in the file.
    Unknown,
}

/// The credential of a push made by `step` of `job`: the token input of a pushing action, a
/// token written into the pushing command line, or the credentials `checkout` (the last
/// earlier `actions/checkout` that persisted them, which the caller tracks) left in
/// `.git/config`.
pub fn push_credential(header: &WorkflowHeader, job: &Job, step: &Step, checkout: Option<&Step>) -> Credential {
    if let Some(input) = push_action(step).and_then(|action| action.token_input.as_deref()) {
        return step.input_text(input).map_or(Credential::GithubToken, credential_of);
    }
    // A token written into the push command line, or in a variable it reads.
    if let Some(script) = &step.run {
        let named = |name: &str| {
            [&step.env, &job.env, &header.env]
                .into_iter()
                .find_map(|env| env.get(name))
                .and_then(|var| var.value.as_ref())
        };
        for command in script.commands.iter().filter(|command| push(command).is_some()) {
            let span = script.span_of(command.range.clone());
            let inline = script
                .text
                .expressions
                .iter()
                .filter(|expression| span.start <= expression.span.start && expression.span.end <= span.end)
                .flat_map(|expression| &expression.contexts)
                .find_map(context_credential);
            let from_variables = || {
                command
                    .words
                    .iter()
                    .flat_map(|word| word.variables())
                    .filter_map(|(name, _)| named(name))
                    .map(credential_of)
                    .find(|credential| *credential != Credential::Unknown)
            };
            if let Some(credential) = inline.or_else(from_variables) {
                return credential;
            }
        }
    }
    checkout.map_or(Credential::Unknown, |checkout| {
        if checkout::uses_github_token(checkout) {
            Credential::GithubToken
        } else {
            checkout.input_text("token").map_or(Credential::Unknown, credential_of)
        }
    })
}

/// Whether a step leaves credentials in `.git/config` for later pushes: a checkout that
/// persists them.
pub fn persists_credentials(step: &Step) -> bool {
    checkout::is_checkout(step) && checkout::persists_credentials(step)
}

/// The credential a value expands: the job's token, another secret or step output, or none.
fn credential_of(value: &Text) -> Credential {
    value.expanded().find_map(context_credential).unwrap_or(Credential::Unknown)
}

fn context_credential(context: &ContextRef) -> Option<Credential> {
    if context.is_github_token() {
        Some(Credential::GithubToken)
    } else if context.secret_name().is_some() || context.path.starts_with("steps.") {
        Some(Credential::Other(context.path.clone()))
    } else {
        None
    }
}

/// `git` options that take the next word as their value.
const GIT_VALUE_OPTIONS: &[&str] = &["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"];

/// `git push` options that take the next word as their value.
const PUSH_VALUE_OPTIONS: &[&str] = &["-o", "--push-option", "--repo", "--receive-pack", "--exec"];

/// The subcommand of a `git` command and the words after it, past git's own options:
/// `git -C dir -c user.name=bot push origin main` is `push` with `origin main`.
pub fn git_subcommand(command: &Command) -> Option<(&str, &[Word])> {
    if command.name() != Some("git") {
        return None;
    }
    let args = command.args();
    let mut index = 0;
    while let Some(word) = args.get(index) {
        if !word.text.starts_with('-') {
            return Some((word.text.as_str(), &args[index + 1..]));
        }
        index += if GIT_VALUE_OPTIONS.contains(&word.text.as_str()) { 2 } else { 1 };
    }
    None
}

/// A `git push`.
#[derive(Debug)]
pub struct Push<'a> {
    /// The remote, when named.
    pub remote: Option<&'a Word>,
    /// The refspecs after the remote; none pushes the current branch.
    pub refspecs: Vec<&'a Word>,
    /// `--tags`, `--delete`, `--mirror` or `--all`: what is pushed is not (only) the refspecs.
    pub special: Option<&'a str>,
}

impl Push<'_> {
    /// The branch names the push updates, from its refspecs: `main` for `main`, `HEAD:main`,
    /// `+refs/heads/main` or `HEAD:refs/heads/main`. Deletions (`:main`) update nothing.
    pub fn destinations(&self) -> impl Iterator<Item = (&Word, &str)> {
        self.refspecs.iter().filter_map(|word| {
            let spec = word.text.trim_start_matches('+');
            let destination = match spec.split_once(':') {
                Some(("", _)) => return None,
                Some((_, destination)) => destination,
                None => spec,
            };
            Some((*word, destination.strip_prefix("refs/heads/").unwrap_or(destination)))
        })
    }
}

/// The `git push` of a command, if it is one.
pub fn push(command: &Command) -> Option<Push<'_>> {
    let ("push", args) = git_subcommand(command)? else {
        return None;
    };
    let mut operands = Vec::new();
    let mut special = None;
    let mut index = 0;
    while let Some(word) = args.get(index) {
        let text = word.text.as_str();
        index += 1;
        if PUSH_VALUE_OPTIONS.contains(&text) {
            index += 1;
        } else if matches!(text, "--tags" | "--delete" | "-d" | "--mirror" | "--all") {
            special = Some(text);
        } else if !text.starts_with('-') {
            operands.push(word);
        }
    }
    let mut operands = operands.into_iter();
    Some(Push { remote: operands.next(), refspecs: operands.collect(), special })
}

/// The command group and verb of a `gh` command: `("pr", Some("merge"))` for
/// `gh pr merge 12 --auto`, skipping `-R owner/repo` wherever it is.
pub fn gh_subcommand(command: &Command) -> Option<(&str, Option<&str>)> {
    if command.name() != Some("gh") {
        return None;
    }
    let mut operands = Vec::with_capacity(2);
    let mut words = command.args().iter();
    while let Some(word) = words.next() {
        match word.text.as_str() {
            "-R" | "--repo" => {
                words.next();
            }
            text if text.starts_with('-') => {}
            text => {
                operands.push(text);
                if operands.len() == 2 {
                    break;
                }
            }
        }
    }
    let group = *operands.first()?;
    Some((group, operands.get(1).copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shell::lex;

    fn first(script: &str) -> Command {
        lex(script).commands.into_iter().next().unwrap()
    }

    #[test]
    fn git_options_before_the_subcommand_are_skipped() {
        let command = first("git -C repo -c user.name=bot --no-pager push origin main");
        let (name, rest) = git_subcommand(&command).unwrap();
        assert_eq!(name, "push");
        assert_eq!(rest.len(), 2);
        assert!(git_subcommand(&first("gitk push")).is_none());
    }

    #[test]
    fn push_destinations() {
        let destinations = |script: &str| -> Vec<String> {
            let command = first(script);
            push(&command).unwrap().destinations().map(|(_, branch)| branch.to_owned()).collect()
        };
        assert_eq!(destinations("git push origin HEAD:main +refs/heads/dev v1:refs/heads/x"), ["main", "dev", "x"]);
        assert_eq!(destinations("git push -o ci.skip --force origin :old"), Vec::<String>::new());
        let command = first("git push --tags");
        let tags = push(&command).unwrap();
        assert_eq!((tags.remote.is_none(), tags.special), (true, Some("--tags")));
        assert!(push(&first("git pull origin main")).is_none());
    }

    #[test]
    fn gh_group_and_verb() {
        assert_eq!(gh_subcommand(&first("gh -R o/r pr merge 1 --auto")), Some(("pr", Some("merge"))));
        assert_eq!(gh_subcommand(&first("gh api repos/o/r")), Some(("api", Some("repos/o/r"))));
        assert_eq!(gh_subcommand(&first("gh --version")), None);
    }
}
