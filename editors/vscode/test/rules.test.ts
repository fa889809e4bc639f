import assert from "node:assert/strict";
import { test } from "node:test";

import { type DiagnosticLike, parseRuleList, rulesAt } from "../src/rules";

const at = (line: number, character: number) => ({ line, character });
const range = (sl: number, sc: number, el: number, ec: number) => ({ start: at(sl, sc), end: at(el, ec) });

const diagnostics: DiagnosticLike[] = [
  { source: "pipewarden", code: "expression-injection", range: range(7, 33, 7, 57) },
  { source: "pipewarden", code: { value: "excessive-permissions" }, range: range(0, 0, 8, 0) },
  { source: "yaml", code: "schema", range: range(7, 0, 7, 80) },
  { source: "pipewarden", code: "expression-injection", range: range(7, 30, 7, 60) },
];

test("rulesAt: pipewarden diagnostics containing the position, each rule once", () => {
  assert.deepEqual(rulesAt(diagnostics, at(7, 40)), ["expression-injection", "excessive-permissions"]);
  assert.deepEqual(rulesAt(diagnostics, at(7, 33)), ["expression-injection", "excessive-permissions"], "start is inside");
  assert.deepEqual(rulesAt(diagnostics, at(7, 57)), ["expression-injection", "excessive-permissions"], "end is inside");
  assert.deepEqual(rulesAt(diagnostics, at(3, 2)), ["excessive-permissions"]);
  assert.deepEqual(rulesAt(diagnostics, at(9, 0)), []);
});

test("parseRuleList: ids start lines, descriptions are indented", () => {
  const output = [
    "expression-injection     EX06  high      Execution › Modify CI/CD configurations",
    "                         Attacker-controlled text is expanded into a script",
    "untrusted-checkout       EX05  critical  Execution › Inject code to source code",
    "                         A privileged workflow checks out a pull request's code and runs it",
    "",
  ].join("\r\n");
  assert.deepEqual(parseRuleList(output), ["expression-injection", "untrusted-checkout"]);
  assert.deepEqual(parseRuleList(""), []);
});
