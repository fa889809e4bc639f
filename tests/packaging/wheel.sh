#!/usr/bin/env bash
# `pip install pipewarden`: builds the wheel with maturin (`pyproject.toml`, `bindings = "bin"`),
# installs it offline into a fresh virtual environment and runs the installed binary, from
# outside the repository, on the demo (findings, exit 1) and on a clean workflow (exit 0).
#
# The wheel is built with the settings in common.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"

cd "$root"
time maturin build --release --locked --out "$work/wheels"
wheels=("$work"/wheels/pipewarden-*.whl)
[ "${#wheels[@]}" -eq 1 ] || fail "expected one wheel, found: ${wheels[*]}"
wheel="${wheels[0]}"
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1))"

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-index "$wheel"
installed="$work/venv/bin/pipewarden"
[ -x "$installed" ] || fail "the wheel did not install a pipewarden script"

cd "$work"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)"
[ "$("$installed" --version)" = "pipewarden $version" ] || fail "--version printed '$("$installed" --version)', expected 'pipewarden $version'"
grep -qx "Version: $version" <<<"$("$work/venv/bin/python" -m pip show pipewarden)" || fail "the wheel's version is not $version"

status=0
"$installed" check "$root/tests/fixtures/demo" > "$work/demo.out" || status=$?
[ "$status" -eq 1 ] || fail "check exited with $status on the demo, expected 1"
grep -q 'critical\[untrusted-checkout\]' "$work/demo.out" || fail "no untrusted-checkout finding in the demo"
tail -1 "$work/demo.out"

status=0
"$installed" check "$root/tests/fixtures/clean" > "$work/clean.out" || status=$?
[ "$status" -eq 0 ] || { cat "$work/clean.out"; fail "check exited with $status on tests/fixtures/clean, expected 0"; }
echo "installed wheel: $("$installed" --version), findings on the demo, none on the clean workflow"
