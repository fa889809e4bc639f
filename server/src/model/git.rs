//! `git` and `gh` command lines: which subcommand runs, and what a `git push` sends where.

use super::shell::{Command, Word};

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
                Some((source, _)) if source.is_empty() => return None,
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
