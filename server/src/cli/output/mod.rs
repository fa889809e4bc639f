//! What `check` prints: text for people, JSON for scripts, SARIF for code scanning, GitHub
//! workflow annotations and GitLab Code Quality reports for CI.

mod github;
mod gitlab;
pub mod json;
mod sarif;
pub mod text;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;

use crate::analysis::{ParsedCallee, Report, WorkflowRead};
use crate::model::kind::FileKind;
use crate::rules::RuleOptions;

/// An analysed file.
pub struct Checked {
    pub path: PathBuf,
    /// Its path with every link resolved, read by the worker that checked it (`None` when
    /// that failed): the cross-file pass finds files by it.
    pub canonical: Option<PathBuf>,
    pub kind: FileKind,
    pub rope: Rope,
    pub report: Report,
    /// Whether fixes changed (or, with `--diff`, would change) the file.
    pub fixed: bool,
    /// The options it was analysed with: with the project's, its report is also its analysis
    /// alone for the cross-file pass.
    pub options: Arc<RuleOptions>,
    /// Its workflow model, kept for the cross-file pass when that pass reads it.
    pub model: Option<Arc<WorkflowRead>>,
    /// Its text parsed, kept for the cross-file pass when other files may call it.
    pub parsed: Option<ParsedCallee>,
}

/// An output format of `check`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
    Sarif,
    /// GitHub Actions workflow commands, which become annotations on the run and pull request.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "github" => Some(Format::Github),
            "gitlab" => Some(Format::Gitlab),
            _ => None,
        }
    }
}

/// Prints the findings of `checked` in `format`.
pub fn print(format: Format, checked: &[Checked], out: &mut impl Write) -> std::io::Result<()> {
    match format {
        Format::Text => text::print(checked, out),
        Format::Json => json::print(checked, out),
        Format::Sarif => sarif::print(checked, out),
        Format::Github => github::print(checked, out),
        Format::Gitlab => gitlab::print(checked, out),
    }
}
