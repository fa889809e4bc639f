#!/usr/bin/env bash
# CI for the VS Code extension: clean install from the lockfile, typecheck, bundle, package a
# .vsix, then the Node tests (unit tests and the end-to-end test against the real server).
#
# Needs Node 20+ and npm, and the server built: `cargo build` at the repository root, or
# PIPEWARDEN_SERVER=/path/to/pipewarden.
set -euo pipefail

cd "$(dirname "$0")/.."
repo_root="$(cd ../.. && pwd)"
export PIPEWARDEN_SERVER="${PIPEWARDEN_SERVER:-$repo_root/target/debug/pipewarden}"
if [[ ! -x "$PIPEWARDEN_SERVER" ]]; then
  echo "error: no pipewarden binary at $PIPEWARDEN_SERVER (run \`cargo build\` first or set PIPEWARDEN_SERVER)" >&2
  exit 1
fi

step() { printf '\n==> %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund
step "typecheck"
npm run typecheck
step "build"
npm run build
step "package"
rm -f pipewarden.vsix
npm run package
[[ -s pipewarden.vsix ]] || { echo "error: npm run package produced no pipewarden.vsix" >&2; exit 1; }
step "test (server: $PIPEWARDEN_SERVER)"
npm test
