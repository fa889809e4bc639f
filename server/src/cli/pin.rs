//! `pipewarden pin [PATH]`: pins the `uses:` of a repository to commits.
//!
//! It finds the references `unpinned-action` reports under PATH, asks each action's
//! repository which commit the tag or branch names (`git ls-remote`, the peeled commit of an
//! annotated tag), records the answers in the lock file (`.github/pipewarden.lock`), and
//! then applies `unpinned-action`'s quick fix, which rewrites each `uses:` to the commit with
//! the ref in a comment. It is the one command that runs a program or goes online, and only
//! when a person runs it; `check` and the language server read the lock and stay offline.
//! References the lock already records are not asked again (delete an entry to refresh it);
//! nothing is pinned to a commit the remote did not give.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::check::{self, Options};
use super::discover::{Found, discover};
use super::fix::{FixMode, fix_text};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::analysis::analyze_text_with;
use crate::config::{Policy, RuleSettings};
use crate::model::github::{Uses, UsesTarget};
use crate::model::is_commit_sha;
use crate::model::kind::{self, FileKind};
use crate::pins::{LOCK_FILE, Pins};
use crate::workspace::{find_lock, load_lock};

/// Where repositories are fetched from unless `--git-base` or `PIPEWARDEN_GIT_BASE` says
/// otherwise: `owner/repo` is appended.
const GITHUB: &str = "https://github.com/";

/// The environment variable that replaces [`GITHUB`], e.g. for a mirror or for tests.
const GIT_BASE_VARIABLE: &str = "PIPEWARDEN_GIT_BASE";

/// The rules whose fixes `pin` applies.
const PIN_RULES: [&str; 2] = ["unpinned-action", "unpinned-image"];

struct PinOptions {
    path: PathBuf,
    git_base: String,
}

impl PinOptions {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut path = None;
        let mut git_base = std::env::var(GIT_BASE_VARIABLE).ok().filter(|base| !base.is_empty());
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--git-base" => git_base = Some(args.next().cloned().ok_or("--git-base needs a value")?),
                flag if flag.starts_with('-') => {
                    return Err(format!("pin takes only --git-base and a path, not `{flag}`"));
                }
                given if path.is_none() => path = Some(PathBuf::from(given)),
                _ => return Err("pin takes one path".to_owned()),
            }
        }
        let mut git_base = git_base.unwrap_or_else(|| GITHUB.to_owned());
        if !git_base.ends_with('/') {
            git_base.push('/');
        }
        Ok(Self { path: path.unwrap_or_else(|| PathBuf::from(".")), git_base })
    }
}

/// Runs `pin [--git-base URL] [PATH]`.
pub fn run(args: &[String], out: &mut impl Write) -> i32 {
    let options = match PinOptions::parse(args) {
        Ok(options) => options,
        Err(message) => return super::usage_error(&message),
    };
    match pin(&options, out) {
        Ok(0) => EXIT_CLEAN,
        Ok(_) => EXIT_FINDINGS,
        Err(message) => {
            eprintln!("pipewarden: {message}");
            EXIT_ERROR
        }
    }
}

/// Pins what can be pinned; returns how many references are left unpinned.
fn pin(options: &PinOptions, out: &mut impl Write) -> Result<usize, String> {
    let lock_path = find_lock(&options.path, None).unwrap_or_else(|| repository_root(&options.path).join(LOCK_FILE));
    let mut pins = if lock_path.is_file() {
        load_lock(&lock_path).map_err(|error| {
            format!("{}:{}: {}; fix or delete it first", lock_path.display(), error.line, error.message)
        })?
    } else {
        Pins::default()
    };
    let check_options = Options { paths: vec![options.path.clone()], ..Options::default() };
    let mut settings = check::project_settings(&check_options);
    settings.rules = RuleSettings { enabled: PIN_RULES.map(str::to_owned).to_vec(), ..RuleSettings::default() };
    let files = pipeline_files(&options.path)?;

    // The references to resolve: what `unpinned-action` reports, by repository.
    let (policy, _) = Policy::from_settings(&settings);
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, kind, text) in &files {
        let report = analyze_text_with(*kind, text, policy.rule_options());
        for finding in report.findings.iter().filter(|finding| finding.rule.id == "unpinned-action") {
            let written = text.get(finding.range.clone()).unwrap_or_default().trim_matches(['"', '\'']);
            match repository_ref(written) {
                Some((repository, git_ref)) if pins.action(&repository, &git_ref).is_none() => {
                    let refs = wanted.entry(repository.to_ascii_lowercase()).or_default();
                    if !refs.contains(&git_ref) {
                        refs.push(git_ref);
                    }
                }
                Some(_) => {}
                None => eprintln!("pipewarden: {}: `{written}` names no ref to pin; not pinned", path.display()),
            }
        }
    }

    let mut unresolved = 0;
    let mut resolved = 0;
    for (repository, refs) in &wanted {
        match ls_remote(&options.git_base, repository, refs) {
            Ok(commits) => {
                for git_ref in refs {
                    match commits.get(git_ref) {
                        Some(sha) => {
                            pins.insert_action(repository, git_ref, sha);
                            resolved += 1;
                            let _ = writeln!(out, "{repository}@{git_ref} is {sha}");
                        }
                        None => {
                            unresolved += 1;
                            eprintln!("pipewarden: {repository}@{git_ref}: no such tag or branch; not pinned");
                        }
                    }
                }
            }
            Err(message) => {
                unresolved += refs.len();
                eprintln!("pipewarden: {repository}: {message}; not pinned");
            }
        }
    }
    if resolved > 0 {
        write_lock(&lock_path, &pins)?;
        let _ = writeln!(out, "wrote {}", lock_path.display());
    }

    // Rewrite the files with the rules' own fixes, now that the lock knows the commits.
    settings.pins = Arc::new(pins);
    let (policy, _) = Policy::from_settings(&settings);
    for (path, kind, text) in &files {
        let (fixed, applied) = fix_text(*kind, text, &policy, FixMode::Safe);
        if fixed != *text {
            std::fs::write(path, &fixed).map_err(|error| format!("{}: {error}", path.display()))?;
            let _ = writeln!(out, "pinned {} references in {}", applied.len(), path.display());
        }
    }
    Ok(unresolved)
}

/// The GitHub workflows and action metadata under `root`, with their text.
fn pipeline_files(root: &Path) -> Result<Vec<(PathBuf, FileKind, String)>, String> {
    let mut files = Vec::new();
    for found in discover(root) {
        let path = match found {
            Found::File(path) => path,
            Found::Error(path, error) => return Err(format!("{}: {error}", path.display())),
        };
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if let Some(kind @ (FileKind::GithubWorkflow | FileKind::GithubAction)) =
            kind::detect(&path.to_string_lossy(), &text)
        {
            files.push((path, kind, text));
        }
    }
    Ok(files)
}

/// The `owner/repo` and ref of a `uses:` value, when both are there and the names are
/// ones GitHub allows (they are put in a URL).
fn repository_ref(written: &str) -> Option<(String, String)> {
    let uses = Uses::parse(written, crate::syntax::span::Span::document(0..0));
    let UsesTarget::Repository { owner, repo, git_ref: Some(git_ref), .. } = &uses.target else {
        return None;
    };
    let name_like =
        |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let safe_ref = !git_ref.is_empty() && !git_ref.starts_with('-') && !git_ref.contains(char::is_whitespace);
    (name_like(owner) && name_like(repo) && safe_ref).then(|| (format!("{owner}/{repo}"), git_ref.clone()))
}

/// The commit each of `refs` names in `repository`, asked with `git ls-remote`: the
/// commit an annotated tag points to (its peeled `^{}` line), else the tag's, else the
/// branch's.
fn ls_remote(base: &str, repository: &str, refs: &[String]) -> Result<BTreeMap<String, String>, String> {
    let url = format!("{base}{repository}");
    let mut command = Command::new("git");
    command.arg("ls-remote").arg(&url);
    for git_ref in refs {
        command.arg(format!("refs/tags/{git_ref}")).arg(format!("refs/tags/{git_ref}^{{}}"));
        command.arg(format!("refs/heads/{git_ref}"));
    }
    // Never wait for a password: a missing or private repository is an error, not a prompt.
    command.env("GIT_TERMINAL_PROMPT", "0").stdin(Stdio::null());
    let output = command.output().map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("no reason given");
        return Err(format!("`git ls-remote {url}` failed: {reason}"));
    }
    Ok(commits(&String::from_utf8_lossy(&output.stdout), refs))
}

/// Reads `git ls-remote` output (`<sha>\t<ref>` lines) into the commit of each ref.
fn commits(listing: &str, refs: &[String]) -> BTreeMap<String, String> {
    let mut by_ref: BTreeMap<&str, &str> = BTreeMap::new();
    for line in listing.lines() {
        if let Some((sha, name)) = line.split_once('\t')
            && is_commit_sha(sha)
        {
            by_ref.insert(name.trim(), sha);
        }
    }
    refs.iter()
        .filter_map(|git_ref| {
            let candidates =
                [format!("refs/tags/{git_ref}^{{}}"), format!("refs/tags/{git_ref}"), format!("refs/heads/{git_ref}")];
            let sha = candidates.iter().find_map(|name| by_ref.get(name.as_str()))?;
            Some((git_ref.clone(), sha.to_ascii_lowercase()))
        })
        .collect()
}

/// The repository's root for `path`: the nearest folder at or above it holding `.git` or
/// `.github`, else `path` itself (its folder, for a file).
fn repository_root(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if absolute.is_dir() {
        absolute.clone()
    } else {
        absolute.parent().map_or(absolute.clone(), Path::to_path_buf)
    };
    start
        .ancestors()
        .find(|folder| folder.join(".git").exists() || folder.join(".github").is_dir())
        .map_or(start.clone(), Path::to_path_buf)
}

fn write_lock(path: &Path, pins: &Pins) -> Result<(), String> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|error| format!("{}: {error}", folder.display()))?;
    }
    std::fs::write(path, pins.render()).map_err(|error| format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotated_tags_resolve_to_their_commit_and_tags_win_over_branches() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c = "c".repeat(40);
        let listing = format!("{a}\trefs/tags/v1\n{b}\trefs/tags/v1^{{}}\n{c}\trefs/heads/v1\n{c}\trefs/heads/main\n");
        let refs = ["v1".to_owned(), "main".to_owned(), "v9".to_owned()];
        let found = commits(&listing, &refs);
        assert_eq!(found.get("v1"), Some(&b), "the peeled commit of an annotated tag");
        assert_eq!(found.get("main"), Some(&c));
        assert_eq!(found.get("v9"), None);
    }

    #[test]
    fn only_plain_names_reach_the_url() {
        assert_eq!(repository_ref("actions/checkout@v4"), Some(("actions/checkout".to_owned(), "v4".to_owned())));
        assert_eq!(
            repository_ref("org/repo/.github/workflows/x.yml@main"),
            Some(("org/repo".to_owned(), "main".to_owned()))
        );
        assert_eq!(repository_ref("org/repo"), None);
        assert_eq!(repository_ref("org/re po@v1"), None);
        assert_eq!(repository_ref("org/repo@--upload-pack=x"), None);
    }
}
