#!/usr/bin/env bash
# Checks the Vim (ALE) and Emacs (Eglot) configurations of editors/README.md against the real
# server, and that the README shows exactly the checked files.
#
# Needs: vim with ALE, emacs with eglot and yaml-mode. On Debian/Ubuntu:
#   apt-get install -y vim-nox vim-ale emacs-nox elpa-eglot elpa-yaml-mode
# Server: $PIPEWARDEN_SERVER, else target/debug/pipewarden at the repository root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
editors="$(dirname "$here")"
repo_root="$(dirname "$editors")"
server="${PIPEWARDEN_SERVER:-$repo_root/target/debug/pipewarden}"
[[ -x "$server" ]] || { echo "error: no pipewarden binary at $server (cargo build, or set PIPEWARDEN_SERVER)" >&2; exit 1; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# The configurations run `pipewarden` from PATH, as a user's would.
mkdir -p "$scratch/bin"
ln -s "$server" "$scratch/bin/pipewarden"
export PATH="$scratch/bin:$PATH" HOME="$scratch/home"
mkdir -p "$HOME"

project="$scratch/project"
export WORKFLOW="$project/.github/workflows/triage.yml" OTHER="$scratch/elsewhere/triage.yml"
mkdir -p "$(dirname "$WORKFLOW")" "$(dirname "$OTHER")"
cp "$editors/nvim/test/fixtures/issue-title-injection.yml" "$WORKFLOW"
cp "$WORKFLOW" "$OTHER" # a workflow by content, so the server WOULD report it if asked

passed=0 failed=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "not ok - $1: $2"; failed=$((failed + 1)); }

# 1. The README shows the very files checked here.
for snippet in vim/ale-pipewarden.vim emacs/pipewarden-eglot.el helix/languages.toml; do
  if python3 - "$editors/README.md" "$editors/$snippet" <<'PY'
import sys
readme, snippet = (open(p, encoding="utf-8").read() for p in sys.argv[1:3])
sys.exit(0 if snippet.strip() in readme else 1)
PY
  then pass "README shows $snippet verbatim"; else fail "README shows $snippet verbatim" "it differs"; fi
done

# 2. Vim + ALE.
ale_dir="${ALE_DIR:-/usr/share/vim-ale}"
cat > "$scratch/vimrc" <<VIM
set nocompatible
let &runtimepath = '$ale_dir,' . &runtimepath
filetype plugin on
runtime plugin/ale.vim
source $editors/vim/ale-pipewarden.vim
VIM
export RESULT="$scratch/ale-result"
timeout 60 vim --not-a-term -N -u "$scratch/vimrc" -i NONE -n -c "source $here/ale-check.vim" </dev/null >/dev/null 2>&1 || true
result="$(cat "$RESULT" 2>/dev/null || echo 'vim wrote no result (crashed or timed out)')"
if [[ "$result" == ok ]]; then pass "Vim + ALE: finding on the workflow, nothing on other YAML"; else fail "Vim + ALE" "$result"; fi

# 3. Emacs + Eglot (Debian's ELPA packages live outside Emacs's default load-path under -Q).
export EGLOT_CONFIG="$editors/emacs/pipewarden-eglot.el"
if timeout 60 emacs -Q --batch \
    --eval "(dolist (d (file-expand-wildcards \"/usr/share/emacs/site-lisp/elpa/*\")) (add-to-list 'load-path d))" \
    --eval "(require 'yaml-mode)" \
    -l "$here/eglot-check.el" >"$scratch/emacs.log" 2>&1; then
  pass "Emacs + Eglot: finding on the workflow, no Eglot for other YAML"
else
  fail "Emacs + Eglot" "$(grep -E 'FAIL|error' "$scratch/emacs.log" | tail -n 3 || tail -n 5 "$scratch/emacs.log")"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
