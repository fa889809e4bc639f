//! Snapshot comparison for the command-line tests: the output must equal
//! `tests/snapshots/NAME`; with `PIPEWARDEN_BLESS=1` it is written there instead, to review.

use std::path::Path;

pub fn matches_snapshot(name: &str, actual: &str) {
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var_os("PIPEWARDEN_BLESS").is_some() {
        std::fs::write(&snapshot, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    assert_eq!(expected, actual, "{} differs; rerun with PIPEWARDEN_BLESS=1 after reviewing", snapshot.display());
}
