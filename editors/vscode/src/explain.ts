/**
 * The "pipewarden: Explain Rule" command: shows the documentation of the rule under the cursor
 * (or of one picked from a list) as a Markdown preview.
 *
 * The Markdown lives in read-only virtual documents (`pipewarden-rule:/<id>.md`) served from
 * the `pipewarden/explain` request, so closing the preview never asks to save anything.
 */
import * as vscode from "vscode";

import { rulesAt } from "./rules";
import type { PipewardenServer } from "./server";

export const EXPLAIN_SCHEME = "pipewarden-rule";

export function registerExplain(server: PipewardenServer): vscode.Disposable {
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => server.explain(ruleOfUri(uri)),
  };
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, provider),
    vscode.commands.registerCommand("pipewarden.explainRule", (rule?: unknown) =>
      explainRule(server, typeof rule === "string" ? rule : undefined),
    ),
  );
}

async function explainRule(server: PipewardenServer, given: string | undefined): Promise<void> {
  const rule = given ?? (await ruleUnderCursor()) ?? (await pickRule(server));
  if (rule === undefined) {
    return;
  }
  const uri = vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${rule}.md` });
  let document: vscode.TextDocument;
  try {
    // Opening runs the provider, so an unknown rule or a stopped server fails here, visibly.
    document = await vscode.workspace.openTextDocument(uri);
  } catch (error) {
    void vscode.window.showErrorMessage(
      `pipewarden: cannot explain \`${rule}\`: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  try {
    await vscode.commands.executeCommand("markdown.showPreview", uri);
  } catch {
    // The built-in Markdown extension can be disabled; the source is readable too.
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

/** The rule of the pipewarden diagnostic at the cursor; asks which if there are several. */
async function ruleUnderCursor(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    return undefined;
  }
  const rules = rulesAt(vscode.languages.getDiagnostics(editor.document.uri), editor.selection.active);
  if (rules.length <= 1) {
    return rules[0];
  }
  return vscode.window.showQuickPick(rules, { placeHolder: "Which finding's rule to explain?" });
}

async function pickRule(server: PipewardenServer): Promise<string | undefined> {
  let rules: string[] = [];
  try {
    rules = await server.ruleIds();
  } catch {
    // Fall through to free text: the server may still know the id.
  }
  if (rules.length === 0) {
    return vscode.window.showInputBox({ prompt: "Rule id to explain", placeHolder: "expression-injection" });
  }
  return vscode.window.showQuickPick(rules, { placeHolder: "Rule to explain" });
}

function ruleOfUri(uri: vscode.Uri): string {
  return uri.path.replace(/^\//, "").replace(/\.md$/, "");
}
