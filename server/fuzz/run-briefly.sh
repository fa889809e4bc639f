#!/usr/bin/env bash
# Runs every fuzz target for a short while from its committed corpus: a smoke test for CI
# that the targets build and that the known inputs (and a few new ones) do not crash.
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
#
#   server/fuzz/run-briefly.sh [SECONDS_PER_TARGET]   (default 20)
#
# By hand, from the repository root: `cargo +nightly fuzz run --fuzz-dir server/fuzz TARGET`.
#
# New inputs go to a temporary folder, so the committed corpora stay as they are. A crash
# leaves its input under server/fuzz/artifacts/<target>/ and fails the script: add it to
# tests/fixtures/regressions/ with the fix.
set -euo pipefail

seconds="${1:-20}"
cd "$(dirname "$0")"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# cargo-fuzz looks for its project in `fuzz/` beside the nearest Cargo.toml above the current
# folder, which is the repository root's; this folder has to be named.
cargo +nightly fuzz build --fuzz-dir .
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in $(cargo +nightly fuzz list --fuzz-dir .); do
    mkdir -p "$scratch/$target" "corpus/$target"
    echo "fuzzing $target for ${seconds}s"
    cargo +nightly fuzz run --fuzz-dir . "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1
done
