//! The latency harness: the real language server, spawned over stdio, as an editor drives it.
//! It opens generated workflows of about 1,000 and 12,000 lines, replays typing in a job's
//! script, typing in the workflow's header, and pasting then deleting a whole job, and
//! measures each edit from the moment its `didChange` is written to the moment the first byte
//! of the `publishDiagnostics` for that version arrives. It prints p50/p95/p99 per scenario,
//! the server's resident memory, what the generated document adds to it (over the server
//! with a one-job workflow open, its analysis code loaded and at work) and its CPU time per
//! edit. When `zizmor` is on the PATH, it
//! replays the same edits against `zizmor --lsp` and prints the ratio.
//!
//! Run with `cargo bench --bench latency` (release build). `--quick` runs fewer edits;
//! `--no-zizmor` skips the peer; `--only TEXT` runs only the scenarios whose label
//! ("12,000 lines, typing in a job") contains TEXT; `--server PATH` measures another build of
//! pipewarden (the one before a change, say) instead of this one.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long one publish may take before the harness gives up on the server.
const TIMEOUT: Duration = Duration::from_secs(120);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    let with_zizmor = !args.iter().any(|arg| arg == "--no-zizmor") && which("zizmor");
    let only = args.iter().position(|arg| arg == "--only").and_then(|at| args.get(at + 1));
    // Another build of pipewarden to measure, e.g. the one before a change.
    let server = args.iter().position(|arg| arg == "--server").and_then(|at| args.get(at + 1));
    let server = server.map_or(env!("CARGO_BIN_EXE_pipewarden"), String::as_str);
    println!("edit → first byte of publishDiagnostics, over stdio (release build of pipewarden)");
    println!(
        "{:<34} {:>7} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "file", "lines", "findings", "edits", "p50", "p95", "p99", "max", "RSS", "document", "CPU/edit"
    );
    for file in FILES {
        let text = (file.generate)();
        let edits = if quick { 40 } else { 200 };
        for scenario in SCENARIOS {
            let label = format!("{}, {}", file.name, scenario.name);
            if only.is_some_and(|only| !label.contains(only.as_str())) {
                continue;
            }
            let mut server = Server::spawn(server, &["lsp"]);
            let Replay { latencies, findings, cpu, base_rss } = server.replay(&text, scenario, edits);
            let rss = server.rss_kib();
            server.exit();
            println!(
                "{label:<34} {:>7} {findings:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>5} MiB {:>6} MiB {:>9}",
                text.lines().count(),
                latencies.len(),
                ms(percentile(&latencies, 50.0)),
                ms(percentile(&latencies, 95.0)),
                ms(percentile(&latencies, 99.0)),
                ms(percentile(&latencies, 100.0)),
                rss / 1024,
                rss.saturating_sub(base_rss) / 1024,
                ms(cpu),
            );
            if with_zizmor && file.compare_with_zizmor {
                let mut zizmor = Server::spawn("zizmor", &["--lsp"]);
                let zizmor_edits = if quick { 5 } else { 20 };
                let theirs = zizmor.replay(&text, scenario, zizmor_edits).latencies;
                zizmor.exit();
                let (ours, theirs) = (percentile(&latencies, 50.0), percentile(&theirs, 50.0));
                println!(
                    "{:<34} {:>7} {:>9} {:>6} {:>9}   pipewarden is {:.0}× faster at p50",
                    "  zizmor --lsp, same edits",
                    "",
                    "",
                    zizmor_edits,
                    ms(theirs),
                    theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9),
                );
            }
        }
    }
}

/// A generated workflow.
struct File {
    name: &'static str,
    generate: fn() -> String,
    compare_with_zizmor: bool,
}

const FILES: &[File] = &[
    File { name: "1,000 lines", generate: || workflow(100, 10, 1), compare_with_zizmor: true },
    File { name: "12,000 lines", generate: || workflow(1_000, 12, 1), compare_with_zizmor: true },
    File { name: "11,000 lines, 3 per job", generate: || workflow(1_000, 11, 3), compare_with_zizmor: false },
];

/// A workflow of `jobs` jobs of `lines` lines each (at least 10), each with `per_job`
/// injection findings. The jobs are otherwise clean for every rule, so the finding count is
/// what the generator says plus the few the header draws.
fn workflow(jobs: usize, lines: usize, per_job: usize) -> String {
    let mut text = String::from(
        "name: Generated\non:\n  issues:\npermissions:\n  contents: read\nconcurrency:\n  group: ${{ github.workflow }}\njobs:\n",
    );
    for job in 0..jobs {
        let injected: String =
            (0..per_job).map(|i| format!("          echo \"{i} ${{{{ github.event.issue.title }}}}\"\n")).collect();
        let quiet = "          true\n".repeat(lines.saturating_sub(9 + per_job));
        text.push_str(&format!(
            "  job_{job}:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n    steps:\n      - name: Build {job}\n        run: |\n          echo building {job}\n{injected}{quiet}          make target_{job}\n      - run: echo done\n"
        ));
    }
    text
}

/// A sequence of edits, each a function of the current text and the edit's index.
struct Scenario {
    name: &'static str,
    edit: fn(&str, usize) -> Edit,
}

/// Replace `range` (byte offsets) with `text`.
struct Edit {
    range: std::ops::Range<usize>,
    text: String,
}

const SCENARIOS: &[Scenario] = &[
    Scenario { name: "typing in a job", edit: |text, i| type_at(text, middle_job(text) + "  job_".len(), i) },
    Scenario { name: "typing in the header", edit: |text, i| type_at(text, "name: ".len(), i) },
    Scenario {
        name: "pasting and deleting a job",
        edit: |text, i| {
            let pasted = "  pasted:\n    runs-on: ubuntu-latest\n    timeout-minutes: 5\n    steps:\n      - run: echo \"${{ github.event.issue.body }}\"\n";
            match text.find(pasted) {
                Some(at) if i % 2 == 1 => Edit { range: at..at + pasted.len(), text: String::new() },
                _ => {
                    let at = middle_job(text);
                    Edit { range: at..at, text: pasted.to_owned() }
                }
            }
        },
    },
];

/// The start of the job in the middle of the file.
fn middle_job(text: &str) -> usize {
    let half = text.len() / 2;
    half + text[half..].find("\n  job_").map_or(0, |found| found + 1)
}

/// Typing a character after `at` and, every other edit, deleting it again, so that the text
/// keeps its size.
fn type_at(_text: &str, at: usize, i: usize) -> Edit {
    if i.is_multiple_of(2) {
        Edit { range: at..at, text: "x".to_owned() }
    } else {
        Edit { range: at..at + 1, text: String::new() }
    }
}

/// A language server process and what it has published.
struct Server {
    child: Child,
    stdin: ChildStdin,
    frames: Receiver<(Instant, Value)>,
    next_id: u64,
    /// Whether the server takes incremental changes; otherwise each change sends the text.
    incremental: bool,
}

/// What one replay measured.
struct Replay {
    /// Of each edit, from sending it to the first byte of its diagnostics.
    latencies: Vec<Duration>,
    /// How many diagnostics were last published.
    findings: usize,
    /// The CPU time the server spent per edit.
    cpu: Duration,
    /// The server's RSS with only the one-job workflow open, in KiB.
    base_rss: u64,
}

/// Opened before the generated document.
const SMALL_WORKFLOW: &str = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n";

impl Server {
    fn spawn(program: &str, args: &[&str]) -> Self {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("{program} starts: {error}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, frames) = mpsc::channel();
        std::thread::spawn(move || read_frames(stdout, |arrived, value| sender.send((arrived, value)).is_ok()));
        Self { child, stdin, frames, next_id: 1, incremental: true }
    }

    /// Opens a one-job workflow, then `text`, and applies `count` edits of `scenario` to
    /// `text` one at a time.
    fn replay(&mut self, text: &str, scenario: &Scenario, count: usize) -> Replay {
        let initialized = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
        );
        let sync = &initialized["result"]["capabilities"]["textDocumentSync"];
        self.incremental = sync.as_u64().or_else(|| sync["change"].as_u64()) == Some(2);
        self.notify("initialized", json!({}));
        // A server may register capabilities before it takes documents: answer it first.
        self.drain(Duration::from_millis(500));
        // The server's memory with the analysis at work on a one-job workflow: what the
        // generated document costs is measured from there.
        let small = format!("file://{}/.github/workflows/small.yml", std::env::temp_dir().display());
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": small, "languageId": "yaml", "version": 1, "text": SMALL_WORKFLOW}}),
        );
        self.published(&small, 1);
        let base_rss = self.rss_kib();
        let uri = format!("file://{}/.github/workflows/generated.yml", std::env::temp_dir().display());
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        let mut findings = self.published(&uri, 1).1;
        let cpu_before = self.cpu_time();
        let mut current = text.to_owned();
        let mut latencies = Vec::with_capacity(count);
        for index in 0..count {
            let edit = (scenario.edit)(&current, index);
            let range = lsp_range(&current, &edit.range);
            current.replace_range(edit.range.clone(), &edit.text);
            let version = index as i64 + 2;
            let change =
                if self.incremental { json!({"range": range, "text": edit.text}) } else { json!({"text": current}) };
            let sent = Instant::now();
            self.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
            );
            let (arrived, count) = self.published(&uri, version);
            latencies.push(arrived.saturating_duration_since(sent));
            findings = count;
        }
        let cpu = self.cpu_time().saturating_sub(cpu_before) / count.max(1) as u32;
        Replay { latencies, findings, cpu, base_rss }
    }

    /// Waits for the diagnostics of `version` (or, from a server that does not send
    /// versions, the next diagnostics) and returns when their first byte arrived.
    fn published(&mut self, uri: &str, version: i64) -> (Instant, usize) {
        loop {
            let (arrived, frame) = self.frames.recv_timeout(TIMEOUT).expect("the server publishes diagnostics");
            self.answer(&frame);
            if frame["method"] != "textDocument/publishDiagnostics" || frame["params"]["uri"] != uri {
                continue;
            }
            let published = frame["params"]["version"].as_i64();
            if published.is_none_or(|published| published >= version) {
                return (arrived, frame["params"]["diagnostics"].as_array().map_or(0, Vec::len));
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let (_, frame) = self.frames.recv_timeout(TIMEOUT).expect("the server answers");
            if frame["id"] == id && frame.get("method").is_none() {
                return frame;
            }
            self.answer(&frame);
        }
    }

    /// Answers a request from the server (capability registration, configuration) with null.
    fn answer(&mut self, frame: &Value) {
        if let (Some(id), Some(_)) = (frame.get("id"), frame.get("method")) {
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
        }
    }

    /// Handles whatever the server sends for `duration`.
    fn drain(&mut self, duration: Duration) {
        let until = Instant::now() + duration;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.frames.recv_timeout(left) {
                Ok((_, frame)) => self.answer(&frame),
                Err(_) => return,
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("the server reads");
        self.stdin.flush().expect("the server reads");
    }

    /// The CPU time all the server's threads have run, from the scheduler's account in
    /// nanoseconds (`/proc/PID/task/*/schedstat`), which is exact where the clock ticks of
    /// `/proc/PID/stat` are too coarse for a keystroke; threads that have ended are not counted.
    fn cpu_time(&self) -> Duration {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.child.id())) else {
            return Duration::ZERO;
        };
        let nanos: u64 = tasks
            .filter_map(Result::ok)
            .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
            .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
            .sum();
        Duration::from_nanos(nanos)
    }

    /// Resident memory, from `/proc`.
    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|line| line.strip_prefix("VmRSS:")?.trim().strip_suffix("kB")?.trim().parse().ok())
            })
            .unwrap_or(0)
    }

    fn exit(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

/// Reads LSP frames, calling `deliver` with the instant each frame's first byte arrived.
fn read_frames(stdout: impl Read, mut deliver: impl FnMut(Instant, Value) -> bool) {
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    loop {
        // The first byte of the frame: block until some is available, and note when.
        match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(_) => {}
        }
        let arrived = Instant::now();
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(value) = serde_json::from_slice(&body)
            && !deliver(arrived, value)
        {
            return;
        }
    }
}

/// An LSP range (UTF-16 columns) of a byte range.
fn lsp_range(text: &str, range: &std::ops::Range<usize>) -> Value {
    let position = |offset: usize| {
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
        json!({"line": line, "character": character})
    };
    json!({"start": position(range.start), "end": position(range.end)})
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * p / 100.0).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
