//! A small LSP client for end-to-end tests: it starts the real `pipewarden lsp` binary and
//! speaks JSON-RPC to it over stdio, framing and all.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
}

impl Client {
    pub fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Self { child, stdin, incoming, next_id: 0, backlog: Vec::new() }
    }

    /// Starts a server and initializes it, offering the given position encodings.
    pub fn initialized(encodings: &[&str]) -> (Self, Value) {
        let mut client = Self::start();
        let result = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": { "general": { "positionEncodings": encodings } } }),
        );
        client.notify("initialized", json!({}));
        (client, result.expect("initialize succeeds"))
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Forgets the notifications read so far while waiting for other messages.
    pub fn clear_backlog(&mut self) {
        self.backlog.clear();
    }

    /// A notification framed as it goes on the wire, for tests that batch their writes.
    pub fn framed_notification(method: &str, params: Value) -> Vec<u8> {
        let body = serde_json::to_vec(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .expect("JSON serialises");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        framed
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("the server reads its input");
        self.stdin.flush().expect("the server reads its input");
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).expect("JSON serialises");
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let message = self.wait_for(|message| message.get("id") == Some(&json!(id)) && message.get("method").is_none());
        match message.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Waits for a message matching `predicate`, keeping the others in the backlog.
    pub fn wait_for(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.backlog.iter().position(&predicate) {
            return self.backlog.remove(index);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(remaining) {
                Ok(message) if predicate(&message) => return message,
                Ok(message) => {
                    // Answer requests from the server so it never waits on us.
                    if message.get("id").is_some() && message.get("method").is_some() {
                        let id = message["id"].clone();
                        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                    } else {
                        self.backlog.push(message);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for a message; backlog: {:#?}", self.backlog)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output; backlog: {:#?}", self.backlog)
                }
            }
        }
    }

    /// Waits for the next diagnostics published for `uri`, skipping older notifications.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
        });
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until diagnostics for `uri` published for `version` arrive.
    pub fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
        });
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// Shuts the server down and checks that it exits cleanly.
    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null).expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        self.wait_for_exit();
    }

    /// Waits for the server to exit after `exit`, and checks that it exited cleanly.
    pub fn wait_for_exit(mut self) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("the server can be waited for") {
                assert!(status.success(), "the server exited with {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit after `exit`");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A document kept in step with the edits a test sends, as an editor keeps its buffer.
pub struct Buffer {
    pub lines: Vec<String>,
}

impl Buffer {
    pub fn new(text: &str) -> Self {
        Self { lines: text.split('\n').map(str::to_owned).collect() }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    /// Applies an LSP text edit whose columns are in `encoding` ("utf-8" or "utf-16").
    pub fn apply(&mut self, edit: &Value, encoding: &str) {
        let offset = |position: &Value| {
            let line = position["line"].as_u64().unwrap() as usize;
            let column = position["character"].as_u64().unwrap() as usize;
            let before: usize = self.lines[..line].iter().map(|l| l.len() + 1).sum();
            before + byte_column(&self.lines[line], column, encoding)
        };
        let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
        let mut text = self.text();
        text.replace_range(start..end, edit["newText"].as_str().unwrap());
        *self = Self::new(&text);
    }
}

/// The byte column of a column counted in `encoding`.
pub fn byte_column(line: &str, column: usize, encoding: &str) -> usize {
    if encoding == "utf-8" {
        return column.min(line.len());
    }
    let mut units = 0;
    for (index, c) in line.char_indices() {
        if units >= column {
            return index;
        }
        units += c.len_utf16();
    }
    line.len()
}

/// A generator of numbers below a bound (xorshift), the same sequence for the same seed.
pub fn random(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound as u64) as usize
    }
}

/// A file URI for a fixture name that the server sees as a workflow.
pub fn workflow_uri(name: &str) -> String {
    format!("file:///work/repo/.github/workflows/{name}")
}

pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("{full}: {error}"))
}

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or_default().to_owned()).collect()
}
