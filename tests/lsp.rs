//! End-to-end tests: the real server binary, spoken to in LSP JSON-RPC over stdio.

mod support;

use serde_json::{Value, json};
use support::{Buffer, Client, codes, fixture, workflow_uri};

const TITLE: &str = "github.event.issue.title";

/// The (line, UTF-8 column, UTF-16 column) of the first occurrence of `needle`.
fn locate(text: &str, needle: &str) -> (usize, usize, usize) {
    let (line_index, line) = text.lines().enumerate().find(|(_, line)| line.contains(needle)).expect("needle present");
    let byte = line.find(needle).unwrap();
    (line_index, byte, line[..byte].encode_utf16().count())
}

fn position(diagnostic: &Value) -> (u64, u64) {
    let start = &diagnostic["range"]["start"];
    (start["line"].as_u64().unwrap(), start["character"].as_u64().unwrap())
}

#[test]
fn position_encoding_is_utf16_by_default_and_utf8_when_offered() {
    let text = fixture("lsp/triage.yml");
    let (line, utf8_column, utf16_column) = locate(&text, TITLE);
    assert_ne!(utf8_column, utf16_column, "the fixture line must hold non-ASCII text");
    for (offered, expected_encoding, expected_column) in [
        (vec!["utf-16"], "utf-16", utf16_column),
        (vec!["utf-8", "utf-16"], "utf-8", utf8_column),
        (vec![], "utf-16", utf16_column),
    ] {
        let (mut client, result) = Client::initialized(&offered);
        assert_eq!(result["capabilities"]["positionEncoding"], expected_encoding);
        let uri = workflow_uri("triage.yml");
        client.open(&uri, &text);
        let diagnostics = client.diagnostics(&uri);
        assert_eq!(codes(&diagnostics), ["expression-injection"]);
        assert_eq!(position(&diagnostics[0]), (line as u64, expected_column as u64), "offered {offered:?}");
        let end = &diagnostics[0]["range"]["end"];
        assert_eq!(end["character"].as_u64().unwrap() as usize, expected_column + TITLE.len());
        client.shutdown();
    }
}

#[test]
fn typing_updates_diagnostics_and_fixes_remove_findings() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("triage.yml");
    let mut buffer = Buffer::new(&fixture("lsp/triage.yml"));
    client.open(&uri, &buffer.text());
    assert_eq!(codes(&client.diagnostics(&uri)), ["expression-injection"]);
    let mut version = 1;
    let mut edit = |client: &mut Client, buffer: &mut Buffer, edit: Value| {
        version += 1;
        buffer.apply(&edit, "utf-16");
        client.change(&uri, version, json!([{ "range": edit["range"], "text": edit["newText"] }]));
        client.diagnostics_for_version(&uri, version)
    };

    // Typing a second vulnerable step adds a finding.
    let end_line = buffer.lines.len() as u64 - 1;
    let step = "      - run: echo ${{ github.event.issue.body }}\n";
    let diagnostics = edit(&mut client, &mut buffer, text_edit((end_line, 0), (end_line, 0), step));
    assert_eq!(codes(&diagnostics), ["expression-injection", "expression-injection"]);

    // Breaking the YAML reports a syntax error where it broke, and keeps the intact findings.
    let (line, column, _) = locate(&buffer.text(), "ubuntu-latest");
    let broken =
        edit(&mut client, &mut buffer, text_edit((line as u64, column as u64), (line as u64, column as u64), "["));
    let syntax: Vec<&Value> = broken.iter().filter(|d| d["code"] == "syntax-error").collect();
    assert!(!syntax.is_empty(), "a syntax error is reported: {broken:#?}");
    assert_eq!(position(syntax[0]).0, line as u64, "the syntax error points at the broken line: {syntax:#?}");
    assert!(
        codes(&broken).contains(&"expression-injection".to_owned()),
        "intact parts keep their findings: {broken:#?}"
    );

    // Repairing it clears the syntax error.
    let repaired =
        edit(&mut client, &mut buffer, text_edit((line as u64, column as u64), (line as u64, column as u64 + 1), ""));
    assert_eq!(codes(&repaired), ["expression-injection", "expression-injection"]);

    // Hovering a finding explains the rule in the matrix's terms.
    let (line, column) = position(&repaired[0]);
    let hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": column + 2 } }),
        )
        .expect("hover succeeds");
    let markdown = hover["contents"]["value"].as_str().expect("markdown hover");
    assert!(markdown.contains("`expression-injection`"), "{markdown}");
    assert!(markdown.contains("Execution › Modify CI/CD configurations"), "{markdown}");
    assert!(markdown.contains("EX06"), "{markdown}");
    assert!(markdown.contains("**Log source:**") && markdown.contains("**Detect:**"), "{markdown}");

    // On the first line, the hover lists the techniques open in the file.
    let file_hover = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
        )
        .expect("hover succeeds");
    let summary = file_hover["contents"]["value"].as_str().expect("markdown hover");
    assert!(summary.contains("techniques open in this file"), "{summary}");
    assert!(summary.contains("**Execution**: EX06 Modify CI/CD configurations (2)"), "{summary}");

    // The rule's fix moves the value into an environment variable; the finding goes away.
    let actions = code_actions(&mut client, &uri, &repaired[0]);
    let env_fix = actions.iter().find(|a| a["title"].as_str().unwrap().starts_with("Pass `")).expect("an env var fix");
    let diagnostics = apply_action(&mut client, &uri, &mut buffer, env_fix, &mut version);
    assert_eq!(codes(&diagnostics), ["expression-injection"], "only the issue body finding is left: {diagnostics:#?}");
    assert!(buffer.text().contains("ISSUE_TITLE: ${{ github.event.issue.title }}"), "{}", buffer.text());

    // "Ignore this finding here" adds a suppression comment; the last finding goes away.
    let actions = code_actions(&mut client, &uri, &diagnostics[0]);
    let ignore =
        actions.iter().find(|a| a["title"].as_str().unwrap().starts_with("Ignore this finding here")).expect("ignore");
    let diagnostics = apply_action(&mut client, &uri, &mut buffer, ignore, &mut version);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}\n{}", buffer.text());
    assert!(buffer.text().contains("# pipewarden: ignore[expression-injection]"));

    // Closing clears the diagnostics.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert!(client.diagnostics(&uri).is_empty());
    client.shutdown();
}

#[test]
fn hovers_explain_keys_and_context_paths_where_no_finding_is() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("hovers.yml");
    let text = fixture("lsp/hovers.yml");
    client.open(&uri, &text);
    // The trigger itself is reported (low), with nothing else.
    assert_eq!(codes(&client.diagnostics(&uri)), ["dangerous-trigger"]);
    let mut hover_at = |needle: &str| {
        let (line, _, column) = locate(&text, needle);
        let result = client
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": column + 1 } }),
            )
            .expect("hover succeeds");
        result["contents"]["value"].as_str().map(str::to_owned)
    };
    let trigger = hover_at("pull_request_target").expect("a hover on the trigger");
    assert!(trigger.contains("Initial Access › Public repositories") && trigger.contains("pwn request"), "{trigger}");
    let runs_on = hover_at("runs-on").expect("a hover on runs-on");
    assert!(runs_on.contains("PE03"), "{runs_on}");
    let title = hover_at("github.event.pull_request.title").expect("a hover on the context");
    assert!(title.contains("attacker-controlled"), "{title}");
    let sha = hover_at("github.sha").expect("a hover on a trusted context");
    assert!(sha.contains("set by GitHub"), "{sha}");
    assert_eq!(hover_at("ubuntu-latest"), None, "plain values have no hover");
    client.shutdown();
}

#[test]
fn gitlab_findings_hover_and_suppress_like_github_ones() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = "file:///work/repo/.gitlab-ci.yml";
    let mut buffer = Buffer::new(&fixture("lsp/pipeline.gitlab-ci.yml"));
    client.open(uri, &buffer.text());
    let diagnostics = client.diagnostics(uri);
    assert_eq!(codes(&diagnostics), ["gitlab-script-injection", "gitlab-script-injection"], "{diagnostics:#?}");
    let text = buffer.text();
    let hover_at = |client: &mut Client, needle: &str| {
        let (line, _, column) = locate(&text, needle);
        let result = client
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": column + 2 } }),
            )
            .expect("hover succeeds");
        result["contents"]["value"].as_str().map(str::to_owned).unwrap_or_default()
    };
    let finding = hover_at(&mut client, "$CI_MERGE_REQUEST_TITLE");
    assert!(finding.contains("`gitlab-script-injection`") && finding.contains("EX06"), "{finding}");
    assert!(finding.contains("inherited by `test`"), "{finding}");
    let slug = hover_at(&mut client, "$CI_COMMIT_REF_SLUG");
    assert!(slug.contains("cannot carry shell syntax"), "{slug}");

    // Both findings, one in a template reached through `!reference` and one inside a block
    // scalar, are silenced by a comment above their line.
    let mut version = 1;
    let mut diagnostics = diagnostics;
    while let Some(diagnostic) = diagnostics.first().cloned() {
        let actions = code_actions(&mut client, uri, &diagnostic);
        let ignore = actions
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with("Ignore this finding here"))
            .expect("ignore");
        let left = diagnostics.len();
        diagnostics = apply_action(&mut client, uri, &mut buffer, ignore, &mut version);
        assert_eq!(diagnostics.len(), left - 1, "{diagnostics:#?}\n{}", buffer.text());
    }
    let fixed = buffer.text();
    assert!(fixed.contains("    # pipewarden: ignore[gitlab-script-injection]\n    - eval"), "{fixed}");
    assert!(fixed.contains("    # pipewarden: ignore[gitlab-script-injection]\n    - |"), "{fixed}");
    client.shutdown();
}

#[test]
fn a_burst_of_unacknowledged_edits_leaves_identical_text() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("burst.yml");
    let mut buffer = Buffer::new(&fixture("lsp/triage.yml"));
    client.open(&uri, &buffer.text());
    let mut random = support::random(0x2545_f491_4f6c_dd1d);
    let alphabet = ['a', ' ', ':', '\n', '$', '{', 'é', '😀', '-', '"'];
    let count = 2000;
    for version in 2..count + 2 {
        let (line, column, next) = random_position(&buffer, &mut random);
        let edit = match next {
            Some(c) if random(3) == 0 => text_edit((line, column), (line, column + c.len_utf16() as u64), ""),
            _ => text_edit((line, column), (line, column), &alphabet[random(alphabet.len())].to_string()),
        };
        buffer.apply(&edit, "utf-16");
        client.change(&uri, version, json!([{ "range": edit["range"], "text": edit["newText"] }]));
    }
    client.diagnostics_for_version(&uri, count + 1);
    let served = client.request("pipewarden/documentText", json!({ "uri": uri })).expect("document text");
    assert_eq!(served["version"], count + 1);
    assert_eq!(served["text"].as_str().unwrap(), buffer.text());
    client.shutdown();
}

#[test]
fn findings_link_to_the_other_steps_of_the_attack_path() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("issue-triage.yml");
    client.open(&uri, &fixture("demo/.github/workflows/issue-triage.yml"));
    let diagnostics = client.diagnostics(&uri);
    let injection = diagnostics.iter().find(|d| d["code"] == "expression-injection").expect("an injection");
    let related = injection["relatedInformation"].as_array().expect("related information");
    let escalation = diagnostics.iter().find(|d| d["code"] == "excessive-permissions").expect("write-all");
    let linked = related.iter().find(|r| r["location"]["range"] == escalation["range"]).expect("a link to write-all");
    assert!(linked["message"].as_str().unwrap().contains("Privilege Escalation"), "{related:#?}");
    client.shutdown();
}

#[test]
fn a_code_lens_over_the_trigger_says_where_the_attack_path_goes() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("pwn-request.yml");
    let text = fixture("paths/.github/workflows/pwn-request.yml");
    client.open(&uri, &text);
    client.diagnostics(&uri);
    let lenses = client
        .request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }))
        .expect("code lenses succeed");
    let lenses = lenses.as_array().expect("a list of lenses");
    let lens = lenses
        .iter()
        .find(|lens| lens["command"]["title"].as_str().unwrap().contains("`release-preview`"))
        .unwrap_or_else(|| panic!("a lens for the pwn request: {lenses:#?}"));
    assert_eq!(
        lens["command"]["title"],
        "attack path through `release-preview`: 5 steps → publishes to npm (`npm publish`)"
    );
    let (line, _, _) = locate(&text, "pull_request_target:");
    assert_eq!(lens["range"]["start"]["line"], line as u64, "over the trigger");
    client.shutdown();
}

#[test]
fn trusted_owners_from_the_settings_apply_to_open_documents() {
    let (mut client, _) = Client::initialized(&[]);
    let uri = workflow_uri("deploy.yml");
    let text = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: my-org/deploy@main\n";
    client.open(&uri, text);
    assert_eq!(codes(&client.diagnostics(&uri)), ["unpinned-action"]);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "pipewarden": { "trustedOwners": ["my-org"] } } }),
    );
    assert!(client.diagnostics(&uri).is_empty());
    client.notify("workspace/didChangeConfiguration", json!({ "settings": { "pipewarden": { "trustedOwners": [] } } }));
    assert_eq!(codes(&client.diagnostics(&uri)), ["unpinned-action"]);
    client.shutdown();
}

#[test]
fn requests_for_documents_that_are_not_open_are_errors() {
    let (mut client, _) = Client::initialized(&[]);
    let uri = workflow_uri("never-opened.yml");
    let error = client
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
        )
        .expect_err("hover on an unknown document fails");
    assert_eq!(error["code"], -32602);
    let error = client
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [] } }),
        )
        .expect_err("code actions on an unknown document fail");
    assert_eq!(error["code"], -32602);
    // The server still serves documents that are open.
    let open = workflow_uri("triage.yml");
    client.open(&open, &fixture("lsp/triage.yml"));
    assert_eq!(codes(&client.diagnostics(&open)), ["expression-injection"]);
    client.shutdown();
}

#[test]
fn explain_returns_the_rule_documentation() {
    let (mut client, _) = Client::initialized(&[]);
    let text = client
        .request(
            "workspace/executeCommand",
            json!({ "command": "pipewarden.explain", "arguments": ["untrusted-checkout"] }),
        )
        .expect("explain succeeds");
    let text = text.as_str().unwrap();
    assert!(text.contains("Execution › Inject code to source code") && text.contains("#### How to fix it"), "{text}");
    let error = client
        .request("workspace/executeCommand", json!({ "command": "pipewarden.explain", "arguments": ["no-such-rule"] }))
        .expect_err("unknown rules are errors");
    assert_eq!(error["code"], -32602);
    client.shutdown();
}

#[test]
fn secrets_inherit_to_a_local_workflow_is_fixed_with_the_secrets_it_declares() {
    // The workspace holds the called workflows; the caller is open but not saved.
    let root = std::fs::canonicalize(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rules/secrets-inherit/finding-local-callee.workspace"
    ))
    .unwrap();
    let root_uri = format!("file://{}", root.display());
    let mut client = Client::start();
    client.request("initialize", json!({ "processId": null, "rootUri": root_uri, "capabilities": {} })).unwrap();
    client.notify("initialized", json!({}));
    let uri = format!("{root_uri}/.github/workflows/caller.yml");
    let text =
        "on: push\npermissions: {}\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n";
    client.open(&uri, text);
    let diagnostics = client.diagnostics(&uri);
    let inherit = diagnostics.iter().find(|d| d["code"] == "secrets-inherit").expect("secrets-inherit is reported");
    let actions = code_actions(&mut client, &uri, inherit);
    let mapping = actions
        .iter()
        .find(|action| action["title"].as_str().unwrap().starts_with("Pass only what"))
        .unwrap_or_else(|| panic!("an explicit mapping is offered: {actions:#?}"));
    assert_eq!(mapping["isPreferred"], true, "deploy.yml reads only what it declares");
    let mut buffer = Buffer::new(text);
    let after = apply_action(&mut client, &uri, &mut buffer, mapping, &mut 1);
    assert!(after.iter().all(|d| d["code"] != "secrets-inherit"), "{after:#?}");
    assert!(
        buffer.text().contains(
            "    secrets:\n      DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}\n      aws_role: ${{ secrets.aws_role }}\n"
        ),
        "{}",
        buffer.text()
    );
    // The same caller in another repository does not call these workflows.
    let elsewhere = workflow_uri("caller.yml");
    client.open(&elsewhere, text);
    let diagnostics = client.diagnostics(&elsewhere);
    let inherit = diagnostics.iter().find(|d| d["code"] == "secrets-inherit").expect("secrets-inherit is reported");
    let titles: Vec<String> = code_actions(&mut client, &elsewhere, inherit)
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(titles.iter().all(|title| !title.starts_with("Pass only what")), "{titles:?}");
    client.shutdown();
}

/// What random edits type: structure, findings, `needs` that join jobs into paths, lines
/// that move every tile below them, suppression comments.
const FRAGMENTS: &[&str] = &[
    "x",
    "\n",
    "  ",
    ": ",
    "- ",
    "\"",
    "é",
    "😀",
    "${{ github.event.issue.title }}",
    "\n      - run: echo ${{ github.event.comment.body }}",
    "\n    needs: [build]",
    "\n    needs: lint",
    "\n  extra:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.head_ref }}\"",
    "\n  # pipewarden: ignore[expression-injection]",
    "\npermissions: write-all",
    "\n  issue_comment:",
    "  pasted:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event.issue.body }}\n",
];

/// The diagnostics a document publishes after each edit, reused tile by tile from the
/// analysis before, equal those of its text opened afresh.
#[test]
fn diagnostics_after_edits_equal_those_of_the_text_opened_afresh() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("edited.yml");
    // Its findings chain into attack paths across jobs through `needs`; it has a suppression
    // comment and a multi-line script.
    let mut buffer = Buffer::new(&fixture("lsp/edited.yml"));
    client.open(&uri, &buffer.text());
    client.diagnostics(&uri);
    let mut random = support::random(0x9e37_79b9_7f4a_7c15);
    for version in 2..300 {
        let (line, column, _) = random_position(&buffer, &mut random);
        let edit = if random(3) == 0 {
            let (end_line, end_column, _) = random_position(&buffer, &mut random);
            let (start, end) = ((line, column).min((end_line, end_column)), (line, column).max((end_line, end_column)));
            // Deletions stay short, so the document keeps most of its structure.
            let end = if end.0 > start.0 + 2 { (start.0 + 1, 0) } else { end };
            text_edit(start, end, "")
        } else {
            text_edit((line, column), (line, column), FRAGMENTS[random(FRAGMENTS.len())])
        };
        buffer.apply(&edit, "utf-16");
        client.change(&uri, version, json!([{ "range": edit["range"], "text": edit["newText"] }]));
        let edited = client.diagnostics_for_version(&uri, version);
        let fresh_uri = workflow_uri(&format!("fresh-{version}.yml"));
        client.open(&fresh_uri, &buffer.text());
        let fresh = client.diagnostics(&fresh_uri);
        client.notify("textDocument/didClose", json!({ "textDocument": { "uri": fresh_uri } }));
        let fresh: Vec<Value> =
            serde_json::from_str(&serde_json::to_string(&fresh).unwrap().replace(&fresh_uri, &uri)).unwrap();
        assert_eq!(edited, fresh, "after edit {version}, text:\n{}", buffer.text());
    }
    client.shutdown();
}

/// A random place in the buffer, as an LSP line and UTF-16 column, and the character there.
fn random_position(buffer: &Buffer, random: &mut impl FnMut(usize) -> usize) -> (u64, u64, Option<char>) {
    let line = random(buffer.lines.len());
    let text = &buffer.lines[line];
    // A column on a character boundary: editors never split a surrogate pair.
    let byte = support::byte_column(text, random(text.encode_utf16().count() + 1), "utf-16");
    (line as u64, text[..byte].encode_utf16().count() as u64, text[byte..].chars().next())
}

fn text_edit(start: (u64, u64), end: (u64, u64), text: &str) -> Value {
    json!({
        "range": { "start": { "line": start.0, "character": start.1 }, "end": { "line": end.0, "character": end.1 } },
        "newText": text,
    })
}

fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    client
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
        )
        .expect("code actions succeed")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Applies a code action's edits as a client does (all edits refer to the text before any
/// of them, so they are applied from the end), sends them, and returns the new diagnostics.
fn apply_action(client: &mut Client, uri: &str, buffer: &mut Buffer, action: &Value, version: &mut i64) -> Vec<Value> {
    let mut edits = action["edit"]["changes"][uri].as_array().cloned().expect("edits for the document");
    edits.sort_by_key(|edit| {
        let start = &edit["range"]["start"];
        std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
    });
    let changes: Vec<Value> = edits
        .iter()
        .map(|edit| {
            buffer.apply(edit, "utf-16");
            json!({ "range": edit["range"], "text": edit["newText"] })
        })
        .collect();
    *version += 1;
    client.change(uri, *version, Value::Array(changes));
    client.diagnostics_for_version(uri, *version)
}
