//! Inputs that once crashed, hung or blew up (found by fuzzing or by the hostile-input
//! tests), kept under `tests/fixtures/regressions/` and replayed: each is analysed as every
//! kind of file, whole and with an edit at every hundredth offset, within a watchdog.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use pipewarden::analysis::{Analyzer, Report, analyze_text};
use pipewarden::model::kind::FileKind;
use pipewarden::syntax::Source;

const KINDS: [FileKind; 3] = [FileKind::GithubWorkflow, FileKind::GithubAction, FileKind::GitlabCi];

#[test]
fn every_regression_fixture_is_analysed_soundly() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let name = path.display().to_string();
        let (done, result) = mpsc::channel();
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                replay(&text);
                let _ = done.send(());
            })
            .unwrap();
        match result.recv_timeout(Duration::from_secs(120)) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result after 120 s"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: panicked"),
        }
    }
}

fn replay(text: &str) {
    for kind in KINDS {
        let fresh = analyze_text(kind, text);
        assert_sound(text, &fresh);
        let mut source = Source::new(text, pipewarden::analysis::tiling(kind));
        let mut analyzer = Analyzer::new(kind);
        analyzer.analyze(&mut source);
        let step = (text.len() / 100).max(1);
        let mut edited = text.to_owned();
        for offset in (0..text.len()).step_by(step).take(100) {
            let edit = source.replace(offset..offset + 1, "\n");
            edited.replace_range(edit.start..edit.old_end, "\n");
        }
        let incremental = analyzer.analyze(&mut source);
        assert_sound(&edited, &incremental);
        let fresh = analyze_text(kind, &edited);
        assert_eq!(ids(&incremental), ids(&fresh), "{kind:?}");
    }
}

fn ids(report: &Report) -> Vec<(&'static str, std::ops::Range<usize>)> {
    report.findings.iter().map(|f| (f.rule.id, f.range.clone())).collect()
}

fn assert_sound(text: &str, report: &Report) {
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let ranges = report.findings.iter().map(|f| &f.range).chain(report.syntax_errors.iter().map(|e| &e.range));
    for range in ranges {
        assert!(range.start <= range.end && range.end <= text.len(), "{range:?}");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
    }
}
