//! The lock file, `.github/pipewarden.lock`: the commit each `owner/repo@ref` of the
//! repository's `uses:` resolved to, and the digest of each container image tag, as
//! `pipewarden pin` (or a person) recorded them.
//!
//! The lock is data: `workspace` reads the file, `check` and the language server hand it to
//! the rules in [`crate::rules::RuleOptions`], and `unpinned-action` and `unpinned-image`
//! offer to pin a reference to what it records. Nothing but `pipewarden pin`, run by a
//! person, ever asks the network; a reference the lock does not know is never pinned.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Deserialize;

use crate::config::ConfigError;
use crate::model::is_commit_sha;

/// Where the lock is kept, relative to the repository's root: beside the workflows.
pub const LOCK_FILE: &str = ".github/pipewarden.lock";

const VERSION: u32 = 1;

/// What the lock records. Action keys are `owner/repo@ref` with the owner and repository in
/// lowercase (GitHub ignores their case; refs are case-sensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    actions: BTreeMap<String, String>,
    images: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    version: u32,
    #[serde(default)]
    actions: BTreeMap<String, String>,
    #[serde(default)]
    images: BTreeMap<String, String>,
}

impl Pins {
    /// Parses the text of a lock file. Every entry is checked: a commit is 40 hexadecimal
    /// digits, a digest `sha256:` and 64; a lock with anything else is refused whole, so
    /// that a typo never becomes a pin.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let file: LockFile = toml::from_str(text).map_err(|error| {
            let line = error.span().map_or(1, |span| line_at(text, span.start));
            ConfigError { line, message: error.message().trim().to_owned() }
        })?;
        if file.version != VERSION {
            return Err(ConfigError { line: 1, message: format!("lock version {} is not {VERSION}", file.version) });
        }
        let invalid = |key: &str, message: String| ConfigError { line: key_line(text, key), message };
        let mut pins = Pins::default();
        for (key, sha) in file.actions {
            let Some((repository, git_ref)) = split_action(&key) else {
                return Err(invalid(&key, format!("`{key}` is not `owner/repo@ref`")));
            };
            if !is_commit_sha(&sha) {
                return Err(invalid(&key, format!("`{sha}` for `{key}` is not a full commit SHA")));
            }
            pins.actions.insert(action_key(repository, git_ref), sha.to_ascii_lowercase());
        }
        for (image, digest) in file.images {
            if image.is_empty() || image.contains('@') || image.contains(char::is_whitespace) {
                return Err(invalid(&image, format!("`{image}` is not an image reference with a tag")));
            }
            if !is_digest(&digest) {
                return Err(invalid(&image, format!("`{digest}` for `{image}` is not a `sha256:` digest")));
            }
            pins.images.insert(image, digest.to_ascii_lowercase());
        }
        Ok(pins)
    }

    /// The lock file's text, entries sorted, with a header saying what it is.
    pub fn render(&self) -> String {
        let mut text = String::from(
            "# pipewarden.lock: the commit each tag or branch of this repository's `uses:` resolved to,\n\
             # and the digest of each container image tag. `pipewarden pin` writes it; review changes\n\
             # to it like code. `pipewarden check` and the language server read it to offer pins, and\n\
             # never go online themselves.\n",
        );
        let _ = writeln!(text, "version = {VERSION}");
        for (table, entries) in [("actions", &self.actions), ("images", &self.images)] {
            if entries.is_empty() {
                continue;
            }
            let _ = writeln!(text, "\n[{table}]");
            for (key, value) in entries {
                let _ = writeln!(text, "{} = \"{value}\"", quoted(key));
            }
        }
        text
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty() && self.images.is_empty()
    }

    /// The commit `owner/repo@git_ref` resolved to.
    pub fn action(&self, repository: &str, git_ref: &str) -> Option<&str> {
        self.actions.get(&action_key(repository, git_ref)).map(String::as_str)
    }

    /// The ref of `repository` the lock says `sha` is, the most precise first (`v4.2.2`
    /// before `v4`), for reading a pinned commit as a version.
    pub fn ref_of(&self, repository: &str, sha: &str) -> Option<&str> {
        // Most projects lock nothing: no key is made for them.
        if self.actions.is_empty() {
            return None;
        }
        let prefix = format!("{}@", repository.to_ascii_lowercase());
        self.actions
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(_, pinned)| pinned.eq_ignore_ascii_case(sha))
            .map(|(key, _)| &key[prefix.len()..])
            .max_by_key(|git_ref| (git_ref.matches('.').count(), git_ref.len()))
    }

    /// Records that `owner/repo@git_ref` is the commit `sha`.
    pub fn insert_action(&mut self, repository: &str, git_ref: &str, sha: &str) {
        self.actions.insert(action_key(repository, git_ref), sha.to_ascii_lowercase());
    }

    /// The digest the image `reference` (`name:tag`) resolved to.
    pub fn image(&self, reference: &str) -> Option<&str> {
        self.images.get(reference).map(String::as_str)
    }
}

fn action_key(repository: &str, git_ref: &str) -> String {
    format!("{}@{git_ref}", repository.to_ascii_lowercase())
}

/// `owner/repo` and the ref of an `owner/repo@ref` key.
fn split_action(key: &str) -> Option<(&str, &str)> {
    let (repository, git_ref) = key.split_once('@')?;
    let (owner, repo) = repository.split_once('/')?;
    let valid = !owner.is_empty() && !repo.is_empty() && !repo.contains('/') && !git_ref.is_empty();
    valid.then_some((repository, git_ref))
}

/// Whether `digest` is `sha256:` and 64 hexadecimal digits.
pub fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A TOML key in quotes.
fn quoted(key: &str) -> String {
    format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line a key is written on, for errors found after parsing.
fn key_line(text: &str, key: &str) -> usize {
    text.find(key).map_or(1, |offset| line_at(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "11bd71901bbe5b1630ceea73d27597364c9af683";

    #[test]
    fn locks_round_trip_and_look_up_without_case() {
        let digest = format!("sha256:{}", "a".repeat(64));
        let text = format!(
            "version = 1\n[actions]\n\"Actions/Checkout@v4\" = \"{SHA}\"\n\"actions/checkout@v4.2.2\" = \"{}\"\n[images]\n\"node:20\" = \"{digest}\"\n",
            SHA.to_ascii_uppercase()
        );
        let pins = Pins::parse(&text).unwrap();
        assert_eq!(pins.action("actions/checkout", "v4"), Some(SHA));
        assert_eq!(pins.action("ACTIONS/checkout", "v4"), Some(SHA));
        assert_eq!(pins.action("actions/checkout", "V4"), None, "refs keep their case");
        assert_eq!(pins.ref_of("actions/checkout", SHA), Some("v4.2.2"), "the most precise ref");
        assert_eq!(pins.image("node:20"), Some(digest.as_str()));
        assert_eq!(Pins::parse(&pins.render()).unwrap(), pins);
    }

    #[test]
    fn invalid_entries_refuse_the_whole_lock() {
        let error = Pins::parse("version = 1\n[actions]\n\"a/b@v1\" = \"1234\"\n").unwrap_err();
        assert_eq!(error.line, 3, "{error:?}");
        assert!(Pins::parse("version = 1\n[actions]\n\"a@v1\" = \"x\"\n").is_err());
        assert!(Pins::parse("version = 1\n[images]\n\"node:20\" = \"sha256:abc\"\n").is_err());
        assert!(Pins::parse("version = 2\n").is_err());
        assert!(Pins::parse("version = 1\n[other]\n").is_err());
    }
}
