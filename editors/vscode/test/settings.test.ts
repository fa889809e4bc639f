import assert from "node:assert/strict";
import { test } from "node:test";

import { toServerSettings } from "../src/settings";

function translate(values: Record<string, unknown>) {
  return toServerSettings({ get: (key) => values[key] });
}

test("nothing configured gives empty rule lists and no minimum", () => {
  const { payload, problems } = translate({});
  assert.deepEqual(payload, { pipewarden: { rules: { disabled: [], enabled: [], severity: {} } } });
  assert.deepEqual(problems, []);
});

test("VS Code's flat keys become the nested server shape under `pipewarden`", () => {
  const { payload, problems } = translate({
    "rules.disabled": ["expression-injection"],
    "rules.enabled": ["untrusted-checkout", "excessive-permissions"],
    "rules.severity": { "excessive-permissions": "low" },
    minSeverity: "medium",
    // Client-side settings are not the server's business.
    "server.path": "/opt/pipewarden",
    "trace.server": "verbose",
  });
  assert.deepEqual(payload, {
    pipewarden: {
      rules: {
        disabled: ["expression-injection"],
        enabled: ["untrusted-checkout", "excessive-permissions"],
        severity: { "excessive-permissions": "low" },
      },
      minSeverity: "medium",
    },
  });
  assert.deepEqual(problems, []);
});

test("values of the wrong type are dropped and reported, the rest still applies", () => {
  const { payload, problems } = translate({
    "rules.disabled": ["expression-injection", 3, "", "  untrusted-checkout  "],
    "rules.enabled": "excessive-permissions",
    "rules.severity": { "expression-injection": "severe", "untrusted-checkout": "high" },
    minSeverity: "loud",
  });
  assert.deepEqual(payload.pipewarden, {
    rules: {
      disabled: ["expression-injection", "untrusted-checkout"],
      enabled: [],
      severity: { "untrusted-checkout": "high" },
    },
  });
  assert.equal(problems.length, 5, problems.join("\n"));
  assert.ok(problems.some((p) => p.includes("pipewarden.rules.enabled should be an array")));
  assert.ok(problems.some((p) => p.includes('"severe"') && p.includes("expression-injection")));
  assert.ok(problems.some((p) => p.includes("pipewarden.minSeverity")));
});

test("trusted owners, untrusted contexts and the diagnostics cap are forwarded when set", () => {
  const { payload, problems } = translate({
    trustedOwners: ["acme"],
    untrustedContexts: ["github.event.client_payload.*"],
    maxDiagnostics: 200,
  });
  assert.deepEqual(payload.pipewarden.trustedOwners, ["acme"]);
  assert.deepEqual(payload.pipewarden.untrustedContexts, ["github.event.client_payload.*"]);
  assert.equal(payload.pipewarden.maxDiagnostics, 200);
  assert.deepEqual(problems, []);
  const bad = translate({ maxDiagnostics: -3, trustedOwners: "acme" });
  assert.equal(bad.problems.length, 2, bad.problems.join("\n"));
  assert.equal(bad.payload.pipewarden.maxDiagnostics, undefined);
});

test("a severity map that is not an object is reported", () => {
  const { payload, problems } = translate({ "rules.severity": ["high"] });
  assert.deepEqual(payload.pipewarden.rules.severity, {});
  assert.equal(problems.length, 1);
});

test("the payload is plain JSON (it crosses the wire as is)", () => {
  const { payload } = translate({ "rules.severity": { a: "info" }, minSeverity: "critical" });
  assert.deepEqual(JSON.parse(JSON.stringify(payload)), payload);
});
