//! `actions/upload-artifact` steps: which paths they publish, whether hidden files (`.git`,
//! `.env`, `.npmrc`) go with them (by version, the bundled `data/artifact-uploads.toml`), and
//! which paths hold credentials ([`credentials`]).

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

use super::credentials::{CredentialFile, credential_file};
use super::github::Step;
use super::{Text, is_commit_sha};
use crate::{bundled, data};

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Facts {
    hidden_files_versions: Vec<String>,
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

/// What an upload path publishes that may hold credentials: the workspace, or a credential
/// file or directory named by the path or by one of its leading parts (`.git/config` is in
/// `.git`).
pub fn exposure(path: &str) -> Option<Exposure> {
    let segments = segments(path);
    if segments.is_empty() || segments.iter().all(|segment| matches!(*segment, "*" | "**")) {
        return Some(Exposure::Workspace);
    }
    let hidden = segments.iter().any(|segment| segment.starts_with('.'));
    (1..=segments.len())
        .find_map(|end| credential_file(&segments[..end].join("/")))
        .map(|file| Exposure::File { file, hidden })
}

/// Whether a credential file is the repository's `.git` directory, where `actions/checkout`
/// writes its token.
pub fn is_git_directory(file: &CredentialFile) -> bool {
    file.pattern == ".git/"
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
        assert_eq!(what(".git").as_deref(), Some(".git/ true"));
        assert_eq!(what("./.git/config").as_deref(), Some(".git/ true"));
        assert_eq!(what("~/.aws/credentials").as_deref(), Some(".aws/ true"));
        assert_eq!(what("certs/server.pem").as_deref(), Some("*.pem false"));
        assert_eq!(what("build/.env.production").as_deref(), Some(".env.production true"));
        assert_eq!(what("docs/keys.md"), None);
    }
}
