//! Hostile YAML: every input here must be analysed as every kind of file, and checked by the
//! `check` binary, in bounded time and without aborting the process. The analyses run on a
//! thread with the 2 MiB stack that tokio's workers (the language server) and test threads
//! get, in debug builds, so deep recursion anywhere would overflow here first. A watchdog
//! turns a hang into a failure; it is not a performance assertion.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use pipewarden::analysis::analyze_text;
use pipewarden::model::kind::FileKind;
use serde_json::Value;

const KINDS: [FileKind; 3] = [FileKind::GithubWorkflow, FileKind::GithubAction, FileKind::GitlabCi];

/// Far longer than any of these takes in a debug build; only a hang gets here.
const WATCHDOG: Duration = Duration::from_secs(120);

const STACK: usize = 2 << 20;

/// Runs `work` on a thread with [`STACK`] bytes of stack, failing if it takes [`WATCHDOG`].
fn guarded<T: Send + 'static>(name: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = mpsc::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(STACK)
        .spawn(move || {
            let _ = done.send(work());
        })
        .expect("a thread starts");
    match result.recv_timeout(WATCHDOG) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no result after {WATCHDOG:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: the work panicked"),
    }
}

/// Analyses `text` as every kind of file and checks that every range in the report is valid.
fn analyze_all(name: &str, text: String) {
    guarded(name, move || {
        for kind in KINDS {
            let report = analyze_text(kind, &text);
            assert!(report.failures.is_empty(), "{kind:?}: {:?}", report.failures);
            let ranges = report.findings.iter().map(|f| &f.range).chain(report.syntax_errors.iter().map(|e| &e.range));
            for range in ranges {
                assert!(range.start <= range.end && range.end <= text.len());
                assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            }
        }
    });
}

fn nested_indented_mappings(levels: usize) -> String {
    (0..levels).map(|i| format!("{}a:\n", " ".repeat(i))).collect()
}

/// `x{i}: &a{i}` anchors, each merging or listing ten aliases of the one before.
fn alias_bomb(levels: usize, line: impl Fn(usize, String) -> String) -> String {
    let mut text = String::from("x0: &a0 {k: v, script: echo, runs-on: x}\n");
    for level in 1..=levels {
        let aliases = vec![format!("*a{}", level - 1); 10].join(", ");
        text.push_str(&line(level, aliases));
    }
    text
}

fn cases() -> Vec<(&'static str, String)> {
    let deep = 100_000;
    let bomb = 12;
    vec![
        ("flow mappings", format!("on: {}{}\n", "{a: ".repeat(deep), "}".repeat(deep))),
        ("flow sequences", format!("on: {}{}\n", "[".repeat(deep), "]".repeat(deep))),
        ("unclosed flow", format!("jobs: {}\n", "{a: [".repeat(deep))),
        ("unclosed brackets", format!("on: {}\n", "[".repeat(deep))),
        ("unclosed braces", format!("- {}\n", "{".repeat(deep))),
        ("unclosed quotes", "a: \"\n'\n[\n".repeat(deep / 10)),
        ("closers only", format!("on: x{}\n", "]}".repeat(deep))),
        ("block sequences", format!("jobs:\n  {}x\n", "- ".repeat(deep))),
        ("block mappings (explicit keys)", format!("{}x\n", "? ".repeat(deep))),
        ("block mappings (indented)", nested_indented_mappings(3_000)),
        ("block sequences of mappings", (0..2_000).map(|i| format!("{}- a:\n", " ".repeat(2 * i))).collect()),
        (
            "alias bomb (sequences)",
            alias_bomb(bomb, |i, aliases| format!("x{i}: &a{i} [{aliases}]\n"))
                + &format!("on: push\njobs:\n  j:\n    steps: *a{bomb}\n    env: *a{bomb}\n"),
        ),
        (
            "alias bomb (merge keys)",
            alias_bomb(bomb, |i, aliases| format!("x{i}: &a{i} {{<<: [{aliases}]}}\n"))
                + &format!(
                    "on: push\njobs:\n  j:\n    <<: *a{bomb}\n    env:\n      <<: *a{bomb}\n    steps:\n      - run: echo\n        env: {{<<: *a{bomb}}}\n"
                ),
        ),
        (
            "alias bomb (GitLab merges and extends)",
            (1..=bomb).fold(
                alias_bomb(bomb, |i, aliases| format!(".x{i}: &a{i} {{<<: [{aliases}]}}\n")) + ".t0:\n  script: echo\n",
                |text, i| {
                    let parents = vec![format!(".t{}", i - 1); 10].join(", ");
                    text + &format!(".t{i}:\n  extends: [{parents}]\n  variables: {{<<: *a{i}}}\n  <<: *a{i}\n")
                },
            ) + &format!("build:\n  extends: [.t{bomb}, .t{bomb}]\n"),
        ),
        ("alias cycle", "a: &a [*a, *a]\nb: &b {<<: *b}\non: *a\njobs: *b\n".to_owned()),
        (
            "100,000 anchors and aliases of one name",
            (0..deep).fold("on: push\njobs:\n  a:\n    env:\n".to_owned(), |text, i| {
                text + &format!("      A{i}: &a x\n      B{i}: *a\n")
            }),
        ),
        (
            "100,000 jobs",
            (0..100_000).fold("on: issues\njobs:\n".to_owned(), |text, i| {
                text + &format!("  j{i}:\n    runs-on: x\n    steps:\n      - run: make\n")
            }),
        ),
        (
            "10 MB line",
            format!(
                "on: issues\njobs:\n  a:\n    steps:\n      - run: echo ${{{{ github.event.issue.title }}}} {}\n",
                "x".repeat(10 << 20)
            ),
        ),
        (
            "unclosed indexes in an expression",
            format!(
                "on: issues\njobs:\n  a:\n    steps:\n      - run: ${{{{ {} }}}}\n",
                "github.event.issue[".repeat(deep)
            ),
        ),
        (
            "unclosed calls in an expression",
            format!(
                "on: issues\njobs:\n  a:\n    steps:\n      - run: ${{{{ {} }}}}\n",
                "contains(github.event.issue.body ".repeat(deep)
            ),
        ),
        (
            "100,000 findings on one line",
            format!(
                "on: issues\njobs:\n  a:\n    steps:\n      - run: echo {}\n",
                "${{ github.event.issue.body }} ".repeat(100_000)
            ),
        ),
        ("binary garbage", String::from_utf8_lossy(&garbage(1 << 20)).into_owned()),
        ("NUL bytes", "on: push\0\njobs:\n  a:\0\n    steps:\n      - run: \0echo\n".repeat(1_000)),
        ("BOM", format!("\u{feff}{}", injection_workflow())),
        ("BOMs everywhere", injection_workflow().replace('\n', "\n\u{feff}")),
        ("CRLF", injection_workflow().replace('\n', "\r\n")),
        ("lone CR", injection_workflow().replace('\n', "\r")),
        ("tabs", injection_workflow().replace("  ", "\t")),
        ("duplicate keys", injection_workflow().repeat(3) + "jobs:\njobs: {}\non:\n"),
        ("unterminated block scalar", "on: issues\njobs:\n  a:\n    steps:\n      - run: |".to_owned()),
        (
            "unterminated double quote",
            format!(
                "on: issues\njobs:\n  a:\n    steps:\n      - run: \"echo ${{{{ github.event.issue.title }}}}\n{}",
                "x: y\n".repeat(1_000)
            ),
        ),
        ("unterminated single quote", "on: 'issues\njobs:\n  a: {steps: [{run: 'echo\n".to_owned()),
        (
            "unterminated expression",
            "on: issues\njobs:\n  a:\n    steps:\n      - run: ${{ github.event.issue.title ${{ ['".repeat(1_000),
        ),
    ]
}

fn injection_workflow() -> String {
    "on: issues\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.issue.title }}\"\n".to_owned()
}

/// Deterministic pseudo-random bytes.
fn garbage(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[test]
fn hostile_yaml_is_analysed_as_every_kind() {
    for (name, text) in cases() {
        analyze_all(name, text);
    }
}

#[test]
fn a_fifty_megabyte_file_is_refused_with_one_error() {
    let step = "      - run: echo \"a step of an enormous job\" && make test\n";
    let mut text = injection_workflow() + "    permissions: write-all\n    steps:\n";
    while text.len() < 50 << 20 {
        text.push_str(step);
    }
    let tree = Tree::new("fifty");
    tree.write(".github/workflows/big.yml", text.as_bytes());
    let output = guarded("check 50 MB", move || tree.check());
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.findings.is_empty(), "{:?}", output.findings);
    assert!(output.stderr.contains("pipewarden analyses pipeline files of up to 8 MiB"), "{}", output.stderr);
}

#[test]
fn check_survives_hostile_files() {
    // The cases that are about files rather than analysis; a debug binary is slow enough on
    // the big ones that `hostile_yaml_is_analysed_as_every_kind` covers those in-process.
    let about_files = [
        "binary garbage",
        "NUL bytes",
        "BOM",
        "BOMs everywhere",
        "CRLF",
        "lone CR",
        "tabs",
        "duplicate keys",
        "unterminated block scalar",
        "unterminated double quote",
        "unterminated single quote",
        "flow sequences",
        "block mappings (explicit keys)",
        "block mappings (indented)",
        "alias bomb (merge keys)",
        "alias bomb (GitLab extends)",
    ];
    let tree = Tree::new("all");
    let chosen = cases().into_iter().filter(|(name, _)| about_files.contains(name));
    for (index, (_, text)) in chosen.enumerate() {
        tree.write(&format!(".github/workflows/{index}.yml"), text.as_bytes());
        tree.write(&format!("gitlab/{index}.gitlab-ci.yml"), text.as_bytes());
        tree.write(&format!("actions/{index}/action.yml"), text.as_bytes());
    }
    let output = guarded("check hostile files", move || tree.check());
    assert_eq!(output.code, 1, "syntax errors and findings: {}", output.stderr);
}

/// Invalid UTF-8 is reported on stderr and skipped; the other files are still checked, and it
/// does not change the exit status, which reflects the files that were read.
#[test]
fn invalid_utf8_is_reported_and_skipped() {
    let tree = Tree::new("utf8");
    let mut invalid = injection_workflow().into_bytes();
    invalid.extend([0xFF, 0xFE, b'\n', 0xC3, b'(']);
    tree.write(".github/workflows/a-invalid.yml", &invalid);
    tree.write(".github/workflows/b-valid.yml", injection_workflow().as_bytes());
    tree.write(".github/workflows/c-garbage.yml", &garbage(4096));
    let output = tree.check();
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("a-invalid.yml") && output.stderr.contains("not valid UTF-8"));
    assert!(output.stderr.contains("c-garbage.yml"));
    let paths: Vec<&str> = output.findings.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|path| path.ends_with("b-valid.yml")), "{paths:?}");

    let only_invalid = Tree::new("utf8-only");
    only_invalid.write(".github/workflows/a-invalid.yml", &invalid);
    assert_eq!(only_invalid.check().code, 0);
}

/// A temporary directory of files to `check`, removed when dropped.
struct Tree {
    root: PathBuf,
}

struct Checked {
    code: i32,
    findings: Vec<Value>,
    stderr: String,
}

impl Tree {
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("pipewarden-hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Self { root }
    }

    fn write(&self, path: &str, bytes: &[u8]) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn check(&self) -> Checked {
        check(&self.root)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn check(path: &Path) -> Checked {
    let output = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("the binary runs");
    let stdout: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stdout)));
    Checked {
        code: output.status.code().expect("an exit code, not a signal"),
        findings: stdout["findings"].as_array().cloned().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
