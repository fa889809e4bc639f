#!/usr/bin/env bash
# Opens the page of `pipewarden matrix --html` in headless Chromium through playwright-core:
# the ten tactics render, a screenshot is taken, clicking a technique lists its findings, and
# hovering an attack path numbers its cells; the page must not request anything.
# Needs Debian's `chromium` (/usr/bin/chromium; `.ci/run` installs it) and Node 20 with npm.
# Usage: browser.sh [PIPEWARDEN_BINARY]   (default: target/debug/pipewarden)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:-$root/target/debug/pipewarden}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$binary" ] || { echo "no pipewarden binary at $binary (run cargo build first)"; exit 1; }
[ -x "$chromium" ] || { echo "no Chromium at $chromium (apt-get install chromium)"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# playwright-core is the driver only: it downloads no browser.
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --silent --no-audit --no-fund)
"$binary" matrix --html "$work/matrix.html" "$root/tests/fixtures/paths"
node "$here/browser.mjs" "$chromium" "$work/matrix.html" "$work/matrix.png"
