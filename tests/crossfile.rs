//! Across files: findings that exist only because one file calls another, reported where
//! the danger executes, through `check` and through the language server with only the
//! caller open; and navigation from a reference to the file it names.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crossfile").join(path)
}

fn check_json(path: &Path) -> (Output, Vec<Value>) {
    let output = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("the binary runs");
    let json: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    (output, json["findings"].as_array().expect("a findings array").clone())
}

/// The 1-based line of the first line of `file` (in the GitHub fixture) containing `needle`.
fn line_of(file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(fixture("github").join(file)).unwrap();
    text.lines().position(|line| line.contains(needle)).expect("the fixture has the line") as u64 + 1
}

/// The findings of `rule` in the file whose path ends with `file`.
fn findings_in<'a>(findings: &'a [Value], file: &str, rule: &str) -> Vec<&'a Value> {
    findings
        .iter()
        .filter(|finding| finding["path"].as_str().unwrap().ends_with(file) && finding["rule"] == rule)
        .collect()
}

const LABEL: &str = ".github/actions/label/action.yml";

#[test]
fn check_reports_a_tainted_input_at_the_actions_line_with_the_callers_severity() {
    let (output, findings) = check_json(&fixture("github"));
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let in_label = findings_in(&findings, LABEL, "expression-injection");
    let title = in_label
        .iter()
        .find(|finding| finding["start"]["line"] == line_of(LABEL, "inputs.title"))
        .expect("the title's injection is reported in the action");
    assert_eq!(title["severity"], "critical", "{title}");
    let caller_line = line_of(".github/workflows/triage.yml", "title: ${{ github.event.comment.body }}");
    let reached = format!("reached from `.github/workflows/triage.yml:{caller_line}` with `github.event.comment.body`");
    assert!(title["message"].as_str().unwrap().contains(&reached), "{title}");
    let issue = in_label
        .iter()
        .find(|finding| finding["start"]["line"] == line_of(LABEL, "inputs.issue"))
        .expect("the number's input is still reported alone");
    assert_eq!(issue["severity"], "low", "a number is no text an attacker writes");
}

#[test]
fn untainted_callers_and_inputs_read_through_quoted_env_stay_quiet() {
    let (_, findings) = check_json(&fixture("github"));
    let report = findings_in(&findings, ".github/actions/report/action.yml", "expression-injection");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["severity"], "low", "an untainted caller leaves the input low");
    assert!(!report[0]["message"].as_str().unwrap().contains("reached from"));
    let quiet: Vec<&Value> =
        findings.iter().filter(|finding| finding["path"].as_str().unwrap().contains("actions/quiet")).collect();
    assert!(quiet.is_empty(), "{quiet:?}");
}

#[test]
fn check_reports_what_a_caller_passes_into_a_local_reusable_workflow() {
    let (_, findings) = check_json(&fixture("github"));
    let build = ".github/workflows/build.yml";
    let injection = findings_in(&findings, build, "expression-injection");
    assert_eq!(injection.len(), 1, "{injection:?}");
    assert_eq!(injection[0]["start"]["line"], line_of(build, "inputs.title"));
    assert_eq!(injection[0]["severity"], "critical");
    assert!(injection[0]["message"].as_str().unwrap().contains("reached from `.github/workflows/pr.yml:"));
}

#[test]
fn a_reusable_workflow_called_from_a_pull_request_keeps_its_callers_token() {
    let (_, findings) = check_json(&fixture("github"));
    let permissions = findings_in(&findings, ".github/workflows/lint.yml", "excessive-permissions");
    assert!(permissions.is_empty(), "the caller's permissions decide: {permissions:?}");
}

#[test]
fn check_file_reads_the_workspace_around_it() {
    let (_, findings) = check_json(&fixture("github/.github/workflows/triage.yml"));
    let title = findings_in(&findings, LABEL, "expression-injection");
    assert_eq!(title.len(), 1, "only what the caller reaches is shown of a file not named: {title:?}");
    assert_eq!(title[0]["severity"], "critical");
}

/// The `file:` URI of a path of the GitHub fixture, as the server names files it reads.
fn file_uri(relative: &str) -> String {
    let path = std::fs::canonicalize(fixture("github")).unwrap().join(relative);
    format!("file://{}", path.display())
}

/// A server whose workspace folder is the GitHub fixture, with only the caller open.
fn server_with_the_caller_open() -> support::Client {
    server_with_open(".github/workflows/triage.yml")
}

/// A server whose workspace folder is the GitHub fixture, with only `caller` open.
fn server_with_open(caller: &str) -> support::Client {
    let mut client = support::Client::start();
    let root = file_uri("");
    let params = serde_json::json!({ "processId": null, "rootUri": root.trim_end_matches('/'), "capabilities": {} });
    client.request("initialize", params).expect("initialize succeeds");
    client.notify("initialized", serde_json::json!({}));
    client.open(&file_uri(caller), &std::fs::read_to_string(fixture("github").join(caller)).unwrap());
    client
}

#[test]
fn the_language_server_publishes_the_callees_finding_with_only_the_caller_open() {
    let mut client = server_with_the_caller_open();
    let diagnostics = client.diagnostics(&file_uri(LABEL));
    let title_line = line_of(LABEL, "inputs.title") - 1;
    let injection = diagnostics
        .iter()
        .find(|diagnostic| {
            diagnostic["code"] == "expression-injection" && diagnostic["range"]["start"]["line"] == title_line
        })
        .expect("the callee's injection is published");
    assert_eq!(injection["severity"], 1, "an error, as critical findings are");
    assert!(injection["message"].as_str().unwrap().contains("reached from `.github/workflows/triage.yml:"));
    let related = injection["relatedInformation"].as_array().expect("related information");
    assert!(related.iter().any(|place| place["location"]["uri"] == file_uri(".github/workflows/triage.yml")));
    client.shutdown();
}

#[test]
fn definition_on_a_local_uses_lands_in_the_actions_metadata() {
    let mut client = server_with_the_caller_open();
    let caller = ".github/workflows/triage.yml";
    let line = line_of(caller, "uses: ./.github/actions/label") - 1;
    let params = serde_json::json!({
        "textDocument": { "uri": file_uri(caller) },
        "position": { "line": line, "character": 20 },
    });
    let result = client.request("textDocument/definition", params).expect("definition succeeds");
    assert_eq!(result["uri"], file_uri(LABEL), "{result}");
    client.shutdown();
}

/// The `file:` URI of a file of the GitLab fixture.
fn gitlab_uri(relative: &str) -> String {
    format!("file://{}", std::fs::canonicalize(fixture("gitlab")).unwrap().join(relative).display())
}

/// A server whose workspace is the GitLab fixture, with the file at `relative` open; and
/// the (line, character) of `needle` in it, moved on by `within`.
fn gitlab_server_at(relative: &str, needle: &str, within: usize) -> (support::Client, Value) {
    let mut client = support::Client::start();
    let params =
        serde_json::json!({ "processId": null, "rootUri": gitlab_uri("").trim_end_matches('/'), "capabilities": {} });
    client.request("initialize", params).expect("initialize succeeds");
    client.notify("initialized", serde_json::json!({}));
    let text = std::fs::read_to_string(fixture("gitlab").join(relative)).unwrap();
    client.open(&gitlab_uri(relative), &text);
    let line = text.lines().position(|line| line.contains(needle)).unwrap();
    let character = text.lines().nth(line).unwrap().find(needle).unwrap() + within;
    (client, serde_json::json!({ "line": line, "character": character }))
}

#[test]
fn definition_on_a_gitlab_include_lands_in_the_included_file() {
    let (mut client, position) = gitlab_server_at(".gitlab-ci.yml", "/ci/*.yml", 2);
    let params = serde_json::json!({ "textDocument": { "uri": gitlab_uri(".gitlab-ci.yml") }, "position": position });
    let result = client.request("textDocument/definition", params).expect("definition succeeds");
    let uris: Vec<&Value> =
        result.as_array().expect("a wildcard names every file it matches").iter().map(|l| &l["uri"]).collect();
    assert_eq!(uris, [&Value::from(gitlab_uri("ci/deploy.yml")), &Value::from(gitlab_uri(NOTIFY))], "{result}");
    client.shutdown();
}

#[test]
fn definition_on_extends_of_a_template_in_the_including_file_lands_there() {
    let (mut client, position) = gitlab_server_at("ci/deploy.yml", ".deploy-base", 2);
    let params = serde_json::json!({ "textDocument": { "uri": gitlab_uri("ci/deploy.yml") }, "position": position });
    let result = client.request("textDocument/definition", params).expect("definition succeeds");
    assert_eq!(result["uri"], gitlab_uri(".gitlab-ci.yml"), "{result}");
    let root_text = std::fs::read_to_string(fixture("gitlab").join(".gitlab-ci.yml")).unwrap();
    let template_line = root_text.lines().position(|line| line.starts_with(".deploy-base:")).unwrap();
    assert_eq!(result["range"]["start"], serde_json::json!({ "line": template_line, "character": 0 }));
    client.shutdown();
}

/// The 1-based line of the first line of `file` in the fixture `dir` containing `needle`.
fn line_in(dir: &str, file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(fixture(dir).join(file)).unwrap();
    text.lines().position(|line| line.contains(needle)).expect("the fixture has the line") as u64 + 1
}

const NOTIFY: &str = "ci/notify.yml";

/// The findings of `rule` at `line` of the file whose path ends with `file`.
fn findings_at<'a>(findings: &'a [Value], file: &str, rule: &str, line: u64) -> Vec<&'a Value> {
    findings_in(findings, file, rule).into_iter().filter(|finding| finding["start"]["line"] == line).collect()
}

#[test]
fn check_reports_in_an_included_file_what_the_roots_workflow_and_variables_make_of_it() {
    let (output, findings) = check_json(&fixture("gitlab"));
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let line = |needle: &str| line_in("gitlab", NOTIFY, needle);
    let title = findings_at(&findings, NOTIFY, "gitlab-script-injection", line("--subject $TITLE"));
    assert_eq!(title.len(), 1, "the root's `$TITLE`, parsed again by `eval`: {findings:?}");
    let variable_line = line_in("gitlab", ".gitlab-ci.yml", "TITLE: $CI_MERGE_REQUEST_TITLE");
    let message = title[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("reached from `.gitlab-ci.yml:{variable_line}`, whose `variables:` set `$TITLE`")),
        "{message}"
    );
    let description = findings_at(&findings, NOTIFY, "gitlab-script-injection", line("$CI_MERGE_REQUEST_DESCRIPTION"));
    assert_eq!(description.len(), 1, "merge request pipelines exist only through the root's workflow");
    let rule_line = line_in("gitlab", ".gitlab-ci.yml", "merge_request_event");
    let message = description[0]["message"].as_str().unwrap();
    let reached =
        format!("reached from `.gitlab-ci.yml:{rule_line}`, whose `workflow: rules:` run its jobs in merge request");
    assert!(message.contains(&reached), "{message}");
}

/// The script injections reported in `ci/notify.yml` below the line containing `needle`.
fn injections_below<'a>(findings: &'a [Value], needle: &str) -> Vec<&'a Value> {
    let line = line_in("gitlab", NOTIFY, needle);
    let injections = findings_in(findings, NOTIFY, "gitlab-script-injection").into_iter();
    injections.filter(|finding| finding["start"]["line"].as_u64().unwrap() > line).collect()
}

#[test]
fn check_reads_the_rules_an_included_job_takes_from_a_template_of_the_root() {
    let (_, findings) = check_json(&fixture("gitlab"));
    let deploy = "ci/deploy.yml";
    let token = line_in("gitlab", deploy, "$REVIEW_DEPLOY_TOKEN");
    let review = findings_at(&findings, deploy, "gitlab-mr-pipeline-secrets", token);
    assert_eq!(review.len(), 1, "{findings:?}");
    let template_line = line_in("gitlab", ".gitlab-ci.yml", ".review:");
    let reached = format!("reached from `.gitlab-ci.yml:{template_line}`, whose `.review` gives it its rules");
    assert!(review[0]["message"].as_str().unwrap().contains(&reached), "{}", review[0]);
    let in_tag_template_job = injections_below(&findings, "tag-template-announce:");
    assert!(in_tag_template_job.is_empty(), "the root's `.tags-only` keeps it out: {in_tag_template_job:?}");
}

#[test]
fn quoted_reads_jobs_kept_out_of_merge_requests_and_roots_without_them_stay_quiet() {
    let (_, findings) = check_json(&fixture("gitlab"));
    let quiet = |needle: &str, file: &str| {
        let line = line_in("gitlab", file, needle);
        let found: Vec<&Value> = findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(file) && f["start"]["line"] == line)
            .collect();
        assert!(found.is_empty(), "{needle}: {found:?}");
    };
    quiet("notify --subject \"$TITLE\"", NOTIFY);
    quiet("--body $RELEASE_NOTE", NOTIFY);
    let in_tag_job = injections_below(&findings, "tag-announce:");
    assert!(in_tag_job.is_empty(), "its own rules keep it out of merge requests: {in_tag_job:?}");
    let (_, findings) = check_json(&fixture("gitlab-branches"));
    let reached: Vec<&Value> =
        findings.iter().filter(|f| f["message"].as_str().unwrap().contains("reached from")).collect();
    assert!(reached.is_empty(), "no merge request pipeline, no merge request text: {reached:?}");
}

#[test]
fn the_language_server_publishes_the_included_files_finding_with_only_the_root_open() {
    let (mut client, _) = gitlab_server_at(".gitlab-ci.yml", "include:", 0);
    let diagnostics = client.diagnostics(&gitlab_uri(NOTIFY));
    let title_line = line_in("gitlab", NOTIFY, "--subject $TITLE") - 1;
    let injection = diagnostics
        .iter()
        .find(|diagnostic| {
            diagnostic["code"] == "gitlab-script-injection" && diagnostic["range"]["start"]["line"] == title_line
        })
        .expect("the included file's injection is published");
    assert!(injection["message"].as_str().unwrap().contains("reached from `.gitlab-ci.yml:"), "{injection}");
    let related = injection["relatedInformation"].as_array().expect("related information");
    let variable_line = line_in("gitlab", ".gitlab-ci.yml", "TITLE: $CI_MERGE_REQUEST_TITLE") - 1;
    assert!(
        related.iter().any(|place| place["location"]["uri"] == gitlab_uri(".gitlab-ci.yml")
            && place["location"]["range"]["start"]["line"] == variable_line),
        "{related:?}"
    );
    let quiet_line = line_in("gitlab", NOTIFY, "notify --subject \"$TITLE\"") - 1;
    assert!(diagnostics.iter().all(|diagnostic| diagnostic["range"]["start"]["line"] != quiet_line));
    client.shutdown();
}

#[test]
fn the_language_server_withdraws_the_included_files_findings_once_the_root_runs_no_merge_requests() {
    let (mut client, _) = gitlab_server_at(".gitlab-ci.yml", "include:", 0);
    let reached = |diagnostics: &[Value]| {
        diagnostics.iter().filter(|d| d["message"].as_str().unwrap().contains("reached from")).count()
    };
    assert!(reached(&client.diagnostics(&gitlab_uri(NOTIFY))) > 0);
    let safe = std::fs::read_to_string(fixture("gitlab-branches/.gitlab-ci.yml")).unwrap();
    client.change(&gitlab_uri(".gitlab-ci.yml"), 2, serde_json::json!([{ "text": safe }]));
    assert_eq!(reached(&client.diagnostics(&gitlab_uri(NOTIFY))), 0, "the safe root reaches nothing");
    client.shutdown();
}

#[test]
fn a_pull_requests_head_passed_as_an_input_is_an_untrusted_checkout_in_the_reusable_workflow() {
    let (_, findings) = check_json(&fixture("github"));
    let callee = ".github/workflows/run-tests.yml";
    let checkout = findings_at(&findings, callee, "untrusted-checkout", line_of(callee, "ref: ${{ inputs.ref }}"));
    assert_eq!(checkout.len(), 1, "{findings:?}");
    let caller_line = line_of(".github/workflows/head-tests.yml", "ref: ${{ github.event.pull_request.head.sha }}");
    let reached = format!(
        "reached from `.github/workflows/head-tests.yml:{caller_line}` with `github.event.pull_request.head.sha`"
    );
    assert!(checkout[0]["message"].as_str().unwrap().contains(&reached), "{}", checkout[0]);
    let quiet = findings_in(&findings, ".github/workflows/run-base-tests.yml", "untrusted-checkout");
    assert!(quiet.is_empty(), "the base's commit, or a head on `push`, is no pull request's code: {quiet:?}");
}

const ISSUE_OPENED: &str = ".github/workflows/issue-opened.yml";
const ISSUE_META: &str = ".github/workflows/issue-meta.yml";

#[test]
fn check_reports_in_the_caller_what_a_reusable_workflows_outputs_return() {
    let (_, findings) = check_json(&fixture("github"));
    let at = |needle: &str| findings_at(&findings, ISSUE_OPENED, "expression-injection", line_of(ISSUE_OPENED, needle));
    let title = at("New issue ${{ needs.meta.outputs.title }}");
    assert_eq!(title.len(), 1, "{findings:?}");
    assert_eq!(title[0]["severity"], "critical", "{}", title[0]);
    let output_line = line_of(ISSUE_META, "value: ${{ jobs.meta.outputs.title }}");
    let returned = format!(
        "returned by `{ISSUE_META}:{output_line}` as its output `title`, which holds `github.event.issue.title`"
    );
    assert!(title[0]["message"].as_str().unwrap().contains(&returned), "{}", title[0]);
    let label = at("Label ${{ needs.meta.outputs.label }}");
    assert_eq!(label.len(), 1, "the caller's issue body, passed in and returned: {findings:?}");
    let message = label[0]["message"].as_str().unwrap();
    assert!(message.contains("as its output `label`, which holds `github.event.issue.body`"), "{message}");
}

#[test]
fn outputs_no_one_outside_chooses_and_outputs_read_through_quoted_env_stay_quiet() {
    let (_, findings) = check_json(&fixture("github"));
    let in_caller = findings_in(&findings, ISSUE_OPENED, "expression-injection");
    assert_eq!(in_caller.len(), 2, "only the title and the label: {in_caller:?}");
    for needle in ["${{ needs.meta.outputs.sha }}", "echo \"Quoted $TITLE\"", "TITLE: ${{ needs.meta.outputs.title }}"]
    {
        let line = line_of(ISSUE_OPENED, needle);
        let found: Vec<&Value> = findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with(ISSUE_OPENED) && f["start"]["line"] == line)
            .collect();
        assert!(found.is_empty(), "{needle}: {found:?}");
    }
}

#[test]
fn the_language_server_reports_a_returned_output_in_the_open_caller() {
    let mut client = server_with_open(ISSUE_OPENED);
    let uri = file_uri(ISSUE_OPENED);
    let title_line = line_of(ISSUE_OPENED, "New issue ${{ needs.meta.outputs.title }}") - 1;
    let is_injection = |diagnostic: &&Value| {
        diagnostic["code"] == "expression-injection" && diagnostic["range"]["start"]["line"] == title_line
    };
    // The caller's own analysis is published first, then again with what its callee returns.
    let mut diagnostics = Vec::new();
    for _ in 0..4 {
        diagnostics = client.diagnostics(&uri);
        if diagnostics.iter().any(|diagnostic| is_injection(&diagnostic)) {
            break;
        }
    }
    let injection = diagnostics.iter().find(is_injection).expect("the returned output's injection is published");
    assert_eq!(injection["severity"], 1, "an error, as critical findings are");
    assert!(injection["message"].as_str().unwrap().contains(&format!("returned by `{ISSUE_META}:")), "{injection}");
    let related = injection["relatedInformation"].as_array().expect("related information");
    let output_line = line_of(ISSUE_META, "value: ${{ jobs.meta.outputs.title }}") - 1;
    assert!(
        related.iter().any(|place| place["location"]["uri"] == file_uri(ISSUE_META)
            && place["location"]["range"]["start"]["line"] == output_line),
        "{related:?}"
    );
    let quiet_line = line_of(ISSUE_OPENED, "${{ needs.meta.outputs.sha }}") - 1;
    assert!(diagnostics.iter().all(|d| d["range"]["start"]["line"] != quiet_line), "{diagnostics:?}");
    client.shutdown();
}

#[test]
fn a_callee_given_some_secrets_names_only_those() {
    let (_, findings) = check_json(&fixture("github"));
    let callee = ".github/workflows/preview.yml";
    let checkout = findings_at(&findings, callee, "untrusted-checkout", line_of(callee, "ref: ${{ inputs.ref }}"));
    assert_eq!(checkout.len(), 1, "{findings:?}");
    assert_eq!(checkout[0]["severity"], "critical");
    let message = checkout[0]["message"].as_str().unwrap();
    assert!(message.contains("with `secrets.DEPLOY_TOKEN` and a read-only token"), "{message}");
    assert!(!message.contains("NPM_TOKEN"), "the caller does not pass it: {message}");
    let given = "the calling job passes it `secrets.DEPLOY_TOKEN` (`${{ secrets.PREVIEW_DEPLOY_TOKEN }}`)";
    assert!(message.contains(given), "{message}");
}

#[test]
fn a_callee_given_no_secrets_claims_none() {
    let (_, findings) = check_json(&fixture("github"));
    let callee = ".github/workflows/preview-lite.yml";
    let reached: Vec<&Value> = findings
        .iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with(callee))
        .filter(|f| f["message"].as_str().unwrap().contains("reached from"))
        .collect();
    assert_eq!(reached.len(), 1, "only the checkout, and no secret exposed at its trigger: {reached:?}");
    assert_eq!(reached[0]["rule"], "untrusted-checkout");
    assert_eq!(reached[0]["severity"], "high", "no secret to steal: {}", reached[0]);
    let message = reached[0]["message"].as_str().unwrap();
    assert!(!message.contains("secrets."), "{message}");
    assert!(message.contains("the calling job passes it no secrets"), "{message}");
}

#[test]
fn a_returned_output_passed_on_to_an_action_is_followed_there() {
    let (_, findings) = check_json(&fixture("github"));
    let announce = ".github/actions/announce/action.yml";
    let text = findings_at(&findings, announce, "expression-injection", line_of(announce, "inputs.text"));
    assert_eq!(text.len(), 1, "{findings:?}");
    assert_eq!(text[0]["severity"], "critical", "{}", text[0]);
    let caller_line = line_of(ISSUE_OPENED, "text: ${{ needs.meta.outputs.title }}");
    let reached = format!("reached from `{ISSUE_OPENED}:{caller_line}` with `github.event.issue.title`");
    assert!(text[0]["message"].as_str().unwrap().contains(&reached), "{}", text[0]);
    let sha = findings_at(&findings, announce, "expression-injection", line_of(announce, "inputs.sha"));
    assert_eq!(sha.len(), 1);
    assert_eq!(sha[0]["severity"], "low", "the commit returned is no one's text: {}", sha[0]);
}

#[test]
fn the_roots_default_before_script_runs_first_in_the_included_files_jobs() {
    let (_, findings) = check_json(&fixture("gitlab-default"));
    let release = "ci/release.yml";
    let run = findings_at(
        &findings,
        release,
        "gitlab-curl-pipe-shell",
        line_in("gitlab-default", release, "tool.sh publish"),
    );
    assert_eq!(run.len(), 1, "the root's `before_script` downloads what the job runs: {findings:?}");
    let script_line = line_in("gitlab-default", ".gitlab-ci.yml", "curl -sSL");
    let reached =
        format!("reached from `.gitlab-ci.yml:{script_line}`, whose `default:` gives its jobs their `before_script`");
    assert!(run[0]["message"].as_str().unwrap().contains(&reached), "{}", run[0]);
    let own = findings_at(
        &findings,
        release,
        "gitlab-curl-pipe-shell",
        line_in("gitlab-default", release, "tool.sh package"),
    );
    assert!(own.is_empty(), "its own `before_script` replaces the root's: {own:?}");
}
