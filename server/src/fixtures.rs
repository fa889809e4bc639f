//! The rule fixtures (`tests/fixtures/rules/<rule-id>/*.yml`), read for the unit tests of
//! layers that must not read files themselves (`tests/no_escape.rs`).

use std::path::{Path, PathBuf};

/// Every rule fixture, with its path and text, in the order of their paths.
pub fn rule_fixtures() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the rule fixtures are in the repository")
        .flat_map(|folder| std::fs::read_dir(folder.expect("a rule's folder").path()).expect("a rule's folder"))
        .map(|entry| entry.expect("a fixture").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a fixture is UTF-8");
            (path, text)
        })
        .collect()
}
