/**
 * A minimal LSP client for the tests, built on the libraries underneath
 * vscode-languageclient (vscode-languageserver-protocol and vscode-jsonrpc, the versions it
 * depends on): `vscode-languageclient/node` itself needs the `vscode` module, which only
 * exists inside VS Code.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  type ClientCapabilities,
  type Diagnostic,
  DidChangeConfigurationNotification,
  ExitNotification,
  type InitializeResult,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  type ProtocolConnection,
  PublishDiagnosticsNotification,
  type PublishDiagnosticsParams,
  ShutdownRequest,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  createProtocolConnection,
} from "vscode-languageserver-protocol/node";

/** Every wait in the tests ends; a hung server fails the test instead of hanging it. */
export const TIMEOUT_MS = 15_000;

/** The server binary: $PIPEWARDEN_SERVER, else the workspace's debug build. */
export function serverPath(): string {
  const fromEnv = process.env["PIPEWARDEN_SERVER"];
  // out/test/ → editors/vscode/ → repository root
  const candidate = fromEnv ?? path.resolve(__dirname, "..", "..", "..", "..", "target", "debug", "pipewarden");
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `pipewarden binary not found at ${candidate}: run \`cargo build\` at the repository root or set PIPEWARDEN_SERVER`,
    );
  }
  return candidate;
}

/** Client capabilities as VS Code sends them, for the parts the server looks at. */
const CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ["utf-16"] },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
    hover: { contentFormat: ["markdown", "plaintext"] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } },
      isPreferredSupport: true,
    },
  },
  workspace: { applyEdit: true, workspaceEdit: { documentChanges: true }, didChangeConfiguration: {} },
};

interface Waiter {
  uri: string;
  accept: (diagnostics: Diagnostic[]) => boolean;
  resolve: (diagnostics: Diagnostic[]) => void;
}

export class TestClient {
  readonly logMessages: string[] = [];
  readonly connection: ProtocolConnection;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiters = new Set<Waiter>();
  private stderr = "";

  private constructor() {
    this.child = spawn(serverPath(), ["lsp"], { stdio: "pipe" });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.child.stdout),
      new StreamMessageWriter(this.child.stdin),
    );
    // Handlers go in before listen(), so no early notification is dropped.
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.onDiagnostics(params));
    this.connection.onNotification(LogMessageNotification.type, (params) => this.logMessages.push(params.message));
    this.connection.listen();
  }

  /** Spawns `pipewarden lsp` and runs the initialize handshake. */
  static async start(initializationOptions?: unknown): Promise<{ client: TestClient; result: InitializeResult }> {
    const client = new TestClient();
    const exited = new Promise<never>((_, reject) =>
      client.child.once("exit", (code) =>
        reject(new Error(`server exited during initialize (code ${String(code)}):\n${client.stderr}`)),
      ),
    );
    try {
      const result = await withTimeout(
        Promise.race([
          client.connection.sendRequest(InitializeRequest.type, {
            processId: process.pid,
            rootUri: null,
            capabilities: CAPABILITIES,
            initializationOptions,
            workspaceFolders: null,
          }),
          exited,
        ]),
        "initialize",
      );
      await client.connection.sendNotification(InitializedNotification.type, {});
      return { client, result };
    } catch (error) {
      client.child.kill();
      client.connection.dispose();
      throw error;
    }
  }

  /**
   * Resolves with the first diagnostics published for `uri` AFTER this call that satisfy
   * `accept`. Call it before sending the message that should cause them, so an older
   * publish can never satisfy it.
   */
  nextDiagnostics(uri: string, accept: (diagnostics: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    return withTimeout(
      new Promise<Diagnostic[]>((resolve) => this.waiters.add({ uri, accept, resolve })),
      `diagnostics for ${uri}`,
      () => `server stderr:\n${this.stderr}`,
    );
  }

  async sendSettings(settings: unknown): Promise<void> {
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings });
  }

  async stop(): Promise<void> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.child.exitCode !== null) {
        resolve(this.child.exitCode);
      } else {
        this.child.once("exit", resolve);
      }
    });
    try {
      await withTimeout(this.connection.sendRequest(ShutdownRequest.type), "shutdown");
      await this.connection.sendNotification(ExitNotification.type);
      await withTimeout(exited, "server exit");
    } finally {
      this.connection.dispose();
      if (this.child.exitCode === null) {
        this.child.kill();
      }
    }
  }

  private onDiagnostics(params: PublishDiagnosticsParams): void {
    for (const waiter of this.waiters) {
      if (waiter.uri === params.uri && waiter.accept(params.diagnostics)) {
        this.waiters.delete(waiter);
        waiter.resolve(params.diagnostics);
      }
    }
  }
}

/** Rejects if `promise` takes longer than TIMEOUT_MS. */
export async function withTimeout<T>(promise: Promise<T>, what: string, detail?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}${detail ? `\n${detail()}` : ""}`)),
      TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Applies LSP text edits to a text as a client does: positions are UTF-16 code units (the
 * encoding negotiated above, and JavaScript's string indexing), and all edits refer to the
 * original text. Returns the new text and the incremental change events that VS Code would
 * send for it (last edit first, so each event's range is valid when it is applied).
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): { text: string; changes: TextDocumentContentChangeEvent[] } {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\n") {
      lineStarts.push(i + 1);
    }
  }
  const offset = (line: number, character: number): number => {
    const start = lineStarts[line];
    if (start === undefined) {
      throw new Error(`edit position line ${line} is past the end of the document`);
    }
    return start + character;
  };
  const sorted = [...edits].sort(
    (a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character),
  );
  let result = text;
  for (const edit of sorted) {
    const start = offset(edit.range.start.line, edit.range.start.character);
    const end = offset(edit.range.end.line, edit.range.end.character);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return { text: result, changes: sorted.map((edit) => ({ range: edit.range, text: edit.newText })) };
}
