//! Nothing escapes: `check` reads only files inside the trees it is given, never following a
//! symbolic link out of them or round a loop, and the analysis layers have no way to run a
//! program, open a connection or read a file. See SECURITY.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const VULNERABLE: &str =
    "on: issues\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";

/// Source folders of layers that must not touch the world: any of these words there is a
/// way out (`check`'s discovery and reading and `pin`'s `git ls-remote`, in `cli/`, and the
/// reading of configuration and lock files, in `workspace/`, are the only file access).
const CONTAINED: &[&str] =
    &["syntax", "model", "rules", "analysis", "lsp", "text.rs", "matrix.rs", "config.rs", "data.rs", "pins.rs"];
const WAYS_OUT: &[&str] = &[
    "std::process",
    "std::net",
    "std::fs",
    "fs::",
    "File::",
    "Command::new",
    "TcpStream",
    "UdpSocket",
    "env::var",
    "include_bytes!(",
    "libc::",
];

#[cfg(unix)]
#[test]
fn check_never_follows_links_out_of_the_tree_or_round_a_loop() {
    use std::os::unix::fs::symlink;
    let base = std::env::temp_dir().join(format!("pipewarden-escape-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (inside, outside) = (base.join("inside"), base.join("outside"));
    write(&outside.join(".github/workflows/outside.yml"), VULNERABLE);
    write(&inside.join(".github/workflows/inside.yml"), VULNERABLE);
    // A link to a directory outside, a link to a file outside, and loops.
    symlink(&outside, inside.join("linked-outside")).unwrap();
    symlink(outside.join(".github/workflows/outside.yml"), inside.join(".github/workflows/linked-file.yml")).unwrap();
    symlink(&inside, inside.join("loop")).unwrap();
    symlink("../b", inside.join("a")).unwrap();
    symlink("a", inside.join("b")).unwrap();
    std::fs::create_dir_all(inside.join("deep")).unwrap();
    symlink("..", inside.join("deep/up")).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_pipewarden"))
        .args(["check", "--format", "json"])
        .arg(&inside)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "check did not terminate");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let paths: Vec<PathBuf> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| PathBuf::from(finding["path"].as_str().unwrap()))
        .collect();
    assert!(!paths.is_empty());
    let expected = inside.join(".github/workflows/inside.yml");
    assert!(paths.iter().all(|path| path == &expected), "{paths:?}");
    assert_eq!(output.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn the_analysis_layers_have_no_way_out() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("server/src");
    let mut files = Vec::new();
    for name in CONTAINED {
        collect_rust_files(&src.join(name), &mut files);
    }
    assert!(files.len() > 20, "the layers moved: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for way_out in WAYS_OUT {
            assert!(
                !text.contains(way_out),
                "{} uses `{way_out}`: analysis must not run programs, open connections or read files",
                file.display()
            );
        }
    }
}

fn collect_rust_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            collect_rust_files(&entry.unwrap().path(), files);
        }
    } else if path.extension().is_some_and(|ext| ext == "rs") {
        files.push(path.to_path_buf());
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
