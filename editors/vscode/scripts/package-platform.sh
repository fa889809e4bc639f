#!/usr/bin/env bash
# Packages a platform-specific .vsix with the server inside (server/pipewarden[.exe]), which
# the extension prefers over `pipewarden` on PATH.
#
#   scripts/package-platform.sh TARGET BINARY
#   e.g. scripts/package-platform.sh linux-x64 ../../target/release/pipewarden
#
# TARGET is a VS Code platform: win32-x64, win32-arm64, linux-x64, linux-arm64, darwin-x64,
# darwin-arm64, alpine-x64, ... The BINARY must be built for that platform.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
target="$1"
binary="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cd "$(dirname "$0")/.."

name=pipewarden
[[ "$target" == win32-* ]] && name=pipewarden.exe
rm -rf server
mkdir server
cp "$binary" "server/$name"
chmod +x "server/$name"
npx vsce package --no-dependencies --allow-missing-repository --target "$target" --out "pipewarden-$target.vsix"
