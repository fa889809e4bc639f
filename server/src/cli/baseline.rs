//! Baselines: the findings a team accepts today, so that `check` fails only on new ones.
//!
//! `check --write-baseline FILE` records every finding by file, rule and fingerprint (see
//! [`crate::analysis::fingerprints`]: what the finding is about, not its line number);
//! `check --baseline FILE` then drops the findings it records, so findings stay hidden when
//! unrelated lines move and a new one shows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::output::Checked;
use crate::analysis::fingerprints;

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

    /// Drops the findings the baseline accepts; returns how many were dropped.
    pub fn filter(&self, checked: &mut [Checked]) -> usize {
        let mut dropped = 0;
        for file in checked {
            let path = relative(&self.directory, &file.path);
            let prints = fingerprints(&file.rope, &file.report.findings);
            let mut index = 0;
            file.report.findings.retain(|finding| {
                let key = (path.clone(), finding.rule.id.to_owned(), prints[index].clone());
                index += 1;
                let accepted = self.accepted.contains_key(&key);
                dropped += usize::from(accepted);
                !accepted
            });
        }
        dropped
    }
}

/// Writes every finding of `checked` as a baseline to `file`; returns how many.
pub fn write(file: &Path, checked: &[Checked]) -> Result<usize, String> {
    let directory = directory_of(file);
    let mut findings = Vec::new();
    for checked in checked {
        let path = relative(&directory, &checked.path);
        for (finding, fingerprint) in
            checked.report.findings.iter().zip(fingerprints(&checked.rope, &checked.report.findings))
        {
            findings.push(Entry {
                path: path.clone(),
                rule: finding.rule.id.to_owned(),
                fingerprint,
                message: finding.message.clone(),
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
