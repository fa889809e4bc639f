/**
 * Keeps package.json, the code and the dependency pins telling the same story.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { PIPELINE_FILE_PATTERNS } from "../src/patterns";
import { FORWARDED_KEYS, SEVERITIES } from "../src/settings";

const root = path.join(__dirname, "..", "..");

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, { enum?: string[]; additionalProperties?: { enum?: string[] } }> };
  };
  devDependencies: Record<string, string>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

const manifest = readJson<Manifest>(path.join(root, "package.json"));

test("activation events name exactly the document selector's patterns", () => {
  const watched = manifest.activationEvents
    .filter((event) => event.startsWith("workspaceContains:"))
    .map((event) => event.slice("workspaceContains:".length));
  assert.deepEqual(watched, [...PIPELINE_FILE_PATTERNS]);
});

test("every contributed command is registered in the code, and the other way round", () => {
  const source = fs
    .readdirSync(path.join(root, "src"))
    .map((file) => fs.readFileSync(path.join(root, "src", file), "utf8"))
    .join("\n");
  const registered = [...source.matchAll(/registerCommand\(\s*"([^"]+)"/g)].map((match) => match[1]).sort();
  const contributed = manifest.contributes.commands.map((command) => command.command).sort();
  assert.deepEqual(registered, contributed);
  assert.deepEqual(contributed, ["pipewarden.explainRule", "pipewarden.restartServer", "pipewarden.showLog"]);
});

test("the settings the code reads are declared, with the server's severities", () => {
  const properties = manifest.contributes.configuration.properties;
  for (const key of [...FORWARDED_KEYS, "server.path", "trace.server"]) {
    assert.ok(`pipewarden.${key}` in properties, `pipewarden.${key} is declared`);
  }
  assert.deepEqual(properties["pipewarden.minSeverity"]?.enum, [...SEVERITIES]);
  assert.deepEqual(properties["pipewarden.rules.severity"]?.additionalProperties?.enum, [...SEVERITIES]);
});

test("the test's protocol libraries are the very versions vscode-languageclient uses", () => {
  const modules = path.join(root, "node_modules");
  const client = readJson<{ dependencies: Record<string, string> }>(
    path.join(modules, "vscode-languageclient", "package.json"),
  );
  const protocol = readJson<{ version: string; dependencies: Record<string, string> }>(
    path.join(modules, "vscode-languageserver-protocol", "package.json"),
  );
  const jsonrpc = readJson<{ version: string }>(path.join(modules, "vscode-jsonrpc", "package.json"));
  assert.equal(protocol.version, client.dependencies["vscode-languageserver-protocol"]);
  assert.equal(jsonrpc.version, protocol.dependencies["vscode-jsonrpc"]);
  // And nested copies would mean the client bundles a different one than the tests load.
  assert.ok(!fs.existsSync(path.join(modules, "vscode-languageclient", "node_modules", "vscode-languageserver-protocol")));
});
