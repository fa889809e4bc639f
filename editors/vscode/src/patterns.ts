/**
 * The files pipewarden analyses, as VS Code glob patterns. The language client's document
 * selector uses exactly these (not every YAML file), and a unit test checks that the
 * `workspaceContains:` activation events in package.json name the same set.
 */
export const PIPELINE_FILE_PATTERNS: readonly string[] = [
  "**/.github/workflows/*.{yml,yaml}",
  "**/action.{yml,yaml}",
  "**/.gitlab-ci.yml",
  "**/*.gitlab-ci.yml",
];
