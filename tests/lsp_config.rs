//! The project's `pipewarden.toml` as the language server reads it: found from the
//! workspace root, layered under the editor's settings, read again when it changes, and
//! reported (not fatal) when invalid; and the cap on a document's diagnostics.

mod support;

use serde_json::{Value, json};
use support::{Client, codes};

const WORKFLOW: &str = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: 5\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n      - run: echo \"${{ github.event.issue.body }}\"\n";

fn repository(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pipewarden-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    dir
}

fn start(root: &std::path::Path, settings: Value) -> Client {
    let mut client = Client::start();
    client
        .request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": format!("file://{}", root.display()),
                "initializationOptions": settings,
                "capabilities": { "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } },
            }),
        )
        .expect("initialize succeeds");
    client.notify("initialized", json!({}));
    client
}

#[test]
fn the_configuration_file_applies_changes_live_and_editor_settings_win() {
    let root = repository("config");
    let config = root.join("pipewarden.toml");
    std::fs::write(&config, "[rules]\ndisable = [\"expression-injection\"]\n").unwrap();
    let uri = format!("file://{}/.github/workflows/triage.yml", root.display());
    let mut client = start(&root, json!({}));
    client.open(&uri, WORKFLOW);
    let codes_now = codes(&client.diagnostics(&uri));
    assert!(!codes_now.contains(&"expression-injection".to_owned()), "{codes_now:?}");

    // The file changes on disk and the client says so: findings come back.
    std::fs::write(&config, "min-severity = \"low\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
    );
    let codes_now = codes(&client.diagnostics(&uri));
    assert_eq!(codes_now.iter().filter(|code| *code == "expression-injection").count(), 2, "{codes_now:?}");

    // An invalid file: one message naming its line and key; the defaults apply.
    std::fs::write(&config, "min-severity = \"low\"\n[rules]\ndisabled = [\"x\"]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
    );
    let message = client.wait_for(|message| message["method"] == "window/showMessage");
    let text = message["params"]["message"].as_str().unwrap();
    assert!(text.contains("pipewarden.toml:3:") && text.contains("disabled"), "{text}");
    assert!(codes(&client.diagnostics(&uri)).contains(&"expression-injection".to_owned()));

    // The editor's settings win over the file.
    std::fs::write(
        &config,
        "[rules]\ndisable = [\"dangerous-trigger\"]\nseverity = { expression-injection = \"low\" }\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
    );
    client.diagnostics(&uri);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "pipewarden": { "rules": { "severity": { "expression-injection": "high" } } } } }),
    );
    let diagnostics = client.diagnostics(&uri);
    let injection = diagnostics.iter().find(|d| d["code"] == "expression-injection").expect("the injection");
    assert_eq!(injection["severity"], 1, "high is an error: {injection}");
    assert!(!codes(&diagnostics).contains(&"dangerous-trigger".to_owned()), "the file's disabled rule stays disabled");
    client.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_document_publishes_at_most_max_diagnostics_the_most_severe_first() {
    let root = repository("cap");
    let uri = format!("file://{}/.github/workflows/many.yml", root.display());
    let mut client = start(&root, json!({ "pipewarden": { "maxDiagnostics": 1 } }));
    client.open(&uri, WORKFLOW);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(codes(&diagnostics), ["expression-injection", "more-findings"], "{diagnostics:#?}");
    assert!(diagnostics[1]["message"].as_str().unwrap().contains("not shown"));
    client.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}
