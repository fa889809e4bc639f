//! The reports: `pipewarden threat-model` compared with `tests/snapshots/threat-model-*.md`
//! (run with `PIPEWARDEN_BLESS=1` to rewrite them after reviewing a change) and checked for
//! the five questions in every pipeline's section; `pipewarden matrix --html` checked for
//! the whole matrix, no external asset and escaped text. `tests/matrix/browser.sh` opens the
//! page in Chromium.

mod snapshot;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pipewarden::matrix::{Tactic, Technique};
use snapshot::matches_snapshot;

const QUESTIONS: [&str; 6] =
    ["### Inputs", "### Risks", "### Attack", "### Log source", "### Detection", "### What to change first"];

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn pipewarden(args: &[&str], folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipewarden")).args(args).current_dir(folder).output().expect("the binary runs")
}

fn threat_model(fixture: &str) -> String {
    let output = pipewarden(&["threat-model", "."], &fixtures(fixture));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The report's sections, one per pipeline file: its heading line and its text.
fn sections(report: &str) -> Vec<(&str, &str)> {
    report
        .split("\n## ")
        .skip(1)
        .filter(|section| !section.starts_with("Overview"))
        .map(|section| section.split_once('\n').unwrap())
        .collect()
}

#[test]
fn threat_models_match_their_snapshots() {
    matches_snapshot("threat-model-paths.md", &threat_model("paths"));
    matches_snapshot("threat-model-demo.md", &threat_model("demo"));
}

#[test]
fn every_pipeline_with_findings_answers_the_five_questions_in_order() {
    for fixture in ["paths", "demo"] {
        let report = threat_model(fixture);
        let sections = sections(&report);
        assert!(sections.len() >= 5, "{fixture}: {} sections", sections.len());
        for (heading, text) in sections {
            if text.trim_start().starts_with("No findings") {
                assert_eq!(text.trim().lines().count(), 1, "{heading}: a file with no findings gets one line");
                continue;
            }
            let positions: Vec<usize> = QUESTIONS
                .iter()
                .map(|question| text.find(question).unwrap_or_else(|| panic!("{heading} lacks {question}")))
                .collect();
            assert!(positions.is_sorted(), "{heading}: the questions are out of order");
        }
    }
}

#[test]
fn the_pwn_request_is_answered_from_its_trigger_to_its_fix() {
    let report = threat_model("paths");
    let (_, pwn) = sections(&report).into_iter().find(|(heading, _)| heading.contains("pwn-request.yml")).unwrap();
    assert!(pwn.contains("Who can start it (outsider): anyone with a GitHub account, through `pull_request_target`"));
    assert!(pwn.contains(
        "EX05 Inject code to source code: critical `untrusted-checkout` at `./.github/workflows/pwn-request.yml:17`"
    ));
    assert!(pwn.contains("**Path 1**, job `release-preview`"));
    assert!(pwn.contains("- **EX05 Inject code to source code**: Workflow run logs of privileged runs"));
    // The fix on the complete outsider path comes before the hygiene finding on no path.
    let fixes = &pwn[pwn.find("### What to change first").unwrap()..];
    assert!(fixes.find("`untrusted-checkout`").unwrap() < fixes.find("`missing-concurrency`").unwrap());
}

#[test]
fn threat_model_writes_to_a_file_with_output() {
    let folder = temporary("output");
    let file = folder.join("threat-model.md");
    let output = pipewarden(&["threat-model", "--output", file.to_str().unwrap(), "."], &fixtures("paths"));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), threat_model("paths"));
    let _ = std::fs::remove_dir_all(folder);
}

fn temporary(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("pipewarden-reports-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn matrix_page(fixture: &Path, folder: &Path) -> String {
    let page = folder.join("matrix.html");
    let output = pipewarden(&["matrix", "--html", page.to_str().unwrap(), "."], fixture);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::read_to_string(page).unwrap()
}

#[test]
fn the_matrix_page_holds_the_whole_matrix_and_nothing_from_outside() {
    let folder = temporary("matrix");
    let page = matrix_page(&fixtures("paths"), &folder);
    for tactic in Tactic::ALL {
        assert!(page.contains(&format!("</span> {}</h2>", tactic.name())), "no column for {tactic}");
    }
    for technique in Technique::ALL {
        assert!(page.contains(&format!("data-technique=\"{}\"", technique.id())), "no cell for {}", technique.id());
    }
    let lowered = page.to_ascii_lowercase();
    for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http", "@import"] {
        assert!(!lowered.contains(external), "the page loads something from outside: {external}");
    }
    // Links to findings are relative to the page: from the temporary folder to the fixture.
    assert!(page.contains(".github/workflows/pwn-request.yml#L17\">./.github/workflows/pwn-request.yml:17</a>"));
    assert!(page.contains("class=\"cell sev-critical\" data-technique=\"EX05\""));
    assert!(page.contains("class=\"cell sev-none\" data-technique=\"RE01\""));
    let _ = std::fs::remove_dir_all(folder);
}

#[cfg(unix)]
#[test]
fn the_matrix_page_escapes_file_names_and_messages() {
    let folder = temporary("hostile");
    let workflows = folder.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let workflow = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: \"evil/action@<script>alert(1)</script>\"\n";
    std::fs::write(workflows.join("<img src=x onerror=alert(1)>.yml"), workflow).unwrap();
    let page = matrix_page(&folder, &folder);
    assert!(!page.contains("<script>alert"), "a message's markup reached the page");
    assert!(!page.contains("<img"), "a file name's markup reached the page");
    assert!(page.contains("used at `&lt;script&gt;alert(1)&lt;/script&gt;`"));
    assert!(page.contains("href=\".github/workflows/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.yml#L6\""));
    let _ = std::fs::remove_dir_all(folder);
}

#[test]
fn matrix_without_html_is_a_usage_error() {
    let output = pipewarden(&["matrix", "."], &fixtures("paths"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("matrix needs --html FILE"));
}
