//! A rule that panics must cost only its own findings: the others are still reported, the
//! failure is reported once (one log message, one `internal-error` diagnostic), and the server
//! keeps serving. The server runs in-process over a pipe, with rules chosen by the test.

use std::sync::atomic::{AtomicUsize, Ordering};

use pipewarden::analysis::{Analyzer, analyze_text};
use pipewarden::matrix::Technique;
use pipewarden::model::kind::FileKind;
use pipewarden::rules::{Confidence, Findings, JobContext, Platform, REGISTRY, Rule, RuleDocs, RuleMeta, Severity};
use pipewarden::syntax::Source;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

const WORKFLOW: &str = "on: issues\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n    timeout-minutes: 5\n";
const URI: &str = "file:///repo/.github/workflows/triage.yml";

/// Panics on every job it is shown.
struct Panics;

static PANICS: RuleMeta = RuleMeta {
    id: "panics",
    technique: Technique::PR01,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs { summary: "", detects: "", why: "", attack: "", example: "", fixed_example: "", fix: "" },
    references: &[],
};

static PANICKED: AtomicUsize = AtomicUsize::new(0);

impl Rule for Panics {
    fn meta(&self) -> &'static RuleMeta {
        &PANICS
    }

    fn check_job(&self, _: &JobContext<'_>, _: &mut Findings) {
        PANICKED.fetch_add(1, Ordering::SeqCst);
        panic!("this rule always panics");
    }
}

/// Panics before any rule's hook is called, outside the rules' isolation.
struct PanicsEverywhere;

impl Rule for PanicsEverywhere {
    fn meta(&self) -> &'static RuleMeta {
        panic!("even the metadata panics")
    }
}

fn with_registry(first: &'static dyn Rule) -> &'static [&'static dyn Rule] {
    let rules: Vec<&'static dyn Rule> = std::iter::once(first).chain(REGISTRY.iter().copied()).collect();
    Box::leak(rules.into_boxed_slice())
}

fn rule_ids(report: &pipewarden::analysis::Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule.id).collect()
}

#[test]
fn a_panicking_rule_loses_only_its_own_findings() {
    let rules = with_registry(&Panics);
    let expected = rule_ids(&analyze_text(FileKind::GithubWorkflow, WORKFLOW));
    assert!(!expected.is_empty());
    let mut source = Source::new(WORKFLOW, pipewarden::analysis::tiling(FileKind::GithubWorkflow));
    let mut analyzer = Analyzer::with_rules(FileKind::GithubWorkflow, rules);
    for edit in 0..3 {
        let report = analyzer.analyze(&mut source);
        assert_eq!(rule_ids(&report), expected, "after {edit} edits");
        assert_eq!(report.failures.len(), 1, "one failure per rule: {:?}", report.failures);
        assert_eq!(report.failures[0].rule, "panics");
        assert!(report.failures[0].message.contains("always panics"));
        source.replace(0..0, "# comment\n");
    }
}

/// A minimal LSP client over an in-process pipe.
struct Pipe {
    to_server: WriteHalf<DuplexStream>,
    from_server: BufReader<ReadHalf<DuplexStream>>,
    next_id: i64,
    /// Notifications read so far.
    seen: Vec<Value>,
}

impl Pipe {
    async fn start(rules: &'static [&'static dyn Rule]) -> Self {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        tokio::spawn(pipewarden::lsp::serve_with_rules(server_read, server_write, rules));
        let (from_server, to_server) = tokio::io::split(client_end);
        let mut pipe = Self { to_server, from_server: BufReader::new(from_server), next_id: 0, seen: Vec::new() };
        pipe.request("initialize", json!({ "capabilities": {} })).await.unwrap();
        pipe.notify("initialized", json!({})).await;
        pipe
    }

    async fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.to_server.write_all(header.as_bytes()).await.unwrap();
        self.to_server.write_all(&body).await.unwrap();
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params })).await;
    }

    async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        loop {
            let message = self.read().await;
            if message["id"] == id && message.get("method").is_none() {
                return match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message["result"].clone()),
                };
            }
        }
    }

    /// The next message from the server; notifications are also kept in `seen`.
    async fn read(&mut self) -> Value {
        let read = async {
            let mut length = 0;
            loop {
                let mut line = String::new();
                assert!(self.from_server.read_line(&mut line).await.unwrap() > 0, "server gone");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length:") {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            self.from_server.read_exact(&mut body).await.unwrap();
            serde_json::from_slice::<Value>(&body).unwrap()
        };
        let message = tokio::time::timeout(std::time::Duration::from_secs(30), read).await.expect("the server answers");
        if message.get("method").is_some() && message.get("id").is_none() {
            self.seen.push(message.clone());
        }
        message
    }

    async fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            let message = self.read().await;
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && message["params"]["version"] == version
            {
                return message["params"]["diagnostics"].as_array().cloned().unwrap();
            }
        }
    }

    fn failure_logs(&self) -> usize {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .filter(|m| m["params"]["message"].as_str().unwrap().contains("panicked"))
            .count()
    }
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    let mut codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    codes.sort();
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reports_a_panicking_rule_once_and_keeps_the_others() {
    let mut pipe = Pipe::start(with_registry(&Panics)).await;
    pipe.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": WORKFLOW } }),
    )
    .await;
    let expected = ["excessive-permissions", "expression-injection", "internal-error"];
    assert_eq!(codes(&pipe.diagnostics_for_version(URI, 1).await), expected);
    for version in 2..=6 {
        pipe.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [
                { "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "# edit\n" }
            ] }),
        )
        .await;
        let diagnostics = pipe.diagnostics_for_version(URI, version).await;
        assert_eq!(codes(&diagnostics), expected, "version {version}");
    }
    assert!(PANICKED.load(Ordering::SeqCst) > 0);
    assert_eq!(pipe.failure_logs(), 1, "logged once: {:#?}", pipe.seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_outside_the_rules_does_not_take_the_server_down() {
    let mut pipe = Pipe::start(with_registry(&PanicsEverywhere)).await;
    pipe.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "yaml", "version": 1, "text": WORKFLOW } }),
    )
    .await;
    let diagnostics = pipe.diagnostics_for_version(URI, 1).await;
    assert_eq!(codes(&diagnostics), ["internal-error"]);
    // The document's lock was held during the panic: it must still be usable.
    for version in 2..=3 {
        pipe.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": WORKFLOW }] }),
        )
        .await;
        assert_eq!(codes(&pipe.diagnostics_for_version(URI, version).await), ["internal-error"]);
    }
    let text = pipe.request("pipewarden/documentText", json!({ "uri": URI })).await.unwrap();
    assert_eq!(text["version"], 3);
    let hover = pipe
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 5, "character": 20 } }),
        )
        .await;
    assert!(hover.is_ok(), "{hover:?}");
    assert_eq!(pipe.failure_logs(), 1, "{:#?}", pipe.seen);
    pipe.request("shutdown", Value::Null).await.unwrap();
}
