import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { INSTALL_HINT, type ResolveOptions, isExecutableFile, resolveServerPath, searchPath } from "../src/serverPath";

/** A fake file system: only the listed files exist and are executable. */
function options(executables: string[], overrides: Partial<ResolveOptions> = {}): ResolveOptions {
  const files = new Set(executables);
  return {
    configured: "",
    extensionDir: "/ext",
    workspaceDir: "/work/repo",
    platform: "linux",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    homeDir: "/home/me",
    isExecutable: (file) => files.has(file),
    ...overrides,
  };
}

test("the setting wins over the bundled binary and PATH", () => {
  const result = resolveServerPath(
    options(["/opt/pw/pipewarden", "/ext/server/pipewarden", "/usr/bin/pipewarden"], { configured: "/opt/pw/pipewarden" }),
  );
  assert.deepEqual(result, { found: true, path: "/opt/pw/pipewarden", source: "setting" });
});

test("a relative setting is resolved against the workspace folder, `~` against home", () => {
  assert.deepEqual(
    resolveServerPath(options(["/work/repo/target/debug/pipewarden"], { configured: "target/debug/pipewarden" })),
    { found: true, path: "/work/repo/target/debug/pipewarden", source: "setting" },
  );
  assert.deepEqual(
    resolveServerPath(options(["/home/me/.cargo/bin/pipewarden"], { configured: "~/.cargo/bin/pipewarden" })),
    { found: true, path: "/home/me/.cargo/bin/pipewarden", source: "setting" },
  );
});

test("a bare command name in the setting is looked up on PATH", () => {
  assert.deepEqual(resolveServerPath(options(["/usr/bin/pipewarden-dev"], { configured: "pipewarden-dev" })), {
    found: true,
    path: "/usr/bin/pipewarden-dev",
    source: "setting",
  });
});

test("a setting that points nowhere is an error, not a silent fallback", () => {
  const result = resolveServerPath(
    options(["/ext/server/pipewarden", "/usr/bin/pipewarden"], { configured: "/nope/pipewarden" }),
  );
  assert.equal(result.found, false);
  assert.ok(!result.found && result.reason.includes("/nope/pipewarden") && result.reason.includes(INSTALL_HINT));

  const relative = resolveServerPath(options([], { configured: "bin/pipewarden", workspaceDir: undefined }));
  assert.ok(!relative.found && relative.reason.includes("no workspace folder"));
});

test("a blank setting counts as unset", () => {
  assert.deepEqual(resolveServerPath(options(["/ext/server/pipewarden"], { configured: "   " })), {
    found: true,
    path: "/ext/server/pipewarden",
    source: "bundled",
  });
});

test("the bundled binary comes before PATH", () => {
  assert.deepEqual(resolveServerPath(options(["/ext/server/pipewarden", "/usr/bin/pipewarden"])), {
    found: true,
    path: "/ext/server/pipewarden",
    source: "bundled",
  });
});

test("PATH is searched in order", () => {
  assert.deepEqual(resolveServerPath(options(["/usr/local/bin/pipewarden", "/usr/bin/pipewarden"])), {
    found: true,
    path: "/usr/local/bin/pipewarden",
    source: "path",
  });
});

test("nothing found explains how to install or configure the server", () => {
  const result = resolveServerPath(options([]));
  assert.equal(result.found, false);
  assert.ok(!result.found);
  assert.match(result.reason, /cargo install --path \./);
  assert.match(result.reason, /pipewarden\.server\.path/);
});

test("Windows: bundled pipewarden.exe, `Path` spelled any way, PATHEXT", () => {
  const bundled = resolveServerPath(
    options(["C:\\ext\\server\\pipewarden.exe"], { platform: "win32", extensionDir: "C:\\ext", env: {} }),
  );
  assert.deepEqual(bundled, { found: true, path: "C:\\ext\\server\\pipewarden.exe", source: "bundled" });

  const onPath = resolveServerPath(
    options(["D:\\tools\\pipewarden.EXE"], {
      platform: "win32",
      extensionDir: "C:\\ext",
      env: { Path: "C:\\Windows;D:\\tools", PATHEXT: ".COM;.EXE" },
    }),
  );
  assert.deepEqual(onPath, { found: true, path: "D:\\tools\\pipewarden.EXE", source: "path" });
});

test("searchPath and isExecutableFile against the real file system", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipewarden-path-"));
  const exe = path.join(dir, "pipewarden");
  const plain = path.join(dir, "not-executable");
  fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
  fs.writeFileSync(plain, "", { mode: 0o644 });
  assert.equal(isExecutableFile(exe), true);
  assert.equal(isExecutableFile(dir), false, "a directory is not an executable");
  assert.equal(isExecutableFile(path.join(dir, "missing")), false);
  if (process.platform !== "win32" && process.getuid?.() !== 0) {
    // root may execute anything with any x bit, and access(X_OK) says so; skip there.
    assert.equal(isExecutableFile(plain), false);
  }
  assert.equal(searchPath("pipewarden", process.platform, { PATH: `/nonexistent${path.delimiter}${dir}` }, isExecutableFile), exe);
});
