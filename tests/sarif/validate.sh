#!/usr/bin/env bash
# Validates `check --format sarif` with Microsoft's SARIF Multitool: the SARIF of the demo
# repository and of every rule fixture must have no error-level validation result.
# Usage: validate.sh PIPEWARDEN_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:?the pipewarden binary}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$here" && npm ci --silent --no-audit --no-fund)
status=0
"$binary" check --format sarif "$root/tests/fixtures/demo" > "$work/demo.sarif" || status=$?
[ "$status" -le 1 ] || { echo "check failed with $status"; exit 1; }
status=0
"$binary" check --format sarif "$root/tests/fixtures/rules" > "$work/rules.sarif" || status=$?
[ "$status" -le 1 ] || { echo "check failed with $status"; exit 1; }

for log in demo rules; do
  "$here/node_modules/.bin/sarif-multitool" validate --log ForceOverwrite --output "$work/$log.validation.sarif" "$work/$log.sarif" > "$work/$log.out" || { cat "$work/$log.out"; exit 1; }
  node - "$work/$log.validation.sarif" "$work/$log.sarif" <<'NODE'
const fs = require("fs");
const [validation, checked] = process.argv.slice(2);
const results = JSON.parse(fs.readFileSync(validation, "utf8")).runs.flatMap((run) => run.results ?? []);
const errors = results.filter((result) => result.level === "error");
for (const error of errors) console.error(`${error.ruleId}: ${JSON.stringify(error.message)}`);
const log = JSON.parse(fs.readFileSync(checked, "utf8"));
const findings = log.runs[0].results.length;
if (errors.length > 0) process.exit(1);
if (findings === 0) { console.error(`${checked}: no results to validate`); process.exit(1); }
console.log(`${checked}: ${findings} results, valid SARIF (${results.length} notes and warnings)`);
NODE
done
