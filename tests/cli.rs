//! The command line, run as a user runs it: exit codes, text and JSON output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn pipewarden(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pipewarden")).args(args).output().expect("the binary runs")
}

fn fixtures(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path)
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
fn the_demo_pipeline_opens_an_attack_path_across_tactics() {
    let output = pipewarden(&["check", "--format", "json", fixtures("demo").to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let gitlab: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with("demo/.gitlab-ci.yml"))
        .collect();
    let mut tactics: Vec<&str> = gitlab.iter().map(|f| f["tactic"].as_str().unwrap()).collect();
    tactics.sort_unstable();
    tactics.dedup();
    for tactic in
        ["Initial Access", "Execution", "Persistence", "Defense Evasion", "Credential Access", "Lateral Movement"]
    {
        assert!(tactics.contains(&tactic), "{tactic} missing from {tactics:?}");
    }
    let injection = gitlab.iter().find(|f| f["rule"] == "gitlab-script-injection").expect("the title injection");
    // High on its own; raised because `build` also holds the npm token an outsider can reach.
    assert_eq!(injection["severity"], "critical");
    let message = injection["message"].as_str().unwrap();
    assert!(message.contains("inherited by `build`, `test`"), "{injection}");
    assert!(message.contains("raised: on an attack path an outsider can walk"), "{injection}");
    let included = pipewarden(&["check", fixtures("demo/ci/review.gitlab-ci.yml").to_str().unwrap()]);
    assert_eq!(included.status.code(), Some(0), "the review apps file is clean: {}", stdout(&included));
}

#[test]
fn columns_count_unicode_scalar_values() {
    let dir = tempdir("unicode");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("u.yml"),
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: echo \"é😀中 ${{ github.event.issue.title }}\"\n",
    )
    .unwrap();
    let output = pipewarden(&["check", "--format", "json", dir.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["start"]["line"], 8);
    assert_eq!(finding["start"]["column"], "      - run: echo \"é😀中 ${{ ".chars().count() + 1);
}

/// A finding of `--format json`, with its fields in the order they are written.
#[derive(serde::Deserialize, serde::Serialize)]
struct JsonFinding {
    rule: String,
    tactic: String,
    technique: String,
    technique_id: String,
    severity: String,
    confidence: String,
    path: String,
    start: JsonPosition,
    end: JsonPosition,
    message: String,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct JsonPosition {
    line: u64,
    column: u64,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct JsonOutput {
    findings: Vec<JsonFinding>,
}

#[test]
fn json_is_written_as_serde_json_writes_it_however_many_findings_there_are() {
    // Findings are made into JSON on both cores, a batch at a time: thousands of them cross
    // batches, a handful take one share, none is an empty array.
    let dir = tempdir("json-layout");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let jobs: String = (0..4_200)
        .map(|n| format!("  j{n}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"))
        .collect();
    std::fs::write(workflows.join("many.yml"), format!("on: push\npermissions: {{}}\njobs:\n{jobs}")).unwrap();
    let few = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";
    std::fs::write(workflows.join("few.yml"), few).unwrap();
    std::fs::write(workflows.join("none.yml"), "on: push\npermissions: {}\njobs: {}\n").unwrap();
    for target in ["many.yml", "few.yml", "none.yml"] {
        let output = pipewarden(&["check", "--format", "json", workflows.join(target).to_str().unwrap()]);
        let printed = stdout(&output);
        let parsed: JsonOutput = serde_json::from_str(&printed).expect("valid JSON");
        assert!(parsed.findings.len() > 4_096 || target != "many.yml", "{} findings", parsed.findings.len());
        // Compared as a whole, but not printed as one: the first file's JSON is 1.6 MB.
        let expected = serde_json::to_string_pretty(&parsed).unwrap() + "\n";
        let differs = printed.bytes().zip(expected.bytes()).position(|(a, b)| a != b);
        assert!(printed == expected, "{target}: first difference at {differs:?} of {} bytes", printed.len());
    }
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
    assert!(
        text.contains(
            "issue-triage.yml:3: attack path through job `label`, for anyone with a GitHub account, through `issues`, \
             `issue_comment`: Initial Access (IA01) → Execution (EX06) → Privilege Escalation (PR01) → Credential Access (CA03)"
        ),
        "{text}"
    );
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
    // Disabling every rule that fires on the demo leaves nothing to report.
    let all: Value =
        serde_json::from_str(&stdout(&pipewarden(&["check", "--format", "json", demo.to_str().unwrap()]))).unwrap();
    let mut fired: Vec<&str> =
        all["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    fired.sort_unstable();
    fired.dedup();
    assert!(fired.len() > 3, "{fired:?}");
    let mut args = vec!["check", "--format", "json"];
    for rule in &fired {
        args.extend(["--disable", rule]);
    }
    args.push(demo.to_str().unwrap());
    let disabled = pipewarden(&args);
    assert_eq!(disabled.status.code(), Some(0), "{}", stdout(&disabled));
}

#[test]
fn trusted_owners_are_not_reported_as_unpinned() {
    let dir = tempdir("trusted");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("t.yml"),
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: my-org/deploy@main\n      - uses: other/tool@v1\n",
    )
    .unwrap();
    let actions = |args: &[&str]| -> Vec<String> {
        let output = pipewarden(
            &[&["check", "--format", "json", "--enable", "unpinned-action"], args, &[dir.to_str().unwrap()]].concat(),
        );
        let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(actions(&[]).len(), 2);
    let trusted = actions(&["--trusted-owner", "My-Org"]);
    assert_eq!(trusted.len(), 1, "{trusted:?}");
    assert!(trusted[0].contains("other/tool"), "{trusted:?}");
    assert_eq!(pipewarden(&["check", "--trusted-owner", "not/an-owner", "."]).status.code(), Some(2));
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

#[test]
fn rules_json_lists_every_rule_with_its_technique() {
    let output = pipewarden(&["rules", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    let rules = json["rules"].as_array().expect("a rules array");
    assert_eq!(rules.len(), pipewarden::rules::REGISTRY.len());
    for rule in rules {
        for key in ["id", "technique_id", "tactic", "severity", "confidence", "summary"] {
            assert!(rule[key].is_string(), "{key} in {rule}");
        }
        let platforms = rule["platforms"].as_array().unwrap();
        assert!(!platforms.is_empty() && platforms.iter().all(|p| p == "github" || p == "gitlab"), "{rule}");
    }
    assert_eq!(pipewarden(&["rules", "--format", "yaml"]).status.code(), Some(2));
}

#[test]
fn explain_takes_rules_techniques_and_tactics() {
    let rule = stdout(&pipewarden(&["explain", "expression-injection"]));
    assert!(rule.contains("Execution › Modify CI/CD configurations"), "{rule}");
    let technique = stdout(&pipewarden(&["explain", "ex06"]));
    assert!(technique.starts_with("EX06 Modify CI/CD configurations") && technique.contains("`expression-injection`"));
    let tactic = stdout(&pipewarden(&["explain", "Initial", "Access"]));
    assert!(tactic.contains("IA03 Compromise CI/CD supply chain: `unpinned-action`"), "{tactic}");
    assert_eq!(stdout(&pipewarden(&["explain", "IA"])), tactic);
    assert_eq!(pipewarden(&["explain", "nothing-like-this"]).status.code(), Some(2));
}

#[test]
fn fix_writes_safe_fixes_diff_shows_and_unsafe_fixes_go_further() {
    let dir = tempdir("fix");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let path = workflows.join("w.yml");
    let original = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";
    std::fs::write(&path, original).unwrap();
    let root = dir.to_str().unwrap();

    // The only fix here is unsafe: `--fix` leaves the file alone and reports the finding.
    let output = pipewarden(&["check", "--fix", root]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    // `--diff` shows the change without writing it.
    let output = pipewarden(&["check", "--unsafe-fixes", "--diff", root]);
    assert_eq!(output.status.code(), Some(1));
    let diff = stdout(&output);
    assert!(diff.contains("+      - env:\n+          ISSUE_TITLE: ${{ github.event.issue.title }}\n"), "{diff}");
    assert!(diff.contains("+        run: echo \"${ISSUE_TITLE}\""), "{diff}");
    assert!(
        diff.starts_with(&format!("--- {root}/.github/workflows/w.yml\n+++ {root}/.github/workflows/w.yml\n")),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);

    // `--unsafe-fixes` writes it, says what it did, and the finding is gone.
    let output = pipewarden(&["check", "--unsafe-fixes", "--format", "json", root]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("w.yml:7: fixed [expression-injection]"), "{stderr}");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "expression-injection"), "{json}");
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("ISSUE_TITLE: ${{ github.event.issue.title }}"), "{fixed}");

    // Nothing left to fix: `--diff` is clean.
    assert_eq!(pipewarden(&["check", "--unsafe-fixes", "--diff", root]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fix_passes_a_local_reusable_workflow_exactly_the_secrets_it_declares() {
    let dir = tempdir("inherit");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let callee = "on:\n  workflow_call:\n    secrets:\n      NPM_TOKEN:\n        required: true\npermissions: {}\njobs:\n  publish:\n    runs-on: x\n    steps:\n      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n";
    std::fs::write(workflows.join("publish.yml"), callee).unwrap();
    let caller = workflows.join("release.yml");
    std::fs::write(&caller, "on: push\npermissions: {}\njobs:\n  publish:\n    uses: ./.github/workflows/publish.yml\n    secrets: inherit\n").unwrap();

    // The mapping is complete, so the fix is safe and `--fix` writes it.
    let output = pipewarden(&["check", "--fix", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("release.yml:6: fixed [secrets-inherit] Pass only what"), "{stderr}");
    let fixed = std::fs::read_to_string(&caller).unwrap();
    assert!(fixed.ends_with("    secrets:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n"), "{fixed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sarif_carries_techniques_severities_fingerprints_and_paths() {
    let output = pipewarden(&["check", "--format", "sarif", fixtures("demo").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), pipewarden::rules::REGISTRY.len());
    for rule in rules {
        let tags: Vec<&str> = rule["properties"]["tags"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        let technique = rule["properties"]["technique"].as_str().unwrap();
        assert!(tags.iter().any(|tag| tag.starts_with(technique)), "{rule}");
        assert!(tags.contains(&rule["properties"]["tactic"].as_str().unwrap()), "{rule}");
        let score: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
        assert!((0.0..=10.0).contains(&score));
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("#### The attack"));
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["partialFingerprints"]["pipewarden/v1"].is_string());
        assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    assert!(
        results
            .iter()
            .any(|r| r["codeFlows"][0]["threadFlows"][0]["locations"].as_array().is_some_and(|l| l.len() >= 2))
    );
}

#[test]
fn github_annotations_and_gitlab_code_quality() {
    let demo = fixtures("demo");
    let github = stdout(&pipewarden(&["check", "--format", "github", demo.to_str().unwrap()]));
    let first = github.lines().next().unwrap();
    assert!(
        first.starts_with("::") && first.contains(" file=") && first.contains(",line=") && first.contains("::"),
        "{first}"
    );
    assert!(
        github
            .lines()
            .any(|line| line.starts_with("::error ") && line.contains("title=pipewarden expression-injection (EX06)"))
    );
    let gitlab: Value =
        serde_json::from_str(&stdout(&pipewarden(&["check", "--format", "gitlab", demo.to_str().unwrap()]))).unwrap();
    let issues = gitlab.as_array().unwrap();
    assert!(!issues.is_empty());
    let mut fingerprints: Vec<&str> = issues.iter().map(|issue| issue["fingerprint"].as_str().unwrap()).collect();
    fingerprints.sort_unstable();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");
    for issue in issues {
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn baselines_hide_accepted_findings_after_lines_move_and_show_new_ones() {
    let dir = tempdir("baseline");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let path = workflows.join("w.yml");
    let original = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";
    std::fs::write(&path, original).unwrap();
    let baseline = dir.join("pipewarden-baseline.json");
    let (root, baseline_arg) = (dir.to_str().unwrap(), baseline.to_str().unwrap());

    let written = pipewarden(&["check", "--write-baseline", baseline_arg, root]);
    assert_eq!(written.status.code(), Some(0), "{}", String::from_utf8_lossy(&written.stderr));
    let accepted = pipewarden(&["check", "--baseline", baseline_arg, "--format", "json", root]);
    assert_eq!(accepted.status.code(), Some(0));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&accepted)).unwrap()["findings"], Value::Array(vec![]));

    // Unrelated lines move the accepted finding; a new finding appears.
    let moved = original.replace(
        "jobs:\n",
        "jobs:\n  first:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: make\n      - run: echo ${{ github.event.issue.body }}\n",
    );
    std::fs::write(&path, moved).unwrap();
    let output = pipewarden(&["check", "--baseline", baseline_arg, "--format", "json", root]);
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert!(findings[0]["message"].as_str().unwrap().contains("github.event.issue.body"));

    std::fs::write(&baseline, "{\"version\": 7, \"findings\": []}").unwrap();
    assert_eq!(pipewarden(&["check", "--baseline", baseline_arg, root]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pipewarden_toml_disables_rules_ignores_paths_and_reports_its_own_errors() {
    let dir = tempdir("config");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let vulnerable = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";
    std::fs::write(workflows.join("triage.yml"), vulnerable).unwrap();
    std::fs::write(workflows.join("release-notes.yml"), vulnerable).unwrap();
    let rules_of = |args: &[&str]| -> Vec<(String, String)> {
        let output = pipewarden(&[&["check", "--format", "json"], args, &[dir.to_str().unwrap()]].concat());
        let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(),
                    f["rule"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let injections =
        |found: &[(String, String)]| found.iter().filter(|(_, rule)| rule == "expression-injection").count();
    assert_eq!(injections(&rules_of(&[])), 2);

    // A rule disabled in the file, found from the checked folder, is not run.
    std::fs::write(dir.join("pipewarden.toml"), "[rules]\ndisable = [\"expression-injection\"]\n").unwrap();
    assert_eq!(injections(&rules_of(&[])), 0);

    // `.github/pipewarden.toml` works too, with paths relative to the repository.
    std::fs::remove_file(dir.join("pipewarden.toml")).unwrap();
    std::fs::write(
        dir.join(".github/pipewarden.toml"),
        "[[ignore]]\npaths = [\".github/workflows/release-*.yml\"]\nrules = [\"expression-injection\"]\n",
    )
    .unwrap();
    let found = rules_of(&[]);
    assert_eq!(injections(&found), 1);
    assert!(found.iter().all(|(file, rule)| rule != "expression-injection" || file == "triage.yml"), "{found:?}");

    // An invalid file: one error naming its line and key, and the check runs with the defaults.
    std::fs::write(dir.join(".github/pipewarden.toml"), "min-severity = \"low\"\n\n[rules]\ndisabled = [\"x\"]\n")
        .unwrap();
    let output = pipewarden(&["check", "--format", "json", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pipewarden.toml:4:") && stderr.contains("disabled"), "{stderr}");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(injections(&rules_of(&[])), 2);

    // `--config` names another file.
    let other = dir.join("strict.toml");
    std::fs::write(&other, "min-severity = \"critical\"\n").unwrap();
    let found = rules_of(&["--config", other.to_str().unwrap()]);
    assert!(!found.is_empty() && injections(&found) == 2, "{found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_writes_a_valid_commented_configuration_and_a_baseline_that_accepts_todays_findings() {
    let dir = tempdir("init");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let path = workflows.join("w.yml");
    std::fs::write(
        &path,
        "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n",
    )
    .unwrap();
    let root = dir.to_str().unwrap();
    assert_eq!(pipewarden(&["check", root]).status.code(), Some(1));

    let output = pipewarden(&["init", "--baseline", root]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let config = std::fs::read_to_string(dir.join("pipewarden.toml")).unwrap();
    assert!(config.contains("baseline = \"pipewarden-baseline.json\""), "{config}");
    assert!(dir.join("pipewarden-baseline.json").is_file());
    // The configuration is valid and names the baseline: today's findings are accepted.
    let clean = pipewarden(&["check", root]);
    assert_eq!(clean.status.code(), Some(0), "{}{}", stdout(&clean), String::from_utf8_lossy(&clean.stderr));
    // A new finding still shows.
    std::fs::write(&path, "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n      - run: echo \"${{ github.event.issue.body }}\"\n").unwrap();
    assert_eq!(pipewarden(&["check", root]).status.code(), Some(1));
    // An existing configuration is never overwritten.
    assert_eq!(pipewarden(&["init", root]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn our_own_ci_templates_pass_our_own_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action = root.join("action.yml");
    let gitlab = root.join("integrations/gitlab/pipewarden.gitlab-ci.yml");
    let output = pipewarden(&["check", "--format", "json", action.to_str().unwrap(), gitlab.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let serious: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !["info", "low"].contains(&f["severity"].as_str().unwrap()))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    assert!(String::from_utf8_lossy(&output.stderr).is_empty(), "no syntax errors");
}

#[test]
fn a_file_past_the_size_bound_gets_one_error_instead_of_an_analysis() {
    let dir = tempdir("huge");
    let workflow = dir.join(".github/workflows/generated.yml");
    std::fs::create_dir_all(workflow.parent().unwrap()).unwrap();
    let job = "  job:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";
    let mut text = String::from("on: issues\njobs:\n");
    while text.len() <= 9 << 20 {
        text.push_str(&job.replace("job:", &format!("job{}:", text.len())));
    }
    std::fs::write(&workflow, &text).unwrap();
    let output = pipewarden(&["check", "--format", "json", workflow.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("valid JSON");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "not analysed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("so it was not analysed").count(), 1, "{stderr}");
    assert!(stderr.contains("generated.yml:1:1: syntax error: this file is 9.0 MiB"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Runs git in `dir` and returns its output, trimmed.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A bare repository `remotes/<owner>/<repo>` with a lightweight tag `v1`, an annotated tag
/// `v2` and a branch `release`; returns the commits they name.
fn action_repository(remotes: &Path, owner: &str, repo: &str) -> [String; 3] {
    let work = remotes.join(format!("work-{owner}-{repo}"));
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    git(&work, &["commit", "-q", "--allow-empty", "-m", "one"]);
    git(&work, &["tag", "v1"]);
    git(&work, &["commit", "-q", "--allow-empty", "-m", "two"]);
    git(&work, &["tag", "-a", "v2", "-m", "an annotated tag"]);
    git(&work, &["checkout", "-q", "-b", "release"]);
    git(&work, &["commit", "-q", "--allow-empty", "-m", "three"]);
    let bare = remotes.join(owner).join(repo);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(remotes, &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    ["v1", "v2^{}", "release"].map(|name| git(&work, &["rev-parse", name]))
}

#[test]
fn pin_resolves_tags_and_branches_records_them_and_rewrites_uses() {
    let dir = tempdir("pin");
    let remotes = dir.join("remotes");
    let [v1, v2, release] = action_repository(&remotes, "some-org", "lint-action");
    let [shared_v1, _, _] = action_repository(&remotes, "some-org", "workflows");
    let repo = dir.join("repo");
    let workflows = repo.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let workflow = workflows.join("ci.yml");
    std::fs::write(
        &workflow,
        "on: push\npermissions:\n  contents: read\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - uses: some-org/lint-action@v1\n      - uses: \"some-org/lint-action@v2\" # the annotated one\n      - {name: Flow, uses: some-org/lint-action@release}\n      - uses: some-org/lint-action@v9\n      - uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3\n  shared:\n    uses: some-org/workflows/.github/workflows/release.yml@v1\n",
    )
    .unwrap();
    let base = format!("{}/", remotes.display());
    let output = pipewarden(&["pin", "--git-base", &base, repo.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `v9` exists nowhere: it is reported and left alone, and the exit code says so.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("some-org/lint-action@v9: no such tag or branch"), "{stderr}");

    let lock = std::fs::read_to_string(repo.join(".github/pipewarden.lock")).unwrap();
    for (key, sha) in [("lint-action@v1", &v1), ("lint-action@v2", &v2), ("lint-action@release", &release)] {
        assert!(lock.contains(&format!("\"some-org/{key}\" = \"{sha}\"")), "{key}:\n{lock}");
    }
    assert!(lock.contains(&format!("\"some-org/workflows@v1\" = \"{shared_v1}\"")), "{lock}");
    assert!(!lock.contains("v9"), "{lock}");

    let rewritten = std::fs::read_to_string(&workflow).unwrap();
    assert!(rewritten.contains(&format!("      - uses: some-org/lint-action@{v1} # v1\n")), "{rewritten}");
    assert!(
        rewritten.contains(&format!("uses: \"some-org/lint-action@{v2}\" # v2 # the annotated one")),
        "{rewritten}"
    );
    assert!(rewritten.contains(&format!("{{name: Flow, uses: some-org/lint-action@{release}}}")), "{rewritten}");
    assert!(rewritten.contains("some-org/lint-action@v9\n"), "{rewritten}");
    assert!(rewritten.contains(&format!("release.yml@{shared_v1} # v1")), "{rewritten}");

    // `check` now reads the lock offline: what was pinned is no longer reported, and `v9`
    // gets no fix, since no commit is known for it.
    let output = pipewarden(&["check", "--format", "json", "--enable", "unpinned-action", repo.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{json}");
    assert!(findings[0]["message"].as_str().unwrap().contains("`v9`"), "{json}");

    // Running it again (the base from the environment this time) asks nothing new, so the
    // remotes can even be gone, and changes nothing.
    std::fs::remove_dir_all(&remotes).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["pin", repo.to_str().unwrap()])
        .env("PIPEWARDEN_GIT_BASE", &base)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("some-org/lint-action: `git ls-remote"), "only v9 is asked for: {stderr}");
    assert_eq!(std::fs::read_to_string(&workflow).unwrap(), rewritten);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_offers_pins_from_the_lock_and_never_guesses_one() {
    let dir = tempdir("lock");
    let workflows = dir.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    let sha = "5f1e8a93c2b7d4e6f0a1b2c3d4e5f60718293a4b";
    let digest = format!("sha256:{}", "1".repeat(64));
    std::fs::write(
        dir.join(".github/pipewarden.lock"),
        format!(
            "version = 1\n[actions]\n\"some-org/lint-action@v2\" = \"{sha}\"\n[images]\n\"node:20\" = \"{digest}\"\n"
        ),
    )
    .unwrap();
    let workflow = workflows.join("ci.yml");
    let original = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    container: node:20\n    steps:\n      - uses: some-org/lint-action@v2\n      - uses: some-org/other@v2\n";
    std::fs::write(&workflow, original).unwrap();
    // The pins are safe fixes: `check --fix` applies them from the lock, offline.
    let output = pipewarden(&[
        "check",
        "--fix",
        "--enable",
        "unpinned-action",
        "--enable",
        "unpinned-image",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "some-org/other is still unpinned");
    let fixed = std::fs::read_to_string(&workflow).unwrap();
    assert!(fixed.contains(&format!("uses: some-org/lint-action@{sha} # v2\n")), "{fixed}");
    assert!(fixed.contains(&format!("container: node:20@{digest}\n")), "{fixed}");
    assert!(fixed.contains("uses: some-org/other@v2\n"), "{fixed}");

    // An invalid lock is reported, and nothing is pinned from it.
    std::fs::write(&workflow, original).unwrap();
    std::fs::write(
        dir.join(".github/pipewarden.lock"),
        "version = 1\n[actions]\n\"some-org/lint-action@v2\" = \"main\"\n",
    )
    .unwrap();
    let output = pipewarden(&["check", "--fix", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("pipewarden.lock:3: `main` for `some-org/lint-action@v2` is not a full commit SHA"),
        "{stderr}"
    );
    assert!(std::fs::read_to_string(&workflow).unwrap().contains("uses: some-org/lint-action@v2\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The binary runs on jemalloc with the options `main.rs` compiles in: the figures in
/// BENCHMARKS.md are of that build, and a binary linked without it would still pass every
/// other test.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[test]
fn the_binary_allocates_with_one_jemalloc_arena() {
    let output = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["rules", "--format", "json"])
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("the binary runs");
    let stats = String::from_utf8_lossy(&output.stderr);
    assert!(stats.contains("opt.narenas: 1\n"), "{stats}");
    assert!(stats.contains("opt.background_thread: true"), "{stats}");
}
