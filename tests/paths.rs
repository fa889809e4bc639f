//! Attack paths as `pipewarden paths` prints them, on the fixtures of `tests/fixtures/paths/`:
//! the text and the JSON are compared with `tests/snapshots/paths.{txt,json}` (run with
//! `PIPEWARDEN_BLESS=1` to rewrite them after reviewing a change), and the properties that
//! make a path a path are checked on the JSON.

mod snapshot;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use snapshot::matches_snapshot;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/paths")
}

fn paths(format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["paths", "--format", format, "."])
        .current_dir(fixtures())
        .output()
        .expect("the binary runs")
}

#[test]
fn text_output_matches_its_snapshot_and_exits_1() {
    let output = paths("text");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    matches_snapshot("paths.txt", &String::from_utf8(output.stdout).unwrap());
}

#[test]
fn json_output_matches_its_snapshot() {
    let output = paths("json");
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let json: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    matches_snapshot("paths.json", &format!("{}\n", serde_json::to_string_pretty(&json).unwrap()));
}

fn all_paths() -> Vec<Value> {
    let json: Value = serde_json::from_slice(&paths("json").stdout).unwrap();
    json["paths"].as_array().unwrap().clone()
}

fn path_through(file: &str, job: &str) -> Option<Value> {
    all_paths().into_iter().find(|p| p["path"].as_str().unwrap().ends_with(file) && p["job"] == job)
}

fn rules_of(path: &Value) -> Vec<String> {
    path["steps"].as_array().unwrap().iter().filter_map(|s| s["rule"].as_str().map(str::to_owned)).collect()
}

#[test]
fn a_pwn_request_walks_from_the_trigger_to_the_release() {
    let path = path_through("pwn-request.yml", "release-preview").expect("the pwn request's path");
    assert_eq!(path["starter"], "outsider");
    assert_eq!(path["complete"], true);
    let tactics: Vec<&str> = path["tactics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert_eq!(tactics.first(), Some(&"Initial Access"));
    assert!(tactics.contains(&"Execution") && tactics.contains(&"Credential Access") && tactics.contains(&"Impact"));
    let rules = rules_of(&path);
    assert!(rules.contains(&"dangerous-trigger".to_owned()) && rules.contains(&"untrusted-checkout".to_owned()));
    // A complete path an outsider can walk raises its findings and says why.
    let checkout = path["steps"].as_array().unwrap().iter().find(|s| s["rule"] == "untrusted-checkout").unwrap();
    assert_eq!(checkout["severity"], "critical");
    let holds = path["steps"].as_array().unwrap().iter().find(|s| s["kind"] == "asset").expect("what the job holds");
    assert_eq!(holds["technique_id"], "CA02");
}

#[test]
fn jobs_chain_through_needs_and_only_through_needs() {
    // `release` reads `needs.triage.outputs.label`: its injection is on a path.
    let release = path_through("linked-by-needs.yml", "release").expect("the downstream job's path");
    assert!(rules_of(&release).contains(&"expression-injection".to_owned()));
    // In `unlinked-jobs.yml` the injected job holds nothing and links to no other job, so its
    // path stops at execution; the job that deploys with a secret is not on it.
    let greet = path_through("unlinked-jobs.yml", "greet").expect("the injected job's path");
    assert_eq!(greet["complete"], false);
    assert!(path_through("unlinked-jobs.yml", "deploy").is_none());
}

#[test]
fn a_low_finding_starts_no_path() {
    assert!(all_paths().iter().all(|p| !p["path"].as_str().unwrap().ends_with("maintainers-only.yml")));
}

#[test]
fn gitlab_merge_request_injection_reaches_the_job_variables() {
    let notify = path_through(".gitlab-ci.yml", "notify").expect("the GitLab path");
    assert_eq!(notify["complete"], true);
    assert!(rules_of(&notify).contains(&"gitlab-script-injection".to_owned()));
}
