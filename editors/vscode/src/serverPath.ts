/**
 * Finds the `pipewarden` executable, in this order:
 *   1. the `pipewarden.server.path` setting (an absolute path, a path relative to the first
 *      workspace folder, `~/…`, or a bare command name looked up on PATH);
 *   2. a binary bundled in the extension (`server/pipewarden[.exe]`, as shipped in a
 *      platform-specific .vsix);
 *   3. `pipewarden` on PATH.
 *
 * A setting that points nowhere is an error rather than a silent fall-through: the user asked
 * for that binary, and quietly running another one would be confusing.
 *
 * Kept free of the `vscode` module (file system and environment are injectable) so it can be
 * unit-tested under plain Node.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as nodePath from "node:path";

export type ServerSource = "setting" | "bundled" | "path";

export type Resolution =
  | { found: true; path: string; source: ServerSource }
  | { found: false; reason: string };

export interface ResolveOptions {
  /** The value of `pipewarden.server.path`; empty or blank means unset. */
  configured: string | undefined;
  /** The installed extension's folder. */
  extensionDir: string;
  /** The first workspace folder, if any. */
  workspaceDir: string | undefined;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  isExecutable?: (file: string) => boolean;
}

/** How to fix a missing server; shown with the error and in the README. */
export const INSTALL_HINT =
  "Install it with `cargo install --path .` from the pipewarden repository " +
  "(or put `pipewarden` on PATH), or set `pipewarden.server.path` to the executable.";

export function resolveServerPath(options: ResolveOptions): Resolution {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const paths = platform === "win32" ? nodePath.win32 : nodePath.posix;
  const binary = platform === "win32" ? "pipewarden.exe" : "pipewarden";

  const configured = options.configured?.trim() ?? "";
  if (configured !== "") {
    const candidate = expandConfigured(configured, options, paths);
    const found =
      candidate === "on-path"
        ? searchPath(configured, platform, env, isExecutable)
        : candidate !== undefined && isExecutable(candidate)
          ? candidate
          : undefined;
    if (found !== undefined) {
      return { found: true, path: found, source: "setting" };
    }
    const where =
      candidate === "on-path"
        ? "no such command is on PATH"
        : candidate === undefined
          ? "it is a relative path and no workspace folder is open to resolve it against"
          : `there is no executable file at ${candidate}`;
    return {
      found: false,
      reason: `pipewarden.server.path is set to "${configured}", but ${where}. ${INSTALL_HINT}`,
    };
  }

  const bundled = paths.join(options.extensionDir, "server", binary);
  if (isExecutable(bundled)) {
    return { found: true, path: bundled, source: "bundled" };
  }

  const onPath = searchPath("pipewarden", platform, env, isExecutable);
  if (onPath !== undefined) {
    return { found: true, path: onPath, source: "path" };
  }

  return {
    found: false,
    reason: `Could not find the pipewarden language server: no bundled binary and no \`pipewarden\` on PATH. ${INSTALL_HINT}`,
  };
}

/**
 * The file a configured value names: an absolute path, `~`-relative, or relative to the
 * workspace folder (`undefined` if there is none); or "on-path" for a bare command name.
 */
function expandConfigured(
  value: string,
  options: ResolveOptions,
  paths: typeof nodePath.posix,
): string | "on-path" | undefined {
  if (value === "~" || value.startsWith("~/") || value.startsWith("~\\")) {
    return paths.join(options.homeDir ?? os.homedir(), value.slice(1));
  }
  if (paths.isAbsolute(value)) {
    return value;
  }
  if (!value.includes("/") && !value.includes(paths.sep)) {
    return "on-path";
  }
  return options.workspaceDir === undefined ? undefined : paths.resolve(options.workspaceDir, value);
}

/** Looks a command up on PATH the way a shell would (with PATHEXT on Windows). */
export function searchPath(
  command: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  isExecutable: (file: string) => boolean,
): string | undefined {
  const paths = platform === "win32" ? nodePath.win32 : nodePath.posix;
  const pathValue = envValue(env, "PATH", platform) ?? "";
  const extensions =
    platform === "win32"
      ? ["", ...(envValue(env, "PATHEXT", platform) ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((ext) => ext !== "")]
      : [""];
  for (const dir of pathValue.split(paths.delimiter)) {
    if (dir === "") {
      continue;
    }
    for (const ext of extensions) {
      const candidate = paths.join(dir, command + ext);
      if (isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Environment variable names are case-insensitive on Windows (`Path` is common there). */
function envValue(env: NodeJS.ProcessEnv, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== "win32") {
    return env[name];
  }
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
