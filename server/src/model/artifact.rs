//! `actions/upload-artifact` steps: which paths they publish, whether hidden files (`.git`,
//! `.env`, `.npmrc`) go with them, and which paths hold credentials (the bundled
//! `data/artifact-uploads.toml`).

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

use super::github::Step;
use super::{Text, is_commit_sha};
use crate::{bundled, data};

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Facts {
    hidden_files_versions: Vec<String>,
    file: Vec<CredentialFile>,
}

/// A file or directory that holds credentials.
#[derive(Deserialize)]
pub struct CredentialFile {
    pattern: String,
    /// What it is, for messages.
    pub what: String,
}

impl CredentialFile {
    /// Whether this is the repository's `.git` directory, where `actions/checkout` writes its token.
    pub fn is_git_directory(&self) -> bool {
        self.pattern == ".git"
    }
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("artifact-uploads.toml")));

/// Whether an upload takes hidden files (names starting with `.`) along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// `include-hidden-files: true`, or a version before v4.4.0.
    Included,
    /// The default since v4.4.0, even for hidden files named explicitly.
    Excluded,
    /// Pinned to a commit the data does not know.
    Unknown,
}

/// An `actions/upload-artifact` step.
pub struct Upload<'a> {
    pub step: &'a Step,
    /// The `path:` value: one path or pattern per line.
    pub path: &'a Text,
    pub hidden: Hidden,
}

/// What an upload path publishes that may hold credentials.
pub enum Exposure {
    /// The whole workspace.
    Workspace,
    /// A file or directory of credentials; `hidden` when a component of its path starts with `.`.
    File { file: &'static CredentialFile, hidden: bool },
}

/// The upload of a step, when it uses `actions/upload-artifact` with a `path:`.
pub fn upload(step: &Step) -> Option<Upload<'_>> {
    if !step.uses_action("actions/upload-artifact") {
        return None;
    }
    let path = step.input_text("path")?;
    let requested = step.input_text("include-hidden-files").is_some_and(|value| value.value.trim() == "true");
    let git_ref = step.uses.as_ref().and_then(|uses| uses.git_ref()).unwrap_or_default();
    let hidden = if requested || FACTS.hidden_files_versions.iter().any(|version| version.eq_ignore_ascii_case(git_ref))
    {
        Hidden::Included
    } else if is_commit_sha(git_ref) {
        Hidden::Unknown
    } else {
        Hidden::Excluded
    };
    Some(Upload { step, path, hidden })
}

impl Upload<'_> {
    /// Each path the upload includes (one per line; `!` exclusions are skipped), with its
    /// byte range in the value.
    pub fn paths(&self) -> impl Iterator<Item = (Range<usize>, &str)> {
        let value = self.path.value.as_str();
        value
            .split('\n')
            .scan(0, move |offset, line| {
                let start = *offset;
                *offset += line.len() + 1;
                let trimmed = line.trim();
                let at = start + line.find(trimmed).unwrap_or(0);
                Some((at..at + trimmed.len(), trimmed))
            })
            .filter(|(_, path)| !path.is_empty() && !path.starts_with('!') && !path.starts_with('#'))
    }
}

/// What a path of an upload publishes that may hold credentials.
pub fn exposure(path: &str) -> Option<Exposure> {
    let segments = segments(path);
    if segments.is_empty() || segments.iter().all(|segment| matches!(*segment, "*" | "**")) {
        return Some(Exposure::Workspace);
    }
    let hidden = segments.iter().any(|segment| segment.starts_with('.'));
    FACTS.file.iter().find(|file| matches_file(&file.pattern, &segments)).map(|file| Exposure::File { file, hidden })
}

/// The components of a path relative to the workspace (or home directory), without `./`
/// and trailing `/`, `/*` or `/**`.
fn segments(path: &str) -> Vec<&str> {
    let path = path.trim().trim_matches(['"', '\'']);
    let relative =
        ["${{ github.workspace }}", "${{github.workspace}}", "$GITHUB_WORKSPACE", "${GITHUB_WORKSPACE}", "~", "$HOME"]
            .iter()
            .find_map(|prefix| path.strip_prefix(prefix))
            .unwrap_or(path);
    let mut segments: Vec<&str> =
        relative.split('/').filter(|segment| !segment.is_empty() && *segment != ".").collect();
    while segments.last().is_some_and(|last| matches!(*last, "*" | "**")) && segments.len() > 1 {
        segments.pop();
    }
    segments
}

/// Whether the credential pattern matches some run of consecutive segments of the path.
fn matches_file(pattern: &str, segments: &[&str]) -> bool {
    let wanted: Vec<&str> = pattern.split('/').collect();
    segments
        .windows(wanted.len())
        .any(|window| window.iter().zip(&wanted).all(|(segment, glob)| glob_matches(glob, segment)))
}

/// `*` matches any run of characters within a segment.
fn glob_matches(glob: &str, text: &str) -> bool {
    match glob.split_once('*') {
        None => glob == text,
        Some((prefix, rest)) => {
            let Some(tail) = text.strip_prefix(prefix) else { return false };
            (0..=tail.len()).filter(|at| tail.is_char_boundary(*at)).any(|at| glob_matches(rest, &tail[at..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(path: &str) -> Option<String> {
        exposure(path).map(|exposure| match exposure {
            Exposure::Workspace => "workspace".to_owned(),
            Exposure::File { file, hidden } => format!("{} {hidden}", file.pattern),
        })
    }

    #[test]
    fn workspace_roots() {
        for root in [".", "./", "*", "**", "${{ github.workspace }}", "${{ github.workspace }}/", "./**"] {
            assert_eq!(what(root).as_deref(), Some("workspace"), "{root}");
        }
        assert_eq!(what("dist/"), None);
        assert_eq!(what("target/release/tool"), None);
    }

    #[test]
    fn credential_files_and_hidden_components() {
        assert_eq!(what(".git").as_deref(), Some(".git true"));
        assert_eq!(what("./.git/config").as_deref(), Some(".git true"));
        assert_eq!(what("~/.aws/credentials").as_deref(), Some(".aws true"));
        assert_eq!(what("certs/server.pem").as_deref(), Some("*.pem false"));
        assert_eq!(what("gha-creds-1234.json").as_deref(), Some("gha-creds-*.json false"));
        assert_eq!(what("build/.env.production").as_deref(), Some(".env.* true"));
        assert_eq!(what("docs/keys.md"), None);
        assert!(glob_matches("a*b*c", "axxbyyc") && !glob_matches("*.key", "keys"));
    }
}
