//! What `check` adds from the workspace model: findings in the files the checked ones call
//! (or in checked files, from their callers), each repository the checked files are in read
//! once, the repositories on every core.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;

use super::output::Checked;
use super::parallel;
use crate::analysis::{CalleeAnalyses, Report, Reported};
use crate::rules::RuleOptions;
use crate::workspace::graph::{KnownLinks, Workspace};
use crate::workspace::root::Root;

/// Adds to `checked` what callers reach in checked files, and in the files checked callers
/// call (which are then shown though not named on the command line).
pub fn add_reached(checked: &mut Vec<Checked>, options: &RuleOptions) {
    // A file named twice (or through a link) is found at the first place it was checked.
    let mut canonical: HashMap<PathBuf, usize> = HashMap::new();
    for (index, file) in checked.iter().enumerate() {
        if let Ok(path) = std::fs::canonicalize(&file.path) {
            canonical.entry(path).or_insert(index);
        }
    }
    let mut roots: Vec<Root> = checked.iter().filter_map(|file| Root::around(&file.path)).collect();
    roots.sort_by(|a, b| a.path().cmp(b.path()));
    roots.dedup();
    let position = |path: &Path| canonical.get(path).copied();
    let found = {
        let checked = &*checked;
        // A checked file's links are in its report, when the disk still holds the text it was
        // analysed from (`--diff` leaves fixed files unwritten).
        let known = |path: &Path, text: &str| {
            let file = &checked[position(path)?];
            (file.rope == text).then(|| file.report.links())
        };
        // And its analysis alone, when it was made with these options.
        let alone = |path: &Path, text: &str| {
            let file = &checked[position(path)?];
            (file.rope == text && *file.options == *options).then(|| Arc::new(file.report.clone()))
        };
        let seen = Seen { known: &known, alone: &alone, position: &position };
        parallel::map_in_order(&roots, |root| reached_in_repository(root.clone(), &seen, options))
    };
    for (callee, findings) in found.into_iter().flatten() {
        match callee {
            Callee::Checked(at) => checked[at].report.add_reached(findings),
            Callee::Unchecked { path, text } => {
                let mut report = Report::default();
                report.add_reached(findings);
                let (rope, options) = (Rope::from_str(&text), Arc::new(options.clone()));
                checked.push(Checked { path: shown(&path), rope, report, fixed: false, options });
            }
        }
    }
}

/// A file of a repository in which callers reach findings.
enum Callee {
    /// A checked file, by its index.
    Checked(usize),
    /// A file a checked caller calls.
    Unchecked { path: PathBuf, text: String },
}

/// What the cross-file pass takes from the checked files, by canonical path and text.
struct Seen<'a> {
    known: &'a KnownLinks<'a>,
    alone: &'a (dyn Fn(&Path, &str) -> Option<Arc<Report>> + Sync),
    /// The index of a checked file.
    position: &'a (dyn Fn(&Path) -> Option<usize> + Sync),
}

/// What callers reach in the repository at `root`, in callees that are checked or that a
/// checked file calls.
fn reached_in_repository(root: Root, seen: &Seen<'_>, options: &RuleOptions) -> Vec<(Callee, Vec<Reported>)> {
    let position = seen.position;
    let workspace = Workspace::load_with(root, seen.known);
    // Every callee's analysis as called is compared with its analysis alone.
    let mut analyses = CalleeAnalyses::default();
    for file in workspace.called_files() {
        if let Some(report) = (seen.alone)(&file.path, &file.text) {
            analyses.seed(file.called(), options.clone(), report);
        }
    }
    let mut by_callee: HashMap<usize, Vec<Reported>> = HashMap::new();
    for (caller, callee, finding) in workspace.reached(options, &mut analyses) {
        let is_checked = |index: usize| position(&workspace.files[index].path).is_some();
        if is_checked(callee) || is_checked(caller) {
            by_callee.entry(callee).or_default().push(finding);
        }
    }
    let mut callees: Vec<(usize, Vec<Reported>)> = by_callee.into_iter().collect();
    callees.sort_by_key(|(callee, _)| *callee);
    callees
        .into_iter()
        .map(|(index, findings)| {
            let file = &workspace.files[index];
            let callee = match position(&file.path) {
                Some(at) => Callee::Checked(at),
                None => Callee::Unchecked { path: file.path.clone(), text: file.text.clone() },
            };
            (callee, findings)
        })
        .collect()
}

/// A path as `check` shows it: from the current folder when it is inside.
fn shown(path: &Path) -> PathBuf {
    let current = std::env::current_dir().and_then(std::fs::canonicalize);
    current
        .ok()
        .and_then(|current| path.strip_prefix(current).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
