//! Replays typing into generated workflows of 1,000 and 10,000 lines and reports the cost of
//! each keystroke: the edit, the incremental re-parse, the model and the rules, as the
//! language server pays it. Run with `cargo bench --bench typing`.
//!
//! A from-scratch analysis of the same text is measured beside it, to show what the
//! incremental path saves and that its cost follows the edit, not the file.

use std::hint::black_box;
use std::time::{Duration, Instant};

use pipewarden::analysis::{Analyzer, analyze_text};
use pipewarden::model::kind::FileKind;
use pipewarden::syntax::Source;

mod generated;
use generated::workflow;

struct Scenario {
    name: &'static str,
    /// Where typing starts: a byte offset in the text.
    at: fn(&str) -> usize,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "in a job's run script, mid-file",
        at: |text| text[text.len() / 2..].find("make test").unwrap() + text.len() / 2,
    },
    Scenario { name: "in the workflow name (header)", at: |text| text.find("Generated").unwrap() },
];

const KEYSTROKES: &str = "echo typing a new command && make lint ";

fn main() {
    println!(
        "per-keystroke analysis time (edit + incremental re-parse + model + rules), {} keystrokes each",
        KEYSTROKES.len()
    );
    println!("{:<8} {:<34} {:>10} {:>10} {:>10} {:>14}", "lines", "where", "median", "p90", "max", "from scratch");
    for lines in [1_000, 10_000] {
        let text = workflow(lines);
        for scenario in SCENARIOS {
            let (incremental, scratch) = replay(&text, scenario);
            println!(
                "{:<8} {:<34} {:>10} {:>10} {:>10} {:>14}",
                text.lines().count(),
                scenario.name,
                show(percentile(&incremental, 50)),
                show(percentile(&incremental, 90)),
                show(percentile(&incremental, 100)),
                show(percentile(&scratch, 50)),
            );
        }
    }
}

/// Types `KEYSTROKES` one character at a time; returns the incremental and from-scratch times.
fn replay(text: &str, scenario: &Scenario) -> (Vec<Duration>, Vec<Duration>) {
    let mut source = Source::new(text, pipewarden::analysis::tiling(FileKind::GithubWorkflow));
    let mut analyzer = Analyzer::new(FileKind::GithubWorkflow);
    black_box(analyzer.analyze(&mut source));
    let mut offset = (scenario.at)(text);
    let (mut incremental, mut scratch) = (Vec::new(), Vec::new());
    for c in KEYSTROKES.chars() {
        let started = Instant::now();
        source.replace(offset..offset, c.encode_utf8(&mut [0; 4]));
        black_box(analyzer.analyze(&mut source));
        incremental.push(started.elapsed());
        offset += c.len_utf8();
        let current = source.rope().to_string();
        let started = Instant::now();
        black_box(analyze_text(FileKind::GithubWorkflow, &current));
        scratch.push(started.elapsed());
    }
    (incremental, scratch)
}

fn percentile(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[((sorted.len() - 1) * p) / 100]
}

fn show(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}
