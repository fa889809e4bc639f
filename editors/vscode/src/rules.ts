/**
 * Helpers for the "Explain Rule" command that do not need the `vscode` module: reading the
 * rule under the cursor out of diagnostics, and the rule ids out of `pipewarden rules`.
 */

/** The LSP request that returns a rule's documentation as Markdown. */
export const EXPLAIN_REQUEST = "pipewarden/explain";
export interface ExplainParams {
  rule: string;
}

/** The `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = "pipewarden";

interface Position {
  readonly line: number;
  readonly character: number;
}

/** The fields of a diagnostic read here; both `vscode.Diagnostic` and the LSP type fit. */
export interface DiagnosticLike {
  readonly source?: string | undefined;
  readonly code?: string | number | { readonly value: string | number } | undefined;
  readonly range: { readonly start: Position; readonly end: Position };
}

/** The distinct rule ids of pipewarden diagnostics whose range contains `position`. */
export function rulesAt(diagnostics: readonly DiagnosticLike[], position: Position): string[] {
  const rules = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !contains(diagnostic.range, position)) {
      continue;
    }
    const code = typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
    if (code !== undefined && code !== "") {
      rules.add(String(code));
    }
  }
  return [...rules];
}

function contains(range: DiagnosticLike["range"], position: Position): boolean {
  return !before(position, range.start) && !before(range.end, position);
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/**
 * The rule ids listed by `pipewarden rules`. Each rule starts a line with its id; its
 * description follows on indented lines.
 */
export function parseRuleList(output: string): string[] {
  const ids: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^([a-z0-9][a-z0-9-]*)(\s|$)/.exec(line);
    if (match?.[1] !== undefined) {
      ids.push(match[1]);
    }
  }
  return ids;
}
