/**
 * The language client's lifecycle: find the executable, start, stop, restart, and forward
 * settings to the running server.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import { PIPELINE_FILE_PATTERNS } from "./patterns";
import { EXPLAIN_REQUEST, type ExplainParams, parseRuleList } from "./rules";
import { resolveServerPath } from "./serverPath";
import { type ServerSettingsPayload, toServerSettings } from "./settings";

const CLIENT_ID = "pipewarden";
const CLIENT_NAME = "pipewarden";

export class PipewardenServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private executable: string | undefined;
  /** Serialises start/stop so a restart never overlaps with another. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly extensionDir: string,
    private readonly output: vscode.OutputChannel,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  dispose(): void {
    void this.stop();
  }

  /** Sends the current settings; the server applies them and re-publishes open documents. */
  async sendSettings(): Promise<void> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      return;
    }
    try {
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: this.currentSettings(),
      });
    } catch (error) {
      // The server may be stopping at this very moment; it gets the settings when it starts.
      this.output.appendLine(`pipewarden: could not send the settings: ${errorText(error)}`);
    }
  }

  /** A rule's documentation, as Markdown. */
  async explain(rule: string): Promise<string> {
    const client = this.client;
    if (client === undefined || !client.isRunning()) {
      throw new Error("the pipewarden language server is not running");
    }
    const params: ExplainParams = { rule };
    return client.sendRequest<string>(EXPLAIN_REQUEST, params);
  }

  /** The rule ids the server knows, from `pipewarden rules`. */
  async ruleIds(): Promise<string[]> {
    if (this.executable === undefined) {
      return [];
    }
    const { stdout } = await promisify(execFile)(this.executable, ["rules"], { timeout: 10_000 });
    return parseRuleList(stdout);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.pending.then(step, step);
    // Keep the queue alive after a failure; the caller still sees the rejection.
    this.pending = next.catch(() => undefined);
    return next;
  }

  private async doStart(): Promise<void> {
    const config = vscode.workspace.getConfiguration("pipewarden");
    const resolution = resolveServerPath({
      configured: config.get<string>("server.path"),
      extensionDir: this.extensionDir,
      workspaceDir: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    });
    if (!resolution.found) {
      this.executable = undefined;
      this.output.appendLine(resolution.reason);
      void showServerNotFound(resolution.reason);
      return;
    }
    this.executable = resolution.path;
    this.output.appendLine(`Starting ${resolution.path} lsp (found via ${resolution.source})`);

    // Without a `transport`, the client talks over the child's stdin/stdout and adds no
    // `--stdio` argument of its own.
    const serverOptions: ServerOptions = { command: resolution.path, args: ["lsp"] };
    const clientOptions: LanguageClientOptions = {
      // Only pipeline files, by path: other YAML files are none of pipewarden's business.
      documentSelector: PIPELINE_FILE_PATTERNS.map((pattern) => ({ scheme: "file", pattern })),
      // A function, so a client restarted by the library after a crash sends current settings.
      initializationOptions: () => this.currentSettings(),
      outputChannel: this.output,
      diagnosticCollectionName: "pipewarden",
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      const message = `pipewarden: the language server (${resolution.path}) failed to start: ${errorText(error)}`;
      this.output.appendLine(message);
      void vscode.window.showErrorMessage(message, "Show Log").then((choice) => {
        if (choice !== undefined) {
          this.output.show(true);
        }
      });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) {
      return;
    }
    try {
      // dispose() also stops the server; our output channel outlives it (the client only
      // disposes channels it created itself).
      await client.dispose(2000);
    } catch (error) {
      this.output.appendLine(`pipewarden: stopping the server failed: ${errorText(error)}`);
    }
  }

  private currentSettings(): ServerSettingsPayload {
    const { payload, problems } = toServerSettings(vscode.workspace.getConfiguration("pipewarden"));
    for (const problem of problems) {
      this.output.appendLine(`settings: ${problem}`);
    }
    return payload;
  }
}

async function showServerNotFound(reason: string): Promise<void> {
  const openSettings = "Open Settings";
  const choice = await vscode.window.showErrorMessage(reason, openSettings);
  if (choice === openSettings) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "pipewarden.server.path");
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
