//! A hostile or broken client, against the real binary over stdio: after each abuse the
//! server must still answer and publish the right diagnostics for a known workflow.

mod support;

use serde_json::{Value, json};
use support::{Client, codes, fixture, workflow_uri};

const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_REQUEST: i64 = -32600;

/// Opens the known workflow under a fresh name and checks its diagnostics.
fn assert_serving(client: &mut Client, name: &str) {
    let uri = workflow_uri(name);
    client.open(&uri, &fixture("lsp/triage.yml"));
    assert_eq!(codes(&client.diagnostics(&uri)), ["expression-injection"]);
}

fn document_text(client: &mut Client, uri: &str) -> (i64, String) {
    let result = client.request("pipewarden/documentText", json!({ "uri": uri })).expect("the document is open");
    (result["version"].as_i64().unwrap(), result["text"].as_str().unwrap().to_owned())
}

fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({ "start": { "line": start.0, "character": start.1 }, "end": { "line": end.0, "character": end.1 } })
}

#[test]
fn changes_to_documents_that_are_not_open_are_ignored() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("never-opened.yml");
    client.change(&uri, 2, json!([{ "range": range((0, 0), (0, 0)), "text": "x" }]));
    client.change(&uri, 3, json!([{ "text": "on: push\n" }]));
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert!(client.request("pipewarden/documentText", json!({ "uri": uri })).is_err());
    assert_serving(&mut client, "after-unopened.yml");
    client.shutdown();
}

#[test]
fn ranges_past_the_end_and_inside_surrogate_pairs_are_clamped() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("clamped.yml");
    client.open(&uri, "name: 😀x\non: push\n");
    client.diagnostics(&uri);
    // Column 7 is between the two UTF-16 units of the emoji: its start is meant.
    client.change(&uri, 2, json!([{ "range": range((0, 7), (0, 7)), "text": "A" }]));
    // Past the end of a line means its end; past the last line, the end of the text.
    client.change(&uri, 3, json!([{ "range": range((1, 99), (1, 120)), "text": "B" }]));
    client.change(&uri, 4, json!([{ "range": range((99, 0), (120, 5)), "text": "# end\n" }]));
    // A reversed range is empty at its start.
    client.change(&uri, 5, json!([{ "range": range((1, 2), (0, 0)), "text": "C" }]));
    assert_eq!(document_text(&mut client, &uri), (5, "name: A😀x\nonC: pushB\n# end\n".to_owned()));
    client.diagnostics_for_version(&uri, 5);
    assert_serving(&mut client, "after-clamped.yml");
    client.shutdown();
}

#[test]
fn stale_versions_are_ignored_and_duplicate_opens_replace() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("versions.yml");
    client.open(&uri, "on: push\n");
    client.change(&uri, 5, json!([{ "text": "on: [push]\n" }]));
    client.change(&uri, 3, json!([{ "text": "stale: true\n" }]));
    client.change(&uri, 5, json!([{ "text": "same: version\n" }]));
    client.change(&uri, -7, json!([{ "text": "negative: version\n" }]));
    assert_eq!(document_text(&mut client, &uri), (5, "on: [push]\n".to_owned()));
    // A second didOpen of an open document starts it afresh, at its version, even a lower one.
    let workflow = fixture("lsp/triage.yml");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 2, "text": workflow } }),
    );
    assert_eq!(codes(&client.diagnostics_for_version(&uri, 2)), ["expression-injection"]);
    assert_eq!(document_text(&mut client, &uri), (2, workflow));
    assert_serving(&mut client, "after-versions.yml");
    client.shutdown();
}

#[test]
fn unknown_methods_are_answered_with_method_not_found() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let error = client.request("pipewarden/nonsense", json!({})).unwrap_err();
    assert_eq!(error["code"], METHOD_NOT_FOUND);
    let formatting =
        json!({ "textDocument": { "uri": workflow_uri("x.yml") }, "options": { "tabSize": 2, "insertSpaces": true } });
    let error = client.request("textDocument/formatting", formatting).unwrap_err();
    assert_eq!(error["code"], METHOD_NOT_FOUND);
    client.notify("pipewarden/unknownNotification", json!({ "x": 1 }));
    client.notify("$/unknownProtocolNotification", json!(null));
    assert_serving(&mut client, "after-unknown.yml");
    client.shutdown();
}

#[test]
fn malformed_messages_do_not_stop_the_server() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let bodies: [&[u8]; 6] = [
        b"{not json",
        b"[]",
        b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": 5}",
        b"{\"jsonrpc\": \"1.0\", \"method\": \"initialized\"}",
        b"{\"jsonrpc\": \"2.0\", \"method\": \"textDocument/didOpen\", \"params\": {\"textDocument\": 7}}",
        b"\xff\xfe\x00garbage",
    ];
    for body in bodies {
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(body);
        client.send_raw(&framed);
    }
    // A hover with parameters of the wrong shape is an error response, not a crash.
    assert!(client.request("textDocument/hover", json!({ "textDocument": 1 })).is_err());
    assert_serving(&mut client, "after-malformed.yml");
    client.shutdown();
}

#[test]
fn malformed_framing_does_not_stop_the_server() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    client.send_raw(b"X-Garbage: yes\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n");
    client.send_raw(b"Content-Length: 2\r\n\r\n{}");
    client.send_raw(b"Content-Length: abc\r\n\r\n");
    client.send_raw(b"Content-Length: -5\r\n\r\n");
    client.send_raw(b"garbage without any header at all\r\n\r\n");
    client.send_raw(b"Content-Length: 99999999999999999999\r\n\r\n");
    client.send_raw(b"\r\n\r\n");
    assert_serving(&mut client, "after-framing.yml");
    client.shutdown();
}

#[test]
fn cancelling_requests_in_flight_or_unknown_is_harmless() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("cancel.yml");
    client.open(&uri, &fixture("lsp/triage.yml"));
    client.diagnostics(&uri);
    client.notify("$/cancelRequest", json!({ "id": 12345 }));
    client.notify("$/cancelRequest", json!({ "id": "not-a-request" }));
    client.notify("$/cancelRequest", json!({}));
    // A request cancelled right after it was sent: either answered or cancelled, never lost.
    client.send(&json!({ "jsonrpc": "2.0", "id": 777, "method": "pipewarden/documentText", "params": { "uri": uri } }));
    client.notify("$/cancelRequest", json!({ "id": 777 }));
    match client.response(777) {
        Ok(result) => assert_eq!(result["version"], 1),
        Err(error) => assert_eq!(error["code"], -32800, "{error}"),
    }
    assert_serving(&mut client, "after-cancel.yml");
    client.shutdown();
}

#[test]
fn requests_after_shutdown_are_invalid() {
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let uri = workflow_uri("shutdown.yml");
    client.open(&uri, &fixture("lsp/triage.yml"));
    client.diagnostics(&uri);
    client.request("shutdown", Value::Null).expect("shutdown succeeds");
    for method in ["textDocument/hover", "pipewarden/documentText", "shutdown"] {
        let error = client
            .request(
                method,
                json!({ "textDocument": { "uri": uri }, "uri": uri, "position": { "line": 0, "character": 0 } }),
            )
            .unwrap_err();
        assert_eq!(error["code"], INVALID_REQUEST, "{method}: {error}");
    }
    client.notify("exit", Value::Null);
    client.wait_for_exit();
}
