/**
 * Entry point: wires the language client, the commands and the settings together.
 */
import * as vscode from "vscode";

import { registerExplain } from "./explain";
import { PipewardenServer } from "./server";

let server: PipewardenServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // One channel for the extension's lifetime, shared by every client instance, so the log of
  // a crashed or restarted server stays readable.
  const output = vscode.window.createOutputChannel("pipewarden");
  server = new PipewardenServer(context.extensionPath, output);
  const current = server;

  context.subscriptions.push(
    output,
    current,
    registerExplain(current),
    vscode.commands.registerCommand("pipewarden.restartServer", () => current.restart()),
    vscode.commands.registerCommand("pipewarden.showLog", () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("pipewarden.server.path")) {
        await current.restart();
      } else if (
        event.affectsConfiguration("pipewarden.rules") ||
        event.affectsConfiguration("pipewarden.minSeverity")
      ) {
        // Applied live: the server re-publishes every open document.
        await current.sendSettings();
      }
      // pipewarden.trace.server is handled by the language client itself (it watches
      // `<client id>.trace.server`).
    }),
  );

  await current.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
