//! Baselines: the findings a team accepts today, so that `check` fails only on new ones.
//!
//! `check --write-baseline FILE` records every finding by file, rule and fingerprint (see
//! [`crate::analysis::fingerprints`]: what the finding is about, not its line number);
//! `check --baseline FILE` then drops the findings it records, so findings stay hidden when
//! unrelated lines move and a new one shows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use ropey::Rope;

use crate::analysis::{Report, Reported, fingerprints};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Hash)]
struct Entry {
    /// The file, relative to the baseline's directory, with `/` separators.
    path: String,
    rule: String,
    fingerprint: String,
    /// For people reading the file; not compared.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    message: String,
}

/// The accepted findings, by (path, rule, fingerprint).
pub struct Baseline {
    directory: PathBuf,
    accepted: HashMap<(String, String, String), usize>,
}

impl Baseline {
    /// Reads a baseline file; its paths are relative to its directory.
    pub fn read(file: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(file).map_err(|error| format!("{}: {error}", file.display()))?;
        let parsed: BaselineFile = serde_json::from_str(&text)
            .map_err(|error| format!("{}: not a pipewarden baseline: {error}", file.display()))?;
        if parsed.version != VERSION {
            return Err(format!("{}: baseline version {} is not {VERSION}", file.display(), parsed.version));
        }
        let mut accepted = HashMap::new();
        for entry in parsed.findings {
            *accepted.entry((entry.path, entry.rule, entry.fingerprint)).or_default() += 1;
        }
        Ok(Self { directory: directory_of(file), accepted })
    }

    /// Drops the findings of the file at `path` (with text `rope`) that the baseline accepts;
    /// returns how many were dropped.
    pub fn filter(&self, path: &Path, rope: &Rope, report: &mut Report) -> usize {
        let accepted = self.accepted(path, rope, &report.findings);
        let mut index = 0;
        report.retain_findings(|_| {
            index += 1;
            !accepted[index - 1]
        })
    }

    /// For each finding of the file at `path` (with text `rope`), whether the baseline
    /// accepts it.
    pub fn accepted(&self, path: &Path, rope: &Rope, findings: &[Reported]) -> Vec<bool> {
        if self.accepted.is_empty() {
            return vec![false; findings.len()];
        }
        let path = relative(&self.directory, path);
        let prints = fingerprints(rope, findings);
        findings
            .iter()
            .zip(prints)
            .map(|(finding, print)| self.accepted.contains_key(&(path.clone(), finding.rule.id.to_owned(), print)))
            .collect()
    }
}

/// Writes the findings of each file (its path, text and findings) as a baseline to `file`;
/// returns how many.
pub fn write<'a>(
    file: &Path,
    files: impl IntoIterator<Item = (&'a Path, &'a Rope, &'a [Reported])>,
) -> Result<usize, String> {
    let directory = directory_of(file);
    let mut findings = Vec::new();
    for (checked_path, rope, reported) in files {
        let path = relative(&directory, checked_path);
        for (finding, fingerprint) in reported.iter().zip(fingerprints(rope, reported)) {
            findings.push(Entry {
                path: path.clone(),
                rule: finding.rule.id.to_owned(),
                fingerprint,
                message: finding.message.to_string(),
            });
        }
    }
    let count = findings.len();
    let mut text =
        serde_json::to_string_pretty(&BaselineFile { version: VERSION, findings }).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(file, text).map_err(|error| format!("{}: {error}", file.display()))?;
    Ok(count)
}

fn directory_of(file: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    absolute.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// `path` relative to `directory` when it lies inside it, with `/` separators.
fn relative(directory: &Path, path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = absolute.strip_prefix(directory).map(Path::to_path_buf).unwrap_or(absolute);
    shown.to_string_lossy().replace('\\', "/")
}
