//! Finding pipeline files under the paths given to `check`.
//!
//! Symbolic links are never followed inside a tree, so a link cannot lead the walk out of
//! the tree it was asked to check, and link loops cannot make it spin. Paths named on the
//! command line are taken as given.

use std::fs;
use std::path::{Path, PathBuf};

/// Directories never descended into.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

/// A file to analyse, or a problem met while looking.
pub enum Found {
    File(PathBuf),
    Error(PathBuf, String),
}

/// Every YAML file under `root` (or `root` itself), in a stable order.
pub fn discover(root: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    match fs::metadata(root) {
        Ok(metadata) if metadata.is_file() => found.push(Found::File(root.to_path_buf())),
        Ok(metadata) if metadata.is_dir() => walk(root, &mut found),
        Ok(_) => {}
        Err(error) => found.push(Found::Error(root.to_path_buf(), error.to_string())),
    }
    found
}

fn walk(root: &Path, found: &mut Vec<Found>) {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) => {
                found.push(Found::Error(dir, error.to_string()));
                continue;
            }
        };
        let mut children: Vec<(PathBuf, fs::FileType)> =
            entries.filter_map(Result::ok).filter_map(|entry| Some((entry.path(), entry.file_type().ok()?))).collect();
        children.sort_by(|a, b| b.0.cmp(&a.0));
        for (path, file_type) in children {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if file_type.is_symlink() {
                continue;
            }
            if file_type.is_dir() {
                if !SKIPPED_DIRS.contains(&name) {
                    pending.push(path);
                }
            } else if file_type.is_file() && crate::model::kind::is_yaml_path(name) {
                found.push(Found::File(path));
            }
        }
    }
    found.sort_by(|a, b| found_path(a).cmp(found_path(b)));
}

fn found_path(found: &Found) -> &Path {
    match found {
        Found::File(path) | Found::Error(path, _) => path,
    }
}
