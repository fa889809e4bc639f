//! What `check` adds from the workspace model: findings in the files the checked ones call
//! (or in checked files, from their callers), each repository the checked files are in read
//! once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ropey::Rope;

use super::output::Checked;
use crate::analysis::{Report, Reported};
use crate::rules::RuleOptions;
use crate::workspace::graph::Workspace;
use crate::workspace::root::Root;

/// Adds to `checked` what callers reach in checked files, and in the files checked callers
/// call (which are then shown though not named on the command line).
pub fn add_reached(checked: &mut Vec<Checked>, options: &RuleOptions) {
    let canonical: Vec<Option<PathBuf>> = checked.iter().map(|file| std::fs::canonicalize(&file.path).ok()).collect();
    let mut roots: Vec<Root> = checked.iter().filter_map(|file| Root::around(&file.path)).collect();
    roots.sort_by(|a, b| a.path().cmp(b.path()));
    roots.dedup();
    for root in roots {
        let workspace = Workspace::load(root);
        let position = |index: usize| {
            let path = &workspace.files[index].path;
            canonical.iter().position(|checked| checked.as_deref() == Some(path.as_path()))
        };
        let mut by_callee: HashMap<usize, Vec<Reported>> = HashMap::new();
        for (caller, callee, finding) in workspace.reached(options) {
            if position(callee).is_some() || position(caller).is_some() {
                by_callee.entry(callee).or_default().push(finding);
            }
        }
        let mut callees: Vec<(usize, Vec<Reported>)> = by_callee.into_iter().collect();
        callees.sort_by_key(|(callee, _)| *callee);
        for (callee, findings) in callees {
            match position(callee) {
                Some(at) => checked[at].report.add_reached(findings),
                None => {
                    let file = &workspace.files[callee];
                    let mut report = Report::default();
                    report.add_reached(findings);
                    checked.push(Checked {
                        path: shown(&file.path),
                        rope: Rope::from_str(&file.text),
                        report,
                        fixed: false,
                    });
                }
            }
        }
    }
}

/// A path as `check` shows it: from the current folder when it is inside.
fn shown(path: &Path) -> PathBuf {
    let current = std::env::current_dir().and_then(std::fs::canonicalize);
    current
        .ok()
        .and_then(|current| path.strip_prefix(current).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
