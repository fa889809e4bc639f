//! Half-typed and broken files: syntax errors point at the broken spot, and the intact parts
//! keep their findings. Each file under `tests/fixtures/broken/` is a workflow whose syntax
//! errors and findings are compared with `<file>.snap` (`PIPEWARDEN_BLESS=1` rewrites them).

use std::fmt::Write;
use std::path::Path;

use pipewarden::analysis::analyze_text;
use pipewarden::model::kind::FileKind;
use pipewarden::text::{Encoding, position_of};
use ropey::Rope;

#[test]
fn broken_files_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/broken");
    let bless = std::env::var_os("PIPEWARDEN_BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let mut failures = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let report = analyze_text(FileKind::GithubWorkflow, &text);
        assert!(!report.syntax_errors.is_empty(), "{}: a broken fixture must have a syntax error", path.display());
        let rope = Rope::from_str(&text);
        let at = |offset| {
            let position = position_of(&rope, offset, Encoding::Utf32);
            format!("{}:{}", position.line + 1, position.column + 1)
        };
        let mut snapshot = String::new();
        for error in &report.syntax_errors {
            let _ = writeln!(snapshot, "{} syntax error: {}", at(error.range.start), error.message);
        }
        for finding in &report.findings {
            let _ =
                writeln!(snapshot, "{} {}: {}", at(finding.range.start), finding.rule.id, &text[finding.range.clone()]);
        }
        let snap_path = path.with_extension("yml.snap");
        if bless {
            std::fs::write(&snap_path, &snapshot).unwrap();
        } else if std::fs::read_to_string(&snap_path).ok().as_deref() != Some(snapshot.as_str()) {
            failures.push(format!("{}:\n{snapshot}", snap_path.display()));
        }
    }
    assert!(failures.is_empty(), "snapshots differ (actual output below):\n{}", failures.join("\n"));
}
