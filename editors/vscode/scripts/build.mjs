// Bundles the extension and its runtime dependency (vscode-languageclient) into one
// CommonJS file, so the .vsix needs no node_modules. `vscode` is provided by the editor.
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");

await esbuild.build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  platform: "node",
  target: "node18",
  format: "cjs",
  external: ["vscode"],
  sourcemap: !production,
  minify: production,
  logLevel: "info",
});
