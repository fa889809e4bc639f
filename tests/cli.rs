//! The command line, run as a user runs it: exit codes, text and JSON output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn pipewarden(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipewarden")).args(args).output().expect("the binary runs")
}

fn fixtures(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(path)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn check_reports_the_demo_in_json_and_exits_1() {
    let demo = fixtures("demo");
    let output = pipewarden(&["check", "--format", "json", demo.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    let findings = json["findings"].as_array().expect("a findings array");
    assert!(!findings.is_empty());
    for finding in findings {
        for key in ["rule", "tactic", "technique", "technique_id", "severity", "confidence", "path", "message"] {
            assert!(finding[key].is_string(), "{key} in {finding}");
        }
        for key in ["start", "end"] {
            assert!(finding[key]["line"].as_u64().unwrap() >= 1 && finding[key]["column"].as_u64().unwrap() >= 1);
        }
        assert!(["info", "low", "medium", "high", "critical"].contains(&finding["severity"].as_str().unwrap()));
    }
    let injection = findings
        .iter()
        .find(|f| f["rule"] == "expression-injection" && f["path"].as_str().unwrap().ends_with("issue-triage.yml"))
        .expect("the issue title injection");
    assert_eq!(injection["technique_id"], "EX06");
    assert_eq!(injection["tactic"], "Execution");
    assert_eq!(injection["technique"], "Modify CI/CD configurations");
    let text = std::fs::read_to_string(demo.join(".github/workflows/issue-triage.yml")).unwrap();
    let line = injection["start"]["line"].as_u64().unwrap() as usize;
    let column = injection["start"]["column"].as_u64().unwrap() as usize;
    let source_line = text.lines().nth(line - 1).unwrap();
    let from_column: String = source_line.chars().skip(column - 1).collect();
    assert!(from_column.starts_with("github.event.issue.title"), "{from_column}");
}

#[test]
fn columns_count_unicode_scalar_values() {
    let dir = tempdir("unicode");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("u.yml"),
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"é😀中 ${{ github.event.issue.title }}\"\n",
    )
    .unwrap();
    let output = pipewarden(&["check", "--format", "json", dir.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["start"]["line"], 7);
    assert_eq!(finding["start"]["column"], "      - run: echo \"é😀中 ${{ ".chars().count() + 1);
}

#[test]
fn check_prints_findings_with_their_source_line() {
    let output = pipewarden(&["check", fixtures("demo/.github/workflows/issue-triage.yml").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(
            ":17:27: critical[expression-injection] Execution › Modify CI/CD configurations: `github.event.issue.title`"
        ),
        "{text}"
    );
    assert!(text.contains("          echo \"Title ${{ github.event.issue.title }}\""), "{text}");
    assert!(text.contains("issue-triage.yml: attack path: Execution (EX06) → Privilege Escalation (PR01)"), "{text}");
}

#[test]
fn a_clean_tree_exits_0_and_options_filter_findings() {
    let clean = pipewarden(&["check", fixtures("clean").to_str().unwrap()]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let demo = fixtures("demo");
    let critical_only =
        pipewarden(&["check", "--format", "json", "--min-severity", "critical", demo.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&critical_only)).unwrap();
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "critical"));
    let disabled = pipewarden(&[
        "check",
        "--format",
        "json",
        "--disable",
        "expression-injection",
        "--disable",
        "untrusted-checkout",
        "--disable",
        "excessive-permissions",
        "--disable",
        "unpinned-action",
        "--disable",
        "unpinned-include",
        "--disable",
        "oidc-on-untrusted-trigger",
        "--disable",
        "persisted-checkout-credentials",
        demo.to_str().unwrap(),
    ]);
    assert_eq!(disabled.status.code(), Some(0), "{}", stdout(&disabled));
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(pipewarden(&["check", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(pipewarden(&["check", "--no-such-option"]).status.code(), Some(2));
    assert_eq!(pipewarden(&["check", "--disable", "no-such-rule", "."]).status.code(), Some(2));
    assert_eq!(pipewarden(&["frobnicate"]).status.code(), Some(2));
    let missing = pipewarden(&["check", "/definitely/not/here"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/definitely/not/here"));
}

#[test]
fn rules_explain_version_and_help() {
    let rules = stdout(&pipewarden(&["rules"]));
    for id in ["expression-injection", "untrusted-checkout", "excessive-permissions", "EX06", "PR01"] {
        assert!(rules.contains(id), "{rules}");
    }
    let explain = stdout(&pipewarden(&["explain", "excessive-permissions"]));
    assert!(
        explain.contains("Privilege Escalation › Access higher privilege accounts") && !explain.contains("#"),
        "{explain}"
    );
    assert_eq!(pipewarden(&["explain", "nope"]).status.code(), Some(2));
    assert!(stdout(&pipewarden(&["--version"])).starts_with("pipewarden "));
    let help = stdout(&pipewarden(&["--help"]));
    assert!(help.contains("pipewarden check") && help.contains("--format"), "{help}");
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pipewarden-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
