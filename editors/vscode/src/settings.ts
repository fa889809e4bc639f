/**
 * Translates the extension's settings (flat `pipewarden.*` keys in VS Code) into the shape the
 * server reads from `initializationOptions` and `workspace/didChangeConfiguration`:
 * `{"pipewarden": {"rules": {"disabled", "enabled", "severity"}, "minSeverity", "trustedOwners",
 * "untrustedContexts", "maxDiagnostics"}}`. Settings left at their defaults are not sent, so the
 * project's `pipewarden.toml` applies.
 *
 * Kept free of the `vscode` module so it can be unit-tested under plain Node.
 */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface ServerSettings {
  rules: {
    disabled: string[];
    enabled: string[];
    severity: Record<string, Severity>;
  };
  minSeverity?: Severity;
  trustedOwners?: string[];
  untrustedContexts?: string[];
  maxDiagnostics?: number;
}

/** What the server receives: the settings under a `pipewarden` key. */
export interface ServerSettingsPayload {
  pipewarden: ServerSettings;
}

/**
 * The part of `vscode.WorkspaceConfiguration` (for section `pipewarden`) that is read here.
 * Values are `unknown` because users can write anything into settings.json.
 */
export interface ConfigurationReader {
  get(key: string): unknown;
}

/** The setting keys (under `pipewarden.`) that are forwarded to the server. */
export const FORWARDED_KEYS = [
  "rules.disabled",
  "rules.enabled",
  "rules.severity",
  "minSeverity",
  "trustedOwners",
  "untrustedContexts",
  "maxDiagnostics",
] as const;

export interface Translation {
  payload: ServerSettingsPayload;
  /** Values that were dropped because they have the wrong type, for the log. */
  problems: string[];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}

export function toServerSettings(config: ConfigurationReader): Translation {
  const problems: string[] = [];

  const strings = (key: string, what: string): string[] => {
    const value = config.get(key);
    if (value === undefined || value === null) {
      return [];
    }
    if (!Array.isArray(value)) {
      problems.push(`pipewarden.${key} should be an array of ${what}s; ignoring it`);
      return [];
    }
    const items: string[] = [];
    for (const item of value) {
      if (typeof item === "string" && item.trim() !== "") {
        items.push(item.trim());
      } else {
        problems.push(`pipewarden.${key}: ignoring ${JSON.stringify(item)}, which is not a ${what}`);
      }
    }
    return items;
  };
  const ruleIds = (key: string) => strings(key, "rule id");

  const severity: Record<string, Severity> = {};
  const overrides = config.get("rules.severity");
  if (isPlainObject(overrides)) {
    for (const [rule, level] of Object.entries(overrides)) {
      if (isSeverity(level)) {
        severity[rule] = level;
      } else {
        problems.push(
          `pipewarden.rules.severity: ignoring ${JSON.stringify(level)} for \`${rule}\`; use one of ${SEVERITIES.join(", ")}`,
        );
      }
    }
  } else if (overrides !== undefined && overrides !== null) {
    problems.push("pipewarden.rules.severity should be an object mapping rule ids to severities; ignoring it");
  }

  const settings: ServerSettings = {
    rules: { disabled: ruleIds("rules.disabled"), enabled: ruleIds("rules.enabled"), severity },
  };
  const minSeverity = config.get("minSeverity");
  if (isSeverity(minSeverity)) {
    settings.minSeverity = minSeverity;
  } else if (minSeverity !== undefined && minSeverity !== null && minSeverity !== "") {
    problems.push(`pipewarden.minSeverity: ignoring ${JSON.stringify(minSeverity)}; use one of ${SEVERITIES.join(", ")}`);
  }

  const trustedOwners = strings("trustedOwners", "GitHub owner");
  if (trustedOwners.length > 0) {
    settings.trustedOwners = trustedOwners;
  }
  const untrustedContexts = strings("untrustedContexts", "context path");
  if (untrustedContexts.length > 0) {
    settings.untrustedContexts = untrustedContexts;
  }
  const maxDiagnostics = config.get("maxDiagnostics");
  if (typeof maxDiagnostics === "number" && Number.isInteger(maxDiagnostics) && maxDiagnostics > 0) {
    settings.maxDiagnostics = maxDiagnostics;
  } else if (maxDiagnostics !== undefined && maxDiagnostics !== null) {
    problems.push(`pipewarden.maxDiagnostics: ignoring ${JSON.stringify(maxDiagnostics)}; use a positive whole number`);
  }

  return { payload: { pipewarden: settings }, problems };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
