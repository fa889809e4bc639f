/**
 * End-to-end: the real `pipewarden lsp`, driven the way the extension's client drives it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import {
  CodeActionKind,
  CodeActionRequest,
  type Diagnostic,
  DiagnosticSeverity,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  HoverRequest,
  MarkupContent,
  TextDocumentSyncKind,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver-protocol/node";

import { EXPLAIN_REQUEST, parseRuleList } from "../src/rules";
import { toServerSettings } from "../src/settings";
import { TestClient, applyEdits, serverPath, withTimeout } from "./lspClient";

const RULE = "expression-injection";
const EXPRESSION = "github.event.issue.title";
const FIXTURE = fs.readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "issue-title-injection.yml"), "utf8");

/** What VS Code reads for `pipewarden.*` with nothing configured (package.json defaults). */
const DEFAULT_CONFIGURATION: Record<string, unknown> = {
  "rules.disabled": [],
  "rules.enabled": [],
  "rules.severity": {},
  minSeverity: "info",
};

function configuration(overrides: Record<string, unknown> = {}) {
  const values = { ...DEFAULT_CONFIGURATION, ...overrides };
  return toServerSettings({ get: (key) => values[key] }).payload;
}

/** Writes the fixture to `<tmp>/.github/workflows/<name>`, where the server treats it as a workflow. */
function workflowUri(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipewarden-vscode-"));
  const file = path.join(dir, ".github", "workflows", name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, FIXTURE);
  return pathToFileURL(file).toString();
}

const hasOne = (diagnostics: Diagnostic[]) => diagnostics.length === 1;
const isEmpty = (diagnostics: Diagnostic[]) => diagnostics.length === 0;

/** The expected range of the finding: the expression on line 7. */
function expressionRange() {
  const line = FIXTURE.split("\n")[7] ?? "";
  const start = line.indexOf(EXPRESSION);
  assert.ok(start > 0, "fixture line 7 contains the expression");
  return { start: { line: 7, character: start }, end: { line: 7, character: start + EXPRESSION.length } };
}

describe("pipewarden lsp, driven like the VS Code client", () => {
  let client: TestClient;
  let capabilities: Awaited<ReturnType<typeof TestClient.start>>["result"]["capabilities"];

  before(async () => {
    const started = await TestClient.start(configuration());
    client = started.client;
    capabilities = started.result.capabilities;
  });

  after(async () => {
    await client?.stop();
  });

  /** Opens a fresh copy of the fixture and returns its URI and its one diagnostic. */
  async function openWorkflow(name: string): Promise<{ uri: string; diagnostic: Diagnostic }> {
    const uri = workflowUri(name);
    const published = client.nextDiagnostics(uri);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "yaml", version: 1, text: FIXTURE },
    });
    const diagnostics = await published;
    assert.equal(diagnostics.length, 1, `one finding expected, got ${JSON.stringify(diagnostics)}`);
    return { uri, diagnostic: diagnostics[0] as Diagnostic };
  }

  /** The quick fixes the server offers for `diagnostic`. */
  async function quickFixes(uri: string, diagnostic: Diagnostic) {
    const actions = await withTimeout(
      client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic], only: [CodeActionKind.QuickFix] },
      }),
      "code actions",
    );
    assert.ok(actions !== null);
    return actions;
  }

  test("negotiates the capabilities the extension relies on", () => {
    assert.equal(capabilities.positionEncoding, "utf-16");
    assert.ok(capabilities.hoverProvider, "hover");
    assert.ok(capabilities.codeActionProvider, "code actions");
    assert.deepEqual(capabilities.executeCommandProvider?.commands, ["pipewarden.explain"]);
    const sync = capabilities.textDocumentSync;
    assert.ok(typeof sync === "object" && sync.change === TextDocumentSyncKind.Incremental, "incremental sync");
  });

  test("publishes the expression-injection finding, hovers it, and the ignore action removes it", async () => {
    const { uri, diagnostic } = await openWorkflow("triage.yml");
    assert.equal(diagnostic.code, RULE);
    assert.equal(diagnostic.source, "pipewarden");
    assert.equal(diagnostic.severity, DiagnosticSeverity.Error);
    assert.deepEqual(diagnostic.range, expressionRange());
    assert.match(diagnostic.message, /^Execution › Modify CI\/CD configurations: /);

    const hover = await withTimeout(
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: diagnostic.range.start }),
      "hover",
    );
    assert.ok(hover !== null && MarkupContent.is(hover.contents), "hover returns Markdown");
    assert.equal(hover.contents.kind, "markdown");
    assert.ok(
      hover.contents.value.startsWith("**pipewarden** `expression-injection`") &&
        hover.contents.value.includes("**Execution › Modify CI/CD configurations** (EX06)"),
      `hover text: ${hover.contents.value}`,
    );

    const actions = await quickFixes(uri, diagnostic);
    const titles = actions.map((action) => action.title);
    assert.deepEqual(titles, [
      "Pass `github.event.issue.title` through the environment variable `ISSUE_TITLE` (review: may change behaviour)",
      "Ignore this finding here (`expression-injection`)",
      "Ignore `expression-injection` in this file",
    ]);
    const ignore = actions.find((action) => action.title === "Ignore this finding here (`expression-injection`)");
    assert.ok(ignore !== undefined && "edit" in ignore && ignore.edit !== undefined, "the ignore action carries an edit");
    assert.equal(ignore.kind, CodeActionKind.QuickFix);

    const { text, changes } = applyEdits(FIXTURE, editsFor(ignore.edit, uri));
    assert.match(text, /^\s*# pipewarden: ignore\[expression-injection\]$/m);
    const cleared = client.nextDiagnostics(uri);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: changes,
    });
    assert.deepEqual(await cleared, [], "the finding is gone after the ignore comment");
  });

  test("the rule's own fix, applied as the client applies it, removes the finding", async () => {
    const { uri, diagnostic } = await openWorkflow("rule-fix.yml");
    const actions = await quickFixes(uri, diagnostic);
    const fix = actions.find((action) => action.title.startsWith("Pass `github.event.issue.title` through"));
    assert.ok(fix !== undefined && "edit" in fix && fix.edit !== undefined, "the rule's fix carries an edit");
    const { text, changes } = applyEdits(FIXTURE, editsFor(fix.edit, uri));
    assert.match(text, /ISSUE_TITLE: \$\{\{ github\.event\.issue\.title \}\}/);
    assert.match(text, /run: echo "New issue \$\{ISSUE_TITLE\}"/);
    const cleared = client.nextDiagnostics(uri);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: changes,
    });
    assert.deepEqual(await cleared, [], "the finding is gone once the title comes from the environment");
  });

  test("settings sent with didChangeConfiguration apply live", async () => {
    const { uri } = await openWorkflow("settings.yml");

    // The exact payload from the issue: disabling the rule clears the finding.
    let next = client.nextDiagnostics(uri);
    await client.sendSettings({ pipewarden: { rules: { disabled: [RULE] } } });
    assert.deepEqual(await next, [], "disabled via the issue's payload");

    // Back to the defaults, as translated from VS Code's configuration: it returns.
    next = client.nextDiagnostics(uri);
    await client.sendSettings(configuration());
    assert.equal((await next).length, 1, "back with the default settings");

    // The same through the extension's translation of `pipewarden.rules.disabled`.
    next = client.nextDiagnostics(uri);
    await client.sendSettings(configuration({ "rules.disabled": [RULE] }));
    assert.deepEqual(await next, [], "disabled via pipewarden.rules.disabled");

    // Severity override: high → low is shown as Information.
    next = client.nextDiagnostics(uri, hasOne);
    await client.sendSettings(configuration({ "rules.severity": { [RULE]: "low" } }));
    assert.equal((await next)[0]?.severity, DiagnosticSeverity.Information, "severity override to low");

    // A minimum severity above the finding's (overridden to low) hides it.
    next = client.nextDiagnostics(uri);
    await client.sendSettings(configuration({ "rules.severity": { [RULE]: "low" }, minSeverity: "medium" }));
    assert.deepEqual(await next, [], "minSeverity medium hides a low finding");

    // `enabled` limits the rules that run; the bare (unwrapped) shape works too.
    next = client.nextDiagnostics(uri);
    await client.sendSettings({ rules: { enabled: ["untrusted-checkout"] } });
    assert.deepEqual(await next, [], "only another rule enabled, bare settings shape");

    next = client.nextDiagnostics(uri, hasOne);
    await client.sendSettings(configuration({ "rules.enabled": [RULE] }));
    assert.equal((await next)[0]?.code, RULE);
  });

  test("pipewarden/explain and the pipewarden.explain command return the rule's Markdown", async () => {
    const viaRequest = await withTimeout(client.connection.sendRequest<string>(EXPLAIN_REQUEST, { rule: RULE }), "explain");
    assert.equal(typeof viaRequest, "string");
    assert.match(viaRequest, /`expression-injection`/, "names the rule");
    assert.match(viaRequest, /^#+ \S/m, "is Markdown with headings");
    const viaCommand = await withTimeout(
      client.connection.sendRequest(ExecuteCommandRequest.type, { command: "pipewarden.explain", arguments: [RULE] }),
      "executeCommand",
    );
    assert.equal(viaCommand, viaRequest);
    await assert.rejects(
      withTimeout(client.connection.sendRequest<string>(EXPLAIN_REQUEST, { rule: "no-such-rule" }), "explain"),
      /unknown rule/,
    );
  });
});

test("initializationOptions from the extension's settings are honoured", async () => {
  const { client } = await TestClient.start(configuration({ "rules.disabled": [RULE] }));
  try {
    const uri = workflowUri("init.yml");
    const published = client.nextDiagnostics(uri);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "yaml", version: 1, text: FIXTURE },
    });
    assert.deepEqual(await published, []);
  } finally {
    await client.stop();
  }
});

test("the Explain Rule quick pick's rule list parses `pipewarden rules`", () => {
  const ids = parseRuleList(execFileSync(serverPath(), ["rules"], { encoding: "utf8" }));
  for (const id of [RULE, "untrusted-checkout", "excessive-permissions"]) {
    assert.ok(ids.includes(id), `${id} in ${JSON.stringify(ids)}`);
  }
  assert.equal(new Set(ids).size, ids.length, "no duplicates");
});

test("a server that starts with no settings at all still works (settings are optional)", async () => {
  const { client } = await TestClient.start();
  try {
    const uri = workflowUri("plain.yml");
    const published = client.nextDiagnostics(uri, hasOne);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "yaml", version: 1, text: FIXTURE },
    });
    assert.equal((await published)[0]?.code, RULE);
    const cleared = client.nextDiagnostics(uri, isEmpty);
    await client.sendSettings({ pipewarden: { rules: { disabled: [RULE] } } });
    await cleared;
  } finally {
    await client.stop();
  }
});

/** The text edits of a workspace edit for one document, in either of its two shapes. */
function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  const edits: TextEdit[] = [...(edit.changes?.[uri] ?? [])];
  for (const change of edit.documentChanges ?? []) {
    if ("textDocument" in change && change.textDocument.uri === uri) {
      for (const item of change.edits) {
        edits.push({ range: item.range, newText: item.newText });
      }
    }
  }
  assert.ok(edits.length > 0, `the workspace edit changes ${uri}: ${JSON.stringify(edit)}`);
  return edits;
}
