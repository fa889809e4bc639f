//! What each stage of an analysis from scratch costs, on generated workflows of 1,000 and
//! 10,000 lines: parsing (tree-sitter, every tile), the model (value trees and job models, no
//! rule), the rules (with the report and its attack paths), and the conversion of the report
//! to the JSON of the language server's first `publishDiagnostics`. Then the throughput of
//! `check --format json` (the release binary, as CI runs it) on a directory of generated
//! workflows. Medians of repeated runs, in milliseconds and MB/s of input.
//!
//! Run with `cargo bench --bench stages`; `--quick` repeats each measurement fewer times.
//! Stages are measured by difference (parse and model, less parse), so on a busy machine a
//! small stage can read as zero.

use std::hint::black_box;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pipewarden::analysis::{Analyzer, tiling};
use pipewarden::lsp::first_publish;
use pipewarden::model::kind::FileKind;
use pipewarden::syntax::Source;
use pipewarden::text::Encoding;
use tower_lsp_server::ls_types::Uri;

mod generated;
use generated::workflow;

const KIND: FileKind = FileKind::GithubWorkflow;

/// How many generated 1,000-line workflows `check` reads.
const CHECKED_FILES: usize = 40;

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let runs = if quick { 5 } else { 21 };
    println!("each stage of an analysis from scratch, median of {runs} runs (MB/s of input)");
    println!(
        "{:<8} {:>8} {:>9} {:>18} {:>18} {:>18} {:>18}",
        "lines", "KB", "findings", "parse", "model", "rules", "to LSP JSON"
    );
    for lines in [1_000, 10_000] {
        stages(&workflow(lines), runs);
    }
    check_throughput(if quick { 3 } else { 7 });
}

/// Measures and prints the stages of one text.
fn stages(text: &str, runs: usize) {
    let parse = median(runs, || {
        let mut source = Source::new(text, tiling(KIND));
        black_box(source.tiles().len());
    });
    let parse_and_model = median(runs, || {
        black_box(Analyzer::with_rules(KIND, &[]).analyze_once(&mut Source::new(text, tiling(KIND))));
    });
    let whole = median(runs, || {
        black_box(Analyzer::new(KIND).analyze_once(&mut Source::new(text, tiling(KIND))));
    });
    // The conversion reads the tiles of an open document's analysis, as the server does.
    let mut source = Source::new(text, tiling(KIND));
    let report = Analyzer::new(KIND).analyze(&mut source);
    let uri: Uri = "file:///generated.yml".parse().expect("a valid URI");
    let mut json_len = 0;
    let convert = median(runs, || {
        let json = first_publish(&uri, &source, &report, Encoding::Utf16);
        json_len = black_box(json).len();
    });
    let rate = |time: Duration| format!("{} ({:.0})", ms(time), megabytes_per_second(text.len(), time));
    println!(
        "{:<8} {:>8} {:>9} {:>18} {:>18} {:>18} {:>18}",
        text.lines().count(),
        text.len() / 1024,
        report.findings.len(),
        rate(parse),
        rate(parse_and_model.saturating_sub(parse)),
        rate(whole.saturating_sub(parse_and_model)),
        format!("{} ({} KB)", ms(convert), json_len / 1024),
    );
}

/// Runs the release binary's `check --format json` on generated workflows.
fn check_throughput(runs: usize) {
    let root = std::env::temp_dir().join(format!("pipewarden-stages-{}", std::process::id()));
    let workflows = root.join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("a temporary directory");
    let text = workflow(1_000);
    for index in 0..CHECKED_FILES {
        std::fs::write(workflows.join(format!("w{index}.yml")), &text).expect("a temporary file");
    }
    let time = median(runs, || check(&root));
    let bytes = text.len() * CHECKED_FILES;
    println!(
        "\ncheck --format json, {CHECKED_FILES} workflows of {} lines ({} KB): {}, {:.1} MB/s",
        text.lines().count(),
        bytes / 1024,
        ms(time),
        megabytes_per_second(bytes, time)
    );
    std::fs::remove_dir_all(&root).expect("the temporary directory is ours");
}

fn check(root: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["check", "--format", "json"])
        .arg(root)
        .stdout(Stdio::null())
        .status()
        .expect("pipewarden runs");
    // Exit status 1 means findings, which the generated workflows have.
    assert!(matches!(status.code(), Some(0 | 1)), "check failed: {status}");
}

fn median(runs: usize, mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn megabytes_per_second(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64().max(1e-9)
}

fn ms(time: Duration) -> String {
    format!("{:.2} ms", time.as_secs_f64() * 1000.0)
}
